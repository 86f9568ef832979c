"""One call to get a working client: the real API when a key is set, else a local sandbox."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from simtools.client import SimClient

__all__ = ["connect", "connection_banner"]


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
    ``simtools.runbook.environment_note`` says so in notebooks. Closing the client stops that
    sandbox.
    """
    env = os.environ if env is None else env
    if env.get("TELNYX_API_KEY"):
        return SimClient.from_env(env, **client_options)
    from simtools.sandbox import serve

    server = serve(port=0, fleet_size=fleet_size, seed=seed)
    sandbox = server.__enter__()
    try:
        client = SimClient(sandbox.api_key, base_url=sandbox.base_url, **client_options)
    except BaseException:
        server.__exit__(None, None, None)
        raise
    client.sandbox = sandbox
    client._on_close.append(lambda: server.__exit__(None, None, None))
    return client


def connection_banner(client: SimClient) -> str:
    """One line that says plainly whether this client talks to a sandbox or a real account."""
    if getattr(client, "sandbox", None) is not None or client.is_loopback:
        return (
            f"SANDBOX: a local simulated Telnyx API at {client.base_url} "
            "(synthetic fleet; nothing here touches a real account)"
        )
    return f"REAL ACCOUNT: Telnyx API at {client.base_url} (changes affect real SIM cards)"
