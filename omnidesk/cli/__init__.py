"""The front door: no subcommand opens the GUI; subcommands do the same jobs headless.

Every failure a user can cause (a missing file, a file that is not a
workspace, an unreadable CSV) ends with one line on stderr and a non-zero
exit status, never a traceback.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from omnidesk import __version__
from omnidesk.cli.common import (
    EXIT_ERROR,
    CliError,
    _add_force_arg,
    _add_workspace_arg,
    _command,
    _is_user_error,
    _workspace_path,
)
from omnidesk.cli.exports import cmd_export_customers, cmd_export_sources, cmd_export_timeline
from omnidesk.cli.identity import (
    cmd_merge,
    cmd_pin,
    cmd_resolve,
    cmd_review_decide,
    cmd_review_list,
    cmd_unmerge,
)
from omnidesk.cli.imports import cmd_import, cmd_imports_errors, cmd_imports_list, cmd_imports_undo
from omnidesk.cli.people import cmd_person_erase, cmd_person_export
from omnidesk.cli.workspace import cmd_demo, cmd_info, cmd_recover, cmd_settings
from omnidesk.core.text import printable


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
