"""Declared frame columns: a :class:`Column` table per frame family, and what follows from it.

A frame family (SIM cards, errors, registration outcomes, ...) is one :class:`FrameContract`: a
tuple of columns in frame order. Everything else is derived from that one table: the column
order, where each column comes from on the wire (:attr:`FrameContract.paths`, the
:class:`~simtools.frames.layout.FieldLayout` of the record path and the pyarrow schema of the
page reader), the pandas dtypes, the kinds the file reader restores and the empty frame. Adding a
column to a frame is adding one ``Column`` to its table (pure).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from types import MappingProxyType
from typing import Any, Literal, get_args

import pandas as pd
import pyarrow as pa

from simtools.errors import InvalidInputError
from simtools.frames.layout import FieldLayout

__all__ = ["KINDS", "Column", "FrameContract", "Kind", "pandas_dtype", "require_columns"]

#: What a column holds: ``string`` text, ``category`` an enum (the contract's values first),
#: ``float``/``int`` nullable numbers, ``boolean`` nullable flags, ``time`` UTC datetimes,
#: ``tuple`` lists of text as tuples of str, ``numbers`` lists of numbers as tuples of float,
#: ``json`` free-form objects kept as JSON text.
Kind = Literal["string", "category", "float", "int", "boolean", "time", "tuple", "numbers", "json"]
KINDS: tuple[Kind, ...] = get_args(Kind)

_DTYPES: Mapping[str, Any] = MappingProxyType(
    {
        "string": pd.StringDtype(),
        "float": pd.Float64Dtype(),
        "int": pd.Int64Dtype(),
        "boolean": pd.BooleanDtype(),
        "time": pd.DatetimeTZDtype("ns", "UTC"),
        "tuple": "object",
        "numbers": "object",
        "json": pd.StringDtype(),
    }
)
#: How the page reader is told to read a wire field of each kind: as text (amounts are decimal
#: strings, times are parsed later so that how they were written is kept), flags, lists of text.
#: ``json`` fields are left to inference, so that any shape they take is seen.
_ARROW: Mapping[str, pa.DataType] = MappingProxyType(
    {
        "string": pa.string(),
        "category": pa.string(),
        "float": pa.string(),
        "int": pa.string(),
        "time": pa.string(),
        "boolean": pa.bool_(),
        "tuple": pa.list_(pa.string()),
        "numbers": pa.list_(pa.float64()),
    }
)


_FRAME_HINT = (
    "build the frame with simtools.sim_cards_frame(...) or simtools.fleet_frame(...), "
    "or add the missing columns"
)


def require_columns(
    df: object, columns: Iterable[str | None], *, caller: str, hint: str = _FRAME_HINT
) -> pd.DataFrame:
    """``df`` itself when it is a DataFrame holding every one of ``columns`` (``None`` entries
    are skipped); otherwise an InvalidInputError naming what is missing."""
    if not isinstance(df, pd.DataFrame):
        raise InvalidInputError(
            type(df).__name__, f"{caller} needs a pandas DataFrame, got {type(df).__name__}", hint
        )
    missing = [c for c in dict.fromkeys(columns) if c is not None and c not in df.columns]
    if missing:
        raise InvalidInputError(
            missing,
            f"{caller} needs the column(s) {', '.join(map(repr, missing))}, which the frame lacks",
            hint,
        )
    return df


def pandas_dtype(kind: Kind, categories: Iterable[str] = ()) -> Any:
    """The pandas dtype of a column of ``kind`` (a category's known values first). A ``json``
    column that declares the values it nearly always holds is a category too: each distinct
    text is stored once."""
    values = list(categories)
    if kind == "category" or (kind == "json" and values):
        return pd.CategoricalDtype(values)
    return _DTYPES[kind]


@dataclass(frozen=True)
class Column:
    """One declared column.

    ``path`` is where the value sits in the API object, dotted for nested keys
    (``"status.reason"``); it defaults to the column's own name, and ``None`` marks a column the
    builder computes (``utilization``). ``categories`` are a category's known values, in order;
    a value outside them is kept and, unless ``warn_unknown`` is off, reported. A ``json``
    column with ``categories`` (the texts it nearly always holds, ``"[]"``) is stored as a
    category of its JSON texts, others added as they come, never reported. ``negative``
    lets a number be below zero. An ``optional`` column is in the frame only when the source
    has its field (the full form of a SIM card). A column that is not ``kept`` is read and
    checked but only feeds computed ones (a usage record's ``uplink_data.unit``). A ``required``
    value is reported where the source lacks it (elsewhere a missing value is simply missing).
    """

    name: str
    kind: Kind
    path: str | None = ""
    categories: tuple[str, ...] = ()
    negative: bool = False
    warn_unknown: bool = True
    optional: bool = False
    kept: bool = True
    required: bool = False
    doc: str = ""

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"column {self.name!r}: kind {self.kind!r} is not one of {KINDS}")
        if self.path == "":
            object.__setattr__(self, "path", self.name)
        if self.categories and self.kind not in ("category", "json"):
            raise ValueError(f"column {self.name!r}: only a category or json has categories")

    @classmethod
    def computed(cls, name: str, kind: Kind, **options: Any) -> Column:
        """A column the builder derives from others (it has no wire path)."""
        return cls(name, kind, None, **options)

    @property
    def wire_path(self) -> tuple[str, ...] | None:
        return None if self.path is None else tuple(self.path.split("."))

    @property
    def categorical(self) -> bool:
        """Whether the frame stores this column as a pandas category."""
        return self.kind == "category" or bool(self.categories)

    @property
    def dtype(self) -> Any:
        return pandas_dtype(self.kind, self.categories)


@dataclass(frozen=True)
class FrameContract:
    """A frame family: its columns in frame order, and how its rows are named in warnings
    (``noun``, and the ``label`` column whose value names a row, else its row number)."""

    name: str
    columns: tuple[Column, ...]
    noun: str = "row"
    label: str | None = "id"
    by_name: Mapping[str, Column] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        names = [c.name for c in self.columns]
        repeated = sorted({n for n in names if names.count(n) > 1})
        if repeated:
            raise ValueError(f"contract {self.name!r} declares {repeated} twice")
        object.__setattr__(self, "by_name", MappingProxyType({c.name: c for c in self.columns}))

    def __getitem__(self, name: str) -> Column:
        return self.by_name[name]

    def __contains__(self, name: object) -> bool:
        return name in self.by_name

    @cached_property
    def names(self) -> tuple[str, ...]:
        """The columns every frame of this family has, in order."""
        return tuple(c.name for c in self.columns if c.kept and not c.optional)

    @cached_property
    def optional_names(self) -> tuple[str, ...]:
        """The columns present only when the source has their field, in order."""
        return tuple(c.name for c in self.columns if c.kept and c.optional)

    @cached_property
    def computed_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.path is None)

    @cached_property
    def paths(self) -> Mapping[str, tuple[str, ...]]:
        """Column name -> path in the API object, for every column read from the wire."""
        return MappingProxyType(
            {c.name: c.wire_path for c in self.columns if c.wire_path is not None}
        )

    @cached_property
    def dtypes(self) -> Mapping[str, Any]:
        """Column name -> pandas dtype, for every column a frame of this family may have."""
        return MappingProxyType({c.name: c.dtype for c in self.columns if c.kept})

    @cached_property
    def layout(self) -> FieldLayout:
        """The record path's step one for this family (see :class:`FieldLayout`)."""
        optional = frozenset(c.name for c in self.columns if c.optional)
        return FieldLayout(self.paths, (*self.names, *self.optional_names), optional)

    def with_columns(self, name: str, *columns: Column, after: str | None = None) -> FrameContract:
        """Another family with this one's columns plus ``columns`` (after ``after``, else last)."""
        base = list(self.columns)
        at = len(base) if after is None else [c.name for c in base].index(after) + 1
        return FrameContract(name, (*base[:at], *columns, *base[at:]), self.noun, self.label)

    def empty(self) -> pd.DataFrame:
        """A frame of this family with no rows: every column, every dtype."""
        return pd.DataFrame(
            {n: pd.Series([], dtype=self.dtypes[n]) for n in self.names},
            index=pd.RangeIndex(0),
        )

    def page_schema(self) -> pa.Schema:
        """What the page reader is told about a list page of this family's objects: ``data``, a
        list of structs of every field that is not optional (nested keys as child structs);
        other fields are inferred, so that their presence is seen."""
        fields: dict[str, pa.DataType | dict[str, pa.DataType]] = {}
        for column in self.columns:
            path = column.wire_path
            if path is None or column.optional or column.kind == "json":
                continue
            kind = _ARROW[column.kind]
            if len(path) == 1:
                fields[path[0]] = kind
            else:
                nested = fields.setdefault(path[0], {})
                assert isinstance(nested, dict), f"{path[0]} is both a field and an object"
                nested[path[1]] = kind
        record = pa.struct(
            [
                (key, pa.struct(list(value.items())) if isinstance(value, dict) else value)
                for key, value in fields.items()
            ]
        )
        return pa.schema([("data", pa.list_(record))])
