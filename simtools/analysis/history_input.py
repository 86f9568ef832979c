"""What every usage-history analysis shares: checking its input frame, the UTC month or day of a
time, the key a result is grouped by, and a frame finished in its contract's dtypes (pure).

Each analysis is a groupby-aggregation over a :data:`~simtools.frames.history_contracts.
USAGE_HISTORY` frame; sums are associative, so a function run on parts of the history (months,
partitions) and combined with :func:`combine_totals` gives what it gives on the whole.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import pandas as pd

from simtools.errors import InvalidInputError
from simtools.frames.schema import FrameContract, require_columns

__all__ = [
    "HISTORY_HINT",
    "KEYS",
    "check_key",
    "combine_totals",
    "finish",
    "history_frame",
    "month_of",
    "now_utc",
]

HISTORY_HINT = (
    "build the frame with simtools.wdr_history_frame(client.usage_records(...)), "
    "wdr_report_frame(client.wdr_report(...)), detail_records_frame(...) or usage_report_frame(...)"
)
#: The keys a cost or usage total may be grouped by.
KEYS = ("sim_card_id", "sim_group_id", "sim_group_name", "tag")


def history_frame(df: object, columns: Iterable[str], caller: str) -> pd.DataFrame:
    """``df`` when it is a usage-history frame with ``columns``; else an InvalidInputError."""
    return require_columns(df, ["start", *columns], caller=caller, hint=HISTORY_HINT)


def check_key(by: object, caller: str, allowed: Sequence[str] = KEYS) -> str | None:
    if by is None or (isinstance(by, str) and by in allowed):
        return by
    raise InvalidInputError(
        by, f"{caller} groups by one of {', '.join(allowed)} or None", f"e.g. by={allowed[0]!r}"
    )


def month_of(times: pd.Series) -> pd.Series:
    """The first instant (UTC) of each time's calendar month (Dask's ``dt`` has the same ops)."""
    day = times.dt.normalize()
    first: pd.Series = day - pd.to_timedelta(times.dt.day - 1, unit="D")
    return first


def now_utc(now: Any) -> pd.Timestamp:
    """``now`` as a UTC timestamp (the current time when None)."""
    from simtools.inputs.times import to_utc_timestamp

    if now is None:
        return pd.Timestamp.now(tz="UTC")
    return to_utc_timestamp(now, "now")


def combine_totals(parts: pd.DataFrame, keys: Sequence[str], sums: Sequence[str]) -> pd.DataFrame:
    """Partial totals (say, one per partition) summed per ``keys``: ``sums`` added up."""
    grouped = parts.groupby(list(keys), observed=True, dropna=False, sort=True)[list(sums)]
    return grouped.sum(min_count=1).reset_index()


def finish(out: pd.DataFrame, contract: FrameContract) -> pd.DataFrame:
    """``out`` with the contract's columns in order (optional ones where present) and dtypes."""
    names = [n for n in (*contract.names, *contract.optional_names) if n in out.columns]
    missing = [n for n in contract.names if n not in out.columns]
    assert not missing, f"{contract.name} lacks {missing}"
    frame = out[names].reset_index(drop=True)
    order = [c.name for c in contract.columns if c.name in names]
    frame = frame[order]
    return frame.astype({n: contract.dtypes[n] for n in order})
