"""The package's public names: pinned, all importable, and visible to tab completion."""

from __future__ import annotations

import subprocess
import sys

import simtools

PUBLIC = [
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


def test_all_is_pinned_and_sorted() -> None:
    """__all__ is exactly the public names above: adding or dropping one is a decision."""
    assert simtools.__all__ == PUBLIC
    assert simtools.__all__ == sorted(simtools.__all__)


def test_every_public_name_resolves() -> None:
    """Each name in __all__ is an attribute of the package (the lazy ones on first use)."""
    for name in simtools.__all__:
        assert getattr(simtools, name) is not None, name


def test_dir_lists_the_lazy_names_before_they_are_loaded() -> None:
    """Tab completion (dir) shows the plots and forms, which load matplotlib and ipywidgets only
    when first used."""
    code = (
        "import sys, simtools; names = dir(simtools); "
        "assert 'plot_usage_vs_limit' in names and 'register_form' in names, names; "
        "assert 'matplotlib' not in sys.modules and 'ipywidgets' not in sys.modules; "
        "print('ok')"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.stdout.strip() == "ok", done.stderr
