"""Asynchronous WDR report jobs (``/wireless/detail_records_reports``) and their CSV files.

A job is ``pending`` for ``action_delay`` seconds after creation, then ``complete`` with a
``report_url`` on the sandbox itself (``/files/wdr_reports/<id>.csv``, no key needed, like the
pre-signed links of the real API). The CSV holds the records of ``GET /reports/wdrs`` in the job's
time range, one row each in ``created_at`` order, amounts in MB; it is written as it is downloaded.
"""

from __future__ import annotations

import csv
import io
import random
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from simtools.sandbox.params import is_uuid, page_param, parse_body
from simtools.sandbox.records import uuid_from
from simtools.sandbox.wdrs import WdrIndex, WdrQuery, parse_instant
from simtools.sandbox.wire import ApiProblem, dumps, iso

__all__ = ["CSV_COLUMNS", "WdrReports", "report_routes"]

#: Columns of a report's CSV file.
CSV_COLUMNS = (
    "id",
    "created_at",
    "sim_card_id",
    "sim_group_id",
    "sim_group_name",
    "imsi",
    "mcc",
    "mnc",
    "phone_number",
    "duration_seconds",
    "uplink_mb",
    "downlink_mb",
    "rate",
    "cost",
    "currency",
)


@dataclass
class _Job:
    id: str
    created: float
    start_time: str | None
    end_time: str | None
    query: WdrQuery
    deleted: bool = False


class WdrReports:
    """The report jobs of one sandbox; ``now`` is the store's clock."""

    def __init__(self, index: WdrIndex, now: Callable[[], float], delay: float, seed: int):
        self._index = index
        self._now = now
        self._delay = delay
        self._seed = seed
        self._jobs: dict[str, _Job] = {}
        self._lock = threading.Lock()

    def _complete(self, job: _Job) -> bool:
        return self._now() >= job.created + self._delay

    def wire(self, job: _Job, root: str) -> dict[str, Any]:
        status = "deleted" if job.deleted else "complete" if self._complete(job) else "pending"
        body: dict[str, Any] = {"id": job.id, "record_type": "detail_records_report"}
        for key in ("start_time", "end_time"):
            value = getattr(job, key)
            if value is not None:
                body[key] = value
        body["status"] = status
        if status == "complete":
            body["report_url"] = f"{root.rstrip('/')}/files/wdr_reports/{job.id}.csv"
        body["created_at"] = iso(job.created)
        ready = job.created + self._delay
        body["updated_at"] = iso(ready if status == "complete" else job.created)
        return body

    def create(self, body: dict[str, Any]) -> _Job:
        bounds: list[int | None] = []
        texts: list[str | None] = []
        for field in ("start_time", "end_time"):
            raw = body.get(field)
            instant = parse_instant(raw) if isinstance(raw, str) else None
            if raw is not None and instant is None:
                raise ApiProblem.single(
                    422,
                    "10015",
                    f"{field} must be an ISO 8601 date-time such as 2021-05-01T00:00:00Z; "
                    f"got {raw!r}.",
                    pointer=f"/{field}",
                )
            bounds.append(None if instant is None else int(instant * 1000))
            texts.append(raw)
        if bounds[0] is not None and bounds[1] is not None and bounds[0] > bounds[1]:
            raise ApiProblem.single(
                422, "10015", "start_time must not be after end_time.", pointer="/start_time"
            )
        with self._lock:
            now = self._now()
            job_id = uuid_from(random.Random(f"report:{self._seed}:{len(self._jobs)}:{now}"))
            job = _Job(job_id, now, texts[0], texts[1], WdrQuery(bounds[0], bounds[1]))
            self._jobs[job_id] = job
            return job

    def job(self, job_id: str, *, include_deleted: bool = False) -> _Job:
        with self._lock:
            job = self._jobs.get(job_id)
        if job is None or (job.deleted and not include_deleted):
            raise ApiProblem.single(404, "10005", f"WDR report {job_id} was not found.")
        return job

    def jobs(self) -> list[_Job]:
        with self._lock:
            return [job for job in self._jobs.values() if not job.deleted]

    def delete(self, job_id: str) -> _Job:
        job = self.job(job_id)
        job.deleted = True
        return job

    def csv(self, job_id: str) -> Iterator[str] | None:
        """The CSV of a complete job in chunks, or None when there is none (unknown, pending,
        deleted). Chunks are made as they are read, so a year of a large fleet streams."""
        with self._lock:
            job = self._jobs.get(job_id)
        if job is None or job.deleted or not self._complete(job):
            return None
        return self._rows(job.query)

    def _rows(self, query: WdrQuery) -> Iterator[str]:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(CSV_COLUMNS)
        for batch in self._index.every(query):
            for r in self._index.wdrs(batch):
                writer.writerow(
                    [
                        r["id"],
                        r["created_at"],
                        r["sim_card_id"],
                        r.get("sim_group_id", ""),
                        r.get("sim_group_name", ""),
                        r["imsi"],
                        r["mcc"],
                        r["mnc"],
                        r["phone_number"],
                        r["duration_seconds"],
                        r["uplink_data"]["amount"],
                        r["downlink_data"]["amount"],
                        r["rate"]["amount"],
                        r["cost"]["amount"],
                        r["cost"]["currency"],
                    ]
                )
            yield out.getvalue()
            out.seek(0)
            out.truncate()
        yield out.getvalue()


def _json(body: Any, status: int = 200) -> Response:
    return Response(dumps(body), status_code=status, media_type="application/json")


def report_routes(reports: WdrReports, prefix: str) -> list[Route]:
    """The ``{prefix}/wireless/detail_records_reports`` routes and the CSV file route."""

    def job_id(request: Request) -> str:
        value = str(request.path_params["id"])
        if not is_uuid(value):
            raise ApiProblem.single(400, "10006", f"{value!r} is not a valid report id (a UUID).")
        return value

    async def create(request: Request) -> Response:
        job = reports.create(parse_body(await request.body()))
        return _json({"data": reports.wire(job, str(request.base_url))}, 201)

    async def listing(request: Request) -> Response:
        page = page_param(request.query_params)
        jobs = page.slice(reports.jobs())
        # The published list has no meta object (CONTRACT.md section 3).
        return _json({"data": [reports.wire(job, str(request.base_url)) for job in jobs]})

    async def retrieve(request: Request) -> Response:
        return _json({"data": reports.wire(reports.job(job_id(request)), str(request.base_url))})

    async def delete(request: Request) -> Response:
        job = reports.delete(job_id(request))
        return _json({"data": reports.wire(job, str(request.base_url))})

    async def download(request: Request) -> Response:
        chunks = reports.csv(str(request.path_params["id"]))
        if chunks is None:
            return Response("No such report file.\n", status_code=404, media_type="text/plain")
        # A sync iterator: starlette draws each chunk in its thread pool, off the event loop.
        return StreamingResponse(chunks, media_type="text/csv")

    path = f"{prefix}/wireless/detail_records_reports"
    return [
        Route(path, create, methods=["POST"]),
        Route(path, listing, methods=["GET"]),
        Route(f"{path}/{{id}}", retrieve, methods=["GET"]),
        Route(f"{path}/{{id}}", delete, methods=["DELETE"]),
        Route("/files/wdr_reports/{id}.csv", download, methods=["GET"]),
    ]
