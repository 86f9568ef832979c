"""Data usage notifications as a DataFrame (``DATA_USAGE_NOTIFICATIONS``), and the alert columns
they give a fleet frame (``FLEET_ALERTS``) (pure)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from simtools.frames.build import raw_wire_columns
from simtools.frames.change_contracts import DATA_USAGE_NOTIFICATIONS, FLEET_ALERTS
from simtools.frames.sim_cards import checked_copy
from simtools.frames.units import megabytes

__all__ = ["DATA_USAGE_NOTIFICATION_COLUMNS", "data_usage_notifications_frame", "with_alerts"]

DATA_USAGE_NOTIFICATION_COLUMNS = DATA_USAGE_NOTIFICATIONS.names
_HINT = (
    "pass the notifications from client.list_data_usage_notifications(), a response (dict, JSON "
    "text or bytes), a list of dicts or SDK models, or a client, whose notifications are fetched"
)


def _is_notification(record: Mapping[str, Any]) -> bool:
    return any(k in record for k in ("id", "sim_card_id", "threshold"))


def data_usage_notifications_frame(source: Any) -> pd.DataFrame:
    """One row per data usage notification with :data:`DATA_USAGE_NOTIFICATION_COLUMNS`:
    ``threshold_mb`` (1024 steps), the threshold as sent, ids and UTC times. ``source``: a list
    of :class:`~simtools.models.DataUsageNotification` models or dicts, a response, an SDK
    response or model, a frame in this shape, or a client (anything with
    ``list_data_usage_notifications()``), whose notifications are fetched."""
    if isinstance(source, pd.DataFrame):
        return checked_copy(source, DATA_USAGE_NOTIFICATION_COLUMNS, _HINT)
    lister = getattr(source, "list_data_usage_notifications", None)
    if callable(lister):
        source = lister()
    raw, out = raw_wire_columns(
        source,
        DATA_USAGE_NOTIFICATIONS,
        "sim_card_data_usage_notification",
        is_record=_is_notification,
        hint=_HINT,
    )
    out["threshold_mb"] = megabytes(
        out["threshold_amount"], out["threshold_unit"], "threshold", raw.issues
    )
    return raw.finish(out)


def with_alerts(fleet: pd.DataFrame, notifications: pd.DataFrame) -> pd.DataFrame:
    """``fleet`` with ``alert_mb`` (each SIM's thresholds in MB, smallest first, an empty tuple
    without any) and ``alert_ids`` (their ids, in the same order) from ``notifications`` (a
    ``data_usage_notifications_frame``); a threshold whose size is unknown is left out."""
    known = notifications[notifications["threshold_mb"].notna()]
    ordered = known.sort_values(["sim_card_id", "threshold_mb", "id"], kind="stable")
    per_sim: dict[str, tuple[list[float], list[str]]] = {}
    sims = ordered["sim_card_id"].tolist()
    sizes = ordered["threshold_mb"].astype(float).tolist()
    for sim, size, nid in zip(sims, sizes, ordered["id"].tolist(), strict=True):
        mb, ids = per_sim.setdefault(str(sim), ([], []))
        mb.append(size)
        ids.append(str(nid))
    empty: tuple[list[float], list[str]] = ([], [])
    found = [per_sim.get(str(sid), empty) for sid in fleet["id"].tolist()]
    out = fleet.drop(columns=list(FLEET_ALERTS.names), errors="ignore")
    out["alert_mb"] = pd.Series([tuple(mb) for mb, _ in found], index=out.index, dtype=object)
    out["alert_ids"] = pd.Series([tuple(ids) for _, ids in found], index=out.index, dtype=object)
    return out
