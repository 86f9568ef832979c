"""Wireless detail records (``GET /reports/wdrs``) as a DataFrame: the ``USAGE_RECORDS`` contract.

WDR amounts are *numbers* with a unit of ``B``, ``KB`` or ``MB`` (default ``MB``, CONTRACT.md
section 5.7 A); they are converted to MB in 1024 steps (``GB`` and ``TB`` too, should they
appear). A value that does not fit never drops its record: the row is kept with what derives
from it missing, and one :class:`~simtools.errors.SimToolsDataWarning` per field names the
records (pure).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd

from simtools.errors import InvalidInputError
from simtools.frames.build import RawColumns, coerce_column, read_columns
from simtools.frames.contracts import USAGE_RECORDS
from simtools.frames.records import dump
from simtools.frames.units import megabytes
from simtools.models import UsageRecord
from simtools.wording import a_type

__all__ = ["USAGE_RECORD_COLUMNS", "usage_records_frame"]

USAGE_RECORD_COLUMNS = USAGE_RECORDS.names


def _as_mapping(record: object, index: int) -> Mapping[str, Any]:
    if isinstance(record, Mapping):
        return record
    dumped = dump(record) if isinstance(record, UsageRecord) or hasattr(record, "to_dict") else None
    if dumped is None:
        raise InvalidInputError(
            type(record).__name__,
            f"record {index} is {a_type(record)}, not a UsageRecord or a dict",
            "pass the records from client.usage_records(...) or the dicts of a WDR response's "
            "data list",
        )
    return dumped


def usage_records_frame(records: Iterable[UsageRecord | Mapping[str, Any]]) -> pd.DataFrame:
    """One row per WDR with :data:`USAGE_RECORD_COLUMNS`: ids (``string``), ``created_at`` (UTC),
    data in MB (``Float64``, ``total_mb = uplink_mb + downlink_mb``), ``duration_s``, the
    network codes, ``cost`` and ``rate`` (``Float64``) and ``currency`` (``category``, from
    ``cost``, else ``rate``). Records may be ``UsageRecord`` models, SDK models or plain dicts;
    the input is not changed.
    """
    if isinstance(records, str | bytes | Mapping) or not isinstance(records, Iterable):
        raise InvalidInputError(
            type(records).__name__,
            f"usage_records_frame needs a list of WDRs, got {type(records).__name__}",
            "pass the list of records (for a raw response, its 'data' list)",
        )
    dicts = [_as_mapping(record, i) for i, record in enumerate(records)]
    raw = RawColumns(USAGE_RECORDS.layout.extract(dicts), USAGE_RECORDS)
    out = read_columns(raw)
    issues = raw.issues
    for prefix in ("uplink", "downlink"):
        out[f"{prefix}_mb"] = megabytes(
            out[f"{prefix}_amount"], out[f"{prefix}_unit"], prefix, issues, default_unit="MB"
        )
    out["total_mb"] = out["uplink_mb"] + out["downlink_mb"]
    currency = out["cost_currency"].fillna(out["rate_currency"])
    out["currency"] = coerce_column(USAGE_RECORDS["currency"], currency, issues)
    return raw.finish(out)
