"""The frame contracts of fleet changes: data usage notifications, the alert columns a fleet frame
can carry, a change plan and the outcome of applying one.

A plan row is one change of one field of one SIM: its values before and after as text
(``from_value``, ``to_value``; see :data:`FIELDS` for each field's form), the requests it will send
as JSON, and a verdict. Text keeps every field in one pair of columns, and survives every file
format as it is, so a saved plan can be reviewed, filtered and applied later (pure).
"""

from __future__ import annotations

from simtools.frames.records import RECORD_TYPES
from simtools.frames.schema import Column, FrameContract
from simtools.frames.units import DATA_UNITS

__all__ = [
    "CHANGE_CONTRACTS",
    "CHANGE_OUTCOMES",
    "CHANGE_PLAN",
    "DATA_USAGE_NOTIFICATIONS",
    "FIELDS",
    "FLEET_ALERTS",
    "RESULTS",
    "VERDICTS",
]

#: The fields a plan changes, in the order a plan is applied (a SIM moves into a group and gets
#: its limit before it is enabled). ``from_value``/``to_value`` hold: ``data_limit_mb`` the limit
#: in MB (missing: none); ``tags`` a JSON list; ``sim_card_group`` the group id (missing: none);
#: ``alert_mb`` a JSON list of thresholds in MB, smallest first; ``status`` the status.
FIELDS = ("data_limit_mb", "tags", "sim_card_group", "alert_mb", "status")
#: ``change``: will send requests; ``no-op``: already so; ``invalid``: cannot be applied, and
#: ``reason``/``hint`` say why and how to fix it.
VERDICTS = ("change", "no-op", "invalid")
#: What applying a change did: ``applied``; ``no-op`` (nothing to send, or already so when read
#: back); ``conflict`` (the live value is no longer ``from_value``: not sent); ``failed`` (the API
#: refused it); ``skipped`` (not sent: invalid, or a change it needs did not happen); ``unknown``
#: (sent, its answer lost, and not yet reconciled: run again with the same ledger).
RESULTS = ("applied", "no-op", "conflict", "failed", "skipped", "unknown")

#: ``data_usage_notifications_frame``: one row per notification (CONTRACT.md 5.6).
DATA_USAGE_NOTIFICATIONS = FrameContract(
    "data_usage_notifications",
    (
        Column("id", "string"),
        Column("record_type", "category", categories=RECORD_TYPES),
        Column("sim_card_id", "string"),
        Column.computed("threshold_mb", "float"),
        Column("threshold_amount", "float", "threshold.amount"),
        Column(
            "threshold_unit",
            "category",
            "threshold.unit",
            categories=DATA_UNITS,
            warn_unknown=False,  # reported once, where threshold_mb is left missing
        ),
        Column("created_at", "time"),
        Column("updated_at", "time"),
    ),
    noun="data usage notification",
)

#: What ``fleet_frame(client, include=["alerts"])`` adds: each SIM's notification thresholds in
#: MB, smallest first, and their ids in the same order (empty tuples for a SIM without any).
FLEET_ALERTS = FrameContract(
    "fleet_alerts",
    (Column.computed("alert_mb", "numbers"), Column.computed("alert_ids", "tuple")),
    label=None,
)

#: ``plan_changes(...).frame``: one row per (SIM, field) the desired frame asks about.
CHANGE_PLAN = FrameContract(
    "change_plan",
    (
        Column.computed("change_id", "string"),
        Column.computed("desired_row", "int"),
        Column.computed("iccid", "string"),
        Column.computed("sim_card_id", "string"),
        Column.computed("field", "category", categories=FIELDS),
        Column.computed("from_value", "string"),
        Column.computed("to_value", "string"),
        Column.computed("description", "string"),
        Column.computed("request", "json"),
        Column.computed("depends_on", "string"),
        Column.computed("verdict", "category", categories=VERDICTS),
        Column.computed("reason", "string"),
        Column.computed("hint", "string"),
    ),
    noun="change",
    label="change_id",
)

#: ``apply_changes``: the plan's rows and what became of each.
CHANGE_OUTCOMES = CHANGE_PLAN.with_columns(
    "change_outcomes",
    Column.computed("result", "category", categories=RESULTS),
    Column.computed("result_detail", "string"),
    Column.computed("live_value", "string"),
    Column.computed("error_code", "string"),
    Column.computed("error_title", "string"),
    Column.computed("error_detail", "string"),
    Column.computed("requests_sent", "int"),
)

CHANGE_CONTRACTS = (DATA_USAGE_NOTIFICATIONS, FLEET_ALERTS, CHANGE_PLAN, CHANGE_OUTCOMES)
