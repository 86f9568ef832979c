"""SIM card orders and their previews, shipped to the account's user addresses.

The account has a few synthetic user addresses (:attr:`OrderBook.addresses`, ids are numeric
strings as Telnyx writes them); an order or preview names one by ``address_id``. Prices are the
sandbox's own: each SIM card costs ``SIM_CARD_PRICE`` and shipping ``SHIPPING_PRICE`` within the
United States or ``INTERNATIONAL_SHIPPING_PRICE`` elsewhere, all in USD. An order moves through
``pending``, ``processing``, ``ready_to_ship``, ``shipped`` and ``delivered``, one stage per
``action_delay`` of the sandbox clock; its status is worked out when read, so nothing runs in the
background. Not locked on its own: every public method takes the store's lock.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from simtools.sandbox.wdrs import parse_instant
from simtools.sandbox.wire import ApiProblem, iso

if TYPE_CHECKING:
    from simtools.sandbox.state import SandboxState

__all__ = [
    "INTERNATIONAL_SHIPPING_PRICE",
    "ORDER_FILTERS",
    "SHIPPING_PRICE",
    "SIM_CARD_PRICE",
    "OrderBook",
]

SIM_CARD_PRICE = Decimal("1.00")
SHIPPING_PRICE = Decimal("5.00")
INTERNATIONAL_SHIPPING_PRICE = Decimal("20.00")
_STAGES = ("pending", "processing", "ready_to_ship", "shipped", "delivered")
#: (business, first name, last name, street, extended, locality, area, postal code, country).
_ADDRESSES = (
    ("Acme IoT", "Jane", "Doe", "600 Congress Avenue", "14th Floor", "Austin", "TX", "78701", "US"),
    ("Acme IoT", "Max", "Mustermann", "Friedrichstrasse 68", None, "Berlin", "BE", "10117", "DE"),
    ("Acme IoT", "Sam", "Smith", "1 Canada Square", "Level 30", "London", None, "E14 5AB", "GB"),
)
_ADDRESS_KEYS = (
    "business_name",
    "first_name",
    "last_name",
    "street_address",
    "extended_address",
    "locality",
    "administrative_area",
    "postal_code",
    "country_code",
)


def _address_field(key: str) -> Callable[[dict[str, Any]], Any]:
    return lambda order: order["order_address"][key]


#: ``filter[<key>]`` of ``GET /sim_card_orders`` and the order value each one compares with.
ORDER_FILTERS: dict[str, Callable[[dict[str, Any]], Any]] = {
    "quantity": lambda order: str(order["quantity"]),
    "cost.amount": lambda order: order["cost"]["amount"],
    "cost.currency": lambda order: order["cost"]["currency"],
    "address.id": _address_field("id"),
    **{f"address.{key}": _address_field(key) for key in _ADDRESS_KEYS[3:]},
}


def _money(amount: Decimal) -> dict[str, str]:
    return {"amount": f"{amount:.2f}", "currency": "USD"}


class OrderBook:
    """The user addresses, orders and order previews of one sandbox."""

    def __init__(self, state: SandboxState) -> None:
        self._state = state
        rng = random.Random(f"addresses:{state.seed}")
        #: The account's user addresses by id, the shape an order's ``order_address`` has.
        self.addresses: dict[str, dict[str, Any]] = {}
        for values in _ADDRESSES:
            address: dict[str, Any] = dict(zip(_ADDRESS_KEYS, values, strict=True))
            address = {"id": str(rng.randrange(10**18, 9 * 10**18)), **address}
            self.addresses[address["id"]] = address
        self._orders: dict[str, dict[str, Any]] = {}

    def _address(self, address_id: str) -> dict[str, Any]:
        address = self.addresses.get(address_id)
        if address is None:
            raise ApiProblem.single(
                422,
                "10017",
                f"Address {address_id} does not exist among the account's user addresses.",
                pointer="/address_id",
            )
        return address

    def _costs(self, address: dict[str, Any], quantity: int) -> tuple[Decimal, Decimal]:
        domestic = address["country_code"] == "US"
        shipping = SHIPPING_PRICE if domestic else INTERNATIONAL_SHIPPING_PRICE
        return SIM_CARD_PRICE * quantity, shipping

    def preview(self, address_id: str, quantity: int) -> dict[str, Any]:
        with self._state.locked():
            cards, shipping = self._costs(self._address(address_id), quantity)
            return {
                "quantity": quantity,
                "record_type": "sim_card_order_preview",
                "shipping_cost": _money(shipping),
                "sim_cards_cost": _money(cards),
                "total_cost": _money(cards + shipping),
            }

    def create(self, address_id: str, quantity: int) -> dict[str, Any]:
        state = self._state
        with state.locked():
            address = self._address(address_id)
            cards, shipping = self._costs(address, quantity)
            order_id = state.new_id()
            self._orders[order_id] = {
                "id": order_id,
                "record_type": "sim_card_order",
                "order_address": dict(address),
                "quantity": quantity,
                "cost": _money(cards + shipping),
                "created": state.clock.now(),
            }
            return self._wire(self._orders[order_id])

    def _wire(self, order: dict[str, Any]) -> dict[str, Any]:
        created, delay = order["created"], self._state.action_delay
        elapsed = self._state.clock.now() - created
        stage = len(_STAGES) - 1 if delay <= 0 else min(int(elapsed / delay), len(_STAGES) - 1)
        body = {k: v for k, v in order.items() if k != "created"}
        body["status"] = _STAGES[stage]
        shipped = stage >= _STAGES.index("shipped")
        body["tracking_url"] = (
            f"https://tracking.example.com/{order['id'].replace('-', '')[:18]}" if shipped else None
        )
        body["created_at"] = iso(created)
        body["updated_at"] = iso(created + stage * max(delay, 0.0))
        return body

    def get(self, order_id: str) -> dict[str, Any]:
        with self._state.locked():
            return self._wire(self._state.lookup(self._orders, order_id, "SIM card order"))

    def matching(self, filters: Mapping[str, str]) -> list[dict[str, Any]]:
        """The orders matching every filter given (``created_at`` and ``updated_at`` as
        instants, the others as text), oldest first."""
        with self._state.locked():
            orders = [self._wire(order) for order in self._orders.values()]
        for key, wanted in filters.items():
            if key in ("created_at", "updated_at"):
                instant = parse_instant(wanted)
                orders = [o for o in orders if parse_instant(o[key]) == instant]
            else:
                orders = [o for o in orders if ORDER_FILTERS[key](o) == wanted]
        return orders
