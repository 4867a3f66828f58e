"""Whether a file is text at all, and in which encoding it is written.

Refuses what is not a regular file, known binary formats (with what the file
really is), UTF-32, zero bytes and control-character noise; decides UTF-8,
UTF-16 with or without a BOM, mostly-UTF-8 with a per-line fallback code page,
or a legacy code page (guessed in ``encodings``), or applies the encoding the
user chose.  The rules are listed in ``sniff``'s module notes.
"""

from __future__ import annotations

import codecs
import os
import re
import zipfile
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

from omnidesk.core import userfiles
from omnidesk.core.errors import UserError
from omnidesk.core.importing.encodings import (
    LOSSLESS,
    SAMPLE_BYTES,
    codec_label,
    guess_legacy,
    resolve_encoding,
)
from omnidesk.core.importing.source_file import SourceFile
from omnidesk.core.importing.unreadable import (
    UnreadableFileError,
    binary_data,
    excel_workbook,
    truncated_utf16,
)
from omnidesk.core.text import printable

CHUNK = 1 << 20

UTF8 = ("utf-8", "utf-8-sig")


def check_regular_file(path: str | os.PathLike[str]) -> None:
    """Refuse, with a sentence that says what it is, a path that is not a regular
    file: a folder, a named pipe (FIFO), a device or socket, or a link to one
    (reading such a thing would hang or make no sense).  Missing files say so."""
    userfiles.check_regular_file(path, pick="pick the exported CSV file itself",
                                 folder_pick="pick the CSV files inside it", error=UnreadableFileError)


def refuse_known_binary(p: Path, head: bytes) -> None:
    name = printable(p.name)
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        members = _zip_members(p)
        if any(m.startswith("xl/") for m in members):
            raise excel_workbook(name)
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
        raise excel_workbook(name)
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


def detect_encoding(src: SourceFile, head: bytes, size: int,
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
            raise truncated_utf16(name)
        _validate_utf16(src, encoding, name)
        return encoding, None, []
    if b"\x00" in head:
        raise binary_data(name, head.index(b"\x00"))
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
    chunks = src.chunks(CHUNK)
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


def chosen_encoding(src: SourceFile, head: bytes, encoding: str, name: str) -> tuple[str, str | None, list[str]]:
    """The user's encoding: UTF-8 still reads a line that is not UTF-8 (flagged, in
    Windows-1252); every other codec reads every byte."""
    try:
        codec = resolve_encoding(encoding)
    except UserError as e:
        raise UnreadableFileError(str(e)) from None
    if codec in UTF8:
        codec = "utf-8-sig" if head.startswith(codecs.BOM_UTF8) else "utf-8"
        if _first_undecodable_line(src, "utf-8", name) is None:
            return codec, None, []
        stats = _utf8_lines(src)
        lines = "1 line is" if stats.bad == 1 else f"{stats.bad:,} lines are"
        return codec, "cp1252", [
            f"{lines} not UTF-8 (the first is line {stats.first_bad}): read as "
            f"{codec_label('cp1252')} and flagged; check them."
        ]
    asked = codec_label(codec)
    if codec == "utf-16":
        # Without a BOM Python's utf-16 assumes big-endian; the bytes tell which it is.
        codec = ("utf-16-le" if head.startswith(codecs.BOM_UTF16_LE)
                 else "utf-16-be" if head.startswith(codecs.BOM_UTF16_BE)
                 else _utf16_without_bom(head) or "utf-16-le")
    if codec in ("utf-16-le", "utf-16-be"):
        _check_chosen_utf16(src, head, codec, name, asked)
    return codec, None, []


def _check_chosen_utf16(src: SourceFile, head: bytes, codec: str, name: str, label: str) -> None:
    """Refuse a file the user said is UTF-16 whose bytes are not UTF-16 text.

    Read anyway, a UTF-8 file in UTF-16 is one line of Chinese-looking characters:
    "a header but no rows", which sends the user looking for rows that are there.
    Every comma, line break and digit of UTF-16 text comes with a zero byte; a
    file without any, or with bytes UTF-16 cannot hold, is not UTF-16.
    """
    advice = ("choose another encoding, or let Omnidesk detect it (on the command line, "
              "leave out --encoding)")
    has_bom = head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
    if not has_bom and b"\x00" not in head:
        other = ""
        try:
            head.decode("utf-8")
            other = " (they read as UTF-8)"
        except UnicodeDecodeError:
            pass
        raise UnreadableFileError(
            f'"{name}" does not read as {label}: its bytes do not fit that encoding{other}, since '
            f"{label} text has a zero byte beside every comma, line break and digit and this file "
            f"has none; {advice}."
        )
    if src.size % 2:
        raise UnreadableFileError(
            f'"{name}" does not read as {label}: it has an odd number of bytes, and {label} text '
            f"is written two bytes at a time; {advice}, or export the file again if it was cut off."
        )
    decoder = codecs.getincrementaldecoder(codec)("strict")
    lines = 0
    try:
        for chunk in src.chunks(CHUNK):
            lines += decoder.decode(chunk).count("\n")
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        raise UnreadableFileError(
            f'"{name}" does not read as {label}: near line {lines + 1} its bytes do not fit that '
            f"encoding; {advice}."
        ) from None


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


def refuse_control_characters(name: str, head: bytes, encoding: str) -> None:
    """Refuse binary data without zero bytes: once decoded, it is full of C0
    control characters (and DEL) that no text export holds.

    Only the first block of the file (the sample) is looked at.  The bytes
    a code page leaves undefined are not counted: files in other one-byte
    code pages (Mac Roman, DOS) use them for letters and are still text.
    """
    errors = "replace" if encoding in UTF8 else LOSSLESS
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
    for chunk in src.chunks(CHUNK):
        if b"\x00" in chunk:
            raise binary_data(name, offset + chunk.index(b"\x00"))
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
    for chunk in src.chunks(CHUNK):
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
        raise truncated_utf16(name) from None
