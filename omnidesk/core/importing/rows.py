"""Normalizing one row: a record's cells become a :class:`Row` ready for the bulk insert."""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import tzinfo
from decimal import Decimal
from typing import TYPE_CHECKING, NamedTuple

import phonenumbers

from omnidesk.core.cells import without_controls
from omnidesk.core.channels import BY_CODE, PHONE
from omnidesk.core.contact import phone_text, refusal_email
from omnidesk.core.consent import DENIED, OPT_OUTS, STRICTNESS
from omnidesk.core.importing import normalize as nz
from omnidesk.core.importing.fields import FIELDS_BY_NAME, IGNORE, OPTOUT_FIELDS, Kind
from omnidesk.core.importing.optout_lists import (
    consent_columns,
    list_channel,
    list_channels,
    list_status,
    says_opt_in_time,
    says_opt_out,
)
from omnidesk.core.importing.phone_region import is_local_number
from omnidesk.core.importing.presets import header_key
from omnidesk.core.importing.sniff import Record
from omnidesk.core.importing.zone_names import zone_named
from omnidesk.core.text import clean_line
from omnidesk.core.timeutil import to_utc

if TYPE_CHECKING:  # the plan is only read here; analysis imports this module
    from omnidesk.core.importing.analysis import ImportPlan


@dataclass
class Row:
    """One record's normalized values, ready for the bulk insert."""

    record: Record
    emails: list[str] = field(default_factory=list)
    phones: list[str] = field(default_factory=list)
    # Numbers written without a country code that are no number of the row's country, each with
    # the index of its problem: an opt-out's may still be read by a known number (known_numbers).
    unread_phones: list[tuple[str, int]] = field(default_factory=list)
    # Numbers read without a "+" or "00", each as (its digits, the number read): digits that are
    # also a whole number abroad with its "+" left off make an opt-out reach both (known_numbers).
    bare_phones: list[tuple[str, str]] = field(default_factory=list)
    # Addresses that cannot be read, each with the index of its problem: a refusal's may still be
    # read as a person reads it (``RowNormalizer._read_refusal_emails``).
    unread_emails: list[tuple[str, int]] = field(default_factory=list)
    external_id: str | None = None
    first_name: str = ""
    middle_name: str = ""
    last_name: str = ""
    full_name: str = ""
    # How the first and last name are read (furigana, phonetic names), as the file gives them.
    first_name_reading: str = ""
    last_name_reading: str = ""
    company: str = ""
    # A name cell held a web domain ("acme.com", Stripe's Name often does): no name is read of it,
    # but the row still names someone (see ``_known_by``).
    named_by_domain: bool = False
    address: str = ""
    city: str = ""
    region: str = ""
    postcode: str = ""
    country: str = ""
    birthday: str | None = None
    tags: list[str] = field(default_factory=list)
    occurred_at: str | None = None
    # Channel -> the row's consent facts on it, (status, own time) each: one per consent cell
    # (see ``RowNormalizer._consents``), so the consent rule decides between a row's cells.
    consents: dict[str, list[tuple[str, str | None]]] = field(default_factory=dict)
    values: dict[str, object] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    skip: str | None = None  # why this row is nobody: kept raw, never a customer
    # Its record's serialized columns when a worker process computed them (store.stored_text).
    stored: tuple[str, ...] | None = None


# What a refusal's address read past a slip adds to its problem (``RowNormalizer._read_refusal_emails``).
READ_AS = "; read as {address}, the one address it can be, so the refusal reaches it"

# Why a row is kept as read but made into nobody.
NOBODY = "with no name, email, phone or ID"
UNREADABLE = "with no name, email, phone or ID that can be read, flagged to be corrected"
TEST_LEAD = "a platform's test lead (\u201c<test lead: dummy data for \u2026>\u201d)"
REPEATED_HEADER = "the file's header line again (files pasted one under the other)"
TOTAL_ROW = "a total row below the data (\u201cTotal\u201d and sums), not a customer or an order"
LABEL_ROW = ("a second header line under the header (labels such as \u201cE-mail address\u201d, "
             "not anyone's values)")
FOOTER = ("a report's footer below its data (Salesforce's \u201cConfidential Information - Do Not "
          "Distribute\u201d, copyright and title lines)")
# Meta's Lead Ads Testing Tool fills every answer of a test lead with this.
_TEST_LEAD_MARK = "<test lead"
_IDENTITY = ("first_name", "last_name", "full_name", "email", "phone", "external_id")
_NOT_DIGITS = re.compile(r"\D")
# A header naming UTC as the zone of its times, not an offset from it ("UTC+2").
_SAYS_UTC = re.compile(r"\butc\b(?!\s*\d)")
_EMAILISH = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# A web address or domain given for a name ("acme.com", "www.shop.co.uk").
_DOMAINISH = re.compile(
    r"^(?:https?://)?(?:www\.)?(?:[a-z0-9-]+\.)+(?:com|net|org|io|co|uk|us|ca|au|nz|ie|de|fr|es|it|nl|"
    r"be|ch|at|se|no|dk|fi|pl|pt|eu|in|jp|br|mx|info|biz|shop|store|app|dev|me|ai|xyz|online|site|"
    r"tech|studio|design|agency)/?$",
    re.IGNORECASE,
)


def not_a_name(text: str) -> bool:
    """True when a "name" cell holds an email address or a web domain (Stripe's Name often does)."""
    if "@" in text:
        return bool(_EMAILISH.match(text.strip()))
    return "." in text and " " not in text.strip() and bool(_DOMAINISH.match(text.strip()))


_NOTHING: tuple[str, None] = ("", None)
# Somewhere in a row's cells joined by NUL, a cell that ``clean_cell`` would change: one
# starting or ending with a space (or a zero-width one), starting with an apostrophe, or
# holding a carriage return.  A NUL inside a cell can only make this say yes in vain.
_NEEDS_CLEANING = re.compile("(?:^|\0)[\\s\u200b\ufeff']|[\\s\u200b\ufeff](?:\0|$)|\r")
# Whether a row holds a control character (cells.without_controls), but for the NUL that joins
# its cells here.
_CONTROL = re.compile("[\x01-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


# Characters a cell may start and end with that ``clean_cell`` never trims: printable
# ASCII but the space and the apostrophe.
_PLAIN_EDGE = frozenset(chr(c) for c in range(33, 127)) - {"'"}

_ADDRESS_PARTS = ("address1", "address2", "address", "city", "region", "postcode", "country")
_TEXT_FIELDS = ("nickname", "job_title", "gender", "language",
                "event_type", "order_id", "currency", "item_name", "status", "summary",
                "url", "campaign", "location")
_MONEY_FIELDS = ("total_spent", "amount", "item_price", "refunded_amount")
_INT_FIELDS = ("total_orders", "item_quantity")
_CONSENT_CHANNELS = ("email", "sms", "whatsapp")
# Each channel's own consent time, where a file gives one (Klaviyo's "SMS Consent Timestamp").
_OWN_TIMES = {ch: f"consent_{ch}_at" for ch in _CONSENT_CHANNELS}
_CONSENT_TIMES = ("consent_at", *_OWN_TIMES.values())
# The presets whose every row is an opt-out list's line (a reply that may be read as STOP).
_OPTOUT_LIST_PRESETS = frozenset({"sms_optouts"})

# The same few values fill most cells of a column (names, towns, countries, yes/no): what
# a pure reading of a cell gave is remembered, so a big file reads each distinct value once.
# Bounded, so memory stays flat however many distinct values a file has.
_MEMO = 1 << 14
_name = functools.lru_cache(maxsize=_MEMO)(nz.normalize_name)
_family = functools.lru_cache(maxsize=_MEMO)(functools.partial(nz.normalize_name, family=True))
_full_name = functools.lru_cache(maxsize=_MEMO)(nz.parse_full_name)
_composed_name = functools.lru_cache(maxsize=_MEMO)(nz.compose_full_name)
_country = functools.lru_cache(maxsize=4096)(nz.normalize_country)
_TWO_SPACES = re.compile(r" {2,}")


# Besides the words that mean nothing in any cell (:func:`nz.is_placeholder`), what a till or a form
# gets typed for a street, a town or a postcode nobody gave.
_NO_ADDRESS = frozenset({"na", "n.a.", "unknown", "no address", "not given", "not provided", ".", "..", "?", "0"})


def _address_text(text: str) -> str:
    """A street line, a town or a postcode as read, or "" for one typed for "nothing here" ("n/a",
    "none", "-", "unknown"): such a cell is no address, and two records holding it share none."""
    if text and (nz.is_placeholder(text) or text.casefold() in _NO_ADDRESS):
        return ""
    return text


def _double_spaced(cell: str) -> tuple[str, str, str, str, str] | None:
    """A whole address in one cell, its parts two spaces apart, as Mailchimp's address field is
    exported (and imported): street (and a second street line), city, state, postcode, country
    — "12 Oak St  Apt 4  Portland  OR  97201  US".  (street lines, city, region, postcode,
    country), or None for a cell that is not so: five or six parts, the last a country.
    """
    parts = [p.strip() for p in _TWO_SPACES.split(cell.strip())] if "  " in cell else []
    if len(parts) not in (5, 6) or not all(parts) or not _country(parts[-1]).value:
        return None
    street = "\n".join(parts[:-4])
    return street, parts[-4], parts[-3], parts[-2], parts[-1]
_postcode = functools.lru_cache(maxsize=_MEMO)(nz.normalize_postcode)
_consent = functools.lru_cache(maxsize=4096)(nz.parse_consent_reply)
_status_optout = functools.lru_cache(maxsize=4096)(nz.parse_status_optout)
_optout = functools.lru_cache(maxsize=4096)(nz.parse_optout)


@functools.lru_cache(maxsize=_MEMO)
def _not_a_name(text: str) -> bool:
    return not_a_name(text)


@functools.lru_cache(maxsize=_MEMO)
def _tags(raw: str) -> tuple[str, ...]:
    return tuple(nz.split_multi(raw))


_READINGS = (_name, _full_name, _composed_name, _country, _postcode, _consent, _status_optout, _optout,
             _not_a_name, _tags)


def forget_readings() -> None:
    """Let go of the remembered cell readings (a file's rows are all read)."""
    for reading in _READINGS:
        reading.cache_clear()


@dataclass(slots=True)
class _Cells:
    cells: dict[int, str]  # column index -> cleaned text, for mapped columns
    found: dict[str, tuple[str, int | None]]  # field -> its first non-empty cell (or the constant)


class _When(NamedTuple):
    """A consent time as two readings: the one that may date a "yes", and the one any other
    status takes.  They differ only for a date whose day/month order was guessed: then no
    "yes" is dated by it, and an opt-out takes the later of its two readings (see
    ``RowNormalizer._consent_time``)."""

    grant: str | None
    other: str | None


@dataclass(frozen=True)
class _PlanForRows:
    """What :meth:`RowNormalizer.normalize` reads of its plan, and nothing that cannot be pickled."""

    date_orders: dict
    region: str
    decimal_marks: dict


class RowNormalizer:
    """Turns a record's cells into a :class:`Row` following a plan's mapping."""

    def __init__(self, plan: ImportPlan) -> None:
        self.plan = plan
        self.columns: dict[str, list[int]] = {}
        for i, name in enumerate(plan.mapping):
            if name != IGNORE:
                self.columns.setdefault(name, []).append(i)
        self.constants = dict(plan.preset.constants) if plan.preset else {}
        self.strip_prefixes = bool(plan.preset and plan.preset.strip_type_prefixes)
        self.header = plan.header
        # The header's cells as a repeated header line would hold them (see ``_repeats_header``).
        self._header_cells = tuple((i, key) for i, h in enumerate(plan.header) if (key := _cell_key(h)))
        self.local_region = plan.local_phone_region
        # The shop's currency: a sign several currencies share ("$", "¥") is read as it when it can be.
        self.shop_currency = plan.currency
        # "+1" for a US workspace: the start of its region's numbers, None when it has no region.
        dial = phonenumbers.country_code_for_region(plan.region.upper()) if plan.region else 0
        self._region_dial = f"+{dial}" if dial else None
        self.mixed_problem = plan.phone_region.problem if plan.phone_region is not None else ""
        # A form's row time is when its boxes were ticked; an order's is not.
        self.form_times = plan.kind != Kind.EVENTS.value and _is_form_export(plan)
        # "Created (UTC)" (Stripe), "Submit Date (UTC)" (Typeform): the header gives the zone.
        self.utc_columns = {i for i, h in enumerate(plan.header) if _SAYS_UTC.search(header_key(h))}
        # The zone the row being read names for its times (a "Time zone" column), else None: the
        # shop's clock, when the times are read (see ``_read_zone``).
        self._zone: tzinfo | None = None
        # In a list of people a row naming nobody is no one; in a file of events it may be a
        # later line of an order, or a sale to nobody in particular.
        self.nobody_check = plan.kind == Kind.CONTACTS.value
        # A preset's constant stands in for a field until a cell of the row has it; a consent
        # constant (the only kind a preset sets) is read beside the cells, never replaced by
        # them (see ``_consents``).
        self._constant_hits = {name: (value, None) for name, value in self.constants.items() if value}
        self.ships = any(name.startswith("shipping_") for name in self.columns)
        # Each mapped column once, by field in the mapping's order (a column has one field),
        # and the fields a row of this file can have at all: the others are never looked up.
        self._pairs = tuple((name, i) for name, indexes in self.columns.items() for i in indexes)
        present = set(self.columns) | set(self._constant_hits)
        self._identity = tuple(n for n in _IDENTITY if n in present)
        self._text_fields = tuple(n for n in _TEXT_FIELDS if n in present)
        self._money_fields = tuple(n for n in _MONEY_FIELDS if n in present)
        self._int_fields = tuple(n for n in _INT_FIELDS if n in present)
        self._consent_fields = tuple((ch, f"consent_{ch}") for ch in _CONSENT_CHANNELS if f"consent_{ch}" in present)
        self._optouts = tuple((name, spec) for name, spec in OPTOUT_FIELDS.items() if name in self.columns)
        self._has_readings = any(n in present for n in ("first_name_reading", "last_name_reading",
                                                          "full_name_reading"))
        self._zoned = "time_zone" in self.columns
        self._dated = any(n in present for n in ("birthday", "created_at", "last_active", "cancelled_at",
                                                   *_CONSENT_TIMES,
                                                   "unsubscribed_at", "occurred_at", "occurred_time"))
        # Date columns whose day/month order is a guess (see ImportPlan.guessed_date_columns).
        self.guessed_dates = frozenset(getattr(plan, "guessed_date_columns", ()) or ())
        # The channels the file gives a consent time of their own; where it gives some, a
        # channel without one is not dated by a "Consent date" that may be another's.
        self._own_times = {ch: name for ch, name in _OWN_TIMES.items() if name in present}
        self._time_fields = tuple(n for n in _CONSENT_TIMES if n in present)
        # A consent column -> the time column that is its own, where its channel has several
        # (Klaviyo: "SMS Consent Timestamp" is "SMS Consent"'s, "SMS Marketing Consent
        # Timestamp" is "SMS Marketing Consent"'s); see ``_paired_times``.
        self._paired = _paired_times(plan.header, self.columns, {
            ch: name for ch, name in ((ch, self._time_field(ch)) for ch, _ in self._consent_fields) if name})
        # Consent times that are when the person said yes ("Opt-in date", "Subscribed at"): a "no"
        # on the row is not dated by them, or an old sign-up date would make a current "no" older
        # than the "yes" it answers (and a START of last year would outvote it).  Undated, the "no"
        # counts from its file.
        self._yes_times = frozenset(
            n for n in self._time_fields
            if (found := self.columns.get(n)) and all(says_opt_in_time(plan.header[i]) for i in found))
        # A list of people's "Status" saying "unsubscribed", "bounced", ... (never a grant).
        self._status_optouts = self.nobody_check and "status" in present
        self._has_unsub_time = "unsubscribed_at" in present
        # Whose opt-outs a file's "Unsubscribed at", "Status" or name are: its channel's.
        file_name = plan.path.name if getattr(plan, "path", None) is not None else ""
        self.list_channel = list_channel(plan.channel, plan.mapping)
        self.list_channels = list_channels(file_name, plan.channel, plan.mapping)
        named_list = list_status(file_name, plan.header, plan.mapping) if self.nobody_check else None
        # A list of opt-outs known by its name alone: each row is one (see optout_lists).
        self.list_status = named_list if not consent_columns(plan.mapping, self.constants) else None
        # An opt-out list reads a reply it cannot read as the opt-out it most likely is.
        preset_key = plan.preset.key if plan.preset else ""
        self._optout_list = preset_key in _OPTOUT_LIST_PRESETS or named_list is not None
        self._reads_as_optout = {
            name: self._optout_list or any(says_opt_out(plan.header[i]) for i in self.columns.get(name, ()))
            for _, name in self._consent_fields
        }

    def __getstate__(self) -> dict:
        # A normalizer goes to worker processes (see parallel.py); of the plan, a row needs
        # only the date orders, the region and the decimal marks, and the whole plan (its preset) does not pickle.
        state = dict(self.__dict__)
        state["plan"] = _PlanForRows(self.plan.date_orders, self.plan.region, self.plan.decimal_marks)
        return state

    def cells(self, values: Sequence[str], joined: str | None = None) -> _Cells:
        """Clean each mapped cell once and find each field's first non-empty cell.

        ``joined`` is the row's cells joined by NUL: when it shows no cell that
        ``clean_cell`` would change (the usual row), the cells are taken as they are.
        """
        n = len(values)
        # None: no cell of the row needs cleaning; else the edges that show a cell needs none.
        plain = None if joined is not None and not _NEEDS_CLEANING.search(joined) else _PLAIN_EDGE
        # A city, an address, a tag or a custom field read with ESC or BEL in it went raw into every
        # export: what is read keeps none (the row itself stays as read).
        controls = joined is None or _CONTROL.search(joined) is not None
        cells: dict[int, str] = {}
        found: dict[str, tuple[str, int | None]] = dict(self._constant_hits)
        clean = nz.clean_cell
        strip = self.strip_prefixes
        for name, i in self._pairs:
            text = values[i] if i < n else ""
            if plain is not None and text and (text[0] not in plain or text[-1] not in plain or "\r" in text):
                text = clean(text)
            if controls and text:
                text = without_controls(text)
            if strip and text:
                text = nz.strip_type_prefix(text)
            cells[i] = text
            if text and (name not in found or found[name][1] is None):
                found[name] = (text, i)
        return _Cells(cells, found)

    def first(self, v: _Cells, name: str) -> tuple[str, int | None]:
        return v.found.get(name, _NOTHING)

    def every(self, v: _Cells, name: str) -> list[tuple[str, int]]:
        out = []
        for i in self.columns.get(name, ()):
            text = v.cells[i]
            if text:
                out.append((text, i))
        return out

    def _in_region(self, phones: Sequence[str]) -> bool:
        """Whether a row with these phones (E.164) may be of the workspace's region: it has no
        phone, or one of them is of its country code (country codes are prefix-free: "+1" is
        no other code's start)."""
        return not phones or self._region_dial is None or any(p.startswith(self._region_dial) for p in phones)

    def _label(self, i: int | None, name: str) -> str:
        return self.header[i] if i is not None and i < len(self.header) else FIELDS_BY_NAME[name].label

    def _datetime(self, row: Row, values: Sequence[str], name: str,
                  cell: tuple[str, int | None] | None = None) -> str | None:
        raw, i = self.first(values, name) if cell is None else cell
        if not raw:
            return None
        order = self.plan.date_orders.get(i, nz.default_date_order(self.plan.region)) if i is not None \
            else nz.default_date_order(self.plan.region)
        parsed = nz.parse_datetime(raw, order, "UTC" if i in self.utc_columns else self._zone)
        if parsed.problem:
            row.problems.append(f"{self._label(i, name)}: {parsed.problem}")
        return parsed.value

    def _consent_time(self, row: Row, v: _Cells, name: str, value: str | None = None,
                      cell: tuple[str, int | None] | None = None) -> _When | None:
        """A time that may date consent facts, read once (None: the row has none that can be read).

        A date whose day/month order the file does not prove and that reads both ways
        ("11/05/2026": 5 November month-first, 11 May day-first) is a guess.  A guess never
        dates a "yes": the grant is undated, and an undated yes never lifts an opt-out.  An
        opt-out (or a "no") takes the later reading: dated later, fewer grants come after
        it, so no yes the earlier reading would let in can lift it; and a real re-subscription
        after both readings still does.  (Undated, it would count on the import day, later
        still, and not even that one could.)

        ``cell``: the field's cell to read, (text, column index); else its first non-empty one.
        """
        if value is None:
            value = self._datetime(row, v, name, cell)
        if value is None:
            return None
        raw, i = self.first(v, name) if cell is None else cell
        yes_only = name in self._yes_times
        if i is None or i not in self.guessed_dates or not _either_way(raw):
            return _When(value, None if yes_only else value)
        if yes_only:
            return None  # a guess dates no "yes", and this time dates nothing else
        zone = "UTC" if i in self.utc_columns else self._zone
        readings = [r for r in (nz.parse_datetime(raw, order, zone).value
                                for order in (nz.DateOrder.DMY, nz.DateOrder.MDY)) if r]
        return _When(None, max(readings, key=lambda r: (to_utc(r) or r)) if readings else value)

    @property
    def reads_consent(self) -> bool:
        """Whether a row of this file can say anything of consent (a consent or opt-out column, a
        status, an unsubscribe time, a preset's constant, a list of opt-outs known by its name)."""
        return bool(self._consent_fields or self._optouts or self._status_optouts or self._has_unsub_time
                    or self.list_status is not None)

    def normalize(self, record: Record) -> Row:
        row = self._read(record)
        if row.skip is None:
            if row.unread_emails and _only_refuses(row):
                self._read_refusal_emails(row)
            row.unread_emails = []
            if self.nobody_check and not _known_by(row):
                # Its name, email or phone cells hold something, but nothing anyone is known by
                # ("a5@example.com" with a slip in it on a list of "yes", and no name, company or
                # street beside it): kept as read and flagged, but made into no customer with
                # nothing on it.
                row.skip = UNREADABLE
        return row

    def _read_refusal_emails(self, row: Row) -> None:
        """A refusal's address that cannot be read but that a person reads one way only
        (:func:`contact.refusal_email`: "a5@example.com." at the end of a sentence) is taken as that
        address, the row still flagged saying so: the safer reading of a refusal.  A "yes" is
        never read so."""
        for raw, at in row.unread_emails:
            address = refusal_email(raw)
            if address is None:
                continue
            if address not in row.emails:
                row.emails.append(address)
            row.problems[at] += READ_AS.format(address=address)

    def _read(self, record: Record) -> Row:
        row = Row(record=record)
        if record.footer:
            row.skip = FOOTER
            return row
        if record.total:
            row.skip = TOTAL_ROW
            return row
        if record.labels:
            row.skip = LABEL_ROW
            return row
        joined = "\0".join(record.values)
        if _TEST_LEAD_MARK in joined:
            row.skip = TEST_LEAD
            return row
        if self._repeats_header(record.values):
            row.skip = REPEATED_HEADER
            return row
        v = self.cells(record.values, joined)
        get = v.found.get
        if self.nobody_check and not any(name in v.found for name in self._identity):
            row.skip = NOBODY
            return row
        if record.problem:
            row.problems.append(record.problem)
        # emails and phones: several columns, several values per cell
        for raw, i in self.every(v, "email"):
            for part in _split_ids(raw):
                plain = nz.plain_email(part)
                if plain is not None:  # the everyday address, as normalize_email gives it
                    if plain not in row.emails:
                        row.emails.append(plain)
                    continue
                n = nz.normalize_email(part)
                if n.value:
                    if n.value not in row.emails:
                        row.emails.append(n.value)
                elif n.problem:
                    row.unread_emails.append((part, len(row.problems)))
                    row.problems.append(f"{self._label(i, 'email')}: {n.problem}")
        ext, _ = get("external_id", _NOTHING)
        row.external_id = ext or None
        self._names(row, v)
        # The shipping address stands in, whole, only when no billing part is there:
        # one street is never joined to the other's town.
        ship = "shipping_" if self.ships and not any(get(f, _NOTHING)[0] for f in _ADDRESS_PARTS) else ""
        # A value kept on one line is read as one (a line break inside a quoted city went into every
        # text and pack that names it): every run of spaces and line breaks is one space.  The
        # street's lines are joined with ", " below (its spacing as written: a one-cell address's
        # double spaces part it); a note keeps its lines; the row itself stays as read.
        company = get("company", _NOTHING)[0] or (get("shipping_company", _NOTHING)[0] if ship else "")
        row.company = clean_line(company)
        # The street lines when there are some: a one-line or "formatted" address (Google's)
        # repeats the city and postcode, which have columns of their own.
        line = "\n".join(x for x in (get(f"{ship}address1", _NOTHING)[0], get(f"{ship}address2", _NOTHING)[0])
                         if x)
        spaced = None
        if not line and not ship:
            line = get("address", _NOTHING)[0]
            spaced = _double_spaced(line)
            if spaced is not None:
                line = spaced[0]
        row.address = ", ".join(part.strip() for part in line.splitlines() if _address_text(part.strip()))
        row.city = get(f"{ship}city", _NOTHING)[0]
        row.region = get(f"{ship}region", _NOTHING)[0]
        raw_country, ci = get(f"{ship}country", _NOTHING)
        if spaced is not None:  # the parts the row has no column of its own for
            row.city = row.city or spaced[1]
            row.region = row.region or spaced[2]
            raw_country = raw_country or spaced[4]
        row.city, row.region, raw_country = clean_line(row.city), clean_line(row.region), clean_line(raw_country)
        # "n/a" or "none" for a town is no town (nor two records' shared one); a region only by the
        # words every cell means nothing by: "NA" is Naples' province.
        row.city = _address_text(row.city)
        row.region = "" if nz.is_placeholder(row.region) else row.region
        if raw_country:
            c = _country(raw_country)
            row.country = c.value or ""
            if c.problem:
                row.values["country_raw"] = raw_country
        # A row's own country is the best guide to how its local phone numbers are written;
        # else the file's region, and none at all in a file that mixes countries.
        phone_region = row.country or self.local_region
        phone_cells = self.every(v, "phone") or self.every(v, "shipping_phone")
        for raw, i in phone_cells:
            for part in _split_ids(raw, phone=True):
                if phone_region is None and is_local_number(part):
                    # Kept as read in the row, flagged: guessing a country would be wrong for some.
                    row.unread_phones.append((part, len(row.problems)))
                    row.problems.append(f"{self._label(i, 'phone')}: {self.mixed_problem}")
                    continue
                n = nz.normalize_phone(part, phone_region or self.plan.region)
                if n.value:
                    if n.value not in row.phones:
                        row.phones.append(n.value)
                    if not part.lstrip().startswith(("+", "00")):
                        row.bare_phones.append((_NOT_DIGITS.sub("", phone_text(part)), n.value))
                elif n.problem:
                    if not part.lstrip().startswith(("+", "00")):
                        row.unread_phones.append((part, len(row.problems)))
                    row.problems.append(f"{self._label(i, 'phone')}: {n.problem}")
        raw_post, _ = get(f"{ship}postcode", _NOTHING)
        if spaced is not None:
            raw_post = raw_post or spaced[3]
        raw_post = _address_text(clean_line(raw_post))
        if raw_post and raw_post.strip("0 -"):  # "00000" is no postcode
            # A row with no country is read as the workspace's region's, unless every phone
            # on it is another country's: a Sydney customer's "2000" is no ZIP that lost a zero.
            country = row.country or (self.plan.region if self._in_region(row.phones) else None)
            row.postcode = _postcode(raw_post, country)
        else:
            row.postcode = ""
        if not self._dated:
            raw_bday = ""
        else:
            raw_bday, bi = get("birthday", _NOTHING)
        if raw_bday:
            order = self.plan.date_orders.get(bi, nz.default_date_order(self.plan.region)) \
                if bi is not None else nz.default_date_order(self.plan.region)
            b = nz.parse_date(raw_bday, order)
            row.birthday = b.value
            if b.problem:
                row.problems.append(f"{self._label(bi, 'birthday')}: {b.problem}")
        for raw, _ in self.every(v, "tags"):
            for tag in _tags(raw):
                # Google marks its own groups "* starred", "* Family"; "* myContacts" is on
                # every contact and says nothing.
                tag = clean_line(tag[2:] if tag.startswith("* ") else tag)
                if tag and tag.casefold() != "mycontacts" and tag not in row.tags:
                    row.tags.append(tag)
        for name in self._text_fields:
            text = clean_line(get(name, _NOTHING)[0])
            if text:
                row.values[name] = text
        notes = [t for t, _ in self.every(v, "note")]
        if notes:
            row.values["note"] = "\n".join(notes)
        codes = [code for t, _ in self.every(v, "discount_code") if (code := clean_line(t))]
        if codes:
            row.values["discount_code"] = ", ".join(codes)
        for name in self._money_fields:
            raw, i = get(name, _NOTHING)
            if raw and nz.plain_amount(raw):  # "1234.5": parse_money's Decimal, and no currency
                row.values[name] = str(Decimal(raw))
            elif raw:
                m = nz.parse_money(raw, self.plan.decimal_marks.get(i))  # "3,500" as its column writes decimals
                if m.value is not None:
                    row.values[name] = str(m.value)
                    cur = nz.detect_currency(raw, self.shop_currency)
                    if cur and "currency" not in row.values:
                        row.values["currency"] = cur
                elif m.problem:
                    row.problems.append(f"{self._label(i, name)}: {m.problem}")
        for name in self._int_fields:
            raw, i = get(name, _NOTHING)
            if raw and raw.isascii() and raw.isdigit():  # what parse_int gives plain digits
                row.values[name] = int(raw)
            elif raw:
                n = nz.parse_int(raw)
                if n.value is not None:
                    row.values[name] = n.value
                elif n.problem:
                    row.problems.append(f"{self._label(i, name)}: {n.problem}")
        if not self._dated:
            self._consents(row, v, {}, None, None)
            return row
        self._zone = self._read_zone(row, v) if self._zoned else None
        created = self._datetime(row, v, "created_at")
        if created:
            row.values["created_at"] = created
        if get("last_active", _NOTHING)[0]:
            last_active = self._datetime(row, v, "last_active")
            if last_active:
                row.values["last_active"] = last_active
        if get("cancelled_at", _NOTHING)[0]:
            # Cancelled is cancelled even when the time cannot be read (that is flagged).
            row.values["cancelled_at"] = self._datetime(row, v, "cancelled_at") or get("cancelled_at", _NOTHING)[0]
        times = {name: when for name in self._time_fields if (when := self._consent_time(row, v, name)) is not None}
        unsub_at = self._consent_time(row, v, "unsubscribed_at")
        row.occurred_at = self._datetime(row, v, "occurred_at")
        clock, ti = get("occurred_time", _NOTHING)
        if clock:
            if row.occurred_at is None:
                row.occurred_at = self._datetime(row, v, "occurred_time")
            elif len(row.occurred_at) == 10:  # a bare date, with the time in its own column
                joined = nz.parse_datetime(f"{row.occurred_at} {clock}", nz.DateOrder.YMD, self._zone)
                if joined.value:
                    row.occurred_at = joined.value
                else:
                    row.problems.append(f"{self._label(ti, 'occurred_time')}: {joined.problem}")
        # A consent cell is dated only by a time the file gives the consent itself (see
        # omnidesk.core.consent).  A "yes" may also take the row's sign-up time, or a form's
        # sending time: it cannot have been given before either.  An opt-out never takes an
        # earlier time than its own, and no flag takes an order's date: Shopify's "Accepts
        # Marketing" on an order row is the customer's flag as of the export.
        self._consents(row, v, times, self._grant_fallback(row, v, created), unsub_at)
        return row

    def _read_zone(self, row: Row, v: _Cells) -> tzinfo | None:
        """The zone the row's "Time zone" cell names, for its times written without an offset.

        A zone no one knows is flagged, and the row's times are read on the shop's clock."""
        raw, i = self.first(v, "time_zone")
        if not raw:
            return None
        zone = zone_named(raw)
        if zone is None:
            row.problems.append(f"{self._label(i, 'time_zone')}: not a time zone Omnidesk knows: {raw[:40]}")
        return zone

    def _repeats_header(self, values: Sequence[str]) -> bool:
        """Whether a row is the file's header line again: most of its cells (more than half of
        the named columns, two at least where there are two) are the header's, whatever their
        case and spacing.  Two exports pasted one under the other keep the second one's header,
        whose "Accepts Marketing" is no answer and whose "First Name" is nobody's."""
        cells = self._header_cells
        needed = len(cells) // 2 + 1
        misses = len(cells) - needed  # how many cells may differ before the row cannot be one
        count = len(values)
        for i, key in cells:
            if i < count and _cell_key(values[i]) == key:
                needed -= 1
                if not needed:
                    return True
            else:
                misses -= 1
                if misses < 0:
                    return False
        return False

    def _grant_fallback(self, row: Row, v: _Cells, created: str | None) -> str | None:
        """The time a "yes" without a consent time of its own takes: the row's sign-up time, or
        a form's sending time; neither when its day/month order is a guess."""
        if not self._consent_fields:
            return None  # only a consent column grants
        if created:
            signed_up = self._consent_time(row, v, "created_at", created)
            if signed_up is not None and signed_up.grant:
                return signed_up.grant
        if self.form_times and row.occurred_at:
            sent = self._consent_time(row, v, "occurred_at", row.occurred_at)
            return sent.grant if sent is not None else None
        return None

    def _time_field(self, channel: str) -> str | None:
        """The field of a channel's consent time: its own where the file has one for it; else the
        file's one consent time, unless the file dates other channels on their own (that time may
        be theirs: a channel never borrows another channel's time)."""
        own = self._own_times.get(channel)
        if own is not None:
            return own
        return None if self._own_times else "consent_at"

    def _channel_time(self, channel: str, times: dict[str, _When]) -> _When | None:
        """The time of a channel's consent (see ``_time_field``), its first cell's."""
        name = self._time_field(channel)
        return times.get(name) if name is not None else None

    def _cell_time(self, row: Row, v: _Cells, channel: str, i: int | None,
                   times: dict[str, _When]) -> _When | None:
        """The time of the consent in column ``i`` (None: the preset's constant).

        Where the channel has one time column, it dates each of the channel's consent cells.
        Where it has several (Klaviyo's timestamp per consent column), a cell is dated by its own
        column's time only: empty, or with no time column of its own, it is undated, the safer
        reading (an undated "yes" lifts no refusal; an undated opt-out counts from its file).
        """
        name = self._time_field(channel)
        if name is None:
            return None
        if len(self.columns.get(name, ())) < 2 or i is None:
            return times.get(name)
        j = self._paired.get(i)
        if j is None or not v.cells[j]:
            return None
        if self.first(v, name)[1] == j:
            return times.get(name)  # read already (and flagged once if it cannot be)
        return self._consent_time(row, v, name, cell=(v.cells[j], j))

    def _fact(self, channel: str, status: str, when: _When | None, fallback: str | None,
              unsub_at: _When | None) -> tuple[str, str | None]:
        """A channel's fact with the time it may take (see ``_consent_time`` for guessed dates)."""
        if status == nz.GRANTED:
            return status, (when.grant if when is not None else fallback)
        if status == nz.UNSUBSCRIBED and unsub_at is not None and (when is None or channel not in self._own_times):
            when = unsub_at  # the file's unsubscribe time, unless the channel has a time of its own
        return status, (when.other if when is not None else None)

    def _said(self, row: Row, v: _Cells, name: str) -> list[tuple[str, int | None]]:
        """Each status a consent field's cells (and a preset's constant, column None) say on the row,
        with its column; an unreadable cell is flagged (on an opt-out list, read as the opt-out)."""
        said: list[tuple[str, int | None]] = []
        constant = self._constant_hits.get(name)
        cells = self.every(v, name)
        if constant is not None:
            c = _consent(constant[0])
            if c.value:
                said.append((c.value, None))
        for raw, i in cells:
            c = _consent(raw)
            if c.value:
                said.append((c.value, i))
            elif self._reads_as_optout[name] and (c.problem or nz.is_no_answer(raw)):
                # On an opt-out list a reply that cannot be read is, safely, the opt-out it most
                # likely is ("Arrêtez"), and so is one that says nothing ("Unknown": the number is
                # on the list all the same); the row is flagged so that someone looks.
                said.append((nz.UNSUBSCRIBED, i))
                why = c.problem or f"no answer: {nz.clean_cell(raw)[:30]}"
                row.problems.append(f"{self._label(i, name)}: {why}; read as an opt-out, the safer "
                                    "reading of an opt-out list")
            elif c.problem:
                row.problems.append(f"{self._label(i, name)}: {c.problem}")
        return said

    def _consents(self, row: Row, v: _Cells, times: dict[str, _When], fallback: str | None,
                  unsub_at: _When | None) -> None:
        get = v.found.get
        # Every consent cell of a channel counts, each its own fact with its own column's time: two
        # columns of one channel (Klaviyo's "SMS Consent" and "SMS Marketing Consent") are two
        # statements, and omnidesk.core.consent decides between them as between two files (the
        # later dated wins; on one day, or undated, the stricter), with the shop's days and the
        # file's import time, which a row does not know.  A "yes" in the first column never
        # hides a "stop" in the second.
        # A preset's constant is what every row of its file is (Mailchimp's cleaned export):
        # a cell only makes it stricter.  A merge field saying "yes" on a bounced address is
        # the audience's old answer, not a re-subscription: the channel's one fact is the
        # strictest of the constant and the cells, at the channel's time.
        for channel, name in self._consent_fields:
            said = self._said(row, v, name)
            if not said:
                continue
            if name in self._constant_hits:
                status = max((s for s, _ in said), key=_rank)
                facts = [self._fact(channel, status, self._channel_time(channel, times), fallback, unsub_at)]
            else:
                facts = []
                for status, i in said:
                    fact = self._fact(channel, status, self._cell_time(row, v, channel, i, times), fallback,
                                      unsub_at)
                    if fact not in facts:
                        facts.append(fact)
            row.consents[channel] = facts
        channel = self.list_channel
        # A list of people's "Status" that says "do not send" ("unsubscribed", "bounced").
        if self._status_optouts:
            status = _status_optout(get("status", _NOTHING)[0])
            if status:
                _at_least(row, channel, status,
                          self._fact(channel, status, self._channel_time(channel, times), fallback, unsub_at))
        # A row with an unsubscribe time is an unsubscribe at that time (an unreadable time is
        # flagged, and the unsubscribe stays, undated), unless the row says another opt-out or
        # gives its grant a time after it: a "yes" the file does not date after the unsubscribe
        # does not outvote it.
        if self._has_unsub_time and get("unsubscribed_at", _NOTHING)[0] \
                and not any(status in OPT_OUTS for facts in row.consents.values() for status, _ in facts):
            when = unsub_at.other if unsub_at is not None else None
            said = row.consents.get(channel, [])
            later = [f for f in said if f[0] == nz.GRANTED and _later(f[1], when)]
            if not said or len(later) < len(said):
                row.consents[channel] = [*later, (nz.UNSUBSCRIBED, when)]
        # A list of opt-outs known by its name: each row is one (never a grant).
        if self.list_status is not None:
            for closed in self.list_channels:  # a "do not contact" list closes every channel
                _at_least(row, closed, self.list_status, (self.list_status, None))
        # "Do not contact", "Bounced", ...: a set flag closes its channels, undated (it describes
        # the person as of the file), unless the cell gives its time (a list of suppressions,
        # Klaviyo's).  Within one row the stricter word wins, whatever the row's consent says:
        # a suppressed profile is not sent to even with a "yes".
        # Every column counts: HubSpot's "Marketing contact status" saying all is well does not
        # hide "Unsubscribed from all email: true" beside it.
        for name, (when_set, channels) in self._optouts:
            said_here = [(s, raw) for raw, _ in self.every(v, name) if (s := _optout(raw, when_set).value)]
            if not said_here:
                continue
            status = max((s for s, _ in said_here), key=_rank)
            at = _suppressed_at([raw for s, raw in said_here if s == status], when_set)
            for channel in channels:
                _at_least(row, channel, status, (status, at))

    def _names(self, row: Row, v: _Cells) -> None:
        """First, middle and last names, and the whole name with every word.

        The file's own first/middle/last columns decide the split when it has
        them; a full-name column is split by ``nz.parse_full_name``, and is the
        whole name as written when there is one.
        """
        get = v.found.get
        first_raw, last_raw = get("first_name", _NOTHING)[0], get("last_name", _NOTHING)[0]
        raw_full = get("full_name", _NOTHING)[0]
        if not raw_full and not first_raw and not last_raw:
            # An order's shipping name is the buyer's when the billing one is empty.
            raw_full = get("shipping_name", _NOTHING)[0]
        # A "name" that is really an email or a web domain (Stripe's Name often is) is no name.
        not_names = [x for x in (first_raw, last_raw, raw_full) if x and _not_a_name(x)]
        for text in not_names:
            if "@" not in text:
                row.named_by_domain = True
            # An email given as the name still reaches the person when no column had one.
            if "@" in text and not row.emails:
                n = nz.normalize_email(text)
                if n.value:
                    row.emails.append(n.value)
        first = _name("" if first_raw in not_names else first_raw)
        middle = _name(get("middle_name", _NOTHING)[0])
        last = _family("" if last_raw in not_names else last_raw)
        raw_full = "" if raw_full in not_names else raw_full
        parts = _full_name(raw_full, self.plan.region) if raw_full else None
        if not first and not last and parts is not None:
            first, last = parts.first, parts.last
            middle = middle or parts.middle
        elif parts is not None and not middle and parts.first == first and parts.last == last:
            middle = parts.middle
        row.first_name, row.middle_name, row.last_name = first, middle, last
        row.full_name = parts.full if parts is not None else _composed_name(first, middle, last)
        if self._has_readings:
            self._readings(row, v)

    def _readings(self, row: Row, v: _Cells) -> None:
        """How the first and last name are read: their own columns, or one for the whole name."""
        row.first_name_reading, row.last_name_reading = nz.name_readings(
            self.first(v, "first_name_reading")[0], self.first(v, "last_name_reading")[0],
            self.first(v, "full_name_reading")[0], self.plan.region)


# A numeric date with the year last, as DateEvidence counts one that could be either.
_DAY_MONTH_YEAR = re.compile(r"^\s*(\d{1,2})[/.\-](\d{1,2})[/.\-](?:\d{2}|\d{4})(?=$|[\sT,])")


def _cell_key(text: str) -> str:
    """A cell or header as a repeated header line is compared: casefolded, spaces collapsed."""
    return " ".join(text.casefold().split())


def _either_way(raw: str) -> bool:
    """Whether a date reads as two different days day-first and month-first ("11/05/2026")."""
    m = _DAY_MONTH_YEAR.match(raw)
    if not m:
        return False
    x, y = int(m.group(1)), int(m.group(2))
    return x != y and 1 <= x <= 12 and 1 <= y <= 12


def _later(granted_at: str | None, unsub_at: str | None) -> bool:
    """Whether a grant's own time is after an unsubscribe's (False when either has none)."""
    if not granted_at or not unsub_at:
        return False
    return (to_utc(granted_at) or "") > (to_utc(unsub_at) or "\uffff")


def _suppressed_at(cells: list[str], when_set: str) -> str | None:
    """The latest time cells listing suppressions give the opt-out they say (None: undated)."""
    times = []
    for raw in cells:
        listed = nz.suppressions(raw, when_set) if raw.startswith("[") else None
        if listed is not None and listed[1]:
            parsed = nz.parse_datetime(listed[1], nz.DateOrder.YMD).value
            if parsed:
                times.append(parsed)
    return max(times, key=lambda t: to_utc(t) or t) if times else None


def _rank(status: str) -> int:
    return STRICTNESS.get(status, 0)


def _only_refuses(row: Row) -> bool:
    """Whether a row only takes consent away: it says a refusal (a "no", an opt-out, a bounce) on
    some channel and nothing else on any (a row that also says "yes" somewhere is no refusal)."""
    statuses = [status for facts in row.consents.values() for status, _ in facts]
    return bool(statuses) and all(_rank(status) >= _rank(DENIED) for status in statuses)


def refuses(row: Row) -> bool:
    """Whether a row takes consent away on a channel that reaches a phone (SMS, WhatsApp: an
    opt-out, a denial, a "do not call").  Only such a refusal is about the row's number: an email
    unsubscribe or bounce says nothing of it, so its unreadable number is looked up, or waits,
    no more than a contact's would (see known_numbers)."""
    return any(_rank(status) >= _rank(DENIED)
               for code, facts in row.consents.items() if _reaches_phone(code) for status, _ in facts)


def _reaches_phone(code: str) -> bool:
    found = BY_CODE.get(code)
    return found is not None and found.reaches == PHONE


def _known_by(row: Row) -> bool:
    """Whether anything read off a row names someone: an email, a phone (or a refusal's number
    waiting for the customer who has it, see known_numbers), an ID, a name (its reading, a nickname,
    a web domain given for it), a company or a street address.  A business known by its company
    alone ("Acme Ltd" beside "orders@acme") is a customer, its spend and orders with it; only a row
    whose one identifying cell is an address or a number that cannot be read names no one."""
    return bool(row.emails or row.phones or row.external_id or row.first_name or row.last_name
                or row.full_name or row.first_name_reading or row.last_name_reading or row.named_by_domain
                or row.values.get("nickname") or row.company or row.address
                or (row.unread_phones and refuses(row)))


def _at_least(row: Row, channel: str, status: str, fact: tuple[str, str | None]) -> None:
    """What the row says on ``channel`` is at least as strict as ``status``: its facts that are
    stand, and ``fact`` (saying ``status``) stands for the row when none is."""
    kept = [f for f in row.consents.get(channel, ()) if _rank(f[0]) >= _rank(status)]
    row.consents[channel] = kept or [fact]


def _paired_times(header: Sequence[str], columns: dict[str, list[int]],
                  time_fields: dict[str, str]) -> dict[int, int]:
    """Consent column -> its own time column, for each channel with several time columns.

    A time column is a consent column's when its header is that column's header and more
    ("SMS Marketing Consent Timestamp" is "SMS Marketing Consent"'s, not "SMS Consent"'s):
    the longest such header wins.  ``time_fields``: channel -> the field of its consent time.
    """
    out: dict[int, int] = {}
    for channel, time_name in time_fields.items():
        time_columns = columns.get(time_name, [])
        if len(time_columns) < 2:
            continue  # one time dates every consent cell of its channel
        keys = {c: header_key(header[c]) for c in columns.get(f"consent_{channel}", ()) if c < len(header)}
        for j in time_columns:
            key = header_key(header[j]) if j < len(header) else ""
            owners = [c for c, k in keys.items() if k and key.startswith(f"{k} ") and c not in out]
            if owners:
                out[max(owners, key=lambda c: len(keys[c]))] = j
    return out


def _split_ids(raw: str, phone: bool = False) -> list[str]:
    """Split a cell holding several emails or phones (Google's ' ::: ', ';', ',' for emails)."""
    if ":::" in raw:
        parts = raw.split(":::")
    elif not phone and ("," in raw or ";" in raw):
        parts = raw.replace(";", ",").split(",")
    elif phone and ";" in raw:
        parts = raw.split(";")
    else:
        return [raw]
    return [p.strip() for p in parts if p.strip()]


def row_hash(channel: str, header: Sequence[str], values: Sequence[str]) -> str:
    return row_hasher(channel, header)(values)


def row_hasher(channel: str, header: Sequence[str]):
    """:func:`row_hash` for one file's rows: the channel and header are hashed once."""
    start = hashlib.sha1()
    start.update(channel.encode())
    start.update(b"\x1e")
    start.update("\x1f".join(header).encode("utf-8", "surrogatepass"))
    start.update(b"\x1e")

    def hash_row(values: Sequence[str]) -> str:
        h = start.copy()
        h.update("\x1f".join(values).encode("utf-8", "surrogatepass"))
        return h.hexdigest()

    return hash_row


_FORM_TIME_WORDS = ("submit", "submission", "timestamp")


def _is_form_export(plan: ImportPlan) -> bool:
    """A list of people, each with the moment they sent a website or survey form.

    Every row is then also the fact that they submitted it.  Told by the time
    column's header ("Submitted at", "Submission Date", Google Forms'
    "Timestamp") or by a website or social file with a time per row; a shop's
    "Order Date" on a customer list is not a form.
    """
    times = [plan.header[i].lower() for i, f in enumerate(plan.mapping) if f == "occurred_at"]
    if not times:
        return False
    return plan.channel in ("web", "social") or any(w in h for h in times for w in _FORM_TIME_WORDS)
