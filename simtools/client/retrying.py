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
import math
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
        return exc.retryable and (not write or not exc.request_sent)
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
    """Spaces the request starts of one client by the server's rate-limit headers, so that 429s
    are rare. Shared by every request of the client, whatever thread or workflow sends it.

    Every answer's ``x-ratelimit-limit`` (requests per window), ``-reset`` (seconds until the
    window resets; the longest seen is taken as the window) and ``-remaining`` are read
    (:meth:`answered`). From the first answer that names a limit on, request starts are spaced
    ``window / limit`` apart, plus a margin of 5% for the time requests take to arrive
    (a server reporting a limit far above what it is asked, as the sandbox's nominal 10,000 a
    second, costs nothing). Until the first answer, at most :attr:`PROBES` requests are out (the
    others wait for it up to :attr:`PROBE_WAIT` seconds).

    A 429 holds every start until its ``Retry-After`` (or ``x-ratelimit-reset``) has passed. The
    429s of one burst share that hold: the wait is the server's, once, never multiplied by the
    number of requests that met it. A 429 outside a hold (the limit is shared with someone else)
    widens the spacing by a quarter, up to 4 times the limit's; successes ease it back. A
    server that sends no rate-limit headers is not paced until its first 429; then the gap
    starts at 20 ms and grows by a quarter per fresh 429, up to ``max_gap``. Thread-safe.
    """

    #: Requests sent before the first answer has told the server's limit; the others wait for
    #: that answer at most ``PROBE_WAIT`` seconds.
    PROBES = 2
    PROBE_WAIT = 0.5
    #: Share of the server's limit kept free for jitter in arrival times.
    MARGIN = 1.05

    def __init__(self, max_gap: float = 2.0) -> None:
        self._lock = threading.Condition()
        self._max_gap = max_gap
        self._base = 0.0  # window / limit from the headers, 0 while none were seen
        self._window = 0.0
        self._factor = 1.0  # widened by 429s outside a hold
        self._fallback = 0.0  # the gap when the server names no limit
        self._next = 0.0
        self._hold_until = 0.0
        self._answered = False
        self._out = 0
        self.limit: int | None = None
        self.remaining: int | None = None
        #: 429s met, and requests started, by this client.
        self.throttles = 0
        self.starts = 0

    @property
    def gap(self) -> float:
        """Seconds between request starts now (0: not paced)."""
        with self._lock:
            return self._gap()

    def _gap(self) -> float:
        base = self._base * self.MARGIN if self._base > 0 else self._fallback
        return min(base * self._factor, self._max_gap) if base > 0 else 0.0

    def has_budget(self, in_flight: int) -> bool:
        """Whether the server has room for more requests in flight: no 429 is being waited out,
        and the last answer's ``remaining`` (when sent) is above ``in_flight``."""
        with self._lock:
            if time.monotonic() < self._hold_until:
                return False
            return self.remaining is None or self.remaining > in_flight

    def wait(self) -> None:
        """Block until this request may start (its slot in the spacing, after any hold)."""
        with self._lock:
            until = time.monotonic() + self.PROBE_WAIT
            while not self._answered and self._out >= self.PROBES:
                left = until - time.monotonic()
                if left <= 0:
                    break  # a first answer that is slow to come holds no one up for long
                self._lock.wait(left)
            now = time.monotonic()
            gap = self._gap()
            start = max(now, self._hold_until, self._next)
            self._next = start + gap
            self._out += 1
            self.starts += 1
        sleep(start - now)

    def answered(self, status: int | None, headers: Mapping[str, str] | None) -> None:
        """Note the answer to a request that passed :meth:`wait` (``status`` None: none came)."""
        lowered = {k.lower(): v for k, v in (headers or {}).items()}
        limit = _header_number(lowered, "x-ratelimit-limit")
        reset = _header_number(lowered, "x-ratelimit-reset")
        remaining = _header_number(lowered, "x-ratelimit-remaining")
        now = time.monotonic()
        with self._lock:
            self._out = max(0, self._out - 1)
            if status is not None:
                self._answered = True
            self._lock.notify_all()
            if limit is not None and limit >= 1:
                self.limit = int(limit)
                self._window = max(self._window, reset or 1.0, 1.0)
                self._base = self._window / limit
            if remaining is not None:
                self.remaining = int(remaining)
            if status == 429:
                self._throttled(now, lowered)
            elif status is not None and 200 <= status < 300 and self._factor > 1.0:
                self._factor = max(1.0, self._factor * 0.99)

    def _throttled(self, now: float, lowered: Mapping[str, str]) -> None:
        self.throttles += 1
        fresh = now >= self._hold_until
        hint = parse_retry_after(lowered)
        if hint is None or hint > MAX_HINT:
            hint = max(self._gap(), 0.5)
        self._hold_until = max(self._hold_until, now + hint)
        if not fresh:
            return  # one burst, one wait
        if self._base > 0:
            self._factor = min(self._factor * 1.25, 4.0)
        else:
            self._fallback = min(max(self._fallback * 1.25, 0.02), self._max_gap)


def _header_number(lowered: Mapping[str, str], name: str) -> float | None:
    raw = lowered.get(name)
    if raw is None:
        return None
    try:
        value = float(raw.strip())
    except ValueError:
        return None
    return value if math.isfinite(value) and value >= 0 else None
