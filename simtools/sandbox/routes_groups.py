"""Routes of SIM card groups: the group resource, its actions (attach or detach a private wireless
gateway or a wireless blocklist) and reading those actions back."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from simtools.sandbox.answers import API_PREFIX, json_response, page_response, path_id
from simtools.sandbox.params import (
    bool_param,
    choice_param,
    data_limit_field,
    parse_body,
    text_param,
    uuid_field,
    uuid_param,
)
from simtools.sandbox.private_networks import GROUP_ACTION_TYPES
from simtools.sandbox.state import SandboxState
from simtools.sandbox.wire import ApiProblem

__all__ = ["group_action_routes", "group_routes"]

_GROUP_ACTION_STATUSES = ("in-progress", "completed", "failed")
#: The body field naming what a "set_" group action attaches.
_TARGET_FIELDS = {
    "set_private_wireless_gateway": "private_wireless_gateway_id",
    "set_wireless_blocklist": "wireless_blocklist_id",
}

Handler = Callable[[Request], Awaitable[Response]]


def _group_name(body: dict[str, Any]) -> str:
    name = body.get("name")
    if not isinstance(name, str) or not name.strip():
        raise ApiProblem.single(
            422, "10015", f"name must be a non-empty string; got {name!r}.", pointer="/name"
        )
    return name


def group_routes(state: SandboxState) -> list[Route]:
    """The SIM card group routes, each a closure over ``state``."""

    async def list_groups(request: Request) -> Response:
        params = request.query_params
        name = text_param(params, "filter[name]")
        gateway = uuid_param(params, "filter[private_wireless_gateway_id]")
        blocklist = uuid_param(params, "filter[wireless_blocklist_id]")
        with state.locked():
            groups = [
                state.group_wire(g, with_count=True)
                for g in state.groups.values()
                if (name is None or g.name == name)
                and (gateway is None or g.private_wireless_gateway_id == gateway)
                and (blocklist is None or g.wireless_blocklist_id == blocklist)
            ]
        return page_response(params, groups)

    async def create_group(request: Request) -> Response:
        body = parse_body(await request.body())
        group = state.create_group(_group_name(body), data_limit_field(body))
        # 200, not 201: the spec says so for group creation (CONTRACT.md section 2).
        return json_response({"data": state.group_wire(group, with_count=False)})

    async def get_group(request: Request) -> Response:
        group = state.group(path_id(request, "SIM card group"))
        body = state.group_wire(group, with_count=False)
        if bool_param(request.query_params, "include_iccids"):
            with state.locked():
                body["iccids"] = [
                    s.wire["iccid"] for s in state.sims.values() if s.group_id == group.id
                ]
        return json_response({"data": body})

    async def update_group(request: Request) -> Response:
        group_id = path_id(request, "SIM card group")
        state.group(group_id)
        body = parse_body(await request.body())
        changes: dict[str, Any] = {}
        if "name" in body:
            changes["name"] = _group_name(body)
        if "data_limit" in body:
            # null removes the group's limit, as it does a SIM's.
            changes["data_limit"] = data_limit_field(body)
        group = state.update_group(group_id, changes)
        return json_response({"data": state.group_wire(group, with_count=False)})

    async def delete_group(request: Request) -> Response:
        return json_response({"data": state.delete_group(path_id(request, "SIM card group"))})

    v2 = API_PREFIX
    one = f"{v2}/sim_card_groups/{{id}}"
    return [
        Route(f"{v2}/sim_card_groups", list_groups, methods=["GET"]),
        Route(f"{v2}/sim_card_groups", create_group, methods=["POST"]),
        Route(one, get_group, methods=["GET"]),
        Route(one, update_group, methods=["PATCH"]),
        Route(one, delete_group, methods=["DELETE"]),
    ]


def group_action_routes(state: SandboxState) -> list[Route]:
    """The group action routes, each a closure over ``state``."""

    def group_action(action_type: str) -> Handler:
        async def handler(request: Request) -> Response:
            group_id = path_id(request, "SIM card group")
            target = None
            field = _TARGET_FIELDS.get(action_type)
            if field is not None:
                target = uuid_field(parse_body(await request.body()), field, required=True)
            action = state.networks.start_group_action(group_id, action_type, target)
            return json_response({"data": action}, 202)

        return handler

    async def list_group_actions(request: Request) -> Response:
        params = request.query_params
        actions = state.networks.group_actions_matching(
            uuid_param(params, "filter[sim_card_group_id]"),
            choice_param(params, "filter[status]", _GROUP_ACTION_STATUSES),
            choice_param(params, "filter[type]", GROUP_ACTION_TYPES),
        )
        return page_response(params, actions)

    async def get_group_action(request: Request) -> Response:
        action_id = path_id(request, "SIM card group action")
        return json_response({"data": state.networks.group_action(action_id)})

    v2 = API_PREFIX
    one = f"{v2}/sim_card_groups/{{id}}"
    return [
        *(
            Route(f"{one}/actions/{name}", group_action(name), methods=["POST"])
            for name in GROUP_ACTION_TYPES
        ),
        Route(f"{v2}/sim_card_group_actions", list_group_actions, methods=["GET"]),
        Route(f"{v2}/sim_card_group_actions/{{id}}", get_group_action, methods=["GET"]),
    ]
