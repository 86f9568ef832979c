"""Routes of SIM card orders and order previews."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from simtools.sandbox.answers import API_PREFIX, json_response, page_response, path_id
from simtools.sandbox.orders import ORDER_FILTERS
from simtools.sandbox.params import int_field, parse_body, text_field, text_param
from simtools.sandbox.state import SandboxState

__all__ = ["MAX_ORDER_QUANTITY", "order_routes"]

#: The most SIM cards one order may ask for: the API publishes no bound, the sandbox keeps one.
MAX_ORDER_QUANTITY = 10_000
_FILTERS = ("created_at", "updated_at", *ORDER_FILTERS)


def _order_fields(body: dict[str, Any]) -> tuple[str, int]:
    # Address ids are numeric strings (e.g. "1293384261075731499"), not UUIDs.
    address_id = text_field(body, "address_id", required=True)
    assert address_id is not None
    return address_id, int_field(body, "quantity", low=1, high=MAX_ORDER_QUANTITY)


def order_routes(state: SandboxState) -> list[Route]:
    """The order routes, each a closure over ``state``."""
    orders = state.orders

    async def create(request: Request) -> Response:
        address_id, quantity = _order_fields(parse_body(await request.body()))
        return json_response({"data": orders.create(address_id, quantity)})

    async def list_all(request: Request) -> Response:
        params = request.query_params
        filters = {f: v for f in _FILTERS if (v := text_param(params, f"filter[{f}]"))}
        return page_response(params, orders.matching(filters))

    async def get_one(request: Request) -> Response:
        return json_response({"data": orders.get(path_id(request, "SIM card order"))})

    async def preview(request: Request) -> Response:
        address_id, quantity = _order_fields(parse_body(await request.body()))
        # 202, as the Telnyx spec answers the preview.
        return json_response({"data": orders.preview(address_id, quantity)}, 202)

    v2 = API_PREFIX
    return [
        Route(f"{v2}/sim_card_orders", create, methods=["POST"]),
        Route(f"{v2}/sim_card_orders", list_all, methods=["GET"]),
        Route(f"{v2}/sim_card_orders/{{id}}", get_one, methods=["GET"]),
        Route(f"{v2}/sim_card_order_preview", preview, methods=["POST"]),
    ]
