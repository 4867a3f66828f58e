"""The import path every file takes, from the GUI wizard, the CLI and the demo.

``analyze`` sniffs a file and proposes a plan (format, preset, mapping, kind,
channel, date orders) without touching the workspace.  ``run_import`` is a
progress generator that streams the file into the workspace in one
transaction: raw rows are kept, values normalized, problems flagged, events and
consent facts recorded, records linked to customers.  Cancelling or any error
rolls the whole file back.  A dry run does the same work and rolls back too,
so its counts are exactly what a real import would do.

The parts live by role: ``analysis`` (the plan), ``rows`` (normalizing one
row), ``store`` (writing a chunk of rows), ``report`` (error reports) and
``result``; this module runs an import and keeps every public name importable
from here.
"""

from __future__ import annotations

import json
from collections.abc import Generator
from contextlib import ExitStack, closing
from pathlib import Path

from sqlalchemy import func, insert, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import OperationalError

from omnidesk.core.channels import keep_own_label
from omnidesk.core.dialect import indexes_deferred, is_lock_error
from omnidesk.core.errors import UserError
from omnidesk.core.identity.golden import refresh_customers
from omnidesk.core.identity.resolve import model_from_settings, resolve_batch_steps
from omnidesk.core.identity.shared_only import shared_only
from omnidesk.core.importing import running
from omnidesk.core.importing.analysis import (
    DATE_SAMPLE,
    PREVIEW_ROWS,
    ImportOptions,
    ImportPlan,
    _decide_date_orders,  # noqa: F401 - tests reach it here
    analyze,
    refuse_naming_no_one,
    remember_mapping,
)
from omnidesk.core.importing.copies import holder_of, record_copy
from omnidesk.core.importing.custom_fields import CustomColumns, insert_custom_fields
from omnidesk.core.importing.fields import Kind
from omnidesk.core.importing.flagged import FlaggedRow
from omnidesk.core.importing.known_numbers import read_by_known_numbers, read_earlier_optouts
from omnidesk.core.importing.parallel import normalized_chunks, worker_count
from omnidesk.core.importing.report import (
    REPORT_BATCH,
    REPORT_PROBLEMS,
    REPORT_ROW,
    write_error_report,
)
from omnidesk.core.importing.report_columns import added_columns
from omnidesk.core.importing.result import ImportResult
from omnidesk.core.importing.sightings import earlier_rows, follow_earlier_rows
from omnidesk.core.importing.rows import (
    FOOTER,
    LABEL_ROW,
    NOBODY,
    REPEATED_HEADER,
    TEST_LEAD,
    TOTAL_ROW,
    Row,
    RowNormalizer,
    _is_form_export,
    forget_readings,
    not_a_name,
    row_hash,
)
from omnidesk.core.importing.sniff import BlankRows, FileFormat, file_sha256, open_source, read_records
from omnidesk.core.importing.supersede import (
    carry_order_lines,
    corrected_records,
    events_of,
    replace_earlier_orders,
    supersede,
)
from omnidesk.core.importing.store import (
    _flush_order,
    _has_suppressions,
    _insert_consents,
    _insert_events,
    _insert_identifiers,
    _insert_lead_events,
    _insert_records,
    _insert_row_events,
    _set_aside_skipped,
    _tie_fixed_rows,
    _without_suppressed,
    _workspace_has_no_records,
)
from omnidesk.core.memory import cycle_collection_paused
from omnidesk.core.models import Customer, ImportBatch, utcnow
from omnidesk.core.suppression import workspace_salt as privacy_salt
from omnidesk.core.tasks import Cancelled, CancelCheck, Progress, never_cancelled, run_to_completion
from omnidesk.core.tasks import cancellable, worded
from omnidesk.core.text import printable
from omnidesk.core.workspace import Workspace, WorkspaceError, keep_channel_label

__all__ = [
    "BULK_IMPORT_ROWS",
    "CHUNK",
    "DATE_SAMPLE",
    "FOOTER",
    "LABEL_ROW",
    "NOBODY",
    "PREVIEW_ROWS",
    "REPEATED_HEADER",
    "REPORT_BATCH",
    "REPORT_PROBLEMS",
    "REPORT_ROW",
    "TEST_LEAD",
    "TOTAL_ROW",
    "ImportOptions",
    "ImportPlan",
    "ImportResult",
    "Row",
    "RowNormalizer",
    "analyze",
    "estimate_records",
    "import_file",
    "not_a_name",
    "remember_mapping",
    "row_hash",
    "run_import",
    "run_to_end",
    "write_error_report",
]

CHUNK = 5000


def estimate_records(path: Path, fmt: FileFormat) -> int:
    """A quick upper bound of the record count (newlines; a vCard file's cards), for the progress bar."""
    if fmt.vcard is not None:
        return max(fmt.vcard.contacts, 1)
    newline = "\n".encode(fmt.encoding.replace("-sig", ""))
    count = 0
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            count += chunk.count(newline)
    return max(count - fmt.header_line, 1)


def run_import(
    ws: Workspace,
    plan: ImportPlan,
    *,
    dry_run: bool = False,
    cancelled: CancelCheck = never_cancelled,
) -> Generator[Progress, None, ImportResult]:
    """Import ``plan``'s file in one transaction, yielding progress between chunks.

    Returns the :class:`ImportResult`.  ``cancelled()`` is checked between
    chunks; when it says yes, :class:`Cancelled` is raised and nothing stays.
    A list of people with no column naming anyone (no name, email, phone or
    customer ID) is refused with a :class:`UserError` before anything is stored.
    So is a file no longer as it was read for the plan, and one whose bytes, hashed
    as they are read, turn out not to be the plan's (it changed while it was read):
    what is stored is always the file the plan describes, under its hash.
    A file already imported (same bytes, channel and kind) adds nothing and reports its rows as
    duplicates.  A row identical to one imported from another file of the same
    channel is stored too, with its own file and row, as one more sighting of
    the earlier row's customer (counted in ``seen_before``); the events it
    names are that earlier row's and are not recorded twice.  An export of
    whole orders (Shopify's, WooCommerce's) records each order it holds, as it
    holds it, and that replaces any earlier import's version of the same order
    (its channel and order number): see ``supersede.replace_earlier_orders``.
    """
    refuse_naming_no_one(plan)  # every row would be skipped: nothing is stored, not even the batch
    refuse_changed(plan)  # the plan (its columns, its hash) is of the file as it was read
    result = ImportResult(
        file_name=plan.file_name, preset=plan.preset.key if plan.preset else None,
        kind=plan.kind, channel=plan.channel, dry_run=dry_run, header=plan.header,
    )
    if (yield from _as_copy(ws, plan, result, dry_run)):
        return result

    total = estimate_records(plan.path, plan.fmt)
    model = model_from_settings(ws.get_setting)
    normalizer = RowNormalizer(plan)
    is_events = plan.kind == Kind.EVENTS.value
    submissions = not is_events and _is_form_export(plan)
    group_by = plan.preset.group_rows_by if plan.preset else None
    # An export of whole orders (each order's rows together: the preset groups them) records
    # every order it holds, the latest version of it; a fixed error report holds only rows.
    whole_orders = is_events and group_by is not None and not plan.report_columns
    # A fixed error report's own columns (the row's origin, its problems, the cells it held
    # beyond its file's header) are no fields of the customer.
    report_skip = tuple(added_columns(plan.header)) if plan.report_columns else ()
    # ...and its rows are kept out as the file rows they name would be (an erased person's).
    report = (list(plan.header), plan.report_columns) if plan.report_columns else None
    if plan.preset is not None:
        report_skip = (*report_skip, *plan.preset.system_columns(plan.header))
    custom = CustomColumns.for_plan(plan.header, plan.mapping, plan.kind, plan.region, skip=report_skip)
    batch_values = dict(
        file_name=plan.file_name, file_hash=plan.file_hash, file_size=plan.file_size,
        channel=plan.channel, kind=plan.kind,
        preset=plan.preset.key if plan.preset else None,
        encoding=plan.fmt.encoding_label, delimiter=plan.fmt.delimiter,
        header_json=json.dumps(list(plan.header), ensure_ascii=False),
        mapping_json=json.dumps(plan.mapping),
        options_json=json.dumps({"region": plan.region, "dry_run": dry_run,
                                 "phone_region": plan.local_phone_region,
                                 "phone_region_codes": list(plan.phone_region.mixed_codes)
                                 if plan.phone_region is not None else [],
                                 "date_orders": {str(k): v.value for k, v in plan.date_orders.items()},
                                 "date_order": plan.date_order.value if plan.date_order is not None else None}),
    )
    # Other windows learn that an import runs, and since when, from its committed batch row
    # (see running.py); a dry run changes nothing, not even that.
    moved = None if dry_run else ws.moved_away()
    if moved is not None:
        # Moved or deleted since it was opened (the wizard may have been open meanwhile): what went
        # in would go into a file by no name anyone looks for, and its log beside the old one.
        raise WorkspaceError(moved)
    announced = None if dry_run else running.announce(ws, batch_values)
    conn: Connection
    with ws.connect_for_writing() as conn:
        try:
            trans = conn.begin()  # BEGIN IMMEDIATE: the write lock for the whole import
        except BaseException as exc:  # busy too long, or Ctrl+C while waiting: no import runs
            # Stopped by the user while another window writes: not another wait as long for the
            # row's sake (left, it reads as no import once this process has ended).
            running.withdraw(ws, announced, wait=0.5 if isinstance(exc, KeyboardInterrupt) else None)
            if isinstance(exc, OperationalError) and is_lock_error(exc):
                raise ws.busy_error() from exc
            raise
        ws.before_own_commit()  # holding the lock: a window looking sees this import as its own
        stack_of_import = ExitStack()  # the import's indexes, dropped for a big first file
        try:
            if announced is None:
                batch_id = conn.execute(
                    insert(ImportBatch.__table__).values(**batch_values, status="running", started_at=utcnow())
                ).inserted_primary_key[0]
            else:
                batch_id = announced
            result.batch_id = batch_id
            salt = privacy_salt(conn)
            if custom:
                custom.begin(conn)
            yield Progress(0, total, f"Reading {printable(plan.file_name)}")
            # The first big file into an empty workspace: nothing to find duplicates among, and
            # the secondary indexes are built once at the end (a sort) instead of row by row
            # (a random B-tree insert each, which grows slow as the tables outgrow the cache).
            first_import = _workspace_has_no_records(conn, batch_id)
            bulk = _BULK_INDEXES if first_import and total >= BULK_IMPORT_ROWS else ()
            deferred = stack_of_import.enter_context(indexes_deferred(conn, bulk))
            with ExitStack() as stack:
                open_order: dict | None = None
                replaced: dict[int, int] = {}  # fixed row's record -> the record it replaced
                suppressed_orders: set[str] = set()
                # Rows come and go by the hundred thousand while the caches stay: the cyclic
                # collector's passes over those caches would cost more than the rows' reading.
                stack.enter_context(cycle_collection_paused())
                blank = BlankRows()
                # Read through one open file that hashes the bytes as they come (workers get records,
                # not the file): what is stored is what was read, and that must be the planned file.
                source = stack.enter_context(open_source(plan.path))
                chunks = stack.enter_context(closing(normalized_chunks(
                    read_records(source, plan.fmt, blank), normalizer, plan.channel, plan.header, CHUNK,
                    worker_count(total))))
                for rows, hashes in chunks:
                    if cancelled():
                        raise Cancelled(f"Import of {printable(plan.file_name)} cancelled; nothing was changed.")
                    seen = {} if first_import else earlier_rows(conn, hashes, batch_id)
                    keep = list(zip(rows, hashes))
                    result.rows += len(rows)
                    read_by_known_numbers(conn, rows)
                    keep = _without_suppressed(conn, salt, keep, plan.channel, result, group_by, suppressed_orders,
                                              list(plan.mapping), plan.region, report)
                    stored = keep  # every row kept as read, flagged where a cell cannot be read
                    if keep:
                        ids = _insert_records(conn, batch_id, plan, keep)
                        if any(row.skip for row, _ in keep):
                            ids, keep = _set_aside_skipped(ids, keep, result)
                    if keep:
                        corrected: dict[int, int] = {}
                        if plan.report_columns:
                            _tie_fixed_rows(conn, plan.report_columns, keep)
                            corrected = corrected_records(conn, plan.report_columns, batch_id, ids, keep)
                        _insert_identifiers(conn, ids, keep, plan.channel)
                        _insert_consents(conn, ids, keep)
                        if custom:
                            insert_custom_fields(conn, custom, ids, (row.record.values for row, _ in keep))
                        # A row seen before in another file names the same events as that row did.
                        new_ids, new = follow_earlier_rows(ids, keep, seen, result)
                        if whole_orders:  # ...but an order is recorded as this export has it, all its rows
                            new_ids, new = ids, keep
                        if corrected:
                            new_ids, new = _replace_corrected(conn, batch_id, corrected, new_ids, new,
                                                              is_events, replaced, result)
                        if is_events:
                            open_order = _insert_events(conn, batch_id, plan, new_ids, new, group_by,
                                                        open_order, result)
                        elif plan.preset is not None and plan.preset.row_event is not None:
                            _insert_row_events(conn, batch_id, plan, new_ids, new, result)
                        elif submissions:
                            _insert_lead_events(conn, batch_id, plan, new_ids, new, result, type_="form",
                                                label="Form submitted")
                        result.imported += len(keep)
                    # A row skipped as nobody is flagged too when a cell of it cannot be read (an
                    # address with a slip): the error report is where it gets corrected.
                    for row, _ in stored:
                        if row.problems:
                            result.flagged += 1
                            result.flagged_rows.append(FlaggedRow(row.record, row.problems))
                    yield Progress(min(result.rows, total), max(total, result.rows),
                                   f"Read {result.rows:,} rows")
                if source.sha256() != plan.file_hash:  # changed while it was read: part old, part new
                    raise changed_since_read(plan)
                # Rows with no value in any cell: nothing to keep, but never gone without a word.
                result.blank, result.blank_lines = blank.count, blank.lines
                if open_order is not None:
                    _flush_order(conn, open_order, result)
                if replaced and group_by is not None:
                    carry_order_lines(conn, replaced)
                # The same order (channel and order number) from an earlier export stops counting.
                earlier_holders = (replace_earlier_orders(conn, batch_id, plan.channel)
                                   if whole_orders and not first_import else set())
                if custom:
                    custom.settle(conn)
            # The last chunk's rows are not needed by the linking, which reads what was stored.
            rows = hashes = keep = stored = ids = seen = new = new_ids = None
            forget_readings()
            if cancelled():
                raise Cancelled(f"Import of {printable(plan.file_name)} cancelled; nothing was changed.")
            # The linking's own steps have no place on the file's scale: a busy bar, and their words.
            yield Progress(0, 0, "Linking records to customers")
            # An earlier opt-out waiting for a number this file brought gets it, to be linked with it.
            read_earlier_optouts(conn, batch_id)
            # The indexes the linking reads by come back now; the others are built while it compares
            # (resolve.resolve_all_steps), or at the latest when it is done.
            deferred.build(_READ_BY_LINKING)
            top = conn.execute(select(func.coalesce(func.max(Customer.__table__.c.id), 0))).scalar_one()
            # Most of a big file's time: a cancel is heard between its steps, as between chunks.
            stats = yield from cancellable(
                worded(resolve_batch_steps(conn, batch_id, result.followers, model, deferred=deferred),
                       "Linking records to customers"),
                cancelled, f"Import of {printable(plan.file_name)} cancelled; nothing was changed.")
            if earlier_holders - stats.touched:  # their earlier version of an order no longer counts
                refresh_customers(conn, earlier_holders - stats.touched)
            stack_of_import.close()  # every index is back
            if cancelled():  # the last moment before the file is kept
                raise Cancelled(f"Import of {printable(plan.file_name)} cancelled; nothing was changed.")
            result.new_customers = stats.created
            result.updated_customers = len(stats.touched) - stats.created
            result.queued_reviews = stats.queued
            # A record with no name and a number many customers hold is a customer of its own: said so.
            result.shared_only = shared_only(conn, above=top)
            conn.execute(
                update(ImportBatch.__table__).where(ImportBatch.__table__.c.id == batch_id).values(
                    status="done", finished_at=utcnow(), rows=result.rows,
                    imported=result.imported, flagged=result.flagged,
                    duplicates=result.duplicates, events=result.events,
                    customers_created=result.new_customers,
                )
            )
            keep_channel_label(conn, plan.channel, plan.channel_label)  # a channel named as typed
            if dry_run:
                trans.rollback()
                result.batch_id = None
            else:
                trans.commit()
                ws.after_own_commit()
                if plan.channel_label:
                    keep_own_label(plan.channel, plan.channel_label)
        except BaseException as exc:
            # GeneratorExit (the caller stopped), Cancelled and any error: nothing stays.  (A thread
            # still building an index is waited for first: it uses the connection.)
            stack_of_import.__exit__(type(exc), exc, exc.__traceback__)
            if trans.is_active:
                trans.rollback()
            running.withdraw(ws, announced)
            raise
    return result


def _as_copy(ws: Workspace, plan: ImportPlan, result: ImportResult,
             dry_run: bool) -> Generator[Progress, None, bool]:
    """Whether ``plan``'s file is one an import kept holds already (the same bytes, imported as the
    same channel and kind: as another channel its rows are that channel's, read anew): then it
    adds no row, and is recorded as a copy of that import (see ``copies``) unless this is a
    dry run.  Asked again now, not taken from the plan: the import the plan saw may have been
    undone since (its file then is imported for real), or the same file imported meanwhile
    (two copies of it in one go)."""
    with ws.engine.connect() as conn:
        holder = holder_of(conn, plan.file_hash, plan.channel, plan.kind)
    if holder is None:
        return False
    with open_source(plan.path) as source:
        rows = sum(1 for _ in read_records(source, plan.fmt))
        if source.sha256() != plan.file_hash:  # other bytes now: not the file the holder read
            raise changed_since_read(plan)
    erased = _erased_rows(ws, plan)
    if not dry_run:
        with ws.writing() as conn:
            holder = holder_of(conn, plan.file_hash, plan.channel, plan.kind)
            if holder is None:  # undone meanwhile: the file is imported after all
                return False
            result.batch_id = record_copy(conn, holder, plan.file_name, plan.file_size, rows,
                                          duplicates=rows - erased)
    result.already_imported = holder
    result.rows = rows
    result.duplicates, result.suppressed = rows - erased, erased
    yield Progress(rows, rows, "Already imported")
    return True


def changed_since_read(plan: ImportPlan) -> UserError:
    return UserError(f"{printable(plan.file_name)} changed while it was being imported (or since it was "
                     "read); nothing was imported — import it again.")


def refuse_changed(plan: ImportPlan) -> None:
    """Refuse ``plan``'s file when it is not as it was read for the plan (another size, or another
    time of change and other bytes): re-exported meanwhile, its columns may have moved, and the
    plan would read it wrong.  The import also checks the bytes it reads against the plan's hash,
    which catches a change from here on."""
    if plan.file_stamp is None:
        return
    try:
        now = plan.path.stat()
    except OSError:
        return  # reading it says why it cannot be read
    if now.st_size != plan.file_stamp[0]:
        raise changed_since_read(plan)
    if now.st_mtime_ns != plan.file_stamp[1] and file_sha256(plan.path) != plan.file_hash:
        raise changed_since_read(plan)  # only touched (synced, opened and closed) is not changed


def _erased_rows(ws: Workspace, plan: ImportPlan) -> int:
    """How many rows of ``plan``'s file are people erased at their request, found as an import finds
    them (``store._without_suppressed``).  The import that read the file held those rows, but the
    erase took them: a copy of the file says they were left out, not that they are duplicates of
    rows kept.  Nobody ever erased, nothing is read."""
    with ws.engine.connect() as conn:
        if not _has_suppressions(conn):
            return 0
        salt = privacy_salt(conn)  # made by the first erase
        counts = ImportResult(file_name=plan.file_name, preset=None, kind=plan.kind, channel=plan.channel)
        group_by = plan.preset.group_rows_by if plan.preset else None
        orders: set[str] = set()
        with closing(normalized_chunks(read_records(plan.path, plan.fmt), RowNormalizer(plan), plan.channel,
                                       plan.header, CHUNK)) as chunks:
            for rows, hashes in chunks:
                read_by_known_numbers(conn, rows)
                _without_suppressed(conn, salt, list(zip(rows, hashes)), plan.channel, counts, group_by, orders,
                                    report=(list(plan.header), plan.report_columns) if plan.report_columns else None)
    return counts.suppressed


def _replace_corrected(conn: Connection, batch_id: int, corrected: dict[int, int], ids: list[int],
                       keep: list[tuple[Row, str]], is_events: bool, replaced: dict[int, int],
                       result: ImportResult) -> tuple[list[int], list[tuple[Row, str]]]:
    """Fixed rows of an error report replace the rows they correct; returns the rows that still
    record their events.

    The corrected record is marked replaced and its events stop counting (see
    ``supersede``).  In a file of events, a fixed row whose original named no event of its own (a later line of an
    order, a row seen before in another file) follows that original instead: its
    event is already counted once.
    """
    mine = {rid: corrected[rid] for rid in ids if rid in corrected}
    if not mine:
        return ids, keep
    leading = events_of(conn, mine.values())
    out_ids, out = [], []
    for rid, pair in zip(ids, keep):
        old = mine.get(rid)
        if old is not None and is_events and old not in leading:
            result.followers[rid] = old
            continue
        out_ids.append(rid)
        out.append(pair)
    # A contacts row too: its fixed row replaces it (the original is marked, and an error
    # report written again leaves it out), though it had no event to stop counting.
    now = {rid: old for rid, old in mine.items() if rid not in result.followers}
    if now:
        supersede(conn, batch_id, now)
        replaced.update(now)
    return out_ids, out


BULK_IMPORT_ROWS = 20_000  # from this many rows a first import builds its indexes at the end
# Those on the import's sequential columns too (its batch, its record ids, the customer all
# rows lack yet): each insert still descended their B-trees, a sixth of the database's work.
_BULK_INDEXES = ("ix_source_record_row_hash", "ix_source_record_name_place", "ix_source_record_name_work",
                 "ix_source_record_birthday", "ix_source_record_sound_place", "ix_source_record_flagged",
                 "ix_source_record_batch_id", "ix_source_record_customer_id",
                 "ix_identifier_kind_value", "ix_identifier_record_id",
                 "ix_consent_record_id", "ix_consent_customer_id",
                 "ix_custom_field_record_id", "ix_custom_field_name_value",
                 "ix_custom_field_name_number", "ix_custom_field_name_date")
# Of those, the ones a big first import's linking reads by: built before it; the others are built
# on a second thread while it compares the records (DeferredIndexes).
_READ_BY_LINKING = ("ix_source_record_row_hash", "ix_source_record_batch_id", "ix_identifier_record_id")


def run_to_end(ws: Workspace, plan: ImportPlan, *, dry_run: bool = False) -> ImportResult:
    return run_to_completion(run_import(ws, plan, dry_run=dry_run))


def import_file(ws: Workspace, path: str | Path, options: ImportOptions | None = None,
                *, dry_run: bool = False) -> ImportResult:
    """Analyze and import one file with the detected plan (the headless path)."""
    return run_to_end(ws, analyze(ws, path, options), dry_run=dry_run)
