"""plan_changes: a desired frame against a fleet frame, row by row, sending nothing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from fleetdata import make_fleet_frame

import simtools
from simtools.analysis.changes import ChangePlan, plan_changes
from simtools.errors import InvalidInputError
from simtools.frames.change_contracts import CHANGE_PLAN

GROUPS = pd.DataFrame(
    {
        "id": ["group-a", "group-b", "group-c", "group-d"],
        "name": ["Meters", "Trackers", "Spare", "Spare"],
    }
)


def fleet(**overrides: dict[str, Any]) -> pd.DataFrame:
    """Four SIMs: sim-0 enabled with a 100 MB limit and two alerts, sim-1 disabled without a
    group, sim-2 on standby with tags, sim-3 stopped at its 50 MB limit after using 60 MB."""
    rows: list[dict[str, Any]] = [
        {"data_limit_mb": 100.0, "consumed_mb": 70.0, "tags": ["meter"]},
        {"status": "disabled", "sim_card_group_id": None},
        {"status": "standby", "tags": ["a", "b"], "sim_card_group_id": "group-b"},
        {"status": "data_limit_exceeded", "data_limit_mb": 50.0, "consumed_mb": 60.0},
    ]
    for i, extra in overrides.items():
        rows[int(i[1:])] |= extra
    frame = make_fleet_frame(rows)
    frame["alert_mb"] = pd.Series([(80.0, 90.0), (), (), ()], dtype=object)
    frame["alert_ids"] = pd.Series([("n-80", "n-90"), (), (), ()], dtype=object)
    return frame


def iccid(i: int) -> str:
    return f"89310410106543{i:06d}"


def plan(desired: dict[str, list[Any]], current: pd.DataFrame | None = None) -> ChangePlan:
    return plan_changes(
        fleet() if current is None else current, pd.DataFrame(desired), groups=GROUPS
    )


def only(result: ChangePlan, **where: Any) -> pd.Series:
    rows = result.frame
    for column, value in where.items():
        rows = rows[rows[column] == value]
    assert len(rows) == 1, rows
    return rows.iloc[0]


def requests(row: pd.Series) -> list[dict[str, Any]]:
    loaded: list[dict[str, Any]] = json.loads(row["request"])
    return loaded


def test_each_field_becomes_one_row_with_its_request() -> None:
    """A limit, tags, a group, alerts and a status each give a change row with the request it
    will send; nothing is sent."""
    result = plan(
        {
            "iccid": [iccid(0), iccid(2)],
            "data_limit_mb": [200, None],
            "tags": [None, ["x"]],
            "sim_card_group": [None, "Meters"],
            "status": ["standby", "enabled"],
            "alert_mb": [[160.0], None],
        }
    )
    frame = result.frame
    assert frame["verdict"].tolist() == ["change"] * 6
    assert frame["field"].tolist() == [
        "data_limit_mb", "alert_mb", "status", "tags", "sim_card_group", "status"
    ]  # fmt: skip
    limit = only(result, field="data_limit_mb")
    assert (limit["from_value"], limit["to_value"]) == ("100", "200")
    assert requests(limit) == [
        {
            "method": "PATCH",
            "path": "sim_cards/sim-0",
            "body": {"data_limit": {"amount": "200.0", "unit": "MB"}},
        }
    ]
    group = only(result, field="sim_card_group")
    assert (group["from_value"], group["to_value"]) == ("group-b", "group-a")
    assert group["description"] == "group Trackers → Meters"
    assert requests(only(result, field="status", sim_card_id="sim-0")) == [
        {"method": "POST", "path": "sim_cards/sim-0/actions/set_standby", "body": None}
    ]
    assert requests(only(result, field="tags"))[0]["body"] == {"tags": ["x"]}


def test_a_blank_cell_leaves_the_field_and_an_equal_value_is_a_no_op() -> None:
    """NaN, None and empty text are "leave as it is" (no row); a value equal to the current one
    is a no-op row without a request."""
    result = plan(
        {
            "iccid": [iccid(0), iccid(1), iccid(2)],
            "data_limit_mb": [100.0, None, float("nan")],
            "tags": [["meter"], "", None],
            "status": [None, "disabled", " "],
        }
    )
    assert result.frame["verdict"].tolist() == ["no-op", "no-op", "no-op"]
    assert result.frame["request"].isna().all()
    assert result.counts() == {"change": 0, "no-op": 3, "invalid": 0}


def test_every_bad_value_is_an_invalid_row_that_says_why_and_how_to_fix_it() -> None:
    """Unknown ICCIDs, a SIM given twice with different values, negative or non-numeric limits,
    a unit other than MB/GB, unknown or ambiguous groups and statuses a SIM cannot move to are
    each reported on their own row, with a reason and a hint."""
    current = make_fleet_frame(
        [{"sim_card_group_id": None, "status": "disabled"} if i == 6 else {} for i in range(10)]
    )
    current.loc[8, "status"] = "data_limit_exceeded"
    result = plan_changes(
        current,
        pd.DataFrame(
            {
                "iccid": [
                    "8931041010654399999",
                    iccid(0),
                    iccid(0),
                    iccid(1),
                    iccid(2),
                    iccid(3),
                    iccid(6),
                    None,
                    iccid(8),
                    iccid(9),
                    iccid(4),
                ],
                "data_limit_mb": [1, 200, 300, -5, "lots", None, None, 10, None, None, None],
                "data_limit_amount": [None, None, None, None, None, 2, None, None, None, None, 1],
                "data_limit_unit": [
                    None,
                    None,
                    None,
                    None,
                    None,
                    "TB",
                    None,
                    None,
                    None,
                    None,
                    None,
                ],
                "sim_card_group": [
                    None,
                    None,
                    None,
                    None,
                    None,
                    None,
                    None,
                    None,
                    None,
                    None,
                    None,
                ],
                "status": [
                    None,
                    None,
                    None,
                    None,
                    None,
                    None,
                    "enabled",
                    None,
                    "enabled",
                    "active",
                    None,
                ],
            }
        ).assign(sim_card_group=[None, None, None, "Nowhere", "Spare", *[None] * 6]),
        groups=GROUPS,
    )
    bad = result.invalid
    assert len(bad) == len(result.frame) == 12

    def reason(row: int, field: str = "data_limit_mb") -> str:
        return str(only(result, desired_row=row, field=field)["reason"])

    assert "is not in the fleet frame" in reason(0)
    assert "given 2 times with different data_limit_mb (row 1: 200; row 2: 300)" in reason(1)
    assert "negative" in reason(3)
    assert "no SIM card group is named" in reason(3, "sim_card_group")
    assert "is not a number" in reason(4)
    assert "2 groups are named 'Spare'" in reason(4, "sim_card_group")
    assert "'TB' is not MB or GB" in reason(5)
    assert "no group cannot be enabled" in reason(6, "status")
    assert "has no iccid" in reason(7)
    assert "stopped at its data limit" in reason(8, "status")
    assert "'active' is not one a plan can set" in reason(9, "status")
    assert "needs both data_limit_amount and data_limit_unit" in reason(10)
    assert bad["hint"].notna().all()
    assert bad["request"].isna().all()


def test_bad_rows_leave_the_rest_of_the_plan_intact() -> None:
    """Good rows next to bad ones are planned as if the bad ones were not there."""
    result = plan({"iccid": [iccid(0), "123", iccid(2)], "data_limit_mb": [250, 1, -1]})
    assert result.frame["verdict"].tolist() == ["change", "invalid", "invalid"]
    assert only(result, desired_row=0)["to_value"] == "250"


def test_a_transitional_status_waits_until_it_settles() -> None:
    """A SIM that is enabling has an action in progress: a status change for it is invalid."""
    result = plan({"iccid": [iccid(0)], "status": ["disabled"]}, fleet(s0={"status": "enabling"}))
    assert "an action is in progress" in only(result, field="status")["reason"]


def test_a_status_can_rely_on_a_group_move_or_a_higher_limit_in_the_same_plan() -> None:
    """Enabling a SIM without a group works with a group in the same row, and enabling a SIM
    stopped at its limit with a limit above its consumption; the status row names the change
    it needs in depends_on."""
    result = plan(
        {
            "iccid": [iccid(1), iccid(3)],
            "sim_card_group": ["Trackers", None],
            "data_limit_mb": [None, 100],
            "status": ["enabled", "enabled"],
        }
    )
    assert result.counts()["invalid"] == 0
    for sim in ("sim-1", "sim-3"):
        status = only(result, sim_card_id=sim, field="status")
        needed = result.frame[
            (result.frame["sim_card_id"] == sim) & (result.frame["field"] != "status")
        ]
        assert status["depends_on"] == needed.iloc[0]["change_id"]


def test_tags_are_replaced_or_edited() -> None:
    """tags replaces the list; tags_add appends and tags_remove takes out; giving both kinds,
    or one tag to add and remove, is invalid."""
    result = plan(
        {
            "iccid": [iccid(2), iccid(0), iccid(1)],
            "tags": [None, "x", None],
            "tags_add": ["c, d", "y", "k"],
            "tags_remove": ["a", None, "k"],
        }
    )
    edited = only(result, sim_card_id="sim-2")
    assert json.loads(edited["to_value"]) == ["b", "c", "d"]
    assert "not both" in only(result, sim_card_id="sim-0")["hint"]
    assert "both in tags_add and in tags_remove" in only(result, sim_card_id="sim-1")["reason"]


def test_a_limit_in_gb_is_set_in_mb_with_one_decimal() -> None:
    """data_limit_amount with unit GB is 1024 MB per GB; the limit is sent in MB, rounded to
    the one decimal the client sends, and data_limit_mb wins where both are given."""
    result = plan(
        {
            "iccid": [iccid(0), iccid(2)],
            "data_limit_amount": [1.25, 3],
            "data_limit_unit": ["gb", "MB"],
            "data_limit_mb": [None, 0.25],
        }
    )
    assert result.frame["to_value"].tolist() == ["1280", "0.2"]


def test_alerts_are_moved_removed_and_added() -> None:
    """Thresholds already there are kept, one no longer wanted is moved to a new one (PATCH),
    the rest removed (DELETE) or created (POST); an empty list removes every alert."""
    result = plan({"iccid": [iccid(0), iccid(2)], "alert_mb": ["90; 95; 99", "80"]})
    moved = requests(only(result, sim_card_id="sim-0"))
    assert [(r["method"], r["path"]) for r in moved] == [
        ("PATCH", "sim_card_data_usage_notifications/n-80"),
        ("POST", "sim_card_data_usage_notifications"),
    ]
    assert moved[1]["body"] == {
        "sim_card_id": "sim-0",
        "threshold": {"amount": "99.0", "unit": "MB"},
    }
    assert only(result, sim_card_id="sim-2")["to_value"] == "[80.0]"
    cleared = plan({"iccid": [iccid(0)], "alert_mb": [[]]})
    assert [r["method"] for r in requests(cleared.frame.iloc[0])] == ["DELETE", "DELETE"]


def test_alerts_need_a_fleet_frame_that_has_them() -> None:
    """A plan that touches alerts refuses a current frame without alert_mb and says how to get
    one; a plan without alerts does not need it."""
    current = fleet().drop(columns=["alert_mb", "alert_ids"])
    with pytest.raises(InvalidInputError, match=r"include=\['alerts'\]"):
        plan({"iccid": [iccid(0)], "alert_mb": [80]}, current)
    assert plan({"iccid": [iccid(0)], "alert_mb": [None]}, current).frame.empty


def test_planning_is_pure() -> None:
    """Neither frame is changed, and the same inputs give the same plan."""
    current = fleet()
    desired = pd.DataFrame({"iccid": [iccid(0)], "data_limit_mb": [500]})
    before = (current.copy(), desired.copy())
    first = plan_changes(current, desired)
    pd.testing.assert_frame_equal(current, before[0])
    pd.testing.assert_frame_equal(desired, before[1])
    pd.testing.assert_frame_equal(first.frame, plan_changes(current, desired).frame)


def test_a_fleet_frame_copy_is_a_desired_frame() -> None:
    """The fleet frame itself, edited, plans only what was edited; its other columns are named
    as not used."""
    current = fleet()
    desired = current.copy()
    desired.loc[0, "data_limit_mb"] = 500.0
    result = plan_changes(current, desired, groups=GROUPS)
    assert result.frame.groupby("verdict", observed=True).size().to_dict() == {
        "change": 1, "no-op": 13,
    }  # fmt: skip
    assert "msisdn" in result.ignored_columns
    assert "1 change" in repr(result)


def test_sims_are_found_by_id_too() -> None:
    """key="id" matches desired rows by SIM card id."""
    result = plan_changes(
        fleet(), pd.DataFrame({"id": ["sim-2"], "status": ["disabled"]}), key="id"
    )
    assert only(result, field="status")["sim_card_id"] == "sim-2"


def test_frame_level_problems_raise_before_anything() -> None:
    """No key column, no change column or a key that is neither iccid nor id is refused."""
    with pytest.raises(InvalidInputError, match="iccid"):
        plan_changes(fleet(), pd.DataFrame({"data_limit_mb": [1]}))
    with pytest.raises(InvalidInputError, match="no column that asks for a change"):
        plan_changes(fleet(), pd.DataFrame({"iccid": [iccid(0)], "colour": ["red"]}))
    with pytest.raises(InvalidInputError, match="key="):
        plan_changes(fleet(), pd.DataFrame({"iccid": [iccid(0)]}), key="msisdn")


DESIRED_CSV = (
    "iccid,data_limit_mb,tags_add,alert_mb,status,sim_card_group\n"
    f"{iccid(0)},300,x; y,80; 120,disabled,\n"
    f"{iccid(1)},,,,enabled,Meters\n"
    f"{iccid(2)},-3,,[],,\n"
)


@pytest.mark.parametrize("fmt", ["csv", "parquet", "json", "xlsx"])
def test_a_plan_from_a_desired_csv_survives_the_files(tmp_path: Path, fmt: str) -> None:
    """A desired CSV read as text (ICCIDs as text, lists as "x; y") plans as the frame would,
    and the plan frame round-trips through write_frame/read_frame with its values and dtypes."""
    desired = tmp_path / "desired.csv"
    desired.write_text(DESIRED_CSV, encoding="utf-8")
    result = plan_changes(fleet(), pd.read_csv(desired, dtype=str), groups=GROUPS)
    assert result.counts() == {"change": 6, "no-op": 1, "invalid": 1}
    frame = result.frame
    assert list(frame.columns) == list(CHANGE_PLAN.names)
    assert frame.dtypes.to_dict() == CHANGE_PLAN.empty().dtypes.to_dict()
    back = simtools.read_frame(simtools.write_frame(frame, tmp_path / f"plan.{fmt}"))
    pd.testing.assert_frame_equal(back, frame)


def test_a_desired_csv_read_with_read_frame_plans_the_same(tmp_path: Path) -> None:
    """read_frame keeps cells it cannot read as their column's kind in <column>_raw (and says
    so); the planner reads them from there, so the plan is the same."""
    desired = tmp_path / "desired.csv"
    desired.write_text(DESIRED_CSV, encoding="utf-8")
    with pytest.warns(simtools.SimToolsDataWarning, match="alert_mb"):
        read = simtools.read_frame(desired)
    as_text = plan_changes(fleet(), pd.read_csv(desired, dtype=str), groups=GROUPS)
    pd.testing.assert_frame_equal(plan_changes(fleet(), read, groups=GROUPS).frame, as_text.frame)
