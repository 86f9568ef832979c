"""SimClient speaks every wireless endpoint of the sandbox over real HTTP: eSIMs and their
activation codes, device details, public IPs, connectivity logs, voice and public IP actions, bulk
and group actions, gateways, blocklists, regions, operators, OTA updates and orders."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from simtools.client import SimClient
from simtools.client.esim import WITHHELD
from simtools.client.retrying import RetryPolicy
from simtools.errors import (
    ApiError,
    InvalidInputError,
    NotFoundError,
    ResponseError,
    TransportError,
)
from simtools.sandbox import Sandbox, serve
from simtools.sandbox.records import SimRecord

NETWORK = "5b1d5c9e-8d1b-4d52-9f55-5c8f0d1b0a11"
SOME_SIM = "6a09cdc3-8948-47f0-aa62-74ac943d6c58"


@pytest.fixture(scope="module")
def sb() -> Iterator[Sandbox]:
    """A private sandbox: these tests buy eSIMs, change SIMs and groups."""
    with serve(fleet_size=120, seed=21) as sandbox:
        yield sandbox


@pytest.fixture(scope="module")
def client(sb: Sandbox) -> Iterator[SimClient]:
    with SimClient(sb.api_key, base_url=sb.base_url) as c:
        yield c


@pytest.fixture(scope="module")
def taken() -> set[str]:
    return set()


def enabled_sim(sb: Sandbox, taken: set[str]) -> SimRecord:
    """An enabled, grouped physical SIM no other test of this module took."""
    for sim in sb.state.sims.values():
        if sim.status == "enabled" and sim.group_id and sim.id not in taken:
            if sim.wire["type"] == "physical":
                taken.add(sim.id)
                return sim
    raise LookupError("no enabled SIM left")


def test_purchase_answers_new_esims_whose_codes_are_secrets(client: SimClient) -> None:
    """A purchase answers the new eSIMs (released, tagged); each activation code reads as a
    SecretStr that no repr, str or JSON dump shows."""
    bought = client.purchase_esims(2, tags=["bought"], status="disabled")
    assert bought.errors == []
    assert [(s.type, s.esim_installation_status, s.tags) for s in bought.data] == [
        ("esim", "released", ["bought"])
    ] * 2
    assert bought.data[0].id is not None
    code = client.get_activation_code(bought.data[0].id)
    assert code.activation_code is not None
    secret = code.activation_code.get_secret_value()
    assert secret.startswith("LPA:1$")
    for text in (repr(code), str(code), code.model_dump_json(), repr(code.model_dump())):
        assert secret not in text
    assert code.sim_card_id == bought.data[0].id


def test_activation_code_is_refused_for_a_physical_sim_and_an_installed_esim(
    sb: Sandbox, client: SimClient, taken: set[str]
) -> None:
    """A physical SIM has no code, and an eSIM has none once a device installed it (422)."""
    with pytest.raises(ApiError) as info:
        client.get_activation_code(enabled_sim(sb, taken).id)
    assert info.value.status_code == 422
    esim = client.purchase_esims(1).data[0]
    assert esim.id is not None
    sb.state.enrolment.install_esim(esim.id)
    assert client.get_sim_card(esim.id).esim_installation_status == "disabled"
    with pytest.raises(ApiError, match="installed already"):
        client.get_activation_code(esim.id)


@pytest.mark.parametrize(
    "body",
    [
        b'{"data": {"activation_code": 12345, "note": "LPA:1$smdp.example.com$SECRET"}}',
        b'{"data": "LPA:1$smdp.example.com$SECRET"}',
        b"LPA:1$smdp.example.com$SECRET",
    ],
)
def test_an_activation_code_answer_that_does_not_read_is_not_quoted(body: bytes) -> None:
    """A malformed answer is a ResponseError that withholds the body, which may be the code."""
    transport = httpx.MockTransport(lambda request: httpx.Response(200, content=body))
    with SimClient("KEY0123456789", transport=transport, retry=RetryPolicy(attempts=1)) as c:
        with pytest.raises(ResponseError) as info:
            c.get_activation_code(SOME_SIM)
    assert "SECRET" not in str(info.value)
    assert "SECRET" not in repr(info.value)
    assert WITHHELD in str(info.value)


def test_a_purchase_whose_answer_is_lost_is_not_sent_again(sb: Sandbox, client: SimClient) -> None:
    """The server bought the eSIMs but the answer was lost: one request only, and the
    TransportError says the request may have been performed."""
    before = sum(1 for s in sb.state.sims.values() if s.wire["type"] == "esim")
    sb.clear_request_log()
    sb.faults.drop_rate = 1.0
    try:
        with pytest.raises(TransportError) as info:
            client.purchase_esims(3, tags=["lost-answer"])
    finally:
        sb.faults.drop_rate = 0.0
    assert info.value.request_sent
    assert sb.request_log.count(("POST", "/v2/actions/purchase/esims")) == 1
    after = sum(1 for s in sb.state.sims.values() if s.wire["type"] == "esim")
    assert after == before + 3


def test_device_details_public_ip_and_connectivity_logs(
    sb: Sandbox, client: SimClient, taken: set[str]
) -> None:
    """Device details name the SIM and its IMEI; a public IP is set, read, then removed (404
    after); the logs of the SIM page through, registrations and data sessions."""
    sim = enabled_sim(sb, taken)
    details = client.get_device_details(sim.id)
    assert (details.sim_card_id, details.imei) == (sim.id, client.get_sim_card(sim.id).current_imei)
    assert details.model_name
    setting = client.set_public_ip(sim.id, region_code="fr5")
    assert (setting.action_type, setting.settings) == ("set_public_ip", {"region_code": "fr5"})
    sb.advance()
    address = client.get_public_ip(sim.id)
    assert (address.sim_card_id, address.region_code) == (sim.id, "fr5")
    assert address.ip is not None
    client.remove_public_ip(sim.id)
    sb.advance()
    with pytest.raises(NotFoundError):
        client.get_public_ip(sim.id)
    logs = client.list_connectivity_logs(sim.id)
    assert {log.sim_card_id for log in logs} == {sim.id}
    assert {log.log_type for log in logs} == {"registration", "data"}
    assert all(log.mobile_country_code and log.mobile_network_code for log in logs)


def test_voice_actions_and_bulk_actions_read_back(
    sb: Sandbox, client: SimClient, taken: set[str]
) -> None:
    """Voice goes on and off per SIM; bulk voice over a group and bulk public IPs answer bulk
    actions whose summaries and SIM card actions read back."""
    sim = enabled_sim(sb, taken)
    on = client.enable_voice(sim.id, connection_id="1293384261075731499")
    assert on.settings == {"connection_id": "1293384261075731499"}
    sb.advance()
    assert client.get_sim_card(sim.id).voice_enabled is True
    client.disable_voice(sim.id)
    sb.advance()
    assert client.get_sim_card(sim.id).voice_enabled is False

    group = client.create_sim_card_group("Bulk voice (client)")
    assert group.id is not None
    client.update_sim_card(sim.id, sim_card_group_id=group.id)
    bulk = client.bulk_enable_voice(group.id)
    assert bulk.id is not None
    sb.advance()
    detailed = client.get_bulk_sim_card_action(bulk.id)
    assert [(s.status, s.count) for s in detailed.sim_card_actions_summary or []] == [
        ("completed", 1)
    ]
    listed = client.list_bulk_sim_card_actions(action_type="bulk_enable_voice")
    assert bulk.id in {b.id for b in listed}
    children = client.list_sim_card_actions(bulk_sim_card_action_id=bulk.id)
    assert [(c.sim_card_id, c.action_type) for c in children] == [(sim.id, "enable_voice")]
    assert client.bulk_disable_voice(group.id).action_type == "bulk_disable_voice"
    ips = client.bulk_set_public_ips([sim.id])
    assert ips.settings == {"sim_card_ids": [sim.id]}
    typed = client.list_sim_card_actions(sim_card_id=sim.id, action_type="set_public_ip")
    assert len(typed) == 1


def test_gateways_blocklists_and_group_actions(sb: Sandbox, client: SimClient) -> None:
    """A gateway and a blocklist are created, listed, read, attached to a group and detached by
    group actions that list by group, then deleted."""
    gateway = client.create_private_wireless_gateway("Client gateway", NETWORK, region_code="dc2")
    assert gateway.status is not None
    assert gateway.status.value == "provisioning"
    assert gateway.id is not None
    sb.advance()
    assert client.get_private_wireless_gateway(gateway.id).status.value == "provisioned"  # type: ignore[union-attr]
    assert [g.id for g in client.list_private_wireless_gateways(name="Client gateway")] == [
        gateway.id
    ]
    blocklist = client.create_wireless_blocklist("No roaming", "country", ["CA", "US"])
    assert blocklist.id is not None
    assert client.update_wireless_blocklist(blocklist.id, values=["MX"]).values == ["MX"]
    assert client.get_wireless_blocklist(blocklist.id).name == "No roaming"
    assert blocklist.id in {b.id for b in client.list_wireless_blocklists(type="country")}
    assert {v.country_code for v in client.list_wireless_blocklist_values("country")} >= {"US"}

    group = client.create_sim_card_group("Private network (client)")
    assert group.id is not None
    set_gw = client.set_private_wireless_gateway(group.id, gateway.id)
    set_bl = client.set_wireless_blocklist(group.id, blocklist.id)
    sb.advance()
    attached = client.get_sim_card_group(group.id)
    assert (attached.private_wireless_gateway_id, attached.wireless_blocklist_id) == (
        gateway.id,
        blocklist.id,
    )
    assert set_gw.id is not None
    assert client.get_sim_card_group_action(set_gw.id).status == "completed"
    client.remove_private_wireless_gateway(group.id)
    client.remove_wireless_blocklist(group.id)
    sb.advance()
    mine = client.list_sim_card_group_actions(sim_card_group_id=group.id)
    assert {a.type for a in mine} == {
        "set_private_wireless_gateway",
        "set_wireless_blocklist",
        "remove_private_wireless_gateway",
        "remove_wireless_blocklist",
    }
    assert set_bl.id in {a.id for a in mine}
    assert client.delete_private_wireless_gateway(gateway.id).status.value == "decommissioning"  # type: ignore[union-attr]
    assert client.delete_wireless_blocklist(blocklist.id) is None
    with pytest.raises(NotFoundError):
        client.get_wireless_blocklist(blocklist.id)


def test_regions_operators_ota_updates_and_orders(sb: Sandbox, client: SimClient) -> None:
    """Regions, filtered operators and OTA updates read; a preview prices an order, which is
    then placed, read and listed."""
    assert "dc2" in {r.code for r in client.list_wireless_regions("private_wireless_gateways")}
    operators = client.list_mobile_network_operators(
        country_code="US", name="AT", name_match="starts_with"
    )
    assert [(o.mcc, o.mnc) for o in operators] == [("310", "410")]
    updates = client.list_ota_updates(status="completed")
    assert updates
    assert updates[0].id is not None
    assert client.get_ota_update(updates[0].id).settings
    address = next(iter(sb.state.orders.addresses))
    preview = client.preview_sim_card_order(address, 4)
    order = client.create_sim_card_order(address, 4)
    assert order.cost is not None
    assert preview.total_cost is not None
    assert order.cost.amount == preview.total_cost.amount
    assert order.id is not None
    assert client.get_sim_card_order(order.id).quantity == 4
    assert order.id in {o.id for o in client.list_sim_card_orders(address_id=address)}


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda c: c.purchase_esims(0), "at least 1"),
        (lambda c: c.purchase_esims(5000), "more than 1000"),
        (lambda c: c.purchase_esims(1, whitelabel_name="Acme!"), "letters, numbers"),
        (lambda c: c.purchase_esims(1, status="deleted"), "status"),
        (
            lambda c: c.set_public_ip(SOME_SIM, region_code="DC 2"),
            "region",
        ),
        (lambda c: c.create_wireless_blocklist("x", "country", ["usa"]), "cannot be in a country"),
        (lambda c: c.create_wireless_blocklist("x", "asn", ["1"]), "type"),
        (lambda c: c.list_bulk_sim_card_actions(action_type="bulk_delete"), "action_type"),
        (lambda c: c.get_device_details("not-a-uuid"), "not a UUID"),
        (lambda c: c.create_sim_card_order("", 3), "address_id"),
        (lambda c: c.list_wireless_regions("sms"), "product"),
        (lambda c: c.update_wireless_blocklist(SOME_SIM), "nothing"),
    ],
)
def test_bad_input_is_refused_before_anything_is_sent(
    sb: Sandbox, client: SimClient, call: object, match: str
) -> None:
    """Each bad argument raises InvalidInputError naming it, and the server hears nothing."""
    sb.clear_request_log()
    with pytest.raises(InvalidInputError, match=match):
        call(client)  # type: ignore[operator]
    assert sb.request_log == []
