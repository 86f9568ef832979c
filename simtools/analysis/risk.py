"""Risk classes and the worst-first order of SIMs, which the plots, the explorer and the
summaries share, and the column readings they rest on (pure).

A SIM is ``over`` its limit (``over_limit``, or utilization above 100%), ``near`` it (at or above
the threshold), ``ok``, or has ``no limit``. Worst first means largest first by the column asked
for, except where less is worse (``headroom_mb``), ties broken by more data used; SIMs without
usage data come last.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from simtools.errors import InvalidInputError

__all__ = [
    "ASCENDING_SORTS",
    "RISKS",
    "flags",
    "floats",
    "risk_classes",
    "risk_counts",
    "worst_first",
]

#: The risk classes, worst first.
RISKS = ("over", "near", "ok", "no limit")
#: Columns where less is worse: worst first means smallest first.
ASCENDING_SORTS = frozenset({"headroom_mb"})


def floats(df: pd.DataFrame, column: str) -> np.ndarray:
    """The column as float64 with NaN for missing values; a column of non-numbers is refused."""
    series = df[column]
    try:
        if pd.api.types.is_bool_dtype(series.dtype):
            series = series.astype("Float64")
        return pd.to_numeric(series).to_numpy(dtype="float64", na_value=np.nan)
    except (TypeError, ValueError) as exc:
        raise InvalidInputError(
            column,
            f"column {column!r} must hold numbers, found dtype {series.dtype}",
            f"convert it with pd.to_numeric(df[{column!r}], errors='coerce') first",
        ) from exc


def flags(df: pd.DataFrame, column: str) -> np.ndarray:
    """The column as bool, missing taken as False; an absent column is all False."""
    if column not in df.columns:
        return np.zeros(len(df), dtype=bool)
    try:
        return df[column].astype("boolean").to_numpy(dtype=bool, na_value=False)
    except (TypeError, ValueError) as exc:
        raise InvalidInputError(
            column,
            f"column {column!r} must hold True/False values, found dtype {df[column].dtype}",
            "use the frame from simtools.sim_cards_frame(...), where it is boolean",
        ) from exc


def risk_classes(df: pd.DataFrame, threshold: float) -> np.ndarray:
    """One of :data:`RISKS` per row, from ``data_limit_mb``, ``utilization`` and ``over_limit``."""
    limit = floats(df, "data_limit_mb")
    util = floats(df, "utilization")
    has_limit = ~np.isnan(limit)
    with np.errstate(invalid="ignore"):
        is_over = has_limit & (flags(df, "over_limit") | (util > 1))
        is_near = has_limit & ~is_over & (util >= threshold)
    return np.select([~has_limit, is_over, is_near], ["no limit", "over", "near"], default="ok")


def risk_counts(risk: np.ndarray) -> dict[str, int]:
    """How many rows are in each class present, worst class first."""
    names, counts = np.unique(risk, return_counts=True)
    found = dict(zip(names.tolist(), counts.tolist(), strict=True))
    return {name: found[name] for name in RISKS if found.get(name)}


def worst_first(df: pd.DataFrame, sort_by: str) -> np.ndarray:
    """Positions of the rows with usage data (``consumed_mb``), worst first by ``sort_by`` (see
    the module docstring); rows without usage data are left out."""
    consumed = floats(df, "consumed_mb")
    key = floats(df, sort_by)
    has_usage = ~np.isnan(consumed)
    key = np.where(np.isnan(key), np.inf, key if sort_by in ASCENDING_SORTS else -key)
    order = np.lexsort((np.where(has_usage, -consumed, np.inf), key, ~has_usage))
    return order[: int(has_usage.sum())]
