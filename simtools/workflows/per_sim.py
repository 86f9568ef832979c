"""One request per SIM for many SIMs: concurrent, bounded by the client, failures named once.

Requests run on ``client.concurrency`` threads; every one passes the client's pacer, which spaces
request starts once the server has answered 429, and its retry policy. What the API answers as
"not there" (``absent``, e.g. a 404 for a SIM without a public IP) is a plain ``None``. Other
failures leave that SIM's value ``None`` too and are named in one ``SimToolsDataWarning``, so a
fleet of thousands is not lost to one SIM; a key the API refuses stops everything (every request
would fail alike).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, TypeVar

from simtools.errors import AuthenticationError, SimToolsError, data_warning
from simtools.workflows.progress import progress_bar

if TYPE_CHECKING:
    from simtools.client import SimClient

__all__ = ["fetch_each"]

T = TypeVar("T")


def fetch_each(
    client: SimClient,
    sim_card_ids: Sequence[str],
    fetch: Callable[[str], T],
    *,
    what: str,
    absent: tuple[type[SimToolsError], ...] = (),
    progress: bool | None = None,
) -> dict[str, T | None]:
    """``fetch(sim_id)`` for each id, at most ``client.concurrency`` at a time, in id order.

    ``what`` names the data in the progress bar and the warning ("device details").
    """
    ids = list(dict.fromkeys(sim_card_ids))
    results: dict[str, T | None] = {}
    failed: dict[str, SimToolsError] = {}
    stop = threading.Event()
    refused: list[AuthenticationError] = []
    bar = progress_bar(len(ids), f"fetching {what}", progress, unit="SIMs")

    def one(sim_id: str) -> tuple[str, T | None]:
        if stop.is_set():
            return sim_id, None
        try:
            return sim_id, fetch(sim_id)
        except AuthenticationError as exc:
            refused.append(exc)
            stop.set()
        except absent:
            pass
        except SimToolsError as exc:
            failed[sim_id] = exc
        finally:
            bar.update(1)
        return sim_id, None

    try:
        if ids:
            workers = min(client.concurrency, len(ids))
            with ThreadPoolExecutor(workers, thread_name_prefix="simtools-per-sim") as pool:
                results = dict(pool.map(one, ids))
    finally:
        bar.close()
    if refused:
        raise refused[0]
    if failed:
        first = next(iter(failed.values()))
        names = ", ".join(list(failed)[:5]) + (" ..." if len(failed) > 5 else "")
        data_warning(
            f"{what}: {len(failed)} of {len(ids)} SIM card(s) could not be read and are left "
            f"missing ({names}); the first error: {first}"
        )
    return results
