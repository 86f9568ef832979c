"""Usage against limits: one bar per SIM, and the utilization histogram."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib import ticker
from matplotlib.axes import Axes

from simtools.analysis.risk import (
    ASCENDING_SORTS,
    RISKS,
    flags,
    floats,
    risk_classes,
    worst_first,
)
from simtools.frames.schema import require_columns
from simtools.plots._style import (
    _LIMIT_COLOR,
    RISK_COLORS,
    _bar_captions,
    _check,
    _check_count,
    _check_threshold,
    _data_axis,
    _new_axes,
    _note,
    _percent,
    _risk_counts,
    _say,
    _side_legend,
    _texts,
    _tidy,
)

#: How the sort keys read in titles and notes.
_SORT_WORDS = {
    "consumed_mb": "data used",
    "data_limit_mb": "data limit",
    "headroom_mb": "headroom",
    "utilization": "utilization",
}


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
    df = require_columns(df, required, caller="plot_usage_vs_limit")
    title = "Data used vs limit per SIM card"
    n_total = len(df)
    if n_total == 0:
        return _say(ax, "No SIM cards to plot", title)
    consumed = floats(df, "consumed_mb")
    limit = floats(df, "data_limit_mb")
    risk = risk_classes(df, threshold)
    order = worst_first(df, sort_by)  # SIMs without usage data are never drawn
    n_usage = len(order)
    if n_usage == 0:
        return _say(ax, f"No usage data for the {n_total:,} SIM cards", title)
    descending = sort_by not in ASCENDING_SORTS
    chosen = order[:top]
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
    for name in RISKS:
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
    words = _SORT_WORDS.get(sort_by, sort_by.replace("_", " "))
    ax.set_title(
        f"{title}: the {n:,} {which} by {words}",
        loc="left",
        fontsize=11,
        pad=30 if left_out else 18,
    )
    text = f"{n_total:,} SIMs: {_risk_counts(risk)}"
    if left_out:
        text += f"\nshowing the {n:,} {which} by {words} of {n_total:,} SIMs; "
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
    df = require_columns(df, ["utilization"], caller="plot_utilization_histogram")
    title = "Utilization of data limits"
    if len(df) == 0:
        return _say(ax, "No SIM cards to plot", title)
    util = floats(df, "utilization")
    known = ~np.isnan(util)
    n_known = int(known.sum())
    if n_known == 0:
        why = f"No utilization data for the {len(df):,} SIM cards (no data limit or no usage)"
        return _say(ax, why, title)
    values = np.clip(util[known], 0.0, None)
    is_over = (values > 1) | flags(df, "over_limit")[known]
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
