"""Routes of SIM card actions: the per-SIM actions, the bulk actions, and reading both back."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from simtools.sandbox.actions import BULK_TYPES, FILTER_TYPES, SIM_ACTION_TYPES
from simtools.sandbox.answers import API_PREFIX, json_response, page_response, path_id
from simtools.sandbox.catalog import DEFAULT_REGION, regions
from simtools.sandbox.params import (
    choice_param,
    csv_param,
    is_uuid,
    parse_body,
    string_list_field,
    text_field,
    uuid_field,
    uuid_param,
)
from simtools.sandbox.state import SandboxState
from simtools.sandbox.wire import ApiProblem

__all__ = ["MAX_BULK_SIM_CARDS", "action_routes", "bulk_action_routes"]

#: The most SIM cards one bulk_set_public_ips may name: the API publishes no bound, the
#: sandbox keeps one.
MAX_BULK_SIM_CARDS = 1000
_ACTION_STATUSES = ("in-progress", "completed", "failed")
_PUBLIC_IP_REGIONS = tuple(r["code"] for r in regions())

Handler = Callable[[Request], Awaitable[Response]]


def _sim_ids(body: dict[str, Any]) -> list[str]:
    ids = string_list_field(body, "sim_card_ids", required=True) or []
    if not 1 <= len(ids) <= MAX_BULK_SIM_CARDS:
        raise ApiProblem.single(
            422,
            "10015",
            f"sim_card_ids must hold from 1 to {MAX_BULK_SIM_CARDS} SIM card ids; got {len(ids)}.",
            pointer="/sim_card_ids",
        )
    for index, sim_id in enumerate(ids):
        if not is_uuid(sim_id):
            raise ApiProblem.single(
                422,
                "10006",
                f"sim_card_ids[{index}] must be a UUID; got {sim_id!r}.",
                pointer=f"/sim_card_ids/{index}",
            )
    return ids


def action_routes(state: SandboxState) -> list[Route]:
    """The per-SIM action routes and the SIM card action reads, each a closure over
    ``state``."""

    def sim_action(action_type: str) -> Handler:
        async def handler(request: Request) -> Response:
            sim_id = path_id(request, "SIM card")
            settings: dict[str, Any] = {}
            if action_type == "enable_voice":
                body = parse_body(await request.body())
                connection_id = text_field(body, "connection_id", required=False)
                if connection_id is not None:
                    settings["connection_id"] = connection_id
            elif action_type == "set_public_ip":
                # region_code travels in the query (CONTRACT.md section 5.4).
                region = choice_param(request.query_params, "region_code", _PUBLIC_IP_REGIONS)
                settings["region_code"] = region or DEFAULT_REGION
            return json_response({"data": state.actions.start(sim_id, action_type, settings)}, 202)

        return handler

    async def list_actions(request: Request) -> Response:
        params = request.query_params
        actions = state.actions.matching(
            sim_id=uuid_param(params, "filter[sim_card_id]"),
            statuses=csv_param(params, "filter[status]", _ACTION_STATUSES),
            types=csv_param(params, "filter[action_type]", FILTER_TYPES),
            bulk_id=uuid_param(params, "filter[bulk_sim_card_action_id]"),
        )
        return page_response(params, actions)

    async def get_action(request: Request) -> Response:
        return json_response({"data": state.actions.get(path_id(request, "SIM card action"))})

    v2 = API_PREFIX
    return [
        *(
            Route(f"{v2}/sim_cards/{{id}}/actions/{name}", sim_action(name), methods=["POST"])
            for name in SIM_ACTION_TYPES
        ),
        Route(f"{v2}/sim_card_actions", list_actions, methods=["GET"]),
        Route(f"{v2}/sim_card_actions/{{id}}", get_action, methods=["GET"]),
    ]


def bulk_action_routes(state: SandboxState) -> list[Route]:
    """The bulk SIM card action routes, each a closure over ``state``."""

    async def bulk_voice(request: Request, *, enable: bool) -> Response:
        body = parse_body(await request.body())
        group_id = uuid_field(body, "sim_card_group_id", required=True)
        assert group_id is not None
        connection_id = text_field(body, "connection_id", required=False) if enable else None
        bulk = state.actions.bulk_voice(group_id, enable, connection_id)
        return json_response({"data": bulk}, 202)

    async def bulk_enable_voice(request: Request) -> Response:
        return await bulk_voice(request, enable=True)

    async def bulk_disable_voice(request: Request) -> Response:
        return await bulk_voice(request, enable=False)

    async def bulk_set_public_ips(request: Request) -> Response:
        body = parse_body(await request.body())
        bulk = state.actions.bulk_public_ips(_sim_ids(body))
        return json_response({"data": bulk}, 202)

    async def list_bulk(request: Request) -> Response:
        params = request.query_params
        kind = choice_param(params, "filter[action_type]", BULK_TYPES)
        return page_response(params, state.actions.bulk_matching(kind))

    async def get_bulk(request: Request) -> Response:
        bulk_id = path_id(request, "bulk SIM card action")
        return json_response({"data": state.actions.bulk_get(bulk_id)})

    v2 = API_PREFIX
    return [
        Route(f"{v2}/sim_cards/actions/bulk_enable_voice", bulk_enable_voice, methods=["POST"]),
        Route(f"{v2}/sim_cards/actions/bulk_disable_voice", bulk_disable_voice, methods=["POST"]),
        Route(f"{v2}/sim_cards/actions/bulk_set_public_ips", bulk_set_public_ips, methods=["POST"]),
        Route(f"{v2}/bulk_sim_card_actions", list_bulk, methods=["GET"]),
        Route(f"{v2}/bulk_sim_card_actions/{{id}}", get_bulk, methods=["GET"]),
    ]
