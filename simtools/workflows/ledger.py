"""A registration ledger in SQLite: what was sent, where, and what became of it, survives a kill.

Every chunk is written as ``in_flight`` (and committed) before its request is sent, and its
outcome after: ``registered``, ``failed`` (the API refused it, or it was still unregistered after
every attempt), or ``unknown`` (sent, and no check could tell yet). Running the same registration
again with the same ledger resumes: registered codes are not sent again, codes in flight or
unknown are reconciled first. An outcome never moves from ``registered`` back.

A ledger is bound to where it was written: the API base URL and a fingerprint of the account's
key (an HMAC with a salt kept in the ledger, which does not reveal the key). Resuming against
another API or another key is refused, as is a second process writing the same ledger (a lock
file beside it, which names who holds it), a file that is not a simtools ledger, and a folder
that does not exist. The ledger holds codes, outcomes and the binding, never the key.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from simtools.errors import InvalidInputError
from simtools.workflows.ledger_lock import LedgerLock

__all__ = ["LedgerEntry", "LedgerMismatchError", "LedgerState", "RegistrationLedger"]

LedgerState = Literal["in_flight", "registered", "failed", "unknown"]
#: ``PRAGMA application_id`` of a simtools ledger ("SIMT"), so a foreign database is told apart.
APPLICATION_ID = 0x53494D54
SCHEMA_VERSION = 2

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS codes (
    registration_code TEXT PRIMARY KEY,
    state TEXT NOT NULL CHECK (state IN ('in_flight', 'registered', 'failed', 'unknown')),
    attempts INTEGER NOT NULL DEFAULT 0,
    first_sent_at TEXT,
    sim_card_id TEXT,
    iccid TEXT,
    error_code TEXT,
    error_detail TEXT,
    updated_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS seen_sims (sim_card_id TEXT PRIMARY KEY, seen_at TEXT NOT NULL);
"""
_V1_COLUMNS = ("registration_code", "state", "attempts", "sim_card_id", "iccid", "error_code")


class LedgerMismatchError(InvalidInputError):
    """The ledger was written against another API or another account's key."""


@dataclass(frozen=True)
class LedgerEntry:
    registration_code: str
    state: LedgerState
    attempts: int
    first_sent_at: str | None
    sim_card_id: str | None
    iccid: str | None
    error_code: str | None
    error_detail: str | None
    updated_at: str


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds")


def _ledger_path(path: object) -> Path:
    if not isinstance(path, str | os.PathLike):
        raise InvalidInputError(
            path,
            f"the ledger must be a file path, got {type(path).__name__}",
            "pass a path such as ledger='onboarding.db'",
        )
    target = Path(path)
    if target.is_dir():
        raise InvalidInputError(
            str(target), "the ledger path is a folder", "pass a file path, e.g. 'ledger.db'"
        )
    if not target.parent.is_dir():
        raise InvalidInputError(
            str(target),
            f"the folder {str(target.parent)!r} of the ledger does not exist",
            "create the folder first, or pass a ledger path in an existing folder",
        )
    return target


class RegistrationLedger:
    """The ledger file at ``path`` (created if missing); a context manager.

    As a writer (the default) it takes the ledger's lock and, given ``api_base_url`` and
    ``fingerprint`` (``salt -> hex``, :meth:`SimClient.account_fingerprint`), binds a new ledger
    to them or checks an existing one against them. ``read_only=True`` opens an existing ledger
    to look at, without the lock.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        api_base_url: str | None = None,
        fingerprint: Callable[[str], str] | None = None,
        read_only: bool = False,
    ) -> None:
        self.path = _ledger_path(path)
        if read_only and not self.path.is_file():
            raise InvalidInputError(
                str(self.path), f"there is no ledger {str(self.path)!r}", "check the path"
            )
        self._lock = None if read_only else LedgerLock.acquire(self.path)
        try:
            self._db = _open(self.path, read_only=read_only)
            if not read_only and api_base_url is not None:
                self._bind(api_base_url, fingerprint)
        except BaseException:
            if self._lock is not None:
                self._lock.release()
            raise

    def close(self) -> None:
        self._db.close()
        if self._lock is not None:
            self._lock.release()
            self._lock = None

    def __enter__(self) -> RegistrationLedger:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- binding -----------------------------------------------------------------------------

    def binding(self) -> dict[str, str]:
        """What the ledger is bound to: ``api_base_url`` and the fingerprint's ``salt``."""
        return dict(self._db.execute("SELECT key, value FROM meta").fetchall())

    def matches(self, api_base_url: str, fingerprint: Callable[[str], str] | None) -> bool:
        """Whether this ledger was written against ``api_base_url`` with this account's key (a
        ledger not yet bound matches anything)."""
        meta = self.binding()
        if "api_base_url" not in meta:
            return True
        if meta["api_base_url"] != api_base_url:
            return False
        if fingerprint is None or "account_fingerprint" not in meta:
            return True
        return secrets.compare_digest(fingerprint(meta["salt"]), meta["account_fingerprint"])

    def _bind(self, api_base_url: str, fingerprint: Callable[[str], str] | None) -> None:
        meta = self.binding()
        if "api_base_url" not in meta:
            salt = secrets.token_hex(16)
            rows = [("api_base_url", api_base_url), ("salt", salt), ("created_at", _now())]
            if fingerprint is not None:
                rows.append(("account_fingerprint", fingerprint(salt)))
            with self._transaction() as db:
                db.executemany("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", rows)
            return
        if not self.matches(api_base_url, fingerprint):
            where = meta["api_base_url"]
            what = "another API key (another account?)" if where == api_base_url else where
            raise LedgerMismatchError(
                str(self.path),
                f"the ledger {self.path.name} was written against {what}, not this client's "
                f"{api_base_url}: its outcomes say nothing about this API, so nothing was sent",
                "start a new ledger file for this API and key; keep the old one as the record "
                "of that run",
            )

    # -- entries -----------------------------------------------------------------------------

    def entries(self, codes: Iterable[str] | None = None) -> dict[str, LedgerEntry]:
        """Ledger rows by code (all of them, or only for ``codes``)."""
        rows = self._db.execute(
            "SELECT registration_code, state, attempts, first_sent_at, sim_card_id, iccid, "
            "error_code, error_detail, updated_at FROM codes ORDER BY updated_at, registration_code"
        )
        wanted = None if codes is None else set(codes)
        out: dict[str, LedgerEntry] = {}
        for row in rows:
            entry = LedgerEntry(*row)
            if wanted is None or entry.registration_code in wanted:
                out[entry.registration_code] = entry
        return out

    def mark_in_flight(self, codes: Iterable[str], *, sent_at: str | None = None) -> None:
        """Record that a request for ``codes`` is about to be sent (committed before it is), and
        ``sent_at`` (a moment the API's clock has passed) as when a code was first sent; a
        registered code stays registered."""
        now = _now()
        with self._transaction() as db:
            db.executemany(
                "INSERT INTO codes (registration_code, state, attempts, first_sent_at, "
                "updated_at) VALUES (?, 'in_flight', 1, ?, ?) "
                "ON CONFLICT(registration_code) DO UPDATE SET state='in_flight', "
                "attempts=attempts+1, "
                "first_sent_at=COALESCE(first_sent_at, excluded.first_sent_at), "
                "updated_at=excluded.updated_at WHERE codes.state != 'registered'",
                [(code, sent_at or now, now) for code in codes],
            )

    def forget(self, codes: Iterable[str]) -> None:
        """Drop codes still in flight whose request is known not to have been performed (a 429):
        a later run sends them as new."""
        with self._transaction() as db:
            db.executemany(
                "DELETE FROM codes WHERE registration_code = ? AND state = 'in_flight'",
                [(code,) for code in codes],
            )

    def record(
        self,
        code: str,
        state: Literal["registered", "failed", "unknown"],
        *,
        sim_card_id: str | None = None,
        iccid: str | None = None,
        error_code: str | None = None,
        error_detail: str | None = None,
    ) -> None:
        """Record an outcome; a registered code keeps that state (its SIM may be filled in)."""
        now = _now()
        with self._transaction() as db:
            db.execute(
                "INSERT INTO codes (registration_code, state, attempts, sim_card_id, iccid, "
                "error_code, error_detail, updated_at) VALUES (?, ?, 0, ?, ?, ?, ?, ?) "
                "ON CONFLICT(registration_code) DO UPDATE SET "
                "state=CASE WHEN codes.state='registered' THEN 'registered' "
                "ELSE excluded.state END, "
                "sim_card_id=COALESCE(excluded.sim_card_id, codes.sim_card_id), "
                "iccid=COALESCE(excluded.iccid, codes.iccid), "
                "error_code=CASE WHEN codes.state='registered' THEN codes.error_code "
                "ELSE excluded.error_code END, "
                "error_detail=CASE WHEN codes.state='registered' THEN codes.error_detail "
                "ELSE excluded.error_detail END, updated_at=excluded.updated_at",
                (code, state, sim_card_id, iccid, error_code, error_detail, now),
            )

    def saw_sims(self, sim_ids: Iterable[str]) -> None:
        """Remember SIMs that this ledger's register responses returned (this account's)."""
        now = _now()
        with self._transaction() as db:
            db.executemany(
                "INSERT OR IGNORE INTO seen_sims (sim_card_id, seen_at) VALUES (?, ?)",
                [(sid, now) for sid in sim_ids],
            )

    def seen_sims(self) -> set[str]:
        return {row[0] for row in self._db.execute("SELECT sim_card_id FROM seen_sims")}

    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(("in_flight", "registered", "failed", "unknown"), 0)
        for state, n in self._db.execute("SELECT state, COUNT(*) FROM codes GROUP BY state"):
            counts[state] = n
        return counts

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        try:
            self._db.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise _locked(self.path, exc) from None
        try:
            yield self._db
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")


def _open(path: Path, *, read_only: bool) -> sqlite3.Connection:
    """The ledger's database, created or migrated as needed; anything else is refused."""
    existed = path.is_file() and path.stat().st_size > 0
    uri = f"file:{path}?mode=ro" if read_only else str(path)
    try:
        db = sqlite3.connect(uri, uri=read_only, isolation_level=None, timeout=5)
        app_id = db.execute("PRAGMA application_id").fetchone()[0]
        tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    except sqlite3.DatabaseError as exc:
        raise _not_a_ledger(path, f"it is not an SQLite database ({exc})") from None
    if existed and app_id not in (0, APPLICATION_ID):
        db.close()
        raise _not_a_ledger(path, "it is another program's SQLite database")
    if existed and app_id == 0 and tables and "codes" not in tables:
        db.close()
        raise _not_a_ledger(
            path, f"it is another program's SQLite database (tables {sorted(tables)})"
        )
    if read_only:
        return db
    try:
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=FULL")
        if "codes" in tables and "meta" not in tables:
            try:
                _migrate_v1(db)
            except sqlite3.DatabaseError as exc:
                db.close()
                raise _not_a_ledger(path, f"it holds {exc}, not a ledger's") from None
        db.executescript(_SCHEMA)
        db.execute(f"PRAGMA application_id={APPLICATION_ID}")
        db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
    except sqlite3.OperationalError as exc:
        db.close()
        raise _locked(path, exc) from None
    return db


def _migrate_v1(db: sqlite3.Connection) -> None:
    """A ledger of the first format (no binding, no unknown state): its rows carried on."""
    columns = [r[1] for r in db.execute("PRAGMA table_info(codes)")]
    if not all(c in columns for c in _V1_COLUMNS):
        raise sqlite3.DatabaseError(f"a codes table with columns {columns}")
    db.execute("ALTER TABLE codes RENAME TO codes_v1")
    db.executescript(_SCHEMA)
    db.execute(
        "INSERT INTO codes (registration_code, state, attempts, sim_card_id, iccid, error_code, "
        "error_detail, updated_at) SELECT registration_code, state, attempts, sim_card_id, iccid, "
        "error_code, error_detail, updated_at FROM codes_v1"
    )
    db.execute("DROP TABLE codes_v1")


def _not_a_ledger(path: Path, why: str) -> InvalidInputError:
    return InvalidInputError(
        str(path),
        f"{path.name} is not a simtools registration ledger: {why}",
        "pass a new file name, or the ledger file an earlier registration wrote",
    )


def _locked(path: Path, exc: sqlite3.OperationalError) -> InvalidInputError:
    return InvalidInputError(
        str(path),
        f"the ledger {path.name} cannot be written ({exc}): another program holds its database",
        "wait for the other run to finish (simtools ledger show reads it meanwhile)",
    )
