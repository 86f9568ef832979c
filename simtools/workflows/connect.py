"""One call to get a working client: the real API when a key is set, else a local sandbox."""

from __future__ import annotations

import os
import threading
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from simtools.client import SimClient

__all__ = ["connect", "connection_banner"]


@dataclass
class _Running:
    """A sandbox ``connect`` started, and how many of its clients are still open."""

    server: Any
    sandbox: Any
    clients: int = 0


#: (fleet_size, seed) -> the sandbox connect() started with them and has not stopped yet.
_RUNNING: dict[tuple[int, int], _Running] = {}
_LOCK = threading.Lock()


def connect(
    *,
    env: Mapping[str, str] | None = None,
    fleet_size: int = 500,
    seed: int = 0,
    **client_options: Any,
) -> SimClient:
    """A ``SimClient`` for the real account when ``TELNYX_API_KEY`` is set (``TELNYX_BASE_URL``
    may point elsewhere), otherwise for a sandbox started in the background with a synthetic
    fleet of ``fleet_size`` SIMs. ``TELNYX_BASE_URL`` without a key is not used (a server needs
    its key, which only a sandbox started here is known to have); a fresh sandbox starts and
    ``simtools.runbook.environment_note`` says so in notebooks.

    Called again while a sandbox it started with the same ``fleet_size`` and ``seed`` is still
    running (a notebook cell run twice), it connects to that sandbox rather than starting a
    second one, and warns that the two clients share its fleet. The sandbox stops when the last
    of its clients is closed.
    """
    env = os.environ if env is None else env
    if env.get("TELNYX_API_KEY"):
        return SimClient.from_env(env, **client_options)
    from simtools.sandbox import serve

    key = (fleet_size, seed)
    with _LOCK:
        running = _RUNNING.get(key)
        if running is None:
            server = serve(port=0, fleet_size=fleet_size, seed=seed)
            running = _Running(server, server.__enter__())
            _RUNNING[key] = running
        else:
            warnings.warn(
                f"connect(): a sandbox an earlier connect() started is still running at "
                f"{running.sandbox.base_url}; this client uses it too (same fleet, changes "
                "shared) instead of starting a second one. Close every client to stop it.",
                UserWarning,
                stacklevel=2,
            )
        running.clients += 1
    try:
        client = SimClient(
            running.sandbox.api_key, base_url=running.sandbox.base_url, **client_options
        )
    except BaseException:
        _release(key, running)
        raise
    client.sandbox = running.sandbox
    client._on_close.append(lambda: _release(key, running))
    return client


def _release(key: tuple[int, int], running: _Running) -> None:
    """One client of ``running`` is done; the last one stops the sandbox."""
    with _LOCK:
        running.clients -= 1
        if running.clients > 0:
            return
        if _RUNNING.get(key) is running:
            del _RUNNING[key]
    running.server.__exit__(None, None, None)


def connection_banner(client: SimClient) -> str:
    """One line that says plainly whether this client talks to a sandbox or a real account."""
    if getattr(client, "sandbox", None) is not None or client.is_loopback:
        return (
            f"SANDBOX: a local simulated Telnyx API at {client.base_url} "
            "(synthetic fleet; nothing here touches a real account)"
        )
    return f"REAL ACCOUNT: Telnyx API at {client.base_url} (changes affect real SIM cards)"
