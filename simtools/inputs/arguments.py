"""Argument checks shared by the client, the CLI and the widgets: refuse bad input before sending.

Each check returns the normalised value or raises ``InvalidInputError`` naming the value, why it
is wrong and how to fix it.
"""

from __future__ import annotations

import math
import numbers
import uuid
from collections.abc import Iterable
from typing import Any

from simtools.errors import InvalidInputError
from simtools.models import FILTER_STATUSES, REGISTER_STATUSES
from simtools.wording import a_type

__all__ = [
    "check_data_amount",
    "check_filter_statuses",
    "check_group_name",
    "check_imeis",
    "check_register_status",
    "check_tags",
    "check_threshold",
    "check_uuid",
    "check_uuids",
    "decimal_text",
]


def check_uuid(value: Any, name: str) -> str:
    """A UUID string such as a SIM card or group id, returned in canonical lower-case form."""
    if isinstance(value, uuid.UUID):
        return str(value)
    if not isinstance(value, str):
        raise InvalidInputError(
            value,
            f"{name} must be a UUID string, got {type(value).__name__} {value!r}",
            f"pass the id as text, e.g. {name}='6a09cdc3-8948-47f0-aa62-74ac943d6c58'",
        )
    try:
        return str(uuid.UUID(value.strip()))
    except ValueError:
        raise InvalidInputError(
            value,
            f"{name} {value!r} is not a UUID",
            f"copy the {name} from the portal or from a frame's id column; it looks like "
            "'6a09cdc3-8948-47f0-aa62-74ac943d6c58'",
        ) from None


def check_uuids(values: Any, name: str) -> list[str]:
    """One or more UUIDs (a single string or an iterable of them), duplicates removed in order."""
    if isinstance(values, str | uuid.UUID):
        values = [values]
    if not isinstance(values, Iterable):
        raise InvalidInputError(
            values,
            f"{name} must be a UUID or a list of UUIDs, got {type(values).__name__}",
            f"pass e.g. {name}=df['id'] or a list of ids",
        )
    out = [check_uuid(v, name) for v in values]
    if not out:
        raise InvalidInputError(values, f"{name} is empty", f"pass at least one {name}")
    return list(dict.fromkeys(out))


#: Units a data limit or a notification threshold may be written in (CONTRACT.md 5.3, 5.6).
DATA_AMOUNT_UNITS = ("MB", "GB")


def decimal_text(value: float, places: int) -> str:
    """``value`` as the API writes amounts: a decimal string with at least one decimal
    (``80.0``), rounded to ``places`` decimals (``0.125``)."""
    text = f"{round(value, places):.{places}f}".rstrip("0")
    return text + "0" if text.endswith(".") else text


def check_data_amount(value: Any, name: str, *, places: int = 3) -> dict[str, str]:
    """``(amount, "MB"|"GB")`` as the wire's ``{"amount": "80.0", "unit": "MB"}``: a finite,
    non-negative amount rounded to ``places`` decimals."""
    try:
        amount, unit = value
        number = float(amount)
    except (TypeError, ValueError):
        raise InvalidInputError(
            value, f"{name} must be (amount, unit)", f"e.g. {name}=(80, 'MB')"
        ) from None
    if isinstance(amount, bool) or not 0 <= number < float("inf") or unit not in DATA_AMOUNT_UNITS:
        raise InvalidInputError(
            value,
            f"{name} needs a finite, non-negative amount and unit 'MB' or 'GB'",
            f"e.g. {name}=(2, 'GB')",
        )
    return {"amount": decimal_text(number, places), "unit": unit}


def check_imeis(value: Any) -> list[str] | None:
    """The IMEIs a SIM may be used in: a list of non-empty strings, or None for any device
    (the contract types ``authorized_imeis`` as ``string[]`` or null)."""
    if value is None:
        return None
    if isinstance(value, str) or not isinstance(value, list | tuple | set | frozenset):
        raise InvalidInputError(
            value,
            f"authorized_imeis must be a list of IMEIs or None, got {type(value).__name__}",
            "pass e.g. authorized_imeis=['356938035643809'], or None to allow any device",
        )
    out = []
    for imei in value:
        if not isinstance(imei, str) or not imei.strip():
            raise InvalidInputError(
                imei, f"an IMEI must be a non-empty string, not {imei!r}", "pass IMEIs as text"
            )
        out.append(imei.strip())
    return list(dict.fromkeys(out))


def check_register_status(value: Any) -> str | None:
    """The status a registration asks for: enabled, disabled or standby (or None for default)."""
    if value is None:
        return None
    if not isinstance(value, str) or value.strip() not in REGISTER_STATUSES:
        raise InvalidInputError(
            value,
            f"status {value!r} is not one a registration can ask for",
            f"use one of {', '.join(REGISTER_STATUSES)}, or leave it out for 'enabled'",
        )
    return value.strip()


def check_filter_statuses(value: Any) -> list[str] | None:
    """Statuses for ``filter[status]``: one string or a list of them."""
    if value is None:
        return None
    values = [value] if isinstance(value, str) else value
    if not isinstance(values, Iterable) or isinstance(values, bytes | dict):
        raise InvalidInputError(
            value,
            f"status filter must be a status or a list of statuses, got {type(value).__name__}",
            f"use one or more of {', '.join(FILTER_STATUSES)}",
        )
    out: list[str] = []
    for v in values:
        if not isinstance(v, str) or v.strip() not in FILTER_STATUSES:
            raise InvalidInputError(
                v,
                f"status {v!r} cannot be used as a SIM card filter",
                f"use one or more of {', '.join(FILTER_STATUSES)}",
            )
        out.append(v.strip())
    if not out:
        raise InvalidInputError(value, "status filter is empty", "pass None to list every status")
    return out


def check_tags(value: Any, name: str = "tags") -> list[str] | None:
    """Tags: a list of non-empty strings (a single string is taken as one tag)."""
    if value is None:
        return None
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list | tuple | set | frozenset):
        raise InvalidInputError(
            value,
            f"{name} must be a list of strings, got {type(value).__name__} {value!r}",
            f"pass e.g. {name}=['fleet-a', 'berlin']",
        )
    out: list[str] = []
    for tag in value:
        if not isinstance(tag, str) or not tag.strip():
            raise InvalidInputError(
                tag,
                f"every tag must be a non-empty string; {tag!r} is "
                f"{'empty' if isinstance(tag, str) else type(tag).__name__}",
                f"pass {name} as a list of non-empty strings, e.g. ['fleet-a']",
            )
        if "," in tag:
            raise InvalidInputError(
                tag,
                f"tag {tag!r} contains a comma, which the API uses to separate tags in filters",
                "split it into separate tags",
            )
        out.append(tag.strip())
    return list(dict.fromkeys(out))


def check_group_name(value: Any) -> str:
    """A SIM card group's name: non-empty text (surrounding spaces are dropped)."""
    if not isinstance(value, str) or not value.strip():
        what = "empty" if isinstance(value, str) else a_type(value)
        raise InvalidInputError(
            value, f"a group needs a name of text; {value!r} is {what}", "e.g. name='berlin'"
        )
    return value.strip()


def check_threshold(value: Any, name: str = "threshold") -> float:
    """A near-limit threshold as a fraction of the data limit: a number in (0, 1] (``0.8`` is 80%
    of the limit), or a percentage written as text with its sign (``"80%"``, which may exceed
    100%). A bare number above 1 (``80``) is refused: it reads as a percentage, and taken as a
    fraction it would silently find no SIM near its limit."""
    hint = f"pass {name}=0.8 for 80% of the limit (or the text '80%')"
    if isinstance(value, str):
        text = value.strip()
        number = text[:-1].strip() if text.endswith("%") else None
        try:
            share = float(number) / 100 if number else float("nan")
        except ValueError:
            share = float("nan")
        if not (share > 0 and math.isfinite(share)):
            raise InvalidInputError(
                value, f"{name} {value!r} is neither a fraction nor a percentage like '80%'", hint
            )
        return share
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise InvalidInputError(
            value, f"{name} must be a number, got {type(value).__name__} {value!r}", hint
        )
    share = float(value)
    if not math.isfinite(share) or share <= 0:
        raise InvalidInputError(
            value, f"{name} {value!r} is not a positive fraction of the data limit", hint
        )
    if share > 1:
        raise InvalidInputError(
            value,
            f"{name} {value!r} looks like a percentage: a threshold is a fraction of the data "
            f"limit, so {value!r} would mean {share:.0%} of it",
            f"pass {name}={share / 100:g} for {_plain(share)}% of the limit "
            f"(or the text '{_plain(share)}%')",
        )
    return share


def _plain(number: float) -> str:
    return f"{number:g}"
