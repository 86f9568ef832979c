"""What Telnyx manages and clients read (wireless regions, mobile network operators, OTA updates)
and physical SIM card orders with their previews.

An order is charged and not idempotent: it is sent again only while nothing reached the server,
so a ``TransportError`` or ``ServerError`` means its outcome is unknown (list the orders to see
whether it was placed). A preview orders nothing and is retried like a read.
"""

from __future__ import annotations

from simtools.client.paging import PagedClient
from simtools.errors import InvalidInputError
from simtools.inputs.arguments import check_uuid
from simtools.inputs.wireless_arguments import check_choice, check_count, check_text
from simtools.wireless_models import (
    MobileNetworkOperator,
    OrderPreview,
    OtaUpdate,
    SimCardOrder,
    WirelessRegion,
)

__all__ = ["OTA_STATUSES", "REGION_PRODUCTS", "CatalogVerbs"]

#: What ``GET /wireless/regions?product=`` serves (the SDK's docstring names these two).
REGION_PRODUCTS = ("public_ips", "private_wireless_gateways")
OTA_STATUSES = ("in-progress", "completed", "failed")
_OPERATOR_NAME_MATCHES = ("starts_with", "contains", "ends_with")


class CatalogVerbs(PagedClient):
    """Regions, operators, OTA updates; SIM card orders and previews."""

    def list_wireless_regions(self, product: str = "public_ips") -> list[WirelessRegion]:
        """The regions where public IPs (or private wireless gateways) can be placed."""
        kind = check_choice(product, "product", REGION_PRODUCTS)
        response = self._call("GET", "wireless/regions", params={"product": kind})
        return self._data_list(response, WirelessRegion)

    def list_mobile_network_operators(
        self,
        *,
        country_code: str | None = None,
        mcc: str | None = None,
        mnc: str | None = None,
        tadig: str | None = None,
        name: str | None = None,
        name_match: str = "contains",
        network_preferences_enabled: bool | None = None,
    ) -> list[MobileNetworkOperator]:
        """The operators Telnyx SIMs can use, filtered; ``name`` matches as ``name_match`` says
        (``starts_with``, ``contains`` or ``ends_with``)."""
        params: dict[str, str] = {}
        for key, value in (("country_code", country_code), ("mcc", mcc), ("mnc", mnc)):
            if value is not None:
                params[f"filter[{key}]"] = check_text(value, key, f"e.g. {key}='...'")
        if tadig is not None:
            params["filter[tadig]"] = check_text(tadig, "tadig", "e.g. tadig='USACG'")
        if name is not None:
            match = check_choice(name_match, "name_match", _OPERATOR_NAME_MATCHES)
            params[f"filter[name][{match}]"] = check_text(name, "name", "e.g. name='Vodafone'")
        if network_preferences_enabled is not None:
            if not isinstance(network_preferences_enabled, bool):
                raise InvalidInputError(
                    network_preferences_enabled,
                    "network_preferences_enabled must be True, False or None",
                    "pass a bool",
                )
            params["filter[network_preferences_enabled]"] = str(network_preferences_enabled).lower()
        return self._collect("mobile_network_operators", params, MobileNetworkOperator)

    def list_ota_updates(
        self, *, sim_card_id: str | None = None, status: str | None = None
    ) -> list[OtaUpdate]:
        """Over-the-air updates of SIM settings (the list form has no ``settings``)."""
        params: dict[str, str] = {}
        if sim_card_id is not None:
            params["filter[sim_card_id]"] = check_uuid(sim_card_id, "sim_card_id")
        if status is not None:
            params["filter[status]"] = check_choice(status, "status", OTA_STATUSES)
        return self._collect("ota_updates", params, OtaUpdate)

    def get_ota_update(self, ota_update_id: str) -> OtaUpdate:
        """One OTA update with its ``settings``."""
        oid = check_uuid(ota_update_id, "ota_update_id")
        return self._data(self._call("GET", f"ota_updates/{oid}"), OtaUpdate)

    # -- orders -------------------------------------------------------------------------------

    def preview_sim_card_order(self, address_id: str, quantity: int) -> OrderPreview:
        """What ``quantity`` physical SIM cards shipped to the address would cost."""
        body = _order_body(address_id, quantity)
        return self._data(
            self._call("POST", "sim_card_order_preview", json_body=body), OrderPreview
        )

    def create_sim_card_order(self, address_id: str, quantity: int) -> SimCardOrder:
        """Order ``quantity`` physical SIM cards to one of the account's addresses (charged)."""
        body = _order_body(address_id, quantity)
        response = self._call("POST", "sim_card_orders", json_body=body, write=True)
        return self._data(response, SimCardOrder)

    def list_sim_card_orders(
        self, *, address_id: str | None = None, quantity: int | None = None
    ) -> list[SimCardOrder]:
        params: dict[str, str] = {}
        if address_id is not None:
            params["filter[address.id]"] = _address(address_id)
        if quantity is not None:
            params["filter[quantity]"] = str(check_count(quantity, "quantity"))
        return self._collect("sim_card_orders", params, SimCardOrder)

    def get_sim_card_order(self, order_id: str) -> SimCardOrder:
        oid = check_uuid(order_id, "order_id")
        return self._data(self._call("GET", f"sim_card_orders/{oid}"), SimCardOrder)


def _address(address_id: str) -> str:
    # Address ids are numeric strings (e.g. "1293384261075731499"), not UUIDs.
    return check_text(address_id, "address_id", "e.g. address_id='1293384261075731499'")


def _order_body(address_id: str, quantity: int) -> dict[str, object]:
    return {"address_id": _address(address_id), "quantity": check_count(quantity, "quantity")}
