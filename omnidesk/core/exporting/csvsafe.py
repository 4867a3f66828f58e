"""CSV writing that a spreadsheet cannot turn into a formula attack.

A cell starting with ``=``, ``@``, a tab or a carriage return, or with ``+``/``-``
followed by anything but a plain number, is prefixed with an apostrophe (OWASP's
advice).  A plain number is a sign, digits with at most one decimal separator, and
an optional exponent: E.164 phones ``+14155550100``, ``-12.50``, ``-1,5``, ``+1e3``.
``-1-1``, ``-1/2`` or ``+1 (415) 555-0100`` are not: a spreadsheet would work them
out (``-2``), so they are neutralised.  A birthday without its year in ISO form
(``--03-07``) and an everyday email address (``+1-555-shop@example.com``: a local
part may start with either sign) stay as they are too, so the files remain usable
by the tools that import them: an apostrophe in front of an address makes it
another, undeliverable one.

A cell that already starts with apostrophes before such a formula (``'=1+1``) gets
one more, so every guarded cell can be told from one written as it was:
:func:`unguard_cell` takes off exactly the apostrophe the writer added, when an
error report it wrote comes back to be imported.

An address passes only in a narrow shape — letters, digits, ``_``, ``+``, ``-``
and single dots before the ``@``, a dotted domain of letters, digits and hyphens
after it, an all-letter top-level domain.  Such a cell holds no parenthesis (no
function call: no ``HYPERLINK``, no ``WEBSERVICE``), no ``|`` (no DDE link such
as ``+cmd|' /C calc'!A0``), no ``!`` or quote (no sheet reference), no
separator and no line break, so a spreadsheet has nothing in it to run.
Addresses the mail standard allows beyond that shape (``a|b'!c@example.com``)
are neutralised like any other formula-like cell.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import IO, Any

from omnidesk.core.exporting.outfiles import check_output, written_beside
from omnidesk.core.failures import telling_write_failures

# A number a spreadsheet reads as itself: a sign, digits with one decimal separator, an exponent.
_NUMBER_SHAPE = r"[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)(?:[eE][+-]?\d+)?"
_NUMBER = re.compile(_NUMBER_SHAPE)
_YEARLESS_DATE = re.compile(r"--\d\d-\d\d")
_EMAIL_SHAPE = (r"[A-Za-z0-9_+-]+(?:\.[A-Za-z0-9_+-]+)*"
                r"@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}")
_EMAIL = re.compile(_EMAIL_SHAPE)
# Where, in a column's cells joined by NULs behind a leading NUL, a cell starts that
# safe_cell would change: one search clears a whole column (see safe_column).
# Apostrophes in front of such a start count as nothing (see safe_cell).
_RISKY_CELL_START = re.compile(
    rf"\x00'*+(?:[=@\t\r]|(?=[+-])(?!{_NUMBER_SHAPE}(?:\x00|\Z))(?!--\d\d-\d\d(?:\x00|\Z))"
    rf"(?!{_EMAIL_SHAPE}(?:\x00|\Z)))")
_ONLY_STR = {str}


def _formula_like(text: str) -> bool:
    """Whether a spreadsheet would read ``text`` (not empty) as a formula to run."""
    first = text[0]
    return first in "=@\t\r" or (first in "+-" and not _NUMBER.fullmatch(text)
                                  and not _YEARLESS_DATE.fullmatch(text) and not _EMAIL.fullmatch(text))


def safe_cell(value: Any) -> str:
    """``value`` as a CSV cell no spreadsheet runs: a formula-like text gets an apostrophe in front.

    So does one whose apostrophes stand before a formula (``'=1+1`` is written
    ``''=1+1``, shown ``'=1+1``): the apostrophe added is then always the first of
    the cell and :func:`unguard_cell` can take it off again, nothing else.
    """
    if value is None:
        return ""
    text = str(value)
    if not text:
        return text
    body = text.lstrip("'") if text[0] == "'" else text
    if body and _formula_like(body):
        return "'" + text
    return text


def unguard_cell(text: str) -> str:
    """A cell :func:`safe_cell` wrote, as it was before: the apostrophe it added taken off.

    Only that apostrophe goes: a cell safe_cell leaves alone (``'t Hooft``, ``'123``)
    comes back as it is.  For reading back a file omnidesk wrote (an error report)."""
    if text[:1] != "'":
        return text
    body = text.lstrip("'")
    return text[1:] if body and _formula_like(body) else text


def safe_column(values: list[Any]) -> list[Any]:
    """``values`` with every cell made safe, as :func:`safe_cell` does one by one.

    A column of plain strings none of which needs changing, the usual case, is
    cleared by one search over the joined column and returned as it is.  Only
    exact ``str`` takes that way (safe_cell writes ``str()`` of anything else,
    a str-based enum's name included), and a NUL inside a cell would fake the
    start of another, so the separators must count exactly.
    """
    if values and {*map(type, values)} == _ONLY_STR:
        joined = "\x00" + "\x00".join(values)
        if joined.count("\x00") == len(values) and _RISKY_CELL_START.search(joined) is None:
            return values
    return [safe_cell(v) for v in values]


def write_rows(fh: IO[str], header: Sequence[str] | None, rows: Iterable[Sequence[Any]]) -> int:
    """Write a header and rows to an open text file, every cell made safe; returns the rows.

    ``header=None`` writes the rows alone, for the few importers that read a
    header row as data.
    """
    writer = csv.writer(fh)
    if header is not None:
        writer.writerow([safe_cell(h) for h in header])
    n = 0
    for row in rows:
        writer.writerow([safe_cell(v) for v in row])
        n += 1
    return n


def _csv_cells(values: list[str]) -> list[str]:
    """A column's cells as the csv module writes them in a row of several (quoted where it quotes)."""
    joined = "\x00".join(values)
    if not ("," in joined or '"' in joined or "\r" in joined or "\n" in joined):
        return values
    return ['"' + v.replace('"', '""') + '"' if ("," in v or '"' in v or "\r" in v or "\n" in v) else v
            for v in values]


def write_column_chunks(fh: IO[str], header: Sequence[str] | None,
                        chunks: Iterable[Sequence[list[Any]]]) -> int:
    """Write rows given a chunk at a time as columns (lists of the same length); returns the rows.

    The same bytes as :func:`write_rows` of the same rows, several times faster
    for a big file: each column is made safe in one pass, and a chunk of
    plain-string cells is laid out as the csv module would (comma-separated,
    quoted only where a cell holds a comma, a quote or a line break, CRLF line
    ends) with joins instead of a call per row.  A chunk the shortcut cannot
    be sure of (one column; a NUL in a cell) goes through the csv module.
    """
    writer = csv.writer(fh)
    if header is not None:
        writer.writerow([safe_cell(h) for h in header])
    n = 0
    for columns in chunks:
        safe = [safe_column(column) for column in columns]
        lengths = {len(column) for column in safe}
        if len(lengths) > 1:
            raise ValueError(f"the columns of one chunk differ in length ({sorted(lengths)})")
        count = lengths.pop() if lengths else 0
        n += count
        if not count:
            continue
        # A one-cell row of "" is written '""' by the csv module, and a NUL it writes as it is.
        if len(safe) < 2 or any("\x00" in "".join(column) for column in safe):
            writer.writerows(zip(*safe, strict=True))
            continue
        cells = [_csv_cells(column) for column in safe]
        fh.write("\r\n".join(map(",".join, zip(*cells, strict=True))))
        fh.write("\r\n")
    return n


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """The same CSV as :func:`write_csv` writes, as UTF-8 bytes (for a member of a zip)."""
    buf = io.StringIO(newline="")
    write_rows(buf, header, rows)
    return buf.getvalue().encode("utf-8")


def write_csv(path: Path, header: Sequence[str] | None, rows: Iterable[Sequence[Any]], *,
              excel: bool = False, overwrite: bool = False) -> int:
    """Write UTF-8 CSV; returns the data rows written.

    ``excel`` adds a byte-order mark so Excel reads accents right; files for
    other programs go without it, because a BOM glued to the first header
    breaks strict readers.

    Never writes over a workspace; an existing file is replaced only with
    ``overwrite`` (see ``outfiles.check_output``).  Writes to a temporary file
    and renames it, so a crash never leaves half a file; when writing fails (a
    full disk, say) the temporary file is removed and the error raised, and an
    existing file at ``path`` is left as it was.
    """
    return _write_atomically(path, lambda fh: write_rows(fh, header, rows), excel=excel, overwrite=overwrite)


def write_csv_columns(path: Path, header: Sequence[str] | None, chunks: Iterable[Sequence[list[Any]]], *,
                      excel: bool = False, overwrite: bool = False) -> int:
    """:func:`write_csv` for rows given a chunk at a time as columns (see :func:`write_column_chunks`)."""
    return _write_atomically(path, lambda fh: write_column_chunks(fh, header, chunks), excel=excel,
                             overwrite=overwrite)


def _write_atomically(path: Path, write: Callable[[IO[str]], int], *, excel: bool, overwrite: bool) -> int:
    path = check_output(path, overwrite=overwrite)
    # The OS's words would name the temporary file, which the user never asked for.
    with telling_write_failures(path), written_beside(path, overwrite=overwrite) as tmp:
        with tmp.open("w", encoding="utf-8-sig" if excel else "utf-8", newline="", buffering=1 << 20) as fh:
            n = write(fh)
    return n
