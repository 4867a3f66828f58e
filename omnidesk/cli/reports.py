"""``omnidesk report``: the Dashboard's figures — reach, overlap, journeys, activity, campaigns, health."""

from __future__ import annotations

import argparse
import sys
from datetime import date

from omnidesk.cli.common import (
    EXIT_OK,
    EXIT_USAGE,
    CliError,
    _command,
    _open_existing,
    _output,
)
from omnidesk.cli.output import Output
from omnidesk.core.money import format_money, format_other_money, workspace_currency
from omnidesk.core.text import counted, printable


def add_commands(sub) -> None:
    p = _command(sub, "report", help="reach, channel overlap, journeys, activity, campaign results and data health")
    p.add_argument("--from", dest="start", metavar="DATE",
                   help="from this day (YYYY-MM-DD, from 1900-01-01 to 9998-12-31)")
    p.add_argument("--to", dest="end", metavar="DATE",
                   help="to this day, included (YYYY-MM-DD, from 1900-01-01 to 9998-12-31)")
    p.add_argument("--json", action="store_true")
    p.add_argument("--pdf", metavar="OUT.pdf", help="also write the report as a printable PDF")
    p.add_argument("--page", choices=("A4", "Letter"), default=None,
                   help="the PDF's paper (default: the shop's, Letter in the US, Canada, Mexico... else A4)")
    p.add_argument("--force", action="store_true", help="replace an existing PDF")
    p.set_defaults(func=cmd_report)


def _day(text: str | None, what: str) -> date | None:
    from omnidesk.core.metrics import FIRST_DAY, LAST_DAY

    if text is None:
        return None
    if not text.strip():  # given, but empty: not "all time"
        raise CliError(f"--{what} is empty: give a day such as 2026-12-01", EXIT_USAGE)
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise CliError(f"--{what}: '{text}' is not a day such as 2026-12-01", EXIT_USAGE) from None
    if not FIRST_DAY <= day <= LAST_DAY:  # the report's sums would run off the calendar (see FIRST_DAY)
        raise CliError(f"--{what}: '{text}' is out of range; a report takes days from {FIRST_DAY} to {LAST_DAY}",
                       EXIT_USAGE)
    return day


def cmd_report(args: argparse.Namespace) -> int:
    from omnidesk.core.channels import channel_name
    from omnidesk.core.metrics import (
        NOT_SENT,
        WHOEVER_LOOKS_SENTENCE,
        counted_result,
        Period,
        last_weeks,
        new_customers_label,
        period_totals,
        reachable_sentence,
        report,
        sent_to_people,
        shop_today,
        step_label,
        undated_orders_label,
    )

    period = Period(_day(args.start, "from"), _day(args.end, "to"))
    if period.start and period.end and period.start > period.end:
        raise CliError("--from is after --to", EXIT_USAGE)
    out = _output(args.pdf, args, "--pdf") if args.pdf is not None else None
    with _open_existing(args, readonly=True) as ws:
        data = report(ws, period, journey_limit=None)  # every path, as the Dashboard counts them
        last_day = period.end or shop_today(ws)
        currency = workspace_currency(ws)
        # The headline first, as the text opens with it: a script reading the first lines finds it.
        data = {"totals": {**period_totals(data), "currency": currency}, **data}
        # A post counted nothing: null, not 0, with "counted": false, as the text says "no orders counted".
        data["campaigns"] = [counted_result(c) for c in data["campaigns"]]
        if out is not None:
            from omnidesk.core.report_pdf import write_report_pdf

            # Without --force, a file that appears at OUT while the report is written is not replaced.
            # Characters no font of the report has print as "?": said, as the poster's check says it.
            write_report_pdf(ws, out, period, overwrite=args.force, page=args.page,
                             warn=lambda note: print(f"omnidesk: warning: {printable(note)}", file=sys.stderr))

    def money(amount: float) -> str:
        """An amount of the report (in the currency's units) as money: "7,185.57 USD"."""
        return format_money(round(amount * 100), currency)

    def also(others: dict[str, float]) -> str:
        """Money in other currencies, apart, never converted: " (also 80.00 EUR)"; "" with none."""
        text = format_other_money(others)
        return f" (also {text})" if text else ""

    def names(channels):
        return " + ".join(channel_name(c) for c in channels) or "(none)"

    def text(d):
        weeks: dict[str, list] = {}
        others: dict[str, dict[str, float]] = {}  # per week: money in other currencies, each apart
        for r in d["activity"]:
            week = weeks.setdefault(r["week"], [0, 0.0, 0])
            week[0] += r["events"]
            week[1] += r["revenue"]
            for code, amount in r.get("other_revenue", {}).items():
                others.setdefault(r["week"], {}).setdefault(code, 0.0)
                others[r["week"]][code] += amount
        for r in d["new_customers"]:
            weeks.setdefault(r["week"], [0, 0.0, 0])[2] += r["customers"]
        totals = d["totals"]
        lines = [f"Period: {_span(d['period'])} — "
                 f"{new_customers_label(totals['new_customers'], totals['new_customers_undated'])}, "
                 f"{counted(totals['events'], 'event')}, "
                 f"revenue {money(totals['revenue'])}{also(totals['other_revenue'])}"]
        if no_date := undated_orders_label(d.get("undated_activity"), currency):
            lines.append(f"  {no_date}")
        lines += ["Reach (every customer, whatever the period):"]
        lines += [f"  {channel_name(c):<16} {n:>9,}" for c, n in d["reach"].items()]
        lines += ["  (known there, opted out or not)", f"  {reachable_sentence(d['reachable'])}"]
        lines += ["Channel overlap (each customer once, whatever the period):"]
        shown = [printable(names(o["channels"])) for o in d["overlap"]]
        wide = max([40, *map(len, shown)])
        lines += [f"  {label:<{wide}} {o['customers']:>9,}" for label, o in zip(shown, d["overlap"])] or [
            f"  {NO_CUSTOMERS}"]
        lines += ["Journeys (first channel onwards):"]
        if not d["journeys"]:  # a journey begins at a customer's first contact: none, or none in the period
            lines.append(f"  {NO_CUSTOMERS if not d['overlap'] else 'none began in the period'}")
        for j in d["journeys"][:10]:
            path = " → ".join("purchase" if c == "purchase" else channel_name(c) for c in j["path"])
            then = "to buy" if j["path"][-1] == "purchase" else "to the next channel"
            days = j["median_days"]
            median = f"  (median {days:g} day{'' if days == 1 else 's'} {then})" if days is not None else ""
            lines.append(f"  {printable(path):<48} {j['customers']:>9,}{median}")
        if rest := d["journeys"][10:]:
            lines.append(f"  {'+ ' + counted(len(rest), 'less common path'):<48} "
                         f"{sum(j['customers'] for j in rest):>9,}  (all in --json)")
        lines += ["Campaigns (every exported step, whatever the period):"] + (
            [f"  {printable(step_label(c))} — {channel_name(c['channel'])}: "
             # A post: sent to nobody, so nobody's orders are counted for it.
             + ((WHOEVER_LOOKS_SENTENCE if c.get("sent", True) else NOT_SENT)
                if not sent_to_people(c) else
                f"{c['recipients']:,} sent, {counted(c['orders'], 'order')}, {money(c['revenue'])}"
                + also(c.get("other_revenue", {}))
                + _baseline_text(c, money, also) if c.get("sent", True)
                else f"{c['recipients']:,} to send, {NOT_SENT}")
             for c in d["campaigns"]]
            or ["  none exported yet"])
        # The period's last 8 weeks, a quiet one with its zeros: a week without a sale is news too.
        recent = [(w, weeks.get(w, (0, 0.0, 0))) for w in last_weeks(last_day, period.start)] if weeks else []
        wide_money = max([12, *(len(money(amount)) for _w, (_n, amount, _f) in recent)])
        lines += ["Activity per week (the last 8 of the period):"] + (
            [f"  {week}  {n:>9,} {'event ' if n == 1 else 'events'}  {money(amount):>{wide_money}} revenue  "
             f"{fresh:>7,} new customer{'' if fresh == 1 else 's'}{also(others.get(week, {}))}"
             for week, (n, amount, fresh) in recent] or ["  nothing in the period"])
        lines += ["Data health:"] + [f"  {k.replace('_', ' '):<24} {v:>9,}" for k, v in d["health"].items()]
        return lines

    Output(args).show(data, text)
    return EXIT_OK


NO_CUSTOMERS = "no customers yet"  # what the overlap and the journeys say of a workspace without any


def _span(period: dict) -> str:
    """The report's period in words: "all time to today", "2026-01-01 to today",
    "from the beginning to 2026-03-31", "2026-01-01 to 2026-03-31"."""
    start, end = period.get("from"), period.get("to")
    if not start:
        return "all time to today" if not end else f"from the beginning to {end}"
    return f"{start} to {end or 'today'}"


def _baseline_text(c: dict, money, also) -> str:
    """"; baseline 5 held out: 2 orders, 40.00 USD (lift +20.0 pts)", or "" with no baseline."""
    from omnidesk.core.metrics import baseline_label, lift_label

    who = baseline_label(c)
    if not who:
        return "; no baseline"
    lift = lift_label(c["lift"])
    return (f"; baseline {who}: {counted(c['baseline_orders'], 'order')}, {money(c['baseline_revenue'])}"
            + also(c.get("baseline_other_revenue", {}))
            + (f" (lift {lift})" if lift else ""))
