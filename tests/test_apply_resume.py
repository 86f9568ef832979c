"""A run of apply_changes killed at random moments (SIGKILL, no clean-up) and run again with the
same ledger ends with every change applied once, and the ledger says so; a lost answer that
cannot be read back is ``unknown`` until a later run reconciles it."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from collections import Counter
from pathlib import Path

import httpx
import pandas as pd
import pytest
from conftest import MakeSandbox
from test_client import KEY, Recorder

import simtools
from simtools.client import SimClient
from simtools.client.retrying import RetryPolicy
from simtools.workflows.change_ledger import ChangeLedger

WORKER = textwrap.dedent(
    """
    import sys
    import simtools
    from simtools.client import SimClient

    def said(done, total):
        print("progress", done, total, flush=True)

    plan = simtools.read_frame(sys.argv[1])
    with SimClient.from_env() as client:
        outcome = simtools.apply_changes(
            client, plan, ledger=sys.argv[2], progress=False, on_progress=said
        )
    simtools.write_frame(outcome, sys.argv[3])
    print("done", flush=True)
    """
)
#: Where each killed run dies: after this share of the changes it still had to do were
#: settled, and this many seconds later (so that some die in the middle of a request).
KILLS = [
    (round(rng.uniform(0.05, 0.6), 3), round(rng.uniform(0.0, 0.05), 3))
    for rng in (random.Random(20260504 + i) for i in range(6))
]


def run_worker(tmp: Path, env: dict[str, str], kill: tuple[float, float] | None) -> list[str]:
    """Run the worker over the saved plan; with ``kill=(share, delay)`` it is killed ``delay``
    seconds after that share of its remaining changes is settled. Returns what it printed."""
    args = [str(tmp / "plan.csv"), str(tmp / "changes.db"), str(tmp / "outcome.csv")]
    worker = subprocess.Popen(
        [sys.executable, "-c", WORKER, *args], stdout=subprocess.PIPE, text=True, env=env
    )
    assert worker.stdout is not None
    lines: list[str] = []
    try:
        first: int | None = None
        for line in worker.stdout:
            lines.append(line.strip())
            if kill is None or not line.startswith("progress"):
                continue
            done, total = map(int, line.split()[1:])
            first = done if first is None else first
            if done - first >= min(kill[0] * (total - first), total - first - 1):
                time.sleep(kill[1])
                worker.send_signal(signal.SIGKILL)
                break
        worker.wait(timeout=240)
        return lines
    finally:
        worker.stdout.close()
        if worker.poll() is None:
            worker.kill()
            worker.wait()


@pytest.mark.slow
def test_a_run_killed_at_random_moments_resumes_without_sending_twice(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    """Killed six times mid-apply, then run to the end: every change is applied, each SIM got
    one action and exactly its notifications, the ledger has every change applied, and a fresh
    plan is all no-op."""
    with make_sandbox(fleet_size=150, seed=41, latency=0.005) as sb:
        env = {
            **os.environ,
            "TELNYX_API_KEY": sb.api_key,
            "TELNYX_BASE_URL": sb.base_url,
            "PYTHONPATH": os.pathsep.join(sys.path),
        }
        with SimClient(sb.api_key, base_url=sb.base_url) as client:
            fleet = simtools.fleet_frame(client, include=["alerts"], progress=False)
            sims = fleet[
                fleet["sim_card_group_id"].notna() & fleet["status"].isin(["enabled", "standby"])
            ].head(40)
            desired = pd.DataFrame(
                {
                    "iccid": sims["iccid"],
                    "data_limit_mb": [700.0 + i for i in range(len(sims))],
                    "tags_add": "resumed",
                    "alert_mb": [[500.0, 600.0]] * len(sims),
                    "status": ["disabled"] * len(sims),
                }
            )
            plan = simtools.plan_changes(fleet, desired)
            simtools.write_frame(plan.frame, tmp_path / "plan.csv")
            before = set(sb.state.actions.records)
            killed = [run_worker(tmp_path, env, kill) for kill in KILLS]
            assert all("done" not in said for said in killed), (KILLS, killed)
            assert "done" in run_worker(tmp_path, env, None)

            outcome = simtools.read_frame(tmp_path / "outcome.csv")
            assert outcome["result"].eq("applied").all(), outcome["result"].value_counts()
            actions = Counter(
                a["sim_card_id"] for k, a in sb.state.actions.records.items() if k not in before
            )
            assert actions == Counter(dict.fromkeys(sims["id"], 1)), KILLS
            for sim_id in sims["id"]:
                found = sorted(
                    n["threshold"]["amount"] for n in sb.state.notifications.matching(sim_id)
                )
                assert found == ["500.0", "600.0"], (sim_id, KILLS)
            with ChangeLedger(tmp_path / "changes.db", base_url=sb.base_url) as ledger:
                assert ledger.counts()["applied"] == len(plan.frame)
            again = simtools.plan_changes(
                simtools.fleet_frame(client, include=["alerts"], progress=False), desired
            )
            assert again.counts()["change"] == 0


SIM = "6a09cdc3-8948-47f0-aa62-74ac943d6c58"


def plan_frame() -> pd.DataFrame:
    """A one-row plan: SIM's data limit from 100 MB to 200 MB."""
    request = [
        {
            "method": "PATCH",
            "path": f"sim_cards/{SIM}",
            "body": {"data_limit": {"amount": "200.0", "unit": "MB"}},
        }
    ]
    row = {
        "change_id": "c-limit", "desired_row": 0, "iccid": "8931", "sim_card_id": SIM,
        "field": "data_limit_mb", "from_value": "100", "to_value": "200",
        "description": "data limit 100 MB → 200 MB", "request": json.dumps(request),
        "depends_on": None, "verdict": "change", "reason": None, "hint": None,
    }  # fmt: skip
    from simtools.frames.change_contracts import CHANGE_PLAN

    return pd.DataFrame([row]).astype(dict(CHANGE_PLAN.dtypes))


def sim(limit: str) -> httpx.Response:
    body = {"id": SIM, "record_type": "sim_card", "data_limit": {"amount": limit, "unit": "MB"}}
    return httpx.Response(200, json={"data": body})


def test_a_lost_answer_that_cannot_be_read_back_is_unknown_until_reconciled(
    tmp_path: Path,
) -> None:
    """The PATCH's answer is lost and reading the SIM back keeps failing: the change is
    unknown and stays in flight in the ledger; the next run reads it back as applied and sends
    nothing."""
    fast = RetryPolicy(attempts=2, deadline=5, initial_wait=0.001, max_wait=0.002)
    ledger = tmp_path / "changes.db"
    unavailable = httpx.Response(503, json={"errors": [{"code": "10007", "title": "down"}]})
    first = Recorder(sim("100.0"), httpx.ReadError("lost"), unavailable)
    with SimClient(
        KEY,
        base_url="https://api.example.test/v2",
        transport=httpx.MockTransport(first),
        retry=fast,
    ) as client:
        outcome = simtools.apply_changes(client, plan_frame(), ledger=ledger, progress=False)
    assert outcome["result"].tolist() == ["unknown"]
    assert "run again with the same ledger" in outcome["result_detail"].iloc[0]
    with ChangeLedger(ledger, base_url="https://api.example.test/v2") as book:
        assert book.entries()["c-limit"].state == "sending"
    second = Recorder(sim("200.0"))
    with SimClient(
        KEY,
        base_url="https://api.example.test/v2",
        transport=httpx.MockTransport(second),
        retry=fast,
    ) as client:
        outcome = simtools.apply_changes(client, plan_frame(), ledger=ledger, progress=False)
    assert outcome["result"].tolist() == ["applied"]
    assert [r.method for r in second.requests] == ["GET"]
