"""Which data limit a SIM answers to: its own, or its group's (pure).

A SIM card group may have a data limit of its own: the data its SIMs may use together
(CONTRACT.md 6.3, ``SIMCardGroup.data_limit``). A SIM with its own limit is judged against that;
a SIM without one, against its group's, by the group's consumption over the group's limit (the
group's ``consumed_mb`` from the API when the groups frame has it, else the sum over the SIMs of
the fleet frame). :func:`applied_limits` gives, per SIM, the limit that applies
(``limit_source``: ``sim`` or ``group``, missing when neither has one), that limit in MB and the
utilization it is judged by; :func:`group_limit_figures` the group's own limit and utilization.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from simtools.analysis.risk import floats
from simtools.frames.contracts import APPLIED_LIMITS
from simtools.frames.schema import require_columns

__all__ = ["applied_limits", "group_limit_figures"]

_GROUPS_HINT = "pass groups=simtools.sim_card_groups_frame(client)"


def group_limit_figures(groups: pd.DataFrame, fleet: pd.DataFrame) -> pd.DataFrame:
    """Per group id (the index): ``group_data_limit_mb`` (missing without a limit),
    ``group_consumed_mb`` and ``group_utilization``."""
    require_columns(groups, ["id", "data_limit_mb"], caller="group limits", hint=_GROUPS_HINT)
    ids = groups["id"].astype("string")
    limit = pd.Series(floats(groups, "data_limit_mb"), index=ids.to_numpy())
    if "consumed_mb" in groups.columns:
        used = pd.Series(floats(groups, "consumed_mb"), index=ids.to_numpy())
    else:
        used = pd.Series(np.nan, index=ids.to_numpy())
    summed = (
        pd.Series(floats(fleet, "consumed_mb"), index=fleet.index)
        .groupby(fleet["sim_card_group_id"].astype("string"))
        .sum(min_count=1)
    )
    used = used.fillna(summed.reindex(used.index))
    with np.errstate(divide="ignore", invalid="ignore"):
        utilization = np.where(limit.to_numpy() > 0, used.to_numpy() / limit.to_numpy(), np.nan)
    return pd.DataFrame(
        {
            "group_data_limit_mb": pd.array(limit.to_numpy(), dtype="Float64"),
            "group_consumed_mb": pd.array(used.to_numpy(), dtype="Float64"),
            "group_utilization": pd.array(utilization, dtype="Float64"),
        },
        index=pd.Index(ids.to_numpy(), name="sim_card_group_id"),
    )


def applied_limits(df: pd.DataFrame, groups: pd.DataFrame | None) -> pd.DataFrame:
    """Per SIM (``df``'s index) the ``APPLIED_LIMITS`` columns: a SIM's own limit where it has
    one, else its group's; without ``groups`` only own limits apply."""
    require_columns(
        df, ["sim_card_group_id", "data_limit_mb", "utilization"], caller="applied limits"
    )
    own = floats(df, "data_limit_mb")
    own_util = floats(df, "utilization")
    has_own = ~np.isnan(own)
    group_limit = np.full(len(df), np.nan)
    group_util = np.full(len(df), np.nan)
    if groups is not None:
        figures = group_limit_figures(groups, df)
        keys = df["sim_card_group_id"].astype("string")
        group_limit = floats(figures.reindex(keys.to_numpy()), "group_data_limit_mb")
        group_util = floats(figures.reindex(keys.to_numpy()), "group_utilization")
    by_group = ~has_own & ~np.isnan(group_limit)
    source = np.select([has_own, by_group], ["sim", "group"], default="")
    out = pd.DataFrame(
        {
            "limit_source": pd.Series(source, index=df.index).replace("", None),
            "applied_limit_mb": np.where(has_own, own, group_limit),
            "applied_utilization": np.where(has_own, own_util, group_util),
        },
        index=df.index,
    )
    return out.astype({c.name: c.dtype for c in APPLIED_LIMITS.columns})
