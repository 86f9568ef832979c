"""Contract dtypes put back on frames that lost them: files read back, frames concatenated.

Text formats (CSV, JSON, Excel) and tools that concatenate or convert frames drop dtypes. Every
column name a simtools frame uses is declared once
(:data:`~simtools.frames.contracts.COLUMN_KINDS`), so a column is restored by its name alone,
through the same coercers and the same warning path as the builders; ``<column>_raw`` columns are
text. A column no contract declares gets the kind its cells all share (or stays as it is). Cells in
a file's own form (``"true"``, JSON lists, naive Excel times, numbers in a text column) are read in
that form first (pure).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import re
from dataclasses import replace
from typing import Any, Literal

import numpy as np
import pandas as pd

from simtools.frames.build import coerce_column
from simtools.frames.contracts import COLUMN_KINDS
from simtools.frames.issues import DataIssues
from simtools.frames.schema import Column, Kind

__all__ = ["declared_column", "restore_frame_dtypes", "typed_frame"]

_ISO_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$")
_INTEGER = re.compile(r"^-?(0|[1-9]\d*)$")
_DECIMAL = re.compile(r"^-?((0|[1-9]\d*)(\.\d+)?|\.\d+)([eE][-+]?\d+)?$")
_TRUE_FALSE = {"true": True, "false": False}


def declared_column(name: object) -> Column | None:
    """The declaration of a column name in any frame contract (``*_raw`` columns are text), as
    a file is read back: the API's rules on values (no negative amounts, known categories) were
    applied when the frame was built, so a file's numbers and categories are taken as they are."""
    text = str(name)
    column = COLUMN_KINDS.get(text)
    if column is None:
        return Column.computed(text, "string") if text.endswith("_raw") else None
    return replace(column, negative=True, warn_unknown=False)


def typed_frame(raw: pd.DataFrame, where: str, *, numbers: bool, lists: bool) -> pd.DataFrame:
    """A frame of raw cells (as a file reader gives them) with the contract dtypes for declared
    columns and inferred ones for the rest; ``numbers`` and ``lists`` say whether text cells may
    hold numbers and flags (CSV) or JSON lists (CSV, Excel)."""
    issues = _issues(raw, where)
    out: dict[Any, pd.Series] = {}
    for name in raw.columns:
        values = raw[name].astype(object).where(raw[name].notna(), None).reset_index(drop=True)
        column = declared_column(name)
        if column is None:
            out[name] = _inferred(values, str(name), issues, numbers=numbers, lists=lists)
        else:
            out[name] = coerce_column(column, _file_cells(values, column.kind), issues)
    out |= {name: series for name, series in issues.raw.items() if name not in out}
    issues.warn()
    return pd.DataFrame(out, index=pd.RangeIndex(len(raw)))


def restore_frame_dtypes(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``df`` whose declared columns have their contract dtype again (e.g. after
    ``pd.concat`` turned categories into objects); other columns are left as they are."""
    out = df.copy()
    issues = _issues(out, "restore_frame_dtypes")
    for name in out.columns:
        column = declared_column(name)
        if column is None or _has_dtype(out[name], column):
            continue
        values = out[name].reset_index(drop=True)
        cells = values.astype(object).where(values.notna(), None)
        restored = coerce_column(column, _file_cells(cells, column.kind), issues)
        out[name] = restored.set_axis(out.index)
    for name, series in issues.raw.items():
        if name not in out.columns:
            out[name] = series.set_axis(out.index)
    issues.warn()
    return out


def _issues(frame: pd.DataFrame, where: str) -> DataIssues:
    ids = frame["id"] if "id" in frame.columns else pd.Series([None] * len(frame))
    return DataIssues(ids.reset_index(drop=True), "row", where=where)


def _has_dtype(values: pd.Series, column: Column) -> bool:
    if column.categorical:
        return isinstance(values.dtype, pd.CategoricalDtype)
    if column.kind in ("tuple", "numbers"):
        return values.dtype == object and all(
            v is None or isinstance(v, tuple) for v in values.tolist()
        )
    return bool(values.dtype == column.dtype)


def _file_cells(values: pd.Series, kind: Kind) -> pd.Series:
    """Cells in a file's own form read as what the coercer of ``kind`` expects."""
    if kind in ("string", "category", "json"):
        return values.map(_as_text, na_action="ignore")
    if kind == "boolean":
        return values.map(_as_flag, na_action="ignore")
    if kind in ("tuple", "numbers"):
        return values.map(_as_list, na_action="ignore")
    return values


def _as_text(value: object) -> object:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, int | float | np.integer | np.floating) and not isinstance(value, bool):
        return str(value)
    return value


def _as_flag(value: object) -> object:
    if isinstance(value, str) and value.strip().lower() in _TRUE_FALSE:
        return _TRUE_FALSE[value.strip().lower()]
    if isinstance(value, np.bool_):
        return bool(value)
    return value


def _as_list(value: object) -> object:
    if isinstance(value, str) and value.startswith("["):
        with contextlib.suppress(ValueError, RecursionError):
            return json.loads(value)
    if isinstance(value, np.ndarray):
        return value.tolist()
    return value


def _inferred(
    values: pd.Series, name: str, issues: DataIssues, *, numbers: bool, lists: bool
) -> pd.Series:
    kind = _infer_kind(values, numbers=numbers, lists=lists)
    if kind == "object":
        return values
    if kind == "list":  # an undeclared list column keeps lists (tuples are the contract's form)
        return values.map(_as_list, na_action="ignore")
    column = Column.computed(name, kind)
    return coerce_column(column, _file_cells(values, kind), issues)


def _infer_kind(
    values: pd.Series, *, numbers: bool, lists: bool
) -> Kind | Literal["list", "object"]:
    present = [v for v in values if v is not None]
    if not present:
        return "object"
    if all(isinstance(v, bool) for v in present):
        return "boolean"
    if all(isinstance(v, list) for v in present):
        return "list"
    if all(isinstance(v, dt.datetime) for v in present):
        return "time"
    if all(isinstance(v, int | float) and not isinstance(v, bool) for v in present):
        return "int" if all(isinstance(v, int) for v in present) else "float"
    if not all(isinstance(v, str) for v in present):
        return "string"
    if numbers and all(v.lower() in _TRUE_FALSE for v in present):
        return "boolean"
    if numbers and all(_INTEGER.match(v) for v in present):
        return "int"
    if all(_ISO_TIME.match(v) for v in present):
        return "time"
    if lists and all(v.startswith("[") and v.endswith("]") for v in present):
        with contextlib.suppress(ValueError, RecursionError):
            if all(isinstance(json.loads(v), list) for v in present):
                return "list"
    if numbers and all(_DECIMAL.match(v) for v in present):
        return "float"
    return "string"
