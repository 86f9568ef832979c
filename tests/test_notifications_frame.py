"""Data usage notifications as a frame, and the alert columns fleet_frame(include=["alerts"])
joins onto every SIM."""

from __future__ import annotations

import pandas as pd
import pytest

import simtools
from simtools.client import SimClient
from simtools.errors import InvalidInputError, SimToolsDataWarning
from simtools.frames.change_contracts import DATA_USAGE_NOTIFICATIONS
from simtools.frames.notifications import data_usage_notifications_frame, with_alerts
from simtools.frames.restore import restore_frame_dtypes
from simtools.sandbox import serve

SIM = "6a09cdc3-8948-47f0-aa62-74ac943d6c58"


def notification(nid: str, amount: object, unit: object) -> dict[str, object]:
    return {
        "id": nid,
        "record_type": "sim_card_data_usage_notification",
        "sim_card_id": SIM,
        "threshold": {"amount": amount, "unit": unit},
        "created_at": "2026-05-01T10:00:00.000Z",
        "updated_at": "2026-05-01T10:00:00.000Z",
    }


def test_thresholds_are_in_megabytes() -> None:
    """A threshold in GB is 1024 MB per GB; the amount and unit as sent follow."""
    frame = data_usage_notifications_frame(
        {"data": [notification("a", "80.0", "MB"), notification("b", "1.5", "GB")]}
    )
    assert list(frame.columns) == list(DATA_USAGE_NOTIFICATIONS.names)
    assert frame["threshold_mb"].tolist() == [80.0, 1536.0]
    assert frame["threshold_unit"].astype(str).tolist() == ["MB", "GB"]
    assert str(frame["created_at"].dtype) == "datetime64[ns, UTC]"


def test_an_empty_answer_is_the_contracts_empty_frame() -> None:
    """No notifications: every column, every dtype, no rows."""
    frame = data_usage_notifications_frame({"data": [], "meta": {}})
    expected = DATA_USAGE_NOTIFICATIONS.empty()
    pd.testing.assert_frame_equal(frame, expected)


def test_an_unknown_unit_keeps_the_row_and_warns() -> None:
    """A unit the contract does not know leaves threshold_mb missing and says so once."""
    with pytest.warns(SimToolsDataWarning, match="threshold_unit"):
        frame = data_usage_notifications_frame([notification("a", "1", "PB")])
    assert frame["threshold_mb"].isna().all()
    assert frame["threshold_unit"].astype(str).tolist() == ["PB"]


def test_another_kind_of_object_is_refused() -> None:
    """A SIM card list is not a list of notifications."""
    with pytest.raises(InvalidInputError, match="sim_card"):
        data_usage_notifications_frame([{"id": SIM, "record_type": "sim_card"}])


def test_alerts_are_sorted_per_sim_with_their_ids() -> None:
    """alert_mb holds a SIM's thresholds smallest first and alert_ids the matching ids; a SIM
    without notifications gets empty tuples."""
    other = "0ba6b3c1-8f0e-4a52-9f3a-2b7f9f1c1d11"
    fleet = pd.DataFrame({"id": pd.array([SIM, other], dtype="string")})
    notes = data_usage_notifications_frame(
        [notification("big", "2", "GB"), notification("small", "100.0", "MB")]
    )
    out = with_alerts(fleet, notes)
    assert out["alert_mb"].tolist() == [(100.0, 2048.0), ()]
    assert out["alert_ids"].tolist() == [("small", "big"), ()]
    assert "alert_mb" not in fleet.columns


def test_a_numbers_column_that_is_not_a_list_is_kept_raw() -> None:
    """Restoring alert_mb from text: a cell that is not a list of numbers is missing, kept in
    alert_mb_raw, and reported."""
    frame = pd.DataFrame({"alert_mb": ["[80, 160.5]", "soon", None]})
    with pytest.warns(SimToolsDataWarning, match="alert_mb"):
        out = restore_frame_dtypes(frame)
    assert out["alert_mb"].tolist() == [(80.0, 160.5), None, None]
    assert out["alert_mb_raw"].tolist()[1] == "soon"


def test_fleet_frame_includes_the_alerts_of_every_sim() -> None:
    """include=["alerts"] lists the notifications once and puts each SIM's thresholds beside it."""
    with serve(fleet_size=30, seed=5) as sb, SimClient(sb.api_key, base_url=sb.base_url) as client:
        sim_id = next(iter(sb.state.sims))
        made = [client.create_data_usage_notification(sim_id, t) for t in ((1, "GB"), (5, "MB"))]
        sb.clear_request_log()
        fleet = simtools.fleet_frame(client, include=["alerts"], progress=False)
        listed = [p for m, p in sb.request_log if p.endswith("sim_card_data_usage_notifications")]
    row = fleet.set_index("id").loc[sim_id]
    assert row["alert_mb"] == (5.0, 1024.0)
    assert row["alert_ids"] == (made[1].id, made[0].id)
    assert (fleet["alert_mb"] == ()).sum() == len(fleet) - 1
    assert len(listed) == 1
