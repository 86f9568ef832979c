"""``GET /detail_records``: the generic detail-record search, answered for ``record_type=wireless``.

The records are the WDRs' sessions (same ids, times and amounts) in the SDK's
``SimCardUsageDetailRecord`` form: ``record_type`` ``sim_card_usage``, data as plain MB numbers,
``data_rate`` a string and ``data_cost`` a number (CONTRACT.md section 5.7 C). Where the contract
is silent the sandbox assumes, after the SDK's docstrings:

* ``filter[record_type]`` is required (400, code 10004, without it); the SDK's other record types
  are valid and have no records here; anything else is a 400.
* ``filter[date_range]`` takes the SDK's names or ``last_N_days`` (:mod:`.date_ranges`);
  ``filter[created_at][gte|gt|lte|lt|eq]`` bound the time (``eq`` on a date means that day).
* Text fields (``id``, ``sim_card_id``, ``sim_group_id``, ``sim_group_name``, ``sim_card_tags``,
  ``imsi``, ``mcc``, ``mnc``, ``phone_number``) take ``filter[f]=v`` or ``filter[f][eq|contains|
  starts_with|ends_with]``; ``id`` only the exact form. Other fields are a 400, as the SDK says of
  fields the record type lacks.
* ``sort`` takes ``created_at`` and the text fields above but ``sim_card_tags``, ``-`` for
  descending; the default is ``-created_at`` (newest first). Pages hold at most 50 records.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from simtools.sandbox.date_ranges import DATE_RANGES, date_range_span
from simtools.sandbox.networks import ACCOUNT_CURRENCY, NETWORKS
from simtools.sandbox.params import csv_param, page_param
from simtools.sandbox.sessions import Batch
from simtools.sandbox.usage_model import DAY_MS
from simtools.sandbox.wdr_routes import paged_body, too_big
from simtools.sandbox.wdrs import TooBigToSort, WdrIndex, WdrQuery, parse_instant
from simtools.sandbox.wire import ApiProblem, iso

__all__ = ["RECORD_TYPES", "detail_record_routes"]

#: ``filter[record_type]`` values the SDK lists; only ``wireless`` has records in the sandbox.
RECORD_TYPES = (
    "ai-voice-assistant",
    "amd",
    "call-control",
    "conference",
    "conference-participant",
    "embedding",
    "fax",
    "inference",
    "inference-speech-to-text",
    "media_storage",
    "media-streaming",
    "messaging",
    "noise-suppression",
    "recording",
    "sip-trunking",
    "siprec-client",
    "stt",
    "tts",
    "verify",
    "webrtc",
    "wireless",
)
_TEXT_FIELDS = (
    "id",
    "sim_card_id",
    "sim_group_id",
    "sim_group_name",
    "sim_card_tags",
    "imsi",
    "mcc",
    "mnc",
    "phone_number",
)
_SORTS = ("created_at", *(f for f in _TEXT_FIELDS if f != "sim_card_tags"))
_FILTER = re.compile(r"filter\[([a-z_]+)\](?:\[([a-z_]+)\])?")


def _bad(parameter: str, detail: str, code: str = "10015") -> ApiProblem:
    return ApiProblem.single(400, code, detail, parameter=parameter)


def _time_bound(name: str, op: str, raw: str, bounds: list[int | None]) -> None:
    """Narrow ``bounds`` ([start, end) ms) by ``filter[created_at][op]=raw``."""
    instant = parse_instant(raw)
    if instant is None:
        raise _bad(name, f"{name} must be an ISO 8601 date or date-time; got {raw!r}.")
    ms = int(instant * 1000)
    date_only = len(raw.strip()) == 10
    low, high = {
        "gte": (ms, None),
        "gt": (ms + 1, None),
        "lte": (None, ms + 1),
        "lt": (None, ms),
        "eq": (ms, ms + (DAY_MS if date_only else 1)),
    }[op]
    if low is not None:
        bounds[0] = low if bounds[0] is None else max(bounds[0], low)
    if high is not None:
        bounds[1] = high if bounds[1] is None else min(bounds[1], high)


def _query(params: Mapping[str, str], items: list[tuple[str, str]], now: float) -> WdrQuery | None:
    """The query the filters ask for; None when the record type has no records here."""
    record_type = params.get("filter[record_type]")
    if not record_type:
        raise _bad("filter[record_type]", "filter[record_type] is required.", code="10004")
    if record_type not in RECORD_TYPES:
        raise _bad("filter[record_type]", f"Unknown record type {record_type!r}.")
    bounds: list[int | None] = [None, None]
    like: list[tuple[str, str, str]] = []
    for name, value in items:
        matched = _FILTER.fullmatch(name)
        if not matched:
            continue
        field, op = matched.group(1), matched.group(2)
        if field == "record_type" and op is None:
            continue
        if field == "date_range" and op is None:
            span = date_range_span(value, now)
            if span is None:
                allowed = ", ".join(DATE_RANGES)
                raise _bad(name, f"{name} must be one of {allowed} or last_N_days; got {value!r}.")
            _time_bound(name, "gte", iso(span[0] / 1000), bounds)
            _time_bound(name, "lt", iso(span[1] / 1000), bounds)
        elif field == "created_at" and op in ("gte", "gt", "lte", "lt", "eq", None):
            _time_bound(name, op or "eq", value, bounds)
        elif field in _TEXT_FIELDS and op in (None, "eq", "contains", "starts_with", "ends_with"):
            if field == "id" and op not in (None, "eq"):
                raise _bad(name, "Detail records are found by id with an exact match only.")
            like.append((field, op or "eq", value))
        else:
            raise _bad(name, f"{name} is not a filter of wireless detail records.")
    if record_type != "wireless":
        return None
    sort = csv_param(params, "sort", [*_SORTS, *(f"-{f}" for f in _SORTS)]) or ("-created_at",)
    return WdrQuery(bounds[0], bounds[1], (), sort, tuple(like))


def _renderer(index: WdrIndex) -> Callable[[Batch], list[dict[str, Any]]]:
    def render(batch: Batch) -> list[dict[str, Any]]:
        m = index.model
        a = index.amounts(batch)
        records = []
        rows = zip(
            *(x.tolist() for x in (batch.sim, batch.day, batch.ordinal, batch.t_ms, batch.dur)),
            *(x.tolist() for x in (batch.net, a.uplink, a.downlink, a.cost)),
            strict=True,
        )
        for sim, day, ordinal, t, dur, net, up, down, cost in rows:
            network, card, label = NETWORKS[net], m.sims[sim], m.labels[sim]
            seed = int(m.seed[sim])
            records.append(
                {
                    "record_type": "sim_card_usage",
                    "id": index.record_id(sim, day, ordinal),
                    "created_at": iso(t / 1000),
                    "closed_at": iso((t + dur * 1000) / 1000),
                    "sim_card_id": card.id,
                    "sim_card_tags": ",".join(index.sim_tags(sim)),
                    "sim_group_id": label[0] if label else None,
                    "sim_group_name": label[1] if label else None,
                    "imsi": card.wire["imsi"],
                    "mcc": network.mcc,
                    "mnc": network.mnc,
                    "phone_number": card.wire["msisdn"],
                    # The SIM's address on the carrier-grade NAT range, fixed per SIM.
                    "ip_address": f"100.{64 + (seed >> 8) % 64}.{(seed >> 16) % 256}."
                    f"{1 + (seed >> 24) % 254}",
                    "uplink_data": up,
                    "downlink_data": down,
                    "data_unit": "MB",
                    "data_rate": network.rate,
                    "data_cost": cost,
                    "currency": ACCOUNT_CURRENCY,
                }
            )
        return records

    return render


def detail_record_routes(index: WdrIndex, now: Callable[[], float], prefix: str) -> list[Route]:
    """The ``{prefix}/detail_records`` route; ``now`` is the sandbox clock (for date ranges)."""
    render = _renderer(index)

    async def list_records(request: Request) -> Response:
        params = request.query_params
        query = _query(params, list(params.multi_items()), now())
        page = page_param(params, max_size=50)

        def work() -> Response:
            if query is None:
                return paged_body(0, page.number, page.size, iter(()), render)
            total = index.total(query)
            try:
                batches = index.batches(query, page.start, page.size)
            except TooBigToSort as exc:
                raise too_big(exc) from None
            return paged_body(total, page.number, page.size, batches, render)

        return await run_in_threadpool(work)

    return [Route(f"{prefix}/detail_records", list_records, methods=["GET"])]
