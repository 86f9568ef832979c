"""Shared pieces of the plots: option checks, labels, axes, notes and legends (the risk classes
and column readings are the analysis layer's, :mod:`simtools.analysis.risk`)."""

from __future__ import annotations

from collections.abc import Sequence
from numbers import Real
from typing import Literal

import numpy as np
import pandas as pd
from matplotlib import ticker
from matplotlib.axes import Axes
from matplotlib.axis import Axis

from simtools.analysis.risk import risk_counts
from simtools.errors import InvalidInputError
from simtools.inputs.arguments import check_threshold

#: Bar colours by risk class, colour-blind safe (blue / orange / vermilion / grey).
RISK_COLORS: dict[str, str] = {
    "ok": "#4c7fb0",
    "near": "#f0a030",
    "over": "#d1452f",
    "no limit": "#bdbdbd",
}
_LIMIT_COLOR = "#1f1f1f"
_MUTED = "#555555"
_MB_PER_GB = 1024.0
_GB_FROM_MB = 4 * _MB_PER_GB  # from 4 GB on, data axes read in GB
_DAILY_KEYS = ("sim_card_id", "sim_group_id")
_NO_GROUP = "(no group)"

# ---------------------------------------------------------------------------------------------
# Input checks and conversions


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
    return check_threshold(value)


def _risk_counts(risk: np.ndarray) -> str:
    """``"3 over limit, 5 near limit, 90 ok, 2 no limit"`` over the whole frame."""
    phrase = {"over": "over limit", "near": "near limit", "ok": "ok", "no limit": "no limit"}
    return ", ".join(f"{n:,} {phrase[k]}" for k, n in risk_counts(risk).items())


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
