"""Cost per SIM, group, tag and month, and each month against the one before (pure).

Costs are summed per currency and never across currencies (a row per currency). A month is a UTC
calendar month (the API's billing period), named by its first instant; a record counts in the
month its session started.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from simtools.analysis.history_input import (
    check_key,
    combine_totals,
    finish,
    history_frame,
    month_of,
    now_utc,
)
from simtools.frames.history_contracts import COST_TOTALS, MONTH_OVER_MONTH
from simtools.frames.schema import require_columns

__all__ = ["combine_cost_totals", "cost_by", "month_over_month"]

_SUMS = ("total_mb", "cost", "sessions")


def _tagged(history: pd.DataFrame, fleet: Any) -> pd.DataFrame:
    """The history with a ``tag`` column from the fleet frame: a record of a SIM with several
    tags once per tag, of a SIM without tags (or not in the fleet) once with no tag."""
    fleet = require_columns(fleet, ["id", "tags"], caller="cost_by(by='tag')")
    tags = fleet[["id", "tags"]].rename(columns={"id": "sim_card_id"})
    tags = tags.assign(tag=tags["tags"].map(lambda t: list(t) if len(t or ()) else [None]))
    tags = tags.explode("tag")[["sim_card_id", "tag"]]
    tags["sim_card_id"] = tags["sim_card_id"].astype("string")
    tags["tag"] = tags["tag"].astype("string")
    return history.merge(tags, on="sim_card_id", how="left")


def cost_by(
    history: pd.DataFrame, by: str | None = "sim_group_name", *, fleet: Any = None
) -> pd.DataFrame:
    """Cost and data per month and ``by`` (``sim_card_id``, ``sim_group_id``,
    ``sim_group_name``, ``tag`` or None for the whole fleet) and currency, in the
    ``COST_TOTALS`` contract, sorted by month and key. ``by='tag'`` needs ``fleet`` (a fleet
    frame with ``tags``); a SIM with several tags counts in each, so tags do not add up to the
    fleet. Records without a key count under a missing key, never dropped."""
    key = check_key(by, "cost_by")
    history = history_frame(history, ["total_mb", "cost", "currency", "sessions"], "cost_by")
    if key == "tag":
        if fleet is None:
            from simtools.errors import InvalidInputError

            raise InvalidInputError(
                "fleet", "cost_by(by='tag') needs the fleet's tags", "pass fleet=fleet_frame(...)"
            )
        history = _tagged(history, fleet)
    elif key is not None:
        history = history_frame(history, [key], "cost_by")
    frame = history.assign(month=month_of(history["start"]))
    keys = ["month", *([key] if key else []), "currency"]
    totals = combine_totals(frame[[*keys, *_SUMS]], keys, _SUMS)
    return finish(_filled(totals), COST_TOTALS)


def _filled(totals: pd.DataFrame) -> pd.DataFrame:
    for column in _SUMS:
        totals[column] = totals[column].fillna(0)
    return totals


def combine_cost_totals(parts: pd.DataFrame) -> pd.DataFrame:
    """``cost_by`` results of parts of a history (concatenated) as the result on the whole:
    what a partitioned run (Dask's ``map_partitions(cost_by)``) adds up with."""
    parts = require_columns(parts, ["month", "currency", *_SUMS], caller="combine_cost_totals")
    keys = [
        "month",
        *[
            k
            for k in ("sim_card_id", "sim_group_id", "sim_group_name", "tag")
            if k in parts.columns
        ],
        "currency",
    ]
    return finish(_filled(combine_totals(parts, keys, _SUMS)), COST_TOTALS)


def month_over_month(
    history: pd.DataFrame,
    by: str | None = "sim_group_name",
    *,
    fleet: Any = None,
    now: Any = None,
) -> pd.DataFrame:
    """Each month's cost and data per ``by`` and currency against the month before, in the
    ``MONTH_OVER_MONTH`` contract. Months without usage between a key's first and last month
    count as zero; the first month has no previous one (missing), and a change against zero is
    missing as a percentage. A month not over by ``now`` (default: the current time) is a
    ``partial_month``: its drop against a whole month is not a trend. ``history`` may also be
    ``cost_by``'s result."""
    totals = (
        history
        if isinstance(history, pd.DataFrame) and "month" in history.columns
        else cost_by(history, by, fleet=fleet)
    )
    key = check_key(by, "month_over_month")
    keys = [*([key] if key else []), "currency"]
    rows = []
    for _, group in totals.groupby(keys, observed=True, dropna=False, sort=True):
        months = pd.date_range(group["month"].min(), group["month"].max(), freq="MS")
        filled = group.set_index("month")[["total_mb", "cost"]].reindex(months)
        filled = filled.astype("float64").fillna(0.0)
        frame = filled.rename_axis("month").reset_index()
        for k in keys:
            frame[k] = group[k].iloc[0]
        rows.append(frame)
    if not rows:
        return MONTH_OVER_MONTH.empty()[list(MONTH_OVER_MONTH.names)]
    out = pd.concat(rows, ignore_index=True)
    grouped = out.groupby(keys, dropna=False, sort=False)
    out["previous_mb"] = grouped["total_mb"].shift(1)
    out["previous_cost"] = grouped["cost"].shift(1)
    out["cost_change"] = out["cost"] - out["previous_cost"]
    with np.errstate(divide="ignore", invalid="ignore"):
        out["cost_change_pct"] = _pct(out["cost"], out["previous_cost"])
        out["mb_change_pct"] = _pct(out["total_mb"], out["previous_mb"])
    out["partial_month"] = out["month"] + pd.offsets.MonthBegin(1) > now_utc(now)
    out = out.sort_values(["month", *keys], kind="stable")
    return finish(out, MONTH_OVER_MONTH)


def _pct(now: pd.Series, before: pd.Series) -> pd.Series:
    share = (now - before) / before.where(before > 0) * 100
    return share.round(2)
