"""The bill forecast for the current billing period (a UTC calendar month), with its basis (pure).

The forecast is the period's cost so far scaled by the share of the period elapsed (a run rate):
``forecast = cost_to_date / elapsed_share``. It says so in ``basis``, with the days observed. With
fewer than ``min_days`` observed the run rate says little (a weekend, a first day), so the row is
``too_early`` and its forecast missing.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from simtools.analysis.history_input import (
    check_key,
    combine_totals,
    finish,
    history_frame,
    now_utc,
)
from simtools.errors import InvalidInputError
from simtools.frames.history_contracts import BILL_FORECAST

__all__ = ["bill_forecast"]

_DAY = pd.Timedelta(days=1)


def _check_days(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 31:
        raise InvalidInputError(value, "min_days must be from 0 to 31 days", "e.g. min_days=3")
    return float(value)


def bill_forecast(
    history: pd.DataFrame,
    *,
    now: Any = None,
    min_days: float = 3.0,
    by: str | None = None,
) -> pd.DataFrame:
    """The current period's cost so far and its forecast, per currency (and per group with
    ``by='sim_group_name'``), in the ``BILL_FORECAST`` contract. ``now`` (default: the current
    time) fixes the period and how much of it has elapsed; records after ``now`` are left out.
    A currency or group with no records this period is not listed."""
    minimum = _check_days(min_days)
    key = check_key(by, "bill_forecast", ("sim_group_name",))
    history = history_frame(history, ["cost", "currency", *([key] if key else [])], "bill_forecast")
    at = now_utc(now)
    period_start = at.normalize().replace(day=1)
    period_end = period_start + pd.offsets.MonthBegin(1)
    starts = history["start"]
    in_period = history[(starts >= period_start) & (starts < at)]
    keys = [*([key] if key else []), "currency"]
    totals = combine_totals(in_period[[*keys, "cost"]], keys, ["cost"])
    days = (at - period_start) / _DAY
    length = (period_end - period_start) / _DAY
    share = days / length
    early = days < minimum
    cost = totals["cost"].astype("float64").fillna(0.0)
    totals["cost_to_date"] = cost
    totals["forecast_cost"] = np.nan if early or share <= 0 else cost / share
    totals["period_start"] = period_start
    totals["period_end"] = period_end
    totals["as_of"] = at
    totals["days_observed"] = days
    totals["elapsed_share"] = share
    totals["too_early"] = early
    totals["basis"] = _basis(days, length, share, minimum, early)
    return finish(totals, BILL_FORECAST)


def _basis(days: float, length: float, share: float, minimum: float, early: bool) -> str:
    observed = f"{days:.1f} of {length:.0f} days observed ({share:.0%} of the period)"
    if early:
        return f"too early: {observed}, fewer than min_days={minimum:g}; no forecast"
    return f"run rate: cost to date / elapsed share; {observed}"
