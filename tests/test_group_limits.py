"""Group limits: SIMs without a limit of their own answer to their group's, in the summaries,
near_limit and plot_group_usage, and say which limit applied."""

from __future__ import annotations

from collections.abc import Iterator

import pandas as pd
import pytest
from fleetdata import make_fleet_frame

from simtools.analysis.group_limits import applied_limits
from simtools.analysis.usage import SUMMARY_COLUMNS, near_limit, usage_summary
from simtools.frames.contracts import APPLIED_LIMITS, USAGE_SUMMARY


@pytest.fixture
def fleet() -> pd.DataFrame:
    """group-a (limit 150 MB, 140 used): one SIM with 100 MB of its own, one without; group-b
    (no limit): one without, one with 1000 MB; one SIM outside every group."""
    return make_fleet_frame(
        [
            {"consumed_mb": 50.0, "data_limit_mb": 100.0},
            {"consumed_mb": 90.0},
            {"consumed_mb": 400.0, "sim_card_group_id": "group-b"},
            {"consumed_mb": 10.0, "data_limit_mb": 1000.0, "sim_card_group_id": "group-b"},
            {"consumed_mb": 5.0, "sim_card_group_id": None},
        ]
    )


def groups(a_used: float = 140.0) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "id": ["group-a", "group-b"],
            "data_limit_mb": pd.array([150.0, None], dtype="Float64"),
            "consumed_mb": pd.array([a_used, 410.0], dtype="Float64"),
        }
    )


def sources(frame: pd.DataFrame) -> list[str | None]:
    return [None if pd.isna(v) else str(v) for v in frame["limit_source"]]


def test_a_sim_answers_to_its_own_limit_else_its_groups(fleet: pd.DataFrame) -> None:
    """Own limit: judged by its own utilization; none: by the group's consumption over the
    group's limit; neither: no limit applies."""
    out = applied_limits(fleet, groups())
    assert sources(out) == ["sim", "group", None, "sim", None]
    assert out["applied_limit_mb"].tolist()[:2] == [100.0, 150.0]
    assert out["applied_utilization"].tolist()[1] == pytest.approx(140 / 150)
    assert out.dtypes.to_dict() == APPLIED_LIMITS.empty().dtypes.to_dict()
    assert sources(applied_limits(fleet, None)) == ["sim", None, None, "sim", None]


def test_a_group_without_api_consumption_is_summed_from_the_fleet(fleet: pd.DataFrame) -> None:
    """A groups frame without consumed_mb: the group's use is the sum of its SIMs."""
    out = applied_limits(fleet, groups().drop(columns=["consumed_mb"]))
    assert out["applied_utilization"].tolist()[1] == pytest.approx((50 + 90) / 150)


def test_the_summary_judges_sims_without_a_limit_by_their_group(fleet: pd.DataFrame) -> None:
    """With groups, group-a's SIM without a limit is near (group at 93%); the group's own limit
    and utilization are beside the figures; a group over its limit makes those SIMs over."""
    plain = usage_summary(fleet)
    assert list(plain.columns) == list(SUMMARY_COLUMNS)
    assert plain.loc["group-a", "near_limit_count"] == 0
    out = usage_summary(fleet, groups=groups())
    a = out.loc["group-a"]
    assert (a["near_limit_count"], a["over_limit_count"], a["sims_on_group_limit"]) == (1, 0, 1)
    assert (a["group_data_limit_mb"], a["group_utilization"]) == (150.0, pytest.approx(140 / 150))
    assert pd.isna(out.loc["group-b", "group_data_limit_mb"])
    assert {c: out[c].dtype for c in ("group_utilization", "sims_on_group_limit")} == {
        c: USAGE_SUMMARY.dtypes[c] for c in ("group_utilization", "sims_on_group_limit")
    }
    over = usage_summary(fleet, groups=groups(a_used=160.0)).loc["group-a"]
    assert (over["over_limit_count"], over["near_limit_count"]) == (1, 0)
    by_status = usage_summary(fleet, by="status", groups=groups())
    assert "group_data_limit_mb" not in by_status.columns
    assert by_status["sims_on_group_limit"].sum() == 1


def test_near_limit_says_which_limit_applied(fleet: pd.DataFrame) -> None:
    """With groups, near_limit lists the SIM judged by its group's limit and says so."""
    assert near_limit(fleet)["id"].tolist() == []
    out = near_limit(fleet, groups=groups())
    assert out["id"].tolist() == ["sim-1"]
    assert out[list(APPLIED_LIMITS.names)].iloc[0].tolist() == [
        "group",
        150.0,
        pytest.approx(140 / 150),
    ]


@pytest.fixture
def _close() -> Iterator[None]:
    yield
    import matplotlib.pyplot as plt

    plt.close("all")


@pytest.mark.usefixtures("_close")
def test_plot_group_usage_compares_a_group_with_its_own_limit(fleet: pd.DataFrame) -> None:
    """A group with a limit of its own gets that as its limit bar and 'of group limit' as its
    caption, from a fleet frame with groups= and from a summary made with groups=."""
    from simtools.plots import plot_group_usage

    for source, kwargs in (
        (fleet, {"groups": groups()}),
        (usage_summary(fleet, groups=groups()), {}),
    ):
        ax = plot_group_usage(source, **kwargs)
        labels = [t.get_text() for t in ax.get_yticklabels()]
        row = next(i for i, t in enumerate(labels) if t.startswith("group-a"))
        _used, limits = ax.containers
        assert limits[row].get_width() == 150.0
        assert labels[row] == "group-a\n2 SIMs, group limit"
        assert "93% of group limit" in [t.get_text() for t in ax.texts]


def test_by_tag_a_sim_with_two_tags_counts_once_in_its_groups_use() -> None:
    """A group's use summed from its SIMs counts each SIM once, however many tags it has:
    2 SIMs without limits of their own use 60 + 40 of a 150 MB group limit (67%), so under
    either tag neither is near 80% nor over, as by group (repeated per tag it read 107%)."""
    fleet = make_fleet_frame(
        [
            {"consumed_mb": 60.0, "tags": ["eu", "tracker"]},
            {"consumed_mb": 40.0, "tags": ["eu"]},
        ]
    )
    without_use = groups().drop(columns=["consumed_mb"])
    by_group = usage_summary(fleet, by="group", groups=without_use)
    by_tag = usage_summary(fleet, by="tag", groups=without_use)
    assert by_group["over_limit_count"].tolist() == [0]
    assert by_group["near_limit_count"].tolist() == [0]
    assert by_tag.loc[["eu", "tracker"], "over_limit_count"].tolist() == [0, 0]
    assert by_tag.loc[["eu", "tracker"], "near_limit_count"].tolist() == [0, 0]
    assert by_tag.loc[["eu", "tracker"], "sims_on_group_limit"].tolist() == [2, 1]
