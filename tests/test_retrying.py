"""The retry policy and the pacer: what is retried, how long to wait, and when to slow down."""

from __future__ import annotations

import email.utils
from typing import Any

import httpx
import pytest

from simtools.client import SimClient
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
        (_api(RateLimitError, 429), True, True),
        (_api(ServerError, 503), True, False),
        (_api(ApiError, 408), True, False),
        (_api(ApiError, 422), False, False),
        (_api(AuthenticationError, 401), False, False),
    ],
)
def test_what_is_retried(exc: Exception, read: bool, write: bool) -> None:
    """Reads retry transport errors, 408, 429 and 5xx; writes only what never reached the server."""
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


def test_pacer_is_idle_until_a_429_then_spaces_requests() -> None:
    """No gap before any 429; after one the gap follows the server's limit and then eases off."""
    pacer = Pacer()
    assert pacer.gap == 0
    pacer.throttled({"x-ratelimit-limit": "20"})
    assert pacer.gap == pytest.approx(1 / 20)
    pacer.throttled({"x-ratelimit-limit": "20"})
    assert pacer.gap == pytest.approx(2 / 20)
    for _ in range(10):
        pacer.succeeded()
    assert pacer.gap < 2 / 20


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
