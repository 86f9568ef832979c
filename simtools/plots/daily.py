"""Data used per day, one line per SIM or group."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib import dates as mdates
from matplotlib.axes import Axes

from simtools.analysis.risk import floats
from simtools.errors import InvalidInputError
from simtools.frames.schema import require_columns
from simtools.plots._style import (
    _DAILY_KEYS,
    RISK_COLORS,
    _check,
    _check_count,
    _data_axis,
    _new_axes,
    _number,
    _say,
    _side_legend,
    _texts,
    _tidy,
)


def _day_index(series: pd.Series) -> np.ndarray:
    """Dates as naive UTC datetime64, so matplotlib's date axis needs no time zone."""
    try:
        stamps = pd.to_datetime(series, utc=True)
    except (TypeError, ValueError) as exc:
        raise InvalidInputError(
            "date",
            f"column 'date' must hold dates, found dtype {series.dtype}",
            "Use the frame from simtools.daily_usage(...), or pd.to_datetime the column.",
        ) from exc
    return stamps.dt.tz_localize(None).to_numpy(dtype="datetime64[ns]")


def plot_daily_usage(
    daily: pd.DataFrame,
    *,
    limit: float | None = None,
    by: str | None = None,
    top: int = 10,
    ax: Axes | None = None,
) -> Axes:
    """Data used per day (total_mb), one line per key when the frame has a key column.

    The key is ``by``, else ``sim_card_id`` or ``sim_group_id`` when present. The ``top`` keys
    that used most get a line each; the rest are summed into one grey dashed ``other`` line.
    ``limit`` (MB per day) draws a horizontal line. Days without records are gaps, not zeros.
    """
    top = _check_count(top, "top")
    if limit is not None:
        limit = _check(limit, "limit", 0, np.inf, "a positive number of MB per day", "limit=500")
    daily = require_columns(daily, ["date", "total_mb", by], caller="plot_daily_usage")
    key = by or next((c for c in _DAILY_KEYS if c in daily.columns), None)
    title = "Data used per day" + (f" by {key}" if key else "")
    if len(daily) == 0:
        return _say(ax, "No usage data", title)
    days = _day_index(daily["date"])
    total = floats(daily, "total_mb")
    ok = ~np.isnat(days) & ~np.isnan(total)
    if not ok.any():
        return _say(ax, f"No usage data: all {len(daily):,} rows lack a date or total_mb", title)
    rows = pd.DataFrame({"date": days[ok], "total_mb": total[ok]})
    rest = 0
    if key is None:
        wide = rows.groupby("date").sum().rename(columns={"total_mb": "all SIM cards"})
    else:
        rows["key"] = _texts(daily[key], "(unknown)")[ok]
        wide = rows.pivot_table(index="date", columns="key", values="total_mb", aggfunc="sum")
        ranked = wide.sum().sort_values(ascending=False, kind="stable").index
        rest = max(len(ranked) - top, 0)
        wide = wide[ranked[:top]]
        if rest:
            other = rows[rows["key"].isin(ranked[top:])].groupby("date")["total_mb"].sum()
            wide[f"other ({rest:,} more)"] = other

    ax = _new_axes(ax, 10.0, 4.5)
    x = wide.index.to_numpy()
    for i, column in enumerate(wide.columns):
        is_other = rest > 0 and i == len(wide.columns) - 1
        ax.plot(
            x,
            wide[column].to_numpy(dtype=float),
            marker="o" if len(wide) <= 45 else None,
            markersize=3.5,
            linewidth=1.6,
            color="#9e9e9e" if is_other else f"C{i % 10}",
            linestyle="--" if is_other else "-",
            label=str(column),
        )
    largest = float(np.nanmax(wide.to_numpy(dtype=float)))
    if limit is not None:
        ax.axhline(
            limit,
            color=RISK_COLORS["over"],
            linestyle=":",
            linewidth=1.6,
            label=f"daily limit {_number(limit)} MB",
        )
        largest = max(largest, limit)
    locator = mdates.AutoDateLocator()  # type: ignore[no-untyped-call]
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))  # type: ignore[no-untyped-call]
    ax.set_ylim(0, largest * 1.08 if largest > 0 else 1.0)
    _data_axis(ax.yaxis, largest, "Data used per day")
    _tidy(ax, "y")
    first, last = pd.Timestamp(x.min()), pd.Timestamp(x.max())
    ax.set_title(f"{title}, {first:%Y-%m-%d} to {last:%Y-%m-%d} (UTC)", loc="left", fontsize=11)
    if len(wide.columns) > 1 or limit is not None:
        _side_legend(ax, title=key)
    return ax
