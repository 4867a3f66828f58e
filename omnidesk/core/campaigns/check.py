"""A campaign's check: every step's variant through the message check, and what the guards warn of.

Errors block scheduling: a step's variant with an error, a step on a channel the
message has no variant for, no message at all, an email recipient whose name, or a value the
message puts in (a city, a custom field), is longer than a Mailchimp field holds, or whose tag
holds a comma (the export would stop at it: the rows the export writes are asked of the pack
writer's own rule), a step whose time is out of
range (campaign.LATEST_STEP; saved before plans refused it), a step not yet exported whose time
has passed (its pack would be made today for a moment gone by, and results would credit it with
orders from back then: the user moves it to a time to come), a step that goes out after the offer's last
day (on its own clock, its texts moved out of quiet hours at their moved time), an SMS step whose
text for any one recipient (all of them measured, not a sample) is over the segment limit.  A pack
exported and still to go (or under way)
that holds someone the guards would no longer send to for consent (opted out, their row's address
refused, not confirmed, consent unknown where it may not pass) or who was erased since is an error
the export mends (naming the first few, by the address their row holds), unless the campaign's saved segment is gone: then each step still to plan is an
error too (``audience_missing``), and the export writes nothing until it has an audience again.  Warnings do not: a personal step
nobody is eligible for, recipients moved out of quiet hours, a step exported already whose time
has come (it went out: its counts are what its export recorded, and an export keeps it as it was;
under way while texts moved out of quiet hours are still to go), a step at a
local time a clock change skips or repeats, a post at a time a scheduler's bulk upload refuses, email
recipients whose address Mailchimp's import leaves out (a letter outside ASCII before the @).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from omnidesk.core.campaigns.campaign import (
    EARLIEST_STEP,
    PERSONAL,
    CampaignData,
    Step,
    get_campaign,
    segment_missing,
)
from omnidesk.core.campaigns.guards import StepAudience, plan_audiences
from omnidesk.core.campaigns.export import SOCIAL_LAYOUTS
from omnidesk.core.campaigns.packs import MAILCHIMP_FIELD_BYTES, SocialPost, social_post_problem
from omnidesk.core.messages.derive import CHANNEL_LABELS, SOCIAL, campaign_name
from omnidesk.core.messages.lint import ERROR, SMS_MAX_SEGMENTS, WARNING, Finding, Report, check_variant
from omnidesk.core.messages.longest import Longest, longest_texts
from omnidesk.core.money import workspace_currency
from omnidesk.core.workspace import Workspace


def step_summary(audience: StepAudience, exported: tuple[str, int] | None = None) -> dict:
    """One step's recipients as today's guards find them (for a step that went out, ``kept``: as
    its export recorded them); with ``exported`` (when, how many: ``campaign.exported_recipients``),
    also what its pack was made for.  A step under way (``StepAudience.sending_until``) says so
    (``under_way``) and when its last sends are due (``last_sends_due``, UTC)."""
    s = audience.step
    out = {"channel": s.channel, "at": s.at_local[:16], "timezone": s.timezone,
           "eligible": len(audience.eligible) if audience.eligible is not None else None,
           "excluded": audience.counts(), "moved": len(audience.moved)}
    if audience.kept:
        out["kept"] = True
    if audience.sending_until is not None:
        # Under way: its time has come, but texts moved out of quiet hours are still to go.
        out["under_way"] = True
        out["last_sends_due"] = audience.sending_until.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    if exported is not None:
        out["exported"] = {"at": exported[0], "recipients": exported[1]}
    return out


def usable_audiences(ws: Workspace, campaign: CampaignData, *, now: datetime | None = None
                     ) -> tuple[list[StepAudience], list[Step]]:
    """Every step's recipients (guards.plan_audiences), but only for the steps with a moment to work
    with; and the steps without one (:attr:`Step.problem`: a time out of range saved before plans
    refused it), which the check names as errors instead of failing on them.

    A campaign whose audience is a saved segment that is gone (deleted before a segment a campaign
    uses was kept) is planned with nobody in the steps still to plan: the steps exported are read
    from what their export recorded all the same, so the check still finds who opted out since in
    a pack written, and names the missing segment as an error (:func:`_segment_missing`)."""
    unusable = [s for s in campaign.steps if s.problem]
    usable = replace(campaign, steps=[s for s in campaign.steps if not s.problem]) if unusable else campaign
    if segment_missing(ws, campaign.audience):
        usable = replace(usable, audience=NOBODY)
    return plan_audiences(ws, usable, now=now), unusable


# The rule of an audience whose saved segment is gone: it holds for nobody.
NOBODY = {"any": []}


def unusable_summary(step: Step) -> dict:
    """A step with no usable moment, in the form of :func:`step_summary`, with its ``problem``."""
    return {"channel": step.channel, "at": str(step.at_local)[:16], "timezone": step.timezone, "eligible": None,
            "excluded": {}, "moved": 0, "problem": step.time_problem}


def step_summaries(audiences: list[StepAudience], unusable: list[Step],
                   exported: dict[int, tuple[str, int]] | None = None) -> list[dict]:
    """Every step's summary in time order: the usable ones (``step_summary``), with the steps out of
    range before them (too early) or after them (too late, or no time at all)."""
    exported = exported or {}
    early = [unusable_summary(s) for s in unusable if str(s.at_local) < EARLIEST_STEP.isoformat()]
    late = [unusable_summary(s) for s in unusable if str(s.at_local) >= EARLIEST_STEP.isoformat()]
    return [*early, *(step_summary(a, exported.get(a.step.id)) for a in audiences), *late]


def clock_change(step) -> tuple[str, str] | None:
    """(code, words) when the step's local time is one a clock change skips or repeats, else None.

    A time the clocks skip (02:30 when they go from 02:00 to 03:00) goes out when the clock
    would have shown it, an hour later; a time they repeat goes out the first time round.
    """
    local = datetime.fromisoformat(step.at_local)
    zone = ZoneInfo(step.timezone)
    if local.replace(tzinfo=zone, fold=0).utcoffset() == local.replace(tzinfo=zone, fold=1).utcoffset():
        return None
    real = step.at_utc.astimezone(zone)
    day = f"{local.day} {local:%b %Y}"
    if real.replace(tzinfo=None) != local:
        return ("step_time_skipped", f"{local:%H:%M} does not exist on {day} in {step.timezone} (the clocks go "
                                     f"forward): the {step.label} step goes out at {real:%H:%M}")
    return ("step_time_twice", f"{local:%H:%M} happens twice on {day} in {step.timezone} (the clocks go back): "
                               f"the {step.label} step goes out the first time, {real:%H:%M %Z}")


def check_campaign(ws: Workspace, name: str, *, now: datetime | None = None, sample_size: int = 20
                   ) -> tuple[Report, list[dict], CampaignData]:
    """The findings (message check of each step's variant, then the guards' warnings), each step's
    recipients in numbers, and the campaign."""
    from omnidesk.core.messages.brand import get_brand, logo
    from omnidesk.core.customers import custom_field_names
    from omnidesk.core.messages.personal import customer_values, sample
    from omnidesk.core.messages.store import get_message

    campaign = get_campaign(ws, name)
    now = now or datetime.now(UTC)
    findings: list[Finding] = []
    stats: dict[str, dict] = {}
    message = None
    texting: list[StepAudience] = []
    longest_sms: list = []
    if campaign.message is None:
        findings.append(Finding("campaign", ERROR, "no_message", "the campaign has no message"))
    if not campaign.steps:
        findings.append(Finding("campaign", ERROR, "no_steps", "the campaign has no steps; add one to send it"))
    audiences, unusable = usable_audiences(ws, campaign, now=now)
    findings.extend(Finding(s.channel, ERROR, "step_time_out_of_range", s.problem) for s in unusable)
    missing = segment_missing(ws, campaign.audience)
    if campaign.message is not None:
        message = get_message(ws, campaign.message)
        brand = get_brand(ws)
        personal_ids = [cid for a in audiences if a.eligible for cid in a.eligible]
        ids = sample(ws, sample_size, among=personal_ids) if personal_ids else sample(ws, sample_size)
        values = customer_values(ws, ids, master=message.master, business_name=brand.name)
        samples = [values[i] for i in ids]
        names = custom_field_names(ws)
        currency = workspace_currency(ws)  # an offer's amount without a sign is in it
        # The segment limit holds for every recipient, not for the sample: each SMS step's
        # costliest text is found among all its recipients, and measured with the sample.
        texting = [a for a in audiences if a.step.channel == "sms" and not a.kept and a.sending_until is None
                   and a.eligible]
        longest_sms = [None] * len(texting)
        if texting and "sms" in message.variants:
            longest_sms = longest_texts(ws, message.variants["sms"].fields.get("text", ""),
                                        [a.eligible for a in texting], master=message.master,
                                        business_name=brand.name, limit=SMS_MAX_SEGMENTS)
        for channel in dict.fromkeys(s.channel for s in campaign.steps):
            variant = message.variants.get(channel)
            if variant is None:
                findings.append(Finding(channel, ERROR, "no_variant",
                                        f"the message has no {CHANNEL_LABELS.get(channel, channel)} variant"))
                continue
            measured = samples
            if channel == "sms":
                measured = [*samples, *(w.values for w in longest_sms if w is not None)]
            image = logo(ws) if channel == "store" else None  # the poster is laid out with it
            found, stats[channel] = check_variant(channel, variant.fields, message.master, brand, samples=measured,
                                                  custom_names=names, currency=currency,
                                                  logo=image.data if image is not None else None,
                                                  campaign=campaign_name(brand, message.name))
            findings.extend(found)
            if variant.stale:
                findings.append(Finding(channel, WARNING, "stale_variant",
                                        "the master changed since this variant was made; re-sync or keep it"))
    for a in audiences:
        s = a.step
        # Its time on its own clock, named: "15:30" alone read as the shop's or the viewer's.
        label = f"{CHANNEL_LABELS.get(s.channel, s.channel)} step of {s.at_local[:16].replace('T', ' ')} ({s.timezone})"
        if a.sending_until is not None and a.sending_until > now:
            # Its time has come, but texts moved out of quiet hours are still to go: what would be
            # said of a step still to go is not (its time, quiet hours), and while none of those
            # still to go has opted out its pack stays as exported; one who has is an error
            # (_packs_with_opt_outs), mended by writing the pack again with the sends to go alone.
            if a.kept:
                findings.append(Finding(s.channel, WARNING, "step_under_way",
                                        f"the {label} is going out: its last sends are due "
                                        f"{a.sending_until:%Y-%m-%d %H:%M} UTC; an export keeps it as exported"))
            continue
        if a.kept:
            # Exported, and its time has come: it went out.  An export leaves it as it was, so
            # what would be said of a step still to go (quiet hours, its time, long names) is not.
            findings.append(Finding(s.channel, WARNING, "step_sent",
                                    f"the {label} went out already: an export keeps it as exported "
                                    "(its pack and whom it reached and held out stay as they were)"))
            continue
        changed = clock_change(s)
        if changed:
            findings.append(Finding(s.channel, WARNING, *changed))
        if s.channel in SOCIAL:
            post = SocialPost("", "", "", (), s.at, s.channel)
            for layout in ("buffer", *SOCIAL_LAYOUTS):  # the layouts its pack is written in
                problem = social_post_problem(layout, post)
                if problem:
                    findings.append(Finding(s.channel, WARNING, "scheduler_time", problem))
        if s.at_utc < now:
            # Its pack would be made today for a time gone by: results would credit it with what
            # customers bought back then, and caps would count a message in the past.
            findings.append(Finding(s.channel, ERROR, "step_in_past",
                                    f"the {label} is in the past; give it a time to come before it is exported"))
        if message is not None:
            findings.extend(_after_offer(a, message.master, label))
        if missing and s.channel in PERSONAL:
            findings.append(_segment_missing(campaign, s, label))
        elif a.eligible is not None and not a.eligible:
            findings.append(Finding(s.channel, WARNING, "nobody_eligible", f"nobody can receive the {label}"))
        if a.moved:
            findings.append(Finding(s.channel, WARNING, "quiet_hours_moved",
                                    f"{len(a.moved):,} recipient{'s' if len(a.moved) > 1 else ''} of the {label} "
                                    f"wait{'' if len(a.moved) > 1 else 's'} for their quiet hours to end"))
    for a, worst in zip(texting, longest_sms, strict=True):
        if worst is not None and worst.stats.segments > SMS_MAX_SEGMENTS:
            findings.append(_text_too_long(a.step, worst))
    if message is not None and "email" in message.variants:
        findings.extend(_rows_mailchimp_refuses(ws, message.variants["email"].fields, message.master, brand.name,
                                                [a for a in audiences if not a.kept and a.sending_until is None]))
    findings.extend(_addresses_mailchimp_refuses(ws, [a for a in audiences if not a.kept and a.sending_until is None]))
    findings.extend(_packs_with_opt_outs(ws, campaign, [a for a in audiences if not a.kept], now,
                                         audience_missing=missing))
    return Report(findings, stats), step_summaries(audiences, unusable), campaign


def _segment_missing(campaign: CampaignData, step: Step, label: str) -> Finding:
    """A step still to plan whose campaign's audience is a saved segment that is gone: an error the
    export does not mend (it would not know whom to write the pack for)."""
    return Finding(step.channel, ERROR, "audience_missing",
                   f"the {label} of campaign '{campaign.name}' cannot be planned: its audience, the segment "
                   f"'{campaign.audience}', no longer exists; give the campaign its audience again (save a segment "
                   f"named '{campaign.audience}', or change the campaign's audience), then check and export it")


# Errors an export mends (it writes the pack again): they do not stop it.
MENDED_BY_EXPORT = frozenset({"pack_holds_opt_outs", "pack_holds_unsendable", "pack_holds_erased"})


def errors_before_export(report: Report) -> list[Finding]:
    """The errors that stop an export: all but those the export itself mends (:data:`MENDED_BY_EXPORT`)."""
    return [f for f in report.errors if f.code not in MENDED_BY_EXPORT]


def _packs_with_opt_outs(ws: Workspace, campaign: CampaignData, audiences: list[StepAudience],
                         now: datetime, *, audience_missing: bool = False) -> list[Finding]:
    """Steps exported and still to go whose pack holds someone the guards refuse since: an error.

    The pack on disk is the one a tool would send; an unsubscribe imported after it was written
    (or typed in) does not take its row out.  Exporting again (``--force``) writes it without them.

    What the pack holds is what its export recorded (``send_record``: whom it included, and when
    each is sent), not today's audience: a rule such as "consent.email is granted" leaves out today
    whoever unsubscribed since, though their row is still in the pack.  Each row whose send is
    still to come is asked of guards 1 and 2 as the packs are made (``guards.pack_refusals``): its
    person (whoever holds the send's record now: a wrong merge split again leaves the row with the
    person it went to) and the address the row holds, not an address typed on the card since.
    Opted out, or the address refused (spellings and shared addresses included), is
    ``pack_holds_opt_outs``; not confirmed, or consent unknown where the settings no longer let it
    through, ``pack_holds_unsendable``.  A step under way (its time come, texts moved out of quiet
    hours still to go) is asked of those still to go alone.

    Someone erased at their request since is in the pack too, but nothing of theirs is left to
    ask about: their send records went with them.  The step noted when each such row is due
    (``sends.note_erased_sends``), and a row still to come is an error of its own,
    ``pack_holds_erased``, mended by exporting again as well.

    Those refused are named (their customer number, the row's address and why, the first few), so the user can
    take them out in their sending tool too.  With ``audience_missing`` (the campaign's saved
    segment is gone) an export cannot write the pack again until the campaign has an audience, and
    the error says so.
    """
    from sqlalchemy import select

    from omnidesk.core.campaigns.campaign import exported_steps
    from omnidesk.core.campaigns.guards import HELD, OPTED_OUT, Rules, pack_refusals
    from omnidesk.core.campaigns.sends import erased_times
    from omnidesk.core.models import CampaignStep, SendRecord

    when = exported_steps(ws, campaign.name)
    waiting = [a for a in audiences if a.step.id in when and a.step.channel in PERSONAL]
    if not waiting:
        return []
    sr = SendRecord.__table__
    due = now.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    rules = Rules.of(ws)
    out = []
    with ws.engine.connect() as conn:
        for a in waiting:
            s = a.step
            to_go = conn.execute(select(sr.c.record_id).where(
                sr.c.step_id == s.id, sr.c.channel == s.channel, sr.c.send_utc > due)).scalars().all()
            refused = _one_row_each(pack_refusals(conn, s.channel, rules, to_go))
            gone = [r for r in refused if r.reason in (OPTED_OUT, HELD)]
            unsendable = [r for r in refused if r.reason not in (OPTED_OUT, HELD)]
            st = CampaignStep.__table__
            erased = [t for t in erased_times(conn.execute(select(st.c.erased_sends).where(st.c.id == s.id)).scalar())
                      if t > due]
            label = (f"{CHANNEL_LABELS.get(s.channel, s.channel)} step of "
                     f"{s.at_local[:16].replace('T', ' ')} ({s.timezone})")
            exported = when[s.id][:16].replace('T', ' ')
            if erased:
                n = len(erased)
                out.append(Finding(s.channel, ERROR, "pack_holds_erased",
                                   f"the pack of the {label}, exported {exported} UTC, holds {n:,} "
                                   f"{'people' if n > 1 else 'person'} erased since at their request: export it "
                                   "again (campaign export --force) before it goes out, and delete any other copy "
                                   "of the old pack" + (", in your sending tool too" if a.sending_until else "")))
            for code, rows, who in (
                    ("pack_holds_opt_outs", gone, lambda n: "people who have" if n > 1 else "person who has"),
                    ("pack_holds_unsendable", unsendable,
                     lambda n: "people who" if n > 1 else "person who")):
                if not rows:
                    continue
                n = len(rows)
                said = (f"{n:,} {who(n)} opted out since" if code == "pack_holds_opt_outs"
                        else f"{n:,} {who(n)} may no longer be sent to")
                said += f" ({_named(rows)})"
                if a.sending_until is not None:
                    out.append(Finding(s.channel, ERROR, code,
                                       f"the pack of the {label}, exported {exported} UTC, is going out and its "
                                       f"sends still to come hold {said}: export it again (campaign export --force) "
                                       "for a pack of the sends still to come without them, and put it in your "
                                       "sending tool in place of those still scheduled (or take them out there) "
                                       f"before {a.sending_until:%Y-%m-%d %H:%M} UTC"))
                    continue
                again = "export it again (campaign export --force) before it goes out"
                if audience_missing:
                    again = ("take them out of it in your sending tool, or give the campaign its audience again "
                             f"(the segment '{campaign.audience}' no longer exists) and export it again "
                             "(campaign export --force) before it goes out")
                out.append(Finding(s.channel, ERROR, code,
                                   f"the pack of the {label}, exported {exported} UTC, holds {said}: {again}"))
    return out


def _one_row_each(rows: list) -> list:
    """The refused rows of a pack, one per person and address (two records of one customer merged
    since, kept by the same address, are one row of the pack), by customer."""
    seen: dict[tuple[int, str], object] = {}
    for r in sorted(rows, key=lambda r: (r.customer_id, r.record_id)):
        seen.setdefault((r.customer_id, r.address), r)
    return list(seen.values())


def _named(rows: list, shown: int = 3) -> str:
    """The first few refused rows (``guards.PackRow``) as "customer 4, dan@example.com", each by the
    address its row of the pack holds, with why where it is not their own opt-out, and how many more."""
    from omnidesk.core.campaigns.guards import HELD, OPTED_OUT

    why = {HELD: "held: someone who holds this address opted out"}

    def one(r) -> str:
        words = why.get(r.reason, "" if r.reason == OPTED_OUT else r.reason)
        return f"customer {r.customer_id}" + (f", {r.address}" if r.address else "") + (f": {words}" if words else "")

    named = "; ".join(one(r) for r in rows[:shown])
    return named + (f"; and {len(rows) - shown:,} more" if len(rows) > shown else "")


def step_label(s: Step) -> str:
    """A step named by its channel and its time on its own clock: "SMS step of 2027-03-01 18:00 (America/New_York)"."""
    return f"{CHANNEL_LABELS.get(s.channel, s.channel)} step of {s.at_local[:16].replace('T', ' ')} ({s.timezone})"


def _text_too_long(s: Step, worst: Longest) -> Finding:
    """The SMS step's costliest text over the segment limit, naming whose it is: the export would refuse it."""
    n = worst.over
    others = f"; {n:,} of its recipients' texts are over" if n > 1 else ""
    return Finding(s.channel, ERROR, "sms_too_long",
                   f"the {step_label(s)} texts customer {worst.customer_id} in {worst.stats.segments} segments "
                   f"({worst.stats.encoding}), more than the {SMS_MAX_SEGMENTS} a text is kept to{others}: "
                   "shorten the text, or the value that makes it long on the customer's card", "text")


def _after_offer(audience: StepAudience, master: dict, label: str) -> list[Finding]:
    """An error when the step goes out after the offer is over: its last day ends at midnight on the
    step's own clock, and the step's last send (a text moved out of quiet hours goes the next
    morning) must come before that."""
    from omnidesk.core.messages.offer import offer_end
    from omnidesk.core.messages.personal import nice_day

    s = audience.step
    zone = ZoneInfo(s.timezone)
    end = offer_end(master, zone)
    if end is None:
        return []
    last = max([s.at_utc, *audience.send_at.values()])
    if last < end:
        return []
    day = nice_day(master.get("offer_expires"))
    if s.at_utc >= end:
        return [Finding(s.channel, ERROR, "offer_ended",
                        f"the offer's last day is {day}, before the {label}: it would offer what is "
                        "over; move the step before then or give the offer a new end date")]
    late = sorted(cid for cid, at in audience.send_at.items() if at >= end)
    n = len(late)
    return [Finding(s.channel, ERROR, "offer_ended",
                    f"the offer's last day is {day} ({s.timezone}), but {n:,} recipient{'s' if n > 1 else ''} of the "
                    f"{label} {'are' if n > 1 else 'is'} sent it after, once their quiet hours end (the last at "
                    f"{last.astimezone(zone):%Y-%m-%d %H:%M} on the step's clock): move the step earlier or "
                    "give the offer a new end date")]


def _rows_mailchimp_refuses(ws: Workspace, fields: dict, master: dict, business_name: str,
                            audiences: list[StepAudience]) -> list[Finding]:
    """Email recipients whose row of the Mailchimp audience file the pack's writer refuses: a first
    or last name, or a value the message puts in (a city, a custom field), longer than a Mailchimp
    field holds (packs.MAILCHIMP_FIELD_BYTES), which the message would show cut off; a tag holding a
    comma.  The rows are the export's own (``export.email_rows``), asked of the writer's own rule
    (``packs.email_refusals``): the check is the export's gate, so it names whatever the export
    would stop at, before anything is scheduled."""
    from sqlalchemy import func, select

    from omnidesk.core.campaigns.export import email_fields, email_rows
    from omnidesk.core.campaigns.packs import email_refusals
    from omnidesk.core.messages.personal import may_hold_long_values
    from omnidesk.core.models import Customer

    wanted = {cid for a in audiences if a.step.channel == "email" for cid in a.eligible or ()}
    if not wanted:
        return []
    tags, tokens_used = email_fields(fields)
    # Only a value long enough or a tag with a comma can be refused: the export's rows are built
    # for those who may hold one (a value of fewer letters fits, whatever they are), asked of
    # every source the rows draw from; everyone's when a value the same for everyone may not fit.
    shortest = MAILCHIMP_FIELD_BYTES // 4
    may = may_hold_long_values(ws, ["first_name", "last_name", *tokens_used], shortest, master=master,
                               business_name=business_name, among=wanted)
    if may is None:
        ids = sorted(wanted)
    else:
        cust = Customer.__table__
        with ws.engine.connect() as conn:
            may.update(conn.execute(select(cust.c.id).where(
                func.replace(cust.c.tags, ", ", "").contains(","))).scalars())
        ids = sorted(may & wanted)
        if not ids:
            return []
    token_of = {tags[n]: n for n in tokens_used}
    names: list[int] = []
    too_long: dict[str, list[tuple[int, int]]] = {}  # a field's merge tag -> (customer, bytes)
    commas: list[int] = []
    for refused in email_refusals(email_rows(ws, ids, fields, master, business_name), list(token_of)):
        if refused.column == "Tags":
            commas.append(refused.customer_id)
        elif refused.column in ("First Name", "Last Name"):
            if refused.customer_id not in names:
                names.append(refused.customer_id)
        else:
            too_long.setdefault(refused.column, []).append((refused.customer_id, refused.size))
    out = []
    if names:
        names.sort()
        out.append(Finding("email", ERROR, "name_too_long",
                           f"{len(names):,} email recipient{'s have' if len(names) > 1 else ' has'} a name longer "
                           f"than Mailchimp keeps ({MAILCHIMP_FIELD_BYTES} bytes), which the message would show "
                           f"cut off: customer{'s' if len(names) > 1 else ''} {_first_few(names)}; shorten it on "
                           "the card before exporting"))
    for tag, rows in too_long.items():
        rows.sort()
        n = len(rows)
        out.append(Finding("email", ERROR, "field_too_long",
                           f"{n:,} email recipient{'s have' if n > 1 else ' has'} a {{{token_of[tag]}}} longer than "
                           f"Mailchimp keeps ({MAILCHIMP_FIELD_BYTES} bytes; the audience file's {tag} column), "
                           f"which the message would show cut off: customer {rows[0][0]} ({rows[0][1]:,} bytes)"
                           + (f" and {n - 1:,} more" if n > 1 else "") + "; shorten it on the card before exporting"))
    if commas:
        commas.sort()
        out.append(Finding("email", ERROR, "tag_has_comma",
                           f"{len(commas):,} email recipient{'s have' if len(commas) > 1 else ' has'} a tag "
                           f"holding a comma, which Mailchimp reads as two tags: customer"
                           f"{'s' if len(commas) > 1 else ''} {_first_few(commas)}; rename the tag before exporting"))
    return out


def _first_few(ids: list[int]) -> str:
    """"3, 4" or "1, 2, 3, 4, 5 and 7 more": the first five customers of ``ids``."""
    return ", ".join(str(cid) for cid in ids[:5]) + (f" and {len(ids) - 5:,} more" if len(ids) > 5 else "")


def _addresses_mailchimp_refuses(ws: Workspace, audiences: list[StepAudience]) -> list[Finding]:
    """Email recipients whose address has a letter outside plain ASCII before the @ (josé@example.com):
    Mailchimp's import takes international characters only after the @, and leaves such a row
    out without a word.  They stay in the pack (the address is theirs, and another tool may take
    it); the check says how many there are, so the count Mailchimp reports is no surprise."""
    from sqlalchemy import select

    from omnidesk.core.models import Customer

    wanted = sorted({cid for a in audiences if a.step.channel == "email" for cid in a.eligible or ()})
    if not wanted:
        return []
    cust = Customer.__table__
    refused: list[tuple[int, str]] = []
    with ws.engine.connect() as conn:
        for start in range(0, len(wanted), 900):
            for cid, email in conn.execute(select(cust.c.id, cust.c.email).where(
                    cust.c.id.in_(wanted[start:start + 900]))):
                if email and not email.rpartition("@")[0].isascii():
                    refused.append((cid, email))
    if not refused:
        return []
    refused.sort()
    n = len(refused)
    return [Finding("email", WARNING, "address_mailchimp_refuses",
                    f"{n:,} email recipient{'s have an address' if n > 1 else ' has an address'} with a letter "
                    f"Mailchimp's import does not take before the @ (customer {refused[0][0]}, "
                    f"{refused[0][1]}{' and others' if n > 1 else ''}): the Mailchimp pack holds "
                    f"{'them' if n > 1 else 'it'}, and Mailchimp leaves such rows out of the import; reach "
                    "them another way, or give Mailchimp an address of theirs in plain "
                    "letters")]
