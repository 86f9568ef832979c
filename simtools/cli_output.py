"""How the ``simtools`` commands write a frame: to a file named by ``--out``, or as a table that
fits the terminal, formatted as notebooks and the report show frames (columns that do not fit
are left out and named on standard error)."""

from __future__ import annotations

import argparse
import shutil
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

import pandas as pd

from simtools.display import column_label, format_frame
from simtools.wording import plural

__all__ = ["MAX_ROWS", "add_output_options", "emit", "fit_table", "table_text"]

#: Rows printed before the middle of a long table is elided (``--out`` writes every row).
MAX_ROWS = 60
#: Widest a cell may be in a printed table; longer text ends in an ellipsis (ids are never cut:
#: they are what a reader copies into the next command).
MAX_CELL = 40


def add_output_options(parser: argparse.ArgumentParser) -> None:
    """``--out``, shared by every command that produces a frame."""
    parser.add_argument(
        "--out",
        type=Path,
        metavar="FILE",
        help="write the frame to FILE, in the format its suffix names (.csv, .parquet, .json, "
        ".xlsx); without it a table that fits the terminal is printed",
    )


def _is_id(column: object) -> bool:
    return str(column) in ("id", "iccid", "registration_code") or str(column).endswith("_id")


def _cut(text: str) -> str:
    return text if len(text) <= MAX_CELL else text[: MAX_CELL - 1] + "…"


def table_text(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` as the text cells people read (:func:`simtools.display.format_frame`: MB with
    thousands separators, utilisation as %, tags as ``a, b``, times to the minute, readable
    headers), a named index as the first column, and long text cut (never an id). The frame
    itself is not changed."""
    text = format_frame(frame, labels=False)
    if any(n is not None for n in text.index.names):
        text = text.reset_index()
    for column in text.columns:
        if not _is_id(column):
            text[column] = [_cut(str(v)) for v in text[column].tolist()]
    text.columns = [column_label(str(c)) for c in text.columns]
    return text


def fit_table(frame: pd.DataFrame, width: int, max_rows: int = MAX_ROWS) -> tuple[str, list[str]]:
    """The frame as a table no wider than ``width`` characters, keeping as many leading columns
    as fit (at least one), and the names of the columns left out."""
    text = table_text(frame)
    columns: Sequence[Any] = list(text.columns)

    def render(n: int) -> str:
        return text[list(columns[:n])].to_string(index=False, max_rows=max_rows)

    def fits(n: int) -> bool:
        return max(map(len, render(n).splitlines()), default=0) <= width

    lo, hi = 1, len(columns)
    while lo < hi:  # the widest prefix of columns that fits (widths only grow with columns)
        mid = (lo + hi + 1) // 2
        if fits(mid):
            lo = mid
        else:
            hi = mid - 1
    return render(lo), [str(c) for c in columns[lo:]]


def emit(
    frame: pd.DataFrame,
    out: Path | None,
    *,
    lead: Sequence[str] = (),
    trail: Sequence[str] = (),
    stream: TextIO | None = None,
) -> None:
    """Write ``frame`` to ``out``, or print it as a table that fits the terminal with the
    ``lead`` columns (those the frame has) first and the ``trail`` ones last; a file keeps the
    frame's own order."""
    if out is not None:
        from simtools.frames.files import write_frame

        path = write_frame(frame, out)
        print(f"wrote {plural(len(frame), 'row')} to {path}", file=sys.stderr)
        return
    stream = stream or sys.stdout
    if frame.columns.empty:
        print(f"({plural(len(frame), 'row')}, no columns)", file=sys.stderr)
        return
    first = [c for c in lead if c in frame.columns]
    last = [c for c in trail if c in frame.columns and c not in first]
    if first or last:
        frame = frame[[*first, *frame.columns.drop([*first, *last]), *last]]
    width = shutil.get_terminal_size((120, 24)).columns
    table, left_out = fit_table(frame, width)
    print(table, file=stream)
    notes = []
    if len(frame) > MAX_ROWS:
        notes.append(f"{plural(len(frame), 'row')}, {MAX_ROWS} shown")
    if left_out:
        notes.append(
            f"{plural(len(left_out), 'column')} not shown ({', '.join(left_out[:8])}"
            f"{', ...' if len(left_out) > 8 else ''}); --out FILE writes them all"
        )
    if notes:
        print(f"({'; '.join(notes)})", file=sys.stderr)
