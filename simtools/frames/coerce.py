"""Vectorised column coercion for the frame builders: raw values in, contract dtypes out (pure).

Each coercer takes one raw column (a pandas Series of what the API sent) and returns it in its
contract dtype. Values that do not fit are never dropped and never raise: the cell becomes
missing, the value as sent is kept for a ``<column>_raw`` column, and :class:`DataIssues` collects
one message per field, each becoming one warning. Common inputs take a vectorised path; only
columns that hold values of unexpected types (and list columns that arrive as Python lists) are
looked at cell by cell; Arrow input goes through :mod:`simtools.frames.series`.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd
import pyarrow.compute as pc
from pandas.api.types import infer_dtype, is_bool_dtype, is_datetime64_any_dtype, is_numeric_dtype

from simtools.frames.cells import as_text, unicode_text
from simtools.frames.issues import DataIssues
from simtools.frames.series import (
    BOOLEAN,
    FLOAT,
    INT,
    STRING,
    UTC_TIME,
    plain,
    plain_decimals,
    text_array,
    utc_times,
)

__all__ = [
    "boolean",
    "category",
    "extra",
    "integer",
    "json_text",
    "listing",
    "number",
    "number_tuples",
    "text",
    "timestamp",
]

_LISTED = 5
_NESTED = (dict, list, tuple, np.ndarray)
_STR_TYPE = frozenset({str})
# Values to_numeric would turn into numbers (True -> 1) or choke on.
_NOT_NUMBERS = (bool, np.bool_, *_NESTED)
_MIN_TIME = pd.Timestamp.min.tz_localize("UTC")
_MAX_TIME = pd.Timestamp.max.tz_localize("UTC")


def _missing(value: Any) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


def _cells(series: pd.Series, fn: Callable[[Any], Any]) -> pd.Series:
    # The slow path, for columns holding values of unexpected types only.
    return pd.Series([fn(v) for v in series.tolist()], dtype=object)


def text(raw: pd.Series, field: str, issues: DataIssues) -> pd.Series:
    """``string`` dtype; numbers and nested values become text (nested as JSON) with a report."""
    if infer_dtype(raw, skipna=True) not in ("string", "empty"):
        raw = plain(raw)
        odd = raw.map(lambda v: not _missing(v) and not isinstance(v, str)).astype(bool)
        issues.report(field, odd, "a value that is not text", "converted to text")
        raw = _cells(raw, lambda v: None if _missing(v) else as_text(v))
    return _string(raw, field, issues)


def json_text(raw: pd.Series) -> pd.Series:
    """``string`` dtype holding objects as JSON text (a field documented as free-form JSON); a
    column that is text already (the page reader encodes lists as it reads) is kept as it is."""
    if isinstance(raw.dtype, pd.StringDtype):
        return raw.astype(STRING)
    cells = _cells(raw, lambda v: None if _missing(v) else unicode_text(as_text(v)))
    return cells.astype(STRING)


def _string(values: pd.Series, field: str, issues: DataIssues) -> pd.Series:
    try:
        return values.astype(STRING)
    except UnicodeEncodeError:  # JSON's "\ud800" escape makes a str that UTF-8 cannot hold
        fixed = _cells(values, lambda v: unicode_text(v) if isinstance(v, str) else v)
        changed = pd.Series(
            [a is not b for a, b in zip(values.tolist(), fixed.tolist(), strict=True)],
            index=values.index,
        )
        issues.report(
            field, changed, "text with a lone surrogate escape", "each one replaced by U+FFFD"
        )
        return fixed.astype(STRING)


def category(
    raw: pd.Series, known: Sequence[str], field: str, issues: DataIssues, *, warn: bool = True
) -> pd.Series:
    """``category`` with the contract's values first, then any other value seen (sorted), so an
    unknown value is kept as sent instead of becoming NaN."""
    values = text(raw, field, issues)
    encoded = pc.dictionary_encode(text_array(values))
    seen = encoded.dictionary.to_pylist()
    others = sorted(set(seen) - set(known))
    if others and warn:
        issues.report(
            field,
            values.isin(others),
            f"a value the contract does not know ({', '.join(map(repr, others[:_LISTED]))})",
            "kept as sent",
        )
    dtype = pd.CategoricalDtype([*known, *others])
    where = {value: i for i, value in enumerate(dtype.categories)}
    to_code = np.array([where[value] for value in seen] + [-1], dtype=np.int64)
    codes = to_code[pc.fill_null(encoded.indices, -1).to_numpy(zero_copy_only=False)]
    return pd.Series(pd.Categorical.from_codes(codes, dtype=dtype), index=values.index)


def boolean(raw: pd.Series, field: str, issues: DataIssues) -> pd.Series:
    """Nullable ``boolean``; anything but True/False/missing is kept raw and reported."""
    if isinstance(raw.dtype, pd.BooleanDtype):
        return raw.copy()
    raw = plain(raw)
    if is_bool_dtype(raw.dtype) or infer_dtype(raw, skipna=True) in ("boolean", "empty"):
        return raw.astype(BOOLEAN)
    bad = raw.map(lambda v: not _missing(v) and not isinstance(v, bool | np.bool_)).astype(bool)
    issues.reject(field, raw, bad, "a value that is not true/false")
    return raw.where(~bad, None).astype(object).astype(BOOLEAN)


def number(raw: pd.Series, field: str, issues: DataIssues, *, negative: bool = False) -> pd.Series:
    """``Float64`` from numbers or decimal strings such as ``"2048.0"``; a value that is not a
    finite number (or is negative, unless ``negative``) is left missing and kept raw."""
    if is_numeric_dtype(raw.dtype) and not is_bool_dtype(raw.dtype):
        parsed = raw.astype(FLOAT)
        present = raw.notna()
    else:
        present = raw.notna()
        decimals = plain_decimals(raw)
        if decimals is None:
            parsed = _parsed_cells(plain(raw))
        else:
            parsed, done = decimals
            rest = present.to_numpy(dtype=bool) & ~done
            if rest.any():
                parsed[rest] = _parsed_cells(plain(raw[rest])).to_numpy(dtype=object)
    finite = parsed.notna() & np.isfinite(parsed.fillna(0.0).to_numpy(dtype=float))
    if not negative:
        finite &= parsed.fillna(0.0) >= 0
    bad = present & ~finite
    issues.reject(
        field, raw, bad, f"a value that is not a {'finite' if negative else 'non-negative'} number"
    )
    return parsed.where(~bad, pd.NA)


def _parsed_cells(raw: pd.Series) -> pd.Series:
    """Numbers from anything: decimal text in any spelling pandas reads, numbers as they are,
    and missing for flags, nested values and what does not parse."""
    kind = infer_dtype(raw, skipna=True)
    clean = raw
    if "bool" in kind or kind.startswith("mixed"):  # True would parse as 1
        flags = raw.map(lambda v: isinstance(v, _NOT_NUMBERS)).astype(bool)
        clean = raw.where(~flags, "not a number")
    return pd.to_numeric(clean, errors="coerce").astype(FLOAT)


def integer(raw: pd.Series, field: str, issues: DataIssues) -> pd.Series:
    """``Int64``; a value that is not a whole number is left missing and kept raw."""
    parsed = number(raw, field, issues, negative=True)
    fraction = parsed.notna() & (parsed.fillna(0.0) % 1 != 0)
    issues.reject(field, raw, fraction, "a number that is not whole")
    return parsed.where(~fraction, pd.NA).astype(INT)


def timestamp(raw: pd.Series, field: str, issues: DataIssues) -> pd.Series:
    """``datetime64[ns, UTC]`` from ISO 8601 text (or datetimes, naive ones taken as UTC, as a
    hand-built dict or an Excel sheet holds them); other values are left missing and kept raw."""
    fast = utc_times(raw)
    if fast is not None:
        return fast
    raw = plain(raw)
    if is_datetime64_any_dtype(raw.dtype):
        times = raw.dt.tz_localize("UTC") if raw.dt.tz is None else raw.dt.tz_convert("UTC")
        return pd.Series(times, index=raw.index).astype(UTC_TIME)
    kind = infer_dtype(raw, skipna=True)
    if kind in ("string", "empty"):
        strings = raw
    else:
        strings = raw.map(_iso_text)
        strings = strings.where(strings.map(_is_str).astype(bool))
    parsed = pd.to_datetime(strings, utc=True, errors="coerce", format="ISO8601")
    parsed = parsed.where((parsed >= _MIN_TIME) & (parsed <= _MAX_TIME))
    bad = raw.notna() & parsed.isna()
    issues.reject(field, raw, bad, "a value that is not an ISO 8601 time")
    return parsed.astype(UTC_TIME)


def _iso_text(value: Any) -> Any:
    if isinstance(value, dt.datetime | np.datetime64):
        return pd.Timestamp(value).isoformat()
    return value


def _is_str(value: Any) -> bool:
    return isinstance(value, str)


def listing(raw: pd.Series, field: str, issues: DataIssues) -> pd.Series:
    """Object column of tuples of str (``None`` where missing); items that are not text become
    JSON text; a value that is not a list is left missing and kept raw. Lists are Python
    objects, so this is one pass cell by cell (:func:`text_tuples` is the columnar way)."""
    raw = plain(raw)
    out: list[tuple[str, ...] | None] = [None] * len(raw)
    bad = np.zeros(len(raw), dtype=bool)
    for i, value in enumerate(raw.tolist()):
        if isinstance(value, list | tuple | np.ndarray):
            items = tuple(value.tolist() if isinstance(value, np.ndarray) else value)
            if not set(map(type, items)) <= _STR_TYPE:
                items = tuple(map(as_text, items))
            out[i] = items
        elif not _missing(value):
            bad[i] = True
    issues.reject(field, raw, pd.Series(bad, index=raw.index), "a value that is not a list")
    return pd.Series(out, index=raw.index, dtype=object)


def number_tuples(raw: pd.Series, field: str, issues: DataIssues) -> pd.Series:
    """Object column of tuples of float (``None`` where missing): lists of numbers or of decimal
    strings; a value that is not such a list is left missing and kept raw (cell by cell)."""
    raw = plain(raw)
    out: list[tuple[float, ...] | None] = [None] * len(raw)
    bad = np.zeros(len(raw), dtype=bool)
    for i, value in enumerate(raw.tolist()):
        if isinstance(value, list | tuple | np.ndarray):
            items = value.tolist() if isinstance(value, np.ndarray) else list(value)
            numbers = [_finite(item) for item in items]
            if all(n is not None for n in numbers):
                out[i] = tuple(n for n in numbers if n is not None)
                continue
            bad[i] = True
        elif not _missing(value):
            bad[i] = True
    issues.reject(
        field, raw, pd.Series(bad, index=raw.index), "a value that is not a list of numbers"
    )
    return pd.Series(out, index=raw.index, dtype=object)


def _finite(value: Any) -> float | None:
    if isinstance(value, bool | np.bool_):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def extra(raw: pd.Series) -> pd.Series:
    """An unknown field, object dtype: scalars as sent (``None`` where missing), nested values as
    JSON text."""
    if isinstance(raw.dtype, pd.StringDtype):
        return plain(raw)
    raw = plain(raw)
    if infer_dtype(raw, skipna=True) in ("string", "empty", "integer", "floating", "boolean"):
        return raw.astype(object)
    return _cells(raw, lambda v: as_text(v) if isinstance(v, _NESTED) else v)
