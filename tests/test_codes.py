"""Specification of registration-code parsing (simtools.inputs.codes)."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from simtools.errors import InvalidInputError
from simtools.inputs.codes import (
    CodeEntry,
    CodeProblem,
    ParsedCodes,
    is_registration_code,
    parse_codes,
)

A, B, C = "1234567890", "0123456789", "9876543210"

valid_codes = st.from_regex(r"[0-9]{10}", fullmatch=True)
separators = st.sampled_from([",", ";", "\t", " ", "\n", ", ", "\r\n", "\n\n", " ;\t", "\u00a0"])
junk = st.one_of(
    st.text(max_size=12),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.none(),
    st.booleans(),
    valid_codes,
)


# --- what counts as a code -------------------------------------------------------------------


def test_a_code_is_exactly_ten_ascii_digits() -> None:
    """Ten ASCII digits pass; nine, eleven, letters, non-ASCII digits and non-strings do not."""
    assert is_registration_code(A)
    assert is_registration_code(B)
    for bad in ["123456789", "12345678901", "12345x7890", "١٢٣٤٥٦٧٨٩٠", "", 1234567890, None]:
        assert not is_registration_code(bad), bad


# --- text ------------------------------------------------------------------------------------


def test_text_with_mixed_separators_parses_in_order() -> None:
    """Newlines, commas, semicolons, tabs and spaces all separate codes; order is kept."""
    parsed = parse_codes(f" {A}\t{B};{C}\n")
    assert parsed.codes == (A, B, C)


def test_blank_lines_are_ignored_but_counted_in_line_numbers() -> None:
    """Blank lines produce no entry, and line numbers match what an editor shows."""
    parsed = parse_codes(f"\n{A}\n\n   \n12x\n", errors="collect")
    assert [(e.value, e.where) for e in parsed.entries] == [(A, "line 2"), ("12x", "line 5")]
    assert str(parsed.invalid[0]) == "'12x' at line 5 is not 10 digits (it contains 'x')"


def test_duplicate_names_the_line_it_repeats() -> None:
    """A repeated code is a duplicate whose reason names the first occurrence."""
    parsed = parse_codes(f"{C}\n{A}\n{B}\n\n{A}", errors="collect")
    assert parsed.codes == (C, A, B)
    assert [str(d) for d in parsed.duplicates] == [f"'{A}' at line 5 repeats line 2"]
    assert parsed.duplicates[0] == CodeProblem(A, 4, "line 5", "repeats line 2")


def test_duplicate_on_the_same_line_says_so() -> None:
    """Two equal codes on one line: the reason points at the earlier entry on that line."""
    parsed = parse_codes(f"{A},{A}", errors="collect")
    assert parsed.duplicates[0].reason == "repeats an earlier entry on line 1"


def test_surrounding_quotes_and_spaces_are_stripped() -> None:
    """Codes pasted from a CSV with quotes or padding are read as the bare digits."""
    assert parse_codes(f"\"{A}\" , '{B}'").codes == (A, B)


def test_bytes_are_read_as_utf8_text_with_or_without_bom() -> None:
    """Bytes are decoded (Excel's BOM dropped) and parsed like text."""
    assert parse_codes(f"\ufeff{A}\r\n{B}".encode()).codes == (A, B)


def test_short_digit_text_hints_at_lost_leading_zeros() -> None:
    """Nine digits in text: the reason suggests a spreadsheet dropped a leading zero."""
    (problem,) = parse_codes("123456789", errors="collect").invalid
    assert "leading zeros" in problem.reason
    assert "format the column as text" in problem.reason


def test_scientific_notation_from_a_spreadsheet_is_explained() -> None:
    """'1.23457E+09' is refused with a reason naming scientific notation."""
    (problem,) = parse_codes("1.23457E+09", errors="collect").invalid
    assert "scientific notation" in problem.reason


def test_a_file_name_in_text_suggests_passing_a_path() -> None:
    """A string that looks like a file name is an entry, with a hint to pass a Path."""
    (problem,) = parse_codes("codes.csv", errors="collect").invalid
    assert "pathlib.Path('codes.csv')" in problem.reason


# --- sequences and spreadsheet values --------------------------------------------------------


def test_spreadsheet_numbers_with_ten_digits_are_codes() -> None:
    """Ints, integral floats and numpy numbers with ten digits become the code text."""
    parsed = parse_codes([1234567890, 9876543210.0, np.int64(1111111111), np.float64(2222222222)])
    assert parsed.codes == (A, C, "1111111111", "2222222222")


def test_short_numbers_say_leading_zeros_were_lost() -> None:
    """123456789 (from 0123456789 in a numeric column) is invalid, with how to fix it."""
    (problem,) = parse_codes([123456789.0], errors="collect").invalid
    assert problem.value == "123456789"
    assert problem.where == "item 1"
    assert "leading zeros were probably lost" in problem.reason
    assert "format the column as text" in problem.reason


@pytest.mark.parametrize(
    ("value", "shown", "reason_part"),
    [
        (None, "None", "is missing (None)"),
        (math.nan, "nan", "is missing (NaN)"),
        (pd.NA, "<NA>", "is missing"),
        ("", "", "is empty"),
        ("   ", "", "is empty"),
        (True, "True", "is a bool"),
        (1234567890.5, "1234567890.5", "fractional part"),
        (math.inf, "inf", "not a finite number"),
        (-123456789, "-123456789", "negative"),
        (12345678901, "12345678901", "is not 10 digits (it has 11)"),
        ({"code": A}, "{'code': '1234567890'}", "is a dict"),
        (b"1234567890", "b'1234567890'", "is a bytes"),
    ],
)
def test_invalid_items_get_a_reason(value: object, shown: str, reason_part: str) -> None:
    """Each kind of bad item is kept as an invalid entry whose reason explains it."""
    parsed = parse_codes([A, value], errors="collect")
    assert parsed.codes == (A,)
    (problem,) = parsed.invalid
    assert (problem.value, problem.position, problem.where) == (shown, 2, "item 2")
    assert reason_part in problem.reason


def test_a_number_and_the_same_code_as_text_are_duplicates() -> None:
    """1234567890 and '1234567890' are the same code."""
    parsed = parse_codes([A, 1234567890], errors="collect")
    assert parsed.codes == (A,)
    assert str(parsed.duplicates[0]) == f"'{A}' at item 2 repeats item 1"


def test_series_set_and_generator_are_sequences() -> None:
    """A pandas Series, a set and a generator are read item by item."""
    assert parse_codes(pd.Series([A, B])).codes == (A, B)
    assert set(parse_codes({A, B}).codes) == {A, B}
    assert parse_codes(c for c in (A, B)).codes == (A, B)


# --- DataFrames and files --------------------------------------------------------------------


def test_dataframe_uses_a_code_named_column_and_skips_blank_rows() -> None:
    """Without column=, 'Registration Code' is found; all-empty rows are skipped."""
    frame = pd.DataFrame(
        {"device": ["a", None, "c", "d"], "Registration Code": [A, None, None, 9876543210.0]}
    )
    parsed = parse_codes(frame, errors="collect")
    assert parsed.codes == (A, C)
    (problem,) = parsed.invalid
    assert problem.where == "row 3"
    assert problem.reason == "is empty, though the row has other values"


def test_dataframe_column_is_chosen_with_column() -> None:
    """column= picks the column; an unknown column is refused with the column list."""
    frame = pd.DataFrame({"x": [A], "y": [B]})
    assert parse_codes(frame, column="y").codes == (B,)
    with pytest.raises(InvalidInputError, match="has no column 'z'"):
        parse_codes(frame, column="z")
    with pytest.raises(InvalidInputError, match="several columns"):
        parse_codes(frame)


def test_csv_with_header_uses_the_code_column(tmp_path: Path) -> None:
    """A CSV with a registration_codes header: rows are numbered as a spreadsheet shows them."""
    path = tmp_path / "codes.csv"
    path.write_text(f"device,registration_codes\nmeter-1,{B}\n,\nmeter-3,12345\n", "utf-8")
    parsed = parse_codes(path, errors="collect")
    assert parsed.codes == (B,)
    assert [(e.position, e.where) for e in parsed.entries] == [(1, "row 2"), (2, "row 4")]


def test_csv_semicolons_bom_and_column_argument(tmp_path: Path) -> None:
    """A European Excel export (BOM, semicolons) is read; column= matches the header loosely."""
    path = tmp_path / "export.csv"
    path.write_bytes(f"\ufeffName;SIM Code\nx;{A}\ny;{C}\n".encode())
    assert parse_codes(path, column="sim_code").codes == (A, C)


def test_single_column_csv_with_and_without_header(tmp_path: Path) -> None:
    """A one-column CSV: a first cell without digits is a header, otherwise data."""
    with_header = tmp_path / "a.csv"
    with_header.write_text(f"SIMs\n{A}\n{B}\n", "utf-8")
    without = tmp_path / "b.csv"
    without.write_text(f"{A}\n{B}\n", "utf-8")
    assert parse_codes(with_header).entries[0].where == "row 2"
    assert parse_codes(without).codes == (A, B)
    assert parse_codes(without).entries[0].where == "row 1"


def test_csv_without_a_recognisable_column_is_refused(tmp_path: Path) -> None:
    """Several columns and no code-named header: the error asks for column=."""
    path = tmp_path / "c.csv"
    path.write_text(f"a,b\n{A},{B}\n", "utf-8")
    with pytest.raises(InvalidInputError, match="cannot tell which column"):
        parse_codes(path)


def test_text_file_is_parsed_like_text(tmp_path: Path) -> None:
    """A .txt path is read as pasted text, with line numbers."""
    path = tmp_path / "codes.txt"
    path.write_text(f"{A}\n\n{B} {C}\n", "utf-8")
    parsed = parse_codes(path)
    assert parsed.codes == (A, B, C)
    assert [e.where for e in parsed.entries] == ["line 1", "line 3", "line 3"]


def test_missing_file_and_spreadsheet_file_are_refused(tmp_path: Path) -> None:
    """A path that does not exist, or an .xlsx, raises InvalidInputError with a way out."""
    with pytest.raises(InvalidInputError, match="does not exist"):
        parse_codes(tmp_path / "nope.csv")
    with pytest.raises(InvalidInputError, match="read_excel"):
        parse_codes(tmp_path / "codes.xlsx")


# --- errors= and refusals --------------------------------------------------------------------


def test_raise_mode_names_every_offending_entry() -> None:
    """The default raises once, listing value, position and reason of each problem, and a hint."""
    with pytest.raises(InvalidInputError) as info:
        parse_codes(f"{A}\n12x\n{A}")
    message = str(info.value)
    assert "'12x' at line 2 is not 10 digits" in message
    assert f"'{A}' at line 3 repeats line 1" in message
    assert "errors='collect'" in message
    assert info.value.problems == (
        "'12x' at line 2 is not 10 digits (it contains 'x')",
        f"'{A}' at line 3 repeats line 1",
    )


@pytest.mark.parametrize("source", ["", "  \n\t\n", [], pd.Series([], dtype=object)])
def test_empty_input_always_raises(source: object) -> None:
    """Nothing (or only blanks) raises, even with errors='collect'."""
    with pytest.raises(InvalidInputError, match="no registration codes found"):
        parse_codes(source, errors="collect")


@pytest.mark.parametrize("source", [1234567890, {"codes": [A]}, None, 3.5])
def test_wrong_source_type_is_named(source: object) -> None:
    """An int, a dict, None... raise InvalidInputError naming the type."""
    with pytest.raises(InvalidInputError, match=type(source).__name__):
        parse_codes(source)


def test_unknown_errors_mode_and_stray_column_are_refused() -> None:
    """errors= must be 'raise' or 'collect'; column= only goes with a table."""
    with pytest.raises(InvalidInputError, match="errors='ignore'"):
        parse_codes(A, errors="ignore")  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match="no columns"):
        parse_codes([A], column="code")


def test_parsed_codes_reads_well() -> None:
    """ParsedCodes has a length, iterates its codes, a readable repr and ordered problems."""
    parsed = parse_codes(f"x\n{A}\n{A}\n{B}\ny\n{C}\n{A}", errors="collect")
    assert len(parsed) == 3
    assert list(parsed) == [A, B, C]
    assert repr(parsed) == f"ParsedCodes(3 valid ['{A}', '{B}', '{C}'], 2 duplicate, 2 invalid)"
    assert [p.position for p in parsed.problems] == [1, 3, 5, 7]
    assert [p.where for p in parsed.problems] == ["line 1", "line 3", "line 5", "line 7"]
    assert parsed.entries[0] == CodeEntry("x", 1, "line 1", "invalid", parsed.invalid[0].reason)


# --- properties ------------------------------------------------------------------------------


@given(st.lists(valid_codes, min_size=1))
def test_any_list_of_valid_codes_round_trips(codes: list[str]) -> None:
    """codes == the unique codes in first-seen order; the rest are duplicates."""
    parsed = parse_codes(codes, errors="collect")
    assert parsed.codes == tuple(dict.fromkeys(codes))
    assert len(parsed.duplicates) == len(codes) - len(set(codes))
    assert not parsed.invalid


@given(st.lists(st.tuples(valid_codes, separators), min_size=1), separators)
def test_text_with_any_separators_parses_to_the_same_codes(
    pairs: list[tuple[str, str]], lead: str
) -> None:
    """Joining codes with any mix of separators gives the same codes as the list."""
    text = lead + "".join(code + sep for code, sep in pairs)
    codes = [code for code, _ in pairs]
    assert parse_codes(text, errors="collect").codes == parse_codes(codes, errors="collect").codes


@given(st.lists(junk, min_size=1))
def test_every_item_is_one_entry_with_increasing_positions(items: list[object]) -> None:
    """Each item appears once in .entries, at item i (1-based), in order; kinds partition them."""
    parsed = parse_codes(items, errors="collect")
    assert isinstance(parsed, ParsedCodes)
    assert [e.position for e in parsed.entries] == list(range(1, len(items) + 1))
    assert [e.where for e in parsed.entries] == [f"item {i}" for i in range(1, len(items) + 1)]
    kinds = [e.kind for e in parsed.entries]
    assert kinds.count("valid") == len(parsed.codes)
    assert kinds.count("duplicate") == len(parsed.duplicates)
    assert kinds.count("invalid") == len(parsed.invalid)
    assert all((e.reason is None) == (e.kind == "valid") for e in parsed.entries)


@given(st.lists(st.text(alphabet="0123456789x,; \t", max_size=30), min_size=1))
def test_text_positions_are_line_numbers_in_order(lines: list[str]) -> None:
    """In text, one entry per token, positions 1..n, and where names each token's line."""
    text = "\n".join(lines)
    located = [
        (token, f"line {number}")
        for number, line in enumerate(lines, start=1)
        for token in line.replace(",", " ").replace(";", " ").split()
    ]
    if not located:
        with pytest.raises(InvalidInputError):
            parse_codes(text, errors="collect")
        return
    parsed = parse_codes(text, errors="collect")
    assert [(e.value, e.where) for e in parsed.entries] == located
    assert [e.position for e in parsed.entries] == list(range(1, len(located) + 1))


def test_several_codes_on_one_line_get_distinct_positions() -> None:
    """Codes pasted on one line share its 'where' but each has its own position."""
    parsed = parse_codes(f"{A}, {B}, {C}")
    assert [(e.position, e.where) for e in parsed.entries] == [
        (1, "line 1"),
        (2, "line 1"),
        (3, "line 1"),
    ]
