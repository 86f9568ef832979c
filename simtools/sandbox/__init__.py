"""A local Telnyx-compatible wireless API server: a synthetic SIM fleet, faults on demand.

>>> from simtools.sandbox import serve
>>> with serve(fleet_size=200, seed=1) as sb:  # doctest: +SKIP
...     sb.base_url, sb.available_codes(3)

``serve`` / ``start`` run uvicorn in a background thread and hand back a :class:`Sandbox`;
``main`` is the ``simtools sandbox`` command.
"""

from __future__ import annotations

from simtools.sandbox.cli import main
from simtools.sandbox.faults import Faults, LoggedRequest
from simtools.sandbox.server import Sandbox, SandboxStartError, serve, start
from simtools.sandbox.state import SandboxState

__all__ = [
    "Faults",
    "LoggedRequest",
    "Sandbox",
    "SandboxStartError",
    "SandboxState",
    "main",
    "serve",
    "start",
]
