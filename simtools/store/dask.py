"""The usage dataset of a history store as a Dask DataFrame (``dask.dataframe.read_parquet``),
which a ``distributed`` cluster reads in parallel, from local disk or object storage."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import pandas as pd

from simtools.frames.history_contracts import USAGE_HISTORY
from simtools.inputs.times import to_utc_timestamp

if TYPE_CHECKING:
    import dask.dataframe as dd

    from simtools.store.history import HistoryStore

__all__ = ["usage_dask"]


def _filters(start: object, end: object) -> list[tuple[str, str, Any]] | None:
    out: list[tuple[str, str, Any]] = []
    if start is not None:
        t0 = to_utc_timestamp(start, "start")
        out += [("month", ">=", f"{t0:%Y-%m}"), ("start", ">=", t0)]
    if end is not None:
        t1 = to_utc_timestamp(end, "end")
        out += [("month", "<=", f"{t1:%Y-%m}"), ("start", "<", t1)]
    return out or None


def _typed(part: pd.DataFrame, dtypes: dict[str, Any]) -> pd.DataFrame:
    out = part.astype(dtypes)
    if "month" in out.columns:
        out["month"] = out["month"].astype("string")
    return out


def usage_dask(
    store: HistoryStore, start: object, end: object, *, columns: Sequence[str] | None
) -> dd.DataFrame:
    """See :meth:`HistoryStore.to_dask`."""
    import dask.dataframe as dd

    wanted = list(columns or USAGE_HISTORY.names)
    url = store.files.url.rstrip("/") + "/usage"
    frame = dd.read_parquet(
        url,
        columns=[*wanted, "month"],
        filters=_filters(start, end),
        dataset={"partitioning": "hive"},
        ignore_metadata_file=True,
        split_row_groups=False,
    )
    dtypes = {c: USAGE_HISTORY.dtypes[c] for c in wanted}
    meta = _typed(frame._meta, dtypes)
    typed: dd.DataFrame = frame.map_partitions(_typed, dtypes, meta=meta)
    return typed
