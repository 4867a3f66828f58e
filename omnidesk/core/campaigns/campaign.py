"""Campaigns kept in the workspace, and the JSON plan file they save to and load from.

A campaign is a name, a goal, a message (a saved one, by name, or given whole in
the plan file, which saves it under the campaign's name: refused when a saved message
of that name is not the campaign's own), an audience (``"everyone"``, a saved segment's
name, or a rule in the segment JSON form) and steps: a channel, a local
date-time and its IANA time zone.  ``mode`` is ``each_channel`` (everyone in
the audience gets every step their guards allow) or ``best_channel`` (each
customer gets the one personal step — email or SMS — of the channel they use
most, see guards.py).  Status: draft, scheduled (every step's variant passes
the check), exported, done.

The plan file::

    {"name": "Spring sale", "goal": "…",
     "message": "Spring sale" | {"headline": …, …},
     "variants": {"sms": {"text": …}},            (optional, with a message given whole)
     "audience": "everyone" | "VIP customers" | {"all": [...]},
     "steps": [{"channel": "email", "at": "2027-03-01T09:00", "timezone": "Europe/London"}, …],
     "mode": "each_channel" | "best_channel",
     "holdout_percent": 10}                       (optional, 0 when left out)

``holdout_percent`` keeps that share of the audience out of every personal step, as a
baseline for the results (guards.py draws them; metrics.campaign_results compares).
It is kept with the audience it samples from: the ``audience_json`` column holds the
audience itself, or ``{"audience": …, "holdout_percent": N}`` when some are held out
(a rule never has an "audience" key, so the two cannot be confused).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import delete, func, insert, select, update

from omnidesk.core.changes import Changes
from omnidesk.core.errors import UserError
from omnidesk.core.messages.derive import CHANNEL_LABELS, VARIANT_CHANNELS
from omnidesk.core.models import Campaign, CampaignStep, Message, SendRecord, utcnow
from omnidesk.core.text import clean_line, clean_name
from omnidesk.core.timeutil import canonical_zone
from omnidesk.core.workspace import Workspace

MODES = ("each_channel", "best_channel")
STATUSES = ("draft", "scheduled", "exported", "done")
PERSONAL = ("email", "sms")  # channels that reach one person, and need their consent

# The dates a step may fall on, on its own clock.  Python's dates end with 9999-12-31, and a
# step's moment is moved about: to UTC (up to 12 hours on, Etc/GMT+12), onto a recipient's clock
# and past their quiet hours (14 hours on, Pacific/Kiritimati, and a day more); the guards look two
# days and the caps' window (cap_days) past the last step, and the export's calendar (.ics) writes
# each zone's rules for 366 days either side of its steps.  Ending a step's dates with 9997 keeps
# a year and more to spare for all of that: a step in 9998 or 9999 is refused when it is set,
# rather than crash the check, show and export later.  Before 1900 the zones keep local mean
# times and the guards look a year back (the channel a customer used most): no campaign step is
# planned that far back.
EARLIEST_STEP = datetime(1900, 1, 1)
LATEST_STEP = datetime(9997, 12, 31, 23, 59, 59)


def step_time_problem(local: datetime) -> str | None:
    """Why a step cannot be at ``local`` (naive, on its own clock): too early or too late; else None."""
    if local > LATEST_STEP:
        return f"too late; the latest date a step takes is {LATEST_STEP:%Y-%m-%d}"
    if local < EARLIEST_STEP:
        return f"too early; the earliest date a step takes is {EARLIEST_STEP:%Y-%m-%d}"
    return None


@dataclass(frozen=True)
class Step:
    id: int | None
    channel: str
    at_local: str  # "2027-03-01T09:00:00"
    timezone: str

    @property
    def at(self) -> datetime:
        """The step's moment, aware, on its own zone's clock as it reads at that moment.

        A time the clocks skip (02:30 on a spring-forward night) is the time they show then
        (03:30), so every pack, the check and the calendar write the same time, and one that
        exists: a scheduler reads a wall time in its own zone.  A time the clocks repeat is the
        first time round.
        """
        return self.at_utc.astimezone(ZoneInfo(self.timezone))

    @property
    def at_utc(self) -> datetime:
        return datetime.fromisoformat(self.at_local).replace(tzinfo=ZoneInfo(self.timezone)).astimezone(UTC)

    @property
    def label(self) -> str:
        return CHANNEL_LABELS.get(self.channel, self.channel)

    @property
    def time_problem(self) -> str | None:
        """Why this step has no moment a campaign can work with, in a few words; None when it has one.

        A plan refuses such a step (:func:`clean_step`); one saved before it did (a step in the
        year 9999) is named by the check, and left out of what is worked out for the others.
        """
        try:
            local = datetime.fromisoformat(str(self.at_local))
        except ValueError:
            local = None
        if local is None or canonical_zone(self.timezone) != self.timezone:
            return "unreadable; give it a date, a time and a time zone again"
        return step_time_problem(local.replace(tzinfo=None))

    @property
    def problem(self) -> str | None:
        """:attr:`time_problem` as a sentence naming the step."""
        why = self.time_problem
        if why is None:
            return None
        return f"the {self.label} step of {str(self.at_local)[:16].replace('T', ' ')} ({self.timezone}) is {why}"


@dataclass(frozen=True)
class CampaignData:
    id: int
    name: str
    goal: str
    message: str | None  # the saved message's name
    audience: object  # "everyone", a segment's name, or a rule
    mode: str
    status: str
    steps: list[Step]
    updated_at: str
    holdout_percent: float = 0
    pack_name: str | None = None  # what its packs are named after since its first export (see pack_base)


    @property
    def changes(self) -> Changes:
        return Changes(campaigns=True)


class StaleCampaign(UserError):
    """The campaign a save was to overwrite is not the one the editor opened: it changed since."""


def plan_version(data: CampaignData) -> tuple:
    """What a save would overwrite: the plan as stored (not its status or when it was written),
    to compare with the plan an editor opened."""
    return (data.name, data.goal, data.message, json.dumps(data.audience, sort_keys=True), data.mode,
            data.holdout_percent, tuple((s.channel, s.at_local, s.timezone) for s in data.steps))


def _name(text: object, what: str = "campaign") -> str:
    return clean_name(text, what)


def clean_step(raw: object, n: int) -> Step:
    """One step of a plan, checked: a channel a message has, a local date-time, a real time zone.

    Its problems name the step as a person counts (step 1) and as the plan file writes it
    (steps[0]), so a form and a JSON file both point to it.
    """
    def where(part: str = "") -> str:
        return f"Step {n + 1} (steps[{n}]{part})"

    if not isinstance(raw, dict):
        raise UserError(f"{where()}: give an object with channel, at and timezone.")
    unknown = [k for k in raw if k not in ("channel", "at", "timezone")]
    if unknown:
        raise UserError(f"{where('.' + unknown[0])}: not part of a step; a step has channel, at and timezone.")
    channel = raw.get("channel")
    if channel not in VARIANT_CHANNELS:
        raise UserError(f"{where('.channel')}: '{channel}' is not a channel; one of: {', '.join(VARIANT_CHANNELS)}.")
    given = raw.get("timezone")
    zone = canonical_zone(given)
    if zone is None:
        raise UserError(f"{where('.timezone')}: '{given}' is not a time zone such as Europe/London.")
    at = raw.get("at")
    try:
        local = datetime.fromisoformat(str(at))
    except ValueError:
        raise UserError(f"{where('.at')}: '{at}' is not a local date-time such as 2027-03-01T09:00.") from None
    if local.tzinfo is not None:
        raise UserError(f"{where('.at')}: give the local time without an offset; the time zone is its own field.")
    why = step_time_problem(local)
    if why:
        raise UserError(f"{where('.at')}: '{at}' is {why}.")
    return Step(None, channel, local.replace(second=0, microsecond=0).isoformat(), zone)


_STEP_PLACE = re.compile(r"^Step (\d+) \(steps\[\d+\](?:\.(\w+))?\):")
_FIELD_WORDS = {"channel": "channel", "at": "time", "timezone": "time zone"}


def in_form_words(message: str) -> str:
    """A step's problem (:func:`clean_step`) as a form says it: "Step 2, time zone: …", without
    the plan file's place (``steps[1].timezone``), which only a file's reader needs."""
    def say(m: re.Match) -> str:
        field = _FIELD_WORDS.get(m[2] or "", m[2])
        return f"Step {m[1]}, {field}:" if field else f"Step {m[1]}:"

    return _STEP_PLACE.sub(say, message, count=1)


def clean_holdout(value: object) -> float:
    """A hold-out share in percent: a number from 0 (nobody held out) to below 100."""
    if value is None:
        return 0
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value < 100:
        raise UserError(f"holdout_percent: give a number from 0 to 99.9 (the share of the audience not sent, "
                        f"as a baseline), not {json.dumps(value)}.")
    return int(value) if float(value).is_integer() else round(float(value), 2)


def _audience_json(audience: object, holdout: float) -> str:
    kept = {"audience": audience, "holdout_percent": holdout} if holdout else audience
    return json.dumps(kept, ensure_ascii=False)


def _audience_of(text: str) -> tuple[object, float]:
    """(audience, hold-out percent) of an ``audience_json`` column (see the module docstring)."""
    value = json.loads(text)
    if isinstance(value, dict) and "audience" in value:
        return value["audience"], value.get("holdout_percent") or 0
    return value, 0


def clean_audience(audience: object) -> object:
    from omnidesk.core.segments import check_rule, with_channel_codes

    if audience in (None, "everyone"):
        return "everyone"
    if isinstance(audience, str):
        return _name(audience, "segment")
    if isinstance(audience, dict):
        check_rule(audience)
        return with_channel_codes(audience)  # kept as a saved segment's rule is
    raise UserError("audience: give \"everyone\", a saved segment's name, or a rule.")


def campaigns_with_segment(conn, segment: str) -> list[tuple[int, str, str]]:
    """(id, name, audience_json) of every campaign whose audience is the saved segment ``segment``
    (its name in any case), by name: a rename of the segment renames it there, and a delete is refused."""
    c = Campaign.__table__
    folded = segment.casefold()
    found = [(r.id, r.name, r.audience_json) for r in conn.execute(select(c.c.id, c.c.name, c.c.audience_json))
             if isinstance(aud := _audience_of(r.audience_json)[0], str) and aud != "everyone"
             and aud.casefold() == folded]
    return sorted(found, key=lambda f: f[1].casefold())


def rename_segment_in_campaigns(conn, segment: str, new_name: str) -> bool:
    """Give every campaign whose audience is the segment ``segment`` the segment's new name, on
    ``conn`` (in the transaction that renames the segment); True when one had it."""
    c = Campaign.__table__
    used = campaigns_with_segment(conn, segment)
    for cid, _name, text in used:
        _audience, holdout = _audience_of(text)
        conn.execute(update(c).where(c.c.id == cid).values(audience_json=_audience_json(new_name, holdout)))
    return bool(used)


def segment_missing(ws: Workspace, audience: object) -> bool:
    """True when the audience is a saved segment's name and no segment has it (deleted before a
    delete was refused for a segment a campaign uses)."""
    from omnidesk.core.segments import find_segment

    return isinstance(audience, str) and audience != "everyone" and find_segment(ws, audience) is None


def audience_rule(ws: Workspace, audience: object) -> dict:
    """The segment rule an audience stands for (everyone: a rule that holds for all); a saved
    segment whose rule cannot run is refused naming it."""
    from omnidesk.core.segments import RuleError, check_rule, resolve_audience

    if audience == "everyone":
        return {"all": []}
    if isinstance(audience, str):
        rule = resolve_audience(ws, segment=audience)
        try:
            check_rule(rule, stored=True)  # one an older version saved may no longer run
        except RuleError as exc:
            raise RuleError(f"the segment '{audience}', this campaign's audience, cannot run: {exc}") from None
        return rule
    return resolve_audience(ws, rule=audience)


def _read(conn, row) -> CampaignData:
    st = CampaignStep.__table__
    steps = [Step(r.id, r.channel, r.at_local, r.timezone) for r in conn.execute(
        select(st).where(st.c.campaign_id == row.id).order_by(st.c.position, st.c.id))]
    message = None
    if row.message_id is not None:
        message = conn.execute(select(Message.__table__.c.name).where(Message.__table__.c.id == row.message_id)).scalar()
    audience, holdout = _audience_of(row.audience_json)
    return CampaignData(row.id, row.name, row.goal, message, audience, row.mode, row.status, steps, row.updated_at,
                        holdout, row.pack_name)


def _row(conn, name: str):
    c = Campaign.__table__
    for r in conn.execute(select(c)):
        if r.name.casefold() == name.casefold():
            return r
    raise UserError(f"There is no campaign '{name}'.")


def get_campaign(ws: Workspace, name: str) -> CampaignData:
    with ws.engine.connect() as conn:
        return _read(conn, _row(conn, _name(name)))


def list_campaigns(ws: Workspace) -> list[CampaignData]:
    c = Campaign.__table__
    with ws.engine.connect() as conn:
        return sorted((_read(conn, r) for r in conn.execute(select(c))), key=lambda d: d.name.casefold())


def save_campaign(ws: Workspace, name: str, *, message: str | None, audience: object = "everyone",
                  steps: list[dict] | None = None, mode: str = "each_channel", goal: str = "",
                  replace: bool = False, holdout_percent: float | None = None,
                  expect: CampaignData | None = None) -> CampaignData:
    """Create a campaign (or with ``replace`` change one); its steps as given, in order.

    ``holdout_percent`` None keeps a replaced campaign's hold-out as it was (0 for a new one).
    With ``expect`` (the campaign as an editor opened it) the stored plan must still read so:
    one changed or deleted since (another window, the command line) is refused with
    :class:`StaleCampaign`, and nothing is written.
    """
    name = _name(name)
    holdout = None if holdout_percent is None else clean_holdout(holdout_percent)
    if mode not in MODES:
        raise UserError(f"mode: '{mode}' is not one of {', '.join(MODES)}.")
    audience = clean_audience(audience)
    clean = [clean_step(s, n) for n, s in enumerate(steps or [])]
    c, st, msg = Campaign.__table__, CampaignStep.__table__, Message.__table__
    with ws.writing() as conn:
        if expect is not None:
            try:
                stored = _read(conn, _row(conn, expect.name))
            except UserError:
                raise StaleCampaign(f"{expect.name} was deleted since you opened it "
                                    "(in another window or command).") from None
            if plan_version(stored) != plan_version(expect):
                raise StaleCampaign(f"{expect.name} was changed since you opened it "
                                    "(in another window or command).")
        message_id = None
        if message is not None:
            found = [r for r in conn.execute(select(msg.c.id, msg.c.name)) if r.name.casefold() == message.casefold()]
            if not found:
                raise UserError(f"message: there is no message '{message}'.")
            message_id = found[0].id
        if isinstance(audience, str) and audience != "everyone":
            audience_rule(ws, audience)  # a segment that does not exist is refused now, not at export
        try:
            existing = _row(conn, name)
        except UserError:
            existing = None
        if existing is not None and not replace:
            raise UserError(f"A campaign named '{existing.name}' exists already; choose another name or replace it.")
        if holdout is None:
            holdout = _audience_of(existing.audience_json)[1] if existing is not None else 0
        values = dict(name=name, goal=clean_line(goal), message_id=message_id,
                      audience_json=_audience_json(audience, holdout), mode=mode, updated_at=utcnow())
        if existing is None:
            cid = conn.execute(insert(c).returning(c.c.id).values(status="draft", created_at=utcnow(),
                                                                 **values)).scalar_one()
        else:
            cid = existing.id
            conn.execute(update(c).where(c.c.id == cid).values(**values))
        # A step already exported stays as it was (who it included is what caps count): the plan
        # may move it in the list, not change or drop it.
        kept: dict[tuple, int] = {}
        for r in conn.execute(select(st).where(st.c.campaign_id == cid)):
            key = (r.channel, r.at_local, r.timezone)
            if r.exported_at is not None:
                if not any((s.channel, s.at_local, s.timezone) == key for s in clean):
                    raise UserError(f"The {CHANNEL_LABELS.get(r.channel, r.channel)} step of {r.at_local[:16]} "
                                    f"({r.timezone}) was exported already; keep it in the plan as it is.")
                kept[key] = r.id
            else:
                conn.execute(delete(st).where(st.c.id == r.id))
        for position, s in enumerate(clean):
            key = (s.channel, s.at_local, s.timezone)
            if key in kept:
                conn.execute(update(st).where(st.c.id == kept.pop(key)).values(position=position))
                continue
            conn.execute(insert(st).values(campaign_id=cid, position=position, channel=s.channel,
                                           at_local=s.at_local, timezone=s.timezone,
                                           at_utc=s.at_utc.strftime("%Y-%m-%dT%H:%M:%SZ")))
        return _read(conn, conn.execute(select(c).where(c.c.id == cid)).first())


def why_kept(ws: Workspace, name: str) -> str | None:
    """Why the campaign ``name`` is not deleted (it was exported), in one sentence; None when it may be."""
    with ws.engine.connect() as conn:
        return _why_kept(conn, _row(conn, _name(name)))


def _why_kept(conn, row) -> str | None:
    # A step exported was sent, or is to be: who it included is what frequency caps count and what
    # the campaign results credit.  Deleting its steps would forget those messages (their send
    # records go with them), so an exported campaign stays; a draft may go.
    st = CampaignStep.__table__
    first = conn.execute(select(func.min(st.c.exported_at)).where(st.c.campaign_id == row.id)).scalar()
    if first is None:
        return None
    return (f"{row.name} was exported ({first[:10]}), so it is kept: the messages it sent count toward "
            "frequency caps and its results. Rename it if its name is in the way.")


def delete_campaign(ws: Workspace, name: str) -> None:
    """Delete a campaign that was never exported (:func:`why_kept` says why an exported one stays)."""
    with ws.writing() as conn:
        row = _row(conn, _name(name))
        why = _why_kept(conn, row)
        if why:
            raise UserError(why)
        conn.execute(delete(Campaign.__table__).where(Campaign.__table__.c.id == row.id))


def rename_campaign(ws: Workspace, name: str, new_name: str) -> CampaignData:
    """Give a campaign another name; its steps (exported ones too, with who they included) stay."""
    new_name = _name(new_name)
    c = Campaign.__table__
    with ws.writing() as conn:
        row = _row(conn, _name(name))
        for other in conn.execute(select(c.c.id, c.c.name)):
            if other.id != row.id and other.name.casefold() == new_name.casefold():
                raise UserError(f"A campaign named '{other.name}' exists already; choose another name.")
        conn.execute(update(c).where(c.c.id == row.id).values(name=new_name, updated_at=utcnow()))
        return _read(conn, conn.execute(select(c).where(c.c.id == row.id)).first())


def exported_steps(ws: Workspace, name: str) -> dict[int, str]:
    """The campaign's steps already exported: step id -> when (UTC, ISO)."""
    st = CampaignStep.__table__
    with ws.engine.connect() as conn:
        row = _row(conn, _name(name))
        return {r.id: r.exported_at for r in conn.execute(
            select(st.c.id, st.c.exported_at).where(st.c.campaign_id == row.id, st.c.exported_at.is_not(None)))}


def exported_recipients(ws: Workspace, name: str) -> dict[int, tuple[str, int]]:
    """The campaign's exported steps: step id -> (when, UTC ISO; how many its pack was made for).

    What went out is what the export recorded (``send_record``): today's guards may find
    other people since (a new opt-out, an import), and the screens show both.  Someone erased
    since is in the pack all the same: their sends went with them, and the step counts them
    by the times it noted (``sends.note_erased_sends``).
    """
    from omnidesk.core.campaigns.sends import erased_times

    st, sr = CampaignStep.__table__, SendRecord.__table__
    when = exported_steps(ws, name)
    if not when:
        return {}
    with ws.engine.connect() as conn:
        sent = dict(conn.execute(
            select(sr.c.step_id, func.count()).join(st, st.c.id == sr.c.step_id)
            .where(sr.c.step_id.in_(list(when)), sr.c.channel == st.c.channel).group_by(sr.c.step_id)).all())
        erased = dict(conn.execute(select(st.c.id, st.c.erased_sends).where(st.c.id.in_(list(when)),
                                                                            st.c.erased_sends.is_not(None))).all())
    return {sid: (at, sent.get(sid, 0) + len(erased_times(erased.get(sid)))) for sid, at in when.items()}


def set_status(ws: Workspace, name: str, status: str) -> CampaignData:
    """Move a campaign along; "scheduled" only when its check finds no error (the first is named)."""
    if status not in STATUSES:
        raise UserError(f"'{status}' is not a status; one of: {', '.join(STATUSES)}.")
    if status == "scheduled":
        from omnidesk.core.campaigns.check import check_campaign

        errors = check_campaign(ws, name)[0].errors
        if errors:
            raise UserError(f"{len(errors)} error{'s' if len(errors) > 1 else ''} to fix before it is scheduled: "
                            f"{CHANNEL_LABELS.get(errors[0].channel, errors[0].channel)}: {errors[0].message}.")
    c = Campaign.__table__
    with ws.writing() as conn:
        row = _row(conn, _name(name))
        if STATUSES.index(status) < STATUSES.index(row.status):
            # An exported campaign's packs are out of the app: "scheduled" again would hide that.
            raise UserError(f"'{row.name}' is {row.status} already; it cannot go back to {status}.")
        conn.execute(update(c).where(c.c.id == row.id).values(status=status, updated_at=utcnow()))
        return _read(conn, conn.execute(select(c).where(c.c.id == row.id)).first())


# -- the plan file ---------------------------------------------------------------------------


def import_plan(ws: Workspace, plan: object) -> CampaignData:
    """Create or replace the campaign a plan file describes (and its message, when given whole)."""
    from omnidesk.core.messages.store import save_message

    if not isinstance(plan, dict):
        raise UserError("A plan file holds one JSON object with name, message, audience and steps.")
    known = ("name", "goal", "message", "variants", "audience", "steps", "mode", "holdout_percent")
    unknown = [k for k in plan if k not in known]
    if unknown:
        raise UserError(f"'{unknown[0]}' is not part of a plan; it holds {', '.join(known)}.")
    if "steps" not in plan:
        # A file without steps would replace the campaign's steps, hold-out and goal with nothing.
        if set(plan) <= {"name", "message", "variants"} and isinstance(plan.get("message"), dict):
            raise UserError("This is a message file, not a plan (it holds name, message and variants, no steps); "
                            "import it as a message (`omnidesk message import`, or Import JSON… on the Messages screen), "
                            "or give the plan its steps.")
        raise UserError("steps: a plan lists its steps (give \"steps\": [] for a campaign with none yet); "
                        f"it holds {', '.join(known)}.")
    name = _name(plan.get("name"))
    steps = plan.get("steps") or []
    if not isinstance(steps, list):
        raise UserError("steps: give a list of {channel, at, timezone}.")
    # Everything the campaign would refuse is refused before the message is saved: a bad plan
    # changes nothing.
    mode = plan.get("mode", "each_channel")
    if mode not in MODES:
        raise UserError(f"mode: '{mode}' is not one of {', '.join(MODES)}.")
    holdout = clean_holdout(plan.get("holdout_percent", 0))
    audience = clean_audience(plan.get("audience", "everyone"))
    if isinstance(audience, str) and audience != "everyone":
        audience_rule(ws, audience)
    clean = [clean_step(s, n) for n, s in enumerate(steps)]
    try:
        existing = get_campaign(ws, name)
    except UserError:
        existing = None
    if existing is not None:
        with ws.engine.connect() as conn:
            st = CampaignStep.__table__
            for r in conn.execute(select(st).where(st.c.campaign_id == existing.id, st.c.exported_at.is_not(None))):
                if not any((s.channel, s.at_local, s.timezone) == (r.channel, r.at_local, r.timezone) for s in clean):
                    raise UserError(f"The {CHANNEL_LABELS.get(r.channel, r.channel)} step of {r.at_local[:16]} "
                                    f"({r.timezone}) was exported already; keep it in the plan as it is.")
    message = plan.get("message")
    if isinstance(message, dict):
        variants = plan.get("variants") or {}
        if not isinstance(variants, dict):
            raise UserError("variants: give an object of channel: {fields}.")
        channels = sorted({s.get("channel") for s in steps if isinstance(s, dict) and s.get("channel")
                           in VARIANT_CHANNELS}, key=VARIANT_CHANNELS.index)
        from omnidesk.core.messages.store import clean_master, clean_variant

        clean_master(message)
        for channel, fields in variants.items():
            if not isinstance(fields, dict):
                raise UserError(f"variants.{channel}: give an object of fields.")
            clean_variant(channel, fields)
        _refuse_taking_over_a_message(ws, name, existing)
        save_message(ws, name, message, variants=variants, channels=channels, replace=True)
        message = name
    elif plan.get("variants"):
        raise UserError("variants: give them with a message written out in the plan, not with a saved message's name.")
    elif message is not None and not isinstance(message, str):
        raise UserError("message: give a saved message's name or the message itself.")
    elif isinstance(message, str):
        from omnidesk.core.messages.store import get_message

        try:
            get_message(ws, message)
        except UserError:
            raise UserError(f"message: there is no message '{message}'.") from None
    return save_campaign(ws, name, message=message, audience=plan.get("audience", "everyone"), steps=steps,
                         mode=plan.get("mode", "each_channel"), goal=plan.get("goal", ""), replace=True,
                         holdout_percent=holdout)


def _refuse_taking_over_a_message(ws: Workspace, name: str, existing: CampaignData | None) -> None:
    """A message written out in a plan is kept under the campaign's name: refused when a saved
    message of that name is not this campaign's own.

    Replacing it would change a message the user saved (and may send elsewhere) and leave its
    variants made from the old text.  The campaign's own message (the one it sends, that no
    other campaign sends) is replaced, as importing its plan again does.
    """
    from omnidesk.core.messages.store import get_message

    try:
        saved = get_message(ws, name)
    except UserError:
        return  # no message of that name: the plan's is saved as a new one
    folded = saved.name.casefold()
    others = [c.name for c in list_campaigns(ws)
              if c.message is not None and c.message.casefold() == folded
              and (existing is None or c.id != existing.id)]
    own = existing is not None and existing.message is not None and existing.message.casefold() == folded
    if own and not others:
        return
    sends = f" (campaign '{others[0]}' sends it)" if others else ""
    raise UserError(f"message: the plan writes out its message, which is kept under the campaign's name, but the "
                    f"saved message '{saved.name}'{sends} already has that name and would be replaced; to send the "
                    f"saved message, give \"message\": \"{saved.name}\" (its name, without variants), or give the "
                    "campaign another name to keep both.")


def export_plan(ws: Workspace, name: str) -> dict:
    """The campaign as a plan file (the message by name: it is saved in the workspace)."""
    data = get_campaign(ws, name)
    plan = {"name": data.name, "goal": data.goal, "message": data.message, "audience": data.audience,
            "steps": [{"channel": s.channel, "at": s.at_local[:16], "timezone": s.timezone} for s in data.steps],
            "mode": data.mode}
    if data.holdout_percent:  # optional in a plan: one holding nobody out reads as it always did
        plan["holdout_percent"] = data.holdout_percent
    return plan
