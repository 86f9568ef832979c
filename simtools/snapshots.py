"""A local history of fleet frames: each save adds one Parquet file to a dataset partitioned by
the UTC date of the snapshot, and loading reads every snapshot back as one long frame.

Layout (hive-style, so pyarrow, DuckDB or Polars read it too)::

    <path>/snapshot_date=2026-04-16/20260416T091500123456Z-<uuid>.parquet

A save writes a hidden temporary file in the partition folder, flushes it to disk and renames it
into place, so a reader sees a snapshot whole or not at all; files whose names start with ``.``
or ``_`` (temporary files) are never read. Saves never overwrite: every file name is unique.
"""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Sequence
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from simtools.errors import InvalidInputError
from simtools.frames.contracts import SNAPSHOTS
from simtools.frames.files import read_parquet_frame, restore_frame_dtypes, write_frame
from simtools.frames.schema import require_columns
from simtools.inputs.times import to_utc_timestamp

__all__ = ["SNAPSHOT_COLUMNS", "load_snapshots", "save_snapshot"]

#: The columns a loaded snapshot frame starts with.
SNAPSHOT_COLUMNS = SNAPSHOTS.names
_PARTITION = re.compile(r"^snapshot_date=(\d{4}-\d{2}-\d{2})$")


def save_snapshot(
    df: pd.DataFrame, path: str | os.PathLike[str], *, taken_at: object = None
) -> Path:
    """Append the fleet frame ``df`` to the snapshot dataset at ``path`` (created if needed) and
    return the new file's path.

    ``taken_at`` (stored as a UTC column) defaults to ``df.attrs["fetched_at"]``, else now; its
    UTC date names the partition. Every column is stored with its dtype (lists too); the index
    is not stored.
    """
    require_columns(df, ["id"], caller="save_snapshot")
    reserved = [c for c in SNAPSHOT_COLUMNS if c in df.columns]
    if reserved:
        raise InvalidInputError(
            reserved,
            f"the frame already has {', '.join(reserved)}; it looks like loaded snapshots",
            "save the fleet frame itself (from fleet_frame or sim_cards_frame), or drop "
            "those columns",
        )
    if taken_at is not None:
        when = to_utc_timestamp(taken_at, name="taken_at")
    elif df.attrs.get("fetched_at") is not None:
        when = to_utc_timestamp(df.attrs["fetched_at"], name="df.attrs['fetched_at']")
    else:
        when = pd.Timestamp.now(tz="UTC").as_unit("ns")
    root = Path(path)
    if root.exists() and not root.is_dir():
        raise InvalidInputError(
            str(root),
            f"{str(root)!r} is a file, not a snapshot folder",
            "pass a folder path, e.g. 'snapshots/'",
        )
    partition = root / f"snapshot_date={when:%Y-%m-%d}"
    partition.mkdir(parents=True, exist_ok=True)
    target = partition / _file_name(when)
    while target.exists():  # a uuid clash is not expected, but a snapshot is never overwritten
        target = partition / _file_name(when)
    frame = df.reset_index(drop=True)
    frame.insert(
        0, "taken_at", pd.Series(when, index=frame.index, dtype=SNAPSHOTS.dtypes["taken_at"])
    )
    return write_frame(frame, target)


def _file_name(when: pd.Timestamp) -> str:
    return f"{when:%Y%m%dT%H%M%S}{when.microsecond:06d}Z-{uuid.uuid4().hex}.parquet"


def _snapshot_files(root: Path) -> list[tuple[pd.Timestamp, Path]]:
    found = []
    for folder in sorted(root.iterdir()):
        match = _PARTITION.match(folder.name)
        if not match or not folder.is_dir():
            continue
        day = pd.Timestamp(match.group(1), tz="UTC").as_unit("ns")
        for file in sorted(folder.iterdir()):
            if (
                file.suffix == ".parquet"
                and file.is_file()
                and not file.name.startswith((".", "_"))
            ):
                found.append((day, file))
    return found


def _check_columns(columns: object) -> list[str] | None:
    if columns is None:
        return None
    names = [columns] if isinstance(columns, str) else columns
    if not isinstance(names, Sequence) or not all(isinstance(c, str) for c in names) or not names:
        raise InvalidInputError(
            columns,
            f"columns={columns!r} is not a list of column names",
            "pass e.g. columns=['id', 'consumed_mb'], or leave it out for all columns",
        )
    return list(dict.fromkeys(names))


def load_snapshots(
    path: str | os.PathLike[str], *, columns: Sequence[str] | None = None
) -> pd.DataFrame:
    """Every snapshot under ``path`` as one long frame, oldest first: ``taken_at``,
    ``snapshot_date`` (UTC midnight), then the fleet frame's columns (or only ``columns``), with
    the frame contract dtypes restored. A column missing from older snapshots is missing (NA)
    in their rows. Temporary files and folders other than ``snapshot_date=YYYY-MM-DD`` are
    ignored.
    """
    wanted = _check_columns(columns)
    root = Path(path)
    hint = "save one first with save_snapshot(df, path), or check the path"
    if not root.is_dir():
        raise InvalidInputError(str(root), f"there is no snapshot folder {str(root)!r}", hint)
    files = _snapshot_files(root)
    if not files:
        raise InvalidInputError(str(root), f"{str(root)!r} holds no snapshots", hint)
    frames = []
    seen: set[str] = set()
    for day, file in files:
        try:
            names = pq.read_schema(file).names
        except (pa.ArrowException, OSError) as exc:
            raise InvalidInputError(
                str(file),
                f"the snapshot {file.name} is not a readable Parquet file ({exc})",
                "move the file out of the snapshot folder; the other snapshots stay readable",
            ) from None
        seen.update(names)
        selected = None if wanted is None else [c for c in ["taken_at", *wanted] if c in names]
        frame = read_parquet_frame(file, selected)
        frame.insert(1, "snapshot_date", pd.Series(day, index=frame.index))
        frames.append(frame)
    if wanted is not None and (absent := [c for c in wanted if c not in seen]):
        raise InvalidInputError(
            absent,
            f"no snapshot has the column(s) {', '.join(absent)}",
            f"choose from {', '.join(sorted(seen))}",
        )
    out = restore_frame_dtypes(pd.concat(frames, ignore_index=True))
    out.attrs = {}
    rest = [c for c in out.columns if c not in SNAPSHOT_COLUMNS]
    out = out[[*SNAPSHOT_COLUMNS, *rest]]
    return out.sort_values("taken_at", kind="stable", ignore_index=True)
