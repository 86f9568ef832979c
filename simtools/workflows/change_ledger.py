"""A change ledger in SQLite: every request of a plan written down before it is sent, so a run
killed at any moment resumes without sending a change twice.

Before a request of a change goes out, the change is ``sending`` with the number of its requests
done so far, committed to disk; after the answer it is ``applied`` (or ``failed``, ``conflict``).
A change found ``sending`` by the next run had a request in flight when the last one stopped: its
outcome is unknown, so the workflow reads the live value back before deciding to send again.
One run writes at a time: a lock file beside the ledger (``<ledger>.lock``) is held while it is
open, and a second process is told at once. A ledger belongs to one API (its base URL): opening
it for another is refused, as is a file that is not a change ledger or is damaged. The ledger
holds change ids, SIM ids, states and API errors, never the API key.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import os
import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Literal

from simtools.errors import InvalidInputError

__all__ = ["FORMAT", "ChangeLedger", "LedgerChange", "LedgerState"]

LedgerState = Literal["sending", "applied", "failed", "conflict", "no-op"]
#: What the ledger's ``meta`` table says it is.
FORMAT = "simtools-change-ledger"
VERSION = 1
_SQLITE_HEADER = b"SQLite format 3\x00"
_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS changes (
    change_id TEXT PRIMARY KEY,
    sim_card_id TEXT,
    field TEXT,
    state TEXT NOT NULL CHECK (state IN ('sending', 'applied', 'failed', 'conflict', 'no-op')),
    steps_done INTEGER NOT NULL DEFAULT 0,
    sends INTEGER NOT NULL DEFAULT 0,
    action_id TEXT,
    detail TEXT,
    error_code TEXT,
    error_detail TEXT,
    updated_at TEXT NOT NULL
);
"""
_NEW_FILE = "give a new file name, or the change ledger an earlier apply_changes wrote"


@dataclass(frozen=True)
class LedgerChange:
    """One change as the ledger has it: ``steps_done`` of its requests are confirmed, ``sends``
    requests were sent for it in all (``sending``: the next one may have reached the API)."""

    change_id: str
    sim_card_id: str | None
    field: str | None
    state: LedgerState
    steps_done: int
    sends: int
    action_id: str | None
    detail: str | None
    error_code: str | None
    error_detail: str | None
    updated_at: str


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds")


class ChangeLedger:
    """The change ledger at ``path`` (created if missing) for the API at ``base_url``; a context
    manager, thread-safe, holding the ledger's lock until closed."""

    def __init__(self, path: str | os.PathLike[str], *, base_url: str) -> None:
        self.path = Path(path)
        if self.path.is_dir():
            raise InvalidInputError(str(path), "the ledger path is a directory", _NEW_FILE)
        self._mutex = threading.Lock()
        self._lock_file = _take_lock(self.path)
        try:
            _refuse_foreign(self.path)
            self._db = sqlite3.connect(
                self.path, isolation_level=None, timeout=30, check_same_thread=False
            )
            self._open(base_url)
        except BaseException:
            self._release()
            raise

    def _open(self, base_url: str) -> None:
        try:  # look before writing anything: a refused file is left as it was
            check = self._db.execute("PRAGMA quick_check").fetchone()
            tables = {row[0] for row in self._db.execute("SELECT name FROM sqlite_master")}
        except sqlite3.DatabaseError as exc:
            self._db.close()
            raise InvalidInputError(
                str(self.path), f"{self.path} is damaged or not SQLite ({exc})", _NEW_FILE
            ) from None
        if check and check[0] != "ok":
            self._db.close()
            raise InvalidInputError(
                str(self.path), f"{self.path} is damaged: {check[0]}", _NEW_FILE
            )
        if tables and ("meta" not in tables or "changes" not in tables):
            self._db.close()
            kind = "a registration ledger" if "codes" in tables else "another SQLite database"
            raise InvalidInputError(
                str(self.path), f"{self.path} is {kind}, not a change ledger", _NEW_FILE
            )
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        if not tables:
            self._db.executescript(_SCHEMA)
        with self._transaction() as db:
            meta = dict(db.execute("SELECT key, value FROM meta").fetchall())
            if not meta:
                db.executemany(
                    "INSERT INTO meta VALUES (?, ?)",
                    [("format", FORMAT), ("version", str(VERSION)), ("base_url", base_url)],
                )
                meta = {"format": FORMAT, "version": str(VERSION), "base_url": base_url}
        self._check_meta(meta, base_url)

    def _check_meta(self, meta: dict[str, str], base_url: str) -> None:
        problem = None
        if meta.get("format") != FORMAT:
            problem = f"{self.path} is not a change ledger (format {meta.get('format')!r})"
        elif meta.get("version") != str(VERSION):
            problem = f"{self.path} is a change ledger of version {meta.get('version')}"
        elif meta.get("base_url") != base_url:
            problem = (
                f"{self.path} records changes sent to {meta.get('base_url')}, not to {base_url}"
            )
        if problem is not None:
            self.close()
            raise InvalidInputError(
                str(self.path), problem, "use a ledger file of its own for each API and plan"
            )

    # -- reading ----------------------------------------------------------------------------

    def entries(self) -> dict[str, LedgerChange]:
        """Every change in the ledger, by change id."""
        with self._mutex:
            rows = self._db.execute(
                "SELECT change_id, sim_card_id, field, state, steps_done, sends, action_id, "
                "detail, error_code, error_detail, updated_at FROM changes ORDER BY updated_at"
            ).fetchall()
        return {row[0]: LedgerChange(*row) for row in rows}

    def counts(self) -> dict[str, int]:
        """Changes per state, every state named."""
        states = ("sending", "applied", "failed", "conflict", "no-op")
        counts = dict.fromkeys(states, 0)
        with self._mutex:
            for state, n in self._db.execute("SELECT state, COUNT(*) FROM changes GROUP BY 1"):
                counts[state] = n
        return counts

    # -- writing (each call one committed transaction) -----------------------------------------

    def sending(self, change_id: str, sim_card_id: str | None, field: str, steps_done: int) -> None:
        """A request of the change (its ``steps_done``-th, from 0) is about to be sent."""
        self._write(
            "INSERT INTO changes (change_id, sim_card_id, field, state, steps_done, sends, "
            "updated_at) VALUES (?, ?, ?, 'sending', ?, 1, ?) ON CONFLICT(change_id) DO UPDATE "
            "SET state='sending', steps_done=excluded.steps_done, sends=sends+1, detail=NULL, "
            "error_code=NULL, error_detail=NULL, updated_at=excluded.updated_at",
            (change_id, sim_card_id, field, steps_done, _now()),
        )

    def step_done(self, change_id: str, steps_done: int, *, action_id: str | None = None) -> None:
        """``steps_done`` requests of the change are confirmed (it is still under way)."""
        self._write(
            "UPDATE changes SET steps_done=?, action_id=COALESCE(?, action_id), updated_at=? "
            "WHERE change_id=?",
            (steps_done, action_id, _now(), change_id),
        )

    def finish(
        self,
        change_id: str,
        sim_card_id: str | None,
        field: str,
        state: Literal["applied", "failed", "conflict", "no-op"],
        *,
        detail: str | None = None,
        error_code: str | None = None,
        error_detail: str | None = None,
        action_id: str | None = None,
    ) -> None:
        """What became of the change."""
        self._write(
            "INSERT INTO changes (change_id, sim_card_id, field, state, detail, error_code, "
            "error_detail, action_id, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT(change_id) DO UPDATE SET state=excluded.state, detail=excluded.detail, "
            "error_code=excluded.error_code, error_detail=excluded.error_detail, "
            "action_id=COALESCE(excluded.action_id, action_id), updated_at=excluded.updated_at",
            (
                change_id,
                sim_card_id,
                field,
                state,
                detail,
                error_code,
                error_detail,
                action_id,
                _now(),
            ),
        )

    def _write(self, sql: str, args: tuple[Any, ...]) -> None:
        with self._mutex, self._transaction() as db:
            db.execute(sql, args)

    def _transaction(self) -> _Transaction:
        return _Transaction(self._db)

    # -- closing -------------------------------------------------------------------------------

    def close(self) -> None:
        with self._mutex:
            self._db.close()
        self._release()

    def _release(self) -> None:
        if not self._lock_file.closed:
            fcntl.flock(self._lock_file, fcntl.LOCK_UN)
            self._lock_file.close()

    def __enter__(self) -> ChangeLedger:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _take_lock(path: Path) -> IO[str]:
    """The ledger's lock (an exclusive ``flock`` on ``<ledger>.lock``, released by the system
    if the process dies), or an error naming the process that holds it."""
    lock_path = path.with_name(path.name + ".lock")
    try:
        # Held open until close(): the lock lives as long as the handle.
        handle = open(lock_path, "a+", encoding="utf-8")
    except OSError as exc:
        raise InvalidInputError(
            str(path), f"cannot create {lock_path} ({exc})", _NEW_FILE
        ) from None
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.seek(0)
        holder = handle.read().strip() or "unknown"
        handle.close()
        raise InvalidInputError(
            str(path),
            f"the change ledger {path} is in use by another run (process {holder})",
            "wait for that run to finish, or give this run a ledger of its own",
        ) from None
    handle.seek(0)
    handle.truncate()
    handle.write(str(os.getpid()))
    handle.flush()
    return handle


def _refuse_foreign(path: Path) -> None:
    """A file that exists and is not SQLite (a CSV given by mistake) is refused unread."""
    if not path.exists() or path.stat().st_size == 0:
        return
    with open(path, "rb") as handle:
        header = handle.read(len(_SQLITE_HEADER))
    if header != _SQLITE_HEADER:
        raise InvalidInputError(
            str(path), f"{path} is not a change ledger (it is not an SQLite file)", _NEW_FILE
        )


class _Transaction:
    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db

    def __enter__(self) -> sqlite3.Connection:
        self._db.execute("BEGIN IMMEDIATE")
        return self._db

    def __exit__(self, exc_type: Any, *rest: object) -> None:
        self._db.execute("ROLLBACK" if exc_type else "COMMIT")
