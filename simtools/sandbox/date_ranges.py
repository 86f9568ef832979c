"""Named date ranges (``yesterday``, ``this_week``, ``last_N_days`` ...) as UTC time spans.

The SDK lists the names for ``/detail_records`` (``filter[date_range]``) and takes the same kind of
value for ``/usage_reports`` (``date_range``) without listing them; neither says where the spans
start and end. The sandbox assumes UTC calendar days, ISO weeks starting on Monday and calendar
months, and ``last_N_days`` = the N whole days before today plus today so far.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

__all__ = ["DATE_RANGES", "date_range_span"]

DATE_RANGES = (
    "yesterday",
    "today",
    "tomorrow",
    "last_week",
    "this_week",
    "next_week",
    "last_month",
    "this_month",
    "next_month",
)
_LAST_N_DAYS = re.compile(r"last_([1-9][0-9]{0,3})_days")


def _month(moment: datetime, offset: int) -> datetime:
    index = moment.year * 12 + moment.month - 1 + offset
    return moment.replace(year=index // 12, month=index % 12 + 1, day=1)


def date_range_span(name: str, now: float) -> tuple[int, int] | None:
    """``name`` at the moment ``now`` as (start, end) epoch ms, end exclusive; None when the
    name is not one the API takes."""
    today = datetime.fromtimestamp(now, tz=UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    day = timedelta(days=1)
    monday = today - today.weekday() * day
    spans = {
        "yesterday": (today - day, today),
        "today": (today, today + day),
        "tomorrow": (today + day, today + 2 * day),
        "last_week": (monday - 7 * day, monday),
        "this_week": (monday, monday + 7 * day),
        "next_week": (monday + 7 * day, monday + 14 * day),
        "last_month": (_month(today, -1), _month(today, 0)),
        "this_month": (_month(today, 0), _month(today, 1)),
        "next_month": (_month(today, 1), _month(today, 2)),
    }
    span = spans.get(name)
    matched = _LAST_N_DAYS.fullmatch(name)
    if matched:
        span = (today - int(matched.group(1)) * day, today + day)
    if span is None:
        return None
    return int(span[0].timestamp() * 1000), int(span[1].timestamp() * 1000)
