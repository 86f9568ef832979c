"""Filling a history store from the API: usage records window by window, in bounded memory, from
where the last sync ended; and fleet snapshots.

A sync walks ``[start, until)`` in windows (7 days by default). Each window's WDR pages are read
one at a time and turned into a frame every ``flush_rows`` records, which the store appends (and
de-duplicates by record id), so memory holds at most one batch whatever the range. After each
window the store records where the sync got to; the next run starts there, less ``overlap`` (one
day by default, for records that reach the API late), and the records it fetches again are not
written twice. A sync killed part-way loses at most its current window, which the rerun fetches.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pandas as pd

from simtools.client import SimClient
from simtools.client._wire import page_items
from simtools.errors import InvalidInputError
from simtools.frames.history import wdr_history_frame
from simtools.inputs.times import to_utc_timestamp
from simtools.store.history import HistoryStore
from simtools.workflows.fleet import fleet_frame

__all__ = ["SyncResult", "snapshot_fleet", "sync_usage"]

_WIRE_TIME = "%Y-%m-%dT%H:%M:%SZ"


@dataclass(frozen=True)
class SyncResult:
    """What one sync did: the range it covered, records fetched and records newly stored."""

    start: pd.Timestamp
    end: pd.Timestamp
    fetched: int
    written: int
    windows: int

    def __str__(self) -> str:
        return (
            f"synced {self.start:%Y-%m-%d %H:%M} to {self.end:%Y-%m-%d %H:%M} UTC: "
            f"{self.fetched:,} records fetched, {self.written:,} new"
        )


def _start(store: HistoryStore, since: object, overlap: pd.Timedelta) -> pd.Timestamp:
    synced = store.synced_until()
    first = None if since is None else to_utc_timestamp(since, "since")
    if synced is None:
        if first is None:
            raise InvalidInputError(
                since,
                f"{store.files.url!r} has never been synced, so there is no point to resume from",
                "pass since= (the CLI's --since), e.g. the first day of last year",
            )
        return first
    resume = synced - overlap
    return resume if first is None else max(first, resume)


def _check_positive(value: object, name: str, example: str) -> pd.Timedelta:
    delta = pd.Timedelta(value) if isinstance(value, str | pd.Timedelta) else None
    if delta is None or delta <= pd.Timedelta(0):
        raise InvalidInputError(
            value, f"{name} must be a positive duration", f"pass e.g. {example}"
        )
    return delta


def sync_usage(
    client: SimClient,
    store: HistoryStore,
    *,
    since: object = None,
    until: object = None,
    window: str | pd.Timedelta = "7D",
    overlap: str | pd.Timedelta = "1D",
    flush_rows: int = 50_000,
    on_window: Callable[[SyncResult], None] | None = None,
) -> SyncResult:
    """Fetch the usage records from where the store's last sync ended (less ``overlap``; on the
    first run from ``since``) up to ``until`` (default now) and append the new ones.

    ``on_window`` is called after each window with the running totals (for progress). Rerunning
    over the same range stores nothing new.
    """
    step = _check_positive(window, "window", "window='7D'")
    back = pd.Timedelta(overlap) if isinstance(overlap, str | pd.Timedelta) else None
    if back is None or back < pd.Timedelta(0):
        raise InvalidInputError(overlap, "overlap must be a duration >= 0", "pass e.g. '1D'")
    if isinstance(flush_rows, bool) or not isinstance(flush_rows, int) or flush_rows < 1:
        raise InvalidInputError(flush_rows, "flush_rows must be a positive integer", "e.g. 50000")
    start = _start(store, since, back)
    end = pd.Timestamp.now(tz="UTC") if until is None else to_utc_timestamp(until, "until")
    if end <= start:
        raise InvalidInputError(
            (start, end), f"nothing to sync: {start} is not before {end}", "pass an earlier since"
        )
    fetched = written = windows = 0
    t0 = start
    while t0 < end:
        t1 = min(t0 + step, end)
        got, new = _sync_window(client, store, t0, t1, flush_rows)
        fetched, written, windows = fetched + got, written + new, windows + 1
        store.mark_synced(t1)
        if on_window is not None:
            on_window(SyncResult(start, t1, fetched, written, windows))
        t0 = t1
    return SyncResult(start, end, fetched, written, windows)


def _sync_window(
    client: SimClient, store: HistoryStore, t0: pd.Timestamp, t1: pd.Timestamp, flush_rows: int
) -> tuple[int, int]:
    # The wire takes whole seconds: the range is widened to them and the edges cut here.
    params = {
        "start_date": t0.floor("s").strftime(_WIRE_TIME),
        "end_date": t1.ceil("s").strftime(_WIRE_TIME),
    }
    url = f"{client.base_url}/reports/wdrs"
    batch: list[dict[str, Any]] = []
    fetched = written = 0
    for content in client.iter_page_bodies("reports/wdrs", params):
        batch.extend(page_items(content, "GET", url))
        if len(batch) >= flush_rows:
            fetched, written = fetched + len(batch), written + _flush(store, batch, t0, t1)
            batch = []
    if batch:
        fetched, written = fetched + len(batch), written + _flush(store, batch, t0, t1)
    return fetched, written


def _flush(
    store: HistoryStore, batch: list[dict[str, Any]], t0: pd.Timestamp, t1: pd.Timestamp
) -> int:
    frame = wdr_history_frame(batch)
    inside = (frame["start"] >= t0) & (frame["start"] < t1)
    return store.append_usage(frame[inside.fillna(False)])


def snapshot_fleet(client: SimClient, store: HistoryStore, **fleet_options: Any) -> bool:
    """Fetch the fleet (``fleet_frame(client, **fleet_options)``) and store it as a snapshot;
    ``False`` if a snapshot with the same ``fetched_at`` is stored already."""
    fleet = fleet_frame(client, progress=False, **fleet_options)
    return store.append_snapshot(fleet)
