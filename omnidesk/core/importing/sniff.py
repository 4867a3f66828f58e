"""Work out how a CSV-ish file is written, then read its records one by one.

``sniff`` decides the text encoding, the delimiter and which row holds the
column names; ``read_records`` then streams the data records.  Nothing here
ever holds the whole file in memory: exports from shops and mailing lists can
run to hundreds of thousands of rows.

Encoding rules, in order (``encodings`` holds the guessing):

1. Known binary signatures (ZIP, XLSX, old XLS, PDF, images, gzip) are refused
   with a message that says what the file really is.
2. A byte-order mark decides: UTF-8, UTF-16 LE or UTF-16 BE.  UTF-32 is refused.
3. Without a BOM, ASCII text saved as UTF-16 shows a NUL in every other byte;
   that pattern selects UTF-16 LE or BE.
4. Otherwise the whole file is checked as UTF-8 (streamed through an
   incremental decoder).  A file that is all UTF-8 is UTF-8.
5. A file that is mostly UTF-8 (at least as many non-ASCII lines decode as
   UTF-8 as do not), or carries a UTF-8 BOM, is read line by line: each line as
   UTF-8, else in the code page its odd lines fit, and the rows on those lines
   are flagged.  Any other file is in a legacy code page, guessed from its
   non-ASCII lines (Windows-1252, 1250, 1251, Greek, Shift-JIS, ...), with a
   warning when the guess is weak.  Bytes the code page leaves undefined are
   decoded as the Latin-1 characters of the same value, the way web browsers
   do, so no byte is ever dropped or replaced by U+FFFD.
6. The user may name the encoding instead (``sniff(path, encoding=...)``).
7. A zero byte anywhere, or a first block that decodes to text full of control
   characters (binary data without zero bytes), is refused as binary data.
   Tab, line breaks, vertical tab and form feed are text; so is a stray
   control character here and there.
8. Text that reads like UTF-8 that went through Windows-1252 before it was
   saved ("JosÃ©") is imported with a warning, never silently.
"""

import codecs
import csv
import hashlib
import os
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from itertools import islice
from pathlib import Path

from omnidesk.core.exporting.csvsafe import unguard_cell
from omnidesk.core.importing import vcard
from omnidesk.core.importing.column_guess import is_label_row
from omnidesk.core.importing.csv_lines import (
    MAX_CELL_CHARS,
    OpenQuote,
    open_lines,
    open_quote_line,
    open_text,
    parse,
)
from omnidesk.core.importing.detect import (
    CHUNK,
    UTF8,
    check_regular_file,
    chosen_encoding,
    detect_encoding,
    refuse_control_characters,
    refuse_known_binary,
)
from omnidesk.core.importing.encodings import codec_label, mojibake
from omnidesk.core.importing.layout import (
    DELIMITERS,
    FOOTER_LINES,
    SAMPLE_CHARS,
    SAMPLE_RECORDS,
    check_header,
    choose_delimiter,
    clean_header_cell,
    is_blank,
    is_total_row,
    is_vendor_footer,
    pick_header,
    read_sample,
    sample_rows,
)
from omnidesk.core.importing.report_columns import is_error_report
from omnidesk.core.importing.source_file import SourceFile
from omnidesk.core.importing.unreadable import (
    UnreadableFileError,
    cannot_open,
    empty_file,
    runaway_message,
)
from omnidesk.core.importing.vcard import VCardLayout
from omnidesk.core.text import printable

__all__ = [
    "BlankRows",
    "DELIMITERS",
    "MAX_CELL_CHARS",
    "check_regular_file",
    "FileFormat",
    "Record",
    "UnreadableFileError",
    "file_sha256",
    "open_source",
    "open_text",
    "preview",
    "read_records",
    "sniff",
]

@dataclass(frozen=True)
class FileFormat:
    encoding: str
    encoding_label: str
    delimiter: str
    header: tuple[str, ...]
    header_line: int
    # A UTF-8 file with some lines in another code page: those lines are read in
    # this one, and their rows flagged.
    fallback: str | None = None
    # What the user should check about how the file was read (encoding guesses).
    warnings: tuple[str, ...] = ()
    chosen: bool = False  # the user named the encoding
    # An error report omnidesk wrote: its cells (header too) are read back without the
    # apostrophe its formula-safe writer put before formula-like ones (csvsafe.unguard_cell).
    guarded: bool = False
    # A vCard file (.vcf, a phone's contacts): its cards, read as rows under these columns;
    # no delimiter nor header line (see ``vcard``).
    vcard: VCardLayout | None = None


@dataclass(frozen=True)
class Record:
    number: int
    line: int
    # The cells as the columns read them: a short row padded with "" to the header's width.
    values: tuple[str, ...]
    problem: str | None
    # The cells exactly as the file holds them, when they are not ``values`` (a short row,
    # empty cells after the last column): what is kept of the row (see ``cells``).
    read: tuple[str, ...] | None = field(default=None, compare=False)
    # A line of a vendor report's footer below its data (see ``read_records``): no one's row.
    footer: bool = field(default=False, compare=False)
    # A summary row the file ends with ("Total,,30.00"), not one more row of it (see ``read_records``).
    total: bool = field(default=False, compare=False)
    # A second header line right under the header ("E-mail address,Full name"): labels, no one's values.
    labels: bool = field(default=False, compare=False)

    @property
    def not_a_row(self) -> bool:
        """Whether the record is a line of the file's layout (a footer, a total, labels), not data."""
        return self.footer or self.total or self.labels

    @property
    def cells(self) -> tuple[str, ...]:
        """The row exactly as read: what the workspace keeps of it."""
        return self.values if self.read is None else self.read


def sniff(path: str | os.PathLike[str] | SourceFile, encoding: str | None = None,
          region: str | None = None) -> FileFormat:
    """Decide encoding, delimiter and header row of ``path`` (a path, or a file already opened
    with :func:`open_source`, which the later reads of the plan share).

    Reads the whole file once in fixed-size chunks (to be sure of the
    encoding) and parses only a sample of its first lines.  ``encoding`` (a
    name the user gave) replaces the detection; ``region`` (the workspace's)
    breaks ties between code pages.  Raises ``UnreadableFileError`` for
    anything that cannot be imported as a table.
    """
    if not isinstance(path, SourceFile):
        with open_source(path) as opened:
            return sniff(opened, encoding, region)
    src = path
    p = src.path
    name = printable(p.name)
    try:
        size = src.size
        head = src.read_at(0, 64 * 1024)
    except OSError as e:
        raise cannot_open(name, e) from e
    if size == 0 or not head:
        raise empty_file(name)
    refuse_known_binary(p, head)
    if encoding:
        codec, fallback, warnings = chosen_encoding(src, head, encoding, name)
    else:
        codec, fallback, warnings = detect_encoding(src, head, size, region)
    refuse_control_characters(name, head, codec)
    if vcard.is_vcard(codecs.getincrementaldecoder(codec)("replace").decode(head[:4096])):
        if not encoding and (fallback or not codec.startswith("utf-")) and _folded_utf8(src):
            # Its long lines folded every 75 bytes, across a character: UTF-8 all the same.
            codec, fallback, warnings = ("utf-8-sig" if head.startswith(codecs.BOM_UTF8) else "utf-8"), None, []
        return _sniff_vcard(src, name, codec, fallback, warnings, bool(encoding))

    with open_lines(src, codec, fallback) as source:
        sample, first_line, at_eof, sep_hint = read_sample(source.lines)
    if not sample:
        raise empty_file(name)
    garbled = mojibake("".join(sample)[:SAMPLE_CHARS // 4])
    if garbled is not None:
        count, words, example, fixed = garbled
        warnings.append(
            f'{count:,} of the {words:,} words with accents or other alphabets in its first rows look '
            f'garbled, such as "{example}" (probably "{fixed}"): the file was saved after being read '
            f"in the wrong encoding; {'' if fallback or encoding else 'try another encoding, or '}"
            "export it again from the program that holds the data."
        )

    delimiter = sep_hint or choose_delimiter(sample, first_line)
    sampled = sample_rows(sample, delimiter, first_line, at_eof, name)
    rows = [(line, row) for line, row in sampled if not is_blank(row)]
    if not rows:
        raise UnreadableFileError(
            f'"{name}" has only empty rows at its start and no column names; '
            "export the file again and check it contains your data."
        )
    header_line, header_row = pick_header(rows[: SAMPLE_RECORDS + 10])
    header = tuple(clean_header_cell(c) for c in header_row)
    guarded = is_error_report(header)
    if guarded:
        header = tuple(clean_header_cell(unguard_cell(c)) for c in header_row)
    # A first row of nothing but delimiters (",,,,") where the column names belong.
    empty_above = next((line for line, row in sampled[:1] if line < header_line and len(row) > 1 and is_blank(row)),
                       None)
    check_header(header, header_line, name, empty_above)
    return FileFormat(
        encoding=codec,
        encoding_label=codec_label(codec),
        delimiter=delimiter,
        header=header,
        header_line=header_line,
        fallback=fallback,
        warnings=tuple(warnings),
        chosen=bool(encoding),
        guarded=guarded,
    )


def _folded_utf8(src: SourceFile) -> bool:
    """Whether a vCard file is UTF-8 once its folded lines are read whole."""
    try:
        with open_lines(src, "utf-8", None, folded=True) as source:
            for _ in source.lines:
                pass
    except UnicodeDecodeError:
        return False
    return True


def _sniff_vcard(src: SourceFile, name: str, codec: str, fallback: str | None, warnings: list[str],
                 chosen: bool) -> FileFormat:
    """The format of a vCard file: every card read once, for its columns and to refuse a file
    cut short before anything is planned."""
    try:
        with open_lines(src, codec, fallback, folded=True) as source:
            layout = vcard.file_layout(source.lines, name)
    except UnicodeDecodeError:
        raise UnreadableFileError(
            f'"{name}" can no longer be read as {codec_label(codec)} text '
            "(it may have changed since it was checked); choose the file again."
        ) from None
    return FileFormat(encoding=codec, encoding_label=codec_label(codec), delimiter="", header=layout.header,
                      header_line=0, fallback=fallback, warnings=tuple(warnings), chosen=chosen, vcard=layout)


class BlankRows:
    """The blank rows :func:`read_records` passes over: how many, and the lines of the first ones."""

    SHOWN = 100  # lines kept to name them; the count goes on

    def __init__(self) -> None:
        self.count = 0
        self.lines: list[int] = []

    def add(self, line: int) -> None:
        self.count += 1
        if len(self.lines) < self.SHOWN:
            self.lines.append(line)


def read_records(path: str | os.PathLike[str] | SourceFile, fmt: FileFormat,
                 blank: BlankRows | None = None) -> Iterator[Record]:
    """Yield the data records after the header row, one at a time (from ``path``, or
    from the start of a file opened with :func:`open_source`, read through it).

    Blank records (no non-empty cell) are not records: they are not yielded nor
    numbered, but counted in ``blank`` when given (a row of empty cells,
    ``,,,``, wherever it is; an empty line only before a later record, not the
    empty lines a file may end with).  Short records are padded with "" to the
    header's width and carry a problem text; extra non-empty values are kept
    after the header's width, also with a problem; empty trailing extras
    (padding some tools write) are left out of ``values``.  ``Record.read``
    keeps the cells exactly as read whenever ``values`` differ from them.  An
    error report omnidesk wrote (``fmt.guarded``) is read without the
    apostrophes its writer added.  The lines a report ends with below its data
    (Salesforce's "Confidential Information - Do Not Distribute", copyright,
    "Generated By:" and title lines) are yielded marked ``footer``: the last
    lines of the file, a few at most, each a line of one cell in a file of
    several columns, one of them a known vendor's footer (``is_vendor_footer``).  So are the summary
    rows the table ends with, marked ``total`` ("Total,,30.00": a first cell saying total, numbers
    in the others; ``is_total_row``), and a second header line right under the header, marked
    ``labels`` ("E-mail address,Full name": ``is_label_row``).  A record on a line read in the fallback code
    page, or with a cell longer than ``MAX_CELL_CHARS``, is kept with a problem
    too.  Raises ``UnreadableFileError`` on a quote that never closes or a file
    that stopped decoding since it was sniffed.
    """
    p = path.path if isinstance(path, SourceFile) else Path(path)
    name = printable(p.name)
    if fmt.vcard is not None:
        yield from _card_records(path if isinstance(path, SourceFile) else p, fmt, name, blank)
        return
    width = len(fmt.header)
    try:
        source = open_lines(path if isinstance(path, SourceFile) else p, fmt.encoding, fmt.fallback)
    except OSError as e:
        raise cannot_open(name, e) from e
    odd_lines = source.fallback_lines
    fallback_note = f"was not UTF-8; read as {codec_label(fmt.fallback)}" if fmt.fallback else ""
    with source:
        lines = source.lines
        # Everything above the header (a "sep=" line, title rows, blank lines)
        # is skipped by physical line, then the header record itself.
        for _ in islice(lines, fmt.header_line - 1):
            pass
        rows = parse(lines, fmt.delimiter, fmt.header_line)
        number = 0
        empty_lines: list[int] = []  # counted as blank rows once a record follows them
        guarded = fmt.guarded
        # The lines of one cell since the last row of the table, each with whether a blank line
        # came before it.
        held: list[tuple[Record, bool]] = []
        held_over = gap = False
        # Summary rows since the last row of the table: totals if the table ends with them.
        totals: list[Record] = []
        try:
            header_seen = False
            for line, row in rows:
                if not header_seen:
                    header_seen = True
                    continue
                if is_blank(row):
                    gap = True
                    if blank is not None:
                        if row:
                            blank.add(line)
                        else:
                            empty_lines.append(line)
                    continue
                if empty_lines:
                    for n in empty_lines:
                        blank.add(n)
                    empty_lines.clear()
                if guarded:
                    row = [unguard_cell(cell) for cell in row]
                number += 1
                record = _make_record(number, line, row, width)
                # Cheap tests first: most records are one short line of one encoding.
                odd = odd_lines and [n for n in range(line, rows.end_line + 1) if n in odd_lines]
                if odd or rows.record_chars > MAX_CELL_CHARS:
                    problems = [record.problem] if record.problem else []
                    if odd:
                        where = f"line {odd[0]}" if len(odd) == 1 else f"lines {odd[0]}-{odd[-1]}"
                        problems.append(f"{where} {fallback_note}")
                    for i, value in enumerate(record.values):
                        if len(value) > MAX_CELL_CHARS:
                            column = fmt.header[i] if i < width and fmt.header[i] else f"column {i + 1}"
                            problems.append(f"{column}: {len(value):,} characters, more than the "
                                            f"{MAX_CELL_CHARS:,} a cell may hold; check this value")
                    if problems:
                        record = Record(record.number, record.line, record.values, "; ".join(problems),
                                        record.read)
                # A line of one cell may be a report's footer: held until the file shows whether
                # a row of the table comes after it (then it is a row as any other).
                after_gap, gap = gap, False
                if width > 1 and len(record.cells) == 1 and not held_over:
                    held.append((record, after_gap))
                    if len(held) <= FOOTER_LINES:
                        continue
                    held_over = True  # too many for a footer: rows of the table
                elif len(record.cells) > 1:
                    held_over = False
                    if number == 1 and is_label_row(record.values, fmt.header):
                        record = replace(record, labels=True)
                    elif not held and width > 1 and is_total_row(record.values):
                        totals.append(record)
                        continue
                if totals:
                    yield from totals
                    totals.clear()
                if held:
                    yield from (r for r, _ in held)
                    held.clear()
                    if held_over:
                        continue
                yield record
            yield from (replace(r, total=True) for r in totals)
            yield from _footer_marked(held)
        except OpenQuote as e:
            raise _runaway(name, path if isinstance(path, SourceFile) else p, fmt, e) from None
        except csv.Error as e:
            raise UnreadableFileError(
                f'"{name}" cannot be read as a table near line {rows.line}: {e}; '
                "check that line for a stray quote (\") and try again."
            ) from None
        except UnicodeDecodeError:
            raise UnreadableFileError(
                f'"{name}" can no longer be read as {fmt.encoding_label} text '
                "(it may have changed since it was checked); choose the file again."
            ) from None


def _card_records(path: Path | SourceFile, fmt: FileFormat, name: str, blank: BlankRows | None) -> Iterator[Record]:
    """The records of a vCard file: one a card, numbered from 1, on the line of its BEGIN:VCARD.
    A card with nothing about anyone in it (only its version) is a blank row."""
    assert fmt.vcard is not None
    try:
        source = open_lines(path, fmt.encoding, fmt.fallback, folded=True)
    except OSError as e:
        raise cannot_open(name, e) from e
    odd_lines = source.fallback_lines
    number = 0
    # The file's own code page, if not UTF-8: that of a quoted-printable value naming none.
    own = fmt.fallback if fmt.encoding in UTF8 else None if fmt.encoding.startswith("utf-") else fmt.encoding
    with source:
        try:
            for card in vcard.cards(source.lines, name):
                values, problem, anything = vcard.row_of(card, fmt.vcard, own)
                if not anything:
                    if blank is not None:
                        blank.add(card.line)
                    continue
                number += 1
                problems = [problem] if problem else []
                odd = odd_lines and [n for n in range(card.line, card.end + 1) if n in odd_lines]
                if odd:
                    where = f"line {odd[0]}" if len(odd) == 1 else f"lines {odd[0]}-{odd[-1]}"
                    problems.append(f"{where} was not UTF-8; read as {codec_label(fmt.fallback or '')}")
                for i, value in enumerate(values):
                    if len(value) > MAX_CELL_CHARS:
                        problems.append(f"{fmt.header[i]}: {len(value):,} characters, more than the "
                                        f"{MAX_CELL_CHARS:,} a cell may hold; check this value")
                yield Record(number, card.line, values, "; ".join(problems) or None)
        except UnicodeDecodeError:
            raise UnreadableFileError(
                f'"{name}" can no longer be read as {fmt.encoding_label} text '
                "(it may have changed since it was checked); choose the file again."
            ) from None


def _footer_marked(held: list[tuple[Record, bool]]) -> Iterator[Record]:
    """The lines of one cell a file ends with, those of a report's footer marked: from the first
    known vendor footer line on, and the lines above it back to the blank line that sets the
    footer apart from the table (its title); none when no line is a known footer."""
    first = next((i for i, (r, _) in enumerate(held) if is_vendor_footer(r.cells[0])), None)
    start = first
    if first is not None:
        start = next((i for i in range(first, -1, -1) if held[i][1]), first)
    for i, (record, _) in enumerate(held):
        yield replace(record, footer=True) if start is not None and i >= start else record


def preview(path: str | os.PathLike[str], fmt: FileFormat, n: int = 20) -> list[Record]:
    """Return the first ``n`` data records (fewer when the file is shorter)."""
    records = read_records(path, fmt)
    try:
        return list(islice(records, n))
    finally:
        records.close()


def file_sha256(path: str | os.PathLike[str]) -> str:
    """Return the SHA-256 hex digest of the file's bytes, read in chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def open_source(path: str | os.PathLike[str]) -> SourceFile:
    """Open ``path`` once for planning its import (see ``source_file``); refuses, with the
    sentence ``sniff`` would say, what is not a regular file or cannot be opened."""
    p = Path(path)
    check_regular_file(p)
    try:
        return SourceFile(p)
    except OSError as e:
        raise cannot_open(printable(p.name), e) from e


def _make_record(number: int, line: int, row: list[str], width: int) -> Record:
    n = len(row)
    if n == width:
        return Record(number, line, tuple(row), None)
    read = tuple(row)
    if n < width:
        return Record(number, line, read + ("",) * (width - n), f"has {n} values, header has {width}", read)
    while len(row) > width and not row[-1].strip():
        row.pop()
    if len(row) == width:
        return Record(number, line, tuple(row), None, read)
    values = tuple(row)
    return Record(number, line, values, f"has {len(row)} values, header has {width}: extra values kept",
                  read if len(read) != len(values) else None)


def _runaway(name: str, p: Path | SourceFile, fmt: FileFormat, e: OpenQuote) -> UnreadableFileError:
    try:
        with open_lines(p, fmt.encoding, fmt.fallback) as source:
            line = open_quote_line(source.lines, 1, fmt.delimiter, e.start_line)
    except (OSError, UnicodeDecodeError):
        line = e.start_line
    return UnreadableFileError(runaway_message(name, line, e.start_line))
