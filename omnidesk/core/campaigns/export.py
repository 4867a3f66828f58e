"""A campaign exported: one send pack per step, in what each channel's tool imports, and the calendar.

Files, in the folder given (made when it does not exist but the folder above it
does), named ``<campaign-slug>_<channel>_<YYYY-MM-DD>_<HHMM>.<ext>`` after the
step's local date and time, so that each step has its own pack, however many
steps a channel has, and a step's name depends on nothing but the step (adding
a step never renames another's pack).  Two steps of one channel at the same
local minute get ``-2``, ``-3``… after the later ones, in time order.  The campaign-slug is
the one of its first export (:func:`export_base`: ``-2``, ``-3``… after it when another
campaign's packs have it already):

* **email** — ``.csv``, Mailchimp's audience import (only the people the step's
  guards let through), with a ``.html`` and a ``.txt`` of the same name: the body laid out
  for mail clients, its tokens turned into Mailchimp merge tags
  (``{first_name|there}`` -> ``*|IF:FNAME|**|FNAME|**|ELSE:|*there*|END:IF|*``),
  each token a column of the audience; and ``_subject.txt``, the subject line and the
  preheader in those merge tags (:func:`subject_file`), which the HTML holds only as its
  ``<title>`` (ignored by the sending tool) and the ``.txt`` not at all: it is the email's
  plain-text part, pasted whole into the tool's plain-text editor, so a "Subject:" line in it
  would be sent as the email's first line;
* **sms** — ``.csv``: each number, its text personalized, segments, the send time
  in UTC and on the recipient's clock (moved out of quiet hours where it had to be);
* **social networks** — ``.csv`` in Buffer's bulk layout, with ``_hootsuite.csv``
  and ``_generic.csv`` beside it;
* **store** — ``.pdf``, the poster; **website** — ``.html``, the banner snippet;
* the whole campaign — ``<campaign-slug>.ics``.

Every file is checked before any is written, and all are written into a hidden
folder inside the packs' folder first; only once every one is whole are they moved into place,
in the same transaction that marks each step exported and records whom it
included (``send_record``: what frequency caps count).  So an export that fails
leaves neither files nor a record behind, and a step is never counted as sent
without its pack; exporting a step again replaces its record while it is still
to come.  A step exported before whose time has come went out (guards.kept_steps):
it is kept as it was — its pack is not written again, its send records (whom it
reached, whom it held out) are neither deleted nor rewritten, and the summary says
so (:attr:`StepExport.kept`); its sends count toward the caps of the steps after it.
A step whose own time has come but whose pack still has sends to go (texts moved
out of quiet hours to the next morning) is under way: kept as it was too, unless
someone whose send is still to come opted out or was erased since; then its pack is
written again with the sends still to come alone, without them, and only their
send records are replaced (:attr:`StepExport.under_way`).
Re-exporting to add a follow-up step changes nothing of what the first one achieved.  Beside them
it records whom the step left out though they could have been sent it — held out,
quiet hours, a cap (guards.BASELINE_REASONS) — with the reason in place of the
channel and the step's time: the baseline campaign results compare with, never a send.  A
campaign whose check finds an error is not exported: the error is named.
"""

from __future__ import annotations

import html
import json
import os
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import delete, insert, select, update

from omnidesk.core import tempfiles
from omnidesk.core.campaigns.campaign import PERSONAL, CampaignData, Step
from omnidesk.core.campaigns.guards import BASELINE_REASONS, StepAudience
from omnidesk.core.campaigns.sends import anchor_records, erased_times
from omnidesk.core.errors import UserError
from omnidesk.core.exporting.outfiles import guard_reason, not_a_file_reason
from omnidesk.core.failures import WriteFailure, telling_write_failures, write_failure_reason
from omnidesk.core.messages import tokens
from omnidesk.core.messages.derive import CHANNEL_LABELS, SOCIAL
from omnidesk.core.models import Campaign, CampaignStep, Customer, SendRecord, utcnow
from omnidesk.core.workspace import Workspace

MERGE_TAGS = {"first_name": "FNAME", "last_name": "LNAME"}


@dataclass
class StepExport:
    channel: str
    file: str
    eligible: int | None
    excluded: dict[str, int] = field(default_factory=dict)
    extra: list[str] = field(default_factory=list)  # the other files the step wrote
    at: str = ""  # the step's local date-time, as planned ("2027-03-01T09:00:00")
    # The step went out already (guards.kept_steps): its pack and send records were left as they
    # were, and ``eligible``/``excluded`` are what its export recorded.
    kept: bool = False
    # The step is under way (guards.StepAudience.sending_until) and someone whose send is still to
    # come opted out since: its pack was written again with the sends still to come alone
    # (``eligible`` of them), to put in the sending tool in place of those still scheduled.
    under_way: bool = False
    # A step under way (its time come, texts moved out of quiet hours still to go): when its last
    # sends are due, UTC ("2027-01-11T08:00:00Z"); None for any other step.
    last_sends_due: str | None = None
    # An email step's subject line and preheader, in the pack's merge tags (its ``_subject.txt``):
    # what the person setting up the send types in the tool's Subject and Preview text; None for
    # any other step, and for an email kept as it was exported.
    subject: str | None = None
    preheader: str | None = None
    # The step's zone (its ``at`` is on that clock) and its moment in UTC ("2026-12-23T14:00:00Z"):
    # three steps at 09:00 on one day in three zones write three packs alike but for -2 and -3,
    # and only these say which pack is which step.
    timezone: str = ""
    at_utc: str = ""

    def as_dict(self) -> dict:
        return {"channel": self.channel, "at": self.at, "timezone": self.timezone, "at_utc": self.at_utc,
                "file": self.file, "eligible": self.eligible,
                "excluded": self.excluded, "also": self.extra, "kept": self.kept, "under_way": self.under_way,
                "last_sends_due": self.last_sends_due,
                **({"subject": self.subject, "preheader": self.preheader} if self.subject is not None else {})}

    @property
    def subject_lines(self) -> list[str]:
        """The email's subject line and preheader as the summary says them ("Subject: …",
        "Preheader: …"; a preheader left empty is not said); none for any other step."""
        if self.subject is None:
            return []
        return [f"Subject: {self.subject}", *([f"Preheader: {self.preheader}"] if self.preheader else [])]

    @property
    def step_words(self) -> str:
        """Which step the pack is, by its channel and its time on its own clock, named:
        "Email 2026-12-23 09:00 America/New_York"."""
        return " ".join(w for w in (CHANNEL_LABELS.get(self.channel, self.channel),
                                    self.at[:16].replace("T", " "), self.timezone) if w)

    @property
    def kept_words(self) -> str:
        """How a step kept as it was is said: "Email, 2 Mar 10:00 America/New_York: already sent, kept
        as exported", or of one whose texts moved out of quiet hours are still to go, "SMS, 10 Jan
        20:30 America/New_York: going out, last sends due 2027-01-11 08:00 UTC, kept as exported"."""
        local = datetime.fromisoformat(self.at)
        state = (f"going out, last sends due {self.last_sends_due[:16].replace('T', ' ')} UTC"
                 if self.last_sends_due else "already sent")
        zone = f" {self.timezone}" if self.timezone else ""
        return (f"{CHANNEL_LABELS.get(self.channel, self.channel)}, {local.day} {local:%b %H:%M}{zone}: {state}, "
                "kept as exported")


@dataclass
class ExportSummary:
    campaign: str
    folder: Path
    steps: list[StepExport]
    calendar: str

    def as_dict(self) -> dict:
        return {"campaign": self.campaign, "folder": str(self.folder), "calendar": self.calendar,
                "steps": [s.as_dict() for s in self.steps]}


@dataclass(frozen=True)
class StepFiles:
    """The names of one step's pack: the file its tool imports, then the ones beside it."""

    main: str
    extra: tuple[str, ...] = ()

    @property
    def names(self) -> tuple[str, ...]:
        return (self.main, *self.extra)


SOCIAL_LAYOUTS = ("hootsuite", "generic")  # written beside each social step's Buffer file


def merge_tag(name: str) -> str:
    """The Mailchimp merge tag of a token: FNAME, LNAME, else the name in capitals (at most 10 characters)."""
    if name in MERGE_TAGS:
        return MERGE_TAGS[name]
    return re.sub(r"[^A-Z0-9]+", "_", name.removeprefix("custom.").upper()).strip("_")[:10] or "FIELD"


# Tags Mailchimp keeps for itself (the address, the unsubscribe link), and the audience file's own
# Tags column: a token's column may not take any of them.
_TAKEN_TAGS = {"EMAIL", "TAGS", "UNSUB"}


def merge_tags(names: Sequence[str]) -> dict[str, str]:
    """Each token name -> its merge tag, no two alike.

    Mailchimp's tags hold at most 10 characters, so two custom fields that begin alike
    ("Loyalty points", "Loyalty points expiry") would share one column and one value: the
    later ones end in a number instead (``LOYALTY_P2``).
    """
    out: dict[str, str] = {}
    taken = set(_TAKEN_TAGS) | set(MERGE_TAGS.values())
    for name in dict.fromkeys(names):
        tag = merge_tag(name)
        if name in MERGE_TAGS:
            out[name] = tag
            continue
        n = 1
        while tag in taken:
            n += 1
            tag = f"{merge_tag(name)[:10 - len(str(n))]}{n}"
        taken.add(tag)
        out[name] = tag
    return out


def to_merge_tags(template: str, tags: dict[str, str] | None = None) -> tuple[str, list[str]]:
    """``template`` with each token as a Mailchimp merge tag (fallbacks kept), and the tokens it used.

    ``tags`` gives the tag of each token (see :func:`merge_tags`); a token it lacks takes :func:`merge_tag`.
    """
    pieces, used = merge_tag_pieces(template, tags)
    return "".join(text for text, _ in pieces), used


def merge_tag_pieces(template: str, tags: dict[str, str] | None = None) -> tuple[list[tuple[str, bool]], list[str]]:
    """:func:`to_merge_tags` as pieces, each merge tag marked as a value the sending tool fills in
    (``(text, True)``): the HTML sets each apart in ``<bdi>`` (``email.body_from_filled``), so a
    name written right to left never turns the words around it, as the app's own preview does."""
    from urllib.parse import quote

    from omnidesk.core.messages.links import find_links

    out: list[tuple[str, bool]] = []
    used: list[str] = []
    links = None  # where the template's links are, read once a token is met
    for piece in tokens.parse(template):
        if isinstance(piece, tokens.Text):
            out.append((piece.text, False))
            continue
        tag = (tags or {}).get(piece.name) or merge_tag(piece.name)
        used.append(piece.name)
        if links is None:
            links = [(lk.start, lk.end) for lk in find_links(template)]
        # Inside a link the value is one piece of the address: Mailchimp's URL: encodes it
        # ("New York" would otherwise end the link at "New"), and the fallback is encoded here.
        value, fallback = tag, piece.fallback
        if any(a <= piece.start and piece.end <= b for a, b in links):
            value, fallback = f"URL:{tag}", quote(fallback, safe="") if fallback else fallback
        if fallback:
            out.append((f"*|IF:{tag}|**|{value}|**|ELSE:|*{fallback}*|END:IF|*", True))
        else:
            out.append((f"*|{value}|*", True))
    return out, list(dict.fromkeys(used))


def subject_file(subject: str, preheader: str, html_name: str, text_name: str) -> str:
    """An email pack's ``_subject.txt``: the subject line and the preheader first, as ``message
    render`` heads an email ("Subject: …", "Preheader: …"), in the pack's merge tags, then where
    each goes.  Kept apart from the ``.txt``, which is the email's plain-text part and is pasted
    whole: a "Subject:" line at its head would be sent as the first line of the email."""
    return (f"Subject: {subject}\n" + f"Preheader: {preheader}".rstrip() + "\n\n"
            "Type the subject line into your sending tool's Subject field and the preheader into its "
            "Preview text field; merge tags such as *|FNAME|* are filled in from the audience file's columns.\n"
            f"The email itself: {html_name} (HTML) and {text_name} (its plain-text part).\n")


def email_fields(fields: dict) -> tuple[dict[str, str], list[str]]:
    """An email variant's tokens as the pack writes them: each token's merge tag, and the tokens its
    subject, preheader and body use that the audience file gives a column of their own (in order;
    the names have Mailchimp's own columns)."""
    texts = [fields.get(f, "") for f in ("subject", "preheader", "body")]
    tags = merge_tags([n for text in texts for n in to_merge_tags(text)[1]])
    used = [n for text in texts for n in merge_tag_pieces(text, tags)[1]]
    return tags, [n for n in dict.fromkeys(used) if n not in MERGE_TAGS]


def email_rows(ws: Workspace, ids: list[int], fields: dict, master: dict,
               business_name: str) -> Iterator:
    """The rows of the Mailchimp audience file of an email variant (its ``fields``) for the customers
    ``ids``, in their order: what the export writes, and what the campaign's check measures
    (``packs.email_refusals``), so the check finds whatever the writer would refuse: ``EmailRecipient``s."""
    from omnidesk.core.campaigns import packs
    from omnidesk.core.messages.personal import customer_values

    tags, tokens_used = email_fields(fields)
    people = _people(ws, ids)
    values = (customer_values(ws, ids, master=master, business_name=business_name, only=tokens_used)
              if tokens_used else {})
    return (packs.EmailRecipient(cid, people[cid][1], people[cid][3] or "", people[cid][4] or "",
                                 tuple(t for t in (people[cid][5] or "").split(", ") if t),
                                 {tags[n]: (values.get(cid, {}).get(n) or "") for n in tokens_used})
            for cid in ids)


def _people(ws: Workspace, ids: list[int]) -> dict[int, tuple]:
    cust = Customer.__table__
    out: dict[int, tuple] = {}
    with ws.engine.connect() as conn:
        for start in range(0, len(ids), 900):
            for row in conn.execute(select(cust.c.id, cust.c.email, cust.c.phone, cust.c.first_name,
                                           cust.c.last_name, cust.c.tags).where(cust.c.id.in_(ids[start:start + 900]))):
                out[row.id] = tuple(row)
    return out


def errors_to_fix_first(name: str, errors: list) -> str:
    """Why ``name`` is not exported: its check's errors, the first few named (an error of the whole
    campaign, such as no message, without a channel before it)."""
    def said(error) -> str:
        label = CHANNEL_LABELS.get(error.channel)
        return f"{label}: {error.message}" if label else error.message[:1].upper() + error.message[1:]

    n = len(errors)
    shown = "; ".join(said(e) for e in errors[:3]) + ("; …" if n > 3 else "")
    return (f"{name} has {n} error{'s' if n > 1 else ''} to fix before it is exported: {shown}. "
            "Its check lists them all (the Check pane, or omnidesk campaign check).")


def export_campaign(ws: Workspace, name: str, folder: Path, *, now: datetime | None = None, excel: bool = False,
                    overwrite: bool = False, page: str | None = None,
                    progress: Callable[[str], None] | None = None) -> ExportSummary:
    """Write every step's pack and the calendar into ``folder``; record who each personal step included.

    ``folder`` is made when it does not exist and the folder above it does.  The poster is printed
    on ``page``, "A4" or "Letter" (None: the shop's paper, :func:`omnidesk.core.paper.shop_paper`).
    A step that went out already (exported, its time come by ``now``) is kept as it was: no
    pack of it is written and its send records stay (its summary has ``kept``).
    Every file is checked before any is written; all are written in a hidden
    folder inside ``folder`` and moved into place only when every one is whole,
    in the transaction that marks the steps exported and records their
    recipients.  When anything fails no file of this export is left (files it
    was replacing are put back), nothing is recorded, and a folder it made is
    removed again.
    """
    from omnidesk.core.campaigns import packs, packs_calendar
    from omnidesk.core.campaigns.check import check_campaign, errors_before_export
    from omnidesk.core.messages.brand import get_brand
    from omnidesk.core.messages.personal import customer_values, shared_values
    from omnidesk.core.messages.render import footer_html, write_poster
    from omnidesk.core.messages.email import body_from_filled, render_email, template_direction, with_picture
    from omnidesk.core.messages.links import find_links, is_valid_link, link_problem, opened
    from omnidesk.core.messages.sms import sms_stats
    from omnidesk.core.messages.store import get_message

    folder = Path(folder)
    make_folder = _folder_to_make(folder)
    now = now or datetime.now(UTC)
    report, _steps, campaign = check_campaign(ws, name, now=now)
    blocking = errors_before_export(report)
    if any(f.code == "audience_missing" for f in blocking):
        # Its saved segment is gone: no pack is written for an audience nobody can name, so this
        # export cannot take out of a pack written before whoever opted out since either; those
        # are named too, for the user to take out in their sending tool.
        blocking = report.errors
    if blocking:
        raise UserError(errors_to_fix_first(campaign.name, blocking))
    from omnidesk.core.campaigns.guards import plan_audiences

    audiences = plan_audiences(ws, campaign, now=now)
    message = get_message(ws, campaign.message)
    brand = get_brand(ws)
    shared = shared_values(message.master, brand.name)  # what a post or the banner is filled with
    base = export_base(ws, campaign)
    names = step_file_names(base, [a.step for a in audiences])
    # A step that went out is history: its pack (wherever it was written) is not written again.
    targets = [*(folder / n for a, files in zip(audiences, names, strict=True) if not a.kept for n in files.names),
               folder / f"{base}.ics"]
    if len({os.path.normcase(str(t)).casefold() for t in targets}) != len(targets):
        raise ValueError("two files of one export have the same name")  # step_file_names keeps them apart
    # Every file is checked before any is written: an export stopped half-way would leave
    # packs of one export beside packs of another.
    for path in targets:
        why = guard_reason(path)
        if why:
            raise UserError(f"Will not write over {path}: {why}.")
        if path.is_dir():
            raise UserError(f"{path} is a folder; the pack of that name cannot be written there.")
        why = not_a_file_reason(path)  # a pipe or device of that name is never swapped for a file
        if why:
            raise UserError(f"Will not write over {path}: {why}.")
        if path.exists() and not overwrite:
            raise UserError(_exists_words(ws, campaign, base, path))
    if make_folder:
        try:
            folder.mkdir()
        except OSError as exc:
            raise UserError(f"Cannot make the folder {folder}: {write_failure_reason(folder, exc)}.") from None
    try:
        # What an export killed here left (every recipient's email or phone) goes first.
        tempfiles.clean_stale_beside(folder)
        staging = tempfiles.owned_folder(folder)
    except OSError as exc:
        _remove_made(folder, make_folder)
        # Said of the packs and their folder: the temporary folder it could not make means nothing to the user.
        raise UserError(f"Cannot write the packs: {write_failure_reason(targets[0], exc)}.") from None
    say = progress or (lambda _text: None)
    results: list[StepExport] = []
    records: list[tuple[StepAudience, list[int]]] = []
    try:
        for audience, files in zip(audiences, names, strict=True):
            step = audience.step
            result = StepExport(step.channel, files.main,
                                len(audience.eligible) if audience.eligible is not None else None,
                                audience.counts(), list(files.extra), step.at_local, kept=audience.kept,
                                last_sends_due=audience.sending_until.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
                                if audience.sending_until is not None else None,
                                timezone=step.timezone, at_utc=step.at_utc.strftime("%Y-%m-%dT%H:%M:%SZ"))
            if audience.kept:
                # Sent already: what went out, and whom it went to, stay as the export recorded them.
                results.append(result)
                continue
            fields = message.variants[step.channel].fields
            label = CHANNEL_LABELS.get(step.channel, step.channel)
            say(f"Writing the {label} pack of {step.at_local[:16].replace('T', ' ')}…")
            main = staging / files.main
            if step.channel in PERSONAL:
                ids = list(audience.eligible or [])
                if audience.sending_until is not None:
                    # Under way, and someone whose send is still to come opted out or was erased:
                    # the sends already due went out.  The pack is written with those still to
                    # come alone, to put in the tool in place of what it still has scheduled: with
                    # the rows already due in it again they would go twice, and refusing to write
                    # it would leave an error nothing here could clear while the text still went.
                    # Whom the step reached stays recorded (_record keeps the sends already due).
                    ids = [cid for cid in ids if audience.send_at[cid] > now]
                    result.eligible, result.under_way = len(ids), True
                if step.channel == "email":
                    texts = [fields.get(f, "") for f in ("subject", "preheader", "body")]
                    tags, tokens_used = email_fields(fields)
                    subject = to_merge_tags(texts[0], tags)[0]
                    preheader = to_merge_tags(texts[1], tags)[0]
                    html_pieces = merge_tag_pieces(texts[2], tags)[0]
                    packs.write_email_audience(main, email_rows(ws, ids, fields, message.master, brand.name),
                                               [tags[n] for n in tokens_used], excel=excel)
                    body = with_picture(body_from_filled(html_pieces), message.master.get("image", ""),
                                        message.master.get("headline", ""))
                    parts = render_email(subject=subject, preheader=preheader,
                                         body_html=body, footer_html=footer_html(brand),
                                         brand_color=brand.colors[0],
                                         direction=template_direction(texts[2], texts[0]))
                    html_name, text_name, subject_name = files.extra
                    packs.write_bytes_file(staging / html_name, parts.html.encode("utf-8"))
                    packs.write_bytes_file(staging / text_name, parts.text.encode("utf-8"))
                    packs.write_bytes_file(staging / subject_name,
                                           subject_file(subject, preheader, html_name, text_name).encode("utf-8"))
                    result.subject, result.preheader = subject, preheader
                else:
                    people = _people(ws, ids)
                    values = customer_values(ws, ids, master=message.master, business_name=brand.name)
                    template = fields.get("text", "")
                    sms_rows = []
                    for cid in ids:
                        text = tokens.render(template, values.get(cid, {}))
                        stats = sms_stats(text)
                        sms_rows.append(packs.SmsRecipient(cid, people[cid][2], text, stats.segments,
                                                           stats.encoding, audience.send_at[cid],
                                                           audience.zones.get(cid, step.timezone),
                                                           cid in audience.moved,
                                                           audience.other_zones.get(cid, ())))
                    packs.write_sms_pack(main, sms_rows, excel=excel)
                records.append((audience, ids))
            elif step.channel in SOCIAL:
                text = tokens.render(fields.get("text", ""), shared)  # the same for everyone who looks
                link = next((lk.url for lk in find_links(text)), "")
                post = packs.SocialPost(text, link, message.master.get("image", ""), (), step.at, step.channel)
                packs.write_social_pack(main, "buffer", [post], excel=excel)
                for layout, extra in zip(SOCIAL_LAYOUTS, files.extra, strict=True):
                    packs.write_social_pack(staging / extra, layout, [post], excel=excel)
            elif step.channel == "store":
                write_poster(ws, campaign.message, main, page=page)
            else:  # website
                shown = {f: html.escape(tokens.render(v, shared)) for f, v in fields.items()}
                href = opened(tokens.render(fields.get("link", ""), shared).strip())
                if href and not is_valid_link(href):
                    # Only a web page goes behind the banner's button: a "javascript:" link would
                    # run on the shop's own site for everyone who clicks it.
                    raise UserError(f"The website banner of {campaign.name} is not written: "
                                    f"{link_problem(href)}.")
                shown["link"] = html.escape(href)
                snippet = (f'<div class="omnidesk-banner" style="background:{brand.colors[0]};color:#fff;'
                           f'padding:12px 16px;font-family:sans-serif">{shown.get("text", "")}'
                           + (f' <a href="{shown["link"]}" style="color:#fff;font-weight:bold">'
                              f'{html.escape(tokens.render(message.master.get("cta") or "", shared) or "More")}</a>'
                              if shown.get("link") else "")
                           + "</div>\n")
                packs.write_bytes_file(main, snippet.encode("utf-8"))
            results.append(result)
        say("Writing the calendar…")
        calendar = targets[-1]
        packs_calendar.write_calendar(staging / calendar.name, campaign.name, [
            packs_calendar.CalendarStep(f"omnidesk-step-{a.step.id}@{base}", campaign.name,
                                        CHANNEL_LABELS.get(a.step.channel, a.step.channel), a.step.at,
                                        a.step.timezone, len(a.eligible) if a.eligible is not None else None,
                                        # Which file is this step's: steps alike but for their zone
                                        # write packs alike but for -2 and -3.
                                        f"Pack: {files.main}")
            for a, files in zip(audiences, names, strict=True)], now=now)
        missing = [t.name for t in targets if not (staging / t.name).is_file()]
        if missing:  # every planned file is written, or none is put in place
            raise RuntimeError(f"the export planned {missing[0]} but did not write it")
        _record(ws, campaign, records, [a.step.id for a in audiences if not a.kept], base,
                publish=lambda: _publish(staging, targets), now=now)
    except BaseException as exc:
        tempfiles.release(staging)
        _remove_made(folder, make_folder)
        if isinstance(exc, WriteFailure) and exc.target.parent == staging and isinstance(exc.__cause__, OSError):
            # A pack that could not be written is named as it would have been, in the user's folder.
            target = folder / exc.target.name
            raise WriteFailure(target, write_failure_reason(target, exc.__cause__)) from exc.__cause__
        raise
    tempfiles.release(staging)
    return ExportSummary(campaign.name, folder, results, calendar.name)


def _folder_to_make(folder: Path) -> bool:
    """Whether the packs' ``folder`` has to be made; a UserError when it cannot be one.

    A folder that does not exist is made when the folder above it exists (one
    level only: a mistyped path should not grow a tree of folders).  A file, a
    workspace's name or a dangling link there is refused.
    """
    if folder.is_dir():
        return False
    why = guard_reason(folder)
    if why:
        raise UserError(f"Will not write the packs into {folder}: {why}. Give a folder.")
    if folder.exists() or folder.is_symlink():
        raise UserError(f"{folder} is a file, not a folder; give a folder for the packs.")
    parent = folder.absolute().parent
    if not parent.is_dir():
        raise UserError(f"There is no folder {folder.parent} to make {folder.name} in; "
                        "give a folder that exists, or a new one inside it.")
    return True


def _remove_made(folder: Path, made: bool) -> None:
    """Take back a folder this export made, if nothing else was put in it meanwhile."""
    if made:
        try:
            folder.rmdir()
        except OSError:
            pass


def _publish(staging: Path, targets: list[Path]) -> Callable[[], None]:
    """Move the written files from ``staging`` onto ``targets``; returns what puts everything back.

    A file being replaced is kept in ``staging`` until the export is recorded, so a
    failure at any point (moving, or the transaction's commit) can restore it.
    """
    kept = staging / ".replaced"
    kept.mkdir()
    moved: list[tuple[Path, Path | None]] = []

    def undo() -> None:
        for target, old in reversed(moved):
            try:
                if old is not None:
                    os.replace(old, target)
                else:
                    target.unlink(missing_ok=True)
            except OSError:
                pass

    try:
        for target in targets:
            # A refusal names the pack and its folder, never the folder it waited in.
            with telling_write_failures(target):
                why = not_a_file_reason(target)  # one made there since the check
                if why:
                    raise UserError(f"Will not write over {target}: {why}.")
                old = None
                if target.exists() or target.is_symlink():
                    old = kept / target.name
                    os.replace(target, old)
                moved.append((target, old))
                os.replace(staging / target.name, target)
    except BaseException:
        undo()
        raise
    return undo


def step_file_names(base: str, steps: Sequence[Step]) -> list[StepFiles]:
    """Each step's file names, in the order of ``steps``: ``<base>_<channel>_<YYYY-MM-DD>_<HHMM>``.

    The date and time are the step's own, on its zone's clock, so a name depends on
    the step alone.  Steps of one channel at the same local minute (in two zones, or
    planned twice) get ``-2``, ``-3``… after the later ones, in time order.
    """
    order = sorted(range(len(steps)), key=lambda i: (steps[i].at_utc, i))
    seen: dict[str, int] = {}
    stems: dict[int, str] = {}
    for i in order:
        step = steps[i]
        stem = f"{base}_{step.channel}_{datetime.fromisoformat(step.at_local):%Y-%m-%d_%H%M}"
        count = seen[stem.casefold()] = seen.get(stem.casefold(), 0) + 1
        stems[i] = stem if count == 1 else f"{stem}-{count}"
    out = []
    for i, step in enumerate(steps):
        stem = stems[i]
        if step.channel == "email":
            out.append(StepFiles(f"{stem}.csv", (f"{stem}.html", f"{stem}.txt", f"{stem}_subject.txt")))
        elif step.channel == "sms":
            out.append(StepFiles(f"{stem}.csv"))
        elif step.channel in SOCIAL:
            out.append(StepFiles(f"{stem}.csv", tuple(f"{stem}_{layout}.csv" for layout in SOCIAL_LAYOUTS)))
        elif step.channel == "store":
            out.append(StepFiles(f"{stem}.pdf"))
        else:
            out.append(StepFiles(f"{stem}.html"))
    return out


def pack_base(campaign: CampaignData) -> str:
    """What a campaign's packs, calendar and calendar events are named after: the name it had at its
    first export (kept through a rename, so an export replaces its own files), else its name now.
    Before its first export, :func:`export_base` is what it will be: another campaign's may be alike."""
    from omnidesk.core.campaigns.packs import slug

    return campaign.pack_name or slug(campaign.name)


def export_base(ws: Workspace, campaign: CampaignData) -> str:
    """What an export names the campaign's files after: its pack name (:func:`pack_base`); at its
    first export, its name's slug, with ``-2``, ``-3``… after it when another campaign's packs are
    named so already ("Spring sale" and "Spring sale!" both slug to ``spring-sale``): each campaign
    keeps its own calendar and packs, and one's export never replaces the other's."""
    if campaign.pack_name:
        return campaign.pack_name
    with ws.engine.connect() as conn:
        return _free_base(conn, campaign)


def _free_base(conn, campaign: CampaignData) -> str:
    from omnidesk.core.campaigns.packs import slug

    c = Campaign.__table__
    taken = {n.casefold() for n in conn.execute(select(c.c.pack_name).where(
        c.c.id != campaign.id, c.c.pack_name.is_not(None))).scalars()}
    base = candidate = slug(campaign.name)
    n = 1
    while candidate.casefold() in taken:
        n += 1
        candidate = f"{base}-{n}"
    return candidate


def _exists_words(ws: Workspace, campaign: CampaignData, base: str, path: Path) -> str:
    """Why an export does not write over ``path`` without ``--force``: a file of this campaign's
    earlier export, or (first export, or a name another campaign's packs share) one that may not be."""
    if campaign.pack_name is None:
        return (f"{path} already exists, and {campaign.name} was never exported, so it is not a file of "
                "this campaign's; choose another folder, or replace it with --force.")
    c = Campaign.__table__
    with ws.engine.connect() as conn:
        alike = sorted(n for cid, n, pack in conn.execute(select(c.c.id, c.c.name, c.c.pack_name))
                       if cid != campaign.id and pack and pack.casefold() == base.casefold())
    if alike:
        return (f"{path} already exists and may be campaign '{alike[0]}''s, whose files are named alike; "
                "choose another folder, or replace it with --force.")
    return f"{path} already exists; replace the files of an earlier export with --force."


def planned_files(folder: Path, base: str, steps: Sequence[Step]) -> list[Path]:
    """The files an export of these steps writes in ``folder``, step by step, the calendar last."""
    folder = Path(folder)
    return [*(folder / n for files in step_file_names(base, steps) for n in files.names), folder / f"{base}.ics"]


def _record(ws: Workspace, campaign: CampaignData, records: list[tuple[StepAudience, list[int]]],
            step_ids: list[int | None], base: str | None = None, *,
            publish: Callable[[], Callable[[], None]] | None = None, now: datetime | None = None) -> None:
    """Mark the steps exported and record whom each personal step included (replacing an earlier export
    of a step still to come: a step that went out is never passed here, its record stays).

    A step under way (``sending_until``) has only its sends still to come (after ``now``) replaced:
    those already due went out and stay recorded as they were, and so does its baseline.

    ``base`` (:func:`export_base`): what the packs were named after, kept as the campaign's pack
    name at its first export.

    ``publish`` puts the packs in place inside the transaction, last, and returns
    what takes them back: when it or the commit fails nothing is recorded and no
    pack of this export stays.
    """
    sr, st, c = SendRecord.__table__, CampaignStep.__table__, Campaign.__table__
    stamp = utcnow()
    undo: Callable[[], None] | None = None
    try:
        with ws.writing() as conn:
            for audience, ids in records:
                under_way = audience.sending_until is not None
                due = (now or datetime.now(UTC)).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
                if under_way:
                    conn.execute(delete(sr).where(sr.c.step_id == audience.step.id,
                                                  sr.c.channel == audience.step.channel, sr.c.send_utc > due))
                else:
                    conn.execute(delete(sr).where(sr.c.step_id == audience.step.id))
                anchors = anchor_records(conn, ids, audience.step.channel)
                rows = [{"step_id": audience.step.id, "record_id": anchors[cid], "channel": audience.step.channel,
                         "send_utc": audience.send_at[cid].astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")}
                        for cid in ids if cid in anchors]
                at = audience.step.at_utc.strftime("%Y-%m-%dT%H:%M:%SZ")
                for reason in () if under_way else BASELINE_REASONS:
                    left = audience.excluded.get(reason) or []
                    kept = anchor_records(conn, left, audience.step.channel)
                    rows += [{"step_id": audience.step.id, "record_id": kept[cid], "channel": reason,
                              "send_utc": at} for cid in left if cid in kept]
                for start in range(0, len(rows), 10_000):
                    conn.execute(insert(sr), rows[start:start + 10_000])
                # The new pack holds nobody erased (they are not customers): of the rows of people
                # erased since the last export, only those already due (under way) were sent.
                erased = erased_times(conn.execute(select(st.c.erased_sends).where(
                    st.c.id == audience.step.id)).scalar())
                still = [t for t in erased if t <= due] if under_way and erased else []
                conn.execute(update(st).where(st.c.id == audience.step.id).values(
                    erased_sends=json.dumps(still) if still else None))
            ids = [i for i in step_ids if i is not None]
            conn.execute(update(st).where(st.c.campaign_id == campaign.id, st.c.id.in_(ids))
                         .values(exported_at=stamp))
            conn.execute(update(c).where(c.c.id == campaign.id).values(status="exported", updated_at=stamp))
            if campaign.pack_name is None and base is not None and _free_base(conn, campaign) != base:
                # Another campaign's first export took that name meanwhile (another window).
                raise UserError(f"Another campaign's packs were named {base} meanwhile; export {campaign.name} again.")
            conn.execute(update(c).where(c.c.id == campaign.id, c.c.pack_name.is_(None))
                         .values(pack_name=base or pack_base(campaign)))
            if publish is not None:
                undo = publish()
    except BaseException:
        if undo is not None:
            undo()
        raise
