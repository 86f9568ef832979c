"""Specification of the frame builders and unit conversion (simtools.frames)."""

from __future__ import annotations

import copy
import json
import math
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
import telnyx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pandas.testing import assert_frame_equal
from telnyx.types.actions.register_create_response import RegisterCreateResponse
from telnyx.types.shared.simple_sim_card import SimpleSimCard

from simtools.errors import ApiError, InvalidInputError, SimToolsDataWarning
from simtools.frames import (
    ERROR_COLUMNS,
    FULL_FORM_COLUMNS,
    REGISTRATION_COLUMNS,
    SIM_CARD_COLUMNS,
    SIM_CARD_GROUP_COLUMNS,
    errors_frame,
    extract_sim_columns,
    frame_from_columns,
    registration_frame,
    sim_card_groups_frame,
    sim_cards_frame,
)
from simtools.frames.units import MB_PER_UNIT, to_megabytes, unit_factor
from simtools.models import (
    KNOWN_STATUSES,
    SIM_STATUSES,
    ApiErrorObject,
    RegisterResponse,
    SimCard,
    SimCardGroup,
)
from simtools.results import OUTCOMES, CodeOutcome, RegistrationResult

DATA = Path(__file__).parent / "data"
EXAMPLE_TEXT = (DATA / "register-response.json").read_text(encoding="utf-8")
EXAMPLE_ID = "6a09cdc3-8948-47f0-aa62-74ac943d6c58"


@pytest.fixture
def example() -> dict[str, Any]:
    """The register response from the Telnyx docs, as a dict."""
    return dict(json.loads(EXAMPLE_TEXT))


def sim(sim_id: str = "sim-1", **fields: Any) -> dict[str, Any]:
    """A small list-form SIM card dict; keyword arguments replace or add fields."""
    record: dict[str, Any] = {
        "id": sim_id,
        "record_type": "sim_card",
        "status": {"value": "enabled", "reason": "active"},
        "type": "physical",
        "iccid": "89310410106543789301",
        "tags": ["a"],
        "data_limit": {"amount": "1024.0", "unit": "MB"},
        "current_billing_period_consumed_data": {"amount": "512.0", "unit": "MB"},
        "created_at": "2026-01-01T00:00:00Z",
    }
    record.update(fields)
    return record


def one_row(record: dict[str, Any]) -> pd.Series:
    """The single row built from one SIM dict."""
    frame = sim_cards_frame([record])
    assert len(frame) == 1
    return frame.iloc[0]


# --- the docs example --------------------------------------------------------------------------


def test_docs_example_is_one_enabled_sim_over_its_limit(example: dict[str, Any]) -> None:
    """The docs' register response: one SIM, 2048 MB limit, 2049 MB used, so over its limit."""
    frame = sim_cards_frame(example)
    assert list(frame.columns[: len(SIM_CARD_COLUMNS)]) == list(SIM_CARD_COLUMNS)
    row = frame.iloc[0]
    assert len(frame) == 1
    assert row["id"] == EXAMPLE_ID
    assert row["status"] == "enabled"
    assert row["data_limit_mb"] == 2048
    assert row["consumed_mb"] == 2049
    assert frame["over_limit"].tolist() == [True]
    assert row["headroom_mb"] == -1
    assert row["utilization"] == pytest.approx(2049 / 2048)
    assert row["tags"] == ("personal", "customers", "active-customers")
    assert row["authorized_imeis"][0] == "106516771852751"
    assert pd.isna(row["eid"])
    assert row["created_at"] == pd.Timestamp("2018-02-02T22:25:27.521Z")
    assert str(frame["created_at"].dtype) == "datetime64[ns, UTC]"
    assert frame["record_type"].tolist() == ["sim_card"]


SOURCES: dict[str, Callable[[dict[str, Any]], Any]] = {
    "JSON text": lambda d: EXAMPLE_TEXT,
    "bytes": lambda d: EXAMPLE_TEXT.encode(),
    "list of page bodies": lambda d: [EXAMPLE_TEXT.encode()],
    "list of dicts": lambda d: d["data"],
    "one SIM dict": lambda d: d["data"][0],
    "single-object envelope": lambda d: {"data": d["data"][0]},
    "SimCard models": lambda d: [SimCard.model_validate(x) for x in d["data"]],
    "RegisterResponse": lambda d: RegisterResponse.model_validate(d),
    "SDK construct": lambda d: RegisterCreateResponse.construct(**d),
    "SDK model_validate": lambda d: RegisterCreateResponse.model_validate(d),
    "SDK SimpleSimCard list": lambda d: [SimpleSimCard.model_validate(x) for x in d["data"]],
}


@pytest.mark.parametrize("form", list(SOURCES))
def test_every_source_form_gives_the_same_frame(example: dict[str, Any], form: str) -> None:
    """Dict, JSON text, bytes, page bodies, SimCard models and SDK objects: one frame."""
    assert_frame_equal(sim_cards_frame(SOURCES[form](example)), sim_cards_frame(example))


def test_registration_result_gives_the_frame_of_its_sims(example: dict[str, Any]) -> None:
    """A RegistrationResult's SIMs (from every response) make the same frame."""
    result = RegistrationResult(
        submitted=("1234567890",), responses=[RegisterResponse.model_validate(example)]
    )
    assert_frame_equal(sim_cards_frame(result), sim_cards_frame(example))


def test_errors_frame_of_the_docs_example(example: dict[str, Any]) -> None:
    """The docs example's one error becomes one row, meta as JSON text, all strings."""
    frame = errors_frame(example)
    assert list(frame.columns) == list(ERROR_COLUMNS)
    assert frame.to_dict("records") == [
        {
            "code": "<string>",
            "title": "<string>",
            "detail": "<string>",
            "source_pointer": "<string>",
            "source_parameter": "<string>",
            "meta": "{}",
            "registration_code": None,
        }
    ]
    assert set(map(str, frame.dtypes)) == {"string"}
    assert_frame_equal(errors_frame(EXAMPLE_TEXT.encode()), frame)
    assert_frame_equal(errors_frame(RegisterCreateResponse.model_validate(example)), frame)


# --- units ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "unit", "mb"),
    [
        ("2048.0", "MB", 2048.0),
        ("2", "GB", 2048.0),
        ("1024", "KB", 1.0),
        ("1048576", "B", 1.0),
        ("1", "TB", 1024.0 * 1024.0),
        ("1", "gb", 1024.0),
        ("0.5", " Gb ", 512.0),
    ],
)
def test_units_convert_in_1024_steps_in_any_case(amount: str, unit: str, mb: float) -> None:
    """B, KB, MB, GB, TB step by 1024, matched case-insensitively, in the frame and alone."""
    row = one_row(sim(data_limit={"amount": amount, "unit": unit}))
    assert row["data_limit_mb"] == pytest.approx(mb)
    assert row["data_limit_amount"] == float(amount)
    assert row["data_limit_unit"] == unit
    assert to_megabytes(amount, unit) == pytest.approx(mb)


def test_unit_helpers_refuse_what_they_do_not_know() -> None:
    """unit_factor gives None for an unknown unit; to_megabytes raises InvalidInputError."""
    assert MB_PER_UNIT["GB"] == 1024.0
    assert unit_factor("PB") is None
    assert unit_factor(None) is None
    with pytest.raises(InvalidInputError, match="'PB' is not a data unit"):
        to_megabytes("1", "PB")
    for bad in ["-1", "abc", True, math.nan]:
        with pytest.raises(InvalidInputError, match="non-negative amount"):
            to_megabytes(bad, "MB")


def test_consumed_amount_without_unit_is_megabytes() -> None:
    """The API documents MB as the consumed unit's default."""
    row = one_row(sim(current_billing_period_consumed_data={"amount": "3"}))
    assert row["consumed_mb"] == 3.0


def test_data_limit_without_unit_is_not_guessed() -> None:
    """A limit without a unit is not converted, and the SIM is named in a warning."""
    with pytest.warns(SimToolsDataWarning, match=r"data_limit_unit: an amount without a unit"):
        row = one_row(sim(data_limit={"amount": "3"}))
    assert row["data_limit_amount"] == 3.0
    assert pd.isna(row["data_limit_mb"])
    assert pd.isna(row["over_limit"])


# --- derived columns --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("limit", "used", "status", "over"),
    [
        ({"amount": "1", "unit": "GB"}, "1025", "enabled", True),
        ({"amount": "1", "unit": "GB"}, "1024", "enabled", False),
        ({"amount": "1", "unit": "GB"}, "10", "data_limit_exceeded", True),
        (None, "5000", "enabled", False),
        (None, "5000", "data_limit_exceeded", True),
        ({"amount": "0", "unit": "MB"}, "0", "enabled", False),
        ({"amount": "0", "unit": "MB"}, "1", "enabled", True),
        ({"amount": "1", "unit": "GB"}, "1025", None, True),
        ({"amount": "1", "unit": "GB"}, "10", None, False),
        (None, "5000", None, False),
    ],
)
def test_over_limit_rules(limit: Any, used: str, status: str | None, over: bool) -> None:
    """Over when consumption exceeds the limit or the status says so; no limit is not over; a
    missing status says nothing."""
    row = one_row(
        sim(
            data_limit=limit,
            status={"value": status},
            current_billing_period_consumed_data={"amount": used, "unit": "MB"},
        )
    )
    assert row["over_limit"] == over


def test_an_unknown_status_is_kept_and_does_not_make_a_sim_over_its_limit() -> None:
    """A status the contract does not know is kept as a category, with a warning; it does not
    count as data_limit_exceeded."""
    record = sim(
        data_limit={"amount": "1", "unit": "GB"},
        status={"value": "data_limit_exceeded_soon"},
        current_billing_period_consumed_data={"amount": "10", "unit": "MB"},
    )
    with pytest.warns(SimToolsDataWarning, match="data_limit_exceeded_soon"):
        row = one_row(record)
    assert row["status"] == "data_limit_exceeded_soon"
    assert not row["over_limit"]  # missing (NA) would raise here


def test_over_limit_is_missing_when_consumption_is_unknown() -> None:
    """A limit but no consumption: over_limit cannot be told."""
    record = sim()
    del record["current_billing_period_consumed_data"]
    row = one_row(record)
    assert pd.isna(row["over_limit"])
    assert pd.isna(row["utilization"])


def test_utilization_and_headroom() -> None:
    """utilization = consumed/limit and headroom = limit - consumed, in MB."""
    row = one_row(
        sim(
            data_limit={"amount": "2", "unit": "GB"},
            current_billing_period_consumed_data={"amount": "512", "unit": "MB"},
        )
    )
    assert row["utilization"] == 0.25
    assert row["headroom_mb"] == 1536.0


def test_sim_without_limit_has_no_utilization_or_headroom() -> None:
    """No data limit: limit, utilization and headroom are missing, over_limit is False."""
    row = one_row(sim(data_limit=None))
    assert pd.isna(row["data_limit_mb"])
    assert pd.isna(row["utilization"])
    assert pd.isna(row["headroom_mb"])
    assert row["over_limit"] == False  # noqa: E712 (pandas' boolean scalar)


def test_zero_limit_has_no_utilization() -> None:
    """A limit of 0 MB gives no utilization (no division by zero)."""
    row = one_row(sim(data_limit={"amount": "0", "unit": "MB"}))
    assert pd.isna(row["utilization"])
    assert row["headroom_mb"] == -512.0


# --- surprising data: kept, reported, never fatal --------------------------------------------


def test_unknown_unit_warns_naming_sim_and_field_and_keeps_the_row() -> None:
    """An unknown unit: the row and the unit are kept, the MB value is missing, one warning."""
    with pytest.warns(SimToolsDataWarning) as record:
        frame = sim_cards_frame([sim("s-1"), sim("s-2", data_limit={"amount": "1", "unit": "PB"})])
    assert len(record) == 1
    message = str(record[0].message)
    assert "data_limit_unit" in message
    assert "'PB'" in message
    assert "id 's-2'" in message
    assert "s-1" not in message
    assert record[0].filename == __file__
    assert len(frame) == 2
    assert frame["data_limit_unit"].tolist() == ["MB", "PB"]
    assert frame["data_limit_amount"].tolist() == [1024.0, 1.0]
    assert pd.isna(frame["data_limit_mb"].iloc[1])
    assert list(frame["data_limit_unit"].cat.categories) == ["B", "KB", "MB", "GB", "TB", "PB"]


def test_one_warning_per_field_lists_first_ids_and_count() -> None:
    """Seven SIMs with the same problem: one warning, five ids named, 'and 2 more'."""
    bad = [sim(f"s-{i}", data_limit={"amount": "1", "unit": "XB"}) for i in range(7)]
    with pytest.warns(SimToolsDataWarning) as record:
        sim_cards_frame(bad)
    assert len(record) == 1
    message = str(record[0].message)
    assert "for 7 SIM cards" in message
    assert "id 's-4'" in message
    assert "s-5" not in message
    assert "and 2 more" in message


@pytest.mark.parametrize("amount", ["lots", "-5", "", "NaN", True, {"v": 1}])
def test_malformed_or_negative_amount_is_kept_raw(amount: Any) -> None:
    """Not a non-negative number: amount and MB missing, value as sent in _raw, one warning."""
    with pytest.warns(SimToolsDataWarning, match=r"data_limit_amount: .*id 'sim-1'"):
        row = one_row(sim(data_limit={"amount": amount, "unit": "MB"}))
    assert pd.isna(row["data_limit_amount"])
    assert pd.isna(row["data_limit_mb"])
    assert row["data_limit_amount_raw"] == (
        amount if isinstance(amount, str) else json.dumps(amount)
    )


def test_raw_column_only_exists_when_needed() -> None:
    """Well-formed data has no _raw column; where it exists, fine rows are missing in it."""
    assert not [c for c in sim_cards_frame([sim()]).columns if c.endswith("_raw")]
    with pytest.warns(SimToolsDataWarning):
        frame = sim_cards_frame([sim("a"), sim("b", created_at="yesterday")])
    assert frame["created_at_raw"].tolist() == [pd.NA, "yesterday"]
    assert pd.isna(frame["created_at"].iloc[1])


def test_unknown_status_is_kept_and_reported() -> None:
    """A status the contract does not know is kept as a category, with a warning."""
    with pytest.warns(SimToolsDataWarning, match=r"status: a value the contract does not know"):
        frame = sim_cards_frame([sim("a"), sim("b", status={"value": "hibernating"})])
    assert frame["status"].tolist() == ["enabled", "hibernating"]
    assert list(frame["status"].cat.categories) == [*KNOWN_STATUSES, "hibernating"]


def test_flag_and_list_that_are_not_what_they_should_be() -> None:
    """'yes' as a flag and a string as tags: missing in the column, kept raw, reported."""
    with pytest.warns(SimToolsDataWarning) as record:
        row = one_row(sim(voice_enabled="yes", tags="a,b"))
    assert {str(w.message).split(":")[0] for w in record} == {"tags", "voice_enabled"}
    assert pd.isna(row["voice_enabled"])
    assert row["voice_enabled_raw"] == "yes"
    assert row["tags"] is None
    assert row["tags_raw"] == "a,b"


def test_parent_that_is_not_an_object_is_kept_raw() -> None:
    """data_limit sent as a string: the limit is unknown, the value is kept in data_limit_raw."""
    with pytest.warns(SimToolsDataWarning, match=r"data_limit: a value that is not an object"):
        row = one_row(sim(data_limit="2 GB"))
    assert row["data_limit_raw"] == "2 GB"
    assert pd.isna(row["data_limit_mb"])
    assert pd.isna(row["over_limit"])


def test_number_in_a_text_column_is_text() -> None:
    """An msisdn sent as a number becomes its text, with a warning."""
    with pytest.warns(SimToolsDataWarning, match=r"msisdn: a value that is not text"):
        row = one_row(sim(msisdn=13109976224))
    assert row["msisdn"] == "13109976224"


# --- new and optional fields -----------------------------------------------------------------


def test_new_fields_reach_the_frame() -> None:
    """Unknown fields become columns after the contract: scalars as sent, nested as JSON."""
    frame = sim_cards_frame(
        [
            sim(
                sim_card_group={"id": "g", "name": "Fleet"},
                roaming=True,
                data_limit_mb=5,
                status={"value": "enabled", "since": "2026-01-01"},
            )
        ]
    )
    row = frame.iloc[0]
    assert row["sim_card_group"] == '{"id": "g", "name": "Fleet"}'
    assert row["roaming"] is True
    assert row["api_data_limit_mb"] == 5
    assert row["data_limit_mb"] == 1024.0
    assert row["status_since"] == "2026-01-01"
    assert list(frame.columns[: len(SIM_CARD_COLUMNS)]) == list(SIM_CARD_COLUMNS)


def test_full_form_fields_appear_when_present() -> None:
    """The full form's device and session fields follow the contract columns, typed."""
    full = sim(
        current_imei="356938035643809",
        current_mcc="310",
        current_mnc="410",
        live_data_session="connected",
        ipv4="10.0.0.1",
        ipv6=None,
        current_device_location={
            "latitude": "41.0",
            "longitude": "-87.5",
            "accuracy": 12,
            "accuracy_unit": "m",
        },
    )
    frame = sim_cards_frame([full, sim("plain")])
    start = len(SIM_CARD_COLUMNS)
    device_and_session = [c for c in FULL_FORM_COLUMNS if not c.startswith(("pin", "puk"))]
    assert list(frame.columns[start : start + len(device_and_session)]) == device_and_session
    assert frame["device_latitude"].tolist() == [41.0, pd.NA]
    assert str(frame["device_longitude"].dtype) == "Float64"
    assert str(frame["live_data_session"].dtype) == "category"
    assert frame.loc[0, "current_imei"] == "356938035643809"
    assert not set(FULL_FORM_COLUMNS) & set(sim_cards_frame([sim()]).columns)


# --- empty input, dtypes, immutability, refusals ---------------------------------------------


@pytest.mark.parametrize(
    "empty", [[], (), {"data": []}, b'{"data": []}', {"data": None}, {"errors": [{"code": "1"}]}]
)
def test_empty_in_empty_out_with_identical_dtypes(empty: Any) -> None:
    """No SIMs: an empty frame with the contract's columns and the same dtypes as a full one."""
    frame = sim_cards_frame(empty)
    assert frame.empty
    assert list(frame.columns) == list(SIM_CARD_COLUMNS)
    full = sim_cards_frame([sim()])
    assert frame.dtypes.equals(full.dtypes[list(SIM_CARD_COLUMNS)])


def test_inputs_are_not_mutated(example: dict[str, Any]) -> None:
    """Dicts, models and DataFrames given to the builders are left as they were."""
    before = copy.deepcopy(example)
    sim_cards_frame(example)
    errors_frame(example)
    assert example == before
    models = [SimCard.model_validate(x) for x in example["data"]]
    dumped = [m.model_dump() for m in models]
    sim_cards_frame(models)
    assert [m.model_dump() for m in models] == dumped
    frame = sim_cards_frame(example)
    copied = sim_cards_frame(frame)
    copied.loc[0, "status_reason"] = "changed"
    assert frame.loc[0, "status_reason"] != "changed"
    assert_frame_equal(sim_cards_frame(frame), frame)


@pytest.mark.parametrize(
    ("source", "message"),
    [
        (42, "from an int"),
        (3.5, "from a float"),
        ({"foo": 1}, "neither a response"),
        ("{not json", "the JSON does not parse"),
        ({"data": "text"}, "'data' is a str"),
        ({"data": [1]}, "item 0 of the response's 'data' is an int"),
        (pd.DataFrame({"id": ["x"]}), "lacks the columns"),
        ([{"id": "g", "record_type": "sim_card_group"}], "'sim_card_group' objects"),
    ],
)
def test_wrong_sources_are_refused_by_name(source: Any, message: str) -> None:
    """What cannot be a SIM card source raises InvalidInputError saying what it got."""
    with pytest.raises(InvalidInputError, match=message):
        sim_cards_frame(source)


# --- the two steps ----------------------------------------------------------------------------


def test_frame_from_columns_takes_pyarrow_columns(example: dict[str, Any]) -> None:
    """Step two accepts pyarrow arrays (a columnar reader's output) and gives the same frame."""
    raw = extract_sim_columns(example["data"])
    arrow = {name: pa.array(values) for name, values in raw.items()}
    assert_frame_equal(frame_from_columns(arrow), sim_cards_frame(example))
    numpy = {}
    for name, values in raw.items():
        numpy[name] = np.empty(len(values), dtype=object)
        numpy[name][:] = values
    assert_frame_equal(frame_from_columns(numpy), sim_cards_frame(example))


def test_frame_from_columns_refuses_derived_or_ragged_columns() -> None:
    """Derived columns are computed, not given; columns must have one length."""
    with pytest.raises(InvalidInputError, match="computed"):
        frame_from_columns({"id": ["a"], "utilization": [0.5]})
    with pytest.raises(InvalidInputError, match="different lengths"):
        frame_from_columns({"id": ["a"], "iccid": ["1", "2"]})


def test_extract_keeps_values_as_sent(example: dict[str, Any]) -> None:
    """Step one only flattens: amounts stay the API's decimal strings."""
    raw = extract_sim_columns(example["data"])
    assert raw["data_limit_amount"] == ["2048.0"]
    assert raw["status"] == ["enabled"]
    assert raw["resources_with_in_progress_actions"] == [[]]


# --- registration and errors -------------------------------------------------------------------


def _result() -> tuple[RegistrationResult, ApiErrorObject]:
    used = ApiErrorObject.model_validate(
        {
            "code": "10015",
            "title": "Bad Request",
            "detail": "This code has already been used.",
            "source": {"pointer": "/registration_codes/1"},
            "meta": {"url": "https://developers.telnyx.com/docs/overview/errors/10015"},
        }
    )
    card = SimCard.model_validate(sim("new-sim", status={"value": "registering"}))
    outcomes = [
        CodeOutcome("1234567890", 1, "registered", sim_card=card),
        CodeOutcome("2345678901", 2, "failed", error=used),
        CodeOutcome("12x", 3, "invalid", reason="is not 10 digits", source="input"),
        CodeOutcome("1234567890", 4, "duplicate", reason="repeats line 1", source="input"),
        CodeOutcome("3456789012", 5, "skipped", reason="dry run", source="input"),
    ]
    response = RegisterResponse(data=[card], errors=[used])
    result = RegistrationResult(
        submitted=tuple(o.registration_code for o in outcomes),
        outcomes=outcomes,
        responses=[response],
    )
    return result, used


def test_registration_frame_has_one_row_per_entry() -> None:
    """Every outcome is a row: position, code, outcome, error and the SIM it became."""
    result, _ = _result()
    frame = registration_frame(result)
    assert list(frame.columns) == list(REGISTRATION_COLUMNS)
    assert frame["position"].tolist() == [1, 2, 3, 4, 5]
    assert frame["outcome"].tolist() == ["registered", "failed", "invalid", "duplicate", "skipped"]
    assert list(frame["outcome"].cat.categories) == list(OUTCOMES)
    assert frame.loc[0, "sim_card_id"] == "new-sim"
    assert frame.loc[0, "status"] == "registering"
    assert frame.loc[1, "error_code"] == "10015"
    assert frame.loc[1, "error_detail"] == "This code has already been used."
    assert pd.isna(frame["sim_card_id"].iloc[1])
    assert frame.loc[2, "reason"] == "is not 10 digits"
    assert frame["source"].tolist() == ["response", "response", "input", "input", "input"]
    assert str(frame["position"].dtype) == "Int64"


def test_registration_frame_of_nothing_and_of_the_wrong_thing() -> None:
    """An empty result gives an empty frame; anything else is refused by name."""
    empty = registration_frame(RegistrationResult(submitted=()))
    assert empty.empty
    assert list(empty.columns) == list(REGISTRATION_COLUMNS)
    assert empty.dtypes.equals(registration_frame(_result()[0]).dtypes)
    with pytest.raises(InvalidInputError, match="got a dict"):
        registration_frame({"data": []})  # type: ignore[arg-type]


def test_errors_frame_maps_codes_through_outcomes() -> None:
    """From a RegistrationResult, the error's row names the code whose outcome carries it."""
    result, _ = _result()
    frame = errors_frame(result)
    assert frame["registration_code"].tolist() == ["2345678901"]
    assert frame.loc[0, "source_pointer"] == "/registration_codes/1"
    assert json.loads(str(frame["meta"].iloc[0]))["url"].endswith("/10015")


def test_errors_frame_maps_codes_by_pointer_index_when_given_codes() -> None:
    """From a raw response, codes= maps /registration_codes/<i>; without it the code is missing."""
    _, used = _result()
    body = {"data": [], "errors": [used.model_dump(mode="json"), {"code": "10009", "title": "x"}]}
    frame = errors_frame(body, codes=["1111111111", "2222222222"])
    assert frame["registration_code"].tolist() == ["2222222222", pd.NA]
    assert errors_frame(body)["registration_code"].isna().all()
    assert errors_frame(body, codes=["1111111111"])["registration_code"].isna().all()


def test_errors_frame_from_exceptions() -> None:
    """An ApiError and the SDK's APIStatusError give their errors."""
    _, used = _result()
    error = ApiError(400, "POST", "https://api.telnyx.com/v2/x", [used])
    assert errors_frame(error)["code"].tolist() == ["10015"]
    response = httpx.Response(400, request=httpx.Request("POST", "https://api.telnyx.com/v2/x"))
    body = {"errors": [{"code": "10015", "title": "Bad Request"}]}
    sdk_error = telnyx.BadRequestError("Error code: 400", response=response, body=body)
    assert errors_frame(sdk_error)["title"].tolist() == ["Bad Request"]
    assert errors_frame([used, {"code": "1", "title": "t"}])["code"].tolist() == ["10015", "1"]


def test_errors_frame_of_nothing() -> None:
    """No errors: an empty frame with the error columns."""
    frame = errors_frame({"data": [], "errors": []})
    assert frame.empty
    assert list(frame.columns) == list(ERROR_COLUMNS)


# --- SIM card groups ---------------------------------------------------------------------------


def test_sim_card_groups_frame_converts_units() -> None:
    """Groups: MB in 1024 steps, typed flags and counts, then the amounts as sent."""
    groups = [
        SimCardGroup.model_validate(
            {
                "id": "g1",
                "name": "Meters",
                "default": True,
                "data_limit": {"amount": "1", "unit": "GB"},
                "consumed_data": {"amount": "2048", "unit": "KB"},
                "sim_card_count": 12,
            }
        ),
        {"id": "g2", "name": "Spare", "default": False},
    ]
    frame = sim_card_groups_frame(groups)
    assert list(frame.columns[: len(SIM_CARD_GROUP_COLUMNS)]) == list(SIM_CARD_GROUP_COLUMNS)
    assert frame["data_limit_mb"].tolist() == [1024.0, pd.NA]
    assert frame["consumed_mb"].tolist() == [2.0, pd.NA]
    assert frame["sim_card_count"].tolist() == [12, pd.NA]
    assert frame["default"].tolist() == [True, False]
    assert str(frame["sim_card_count"].dtype) == "Int64"
    empty = sim_card_groups_frame({"data": []})
    assert empty.dtypes.equals(frame.dtypes[list(SIM_CARD_GROUP_COLUMNS)])


def test_sim_card_groups_frame_reports_unknown_units() -> None:
    """A group with an unknown unit is kept, named in a warning."""
    with pytest.warns(SimToolsDataWarning, match=r"data_limit_unit: .*SIM card group \(id 'g'\)"):
        frame = sim_card_groups_frame([{"id": "g", "data_limit": {"amount": "1", "unit": "EB"}}])
    assert len(frame) == 1


# --- properties -------------------------------------------------------------------------------

leaf = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**6), 10**6),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=6),
)
json_like = st.recursive(
    leaf,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3)
    ),
    max_leaves=6,
)
amounts = st.one_of(st.sampled_from(["2048.0", "0", "1.5", "-1", "abc", "", "1e3"]), json_like)
units = st.one_of(st.sampled_from(["MB", "GB", "kb", "TB", "B", "PB", ""]), json_like)
data_amount = st.one_of(
    st.fixed_dictionaries({}, optional={"amount": amounts, "unit": units}), json_like
)
texts = st.one_of(st.text(max_size=8), json_like)
known_fields = st.fixed_dictionaries(
    {},
    optional={
        "id": st.one_of(st.uuids().map(str), json_like),
        "iccid": texts,
        "msisdn": texts,
        "type": st.one_of(st.sampled_from(["physical", "esim", "chip"]), json_like),
        "status": st.one_of(
            st.fixed_dictionaries(
                {},
                optional={
                    "value": st.sampled_from([*SIM_STATUSES, "weird"]),
                    "reason": texts,
                    "extra_key": json_like,
                },
            ),
            json_like,
        ),
        "tags": st.one_of(st.lists(st.text(max_size=4), max_size=3), json_like),
        "data_limit": data_amount,
        "current_billing_period_consumed_data": data_amount,
        "actions_in_progress": st.one_of(st.booleans(), json_like),
        "voice_enabled": json_like,
        "esim_installation_status": st.one_of(st.sampled_from(["released", "disabled"]), leaf),
        "authorized_imeis": st.one_of(st.lists(st.text(max_size=4), max_size=2), json_like),
        "created_at": st.one_of(
            st.sampled_from(["2018-02-02T22:25:27.521Z", "2026-03-01", "nope", "9999-01-01"]),
            json_like,
        ),
        "current_imei": texts,
        "live_data_session": st.one_of(st.sampled_from(["connected", "unknown"]), leaf),
        "current_device_location": st.one_of(
            st.fixed_dictionaries({}, optional={"latitude": amounts, "accuracy": json_like}),
            json_like,
        ),
    },
)
unknown_fields = st.dictionaries(
    st.sampled_from(["new_a", "new_b", "data_limit_mb", "status_raw", "sim_card_group"]),
    json_like,
    max_size=3,
)
sim_dicts = st.builds(lambda known, unknown: {**unknown, **known}, known_fields, unknown_fields)
_LIST_COLUMNS = {"tags", "authorized_imeis"}


def _dtype_kind(dtype: Any) -> str:
    return "category" if isinstance(dtype, pd.CategoricalDtype) else str(dtype)


@settings(deadline=None, max_examples=60, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(sim_dicts, max_size=5))
def test_any_sim_dicts_make_a_well_formed_frame(records: list[dict[str, Any]]) -> None:
    """Any records: one row each, contract columns and dtypes, no nested value in a scalar
    column, the input untouched, and no warning but SimToolsDataWarning."""
    before = copy.deepcopy(records)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        frame = sim_cards_frame(records)
    assert {w.category for w in caught} <= {SimToolsDataWarning}
    assert repr(records) == repr(before)
    assert len(frame) == len(records)
    assert list(frame.columns[: len(SIM_CARD_COLUMNS)]) == list(SIM_CARD_COLUMNS)
    empty = sim_cards_frame([])
    for column in SIM_CARD_COLUMNS:
        dtype, expected = frame[column].dtype, empty[column].dtype
        assert _dtype_kind(dtype) == _dtype_kind(expected), column
        if isinstance(expected, pd.CategoricalDtype):
            assert isinstance(dtype, pd.CategoricalDtype)
            known = list(expected.categories)
            assert list(dtype.categories[: len(known)]) == known, column
    for column in frame.columns:
        for value in frame[column].tolist():
            if column in _LIST_COLUMNS:
                assert value is None or all(isinstance(v, str) for v in value), column
            else:
                assert not isinstance(value, dict | list | tuple | np.ndarray), column


def test_records_with_integer_keys_keep_them_as_text_columns() -> None:
    """A hand-built dict may use an int as a key: it becomes a column named by its text."""
    frame = sim_cards_frame([{"id": "a", 2: [1], "status": {3: "y"}}])
    assert frame.loc[0, "2"] == "[1]"
    assert frame.loc[0, "status_3"] == "y"


def test_json_nested_too_deeply_is_refused_not_a_traceback() -> None:
    """A body nested 100,000 deep is an InvalidInputError (text) or a page error (pages)."""
    deep = '{"data": ' + "[" * 100_000 + "]" * 100_000 + "}"
    with pytest.raises(InvalidInputError, match="nested too deeply"):
        sim_cards_frame(deep)
    with pytest.raises(InvalidInputError, match=r"page 1 .*nested too deeply"):
        sim_cards_frame([deep.encode()])
