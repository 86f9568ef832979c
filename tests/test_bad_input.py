"""The bad-input catalogue: every entry is refused with a clear message and nothing is sent."""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

import pandas as pd
import pytest

from simtools.client import SimClient
from simtools.errors import InvalidInputError

GROUP = "6a09cdc3-8948-47f0-aa62-74ac943d6c58"
GOOD = "1234567890"


@pytest.fixture
def client(sandbox: Any) -> Iterator[SimClient]:
    with SimClient(sandbox.api_key, base_url=sandbox.base_url) as c:
        yield c


CODES_CATALOGUE: list[tuple[str, Any, str]] = [
    ("too short", ["123456789"], "'123456789'"),
    ("too long", ["12345678901"], "'12345678901'"),
    ("letters", ["12345x7890"], "'12345x7890'"),
    ("None in a list", [GOOD, None], "None"),
    ("NaN from a spreadsheet", [GOOD, math.nan], "nan"),
    ("float that lost its leading zero", [123456789.0], "123456789"),
    ("empty list", [], "no registration codes"),
    ("empty text", "  \n\t ", "no registration codes"),
    ("duplicates with stray whitespace", [f" {GOOD}", f"{GOOD} "], "repeats"),
    ("a bare number", 1234567890, "int"),
    ("a dict", {"codes": [GOOD]}, "dict"),
    ("a bool in a list", [True], "bool"),
]


@pytest.mark.parametrize(
    ("codes", "named"),
    [pytest.param(c, n, id=name) for name, c, n in CODES_CATALOGUE],
)
def test_bad_codes_are_refused_and_nothing_is_sent(
    sandbox: Any, client: SimClient, codes: Any, named: str
) -> None:
    """Malformed, missing, repeated or mistyped codes raise InvalidInputError; no request leaves."""
    before = len(sandbox.request_log)
    with pytest.raises(InvalidInputError) as info:
        client.register(codes)
    message = str(info.value)
    assert named in message
    assert "How to fix" in message
    assert len(sandbox.request_log) == before


OPTIONS_CATALOGUE: list[tuple[str, dict[str, Any], str]] = [
    ("unknown status", {"status": "active"}, "'active'"),
    ("status of the wrong type", {"status": 1}, "1"),
    ("group id that is not a UUID", {"sim_card_group_id": "group-7"}, "'group-7'"),
    ("group id of the wrong type", {"sim_card_group_id": 42}, "int"),
    ("tags as a comma string", {"tags": "a,b"}, "comma"),
    ("tags with a number", {"tags": ["a", 3]}, "3"),
    ("tags with an empty string", {"tags": ["a", " "]}, "empty"),
    ("tags as a dict", {"tags": {"a": 1}}, "dict"),
    ("unknown on_invalid", {"on_invalid": "ignore"}, "'ignore'"),
    ("zero chunk size", {"chunk_size": 0}, "chunk_size"),
]


@pytest.mark.parametrize(
    ("options", "named"),
    [pytest.param(o, n, id=name) for name, o, n in OPTIONS_CATALOGUE],
)
def test_bad_register_options_are_refused_and_nothing_is_sent(
    sandbox: Any, client: SimClient, options: dict[str, Any], named: str
) -> None:
    """A bad status, group id, tag list or option raises before any request."""
    before = len(sandbox.request_log)
    with pytest.raises(InvalidInputError) as info:
        client.register([GOOD], **options)
    assert named in str(info.value)
    assert len(sandbox.request_log) == before


def test_skip_registers_the_valid_codes_and_reports_the_rest(
    sandbox: Any, client: SimClient
) -> None:
    """on_invalid='skip' sends only valid codes; malformed and repeated lines are reported."""
    fresh = sandbox.available_codes(2)
    entries = [fresh[0], "12x", f" {fresh[0]} ", fresh[1]]
    result = client.register(entries, on_invalid="skip")
    assert [o.outcome for o in result.outcomes] == [
        "registered",
        "invalid",
        "duplicate",
        "registered",
    ]
    assert [o.position for o in result.outcomes] == [1, 2, 3, 4]
    assert all(sandbox.registrations(code) == 1 for code in fresh)


def test_integral_float_from_a_spreadsheet_is_the_code(client: SimClient, sandbox: Any) -> None:
    """A 10-digit code read as 1234567890.0 by a spreadsheet is accepted as that code."""
    # A code with a leading zero cannot survive as a float: take the first pool code without one.
    code = next(c for c in iter(lambda: sandbox.available_codes(1)[0], None) if c[0] != "0")
    result = client.register(pd.Series([float(code)]))
    assert result.registered == [code]


def test_thousands_of_codes_go_out_in_chunks(sandbox: Any, client: SimClient) -> None:
    """A large batch is split into requests of at most chunk_size codes."""
    codes = [f"{n:010d}" for n in range(5_000_000_000, 5_000_002_500)]
    before = len(sandbox.request_log)
    result = client.register(codes, chunk_size=500)
    sent = [
        entry for entry in sandbox.request_log[before:] if entry[1].endswith("register/sim_cards")
    ]
    assert len(sent) == 5
    assert len(result.outcomes) == 2_500
    assert result.counts()["failed"] + result.counts()["registered"] == 2_500


@pytest.mark.parametrize(
    ("kwargs", "named"),
    [
        ({"status": "on"}, "'on'"),
        ({"sim_card_group_id": "x"}, "'x'"),
        ({"tags": [None]}, "None"),
        ({"iccid": ""}, "iccid"),
    ],
)
def test_bad_fleet_filters_send_nothing(
    sandbox: Any, client: SimClient, kwargs: dict[str, Any], named: str
) -> None:
    """fleet_frame refuses a bad filter before any request."""
    from simtools.workflows.fleet import fleet_frame

    before = len(sandbox.request_log)
    with pytest.raises(InvalidInputError) as info:
        fleet_frame(client, progress=False, **kwargs)
    assert named in str(info.value)
    assert len(sandbox.request_log) == before
