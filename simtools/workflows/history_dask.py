"""The history analysis on a Dask DataFrame of a history store, with the results pandas gives on
the same records, for histories larger than one machine's memory.

Each function runs the pandas analysis on pieces of the store and combines them exactly:

- sums (cost per month and key, roaming data) run per partition (``map_partitions``) and the
  partial totals are added up, as a groupby-aggregation does;
- results that need all of a key's records in one place (a SIM's daily series for its anomalies,
  the distinct SIMs of a network) first shuffle the records by that key, so each partition holds
  whole keys, then run per partition; shares of the whole are computed after the combine.

Only the small results travel back to the caller. Whichever Dask scheduler is active runs them:
a ``distributed.Client`` (``LocalCluster`` or a real cluster) once one is made, else threads.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import pandas as pd

from simtools.analysis.anomalies import usage_anomalies
from simtools.analysis.cost import combine_cost_totals, cost_by
from simtools.analysis.history_input import combine_totals, finish
from simtools.analysis.networks import roaming_share, usage_by_network
from simtools.frames.history_contracts import (
    NETWORK_USAGE,
    ROAMING_SHARE,
    USAGE_ANOMALIES,
    USAGE_HISTORY,
)
from simtools.store.history import history_store

if TYPE_CHECKING:
    import dask.dataframe as dd

__all__ = [
    "cost_by_dask",
    "history_dask",
    "roaming_share_dask",
    "usage_anomalies_dask",
    "usage_by_network_dask",
]


def history_dask(
    path: str | os.PathLike[str],
    start: object = None,
    end: object = None,
    *,
    columns: Sequence[str] | None = None,
) -> dd.DataFrame:
    """The usage records of the history store at ``path`` (a folder or any fsspec URL) as a
    Dask DataFrame; see :meth:`~simtools.store.HistoryStore.to_dask`."""
    return history_store(path).to_dask(start, end, columns=columns)


def _typed(part: pd.DataFrame) -> pd.DataFrame:
    """A partition with the contract dtypes (a shuffle may hand text back as Arrow strings)."""
    dtypes = {c: USAGE_HISTORY.dtypes[c] for c in part.columns if c in USAGE_HISTORY}
    return part.astype(dtypes)


def _per_partition(
    frame: dd.DataFrame, func: Callable[..., pd.DataFrame], **options: Any
) -> pd.DataFrame:
    """``func`` on every partition, the results concatenated (one compute)."""
    from dask.base import compute
    from dask.delayed import delayed

    def run(part: pd.DataFrame) -> pd.DataFrame:
        return func(_typed(part), **options)

    parts = [delayed(run)(p) for p in frame.to_delayed()]  # type: ignore[no-untyped-call]
    results: tuple[pd.DataFrame, ...] = compute(*parts)  # type: ignore[no-untyped-call]
    kept = [r for r in results if len(r)]
    if not kept:
        return func(_typed(frame._meta), **options)
    return pd.concat(kept, ignore_index=True)


def _shuffled(frame: dd.DataFrame, on: str) -> dd.DataFrame:
    # Task-based: the peer-to-peer shuffle logs warnings on every run.
    shuffled: dd.DataFrame = frame.shuffle(
        on=on, npartitions=max(1, frame.npartitions), shuffle_method="tasks"
    )
    return shuffled


def cost_by_dask(frame: dd.DataFrame, by: str | None = "sim_group_name") -> pd.DataFrame:
    """:func:`~simtools.analysis.cost.cost_by` on a Dask DataFrame (``by='tag'`` needs the
    fleet: use pandas on the months concerned)."""
    return combine_cost_totals(_per_partition(frame, cost_by, by=by))


def roaming_share_dask(
    frame: dd.DataFrame,
    *,
    home_country: str = "US",
    by: str | None = "sim_group_name",
    monthly: bool = False,
) -> pd.DataFrame:
    """:func:`~simtools.analysis.networks.roaming_share` on a Dask DataFrame."""
    parts = _per_partition(frame, roaming_share, home_country=home_country, by=by, monthly=monthly)
    keys = [*(["month"] if monthly else []), *([by] if by else []), "currency"]
    sums = ["total_mb", "roaming_mb", "cost", "roaming_cost"]
    totals = combine_totals(parts[[*keys, *sums]], keys, sums)
    totals["roaming_share"] = (
        totals["roaming_mb"] / totals["total_mb"].where(totals["total_mb"] > 0)
    ).round(6)
    return finish(totals, ROAMING_SHARE)


def usage_by_network_dask(
    frame: dd.DataFrame, *, home_country: str = "US", by: str = "network"
) -> pd.DataFrame:
    """:func:`~simtools.analysis.networks.usage_by_network` on a Dask DataFrame: the records
    are shuffled by MCC (or country), so every network's SIMs are counted in one place."""
    on = "mcc" if by == "network" else "country_code"
    parts = _per_partition(_shuffled(frame, on), usage_by_network, home_country=home_country, by=by)
    all_mb = float(parts["total_mb"].sum())
    parts["share_of_mb"] = parts["total_mb"] / all_mb if all_mb > 0 else pd.NA
    parts = parts.sort_values("total_mb", ascending=False, kind="stable")
    return finish(parts, NETWORK_USAGE)


def usage_anomalies_dask(frame: dd.DataFrame, **options: Any) -> pd.DataFrame:
    """:func:`~simtools.analysis.anomalies.usage_anomalies` (same options) on a Dask DataFrame:
    the records are shuffled by SIM, so each SIM's whole series is scored in one partition."""
    parts = _per_partition(_shuffled(frame, "sim_card_id"), usage_anomalies, **options)
    if parts.empty:
        return USAGE_ANOMALIES.empty()
    parts = parts.sort_values(["factor", "robust_z"], ascending=False, kind="stable")
    return finish(parts, USAGE_ANOMALIES)
