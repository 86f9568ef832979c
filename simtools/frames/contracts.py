"""The frame contracts: one declared table of columns per frame family simtools hands out.

Each table is the single place a column is declared (see :mod:`simtools.frames.schema`);
builders, the page reader, the file round trip and the docs read them from here. A column name
means one thing in every family it appears in (same kind, same categories), which
:data:`COLUMN_KINDS` checks when this module loads, so a file reader can restore any simtools
frame by its column names alone (pure).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, get_args, get_type_hints

from simtools.frames.change_contracts import (
    CHANGE_CONTRACTS,
    CHANGE_OUTCOMES,
    CHANGE_PLAN,
    DATA_USAGE_NOTIFICATIONS,
    FLEET_ALERTS,
)
from simtools.frames.history_contracts import HISTORY_CONTRACTS
from simtools.frames.records import RECORD_TYPES
from simtools.frames.schema import Column, FrameContract, Kind
from simtools.frames.units import DATA_UNITS

# A lifecycle action's type and status are those of the wireless SIM card actions.
from simtools.frames.wireless_contracts import ACTION_STATUSES, ACTION_TYPES, WIRELESS_CONTRACTS
from simtools.models import KNOWN_STATUSES, SIM_TYPES
from simtools.results import OUTCOMES, CodeOutcome

__all__ = [
    "ACTIONS",
    "APPLIED_LIMITS",
    "CHANGE_OUTCOMES",
    "CHANGE_PLAN",
    "COLUMN_KINDS",
    "CONTRACTS",
    "CURRENCIES",
    "DAILY_USAGE",
    "DATA_USAGE_NOTIFICATIONS",
    "ERRORS",
    "FLEET",
    "FLEET_ALERTS",
    "PROJECTION",
    "REGISTRATION",
    "SIM_CARDS",
    "SIM_CARD_GROUPS",
    "SNAPSHOTS",
    "TAG_ROWS",
    "USAGE_RECORDS",
    "USAGE_SUMMARY",
]

#: The currencies of WDR costs in the contract; the ``currency`` categories start with these.
CURRENCIES = ("AUD", "CAD", "EUR", "GBP", "USD")
_OUTCOME_SOURCES: tuple[str, ...] = get_args(get_type_hints(CodeOutcome)["source"])


def _record_type() -> Column:
    return Column("record_type", "category", categories=RECORD_TYPES)


def _amount(
    prefix: str, parent: str, *, kept: bool = True, required: bool = False
) -> tuple[Column, Column]:
    """An ``{amount, unit}`` object's two columns as sent (the builder adds ``<prefix>_mb``)."""
    return (
        Column(f"{prefix}_amount", "float", f"{parent}.amount", kept=kept, required=required),
        Column(
            f"{prefix}_unit",
            "category",
            f"{parent}.unit",
            categories=DATA_UNITS,
            warn_unknown=False,  # an unknown unit is reported once, where _mb is left missing
            kept=kept,
        ),
    )


def _full_form(name: str, kind: Kind = "string", path: str = "", **options: Any) -> Column:
    return Column(name, kind, path or name, optional=True, **options)


#: A SIM card in its list or register form (``SimpleSIMCard``), then the full form's fields
#: (``GET /sim_cards/{id}``), present when the source has them.
SIM_CARDS = FrameContract(
    "sim_cards",
    (
        Column("id", "string"),
        _record_type(),
        Column("iccid", "string"),
        Column("imsi", "string"),
        Column("msisdn", "string"),
        Column("type", "category", categories=SIM_TYPES),
        Column("status", "category", "status.value", categories=KNOWN_STATUSES),
        Column("status_reason", "string", "status.reason"),
        Column("sim_card_group_id", "string"),
        Column("tags", "tuple"),
        *_amount("data_limit", "data_limit"),
        Column.computed("data_limit_mb", "float"),
        *_amount("consumed", "current_billing_period_consumed_data"),
        Column.computed("consumed_mb", "float"),
        Column.computed("utilization", "float"),
        Column.computed("over_limit", "boolean"),
        Column.computed("headroom_mb", "float", negative=True),
        Column("actions_in_progress", "boolean"),
        Column("resources_with_in_progress_actions", "json"),
        Column("voice_enabled", "boolean"),
        Column("esim_installation_status", "category", categories=("released", "disabled")),
        Column("eid", "string"),
        Column("version", "string"),
        Column("authorized_imeis", "tuple"),
        Column("created_at", "time"),
        Column("updated_at", "time"),
        _full_form("current_imei"),
        _full_form("current_mcc"),
        _full_form("current_mnc"),
        _full_form(
            "live_data_session", "category", categories=("connected", "disconnected", "unknown")
        ),
        _full_form("ipv4"),
        _full_form("ipv6"),
        _full_form("device_latitude", "float", "current_device_location.latitude", negative=True),
        _full_form("device_longitude", "float", "current_device_location.longitude", negative=True),
        _full_form("device_accuracy", "float", "current_device_location.accuracy", negative=True),
        _full_form(
            "device_accuracy_unit",
            "category",
            "current_device_location.accuracy_unit",
            categories=("m",),
            warn_unknown=False,
        ),
        # Only with include_pin_puk_codes=true (OpenAPI SIMCard.pin_puk_codes).
        _full_form("pin1", path="pin_puk_codes.pin1"),
        _full_form("pin2", path="pin_puk_codes.pin2"),
        _full_form("puk1", path="pin_puk_codes.puk1"),
        _full_form("puk2", path="pin_puk_codes.puk2"),
    ),
    noun="SIM card",
)

#: ``fleet_frame``: the SIM cards with their group's name beside the group id.
FLEET = SIM_CARDS.with_columns(
    "fleet", Column.computed("sim_card_group_name", "string"), after="sim_card_group_id"
)

#: Telnyx's ``errors`` list; ``registration_code`` is the code an error points at.
ERRORS = FrameContract(
    "errors",
    (
        Column("code", "string"),
        Column("title", "string"),
        Column("detail", "string"),
        Column("source_pointer", "string", "source.pointer"),
        Column("source_parameter", "string", "source.parameter"),
        Column("meta", "json"),
        Column.computed("registration_code", "string"),
    ),
    noun="error",
    label=None,
)

#: ``registration_frame``: one row per submitted entry and what became of it.
REGISTRATION = FrameContract(
    "registration",
    (
        Column("position", "int"),
        Column("registration_code", "string"),
        Column("outcome", "category", categories=OUTCOMES),
        Column("error_code", "string"),
        Column("error_title", "string"),
        Column("error_detail", "string"),
        Column("reason", "string"),
        Column("source", "category", categories=_OUTCOME_SOURCES),
        Column("sim_card_id", "string"),
        Column("iccid", "string"),
        Column("status", "category", categories=KNOWN_STATUSES),
    ),
    noun="entry",
    label="registration_code",
)

#: SIM card groups (``sim_card_count`` only in list responses).
SIM_CARD_GROUPS = FrameContract(
    "sim_card_groups",
    (
        Column("id", "string"),
        _record_type(),
        Column("name", "string"),
        Column("default", "boolean"),
        Column.computed("data_limit_mb", "float"),
        Column.computed("consumed_mb", "float"),
        Column("sim_card_count", "int"),
        *_amount("data_limit", "data_limit"),
        *_amount("consumed", "consumed_data"),
        Column("private_wireless_gateway_id", "string"),
        Column("wireless_blocklist_id", "string"),
        Column("created_at", "time"),
        Column("updated_at", "time"),
    ),
    noun="SIM card group",
)

#: Wireless detail records (``GET /reports/wdrs``): amounts in MB, cost in ``currency``.
USAGE_RECORDS = FrameContract(
    "usage_records",
    (
        Column("id", "string"),
        _record_type(),
        Column("sim_card_id", "string"),
        Column("sim_group_id", "string"),
        Column("sim_group_name", "string"),
        Column("created_at", "time", required=True),
        *_amount("uplink", "uplink_data", kept=False, required=True),
        *_amount("downlink", "downlink_data", kept=False, required=True),
        Column.computed("uplink_mb", "float"),
        Column.computed("downlink_mb", "float"),
        Column.computed("total_mb", "float"),
        Column("duration_s", "float", "duration_seconds"),
        Column("mcc", "string"),
        Column("mnc", "string"),
        Column("imsi", "string"),
        Column("phone_number", "string"),
        Column("cost", "float", "cost.amount"),
        Column("rate", "float", "rate.amount"),
        Column("cost_currency", "string", "cost.currency", kept=False),
        Column("rate_currency", "string", "rate.currency", kept=False),
        Column.computed("currency", "category", categories=CURRENCIES),
    ),
    noun="usage record",
)

#: ``daily_usage``: data per UTC day, per SIM or group when asked (the key column).
DAILY_USAGE = FrameContract(
    "daily_usage",
    (
        Column.computed("date", "time"),
        Column.computed("sim_card_id", "string", optional=True),
        Column.computed("sim_group_id", "string", optional=True),
        Column.computed("uplink_mb", "float"),
        Column.computed("downlink_mb", "float"),
        Column.computed("total_mb", "float"),
        Column.computed("sessions", "int"),
    ),
    label=None,
)

#: The outcome of a lifecycle action (enable, disable, standby), one row per SIM.
ACTIONS = FrameContract(
    "actions",
    (
        Column.computed("sim_card_id", "string"),
        Column.computed("action_type", "category", categories=ACTION_TYPES),
        Column.computed("action_id", "string"),
        Column.computed("action_status", "category", categories=ACTION_STATUSES),
        Column.computed("reason", "string"),
        Column.computed("sim_status", "category", categories=KNOWN_STATUSES),
        Column.computed("settled", "boolean"),
    ),
    label="sim_card_id",
)

#: ``usage_summary``: one row per key (its index); the group's name first when grouped by group.
USAGE_SUMMARY = FrameContract(
    "usage_summary",
    (
        Column.computed("sim_card_group_name", "string", optional=True),
        # by="group": the index is the group's name and the id is kept as a column.
        Column.computed("sim_card_group_id", "string", optional=True),
        Column.computed("sim_count", "int"),
        Column.computed("consumed_mb", "float"),
        Column.computed("data_limit_mb", "float"),
        Column.computed("sims_with_limit", "int"),
        Column.computed("mean_utilization", "float"),
        Column.computed("max_utilization", "float"),
        Column.computed("over_limit_count", "int"),
        Column.computed("near_limit_count", "int"),
        # With groups= (a sim_card_groups_frame): the group's own limit and how full it is
        # (by group only), and how many SIMs without a limit of their own answer to it.
        Column.computed("group_data_limit_mb", "float", optional=True),
        Column.computed("group_utilization", "float", optional=True),
        Column.computed("sims_on_group_limit", "int", optional=True),
    ),
    label=None,
)

#: What ``near_limit(df, groups=...)`` adds: the limit each SIM was judged by (its own, else its
#: group's), that limit and the utilization it was judged by.
APPLIED_LIMITS = FrameContract(
    "applied_limits",
    (
        Column.computed("limit_source", "category", categories=("sim", "group")),
        Column.computed("applied_limit_mb", "float"),
        Column.computed("applied_utilization", "float"),
    ),
    label=None,
)

#: What ``project_period_end`` adds to a fleet frame.
PROJECTION = FrameContract(
    "projection",
    (
        Column.computed("elapsed_fraction", "float"),
        Column.computed("projected_mb", "float"),
        Column.computed("projected_utilization", "float"),
        Column.computed("projected_over_limit", "boolean"),
        Column.computed("limit_crossing_at", "time"),
    ),
    label=None,
)

#: What ``load_snapshots`` puts before the saved fleet frame's columns.
SNAPSHOTS = FrameContract(
    "snapshots",
    (Column.computed("taken_at", "time"), Column.computed("snapshot_date", "time")),
    label=None,
)

#: ``explode_tags``: the one column it adds.
TAG_ROWS = FrameContract("tag_rows", (Column.computed("tag", "string"),), label=None)

#: Every family, by name.
CONTRACTS: Mapping[str, FrameContract] = MappingProxyType(
    {
        c.name: c
        for c in (
            SIM_CARDS,
            FLEET,
            ERRORS,
            REGISTRATION,
            SIM_CARD_GROUPS,
            USAGE_RECORDS,
            DAILY_USAGE,
            ACTIONS,
            USAGE_SUMMARY,
            APPLIED_LIMITS,
            PROJECTION,
            SNAPSHOTS,
            TAG_ROWS,
            *WIRELESS_CONTRACTS,
            *CHANGE_CONTRACTS,
            *HISTORY_CONTRACTS,
        )
    }
)


def _column_kinds() -> Mapping[str, Column]:
    kinds: dict[str, Column] = {}
    for contract in CONTRACTS.values():
        for column in contract.columns:
            if not column.kept:
                continue
            seen = kinds.setdefault(column.name, column)
            if (seen.kind, seen.categories) != (column.kind, column.categories):
                raise ValueError(
                    f"column {column.name!r} is {seen.kind} in one contract and {column.kind} "
                    f"{column.categories or ''} in {contract.name!r}: a name means one thing"
                )
    return MappingProxyType(kinds)


#: Column name -> its declaration, over every family: what a file reader restores by name.
COLUMN_KINDS = _column_kinds()
