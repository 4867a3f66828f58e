"""Commands that import files, and list, undo or report on past imports."""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
from pathlib import Path

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
    _output,
    _print_json,
    _workspace_path,
)
from omnidesk.core.text import printable


def add_commands(sub) -> None:
    """Register this group's commands on the top-level subparsers."""
    p = _command(sub, "import", help="import channel CSV files")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("--channel", metavar="NAME", help="channel the files come from (default: detected)")
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
    q.add_argument("batch_id", type=int, metavar="BATCH_ID")
    q.set_defaults(func=cmd_imports_undo)
    q = _command(isub, "errors", help="write one import's flagged rows, with what is wrong, to a CSV")
    q.add_argument("batch_id", type=int, metavar="BATCH_ID")
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
    files = [Path(f) for f in args.files]
    if args.errors:
        out = _output(args.errors, args)
        if any(f.exists() and out.exists() and out.samefile(f) for f in files):
            # even with --force: the report would replace the very rows it reports on
            raise CliError(f"Will not write the error report over {printable(str(out))}: "
                           "it is a file being imported. Choose another file name.")
    for f in files:
        if not f.exists() and not f.is_symlink():
            raise CliError(f"{printable(str(f))}: no such file")
        check_regular_file(f)  # a folder, a pipe or a device says what it is
    # A zip export (Mailchimp's audience) is imported as the CSV files inside it, unpacked
    # only for as long as this command runs: a copy left behind would outlive an erase.
    with Unpacked() as unpacked:
        return _import_files(args, unpacked.expand(files))


def _import_files(args: argparse.Namespace, files: list[Path]) -> int:
    from omnidesk.core import failures
    from omnidesk.core.importing.pipeline import ImportOptions, analyze, run_to_end, write_error_report
    from omnidesk.core.text import printable
    from omnidesk.core.tempfiles import temp_root

    options = ImportOptions(
        channel=args.channel,
        preset=None if args.preset in (None, "auto") else args.preset,
        kind=None if args.kind == "auto" else args.kind,
        region=args.region,
        encoding=args.encoding,
    )
    results = []
    flagged_rows = []
    failed = 0
    imported: list[str] = []  # files whose import committed
    imported_batches: list[int] = []
    path = _workspace_path(args)
    existed = path.exists()
    disk_full = None
    with contextlib.ExitStack() as stack:
        ws, scratch = _import_target(args, path, existed, len(files), stack)
        for f in files:
            _settle_log(ws)
            try:
                plan = analyze(ws, f, options)
                result = run_to_end(ws, plan, dry_run=args.dry_run and not scratch)
                if scratch:  # really imported, but into a copy that is thrown away
                    result.dry_run, result.batch_id = True, None
                elif not args.dry_run and result.batch_id is not None:
                    imported.append(f.name)
                    if result.flagged:
                        imported_batches.append(result.batch_id)
            except CliError:
                raise
            except Exception as exc:  # one bad file must not stop the others
                if failures.is_disk_full(exc):
                    # The transaction rolled back; hand the log's space back before saying so.
                    failures.release_log_space(ws)
                    message = failures.disk_full_message(
                        exc, None if scratch else path, places=[temp_root()], unchanged=not imported)
                    if imported:
                        message += f" Imported before the disk filled: {', '.join(imported)}; {f.name} was not."
                    disk_full = message
                    break
                if not _is_user_error(exc):
                    raise
                failed += 1
                results.append({"file": f.name, "error": str(exc)})
                if not args.json:
                    print(f"omnidesk: error: {exc}", file=sys.stderr)
                continue
            summary = result.summary()
            summary["warnings"] = list(plan.warnings)  # what to check, e.g. how dates were read
            if plan.phone_region is not None:
                summary["phone_region"] = {"code": plan.phone_region.code, "reason": plan.phone_region.reason}
            results.append(summary)
            flagged_rows.append((plan, result))
            if not args.json:
                verb = "would import" if args.dry_run else "imported"
                print(
                    f"{printable(f.name)}: {summary['preset'] or 'generic'} {summary['kind']} "
                    f"({summary['channel']}), {summary['rows']} rows: {verb} {summary['imported']}, "
                    f"flagged {summary['flagged']}, duplicates {summary['duplicates']}"
                    + (f", skipped {summary['skipped']}" if summary["skipped"] else "")
                )
                for warning in plan.warnings:
                    print(f"omnidesk: warning: {printable(f.name)}: {warning}", file=sys.stderr)
                for note in result.skip_notes():
                    print(f"omnidesk: note: {printable(f.name)}: {note}", file=sys.stderr)
        if args.errors and disk_full is None:
            try:
                written = write_error_report(Path(args.errors), flagged_rows, overwrite=args.force)
            except OSError as exc:  # the report is gone whole (no .part); say what did happen
                reason = (failures.disk_full_message(exc, None, places=[Path(args.errors).absolute().parent],
                                                     unchanged=False) if failures.is_disk_full(exc)
                          else f"{exc.strerror or exc}.")
                done = (f"Imported {', '.join(imported)} into {path.name}" if imported
                        else "Nothing was imported" + (" (a dry run)" if args.dry_run else ""))
                again = "".join(f"; write it again with 'omnidesk imports errors {b} OUT.csv'"
                                for b in imported_batches)
                raise CliError(f"{done}, but the error report {printable(str(args.errors))} could not be written: "
                               f"{reason[0].lower()}{reason[1:].rstrip('.')}{again}.") from None
            if not args.json:
                print(f"Wrote {written} flagged rows to {printable(str(args.errors))}")
    if not existed and not imported and not args.dry_run:
        from omnidesk.core.dialect import remove_workspace_files

        remove_workspace_files(path)  # nothing was imported: leave no empty workspace behind
    if disk_full is not None:
        raise CliError(disk_full)
    if args.json:
        for r in results:
            print(json.dumps(r, ensure_ascii=False))
    return EXIT_ERROR if failed else EXIT_OK


def _settle_log(ws) -> None:
    """Fold what earlier imports committed into the file, so a failed write's log can be emptied."""
    from omnidesk.core.dialect import checkpoint

    with contextlib.suppress(Exception):
        checkpoint(ws.engine, "PASSIVE")


def _import_target(args: argparse.Namespace, path: Path, existed: bool, n_files: int,
                   stack: contextlib.ExitStack):
    """The workspace an import writes to, and whether it is a scratch copy.

    A dry run of one file into an existing workspace rolls its transaction
    back; several files, or a workspace that does not exist yet (which a dry
    run must not create), go into a scratch copy (see ``trial``).
    """
    from omnidesk.core.importing.trial import needs_scratch_copy, scratch_copy

    from omnidesk.core.dialect import is_writable

    # A workspace that cannot be written can still be tried against: in a scratch copy.
    if not args.dry_run or not (needs_scratch_copy(n_files, existed) or not is_writable(path)):
        return stack.enter_context(_open_or_create(args)), False
    return stack.enter_context(scratch_copy(path if existed else None)), True


def cmd_imports_list(args: argparse.Namespace) -> int:
    from omnidesk.core.importing.batches import list_batches

    with _open_existing(args, readonly=True) as ws:
        batches = list_batches(ws)
    if args.json:
        _print_json(batches)
        return EXIT_OK
    if not batches:
        print("No imports yet.")
        return EXIT_OK
    print(f"{'ID':>4}  {'When':<20} {'Channel':<9} {'Kind':<9} {'Rows':>7} {'Flagged':>7}  Status  File")
    for b in batches:
        print(
            f"{b['id']:>4}  {b['started_at'][:19]:<20} {b['channel']:<9} {b['kind']:<9} "
            f"{b['rows']:>7} {b['flagged']:>7}  {b['status']:<6}  {b['file_name']}"
        )
    return EXIT_OK


def cmd_imports_undo(args: argparse.Namespace) -> int:
    from omnidesk.core.importing.batches import undo_batch

    with _open_existing(args) as ws:
        removed = undo_batch(ws, args.batch_id)
    split = removed.get("merges_undone", 0)
    print(
        f"Undid import {args.batch_id}: removed {removed['source_records']} records, "
        f"{removed['events']} events, {removed['customers']} customers"
        + (f"; split {split} merge{'s' if split != 1 else ''} it had caused." if split else ".")
    )
    return EXIT_OK


def cmd_imports_errors(args: argparse.Namespace) -> int:
    from omnidesk.core.importing.batches import write_batch_error_report

    out = _output(args.out, args)
    with _open_existing(args, readonly=True) as ws:
        n = write_batch_error_report(ws, args.batch_id, out, overwrite=args.force)
    print(f"Wrote {n} flagged row{'s' if n != 1 else ''} of import {args.batch_id} to {printable(str(out))}")
    return EXIT_OK
