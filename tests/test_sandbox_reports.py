"""WDR report jobs: pending, then complete with a CSV link that holds the range's records."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

import httpx
import pytest
import telnyx

from simtools.sandbox import Sandbox, serve
from simtools.sandbox.reports import CSV_COLUMNS


@pytest.fixture(scope="module")
def sb() -> Iterator[Sandbox]:
    with serve(fleet_size=60, seed=8, code_pool=10) as sandbox:
        yield sandbox


@pytest.fixture(scope="module")
def api(sb: Sandbox) -> Iterator[httpx.Client]:
    headers = {"Authorization": f"Bearer {sb.api_key}"}
    with httpx.Client(base_url=sb.base_url, headers=headers, timeout=30) as client:
        yield client


def test_report_is_pending_then_complete_with_a_csv(sb: Sandbox, api: httpx.Client) -> None:
    """A new job answers 201 pending; once settled its report_url serves the range's records."""
    start = "2020-01-01T00:00:00Z"
    created = api.post("/wireless/detail_records_reports", json={"start_time": start})
    assert created.status_code == 201
    job = created.json()["data"]
    assert job["status"] == "pending"
    assert "report_url" not in job
    sb.advance()
    done = api.get(f"/wireless/detail_records_reports/{job['id']}").json()["data"]
    assert done["status"] == "complete"
    rows = list(csv.DictReader(io.StringIO(httpx.get(done["report_url"]).text)))
    listed = api.get("/reports/wdrs", params={"start_date": start, "page[size]": 1}).json()
    assert len(rows) == listed["meta"]["total_results"] > 0
    assert tuple(rows[0]) == CSV_COLUMNS
    assert {r["sim_card_id"] for r in rows} <= set(sb.state.sims)


def test_report_list_and_delete(sb: Sandbox, api: httpx.Client) -> None:
    """Jobs are listed without meta; a deleted job leaves the list and its file is gone."""
    job = api.post("/wireless/detail_records_reports", json={}).json()["data"]
    sb.advance()
    url = api.get(f"/wireless/detail_records_reports/{job['id']}").json()["data"]["report_url"]
    listed = api.get("/wireless/detail_records_reports").json()
    assert set(listed) == {"data"}
    assert job["id"] in {j["id"] for j in listed["data"]}
    deleted = api.delete(f"/wireless/detail_records_reports/{job['id']}").json()["data"]
    assert deleted["status"] == "deleted"
    assert job["id"] not in {
        j["id"] for j in api.get("/wireless/detail_records_reports").json()["data"]
    }
    assert api.get(f"/wireless/detail_records_reports/{job['id']}").status_code == 404
    assert httpx.get(url).status_code == 404


def test_bad_report_range_is_a_422(api: httpx.Client) -> None:
    """A start_time that is no date, or one after end_time, is a 422 pointing at it."""
    for body in (
        {"start_time": "last week"},
        {"start_time": "2026-02-01T00:00:00Z", "end_time": "2026-01-01T00:00:00Z"},
    ):
        response = api.post("/wireless/detail_records_reports", json=body)
        assert response.status_code == 422
        assert response.json()["errors"][0]["source"]["pointer"] == "/start_time"


def test_sdk_creates_and_reads_a_report(sb: Sandbox) -> None:
    """The official SDK creates a report job and reads it back as complete."""
    with telnyx.Telnyx(api_key=sb.api_key, base_url=sb.base_url, max_retries=0) as sdk:
        job = sdk.wireless.detail_records_reports.create(start_time="2020-01-01T00:00:00Z").data
        assert job is not None
        assert job.id is not None
        assert job.status == "pending"
        sb.advance()
        again = sdk.wireless.detail_records_reports.retrieve(job.id).data
        assert again is not None
        assert again.status == "complete"
        assert again.report_url is not None
        assert again.report_url.endswith(".csv")
