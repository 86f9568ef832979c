"""The sandbox's ASGI app: Telnyx wireless routes under ``/v2``, authentication and errors.

Layers, outermost first: the request log, the ``Date`` header from the sandbox clock, the
faults (rate limit, latency, errors, drops; see :mod:`simtools.sandbox.faults`), Bearer
authentication, then the routes, which each resource's module contributes as a list:
``routes_*`` for the wireless resources, and for usage history :mod:`.wdr_routes`,
:mod:`.reports`, :mod:`.detail_records` and :mod:`.usage_reports`.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from email.utils import formatdate
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Match, Route
from starlette.types import ASGIApp, Receive, Scope, Send

from simtools.sandbox.answers import API_PREFIX, json_response
from simtools.sandbox.detail_records import detail_record_routes
from simtools.sandbox.faults import Faults, FaultsMiddleware, RequestLog, RequestLogMiddleware
from simtools.sandbox.reports import report_routes
from simtools.sandbox.routes_actions import action_routes, bulk_action_routes
from simtools.sandbox.routes_groups import group_action_routes, group_routes
from simtools.sandbox.routes_networks import blocklist_routes, gateway_routes, reference_routes
from simtools.sandbox.routes_notifications import notification_routes
from simtools.sandbox.routes_orders import order_routes
from simtools.sandbox.routes_sims import enrolment_routes, sim_detail_routes, sim_routes
from simtools.sandbox.state import SandboxState
from simtools.sandbox.usage_reports import usage_report_routes
from simtools.sandbox.wdr_routes import wdr_routes
from simtools.sandbox.wire import ApiProblem, error_body, error_object

__all__ = ["API_PREFIX", "create_app"]


class ClockDateMiddleware:
    """Every answer's ``Date`` header read off the sandbox's clock, the clock its ``created_at``
    and action times come from (as one API has one clock): a client that reads the API's time
    from ``Date`` (registration does) then agrees with the records after a test moves the clock
    with :meth:`Sandbox.advance`. uvicorn's own ``Date`` is switched off (``date_header=False``).
    """

    def __init__(self, app: ASGIApp, now: Callable[[], float]) -> None:
        self.app = app
        self._now = now

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def dated(message: Any) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"date"]
                stamp = formatdate(self._now(), usegmt=True).encode()
                message = {**message, "headers": [*headers, (b"date", stamp)]}
            await send(message)

        await self.app(scope, receive, dated)


class AuthMiddleware:
    """``Authorization: Bearer <key>`` on every ``/v2`` path; anything else gets Telnyx's 401.

    With ``accept_any_key`` any non-empty key passes (as stripe-mock does), so that test suites
    with a fixed key of their own, such as the official SDK's, can be pointed at the sandbox.
    """

    def __init__(self, app: ASGIApp, api_key: str, *, accept_any_key: bool = False) -> None:
        self.app = app
        self._expected = f"Bearer {api_key}".encode()
        self._accept_any_key = accept_any_key

    def _accepts(self, given: bytes) -> bool:
        if self._accept_any_key:
            return given.startswith(b"Bearer ") and bool(given[len(b"Bearer ") :].strip())
        return secrets.compare_digest(given, self._expected)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith(API_PREFIX + "/"):
            given = dict(scope["headers"]).get(b"authorization", b"")
            if not self._accepts(given):
                error = error_object(
                    "10009",
                    "The API key in the Authorization header is missing or not valid.",
                )
                await json_response(error_body([error]), 401)(scope, receive, send)
                return
        await self.app(scope, receive, send)


async def _problem(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiProblem)
    return json_response(error_body(exc.errors), exc.status)


def _allowed_methods(request: Request) -> str:
    """Every method some route takes on this path: a path is served by one route per method, so
    the ``Allow`` starlette puts on a 405 names only the first route's."""
    methods: set[str] = set()
    for route in request.app.routes:
        if isinstance(route, Route) and route.methods:
            match, _ = route.matches({**request.scope, "method": "\0"})
            if match is Match.PARTIAL:
                methods |= route.methods
    return ", ".join(sorted(methods))


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    route = f"{request.method} {request.url.path}"
    headers = dict(exc.headers or {})
    if exc.status_code == 405:
        error = error_object("10015", f"{route} is not allowed.", title="Method not allowed")
        headers["Allow"] = _allowed_methods(request)
    elif exc.status_code == 404:
        error = error_object("10005", f"{route} does not exist on this API.")
    else:
        error = error_object("10015", f"{route}: {exc.detail}")
    response = json_response(error_body([error]), exc.status_code)
    response.headers.update(headers)
    return response


async def _unexpected(request: Request, exc: Exception) -> Response:
    error = error_object("10007", "The sandbox failed to handle this request.")
    return json_response(error_body([error]), 500)


async def _health(request: Request) -> Response:
    return json_response({"status": "ok"})


def create_app(
    state: SandboxState,
    *,
    api_key: str,
    faults: Faults,
    log: RequestLog,
    accept_any_key: bool = False,
) -> Callable[[Scope, Receive, Send], Any]:
    """The ASGI app: the routes behind authentication, faults and the request log."""
    routes = [
        *enrolment_routes(state),
        *sim_routes(state),
        *sim_detail_routes(state),
        *action_routes(state),
        *bulk_action_routes(state),
        *group_routes(state),
        *group_action_routes(state),
        *notification_routes(state),
        *gateway_routes(state),
        *blocklist_routes(state),
        *reference_routes(state),
        *order_routes(state),
        *report_routes(state.reports, API_PREFIX),
        *wdr_routes(state.wdrs, API_PREFIX),
        *detail_record_routes(state.wdrs, state.clock.now, API_PREFIX),
        *usage_report_routes(state.wdrs, state.clock.now, API_PREFIX),
        Route("/health", _health, methods=["GET"]),
    ]
    app = Starlette(
        routes=routes,
        exception_handlers={
            ApiProblem: _problem,
            HTTPException: _http_error,
            Exception: _unexpected,
        },
    )

    authed = AuthMiddleware(app, api_key, accept_any_key=accept_any_key)
    faulty = FaultsMiddleware(authed, faults, prefix=API_PREFIX)
    return RequestLogMiddleware(ClockDateMiddleware(faulty, state.clock.now), log)
