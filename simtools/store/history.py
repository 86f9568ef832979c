"""A history store: usage records and fleet snapshots as Parquet datasets partitioned by month.

Layout under the store's path (any fsspec URL; hive-style, so pyarrow, DuckDB, Dask, Polars and
Spark read it as it is)::

    <path>/usage/month=2026-11/part-20261101T000312-<uuid>.parquet
    <path>/snapshots/month=2026-11/snapshot-20261104T020000000000Z.parquet
    <path>/_sync.json            where the last usage sync ended

Idempotency rules (appending the same window twice changes nothing):

- **Usage records** are keyed by their ``record_id`` (the WDR id). A record whose key is already
  in its month's partition is not written again, nor is the second copy of a key within one
  append: the first copy written wins (WDRs do not change once issued). Rows without an id
  (``history_by_day`` rollups, usage report rows) are keyed by their source, SIM, start, end,
  network and currency, kept in a ``row_key`` column that reads leave out.
- **Snapshots** are keyed by ``taken_at``: the file is named after it, and a snapshot whose
  ``taken_at`` is stored already is not written again.

Usage records are stored in the one usage-record shape the history analysis takes (the
``USAGE_HISTORY`` contract: SIM, group, start, end, data, network, country, cost, currency),
categories as text, and read back with its dtypes; a record's month is that of its ``start``.
One writer at a time: two processes syncing one store at once could both write a new record.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Sequence
from typing import IO, TYPE_CHECKING, Any

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from simtools.errors import InvalidInputError
from simtools.frames.history import wdr_history_frame
from simtools.frames.history_contracts import USAGE_HISTORY
from simtools.frames.schema import require_columns
from simtools.inputs.times import to_utc_timestamp
from simtools.store.files import StoreFiles, check_columns, month_name
from simtools.store.snapshot_files import append_snapshot, read_snapshots

if TYPE_CHECKING:
    import dask.dataframe as dd
    import duckdb

__all__ = ["HistoryStore", "history_store", "usage_schema"]

USAGE = "usage"
_STATE = "_sync.json"


def usage_schema() -> pa.Schema:
    """The Arrow schema usage records are stored with: the contract's columns in its order,
    categories as text, times as UTC nanoseconds, then ``row_key`` (the key of rows without a
    ``record_id``, else missing)."""
    fields = []
    for field in pa.Schema.from_pandas(USAGE_HISTORY.empty(), preserve_index=False):
        kind = field.type
        if pa.types.is_dictionary(kind):
            kind = pa.string()
        fields.append(pa.field(field.name, kind))
    return pa.schema([*fields, pa.field("row_key", pa.string())])


class HistoryStore:
    """Usage records and fleet snapshots under one path; see the module docstring."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.files = StoreFiles(path)
        self._ids: dict[str, tuple[frozenset[str], pa.ChunkedArray]] = {}

    def __repr__(self) -> str:
        return f"HistoryStore({self.files.url!r})"

    # -- usage records -------------------------------------------------------------------------

    @property
    def usage_path(self) -> str:
        """The usage dataset's folder (on the store's file system)."""
        return self.files.join(USAGE)

    def months(self) -> list[str]:
        """The months (``YYYY-MM``) with stored usage records, oldest first."""
        names = self.files.list_dirs(self.usage_path, "month=")
        return [n.removeprefix("month=") for n in names]

    def append_usage(self, frame: pd.DataFrame) -> int:
        """Add the usage records of ``frame`` not stored yet; returns how many were written.
        ``frame`` is a usage-history frame (``wdr_history_frame``, ``wdr_report_frame``,
        ``detail_records_frame``) or a ``usage_records_frame`` (converted). Each month's new
        records go into one new file."""
        if isinstance(frame, pd.DataFrame) and "record_id" not in frame and "id" in frame:
            frame = wdr_history_frame(frame)
        require_columns(frame, ["record_id", "start"], caller="append_usage")
        if frame["start"].isna().any():
            raise InvalidInputError(
                int(frame["start"].isna().sum()),
                "some usage records have no start time, so they belong to no month",
                "drop them first: frame.dropna(subset=['start'])",
            )
        if frame.empty:
            return 0
        table = self._usage_table(frame)
        months = pc.strftime(table["start"], format="%Y-%m", locale="C")
        written = 0
        for month in pc.unique(months).to_pylist():
            part = table.filter(pc.equal(months, month))
            written += self._appendmonth_name(str(month), part)
        return written

    def _usage_table(self, frame: pd.DataFrame) -> pa.Table:
        schema = usage_schema()
        plain = pd.DataFrame(
            {
                f.name: (
                    frame[f.name].astype("string") if pa.types.is_string(f.type) else frame[f.name]
                )
                if f.name in frame.columns
                else pd.Series(pd.NA, index=frame.index, dtype=USAGE_HISTORY.dtypes[f.name])
                for f in schema
                if f.name in USAGE_HISTORY
            }
        )
        plain["row_key"] = _row_keys(frame)
        table = pa.Table.from_pandas(plain, schema=schema, preserve_index=False)
        return table.replace_schema_metadata(None)

    def _appendmonth_name(self, month: str, part: pa.Table) -> int:
        ids = _keys(part)
        first = pc.equal(
            pc.index_in(ids, value_set=pc.unique(ids)), pa.array(range(len(ids)), pa.int32())
        )
        stored = self._stored_ids(month)
        fresh = pc.and_(first, pc.invert(pc.is_in(ids, value_set=stored)))
        part = part.filter(fresh)
        if part.num_rows == 0:
            return 0
        part = part.sort_by("start")
        start = part["start"][0].as_py()
        name = f"part-{start:%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:12]}.parquet"
        path = self.files.join(USAGE, f"month={month}", name)
        self.files.write(path, lambda handle: pq.write_table(part, handle))
        files, known = self._ids[month]
        self._ids = {
            month: (
                files | {path},
                pa.chunked_array([*known.chunks, _keys(part)]),
            )
        }
        return int(part.num_rows)

    def _stored_ids(self, month: str) -> pa.ChunkedArray:
        """Every id stored for ``month``, read from the files not seen since the last append
        (a month's ids are kept between appends; another month's are dropped)."""
        files = self.files.list_files(self.files.join(USAGE, f"month={month}"))
        seen, ids = self._ids.get(month, (frozenset(), pa.chunked_array([], pa.string())))
        new = [f for f in files if f not in seen]
        if new:
            table = ds.dataset(new, filesystem=self.files.arrow, format="parquet").to_table(
                columns=["record_id", "row_key"]
            )
            ids = pa.chunked_array([*ids.chunks, _keys(table)], pa.string())
        self._ids = {month: (frozenset(files) | seen, ids)}
        return ids.combine_chunks() if ids.num_chunks else pa.array([], pa.string())

    def usage_dataset(self) -> ds.Dataset:
        """The usage records as a pyarrow dataset (``month`` partition column included)."""
        schema = usage_schema().append(pa.field("month", pa.string()))
        return ds.dataset(
            self.usage_path,
            schema=schema,
            format="parquet",
            partitioning="hive",
            filesystem=self.files.arrow,
        )

    def usage_filter(self, start: object = None, end: object = None) -> ds.Expression | None:
        """The dataset filter for ``start <= record start < end`` (either open), with the months
        outside the range pruned by their partition folder."""
        conditions: list[ds.Expression] = []
        if start is not None:
            t0 = to_utc_timestamp(start, "start")
            conditions += [ds.field("month") >= month_name(t0), ds.field("start") >= t0]
        if end is not None:
            t1 = to_utc_timestamp(end, "end")
            conditions += [ds.field("month") <= month_name(t1), ds.field("start") < t1]
        if start is not None and end is not None and t1 <= t0:
            raise InvalidInputError((start, end), "end must be after start", "swap them")
        if not conditions:
            return None
        out = conditions[0]
        for condition in conditions[1:]:
            out = out & condition
        return out

    def read_usage(
        self, start: object = None, end: object = None, *, columns: Sequence[str] | None = None
    ) -> pd.DataFrame:
        """Usage records that started in ``[start, end)`` (UTC; either may be left open), only
        ``columns`` if given, with the ``USAGE_HISTORY`` dtypes; only the months in range and the
        columns asked for are read. Sorted by ``start``."""
        wanted = check_columns(columns, USAGE_HISTORY.names)
        expression = self.usage_filter(start, end)
        if not self.months():
            return USAGE_HISTORY.empty()[wanted or list(USAGE_HISTORY.names)]
        table = self.usage_dataset().to_table(
            columns=wanted or list(USAGE_HISTORY.names), filter=expression
        )
        return usage_frame(table)

    def synced_until(self) -> pd.Timestamp | None:
        """Where the last completed usage sync ended (UTC), or ``None``."""
        text = self.files.read_text(self.files.join(_STATE))
        if text is None:
            return None
        value = json.loads(text).get("usage_synced_until")
        return None if value is None else pd.Timestamp(value).tz_convert("UTC")

    def mark_synced(self, until: object) -> None:
        """Record that usage records up to ``until`` are stored."""
        when = to_utc_timestamp(until, "until")
        body = json.dumps({"usage_synced_until": when.isoformat()}).encode()
        self.files.write(self.files.join(_STATE), lambda handle: _write_bytes(handle, body))

    # -- snapshots -----------------------------------------------------------------------------

    def append_snapshot(self, fleet: pd.DataFrame, *, taken_at: object = None) -> bool:
        """Store the fleet frame ``fleet`` as the snapshot taken at ``taken_at`` (default
        ``fleet.attrs['fetched_at']``, else now); ``False`` if that snapshot is stored already."""
        return append_snapshot(self.files, fleet, taken_at=taken_at)

    def read_snapshots(
        self, start: object = None, end: object = None, *, columns: Sequence[str] | None = None
    ) -> pd.DataFrame:
        """The snapshots with ``start <= taken_at < end``, oldest first, as one long frame:
        ``taken_at`` then the fleet columns (or only ``columns``), contract dtypes restored.
        Only the months in range are listed and only those columns read."""
        return read_snapshots(self.files, start, end, columns=columns)

    # -- other engines -------------------------------------------------------------------------

    def duckdb(self) -> duckdb.DuckDBPyConnection:
        """A DuckDB connection (in memory, UTC) with a view ``usage`` over the usage dataset,
        its ``month`` partition included; object storage goes through the store's fsspec file
        system. Needs the ``history`` extra."""
        import duckdb

        con = duckdb.connect()
        con.execute("SET TimeZone = 'UTC'")  # days and months are UTC, as in the analysis
        root = self.usage_path
        if not self.files.local:
            con.register_filesystem(self.files.fs)
            root = self.files.url.rstrip("/") + "/" + USAGE
        glob = f"{root}/month=*/part-*.parquet"
        names = ", ".join(f'"{name}"' for name in [*USAGE_HISTORY.names, "month"])
        con.execute(
            f"CREATE VIEW usage AS SELECT {names} FROM read_parquet("
            f"'{glob}', hive_partitioning = true, union_by_name = true)"
        )
        return con

    def to_dask(
        self, start: object = None, end: object = None, *, columns: Sequence[str] | None = None
    ) -> dd.DataFrame:
        """The usage records as a Dask DataFrame (one partition per file, ``month`` included),
        with the ``USAGE_HISTORY`` dtypes; ``start``/``end`` prune months and rows as in
        :meth:`read_usage`. Needs the ``history`` extra."""
        from simtools.store.dask import usage_dask

        return usage_dask(self, start, end, columns=check_columns(columns, USAGE_HISTORY.names))


_KEY_PARTS = ("history_source", "sim_card_id", "start", "end", "mcc", "mnc", "currency")


def _row_keys(frame: pd.DataFrame) -> pd.Series:
    """The key of each row without a ``record_id`` (missing where it has one)."""
    keyless = frame["record_id"].isna()
    out = pd.Series(pd.NA, index=frame.index, dtype="string")
    if not keyless.any():
        return out
    rows = frame.loc[keyless]
    parts = [
        rows[c].astype("string").fillna("") if c in rows.columns else pd.Series("", rows.index)
        for c in _KEY_PARTS
    ]
    joined = parts[0]
    for part in parts[1:]:
        joined = joined + "|" + part
    out[keyless] = joined
    return out


def _keys(table: pa.Table) -> pa.Array:
    """Each stored row's key: its ``record_id``, else its ``row_key``."""
    ids = table["record_id"].combine_chunks().cast(pa.string())
    keys = table["row_key"].combine_chunks().cast(pa.string())
    return pc.coalesce(ids, keys)


def usage_frame(table: pa.Table) -> pd.DataFrame:
    """An Arrow table of stored usage columns as a frame with the contract dtypes."""
    frame = table.to_pandas()
    dtypes: dict[str, Any] = {
        c: USAGE_HISTORY.dtypes[c] for c in frame.columns if c in USAGE_HISTORY
    }
    out: pd.DataFrame = frame.astype(dtypes)
    if "start" in out.columns:
        out = out.sort_values("start", kind="stable", ignore_index=True)
    return out


def _write_bytes(handle: IO[bytes], body: bytes) -> None:
    handle.write(body)


def history_store(path: str | os.PathLike[str]) -> HistoryStore:
    """Open (or start) the history store at ``path``: a folder or any fsspec URL
    (``s3://bucket/fleet-history`` with s3fs installed). Nothing is written until the first
    append."""
    return HistoryStore(path)
