"""Routes of SIM card data usage notifications (CONTRACT.md section 5.6)."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from simtools.sandbox.answers import API_PREFIX, json_response, page_response, path_id
from simtools.sandbox.params import data_limit_field, parse_body, uuid_field, uuid_param
from simtools.sandbox.state import SandboxState
from simtools.sandbox.wire import ApiProblem

__all__ = ["notification_routes"]

_NOUN = "SIM card data usage notification"


def _threshold(body: dict[str, Any], *, required: bool) -> dict[str, str] | None:
    """``{amount, unit: MB|GB}``, the amount a non-negative decimal string."""
    if body.get("threshold") is None:
        if required:
            raise ApiProblem.single(
                422,
                "10004",
                "threshold is required: an object {amount, unit} with unit MB or GB.",
                pointer="/threshold",
            )
        return None
    return data_limit_field(body, "threshold")


def notification_routes(state: SandboxState) -> list[Route]:
    """The notification routes, each a closure over ``state``."""
    book = state.notifications

    async def create(request: Request) -> Response:
        body = parse_body(await request.body())
        sim_id = uuid_field(body, "sim_card_id", required=True)
        threshold = _threshold(body, required=True)
        assert sim_id is not None
        assert threshold is not None
        return json_response({"data": book.create(sim_id, threshold)}, 201)

    async def list_all(request: Request) -> Response:
        params = request.query_params
        return page_response(params, book.matching(uuid_param(params, "filter[sim_card_id]")))

    async def get_one(request: Request) -> Response:
        return json_response({"data": book.get(path_id(request, _NOUN))})

    async def update(request: Request) -> Response:
        notification_id = path_id(request, _NOUN)
        book.get(notification_id)
        body = parse_body(await request.body())
        sim_id = uuid_field(body, "sim_card_id", required=False)
        threshold = _threshold(body, required=False)
        return json_response({"data": book.update(notification_id, sim_id, threshold)})

    async def delete(request: Request) -> Response:
        return json_response({"data": book.delete(path_id(request, _NOUN))})

    path = f"{API_PREFIX}/sim_card_data_usage_notifications"
    return [
        Route(path, create, methods=["POST"]),
        Route(path, list_all, methods=["GET"]),
        Route(f"{path}/{{id}}", get_one, methods=["GET"]),
        Route(f"{path}/{{id}}", update, methods=["PATCH"]),
        Route(f"{path}/{{id}}", delete, methods=["DELETE"]),
    ]
