"""SIMs we pay for but do not use: idle SIMs (no data for N days) and never-connected SIMs (no
record at all in the history given), from the fleet frame and the usage history (pure).

"Never connected" is judged within the history given: a SIM whose only sessions are older than
its start is listed too, so pass the history back to the SIM's creation (or the 13 months the API
keeps) to read it as "never". A SIM that has consumed data this period (``consumed_mb`` above
zero) is never listed as never connected, whatever the history holds.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from simtools.analysis.history_input import finish, history_frame, now_utc
from simtools.errors import InvalidInputError
from simtools.frames.history_contracts import IDLE_SIMS
from simtools.frames.schema import require_columns

__all__ = ["idle_sims"]

_DAY = pd.Timedelta(days=1)


def idle_sims(
    fleet: pd.DataFrame, history: pd.DataFrame, *, days: float = 30, now: Any = None
) -> pd.DataFrame:
    """Fleet SIMs without data in the last ``days`` days before ``now`` (``idle``, with when they
    last used data) and those without any record in ``history`` (``never_connected``, idle since
    their ``created_at``), most idle first, in the ``IDLE_SIMS`` contract."""
    if isinstance(days, bool) or not isinstance(days, int | float) or not days > 0:
        raise InvalidInputError(days, "days must be a positive number of days", "e.g. days=30")
    fleet = require_columns(
        fleet,
        ["id", "iccid", "sim_card_group_id", "status", "consumed_mb", "created_at"],
        caller="idle_sims",
    )
    history = history_frame(history, ["sim_card_id", "total_mb"], "idle_sims")
    at = now_utc(now)
    used = history[(history["total_mb"] > 0) & (history["start"] < at)]
    ends = used["end"].fillna(used["start"]) if "end" in used.columns else used["start"]
    last = ends.groupby(used["sim_card_id"].astype("string")).max()
    seen = set(history["sim_card_id"].dropna().astype(str))
    sims = fleet.assign(sim_card_id=fleet["id"].astype("string"))
    last_usage = sims["sim_card_id"].map(last)
    consumed = sims["consumed_mb"].astype("Float64")
    never = ~sims["sim_card_id"].isin(seen) & ~(consumed > 0).fillna(False)
    since = last_usage.where(~never, sims["created_at"])
    idle_days = (at - pd.to_datetime(since, utc=True)) / _DAY
    idle = ~never & last_usage.notna() & (idle_days >= days)
    out = sims.assign(
        sim_status=sims["status"],
        idle_state=pd.Series(pd.NA, index=sims.index, dtype="object")
        .mask(idle, "idle")
        .mask(never, "never_connected"),
        last_usage_at=pd.to_datetime(last_usage, utc=True),
        idle_days=idle_days.round(2),
    )
    out = out[idle | never].sort_values("idle_days", ascending=False, kind="stable")
    return finish(out, IDLE_SIMS)
