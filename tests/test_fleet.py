"""fleet_frame over real HTTP: exactly the fleet, filters that narrow, summaries that add up."""

from __future__ import annotations

import json
import math
import warnings
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

import httpx
import pandas as pd
import pytest

from simtools.analysis.usage import usage_summary
from simtools.client import SimClient
from simtools.errors import InvalidInputError, SimToolsDataWarning
from simtools.frames import sim_card_groups_frame
from simtools.frames.contracts import FLEET
from simtools.workflows.fleet import fleet_frame

MB = {"B": 1 / 1024**2, "KB": 1 / 1024, "MB": 1.0, "GB": 1024.0, "TB": 1024.0**2}


@pytest.fixture(scope="module")
def big() -> Iterator[Any]:
    from simtools.sandbox import serve

    with serve(port=0, fleet_size=20_000, seed=42) as sb:
        yield sb


@pytest.fixture(scope="module")
def raw_fleet(big: Any) -> list[dict[str, Any]]:
    """Every SIM as the server sends it, fetched by hand without simtools."""
    sims: list[dict[str, Any]] = []
    headers = {"Authorization": f"Bearer {big.api_key}"}
    with httpx.Client(base_url=big.base_url + "/", headers=headers) as http:
        page = 1
        while True:
            body = http.get("sim_cards", params={"page[number]": page, "page[size]": 250}).json()
            sims.extend(body["data"])
            if page >= body["meta"]["total_pages"]:
                return sims
            page += 1


@pytest.fixture(scope="module")
def fleet(big: Any) -> pd.DataFrame:
    with SimClient(big.api_key, base_url=big.base_url) as client:
        return fleet_frame(client, progress=False)


def test_fleet_frame_is_exactly_the_fleet(
    fleet: pd.DataFrame, raw_fleet: list[dict[str, Any]]
) -> None:
    """20,000 SIMs: ids unique, count equal to the server's, the same ids as fetched by hand."""
    assert len(fleet) == 20_000 == fleet.attrs["total_results"]
    assert fleet["id"].is_unique
    assert set(fleet["id"]) == {sim["id"] for sim in raw_fleet}
    assert list(fleet.columns) == list(FLEET.names)
    fetched_at = pd.Timestamp(fleet.attrs["fetched_at"])
    assert str(fetched_at.tz) == "UTC"


def test_group_names_are_joined(fleet: pd.DataFrame, big: Any) -> None:
    """Each SIM carries the name of its group."""
    with SimClient(big.api_key, base_url=big.base_url) as client:
        groups = {g.id: g.name for g in client.list_sim_card_groups()}
    expected = fleet["sim_card_group_id"].map(groups)
    assert (fleet["sim_card_group_name"].fillna("") == expected.fillna("")).all()


def test_summary_by_group_equals_the_raw_json(
    fleet: pd.DataFrame, raw_fleet: list[dict[str, Any]]
) -> None:
    """usage_summary by group matches counts, consumption and over-limit computed from raw JSON."""
    count: dict[str, int] = defaultdict(int)
    consumed: dict[str, float] = defaultdict(float)
    over: dict[str, int] = defaultdict(int)
    for sim in raw_fleet:
        key = sim.get("sim_card_group_id") or "(none)"
        used = sim["current_billing_period_consumed_data"]
        used_mb = float(used["amount"]) * MB[used["unit"]]
        limit = sim.get("data_limit")
        limit_mb = float(limit["amount"]) * MB[limit["unit"]] if limit else None
        count[key] += 1
        consumed[key] += used_mb
        is_over = sim["status"]["value"] == "data_limit_exceeded" or (
            limit_mb is not None and used_mb > limit_mb
        )
        over[key] += int(is_over)
    summary = usage_summary(fleet, by="sim_card_group_id")
    assert set(summary.index.astype(str)) == set(count)
    for key in count:
        row = summary.loc[key]
        assert row["sim_count"] == count[key]
        assert math.isclose(row["consumed_mb"], consumed[key], rel_tol=1e-9)
        assert row["over_limit_count"] == over[key]


def test_summary_by_status_counts_every_sim(
    fleet: pd.DataFrame, raw_fleet: list[dict[str, Any]]
) -> None:
    """By status, the counts are the raw statuses' counts."""
    expected: dict[str, int] = defaultdict(int)
    for sim in raw_fleet:
        expected[sim["status"]["value"]] += 1
    summary = usage_summary(fleet, by="status")
    assert {str(k): int(v) for k, v in summary["sim_count"].items()} == dict(expected)


@pytest.mark.parametrize(
    "filters",
    [
        {"status": "standby"},
        {"status": ["disabled", "data_limit_exceeded"]},
        {"tags": ["sensor"]},
    ],
)
def test_filters_narrow_to_exactly_the_matching_sims(
    big: Any, raw_fleet: list[dict[str, Any]], filters: dict[str, Any]
) -> None:
    """A server-side filter returns exactly the SIMs that match it in the raw fleet."""
    statuses = filters.get("status")
    statuses = [statuses] if isinstance(statuses, str) else statuses
    tags = filters.get("tags") or []
    expected = {
        sim["id"]
        for sim in raw_fleet
        if (statuses is None or sim["status"]["value"] in statuses)
        and set(tags) <= set(sim.get("tags") or [])
    }
    assert expected, "the synthetic fleet should have SIMs for every filter"
    with SimClient(big.api_key, base_url=big.base_url) as client:
        frame = fleet_frame(client, progress=False, **filters)
    assert set(frame["id"]) == expected
    assert len(frame) == len(expected)


def test_group_filter(big: Any, raw_fleet: list[dict[str, Any]]) -> None:
    """Filtering by group returns that group's SIMs only."""
    group = next(s["sim_card_group_id"] for s in raw_fleet if s.get("sim_card_group_id"))
    expected = {s["id"] for s in raw_fleet if s.get("sim_card_group_id") == group}
    with SimClient(big.api_key, base_url=big.base_url) as client:
        frame = fleet_frame(client, progress=False, sim_card_group_id=group)
    assert set(frame["id"]) == expected


def test_groups_frame_from_the_client(big: Any) -> None:
    """sim_card_groups_frame(client) lists every group with counts that add up to the fleet."""
    with SimClient(big.api_key, base_url=big.base_url) as client:
        groups = sim_card_groups_frame(client)
    assert list(groups.columns[:7]) == [
        "id",
        "record_type",
        "name",
        "default",
        "data_limit_mb",
        "consumed_mb",
        "sim_card_count",
    ]
    assert groups["default"].sum() == 1
    assert groups["sim_card_count"].sum() <= 20_000


def test_a_filter_the_server_ignored_is_detected_and_applied() -> None:
    """A server that ignores filter[status] is caught: a warning, and only matching rows kept."""
    sims = [
        {"id": f"00000000-0000-4000-8000-00000000000{i}", "status": {"value": v}}
        for i, v in enumerate(["enabled", "disabled", "enabled"])
    ]

    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/sim_card_groups"):
            return httpx.Response(
                200, json={"data": [], "meta": {"page_number": 1, "total_pages": 1}}
            )
        meta = {"page_number": 1, "total_pages": 1, "total_results": 3}
        return httpx.Response(200, content=json.dumps({"data": sims, "meta": meta}).encode())

    client = SimClient("k", base_url="https://x.test/v2", transport=httpx.MockTransport(answer))
    with client, pytest.warns(SimToolsDataWarning, match=r"ignored filter\[status\]"):
        frame = fleet_frame(client, status="enabled", progress=False)
    assert list(frame["status"].astype(str)) == ["enabled", "enabled"]


def test_sims_that_move_between_pages_are_kept_once_with_a_warning() -> None:
    """A SIM seen on two pages appears once, and the difference is reported, not hidden."""
    pages = {
        1: [
            {"id": "00000000-0000-4000-8000-000000000001"},
            {"id": "00000000-0000-4000-8000-000000000002"},
        ],
        2: [
            {"id": "00000000-0000-4000-8000-000000000002"},
            {"id": "00000000-0000-4000-8000-000000000003"},
        ],
    }

    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/sim_card_groups"):
            return httpx.Response(
                200, json={"data": [], "meta": {"page_number": 1, "total_pages": 1}}
            )
        n = int(request.url.params["page[number]"])
        meta = {"page_number": n, "page_size": 2, "total_pages": 2, "total_results": 4}
        return httpx.Response(200, json={"data": pages[n], "meta": meta})

    client = SimClient("k", base_url="https://x.test/v2", transport=httpx.MockTransport(answer))
    with client, warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        frame = fleet_frame(client, progress=False)
    assert list(frame["id"]) == [pages[1][0]["id"], pages[1][1]["id"], pages[2][1]["id"]]
    messages = " ".join(str(w.message) for w in caught)
    assert "appeared on two pages" in messages
    assert "reported 4 SIM cards but 3 arrived" in messages


def test_an_unknown_include_is_refused_before_anything_is_sent(sandbox: Any) -> None:
    """fleet_frame(include=[...]) names what it cannot join, and sends no request."""
    with SimClient(sandbox.api_key, base_url=sandbox.base_url) as client:
        sandbox.clear_request_log()
        with pytest.raises(InvalidInputError, match="cannot include 'nonsense'"):
            fleet_frame(client, include=["nonsense"], progress=False)
        assert sandbox.request_log == []
