"""Usage history drawn: cost by group and month, a SIM's daily usage against its baseline band,
and where the fleet roams (data abroad by country)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib import dates as mdates
from matplotlib import ticker
from matplotlib.axes import Axes

from simtools.analysis.anomalies import usage_baseline
from simtools.analysis.cost import cost_by
from simtools.analysis.networks import usage_by_network
from simtools.errors import InvalidInputError
from simtools.plots._style import (
    _bar_captions,
    _check_count,
    _new_axes,
    _note,
    _say,
    _side_legend,
    _tidy,
)

__all__ = ["plot_cost_by_month", "plot_roaming_by_country", "plot_usage_anomaly"]

#: Colour-blind safe (Okabe-Ito), then grey for "other".
_PALETTE = ("#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#f0e442", "#000000")
_OTHER = "#bdbdbd"
_BAND = "#9ecae1"
_ANOMALY = "#d1452f"
_HOME = "#4c7fb0"
_ABROAD = "#f0a030"


def _one_currency(
    frame: pd.DataFrame, currency: str | None, caller: str
) -> tuple[pd.DataFrame, str]:
    present = [str(c) for c in frame["currency"].dropna().unique()]
    if currency is None:
        if len(present) > 1:
            raise InvalidInputError(
                present, f"{caller}: the costs are in {', '.join(present)}", "pass currency='USD'"
            )
        currency = present[0] if present else "?"
    return frame[frame["currency"].astype("string") == currency], currency


#: What a ``by`` key is called on a figure, and what its missing value reads as.
_KEY_WORDS = {
    "sim_group_name": ("group", "(no group)"),
    "sim_group_id": ("group id", "(no group)"),
    "sim_card_id": ("SIM card", "(no SIM card)"),
    "tag": ("tag", "(no tag)"),
}


def plot_cost_by_month(
    history: pd.DataFrame,
    *,
    by: str = "sim_group_name",
    top: int = 7,
    currency: str | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Cost per month as stacked bars, one colour per ``by`` key (the ``top`` costliest, the rest
    as ``other``), each bar captioned with its total. ``history`` is a usage-history frame or
    ``cost_by``'s result."""
    top = _check_count(top, "top")
    word, missing = _KEY_WORDS.get(by, (by, f"(no {by})"))
    title = f"Cost per month by {word}"
    totals = history if "month" in history.columns else cost_by(history, by)
    if by not in totals.columns:
        raise InvalidInputError(by, f"the totals have no {by!r} column", f"use cost_by(df, {by!r})")
    totals, currency = _one_currency(totals, currency, "plot_cost_by_month")
    if totals.empty or not float(totals["cost"].sum()) > 0:
        return _say(ax, "No cost in this history", title)
    keys = totals[by].astype("string").fillna(missing)
    ranked = totals.groupby(keys)["cost"].sum().sort_values(ascending=False).index
    kept = list(ranked[:top])
    label = keys.where(keys.isin(kept), "other")
    table = totals.assign(label=label).pivot_table(
        index="month", columns="label", values="cost", aggfunc="sum", fill_value=0.0, observed=True
    )
    table = table[[*kept, *(["other"] if "other" in table.columns else [])]].astype("float64")
    ax = _new_axes(ax, 10.0, 4.5)
    x = np.arange(len(table))
    bottom = np.zeros(len(table))
    for i, column in enumerate(table.columns):
        color = _OTHER if column == "other" else _PALETTE[i % len(_PALETTE)]
        values = table[column].to_numpy()
        ax.bar(x, values, bottom=bottom, color=color, label=str(column), width=0.8)
        bottom += values
    labels = [pd.Timestamp(m).strftime("%b\n%Y") for m in table.index]
    if "start" in history.columns and len(history):
        latest = history["start"].max()
        if latest + pd.Timedelta(days=1) < table.index[-1] + pd.offsets.MonthBegin(1):
            labels[-1] += "\n(so far)"
    ax.set_xticks(x, labels, fontsize=8)
    for xi, total in zip(x, bottom, strict=True):
        ax.annotate(
            f"{total:,.0f}",
            (xi, total),
            xytext=(0, 2),
            textcoords="offset points",
            ha="center",
            va="bottom",
            fontsize=7,
        )
    ax.set_ylabel(f"cost ({currency})")
    ax.yaxis.set_major_formatter(ticker.FuncFormatter(lambda v, _: f"{v:,.0f}"))
    ax.set_title(title, loc="left", pad=16)
    _note(ax, f"{currency}, by the month each session started (UTC); {len(table)} months")
    _tidy(ax, "y")
    _side_legend(ax, last="other", title=word)
    return ax


def plot_usage_anomaly(
    history: pd.DataFrame,
    sim_card_id: str,
    *,
    window: int = 28,
    threshold: float = 8.0,
    min_factor: float = 10.0,
    ax: Axes | None = None,
) -> Axes:
    """One SIM's daily usage with its rolling baseline (median of the ``window`` days before)
    and the band outside which a day may be an anomaly; anomaly days are marked."""
    table = usage_baseline(
        history, sim_card_id, window=window, threshold=threshold, min_factor=min_factor
    )
    ax = _new_axes(ax, 10.0, 4.0)
    days = table["date"].dt.tz_localize(None).to_numpy(dtype="datetime64[ns]")
    usage = table["total_mb"].astype("float64").to_numpy()
    low = table["band_low_mb"].astype("float64").to_numpy()
    high = table["band_high_mb"].astype("float64").to_numpy()
    base = table["baseline_mb"].astype("float64").to_numpy()
    ax.fill_between(days, low, high, color=_BAND, alpha=0.45, linewidth=0, label="normal band")
    ax.plot(days, base, color="#3182bd", linestyle="--", linewidth=1, label="baseline (median)")
    ax.plot(days, usage, color="#1f1f1f", linewidth=0.9, label="data per day")
    hit = table["anomaly"].fillna(False).to_numpy(dtype=bool)
    if hit.any():
        ax.scatter(days[hit], usage[hit], color=_ANOMALY, s=22, zorder=3, label="anomaly")
    ax.set_yscale(
        "symlog",
        linthresh=max(1.0, float(np.nanmedian(base[base > 0])) if (base > 0).any() else 1.0),
    )
    # 0 is left unlabelled: on the log part of the axis its label would sit on the next one's
    ax.yaxis.set_major_formatter(ticker.FuncFormatter(lambda v, _: f"{v:,.0f}" if v else ""))
    ax.set_ylabel("data per day (MB, log scale)")
    locator = mdates.AutoDateLocator()  # type: ignore[no-untyped-call]
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))  # type: ignore[no-untyped-call]
    short = str(sim_card_id)[:8]
    ax.set_title(f"SIM {short}…: daily data against its own baseline", loc="left", pad=16)
    _note(
        ax,
        f"{int(hit.sum())} anomaly day(s): at least {min_factor:g}x the median of the "
        f"{window} days before and {threshold:g} robust spreads above it",
    )
    _tidy(ax, "y")
    _side_legend(ax)
    return ax


def _share(share: float) -> str:
    return "<0.1%" if 0 < share < 0.001 else f"{share:.1%}"


def plot_roaming_by_country(
    history: pd.DataFrame, *, home_country: str = "US", top: int = 12, ax: Axes | None = None
) -> Axes:
    """Data per country as horizontal bars (home in blue, abroad in orange), biggest first, each
    captioned with its share of all data and its cost; the title gives the roaming share."""
    top = _check_count(top, "top")
    title = "Where the data goes, by country"
    table = (
        history
        if "share_of_mb" in history.columns
        else usage_by_network(history, home_country=home_country, by="country")
    )
    if table.empty or not float(table["total_mb"].sum()) > 0:
        return _say(ax, "No data in this history", title)
    per = (
        table.groupby(["country_code", "country"], dropna=False, observed=True)
        .agg(total_mb=("total_mb", "sum"), cost=("cost", "sum"), roaming=("roaming", "first"))
        .reset_index()
        .sort_values("total_mb", ascending=False)
    )
    shown = per.head(top).iloc[::-1]
    all_mb = float(per["total_mb"].sum())
    abroad = float(per.loc[per["roaming"].fillna(False).astype(bool), "total_mb"].sum())
    ax = _new_axes(ax, 9.0, 0.45 * len(shown) + 1.6)
    y = np.arange(len(shown))
    mb = shown["total_mb"].astype("float64").to_numpy()
    colors = [_ABROAD if bool(r) else _HOME for r in shown["roaming"].fillna(False)]
    ax.barh(y, mb, color=colors)
    names = [
        f"{c} ({k})" if isinstance(k, str) else str(c)
        for c, k in zip(
            shown["country"].fillna("unknown network"), shown["country_code"], strict=True
        )
    ]
    ax.set_yticks(y, names, fontsize=8)
    ax.set_xscale("log")
    captions = [
        f"{_share(float(m) / all_mb)} · {c:,.0f}"
        for m, c in zip(mb, shown["cost"].astype("float64"), strict=True)
    ]
    _bar_captions(ax, mb, y, captions)
    ax.set_xlabel("data (MB, log scale)")
    ax.set_title(
        f"{title}: {abroad / all_mb:.1%} of data abroad (home {home_country})", loc="left", pad=16
    )
    _note(ax, "bar: data; caption: share of all data · cost; orange = roaming")
    _tidy(ax, "x")
    ax.set_xlim(right=float(mb.max()) * 8)
    return ax
