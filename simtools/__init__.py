"""simtools: register Telnyx IoT SIM cards and analyse fleet usage as pandas DataFrames.

The names below are the everyday API; plotting and widgets load matplotlib and ipywidgets only
when first used.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from simtools._version import __version__
from simtools.analysis.anomalies import daily_sim_usage, usage_anomalies, usage_baseline
from simtools.analysis.changes import ChangePlan, plan_changes
from simtools.analysis.cost import combine_cost_totals, cost_by, month_over_month
from simtools.analysis.daily import daily_usage
from simtools.analysis.forecast import bill_forecast
from simtools.analysis.idle import idle_sims
from simtools.analysis.networks import roaming_share, usage_by_network
from simtools.analysis.rollup import history_by_day
from simtools.analysis.usage import (
    explode_tags,
    near_limit,
    project_period_end,
    projection_basis,
    top_consumers,
    usage_summary,
)
from simtools.client import SimClient
from simtools.display import format_frame, show
from simtools.errors import (
    ApiError,
    AuthenticationError,
    InvalidInputError,
    NotFoundError,
    RateLimitError,
    ReportError,
    ResponseError,
    ServerError,
    SimToolsDataWarning,
    SimToolsError,
    TransportError,
)
from simtools.frames import (
    errors_frame,
    registration_frame,
    sim_card_groups_frame,
    sim_cards_frame,
    usage_records_frame,
)

# The wireless API beyond registration: eSIM onboarding, per-SIM network data, its frames.
from simtools.frames.connectivity import (
    connectivity_logs_frame,
)
from simtools.frames.files import read_frame, write_frame

# Usage history: one usage-record shape from WDRs, report CSVs, detail records, usage reports.
from simtools.frames.history import (
    detail_records_frame,
    usage_report_frame,
    usage_report_options_frame,
    wdr_history_frame,
    wdr_report_frame,
    wdr_reports_frame,
)
from simtools.frames.notifications import data_usage_notifications_frame
from simtools.frames.wireless_frames import (
    bulk_sim_card_actions_frame,
    device_details_frame,
    mobile_network_operators_frame,
    private_wireless_gateways_frame,
    public_ips_frame,
    sim_card_actions_frame,
    sim_card_group_actions_frame,
    sim_card_orders_frame,
    wireless_blocklists_frame,
)
from simtools.inputs.codes import ParsedCodes, parse_codes
from simtools.results import RegistrationResult
from simtools.snapshots import load_snapshots, save_snapshot
from simtools.workflows.changes import apply_changes
from simtools.workflows.connect import connect, connection_banner
from simtools.workflows.esim import (
    EsimPurchaseUnknown,
    purchase_esims,
)
from simtools.workflows.esim_onboarding import (
    EsimOnboarding,
    follow_installation,
    onboard_esims,
)
from simtools.workflows.fleet import fleet_frame
from simtools.workflows.lifecycle import disable, enable, set_standby
from simtools.workflows.wireless_extras import (
    fetch_connectivity_logs,
    fetch_device_details,
    fetch_public_ips,
)

if TYPE_CHECKING:
    from simtools.esim_labels import write_label_sheet
    from simtools.plots import (
        plot_cost_by_month,
        plot_daily_usage,
        plot_group_usage,
        plot_roaming_by_country,
        plot_usage_anomaly,
        plot_usage_vs_limit,
        plot_utilization_histogram,
    )
    from simtools.widgets.api_key import api_key_form
    from simtools.widgets.changes_form import changes_form
    from simtools.widgets.esim_qr import esim_qr_form
    from simtools.widgets.explorer import usage_explorer
    from simtools.widgets.register_form import register_form

_LAZY = {
    "plot_cost_by_month": "simtools.plots",
    "plot_daily_usage": "simtools.plots",
    "plot_roaming_by_country": "simtools.plots",
    "plot_usage_anomaly": "simtools.plots",
    "plot_group_usage": "simtools.plots",
    "plot_usage_vs_limit": "simtools.plots",
    "plot_utilization_histogram": "simtools.plots",
    "api_key_form": "simtools.widgets",
    "changes_form": "simtools.widgets",
    "register_form": "simtools.widgets",
    "usage_explorer": "simtools.widgets",
    "esim_qr_form": "simtools.widgets",
    "write_label_sheet": "simtools.esim_labels",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'simtools' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module), name)


def __dir__() -> list[str]:
    # Tab completion shows the lazy names too, before their first use.
    return sorted({*globals(), *_LAZY})


__all__ = [
    "ApiError",
    "AuthenticationError",
    "ChangePlan",
    "EsimOnboarding",
    "EsimPurchaseUnknown",
    "InvalidInputError",
    "NotFoundError",
    "ParsedCodes",
    "RateLimitError",
    "RegistrationResult",
    "ReportError",
    "ResponseError",
    "ServerError",
    "SimClient",
    "SimToolsDataWarning",
    "SimToolsError",
    "TransportError",
    "__version__",
    "api_key_form",
    "apply_changes",
    "bill_forecast",
    "bulk_sim_card_actions_frame",
    "changes_form",
    "combine_cost_totals",
    "connect",
    "connection_banner",
    "connectivity_logs_frame",
    "cost_by",
    "daily_sim_usage",
    "daily_usage",
    "data_usage_notifications_frame",
    "detail_records_frame",
    "device_details_frame",
    "disable",
    "enable",
    "errors_frame",
    "esim_qr_form",
    "explode_tags",
    "fetch_connectivity_logs",
    "fetch_device_details",
    "fetch_public_ips",
    "fleet_frame",
    "follow_installation",
    "format_frame",
    "history_by_day",
    "idle_sims",
    "load_snapshots",
    "mobile_network_operators_frame",
    "month_over_month",
    "near_limit",
    "onboard_esims",
    "parse_codes",
    "plan_changes",
    "plot_cost_by_month",
    "plot_daily_usage",
    "plot_group_usage",
    "plot_roaming_by_country",
    "plot_usage_anomaly",
    "plot_usage_vs_limit",
    "plot_utilization_histogram",
    "private_wireless_gateways_frame",
    "project_period_end",
    "projection_basis",
    "public_ips_frame",
    "purchase_esims",
    "read_frame",
    "register_form",
    "registration_frame",
    "roaming_share",
    "save_snapshot",
    "set_standby",
    "show",
    "sim_card_actions_frame",
    "sim_card_group_actions_frame",
    "sim_card_groups_frame",
    "sim_card_orders_frame",
    "sim_cards_frame",
    "top_consumers",
    "usage_anomalies",
    "usage_baseline",
    "usage_by_network",
    "usage_explorer",
    "usage_records_frame",
    "usage_report_frame",
    "usage_report_options_frame",
    "usage_summary",
    "wdr_history_frame",
    "wdr_report_frame",
    "wdr_reports_frame",
    "wireless_blocklists_frame",
    "write_frame",
    "write_label_sheet",
]
