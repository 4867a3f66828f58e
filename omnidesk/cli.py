"""The front door: no subcommand opens the GUI; subcommands do the same jobs headless.

Every failure a user can cause (a missing file, a file that is not a
workspace, an unreadable CSV) ends with one line on stderr and a non-zero
exit status, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from omnidesk import __version__
from omnidesk.core import paths

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2


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

    p = sub.add_parser("demo", help="build a demo workspace headless")
    _add_workspace_arg(p, top=False)
    p.add_argument("--customers", type=int, default=300, metavar="N", help="people in the demo shop (default 300)")
    p.add_argument("--force", action="store_true", help="replace an existing demo workspace")
    p.add_argument("--json", action="store_true", help="print the summary as JSON")
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("info", help="schema version and row counts")
    _add_workspace_arg(p, top=False)
    p.add_argument("--json", action="store_true", help="print as JSON")
    p.set_defaults(func=cmd_info)

    p = sub.add_parser("import", help="import channel CSV files")
    _add_workspace_arg(p, top=False)
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("--channel", metavar="NAME", help="channel the files come from (default: detected)")
    p.add_argument("--preset", default="auto", metavar="NAME|auto", help="vendor format (default: detected)")
    p.add_argument("--kind", default="auto", choices=["contacts", "events", "auto"])
    p.add_argument("--region", metavar="CC", help="default phone/date region (default: the workspace's)")
    p.add_argument("--dry-run", action="store_true", help="report what would be imported, change nothing")
    p.add_argument("--errors", metavar="OUT.csv", help="write flagged rows with what is wrong to this CSV")
    p.add_argument("--json", action="store_true", help="one JSON object per file")
    p.set_defaults(func=cmd_import)

    p = sub.add_parser("imports", help="list or undo import batches")
    _add_workspace_arg(p, top=False)
    isub = p.add_subparsers(dest="imports_command", metavar="ACTION", required=True)
    q = isub.add_parser("list", help="list import batches")
    _add_workspace_arg(q, top=False)
    q.add_argument("--json", action="store_true")
    q.set_defaults(func=cmd_imports_list)
    q = isub.add_parser("undo", help="remove exactly what one import batch added")
    _add_workspace_arg(q, top=False)
    q.add_argument("batch_id", type=int, metavar="BATCH_ID")
    q.set_defaults(func=cmd_imports_undo)

    p = sub.add_parser("export", help="export data as CSV")
    _add_workspace_arg(p, top=False)
    esub = p.add_subparsers(dest="export_command", metavar="WHAT", required=True)
    q = esub.add_parser("sources", help="one row per imported record, with its customer")
    _add_workspace_arg(q, top=False)
    q.add_argument("out", metavar="OUT.csv")
    q.set_defaults(func=cmd_export_sources)
    q = esub.add_parser("customers", help="one row per customer")
    _add_workspace_arg(q, top=False)
    q.add_argument("out", metavar="OUT.csv")
    q.set_defaults(func=cmd_export_customers)
    return parser


# -- helpers ----------------------------------------------------------------------


def _workspace_path(args: argparse.Namespace) -> Path:
    return Path(args.workspace) if args.workspace else paths.default_workspace_path()


def _open_existing(args: argparse.Namespace):
    from omnidesk.core.workspace import Workspace

    path = _workspace_path(args)
    if not path.exists():
        raise CliError(
            f"no workspace at {path}; create one with 'omnidesk demo --workspace {path}' "
            "or by importing a file with 'omnidesk import FILE --workspace PATH'"
        )
    return Workspace.open(path)


def _open_or_create(args: argparse.Namespace):
    from omnidesk.core.workspace import Workspace

    return Workspace.open(_workspace_path(args), create=True)


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
    with _open_existing(args) as ws:
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


def cmd_import(args: argparse.Namespace) -> int:
    from omnidesk.core.importing.pipeline import ImportOptions, analyze, run_to_end, write_error_report

    files = [Path(f) for f in args.files]
    for f in files:
        if not f.is_file():
            raise CliError(f"{f}: no such file")
    options = ImportOptions(
        channel=args.channel,
        preset=None if args.preset in (None, "auto") else args.preset,
        kind=None if args.kind == "auto" else args.kind,
        region=args.region,
    )
    results = []
    flagged_rows = []
    failures = 0
    with _open_or_create(args) as ws:
        for f in files:
            try:
                plan = analyze(ws, f, options)
                result = run_to_end(ws, plan, dry_run=args.dry_run)
            except CliError:
                raise
            except Exception as exc:  # one bad file must not stop the others
                if not _is_user_error(exc):
                    raise
                failures += 1
                results.append({"file": f.name, "error": str(exc)})
                if not args.json:
                    print(f"omnidesk: error: {exc}", file=sys.stderr)
                continue
            summary = result.summary()
            results.append(summary)
            flagged_rows.append((plan, result))
            if not args.json:
                verb = "would import" if args.dry_run else "imported"
                print(
                    f"{f.name}: {summary['preset'] or 'generic'} {summary['kind']} "
                    f"({summary['channel']}), {summary['rows']} rows: {verb} {summary['imported']}, "
                    f"flagged {summary['flagged']}, duplicates {summary['duplicates']}"
                )
        if args.errors:
            written = write_error_report(Path(args.errors), flagged_rows)
            if not args.json:
                print(f"Wrote {written} flagged rows to {args.errors}")
    if args.json:
        for r in results:
            print(json.dumps(r, ensure_ascii=False))
    return EXIT_ERROR if failures else EXIT_OK


def cmd_imports_list(args: argparse.Namespace) -> int:
    from omnidesk.core.importing.batches import list_batches

    with _open_existing(args) as ws:
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
    print(
        f"Undid import {args.batch_id}: removed {removed['source_records']} records, "
        f"{removed['events']} events, {removed['customers']} customers."
    )
    return EXIT_OK


def cmd_export_sources(args: argparse.Namespace) -> int:
    from omnidesk.core.exporting.tables import export_sources

    with _open_existing(args) as ws:
        n = export_sources(ws, Path(args.out))
    print(f"Wrote {n} source records to {args.out}")
    return EXIT_OK


def cmd_export_customers(args: argparse.Namespace) -> int:
    from omnidesk.core.exporting.tables import export_customers

    with _open_existing(args) as ws:
        n = export_customers(ws, Path(args.out))
    print(f"Wrote {n} customers to {args.out}")
    return EXIT_OK


def _is_user_error(exc: BaseException) -> bool:
    from omnidesk.core.errors import UserError
    from omnidesk.core.workspace import WorkspaceError

    return isinstance(exc, (UserError, WorkspaceError, OSError))


def _run_gui(args: argparse.Namespace) -> int:
    from omnidesk.app import run_app

    return run_app(workspace=Path(args.workspace) if args.workspace else None, demo=args.demo)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    func: Callable[[argparse.Namespace], int] | None = getattr(args, "func", None)
    try:
        if func is None:
            return _run_gui(args)
        return func(args)
    except CliError as exc:
        print(f"omnidesk: error: {exc}", file=sys.stderr)
        return exc.status
    except KeyboardInterrupt:
        print("omnidesk: interrupted; nothing was half-written.", file=sys.stderr)
        return 130
    except Exception as exc:
        if _is_user_error(exc):
            print(f"omnidesk: error: {exc}", file=sys.stderr)
            return EXIT_ERROR
        raise


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
