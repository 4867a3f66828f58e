"""Commands that import files, and list, undo or report on past imports."""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Callable
from pathlib import Path

from omnidesk.cli import interrupts
from omnidesk.cli.common import (
    EXIT_ERROR,
    EXIT_OK,
    EXIT_USAGE,
    CliError,
    _add_force_arg,
    _command,
    _is_user_error,
    _open_existing,
    _open_or_create,
    _named,
    _output,
    _row_id,
    _user_error_text,
    _workspace_path,
)
from omnidesk.cli.output import Output
from omnidesk.core.channels import channel_name
from omnidesk.core.text import counted, printable


def add_commands(sub) -> None:
    """Register this group's commands on the top-level subparsers."""
    p = _command(sub, "import", help="import channel CSV files and phone contacts (.vcf)")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("--channel", metavar="NAME", help="channel the files come from, by name or code (default: detected)")
    p.add_argument("--preset", default="auto", metavar="NAME|auto", help="vendor format (default: detected)")
    p.add_argument("--kind", default="auto", choices=["contacts", "events", "auto"])
    p.add_argument("--region", metavar="CC",
                   help="read phone numbers without a country code, and ambiguous dates, as CC's "
                        "(default: what the file shows, else the workspace's region)")
    p.add_argument("--encoding", metavar="NAME",
                   help="the files' text encoding, e.g. utf-8, cp1252, cp1251, iso-8859-7, shift_jis "
                        "(default: detected)")
    p.add_argument("--dry-run", action="store_true", help="report what would be imported, change nothing")
    p.add_argument("--errors", metavar="OUT.csv", help="write flagged rows with what is wrong to this CSV")
    p.add_argument("--force", action="store_true", help="replace OUT.csv if it exists (never a workspace)")
    p.add_argument("--json", action="store_true", help="one JSON object per file")
    p.set_defaults(func=cmd_import)

    p = _command(sub, "imports", help="list or undo import batches")
    isub = p.add_subparsers(dest="imports_command", metavar="ACTION", required=True)
    q = _command(isub, "list", help="list import batches")
    q.add_argument("--json", action="store_true")
    q.set_defaults(func=cmd_imports_list)
    q = _command(isub, "undo", help="remove exactly what one import batch added")
    q.add_argument("batch_id", type=_row_id, metavar="BATCH_ID")
    q.set_defaults(func=cmd_imports_undo)
    q = _command(isub, "errors", help="write one import's flagged rows, with what is wrong, to a CSV")
    q.add_argument("batch_id", type=_row_id, metavar="BATCH_ID")
    q.add_argument("out", metavar="OUT.csv")
    _add_force_arg(q)
    q.set_defaults(func=cmd_imports_errors)


def cmd_import(args: argparse.Namespace) -> int:
    from omnidesk.core.errors import UserError
    from omnidesk.core.importing.archives import Unpacked
    from omnidesk.core.importing.encodings import resolve_encoding
    from omnidesk.core.importing.phone_region import check_region
    from omnidesk.core.importing.sniff import check_regular_file
    from omnidesk.core.text import printable

    if args.encoding is not None:
        try:
            args.encoding = resolve_encoding(args.encoding)
        except UserError as exc:
            raise CliError(f"--encoding: {exc}", EXIT_USAGE) from None
    if args.region is not None:
        try:
            args.region = check_region(args.region)
        except UserError as exc:
            raise CliError(f"--region: {exc}", EXIT_USAGE) from None
    if args.channel is not None:
        from omnidesk.core.importing.analysis import check_channel

        try:
            check_channel(args.channel)
        except UserError as exc:
            raise CliError(f"--channel: {exc}", EXIT_USAGE) from None
    if args.preset not in (None, "auto"):
        from omnidesk.core.importing.presets import get_preset

        try:
            get_preset(args.preset)
        except KeyError as exc:  # a name none of the presets has: the option's value is not one (2)
            raise CliError(f"--preset: {exc.args[0]}", EXIT_USAGE) from None
    files = [Path(f) for f in args.files]
    for f in files:
        if not f.exists() and not f.is_symlink():
            raise CliError(f"{printable(str(f))}: no such file")
        check_regular_file(f)  # a folder, a pipe or a device says what it is
    # A zip export (Mailchimp's audience) is imported as the CSV files inside it, unpacked
    # only for as long as this command runs: a copy left behind would outlive an erase.
    with Unpacked() as unpacked:
        expanded = unpacked.expand(files)
        for note in unpacked.skipped:  # what a zip held that is not imported, and why
            print(f"omnidesk: note: {note}", file=sys.stderr)
        return _import_files(args, expanded, _report_outputs(args, files, expanded), unpacked.empty_member)


def _report_outputs(args: argparse.Namespace, given: list[Path], files: list[Path]) -> list[Path]:
    """Where ``--errors`` writes each file's report (one per file when there are several),
    every one checked before anything is imported."""
    from omnidesk.core.importing.report import report_paths

    if _named(args.errors, "--errors") is None:
        return []
    paths = report_paths(Path(args.errors), [f.name for f in files])
    for path in dict.fromkeys(paths):
        # Asked first, even with --force, whose advice would not help: the report would replace
        # the very rows it reports on.
        if any(f.exists() and path.exists() and path.samefile(f) for f in given):
            raise CliError(f"Will not write the error report over {printable(str(path))}: "
                           "it is a file being imported. Choose another file name.")
        _output(path, args, "--errors")
    return paths


def _import_files(args: argparse.Namespace, files: list[Path], report_to: list[Path],
                  empty_member: Callable[[Path, BaseException], str | None]) -> int:
    """Import ``files``; ``empty_member`` names the archive a file came from when it was found to
    have a header and no rows: nothing to import, said in one line and no failure."""
    from omnidesk.core import failures
    from omnidesk.core.importing.archives import EMPTY_MEMBER
    from omnidesk.core.importing.driver import FileFailure, ImportRequest, import_files
    from omnidesk.core.importing.pipeline import ImportOptions
    from omnidesk.core.importing.result import ERASED
    from omnidesk.core.tasks import run_to_completion
    from omnidesk.core.text import printable
    from omnidesk.core.tempfiles import temp_root

    options = ImportOptions(
        channel=args.channel,  # its code, and the name as typed for a channel of the shop's own
        preset=None if args.preset in (None, "auto") else args.preset,
        kind=None if args.kind == "auto" else args.kind,
        region=args.region,
        encoding=args.encoding,
    )
    out = Output(args)
    path = _workspace_path(args)
    existed = path.exists()

    def stops(exc: Exception) -> bool:
        # A full disk would fail every file after it; anything unforeseen is main()'s to tell.
        return failures.is_disk_full(exc) or not _is_user_error(exc)

    def archive_of_empty(failure: FileFailure) -> str | None:
        return empty_member(Path(failure.file.path), failure.error)

    def one_file(done) -> None:  # told as each file finishes
        if isinstance(done, FileFailure) and (archive := archive_of_empty(done)) is not None:
            name = printable(done.file_name)
            out.item({"file": done.file_name, "archive": archive, "nothing_to_import": True, "note": EMPTY_MEMBER},
                     f"{name} (in {archive}): {EMPTY_MEMBER}")
            return
        if isinstance(done, FileFailure):
            if not stops(done.error):
                told = _user_error_text(done.error)
                out.item({"file": done.file_name, "error": told}, notes=f"omnidesk: error: {told}")
            return
        plan, result = done
        summary = result.summary()
        summary["warnings"] = list(plan.warnings)  # what to check, e.g. how dates were read
        if plan.phone_region is not None:
            summary["phone_region"] = {"code": plan.phone_region.code, "reason": plan.phone_region.reason}
        name = printable(plan.file_name)
        verb = "would import" if args.dry_run else "imported"
        out.item(summary,
                 f"{name}: {summary['preset'] or 'generic'} {summary['kind']} "
                 f"({channel_name(summary['channel'])}), {counted(summary['rows'], 'row')}: {verb} {summary['imported']:,}, "
                 f"flagged {summary['flagged']:,}, duplicates {summary['duplicates']:,}"
                 + (f", seen before {summary['seen_before']:,}" if summary["seen_before"] else "")
                 + (f", skipped {summary['skipped']:,}" if summary["skipped"] else "")
                 # Else a file of one erased person reads "imported 0" with no word of why.
                 + (f", left out {summary['suppressed']:,} ({ERASED})" if summary["suppressed"] else "")
                 + (f", {counted(summary['erased_mentions'], 'row')} without the erased person they named"
                    if summary["erased_mentions"] else "")
                 + (f", empty rows {summary['blank']:,}" if summary["blank"] else ""),
                 notes=[*(f"omnidesk: warning: {name}: {warning}" for warning in plan.warnings),
                        *(f"omnidesk: note: {name}: {note}" for note in result.skip_notes()),
                        *(f"omnidesk: note: {name}: {note}" for note in [result.shared_only_note()] if note)])

    def interrupted(kind, _exc, _tb) -> bool:
        # Ctrl-C before any file was in, once the workspace is closed: as after a failure, no empty
        # workspace is left behind by the command that made it.
        if kind is not None and issubclass(kind, KeyboardInterrupt) and not existed and not args.dry_run:
            from omnidesk.core.dialect import remove_if_still_empty

            if remove_if_still_empty(path):
                interrupts.workspace_removed()
        return False

    disk_full = None
    with contextlib.ExitStack() as stack:
        stack.push(interrupted)  # first in, so last out: after the workspace has closed
        target = _import_target(args, path, existed, len(files), stack)
        run = run_to_completion(import_files(target, [ImportRequest(f, options) for f in files],
                                             dry_run=args.dry_run, stop_on=stops, on_file=one_file))
        # The files whose import committed.
        kept = [r for r in run.results if not args.dry_run and r.batch_id is not None]
        imported = [r.file_name for r in kept]
        if run.stopped_by is not None:
            exc = run.stopped_by.error
            if not failures.is_disk_full(exc):
                raise exc
            # The transaction rolled back and the log gave its space back (see the driver).
            disk_full = failures.disk_full_message(
                exc, None if run.in_scratch else path, places=[temp_root()], unchanged=not imported)
            if imported:
                missed = [run.stopped_by.file_name, *(f.file_name for f in run.not_started)]
                disk_full += (f" Imported before the disk filled: {', '.join(imported)}; not imported: "
                              f"{', '.join(missed)}.")
            if args.errors:  # the reports of the files that were read whole, or why not
                disk_full += _reports_after_a_full_disk(run, report_to, args.force, out)
        if args.errors and disk_full is None:
            try:
                written = _write_reports(run, report_to, args.force)
            except (failures.WriteFailure, OSError) as exc:  # the report is gone whole; say what did happen
                reason = (failures.disk_full_message(exc, None, places=[Path(args.errors).absolute().parent],
                                                     unchanged=False) if failures.is_disk_full(exc)
                          else f"{exc.reason}." if isinstance(exc, failures.WriteFailure)
                          else f"{exc.strerror or exc}.")
                done = (f"Imported {', '.join(imported)} into {path.name}" if imported
                        else "Nothing was imported" + (" (a dry run)" if args.dry_run else ""))
                again = "".join(f"; write it again with 'omnidesk imports errors {r.batch_id} OUT.csv'"
                                for r in kept if r.flagged)
                raise CliError(f"{done}, but the error report {printable(str(args.errors))} could not be written: "
                               f"{reason[0].lower()}{reason[1:].rstrip('.')}{again}.") from None
            if len(report_to) == 1:
                if written:
                    out.say(f"Wrote {counted(written[0][2], 'flagged row')} to {printable(str(args.errors))}")
                elif run.done and not isinstance(run.done[0], FileFailure):  # a file not imported: none
                    out.say(f"No flagged rows, so no error report was written ({printable(str(args.errors))})")
            elif written:
                out.say([f"Wrote {counted(n, 'flagged row')} of {printable(name)} to {printable(str(p))}"
                         for p, name, n in written])
                # The files read that flagged nothing: named, so no report is looked for in vain.
                clean = [d[0].file_name for d in run.done if not isinstance(d, FileFailure) and not d[1].flagged]
                if clean:
                    out.say(f"No flagged rows in {', '.join(printable(n) for n in clean)}: no report for "
                            f"{'it' if len(clean) == 1 else 'them'}")
            else:
                out.say(f"No flagged rows, so no error report was written ({printable(str(args.errors))})")
    if not existed and not imported and not args.dry_run:
        from omnidesk.core.dialect import remove_if_still_empty

        # Nothing was imported: leave no empty workspace behind, unless another process has
        # imported into it since this command made it.
        remove_if_still_empty(path)
    if disk_full is not None:
        raise CliError(disk_full)
    failed = [f for f in run.failures if archive_of_empty(f) is None]
    return EXIT_ERROR if failed else EXIT_OK  # a stopped run has raised above


def _write_reports(run, report_to: list[Path], force: bool) -> list[tuple[Path, str, int]]:
    """Each file's flagged rows to its own report: (path, file, rows written); a file that flagged
    no row gets none (as ``omnidesk imports errors`` writes none: an empty report would only
    stand in the way of the next run's, which ``--force`` would then have to replace)."""
    from omnidesk.core.importing.pipeline import write_error_report

    return [(path, plan.file_name, write_error_report(path, [(plan, result)], overwrite=force))
            for path, plan, result in _flagged_files(run, report_to)]


def _flagged_files(run, report_to: list[Path]):
    """(report path, plan, result) of each file of ``run`` imported with flagged rows."""
    from omnidesk.core.importing.driver import FileFailure

    for path, done in zip(report_to, run.done):
        if isinstance(done, FileFailure):
            continue
        plan, result = done
        if result.flagged:
            yield path, plan, result


def _reports_after_a_full_disk(run, report_to: list[Path], force: bool, out: Output) -> str:
    """After a full disk stopped an import of several files: the error reports of the files read
    whole before it, written where there is room; what to add to the error, for each report that
    could not be written, says so and how to write it later (an import that was kept)."""
    from omnidesk.core import failures
    from omnidesk.core.importing.pipeline import write_error_report

    said = []
    for path, plan, result in _flagged_files(run, report_to):
        name = printable(plan.file_name)
        try:
            n = write_error_report(path, [(plan, result)], overwrite=force)
        except (failures.WriteFailure, OSError) as exc:
            reason = (exc.reason if isinstance(exc, failures.WriteFailure)
                      else failures.write_failure_reason(path, exc))
            later = (f"; write it with 'omnidesk imports errors {result.batch_id} OUT.csv'"
                     if result.batch_id is not None else "")
            said.append(f" The error report of {name} ({counted(result.flagged, 'flagged row')}) was not "
                        f"written to {printable(str(path))}: {reason}{later}.")
        else:
            out.say(f"Wrote {counted(n, 'flagged row')} of {name} to {printable(str(path))}")
    return "".join(said)


def _import_target(args: argparse.Namespace, path: Path, existed: bool, n_files: int,
                   stack: contextlib.ExitStack):
    """The workspace an import writes to, opened; or, for a dry run that goes into a scratch
    copy (see ``trial``), the workspace's path, None when it does not exist yet.

    A dry run of one file into an existing workspace rolls its transaction
    back; several files, or a workspace that does not exist yet (which a dry
    run must not create), go into a scratch copy.
    """
    from omnidesk.core.dialect import is_writable
    from omnidesk.core.importing.trial import needs_scratch_copy

    # A workspace that cannot be written can still be tried against: in a scratch copy.
    if not args.dry_run or not (needs_scratch_copy(n_files, existed) or not is_writable(path)):
        return stack.enter_context(_open_or_create(args))
    return path if existed else None


def cmd_imports_list(args: argparse.Namespace) -> int:
    from omnidesk.core.importing.batches import copy_words, list_batches
    from omnidesk.core.timeline import workspace_zone
    from omnidesk.core.timeutil import local_minute

    with _open_existing(args, readonly=True) as ws:
        batches = list_batches(ws)
        zone = workspace_zone(ws)

    def table(batches: list[dict]):
        if not batches:
            yield "No imports yet."
            return
        channels = [channel_name(b["channel"]) for b in batches]
        wide = max(len("Channel"), *map(len, channels))
        kind = max(len("Kind"), *(len(b["kind"]) for b in batches))
        status = max(len("Status"), *(len(b["status"]) for b in batches))  # "interrupted" too
        yield (f"{'ID':>4}  {'When':<16}  {'Channel':<{wide}}  {'Kind':<{kind}} {'Rows':>7} {'Flagged':>7}  "
               f"{'Status':<{status}}  File")
        for b, channel in zip(batches, channels):
            yield (f"{b['id']:>4}  {local_minute(b['started_at'], zone):<16}  {channel:<{wide}}  "
                   f"{b['kind']:<{kind}} {b['rows']:>7} {b['flagged']:>7}  {b['status']:<{status}}  "
                   f"{b['file_name']}{f' ({words})' if (words := copy_words(b)) else ''}")
        yield f"(times on the shop's clock, {zone.key})" if zone is not None else "(times on this computer's clock)"

    Output(args).show(batches, table)
    return EXIT_OK


def cmd_imports_undo(args: argparse.Namespace) -> int:
    from omnidesk.core.importing.batches import undo_also_did, undo_batch

    with _open_existing(args) as ws:
        removed = undo_batch(ws, args.batch_id)
    print(
        f"Undid import {args.batch_id}: removed {counted(removed['source_records'], 'record')}, "
        f"{counted(removed['events'], 'event')}, {counted(removed['customers'], 'customer')}"
        f"{undo_also_did(removed)}."
    )
    return EXIT_OK


def cmd_imports_errors(args: argparse.Namespace) -> int:
    from omnidesk.core.importing.batches import NothingToReport, left_out, write_batch_error_report

    out = _output(args.out, args, "OUT.csv")
    with _open_existing(args, readonly=True) as ws:
        try:
            written = write_batch_error_report(ws, args.batch_id, out, overwrite=args.force)
        except NothingToReport as exc:  # no flagged row, or none left to fix: said, and not an error
            print(str(exc))
            return EXIT_OK
    # An import undone onto a copy of its file: the copy's rows, said so (written.moved).
    print(f"{written.moved}Wrote {counted(written.rows, 'flagged row')} of import {written.batch_id} to "
          f"{printable(str(out))}{left_out(written)}")
    return EXIT_OK
