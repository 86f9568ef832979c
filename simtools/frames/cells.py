"""Single values as text: nested values as compact JSON, lone surrogates made writable (pure)."""

from __future__ import annotations

import json
from typing import Any

import numpy as np

__all__ = ["as_text", "unicode_text"]

# One encoder for every cell: json.dumps with options builds a new one per call.
_JSON = json.JSONEncoder(ensure_ascii=False, default=str)


def as_text(value: Any) -> str:
    """A value as text: strings as they are, everything else as compact JSON."""
    if isinstance(value, str):
        return value
    if isinstance(value, np.ndarray):
        value = value.tolist()
    return _JSON.encode(value)


def unicode_text(value: str) -> str:
    """``value`` with each lone surrogate (a code point UTF-8 cannot hold) replaced by U+FFFD."""
    if value.isascii():
        return value
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return value.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    return value
