"""Usage history rolled up to one row per SIM, UTC day and network: the same
:data:`~simtools.frames.history_contracts.USAGE_HISTORY` shape, a fraction of the rows (pure).

Every history analysis gives the same answer on the rollup as on the records it sums (costs, data
and sessions add up; a day never spans two months), so a store can keep days instead of sessions,
and a partitioned history (months) rolls up partition by partition.
"""

from __future__ import annotations

import pandas as pd

from simtools.analysis.history_input import finish, history_frame
from simtools.frames.history_contracts import USAGE_HISTORY

__all__ = ["history_by_day"]

_KEYS = (
    "sim_card_id",
    "sim_group_id",
    "sim_group_name",
    "mcc",
    "mnc",
    "country_code",
    "country",
    "network_name",
    "currency",
    "history_source",
)
_SUMS = ("duration_s", "uplink_mb", "downlink_mb", "total_mb", "cost", "sessions")


def history_by_day(history: pd.DataFrame) -> pd.DataFrame:
    """One row per SIM, group, UTC day, network, currency and source, with the day's sums:
    ``start`` the day, ``end`` the next, ``record_id`` missing, ``sessions`` the records."""
    history = history_frame(history, [*_KEYS, *_SUMS], "history_by_day")
    frame = history.assign(day=history["start"].dt.normalize())
    keys = ["day", *_KEYS]
    grouped = frame.groupby(keys, observed=True, dropna=False, sort=True)[list(_SUMS)]
    out = grouped.sum(min_count=1).reset_index()
    out["sessions"] = out["sessions"].fillna(0)
    out["start"] = out["day"]
    out["end"] = out["day"] + pd.Timedelta(days=1)
    out["record_id"] = pd.NA
    return finish(out, USAGE_HISTORY)
