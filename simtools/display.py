"""How frames are shown to people: one formatting for notebooks, the HTML report and the CLI.

A frame keeps its declared values and dtypes (the contracts); only its display changes.
:func:`format_frame` returns a copy whose cells are text, read from the column names the
contracts use: ``*_mb`` columns as MB with thousands separators, ``*utilization`` and
``*_fraction`` columns as percentages, tuples of tags as ``eu, tracker``, UTC timestamps to
the minute, missing values blank. :func:`show` wraps a frame so that Jupyter and the report
render that text as a compact HTML table (and ``print`` gives the same cells as plain text).
"""

from __future__ import annotations

import html
import math
import numbers
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from simtools.errors import InvalidInputError

__all__ = ["Shown", "column_label", "format_frame", "format_value", "show"]

#: Column name -> the header people read (anything else: underscores become spaces).
_LABELS: Mapping[str, str] = {
    "sim_card_group_name": "group",
    "sim_card_group_id": "group id",
    "sim_card_id": "SIM id",
    "iccid": "ICCID",
    "consumed_mb": "data used (MB)",
    "data_limit_mb": "data limit (MB)",
    "headroom_mb": "headroom (MB)",
    "utilization": "used of limit",
    "mean_utilization": "mean used of limit",
    "max_utilization": "max used of limit",
    "sim_count": "SIMs",
    "sim_card_count": "SIMs",
    "sims_with_limit": "SIMs with a limit",
    "over_limit_count": "over limit",
    "near_limit_count": "near limit",
    "group_data_limit_mb": "group limit (MB)",
    "group_utilization": "group used of limit",
    "sims_on_group_limit": "SIMs on group limit",
    "projected_mb": "projected use (MB)",
    "projected_utilization": "projected used of limit",
    "projected_over_limit": "projected over limit",
    "limit_crossing_at": "crosses limit at",
    "elapsed_fraction": "period elapsed",
    "total_mb": "data used (MB)",
    "uplink_mb": "uplink (MB)",
    "downlink_mb": "downlink (MB)",
}


def column_label(name: str) -> str:
    """The header shown for a column: ``consumed_mb`` -> ``data used (MB)``."""
    if name in _LABELS:
        return _LABELS[name]
    if name.endswith("_mb"):
        return f"{name[:-3].replace('_', ' ')} (MB)"
    return name.replace("_", " ")


def _is_share(name: str) -> bool:
    return name.endswith("utilization") or name.endswith("_fraction") or name == "share"


def _missing(value: Any) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float) and math.isnan(value)


def format_value(value: Any, column: str = "") -> str:
    """One cell as text, by what its column holds (see the module's description)."""
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    if _missing(value):
        return ""
    if isinstance(value, pd.Timestamp):
        if value.tzinfo is not None:
            return value.tz_convert("UTC").strftime("%Y-%m-%d %H:%M UTC")
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, bool | np.bool_):
        return "yes" if value else "no"
    if isinstance(value, numbers.Integral):
        return f"{int(value):,}"
    if isinstance(value, numbers.Real):
        value = float(value)
        if math.isinf(value):
            return "∞" if value > 0 else "-∞"
        if _is_share(column):
            text = f"{value:.0%}"
            if 0.995 <= value < 1.005 and value != 1:  # 100.3% must not read as at the limit
                text = f"{value:.1%}"
            return text
        if column.endswith("_mb") or abs(value) >= 100:
            return f"{value:,.0f}" if abs(value) >= 10 else f"{value:,.1f}"
        return f"{value:,.2f}".rstrip("0").rstrip(".")
    return str(value)


def format_frame(
    df: pd.DataFrame, *, index: bool = True, labels: bool = True, max_rows: int | None = None
) -> pd.DataFrame:
    """A copy of ``df`` with every cell as display text and readable headers.

    With ``index`` (the default) a named index (a summary's group name) is kept as the index,
    its values formatted too; an unnamed RangeIndex is dropped. ``labels`` renames the columns
    with :func:`column_label`; ``max_rows`` keeps the first rows only. The CLI and the report
    print this; ``df`` itself is not changed.
    """
    shown = df if max_rows is None else df.head(max_rows)
    out = pd.DataFrame(
        {
            column: [format_value(v, str(column)) for v in shown[column].tolist()]
            for column in shown.columns
        },
        index=shown.index,
        columns=shown.columns,
        dtype=object,
    )
    if index and _named_index(shown):
        if isinstance(shown.index, pd.MultiIndex):
            out.index = pd.MultiIndex.from_tuples(
                [tuple(format_value(v) for v in key) for key in shown.index],
                names=[column_label(str(n)) if labels else n for n in shown.index.names],
            )
        else:
            name = shown.index.name
            out.index = pd.Index(
                [format_value(v, str(name)) for v in shown.index],
                name=column_label(str(name)) if labels and name is not None else name,
            )
    else:
        out = out.reset_index(drop=True)
    if labels:
        out.columns = [column_label(str(c)) for c in out.columns]
    return out


def _named_index(df: pd.DataFrame) -> bool:
    return any(n is not None for n in df.index.names)


class Shown:
    """A frame for people: renders as a compact HTML table in Jupyter and in the report.

    ``frame`` is the frame as given (values and dtypes untouched); ``text`` the formatted copy.
    """

    def __init__(
        self,
        frame: pd.DataFrame,
        *,
        max_rows: int = 60,
        caption: str = "",
        hover: Mapping[str, Sequence[str]] | None = None,
    ) -> None:
        self.frame = frame
        self.max_rows = max_rows
        self.caption = caption
        #: Column -> the full text shown on hover over each of its cells (row order).
        self.hover = dict(hover or {})
        self.text = format_frame(frame, max_rows=max_rows)

    def __repr__(self) -> str:
        body = self.text.to_string(index=_named_index(self.frame))
        head = f"{self.caption}\n" if self.caption else ""
        return head + body + self._more()

    def _more(self) -> str:
        extra = len(self.frame) - len(self.text)
        return f"\n… {extra:,} more rows ({len(self.frame):,} in all)" if extra > 0 else ""

    def _repr_html_(self) -> str:
        return self.to_html()

    def to_html(self) -> str:
        """The table as HTML: numbers right-aligned, cells on one line, long text clipped with
        the full text on hover."""
        text = self.text
        named = _named_index(self.frame)
        heads = [*(text.index.names if named else []), *text.columns]
        numeric = [False] * (len(heads) - len(text.columns)) + [
            pd.api.types.is_numeric_dtype(self.frame[c]) for c in self.frame.columns
        ]
        hovers = [self.hover.get(str(c)) for c in self.frame.columns]
        rows = []
        for r, (key, values) in enumerate(
            zip(text.index, text.itertuples(index=False), strict=True)
        ):
            keys = (key if isinstance(key, tuple) else (key,)) if named else ()
            tips = [None] * len(keys) + [h[r] if h is not None else None for h in hovers]
            cells = [*keys, *values]
            rows.append(
                "<tr>"
                + "".join(
                    _cell(str(c), num, header=i < len(keys), tip=tip)
                    for i, (c, num, tip) in enumerate(zip(cells, numeric, tips, strict=True))
                )
                + "</tr>"
            )
        header = "".join(
            f"<th style='text-align: {'right' if num else 'left'}'>{html.escape(str(h))}</th>"
            for h, num in zip(heads, numeric, strict=True)
        )
        caption = (
            f"<caption style='text-align: left; font-weight: bold'>{html.escape(self.caption)}"
            "</caption>"
            if self.caption
            else ""
        )
        more = html.escape(self._more().strip())
        return (
            "<div class='simtools-shown' style='overflow-x: auto;'>"
            "<table class='simtools-table' style='border-collapse: collapse; font-size: 90%;'>"
            f"{caption}<thead><tr>{header}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
            + (f"<p><em>{more}</em></p>" if more else "")
            + "</div>"
        )


_CLIP = 48


def _cell(text: str, numeric: bool, *, header: bool = False, tip: str | None = None) -> str:
    """One cell on one line; text past ``_CLIP`` characters is cut, and the full text (or
    ``tip``) shows on hover."""
    tag = "th" if header else "td"
    align = "right" if numeric else "left"
    style = f"text-align: {align}; white-space: nowrap; padding: 2px 8px;"
    shown = text if len(text) <= _CLIP else text[: _CLIP - 1] + "…"
    full = tip if tip else (text if shown != text else None)
    title = f" title='{html.escape(full, quote=True)}'" if full else ""
    return f"<{tag} style='{style}'{title}>{html.escape(shown)}</{tag}>"


def show(
    df: pd.DataFrame,
    *,
    max_rows: int = 60,
    caption: str = "",
    hover: Mapping[str, Sequence[str]] | None = None,
) -> Shown:
    """``df`` for people (see :class:`Shown`): the last line of a notebook cell, or in a report.
    ``hover`` gives, per column, the full text to show over each row's cell.

    >>> show(usage_summary(fleet, by="group"))  # doctest: +SKIP
    """
    if not isinstance(df, pd.DataFrame):
        raise InvalidInputError(
            type(df).__name__,
            f"show needs a pandas DataFrame, got {type(df).__name__}",
            "pass a frame, for example simtools.usage_summary(fleet, by='group')",
        )
    return Shown(df, max_rows=max_rows, caption=caption, hover=hover)
