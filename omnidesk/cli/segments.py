"""Commands over segments: save, list, show, delete and count rules in the segment JSON form."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from omnidesk.cli.common import EXIT_OK, EXIT_USAGE, CliError, _command, _open_existing
from omnidesk.cli.output import Output
from omnidesk.core.errors import UserError
from omnidesk.core.text import counted, printable

RULE_HELP = 'a rule as JSON (\'{"all": [...]}\'), or @FILE to read it from a file; see README "Segments"'


def add_commands(sub) -> None:
    """Register this group's commands on the top-level subparsers."""
    p = _command(sub, "segment", help="saved segments: rules that pick customers")
    ssub = p.add_subparsers(dest="segment_command", metavar="ACTION", required=True)
    q = _command(ssub, "save", help="save a rule under a name")
    q.add_argument("name", metavar="NAME")
    q.add_argument("--rule", required=True, metavar="JSON|@FILE", help=RULE_HELP)
    q.add_argument("--replace", action="store_true", help="replace the rule of an existing segment")
    q.set_defaults(func=cmd_segment_save)
    q = _command(ssub, "list", help="the saved segments, with how many customers each picks")
    q.add_argument("--json", action="store_true")
    q.set_defaults(func=cmd_segment_list)
    q = _command(ssub, "show", help="one saved segment's rule and count")
    q.add_argument("name", metavar="NAME")
    q.add_argument("--json", action="store_true")
    q.set_defaults(func=cmd_segment_show)
    q = _command(ssub, "delete", help="delete a saved segment (its customers are untouched)")
    q.add_argument("name", metavar="NAME")
    q.set_defaults(func=cmd_segment_delete)
    q = _command(ssub, "count", help="how many customers a saved segment or a rule picks")
    add_audience_args(q, required=True, positional=True)
    q.add_argument("--json", action="store_true")
    q.set_defaults(func=cmd_segment_count)


def add_audience_args(parser: argparse.ArgumentParser, *, required: bool = False,
                      positional: bool = False) -> None:
    """NAME (or --segment NAME) | --rule JSON|@FILE: who a command works on."""
    if positional:
        parser.add_argument("name", metavar="NAME", nargs="?", help="a saved segment")
    else:
        parser.add_argument("--segment", metavar="NAME", help="only the customers of this saved segment")
    parser.add_argument("--rule", metavar="JSON|@FILE", help=RULE_HELP)
    parser.set_defaults(audience_required=required)


def read_rule(text: str, ws) -> dict:
    """The rule of ``--rule``: JSON text, or @FILE; checked against the workspace ``ws`` (its
    channels included), with a one-line error naming what is wrong."""
    from omnidesk.core.errors import UserError
    from omnidesk.core.exporting.textfiles import MAX_JSON_BYTES
    from omnidesk.core.segments import parse_rule, workspace_channels
    from omnidesk.core.userfiles import read_capped

    # A rule that is empty or wrong is a value --rule does not take: a usage error (2), inline or
    # in a file alike.  A rule file that cannot be read is told as every unreadable file is (1).
    if not text.strip():
        raise CliError("--rule is empty: give a rule as JSON or @FILE", EXIT_USAGE)
    if text.startswith("@"):
        path = Path(text[1:])
        try:  # a pipe or a device is refused unread, and a file read no further than a rule goes
            data = read_capped(path, MAX_JSON_BYTES, "a rule file")
        except UserError as exc:  # each begins with the file's name
            raise CliError(f"the rule file {exc}") from None
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise CliError(f'the rule file "{printable(path.name)}" is not UTF-8 text ({exc.reason} at byte '
                           f'{exc.start})') from None
    try:
        return parse_rule(text, workspace_channels(ws))
    except UserError as exc:  # RuleError: one line naming the part at fault
        raise CliError(str(exc), EXIT_USAGE) from None


def warn_unknown_custom_fields(ws, rule: dict | None) -> None:
    """Say on stderr which custom fields a rule names that no record has (a typo), and what the
    conditions on each then come to: "has none" or "is not" holds for every customer, the rest for
    nobody, each ``not`` around them turning that over.

    Not refused: a segment may be saved before the file that brings the field.
    """
    import sys

    from omnidesk.core.customers import custom_field_names
    from omnidesk.core.segments import custom_field_outcomes

    named = custom_field_outcomes(rule) if rule else {}
    if not named:
        return
    known = custom_field_names(ws)
    folded = {k.casefold() for k in known}
    for name, outcomes in named.items():
        if name.casefold() not in folded:
            there = f"the workspace has: {', '.join(known)}" if known else "the workspace has none yet"
            if outcomes == {False}:
                said = ", so it picks nobody"
            elif outcomes == {True}:
                said = ": this condition is true of every customer"
            else:
                said = ": of the conditions on it, some are true of every customer, the others of no customer"
            print(f"omnidesk: warning: no record has a custom field {printable(name)!r}{said} "
                  f"({printable(there)})", file=sys.stderr)


def audience(ws, args: argparse.Namespace) -> dict | None:
    """The rule a command's audience arguments name; None for everyone."""
    from omnidesk.core.segments import resolve_audience

    name = getattr(args, "name", None) if hasattr(args, "name") else None
    name = name if name is not None else getattr(args, "segment", None)
    rule = read_rule(args.rule, ws) if args.rule is not None else None
    if name is None and rule is None:
        if getattr(args, "audience_required", False):
            raise CliError("name a saved segment or give --rule", EXIT_USAGE)
        return None
    warn_unknown_custom_fields(ws, rule)
    return resolve_audience(ws, segment=name, rule=rule)


def cmd_segment_save(args: argparse.Namespace) -> int:
    from omnidesk.core.segments import count, get_segment, save_segment

    with _open_existing(args) as ws:
        rule = read_rule(args.rule, ws)
        if not args.replace:
            try:
                taken = get_segment(ws, args.name).name
            except UserError:
                taken = None
            if taken is not None:
                raise CliError(f"a segment named '{printable(taken)}' exists already; add --replace to replace "
                               "its rule, or choose another name")
        warn_unknown_custom_fields(ws, rule)
        n = count(ws, rule)  # before saving: a rule the database cannot run is not kept
        save_segment(ws, args.name, rule, replace=args.replace)
    print(f"Saved segment {printable(' '.join(args.name.split()))}: {counted(n, 'customer')}")
    return EXIT_OK


def _count_of(ws, segment) -> dict:
    """``customers``: how many the saved ``segment`` picks; for one whose rule this version refuses
    (a tag with a comma, saved by an older omnidesk), ``customers`` None and ``problem`` saying why,
    rather than a count of what the rule no longer means."""
    from omnidesk.core.segments import RuleError, count

    try:
        return {"customers": count(ws, segment.rule)}
    except RuleError as exc:
        return {"customers": None, "problem": str(exc)}


def cmd_segment_list(args: argparse.Namespace) -> int:
    from omnidesk.core.segments import list_segments

    with _open_existing(args, readonly=True) as ws:
        data = [{"name": s.name, **_count_of(ws, s), "updated_at": s.updated_at} for s in list_segments(ws)]

    def text(rows):
        if not rows:
            return ["No saved segments. Save one with: omnidesk segment save NAME --rule JSON"]
        width = max(len(r["name"]) for r in rows)
        return [f"{printable(r['name']):<{width}}  " + (
                f"{r['customers']:>9,} {'customer' if r['customers'] == 1 else 'customers'}"
                if r["customers"] is not None else f"cannot run: {printable(r['problem'])}") for r in rows]

    Output(args).show(data, text)
    return EXIT_OK


def cmd_segment_show(args: argparse.Namespace) -> int:
    from omnidesk.core.segments import get_segment

    with _open_existing(args, readonly=True) as ws:
        seg = get_segment(ws, args.name)
        data = {"name": seg.name, "rule": seg.rule, **_count_of(ws, seg),
                "created_at": seg.created_at, "updated_at": seg.updated_at}

    def text(d):
        told = (counted(d["customers"], "customer") if d["customers"] is not None
                else f"cannot run: {printable(d['problem'])}; save it again with the rule changed (--replace)")
        return [f"{printable(d['name'])}: {told}", json.dumps(d["rule"], indent=2, ensure_ascii=False)]

    Output(args).show(data, text)
    return EXIT_OK


def cmd_segment_delete(args: argparse.Namespace) -> int:
    from omnidesk.core.segments import delete_segment

    with _open_existing(args) as ws:
        delete_segment(ws, args.name)
    print(f"Deleted segment {printable(' '.join(args.name.split()))}")
    return EXIT_OK


def cmd_segment_count(args: argparse.Namespace) -> int:
    from omnidesk.core.segments import count

    if args.name is not None and args.rule is not None:
        raise CliError("give a segment name or --rule, not both", EXIT_USAGE)
    from omnidesk.core.segments import RuleError

    with _open_existing(args, readonly=True) as ws:
        rule = audience(ws, args)
        try:
            n = count(ws, rule)
        except RuleError as exc:
            if args.name is None:
                raise
            # A saved rule this version refuses (a tag with a comma, saved by an older omnidesk).
            raise CliError(f"the segment '{printable(args.name)}' cannot run: {exc}") from None
    Output(args).show({"customers": n}, lambda d: counted(d['customers'], 'customer'))
    return EXIT_OK
