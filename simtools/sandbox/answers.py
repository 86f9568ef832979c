"""What every route module answers with: JSON bodies, list pages, and ids read from the path."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from simtools.sandbox.params import is_uuid, page_param
from simtools.sandbox.wire import ApiProblem, dumps, list_body

__all__ = ["API_PREFIX", "json_response", "page_response", "path_id"]

API_PREFIX = "/v2"


def json_response(body: Any, status: int = 200) -> Response:
    return Response(dumps(body), status_code=status, media_type="application/json")


def path_id(request: Request, what: str) -> str:
    """The ``{id}`` of the path, which must be a UUID (400, code 10006, when it is not)."""
    value = str(request.path_params["id"])
    if not is_uuid(value):
        raise ApiProblem.single(400, "10006", f"{value!r} is not a valid {what} id (a UUID).")
    return value


def page_response(
    params: Mapping[str, str], items: Sequence[dict[str, Any]], *, max_size: int = 250
) -> Response:
    """``{"data": [...], "meta": {...}}`` of the page ``page[number]`` and ``page[size]`` ask
    for (CONTRACT.md section 3: meta on every page, empty data past the last)."""
    page = page_param(params, max_size=max_size)
    chunk = [dumps(item) for item in page.slice(items)]
    return Response(list_body(chunk, page, len(items)), media_type="application/json")
