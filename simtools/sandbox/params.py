"""Parsing and checking of query parameters and JSON bodies, with Telnyx errors for bad ones.

Bracket keys (``filter[status]``, ``page[size]``) are read literally and arrays are comma-joined,
as the official SDK sends them. A bad query parameter is a 400 naming it in ``source.parameter``;
a bad body field is a 422 pointing at it with ``source.pointer``.
"""

from __future__ import annotations

import json
import math
import uuid
from collections.abc import Collection, Mapping
from typing import Any

from simtools.sandbox.wire import ApiProblem, PageRequest, format_amount

__all__ = [
    "bool_param",
    "choice_field",
    "choice_param",
    "csv_param",
    "data_limit_field",
    "int_field",
    "is_uuid",
    "page_param",
    "parse_body",
    "required_param",
    "string_list_field",
    "text_field",
    "text_param",
    "uuid_field",
    "uuid_param",
]


def _bad_param(name: str, detail: str, code: str = "10015") -> ApiProblem:
    return ApiProblem.single(400, code, detail, parameter=name)


def _bad_field(field: str, detail: str, code: str = "10015") -> ApiProblem:
    return ApiProblem.single(422, code, detail, pointer=f"/{field}")


def is_uuid(text: str) -> bool:
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return len(text) == 36


def text_param(params: Mapping[str, str], name: str) -> str | None:
    """The parameter's value, or None when absent or empty."""
    value = params.get(name)
    return value if value else None


def required_param(params: Mapping[str, str], name: str) -> str:
    """A query parameter that must be given (400, code 10004, when it is not)."""
    value = text_param(params, name)
    if value is None:
        raise _bad_param(name, f"{name} is required.", code="10004")
    return value


def choice_param(
    params: Mapping[str, str], name: str, allowed: Collection[str], *, required: bool = False
) -> str | None:
    """One value out of ``allowed``, or None when absent and not required."""
    value = required_param(params, name) if required else text_param(params, name)
    if value is not None and value not in allowed:
        raise _bad_param(name, f"{name} must be one of {', '.join(allowed)}; got {value!r}.")
    return value


def page_param(params: Mapping[str, str], *, max_size: int = 250) -> PageRequest:
    """``page[number]`` (>= 1, default 1) and ``page[size]`` (1..max_size, default 20)."""
    values = {}
    for name, default, high in (("page[number]", 1, None), ("page[size]", 20, max_size)):
        raw = params.get(name)
        if raw is None:
            values[name] = default
            continue
        try:
            value = int(raw)
        except ValueError:
            raise _bad_param(name, f"{name} must be an integer; got {raw!r}.") from None
        if value < 1 or (high is not None and value > high):
            limits = f"between 1 and {high}" if high else "at least 1"
            raise _bad_param(name, f"{name} must be {limits}; got {value}.")
        values[name] = value
    return PageRequest(values["page[number]"], values["page[size]"])


def bool_param(params: Mapping[str, str], name: str) -> bool:
    raw = params.get(name)
    if raw is None or raw == "":
        return False
    if raw.lower() in ("true", "false"):
        return raw.lower() == "true"
    raise _bad_param(name, f"{name} must be true or false; got {raw!r}.")


def csv_param(
    params: Mapping[str, str], name: str, allowed: Collection[str] | None = None
) -> tuple[str, ...]:
    """A comma-joined array; every item must be in ``allowed`` when given."""
    raw = params.get(name)
    if not raw:
        return ()
    items = tuple(item.strip() for item in raw.split(",") if item.strip())
    if allowed is not None:
        unknown = [item for item in items if item not in allowed]
        if unknown:
            raise _bad_param(
                name,
                f"{name} has unknown value(s) {', '.join(unknown)}; allowed: {', '.join(allowed)}.",
            )
    return items


def uuid_param(params: Mapping[str, str], name: str) -> str | None:
    value = text_param(params, name)
    if value is not None and not is_uuid(value):
        raise _bad_param(name, f"{name} must be a UUID; got {value!r}.", code="10006")
    return value


def parse_body(raw: bytes) -> dict[str, Any]:
    """The request body as a JSON object (an empty body is an empty object)."""
    if not raw.strip():
        return {}
    try:
        body = json.loads(raw)
    except (ValueError, RecursionError) as exc:
        # RecursionError: nesting deeper than the parser goes is no valid request either.
        raise ApiProblem.single(422, "10015", f"The body is not valid JSON: {exc}.") from None
    if not isinstance(body, dict):
        raise ApiProblem.single(422, "10015", "The body must be a JSON object.")
    return body


def string_list_field(body: Mapping[str, Any], field: str, *, required: bool) -> list[str] | None:
    """A list of strings, or None when absent and not required."""
    if field not in body or body[field] is None:
        if required:
            raise _bad_field(field, f"{field} is required: a list of strings.", code="10004")
        return None
    value = body[field]
    if not isinstance(value, list):
        raise _bad_field(field, f"{field} must be a list of strings; got {type(value).__name__}.")
    for index, item in enumerate(value):
        if not isinstance(item, str):
            raise ApiProblem.single(
                422,
                "10015",
                f"{field}[{index}] must be a string; got {item!r}.",
                pointer=f"/{field}/{index}",
            )
    return value


def data_limit_field(
    body: Mapping[str, Any], field: str = "data_limit", units: Collection[str] = ("MB", "GB")
) -> dict[str, str] | None:
    """``{amount, unit}`` with a non-negative decimal amount (string or number), stored as a
    decimal string such as ``"2048.0"``; None when the field is absent or null (no limit)."""
    value = body.get(field)
    if value is None:
        return None
    if not isinstance(value, dict):
        raise _bad_field(field, f"{field} must be an object {{amount, unit}}; got {value!r}.")
    amount, unit = value.get("amount"), value.get("unit")
    if unit not in units:
        raise ApiProblem.single(
            422,
            "10015",
            f"{field}.unit must be one of {', '.join(units)}; got {unit!r}.",
            pointer=f"/{field}/unit",
        )
    number: float | None = None
    if isinstance(amount, int | float) and not isinstance(amount, bool):
        try:
            number = float(amount)
        except OverflowError:  # an integer of hundreds of digits
            number = None
    elif isinstance(amount, str):
        try:
            number = float(amount)
        except ValueError:
            number = None
    if number is not None and not math.isfinite(number):
        number = None
    if number is None or not number >= 0:
        raise ApiProblem.single(
            422,
            "10015",
            f'{field}.amount must be a non-negative decimal such as "2048.0"; got {amount!r}.',
            pointer=f"/{field}/amount",
        )
    return {"amount": format_amount(number), "unit": str(unit)}


def _missing(field: str, what: str) -> ApiProblem:
    return _bad_field(field, f"{field} is required: {what}.", code="10004")


def text_field(body: Mapping[str, Any], field: str, *, required: bool) -> str | None:
    """A non-empty string, or None when absent (or null) and not required."""
    value = body.get(field)
    if value is None:
        if required:
            raise _missing(field, "a non-empty string")
        return None
    if not isinstance(value, str) or not value.strip():
        raise _bad_field(field, f"{field} must be a non-empty string; got {value!r}.")
    return value


def uuid_field(body: Mapping[str, Any], field: str, *, required: bool) -> str | None:
    """A UUID string (code 10006 when malformed), or None when absent and not required."""
    value = body.get(field)
    if value is None:
        if required:
            raise _missing(field, "a UUID")
        return None
    if not isinstance(value, str) or not is_uuid(value):
        raise _bad_field(field, f"{field} must be a UUID; got {value!r}.", code="10006")
    return value


def int_field(body: Mapping[str, Any], field: str, *, low: int, high: int) -> int:
    """A required whole number from ``low`` to ``high``."""
    value = body.get(field)
    if value is None:
        raise _missing(field, f"a whole number from {low} to {high}")
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise _bad_field(
            field, f"{field} must be a whole number from {low} to {high}; got {value!r}."
        )
    return value


def choice_field(
    body: Mapping[str, Any], field: str, allowed: Collection[str], default: str | None = None
) -> str:
    """One of ``allowed``; ``default`` when absent, required when there is no default."""
    value = body.get(field, default)
    if value is None:
        raise _missing(field, f"one of {', '.join(allowed)}")
    if value not in allowed:
        raise _bad_field(field, f"{field} must be one of {', '.join(allowed)}; got {value!r}.")
    return str(value)
