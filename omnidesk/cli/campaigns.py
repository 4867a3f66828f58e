"""Commands for campaigns: import a plan, list, show with each step's recipients, check."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from omnidesk.cli.common import EXIT_OK, _command, _named, _open_existing
from omnidesk.cli.output import Output
from omnidesk.core.text import counted, printable
from omnidesk.core.timeutil import local_minute


def add_commands(sub) -> None:
    """Register this group's commands on the top-level subparsers."""
    p = _command(sub, "campaign", help="campaigns: a message to an audience in steps per channel")
    csub = p.add_subparsers(dest="campaign_command", metavar="ACTION", required=True)
    q = _command(csub, "import", help="create or replace a campaign from a JSON plan file")
    q.add_argument("plan", metavar="PLAN.json")
    q.set_defaults(func=cmd_campaign_import)
    q = _command(csub, "list", help="the campaigns, with their status and steps")
    q.add_argument("--json", action="store_true")
    q.set_defaults(func=cmd_campaign_list)
    q = _command(csub, "show", help="one campaign: its plan and who each step reaches")
    q.add_argument("name", metavar="NAME")
    q.add_argument("--json", action="store_true")
    q.set_defaults(func=cmd_campaign_show)
    q = _command(csub, "check", help="every step's message check and the guards' warnings; exit 1 on an error")
    q.add_argument("name", metavar="NAME")
    q.add_argument("--json", action="store_true")
    q.set_defaults(func=cmd_campaign_check)
    q = _command(csub, "schedule", help="mark a campaign scheduled (refused while its check finds an error)")
    q.add_argument("name", metavar="NAME")
    q.set_defaults(func=cmd_campaign_schedule)
    q = _command(csub, "export", help="write every step's send pack and the calendar into a folder")
    q.add_argument("name", metavar="NAME")
    q.add_argument("--out", required=True, metavar="DIR", help="the folder the packs go in")
    q.add_argument("--excel", action="store_true", help="CSV files with a BOM, for Excel")
    q.add_argument("--page", choices=("A4", "Letter"), default=None,
                   help="the poster's paper (default: the shop's, Letter in the US, Canada, Mexico... else A4)")
    q.add_argument("--force", action="store_true", help="replace the files of an earlier export")
    q.add_argument("--json", action="store_true")
    q.set_defaults(func=cmd_campaign_export)


def cmd_campaign_import(args: argparse.Namespace) -> int:
    from omnidesk.core.campaigns.campaign import import_plan

    from omnidesk.core.exporting.textfiles import read_json

    plan = read_json(Path(args.plan), "plan file")
    with _open_existing(args) as ws:
        campaign = import_plan(ws, plan)
    steps = ", ".join(f"{s.label} {s.at_local[:16].replace('T', ' ')}" for s in campaign.steps) or "no steps"
    print(f"Saved campaign {printable(campaign.name)}: {steps}")
    return EXIT_OK


def cmd_campaign_list(args: argparse.Namespace) -> int:
    from omnidesk.core.campaigns.campaign import list_campaigns

    with _open_existing(args, readonly=True) as ws:
        data = [{"name": c.name, "status": c.status, "mode": c.mode, "message": c.message,
                 "steps": [s.channel for s in c.steps]} for c in list_campaigns(ws)]

    def text(rows):
        if not rows:
            return ["No campaigns yet. Import a plan with: omnidesk campaign import PLAN.json"]
        width = max(len(r["name"]) for r in rows)
        return [f"{printable(r['name']):<{width}}  {r['status']:<9} {', '.join(r['steps'])}" for r in rows]

    Output(args).show(data, text)
    return EXIT_OK


def _steps_text(steps: list[dict], zone=None) -> list[str]:
    from omnidesk.core.messages.derive import CHANNEL_LABELS

    lines = []
    for s in steps:
        head = f"{CHANNEL_LABELS.get(s['channel'], s['channel'])}  {s['at'].replace('T', ' ')} {s['timezone']}"
        if s.get("problem"):
            lines.append(f"{head}: {s['problem']}")
            continue
        if s["eligible"] is None:
            lines.append(f"{head}: whoever looks (a broadcast)")
            continue
        out = ", ".join(f"{reason} {n:,}" for reason, n in s["excluded"].items())
        moved = f"; {s['moved']:,} moved out of quiet hours" if s["moved"] else ""
        done = s.get("exported")
        # Under way: its time has come but texts moved out of quiet hours are still to go (the
        # check's step_under_way says the same), so it is going out, not sent.
        going = (f"going out, last sends due {s['last_sends_due'][:16].replace('T', ' ')} UTC"
                 if s.get("under_way") else "")
        if s.get("kept"):  # what its export recorded, which no export changes
            made = f" {local_minute(done['at'], zone)}" if done else ""
            lines.append(f"{head}: {going or 'sent'}, kept as exported{made}: {counted(s['eligible'], 'recipient')}"
                         + (f"; left out: {out}" if out else "") + moved)
            continue
        sent = (f"exported {local_minute(done['at'], zone)} for {counted(done['recipients'], 'recipient')}; "
                "today's guards: ") if done else ""
        lines.append(f"{head}: {going + '; ' if going else ''}{sent}{s['eligible']:,} eligible"
                     + (f"; left out: {out}" if out else "") + moved)
    return lines


def cmd_campaign_show(args: argparse.Namespace) -> int:
    from omnidesk.core.campaigns.campaign import export_plan, exported_recipients, get_campaign
    from omnidesk.core.campaigns.check import step_summaries, usable_audiences
    from omnidesk.core.timeline import workspace_zone

    with _open_existing(args, readonly=True) as ws:
        campaign = get_campaign(ws, args.name)
        sent = exported_recipients(ws, campaign.name)
        zone = workspace_zone(ws)
        # A step saved with a time out of range (year 9999) is named as such, the others worked out.
        audiences, unusable = usable_audiences(ws, campaign)
        data = {**export_plan(ws, campaign.name), "status": campaign.status,
                "recipients": step_summaries(audiences, unusable, sent)}

    def text(d):
        audience = d["audience"] if isinstance(d["audience"], str) else json.dumps(d["audience"], ensure_ascii=False)
        return [f"{printable(d['name'])} ({d['status']}, {d['mode'].replace('_', ' ')})",
                f"message: {printable(d['message'] or '(none)')}", f"audience: {printable(audience)}",
                *([f"hold out: {d['holdout_percent']:g}% of the audience, as a baseline"]
                  if d.get("holdout_percent") else []),
                *_steps_text(d["recipients"], zone)]

    Output(args).show(data, text)
    return EXIT_OK


def cmd_campaign_schedule(args: argparse.Namespace) -> int:
    from omnidesk.core.campaigns.campaign import set_status

    with _open_existing(args) as ws:
        campaign = set_status(ws, args.name, "scheduled")
    print(f"Scheduled {printable(campaign.name)}")
    return EXIT_OK


def cmd_campaign_export(args: argparse.Namespace) -> int:
    from omnidesk.core.campaigns.export import export_campaign

    _named(args.out, "--out", "the folder for the packs")
    with _open_existing(args) as ws:
        summary = export_campaign(ws, args.name, Path(args.out), excel=args.excel, overwrite=args.force,
                                  page=args.page)

    def text(d):
        lines = []
        for s, step in zip(d["steps"], summary.steps, strict=True):
            if step.kept:  # sent already: its pack and send records were left as they were
                lines.append(f"{step.kept_words} ({printable(s['file'])})")
                continue
            who = "whoever looks" if s["eligible"] is None else f"{s['eligible']:,} recipient{'' if s['eligible'] == 1 else 's'}"
            out = ", ".join(f"{reason} {n:,}" for reason, n in s["excluded"].items())
            # The step's time on its own clock, named: three steps at 09:00 in three zones write
            # packs alike but for -2 and -3.
            lines.append(f"{printable(step.step_words)}: {printable(s['file'])} ({who}"
                         + (" still to come" if step.under_way else "")
                         + (f"; left out: {out}" if out else "") + ")")
            # What the sending tool is typed in by hand: no file of the pack is imported with it.
            lines.extend(f"  {printable(line)}" for line in step.subject_lines)
            if step.under_way:  # part of it went out: the tool holds the rest, scheduled from the old pack
                lines.append("  going out already: this pack holds only the sends still to come; put it in your "
                             "sending tool in place of those still scheduled there")
        return [f"Exported {printable(d['campaign'])} to {printable(d['folder'])}:", *lines,
                f"Calendar: {printable(d['calendar'])}"]

    Output(args).show(summary.as_dict(), text)
    return EXIT_OK


def cmd_campaign_check(args: argparse.Namespace) -> int:
    from omnidesk.core.campaigns.check import check_campaign
    from omnidesk.core.messages.derive import where_label

    with _open_existing(args, readonly=True) as ws:
        report, steps, _campaign = check_campaign(ws, args.name)
    data = {**report.as_dict(), "steps": steps}

    def text(d):
        # As `message check` says them: each named by its field, as the editor labels it.
        lines = [f"{f['severity']:<7}  {where_label(f['channel'], f.get('field', ''))}: {printable(f['message'])} "
                 f"[{f['code']}]" for f in d["findings"]]
        return (lines or ["No findings."]) + _steps_text(d["steps"])

    Output(args).show(data, text)
    return 1 if report.errors else EXIT_OK
