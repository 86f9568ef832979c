"""The sandbox's HTTP API, spoken to over real HTTP: registration, listing, SIM changes, actions."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from email.utils import parsedate_to_datetime
from typing import Any

import httpx
import pytest

from simtools.sandbox import Sandbox, serve
from simtools.sandbox.records import to_mb


@pytest.fixture(scope="module")
def sb() -> Iterator[Sandbox]:
    """A private sandbox for this module, so its changes never reach other tests."""
    with serve(fleet_size=300, seed=7) as sandbox:
        yield sandbox


@pytest.fixture(scope="module")
def api(sb: Sandbox) -> Iterator[httpx.Client]:
    headers = {"Authorization": f"Bearer {sb.api_key}"}
    with httpx.Client(base_url=sb.base_url, headers=headers, timeout=30) as client:
        yield client


def only_error(response: httpx.Response) -> dict[str, Any]:
    body = response.json()
    assert set(body) == {"errors"}
    (error,) = body["errors"]
    assert isinstance(error, dict)
    return error


def all_pages(api: httpx.Client, path: str, **params: Any) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    number = 1
    while True:
        body = api.get(path, params={**params, "page[number]": number}).json()
        items += body["data"]
        if number >= body["meta"]["total_pages"]:
            return items
        number += 1


def test_date_headers_follow_the_sandbox_clock_as_created_at_does() -> None:
    """One API, one clock: after the clock is moved an hour on, every answer (a 401 too) is
    dated an hour on, and a SIM registered then is created within a second of its answer's
    Date."""
    with (
        serve(fleet_size=5, seed=3, code_pool=2) as sandbox,
        httpx.Client(base_url=sandbox.base_url, timeout=30) as plain,
    ):
        auth = {"Authorization": f"Bearer {sandbox.api_key}"}
        before = parsedate_to_datetime(plain.get("/sim_cards", headers=auth).headers["date"])
        sandbox.advance(3600)
        refused = parsedate_to_datetime(plain.get("/sim_cards").headers["date"])
        assert 3590 <= (refused - before).total_seconds() <= 3660
        answer = plain.post(
            "/actions/register/sim_cards",
            headers=auth,
            json={"registration_codes": sandbox.available_codes(1)},
        )
        dated = parsedate_to_datetime(answer.headers["date"])
        (sim,) = answer.json()["data"]
        created = dt.datetime.fromisoformat(sim["created_at"].replace("Z", "+00:00"))
        assert abs((created - dated).total_seconds()) <= 1.5
        assert len(answer.headers.get_list("date")) == 1


# -- registration ---------------------------------------------------------------------------------


def test_register_returns_sims_in_submission_order(sb: Sandbox, api: httpx.Client) -> None:
    """Valid codes become SIMs, returned in the order the codes were submitted."""
    codes = sb.available_codes(4)
    response = api.post("/actions/register/sim_cards", json={"registration_codes": codes})
    assert response.status_code == 202
    body = response.json()
    assert body["errors"] == []
    assert [sim["id"] for sim in body["data"]] == [sb.state.sims_for_code(c)[0].id for c in codes]
    assert all(sb.registrations(code) == 1 for code in codes)


def test_register_failures_point_at_their_index(sb: Sandbox, api: httpx.Client) -> None:
    """Used, unknown and malformed codes fail in errors at their index; valid ones register."""
    (fresh,) = sb.available_codes(1)
    (used,) = sb.used_codes(1)
    codes = [used, fresh, "0000000000", "12ab", fresh]
    body = api.post("/actions/register/sim_cards", json={"registration_codes": codes}).json()
    assert len(body["data"]) == 1
    pointers = {e["source"]["pointer"]: e for e in body["errors"]}
    assert set(pointers) == {f"/registration_codes/{i}" for i in (0, 2, 3, 4)}
    for index in (0, 2, 3, 4):
        error = pointers[f"/registration_codes/{index}"]
        assert error["code"] == "10015"
        assert codes[index] in error["detail"]
    assert "already been used" in pointers["/registration_codes/0"]["detail"]
    assert "already been used" in pointers["/registration_codes/4"]["detail"]
    assert "not valid" in pointers["/registration_codes/2"]["detail"]
    assert "malformed" in pointers["/registration_codes/3"]["detail"]
    assert sb.registrations(fresh) == 1
    assert len(sb.state.sims_for_code(used)) == 1


def test_register_applies_group_status_and_tags(sb: Sandbox, api: httpx.Client) -> None:
    """A registration into a group, with a status and tags, settles to that status."""
    group = next(g for g in sb.state.groups.values() if not g.default)
    codes = sb.available_codes(2)
    payload = {
        "registration_codes": codes,
        "sim_card_group_id": group.id,
        "status": "standby",
        "tags": ["batch-7", "eu"],
    }
    data = api.post("/actions/register/sim_cards", json=payload).json()["data"]
    assert {sim["status"]["value"] for sim in data} == {"registering"}
    sb.advance()
    for sim in data:
        now = api.get(f"/sim_cards/{sim['id']}").json()["data"]
        assert now["status"]["value"] == "standby"
        assert now["sim_card_group_id"] == group.id
        assert now["tags"] == ["batch-7", "eu"]


def test_register_without_group_uses_the_default_group(sb: Sandbox, api: httpx.Client) -> None:
    """With no sim_card_group_id the SIM lands in the account's default group."""
    data = api.post(
        "/actions/register/sim_cards", json={"registration_codes": sb.available_codes(1)}
    ).json()["data"]
    assert data[0]["sim_card_group_id"] == sb.state.default_group_id


@pytest.mark.parametrize(
    ("payload", "pointer"),
    [
        ({}, "/registration_codes"),
        ({"registration_codes": "1234567890"}, "/registration_codes"),
        ({"registration_codes": []}, "/registration_codes"),
        ({"registration_codes": [1234567890]}, "/registration_codes/0"),
        ({"registration_codes": ["1234567890"], "status": "on"}, "/status"),
        ({"registration_codes": ["1234567890"], "sim_card_group_id": "g1"}, "/sim_card_group_id"),
        (
            {
                "registration_codes": ["1234567890"],
                "sim_card_group_id": "5b1d5c9e-8d1b-4d52-9f55-5c8f0d1b0a11",
            },
            "/sim_card_group_id",
        ),
        ({"registration_codes": ["1234567890"], "tags": "eu"}, "/tags"),
    ],
)
def test_malformed_register_body_is_a_422(
    api: httpx.Client, payload: dict[str, Any], pointer: str
) -> None:
    """A body that breaks the schema or names no real group is a 422 pointing at the field."""
    response = api.post("/actions/register/sim_cards", json=payload)
    assert response.status_code == 422
    assert only_error(response)["source"]["pointer"] == pointer


def test_register_body_that_is_not_json_is_a_422(api: httpx.Client) -> None:
    """A body that is not JSON is a 422 with an errors body."""
    response = api.post(
        "/actions/register/sim_cards",
        content=b"codes=1",
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 422
    assert only_error(response)["code"] == "10015"


def test_validate_reports_one_entry_per_code(sb: Sandbox, api: httpx.Client) -> None:
    """Validation answers each code in order: valid, already used, unknown, malformed."""
    (fresh,) = sb.available_codes(1)
    (used,) = sb.used_codes(1)
    codes = [fresh, used, "0000000000", "abc"]
    response = api.post(
        "/sim_cards/actions/validate_registration_codes", json={"registration_codes": codes}
    )
    assert response.status_code == 200
    data = response.json()["data"]
    assert [d["registration_code"] for d in data] == codes
    assert [d["valid"] for d in data] == [True, False, False, False]
    assert data[0]["invalid_detail"] is None
    assert data[1]["invalid_detail"] == "This code has already been used."
    assert {d["record_type"] for d in data} == {"sim_card_registration_code_validation"}
    assert sb.registrations(fresh) == 0


def test_validate_without_codes_is_an_empty_answer(api: httpx.Client) -> None:
    """Validation takes a body without registration_codes (the SDK types it optional) and an
    empty body, and answers an empty list."""
    path = "/sim_cards/actions/validate_registration_codes"
    for response in (api.post(path, json={}), api.post(path)):
        assert response.status_code == 200
        assert response.json() == {"data": []}


# -- listing --------------------------------------------------------------------------------------


def test_list_pages_carry_meta_and_end_empty(sb: Sandbox, api: httpx.Client) -> None:
    """Pages default to 20, every page has meta, and a page past the end is empty with meta."""
    first = api.get("/sim_cards").json()
    total = len(sb.state.sims)
    assert len(first["data"]) == 20
    assert first["meta"] == {
        "page_number": 1,
        "page_size": 20,
        "total_pages": -(-total // 20),
        "total_results": total,
    }
    past = api.get("/sim_cards", params={"page[number]": 999, "page[size]": 250}).json()
    assert past["data"] == []
    assert past["meta"]["page_number"] == 999
    assert past["meta"]["total_results"] == total


def test_paging_walks_every_sim_once(sb: Sandbox, api: httpx.Client) -> None:
    """Walking every page of 7 returns each SIM exactly once."""
    ids = [sim["id"] for sim in all_pages(api, "/sim_cards", **{"page[size]": 7})]
    assert len(ids) == len(set(ids)) == len(sb.state.sims)


@pytest.mark.parametrize(
    ("param", "value"),
    [
        ("page[size]", "0"),
        ("page[size]", "251"),
        ("page[size]", "ten"),
        ("page[number]", "0"),
        ("filter[status]", "enabled,frozen"),
        ("filter[sim_card_group_id]", "not-a-uuid"),
        ("include_sim_card_group", "maybe"),
        ("sort", "iccid"),
    ],
)
def test_bad_list_parameter_is_named_in_the_error(
    api: httpx.Client, param: str, value: str
) -> None:
    """An out-of-range or unknown query value is a 400 naming the parameter."""
    response = api.get("/sim_cards", params={param: value})
    assert response.status_code == 400
    error = only_error(response)
    assert error["source"]["parameter"] == param
    assert value.split(",")[-1] in error["detail"]


def test_status_filter_takes_a_comma_joined_list(sb: Sandbox, api: httpx.Client) -> None:
    """filter[status]=disabled,standby returns exactly the SIMs in either status."""
    found = all_pages(api, "/sim_cards", **{"filter[status]": "disabled,standby"})
    expected = {s.id for s in sb.state.sims.values() if s.status in ("disabled", "standby")}
    assert {sim["id"] for sim in found} == expected
    assert expected


def test_tag_filter_needs_all_tags(sb: Sandbox, api: httpx.Client) -> None:
    """filter[tags]=a,b returns the SIMs carrying both tags, and no others."""
    found = all_pages(api, "/sim_cards", **{"filter[tags]": "eu,test", "page[size]": 250})
    expected = {s.id for s in sb.state.sims.values() if {"eu", "test"} <= set(s.tags)}
    some_eu = {s.id for s in sb.state.sims.values() if "eu" in s.tags}
    assert {sim["id"] for sim in found} == expected
    assert expected < some_eu


def test_iccid_filter_matches_part_and_msisdn_the_whole(sb: Sandbox, api: httpx.Client) -> None:
    """filter[iccid] matches any part of the ICCID; filter[msisdn] the exact number."""
    sim = next(iter(sb.state.sims.values()))
    part = sim.wire["iccid"][8:16]
    found = api.get("/sim_cards", params={"filter[iccid]": part}).json()["data"]
    assert sim.id in {s["id"] for s in found}
    assert all(part in s["iccid"] for s in found)
    exact = api.get("/sim_cards", params={"filter[msisdn]": sim.wire["msisdn"]}).json()["data"]
    assert [s["id"] for s in exact] == [sim.id]
    partial = api.get("/sim_cards", params={"filter[msisdn]": sim.wire["msisdn"][:-1]}).json()
    assert partial["data"] == []


def test_group_filter_and_included_group(sb: Sandbox, api: httpx.Client) -> None:
    """filter[sim_card_group_id] keeps that group's SIMs; include_sim_card_group embeds it."""
    group = next(g for g in sb.state.groups.values() if g.default)
    params = {"filter[sim_card_group_id]": group.id, "include_sim_card_group": "true"}
    found = all_pages(api, "/sim_cards", **params, **{"page[size]": 250})
    expected = [s.id for s in sb.state.sims.values() if s.group_id == group.id]
    assert [s["id"] for s in found] == expected
    assert {s["sim_card_group"]["name"] for s in found} == {group.name}


def test_sort_by_consumption_in_megabytes(api: httpx.Client) -> None:
    """Sorting compares consumption in MB across units, ascending or with '-' descending."""
    key = "current_billing_period_consumed_data"
    units = set()
    for sort, descending in ((f"{key}.amount", False), (f"-{key}.amount", True)):
        data = api.get("/sim_cards", params={"sort": sort, "page[size]": 250}).json()["data"]
        megabytes = [to_mb(s[key]["amount"], s[key]["unit"]) for s in data]
        assert megabytes == sorted(megabytes, reverse=descending)
        units |= {s[key]["unit"] for s in data}
    assert units == {"KB", "MB", "GB"}


def test_missing_or_wrong_key_gets_telnyx_401(sb: Sandbox) -> None:
    """No key or a wrong key gets 401 with code 10009 and a body that never echoes a key."""
    for headers in ({}, {"Authorization": "Bearer KEYwrong"}, {"Authorization": sb.api_key}):
        response = httpx.get(sb.base_url + "/sim_cards", headers=headers)
        assert response.status_code == 401
        error = only_error(response)
        assert error["code"] == "10009"
        assert error["title"] == "Authentication failed"
        assert sb.api_key not in response.text


def test_unknown_route_is_a_telnyx_404(api: httpx.Client) -> None:
    """A path the API does not have answers 404 with an errors body."""
    response = api.get("/sim_cards_everywhere")
    assert response.status_code == 404
    assert only_error(response)["code"] == "10005"


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("PUT", "/sim_cards/6a09cdc3-8948-47f0-aa62-74ac943d6c58", "DELETE, GET, HEAD, PATCH"),
        ("DELETE", "/sim_cards", "GET, HEAD"),
        ("GET", "/actions/register/sim_cards", "POST"),
        ("PATCH", "/sim_card_groups", "GET, HEAD, POST"),
        (
            "PUT",
            "/sim_card_data_usage_notifications/6a09cdc3-8948-47f0-aa62-74ac943d6c58",
            "DELETE, GET, HEAD, PATCH",
        ),
        ("PATCH", "/private_wireless_gateways", "GET, HEAD, POST"),
        ("GET", "/sim_cards/6a09cdc3-8948-47f0-aa62-74ac943d6c58/actions/enable_voice", "POST"),
        ("POST", "/wireless/regions", "GET, HEAD"),
    ],
)
def test_wrong_method_is_a_405_naming_every_allowed_one(
    api: httpx.Client, method: str, path: str, allow: str
) -> None:
    """A method the path does not take is a 405 whose Allow lists all the methods it takes."""
    response = api.request(method, path)
    assert response.status_code == 405
    assert response.headers["allow"] == allow
    assert only_error(response)["title"] == "Method not allowed"


def test_amounts_are_decimal_strings(api: httpx.Client) -> None:
    """Every SIM amount on the wire is a decimal string."""
    for sim in api.get("/sim_cards", params={"page[size]": 250}).json()["data"]:
        for field in ("data_limit", "current_billing_period_consumed_data"):
            if field in sim:
                assert isinstance(sim[field]["amount"], str)
                assert "." in sim[field]["amount"]
                float(sim[field]["amount"])


def test_list_body_is_valid_json_with_group_included(api: httpx.Client) -> None:
    """The spliced include_sim_card_group body parses as JSON item by item."""
    raw = api.get("/sim_cards", params={"include_sim_card_group": "true"}).content
    assert all("sim_card_group" in s for s in json.loads(raw)["data"] if "sim_card_group_id" in s)
