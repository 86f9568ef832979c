"""Data used per day, one line per SIM or group."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from matplotlib import dates as mdates
from matplotlib import ticker
from matplotlib.axes import Axes

from simtools.analysis.risk import floats
from simtools.analysis.usage import NO_GROUP, NO_KEY
from simtools.errors import InvalidInputError
from simtools.frames.schema import require_columns
from simtools.inputs.times import to_utc_timestamp
from simtools.plots._style import (
    _DAILY_KEYS,
    _MUTED,
    RISK_COLORS,
    _check,
    _check_count,
    _data_axis,
    _new_axes,
    _note,
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


_KEY_WORDS = {"sim_card_id": "SIM card", "sim_group_id": "group", "sim_card_group_id": "group"}
_DAY = np.timedelta64(1, "D")


def _as_of(daily: pd.DataFrame, as_of: object) -> pd.Timestamp:
    """The moment the data describes, naive UTC: ``as_of``, else ``attrs['as_of']``, else now."""
    value = as_of if as_of is not None else daily.attrs.get("as_of")
    if value is None:
        return pd.Timestamp.now(tz="UTC").tz_localize(None)
    return to_utc_timestamp(value, name="as_of").tz_localize(None)


def _key_labels(
    columns: pd.Index, key: str | None, labels: Mapping[str, str] | None
) -> dict[str, str]:
    """Legend text per key: its name from ``labels``; SIMs outside every group ``(no group)``."""
    out = {}
    for column in map(str, columns):
        text = (labels or {}).get(column)
        if text is None or (isinstance(text, float) and np.isnan(text)):
            text = NO_GROUP if column == NO_KEY and _KEY_WORDS.get(key or "") == "group" else column
        out[column] = str(text)
    return out


def _day_axis(ax: Axes, first: np.datetime64, last: np.datetime64) -> None:
    """Ticks on whole days only (every day, or every few days for long series, from the first
    day on), labelled ``04 Dec``; the axis spans half a day either side of the data."""
    days = int((last - first) / _DAY) + 1
    step = max(1, int(np.ceil(days / 12)))
    ticks = np.arange(first, last + _DAY, step * _DAY)
    ax.xaxis.set_major_locator(ticker.FixedLocator(mdates.date2num(ticks)))  # type: ignore[no-untyped-call]
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%d %b"))  # type: ignore[no-untyped-call]
    ax.xaxis.set_minor_locator(ticker.NullLocator())
    half = np.timedelta64(12, "h")
    ax.set_xlim(first - half, last + half)  # type: ignore[arg-type]


def plot_daily_usage(
    daily: pd.DataFrame,
    *,
    limit: float | None = None,
    by: str | None = None,
    top: int = 10,
    labels: Mapping[str, str] | None = None,
    as_of: object = None,
    ax: Axes | None = None,
) -> Axes:
    """Data used per day (total_mb), one line per key when the frame has a key column.

    The key is ``by``, else ``sim_card_id`` or ``sim_group_id`` when present; ``labels`` maps
    key values to the names the legend shows (group ids to group names), and SIMs outside every
    group are ``(no group)``. The ``top`` keys that used most get a line each; the rest are
    summed into one grey dashed ``other`` line. ``limit`` (MB per day) draws a horizontal line.
    Days without records are gaps, not zeros.

    The day holding ``as_of`` (default ``daily.attrs['as_of']``, else now, UTC) is not over yet:
    its point is hollow and joined by a dotted segment, and a note says until when it counts, so
    that a partial day never reads as a collapse.
    """
    top = _check_count(top, "top")
    if limit is not None:
        limit = _check(limit, "limit", 0, np.inf, "a positive number of MB per day", "limit=500")
    daily = require_columns(daily, ["date", "total_mb", by], caller="plot_daily_usage")
    if labels is not None and not isinstance(labels, Mapping):
        raise InvalidInputError(
            type(labels).__name__,
            "labels must map key values to the names to show",
            "pass e.g. labels=dict(zip(fleet['sim_card_group_id'], fleet['sim_card_group_name']))",
        )
    key = by or next((c for c in _DAILY_KEYS if c in daily.columns), None)
    word = _KEY_WORDS.get(key or "", key)
    title = "Data used per day" + (f" by {word}" if key else "")
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
    names = _key_labels(wide.columns, key, labels)

    now = _as_of(daily, as_of)
    today = now.floor("D").to_datetime64()
    x = wide.index.to_numpy(dtype="datetime64[ns]")
    partial = bool(x.max() == today and now > now.floor("D"))
    whole = x < today if partial else np.ones(len(x), dtype=bool)

    ax = _new_axes(ax, 10.0, 4.5)
    for i, column in enumerate(wide.columns):
        is_other = rest > 0 and i == len(wide.columns) - 1
        color = "#9e9e9e" if is_other else f"C{i % 10}"
        y = wide[column].to_numpy(dtype=float)
        ax.plot(
            x[whole],
            y[whole],
            marker="o" if len(wide) <= 45 else None,
            markersize=3.5,
            linewidth=1.6,
            color=color,
            linestyle="--" if is_other else "-",
            label=names[str(column)],
        )
        if partial:
            tail = slice(max(len(x) - 2, 0), len(x)) if whole.any() else slice(len(x) - 1, None)
            ax.plot(x[tail], y[tail], color=color, linestyle=":", linewidth=1.2)
            ax.plot(
                x[-1:],
                y[-1:],
                marker="o",
                markersize=5,
                markerfacecolor="white",
                markeredgecolor=color,
                linestyle="none",
            )
    if partial:
        ax.plot(
            [],
            [],
            marker="o",
            markerfacecolor="white",
            markeredgecolor=_MUTED,
            color=_MUTED,
            linestyle=":",
            label=f"{now:%d %b} so far (partial day)",
        )
        _note(
            ax,
            f"{now:%d %b} is not over: its point (hollow) counts data up to {now:%H:%M} UTC only",
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
    _day_axis(ax, x.min(), x.max())
    ax.set_ylim(0, largest * 1.08 if largest > 0 else 1.0)
    _data_axis(ax.yaxis, largest, "Data used per day")
    ax.set_xlabel("day (UTC)")
    _tidy(ax, "y")
    first, last = pd.Timestamp(x.min()), pd.Timestamp(x.max())
    ax.set_title(
        f"{title}, {first:%d %b %Y} to {last:%d %b %Y} (UTC)", loc="left", fontsize=11, pad=16
    )
    if len(wide.columns) > 1 or limit is not None or partial:
        _side_legend(ax, title=word, last=None)
    return ax
