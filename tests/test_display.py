"""The display form of frames: readable text for people, the frame's values and dtypes kept."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import simtools
from simtools.display import column_label, format_frame, format_value, show
from simtools.errors import InvalidInputError


def _frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "sim_card_group_name": pd.array(["eu", None], dtype="string"),
            "consumed_mb": pd.array([148707.934165, 2.5], dtype="Float64"),
            "utilization": pd.array([0.8123, None], dtype="Float64"),
            "tags": [("eu", "tracker"), ()],
            "limit_crossing_at": pd.to_datetime(
                ["2026-12-04 02:32:43.723474688+00:00", None], utc=True
            ),
            "sim_count": pd.array([1234, None], dtype="Int64"),
        }
    )


def test_cells_read_as_people_write_them() -> None:
    text = format_frame(_frame())
    assert list(text.columns) == [
        "group",
        "data used (MB)",
        "used of limit",
        "tags",
        "crosses limit at",
        "SIMs",
    ]
    assert text.iloc[0].tolist() == [
        "eu",
        "148,708",
        "81%",
        "eu, tracker",
        "2026-12-04 02:32 UTC",
        "1,234",
    ]
    assert text.iloc[1].tolist() == ["", "2.5", "", "", "", ""]


def test_the_frame_itself_is_not_changed() -> None:
    frame = _frame()
    before = frame.dtypes.copy()
    shown = show(frame)
    assert shown.frame is frame
    pd.testing.assert_series_equal(frame.dtypes, before)
    assert frame["consumed_mb"].iloc[0] == pytest.approx(148707.934165)


def test_a_named_index_is_kept_and_formatted() -> None:
    frame = _frame().set_index("sim_card_group_name")
    text = format_frame(frame)
    assert text.index.name == "group"
    assert text.index.tolist() == ["eu", ""]
    html = show(frame)._repr_html_()
    assert "<th style='text-align: left" in html
    assert "148,708" in html


def test_html_clips_long_text_and_keeps_it_on_hover() -> None:
    reason = "the activation code was already used by another SIM card in this account " * 2
    html = show(pd.DataFrame({"reason": [reason]})).to_html()
    assert "…" in html
    assert f"title='{reason}'" in html


def test_long_frames_say_how_many_rows_are_left_out() -> None:
    frame = pd.DataFrame({"consumed_mb": [float(i) for i in range(100)]})
    shown = show(frame, max_rows=10)
    assert "90 more rows (100 in all)" in repr(shown)
    assert "90 more rows" in shown.to_html()


def test_shares_near_one_are_not_rounded_to_the_limit() -> None:
    assert format_value(1.003, "utilization") == "100.3%"
    assert format_value(1.0, "utilization") == "100%"
    assert format_value(float("inf"), "utilization") == "∞"
    assert column_label("uplink_bytes") == "uplink bytes"
    assert format_value(np.int64(12345)) == "12,345"
    assert format_value(np.float64(0.5), "utilization") == "50%"
    assert format_value(np.bool_(True)) == "yes"


def test_show_refuses_what_is_not_a_frame() -> None:
    with pytest.raises(InvalidInputError, match="needs a pandas DataFrame"):
        show([1, 2])  # type: ignore[arg-type]


def test_public_names() -> None:
    assert simtools.show is show
    assert simtools.format_frame is format_frame
