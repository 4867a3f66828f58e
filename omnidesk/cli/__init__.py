"""The front door: no subcommand opens the GUI; subcommands do the same jobs headless.

Every failure a user can cause (a missing file, a file that is not a
workspace, an unreadable CSV) ends with one line on stderr and a non-zero
exit status, never a traceback.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import signal
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from omnidesk import __version__
from omnidesk.cli import (
    campaigns,
    customers,
    exports,
    identity,
    imports,
    interrupts,
    messages,
    people,
    reports,
    segments,
    workspace,
)
from omnidesk.cli.common import (
    EXIT_ERROR,
    EXIT_USAGE,
    CliError,
    CommandParser,
    _add_workspace_arg,
    _is_user_error,
    _settle_workspace,
    _user_error_text,
    _workspace_path,
)
from omnidesk.core.text import printable

EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE, what a shell reports for a writer whose reader left


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="omnidesk",
        description="Offline omnichannel marketing: with no command, opens the app.",
    )
    parser.add_argument("--version", action="version", version=f"omnidesk {__version__}")
    _add_workspace_arg(parser, top=True)
    parser.add_argument(
        "--demo", action="store_true",
        help="open the demo workspace (built on first use); before a command, work on the demo "
             "(as -w with its path)"
    )
    # Each subcommand refuses what it does not take with its own usage (see CommandParser).
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=CommandParser)
    for group in (workspace, imports, identity, people, customers, segments, messages, campaigns, exports, reports):
        group.add_commands(sub)
    return parser


def _run_gui(args: argparse.Namespace) -> int:
    import os

    from omnidesk.desktop import display_problem

    problem = display_problem(os.environ)
    if problem:  # before Qt starts: its own message names no package, then it aborts
        raise CliError(problem)
    from omnidesk.app import run_app

    return run_app(workspace=Path(args.workspace).expanduser() if args.workspace else None, demo=args.demo)


def main(argv: Sequence[str] | None = None) -> int:
    previous = _tell_interrupts_truly()
    try:
        return _main(argv)
    finally:
        if previous is not None:
            signal.signal(signal.SIGINT, previous)


def _tell_interrupts_truly():
    """Ctrl-C notes, as it lands, whether the command's change had been saved (see interrupts);
    the handler that was there before is returned, None where none can be set (not the main thread)."""
    def on_interrupt(_signum, _frame):
        interrupts.saved()
        raise KeyboardInterrupt

    if signal.getsignal(signal.SIGINT) is not signal.default_int_handler:  # ignored, or someone else's
        return None
    try:
        return signal.signal(signal.SIGINT, on_interrupt)
    except ValueError:
        return None


def _main(argv: Sequence[str] | None) -> int:
    interrupts.watch(None)
    try:
        # Building the parser imports the commands: Ctrl-C here says so in one line too.
        parser = build_parser()
        argv = list(sys.argv[1:] if argv is None else argv)
        # A file manager opens a workspace as `omnidesk FILE.omnidesk` (the desktop entry's %F).
        if len(argv) == 1 and argv[0].endswith(".omnidesk") and not argv[0].startswith("-"):
            argv = ["--workspace", argv[0]]
        args = parser.parse_args(argv)
    except KeyboardInterrupt:
        print(interrupts.message(False), file=sys.stderr)
        return interrupts.INTERRUPTED
    func: Callable[[argparse.Namespace], int] | None = getattr(args, "func", None)
    try:
        _quiet_logs()
        _clean_temp()
        _settle_workspace(args, command=args.command if func is not None else None)
        if func is None:
            return _run_gui(args)
        interrupts.watch(_workspace_path(args))
        return func(args)
    except CliError as exc:
        print(f"omnidesk: error: {printable(str(exc))}", file=sys.stderr)
        return exc.status
    except KeyboardInterrupt:
        print(interrupts.message(interrupts.saved()), file=sys.stderr)
        return interrupts.INTERRUPTED
    except BrokenPipeError:
        # The reader went away (`omnidesk report | head`): as other tools do, stop quietly.
        # Whatever is still buffered goes nowhere rather than failing again at exit.
        with contextlib.suppress(OSError, ValueError, AttributeError):  # stdout may be no file
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        return EXIT_BROKEN_PIPE
    except Exception as exc:
        # A full disk or a damaged file: one sentence, never the rows SQLAlchemy quotes.
        told = _described(args, exc)
        if told is None:
            told = _not_text(exc, argv)
        if told is None and _is_user_error(exc):
            told = _user_error_text(exc)
        if told is None:
            told = _database_refusal(args, exc)
        if told is None:
            told = _database_error(exc)
        if told is None:
            raise
        print(f"omnidesk: error: {printable(told)}", file=sys.stderr)
        from omnidesk.core.errors import ValueRefused

        return EXIT_USAGE if isinstance(exc, ValueRefused) else EXIT_ERROR


def _not_text(exc: BaseException, argv: Sequence[str]) -> str | None:
    """A value typed with bytes that are not UTF-8 (a terminal set to Latin-1: ``first_name=Ren\xe9``)
    reaches the workspace as text it cannot keep; said naming the value, never as the database's
    traceback.  The change it was part of is not written (its transaction never commits)."""
    while exc is not None and not isinstance(exc, UnicodeEncodeError):
        exc = exc.__cause__ or exc.__context__ or getattr(exc, "orig", None)
    if exc is None or "surrogate" not in str(exc.reason):
        return None
    bad = [a for a in argv if any("\udc80" <= ch <= "\udcff" for ch in a)]
    named = f"'{bad[0]}'" if bad else "a value given"
    return (f"{named} is not text the workspace can keep: it holds bytes that are not UTF-8 "
            "(set the terminal to UTF-8 and type it again); nothing was changed")


def _described(args: argparse.Namespace, exc: BaseException) -> str | None:
    """A full disk or a damaged file in one sentence (see failures.describe), said of the file the
    command works on: ``-w``'s, or for ``recover``, which names its files itself, the damaged file
    it reads (damage) and the new one it writes (a full disk) — never the default workspace."""
    from omnidesk.core import failures

    if args.command == "recover":
        if failures.is_disk_full(exc):
            return failures.disk_full_message(exc, Path(args.new).expanduser())
        if failures.is_damaged(exc):
            return failures.damaged_message(Path(args.damaged).expanduser())
        return None
    return failures.describe(exc, _workspace_path(args))


class _StderrHandler(logging.StreamHandler):
    """Log lines to whatever ``sys.stderr`` is when they are written (not when set up)."""

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, value) -> None:
        pass


_LOG_HANDLER = _StderrHandler()
_LOG_HANDLER.setFormatter(logging.Formatter("omnidesk: %(levelname)s: %(message)s"))


def _quiet_logs() -> None:
    """The library's log lines (how the match model was fitted) stay out of the output a user reads.

    What such a line says is kept where it belongs (the fit's notes in the
    workspace).  ``OMNIDESK_LOG=info`` (or ``warning``, ``debug``) shows them on stderr.
    """
    level = logging.getLevelName(os.environ.get("OMNIDESK_LOG", "").strip().upper() or "ERROR")
    level = level if isinstance(level, int) else logging.ERROR
    logger = logging.getLogger("omnidesk")
    if _LOG_HANDLER not in logger.handlers:
        logger.addHandler(_LOG_HANDLER)
    _LOG_HANDLER.setLevel(level)
    # The logger itself filters only when more is asked for than it passes by default: a
    # level of ERROR on it would also hide warnings from whoever else listens (a test's caplog).
    logger.setLevel(level if level < logging.WARNING else logging.NOTSET)


def _clean_temp() -> None:
    """Delete what killed omnidesk processes left in the temp folder (copies of people's rows)."""
    from omnidesk.core.tempfiles import clean_stale, clean_stale_writes

    with contextlib.suppress(OSError):
        clean_stale()
    with contextlib.suppress(OSError):
        clean_stale_writes()  # and what they were writing in the user's folders (campaign packs)


def _database_error(exc: BaseException) -> str | None:
    """The driver's own words for a database failure, without the statement and rows SQLAlchemy adds."""
    import sqlite3

    from sqlalchemy.exc import DBAPIError

    if isinstance(exc, DBAPIError) and exc.orig is not None:
        exc = exc.orig
    elif not isinstance(exc, sqlite3.Error):  # a query run through the driver itself (campaign guards)
        return None
    # The failed statement's transaction is rolled back; a command commits its change last.
    return f"the database refused the operation ({exc}); nothing was changed."


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
        return "the workspace is busy: another window or command is writing to it; try again in a moment"
