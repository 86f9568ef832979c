"""The history store beyond pandas: Dask on a 2-worker LocalCluster and DuckDB give the results
pandas gives on the same records, and the store's totals agree with the API's."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from simtools.analysis.anomalies import usage_anomalies
from simtools.analysis.cost import cost_by
from simtools.analysis.networks import roaming_share, usage_by_network
from simtools.client import SimClient
from simtools.frames.history import wdr_history_frame
from simtools.frames.history_contracts import USAGE_HISTORY
from simtools.sandbox import serve
from simtools.store import HistoryStore, history_store
from simtools.workflows.fleet import fleet_frame
from simtools.workflows.history_dask import (
    cost_by_dask,
    history_dask,
    roaming_share_dask,
    usage_anomalies_dask,
    usage_by_network_dask,
)
from simtools.workflows.history_sync import sync_usage

distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def synced(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[HistoryStore, SimClient]]:
    """A 60-SIM sandbox and a store synced with its last 100 days (in 30-day windows)."""
    path = tmp_path_factory.mktemp("history") / "store"
    with serve(fleet_size=60, seed=1) as sb:
        with SimClient(api_key=sb.api_key, base_url=sb.base_url) as client:
            store = history_store(path)
            end = pd.Timestamp.now(tz="UTC").floor("s")
            sync_usage(client, store, since=end - pd.Timedelta(days=100), until=end, window="30D")
            yield store, client


@pytest.fixture(scope="module")
def cluster() -> Iterator[object]:
    """A distributed client on a LocalCluster of 2 worker processes."""
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
        ) as local,
        distributed.Client(local) as client,
    ):
        yield client


def _by(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    return frame.sort_values(keys, kind="stable", ignore_index=True)


def test_dask_opens_the_store_with_the_contract_dtypes(
    synced: tuple[HistoryStore, SimClient], cluster: object
) -> None:
    """One partition per file, the month partition column, and the records pandas reads."""
    store, _ = synced
    frame = history_dask(store.files.root)
    assert frame.npartitions == len(list(Path(store.usage_path).rglob("part-*.parquet")))
    got = frame.compute()
    assert {c: got[c].dtype for c in USAGE_HISTORY.names} == dict(USAGE_HISTORY.dtypes)
    assert sorted(got["record_id"]) == sorted(store.read_usage()["record_id"])


def test_cost_network_roaming_and_anomalies_on_dask_equal_pandas(
    synced: tuple[HistoryStore, SimClient], cluster: object
) -> None:
    """On the whole store and on one month, each Dask result equals the pandas one."""
    store, _ = synced
    month = store.months()[-2]
    start = pd.Timestamp(f"{month}-01", tz="UTC")
    for window in [(None, None), (start, start + pd.offsets.MonthBegin(1))]:
        frame, records = store.to_dask(*window), store.read_usage(*window)
        pd.testing.assert_frame_equal(cost_by_dask(frame), cost_by(records))
        pd.testing.assert_frame_equal(
            cost_by_dask(frame, by="sim_card_id"), cost_by(records, by="sim_card_id")
        )
        pd.testing.assert_frame_equal(
            roaming_share_dask(frame, monthly=True), roaming_share(records, monthly=True)
        )
        keys = ["mcc", "mnc", "currency"]
        pd.testing.assert_frame_equal(
            _by(usage_by_network_dask(frame), keys), _by(usage_by_network(records), keys)
        )
    whole, records = store.to_dask(), store.read_usage()
    expected = usage_anomalies(records, min_factor=3.0, threshold=4.0)
    assert len(expected) > 0
    keys = ["sim_card_id", "date"]
    pd.testing.assert_frame_equal(
        _by(usage_anomalies_dask(whole, min_factor=3.0, threshold=4.0), keys), _by(expected, keys)
    )


def test_duckdb_reads_the_same_totals(synced: tuple[HistoryStore, SimClient]) -> None:
    """Cost per group and month through DuckDB equals cost_by on the records."""
    store, _ = synced
    sql = """SELECT date_trunc('month', start) AS month, sim_group_name, sum(cost) AS cost
             FROM usage GROUP BY ALL ORDER BY month, sim_group_name"""
    got = store.duckdb().sql(sql).df()
    expected = cost_by(store.read_usage())
    assert got["cost"].round(6).tolist() == expected["cost"].astype(float).round(6).tolist()


def test_the_store_agrees_with_the_api(synced: tuple[HistoryStore, SimClient]) -> None:
    """Cost per group and month equals the sum of the WDR cost fields for the window, and each
    SIM's current-period data in the store equals its consumed_mb."""
    store, client = synced
    months = store.months()
    start = pd.Timestamp(f"{months[1]}-01", tz="UTC")
    end = pd.Timestamp(f"{months[-1]}-01", tz="UTC")
    wire = wdr_history_frame(client.usage_records(start, end))
    pd.testing.assert_frame_equal(cost_by(store.read_usage(start, end)), cost_by(wire))
    fleet = fleet_frame(client, progress=False).set_index("id")
    current = store.read_usage(end, columns=["sim_card_id", "total_mb"])
    per_sim = current.groupby("sim_card_id")["total_mb"].sum()
    consumed = fleet["consumed_mb"].astype(float).fillna(0.0)
    pd.testing.assert_series_equal(
        per_sim.reindex(consumed.index, fill_value=0).astype(float).round(3),
        consumed.round(3),
        check_names=False,
    )
