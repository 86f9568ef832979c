"""Step two of every frame build: raw columns in, the contract's dtypes and column order out.

Step one (the record path's :class:`~simtools.frames.layout.FieldLayout`, the page reader, or a
builder's own lists) gives equal-length raw columns named as in a
:class:`~simtools.frames.schema.FrameContract`, values as sent. :class:`RawColumns` holds them;
:func:`read_columns` coerces every wire column of the contract by its kind (reporting what does
not fit in one :class:`~simtools.frames.issues.DataIssues`); the builder adds its computed
columns; :meth:`RawColumns.finish` orders them as declared, appends unknown fields and the
``_raw`` columns, and warns once per field (pure).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import pandas as pd

from simtools.errors import InvalidInputError
from simtools.frames.coerce import (
    boolean,
    category,
    extra,
    integer,
    json_text,
    listing,
    number,
    number_tuples,
    text,
    timestamp,
)
from simtools.frames.issues import DataIssues
from simtools.frames.records import collect_records, refuse_other_record_types
from simtools.frames.schema import Column, FrameContract
from simtools.frames.series import as_series, text_tuples

__all__ = ["WIRE_HINT", "RawColumns", "coerce_column", "raw_wire_columns", "read_columns"]


class RawColumns:
    """Equal-length raw columns of one frame build as Series, and the issues found so far.

    Columns the contract computes may not be given. Rows are named in warnings by the
    contract's ``label`` column (``label_name`` says how: ``"id"``, ``"code"``).
    """

    def __init__(
        self, columns: Mapping[str, Any], contract: FrameContract, *, label_name: str = "id"
    ) -> None:
        given = [name for name in columns if name in contract.computed_names]
        if given:
            raise InvalidInputError(
                given, f"{given!r} are computed from the raw columns", "leave them out"
            )
        lengths = {len(v) for v in columns.values() if v is not None}
        if len(lengths) > 1:
            raise InvalidInputError(
                sorted(lengths), "the columns have different lengths", "pass equal-length columns"
            )
        self.contract = contract
        self.n = lengths.pop() if lengths else 0
        self.raw: dict[str, pd.Series] = {}
        #: Columns that arrived as Arrow lists of text and are already tuples of str.
        self.text_lists: set[str] = set()
        for name, values in columns.items():
            tuples = text_tuples(values)
            if tuples is None:
                self.raw[name] = as_series(values, self.n)
            else:
                self.raw[name] = tuples
                self.text_lists.add(name)
        label = contract.label
        labels = self.get(label) if label else pd.Series([None] * self.n)
        self.issues = DataIssues(labels, contract.noun, label_name)

    def get(self, name: str) -> pd.Series:
        if name in self.raw:
            return self.raw[name]
        return pd.Series([None] * self.n, dtype=object)

    def present(self, column: Column) -> bool:
        """Whether an optional column belongs in this frame: its field, or a field under the same
        parent object, was in the source."""
        if column.name in self.raw:
            return True
        path = column.wire_path
        if path is None or len(path) < 2:
            return False
        return any(
            other.optional and other.name in self.raw and (other.wire_path or ())[:1] == path[:1]
            for other in self.contract.columns
        )

    def finish(self, out: dict[str, pd.Series]) -> pd.DataFrame:
        """The frame: the contract's columns in order (optional ones where ``out`` has them),
        then unknown fields, then ``_raw`` columns; one warning per field with problems."""
        contract, issues = self.contract, self.issues
        layout = contract.layout
        for parent in layout.nested:
            if f"{parent}_raw" in self.raw:
                issues.report(
                    parent,
                    self.raw[f"{parent}_raw"].notna(),
                    "a value that is not an object",
                    f"kept as sent in {parent}_raw",
                )
        frame = {n: out[n] for n in contract.names}
        frame |= {n: out[n] for n in contract.optional_names if n in out}
        frame |= {
            name: extra(values)
            for name, values in self.raw.items()
            if name not in contract and name not in frame
        }
        for name, series in issues.raw.items():
            while name in frame:
                name = f"{name}_"
            frame[name] = series
        issues.warn()
        # The Series are this call's own: no copy into the frame.
        return pd.DataFrame(frame, index=pd.RangeIndex(self.n), copy=False)


def coerce_column(column: Column, values: pd.Series, issues: DataIssues) -> pd.Series:
    """``values`` in the dtype of ``column``'s kind; what does not fit is reported in ``issues``."""
    name, kind = column.name, column.kind
    if kind == "string":
        return text(values, name, issues)
    if kind == "category":
        return category(values, column.categories, name, issues, warn=column.warn_unknown)
    if kind == "float":
        return number(values, name, issues, negative=column.negative)
    if kind == "int":
        return integer(values, name, issues)
    if kind == "boolean":
        return boolean(values, name, issues)
    if kind == "time":
        return timestamp(values, name, issues)
    if kind == "tuple":
        return listing(values, name, issues)
    if kind == "numbers":
        return number_tuples(values, name, issues)
    if column.categories:  # texts nearly always the same: each distinct one stored once
        return category(json_text(values), column.categories, name, issues, warn=False)
    return json_text(values)


def read_columns(raw: RawColumns) -> dict[str, pd.Series]:
    """Every column of the contract that is read from the source (kept or not; an optional one
    only when present), coerced by its kind."""
    out: dict[str, pd.Series] = {}
    for column in raw.contract.columns:
        if column.path is None or (column.optional and not raw.present(column)):
            continue
        values = raw.get(column.name)
        if column.required:
            raw.issues.report(column.name, values.isna(), "missing", "left missing")
        if column.kind == "tuple" and column.name in raw.text_lists:
            out[column.name] = values
        else:
            out[column.name] = coerce_column(column, values, raw.issues)
    return out


#: What a builder of wire records takes, said when it is given something else.
WIRE_HINT = (
    "pass what the client returned (a list of models), a response body (dict, JSON text or "
    "bytes), a list of dicts, or an SDK response"
)


def _any_record(record: Mapping[str, Any]) -> bool:
    return bool(record)


def raw_wire_columns(
    source: Any,
    contract: FrameContract,
    record_type: str | None = None,
    *,
    is_record: Callable[[Mapping[str, Any]], bool] = _any_record,
    hint: str = WIRE_HINT,
) -> tuple[RawColumns, dict[str, pd.Series]]:
    """Step one and two of a build: the records of ``source`` (those ``is_record`` takes; a
    frame's rows too) as raw columns, records of another ``record_type`` refused, and the
    contract's wire columns coerced; the builder adds its computed columns and calls
    ``finish``."""
    if isinstance(source, pd.DataFrame):
        source = source.to_dict("records")
    records = collect_records(source, "data", is_record, f"{contract.noun}s", hint)
    if record_type is not None:
        refuse_other_record_types(records, record_type, hint)
    raw = RawColumns(contract.layout.extract(list(records)), contract)
    return raw, read_columns(raw)
