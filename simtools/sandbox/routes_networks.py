"""Routes of the networks SIMs use: private wireless gateways, wireless blocklists and their
possible values, wireless regions, mobile network operators and over-the-air updates."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from simtools.sandbox.answers import API_PREFIX, json_response, page_response, path_id
from simtools.sandbox.catalog import (
    BLOCKLIST_TYPES,
    DEFAULT_REGION,
    MOBILE_NETWORK_OPERATORS,
    REGION_PRODUCTS,
    blocklist_value_objects,
    regions,
)
from simtools.sandbox.params import (
    bool_param,
    choice_field,
    choice_param,
    parse_body,
    string_list_field,
    text_field,
    text_param,
    uuid_field,
    uuid_param,
)
from simtools.sandbox.state import SandboxState

__all__ = ["blocklist_routes", "gateway_routes", "reference_routes"]

_GATEWAY_FILTERS = ("name", "ip_range", "region_code", "created_at", "updated_at")
_OTA_STATUSES = ("in-progress", "completed", "failed")
_REGION_CODES = tuple(r["code"] for r in regions())


def _operators(params: Mapping[str, str]) -> list[dict[str, Any]]:
    """The operators matching ``filter[...]`` of ``GET /mobile_network_operators``."""
    exact = {
        k: v for k in ("country_code", "mcc", "mnc", "tadig") if (v := params.get(f"filter[{k}]"))
    }
    preferred = None
    if params.get("filter[network_preferences_enabled]"):
        preferred = bool_param(params, "filter[network_preferences_enabled]")
    name = {
        op: params.get(f"filter[name][{op}]") for op in ("starts_with", "contains", "ends_with")
    }
    found = []
    for operator in MOBILE_NETWORK_OPERATORS:
        title: str = operator["name"]
        if any(operator[k] != v for k, v in exact.items()):
            continue
        if preferred is not None and operator["network_preferences_enabled"] != preferred:
            continue
        if name["starts_with"] and not title.startswith(name["starts_with"]):
            continue
        if name["ends_with"] and not title.endswith(name["ends_with"]):
            continue
        if name["contains"] and name["contains"] not in title:
            continue
        found.append(dict(operator))
    return found


def gateway_routes(state: SandboxState) -> list[Route]:
    """The private wireless gateway routes, each a closure over ``state``."""
    networks = state.networks

    async def create_gateway(request: Request) -> Response:
        body = parse_body(await request.body())
        name = text_field(body, "name", required=True)
        network_id = uuid_field(body, "network_id", required=True)
        # Omitted, the address mode is dynamic (the SDK's docstring) and the region the first.
        mode = choice_field(body, "address_mode", ("static", "dynamic"), "dynamic")
        region = choice_field(body, "region_code", _REGION_CODES, DEFAULT_REGION)
        assert name is not None
        assert network_id is not None
        gateway = networks.create_gateway(name, network_id, mode, region)
        # Created asynchronously: 202, as the Telnyx spec answers it (provisioning follows).
        return json_response({"data": gateway}, 202)

    async def list_gateways(request: Request) -> Response:
        params = request.query_params
        filters = {f: v for f in _GATEWAY_FILTERS if (v := text_param(params, f"filter[{f}]"))}
        return page_response(params, networks.gateways_matching(filters))

    async def get_gateway(request: Request) -> Response:
        gateway_id = path_id(request, "Private Wireless Gateway")
        return json_response({"data": networks.gateway(gateway_id)})

    async def delete_gateway(request: Request) -> Response:
        gateway_id = path_id(request, "Private Wireless Gateway")
        return json_response({"data": networks.delete_gateway(gateway_id)})

    path = f"{API_PREFIX}/private_wireless_gateways"
    return [
        Route(path, create_gateway, methods=["POST"]),
        Route(path, list_gateways, methods=["GET"]),
        Route(f"{path}/{{id}}", get_gateway, methods=["GET"]),
        Route(f"{path}/{{id}}", delete_gateway, methods=["DELETE"]),
    ]


def blocklist_routes(state: SandboxState) -> list[Route]:
    """The wireless blocklist routes and their possible values, each a closure over ``state``."""
    networks = state.networks

    async def create_blocklist(request: Request) -> Response:
        body = parse_body(await request.body())
        name = text_field(body, "name", required=True)
        kind = choice_field(body, "type", BLOCKLIST_TYPES)
        values = string_list_field(body, "values", required=True) or []
        assert name is not None
        # The API publishes no status for this creation; 200 as for the other synchronous
        # creations of the wireless API (SIM card groups, orders).
        return json_response({"data": networks.create_blocklist(name, kind, values)})

    async def list_blocklists(request: Request) -> Response:
        params = request.query_params
        name = text_param(params, "filter[name]")
        # The SDK types filter[type] as any string: a type no blocklist has finds none.
        kind = text_param(params, "filter[type]")
        return page_response(params, networks.blocklists_matching(name, kind))

    async def get_blocklist(request: Request) -> Response:
        return json_response({"data": networks.blocklist(path_id(request, "Wireless Blocklist"))})

    async def update_blocklist(request: Request) -> Response:
        blocklist_id = path_id(request, "Wireless Blocklist")
        networks.blocklist(blocklist_id)
        body = parse_body(await request.body())
        name = text_field(body, "name", required=False)
        values = string_list_field(body, "values", required=False)
        return json_response({"data": networks.update_blocklist(blocklist_id, name, values)})

    async def delete_blocklist(request: Request) -> Response:
        networks.delete_blocklist(path_id(request, "Wireless Blocklist"))
        # No body: the SDK reads this answer as nothing (cast to None, Accept */*), which is
        # how the API describes a 204.
        return Response(status_code=204)

    async def blocklist_values(request: Request) -> Response:
        kind = choice_param(request.query_params, "type", BLOCKLIST_TYPES, required=True)
        assert kind is not None
        # Not paginated: the SDK's answer type has data and no meta.
        return json_response({"data": blocklist_value_objects(kind)})

    v2 = API_PREFIX
    return [
        Route(f"{v2}/wireless_blocklists", create_blocklist, methods=["POST"]),
        Route(f"{v2}/wireless_blocklists", list_blocklists, methods=["GET"]),
        Route(f"{v2}/wireless_blocklists/{{id}}", get_blocklist, methods=["GET"]),
        Route(f"{v2}/wireless_blocklists/{{id}}", update_blocklist, methods=["PATCH"]),
        Route(f"{v2}/wireless_blocklists/{{id}}", delete_blocklist, methods=["DELETE"]),
        Route(f"{v2}/wireless_blocklist_values", blocklist_values, methods=["GET"]),
    ]


def reference_routes(state: SandboxState) -> list[Route]:
    """Wireless regions, mobile network operators and OTA updates, each a closure over
    ``state``."""

    async def wireless_regions(request: Request) -> Response:
        choice_param(request.query_params, "product", REGION_PRODUCTS, required=True)
        return json_response({"data": regions()})

    async def list_operators(request: Request) -> Response:
        return page_response(request.query_params, _operators(request.query_params))

    async def list_ota_updates(request: Request) -> Response:
        params = request.query_params
        sim_id = uuid_param(params, "filter[sim_card_id]")
        status = choice_param(params, "filter[status]", _OTA_STATUSES)
        kind = choice_param(params, "filter[type]", ("sim_card_network_preferences",))
        with state.locked():
            updates = [
                # The list form has no settings; GET /ota_updates/{id} has them.
                {k: v for k, v in u.items() if k != "settings"}
                for u in state.ota_updates.values()
                if (sim_id is None or u["sim_card_id"] == sim_id)
                and (status is None or u["status"] == status)
                and (kind is None or u["type"] == kind)
            ]
        return page_response(params, updates)

    async def get_ota_update(request: Request) -> Response:
        update_id = path_id(request, "OTA update")
        return json_response({"data": state.lookup(state.ota_updates, update_id, "OTA update")})

    v2 = API_PREFIX
    return [
        Route(f"{v2}/wireless/regions", wireless_regions, methods=["GET"]),
        Route(f"{v2}/mobile_network_operators", list_operators, methods=["GET"]),
        Route(f"{v2}/ota_updates", list_ota_updates, methods=["GET"]),
        Route(f"{v2}/ota_updates/{{id}}", get_ota_update, methods=["GET"]),
    ]
