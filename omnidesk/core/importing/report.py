"""Error reports: the flagged rows of an import, written to fix and import again.

The report adds three columns after the file's own; reading a fixed report back
(``_report_columns``, ``_report_origin``) joins each fixed row to the customer
of the row it corrects.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import select

from omnidesk.core.importing import normalize as nz
from omnidesk.core.importing.flagged import FlaggedRow
from omnidesk.core.importing.phone_region import PhoneRegion
from omnidesk.core.importing.sniff import FileFormat, Record
from omnidesk.core.models import ImportBatch
from omnidesk.core.workspace import Workspace

if TYPE_CHECKING:  # the plan and result name the report's columns; they do not import it back
    from omnidesk.core.importing.analysis import ImportPlan
    from omnidesk.core.importing.result import ImportResult


# The columns an error report adds after the file's own (see write_error_report).
REPORT_BATCH, REPORT_ROW, REPORT_PROBLEMS = "omnidesk_batch", "omnidesk_row", "omnidesk_problems"


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
    own = [h for h in header if h not in (REPORT_BATCH, REPORT_ROW, REPORT_PROBLEMS)]
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


def write_error_report(out: Path, runs: Sequence[tuple[ImportPlan, ImportResult]], *,
                       overwrite: bool = False) -> int:
    """Write flagged rows, as read plus what is wrong, to ``out``; returns rows written.

    With one file the report keeps that file's header, so once fixed it can be
    imported again like the original.  Several files get the union of headers
    plus a ``source_file`` column.  Three columns are added at the end: the
    row's number, its problems, and the import it came from (empty after a dry
    run); importing the fixed report reads those to join each fixed row to the
    customer of the row it corrects.  A report of a report keeps one set of them.
    """
    from omnidesk.core.exporting.csvsafe import write_csv

    runs = list(runs)
    added = [REPORT_ROW, REPORT_PROBLEMS, REPORT_BATCH]

    def own(plan: ImportPlan) -> list[int]:
        return [i for i, h in enumerate(plan.header) if h not in added]

    def trailer(result: ImportResult, f: FlaggedRow) -> list:
        return [f.record.number, "; ".join(f.problems), result.batch_id if result.batch_id is not None else ""]

    if len(runs) == 1:
        plan, result = runs[0]
        keep = own(plan)
        header = [plan.header[i] for i in keep] + added
        rows = (
            [f.record.values[i] if i < len(f.record.values) else "" for i in keep] + trailer(result, f)
            for f in result.flagged_rows
        )
        return write_csv(out, header, rows, overwrite=overwrite)
    # A column is its name and which of that name it is: a file with two "Phone" columns
    # keeps both, and each file's second "Phone" lands under the same report column.
    def keyed(plan: ImportPlan) -> dict[tuple[str, int], int]:
        seen: dict[str, int] = {}
        keys = {}
        for i in own(plan):
            name = plan.header[i]
            keys[(name, seen.get(name, 0))] = i
            seen[name] = seen.get(name, 0) + 1
        return keys

    columns: list[tuple[str, int]] = []
    for plan, _ in runs:
        for key in keyed(plan):
            if key not in columns:
                columns.append(key)
    header = ["source_file"] + [name for name, _ in columns] + added

    def gen():
        for plan, result in runs:
            index = keyed(plan)
            for f in result.flagged_rows:
                vals = f.record.values
                yield [plan.file_name] + [
                    vals[index[c]] if c in index and index[c] < len(vals) else "" for c in columns
                ] + trailer(result, f)

    return write_csv(out, header, gen(), overwrite=overwrite)
