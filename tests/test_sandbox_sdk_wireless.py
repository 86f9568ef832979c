"""The official SDK, unmodified and validating every answer strictly, calls each wireless endpoint
of the sandbox: SIM card changes and actions, bulk and group actions, gateways, blocklists,
regions, operators, OTA updates, orders and usage notifications.

Each call goes through ``with_raw_response`` so the test sees the status code, the parsed model and
the JSON. Absent values are sent as null, not left out: every field of the SDK's model is in the
JSON, but for the few the contract types as never null (a SIM's ``data_limit`` and
``sim_card_group_id``, a group's ``data_limit``), which are left out when there is none.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
import telnyx
from pydantic import BaseModel

from simtools.sandbox import Sandbox, serve
from simtools.sandbox.records import SimRecord

UNKNOWN = "6a09cdc3-8948-47f0-aa62-74ac943d6c58"
NETWORK = "5b1d5c9e-8d1b-4d52-9f55-5c8f0d1b0a11"
MAY_BE_ABSENT = {"data_limit", "sim_card_group_id", "pin_puk_codes"}


@pytest.fixture(scope="module")
def sb() -> Iterator[Sandbox]:
    """A private sandbox: these tests change SIMs, groups and more."""
    with serve(fleet_size=150, seed=11, code_pool=20) as sandbox:
        yield sandbox


@pytest.fixture(scope="module")
def sdk(sb: Sandbox) -> Iterator[telnyx.Telnyx]:
    client = telnyx.Telnyx(
        api_key=sb.api_key, base_url=sb.base_url, max_retries=0, _strict_response_validation=True
    )
    with client:
        yield client


def call(method: Callable[..., Any], *args: Any, status: int = 200, **kwargs: Any) -> Any:
    """Call a ``with_raw_response`` method: check the status and that no model field is left
    out of the JSON, then return the strictly parsed model."""
    raw = method(*args, **kwargs)
    assert raw.status_code == status, raw.http_response.text
    parsed = raw.parse()
    body = raw.http_response.json()
    if isinstance(body["data"], list):
        for model, item in zip(parsed.data, body["data"], strict=True):
            assert_complete(type(model), item)
    else:
        assert_complete(type(parsed.data), body["data"])
    return parsed


def paged(method: Callable[..., Any], *args: Any, **kwargs: Any) -> list[Any]:
    """Every item of a paginated list call, its first page checked as :func:`call` does."""
    raw = method(*args, **kwargs)
    assert raw.status_code == 200, raw.http_response.text
    page = raw.parse()
    body = raw.http_response.json()
    assert {"page_number", "page_size", "total_pages", "total_results"} <= set(body["meta"])
    items = list(page)
    for item, payload in zip(items, body["data"], strict=False):
        assert_complete(type(item), payload)
    return items


def assert_complete(model: type[BaseModel], payload: dict[str, Any]) -> None:
    names = {field.alias or name for name, field in model.model_fields.items()}
    missing = names - set(payload) - MAY_BE_ABSENT
    assert not missing, f"{model.__name__} lacks {sorted(missing)}"


@pytest.fixture(scope="module")
def taken() -> set[str]:
    """Ids of the SIMs the module's tests have taken, so that none shares a SIM."""
    return set()


def enabled_sim(sb: Sandbox, taken: set[str]) -> SimRecord:
    """An enabled, grouped SIM no other test of this module took."""
    for sim in sb.state.sims.values():
        if sim.status == "enabled" and sim.group_id and sim.id not in taken:
            taken.add(sim.id)
            return sim
    raise LookupError("no enabled SIM left")


# -- SIM cards ------------------------------------------------------------------------------------


def test_sdk_updates_every_writable_field_and_deletes(
    sb: Sandbox, sdk: telnyx.Telnyx, taken: set[str]
) -> None:
    """update takes data_limit, tags, group and authorized IMEIs (status stays put); delete
    answers the SIM disabling."""
    sim = enabled_sim(sb, taken)
    group = next(g for g in sb.state.groups.values() if not g.default and g.id != sim.group_id)
    updated = call(
        sdk.sim_cards.with_raw_response.update,
        sim.id,
        data_limit={"amount": "3", "unit": "GB"},
        tags=["sdk-update"],
        sim_card_group_id=group.id,
        authorized_imeis=None,
    ).data
    assert updated.data_limit is not None
    assert (updated.data_limit.amount, updated.data_limit.unit) == ("3.0", "GB")
    assert (updated.tags, updated.sim_card_group_id) == (["sdk-update"], group.id)
    assert updated.authorized_imeis is None
    assert updated.status is not None
    assert updated.status.value == "enabled"
    deleted = call(sdk.sim_cards.with_raw_response.delete, sim.id, report_lost=False).data
    assert deleted.status is not None
    assert deleted.status.value == "disabling"


def test_sdk_reads_device_details_and_connectivity_logs(
    sb: Sandbox, sdk: telnyx.Telnyx, taken: set[str]
) -> None:
    """Device details name the SIM's current IMEI; its connectivity logs page through."""
    sim = enabled_sim(sb, taken)
    details = call(sdk.sim_cards.with_raw_response.get_device_details, sim.id).data
    full = call(sdk.sim_cards.with_raw_response.retrieve, sim.id).data
    assert details.imei == full.current_imei
    assert details.device_model_name
    logs = paged(sdk.sim_cards.with_raw_response.list_wireless_connectivity_logs, sim.id)
    assert logs
    assert {log.sim_card_id for log in logs} == {sim.id}
    assert logs[-1].log_type == "registration"


def test_sdk_purchases_esims_and_reads_their_activation_codes(
    sb: Sandbox, sdk: telnyx.Telnyx
) -> None:
    """A purchase answers 202 with new eSIMs, each with an activation code; a physical SIM has
    none (422)."""
    bought = call(
        sdk.actions.purchase.with_raw_response.create, amount=2, tags=["bought"], status=202
    )
    assert bought.errors == []
    assert len(bought.data or []) == 2
    for esim in bought.data or []:
        assert (esim.type, esim.esim_installation_status, esim.tags) == (
            "esim",
            "released",
            ["bought"],
        )
        assert esim.eid is not None
        code = call(sdk.sim_cards.with_raw_response.get_activation_code, esim.id).data
        assert code.activation_code is not None
        assert code.activation_code.startswith("LPA:1$")
    physical = next(s for s in sb.state.sims.values() if s.wire["type"] == "physical")
    with pytest.raises(telnyx.UnprocessableEntityError):
        sdk.sim_cards.get_activation_code(physical.id)


# -- SIM card actions -----------------------------------------------------------------------------


def test_sdk_disables_and_sets_standby(sb: Sandbox, sdk: telnyx.Telnyx, taken: set[str]) -> None:
    """disable and set_standby answer 202 actions that complete once settled."""
    for method, settled in (("disable", "disabled"), ("set_standby", "standby")):
        sim = enabled_sim(sb, taken)
        action = call(getattr(sdk.sim_cards.actions.with_raw_response, method), sim.id, status=202)
        assert action.data.status.value == "in-progress"
        sb.advance()
        done = call(sdk.sim_cards.actions.with_raw_response.retrieve, action.data.id).data
        assert done.status.value == "completed"
        assert sdk.sim_cards.retrieve(sim.id).data.status.value == settled


def test_sdk_enables_and_disables_voice(sb: Sandbox, sdk: telnyx.Telnyx, taken: set[str]) -> None:
    """enable_voice (with a connection) and disable_voice answer actions; voice_enabled
    follows once each settles."""
    sim = enabled_sim(sb, taken)
    on = call(
        sdk.sim_cards.actions.with_raw_response.enable_voice,
        sim.id,
        connection_id="123456789",
        status=202,
    ).data
    assert (on.action_type, on.settings) == ("enable_voice", {"connection_id": "123456789"})
    sb.advance()
    assert sdk.sim_cards.retrieve(sim.id).data.voice_enabled is True
    off = call(sdk.sim_cards.actions.with_raw_response.disable_voice, sim.id, status=202).data
    assert off.action_type == "disable_voice"
    sb.advance()
    assert sdk.sim_cards.retrieve(sim.id).data.voice_enabled is False
    listed = paged(sdk.sim_cards.actions.with_raw_response.list, filter={"sim_card_id": sim.id})
    assert [a.action_type for a in listed] == ["disable_voice", "enable_voice"]


def test_sdk_bulk_voice_and_reads_bulk_actions(
    sb: Sandbox, sdk: telnyx.Telnyx, taken: set[str]
) -> None:
    """Bulk voice over a group answers 202; the bulk action lists, retrieves with its summary,
    and its SIM card actions are found by its id."""
    group = sdk.sim_card_groups.create(name="Bulk voice").data
    sim = enabled_sim(sb, taken)
    sdk.sim_cards.update(sim.id, sim_card_group_id=group.id)
    bulk = call(
        sdk.sim_cards.actions.with_raw_response.bulk_enable_voice,
        sim_card_group_id=group.id,
        status=202,
    ).data
    assert bulk.action_type == "bulk_enable_voice"
    sb.advance()
    detailed = call(sdk.bulk_sim_card_actions.with_raw_response.retrieve, bulk.id).data
    assert [(s.status, s.count) for s in detailed.sim_card_actions_summary] == [("completed", 1)]
    listed = paged(
        sdk.bulk_sim_card_actions.with_raw_response.list, filter_action_type="bulk_enable_voice"
    )
    assert bulk.id in {b.id for b in listed}
    children = paged(
        sdk.sim_cards.actions.with_raw_response.list, filter={"bulk_sim_card_action_id": bulk.id}
    )
    assert [(c.sim_card_id, c.action_type) for c in children] == [(sim.id, "enable_voice")]
    off = call(
        sdk.sim_cards.actions.with_raw_response.bulk_disable_voice,
        sim_card_group_id=group.id,
        status=202,
    ).data
    assert off.action_type == "bulk_disable_voice"


# -- groups and their actions ---------------------------------------------------------------------


def test_sdk_gateways_and_group_gateway_actions(sb: Sandbox, sdk: telnyx.Telnyx) -> None:
    """A gateway is created (202, provisioning), lists, retrieves provisioned, is set on and
    removed from a group by group actions, then deleted."""
    gateway = call(
        sdk.private_wireless_gateways.with_raw_response.create,
        name="SDK gateway",
        network_id=NETWORK,
        region_code="dc2",
        status=202,
    ).data
    assert gateway.status.value == "provisioning"
    sb.advance()
    assert (
        call(sdk.private_wireless_gateways.with_raw_response.retrieve, gateway.id).data.status.value
        == "provisioned"
    )
    listed = paged(sdk.private_wireless_gateways.with_raw_response.list, filter_name="SDK gateway")
    assert [g.id for g in listed] == [gateway.id]
    group = sdk.sim_card_groups.create(name="Gateway group").data
    actions = sdk.sim_card_groups.actions.with_raw_response
    setting = call(
        actions.set_private_wireless_gateway,
        group.id,
        private_wireless_gateway_id=gateway.id,
        status=202,
    ).data
    assert (setting.type, setting.status) == ("set_private_wireless_gateway", "in-progress")
    sb.advance()
    assert sdk.sim_card_groups.retrieve(group.id).data.private_wireless_gateway_id == gateway.id
    assert call(actions.retrieve, setting.id).data.status == "completed"
    removing = call(actions.remove_private_wireless_gateway, group.id, status=202).data
    sb.advance()
    mine = paged(actions.list, filter_sim_card_group_id=group.id)
    assert [a.id for a in mine] == [removing.id, setting.id]
    deleted = call(sdk.private_wireless_gateways.with_raw_response.delete, gateway.id).data
    assert deleted.status.value == "decommissioning"


def test_sdk_blocklists_their_values_and_group_blocklist_actions(
    sb: Sandbox, sdk: telnyx.Telnyx
) -> None:
    """Blocklists are created, listed, retrieved, updated and deleted; their possible values
    list for each type; a group action sets and removes one."""
    for kind, key in (("country", "country_code"), ("mcc", "mcc"), ("plmn", "plmn")):
        values = call(sdk.wireless_blocklist_values.with_raw_response.list, type=kind).data
        assert values
        assert all(getattr(v, key) for v in values)
    created = call(
        sdk.wireless_blocklists.with_raw_response.create,
        name="SDK blocklist",
        type="country",
        values=["CA", "US"],
    ).data
    assert created.values == ["CA", "US"]
    got = call(sdk.wireless_blocklists.with_raw_response.retrieve, created.id).data
    assert got.name == "SDK blocklist"
    updated = call(sdk.wireless_blocklists.with_raw_response.update, created.id, values=["MX"]).data
    assert updated.values == ["MX"]
    assert [
        b.id for b in paged(sdk.wireless_blocklists.with_raw_response.list, filter_type="country")
    ] == [created.id]
    group = sdk.sim_card_groups.create(name="Blocklist group").data
    actions = sdk.sim_card_groups.actions.with_raw_response
    call(actions.set_wireless_blocklist, group.id, wireless_blocklist_id=created.id, status=202)
    sb.advance()
    assert sdk.sim_card_groups.retrieve(group.id).data.wireless_blocklist_id == created.id
    call(actions.remove_wireless_blocklist, group.id, status=202)
    sb.advance()
    deleted = sdk.wireless_blocklists.with_raw_response.delete(created.id)
    assert (deleted.status_code, deleted.parse(), deleted.http_response.content) == (204, None, b"")
    with pytest.raises(telnyx.NotFoundError):
        sdk.wireless_blocklists.retrieve(created.id)


# -- reference data -------------------------------------------------------------------------------


def test_sdk_reads_regions_operators_and_ota_updates(sdk: telnyx.Telnyx) -> None:
    """Wireless regions, mobile network operators (filtered) and OTA updates all parse."""
    for product in ("public_ips", "private_wireless_gateways"):
        found = call(sdk.wireless.with_raw_response.retrieve_regions, product=product).data
        assert "dc2" in {r.code for r in found}
    operators = paged(
        sdk.mobile_network_operators.with_raw_response.list,
        filter={"country_code": "US", "name": {"starts_with": "AT"}},
    )
    assert [(o.mcc, o.mnc) for o in operators] == [("310", "410")]
    updates = paged(
        sdk.ota_updates.with_raw_response.list, filter={"type": "sim_card_network_preferences"}
    )
    assert updates
    one = call(sdk.ota_updates.with_raw_response.retrieve, updates[0].id).data
    assert one.settings.mobile_network_operators_preferences


# -- orders ---------------------------------------------------------------------------------------


def test_sdk_previews_creates_and_reads_orders(sb: Sandbox, sdk: telnyx.Telnyx) -> None:
    """A preview (202) prices an order; the order is created, retrieved and listed."""
    address_id = next(iter(sb.state.orders.addresses))
    preview = call(
        sdk.sim_card_order_preview.with_raw_response.preview,
        address_id=address_id,
        quantity=4,
        status=202,
    ).data
    assert preview.total_cost is not None
    order = call(
        sdk.sim_card_orders.with_raw_response.create, address_id=address_id, quantity=4
    ).data
    assert order.cost.amount == preview.total_cost.amount
    assert order.order_address.id == address_id
    assert call(sdk.sim_card_orders.with_raw_response.retrieve, order.id).data.quantity == 4
    listed = paged(sdk.sim_card_orders.with_raw_response.list, filter={"address_id": address_id})
    assert order.id in {o.id for o in listed}


# -- usage notifications --------------------------------------------------------------------------


def test_sdk_manages_usage_notifications(sb: Sandbox, sdk: telnyx.Telnyx, taken: set[str]) -> None:
    """Notifications are created (201), listed by SIM, retrieved, updated and deleted."""
    sim = enabled_sim(sb, taken)
    notifications = sdk.sim_card_data_usage_notifications.with_raw_response
    created = call(
        notifications.create,
        sim_card_id=sim.id,
        threshold={"amount": "750", "unit": "MB"},
        status=201,
    ).data
    assert (created.threshold.amount, created.threshold.unit) == ("750.0", "MB")
    assert [n.id for n in paged(notifications.list, filter_sim_card_id=sim.id)] == [created.id]
    assert call(notifications.retrieve, created.id).data.sim_card_id == sim.id
    updated = call(notifications.update, created.id, threshold={"amount": "2", "unit": "GB"}).data
    assert (updated.threshold.amount, updated.threshold.unit) == ("2.0", "GB")
    assert call(notifications.delete, created.id).data.id == created.id
    with pytest.raises(telnyx.NotFoundError):
        sdk.sim_card_data_usage_notifications.retrieve(created.id)


# -- public IPs -----------------------------------------------------------------------------------


def test_sdk_public_ip_actions_parse_loosely_only(
    sb: Sandbox, sdk: telnyx.Telnyx, taken: set[str]
) -> None:
    """set_public_ip, bulk_set_public_ips and remove_public_ip answer actions whose action_type
    the SDK's response enum lacks: its default (lenient) parsing reads them and strict parsing
    refuses them; the public IP itself parses strictly."""
    sim, other = enabled_sim(sb, taken), enabled_sim(sb, taken)
    with telnyx.Telnyx(api_key=sb.api_key, base_url=sb.base_url, max_retries=0) as lenient:
        setting = lenient.sim_cards.actions.set_public_ip(sim.id, region_code="dc2").data
        assert setting.action_type == "set_public_ip"
        with pytest.raises(telnyx.APIResponseValidationError):
            sdk.sim_cards.actions.set_public_ip(other.id)
        sb.advance()
        address = call(sdk.sim_cards.with_raw_response.get_public_ip, sim.id).data
        assert address.ip is not None
        assert address.region_code == "dc2"
        bulk = call(
            sdk.sim_cards.actions.with_raw_response.bulk_set_public_ips,
            sim_card_ids=[sim.id],
            status=202,
        ).data
        sb.advance()
        summary = sdk.bulk_sim_card_actions.retrieve(bulk.id).data.sim_card_actions_summary
        assert [(s.status, s.count) for s in summary] == [("failed", 1)]
        removing = lenient.sim_cards.actions.remove_public_ip(sim.id).data
        assert removing.action_type == "remove_public_ip"
        sb.advance()
    with pytest.raises(telnyx.NotFoundError):
        sdk.sim_cards.get_public_ip(sim.id)
