"""The history store: usage records and snapshots in month partitions, idempotent appends,
contract dtypes, range and column reads, safe against a kill mid-write, synced over HTTP."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from simtools.cli import main
from simtools.client import SimClient
from simtools.errors import InvalidInputError
from simtools.frames import usage_records_frame
from simtools.frames.history import wdr_history_frame
from simtools.frames.history_contracts import USAGE_HISTORY
from simtools.sandbox import Sandbox
from simtools.store import HistoryStore, history_store
from simtools.workflows.history_sync import snapshot_fleet, sync_usage

NOW = pd.Timestamp("2026-12-04T12:00:00Z")


def _wdr(i: int, when: str, *, cost: str = "0.010000", group: str = "Meters") -> dict[str, Any]:
    return {
        "id": f"00000000-0000-4000-8000-{i:012d}",
        "record_type": "wdr",
        "created_at": when,
        "sim_card_id": f"sim-{i % 3}",
        "sim_group_id": "g-1",
        "sim_group_name": group,
        "mcc": "310",
        "mnc": "410",
        "uplink_data": {"amount": 1.5, "unit": "MB"},
        "downlink_data": {"amount": 512, "unit": "KB"},
        "duration_seconds": 60,
        "cost": {"amount": cost, "currency": "USD"},
        "rate": {"amount": "0.0060", "currency": "USD"},
    }


@pytest.fixture
def records() -> pd.DataFrame:
    """Six records over three months, one with a missing cost."""
    days = ["2026-10-30T10:00:00Z", "2026-10-31T23:59:59Z", "2026-11-01T00:00:00Z"]
    days += ["2026-11-15T08:00:00Z", "2026-12-01T01:00:00Z", "2026-12-03T05:00:00Z"]
    rows = [_wdr(i, day) for i, day in enumerate(days)]
    del rows[3]["cost"]
    return wdr_history_frame(rows)


@pytest.fixture
def store(tmp_path: Path) -> HistoryStore:
    """An empty store in a temporary folder."""
    return history_store(tmp_path / "history")


@pytest.fixture
def client(sandbox: Sandbox) -> Iterator[SimClient]:
    """A client of the shared sandbox."""
    with SimClient(api_key=sandbox.api_key, base_url=sandbox.base_url) as c:
        yield c


def test_usage_is_partitioned_by_month_and_read_back_with_the_contract_dtypes(
    store: HistoryStore, records: pd.DataFrame
) -> None:
    """Each month is a hive folder; the frame comes back equal, dtypes and all."""
    assert store.append_usage(records) == 6
    assert store.months() == ["2026-10", "2026-11", "2026-12"]
    folders = sorted(p.name for p in Path(store.usage_path).iterdir())
    assert folders == ["month=2026-10", "month=2026-11", "month=2026-12"]
    back = store.read_usage()
    assert back.dtypes.to_dict() == dict(USAGE_HISTORY.dtypes)
    pd.testing.assert_frame_equal(back, records)


def test_a_wdr_frame_is_stored_in_the_usage_history_shape(store: HistoryStore) -> None:
    """A usage_records_frame is converted: network, country and the record id as the key."""
    rows = [_wdr(i, f"2026-11-0{i + 1}T10:00:00Z") for i in range(3)]
    assert store.append_usage(usage_records_frame(rows)) == 3
    assert store.append_usage(wdr_history_frame(rows)) == 0
    back = store.read_usage()
    pd.testing.assert_frame_equal(back, wdr_history_frame(rows))
    assert back["country_code"].tolist() == ["US"] * 3


def test_rows_without_an_id_are_keyed_by_their_fields(
    store: HistoryStore, records: pd.DataFrame
) -> None:
    """A daily rollup (no record ids) is stored once however often it is appended, reads back
    equal, and sits beside the records it sums without clashing with them."""
    from simtools.analysis.rollup import history_by_day

    days = history_by_day(records)
    assert days["record_id"].isna().all()
    assert store.append_usage(days) == len(days)
    assert store.append_usage(days) == 0
    assert store.append_usage(records) == len(records)
    back = store.read_usage()
    pd.testing.assert_frame_equal(
        back[back["record_id"].isna()].reset_index(drop=True),
        days.sort_values("start", kind="stable", ignore_index=True),
    )


def test_appending_the_same_window_twice_changes_nothing(
    store: HistoryStore, records: pd.DataFrame
) -> None:
    """Records are keyed by id: a second append writes no file and no row; overlapping windows
    add only the new records; a repeated id within one append is stored once."""
    store.append_usage(records.iloc[:4])
    files = sorted(Path(store.usage_path).rglob("*.parquet"))
    assert store.append_usage(records.iloc[:4]) == 0
    assert sorted(Path(store.usage_path).rglob("*.parquet")) == files
    assert store.append_usage(records.iloc[2:]) == 2
    assert store.append_usage(pd.concat([records, records])) == 0
    assert store.read_usage()["record_id"].tolist() == records["record_id"].tolist()
    fresh = history_store(store.files.root)  # another process: nothing cached
    assert fresh.append_usage(records) == 0


def test_a_date_range_and_columns_read_only_those(
    store: HistoryStore, records: pd.DataFrame
) -> None:
    """start <= created_at < end, only the chosen columns; months outside are not opened."""
    store.append_usage(records)
    for path in Path(store.usage_path, "month=2026-10").iterdir():
        path.write_bytes(b"not parquet")  # a read that opened October would fail
    got = store.read_usage("2026-11-01", "2026-12-01T01:00:00Z", columns=["record_id", "cost"])
    assert got.columns.tolist() == ["record_id", "cost"]
    assert got["record_id"].tolist() == records["record_id"].iloc[2:4].tolist()
    assert got["cost"].dtype == "Float64"
    assert got["cost"].isna().tolist() == [False, True]


def test_bad_input_is_refused_before_anything_is_written(
    store: HistoryStore, records: pd.DataFrame, tmp_path: Path
) -> None:
    """Unknown columns, reversed ranges, records without ids and a file as the store."""
    with pytest.raises(InvalidInputError, match="no column"):
        store.read_usage(columns=["nope"])
    with pytest.raises(InvalidInputError, match="end must be after start"):
        store.read_usage("2026-12-01", "2026-11-01")
    no_start = records.copy()
    no_start.loc[0, "start"] = pd.NaT
    with pytest.raises(InvalidInputError, match="no start time"):
        store.append_usage(no_start)
    assert not Path(store.usage_path).exists()
    (tmp_path / "file").write_text("x")
    with pytest.raises(InvalidInputError, match="is a file"):
        history_store(tmp_path / "file")


def test_an_empty_store_reads_as_an_empty_frame(store: HistoryStore) -> None:
    """No months yet: an empty frame with the contract's columns and dtypes."""
    assert store.months() == []
    pd.testing.assert_frame_equal(store.read_usage(), USAGE_HISTORY.empty())


def test_a_store_opens_from_an_fsspec_url(tmp_path: Path, records: pd.DataFrame) -> None:
    """A file:// URL works as a path does (object storage URLs go through the same fsspec)."""
    store = history_store(f"file://{tmp_path}/h")
    store.append_usage(records)
    assert (
        history_store(tmp_path / "h").read_usage()["record_id"].tolist()
        == records["record_id"].tolist()
    )


KILLED_WRITER = """
import os, signal, sys
import pyarrow.parquet as pq
from simtools.frames.history import wdr_history_frame
from simtools.store import history_store
real = pq.write_table
def dying(table, where, **kw):
    real(table.slice(0, 1), where, **kw)
    os.kill(os.getpid(), signal.SIGKILL)  # killed with the temporary file half written
pq.write_table = dying
store = history_store(sys.argv[1])
store.append_usage(wdr_history_frame(__import__("json").loads(sys.argv[2])))
"""


def test_a_kill_mid_write_leaves_the_store_as_it_was(
    store: HistoryStore, records: pd.DataFrame
) -> None:
    """A writer killed mid-file leaves only a hidden temporary file that no reader sees; the
    rerun stores the records, and remove_stale clears the leftover."""
    import json

    store.append_usage(records.iloc[:2])
    rows = [_wdr(i, "2026-10-31T12:00:00Z") for i in range(10, 13)]
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(KILLED_WRITER), store.files.root, json.dumps(rows)],
        check=False,
    )
    assert done.returncode == -9
    leftovers = list(Path(store.usage_path).rglob(".*.tmp"))
    assert len(leftovers) == 1
    assert len(store.read_usage()) == 2
    assert store.append_usage(wdr_history_frame(rows)) == 3
    assert store.files.remove_stale() == 1
    assert len(store.read_usage()) == 5


def test_snapshots_are_stored_once_per_taken_at_and_read_by_range(store: HistoryStore) -> None:
    """The fleet frame round-trips (lists too); the same taken_at twice is one snapshot."""
    fleet = pd.DataFrame(
        {"id": pd.array(["a", "b"], dtype="string"), "consumed_mb": [1.5, None]}
    ).astype({"consumed_mb": "Float64"})
    fleet["tags"] = [["x", "y"], []]
    assert store.append_snapshot(fleet, taken_at="2026-11-30T02:00:00Z") is True
    assert store.append_snapshot(fleet, taken_at="2026-11-30T02:00:00Z") is False
    assert store.append_snapshot(fleet, taken_at="2026-12-01T02:00:00Z") is True
    both = store.read_snapshots()
    assert both["taken_at"].nunique() == 2
    assert len(both) == 4
    december = store.read_snapshots("2026-12-01", columns=["consumed_mb"])
    assert december.columns.tolist() == ["taken_at", "consumed_mb"]
    assert december["consumed_mb"].dtype == "Float64"
    assert both["tags"].tolist()[:2] == [("x", "y"), ()]  # tags as the fleet frame has them


def test_sync_over_http_stores_every_record_once_and_resumes(
    client: SimClient, tmp_path: Path, sandbox: Sandbox
) -> None:
    """A sync in small windows and page batches stores what one fleet-wide query returns, with
    equal cost per group and month; a rerun from the last synced point writes nothing new."""
    store = history_store(tmp_path / "h")
    end = pd.Timestamp.now(tz="UTC").floor("s")
    start = end - pd.Timedelta(days=45)
    first = sync_usage(client, store, since=start, until=end, window="10D", flush_rows=500)
    direct = wdr_history_frame(client.usage_records(start, end))
    assert first.written == len(direct) == store.read_usage()["record_id"].nunique()
    assert first.windows == 5
    assert store.synced_until() == end

    def per_group_month(frame: pd.DataFrame) -> pd.Series:
        month = frame["start"].dt.strftime("%Y-%m")
        return frame.groupby(["sim_group_name", month])["cost"].sum().round(6)

    pd.testing.assert_series_equal(per_group_month(store.read_usage()), per_group_month(direct))
    again = sync_usage(client, store, until=end)
    assert again.start == end - pd.Timedelta(days=1)
    assert again.written == 0


def test_sync_needs_a_start_the_first_time(client: SimClient, store: HistoryStore) -> None:
    """Without a synced point or since=, nothing is requested and the message says what to do."""
    with pytest.raises(InvalidInputError, match="never been synced"):
        sync_usage(client, store)
    with pytest.raises(InvalidInputError, match="window"):
        sync_usage(client, store, since="2026-01-01", window="0D")


def test_cli_snapshot_and_sync_for_a_nightly_job(
    sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`snapshot --store` adds a snapshot; `history sync --store --since` stores the records and
    a rerun stores nothing twice; `history` without a range or action exits 2."""
    monkeypatch.setenv("TELNYX_API_KEY", sandbox.api_key)
    monkeypatch.setenv("TELNYX_BASE_URL", sandbox.base_url)
    path = str(tmp_path / "h")
    assert main(["snapshot", "--store", path]) == 0
    since = (pd.Timestamp.now(tz="UTC") - pd.Timedelta(days=3)).strftime("%Y-%m-%d")
    assert main(["history", "sync", "--store", path, "--since", since]) == 0
    store = history_store(path)
    stored = len(store.read_usage())
    assert stored > 0
    assert len(store.read_snapshots()) == len(sandbox_fleet_ids(sandbox))
    assert main(["history", "sync", "--store", path, "--since", since]) == 0
    assert len(store.read_usage()) >= stored
    assert store.read_usage()["record_id"].is_unique
    assert main(["history"]) == 2


def sandbox_fleet_ids(sandbox: Sandbox) -> list[str]:
    with SimClient(api_key=sandbox.api_key, base_url=sandbox.base_url) as c:
        return [s.id for s in c.iter_sim_cards() if s.id is not None]


def test_snapshot_fleet_stores_the_fleet(client: SimClient, store: HistoryStore) -> None:
    """The whole fleet lands in one snapshot, with its ids as strings."""
    assert snapshot_fleet(client, store) is True
    snap = store.read_snapshots(columns=["id", "consumed_mb"])
    assert snap["id"].dtype == "string"
    assert snap["id"].is_unique


def test_sync_hands_the_store_batches_of_at_most_flush_rows(
    client: SimClient, tmp_path: Path
) -> None:
    """Memory stays bounded: the store never receives more than flush_rows records at once
    (plus the rest of the page that crossed the line), however long the range."""
    sizes: list[int] = []

    class Counting(HistoryStore):
        def append_usage(self, frame: pd.DataFrame) -> int:
            sizes.append(len(frame))
            return super().append_usage(frame)

    store = Counting(tmp_path / "h")
    end = pd.Timestamp.now(tz="UTC").floor("s")
    result = sync_usage(client, store, since=end - pd.Timedelta(days=6), until=end, flush_rows=300)
    assert len(sizes) > 3
    assert max(sizes) < 300 + 250  # a page holds at most 250 records
    assert sum(sizes) == result.fetched == result.written


def test_a_store_on_a_non_local_file_system(records: pd.DataFrame) -> None:
    """fsspec's in-memory file system stands in for object storage: appends (moved into place
    by the file system, not renamed on disk), idempotency and range reads work the same."""
    import uuid

    store = history_store(f"memory://simtools-test-{uuid.uuid4().hex}/history")
    assert not store.files.local
    assert store.append_usage(records) == 6
    assert store.append_usage(records) == 0
    again = history_store(store.files.url)
    assert again.months() == ["2026-10", "2026-11", "2026-12"]
    got = again.read_usage("2026-11-01", "2026-12-01", columns=["record_id"])
    assert got["record_id"].tolist() == records["record_id"].iloc[2:4].tolist()
    assert not [p for p in again.files.fs.find(again.files.root) if p.endswith(".tmp")]
