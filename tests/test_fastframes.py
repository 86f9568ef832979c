"""Specification of the columnar page path (simtools.frames.pages): the record path's frame."""

from __future__ import annotations

import copy
import json
import re
import warnings
from collections.abc import Callable, Mapping
from datetime import datetime
from functools import lru_cache
from typing import Any
from unittest import mock

import httpx
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pandas.testing import assert_frame_equal

from simtools.client import SimClient
from simtools.errors import InvalidInputError, ResponseError, SimToolsDataWarning
from simtools.frames import (
    SIM_CARD_COLUMNS,
    extract_sim_columns,
    frame_from_columns,
    sim_cards_frame,
)
from simtools.frames import pages as fastframes
from simtools.frames import series as _series
from simtools.frames.pages import sim_card_page_columns
from simtools.frames.series import TextTuples
from simtools.models import SIM_STATUSES
from simtools.sandbox import Sandbox
from simtools.sandbox.synthetic import build_fleet
from simtools.workflows.fleet import fleet_frame

NOW = 1_790_000_000.0


def pages_of(records: list[Any], size: int = 250) -> list[bytes]:
    """Records as list-response bodies of ``size`` SIMs, as the API sends them."""
    chunks = [records[i : i + size] for i in range(0, len(records), size)] or [[]]
    return [
        json.dumps({"data": chunk, "meta": {"page_number": n, "total_pages": len(chunks)}}).encode()
        for n, chunk in enumerate(chunks, start=1)
    ]


def outcome(build: Callable[[], pd.DataFrame]) -> tuple[Any, list[tuple[type, str]]]:
    """The frame (or the error) a builder gives, with every warning it raised."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            result: Any = build()
        except InvalidInputError as exc:
            result = (type(exc), exc.reason)
    return result, [(w.category, str(w.message)) for w in caught]


def assert_same_frames(fast: pd.DataFrame, slow: pd.DataFrame) -> None:
    """Same columns, dtypes and values; object cells also of the same Python type."""
    assert_frame_equal(fast, slow, check_exact=True)
    for column in fast.columns:
        if fast[column].dtype == object:
            assert list(map(repr, fast[column])) == list(map(repr, slow[column])), column


def assert_paths_agree(pages: list[bytes]) -> pd.DataFrame | None:
    """The page path and the record path (json + dicts) give the same frame and warnings."""
    records = [r for body in pages for r in json.loads(body)["data"]]
    fast, fast_warnings = outcome(lambda: sim_cards_frame(iter(pages)))
    slow, slow_warnings = outcome(lambda: sim_cards_frame(records))
    assert fast_warnings == slow_warnings
    if isinstance(slow, pd.DataFrame):
        assert isinstance(fast, pd.DataFrame), fast
        assert_same_frames(fast, slow)
        return fast
    assert fast == slow
    return None


@lru_cache(maxsize=4)
def sandbox_sims(size: int, seed: int) -> tuple[dict[str, Any], ...]:
    """A sandbox fleet as the list endpoint sends it; every tenth SIM in its full form."""
    fleet = build_fleet(size, seed, now=NOW, code_pool=0)
    return tuple(s.full() if i % 10 == 0 else s.wire for i, s in enumerate(fleet.sims))


# --- strategies: what a drifting API might send ------------------------------------------------

leaf = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**6), 10**6),
    st.sampled_from([2**63, -(2**70), 1.0, -0.0, 2.5, 1e300]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=6),
    st.sampled_from(["2026-03-01", "2026-03-01T00:00:00Z", "2018-02-02T22:25:27.521Z"]),
)
json_like = st.recursive(
    leaf,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3)
    ),
    max_leaves=6,
)
odd_amounts = st.sampled_from(["2048.0", "0", "1.5", "-1", "-5", "lots", "", "NaN", "1e3", " 7 "])
odd_units = st.sampled_from(["MB", "GB", "kb", " tb ", "B", "PB", "", "gigs"])
amount = st.one_of(
    st.fixed_dictionaries(
        {},
        optional={
            "amount": st.one_of(odd_amounts, json_like),
            "unit": st.one_of(odd_units, json_like),
            "since": json_like,
        },
    ),
    json_like,
)
texts = st.one_of(st.text(max_size=8), json_like)
string_lists = st.lists(st.text(max_size=4), max_size=3)
#: A value for each field the contract knows, most of the time a plausible one.
FIELD_VALUES: dict[str, st.SearchStrategy[Any]] = {
    "id": st.one_of(st.uuids().map(str), json_like),
    "record_type": st.one_of(st.just("sim_card"), leaf),
    "iccid": texts,
    "imsi": texts,
    "msisdn": st.one_of(st.just("+13109976224"), st.integers(0, 10**12), texts),
    "type": st.one_of(st.sampled_from(["physical", "esim", "chip"]), json_like),
    "status": st.one_of(
        st.fixed_dictionaries(
            {},
            optional={
                "value": st.one_of(st.sampled_from([*SIM_STATUSES, "hibernating"]), leaf),
                "reason": texts,
                "since": json_like,
            },
        ),
        json_like,
    ),
    "sim_card_group_id": texts,
    "tags": st.one_of(string_lists, st.just("a,b"), json_like),
    "authorized_imeis": st.one_of(string_lists, json_like),
    "data_limit": amount,
    "current_billing_period_consumed_data": amount,
    "actions_in_progress": st.one_of(st.booleans(), json_like),
    "voice_enabled": st.one_of(st.booleans(), st.just("yes"), json_like),
    "eid": texts,
    "esim_installation_status": st.one_of(st.sampled_from(["released", "disabled"]), leaf),
    "version": st.one_of(st.just("4.3"), leaf),
    "created_at": st.one_of(
        st.sampled_from(["2018-02-02T22:25:27.521Z", "2026-03-01", "nope", "9999-01-01"]),
        json_like,
    ),
    "updated_at": st.one_of(st.just("2026-04-10T12:00:00.000Z"), json_like),
    "current_imei": texts,
    "ipv4": texts,
    "live_data_session": st.one_of(st.sampled_from(["connected", "unknown", "asleep"]), leaf),
    "current_device_location": st.one_of(
        st.fixed_dictionaries(
            {},
            optional={
                "latitude": st.one_of(st.just("41.5"), odd_amounts, json_like),
                "longitude": st.one_of(st.just(-87.25), json_like),
                "accuracy": st.one_of(st.integers(0, 2000), json_like),
                "accuracy_unit": st.one_of(st.just("m"), leaf),
                "altitude": json_like,
            },
        ),
        json_like,
    ),
}
#: Fields the contract does not know, some named like contract columns.
UNKNOWN_NAMES = ["new_a", "new_b", "data_limit_mb", "status_raw", "status_since", "firmware"]
sim_dicts = st.builds(
    lambda known, unknown: {**known, **unknown},
    st.fixed_dictionaries({}, optional=FIELD_VALUES),
    st.dictionaries(st.sampled_from(UNKNOWN_NAMES), json_like, max_size=3),
)
batch_bytes = st.sampled_from([1, 2_000, fastframes.BATCH_BYTES])


#: Values that trip a columnar reader when they meet in one column: 1 and 1.5 (read as 1.0),
#: objects with different keys (merged), text that looks like a time, big numbers, null items.
DRIFT: list[Any] = [
    None,
    0,
    1,
    1.5,
    -2,
    2**63,
    True,
    "x",
    "",
    "2026-03-01",
    "2026-03-01T00:00:00Z",
    [],
    ["a"],
    [1],
    [1.5],
    [None],
    ["a", None],
    [[]],
    {},
    {"x": 1},
    {"y": 2},
    {"x": {"z": 1}},
    [{"x": 1}, {"y": 2}],
    float("nan"),
]
#: Pairs that a reader inferring one type per column would not read back as sent.
HAZARDS: list[list[Any]] = [
    [1, 1.5],
    [{"x": 1}, {"y": 2}],
    [{"x": 1}, {"x": None}],
    ["2026-03-01", "2026-03-01T00:00:00Z"],
    [[1], [1.5]],
    [2**63, 3],
    [["a"], ["a", None]],
    ["x", 1],
    [True, 1],
]
DRIFT_PATHS = [
    ("new_a",),
    ("firmware",),
    ("msisdn",),
    ("tags",),
    ("voice_enabled",),
    ("created_at",),
    ("status", "value"),
    ("status", "since"),
    ("data_limit", "amount"),
    ("data_limit", "extra"),
    ("data_limit",),
    ("current_device_location", "accuracy"),
    ("current_device_location", "altitude"),
]


def with_drift(record: dict[str, Any], path: tuple[str, ...], value: Any) -> dict[str, Any]:
    """A copy of ``record`` with ``value`` at ``path`` (a parent that is not an object is
    replaced by one)."""
    out = dict(record)
    if len(path) == 1:
        out[path[0]] = value
    else:
        parent = out.get(path[0])
        out[path[0]] = {**(parent if isinstance(parent, dict) else {}), path[1]: value}
    return out


_ABSENT = object()


@st.composite
def drifting_records(draw: st.DrawFn) -> list[dict[str, Any]]:
    """A few SIMs, mostly as the sandbox sends them, some anything at all, and one or two fields
    whose value type changes from record to record."""
    clean = sandbox_sims(200, 0)
    picks = draw(st.lists(st.integers(0, len(clean) - 1), max_size=10))
    records = [dict(clean[i]) for i in picks]
    for odd in draw(st.lists(st.tuples(st.integers(0, 10), sim_dicts), max_size=2)):
        records.insert(odd[0], odd[1])
    for path in draw(st.lists(st.sampled_from(DRIFT_PATHS), max_size=2, unique=True)):
        # A few kinds of value per field, given to most records, so that they meet in a column.
        kinds: list[Any] = draw(
            st.sampled_from(HAZARDS) | st.lists(st.sampled_from(DRIFT), min_size=2)
        )
        values = draw(st.lists(st.sampled_from([*kinds, _ABSENT]), min_size=len(records)))
        records = [
            r if value is _ABSENT else with_drift(r, path, value)
            for r, value in zip(records, values, strict=False)
        ]
    return records


# --- the two paths agree -----------------------------------------------------------------------


@settings(deadline=None, max_examples=120, suppress_health_check=[HealthCheck.too_slow])
@given(records=drifting_records(), page_size=st.integers(1, 4), batch=batch_bytes)
def test_any_records_give_the_record_paths_frame(
    records: list[dict[str, Any]], page_size: int, batch: int
) -> None:
    """Any SIM dicts, drifting in every way, give the record path's frame and warnings."""
    with mock.patch.object(fastframes, "BATCH_BYTES", batch):
        assert_paths_agree(pages_of(records, page_size))


@st.composite
def drifted_fleets(draw: st.DrawFn) -> list[dict[str, Any]]:
    """A sandbox fleet of a few thousand SIMs with a few records drifting from the contract."""
    base = sandbox_sims(draw(st.sampled_from([2_000, 3_000])), draw(st.sampled_from([0, 1])))
    records = list(base)
    for _ in range(draw(st.integers(0, 6))):
        i = draw(st.integers(0, len(records) - 1))
        record = copy.deepcopy(records[i])
        name = draw(st.sampled_from([*FIELD_VALUES, *UNKNOWN_NAMES]))
        if draw(st.booleans()) and name in record:
            del record[name]
        elif name in FIELD_VALUES:
            record[name] = draw(FIELD_VALUES[name])
        else:
            record[name] = draw(json_like)
        records[i] = record
    return records


@settings(deadline=None, max_examples=8, suppress_health_check=[HealthCheck.too_slow])
@given(records=drifted_fleets(), batch=st.sampled_from([40_000, fastframes.BATCH_BYTES]))
def test_sandbox_fleets_with_drift_give_the_record_paths_frame(
    records: list[dict[str, Any]], batch: int
) -> None:
    """Thousands of sandbox SIMs, a few drifting, give the record path's frame and warnings."""
    with mock.patch.object(fastframes, "BATCH_BYTES", batch):
        frame = assert_paths_agree(pages_of(records))
    assert frame is not None
    assert len(frame) == len(records)


@pytest.mark.parametrize(
    "records",
    [
        [{"id": "a", "new_a": 1}, {"id": "b", "new_a": 1.5}],
        [{"id": "a", "new_a": {"x": 1}}, {"id": "b", "new_a": {"y": 2}}],
        [{"id": "a", "new_a": [{"x": 1}, {"y": None}]}],
        [{"id": "a", "status": {"value": "enabled", "since": {"x": 1}}}, {"id": "b"}],
        [{"id": "a", "new_a": "2026-03-01"}, {"id": "b", "new_a": "2026-03-01T00:00:00Z"}],
        [{"id": "a", "current_imei": "2026-03-01 10:00:00"}],
        [{"id": "a", "new_a": 2**64}, {"id": "b", "new_a": 3}],
        [{"id": "a", "tags": ["x", None]}, {"id": "b", "tags": []}],
        [{"id": "a", "tags": [""]}, {"id": "b", "tags": []}, {"id": "c", "tags": ["", ""]}],
        [{"id": "a", "tags": ["x\x1fy", "z"]}, {"id": "b", "tags": ["x", "y\x1fz"]}],
        [{"id": "a", "data_limit": "2 GB"}, {"id": "b", "data_limit": "5 GB"}],
        [{"id": "a", "data_limit": [1, 2]}],
        [{"id": "a", "new_a": [[]]}, {"id": "b", "new_a": [[], [None]]}],
        [{"id": "a", "resources_with_in_progress_actions": [None, None]}],
        [{"id": "a", "msisdn": True}, {"id": "b", "voice_enabled": 1}],
        [{"id": "a\ud800b", "created_at": "\udc00", "new_a": "\ud800", "tags": ["\ud800"]}],
        [{"id": "a", "new_a": {"x": 1}, "status": {"new_a": None}}, {"id": "b"}],
        [{"id": "a", "status": {"new_a": None}, "new_a": {"x": 1}}, {"id": "b"}],
        [{"id": "a", "new_a": {"x": 1}}, {"id": "b", "status": {"new_a": {"x": 1}}}],
        [{"id": "a", "new_a": [{"x": 1}], "b": '"new_a":'}, {"id": "b", "new_a": None}],
    ],
    ids=lambda records: json.dumps(records)[:40],
)
def test_values_a_reader_would_change_are_kept_as_sent(records: list[dict[str, Any]]) -> None:
    """Values a type-inferring reader would change are kept as the record path keeps them."""
    assert_paths_agree(pages_of(records))


def test_an_unknown_object_in_every_sim_keeps_the_batch_columnar() -> None:
    """A new object field in every SIM is read exactly and the rest stays Arrow."""
    records = [
        {**r, "sim_card_group": {"id": r.get("sim_card_group_id"), "name": "Fleet", "n": i}}
        for i, r in enumerate(sandbox_sims(2_000, 0)[:600])
    ]
    pages = pages_of(records)
    columns = sim_card_page_columns(pages)
    assert isinstance(columns["iccid"], pa.ChunkedArray)
    assert isinstance(columns["status"], pa.ChunkedArray)
    frame = assert_paths_agree(pages)
    assert frame is not None
    assert json.loads(str(frame.loc[5, "sim_card_group"]))["n"] == 5


def test_clean_fleet_is_read_columnar_and_equal() -> None:
    """A clean sandbox fleet stays columnar: text columns arrive as Arrow; times, amounts and
    lists arrive in their frame form, made batch by batch."""
    pages = pages_of(list(sandbox_sims(2_000, 0)))
    with mock.patch.object(fastframes, "BATCH_BYTES", 100_000):  # several batches
        columns = sim_card_page_columns(pages)
    assert isinstance(columns["id"], pa.ChunkedArray)
    assert isinstance(columns["device_latitude"], pa.ChunkedArray)
    assert isinstance(columns["tags"], TextTuples)
    assert columns["created_at"].dtype == "datetime64[ns, UTC]"
    assert columns["data_limit_amount"].dtype == "Float64"
    frame = assert_paths_agree(pages)
    assert frame is not None
    assert frame["tags"].map(lambda t: t is None or type(t) is tuple).all()
    assert "current_imei" in frame.columns


def test_a_page_over_a_megabyte_stays_columnar() -> None:
    """A body spanning several of the reader's blocks (4,000 SIMs, 2.9 MB) is read at once."""
    pages = pages_of([*sandbox_sims(2_000, 0), *sandbox_sims(2_000, 1)], size=4_000)
    assert len(pages[0]) > 2 * fastframes._BLOCK_BYTES
    columns = sim_card_page_columns(pages)
    assert isinstance(columns["id"], pa.ChunkedArray)
    assert_paths_agree(pages)


def test_one_drifting_value_keeps_the_other_columns_columnar() -> None:
    """A number where text belongs becomes text with a warning; other columns stay Arrow."""
    records = [dict(r) for r in sandbox_sims(2_000, 1)]
    records[1_500]["msisdn"] = 13109976224
    with mock.patch.object(fastframes, "BATCH_BYTES", 100_000):
        columns = sim_card_page_columns(pages_of(records))
        with pytest.warns(SimToolsDataWarning, match=r"msisdn: a value that is not text"):
            frame = sim_cards_frame(pages_of(records))
    assert isinstance(columns["msisdn"], list)
    assert columns["msisdn"][1_500] == 13109976224
    assert isinstance(columns["iccid"], pa.ChunkedArray)
    assert isinstance(columns["status"], pa.ChunkedArray)
    assert frame.loc[1_500, "msisdn"] == "13109976224"


def test_empty_pages_give_the_empty_frame() -> None:
    """Pages without SIMs (or with ``data: null``) give the record path's empty frame."""
    empty = sim_cards_frame([])
    for pages in ([b'{"data": [], "meta": {}}'], [b'{"data": null}', b'{"data": []}']):
        frame = sim_cards_frame(pages)
        assert list(frame.columns) == list(SIM_CARD_COLUMNS)
        assert_frame_equal(frame, empty)


def test_bodies_may_be_text_a_list_or_a_generator() -> None:
    """bytes, str, lists, tuples and generators of bodies all give the same frame."""
    records = list(sandbox_sims(2_000, 0))[:600]
    pages = pages_of(records)
    expected = sim_cards_frame(records)
    texts = [p.decode() for p in pages]
    for source in (pages, tuple(pages), iter(pages), (p for p in texts), texts):
        assert_same_frames(sim_cards_frame(source), expected)


def test_pretty_printed_bodies_read_like_compact_ones() -> None:
    """Newlines between tokens (an indented body) change nothing."""
    records = list(sandbox_sims(2_000, 0))[:300]
    pretty = [json.dumps({"data": records[:150]}, indent=2).encode()]
    pretty.append(json.dumps({"data": records[150:]}, indent=1).replace("\n", "\r\n").encode())
    assert_same_frames(sim_cards_frame(pretty), sim_cards_frame(records))


def test_a_generator_of_dicts_takes_the_record_path() -> None:
    """A generator of SIM dicts is read as records, not refused."""
    records = list(sandbox_sims(2_000, 0))[:20]
    assert_same_frames(sim_cards_frame(r for r in records), sim_cards_frame(records))


@settings(deadline=None, max_examples=40)
@given(st.lists(st.from_regex(r"[0-9]{1,15}(\.[0-9]{1,15})?", fullmatch=True), min_size=1))
def test_plain_decimal_amounts_parse_as_python_floats(amounts: list[str]) -> None:
    """Amounts read in one Arrow pass are exactly Python's float() of the text."""
    records = [
        {"id": f"s{i}", "data_limit": {"amount": a, "unit": "MB"}} for i, a in enumerate(amounts)
    ]
    frame = sim_cards_frame(pages_of(records))
    assert frame["data_limit_amount"].tolist() == [float(a) for a in amounts]


@settings(deadline=None, max_examples=40)
@given(
    st.lists(
        st.tuples(
            st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2199, 12, 31)),
            st.sampled_from(["", ".5", ".521", ".123456", ".123456789"]),
        ),
        min_size=1,
    )
)
def test_api_times_read_at_once_equal_pandas_reading(times: list[tuple[datetime, str]]) -> None:
    """UTC times in the API's form, read in one Arrow pass, equal pandas' ISO 8601 reading."""
    texts = [t.strftime("%Y-%m-%dT%H:%M:%S") + fraction + "Z" for t, fraction in times]
    records = [{"id": f"s{i}", "created_at": text} for i, text in enumerate(texts)]
    frame = sim_cards_frame(pages_of(records))
    expected = pd.to_datetime(pd.Series(texts, dtype=object), utc=True, format="ISO8601")
    assert frame["created_at"].tolist() == expected.astype("datetime64[ns, UTC]").tolist()


_API_TIME = "2025-03-10T00:02:42.303Z"


@settings(deadline=None, max_examples=200)
@given(
    edits=st.lists(
        st.tuples(st.integers(0, len(_API_TIME) - 1), st.sampled_from("0189-T:.Z +x")),
        max_size=2,
    ),
    missing=st.booleans(),
    sliced=st.booleans(),
)
def test_the_bytewise_time_check_agrees_with_the_regex(
    edits: list[tuple[int, str]], missing: bool, sliced: bool
) -> None:
    """The check that reads 24-byte times as a table accepts exactly what the regex does."""
    edited = list(_API_TIME)
    for at, char in edits:
        edited[at] = char
    values = [_API_TIME, "".join(edited), *([None] if missing else [])]
    array = pa.array(["x", *values]).slice(1) if sliced else pa.array(values)
    expected = all(re.fullmatch(_series._UTC_TIME, v) for v in values if v is not None)
    assert _series._in_api_time_form(array) is expected


def test_a_batch_with_times_written_otherwise_leaves_the_column_to_the_frame() -> None:
    """Times made batch by batch are used only when every batch could make them."""
    records = [dict(r) for r in sandbox_sims(2_000, 2)]
    records[1_900]["created_at"] = "2025-03-10T01:02:42+01:00"
    pages = pages_of(records)
    with mock.patch.object(fastframes, "BATCH_BYTES", 100_000):
        columns = sim_card_page_columns(pages)
        frame = assert_paths_agree(pages)
    assert isinstance(columns["created_at"], pa.ChunkedArray)  # text, read by the frame
    assert columns["updated_at"].dtype == "datetime64[ns, UTC]"
    assert frame is not None
    assert frame.loc[1_900, "created_at"] == pd.Timestamp("2025-03-10T00:02:42Z")


def test_a_mostly_missing_list_column_gives_tuples_and_none() -> None:
    """Lists present on a few SIMs only are tuples there and None elsewhere."""
    records = [{"id": f"s{i}", "authorized_imeis": None} for i in range(1_000)]
    records[7]["authorized_imeis"] = ["356938035643809"]
    records[500]["authorized_imeis"] = []
    frame = assert_paths_agree(pages_of(records))
    assert frame is not None
    imeis = frame["authorized_imeis"]
    assert imeis[7] == ("356938035643809",)
    assert imeis[500] == ()
    assert imeis.drop([7, 500]).isna().all()


def test_lone_surrogate_escapes_become_replacement_characters() -> None:
    """A lone surrogate escape becomes U+FFFD in a text column, with a warning."""
    pages = [b'{"data": [{"id": "a\\ud800b", "iccid": "89"}]}']
    with pytest.warns(SimToolsDataWarning, match=r"id: text with a lone surrogate escape"):
        frame = sim_cards_frame(pages)
    assert frame["id"].tolist() == ["a\ufffdb"]
    assert frame["iccid"].tolist() == ["89"]


# --- bodies that are not pages -----------------------------------------------------------------

GOOD = json.dumps({"data": [{"id": "sim-1", "record_type": "sim_card"}]}).encode()


def test_a_null_item_in_a_page_is_skipped_with_a_warning_naming_the_page() -> None:
    """A null in data holds nothing to keep: it is skipped, said so, and the page's SIMs kept."""
    with pytest.warns(SimToolsDataWarning, match=r"page 2: 1 null item\(s\) in data"):
        frame = sim_cards_frame([GOOD, b'{"data": [null, {"id": "x"}]}', GOOD])
    assert "x" in frame["id"].tolist()


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        (b"<html><body>502 Bad Gateway</body></html>", r"page 2 .*HTML instead of JSON"),
        (GOOD[:-9], r"page 2 .*not JSON"),
        (b"", r"page 2 .*not JSON"),
        (b'{"errors": [{"code": "10009"}]}', r"page 2 .*has no 'data'"),
        (b'{"meta": {"total_pages": 1}}', r"page 2 .*has no 'data'"),
        (b"[1, 2]", r"page 2 .*is a JSON list"),
        (b'{"data": "text"}', r"page 2 .*'data' is a str"),
        (b'{"data": [1]}', r"page 2 .*item 0 of the response's 'data' is an int"),
        (GOOD + b"\n" + GOOD, r"page 2 .*not JSON \(Extra data"),
        (b'{"data": [{"id": "\xff"}]}', r"page 2 .*not JSON \('utf-8' codec can't decode"),
    ],
)
def test_malformed_bodies_raise_naming_the_page(bad: bytes, message: str) -> None:
    """A body that is not a list response raises InvalidInputError naming its page."""
    with pytest.raises(InvalidInputError, match=message) as info:
        sim_cards_frame([GOOD, bad, GOOD])
    assert info.value.__cause__ is None or not isinstance(info.value.__cause__, pa.ArrowException)


def test_what_is_not_a_body_is_refused() -> None:
    """A generator that yields something other than bodies after the first is refused by name."""
    with pytest.raises(InvalidInputError, match=r"page 2 is a dict, not a response body"):
        sim_cards_frame(iter([GOOD, {"data": []}]))


def test_other_record_types_are_refused() -> None:
    """Pages holding another kind of record (a WDR) are refused like the record path does."""
    groups = pages_of([{"id": "g", "record_type": "sim_card"}, {"id": "h", "record_type": "wdr"}])
    with pytest.raises(InvalidInputError, match=r"the records are 'wdr' objects, not 'sim_card'"):
        sim_cards_frame(groups)


class PagedApi:
    """A MockTransport handler serving SIM list pages; the last one is an HTML error page."""

    def __init__(self, pages: int) -> None:
        self.pages = pages

    def __call__(self, request: httpx.Request) -> httpx.Response:
        number = int(request.url.params["page[number]"])
        if number == self.pages:
            return httpx.Response(200, text="<html>proxy error</html>")
        body = {
            "data": [{"id": f"sim-{number}", "record_type": "sim_card"}],
            "meta": {
                "page_number": number,
                "page_size": 1,
                "total_pages": self.pages,
                "total_results": 3,
            },
        }
        return httpx.Response(200, json=body)


def test_fleet_frame_names_the_endpoint_of_a_bad_page() -> None:
    """fleet_frame turns a malformed page into a ResponseError naming GET /sim_cards."""
    transport = httpx.MockTransport(PagedApi(3))
    with SimClient("KEY_TEST", base_url="https://api.example.test/v2", transport=transport) as c:
        with pytest.raises(ResponseError, match=r"GET https://api.example.test/v2/sim_cards") as e:
            fleet_frame(c, progress=False, group_names=False)
    assert "page 3: HTML instead of JSON" in str(e.value)


class CountingApi:
    """A MockTransport handler serving ``pages`` list pages of one SIM each, counting requests."""

    def __init__(self, pages: int) -> None:
        self.pages = pages
        self.requests = 0

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests += 1
        number = int(request.url.params["page[number]"])
        body = {
            "data": [{"id": f"sim-{number}", "record_type": "sim_card"}],
            "meta": {
                "page_number": number,
                "page_size": 1,
                "total_pages": self.pages,
                "total_results": self.pages,
            },
        }
        return httpx.Response(200, json=body)


def test_fleet_frame_reads_pages_as_they_arrive(monkeypatch: pytest.MonkeyPatch) -> None:
    """fleet_frame streams pages to the reader: the first arrives before most are fetched."""
    api = CountingApi(40)
    seen: dict[str, Any] = {}

    def spy(pages: Any, *, endpoint: str | None = None) -> dict[str, Any]:
        stream = iter(pages)
        first = next(stream)
        seen["requests at first page"] = api.requests
        seen["kind"] = type(pages)
        return sim_card_page_columns([first, *stream], endpoint=endpoint)

    monkeypatch.setattr("simtools.workflows.fleet.sim_card_page_columns", spy)
    with SimClient(
        "KEY_TEST", base_url="https://api.example.test/v2", transport=httpx.MockTransport(api)
    ) as c:
        frame = fleet_frame(c, progress=False, group_names=False)
    assert len(frame) == 40
    assert seen["kind"] not in (list, tuple)
    assert seen["requests at first page"] < 40


def test_fleet_frame_equals_the_model_path(sandbox: Sandbox) -> None:
    """Over HTTP, fleet_frame gives the frame of the SimCard models of the same fleet (with the
    fleet contract's group names, left missing here)."""
    with SimClient(sandbox.api_key, base_url=sandbox.base_url) as client:
        fast = fleet_frame(client, progress=False, group_names=False)
        models = list(client.iter_sim_cards())
    assert len(fast) == len(models) > 0
    assert fast["sim_card_group_name"].isna().all()
    assert_same_frames(fast.drop(columns="sim_card_group_name"), sim_cards_frame(models))


def test_frame_from_columns_takes_polars_columns() -> None:
    """Step two takes polars Series (through Arrow) and gives the record path's frame."""
    import polars as pl  # a dev dependency: missing, the test fails rather than skips

    records: list[Mapping[str, Any]] = [
        r for r in sandbox_sims(2_000, 0)[:50] if "current_imei" not in r
    ]
    raw = extract_sim_columns(records)
    columns = {
        name: pl.Series(name, values)
        for name, values in raw.items()
        if name != "resources_with_in_progress_actions"
    }
    columns["resources_with_in_progress_actions"] = raw["resources_with_in_progress_actions"]
    assert_same_frames(frame_from_columns(columns), sim_cards_frame(records))
