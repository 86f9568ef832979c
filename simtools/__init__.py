"""simtools: register Telnyx IoT SIM cards and analyse fleet usage as pandas DataFrames.

The names below are the everyday API; plotting and widgets load matplotlib and ipywidgets only
when first used.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from simtools._version import __version__
from simtools.analysis.daily import daily_usage
from simtools.analysis.usage import (
    explode_tags,
    near_limit,
    project_period_end,
    top_consumers,
    usage_summary,
)
from simtools.client import SimClient
from simtools.errors import (
    ApiError,
    AuthenticationError,
    InvalidInputError,
    NotFoundError,
    RateLimitError,
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
from simtools.frames.files import read_frame, write_frame
from simtools.inputs.codes import ParsedCodes, parse_codes
from simtools.results import RegistrationResult
from simtools.snapshots import load_snapshots, save_snapshot
from simtools.workflows.connect import connect, connection_banner
from simtools.workflows.fleet import fleet_frame
from simtools.workflows.lifecycle import disable, enable, set_standby

if TYPE_CHECKING:
    from simtools.plots import (
        plot_daily_usage,
        plot_group_usage,
        plot_usage_vs_limit,
        plot_utilization_histogram,
    )
    from simtools.widgets.api_key import api_key_form
    from simtools.widgets.explorer import usage_explorer
    from simtools.widgets.register_form import register_form

_LAZY = {
    "plot_daily_usage": "simtools.plots",
    "plot_group_usage": "simtools.plots",
    "plot_usage_vs_limit": "simtools.plots",
    "plot_utilization_histogram": "simtools.plots",
    "api_key_form": "simtools.widgets",
    "register_form": "simtools.widgets",
    "usage_explorer": "simtools.widgets",
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
