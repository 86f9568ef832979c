"""The sandbox's ``/v2`` routes: request parsing and answers, over a :class:`SandboxState`."""

from __future__ import annotations

from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from simtools.models import FILTER_STATUSES, REGISTER_STATUSES
from simtools.sandbox.params import (
    bool_param,
    csv_param,
    data_limit_field,
    is_uuid,
    page_param,
    parse_body,
    string_list_field,
    text_param,
    uuid_param,
)
from simtools.sandbox.state import SandboxState, SimQuery
from simtools.sandbox.wdrs import WDR_SORT_FIELDS, WdrQuery, parse_instant
from simtools.sandbox.wire import ApiProblem, dumps, list_body

__all__ = ["API_PREFIX", "build_routes", "json_response"]

API_PREFIX = "/v2"
SIM_SORTS = ("current_billing_period_consumed_data.amount",)
_ACTION_TYPES = ("enable", "disable", "set_standby")
_ACTION_FILTER_TYPES = (
    "enable",
    "enable_standby_sim_card",
    "disable",
    "set_standby",
    "remove_public_ip",
    "set_public_ip",
    "enable_voice",
    "disable_voice",
)
_WDR_EXACT = (
    "id",
    "mcc",
    "mnc",
    "imsi",
    "sim_group_name",
    "sim_group_id",
    "sim_card_id",
    "phone_number",
)


def json_response(body: Any, status: int = 200) -> Response:
    return Response(dumps(body), status_code=status, media_type="application/json")


def _path_id(request: Request, what: str) -> str:
    value = str(request.path_params["id"])
    if not is_uuid(value):
        raise ApiProblem.single(400, "10006", f"{value!r} is not a valid {what} id (a UUID).")
    return value


def build_routes(state: SandboxState) -> list[Route]:
    """Every ``/v2`` route, each a closure over ``state``."""

    async def register(request: Request) -> Response:
        body = parse_body(await request.body())
        codes = string_list_field(body, "registration_codes", required=True) or []
        if not codes:
            raise ApiProblem.single(
                422,
                "10015",
                "registration_codes must hold at least one code.",
                pointer="/registration_codes",
            )
        group_id = body.get("sim_card_group_id")
        if group_id is not None and (not isinstance(group_id, str) or not is_uuid(group_id)):
            raise ApiProblem.single(
                422,
                "10006",
                f"sim_card_group_id must be a UUID; got {group_id!r}.",
                pointer="/sim_card_group_id",
            )
        status = body.get("status", "enabled")
        if status not in REGISTER_STATUSES:
            raise ApiProblem.single(
                422,
                "10015",
                f"status must be one of {', '.join(REGISTER_STATUSES)}; got {status!r}.",
                pointer="/status",
            )
        tags = string_list_field(body, "tags", required=False) or []
        sims, errors = state.register(codes, group_id, status, tags)
        return json_response({"data": [sim.wire for sim in sims], "errors": errors}, 202)

    async def validate_codes(request: Request) -> Response:
        body = parse_body(await request.body())
        # The spec marks the body required, but the SDK types registration_codes as optional
        # (CONTRACT.md section 5.2, section 8): no codes is an empty answer, not an error.
        codes = string_list_field(body, "registration_codes", required=False) or []
        return json_response({"data": state.validate_codes(codes)})

    async def list_sims(request: Request) -> Response:
        params = request.query_params
        sort = text_param(params, "sort")
        if sort is not None and sort.lstrip("-") not in SIM_SORTS:
            raise ApiProblem.single(
                400,
                "10015",
                f"sort must be current_billing_period_consumed_data.amount, optionally with a "
                f"leading '-'; got {sort!r}.",
                parameter="sort",
            )
        query = SimQuery(
            statuses=tuple(sorted(set(csv_param(params, "filter[status]", FILTER_STATUSES)))),
            tags=tuple(sorted(set(csv_param(params, "filter[tags]")))),
            iccid=text_param(params, "filter[iccid]"),
            msisdn=text_param(params, "filter[msisdn]"),
            group_id=uuid_param(params, "filter[sim_card_group_id]"),
            sort=sort,
        )
        page = page_param(params)
        with_group = bool_param(params, "include_sim_card_group")
        sims = state.list_sims(query)
        chunk = page.slice(sims)
        if with_group:
            rendered = [_with_group(state, sim.simple_json(), sim.group_id) for sim in chunk]
        else:
            rendered = [sim.simple_json() for sim in chunk]
        return Response(list_body(rendered, page, len(sims)), media_type="application/json")

    async def get_sim(request: Request) -> Response:
        sim = state.sim(_path_id(request, "SIM card"))
        params = request.query_params
        body = sim.full(include_pin_puk=bool_param(params, "include_pin_puk_codes"))
        if bool_param(params, "include_sim_card_group") and sim.group_id in state.groups:
            body["sim_card_group"] = state.group_wire(state.groups[sim.group_id], with_count=False)
        return json_response({"data": body})

    async def update_sim(request: Request) -> Response:
        sim_id = _path_id(request, "SIM card")
        state.sim(sim_id)
        body = parse_body(await request.body())
        changes: dict[str, Any] = {}
        if "tags" in body:
            changes["tags"] = string_list_field(body, "tags", required=True)
        if "authorized_imeis" in body:
            changes["authorized_imeis"] = string_list_field(
                body, "authorized_imeis", required=False
            )
        if "data_limit" in body:
            changes["data_limit"] = data_limit_field(body)
        if "sim_card_group_id" in body:
            group_id = body["sim_card_group_id"]
            if group_id is not None and (not isinstance(group_id, str) or not is_uuid(group_id)):
                raise ApiProblem.single(
                    422,
                    "10006",
                    f"sim_card_group_id must be a UUID or null; got {group_id!r}.",
                    pointer="/sim_card_group_id",
                )
            changes["sim_card_group_id"] = group_id
        return json_response({"data": state.update_sim(sim_id, changes).full()})

    async def delete_sim(request: Request) -> Response:
        bool_param(request.query_params, "report_lost")
        return json_response({"data": state.delete_sim(_path_id(request, "SIM card")).full()})

    async def sim_action(request: Request) -> Response:
        action_type = str(request.path_params["action"])
        if action_type not in _ACTION_TYPES:
            raise HTTPException(404)
        action = state.start_action(_path_id(request, "SIM card"), action_type)
        return json_response({"data": action}, 202)

    async def list_actions(request: Request) -> Response:
        params = request.query_params
        sim_id = uuid_param(params, "filter[sim_card_id]")
        statuses = csv_param(params, "filter[status]", ("in-progress", "completed", "failed"))
        types = csv_param(params, "filter[action_type]", _ACTION_FILTER_TYPES)
        uuid_param(params, "filter[bulk_sim_card_action_id]")
        bulk = text_param(params, "filter[bulk_sim_card_action_id]")
        page = page_param(params)

        def keep(action: dict[str, Any]) -> bool:
            return (
                bulk is None
                and (sim_id is None or action["sim_card_id"] == sim_id)
                and (not statuses or action["status"]["value"] in statuses)
                and (not types or action["action_type"] in types)
            )

        actions = state.list_actions(keep)
        chunk = [dumps(a) for a in page.slice(actions)]
        return Response(list_body(chunk, page, len(actions)), media_type="application/json")

    async def get_action(request: Request) -> Response:
        return json_response({"data": state.action(_path_id(request, "SIM card action"))})

    async def list_groups(request: Request) -> Response:
        params = request.query_params
        name = text_param(params, "filter[name]")
        gateway = uuid_param(params, "filter[private_wireless_gateway_id]")
        blocklist = uuid_param(params, "filter[wireless_blocklist_id]")
        page = page_param(params)
        with state.locked():
            groups = [
                g
                for g in state.groups.values()
                if (name is None or g.name == name) and gateway is None and blocklist is None
            ]
            chunk = [dumps(state.group_wire(g, with_count=True)) for g in page.slice(groups)]
        return Response(list_body(chunk, page, len(groups)), media_type="application/json")

    async def create_group(request: Request) -> Response:
        body = parse_body(await request.body())
        name = _group_name(body, required=True)
        group = state.create_group(str(name), data_limit_field(body))
        return json_response({"data": state.group_wire(group, with_count=False)})

    async def get_group(request: Request) -> Response:
        group = state.group(_path_id(request, "SIM card group"))
        body = state.group_wire(group, with_count=False)
        if bool_param(request.query_params, "include_iccids"):
            with state.locked():
                body["iccids"] = [
                    s.wire["iccid"] for s in state.sims.values() if s.group_id == group.id
                ]
        return json_response({"data": body})

    async def update_group(request: Request) -> Response:
        group_id = _path_id(request, "SIM card group")
        state.group(group_id)
        body = parse_body(await request.body())
        changes: dict[str, Any] = {}
        if "name" in body:
            changes["name"] = _group_name(body, required=True)
        if "data_limit" in body:
            changes["data_limit"] = data_limit_field(body)
        group = state.update_group(group_id, changes)
        return json_response({"data": state.group_wire(group, with_count=False)})

    async def delete_group(request: Request) -> Response:
        return json_response({"data": state.delete_group(_path_id(request, "SIM card group"))})

    async def list_wdrs(request: Request) -> Response:
        params = request.query_params
        bounds = []
        for name in ("start_date", "end_date"):
            raw = text_param(params, name)
            instant = parse_instant(raw) if raw is not None else None
            if raw is not None and instant is None:
                raise ApiProblem.single(
                    400,
                    "10015",
                    f"{name} must be an ISO 8601 date-time such as 2021-05-01T00:00:00Z; "
                    f"got {raw!r}.",
                    parameter=name,
                )
            bounds.append(None if instant is None else int(instant * 1000))
        if bounds[0] is not None and bounds[1] is not None and bounds[0] > bounds[1]:
            raise ApiProblem.single(
                400, "10015", "start_date must not be after end_date.", parameter="start_date"
            )
        allowed_sorts = [*WDR_SORT_FIELDS, *(f"-{f}" for f in WDR_SORT_FIELDS)]
        sort = csv_param(params, "sort", allowed_sorts) or ("created_at",)
        exact = tuple((k, v) for k in _WDR_EXACT if (v := text_param(params, k)) is not None)
        page = page_param(params, max_size=1000)
        # A fleet-wide query draws every SIM's records the first time (seconds on a 100k
        # fleet): off the event loop, so other requests are still answered meanwhile.
        query = WdrQuery(bounds[0], bounds[1], exact, sort)
        rows = await run_in_threadpool(state.wdrs.query, query)
        chunk = [dumps(row.record) for row in page.slice(rows)]
        return Response(list_body(chunk, page, len(rows)), media_type="application/json")

    v2 = API_PREFIX
    return [
        Route(f"{v2}/actions/register/sim_cards", register, methods=["POST"]),
        Route(
            f"{v2}/sim_cards/actions/validate_registration_codes", validate_codes, methods=["POST"]
        ),
        Route(f"{v2}/sim_cards", list_sims, methods=["GET"]),
        Route(f"{v2}/sim_cards/{{id}}", get_sim, methods=["GET"]),
        Route(f"{v2}/sim_cards/{{id}}", update_sim, methods=["PATCH"]),
        Route(f"{v2}/sim_cards/{{id}}", delete_sim, methods=["DELETE"]),
        Route(f"{v2}/sim_cards/{{id}}/actions/{{action}}", sim_action, methods=["POST"]),
        Route(f"{v2}/sim_card_actions", list_actions, methods=["GET"]),
        Route(f"{v2}/sim_card_actions/{{id}}", get_action, methods=["GET"]),
        Route(f"{v2}/sim_card_groups", list_groups, methods=["GET"]),
        Route(f"{v2}/sim_card_groups", create_group, methods=["POST"]),
        Route(f"{v2}/sim_card_groups/{{id}}", get_group, methods=["GET"]),
        Route(f"{v2}/sim_card_groups/{{id}}", update_group, methods=["PATCH"]),
        Route(f"{v2}/sim_card_groups/{{id}}", delete_group, methods=["DELETE"]),
        Route(f"{v2}/reports/wdrs", list_wdrs, methods=["GET"]),
    ]


def _group_name(body: dict[str, Any], *, required: bool) -> str | None:
    name = body.get("name")
    if name is None and not required:
        return None
    if not isinstance(name, str) or not name.strip():
        raise ApiProblem.single(
            422, "10015", f"name must be a non-empty string; got {name!r}.", pointer="/name"
        )
    return name


def _with_group(state: SandboxState, sim_json: bytes, group_id: str | None) -> bytes:
    """A SIM's cached JSON with ``sim_card_group`` spliced in before the closing brace."""
    group = state.groups.get(group_id) if group_id else None
    if group is None:
        return sim_json
    return (
        sim_json[:-1]
        + b',"sim_card_group":'
        + dumps(state.group_wire(group, with_count=False))
        + b"}"
    )
