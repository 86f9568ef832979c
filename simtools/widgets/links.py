"""Download links that carry a frame as CSV inside the page (no server round trip)."""

from __future__ import annotations

import base64
import html
import re
import tempfile
from pathlib import Path

import pandas as pd

from simtools.frames.files import write_frame

__all__ = ["csv_bytes", "csv_download_link", "safe_filename"]

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def safe_filename(name: str, suffix: str = ".csv") -> str:
    """``name`` reduced to letters, digits, ``.``, ``_`` and ``-``, ending in ``suffix``."""
    stem = _UNSAFE.sub("-", name.strip()).strip("-.") or "simtools"
    return stem if stem.lower().endswith(suffix) else stem + suffix


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """The frame as the CSV ``simtools.write_frame`` writes (lists as JSON, UTC ISO
    times), so ``read_frame`` reads a downloaded file back with its column types."""
    with tempfile.TemporaryDirectory(prefix="simtools-csv-") as folder:
        path = write_frame(frame, Path(folder) / "frame.csv")
        return path.read_bytes()


def csv_download_link(frame: pd.DataFrame, filename: str, label: str | None = None) -> str:
    """An HTML ``<a download>`` whose ``data:`` URL holds the frame as CSV."""
    name = safe_filename(filename)
    data = csv_bytes(frame)
    encoded = base64.b64encode(data).decode("ascii")
    text = label or f"Download {name}"
    size = (
        f"{len(data) / 1024:,.1f} KB" if len(data) < 1024 * 1024 else f"{len(data) / 2**20:,.1f} MB"
    )
    return (
        f'<a class="simtools-download" download="{html.escape(name)}" '
        f'href="data:text/csv;base64,{encoded}" target="_blank">{html.escape(text)}</a> '
        f"<span style='color: #777;'>({len(frame):,} rows, {size})</span>"
    )
