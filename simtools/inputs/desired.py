"""Reading the cells of a desired-changes frame: what a user typed in a notebook, a CSV file or a
spreadsheet, as a value or as a :class:`Problem` saying why it is wrong and how to fix it.

A blank cell (missing, ``NaN``, empty text) means "leave this field as it is" (:func:`is_blank`);
an empty list means "none" (no tags, no alerts). Lists may be given as Python lists, as JSON text
(``["a", "b"]``, ``[80, 160]``), or as text separated by commas or semicolons (``a, b``,
``80; 160``): tags cannot hold commas anyway (the API separates tags with them in filters).
"""

from __future__ import annotations

import json
import math
import numbers
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "BLANK",
    "DESIRED_COLUMNS",
    "SETTABLE_STATUSES",
    "Problem",
    "Value",
    "is_blank",
    "merge_asks",
    "read_amount",
    "read_field",
    "read_group",
    "read_key",
    "read_status",
    "read_tags",
    "read_thresholds",
    "read_unit",
]

#: The columns of a desired frame that ask for a change, by the field they change.
DESIRED_COLUMNS: Mapping[str, tuple[str, ...]] = {
    "data_limit_mb": ("data_limit_mb", "data_limit_amount", "data_limit_unit"),
    "tags": ("tags", "tags_add", "tags_remove"),
    "sim_card_group": ("sim_card_group",),
    "alert_mb": ("alert_mb",),
    "status": ("status",),
}
#: The statuses a plan can set (through the enable, disable and set_standby actions).
SETTABLE_STATUSES = ("enabled", "disabled", "standby")
_SEPARATORS = re.compile(r"[;,]")
#: A field's desired value as read from its cells, or a Problem.
Value = Any


@dataclass(frozen=True)
class Problem:
    """Why a cell cannot be used, and how to fix it."""

    reason: str
    hint: str


def is_blank(value: Any) -> bool:
    """Missing, NaN or empty text: leave the field as it is (a list, even empty, is a value)."""
    if isinstance(value, list | tuple | np.ndarray):
        return False
    if isinstance(value, str):
        return not value.strip()
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _number(value: Any) -> float | None:
    if isinstance(value, bool | np.bool_):
        return None
    if isinstance(value, numbers.Real):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value.strip())
        except ValueError:
            return None
    return None


def read_key(value: Any, key: str) -> str | Problem:
    """An ICCID (digits as text) or a SIM card id (a UUID, canonical form)."""
    if is_blank(value):
        return Problem(f"the row has no {key}", f"fill in the SIM's {key}, or delete the row")
    if key == "id":
        text = str(value).strip()
        try:
            return str(uuid.UUID(text))
        except ValueError:
            return text  # not a UUID: it is looked up as it is, and reported if unknown
    if isinstance(value, float | np.floating):
        return Problem(
            f"ICCID {value!r} is a floating-point number, which has lost digits",
            "give ICCIDs as text (read the CSV with simtools.read_frame, or dtype=str)",
        )
    text = str(value).strip()
    if not text.isdigit():
        return Problem(
            f"ICCID {text!r} is not digits", "copy it from the fleet frame's iccid column"
        )
    return text


def read_amount(value: Any, name: str) -> float | Problem:
    """A finite, non-negative amount."""
    number = _number(value)
    if number is None or not math.isfinite(number):
        shown = repr(value) if number is None else _show(value)
        return Problem(f"{name} {shown} is not a number", f"give {name} as a number, e.g. 500")
    if number < 0:
        return Problem(f"{name} {_show(value)} is negative", f"give {name} as 0 or more")
    return number


def _show(value: Any) -> str:
    """A number as typed or as read from a file (``-3`` either way)."""
    number = _number(value)
    return repr(value) if number is None else f"{number:g}"


def read_unit(value: Any) -> str | Problem:
    """``MB`` or ``GB`` (any case): the units a data limit is written in."""
    text = str(value).strip().upper() if isinstance(value, str) else None
    if text not in ("MB", "GB"):
        return Problem(f"data_limit_unit {value!r} is not MB or GB", "write the unit as MB or GB")
    return text


def _items(value: Any) -> list[Any] | None:
    """The items of a list cell (a list, an array, JSON text or separated text)."""
    if isinstance(value, list | tuple | np.ndarray):
        return list(value.tolist() if isinstance(value, np.ndarray) else value)
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            try:
                parsed = json.loads(text)
            except ValueError:
                return None
            return parsed if isinstance(parsed, list) else None
        if text.lower() == "none":
            return []
        return [part.strip() for part in _SEPARATORS.split(text) if part.strip()]
    return None


def read_tags(value: Any, name: str) -> tuple[str, ...] | Problem:
    """Tags: non-empty text without commas, each once, in the order given."""
    items = _items(value)
    hint = f'give {name} as a list of tags, e.g. ["fleet-a", "berlin"] or fleet-a, berlin'
    if items is None:
        return Problem(f"{name} {value!r} is not a list of tags", hint)
    out: list[str] = []
    for item in items:
        if not isinstance(item, str) or not item.strip():
            return Problem(f"{name} holds {item!r}, which is not a non-empty tag", hint)
        if "," in item:
            return Problem(
                f"tag {item!r} contains a comma, which the API uses to separate tags",
                "split it into separate tags",
            )
        out.append(item.strip())
    return tuple(dict.fromkeys(out))


def read_thresholds(value: Any) -> tuple[float, ...] | Problem:
    """Alert thresholds in MB: one number or a list of them, each finite and non-negative,
    smallest first and each once (an empty list removes every alert)."""
    number = _number(value) if not isinstance(value, str) else None
    items = [value] if number is not None else _items(value)
    hint = "give alert_mb as a number or a list of numbers in MB, e.g. 800 or [800, 950]"
    if items is None:
        return Problem(f"alert_mb {value!r} is not a number or a list of numbers", hint)
    out: list[float] = []
    for item in items:
        amount = _number(item)
        if amount is None or not math.isfinite(amount):
            return Problem(f"alert_mb holds {item!r}, which is not a number", hint)
        if amount < 0:
            return Problem(f"alert_mb holds {item!r}, which is negative", hint)
        out.append(amount)
    return tuple(sorted(set(out)))


def read_status(value: Any) -> str:
    """The status asked for, as text (whether a SIM may move to it is the planner's call)."""
    return str(value).strip().lower()


def read_group(value: Any) -> str:
    """A group's name or id, as text (which group it names is the planner's call)."""
    return str(value).strip()


#: What a row gives for a field it leaves as it is.
BLANK = object()


def read_field(name: str, record: Mapping[Any, Any]) -> Value:
    """The desired value of field ``name`` in one desired row, a Problem, or ``BLANK``."""
    given: dict[str, Any] = {}
    for column in DESIRED_COLUMNS[name]:
        value = record.get(column)
        if is_blank(value):
            # read_frame keeps what it could not read as the column's kind in <column>_raw
            # ("80; 160" in alert_mb): the text is what the user meant.
            value = record.get(f"{column}_raw")
        if not is_blank(value):
            given[column] = value
    if not given:
        return BLANK
    if name == "data_limit_mb":
        return read_limit(given)
    if name == "tags":
        if "tags" in given and ("tags_add" in given or "tags_remove" in given):
            return Problem(
                "tags replaces the list and tags_add/tags_remove edit it: both are given",
                "give tags, or tags_add and tags_remove, not both",
            )
        parts = {c: read_tags(v, c) for c, v in given.items()}
        bad = [p for p in parts.values() if isinstance(p, Problem)]
        if bad:
            return bad[0]
        if "tags" in parts:
            return ("replace", parts["tags"], (), ())
        return ("edit", None, parts.get("tags_add", ()), parts.get("tags_remove", ()))
    if name == "sim_card_group":
        return read_group(given["sim_card_group"])
    if name == "alert_mb":
        return read_thresholds(given["alert_mb"])
    return read_status(given["status"])


def read_limit(given: Mapping[str, Any]) -> Value:
    """A data limit in MB from ``data_limit_mb``, else ``data_limit_amount`` and its unit."""
    if "data_limit_mb" in given:
        return read_amount(given["data_limit_mb"], "data_limit_mb")
    if "data_limit_amount" not in given or "data_limit_unit" not in given:
        return Problem(
            "a data limit needs both data_limit_amount and data_limit_unit",
            "fill in both, or give data_limit_mb",
        )
    amount = read_amount(given["data_limit_amount"], "data_limit_amount")
    unit = read_unit(given["data_limit_unit"])
    if isinstance(amount, Problem):
        return amount
    if isinstance(unit, Problem):
        return unit
    return amount * (1024.0 if unit == "GB" else 1.0)


def merge_asks(name: str, asks: list[tuple[int, Value]]) -> tuple[int, Value]:
    """One value for a field asked in several rows: the first problem, the one value, or a
    problem naming the rows that disagree."""
    for position, value in asks:
        if isinstance(value, Problem):
            return position, value
    distinct = {_comparable(v) for _, v in asks}
    if len(distinct) == 1:
        return asks[0]
    shown = "; ".join(f"row {p}: {_shown(v)}" for p, v in asks[:4])
    return asks[0][0], Problem(
        f"the SIM is given {len(asks)} times with different {name} ({shown})",
        "keep one row per SIM, or give the same value in each",
    )


def _shown(value: Value) -> str:
    if isinstance(value, tuple) and value[:1] == ("replace",):
        return ", ".join(value[1]) or "no tags"
    if isinstance(value, tuple) and value[:1] == ("edit",):
        return f"+[{', '.join(value[2])}] -[{', '.join(value[3])}]"
    if isinstance(value, tuple):
        return ", ".join(f"{v:g}" for v in value) or "none"
    return f"{value:g}" if isinstance(value, float) else str(value)


def _comparable(value: Value) -> Any:
    if isinstance(value, float):
        return round(value, 3)
    return value
