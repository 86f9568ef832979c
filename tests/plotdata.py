"""Frames shaped like simtools' frame, usage and history outputs, built by hand for plot tests."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from simtools.analysis.usage import SUMMARY_COLUMNS as USAGE_SUMMARY_COLUMNS
from simtools.frames import SIM_CARD_COLUMNS

SIM_COLUMNS = SIM_CARD_COLUMNS

SUMMARY_COLUMNS = USAGE_SUMMARY_COLUMNS


def sim(
    consumed_mb: float | None,
    limit_mb: float | None,
    *,
    iccid: str | None = None,
    group: str | None = "grp-1",
    over_limit: bool | None = None,
) -> dict[str, Any]:
    """One SIM row's plot-relevant values; fleet_frame derives utilization, over_limit, headroom."""
    return {
        "consumed_mb": consumed_mb,
        "data_limit_mb": limit_mb,
        "iccid": iccid,
        "sim_card_group_id": group,
        "over_limit": over_limit,
    }


def fleet_frame(
    rows: Sequence[dict[str, Any]], *, group_names: dict[str, str] | None = None
) -> pd.DataFrame:
    """A frame with the sim_cards_frame column contract and dtypes from ``sim(...)`` rows.

    Ids are ``sim-0``, ``sim-1``, ...; ICCIDs default to ``8988...<n>`` unless a row sets one
    (``iccid=None`` in ``sim()`` means "use the default"; pass ``""`` for an empty ICCID).
    """
    n = len(rows)
    consumed = pd.Series([r["consumed_mb"] for r in rows], dtype="Float64")
    limit = pd.Series([r["data_limit_mb"] for r in rows], dtype="Float64")
    utilization = consumed / limit
    over = pd.array(
        [
            r["over_limit"]
            if r["over_limit"] is not None
            else (None if pd.isna(u) else bool(u > 1))
            for r, u in zip(rows, utilization, strict=True)
        ],
        dtype="boolean",
    )
    created = pd.date_range("2026-01-01", periods=n, freq="h", tz="UTC")
    frame = pd.DataFrame(
        {
            "id": pd.array([f"sim-{i}" for i in range(n)], dtype="string"),
            "iccid": pd.array(
                [
                    r["iccid"] if r["iccid"] is not None else f"89883{i:014d}"
                    for i, r in enumerate(rows)
                ],
                dtype="string",
            ),
            "imsi": pd.array([f"2010{i:011d}" for i in range(n)], dtype="string"),
            "msisdn": pd.array([None] * n, dtype="string"),
            "type": pd.Categorical(["physical"] * n, categories=["physical", "esim"]),
            "status": pd.Categorical(
                ["enabled"] * n, categories=["enabled", "disabled", "standby"]
            ),
            "status_reason": pd.array([None] * n, dtype="string"),
            "sim_card_group_id": pd.array([r["sim_card_group_id"] for r in rows], dtype="string"),
            "tags": pd.Series([[] for _ in range(n)], dtype="object"),
            "data_limit_amount": limit,
            "data_limit_unit": pd.Categorical(
                [None if pd.isna(x) else "MB" for x in limit], categories=["MB", "GB"]
            ),
            "data_limit_mb": limit,
            "consumed_amount": consumed,
            "consumed_unit": pd.Categorical(
                [None if pd.isna(x) else "MB" for x in consumed], categories=["MB", "GB"]
            ),
            "consumed_mb": consumed,
            "utilization": utilization,
            "over_limit": over,
            "headroom_mb": limit - consumed,
            "actions_in_progress": pd.array([False] * n, dtype="boolean"),
            "voice_enabled": pd.array([False] * n, dtype="boolean"),
            "esim_installation_status": pd.array([None] * n, dtype="string"),
            "eid": pd.array([None] * n, dtype="string"),
            "version": pd.array(["4.3"] * n, dtype="string"),
            "authorized_imeis": pd.Series([None] * n, dtype="object"),
            "created_at": created,
            "updated_at": created,
        },
        columns=list(SIM_COLUMNS),
    )
    if group_names is not None:
        frame["sim_card_group_name"] = frame["sim_card_group_id"].map(group_names).astype("string")
    return frame


def random_fleet(n: int, *, seed: int = 7, groups: int = 12) -> pd.DataFrame:
    """A large fleet with about 20% of SIMs without a limit, some near and some over it."""
    rng = np.random.default_rng(seed)
    limit = rng.choice([100.0, 500.0, 1024.0, 5120.0, 20480.0], size=n)
    util = rng.beta(2.0, 3.0, size=n) * 1.4
    no_limit = rng.random(n) < 0.2
    consumed = np.round(limit * util, 3)
    limit_list: list[float | None] = [
        None if nl else float(x) for nl, x in zip(no_limit, limit, strict=True)
    ]
    rows = [
        sim(float(c), lim, group=f"grp-{i % groups}")
        for i, (c, lim) in enumerate(zip(consumed, limit_list, strict=True))
    ]
    return fleet_frame(rows, group_names={f"grp-{g}": f"Group {g}" for g in range(groups)})


def summary_frame(rows: dict[str, dict[str, float | int | None]]) -> pd.DataFrame:
    """A usage_summary-shaped frame indexed by group key.

    Missing values default to NA, counts to 0, and sims_with_limit to sim_count.
    """
    index = pd.Index(list(rows), dtype="string", name="sim_card_group_id")
    data: dict[str, Any] = {}
    for col in SUMMARY_COLUMNS:
        values = [
            r.get(col, r.get("sim_count") if col == "sims_with_limit" else None)
            for r in rows.values()
        ]
        if col in ("sim_count", "sims_with_limit", "over_limit_count", "near_limit_count"):
            data[col] = pd.array([0 if v is None else v for v in values], dtype="Int64")
        else:
            data[col] = pd.array(values, dtype="Float64")
    return pd.DataFrame(data, index=index, columns=list(SUMMARY_COLUMNS))


def daily_frame(
    days: int,
    *,
    keys: Sequence[str] = (),
    key_column: str = "sim_card_id",
    start: str = "2026-03-01",
    scale: float = 10.0,
) -> pd.DataFrame:
    """A daily_usage-shaped tidy frame: one row per day (per key when keys are given).

    total_mb of key number k on day d is ``scale * (k + 1) + d`` (``scale + d`` without keys),
    so sums per key and per day are easy to predict.
    """
    dates = pd.date_range(start, periods=days, freq="D")
    if keys:
        date_col = np.repeat(dates.to_numpy(), len(keys))
        key_col = list(keys) * days
        totals = [scale * (k + 1) + d for d in range(days) for k in range(len(keys))]
    else:
        date_col = dates.to_numpy()
        key_col = []
        totals = [scale + d for d in range(days)]
    total = pd.Series(totals, dtype="Float64")
    frame = pd.DataFrame({"date": pd.to_datetime(date_col)})
    if keys:
        frame[key_column] = pd.array(key_col, dtype="string")
    frame["uplink_mb"] = total * 0.25
    frame["downlink_mb"] = total * 0.75
    frame["total_mb"] = total
    frame["sessions"] = pd.Series([1] * len(total), dtype="Int64")
    return frame
