"""Fleet snapshots in a history store: one Parquet file per snapshot, named by its ``taken_at``
and kept in the folder of its UTC month (``snapshots/month=2026-11/snapshot-<taken_at>.parquet``),
so a snapshot is stored once and a date range lists only its months."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from simtools.errors import InvalidInputError
from simtools.frames.restore import restore_frame_dtypes
from simtools.frames.schema import require_columns
from simtools.inputs.times import to_utc_timestamp
from simtools.store.files import StoreFiles, check_columns, month_name

__all__ = ["append_snapshot", "read_snapshots"]

SNAPSHOTS = "snapshots"
_STAMP = "%Y%m%dT%H%M%S%fZ"


def append_snapshot(files: StoreFiles, fleet: pd.DataFrame, *, taken_at: object = None) -> bool:
    """Store the fleet frame ``fleet`` as the snapshot taken at ``taken_at`` (default
    ``fleet.attrs['fetched_at']``, else now); ``False`` if that snapshot is stored already."""
    require_columns(fleet, ["id"], caller="append_snapshot")
    if "taken_at" in fleet.columns:
        raise InvalidInputError(
            "taken_at",
            "the frame already has a taken_at column; it looks like read snapshots",
            "store the fleet frame itself (from fleet_frame)",
        )
    source = taken_at if taken_at is not None else fleet.attrs.get("fetched_at")
    when = (
        to_utc_timestamp(source, "taken_at")
        if source is not None
        else pd.Timestamp.now(tz="UTC").as_unit("ns")
    )
    name = f"snapshot-{when:%Y%m%dT%H%M%S}{when.microsecond:06d}Z.parquet"
    path = files.join(SNAPSHOTS, f"month={month_name(when)}", name)
    if files.fs.exists(path):
        return False
    frame = fleet.reset_index(drop=True).copy()
    frame.attrs = {}
    frame.insert(0, "taken_at", pd.Series(when, index=frame.index).astype("datetime64[ns, UTC]"))
    for column in frame.columns:
        if frame[column].dtype == object:
            frame[column] = frame[column].map(_as_list, na_action="ignore")
    table = pa.Table.from_pandas(frame, preserve_index=False)
    files.write(path, lambda handle: pq.write_table(table, handle))
    return True


def read_snapshots(
    files: StoreFiles,
    start: object = None,
    end: object = None,
    *,
    columns: Sequence[str] | None = None,
) -> pd.DataFrame:
    """The snapshots with ``start <= taken_at < end``, oldest first, as one long frame:
    ``taken_at`` then the fleet columns (or only ``columns``), contract dtypes restored.
    Only the months in range are listed and only those columns read."""
    t0 = None if start is None else to_utc_timestamp(start, "start")
    t1 = None if end is None else to_utc_timestamp(end, "end")
    frames = []
    root = files.join(SNAPSHOTS)
    for folder in files.list_dirs(root, "month="):
        month = folder.removeprefix("month=")
        if (t0 is not None and month < month_name(t0)) or (
            t1 is not None and month > month_name(t1)
        ):
            continue
        for path in files.list_files(f"{root}/{folder}"):
            stamp = path.rsplit("snapshot-", 1)[-1].removesuffix(".parquet")
            when = pd.to_datetime(stamp, format=_STAMP, utc=True)
            if (t0 is not None and when < t0) or (t1 is not None and when >= t1):
                continue
            frames.append(_read_snapshot(files, path, columns))
    if not frames:
        return pd.DataFrame({"taken_at": pd.Series([], dtype="datetime64[ns, UTC]")})
    out = restore_frame_dtypes(pd.concat(frames, ignore_index=True))
    return out.sort_values("taken_at", kind="stable", ignore_index=True)


def _read_snapshot(files: StoreFiles, path: str, columns: Sequence[str] | None) -> pd.DataFrame:
    with files.fs.open(path, "rb") as handle:
        names = pq.read_schema(handle).names
    selected = None
    if columns is not None:
        chosen = check_columns(columns, names) or []
        selected = [c for c in ["taken_at", *chosen] if c in names]
    with files.fs.open(path, "rb") as handle:
        frame: pd.DataFrame = pq.read_table(handle, columns=selected).to_pandas()
    for column in frame.columns:
        if frame[column].dtype == object:
            frame[column] = frame[column].map(_as_list, na_action="ignore")
    return frame


def _as_list(value: Any) -> Any:
    if isinstance(value, tuple):
        return list(value)
    if hasattr(value, "tolist") and not isinstance(value, str):
        return value.tolist()
    return value
