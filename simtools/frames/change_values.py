"""How a change plan writes values and requests as text, and reads them back (pure).

A plan row holds each field's value before and after as text (``from_value``, ``to_value``) and the
requests it sends as JSON (``request``), so the plan survives every file format unchanged. The
planner writes them with the ``*_text`` functions and :func:`requests_json`; the workflow that
applies a plan reads them back with :func:`parse_value` and :func:`parse_requests` and compares a
value it reads from the API with :func:`same_value`. Amounts are compared at the precision they are
sent with (:data:`PLACES`), so a limit set from a plan reads back as the same value.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, TypedDict

import pandas as pd

from simtools.errors import InvalidInputError

__all__ = [
    "PLACES",
    "Request",
    "alerts_text",
    "mb_text",
    "parse_requests",
    "parse_value",
    "requests_json",
    "same_value",
    "tags_text",
]

#: Decimals an amount is sent with: SimClient writes data limits with one decimal
#: (``data_limit_body``) and notification thresholds with three (``check_data_amount``).
PLACES = {"data_limit_mb": 1, "alert_mb": 3}
#: The requests a plan may hold, as ``(method, path prefix)``: PATCH of a SIM card, its three
#: status actions, and the data usage notification writes.
_ALLOWED = (
    ("PATCH", "sim_cards/"),
    ("POST", "sim_cards/"),
    ("POST", "sim_card_data_usage_notifications"),
    ("PATCH", "sim_card_data_usage_notifications/"),
    ("DELETE", "sim_card_data_usage_notifications/"),
)


class Request(TypedDict):
    """One request of a plan row: ``path`` is relative to the API's base URL."""

    method: str
    path: str
    body: dict[str, Any] | None


def mb_text(value: float | None) -> str | None:
    """An amount of MB as a plan writes it: ``"2048"``, ``"0.5"`` (``None``: no value)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    text = f"{float(value):.6f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def tags_text(tags: Iterable[str]) -> str:
    """Tags as a JSON list, in their order."""
    return json.dumps(list(tags), ensure_ascii=False)


def alerts_text(thresholds: Iterable[float]) -> str:
    """Notification thresholds in MB as a JSON list, smallest first."""
    return json.dumps(sorted(round(float(t), PLACES["alert_mb"]) for t in thresholds))


def parse_value(field: str, text: Any) -> Any:
    """A plan's text back as a value: MB as float (None for no limit), tags and thresholds as
    tuples, a group id or a status as text (None for none)."""
    if text is None or text is pd.NA or (isinstance(text, float) and math.isnan(text)):
        return () if field in ("tags", "alert_mb") else None
    if field == "data_limit_mb":
        return float(text)
    if field in ("tags", "alert_mb"):
        items = json.loads(text)
        if not isinstance(items, list):
            raise ValueError(f"{field} is not a JSON list: {text!r}")
        return tuple(float(i) for i in items) if field == "alert_mb" else tuple(map(str, items))
    return str(text)


def same_value(field: str, a: Any, b: Any) -> bool:
    """Whether two values of ``field`` (as :func:`parse_value` gives them) are the same change:
    amounts at the precision they are sent with, tags as sets, thresholds as multisets."""
    if field == "data_limit_mb":
        if a is None or b is None:
            return a is None and b is None
        places = PLACES[field]
        return bool(round(float(a), places) == round(float(b), places))
    if field == "tags":
        return set(a or ()) == set(b or ())
    if field == "alert_mb":
        places = PLACES[field]
        return Counter(round(float(x), places) for x in a or ()) == Counter(
            round(float(x), places) for x in b or ()
        )
    return bool(a == b)


def requests_json(requests: Sequence[Request]) -> str:
    """A row's requests as JSON text."""
    return json.dumps(list(requests), ensure_ascii=False, separators=(",", ":"))


def parse_requests(text: Any, where: str) -> list[Request]:
    """A row's requests from JSON text; anything a plan does not make is refused."""
    try:
        raw = json.loads(text)
    except (TypeError, ValueError):
        raw = None
    if not isinstance(raw, list) or not raw:
        raise InvalidInputError(text, f"{where}: request is not a JSON list of requests", _REPLAN)
    out: list[Request] = []
    for item in raw:
        if not isinstance(item, Mapping) or not _allowed(item):
            raise InvalidInputError(
                item, f"{where}: {item!r} is not a request a change plan makes", _REPLAN
            )
        body = item.get("body")
        out.append(Request(method=item["method"], path=item["path"], body=body))
    return out


def _allowed(item: Mapping[str, Any]) -> bool:
    method, path, body = item.get("method"), item.get("path"), item.get("body")
    if not isinstance(method, str) or not isinstance(path, str):
        return False
    if body is not None and not isinstance(body, dict):
        return False
    return any(method == m and path.startswith(p) for m, p in _ALLOWED)


_REPLAN = "plan the changes again with simtools.plan_changes (edit the desired frame, not the plan)"
