"""What every command shares: exit codes, the one-line error, the workspace it works on."""

from __future__ import annotations

import argparse
from pathlib import Path

from omnidesk.core import paths


EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2
DEFAULT_WAIT = 10.0  # seconds
# The longest --wait: a day is more than any import takes.  SQLite itself keeps the wait as a
# 32-bit count of milliseconds (about 24.8 days) and quietly waits not at all past it.
MAX_WAIT = 86_400.0


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
        type=_seconds,
        default=None if top else argparse.SUPPRESS,
        help="how long a change waits for an import running in another window "
             "(default: %g)" % DEFAULT_WAIT,
    )


def _seconds(text: str) -> float:
    """--wait's value: a number of seconds from 0 to MAX_WAIT (argparse's one-line usage error when not)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number of seconds such as 10") from None
    if not 0 <= value <= MAX_WAIT:  # NaN fails this too, as do inf and -inf
        raise argparse.ArgumentTypeError(f"give a number of seconds from 0 to {MAX_WAIT:g} (a day), "
                                         f"not '{text}'")
    return value


def _command(subparsers, name: str, **kwargs) -> argparse.ArgumentParser:
    """A subcommand that, like every command, also takes --workspace after its name."""
    parser = subparsers.add_parser(name, **kwargs)
    _add_workspace_arg(parser, top=False)
    return parser


def _add_force_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--force", action="store_true",
                        help="replace the output file if it exists (a workspace is never replaced)")


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
    if not 0 <= wait <= MAX_WAIT:  # parsing refused it already; a Namespace built by hand may not have
        raise CliError(f"--wait takes a number of seconds from 0 to {MAX_WAIT:g}", EXIT_USAGE)
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


def _customer(ws, text: str) -> int:
    from omnidesk.core.timeline import find_customer

    cid = find_customer(ws, text)
    if cid is None:
        raise CliError(f"no customer matches '{text}' (give an id, an email or a phone number)")
    return cid


def _is_user_error(exc: BaseException) -> bool:
    from omnidesk.core.errors import UserError
    from omnidesk.core.workspace import WorkspaceError

    return isinstance(exc, (UserError, WorkspaceError, OSError))
