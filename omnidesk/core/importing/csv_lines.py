"""Reading a file's text lines and parsing them into records.

``_LineSource`` yields the lines as ``read_records`` sees them (one encoding,
or UTF-8 with a fallback code page line by line); ``_Rows`` parses them with
the csv module while tracking the line each record starts on, and raises
``OpenQuote`` for a record that never ends; ``open_quote_line`` finds the
quote that swallowed it.
"""

from __future__ import annotations

import codecs
import csv
import io
import os
import re
from bisect import bisect_right
from collections.abc import Iterable, Iterator
from functools import lru_cache
from itertools import accumulate, islice
from pathlib import Path
from typing import BinaryIO, TextIO

from omnidesk.core.importing.detect import CHUNK, UTF8
from omnidesk.core.importing.encodings import LOSSLESS
from omnidesk.core.importing.source_file import SourceFile

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


def open_text(path: str | os.PathLike[str], encoding: str) -> TextIO:
    """Open ``path`` as text the way ``read_records`` does for a file in one
    encoding (newline="" for the csv module; bytes a code page leaves undefined
    read as Latin-1, see the module's notes)."""
    errors = "strict" if encoding in UTF8 else LOSSLESS
    return open(path, encoding=encoding, errors=errors, newline="")


class OpenQuote(Exception):
    """A record runs to the end of the input or past the size limits."""

    def __init__(self, start_line: int, at_end: bool) -> None:
        super().__init__(start_line)
        self.start_line = start_line
        self.at_end = at_end


class _Lines:
    """Feeds lines to csv.reader while tracking where each record starts.

    ``line`` is the number of the last physical line handed out.  A record
    still open when the input ends, or grown past the limits, raises
    ``OpenQuote`` instead of silently swallowing the rest of the file.
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
                raise OpenQuote(self.start, at_end=True) from None
            raise
        self.line += 1
        if not self._count:
            self.start = self.line
        self._count += 1
        self.chars += len(text)
        if self._count > MAX_RECORD_LINES or self.chars > MAX_RECORD_CHARS:
            raise OpenQuote(self.start, at_end=False)
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
                raise OpenQuote(self._src.start, at_end=False) from None
            raise
        return self._src.start, row


def parse(lines: Iterable[str], delimiter: str, first_line: int) -> _Rows:
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

    ``folded`` (a vCard file, whose long lines go on on lines starting with a space or
    tab): a UTF-8 file is read as bytes too, and a character a fold cut in two (writers
    fold every 75 bytes) is read whole, its first bytes moved past the next line's space;
    with no ``fallback``, a line that is still not UTF-8 raises ``UnicodeDecodeError``.
    """

    def __init__(self, path: Path | SourceFile, encoding: str, fallback: str | None, folded: bool = False) -> None:
        self.fallback_lines: set[int] = set()
        self._folded = folded
        if folded and encoding in UTF8:
            self._file = path.stream() if isinstance(path, SourceFile) else open(path, "rb")
            self.lines = self._mixed(self._file, fallback)
        elif fallback is None:
            if isinstance(path, SourceFile):
                errors = "strict" if encoding in UTF8 else LOSSLESS
                self._file: TextIO | BinaryIO = io.TextIOWrapper(path.stream(), encoding=encoding, errors=errors,
                                                                 newline="")
            else:
                self._file = open_text(path, encoding)
            self.lines: Iterator[str] = _strip_bom(self._file)
        else:
            self._file = path.stream() if isinstance(path, SourceFile) else open(path, "rb")
            self.lines = self._mixed(self._file, fallback)

    def _mixed(self, f: BinaryIO, fallback: str | None) -> Iterator[str]:
        odd = self.fallback_lines
        number = 0
        lines = self._byte_lines(f)
        following = next(lines, None)
        moved = b""  # a character's first bytes, cut off by a fold at the end of the line before
        while following is not None:
            raw, following = following, next(lines, None)
            number += 1
            if moved:
                raw, moved = raw[:1] + moved + raw[1:], b""
            try:
                yield raw.decode("utf-8")
                continue
            except UnicodeDecodeError:
                if self._folded and following is not None and following[:1] in (b" ", b"\t"):
                    body = raw.rstrip(b"\r\n")
                    cut = _cut_character(body)
                    if cut:
                        moved = body[-cut:]
                        yield (body[:-cut] + raw[len(body):]).decode("utf-8")
                        continue
                if fallback is None:
                    raise
            odd.add(number)
            yield raw.decode(fallback, LOSSLESS)

    @staticmethod
    def _byte_lines(f: BinaryIO) -> Iterator[bytes]:
        carry = b""
        first = True
        while True:
            chunk = f.read(CHUNK)
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
            yield from lines
            if not chunk:
                return

    def close(self) -> None:
        self._file.close()  # a stream over a SourceFile leaves the file itself open

    def __enter__(self) -> _LineSource:
        return self

    def __exit__(self, *_exc) -> None:
        self.close()


def _cut_character(line: bytes) -> int:
    """How many bytes at the end of ``line`` begin a UTF-8 character left unfinished (1 to 3),
    when the rest of it is UTF-8; else 0."""
    for cut in (1, 2, 3):
        if len(line) < cut or line[-cut] < 0xC0:
            continue
        try:
            line[:-cut].decode("utf-8")
        except UnicodeDecodeError:
            return 0
        try:
            line[-cut:].decode("utf-8")
        except UnicodeDecodeError as e:
            return cut if e.reason == "unexpected end of data" else 0
        return 0
    return 0


def open_lines(path: Path | SourceFile, encoding: str, fallback: str | None, folded: bool = False) -> _LineSource:
    return _LineSource(path, encoding, fallback, folded)
@lru_cache(maxsize=8)
def _field_patterns(delimiter: str) -> tuple[re.Pattern[str], re.Pattern[str]]:
    """(complete fields each followed by the delimiter, one field ending its record),
    written as regular expressions of the csv module's rules (doubled quotes inside
    quotes, text after a closing quote kept, a quote inside an unquoted value literal).
    Possessive repeats keep them linear: no split is ever tried twice."""
    d = re.escape(delimiter)
    field = rf'(?:"(?:[^"]++|"")*+"[^{d}\r\n]*+|[^{d}"\r\n][^{d}\r\n]*+|)'
    return re.compile(rf"(?:{field}{d})*+"), re.compile(rf"{field}(?:\r\n|\r|\n|\Z)")


def open_quote_line(lines: Iterable[str], first_line: int, delimiter: str, start_line: int) -> int | None:
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
