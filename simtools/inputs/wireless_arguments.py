"""Argument checks of the wireless verbs beyond registration: counts, choices, names, region
codes, blocklist values. Each returns the normalised value or raises ``InvalidInputError`` naming
the value, why it is wrong and how to fix it, before anything is sent."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

from simtools.errors import InvalidInputError
from simtools.wording import a_type

__all__ = [
    "BLOCKLIST_TYPES",
    "MAX_ESIM_PURCHASE",
    "SIM_CARD_ACTION_FILTER_TYPES",
    "check_blocklist_values",
    "check_choice",
    "check_count",
    "check_region_code",
    "check_text",
    "check_whitelabel_name",
]

#: What ``filter[action_type]`` of ``GET /sim_card_actions`` takes (the SDK's filter enum).
SIM_CARD_ACTION_FILTER_TYPES = (
    "enable",
    "enable_standby_sim_card",
    "disable",
    "set_standby",
    "remove_public_ip",
    "set_public_ip",
    "enable_voice",
    "disable_voice",
)
#: What a wireless blocklist holds (SDK ``WirelessWirelessBlocklist.type``).
BLOCKLIST_TYPES = ("country", "mcc", "plmn")
#: The most eSIMs one purchase may ask for. Telnyx publishes no bound; this one guards against a
#: typo buying a thousand times too many (the sandbox keeps the same bound).
MAX_ESIM_PURCHASE = 1000
_REGION = re.compile(r"[a-z0-9][a-z0-9_-]{0,31}")
#: The SDK's docstring: "must only contain letters, numbers and whitespaces".
_WHITELABEL = re.compile(r"[A-Za-z0-9 ]+")


def check_count(value: Any, name: str, *, high: int | None = None) -> int:
    """A whole number from 1 to ``high`` (no upper bound when ``high`` is None)."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InvalidInputError(
            value, f"{name} must be a whole number of at least 1, got {value!r}", f"e.g. {name}=5"
        )
    if high is not None and value > high:
        raise InvalidInputError(
            value, f"{name} {value} is more than {high} at once", f"ask for at most {high}"
        )
    return value


def check_choice(value: Any, name: str, choices: Sequence[str]) -> str:
    """One of ``choices`` (surrounding spaces dropped)."""
    if not isinstance(value, str) or value.strip() not in choices:
        raise InvalidInputError(
            value, f"{name} {value!r} is not one of the API's values", f"use one of {choices}"
        )
    return value.strip()


def check_text(value: Any, name: str, example: str) -> str:
    """Non-empty text (surrounding spaces dropped)."""
    if not isinstance(value, str) or not value.strip():
        what = "empty" if isinstance(value, str) else a_type(value)
        raise InvalidInputError(value, f"{name} must be non-empty text; it is {what}", example)
    return value.strip()


def check_region_code(value: Any) -> str:
    """A wireless region's code such as ``dc2`` (``client.list_wireless_regions()`` has them)."""
    code = check_text(value, "region_code", "e.g. region_code='dc2'")
    if not _REGION.fullmatch(code):
        raise InvalidInputError(
            value,
            f"region_code {value!r} does not look like a region code",
            "use a code from client.list_wireless_regions(), e.g. 'dc2'",
        )
    return code


def check_whitelabel_name(value: Any) -> str:
    """A whitelabel eSIM's service provider name: letters, numbers and spaces only."""
    name = check_text(value, "whitelabel_name", "e.g. whitelabel_name='Acme Mobile'")
    if not _WHITELABEL.fullmatch(name):
        raise InvalidInputError(
            value,
            f"whitelabel_name {value!r} holds characters other than letters, numbers and spaces",
            "e.g. whitelabel_name='Acme Mobile'",
        )
    return name


def check_blocklist_values(values: Any, kind: str | None = None) -> list[str]:
    """A blocklist's values: a non-empty list of text; upper-case two-letter ISO codes for a
    ``country`` blocklist, digits for ``mcc`` (3) and ``plmn`` (5 or 6)."""
    if isinstance(values, str) or not isinstance(values, Iterable):
        raise InvalidInputError(
            values, "values must be a list of text", "pass e.g. values=['CA', 'US']"
        )
    out = [check_text(v, "each value", "pass e.g. values=['CA', 'US']") for v in values]
    if not out:
        raise InvalidInputError(values, "values is empty", "pass at least one value")
    shapes = {"country": r"[A-Z]{2}", "mcc": r"\d{3}", "plmn": r"\d{5,6}"}
    if kind in shapes:
        wrong = [v for v in out if not re.fullmatch(shapes[kind], v)]
        if wrong:
            raise InvalidInputError(
                wrong,
                f"{', '.join(map(repr, wrong[:5]))} cannot be in a {kind} blocklist",
                "client.list_wireless_blocklist_values(type) lists the values it takes",
            )
    return list(dict.fromkeys(out))
