"""``GET /usage_reports`` (aggregated usage, Beta) and ``GET /usage_reports/options`` for wireless.

The aggregates are sums over the same sessions ``/reports/wdrs`` serves, so a report over a window
equals the sum of that window's WDRs. The contract gives the 31-day limit and page size 5000 and
says the wireless dimension and metric names are not published (CONTRACT.md section 5.7 D); the
sandbox's choices, listed by the options endpoint, are written down here:

* dimensions ``date`` (UTC day, ``YYYY-MM-DD``), ``sim_card_id``, ``sim_group_id``,
  ``sim_group_name``, ``mcc``, ``mnc``; metrics ``uplink_data``, ``downlink_data`` and
  ``total_data`` (MB), ``data_cost`` (account currency) and ``sessions`` (records).
* ``product`` must be ``wireless``, the one product of the sandbox account (else 400).
* The range is ``start_date`` (inclusive) to ``end_date`` (exclusive), or ``date_range`` (names
  as for detail records), at most 31 days (the SDK: "The maximum time range is 31 days"; longer is
  a 400 naming the parameter). Without either, the last 30 days up to now.
* ``filter`` is comma-separated ``dimension=value`` terms (the SDK types it as one string and
  says no more); ``sort`` takes dimensions and metrics, ``-`` for descending, default the
  dimensions in the order asked. ``format=csv`` answers the same page as CSV.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import numpy as np
import numpy.typing as npt
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from simtools.sandbox.date_ranges import date_range_span
from simtools.sandbox.networks import NETWORKS
from simtools.sandbox.params import bool_param, csv_param, page_param, text_param
from simtools.sandbox.wdr_routes import instant_param
from simtools.sandbox.wdrs import WdrIndex, WdrQuery
from simtools.sandbox.wire import ApiProblem, dumps, list_body

__all__ = ["DIMENSIONS", "MAX_DAYS", "METRICS", "options_body", "usage_report_routes"]

I64 = npt.NDArray[np.int64]
DIMENSIONS = ("date", "sim_card_id", "sim_group_id", "sim_group_name", "mcc", "mnc")
METRICS = ("uplink_data", "downlink_data", "total_data", "data_cost", "sessions")
MAX_DAYS = 31
#: Up to this many possible keys, sums go straight into dense arrays (no sorting).
_DENSE_KEYS = 4_000_000
_DAY_MS = 86_400_000
_MCC = sorted({n.mcc for n in NETWORKS})
_MNC = sorted({n.mnc for n in NETWORKS})
_NET_MCC = np.array([_MCC.index(n.mcc) for n in NETWORKS])
_NET_MNC = np.array([_MNC.index(n.mnc) for n in NETWORKS])


def options_body(product: str | None) -> dict[str, Any]:
    """What ``/usage_reports/options`` answers: the wireless product, or nothing for others."""
    wireless = {
        "product": "wireless",
        "product_dimensions": list(DIMENSIONS),
        "product_metrics": list(METRICS),
        "record_types": [
            {
                "record_type": "sim_card_usage",
                "product_dimensions": list(DIMENSIONS),
                "product_metrics": list(METRICS),
            }
        ],
    }
    return {"data": [wireless] if product in (None, "wireless") else []}


def _bad(parameter: str, detail: str, code: str = "10015") -> ApiProblem:
    return ApiProblem.single(400, code, detail, parameter=parameter)


def _span(params: Mapping[str, str], now: float) -> tuple[int, int]:
    named = text_param(params, "date_range")
    start, end = instant_param(params, "start_date"), instant_param(params, "end_date")
    if named is not None:
        if start is not None or end is not None:
            raise _bad("date_range", "Give date_range or start_date/end_date, not both.")
        span = date_range_span(named, now)
        if span is None:
            raise _bad("date_range", f"date_range {named!r} is not a known range.")
        start, end, parameter = span[0], span[1], "date_range"
    else:
        end = end if end is not None else int(now * 1000)
        start = start if start is not None else end - 30 * _DAY_MS
        parameter = "end_date"
    if start > end:
        raise _bad("start_date", "start_date must not be after end_date.")
    if end - start > MAX_DAYS * _DAY_MS:
        raise _bad(parameter, f"The maximum time range is {MAX_DAYS} days.")
    return start, end


def _filters(raw: str | None) -> tuple[tuple[str, str], ...]:
    terms = []
    for term in (raw or "").split(","):
        if not term.strip():
            continue
        field, sep, value = term.partition("=")
        if not sep or field.strip() not in DIMENSIONS or field.strip() == "date":
            raise _bad("filter", f"filter takes dimension=value terms; got {term!r}.")
        terms.append((field.strip(), value.strip()))
    return tuple(terms)


def _aggregate(index: WdrIndex, query: WdrQuery, dims: tuple[str, ...]) -> list[dict[str, Any]]:
    """One row per distinct value of ``dims`` with every metric, over ``query``'s sessions."""
    m = index.model
    first_day = (query.start_ms or 0) // _DAY_MS
    sizes = {
        "date": MAX_DAYS + 2,
        "sim_card_id": len(m),
        "sim_group_id": len(m.group_labels) + 1,
        "sim_group_name": len(m.group_labels) + 1,
        "mcc": len(_MCC),
        "mnc": len(_MNC),
    }
    space = int(np.prod([sizes[d] for d in dims]))
    dense = space <= _DENSE_KEYS
    sums = np.zeros((len(METRICS), space if dense else 0))
    parts: list[tuple[I64, npt.NDArray[np.float64]]] = []
    for batch in index.every(query, ordered=False):
        a = index.amounts(batch)
        codes = {
            "date": batch.day - first_day,
            "sim_card_id": batch.sim,
            "sim_group_id": m.group[batch.sim] + 1,
            "sim_group_name": m.group[batch.sim] + 1,
            "mcc": _NET_MCC[batch.net],
            "mnc": _NET_MNC[batch.net],
        }
        key = np.zeros(len(batch), dtype=np.int64)
        for dim in dims:
            key = key * sizes[dim] + codes[dim]
        values = (a.uplink, a.downlink, a.uplink + a.downlink, a.cost, np.ones(len(batch)))
        if dense:
            # Few possible keys: add straight into one slot per key.
            for row, value in zip(sums, values, strict=True):
                row += np.bincount(key, value, space)
        else:
            unique, inverse = np.unique(key, return_inverse=True)
            parts.append((unique, np.stack([np.bincount(inverse, v, len(unique)) for v in values])))
    if dense:
        keys = np.flatnonzero(sums[-1])
        sums = sums[:, keys]
    elif parts:
        every_key = np.concatenate([k for k, _ in parts])
        keys, inverse = np.unique(every_key, return_inverse=True)
        stacked = np.concatenate([v for _, v in parts], axis=1)
        sums = np.stack([np.bincount(inverse, row, len(keys)) for row in stacked])
    else:
        return []
    return [_row(m, dims, sizes, int(k), sums[:, i], first_day) for i, k in enumerate(keys)]


def _row(
    m: Any, dims: tuple[str, ...], sizes: dict[str, int], key: int, sums: Any, first_day: int
) -> dict[str, Any]:
    codes = {}
    for dim in reversed(dims):
        key, codes[dim] = divmod(key, sizes[dim])
    row: dict[str, Any] = {}
    for dim in dims:
        code = codes[dim]
        if dim == "date":
            row[dim] = (
                datetime.fromtimestamp((first_day + code) * 86_400, tz=UTC).date().isoformat()
            )
        elif dim == "sim_card_id":
            row[dim] = m.ids[code]
        elif dim in ("sim_group_id", "sim_group_name"):
            label = m.group_labels[code - 1] if code else None
            row[dim] = None if label is None else label[0 if dim == "sim_group_id" else 1]
        else:
            row[dim] = (_MCC if dim == "mcc" else _MNC)[code]
    for name, value in zip(METRICS, sums, strict=True):
        row[name] = int(value) if name == "sessions" else round(float(value), 9)
    return row


def _sorted(rows: list[dict[str, Any]], sort: tuple[str, ...]) -> list[dict[str, Any]]:
    for field in reversed(sort):
        name = field.lstrip("-")
        rows.sort(key=lambda r: (r[name] is None, r[name] or 0), reverse=field.startswith("-"))
    return rows


def usage_report_routes(index: WdrIndex, now: Any, prefix: str) -> list[Route]:
    """``{prefix}/usage_reports`` and its options; ``now`` is the sandbox clock."""

    async def options(request: Request) -> Response:
        product = text_param(request.query_params, "product")
        return Response(dumps(options_body(product)), media_type="application/json")

    async def report(request: Request) -> Response:
        params = request.query_params
        product = text_param(params, "product")
        if product is None:
            raise _bad("product", "product is required.", code="10004")
        if product != "wireless":
            raise _bad("product", f"product {product!r} is not available; use wireless.")
        dims = csv_param(params, "dimensions", DIMENSIONS)
        metrics = csv_param(params, "metrics", METRICS)
        for name, given in (("dimensions", dims), ("metrics", metrics)):
            if not given:
                raise _bad(name, f"{name} is required.", code="10004")
        fmt = text_param(params, "format") or "json"
        if fmt not in ("json", "csv"):
            raise _bad("format", f"format must be json or csv; got {fmt!r}.")
        bool_param(params, "managed_accounts")
        sortable = [*dims, *metrics]
        sort = csv_param(params, "sort", [*sortable, *(f"-{f}" for f in sortable)]) or dims
        start, end = _span(params, now())
        query = WdrQuery(start, end, _filters(text_param(params, "filter")), ("created_at",))
        page = page_param(params, max_size=5000)

        def work() -> Response:
            rows = _sorted(_aggregate(index, query, dims), sort)
            chunk = [{k: r[k] for k in (*dims, *metrics)} for r in page.slice(rows)]
            if fmt == "csv":
                out = io.StringIO()
                writer = csv.DictWriter(out, fieldnames=[*dims, *metrics], lineterminator="\n")
                writer.writeheader()
                writer.writerows(chunk)
                return Response(out.getvalue(), media_type="text/csv")
            body = list_body([dumps(r) for r in chunk], page, len(rows))
            return Response(body, media_type="application/json")

        return await run_in_threadpool(work)

    return [
        Route(f"{prefix}/usage_reports/options", options, methods=["GET"]),
        Route(f"{prefix}/usage_reports", report, methods=["GET"]),
    ]
