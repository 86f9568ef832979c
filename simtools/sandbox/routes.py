"""The ``/v2`` route of usage records (``GET /reports/wdrs``), over a :class:`SandboxState`.

The other resources have a module each (``routes_sims``, ``routes_actions``, ``routes_groups``,
``routes_notifications``, ``routes_networks``, ``routes_orders``, and ``reports`` for the WDR
report jobs); :func:`simtools.sandbox.app.create_app` puts their lists together.
"""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from simtools.sandbox.answers import API_PREFIX
from simtools.sandbox.params import csv_param, page_param, text_param
from simtools.sandbox.state import SandboxState
from simtools.sandbox.wdrs import WDR_SORT_FIELDS, WdrQuery, parse_instant
from simtools.sandbox.wire import ApiProblem, dumps, list_body

__all__ = ["build_routes"]

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


def build_routes(state: SandboxState) -> list[Route]:
    """The usage-record route, a closure over ``state``."""

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
        Route(f"{v2}/reports/wdrs", list_wdrs, methods=["GET"]),
    ]
