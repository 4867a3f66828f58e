"""The layout of a file's text: the sample its guesses read, the delimiter,
and the row that holds the column names (with the checks on it)."""

from __future__ import annotations

import csv
import re
from collections import Counter
from collections.abc import Iterator
from fractions import Fraction

from omnidesk.core.importing.csv_lines import OpenQuote, open_quote_line, parse
from omnidesk.core.importing.unreadable import UnreadableFileError, runaway_message

DELIMITERS: tuple[str, ...] = (",", ";", "\t", "|")

# How much decoded text the delimiter and header guesses look at.
_SAMPLE_LINES = 2_000
SAMPLE_CHARS = 1_000_000
SAMPLE_RECORDS = 50
# Title rows above the header are only looked for this far down.
_MAX_TITLE_ROWS = 9


_SEP_LINE = re.compile(r'^\s*"?sep=(.)"?\s*$', re.IGNORECASE)


def read_sample(it: Iterator[str]) -> tuple[list[str], int, bool, str | None]:
    """Read the first lines worth guessing from.

    Returns (lines, number of the first line, whether the file ended inside
    the sample, delimiter named by an Excel "sep=" line).  Leading blank lines
    are skipped and a "sep=" first line is consumed.
    """
    line_no = 0
    hint: str | None = None
    lines: list[str] = []
    chars = 0
    for text in it:
        line_no += 1
        if line_no == 1:
            m = _SEP_LINE.match(text)
            if m:
                if m.group(1) in DELIMITERS:
                    hint = m.group(1)
                continue
        if not lines and not text.strip():
            continue
        lines.append(text)
        chars += len(text)
        if len(lines) >= _SAMPLE_LINES or chars >= SAMPLE_CHARS:
            return lines, line_no - len(lines) + 1, next(it, None) is None, hint
    return lines, line_no - len(lines) + 1, True, hint


def sample_rows(
    sample: list[str], delimiter: str, first_line: int, at_eof: bool, name: str
) -> list[tuple[int, list[str]]]:
    rows: list[tuple[int, list[str]]] = []
    parser = parse(sample, delimiter, first_line)
    try:
        rows.extend(parser)
    except OpenQuote as e:
        # Running out of sample inside a quoted value only means the sample
        # was cut there; at the real end of the file the quote never closed.
        if at_eof or not e.at_end:
            opened = open_quote_line(sample, first_line, delimiter, e.start_line)
            raise UnreadableFileError(runaway_message(name, opened, e.start_line)) from None
    return rows


def is_blank(row: list[str]) -> bool:
    return not any(cell.strip() for cell in row)


def choose_delimiter(sample: list[str], first_line: int) -> str:
    best: tuple[tuple[Fraction, int], str] | None = None
    for d in DELIMITERS:
        counts: list[int] = []
        try:
            for _, row in parse(sample, d, first_line):
                if not is_blank(row):
                    counts.append(len(row))
                    if len(counts) >= SAMPLE_RECORDS:
                        break
        except (OpenQuote, csv.Error):
            pass
        if not counts:
            continue
        tally = Counter(counts)
        width, hits = max(tally.items(), key=lambda kv: (kv[1], kv[0]))
        if width < 2:
            continue
        # Most consistent column count wins; on a tie, the one giving more
        # columns (a ";" file with decimal commas splits evenly on both).
        key = (Fraction(hits, len(counts)), width)
        if best is None or key > best[0]:
            best = (key, d)
    return best[1] if best else ","


def pick_header(rows: list[tuple[int, list[str]]]) -> tuple[int, list[str]]:
    # Widths ignore trailing empty cells: some tools end every data row with a
    # delimiter the header row lacks, and Excel pads title rows with them.
    widths = [_filled_width(r) for _, r in rows]
    counts = Counter(widths)
    width = max(counts.items(), key=lambda kv: (kv[1], kv[0]))[0]
    if width >= 2:
        # Title rows ("Customer list - March") sit above the header with
        # fewer filled cells than the table has columns.
        for k, ((line, row), filled_width) in enumerate(zip(rows[: _MAX_TITLE_ROWS + 1], widths)):
            filled = sum(1 for c in row if c.strip())
            if filled_width >= width and filled >= 2:
                return _labels_above(rows[:k], row, filled_width) or (line, row)
    return rows[0]


def _labels_above(above: list[tuple[int, list[str]]], row: list[str],
                  width: int) -> tuple[int, list[str]] | None:
    """The row of column names above ``row`` when ``row`` is data, else None.

    Data rows may carry more values than the header names (a note typed after
    the last column): the widest rows are then data, and the header is the
    nearest row above made of labels, at least half as wide.  Data rows above
    it are stepped over; a title row (one cell) or anything else stops the
    search, so a header that holds a few dates or years stays the header.
    """
    if not _looks_like_data(row):
        return None
    for line, cells in reversed(above):
        if _looks_like_data(cells):
            continue
        filled = [c.strip() for c in cells if c.strip()]
        if len(filled) >= 2 and 2 * _filled_width(cells) >= width and not any(map(_looks_like_value, filled)):
            return line, cells
        return None
    return None


def _looks_like_data(row: list[str]) -> bool:
    """A row with an email address, a phone number or a date in it, or mostly numbers."""
    filled = [c.strip() for c in row if c.strip()]
    if any(_EMAIL_LIKE.match(c) or _PHONE_LIKE.match(c) or _DATE_LIKE.match(c) for c in filled):
        return True
    return 2 * sum(1 for c in filled if _NUMBER_LIKE.match(c)) > len(filled)


def _filled_width(row: list[str]) -> int:
    n = len(row)
    while n and not row[n - 1].strip():
        n -= 1
    return n


def clean_header_cell(cell: str) -> str:
    return cell.replace("\ufeff", "").strip()


_EMAIL_LIKE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_NUMBER_LIKE = re.compile(r"^[-+(]?[$€£¥]?\s?\d[\d.,\s]*\)?%?$")
_DATE_LIKE = re.compile(r"^\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}([ T].*)?$")
_PHONE_LIKE = re.compile(r"^\+?[\d\s().-]{7,}$")


def _looks_like_value(cell: str) -> bool:
    if not any(ch.isalnum() for ch in cell):
        return True  # "---", "***": decoration, not a column name
    return bool(
        _EMAIL_LIKE.match(cell) or _NUMBER_LIKE.match(cell) or _DATE_LIKE.match(cell) or _PHONE_LIKE.match(cell)
    )


# An amount of money as a cell writes it ("$1.00", "19,99 €", "-12.50"): never a column's name.
_AMOUNT_LIKE = re.compile(r"^[-+(]?[$€£¥]?\s?\d[\d.,\s]*[.,]\d{2}\s?[$€£¥]?\)?$"
                          r"|^[-+(]?[$€£¥]\s?\d[\d.,\s]*\)?$")
# "2021-2022", "2023/24": a header may name a year or a span of years (a column per season).
_YEAR_SPAN = re.compile(r"^(?:19|20)\d{2}\s*[-/\u2013]\s*(?:(?:19|20)?\d{2})$")


def _is_phone_number(cell: str) -> bool:
    """A phone number as a cell writes it ("+14155550170", "(415) 555-0170", "03-1234-5678"),
    not a date, a span of years or a bare number (a header may be a year, a code, a date)."""
    if not _PHONE_LIKE.match(cell) or _DATE_LIKE.match(cell) or _YEAR_SPAN.match(cell):
        return False
    if sum(ch.isdigit() for ch in cell) < 7:
        return False
    return cell.startswith("+") or not cell.isdigit()


def _never_a_header(cell: str) -> bool:
    """A value no column is ever named: an email address, a phone number, an amount of money."""
    return bool(_EMAIL_LIKE.match(cell) or _is_phone_number(cell) or _AMOUNT_LIKE.match(cell))


def check_header(header: tuple[str, ...], line: int, name: str, empty_above: int | None = None) -> None:
    """Refuse a header row that is empty or that is data: all its cells values, one of them an
    email address or a phone number, or most of them values no column is named (amounts).

    A file without a header row would otherwise lose its first row, taken for the names of
    the columns, and have its other rows' names and numbers read as custom fields.
    ``empty_above`` is the line of a row of empty cells (",,,,") above ``line``, where the
    names should have been: the sentence says that row is empty and this one data."""
    filled = [c for c in header if c]
    if not filled:
        raise UnreadableFileError(
            f'"{name}" has no column names: its first row (line {line}) is empty; '
            "add a first row naming each column and try again."
        )
    data = [c for c in filled if _EMAIL_LIKE.match(c) or _is_phone_number(c)]
    if not data and 2 * sum(1 for c in filled if _never_a_header(c)) > len(filled):
        data = [c for c in filled if _never_a_header(c)]
    if data or all(_looks_like_value(c) for c in filled):
        example = (data or filled)[0]
        example = example if len(example) <= 40 else example[:37] + "..."
        if empty_above is not None:
            raise UnreadableFileError(
                f'"{name}" has no column names: its first row (line {empty_above}) has only empty cells, '
                f'and line {line} holds a row of data such as "{example}", not names; put the column '
                "names in the first row (for example Email, First Name, Phone) and try again."
            )
        raise UnreadableFileError(
            f'"{name}" has no header row: its first row (line {line}) holds data such as '
            f'"{example}" rather than column names; add a first row naming each column '
            "(for example Email, First Name, Phone) and try again."
        )
