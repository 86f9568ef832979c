"""Enable, disable and standby many SIMs, waiting (bounded) until the actions settle."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pandas as pd
import pytest

import simtools
from simtools.client import SimClient
from simtools.errors import InvalidInputError
from simtools.frames import usage_records_frame
from simtools.workflows.fleet import fleet_frame
from simtools.workflows.lifecycle import ACTION_COLUMNS


@pytest.fixture
def lab(make_sandbox: Any) -> Iterator[tuple[Any, SimClient]]:
    with make_sandbox(fleet_size=60, seed=21, action_delay=0.2) as sb:
        with SimClient(sb.api_key, base_url=sb.base_url) as client:
            yield sb, client


def test_disable_waits_until_every_action_settles(lab: tuple[Any, SimClient]) -> None:
    """disable(wait=True) returns one settled row per SIM, and the SIMs are disabled."""
    _, client = lab
    fleet = fleet_frame(client, status="enabled", progress=False, group_names=False)
    ids = list(fleet["id"][:5])
    outcome = simtools.disable(client, ids, timeout=30)
    assert list(outcome.columns) == list(ACTION_COLUMNS)
    assert list(outcome["sim_card_id"]) == ids
    assert outcome["settled"].all()
    assert set(outcome["action_status"].astype(str)) == {"completed"}
    assert set(outcome["sim_status"].astype(str)) == {"disabled"}
    assert all(client.get_sim_card(i).status.value == "disabled" for i in ids)  # type: ignore[union-attr]


def test_enable_takes_a_frame_and_standby_settles(lab: tuple[Any, SimClient]) -> None:
    """enable and set_standby accept a frame's id column and end in the requested state."""
    _, client = lab
    fleet = fleet_frame(client, status="disabled", progress=False, group_names=False)
    fleet = fleet[fleet["sim_card_group_id"].notna()].head(3)
    assert len(fleet) == 3
    enabled = simtools.enable(client, fleet, timeout=30)
    assert set(enabled["sim_status"].astype(str)) == {"enabled"}
    standby = simtools.set_standby(client, fleet["id"], timeout=30)
    assert set(standby["sim_status"].astype(str)) == {"standby"}


def test_without_wait_the_actions_are_in_progress(lab: tuple[Any, SimClient]) -> None:
    """wait=False returns at once with the in-progress actions."""
    _, client = lab
    fleet = fleet_frame(client, status="enabled", progress=False, group_names=False)
    outcome = simtools.disable(client, fleet["id"][:2], wait=False)
    assert set(outcome["action_status"].astype(str)) == {"in-progress"}
    assert not outcome["settled"].any()


def test_enable_refuses_sims_without_a_group_before_sending(make_sandbox: Any) -> None:
    """A SIM outside every group cannot be enabled: refused, naming it, no action sent."""
    with (
        make_sandbox(fleet_size=200, seed=1) as sb,
        SimClient(sb.api_key, base_url=sb.base_url) as client,
    ):
        _refuses_orphans(sb, client)


def _refuses_orphans(sb: Any, client: SimClient) -> None:
    fleet = fleet_frame(client, progress=False, group_names=False)
    orphans = fleet[fleet["sim_card_group_id"].isna()]
    assert not orphans.empty, "the seed-1 fleet of 200 has SIMs outside every group"
    orphan = str(orphans["id"].iloc[0])
    before = len(sb.request_log)
    with pytest.raises(InvalidInputError, match=orphan):
        simtools.enable(client, [orphan, str(fleet["id"].iloc[0])])
    posted = [p for m, p in sb.request_log[before:] if m == "POST"]
    assert posted == []


@pytest.mark.parametrize("ids", [[], ["nope"], "nope", 3])
def test_bad_ids_are_refused(lab: tuple[Any, SimClient], ids: Any) -> None:
    """Empty, malformed or mistyped ids raise InvalidInputError."""
    _, client = lab
    with pytest.raises(InvalidInputError):
        simtools.disable(client, ids)


def test_usage_records_add_up_to_consumption(lab: tuple[Any, SimClient]) -> None:
    """The month's usage records of a SIM sum to its current-period consumption."""
    _, client = lab
    fleet = fleet_frame(client, progress=False, group_names=False)
    sim = fleet.sort_values("consumed_mb", ascending=False).iloc[0]
    now = pd.Timestamp.now(tz="UTC")
    records = client.usage_records(
        now.replace(day=1).normalize(), now + pd.Timedelta(minutes=1), sim_card_id=sim["id"]
    )
    frame = usage_records_frame(records)
    assert len(frame) > 0
    assert set(frame["sim_card_id"]) == {sim["id"]}
    assert frame["total_mb"].sum() == pytest.approx(sim["consumed_mb"], rel=1e-6)


def test_usage_records_refuse_a_backwards_range(lab: tuple[Any, SimClient]) -> None:
    """An end before the start is refused before sending."""
    sb, client = lab
    before = len(sb.request_log)
    with pytest.raises(InvalidInputError, match="after start"):
        client.usage_records("2026-11-10", "2026-11-01")
    with pytest.raises(InvalidInputError, match="start"):
        client.usage_records(20261101, "2026-11-02")
    assert len(sb.request_log) == before
