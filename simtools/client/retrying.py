"""Retry policy, pacing and settle-waits: the one place that decides when and how long to wait.

Every pause simtools takes goes through :func:`sleep` and every bound through a
:class:`Deadline`: the retry policy's backoff (:class:`RetryPolicy`, on tenacity), the pacer's
spacing (:class:`Pacer`), a workflow's pause before sending again (:func:`backoff`) and polling
until asynchronous changes settle (:func:`poll`).

Retried (for reads, and for writes whose request never reached the server): transport failures,
408, 429 and 5xx. Waits grow exponentially with jitter (0.5 s, 1 s, 2 s ... capped at
``max_wait``), bounded by ``attempts`` and by ``deadline`` seconds in total. A server hint wins
over the backoff: ``Retry-After`` (seconds or an HTTP date) or, when the API sends none,
``x-ratelimit-reset`` (seconds until the window resets), as long as it is no longer than
``max_hint`` seconds (the official SDK's bound is 60 s).

Telnyx sends no idempotency support for register, so a register request whose outcome is unknown
is *not* retried here; ``simtools.workflows.registration`` reconciles it first.
"""

from __future__ import annotations

import email.utils
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TypeVar

from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception,
    stop_after_attempt,
    wait_exponential,
    wait_random,
)
from tenacity.stop import stop_base

from simtools.errors import (
    ApiError,
    InvalidInputError,
    RateLimitError,
    ServerError,
    TransportError,
)

__all__ = [
    "Deadline",
    "Pacer",
    "RetryPolicy",
    "backoff",
    "parse_retry_after",
    "poll",
    "sleep",
]

T = TypeVar("T")
RETRY_STATUSES = frozenset({408, 429})
#: The longest server hint (``Retry-After``) honoured as it is, as the official SDK does.
MAX_HINT = 60.0


def sleep(seconds: float) -> None:
    """Pause the calling thread (the one sleep of simtools' client side)."""
    if seconds > 0:
        time.sleep(seconds)


@dataclass(frozen=True)
class Deadline:
    """A moment on the monotonic clock after which a job stops waiting."""

    at: float

    @classmethod
    def after(cls, seconds: float) -> Deadline:
        return cls(time.monotonic() + seconds)

    def remaining(self) -> float:
        return max(0.0, self.at - time.monotonic())

    def allows(self, seconds: float) -> bool:
        """Whether a pause of ``seconds`` ends before the deadline."""
        return time.monotonic() + seconds <= self.at


def backoff(
    attempt: int, hint: float | None = None, *, first: float = 0.25, cap: float = 4.0
) -> float:
    """Seconds to pause before attempt ``attempt + 1``: the server's hint when it gave a usable
    one, else ``first`` doubled per attempt up to ``cap``."""
    if hint is not None and 0 < hint <= MAX_HINT:
        return float(hint)
    return float(min(first * 2**attempt, cap))


def poll(
    step: Callable[[], bool], deadline: Deadline, *, first: float = 0.1, cap: float = 2.0
) -> bool:
    """Pause, then call ``step`` (look again), until it returns True (settled) or the next pause
    would pass ``deadline``; pauses grow from ``first`` to ``cap``. The caller looks once before
    polling. Returns whether ``step`` said settled."""
    pause = first
    while deadline.allows(pause):
        sleep(pause)
        if step():
            return True
        pause = min(pause * 2, cap)
    return False


def parse_retry_after(headers: Mapping[str, str], now: float | None = None) -> float | None:
    """Seconds the server asks us to wait, from ``Retry-After`` or ``x-ratelimit-reset``."""
    lowered = {k.lower(): v for k, v in headers.items()}
    for name in ("retry-after-ms", "retry-after", "x-ratelimit-reset"):
        raw = lowered.get(name)
        if raw is None:
            continue
        raw = raw.strip()
        try:
            seconds = float(raw)
        except ValueError:
            if name != "retry-after":
                continue
            try:
                parsed = email.utils.parsedate_to_datetime(raw)
            except (TypeError, ValueError):  # neither seconds nor an HTTP date: ignore it
                continue
            seconds = parsed.timestamp() - (time.time() if now is None else now)
        else:
            if name == "retry-after-ms":
                seconds /= 1000.0
        return max(seconds, 0.0)
    return None


def is_retryable(exc: BaseException, *, write: bool = False) -> bool:
    """Whether ``exc`` is worth another attempt; for writes only when nothing reached the server."""
    if isinstance(exc, TransportError):
        return not write or not exc.request_sent
    if isinstance(exc, RateLimitError):
        return True  # a 429 means the request was not performed
    if write:
        return False
    if isinstance(exc, ServerError):
        return True
    return isinstance(exc, ApiError) and exc.status_code in RETRY_STATUSES


@dataclass(frozen=True)
class RetryPolicy:
    """How hard to try: at most ``attempts`` tries within ``deadline`` seconds for the whole call,
    the waits between them (a server's ``Retry-After`` too) included."""

    attempts: int = 6
    deadline: float = 120.0
    initial_wait: float = 0.5
    max_wait: float = 8.0
    max_hint: float = MAX_HINT

    def __post_init__(self) -> None:
        for name in ("deadline", "initial_wait", "max_wait", "max_hint"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
                raise InvalidInputError(
                    value, f"RetryPolicy {name} must be a positive number of seconds", "e.g. 30"
                )
        if (
            isinstance(self.attempts, bool)
            or not isinstance(self.attempts, int)
            or self.attempts < 1
        ):
            raise InvalidInputError(
                self.attempts, "RetryPolicy attempts must be a whole number of at least 1", "e.g. 6"
            )

    def call(self, fn: Callable[[Deadline], T], *, write: bool = False) -> T:
        """Call ``fn(deadline)`` until it succeeds or the policy gives up; the last error is
        re-raised. ``fn`` bounds its own attempt by what the deadline leaves; a wait that would
        pass the deadline is not taken (the last error is raised instead)."""
        deadline = Deadline.after(self.deadline)
        backoff = wait_exponential(multiplier=self.initial_wait, max=self.max_wait) + wait_random(
            0, self.initial_wait
        )

        def wait(state: RetryCallState) -> float:
            exc = state.outcome.exception() if state.outcome else None
            hint = getattr(exc, "retry_after", None)
            if isinstance(hint, float | int) and 0 < hint <= self.max_hint:
                return float(hint)
            return float(backoff(state))

        retrying = Retrying(
            retry=retry_if_exception(lambda e: is_retryable(e, write=write)),
            stop=stop_after_attempt(self.attempts) | _OutOfTime(deadline, wait),
            wait=wait,
            sleep=sleep,
            reraise=True,
        )
        return retrying(lambda: fn(deadline))


class _OutOfTime(stop_base):
    """Stop when the next wait would pass the call's deadline."""

    def __init__(self, deadline: Deadline, wait: Callable[[RetryCallState], float]) -> None:
        self._deadline = deadline
        self._wait = wait

    def __call__(self, retry_state: RetryCallState) -> bool:
        return not self._deadline.allows(self._wait(retry_state))


NO_RETRIES = RetryPolicy(attempts=1)


class Pacer:
    """Spaces request starts once the server has said 429, so bulk work stays under its limit.

    Idle until the first 429. Then each 429 doubles the gap between request starts (from the
    server's ``x-ratelimit-limit`` per second if it sent one), and each success shrinks it by 5%,
    so throughput settles just under the server's limit. Thread-safe.
    """

    def __init__(self, max_gap: float = 2.0) -> None:
        self._lock = threading.Lock()
        self._gap = 0.0
        self._next = 0.0
        self._max_gap = max_gap

    @property
    def gap(self) -> float:
        return self._gap

    def wait(self) -> None:
        with self._lock:
            if self._gap <= 0:
                return
            now = time.monotonic()
            start = max(now, self._next)
            self._next = start + self._gap
        sleep(start - now)

    def throttled(self, headers: Mapping[str, str]) -> None:
        lowered = {k.lower(): v for k, v in headers.items()}
        try:
            limit = float(lowered.get("x-ratelimit-limit", "0"))
        except ValueError:
            limit = 0.0
        floor = 1.0 / limit if limit > 0 else 0.02
        with self._lock:
            self._gap = min(max(self._gap * 2, floor), self._max_gap)

    def succeeded(self) -> None:
        with self._lock:
            if self._gap > 0:
                self._gap *= 0.95
                if self._gap < 0.001:
                    self._gap = 0.0
