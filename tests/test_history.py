"""history.py: WDRs as a frame, and daily usage per fleet, SIM or group."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from conftest import MakeSandbox
from fleetdata import wdr

from simtools.analysis.daily import DAILY_USAGE_COLUMNS, daily_usage
from simtools.analysis.usage import NO_KEY
from simtools.client import SimClient
from simtools.errors import InvalidInputError, SimToolsDataWarning
from simtools.frames import USAGE_RECORD_COLUMNS, usage_records_frame
from simtools.frames.contracts import CURRENCIES
from simtools.models import UsageRecord
from simtools.workflows.fleet import fleet_frame

KB = 1 / 1024


def test_one_row_per_record_with_contract_columns_and_dtypes() -> None:
    """Each WDR becomes a row; columns and dtypes follow USAGE_RECORD_COLUMNS."""
    out = usage_records_frame([wdr("w1", "2026-04-01T10:00:00Z"), wdr("w2", "2026-04-02", up=0)])
    assert list(out.columns) == list(USAGE_RECORD_COLUMNS)
    assert list(out["id"]) == ["w1", "w2"]
    assert {c: str(t) for c, t in out.dtypes.items()} == {
        "id": "string",
        "record_type": "category",
        "sim_card_id": "string",
        "sim_group_id": "string",
        "sim_group_name": "string",
        "created_at": "datetime64[ns, UTC]",
        "uplink_mb": "Float64",
        "downlink_mb": "Float64",
        "total_mb": "Float64",
        "duration_s": "Float64",
        "mcc": "string",
        "mnc": "string",
        "imsi": "string",
        "phone_number": "string",
        "cost": "Float64",
        "rate": "Float64",
        "currency": "category",
    }


@pytest.mark.parametrize(
    ("amount", "unit", "mb"),
    [
        (2048, "B", 2048 / 1024**2),
        (1536, "KB", 1.5),
        (2.5, "MB", 2.5),
        (7, None, 7.0),
        ("3", "kb", 3 * KB),
    ],
)
def test_units_convert_to_mb_in_1024_steps(amount: object, unit: object, mb: float) -> None:
    """B, KB and MB (the default) become MB with 1024 steps; a numeric string is read."""
    out = usage_records_frame([wdr("w", "2026-04-01", up=amount, down=0, unit=unit)])
    assert out.loc[0, "uplink_mb"] == pytest.approx(mb)
    assert out.loc[0, "total_mb"] == pytest.approx(mb)


def test_fields_are_read_from_models_and_dicts_alike() -> None:
    """A UsageRecord and the dict it came from give the same row."""
    raw = wdr("w1", "2026-04-01T10:00:00+02:00", up=1024, down=2048, unit="KB", cost="0.5")
    from_dict = usage_records_frame([raw])
    from_model = usage_records_frame([UsageRecord.model_validate(raw)])
    pd.testing.assert_frame_equal(from_dict, from_model)
    row = from_dict.iloc[0]
    assert row["created_at"] == pd.Timestamp("2026-04-01T08:00:00Z")
    assert (row["uplink_mb"], row["downlink_mb"], row["total_mb"]) == (1.0, 2.0, 3.0)
    assert (row["cost"], row["currency"], row["duration_s"]) == (0.5, "USD", 60.0)
    assert (row["sim_card_id"], row["sim_group_name"], row["mcc"]) == (
        "sim-0",
        "Group group-a",
        "310",
    )


def test_malformed_values_keep_the_row_and_warn_naming_record_and_field() -> None:
    """A bad amount, unit, time or cost leaves that value missing, keeps the row and warns once
    per field, naming the record and keeping the value as sent in a ``_raw`` column."""
    records = [
        wdr("good", "2026-04-01"),
        wdr("bad", "not a time", up="lots", down=5, unit="PB", cost="free"),
    ]
    with pytest.warns(SimToolsDataWarning) as caught:
        out = usage_records_frame(records)
    messages = [str(w.message) for w in caught]
    fields = sorted(m.split(":")[0] for m in messages)
    assert fields == ["cost", "created_at", "downlink_unit", "uplink_amount", "uplink_unit"]
    assert all("id 'bad'" in m and "'good'" not in m for m in messages)
    assert "'PB'" in next(m for m in messages if m.startswith("downlink_unit"))
    assert out.loc[1, "uplink_amount_raw"] == "lots"
    assert out.loc[1, "created_at_raw"] == "not a time"
    assert len(out) == 2
    bad = out.iloc[1]
    assert pd.isna(bad["created_at"])
    assert pd.isna(bad["uplink_mb"])
    assert pd.isna(bad["downlink_mb"])
    assert pd.isna(bad["total_mb"])
    assert pd.isna(bad["cost"])
    assert bad["currency"] == "USD"


def test_datetime_objects_in_dicts_are_read_as_times() -> None:
    """A dict built by hand may carry a datetime for created_at; naive means UTC."""
    raw = wdr("w", None)
    raw["created_at"] = dt.datetime(2026, 4, 1, 12, 30)
    assert usage_records_frame([raw])["created_at"].tolist() == [pd.Timestamp("2026-04-01T12:30Z")]


def test_missing_data_fields_are_reported() -> None:
    """A record without created_at or data amounts is kept and reported as missing them."""
    with pytest.warns(SimToolsDataWarning) as caught:
        out = usage_records_frame([{"id": "bare"}])
    assert sorted(str(w.message).split(":")[0] for w in caught) == [
        "created_at",
        "downlink_amount",
        "uplink_amount",
    ]
    assert all("missing for 1 usage record (id 'bare')" in str(w.message) for w in caught)
    assert list(out["id"]) == ["bare"]
    assert out["total_mb"].isna().all()


def test_negative_amount_is_not_data() -> None:
    """A negative amount is reported and left missing."""
    with pytest.warns(SimToolsDataWarning, match="uplink_amount: a value that is not a non-neg"):
        out = usage_records_frame([wdr("w", "2026-04-01", up=-1)])
    assert out["uplink_mb"].isna().tolist() == [True]


def test_a_thousand_bad_records_give_one_bounded_warning() -> None:
    """Many problems of one field are summarised in one warning listing the first five."""
    records = [wdr(f"w{i}", "2026-04-01", up="?") for i in range(1000)]
    with pytest.warns(SimToolsDataWarning, match="and 995 more") as caught:
        usage_records_frame(records)
    assert len(caught) == 1


def test_currency_falls_back_to_the_rate() -> None:
    """Without cost, the currency comes from the rate and cost is missing, silently."""
    raw = wdr("w", "2026-04-01", currency="EUR")
    del raw["cost"]
    out = usage_records_frame([raw])
    assert out.loc[0, "currency"] == "EUR"
    assert out["cost"].isna().tolist() == [True]


def test_currency_categories_start_with_the_contract_ones() -> None:
    """currency lists AUD, CAD, EUR, GBP, USD first; an unknown currency is kept after them and
    reported."""
    records = [wdr("a", "2026-04-01"), wdr("b", "2026-04-01", currency="JPY")]
    with pytest.warns(SimToolsDataWarning, match=r"currency: .*'JPY'.* \(id 'b'\)"):
        out = usage_records_frame(records)
    assert list(out["currency"].cat.categories) == [*CURRENCIES, "JPY"]
    assert out["currency"].tolist() == ["USD", "JPY"]


def test_empty_input_gives_empty_frame_with_columns() -> None:
    """No records, no rows, same columns."""
    out = usage_records_frame([])
    assert list(out.columns) == list(USAGE_RECORD_COLUMNS)
    assert out.empty


@pytest.mark.parametrize("records", [{"data": []}, "w1", 5, [3]])
def test_wrong_input_types_are_refused(records: object) -> None:
    """A dict, a string, a number or a list of non-records is refused with a hint."""
    with pytest.raises(InvalidInputError):
        usage_records_frame(records)  # type: ignore[arg-type]


@pytest.fixture
def records() -> pd.DataFrame:
    """Four records over three days: sim-0 on days 1 and 3, sim-1 on day 3 (twice)."""
    return usage_records_frame(
        [
            wdr("a", "2026-04-01T10:00:00Z", up=1, down=2),
            wdr("b", "2026-04-03T00:30:00Z", up=4, down=4),
            wdr("c", "2026-04-03T12:00:00Z", up=10, down=20, sim="sim-1", group="group-b"),
            # 01:00 at +02:00 is 23:00 UTC the day before: counts on 2026-04-03
            wdr("d", "2026-04-04T01:00:00+02:00", up=1, down=1, sim="sim-1", group="group-b"),
        ]
    )


def test_daily_totals_for_the_fleet_fill_missing_days(records: pd.DataFrame) -> None:
    """Days 1..3 are all present; day 2 has zero usage and zero sessions."""
    out = daily_usage(records)
    assert list(out.columns) == list(DAILY_USAGE_COLUMNS)
    assert list(out["date"]) == list(pd.date_range("2026-04-01", periods=3, freq="D", tz="UTC"))
    assert list(out["total_mb"]) == [3.0, 0.0, 40.0]
    assert list(out["uplink_mb"]) == [1.0, 0.0, 15.0]
    assert list(out["sessions"]) == [1, 0, 3]


def test_daily_usage_per_sim_has_every_day_for_every_sim(records: pd.DataFrame) -> None:
    """Per SIM the frame is rectangular: 2 SIMs x 3 days, zeros where a SIM was silent."""
    out = daily_usage(records, by="sim")
    assert list(out.columns) == [
        "date",
        "sim_card_id",
        "uplink_mb",
        "downlink_mb",
        "total_mb",
        "sessions",
    ]
    assert len(out) == 6
    assert list(out.loc[out["sim_card_id"] == "sim-0", "total_mb"]) == [3.0, 0.0, 8.0]
    assert list(out.loc[out["sim_card_id"] == "sim-1", "total_mb"]) == [0.0, 0.0, 32.0]
    assert out["total_mb"].sum() == records["total_mb"].sum()


def test_daily_usage_per_group_uses_sim_group_id(records: pd.DataFrame) -> None:
    """by='group' splits by sim_group_id."""
    out = daily_usage(records, by="group")
    assert set(out["sim_group_id"]) == {"group-a", "group-b"}
    assert out.loc[out["sim_group_id"] == "group-b", "sessions"].sum() == 2


def test_daily_usage_dtypes(records: pd.DataFrame) -> None:
    """date is UTC midnight, amounts Float64, sessions Int64, the key string."""
    out = daily_usage(records, by="sim")
    assert str(out["date"].dtype) == "datetime64[ns, UTC]"
    assert (out["date"] == out["date"].dt.normalize()).all()
    assert [str(out[c].dtype) for c in ("sim_card_id", "total_mb", "sessions")] == [
        "string",
        "Float64",
        "Int64",
    ]


def test_records_without_a_sim_are_summarised_under_none() -> None:
    """A record with no sim_card_id is counted under '(none)', not dropped."""
    out = daily_usage(usage_records_frame([wdr("a", "2026-04-01", sim=None)]), by="sim")
    assert list(out["sim_card_id"]) == [NO_KEY]
    assert list(out["total_mb"]) == [4.0]


def test_undated_records_are_left_out_with_a_warning(records: pd.DataFrame) -> None:
    """A record without created_at cannot be placed on a day: a warning names it."""
    records.loc[0, "created_at"] = pd.NaT
    with pytest.warns(SimToolsDataWarning, match=r"1 record\(s\) without created_at.*ids a"):
        out = daily_usage(records)
    assert out["sessions"].sum() == 3


def test_daily_usage_of_no_records_is_empty_with_columns() -> None:
    """No records give an empty frame with the key column too."""
    out = daily_usage(usage_records_frame([]), by="group")
    assert list(out.columns) == [
        "date",
        "sim_group_id",
        "uplink_mb",
        "downlink_mb",
        "total_mb",
        "sessions",
    ]
    assert out.empty


def test_daily_usage_rejects_unknown_split(records: pd.DataFrame) -> None:
    """by must be None, 'sim' or 'group'."""
    with pytest.raises(InvalidInputError, match="by='hour'"):
        daily_usage(records, by="hour")


def test_daily_usage_names_missing_columns(records: pd.DataFrame) -> None:
    """A frame without the needed columns gets an error naming them."""
    with pytest.raises(InvalidInputError, match="downlink_mb"):
        daily_usage(records.drop(columns=["downlink_mb"]))


def test_sandbox_wdrs_of_the_period_add_up_to_consumption(make_sandbox: MakeSandbox) -> None:
    """Over real HTTP: a SIM's WDRs this month, as a frame, sum to its consumed_mb."""
    with (
        make_sandbox(fleet_size=20, seed=5) as sb,
        SimClient(sb.api_key, base_url=sb.base_url) as client,
    ):
        fleet = fleet_frame(client, progress=False)
        fetched = pd.Timestamp(fleet.attrs["fetched_at"])
        busy = fleet[fleet["consumed_mb"] > 0].head(3)
        assert len(busy) == 3
        for sim_id, consumed in zip(busy["id"], busy["consumed_mb"], strict=True):
            records = client.usage_records(
                fetched.normalize().replace(day=1),
                fetched + pd.Timedelta(seconds=1),
                sim_card_id=sim_id,
            )
            frame = usage_records_frame(records)
            assert set(frame["sim_card_id"]) == {sim_id}
            assert frame["total_mb"].sum() == pytest.approx(consumed, abs=1e-6)
            assert daily_usage(frame)["total_mb"].sum() == pytest.approx(consumed, abs=1e-6)
