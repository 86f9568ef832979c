"""What the network knows of many SIMs, fetched one request per SIM: their devices, public IPs
and connectivity logs, and the fleet extras built from them (``fleet_frame(client,
include=["device", "public_ip", "last_seen"])``).

Each extra returns a new frame: the fleet's columns, then its own declared ones
(``DEVICE_DETAILS``, ``PUBLIC_IPS``, ``LAST_SEEN``), missing for a SIM the API has nothing for.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import pandas as pd

from simtools.errors import NotFoundError
from simtools.frames.connectivity import connectivity_logs_frame, newest_per_sim
from simtools.frames.schema import require_columns
from simtools.frames.wireless_contracts import DEVICE_DETAILS, LAST_SEEN
from simtools.frames.wireless_frames import device_details_frame, public_ips_frame
from simtools.inputs.arguments import check_uuids
from simtools.workflows.per_sim import fetch_each

if TYPE_CHECKING:
    from simtools.client import SimClient

__all__ = [
    "WIRELESS_EXTRAS",
    "fetch_connectivity_logs",
    "fetch_device_details",
    "fetch_public_ips",
]

_DEVICE_COLUMNS = tuple(n for n in DEVICE_DETAILS.names if n != "sim_card_id")
_PUBLIC_IP_COLUMNS = ("public_ip", "region_code")


def _ids(sims: Any) -> list[str]:
    if isinstance(sims, pd.DataFrame):
        column = "id" if "id" in sims.columns else "sim_card_id"
        require_columns(sims, [column], caller="this fetch", hint="pass a fleet frame or SIM ids")
        return check_uuids(sims[column].dropna().astype(str).tolist(), "sim_card_id")
    if isinstance(sims, pd.Series):
        sims = sims.dropna().astype(str).tolist()
    return check_uuids(sims, "sim_card_id")


def fetch_device_details(
    client: SimClient, sims: Any, *, progress: bool | None = None
) -> pd.DataFrame:
    """The ``DEVICE_DETAILS`` frame of the SIMs (a fleet frame, a Series or a list of ids):
    one request per SIM, ``client.concurrency`` at a time."""
    found = fetch_each(
        client,
        _ids(sims),
        client.get_device_details,
        what="device details",
        absent=(NotFoundError,),
        progress=progress,
    )
    return device_details_frame([d for d in found.values() if d is not None])


def fetch_public_ips(client: SimClient, sims: Any, *, progress: bool | None = None) -> pd.DataFrame:
    """The ``PUBLIC_IPS`` frame of those SIMs that have a public IP (a 404 means none)."""
    found = fetch_each(
        client,
        _ids(sims),
        client.get_public_ip,
        what="public IPs",
        absent=(NotFoundError,),
        progress=progress,
    )
    return public_ips_frame([p for p in found.values() if p is not None])


def fetch_connectivity_logs(
    client: SimClient, sims: Any, *, progress: bool | None = None
) -> pd.DataFrame:
    """The ``CONNECTIVITY_LOGS`` frame of the SIMs, every page of each, with the network's name
    and country from ``client.list_mobile_network_operators()`` (read once)."""
    ids = _ids(sims)
    found = fetch_each(
        client,
        ids,
        client.list_connectivity_logs,
        what="connectivity logs",
        absent=(NotFoundError,),
        progress=progress,
    )
    logs = [log for sim_logs in found.values() if sim_logs for log in sim_logs]
    operators = client.list_mobile_network_operators() if logs else []
    return connectivity_logs_frame(logs, operators=operators)


def _joined(fleet: pd.DataFrame, found: pd.DataFrame, columns: Iterable[str]) -> pd.DataFrame:
    """``fleet`` with ``columns`` of ``found`` (one row per ``sim_card_id``) beside each SIM."""
    by_sim = found.drop_duplicates("sim_card_id", keep="last").set_index("sim_card_id")
    keys = fleet["id"].astype("string")
    added = {name: by_sim[name].reindex(keys).set_axis(fleet.index) for name in columns}
    return fleet.assign(**added)


def join_device(client: SimClient, fleet: pd.DataFrame) -> pd.DataFrame:
    """``include="device"``: each SIM's device (IMEI, brand, model, type, operating system)."""
    return _joined(fleet, fetch_device_details(client, fleet), _DEVICE_COLUMNS)


def join_public_ip(client: SimClient, fleet: pd.DataFrame) -> pd.DataFrame:
    """``include="public_ip"``: each SIM's public IP and its region (missing without one)."""
    return _joined(fleet, fetch_public_ips(client, fleet), _PUBLIC_IP_COLUMNS)


def join_last_seen(client: SimClient, fleet: pd.DataFrame) -> pd.DataFrame:
    """``include="last_seen"``: when each SIM was last seen by a network (its newest
    connectivity log), which network and in which country."""
    logs = fetch_connectivity_logs(client, fleet)
    newest = newest_per_sim(logs, fleet["id"].dropna().astype(str)).reset_index()
    found = pd.DataFrame(
        {
            "sim_card_id": newest["sim_card_id"].astype("string"),
            "last_seen": newest["_seen"].astype(LAST_SEEN["last_seen"].dtype),
            "last_seen_network": newest["network_name"].astype("string"),
            "last_seen_country": newest["country_code"].astype("string"),
        }
    )
    return _joined(fleet, found, LAST_SEEN.names)


#: The extras of this module, by the name ``fleet_frame(include=...)`` takes.
WIRELESS_EXTRAS: Mapping[str, Callable[[SimClient, pd.DataFrame], pd.DataFrame]] = MappingProxyType(
    {"device": join_device, "public_ip": join_public_ip, "last_seen": join_last_seen}
)
