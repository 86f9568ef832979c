"""Draw simtools frames as matplotlib charts: usage against limits, utilization, groups and days.

Every ``plot_*`` function takes a frame and an optional ``ax`` and returns the Axes it drew on.
Without ``ax`` it opens a new pyplot figure (so Jupyter shows it inline) and leaves rcParams and
styles alone. Data stays in MB on the axes; only tick labels switch to GB for large values.
Empty or all-missing input draws an Axes saying so; missing columns raise InvalidInputError.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from numbers import Real
from typing import Literal

import numpy as np
import pandas as pd
from matplotlib import dates as mdates
from matplotlib import ticker
from matplotlib.axes import Axes
from matplotlib.axis import Axis

from simtools.errors import InvalidInputError

__all__ = [
    "RISK_COLORS",
    "plot_daily_usage",
    "plot_group_usage",
    "plot_usage_vs_limit",
    "plot_utilization_histogram",
]

#: Bar colours by risk class, colour-blind safe (blue / orange / vermilion / grey).
RISK_COLORS: dict[str, str] = {
    "ok": "#4c7fb0",
    "near": "#f0a030",
    "over": "#d1452f",
    "no limit": "#bdbdbd",
}
_RISKS = ("over", "near", "ok", "no limit")
_LIMIT_COLOR = "#1f1f1f"
_MUTED = "#555555"
_MB_PER_GB = 1024.0
_GB_FROM_MB = 4 * _MB_PER_GB  # from 4 GB on, data axes read in GB
_ASCENDING_SORTS = frozenset({"headroom_mb"})  # where less is worse
_DAILY_KEYS = ("sim_card_id", "sim_group_id")
_NO_GROUP = "(no group)"

# ---------------------------------------------------------------------------------------------
# Input checks and conversions


def _require(df: object, columns: Iterable[str | None], func: str) -> pd.DataFrame:
    if not isinstance(df, pd.DataFrame):
        raise InvalidInputError(
            type(df).__name__,
            f"{func} needs a pandas DataFrame, got {type(df).__name__}",
            "Pass a frame built by simtools.frames (e.g. sim_cards_frame(...)).",
        )
    wanted = [c for c in dict.fromkeys(columns) if c is not None]
    missing = [c for c in wanted if c not in df.columns]
    if missing:
        raise InvalidInputError(
            missing,
            f"{func}: the frame lacks the column(s) {', '.join(map(repr, missing))}",
            f"Pass a frame with the columns {', '.join(wanted)}; "
            "simtools.frames.sim_cards_frame(...) builds one.",
        )
    return df


def _floats(df: pd.DataFrame, column: str) -> np.ndarray:
    """The column as float64 with NaN for missing values; non-numbers are refused."""
    series = df[column]
    try:
        if pd.api.types.is_bool_dtype(series.dtype):
            series = series.astype("Float64")
        return pd.to_numeric(series).to_numpy(dtype="float64", na_value=np.nan)
    except (TypeError, ValueError) as exc:
        raise InvalidInputError(
            column,
            f"column {column!r} must hold numbers, found dtype {series.dtype}",
            f"Convert it with pd.to_numeric(df[{column!r}], errors='coerce') first.",
        ) from exc


def _flags(df: pd.DataFrame, column: str) -> np.ndarray:
    """The column as bool, missing taken as False; an absent column is all False."""
    if column not in df.columns:
        return np.zeros(len(df), dtype=bool)
    try:
        return df[column].astype("boolean").to_numpy(dtype=bool, na_value=False)
    except (TypeError, ValueError) as exc:
        raise InvalidInputError(
            column,
            f"column {column!r} must hold True/False values, found dtype {df[column].dtype}",
            "Use the frame from simtools.frames.sim_cards_frame(...), where it is boolean.",
        ) from exc


def _texts(series: pd.Series, missing: str | None = None) -> np.ndarray:
    """Values as str in an object array; missing and blank ones become ``missing``."""
    text = series.astype("string")
    out = text.to_numpy(dtype=object)
    out[(text.str.strip() == "").fillna(True).to_numpy(dtype=bool)] = missing
    return out


def _check(value: object, name: str, low: float, high: float, what: str, hint: str) -> float:
    """A real number in (low, high]; ``what`` says what it means."""
    if isinstance(value, bool) or not isinstance(value, Real) or not low < float(value) <= high:
        raise InvalidInputError(value, f"{name}={value!r}: {name} must be {what}", hint)
    return float(value)


def _check_count(value: object, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InvalidInputError(
            value, f"{name}={value!r}: {name} must be a whole number of at least 1", f"{name}=30"
        )
    return value


def _check_threshold(value: object) -> float:
    what = "a fraction of the limit in (0, 1]"
    return _check(value, "threshold", 0, 1, what, "threshold=0.8 means 80% of the limit")


def _risk(limit: np.ndarray, util: np.ndarray, over: np.ndarray, threshold: float) -> np.ndarray:
    has_limit = ~np.isnan(limit)
    is_over = has_limit & (over | (util > 1))
    is_near = has_limit & ~is_over & (util >= threshold)
    return np.select([~has_limit, is_over, is_near], ["no limit", "over", "near"], default="ok")


def _risk_counts(risk: np.ndarray) -> str:
    """``"3 over limit, 5 near limit, 90 ok, 2 no limit"`` over the whole frame."""
    names, counts = np.unique(risk, return_counts=True)
    found = dict(zip(names.tolist(), counts.tolist(), strict=True))
    phrase = {"over": "over limit", "near": "near limit", "ok": "ok", "no limit": "no limit"}
    return ", ".join(f"{found[k]:,} {phrase[k]}" for k in phrase if k in found)


# ---------------------------------------------------------------------------------------------
# Axes helpers


def _new_axes(ax: Axes | None, width: float, height: float) -> Axes:
    if ax is not None:
        return ax
    # pyplot only here: a figure it manages is what Jupyter's inline backend displays.
    import matplotlib.pyplot as plt

    return plt.subplots(figsize=(width, height), layout="constrained")[1]


def _say(ax: Axes | None, message: str, title: str) -> Axes:
    """An Axes that states why there is nothing to draw."""
    ax = _new_axes(ax, 8.0, 3.0)
    ax.text(0.5, 0.5, message, ha="center", va="center", transform=ax.transAxes, color=_MUTED)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_title(title, loc="left")
    return ax


def _tidy(ax: Axes, grid: Literal["x", "y"]) -> None:
    """Light grid along ``grid`` behind the data, no top and right frame lines."""
    ax.grid(axis=grid, color="#e6e6e6", linewidth=0.8)
    ax.set_axisbelow(True)
    ax.spines[["top", "right"]].set_visible(False)


def _number(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}".rstrip("0").rstrip(".")


def _percent(share: float) -> str:
    """``97%``; one decimal just around 100% so 100.3% does not read as exactly at the limit."""
    if np.isnan(share):  # 0 MB used of a 0 MB limit
        return "–"
    if np.isinf(share):
        return "∞"
    if 0.995 <= share < 1.005 and share != 1:
        text = f"{share:.1%}"
        return text if text != "100.0%" else (">100%" if share > 1 else "<100%")
    return f"{share:.0%}"


class _ScaledLocator(ticker.MaxNLocator):
    """Nice tick steps in a scaled unit (GB) for data kept in MB."""

    def __init__(self, scale: float) -> None:
        super().__init__(nbins="auto", steps=[1, 2, 2.5, 5, 10])
        self._scale = scale

    def tick_values(self, vmin: float, vmax: float) -> Sequence[float]:
        ticks = super().tick_values(vmin / self._scale, vmax / self._scale)
        return [float(t) * self._scale for t in ticks]


def _data_axis(axis: Axis, largest_mb: float, what: str) -> None:
    """Label a data axis in MB, or in GB once values reach a few GB."""
    if largest_mb >= _GB_FROM_MB:
        axis.set_major_locator(_ScaledLocator(_MB_PER_GB))
        axis.set_major_formatter(ticker.FuncFormatter(lambda v, _: _number(round(v / 1024, 3))))
        axis.set_label_text(f"{what} (GB, 1 GB = 1,024 MB)")
    else:
        axis.set_major_formatter(ticker.FuncFormatter(lambda v, _: _number(v)))
        axis.set_label_text(f"{what} (MB)")


def _note(ax: Axes, text: str) -> None:
    """A small note between the title and the plot area (it is one of ``ax.texts``)."""
    ax.annotate(
        text,
        (0, 1),
        xycoords="axes fraction",
        xytext=(0, 4),
        textcoords="offset points",
        va="bottom",
        fontsize=8,
        color=_MUTED,
    )


def _side_legend(ax: Axes, *, last: str | None = None, title: str | None = None) -> None:
    """A legend right of the plot area, so it never hides data; ``last`` goes to the end."""
    handles, labels = ax.get_legend_handles_labels()
    pairs = sorted(zip(handles, labels, strict=True), key=lambda hl: hl[1] == last)
    ax.legend(
        *zip(*pairs, strict=True),
        loc="upper left",
        bbox_to_anchor=(1.01, 1.0),
        fontsize=8,
        title=title,
        title_fontsize=8,
        frameon=False,
    )


def _bar_captions(ax: Axes, x: np.ndarray, y: np.ndarray, captions: Sequence[str]) -> None:
    """Small text just right of each bar end."""
    for xi, yi, text in zip(x, y, captions, strict=True):
        if text:
            ax.annotate(
                text,
                (xi, yi),
                xytext=(5, 0),
                textcoords="offset points",
                va="center",
                fontsize=7.5,
                color=_MUTED,
            )


# ---------------------------------------------------------------------------------------------
# Per-SIM usage against the limit


def plot_usage_vs_limit(
    df: pd.DataFrame,
    *,
    top: int = 30,
    sort_by: str = "utilization",
    threshold: float = 0.8,
    label: str = "iccid",
    ax: Axes | None = None,
) -> Axes:
    """One horizontal bar per SIM for the data it used, with its limit as a black tick.

    Bars are coloured by risk (``RISK_COLORS``): ``over`` the limit (``over_limit`` or utilization
    above 100%), ``near`` it (utilization at or above ``threshold``), ``ok``, and grey hatched
    ``no limit``. The worst ``top`` SIMs by ``sort_by`` are drawn, worst at the top: largest first,
    except ``headroom_mb`` where least is worst. A note above the plot counts the risk classes
    over the whole frame and the SIMs not shown (SIMs without usage data are never drawn). Rows
    are labelled by ``label``, else by ``id``.
    """
    top = _check_count(top, "top")
    threshold = _check_threshold(threshold)
    required = ["consumed_mb", "data_limit_mb", "utilization", "over_limit", label, sort_by]
    df = _require(df, required, "plot_usage_vs_limit")
    title = "Data used vs limit per SIM card"
    n_total = len(df)
    if n_total == 0:
        return _say(ax, "No SIM cards to plot", title)
    consumed = _floats(df, "consumed_mb")
    limit = _floats(df, "data_limit_mb")
    risk = _risk(limit, _floats(df, "utilization"), _flags(df, "over_limit"), threshold)
    has_usage = ~np.isnan(consumed)
    n_usage = int(has_usage.sum())
    if n_usage == 0:
        return _say(ax, f"No usage data for the {n_total:,} SIM cards", title)

    descending = sort_by not in _ASCENDING_SORTS
    key = _floats(df, sort_by)
    key = np.where(np.isnan(key), np.inf, -key if descending else key)
    # Worst first, ties by more data used; SIMs without usage data sort last and are not drawn.
    order = np.lexsort((np.where(has_usage, -consumed, np.inf), key, ~has_usage))
    chosen = order[: min(top, n_usage)]
    n = len(chosen)

    ax = _new_axes(ax, 9.0, 1.7 + 0.27 * n)
    y = np.arange(n)
    used, lim, drawn = consumed[chosen], limit[chosen], risk[chosen]
    legend = {
        "over": "over limit",
        "near": f"near limit (≥ {threshold:.0%})",
        "ok": f"ok (< {threshold:.0%})",
        "no limit": "no limit",
    }
    for name in _RISKS:
        if (sel := drawn == name).any():
            hatched = name == "no limit"
            ax.barh(
                y[sel],
                used[sel],
                height=0.7,
                color=RISK_COLORS[name],
                linewidth=0,
                hatch="////" if hatched else None,
                edgecolor="#8a8a8a" if hatched else "none",
                label=legend[name],
            )
    with_limit = ~np.isnan(lim)
    if with_limit.any():
        ax.plot(
            lim[with_limit],
            y[with_limit],
            linestyle="none",
            marker="|",
            markersize=15,
            markeredgewidth=2.2,
            color=_LIMIT_COLOR,
            label="data limit",
        )
    ends = np.fmax(used, np.where(with_limit, lim, 0.0))
    with np.errstate(divide="ignore", invalid="ignore"):
        shares = used / lim
    captions = [_percent(s) if w else "" for s, w in zip(shares, with_limit, strict=True)]
    _bar_captions(ax, ends, y, captions)

    largest = float(ends.max())
    ax.set_xlim(0, largest * 1.1 if largest > 0 else 1.0)
    ax.set_ylim(n - 0.5, -0.5)  # worst on top
    labels = _texts(df[label].iloc[chosen])
    ids = _texts(df["id"].iloc[chosen]) if "id" in df.columns else [None] * n
    fallback = [f"row {i}" for i in df.index[chosen]]
    ax.set_yticks(
        y,
        [a or b or c for a, b, c in zip(labels, ids, fallback, strict=True)],
        fontsize=8,
        family="monospace",
    )
    ax.tick_params(axis="y", length=0)
    _data_axis(ax.xaxis, largest, "Data used")
    _tidy(ax, "x")
    _side_legend(ax, last="data limit")
    which = "highest" if descending else "lowest"
    left_out = n_total - n
    ax.set_title(
        f"{title}: {n:,} {which} {sort_by}", loc="left", fontsize=11, pad=30 if left_out else 18
    )
    text = f"{n_total:,} SIMs: {_risk_counts(risk)}"
    if left_out:
        text += f"\nshowing the {n:,} {which} by {sort_by} of {n_total:,} SIMs; "
        text += f"{left_out:,} not shown"
        if n_usage < n_total:
            text += f" ({n_total - n_usage:,} of them without usage data)"
    _note(ax, text)
    return ax


# ---------------------------------------------------------------------------------------------
# Distribution of utilization


def plot_utilization_histogram(
    df: pd.DataFrame,
    *,
    threshold: float = 0.8,
    bins: int = 30,
    clip: float = 1.5,
    ax: Axes | None = None,
) -> Axes:
    """Histogram of utilization (data used / limit) over the SIMs that have one.

    ``bins`` equal bins span 0 to ``clip`` (150%); higher values land in one hatched overflow
    bin labelled ``>150%``. Bins are coloured by the risk zone they sit in; vertical lines mark
    ``threshold`` and 100%. The title counts SIMs near and over the limit (``over_limit`` is
    honoured when the frame has it); SIMs without utilization are counted in a note, not drawn.
    """
    threshold = _check_threshold(threshold)
    bins = _check_count(bins, "bins")
    clip = _check(clip, "clip", 1, 100, "a utilization above 1 (100%)", "clip=1.5 for 150%")
    df = _require(df, ["utilization"], "plot_utilization_histogram")
    title = "Utilization of data limits"
    if len(df) == 0:
        return _say(ax, "No SIM cards to plot", title)
    util = _floats(df, "utilization")
    known = ~np.isnan(util)
    n_known = int(known.sum())
    if n_known == 0:
        why = f"No utilization data for the {len(df):,} SIM cards (no data limit or no usage)"
        return _say(ax, why, title)
    values = np.clip(util[known], 0.0, None)
    is_over = (values > 1) | _flags(df, "over_limit")[known]
    n_over = int(is_over.sum())
    n_near = int((~is_over & (values >= threshold)).sum())

    ax = _new_axes(ax, 8.0, 4.2)
    edges = np.linspace(0.0, clip, bins + 1)
    counts, _ = np.histogram(values[values <= clip], bins=edges)
    centres = (edges[:-1] + edges[1:]) / 2
    zone = np.select([centres > 1, centres >= threshold], ["over", "near"], default="ok")
    for name in ("ok", "near", "over"):
        if (sel := zone == name).any():
            ax.bar(
                edges[:-1][sel],
                counts[sel],
                width=np.diff(edges)[sel],
                align="edge",
                color=RISK_COLORS[name],
                edgecolor="white",
                linewidth=0.6,
            )
    ticks = [float(t) for t in np.arange(0.0, clip + 1e-9, 0.25)]
    right = clip
    if n_overflow := int((values > clip).sum()):
        width = max(2 * clip / bins, 0.06)
        left = clip + width / 3
        ax.bar(
            left,
            n_overflow,
            width=width,
            align="edge",
            color=RISK_COLORS["over"],
            hatch="///",
            edgecolor="white",
            linewidth=0.6,
        )
        ticks = [t for t in ticks if t < clip - 1e-9] + [left + width / 2]
        right = left + width * 1.15
    ax.axvline(threshold, color="#9a6100", linestyle="--", label=f"threshold {threshold:.0%}")
    ax.axvline(1.0, color=_LIMIT_COLOR, label="limit (100%)")
    ax.set_xlim(0.0, right)
    ax.xaxis.set_major_locator(ticker.FixedLocator(ticks))
    ax.xaxis.set_major_formatter(
        ticker.FuncFormatter(lambda v, _: f">{clip:.0%}" if v > clip + 1e-9 else f"{v:.0%}")
    )
    ax.yaxis.set_major_locator(ticker.MaxNLocator(integer=True))
    ax.set_xlabel("Utilization (data used / data limit)")
    ax.set_ylabel("SIM cards")
    _tidy(ax, "y")
    _side_legend(ax)
    heading = f"{title}: {n_near:,} near (≥ {threshold:.0%}), {n_over:,} over limit"
    ax.set_title(heading, loc="left", fontsize=11, pad=18)
    note = f"{n_known:,} SIMs with a limit and usage data"
    if n_known < len(df):
        note += f"; {len(df) - n_known:,} without (no limit or no usage data) not counted"
    _note(ax, note)
    return ax


# ---------------------------------------------------------------------------------------------
# Usage per SIM card group


def _group_table(data: pd.DataFrame, label_column: str | None) -> pd.DataFrame:
    """Per group: label, consumed_mb, data_limit_mb, sim_count, sims_with_limit, over."""
    if {"sim_count", "consumed_mb", "data_limit_mb"} <= set(data.columns):  # usage_summary
        _require(data, [label_column], "plot_group_usage")
        labels = data[label_column] if label_column else data.index.to_series()
        optional = {"sims_with_limit": "sims_with_limit", "over": "over_limit_count"}
        return pd.DataFrame(
            {
                "label": _texts(labels, _NO_GROUP),
                "consumed_mb": _floats(data, "consumed_mb"),
                "data_limit_mb": _floats(data, "data_limit_mb"),
                "sim_count": _floats(data, "sim_count"),
            }
            | {k: _floats(data, c) if c in data.columns else np.nan for k, c in optional.items()}
        )
    if label_column is None and "sim_card_group_name" in data.columns:
        label_column = "sim_card_group_name"
    required = ["sim_card_group_id", "consumed_mb", "data_limit_mb", label_column]
    _require(data, required, "plot_group_usage")
    limit = _floats(data, "data_limit_mb")
    rows = pd.DataFrame(
        {
            "key": _texts(data["sim_card_group_id"], _NO_GROUP),
            "consumed_mb": _floats(data, "consumed_mb"),
            "data_limit_mb": limit,
            "has_limit": ~np.isnan(limit),
            "over": _flags(data, "over_limit") if "over_limit" in data.columns else np.nan,
            "name": _texts(data[label_column]) if label_column else None,
        }
    )
    grouped = rows.groupby("key", sort=False)
    out = pd.DataFrame(
        {
            "consumed_mb": grouped["consumed_mb"].sum(min_count=1),
            "data_limit_mb": grouped["data_limit_mb"].sum(min_count=1),
            "sim_count": grouped.size(),
            "sims_with_limit": grouped["has_limit"].sum(),
            "over": grouped["over"].sum(min_count=1),
            "label": grouped["name"].first(),  # first non-missing name in the group
        }
    )
    out["label"] = out["label"].where(out["label"].notna(), out.index.to_series())
    return out.reset_index(drop=True).astype({"sim_count": float, "sims_with_limit": float})


def _group_caption(used: float, limit: float, sims: float, with_limit: float, over: float) -> str:
    """Bar-end text: share of the limit (only when every SIM has one) and SIMs over it."""
    parts = []
    if np.isnan(used):
        parts.append("no usage data")
    elif limit > 0 and not with_limit < sims:  # NaN-safe: an unknown count does not block
        parts.append(f"{_percent(used / limit)} of limit")
    if over > 0:
        parts.append(f"{int(over):,} over limit")
    return " · ".join(parts)


def _group_label(label: str, sims: float, with_limit: float) -> str:
    """Tick label: the group's name over its SIM count (and how many have no limit)."""
    if np.isnan(sims):
        return label
    text = f"{label}\n{int(sims):,} SIM{'' if sims == 1 else 's'}"
    if with_limit < sims:
        text += f", {int(sims - with_limit):,} no limit"
    return text


def plot_group_usage(
    summary_or_df: pd.DataFrame,
    *,
    top: int = 30,
    label_column: str | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Data used next to the summed data limits, one pair of bars per SIM card group.

    Takes a ``usage_summary`` frame (indexed by group; labels from the index or ``label_column``)
    or a fleet frame, summed here per ``sim_card_group_id`` and labelled by ``label_column``, else
    ``sim_card_group_name`` when present. Groups are sorted by data used, largest on top; beyond
    ``top`` groups a note counts the rest. The limit bar sums the limits of the SIMs that have
    one, so each row also says how many SIMs it holds and how many lack a limit.
    """
    top = _check_count(top, "top")
    table = _group_table(_require(summary_or_df, [], "plot_group_usage"), label_column)
    title = "Data used vs limit per SIM card group"
    if table.empty:
        return _say(ax, "No SIM card groups to plot", title)
    known = table["consumed_mb"].notna() | table["data_limit_mb"].notna()
    if not known.any():
        return _say(ax, f"No usage data for the {len(table):,} SIM card groups", title)
    table = table[known].sort_values(
        ["consumed_mb", "data_limit_mb"], ascending=False, na_position="last", kind="stable"
    )
    shown = table.head(top)
    n = len(shown)

    ax = _new_axes(ax, 9.0, 1.7 + 0.5 * n)
    y = np.arange(n, dtype=float)
    used, lim, sims, with_limit, over = (
        shown[c].to_numpy(dtype=float)
        for c in ("consumed_mb", "data_limit_mb", "sim_count", "sims_with_limit", "over")
    )
    ax.barh(y - 0.19, np.nan_to_num(used), height=0.38, color=RISK_COLORS["ok"], label="data used")
    ax.barh(
        y + 0.19,
        np.nan_to_num(lim),
        height=0.38,
        color="#d9d9d9",
        edgecolor="#8a8a8a",
        linewidth=0.6,
        label="data limit\n(sum over SIMs\nwith a limit)",
    )
    ends = np.fmax(np.nan_to_num(used), np.nan_to_num(lim))
    columns = zip(used, lim, sims, with_limit, over, strict=True)
    _bar_captions(ax, ends, y, [_group_caption(*values) for values in columns])
    largest = float(ends.max())
    ax.set_xlim(0, largest * 1.18 if largest > 0 else 1.0)
    ax.set_ylim(n - 0.5, -0.5)
    names = [str(v) for v in shown["label"]]
    ticks = [_group_label(*v) for v in zip(names, sims, with_limit, strict=True)]
    ax.set_yticks(y, ticks, fontsize=8)
    ax.tick_params(axis="y", length=0)
    _data_axis(ax.xaxis, largest, "Data")
    _tidy(ax, "x")
    _side_legend(ax)
    left_out = len(table) - n
    ax.set_title(title, loc="left", fontsize=11, pad=18 if left_out else 8)
    if left_out:
        _note(
            ax, f"showing the {n:,} of {len(table):,} groups that used most; {left_out:,} not shown"
        )
    return ax


# ---------------------------------------------------------------------------------------------
# Usage over time


def _day_index(series: pd.Series) -> np.ndarray:
    """Dates as naive UTC datetime64, so matplotlib's date axis needs no time zone."""
    try:
        stamps = pd.to_datetime(series, utc=True)
    except (TypeError, ValueError) as exc:
        raise InvalidInputError(
            "date",
            f"column 'date' must hold dates, found dtype {series.dtype}",
            "Use the frame from simtools.history.daily_usage(...), or pd.to_datetime the column.",
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
    daily = _require(daily, ["date", "total_mb", by], "plot_daily_usage")
    key = by or next((c for c in _DAILY_KEYS if c in daily.columns), None)
    title = "Data used per day" + (f" by {key}" if key else "")
    if len(daily) == 0:
        return _say(ax, "No usage data", title)
    days = _day_index(daily["date"])
    total = _floats(daily, "total_mb")
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
