"""Reading the cells of a desired frame: blanks, lists typed in several ways, keys."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from simtools.inputs.desired import (
    Problem,
    is_blank,
    read_key,
    read_tags,
    read_thresholds,
    read_unit,
)


@pytest.mark.parametrize("value", [None, float("nan"), pd.NA, np.nan, "", "   "])
def test_missing_values_are_blank(value: object) -> None:
    """Missing, NaN and empty text leave a field as it is."""
    assert is_blank(value)


@pytest.mark.parametrize("value", [[], (), np.array([]), 0, "0", "none"])
def test_empty_lists_and_zero_are_values(value: object) -> None:
    """An empty list means "none" and zero is a number: neither is blank."""
    assert not is_blank(value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (80, (80.0,)),
        ("80", (80.0,)),
        ("160; 80", (80.0, 160.0)),
        ("80, 160, 80", (80.0, 160.0)),
        ("[80, 160.5]", (80.0, 160.5)),
        ([160, 80.0], (80.0, 160.0)),
        (np.array([5.0]), (5.0,)),
        ("[]", ()),
        ("none", ()),
    ],
)
def test_thresholds_are_read_from_numbers_lists_and_text(
    value: object, expected: tuple[float, ...]
) -> None:
    """One number or a list of them, typed or as text, smallest first, each once."""
    assert read_thresholds(value) == expected


@pytest.mark.parametrize("value", ["lots", "[80, x]", "-1", [math.inf], [True], "{"])
def test_bad_thresholds_are_problems(value: object) -> None:
    """Non-numbers, negatives and infinities say why and how to write thresholds."""
    problem = read_thresholds(value)
    assert isinstance(problem, Problem)
    assert "alert_mb" in problem.hint


def test_tags_are_read_from_lists_and_text() -> None:
    """Tags from a list, JSON text or comma/semicolon-separated text, each once, in order."""
    assert read_tags(["a", "b", "a"], "tags") == ("a", "b")
    assert read_tags('["x", "y"]', "tags") == ("x", "y")
    assert read_tags("x; y, z", "tags") == ("x", "y", "z")
    assert isinstance(read_tags(["ok", 3], "tags"), Problem)
    assert isinstance(read_tags(["a,b"], "tags"), Problem)


def test_keys_are_text() -> None:
    """An ICCID as text or a whole number is kept digit for digit; a float has lost digits."""
    assert read_key(" 0089310410106543789301 ", "iccid") == "0089310410106543789301"
    assert read_key(89310410106543789301, "iccid") == "89310410106543789301"
    assert "lost digits" in str(read_key(8.931041010654379e19, "iccid"))
    assert read_key("6A09CDC3-8948-47F0-AA62-74AC943D6C58", "id") == (
        "6a09cdc3-8948-47f0-aa62-74ac943d6c58"
    )


def test_units_are_mb_or_gb_in_any_case() -> None:
    """mb and Gb are fine; TB and numbers are not."""
    assert (read_unit("mb"), read_unit(" Gb ")) == ("MB", "GB")
    assert isinstance(read_unit("TB"), Problem)
    assert isinstance(read_unit(1), Problem)
