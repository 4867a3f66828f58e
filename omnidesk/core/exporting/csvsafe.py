"""CSV writing that a spreadsheet cannot turn into a formula attack.

A cell starting with ``=``, ``@``, a tab or a carriage return, or with ``+``/``-``
followed by anything but a plain number, is prefixed with an apostrophe (OWASP's
advice).  Plain numbers such as E.164 phones ``+14155550100`` or ``-12.50``, and
a birthday without its year in ISO form (``--03-07``), stay as they are, so the
files remain usable by the tools that import them.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import IO, Any

from omnidesk.core.exporting.outfiles import check_output

_NUMBER = re.compile(r"^[+-]?[\d][\d .,()/-]*$")
_YEARLESS_DATE = re.compile(r"^--\d\d-\d\d$")


def safe_cell(value: Any) -> str:
    if value is None:
        return ""
    text = str(value)
    if not text:
        return text
    first = text[0]
    if first in "=@\t\r" or (first in "+-" and not _NUMBER.match(text) and not _YEARLESS_DATE.match(text)):
        return "'" + text
    return text


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
    path = check_output(path, overwrite=overwrite)
    tmp = path.with_name(path.name + ".part")
    try:
        with tmp.open("w", encoding="utf-8-sig" if excel else "utf-8", newline="") as fh:
            n = write_rows(fh, header, rows)
        tmp.replace(path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return n
