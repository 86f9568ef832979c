"""One writer per ledger: an exclusive lock on a file beside it, which names who holds it.

The lock is the operating system's (``flock`` on POSIX, ``msvcrt.locking`` on Windows), so it
is released when its process ends, however it ends: a killed run leaves no stale lock. A second
process is refused at once, told which process holds the ledger since when.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import socket
from pathlib import Path
from typing import IO

from simtools.errors import InvalidInputError

__all__ = ["LedgerLock", "LedgerLockedError"]

try:  # POSIX
    import fcntl

    def _try_lock(handle: IO[str]) -> bool:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def _unlock(handle: IO[str]) -> None:
        fcntl.flock(handle.fileno(), fcntl.LOCK_UN)

except ImportError:  # pragma: no cover - Windows
    import msvcrt

    def _try_lock(handle: IO[str]) -> bool:
        try:
            msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)  # type: ignore[attr-defined]
        except OSError:
            return False
        return True

    def _unlock(handle: IO[str]) -> None:
        msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)  # type: ignore[attr-defined]


class LedgerLockedError(InvalidInputError):
    """Another process is writing the ledger."""


class LedgerLock:
    """The held lock of one ledger; :meth:`release` (or the end of the process) frees it."""

    def __init__(self, handle: IO[str], path: Path) -> None:
        self._handle: IO[str] | None = handle
        self.path = path

    @classmethod
    def acquire(cls, ledger: Path) -> LedgerLock:
        path = ledger.with_name(ledger.name + ".lock")
        handle = open(path, "a+", encoding="utf-8")
        if not _try_lock(handle):
            handle.seek(0)
            holder = _describe(handle.read())
            handle.close()
            raise LedgerLockedError(
                str(ledger),
                f"the ledger {ledger.name} is being written by {holder}",
                "wait for that run to finish, or give this run a ledger file of its own",
            )
        handle.seek(0)
        handle.truncate()
        handle.write(
            json.dumps(
                {
                    "pid": os.getpid(),
                    "host": socket.gethostname(),
                    "since": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                }
            )
        )
        handle.flush()
        return cls(handle, path)

    def release(self) -> None:
        if self._handle is None:
            return
        self._handle.seek(0)
        self._handle.truncate()
        _unlock(self._handle)
        self._handle.close()
        self._handle = None


def _describe(text: str) -> str:
    try:
        holder = json.loads(text)
        return f"process {holder['pid']} on {holder['host']} since {holder['since']}"
    except (ValueError, KeyError, TypeError):
        return "another process"
