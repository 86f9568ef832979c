"""The client is bounded and checks its arguments: no answer makes it wait, read or page for ever,
and bad arguments are refused before any request is sent."""

from __future__ import annotations

import json
import math
import socket
import threading
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest

from simtools.client import SimClient
from simtools.client.retrying import RetryPolicy
from simtools.errors import (
    ApiError,
    InvalidInputError,
    RateLimitError,
    ResponseError,
    SimToolsDataWarning,
    TransportError,
)
from simtools.sandbox import Sandbox
from simtools.workflows.fleet import fleet_frame

BASE = "https://api.example.test/v2"
ONCE = RetryPolicy(attempts=1)


def mock_client(answer: Callable[[httpx.Request], httpx.Response], **options: Any) -> SimClient:
    return SimClient("KEY_TEST", base_url=BASE, transport=httpx.MockTransport(answer), **options)


class Counter:
    """A MockTransport handler answering with ``answer`` and counting the requests."""

    def __init__(self, answer: Callable[[httpx.Request], httpx.Response]) -> None:
        self.answer = answer
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return self.answer(request)


@contextmanager
def trickling_server(total_seconds: float) -> Iterator[tuple[str, threading.Event]]:
    """An HTTP server on 127.0.0.1 that answers 200 and then sends one byte of its body every
    0.2 s for ``total_seconds``; the event is set once it has sent everything."""
    listener = socket.create_server(("127.0.0.1", 0))
    finished = threading.Event()
    stop = threading.Event()

    def serve() -> None:
        conn, _ = listener.accept()
        with conn:
            conn.recv(65536)
            count = int(total_seconds / 0.2)
            head = (
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n"
                f"content-length: {count}\r\n\r\n"
            )
            try:
                conn.sendall(head.encode())
                for _ in range(count):
                    if stop.wait(0.2):
                        return
                    conn.sendall(b" ")
            except OSError:
                return
            finished.set()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}/v2", finished
    finally:
        stop.set()
        listener.close()
        thread.join(timeout=5)


def test_timeout_bounds_the_whole_request_not_each_read() -> None:
    """A server that keeps sending a byte at a time is given up on after ``timeout`` seconds for
    the whole exchange, while it is still sending."""
    with trickling_server(30.0) as (base_url, finished):
        with SimClient("KEY_TEST", base_url=base_url, timeout=1.0, retry=ONCE) as client:
            with pytest.raises(TransportError, match="no complete answer within 1 s"):
                client.list_sim_card_groups()
        assert not finished.is_set()


def test_a_persistent_429_ends_with_rate_limit_error_at_the_deadline() -> None:
    """Waits for Retry-After count against the call's deadline: a server that never lets up
    ends the call with RateLimitError after a few attempts, not after minutes."""
    limited = Counter(
        lambda r: httpx.Response(429, headers={"Retry-After": "0.3"}, json={"errors": []})
    )
    with mock_client(limited, retry=RetryPolicy(attempts=100, deadline=1.0)) as client:
        with pytest.raises(RateLimitError):
            client.list_sim_card_groups()
    assert 2 <= len(limited.requests) <= 5


def test_a_hint_longer_than_the_deadline_leaves_is_not_waited_for() -> None:
    """A Retry-After of 30 s with a 1 s deadline ends the call at once."""
    limited = Counter(
        lambda r: httpx.Response(429, headers={"Retry-After": "30"}, json={"errors": []})
    )
    with mock_client(limited, retry=RetryPolicy(deadline=1.0)) as client:
        with pytest.raises(RateLimitError):
            client.list_sim_card_groups()
    assert len(limited.requests) == 1


def test_an_answer_larger_than_the_limit_is_refused() -> None:
    """A body over max_body_bytes is a ResponseError, not a long read into memory."""
    big = b'{"data": [' + b'{"id": "x"},' * 200_000 + b'{"id": "y"}]}'
    with mock_client(lambda r: httpx.Response(200, content=big), max_body_bytes=1 << 20) as c:
        with pytest.raises(ResponseError, match="over 1,048,576 bytes"):
            c.get_sim_card_group("6a09cdc3-8948-47f0-aa62-74ac943d6c58")


def test_a_sandbox_on_this_machine_is_reached_without_the_environment_proxy(
    sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With HTTP_PROXY set, a loopback base URL is still reached directly: the key never goes
    to the proxy (which here would refuse every connection)."""
    closed = socket.create_server(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "all_proxy"):
        monkeypatch.setenv(name, f"http://127.0.0.1:{port}")
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    with SimClient(sandbox.api_key, base_url=sandbox.base_url) as client:
        assert client.list_sim_card_groups()


@pytest.mark.parametrize(
    "key", ["KEY\nSECRET", "KEY SECRET", "KEY\rSECRET", "KEY\x00SECRET", " KEYSECRET", "KEY\t"]
)
def test_a_key_with_whitespace_or_control_characters_is_refused_without_quoting_it(
    key: str,
) -> None:
    """Such a key would end up in a header or an error message: it is refused at construction,
    and the refusal does not carry it."""
    with pytest.raises(InvalidInputError, match="space, line break or other control") as info:
        SimClient(key, base_url=BASE)
    assert "SECRET" not in str(info.value)
    assert "SECRET" not in repr(info.value.value)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"base_url": 5}, "base_url must be a URL as text"),
        ({"retry": "x"}, "retry must be a RetryPolicy"),
        ({"timeout": 0}, "timeout must be a positive"),
        ({"timeout": math.nan}, "timeout must be a positive"),
        ({"timeout": math.inf}, "timeout must be a positive"),
        ({"timeout": True}, "timeout must be a positive"),
        ({"concurrency": 0}, "concurrency must be a positive"),
        ({"max_body_bytes": -1}, "max_body_bytes must be a positive"),
    ],
)
def test_client_options_are_checked(options: dict[str, Any], message: str) -> None:
    """Each option that cannot work is refused with what it must be."""
    with pytest.raises(InvalidInputError, match=message):
        SimClient("KEY_TEST", **{"base_url": BASE, **options})


def test_a_retry_policy_that_cannot_work_is_refused() -> None:
    """RetryPolicy(deadline=0) or attempts=0 is refused when it is made."""
    with pytest.raises(InvalidInputError, match="deadline must be a positive"):
        RetryPolicy(deadline=0)
    with pytest.raises(InvalidInputError, match="attempts must be a whole number"):
        RetryPolicy(attempts=0)


def never_called(request: httpx.Request) -> httpx.Response:
    raise AssertionError(f"no request should be sent, got {request.method} {request.url}")


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda c: fleet_frame(c, concurrency=-1, progress=False), "concurrency must be"),
        (lambda c: list(c.iter_sim_cards(page_size=0)), "page_size must be"),
        (lambda c: list(c.iter_sim_cards(page_size=251)), "over the API's maximum"),
        (lambda c: c.sim_card_params(sort=5), "sort 5 is not supported"),
        (lambda c: c.create_sim_card_group(5), "a group needs a name of text"),
        (lambda c: c.create_sim_card_group("  "), "a group needs a name of text"),
        (lambda c: c.create_sim_card_group("g", data_limit=(math.nan, "MB")), "data_limit"),
        (lambda c: c.create_sim_card_group("g", data_limit=(math.inf, "MB")), "data_limit"),
        (lambda c: c.create_sim_card_group("g", data_limit=(1e400, "MB")), "data_limit"),
        (lambda c: c.create_sim_card_group("g", data_limit=(10**400, "MB")), "data_limit"),
        (lambda c: c.create_sim_card_group("g", data_limit=(True, "MB")), "data_limit"),
        (lambda c: c.create_sim_card_group("g", data_limit=(5, "PB")), "data_limit"),
        (lambda c: c.usage_records("0001-01-01", "2026-01-01"), "start"),
        (lambda c: c.usage_records("2026-01-01", "9999-12-31"), "end"),
    ],
)
def test_bad_arguments_are_refused_before_anything_is_sent(
    call: Callable[[SimClient], Any], message: str
) -> None:
    """An argument that cannot work is an InvalidInputError naming it; no request goes out."""
    with mock_client(never_called) as client, pytest.raises(InvalidInputError, match=message):
        call(client)


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"[1, 2, 3]", "the body is a JSON list, not an object"),
        (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
        (b"<html><body>Bad gateway</body></html>", "invalid JSON"),
        (
            b'{"data": [{"id": "a"}], "meta": {"total_pages": "many"}}',
            "its 'meta' does not read",
        ),
        (b'{"data": [{"id": 5, "name": ["x"]}]}', "a SimCardGroup whose"),
    ],
)
def test_a_body_that_is_not_the_contract_is_a_response_error(content: bytes, reason: str) -> None:
    """A list, deeply nested JSON, HTML, a meta with words for numbers or fields of the wrong
    type are each a ResponseError saying what was wrong, never a bare traceback."""
    answer = lambda r: httpx.Response(200, content=content)  # noqa: E731
    with mock_client(answer) as client, pytest.raises(ResponseError, match=reason):
        client.list_sim_card_groups()


def test_a_server_claiming_a_million_empty_pages_is_not_paged_for_ever() -> None:
    """Pages past the data stop the listing at the first empty one, with a warning."""

    def answer(request: httpx.Request) -> httpx.Response:
        number = int(request.url.params["page[number]"])
        data = [{"id": "only"}] if number == 1 else []
        return httpx.Response(200, json={"data": data, "meta": {"total_pages": 1_000_000}})

    counted = Counter(answer)
    with mock_client(counted) as client, warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        groups = client.list_sim_card_groups()
    assert [g.id for g in groups] == ["only"]
    assert len(counted.requests) <= 1 + 2 * client.concurrency
    text = " ".join(str(w.message) for w in caught)
    assert "page 2 of 40,000 had no data" in text
    assert "claims 1,000,000 pages; reading the first 40,000" in text


def test_more_pages_than_the_results_fill_are_warned_about() -> None:
    """total_pages beyond what total_results fills is reported; the empty pages stop paging."""

    def answer(request: httpx.Request) -> httpx.Response:
        number = int(request.url.params["page[number]"])
        data = [{"id": f"g{number}"}] if number == 1 else []
        meta = {"total_pages": 500, "total_results": 1, "page_size": 250}
        return httpx.Response(200, json={"data": data, "meta": meta})

    with mock_client(answer) as client, warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        groups = client.list_sim_card_groups()
    assert len(groups) == 1
    text = " ".join(str(w.message) for w in caught)
    assert "claims 500 pages but its 1 results fill 1 pages" in text


def test_null_items_in_data_are_skipped_with_a_warning_by_every_reader(sandbox: Sandbox) -> None:
    """iter_sim_cards, list_sim_card_groups and fleet_frame alike skip a null item in data and
    say so, keeping every object of the page."""
    page = {"data": [{"id": "s1", "record_type": "sim_card"}, None], "meta": {"total_pages": 1}}

    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=page)

    with mock_client(answer) as client:
        with pytest.warns(SimToolsDataWarning, match="1 null item"):
            assert [s.id for s in client.iter_sim_cards()] == ["s1"]
        with pytest.warns(SimToolsDataWarning, match="1 null item"):
            assert len(client.list_sim_card_groups()) == 1
        with pytest.warns(SimToolsDataWarning, match="1 null item"):
            frame = fleet_frame(client, progress=False, group_names=False)
    assert frame["id"].tolist() == ["s1"]


def test_a_redirect_names_where_it_points() -> None:
    """A 301 is an ApiError whose message carries the Location (simtools does not follow it)."""
    answer = lambda r: httpx.Response(301, headers={"Location": "https://elsewhere.test/v2"})  # noqa: E731
    with mock_client(answer) as client, pytest.raises(ApiError) as info:
        client.list_sim_card_groups()
    assert "redirected to https://elsewhere.test/v2" in str(info.value)


def test_an_error_body_with_wrong_field_types_is_still_an_api_error() -> None:
    """A 422 whose errors have a list for a title is an ApiError with what could be read."""
    body = {"errors": [{"code": 10015, "title": ["x"], "detail": "bad"}]}
    answer = lambda r: httpx.Response(422, content=json.dumps(body).encode())  # noqa: E731
    with mock_client(answer) as client, pytest.raises(ApiError) as info:
        client.list_sim_card_groups()
    assert info.value.code == "10015"
    assert info.value.errors[0].detail == "bad"
