"""exports.py: frames to CSV, Parquet, JSON and Excel and back, column types intact."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest
from fleetdata import make_fleet_frame, wdr, wire_sims

from simtools.analysis.daily import daily_usage
from simtools.analysis.usage import project_period_end, usage_summary
from simtools.errors import InvalidInputError, SimToolsDataWarning
from simtools.frames import SIM_CARD_COLUMNS, sim_cards_frame, usage_records_frame
from simtools.frames.files import read_frame, restore_frame_dtypes, write_frame

FORMATS = ["csv", "parquet", "json", "xlsx"]


@pytest.fixture
def fleet() -> pd.DataFrame:
    """Three SIMs with lists, tuples, missing values, sub-second times and a group name."""
    return make_fleet_frame(
        [
            {
                "consumed_mb": 50.0,
                "data_limit_mb": 100.0,
                "tags": ["north", "pumps"],
                "sim_card_group_name": "Pumps",
                "created_at": "2026-04-01T10:11:12.5Z",
                "authorized_imeis": ["356938035643809"],
            },
            {"consumed_mb": None, "tags": None, "status": None, "authorized_imeis": ("1", "2")},
            {
                "consumed_mb": 130.0,
                "data_limit_mb": 100.0,
                "status": "data_limit_exceeded",
                "type": "esim",
                "voice_enabled": None,
                "updated_at": "2026-04-15T23:59:59+02:00",
            },
        ],
        fetched_at="2026-04-16T00:00:00Z",
    )


@pytest.mark.parametrize("fmt", FORMATS)
def test_fleet_frame_round_trips_with_dtypes(fleet: pd.DataFrame, tmp_path: Path, fmt: str) -> None:
    """Values and dtypes (string, category, Float64, boolean, UTC datetimes) survive each format."""
    path = write_frame(fleet, tmp_path / f"fleet.{fmt}")
    back = read_frame(path)
    pd.testing.assert_frame_equal(back, fleet, check_exact=True)
    assert back.dtypes.to_dict() == fleet.dtypes.to_dict()


@pytest.mark.parametrize("fmt", FORMATS)
def test_tags_come_back_as_tuples(fleet: pd.DataFrame, tmp_path: Path, fmt: str) -> None:
    """tags and authorized_imeis are tuples of str again, as frames.py makes them."""
    back = read_frame(write_frame(fleet, tmp_path / f"fleet.{fmt}"))
    assert back["tags"].tolist() == [("north", "pumps"), None, ()]
    assert back["authorized_imeis"].tolist() == [("356938035643809",), ("1", "2"), ()]
    assert all(type(v) is tuple for v in back["tags"].dropna())


def test_csv_stores_lists_as_json_text(fleet: pd.DataFrame, tmp_path: Path) -> None:
    """In the CSV file a tag list is JSON text that any tool can parse."""
    path = write_frame(fleet, tmp_path / "fleet.csv")
    raw = pd.read_csv(path, dtype=str)
    assert json.loads(str(raw.loc[0, "tags"])) == ["north", "pumps"]


def test_json_is_records_with_iso_utc_times(fleet: pd.DataFrame, tmp_path: Path) -> None:
    """The JSON file is a list of objects with ISO 8601 UTC times and real arrays."""
    path = write_frame(fleet, tmp_path / "fleet.json")
    records = json.loads(path.read_text())
    assert isinstance(records, list)
    assert records[0]["tags"] == ["north", "pumps"]
    assert records[0]["created_at"].startswith("2026-04-01T10:11:12.5")
    assert records[0]["created_at"].endswith("Z")
    assert records[1]["consumed_mb"] is None


def test_excel_holds_naive_utc_times(fleet: pd.DataFrame, tmp_path: Path) -> None:
    """Excel has no time zones: the cell holds the UTC wall time (22:00 for 23:59 at +02:00)."""
    path = write_frame(fleet, tmp_path / "fleet.xlsx")
    raw = pd.read_excel(path, dtype=object)
    assert raw.loc[2, "updated_at"] == pd.Timestamp("2026-04-15T21:59:59").to_pydatetime()


def test_excel_rounds_times_to_the_millisecond_as_pandas_does(tmp_path: Path) -> None:
    """A time half a millisecond (and a little) from the next comes back from Excel rounded to
    the nearest millisecond, as dt.round("ms") rounds it (Excel's day fractions would not)."""
    times = pd.Series(
        pd.to_datetime([1796352316618500001, 1796352316618400000, 1796352316618600000], utc=True)
    )
    frame = pd.DataFrame({"limit_crossing_at": times})
    back = read_frame(write_frame(frame, tmp_path / "times.xlsx"))
    assert back["limit_crossing_at"].tolist() == times.dt.round("ms").tolist()


def test_parquet_keeps_fetched_at(fleet: pd.DataFrame, tmp_path: Path) -> None:
    """Parquet stores attrs['fetched_at'] (ISO text), so a projection on the reloaded frame
    still works."""
    back = read_frame(write_frame(fleet, tmp_path / "fleet.parquet"))
    assert back.attrs["fetched_at"] == "2026-04-16T00:00:00+00:00"
    assert project_period_end(back).attrs["as_of"] == back.attrs["fetched_at"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_summary_index_is_written_as_columns(fleet: pd.DataFrame, tmp_path: Path, fmt: str) -> None:
    """A usage summary's key index comes back as a leading column with the Int64 counts."""
    summary = usage_summary(fleet, by="status")
    back = read_frame(write_frame(summary, tmp_path / f"summary.{fmt}"))
    assert list(back.columns) == ["status", *summary.columns]
    assert str(back["status"].dtype) == "category"
    pd.testing.assert_frame_equal(
        back.set_index("status"), summary, check_categorical=False, check_index_type=False
    )


@pytest.mark.parametrize("fmt", FORMATS)
def test_usage_history_frames_round_trip(tmp_path: Path, fmt: str) -> None:
    """WDR frames and daily usage keep currency category, Float64, Int64 and UTC dates."""
    records = usage_records_frame(
        [wdr("a", "2026-04-01T10:00:00Z"), wdr("b", "2026-04-03T10:00:00Z", currency="EUR")]
    )
    pd.testing.assert_frame_equal(read_frame(write_frame(records, tmp_path / f"r.{fmt}")), records)
    daily = daily_usage(records, by="sim")
    pd.testing.assert_frame_equal(read_frame(write_frame(daily, tmp_path / f"d.{fmt}")), daily)


@pytest.mark.parametrize("fmt", ["csv", "json", "xlsx"])
def test_other_columns_get_inferred_types(tmp_path: Path, fmt: str) -> None:
    """Other columns are inferred (Int64, Float64, boolean, UTC time, text; '007' stays text)."""
    df = pd.DataFrame(
        {
            "n": [1, 2],
            "x": [0.5, None],
            "flag": [True, False],
            "when": pd.to_datetime(["2026-04-01T00:00:00Z", "2026-04-02T12:00:00Z"]),
            "zip": ["007", "120"],
            "note": ["a", None],
        }
    )
    back = read_frame(write_frame(df, tmp_path / f"other.{fmt}"))
    assert [str(t) for t in back.dtypes] == [
        "Int64",
        "Float64",
        "boolean",
        "datetime64[ns, UTC]",
        "string",
        "string",
    ]
    assert back["zip"].tolist() == ["007", "120"]
    assert back["when"].iloc[1] == pd.Timestamp("2026-04-02T12:00:00Z")


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_empty_frame_keeps_its_columns(fleet: pd.DataFrame, tmp_path: Path, fmt: str) -> None:
    """An empty fleet frame reads back empty with its columns and contract dtypes."""
    empty = fleet.iloc[0:0]
    back = read_frame(write_frame(empty, tmp_path / f"empty.{fmt}"))
    assert list(back.columns) == list(fleet.columns)
    assert back.empty
    assert str(back["consumed_mb"].dtype) == "Float64"
    assert str(back["created_at"].dtype) == "datetime64[ns, UTC]"


def test_unknown_suffix_is_refused_naming_supported_ones(
    fleet: pd.DataFrame, tmp_path: Path
) -> None:
    """A .txt path is refused with the suffix and the supported list in the message."""
    with pytest.raises(InvalidInputError, match=r"'\.txt'.*\n.*\.csv, \.json, \.parquet, \.xlsx"):
        write_frame(fleet, tmp_path / "fleet.txt")
    with pytest.raises(InvalidInputError, match=r"'\.feather'"):
        read_frame(tmp_path / "fleet.feather")
    assert list(tmp_path.iterdir()) == []


def test_missing_openpyxl_names_the_extra(
    fleet: pd.DataFrame, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without openpyxl, .xlsx gives a SimToolsError saying pip install 'simtools[excel]'."""
    monkeypatch.setitem(sys.modules, "openpyxl", None)
    with pytest.raises(InvalidInputError, match=r"pip install 'simtools\[excel\]'"):
        write_frame(fleet, tmp_path / "fleet.xlsx")
    assert list(tmp_path.iterdir()) == []


def test_write_replaces_a_file_without_leaving_temp_files(
    fleet: pd.DataFrame, tmp_path: Path
) -> None:
    """Writing twice leaves exactly one file holding the second frame."""
    path = tmp_path / "fleet.parquet"
    write_frame(fleet, path)
    write_frame(fleet.iloc[:1], path)
    assert [p.name for p in tmp_path.iterdir()] == ["fleet.parquet"]
    assert len(read_frame(path)) == 1


def test_failed_write_leaves_the_old_file(
    fleet: pd.DataFrame, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A write that dies half-way (disk full) leaves the earlier file whole and no temp file."""
    path = tmp_path / "fleet.parquet"
    write_frame(fleet, path)

    def half_then_fail(table: object, where: Path) -> None:
        Path(where).write_bytes(b"PAR1 half a file")
        raise OSError("No space left on device")

    monkeypatch.setattr(pq, "write_table", half_then_fail)
    with pytest.raises(OSError, match="No space left"):
        write_frame(fleet.iloc[:1], path)
    assert [p.name for p in tmp_path.iterdir()] == ["fleet.parquet"]
    assert len(read_frame(path)) == 3


def test_mixed_object_column_is_stored_as_text_with_a_warning(
    fleet: pd.DataFrame, tmp_path: Path
) -> None:
    """An unknown field holding numbers and text goes to Parquet as text, named in a warning."""
    odd = fleet.assign(firmware=pd.Series([1, "v2", None], dtype=object))
    with pytest.warns(SimToolsDataWarning, match="'firmware'") as caught:
        path = write_frame(odd, tmp_path / "odd.parquet")
    assert caught[0].filename == __file__
    assert read_frame(path)["firmware"].tolist()[:2] == ["1", "v2"]


def test_a_column_that_does_not_parse_is_kept_as_text(tmp_path: Path) -> None:
    """A hand-edited CSV with text in consumed_mb warns naming the row, keeps the column Float64
    with that cell missing, and keeps the text as written in consumed_mb_raw (as builders do)."""
    path = tmp_path / "edited.csv"
    path.write_text("id,consumed_mb\nsim-0,12.5\nsim-1,lots\n")
    with pytest.warns(SimToolsDataWarning, match=r"consumed_mb: .*id 'sim-1'"):
        back = read_frame(path)
    assert back["consumed_mb"].dtype == "Float64"
    assert back["consumed_mb"].tolist() == [12.5, pd.NA]
    assert back["consumed_mb_raw"].tolist() == [pd.NA, "lots"]


def test_reading_a_missing_file_or_non_records_json_is_refused(tmp_path: Path) -> None:
    """A missing path or a JSON object instead of records gets an InvalidInputError."""
    with pytest.raises(InvalidInputError, match="no file"):
        read_frame(tmp_path / "absent.csv")
    path = tmp_path / "object.json"
    path.write_text('{"a": 1}')
    with pytest.raises(InvalidInputError, match="list of records"):
        read_frame(path)


def test_restore_frame_dtypes_repairs_columns_that_lost_their_dtype(fleet: pd.DataFrame) -> None:
    """Plain object, float64 and text columns (as other tools leave them) get the contract back."""
    plain = pd.DataFrame(
        {
            "status": pd.Series(["enabled", None, "standby"], dtype=object),
            "consumed_mb": [1.5, float("nan"), 3.0],
            "over_limit": pd.Series([True, None, False], dtype=object),
            "created_at": ["2026-04-01T00:00:00Z", None, "2026-04-02T00:00:00+02:00"],
            "tags": pd.Series([["a"], None, []], dtype=object),
            "note": ["kept", "as", "is"],
        }
    )
    fixed = restore_frame_dtypes(plain)
    assert fixed["status"].dtype == fleet["status"].dtype
    assert [str(fixed[c].dtype) for c in ("consumed_mb", "over_limit", "created_at")] == [
        "Float64",
        "boolean",
        "datetime64[ns, UTC]",
    ]
    assert fixed["created_at"].iloc[2] == pd.Timestamp("2026-04-01T22:00:00Z")
    assert fixed["tags"].tolist() == [("a",), None, ()]
    assert fixed["note"].dtype == plain["note"].dtype
    assert plain["consumed_mb"].dtype == "float64"


@pytest.mark.parametrize("fmt", ["json", "xlsx"])
def test_typed_formats_keep_numeric_looking_text_as_text(tmp_path: Path, fmt: str) -> None:
    """JSON and Excel know text from numbers: a text column of digits stays text."""
    df = pd.DataFrame({"code": ["1", "2"], "flag": ["true", "false"]})
    back = read_frame(write_frame(df, tmp_path / f"codes.{fmt}"))
    assert back["code"].tolist() == ["1", "2"]
    assert back["flag"].tolist() == ["true", "false"]
    assert [str(t) for t in back.dtypes] == ["string", "string"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_sim_cards_frame_round_trips(tmp_path: Path, fmt: str) -> None:
    """A frame from sim_cards_frame keeps its contract columns exactly, and its extra fields."""
    df = sim_cards_frame(wire_sims())
    back = read_frame(write_frame(df, tmp_path / f"sims.{fmt}"))
    contract = list(SIM_CARD_COLUMNS)
    pd.testing.assert_frame_equal(back[contract], df[contract], check_exact=True)
    assert list(back.columns) == list(df.columns)
    assert back["firmware"].tolist() == ["x1", "x1"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_missing_utc_times_round_trip(fmt: str, tmp_path: Path) -> None:
    """A UTC time column with gaps (a projection's limit_crossing_at) writes and reads back."""
    frame = pd.DataFrame(
        {
            "id": pd.array(["a", "b"], dtype="string"),
            "limit_crossing_at": pd.to_datetime(["2026-04-20T12:00:00Z", None], utc=True),
        }
    )
    back = read_frame(write_frame(frame, tmp_path / f"times.{fmt}"))
    assert back["limit_crossing_at"].iloc[0] == pd.Timestamp("2026-04-20T12:00:00Z")
    assert pd.isna(back["limit_crossing_at"].iloc[1])
