"""Reading registration-code entries out of text, files, sequences and DataFrames (pure).

Readers return :class:`Cell` objects in input order, each with where it was found (``line 3``,
``item 2``, ``row 7``); checking the values is :mod:`simtools.inputs.codes`' job.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Hashable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from simtools.errors import InvalidInputError
from simtools.wording import a_type

# What separates codes in pasted text: commas, semicolons and any whitespace (tabs, spaces, the
# non-breaking spaces some spreadsheets and web pages put in).
_SEPARATORS = re.compile(r"[,;\s]+")
# Column names taken for the code column, after lower-casing and turning spaces/hyphens into _.
CODE_COLUMN_NAMES = ("registration_codes", "registration_code", "codes", "code")
EMPTY_CELL = "is empty, though the row has other values"
_SOURCE_HINT = (
    "pass text, a list or Series of codes, a DataFrame with a code column, "
    "or a pathlib.Path to a CSV or text file"
)
_SPREADSHEETS = (".xlsx", ".xlsm", ".xls", ".ods")


@dataclass(frozen=True)
class Cell:
    """One entry as found: ``blank_reason`` is set for an empty cell in a row that is not blank."""

    value: Any
    where: str
    blank_reason: str | None = None


def read_cells(source: Any, column: Hashable | None) -> tuple[list[Cell], str]:
    """Every entry of ``source`` in order, and a description of ``source`` for messages."""
    if isinstance(source, str | bytes | bytearray):
        _no_column(column, "text")
        text = source if isinstance(source, str) else decode(bytes(source))
        return list(_text_cells(text)), "the text"
    if isinstance(source, Path):
        where = f"file {str(source)!r}"
        suffix = source.suffix.lower()
        if suffix in _SPREADSHEETS:
            raise InvalidInputError(
                source,
                f"{where} is a spreadsheet, which parse_codes does not open",
                "save it as CSV, or pass pandas.read_excel(path, dtype=str) with column=",
            )
        if suffix in (".csv", ".tsv"):
            return _csv_cells(_read_file(source), column, source), where
        _no_column(column, "a text file")
        return list(_text_cells(_read_file(source))), where
    if isinstance(source, pd.DataFrame):
        return _frame_cells(source, column), "the DataFrame"
    if isinstance(source, pd.Series | np.ndarray):
        _refuse_narrow_floats(
            source.dtype, "the Series" if isinstance(source, pd.Series) else "the array"
        )
    if isinstance(source, dict) or not isinstance(source, Iterable):
        raise InvalidInputError(
            source, f"cannot read registration codes from {a_type(source)}", _SOURCE_HINT
        )
    _no_column(column, "a sequence")
    cells = [Cell(item, f"item {i}") for i, item in enumerate(source, start=1)]
    return cells, "the sequence"


def decode(data: bytes) -> str:
    """Text of a file or paste: UTF-8 (with or without Excel's BOM), else the Windows code page."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _no_column(column: Hashable | None, what: str) -> None:
    if column is not None:
        raise InvalidInputError(
            column,
            f"column={column!r} was given, but the source is {what}, which has no columns",
            "pass column= only with a DataFrame or a CSV file",
        )


def _text_cells(text: str) -> Iterator[Cell]:
    for number, line in enumerate(text.splitlines(), start=1):
        for token in _SEPARATORS.split(line):
            if token:
                yield Cell(token, f"line {number}")


def _read_file(path: Path) -> str:
    try:
        return decode(path.read_bytes())
    except FileNotFoundError as exc:
        raise InvalidInputError(
            path, f"file {str(path)!r} does not exist", "check the path and the working directory"
        ) from exc
    except OSError as exc:
        raise InvalidInputError(
            path,
            f"file {str(path)!r} cannot be read: {exc.strerror or exc}",
            "pass a readable file",
        ) from exc


def _csv_cells(text: str, column: Hashable | None, path: Path) -> list[Cell]:
    try:
        dialect: Any = csv.Sniffer().sniff(text[:8192], delimiters=",;\t")
    except csv.Error:  # a single column has no delimiter to find
        dialect = csv.excel_tab if path.suffix.lower() == ".tsv" else csv.excel
    rows = [[cell.strip() for cell in row] for row in csv.reader(io.StringIO(text), dialect)]
    if not rows:
        return []
    index, has_header = _csv_column(rows, column, path)
    first = 2 if has_header else 1
    cells = []
    for number, row in enumerate(rows[first - 1 :], start=first):
        if any(row):
            value = row[index] if index < len(row) else ""
            cells.append(Cell(value, f"row {number}", None if value else EMPTY_CELL))
    return cells


def _csv_column(rows: list[list[str]], column: Hashable | None, path: Path) -> tuple[int, bool]:
    header = rows[0]
    if column is not None:
        index = _match_column(header, column)
        if index is None:
            raise InvalidInputError(
                column,
                f"file {str(path)!r} has no column {column!r} in its first row {header!r}",
                "pass column= with one of the header's names",
            )
        return index, True
    index = _guess_column(header)
    if index is not None:
        return index, True
    used = sorted({i for row in rows for i, cell in enumerate(row) if cell})
    if len(used) == 1:
        top = header[used[0]] if used[0] < len(header) else ""
        return used[0], bool(top) and not any(ch.isdigit() for ch in top)
    raise InvalidInputError(
        path,
        f"cannot tell which column of file {str(path)!r} holds the codes (first row {header!r})",
        "name the column registration_code, or pass column= with its header name",
    )


def _normalise_name(name: object) -> str:
    return re.sub(r"[\s\-]+", "_", str(name).strip().lower())


def _match_column(names: Sequence[Hashable], column: Hashable) -> int | None:
    for i, name in enumerate(names):
        if name == column:
            return i
    wanted = _normalise_name(column)
    return next((i for i, name in enumerate(names) if _normalise_name(name) == wanted), None)


def _guess_column(names: Sequence[Hashable]) -> int | None:
    normalised = [_normalise_name(n) for n in names]
    return next((normalised.index(n) for n in CODE_COLUMN_NAMES if n in normalised), None)


def _refuse_narrow_floats(dtype: Any, what: str) -> None:
    """A float type that cannot hold ten exact digits (float32 turns 1234567890 into
    1234567936, another valid-looking code) is refused: its values are not the codes."""
    if isinstance(dtype, np.dtype) and dtype.kind == "f" and np.finfo(dtype).nmant < 34:
        raise InvalidInputError(
            str(dtype),
            f"{what} holds {dtype} numbers, which cannot hold 10-digit codes exactly "
            "(1234567890 reads as 1234567936)",
            "read the codes as text, e.g. pandas.read_csv(path, dtype=str), or as int64",
        )


def _frame_cells(frame: pd.DataFrame, column: Hashable | None) -> list[Cell]:
    names = list(frame.columns)
    repeated = sorted({str(n) for n in names if names.count(n) > 1})
    if repeated:
        raise InvalidInputError(
            repeated,
            f"the DataFrame has more than one column named {', '.join(map(repr, repeated))}",
            "rename or drop the extra columns, so that the codes are in one",
        )
    index = _match_column(names, column) if column is not None else _guess_column(names)
    if index is None and column is None and len(names) == 1:
        index = 0
    if index is None:
        problem = f"has no column {column!r}" if column is not None else "has several columns"
        raise InvalidInputError(
            column,
            f"the DataFrame {problem} (columns: {names!r})",
            "pass column= with the name of the column that holds the codes",
        )
    _refuse_narrow_floats(frame.iloc[:, index].dtype, f"column {names[index]!r}")
    cells = frame.astype(object)
    blank = cells.isna() | cells.apply(lambda col: col.map(_is_blank_text))
    out = []
    for number, (value, row_blank, cell_blank) in enumerate(
        zip(
            cells.iloc[:, index].tolist(),
            blank.all(axis=1).tolist(),
            blank.iloc[:, index].tolist(),
            strict=True,
        ),
        start=1,
    ):
        if not row_blank:
            out.append(Cell(value, f"row {number}", EMPTY_CELL if cell_blank else None))
    return out


def _is_blank_text(value: object) -> bool:
    return isinstance(value, str) and not value.strip()
