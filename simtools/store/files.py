"""The file system under a history store: any fsspec URL, files that appear whole or not at all.

A file is written to a hidden temporary name beside its final one (``.<name>.<uuid>.tmp``) and
moved into place; on a local disk the move is a rename, so a reader (or a process killed
mid-write) sees the old state or the whole new file. On object storage (``s3://``, ``gs://``,
``abfs://``) an object only appears once its upload completes, and the move is a server-side
copy. Dataset readers skip names starting with ``.`` or ``_``, so a temporary file left by a
kill is never read; :meth:`StoreFiles.remove_stale` clears them.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Callable, Sequence
from typing import IO, Any

import fsspec
import pandas as pd
import pyarrow.fs as pafs

from simtools.errors import InvalidInputError

__all__ = ["StoreFiles", "check_columns", "month_name"]


class StoreFiles:
    """The store's root on its file system, with atomic writes."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        if not isinstance(path, str | os.PathLike) or not str(path):
            raise InvalidInputError(
                path,
                "a history store needs a folder path or an fsspec URL",
                "pass e.g. 'history/' or 's3://bucket/fleet-history'",
            )
        text = os.fspath(path)
        try:
            fs, root = fsspec.core.url_to_fs(text)
        except (ImportError, ValueError) as exc:
            raise InvalidInputError(
                text,
                f"no file system for {text!r}: {exc}",
                "install the fsspec driver for that scheme (s3fs, gcsfs, adlfs), or use a local "
                "path",
            ) from None
        self.fs: fsspec.AbstractFileSystem = fs
        self.root: str = root.rstrip("/") or "/"
        self.url = text
        self.local = "file" in _protocols(fs)
        if fs.exists(self.root) and not fs.isdir(self.root):
            raise InvalidInputError(
                text, f"{text!r} is a file, not a history store folder", "pass a folder path"
            )

    def join(self, *parts: str) -> str:
        return "/".join([self.root, *parts])

    @property
    def arrow(self) -> pafs.FileSystem:
        """The same file system for pyarrow (native for local paths)."""
        if self.local:
            return pafs.LocalFileSystem()
        return pafs.PyFileSystem(pafs.FSSpecHandler(self.fs))

    def write(self, path: str, write: Callable[[IO[bytes]], None]) -> None:
        """Write ``path`` through ``write(handle)`` on a temporary file, then move it into place."""
        parent, name = path.rsplit("/", 1)
        self.fs.makedirs(parent, exist_ok=True)
        tmp = f"{parent}/.{name}.{uuid.uuid4().hex}.tmp"
        try:
            with self.fs.open(tmp, "wb") as handle:
                write(handle)
                if self.local:
                    handle.flush()
                    os.fsync(handle.fileno())
            self.fs.mv(tmp, path)
        except BaseException:
            with contextlib.suppress(OSError, FileNotFoundError):
                self.fs.rm(tmp)
            raise
        if self.local:
            _fsync_dir(parent)

    def read_text(self, path: str) -> str | None:
        if not self.fs.exists(path):
            return None
        with self.fs.open(path, "rb") as handle:
            data: bytes = handle.read()
        return data.decode("utf-8")

    def list_files(self, folder: str, suffix: str = ".parquet") -> list[str]:
        """Files in ``folder`` (not hidden, not temporary), sorted; none if it is missing."""
        if not self.fs.isdir(folder):
            return []
        names = sorted(str(p) for p in self.fs.ls(folder, detail=False))
        return [
            p
            for p in names
            if p.endswith(suffix) and not p.rsplit("/", 1)[-1].startswith((".", "_"))
        ]

    def list_dirs(self, folder: str, prefix: str) -> list[str]:
        if not self.fs.isdir(folder):
            return []
        entries: list[dict[str, Any]] = self.fs.ls(folder, detail=True)
        return sorted(
            str(e["name"]).rstrip("/").rsplit("/", 1)[-1]
            for e in entries
            if e.get("type") == "directory"
            and str(e["name"]).rstrip("/").rsplit("/", 1)[-1].startswith(prefix)
        )

    def remove_stale(self) -> int:
        """Remove temporary files a killed write left behind; returns how many."""
        found = [p for p in self.fs.find(self.root) if p.rsplit("/", 1)[-1].endswith(".tmp")]
        for p in found:
            self.fs.rm(p)
        return len(found)


def _protocols(fs: fsspec.AbstractFileSystem) -> tuple[str, ...]:
    protocol = fs.protocol
    return (protocol,) if isinstance(protocol, str) else tuple(protocol)


def _fsync_dir(folder: str) -> None:
    with contextlib.suppress(OSError):  # directories cannot be fsynced everywhere (Windows)
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def month_name(ts: pd.Timestamp) -> str:
    """The partition name of a time's UTC month, ``YYYY-MM``."""
    return f"{ts:%Y-%m}"


def check_columns(columns: object, known: Sequence[str]) -> list[str] | None:
    """The columns asked for, each once, or None for all; an unknown name is refused."""
    if columns is None:
        return None
    names = [columns] if isinstance(columns, str) else columns
    if not isinstance(names, Sequence) or not names or not all(isinstance(c, str) for c in names):
        raise InvalidInputError(
            columns,
            f"columns={columns!r} is not a list of column names",
            "pass e.g. columns=['sim_card_id', 'start', 'cost'], or leave it out",
        )
    unknown = [c for c in names if c not in known]
    if unknown:
        raise InvalidInputError(
            unknown, f"the store has no column(s) {', '.join(unknown)}", f"choose from {known}"
        )
    return list(dict.fromkeys(names))
