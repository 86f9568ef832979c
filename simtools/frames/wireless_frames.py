"""Frames of the wireless API's objects, each its contract from
:mod:`simtools.frames.wireless_contracts`: device details, public IPs, SIM card, bulk and group
actions, private wireless gateways, wireless blocklists, SIM card orders and mobile network
operators (connectivity logs are in :mod:`simtools.frames.connectivity`).

Every builder takes what the client returns (a list of models), a response body (dict, JSON
text or bytes), a list of dicts, or the official SDK's response objects; the input is never
changed. Empty input gives the contract's empty frame; unknown fields become extra columns after
the contract's (pure).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from simtools.frames.build import raw_wire_columns
from simtools.frames.schema import FrameContract
from simtools.frames.series import as_series
from simtools.frames.wireless_contracts import (
    BULK_SIM_CARD_ACTIONS,
    DEVICE_DETAILS,
    MOBILE_NETWORK_OPERATORS,
    PRIVATE_WIRELESS_GATEWAYS,
    PUBLIC_IPS,
    SIM_CARD_ACTIONS,
    SIM_CARD_GROUP_ACTIONS,
    SIM_CARD_ORDERS,
    WIRELESS_BLOCKLISTS,
)

__all__ = [
    "bulk_sim_card_actions_frame",
    "device_details_frame",
    "mobile_network_operators_frame",
    "private_wireless_gateways_frame",
    "public_ips_frame",
    "sim_card_actions_frame",
    "sim_card_group_actions_frame",
    "sim_card_orders_frame",
    "wireless_blocklists_frame",
]


def _plain(source: Any, contract: FrameContract, record_type: str | None) -> pd.DataFrame:
    raw, out = raw_wire_columns(source, contract, record_type)
    return raw.finish(out)


def device_details_frame(source: Any) -> pd.DataFrame:
    """One row per device (``client.get_device_details``): the SIM, IMEI, brand, model, device
    type and operating system."""
    return _plain(source, DEVICE_DETAILS, None)


def public_ips_frame(source: Any) -> pd.DataFrame:
    """One row per public IP (``client.get_public_ip``): ``public_ip`` is missing until it is
    provisioned."""
    return _plain(source, PUBLIC_IPS, None)


def sim_card_actions_frame(source: Any) -> pd.DataFrame:
    """One row per SIM card action (``client.list_sim_card_actions``): its type, status and
    reason, settings as JSON text."""
    return _plain(source, SIM_CARD_ACTIONS, "sim_card_action")


def sim_card_group_actions_frame(source: Any) -> pd.DataFrame:
    """One row per group action: what it attaches or detaches, and its status."""
    return _plain(source, SIM_CARD_GROUP_ACTIONS, "sim_card_group_action")


def private_wireless_gateways_frame(source: Any) -> pd.DataFrame:
    return _plain(source, PRIVATE_WIRELESS_GATEWAYS, None)


def wireless_blocklists_frame(source: Any) -> pd.DataFrame:
    """One row per blocklist; ``blocklist_values`` is a tuple of the values."""
    return _plain(source, WIRELESS_BLOCKLISTS, None)


def sim_card_orders_frame(source: Any) -> pd.DataFrame:
    """One row per order: quantity, status, cost (``Float64``) and its currency, the address."""
    return _plain(source, SIM_CARD_ORDERS, None)


def mobile_network_operators_frame(source: Any) -> pd.DataFrame:
    """One row per operator: ``network_name``, ``country_code``, MCC, MNC, TADIG."""
    return _plain(source, MOBILE_NETWORK_OPERATORS, None)


def bulk_sim_card_actions_frame(source: Any) -> pd.DataFrame:
    """One row per bulk action with its summary as counts: ``sim_card_action_count`` and how many
    are in progress, completed, failed and interrupted (0 where the summary names none; missing
    where the answer has no summary, as a bulk action's creation answer does)."""
    raw, out = raw_wire_columns(source, BULK_SIM_CARD_ACTIONS, "bulk_sim_card_action")
    summaries = raw.get("sim_card_actions_summary")
    counts = [_counts(summary) for summary in summaries]
    for status in ("in-progress", "completed", "failed", "interrupted"):
        name = f"{status.replace('-', '_')}_count"
        out[name] = as_series([c.get(status) if c is not None else None for c in counts], raw.n)
    out["sim_card_action_count"] = as_series(
        [sum(c.values()) if c is not None else None for c in counts], raw.n
    )
    for name in BULK_SIM_CARD_ACTIONS.computed_names:
        out[name] = out[name].astype("Int64")
    return raw.finish(out)


def _counts(summary: Any) -> dict[str, int] | None:
    if not isinstance(summary, list | tuple):
        return None
    counts = dict.fromkeys(("in-progress", "completed", "failed", "interrupted"), 0)
    for entry in summary:
        if isinstance(entry, Mapping) and isinstance(entry.get("count"), int):
            status = str(entry.get("status"))
            counts[status] = counts.get(status, 0) + int(entry["count"])
    return counts
