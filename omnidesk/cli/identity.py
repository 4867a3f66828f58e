"""Commands that decide who is who: resolve, review, merge, unmerge, pin."""

from __future__ import annotations

import argparse

from omnidesk.cli.common import (
    EXIT_ERROR,
    EXIT_OK,
    EXIT_USAGE,
    CliError,
    _command,
    _customer,
    _open_existing,
    _row_id,
)
from omnidesk.cli.output import Output
from omnidesk.core.text import counted


def add_commands(sub) -> None:
    """Register this group's commands on the top-level subparsers."""
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
        q.add_argument("review_id", type=_row_id, metavar="REVIEW_ID")
        q.set_defaults(func=cmd_review_decide, action=action)

    q = _command(rsub, "apart", help="list the pairs kept apart as different people, latest first")
    q.add_argument("--json", action="store_true")
    q.set_defaults(func=cmd_review_apart)
    q = _command(rsub, "again", help="forget that two customers are different people; queue them for review")
    q.add_argument("customers", nargs=2, metavar="CUSTOMER")
    q.set_defaults(func=cmd_review_again)

    p = _command(sub, "merge", help="merge customers into the oldest of them")
    p.add_argument("customers", nargs=2, metavar="CUSTOMER")  # two at least: one is no merge
    p.add_argument("more", nargs="*", metavar="CUSTOMER")
    p.set_defaults(func=cmd_merge)

    p = _command(sub, "unmerge", help="split a source record out into a customer of its own")
    p.add_argument("record_id", type=_row_id, metavar="RECORD_ID")
    p.set_defaults(func=cmd_unmerge)

    p = _command(sub, "pin", help="keep a value on a customer's card whatever the sources say")
    p.add_argument("customer", metavar="CUSTOMER", help="customer id, email or phone")
    p.add_argument("field", metavar="FIELD", help="first_name, last_name, email, phone, address, city, ...")
    p.add_argument("value", nargs="?", metavar="VALUE", help="the value to keep (leave out with --unpin)")
    p.add_argument("--unpin", action="store_true", help="let the source records decide again")
    p.set_defaults(func=cmd_pin)


def cmd_resolve(args: argparse.Namespace) -> int:
    from omnidesk.core.identity.find import find_duplicates
    from omnidesk.core.tasks import run_to_completion

    with _open_existing(args) as ws:
        stats = run_to_completion(find_duplicates(ws, from_scratch=args.from_scratch))
        summary = stats.summary(ws.counts()["customers"])
        from omnidesk.core.identity.merge import list_reviews

        summary["queued"] = len(list_reviews(ws))
    Output(args).show(summary, lambda s: f"{counted(s['customers'], 'customer')}; auto-merged {s['auto_merged']:,}; "
                                         f"{counted(s['queued'], 'pair')} queued for review")
    return EXIT_OK


def cmd_review_list(args: argparse.Namespace) -> int:
    from omnidesk.core.customers import customer_rows
    from omnidesk.core.identity.merge import list_reviews

    with _open_existing(args, readonly=True) as ws:
        items = list_reviews(ws)
        rows = customer_rows(ws, [i.left_id for i in items] + [i.right_id for i in items])
    out = [{"id": i.id, "score": i.score, "status": i.status, "reasons": i.reasons,
            "left": {"id": i.left_id, "name": rows[i.left_id].name if i.left_id in rows else ""},
            "right": {"id": i.right_id, "name": rows[i.right_id].name if i.right_id in rows else ""}}
           for i in items]
    Output(args).show(out, lambda pairs: [
        f"{o['id']:>5}  {o['score']:>6.1f}  {o['left']['name']} (#{o['left']['id']})  ~  "
        f"{o['right']['name']} (#{o['right']['id']})  — {', '.join(o['reasons'])}"
        f"{'  (skipped)' if o['status'] == 'skipped' else ''}" for o in pairs
    ] or "The review queue is empty.")
    return EXIT_OK


def cmd_review_decide(args: argparse.Namespace) -> int:
    from omnidesk.core.identity import merge

    with _open_existing(args) as ws:
        # The pair is named as decided, so the user sees which one the number took.
        names = merge.review_names(ws, args.review_id)

        def pair(row: dict) -> str:
            return " and ".join(f"{names.get(c, 'customer')} (#{c})" for c in (row["left_id"], row["right_id"]))

        if args.action == "accept":
            result = merge.accept_review(ws, args.review_id)
            print(f"Merged {pair(result.review)} into customer {result.survivor}.")
        elif args.action == "reject":
            token = merge.reject_review(ws, args.review_id)
            print(f"Kept apart: {pair(token['review'])}; the pair will not be suggested again.")
        else:
            change = merge.skip_review(ws, args.review_id)
            print("Skipped." if change.before != "skipped" else
                  "Already skipped: it waits with the other skipped pairs at the end of the queue.")
    return EXIT_OK


def _side(cid, name) -> dict:
    return {"id": cid, "name": name, "in_workspace": cid is not None}


def cmd_review_apart(args: argparse.Namespace) -> int:
    from omnidesk.core.identity.kept_apart import list_kept_apart

    from omnidesk.core.timeline import workspace_zone
    from omnidesk.core.timeutil import local_minute

    with _open_existing(args, readonly=True) as ws:
        items = list_kept_apart(ws)
        zone = workspace_zone(ws)
    out = [{"left": _side(i.left_id, i.left_name), "right": _side(i.right_id, i.right_name),
            "decided_at": i.decided_at} for i in items]

    def side(s: dict) -> str:
        return f"{s['name']} (#{s['id']})" if s["in_workspace"] else "(no longer in the workspace)"

    Output(args).show(out, lambda pairs: [
        f"{local_minute(o['decided_at'], zone)}  {side(o['left'])}  ≠  {side(o['right'])}" for o in pairs
    ] or "No pairs are kept apart.")
    return EXIT_OK


def cmd_review_again(args: argparse.Namespace) -> int:
    from omnidesk.core.identity.kept_apart import list_kept_apart, reopen_kept_apart

    with _open_existing(args) as ws:
        ids = {_customer(ws, c) for c in args.customers}
        item = next((i for i in list_kept_apart(ws) if {i.left_id, i.right_id} == ids), None)
        if item is None:
            # What the workspace holds, not how the command was typed: 1 (see common.py).
            raise CliError("Those two customers are not kept apart; `omnidesk review apart` lists the pairs that are.")
        reopened = reopen_kept_apart(ws, [item])
    print(f"Customers {item.left_id} and {item.right_id} are back in the review queue "
          f"(review id {reopened.review_ids[0]})." if reopened.review_ids else
          f"Customers {item.left_id} and {item.right_id} are no longer kept apart; they were already queued.")
    return EXIT_OK


def _only_customer(ws, text: str) -> int:
    """The one customer ``text`` names; an email or phone several customers carry (a family's
    address, a shop's landline) is refused, naming them: merging the first of them is a guess."""
    from omnidesk.core.customers import display_names
    from omnidesk.core.timeline import find_customers

    found = find_customers(ws, text)
    if len(found) > 1:
        names = display_names(ws, found)
        listed = ", ".join(f"{names.get(c) or 'customer'} (#{c})" for c in found[:5])
        more = f" and {len(found) - 5:,} more" if len(found) > 5 else ""
        raise CliError(f"'{text}' is on {len(found):,} customers: {listed}{more}; give the id of the one you mean.")
    return _customer(ws, text)


def cmd_merge(args: argparse.Namespace) -> int:
    from omnidesk.core.identity.merge import kept_apart_among, merge_customers

    with _open_existing(args) as ws:
        ids = [_only_customer(ws, c) for c in [*args.customers, *args.more]]
        if len(set(ids)) < 2:  # one customer named twice, or two ways
            raise CliError(f"Choose at least two different customers to merge: "
                           f"{', '.join(repr(c) for c in [*args.customers, *args.more])} "
                           f"{'are all' if len(ids) > 2 else 'are both'} customer {ids[0]}.", EXIT_USAGE)
        apart = kept_apart_among(ws, ids)
        result = merge_customers(ws, ids)
    print(f"Merged {len(result.absorbed) + 1} customers into customer {result.survivor}.")
    if apart:
        pairs = ", ".join(f"{a} and {b}" for a, b in apart)
        print(f"You had said customers {pairs} are different people; this merge replaces that decision "
              "(`omnidesk unmerge RECORD_ID` splits a record off again).")
    return EXIT_OK


def cmd_unmerge(args: argparse.Namespace) -> int:
    from omnidesk.core.identity.merge import unmerge_record

    with _open_existing(args) as ws:
        split = unmerge_record(ws, args.record_id)
    old, new = split.old, split.new
    # What reached the card only through the record went with it: said, so the user is not left
    # wondering where the list record and the opens of that email went.
    along = (f", with {counted(split.along, 'record')} that came onto the card through it" if split.along
             else "")
    print(f"Record {args.record_id} moved from customer {old} to new customer {new}{along}; the two are kept "
          f"apart from now on (`omnidesk review again {old} {new}` puts them back in the review queue).")
    return EXIT_OK


def cmd_pin(args: argparse.Namespace) -> int:
    from omnidesk.core.identity.merge import PINNABLE, pin_value

    if args.field not in PINNABLE:
        raise CliError(f"'{args.field}' cannot be pinned; these can: {', '.join(PINNABLE)}", EXIT_USAGE)
    if args.unpin == (args.value is not None):
        raise CliError("give a VALUE to pin, or --unpin without one", EXIT_USAGE)
    with _open_existing(args) as ws:
        cid = _customer(ws, args.customer)
        value = None if args.unpin else _held_value(ws, cid, args.field, args.value)
        pin_value(ws, cid, args.field, value)
    if args.unpin:
        print(f"Customer {cid}: {args.field} follows the source records again.")
    else:
        print(f"Customer {cid}: {args.field} pinned to '{value}'.")
    return EXIT_OK


def _held_value(ws, customer_id: int, field: str, value: str) -> str:
    """``value`` as the card should hold it: as a record holds it (a phone typed any way matches
    its stored form), else read the way an import reads the field, so a pin is never an email
    without an "@" or a phone of two digits.  Refused with the reason, as ``customer set`` is."""
    from omnidesk.core.edits import clean_value
    from omnidesk.core.errors import UserError, ValueRefused
    from omnidesk.core.provenance import pin_candidates

    held = {c.value for c in pin_candidates(ws, customer_id, field)}
    if value in held:
        return value
    try:
        with ws.engine.connect() as conn:
            cleaned = clean_value(conn, field, value)
    except UserError as exc:  # a value the field does not take is the command line's fault (2)
        raise CliError(str(exc).rstrip("."), EXIT_USAGE if isinstance(exc, ValueRefused) else EXIT_ERROR) from None
    if not cleaned:
        raise CliError(f"give a value to pin, or --unpin to let the records decide the {field.replace('_', ' ')}",
                       EXIT_USAGE)
    return cleaned
