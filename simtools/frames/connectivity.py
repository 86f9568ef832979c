"""Wireless connectivity logs as a frame (the ``CONNECTIVITY_LOGS`` contract), with each log's
network named and placed in its country from the mobile network operators (pure).

A log names its network by MCC and MNC only; ``GET /mobile_network_operators`` maps those to an
operator's name and ISO country code. An MNC is matched as written and, failing that, by its
number (``"015"`` and ``"15"`` are the same network in practice: operators and logs do not always
pad alike).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pandas as pd

from simtools.frames.build import raw_wire_columns
from simtools.frames.wireless_contracts import CONNECTIVITY_LOGS
from simtools.frames.wireless_frames import mobile_network_operators_frame

__all__ = ["NetworkNames", "connectivity_logs_frame", "network_names"]

#: (mcc, mnc) -> (network name, country code).
NetworkNames = dict[tuple[str, str], tuple[str | None, str | None]]


def _mnc_number(mnc: str) -> str:
    return mnc.lstrip("0") or "0"


def network_names(operators: Any) -> NetworkNames:
    """The operators (models, dicts, a response, or a ``mobile_network_operators_frame``) as a
    lookup from ``(mcc, mnc)`` to ``(network_name, country_code)``, each MNC also by number."""
    frame = (
        operators
        if isinstance(operators, pd.DataFrame) and "network_name" in operators.columns
        else mobile_network_operators_frame(operators)
    )
    names: NetworkNames = {}
    for mcc, mnc, name, country in zip(
        frame["mcc"], frame["mnc"], frame["network_name"], frame["country_code"], strict=True
    ):
        if pd.isna(mcc) or pd.isna(mnc):
            continue
        value = (None if pd.isna(name) else str(name), None if pd.isna(country) else str(country))
        names.setdefault((str(mcc), str(mnc)), value)
        names.setdefault((str(mcc), _mnc_number(str(mnc))), value)
    return names


def _lookup(names: NetworkNames, mcc: Any, mnc: Any) -> tuple[str | None, str | None]:
    if pd.isna(mcc) or pd.isna(mnc):
        return (None, None)
    key = (str(mcc), str(mnc))
    return names.get(key) or names.get((key[0], _mnc_number(key[1]))) or (None, None)


def connectivity_logs_frame(source: Any, *, operators: Any = None) -> pd.DataFrame:
    """One row per connectivity log (``client.list_connectivity_logs``, for one SIM or many):
    the SIM, log id and type, start, stop and last-seen times (UTC), ``duration_s``, MCC and
    MNC with ``network_name`` and ``country_code`` from ``operators`` (missing without them or
    for a network they do not name), the radio, APN, cell, IMEI, IMSI and IPs."""
    raw, out = raw_wire_columns(source, CONNECTIVITY_LOGS, "wireless_connectivity_log")
    out["duration_s"] = (out["stop_time"] - out["start_time"]).dt.total_seconds().astype("Float64")
    names = network_names(operators) if operators is not None else {}
    found = [_lookup(names, a, b) for a, b in zip(out["mcc"], out["mnc"], strict=True)]
    out["network_name"] = pd.Series([f[0] for f in found], dtype="string")
    out["country_code"] = pd.Series([f[1] for f in found], dtype="string")
    return raw.finish(out)


def newest_per_sim(logs: pd.DataFrame, sim_card_ids: Iterable[str]) -> pd.DataFrame:
    """The newest log (by ``last_seen``, else ``stop_time``) of each SIM in ``sim_card_ids``,
    indexed by SIM id; SIMs without logs are absent."""
    seen = logs["last_seen"].fillna(logs["stop_time"])
    ranked = logs.assign(_seen=seen).dropna(subset=["_seen"])
    ranked = ranked[ranked["sim_card_id"].isin(list(sim_card_ids))]
    newest = ranked.sort_values("_seen").groupby("sim_card_id", observed=True).tail(1)
    return newest.set_index("sim_card_id")
