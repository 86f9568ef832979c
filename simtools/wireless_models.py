"""Pydantic v2 models of the wireless API's objects beyond SIM cards and groups (SDK 4.189.0).

Lenient like :mod:`simtools.models`: every field optional, enum-like fields plain strings, unknown
fields kept (``extra="allow"``), amounts the decimal strings the API sends. The one exception is
:class:`ActivationCode`: an eSIM's activation code is a secret for as long as it is valid, so it is
held as a :class:`pydantic.SecretStr` (``**********`` in every repr, str and JSON dump) and unknown
fields of that answer are dropped, since one of them could be the code in another form (a QR
image, say).
"""

from __future__ import annotations

from typing import Any

from pydantic import ConfigDict, SecretStr

from simtools.models import Money, RegisterResponse, WireModel

__all__ = [
    "ActivationCode",
    "BlocklistValue",
    "BulkSimCardAction",
    "ConnectivityLog",
    "DeviceDetails",
    "EsimPurchaseResponse",
    "GatewayStatus",
    "MobileNetworkOperator",
    "OrderAddress",
    "OrderPreview",
    "OtaUpdate",
    "PrivateWirelessGateway",
    "PublicIp",
    "SimCardActionsSummary",
    "SimCardGroupAction",
    "SimCardOrder",
    "WirelessBlocklist",
    "WirelessRegion",
]


class ActivationCode(WireModel):
    """``GET /sim_cards/{id}/activation_code``: the LPA string a device scans to download the
    eSIM profile (``LPA:1$<SM-DP+ address>$<matching id>``), held as a secret.

    ``activation_code.get_secret_value()`` reveals it; simtools does so only to draw a QR code
    or write the label sheet the user asked for.
    """

    model_config = ConfigDict(extra="ignore", populate_by_name=True)

    sim_card_id: str | None = None
    activation_code: SecretStr | None = None
    record_type: str | None = None


class EsimPurchaseResponse(RegisterResponse):
    """The body of ``POST /actions/purchase/esims``: ``{data: [SimpleSIMCard], errors}``, as
    register answers (CONTRACT.md section 5.1)."""


class DeviceDetails(WireModel):
    """``GET /sim_cards/{id}/device_details``; the wire's ``model_name`` (the SDK's
    ``device_model_name``). The answer does not name the SIM: ``sim_card_id`` is set by the
    client from the request."""

    sim_card_id: str | None = None
    brand_name: str | None = None
    device_type: str | None = None
    imei: str | None = None
    model_name: str | None = None
    operating_system: str | None = None
    record_type: str | None = None


class PublicIp(WireModel):
    """``GET /sim_cards/{id}/public_ip``: ``ip`` is null until the address is provisioned."""

    sim_card_id: str | None = None
    ip: str | None = None
    region_code: str | None = None
    type: str | None = None
    record_type: str | None = None
    created_at: str | None = None
    updated_at: str | None = None


class ConnectivityLog(WireModel):
    """One entry of ``GET /sim_cards/{id}/wireless_connectivity_logs``: a registration on a
    network or a data session, with the network's MCC and MNC."""

    id: int | None = None
    sim_card_id: str | None = None
    log_type: str | None = None
    state: str | None = None
    apn: str | None = None
    cell_id: str | None = None
    imei: str | None = None
    imsi: str | None = None
    ipv4: str | None = None
    ipv6: str | None = None
    mobile_country_code: str | None = None
    mobile_network_code: str | None = None
    radio_access_technology: str | None = None
    start_time: str | None = None
    stop_time: str | None = None
    last_seen: str | None = None
    created_at: str | None = None
    record_type: str | None = None


class SimCardActionsSummary(WireModel):
    """How many of a bulk action's SIM card actions are in one status."""

    count: int | None = None
    status: str | None = None


class BulkSimCardAction(WireModel):
    """A bulk action (``bulk_enable_voice``, ``bulk_disable_voice``, ``bulk_set_public_ips``);
    the reads add ``sim_card_actions_summary``."""

    id: str | None = None
    action_type: str | None = None
    settings: dict[str, Any] | None = None
    sim_card_actions_summary: list[SimCardActionsSummary] | None = None
    record_type: str | None = None
    created_at: str | None = None
    updated_at: str | None = None


class SimCardGroupAction(WireModel):
    """A group action: ``type`` set/remove a private wireless gateway or a wireless blocklist;
    ``status`` is a plain string here (``in-progress``, ``completed``, ``failed``)."""

    id: str | None = None
    sim_card_group_id: str | None = None
    type: str | None = None
    status: str | None = None
    settings: dict[str, Any] | None = None
    record_type: str | None = None
    created_at: str | None = None
    updated_at: str | None = None


class GatewayStatus(WireModel):
    value: str | None = None
    error_code: str | None = None
    error_description: str | None = None


class PrivateWirelessGateway(WireModel):
    """A private wireless gateway: ``status.value`` is ``provisioning``, ``provisioned``,
    ``failed`` or ``decommissioning``."""

    id: str | None = None
    name: str | None = None
    network_id: str | None = None
    ip_range: str | None = None
    region_code: str | None = None
    address_mode: str | None = None
    status: GatewayStatus | None = None
    assigned_resources: list[Any] | None = None
    record_type: str | None = None
    created_at: str | None = None
    updated_at: str | None = None


class WirelessBlocklist(WireModel):
    """A wireless blocklist: networks a SIM card group may not use, by ``type`` (``country``,
    ``mcc`` or ``plmn``) and ``values``."""

    id: str | None = None
    name: str | None = None
    type: str | None = None
    values: list[str] | None = None
    record_type: str | None = None
    created_at: str | None = None
    updated_at: str | None = None


class BlocklistValue(WireModel):
    """One value a blocklist of a type may hold: ``country_code``, ``mcc`` or ``plmn``."""

    country_code: str | None = None
    mcc: str | None = None
    plmn: str | None = None


class OrderAddress(WireModel):
    id: str | None = None
    business_name: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    street_address: str | None = None
    extended_address: str | None = None
    locality: str | None = None
    administrative_area: str | None = None
    postal_code: str | None = None
    country_code: str | None = None


class SimCardOrder(WireModel):
    """A physical SIM card order: ``status`` from ``pending`` to ``delivered`` (or
    ``canceled``)."""

    id: str | None = None
    quantity: int | None = None
    status: str | None = None
    cost: Money | None = None
    order_address: OrderAddress | None = None
    tracking_url: str | None = None
    record_type: str | None = None
    created_at: str | None = None
    updated_at: str | None = None


class OrderPreview(WireModel):
    """``POST /sim_card_order_preview``: what an order would cost, nothing ordered."""

    quantity: int | None = None
    sim_cards_cost: Money | None = None
    shipping_cost: Money | None = None
    total_cost: Money | None = None
    record_type: str | None = None


class WirelessRegion(WireModel):
    """A region public IPs and private wireless gateways are placed in."""

    code: str | None = None
    name: str | None = None
    inserted_at: str | None = None
    updated_at: str | None = None


class MobileNetworkOperator(WireModel):
    id: str | None = None
    name: str | None = None
    country_code: str | None = None
    mcc: str | None = None
    mnc: str | None = None
    tadig: str | None = None
    network_preferences_enabled: bool | None = None
    record_type: str | None = None


class OtaUpdate(WireModel):
    """An over-the-air update of a SIM's settings (``sim_card_network_preferences``); the single
    read adds ``settings``."""

    id: str | None = None
    sim_card_id: str | None = None
    type: str | None = None
    status: str | None = None
    settings: dict[str, Any] | None = None
    record_type: str | None = None
    created_at: str | None = None
    updated_at: str | None = None
