"""Consumption against summed limits, one pair of bars per SIM card group."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from simtools.analysis.group_limits import group_limit_figures
from simtools.analysis.risk import flags, floats
from simtools.frames.schema import require_columns
from simtools.plots._style import (
    _NO_GROUP,
    RISK_COLORS,
    _bar_captions,
    _check_count,
    _data_axis,
    _new_axes,
    _note,
    _percent,
    _say,
    _side_legend,
    _texts,
    _tidy,
)


def _group_table(
    data: pd.DataFrame, label_column: str | None, groups: pd.DataFrame | None
) -> pd.DataFrame:
    """Per group: label, consumed_mb, data_limit_mb, sim_count, sims_with_limit, over and
    group_limit (the group's own data limit, NaN without one)."""
    if {"sim_count", "consumed_mb", "data_limit_mb"} <= set(data.columns):  # usage_summary
        on_index = label_column is None or label_column in data.index.names
        require_columns(data, [None if on_index else label_column], caller="plot_group_usage")
        if on_index and isinstance(data.index, pd.MultiIndex) and label_column is not None:
            labels = data.index.get_level_values(label_column).to_series()
        else:
            labels = data.index.to_series() if on_index else data[label_column]
        optional = {
            "sims_with_limit": "sims_with_limit",
            "over": "over_limit_count",
            "group_limit": "group_data_limit_mb",
        }
        return pd.DataFrame(
            {
                "label": _texts(labels, _NO_GROUP),
                "consumed_mb": floats(data, "consumed_mb"),
                "data_limit_mb": floats(data, "data_limit_mb"),
                "sim_count": floats(data, "sim_count"),
            }
            | {k: floats(data, c) if c in data.columns else np.nan for k, c in optional.items()}
        )
    if label_column is None and "sim_card_group_name" in data.columns:
        label_column = "sim_card_group_name"
    required = ["sim_card_group_id", "consumed_mb", "data_limit_mb", label_column]
    require_columns(data, required, caller="plot_group_usage")
    limit = floats(data, "data_limit_mb")
    rows = pd.DataFrame(
        {
            "key": _texts(data["sim_card_group_id"], _NO_GROUP),
            "consumed_mb": floats(data, "consumed_mb"),
            "data_limit_mb": limit,
            "has_limit": ~np.isnan(limit),
            "over": flags(data, "over_limit") if "over_limit" in data.columns else np.nan,
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
    out["group_limit"] = np.nan
    if groups is not None:
        figures = group_limit_figures(groups, data)
        out["group_limit"] = floats(figures.reindex(out.index.to_numpy()), "group_data_limit_mb")
    return out.reset_index(drop=True).astype({"sim_count": float, "sims_with_limit": float})


def _group_caption(
    used: float, limit: float, sims: float, with_limit: float, over: float, own: float
) -> str:
    """Bar-end text: share of the group's own limit where it has one, else of the summed
    limits (only when every SIM has one), and SIMs over it."""
    parts = []
    if np.isnan(used):
        parts.append("no usage data")
    elif own > 0:
        parts.append(f"{_percent(used / own)} of group limit")
    elif limit > 0 and not with_limit < sims:  # NaN-safe: an unknown count does not block
        parts.append(f"{_percent(used / limit)} of limit")
    if over > 0:
        parts.append(f"{int(over):,} over limit")
    return " · ".join(parts)


def _group_label(label: str, sims: float, with_limit: float, own: float = np.nan) -> str:
    """Tick label: the group's name over its SIM count (and how many have no limit, or that
    the group's own limit applies)."""
    if np.isnan(sims):
        return label
    text = f"{label}\n{int(sims):,} SIM{'' if sims == 1 else 's'}"
    if not np.isnan(own):
        text += ", group limit"
    elif with_limit < sims:
        text += f", {int(sims - with_limit):,} no limit"
    return text


def plot_group_usage(
    summary_or_df: pd.DataFrame,
    *,
    top: int = 30,
    label_column: str | None = None,
    groups: pd.DataFrame | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Data used next to the summed data limits, one pair of bars per SIM card group.

    Takes a ``usage_summary`` frame (indexed by group; labels from the index or ``label_column``)
    or a fleet frame, summed here per ``sim_card_group_id`` and labelled by ``label_column``, else
    ``sim_card_group_name`` when present. Groups are sorted by data used, largest on top; beyond
    ``top`` groups a note counts the rest. The limit bar sums the limits of the SIMs that have
    one, so each row also says how many SIMs it holds and how many lack a limit. A group with a
    data limit of its own is compared with that instead: from ``groups`` (a
    ``sim_card_groups_frame``) for a fleet frame, from ``group_data_limit_mb`` for a summary made
    with ``usage_summary(..., groups=...)``.
    """
    top = _check_count(top, "top")
    table = _group_table(
        require_columns(summary_or_df, [], caller="plot_group_usage"), label_column, groups
    )
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
    columns_drawn = ("consumed_mb", "data_limit_mb", "sim_count", "sims_with_limit", "over")
    used, summed, sims, with_limit, over, own = (
        shown[c].to_numpy(dtype=float) for c in (*columns_drawn, "group_limit")
    )
    lim = np.where(np.isnan(own), summed, own)
    ax.barh(y - 0.19, np.nan_to_num(used), height=0.38, color=RISK_COLORS["ok"], label="data used")
    ax.barh(
        y + 0.19,
        np.nan_to_num(lim),
        height=0.38,
        color="#d9d9d9",
        edgecolor="#8a8a8a",
        linewidth=0.6,
        label="data limit\n(the group's own,\nelse the sum over\nSIMs with a limit)"
        if (~np.isnan(own)).any()
        else "data limit\n(sum over SIMs\nwith a limit)",
    )
    ends = np.fmax(np.nan_to_num(used), np.nan_to_num(lim))
    columns = zip(used, summed, sims, with_limit, over, own, strict=True)
    _bar_captions(ax, ends, y, [_group_caption(*values) for values in columns])
    largest = float(ends.max())
    ax.set_xlim(0, largest * 1.18 if largest > 0 else 1.0)
    ax.set_ylim(n - 0.5, -0.5)
    names = [str(v) for v in shown["label"]]
    ticks = [_group_label(*v) for v in zip(names, sims, with_limit, own, strict=True)]
    ax.set_yticks(y, ticks, fontsize=8)
    ax.tick_params(axis="y", length=0)
    _data_axis(ax.xaxis, largest, "Data")
    _tidy(ax, "x")
    _side_legend(ax)
    left_out = len(table) - n
    notes = []
    if left_out:
        notes.append(
            f"showing the {n:,} of {len(table):,} groups that used most; {left_out:,} not shown"
        )
    mixed = np.isnan(own) & (with_limit < sims)
    if mixed.any():
        lacking = int((sims - with_limit)[mixed].sum())
        notes.append(
            f"not like for like in {int(mixed.sum()):,} group(s): data used counts all their "
            f"SIMs, the limit bar sums only those with a limit ({lacking:,} SIMs have none)"
        )
    ax.set_title(title, loc="left", fontsize=11, pad=8 + 12 * len(notes))
    if notes:
        _note(ax, "\n".join(notes))
    return ax


# ---------------------------------------------------------------------------------------------
# Usage over time
