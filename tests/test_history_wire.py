"""Usage history over the wire: WDR report jobs, detail records and usage reports read through
the client over real HTTP from the sandbox, and their frames agreeing with the WDRs they sum.

Rare wire conditions (the report file's request, bad arguments) use httpx.MockTransport.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import warnings
from collections.abc import Iterator
from typing import Any

import httpx
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import simtools
from simtools.client import SimClient
from simtools.client.history import USAGE_REPORT_MAX_DAYS, month_windows
from simtools.errors import InvalidInputError, NotFoundError, ReportError, SimToolsDataWarning
from simtools.frames.history import HISTORY_COLUMNS, WDR_CSV_COLUMNS
from simtools.frames.history_contracts import USAGE_HISTORY
from simtools.history_models import WdrReport
from simtools.sandbox import Sandbox, serve

KEY = "fake-history-test-key-0123456789"  # a stand-in, not a real key
SIM = "6a09cdc3-8948-47f0-aa62-74ac943d6c58"


@pytest.fixture(scope="module")
def sb() -> Iterator[Sandbox]:
    with serve(fleet_size=40, seed=5, code_pool=10, action_delay=0.3) as sandbox:
        yield sandbox


@pytest.fixture(scope="module")
def client(sb: Sandbox) -> Iterator[SimClient]:
    with SimClient(sb.api_key, base_url=sb.base_url) as c:
        yield c


@pytest.fixture(scope="module")
def now(sb: Sandbox) -> pd.Timestamp:
    return pd.Timestamp(sb.state.wdrs.model.now_ms, unit="ms", tz="UTC") + pd.Timedelta(minutes=1)


def _same_sessions(a: pd.DataFrame, b: pd.DataFrame) -> None:
    left = a.set_index("record_id").sort_index()
    right = b.set_index("record_id").sort_index()
    assert left.index.tolist() == right.index.tolist()
    for column in ("sim_card_id", "sim_group_name", "mcc", "mnc", "network_name", "start"):
        assert left[column].tolist() == right[column].tolist(), column
    for column in ("uplink_mb", "downlink_mb", "total_mb", "cost"):
        diff = (left[column] - right[column]).abs().max()
        assert diff < 1e-6, column


def test_a_report_job_gives_the_wdrs_of_its_window_and_is_deleted(
    client: SimClient, now: pd.Timestamp
) -> None:
    """wdr_report creates a job, waits for it, downloads its CSV and deletes the job; the CSV's
    frame holds the same sessions as GET /reports/wdrs over the window."""
    start = now - pd.Timedelta(days=10)
    frame = simtools.wdr_report_frame(client.wdr_report(start, now))
    wdrs = simtools.wdr_history_frame(client.usage_records(start, now))
    assert len(frame) > 100
    assert frame["history_source"].eq("wdr_report").all()
    _same_sessions(frame, wdrs)
    assert client.list_wdr_reports() == []


def test_waiting_follows_a_job_from_pending_to_complete(
    client: SimClient, now: pd.Timestamp
) -> None:
    """A new job is pending; wait_for_wdr_report returns it complete with a report_url (kept out
    of its repr and of the jobs frame); a deleted job is gone (404)."""
    job = client.create_wdr_report(now - pd.Timedelta(days=1), now)
    assert job.status == "pending"
    jobs = simtools.wdr_reports_frame(client.list_wdr_reports())
    assert jobs["report_status"].tolist() == ["pending"]
    ready = client.wait_for_wdr_report(str(job.id), timeout=30)
    assert ready.status == "complete"
    assert ready.report_url
    assert ready.report_url not in repr(ready)
    frame = simtools.wdr_reports_frame(ready)
    assert frame["has_report_url"].tolist() == [True]
    assert "report_url" not in frame.columns
    assert client.delete_wdr_report(str(job.id)).status == "deleted"
    with pytest.raises(NotFoundError):
        client.get_wdr_report(str(job.id))


def test_a_report_not_ready_by_its_deadline_is_a_report_error(make_sandbox: Any) -> None:
    """A job still pending when the wait's deadline passes is a ReportError saying so."""
    with (
        make_sandbox(fleet_size=5, action_delay=3600) as sandbox,
        SimClient(sandbox.api_key, base_url=sandbox.base_url) as c,
    ):
        job = c.create_wdr_report("2026-01-01", "2026-01-02")
        with pytest.raises(ReportError, match="pending"):
            c.wait_for_wdr_report(str(job.id), timeout=0.5)


def test_detail_records_are_the_same_sessions_as_the_wdrs(
    client: SimClient, now: pd.Timestamp
) -> None:
    """GET /detail_records over a window, all pages of 50, gives the WDRs' sessions (same ids,
    data, cost and network); progress sees every page."""
    start = now - pd.Timedelta(days=3)
    pages: list[tuple[int, int]] = []
    records = client.detail_records(start, now, progress=lambda d, t: pages.append((d, t)))
    frame = simtools.detail_records_frame(records)
    wdrs = simtools.wdr_history_frame(client.usage_records(start, now))
    assert len(frame) > 50
    assert pages[-1] == (pages[-1][1], pages[-1][1])
    assert len(pages) == pages[-1][1]
    _same_sessions(frame, wdrs)
    ends = (frame["end"] - frame["start"]).dt.total_seconds()
    assert (ends - frame["duration_s"].astype(float)).abs().max() < 1e-6


def test_usage_reports_split_a_year_into_months_and_sum_to_the_wdrs(
    client: SimClient, now: pd.Timestamp
) -> None:
    """A 13-month range is asked for one UTC month at a time (at most 31 days a query); the
    report's data and cost per month and group equal the WDRs' over the same windows."""
    start = now.normalize().replace(day=1) - pd.DateOffset(months=12)
    seen: list[tuple[int, int]] = []
    windows = client.usage_reports(start, now, progress=lambda d, t: seen.append((d, t)))
    assert len(windows) == 13
    assert seen == [(k, 13) for k in range(1, 14)]
    assert all(w.end - w.start <= dt.timedelta(days=USAGE_REPORT_MAX_DAYS) for w in windows)
    report = simtools.usage_report_frame(windows, currency="USD")
    wdrs = simtools.wdr_history_frame(client.usage_records(start, now))
    by_report = simtools.cost_by(report).set_index(["month", "sim_group_name"])
    by_wdrs = simtools.cost_by(wdrs).set_index(["month", "sim_group_name"])
    assert by_report.index.tolist() == by_wdrs.index.tolist()
    for column in ("total_mb", "cost", "sessions"):
        diff = (by_report[column] - by_wdrs[column]).abs().max()
        assert diff < 1e-5, column


def test_usage_reports_read_every_page_of_a_window(make_sandbox: Any) -> None:
    """A window with more than 5000 rows is read to its last page: as many rows as the report
    holds, none twice."""
    with (
        make_sandbox(fleet_size=400, seed=2) as sandbox,
        SimClient(sandbox.api_key, base_url=sandbox.base_url) as c,
    ):
        now = pd.Timestamp(sandbox.state.wdrs.model.now_ms, unit="ms", tz="UTC")
        end = now.normalize().replace(day=1)
        start = end - pd.DateOffset(months=1)
        (window,) = c.usage_reports(start, end, dimensions=["date", "sim_card_id"])
        params = {
            "product": "wireless",
            "dimensions": "date,sim_card_id",
            "metrics": "total_data",
            "start_date": start.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "end_date": end.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "page[size]": "1",
        }
        meta = c._call("GET", "usage_reports", params=params).json()["meta"]
    assert meta["total_results"] > 5000
    assert len(window.rows) == meta["total_results"]
    assert len({(r["date"], r["sim_card_id"]) for r in window.rows}) == len(window.rows)


def test_usage_report_options_list_the_dimensions_and_metrics(client: SimClient) -> None:
    """The options frame has a row per dimension and metric of the wireless product."""
    frame = simtools.usage_report_options_frame(client.usage_report_options())
    top = frame[frame["report_record_type"].isna()]
    assert set(top.loc[top["option_kind"] == "dimension", "option"]) >= {"date", "sim_card_id"}
    assert "data_cost" in set(top.loc[top["option_kind"] == "metric", "option"])


def _refusing() -> SimClient:
    def handler(request: httpx.Request) -> httpx.Response:
        raise AssertionError(f"no request should be sent, got {request.url}")

    return SimClient(KEY, base_url="http://127.0.0.1:9/v2", transport=httpx.MockTransport(handler))


@pytest.mark.parametrize(
    ("verb", "args", "kwargs"),
    [
        ("create_wdr_report", ("2026-02-01", "2026-01-01"), {}),
        ("get_wdr_report", ("not-a-uuid",), {}),
        ("delete_wdr_report", ("42",), {}),
        ("wait_for_wdr_report", (SIM,), {"timeout": -1}),
        ("detail_records", ("2026-01-01", "yesterday"), {}),
        ("detail_records", ("2026-01-01", "2026-01-02"), {"sim_card_id": "x"}),
        ("detail_records", ("2026-01-01", "2026-01-02"), {"progress": 3}),
        ("usage_reports", ("2026-01-01", "2026-03-01"), {"dimensions": []}),
        ("usage_reports", ("2026-01-01", "2026-03-01"), {"metrics": ["a,b"]}),
        ("usage_reports", ("2026-01-01", "2026-03-01"), {"filter": "mcc"}),
        ("usage_report_options", ("",), {}),
    ],
)
def test_bad_arguments_are_refused_before_any_request(
    verb: str, args: tuple[Any, ...], kwargs: dict[str, Any]
) -> None:
    """Each verb checks its arguments first: a clear InvalidInputError, nothing sent."""
    with _refusing() as c, pytest.raises(InvalidInputError):
        getattr(c, verb)(*args, **kwargs)


def test_the_report_file_is_fetched_without_the_api_key() -> None:
    """The report's link is fetched without the Authorization header (it is pre-signed), and a
    link on another host over plain http is refused."""
    seen: dict[str, httpx.Headers] = {}

    def handler(request: httpx.Request) -> httpx.Response:
        seen[request.url.path] = request.headers
        return httpx.Response(200, text="id,created_at\n")

    transport = httpx.MockTransport(handler)
    with SimClient(KEY, base_url="http://127.0.0.1:9/v2", transport=transport) as c:
        link = "https://files.example.com/r.csv?X-Amz-Signature=abc"
        body = c.download_wdr_report(WdrReport(id=SIM, status="complete", report_url=link))
        assert body == b"id,created_at\n"
        assert "authorization" not in seen["/r.csv"]
        with pytest.raises(ReportError, match="plain http"):
            c.download_wdr_report(
                WdrReport(id=SIM, status="complete", report_url="http://files.example.com/r.csv")
            )
        with pytest.raises(ReportError, match="no report_url"):
            c.download_wdr_report(WdrReport(id=SIM, status="pending"))


# -- the report CSV parser and the window splitter ------------------------------------------------

_codes = st.text(alphabet="0123456789", min_size=2, max_size=3)
_mb = st.floats(min_value=0, max_value=1e7, allow_nan=False, allow_infinity=False)
_amounts = st.one_of(st.none(), _mb)
_rows = st.lists(
    st.fixed_dictionaries(
        {
            "id": st.uuids().map(str),
            "created_at": st.datetimes(
                min_value=dt.datetime(2020, 1, 1), max_value=dt.datetime(2030, 1, 1)
            ).map(lambda t: t.replace(microsecond=t.microsecond // 1000 * 1000)),
            "sim_card_id": st.uuids().map(str),
            "mcc": _codes,
            "mnc": _codes,
            "uplink_mb": _mb,
            "downlink_mb": _mb,
            "cost": _amounts,
            "currency": st.sampled_from(["USD", "EUR", ""]),
        }
    ),
    max_size=20,
)


def _csv(rows: list[dict[str, Any]], extra: str = "") -> str:
    columns = [*WDR_CSV_COLUMNS, *([extra] if extra else [])]
    lines = [",".join(columns)]
    for row in rows:
        cells = []
        for name in WDR_CSV_COLUMNS:
            value = row[name]
            if isinstance(value, dt.datetime):
                value = value.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
            cells.append(
                "" if value is None else repr(value) if isinstance(value, float) else value
            )
        lines.append(",".join([*cells, *(["x"] if extra else [])]))
    return "\n".join(lines) + "\n"


@settings(max_examples=60, deadline=None)
@given(rows=_rows, extra=st.sampled_from(["", "radio_access_technology"]))
def test_report_csv_rows_come_back_as_written(rows: list[dict[str, Any]], extra: str) -> None:
    """Every CSV row is one history row: codes keep their leading zeros, amounts and times come
    back as written, a missing amount is missing, and extra columns are ignored."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        frame = simtools.wdr_report_frame(_csv(rows, extra).encode())
    assert list(frame.columns) == list(HISTORY_COLUMNS)
    assert frame.dtypes.to_dict() == USAGE_HISTORY.empty().dtypes.to_dict()
    assert len(frame) == len(rows)
    for i, row in enumerate(rows):
        got = frame.iloc[i]
        assert got["record_id"] == row["id"]
        assert (got["mcc"], got["mnc"]) == (row["mcc"], row["mnc"])
        assert got["start"] == pd.Timestamp(row["created_at"], tz="UTC")
        for name, column in (("uplink_mb", "uplink_mb"), ("cost", "cost")):
            if row[name] is None:
                assert pd.isna(got[column])
            else:
                assert got[column] == row[name]
        up, down = row["uplink_mb"], row["downlink_mb"]
        if up is not None and down is not None:
            assert got["total_mb"] == pytest.approx(up + down)
        assert (got["currency"] if pd.notna(got["currency"]) else "") == row["currency"]


@settings(max_examples=30, deadline=None)
@given(junk=st.text(alphabet="abc-+e ", min_size=1, max_size=5))
def test_a_cell_that_is_not_a_number_keeps_its_row_and_is_reported(junk: str) -> None:
    """A cost that does not read is missing in its row, kept raw, and named in one warning."""
    text = _csv(
        [
            {
                "id": "a",
                "created_at": dt.datetime(2026, 1, 1),
                "sim_card_id": SIM,
                "mcc": "310",
                "mnc": "410",
                "uplink_mb": 1.0,
                "downlink_mb": 2.0,
                "cost": None,
                "currency": "USD",
            }
        ]
    ).replace(",,USD", f",{junk},USD")
    if junk.strip() in ("", "e"):
        return
    with pytest.warns(SimToolsDataWarning, match="cost"):
        frame = simtools.wdr_report_frame(text)
    assert len(frame) == 1
    assert pd.isna(frame["cost"].iloc[0])
    assert frame["total_mb"].iloc[0] == 3.0


def test_a_csv_without_the_report_columns_is_refused() -> None:
    """A CSV that is not a WDR report names the columns it lacks."""
    with pytest.raises(InvalidInputError, match="uplink_mb"):
        simtools.wdr_report_frame("id,created_at\n1,2026-01-01T00:00:00Z\n")
    with pytest.raises(InvalidInputError):
        simtools.wdr_report_frame(json.dumps({"data": []}).encode() + b"\x00\xff")


_instants = st.datetimes(min_value=dt.datetime(2000, 1, 1), max_value=dt.datetime(2100, 1, 1))


@settings(max_examples=200, deadline=None)
@given(a=_instants, b=_instants)
def test_month_windows_cover_the_range_in_months(a: dt.datetime, b: dt.datetime) -> None:
    """The windows are contiguous, cover [start, end) exactly, each at most 31 days, and every
    inner boundary is the first instant of a UTC month."""
    start, end = sorted((a.replace(tzinfo=dt.UTC), b.replace(tzinfo=dt.UTC)))
    if start == end:
        with pytest.raises(InvalidInputError):
            month_windows(start, end)
        return
    windows = month_windows(start, end)
    assert windows[0][0] == start
    assert windows[-1][1] == end
    for (_, stop), (following, _) in itertools.pairwise(windows):
        assert stop == following
        assert (stop.day, stop.hour, stop.minute, stop.second, stop.microsecond) == (1, 0, 0, 0, 0)
    assert all(timedelta_ok(w) for w in windows)


def timedelta_ok(window: tuple[dt.datetime, dt.datetime]) -> bool:
    return dt.timedelta(0) < window[1] - window[0] <= dt.timedelta(days=USAGE_REPORT_MAX_DAYS)


def _jobs_server(status: str, sent: list[str]) -> httpx.MockTransport:
    """A report API whose one job has ``status``; every request's method and path is noted."""

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(f"{request.method} {request.url.path}")
        job = {"id": SIM, "record_type": "detail_records_report", "status": status}
        if request.method == "POST":
            return httpx.Response(201, json={"data": {**job, "status": "pending"}})
        if request.method == "DELETE":
            return httpx.Response(200, json={"data": {**job, "status": "deleted"}})
        return httpx.Response(200, json={"data": job})

    return httpx.MockTransport(handler)


def test_a_failed_report_is_a_report_error_and_its_job_is_deleted() -> None:
    """wdr_report on a job that fails raises ReportError('failed') and still deletes the job."""
    sent: list[str] = []
    with SimClient(
        KEY, base_url="http://127.0.0.1:9/v2", transport=_jobs_server("failed", sent)
    ) as c:
        with pytest.raises(ReportError, match="failed"):
            c.wdr_report("2026-01-01", "2026-01-02", timeout=5)
    assert sent[0] == "POST /v2/wireless/detail_records_reports"
    assert sent[-1] == f"DELETE /v2/wireless/detail_records_reports/{SIM}"


def test_a_list_that_ignores_page_numbers_stops_with_a_warning() -> None:
    """A job list that answers the same full page for every page number is read once, with a
    warning, instead of for ever."""
    page = [
        {"id": f"{i:08d}-0000-4000-8000-000000000000", "status": "complete"} for i in range(250)
    ]

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"data": page})

    with (
        SimClient(
            KEY, base_url="http://127.0.0.1:9/v2", transport=httpx.MockTransport(handler)
        ) as c,
        pytest.warns(SimToolsDataWarning, match="repeats"),
    ):
        jobs = c.list_wdr_reports()
    assert len(jobs) == 250


_units = st.sampled_from(["B", "KB", "MB", "GB", None])
_PER_MB = {"B": 1 / 1024**2, "KB": 1 / 1024, "MB": 1.0, "GB": 1024.0, None: 1.0}


@settings(max_examples=60, deadline=None)
@given(
    records=st.lists(
        st.fixed_dictionaries(
            {
                "id": st.uuids().map(str),
                "created_at": st.just("2026-03-01T10:00:00Z"),
                "closed_at": st.sampled_from(["2026-03-01T10:05:00Z", None]),
                "mcc": _codes,
                "mnc": _codes,
                "uplink_data": _mb,
                "downlink_data": _mb,
                "data_unit": _units,
                "data_cost": _amounts,
                "currency": st.sampled_from(["USD", "GBP"]),
            }
        ),
        max_size=15,
    )
)
def test_detail_records_come_back_in_megabytes(records: list[dict[str, Any]]) -> None:
    """Each detail record is one row, its amounts converted from data_unit (MB when absent) to
    MB in 1024 steps, its end its closed_at, its cost its data_cost."""
    body = {"data": [{k: v for k, v in r.items() if v is not None} for r in records]}
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        frame = simtools.detail_records_frame(json.dumps(body))
    assert len(frame) == len(records)
    for got, record in zip(frame.itertuples(), records, strict=True):
        per = _PER_MB[record["data_unit"]]
        assert got.uplink_mb == pytest.approx(record["uplink_data"] * per)
        assert got.total_mb == pytest.approx(
            (record["uplink_data"] + record["downlink_data"]) * per
        )
        assert pd.isna(got.end) == (record["closed_at"] is None)
        assert (pd.isna(got.cost) and record["data_cost"] is None) or got.cost == record[
            "data_cost"
        ]
        assert got.sessions == 1
