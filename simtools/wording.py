"""Counts and type names in messages, in English a reader does not stumble on."""

from __future__ import annotations

__all__ = ["a_type", "plural"]

_IRREGULAR = {"entry": "entries", "query": "queries", "was": "were", "is": "are", "has": "have"}


def plural(count: int, noun: str, many: str | None = None) -> str:
    """``"1 row"``, ``"2 rows"``, ``"1,200 entries"``: the count with the noun it takes."""
    if count == 1:
        return f"1 {noun}"
    return f"{count:,} {many or _IRREGULAR.get(noun, noun + 's')}"


def a_type(value: object) -> str:
    """The type of ``value`` with its article: ``"an int"``, ``"a str"``, ``"a NoneType"``."""
    name = type(value).__name__
    return f"{'an' if name[:1].lower() in 'aeiou' else 'a'} {name}"
