"""Who each step of a campaign reaches, and who it leaves out and why.

For every step on a personal channel (email, SMS), each customer of the audience
goes through the guards in this order; the first that says no names the reason:

1. **opted out** — the consent in force on the channel (consent.py's one rule) is
   denied, unsubscribed or cleaned: always out, whatever any setting says; and so is
   anyone whose email (for email) or number (for SMS) is also another customer's who
   opted out there, main or carried by another of their records: one mailbox or
   phone, one answer;
1b. **not confirmed** — a sign-up still pending (a double opt-in never confirmed): always
   out, whatever any setting says; the list's own tool would not send to it either;
2. **consent unknown** — no consent fact: out, unless the
   workspace's ``send_unknown_email`` / ``send_unknown_sms`` setting says otherwise;
   with ``soft_opt_in`` on (the EU's "soft opt-in", off by default), email goes to
   existing customers (at least one order) whose consent is unknown — never to one
   who said no;
3. **no address** — no email, or no phone number, for the channel;
3b. **held out** — with the plan's ``holdout_percent`` above 0, about that share of the
   customers who pass guards 1 to 3 on at least one personal step is kept out of
   every step (in ``best_channel`` mode named so on theirs, see 4), as the baseline campaign
   results compare with: each is held out when a
   hash seeded with the campaign's id falls below the share (:func:`held_out`), so
   checking the plan again draws the same people, customers added since move nobody in
   or out, and another campaign draws others.  It is drawn per address: customers who
   share a mailbox (as guard 7 reads it) or a number are held out together or sent
   together, so no held-out customer's mailbox gets the step.  Guards 1 to 3 come first: no
   one opted out is ever held out (or sent, or counted anywhere as if they could be);
4. **another channel** — in ``best_channel`` mode, the customer gets the step of the
   channel they use most (most events on it in the twelve calendar months up to the
   campaign's first step, on the shop's clock; ties: the one used most recently; none: the order of the
   steps), not this one.  When that step leaves them out (quiet hours with
   ``exclude``, a cap, their mailbox or number taken by another holder), they fall
   back on their next step, and the step that left them out names its reason; a
   customer held out is held out of the one step they would have been sent, so each
   step's baseline holds the people it would have reached;
5. **quiet hours** (SMS) — the send time falls inside the quiet window (default
   21:00–08:00, which may cross midnight) on the recipient's clock: their address's,
   when its country keeps one time (the tz database's zones of that country all on one
   offset: Germany, Britain), else their phone number's time zone(s) — when a number
   maps to several zones, the window must hold in all of them; a number whose range has no zone
   data maps to every zone of its calling code's country — else the workspace's (without
   one set, the step's own zone's).  The recipient moves to the next
   allowed time (the pack says so), or with ``quiet_hours_action`` = ``exclude`` is
   left out;
6. **frequency cap** — at most ``cap_messages`` messages per customer in any
   ``cap_days`` calendar days on the shop's clock (:func:`cap_clock`: without one set,
   this computer's, the same for every step of every campaign; a send at the same local time
   that many days later is outside the window, in a week the clocks change too) across every channel, counting the steps already exported in
   any campaign and the earlier steps of this one; ``cap_email`` / ``cap_sms`` cap
   one channel the same way.  A cap of 0 means no cap, never "send nothing".  An
   address is capped as a person is: a number or mailbox several customers share gets
   no more than the cap either (what reaches one phone or inbox is what its holders
   feel), counting the sends to it on its holders' cards.
7. **same address** — one message per mailbox or phone: of the customers a step
   would send to at one mailbox, however its address is written (``mailbox_key``:
   ``carol+news@`` is ``carol@``, ``j.o.e@gmail.com`` is ``joe@googlemail.com``), or
   at one number, the first by id gets it and the others are left out, so a family's
   mailbox or a shared phone does not get the step twice.

Erased people are not customers any more, so they never reach a step.  Broadcast
steps (social networks, the poster, the website) reach whoever looks: their
eligible count is None and nobody is excluded.
"""

from __future__ import annotations

import hashlib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta, tzinfo
from functools import lru_cache
from zoneinfo import ZoneInfo

from sqlalchemy import and_, case, func, literal, literal_column, null, or_, select, true

from omnidesk.core.campaigns.campaign import PERSONAL, CampaignData, Step, audience_rule
from omnidesk.core.contact import mailbox_key, mailbox_of
from omnidesk.core.consent import OPT_OUTS
from omnidesk.core.models import CampaignStep, Customer, Event, SendRecord, SourceRecord
from omnidesk.core.timeutil import canonical_zone, computer_zone, twelve_months_before_utc
from omnidesk.core.workspace import Workspace

OPTED_OUT, UNKNOWN, NO_ADDRESS, HELD_OUT, OTHER_CHANNEL, QUIET, CAP, CHANNEL_CAP, SAME_ADDRESS = (
    "opted out", "consent unknown", "no address", "held out", "another channel", "quiet hours", "frequency cap",
    "channel cap", "same address")
NOT_CONFIRMED = "not confirmed"
REASONS = (OPTED_OUT, NOT_CONFIRMED, UNKNOWN, NO_ADDRESS, HELD_OUT, OTHER_CHANNEL, QUIET, CAP, CHANNEL_CAP,
           SAME_ADDRESS)
# Left out of a step though they could have been sent it: an export records them (send_record, with
# the reason as its channel) as the baseline results compare with.  "another channel" is not among
# them: those customers get the campaign, on their other step.
BASELINE_REASONS = (HELD_OUT, QUIET, CAP, CHANNEL_CAP)
DEFAULT_RULES = {"cap_messages": 3, "cap_days": 7, "cap_email": 0, "cap_sms": 0, "quiet_start": "21:00",
                 "quiet_end": "08:00", "quiet_hours_action": "move", "send_unknown_email": False,
                 "send_unknown_sms": False, "soft_opt_in": False}
_REFUSED = (*sorted(OPT_OUTS), "denied")
_IN_SIZE = 900  # values per IN list: under every database's parameter limit
# The same, written into the SQL rather than bound: SQLite reads a partial index only for a query
# whose condition reads as the index's own (models.Customer: ix_customer_refused_email and its kin).
_REFUSED_WRITTEN_OUT = [literal_column(f"'{state}'") for state in _REFUSED]


@dataclass(frozen=True)
class Rules:
    cap_messages: int = 3
    cap_days: int = 7
    cap_email: int = 0
    cap_sms: int = 0
    quiet_start: time = time(21, 0)
    quiet_end: time = time(8, 0)
    quiet_hours_action: str = "move"
    send_unknown_email: bool = False
    send_unknown_sms: bool = False
    soft_opt_in: bool = False

    @classmethod
    def of(cls, ws: Workspace) -> Rules:
        def get(key):
            return ws.get_setting(key, DEFAULT_RULES[key])

        return cls(int(get("cap_messages")), int(get("cap_days")), int(get("cap_email")), int(get("cap_sms")),
                   time.fromisoformat(str(get("quiet_start"))), time.fromisoformat(str(get("quiet_end"))),
                   str(get("quiet_hours_action")), bool(get("send_unknown_email")), bool(get("send_unknown_sms")),
                   bool(get("soft_opt_in")))

    def in_quiet_hours(self, local: time) -> bool:
        start, end = self.quiet_start, self.quiet_end
        if start == end:
            return False
        if start < end:
            return start <= local < end
        return local >= start or local < end  # the window crosses midnight


@dataclass
class StepAudience:
    """One step's recipients: who is in (with their send time), who is out and why."""

    step: Step
    eligible: list[int] | None  # None: a broadcast step (whoever looks)
    excluded: dict[str, list[int]] = field(default_factory=dict)
    send_at: dict[int, datetime] = field(default_factory=dict)  # UTC; moved out of quiet hours where told
    moved: set[int] = field(default_factory=set)
    zones: dict[int, str] = field(default_factory=dict)  # SMS: the recipient's clock (their number's main zone)
    # SMS: the other zones a recipient's number may ring in (a Spanish mobile: the Canaries' beside
    # Madrid's), for a number of several; the pack says what the send time is on each.
    other_zones: dict[int, tuple[str, ...]] = field(default_factory=dict)
    # The shared addresses (mailboxes, numbers: _shared_addresses) the step goes to, and when: for the caps.
    sent_to: dict[str, datetime] = field(default_factory=dict)
    # A step that went out (exported, its time come: :func:`kept_steps`): who it reached and who it
    # left out as a baseline are what its export recorded, not today's guards.
    kept: bool = False
    # A step under way (exported, its own time come, but some of its pack's sends, moved out of
    # quiet hours, still to go): when the last of them is due.  Read from its export's records
    # as a step that went out is; while none of the sends to go is refused it is ``kept`` too.
    sending_until: datetime | None = None

    def counts(self) -> dict[str, int]:
        return {reason: len(ids) for reason, ids in self.excluded.items() if ids}


# -- time zones of phone numbers --------------------------------------------------------------


@lru_cache(maxsize=256)
def _region_zones(region: str) -> tuple[str, ...]:
    import phonenumbers
    from phonenumbers import timezone as tz

    example = phonenumbers.example_number_for_type(region, phonenumbers.PhoneNumberType.FIXED_LINE)
    zones = tz.time_zones_for_number(example) if example is not None else ()
    return tuple(z for z in zones if z != "Etc/Unknown")


def _number_zones(sample: str) -> tuple[str, ...]:
    import phonenumbers
    from phonenumbers import timezone as tz

    try:
        number = phonenumbers.parse(sample)
    except phonenumbers.NumberParseException:
        return ()
    zones = tuple(z for z in tz.time_zones_for_number(number) if z != "Etc/Unknown")
    region = phonenumbers.region_code_for_number(number)
    if zones:
        return _own_country_zones(zones, region)
    # A mobile number often says only its country: the country's zones, then.
    if region:
        return _own_country_zones(_region_zones(region), region)
    # A number phonenumbers does not call valid (a range it has no data for) still says its
    # country by its calling code: every zone of that country, as for a country of several zones
    # (the quiet hours must hold in all of them).  A code of no country (+800): () and home's clock.
    return _zones_by_country().get(phonenumbers.region_code_for_country_code(number.country_code), ())


def _own_country_zones(zones: tuple[str, ...], region: str | None) -> tuple[str, ...]:
    """Of the zones phonenumbers gives a number, those of its own country (``region``).

    phonenumbers answers for a calling code several countries share with the zones of all of
    them: a Jamaican +1 876 number gets every one of North America's 42, from Adak to Bermuda, and
    a UK mobile Guernsey's, Jersey's and the Isle of Man's beside London's.  The number rings in its
    own country only, so its quiet hours are that country's (the tz database's zone.tab says
    which zones are whose; a zone it names by an older name, "Asia/Calcutta", by the one it is now).
    Where phonenumbers names none of the country's zones (an Irish number gets London's, a Libyan
    one Bucharest's), the country's own zones stand instead.  A country zone.tab does not list
    (Kosovo), or no zone.tab at all: the zones as phonenumbers gives them."""
    own = set(_zones_by_country().get(region or "", ()))
    if not own or own.issuperset(zones):
        return _main_first(zones, region)
    listed, links = _zone_tab_names(), _zone_links()
    kept = tuple(z for z in zones if z in own or (z not in listed and links.get(z) in own))
    return _main_first(kept or tuple(sorted(own)), region)


# The capital's zone of a country of several where zone.tab does not list it first (it lists
# Lord Howe Island before Sydney, St John's before Toronto, Kaliningrad before Moscow).
_CAPITAL_ZONES = {"AU": "Australia/Sydney", "BR": "America/Sao_Paulo", "CA": "America/Toronto",
                  "FM": "Pacific/Pohnpei", "RU": "Europe/Moscow", "UA": "Europe/Kyiv", "UZ": "Asia/Tashkent"}


def _main_first(zones: tuple[str, ...], region: str | None) -> tuple[str, ...]:
    """``zones`` with the one a pack shows the send time on first: the country's main zone, its
    capital's (a Spanish mobile may ring in Madrid or the Canaries: Madrid's), where the number may
    ring in it; else the first of them in the order zone.tab lists the country's.  The quiet hours
    hold on every one of them all the same (:func:`next_allowed`)."""
    if len(zones) < 2:
        return zones
    country = _zones_by_country().get(region or "", ())
    links = _zone_links()
    order = {z: i for i, z in enumerate(country)}
    capital = _CAPITAL_ZONES.get(region or "", country[0] if country else "")

    def rank(zone: str) -> tuple[int, int]:
        name = zone if zone in order else links.get(zone, zone)
        return (0 if name == capital else 1, order.get(name, len(order)))

    return tuple(sorted(zones, key=rank))


@lru_cache(maxsize=1)
def _zone_tab_names() -> frozenset[str]:
    return frozenset(z for zones in _zones_by_country().values() for z in zones)


@lru_cache(maxsize=1)
def _zone_links() -> dict[str, str]:
    """An older or other name of a zone -> the zone it is now ("Asia/Calcutta" -> "Asia/Kolkata"),
    from the tz database's links (shipped in tzdata, as zone.tab is); {} without them."""
    import importlib.resources

    try:
        text = (importlib.resources.files("tzdata.zoneinfo") / "tzdata.zi").read_text(encoding="utf-8")
    except (ModuleNotFoundError, OSError):
        return {}
    links = {}
    for line in text.splitlines():
        if line.startswith("L "):
            parts = line.split()
            if len(parts) == 3:
                links[parts[2]] = parts[1]
    return links


# "+" and the first seven digits: enough to tell apart the numbers of most countries' zone data.
_ZONE_FLOOR = 8


@lru_cache(maxsize=1)
def _split_deeper() -> frozenset[str]:
    """Leading digits (country code first, seven or more) that phonenumbers' zone data tells apart
    further down: a number starting with one needs more of its digits read."""
    from phonenumbers.tzdata import TIMEZONE_DATA

    return frozenset(k[:i] for k in TIMEZONE_DATA for i in range(_ZONE_FLOOR - 1, len(k)))


def zone_prefix(phone: str) -> str:
    """As much of a number (E.164) as its time zones depend on: the "+" and its first seven
    digits, or more where phonenumbers' zone data goes deeper under them (its longest prefix,
    nine digits: Recife's +55 81 3013 is Fernando de Noronha's clock, +55 81 3019 Sao Paulo's)."""
    n = _ZONE_FLOOR
    deeper = _split_deeper()
    while phone[1:n] in deeper:
        n += 1
    return phone[:n]


# Zones are a property of the number alone (and the phonenumbers data): the answers hold for
# every workspace, and are kept for the next plan.
_ZONES_BY_PREFIX: dict[tuple[str, int], tuple[str, ...]] = {}
_ZONES_KEPT = 200_000


def phone_zones(phone: str) -> tuple[str, ...]:
    """The time zones a number may ring in (() when unknown).

    Numbers of one length that share their :func:`zone_prefix` share the answer, so a million
    numbers cost a few thousand look-ups.
    """
    key = (zone_prefix(phone), len(phone))
    zones = _ZONES_BY_PREFIX.get(key)
    if zones is None:
        if len(_ZONES_BY_PREFIX) >= _ZONES_KEPT:
            _ZONES_BY_PREFIX.clear()
        zones = _ZONES_BY_PREFIX[key] = _number_zones(phone)
    return zones


@lru_cache(maxsize=1)
def _zones_by_country() -> dict[str, tuple[str, ...]]:
    """Country code -> its zones, from the tz database's zone.tab (shipped in tzdata)."""
    import importlib.resources

    try:
        text = (importlib.resources.files("tzdata.zoneinfo") / "zone.tab").read_text(encoding="utf-8")
    except (ModuleNotFoundError, OSError):
        return {}
    out: dict[str, list[str]] = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            parts = line.split("\t")
            if len(parts) >= 3:
                out.setdefault(parts[0], []).append(parts[2])
    return {cc: tuple(zones) for cc, zones in out.items()}


@lru_cache(maxsize=1024)
def address_zones(country: str, at: datetime) -> tuple[str, ...]:
    """The zones of an address's country when they all keep one time at ``at`` (else ())."""
    zones = _zones_by_country().get((country or "").upper(), ())
    if not zones:
        return ()
    offsets = {at.astimezone(ZoneInfo(z)).utcoffset() for z in zones}
    return _main_first(zones, country.upper()) if len(offsets) == 1 else ()


def recipient_zones(country: str | None, phone: str, at: datetime, home: str) -> tuple[str, ...]:
    """A recipient's clock(s): their address's country when it keeps one time, else their number's, else home."""
    return address_zones(country or "", at) or phone_zones(phone) or (home,)


def _quiet_end(moment: datetime, zone: str, rules: Rules) -> datetime | None:
    """When the quiet hours ``moment`` falls in on ``zone``'s clock end (UTC), or None when it is not quiet there."""
    clock = ZoneInfo(zone)
    local = moment.astimezone(clock)
    if not rules.in_quiet_hours(local.time()):
        return None
    day = local.date() if local.time() < rules.quiet_end else local.date() + timedelta(days=1)
    # On the night the clocks go forward an end in the skipped hour comes an hour later, as the clock
    # reads it (fold 0: the offset before the change).  On the night they go back an end in the
    # repeated hour is its first pass, unless ``moment`` is in the second: then the second pass's.
    end = datetime.combine(day, rules.quiet_end, tzinfo=clock).astimezone(UTC)
    if end <= moment:
        end = datetime.combine(day, rules.quiet_end, tzinfo=clock).replace(fold=1).astimezone(UTC)
    return end


def next_allowed(at: datetime, zones: tuple[str, ...], rules: Rules) -> datetime:
    """The first moment from ``at`` (UTC) outside quiet hours on every one of ``zones``' clocks:
    ``at`` itself, or the end of the quiet hours it falls in (the latest end, when several clocks
    are quiet)."""
    moment = at
    for _ in range(2 * len(zones) + 2):
        ends = [end for zone in zones if (end := _quiet_end(moment, zone, rules)) is not None]
        if not ends:
            return moment
        moment = max(moment, *ends)  # never before the step: an end is always at or after it
    return moment


# -- the audience -----------------------------------------------------------------------------


# Per channel a campaign or the Dashboard asks about: the consent column, the address column, the
# identifier kind of that address, and the setting that lets unknown consent through (None: never).
_CHANNELS = {"email": ("consent_email", "email", "email", "send_unknown_email"),
             "sms": ("consent_sms", "phone", "phone", "send_unknown_sms"),
             "whatsapp": ("consent_whatsapp", "phone", "phone", None)}


def address_column(channel: str) -> str:
    """The customer column a personal channel's messages go to: ``email``, or ``phone`` for SMS and WhatsApp."""
    return _CHANNELS[channel][1]


def refused_addresses(channel: str):
    """Every address refused on ``channel``, as one SQL SELECT: each address (main, or carried by
    another of their records) of a customer who opted out there.  One mailbox or phone, one answer:
    whoever else holds it is out too.

    From the customers who said no, through their records, to their addresses: written as nested
    INs, with the identifier's kind kept off its index (``kind || ''``), the planner takes them in
    that order, through the identifier index on the record.  Offered the kind index it reads
    every address of the kind instead, a cost that grows with the workspace, not with those who
    said no: 131,000 customers, one in twenty opted out, 0.21 s so against 0.03 s.
    """
    from omnidesk.core.models import Identifier

    consent_name, address_name, kind, _setting = _CHANNELS[channel]
    cust, rec, ident = Customer.__table__.alias("said_no"), SourceRecord.__table__, Identifier.__table__
    consent, address = cust.c[consent_name], cust.c[address_name]
    refused = consent.in_(_REFUSED_WRITTEN_OUT)  # the partial index's own condition (ix_customer_refused_email)
    said_no = select(cust.c.id).where(refused)
    main = select(address).where(refused, address.is_not(None), address != "")
    carried = select(ident.c.value).where(ident.c.kind.concat("") == kind, ident.c.record_id.in_(
        select(rec.c.id).where(rec.c.customer_id.in_(said_no))))
    return main.union_all(carried)  # for IN: membership alone, no need to sort out repeats


EVERYONE, CUSTOMERS = "everyone", "customers"  # whom unknown consent lets through (unknown_passes)


def unknown_passes(channel: str, rules: Rules) -> str | None:
    """Whom guard 2 lets through on ``channel`` with no consent on record: EVERYONE (the
    ``send_unknown_email`` / ``send_unknown_sms`` setting), CUSTOMERS (``soft_opt_in``, email: at
    least one order), or None (nobody).  The one reading of those settings: the campaigns'
    SQL (:func:`channel_allowed`) and the Customers list's rule (:func:`allowed_rule`) both ask it."""
    setting = _CHANNELS[channel][3]
    if setting and getattr(rules, setting):
        return EVERYONE
    if channel == "email" and rules.soft_opt_in:
        return CUSTOMERS
    return None


def _unknown_ok(channel: str, rules: Rules):
    """When unknown consent may pass on ``channel``, over ``customer``: the settings let it (true),
    or soft opt-in and a past order; None: never."""
    passes = unknown_passes(channel, rules)
    if passes == EVERYONE:
        return literal(True)
    if passes == CUSTOMERS:
        return func.coalesce(Customer.__table__.c.orders, 0) > 0
    return None


def allowed_rule(channel: str, rules: Rules) -> dict:
    """Guards 1 to 3 for ``channel`` as a segment rule: the customers :func:`channel_allowed` lets a
    step there go to, as the Customers list runs it (an address for it; consent granted, or unknown
    where :func:`unknown_passes` lets it through; "granted" and "unknown" in a rule leave out, as
    guard 1 does, an address someone who opted out also holds).  The Dashboard's unreachable
    customers are those no channel's rule takes."""
    consent = f"consent.{channel}"
    said: dict = {"field": consent, "op": "is", "value": "granted"}
    passes = unknown_passes(channel, rules)
    if passes == EVERYONE:
        said = {"field": consent, "op": "in", "value": ["granted", "unknown"]}
    elif passes == CUSTOMERS:
        said = {"any": [said, {"all": [{"field": consent, "op": "is", "value": "unknown"},
                                       {"field": "orders", "op": "gte", "value": 1}]}]}
    return {"all": [{"field": address_column(channel), "op": "exists"}, said]}


def _guard_steps(channel: str, rules: Rules) -> list[tuple]:
    """Guards 1 to 3 for ``channel``, in the order their reasons take precedence: (condition over
    ``customer``, the reason it gives)."""
    cust = Customer.__table__
    consent_name, address_name, _kind, _setting = _CHANNELS[channel]
    consent, address = cust.c[consent_name], cust.c[address_name]
    unknown_ok = _unknown_ok(channel, rules)
    refused_unknown = (func.coalesce(consent, "") != "granted" if unknown_ok is None
                       else and_(func.coalesce(consent, "") != "granted", ~unknown_ok))
    return [
        (func.coalesce(consent, "").in_(_REFUSED), OPTED_OUT),
        (address.in_(refused_addresses(channel)), OPTED_OUT),
        (func.coalesce(consent, "") == "pending", NOT_CONFIRMED),
        (refused_unknown, UNKNOWN),
        (func.coalesce(address, "") == "", NO_ADDRESS),
    ]


# The reasons guards 1 to 3 give, in a fixed order: _audience_rows reads them as their index.
_GUARD_REASONS = (OPTED_OUT, NOT_CONFIRMED, UNKNOWN, NO_ADDRESS)


def _reason_codes(channel: str, rules: Rules):
    """:func:`channel_reason` as the index of its reason in ``_GUARD_REASONS`` (small integers: a
    million rows of them cost Python nothing, where a string each costs an object)."""
    return case(*((condition, literal(_GUARD_REASONS.index(reason)))
                  for condition, reason in _guard_steps(channel, rules)), else_=null())


def channel_reason(channel: str, rules: Rules):
    """Guards 1 to 3 for ``channel`` as one SQL expression over ``customer``: the reason a customer
    is out, or NULL when a step on it may be sent to them.  Campaigns and the Dashboard's "may be
    marketed to" both read this one rule (:func:`channel_allowed`)."""
    return case(*((condition, literal(reason)) for condition, reason in _guard_steps(channel, rules)),
                else_=null())


def channel_allowed(channel: str, rules: Rules, *, refused: bool = True):
    """Whether a step on ``channel`` may be sent to a customer: :func:`channel_reason` is NULL.

    The same guards said the other way round, so that the common case is read off an index
    (``ix_customer_granted_email`` and its kin: the addresses of those who said yes): consent granted (or
    unknown, where the settings let it through, and not pending), an address, and none that
    someone who opted out holds — that look-up last, for the few the rest let through.  A
    million customers: 1.9 s read through the reasons' CASE, 0.7 s so.
    """
    consent_name, address_name, _kind, _setting = _CHANNELS[channel]
    cust = Customer.__table__
    consent, address = cust.c[consent_name], cust.c[address_name]
    unknown_ok = _unknown_ok(channel, rules)
    # Written out, not a parameter: the planner matches it to the partial index's own condition.
    said = consent == literal_column("'granted'")
    if unknown_ok is not None:
        said = or_(said, and_(unknown_ok, func.coalesce(consent, "").not_in([*_REFUSED, "pending"])))
    # (address != '' is false for no address too; the refused look-up never meets NULL.)
    if not refused:  # ``refused=False``: without the look-up, for a superset of those let through
        return and_(said, address != "")
    return and_(said, address != "", address.not_in(refused_addresses(channel)))


def _audience_rows(ws: Workspace, campaign: CampaignData, now: datetime | None, rules: Rules) -> list[tuple]:
    """(id, phone, reason out of email, reason out of SMS, country, email) of every customer of the audience, by id.

    A reason is its index in ``_GUARD_REASONS`` (:func:`_reason_codes`), None where the channel is open.
    The phone and country are given only where SMS may be open, the email only where email may be
    (:func:`channel_allowed` without the refused look-up, a superset): no one else's is ever read,
    and a million customers' strings cost Python a fifth of the time.

    Read through the driver: a million rows as plain tuples, not result objects.
    """
    from omnidesk.core.segments import CONSENT_CHANNELS, compile_rule, known_channels, shop_region, shop_zone

    from omnidesk.core.segments import prepare

    cust = Customer.__table__
    rule = audience_rule(ws, campaign.audience)
    prepare(ws, rule)
    with ws.engine.connect() as conn:
        # The addresses a rule's "consent is granted" leaves out besides those of customers who said
        # no are not left out of the audience here: guard 1 refuses them in Python for every step
        # (_same_mailbox_refused), and names them opted out instead of leaving them unseen.
        where = compile_rule(rule, now, known_channels(conn), shop_zone(conn),
                             dict.fromkeys(CONSENT_CHANNELS, (frozenset(), frozenset())), shop_region(conn))
        sms_open = channel_allowed("sms", rules, refused=False)
        email_open = channel_allowed("email", rules, refused=False)
        query = select(cust.c.id, case((sms_open, cust.c.phone), else_=null()),
                       _reason_codes("email", rules), _reason_codes("sms", rules),
                       case((sms_open, cust.c.country), else_=null()),
                       case((email_open, cust.c.email), else_=null())).where(where).order_by(cust.c.id)
        compiled = query.compile(conn, compile_kwargs={"render_postcompile": True})
        params = [compiled.params[name] for name in compiled.positiontup]
        return conn.connection.driver_connection.execute(compiled.string, params).fetchall()


def _same_mailbox_refused(ws: Workspace, rows: list[tuple]) -> list[tuple]:
    """Guard 1 for what SQL cannot see: an address the guards let through is out (opted out) when

    * it is another spelling of an address someone said stop from (``bobsmith@gmail.com``
      unsubscribed: ``bob.smith@gmail.com`` is the same mailbox), or
    * the address's own answer is no (:func:`address_refusals`), though its customer's is yes:
      Mia said stop from mia.old@ and yes from mia.new@; the card goes by mia.new@, but Sam,
      a customer of his own who gave mia.old@ to the shop, is not mailed there either.

    The rows the guards let through are looked at, against the few such addresses
    (:func:`refused_unlisted`: the SQL guard refused the addresses of customers who said no);
    and so are the rows a later guard left out (consent pending or unknown): guard 1 comes
    first, so someone whose address is refused is out as opted out whatever else holds them out.
    Their addresses are not among the rows (read only where the channel may be open), so the
    customers holding one of the few refused addresses are asked of the database.
    """
    with ws.engine.connect() as conn:
        mail, mail_reopened = refused_unlisted(conn, "email")
        numbers, sms_reopened = refused_unlisted(conn, "sms")
        if not mail and not numbers:
            return rows
        held_mail = _holding(conn, "email", mail)
        held_numbers = _holding(conn, "phone", numbers)
    out = _GUARD_REASONS.index(OPTED_OUT)
    later = {_GUARD_REASONS.index(NOT_CONFIRMED), _GUARD_REASONS.index(UNKNOWN)}

    def refused(reason, address, cid, addresses, holding, reopened) -> bool:
        if cid in reopened:
            return False
        if reason is None:
            return bool(address) and address in addresses
        return reason in later and cid in holding

    rows = [(r[0], r[1], out, *r[3:]) if refused(r[2], r[5], r[0], mail, held_mail, mail_reopened) else r
            for r in rows]
    return [(*r[:3], out, *r[4:]) if refused(r[3], r[1], r[0], numbers, held_numbers, sms_reopened) else r
            for r in rows]


def _holding(conn, column: str, addresses: frozenset[str]) -> set[int]:
    """The customers whose ``column`` (email, phone) is one of the few ``addresses``."""
    cust = Customer.__table__
    found: set[int] = set()
    values = sorted(addresses)
    for start in range(0, len(values), 900):
        found.update(conn.execute(select(cust.c.id).where(cust.c[column].in_(values[start:start + 900]))).scalars())
    return found


def address_refusals(conn, channel: str, known: set[str] = frozenset(),
                     among: set[str] | None = None, without: int | None = None) -> dict[str, str]:
    """The addresses whose own answer on ``channel`` is no, each with that answer
    ("unsubscribed", "cleaned", "denied"): email mailboxes (``mailbox_key``) or phone numbers
    that some record carrying one as its own said no from, and that all the consent facts of the
    records carrying it (of any customer) leave refused, under the one rule
    (``consent.decide_statuses``).  A customer's consent weighs all their addresses; this is each
    address's own, whoever holds it.  What was entered by hand is the user's word about the
    person: it counts for the customer and every address of theirs (:func:`reopened_by_hand`),
    not for the address whoever else holds it.

    ``known``: addresses refused already (those of customers who said no): not looked at again.
    Most addresses that said no are such a customer's, so few are left to decide.  ``among``:
    only these addresses (mailboxes, numbers) are looked at.  Erasing a person keeps these on
    the others who hold one of theirs (``rights``); ``without``: as if customer ``without``'s
    records were gone, what the others' own records still say once the person is erased.
    """
    return _refused_boxes(conn, _address_facts(conn, channel, known, among=among, without=without))


def said_no_but_reopened(conn, channel: str, known: set[str] = frozenset(),
                         said: set[str] | None = None) -> tuple[set[str], set[int]]:
    """:func:`address_refusals`' addresses, and the customers for whom their own consent typed in
    by hand reopens theirs (:func:`reopened_by_hand`).  ``said``: :func:`_said_no_from`, when read
    already."""
    facts = _address_facts(conn, channel, known, said=said)
    refused = set(_refused_boxes(conn, facts))
    return refused, reopened_by_hand(conn, channel, facts, refused)


def _refused_boxes(conn, facts: list[tuple]) -> dict[str, str]:
    """Each address of ``facts`` (:func:`_address_facts`) the one rule leaves refused, with its answer."""
    from omnidesk.core.consent import decide_statuses

    return {box: status for (box, _channel), status in decide_statuses(conn, facts).items() if status in _REFUSED}


def _said_no_from(conn, channel: str) -> set[str]:
    """The addresses, as written, that a record (not typed in by hand) carrying one as its own
    said no on ``channel`` from."""
    from omnidesk.core.channels import HAND
    from omnidesk.core.models import Consent

    con, rec = Consent.__table__, SourceRecord.__table__
    own = rec.c.email if channel == "email" else rec.c.phone
    return set(conn.execute(select(own).distinct().join(con, con.c.record_id == rec.c.id).where(
        con.c.channel == channel, con.c.status.in_(_REFUSED), own.is_not(None), own != "",
        rec.c.channel != HAND)).scalars())


def _address_facts(conn, channel: str, known: set[str] = frozenset(), said: set[str] | None = None,
                   among: set[str] | None = None, without: int | None = None) -> list[tuple]:
    """The consent facts on ``channel`` of every record (not typed in by hand) carrying an address
    some such record said no from (``said``: :func:`_said_no_from`, when read already), keyed by
    the address (``facts_query``'s rows, the address for the customer): :func:`address_refusals`'s
    question, before it is decided.  ``among``: only these addresses, of those; ``without``: leaving
    out the records of that customer."""
    from omnidesk.core.channels import HAND
    from omnidesk.core.consent import facts_query
    from omnidesk.core.models import Consent, Identifier

    con, rec, ident = Consent.__table__, SourceRecord.__table__, Identifier.__table__
    own = rec.c.email if channel == "email" else rec.c.phone
    key = mailbox_key if channel == "email" else str
    if said is None:
        said = _said_no_from(conn, channel)
    boxes = sorted({key(a) for a in said} - known)
    if among is not None:
        boxes = [b for b in boxes if b in among]
    if not boxes:
        return []
    kind = "email" if channel == "email" else "phone"
    records: set[int] = set()
    for start in range(0, len(boxes), _IN_SIZE):
        part = boxes[start:start + _IN_SIZE]
        found = ident.c.value.in_(part) if channel != "email" else or_(ident.c.value.in_(part),
                                                                        ident.c.mailbox.in_(part))
        records.update(conn.execute(select(ident.c.record_id).where(ident.c.kind == kind, found)).scalars())
    ids = sorted(records)
    address: dict[int, str] = {}
    facts = []
    for start in range(0, len(ids), _IN_SIZE):
        part = ids[start:start + _IN_SIZE]
        mine = rec.c.customer_id.is_distinct_from(without) if without is not None else true()
        address.update((rid, key(a)) for rid, a in conn.execute(
            select(rec.c.id, own).where(rec.c.id.in_(part), own.is_not(None), own != "", rec.c.channel != HAND,
                                        mine)))
        facts.extend(conn.execute(facts_query(con.c.record_id.in_(part), con.c.channel == channel)).all())
    wanted = set(boxes)
    return [(address[r[4]], *r[1:]) for r in facts if address.get(r[4]) in wanted]


def reopened_by_hand(conn, channel: str, facts: list[tuple], refused: set[str]) -> set[int]:
    """The customers for whom their own consent typed in by hand reopens the address their card
    goes by, though its own answer is no (``refused``, decided over ``facts``, both
    :func:`_address_facts`'): Ann unsubscribed, then signed up again at the till and the shop
    typed it in.  The user's word about the person counts for every address of theirs (as
    the card's consent has it, ``golden._address_statuses``), for them, not for another
    holder of the address."""
    from omnidesk.core.channels import HAND
    from omnidesk.core.consent import decide_statuses, facts_query
    from omnidesk.core.models import Consent

    if not refused:
        return set()
    con, rec, cust = Consent.__table__, SourceRecord.__table__, Customer.__table__
    card = cust.c.email if channel == "email" else cust.c.phone
    key = mailbox_key if channel == "email" else str
    # Few customers have consent typed in by hand: they are read first.
    typed = conn.execute(select(rec.c.customer_id, card).distinct()
                         .join(con, con.c.record_id == rec.c.id).join(cust, cust.c.id == rec.c.customer_id)
                         .where(rec.c.channel == HAND, con.c.channel == channel, card.is_not(None))).all()
    holders = {cid: key(a) for cid, a in typed if a and key(a) in refused}
    if not holders:
        return set()
    by_box: dict[str, list[tuple]] = {}
    for row in facts:
        by_box.setdefault(row[0], []).append(row)
    reopened = set()
    ids = sorted(holders)
    for start in range(0, len(ids), _IN_SIZE):
        part = ids[start:start + _IN_SIZE]
        hand = conn.execute(facts_query(con.c.customer_id.in_(part), con.c.channel == channel, con.c.record_id.in_(
            select(rec.c.id).where(rec.c.customer_id.in_(part), rec.c.channel == HAND)))).all()
        mine: dict[int, list[tuple]] = {}
        for row in hand:
            mine.setdefault(row[0], []).append(row)
        for cid, rows in mine.items():
            box = holders[cid]
            status = decide_statuses(conn, [(box, *r[1:]) for r in rows] + by_box.get(box, [])).get((box, channel))
            if status not in _REFUSED:
                reopened.add(cid)
    return reopened


def refused_unlisted(conn, channel: str) -> tuple[frozenset[str], frozenset[int]]:
    """Addresses refused on ``channel`` that :func:`refused_addresses` does not name as written:
    for email, every other spelling the workspace holds of a mailbox someone said stop from
    (``bob.smith@gmail.com`` when ``bobsmith@gmail.com`` unsubscribed); for both, an address whose
    own answer is no though its customer's is yes (:func:`address_refusals`).  With them, the
    customers for whom consent typed in by hand reopens their own such address
    (:func:`reopened_by_hand`).

    What guard 1 refuses in Python (:func:`_same_mailbox_refused`), for a rule's "consent is
    granted" (``segments.sql``): a list of who said yes, exported for another tool, must not hand
    these over either.  Usually a handful, and found without reading every refused address
    (a third of a million customers who said no took 3 s so): other spellings only exist among
    the identifiers whose address differs from its mailbox (a Gmail address with dots, a "+"
    tag), which the mailbox column's partial index holds alone (a mailbox's own plain spelling
    is the mailbox itself), and only the addresses that said no from a record of their own can
    have an answer of their own.  Which of those few the customers who said no hold is asked of
    the database (:func:`_listed_among`).
    """
    from omnidesk.core.models import Identifier

    said = _said_no_from(conn, channel)
    if channel != "email":
        numbers, reopened = said_no_but_reopened(conn, channel, known=_listed_among(conn, channel, said), said=said)
        return frozenset(numbers), frozenset(reopened)
    ident = Identifier.__table__
    # Off the mailbox column's partial index: the kind kept off its own index (``kind || ''``),
    # which would read every email the workspace holds.
    spellings = conn.execute(select(ident.c.value, ident.c.mailbox).where(
        ident.c.mailbox.is_not(None), ident.c.kind.concat("") == "email")).all()
    listed = _listed_among(conn, "email", {v for v, _b in spellings} | {b for _v, b in spellings} | said)
    boxes = {mailbox_of(a) or a for a in listed if "@" in a}
    own, reopened = said_no_but_reopened(conn, "email", known=boxes, said=said)
    boxes |= own
    spelled = {value for value, box in spellings if box in boxes}
    return frozenset((spelled | boxes) - listed), frozenset(reopened)


def _unlisted_among(conn, channel: str, addresses: set[str]) -> tuple[frozenset[str], frozenset[int]]:
    """:func:`refused_unlisted` asked of a few ``addresses`` (not named by :func:`refused_addresses`)
    instead of the whole workspace: which of them it refuses, and the customers consent typed in
    by hand reopens theirs for.  The same look-ups, over the spellings of those addresses only."""
    from omnidesk.core.channels import HAND
    from omnidesk.core.models import Consent, Identifier

    if not addresses:
        return frozenset(), frozenset()
    ident, con, rec = Identifier.__table__, Consent.__table__, SourceRecord.__table__
    key = mailbox_key if channel == "email" else str
    boxes = {key(a) for a in addresses}
    written = set(addresses) | boxes
    if channel == "email":
        # Each off its own index: an OR of the two reads every identifier.
        written |= set(conn.execute(select(ident.c.value).where(
            ident.c.mailbox.in_(sorted(boxes)), ident.c.kind.concat("") == "email")).scalars())
    listed = _listed_among(conn, channel, written)
    refused = {mailbox_of(a) or a for a in listed if "@" in a} if channel == "email" else set(listed)
    own = rec.c.email if channel == "email" else rec.c.phone
    # The records carrying them, found by their identifiers (the records' own columns have no index).
    carrying = select(ident.c.record_id).where(ident.c.kind == ("email" if channel == "email" else "phone"),
                                               ident.c.value.in_(sorted(written)))
    said = set(conn.execute(select(own).distinct().join(con, con.c.record_id == rec.c.id).where(
        rec.c.id.in_(carrying), con.c.channel == channel, con.c.status.in_(_REFUSED), own.in_(sorted(written)),
        rec.c.channel != HAND)).scalars())
    answered, reopened = said_no_but_reopened(conn, channel, known=refused, said=said)
    refused |= answered
    return frozenset(a for a in addresses if key(a) in refused), frozenset(reopened)


def refused_among(conn, channel: str, ids) -> set[int]:
    """Which of the customers ``ids`` guard 1 refuses on ``channel`` today (opted out): their own
    answer is no, or the address their card goes by is refused whoever holds it
    (:func:`refused_addresses`), or is another spelling of a mailbox that said stop or has an
    answer of its own that is no (:func:`refused_unlisted`, unless consent typed in by hand
    reopens it for them).  The one rule the packs are made by, asked of a pack's recipients
    whatever audience chose them."""
    consent_name, address_name, _kind, _setting = _CHANNELS[channel]
    cust = Customer.__table__
    consent, address = cust.c[consent_name], cust.c[address_name]
    wanted = sorted(set(ids))
    out: set[int] = set()
    held: dict[int, str] = {}
    for start in range(0, len(wanted), _IN_SIZE):
        part = wanted[start:start + _IN_SIZE]
        out.update(conn.execute(select(cust.c.id).where(cust.c.id.in_(part), or_(
            func.coalesce(consent, "").in_(_REFUSED), address.in_(refused_addresses(channel))))).scalars())
        held.update(conn.execute(select(cust.c.id, address).where(cust.c.id.in_(part), address.is_not(None),
                                                                  address != "")).all())
    if len(out) < len(held):
        unlisted, reopened = refused_unlisted(conn, channel)
        out.update(cid for cid, a in held.items() if a in unlisted and cid not in reopened)
    return out


def refusal_of(conn, channel: str, customer_id: int) -> str | None:
    """Why guard 1 holds back sending one customer ``channel``: their own answer when it is no
    ("denied", "unsubscribed", "cleaned"), else :data:`HELD` (their address is refused because
    someone who holds it said stop, as the card and the list say of it:
    ``campaigns.held.held_addresses`` names who), or None when it lets them through
    (:func:`refused_among`, for one card)."""
    if customer_id not in refused_among(conn, channel, [customer_id]):
        return None
    consent_name = _CHANNELS[channel][0]
    cust = Customer.__table__
    own = conn.execute(select(cust.c[consent_name]).where(cust.c.id == customer_id)).scalar_one()
    return own if own in _REFUSED else HELD


HELD = "held"  # a pack row's address is refused (someone who holds it said stop), not its person


@dataclass(frozen=True)
class PackRow:
    """One row of a pack still to go that today's guards refuse for consent: its person (the
    customer holding the send's record now), the address the row holds, and why."""

    record_id: int
    customer_id: int
    address: str
    reason: str  # OPTED_OUT, HELD, NOT_CONFIRMED or UNKNOWN


def pack_refusals(conn, channel: str, rules: Rules, record_ids) -> list[PackRow]:
    """The rows of a pack (the records its sends are kept against, ``sends.anchor_records``) that
    the guards would leave out today for consent, each judged by the address the row holds and by
    its person: their own answer is no (opted out), not confirmed, or unknown where the settings
    do not let unknown consent through (guards 1 to 2); else the row's address is refused whoever
    holds it (held: :func:`refused_addresses`, :func:`refused_unlisted`, unless consent typed in by
    hand reopens it for them, their card's address).

    The address a row holds is the one its send was kept by: the send's record holds it (the
    card's spelling of it when the card's address is that record's), else, when the record holds
    none the card's.  A customer merged by mistake and split again is judged as the person whose
    record the send went with; a card address typed since is not the pack's."""
    from omnidesk.core.models import Identifier

    consent_name, address_name, kind, _setting = _CHANNELS[channel]
    cust, rec, ident = Customer.__table__, SourceRecord.__table__, Identifier.__table__
    key = mailbox_key if channel == "email" else str
    passes = unknown_passes(channel, rules)
    wanted = sorted(set(record_ids))
    owner: dict[int, tuple[int, str]] = {}
    carried: dict[int, list[str]] = {}
    for start in range(0, len(wanted), _IN_SIZE):
        part = wanted[start:start + _IN_SIZE]
        owner.update((rid, (cid, value or "")) for rid, cid, value in conn.execute(
            select(rec.c.id, rec.c.customer_id, rec.c[address_name]).where(rec.c.id.in_(part),
                                                                            rec.c.customer_id.is_not(None))))
        for rid, value in conn.execute(select(ident.c.record_id, ident.c.value).where(
                ident.c.record_id.in_(part), ident.c.kind == kind).order_by(ident.c.id)):
            carried.setdefault(rid, []).append(value)
    people = sorted({cid for cid, _a in owner.values()})
    card: dict[int, tuple] = {}
    for start in range(0, len(people), _IN_SIZE):
        card.update((r[0], r[1:]) for r in conn.execute(
            select(cust.c.id, cust.c[consent_name], cust.c[address_name], cust.c.orders).where(
                cust.c.id.in_(people[start:start + _IN_SIZE]))))
    rows: list[tuple[int, int, str]] = []
    for rid, (cid, main) in sorted(owner.items()):
        if cid not in card:
            continue
        held_here = [a for a in [main, *carried.get(rid, [])] if a]
        address = card[cid][1] or ""
        if not address or key(address) not in {key(a) for a in held_here}:
            address = held_here[0] if held_here else address
        rows.append((rid, cid, address))
    addresses = {a for _r, _c, a in rows if a}
    listed = _listed_among(conn, channel, addresses)
    unlisted, reopened = _unlisted_among(conn, channel, addresses - listed)
    out = []
    for rid, cid, address in rows:
        own, on_card, orders = card[cid]
        own = own or ""
        if own in _REFUSED:
            reason = OPTED_OUT
        elif address in listed or (address in unlisted and not (cid in reopened and address == on_card)):
            reason = HELD
        elif own == "pending":
            reason = NOT_CONFIRMED
        elif own != "granted" and not (passes == EVERYONE or (passes == CUSTOMERS and (orders or 0) > 0)):
            reason = UNKNOWN
        else:
            continue
        out.append(PackRow(rid, cid, address, reason))
    return out


@dataclass(frozen=True)
class HeldRefusals:
    """Guard 1's refusals on one channel of the addresses customers who did not say no hold
    (:func:`held_refusals`): what a list of customers says of sending to each row's address."""

    listed: dict[str, str]  # address -> its refusal, refused whoever holds it (refused_addresses)
    unlisted: dict[str, str]  # the same, for refused_unlisted's addresses: not for ``reopened``
    reopened: frozenset[int]

    def says(self, customer_id: int, own: str | None, address: str | None) -> str:
        """The consent that applies to sending to ``address``, the customer's main one: their own
        (``own``, "" when unknown), or, where guard 1 refuses the address though their own answer
        is not no, the refusal the address carries."""
        if own in _REFUSED or not address:
            return own or ""
        refusal = self.listed.get(address)
        if refusal is None and customer_id not in self.reopened:
            refusal = self.unlisted.get(address)
        return refusal or own or ""

    def holds(self, customer_id: int, own: str | None, address: str | None) -> bool:
        """Whether guard 1 refuses ``address``, the customer's main one, though their own answer
        (``own``) is not no: what :meth:`says` answers with the address's refusal."""
        if own in _REFUSED or not address:
            return False
        return address in self.listed or (customer_id not in self.reopened and address in self.unlisted)


def held_refusals(conn, channel: str, among: set[str] | None = None, *, words: bool = True) -> HeldRefusals:
    """The addresses guard 1 refuses on ``channel`` that a customer whose own answer there is not
    no (granted, pending or unknown) holds as their main one, each with the refusal it carries.

    The same refusals the campaigns and a rule's "consent is granted" make
    (:func:`refused_addresses`, :func:`refused_unlisted`), read once for a whole list: the few such
    addresses, by one pass over the customers.  The refusal is the address's own answer
    (:func:`address_refusals`: "unsubscribed", "cleaned", "denied"); an address refused only
    because someone who said no holds it, from another address of theirs, carries
    "unsubscribed".

    ``among``: only these addresses (as the customers hold them) are looked at, for one card.
    ``words=False``: which addresses, without their refusals' words ("" each), for
    :meth:`HeldRefusals.holds` alone: the addresses' own answers are not read, the most of the cost.
    """
    consent_name, address_name, _kind, _setting = _CHANNELS[channel]
    cust = Customer.__table__
    consent, address = cust.c[consent_name], cust.c[address_name]
    if among is None:
        listed = set(conn.execute(select(address).distinct().where(
            func.coalesce(consent, "").not_in(_REFUSED), address.in_(refused_addresses(channel)))).scalars())
        unlisted, reopened = refused_unlisted(conn, channel)
    else:
        held = set(conn.execute(select(address).distinct().where(
            address.in_(sorted(among)), func.coalesce(consent, "").not_in(_REFUSED))).scalars())
        listed = _listed_among(conn, channel, held)
        unlisted, reopened = _unlisted_among(conn, channel, held - listed)
    if not listed and not unlisted:
        return HeldRefusals({}, {}, reopened)
    if not words:
        return HeldRefusals(dict.fromkeys(listed, ""), dict.fromkeys(unlisted, ""), reopened)
    key = mailbox_key if channel == "email" else str
    own = address_refusals(conn, channel, among={key(a) for a in listed | unlisted})

    def refusal(a: str) -> str:
        return own.get(key(a)) or "unsubscribed"

    return HeldRefusals({a: refusal(a) for a in listed}, {a: refusal(a) for a in unlisted}, reopened)


def held_ids(conn, channel: str) -> set[int]:
    """The customers :meth:`HeldRefusals.holds` says yes of on ``channel``, over the whole
    workspace: guard 1 refuses their main address (:func:`refused_addresses`, or
    :func:`refused_unlisted` unless consent typed in by hand reopens it for them) though their own
    answer is not no.  For a list put in order by it (usually a handful of customers).

    Read from those who said no to whoever else holds their addresses, as :func:`refused_addresses`
    reads them: a cost that grows with those who said no, each one probe of the address index that
    rarely finds anyone but them (their own row is told apart on the index, unread).  Asked of every
    customer instead, whether their address is refused costs a probe each: a million customers,
    one in three opted out, 2.3 s against 0.35 s so.
    """
    from omnidesk.core.models import Identifier

    consent_name, address_name, kind, _setting = _CHANNELS[channel]
    cust, said_no = Customer.__table__, Customer.__table__.alias("said_no")
    rec, ident = SourceRecord.__table__, Identifier.__table__
    consent, address = cust.c[consent_name], cust.c[address_name]
    refused = said_no.c[consent_name].in_(_REFUSED_WRITTEN_OUT)  # ix_customer_refused_email's own condition
    not_no = func.coalesce(consent, "").not_in(_REFUSED)
    # Their main address.
    out = set(conn.execute(select(cust.c.id).select_from(said_no.join(
        cust, and_(address == said_no.c[address_name], cust.c.id != said_no.c.id))).where(
        refused, said_no.c[address_name].is_not(None), said_no.c[address_name] != "", not_no)).scalars())
    # One a record of theirs carries: through their records, as refused_addresses goes.
    out.update(conn.execute(select(cust.c.id).select_from(ident.join(rec, rec.c.id == ident.c.record_id).join(
        cust, and_(address == ident.c.value, cust.c.id != rec.c.customer_id))).where(
        ident.c.kind.concat("") == kind,
        ident.c.record_id.in_(select(rec.c.id).where(rec.c.customer_id.in_(select(said_no.c.id).where(refused)))),
        not_no)).scalars())
    unlisted, reopened = refused_unlisted(conn, channel)
    ordered = sorted(unlisted)
    for start in range(0, len(ordered), _IN_SIZE):
        out.update(set(conn.execute(select(cust.c.id).where(address.in_(ordered[start:start + _IN_SIZE]), not_no))
                       .scalars()) - reopened)
    return out


def _listed_among(conn, channel: str, addresses: set[str]) -> set[str]:
    """Which of ``addresses`` :func:`refused_addresses` names (a main address, or one carried by
    another record, of a customer who said no on ``channel``): asked of the few, not read whole."""
    from omnidesk.core.models import Identifier

    consent_name, address_name, kind, _setting = _CHANNELS[channel]
    cust, rec, ident = Customer.__table__, SourceRecord.__table__, Identifier.__table__
    refused = cust.c[consent_name].in_(_REFUSED_WRITTEN_OUT)
    address = cust.c[address_name]
    out: set[str] = set()
    ordered = sorted(addresses)
    for start in range(0, len(ordered), _IN_SIZE):
        part = ordered[start:start + _IN_SIZE]
        out.update(conn.execute(select(address).distinct().where(address.in_(part), refused)).scalars())
    # Most such addresses are the main one of a customer who said no, found above; the rest are
    # looked for on records, each of whose addresses is several identifiers.
    rest = sorted(set(ordered) - out)
    for start in range(0, len(rest), _IN_SIZE):
        part = rest[start:start + _IN_SIZE]
        out.update(conn.execute(select(ident.c.value).distinct().join(rec, rec.c.id == ident.c.record_id)
                                .join(cust, cust.c.id == rec.c.customer_id)
                                .where(ident.c.kind == kind, ident.c.value.in_(part), refused)).scalars())
    return out


def everyone_reached(conn, channel: str, rules: Rules,
                     unlisted: tuple[frozenset[str], frozenset[int]] | None = None) -> int:
    """How many a step on ``channel`` (email, SMS; WhatsApp by the SMS rule) of a campaign to
    everyone is sent to, before what depends on the campaign's own day (caps, quiet hours, a
    hold-out): guards 1 to 3, guard 1's refusals in Python (:func:`_same_mailbox_refused`) and
    guard 7, one message per mailbox or number.

    Counted by SQL off the consent index, one per address as written (:func:`channel_allowed`);
    then the few addresses the Python guards decide otherwise are counted again their way: those
    refused in Python (:func:`refused_unlisted`, unless consent typed in by hand reopens them for
    their holder) and, for email, every address written another way than its mailbox
    (``mailbox_of``, which the identifier table's mailbox column holds alone) with the mailboxes
    themselves, one per mailbox (``mailbox_key``, as guard 7 goes by).  A million customers cost
    the one count; the corrections cost as many as those few addresses.  ``unlisted``:
    :func:`refused_unlisted` of ``channel``, when read already.
    """
    from omnidesk.core.models import Identifier

    cust, ident = Customer.__table__, Identifier.__table__
    column = cust.c[address_column(channel)]
    allowed = channel_allowed(channel, rules)
    counted = conn.execute(select(func.count(func.distinct(column))).where(allowed)).scalar_one()
    refused, reopened = unlisted if unlisted is not None else refused_unlisted(conn, channel)
    holders: set[tuple[int, str]] = set()  # (customer, address) of the few, among those the SQL counted

    def among(addresses) -> None:
        ordered = sorted(addresses)
        for start in range(0, len(ordered), _IN_SIZE):
            holders.update(conn.execute(select(cust.c.id, column).where(
                allowed, column.in_(ordered[start:start + _IN_SIZE]))).all())

    among(refused)
    if channel == "email":
        spelled = and_(ident.c.mailbox.is_not(None), ident.c.kind.concat("") == "email")  # as refused_unlisted
        holders.update(conn.execute(select(cust.c.id, column).where(allowed, or_(
            column.in_(select(ident.c.value).where(spelled)),
            column.in_(select(ident.c.mailbox).where(spelled))))).all())
    if not holders:
        return counted
    key = (lambda a: mailbox_of(a) or a) if channel == "email" else str
    sent = {key(address) for cid, address in holders if address not in refused or cid in reopened}
    return counted - len({address for _cid, address in holders}) + len(sent)


def _shared_addresses(ws: Workspace, rules: Rules) -> dict[str, dict[str, str]]:
    """Per personal channel, the addresses (emails, numbers) more than one customer holds as their
    main one — usually a handful — each with what it is known by: a number itself, an email its
    mailbox (``mailbox_key``: ``carol+news@shop.example`` and ``carol@shop.example`` are one).
    For guard 7: among those guards 1 to 3 let through (:func:`channel_allowed`), whom guard 7
    sees, read in address order off the consent index.  One that someone opted out of is refused
    for everyone already."""

    cust = Customer.__table__
    out: dict[str, dict[str, str]] = {}
    with ws.engine.connect() as conn:
        for channel, column in (("email", cust.c.email), ("sms", cust.c.phone)):
            # (Those the refused look-up would turn away too: a superset does, and costs less.)
            allowed = channel_allowed(channel, rules, refused=False)
            out[channel] = {a: a for a in conn.execute(select(column).where(allowed).group_by(column)
                                                       .having(func.count() > 1)).scalars()}
        # Written another way than its mailbox (a "+" tag, a Gmail address with dots or at
        # googlemail.com): the few addresses one mailbox may be held under by several people.
        email = cust.c.email
        odd = or_(email.like("%+%"), email.like("%.%@gmail.com"), email.like("%@googlemail.com"))
        allowed = channel_allowed("email", rules, refused=False)
        held: dict[str, int] = {}  # mailbox -> how many customers hold it, however written
        spelled: dict[str, str] = {}
        for address, n in conn.execute(select(email, func.count()).where(allowed, odd).group_by(email)):
            box = mailbox_of(address)
            if box is not None:
                spelled[address] = box
                held[box] = held.get(box, 0) + n
        boxes = sorted(held)
        for start in range(0, len(boxes), _IN_SIZE):
            for box, n in conn.execute(select(email, func.count()).where(allowed, email.in_(
                    boxes[start:start + _IN_SIZE])).group_by(email)):
                held[box] += n
    shared = {box for box, n in held.items() if n > 1}
    out["email"].update((address, box) for address, box in spelled.items() if box in shared)
    out["email"].update((box, box) for box in shared)
    return out


def _history(ws: Workspace, campaign: CampaignData, ids: set[int], since: str,
             until: str) -> tuple[dict[int, list], dict[str, list]]:
    """[(send time UTC, channel)] of steps exported earlier, other campaigns' or this one's others:
    per customer (of ``ids``), and per address they went to (the number, or the email's mailbox,
    on the recipient's card), whoever received them."""
    from omnidesk.core.contact import mailbox_of

    sr, rec, st, cust = SendRecord.__table__, SourceRecord.__table__, CampaignStep.__table__, Customer.__table__
    own = [s.id for s in campaign.steps if s.id is not None]
    out: dict[int, list] = {}
    by_address: dict[str, list] = {}
    with ws.engine.connect() as conn:
        rows = conn.execute(select(rec.c.customer_id, sr.c.send_utc, sr.c.channel, cust.c.email, cust.c.phone)
                            .join(rec, rec.c.id == sr.c.record_id).join(st, st.c.id == sr.c.step_id)
                            .join(cust, cust.c.id == rec.c.customer_id)
                            .where(sr.c.send_utc >= since, sr.c.send_utc <= until, st.c.id.not_in(own),
                                   sr.c.channel.not_in(BASELINE_REASONS)))
        for cid, when, channel, email, phone in rows:
            sent = (datetime.fromisoformat(when.replace("Z", "+00:00")), channel)
            if cid in ids:
                out.setdefault(cid, []).append(sent)
            address = (mailbox_of(email) or email) if channel == "email" and email else phone
            if address:
                by_address.setdefault(address, []).append(sent)
    return out, by_address


def _favourites(ws: Workspace, ids: list[int], before: datetime, order: list[str], clock: tzinfo) -> dict[int, str]:
    """Customer -> the personal channel they use most (the module docstring's rule): the twelve
    calendar months up to ``before`` are days on ``clock``, as the caps' days are (:func:`cap_clock`)."""
    ev = Event.__table__
    since = twelve_months_before_utc(before, clock)
    until = before.strftime("%Y-%m-%dT%H:%M:%S")
    best: dict[int, tuple] = {}
    wanted = set(ids)
    with ws.engine.connect() as conn:
        for cid, channel, n, last in conn.execute(
                select(ev.c.customer_id, ev.c.channel, func.count(), func.max(ev.c.occurred_utc))
                .where(ev.c.channel.in_(order), ev.c.occurred_utc >= since, ev.c.occurred_utc < until,
                       ev.c.customer_id.is_not(None))
                .group_by(ev.c.customer_id, ev.c.channel)):
            if cid not in wanted:
                continue
            key = (n, last or "", -order.index(channel))
            if cid not in best or key > best[cid][0]:
                best[cid] = (key, channel)
    return {cid: channel for cid, (_key, channel) in best.items()}


def held_out(campaign_id: int, rows: list[tuple], personal: list[Step], percent: float) -> set[int]:
    """The customers a hold-out of ``percent`` keeps out, of those who pass guards 1 to 3 on at
    least one of the ``personal`` steps.

    Drawn per address, by a fixed threshold: customers who share a mailbox (``mailbox_key``, the
    one guard 7 goes by) or a phone number, directly or through one another, are one household;
    its hash, seeded with the campaign and the household's smallest customer id, falls below
    ``percent``/100 or not, and all of them are held out together or none is.  So whether
    someone is held out depends on nothing but who they share an address with: customers
    imported since never move anyone in or out (a "lowest n of today's audience" draw did), and
    a mailbox is never both sent the step and counted as never sent.  The share held out is
    ``percent`` on average, not exactly: each household is a coin toss.
    """
    if not percent:
        return set()
    columns = {3 if s.channel == "sms" else 2 for s in personal}
    open_rows = [r for r in rows if any(r[c] is None for c in columns)]
    if not open_rows:
        return set()
    parent: dict[object, object] = {}

    def root(x):
        while parent.get(x, x) != x:
            parent[x] = parent.get(parent[x], parent[x])
            x = parent[x]
        return x

    def join(a, b) -> None:
        ra, rb = root(a), root(b)
        if ra != rb:
            parent[max(ra, rb, key=_order)] = min(ra, rb, key=_order)

    for r in open_rows:
        if r[5]:
            join(r[0], ("mailbox", mailbox_key(r[5])))
        if r[1]:
            join(r[0], ("phone", r[1]))
    limit = percent / 100

    def drawn(household: int) -> bool:
        digest = hashlib.blake2b(f"{campaign_id}:{household}".encode(), digest_size=8).digest()
        return int.from_bytes(digest, "big") / 2 ** 64 < limit

    return {r[0] for r in open_rows if drawn(root(r[0]))}


def _order(node) -> tuple:
    """Customers (ids) before addresses, the smallest id first: a household is known by its first customer."""
    return (0, node, "") if isinstance(node, int) else (1, 0, str(node))


def _last_sends(ws: Workspace, campaign: CampaignData) -> dict[int, datetime]:
    """The campaign's exported steps: step id -> when the last send of its pack is due (UTC): its own
    time, or later where quiet hours moved a text to the next morning (a row of someone erased
    since included: ``sends.note_erased_sends``)."""
    from omnidesk.core.campaigns.sends import erased_times

    st, sr = CampaignStep.__table__, SendRecord.__table__
    with ws.engine.connect() as conn:
        exported = dict(conn.execute(select(st.c.id, st.c.erased_sends).where(
            st.c.campaign_id == campaign.id, st.c.exported_at.is_not(None))).all())
        latest = dict(conn.execute(select(sr.c.step_id, func.max(sr.c.send_utc)).join(st, st.c.id == sr.c.step_id)
                                   .where(st.c.campaign_id == campaign.id, sr.c.channel == st.c.channel)
                                   .group_by(sr.c.step_id)).all())
    out = {}
    for s in campaign.steps:
        if s.id in exported and not s.problem:
            times = [t for t in (latest.get(s.id), *erased_times(exported[s.id])) if t]
            out[s.id] = max([s.at_utc, *(datetime.fromisoformat(t.replace("Z", "+00:00")) for t in times)])
    return out


def kept_steps(ws: Workspace, campaign: CampaignData, now: datetime) -> set[int]:
    """The campaign's steps that went out: exported, and the last send of their pack is due by
    ``now`` (from then on campaign results count them sent).  What they were is history: an
    export keeps their packs and send records as they were, and the guards read them from those
    records.

    A step's own time is not enough: an SMS step of 20:30 in New York texts London at 07:00 the
    next morning, and until then that text can still be stopped.  A step whose time has come
    but whose pack still has sends to go is under way (:func:`started_steps`)."""
    return {sid for sid, last in _last_sends(ws, campaign).items() if last <= now}


def started_steps(ws: Workspace, campaign: CampaignData, now: datetime) -> set[int]:
    """The campaign's exported steps whose own time has come by ``now``: gone (:func:`kept_steps`)
    or under way (their pack's last sends still to go)."""
    last = _last_sends(ws, campaign)
    return {s.id for s in campaign.steps if s.id in last and s.at_utc <= now}


def _recorded_audience(ws: Workspace, step: Step, shared: dict[str, str]) -> StepAudience:
    """A step that went out, as its export recorded it: its recipients (and their send times), and
    those it left out as a baseline (BASELINE_REASONS); ``sent_to`` the shared addresses
    (``shared``: :func:`_shared_addresses`' for its channel) it reached, for the caps of later steps."""
    sr, rec, cust = SendRecord.__table__, SourceRecord.__table__, Customer.__table__
    result = StepAudience(step, [], {reason: [] for reason in REASONS}, kept=True)
    at = step.at_utc
    with ws.engine.connect() as conn:
        rows = conn.execute(select(rec.c.customer_id, sr.c.channel, sr.c.send_utc, cust.c.email, cust.c.phone)
                            .join(rec, rec.c.id == sr.c.record_id).outerjoin(cust, cust.c.id == rec.c.customer_id)
                            .where(sr.c.step_id == step.id, rec.c.customer_id.is_not(None))
                            .order_by(rec.c.customer_id, sr.c.id)).all()
    left: dict[str, set[int]] = {reason: set() for reason in BASELINE_REASONS}
    for cid, channel, when, email, phone in rows:
        if channel == step.channel:
            if cid in result.send_at:
                continue  # two records of one customer (merged since): one message
            send = datetime.fromisoformat(when.replace("Z", "+00:00"))
            result.eligible.append(cid)
            result.send_at[cid] = send
            if send != at:
                result.moved.add(cid)
            address = shared.get(phone if step.channel == "sms" else email)
            if address is not None:
                result.sent_to[address] = send
        elif channel in left and cid not in left[channel]:
            left[channel].add(cid)
            result.excluded[channel].append(cid)
    return result


def _under_way(ws: Workspace, result: StepAudience, now: datetime, home: str) -> None:
    """A step under way, as its export recorded it (:func:`_recorded_audience`): when its last
    send is due, and, when guards 1 and 2 refuse today someone whose send is still to go
    (:func:`pack_refusals`, by the address their row holds: a STOP
    texted in after the step's own time, hours before their text moved out of quiet hours is
    due), those taken out of it (with their reason) and the step no longer ``kept``: an export writes
    its pack again, with the sends still to go alone (``export``).  So too when a row still to
    go is someone erased since (``sends.note_erased_sends``).  Those already due stay as they
    were recorded: they went out."""
    from omnidesk.core.campaigns.sends import erased_times

    step = result.step
    to_go = [cid for cid in result.eligible if result.send_at[cid] > now]
    st = CampaignStep.__table__
    with ws.engine.connect() as conn:
        erased = [datetime.fromisoformat(t.replace("Z", "+00:00")) for t in erased_times(
            conn.execute(select(st.c.erased_sends).where(st.c.id == step.id)).scalar())]
        result.sending_until = max([step.at_utc, *result.send_at.values(), *erased])
        sr, rec = SendRecord.__table__, SourceRecord.__table__
        due = now.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        records = conn.execute(select(sr.c.record_id).join(rec, rec.c.id == sr.c.record_id).where(
            sr.c.step_id == step.id, sr.c.channel == step.channel, sr.c.send_utc > due)).scalars().all()
        why: dict[int, str] = {}
        for row in pack_refusals(conn, step.channel, Rules.of(ws), records):
            if row.customer_id in result.send_at and result.send_at[row.customer_id] > now:
                why.setdefault(row.customer_id, OPTED_OUT if row.reason == HELD else row.reason)
        refused = set(why)
        if not refused and not any(t > now for t in erased):
            return
        result.kept = False
        result.eligible = [cid for cid in result.eligible if cid not in refused]
        for cid, reason in sorted(why.items()):
            result.excluded[reason].append(cid)
        for cid in refused:
            result.send_at.pop(cid, None)
            result.moved.discard(cid)
        if step.channel == "sms":  # the recipient's clock, which the pack shows the send time on
            cust = Customer.__table__
            left = sorted(set(to_go) - refused)
            for start in range(0, len(left), _IN_SIZE):
                for cid, phone, country in conn.execute(select(cust.c.id, cust.c.phone, cust.c.country).where(
                        cust.c.id.in_(left[start:start + _IN_SIZE]))):
                    zones = recipient_zones(country, phone or "", step.at_utc, home)
                    result.zones[cid] = zones[0]
                    if len(zones) > 1:
                        result.other_zones[cid] = zones[1:]


def cap_clock(ws: Workspace) -> tzinfo:
    """The clock the caps count calendar days on: the shop's (the ``timezone`` setting), else this
    computer's (:func:`~omnidesk.core.timeutil.computer_zone`, as the timeline and the Dashboard
    read days).  One clock for every step: on each step's own, two sends 6 days 23½ hours apart on
    one clock and 7 days on the other were capped or not by which campaign was exported first."""
    shop = canonical_zone(str(ws.get_setting("timezone") or ""))
    return ZoneInfo(shop) if shop else computer_zone()


def plan_audiences(ws: Workspace, campaign: CampaignData, *, now: datetime | None = None) -> list[StepAudience]:
    """Every step's recipients and exclusions, steps in time order (see the module docstring).

    A personal step that went out already (:func:`kept_steps`, by ``now``: the clock when not
    given) is what its export recorded (``kept``), not re-planned: its sends count toward the
    caps of the steps after it as they were, those it held out stay held out of them, and
    those it reached are not held out of them.  So is a step under way (its time come, texts
    moved out of quiet hours still to go: ``sending_until``), less whoever guard 1 refuses
    today among those still to go (:func:`_under_way`)."""
    rules = Rules.of(ws)
    steps = sorted(campaign.steps, key=lambda s: (s.at_utc, campaign.steps.index(s)))
    personal = [s for s in steps if s.channel in PERSONAL]
    results = {id(s): StepAudience(s, None) for s in steps}
    now = now or datetime.now(UTC)
    kept = kept_steps(ws, campaign, now)
    started = started_steps(ws, campaign, now) | kept
    for s in steps:
        if s.id in kept and s.channel not in PERSONAL:
            results[id(s)].kept = True
    if not personal:
        return [results[id(s)] for s in steps]
    # The few shared addresses are counted on a second connection while the million rows are read.
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="guards") as pool:
        shared_later = pool.submit(_shared_addresses, ws, rules)
        rows = _audience_rows(ws, campaign, now, rules)
        shared = shared_later.result()
    rows = _same_mailbox_refused(ws, rows)
    shop = str(ws.get_setting("timezone") or "").strip()
    clock = cap_clock(ws)
    window = timedelta(days=max(rules.cap_days, 1))
    first, last = personal[0].at_utc, personal[-1].at_utc + timedelta(days=2)
    # A day to spare before the first step: the caps' days are the shop's, 25 hours on a fall-back day.
    history, by_address = _history(ws, campaign, {r[0] for r in rows},
                                   _moved(first, -(window + timedelta(days=1))).strftime("%Y-%m-%dT%H:%M:%SZ"),
                                   _moved(last, window).strftime("%Y-%m-%dT%H:%M:%SZ"))
    order = [s.channel for s in personal]
    best = campaign.mode == "best_channel"
    favourites = _favourites(ws, [r[0] for r in rows], first, list(dict.fromkeys(order)), clock) if best else {}
    ranked = _rank(rows, personal, favourites) if best else {}
    held = held_out(campaign.id, rows, personal, campaign.holdout_percent)
    recorded = {s.id: _recorded_audience(ws, s, shared[s.channel]) for s in personal if s.id in started}
    for sid, audience in recorded.items():
        if sid not in kept:
            _under_way(ws, audience, now, shop or audience.step.timezone or "UTC")
    if recorded:
        reached = {cid: a.step for a in recorded.values() for cid in a.eligible}
        if campaign.holdout_percent:
            held = (held | {cid for a in recorded.values() for cid in a.excluded[HELD_OUT]}) - set(reached)
        if best:
            # One step each: who a step that went out reached has had theirs; the others have the
            # steps still to go.
            gone = {id(a.step) for a in recorded.values()}
            for cid, options in list(ranked.items()):
                rest = [reached[cid]] if cid in reached else [o for o in options if id(o) not in gone]
                if rest:
                    ranked[cid] = rest
                else:
                    del ranked[cid]
    failed: dict[tuple[int, int], str] = {}  # best_channel: (customer, step) -> why that step left them out
    # In best_channel mode a customer the step of their choice leaves out (quiet hours, a cap, their
    # mailbox taken by another) falls back on their next step, and the steps are decided again;
    # each round takes a step off someone's list, so it ends.
    for _round in range(len(personal) + 1):
        chosen = {cid: options[0] for cid, options in ranked.items()} if best else None
        done: list[StepAudience] = []  # the personal steps decided so far, for the caps
        for step in personal:
            if step.id in recorded:
                results[id(step)] = recorded[step.id]
                done.append(recorded[step.id])
                continue
            result = results[id(step)] = StepAudience(step, None)
            # A recipient with no clock of their own keeps the shop's; a workspace without one set
            # keeps the clock the step was planned on, never UTC's.
            home = shop or step.timezone or "UTC"
            _decide_step(result, rows, rules, history, done, window, chosen, home, held, by_address,
                         shared[step.channel], failed, clock)
            _one_per_address(result, rows, shared[step.channel])
            done.append(result)
        if not best or not _fall_back(done, ranked, failed):
            break
    if failed:
        _reached_elsewhere(done, failed)
    return [results[id(s)] for s in steps]


def _moved(moment: datetime, by: timedelta) -> datetime:
    """``moment`` moved ``by``, or the calendar's first or last instant where that would leave it: a
    step late in year 9997 with a cap counted over ten years reaches past the year 9999."""
    try:
        return moment + by
    except OverflowError:
        return datetime.max.replace(tzinfo=UTC) if by > timedelta(0) else datetime.min.replace(tzinfo=UTC)


def _decide_step(result: StepAudience, rows: list[tuple], rules: Rules, history: dict[int, list],
                 done: list[StepAudience], window: timedelta, chosen: dict[int, Step] | None, home: str,
                 held: set[int] = frozenset(), by_address: dict[str, list] | None = None,
                 shared: dict[str, str] | None = None, failed: dict[tuple[int, int], str] | None = None,
                 clock: tzinfo | None = None) -> None:
    """One personal step: guards 1 to 6 for every customer (a million of them: plain lookups only).
    The caps count calendar days on ``clock`` (:func:`cap_clock`; without it, ``home``'s).

    A cap counts per customer and per address (``by_address``: :func:`_history`'s; and the earlier
    steps' ``sent_to``): a number or mailbox several customers share is capped as one person is."""
    step = result.step
    channel, at = step.channel, step.at_utc
    sms = channel == "sms"
    at_column = 3 if sms else 2
    exclude_quiet = rules.quiet_hours_action == "exclude"
    if clock is None:
        clock = ZoneInfo(home)
    cap, channel_cap = rules.cap_messages, (rules.cap_email if channel == "email" else rules.cap_sms)
    # Earlier steps of this campaign near enough to count towards a cap; a customer can only
    # reach a cap when their sends elsewhere plus these steps could add up to it.
    near = [a for a in done if abs(a.step.at_utc - at) < window + timedelta(days=2)]
    near_channel = [a for a in near if a.step.channel == channel]
    eligible, send_at, moved = [], {}, set()
    out: dict[str, list[int]] = {r: [] for r in REASONS}
    by_address = by_address or {}
    # An address's sends are its holders' (one per step, guard 7): it reaches a cap only where one of them could.
    caps_reachable = (bool(history) or bool(by_address) or (0 < cap <= len(near))
                      or (0 < channel_cap <= len(near_channel)))
    if chosen is None and not caps_reachable:
        # The usual case — nobody can reach a cap, one audience for every step: whole-list
        # passes instead of a look-up per customer.
        # One pass: each row to its reason's list, or to those left for the step.
        open_ids: list[int] = []
        into = [out[reason].append for reason in _GUARD_REASONS]
        for r in rows:
            reason = r[at_column]
            if reason is None:
                open_ids.append(r[0])
            else:
                into[reason](r[0])
        if held:
            out[HELD_OUT] = [cid for cid in open_ids if cid in held]
        if not sms:
            eligible = [cid for cid in open_ids if cid not in held] if held else open_ids
            send_at = dict.fromkeys(eligible, at)
        else:
            times: dict[tuple, tuple[datetime, str]] = {}
            zone_of = result.zones
            deeper = _split_deeper()
            for r in rows:
                if r[at_column] is None and r[0] not in held:
                    phone = r[1]
                    prefix = phone[:_ZONE_FLOOR]
                    if prefix[1:] in deeper:  # a few areas' zones go by more digits (zone_prefix)
                        prefix = zone_prefix(phone)
                    key = (r[4], prefix, len(phone))
                    known = times.get(key)
                    if known is None:
                        zones = recipient_zones(r[4], r[1], at, home)
                        known = times[key] = (next_allowed(at, zones, rules), zones[0], zones[1:])
                    send = known[0]
                    zone_of[r[0]] = known[1]
                    if known[2]:
                        result.other_zones[r[0]] = known[2]
                    if send != at:
                        if exclude_quiet:
                            out[QUIET].append(r[0])
                            continue
                        moved.add(r[0])
                    eligible.append(r[0])
                    send_at[r[0]] = send
        result.eligible, result.send_at, result.moved, result.excluded = eligible, send_at, moved, out
        return
    watch_addresses = (cap > 0 or channel_cap > 0) and (bool(by_address) or any(a.sent_to for a in near))
    for row in rows:
        cid = row[0]
        reason = row[at_column]
        if reason is not None:
            out[_GUARD_REASONS[reason]].append(cid)
            continue
        if chosen is not None and chosen.get(cid) is not step:
            # Tried first and left out, or given another step: held out or not, one step is theirs.
            out[failed.get((cid, id(step)), OTHER_CHANNEL) if failed else OTHER_CHANNEL].append(cid)
            continue
        if cid in held:  # in best_channel mode, of the step they would have been sent: one baseline each
            out[HELD_OUT].append(cid)
            continue
        send = at
        if sms:
            zones = recipient_zones(row[4], row[1], at, home)
            result.zones[cid] = zones[0]
            if len(zones) > 1:
                result.other_zones[cid] = zones[1:]
            send = next_allowed(at, zones, rules)
            if send != at and exclude_quiet:
                out[QUIET].append(cid)
                continue
        past = history.get(cid)
        if cap > 0 and (len(past) if past else 0) + len(near) >= cap:
            if _sends_near(cid, send, past, near, window, clock) >= cap:
                out[CAP].append(cid)
                continue
        if channel_cap > 0 and (len(past) if past else 0) + len(near_channel) >= channel_cap:
            if _sends_near(cid, send, [p for p in past or () if p[1] == channel], near_channel, window,
                           clock) >= channel_cap:
                out[CHANNEL_CAP].append(cid)
                continue
        if watch_addresses:
            address = row[1] if sms else (shared or {}).get(row[5]) or mailbox_of(row[5]) or row[5]
            reason = _address_capped(address, send, by_address.get(address), near, near_channel, channel, cap,
                                     channel_cap, window, clock)
            if reason is not None:
                out[reason].append(cid)
                continue
        eligible.append(cid)
        send_at[cid] = send
        if send != at:
            moved.add(cid)
    result.eligible, result.send_at, result.moved, result.excluded = eligible, send_at, moved, out
    result.zones = {cid: z for cid, z in result.zones.items() if cid in send_at}
    result.other_zones = {cid: z for cid, z in result.other_zones.items() if cid in send_at}


def _one_per_address(result: StepAudience, rows: list[tuple], shared: dict[str, str]) -> None:
    """Guard 7: of the step's recipients at one shared address (``shared``: each written form's
    mailbox or number, :func:`_shared_addresses`), the first by id keeps it."""
    if not shared or not result.eligible:
        return
    column = 1 if result.step.channel == "sms" else 5
    address_of = {r[0]: key for r in rows if (key := shared.get(r[column])) is not None}
    seen: set[str] = set()
    kept, twice = [], []
    for cid in result.eligible:
        address = address_of.get(cid)
        if address is not None and address in seen:
            twice.append(cid)
            result.send_at.pop(cid, None)
            result.moved.discard(cid)
            result.zones.pop(cid, None)
            result.other_zones.pop(cid, None)
            continue
        if address is not None:
            seen.add(address)
            result.sent_to[address] = result.send_at[cid]
        kept.append(cid)
    result.eligible = kept
    result.excluded[SAME_ADDRESS] = result.excluded.get(SAME_ADDRESS, []) + twice  # with those it fell back from


def _address_capped(address: str, send: datetime, past: list | None, near: list[StepAudience],
                    near_channel: list[StepAudience], channel: str, cap: int, channel_cap: int,
                    window: timedelta, clock: tzinfo | None = None) -> str | None:
    """The cap an address (a number, a mailbox) has reached at ``send`` (CAP, CHANNEL_CAP), or None:
    its sends within the window (days on ``clock``), from earlier exports and this campaign's earlier steps."""
    def count(sends, steps) -> int:
        times = [t for t, _c in sends]
        times += [when for a in steps if (when := a.sent_to.get(address)) is not None]
        return most_in_a_window(times, send, window, clock)

    if cap > 0 and count(past or (), near) >= cap:
        return CAP
    if channel_cap > 0 and count([p for p in past or () if p[1] == channel], near_channel) >= channel_cap:
        return CHANNEL_CAP
    return None


def _sends_near(cid: int, send: datetime, past: list | None, near: list[StepAudience], window: timedelta,
                clock: tzinfo | None = None) -> int:
    """The most of the customer's sends (earlier exports, earlier steps) that one cap window holding
    ``send`` holds (:func:`most_in_a_window`, days on ``clock``)."""
    times = [t for t, _c in past or ()]
    times += [when for a in near if (when := a.send_at.get(cid)) is not None]
    return most_in_a_window(times, send, window, clock)


def most_in_a_window(times: list[datetime], send: datetime, window: timedelta,
                     clock: tzinfo | None = None) -> int:
    """The most of ``times`` that one span of ``window`` holding ``send`` holds.

    With ``clock`` (the shop's zone) the window is calendar days on that clock: "3 per 7 days"
    lets a send at the same local time a week later through in the week the clocks change as
    in any other (a week of a spring-forward is 167 hours, one of a fall-back 169).  Without
    it the window is that many 24-hour days of UTC instants.

    "At most N messages in any 7 days" is a sliding window: a send is allowed when every
    span of that length around it holds fewer than N others.  Counting all the sends less
    than the window away on either side instead measures a span twice as long: sends a
    week and an hour apart, with one between them, counted as three in a week, and which
    campaign was exported first decided who was left out.  A span holding the most starts
    at one of the sends within the window before ``send``, or at ``send`` itself.
    """
    if clock is not None:
        # Wall-clock times on the shop's clock, compared as they read (a repeated hour reads alike).
        times = [_wall_clock(t, clock) for t in times]
        send = _wall_clock(send, clock)
    near = sorted(t for t in times if abs(t - send) < window)
    starts = [t for t in near if t <= send] + [send]
    # Differences, not ``start + window``: a late send's window can reach past the year 9999.
    return max(sum(1 for t in near if timedelta(0) <= t - start < window) for start in starts)


@lru_cache(maxsize=1 << 14)
def _wall_clock(moment: datetime, clock: tzinfo) -> datetime:
    """``moment`` as ``clock`` reads it, naive (a repeated hour's second pass reads as its first).
    Sends fall on a few instants (the steps' times), read again for each of a million customers:
    worked out once each (this computer's clock reads slower than a zone's)."""
    return moment.astimezone(clock).replace(tzinfo=None, fold=0)


def _rank(rows: list[tuple], personal: list[Step], favourites: dict[int, str]) -> dict[int, list[Step]]:
    """best_channel: each customer's steps in the order they are tried, among those whose channel
    they can be sent to at all: their favourite channel's first, then the others in time order."""
    out: dict[int, list[Step]] = {}
    for row in rows:
        open_steps = [s for s in personal if row[3 if s.channel == "sms" else 2] is None]
        if not open_steps:
            continue
        favourite = favourites.get(row[0])
        out[row[0]] = ([s for s in open_steps if s.channel == favourite]
                       + [s for s in open_steps if s.channel != favourite])
    return out


def _reached_elsewhere(decided: list[StepAudience], failed: dict[tuple[int, int], str]) -> None:
    """best_channel: a customer a step left out who fell back on another step that takes them is
    "another channel" on the first: they get the campaign, so that step's baseline is not theirs."""
    sent = set().union(*(a.eligible or () for a in decided))
    for result in decided:
        for reason in _FALL_BACK_ON:
            ids = result.excluded.get(reason)
            if ids and any((cid, id(result.step)) in failed and cid in sent for cid in ids):
                result.excluded[reason] = [cid for cid in ids if (cid, id(result.step)) not in failed
                                           or cid not in sent]
                result.excluded[OTHER_CHANNEL] = sorted(
                    result.excluded[OTHER_CHANNEL] + [cid for cid in ids if (cid, id(result.step)) in failed
                                                      and cid in sent])


# Why a step can leave out a customer it was chosen for, though another of theirs may take them.
_FALL_BACK_ON = (QUIET, CAP, CHANNEL_CAP, SAME_ADDRESS)


def _fall_back(decided: list[StepAudience], ranked: dict[int, list[Step]], failed: dict[tuple[int, int], str]
               ) -> bool:
    """best_channel: each customer their chosen step left out (``_FALL_BACK_ON``) moves on to their
    next step, the reason kept in ``failed`` for that step to show; whether anyone moved."""
    moved = False
    for result in decided:
        step = result.step
        for reason in _FALL_BACK_ON:
            for cid in result.excluded.get(reason, ()):
                options = ranked.get(cid)
                if options and options[0] is step and len(options) > 1:
                    rest = options[1:]
                    if reason == SAME_ADDRESS:  # their mailbox or number has the campaign: not again
                        rest = [s for s in rest if s.channel != step.channel]
                    if not rest:
                        continue
                    failed[(cid, id(step))] = reason
                    options[:] = rest
                    moved = True
    return moved
