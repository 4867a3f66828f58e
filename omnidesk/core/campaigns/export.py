"""A campaign exported: one send pack per step, in what each channel's tool imports, and the calendar.

Files, in the folder given, named ``<campaign-slug>_<channel>.<ext>``:

* **email** — ``.csv``, Mailchimp's audience import (only the people the step's
  guards let through), with ``_email.html`` and ``_email.txt``: the body laid out
  for mail clients, its tokens turned into Mailchimp merge tags
  (``{first_name|there}`` -> ``*|IF:FNAME|**|FNAME|**|ELSE:|*there*|END:IF|*``),
  each token a column of the audience;
* **sms** — ``.csv``: each number, its text personalized, segments, the send time
  in UTC and on the recipient's clock (moved out of quiet hours where it had to be);
* **social networks** — ``.csv`` in Buffer's bulk layout, with ``_hootsuite.csv``
  and ``_generic.csv`` beside it;
* **store** — ``.pdf``, the poster; **website** — ``.html``, the banner snippet;
* the whole campaign — ``<campaign-slug>.ics``.

Exporting marks each step exported and records whom it included (``send_record``:
what frequency caps count); exporting a step again replaces its record.  Beside them
it records whom the step left out though they could have been sent it — held out,
quiet hours, a cap (guards.BASELINE_REASONS) — with the reason in place of the
channel and the step's time: the baseline campaign results compare with, never a send.  A
campaign whose check finds an error is not exported: the error is named.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import delete, func, insert, select, update

from omnidesk.core.campaigns.campaign import PERSONAL, CampaignData
from omnidesk.core.campaigns.guards import BASELINE_REASONS, StepAudience
from omnidesk.core.errors import UserError
from omnidesk.core.exporting.outfiles import guard_reason
from omnidesk.core.messages import tokens
from omnidesk.core.messages.derive import CHANNEL_LABELS, SOCIAL
from omnidesk.core.models import Campaign, CampaignStep, Customer, SendRecord, SourceRecord, utcnow
from omnidesk.core.workspace import Workspace

MERGE_TAGS = {"first_name": "FNAME", "last_name": "LNAME"}


@dataclass
class StepExport:
    channel: str
    file: str
    eligible: int | None
    excluded: dict[str, int] = field(default_factory=dict)
    extra: list[str] = field(default_factory=list)  # the other files the step wrote

    def as_dict(self) -> dict:
        return {"channel": self.channel, "file": self.file, "eligible": self.eligible, "excluded": self.excluded,
                "also": self.extra}


@dataclass
class ExportSummary:
    campaign: str
    folder: Path
    steps: list[StepExport]
    calendar: str

    def as_dict(self) -> dict:
        return {"campaign": self.campaign, "folder": str(self.folder), "calendar": self.calendar,
                "steps": [s.as_dict() for s in self.steps]}


def merge_tag(name: str) -> str:
    """The Mailchimp merge tag of a token: FNAME, LNAME, else the name in capitals (at most 10 characters)."""
    if name in MERGE_TAGS:
        return MERGE_TAGS[name]
    return re.sub(r"[^A-Z0-9]+", "_", name.removeprefix("custom.").upper()).strip("_")[:10] or "FIELD"


def to_merge_tags(template: str) -> tuple[str, list[str]]:
    """``template`` with each token as a Mailchimp merge tag (fallbacks kept), and the tokens it used."""
    out, used = [], []
    for piece in tokens.parse(template):
        if isinstance(piece, tokens.Text):
            out.append(piece.text)
            continue
        tag = merge_tag(piece.name)
        used.append(piece.name)
        if piece.fallback:
            out.append(f"*|IF:{tag}|**|{tag}|**|ELSE:|*{piece.fallback}*|END:IF|*")
        else:
            out.append(f"*|{tag}|*")
    return "".join(out), list(dict.fromkeys(used))


def _anchors(conn, ids: list[int]) -> dict[int, int]:
    """Customer -> one of their records (the oldest): what a send record is kept against."""
    rec = SourceRecord.__table__
    out: dict[int, int] = {}
    for start in range(0, len(ids), 900):
        out.update(conn.execute(select(rec.c.customer_id, func.min(rec.c.id))
                                .where(rec.c.customer_id.in_(ids[start:start + 900]))
                                .group_by(rec.c.customer_id)).all())
    return out


def _people(ws: Workspace, ids: list[int]) -> dict[int, tuple]:
    cust = Customer.__table__
    out: dict[int, tuple] = {}
    with ws.engine.connect() as conn:
        for start in range(0, len(ids), 900):
            for row in conn.execute(select(cust.c.id, cust.c.email, cust.c.phone, cust.c.first_name,
                                           cust.c.last_name, cust.c.tags).where(cust.c.id.in_(ids[start:start + 900]))):
                out[row.id] = tuple(row)
    return out


def export_campaign(ws: Workspace, name: str, folder: Path, *, now: datetime | None = None, excel: bool = False,
                    overwrite: bool = False, page: str = "A4",
                    progress: Callable[[str], None] | None = None) -> ExportSummary:
    """Write every step's pack and the calendar into ``folder``; record who each personal step included."""
    from omnidesk.core.campaigns import packs, packs_calendar
    from omnidesk.core.campaigns.check import check_campaign
    from omnidesk.core.messages.brand import get_brand
    from omnidesk.core.messages.personal import customer_values
    from omnidesk.core.messages.render import footer_html, write_poster
    from omnidesk.core.messages.email import body_from_text, render_email
    from omnidesk.core.messages.links import find_links
    from omnidesk.core.messages.sms import sms_stats
    from omnidesk.core.messages.store import get_message

    folder = Path(folder)
    if not folder.is_dir():
        raise UserError(f"There is no folder {folder}.")
    now = now or datetime.now(UTC)
    report, _steps, campaign = check_campaign(ws, name, now=now)
    if report.errors:
        first = report.errors[0]
        raise UserError(f"{campaign.name} has {len(report.errors)} error{'s' if len(report.errors) > 1 else ''} "
                        f"to fix first: {CHANNEL_LABELS.get(first.channel, first.channel)}: {first.message} "
                        "(omnidesk campaign check lists them all).")
    from omnidesk.core.campaigns.guards import plan_audiences

    audiences = plan_audiences(ws, campaign, now=now)
    message = get_message(ws, campaign.message)
    brand = get_brand(ws)
    base = packs.slug(campaign.name)
    # Every file is checked before any is written: an export stopped half-way would leave
    # packs of one export beside packs of another.
    for path in planned_files(folder, base, [a.step.channel for a in audiences]):
        why = guard_reason(path)
        if why:
            raise UserError(why)
        if path.exists() and not overwrite:
            raise UserError(f"{path} already exists; replace the files of an earlier export with --force.")
    say = progress or (lambda _text: None)
    results: list[StepExport] = []
    records: list[tuple[StepAudience, list[int]]] = []
    for audience in audiences:
        step = audience.step
        fields = message.variants[step.channel].fields
        label = CHANNEL_LABELS.get(step.channel, step.channel)
        say(f"Writing the {label} pack…")
        stem = folder / f"{base}_{step.channel}"
        result = StepExport(step.channel, "", len(audience.eligible) if audience.eligible is not None else None,
                            audience.counts())
        if step.channel in PERSONAL:
            ids = list(audience.eligible or [])
            people = _people(ws, ids)
            if step.channel == "email":
                html_body, used = to_merge_tags(fields.get("body", ""))
                subject, used_s = to_merge_tags(fields.get("subject", ""))
                preheader, used_p = to_merge_tags(fields.get("preheader", ""))
                names = [n for n in dict.fromkeys([*used_s, *used_p, *used]) if n not in MERGE_TAGS]
                values = customer_values(ws, ids, master=message.master, business_name=brand.name) if names else {}
                rows = (packs.EmailRecipient(cid, people[cid][1], people[cid][3] or "", people[cid][4] or "",
                                             tuple(t for t in (people[cid][5] or "").split(", ") if t),
                                             {merge_tag(n): (values.get(cid, {}).get(n) or "") for n in names})
                        for cid in ids)
                packs.write_email_audience(stem.with_suffix(".csv"), rows, [merge_tag(n) for n in names],
                                           excel=excel, overwrite=overwrite)
                picture = message.master.get("image", "")
                body = body_from_text(html_body)
                if picture:
                    body = (f'<p><img src="{html.escape(picture, quote=True)}" alt="" width="560" '
                            f'style="max-width:100%;height:auto"></p>{body}')
                parts = render_email(subject=subject, preheader=preheader,
                                     body_html=body, footer_html=footer_html(brand),
                                     brand_color=brand.colors[0])
                html_path, text_path = packs.write_email_bodies(folder, base, parts.html, parts.text,
                                                                overwrite=overwrite)
                result.extra = [html_path.name, text_path.name]
                result.file = stem.with_suffix(".csv").name
            else:
                values = customer_values(ws, ids, master=message.master, business_name=brand.name)
                template = fields.get("text", "")
                sms_rows = []
                for cid in ids:
                    text = tokens.render(template, values.get(cid, {}))
                    stats = sms_stats(text)
                    sms_rows.append(packs.SmsRecipient(cid, people[cid][2], text, stats.segments, stats.encoding,
                                                       audience.send_at[cid], audience.zones.get(cid, step.timezone),
                                                       cid in audience.moved))
                packs.write_sms_pack(stem.with_suffix(".csv"), sms_rows, excel=excel, overwrite=overwrite)
                result.file = stem.with_suffix(".csv").name
            records.append((audience, ids))
        elif step.channel in SOCIAL:
            text = tokens.render(fields.get("text", ""), {})
            link = next((lk.url for lk in find_links(text)), "")
            post = packs.SocialPost(text, link, message.master.get("image", ""), (), step.at, step.channel)
            packs.write_social_pack(stem.with_suffix(".csv"), "buffer", [post], overwrite=overwrite, excel=excel)
            for layout in ("hootsuite", "generic"):
                path = folder / f"{base}_{step.channel}_{layout}.csv"
                packs.write_social_pack(path, layout, [post], overwrite=overwrite, excel=excel)
                result.extra.append(path.name)
            result.file = stem.with_suffix(".csv").name
        elif step.channel == "store":
            write_poster(ws, campaign.message, stem.with_suffix(".pdf"), page=page)
            result.file = stem.with_suffix(".pdf").name
        else:  # website
            shown = {f: html.escape(tokens.render(v, {})) for f, v in fields.items()}
            snippet = (f'<div class="omnidesk-banner" style="background:{brand.colors[0]};color:#fff;'
                       f'padding:12px 16px;font-family:sans-serif">{shown.get("text", "")}'
                       + (f' <a href="{shown["link"]}" style="color:#fff;font-weight:bold">'
                          f'{html.escape(message.master.get("cta") or "More")}</a>' if shown.get("link") else "")
                       + "</div>\n")
            packs.write_bytes_file(stem.with_suffix(".html"), snippet.encode("utf-8"), overwrite=overwrite)
            result.file = stem.with_suffix(".html").name
        results.append(result)
    say("Writing the calendar…")
    calendar = folder / f"{base}.ics"
    packs_calendar.write_calendar(calendar, campaign.name, [
        packs_calendar.CalendarStep(f"omnidesk-step-{a.step.id}@{base}", campaign.name,
                                    CHANNEL_LABELS.get(a.step.channel, a.step.channel), a.step.at, a.step.timezone,
                                    len(a.eligible) if a.eligible is not None else None)
        for a in audiences], overwrite=overwrite, now=now)
    _record(ws, campaign, records)
    return ExportSummary(campaign.name, folder, results, calendar.name)


def planned_files(folder: Path, base: str, channels: list[str]) -> list[Path]:
    """The files an export of these steps writes, in the order it writes them."""
    out = []
    for channel in channels:
        stem = folder / f"{base}_{channel}"
        if channel == "email":
            out += [stem.with_suffix(".csv"), folder / f"{base}_email.html", folder / f"{base}_email.txt"]
        elif channel == "sms":
            out.append(stem.with_suffix(".csv"))
        elif channel in SOCIAL:
            out += [stem.with_suffix(".csv"), *(folder / f"{base}_{channel}_{layout}.csv"
                                                for layout in ("hootsuite", "generic"))]
        elif channel == "store":
            out.append(stem.with_suffix(".pdf"))
        else:
            out.append(stem.with_suffix(".html"))
    return [*out, folder / f"{base}.ics"]


def _record(ws: Workspace, campaign: CampaignData, records: list[tuple[StepAudience, list[int]]]) -> None:
    """Mark the steps exported and record whom each personal step included (replacing an earlier export)."""
    sr, st, c = SendRecord.__table__, CampaignStep.__table__, Campaign.__table__
    stamp = utcnow()
    with ws.writing() as conn:
        for audience, ids in records:
            conn.execute(delete(sr).where(sr.c.step_id == audience.step.id))
            anchors = _anchors(conn, ids)
            rows = [{"step_id": audience.step.id, "record_id": anchors[cid], "channel": audience.step.channel,
                     "send_utc": audience.send_at[cid].astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")}
                    for cid in ids if cid in anchors]
            at = audience.step.at_utc.strftime("%Y-%m-%dT%H:%M:%SZ")
            for reason in BASELINE_REASONS:
                left = audience.excluded.get(reason) or []
                kept = _anchors(conn, left)
                rows += [{"step_id": audience.step.id, "record_id": kept[cid], "channel": reason, "send_utc": at}
                         for cid in left if cid in kept]
            for start in range(0, len(rows), 10_000):
                conn.execute(insert(sr), rows[start:start + 10_000])
        conn.execute(update(st).where(st.c.campaign_id == campaign.id).values(exported_at=stamp))
        conn.execute(update(c).where(c.c.id == campaign.id).values(status="exported", updated_at=stamp))
