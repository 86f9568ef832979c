"""Usage history as frames of the one :data:`~simtools.frames.history_contracts.USAGE_HISTORY`
shape, from each source: WDRs (``GET /reports/wdrs``), a WDR report's CSV, detail records
(``GET /detail_records``) and usage reports (``GET /usage_reports``); and the report jobs and
report options as frames of their own (pure).

Every builder gives exactly the contract's columns, so windows from any source concatenate; a
value that does not fit never drops its row (it is left missing and one
:class:`~simtools.errors.SimToolsDataWarning` per field names the rows). Each row's network is
named from the shipped MCC/MNC table (:mod:`simtools.frames.mobile_networks`).

Assumptions where CONTRACT.md section 5.7 is silent, after the SDK 4.189.0 types:

* A WDR's ``created_at`` is when its session started ("Record created time"); ``end`` is that
  plus ``duration_seconds``. A detail record's ``end`` is its ``closed_at`` ("Event close time").
* A detail record's ``uplink_data``/``downlink_data`` are in its ``data_unit`` (MB when absent),
  its cost is ``data_cost`` in ``currency``.
* A usage report row holds the dimensions asked for and the metrics ``uplink_data``,
  ``downlink_data``, ``total_data`` (MB) and ``data_cost``, the names the options endpoint lists;
  a row with a ``date`` dimension covers that UTC day, else the whole window queried, and its
  currency is the account's (the report names none).
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd

from simtools.errors import InvalidInputError
from simtools.frames.build import RawColumns, coerce_column, raw_wire_columns, read_columns
from simtools.frames.contracts import CURRENCIES
from simtools.frames.history_contracts import (
    USAGE_HISTORY,
    USAGE_REPORT_OPTIONS,
    WDR_REPORTS,
)
from simtools.frames.issues import DataIssues
from simtools.frames.mobile_networks import name_networks
from simtools.frames.schema import Column, FrameContract
from simtools.frames.units import megabytes
from simtools.frames.usage_records import usage_records_frame
from simtools.history_models import UsageReportWindow

__all__ = [
    "HISTORY_COLUMNS",
    "WDR_CSV_COLUMNS",
    "detail_records_frame",
    "usage_report_frame",
    "usage_report_options_frame",
    "wdr_history_frame",
    "wdr_report_frame",
    "wdr_reports_frame",
]

HISTORY_COLUMNS = USAGE_HISTORY.names
#: The columns a WDR report's CSV must have (more are allowed and ignored).
WDR_CSV_COLUMNS = (
    "id",
    "created_at",
    "sim_card_id",
    "mcc",
    "mnc",
    "uplink_mb",
    "downlink_mb",
    "cost",
    "currency",
)
#: The largest CSV read in one go from text or bytes (a path is read the same way).
MAX_CSV_BYTES = 4 << 30
_SECOND = pd.Timedelta(seconds=1)

_DETAIL_WIRE = FrameContract(
    "detail_record_wire",
    (
        Column("id", "string"),
        Column("created_at", "time", required=True),
        Column("closed_at", "time"),
        Column("sim_card_id", "string"),
        Column("sim_group_id", "string"),
        Column("sim_group_name", "string"),
        Column("mcc", "string"),
        Column("mnc", "string"),
        Column("uplink_data", "float", required=True),
        Column("downlink_data", "float", required=True),
        Column("data_unit", "category", categories=("B", "KB", "MB", "GB", "TB")),
        Column("data_cost", "float"),
        Column("currency", "category", categories=CURRENCIES),
    ),
    noun="detail record",
)

_CSV_WIRE = FrameContract(
    "wdr_report_csv",
    (
        Column("id", "string"),
        Column("created_at", "time", required=True),
        Column("sim_card_id", "string"),
        Column("sim_group_id", "string"),
        Column("sim_group_name", "string"),
        Column("mcc", "string"),
        Column("mnc", "string"),
        Column("duration_seconds", "float"),
        Column("uplink_mb", "float", required=True),
        Column("downlink_mb", "float", required=True),
        Column("cost", "float"),
        Column("currency", "category", categories=CURRENCIES),
    ),
    noun="report row",
)

_REPORT_WIRE = FrameContract(
    "usage_report_wire",
    (
        Column("date", "time"),
        Column("sim_card_id", "string"),
        Column("sim_group_id", "string"),
        Column("sim_group_name", "string"),
        Column("mcc", "string"),
        Column("mnc", "string"),
        Column("uplink_data", "float", required=True),
        Column("downlink_data", "float", required=True),
        Column("data_cost", "float"),
        Column("sessions", "int"),
    ),
    noun="usage report row",
    label="sim_card_id",
)


def _history(n: int, columns: Mapping[str, pd.Series], issues: DataIssues) -> pd.DataFrame:
    """The contract's frame from the columns a source gave (the rest missing), with totals and
    network names filled in; warns once per field with problems."""
    index = pd.RangeIndex(n)
    frame: dict[str, pd.Series] = {}
    for column in USAGE_HISTORY.columns:
        given = columns.get(column.name)
        if given is None:
            frame[column.name] = pd.Series(pd.NA, index=index, dtype=column.dtype)
        elif column.kind == "category":
            frame[column.name] = coerce_column(column, given.reset_index(drop=True), issues)
        else:
            frame[column.name] = given.reset_index(drop=True).astype(column.dtype)
    frame["total_mb"] = frame["uplink_mb"] + frame["downlink_mb"]
    frame.update(name_networks(frame["mcc"], frame["mnc"]))
    issues.warn()
    return pd.DataFrame(frame, index=index, copy=False)


def _source(n: int, name: str) -> pd.Series:
    return pd.Series([name] * n, dtype="string")


def _ones(n: int) -> pd.Series:
    return pd.Series([1] * n, dtype="Int64")


def wdr_history_frame(records: Any) -> pd.DataFrame:
    """WDRs (``client.usage_records(...)``, dicts of a WDR page, or a ``usage_records_frame``) as
    usage history: one row per session, ``start`` its ``created_at``, ``end`` that plus its
    duration, data in MB, cost and currency as sent."""
    wdrs = records if isinstance(records, pd.DataFrame) else usage_records_frame(records)
    n = len(wdrs)
    start = wdrs["created_at"]
    columns = {
        "record_id": wdrs["id"],
        "history_source": _source(n, "wdr"),
        "sim_card_id": wdrs["sim_card_id"],
        "sim_group_id": wdrs["sim_group_id"],
        "sim_group_name": wdrs["sim_group_name"],
        "start": start,
        "end": start + wdrs["duration_s"].astype("float64") * _SECOND,
        "duration_s": wdrs["duration_s"],
        "uplink_mb": wdrs["uplink_mb"],
        "downlink_mb": wdrs["downlink_mb"],
        "mcc": wdrs["mcc"],
        "mnc": wdrs["mnc"],
        "cost": wdrs["cost"],
        "currency": wdrs["currency"].astype("string"),
        "sessions": _ones(n),
    }
    return _history(n, columns, DataIssues(wdrs["id"], "usage record", "id"))


def detail_records_frame(source: Any) -> pd.DataFrame:
    """Detail records (``client.detail_records(...)``, a page body, dicts or SDK models) as usage
    history: ``start`` the record's ``created_at``, ``end`` its ``closed_at``, data converted from
    ``data_unit`` to MB, ``cost`` its ``data_cost``."""
    raw, out = raw_wire_columns(source, _DETAIL_WIRE, None)
    issues = raw.issues
    up = megabytes(out["uplink_data"], out["data_unit"], "uplink", issues, default_unit="MB")
    unit = out["data_unit"]
    down = megabytes(out["downlink_data"], unit, "downlink", issues, default_unit="MB")
    duration = (out["closed_at"] - out["created_at"]).dt.total_seconds()
    columns = {
        "record_id": out["id"],
        "history_source": _source(raw.n, "detail_record"),
        **{k: out[k] for k in ("sim_card_id", "sim_group_id", "sim_group_name", "mcc", "mnc")},
        "start": out["created_at"],
        "end": out["closed_at"],
        "duration_s": duration,
        "uplink_mb": up,
        "downlink_mb": down,
        "cost": out["data_cost"],
        "currency": out["currency"].astype("string"),
        "sessions": _ones(raw.n),
    }
    return _history(raw.n, columns, issues)


def _csv_text(source: Any) -> pd.DataFrame:
    if isinstance(source, bytes | bytearray | memoryview):
        try:
            source = bytes(source).decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise InvalidInputError(
                "report CSV", f"the report is not UTF-8 text ({exc})", "download the report again"
            ) from None
    if isinstance(source, os.PathLike):
        if os.path.getsize(source) > MAX_CSV_BYTES:
            raise InvalidInputError(
                os.fspath(source), "the report file is over 4 GiB", "split the report's window"
            )
        handle: Any = source
    elif isinstance(source, str):
        handle = io.StringIO(source)
    else:
        raise InvalidInputError(
            type(source).__name__,
            f"wdr_report_frame needs CSV text, bytes or a path, got {type(source).__name__}",
            "pass what client.download_wdr_report(...) returned, or the file's path",
        )
    try:
        return pd.read_csv(handle, dtype=str, keep_default_na=False, na_values=[""])
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise InvalidInputError(
            "report CSV", f"the report does not read as CSV ({exc})", "download the report again"
        ) from None


def wdr_report_frame(source: Any) -> pd.DataFrame:
    """A WDR report's CSV (text, bytes or a path) as usage history, one row per record: the
    columns of :data:`WDR_CSV_COLUMNS` are required, ``duration_seconds``, ``sim_group_id`` and
    ``sim_group_name`` used when present; amounts are MB. A CSV without the required columns is
    an InvalidInputError naming them."""
    table = _csv_text(source)
    missing = [c for c in WDR_CSV_COLUMNS if c not in table.columns]
    if missing:
        raise InvalidInputError(
            missing,
            f"the report CSV lacks the column(s) {', '.join(missing)}",
            "pass a WDR report's CSV (GET report_url of a complete report job)",
        )
    raw = RawColumns(
        {c.name: table[c.name] for c in _CSV_WIRE.columns if c.name in table}, _CSV_WIRE
    )
    out = read_columns(raw)
    start = out["created_at"]
    columns = {
        "record_id": out["id"],
        "history_source": _source(raw.n, "wdr_report"),
        **{k: out[k] for k in ("sim_card_id", "sim_group_id", "sim_group_name", "mcc", "mnc")},
        "start": start,
        "end": start + out["duration_seconds"].astype("float64") * _SECOND,
        "duration_s": out["duration_seconds"],
        "uplink_mb": out["uplink_mb"],
        "downlink_mb": out["downlink_mb"],
        "cost": out["cost"],
        "currency": out["currency"].astype("string"),
        "sessions": _ones(raw.n),
    }
    return _history(raw.n, columns, raw.issues)


def _utc(value: Any) -> pd.Timestamp:
    stamp = pd.Timestamp(value)
    return stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")


def usage_report_frame(
    source: Any, *, start: Any = None, end: Any = None, currency: str | None = None
) -> pd.DataFrame:
    """A usage report as usage history, one row per report row: ``source`` is what
    ``client.usage_reports(...)`` returned (its windows), or the rows of one query over
    ``[start, end)``. A ``date`` row covers that UTC day, others their whole window;
    ``sessions`` is the records summed when the report has that metric. ``currency`` names the
    account's currency (the report gives none)."""
    if isinstance(source, list | tuple) and all(isinstance(w, UsageReportWindow) for w in source):
        windows = list(source)
        if not windows:
            return USAGE_HISTORY.empty()
        parts = [_report_rows(w.rows, w.start, w.end, currency) for w in windows]
        return pd.concat(parts, ignore_index=True)
    if start is None or end is None:
        raise InvalidInputError(
            "start/end",
            "rows of a usage report need the window they cover",
            "pass start= and end= of the query, or the windows client.usage_reports returned",
        )
    return _report_rows(source, start, end, currency)


def _report_rows(rows: Any, start: Any, end: Any, currency: str | None) -> pd.DataFrame:
    if isinstance(rows, str | bytes | Mapping) or not isinstance(rows, Iterable):
        raise InvalidInputError(
            type(rows).__name__,
            f"usage_report_frame needs a list of report rows, got {type(rows).__name__}",
            "pass what client.usage_reports(...) returned",
        )
    dicts = [dict(r) for r in rows]
    raw, out = raw_wire_columns(dicts, _REPORT_WIRE, None)
    window = (_utc(start), _utc(end))
    day = out["date"]
    first = day.fillna(window[0])
    last = (day + pd.Timedelta(days=1)).fillna(window[1])
    counted = any("sessions" in d for d in dicts)
    columns = {
        "history_source": _source(raw.n, "usage_report"),
        **{k: out[k] for k in ("sim_card_id", "sim_group_id", "sim_group_name", "mcc", "mnc")},
        "start": first,
        "end": last,
        "uplink_mb": out["uplink_data"],
        "downlink_mb": out["downlink_data"],
        "cost": out["data_cost"],
        "currency": pd.Series([currency] * raw.n, dtype="string"),
        "sessions": out["sessions"] if counted else pd.Series(pd.NA, index=range(raw.n)),
    }
    return _history(raw.n, columns, raw.issues)


def wdr_reports_frame(source: Any) -> pd.DataFrame:
    """WDR report jobs (``client.list_wdr_reports()``, one job, a body or dicts): id, status,
    window, times, and whether the report's file is ready (``has_report_url``)."""
    if not isinstance(source, list | tuple | pd.DataFrame | str | bytes) and not (
        isinstance(source, Mapping) and "data" in source
    ):
        source = [source]
    raw, out = raw_wire_columns(source, WDR_REPORTS, None)
    out["has_report_url"] = out["report_url"].notna().astype("boolean")
    return raw.finish(out)


def usage_report_options_frame(source: Any) -> pd.DataFrame:
    """``GET /usage_reports/options`` (the client's answer, a body or its ``data`` list) as one
    row per dimension and metric of each product and record type."""
    raw, _ = raw_wire_columns(source, FrameContract("usage_report_product", ()), None)
    rows: list[tuple[Any, Any, str, Any]] = []
    products = raw.get("product").tolist()
    for i, product in enumerate(products):
        entries = [(None, raw.get(f).iloc[i]) for f in ("product_dimensions", "product_metrics")]
        _options(rows, product, None, entries[0][1], entries[1][1])
        for sub in _listed(raw.get("record_types").iloc[i]):
            if isinstance(sub, Mapping):
                _options(
                    rows,
                    product,
                    sub.get("record_type"),
                    sub.get("product_dimensions"),
                    sub.get("product_metrics"),
                )
    frame = pd.DataFrame(rows, columns=list(USAGE_REPORT_OPTIONS.names))
    return frame.astype(dict(USAGE_REPORT_OPTIONS.dtypes))


def _listed(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list | tuple) else []


def _options(
    rows: list[tuple[Any, Any, str, Any]], product: Any, record_type: Any, dims: Any, metrics: Any
) -> None:
    for kind, names in (("dimension", dims), ("metric", metrics)):
        rows.extend((product, record_type, kind, str(name)) for name in _listed(names))
