"""Step one of building a frame from records: dicts into raw columns, by the contract's paths.

A :class:`FieldLayout` (which a :class:`~simtools.frames.schema.FrameContract` derives from its
columns) maps column names to paths in the object (``status_reason`` is ``status.reason``), and
:meth:`FieldLayout.extract` turns records into raw columns under those names, values as sent,
plus one column per field the layout does not know. Dtypes and computed columns are step two
(:mod:`simtools.frames.build`); the page reader fills the same names and skips step one (pure).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class FieldLayout:
    """Column name -> path in the object, for paths of one or two keys.

    ``columns`` are every name the finished frame may use: an unknown field named like one of
    them (or like ``<column>_raw``) gets an ``api_`` prefix instead of clashing. Columns in
    ``optional`` are extracted only when some record has their field; the others always are.
    """

    paths: Mapping[str, tuple[str, ...]]
    columns: Iterable[str]
    optional: frozenset[str] = frozenset()
    top: dict[str, str] = field(init=False, repr=False)
    nested: dict[str, dict[str, str]] = field(init=False, repr=False)
    reserved: frozenset[str] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        nested: dict[str, dict[str, str]] = {}
        for column, path in self.paths.items():
            if len(path) == 2:
                nested.setdefault(path[0], {})[path[1]] = column
        names = {*self.columns, *self.paths}
        object.__setattr__(self, "nested", nested)
        object.__setattr__(self, "top", {p[0]: c for c, p in self.paths.items() if len(p) == 1})
        object.__setattr__(
            self, "reserved", frozenset(names | {f"{n}_raw" for n in (*names, *nested)})
        )

    def extract(self, records: list[Mapping[str, Any]]) -> dict[str, list[Any]]:
        """Records into raw columns, values as sent, no parsing.

        Every known column is there (an optional one when some record has its field, or for a
        nested field its parent), each as long as ``records``. An unknown top-level field
        becomes a column of its own name, an unknown key of a known parent ``<parent>_<key>``;
        a known parent that is not an object goes to ``<parent>_raw``. Those columns follow the
        known ones in the order of :meth:`extra_names`.
        """
        known, other = self.split(records)
        names = self.extra_names(other)
        return known | {name: other[path] for path, name in names.items()}

    def split(
        self, records: list[Mapping[str, Any]]
    ) -> tuple[dict[str, list[Any]], dict[tuple[str, ...], list[Any]]]:
        """Step one without naming: known columns by name, and every other value by path.

        A path is ``(key,)`` for an unknown top-level field or a known parent that is not an
        object (its ``_raw`` column), and ``(parent, key)`` for an unknown key of a known
        parent; paths come in the order first seen.
        """
        n = len(records)
        known: dict[str, list[Any]] = {c: [None] * n for c in self.paths if c not in self.optional}
        other: dict[tuple[str, ...], list[Any]] = {}

        def slot(name: str) -> list[Any]:
            column = known.get(name)
            if column is None:
                column = known[name] = [None] * n
            return column

        def other_slot(path: tuple[str, ...]) -> list[Any]:
            column = other.get(path)
            if column is None:
                column = other[path] = [None] * n
            return column

        for i, record in enumerate(records):
            for raw_key, value in record.items():
                key = raw_key if isinstance(raw_key, str) else str(raw_key)  # a Python dict's
                top = self.top.get(key)
                if top is not None:
                    slot(top)[i] = value
                    continue
                subs = self.nested.get(key)
                if subs is None:
                    other_slot((key,))[i] = value
                    continue
                for column in subs.values():  # the parent is present, so are its columns
                    slot(column)
                if isinstance(value, Mapping):
                    for raw_sub, sub_value in value.items():
                        sub = raw_sub if isinstance(raw_sub, str) else str(raw_sub)
                        target = subs.get(sub)
                        (slot(target) if target else other_slot((key, sub)))[i] = sub_value
                elif value is not None:
                    other_slot((key,))[i] = value
        return known, other

    def extra_names(self, paths: Iterable[tuple[str, ...]]) -> dict[tuple[str, ...], str]:
        """Column names for the paths :meth:`split` found, in the frame's order.

        Unknown top-level fields come first, in the order given (first seen); then, parent by
        parent in the layout's order, ``<parent>_raw`` and the parent's unknown keys as
        ``<parent>_<key>`` in the order given. A name already taken (a contract column or an
        earlier one) gets an ``api_`` prefix until it is free.
        """
        given = list(paths)
        ordered: list[tuple[str, ...]] = [
            p for p in given if len(p) == 1 and p[0] not in self.nested
        ]
        for parent in self.nested:
            ordered += [p for p in given if p == (parent,)]
            ordered += [p for p in given if len(p) == 2 and p[0] == parent]
        names: dict[tuple[str, ...], str] = {}
        taken: set[str] = set()
        for path in ordered:
            if path[0] in self.nested and len(path) == 1:
                name = f"{path[0]}_raw"
            else:
                name = "_".join(path)
                while name in self.reserved or name in taken:
                    name = f"api_{name}"
            names[path] = name
            taken.add(name)
        return names


def is_sim_card(record: Mapping[str, Any]) -> bool:
    """Whether a dict that is not a response envelope looks like one SIM card."""
    return any(k in record for k in ("id", "iccid", "record_type", "status", "imsi", "msisdn"))


def is_error(record: Mapping[str, Any]) -> bool:
    """Whether a dict that is not a response envelope looks like one error object."""
    return any(k in record for k in ("code", "title", "detail"))


def is_sim_card_group(record: Mapping[str, Any]) -> bool:
    """Whether a dict that is not a response envelope looks like one SIM card group."""
    return any(k in record for k in ("id", "name", "record_type"))
