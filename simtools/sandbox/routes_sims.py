"""Routes of SIM cards: registration, eSIM purchase, code validation, the SIM card resource and
what the network knows about each SIM (device, public IP, connectivity logs, activation code)."""

from __future__ import annotations

import re
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from simtools.models import FILTER_STATUSES, REGISTER_STATUSES
from simtools.sandbox.answers import API_PREFIX, json_response, page_response, path_id
from simtools.sandbox.devices import activation_code, connectivity_logs, device_details
from simtools.sandbox.params import (
    bool_param,
    choice_field,
    csv_param,
    data_limit_field,
    int_field,
    is_uuid,
    page_param,
    parse_body,
    string_list_field,
    text_field,
    text_param,
    uuid_field,
    uuid_param,
)
from simtools.sandbox.state import SandboxState, SimQuery
from simtools.sandbox.wire import ApiProblem, dumps, list_body

__all__ = ["SIM_SORTS", "enrolment_routes", "sim_detail_routes", "sim_routes"]

SIM_SORTS = ("current_billing_period_consumed_data.amount",)
#: The most eSIMs one purchase may ask for: the API publishes no bound, the sandbox keeps one.
MAX_ESIM_PURCHASE = 1000
_WHITELABEL_NAME = re.compile(r"[A-Za-z0-9 ]+")


def _enrolment_fields(body: dict[str, Any]) -> tuple[str | None, str, list[str]]:
    """sim_card_group_id, status and tags, shared by register and purchase."""
    group_id = uuid_field(body, "sim_card_group_id", required=False)
    status = choice_field(body, "status", REGISTER_STATUSES, "enabled")
    tags = string_list_field(body, "tags", required=False) or []
    return group_id, status, tags


def enrolment_routes(state: SandboxState) -> list[Route]:
    """Registration, eSIM purchase and code validation, each a closure over ``state``."""

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
        group_id, status, tags = _enrolment_fields(body)
        sims, errors = state.enrolment.register(codes, group_id, status, tags)
        return json_response({"data": [sim.wire for sim in sims], "errors": errors}, 202)

    async def purchase(request: Request) -> Response:
        body = parse_body(await request.body())
        amount = int_field(body, "amount", low=1, high=MAX_ESIM_PURCHASE)
        text_field(body, "product", required=False)
        name = text_field(body, "whitelabel_name", required=False)
        if name is not None and not _WHITELABEL_NAME.fullmatch(name):
            raise ApiProblem.single(
                422,
                "10015",
                f"whitelabel_name must hold only letters, numbers and spaces; got {name!r}.",
                pointer="/whitelabel_name",
            )
        group_id, status, tags = _enrolment_fields(body)
        sims = state.enrolment.purchase_esims(amount, group_id, status, tags)
        # The purchase answers as register does: {data, errors} with 202 (CONTRACT.md 5.1).
        return json_response({"data": [sim.wire for sim in sims], "errors": []}, 202)

    async def validate_codes(request: Request) -> Response:
        body = parse_body(await request.body())
        # The spec marks the body required, but the SDK types registration_codes as optional
        # (CONTRACT.md section 5.2, section 8): no codes is an empty answer, not an error.
        codes = string_list_field(body, "registration_codes", required=False) or []
        return json_response({"data": state.validate_codes(codes)})

    v2 = API_PREFIX
    return [
        Route(f"{v2}/actions/register/sim_cards", register, methods=["POST"]),
        Route(f"{v2}/actions/purchase/esims", purchase, methods=["POST"]),
        Route(
            f"{v2}/sim_cards/actions/validate_registration_codes", validate_codes, methods=["POST"]
        ),
    ]


def sim_routes(state: SandboxState) -> list[Route]:
    """The SIM card resource (list, get, update, delete), each a closure over ``state``."""

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
        sim = state.sim(path_id(request, "SIM card"))
        params = request.query_params
        body = sim.full(include_pin_puk=bool_param(params, "include_pin_puk_codes"))
        if bool_param(params, "include_sim_card_group") and sim.group_id in state.groups:
            body["sim_card_group"] = state.group_wire(state.groups[sim.group_id], with_count=False)
        return json_response({"data": body})

    async def update_sim(request: Request) -> Response:
        sim_id = path_id(request, "SIM card")
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
        # "status" is read-only (CONTRACT.md section 5.3): accepted and ignored, as are the
        # other read-only fields of the SIMCard schema the spec takes as the body.
        return json_response({"data": state.update_sim(sim_id, changes).full()})

    async def delete_sim(request: Request) -> Response:
        bool_param(request.query_params, "report_lost")
        return json_response({"data": state.delete_sim(path_id(request, "SIM card")).full()})

    v2 = API_PREFIX
    one = f"{v2}/sim_cards/{{id}}"
    return [
        Route(f"{v2}/sim_cards", list_sims, methods=["GET"]),
        Route(one, get_sim, methods=["GET"]),
        Route(one, update_sim, methods=["PATCH"]),
        Route(one, delete_sim, methods=["DELETE"]),
    ]


def sim_detail_routes(state: SandboxState) -> list[Route]:
    """What the network knows of each SIM (activation code, device, public IP, connectivity
    logs), each a closure over ``state``."""

    async def get_activation_code(request: Request) -> Response:
        return json_response({"data": activation_code(state.sim(path_id(request, "SIM card")))})

    async def get_device_details(request: Request) -> Response:
        return json_response({"data": device_details(state.sim(path_id(request, "SIM card")))})

    async def get_public_ip(request: Request) -> Response:
        return json_response({"data": state.actions.public_ip(path_id(request, "SIM card"))})

    async def list_connectivity_logs(request: Request) -> Response:
        sim = state.sim(path_id(request, "SIM card"))
        return page_response(request.query_params, connectivity_logs(sim, state.built_at))

    one = f"{API_PREFIX}/sim_cards/{{id}}"
    return [
        Route(f"{one}/activation_code", get_activation_code, methods=["GET"]),
        Route(f"{one}/device_details", get_device_details, methods=["GET"]),
        Route(f"{one}/public_ip", get_public_ip, methods=["GET"]),
        Route(f"{one}/wireless_connectivity_logs", list_connectivity_logs, methods=["GET"]),
    ]


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
