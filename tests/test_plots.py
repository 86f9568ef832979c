"""Specification of simtools.plots: what each chart draws, read back from the Axes."""

from __future__ import annotations

from collections.abc import Iterator

import matplotlib
import numpy as np
import pandas as pd
import pytest
from matplotlib import dates as mdates
from matplotlib.axes import Axes
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.text import Text
from plotdata import daily_frame, fleet_frame, random_fleet, sim, summary_frame

from simtools.analysis.usage import usage_summary
from simtools.errors import InvalidInputError
from simtools.plots import (
    RISK_COLORS,
    plot_daily_usage,
    plot_group_usage,
    plot_usage_vs_limit,
    plot_utilization_histogram,
)

matplotlib.use("Agg")


@pytest.fixture(autouse=True)
def _close_figures() -> Iterator[None]:
    """Every test starts and ends without open pyplot figures."""
    import matplotlib.pyplot as plt

    plt.close("all")
    yield
    plt.close("all")


def texts(ax: Axes) -> list[str]:
    return [t.get_text() for t in ax.texts]


def legend_texts(ax: Axes) -> list[str]:
    legend = ax.get_legend()
    assert legend is not None
    return [t.get_text() for t in legend.get_texts()]


def rows_top_down(ax: Axes) -> list[str]:
    """Y tick labels in the order a reader sees them, top of the chart first."""
    ticks = ax.get_yticks()
    labels = [t.get_text() for t in ax.get_yticklabels()]
    screen_y = ax.transData.transform(np.column_stack([np.zeros(len(ticks)), ticks]))[:, 1]
    return [labels[i] for i in np.argsort(-screen_y)]


def bars_by_row(ax: Axes) -> dict[str, tuple[float, tuple[float, float, float, float]]]:
    """Row label -> (bar length, bar facecolor) for a horizontal bar chart."""
    label_at = {
        round(float(y), 6): t.get_text()
        for y, t in zip(ax.get_yticks(), ax.get_yticklabels(), strict=True)
    }
    out = {}
    for patch in ax.patches:
        centre = round(patch.get_y() + patch.get_height() / 2, 6)  # type: ignore[attr-defined]
        out[label_at[centre]] = (patch.get_width(), to_rgba(patch.get_facecolor()))  # type: ignore[attr-defined]
    return out


def limit_marks(ax: Axes) -> dict[str, float]:
    """Row label -> x position of the limit marker on that row."""
    (line,) = [ln for ln in ax.lines if ln.get_label() == "data limit"]
    label_at = {
        round(float(y), 6): t.get_text()
        for y, t in zip(ax.get_yticks(), ax.get_yticklabels(), strict=True)
    }
    xs, ys = line.get_xdata(), line.get_ydata()
    return {label_at[round(float(y), 6)]: float(x) for x, y in zip(xs, ys, strict=True)}  # type: ignore[arg-type]


def small_fleet() -> pd.DataFrame:
    return fleet_frame(
        [
            sim(50.0, 100.0, iccid="ok-half"),
            sim(85.0, 100.0, iccid="near-85"),
            sim(250.0, 200.0, iccid="over-125"),
            sim(30.0, None, iccid="nolimit"),
            sim(10.0, 1000.0, iccid="ok-one"),
        ]
    )


# ---------------------------------------------------------------------------------------------
# plot_usage_vs_limit


def test_usage_draws_one_bar_per_sim_with_its_consumption() -> None:
    """Each SIM gets one bar whose length is its consumed_mb."""
    ax = plot_usage_vs_limit(small_fleet())
    bars = bars_by_row(ax)
    assert len(ax.patches) == 5
    assert {k: v[0] for k, v in bars.items()} == {
        "ok-half": 50.0,
        "near-85": 85.0,
        "over-125": 250.0,
        "nolimit": 30.0,
        "ok-one": 10.0,
    }


def test_usage_limit_markers_sit_at_each_data_limit() -> None:
    """The limit marker of a row is drawn at that SIM's data_limit_mb; SIMs without one get none."""
    ax = plot_usage_vs_limit(small_fleet())
    assert limit_marks(ax) == {
        "ok-half": 100.0,
        "near-85": 100.0,
        "over-125": 200.0,
        "ok-one": 1000.0,
    }


def test_usage_bars_are_coloured_by_risk() -> None:
    """ok, near (>= threshold), over and no-limit bars take their RISK_COLORS colour."""
    ax = plot_usage_vs_limit(small_fleet())
    colours = {k: v[1] for k, v in bars_by_row(ax).items()}
    assert colours == {
        "ok-half": to_rgba(RISK_COLORS["ok"]),
        "ok-one": to_rgba(RISK_COLORS["ok"]),
        "near-85": to_rgba(RISK_COLORS["near"]),
        "over-125": to_rgba(RISK_COLORS["over"]),
        "nolimit": to_rgba(RISK_COLORS["no limit"]),
    }


def test_usage_threshold_moves_sims_between_ok_and_near() -> None:
    """With threshold=0.5 the SIM at 50% is near, the one at 1% stays ok."""
    ax = plot_usage_vs_limit(small_fleet(), threshold=0.5)
    colours = {k: v[1] for k, v in bars_by_row(ax).items()}
    assert colours["ok-half"] == to_rgba(RISK_COLORS["near"])
    assert colours["ok-one"] == to_rgba(RISK_COLORS["ok"])


def test_usage_over_limit_flag_wins_over_utilization() -> None:
    """A SIM flagged over_limit is drawn as over even if its utilization reads below 100%."""
    df = fleet_frame([sim(90.0, 100.0, iccid="flagged", over_limit=True), sim(10.0, 100.0)])
    colours = {k: v[1] for k, v in bars_by_row(plot_usage_vs_limit(df)).items()}
    assert colours["flagged"] == to_rgba(RISK_COLORS["over"])


def test_usage_no_limit_bars_are_hatched_and_in_the_legend() -> None:
    """SIMs without a limit are hatched grey bars with a 'no limit' legend entry."""
    ax = plot_usage_vs_limit(small_fleet())
    hatched = [p for p in ax.patches if p.get_hatch()]
    assert len(hatched) == 1
    assert hatched[0].get_width() == 30.0  # type: ignore[attr-defined]
    assert "no limit" in legend_texts(ax)


def test_usage_legend_names_each_drawn_risk_and_the_limit_marker() -> None:
    """The legend lists over, near, ok, no limit and the limit marker, in that order."""
    assert legend_texts(plot_usage_vs_limit(small_fleet())) == [
        "over limit",
        "near limit (≥ 80%)",
        "ok (< 80%)",
        "no limit",
        "data limit",
    ]


def test_usage_worst_utilization_is_at_the_top() -> None:
    """Sorted by utilization, the highest is on top and SIMs without a limit come last."""
    ax = plot_usage_vs_limit(small_fleet())
    assert rows_top_down(ax) == ["over-125", "near-85", "ok-half", "ok-one", "nolimit"]


def test_usage_sort_by_consumed_puts_the_largest_user_on_top() -> None:
    """sort_by='consumed_mb' orders by data used, largest first, limit or not."""
    ax = plot_usage_vs_limit(small_fleet(), sort_by="consumed_mb")
    assert rows_top_down(ax) == ["over-125", "near-85", "ok-half", "nolimit", "ok-one"]


def test_usage_sort_by_headroom_puts_the_least_headroom_on_top() -> None:
    """For headroom_mb less is worse: negative headroom first, no limit (no headroom) last."""
    ax = plot_usage_vs_limit(small_fleet(), sort_by="headroom_mb")
    assert rows_top_down(ax) == ["over-125", "near-85", "ok-half", "ok-one", "nolimit"]


def test_usage_top_draws_only_the_worst_and_says_how_many_were_left_out() -> None:
    """With more SIMs than top, only the worst top are drawn and a note counts the rest."""
    rows = [sim(float(i), 100.0, iccid=f"s{i:02d}") for i in range(40)]
    ax = plot_usage_vs_limit(fleet_frame(rows), top=10)
    assert len(ax.patches) == 10
    assert rows_top_down(ax) == [f"s{i:02d}" for i in range(39, 29, -1)]
    assert any(
        "showing the 10 highest by utilization of 40 SIMs; 30 not shown" in t for t in texts(ax)
    )


def test_usage_note_uses_thousands_separators_and_counts_rows_without_usage() -> None:
    """The left-out note reads 1,204 and counts the left-out SIMs that have no usage data."""
    df = random_fleet(1204)
    df.loc[df.index[:4], "consumed_mb"] = pd.NA
    ax = plot_usage_vs_limit(df)
    (note,) = [t for t in texts(ax) if "not shown" in t]
    assert "showing the 30 highest by utilization of 1,204 SIMs; 1,174 not shown" in note
    assert "(4 of them without usage data)" in note


def test_usage_without_left_out_rows_has_no_left_out_note() -> None:
    """When every SIM is drawn nothing is reported as not shown."""
    assert not any("not shown" in t for t in texts(plot_usage_vs_limit(small_fleet())))


def test_usage_note_counts_risk_classes_over_the_whole_fleet() -> None:
    """The header note counts over, near, ok and no-limit SIMs in the whole frame."""
    (header,) = [t for t in texts(plot_usage_vs_limit(small_fleet(), top=1)) if "SIMs:" in t]
    assert header.startswith("5 SIMs: 1 over limit, 1 near limit, 2 ok, 1 no limit")


def test_usage_sims_without_usage_data_are_not_drawn() -> None:
    """A SIM whose consumed_mb is missing gets no bar and is counted as not shown."""
    df = fleet_frame([sim(None, 100.0, iccid="blank"), sim(5.0, 100.0, iccid="used")])
    ax = plot_usage_vs_limit(df)
    assert rows_top_down(ax) == ["used"]
    assert any("1 not shown (1 of them without usage data)" in t for t in texts(ax))


def test_usage_labels_come_from_the_label_column_with_id_as_fallback() -> None:
    """label= picks the column for row labels; a missing or blank label falls back to the id."""
    df = fleet_frame([sim(90.0, 100.0), sim(50.0, 100.0), sim(10.0, 100.0)])
    df["imsi"] = pd.array(["imsi-a", None, "  "], dtype="string")
    ax = plot_usage_vs_limit(df, label="imsi")
    assert rows_top_down(ax) == ["imsi-a", "sim-1", "sim-2"]


def test_usage_unknown_label_column_is_refused_by_name() -> None:
    """A label column that the frame lacks is an InvalidInputError naming it."""
    with pytest.raises(InvalidInputError, match="'nickname'"):
        plot_usage_vs_limit(small_fleet(), label="nickname")


def test_usage_missing_columns_are_named() -> None:
    """A frame without the usage columns raises InvalidInputError naming each one."""
    df = small_fleet().drop(columns=["data_limit_mb", "over_limit"])
    with pytest.raises(InvalidInputError, match="'data_limit_mb', 'over_limit'") as info:
        plot_usage_vs_limit(df)
    assert info.value.value == ["data_limit_mb", "over_limit"]


def test_usage_refuses_something_that_is_not_a_frame() -> None:
    """A list of dicts is refused with a pointer to the frame builders."""
    with pytest.raises(InvalidInputError, match="needs a pandas DataFrame, got list"):
        plot_usage_vs_limit([{"consumed_mb": 1.0}])  # type: ignore[arg-type]


def test_usage_non_numeric_sort_column_is_refused() -> None:
    """Sorting by a text column is an InvalidInputError that names the column."""
    with pytest.raises(InvalidInputError, match="'iccid' must hold numbers"):
        plot_usage_vs_limit(small_fleet(), sort_by="iccid")


@pytest.mark.parametrize(("option", "value"), [("top", 0), ("top", 2.5), ("threshold", 1.5)])
def test_usage_bad_options_are_refused(option: str, value: float) -> None:
    """top must be a positive whole number and threshold a fraction in (0, 1]."""
    with pytest.raises(InvalidInputError, match=option):
        plot_usage_vs_limit(small_fleet(), **{option: value})  # type: ignore[arg-type]


def test_usage_empty_frame_says_there_is_nothing_to_plot() -> None:
    """An empty frame draws an Axes with a centred message instead of raising."""
    ax = plot_usage_vs_limit(small_fleet().iloc[0:0])
    assert texts(ax) == ["No SIM cards to plot"]
    assert len(ax.patches) == 0


def test_usage_all_missing_consumption_says_there_is_no_usage_data() -> None:
    """A frame where no SIM has usage data draws a message naming how many SIMs there are."""
    df = fleet_frame([sim(None, 100.0), sim(None, None)])
    ax = plot_usage_vs_limit(df)
    assert texts(ax) == ["No usage data for the 2 SIM cards"]
    assert len(ax.patches) == 0


def test_usage_draws_into_the_given_axes_and_leaves_the_frame_alone() -> None:
    """With ax= it draws there and returns it; the input frame is not modified."""
    df = small_fleet()
    before = df.copy()
    ax = Figure().add_subplot()
    assert plot_usage_vs_limit(df, ax=ax) is ax
    pd.testing.assert_frame_equal(df, before)


def test_usage_axis_is_in_mb_for_small_values_and_gb_for_large_ones() -> None:
    """Below a few GB the axis says MB; above, ticks read in GB and the label says so."""
    small = plot_usage_vs_limit(small_fleet())
    assert small.get_xlabel() == "Data used (MB)"
    large = plot_usage_vs_limit(fleet_frame([sim(30720.0, 20480.0), sim(1024.0, 2048.0)]))
    assert large.get_xlabel() == "Data used (GB, 1 GB = 1,024 MB)"
    large.figure.canvas.draw()
    ticks = [t.get_text() for t in large.get_xticklabels()]
    assert "10" in ticks
    assert 10 * 1024.0 in list(large.get_xticks())


def test_usage_new_figure_does_not_touch_rcparams() -> None:
    """Drawing without ax= leaves matplotlib's global settings as they were."""
    before = dict(matplotlib.rcParams)
    plot_usage_vs_limit(random_fleet(50))
    assert dict(matplotlib.rcParams) == before


def test_usage_percent_labels_show_utilization_per_row() -> None:
    """Each row with a limit carries its utilization as text; 100.3% is not rounded to 100%."""
    df = fleet_frame([sim(1003.0, 1000.0, iccid="a"), sim(500.0, 1000.0, iccid="b")])
    shown = texts(plot_usage_vs_limit(df))
    assert "100.3%" in shown
    assert "50%" in shown


def test_usage_zero_limit_reads_infinite_or_dash() -> None:
    """A 0 MB limit is over once anything is used (∞) and shows a dash when nothing is."""
    df = fleet_frame([sim(5.0, 0.0, iccid="used"), sim(0.0, 0.0, iccid="idle")])
    ax = plot_usage_vs_limit(df)
    assert {"∞", "–"} <= set(texts(ax))
    assert bars_by_row(ax)["used"][1] == to_rgba(RISK_COLORS["over"])


# ---------------------------------------------------------------------------------------------
# plot_utilization_histogram


def utilization_fleet(utilizations: list[float | None]) -> pd.DataFrame:
    """One SIM per value with a 100 MB limit; None is a SIM without a limit."""
    return fleet_frame([sim(5.0, None) if u is None else sim(u * 100, 100.0) for u in utilizations])


def vertical_line_at(ax: Axes, x: float) -> Line2D:
    (line,) = [ln for ln in ax.lines if list(ln.get_xdata()) == [x, x]]  # type: ignore[arg-type]
    return line


def test_histogram_counts_every_sim_with_a_utilization_once() -> None:
    """Bar heights add up to the SIMs with a utilization, overflow bin included."""
    ax = plot_utilization_histogram(utilization_fleet([0.1, 0.5, 0.85, 1.2, 3.0, None]))
    assert sum(p.get_height() for p in ax.patches) == 5  # type: ignore[attr-defined]


def test_histogram_draws_the_threshold_and_the_100_percent_lines() -> None:
    """A dashed line marks the threshold and a solid one 100%, both named in the legend."""
    ax = plot_utilization_histogram(utilization_fleet([0.2, 0.9]), threshold=0.7)
    assert vertical_line_at(ax, 0.7).get_linestyle() == "--"
    assert vertical_line_at(ax, 1.0).get_linestyle() == "-"
    assert legend_texts(ax) == ["threshold 70%", "limit (100%)"]


def test_histogram_title_counts_near_and_over() -> None:
    """The title counts SIMs at or above the threshold and over the limit (flag included)."""
    df = utilization_fleet([0.1, 0.8, 0.95, 1.0, 1.3, 0.5])
    df.loc[5, "over_limit"] = True  # flagged over although the utilization reads 50%
    ax = plot_utilization_histogram(df)
    assert ax.get_title(loc="left") == "Utilization of data limits: 3 near (≥ 80%), 2 over limit"


def test_histogram_puts_very_high_values_in_a_labelled_overflow_bin() -> None:
    """Values above clip share one hatched bin whose tick reads >150%."""
    ax = plot_utilization_histogram(utilization_fleet([0.5, 2.0, 7.5, 1.45]))
    (overflow,) = [p for p in ax.patches if p.get_hatch()]
    assert overflow.get_height() == 2  # type: ignore[attr-defined]
    assert overflow.get_x() > 1.5  # type: ignore[attr-defined]
    ax.figure.canvas.draw()
    labels = [t.get_text() for t in ax.get_xticklabels()]
    assert labels[-1] == ">150%"
    assert "100%" in labels


def test_histogram_without_overflow_has_no_overflow_bin() -> None:
    """When nothing exceeds clip no hatched bin is drawn and the axis ends at 150%."""
    ax = plot_utilization_histogram(utilization_fleet([0.5, 1.2]))
    assert not [p for p in ax.patches if p.get_hatch()]
    assert ax.get_xlim()[1] == 1.5


def test_histogram_bins_are_coloured_by_zone() -> None:
    """Bins under the threshold are ok, between threshold and 100% near, above 100% over."""
    ax = plot_utilization_histogram(utilization_fleet([0.3, 0.9, 1.2]), bins=30)
    colour_at = {
        round(p.get_x(), 2): to_rgba(p.get_facecolor())  # type: ignore[attr-defined]
        for p in ax.patches
    }
    assert colour_at[0.3] == to_rgba(RISK_COLORS["ok"])
    assert colour_at[0.9] == to_rgba(RISK_COLORS["near"])
    assert colour_at[1.2] == to_rgba(RISK_COLORS["over"])


def test_histogram_notes_sims_without_utilization() -> None:
    """SIMs without a utilization are not drawn but counted in the note."""
    ax = plot_utilization_histogram(utilization_fleet([0.5, None, None]))
    assert "2 without (no limit or no usage data) not counted" in " ".join(texts(ax))


def test_histogram_empty_and_all_missing_input_say_so() -> None:
    """No rows, or no utilization at all, draw a message instead of raising."""
    empty = plot_utilization_histogram(utilization_fleet([]))
    assert texts(empty) == ["No SIM cards to plot"]
    missing = plot_utilization_histogram(utilization_fleet([None, None]))
    assert texts(missing) == ["No utilization data for the 2 SIM cards (no data limit or no usage)"]
    assert len(missing.patches) == 0


def test_histogram_missing_utilization_column_is_named() -> None:
    """A frame without utilization raises InvalidInputError naming it."""
    with pytest.raises(InvalidInputError, match="'utilization'"):
        plot_utilization_histogram(pd.DataFrame({"consumed_mb": [1.0]}))


def test_histogram_works_without_over_limit_column() -> None:
    """over_limit is optional: without it, over means utilization above 100%."""
    df = pd.DataFrame({"utilization": pd.array([0.5, 1.5, None], dtype="Float64")})
    ax = plot_utilization_histogram(df)
    assert ax.get_title(loc="left").endswith("0 near (≥ 80%), 1 over limit")


@pytest.mark.parametrize(("option", "value"), [("bins", 0), ("clip", 0.5), ("threshold", 0)])
def test_histogram_bad_options_are_refused(option: str, value: float) -> None:
    """bins must be a positive count, clip at least 100%, threshold in (0, 1]."""
    with pytest.raises(InvalidInputError, match=option):
        plot_utilization_histogram(utilization_fleet([0.5]), **{option: value})  # type: ignore[arg-type]


# ---------------------------------------------------------------------------------------------
# plot_group_usage


def group_bars(ax: Axes) -> dict[str, tuple[float, float]]:
    """First line of each group's tick label -> (data used bar, limit bar) lengths."""
    used, limits = ax.containers
    labels = [t.get_text().split("\n")[0] for t in ax.get_yticklabels()]
    return {
        name: (u.get_width(), lim.get_width())
        for name, u, lim in zip(labels, used, limits, strict=True)
    }


def test_group_usage_from_a_summary_draws_used_and_limit_per_group() -> None:
    """A usage_summary frame gives one used bar and one limit bar per group, labelled by index."""
    summary = summary_frame(
        {
            "grp-a": {"sim_count": 3, "consumed_mb": 300.0, "data_limit_mb": 600.0},
            "grp-b": {
                "sim_count": 2,
                "consumed_mb": 900.0,
                "data_limit_mb": 500.0,
                "sims_with_limit": 1,
            },
        }
    )
    ax = plot_group_usage(summary)
    assert group_bars(ax) == {"grp-a": (300.0, 600.0), "grp-b": (900.0, 500.0)}
    assert rows_top_down(ax) == ["grp-b\n2 SIMs, 1 no limit", "grp-a\n3 SIMs"]
    assert legend_texts(ax)[0] == "data used"


def test_group_usage_from_a_fleet_frame_sums_per_group_and_uses_group_names() -> None:
    """A fleet frame is summed per sim_card_group_id and labelled by sim_card_group_name."""
    fleet = fleet_frame(
        [
            sim(100.0, 200.0, group="g1"),
            sim(50.0, None, group="g1"),
            sim(10.0, 100.0, group="g2"),
            sim(30.0, 20.0, group="g2"),
        ],
        group_names={"g1": "Trackers", "g2": "Meters"},
    )
    ax = plot_group_usage(fleet)
    assert group_bars(ax) == {"Trackers": (150.0, 200.0), "Meters": (40.0, 120.0)}
    assert rows_top_down(ax) == ["Trackers\n2 SIMs, 1 no limit", "Meters\n2 SIMs"]
    assert "33% of limit · 1 over limit" in texts(ax)  # Meters: 40 of 120 MB, one SIM over


def test_group_usage_share_of_limit_is_only_claimed_when_every_sim_has_a_limit() -> None:
    """A group where some SIMs lack a limit gets no '% of limit' caption."""
    fleet = fleet_frame([sim(100.0, 200.0, group="g1"), sim(50.0, None, group="g1")])
    assert not any("of limit" in t for t in texts(plot_group_usage(fleet)))


def test_group_usage_without_names_labels_by_id_and_collects_sims_without_group() -> None:
    """Without a name column groups are labelled by id; SIMs without a group form '(no group)'."""
    fleet = fleet_frame([sim(5.0, 10.0, group="g1"), sim(8.0, 10.0, group=None)])
    ax = plot_group_usage(fleet)
    assert rows_top_down(ax) == ["(no group)\n1 SIM", "g1\n1 SIM"]


def test_group_usage_label_column_picks_the_labels() -> None:
    """label_column names the column that labels a summary's groups."""
    summary = summary_frame({"g1": {"sim_count": 1, "consumed_mb": 1.0, "data_limit_mb": 2.0}})
    summary["title"] = pd.array(["North depot"], dtype="string")
    ax = plot_group_usage(summary, label_column="title")
    assert rows_top_down(ax) == ["North depot\n1 SIM"]


def test_group_usage_top_limits_groups_and_notes_the_rest() -> None:
    """With more groups than top, the largest are drawn and a note counts the rest."""
    summary = summary_frame(
        {
            f"g{i}": {"sim_count": 2, "consumed_mb": float(i), "data_limit_mb": 50.0}
            for i in range(8)
        }
    )
    ax = plot_group_usage(summary, top=3)
    assert [t.split("\n")[0] for t in rows_top_down(ax)] == ["g7", "g6", "g5"]
    assert "showing the 3 of 8 groups that used most; 5 not shown" in texts(ax)


def test_group_usage_empty_and_all_missing_input_say_so() -> None:
    """No groups, or groups without any usage or limit, draw a message instead of raising."""
    empty = plot_group_usage(fleet_frame([]))
    assert texts(empty) == ["No SIM card groups to plot"]
    blank = plot_group_usage(fleet_frame([sim(None, None, group="g1")]))
    assert texts(blank) == ["No usage data for the 1 SIM card groups"]


def test_group_usage_missing_columns_are_named() -> None:
    """A fleet frame without sim_card_group_id is refused, naming the column."""
    fleet = fleet_frame([sim(1.0, 2.0)]).drop(columns=["sim_card_group_id"])
    with pytest.raises(InvalidInputError, match="'sim_card_group_id'"):
        plot_group_usage(fleet)


def test_group_usage_unknown_label_column_is_named() -> None:
    """A label_column the frame lacks is refused for both input shapes."""
    summary = summary_frame({"g1": {"sim_count": 1, "consumed_mb": 1.0, "data_limit_mb": 2.0}})
    with pytest.raises(InvalidInputError, match="'nickname'"):
        plot_group_usage(summary, label_column="nickname")
    with pytest.raises(InvalidInputError, match="'nickname'"):
        plot_group_usage(fleet_frame([sim(1.0, 2.0)]), label_column="nickname")


# ---------------------------------------------------------------------------------------------
# plot_daily_usage


def data_lines(ax: Axes) -> dict[str, list[float]]:
    """Legend label -> y values of each time-series line (horizontal limit lines excluded)."""
    return {
        str(ln.get_label()): np.asarray(ln.get_ydata(), dtype=float).tolist()
        for ln in ax.lines
        if not str(ln.get_label()).startswith("daily limit")
    }


def first_day(ax: Axes) -> str:
    """The first x value of the first line, as an ISO date."""
    return str(np.asarray(ax.lines[0].get_xdata()).astype("datetime64[D]")[0])


def test_daily_without_key_draws_one_line_of_total_mb() -> None:
    """A frame without a key column gives one line with total_mb per day, dates on x."""
    ax = plot_daily_usage(daily_frame(5))
    assert data_lines(ax) == {"all SIM cards": [10.0, 11.0, 12.0, 13.0, 14.0]}
    assert first_day(ax) == "2026-03-01"
    assert isinstance(ax.xaxis.get_major_formatter(), mdates.DateFormatter)


def test_daily_sums_several_rows_of_the_same_day() -> None:
    """Without a key, rows of the same day (several SIMs) add up to one point."""
    ax = plot_daily_usage(daily_frame(3, keys=["a", "b"]).drop(columns=["sim_card_id"]))
    # day d: 10 * 1 + d plus 10 * 2 + d
    assert data_lines(ax) == {"all SIM cards": [30.0, 32.0, 34.0]}


def test_daily_with_key_draws_one_line_per_key() -> None:
    """A sim_card_id column gives one line per SIM, named in the legend."""
    ax = plot_daily_usage(daily_frame(3, keys=["a", "b"]))
    assert data_lines(ax) == {"b": [20.0, 21.0, 22.0], "a": [10.0, 11.0, 12.0]}
    assert legend_texts(ax) == ["b", "a"]
    assert ax.get_legend().get_title().get_text() == "SIM card"  # type: ignore[union-attr]


def test_daily_caps_keys_at_top_and_sums_the_rest_as_other() -> None:
    """Beyond top keys, the smallest are summed day by day into one 'other' line."""
    keys = [f"k{i}" for i in range(6)]
    ax = plot_daily_usage(daily_frame(2, keys=keys, key_column="sim_group_id"), top=4)
    lines = data_lines(ax)
    assert list(lines) == ["k5", "k4", "k3", "k2", "other (2 more)"]
    # k0 and k1: 10 + d and 20 + d
    assert lines["other (2 more)"] == [30.0, 32.0]


def test_daily_by_names_the_key_column() -> None:
    """by= picks any column as the key."""
    df = daily_frame(2, keys=["a", "b"]).rename(columns={"sim_card_id": "device"})
    assert set(data_lines(plot_daily_usage(df, by="device"))) == {"a", "b"}


def test_daily_limit_draws_a_horizontal_line_at_the_limit() -> None:
    """limit= draws a horizontal line at that many MB, named in the legend."""
    ax = plot_daily_usage(daily_frame(4), limit=500)
    (line,) = [ln for ln in ax.lines if ln.get_label() == "daily limit 500 MB"]
    assert list(line.get_ydata()) == [500, 500]  # type: ignore[arg-type]
    assert ax.get_ylim()[1] > 500


def test_daily_without_limit_has_no_limit_line() -> None:
    """Without limit= only the data lines are drawn."""
    assert len(plot_daily_usage(daily_frame(4)).lines) == 1


def test_daily_large_values_read_in_gb() -> None:
    """Days of several GB are labelled in GB on the y axis."""
    ax = plot_daily_usage(daily_frame(3, scale=8000.0))
    assert ax.get_ylabel() == "Data used per day (GB, 1 GB = 1,024 MB)"


def test_daily_accepts_time_zone_aware_dates() -> None:
    """UTC-aware dates plot on the same days as naive ones."""
    df = daily_frame(2)
    df["date"] = df["date"].dt.tz_localize("UTC")
    assert first_day(plot_daily_usage(df)) == "2026-03-01"


def test_daily_empty_and_all_missing_input_say_so() -> None:
    """No rows, or rows without total_mb, draw a message instead of raising."""
    assert texts(plot_daily_usage(daily_frame(0))) == ["No usage data"]
    df = daily_frame(2)
    df["total_mb"] = pd.array([None, None], dtype="Float64")
    assert texts(plot_daily_usage(df)) == ["No usage data: all 2 rows lack a date or total_mb"]


def test_daily_missing_columns_are_named() -> None:
    """A frame without total_mb, or without the by column, is refused by name."""
    with pytest.raises(InvalidInputError, match="'total_mb'"):
        plot_daily_usage(daily_frame(2).drop(columns=["total_mb"]))
    with pytest.raises(InvalidInputError, match="'device'"):
        plot_daily_usage(daily_frame(2), by="device")


@pytest.mark.parametrize("limit", [0, -5, float("nan"), "500"])
def test_daily_bad_limit_is_refused(limit: object) -> None:
    """limit must be a positive number of MB."""
    with pytest.raises(InvalidInputError, match="limit"):
        plot_daily_usage(daily_frame(2), limit=limit)  # type: ignore[arg-type]


def tick_days(ax: Axes) -> list[str]:
    """The x tick positions as ISO date-times (minutes), and their labels."""
    ax.figure.canvas.draw()  # type: ignore[attr-defined]
    ticks = mdates.num2date(ax.get_xticks())  # type: ignore[no-untyped-call]
    return [f"{t:%Y-%m-%d %H:%M}" for t in ticks]


def test_daily_ticks_fall_on_whole_days_only() -> None:
    """A day-resolution series has ticks at midnight (no 12:00 ticks), labelled by day, and
    no second date label (offset text)."""
    for days in (2, 4, 31):
        ax = plot_daily_usage(daily_frame(days), as_of="2026-05-01")
        ticks = tick_days(ax)
        assert ticks
        assert all(t.endswith("00:00") for t in ticks)
        assert len(ticks) <= 13
        labels = [t.get_text() for t in ax.get_xticklabels()]
        assert labels[0] == "01 Mar"
        assert ax.xaxis.get_offset_text().get_text() == ""


def test_daily_partial_last_day_is_hollow_dotted_and_noted() -> None:
    """The day holding as_of is not over: its point is drawn apart (hollow, dotted join), the
    full days' line stops before it, and a note says until when it counts."""
    ax = plot_daily_usage(daily_frame(4), as_of="2026-03-04 06:30")
    full = [ln for ln in ax.lines if ln.get_label() == "all SIM cards"]
    assert len(full) == 1
    assert np.asarray(full[0].get_ydata(), dtype=float).tolist() == [10.0, 11.0, 12.0]
    hollow = [ln for ln in ax.lines if ln.get_markerfacecolor() == "white" and len(ln.get_xdata())]
    assert [np.asarray(ln.get_ydata(), dtype=float).tolist() for ln in hollow] == [[13.0]]
    dotted = [ln for ln in ax.lines if ln.get_linestyle() == ":" and len(ln.get_xdata()) == 2]
    assert np.asarray(dotted[0].get_ydata(), dtype=float).tolist() == [12.0, 13.0]
    assert "04 Mar so far (partial day)" in legend_texts(ax)
    assert texts(ax) == ["04 Mar is not over: its point (hollow) counts data up to 06:30 UTC only"]


def test_daily_days_before_as_of_are_all_complete() -> None:
    """When the last day is over, every point is on the one solid line and nothing is noted."""
    ax = plot_daily_usage(daily_frame(4), as_of="2026-03-05 00:00")
    assert data_lines(ax) == {"all SIM cards": [10.0, 11.0, 12.0, 13.0]}
    assert texts(ax) == []


def test_daily_as_of_defaults_to_the_frames_attrs() -> None:
    df = daily_frame(3)
    df.attrs["as_of"] = "2026-03-03T10:00:00+00:00"
    assert "03 Mar so far (partial day)" in legend_texts(plot_daily_usage(df))


def test_daily_legend_names_groups_and_no_group() -> None:
    """labels= maps group ids to names; SIMs outside every group are '(no group)', as in the
    summaries; the legend's title is a word, not a column name."""
    df = daily_frame(2, keys=["g-1", "(none)"], key_column="sim_group_id")
    ax = plot_daily_usage(df, labels={"g-1": "Trackers"}, as_of="2026-06-01")
    assert sorted(legend_texts(ax)) == ["(no group)", "Trackers"]
    assert ax.get_legend().get_title().get_text() == "group"  # type: ignore[union-attr]
    assert ax.get_title(loc="left").startswith("Data used per day by group, 01 Mar 2026")
    with pytest.raises(InvalidInputError, match="labels must map"):
        plot_daily_usage(df, labels=["Trackers"])  # type: ignore[arg-type]


def test_daily_unparseable_dates_are_refused() -> None:
    """A date column of non-dates is an InvalidInputError naming the column."""
    df = daily_frame(2)
    df["date"] = ["yesterday", "today"]
    with pytest.raises(InvalidInputError, match="'date' must hold dates"):
        plot_daily_usage(df)


# ---------------------------------------------------------------------------------------------
# Layout


def overlaps(ax: Axes, labels: list[Text]) -> list[tuple[str, str]]:
    renderer = ax.figure.canvas.get_renderer()  # type: ignore[attr-defined]
    boxes = [(t.get_text(), t.get_window_extent(renderer)) for t in labels if t.get_text()]
    return [
        (a, b)
        for i, (a, box_a) in enumerate(boxes)
        for b, box_b in boxes[i + 1 :]
        if box_a.overlaps(box_b)
    ]


def axes_texts(ax: Axes) -> list[Text]:
    """Titles, notes and captions: every text drawn on the Axes itself."""
    return [t for t in ax.get_children() if isinstance(t, Text)]


def test_thirty_sim_labels_do_not_overlap() -> None:
    """On its own figure, 30 ICCID row labels, the title, notes, captions and legend stay apart."""
    ax = plot_usage_vs_limit(random_fleet(400))
    ax.figure.canvas.draw()
    assert len(ax.get_yticklabels()) == 30
    assert overlaps(ax, list(ax.get_yticklabels())) == []
    legend = ax.get_legend()
    assert legend is not None
    assert overlaps(ax, [*axes_texts(ax), *legend.get_texts()]) == []


def test_thirty_group_labels_do_not_overlap() -> None:
    """On its own figure, 30 two-line group labels, the title, note and captions stay apart."""
    summary = summary_frame(
        {
            f"group-{i}": {"sim_count": 9, "consumed_mb": 10.0 * i, "data_limit_mb": 500.0}
            for i in range(40)
        }
    )
    ax = plot_group_usage(summary)
    ax.figure.canvas.draw()
    assert overlaps(ax, list(ax.get_yticklabels())) == []
    assert overlaps(ax, axes_texts(ax)) == []


def test_group_usage_takes_a_summary_indexed_by_group_name() -> None:
    """usage_summary(by='group') is indexed by name; label_column may name that index."""
    fleet = fleet_frame(
        [sim(100.0, 200.0, group="g1"), sim(10.0, None, group="g2")],
        group_names={"g1": "Trackers", "g2": "Meters"},
    )
    summary = usage_summary(fleet, by="group")
    for ax in (
        plot_group_usage(summary),
        plot_group_usage(summary, label_column="sim_card_group_name"),
    ):
        assert [t.split("\n")[0] for t in rows_top_down(ax)] == ["Trackers", "Meters"]


def test_group_usage_says_when_used_and_limit_cover_different_sims() -> None:
    """Data used counts every SIM, the limit bar only those with a limit: the figure says so."""
    fleet = fleet_frame([sim(100.0, 200.0, group="g1"), sim(50.0, None, group="g1")])
    (note,) = texts(plot_group_usage(fleet))[-1:]
    assert note == (
        "not like for like in 1 group(s): data used counts all their SIMs, the limit bar sums "
        "only those with a limit (1 SIMs have none)"
    )
    every = fleet_frame([sim(100.0, 200.0, group="g1")])
    assert not any("like for like" in t for t in texts(plot_group_usage(every)))


def test_usage_vs_limit_title_uses_words_not_column_names() -> None:
    fleet = fleet_frame([sim(float(i), 100.0, iccid=f"89{i:018d}") for i in range(5)])
    ax = plot_usage_vs_limit(fleet, top=3, sort_by="consumed_mb")
    assert ax.get_title(loc="left").endswith("the 3 highest by data used")
    assert not any("consumed_mb" in t for t in texts(ax))
