"""Registration-code parsing: turn what people paste or export into checked 10-digit codes (pure).

A registration code is exactly ten ASCII digits. :func:`parse_codes` accepts the shapes codes arrive
in (text pasted from a spreadsheet, a list, a pandas Series or DataFrame column, a CSV or text
file) and reports every entry: valid, a repeat of an earlier one, or invalid with a reason that
says how to fix it. Spreadsheets store codes as numbers, which loses leading zeros; such entries
are refused with a reason that says so instead of being padded by guesswork.
"""

from __future__ import annotations

import math
import numbers
import re
from collections.abc import Hashable, Iterator
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Literal

import numpy as np
import pandas as pd

from simtools.errors import InvalidInputError
from simtools.inputs.cells import Cell, read_cells
from simtools.wording import a_type, plural

__all__ = [
    "CodeEntry",
    "CodeProblem",
    "ParsedCodes",
    "is_registration_code",
    "parse_codes",
]

EntryKind = Literal["valid", "duplicate", "invalid"]

_CODE = re.compile(r"[0-9]{10}")
_DIGITS = re.compile(r"[0-9]+")
_SCIENTIFIC = re.compile(r"[0-9](?:[.,][0-9]+)?[eE][+-]?[0-9]+")
_DECIMAL = re.compile(r"[0-9]+[.,]0+")
_ZEROS_FIX = "format the column as text and enter the codes again"
_COLLECT_HINT = (
    "fix or remove these entries, or pass errors='collect' to register only the valid codes"
)
_EMPTY_HINT = (
    "give 10-digit registration codes, one per line or separated by commas, semicolons, "
    "tabs or spaces"
)


def is_registration_code(value: object) -> bool:
    """True when ``value`` is a string of exactly ten ASCII digits."""
    return isinstance(value, str) and _CODE.fullmatch(value) is not None


@dataclass(frozen=True)
class CodeProblem:
    """An entry that will not be registered.

    ``str()`` reads like ``'12x' at line 3 is not 10 digits (it contains 'x')``.
    """

    value: str
    position: int
    where: str
    reason: str

    def __str__(self) -> str:
        return f"{self.value!r} at {self.where} {self.reason}"


@dataclass(frozen=True)
class CodeEntry:
    """One entry as the user gave it, with what became of it.

    ``value`` is the entry as text (a whole number shown without ``.0``); ``position`` its 1-based
    number among all entries (unique, so it can key one outcome per entry); ``where`` where it was
    found (``line 5``, ``item 2``, ``row 7``); ``reason`` is ``None`` for valid entries.
    """

    value: str
    position: int
    where: str
    kind: EntryKind
    reason: str | None = None

    def __str__(self) -> str:
        text = f"{self.value!r} at {self.where}"
        return f"{text} {self.reason}" if self.reason else text


@dataclass(frozen=True, repr=False)
class ParsedCodes:
    """Every entry of one input, checked; ``codes`` are the unique valid ones in first-seen order.

    ``entries[i].position == i + 1``. ``where`` names the place a person would look: the line
    for text (blank lines count, so numbers match an editor; several codes on one line share it),
    the item for sequences, the row for a DataFrame (row 1 is ``df.iloc[0]``) and for a CSV file
    (as a spreadsheet shows it, so a header is row 1). Iterating yields ``codes``; ``len()`` is
    their number.
    """

    entries: tuple[CodeEntry, ...]

    @cached_property
    def codes(self) -> tuple[str, ...]:
        return tuple(e.value for e in self.entries if e.kind == "valid")

    @cached_property
    def duplicates(self) -> tuple[CodeProblem, ...]:
        return self._problems_of("duplicate")

    @cached_property
    def invalid(self) -> tuple[CodeProblem, ...]:
        return self._problems_of("invalid")

    @cached_property
    def problems(self) -> tuple[CodeProblem, ...]:
        """Invalid entries and duplicates together, in input order."""
        return self._problems_of("invalid", "duplicate")

    def _problems_of(self, *kinds: EntryKind) -> tuple[CodeProblem, ...]:
        return tuple(
            CodeProblem(e.value, e.position, e.where, e.reason or "")
            for e in self.entries
            if e.kind in kinds
        )

    def __len__(self) -> int:
        return len(self.codes)

    def __iter__(self) -> Iterator[str]:
        return iter(self.codes)

    def __repr__(self) -> str:
        shown = ", ".join(repr(c) for c in self.codes[:3])
        if len(self.codes) > 3:
            shown += f", ... {len(self.codes) - 3} more"
        return (
            f"ParsedCodes({len(self.codes)} valid [{shown}], "
            f"{len(self.duplicates)} duplicate, {len(self.invalid)} invalid)"
        )


def parse_codes(
    source: Any,
    *,
    column: Hashable | None = None,
    errors: Literal["raise", "collect"] = "raise",
) -> ParsedCodes:
    """Read registration codes from ``source`` and check each entry.

    ``source`` may be text (codes separated by newlines, commas, semicolons, tabs or spaces;
    blank lines are ignored) or ``bytes`` of such text; a list, tuple, set, pandas Series or other
    iterable of entries; a pandas DataFrame (``column`` names the column); a ``ParsedCodes``
    read earlier (taken as it is); or a
    :class:`pathlib.Path` to a ``.csv``/``.tsv`` file (``column`` names a header cell) or to a
    text file. Without ``column``, a DataFrame or CSV uses the column called
    ``registration_code(s)`` or ``code(s)`` (any case; spaces or hyphens for ``_``), or its only
    column; in a one-column CSV a first cell without digits is taken for a header. DataFrame and
    CSV rows whose cells are all empty are skipped like blank lines.

    Strings are stripped of whitespace and of one pair of surrounding quotes. Numbers (as
    spreadsheets store codes) are accepted when whole with ten digits; fewer digits means leading
    zeros were lost, and the entry is invalid with a reason that says so. ``None``, NaN, empty
    strings, booleans and other types in a sequence are invalid entries.

    With ``errors="raise"`` (the default) any invalid entry or duplicate raises
    :class:`~simtools.errors.InvalidInputError` listing each one; with ``errors="collect"`` they
    are returned in ``.invalid`` and ``.duplicates``. Input without any entry always raises.
    """
    if errors not in ("raise", "collect"):
        raise InvalidInputError(
            errors, f"errors={errors!r} is not a known mode", "pass errors='raise' or 'collect'"
        )
    if isinstance(source, ParsedCodes):  # read already (a form keeps where each entry stood)
        parsed, described = source, "the entries"
    else:
        cells, described = read_cells(source, column)
        if not cells:
            raise InvalidInputError(
                source, f"no registration codes found in {described}", _EMPTY_HINT
            )
        parsed = ParsedCodes(_classify(cells))
    if errors == "raise" and parsed.problems:
        problems = parsed.problems
        raise InvalidInputError(
            [p.value for p in problems],
            f"{len(problems)} of {plural(len(parsed.entries), 'entry')} in {described} "
            f"cannot be registered",
            _COLLECT_HINT,
            problems=[str(p) for p in problems],
        )
    return parsed


def _classify(cells: list[Cell]) -> tuple[CodeEntry, ...]:
    first_seen: dict[str, str] = {}
    entries = []
    for position, cell in enumerate(cells, start=1):
        shown, code, reason = (
            _check(cell.value)
            if cell.blank_reason is None
            else (_show(cell.value), None, cell.blank_reason)
        )
        if code is None:
            entries.append(CodeEntry(shown, position, cell.where, "invalid", reason))
        elif code in first_seen:
            earlier = first_seen[code]
            repeat = f"an earlier entry on {cell.where}" if earlier == cell.where else earlier
            entries.append(CodeEntry(code, position, cell.where, "duplicate", f"repeats {repeat}"))
        else:
            first_seen[code] = cell.where
            entries.append(CodeEntry(code, position, cell.where, "valid"))
    return tuple(entries)


def _show(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return str(int(value))
    text = repr(value) if not isinstance(value, numbers.Number) else str(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _check(value: Any) -> tuple[str, str | None, str | None]:
    """Return (value as text, the code if valid, why not otherwise)."""
    if isinstance(value, str):
        text = _unquote(value.strip())
        reason = _text_reason(text)
        return text, (text if reason is None else None), reason
    shown = _show(value)
    if value is None or value is pd.NA or value is pd.NaT:
        return shown, None, f"is missing ({shown})"
    if isinstance(value, bool):
        return shown, None, f"is a bool ({value}), not a registration code"
    if isinstance(value, numbers.Integral):
        return _number_reason(int(value), shown)
    if isinstance(value, np.floating) and np.finfo(value.dtype).nmant < 34:
        return (
            shown,
            None,
            (
                f"is a {value.dtype} number, which cannot hold 10-digit codes exactly; read the "
                "codes as text"
            ),
        )
    if isinstance(value, numbers.Real):
        number = float(value)
        if math.isnan(number):
            return shown, None, "is missing (NaN)"
        if not math.isfinite(number):
            return shown, None, "is not a finite number"
        if not number.is_integer():
            return shown, None, "is a number with a fractional part, not a registration code"
        return _number_reason(int(number), shown)
    return shown, None, f"is {a_type(value)}, not a registration code (10-digit text)"


def _number_reason(number: int, shown: str) -> tuple[str, str | None, str | None]:
    if number < 0:
        return shown, None, "is a negative number, not a registration code"
    digits = len(str(number))
    if digits == 10:
        return str(number), str(number), None
    if digits < 10:
        return (
            shown,
            None,
            (
                f"is a number with {digits} digits: leading zeros were probably lost in a "
                f"spreadsheet ({_ZEROS_FIX})"
            ),
        )
    return shown, None, f"is not 10 digits (it has {digits})"


def _unquote(text: str) -> str:
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'":
        return text[1:-1].strip()
    return text


def _text_reason(text: str) -> str | None:
    if _CODE.fullmatch(text):
        return None
    if not text:
        return "is empty"
    if _DIGITS.fullmatch(text):
        if len(text) < 10:
            return (
                f"is not 10 digits (it has {len(text)}): if it came from a spreadsheet, "
                f"leading zeros may have been lost ({_ZEROS_FIX})"
            )
        return f"is not 10 digits (it has {len(text)})"
    if _SCIENTIFIC.fullmatch(text):
        return (
            "is not 10 digits (a spreadsheet wrote it in scientific notation: "
            "format the column as text)"
        )
    if _DECIMAL.fullmatch(text):
        return "is not 10 digits (it was written as a decimal number: drop the decimal part)"
    if text.lower().endswith((".csv", ".tsv", ".txt")):
        return f"is not 10 digits (to read a file, pass pathlib.Path({text!r}))"
    odd = sorted({ch for ch in text if not ("0" <= ch <= "9")})
    shown = "".join(odd[:5])
    return f"is not 10 digits (it contains {shown!r})"
