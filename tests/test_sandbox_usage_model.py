"""The usage engine behind the history endpoints: reproducible, countable, pageable any way."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pytest

from simtools.sandbox import usage_query, usage_reports
from simtools.sandbox.kinds import KINDS, kind_of
from simtools.sandbox.sessions import Batch, count_per_day, count_per_sim, draw_range
from simtools.sandbox.state import SandboxState
from simtools.sandbox.synthetic import build_fleet
from simtools.sandbox.wdr_ids import decode_wdr_id, wdr_id
from simtools.sandbox.wdrs import WdrIndex, WdrQuery

#: Fixed moments, so that every index built here is the same on every run.
NOW = datetime(2026, 3, 17, 12, 30, tzinfo=UTC).timestamp()
FIRST_OF_MONTH = datetime(2026, 3, 1, 0, 20, tzinfo=UTC).timestamp()
DAY_MS = 86_400_000


def index_of(size: int, seed: int, now: float = NOW) -> WdrIndex:
    return SandboxState(build_fleet(size, seed, now=now, code_pool=0), action_delay=0.0).wdrs


@pytest.fixture(scope="module")
def index() -> WdrIndex:
    return index_of(200, 3)


def page(index: WdrIndex, query: WdrQuery, offset: int, limit: int) -> list[dict[str, Any]]:
    return [r for b in index.batches(query, offset, limit) for r in index.wdrs(b)]


def test_same_seed_and_moment_give_the_same_records(index: WdrIndex) -> None:
    """Records are a function of the fleet's seed and build moment, down to ids and amounts."""
    query = WdrQuery(int(NOW * 1000) - 40 * DAY_MS, None)
    again = index_of(200, 3)
    assert page(again, query, 100, 300) == page(index, query, 100, 300)
    other = index_of(200, 4)
    assert {r["id"] for r in page(other, query, 0, 300)}.isdisjoint(
        r["id"] for r in page(index, query, 0, 300)
    )


def test_formulas_count_what_is_drawn(index: WdrIndex) -> None:
    """Per day and per SIM, for any network set, counting matches drawing every session."""
    model = index.model
    sims = np.arange(len(model), dtype=np.int64)
    first, last = model.history_day, model.build_day
    for nets in (None, frozenset({0, 1}), frozenset(range(3, 26))):
        drawn = Batch.concat(draw_range(model, sims, first, last, nets))
        per_day = np.bincount(drawn.day - first, minlength=last - first)
        assert (per_day == count_per_day(model, sims, nets, first, last)).all()
        per_sim = np.bincount(drawn.sim, minlength=len(model))
        assert (per_sim == count_per_sim(model, sims, nets, first, last)).all()


@pytest.mark.parametrize(
    "sort",
    [
        ("created_at",),
        ("-created_at",),
        ("sim_card_id",),
        ("-sim_group_name", "-created_at"),
        ("mcc", "created_at"),
        ("imsi", "mnc"),
    ],
)
def test_lazy_pages_equal_sorting_everything(
    index: WdrIndex, sort: tuple[str, ...], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Paging by day buckets or segments gives what sorting all records and slicing gives."""
    query = WdrQuery(int(NOW * 1000) - 20 * DAY_MS + 12_345, int(NOW * 1000) - 3 * DAY_MS, (), sort)
    total = index.total(query)
    whole = page(index, query, 0, total)
    assert len(whole) == total > 1000
    monkeypatch.setattr(usage_query, "MATERIALISE_LIMIT", 0)
    for offset, limit in ((0, 250), (777, 1000), (total - 5, 250)):
        assert page(index, query, offset, limit) == whole[offset : offset + limit]


def test_a_huge_selection_refuses_a_sort_it_cannot_page(
    index: WdrIndex, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Sorting more records than the limit by duration is refused before any page is made."""
    monkeypatch.setattr(usage_query, "MATERIALISE_LIMIT", 10)
    with pytest.raises(usage_query.TooBigToSort):
        index.batches(WdrQuery(sort=("duration_seconds",)), 0, 20)


def test_the_first_hour_of_a_month_still_adds_up() -> None:
    """Twenty minutes into the period, every SIM with consumption has records summing to it."""
    index = index_of(120, 7, FIRST_OF_MONTH)
    model = index.model
    query = WdrQuery(model.period_ms, None)
    totals: dict[str, float] = {}
    for batch in index.every(query):
        for record in index.wdrs(batch):
            amount = record["uplink_data"]["amount"] + record["downlink_data"]["amount"]
            totals[record["sim_card_id"]] = totals.get(record["sim_card_id"], 0.0) + amount
    for i, consumed in enumerate(model.consumed):
        assert totals.get(model.ids[i], 0.0) == pytest.approx(consumed, abs=1e-6)


def test_ids_decode_to_their_session() -> None:
    """An id names its (SIM, day, ordinal); a changed digit or another seed is no id."""
    seeds = [11, 22, 33]
    text = wdr_id(2, 20_500, 7, seeds[2])
    assert decode_wdr_id(text, seeds) == (2, 20_500, 7)
    assert decode_wdr_id(text, [1, 2, 3]) is None
    tampered = text[:-1] + ("0" if text[-1] != "0" else "1")
    assert decode_wdr_id(tampered, seeds) is None
    assert text[14] == "4"


def test_kinds_follow_tags_then_group() -> None:
    """A kind tag decides; without one the group's purpose does; else a generic device."""
    assert KINDS[kind_of(["eu", "meter"], "Default")] == "meter"
    assert KINDS[kind_of(["eu"], "Retail POS")] == "pos"
    assert KINDS[kind_of([], None)] == "device"


def test_daily_and_weekly_cycles(index: WdrIndex) -> None:
    """Meters upload at night (US time); point-of-sale SIMs are quiet on Sundays."""
    model = index.model
    meters = np.flatnonzero(model.kind == KINDS.index("meter"))
    pos = np.flatnonzero(model.kind == KINDS.index("pos"))
    first, last = model.history_day, model.period_day
    hours = Counter(
        int(t // 3_600_000 % 24) for b in draw_range(model, meters, first, last) for t in b.t_ms
    )
    assert sum(hours[h] for h in (6, 7, 8, 9)) > 0.8 * sum(hours.values())
    weekdays = Counter(int((d + 3) % 7) for b in draw_range(model, pos, first, last) for d in b.day)
    assert weekdays[6] < 0.5 * weekdays[2]


def test_usage_report_sums_the_same_with_sparse_keys(
    index: WdrIndex, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Aggregating into dense slots or by sorting the keys gives the same rows."""
    query = WdrQuery(int(NOW * 1000) - 30 * DAY_MS, None, (), ("created_at",))
    dims = ("date", "sim_card_id", "mcc")
    dense = usage_reports._aggregate(index, query, dims)
    monkeypatch.setattr(usage_reports, "_DENSE_KEYS", 0)
    sparse = usage_reports._aggregate(index, query, dims)
    assert len(dense) > 1000
    assert dense == sparse
    records = sum(len(b) for b in index.every(query, ordered=False))
    assert sum(row["sessions"] for row in dense) == records
