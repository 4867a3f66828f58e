"""Commands for the brand kit and messages: show and set the kit, import, list and export messages."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from omnidesk.cli.common import (
    EXIT_OK,
    EXIT_USAGE,
    CliError,
    _add_force_arg,
    _command,
    _open_existing,
    _output,
)
from omnidesk.cli.output import Output
from omnidesk.core.text import printable


def add_commands(sub) -> None:
    """Register this group's commands on the top-level subparsers."""
    from omnidesk.core.messages.brand import FIELDS

    p = _command(sub, "brand", help="the brand kit every message speaks with")
    bsub = p.add_subparsers(dest="brand_command", metavar="ACTION", required=True)
    q = _command(bsub, "show", help="the brand kit")
    q.add_argument("--json", action="store_true")
    q.set_defaults(func=cmd_brand_show)
    q = _command(bsub, "set", help="set one field of the brand kit")
    q.add_argument("field", metavar="FIELD", choices=FIELDS, help=", ".join(FIELDS))
    q.add_argument("value", metavar="VALUE", help='the new value ("" clears it); logo: a PNG or JPEG file')
    q.set_defaults(func=cmd_brand_set)

    p = _command(sub, "message", help="master messages and their per-channel variants")
    msub = p.add_subparsers(dest="message_command", metavar="ACTION", required=True)
    q = _command(msub, "import", help="create or replace a message from a JSON file")
    q.add_argument("file", metavar="FILE.json")
    q.set_defaults(func=cmd_message_import)
    q = _command(msub, "list", help="the messages, with their channels and stale variants")
    q.add_argument("--json", action="store_true")
    q.set_defaults(func=cmd_message_list)
    q = _command(msub, "check", help="every finding of the consistency check; exit 1 when any is an error")
    q.add_argument("name", metavar="NAME")
    q.add_argument("--json", action="store_true")
    q.set_defaults(func=cmd_message_check)
    q = _command(msub, "render", help="a variant as one customer will get it (the poster: a PDF with --out)")
    q.add_argument("name", metavar="NAME")
    q.add_argument("--channel", required=True, metavar="CH", help="email, sms, instagram, …, store, website")
    q.add_argument("--customer", metavar="CUSTOMER", help="customer id, email or phone (default: nobody, so "
                                                           "fallbacks show)")
    q.add_argument("--out", metavar="FILE", help="write it to a file: the email as HTML, the poster as PDF")
    q.add_argument("--page", choices=("A4", "Letter"), default=None,
                   help="the poster's paper (default: the shop's, Letter in the US, Canada, Mexico... else A4)")
    _add_force_arg(q)
    q.set_defaults(func=cmd_message_render)
    q = _command(msub, "export-json", help="write a message as JSON (what import reads)")
    q.add_argument("name", metavar="NAME")
    q.add_argument("out", metavar="OUT.json")
    _add_force_arg(q)
    q.set_defaults(func=cmd_message_export)


def cmd_brand_show(args: argparse.Namespace) -> int:
    from omnidesk.core.messages.brand import get_brand

    with _open_existing(args, readonly=True) as ws:
        data = get_brand(ws).as_dict()

    def text(d):
        shown = {**d, "logo": d["logo_name"] or "", "colors": ", ".join(d["colors"]),
                 "banned_words": ", ".join(d["banned_words"])}
        shown.pop("logo_name")
        width = max(len(k) for k in shown)
        return [f"{k:<{width}}  {printable(str(v)).replace(chr(10), ' / ') if v else '—'}" for k, v in shown.items()]

    Output(args).show(data, text)
    return EXIT_OK


def cmd_brand_set(args: argparse.Namespace) -> int:
    from omnidesk.core.messages.brand import set_brand

    with _open_existing(args) as ws:
        kit = set_brand(ws, args.field, args.value)
    value = kit.as_dict().get("logo_name" if args.field == "logo" else args.field)
    if isinstance(value, list):
        value = ", ".join(value)
    print(f"Brand {args.field}: {printable(str(value)).replace(chr(10), ' / ') if value else '(none)'}")
    return EXIT_OK


def cmd_message_import(args: argparse.Namespace) -> int:
    from omnidesk.core.exporting.textfiles import read_json
    from omnidesk.core.messages.store import import_json

    data = read_json(Path(args.file))
    with _open_existing(args) as ws:
        msg = import_json(ws, data)
    stale = f"; stale: {', '.join(msg.stale)}" if msg.stale else ""
    print(f"Saved message {printable(msg.name)}: {', '.join(msg.channels)}{stale}")
    return EXIT_OK


def cmd_message_list(args: argparse.Namespace) -> int:
    from omnidesk.core.messages.store import list_messages

    with _open_existing(args, readonly=True) as ws:
        data = [{"name": m.name, "channels": m.channels, "stale": m.stale, "updated_at": m.updated_at}
                for m in list_messages(ws)]

    def text(rows):
        if not rows:
            return ["No messages yet. Import one with: omnidesk message import FILE.json"]
        width = max(len(r["name"]) for r in rows)
        return [f"{printable(r['name']):<{width}}  {', '.join(r['channels'])}"
                + (f"  (stale: {', '.join(r['stale'])})" if r["stale"] else "") for r in rows]

    Output(args).show(data, text)
    return EXIT_OK


def cmd_message_check(args: argparse.Namespace) -> int:
    from omnidesk.core.messages.derive import CHANNEL_LABELS, PER_PERSON, where_label
    from omnidesk.core.messages.offer import check_message_now

    with _open_existing(args, readonly=True) as ws:
        report = check_message_now(ws, args.name)

    def text(d):
        # Each named by its field, as the editor labels it: "Email preheader:", "Email body:".
        lines = [f"{f['severity']:<7}  {where_label(f['channel'], f['field'])}: {printable(f['message'])} "
                 f"[{f['code']}]" for f in d["findings"]]
        for channel, s in d["stats"].items():
            extra = f", {s['segments']} segment{'s' if s['segments'] != 1 else ''} {s['encoding']}" \
                if "segments" in s else ""
            # Measured as the Messages screen says: a customer's variant on the longest of the sample,
            # a post, the poster and the banner as published.
            on = report.measured_on if channel in PER_PERSON else "as everyone sees it"
            lines.append(f"{CHANNEL_LABELS.get(channel, channel)}: {s.get('length', 0):,} of "
                         f"{s.get('limit', 0):,}{extra} ({on})")
        return lines if d["findings"] else ["No findings.", *lines]

    Output(args).show(report.as_dict(), text)
    return 1 if report.errors else EXIT_OK


def cmd_message_render(args: argparse.Namespace) -> int:
    from omnidesk.cli.common import _customer
    from omnidesk.core.messages.derive import CHANNEL_LABELS, PER_PERSON, VARIANT_CHANNELS
    from omnidesk.core.messages.render import render_variant, write_poster

    if args.channel not in VARIANT_CHANNELS:  # no message has it: the option's value is not one (2)
        raise CliError(f"--channel: '{printable(args.channel)}' is not a channel of a message; one of: "
                       f"{', '.join(VARIANT_CHANNELS)}", EXIT_USAGE)
    out = _output(args.out, args, "--out") if args.out is not None else None
    if args.channel == "store" and out is None:
        raise CliError("the poster is a PDF: give --out FILE.pdf", EXIT_USAGE)
    with _open_existing(args, readonly=True) as ws:
        cid = _customer(ws, args.customer) if args.customer else None

        def for_everyone() -> None:
            # Published once, for whoever looks: no customer's values fill it, as the export publishes it.
            if cid is not None and args.channel not in PER_PERSON:
                what = {"store": "the poster", "website": "the website banner"}.get(
                    args.channel, f"the {CHANNEL_LABELS[args.channel]} post")
                print(f"omnidesk: note: --customer does not apply to {what}: it is published once for everyone, "
                      "so its personal tokens show their fallbacks.", file=sys.stderr)

        if args.channel == "store":
            # Without --force, a file that appears at OUT while the poster is drawn is not replaced.
            write_poster(ws, args.name, out, customer_id=cid, page=args.page, overwrite=args.force)
            print(f"Wrote the poster to {printable(str(out))}")
            for_everyone()
            from omnidesk.core.messages.brand import get_brand
            from omnidesk.core.messages.lint import poster_unprintable
            from omnidesk.core.messages.poster import reader_fonts_note

            fields, brand_name = render_variant(ws, args.name, "store", cid).fields, get_brand(ws).name
            # A preview, written even so; but what the export would refuse is said, in the check's words.
            for _field, _chars, words in poster_unprintable(fields, brand_name):
                print(f"omnidesk: warning: {printable(words)}", file=sys.stderr)
            note = reader_fonts_note(*fields.values(), brand_name)
            if note:
                print(f"omnidesk: warning: {note}", file=sys.stderr)
            return EXIT_OK
        rendered = render_variant(ws, args.name, args.channel, cid)
        for_everyone()
        if cid is not None and args.channel in ("email", "sms"):
            from omnidesk.core.campaigns.guards import HELD, refusal_of

            with ws.engine.connect() as conn:
                refused = refusal_of(conn, args.channel, cid)
            # Still shown, as a preview of the words; but no campaign step would send it.  Said as
            # the card says it: their own "no", or the card's line naming who else's holds the address.
            if refused == HELD:
                from omnidesk.core.campaigns.held import HeldAddress, held_addresses

                held = held_addresses(ws, cid).get(args.channel) or HeldAddress(args.channel, "their address", "",
                                                                                  "", ())
                print(f"Customer {cid}: {held.note()} A campaign would not send them this.", file=sys.stderr)
            elif refused:
                kind = "emails" if args.channel == "email" else "texts"
                print(f"Customer {cid} has refused {kind} ({refused}): a campaign would not send them this.",
                      file=sys.stderr)
    if out is None:
        print(rendered.text)
        return EXIT_OK
    from omnidesk.core.exporting.textfiles import write_text

    write_text(out, rendered.email.html if rendered.email is not None else rendered.text + "\n",
               overwrite=args.force)
    print(f"Wrote the {args.channel} variant to {printable(str(out))}")
    return EXIT_OK


def cmd_message_export(args: argparse.Namespace) -> int:
    from omnidesk.core.messages.store import export_json

    out = _output(args.out, args, "OUT.json")
    with _open_existing(args, readonly=True) as ws:
        data = export_json(ws, args.name)
    from omnidesk.core.exporting.textfiles import write_json

    # _output refused an existing file without --force; one that appears meanwhile stays too.
    write_json(out, data, overwrite=args.force)
    print(f"Wrote message {printable(data['name'])} to {printable(str(out))}")
    return EXIT_OK
