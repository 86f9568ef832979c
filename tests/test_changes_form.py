"""The review form of a change plan: its plain functions, and Apply clicked against the sandbox
(the effect of the click: what the sandbox changed and what the outcome table shows)."""

from __future__ import annotations

from collections.abc import Iterator

import pandas as pd
import pytest

import simtools
from simtools.client import SimClient
from simtools.errors import InvalidInputError
from simtools.sandbox import Sandbox, serve
from simtools.widgets import changes_form
from simtools.widgets.outputs import texts
from simtools.widgets.reviewing import outcome_line, review_sections, ticked_rows


@pytest.fixture(scope="module")
def sb() -> Iterator[Sandbox]:
    with serve(fleet_size=60, seed=23) as sandbox:
        yield sandbox


@pytest.fixture
def client(sb: Sandbox) -> Iterator[SimClient]:
    with SimClient(sb.api_key, base_url=sb.base_url) as c:
        yield c


def plan_for(client: SimClient, n: int, skip: int = 0) -> simtools.ChangePlan:
    fleet = simtools.fleet_frame(client, include=["alerts"], progress=False)
    sims = fleet[fleet["status"].isin(["enabled", "standby"])].iloc[skip : skip + n]
    desired = pd.DataFrame(
        {
            "iccid": [*sims["iccid"], "8931041099999999999"],
            "data_limit_mb": [*(900.0 + i for i in range(n)), 1.0],
            "tags_add": "form",
        }
    )
    return simtools.plan_changes(fleet, desired)


def test_sections_group_the_change_rows_by_field(client: SimClient) -> None:
    """One section per field with changes, titled with its count, a row per change; invalid
    and no-op rows are not offered."""
    plan = plan_for(client, 3)
    sections = review_sections(plan.frame)
    assert [(s.field, s.title) for s in sections] == [
        ("data_limit_mb", "Data limits (3)"),
        ("tags", "Tags (3)"),
    ]
    label, change_id = sections[0].options[0]
    assert "data limit" in label
    assert ticked_rows(plan.frame, [change_id])["change_id"].tolist() == [change_id]


def test_an_outcome_is_one_sentence() -> None:
    """Counts per result; conflicts or failures make it a warning."""
    outcome = pd.DataFrame({"result": ["applied", "applied", "conflict"]})
    assert outcome_line(outcome) == ("3 changes: 2 applied, 1 conflict.", "warning")
    assert outcome_line(pd.DataFrame({"result": ["applied"]}))[1] == "success"


def test_apply_sends_only_the_ticked_rows(client: SimClient, sb: Sandbox) -> None:
    """Unticking the whole tags section and one limit row, then Apply: the other limits are
    set, the unticked SIM and every SIM's tags are unchanged, and the outcome table says so."""
    plan = plan_for(client, 3, skip=10)
    form = changes_form(client, plan)
    assert "2 invalid rows (not applied)" in texts(form.output)[0]  # the unknown ICCID's two
    whole_tags, _ = form.sections["tags"]
    whole_tags.value = False
    _, limits = form.sections["data_limit_mb"]
    kept = list(limits.value[1:])
    limits.value = kept
    assert form.ticked_label.value == "2 of 6 changes ticked"
    form.apply_button.click()
    rows = plan.frame.set_index("change_id")
    for change_id in plan.frame["change_id"]:
        row = rows.loc[change_id]
        if row["verdict"] != "change":
            continue
        sim = sb.state.sim(row["sim_card_id"])
        if change_id in kept:
            assert sim.wire["data_limit"]["amount"] == f"{float(row['to_value']):.1f}"
        elif row["field"] == "tags":
            assert "form" not in sim.wire["tags"]
        else:
            assert float(sim.wire.get("data_limit", {}).get("amount", 0)) != float(row["to_value"])
    assert form.last_outcome is not None
    assert form.last_outcome["result"].tolist() == ["applied", "applied"]
    said = texts(form.output)
    assert said[0].startswith("Applied: 2 changes: 2 applied.")
    assert any("Outcome per change" in t for t in said)
    assert (form.progress.value, form.progress.max) == (2, 2)
    assert form.apply_button.disabled  # applied once: plan again for more


def test_the_form_needs_a_client_and_a_plan(client: SimClient) -> None:
    """Anything else is refused with what to pass."""
    with pytest.raises(InvalidInputError, match="SimClient"):
        changes_form("client", plan_for(client, 1))  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match="change plan"):
        changes_form(client, pd.DataFrame({"x": [1]}))
