"""The frame contracts of usage history: one usage-record shape shared by every history source
(WDRs, WDR report CSVs, detail records, usage reports), the report jobs and report options, and
the frames the history analysis returns.

:data:`USAGE_HISTORY` is the shape the history store keeps: the same columns and dtypes whatever
the source, so windows from any source concatenate and round-trip through Parquet unchanged. A row
is data used by one SIM between ``start`` and ``end`` (UTC) on one network: one session for the
record sources (``sessions`` 1), a sum over a day or a window for usage reports (``sessions`` the
records summed, ``record_id`` missing). :mod:`simtools.frames.contracts` adds these to
``CONTRACTS`` (pure).
"""

from __future__ import annotations

from simtools.frames.schema import Column, FrameContract
from simtools.models import KNOWN_STATUSES

__all__ = [
    "BILL_FORECAST",
    "COST_TOTALS",
    "HISTORY_CONTRACTS",
    "HISTORY_SOURCES",
    "IDLE_SIMS",
    "IDLE_STATES",
    "MONTH_OVER_MONTH",
    "NETWORK_USAGE",
    "REPORT_STATUSES",
    "ROAMING_SHARE",
    "USAGE_ANOMALIES",
    "USAGE_BASELINE",
    "USAGE_HISTORY",
    "USAGE_REPORT_OPTIONS",
    "WDR_REPORTS",
]

#: Where a usage-history row came from.
HISTORY_SOURCES = ("wdr", "wdr_report", "detail_record", "usage_report")
#: A WDR report job's status (SDK ``WdrReport.status``).
REPORT_STATUSES = ("pending", "complete", "failed", "deleted")
#: Why a SIM is listed by ``idle_sims``.
IDLE_STATES = ("idle", "never_connected")
#: The currencies of WDR costs in the contract (as in ``contracts.CURRENCIES``).
_CURRENCIES = ("AUD", "CAD", "EUR", "GBP", "USD")


def _c(name: str, kind: str, **options: object) -> Column:
    return Column.computed(name, kind, **options)  # type: ignore[arg-type]


def _currency() -> Column:
    return _c("currency", "category", categories=_CURRENCIES)


USAGE_HISTORY = FrameContract(
    "usage_history",
    (
        _c("record_id", "string"),
        _c("history_source", "category", categories=HISTORY_SOURCES),
        _c("sim_card_id", "string"),
        _c("sim_group_id", "string"),
        _c("sim_group_name", "string"),
        _c("start", "time"),
        _c("end", "time"),
        _c("duration_s", "float"),
        _c("uplink_mb", "float"),
        _c("downlink_mb", "float"),
        _c("total_mb", "float"),
        _c("mcc", "string"),
        _c("mnc", "string"),
        _c("country_code", "string"),
        _c("country", "string"),
        _c("network_name", "string"),
        _c("cost", "float"),
        _currency(),
        _c("sessions", "int"),
    ),
    noun="usage record",
    label="record_id",
)

#: WDR report jobs (``/wireless/detail_records_reports``); the report's URL stays in the model.
WDR_REPORTS = FrameContract(
    "wdr_reports",
    (
        Column("id", "string"),
        Column("report_status", "category", "status", categories=REPORT_STATUSES),
        Column("start_time", "time"),
        Column("end_time", "time"),
        Column("created_at", "time"),
        Column("updated_at", "time"),
        Column.computed("has_report_url", "boolean"),
        Column("record_type", "string", kept=False),
        # Read, not kept: a pre-signed link is a credential for the file.
        Column("report_url", "string", kept=False),
    ),
    noun="WDR report",
)

#: ``GET /usage_reports/options``: one row per dimension or metric of a product (record type).
USAGE_REPORT_OPTIONS = FrameContract(
    "usage_report_options",
    (
        _c("product", "string"),
        _c("report_record_type", "string"),
        _c("option_kind", "category", categories=("dimension", "metric")),
        _c("option", "string"),
    ),
    label=None,
)

#: ``cost_by``: one row per month (UTC, its first instant), key and currency; the key column is
#: the one asked for (``sim_card_id``, ``sim_group_id``, ``sim_group_name`` or ``tag``).
COST_TOTALS = FrameContract(
    "cost_totals",
    (
        _c("month", "time"),
        _c("sim_card_id", "string", optional=True),
        _c("sim_group_id", "string", optional=True),
        _c("sim_group_name", "string", optional=True),
        _c("tag", "string", optional=True),
        _currency(),
        _c("total_mb", "float"),
        _c("cost", "float"),
        _c("sessions", "int"),
    ),
    label=None,
)

#: ``bill_forecast``: the current period's cost so far and where it is heading, per currency
#: (and key when asked), with the basis of the forecast in words.
BILL_FORECAST = FrameContract(
    "bill_forecast",
    (
        _c("sim_group_name", "string", optional=True),
        _currency(),
        _c("period_start", "time"),
        _c("period_end", "time"),
        _c("as_of", "time"),
        _c("days_observed", "float"),
        _c("elapsed_share", "float"),
        _c("cost_to_date", "float"),
        _c("forecast_cost", "float"),
        _c("too_early", "boolean"),
        _c("basis", "string"),
    ),
    label=None,
)

#: ``usage_by_network``: one row per network (or country) and currency, roaming or not.
NETWORK_USAGE = FrameContract(
    "network_usage",
    (
        _c("country_code", "string"),
        _c("country", "string"),
        _c("mcc", "string", optional=True),
        _c("mnc", "string", optional=True),
        _c("network_name", "string", optional=True),
        _c("roaming", "boolean"),
        _currency(),
        _c("total_mb", "float"),
        _c("cost", "float"),
        _c("sessions", "int"),
        _c("sim_count", "int"),
        _c("share_of_mb", "float"),
    ),
    label=None,
)

#: ``roaming_share``: data and cost abroad per key (a SIM, group or month).
ROAMING_SHARE = FrameContract(
    "roaming_share",
    (
        _c("month", "time", optional=True),
        _c("sim_card_id", "string", optional=True),
        _c("sim_group_id", "string", optional=True),
        _c("sim_group_name", "string", optional=True),
        _currency(),
        _c("total_mb", "float"),
        _c("roaming_mb", "float"),
        _c("roaming_share", "float"),
        _c("cost", "float"),
        _c("roaming_cost", "float"),
    ),
    label=None,
)

#: ``idle_sims``: fleet SIMs with no usage in the last N days, or none at all in the history.
IDLE_SIMS = FrameContract(
    "idle_sims",
    (
        _c("sim_card_id", "string"),
        _c("iccid", "string"),
        _c("sim_card_group_id", "string"),
        _c("sim_status", "category", categories=KNOWN_STATUSES),
        _c("idle_state", "category", categories=IDLE_STATES),
        _c("last_usage_at", "time"),
        _c("idle_days", "float"),
        _c("consumed_mb", "float"),
    ),
    noun="SIM",
    label="sim_card_id",
)

#: ``usage_anomalies``: SIM-days far above the SIM's own baseline.
USAGE_ANOMALIES = FrameContract(
    "usage_anomalies",
    (
        _c("sim_card_id", "string"),
        _c("sim_group_name", "string"),
        _c("date", "time"),
        _c("total_mb", "float"),
        _c("baseline_mb", "float"),
        _c("factor", "float"),
        _c("robust_z", "float"),
        _c("network_name", "string"),
        _c("country_code", "string"),
    ),
    noun="anomaly",
    label="sim_card_id",
)

#: ``usage_baseline``: one SIM's daily usage with its rolling baseline and band.
USAGE_BASELINE = FrameContract(
    "usage_baseline",
    (
        _c("date", "time"),
        _c("total_mb", "float"),
        _c("baseline_mb", "float"),
        _c("band_low_mb", "float"),
        _c("band_high_mb", "float"),
        _c("robust_z", "float"),
        _c("anomaly", "boolean"),
    ),
    label=None,
)

#: ``month_over_month``: each month against the one before, per key and currency.
MONTH_OVER_MONTH = FrameContract(
    "month_over_month",
    (
        _c("month", "time"),
        _c("partial_month", "boolean"),
        _c("sim_card_id", "string", optional=True),
        _c("sim_group_id", "string", optional=True),
        _c("sim_group_name", "string", optional=True),
        _c("tag", "string", optional=True),
        _currency(),
        _c("total_mb", "float"),
        _c("previous_mb", "float"),
        _c("mb_change_pct", "float", negative=True),
        _c("cost", "float"),
        _c("previous_cost", "float"),
        _c("cost_change", "float", negative=True),
        _c("cost_change_pct", "float", negative=True),
    ),
    label=None,
)

HISTORY_CONTRACTS = (
    USAGE_HISTORY,
    WDR_REPORTS,
    USAGE_REPORT_OPTIONS,
    COST_TOTALS,
    BILL_FORECAST,
    NETWORK_USAGE,
    ROAMING_SHARE,
    IDLE_SIMS,
    USAGE_ANOMALIES,
    USAGE_BASELINE,
    MONTH_OVER_MONTH,
)
