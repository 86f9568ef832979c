"""Usage over time: daily totals from a ``usage_records_frame`` (pure).

A record without ``created_at`` cannot be placed on a day: it is left out with a
``SimToolsDataWarning``.
"""

from __future__ import annotations

import pandas as pd

from simtools.analysis.usage import NO_KEY
from simtools.errors import InvalidInputError
from simtools.frames.contracts import DAILY_USAGE
from simtools.frames.issues import data_warning
from simtools.frames.schema import require_columns

__all__ = ["DAILY_USAGE_COLUMNS", "daily_usage"]

DAILY_USAGE_COLUMNS = DAILY_USAGE.names
_DAILY_KEYS: dict[str | None, str | None] = {
    None: None,
    "sim": "sim_card_id",
    "sim_card_id": "sim_card_id",
    "group": "sim_group_id",
    "sim_group_id": "sim_group_id",
}
_MAX_LISTED = 10


def daily_usage(records_frame: pd.DataFrame, by: str | None = None) -> pd.DataFrame:
    """Data per UTC day from a ``usage_records_frame``: ``date`` (UTC midnight), the key column
    for ``by="sim"`` (``sim_card_id``) or ``by="group"`` (``sim_group_id``), ``uplink_mb``,
    ``downlink_mb``, ``total_mb`` and ``sessions`` (records).

    Every day from the first record's to the last record's is present for every key, with zeros
    on days without records. A missing key is summarised under ``NO_KEY``. Records whose amount
    is missing add to ``sessions`` but not to the MB totals; records without ``created_at``
    cannot be placed on a day and are left out with a ``SimToolsDataWarning``.
    """
    if by not in _DAILY_KEYS:
        raise InvalidInputError(
            by,
            f"by={by!r} is not a way to split daily usage",
            "pass by=None for the whole fleet, by='sim' per SIM card or by='group' per SIM group",
        )
    key = _DAILY_KEYS[by]
    needed = ["created_at", "uplink_mb", "downlink_mb", *([key] if key else [])]
    require_columns(
        records_frame,
        needed,
        caller="daily_usage",
        hint="build the frame with simtools.usage_records_frame(records)",
    )
    created = pd.to_datetime(records_frame["created_at"], utc=True, errors="coerce")
    undated = created.isna()
    if undated.any():
        ids = records_frame.loc[undated, "id"] if "id" in records_frame.columns else None
        named = "" if ids is None else f" (ids {', '.join(map(str, ids.head(_MAX_LISTED)))})"
        data_warning(
            f"{int(undated.sum())} record(s) without created_at left out of the daily totals{named}"
        )
    keys = [key] if key else []
    dated = records_frame.loc[~undated]
    work = pd.DataFrame(
        {
            "date": created[~undated].dt.floor("D").astype("datetime64[ns, UTC]"),
            **{k: dated[k].astype("string").fillna(NO_KEY) for k in keys},
            "uplink_mb": pd.to_numeric(dated["uplink_mb"]).astype("Float64"),
            "downlink_mb": pd.to_numeric(dated["downlink_mb"]).astype("Float64"),
            "sessions": 1,
        }
    )
    sums = work.groupby([*keys, "date"], sort=True).agg(
        uplink_mb=("uplink_mb", "sum"),
        downlink_mb=("downlink_mb", "sum"),
        sessions=("sessions", "sum"),
    )
    if len(work):
        days = pd.date_range(work["date"].min(), work["date"].max(), freq="D", unit="ns")
        levels = [sorted(work[k].unique()) for k in keys] + [days]
        full = pd.MultiIndex.from_product(levels, names=[*keys, "date"])
        sums = sums.reindex(full if keys else pd.Index(days, name="date"), fill_value=0)
    out = sums.reset_index()
    out["total_mb"] = out["uplink_mb"] + out["downlink_mb"]
    out = out.astype({name: DAILY_USAGE.dtypes[name] for name in out.columns})
    return out[["date", *keys, "uplink_mb", "downlink_mb", "total_mb", "sessions"]]
