"""Commands for everyday work on the list: tags, consent heard by phone, values typed in, a customer added,
and why a customer's records are one person.

Each is one transaction through omnidesk.core.edits: it changes everything it
names or, with a one-line error, nothing.
"""

from __future__ import annotations

import argparse
import sys

from omnidesk.cli.common import (
    EXIT_OK,
    EXIT_USAGE,
    CliError,
    _command,
    _customer,
    _open_existing,
)
from omnidesk.cli.output import Output
from omnidesk.cli.segments import RULE_HELP, read_rule
from omnidesk.core.text import printable

FIELD_HELP = ("first_name, last_name, email, phone, company, address, city, region, postcode, country, "
              "birthday")


def add_commands(sub) -> None:
    """Register this group's commands on the top-level subparsers."""
    p = _command(sub, "tag", help="add or remove a tag on customers")
    tsub = p.add_subparsers(dest="tag_command", metavar="ACTION", required=True)
    for action, words in (("add", "tag customers"), ("remove", "take a tag off customers (a file that carries "
                                                                  "it does not bring it back)")):
        q = _command(tsub, action, help=words)
        q.add_argument("tag", metavar="TAG")
        q.add_argument("customers", nargs="*", metavar="CUSTOMER", help="customer id, email or phone")
        q.add_argument("--segment", metavar="NAME", help="every customer of this saved segment")
        q.add_argument("--rule", metavar="JSON|@FILE", help=RULE_HELP)
        q.set_defaults(func=cmd_tag, adding=action == "add")
    p = _command(sub, "tags", help="every tag and how many customers carry it")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_tags)

    p = _command(sub, "consent", help="record consent a person gave or refused outside any file")
    csub = p.add_subparsers(dest="consent_command", metavar="ACTION", required=True)
    q = _command(csub, "set", help="record consent on a channel, dated now")
    q.add_argument("customer", metavar="CUSTOMER", help="customer id, email or phone")
    q.add_argument("channel", metavar="CHANNEL", help="email, sms or whatsapp")
    q.add_argument("status", metavar="STATUS", choices=("granted", "denied"), help="granted or denied")
    q.add_argument("--note", default="", metavar="TEXT", help='what they said ("asked by phone to stop SMS")')
    q.set_defaults(func=cmd_consent_set)

    p = _command(sub, "customer", help="add a customer by hand, or type in one of their values")
    ksub = p.add_subparsers(dest="customer_command", metavar="ACTION", required=True)
    q = _command(ksub, "add", help="add a customer: FIELD=VALUE pairs (" + FIELD_HELP + ", tags)")
    q.add_argument("values", nargs="+", metavar="FIELD=VALUE")
    q.set_defaults(func=cmd_customer_add)
    q = _command(ksub, "set", help="type in a customer's value; it wins over every file from now on")
    q.add_argument("customer", metavar="CUSTOMER", help="customer id, email or phone")
    q.add_argument("field", metavar="FIELD", help=FIELD_HELP + ", or custom.NAME for a custom field")
    q.add_argument("value", metavar="VALUE", help='the new value; "" clears it')
    q.set_defaults(func=cmd_customer_set)
    q = _command(ksub, "why", help="why a customer's records are one person: one line per link")
    q.add_argument("customer", metavar="CUSTOMER", help="customer id, email or phone")
    q.add_argument("--json", action="store_true")
    q.set_defaults(func=cmd_customer_why)


def _targets(ws, args: argparse.Namespace) -> list[int]:
    from omnidesk.core.segments import member_ids, resolve_audience

    named = [args.segment is not None, args.rule is not None, bool(args.customers)]
    if sum(named) != 1:
        raise CliError("name the customers, or give --segment NAME or --rule, one of them", EXIT_USAGE)
    if args.customers:
        return sorted({_customer(ws, text) for text in args.customers})
    rule = resolve_audience(ws, segment=args.segment, rule=read_rule(args.rule, ws) if args.rule is not None else None)
    return member_ids(ws, rule)


def cmd_tag(args: argparse.Namespace) -> int:
    from omnidesk.core import edits

    with _open_existing(args) as ws:
        ids = _targets(ws, args)
        if not ids:
            print("No customer to tag: the segment is empty." if args.adding else "No customer to untag.")
            return EXIT_OK
        edit = (edits.add_tags if args.adding else edits.remove_tags)(ws, ids, [args.tag])
    print(printable(_done(edit.words)))
    return EXIT_OK


def _done(words: str) -> str:
    """An edit's words ("add tag VIP to 2 customers", as the app's Undo names it) as what was done:
    "Added tag VIP to 2 customers"."""
    for verb, did in (("add ", "Added "), ("remove ", "Removed ")):
        if words.startswith(verb):
            return did + words[len(verb):]
    return words[:1].upper() + words[1:]


def cmd_tags(args: argparse.Namespace) -> int:
    from omnidesk.core.edits import all_tags

    with _open_existing(args, readonly=True) as ws:
        data = [{"tag": tag, "customers": n} for tag, n in all_tags(ws)]

    def text(rows):
        if not rows:
            return ["No customer has a tag yet. Add one with: omnidesk tag add TAG CUSTOMER"]
        width = max(len(r["tag"]) for r in rows)
        return [f"{printable(r['tag']):<{width}}  {r['customers']:>9,} "
                f"{'customer' if r['customers'] == 1 else 'customers'}" for r in rows]

    Output(args).show(data, text)
    return EXIT_OK


def cmd_consent_set(args: argparse.Namespace) -> int:
    from omnidesk.core.channels import channel_name
    from omnidesk.core.edits import _consent_to_record, record_consent
    from omnidesk.core.errors import UserError

    try:
        _consent_to_record(args.channel, args.status)  # a CHANNEL with no consent is a usage error (2)
    except UserError as exc:
        raise CliError(str(exc).rstrip("."), EXIT_USAGE) from None
    with _open_existing(args) as ws:
        cid = _customer(ws, args.customer)
        edit = record_consent(ws, cid, args.channel, args.status, args.note)
    line = f"Recorded {channel_name(edit.channel)} consent {edit.status} for customer {cid}"
    if edit.in_force != edit.status:
        # The one rule kept a stricter fact of the same day (an opt-out a file recorded today).
        line += f"; still {edit.in_force} in force (a stricter fact of the same day wins)"
    print(line)
    return EXIT_OK


def cmd_customer_add(args: argparse.Namespace) -> int:
    from omnidesk.core.edits import FIELDS, HEADER, add_customer

    values: dict[str, str] = {}
    for pair in args.values:
        field, sep, value = pair.partition("=")
        if not sep or not field.strip():
            raise CliError(f"'{pair}' is not FIELD=VALUE (for example first_name=Ann)", EXIT_USAGE)
        if field.strip().lower() not in (*FIELDS, "tags"):
            raise CliError(f"'{printable(field.strip())}' is not a field of a customer; one of: {', '.join(HEADER)}",
                           EXIT_USAGE)
        key = field.strip().lower()
        if key in values:  # which of the two was meant is not ours to guess
            raise CliError(f"{key} is given twice; give each field once", EXIT_USAGE)
        values[key] = value
    with _open_existing(args) as ws:
        edit = add_customer(ws, values)
    print(f"Added customer {edit.created}: {printable(edit.words.removeprefix('add customer '))}")
    return EXIT_OK


def cmd_customer_set(args: argparse.Namespace) -> int:
    from omnidesk.core import edits

    field = args.field.strip()
    if not field.lower().startswith("custom.") and field.lower() not in edits.FIELDS:
        raise CliError(f"'{printable(field)}' is not a field that can be typed in; one of: "
                       f"{', '.join(edits.FIELDS)}, or custom.NAME for a custom field", EXIT_USAGE)
    with _open_existing(args) as ws:
        cid = _customer(ws, args.customer)
        if field.lower().startswith("custom."):
            edit = edits.set_custom_field(ws, cid, field[len("custom."):], args.value)
        else:
            shared = edits.held_by_others(ws, cid, {field.lower(): args.value})
            edit = edits.set_value(ws, cid, field.lower(), args.value)
            for words in shared.values():
                print(f"note: {printable(words)}", file=sys.stderr)
    print(f"Customer {cid}: {printable(edit.words)}")
    return EXIT_OK


def cmd_customer_why(args: argparse.Namespace) -> int:
    from omnidesk.core.identity.why import why_one_person
    from omnidesk.core.timeline import workspace_zone
    from omnidesk.core.timeutil import local_day

    with _open_existing(args, readonly=True) as ws:
        cid = _customer(ws, args.customer)
        why = why_one_person(ws, cid)
        zone = workspace_zone(ws)
    data = {"customer": cid, "records": why.records, "compared": why.compared, "alone": why.alone or None,
            "links": [{"why": link.why(), "records": link.which(), "how": link.how,
                       "reasons": list(link.reasons), "merged_at": link.when,
                       "merged_on": local_day(link.when, zone) if link.when else None} for link in why.links]}

    def text(d):
        alone = [printable(d["alone"])] if d["alone"] else []
        if not d["links"]:
            return [f"Customer {cid} has {d['records']} record{'s' if d['records'] != 1 else ''}: nothing to join.",
                    *alone]
        lines = [f"Customer {cid}: why these {d['records']:,} records are one person"]
        lines += [f"- {printable(link['why'])} — {printable(link['records'])}"
                  + (f" ({link['merged_on']})" if link["merged_on"] else "") for link in d["links"]]
        if d["compared"] < d["records"]:
            lines.append(f"(compared for this: the first {d['compared']:,} records and every merge)")
        return lines + alone

    Output(args).show(data, text)
    return EXIT_OK
