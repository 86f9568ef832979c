"""Draw simtools frames as matplotlib charts: usage against limits, utilization, groups, days,
and usage history (cost by month, a SIM against its baseline, data by country).

Every ``plot_*`` function takes a frame and an optional ``ax`` and returns the Axes it drew on.
Without ``ax`` it opens a new pyplot figure (so Jupyter shows it inline) and leaves rcParams and
styles alone. Data stays in MB on the axes; only tick labels switch to GB for large values.
Empty or all-missing input draws an Axes saying so; missing columns raise InvalidInputError.
"""

from __future__ import annotations

from simtools.plots._style import RISK_COLORS
from simtools.plots.daily import plot_daily_usage
from simtools.plots.groups import plot_group_usage
from simtools.plots.history import plot_cost_by_month, plot_roaming_by_country, plot_usage_anomaly
from simtools.plots.usage import plot_usage_vs_limit, plot_utilization_histogram

__all__ = [
    "RISK_COLORS",
    "plot_cost_by_month",
    "plot_daily_usage",
    "plot_group_usage",
    "plot_roaming_by_country",
    "plot_usage_anomaly",
    "plot_usage_vs_limit",
    "plot_utilization_histogram",
]
