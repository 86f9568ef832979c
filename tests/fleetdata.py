"""Fleet frames and WDR records for tests, built from wire records by the library's own builders."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from simtools.frames import SIM_CARD_COLUMNS, sim_cards_frame
from simtools.frames.sim_cards import with_group_names

SIM_COLUMNS = SIM_CARD_COLUMNS

DEFAULT_CREATED = "2026-04-01T00:00:00Z"
#: The frame columns a row may set; everything else is computed by sim_cards_frame.
_SETTABLE = (
    "id",
    "iccid",
    "imsi",
    "msisdn",
    "type",
    "status",
    "status_reason",
    "sim_card_group_id",
    "sim_card_group_name",
    "tags",
    "data_limit_mb",
    "consumed_mb",
    "actions_in_progress",
    "voice_enabled",
    "esim_installation_status",
    "eid",
    "version",
    "authorized_imeis",
    "created_at",
    "updated_at",
)


def _megabytes(value: float | None) -> dict[str, str] | None:
    return None if value is None else {"amount": str(value), "unit": "MB"}


def wire_sim(i: int, row: dict[str, Any]) -> dict[str, Any]:
    """SIM ``i`` as ``GET /sim_cards`` sends it, with frame-column overrides from ``row``.

    Ids are ``sim-0``, ``sim-1``, ...; SIMs are enabled physical cards in ``group-a`` without
    tags or a limit, created 2026-04-01; ``data_limit_mb`` and ``consumed_mb`` are sent in MB.
    """
    unknown = set(row) - set(_SETTABLE)
    if unknown:
        raise KeyError(f"wire_sim: {sorted(unknown)} are not columns a row may set")
    r: dict[str, Any] = {
        "id": f"sim-{i}",
        "iccid": f"89310410106543{i:06d}",
        "imsi": f"31041065437{i:04d}",
        "msisdn": f"+1310997{i:04d}",
        "type": "physical",
        "status": "enabled",
        "status_reason": None,
        "sim_card_group_id": "group-a",
        "tags": [],
        "consumed_mb": 0.0,
        "data_limit_mb": None,
        "actions_in_progress": False,
        "voice_enabled": False,
        "esim_installation_status": None,
        "eid": None,
        "version": "4.3",
        "authorized_imeis": [],
        "created_at": DEFAULT_CREATED,
        "updated_at": DEFAULT_CREATED,
    } | row
    status = None
    if r["status"] is not None or r["status_reason"] is not None:
        status = {"value": r["status"], "reason": r["status_reason"]}
    listed = {k: None if r[k] is None else list(r[k]) for k in ("tags", "authorized_imeis")}
    return {
        **{k: r[k] for k in ("id", "iccid", "imsi", "msisdn", "type", "sim_card_group_id")},
        "record_type": "sim_card",
        "status": status,
        **listed,
        "data_limit": _megabytes(r["data_limit_mb"]),
        "current_billing_period_consumed_data": _megabytes(r["consumed_mb"]),
        "resources_with_in_progress_actions": [],
        **{
            k: r[k]
            for k in (
                "actions_in_progress",
                "voice_enabled",
                "esim_installation_status",
                "eid",
                "version",
                "created_at",
                "updated_at",
            )
        },
    }


def make_fleet_frame(
    rows: Sequence[dict[str, Any]], *, fetched_at: str | None = None
) -> pd.DataFrame:
    """``sim_cards_frame`` of one wire SIM per row (see :func:`wire_sim`); with the fleet frame's
    ``sim_card_group_name`` when any row sets one, and ``attrs["fetched_at"]`` when given."""
    wire = [
        wire_sim(i, {k: v for k, v in row.items() if k != "sim_card_group_name"})
        for i, row in enumerate(rows)
    ]
    frame = sim_cards_frame(wire)
    if any("sim_card_group_name" in row for row in rows):
        names = {
            row.get("sim_card_group_id", "group-a"): row["sim_card_group_name"]
            for row in rows
            if "sim_card_group_name" in row
        }
        frame = with_group_names(frame, names)
    if fetched_at is not None:
        frame.attrs["fetched_at"] = pd.Timestamp(fetched_at).tz_convert("UTC").isoformat()
    return frame


def wdr(
    id: str,
    created_at: str | None,
    *,
    up: Any = 1.0,
    down: Any = 3.0,
    unit: Any = "MB",
    sim: str | None = "sim-0",
    group: str | None = "group-a",
    cost: Any = "0.25",
    currency: str | None = "USD",
    duration: Any = 60,
) -> dict[str, Any]:
    """One WDR as ``GET /reports/wdrs`` sends it (CONTRACT.md 5.7 A)."""
    return {
        "id": id,
        "record_type": "wdr",
        "created_at": created_at,
        "duration_seconds": duration,
        "sim_card_id": sim,
        "sim_group_id": group,
        "sim_group_name": None if group is None else f"Group {group}",
        "imsi": "310410654370001",
        "mcc": "310",
        "mnc": "410",
        "phone_number": "+13109970001",
        "uplink_data": {"amount": up, "unit": unit},
        "downlink_data": {"amount": down, "unit": unit},
        "rate": {"amount": "0.0625", "currency": currency},
        "cost": {"amount": cost, "currency": currency},
    }


def wire_sims() -> list[dict[str, Any]]:
    """Two SIM cards as ``GET /sim_cards`` sends them, with a field the contract does not know:
    1.5 GB of a 2048 MB limit (75%), and 10 MB without a limit."""
    common = {"record_type": "sim_card", "sim_card_group_id": "group-a", "firmware": "x1"}
    return [
        {
            **common,
            "id": "6a09cdc3-8948-47f0-aa62-74ac943d6c58",
            "status": {"value": "enabled", "reason": None},
            "type": "physical",
            "iccid": "89310410106543789301",
            "tags": ["north"],
            "data_limit": {"amount": "2048.0", "unit": "MB"},
            "current_billing_period_consumed_data": {"amount": "1.5", "unit": "GB"},
            "created_at": "2026-04-01T00:00:00.000Z",
            "updated_at": "2026-04-10T12:00:00.000Z",
        },
        {
            **common,
            "id": "7b3f2a10-1c2d-4e5f-8a9b-0c1d2e3f4a5b",
            "status": {"value": "standby", "reason": None},
            "type": "esim",
            "iccid": "89310410106543789302",
            "tags": [],
            "data_limit": None,
            "current_billing_period_consumed_data": {"amount": "10", "unit": "MB"},
            "created_at": "2026-04-05T00:00:00.000Z",
            "updated_at": "2026-04-10T12:00:00.000Z",
        },
    ]
