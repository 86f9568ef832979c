"""A registration ledger in SQLite: what was sent, and what became of it, survives a dead kernel.

Every chunk is written as ``in_flight`` (and committed) before its request is sent, and its
outcome after. Running the same registration again with the same ledger resumes: codes the ledger
shows registered are not sent again, codes left in flight are reconciled first. The ledger holds
codes, outcomes and the API host, never the API key.
"""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from simtools.errors import InvalidInputError

__all__ = ["LedgerEntry", "LedgerState", "RegistrationLedger"]

LedgerState = Literal["in_flight", "registered", "failed"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS codes (
    registration_code TEXT PRIMARY KEY,
    state TEXT NOT NULL CHECK (state IN ('in_flight', 'registered', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    sim_card_id TEXT,
    iccid TEXT,
    error_code TEXT,
    error_detail TEXT,
    api_host TEXT,
    updated_at TEXT NOT NULL
);
"""


@dataclass(frozen=True)
class LedgerEntry:
    registration_code: str
    state: LedgerState
    attempts: int
    sim_card_id: str | None
    iccid: str | None
    error_code: str | None
    error_detail: str | None
    api_host: str | None
    updated_at: str


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds")


class RegistrationLedger:
    """The ledger file at ``path`` (created if missing). A context manager."""

    def __init__(self, path: str | os.PathLike[str], *, api_host: str | None = None) -> None:
        self.path = Path(path)
        if self.path.is_dir():
            raise InvalidInputError(
                str(path), "the ledger path is a directory", "pass a file path, e.g. 'ledger.db'"
            )
        self.api_host = api_host
        try:
            self._db = sqlite3.connect(self.path, isolation_level=None, timeout=30)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=FULL")
            self._db.executescript(_SCHEMA)
        except sqlite3.DatabaseError as exc:
            raise InvalidInputError(
                str(path),
                f"{path} is not a simtools ledger ({exc})",
                "pass a new file name or the ledger file an earlier run wrote",
            ) from None

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> RegistrationLedger:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def entries(self, codes: Iterable[str] | None = None) -> dict[str, LedgerEntry]:
        """Ledger rows by code (all of them, or only for ``codes``)."""
        rows = self._db.execute("SELECT * FROM codes ORDER BY updated_at, registration_code")
        wanted = None if codes is None else set(codes)
        out: dict[str, LedgerEntry] = {}
        for row in rows:
            entry = LedgerEntry(*row)
            if wanted is None or entry.registration_code in wanted:
                out[entry.registration_code] = entry
        return out

    def mark_in_flight(self, codes: Iterable[str]) -> None:
        """Record that a request for ``codes`` is about to be sent (committed before it is)."""
        now = _now()
        with self._transaction() as db:
            db.executemany(
                "INSERT INTO codes (registration_code, state, attempts, api_host, updated_at) "
                "VALUES (?, 'in_flight', 1, ?, ?) ON CONFLICT(registration_code) DO UPDATE SET "
                "state='in_flight', attempts=attempts+1, api_host=excluded.api_host, "
                "updated_at=excluded.updated_at",
                [(code, self.api_host, now) for code in codes],
            )

    def record(
        self,
        code: str,
        state: Literal["registered", "failed"],
        *,
        sim_card_id: str | None = None,
        iccid: str | None = None,
        error_code: str | None = None,
        error_detail: str | None = None,
    ) -> None:
        self.record_many([(code, state, sim_card_id, iccid, error_code, error_detail)])

    def record_many(
        self,
        rows: Iterable[
            tuple[
                str, Literal["registered", "failed"], str | None, str | None, str | None, str | None
            ]
        ],
    ) -> None:
        """Record outcomes: ``(code, state, sim_card_id, iccid, error_code, error_detail)``."""
        now = _now()
        with self._transaction() as db:
            db.executemany(
                "INSERT INTO codes (registration_code, state, attempts, sim_card_id, iccid, "
                "error_code, error_detail, api_host, updated_at) "
                "VALUES (?, ?, 0, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT(registration_code) DO UPDATE SET state=excluded.state, "
                "sim_card_id=COALESCE(excluded.sim_card_id, sim_card_id), "
                "iccid=COALESCE(excluded.iccid, iccid), error_code=excluded.error_code, "
                "error_detail=excluded.error_detail, updated_at=excluded.updated_at",
                [(c, s, sid, icc, ec, ed, self.api_host, now) for c, s, sid, icc, ec, ed in rows],
            )

    def counts(self) -> dict[str, int]:
        counts = {"in_flight": 0, "registered": 0, "failed": 0}
        for state, n in self._db.execute("SELECT state, COUNT(*) FROM codes GROUP BY state"):
            counts[state] = n
        return counts

    def _transaction(self) -> _Transaction:
        return _Transaction(self._db)


class _Transaction:
    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db

    def __enter__(self) -> sqlite3.Connection:
        self._db.execute("BEGIN IMMEDIATE")
        return self._db

    def __exit__(self, exc_type: Any, *rest: object) -> None:
        self._db.execute("ROLLBACK" if exc_type else "COMMIT")
