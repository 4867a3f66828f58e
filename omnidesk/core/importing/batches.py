"""Import batches: listing them, their flagged rows and error reports, and undoing one."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from sqlalchemy import delete, func, select, update

from omnidesk.core.campaigns.sends import keep_sends
from omnidesk.core.changes import Changes
from omnidesk.core.channels import HAND
from omnidesk.core.errors import UserError
from omnidesk.core.identity.golden import refresh_customers
from omnidesk.core.identity.merge import keep_merges_past, merges_of_batch, undo_log_in
from omnidesk.core.identity.profiles import all_followers
from omnidesk.core.identity.resolve import model_from_settings, place_left_behind
from omnidesk.core.identity.scoring import Model
from omnidesk.core.identity.stats import forget_records
from omnidesk.core.identity.writes import outlive_leads, place_followers
from omnidesk.core.importing import running
from omnidesk.core.importing.copies import HANDED_TO, copies_of, copy_of, hand_over, rows_followed, rows_now_in
from omnidesk.core.importing.sightings import hand_on_events
from omnidesk.core.importing.supersede import FIXED, Replacements, is_replaced, restore_superseded
from omnidesk.core.journal import Journal, JournalConflict, JournaledWorkspace, revert
from omnidesk.core.metrics_index import forget_batch
from omnidesk.core.models import (
    HAND_KIND,
    Consent,
    CustomField,
    Event,
    Identifier,
    ImportBatch,
    SourceRecord,
    utcnow,
)
from omnidesk.core.tasks import CancelCheck, Cancelled, never_cancelled
from omnidesk.core.text import counted
from omnidesk.core.workspace import Workspace

_BATCH_FIELDS = ("id", "file_name", "channel", "kind", "preset", "status", "started_at",
                 "finished_at", "rows", "imported", "flagged", "duplicates", "events",
                 "customers_created", "encoding")


def list_batches(ws: Workspace) -> list[dict]:
    """Every import batch, newest first, as plain dicts.

    An import whose process died while it ran (killed, the computer switched off) added
    nothing, its transaction never having committed: its row is "interrupted", not
    "running" (see ``running``), and its counts are all 0."""
    table = ImportBatch.__table__
    with ws.engine.connect() as conn:
        # What the user entered by hand is kept in a batch of its own: not a file, not undone from here.
        rows = conn.execute(select(table).where(table.c.kind != HAND_KIND)
                            .order_by(table.c.id.desc())).mappings().all()
    how = {row["id"]: (row["status"], row["options_json"]) for row in rows}
    # A file imported again is listed as a copy of the import that holds its rows (``copy_of``), and
    # an import undone while such a copy was kept says which import holds its rows now (``rows_now_in``).
    return [{**{k: row[k] for k in _BATCH_FIELDS},
             "status": running.shown_status(row["status"], row["options_json"]),
             "copy_of": copy_of(row["options_json"]) if row["status"] == "done" else None,
             "rows_now_in": rows_followed(row["id"], how.get) if row["status"] == "undone" else None}
            for row in rows]


def copy_words(batch: dict) -> str | None:
    """What the list of imports (:func:`list_batches`) says of a file imported again, or of an import
    undone while such a copy was kept; None for any other import."""
    if batch.get("copy_of") is not None:
        return f"a copy of import {batch['copy_of']}: the same file again"
    if batch.get("rows_now_in") is not None:
        return f"its rows are import {batch['rows_now_in']}'s now"
    return None


def undo_batch(ws: Workspace, batch_id: int) -> dict[str, int]:
    """Remove exactly what batch ``batch_id`` added, in one transaction.

    Its source records, identifiers, consent facts, custom fields and events go; customers
    that were made only of those records go too; customers its records
    merged (a row carrying one customer's email and another's phone) are split
    again; every other customer it touched gets its golden record rebuilt from
    what remains.  The batch stays
    in the list, marked "undone", so the history is honest; the same file can
    be imported again afterwards.

    While a copy of its file imported since is still kept (the same bytes: see
    ``copies``), nothing is removed: its rows become the earliest such copy's,
    under that file's name and time (the result's ``handed_to`` names it), and
    undoing that copy then removes them.  A copy undone removes nothing but
    itself from the list.
    """
    model = model_from_settings(ws.get_setting)
    with ws.writing() as conn:
        return undo_batch_in(conn, batch_id, model)


def undo_batch_in(conn, batch_id: int, model: Model | None = None) -> dict[str, int]:
    """:func:`undo_batch` inside the caller's transaction (``model``: the workspace's, for placing
    again what its records held to their customers: :func:`_left_behind`)."""
    batch_t = ImportBatch.__table__
    rec = SourceRecord.__table__
    status = conn.execute(select(batch_t.c.status).where(batch_t.c.id == batch_id)).scalar()
    if status is None:
        raise UserError(f"There is no import {batch_id}.")
    if conn.execute(select(batch_t.c.kind).where(batch_t.c.id == batch_id)).scalar() == HAND_KIND:
        raise UserError(f"{batch_id} holds what was entered by hand, not an import; change or clear those "
                        "entries on the customers instead.")
    if status == "running" and batch_id in running.dead_imports(conn):
        raise UserError(f"Import {batch_id} was interrupted (its process ended before it finished) and added "
                        "nothing, so there is nothing to undo; the next import removes it from the list.")
    if status != "done":
        raise UserError(f"Import {batch_id} is {status}; only a finished import can be undone.")
    copies = copies_of(conn, batch_id)
    if copies:
        # A copy of its file the user kept says the same (an opt-out among it): its rows stay, the copy's now.
        handed = conn.execute(select(func.count()).select_from(rec).where(rec.c.batch_id == batch_id)).scalar()
        refresh_customers(conn, hand_over(conn, batch_id, copies[0]))
        conn.execute(update(batch_t).where(batch_t.c.id == batch_id).values(status="undone", finished_at=utcnow()))
        return {"source_records": 0, "events": 0, "customers": 0, "merges_undone": 0, "records_put_back": 0,
                "handed_over": handed, HANDED_TO: copies[0]}
    in_batch = select(rec.c.id).where(rec.c.batch_id == batch_id)
    # Its merges are split again, and the records it took off a customer (a list member on an
    # address it showed to be a family's) go back.
    undone = merges_of_batch(conn, batch_id)
    for log_id, _kind, _moved in undone:  # newest first, each undone as it was made
        undo_log_in(conn, log_id, new_id_if_taken=True)
    touched = set(conn.execute(
        select(rec.c.customer_id).where(rec.c.batch_id == batch_id, rec.c.customer_id.is_not(None))
        .distinct()
    ).scalars())
    left_behind = _left_behind(conn, batch_id)
    # The rows its fixed rows replaced count again (their events come back).
    touched |= restore_superseded(conn, batch_id)
    forget_batch(conn, batch_id)
    # Events of rows a later file repeats (recorded once, here) stay, that file's now.
    touched |= hand_on_events(conn, batch_id)
    events = conn.execute(delete(Event.__table__).where(Event.__table__.c.batch_id == batch_id)).rowcount
    # What was entered by hand stays with its person, or at least on its customer, able to find them again.
    outlive_leads(conn, batch_id)
    # The user's merges keyed by its rows still hold what they joined, tied past them.
    keep_merges_past(conn, conn.execute(in_batch).scalars().all())
    conn.execute(delete(Consent.__table__).where(Consent.__table__.c.record_id.in_(in_batch)))
    conn.execute(delete(Identifier.__table__).where(Identifier.__table__.c.record_id.in_(in_batch)))
    conn.execute(delete(CustomField.__table__).where(CustomField.__table__.c.record_id.in_(in_batch)))
    doomed = conn.execute(in_batch).scalars().all()
    forget_records(conn, doomed)
    # Messages exported to a customer who keeps another record stay on record (caps, results):
    # moved onto that record, now that the merges it caused are split again.
    keep_sends(conn, doomed)
    records = conn.execute(delete(rec).where(rec.c.batch_id == batch_id)).rowcount
    # The activity that was its people's by their address (a list member's opens) is placed again,
    # as an import places it: with whom the address names now, as a rebuild puts it.
    if left_behind:
        touched |= place_left_behind(conn, list(left_behind), model)
        led = {f: lead for f, lead in all_followers(conn).items() if lead in left_behind}
        touched |= place_followers(conn, led)
    removed_customers = refresh_customers(conn, touched)
    conn.execute(update(batch_t).where(batch_t.c.id == batch_id).values(status="undone", finished_at=utcnow()))
    return {"source_records": records, "events": events, "customers": removed_customers,
            "merges_undone": sum(kind == "auto" for _, kind, _ in undone),
            "records_put_back": sum(moved for _, kind, moved in undone if kind == "unmerge")}


def _left_behind(conn, batch_id: int) -> set[int]:
    """The records of other imports known by an address alone that were with the named records of
    import ``batch_id`` by that address: on their customer, sharing an email or phone with them.

    Undoing the email list's import takes Annie's record off the customer her opens are on; the
    opens are placed again (``resolve.place_left_behind``), not left a nameless customer of their
    own.  Rows that follow another (an order's later rows, what was entered by hand) go with it.
    """
    rec, ident = SourceRecord.__table__, Identifier.__table__
    mine, theirs = rec.alias("mine"), rec.alias("theirs")
    said, same = ident.alias("said"), ident.alias("same")
    # One query, set by set (the import's 50,000 records asked about chunk by chunk took seconds).
    out = set(conn.execute(
        select(theirs.c.id).distinct()
        .select_from(mine.join(said, said.c.record_id == mine.c.id)
                     .join(same, (same.c.kind == said.c.kind) & (same.c.value == said.c.value))
                     .join(theirs, theirs.c.id == same.c.record_id))
        .where(mine.c.batch_id == batch_id, mine.c.customer_id.is_not(None), mine.c.first_name != "",
               said.c.kind.in_(("email", "phone")),
               theirs.c.batch_id != batch_id, theirs.c.customer_id == mine.c.customer_id,
               theirs.c.first_name == "", theirs.c.channel != HAND, theirs.c.kind != "skipped")).scalars())
    if not out:
        return set()
    led = all_followers(conn)
    return {rid for rid in out if rid not in led}


def undo_also_did(removed: dict[str, int]) -> str:
    """What :func:`undo_batch` did besides removing rows, as the end of its sentence ("" if nothing):
    the merges it split again, the records it put back, and the import of a copy of its file
    that holds its rows now."""
    split, back = removed.get("merges_undone", 0), removed.get("records_put_back", 0)
    heir = removed.get(HANDED_TO)
    return ((f"; split {counted(split, 'merge')} it had caused" if split else "")
            + (f"; put {counted(back, 'record')} back on the customer it had taken "
               f"{'them' if back != 1 else 'it'} off" if back else "")
            + (f"; its {counted(removed.get('handed_over', 0), 'record')} stay, import {heir}'s now "
               f"(the same file imported again, still kept)" if heir else ""))


def undo_batches(ws: Workspace, batch_ids: Sequence[int]) -> BatchesUndone:
    """Undo several imports at once (the newest first), in one transaction: all of them or none."""
    totals: dict[str, int] = {}
    model = model_from_settings(ws.get_setting)
    with ws.writing() as conn:
        for batch_id in sorted(batch_ids, reverse=True):
            for key, n in undo_batch_in(conn, batch_id, model).items():
                if key != HANDED_TO:  # an import's id, not a count
                    totals[key] = totals.get(key, 0) + n
    return BatchesUndone(totals, list(batch_ids))


def take_back_batches(ws: Workspace, batch_ids: Sequence[int]) -> BatchesUndone:
    """:func:`undo_batches`, journaled when the imports hold at most ``UNDOABLE_RECORDS`` records:
    :func:`put_back_batches` then brings them back exactly, their customers and records under the
    numbers they had, so what was done to those customers since still finds them.  Bigger imports
    are taken back unjournaled (the journal would hold all of their rows in memory); ``journal``
    is None then, and only importing the files again brings their rows back, under new numbers."""
    rec = SourceRecord.__table__
    ids = list(batch_ids)
    with ws.engine.connect() as conn:
        records = conn.execute(select(func.count()).select_from(rec).where(rec.c.batch_id.in_(ids))).scalar() or 0
    if records > UNDOABLE_RECORDS:
        return undo_batches(ws, ids)
    journaled = JournaledWorkspace(ws)
    undone = undo_batches(journaled, ids)
    undone.journal = journaled.journal()
    return undone


def put_back_batches(ws: Workspace, undone: BatchesUndone) -> Changes:
    """Put back exactly what :func:`take_back_batches` took back, in one transaction.

    Refused (``JournalConflict``, nothing changed) when anything it touched has changed since,
    or when it was not journaled."""
    if undone.journal is None:
        raise JournalConflict("That import was too big to keep as it was; only its files imported again bring it back.")
    return revert(ws, undone.journal) | undone.changes


@dataclass
class BatchesUndone:
    """What :func:`undo_batches` removed (summed over the imports) and what the screens re-read."""

    removed: dict[str, int]
    batch_ids: list[int]
    # Every row the undo changed, when it was journaled (take_back_batches): put_back_batches replays it.
    journal: Journal | None = None

    @property
    def changes(self) -> Changes:
        return Changes(customer_list=True, reviews=True, imports=True)


@dataclass
class BatchRemoval:
    """An import taken back with every row it changed journaled, so that :func:`restore_batch`
    puts it back exactly (the same ids, the same golden records, the merges it made)."""

    batch_id: int
    file_name: str
    removed: dict[str, int]
    journal: Journal

    @property
    def changes(self) -> Changes:
        return self.journal.changes() | Changes(customer_list=True, reviews=True, imports=True)


# Taking back a bigger import is not journaled: the journal would hold all of its rows in memory.
UNDOABLE_RECORDS = 100_000


def remove_batch(ws: Workspace, batch_id: int) -> BatchRemoval:
    """:func:`undo_batch`, journaled: what the Imports screen's Undo runs, so Edit › Undo can take it back."""
    journaled = JournaledWorkspace(ws)
    removed = undo_batch(journaled, batch_id)
    with ws.engine.connect() as conn:
        name = conn.execute(select(ImportBatch.__table__.c.file_name)
                            .where(ImportBatch.__table__.c.id == batch_id)).scalar() or ""
    return BatchRemoval(batch_id, name, removed, journaled.journal())


def restore_batch(ws: Workspace, removal: BatchRemoval) -> Changes:
    """Put back exactly what :func:`remove_batch` removed, in one transaction.

    Refused (``JournalConflict``, nothing changed) when anything it touched has changed since.
    """
    return revert(ws, removal.journal)


@dataclass(frozen=True)
class FlaggedRecord:
    """One flagged row of an import, as read, with what is wrong with it."""

    row: int  # the row's number among the file's rows (an error report's omnidesk_row)
    problems: list[str]
    values: list[str]  # the cells exactly as decoded, aligned with the batch's header
    fixed_by: int | None = None  # the import whose fixed row replaced it (an error report, fixed)
    # The later orders export whose version of the row's order replaced it: not a fix of this row.
    replaced_by: int | None = None
    # The line of the file the row starts on: the row number a spreadsheet shows it at, past a
    # title line or an empty line above it.  0 for a row typed in by hand.
    line: int = 0


def _batch_or_fail(conn, batch_id: int):
    batch_t = ImportBatch.__table__
    batch = conn.execute(select(batch_t.c.status, batch_t.c.header_json, batch_t.c.file_name)
                         .where(batch_t.c.id == batch_id)).first()
    if batch is None:
        raise UserError(f"There is no import {batch_id}.")
    return batch


def flagged_records(ws: Workspace, batch_id: int, *, limit: int | None = None,
                    offset: int = 0) -> list[FlaggedRecord]:
    """The flagged rows of import ``batch_id`` in file order (``limit`` of them from ``offset``)."""
    rec = SourceRecord.__table__
    query = (select(rec.c.record_no, rec.c.problems_json, rec.c.raw_json, rec.c.values_json, rec.c.line_no)
             .where(rec.c.batch_id == batch_id, rec.c.flagged.is_(True)).order_by(rec.c.record_no))
    if limit is not None:
        query = query.limit(limit).offset(offset)
    with ws.engine.connect() as conn:
        _batch_or_fail(conn, batch_id)
        replacements = Replacements(conn)
        out = []
        for no, problems, raw, values, line in conn.execute(query).all():
            replaced = replacements.of(values)
            fixed = replaced is not None and replaced.why == FIXED
            out.append(FlaggedRecord(no, json.loads(problems or "[]"), json.loads(raw),
                                     replaced.batch if fixed else None,
                                     replaced.batch if replaced is not None and not fixed else None, line or 0))
        return out


class WrittenReport(NamedTuple):
    """What :func:`write_batch_error_report` wrote."""

    rows: int  # flagged rows written
    fixed: int  # flagged rows left out: a later import's fixed row replaced each
    # Flagged rows left out whose order a later orders export replaced (not fixed: the later
    # export's version of the order counts instead, and a fix of the old row would undo it).
    replaced: int = 0
    # The import whose rows were written: the one asked for, or the copy of its file that holds its
    # rows since it was undone (``copies.hand_over``).
    batch_id: int | None = None
    moved: str = ""  # then, a sentence saying so ("" otherwise)


def left_out(written: WrittenReport) -> str:
    """What an error report left out, as the end of the sentence that says it was written ("" if nothing)."""
    parts = ([f"{counted(written.fixed, 'row')} a later import fixed"] if written.fixed else []) + (
        [f"{counted(written.replaced, 'row')} whose order a later export replaced"] if written.replaced else [])
    return f"; left out {' and '.join(parts)}" if parts else ""


class NothingToReport(UserError):
    """An import has no flagged row left to write: none was flagged, or every one was fixed.
    Not an error of the user's: nothing is written, and the sentence says why."""


def write_batch_error_report(ws: Workspace, batch_id: int, out: Path, *, overwrite: bool = False,
                             cancelled: CancelCheck = never_cancelled) -> WrittenReport:
    """Write import ``batch_id``'s flagged rows that still need fixing as an error report again.

    The same layout as the report the import wrote (``report.report_rows``):
    the file's own columns, the cells a row held beyond them, then the row's
    number, its problems and the import, so the fixed report imports back onto
    the customers it corrects with every cell of each row.  Rows an earlier
    fixed report already replaced are left out: imported again as they were,
    broken, they would replace their fix.  So are rows whose order a later
    orders export replaced (counted apart: they were not fixed): that export's
    version of the order counts, and a fix of the older row would replace it.
    When no row was flagged, or every flagged row is fixed or replaced, nothing
    is written and :class:`NothingToReport` says so.  Rows are read from the
    workspace a page at a time, not held in memory.

    An import undone while a copy of its file was kept handed its rows to that
    copy (``copies.hand_over``): its report is the copy's, numbered with the
    copy (``WrittenReport.batch_id`` says which), so a fixed row replaces the row
    that is kept.

    ``cancelled`` is asked as the rows are read: when it says yes,
    :class:`Cancelled` is raised and no file is left behind.
    """
    from omnidesk.core.exporting.csvsafe import write_csv
    from omnidesk.core.importing.report import report_rows, report_width

    rec = SourceRecord.__table__

    def check() -> None:
        if cancelled():
            raise Cancelled("Report cancelled: no file was written.")

    with ws.engine.connect() as conn:
        batch = _batch_or_fail(conn, batch_id)
        if batch.status == "undone":
            heir = rows_now_in(conn, batch_id)
            if heir is None:
                raise UserError(f"Import {batch_id} ({batch.file_name}) was undone: its rows are no longer kept.")
            # Undone while a copy of its file was kept: its rows are that import's now, and so is the report.
            held = _batch_or_fail(conn, heir)
            moved = (f"Import {batch_id} ({batch.file_name}) was undone while a copy of its file was kept: its rows "
                     f"are import {heir}'s ({held.file_name}) now. ")
            batch_id, batch = heir, held
        else:
            moved = ""
        flagged = (rec.c.batch_id == batch_id, rec.c.flagged.is_(True))
        header = json.loads(batch.header_json or "[]")
        total = fixed = replaced = 0
        width = len(header)
        replacements = Replacements(conn)
        for raw, values in conn.execution_options(stream_results=True, yield_per=5000).execute(
                select(rec.c.raw_json, rec.c.values_json).where(*flagged)):
            total += 1
            if not total % 1000:
                check()
            why = replacements.of(values)
            if why is not None and why.why == FIXED:
                fixed += 1
            elif why is not None:
                replaced += 1
            else:  # the widest row names the columns of the cells past the header
                width = max(width, report_width(json.loads(raw), len(header)))
    if not total:
        raise NothingToReport(f"{moved}Import {batch_id} ({batch.file_name}) has no flagged rows: there is nothing to "
                              "report, so no error report was written.")
    if fixed + replaced == total:
        how = ("was fixed by a later import" if not replaced else
               "is of an order a later export replaced" if not fixed else
               "was fixed by a later import or is of an order a later export replaced")
        raise NothingToReport(f"{moved}Every flagged row of import {batch_id} ({batch.file_name}) {how}; there is "
                              "nothing left to fix, so no error report was written.")

    def rows():
        with ws.engine.connect() as conn:
            query = (select(rec.c.record_no, rec.c.problems_json, rec.c.raw_json, rec.c.values_json)
                     .where(*flagged).order_by(rec.c.record_no))
            for n, (no, problems, raw, values_json) in enumerate(conn.execution_options(
                    stream_results=True, yield_per=5000).execute(query)):
                if not n % 1000:
                    check()
                if is_replaced(values_json):
                    continue
                yield json.loads(raw), no, json.loads(problems or "[]")
            check()  # the last rows too: a file put in place is a finished one

    out_header, lines = report_rows(header, rows(), batch_id, width)
    return WrittenReport(write_csv(out, out_header, lines, overwrite=overwrite), fixed, replaced, batch_id, moved)
