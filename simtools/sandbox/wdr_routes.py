"""``GET /reports/wdrs``: the fleet's wireless detail records, filtered, sorted and paged.

Paging follows the shared OpenAPI file, which gives ``page[number]`` and ``page[size]`` for this
endpoint as integers with defaults 1 and 20 and no bounds (CONTRACT.md section 3: "No maximum is
published for /reports/wdrs"). So any integer is answered: a page before the first, or of size 0 or
less, is empty (``total_pages`` is 0 for a size of 0 or less), and a page of any size is sent,
streamed when it is large, so that memory stays flat however much is asked for.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from simtools.sandbox.params import csv_param, text_param
from simtools.sandbox.sessions import Batch
from simtools.sandbox.wdrs import WDR_SORT_FIELDS, TooBigToSort, WdrIndex, WdrQuery, parse_instant
from simtools.sandbox.wire import ApiProblem, dumps

__all__ = ["paged_body", "too_big", "wdr_routes"]

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
#: Pages with more records than this are streamed rather than assembled in memory.
_STREAM_ABOVE = 5000


def _integer(params: Mapping[str, str], name: str, default: int) -> int:
    raw = params.get(name)
    if raw is None:
        return default
    try:
        return int(raw)
    except ValueError:
        raise ApiProblem.single(
            400, "10015", f"{name} must be an integer; got {raw!r}.", parameter=name
        ) from None


def too_big(exc: TooBigToSort) -> ApiProblem:
    return ApiProblem.single(
        400,
        "10015",
        f"Sorting {exc.total:,} records by {exc.field} is more than the sandbox sorts at once; "
        "narrow the date range or filter (by SIM card, group or network), or sort by created_at.",
        parameter="sort",
    )


def paged_body(
    total: int,
    number: int,
    size: int,
    batches: Iterator[Batch],
    render: Callable[[Batch], list[dict[str, Any]]],
) -> Response:
    """``{"data": [...], "meta": {...}}`` of one page, streamed when it is large."""
    pages = math.ceil(total / size) if size > 0 else 0
    meta = dumps(
        {"page_number": number, "page_size": size, "total_pages": pages, "total_results": total}
    )
    offset = (number - 1) * size
    expected = max(0, min(size, total - offset)) if number >= 1 and size > 0 else 0

    def chunks() -> Iterator[bytes]:
        yield b'{"data":['
        first = True
        for batch in batches:
            records = [dumps(r) for r in render(batch)]
            if records:
                yield (b"" if first else b",") + b",".join(records)
                first = False
        yield b'],"meta":' + meta + b"}"

    if expected > _STREAM_ABOVE:
        return StreamingResponse(chunks(), media_type="application/json")
    return Response(b"".join(chunks()), media_type="application/json")


def instant_param(params: Mapping[str, str], name: str) -> int | None:
    """An ISO 8601 query parameter as epoch ms, or None when absent; a 400 when malformed."""
    raw = text_param(params, name)
    if raw is None:
        return None
    instant = parse_instant(raw)
    if instant is None:
        raise ApiProblem.single(
            400,
            "10015",
            f"{name} must be an ISO 8601 date-time such as 2021-05-01T00:00:00Z; got {raw!r}.",
            parameter=name,
        )
    return int(instant * 1000)


def wdr_routes(index: WdrIndex, prefix: str) -> list[Route]:
    """The ``{prefix}/reports/wdrs`` route."""

    async def list_wdrs(request: Request) -> Response:
        params = request.query_params
        start, end = instant_param(params, "start_date"), instant_param(params, "end_date")
        if start is not None and end is not None and start > end:
            raise ApiProblem.single(
                400, "10015", "start_date must not be after end_date.", parameter="start_date"
            )
        allowed_sorts = [*WDR_SORT_FIELDS, *(f"-{f}" for f in WDR_SORT_FIELDS)]
        sort = csv_param(params, "sort", allowed_sorts) or ("created_at",)
        exact = tuple((k, v) for k in _WDR_EXACT if (v := text_param(params, k)) is not None)
        number = _integer(params, "page[number]", 1)
        size = _integer(params, "page[size]", 20)
        query = WdrQuery(start, end, exact, sort)

        def work() -> Response:
            total = index.total(query)
            wanted = number >= 1 and size > 0 and (number - 1) * size < total
            try:
                batches = index.batches(query, (number - 1) * size, size) if wanted else iter(())
            except TooBigToSort as exc:
                raise too_big(exc) from None
            return paged_body(total, number, size, batches, index.wdrs)

        # Drawing and counting take numpy time: off the event loop, so other requests go on.
        return await run_in_threadpool(work)

    return [Route(f"{prefix}/reports/wdrs", list_wdrs, methods=["GET"])]
