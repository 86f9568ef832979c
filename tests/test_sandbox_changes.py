"""Changing things in the sandbox over HTTP: SIM updates, deletion, actions, groups, and the
usage records that back each SIM's consumption."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from simtools.sandbox import Sandbox, serve
from simtools.sandbox.records import to_mb

FULL_ONLY = (
    "current_imei",
    "current_mcc",
    "current_mnc",
    "ipv4",
    "ipv6",
    "live_data_session",
    "current_device_location",
)


@pytest.fixture
def sb() -> Iterator[Sandbox]:
    """A small private sandbox per test: these tests change SIMs and groups."""
    with serve(fleet_size=80, seed=3, code_pool=20) as sandbox:
        yield sandbox


@pytest.fixture
def api(sb: Sandbox) -> Iterator[httpx.Client]:
    headers = {"Authorization": f"Bearer {sb.api_key}"}
    with httpx.Client(base_url=sb.base_url, headers=headers, timeout=30) as client:
        yield client


def sim_where(sb: Sandbox, status: str) -> str:
    for sim in sb.state.sims.values():
        if sim.status == status and sim.group_id is not None:
            return sim.id
    raise LookupError(status)


def only_error(response: httpx.Response) -> dict[str, Any]:
    (error,) = response.json()["errors"]
    assert isinstance(error, dict)
    return error


# -- one SIM --------------------------------------------------------------------------------------


def test_get_returns_the_full_form(sb: Sandbox, api: httpx.Client) -> None:
    """GET /sim_cards/{id} adds device, network and session fields; PIN/PUK only on request."""
    sim_id = sim_where(sb, "enabled")
    data = api.get(f"/sim_cards/{sim_id}").json()["data"]
    assert all(data[field] is not None for field in FULL_ONLY)
    assert data["live_data_session"] in ("connected", "disconnected", "unknown")
    assert "pin_puk_codes" not in data
    with_codes = api.get(f"/sim_cards/{sim_id}", params={"include_pin_puk_codes": "true"})
    assert set(with_codes.json()["data"]["pin_puk_codes"]) == {"pin1", "pin2", "puk1", "puk2"}
    listed = api.get("/sim_cards", params={"page[size]": 250}).json()["data"]
    assert not any(field in sim for sim in listed for field in FULL_ONLY)


def test_unknown_and_malformed_ids(api: httpx.Client) -> None:
    """An unknown UUID is a 404 with code 10005; something that is no UUID is code 10006."""
    missing = api.get("/sim_cards/6a09cdc3-8948-47f0-aa62-74ac943d6c58")
    assert missing.status_code == 404
    assert only_error(missing)["code"] == "10005"
    malformed = api.get("/sim_cards/12345")
    assert malformed.status_code == 400
    assert only_error(malformed)["code"] == "10006"


def test_patch_replaces_tags_limit_and_group(sb: Sandbox, api: httpx.Client) -> None:
    """PATCH replaces tags, limit (as a decimal string) and group; read-only fields are ignored."""
    sim_id = sim_where(sb, "enabled")
    group = next(g for g in sb.state.groups.values() if not g.default)
    body = {
        "tags": ["moved"],
        "data_limit": {"amount": 2, "unit": "GB"},
        "sim_card_group_id": group.id,
        "iccid": "89000000000000000000",
        "status": {"value": "disabled"},
    }
    data = api.patch(f"/sim_cards/{sim_id}", json=body).json()["data"]
    assert data["tags"] == ["moved"]
    assert data["data_limit"] == {"amount": "2.0", "unit": "GB"}
    assert data["sim_card_group_id"] == group.id
    assert data["iccid"] != "89000000000000000000"
    assert data["status"]["value"] == "enabled"
    listed = api.get("/sim_cards", params={"filter[tags]": "moved"}).json()["data"]
    assert [s["id"] for s in listed] == [sim_id]


@pytest.mark.parametrize(
    ("body", "pointer"),
    [
        ({"tags": "eu"}, "/tags"),
        ({"data_limit": {"amount": "2", "unit": "TB"}}, "/data_limit/unit"),
        ({"data_limit": {"amount": "-1", "unit": "MB"}}, "/data_limit/amount"),
        ({"sim_card_group_id": "6a09cdc3-8948-47f0-aa62-74ac943d6c58"}, "/sim_card_group_id"),
    ],
)
def test_bad_patch_is_a_422(
    sb: Sandbox, api: httpx.Client, body: dict[str, Any], pointer: str
) -> None:
    """A PATCH with a bad field is refused with a 422 pointing at it, and changes nothing."""
    sim_id = sim_where(sb, "enabled")
    before = dict(sb.state.sims[sim_id].wire)
    response = api.patch(f"/sim_cards/{sim_id}", json=body)
    assert response.status_code == 422
    assert only_error(response)["source"]["pointer"] == pointer
    assert sb.state.sims[sim_id].wire == before


def test_delete_disables_then_removes_and_frees_the_code(sb: Sandbox, api: httpx.Client) -> None:
    """DELETE answers the SIM as disabling; once settled it is gone and its code registrable."""
    sim_id = sim_where(sb, "enabled")
    code = sb.state.sims[sim_id].code
    response = api.delete(f"/sim_cards/{sim_id}")
    assert response.status_code == 200
    assert response.json()["data"]["status"]["value"] == "disabling"
    sb.advance()
    assert api.get(f"/sim_cards/{sim_id}").status_code == 404
    check = api.post(
        "/sim_cards/actions/validate_registration_codes", json={"registration_codes": [code]}
    )
    assert check.json()["data"][0]["valid"] is True


# -- actions --------------------------------------------------------------------------------------


def test_enable_goes_through_enabling(sb: Sandbox, api: httpx.Client) -> None:
    """enable answers 202; the SIM goes enabling then enabled, and the action completes."""
    sim_id = sim_where(sb, "disabled")
    response = api.post(f"/sim_cards/{sim_id}/actions/enable")
    assert response.status_code == 202
    action = response.json()["data"]
    assert action["action_type"] == "enable"
    assert action["status"] == {"value": "in-progress", "reason": None}
    sim = api.get(f"/sim_cards/{sim_id}").json()["data"]
    assert sim["status"]["value"] == "enabling"
    assert sim["actions_in_progress"] is True
    sb.advance()
    sim = api.get(f"/sim_cards/{sim_id}").json()["data"]
    assert sim["status"]["value"] == "enabled"
    assert sim["actions_in_progress"] is False
    done = api.get(f"/sim_card_actions/{action['id']}").json()["data"]
    assert done["status"]["value"] == "completed"


@pytest.mark.parametrize(
    ("action", "settled"), [("disable", "disabled"), ("set_standby", "standby")]
)
def test_disable_and_standby_settle(
    sb: Sandbox, api: httpx.Client, action: str, settled: str
) -> None:
    """disable and set_standby move the SIM through their transitional status to the target."""
    sim_id = sim_where(sb, "enabled")
    transitional = {"disable": "disabling", "set_standby": "setting_standby"}[action]
    assert api.post(f"/sim_cards/{sim_id}/actions/{action}").status_code == 202
    assert sb.state.sims[sim_id].status == transitional
    sb.advance()
    assert api.get(f"/sim_cards/{sim_id}").json()["data"]["status"]["value"] == settled


def test_a_later_action_interrupts_the_earlier_one(sb: Sandbox, api: httpx.Client) -> None:
    """A second action before the first settles marks the first interrupted and wins."""
    sim_id = sim_where(sb, "enabled")
    first = api.post(f"/sim_cards/{sim_id}/actions/disable").json()["data"]
    second = api.post(f"/sim_cards/{sim_id}/actions/set_standby").json()["data"]
    sb.advance()
    first_now = api.get(f"/sim_card_actions/{first['id']}").json()["data"]
    assert first_now["status"]["value"] == "interrupted"
    assert first_now["status"]["reason"]
    assert api.get(f"/sim_card_actions/{second['id']}").json()["data"]["status"]["value"] == (
        "completed"
    )
    assert sb.state.sims[sim_id].status == "standby"


def test_a_new_action_ends_a_stuck_fleet_action(sb: Sandbox, api: httpx.Client) -> None:
    """A fleet SIM stuck in enabling has an in-progress action; a new action interrupts it."""
    sim_id = sim_where(sb, "enabling")
    params = {"filter[sim_card_id]": sim_id, "filter[status]": "in-progress"}
    (stuck,) = api.get("/sim_card_actions", params=params).json()["data"]
    api.post(f"/sim_cards/{sim_id}/actions/disable")
    sb.advance()
    assert api.get(f"/sim_card_actions/{stuck['id']}").json()["data"]["status"]["value"] == (
        "interrupted"
    )
    assert api.get("/sim_card_actions", params=params).json()["data"] == []
    assert sb.state.sims[sim_id].status == "disabled"


def test_enable_without_a_group_is_a_422(sb: Sandbox, api: httpx.Client) -> None:
    """enable and set_standby need the SIM in a group; without one they are a 422."""
    sim_id = sim_where(sb, "disabled")
    ungrouped = api.patch(f"/sim_cards/{sim_id}", json={"sim_card_group_id": None})
    assert "sim_card_group_id" not in ungrouped.json()["data"]
    for action in ("enable", "set_standby"):
        response = api.post(f"/sim_cards/{sim_id}/actions/{action}")
        assert response.status_code == 422
        assert sim_id in only_error(response)["detail"]
    assert sb.state.sims[sim_id].status == "disabled"


def test_unknown_action_is_a_404(sb: Sandbox, api: httpx.Client) -> None:
    """An action the API does not have is a 404."""
    sim_id = sim_where(sb, "enabled")
    assert api.post(f"/sim_cards/{sim_id}/actions/explode").status_code == 404


def test_action_list_filters(sb: Sandbox, api: httpx.Client) -> None:
    """GET /sim_card_actions filters by SIM, status and type, newest first."""
    sim_id = sim_where(sb, "enabled")
    api.post(f"/sim_cards/{sim_id}/actions/disable")
    sb.advance()
    api.post(f"/sim_cards/{sim_id}/actions/enable")
    mine = api.get("/sim_card_actions", params={"filter[sim_card_id]": sim_id}).json()
    assert [a["action_type"] for a in mine["data"]] == ["enable", "disable"]
    assert mine["meta"]["total_results"] == 2
    running = api.get("/sim_card_actions", params={"filter[status]": "in-progress"}).json()["data"]
    assert running
    assert {a["status"]["value"] for a in running} == {"in-progress"}
    disables = api.get("/sim_card_actions", params={"filter[action_type]": "disable"}).json()
    assert {a["action_type"] for a in disables["data"]} == {"disable"}
    bad = api.get("/sim_card_actions", params={"filter[status]": "done"})
    assert bad.status_code == 400


# -- groups ---------------------------------------------------------------------------------------


def test_group_list_counts_sims_and_sums_consumption(sb: Sandbox, api: httpx.Client) -> None:
    """Each group lists its SIM count and consumed MB; the counts add up to the grouped SIMs."""
    groups = api.get("/sim_card_groups", params={"page[size]": 250}).json()["data"]
    in_groups = [s for s in sb.state.sims.values() if s.group_id is not None]
    assert sum(g["sim_card_count"] for g in groups) == len(in_groups)
    for group in groups:
        members = [s for s in in_groups if s.group_id == group["id"]]
        assert float(group["consumed_data"]["amount"]) == pytest.approx(
            sum(s.consumed_mb for s in members), abs=0.001
        )
    named = api.get("/sim_card_groups", params={"filter[name]": groups[1]["name"]}).json()
    assert [g["id"] for g in named["data"]] == [groups[1]["id"]]


def test_group_create_update_delete(sb: Sandbox, api: httpx.Client) -> None:
    """A group is created (200), renamed, given a limit, listed and deleted."""
    created = api.post(
        "/sim_card_groups", json={"name": "Pilots", "data_limit": {"amount": "50", "unit": "GB"}}
    )
    assert created.status_code == 200
    group = created.json()["data"]
    assert group["default"] is False
    assert group["data_limit"] == {"amount": "50.0", "unit": "GB"}
    renamed = api.patch(f"/sim_card_groups/{group['id']}", json={"name": "Pilots 2"}).json()
    assert renamed["data"]["name"] == "Pilots 2"
    fetched = api.get(f"/sim_card_groups/{group['id']}", params={"include_iccids": "true"})
    assert fetched.json()["data"]["iccids"] == []
    assert api.delete(f"/sim_card_groups/{group['id']}").status_code == 200
    assert api.get(f"/sim_card_groups/{group['id']}").status_code == 404


def test_default_and_occupied_groups_cannot_be_deleted(sb: Sandbox, api: httpx.Client) -> None:
    """Deleting the default group, or a group that still holds SIMs, is refused."""
    default = api.delete(f"/sim_card_groups/{sb.state.default_group_id}")
    assert default.status_code == 422
    assert "default" in only_error(default)["detail"]
    occupied = next(g for g in sb.state.groups.values() if not g.default)
    response = api.delete(f"/sim_card_groups/{occupied.id}")
    assert response.status_code == 422
    assert occupied.id in sb.state.groups


def test_group_needs_a_name(api: httpx.Client) -> None:
    """Creating a group without a name is a 422 pointing at /name."""
    response = api.post("/sim_card_groups", json={"data_limit": {"amount": "1", "unit": "GB"}})
    assert response.status_code == 422
    assert only_error(response)["source"]["pointer"] == "/name"


# -- usage records --------------------------------------------------------------------------------


def period_start() -> str:
    return datetime.now(tz=UTC).strftime("%Y-%m-01T00:00:00Z")


def test_wdr_totals_match_consumption(sb: Sandbox, api: httpx.Client) -> None:
    """Per SIM, uplink + downlink MB of this month's records equal its consumed data in MB."""
    records: list[dict[str, Any]] = []
    number = 1
    while True:
        params: dict[str, str | int] = {
            "start_date": period_start(),
            "page[size]": 1000,
            "page[number]": number,
        }
        body = api.get("/reports/wdrs", params=params).json()
        records += body["data"]
        if number >= body["meta"]["total_pages"]:
            break
        number += 1
    totals: dict[str, float] = defaultdict(float)
    for record in records:
        assert record["uplink_data"]["unit"] == record["downlink_data"]["unit"] == "MB"
        totals[record["sim_card_id"]] += (
            record["uplink_data"]["amount"] + record["downlink_data"]["amount"]
        )
    consumed = [s for s in sb.state.sims.values() if s.consumed_mb > 0]
    assert len(consumed) > 50
    for sim in sb.state.sims.values():
        amount = sim.wire["current_billing_period_consumed_data"]
        expected = to_mb(amount["amount"], amount["unit"])
        assert totals.get(sim.id, 0.0) == pytest.approx(expected, abs=1e-6), sim.wire


def test_wdr_filters_and_sort(sb: Sandbox, api: httpx.Client) -> None:
    """Exact filters keep matching records only; sort=-created_at puts the newest first."""
    sim = max(sb.state.sims.values(), key=lambda s: s.consumed_mb)
    params = {"sim_card_id": sim.id, "sort": "-created_at"}
    records = api.get("/reports/wdrs", params=params).json()["data"]
    assert records
    assert {r["sim_card_id"] for r in records} == {sim.id}
    assert {r["imsi"] for r in records} == {sim.wire["imsi"]}
    stamps = [r["created_at"] for r in records]
    assert stamps == sorted(stamps, reverse=True)
    mcc = records[0]["mcc"]
    by_mcc = api.get("/reports/wdrs", params={"sim_card_id": sim.id, "mcc": mcc}).json()["data"]
    assert by_mcc
    assert {r["mcc"] for r in by_mcc} == {mcc}
    assert len(by_mcc) <= len(records)
    for record in records:
        cost = float(record["cost"]["amount"])
        megabytes = record["uplink_data"]["amount"] + record["downlink_data"]["amount"]
        assert cost == pytest.approx(float(record["rate"]["amount"]) * megabytes, abs=1e-5)


@pytest.mark.parametrize(
    ("params", "parameter"),
    [
        ({"start_date": "yesterday"}, "start_date"),
        ({"start_date": "2026-02-01", "end_date": "2026-01-01"}, "start_date"),
        ({"sort": "bytes"}, "sort"),
        ({"page[size]": "lots"}, "page[size]"),
        ({"page[number]": "1.5"}, "page[number]"),
    ],
)
def test_bad_wdr_query_is_a_400(api: httpx.Client, params: dict[str, str], parameter: str) -> None:
    """A bad date, an inverted range, an unknown sort field or a page that is no integer is a
    400 (the OpenAPI file gives the page parameters no bounds, only the integer type)."""
    response = api.get("/reports/wdrs", params=params)
    assert response.status_code == 400
    assert only_error(response)["source"]["parameter"] == parameter
