"""Usage history over HTTP: 13 months, consistent across WDRs, detail records and usage reports."""

from __future__ import annotations

import csv
import io
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
import telnyx

from simtools.sandbox import Sandbox, serve
from simtools.sandbox.networks import ACCOUNT_CURRENCY, NETWORKS
from simtools.sandbox.records import to_mb


@pytest.fixture(scope="module")
def sb() -> Iterator[Sandbox]:
    with serve(fleet_size=60, seed=11, code_pool=10) as sandbox:
        yield sandbox


@pytest.fixture(scope="module")
def api(sb: Sandbox) -> Iterator[httpx.Client]:
    headers = {"Authorization": f"Bearer {sb.api_key}"}
    with httpx.Client(base_url=sb.base_url, headers=headers, timeout=60) as client:
        yield client


@pytest.fixture(scope="module")
def sdk(sb: Sandbox) -> Iterator[telnyx.Telnyx]:
    """The unmodified SDK with strict response validation: a shape mismatch raises."""
    client = telnyx.Telnyx(
        api_key=sb.api_key, base_url=sb.base_url, max_retries=0, _strict_response_validation=True
    )
    with client:
        yield client


def stamp(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def all_wdrs(api: httpx.Client, **params: Any) -> list[dict[str, Any]]:
    body = api.get("/reports/wdrs", params={**params, "page[size]": 100_000}).json()
    assert len(body["data"]) == body["meta"]["total_results"]
    records: list[dict[str, Any]] = body["data"]
    return records


def megabytes(record: dict[str, Any]) -> float:
    return float(record["uplink_data"]["amount"] + record["downlink_data"]["amount"])


def test_sdk_reads_wdrs_with_strict_validation(sdk: telnyx.Telnyx, sb: Sandbox) -> None:
    """list_wdrs parses strictly and auto-paginates a window to its total."""
    start = sb.state.wdrs.model.now_ms - 2 * 86_400_000
    page = sdk.reports.list_wdrs(start_date=stamp(start), page_size=250)
    total = getattr(page.meta, "total_results", None)
    records = list(page)
    assert total == len(records) > 0
    assert {r.record_type for r in records} == {"wdr"}
    assert all(r.cost is not None and r.cost.currency == ACCOUNT_CURRENCY for r in records)


def test_sdk_runs_a_report_job_and_its_csv_matches(sdk: telnyx.Telnyx, sb: Sandbox) -> None:
    """A report job is created, listed, completed, downloaded (same records) and deleted."""
    start = stamp(sb.state.wdrs.model.now_ms - 86_400_000)
    job = sdk.wireless.detail_records_reports.create(start_time=start).data
    assert job is not None
    assert job.id is not None
    listed = sdk.wireless.detail_records_reports.list().data or []
    assert job.id in {j.id for j in listed}
    sb.advance()
    done = sdk.wireless.detail_records_reports.retrieve(job.id).data
    assert done is not None
    assert done.status == "complete"
    assert done.report_url is not None
    rows = list(csv.DictReader(io.StringIO(httpx.get(done.report_url).text)))
    wdrs = [r.id for r in sdk.reports.list_wdrs(start_date=start, page_size=1000)]
    assert [row["id"] for row in rows] == wdrs
    deleted = sdk.wireless.detail_records_reports.delete(job.id).data
    assert deleted is not None
    assert deleted.status == "deleted"


def test_sdk_reads_detail_records_and_usage_reports(sdk: telnyx.Telnyx) -> None:
    """detail_records.list, usage_reports.list and get_options all parse strictly."""
    records = sdk.detail_records.list(
        filter={"record_type": "wireless", "date_range": "last_3_days"}, page_size=50
    )
    first = records.data[0]
    assert isinstance(first, telnyx.types.detail_record_list_response.SimCardUsageDetailRecord)
    assert first.record_type == "sim_card_usage"
    assert first.data_unit == "MB"
    report = sdk.usage_reports.list(
        product="wireless",
        dimensions=["date", "mcc"],
        metrics=["total_data", "sessions"],
        date_range="last_7_days",
    )
    assert report.data
    assert set(report.data[0]) == {"date", "mcc", "total_data", "sessions"}
    options = sdk.usage_reports.get_options(product="wireless").data or []
    assert [o.product for o in options] == ["wireless"]
    assert "sim_card_id" in (options[0].product_dimensions or [])


def test_totals_agree_across_the_three_endpoints(api: httpx.Client, sb: Sandbox) -> None:
    """Over one window, WDRs, detail records and the usage report give the same MB per SIM."""
    end = sb.state.wdrs.model.now_ms - 86_400_000
    start, finish = stamp(end - 3 * 86_400_000), stamp(end)
    by_wdr: dict[str, float] = defaultdict(float)
    for record in all_wdrs(api, start_date=start, end_date=finish):
        by_wdr[record["sim_card_id"]] += megabytes(record)
    by_detail: dict[str, float] = defaultdict(float)
    number = 1
    while True:
        params = {
            "filter[record_type]": "wireless",
            "filter[created_at][gte]": start,
            "filter[created_at][lt]": finish,
            "page[size]": 50,
            "page[number]": number,
        }
        body = api.get("/detail_records", params=params).json()
        for record in body["data"]:
            by_detail[record["sim_card_id"]] += record["uplink_data"] + record["downlink_data"]
        if number >= body["meta"]["total_pages"]:
            break
        number += 1
    params = {
        "product": "wireless",
        "dimensions": "sim_card_id",
        "metrics": "total_data",
        "start_date": start,
        "end_date": finish,
        "page[size]": 5000,
    }
    rows = api.get("/usage_reports", params=params).json()["data"]
    by_report = {row["sim_card_id"]: row["total_data"] for row in rows}
    assert len(by_wdr) > 20
    assert set(by_wdr) == set(by_detail) == set(by_report)
    for sim_id, total in by_wdr.items():
        assert by_detail[sim_id] == pytest.approx(total, abs=1e-6)
        assert by_report[sim_id] == pytest.approx(total, abs=1e-6)


def test_period_report_equals_consumed_data(api: httpx.Client, sb: Sandbox) -> None:
    """The usage report over the billing period gives each SIM its consumed data, in MB."""
    model = sb.state.wdrs.model
    params = {
        "product": "wireless",
        "dimensions": "sim_card_id",
        "metrics": "total_data,uplink_data,downlink_data",
        "start_date": stamp(model.period_ms),
        "end_date": stamp(model.now_ms + 60_000),
        "page[size]": 5000,
    }
    rows = {r["sim_card_id"]: r for r in api.get("/usage_reports", params=params).json()["data"]}
    for sim in sb.state.sims.values():
        consumed = sim.wire["current_billing_period_consumed_data"]
        expected = to_mb(consumed["amount"], consumed["unit"])
        row = rows.get(sim.id, {"total_data": 0.0, "uplink_data": 0.0, "downlink_data": 0.0})
        assert row["total_data"] == pytest.approx(expected, abs=1e-6)
        assert row["uplink_data"] + row["downlink_data"] == pytest.approx(expected, abs=1e-6)


def test_thirteen_months_with_growth(api: httpx.Client, sb: Sandbox) -> None:
    """Records span the period's month and the 12 before it; the fleet uses more over the year."""
    model = sb.state.wdrs.model
    months: Counter[str] = Counter()
    volume: dict[str, float] = defaultdict(float)
    for record in all_wdrs(api):
        months[record["created_at"][:7]] += 1
        volume[record["created_at"][:7]] += megabytes(record)
    period = datetime.fromtimestamp(model.period_ms / 1000, tz=UTC)
    expected = [
        f"{(period.year * 12 + period.month - 1 - k) // 12}-{(period.month - 1 - k) % 12 + 1:02d}"
        for k in range(12, -1, -1)
    ]
    assert sorted(months) == expected
    full = expected[:-1]
    assert volume[full[-1]] > volume[full[0]]


def test_anomalies_stand_out(api: httpx.Client, sb: Sandbox) -> None:
    """The runaway SIM's anomaly days dwarf its usual days; the stolen SIM roams far away then."""
    anomalies = {a.kind: a for a in sb.state.wdrs.anomalies()}
    assert set(anomalies) == {"runaway", "stolen"}
    for anomaly in anomalies.values():
        daily: dict[str, float] = defaultdict(float)
        networks: dict[str, set[tuple[str, str]]] = defaultdict(set)
        for record in all_wdrs(api, sim_card_id=anomaly.sim_card_id):
            day = record["created_at"][:10]
            daily[day] += megabytes(record)
            networks[day].add((record["mcc"], record["mnc"]))
        inside = [
            (anomaly.first_day + timedelta(days=k)).isoformat()
            for k in range((anomaly.last_day - anomaly.first_day).days + 1)
        ]
        usual = statistics.median(v for d, v in daily.items() if d not in inside)
        assert min(daily[d] for d in inside) > 20 * usual
        if anomaly.kind == "stolen":
            assert all(networks[d] == {(anomaly.mcc, anomaly.mnc)} for d in inside)
            assert anomaly.mcc not in {"310", "311", "302", "334"}


def test_idle_and_never_connected_sims_are_silent(api: httpx.Client, sb: Sandbox) -> None:
    """Never-connected SIMs have no record at all; idle ones none since they fell silent."""
    model = sb.state.wdrs.model
    never = [i for i in range(len(model)) if model.never[i]]
    idle = [i for i in range(len(model)) if model.idle[i]]
    assert never
    assert idle
    for i in never:
        assert all_wdrs(api, sim_card_id=model.ids[i]) == []
    for i in idle:
        records = all_wdrs(api, sim_card_id=model.ids[i])
        assert records
        silent_from = int(model.last[i]) * 86_400_000
        assert max(r["created_at"] for r in records) < stamp(silent_from)
        assert model.consumed[i] == 0.0


def test_roaming_and_rates_by_zone(api: httpx.Client, sb: Sandbox) -> None:
    """Some records are abroad, each rated by its network's zone: cost = rate x MB."""
    rate_of = {(n.mcc, n.mnc): n.rate for n in NETWORKS}
    records = all_wdrs(api, start_date=stamp(sb.state.wdrs.model.period_ms - 200 * 86_400_000))
    abroad = [r for r in records if r["mcc"] not in ("310", "311")]
    assert 0 < len(abroad) < len(records) / 5
    for record in records[:: max(1, len(records) // 500)] + abroad[:200]:
        assert record["rate"]["amount"] == rate_of[(record["mcc"], record["mnc"])]
        cost = float(record["rate"]["amount"]) * megabytes(record)
        assert float(record["cost"]["amount"]) == pytest.approx(cost, abs=1e-6)


def test_an_id_finds_its_record(api: httpx.Client, sb: Sandbox) -> None:
    """id= returns exactly the record with that id; an unknown id returns nothing."""
    start = stamp(sb.state.wdrs.model.now_ms - 5 * 86_400_000)
    record = api.get("/reports/wdrs", params={"start_date": start}).json()["data"][3]
    found = api.get("/reports/wdrs", params={"id": record["id"]}).json()
    assert found["data"] == [record]
    unknown = api.get("/reports/wdrs", params={"id": "6a09cdc3-8948-47f0-aa62-74ac943d6c58"})
    assert unknown.json()["data"] == []


def test_page_bounds_are_the_openapi_files(api: httpx.Client) -> None:
    """Any integer page size or number is answered: empty below 1, whole above any maximum."""
    for params in ({"page[size]": 0}, {"page[size]": -5}, {"page[number]": 0}):
        body = api.get("/reports/wdrs", params=params).json()
        assert body["data"] == []
        assert body["meta"]["total_results"] > 0
    small = api.get("/reports/wdrs", params={"page[size]": 2}).json()
    big = api.get("/reports/wdrs", params={"page[size]": 10**9}).json()
    assert big["meta"]["total_pages"] == 1
    assert len(big["data"]) == big["meta"]["total_results"] == small["meta"]["total_results"]
    assert big["data"][:2] == small["data"]


@pytest.mark.parametrize(
    ("params", "parameter"),
    [
        ({"start_date": "2026-01-01T00:00:00Z", "end_date": "2026-02-01T00:00:01Z"}, "end_date"),
        ({"date_range": "last_40_days"}, "date_range"),
        ({"date_range": "someday"}, "date_range"),
        ({"product": "messaging"}, "product"),
        ({"metrics": "bytes"}, "metrics"),
    ],
)
def test_bad_usage_report_queries_are_400s(
    api: httpx.Client, params: dict[str, str], parameter: str
) -> None:
    """More than 31 days, an unknown range, product or metric: a 400 naming the parameter."""
    query = {"product": "wireless", "dimensions": "date", "metrics": "sessions", **params}
    response = api.get("/usage_reports", params=query)
    assert response.status_code == 400
    assert response.json()["errors"][0]["source"]["parameter"] == parameter


def test_sdk_gets_bad_request_for_a_long_range(sdk: telnyx.Telnyx) -> None:
    """The SDK raises BadRequestError for a usage report over more than 31 days."""
    with pytest.raises(telnyx.BadRequestError):
        sdk.usage_reports.list(
            product="wireless",
            dimensions=["date"],
            metrics=["sessions"],
            start_date="2026-01-01T00:00:00Z",
            end_date="2026-03-01T00:00:00Z",
        )


def test_detail_record_filters(api: httpx.Client, sb: Sandbox) -> None:
    """Detail records need a record type, filter by text operators and refuse unknown fields."""
    assert api.get("/detail_records").status_code == 400
    other = api.get("/detail_records", params={"filter[record_type]": "messaging"}).json()
    assert other["data"] == []
    assert other["meta"]["total_results"] == 0
    sim = next(s for s in sb.state.sims.values() if s.consumed_mb > 0)
    params = {"filter[record_type]": "wireless", "filter[sim_card_id][starts_with]": sim.id[:8]}
    body = api.get("/detail_records", params=params).json()
    assert body["data"]
    assert {r["sim_card_id"][:8] for r in body["data"]} == {sim.id[:8]}
    stamps = [r["created_at"] for r in body["data"]]
    assert stamps == sorted(stamps, reverse=True)
    bad = api.get("/detail_records", params={"filter[record_type]": "wireless", "filter[x]": "1"})
    assert bad.status_code == 400
