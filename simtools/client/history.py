"""Usage history verbs: WDR report jobs (create, wait, download, delete), detail records and
usage reports, each bounded in time and checked before anything is sent (CONTRACT.md section 5.7).

Where the contract is silent, after the SDK 4.189.0 types (written where each is used):

* A report's ``report_url`` is a link that needs no key (pre-signed on the real API, a plain
  file on the sandbox): it is fetched without the client's credentials, so the key never leaves
  for another host.
* ``GET /wireless/detail_records_reports`` has no ``meta``: pages are read until one is short.
* ``GET /usage_reports`` takes at most 31 days a query; a longer range is split at UTC month
  boundaries (no calendar month is longer), so each window is also one month of a history store.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import urlsplit

import httpx

from simtools.client._wire import is_loopback, page_items, shape_error, validated
from simtools.client.paging import MAX_PAGES, PagedClient
from simtools.client.retrying import Deadline, poll
from simtools.client.transfer import BodyTooLarge, ExchangeTimeout, exchange
from simtools.errors import (
    InvalidInputError,
    ReportError,
    ResponseError,
    SimToolsError,
    TransportError,
    data_warning,
)
from simtools.history_models import (
    DetailRecord,
    UsageReportProduct,
    UsageReportWindow,
    WdrReport,
)
from simtools.inputs.arguments import check_uuid
from simtools.inputs.times import to_utc_timestamp

__all__ = [
    "DETAIL_RECORDS_PAGE_SIZE",
    "MAX_REPORT_BYTES",
    "USAGE_REPORT_MAX_DAYS",
    "USAGE_REPORT_PAGE_SIZE",
    "HistoryVerbs",
    "month_windows",
]

#: ``GET /detail_records`` pages hold at most 50 records (CONTRACT.md 5.7 C).
DETAIL_RECORDS_PAGE_SIZE = 50
#: ``GET /usage_reports``: at most 31 days a query, 5000 rows a page (CONTRACT.md 5.7 D).
USAGE_REPORT_MAX_DAYS = 31
USAGE_REPORT_PAGE_SIZE = 5000
#: The largest report file downloaded into memory by default (a year of about 100 SIMs is
#: 20 MB); larger reports take ``max_bytes=`` or a shorter window.
MAX_REPORT_BYTES = 1 << 30
#: Default usage report dimensions and metrics: the sandbox's published names (the real API's
#: are listed by ``usage_report_options``; CONTRACT.md says they are not published).
DEFAULT_DIMENSIONS = ("date", "sim_card_id", "sim_group_id", "sim_group_name", "mcc", "mnc")
DEFAULT_METRICS = ("uplink_data", "downlink_data", "total_data", "data_cost", "sessions")
_TIME = "%Y-%m-%dT%H:%M:%SZ"
Progress = Callable[[int, int], None]


def _window(start: Any, end: Any) -> tuple[dt.datetime, dt.datetime]:
    """``[start, end)`` as UTC datetimes (to the microsecond), end after start."""
    first = to_utc_timestamp(start, "start").floor("us").to_pydatetime()
    last = to_utc_timestamp(end, "end").floor("us").to_pydatetime()
    if last <= first:
        raise InvalidInputError(
            (start, end), "end must be after start", "pass a start earlier than the end"
        )
    return first, last


def _next_month(at: dt.datetime) -> dt.datetime:
    year, month = (at.year + 1, 1) if at.month == 12 else (at.year, at.month + 1)
    return dt.datetime(year, month, 1, tzinfo=dt.UTC)


def month_windows(start: Any, end: Any) -> list[tuple[dt.datetime, dt.datetime]]:
    """``[start, end)`` cut at each UTC month boundary: windows of at most 31 days, in order."""
    first, last = _window(start, end)
    windows = []
    at = first
    while at < last:
        stop = min(_next_month(at), last)
        windows.append((at, stop))
        at = stop
    return windows


def _names(value: Any, name: str) -> list[str]:
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, Iterable) or isinstance(items, bytes | dict):
        raise InvalidInputError(value, f"{name} must be a list of names", f"e.g. {name}=['date']")
    names = list(items)
    bad = [n for n in names if not isinstance(n, str) or not n.strip() or "," in n]
    if not names or bad:
        raise InvalidInputError(
            value,
            f"{name} must be one or more names without commas",
            "see client.usage_report_options() for the names the API takes",
        )
    return [n.strip() for n in names]


def _progress(value: Any) -> Progress | None:
    if value is not None and not callable(value):
        raise InvalidInputError(
            type(value).__name__,
            "progress must be a function of (done, total) or None",
            "pass e.g. progress=lambda done, total: print(done, total)",
        )
    checked: Progress | None = value
    return checked


def _seconds(value: Any, name: str) -> float:
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not math.isfinite(value)
        or value <= 0
    ):
        raise InvalidInputError(value, f"{name} must be a positive number of seconds", "e.g. 600")
    return float(value)


class HistoryVerbs(PagedClient):
    """WDR report jobs, ``GET /detail_records``, ``GET /usage_reports`` and its options."""

    # -- WDR report jobs ------------------------------------------------------------------------

    def create_wdr_report(self, start: Any, end: Any) -> WdrReport:
        """Ask for a CSV of the WDRs in ``[start, end)``; the job (``pending``, 201). Sent again
        only while nothing reached the server (a repeat would start a second job)."""
        first, last = _window(start, end)
        body = {"start_time": first.strftime(_TIME), "end_time": last.strftime(_TIME)}
        response = self._call("POST", "wireless/detail_records_reports", json_body=body, write=True)
        return self._data(response, WdrReport)

    def get_wdr_report(self, report_id: str) -> WdrReport:
        rid = check_uuid(report_id, "report_id")
        return self._data(self._call("GET", f"wireless/detail_records_reports/{rid}"), WdrReport)

    def delete_wdr_report(self, report_id: str) -> WdrReport:
        """Delete the job (and its file); the job as deleted."""
        rid = check_uuid(report_id, "report_id")
        response = self._call("DELETE", f"wireless/detail_records_reports/{rid}", write=True)
        return self._data(response, WdrReport)

    def list_wdr_reports(self) -> list[WdrReport]:
        """Every report job of the account. The list has no ``meta`` (CONTRACT.md 5.7 B), so
        pages are read until one is short (at most :data:`MAX_PAGES`)."""
        out: list[WdrReport] = []
        size = 250
        previous: list[str | None] = []
        for number in range(1, MAX_PAGES + 1):
            params = {"page[number]": str(number), "page[size]": str(size)}
            page = self._data_list(
                self._call("GET", "wireless/detail_records_reports", params=params), WdrReport
            )
            ids = [job.id for job in page]
            if ids and ids == previous:
                # A server that ignores page[number] answers the same page for ever.
                data_warning(
                    "GET wireless/detail_records_reports: page "
                    f"{number} repeats page {number - 1}; paging stopped there"
                )
                break
            out.extend(page)
            previous = ids
            if len(page) < size:
                break
        return out

    def wait_for_wdr_report(self, report_id: str, *, timeout: float = 600.0) -> WdrReport:
        """The job once ``complete``, looked at with the client's one waiting policy
        (:func:`~simtools.client.retrying.poll`) for at most ``timeout`` seconds. A job that
        failed, was deleted, or is still pending then is a :class:`ReportError`."""
        rid = check_uuid(report_id, "report_id")
        seconds = _seconds(timeout, "timeout")
        latest = [self.get_wdr_report(rid)]

        def look() -> bool:
            latest[0] = self.get_wdr_report(rid)
            return latest[0].status != "pending"

        if latest[0].status == "pending":
            poll(look, Deadline.after(seconds), first=0.25, cap=5.0)
        report = latest[0]
        if report.status == "complete" and report.report_url:
            return report
        reason = {
            "pending": f"not ready after {seconds:g} s; wait longer (timeout=) or ask again later",
            "failed": "the API could not make the report; create another",
            "deleted": "it was deleted before it was downloaded",
            "complete": "it has no report_url to download",
        }.get(str(report.status), f"an unknown status {report.status!r}")
        raise ReportError(rid, str(report.status), reason)

    def download_wdr_report(
        self, report: WdrReport, *, max_bytes: int = MAX_REPORT_BYTES, timeout: float = 600.0
    ) -> bytes:
        """The CSV file of a complete job (from ``wait_for_wdr_report``), read within ``timeout``
        seconds and ``max_bytes`` bytes, without the API key (see the module docstring). Reads
        are retried by the client's policy."""
        if not isinstance(report, WdrReport):
            raise InvalidInputError(
                type(report).__name__,
                "download_wdr_report needs the WdrReport of a complete job",
                "pass client.wait_for_wdr_report(report_id)",
            )
        url = report.report_url or ""
        parts = urlsplit(url)
        if report.status != "complete" or parts.scheme not in ("http", "https") or not parts.netloc:
            raise ReportError(
                str(report.id), str(report.status), "it has no report_url to download yet"
            )
        if parts.scheme == "http" and not is_loopback(parts.hostname or ""):
            raise ReportError(
                str(report.id), "complete", "its report_url is plain http to another host"
            )
        limit = max(1, int(max_bytes))
        seconds = _seconds(timeout, "timeout")
        # A URL to print in errors: the query of a pre-signed link is its signature.
        shown = f"{parts.scheme}://{parts.netloc}{parts.path}"

        def attempt(deadline: Deadline) -> bytes:
            request = self._http.build_request("GET", url, headers={"Accept": "text/csv"})
            wait = min(seconds, deadline.remaining())
            if wait <= 0:
                raise TransportError("GET", shown, "the call's deadline passed", request_sent=False)
            try:
                response = exchange(
                    self._http, request, timeout=wait, max_bytes=limit, with_auth=False
                )
            except (httpx.HTTPError, ExchangeTimeout) as exc:
                raise TransportError("GET", shown, type(exc).__name__) from None
            except BodyTooLarge as exc:
                raise ResponseError("GET", shown, 200, str(exc), "") from None
            if not response.is_success:
                raise ResponseError(
                    "GET", shown, response.status_code, "the report file did not download", ""
                )
            return response.content

        return self.retry.call(attempt)

    def wdr_report(
        self, start: Any, end: Any, *, timeout: float = 600.0, max_bytes: int = MAX_REPORT_BYTES
    ) -> bytes:
        """The CSV of the WDRs in ``[start, end)``, end to end: create the job, wait for it
        (``timeout`` seconds), download its file, and delete the job whatever happened."""
        seconds = _seconds(timeout, "timeout")
        job = self.create_wdr_report(start, end)
        rid = str(job.id)
        try:
            ready = self.wait_for_wdr_report(rid, timeout=seconds)
            return self.download_wdr_report(ready, max_bytes=max_bytes, timeout=seconds)
        finally:
            try:
                self.delete_wdr_report(rid)
            except SimToolsError as exc:
                # The file is read (or the job failed): a job left behind is clutter, not a
                # reason to lose the report, so it is said and the call goes on.
                data_warning(
                    f"WDR report job {rid} could not be deleted ({exc}); delete it with "
                    "client.delete_wdr_report(...)"
                )

    # -- detail records -------------------------------------------------------------------------

    def detail_records(
        self,
        start: Any,
        end: Any,
        *,
        sim_card_id: str | None = None,
        sim_group_id: str | None = None,
        progress: Progress | None = None,
    ) -> list[DetailRecord]:
        """Wireless detail records created in ``[start, end)`` (all pages of 50), optionally of
        one SIM or group; ``progress(pages_done, pages_total)`` after each page."""
        first, last = _window(start, end)
        report = _progress(progress)
        params = {
            "filter[record_type]": "wireless",
            "filter[created_at][gte]": first.strftime(_TIME),
            "filter[created_at][lt]": last.strftime(_TIME),
            "sort": "created_at",
        }
        if sim_card_id is not None:
            params["filter[sim_card_id]"] = check_uuid(sim_card_id, "sim_card_id")
        if sim_group_id is not None:
            params["filter[sim_group_id]"] = check_uuid(sim_group_id, "sim_group_id")
        total = [1]
        url = f"{self.base_url}/detail_records"
        out: list[DetailRecord] = []
        bodies = self.iter_page_bodies(
            "detail_records",
            params,
            page_size=DETAIL_RECORDS_PAGE_SIZE,
            on_meta=lambda meta: total.__setitem__(0, meta.total_pages or 1),
            on_page=None if report is None else lambda n: report(n, total[0]),
        )
        for content in bodies:
            page = httpx.Response(200, content=content, request=httpx.Request("GET", url))
            out.extend(
                validated(page, DetailRecord, item) for item in page_items(content, "GET", url)
            )
        return out

    # -- usage reports --------------------------------------------------------------------------

    def usage_report_options(self, product: str = "wireless") -> list[UsageReportProduct]:
        """The dimensions and metrics ``usage_reports`` takes for ``product``."""
        if not isinstance(product, str) or not product.strip():
            raise InvalidInputError(product, "product must be a name", "e.g. product='wireless'")
        response = self._call("GET", "usage_reports/options", params={"product": product})
        return self._data_list(response, UsageReportProduct)

    def usage_reports(
        self,
        start: Any,
        end: Any,
        *,
        dimensions: Iterable[str] = DEFAULT_DIMENSIONS,
        metrics: Iterable[str] = DEFAULT_METRICS,
        filter: str | None = None,  # the API's parameter name
        product: str = "wireless",
        progress: Progress | None = None,
    ) -> list[UsageReportWindow]:
        """Aggregated usage over ``[start, end)``, one :class:`UsageReportWindow` per UTC month
        the range touches (the API takes at most 31 days a query), each read to its last page
        of 5000 rows. ``progress(windows_done, windows_total)`` after each window."""
        windows = month_windows(start, end)
        dims, mets = _names(dimensions, "dimensions"), _names(metrics, "metrics")
        report = _progress(progress)
        if filter is not None and (not isinstance(filter, str) or "=" not in filter):
            raise InvalidInputError(
                filter, "filter must be dimension=value terms", "e.g. filter='mcc=310'"
            )
        if not isinstance(product, str) or not product.strip():
            raise InvalidInputError(product, "product must be a name", "e.g. product='wireless'")
        base = {"product": product, "dimensions": ",".join(dims), "metrics": ",".join(mets)}
        if filter is not None:
            base["filter"] = filter
        out = []
        for done, (first, last) in enumerate(windows, start=1):
            params = {**base, "start_date": first.strftime(_TIME), "end_date": last.strftime(_TIME)}
            rows = self._report_rows(params)
            out.append(UsageReportWindow(first, last, rows))
            if report is not None:
                report(done, len(windows))
        return out

    def _report_rows(self, params: dict[str, str]) -> list[dict[str, Any]]:
        url = f"{self.base_url}/usage_reports"
        rows: list[dict[str, Any]] = []
        for content in self.iter_page_bodies(
            "usage_reports",
            params,
            page_size=USAGE_REPORT_PAGE_SIZE,
            max_page_size=USAGE_REPORT_PAGE_SIZE,
        ):
            for item in page_items(content, "GET", url):
                if not isinstance(item, dict):
                    page = httpx.Response(200, content=content, request=httpx.Request("GET", url))
                    raise shape_error(page, f"a usage report row is a {type(item).__name__}")
                rows.append(item)
        return rows
