"""check_threshold: fractions pass, bare percentages are refused, '80%' is read as 0.8."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from simtools.errors import InvalidInputError
from simtools.inputs.arguments import check_threshold


@given(st.floats(min_value=1e-9, max_value=1.0))
def test_a_fraction_is_taken_as_it_is(share: float) -> None:
    assert check_threshold(share) == share


@given(st.floats(min_value=1.0, max_value=1e6, exclude_min=True))
def test_a_number_above_one_is_refused_with_the_fraction_to_pass(number: float) -> None:
    with pytest.raises(InvalidInputError, match="looks like a percentage") as caught:
        check_threshold(number)
    assert f"threshold={number / 100:g}" in str(caught.value)


@given(st.integers(min_value=1, max_value=500), st.sampled_from(["", " "]))
def test_a_percentage_with_its_sign_is_read_as_a_fraction(percent: int, gap: str) -> None:
    assert math.isclose(check_threshold(f"{percent}{gap}%"), percent / 100)


@given(st.text(max_size=8).filter(lambda t: not t.strip().endswith("%")))
def test_other_text_is_refused(text: str) -> None:
    with pytest.raises(InvalidInputError, match="neither a fraction nor a percentage"):
        check_threshold(text)
