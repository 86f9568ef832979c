"""The simtools command: a thin shell that writes frames and fails with one clear line."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import simtools
from simtools.cli import main

EXAMPLE = Path(__file__).parent / "data" / "register-response.json"


def test_version_via_python_m() -> None:
    """`python -m simtools --version` prints the package version."""
    out = subprocess.run(
        [sys.executable, "-m", "simtools", "--version"], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == f"simtools {simtools.__version__}"


@pytest.mark.parametrize("suffix", [".csv", ".parquet", ".json"])
def test_frame_flattens_the_docs_example(tmp_path: Path, suffix: str) -> None:
    """`simtools frame` writes the docs' register example as a one-row frame by suffix."""
    from simtools.frames.files import read_frame

    out = tmp_path / f"sims{suffix}"
    assert main(["frame", str(EXAMPLE), "--out", str(out)]) == 0
    frame = read_frame(out)
    assert len(frame) == 1
    assert frame.loc[0, "data_limit_mb"] == 2048
    assert frame.loc[0, "consumed_mb"] == 2049
    assert bool(frame.loc[0, "over_limit"]) is True


def test_frame_errors_option(tmp_path: Path) -> None:
    """`--errors` writes the errors list instead."""
    out = tmp_path / "errors.csv"
    assert main(["frame", str(EXAMPLE), "--errors", "--out", str(out)]) == 0
    frame = pd.read_csv(out)
    assert list(frame["code"]) == ["<string>"]


def test_frame_prints_a_table_without_out(capsys: pytest.CaptureFixture[str]) -> None:
    """Without --out the frame is printed."""
    assert main(["frame", str(EXAMPLE)]) == 0
    assert "89310410106543789301" in capsys.readouterr().out


def test_missing_file_is_one_line_and_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    """A missing input file: exit status 2 and a message naming it, no traceback."""
    assert main(["frame", "nope.json"]) == 2
    err = capsys.readouterr().err
    assert "nope.json" in err
    assert "Traceback" not in err


def test_register_and_ledger_show_against_the_sandbox(
    sandbox: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`simtools register` with a ledger, then `simtools ledger show` lists the codes."""
    monkeypatch.setenv("TELNYX_API_KEY", sandbox.api_key)
    monkeypatch.setenv("TELNYX_BASE_URL", sandbox.base_url)
    codes = sandbox.available_codes(3)
    source = tmp_path / "codes.txt"
    source.write_text("\n".join(codes))
    ledger = tmp_path / "ledger.db"
    outcome = tmp_path / "outcome.csv"
    assert main(["register", str(source), "--ledger", str(ledger), "--out", str(outcome)]) == 0
    assert list(pd.read_csv(outcome)["outcome"]) == ["registered"] * 3
    # Settle the new SIMs (registering -> enabled) now: settling while a later test pages
    # through `--status enabled` changes the count under it (the fleet-changed warning).
    sandbox.advance()
    capsys.readouterr()
    assert main(["ledger", "show", str(ledger)]) == 0
    shown = capsys.readouterr()
    assert all(code in shown.out for code in codes)
    assert "registered: 3" in shown.err
    assert sandbox.api_key not in shown.out + shown.err


def test_sims_and_usage_against_the_sandbox(
    sandbox: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`simtools sims --status enabled` and `simtools usage --by status` write their frames."""
    monkeypatch.setenv("TELNYX_API_KEY", sandbox.api_key)
    monkeypatch.setenv("TELNYX_BASE_URL", sandbox.base_url)
    sims = tmp_path / "sims.parquet"
    assert main(["sims", "--status", "enabled", "--out", str(sims)]) == 0
    frame = pd.read_parquet(sims)
    assert len(frame) > 0
    assert set(frame["status"].astype(str)) == {"enabled"}
    usage = tmp_path / "usage.csv"
    assert main(["usage", "--by", "status", "--out", str(usage)]) == 0
    summary = pd.read_csv(usage)
    assert summary["sim_count"].sum() >= len(frame)


def test_bad_status_filter_exits_2(
    sandbox: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """An invalid status is refused with exit status 2 and a message naming it."""
    monkeypatch.setenv("TELNYX_API_KEY", sandbox.api_key)
    monkeypatch.setenv("TELNYX_BASE_URL", sandbox.base_url)
    assert main(["sims", "--status", "active"]) == 2
    assert "'active'" in capsys.readouterr().err


def test_snapshot_and_history_against_the_sandbox(
    sandbox: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`simtools snapshot DIR` appends a snapshot; `simtools history --daily` writes daily usage."""
    from simtools.snapshots import load_snapshots

    monkeypatch.setenv("TELNYX_API_KEY", sandbox.api_key)
    monkeypatch.setenv("TELNYX_BASE_URL", sandbox.base_url)
    snaps = tmp_path / "snaps"
    assert main(["snapshot", str(snaps)]) == 0
    assert main(["snapshot", str(snaps)]) == 0
    loaded = load_snapshots(snaps)
    assert loaded["taken_at"].nunique() == 2
    now = pd.Timestamp.now(tz="UTC")
    start = now.replace(day=1).strftime("%Y-%m-%d")
    end = (now + pd.Timedelta(days=1)).strftime("%Y-%m-%d")
    daily = tmp_path / "daily.csv"
    assert main(["history", "--start", start, "--end", end, "--daily", "--out", str(daily)]) == 0
    frame = pd.read_csv(daily)
    assert {"date", "total_mb", "sessions"} <= set(frame.columns)
    assert frame["total_mb"].sum() > 0


def test_every_command_has_help(capsys: pytest.CaptureFixture[str]) -> None:
    """Each command answers --help with its description."""
    for command in (
        *("demo", "frame", "register", "sims", "usage", "snapshot", "history", "sandbox"),
        *("validate", "enable", "disable", "standby", "groups"),
    ):
        with pytest.raises(SystemExit) as info:
            main([command, "--help"])
        assert info.value.code == 0
        assert "usage: simtools" in capsys.readouterr().out
