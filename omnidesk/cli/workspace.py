"""Commands on a workspace as a whole: demo, info, settings, recover."""

from __future__ import annotations

import argparse
import shlex
import sys
from pathlib import Path

from omnidesk import __version__
from omnidesk.cli.common import EXIT_OK, EXIT_USAGE, CliError, _command, _named, _open_existing, _refused_output
from omnidesk.cli.output import Output
from omnidesk.core import paths

# The most people a demo shop has.  The demo is built through the real import, whose time grows
# faster than its size: 5,000 people take about 35 seconds and 0.3 GB, 20,000 about 3.5 minutes
# and 0.6 GB, 50,000 twelve minutes and 1 GB (two cores); 100 million ran for 11 minutes and
# then ran out of memory, unsaid.
MAX_DEMO_CUSTOMERS = 20_000

def add_commands(sub) -> None:
    """Register this group's commands on the top-level subparsers."""
    p = _command(sub, "demo", help="build a demo workspace headless")
    # The demo has a file of its own, so it never takes the place of the user's workspace.
    for action in p._actions:
        if action.dest == "workspace":
            action.help = "where to build it (default: %s)" % paths.demo_workspace_path()
    p.add_argument("--customers", type=_demo_customers, default=300, metavar="N",
                   help=f"people in the demo shop, from 1 to {MAX_DEMO_CUSTOMERS:,} (default 300); a few of them "
                        "come as two customers until their pairs in Review are answered")
    p.add_argument("--force", action="store_true", help="replace an existing demo workspace")
    p.add_argument("--files", metavar="DIR",
                   help="instead of a workspace, write the demo shop's channel exports (its shop, email list, "
                        "till, lead forms, SMS list and phone contacts) into DIR, to try `omnidesk import` on")
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

    p = _command(sub, "recover", help="copy what can be read of a damaged workspace into a new one")
    p.add_argument("damaged", metavar="DAMAGED", help="the damaged workspace file (only read)")
    p.add_argument("new", metavar="NEW", help="the new workspace file to write (must not exist)")
    p.add_argument("--json", action="store_true", help="print the summary as JSON")
    p.set_defaults(func=cmd_recover)


def _demo_customers(text: str) -> int:
    """--customers' value: a whole number from 1 to MAX_DEMO_CUSTOMERS (argparse's one-line usage error when not)."""
    try:
        value = int(text)
    except ValueError:
        value = None
    if value is None or not 1 <= value <= MAX_DEMO_CUSTOMERS:
        raise argparse.ArgumentTypeError(f"give a whole number of people from 1 to {MAX_DEMO_CUSTOMERS:,}, "
                                         f"not '{text}'")
    return value


def cmd_demo(args: argparse.Namespace) -> int:
    from omnidesk.core.demo import build_demo

    if not 1 <= args.customers <= MAX_DEMO_CUSTOMERS:  # parsing refused it; a Namespace built by hand may not have
        raise CliError(f"--customers takes a number of people from 1 to {MAX_DEMO_CUSTOMERS:,}", EXIT_USAGE)
    if args.files is not None:
        if args.workspace or args.force:
            raise CliError("--files writes the demo's files, not a workspace: leave out "
                           + ("--workspace" if args.workspace else "--force"), EXIT_USAGE)
        _named(args.files, "--files", "the folder for the demo's files")
        return _demo_files(args)
    path = Path(args.workspace) if args.workspace else paths.demo_workspace_path()
    summary = build_demo(path, customers=args.customers, force=args.force)
    quoted = shlex.quote(str(path))
    opener = "omnidesk --demo" if path == paths.demo_workspace_path() else f"omnidesk -w {quoted}"

    def text(summary: dict) -> str:
        counts = summary["counts"]
        return (f"Demo workspace {path}: {counts['customers']} customers, "
                f"{counts['source_records']} source records, {counts['events']} events "
                f"from {counts['imports']} files.\n"
                f"Open it with `{opener}`; other commands take it with "
                f"`omnidesk -w {quoted} COMMAND`.")

    Output(args).show(summary, text)
    return EXIT_OK


def _demo_files(args: argparse.Namespace) -> int:
    """The demo shop's channel exports, written into ``--files`` beside what is there, never over it."""
    import shutil
    import tempfile

    from omnidesk.core.demo_data import write_demo_files
    from omnidesk.core.text import printable

    target = Path(args.files).expanduser()
    if target.exists() and not target.is_dir():
        raise CliError(f"{printable(str(target))} is a file, not a folder: give the folder to write into")
    try:
        target.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=target, prefix=".omnidesk-demo-") as scratch:
            made = write_demo_files(Path(scratch), customers=args.customers)
            there = sorted(f.path.name for f in made if (target / f.path.name).exists())
            if there:
                named = ", ".join(there[:3]) + (f" and {len(there) - 3} more" if len(there) > 3 else "")
                raise CliError(f"{printable(str(target))} already has {named}: nothing was written; "
                               "choose an empty folder")
            for f in made:
                shutil.move(f.path, target / f.path.name)
    except OSError as exc:
        raise CliError(f"could not write the demo's files into {printable(str(target))}: "
                       f"{exc.strerror or exc}") from exc
    files = [{"file": str(target / f.path.name), "channel": f.channel, "kind": f.kind,
              "description": f.description} for f in made]
    width = max(len(f.path.name) for f in made) + 2
    Output(args).show({"files": files}, lambda summary: [
        f"Wrote {len(files)} files of the demo shop into {target}:",
        *(f"  {Path(f['file']).name:<{width}}{f['description']}" for f in files),
        f"Try: omnidesk import {shlex.quote(str(target / made[0].path.name))} -w shop.omnidesk"])
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
    Output(args).show(info, lambda info: [
        f"Workspace: {info['workspace']}",
        f"Schema:    {info['schema']}",
        *(f"{name.replace('_', ' ').capitalize():<15}{n:>10,}" for name, n in info["counts"].items()),
    ])
    return EXIT_OK


def cmd_settings(args: argparse.Namespace) -> int:
    from omnidesk.core.errors import UserError
    from omnidesk.core.settings import SETTINGS, change_setting, checked_setting, list_settings, zone_warning
    from omnidesk.core.text import printable

    if args.key is not None and args.key not in {s.key for s in SETTINGS}:
        # A KEY that is none of the settings is a usage error (2), told before the workspace is opened.
        raise CliError(f"there is no setting '{printable(args.key)}'; the settings are: "
                       f"{', '.join(s.key for s in SETTINGS)}", EXIT_USAGE)
    with _open_existing(args, readonly=args.value is None) as ws:
        if args.value is not None:
            try:  # a value the setting does not take is a usage error (2), as an option's is
                checked_setting(ws, args.key, args.value)
            except UserError as exc:
                raise CliError(str(exc), EXIT_USAGE) from None
            value = change_setting(ws, args.key, args.value)
            if args.key == "timezone" and (warning := zone_warning(str(value))):
                print(f"omnidesk: warning: {warning}", file=sys.stderr)
        rows = list_settings(ws)
    if args.key is not None:
        rows = [r for r in rows if r["key"] == args.key]
        if not rows:
            raise CliError(f"there is no setting '{printable(args.key)}'; the settings are: "
                           f"{', '.join(s.key for s in SETTINGS)}", EXIT_USAGE)
    if args.key is not None:
        Output(args).show(rows[0], lambda row: _as_typed(row["value"]))
        return EXIT_OK

    def table(rows: list[dict]):
        shown = [_as_typed(r["value"]) or "(not set)" for r in rows]
        key, value = max(len(r["key"]) for r in rows) + 2, max(map(len, shown)) + 2
        for r, text in zip(rows, shown):
            yield f"{r['key']:<{key}}{text:<{value}}{r['help']}"

    Output(args).show(rows, table)
    return EXIT_OK


def _as_typed(value: object) -> str:
    """A setting's value as it is typed back in: lists comma-separated, yes/no for switches."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (list, tuple)):
        return ", ".join(map(str, value))
    return "" if value is None else str(value)


def cmd_recover(args: argparse.Namespace) -> int:
    from omnidesk.core.recover import recover_workspace
    from omnidesk.core.text import printable
    from omnidesk.core.workspace import workspace_path_problem

    _named(args.new, "NEW", "the new workspace file to write")
    damaged, new = Path(args.damaged).expanduser(), Path(args.new).expanduser()
    if damaged.is_dir():
        raise CliError(f"{printable(str(damaged))} is a folder, not a workspace file; give the damaged "
                       "workspace file itself")
    try:
        new_exists = new.exists()
    except OSError as exc:  # a folder the user may not look in
        raise _refused_output(new, exc) from None
    if not new_exists:  # an existing NEW is refused by recover_workspace, whatever it is
        problem = workspace_path_problem(new)
        if problem:
            raise CliError(f"NEW: {printable(problem)}")
    summary = recover_workspace(damaged, new)

    def text(summary: dict) -> str:
        counts = summary["counts"]
        how = ("the file read whole" if summary["method"] == "copy"
               else f"row by row, skipping {summary['skipped_stretches']} unreadable stretch"
                    f"{'es' if summary['skipped_stretches'] != 1 else ''}")
        said = (f"Recovered into {args.new} ({how}): {counts['customers']:,} customers, "
                f"{counts['source_records']:,} source records, {counts['events']:,} events, "
                f"{counts['imports']:,} imports. {args.damaged} was not changed.")
        if summary.get("losses"):  # what the damage took, in words for what it was, and what to do about it
            said += "\nWhat could not be read:" + "".join(f"\n  {line}" for line in summary["losses"])
        return said

    Output(args).show(summary, text)
    return EXIT_OK
