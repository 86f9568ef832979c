"""Turning what users type for a time (strings, dates, datetimes) into UTC timestamps."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd

from simtools.errors import InvalidInputError

__all__ = ["to_utc_timestamp"]


def to_utc_timestamp(value: Any, name: str) -> pd.Timestamp:
    """A tz-aware UTC ``Timestamp``; naive values are taken as UTC."""
    if isinstance(value, bool) or not isinstance(value, str | dt.date | dt.datetime | pd.Timestamp):
        raise InvalidInputError(
            value,
            f"{name} must be a date, a datetime or an ISO 8601 string, got {type(value).__name__}",
            f"e.g. {name}='2026-11-01' or {name}=datetime(2026, 11, 1, tzinfo=timezone.utc)",
        )
    try:
        ts = pd.Timestamp(value)
    except (ValueError, TypeError) as exc:
        raise InvalidInputError(
            value, f"{name} {value!r} is not a date: {exc}", f"e.g. {name}='2026-11-01T00:00:00Z'"
        ) from None
    if pd.isna(ts):
        raise InvalidInputError(value, f"{name} is empty", f"e.g. {name}='2026-11-01'")
    return ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")
