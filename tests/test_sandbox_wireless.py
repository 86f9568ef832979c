"""What the sandbox knows about each SIM (device, sessions, activation code, public IP), eSIM
purchases, and the voice, public IP and bulk actions, over HTTP."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from simtools.sandbox import Sandbox, serve
from simtools.sandbox.records import SimRecord

UNKNOWN = "6a09cdc3-8948-47f0-aa62-74ac943d6c58"


@pytest.fixture(scope="module")
def sb() -> Iterator[Sandbox]:
    with serve(fleet_size=150, seed=31, code_pool=10) as sandbox:
        yield sandbox


@pytest.fixture(scope="module")
def api(sb: Sandbox) -> Iterator[httpx.Client]:
    headers = {"Authorization": f"Bearer {sb.api_key}"}
    with httpx.Client(base_url=sb.base_url, headers=headers, timeout=30) as client:
        yield client


@pytest.fixture(scope="module")
def take(sb: Sandbox) -> Callable[..., SimRecord]:
    """``take(status, ...)``: a grouped SIM in that status that no other test of the module
    took, for which every ``where(sim)`` given holds."""
    taken: set[str] = set()

    def pick(status: str, *where: Callable[[SimRecord], bool]) -> SimRecord:
        for sim in sb.state.sims.values():
            fits = sim.status == status and sim.group_id is not None and sim.id not in taken
            if fits and all(w(sim) for w in where):
                taken.add(sim.id)
                return sim
        raise LookupError(status)

    return pick


def only_error(response: httpx.Response) -> dict[str, Any]:
    (error,) = response.json()["errors"]
    assert isinstance(error, dict)
    return error


# -- device and sessions --------------------------------------------------------------------------


def test_device_details_name_the_current_device(
    api: httpx.Client, take: Callable[..., SimRecord]
) -> None:
    """Device details carry the IMEI the full form shows; an eSIM sits in a smartphone."""
    for kind, device_type in (("physical", None), ("esim", "smartphone")):
        sim = take("enabled", lambda s, k=kind: s.wire["type"] == k)
        details = api.get(f"/sim_cards/{sim.id}/device_details").json()["data"]
        full = api.get(f"/sim_cards/{sim.id}").json()["data"]
        assert details["imei"] == full["current_imei"]
        assert details["record_type"] == "device_details"
        assert all(details[k] for k in ("brand_name", "model_name", "operating_system"))
        if device_type is not None:
            assert details["device_type"] == device_type


def test_authorizing_the_device_changes_no_device(
    sb: Sandbox, api: httpx.Client, take: Callable[..., SimRecord]
) -> None:
    """PATCH authorized_imeis decides which devices may use the SIM: the SIM stays in its device,
    so authorizing that device's IMEI ends its unauthorized_imei state."""
    sim = take("enabled", lambda s: s.unauthorized_imei)
    before = api.get(f"/sim_cards/{sim.id}").json()["data"]
    unauthorized = {"filter[status]": "unauthorized_imei", "page[size]": 250}
    assert sim.id in {s["id"] for s in api.get("/sim_cards", params=unauthorized).json()["data"]}
    api.patch(f"/sim_cards/{sim.id}", json={"authorized_imeis": [before["current_imei"]]})
    after = api.get(f"/sim_cards/{sim.id}").json()["data"]
    for field in ("current_imei", "current_device_location", "current_mcc", "ipv4"):
        assert after[field] == before[field]
    assert sim.id not in {
        s["id"] for s in api.get("/sim_cards", params=unauthorized).json()["data"]
    }


def test_connectivity_logs_page_newest_first(
    sb: Sandbox, api: httpx.Client, take: Callable[..., SimRecord]
) -> None:
    """A fleet SIM's logs page with meta, newest first, a registration first of all; a SIM
    registered just now has none."""
    sim = take("enabled")
    path = f"/sim_cards/{sim.id}/wireless_connectivity_logs"
    every = api.get(path, params={"page[size]": 250}).json()
    logs = every["data"]
    assert len(logs) >= 3
    starts = [log["start_time"] for log in logs]
    assert starts == sorted(starts, reverse=True)
    assert logs[-1]["log_type"] == "registration"
    assert {log["log_type"] for log in logs[:-1]} == {"data"}
    assert {log["imsi"] for log in logs} == {sim.wire["imsi"]}
    second = api.get(path, params={"page[size]": 2, "page[number]": 2}).json()
    assert second["data"] == logs[2:4]
    assert second["meta"]["total_results"] == len(logs)
    fresh = api.post(
        "/actions/register/sim_cards", json={"registration_codes": sb.available_codes(1)}
    )
    (new,) = fresh.json()["data"]
    assert api.get(f"/sim_cards/{new['id']}/wireless_connectivity_logs").json()["data"] == []


# -- eSIMs ----------------------------------------------------------------------------------------


def test_purchase_settles_to_the_status_asked_for(sb: Sandbox, api: httpx.Client) -> None:
    """Purchased eSIMs land in the group asked for, registering, then settle to the status."""
    group = next(g for g in sb.state.groups.values() if not g.default)
    body = {"amount": 3, "sim_card_group_id": group.id, "status": "standby", "tags": ["p"]}
    response = api.post("/actions/purchase/esims", json=body)
    assert response.status_code == 202
    bought = response.json()
    assert bought["errors"] == []
    assert {s["status"]["value"] for s in bought["data"]} == {"registering"}
    assert len({s["iccid"] for s in bought["data"]}) == 3
    sb.advance()
    for esim in bought["data"]:
        now = api.get(f"/sim_cards/{esim['id']}").json()["data"]
        assert (now["status"]["value"], now["sim_card_group_id"], now["type"]) == (
            "standby",
            group.id,
            "esim",
        )


@pytest.mark.parametrize(
    ("body", "pointer"),
    [
        ({}, "/amount"),
        ({"amount": 0}, "/amount"),
        ({"amount": "2"}, "/amount"),
        ({"amount": 1, "sim_card_group_id": UNKNOWN}, "/sim_card_group_id"),
        ({"amount": 1, "status": "on"}, "/status"),
        ({"amount": 1, "whitelabel_name": "Acme!"}, "/whitelabel_name"),
    ],
)
def test_bad_purchase_is_a_422(api: httpx.Client, body: dict[str, Any], pointer: str) -> None:
    """A purchase without a whole amount, for an unknown group or with a bad field is a 422."""
    response = api.post("/actions/purchase/esims", json=body)
    assert response.status_code == 422
    assert only_error(response)["source"]["pointer"] == pointer


def test_activation_code_is_for_uninstalled_esims_and_never_logged(
    sb: Sandbox, api: httpx.Client, caplog: pytest.LogCaptureFixture
) -> None:
    """A new eSIM has an activation code, the same each time, found in no log of the sandbox;
    an installed eSIM and a physical SIM get a 422."""
    caplog.set_level(logging.DEBUG)
    (esim,) = api.post("/actions/purchase/esims", json={"amount": 1}).json()["data"]
    path = f"/sim_cards/{esim['id']}/activation_code"
    first, again = (api.get(path).json()["data"] for _ in range(2))
    code = first["activation_code"]
    assert first == again
    assert code.startswith("LPA:1$")
    assert not any(code in f"{r.method} {r.path}?{r.query}" for r in sb.requests())
    assert code not in caplog.text
    assert code not in repr(sb.state) + repr(sb.state.sims[esim["id"]])
    installed = next(
        s for s in sb.state.sims.values() if s.wire["esim_installation_status"] == "disabled"
    )
    physical = next(s for s in sb.state.sims.values() if s.wire["type"] == "physical")
    for sim in (installed, physical):
        refused = api.get(f"/sim_cards/{sim.id}/activation_code")
        assert refused.status_code == 422
        assert only_error(refused)["code"] == "10015"


# -- voice ----------------------------------------------------------------------------------------


def test_voice_and_status_actions_settle_side_by_side(
    sb: Sandbox, api: httpx.Client, take: Callable[..., SimRecord]
) -> None:
    """A voice action started while an enable is pending displaces nothing: both complete."""
    sim = take("disabled")
    enable = api.post(f"/sim_cards/{sim.id}/actions/enable").json()["data"]
    voice = api.post(f"/sim_cards/{sim.id}/actions/enable_voice", json={}).json()["data"]
    assert voice["settings"] == {}
    assert api.get(f"/sim_cards/{sim.id}").json()["data"]["actions_in_progress"] is True
    sb.advance()
    now = api.get(f"/sim_cards/{sim.id}").json()["data"]
    assert (now["status"]["value"], now["voice_enabled"], now["actions_in_progress"]) == (
        "enabled",
        True,
        False,
    )
    for action in (enable, voice):
        done = api.get(f"/sim_card_actions/{action['id']}").json()["data"]
        assert done["status"]["value"] == "completed"


def test_a_second_voice_action_interrupts_the_first(
    sb: Sandbox, api: httpx.Client, take: Callable[..., SimRecord]
) -> None:
    """disable_voice right after enable_voice interrupts it, and voice ends up off."""
    sim = take("enabled")
    first = api.post(f"/sim_cards/{sim.id}/actions/enable_voice").json()["data"]
    api.post(f"/sim_cards/{sim.id}/actions/disable_voice")
    sb.advance()
    assert api.get(f"/sim_card_actions/{first['id']}").json()["data"]["status"]["value"] == (
        "interrupted"
    )
    assert api.get(f"/sim_cards/{sim.id}").json()["data"]["voice_enabled"] is False


# -- public IPs -----------------------------------------------------------------------------------


def test_public_ip_is_set_then_removed(
    sb: Sandbox, api: httpx.Client, take: Callable[..., SimRecord]
) -> None:
    """No IP is a 404; set_public_ip shows the IP as null until it settles; a second set and a
    removal of nothing are 422s; a removal ends in a 404 again."""
    sim = take("enabled")
    path = f"/sim_cards/{sim.id}/public_ip"
    assert api.get(path).status_code == 404
    setting = api.post(f"/sim_cards/{sim.id}/actions/set_public_ip", params={"region_code": "am2"})
    assert setting.status_code == 202
    assert setting.json()["data"]["settings"] == {"region_code": "am2"}
    pending = api.get(path).json()["data"]
    assert (pending["ip"], pending["region_code"], pending["type"]) == (None, "am2", "ipv4")
    assert api.post(f"/sim_cards/{sim.id}/actions/set_public_ip").status_code == 422
    sb.advance()
    assigned = api.get(path).json()["data"]
    assert assigned["ip"].startswith("198.")
    assert api.post(f"/sim_cards/{sim.id}/actions/remove_public_ip").status_code == 202
    sb.advance()
    assert api.get(path).status_code == 404
    assert api.post(f"/sim_cards/{sim.id}/actions/remove_public_ip").status_code == 422


def test_unknown_region_is_a_400(api: httpx.Client, take: Callable[..., SimRecord]) -> None:
    """set_public_ip in a region the sandbox does not have is a 400 naming region_code."""
    response = api.post(
        f"/sim_cards/{take('enabled').id}/actions/set_public_ip", params={"region_code": "mars1"}
    )
    assert response.status_code == 400
    assert only_error(response)["source"]["parameter"] == "region_code"


# -- bulk -----------------------------------------------------------------------------------------


def test_bulk_voice_acts_on_every_sim_of_the_group(
    sb: Sandbox, api: httpx.Client, take: Callable[..., SimRecord]
) -> None:
    """A bulk voice action starts one action per SIM of the group; a SIM being deleted gets a
    failed one; the summary counts them by status as they settle."""
    group = api.post("/sim_card_groups", json={"name": "Bulk"}).json()["data"]
    members = [take("enabled") for _ in range(3)]
    for sim in members:
        api.patch(f"/sim_cards/{sim.id}", json={"sim_card_group_id": group["id"]})
    api.delete(f"/sim_cards/{members[2].id}")
    body = {"sim_card_group_id": group["id"], "connection_id": "1234567890"}
    bulk = api.post("/sim_cards/actions/bulk_enable_voice", json=body).json()["data"]
    assert bulk["settings"] == body
    summary = api.get(f"/bulk_sim_card_actions/{bulk['id']}").json()["data"]
    assert summary["sim_card_actions_summary"] == [
        {"count": 2, "status": "in-progress"},
        {"count": 1, "status": "failed"},
    ]
    sb.advance()
    summary = api.get(f"/bulk_sim_card_actions/{bulk['id']}").json()["data"]
    assert summary["sim_card_actions_summary"] == [
        {"count": 2, "status": "completed"},
        {"count": 1, "status": "failed"},
    ]
    children = api.get("/sim_card_actions", params={"filter[bulk_sim_card_action_id]": bulk["id"]})
    assert {a["sim_card_id"] for a in children.json()["data"]} == {s.id for s in members}
    for sim in members[:2]:
        assert api.get(f"/sim_cards/{sim.id}").json()["data"]["voice_enabled"] is True
    listed = api.get("/bulk_sim_card_actions", params={"filter[action_type]": "bulk_enable_voice"})
    assert listed.json()["data"][0]["id"] == bulk["id"]


@pytest.mark.parametrize(
    ("path", "body", "code", "pointer"),
    [
        ("bulk_enable_voice", {}, "10004", "/sim_card_group_id"),
        ("bulk_disable_voice", {"sim_card_group_id": UNKNOWN}, "10017", "/sim_card_group_id"),
        ("bulk_set_public_ips", {"sim_card_ids": []}, "10015", "/sim_card_ids"),
        ("bulk_set_public_ips", {"sim_card_ids": ["x"]}, "10006", "/sim_card_ids/0"),
        ("bulk_set_public_ips", {"sim_card_ids": [UNKNOWN]}, "10017", "/sim_card_ids/0"),
    ],
)
def test_bad_bulk_action_is_a_422(
    api: httpx.Client, path: str, body: dict[str, Any], code: str, pointer: str
) -> None:
    """A bulk action without its group or SIMs, or naming unknown ones, is a 422 and starts
    nothing."""
    before = len(api.get("/bulk_sim_card_actions").json()["data"])
    response = api.post(f"/sim_cards/actions/{path}", json=body)
    assert response.status_code == 422
    error = only_error(response)
    assert (error["code"], error["source"]["pointer"]) == (code, pointer)
    assert len(api.get("/bulk_sim_card_actions").json()["data"]) == before


def test_bad_action_filters_are_400s(api: httpx.Client) -> None:
    """Unknown filter values of the action lists are 400s naming the parameter."""
    for path, param, value in (
        ("/bulk_sim_card_actions", "filter[action_type]", "bulk_explode"),
        ("/sim_card_actions", "filter[bulk_sim_card_action_id]", "nope"),
    ):
        response = api.get(path, params={param: value})
        assert response.status_code == 400
        assert only_error(response)["source"]["parameter"] == param
