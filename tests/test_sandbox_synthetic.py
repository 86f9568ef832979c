"""The synthetic fleet: reproducible from its seed, varied like a real account, cheap at scale."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

import pytest

from simtools.models import SIM_STATUSES
from simtools.sandbox.records import luhn_digit, to_mb
from simtools.sandbox.state import SandboxState, SimQuery
from simtools.sandbox.synthetic import TAGS, Fleet, build_fleet, month_start

#: A fixed moment (mid-month) so that every fleet built here is the same on every run.
NOW = datetime(2026, 3, 17, 12, 30, tzinfo=UTC).timestamp()


@pytest.fixture(scope="module")
def fleet() -> Fleet:
    return build_fleet(500, 0, now=NOW, code_pool=200)


def test_same_seed_builds_the_same_fleet(fleet: Fleet) -> None:
    """Two builds with the same seed and moment are identical, down to ids and codes."""
    again = build_fleet(500, 0, now=NOW, code_pool=200)
    assert [s.wire for s in again.sims] == [s.wire for s in fleet.sims]
    assert [s.full(include_pin_puk=True) for s in again.sims[:20]] == [
        s.full(include_pin_puk=True) for s in fleet.sims[:20]
    ]
    assert again.pool_codes == fleet.pool_codes
    assert again.actions == fleet.actions


def test_another_seed_builds_another_fleet(fleet: Fleet) -> None:
    """A different seed gives different SIMs and codes."""
    other = build_fleet(500, 1, now=NOW, code_pool=200)
    assert {s.wire["iccid"] for s in other.sims}.isdisjoint({s.wire["iccid"] for s in fleet.sims})
    assert set(other.pool_codes).isdisjoint(fleet.pool_codes)


def test_every_status_appears_and_most_sims_are_enabled(fleet: Fleet) -> None:
    """All eight statuses occur; enabled is the majority."""
    counts = Counter(s.status for s in fleet.sims)
    assert set(counts) == set(SIM_STATUSES)
    assert counts["enabled"] > len(fleet.sims) / 2


def test_consumption_units_and_limit_spellings_vary(fleet: Fleet) -> None:
    """Consumption comes in KB, MB and GB; limits in MB and GB, 2 GB sometimes as 2048.0 MB."""
    consumed_units = Counter(
        s.wire["current_billing_period_consumed_data"]["unit"] for s in fleet.sims
    )
    assert set(consumed_units) == {"KB", "MB", "GB"}
    limits = Counter(
        (s.wire["data_limit"]["amount"], s.wire["data_limit"]["unit"])
        for s in fleet.sims
        if "data_limit" in s.wire
    )
    assert {unit for _, unit in limits} == {"MB", "GB"}
    assert limits[("2048.0", "MB")] > 0
    assert limits[("2.0", "GB")] > 0
    for sim in fleet.sims:
        amount = sim.wire["current_billing_period_consumed_data"]["amount"]
        assert "." in amount
        float(amount)


def test_usage_spans_no_limit_near_and_over(fleet: Fleet) -> None:
    """No limit, 80-100 %, over the limit all occur; only SIMs over it show data_limit_exceeded."""
    utilization = []
    without = 0
    for sim in fleet.sims:
        limit = sim.wire.get("data_limit")
        if limit is None:
            without += 1
            continue
        utilization.append(sim.consumed_mb / to_mb(limit["amount"], limit["unit"]))
        if sim.status == "data_limit_exceeded":
            assert utilization[-1] > 1.0, sim.wire
    assert without > 0
    assert any(0.8 <= u < 1.0 for u in utilization)
    assert sum(u > 1.0 for u in utilization) > 0


def test_groups_default_and_limits(fleet: Fleet) -> None:
    """One default group; some groups carry a data limit and some do not."""
    assert sum(g.default for g in fleet.groups) == 1
    assert any(g.data_limit for g in fleet.groups)
    assert any(g.data_limit is None for g in fleet.groups)
    group_ids = {g.id for g in fleet.groups}
    assert {s.group_id for s in fleet.sims} - {None} <= group_ids
    assert any(s.group_id is None for s in fleet.sims)


def test_identities_look_real_and_are_unique(fleet: Fleet) -> None:
    """ICCIDs start with 89 and pass Luhn, MSISDNs are E.164, and none repeats."""
    iccids = [s.wire["iccid"] for s in fleet.sims]
    msisdns = [s.wire["msisdn"] for s in fleet.sims]
    imsis = [s.wire["imsi"] for s in fleet.sims]
    assert len(set(iccids)) == len(set(msisdns)) == len(set(imsis)) == len(fleet.sims)
    for iccid in iccids:
        assert iccid.startswith("89")
        assert len(iccid) == 20
        assert iccid.isdigit()
        assert luhn_digit(iccid[:-1]) == iccid[-1]
    assert all(m.startswith("+1") and len(m) == 12 and m[1:].isdigit() for m in msisdns)


def test_esims_have_an_eid_and_physical_sims_do_not(fleet: Fleet) -> None:
    """eSIMs carry eid and esim_installation_status; physical SIMs have both null."""
    types = Counter(s.wire["type"] for s in fleet.sims)
    assert types["esim"] > 0
    assert types["physical"] > types["esim"]
    for sim in fleet.sims:
        if sim.wire["type"] == "esim":
            assert len(sim.wire["eid"]) == 32
            assert sim.wire["esim_installation_status"] in ("released", "disabled")
        else:
            assert sim.wire["eid"] is None
            assert sim.wire["esim_installation_status"] is None


def test_tags_come_from_a_small_vocabulary(fleet: Fleet) -> None:
    """Tags are drawn from the vocabulary, each SIM has at most three, and some have none."""
    assert all(set(s.tags) <= set(TAGS) and len(s.tags) <= 3 for s in fleet.sims)
    assert any(not s.tags for s in fleet.sims)


def test_created_at_spreads_over_months_before_the_period(fleet: Fleet) -> None:
    """SIMs were created over many months, all before the current billing period."""
    period = month_start(NOW)
    created = [s.created for s in fleet.sims]
    assert max(created) < period
    months = {datetime.fromtimestamp(c, tz=UTC).strftime("%Y-%m") for c in created}
    assert len(months) >= 6


def test_codes_are_ten_digits_and_distinct(fleet: Fleet) -> None:
    """Pool codes and fleet codes are 10-digit strings, none shared."""
    fleet_codes = {s.code for s in fleet.sims}
    assert len(fleet_codes) == len(fleet.sims)
    assert len(set(fleet.pool_codes)) == 200
    assert fleet_codes.isdisjoint(fleet.pool_codes)
    assert all(len(c) == 10 and c.isdigit() for c in [*fleet_codes, *fleet.pool_codes])


def test_a_large_fleet_lists_by_cached_index() -> None:
    """A 100k fleet builds, and a repeated query is served from the cached index list."""
    big = build_fleet(100_000, 2, now=NOW, code_pool=10)
    state = SandboxState(big, action_delay=0.0)
    assert len(state.sims) == 100_000
    every = state.list_sims(SimQuery())
    assert state.list_sims(SimQuery()) is every
    tagged = state.list_sims(SimQuery(tags=("eu", "test")))
    assert tagged
    assert all({"eu", "test"} <= set(s.tags) for s in tagged)
    assert state.list_sims(SimQuery(tags=("eu", "test"))) is tagged
    state.update_sim(every[0].id, {"tags": ["eu"]})
    assert state.list_sims(SimQuery()) is not every
