"""Hand-made fleet frames and WDR records with the sim_cards_frame column and dtype contract."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from simtools.frames import SIM_CARD_COLUMNS
from simtools.frames.units import DATA_UNITS
from simtools.models import SIM_STATUSES, SIM_TYPES

SIM_COLUMNS = SIM_CARD_COLUMNS

_STRING = ("id", "iccid", "imsi", "msisdn", "status_reason", "sim_card_group_id")
_STRING_TAIL = ("eid", "version")
#: Categories as frames.py makes them: the contract's values first, then others seen (sorted).
_CATEGORY: dict[str, tuple[str, ...]] = {
    "type": SIM_TYPES,
    "status": SIM_STATUSES,
    "data_limit_unit": DATA_UNITS,
    "consumed_unit": DATA_UNITS,
    "esim_installation_status": ("released", "disabled"),
}
_FLOAT = (
    "data_limit_amount",
    "data_limit_mb",
    "consumed_amount",
    "consumed_mb",
    "utilization",
    "headroom_mb",
)
_BOOLEAN = ("over_limit", "actions_in_progress", "voice_enabled")
_LISTS = ("tags", "authorized_imeis")
_TIMES = ("created_at", "updated_at")
_EXTRA = ("sim_card_group_name",)

DEFAULT_CREATED = "2026-04-01T00:00:00Z"


def _over_limit(status: str | None, consumed: float | None, limit: float | None) -> bool | None:
    """As frames.py: over when consumption exceeds the limit or the status says so; False
    without a limit; unknown when consumption is unknown."""
    if status == "data_limit_exceeded":
        return True
    if limit is None:
        return False
    return None if consumed is None else consumed > limit


def _row_defaults(i: int, row: dict[str, Any]) -> dict[str, Any]:
    unknown = set(row) - set(SIM_COLUMNS) - set(_EXTRA)
    if unknown:
        raise KeyError(f"make_fleet_frame: unknown column(s) {sorted(unknown)}")
    out: dict[str, Any] = {
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
    }
    out.update(row)
    limit, consumed = out["data_limit_mb"], out["consumed_mb"]
    out.setdefault("data_limit_amount", limit)
    out.setdefault("data_limit_unit", None if limit is None else "MB")
    out.setdefault("consumed_amount", consumed)
    out.setdefault("consumed_unit", None if consumed is None else "MB")
    known = limit is not None and consumed is not None
    out.setdefault("utilization", consumed / limit if known and limit > 0 else None)
    out.setdefault("over_limit", _over_limit(out["status"], consumed, limit))
    out.setdefault("headroom_mb", limit - consumed if known else None)
    return out


def make_fleet_frame(
    rows: Sequence[dict[str, Any]], *, fetched_at: str | None = None
) -> pd.DataFrame:
    """A frame with the sim_cards_frame columns and dtypes; each row overrides the defaults.

    Ids are ``sim-0``, ``sim-1``, ...; SIMs are enabled physical cards in ``group-a`` without tags
    or a limit, created 2026-04-01. ``utilization``, ``over_limit`` and ``headroom_mb`` derive from
    ``consumed_mb`` and ``data_limit_mb`` unless a row sets them. A ``sim_card_group_name`` column
    is added when any row sets one. As in frames.py, tags are tuples and categories list the
    contract's values first.
    """
    full = [_row_defaults(i, dict(row)) for i, row in enumerate(rows)]
    columns = list(SIM_COLUMNS)
    if any("sim_card_group_name" in row for row in rows):
        columns.append("sim_card_group_name")
    data: dict[str, Any] = {}
    for col in columns:
        values = [row.get(col) for row in full]
        if col in _STRING or col in _STRING_TAIL or col in _EXTRA:
            data[col] = pd.array(values, dtype="string")
        elif col in _CATEGORY:
            known = _CATEGORY[col]
            others = sorted({v for v in values if v is not None} - set(known))
            data[col] = pd.Categorical(values, categories=[*known, *others])
        elif col in _FLOAT:
            data[col] = pd.array(values, dtype="Float64")
        elif col in _BOOLEAN:
            data[col] = pd.array(values, dtype="boolean")
        elif col in _LISTS:
            data[col] = pd.Series([None if v is None else tuple(v) for v in values], dtype="object")
        else:
            data[col] = pd.to_datetime(
                pd.Series(values, dtype="object"), utc=True, format="ISO8601"
            ).astype("datetime64[ns, UTC]")
    frame = pd.DataFrame(data, columns=columns)
    if fetched_at is not None:
        frame.attrs["fetched_at"] = pd.Timestamp(fetched_at).tz_convert("UTC")
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
