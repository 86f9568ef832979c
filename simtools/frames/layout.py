"""Where each frame column comes from in an API object, and step one of building a frame (pure).

A :class:`FieldLayout` maps column names to paths in the object (``status_reason`` is
``status.reason``) and :meth:`FieldLayout.extract` turns records (dicts) into raw columns under
those names, values as sent, plus one column per field the layout does not know. Parsing, dtypes
and derived columns are step two, in :mod:`simtools.frames`; a columnar reader that fills the
same names can skip step one.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

SIM_CARD_COLUMNS = (
    "id",
    "iccid",
    "imsi",
    "msisdn",
    "type",
    "status",
    "status_reason",
    "sim_card_group_id",
    "tags",
    "data_limit_amount",
    "data_limit_unit",
    "data_limit_mb",
    "consumed_amount",
    "consumed_unit",
    "consumed_mb",
    "utilization",
    "over_limit",
    "headroom_mb",
    "actions_in_progress",
    "voice_enabled",
    "esim_installation_status",
    "eid",
    "version",
    "authorized_imeis",
    "created_at",
    "updated_at",
)
#: Fields only the full form (``GET /sim_cards/{id}``) has; present when the source has them.
FULL_FORM_COLUMNS = (
    "current_imei",
    "current_mcc",
    "current_mnc",
    "live_data_session",
    "ipv4",
    "ipv6",
    "device_latitude",
    "device_longitude",
    "device_accuracy",
    "device_accuracy_unit",
)
#: The full-form columns read from ``current_device_location``.
DEVICE_COLUMNS = FULL_FORM_COLUMNS[6:]
#: Columns computed by ``frame_from_columns``, never read from the source.
DERIVED_COLUMNS = ("data_limit_mb", "consumed_mb", "utilization", "over_limit", "headroom_mb")
#: Where each raw column comes from in a SIM card object. ``frame_from_columns`` takes columns
#: by these names (values as sent, no derivation), so a columnar reader can fill them directly.
SIM_CARD_FIELD_PATHS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        **{c: (c,) for c in SIM_CARD_COLUMNS if c not in DERIVED_COLUMNS},
        "status": ("status", "value"),
        "status_reason": ("status", "reason"),
        "data_limit_amount": ("data_limit", "amount"),
        "data_limit_unit": ("data_limit", "unit"),
        "consumed_amount": ("current_billing_period_consumed_data", "amount"),
        "consumed_unit": ("current_billing_period_consumed_data", "unit"),
        **{c: (c,) for c in FULL_FORM_COLUMNS if c not in DEVICE_COLUMNS},
        **{c: ("current_device_location", c.removeprefix("device_")) for c in DEVICE_COLUMNS},
    }
)

ERROR_COLUMNS = (
    "code",
    "title",
    "detail",
    "source_pointer",
    "source_parameter",
    "meta",
    "registration_code",
)
ERROR_FIELD_PATHS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "code": ("code",),
        "title": ("title",),
        "detail": ("detail",),
        "source_pointer": ("source", "pointer"),
        "source_parameter": ("source", "parameter"),
        "meta": ("meta",),
    }
)

SIM_CARD_GROUP_COLUMNS = (
    "id",
    "name",
    "default",
    "data_limit_mb",
    "consumed_mb",
    "sim_card_count",
    "data_limit_amount",
    "data_limit_unit",
    "consumed_amount",
    "consumed_unit",
    "private_wireless_gateway_id",
    "wireless_blocklist_id",
    "created_at",
    "updated_at",
)
SIM_CARD_GROUP_FIELD_PATHS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        **{c: (c,) for c in SIM_CARD_GROUP_COLUMNS if not c.endswith("_mb")},
        "data_limit_amount": ("data_limit", "amount"),
        "data_limit_unit": ("data_limit", "unit"),
        "consumed_amount": ("consumed_data", "amount"),
        "consumed_unit": ("consumed_data", "unit"),
    }
)


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
            for key, value in record.items():
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
                    for sub, sub_value in value.items():
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


SIM_CARD_LAYOUT = FieldLayout(
    SIM_CARD_FIELD_PATHS, (*SIM_CARD_COLUMNS, *FULL_FORM_COLUMNS), frozenset(FULL_FORM_COLUMNS)
)
ERROR_LAYOUT = FieldLayout(ERROR_FIELD_PATHS, ERROR_COLUMNS)
SIM_CARD_GROUP_LAYOUT = FieldLayout(SIM_CARD_GROUP_FIELD_PATHS, SIM_CARD_GROUP_COLUMNS)


def extract_sim_columns(records: list[Mapping[str, Any]]) -> dict[str, list[Any]]:
    """Step one for SIM cards: records into raw columns named as in
    :data:`SIM_CARD_FIELD_PATHS`, values as sent, plus one column per unknown field."""
    return SIM_CARD_LAYOUT.extract(records)


def is_sim_card(record: Mapping[str, Any]) -> bool:
    """Whether a dict that is not a response envelope looks like one SIM card."""
    return any(k in record for k in ("id", "iccid", "record_type", "status", "imsi", "msisdn"))


def is_error(record: Mapping[str, Any]) -> bool:
    """Whether a dict that is not a response envelope looks like one error object."""
    return any(k in record for k in ("code", "title", "detail"))


def is_sim_card_group(record: Mapping[str, Any]) -> bool:
    """Whether a dict that is not a response envelope looks like one SIM card group."""
    return any(k in record for k in ("id", "name", "record_type"))
