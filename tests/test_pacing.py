"""Pacing and overlapped paging over HTTP: the pacer follows the sandbox's rate-limit headers, is
shared by every request of a client, and paging with many requests in flight keeps page order."""

from __future__ import annotations

import random
import threading
import time
from typing import Any

import httpx
import pytest

from simtools.client import SimClient
from simtools.client.paging import START_IN_FLIGHT, InFlight
from simtools.client.retrying import Pacer
from simtools.workflows.fleet import fleet_frame


class Counting(httpx.HTTPTransport):
    """A real HTTP transport that counts what it sends and the 429s it gets back."""

    def __init__(self) -> None:
        super().__init__()
        self.lock = threading.Lock()
        self.statuses: list[int] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = super().handle_request(request)
        with self.lock:
            self.statuses.append(response.status_code)
        return response

    @property
    def throttled(self) -> int:
        return self.statuses.count(429)


@pytest.mark.slow
def test_sixteen_in_flight_under_a_limit_of_ten_a_second_meet_at_most_a_handful_of_429s(
    make_sandbox: Any,
) -> None:
    """24 pages and the group names with up to 16 requests in flight against a server allowing
    10 a second: every SIM once, the pacer's gap set from the headers, hardly any 429."""
    with make_sandbox(fleet_size=6000, seed=2, rate_limit=10) as sb:
        transport = Counting()
        with SimClient(
            sb.api_key, base_url=sb.base_url, transport=transport, concurrency=16
        ) as client:
            fleet = fleet_frame(client, progress=False)
            assert client.pacer.limit == 10
            assert client.pacer.gap >= 1 / 10
            assert client.pacer.starts == len(transport.statuses)
    assert len(fleet) == 6000
    assert fleet["id"].is_unique
    assert len(transport.statuses) == 25 + transport.throttled
    assert transport.throttled <= 3, transport.statuses


@pytest.mark.slow
def test_concurrent_workflows_on_one_client_share_its_pacer(make_sandbox: Any) -> None:
    """Two listings on two threads of one client under 10 requests a second: every request
    of both passes the one pacer, both listings are whole, and hardly any 429 is met."""
    with make_sandbox(fleet_size=3000, seed=4, rate_limit=10) as sb:
        transport = Counting()
        with SimClient(
            sb.api_key, base_url=sb.base_url, transport=transport, concurrency=8
        ) as client:
            frames: dict[str, Any] = {}

            def listing(name: str) -> None:
                frames[name] = fleet_frame(client, progress=False, group_names=False)

            threads = [threading.Thread(target=listing, args=(n,)) for n in ("a", "b")]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=120)
            assert client.pacer.starts == len(transport.statuses)
            assert client.pacer.throttles == transport.throttled
    assert len(frames["a"]) == len(frames["b"]) == 3000
    assert list(frames["a"]["id"]) == list(frames["b"]["id"])
    assert len(transport.statuses) == 24 + transport.throttled
    assert transport.throttled <= 3, transport.statuses


def test_overlapped_pages_arrive_out_of_order_and_are_yielded_once_in_order() -> None:
    """Pages answered after random delays (later pages often first) come out in page order,
    each asked for and yielded once."""
    rng = random.Random(7)
    delays = {n: rng.uniform(0.0, 0.03) for n in range(1, 61)}
    asked: list[int] = []
    lock = threading.Lock()

    def answer(request: httpx.Request) -> httpx.Response:
        number = int(request.url.params["page[number]"])
        with lock:
            asked.append(number)
        time.sleep(delays[number])
        data = [{"id": f"{number}-{i}"} for i in range(3)]
        return httpx.Response(
            200,
            json={"data": data, "meta": {"total_pages": 60, "total_results": 180, "page_size": 3}},
        )

    with SimClient(
        "k", base_url="https://x.test/v2", transport=httpx.MockTransport(answer), concurrency=12
    ) as client:
        ids = [g.id for g in client.list_sim_card_groups()]
    assert ids == [f"{n}-{i}" for n in range(1, 61) for i in range(3)]
    assert sorted(asked) == list(range(1, 61))  # each page asked for once


def test_in_flight_grows_while_the_reader_waits_and_halves_on_429s() -> None:
    pacer = Pacer()
    in_flight = InFlight(pacer, ceiling=16)
    assert in_flight.current() == START_IN_FLIGHT
    for _ in range(20):
        in_flight.reader_waits(in_flight.current())
    assert in_flight.current() == 16
    pacer.wait()
    pacer.answered(429, {"retry-after": "0.01"})
    assert in_flight.current() == 8
    in_flight.reader_waits(8)  # no growth while a 429 is being waited out
    assert in_flight.current() == 8


def test_in_flight_does_not_grow_past_the_servers_remaining_budget() -> None:
    pacer = Pacer()
    pacer.wait()
    pacer.answered(200, {"x-ratelimit-limit": "10", "x-ratelimit-remaining": "3"})
    in_flight = InFlight(pacer, ceiling=16)
    for _ in range(5):
        in_flight.reader_waits(in_flight.current())
    assert in_flight.current() == START_IN_FLIGHT
