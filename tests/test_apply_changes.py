"""apply_changes over the sandbox (real HTTP): applied once, stale plans refused per row, every
outcome named, and a plan that comes back from a file."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from conftest import MakeSandbox

import simtools
from simtools.client import SimClient
from simtools.errors import InvalidInputError
from simtools.frames.change_contracts import CHANGE_OUTCOMES
from simtools.sandbox import Sandbox, serve
from simtools.workflows.change_ledger import ChangeLedger


@pytest.fixture(scope="module")
def sb() -> Iterator[Sandbox]:
    """A private sandbox: these tests change SIMs (each takes its own)."""
    with serve(fleet_size=200, seed=31) as sandbox:
        yield sandbox


@pytest.fixture
def client(sb: Sandbox) -> Iterator[SimClient]:
    with SimClient(sb.api_key, base_url=sb.base_url) as c:
        yield c


@pytest.fixture(scope="module")
def taken() -> set[str]:
    return set()


def fresh(client: SimClient) -> pd.DataFrame:
    return simtools.fleet_frame(client, include=["alerts"], progress=False)


def pick(client: SimClient, taken: set[str], n: int, **where: Any) -> pd.DataFrame:
    """``n`` settled SIMs in a group that no other test took, matching ``where``."""
    fleet = fresh(client)
    rows = fleet[
        fleet["sim_card_group_id"].notna()
        & fleet["status"].isin(["enabled", "disabled", "standby"])
        & ~fleet["id"].isin(taken)
        & ~fleet["actions_in_progress"].astype(bool)
    ]
    for column, value in where.items():
        rows = rows[rows[column] == value]
    chosen = rows.head(n)
    assert len(chosen) == n
    taken.update(chosen["id"])
    return chosen


def every_field(sims: pd.DataFrame) -> pd.DataFrame:
    n = len(sims)
    return pd.DataFrame(
        {
            "iccid": sims["iccid"].tolist(),
            "data_limit_mb": [300.0 + i for i in range(n)],
            "tags_add": ["reviewed"] * n,
            "sim_card_group": ["Smart meters"] * n,
            "alert_mb": [[240.0, 270.0]] * n,
            "status": ["standby" if s != "standby" else "enabled" for s in sims["status"]],
        }
    )


def counts(outcome: pd.DataFrame) -> dict[str, int]:
    return {k: v for k, v in outcome["result"].value_counts().to_dict().items() if v}


def test_an_applied_plan_plans_again_as_all_no_op(client: SimClient, taken: set[str]) -> None:
    """Every change row is applied; planning the same desired frame against a fresh fleet frame
    gives only no-op rows; the outcome frame is the contract's."""
    sims = pick(client, taken, 6)
    desired = every_field(sims)
    plan = simtools.plan_changes(fresh(client), desired)
    outcome = simtools.apply_changes(client, plan, progress=False)
    assert list(outcome.columns) == list(CHANGE_OUTCOMES.names)
    assert outcome.dtypes.to_dict() == CHANGE_OUTCOMES.empty().dtypes.to_dict()
    assert counts(outcome) == {"applied": plan.counts()["change"], **(
        {"no-op": plan.counts()["no-op"]} if plan.counts()["no-op"] else {}
    )}  # fmt: skip
    again = simtools.plan_changes(fresh(client), desired)
    assert again.counts() == {"change": 0, "no-op": len(again.frame), "invalid": 0}


def test_a_stale_plan_never_overwrites_someone_elses_change(
    client: SimClient, sb: Sandbox, taken: set[str]
) -> None:
    """Changes made after planning (a limit, tags, an alert, a status) make those rows
    conflicts, unsent, with the live value; the other rows are applied."""
    sims = pick(client, taken, 5, status="enabled")
    ids = sims["id"].tolist()
    desired = pd.DataFrame(
        {
            "iccid": sims["iccid"],
            "data_limit_mb": [111, 112, None, None, 115],
            "tags": [None, ["planned"], None, None, None],
            "alert_mb": [None, None, [50], None, None],
            "status": [None, None, None, "disabled", None],
        }
    )
    plan = simtools.plan_changes(fresh(client), desired)
    client.update_sim_card(ids[0], data_limit=(999, "MB"))
    client.update_sim_card(ids[1], tags=["someone-else"])
    client.create_data_usage_notification(ids[2], (10, "MB"))
    simtools.disable(client, [ids[3]], timeout=10)
    sb.clear_request_log()
    outcome = simtools.apply_changes(client, plan, progress=False).set_index(
        ["sim_card_id", "field"]
    )
    assert outcome.loc[(ids[0], "data_limit_mb"), "result"] == "conflict"
    assert outcome.loc[(ids[0], "data_limit_mb"), "live_value"] == "999"
    assert outcome.loc[(ids[1], "tags"), "result"] == "conflict"
    assert outcome.loc[(ids[2], "alert_mb"), "result"] == "conflict"
    assert outcome.loc[(ids[3], "status"), "result"] == "no-op"  # already what the plan wanted
    assert outcome.loc[(ids[1], "data_limit_mb"), "result"] == "applied"
    assert outcome.loc[(ids[4], "data_limit_mb"), "result"] == "applied"
    writes = [(m, p) for m, p in sb.request_log if m != "GET"]
    assert all(ids[0] not in p and ids[2] not in p for _, p in writes)
    assert sb.state.sim(ids[0]).wire["data_limit"]["amount"] == "999.0"


def test_a_refused_change_fails_with_the_api_error_and_what_needs_it_is_skipped(
    client: SimClient, sb: Sandbox, taken: set[str]
) -> None:
    """A move into a group deleted since planning fails with the API's error; enabling the SIM
    (which needs that group) is skipped; invalid rows are skipped with their reason."""
    sims = pick(client, taken, 1, status="disabled")
    sim_id = sims["id"].iloc[0]
    sb.state.update_sim(sim_id, {"sim_card_group_id": None})
    doomed = client.create_sim_card_group("Doomed")
    assert doomed.id is not None
    desired = pd.DataFrame(
        {
            "iccid": [sims["iccid"].iloc[0], "8931041099999999999"],
            "sim_card_group": [doomed.id, None],
            "status": ["enabled", "enabled"],
        }
    )
    groups = simtools.sim_card_groups_frame(client)
    plan = simtools.plan_changes(fresh(client), desired, groups=groups)
    client.delete_sim_card_group(doomed.id)
    outcome = simtools.apply_changes(client, plan, progress=False)
    by_field = outcome.set_index(["iccid", "field"])
    moved = by_field.loc[(sims["iccid"].iloc[0], "sim_card_group")]
    assert (moved["result"], moved["error_code"]) == ("failed", "10017")
    assert "does not exist" in moved["error_detail"]
    enabled = by_field.loc[(sims["iccid"].iloc[0], "status")]
    assert enabled["result"] == "skipped"
    assert "needs the sim_card_group change" in enabled["result_detail"]
    unknown = outcome[outcome["verdict"] == "invalid"]
    assert unknown["result"].eq("skipped").all()
    assert unknown["result_detail"].str.contains("not in the fleet frame").all()


def test_a_plan_read_back_from_a_file_and_filtered_is_applied(
    client: SimClient, tmp_path: Path, taken: set[str]
) -> None:
    """A plan saved with write_frame, read back and filtered applies only the rows kept."""
    sims = pick(client, taken, 4)
    plan = simtools.plan_changes(fresh(client), every_field(sims))
    for fmt in ("csv", "xlsx"):
        path = simtools.write_frame(plan.frame, tmp_path / f"plan.{fmt}")
        assert simtools.read_frame(path).equals(plan.frame)
    kept = simtools.read_frame(tmp_path / "plan.csv")
    kept = kept[kept["field"].isin(["tags", "alert_mb"])]
    outcome = simtools.apply_changes(client, kept, progress=False)
    assert set(outcome["field"]) == {"tags", "alert_mb"}
    assert outcome["result"].eq("applied").all()
    again = simtools.plan_changes(fresh(client), every_field(sims))
    left = again.frame[again.frame["verdict"] == "change"]
    assert set(left["field"]) == {"data_limit_mb", "sim_card_group", "status"}


def test_a_damaged_plan_is_refused_before_anything_is_sent(
    client: SimClient, sb: Sandbox, taken: set[str]
) -> None:
    """A plan row whose request was edited to another endpoint, or whose field is unknown, makes
    the whole plan refused, naming the rows; nothing is sent."""
    sims = pick(client, taken, 2)
    frame = simtools.plan_changes(fresh(client), every_field(sims)).frame.copy()
    frame.loc[0, "request"] = '[{"method":"DELETE","path":"sim_cards/x","body":null}]'
    frame["field"] = frame["field"].cat.add_categories(["colour"])
    frame.loc[1, "field"] = "colour"
    sb.clear_request_log()
    with pytest.raises(InvalidInputError, match="2 row") as info:
        simtools.apply_changes(client, frame, progress=False)
    assert any("not a request a change plan makes" in p for p in info.value.problems)
    assert sb.request_log == []


def test_without_waiting_actions_are_accepted_and_left_to_settle(
    client: SimClient, sb: Sandbox, taken: set[str]
) -> None:
    """wait=False starts the actions and returns: the SIMs are on their way."""
    sims = pick(client, taken, 2, status="enabled")
    desired = pd.DataFrame({"iccid": sims["iccid"], "status": "disabled"})
    outcome = simtools.apply_changes(
        client, simtools.plan_changes(fresh(client), desired), wait=False, progress=False
    )
    assert outcome["result"].eq("applied").all()
    assert outcome["result_detail"].str.contains("under way").all()
    statuses = {sb.state.sim(sid).status for sid in sims["id"]}
    assert statuses <= {"disabling", "disabled"}


def test_progress_is_reported_for_every_row(client: SimClient, taken: set[str]) -> None:
    """on_progress(done, total) counts up to the number of rows."""
    sims = pick(client, taken, 3)
    plan = simtools.plan_changes(fresh(client), every_field(sims))
    seen: list[tuple[int, int]] = []
    simtools.apply_changes(
        client, plan, progress=False, on_progress=lambda d, t: seen.append((d, t))
    )
    assert seen[-1] == (len(plan.frame), len(plan.frame))
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)


def test_under_faults_every_change_is_applied_exactly_once(make_sandbox: MakeSandbox) -> None:
    """With 10% server errors, 5% dropped answers (performed, answer lost) and a rate limit,
    every change is applied; each SIM got exactly one action and exactly its notifications,
    and the plan is all no-op afterwards."""
    with (
        make_sandbox(fleet_size=80, seed=8) as sb,
        SimClient(sb.api_key, base_url=sb.base_url) as client,
    ):
        fleet = fresh(client)
        sims = pick(client, set(), 24)
        desired = every_field(sims)
        plan = simtools.plan_changes(fleet, desired)
        before = set(sb.state.actions.records)
        sb.faults.error_rate, sb.faults.drop_rate, sb.faults.rate_limit = 0.1, 0.05, 60
        outcome = simtools.apply_changes(client, plan, progress=False)
        sb.faults.error_rate, sb.faults.drop_rate, sb.faults.rate_limit = 0.0, 0.0, None
        assert set(outcome["result"]) <= {"applied", "no-op"}, outcome[
            outcome["result"] == "unknown"
        ]
        actions = Counter(
            a["sim_card_id"] for k, a in sb.state.actions.records.items() if k not in before
        )
        assert actions == Counter(dict.fromkeys(sims["id"], 1))
        for sim_id in sims["id"]:
            thresholds = sorted(
                n["threshold"]["amount"] for n in sb.state.notifications.matching(sim_id)
            )
            assert thresholds == ["240.0", "270.0"]
        assert outcome["requests_sent"].sum() > plan.counts()["change"]  # some were sent again
        again = simtools.plan_changes(fresh(client), desired)
        assert again.counts()["change"] == 0


def test_a_ledger_resumes_a_change_that_was_in_flight(
    client: SimClient, sb: Sandbox, tmp_path: Path, taken: set[str]
) -> None:
    """A change the ledger left in flight is read back, not sent again, when it was performed;
    one that was not performed is sent once; applied ones are not even read."""
    sims = pick(client, taken, 3, status="enabled")
    ids = sims["id"].tolist()
    desired = pd.DataFrame({"iccid": sims["iccid"], "data_limit_mb": [401, 402, 403]})
    plan = simtools.plan_changes(fresh(client), desired)
    rows = plan.frame.set_index("sim_card_id")["change_id"]
    path = tmp_path / "changes.db"
    with ChangeLedger(path, base_url=client.base_url) as ledger:
        ledger.sending(rows[ids[0]], ids[0], "data_limit_mb", 0)  # performed, answer lost
        client.update_sim_card(ids[0], data_limit=(401, "MB"))
        ledger.sending(rows[ids[1]], ids[1], "data_limit_mb", 0)  # killed before it went out
        ledger.finish(rows[ids[2]], ids[2], "data_limit_mb", "applied")  # done, per the ledger
    sb.clear_request_log()
    outcome = simtools.apply_changes(client, plan, ledger=path, progress=False)
    assert outcome["result"].tolist() == ["applied"] * 3
    patched = [p for m, p in sb.request_log if m == "PATCH"]
    assert patched == [f"/v2/sim_cards/{ids[1]}"]
    assert "earlier run" in outcome.set_index("sim_card_id").loc[ids[2], "result_detail"]
    with ChangeLedger(path, base_url=client.base_url) as ledger:
        assert ledger.counts()["applied"] == 3
    assert sb.api_key not in path.read_bytes().decode("utf-8", "replace")
