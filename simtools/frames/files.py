"""Frames to CSV, Parquet, JSON or Excel files and back, with the frame column types intact.

The format follows the file's suffix. Parquet keeps every dtype by itself. The text formats (CSV,
JSON records, Excel) do not, so ``read_frame`` restores every column a frame contract declares, by
its name (:mod:`simtools.frames.restore`: ``string`` ids and codes, leading zeros kept; ``category``
enums; ``Float64`` amounts; ``boolean`` flags; ``Int64`` counts; UTC datetimes; tuples of tags), and
infers the type of any other column from its values. Lists are JSON text in CSV and Excel cells.
Times are written in UTC (ISO 8601 in CSV and JSON; naive UTC in Excel, which has no time zones) and
read back as UTC; Excel keeps them to the millisecond at best. A named index is written as leading
columns; files read back have a ``RangeIndex``. Every write goes to a hidden temporary file first
and is renamed into place, so a reader never sees half a file.
"""

from __future__ import annotations

import contextlib
import importlib
import json
import os
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from simtools.errors import InvalidInputError
from simtools.frames.issues import data_warning
from simtools.frames.restore import restore_frame_dtypes, typed_frame

__all__ = [
    "SUPPORTED_SUFFIXES",
    "read_frame",
    "restore_frame_dtypes",
    "write_atomically",
    "write_frame",
]

SUPPORTED_SUFFIXES = (".csv", ".json", ".parquet", ".xlsx")

_ATTRS_KEY = b"simtools.attrs"
_ARROW_ERRORS = (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError)


def _suffix(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise InvalidInputError(
            str(path),
            f"the file suffix {path.suffix or '(none)'!r} of {path.name!r} names no format "
            "simtools reads or writes",
            f"use one of {', '.join(SUPPORTED_SUFFIXES)}",
        )
    return suffix


def _require_openpyxl(path: Path) -> None:
    try:
        importlib.import_module("openpyxl")
    except ImportError:
        raise InvalidInputError(
            str(path),
            "Excel files need the optional package openpyxl, which is not installed",
            "pip install 'simtools[excel]', or use .csv, .json or .parquet",
        ) from None


def write_atomically(path: Path, write: Callable[[Path], None]) -> None:
    """Call ``write`` on a hidden temporary file beside ``path``, flush it to disk, then rename it
    to ``path``: readers see the old file or the whole new one, never a part. The temporary file
    starts with ``.`` so dataset readers skip it, and is removed if ``write`` fails."""
    tmp = path.with_name(f".{path.stem}.{uuid.uuid4().hex}.tmp{path.suffix}")
    try:
        write(tmp)
        with open(tmp, "rb") as handle:
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    with contextlib.suppress(OSError):  # directories cannot be fsynced everywhere (Windows)
        fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _is_listlike(value: object) -> bool:
    return isinstance(value, list | tuple | np.ndarray)


def _list_columns(frame: pd.DataFrame) -> list[str]:
    return [
        c for c in frame.columns if frame[c].dtype == object and frame[c].map(_is_listlike).any()
    ]


def _prepare(df: object) -> pd.DataFrame:
    if not isinstance(df, pd.DataFrame):
        raise InvalidInputError(
            type(df).__name__,
            f"write_frame needs a DataFrame, got {type(df).__name__}",
            "pass a frame",
        )
    frame = df
    if any(name is not None for name in df.index.names):
        try:
            frame = df.reset_index()
        except ValueError as exc:
            raise InvalidInputError(
                list(df.index.names), f"the index cannot become columns: {exc}", "rename the index"
            ) from None
    bad = [c for c in frame.columns if not isinstance(c, str)]
    duplicated = sorted({c for c in frame.columns if list(frame.columns).count(c) > 1})
    if bad or duplicated:
        raise InvalidInputError(
            bad or duplicated,
            "file columns need unique text names; these are " + ("not text" if bad else "repeated"),
            "rename the columns, e.g. df.columns = [str(c) for c in df.columns]",
        )
    frame = frame.reset_index(drop=True).copy()
    for column in _list_columns(frame):
        frame[column] = frame[column].map(lambda v: list(v) if _is_listlike(v) else v)
    return frame


def write_frame(df: pd.DataFrame, path: str | os.PathLike[str]) -> Path:
    """Write ``df`` as CSV, Parquet, JSON (records) or Excel (``.xlsx``, needs openpyxl) by the
    suffix of ``path``; returns the path. An existing file is replaced in one step."""
    target = Path(path)
    suffix = _suffix(target)
    frame = _prepare(df)
    if suffix == ".xlsx":
        _require_openpyxl(target)
    if not target.parent.is_dir():
        raise InvalidInputError(
            str(target), f"the folder {str(target.parent)!r} does not exist", "create it first"
        )
    writers: dict[str, Callable[[Path], None]] = {
        ".csv": lambda tmp: _text_ready(frame).to_csv(tmp, index=False),
        ".json": lambda tmp: _write_json(frame, tmp),
        ".parquet": lambda tmp: _write_parquet(frame, tmp),
        ".xlsx": lambda tmp: _text_ready(frame, excel=True).to_excel(
            tmp, index=False, sheet_name="frame", engine="openpyxl"
        ),
    }
    write_atomically(target, writers[suffix])
    return target


def _text_ready(frame: pd.DataFrame, *, excel: bool = False) -> pd.DataFrame:
    """Lists as JSON text; UTC times as ISO strings (CSV) or naive UTC datetimes (Excel)."""
    out = frame.copy()
    for column in _list_columns(out):
        out[column] = out[column].map(lambda v: json.dumps(v) if isinstance(v, list) else v)
    for column in out.columns:
        values = out[column]
        if isinstance(values.dtype, pd.DatetimeTZDtype):
            utc = values.dt.tz_convert("UTC")
            if excel:
                # Excel keeps milliseconds at best; rounding here, not in Excel's day fractions,
                # makes a time half a millisecond from the next read back as pandas rounds it.
                out[column] = utc.dt.tz_localize(None).dt.round("ms")
            else:  # ISO text with the offset; a missing time stays missing (NaT has no isoformat)
                out[column] = utc.map(pd.Timestamp.isoformat, na_action="ignore")
        elif excel and isinstance(values.dtype, pd.api.extensions.ExtensionDtype):
            out[column] = values.astype(object).where(values.notna(), None)
    return out


def _write_json(frame: pd.DataFrame, tmp: Path) -> None:
    """JSON records with every float exact (pandas' writer keeps 10 significant digits at
    most), times as ISO 8601 text in UTC to the nanosecond, lists as JSON lists. A float that is
    not finite is written as Python's ``json`` writes it (``Infinity``, ``NaN``), which JSON
    readers in Python and pandas accept."""
    columns = {str(name): _json_cells(frame[name]) for name in frame.columns}
    names = list(columns)
    rows = [dict(zip(names, cells, strict=True)) for cells in zip(*columns.values(), strict=True)]
    with open(tmp, "w", encoding="utf-8") as handle:
        json.dump(rows, handle, ensure_ascii=False, default=_json_default)


def _json_cells(values: pd.Series) -> list[Any]:
    if isinstance(values.dtype, pd.DatetimeTZDtype) or values.dtype.kind == "M":
        utc = values.dt.tz_convert("UTC") if values.dt.tz is not None else values
        return [None if pd.isna(v) else _utc_text(v) for v in utc.tolist()]
    cells = values.astype(object).where(values.notna(), None).tolist()
    return [_json_cell(v) for v in cells]


def _utc_text(value: pd.Timestamp) -> str:
    """A UTC time as the API writes one, ``2026-04-01T10:11:12.500000Z``."""
    text = value.isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def _json_cell(value: Any) -> Any:
    if isinstance(value, tuple | np.ndarray):
        return list(value)
    return value


def _json_default(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, pd.Timestamp | pd.Timedelta):
        return value.isoformat()
    return str(value)


def _write_parquet(frame: pd.DataFrame, tmp: Path) -> None:
    plain = frame.copy(deep=False)
    plain.attrs = {}  # stored below, under simtools' own key, whatever a user put there
    table = _arrow_table(plain)
    for i, field in enumerate(table.schema):
        if pa.types.is_list(field.type) and pa.types.is_null(field.type.value_type):
            table = table.set_column(i, field.name, table.column(i).cast(pa.list_(pa.string())))
    attrs = _attrs_to_json(frame.attrs)
    if attrs:
        metadata = dict(table.schema.metadata or {})
        metadata[_ATTRS_KEY] = json.dumps(attrs).encode()
        table = table.replace_schema_metadata(metadata)
    pq.write_table(table, tmp)


def _arrow_table(frame: pd.DataFrame) -> pa.Table:
    """The frame as an Arrow table; object columns Arrow cannot type (values of mixed kinds, as
    an unknown API field may hold) are stored as text, with a warning naming them."""
    try:
        return pa.Table.from_pandas(frame, preserve_index=False)
    except _ARROW_ERRORS:
        pass
    mixed = []
    for column in frame.columns:
        if frame[column].dtype == object:
            try:
                pa.array(frame[column], from_pandas=True)
            except _ARROW_ERRORS:
                mixed.append(column)
    fixed = frame.copy(deep=False)
    for column in mixed:
        fixed[column] = frame[column].map(_cell_text, na_action="ignore").astype("string")
    try:
        table = pa.Table.from_pandas(fixed, preserve_index=False)
    except _ARROW_ERRORS as exc:
        raise InvalidInputError(
            str(exc),
            f"Parquet cannot store this frame: {exc}",
            "convert that column to text, numbers or lists of text first, or write .json",
        ) from None
    data_warning(
        f"Parquet cannot store the mixed values of column(s) {', '.join(map(repr, mixed))} "
        "as they are; they are stored as text"
    )
    return table


def _cell_text(value: object) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, list | tuple | dict):
        return json.dumps(value, default=str)
    return str(value)


def _attrs_to_json(attrs: dict[Any, Any]) -> dict[str, Any]:
    """The scalar ``attrs`` (simtools keeps times there as ISO text; a Timestamp a user put there
    becomes ISO text too)."""
    out: dict[str, Any] = {}
    for key, value in attrs.items():
        if isinstance(value, pd.Timestamp):
            out[str(key)] = value.isoformat()
        elif value is None or isinstance(value, str | int | float | bool):
            out[str(key)] = value
    return out


def _attrs_from_json(raw: bytes) -> dict[str, Any]:
    attrs = json.loads(raw)
    # Files written before times were kept as text hold {"timestamp": "..."}.
    return {
        k: v["timestamp"] if isinstance(v, dict) and "timestamp" in v else v
        for k, v in attrs.items()
    }


def read_parquet_frame(path: Path, columns: list[str] | None = None) -> pd.DataFrame:
    """One Parquet file as a frame with list cells as Python lists and the contract dtypes."""
    try:
        table = pq.read_table(path, columns=columns)
    except (pa.ArrowException, OSError) as exc:
        raise InvalidInputError(
            str(path),
            f"{path.name} is not a readable Parquet file ({exc})",
            "check the file was written completely, or move it away",
        ) from None
    frame = table.to_pandas()
    raw_attrs = (table.schema.metadata or {}).get(_ATTRS_KEY)
    if raw_attrs:
        frame.attrs.update(_attrs_from_json(raw_attrs))
    for column in frame.columns:
        if frame[column].dtype == object:
            frame[column] = frame[column].map(lambda v: list(v) if _is_listlike(v) else v)
    return restore_frame_dtypes(frame)


def read_frame(path: str | os.PathLike[str]) -> pd.DataFrame:
    """Read a file written by ``write_frame`` (or any CSV, Parquet, JSON records or ``.xlsx``
    file) back with the frame column types; see the module docstring for what each format keeps.
    """
    source = Path(path)
    suffix = _suffix(source)
    if not source.is_file():
        raise InvalidInputError(str(source), f"there is no file {str(source)!r}", "check the path")
    if suffix == ".parquet":
        return read_parquet_frame(source)
    if suffix == ".csv":
        raw = pd.read_csv(source, dtype=object, keep_default_na=False, na_values=[""])
        return typed_frame(raw, source.name, numbers=True, lists=True)
    if suffix == ".json":
        return typed_frame(_read_json_records(source), source.name, numbers=False, lists=False)
    _require_openpyxl(source)
    raw = pd.read_excel(source, sheet_name=0, dtype=object, engine="openpyxl")
    return typed_frame(raw, source.name, numbers=False, lists=True)


def _read_json_records(source: Path) -> pd.DataFrame:
    try:
        records = json.loads(source.read_text(encoding="utf-8"))
    except RecursionError:
        raise InvalidInputError(
            str(source), f"{source.name} is JSON nested too deeply to read", "check the file"
        ) from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidInputError(
            str(source), f"{source.name} is not JSON ({exc})", "check the file"
        ) from None
    if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
        raise InvalidInputError(
            str(source),
            f"{source.name} is not a JSON list of records (objects)",
            "write it with write_frame or df.to_json(orient='records')",
        )
    columns = list(dict.fromkeys(key for record in records for key in record))
    return pd.DataFrame(
        {c: pd.Series([r.get(c) for r in records], dtype=object) for c in columns},
        columns=columns,
    )
