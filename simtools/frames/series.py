"""Raw columns as pandas Series for the coercers, and the one-pass Arrow readings they share.

A raw column may come as a list, numpy array, pandas Series, pyarrow array or polars Series.
:func:`as_series` keeps Arrow text as a ``string`` Series (no copy) and Arrow flags as
``boolean``, and turns any other Arrow type into the Python values as sent; :func:`plain` turns
those typed Series back into what a column built from records holds, for rules that look at
cells. :func:`text_tuples` builds a list column from Arrow lists at once, and
:func:`plain_decimals` and :func:`utc_times` parse the common forms of amounts and times in one
Arrow pass, for text columns from either path alike (pure).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from pandas.api.types import infer_dtype

__all__ = [
    "BOOLEAN",
    "FLOAT",
    "INT",
    "STRING",
    "UTC_TIME",
    "TextTuples",
    "as_series",
    "decimal_array",
    "plain",
    "plain_decimals",
    "text_array",
    "text_tuples",
    "utc_time_array",
    "utc_times",
]

STRING = pd.StringDtype()
FLOAT = pd.Float64Dtype()
BOOLEAN = pd.BooleanDtype()
INT = pd.Int64Dtype()
UTC_TIME = pd.DatetimeTZDtype("ns", "UTC")


def as_series(values: Any, n: int) -> pd.Series:
    """A raw column as a Series with a 0..n-1 index: lists, numpy, pandas, pyarrow or polars
    (``None`` stands for a column of ``n`` missing values).

    Arrow text becomes a ``string`` Series without a copy and Arrow flags a ``boolean`` one; any
    other Arrow type becomes an ``object`` Series of the Python values (``None`` where missing),
    so a number is the ``int`` or ``float`` it was and nothing is cast on the way.
    """
    if values is None:
        return pd.Series([None] * n, dtype=object)
    if isinstance(values, pd.Series):
        return values.reset_index(drop=True)
    arrow = _arrow(values)
    if arrow is not None:
        if _is_text(arrow.type):
            return pd.Series(arrow.to_pandas(types_mapper=_TEXT_TYPES.get))
        if pa.types.is_boolean(arrow.type):
            return pd.Series(arrow.to_pandas(types_mapper={pa.bool_(): BOOLEAN}.get))
        return pd.Series(arrow.to_pylist(), dtype=object)
    if hasattr(values, "to_pandas"):
        return pd.Series(values.to_pandas()).reset_index(drop=True)
    if isinstance(values, np.ndarray):
        return pd.Series(values)
    return pd.Series(list(values), dtype=object)


_TEXT_TYPES = {pa.string(): STRING, pa.large_string(): STRING, pa.string_view(): STRING}


def _is_text(kind: pa.DataType) -> bool:
    return kind in _TEXT_TYPES


def _arrow(values: Any) -> pa.Array | pa.ChunkedArray | None:
    # pyarrow arrays as they are; polars Series through their Arrow form.
    if isinstance(values, pa.Array | pa.ChunkedArray):
        return values
    to_arrow = getattr(values, "to_arrow", None)
    if callable(to_arrow) and type(values).__module__.startswith("polars"):
        converted = to_arrow()
        if isinstance(converted, pa.Array | pa.ChunkedArray):
            return converted
    return None


@dataclass(frozen=True)
class TextTuples:
    """A list column already in the frame's form: tuples of str, ``None`` where missing (what
    :func:`text_tuples` gives, built ahead, for instance batch by batch)."""

    cells: np.ndarray

    def __len__(self) -> int:
        return len(self.cells)


def text_tuples(values: Any) -> pd.Series | None:
    """An Arrow list-of-text column as the frame's list column (tuples of str, ``None`` where the
    list is missing), built from the offsets without looking at cells one by one; ``None`` when
    ``values`` is not such a column or holds a missing item (which the cell path turns into
    ``"null"``). :class:`TextTuples` are that column already."""
    if isinstance(values, TextTuples):
        return pd.Series(values.cells, dtype=object)
    arrow = _arrow(values)
    if arrow is None:
        return None
    kind = arrow.type
    if not (pa.types.is_list(kind) or pa.types.is_large_list(kind)):
        return None
    if not (_is_text(kind.value_type) or pa.types.is_null(kind.value_type)):
        return None
    array = arrow.combine_chunks() if isinstance(arrow, pa.ChunkedArray) else arrow
    try:
        # Only the lists that are there are looked at (a column may be mostly missing).
        present = array.drop_null() if array.null_count else array
        items = present.flatten()
        if items.null_count:
            return None
        if len(items) and pc.any(pc.match_substring(items, _ITEM_SEPARATOR)).as_py():
            cells = _tuples_by_offsets(present, items)
        else:
            cells = _distinct_tuples(present)
    except pa.ArrowException:  # a column the kernels refuse (say over 2 GB of text): cell by cell
        return None
    if array.null_count:
        out = np.full(len(array), None, dtype=object)
        out[array.is_valid().to_numpy(zero_copy_only=False)] = cells
        cells = out
    return pd.Series(cells, dtype=object)


def _distinct_tuples(array: pa.Array) -> np.ndarray:
    """Tuples for lists without missing ones, as an object array."""
    if array.type != _TEXT_LIST:  # large or null-typed lists: the join kernel takes list<str>
        array = array.cast(_TEXT_LIST)
    # One key per distinct list ("<length>:<items joined>"), one tuple per key, shared by
    # every row holding that list: fleets repeat a few tag sets over and over.
    keys = pc.binary_join_element_wise(
        pc.cast(array.value_lengths(), pa.string()),
        pc.binary_join(array, _ITEM_SEPARATOR),
        ":",
    )
    encoded = pc.dictionary_encode(keys)
    distinct = np.empty(len(encoded.dictionary), dtype=object)
    for i, key in enumerate(encoded.dictionary.to_pylist()):
        count, _, joined = key.partition(":")
        distinct[i] = tuple(joined.split(_ITEM_SEPARATOR)) if count != "0" else ()
    codes = encoded.indices.to_numpy(zero_copy_only=False)
    return distinct[codes] if len(distinct) else np.empty(0, dtype=object)


_ITEM_SEPARATOR = "\x1f"
_TEXT_LIST = pa.list_(pa.string())


def _tuples_by_offsets(array: pa.Array, items: pa.Array) -> np.ndarray:
    """Tuples for lists without missing ones, one by one (items may hold the separator)."""
    flat: list[str] = items.to_pylist()
    ends = np.cumsum(array.value_lengths().to_numpy(zero_copy_only=False))
    starts = np.concatenate(([0], ends[:-1])) if len(ends) else ends
    out = np.empty(len(array), dtype=object)
    for i, (a, b) in enumerate(zip(starts.tolist(), ends.tolist(), strict=True)):
        out[i] = tuple(flat[a:b])  # one by one: numpy would read equal-length tuples as rows
    return out


def plain(raw: pd.Series) -> pd.Series:
    """A ``string`` or ``boolean`` Series as ``object`` holding str or bool and ``None``, as a
    column built from records holds it; other Series unchanged. Coercers whose cell-level rules
    must not depend on where a column came from start here."""
    if isinstance(raw.dtype, pd.StringDtype | pd.BooleanDtype):
        cells = raw.array.to_numpy(dtype=object, na_value=None)
        return pd.Series(cells, index=raw.index, dtype=object)
    return raw


#: Text every parser reads alike (digits, an optional fraction): parsed by Arrow in one pass.
_DECIMAL = r"^[0-9]{1,15}(\.[0-9]{1,15})?$"


def plain_decimals(raw: pd.Series) -> tuple[pd.Series, np.ndarray] | None:
    """The plain decimal strings of an all-text column parsed at once, and where they were;
    None when the column holds anything but text."""
    if isinstance(raw.dtype, pd.StringDtype):
        arrow = text_array(raw)
    elif infer_dtype(raw, skipna=True) == "string":
        arrow = _from_strings(raw)
    else:
        arrow = None
    if arrow is None:
        return None
    done = _decimals(arrow)
    values = pc.cast(pc.if_else(done, arrow, pa.scalar(None, arrow.type)), pa.float64())
    parsed = pd.Series(values.to_pandas(types_mapper={pa.float64(): FLOAT}.get), index=raw.index)
    return parsed, done.to_numpy(zero_copy_only=False)


def _decimals(arrow: pa.Array) -> pa.Array:
    return pc.fill_null(pc.match_substring_regex(arrow, _DECIMAL), False)


def decimal_array(arrow: pa.Array) -> pa.Array | None:
    """Arrow text whose every value is a plain decimal (or missing) as ``float64``, as
    :func:`plain_decimals` reads it; None when any value is written another way."""
    if not pc.all(pc.or_(_decimals(arrow), arrow.is_null())).as_py():
        return None
    return pc.cast(arrow, pa.float64())


def _from_strings(raw: pd.Series) -> pa.Array | None:
    """An object Series of str (and missing values) as Arrow text; None when a str cannot be
    UTF-8 (a lone surrogate, which JSON's ``\\ud800`` escape can make)."""
    try:
        return pa.array(raw.to_numpy(), type=pa.string(), from_pandas=True)
    except (pa.ArrowException, UnicodeEncodeError):
        return None


def text_array(values: pd.Series) -> pa.Array:
    """A ``string`` Series as one Arrow array (no copy when it holds one chunk)."""
    arrow = pa.array(values)
    return arrow.combine_chunks() if isinstance(arrow, pa.ChunkedArray) else arrow


#: UTC times as the API writes them (``2018-02-02T22:25:27.521Z``), in years every parser and
#: the ``ns`` range hold: read by Arrow in one pass when a whole column is written so.
_UTC_TIME = r"^(19|20|21)[0-9]{2}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,9})?Z$"


def utc_times(raw: pd.Series) -> pd.Series | None:
    """A text column whose every value is a UTC time in the API's form, parsed at once; None
    for any other column (and when Arrow refuses a value, such as February 30)."""
    if isinstance(raw.dtype, pd.StringDtype):
        arrow = text_array(raw)
    elif len(raw) and raw.dtype == object and infer_dtype(raw, skipna=True) == "string":
        arrow = _from_strings(raw)
    else:
        arrow = None
    times = None if arrow is None else utc_time_array(arrow)
    if times is None:
        return None
    return pd.Series(times.to_pandas(), index=raw.index).astype(UTC_TIME)


def utc_time_array(arrow: pa.Array) -> pa.Array | None:
    """Arrow text whose every value is a UTC time in the API's form (or missing) as
    ``timestamp[ns, UTC]``; None otherwise (and when Arrow refuses a value, such as February 30)."""
    if not _in_api_time_form(arrow):
        return None
    try:
        return pc.cast(arrow, _TIMESTAMP)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None


_TIMESTAMP = pa.timestamp("ns", "UTC")
#: The API's usual time, ``2018-02-02T22:25:27.521Z``: where its digits and marks are.
_MS_TIME_WIDTH = 24
_MS_TIME_DIGITS = [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18, 20, 21, 22]
_MS_TIME_MARKS = ([4, 7, 10, 13, 16, 19, 23], np.frombuffer(b"--T::.Z", dtype=np.uint8))
_CENTURIES = np.frombuffer(b"192021", dtype=np.uint16)  # "19", "20", "21" as in _UTC_TIME


def _in_api_time_form(arrow: pa.Array) -> bool:
    """Whether every value of Arrow text matches :data:`_UTC_TIME` (missing values aside).

    When every value has the usual 24-byte form the bytes are checked at once, as a table of
    24 columns (a few ms per 100,000 values); anything else goes to the regex."""
    present = arrow.drop_null() if arrow.null_count else arrow
    if len(present) and pa.types.is_string(present.type):
        offsets = np.frombuffer(present.buffers()[1], dtype=np.int32)
        offsets = offsets[present.offset : present.offset + len(present) + 1]
        if (np.diff(offsets) == _MS_TIME_WIDTH).all():
            data = np.frombuffer(present.buffers()[2], dtype=np.uint8)
            return _ms_times(data[offsets[0] : offsets[-1]].reshape(-1, _MS_TIME_WIDTH))
    return bool(pc.all(pc.match_substring_regex(arrow, _UTC_TIME)).as_py())


def _ms_times(table: np.ndarray) -> bool:
    """Whether each row of bytes is a time in the 24-byte form of :data:`_UTC_TIME`."""
    digits = table[:, _MS_TIME_DIGITS]
    where, marks = _MS_TIME_MARKS
    century = table[:, :2].copy().view(np.uint16).ravel()
    return bool(
        ((digits >= ord("0")) & (digits <= ord("9"))).all()
        and (table[:, where] == marks).all()
        and np.isin(century, _CENTURIES).all()
    )
