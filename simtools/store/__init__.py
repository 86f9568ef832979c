"""Where fleet history is kept: Parquet datasets by month under any fsspec URL (local disk or
object storage), read back with pandas, DuckDB or Dask."""

from __future__ import annotations

from simtools.store.history import HistoryStore, history_store, usage_schema

__all__ = ["HistoryStore", "history_store", "usage_schema"]
