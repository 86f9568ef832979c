"""Fault injection for the sandbox (rate limit, latency, server errors, dropped connections) and
the log of requests it received.

Faults apply to API paths (``/v2/...``) only and are all off by default. Every random decision
comes from one ``random.Random(seed)``, so a sequence of requests meets the same faults on every
run. Settings may be changed while the server runs (``sandbox.faults.error_rate = 0.1``).
"""

from __future__ import annotations

import asyncio
import math
import random
import threading
import time
from collections import deque
from dataclasses import dataclass
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from simtools.errors import InvalidInputError
from simtools.sandbox.wire import dumps, error_body, error_object

__all__ = [
    "NOMINAL_RATE_LIMIT",
    "Faults",
    "FaultsMiddleware",
    "LoggedRequest",
    "RequestLog",
    "RequestLogMiddleware",
]

#: Requests per second the ``x-ratelimit-*`` headers report when no limit is set. The sandbox
#: serves a few thousand requests a second on a laptop, so this is above what it can be asked.
NOMINAL_RATE_LIMIT = 10_000

_TOO_MANY = error_object(
    "10011",
    "You have exceeded the maximum number of allowed requests.",
    title="Too many requests",
)
_SERVER_ERRORS = {
    500: error_object("10007", "An unexpected error occurred.", title="Unexpected error"),
    503: error_object(
        "10007",
        "The service is temporarily unavailable; try again later.",
        title="Service unavailable",
    ),
}


def _rate(name: str, value: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0.0 <= value <= 1.0:
        raise InvalidInputError(
            value, f"{name} must be a number from 0 to 1", f"pass e.g. {name}=0.1"
        )
    return float(value)


class Faults:
    """What goes wrong on purpose, and the state of the rate-limit window."""

    def __init__(
        self,
        *,
        rate_limit: int | None = None,
        error_rate: float = 0.0,
        drop_rate: float = 0.0,
        garble_rate: float = 0.0,
        latency: float = 0.0,
        seed: int = 0,
    ) -> None:
        self._lock = threading.Lock()
        self._rng = random.Random(seed)
        self._window = 0
        self._used = 0
        self.rate_limit = rate_limit
        self.error_rate = error_rate
        self.drop_rate = drop_rate
        self.garble_rate = garble_rate
        self.latency = latency

    def __repr__(self) -> str:
        return (
            f"Faults(rate_limit={self.rate_limit}, error_rate={self.error_rate}, "
            f"drop_rate={self.drop_rate}, garble_rate={self.garble_rate}, "
            f"latency={self.latency})"
        )

    def describe(self) -> str:
        """The faults in words, for the sandbox's banner: ``"none"`` when nothing goes wrong."""
        parts = []
        if self.rate_limit is not None:
            parts.append(f"HTTP 429 past {self.rate_limit} requests a second")
        if self.error_rate:
            parts.append(f"{self.error_rate:.0%} of requests answered 500/503")
        if self.drop_rate:
            parts.append(f"{self.drop_rate:.0%} performed and left unanswered")
        if self.garble_rate:
            parts.append(f"{self.garble_rate:.0%} answered with a garbled body")
        if self.latency:
            parts.append(f"{self.latency:g} s added to every request")
        return "; ".join(parts) or "none"

    @property
    def rate_limit(self) -> int | None:
        """Requests allowed per one-second window, or None for no limit."""
        return self._rate_limit

    @rate_limit.setter
    def rate_limit(self, value: int | None) -> None:
        if value is not None and (
            isinstance(value, bool) or not isinstance(value, int) or value < 1
        ):
            raise InvalidInputError(
                value,
                "rate_limit must be a whole number of requests per second, at least 1",
                "pass e.g. rate_limit=10, or None for no limit",
            )
        with self._lock:
            self._rate_limit = value
            self._used = 0

    @property
    def error_rate(self) -> float:
        """Share of API requests answered 500 or 503 without being performed."""
        return self._error_rate

    @error_rate.setter
    def error_rate(self, value: float) -> None:
        self._error_rate = _rate("error_rate", value)

    @property
    def drop_rate(self) -> float:
        """Share of API requests performed and then left without an answer (connection closed)."""
        return self._drop_rate

    @drop_rate.setter
    def drop_rate(self, value: float) -> None:
        self._drop_rate = _rate("drop_rate", value)

    @property
    def garble_rate(self) -> float:
        """Share of API requests performed and then answered, with their status, by a body that
        cannot be read: an HTML page, JSON cut short, or fields of the wrong type."""
        return self._garble_rate

    @garble_rate.setter
    def garble_rate(self, value: float) -> None:
        self._garble_rate = _rate("garble_rate", value)

    @property
    def latency(self) -> float:
        """Seconds added before every API request is handled."""
        return self._latency

    @latency.setter
    def latency(self, value: float) -> None:
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value < 3600:
            raise InvalidInputError(
                value, "latency must be seconds from 0 to 3600", "pass e.g. latency=0.05"
            )
        self._latency = float(value)

    def admit(self) -> tuple[bool, list[tuple[bytes, bytes]]]:
        """Count one request against the window: (allowed, ``x-ratelimit-*`` headers).

        Telnyx sends the headers on every answer (CONTRACT.md section 4), so they are sent also
        when no limit is set: the window is then counted against :data:`NOMINAL_RATE_LIMIT`,
        which is reported but never enforced.
        """
        with self._lock:
            limit = self._rate_limit
            shown = NOMINAL_RATE_LIMIT if limit is None else limit
            now = time.monotonic()
            window = math.floor(now)
            if window != self._window:
                self._window, self._used = window, 0
            allowed = limit is None or self._used < limit
            if allowed:
                self._used += 1
            reset = max(1, math.ceil(window + 1 - now))
            headers = [
                (b"x-ratelimit-limit", str(shown).encode()),
                (b"x-ratelimit-remaining", str(max(0, shown - self._used)).encode()),
                (b"x-ratelimit-reset", str(reset).encode()),
            ]
            if not allowed:
                headers.append((b"retry-after", str(reset).encode()))
            return allowed, headers

    def draw(self) -> tuple[int | None, bool]:
        """(server error status to answer with or None, whether to drop the connection)."""
        with self._lock:
            error = None
            if self._error_rate and self._rng.random() < self._error_rate:
                error = self._rng.choice((500, 503))
            drop = bool(self._drop_rate) and self._rng.random() < self._drop_rate
            return error, drop and error is None

    def garbled(self, body: bytes) -> bytes | None:
        """What to send instead of ``body`` when this answer is to be garbled, else None."""
        with self._lock:
            if not self._garble_rate or self._rng.random() >= self._garble_rate:
                return None
            kind = self._rng.choice(("html", "cut", "types"))
        if kind == "html":
            return b"<html><body><h1>502 Bad Gateway</h1></body></html>"
        if kind == "cut":
            return body[: max(1, len(body) // 2)]
        return b'{"data": "registered", "errors": 5}'


async def _send_json(
    send: Send, status: int, body: Any, headers: list[tuple[bytes, bytes]]
) -> None:
    content = dumps(body)
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(content)).encode()),
                *headers,
            ],
        }
    )
    await send({"type": "http.response.body", "body": content})


class FaultsMiddleware:
    """Applies :class:`Faults` to requests whose path starts with ``prefix``."""

    def __init__(self, app: ASGIApp, faults: Faults, *, prefix: str) -> None:
        self.app = app
        self.faults = faults
        self.prefix = prefix + "/"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(self.prefix):
            await self.app(scope, receive, send)
            return
        allowed, limit_headers = self.faults.admit()
        if not allowed:
            await _send_json(send, 429, error_body([_TOO_MANY]), limit_headers)
            return
        if self.faults.latency:
            await asyncio.sleep(self.faults.latency)
        error, drop = self.faults.draw()
        if error is not None:
            await _send_json(send, error, error_body([_SERVER_ERRORS[error]]), limit_headers)
            return
        if drop:
            await self._perform_then_drop(scope, receive, send, limit_headers)
            return
        if self.faults.garble_rate:
            await self._perform_then_garble(scope, receive, send, limit_headers)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), *limit_headers]}
            await send(message)

        await self.app(scope, receive, send_with_headers)

    async def _perform_then_garble(
        self, scope: Scope, receive: Receive, send: Send, headers: list[tuple[bytes, bytes]]
    ) -> None:
        """Handle the request in full, then answer with its status and, for the share
        ``garble_rate`` asks, a body that cannot be read in place of its own."""
        start: Message | None = None
        chunks: list[bytes] = []

        async def keep(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        await self.app(scope, receive, keep)
        if start is None:
            return
        body = b"".join(chunks)
        body = self.faults.garbled(body) or body
        kept = [(k, v) for k, v in start.get("headers", []) if k.lower() != b"content-length"]
        length = [(b"content-length", str(len(body)).encode())]
        await send({**start, "headers": [*kept, *length, *headers]})
        await send({"type": "http.response.body", "body": body})

    async def _perform_then_drop(
        self, scope: Scope, receive: Receive, send: Send, headers: list[tuple[bytes, bytes]]
    ) -> None:
        """Handle the request in full, then send only the response head and return: the server
        closes the connection, and the client sees a broken response (outcome unknown)."""
        start: Message | None = None

        async def keep_start(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message

        await self.app(scope, receive, keep_start)
        if start is not None:
            await send({**start, "headers": [*start.get("headers", []), *headers]})


@dataclass(frozen=True)
class LoggedRequest:
    method: str
    path: str
    query: str


class RequestLog:
    """The requests the server received, in order (the latest million); thread-safe."""

    def __init__(self, limit: int = 1_000_000) -> None:
        self._lock = threading.Lock()
        # Bounded so that a sandbox left running for days does not grow without end.
        self._entries: deque[LoggedRequest] = deque(maxlen=limit)

    def append(self, entry: LoggedRequest) -> None:
        with self._lock:
            self._entries.append(entry)

    def entries(self) -> list[LoggedRequest]:
        with self._lock:
            return list(self._entries)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


class RequestLogMiddleware:
    def __init__(self, app: ASGIApp, log: RequestLog) -> None:
        self.app = app
        self.log = log

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            query = scope.get("query_string", b"").decode("latin-1")
            self.log.append(LoggedRequest(scope["method"], scope["path"], query))
        await self.app(scope, receive, send)
