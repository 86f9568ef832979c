"""SimClient on the wire, shaped with httpx.MockTransport: requests sent, errors mapped."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pandas as pd
import pytest

from simtools.client import SimClient
from simtools.client.retrying import RetryPolicy
from simtools.errors import (
    ApiError,
    AuthenticationError,
    InvalidInputError,
    NotFoundError,
    RateLimitError,
    ResponseError,
    ServerError,
    SimToolsError,
    TransportError,
)

KEY = "fake-test-key-0123456789-never-leaked"  # a stand-in, not a real key
GROUP = "6a09cdc3-8948-47f0-aa62-74ac943d6c58"
EXAMPLE = Path(__file__).parent / "data" / "register-response.json"
FAST = RetryPolicy(attempts=3, deadline=5, initial_wait=0.001, max_wait=0.002)

Handler = Callable[[httpx.Request], httpx.Response]


class Recorder:
    """A MockTransport handler that answers from a list and remembers every request."""

    def __init__(self, *answers: httpx.Response | Exception | Handler) -> None:
        self.answers = list(answers)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if isinstance(answer, Exception):
            raise answer
        if callable(answer):
            return answer(request)
        return answer

    def client(self, **kwargs: Any) -> SimClient:
        kwargs.setdefault("retry", FAST)
        return SimClient(
            KEY,
            base_url="https://api.example.test/v2",
            transport=httpx.MockTransport(self),
            **kwargs,
        )


def errors_body(code: str, title: str, detail: str) -> dict[str, Any]:
    return {"errors": [{"code": code, "title": title, "detail": detail}]}


def test_register_sends_the_contract_request() -> None:
    """Register POSTs the codes, group, tags and status as JSON with the Bearer key."""
    rec = Recorder(httpx.Response(202, json={"data": [{"id": GROUP}], "errors": []}))
    with rec.client() as client:
        client.register(["1234567890"], sim_card_group_id=GROUP, tags=["a", "b"], status="standby")
    (request,) = rec.requests
    assert request.method == "POST"
    assert request.url.path == "/v2/actions/register/sim_cards"
    assert request.headers["authorization"] == f"Bearer {KEY}"
    assert request.headers["accept"] == "application/json"
    assert json.loads(request.content) == {
        "registration_codes": ["1234567890"],
        "sim_card_group_id": GROUP,
        "tags": ["a", "b"],
        "status": "standby",
    }


def test_register_example_response_is_a_success() -> None:
    """The docs' example body registers its one code and keeps the SIM and the error list."""
    body = json.loads(EXAMPLE.read_text())
    body["errors"] = []
    rec = Recorder(httpx.Response(202, json=body))
    with rec.client() as client:
        result = client.register("0000000001")
    assert result.registered == ["0000000001"]
    assert result.outcomes[0].sim_card is not None
    assert result.outcomes[0].sim_card.iccid == "89310410106543789301"


def test_partial_success_reports_each_code() -> None:
    """A 202 with errors pointing at codes is a partial success, not an exception."""
    sim = {"id": "11111111-1111-4111-8111-111111111111", "iccid": "8900000000000000001"}
    body = {
        "data": [sim],
        "errors": [
            {
                "code": "10015",
                "title": "Bad Request",
                "detail": "Registration code 2222222222 has already been used.",
                "source": {"pointer": "/registration_codes/1"},
            }
        ],
    }
    rec = Recorder(httpx.Response(202, json=body))
    with rec.client() as client:
        result = client.register(["1111111111", "2222222222"])
    assert [(o.registration_code, o.outcome) for o in result.outcomes] == [
        ("1111111111", "registered"),
        ("2222222222", "failed"),
    ]
    assert result.outcomes[0].sim_card is not None
    assert result.outcomes[0].sim_card.id == sim["id"]
    assert result.outcomes[1].error is not None
    assert result.outcomes[1].error.code == "10015"
    assert len(result.errors) == 1


def test_register_sends_codes_in_chunks() -> None:
    """Codes go out in requests of at most chunk_size codes, in order."""

    def answer(request: httpx.Request) -> httpx.Response:
        codes = json.loads(request.content)["registration_codes"]
        return httpx.Response(202, json={"data": [{"id": None}] * len(codes), "errors": []})

    rec = Recorder(answer)
    codes = [f"{n:010d}" for n in range(1, 8)]
    with rec.client(chunk_size=3) as client:
        result = client.register(codes)
    sent = [json.loads(r.content)["registration_codes"] for r in rec.requests]
    assert sent == [codes[0:3], codes[3:6], codes[6:7]]
    assert result.registered == codes


@pytest.mark.parametrize(
    ("status", "error_type"),
    [
        (400, ApiError),
        (401, AuthenticationError),
        (403, ApiError),
        (404, NotFoundError),
        (422, ApiError),
        (429, RateLimitError),
        (500, ServerError),
        (503, ServerError),
    ],
)
def test_error_statuses_map_to_the_error_tree(status: int, error_type: type[ApiError]) -> None:
    """Each error status raises its class, with Telnyx's code, title and detail in the message."""
    rec = Recorder(httpx.Response(status, json=errors_body("10009", "Some title", "Some detail")))
    with rec.client(retry=RetryPolicy(attempts=1)) as client, pytest.raises(error_type) as info:
        client.list_sim_card_groups()
    exc = info.value
    assert type(exc) is error_type
    assert exc.status_code == status
    assert exc.method == "GET"
    assert exc.url.endswith("/v2/sim_card_groups")
    assert exc.code == "10009"
    assert "[10009] Some title: Some detail" in str(exc)
    assert KEY not in str(exc)
    assert KEY not in repr(exc)


def test_html_error_page_is_a_typed_error() -> None:
    """An HTML 502 from a gateway raises ServerError quoting the page, not a JSON traceback."""
    page = "<html><body><h1>502 Bad Gateway</h1></body></html>"
    rec = Recorder(httpx.Response(502, text=page, headers={"content-type": "text/html"}))
    with rec.client(retry=RetryPolicy(attempts=1)) as client, pytest.raises(ServerError) as info:
        client.list_sim_card_groups()
    assert "HTML error page" in str(info.value)
    assert "502 Bad Gateway" in str(info.value)


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ("<html>maintenance</html>", "HTML instead of JSON"),
        ('{"data": [{"id": "x"', "invalid JSON"),
    ],
)
def test_non_json_success_body_is_a_response_error(body: str, reason: str) -> None:
    """A 200 whose body is HTML or truncated JSON raises ResponseError naming the endpoint."""
    ctype = "text/html" if body.startswith("<") else "application/json"
    rec = Recorder(httpx.Response(200, text=body, headers={"content-type": ctype}))
    with rec.client() as client, pytest.raises(ResponseError) as info:
        client.list_sim_card_groups()
    assert reason in str(info.value)
    assert "/v2/sim_card_groups" in str(info.value)


def test_missing_data_is_a_response_error() -> None:
    """A 200 without the promised data raises ResponseError rather than returning nothing."""
    rec = Recorder(httpx.Response(200, json={"meta": {}}))
    with rec.client() as client, pytest.raises(ResponseError, match="no 'data'"):
        client.get_sim_card(GROUP)


def test_reads_retry_429_and_5xx_then_succeed() -> None:
    """A read retries a 429 and a 503 and returns the third answer."""
    ok = httpx.Response(200, json={"data": [], "meta": {"page_number": 1, "total_pages": 0}})
    rec = Recorder(
        httpx.Response(429, json=errors_body("10011", "Too many requests", "slow down")),
        httpx.Response(503, json=errors_body("10007", "Unexpected error", "try again")),
        ok,
    )
    with rec.client() as client:
        assert client.list_sim_card_groups() == []
    assert len(rec.requests) == 3


def test_retries_are_bounded() -> None:
    """A server that keeps failing is tried `attempts` times, then the error is raised."""
    rec = Recorder(httpx.Response(500, json=errors_body("10007", "Unexpected error", "boom")))
    with rec.client() as client, pytest.raises(ServerError):
        client.list_sim_card_groups()
    assert len(rec.requests) == FAST.attempts


def test_connection_errors_become_transport_errors() -> None:
    """A refused connection raises TransportError (after retries), never an httpx exception."""
    rec = Recorder(httpx.ConnectError("connection refused"))
    with rec.client() as client, pytest.raises(TransportError) as info:
        client.list_sim_card_groups()
    assert info.value.request_sent is False
    assert len(rec.requests) == FAST.attempts


USED = {
    "data": [
        {
            "registration_code": "1111111111",
            "valid": False,
            "invalid_detail": "This code has already been used.",
        }
    ]
}
DEFAULT_GROUP = {"data": [{"id": GROUP, "name": "Default", "default": True}], "meta": {}}


def fleet_page(*created: str) -> httpx.Response:
    sims = [
        {"id": f"00000000-0000-4000-8000-00000000000{i}", "created_at": at}
        for i, at in enumerate(created)
    ]
    return httpx.Response(200, json={"data": sims, "meta": {"total_pages": 1}})


def just_now() -> str:
    return pd.Timestamp.now(tz="UTC").isoformat()


def test_dropped_register_is_reconciled_not_resent() -> None:
    """A register whose answer was lost is checked with validate, then with the fleet: a used
    code whose SIM joined the account since it was sent is registered, with that SIM."""
    rec = Recorder(
        httpx.RemoteProtocolError("peer closed connection"),
        httpx.Response(200, json=USED),
        httpx.Response(200, json=DEFAULT_GROUP),
        lambda r: fleet_page(just_now()),
    )
    with rec.client() as client:
        result = client.register(["1111111111"])
    paths = [r.url.path for r in rec.requests]
    assert paths == [
        "/v2/actions/register/sim_cards",
        "/v2/sim_cards/actions/validate_registration_codes",
        "/v2/sim_card_groups",
        "/v2/sim_cards",
    ]
    assert dict(rec.requests[-1].url.params)["filter[sim_card_group_id]"] == GROUP
    outcome = result.outcomes[0]
    assert (outcome.outcome, outcome.source) == ("registered", "reconciled")
    assert outcome.sim_card is not None
    assert outcome.sim_card.id == "00000000-0000-4000-8000-000000000000"


def test_a_used_code_without_a_new_sim_was_used_elsewhere() -> None:
    """Used, and no SIM card joined this account since it was sent: failed, not registered."""
    rec = Recorder(
        httpx.RemoteProtocolError("peer closed connection"),
        httpx.Response(200, json=USED),
        httpx.Response(200, json=DEFAULT_GROUP),
        lambda r: fleet_page("2020-01-01T00:00:00Z"),
    )
    with rec.client() as client:
        result = client.register(["1111111111"])
    assert result.outcomes[0].outcome == "failed"
    assert "no SIM card joined this account" in (result.outcomes[0].reason or "")


def test_a_used_code_with_more_new_sims_than_codes_stays_unknown() -> None:
    """Two new SIMs for one used code cannot be told apart: the outcome is unknown, not
    registered."""
    rec = Recorder(
        httpx.RemoteProtocolError("peer closed connection"),
        httpx.Response(200, json=USED),
        httpx.Response(200, json=DEFAULT_GROUP),
        lambda r: fleet_page(just_now(), just_now()),
    )
    with rec.client() as client:
        result = client.register(["1111111111"])
    assert result.outcomes[0].outcome == "unknown"
    assert "cannot be told" in (result.outcomes[0].reason or "")


def test_unknown_outcome_still_valid_code_is_sent_again() -> None:
    """After a 503 on register, a code the validate endpoint still calls valid is sent again."""
    validate = {
        "data": [{"registration_code": "1111111111", "valid": True, "invalid_detail": None}]
    }
    rec = Recorder(
        httpx.Response(503, json=errors_body("10007", "Unexpected error", "x")),
        httpx.Response(200, json=validate),
        httpx.Response(202, json={"data": [{"id": GROUP}], "errors": []}),
    )
    with rec.client() as client:
        result = client.register(["1111111111"])
    assert [r.url.path.rsplit("/", 1)[-1] for r in rec.requests] == [
        "sim_cards",
        "validate_registration_codes",
        "sim_cards",
    ]
    assert result.registered == ["1111111111"]


def test_wrong_key_on_first_chunk_raises() -> None:
    """A 401 before anything was registered raises AuthenticationError without the key."""
    rec = Recorder(
        httpx.Response(401, json=errors_body("10009", "Authentication failed", "bad key"))
    )
    with rec.client() as client, pytest.raises(AuthenticationError) as info:
        client.register(["1111111111"])
    assert KEY not in str(info.value)


@pytest.mark.parametrize(
    "base_url",
    ["http://api.telnyx.com/v2", "http://10.0.0.5:8080/v2", "ftp://127.0.0.1/v2", "not a url"],
)
def test_plain_http_is_refused_for_remote_hosts(base_url: str) -> None:
    """Only loopback hosts may be plain http; anything else is refused before any request."""
    with pytest.raises(InvalidInputError):
        SimClient(KEY, base_url=base_url)


@pytest.mark.parametrize(
    "base_url", ["http://127.0.0.1:8080/v2", "http://localhost/v2", "http://[::1]:9/v2"]
)
def test_plain_http_is_allowed_on_loopback(base_url: str) -> None:
    """A sandbox on this machine may be plain http."""
    with SimClient(KEY, base_url=base_url) as client:
        assert client.is_loopback


def test_key_never_in_repr_or_logs(caplog: pytest.LogCaptureFixture) -> None:
    """The key is absent from the client's repr and from every log record of a request."""
    rec = Recorder(
        httpx.Response(200, json={"data": [], "meta": {"page_number": 1, "total_pages": 1}})
    )
    caplog.set_level(logging.DEBUG)
    with rec.client() as client:
        client.list_sim_card_groups()
        assert KEY not in repr(client)
        assert KEY not in repr(client._http.auth)
    assert caplog.records  # httpx and httpcore did log the request
    assert all(KEY not in r.getMessage() for r in caplog.records)


def test_missing_key_is_a_clear_error() -> None:
    """No key: an InvalidInputError that says where a key comes from."""
    with pytest.raises(InvalidInputError, match="TELNYX_API_KEY"):
        SimClient(None)
    with pytest.raises(InvalidInputError, match="TELNYX_API_KEY"):
        SimClient.from_env({})


def test_from_env_reads_key_and_base_url() -> None:
    """from_env takes TELNYX_API_KEY and TELNYX_BASE_URL."""
    client = SimClient.from_env({"TELNYX_API_KEY": KEY, "TELNYX_BASE_URL": "http://127.0.0.1:9/v2"})
    assert client.base_url == "http://127.0.0.1:9/v2"
    client.close()


def test_list_filters_are_spelled_as_the_contract() -> None:
    """fleet filters go out as filter[...] bracket keys with comma-joined arrays, pages of 250."""
    page = {"data": [], "meta": {"page_number": 1, "total_pages": 0, "total_results": 0}}
    rec = Recorder(httpx.Response(200, json=page))
    with rec.client() as client:
        list(
            client.iter_sim_cards(
                status=["enabled", "standby"], tags=["a", "b"], sim_card_group_id=GROUP
            )
        )
    params = dict(rec.requests[0].url.params)
    assert params == {
        "filter[status]": "enabled,standby",
        "filter[tags]": "a,b",
        "filter[sim_card_group_id]": GROUP,
        "page[size]": "250",
        "page[number]": "1",
    }


def test_paging_follows_total_pages_and_dedupes_ids() -> None:
    """iter_sim_cards walks every page and yields each SIM id once."""

    def answer(request: httpx.Request) -> httpx.Response:
        number = int(request.url.params["page[number]"])
        ids = {1: ["a", "b"], 2: ["b", "c"], 3: ["d"]}[number]
        return httpx.Response(
            200,
            json={
                "data": [{"id": i} for i in ids],
                "meta": {"page_number": number, "total_pages": 3, "total_results": 5},
            },
        )

    rec = Recorder(answer)
    with rec.client() as client:
        ids = [sim.id for sim in client.iter_sim_cards(page_size=2)]
    assert ids == ["a", "b", "c", "d"]


@pytest.mark.parametrize(
    "kwargs",
    [
        {"status": "active"},
        {"status": ["enabled", 3]},
        {"sim_card_group_id": "not-a-uuid"},
        {"tags": "a,b"},
        {"tags": [1, 2]},
        {"tags": {"a": 1}},
    ],
)
def test_bad_filters_send_nothing(kwargs: dict[str, Any]) -> None:
    """An invalid filter is refused with InvalidInputError before any request."""
    rec = Recorder(httpx.Response(500))
    with rec.client() as client, pytest.raises(InvalidInputError):
        list(client.iter_sim_cards(**kwargs))
    assert rec.requests == []


def test_every_error_is_a_simtools_error() -> None:
    """The tree has one root."""
    for cls in (ApiError, TransportError, ResponseError, InvalidInputError):
        assert issubclass(cls, SimToolsError)


def test_a_closed_client_says_so_instead_of_a_runtime_error() -> None:
    """After close() a call is a TransportError that names the fix, sent nowhere."""
    sent: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(200, json={"data": []})

    client = SimClient(KEY, transport=httpx.MockTransport(handler))
    assert not client.closed
    client.close()
    assert client.closed
    with pytest.raises(TransportError, match="this client was closed") as caught:
        client.list_sim_card_groups()
    assert caught.value.request_sent is False
    assert caught.value.retryable is False  # not tried again: the call fails at once
    assert "simtools.connect()" in str(caught.value)
    assert sent == []
