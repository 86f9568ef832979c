"""Nothing lost, nothing doubled: registration and listing through rate limits, 5xx and drops."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
import warnings
from pathlib import Path
from typing import Any

import pytest

from simtools.client import SimClient
from simtools.client.retrying import RetryPolicy
from simtools.errors import SimToolsDataWarning
from simtools.frames import registration_frame
from simtools.workflows.fleet import fleet_frame

pytestmark = pytest.mark.slow

PATIENT = RetryPolicy(attempts=12, deadline=120, initial_wait=0.05, max_wait=1.0)


def test_register_300_codes_through_faults_exactly_once(make_sandbox: Any) -> None:
    """Through 429s, 10% 5xx and 5% dropped connections, 300 codes end registered exactly once."""
    with make_sandbox(fleet_size=300, seed=11, code_pool=400) as sb:
        codes = sb.available_codes(300)
        sb.faults.rate_limit = 40
        sb.faults.error_rate = 0.1
        sb.faults.drop_rate = 0.05
        with SimClient(sb.api_key, base_url=sb.base_url, retry=PATIENT, chunk_size=20) as client:
            result = client.register(codes, progress=False)
            frame = registration_frame(result)
            with warnings.catch_warnings():
                # A listing during faults may see the fleet shift; what matters is each id once.
                warnings.simplefilter("ignore", SimToolsDataWarning)
                fleet = fleet_frame(client, progress=False, group_names=False)
        log = list(sb.request_log)
        assert result.counts()["registered"] == 300, result.counts()
        assert (frame["outcome"] == "registered").all()
        assert [sb.registrations(code) for code in codes] == [1] * 300
        assert fleet["id"].is_unique
        assert len(fleet) == 600
        # The faults did fire: the test bed was not quiet.
        register_posts = sum(1 for method, path in log if path.endswith("register/sim_cards"))
        assert register_posts > 300 // 20


def test_fleet_listing_through_faults_returns_every_sim_once(make_sandbox: Any) -> None:
    """A listing that sees 429s and 5xx still returns each SIM exactly once."""
    with make_sandbox(fleet_size=3000, seed=5, rate_limit=30, error_rate=0.15) as sb:
        with SimClient(sb.api_key, base_url=sb.base_url, retry=PATIENT) as client:
            fleet = fleet_frame(client, progress=False, group_names=False)
        assert len(fleet) == 3000
        assert fleet["id"].is_unique


KILLABLE = textwrap.dedent(
    """
    import sys
    from simtools.client import SimClient
    base_url, key, ledger, codes_file = sys.argv[1:5]
    codes = open(codes_file).read().split()
    with SimClient(key, base_url=base_url, chunk_size=10) as client:
        client.register(codes, ledger=ledger, progress=False)
    """
)


def test_killed_registration_resumes_from_the_ledger(make_sandbox: Any, tmp_path: Path) -> None:
    """A process killed mid-batch leaves a ledger; resuming registers every code exactly once."""
    with make_sandbox(fleet_size=50, seed=3, code_pool=400, latency=0.05) as sb:
        codes = sb.available_codes(300)
        codes_file = tmp_path / "codes.txt"
        codes_file.write_text("\n".join(codes))
        ledger = tmp_path / "ledger.db"
        script = tmp_path / "register.py"
        script.write_text(KILLABLE)
        env = {k: v for k, v in os.environ.items() if not k.startswith("TELNYX_")}
        proc = subprocess.Popen(
            [sys.executable, str(script), sb.base_url, sb.api_key, str(ledger), str(codes_file)],
            env=env,
        )
        try:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and _registered_in(ledger) < 50:
                time.sleep(0.05)
            proc.send_signal(signal.SIGKILL)
        finally:
            proc.wait(timeout=30)
        done_before = _registered_in(ledger)
        assert 50 <= done_before < 300, "the process must die midway"
        with SimClient(sb.api_key, base_url=sb.base_url) as client:
            result = client.register(codes, ledger=ledger, progress=False)
        assert result.counts()["registered"] == 300, result.counts()
        assert [sb.registrations(code) for code in codes] == [1] * 300
        sources = {o.source for o in result.outcomes}
        assert "ledger" in sources  # codes the ledger knew were not sent again
        assert _registered_in(ledger) == 300


def _registered_in(ledger: Path) -> int:
    if not ledger.exists():
        return 0
    try:
        with sqlite3.connect(ledger, timeout=1) as db:
            row = db.execute("SELECT COUNT(*) FROM codes WHERE state = 'registered'").fetchone()
    except sqlite3.OperationalError:
        return 0
    return int(row[0])
