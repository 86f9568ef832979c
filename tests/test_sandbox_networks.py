"""Private wireless gateways, wireless blocklists, the group actions that attach them, the
reference data (regions, operators, OTA updates, blocklist values) and SIM card orders, over
HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from simtools.sandbox import Sandbox, serve
from simtools.sandbox.orders import INTERNATIONAL_SHIPPING_PRICE, SHIPPING_PRICE, SIM_CARD_PRICE

UNKNOWN = "6a09cdc3-8948-47f0-aa62-74ac943d6c58"
NETWORK = "5b1d5c9e-8d1b-4d52-9f55-5c8f0d1b0a11"


@pytest.fixture(scope="module")
def sb() -> Iterator[Sandbox]:
    with serve(fleet_size=60, seed=41, code_pool=10) as sandbox:
        yield sandbox


@pytest.fixture(scope="module")
def api(sb: Sandbox) -> Iterator[httpx.Client]:
    headers = {"Authorization": f"Bearer {sb.api_key}"}
    with httpx.Client(base_url=sb.base_url, headers=headers, timeout=30) as client:
        yield client


def only_error(response: httpx.Response) -> dict[str, Any]:
    (error,) = response.json()["errors"]
    assert isinstance(error, dict)
    return error


def new_group(api: httpx.Client, name: str) -> str:
    group_id: str = api.post("/sim_card_groups", json={"name": name}).json()["data"]["id"]
    return group_id


def new_gateway(api: httpx.Client, name: str) -> dict[str, Any]:
    body = {"name": name, "network_id": NETWORK}
    response = api.post("/private_wireless_gateways", json=body)
    assert response.status_code == 202
    gateway: dict[str, Any] = response.json()["data"]
    return gateway


# -- gateways and group actions -------------------------------------------------------------------


def test_gateway_provisions_with_defaults(sb: Sandbox, api: httpx.Client) -> None:
    """A gateway without mode or region is dynamic in the default region, provisioning until
    the delay passes; it lists and filters by its fields."""
    gateway = new_gateway(api, "Defaults")
    assert (gateway["address_mode"], gateway["region_code"]) == ("dynamic", "dc2")
    assert gateway["status"] == {
        "value": "provisioning",
        "error_code": None,
        "error_description": None,
    }
    assert gateway["assigned_resources"] == [{"count": 0, "record_type": "sim_card_group"}]
    sb.advance()
    path = f"/private_wireless_gateways/{gateway['id']}"
    assert api.get(path).json()["data"]["status"]["value"] == "provisioned"
    by_range = api.get(
        "/private_wireless_gateways", params={"filter[ip_range]": gateway["ip_range"]}
    )
    assert [g["id"] for g in by_range.json()["data"]] == [gateway["id"]]
    none = api.get("/private_wireless_gateways", params={"filter[region_code]": "fr5"})
    assert gateway["id"] not in {g["id"] for g in none.json()["data"]}


def test_group_gateway_attach_detach_and_delete(sb: Sandbox, api: httpx.Client) -> None:
    """Attaching waits for a provisioned gateway; an attached gateway counts the group, filters
    group lists and cannot be deleted; detached, it is decommissioned and gone."""
    gateway = new_gateway(api, "Attach")
    group_id = new_group(api, "Gateway users")
    actions = f"/sim_card_groups/{group_id}/actions"
    body = {"private_wireless_gateway_id": gateway["id"]}
    early = api.post(f"{actions}/set_private_wireless_gateway", json=body)
    assert early.status_code == 422
    assert "provisioning" in only_error(early)["detail"]
    sb.advance()
    setting = api.post(f"{actions}/set_private_wireless_gateway", json=body)
    assert setting.status_code == 202
    assert setting.json()["data"]["settings"] == body
    assert api.delete(f"/private_wireless_gateways/{gateway['id']}").status_code == 422
    sb.advance()
    path = f"/private_wireless_gateways/{gateway['id']}"
    assert api.get(path).json()["data"]["assigned_resources"][0]["count"] == 1
    listed = api.get(
        "/sim_card_groups", params={"filter[private_wireless_gateway_id]": gateway["id"]}
    )
    assert [g["id"] for g in listed.json()["data"]] == [group_id]
    assert api.post(f"{actions}/remove_private_wireless_gateway").status_code == 202
    sb.advance()
    assert (
        api.get(f"/sim_card_groups/{group_id}").json()["data"]["private_wireless_gateway_id"]
        is None
    )
    deleted = api.delete(path)
    assert deleted.json()["data"]["status"]["value"] == "decommissioning"
    sb.advance()
    assert api.get(path).status_code == 404


def test_group_action_errors(api: httpx.Client) -> None:
    """An unknown group is a 404; an unknown gateway or blocklist a 422 (10017) pointing at it;
    removing what a group does not have a 422."""
    group_id = new_group(api, "Errors")
    unknown_group = api.post(f"/sim_card_groups/{UNKNOWN}/actions/remove_wireless_blocklist")
    assert unknown_group.status_code == 404
    for action, field in (
        ("set_private_wireless_gateway", "private_wireless_gateway_id"),
        ("set_wireless_blocklist", "wireless_blocklist_id"),
    ):
        response = api.post(f"/sim_card_groups/{group_id}/actions/{action}", json={field: UNKNOWN})
        assert response.status_code == 422
        error = only_error(response)
        assert (error["code"], error["source"]["pointer"]) == ("10017", f"/{field}")
        missing = api.post(f"/sim_card_groups/{group_id}/actions/{action}", json={})
        assert only_error(missing)["code"] == "10004"
    for action in ("remove_private_wireless_gateway", "remove_wireless_blocklist"):
        assert api.post(f"/sim_card_groups/{group_id}/actions/{action}").status_code == 422


def test_a_second_group_action_completes_the_first(sb: Sandbox, api: httpx.Client) -> None:
    """Two blocklists set on a group in a row: the first action completes at once, the
    second wins; the group action list filters by group, status and type."""
    group_id = new_group(api, "Twice")
    lists = [
        api.post(
            "/wireless_blocklists", json={"name": f"L{n}", "type": "mcc", "values": ["310"]}
        ).json()["data"]
        for n in range(2)
    ]
    actions = [
        api.post(
            f"/sim_card_groups/{group_id}/actions/set_wireless_blocklist",
            json={"wireless_blocklist_id": blocklist["id"]},
        ).json()["data"]
        for blocklist in lists
    ]
    read = "/sim_card_group_actions"
    assert api.get(f"{read}/{actions[0]['id']}").json()["data"]["status"] == "completed"
    running = {"filter[sim_card_group_id]": group_id, "filter[status]": "in-progress"}
    assert [a["id"] for a in api.get(read, params=running).json()["data"]] == [actions[1]["id"]]
    sb.advance()
    group = api.get(f"/sim_card_groups/{group_id}").json()["data"]
    assert group["wireless_blocklist_id"] == lists[1]["id"]
    typed = {"filter[sim_card_group_id]": group_id, "filter[type]": "set_wireless_blocklist"}
    assert len(api.get(read, params=typed).json()["data"]) == 2
    assert api.get(read, params={"filter[type]": "explode"}).status_code == 400
    assert api.delete(f"/wireless_blocklists/{lists[1]['id']}").status_code == 422
    assert api.delete(f"/wireless_blocklists/{lists[0]['id']}").status_code == 204


def test_group_data_limit_is_set_changed_and_removed(api: httpx.Client) -> None:
    """A group's data_limit is taken at creation, replaced by an update, and removed by null."""
    body = {"name": "Limited", "data_limit": {"amount": 5, "unit": "GB"}}
    group = api.post("/sim_card_groups", json=body).json()["data"]
    assert group["data_limit"] == {"amount": "5.0", "unit": "GB"}
    path = f"/sim_card_groups/{group['id']}"
    changed = api.patch(path, json={"data_limit": {"amount": "512", "unit": "MB"}}).json()
    assert changed["data"]["data_limit"] == {"amount": "512.0", "unit": "MB"}
    removed = api.patch(path, json={"data_limit": None}).json()["data"]
    assert "data_limit" not in removed
    refused = api.patch(path, json={"data_limit": {"amount": "1", "unit": "TB"}})
    assert refused.status_code == 422
    assert "data_limit" not in api.get(path).json()["data"]


# -- blocklists -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "pointer"),
    [
        ({"type": "country", "values": ["US"]}, "/name"),
        ({"name": "x", "values": ["US"]}, "/type"),
        ({"name": "x", "type": "planet", "values": ["US"]}, "/type"),
        ({"name": "x", "type": "country"}, "/values"),
        ({"name": "x", "type": "country", "values": []}, "/values"),
        ({"name": "x", "type": "country", "values": ["US", "XX"]}, "/values/1"),
        ({"name": "x", "type": "mcc", "values": ["US"]}, "/values/0"),
    ],
)
def test_bad_blocklist_is_a_422(api: httpx.Client, body: dict[str, Any], pointer: str) -> None:
    """A blocklist without name, type or values, or with a value its type cannot hold, is a 422
    pointing at the field."""
    response = api.post("/wireless_blocklists", json=body)
    assert response.status_code == 422
    assert only_error(response)["source"]["pointer"] == pointer


def test_blocklist_update_checks_values_against_its_type(api: httpx.Client) -> None:
    """An update renames a blocklist and replaces its values, checked against its type."""
    body = {"name": "Roaming", "type": "plmn", "values": ["310410"]}
    created = api.post("/wireless_blocklists", json=body).json()["data"]
    path = f"/wireless_blocklists/{created['id']}"
    updated = api.patch(path, json={"name": "Roam", "values": ["23415", "26201"]}).json()["data"]
    assert (updated["name"], updated["type"], updated["values"]) == (
        "Roam",
        "plmn",
        ["23415", "26201"],
    )
    assert api.patch(path, json={"values": ["US"]}).status_code == 422
    assert api.get(path).json()["data"]["values"] == ["23415", "26201"]
    assert api.get("/wireless_blocklists", params={"filter[name]": "Roam"}).json()["data"] == [
        updated
    ]


def test_blocklist_values_need_a_known_type(api: httpx.Client) -> None:
    """The possible values list takes type=country|mcc|plmn; without it, a 400 with 10004."""
    countries = api.get("/wireless_blocklist_values", params={"type": "country"}).json()
    assert {"country_code": "US"} in countries["data"]
    assert "meta" not in countries
    missing = api.get("/wireless_blocklist_values")
    assert (missing.status_code, only_error(missing)["code"]) == (400, "10004")
    assert api.get("/wireless_blocklist_values", params={"type": "imsi"}).status_code == 400


# -- reference data -------------------------------------------------------------------------------


def test_regions_need_a_known_product(api: httpx.Client) -> None:
    """Wireless regions answer for public_ips and private_wireless_gateways only."""
    regions = api.get("/wireless/regions", params={"product": "public_ips"}).json()["data"]
    assert {r["code"] for r in regions} >= {"dc2"}
    assert all(r["inserted_at"].endswith("Z") for r in regions)
    for params in ({}, {"product": "voice"}):
        assert api.get("/wireless/regions", params=params).status_code == 400


def test_operator_filters(api: httpx.Client) -> None:
    """Operators filter by name parts, codes and network preference support, and page."""
    everyone = api.get("/mobile_network_operators").json()
    assert everyone["meta"]["total_results"] == len(everyone["data"]) > 5
    vodafone = api.get("/mobile_network_operators", params={"filter[name][contains]": "Vodafone"})
    assert {o["country_code"] for o in vodafone.json()["data"]} == {"GB", "DE"}
    unpreferred = {"filter[network_preferences_enabled]": "false", "filter[mcc]": "208"}
    (sfr,) = api.get("/mobile_network_operators", params=unpreferred).json()["data"]
    assert (sfr["name"], sfr["network_preferences_enabled"]) == ("SFR", False)


def test_ota_updates_filter_and_carry_settings_when_retrieved(api: httpx.Client) -> None:
    """OTA updates list without settings, filter by SIM and status, retrieve with settings."""
    updates = api.get("/ota_updates").json()["data"]
    assert updates
    assert all("settings" not in u for u in updates)
    first = updates[0]
    mine = api.get("/ota_updates", params={"filter[sim_card_id]": first["sim_card_id"]}).json()
    assert [u["id"] for u in mine["data"]] == [first["id"]]
    failed = api.get("/ota_updates", params={"filter[status]": "failed"}).json()["data"]
    assert {u["status"] for u in failed} <= {"failed"}
    one = api.get(f"/ota_updates/{first['id']}").json()["data"]
    preferences = one["settings"]["mobile_network_operators_preferences"]
    assert [p["priority"] for p in preferences] == [0, 1]
    assert api.get(f"/ota_updates/{UNKNOWN}").status_code == 404


# -- orders ---------------------------------------------------------------------------------------


def test_order_moves_through_its_stages_with_the_clock(sb: Sandbox, api: httpx.Client) -> None:
    """An order is pending, then a stage further each action_delay, tracked once shipped."""
    address_id = next(iter(sb.state.orders.addresses))
    order = api.post("/sim_card_orders", json={"address_id": address_id, "quantity": 2}).json()
    order = order["data"]
    assert (order["status"], order["tracking_url"]) == ("pending", None)
    seen = []
    for _ in range(5):
        now = api.get(f"/sim_card_orders/{order['id']}").json()["data"]
        seen.append(now["status"])
        sb.advance()
    assert seen == ["pending", "processing", "ready_to_ship", "shipped", "delivered"]
    assert now["tracking_url"]
    assert now["updated_at"] > now["created_at"] == order["created_at"]


def test_order_prices_and_filters(sb: Sandbox, api: httpx.Client) -> None:
    """Orders cost their cards plus shipping (more abroad), as the preview says; the list
    filters by address, quantity and creation time."""
    domestic, abroad = (
        next(a for a in sb.state.orders.addresses.values() if (a["country_code"] == "US") == home)
        for home in (True, False)
    )
    for address, shipping in ((domestic, SHIPPING_PRICE), (abroad, INTERNATIONAL_SHIPPING_PRICE)):
        body = {"address_id": address["id"], "quantity": 7}
        preview = api.post("/sim_card_order_preview", json=body)
        assert preview.status_code == 202
        total = preview.json()["data"]["total_cost"]
        assert total == {"amount": f"{SIM_CARD_PRICE * 7 + shipping:.2f}", "currency": "USD"}
        order = api.post("/sim_card_orders", json=body).json()["data"]
        assert order["cost"] == total
        assert order["order_address"] == address
    by_country = api.get(
        "/sim_card_orders", params={"filter[address.country_code]": abroad["country_code"]}
    )
    assert {o["order_address"]["id"] for o in by_country.json()["data"]} == {abroad["id"]}
    by_time = api.get("/sim_card_orders", params={"filter[created_at]": order["created_at"]})
    assert order["id"] in {o["id"] for o in by_time.json()["data"]}
    assert api.get("/sim_card_orders", params={"filter[quantity]": "8"}).json()["data"] == []


@pytest.mark.parametrize(
    ("body", "code", "pointer"),
    [
        ({"quantity": 1}, "10004", "/address_id"),
        ({"address_id": "1293384261075731499", "quantity": 1}, "10017", "/address_id"),
        ({"address_id": "x", "quantity": 0}, "10015", "/quantity"),
        ({"address_id": "x"}, "10004", "/quantity"),
    ],
)
def test_bad_order_is_a_422(
    api: httpx.Client, body: dict[str, Any], code: str, pointer: str
) -> None:
    """An order or preview without a known address or a whole quantity is a 422."""
    for path in ("/sim_card_orders", "/sim_card_order_preview"):
        response = api.post(path, json=body)
        assert response.status_code == 422
        error = only_error(response)
        assert (error["code"], error["source"]["pointer"]) == (code, pointer)
