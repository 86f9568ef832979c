"""Every sandbox endpoint answers in the shape the OpenAPI contract describes.

The contract is ``tests/data/sim-api.openapi.json``, a copy of the shared ``sim-api.openapi.json``
kept in the repository so that the checks run on any clone.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from openapi_core import OpenAPI
from openapi_core.testing import MockRequest, MockResponse
from openapi_core.validation.response.exceptions import ResponseValidationError

from simtools.sandbox import Sandbox, serve

SPEC = Path(__file__).resolve().parent / "data" / "sim-api.openapi.json"


@pytest.fixture(scope="module")
def sb() -> Iterator[Sandbox]:
    with serve(fleet_size=120, seed=5, code_pool=50) as sandbox:
        yield sandbox


@pytest.fixture(scope="module")
def contract(sb: Sandbox) -> OpenAPI:
    spec = json.loads(SPEC.read_text())
    spec["servers"] = [{"url": sb.base_url}]
    return OpenAPI.from_dict(spec)


@pytest.fixture(scope="module")
def api(sb: Sandbox) -> Iterator[httpx.Client]:
    headers = {"Authorization": f"Bearer {sb.api_key}"}
    with httpx.Client(base_url=sb.base_url, headers=headers, timeout=30) as client:
        yield client


def conforms(contract: OpenAPI, sb: Sandbox, response: httpx.Response, pattern: str) -> None:
    """Validate one real response against the operation ``pattern`` (a path under /v2)."""
    request = MockRequest(
        sb.url,
        response.request.method,
        response.request.url.path,
        path_pattern=f"/v2{pattern}",
    )
    mock = MockResponse(
        response.content,
        status_code=response.status_code,
        headers=dict(response.headers),
        content_type=response.headers["content-type"],
    )
    contract.validate_response(request, mock)


def test_register_and_validate_conform(sb: Sandbox, api: httpx.Client, contract: OpenAPI) -> None:
    """Register (202 with data and errors, and a 422) and validate (200) match the contract."""
    codes = [*sb.available_codes(2), sb.used_codes(1)[0], "123"]
    registered = api.post("/actions/register/sim_cards", json={"registration_codes": codes})
    assert registered.status_code == 202
    assert registered.json()["errors"]
    conforms(contract, sb, registered, "/actions/register/sim_cards")
    refused = api.post("/actions/register/sim_cards", json={"registration_codes": "x"})
    assert refused.status_code == 422
    conforms(contract, sb, refused, "/actions/register/sim_cards")
    checked = api.post(
        "/sim_cards/actions/validate_registration_codes", json={"registration_codes": codes}
    )
    conforms(contract, sb, checked, "/sim_cards/actions/validate_registration_codes")


@pytest.mark.parametrize(
    "params",
    [
        {"page[size]": "250"},
        {"include_sim_card_group": "true", "page[size]": "250"},
        {"page[number]": "99"},
        {"page[size]": "0"},
        {"filter[status]": "asleep"},
    ],
)
def test_sim_list_conforms(
    sb: Sandbox, api: httpx.Client, contract: OpenAPI, params: dict[str, str]
) -> None:
    """SIM listing pages (and its 400s) match the contract, for every SIM in the fleet."""
    response = api.get("/sim_cards", params=params)
    conforms(contract, sb, response, "/sim_cards")


def test_unauthenticated_answer_conforms(sb: Sandbox, contract: OpenAPI) -> None:
    """The 401 matches the contract's error response."""
    response = httpx.get(sb.base_url + "/sim_cards")
    assert response.status_code == 401
    conforms(contract, sb, response, "/sim_cards")


def test_single_sim_operations_conform(sb: Sandbox, api: httpx.Client, contract: OpenAPI) -> None:
    """Get (full form, with PIN/PUK, 404), patch, actions and delete match the contract."""
    sims = list(sb.state.sims.values())
    for sim in sims[:40]:
        full = api.get(f"/sim_cards/{sim.id}", params={"include_pin_puk_codes": "true"})
        conforms(contract, sb, full, "/sim_cards/{id}")
    missing = api.get("/sim_cards/6a09cdc3-8948-47f0-aa62-74ac943d6c58")
    assert missing.status_code == 404
    conforms(contract, sb, missing, "/sim_cards/{id}")
    target = next(s for s in sims if s.status == "enabled" and s.group_id)
    patched = api.patch(
        f"/sim_cards/{target.id}", json={"tags": ["x"], "data_limit": {"amount": 1, "unit": "GB"}}
    )
    conforms(contract, sb, patched, "/sim_cards/{id}")
    bad_patch = api.patch(f"/sim_cards/{target.id}", json={"tags": 3})
    assert bad_patch.status_code == 422
    conforms(contract, sb, bad_patch, "/sim_cards/{id}")
    for action in ("disable", "enable", "set_standby"):
        started = api.post(f"/sim_cards/{target.id}/actions/{action}")
        assert started.status_code == 202
        conforms(contract, sb, started, f"/sim_cards/{{id}}/actions/{action}")
    api.patch(f"/sim_cards/{target.id}", json={"sim_card_group_id": None})
    refused = api.post(f"/sim_cards/{target.id}/actions/enable")
    assert refused.status_code == 422
    conforms(contract, sb, refused, "/sim_cards/{id}/actions/enable")
    deleted = api.delete(f"/sim_cards/{target.id}")
    conforms(contract, sb, deleted, "/sim_cards/{id}")


def test_actions_conform(sb: Sandbox, api: httpx.Client, contract: OpenAPI) -> None:
    """The action list and a single action match the contract."""
    listed = api.get("/sim_card_actions", params={"page[size]": "250"})
    conforms(contract, sb, listed, "/sim_card_actions")
    first: dict[str, Any] = listed.json()["data"][0]
    single = api.get(f"/sim_card_actions/{first['id']}")
    conforms(contract, sb, single, "/sim_card_actions/{id}")


def test_groups_conform(sb: Sandbox, api: httpx.Client, contract: OpenAPI) -> None:
    """Group listing, creation and retrieval match the contract."""
    conforms(contract, sb, api.get("/sim_card_groups"), "/sim_card_groups")
    created = api.post("/sim_card_groups", json={"name": "Schema check"})
    assert created.status_code == 200
    conforms(contract, sb, created, "/sim_card_groups")
    refused = api.post("/sim_card_groups", json={})
    assert refused.status_code == 422
    conforms(contract, sb, refused, "/sim_card_groups")
    for group in sb.state.groups.values():
        fetched = api.get(f"/sim_card_groups/{group.id}", params={"include_iccids": "true"})
        conforms(contract, sb, fetched, "/sim_card_groups/{id}")


def test_usage_records_conform(sb: Sandbox, api: httpx.Client, contract: OpenAPI) -> None:
    """WDR pages (and a 400) match the contract."""
    listed = api.get("/reports/wdrs", params={"page[size]": "1000"})
    assert listed.json()["data"]
    conforms(contract, sb, listed, "/reports/wdrs")
    bad = api.get("/reports/wdrs", params={"start_date": "soon"})
    assert bad.status_code == 400
    conforms(contract, sb, bad, "/reports/wdrs")


def test_report_jobs_conform(sb: Sandbox, api: httpx.Client, contract: OpenAPI) -> None:
    """WDR report creation (201 and 422), retrieval, listing and deletion match the contract."""
    path = "/wireless/detail_records_reports"
    created = api.post(path, json={"start_time": "2020-01-01T00:00:00Z"})
    assert created.status_code == 201
    conforms(contract, sb, created, path)
    refused = api.post(path, json={"end_time": "then"})
    assert refused.status_code == 422
    conforms(contract, sb, refused, path)
    job_id = created.json()["data"]["id"]
    sb.advance()
    conforms(contract, sb, api.get(f"{path}/{job_id}"), f"{path}/{{id}}")
    conforms(contract, sb, api.get(path), path)
    conforms(contract, sb, api.delete(f"{path}/{job_id}"), f"{path}/{{id}}")
    missing = api.get(f"{path}/{job_id}")
    assert missing.status_code == 404
    conforms(contract, sb, missing, f"{path}/{{id}}")


def test_not_found_and_empty_answers_conform(
    sb: Sandbox, api: httpx.Client, contract: OpenAPI
) -> None:
    """Validation without codes, every 404 the contract declares (SIM get, patch, delete and
    actions; action and group get) and a SIM patched back to no limit and no group match it."""
    path = "/sim_cards/actions/validate_registration_codes"
    empty = api.post(path, json={})
    assert empty.json() == {"data": []}
    conforms(contract, sb, empty, path)
    missing = "6a09cdc3-8948-47f0-aa62-74ac943d6c58"
    for method, pattern in (
        ("GET", "/sim_cards/{id}"),
        ("PATCH", "/sim_cards/{id}"),
        ("DELETE", "/sim_cards/{id}"),
        ("POST", "/sim_cards/{id}/actions/enable"),
        ("POST", "/sim_cards/{id}/actions/disable"),
        ("POST", "/sim_cards/{id}/actions/set_standby"),
        ("GET", "/sim_card_actions/{id}"),
        ("GET", "/sim_card_groups/{id}"),
    ):
        response = api.request(method, pattern.replace("{id}", missing), json={})
        assert response.status_code == 404, (method, pattern)
        conforms(contract, sb, response, pattern)
    sim = next(s for s in sb.state.sims.values() if "data_limit" in s.wire and s.group_id)
    bare = api.patch(f"/sim_cards/{sim.id}", json={"data_limit": None, "sim_card_group_id": None})
    assert not {"data_limit", "sim_card_group_id"} & set(bare.json()["data"])
    conforms(contract, sb, bare, "/sim_cards/{id}")


def test_contract_check_catches_a_wrong_shape(
    sb: Sandbox, api: httpx.Client, contract: OpenAPI
) -> None:
    """The check itself fails on a body that breaks the contract (an amount sent as a number)."""
    response = api.get("/sim_cards", params={"page[size]": "1"})
    body = response.json()
    body["data"][0]["current_billing_period_consumed_data"]["amount"] = 12.5
    broken = httpx.Response(
        200, json=body, headers={"content-type": "application/json"}, request=response.request
    )
    with pytest.raises(ResponseValidationError):
        conforms(contract, sb, broken, "/sim_cards")
