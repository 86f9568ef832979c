"""The package's public names: pinned, all importable, and visible to tab completion."""

from __future__ import annotations

import subprocess
import sys

import simtools

PUBLIC = [
    "ApiError",
    "AuthenticationError",
    "InvalidInputError",
    "NotFoundError",
    "ParsedCodes",
    "RateLimitError",
    "RegistrationResult",
    "ResponseError",
    "ServerError",
    "SimClient",
    "SimToolsDataWarning",
    "SimToolsError",
    "TransportError",
    "__version__",
    "api_key_form",
    "connect",
    "connection_banner",
    "daily_usage",
    "disable",
    "enable",
    "errors_frame",
    "explode_tags",
    "fleet_frame",
    "load_snapshots",
    "near_limit",
    "parse_codes",
    "plot_daily_usage",
    "plot_group_usage",
    "plot_usage_vs_limit",
    "plot_utilization_histogram",
    "project_period_end",
    "read_frame",
    "register_form",
    "registration_frame",
    "save_snapshot",
    "set_standby",
    "sim_card_groups_frame",
    "sim_cards_frame",
    "top_consumers",
    "usage_explorer",
    "usage_records_frame",
    "usage_summary",
    "write_frame",
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
