"""Faults on demand (rate limit, server errors, dropped connections) and the sandbox handle."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

import httpx
import pytest

from simtools.errors import InvalidInputError
from simtools.sandbox import Sandbox, serve
from simtools.sandbox.faults import NOMINAL_RATE_LIMIT

MakeSandbox = Callable[..., AbstractContextManager[Sandbox]]
TOO_MANY = {
    "errors": [
        {
            "code": "10011",
            "title": "Too many requests",
            "detail": "You have exceeded the maximum number of allowed requests.",
        }
    ]
}


def client(sb: Sandbox) -> httpx.Client:
    headers = {"Authorization": f"Bearer {sb.api_key}"}
    return httpx.Client(base_url=sb.base_url, headers=headers, timeout=30)


def without_meta(body: dict[str, Any]) -> dict[str, Any]:
    return {"errors": [{k: v for k, v in e.items() if k != "meta"} for e in body["errors"]]}


def test_rate_limit_answers_429_with_headers(make_sandbox: MakeSandbox) -> None:
    """Past the limit: 429, Telnyx's body and Retry-After; x-ratelimit-* on every answer."""
    with make_sandbox(fleet_size=20, rate_limit=3) as sb, client(sb) as api:
        responses = [api.get("/sim_card_groups") for _ in range(30)]
    first = responses[0]
    assert first.status_code == 200
    assert first.headers["x-ratelimit-limit"] == "3"
    assert first.headers["x-ratelimit-remaining"] == "2"
    assert int(first.headers["x-ratelimit-reset"]) >= 1
    refused = [r for r in responses if r.status_code == 429]
    assert refused
    for response in refused:
        assert without_meta(response.json()) == TOO_MANY
        assert response.headers["x-ratelimit-remaining"] == "0"
        assert float(response.headers["retry-after"]) >= 1
    assert {r.status_code for r in responses} == {200, 429}


def test_rate_limit_headers_come_without_a_limit_too(make_sandbox: MakeSandbox) -> None:
    """With no limit set, every API answer (200, 401, 404, 405) still carries x-ratelimit-*: the
    sandbox's nominal window, counted down and never refusing."""
    with make_sandbox(fleet_size=5) as sb, client(sb) as api:
        answers = [api.get("/sim_card_groups") for _ in range(3)]
        answers += [
            httpx.get(sb.base_url + "/sim_cards"),
            api.get("/nowhere"),
            api.put("/sim_cards"),
        ]
    assert [r.status_code for r in answers] == [200, 200, 200, 401, 404, 405]
    for response in answers:
        assert response.headers["x-ratelimit-limit"] == str(NOMINAL_RATE_LIMIT)
        assert 0 <= int(response.headers["x-ratelimit-remaining"]) < NOMINAL_RATE_LIMIT
        assert int(response.headers["x-ratelimit-reset"]) >= 1
        assert "retry-after" not in response.headers
    remaining = [int(r.headers["x-ratelimit-remaining"]) for r in answers[:3]]
    if len({r.headers["x-ratelimit-reset"] for r in answers[:3]}) == 1:
        assert remaining == sorted(remaining, reverse=True)


def test_faults_leave_non_api_routes_alone(make_sandbox: MakeSandbox) -> None:
    """The health route sees no rate limit and no injected errors."""
    with make_sandbox(fleet_size=5, rate_limit=1, error_rate=1.0) as sb:
        responses = [httpx.get(sb.url + "/health") for _ in range(5)]
    assert {r.status_code for r in responses} == {200}
    assert all("x-ratelimit-limit" not in r.headers for r in responses)


def test_error_rate_gives_about_that_share_of_5xx(make_sandbox: MakeSandbox) -> None:
    """error_rate=0.3 fails about 30 % of 200 requests with 500 or 503 and a Telnyx body."""
    with make_sandbox(fleet_size=5, error_rate=0.3) as sb, client(sb) as api:
        responses = [api.get("/sim_card_groups") for _ in range(200)]
    statuses = Counter(r.status_code for r in responses)
    assert set(statuses) == {200, 500, 503}
    assert 35 <= statuses[500] + statuses[503] <= 85
    for response in responses:
        if response.status_code >= 500:
            assert response.json()["errors"][0]["code"] == "10007"


def test_faults_are_reproducible_from_the_seed(make_sandbox: MakeSandbox) -> None:
    """The same seed and error rate fail the same requests in the same order."""
    runs = []
    for _ in range(2):
        with make_sandbox(fleet_size=5, seed=4, error_rate=0.5) as sb, client(sb) as api:
            runs.append([api.get("/sim_card_groups").status_code for _ in range(40)])
    assert runs[0] == runs[1]
    assert len(set(runs[0])) > 1


def test_injected_error_does_not_perform_the_request(make_sandbox: MakeSandbox) -> None:
    """A register answered with an injected 5xx registers nothing."""
    with make_sandbox(fleet_size=5, error_rate=1.0) as sb, client(sb) as api:
        codes = sb.available_codes(2)
        response = api.post("/actions/register/sim_cards", json={"registration_codes": codes})
        assert response.status_code >= 500
        assert [sb.registrations(c) for c in codes] == [0, 0]


def test_drop_performs_the_request_then_breaks_the_answer(make_sandbox: MakeSandbox) -> None:
    """drop_rate=1 carries a register out, then the client sees a transport error."""
    with make_sandbox(fleet_size=5) as sb, client(sb) as api:
        codes = sb.available_codes(2)
        sb.faults.drop_rate = 1.0
        with pytest.raises(httpx.RemoteProtocolError):
            api.post("/actions/register/sim_cards", json={"registration_codes": codes})
        sb.faults.drop_rate = 0.0
        assert [sb.registrations(c) for c in codes] == [1, 1]
        check = api.post(
            "/sim_cards/actions/validate_registration_codes", json={"registration_codes": codes}
        )
        assert [d["invalid_detail"] for d in check.json()["data"]] == [
            "This code has already been used."
        ] * 2


def test_latency_setting_still_answers(make_sandbox: MakeSandbox) -> None:
    """With latency configured, requests are still answered in full."""
    with make_sandbox(fleet_size=5, latency=0.05) as sb, client(sb) as api:
        assert api.get("/sim_card_groups").status_code == 200
        assert sb.faults.latency == 0.05


@pytest.mark.parametrize(
    ("setting", "value"),
    [
        ("error_rate", 1.5),
        ("drop_rate", -0.1),
        ("latency", -1),
        ("rate_limit", 0),
        ("rate_limit", 2.5),
    ],
)
def test_bad_fault_settings_are_refused(sandbox: Sandbox, setting: str, value: float) -> None:
    """A fault setting out of range raises InvalidInputError naming it, and keeps the old value."""
    before = getattr(sandbox.faults, setting)
    with pytest.raises(InvalidInputError, match=setting):
        setattr(sandbox.faults, setting, value)
    assert getattr(sandbox.faults, setting) == before


@pytest.mark.parametrize(
    "kwargs",
    [{"fleet_size": -1}, {"action_delay": -1.0}, {"api_key": "has space"}, {"error_rate": 2}],
)
def test_bad_serve_arguments_are_refused(kwargs: dict[str, Any]) -> None:
    """serve() refuses bad arguments with InvalidInputError before starting anything."""
    with pytest.raises(InvalidInputError), serve(**kwargs):
        pass


# -- the handle -----------------------------------------------------------------------------------


def test_handle_hides_the_key(sandbox: Sandbox) -> None:
    """repr and str of the handle and of its faults never show the API key."""
    assert sandbox.api_key.startswith("KEY")
    for text in (repr(sandbox), str(sandbox), repr(sandbox.faults), repr(sandbox.state)):
        assert sandbox.api_key not in text
    assert sandbox.base_url in repr(sandbox)


def test_accept_any_key_takes_any_bearer_key(make_sandbox: MakeSandbox) -> None:
    """accept_any_key=True lets any non-empty Bearer key in; no key, an empty one or another
    scheme still get the 401."""
    with make_sandbox(fleet_size=5, accept_any_key=True) as sb:
        url = sb.base_url + "/sim_card_groups"
        for key in ("My API Key", "KEYanything", sb.api_key):
            assert httpx.get(url, headers={"Authorization": f"Bearer {key}"}).status_code == 200
        for header in ({}, {"Authorization": "Bearer"}, {"Authorization": "Basic abc"}):
            assert httpx.get(url, headers=header).status_code == 401
        assert sb.accept_any_key is True


def test_available_codes_are_handed_out_once(sandbox: Sandbox) -> None:
    """Codes from available_codes never repeat across calls and are all unregistered."""
    first, second = sandbox.available_codes(5), sandbox.available_codes(5)
    assert len(set(first + second)) == 10
    assert all(sandbox.state.codes.problem(code) is None for code in first + second)
    assert all(sandbox.state.codes.problem(code) == "used" for code in sandbox.used_codes(3))


def test_request_log_records_method_and_path(make_sandbox: MakeSandbox) -> None:
    """The request log lists each request's method and path in order, query aside."""
    with make_sandbox(fleet_size=5) as sb, client(sb) as api:
        api.get("/sim_cards", params={"page[size]": 2})
        api.post("/sim_cards/actions/validate_registration_codes", json={"registration_codes": []})
        assert sb.request_log == [
            ("GET", "/v2/sim_cards"),
            ("POST", "/v2/sim_cards/actions/validate_registration_codes"),
        ]
        assert sb.requests()[0].query == "page%5Bsize%5D=2"


def test_a_closed_sandbox_refuses_connections(make_sandbox: MakeSandbox) -> None:
    """After the with-block the server is stopped and its port refuses connections."""
    with make_sandbox(fleet_size=5) as sb:
        url = sb.url + "/health"
        assert httpx.get(url).status_code == 200
    assert not sb.running
    with pytest.raises(httpx.ConnectError):
        httpx.get(url)


def test_port_in_use_is_a_clear_error(sandbox: Sandbox) -> None:
    """Asking for a port that is taken raises InvalidInputError naming the port."""
    with pytest.raises(InvalidInputError, match=str(sandbox.port)), serve(sandbox.port):
        pass
