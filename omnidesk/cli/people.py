"""Commands on one person: export everything about them, or erase them."""

from __future__ import annotations

import argparse
import sys

from omnidesk.cli.common import (
    EXIT_OK,
    EXIT_USAGE,
    CliError,
    _add_force_arg,
    _command,
    _customer,
    _open_existing,
    _output,
)
from omnidesk.cli.output import Output
from omnidesk.core.text import counted, printable


def add_commands(sub) -> None:
    """Register this group's commands on the top-level subparsers."""
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
    q.add_argument("--json", action="store_true",
                   help="say what was erased as JSON; log_held says a copy stays in the -wal file for now")
    q.set_defaults(func=cmd_person_erase)


def cmd_person_export(args: argparse.Namespace) -> int:
    from omnidesk.core.rights import export_person

    if args.out is not None:  # an empty OUT.zip is refused, never read as not given
        _output(args.out, args, "OUT.zip")  # refused before the workspace is opened
    with _open_existing(args, readonly=True) as ws:
        cid = _customer(ws, args.customer)
        out = _output(args.out if args.out is not None else f"customer-{cid}.zip", args, "OUT.zip")
        export_person(ws, cid, out, overwrite=args.force)
    print(f"Wrote everything about customer {cid} to {printable(str(out))}")
    return EXIT_OK


def cmd_person_erase(args: argparse.Namespace) -> int:
    from omnidesk.core.rights import GUESS_CHECKED, KEPT_AS, LOG_HELD, erase_person

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
            # The question goes to stderr, as the errors do: with the results sent to a file, the
            # user still sees it, and the file gets none of it.
            print(f"Erase customer {cid} and every record about them?{backups} Their emails, phones "
                  f"and customer ids stay on the suppression list as {KEPT_AS}: {GUESS_CHECKED}. "
                  "This cannot be undone [y/N] ", end="", file=sys.stderr, flush=True)
            answer = sys.stdin.readline()
            if not answer:  # Ctrl-D: no answer is a no
                print(file=sys.stderr)
            if answer.strip().lower() not in ("y", "yes"):
                Output(args).show({"customer": cid, "erased": False}, lambda _data: "Nothing erased.")
                return EXIT_OK
        removed = erase_person(ws, cid)
    Output(args).show({"customer": cid, "erased": True, **removed, "log_held": bool(removed.get("log_held"))},
                      lambda _data: _erased_words(cid, removed))
    if removed.get("log_held"):
        print(LOG_HELD, file=sys.stderr)
    return EXIT_OK


def _erased_words(cid: int, removed: dict) -> list[str]:
    """What ``person erase`` says it did, as text."""
    from omnidesk.core.rights import GUESS_CHECKED, KEPT_AS

    n = removed.get("backups_deleted", 0)
    return [f"Erased customer {cid}: {counted(removed['source_records'], 'source record')}, "
            f"{counted(removed['events'], 'event')}; "
            f"{counted(removed['identifiers_suppressed'], 'identifier')}"
            + (" and their name and address" if removed.get("name_and_place_keys") else "")
            + " on the suppression list"
            + (f"; also removed from {counted(removed['others_rows'], 'row')} of other customers"
               if removed.get("others_rows") else "")
            + (f"; also removed from the notes of {counted(removed['others_notes'], 'other customer')}"
               if removed.get("others_notes") else "")
            + _rules_note(removed.get("segments_named", 0), removed.get("campaigns_named", 0))
            + (f"; deleted {n} backup{'s' if n != 1 else ''} that held them." if n else "."),
            f"The suppression list keeps them as {KEPT_AS}; {GUESS_CHECKED}."]


def _rules_note(segments: int, campaigns: int) -> str:
    """What the erase did to saved segments and campaign audiences naming the person's email or phone."""
    from omnidesk.core.rights import rules_named_words

    words = rules_named_words(segments, campaigns)
    return f"; {words}" if words else ""
