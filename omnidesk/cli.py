"""The front door: no subcommand opens the GUI; subcommands do the same jobs headless.

Every failure a user can cause (a missing file, a file that is not a
workspace, an unreadable CSV) ends with one line on stderr and a non-zero
exit status, never a traceback.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from omnidesk import __version__
from omnidesk.core import paths
from omnidesk.core.channels import channel_code, channel_name
from omnidesk.core.text import printable

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2
DEFAULT_WAIT = 10.0  # seconds


class CliError(Exception):
    """A failure to report as one line, with an exit status."""

    def __init__(self, message: str, status: int = EXIT_ERROR) -> None:
        super().__init__(message)
        self.status = status


def _add_workspace_arg(parser: argparse.ArgumentParser, *, top: bool) -> None:
    parser.add_argument(
        "--workspace",
        "-w",
        metavar="PATH",
        # Sub-parsers must not reset a --workspace given before the subcommand.
        default=None if top else argparse.SUPPRESS,
        help="workspace file (default: %s)" % paths.default_workspace_path(),
    )
    parser.add_argument(
        "--wait",
        metavar="SECONDS",
        type=float,
        default=None if top else argparse.SUPPRESS,
        help="how long a change waits for an import running in another window "
             "(default: %g)" % DEFAULT_WAIT,
    )


def _command(subparsers, name: str, **kwargs) -> argparse.ArgumentParser:
    """A subcommand that, like every command, also takes --workspace after its name."""
    parser = subparsers.add_parser(name, **kwargs)
    _add_workspace_arg(parser, top=False)
    return parser


def _add_force_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--force", action="store_true",
                        help="replace the output file if it exists (a workspace is never replaced)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="omnidesk",
        description="Offline omnichannel marketing: with no command, opens the app.",
    )
    parser.add_argument("--version", action="version", version=f"omnidesk {__version__}")
    _add_workspace_arg(parser, top=True)
    parser.add_argument(
        "--demo", action="store_true", help="open the demo workspace (built on first use)"
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = _command(sub, "demo", help="build a demo workspace headless")
    p.add_argument("--customers", type=int, default=300, metavar="N", help="people in the demo shop (default 300)")
    p.add_argument("--force", action="store_true", help="replace an existing demo workspace")
    p.add_argument("--json", action="store_true", help="print the summary as JSON")
    p.set_defaults(func=cmd_demo)

    p = _command(sub, "info", help="schema version and row counts")
    p.add_argument("--json", action="store_true", help="print as JSON")
    p.set_defaults(func=cmd_info)

    p = _command(sub, "settings", help="list the workspace's settings, or change one")
    p.add_argument("key", nargs="?", metavar="KEY", help="the setting to show or change")
    p.add_argument("value", nargs="?", metavar="VALUE", help="its new value ('' restores the default)")
    p.add_argument("--json", action="store_true", help="print as JSON")
    p.set_defaults(func=cmd_settings)

    p = _command(sub, "import", help="import channel CSV files")
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
    q.add_argument("batch_id", type=int, metavar="BATCH_ID")
    q.set_defaults(func=cmd_imports_undo)
    q = _command(isub, "errors", help="write one import's flagged rows, with what is wrong, to a CSV")
    q.add_argument("batch_id", type=int, metavar="BATCH_ID")
    q.add_argument("out", metavar="OUT.csv")
    _add_force_arg(q)
    q.set_defaults(func=cmd_imports_errors)

    p = _command(sub, "resolve", help="find more matches across the whole workspace")
    p.add_argument("--from-scratch", action="store_true",
                   help="forget automatic matches and rebuild every customer (your decisions are kept)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_resolve)

    p = _command(sub, "review", help="pairs that may be one person")
    rsub = p.add_subparsers(dest="review_command", metavar="ACTION", required=True)
    q = _command(rsub, "list", help="list queued pairs, strongest first")
    q.add_argument("--json", action="store_true")
    q.set_defaults(func=cmd_review_list)
    for action, text in (("accept", "merge the pair"), ("reject", "never suggest the pair again"),
                         ("skip", "move the pair to the end of the queue")):
        q = _command(rsub, action, help=text)
        q.add_argument("review_id", type=int, metavar="REVIEW_ID")
        q.set_defaults(func=cmd_review_decide, action=action)

    p = _command(sub, "merge", help="merge customers into the oldest of them")
    p.add_argument("customers", nargs="+", metavar="CUSTOMER")
    p.set_defaults(func=cmd_merge)

    p = _command(sub, "unmerge", help="split a source record out into a customer of its own")
    p.add_argument("record_id", type=int, metavar="RECORD_ID")
    p.set_defaults(func=cmd_unmerge)

    p = _command(sub, "pin", help="keep a value on a customer's card whatever the sources say")
    p.add_argument("customer", metavar="CUSTOMER", help="customer id, email or phone")
    p.add_argument("field", metavar="FIELD", help="first_name, last_name, email, phone, address, city, ...")
    p.add_argument("value", nargs="?", metavar="VALUE", help="the value to keep (leave out with --unpin)")
    p.add_argument("--unpin", action="store_true", help="let the source records decide again")
    p.set_defaults(func=cmd_pin)

    p = _command(sub, "person", help="export or erase everything about one person")
    psub = p.add_subparsers(dest="person_command", metavar="ACTION", required=True)
    q = _command(psub, "export", help="write a zip of JSON and CSV about one customer")
    q.add_argument("customer", metavar="CUSTOMER", help="customer id, email or phone")
    q.add_argument("out", nargs="?", metavar="OUT.zip")
    _add_force_arg(q)
    q.set_defaults(func=cmd_person_export)
    q = _command(psub, "erase", help="erase one customer everywhere; a re-import cannot bring them back")
    q.add_argument("customer", metavar="CUSTOMER", help="customer id, email or phone")
    q.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    q.set_defaults(func=cmd_person_erase)

    p = _command(sub, "recover", help="copy what can be read of a damaged workspace into a new one")
    p.add_argument("damaged", metavar="DAMAGED", help="the damaged workspace file (only read)")
    p.add_argument("new", metavar="NEW", help="the new workspace file to write (must not exist)")
    p.add_argument("--json", action="store_true", help="print the summary as JSON")
    p.set_defaults(func=cmd_recover)

    p = _command(sub, "export", help="export data as CSV")
    esub = p.add_subparsers(dest="export_command", metavar="WHAT", required=True)
    q = _command(esub, "sources", help="one row per imported record, with its customer")
    q.add_argument("out", metavar="OUT.csv")
    _add_force_arg(q)
    q.set_defaults(func=cmd_export_sources)
    q = _command(esub, "customers", help="one row per customer")
    q.add_argument("out", metavar="OUT.csv")
    _add_force_arg(q)
    q.set_defaults(func=cmd_export_customers)
    q = _command(esub, "timeline", help="one customer's merged timeline, oldest first")
    q.add_argument("customer", metavar="CUSTOMER", help="customer id, email or phone in any format")
    q.add_argument("out", metavar="OUT.csv")
    _add_force_arg(q)
    q.set_defaults(func=cmd_export_timeline)
    return parser


# -- helpers ----------------------------------------------------------------------


def _workspace_path(args: argparse.Namespace) -> Path:
    return Path(args.workspace) if args.workspace else paths.default_workspace_path()


def _output(path: str | Path, args: argparse.Namespace) -> Path:
    """The output file of a command, checked before any work is done.

    A workspace (this one or any other, or a file beside one) is never written
    over; another existing file only with ``--force``.
    """
    from omnidesk.core.exporting.outfiles import OutputExistsError, check_output
    from omnidesk.core.text import printable

    try:
        return check_output(path, overwrite=getattr(args, "force", False), workspace=_workspace_path(args))
    except OutputExistsError:
        raise CliError(f"{printable(str(path))} already exists; add --force to replace it") from None


def _wait(args: argparse.Namespace) -> float:
    wait = getattr(args, "wait", None)
    if wait is None:
        return DEFAULT_WAIT
    if wait < 0:
        raise CliError("--wait must be zero or more seconds", EXIT_USAGE)
    return wait


def _open_existing(args: argparse.Namespace, *, readonly: bool = False):
    """The workspace a command works on; ``readonly`` for commands that only read it.

    A read-only open writes nothing to the file (not even its header), so it works
    beside an import in another window and on a file or drive that cannot be written.
    """
    from omnidesk.core.workspace import Workspace

    path = _workspace_path(args)
    if not path.exists():
        raise CliError(
            f"no workspace at {path}; create one with 'omnidesk demo --workspace {path}' "
            "or by importing a file with 'omnidesk import FILE --workspace PATH'"
        )
    return Workspace.open(path, readonly=readonly, busy_timeout=_wait(args))


def _open_or_create(args: argparse.Namespace):
    from omnidesk.core.workspace import Workspace

    return Workspace.open(_workspace_path(args), create=True, busy_timeout=_wait(args))


def _print_json(obj: object) -> None:
    print(json.dumps(obj, indent=2, ensure_ascii=False, default=str))


# -- commands ---------------------------------------------------------------------


def cmd_demo(args: argparse.Namespace) -> int:
    from omnidesk.core.demo import build_demo

    path = Path(args.workspace) if args.workspace else paths.demo_workspace_path()
    if args.customers < 1:
        raise CliError("--customers must be at least 1", EXIT_USAGE)
    summary = build_demo(path, customers=args.customers, force=args.force)
    if args.json:
        _print_json(summary)
    else:
        counts = summary["counts"]
        print(
            f"Demo workspace {path}: {counts['customers']} customers, "
            f"{counts['source_records']} source records, {counts['events']} events "
            f"from {counts['imports']} files."
        )
    return EXIT_OK


def cmd_info(args: argparse.Namespace) -> int:
    with _open_existing(args, readonly=True) as ws:
        ws.check()  # every page read once: a damaged file says so here, not in a later command
        info = {
            "workspace": str(ws.path),
            "schema": ws.schema_revision(),
            "omnidesk": __version__,
            "counts": ws.counts(),
        }
    if args.json:
        _print_json(info)
    else:
        print(f"Workspace: {info['workspace']}")
        print(f"Schema:    {info['schema']}")
        for name, n in info["counts"].items():
            print(f"{name.replace('_', ' ').capitalize():<15}{n:>10,}")
    return EXIT_OK


def cmd_settings(args: argparse.Namespace) -> int:
    from omnidesk.core.settings import change_setting, list_settings

    with _open_existing(args, readonly=args.value is None) as ws:
        if args.value is not None:
            change_setting(ws, args.key, args.value)  # a refused value is a UserError: one line, exit 1
        rows = list_settings(ws)
    if args.key is not None:
        rows = [r for r in rows if r["key"] == args.key]
        if not rows:
            from omnidesk.core.settings import SETTINGS

            raise CliError(f"there is no setting '{args.key}'; the settings are: "
                           f"{', '.join(s.key for s in SETTINGS)}")
    if args.json:
        _print_json(rows if args.key is None else rows[0])
    elif args.key is not None:
        print(rows[0]["value"])
    else:
        for r in rows:
            shown = r["value"] if r["value"] not in ("", None) else "(not set)"
            print(f"{r['key']:<24}{shown!s:<20}{r['help']}")
    return EXIT_OK


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
        channel=channel_code(args.channel) if args.channel else None,
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
                    f"({channel_name(summary['channel'])}), {summary['rows']} rows: {verb} {summary['imported']}, "
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
    print(f"{'ID':>4}  {'When':<20} {'Channel':<14} {'Kind':<9} {'Rows':>7} {'Flagged':>7}  Status  File")
    for b in batches:
        print(
            f"{b['id']:>4}  {b['started_at'][:19]:<20} {channel_name(b['channel']):<14} {b['kind']:<9} "
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


def cmd_export_sources(args: argparse.Namespace) -> int:
    from omnidesk.core.exporting.tables import export_sources

    out = _output(args.out, args)
    with _open_existing(args, readonly=True) as ws:
        n = export_sources(ws, out, overwrite=args.force)
    print(f"Wrote {n} source records to {printable(str(args.out))}")
    return EXIT_OK


def cmd_export_customers(args: argparse.Namespace) -> int:
    from omnidesk.core.exporting.tables import export_customers

    out = _output(args.out, args)
    with _open_existing(args, readonly=True) as ws:
        n = export_customers(ws, out, overwrite=args.force)
    print(f"Wrote {n} customers to {printable(str(args.out))}")
    return EXIT_OK


def _customer(ws, text: str) -> int:
    from omnidesk.core.timeline import find_customer

    cid = find_customer(ws, text)
    if cid is None:
        raise CliError(f"no customer matches '{text}' (give an id, an email or a phone number)")
    return cid


def cmd_resolve(args: argparse.Namespace) -> int:
    from omnidesk.core.identity.find import find_duplicates
    from omnidesk.core.tasks import run_to_completion

    with _open_existing(args) as ws:
        stats = run_to_completion(find_duplicates(ws, from_scratch=args.from_scratch))
        summary = stats.summary(ws.counts()["customers"])
        from omnidesk.core.identity.merge import list_reviews

        summary["queued"] = len(list_reviews(ws))
    if args.json:
        _print_json(summary)
    else:
        print(f"{summary['customers']:,} customers; auto-merged {summary['auto_merged']:,}; "
              f"{summary['queued']:,} pairs queued for review")
    return EXIT_OK


def cmd_review_list(args: argparse.Namespace) -> int:
    from omnidesk.core.customers import customer_rows
    from omnidesk.core.identity.merge import list_reviews

    with _open_existing(args, readonly=True) as ws:
        items = list_reviews(ws)
        rows = customer_rows(ws, [i.left_id for i in items] + [i.right_id for i in items])
    out = [{"id": i.id, "score": i.score, "status": i.status, "reasons": i.reasons,
            "left": {"id": i.left_id, "name": rows[i.left_id].name if i.left_id in rows else ""},
            "right": {"id": i.right_id, "name": rows[i.right_id].name if i.right_id in rows else ""}}
           for i in items]
    if args.json:
        _print_json(out)
    elif not out:
        print("The review queue is empty.")
    else:
        for o in out:
            print(f"{o['id']:>5}  {o['score']:>6.1f}  {o['left']['name']} (#{o['left']['id']})  ~  "
                  f"{o['right']['name']} (#{o['right']['id']})  — {', '.join(o['reasons'])}")
    return EXIT_OK


def cmd_review_decide(args: argparse.Namespace) -> int:
    from omnidesk.core.identity import merge

    with _open_existing(args) as ws:
        if args.action == "accept":
            result = merge.accept_review(ws, args.review_id)
            print(f"Merged into customer {result.survivor}.")
        elif args.action == "reject":
            merge.reject_review(ws, args.review_id)
            print("Kept apart; the pair will not be suggested again.")
        else:
            merge.skip_review(ws, args.review_id)
            print("Skipped.")
    return EXIT_OK


def cmd_merge(args: argparse.Namespace) -> int:
    from omnidesk.core.identity.merge import merge_customers

    with _open_existing(args) as ws:
        ids = [_customer(ws, c) for c in args.customers]
        result = merge_customers(ws, ids)
    print(f"Merged {len(result.absorbed) + 1} customers into customer {result.survivor}.")
    return EXIT_OK


def cmd_unmerge(args: argparse.Namespace) -> int:
    from omnidesk.core.identity.merge import unmerge_record

    with _open_existing(args) as ws:
        old, new, _ = unmerge_record(ws, args.record_id)
    print(f"Record {args.record_id} moved from customer {old} to new customer {new}.")
    return EXIT_OK


def cmd_pin(args: argparse.Namespace) -> int:
    from omnidesk.core.identity.merge import PINNABLE, pin_value

    if args.field not in PINNABLE:
        raise CliError(f"'{args.field}' cannot be pinned; these can: {', '.join(PINNABLE)}", EXIT_USAGE)
    if args.unpin == (args.value is not None):
        raise CliError("give a VALUE to pin, or --unpin without one", EXIT_USAGE)
    with _open_existing(args) as ws:
        cid = _customer(ws, args.customer)
        pin_value(ws, cid, args.field, None if args.unpin else args.value)
    if args.unpin:
        print(f"Customer {cid}: {args.field} follows the source records again.")
    else:
        print(f"Customer {cid}: {args.field} pinned to '{args.value}'.")
    return EXIT_OK


def cmd_person_export(args: argparse.Namespace) -> int:
    from omnidesk.core.rights import export_person

    if args.out:
        _output(args.out, args)  # refused before the workspace is opened
    with _open_existing(args, readonly=True) as ws:
        cid = _customer(ws, args.customer)
        out = _output(args.out if args.out else f"customer-{cid}.zip", args)
        export_person(ws, cid, out, overwrite=args.force)
    print(f"Wrote everything about customer {cid} to {printable(str(out))}")
    return EXIT_OK


def cmd_person_erase(args: argparse.Namespace) -> int:
    from omnidesk.core.rights import erase_person

    with _open_existing(args) as ws:
        cid = _customer(ws, args.customer)
        if not args.yes:
            if not sys.stdin.isatty():
                raise CliError("erasing cannot be undone, and deletes omnidesk's backups next to the workspace "
                               "too; add --yes to confirm", EXIT_USAGE)
            from omnidesk.core.workspace import backup_files

            n = len(backup_files(ws.path)) if ws.path is not None else 0
            backups = (f" The {n} backups omnidesk made next to the workspace (before upgrades) hold them "
                       "too and will be deleted." if n > 1 else
                       " The backup omnidesk made next to the workspace (before an upgrade) holds them too "
                       "and will be deleted." if n else "")
            answer = input(f"Erase customer {cid} and every record about them?{backups} "
                           "This cannot be undone [y/N] ")
            if answer.strip().lower() not in ("y", "yes"):
                print("Nothing erased.")
                return EXIT_OK
        removed = erase_person(ws, cid)
    n = removed.get("backups_deleted", 0)
    print(f"Erased customer {cid}: {removed['source_records']} source records, {removed['events']} events; "
          f"{removed['identifiers_suppressed']} identifiers on the suppression list"
          + (f"; deleted {n} backup{'s' if n != 1 else ''} that held them." if n else "."))
    return EXIT_OK


def cmd_recover(args: argparse.Namespace) -> int:
    from omnidesk.core.recover import recover_workspace

    summary = recover_workspace(Path(args.damaged), Path(args.new))
    if args.json:
        _print_json(summary)
        return EXIT_OK
    counts = summary["counts"]
    how = ("the file read whole" if summary["method"] == "copy"
           else f"row by row, skipping {summary['skipped_stretches']} unreadable stretch"
                f"{'es' if summary['skipped_stretches'] != 1 else ''}")
    print(f"Recovered into {args.new} ({how}): {counts['customers']:,} customers, "
          f"{counts['source_records']:,} source records, {counts['events']:,} events, "
          f"{counts['imports']:,} imports. {args.damaged} was not changed.")
    return EXIT_OK


def cmd_export_timeline(args: argparse.Namespace) -> int:
    from omnidesk.core.timeline import export_timeline

    out = _output(args.out, args)
    with _open_existing(args, readonly=True) as ws:
        cid = _customer(ws, args.customer)
        n = export_timeline(ws, cid, out, overwrite=args.force)
    print(f"Wrote {n} timeline entries of customer {cid} to {printable(str(args.out))}")
    return EXIT_OK


def _is_user_error(exc: BaseException) -> bool:
    from omnidesk.core.errors import UserError
    from omnidesk.core.workspace import WorkspaceError

    return isinstance(exc, (UserError, WorkspaceError, OSError))


def _run_gui(args: argparse.Namespace) -> int:
    import os

    from omnidesk.desktop import display_problem

    problem = display_problem(os.environ)
    if problem:  # before Qt starts: its own message names no package, then it aborts
        raise CliError(problem)
    from omnidesk.app import run_app

    return run_app(workspace=Path(args.workspace) if args.workspace else None, demo=args.demo)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    argv = list(sys.argv[1:] if argv is None else argv)
    # A file manager opens a workspace as `omnidesk FILE.omnidesk` (the desktop entry's %F).
    if len(argv) == 1 and argv[0].endswith(".omnidesk") and not argv[0].startswith("-"):
        argv = ["--workspace", argv[0]]
    args = parser.parse_args(argv)
    func: Callable[[argparse.Namespace], int] | None = getattr(args, "func", None)
    _clean_temp()
    try:
        if func is None:
            return _run_gui(args)
        return func(args)
    except CliError as exc:
        print(f"omnidesk: error: {printable(str(exc))}", file=sys.stderr)
        return exc.status
    except KeyboardInterrupt:
        print("omnidesk: interrupted; nothing was half-written.", file=sys.stderr)
        return 130
    except Exception as exc:
        from omnidesk.core import failures

        # A full disk or a damaged file: one sentence, never the rows SQLAlchemy quotes.
        told = failures.describe(exc, _workspace_path(args))
        if told is None and _is_user_error(exc):
            told = str(exc)
        if told is None:
            told = _database_refusal(args, exc)
        if told is None:
            told = _database_error(exc)
        if told is None:
            raise
        print(f"omnidesk: error: {printable(told)}", file=sys.stderr)
        return EXIT_ERROR


def _clean_temp() -> None:
    """Delete what killed omnidesk processes left in the temp folder (copies of people's rows)."""
    from omnidesk.core.tempfiles import clean_stale

    with contextlib.suppress(OSError):
        clean_stale()


def _database_error(exc: BaseException) -> str | None:
    """The driver's own words for a database failure, without the statement and rows SQLAlchemy adds."""
    from sqlalchemy.exc import DBAPIError

    if isinstance(exc, DBAPIError) and exc.orig is not None:
        return f"the database refused the operation ({exc.orig}); nothing was changed."
    return None


def _database_refusal(args: argparse.Namespace, exc: BaseException) -> str | None:
    """One line for a write the database refused: the workspace is busy, or read-only."""
    from omnidesk.core import dialect
    from omnidesk.core.workspace import Workspace, WorkspaceError

    if dialect.is_readonly_error(exc):
        return f"the workspace {_workspace_path(args).name} is read-only: it can be read, not changed."
    if not dialect.is_lock_error(exc):
        return None
    try:
        with Workspace.open(_workspace_path(args), readonly=True) as ws:
            return str(ws.busy_error())
    except WorkspaceError:
        return "the workspace is busy: another window is writing to it; try again in a moment"


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
