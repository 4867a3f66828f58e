"""Error reports: the flagged rows of an import, written to fix and import again.

The report adds three columns after the file's own; reading a fixed report back
(``_report_columns``, ``_report_origin``) joins each fixed row to the customer
of the row it corrects.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import select

from omnidesk.core.importing import normalize as nz
from omnidesk.core.importing.phone_region import PhoneRegion
from omnidesk.core.importing.report_columns import (
    REPORT_BATCH,
    REPORT_COLUMNS,
    REPORT_PROBLEMS,
    REPORT_ROW,
    extra_names,
    is_extra_column,
)
from omnidesk.core.importing.sniff import FileFormat, Record
from omnidesk.core.models import ImportBatch
from omnidesk.core.workspace import Workspace

if TYPE_CHECKING:  # the plan and result name the report's columns; they do not import it back
    from omnidesk.core.importing.analysis import ImportPlan
    from omnidesk.core.importing.result import ImportResult


# REPORT_BATCH, REPORT_ROW and REPORT_PROBLEMS, the columns an error report adds after the
# file's own, are named in report_columns and imported from here as before.
__all__ = ["REPORT_BATCH", "REPORT_PROBLEMS", "REPORT_ROW", "mixed_report_batches", "report_paths",
           "report_rows", "report_width", "write_error_report"]


def _report_columns(header: Sequence[str]) -> tuple[int, int] | None:
    """Where a fixed error report names each row's original import and row, if it is one."""
    names = list(header)
    if all(n in names for n in (REPORT_BATCH, REPORT_ROW, REPORT_PROBLEMS)):
        return names.index(REPORT_BATCH), names.index(REPORT_ROW)
    return None


def _report_origin(ws: Workspace, records: Iterable[Record], fmt: FileFormat,
                   columns: tuple[int, int]) -> dict | None:
    """The import a single-file error report came from: the batch its first row names,
    when the report's own columns are that file's columns."""
    header = fmt.header
    own = [h for h in header if h not in REPORT_COLUMNS and not is_extra_column(h)]
    if list(header[:len(own)]) != own:
        return None
    first = next(iter(islice(records, 1)), None)
    try:
        batch_id = int(first.values[columns[0]]) if first is not None else None
    except (ValueError, IndexError):
        batch_id = None
    if batch_id is None:
        return None
    batch = ImportBatch.__table__
    with ws.engine.connect() as conn:
        rows = conn.execute(select(batch.c.id, batch.c.file_name, batch.c.header_json, batch.c.mapping_json,
                                   batch.c.channel, batch.c.kind, batch.c.preset, batch.c.options_json)
                            .where(batch.c.status == "done", batch.c.id == batch_id)).all()
    for r in rows:
        if json.loads(r.header_json) == own:
            options = json.loads(r.options_json or "{}")
            orders = {}
            for k, v in (options.get("date_orders") or {}).items():
                try:
                    orders[int(k)] = nz.DateOrder(v)
                except ValueError:
                    continue
            return {"batch_id": r.id, "file_name": r.file_name, "mapping": json.loads(r.mapping_json),
                    "channel": r.channel, "kind": r.kind, "preset": r.preset, "date_orders": orders,
                    "phone_region": _origin_phone_region(options, r.id)}
    return None


def _origin_phone_region(options: dict, batch_id: int) -> PhoneRegion | None:
    """How the original import read numbers without a country code, for its fixed error report."""
    if "phone_region" not in options:
        return None  # imported before the region was recorded: decide as for any file
    code = options["phone_region"]
    if code:
        return PhoneRegion(code, "chosen", f"as import {batch_id} read its numbers")
    return PhoneRegion(None, "mixed", f"as import {batch_id} read its numbers: its file mixes countries",
                       tuple(options.get("phone_region_codes") or ()))


def report_paths(out: Path, names: Sequence[str]) -> list[Path]:
    """Where the error report of each of ``names`` (the files of one import) goes.

    One file: ``out`` itself.  Several: one report per file beside ``out``,
    named after it and the file (``errors.csv`` -> ``errors-shopify.csv``), so
    that each keeps its own file's columns and, fixed, is read back as that
    file was: a row of one export is never read under another's columns,
    channel or consent.
    """
    if len(names) == 1:
        return [out]
    suffix = out.suffix or ".csv"
    used: set[str] = set()
    paths = []
    for name in names:
        stem = _SAFE.sub("_", Path(name).stem).strip("._") or "file"
        candidate, n = out.with_name(f"{out.stem}-{stem}{suffix}"), 2
        while candidate.name.casefold() in used:
            candidate, n = out.with_name(f"{out.stem}-{stem}-{n}{suffix}"), n + 1
        used.add(candidate.name.casefold())
        paths.append(candidate)
    return paths


# What a report's name keeps of a file's name: letters, digits and "-", "_", "."; the rest is "_".
_SAFE = re.compile(r"[^\w.-]+")


def mixed_report_batches(header: Sequence[str], records: Iterable[Record]) -> dict[str, str] | None:
    """A report of several files in one (as omnidesk wrote before, with ``source_file`` first):
    each file it names -> its import, or None when ``header`` is no such report."""
    columns = _report_columns(header)
    if columns is None or not header or header[0] != "source_file":
        return None
    files: dict[str, str] = {}
    for rec in records:
        values = rec.values
        name = values[0] if values else ""
        if name and name not in files:
            files[name] = values[columns[0]] if columns[0] < len(values) else ""
    return files


def report_rows(header: Sequence[str], rows: Iterable[tuple[Sequence[str], int, list[str]]],
                batch_id: int | str, width: int) -> tuple[list[str], Iterable[list]]:
    """An error report's header and rows, from a file's ``header`` and its flagged rows as
    (cells, row number, problems), every row ``width`` cells or fewer.

    The file's own columns come first (the columns of a report of a report are its
    file's own again), then a column for each cell a row held beyond the header
    (``omnidesk_extra_1``, ...: "extra values kept" must be kept in the report too,
    and import back as cells of the row), then the row's number, its problems and
    the import.  A short row is padded to the header's width.
    """
    added = {REPORT_ROW, REPORT_PROBLEMS, REPORT_BATCH}
    keep = [i for i, h in enumerate(header) if h not in added]
    extras = list(range(len(header), width))
    out_header = [header[i] for i in keep] + extra_names(header, len(extras)) + [REPORT_ROW, REPORT_PROBLEMS,
                                                                                 REPORT_BATCH]

    def lines():
        for cells, number, problems in rows:
            n = len(cells)
            yield ([cells[i] if i < n else "" for i in keep] + [cells[i] if i < n else "" for i in extras]
                   + [number, "; ".join(problems), batch_id])

    return out_header, lines()


def report_width(cells: Sequence[str], header_width: int) -> int:
    """How many cells of a flagged row its report keeps: all but empty ones past the header."""
    n = len(cells)
    while n > header_width and not cells[n - 1].strip():
        n -= 1
    return max(n, header_width)


def write_error_report(out: Path, runs: Sequence[tuple[ImportPlan, ImportResult]], *,
                       overwrite: bool = False) -> int:
    """Write one file's flagged rows, as read plus what is wrong, to ``out``; returns rows written.

    The report keeps that file's header, so once fixed it can be imported
    again like the original.  A row's cells beyond the header (kept, and
    flagged, when the file was read) go in columns of their own after the
    file's (see :func:`report_rows`).  Three columns are added at the end: the
    row's number, its problems, and the import it came from (empty after a dry
    run); importing the fixed report reads those to join each fixed row to the
    customer of the row it corrects, and to replace it.  A report of a report
    keeps one set of them.  Several files get a report each (see ``report_paths``).
    """
    from omnidesk.core.exporting.csvsafe import write_csv

    runs = list(runs)
    if len(runs) != 1:
        raise ValueError("an error report holds one file's rows: write one per file (report_paths)")
    plan, result = runs[0]
    width = len(plan.header)
    # The flagged rows are read twice (kept on disk past the first thousand): once for the
    # widest, whose extra cells name the report's columns, once to write them.
    width = max((report_width(f.record.values, width) for f in result.flagged_rows), default=width)
    header, rows = report_rows(plan.header, ((f.record.values, f.record.number, f.problems)
                                             for f in result.flagged_rows),
                               result.batch_id if result.batch_id is not None else "", width)
    return write_csv(out, header, rows, overwrite=overwrite)
