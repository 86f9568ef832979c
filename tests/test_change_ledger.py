"""The change ledger: committed before each request, one writer at a time, bound to one API, and
refusing files that are not change ledgers."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from simtools.errors import InvalidInputError
from simtools.workflows.change_ledger import ChangeLedger
from simtools.workflows.ledger import RegistrationLedger

API = "http://127.0.0.1:8765/v2"


def test_states_survive_a_reopen(tmp_path: Path) -> None:
    """sending, step_done and finish are each committed: a new handle reads them back, and
    every send is counted."""
    path = tmp_path / "changes.db"
    with ChangeLedger(path, base_url=API) as ledger:
        ledger.sending("c1", "sim-1", "alert_mb", 0)
        ledger.step_done("c1", 1)
        ledger.sending("c1", "sim-1", "alert_mb", 1)
        ledger.sending("c2", "sim-2", "status", 0)
        ledger.finish("c2", "sim-2", "status", "applied", action_id="a-1", detail="accepted")
        ledger.finish("c3", "sim-3", "tags", "failed", error_code="10015", error_detail="no")
    with ChangeLedger(path, base_url=API) as ledger:
        entries = ledger.entries()
        assert ledger.counts() == {
            "sending": 1, "applied": 1, "failed": 1, "conflict": 0, "no-op": 0,
        }  # fmt: skip
    assert (entries["c1"].state, entries["c1"].steps_done, entries["c1"].sends) == ("sending", 1, 2)
    assert (entries["c2"].action_id, entries["c2"].detail) == ("a-1", "accepted")
    assert entries["c3"].error_code == "10015"


HOLD = textwrap.dedent(
    """
    import sys, time
    from simtools.workflows.change_ledger import ChangeLedger
    ledger = ChangeLedger(sys.argv[1], base_url=sys.argv[2])
    print("open", flush=True)
    time.sleep(60)
    """
)


def test_a_second_writer_is_told_at_once_and_a_dead_ones_lock_is_free(tmp_path: Path) -> None:
    """While another process holds the ledger, opening it fails at once naming that process;
    once it is killed, the ledger opens."""
    path = tmp_path / "changes.db"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(path), API], stdout=subprocess.PIPE, text=True, env=env
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "open"
        with pytest.raises(
            InvalidInputError, match=f"in use by another run \\(process {holder.pid}\\)"
        ):
            ChangeLedger(path, base_url=API)
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait(timeout=30)
        if holder.stdout is not None:
            holder.stdout.close()
    with ChangeLedger(path, base_url=API) as ledger:
        assert ledger.entries() == {}


def test_a_ledger_belongs_to_one_api(tmp_path: Path) -> None:
    """A ledger written for one base URL is refused for another."""
    path = tmp_path / "changes.db"
    ChangeLedger(path, base_url=API).close()
    with pytest.raises(
        InvalidInputError, match=r"records changes sent to http://127\.0\.0\.1:8765"
    ):
        ChangeLedger(path, base_url="https://api.telnyx.com/v2")
    ChangeLedger(path, base_url=API).close()  # the refused open let the lock go


def write_other_sqlite(path: Path) -> None:
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE things (x)")
    db.commit()
    db.close()


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: p.write_text("iccid,status\n1,enabled\n"), "not an SQLite file"),
        (lambda p: RegistrationLedger(p).close(), "is a registration ledger"),
        (write_other_sqlite, "another SQLite database"),
        (lambda p: p.write_bytes(b"SQLite format 3\x00" + b"\xff" * 500), "damaged or not SQLite"),
    ],
    ids=["csv", "registration-ledger", "other-sqlite", "damaged"],
)
def test_files_that_are_not_change_ledgers_are_refused(tmp_path: Path, make, message: str) -> None:  # type: ignore[no-untyped-def]
    """A CSV, a registration ledger, another database or a damaged file is refused with what it
    is, and left as it was."""
    path = tmp_path / "changes.db"
    make(path)
    before = path.read_bytes()
    with pytest.raises(InvalidInputError, match=message):
        ChangeLedger(path, base_url=API)
    assert path.read_bytes() == before


def test_a_directory_is_refused(tmp_path: Path) -> None:
    """The ledger must be a file."""
    with pytest.raises(InvalidInputError, match="directory"):
        ChangeLedger(tmp_path, base_url=API)
