"""simtools plan and simtools apply: a desired CSV to a plan file, the plan applied after a
confirmation (or with --yes), against a sandbox named by the environment."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

import simtools
from simtools.cli import main
from simtools.client import SimClient
from simtools.sandbox import Sandbox, serve


@pytest.fixture(scope="module")
def sb() -> Iterator[Sandbox]:
    with serve(fleet_size=50, seed=29) as sandbox:
        yield sandbox


@pytest.fixture
def env(sb: Sandbox, monkeypatch: pytest.MonkeyPatch) -> Sandbox:
    monkeypatch.setenv("TELNYX_API_KEY", sb.api_key)
    monkeypatch.setenv("TELNYX_BASE_URL", sb.base_url)
    return sb


def desired_csv(sb: Sandbox, tmp_path: Path, n: int, skip: int) -> tuple[Path, list[str]]:
    with SimClient(sb.api_key, base_url=sb.base_url) as client:
        fleet = simtools.fleet_frame(client, progress=False)
    sims = fleet[fleet["status"] == "enabled"].iloc[skip : skip + n]
    path = tmp_path / "desired.csv"
    lines = ["iccid,data_limit_mb,alert_mb"]
    lines += [f"{iccid},{600 + i},480; 540" for i, iccid in enumerate(sims["iccid"])]
    lines += ["8931041099999999999,5,"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path, sims["id"].tolist()


def test_plan_then_apply_with_yes(
    env: Sandbox, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """plan writes the plan and counts verdicts, naming the invalid row; apply --yes applies it
    with a ledger, writes the outcome and exits 0; nothing is sent by plan."""
    desired, ids = desired_csv(env, tmp_path, 3, skip=0)
    plan = tmp_path / "plan.csv"
    env.clear_request_log()
    assert main(["plan", str(desired), "--out", str(plan)]) == 0
    assert all(method == "GET" for method, _ in env.request_log)
    err = capsys.readouterr().err
    assert "plan: 6 change, 1 invalid" in err
    assert "row 3 data_limit_mb: ICCID 8931041099999999999 is not in the fleet frame" in err
    outcome = tmp_path / "outcome.csv"
    args = ["apply", str(plan), "--ledger", str(tmp_path / "changes.db"), "--yes"]
    assert main([*args, "--out", str(outcome)]) == 0
    assert "outcome: 6 applied, 1 skipped" in capsys.readouterr().err
    results = simtools.read_frame(outcome)["result"].astype(str)
    assert results.value_counts().to_dict() == {
        "applied": 6, "skipped": 1,
    }  # fmt: skip
    assert env.state.sim(ids[0]).wire["data_limit"]["amount"] == "600.0"


def test_apply_asks_first_and_a_no_sends_nothing(
    env: Sandbox,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Without --yes apply asks on the terminal; answering no sends nothing and exits 1; with
    no terminal at all it refuses and says to pass --yes."""
    desired, _ = desired_csv(env, tmp_path, 2, skip=5)
    plan = tmp_path / "plan.csv"
    assert main(["plan", str(desired), "--out", str(plan)]) == 0
    capsys.readouterr()

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr("sys.stdin", Terminal("n\n"))
    env.clear_request_log()
    assert main(["apply", str(plan)]) == 1
    captured = capsys.readouterr()
    assert "Apply 4 changes to SANDBOX" in captured.out
    assert "cancelled; nothing was sent" in captured.err
    assert env.request_log == []
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    assert main(["apply", str(plan)]) == 2
    assert "pass --yes" in capsys.readouterr().err


def test_a_conflict_makes_apply_exit_1(
    env: Sandbox, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A SIM changed after planning is a conflict: apply says so and exits 1."""
    desired, ids = desired_csv(env, tmp_path, 1, skip=10)
    plan = tmp_path / "plan.csv"
    assert main(["plan", str(desired), "--out", str(plan)]) == 0
    with SimClient(env.api_key, base_url=env.base_url) as client:
        client.update_sim_card(ids[0], data_limit=(1, "MB"))
    assert main(["apply", str(plan), "--yes"]) == 1
    assert "1 conflict" in capsys.readouterr().err


def test_read_desired_keeps_text_as_typed(tmp_path: Path) -> None:
    """CSV cells stay text: ICCIDs with leading zeros, lists as typed."""
    from simtools.cli_changes import read_desired

    path = tmp_path / "d.csv"
    path.write_text("iccid,alert_mb\n0089310410106543789301,80; 90\n", encoding="utf-8")
    frame = read_desired(path)
    assert frame.to_dict("records") == [{"iccid": "0089310410106543789301", "alert_mb": "80; 90"}]
    assert isinstance(frame, pd.DataFrame)
