"""Usage over time: wireless detail records (``GET /reports/wdrs``) as frames and daily totals.

WDR amounts are *numbers* with a unit of ``B``, ``KB`` or ``MB`` (default ``MB``, CONTRACT.md
section 5.7 A); they are converted to MB in 1024 steps (``GB`` and ``TB`` too, should they appear).
A malformed value never drops its record: the row is kept with the derived value missing, and
one ``simtools.frames.SimToolsDataWarning`` per call names each record and field.
"""

from __future__ import annotations

import datetime as dt
import math
import warnings
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from simtools.errors import InvalidInputError, SimToolsDataWarning
from simtools.frames.units import unit_factor
from simtools.models import UsageRecord
from simtools.usage import NO_KEY, require_columns

__all__ = [
    "CURRENCIES",
    "DAILY_USAGE_COLUMNS",
    "USAGE_RECORD_COLUMNS",
    "daily_usage",
    "usage_records_frame",
]

#: The currencies of WDR costs in the contract; the ``currency`` categories start with these.
CURRENCIES = ("AUD", "CAD", "EUR", "GBP", "USD")

USAGE_RECORD_COLUMNS = (
    "id",
    "sim_card_id",
    "sim_group_id",
    "sim_group_name",
    "created_at",
    "uplink_mb",
    "downlink_mb",
    "total_mb",
    "duration_s",
    "mcc",
    "mnc",
    "imsi",
    "phone_number",
    "cost",
    "currency",
)
_TEXT_FIELDS = (
    "id",
    "sim_card_id",
    "sim_group_id",
    "sim_group_name",
    "mcc",
    "mnc",
    "imsi",
    "phone_number",
)
DAILY_USAGE_COLUMNS = ("date", "uplink_mb", "downlink_mb", "total_mb", "sessions")
_DAILY_KEYS: dict[str | None, str | None] = {
    None: None,
    "sim": "sim_card_id",
    "sim_card_id": "sim_card_id",
    "group": "sim_group_id",
    "sim_group_id": "sim_group_id",
}
_MAX_LISTED = 10


class _Problems:
    """Collects what did not fit, reported as one warning."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def add(self, label: str, field: str, what: str) -> None:
        self.lines.append(f"{label} field {field}: {what}")

    def warn(self) -> None:
        if not self.lines:
            return
        shown = self.lines[:_MAX_LISTED]
        more = len(self.lines) - len(shown)
        tail = f"; ... and {more} more" if more else ""
        warnings.warn(
            f"{len(self.lines)} WDR value(s) did not fit the contract; the rows are kept with "
            f"the derived value missing: {'; '.join(shown)}{tail}",
            SimToolsDataWarning,
            stacklevel=3,
        )


def _number(value: object) -> float | None:
    """A finite float from a number or numeric string, else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float | np.number):
        number = float(value)
    elif isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            return None
    else:
        return None
    return number if math.isfinite(number) else None


def _data_mb(raw: Mapping[str, Any], field: str, label: str, problems: _Problems) -> float | None:
    value = raw.get(field)
    if value is None:
        problems.add(label, field, "missing")
        return None
    if not isinstance(value, Mapping):
        problems.add(label, field, f"not an {{amount, unit}} object: {value!r}")
        return None
    amount = _number(value.get("amount"))
    if amount is None or amount < 0:
        problems.add(
            label, f"{field}.amount", f"not a non-negative number: {value.get('amount')!r}"
        )
        return None
    unit = value.get("unit")
    factor = unit_factor("MB" if unit is None else unit)
    if factor is None:
        problems.add(label, f"{field}.unit", f"unknown unit {unit!r} (expected B, KB or MB)")
        return None
    return amount * factor


def _money(raw: Mapping[str, Any], label: str, problems: _Problems) -> tuple[float | None, Any]:
    cost, rate = raw.get("cost"), raw.get("rate")
    currency = None
    for money in (cost, rate):
        if isinstance(money, Mapping) and isinstance(money.get("currency"), str):
            currency = money["currency"]
            break
    if cost is None:
        return None, currency
    if not isinstance(cost, Mapping):
        problems.add(label, "cost", f"not an {{amount, currency}} object: {cost!r}")
        return None, currency
    amount = cost.get("amount")
    number = _number(amount)
    if amount is not None and number is None:
        problems.add(label, "cost.amount", f"not a number: {amount!r}")
    return number, currency


def _text(raw: Mapping[str, Any], field: str, label: str, problems: _Problems) -> str | None:
    value = raw.get(field)
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    problems.add(label, field, f"not text: {value!r}")
    return None


def _as_mapping(record: object, index: int) -> Mapping[str, Any]:
    if isinstance(record, UsageRecord):
        return record.model_dump()
    if isinstance(record, Mapping):
        return record
    raise InvalidInputError(
        record,
        f"record {index} is a {type(record).__name__}, not a UsageRecord or a dict",
        "pass the records from client.list_wdrs(...) or the dicts of a WDR response's data list",
    )


def usage_records_frame(records: Iterable[UsageRecord | Mapping[str, Any]]) -> pd.DataFrame:
    """One row per WDR with ``USAGE_RECORD_COLUMNS``: ids (``string``), ``created_at`` (UTC),
    data in MB (``Float64``, ``total_mb = uplink_mb + downlink_mb``), ``duration_s``, the
    network codes, ``cost`` (``Float64``) and ``currency`` (``category``, from ``cost``, else
    ``rate``). Records may be ``UsageRecord`` models or plain dicts; the input is not changed.
    """
    if isinstance(records, str | bytes | Mapping) or not isinstance(records, Iterable):
        raise InvalidInputError(
            type(records).__name__,
            f"usage_records_frame needs a list of WDRs, got {type(records).__name__}",
            "pass the list of records (for a raw response, its 'data' list)",
        )
    problems = _Problems()
    labels: list[str] = []
    columns: dict[str, list[Any]] = {c: [] for c in USAGE_RECORD_COLUMNS}
    for index, record in enumerate(records):
        raw = _as_mapping(record, index)
        label = f"record {index} (id {raw.get('id')!r})"
        for field in _TEXT_FIELDS:
            columns[field].append(_text(raw, field, label, problems))
        labels.append(label)
        created = raw.get("created_at")
        if created is None:
            problems.add(label, "created_at", "missing")
        columns["created_at"].append(created)
        up = _data_mb(raw, "uplink_data", label, problems)
        down = _data_mb(raw, "downlink_data", label, problems)
        columns["uplink_mb"].append(up)
        columns["downlink_mb"].append(down)
        duration = raw.get("duration_seconds")
        seconds = _number(duration)
        if duration is not None and (seconds is None or seconds < 0):
            problems.add(label, "duration_seconds", f"not a non-negative number: {duration!r}")
            seconds = None
        columns["duration_s"].append(seconds)
        cost, currency = _money(raw, label, problems)
        columns["cost"].append(cost)
        columns["currency"].append(currency)
    created_at = _timestamps(columns["created_at"], labels, problems)
    problems.warn()
    uplink = pd.Series(columns["uplink_mb"], dtype="Float64")
    downlink = pd.Series(columns["downlink_mb"], dtype="Float64")
    data: dict[str, Any] = {c: pd.array(columns[c], dtype="string") for c in _TEXT_FIELDS}
    data |= {
        "created_at": created_at,
        "uplink_mb": uplink,
        "downlink_mb": downlink,
        "total_mb": uplink + downlink,
        "duration_s": pd.array(columns["duration_s"], dtype="Float64"),
        "cost": pd.array(columns["cost"], dtype="Float64"),
        "currency": pd.Categorical(
            columns["currency"],
            categories=[
                *CURRENCIES,
                *sorted(set(filter(None, columns["currency"])) - {*CURRENCIES}),
            ],
        ),
    }
    return pd.DataFrame(data, columns=list(USAGE_RECORD_COLUMNS))


def _timestamps(values: list[Any], labels: list[str], problems: _Problems) -> pd.Series:
    """UTC times from ISO 8601 strings (or datetimes); naive means UTC; others are reported."""
    raw = pd.Series(values, dtype=object)
    readable = raw.map(lambda v: isinstance(v, str | dt.datetime)).astype(bool)
    parsed = pd.to_datetime(raw.where(readable), utc=True, errors="coerce", format="ISO8601")
    for row in np.flatnonzero((raw.notna() & parsed.isna()).to_numpy(dtype=bool)):
        problems.add(labels[row], "created_at", f"not an ISO 8601 time: {values[row]!r}")
    return parsed.astype("datetime64[ns, UTC]")


def daily_usage(records_frame: pd.DataFrame, by: str | None = None) -> pd.DataFrame:
    """Data per UTC day from a ``usage_records_frame``: ``date`` (UTC midnight), the key column
    for ``by="sim"`` (``sim_card_id``) or ``by="group"`` (``sim_group_id``), ``uplink_mb``,
    ``downlink_mb``, ``total_mb`` and ``sessions`` (records).

    Every day from the first record's to the last record's is present for every key, with zeros
    on days without records. A missing key is summarised under ``NO_KEY``. Records whose amount
    is missing add to ``sessions`` but not to the MB totals; records without ``created_at``
    cannot be placed on a day and are left out with a ``SimToolsDataWarning``.
    """
    if by not in _DAILY_KEYS:
        raise InvalidInputError(
            by,
            f"by={by!r} is not a way to split daily usage",
            "pass by=None for the whole fleet, by='sim' per SIM card or by='group' per SIM group",
        )
    key = _DAILY_KEYS[by]
    needed = ["created_at", "uplink_mb", "downlink_mb", *([key] if key else [])]
    require_columns(
        records_frame,
        needed,
        caller="daily_usage",
        hint="build the frame with simtools.history.usage_records_frame(records)",
    )
    created = pd.to_datetime(records_frame["created_at"], utc=True, errors="coerce")
    undated = created.isna()
    if undated.any():
        ids = records_frame.loc[undated, "id"] if "id" in records_frame.columns else None
        named = "" if ids is None else f" (ids {', '.join(map(str, ids.head(_MAX_LISTED)))})"
        warnings.warn(
            f"{int(undated.sum())} record(s) without created_at left out of the daily totals"
            f"{named}",
            SimToolsDataWarning,
            stacklevel=2,
        )
    keys = [key] if key else []
    dated = records_frame.loc[~undated]
    work = pd.DataFrame(
        {
            "date": created[~undated].dt.floor("D").astype("datetime64[ns, UTC]"),
            **{k: dated[k].astype("string").fillna(NO_KEY) for k in keys},
            "uplink_mb": pd.to_numeric(dated["uplink_mb"]).astype("Float64"),
            "downlink_mb": pd.to_numeric(dated["downlink_mb"]).astype("Float64"),
            "sessions": 1,
        }
    )
    sums = work.groupby([*keys, "date"], sort=True).agg(
        uplink_mb=("uplink_mb", "sum"),
        downlink_mb=("downlink_mb", "sum"),
        sessions=("sessions", "sum"),
    )
    if len(work):
        days = pd.date_range(work["date"].min(), work["date"].max(), freq="D", unit="ns")
        levels = [sorted(work[k].unique()) for k in keys] + [days]
        full = pd.MultiIndex.from_product(levels, names=[*keys, "date"])
        sums = sums.reindex(full if keys else pd.Index(days, name="date"), fill_value=0)
    out = sums.reset_index()
    out["total_mb"] = out["uplink_mb"] + out["downlink_mb"]
    out = out.astype(
        {
            "date": "datetime64[ns, UTC]",
            **dict.fromkeys(keys, "string"),
            "uplink_mb": "Float64",
            "downlink_mb": "Float64",
            "total_mb": "Float64",
            "sessions": "Int64",
        }
    )
    return out[["date", *keys, "uplink_mb", "downlink_mb", "total_mb", "sessions"]]
