"""snapshots.py: an append-only Parquet history of fleet frames, safe against torn writes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from fleetdata import make_fleet_frame, wire_sims

from simtools.errors import InvalidInputError
from simtools.frames import SIM_CARD_COLUMNS, sim_cards_frame
from simtools.snapshots import SNAPSHOT_COLUMNS, load_snapshots, save_snapshot


def _fleet(consumed: list[float], **extra: object) -> pd.DataFrame:
    """A fleet with one SIM per consumption figure, tags on the first, limit 100 MB each."""
    rows = [{"consumed_mb": c, "data_limit_mb": 100.0, **extra} for c in consumed]
    rows[0]["tags"] = ["north", "pumps"]
    return make_fleet_frame(rows)


@pytest.fixture
def three_days(tmp_path: Path) -> Path:
    """Snapshots of a two-SIM fleet on 1, 2 and 3 April, consumption growing by 10 MB a day."""
    root = tmp_path / "snaps"
    for day in (1, 2, 3):
        save_snapshot(_fleet([10.0 * day, 5.0 * day]), root, taken_at=f"2026-04-0{day}T06:00:00Z")
    return root


def test_three_saves_load_back_as_one_long_frame(three_days: Path) -> None:
    """Three snapshots of two SIMs give six rows, oldest first, with taken_at per row."""
    out = load_snapshots(three_days)
    assert len(out) == 6
    assert list(out.columns[:2]) == list(SNAPSHOT_COLUMNS)
    assert out["taken_at"].tolist() == [
        pd.Timestamp(f"2026-04-0{d}T06:00:00Z") for d in (1, 1, 2, 2, 3, 3)
    ]
    assert out["consumed_mb"].tolist() == [10.0, 5.0, 20.0, 10.0, 30.0, 15.0]
    growth = out.pivot_table(index="taken_at", columns="id", values="consumed_mb")
    assert growth["sim-0"].diff().dropna().tolist() == [10.0, 10.0]


def test_partitions_are_hive_style_date_folders(three_days: Path) -> None:
    """Each save lands in snapshot_date=YYYY-MM-DD/ as one uniquely named Parquet file."""
    folders = sorted(p.name for p in three_days.iterdir())
    assert folders == [f"snapshot_date=2026-04-0{d}" for d in (1, 2, 3)]
    files = list((three_days / "snapshot_date=2026-04-02").iterdir())
    assert len(files) == 1
    assert files[0].name.startswith("20260402T060000000000Z-")
    assert files[0].suffix == ".parquet"


def test_loaded_frame_has_the_contract_dtypes(three_days: Path) -> None:
    """category, Float64, boolean, string, lists and UTC datetimes come back as saved."""
    out = load_snapshots(three_days)
    saved = _fleet([1.0, 2.0])
    for column in saved.columns:
        assert out[column].dtype == saved[column].dtype, column
    assert str(out["taken_at"].dtype) == "datetime64[ns, UTC]"
    assert str(out["snapshot_date"].dtype) == "datetime64[ns, UTC]"
    assert out["snapshot_date"].iloc[0] == pd.Timestamp("2026-04-01T00:00:00Z")
    assert out["tags"].iloc[0] == ("north", "pumps")


def test_saving_twice_at_the_same_moment_keeps_both(tmp_path: Path) -> None:
    """Two saves with one taken_at make two files; nothing is overwritten."""
    first = save_snapshot(_fleet([1.0]), tmp_path, taken_at="2026-04-01T00:00:00Z")
    second = save_snapshot(_fleet([2.0]), tmp_path, taken_at="2026-04-01T00:00:00Z")
    assert first != second
    assert sorted(load_snapshots(tmp_path)["consumed_mb"]) == [1.0, 2.0]


def test_taken_at_defaults_to_fetched_at(tmp_path: Path) -> None:
    """A frame from fleet_frame is stamped with its fetch time; the date follows UTC."""
    df = make_fleet_frame([{}], fetched_at="2026-04-01T23:30:00-02:00")
    path = save_snapshot(df, tmp_path)
    assert path.parent.name == "snapshot_date=2026-04-02"
    assert load_snapshots(tmp_path)["taken_at"].tolist() == [pd.Timestamp("2026-04-02T01:30Z")]


def test_columns_selects_what_is_read(three_days: Path) -> None:
    """columns= reads only those, after taken_at and snapshot_date."""
    out = load_snapshots(three_days, columns=["id", "consumed_mb"])
    assert list(out.columns) == ["taken_at", "snapshot_date", "id", "consumed_mb"]
    assert len(out) == 6


def test_unknown_column_is_named_with_the_choices(three_days: Path) -> None:
    """Asking for a column no snapshot has names it and lists the available ones."""
    with pytest.raises(InvalidInputError, match="no snapshot has the column") as info:
        load_snapshots(three_days, columns=["id", "nope"])
    assert info.value.value == ["nope"]
    assert "consumed_mb" in info.value.hint


def test_a_column_added_later_is_missing_in_older_rows(tmp_path: Path) -> None:
    """When the fleet frame gains sim_card_group_name, older snapshot rows hold NA there."""
    save_snapshot(_fleet([1.0]), tmp_path, taken_at="2026-04-01")
    save_snapshot(_fleet([2.0], sim_card_group_name="Pumps"), tmp_path, taken_at="2026-04-02")
    out = load_snapshots(tmp_path)
    assert out["sim_card_group_name"].isna().tolist() == [True, False]
    assert str(out["sim_card_group_name"].dtype) == "string"


def test_differing_status_categories_are_merged(tmp_path: Path) -> None:
    """Snapshots whose statuses differ load as one category column holding both."""
    save_snapshot(_fleet([1.0]), tmp_path, taken_at="2026-04-01")
    save_snapshot(_fleet([2.0], status="standby"), tmp_path, taken_at="2026-04-02")
    out = load_snapshots(tmp_path)
    assert str(out["status"].dtype) == "category"
    assert out["status"].tolist() == ["enabled", "standby"]


def test_temp_and_truncated_files_are_not_read(three_days: Path) -> None:
    """A half-written temp file (dot or underscore prefix) beside good snapshots is ignored."""
    good = next((three_days / "snapshot_date=2026-04-03").glob("*.parquet"))
    half = good.read_bytes()[: len(good.read_bytes()) // 2]
    (good.parent / f".{good.stem}.0123.tmp.parquet").write_bytes(half)
    (good.parent / "_partial.parquet").write_bytes(half)
    out = load_snapshots(three_days)
    assert len(out) == 6


def test_a_corrupt_snapshot_file_is_named(three_days: Path) -> None:
    """A truncated file under a snapshot's own name is reported by name, not read silently."""
    good = next((three_days / "snapshot_date=2026-04-03").glob("*.parquet"))
    (good.parent / "20260403T070000000000Z-broken.parquet").write_bytes(good.read_bytes()[:100])
    with pytest.raises(InvalidInputError, match=r"20260403T070000000000Z-broken\.parquet"):
        load_snapshots(three_days)


_STALLED_SAVE = """
import os, sys
import pandas as pd

def stall(src, dst):
    print(src, flush=True)
    sys.stdin.read()  # wait here, temp file written, until the test kills this process

os.replace = stall
from simtools.snapshots import save_snapshot
save_snapshot(pd.read_pickle(sys.argv[1]), sys.argv[2], taken_at="2026-04-03T12:00:00Z")
"""


def test_a_save_killed_before_its_rename_leaves_earlier_snapshots_readable(
    three_days: Path, tmp_path: Path
) -> None:
    """SIGKILL between writing the temp file and renaming it: the temp file stays hidden."""
    pickled = tmp_path / "fleet.pkl"
    _fleet([99.0, 99.0]).to_pickle(pickled)
    proc = subprocess.Popen(
        [sys.executable, "-c", _STALLED_SAVE, str(pickled), str(three_days)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        temp = Path(proc.stdout.readline().strip())  # type: ignore[union-attr]
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.communicate()
    assert proc.returncode == -signal.SIGKILL
    assert temp.exists()
    assert temp.name.startswith(".")
    assert temp.parent.name == "snapshot_date=2026-04-03"
    out = load_snapshots(three_days)
    assert len(out) == 6
    assert 99.0 not in out["consumed_mb"].tolist()


@pytest.mark.parametrize("make", ["missing", "empty", "file"])
def test_loading_nothing_is_refused_with_a_hint(tmp_path: Path, make: str) -> None:
    """A missing or empty folder, or a file, is refused with a hint to save_snapshot."""
    target = tmp_path / "snaps"
    if make == "empty":
        target.mkdir()
        (target / "notes.txt").write_text("not a snapshot")
    elif make == "file":
        target.write_text("x")
    with pytest.raises(InvalidInputError, match="snapshot") as info:
        load_snapshots(target)
    assert "save_snapshot" in info.value.hint


def test_saving_loaded_snapshots_again_is_refused(three_days: Path, tmp_path: Path) -> None:
    """A frame that already has taken_at is loaded snapshots, not a fleet frame."""
    with pytest.raises(InvalidInputError, match="taken_at"):
        save_snapshot(load_snapshots(three_days), tmp_path / "again")


def test_saving_needs_an_id_column(tmp_path: Path) -> None:
    """A frame without SIM ids is not a fleet frame."""
    with pytest.raises(InvalidInputError, match="id"):
        save_snapshot(pd.DataFrame({"x": [1]}), tmp_path)


def test_saving_into_a_file_path_is_refused(tmp_path: Path) -> None:
    """The snapshot path must be a folder."""
    file = tmp_path / "snaps"
    file.write_text("x")
    with pytest.raises(InvalidInputError, match="is a file"):
        save_snapshot(_fleet([1.0]), file)


def test_a_sim_cards_frame_snapshot_keeps_its_contract(tmp_path: Path) -> None:
    """A frame from sim_cards_frame loads back with identical contract columns after taken_at."""
    df = sim_cards_frame(wire_sims())
    save_snapshot(df, tmp_path, taken_at="2026-04-10T12:00:00Z")
    out = load_snapshots(tmp_path)
    contract = list(SIM_CARD_COLUMNS)
    pd.testing.assert_frame_equal(out[contract], df[contract], check_exact=True)
    assert list(out.columns) == [*SNAPSHOT_COLUMNS, *df.columns]
