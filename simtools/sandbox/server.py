"""Running the sandbox: uvicorn in a background thread, and the handle tests and notebooks use."""

from __future__ import annotations

import asyncio
import gc
import logging
import secrets
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import uvicorn

from simtools.errors import InvalidInputError, SimToolsError
from simtools.sandbox.app import API_PREFIX, create_app
from simtools.sandbox.faults import Faults, LoggedRequest, RequestLog
from simtools.sandbox.state import SandboxState
from simtools.sandbox.synthetic import build_fleet

__all__ = ["Sandbox", "SandboxStartError", "serve", "start"]

_START_TIMEOUT = 30.0


class SandboxStartError(SimToolsError, RuntimeError):
    """The sandbox server did not come up."""


class _ExpectedNoise(logging.Filter):
    """uvicorn reports as application errors two things the sandbox expects: a dropped
    connection (a fault it injects on purpose; dropped, or it would drown the output that
    matters) and a request still running when the server is stopped (cancelled after the
    graceful-shutdown timeout; one line instead of a traceback)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if "returned without completing response" in record.getMessage():
            return False
        if record.exc_info and isinstance(record.exc_info[1], asyncio.CancelledError):
            record.msg = "simtools sandbox: a request still running at the stop was cut off"
            record.args, record.exc_info, record.exc_text = (), None, None
        return True


def _quiet_expected_noise() -> None:
    logger = logging.getLogger("uvicorn.error")
    if not any(isinstance(f, _ExpectedNoise) for f in logger.filters):
        logger.addFilter(_ExpectedNoise())


def new_api_key() -> str:
    """A fresh random key for one sandbox, shaped like Telnyx's (``KEY...``)."""
    return "KEYSANDBOX_" + secrets.token_urlsafe(24)


class Sandbox:
    """A running sandbox server.

    ``base_url`` and ``api_key`` are what a client needs; ``faults`` can be changed while it
    runs; ``state`` is the live store. The key never appears in ``repr``.
    """

    def __init__(
        self,
        *,
        state: SandboxState,
        faults: Faults,
        log: RequestLog,
        api_key: str,
        server: uvicorn.Server,
        thread: threading.Thread,
        host: str,
        port: int,
        fleet_size: int,
        seed: int,
        accept_any_key: bool = False,
    ) -> None:
        self.state = state
        self.faults = faults
        self.api_key = api_key
        self.host = host
        self.port = port
        self.fleet_size = fleet_size
        self.seed = seed
        #: True when the server takes any non-empty Bearer key, not only ``api_key``.
        self.accept_any_key = accept_any_key
        self._log = log
        self._server = server
        self._thread = thread

    def __repr__(self) -> str:
        running = "running" if self.running else "stopped"
        return (
            f"<Sandbox {running} at {self.base_url} fleet_size={self.fleet_size} seed={self.seed}>"
        )

    @property
    def url(self) -> str:
        """The server root, e.g. ``http://127.0.0.1:8765``."""
        return f"http://{self.host}:{self.port}"

    @property
    def base_url(self) -> str:
        """The API base, e.g. ``http://127.0.0.1:8765/v2`` (what ``TELNYX_BASE_URL`` takes)."""
        return self.url + API_PREFIX

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    @property
    def request_log(self) -> list[tuple[str, str]]:
        """``(method, path)`` of every request received so far, oldest first (a copy)."""
        return [(e.method, e.path) for e in self._log.entries()]

    def requests(self) -> list[LoggedRequest]:
        """Every request received so far with its query string, oldest first (a copy)."""
        return self._log.entries()

    def clear_request_log(self) -> None:
        self._log.clear()

    def available_codes(self, n: int = 1) -> list[str]:
        """``n`` valid codes nobody has registered; each is handed out only once."""
        return self.state.available_codes(n)

    def used_codes(self, n: int = 1) -> list[str]:
        """``n`` codes of SIMs already on the account: registering them fails."""
        return self.state.used_codes(n)

    def registrations(self, code: str) -> int:
        """How many times this server registered ``code`` (0 or 1 unless a SIM was deleted and
        its code registered again)."""
        return self.state.registrations(code)

    def advance(self, seconds: float | None = None) -> None:
        """Move the sandbox clock forward (by ``action_delay`` when None), so that actions and
        registrations started before settle without waiting."""
        self.state.clock.advance(self.state.action_delay if seconds is None else seconds)

    def close(self) -> None:
        """Stop the server and wait for its thread (idempotent)."""
        self._server.should_exit = True
        self._thread.join(timeout=10.0)
        # Let the collector see the fleet again (see start); harmless when called twice.
        gc.unfreeze()

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def _check_count(name: str, value: Any, low: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        raise InvalidInputError(
            value, f"{name} must be a whole number >= {low}", f"pass {name}=500"
        )
    return value


def start(
    port: int = 0,
    *,
    fleet_size: int = 500,
    seed: int = 0,
    api_key: str | None = None,
    rate_limit: int | None = None,
    error_rate: float = 0.0,
    drop_rate: float = 0.0,
    latency: float = 0.0,
    action_delay: float = 0.2,
    host: str = "127.0.0.1",
    code_pool: int = 5000,
    accept_any_key: bool = False,
) -> Sandbox:
    """Build the fleet and start serving it in a background thread; call ``close()`` to stop.

    Prefer :func:`serve` where a ``with`` block fits; this is for notebooks, where the server
    should outlive a cell. With ``accept_any_key`` the server takes any non-empty Bearer key,
    not only ``api_key``: for test suites that bring a key of their own.
    """
    _check_count("fleet_size", fleet_size, 0)
    _check_count("seed", seed, 0)
    _check_count("code_pool", code_pool, 0)
    _check_count("port", port, 0)
    if (
        isinstance(action_delay, bool)
        or not isinstance(action_delay, int | float)
        or action_delay < 0
    ):
        raise InvalidInputError(
            action_delay, "action_delay must be seconds >= 0", "pass action_delay=0.2"
        )
    if api_key is not None and (
        not isinstance(api_key, str) or not api_key or any(c.isspace() for c in api_key)
    ):
        raise InvalidInputError(
            "<api_key>",
            "api_key must be a non-empty string without spaces",
            "pass api_key=None to have one generated",
        )
    faults = Faults(
        rate_limit=rate_limit,
        error_rate=error_rate,
        drop_rate=drop_rate,
        latency=latency,
        seed=seed,
    )
    key = api_key or new_api_key()
    fleet = build_fleet(fleet_size, seed, now=time.time(), code_pool=code_pool)
    state = SandboxState(fleet, action_delay=float(action_delay))
    # The fleet is millions of long-lived objects made with the collector paused; left to it,
    # the first request that allocates a little would pay for a full collection over all of
    # them (half a second at 100,000 SIMs). Frozen, the collector skips them until close().
    gc.freeze()
    log = RequestLog()
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # proto must say TCP: asyncio only turns Nagle off (TCP_NODELAY) on sockets that do, and
    # with Nagle on, every response waits ~40 ms for the client's delayed ACK.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise InvalidInputError(
            port,
            f"the sandbox cannot listen on {host}:{port} ({exc.strerror})",
            "choose another port, or port=0 for any free one",
        ) from exc
    bound_port = sock.getsockname()[1]
    config = uvicorn.Config(
        create_app(state, api_key=key, faults=faults, log=log, accept_any_key=accept_any_key),
        log_config=None,
        log_level="warning",
        access_log=False,
        date_header=False,  # ClockDateMiddleware dates answers by the sandbox clock
        lifespan="off",
        timeout_graceful_shutdown=2,
    )
    server = uvicorn.Server(config)
    _quiet_expected_noise()
    thread = threading.Thread(
        target=server.run,
        kwargs={"sockets": [sock]},
        name=f"simtools-sandbox-{bound_port}",
        daemon=True,
    )
    thread.start()
    deadline = time.monotonic() + _START_TIMEOUT
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            sock.close()
            raise SandboxStartError(f"the sandbox server on {host}:{bound_port} did not start")
        time.sleep(0.01)
    return Sandbox(
        state=state,
        faults=faults,
        log=log,
        api_key=key,
        server=server,
        thread=thread,
        host=host,
        port=bound_port,
        fleet_size=fleet_size,
        seed=seed,
        accept_any_key=accept_any_key,
    )


@contextmanager
def serve(
    port: int = 0,
    *,
    fleet_size: int = 500,
    seed: int = 0,
    api_key: str | None = None,
    rate_limit: int | None = None,
    error_rate: float = 0.0,
    drop_rate: float = 0.0,
    latency: float = 0.0,
    action_delay: float = 0.2,
    host: str = "127.0.0.1",
    code_pool: int = 5000,
    accept_any_key: bool = False,
) -> Iterator[Sandbox]:
    """Run a sandbox for the ``with`` block; it stops cleanly on exit.

    >>> with serve(fleet_size=100) as sb:  # doctest: +SKIP
    ...     client = telnyx.Telnyx(api_key=sb.api_key, base_url=sb.base_url)
    """
    sandbox = start(
        port,
        fleet_size=fleet_size,
        seed=seed,
        api_key=api_key,
        rate_limit=rate_limit,
        error_rate=error_rate,
        drop_rate=drop_rate,
        latency=latency,
        action_delay=action_delay,
        host=host,
        code_pool=code_pool,
        accept_any_key=accept_any_key,
    )
    try:
        yield sandbox
    finally:
        sandbox.close()
