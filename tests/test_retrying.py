"""The retry policy and the pacer: what is retried, how long to wait, and when to slow down."""

from __future__ import annotations

import email.utils
from typing import Any

import httpx
import pytest

from simtools.client import SimClient, retrying
from simtools.client.retrying import (
    Deadline,
    Pacer,
    RetryPolicy,
    is_retryable,
    parse_retry_after,
)
from simtools.errors import (
    ApiError,
    AuthenticationError,
    RateLimitError,
    ServerError,
    TransportError,
)


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"Retry-After": "2"}, 2.0),
        ({"retry-after": "0.5"}, 0.5),
        ({"retry-after-ms": "1500"}, 1.5),
        ({"x-ratelimit-reset": "3"}, 3.0),
        ({"Retry-After": "1", "x-ratelimit-reset": "9"}, 1.0),
        ({"Retry-After": "soon"}, None),
        ({}, None),
    ],
)
def test_retry_after_hints(headers: dict[str, str], expected: float | None) -> None:
    """Retry-After (seconds or ms) wins over x-ratelimit-reset; nonsense is ignored."""
    assert parse_retry_after(headers) == expected


def test_retry_after_as_http_date() -> None:
    """An HTTP-date Retry-After becomes the seconds until that date."""
    when = email.utils.formatdate(1_000_010, usegmt=True)
    assert parse_retry_after({"Retry-After": when}, now=1_000_000) == pytest.approx(10)


def _api(cls: type[ApiError], status: int) -> ApiError:
    return cls(status, "GET", "https://x.test/v2/sim_cards")


@pytest.mark.parametrize(
    ("exc", "read", "write"),
    [
        (TransportError("POST", "u", "refused", request_sent=False), True, True),
        (TransportError("POST", "u", "dropped", request_sent=True), True, False),
        (TransportError("GET", "u", "closed", request_sent=False, retryable=False), False, False),
        (_api(RateLimitError, 429), True, True),
        (_api(ServerError, 503), True, False),
        (_api(ApiError, 408), True, False),
        (_api(ApiError, 422), False, False),
        (_api(AuthenticationError, 401), False, False),
    ],
)
def test_what_is_retried(exc: Exception, read: bool, write: bool) -> None:
    """Reads retry transport errors (but a closed client's or a spent deadline's), 408, 429 and
    5xx; writes only what never reached the server."""
    assert is_retryable(exc) is read
    assert is_retryable(exc, write=True) is write


def test_policy_waits_as_the_server_says(monkeypatch: pytest.MonkeyPatch) -> None:
    """A 429 with Retry-After sleeps exactly that long before the next attempt."""
    slept: list[float] = []
    monkeypatch.setattr("time.sleep", slept.append)
    calls = iter([RateLimitError(429, "GET", "u", retry_after=1.25), "ok"])

    def attempt(deadline: Deadline) -> Any:
        value = next(calls)
        if isinstance(value, Exception):
            raise value
        return value

    assert RetryPolicy().call(attempt) == "ok"
    assert slept == [1.25]


def test_policy_ignores_absurd_hints(monkeypatch: pytest.MonkeyPatch) -> None:
    """A Retry-After beyond max_hint falls back to the bounded exponential backoff."""
    slept: list[float] = []
    monkeypatch.setattr("time.sleep", slept.append)
    policy = RetryPolicy(attempts=2, initial_wait=0.5, max_wait=8)
    calls = iter([RateLimitError(429, "GET", "u", retry_after=3600), "ok"])

    def attempt(deadline: Deadline) -> Any:
        value = next(calls)
        if isinstance(value, Exception):
            raise value
        return value

    assert policy.call(attempt) == "ok"
    assert len(slept) == 1
    assert 0 < slept[0] <= 8


def test_pacer_is_idle_until_the_headers_name_a_limit_then_spaces_by_it() -> None:
    """No gap before any limit is known; then window / limit, with a 5% margin."""
    pacer = Pacer()
    assert pacer.gap == 0
    pacer.wait()
    pacer.answered(200, {"x-ratelimit-limit": "20", "x-ratelimit-remaining": "19"})
    assert pacer.gap == pytest.approx(1.05 / 20)
    assert (pacer.limit, pacer.remaining) == (20, 19)
    pacer.wait()
    pacer.answered(200, {"x-ratelimit-limit": "120", "x-ratelimit-reset": "60"})
    assert pacer.gap == pytest.approx(1.05 * 60 / 120)


def test_a_burst_of_429s_holds_once_and_never_multiplies_the_wait(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Sixteen 429s of one burst: one hold of the server's Retry-After, then the next sixteen
    starts are spaced by the limit's gap, not by a gap doubled sixteen times."""
    slept: list[float] = []
    monkeypatch.setattr(retrying, "sleep", slept.append)
    pacer = Pacer()
    headers = {"x-ratelimit-limit": "10", "x-ratelimit-reset": "1", "retry-after": "1"}
    pacer.wait()
    pacer.answered(200, {})  # a first answer, without a limit: sixteen go out at once
    for _ in range(16):
        pacer.wait()
    for _ in range(16):
        pacer.answered(429, headers)
    assert pacer.throttles == 16
    assert pacer.gap == pytest.approx(1.25 * 1.05 / 10)  # widened once, for the one burst
    slept.clear()
    for _ in range(16):
        pacer.wait()
    assert 0.9 < slept[0] <= 1.0  # the server's Retry-After, honoured
    assert slept == sorted(slept)  # one start after another, in order
    assert max(slept) < 1.0 + 16 * pacer.gap  # the hold once, then the spacing


def test_a_server_without_rate_limit_headers_is_paced_only_after_a_429() -> None:
    pacer = Pacer()
    pacer.wait()
    pacer.answered(200, {})
    assert pacer.gap == 0
    pacer.wait()
    pacer.answered(429, {"retry-after": "0.01"})
    assert pacer.gap == pytest.approx(0.02)


def test_client_paces_after_a_429() -> None:
    """A client that saw a 429 spaces its next requests; its pacer is no longer idle."""
    answers = iter(
        [
            httpx.Response(
                429, headers={"x-ratelimit-limit": "10", "retry-after": "0.01"}, json={}
            ),
            httpx.Response(200, json={"data": [], "meta": {"page_number": 1, "total_pages": 1}}),
        ]
    )
    client = SimClient(
        "k", base_url="https://x.test/v2", transport=httpx.MockTransport(lambda r: next(answers))
    )
    with client:
        assert client.list_sim_card_groups() == []
        assert client.pacer.gap > 0
