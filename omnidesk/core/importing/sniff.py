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

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import os
import re
import stat
import zipfile
from bisect import bisect_right
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache
from itertools import accumulate, islice
from pathlib import Path
from typing import BinaryIO, TextIO

from omnidesk.core.errors import UserError
from omnidesk.core.importing.encodings import (
    LOSSLESS,
    SAMPLE_BYTES,
    codec_label,
    guess_legacy,
    mojibake,
    resolve_encoding,
)
from omnidesk.core.importing.source_file import SourceFile
from omnidesk.core.text import printable

__all__ = [
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

DELIMITERS: tuple[str, ...] = (",", ";", "\t", "|")

# A quoted value this long (in lines) is taken to be a quote that never closes:
# real cells, even long notes, stay far below it.
MAX_RECORD_LINES = 1_000
# A cell longer than this is kept but its row is flagged; a record longer than
# MAX_RECORD_CHARS cannot be a row of an export at all and refuses the file.
MAX_CELL_CHARS = 1_000_000
MAX_RECORD_CHARS = 32 * MAX_CELL_CHARS

# The csv module refuses any field over 131,072 characters unless told otherwise;
# the limits above are the ones that hold.
if csv.field_size_limit() < MAX_RECORD_CHARS:
    csv.field_size_limit(MAX_RECORD_CHARS)

_CHUNK = 1 << 20
# How much decoded text the delimiter and header guesses look at.
_SAMPLE_LINES = 2_000
_SAMPLE_CHARS = 1_000_000
_SAMPLE_RECORDS = 50
# Title rows above the header are only looked for this far down.
_MAX_TITLE_ROWS = 9

_UTF8 = ("utf-8", "utf-8-sig")


class UnreadableFileError(UserError):
    """The file cannot be imported; str(e) is one clear sentence for the user
    (names the file, says why, suggests a fix)."""


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


@dataclass(frozen=True)
class Record:
    number: int
    line: int
    values: tuple[str, ...]
    problem: str | None


# --------------------------------------------------------------------------
# public API
# --------------------------------------------------------------------------


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
        raise _cannot_open(name, e) from e
    if size == 0 or not head:
        raise _empty(name)
    _refuse_known_binary(p, head)
    if encoding:
        codec, fallback, warnings = _chosen_encoding(src, head, encoding, name)
    else:
        codec, fallback, warnings = _detect_encoding(src, head, size, region)
    _refuse_control_characters(name, head, codec)

    with _open_lines(src, codec, fallback) as source:
        sample, first_line, at_eof, sep_hint = _read_sample(source.lines)
    if not sample:
        raise _empty(name)
    garbled = mojibake("".join(sample)[:_SAMPLE_CHARS // 4])
    if garbled is not None:
        count, words, example, fixed = garbled
        warnings.append(
            f'{count:,} of the {words:,} words with accents or other alphabets in its first rows look '
            f'garbled, such as "{example}" (probably "{fixed}"): the file was saved after being read '
            f"in the wrong encoding; {'' if fallback or encoding else 'try another encoding, or '}"
            "export it again from the program that holds the data."
        )

    delimiter = sep_hint or _choose_delimiter(sample, first_line)
    rows = _sample_rows(sample, delimiter, first_line, at_eof, name)
    rows = [(line, row) for line, row in rows if not _is_blank(row)]
    if not rows:
        raise UnreadableFileError(
            f'"{name}" has only empty rows at its start and no column names; '
            "export the file again and check it contains your data."
        )
    header_line, header_row = _pick_header(rows[: _SAMPLE_RECORDS + 10])
    header = tuple(_clean_header_cell(c) for c in header_row)
    _check_header(header, header_line, name)
    return FileFormat(
        encoding=codec,
        encoding_label=codec_label(codec),
        delimiter=delimiter,
        header=header,
        header_line=header_line,
        fallback=fallback,
        warnings=tuple(warnings),
        chosen=bool(encoding),
    )


def read_records(path: str | os.PathLike[str] | SourceFile, fmt: FileFormat) -> Iterator[Record]:
    """Yield the data records after the header row, one at a time (from ``path``, or
    from the start of a file opened with :func:`open_source`, read through it).

    Blank records (no non-empty cell) are skipped and not numbered.  Short
    records are padded with "" to the header's width and carry a problem
    text; extra non-empty values are kept after the header's width, also with
    a problem.  Empty trailing extras (padding some tools write) are dropped
    silently.  A record on a line read in the fallback code page, or with a
    cell longer than ``MAX_CELL_CHARS``, is kept with a problem too.  Raises
    ``UnreadableFileError`` on a quote that never closes or a file that
    stopped decoding since it was sniffed.
    """
    p = path.path if isinstance(path, SourceFile) else Path(path)
    name = printable(p.name)
    width = len(fmt.header)
    try:
        source = _open_lines(path if isinstance(path, SourceFile) else p, fmt.encoding, fmt.fallback)
    except OSError as e:
        raise _cannot_open(name, e) from e
    odd_lines = source.fallback_lines
    fallback_note = f"was not UTF-8; read as {codec_label(fmt.fallback)}" if fmt.fallback else ""
    with source:
        lines = source.lines
        # Everything above the header (a "sep=" line, title rows, blank lines)
        # is skipped by physical line, then the header record itself.
        for _ in islice(lines, fmt.header_line - 1):
            pass
        rows = _parse(lines, fmt.delimiter, fmt.header_line)
        number = 0
        try:
            header_seen = False
            for line, row in rows:
                if not header_seen:
                    header_seen = True
                    continue
                if _is_blank(row):
                    continue
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
                        record = Record(record.number, record.line, record.values, "; ".join(problems))
                yield record
        except _OpenQuote as e:
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
        for chunk in iter(lambda: f.read(_CHUNK), b""):
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
        raise _cannot_open(printable(p.name), e) from e


def open_text(path: str | os.PathLike[str], encoding: str) -> TextIO:
    """Open ``path`` as text the way ``read_records`` does for a file in one
    encoding (newline="" for the csv module; bytes a code page leaves undefined
    read as Latin-1, see the module's notes)."""
    errors = "strict" if encoding in _UTF8 else LOSSLESS
    return open(path, encoding=encoding, errors=errors, newline="")


def check_regular_file(path: str | os.PathLike[str]) -> None:
    """Refuse, with a sentence that says what it is, a path that is not a regular
    file: a folder, a named pipe (FIFO), a device or socket, or a link to one
    (reading such a thing would hang or make no sense).  Missing files say so."""
    p = Path(path)
    name = printable(p.name)
    try:
        mode = p.stat().st_mode
    except FileNotFoundError:
        if p.is_symlink():
            target = printable(os.readlink(p))
            raise UnreadableFileError(
                f'"{name}" is a link to {target}, which does not exist; pick the file itself.'
            ) from None
        raise UnreadableFileError(f'"{name}": no such file; check its name and folder.') from None
    except OSError as e:
        raise _cannot_open(name, e) from e
    if stat.S_ISREG(mode):
        return
    what = ("a folder" if stat.S_ISDIR(mode) else "a named pipe (FIFO)" if stat.S_ISFIFO(mode)
            else "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode)
            else "a socket" if stat.S_ISSOCK(mode) else "not a file")
    if p.is_symlink():
        what = f"a link to {printable(os.path.realpath(p))}, {what}"
    hint = "pick the CSV files inside it" if stat.S_ISDIR(mode) else "pick the exported CSV file itself"
    raise UnreadableFileError(f'"{name}" is not a regular file (it is {what}); {hint}.')


# --------------------------------------------------------------------------
# binary signatures and encoding
# --------------------------------------------------------------------------


def _refuse_known_binary(p: Path, head: bytes) -> None:
    name = printable(p.name)
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        members = _zip_members(p)
        if any(m.startswith("xl/") for m in members):
            raise _excel(name)
        if "content.xml" in members and "mimetype" in members:
            raise UnreadableFileError(
                f'"{name}" is a spreadsheet document, not a CSV file; open it in '
                "your spreadsheet program and save it as CSV, then import that file."
            )
        csvs = [m.rsplit("/", 1)[-1] for m in members if m.lower().endswith((".csv", ".txt"))]
        listed = f" (it holds {', '.join(csvs[:3])}{', ...' if len(csvs) > 3 else ''})" if csvs else ""
        raise UnreadableFileError(
            f'"{name}" is a ZIP archive, not a CSV file{listed}; '
            "extract the CSV files from it first and import each of them."
        )
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        raise _excel(name)
    if head.startswith(b"SQLite format 3\x00"):
        raise UnreadableFileError(
            f'"{name}" is a database (an omnidesk workspace, a backup of one or another '
            "program's), not a CSV file; to work in a workspace, open it instead of importing it."
        )
    kinds = (
        (b"%PDF-", "a PDF document"),
        (b"\x89PNG\r\n\x1a\n", "a PNG image"),
        (b"\xff\xd8\xff", "a JPEG image"),
        (b"GIF87a", "a GIF image"),
        (b"GIF89a", "a GIF image"),
        (b"\x1f\x8b", "a compressed (gzip) file"),
    )
    for magic, what in kinds:
        if head.startswith(magic):
            raise UnreadableFileError(
                f'"{name}" is {what}, not a CSV file; export your customers as CSV '
                "from the program that holds them and import that file."
            )
    if head.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        raise UnreadableFileError(
            f'"{name}" is saved as UTF-32 text, which cannot be imported; '
            "save it again as CSV UTF-8 and import that file."
        )


def _zip_members(p: Path) -> list[str]:
    try:
        with zipfile.ZipFile(p) as z:
            return z.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return []


def _utf16_without_bom(head: bytes) -> str | None:
    sample = head[: 8192 - (len(head[:8192]) % 2)]
    pairs = len(sample) // 2
    if pairs == 0:
        return None
    even_zero = sample[0::2].count(0)
    odd_zero = sample[1::2].count(0)
    # ASCII text in UTF-16 has a zero high byte in nearly every code unit.
    if odd_zero >= 0.6 * pairs and even_zero <= 0.05 * pairs:
        return "utf-16-le"
    if even_zero >= 0.6 * pairs and odd_zero <= 0.05 * pairs:
        return "utf-16-be"
    return None


def _detect_encoding(src: SourceFile, head: bytes, size: int,
                     region: str | None) -> tuple[str, str | None, list[str]]:
    """(codec, per-line fallback codec or None, warnings) for ``src``."""
    name = printable(src.path.name)
    if head.startswith(codecs.BOM_UTF8):
        if _first_undecodable_line(src, "utf-8", name) is None:
            return "utf-8-sig", None, []
        return _mostly_utf8(src, "utf-8-sig", region)
    if head.startswith(codecs.BOM_UTF16_LE):
        encoding = "utf-16-le"
    elif head.startswith(codecs.BOM_UTF16_BE):
        encoding = "utf-16-be"
    else:
        encoding = _utf16_without_bom(head)
    if encoding is not None:
        if size % 2:
            raise _truncated_utf16(name)
        _validate_utf16(src, encoding, name)
        return encoding, None, []
    if b"\x00" in head:
        raise _binary(name, head.index(b"\x00"))
    if _first_undecodable_line(src, "utf-8", name) is None:
        return "utf-8", None, []
    return _mostly_utf8(src, None, region)


@dataclass
class _Utf8Lines:
    """How the non-ASCII lines of a file fare as UTF-8."""

    good: int = 0  # lines with non-ASCII characters that are valid UTF-8
    bad: int = 0  # lines that are not
    first_bad: int = 0
    sample: bytes = b""  # the first bad lines, to guess their code page from


_HIGH_BYTE = re.compile(rb"[\x80-\xff]")


# Once this many lines have failed as UTF-8 with hardly any passing, the file is in
# a legacy code page: the rest need not be looked at line by line.
_DECIDED_BAD = 2_000


def _utf8_lines(src: SourceFile) -> _Utf8Lines:
    out = _Utf8Lines()
    sample: list[bytes] = []
    kept = 0
    newlines = 0
    carry = b""
    chunks = src.chunks(_CHUNK)
    while True:
        chunk = next(chunks, b"")
        data = carry + chunk
        if chunk:
            cut = data.rfind(b"\n") + 1
            data, carry = data[:cut], data[cut:]
        try:
            # Most blocks of a mostly UTF-8 file decode whole, in C.
            data.decode("utf-8")
            out.good += sum(1 for line in data.split(b"\n") if not line.isascii())
        except UnicodeDecodeError:
            # Only lines with a non-ASCII byte cost a Python step; the searches run in C.
            at = 0
            while (m := _HIGH_BYTE.search(data, at)) is not None:
                start = data.rfind(b"\n", 0, m.start()) + 1
                end = data.find(b"\n", m.start())
                end = len(data) if end < 0 else end
                line = data[start:end]
                at = end + 1
                try:
                    line.decode("utf-8")
                    out.good += 1
                except UnicodeDecodeError:
                    out.bad += 1
                    if not out.first_bad:
                        out.first_bad = newlines + data.count(b"\n", 0, start) + 1
                    if kept < SAMPLE_BYTES:
                        sample.append(line)
                        kept += len(line) + 1
        newlines += data.count(b"\n")
        if not chunk or (out.bad >= _DECIDED_BAD and 10 * out.good < out.bad):
            break
    out.sample = b"\n".join(sample)
    return out


def _mostly_utf8(src: SourceFile, bom: str | None, region: str | None) -> tuple[str, str | None, list[str]]:
    """A file that is not all UTF-8: UTF-8 with a few odd lines, or a legacy code page."""
    stats = _utf8_lines(src)
    guess = guess_legacy(stats.sample, region)
    label = codec_label(guess.encoding)
    if bom or stats.good >= stats.bad:
        lines = "1 line is" if stats.bad == 1 else f"{stats.bad:,} lines are"
        return bom or "utf-8", guess.encoding, [
            f"The file is UTF-8 but {lines} not (the first is line {stats.first_bad}): "
            f"{'it was' if stats.bad == 1 else 'they were'} read as {label} and "
            f"{'its row is' if stats.bad == 1 else 'their rows are'} flagged; check them."
        ]
    warnings = []
    if guess.weak:
        warnings.append(
            f"The encoding is a guess: the file was read as {label}, but {guess.weak}; "
            "if names look wrong, choose the file's encoding."
        )
    return guess.encoding, None, warnings


def _chosen_encoding(src: SourceFile, head: bytes, encoding: str, name: str) -> tuple[str, str | None, list[str]]:
    """The user's encoding: UTF-8 still reads a line that is not UTF-8 (flagged, in
    Windows-1252); every other codec reads every byte."""
    try:
        codec = resolve_encoding(encoding)
    except UserError as e:
        raise UnreadableFileError(str(e)) from None
    if codec in _UTF8:
        codec = "utf-8-sig" if head.startswith(codecs.BOM_UTF8) else "utf-8"
        if _first_undecodable_line(src, "utf-8", name) is None:
            return codec, None, []
        stats = _utf8_lines(src)
        lines = "1 line is" if stats.bad == 1 else f"{stats.bad:,} lines are"
        return codec, "cp1252", [
            f"{lines} not UTF-8 (the first is line {stats.first_bad}): read as "
            f"{codec_label('cp1252')} and flagged; check them."
        ]
    if codec == "utf-16":
        # Without a BOM Python's utf-16 assumes big-endian; the bytes tell which it is.
        codec = ("utf-16-le" if head.startswith(codecs.BOM_UTF16_LE)
                 else "utf-16-be" if head.startswith(codecs.BOM_UTF16_BE)
                 else _utf16_without_bom(head) or "utf-16-le")
    return codec, None, []


# Random binary data is about one character in nine a control character once
# decoded; text has next to none, so a share of 2% (and at least 4 of them, so a
# stray one in a tiny file does not count) tells them apart with a wide margin.
_MAX_CONTROL_SHARE = Fraction(2, 100)
_MIN_CONTROLS = 4
# C0 control characters and DEL, except those a text export may hold: tab, line
# feed, carriage return, and the vertical tab and form feed some tools write for
# line and page breaks (0x09 to 0x0D).
_CONTROL = re.compile("[\x00-\x08\x0e-\x1f\x7f]")


def _control_count(text: str) -> int:
    return len(_CONTROL.findall(text))


def _refuse_control_characters(name: str, head: bytes, encoding: str) -> None:
    """Refuse binary data without zero bytes: once decoded, it is full of C0
    control characters (and DEL) that no text export holds.

    Only the first block of the file (the sample) is looked at.  The bytes
    a code page leaves undefined are not counted: files in other one-byte
    code pages (Mac Roman, DOS) use them for letters and are still text.
    """
    errors = "replace" if encoding in _UTF8 else LOSSLESS
    # An incremental decoder waits for a character cut off at the end of the block.
    text = codecs.getincrementaldecoder(encoding)(errors).decode(head)
    controls = _control_count(text)
    if controls >= _MIN_CONTROLS and controls >= _MAX_CONTROL_SHARE * len(text):
        raise UnreadableFileError(
            f'"{name}" holds binary data ({controls:,} of its first {len(text):,} characters are '
            "control codes), not text; check that you picked the CSV export and not another file."
        )


def _first_undecodable_line(src: SourceFile, encoding: str, name: str) -> int | None:
    """Return the (approximate) line of the first byte that does not decode,
    or None when the whole file decodes; refuses files with NUL bytes.

    Keeps scanning for NUL bytes after the first decoding error so a binary
    file is never mistaken for Windows-1252 text.
    """
    decoder = codecs.getincrementaldecoder(encoding)("strict")
    bad_line: int | None = None
    offset = 0
    newlines = 0
    for chunk in src.chunks(_CHUNK):
        if b"\x00" in chunk:
            raise _binary(name, offset + chunk.index(b"\x00"))
        if bad_line is None:
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as e:
                bad_line = newlines + chunk.count(b"\n", 0, max(e.start, 0)) + 1
        newlines += chunk.count(b"\n")
        offset += len(chunk)
    if bad_line is None:
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            bad_line = newlines + 1
    return bad_line


def _validate_utf16(src: SourceFile, encoding: str, name: str) -> None:
    decoder = codecs.getincrementaldecoder(encoding)("strict")
    lines = 0
    for chunk in src.chunks(_CHUNK):
        try:
            text = decoder.decode(chunk)
        except UnicodeDecodeError as e:
            lines += chunk[: max(e.start, 0)].decode(encoding, errors="replace").count("\n")
            raise UnreadableFileError(
                f'"{name}" is damaged: near line {lines + 1} it holds bytes that are '
                "not valid UTF-16 text; download or export it again and import the new file."
            ) from None
        lines += text.count("\n")
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        raise _truncated_utf16(name) from None


# --------------------------------------------------------------------------
# parsing
# --------------------------------------------------------------------------


class _OpenQuote(Exception):
    """A record runs to the end of the input or past the size limits."""

    def __init__(self, start_line: int, at_end: bool) -> None:
        super().__init__(start_line)
        self.start_line = start_line
        self.at_end = at_end


class _Lines:
    """Feeds lines to csv.reader while tracking where each record starts.

    ``line`` is the number of the last physical line handed out.  A record
    still open when the input ends, or grown past the limits, raises
    ``_OpenQuote`` instead of silently swallowing the rest of the file.
    """

    __slots__ = ("_it", "line", "start", "_count", "chars")

    def __init__(self, lines: Iterable[str], first_line: int) -> None:
        self._it = iter(lines)
        self.line = first_line - 1
        self.start = first_line
        self._count = 0
        self.chars = 0

    def __iter__(self) -> _Lines:
        return self

    def begin_record(self) -> None:
        self._count = 0
        self.chars = 0

    def __next__(self) -> str:
        try:
            text = next(self._it)
        except StopIteration:
            if self._count:
                raise _OpenQuote(self.start, at_end=True) from None
            raise
        self.line += 1
        if not self._count:
            self.start = self.line
        self._count += 1
        self.chars += len(text)
        if self._count > MAX_RECORD_LINES or self.chars > MAX_RECORD_CHARS:
            raise _OpenQuote(self.start, at_end=False)
        return text


class _Rows:
    """Iterator of (start line, cells) over ``lines``; see ``_Lines``."""

    def __init__(self, lines: Iterable[str], delimiter: str, first_line: int) -> None:
        self._src = _Lines(lines, first_line)
        self._reader = csv.reader(self._src, delimiter=delimiter, quotechar='"', doublequote=True, strict=False)

    @property
    def line(self) -> int:
        return self._src.start

    @property
    def end_line(self) -> int:
        """The last physical line of the record just returned."""
        return self._src.line

    @property
    def record_chars(self) -> int:
        """How many characters the record just returned spans (its cells are no longer)."""
        return self._src.chars

    def __iter__(self) -> _Rows:
        return self

    def __next__(self) -> tuple[int, list[str]]:
        self._src.begin_record()
        try:
            row = next(self._reader)
        except csv.Error as e:
            if "field larger than field limit" in str(e):
                raise _OpenQuote(self._src.start, at_end=False) from None
            raise
        return self._src.start, row


def _parse(lines: Iterable[str], delimiter: str, first_line: int) -> _Rows:
    return _Rows(lines, delimiter, first_line)


def _strip_bom(stream: Iterable[str]) -> Iterator[str]:
    # UTF-16 codecs named with an explicit byte order keep the BOM as U+FEFF.
    it = iter(stream)
    first = next(it, None)
    if first is None:
        return
    yield first.lstrip("\ufeff")
    yield from it


class _LineSource:
    """The text lines of a file (BOM removed) as ``read_records`` sees them.

    A file in one encoding is read through Python's text layer.  A UTF-8 file
    with a ``fallback`` code page is split into lines as bytes (at CR, LF or
    CRLF, as the text layer does) and each line decoded on its own: as UTF-8,
    else in the fallback code page; ``fallback_lines`` collects the numbers of
    those lines as they are read.
    """

    def __init__(self, path: Path | SourceFile, encoding: str, fallback: str | None) -> None:
        self.fallback_lines: set[int] = set()
        if fallback is None:
            if isinstance(path, SourceFile):
                errors = "strict" if encoding in _UTF8 else LOSSLESS
                self._file: TextIO | BinaryIO = io.TextIOWrapper(path.stream(), encoding=encoding, errors=errors,
                                                                 newline="")
            else:
                self._file = open_text(path, encoding)
            self.lines: Iterator[str] = _strip_bom(self._file)
        else:
            self._file = path.stream() if isinstance(path, SourceFile) else open(path, "rb")
            self.lines = self._mixed(self._file, fallback)

    def _mixed(self, f: BinaryIO, fallback: str) -> Iterator[str]:
        odd = self.fallback_lines
        number = 0
        carry = b""
        first = True
        while True:
            chunk = f.read(_CHUNK)
            data = carry + chunk
            if first:
                first = False
                if data.startswith(codecs.BOM_UTF8):
                    data = data[len(codecs.BOM_UTF8):]
            if not data:
                return
            lines = data.splitlines(keepends=True)
            # The last piece may be cut off mid-line, or be a CR whose LF comes next.
            carry = lines.pop() if chunk and not lines[-1].endswith(b"\n") else b""
            for raw in lines:
                number += 1
                try:
                    yield raw.decode("utf-8")
                except UnicodeDecodeError:
                    odd.add(number)
                    yield raw.decode(fallback, LOSSLESS)
            if not chunk:
                return

    def close(self) -> None:
        self._file.close()  # a stream over a SourceFile leaves the file itself open

    def __enter__(self) -> _LineSource:
        return self

    def __exit__(self, *_exc) -> None:
        self.close()


def _open_lines(path: Path | SourceFile, encoding: str, fallback: str | None) -> _LineSource:
    return _LineSource(path, encoding, fallback)


_SEP_LINE = re.compile(r'^\s*"?sep=(.)"?\s*$', re.IGNORECASE)


def _read_sample(it: Iterator[str]) -> tuple[list[str], int, bool, str | None]:
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
        if len(lines) >= _SAMPLE_LINES or chars >= _SAMPLE_CHARS:
            return lines, line_no - len(lines) + 1, next(it, None) is None, hint
    return lines, line_no - len(lines) + 1, True, hint


def _sample_rows(
    sample: list[str], delimiter: str, first_line: int, at_eof: bool, name: str
) -> list[tuple[int, list[str]]]:
    rows: list[tuple[int, list[str]]] = []
    parser = _parse(sample, delimiter, first_line)
    try:
        rows.extend(parser)
    except _OpenQuote as e:
        # Running out of sample inside a quoted value only means the sample
        # was cut there; at the real end of the file the quote never closed.
        if at_eof or not e.at_end:
            opened = _open_quote_line(sample, first_line, delimiter, e.start_line)
            raise UnreadableFileError(_runaway_message(name, opened, e.start_line)) from None
    return rows


def _is_blank(row: list[str]) -> bool:
    return not any(cell.strip() for cell in row)


def _choose_delimiter(sample: list[str], first_line: int) -> str:
    best: tuple[tuple[Fraction, int], str] | None = None
    for d in DELIMITERS:
        counts: list[int] = []
        try:
            for _, row in _parse(sample, d, first_line):
                if not _is_blank(row):
                    counts.append(len(row))
                    if len(counts) >= _SAMPLE_RECORDS:
                        break
        except (_OpenQuote, csv.Error):
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


def _pick_header(rows: list[tuple[int, list[str]]]) -> tuple[int, list[str]]:
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


def _clean_header_cell(cell: str) -> str:
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


def _check_header(header: tuple[str, ...], line: int, name: str) -> None:
    filled = [c for c in header if c]
    if not filled:
        raise UnreadableFileError(
            f'"{name}" has no column names: its first row (line {line}) is empty; '
            "add a first row naming each column and try again."
        )
    if all(_looks_like_value(c) for c in filled):
        example = filled[0] if len(filled[0]) <= 40 else filled[0][:37] + "..."
        raise UnreadableFileError(
            f'"{name}" has no header row: its first row (line {line}) holds data such as '
            f'"{example}" rather than column names; add a first row naming each column '
            "(for example Email, First Name, Phone) and try again."
        )


def _make_record(number: int, line: int, row: list[str], width: int) -> Record:
    n = len(row)
    if n == width:
        return Record(number, line, tuple(row), None)
    if n < width:
        return Record(number, line, tuple(row) + ("",) * (width - n), f"has {n} values, header has {width}")
    while len(row) > width and not row[-1].strip():
        row.pop()
    if len(row) == width:
        return Record(number, line, tuple(row), None)
    return Record(number, line, tuple(row), f"has {len(row)} values, header has {width}: extra values kept")


@lru_cache(maxsize=8)
def _field_patterns(delimiter: str) -> tuple[re.Pattern[str], re.Pattern[str]]:
    """(complete fields each followed by the delimiter, one field ending its record),
    written as regular expressions of the csv module's rules (doubled quotes inside
    quotes, text after a closing quote kept, a quote inside an unquoted value literal).
    Possessive repeats keep them linear: no split is ever tried twice."""
    d = re.escape(delimiter)
    field = rf'(?:"(?:[^"]++|"")*+"[^{d}\r\n]*+|[^{d}"\r\n][^{d}\r\n]*+|)'
    return re.compile(rf"(?:{field}{d})*+"), re.compile(rf"{field}(?:\r\n|\r|\n|\Z)")


def _open_quote_line(lines: Iterable[str], first_line: int, delimiter: str, start_line: int) -> int | None:
    """Line on which the quote that swallows the record at ``start_line``
    opens, or None when no quote is left open (the record is simply huge).

    Reads at most the record's window of lines, and scans it with regular
    expressions, so a megabyte-long line costs no Python step per character.
    """
    window = list(islice(lines, start_line - first_line, start_line - first_line + MAX_RECORD_LINES + 2))
    text = "".join(window)
    fields, last = _field_patterns(delimiter)
    end = fields.match(text).end()  # past every complete field of the record
    if last.match(text, end) is None and text.startswith('"', end):
        return start_line + bisect_right(list(accumulate(map(len, window))), end)
    return None  # the record ends within the window: it is long, not open


# --------------------------------------------------------------------------
# messages
# --------------------------------------------------------------------------


def _cannot_open(name: str, e: OSError) -> UnreadableFileError:
    why = e.strerror or str(e)
    return UnreadableFileError(
        f'"{name}" cannot be opened ({why}); check that the file exists and that you may read it.'
    )


def _excel(name: str) -> UnreadableFileError:
    # Said the same way for .xlsx and the old .xls, whatever the file is called.
    return UnreadableFileError(
        f'"{name}" is an Excel workbook: save it as CSV (File › Save As › CSV UTF-8) and import that.'
    )


def _empty(name: str) -> UnreadableFileError:
    return UnreadableFileError(
        f'"{name}" is empty, so there is nothing to import; export the file again and check it has rows.'
    )


def _binary(name: str, offset: int) -> UnreadableFileError:
    return UnreadableFileError(
        f'"{name}" holds binary data (a zero byte at position {offset}), not text; '
        "check that you picked the CSV export and not another file."
    )


def _truncated_utf16(name: str) -> UnreadableFileError:
    return UnreadableFileError(
        f'"{name}" is cut off: it ends in the middle of a UTF-16 character; '
        "download or export it again and import the complete file."
    )


def _runaway_message(name: str, line: int | None, start_line: int) -> str:
    if line is None:
        return (
            f'"{name}" has a value on line {start_line} that is too long to be a real cell; '
            "check that line in a text editor and try again."
        )
    return (
        f'"{name}" has a quote (") on line {line} that is never closed, so the rest of '
        "the file would be read as one value; add the missing closing quote or remove "
        "the stray one on that line and try again."
    )


def _runaway(name: str, p: Path | SourceFile, fmt: FileFormat, e: _OpenQuote) -> UnreadableFileError:
    try:
        with _open_lines(p, fmt.encoding, fmt.fallback) as source:
            line = _open_quote_line(source.lines, 1, fmt.delimiter, e.start_line)
    except (OSError, UnicodeDecodeError):
        line = e.start_line
    return UnreadableFileError(_runaway_message(name, line, e.start_line))
