"""What every command shares: exit codes, the one-line error, the workspace it works on."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from omnidesk.core import paths


# Exit statuses: one rule for every command.
#
#   0  EXIT_OK: done (a check that ran and found no error included).
#   1  EXIT_ERROR: a well-formed command that could not be done, or a check that found an error:
#      a file or workspace that is missing, unreadable, damaged, busy or read-only; a name or a
#      customer that matches nothing (or several); a value, rule, plan or message the workspace
#      refuses to keep; an output it will not replace; `message check` / `campaign check` errors.
#   2  EXIT_USAGE: the command line itself is wrong, whatever the files and the workspace hold:
#      argparse's own errors (an unknown command or option, a missing or extra argument, a value
#      its type or choices refuse), options that exclude or need each other (--segment and
#      --rule; --unpin and a VALUE; erase without --yes where nobody can be asked), and a value
#      outside what its option or argument takes whatever the workspace holds (--wait,
#      --customers, --from/--to, --encoding, --region, --preset, --columns, render's --channel,
#      a customer FIELD, a consent CHANNEL, a settings KEY, an empty --workspace, an id below 1
#      or past what SQLite keeps).
#   130 interrupted (Ctrl+C); 141 the reader of the output went away (`omnidesk report | head`).
#
# So a script can tell "typed wrong" (2: the command did nothing) from "could not be done as
# asked" (1: one line on stderr says why, and what was done if anything was, as when one of
# several files imported fails).  argparse exits 2 itself; every other 2 is CliError(..., EXIT_USAGE).
EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2
DEFAULT_WAIT = 10.0  # seconds
# The largest id a workspace row can have: SQLite keeps an INTEGER in 64 signed bits, and a
# larger number handed to it is an OverflowError, not a row that is not there.
MAX_ID = 2**63 - 1
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


def _row_id(text: str) -> int:
    """An id argument (REVIEW_ID, BATCH_ID, RECORD_ID): a whole number from 1 to MAX_ID.

    No row has an id outside that range whatever the workspace holds, so it is the command line
    that is wrong (argparse's one-line usage error, 2), and past MAX_ID SQLite could not even be asked.
    """
    try:
        value = int(text)
    except ValueError:
        value = None
    if value is None or not 1 <= value <= MAX_ID:
        raise argparse.ArgumentTypeError(f"'{text}' is not an id: give a whole number from 1 to {MAX_ID}")
    return value


class CommandParser(argparse.ArgumentParser):
    """A subcommand's parser: what it does not take is refused with its own usage.

    argparse hands the words a subcommand does not know back to the top-level parser,
    whose error showed ``usage: omnidesk [-h] ...`` for a misspelled ``--rulez``; here
    the subcommand says it, with its usage and the option it may have meant.
    """

    # A word beginning with "-" is read as a value (a company "-1-1", a tag "-sale") where it is no
    # option of the command: one "-", not an option's name, nor a short option with its value written
    # on (-wPATH), nor a long option typed with one "-" ("-force" is --force mistyped: a file named
    # "-force" written, or a business renamed "-json", would be worse than the error saying so).
    # A word beginning "--" stays an option, so a mistyped one is told as one.
    _dash_words: list[str]
    _mistyped: list[str]  # the long options meant by words read as options that are none

    def _meant(self, word: str) -> str | None:
        """The long option a dash-led word was meant for (--json for -json, --jsn or -js), if any."""
        import difflib

        name = word.split("=", 1)[0]
        name = name if name.startswith("--") else "-" + name
        options = [o for o in self._option_string_actions if o.startswith("--")]
        if name in options:
            return name
        begun = [o for o in options if o.startswith(name)]
        if len(begun) == 1:
            return begun[0]
        # Letters against letters: the two dashes every name shares would make --sale "close" to --rule.
        close = difflib.get_close_matches(name[2:], [o[2:] for o in options], n=1)
        return "--" + close[0] if close else None

    def _parse_optional(self, arg_string):
        found = super()._parse_optional(arg_string)
        if found is None or arg_string.startswith("--") or self._subparsers is not None:
            if found is not None and found[0] is None and not self._meant(arg_string):
                self._dash_words.append(arg_string)  # no option misspelled: a value meant
            return found
        action, option, attached = found
        if action is None:
            meant = self._meant(arg_string)
            if meant:
                self._mistyped.append(meant)
            return found if meant else None
        if attached and option != arg_string and action.nargs == 0 and not all(
                f"-{c}" in self._option_string_actions for c in attached):
            return None  # "-hot" is no -h with "ot" after it, which argparse refuses anyway
        return found

    def parse_known_args(self, args=None, namespace=None):
        self._dash_words, self._mistyped = [], []
        namespace, extras = super().parse_known_args(args, namespace)
        if extras:
            meant = [m for word in extras if word.startswith("-") for m in [self._meant(word)] if m]
            self.error(f"unrecognized arguments: {' '.join(extras)}"
                       + (f" (did you mean {meant[0]}?)" if meant else ""))
        return namespace, extras

    def error(self, message):
        words = getattr(self, "_dash_words", ())
        mistyped = getattr(self, "_mistyped", ())
        if mistyped and "did you mean" not in message:  # "-json" then a NAME missing: -json said first
            message += f" (did you mean {mistyped[0]}?)"
        takes = [a for a in self._actions if not a.option_strings and a.nargs != argparse.PARSER]
        if words and takes:
            message += (f" (a value beginning with '-', such as {words[0]}, goes after --, which ends the "
                        f"options: {self.prog} [OPTIONS] -- {' '.join(map(_usage_of, takes))})")
        super().error(message)


def _usage_of(action: argparse.Action) -> str:
    """A positional argument as its command's usage line writes it: VALUE, [NAME], [CUSTOMER ...]."""
    name = action.metavar or action.dest
    return {"?": f"[{name}]", "*": f"[{name} ...]", "+": f"{name} [{name} ...]"}.get(action.nargs, name)


def _command(subparsers, name: str, **kwargs) -> argparse.ArgumentParser:
    """A subcommand that, like every command, also takes --workspace after its name."""
    parser = subparsers.add_parser(name, **kwargs)
    _add_workspace_arg(parser, top=False)
    return parser


def _add_force_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--force", action="store_true",
                        help="replace the output file if it exists (a workspace is never replaced)")


def _workspace_path(args: argparse.Namespace) -> Path:
    return Path(args.workspace).expanduser() if args.workspace else paths.default_workspace_path()


def _settle_workspace(args: argparse.Namespace, *, command: str | None) -> None:
    """Refuse a ``--workspace`` (or ``--demo``) no command can use, before anything is opened.

    An empty path is refused (it used to mean the default workspace, silently).  ``--demo``
    before a command is ``-w`` with the demo's path, for a demo that exists (only ``omnidesk
    demo`` builds one).  A path given that is not an existing file must be one a workspace can
    be made at: a name ending in .omnidesk, in a folder that exists (no folder is made for it).
    With no command (the app), only the first two: the window says what is wrong with the rest.
    """
    from omnidesk.core.text import printable
    from omnidesk.core.workspace import workspace_path_problem

    given = getattr(args, "workspace", None)
    if given is not None and not given.strip():
        raise CliError("--workspace: give the workspace file's path (it was empty)", EXIT_USAGE)
    if getattr(args, "demo", False):
        if given is not None:
            raise CliError("give --demo or --workspace PATH, not both", EXIT_USAGE)
        if command is None or command == "demo":
            return  # the app opens (or builds) the demo; `omnidesk demo` builds it where it goes
        demo = paths.demo_workspace_path()
        if not demo.exists():
            raise CliError(f"there is no demo workspace yet ({printable(str(demo))}); build it with "
                           "'omnidesk demo' (or open it in the app with 'omnidesk --demo')")
        args.workspace = str(demo)
        return
    if given is None or command is None:
        return
    problem = workspace_path_problem(Path(given).expanduser())
    if problem:
        raise CliError(printable(problem))


def _named(value: str | None, name: str, what: str = "the file to write") -> str | None:
    """The value of an output argument (``name``: ``--pdf``, ``OUT.csv``) as given, refused (2) when
    it is empty or blank.

    The one check for every file or folder a command writes, made before the value is read as a
    path: an empty one is no name (a path of it is ".", the folder the command was typed in, and
    an optional one would pass for "not given"), and a blank one names a file nobody sees.
    """
    if value is not None and not value.strip():
        raise CliError(f"{name}: give {what} (it was {'empty' if not value else 'blank'})", EXIT_USAGE)
    return value


def _output(path: str | Path, args: argparse.Namespace, name: str) -> Path:
    """The output file of a command (given as ``name``: ``--pdf``, ``OUT.csv``), checked before any
    work is done.

    An empty or blank name is refused (see :func:`_named`).  A workspace (this one or any other,
    or a file beside one) is never written over; another existing file only with ``--force``.
    """
    from omnidesk.core.exporting.outfiles import OutputExistsError, check_output
    from omnidesk.core.text import printable

    if isinstance(path, str):
        _named(path, name)
    try:
        out = check_output(path, overwrite=getattr(args, "force", False), workspace=_workspace_path(args))
    except OutputExistsError:
        raise CliError(f"{printable(str(path))} already exists; add --force to replace it") from None
    except OSError as exc:  # a folder the user may not look in
        raise _refused_output(Path(path), exc) from None
    # Told now, not once the work is done: an import's error report into a folder that is not
    # there was refused after the import had been committed.
    if not out.absolute().parent.is_dir():
        raise CliError(f"cannot write {printable(out.name)}: there is no folder "
                       f"{printable(str(out.absolute().parent))}")
    return out


def _refused_output(path: Path, exc: OSError) -> CliError:
    """The one line for an output file the system refused even to look for, said as a failed write is."""
    from omnidesk.core.failures import name_too_long_message, write_failure_reason
    from omnidesk.core.text import printable

    too_long = name_too_long_message(exc)
    if too_long is not None:
        return CliError(printable(too_long))
    return CliError(f"cannot write {printable(path.name)}: {printable(write_failure_reason(path, exc))}")


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
        # Never "demo --workspace" it: that fills the path meant for the shop's own customers
        # with the sample shop's (the demo has its own file, see 'omnidesk demo').
        raise CliError(
            f"no workspace at {path}; importing a file makes it ('omnidesk import FILE --workspace {path}'), "
            "or try the sample shop first with 'omnidesk demo'"
        )
    return _said(Workspace.open(path, readonly=readonly, busy_timeout=_wait(args)))


def _open_or_create(args: argparse.Namespace):
    from omnidesk.core.workspace import Workspace

    return _said(Workspace.open(_workspace_path(args), create=True, busy_timeout=_wait(args)))


def _said(ws):
    """``ws``, once what opening it changed (consent read again by an upgrade) is said on stderr,
    never among a command's results."""
    if ws.upgrade_note:
        print(ws.upgrade_note, file=sys.stderr)
    return ws


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


def _user_error_text(exc: BaseException) -> str:
    """What a user error (see :func:`_is_user_error`) says.  A path the system will not let the user
    look at (a folder of another user's) is said as every reader of a user's file says it, naming
    the file, never as the system's own ``[Errno 13]`` line; a name too long for the disk says so
    and how long it may be, never ``[Errno 36]``."""
    from omnidesk.core.failures import name_too_long_message
    from omnidesk.core.text import printable
    from omnidesk.core.userfiles import cannot_open_text

    too_long = name_too_long_message(exc)
    if too_long is not None:
        return printable(too_long)
    if isinstance(exc, PermissionError) and isinstance(exc.filename, (str, os.PathLike)):
        return cannot_open_text(printable(Path(exc.filename).name), exc)
    return str(exc)
