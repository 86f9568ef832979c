"""usage.py: summaries, near-limit SIMs, top consumers and end-of-period projections."""

from __future__ import annotations

import pandas as pd
import pytest
from fleetdata import make_fleet_frame, wire_sims

from simtools.analysis.usage import (
    NO_GROUP,
    NO_KEY,
    NO_TAG,
    PROJECTION_COLUMNS,
    SUMMARY_COLUMNS,
    explode_tags,
    near_limit,
    project_period_end,
    projection_basis,
    top_consumers,
    usage_summary,
)
from simtools.errors import InvalidInputError
from simtools.frames import sim_cards_frame
from simtools.inputs.arguments import check_threshold

APRIL = {"period_start": "2026-04-01T00:00:00Z", "period_end": "2026-05-01T00:00:00Z"}


@pytest.fixture
def fleet() -> pd.DataFrame:
    """Five SIMs in two groups plus one without a group, with known consumption and limits."""
    return make_fleet_frame(
        [
            # group-a: 50 + 90 + 130 MB consumed; limits 100, 100, 100
            {"consumed_mb": 50.0, "data_limit_mb": 100.0, "tags": ["north", "pumps"]},
            {"consumed_mb": 90.0, "data_limit_mb": 100.0, "tags": ["north"]},
            {"consumed_mb": 130.0, "data_limit_mb": 100.0, "status": "data_limit_exceeded"},
            # group-b: 400 MB without limit, 10 MB of 1000
            {"consumed_mb": 400.0, "sim_card_group_id": "group-b", "tags": ["south"]},
            {"consumed_mb": 10.0, "data_limit_mb": 1000.0, "sim_card_group_id": "group-b"},
            # no group: 5 of 10 MB
            {"consumed_mb": 5.0, "data_limit_mb": 10.0, "sim_card_group_id": None},
        ]
    )


def test_summary_by_group_equals_hand_computed_numbers(fleet: pd.DataFrame) -> None:
    """Per group: counts, sums, limit sums over SIMs with a limit, mean/max utilization, flags."""
    out = usage_summary(fleet)
    assert list(out.columns) == list(SUMMARY_COLUMNS)
    assert out.index.name == "sim_card_group_id"
    assert list(out.index) == ["group-b", "group-a", NO_KEY]
    a = out.loc["group-a"]
    assert (a["sim_count"], a["consumed_mb"], a["data_limit_mb"], a["sims_with_limit"]) == (
        3,
        270.0,
        300.0,
        3,
    )
    assert a["mean_utilization"] == pytest.approx((0.5 + 0.9 + 1.3) / 3)
    assert a["max_utilization"] == pytest.approx(1.3)
    assert (a["over_limit_count"], a["near_limit_count"]) == (1, 1)
    b = out.loc["group-b"]
    assert (b["sim_count"], b["consumed_mb"], b["data_limit_mb"], b["sims_with_limit"]) == (
        2,
        410.0,
        1000.0,
        1,
    )
    assert b["mean_utilization"] == pytest.approx(0.01)


def test_summary_dtypes_are_nullable_counts_and_floats(fleet: pd.DataFrame) -> None:
    """Counts are Int64 and amounts/utilizations Float64, so missing values stay missing."""
    out = usage_summary(fleet)
    assert {c: str(t) for c, t in out.dtypes.items()} == {
        "sim_count": "Int64",
        "consumed_mb": "Float64",
        "data_limit_mb": "Float64",
        "sims_with_limit": "Int64",
        "mean_utilization": "Float64",
        "max_utilization": "Float64",
        "over_limit_count": "Int64",
        "near_limit_count": "Int64",
    }


def test_summary_sorts_by_consumption_descending(fleet: pd.DataFrame) -> None:
    """The biggest consumer comes first."""
    out = usage_summary(fleet, by="status")
    assert list(out["consumed_mb"]) == sorted(out["consumed_mb"], reverse=True)


def test_missing_group_is_an_explicit_none_row(fleet: pd.DataFrame) -> None:
    """A SIM without a group is counted under '(none)', not dropped: counts add up to the fleet."""
    out = usage_summary(fleet, by="group")
    assert out.loc[NO_KEY, "sim_count"] == 1
    assert out["sim_count"].sum() == len(fleet)


def test_group_alias_brings_the_group_name_along() -> None:
    """by='group' on a frame with sim_card_group_name shows the name before the figures."""
    df = make_fleet_frame(
        [
            {"consumed_mb": 1.0, "sim_card_group_name": "Pumps"},
            {"consumed_mb": 2.0, "sim_card_group_id": "group-b", "sim_card_group_name": "Meters"},
        ]
    )
    by_id = usage_summary(df, by="sim_card_group_id")
    assert list(by_id.columns) == ["sim_card_group_name", *SUMMARY_COLUMNS]
    assert by_id.loc["group-a", "sim_card_group_name"] == "Pumps"
    out = usage_summary(df, by="group")
    assert out.index.name == "sim_card_group_name"
    assert list(out.columns) == ["sim_card_group_id", *SUMMARY_COLUMNS]
    assert out.loc["Pumps", "sim_card_group_id"] == "group-a"
    assert out.loc["Meters", "sim_card_group_id"] == "group-b"
    assert str(out.index.dtype) == "string"
    assert out["sim_card_group_id"].dtype == "string"


def test_sims_outside_every_group_are_named_as_such() -> None:
    """The '(none)' group row is labelled '(no group)', not left without a name."""
    df = make_fleet_frame(
        [
            {"consumed_mb": 1.0, "sim_card_group_name": "Pumps"},
            {"consumed_mb": 2.0, "sim_card_group_id": None, "sim_card_group_name": None},
        ]
    )
    out = usage_summary(df, by="sim_card_group_id")
    assert out.loc[NO_KEY, "sim_card_group_name"] == NO_GROUP
    assert out.loc["group-a", "sim_card_group_name"] == "Pumps"
    readable = usage_summary(df, by="group")
    assert list(readable.index) == [NO_GROUP, "Pumps"]
    assert pd.isna(readable.loc[NO_GROUP, "sim_card_group_id"])


def test_groups_sharing_a_name_are_told_apart_and_unnamed_ones_go_by_id() -> None:
    """Two groups called 'Pumps' get the start of their ids; a group without a name its id."""
    df = make_fleet_frame(
        [
            {"consumed_mb": 3.0, "sim_card_group_id": "aaaaaaaa-1", "sim_card_group_name": "Pumps"},
            {"consumed_mb": 2.0, "sim_card_group_id": "bbbbbbbb-2", "sim_card_group_name": "Pumps"},
            {"consumed_mb": 1.0, "sim_card_group_id": "cccccccc-3", "sim_card_group_name": None},
        ]
    )
    out = usage_summary(df, by="group")
    assert list(out.index) == ["Pumps (aaaaaaaa)", "Pumps (bbbbbbbb)", "cccccccc-3"]
    assert out.index.is_unique
    both = usage_summary(df, by=["group", "status"])
    assert both.index.names == ["sim_card_group_name", "status"]


def test_summary_by_tag_counts_a_sim_under_each_tag(fleet: pd.DataFrame) -> None:
    """A SIM tagged north and pumps adds to both; untagged SIMs land under '(no tag)'."""
    out = usage_summary(fleet, by="tag")
    assert out.index.name == "tag"
    assert out.loc["north", "sim_count"] == 2
    assert out.loc["north", "consumed_mb"] == 140.0
    assert out.loc["pumps", "consumed_mb"] == 50.0
    assert out.loc[NO_TAG, "sim_count"] == 3
    assert out.loc[NO_TAG, "consumed_mb"] == 145.0


def test_summary_by_status_has_no_rows_for_unobserved_categories() -> None:
    """A status category no SIM has does not appear as an empty row."""
    df = make_fleet_frame([{"consumed_mb": 1.0}, {"consumed_mb": 2.0}])
    df["status"] = df["status"].cat.set_categories(["enabled", "disabled", "standby"])
    out = usage_summary(df, by="status")
    assert list(out.index) == ["enabled"]


def test_missing_categorical_key_becomes_none_row() -> None:
    """A SIM with a missing status is summarised under '(none)'."""
    df = make_fleet_frame([{"consumed_mb": 1.0}, {"consumed_mb": 2.0, "status": None}])
    out = usage_summary(df, by="status")
    assert out.loc[NO_KEY, "consumed_mb"] == 2.0
    assert out.loc["enabled", "consumed_mb"] == 1.0


def test_summary_by_two_keys_has_a_multiindex(fleet: pd.DataFrame) -> None:
    """A list of keys groups by their observed combinations."""
    out = usage_summary(fleet, by=["group", "status"])
    assert out.index.names == ["sim_card_group_id", "status"]
    assert out.loc[("group-a", "data_limit_exceeded"), "consumed_mb"] == 130.0
    assert out.loc[("group-a", "enabled"), "sim_count"] == 2
    assert len(out) == 4


def test_near_limit_count_uses_the_threshold_and_excludes_over(fleet: pd.DataFrame) -> None:
    """At threshold 0.5 the 50% and 90% SIMs are near; the 130% SIM is over, not near."""
    out = usage_summary(fleet, threshold=0.5)
    assert out.loc["group-a", "near_limit_count"] == 2
    assert out.loc[NO_KEY, "near_limit_count"] == 1
    assert out.loc["group-a", "over_limit_count"] == 1


def test_group_without_any_limit_has_missing_limit_sum() -> None:
    """Without a single limit in the group, data_limit_mb is missing, not 0."""
    out = usage_summary(make_fleet_frame([{"consumed_mb": 3.0}]))
    assert out.loc["group-a", "sims_with_limit"] == 0
    assert out["data_limit_mb"].isna().all()
    assert out["mean_utilization"].isna().all()


def test_summary_of_an_empty_frame_is_empty_with_columns() -> None:
    """No SIMs, no rows, same columns and dtypes."""
    out = usage_summary(make_fleet_frame([]))
    assert out.empty
    assert list(out.columns) == list(SUMMARY_COLUMNS)
    assert str(out["sim_count"].dtype) == "Int64"


def test_summary_names_missing_columns() -> None:
    """A frame without the needed columns gets an InvalidInputError naming them."""
    df = make_fleet_frame([{"consumed_mb": 1.0}]).drop(columns=["utilization", "over_limit"])
    with pytest.raises(InvalidInputError, match="'utilization', 'over_limit'") as info:
        usage_summary(df)
    assert info.value.value == ["utilization", "over_limit"]


@pytest.mark.parametrize("by", [[], 3, ["group", "group"]])
def test_summary_rejects_bad_keys(fleet: pd.DataFrame, by: object) -> None:
    """An empty, non-string or repeated key is refused."""
    with pytest.raises(InvalidInputError):
        usage_summary(fleet, by=by)  # type: ignore[arg-type]


def test_summary_refuses_to_group_on_a_list_column(fleet: pd.DataFrame) -> None:
    """Grouping on authorized_imeis (lists) is refused with a pointer to by='tag'."""
    fleet["authorized_imeis"] = [["35"]] * len(fleet)
    with pytest.raises(InvalidInputError, match="holds lists"):
        usage_summary(fleet, by="authorized_imeis")


@pytest.mark.parametrize("threshold", [0, -0.5, True, "0.8", float("nan")])
def test_bad_threshold_is_refused(fleet: pd.DataFrame, threshold: object) -> None:
    """A threshold must be a positive number."""
    with pytest.raises(InvalidInputError, match="threshold"):
        near_limit(fleet, threshold=threshold)  # type: ignore[arg-type]


def test_summary_does_not_mutate_input(fleet: pd.DataFrame) -> None:
    """The input frame is left as it was."""
    before = fleet.copy()
    usage_summary(fleet, by=["tag", "status"])
    pd.testing.assert_frame_equal(fleet, before)


def test_near_limit_lists_fullest_first_including_over(fleet: pd.DataFrame) -> None:
    """SIMs at or above 80% come back, 130% first, then 90%; 50% and no-limit SIMs do not."""
    out = near_limit(fleet)
    assert list(out["id"]) == ["sim-2", "sim-1"]
    assert list(out.index) == [2, 1]


def test_near_limit_includes_a_sim_exactly_at_the_threshold() -> None:
    """Utilization equal to the threshold counts as near."""
    df = make_fleet_frame([{"consumed_mb": 80.0, "data_limit_mb": 100.0}])
    assert list(near_limit(df, threshold=0.8)["id"]) == ["sim-0"]


def test_top_consumers_returns_n_largest(fleet: pd.DataFrame) -> None:
    """top_consumers(n=2) gives the 400 MB and 130 MB SIMs in that order."""
    out = top_consumers(fleet, n=2)
    assert list(out["consumed_mb"]) == [400.0, 130.0]


def test_top_consumers_leaves_out_unknown_consumption() -> None:
    """A SIM whose consumption is missing is not a top consumer."""
    df = make_fleet_frame([{"consumed_mb": None}, {"consumed_mb": 1.0}])
    assert list(top_consumers(df)["id"]) == ["sim-1"]


@pytest.mark.parametrize("n", [0, -1, 2.5, True])
def test_top_consumers_rejects_bad_n(fleet: pd.DataFrame, n: object) -> None:
    """n must be a positive whole number."""
    with pytest.raises(InvalidInputError, match="n="):
        top_consumers(fleet, n=n)  # type: ignore[arg-type]


def test_explode_tags_gives_one_row_per_sim_and_tag(fleet: pd.DataFrame) -> None:
    """Two tags give two rows, untagged SIMs keep one row with a missing tag."""
    out = explode_tags(fleet)
    assert len(out) == 7
    assert out["tag"].dtype == "string"
    first = out[out["id"] == "sim-0"]
    assert list(first["tag"]) == ["north", "pumps"]
    untagged = out[out["id"] == "sim-2"]
    assert len(untagged) == 1
    assert untagged["tag"].isna().all()


def test_explode_tags_accepts_tuples_arrays_and_dedupes() -> None:
    """Tags as a tuple or numpy array work like lists; a tag repeated on one SIM counts once."""
    df = make_fleet_frame([{}, {}])
    df["tags"] = pd.Series([("a", "a", "b"), pd.array(["c"]).to_numpy()], dtype="object")
    out = explode_tags(df)
    assert list(out["tag"]) == ["a", "b", "c"]


def test_half_used_halfway_is_projected_at_the_limit() -> None:
    """A SIM at 50% of its limit halfway through the period is projected at 100% at the end."""
    df = make_fleet_frame([{"consumed_mb": 50.0, "data_limit_mb": 100.0}])
    out = project_period_end(df, as_of="2026-04-16T00:00:00Z", **APRIL)
    row = out.iloc[0]
    assert row["elapsed_fraction"] == 0.5
    assert row["projected_mb"] == 100.0
    assert row["projected_utilization"] == 1.0
    assert bool(row["projected_over_limit"]) is False
    assert row["limit_crossing_at"] == pd.Timestamp("2026-05-01T00:00:00Z")


def test_fast_burner_crossing_time_is_when_the_limit_is_reached() -> None:
    """60 MB of 100 after 15 of 30 days: 120 MB projected, limit reached after 25 days."""
    df = make_fleet_frame([{"consumed_mb": 60.0, "data_limit_mb": 100.0}])
    row = project_period_end(df, as_of="2026-04-16", **APRIL).iloc[0]
    assert row["projected_mb"] == pytest.approx(120.0)
    assert bool(row["projected_over_limit"]) is True
    assert row["limit_crossing_at"] == pd.Timestamp("2026-04-26T00:00:00Z")


def test_slow_burner_never_crosses_within_the_period() -> None:
    """20 MB of 100 halfway is projected at 40 MB: no crossing time."""
    df = make_fleet_frame([{"consumed_mb": 20.0, "data_limit_mb": 100.0}])
    row = project_period_end(df, as_of="2026-04-16", **APRIL).iloc[0]
    assert row["projected_mb"] == pytest.approx(40.0)
    assert pd.isna(row["limit_crossing_at"])


def test_sim_already_over_gets_the_estimated_past_crossing() -> None:
    """150 MB of 100 after 15 days at a steady rate crossed the limit on day 10."""
    df = make_fleet_frame([{"consumed_mb": 150.0, "data_limit_mb": 100.0}])
    row = project_period_end(df, as_of="2026-04-16", **APRIL).iloc[0]
    assert row["limit_crossing_at"] == pd.Timestamp("2026-04-11T00:00:00Z")
    assert row["projected_mb"] == pytest.approx(300.0)


def test_sim_created_mid_period_burns_from_its_creation() -> None:
    """A SIM created on day 10 with 20 of 100 MB on day 20 is halfway through its own period."""
    df = make_fleet_frame(
        [{"consumed_mb": 20.0, "data_limit_mb": 100.0, "created_at": "2026-04-11T00:00:00Z"}]
    )
    row = project_period_end(df, as_of="2026-04-21", **APRIL).iloc[0]
    assert row["elapsed_fraction"] == 0.5
    assert row["projected_mb"] == pytest.approx(40.0)


def test_sim_without_limit_has_projection_but_no_crossing() -> None:
    """No limit: projected_mb is known, utilization, over flag and crossing are missing."""
    df = make_fleet_frame([{"consumed_mb": 10.0}])
    row = project_period_end(df, as_of="2026-04-16", **APRIL).iloc[0]
    assert row["projected_mb"] == pytest.approx(20.0)
    assert pd.isna(row["projected_utilization"])
    assert pd.isna(row["projected_over_limit"])
    assert pd.isna(row["limit_crossing_at"])


def test_sim_created_after_as_of_has_no_projection() -> None:
    """A SIM created after the snapshot has no burn rate yet: its projections are missing."""
    df = make_fleet_frame(
        [{"consumed_mb": 0.0, "data_limit_mb": 10.0, "created_at": "2026-04-20T00:00:00Z"}]
    )
    row = project_period_end(df, as_of="2026-04-16", **APRIL).iloc[0]
    assert pd.isna(row["projected_mb"])
    assert pd.isna(row["limit_crossing_at"])


def test_projection_defaults_to_fetched_at_and_calendar_month() -> None:
    """as_of comes from attrs['fetched_at'], the period is that month in UTC."""
    df = make_fleet_frame(
        [{"consumed_mb": 50.0, "data_limit_mb": 100.0}], fetched_at="2026-04-16T00:00:00Z"
    )
    out = project_period_end(df)
    assert out.attrs["as_of"] == "2026-04-16T00:00:00+00:00"
    assert out.attrs["period_start"] == "2026-04-01T00:00:00+00:00"
    assert out.attrs["period_end"] == "2026-05-01T00:00:00+00:00"
    assert out.iloc[0]["projected_mb"] == 100.0


def test_projection_without_fetched_at_uses_now() -> None:
    """Without as_of or fetched_at the projection is made as of the current UTC time."""
    df = make_fleet_frame([{"consumed_mb": 1.0, "created_at": "2000-01-01T00:00:00Z"}])
    before = pd.Timestamp.now(tz="UTC")
    out = project_period_end(df)
    after = pd.Timestamp.now(tz="UTC")
    as_of = pd.Timestamp(out.attrs["as_of"])
    assert before <= as_of <= after
    assert out.attrs["period_start"] == as_of.normalize().replace(day=1).isoformat()


def test_period_start_alone_means_one_month() -> None:
    """A billing period starting on the 15th ends on the 15th of the next month."""
    df = make_fleet_frame([{"consumed_mb": 10.0, "created_at": "2026-01-01T00:00:00Z"}])
    out = project_period_end(df, as_of="2026-04-20", period_start="2026-04-15")
    assert out.attrs["period_end"] == "2026-05-15T00:00:00+00:00"


def test_projection_adds_columns_with_contract_dtypes() -> None:
    """The projection columns come last with Float64, boolean and UTC datetime dtypes."""
    out = project_period_end(make_fleet_frame([{}]), as_of="2026-04-16", **APRIL)
    assert tuple(out.columns[-len(PROJECTION_COLUMNS) :]) == PROJECTION_COLUMNS
    assert [str(out[c].dtype) for c in PROJECTION_COLUMNS] == [
        "Float64",
        "Float64",
        "Float64",
        "boolean",
        "datetime64[ns, UTC]",
    ]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"as_of": "2026-03-31T23:00:00Z", **APRIL}, "outside the billing period"),
        ({"as_of": "2026-04-01T00:00:00Z", **APRIL}, "outside the billing period"),
        ({"as_of": "2026-05-02", **APRIL}, "outside the billing period"),
        (
            {"as_of": "2026-04-10", "period_start": "2026-05-01", "period_end": "2026-04-01"},
            "starts",
        ),
        ({"as_of": "yesterday-ish"}, "not a date"),
        ({"as_of": 1714000000}, "must be a date"),
    ],
)
def test_projection_validates_its_times(kwargs: dict[str, object], message: str) -> None:
    """as_of before/after the period, an inverted period or an unreadable time is refused."""
    df = make_fleet_frame([{"consumed_mb": 1.0}])
    with pytest.raises(InvalidInputError, match=message):
        project_period_end(df, **kwargs)


def test_a_sim_cards_frame_is_summarised_and_projected() -> None:
    """On a frame from sim_cards_frame: 1536 + 10 MB in group-a; 75% halfway projects to 150%."""
    df = sim_cards_frame(wire_sims())
    summary = usage_summary(df, by="group")
    assert summary.loc["group-a", "consumed_mb"] == 1546.0
    assert summary.loc["group-a", "sims_with_limit"] == 1
    assert summary.loc["group-a", "near_limit_count"] == 0
    assert usage_summary(df, by="group", threshold=0.75).loc["group-a", "near_limit_count"] == 1
    projected = project_period_end(df, as_of="2026-04-16", **APRIL)
    assert projected.loc[0, "projected_utilization"] == pytest.approx(1.5)
    assert projected.loc[0, "limit_crossing_at"] == pd.Timestamp("2026-04-21T00:00:00Z")


@pytest.mark.parametrize(("threshold", "fix"), [(80, "threshold=0.8"), (95.5, "threshold=0.955")])
def test_a_percentage_given_as_a_number_is_refused_with_the_fraction(
    fleet: pd.DataFrame, threshold: float, fix: str
) -> None:
    """``80`` would find no SIM at all (80 times the limit); the message says to pass 0.8."""
    with pytest.raises(InvalidInputError, match="looks like a percentage") as caught:
        usage_summary(fleet, threshold=threshold)
    assert fix in str(caught.value)
    with pytest.raises(InvalidInputError, match="looks like a percentage"):
        near_limit(fleet, threshold=threshold)


def test_a_percentage_written_with_its_sign_is_accepted(fleet: pd.DataFrame) -> None:
    """``"80%"`` is 0.8, explicitly; the same SIMs as threshold=0.8."""
    pd.testing.assert_frame_equal(near_limit(fleet, "80%"), near_limit(fleet, 0.8))  # type: ignore[arg-type]
    assert check_threshold(" 120 % ") == pytest.approx(1.2)
    for bad in ("80", "%", "abc%", "-5%"):
        with pytest.raises(InvalidInputError, match="percentage like '80%'"):
            check_threshold(bad)


def _burners() -> pd.DataFrame:
    return make_fleet_frame(
        [
            {"consumed_mb": 60.0, "data_limit_mb": 100.0},  # projected over
            {"consumed_mb": 10.0, "data_limit_mb": 100.0},  # not
            {"consumed_mb": 120.0, "data_limit_mb": 100.0},  # already over
        ]
    )


def test_projection_states_its_basis() -> None:
    """Halfway through April: 15 of 30 days, 50%, x2 extrapolation, one SIM will cross."""
    basis = projection_basis(project_period_end(_burners(), as_of="2026-04-16", **APRIL))
    assert (basis.days_observed, basis.period_days, basis.elapsed_fraction) == (15.0, 30.0, 0.5)
    assert basis.too_early is False
    assert basis.will_cross == 1
    assert str(basis) == (
        "1 more SIM cards will be over their limit by the period's end at their average rate so "
        "far; basis: 15.0 of 30 days observed (50% of the period to 2026-05-01 00:00 UTC), a x2.0 "
        "straight-line extrapolation."
    )


@pytest.mark.parametrize(
    ("as_of", "end", "shown"),
    [
        ("2026-04-03T12:00", "2026-05-01", "2.5 of 30 days observed (8% of"),
        ("2026-04-03T23:00", "2026-05-01", "2.9 of 30 days observed (9% of"),
        ("2026-04-05T00:00", "2026-06-01", "4.0 of 61 days observed (6% of"),
    ],
)
def test_projection_is_too_early_below_three_days_or_ten_percent(
    as_of: str, end: str, shown: str
) -> None:
    """Under 3 days or under 10% of the period: no count, a sentence saying why (rounded down,
    so 2.96 days never reads as 3)."""
    projected = project_period_end(
        _burners(), as_of=as_of, period_start="2026-04-01", period_end=end
    )
    basis = projection_basis(projected)
    assert basis.too_early is True
    assert basis.will_cross is None
    assert str(basis).startswith(f"Too early to project: {shown}")
    assert "wait for at least 3 days and 10% of the period" in str(basis)


def test_sims_observed_under_three_days_are_not_counted() -> None:
    """A SIM created a day before as_of burns fast by its own days; it is left out and said."""
    df = make_fleet_frame(
        [
            {"consumed_mb": 60.0, "data_limit_mb": 100.0},
            {"consumed_mb": 50.0, "data_limit_mb": 100.0, "created_at": "2026-04-15T00:00:00Z"},
        ]
    )
    basis = projection_basis(project_period_end(df, as_of="2026-04-16", **APRIL))
    assert (basis.will_cross, basis.too_new, basis.counted) == (1, 1, 1)
    assert "1 SIM cards created less than 3 days ago are not counted" in str(basis)


def test_projection_basis_needs_a_projection() -> None:
    with pytest.raises(InvalidInputError, match="elapsed_fraction"):
        projection_basis(_burners())
    projected = project_period_end(_burners(), as_of="2026-04-16", **APRIL)
    projected.attrs.clear()
    with pytest.raises(InvalidInputError, match="attrs lack"):
        projection_basis(projected)
