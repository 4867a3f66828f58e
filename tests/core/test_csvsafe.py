"""The formula-safe writer: its column-at-a-time form writes exactly what the cell-by-cell rule writes."""

from __future__ import annotations

import io
from enum import Enum

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from omnidesk.core.exporting.csvsafe import safe_column, write_column_chunks, write_rows

# The characters that decide a cell's fate (signs, digits, separators, the NUL the
# column check joins with, line ends) and a few ordinary ones.
_CHARS = st.sampled_from(list("=@\t\r\n+-0123456789 .,()/\x00\"aZé'"))
_CELL = st.one_of(st.text(_CHARS, max_size=8), st.integers(-10**6, 10**6), st.none(), st.floats(allow_nan=False))


def _text(write, header, data) -> str:
    buf = io.StringIO(newline="")
    write(buf, header, data)
    return buf.getvalue()


@settings(max_examples=400, deadline=None)
@given(width=st.integers(1, 5), data=st.data())
def test_columns_write_what_rows_write(width, data):
    chunks = data.draw(st.lists(st.lists(st.lists(_CELL, min_size=width, max_size=width), max_size=5), max_size=4))
    rows = [row for chunk in chunks for row in chunk]
    as_columns = [[list(column) for column in zip(*chunk, strict=True)] if chunk else [] for chunk in chunks]
    header = ["a", "=b", "c", "d", "e"][:width]
    assert _text(write_column_chunks, header, as_columns) == _text(write_rows, header, rows)
    assert write_column_chunks(io.StringIO(), None, as_columns) == len(rows)


def test_safe_column_examples():
    kept = ["+14155550100", "--03-07", "-12.50", "plain", ""]
    assert safe_column(kept) is kept  # nothing to change: the same list, not a copy
    assert safe_column(["+14155550100", "=1+1"]) == ["+14155550100", "'=1+1"]
    # A NUL inside a cell cannot make a formula look like a number's tail.
    assert safe_column(["+5\x00x", "y"]) == ["'+5\x00x", "y"]
    assert safe_column(["a\x00=1"]) == ["a\x00=1"]
    # A number written for people to read is no plain number to a spreadsheet: it would run
    # "+1 (415) 555-0100" as a formula (and show an error), so it is guarded too.
    assert safe_column(["+1 (415) 555-0100", "-1+1", "+cmd", "@me", "+14155550100", "-12.50"]) == \
        ["'+1 (415) 555-0100", "'-1+1", "'+cmd", "'@me", "+14155550100", "-12.50"]
    assert safe_column([1, None, -2.5]) == ["1", "", "-2.5"]


def test_a_str_based_enum_is_written_by_its_str_as_before():
    class Colour(str, Enum):
        RED = "red"

    assert safe_column([Colour.RED, "x"]) == [str(Colour.RED), "x"]


def test_columns_of_different_lengths_are_refused():
    with pytest.raises(ValueError, match="differ in length"):
        write_column_chunks(io.StringIO(), ["a", "b"], [[["1", "2"], ["1"]]])


def test_the_chunk_shortcut_writes_the_csv_modules_bytes():
    rows = [["a,b", 'say "hi"', "line\nbreak", "cr\rhere", "", "plain", "é"], ["x"] * 7]
    columns = [[list(c) for c in zip(*rows, strict=True)]]
    assert _text(write_column_chunks, ["h"] * 7, columns) == _text(write_rows, ["h"] * 7, rows)
    one = [[""], ["a"]]  # one column: a row of "" is '""' for the csv module
    assert _text(write_column_chunks, None, [[["", "a"]]]) == _text(write_rows, None, one) == '""\r\na\r\n'


# An email address may start with + or -; spreadsheets would run neither as a formula
# without a function call (no parentheses), a DDE link (no |) or a sheet reference (no !).
EMAILS = ["+1-555-hack@example.com", "-sales@example.com", "+tag.name_x@sub.example.co.uk", "-a+b@EXAMPLE.COM"]
STILL_FORMULAS = [
    "+cmd|' /C calc'!A0", "-2+3", "=1+1", "@SUM(1)", "\t=1", "\r=1",
    "+cmd|'/Ccalc'!A0@example.com",  # RFC 5322 allows | ' ! in a local part: not an everyday address
    "-x@example.com(1)", "=a@example.com", "@a@example.com", "+a@example", "+a@example.com\n=1",
    "-HYPERLINK(\"http://x.test\")@example.com", "+a@-example.com", "+a@example.c0m", "+a..b@example.com",
    "+a@example.com,=1",
]


@pytest.mark.parametrize("cell", [*EMAILS, "+14155550100"])
def test_a_valid_email_address_or_e164_number_is_written_as_it_is(cell):
    assert safe_column([cell]) == [cell]
    assert _text(write_rows, None, [[cell]]) == f"{cell}\r\n"
    assert _text(write_column_chunks, None, [[[cell], ["x"]]]) == f"{cell},x\r\n"


@pytest.mark.parametrize("cell", STILL_FORMULAS)
def test_formulas_are_still_neutralised_email_shaped_or_not(cell):
    assert safe_column([cell]) == ["'" + cell]
    assert safe_column(["ok@example.com", cell]) == ["ok@example.com", "'" + cell]


_EMAILISH = st.text(st.sampled_from(list("+-=@.a1_|'!(\x00\n")), max_size=12)


@settings(max_examples=400, deadline=None)
@given(st.lists(_EMAILISH, max_size=6))
def test_email_shaped_columns_write_what_cells_write(cells):
    assert _text(write_column_chunks, None, [[cells, cells]]) == _text(write_rows, None, [[c, c] for c in cells])
