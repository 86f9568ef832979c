"""Turning what users type for a time (strings, dates, datetimes) into UTC timestamps."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd

from simtools.errors import InvalidInputError

__all__ = ["to_utc_timestamp"]


def to_utc_timestamp(value: Any, name: str) -> pd.Timestamp:
    """A tz-aware UTC nanosecond ``Timestamp`` from a string, date or datetime (naive = UTC)."""
    if isinstance(value, bool) or not isinstance(
        value, str | dt.date | np.datetime64 | pd.Timestamp
    ):
        raise InvalidInputError(
            value,
            f"{name} must be a date, a datetime or an ISO 8601 string, got {type(value).__name__}",
            f"pass e.g. {name}='2026-05-01T00:00:00Z' or a timezone-aware datetime",
        )
    try:
        ts = pd.Timestamp(value)
    except (ValueError, TypeError, OverflowError) as exc:
        raise InvalidInputError(
            value, f"{name}={value!r} is not a date or time ({exc})", f"e.g. {name}='2026-05-01'"
        ) from None
    if pd.isna(ts):
        raise InvalidInputError(value, f"{name} is empty (NaT)", f"e.g. {name}='2026-05-01'")
    try:
        ts = ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")
        return ts.as_unit("ns")
    except (ValueError, OverflowError):  # pandas' OutOfBoundsDatetime is a ValueError
        raise InvalidInputError(
            value,
            f"{name}={value!r} lies outside the times pandas can hold (years 1677 to 2262)",
            f"pass a time in that range, e.g. {name}='2026-05-01'",
        ) from None
