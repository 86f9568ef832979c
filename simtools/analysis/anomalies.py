"""Days on which a SIM used far more data than it usually does, each SIM against its own
baseline (pure).

A SIM's daily usage (UTC days, zero on days without records, from its first record to the last
day of the history) is compared with the ``window`` days before each day: the baseline is their
median, the spread their median absolute deviation (MAD, scaled by 1.4826 to read as a standard
deviation, and at least a tenth of the baseline and 0.01 MB, so a flat series does not make every
wobble an anomaly). The robust z-score is ``(usage - baseline) / spread``. A day is an anomaly
when its z-score is at least ``threshold``, its usage at least ``min_factor`` times the baseline
and ``min_mb``, and the SIM has at least ``min_history`` days of history before it. The defaults
ask for ten times the usual data (a runaway device, a SIM in another device) and a z-score of 8,
so a busy week of a SIM with a steady pattern is not listed.

The work is done on a SIM-by-day matrix in blocks of SIMs, so memory stays bounded for any
fleet; :func:`daily_sim_usage` is the one aggregation over the records (a groupby-sum that Dask
runs as well), and :func:`usage_anomalies` also takes its result.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd
from numpy.lib.stride_tricks import sliding_window_view

from simtools.analysis.history_input import finish, history_frame
from simtools.errors import InvalidInputError
from simtools.frames.history_contracts import USAGE_ANOMALIES, USAGE_BASELINE

__all__ = ["daily_sim_usage", "usage_anomalies", "usage_baseline"]

F64 = npt.NDArray[np.float64]
_MAD_SCALE = 1.4826
_BLOCK_CELLS = 4_000_000
_DAILY = ("sim_card_id", "date", "total_mb")


def daily_sim_usage(history: pd.DataFrame) -> pd.DataFrame:
    """Data per SIM and UTC day (``sim_card_id``, ``sim_group_name``, ``date``, ``total_mb``),
    with the day's main network (``network_name``, ``country_code``: the one with most data)."""
    history = history_frame(history, ["sim_card_id", "total_mb"], "daily_sim_usage")
    frame = history.assign(date=history["start"].dt.normalize())
    keys = ["sim_card_id", "date"]
    totals = frame.groupby(keys, sort=True)["total_mb"].sum(min_count=1).reset_index()
    extra = [c for c in ("sim_group_name", "network_name", "country_code") if c in frame.columns]
    if extra:
        per_net = frame.groupby([*keys, *extra], dropna=False, sort=False)["total_mb"].sum()
        top = per_net.reset_index().sort_values("total_mb", ascending=False, kind="stable")
        top = top.drop_duplicates(keys)[[*keys, *extra]]
        totals = totals.merge(top, on=keys, how="left")
    return totals


def _check(value: object, name: str, low: float, integer: bool = False) -> float:
    wrong = isinstance(value, bool) or not isinstance(value, int if integer else int | float)
    if wrong or not value >= low:  # type: ignore[operator]
        raise InvalidInputError(value, f"{name} must be a number of at least {low:g}", f"{name}=28")
    return float(value)  # type: ignore[arg-type]


def nan_median(values: F64) -> F64:
    """The median along the last axis of what is not NaN (NaN where nothing is): as
    ``np.nanmedian``, without its "All-NaN slice" warning, which can only be silenced through the
    process-wide (not thread-safe) warnings filters, and Dask runs this on threads."""
    ordered = np.sort(values, axis=-1)  # NaNs sort last
    valid = np.count_nonzero(~np.isnan(ordered), axis=-1)
    low = np.take_along_axis(ordered, np.maximum(valid - 1, 0)[..., None] // 2, axis=-1)[..., 0]
    high = np.take_along_axis(ordered, (valid // 2)[..., None], axis=-1)[..., 0]
    return np.where(valid > 0, (low + high) / 2, np.nan)


def _scores(
    matrix: F64, born: npt.NDArray[np.int64], window: int, floor_mb: float
) -> tuple[F64, F64, F64, F64]:
    """Per cell: baseline, spread, robust z and days of history before it (NaN before birth)."""
    sims, days = matrix.shape
    padded = np.concatenate([np.full((sims, window), np.nan), matrix], axis=1)
    # Window k covers days k-window .. k-1 of the matrix: the days before day k.
    windows = sliding_window_view(padded, window, axis=1)[:, :days]
    with np.errstate(all="ignore"):
        baseline = nan_median(windows)
        mad = nan_median(np.abs(windows - baseline[..., None]))
        spread = np.fmax(np.fmax(mad * _MAD_SCALE, baseline * 0.1), floor_mb)
        z = (matrix - baseline) / spread
    history = np.arange(days)[None, :] - born[:, None]
    return baseline, spread, z, history.astype(np.float64)


def _matrix(daily: pd.DataFrame) -> tuple[pd.Index, pd.DatetimeIndex, F64, npt.NDArray[np.int64]]:
    sims = pd.Index(daily["sim_card_id"].astype("string").unique())
    dates = pd.date_range(daily["date"].min(), daily["date"].max(), freq="D")
    row = sims.get_indexer(daily["sim_card_id"].astype("string"))
    col = dates.get_indexer(pd.DatetimeIndex(daily["date"]))
    matrix = np.zeros((len(sims), len(dates)))
    np.add.at(matrix, (row, col), daily["total_mb"].astype("float64").fillna(0.0).to_numpy())
    born = np.full(len(sims), len(dates), dtype=np.int64)
    np.minimum.at(born, row, col)
    matrix[np.arange(len(dates))[None, :] < born[:, None]] = np.nan
    return sims, dates, matrix, born


def _daily(history: pd.DataFrame, caller: str) -> pd.DataFrame:
    if isinstance(history, pd.DataFrame) and "date" in history.columns and "start" not in history:
        missing = [c for c in _DAILY if c not in history.columns]
        if missing:
            raise InvalidInputError(missing, f"{caller} needs {missing}", "use daily_sim_usage")
        return history
    return daily_sim_usage(history)


def usage_anomalies(
    history: pd.DataFrame,
    *,
    window: int = 28,
    threshold: float = 8.0,
    min_factor: float = 10.0,
    min_mb: float = 1.0,
    min_history: int = 14,
) -> pd.DataFrame:
    """SIM-days far above the SIM's own baseline (see the module docstring), biggest factor
    first, in the ``USAGE_ANOMALIES`` contract: SIM, group, day, usage, baseline, factor
    (usage / baseline; missing over a zero baseline), robust z and the day's main network.
    ``history`` is a usage-history frame or :func:`daily_sim_usage`'s result."""
    w = int(_check(window, "window", 3, integer=True))
    z_min, factor_min = _check(threshold, "threshold", 0), _check(min_factor, "min_factor", 1)
    mb_min = _check(min_mb, "min_mb", 0)
    needed = int(_check(min_history, "min_history", 1, integer=True))
    daily = _daily(history, "usage_anomalies")
    if daily.empty:
        return USAGE_ANOMALIES.empty()
    sims, dates, matrix, born = _matrix(daily)
    found = []
    block = max(1, _BLOCK_CELLS // max(1, len(dates) * w))
    for at in range(0, len(sims), block):
        part = slice(at, at + block)
        base, _, z, past = _scores(matrix[part], born[part], w, 0.01)
        usage = matrix[part]
        with np.errstate(all="ignore"):
            hit = (z >= z_min) & (usage >= mb_min) & (usage >= factor_min * base) & (past >= needed)
            rows, cols = np.nonzero(hit)
            factor = np.where(base[rows, cols] > 0, usage[rows, cols] / base[rows, cols], np.nan)
        found.append(
            pd.DataFrame(
                {
                    "sim_card_id": sims[at + rows],
                    "date": dates[cols],
                    "total_mb": usage[rows, cols],
                    "baseline_mb": base[rows, cols],
                    "factor": factor,
                    "robust_z": z[rows, cols],
                }
            )
        )
    out = pd.concat(found, ignore_index=True)
    extra = [c for c in ("sim_group_name", "network_name", "country_code") if c in daily.columns]
    labels = daily[["sim_card_id", "date", *extra]].astype({"sim_card_id": "string"})
    out = out.astype({"sim_card_id": "string"}).merge(
        labels, on=["sim_card_id", "date"], how="left"
    )
    for column in ("sim_group_name", "network_name", "country_code"):
        if column not in out.columns:
            out[column] = pd.NA
    out = out.sort_values(["factor", "robust_z"], ascending=False, kind="stable")
    return finish(out.round({"baseline_mb": 3, "factor": 2, "robust_z": 2}), USAGE_ANOMALIES)


def usage_baseline(
    history: pd.DataFrame,
    sim_card_id: str,
    *,
    window: int = 28,
    threshold: float = 8.0,
    min_factor: float = 10.0,
    min_mb: float = 1.0,
    min_history: int = 14,
) -> pd.DataFrame:
    """One SIM's daily usage with its baseline and the band an anomaly leaves (baseline ±
    ``threshold`` spreads, the low edge at zero), in the ``USAGE_BASELINE`` contract; what
    :func:`usage_anomalies` judged each day by (``anomaly``)."""
    w = int(_check(window, "window", 3, integer=True))
    z_min, factor_min = _check(threshold, "threshold", 0), _check(min_factor, "min_factor", 1)
    mb_min = _check(min_mb, "min_mb", 0)
    needed = int(_check(min_history, "min_history", 1, integer=True))
    daily = _daily(history, "usage_baseline")
    mine = daily[daily["sim_card_id"].astype("string") == str(sim_card_id)]
    if mine.empty:
        raise InvalidInputError(
            sim_card_id, "the history has no records of this SIM", "pass a SIM of the history"
        )
    last = daily["date"].max()
    padded = pd.concat(
        [mine, pd.DataFrame({"sim_card_id": [str(sim_card_id)], "date": [last], "total_mb": [0.0]})]
    )
    _, dates, matrix, born = _matrix(padded)
    base, spread, z, past = _scores(matrix, born, w, 0.01)
    usage = matrix[0]
    with np.errstate(all="ignore"):
        anomaly = (
            (z[0] >= z_min)
            & (usage >= mb_min)
            & (usage >= factor_min * base[0])
            & (past[0] >= needed)
        )
    out = pd.DataFrame(
        {
            "date": dates,
            "total_mb": usage,
            "baseline_mb": base[0],
            "band_low_mb": np.fmax(base[0] - z_min * spread[0], 0.0),
            "band_high_mb": base[0] + z_min * spread[0],
            "robust_z": z[0],
            "anomaly": anomaly,
        }
    )
    out = out[~np.isnan(usage)]
    return finish(
        out.round({"baseline_mb": 3, "band_low_mb": 3, "band_high_mb": 3, "robust_z": 2}),
        USAGE_BASELINE,
    )
