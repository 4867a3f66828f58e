"""The import path every file takes, from the GUI wizard, the CLI and the demo.

``analyze`` sniffs a file and proposes a plan (format, preset, mapping, kind,
channel, date orders) without touching the workspace.  ``run_import`` is a
progress generator that streams the file into the workspace in one
transaction: raw rows are kept, values normalized, problems flagged, events and
consent facts recorded, records linked to customers.  Cancelling or any error
rolls the whole file back.  A dry run does the same work and rolls back too,
so its counts are exactly what a real import would do.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import defaultdict
from collections.abc import Generator, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from itertools import islice
from pathlib import Path

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import OperationalError

from omnidesk.core.consent import STRICTNESS
from omnidesk.core.dialect import indexes_suspended, insert_many, insert_returning_ids, is_lock_error
from omnidesk.core.errors import UserError
from omnidesk.core.identity.employer import work_key
from omnidesk.core.identity.keys import last_key, last_sound
from omnidesk.core.identity.resolve import model_from_settings, resolve_batch
from omnidesk.core.importing import normalize as nz
from omnidesk.core.importing import running
from omnidesk.core.importing.custom_fields import CustomColumns, insert_custom_fields
from omnidesk.core.importing.evidence import events_evidence
from omnidesk.core.importing.fields import FIELDS_BY_NAME, IGNORE, OPTOUT_FIELDS, FieldType, Kind
from omnidesk.core.importing.flagged import FlaggedRow, FlaggedRows
from omnidesk.core.importing.phone_region import (
    PhoneRegion,
    RegionEvidence,
    check_region,
    chosen,
    decide_phone_region,
    is_local_number,
)
from omnidesk.core.importing.presets import (
    AS_EVENT_TIME,
    ColumnGuess,
    Preset,
    detect_preset,
    get_preset,
    guess_channel,
    guess_kind,
    guess_mapping,
    header_key,
    header_signature,
)
from omnidesk.core.importing.sniff import FileFormat, Record, file_sha256, read_records, sniff
from omnidesk.core.models import (
    Consent,
    Event,
    Identifier,
    ImportBatch,
    MatchDecision,
    SavedMapping,
    SourceRecord,
    Suppression,
    utcnow,
)
from omnidesk.core.money import NOT_SPEND, format_money, order_status
from omnidesk.core.text import printable
from omnidesk.core.timeutil import to_utc
from omnidesk.core.suppression import workspace_salt as privacy_salt
from omnidesk.core.suppression import known_suppressions, row_suppression_keys
from omnidesk.core.tasks import Cancelled, CancelCheck, Progress, never_cancelled, run_to_completion
from omnidesk.core.workspace import Workspace

CHUNK = 5000
DATE_SAMPLE = 5000
PREVIEW_ROWS = 50


@dataclass
class ImportOptions:
    channel: str | None = None
    preset: str | None = None  # a preset key; None detects
    kind: str | None = None  # "contacts" | "events"; None detects
    region: str | None = None  # phone/date region; None = the file's evidence, else the workspace's setting
    mapping: list[str] | None = None  # a field per column, overriding the guesses
    encoding: str | None = None  # the file's encoding as the user names it; None detects


@dataclass
class ImportPlan:
    """Everything decided about one file before it is imported."""

    path: Path
    file_hash: str
    file_size: int
    fmt: FileFormat
    preset: Preset | None
    guesses: list[ColumnGuess]
    mapping: list[str]
    mapping_source: str  # "preset" | "saved" | "guessed" | "user"
    kind: str
    channel: str
    region: str
    date_orders: dict[int, nz.DateOrder]
    preview: list[Record]
    previous_batch: int | None = None
    warnings: list[str] = field(default_factory=list)
    # An error report saved by omnidesk and fixed: the columns naming each row's original.
    report_columns: tuple[int, int] | None = None  # (omnidesk_batch, omnidesk_row)
    # How numbers without a country code are read, and why (see phone_region).
    phone_region: PhoneRegion | None = None
    region_evidence: RegionEvidence = field(default_factory=RegionEvidence, repr=False, compare=False)

    def file_phone_region(self) -> PhoneRegion:
        """What the file's own evidence decides (else the workspace's region), whatever was chosen."""
        return decide_phone_region(self.region_evidence, self.region)

    @property
    def local_phone_region(self) -> str | None:
        """The region numbers without a country code are read as (None: they are flagged)."""
        return self.phone_region.code if self.phone_region is not None else self.region

    @property
    def file_name(self) -> str:
        return self.path.name

    @property
    def header(self) -> tuple[str, ...]:
        return self.fmt.header

    def with_changes(self, *, mapping: Sequence[str] | None = None, kind: str | None = None,
                     channel: str | None = None, phone_region: str | None = None) -> ImportPlan:
        """A copy with the user's corrections; a new mapping re-decides kind, date orders and
        the phone region.  ``phone_region`` is a region code the user chose, or "" to let the
        file's evidence decide again."""
        plan = self
        if mapping is not None:
            mapping = list(mapping)
            _check_mapping(mapping, len(self.header))
            plan = replace(plan, mapping=mapping, mapping_source="user",
                           kind=kind or guess_kind(mapping).value)
            orders, warnings, evidence = _scan(plan.path, plan.fmt, mapping, plan.region)
            decided = plan.phone_region
            if decided is None or decided.source != "chosen":
                decided = decide_phone_region(evidence, plan.region)
            plan = replace(plan, date_orders=orders, region_evidence=evidence, phone_region=decided,
                           warnings=[*plan.fmt.warnings, *warnings, *_phone_region_notes(decided, plan.region, mapping)])
            if kind is None and plan.kind == Kind.EVENTS.value and plan.preset is None:
                plan = _events_need_evidence(plan)
        if phone_region is not None:
            decided = (chosen(phone_region, "chosen by you") if phone_region
                       else decide_phone_region(plan.region_evidence, plan.region))
            notes = [w for w in plan.warnings if not w.startswith(_PHONE_NOTE)]
            plan = replace(plan, phone_region=decided,
                           warnings=notes + _phone_region_notes(decided, plan.region, plan.mapping))
        if kind is not None:
            plan = replace(plan, kind=Kind(kind).value)
        if channel is not None:
            plan = replace(plan, channel=channel)
        return plan


@dataclass
class ImportResult:
    file_name: str
    preset: str | None
    kind: str
    channel: str
    batch_id: int | None = None
    rows: int = 0
    imported: int = 0
    flagged: int = 0
    duplicates: int = 0
    events: int = 0
    new_customers: int = 0
    updated_customers: int = 0
    queued_reviews: int = 0
    suppressed: int = 0  # rows of erased people, not imported
    skipped: int = 0  # rows kept as read that are nobody (no name, email, phone or id; test leads)
    dry_run: bool = False
    already_imported: int | None = None  # the batch that imported this exact file before
    header: tuple[str, ...] = ()
    flagged_rows: FlaggedRows = field(default_factory=FlaggedRows, compare=False)
    # later line-item rows of multi-row orders -> the order's first row
    followers: dict[int, int] = field(default_factory=dict, repr=False)
    # why rows were skipped -> their record numbers
    skipped_rows: dict[str, list[int]] = field(default_factory=dict, compare=False)

    def skip_notes(self) -> list[str]:
        """One sentence per reason rows were skipped, naming the first few rows."""
        notes = []
        for reason, numbers in self.skipped_rows.items():
            shown = ", ".join(str(n) for n in numbers[:5]) + (", …" if len(numbers) > 5 else "")
            rows = "row" if len(numbers) == 1 else "rows"
            notes.append(f"{len(numbers)} {rows} skipped, {reason} ({rows} {shown}): "
                         "kept as read, but not made into customers.")
        return notes

    def summary(self) -> dict:
        return {
            "file": self.file_name,
            "preset": self.preset,
            "kind": self.kind,
            "channel": self.channel,
            "rows": self.rows,
            "imported": self.imported,
            "flagged": self.flagged,
            "duplicates": self.duplicates,
            "events": self.events,
            "new_customers": self.new_customers,
            "updated_customers": self.updated_customers,
            "queued_reviews": self.queued_reviews,
            "suppressed": self.suppressed,
            "skipped": self.skipped,
            "skipped_rows": {reason: numbers[:100] for reason, numbers in self.skipped_rows.items()},
            "batch_id": self.batch_id,
            "dry_run": self.dry_run,
        }


# -- planning ---------------------------------------------------------------------


def _check_mapping(mapping: Sequence[str], width: int) -> None:
    if len(mapping) != width:
        raise UserError(f"The mapping has {len(mapping)} columns but the file has {width}.")
    for name in mapping:
        if name != IGNORE and name not in FIELDS_BY_NAME:
            raise UserError(f"Unknown field '{name}' in the mapping.")


def _date_columns(mapping: Sequence[str]) -> list[int]:
    return [
        i for i, f in enumerate(mapping)
        if f != IGNORE and FIELDS_BY_NAME[f].type in (FieldType.DATE, FieldType.DATETIME)
    ]


def _decide_date_orders(path: Path, fmt: FileFormat, mapping: Sequence[str],
                        region: str) -> tuple[dict[int, nz.DateOrder], list[str]]:
    orders, warnings, _ = _scan(path, fmt, mapping, region)
    return orders, warnings


def _scan(path: Path, fmt: FileFormat, mapping: Sequence[str],
          region: str) -> tuple[dict[int, nz.DateOrder], list[str], RegionEvidence]:
    """Decide day/month order per date column from the column itself, else the region,
    and count what the file says about its phone numbers' country, in one pass.

    Evidence is counted value by value as the file streams past, so memory does not
    grow with the file.  The first DATE_SAMPLE rows usually settle a column (a 13th
    or later day shows up fast); while one has no evidence yet, the rest of the file
    is read before falling back to the region's order.  A column holding both
    day-first and month-first dates is read as ``DateOrder.MIXED``: its dates that
    could be either are left empty and their rows flagged, never guessed.  (A
    contradiction first seen after a column was settled shows up as an impossible
    date on that row, flagged too.)

    The phone evidence (numbers written with a country code, country column values)
    is counted over the first DATE_SAMPLE rows only: that many settle a file's country,
    and a file without date columns is not read further for it.
    """
    columns = _date_columns(mapping)
    phones = [i for i, f in enumerate(mapping) if f == "phone"]
    countries = [i for i, f in enumerate(mapping) if f == "country"]
    evidence = {i: nz.DateEvidence() for i in columns}
    found = RegionEvidence()
    if not columns and not (phones or countries):
        return {}, [], found
    records = read_records(path, fmt)
    try:
        for n, rec in enumerate(records, 1):
            values = rec.values
            width = len(values)
            for i, ev in evidence.items():
                if i < width and values[i]:
                    ev.add(values[i])
            if n <= DATE_SAMPLE:
                if phones or countries:
                    country = next((values[i] for i in countries if i < width and values[i].strip()), "")
                    found.add([values[i] for i in phones if i < width], country)
            else:
                found.complete = False
            if n >= DATE_SAMPLE and all(ev.decided or ev.conflicting for ev in evidence.values()):
                found.complete = False
                break
    finally:
        records.close()
    if not columns:
        return {}, [], found
    orders: dict[int, nz.DateOrder] = {}
    warnings = []
    for i, ev in evidence.items():
        orders[i] = ev.column_order(region)
        if ev.conflicting:
            either = (f"dates that could be either, such as {ev.ambiguous_example}, are left empty "
                      "and their rows flagged" if ev.ambiguous_example
                      else "each date is read the only way it can be")
            warnings.append(
                f"Dates in column '{fmt.header[i]}' are written both day-first "
                f"({ev.day_first_example}) and month-first ({ev.month_first_example}); {either}."
            )
        elif not ev.decided and ev.ambiguous:
            warnings.append(
                f"Dates in column '{fmt.header[i]}' could be day/month or month/day and nothing "
                f"in the column decides; read {_READ_AS[orders[i]]} from the region {region}."
            )
    return orders, warnings, found


_PHONE_NOTE = "phone region: "


def _phone_region_notes(decided: PhoneRegion, default: str, mapping: Sequence[str]) -> list[str]:
    """The plan's note on the phone region, when the file's numbers are read otherwise than
    as the workspace's region (and the user did not choose it)."""
    if "phone" not in mapping or decided.source == "chosen":
        return []
    if decided.code is None or decided.code != default:
        return [decided.summary()]
    return []


# How a date with the year last is read in each order (a year-first region cannot
# apply to it, so such dates are read day-first there).
_READ_AS = {nz.DateOrder.DMY: "day-first (DMY)", nz.DateOrder.MDY: "month-first (MDY)",
            nz.DateOrder.YMD: "day-first (DMY)"}


def analyze(ws: Workspace, path: str | Path, options: ImportOptions | None = None) -> ImportPlan:
    """Read enough of ``path`` to propose how to import it; the workspace is not changed.

    Raises :class:`~omnidesk.core.importing.sniff.UnreadableFileError` (a
    :class:`UserError`) for a file that cannot be imported at all.
    """
    options = options or ImportOptions()
    path = Path(path)
    explicit = check_region(options.region) if options.region else None
    region = explicit or str(ws.get_setting("default_region") or "US").upper()
    fmt = sniff(path, encoding=options.encoding, region=region)
    if options.preset:
        try:
            preset = get_preset(options.preset)
        except KeyError as exc:
            raise UserError(str(exc.args[0]) if exc.args else f"Unknown preset {options.preset}") from exc
    else:
        preset = detect_preset(fmt.header)
    guesses = guess_mapping(fmt.header, preset)
    mapping = [g.field for g in guesses]
    source = "preset" if preset else "guessed"
    saved_channel = saved_kind = None
    report_columns = _report_columns(fmt.header)
    origin = _report_origin(ws, path, fmt, report_columns) if report_columns else None
    if report_columns:
        for i in (*report_columns, fmt.header.index(REPORT_PROBLEMS)):
            mapping[i] = IGNORE
    if origin is not None and options.mapping is None:
        # The original file's mapping, channel and kind: a fixed row reads as it was meant to.
        mapping, source = origin["mapping"] + [IGNORE] * (len(fmt.header) - len(origin["mapping"])), "saved"
        saved_channel, saved_kind = origin["channel"], origin["kind"]
        if preset is None and origin["preset"] and not options.preset:
            preset = get_preset(origin["preset"])
    elif options.mapping is not None:
        _check_mapping(options.mapping, len(fmt.header))
        mapping, source = list(options.mapping), "user"
    else:
        with ws.engine.connect() as conn:
            saved = conn.execute(
                select(SavedMapping).where(SavedMapping.signature == header_signature(fmt.header))
            ).first()
        if saved is not None:
            remembered = json.loads(saved.mapping_json)
            if len(remembered) == len(fmt.header):
                mapping, source = remembered, "saved"
                saved_channel, saved_kind = saved.channel, saved.kind
    content_notes: list[str] = []
    if source == "guessed":
        mapping, guesses, content_notes = _emails_by_content(path, fmt, mapping, guesses)
    kind = options.kind or saved_kind or (preset.kind.value if preset else guess_kind(mapping).value)
    channel = options.channel or saved_channel or guess_channel(path.name, fmt.header, preset)
    if source == "guessed":
        mapping = _consent_for_channel(mapping, fmt.header, channel)
    orders, warnings, evidence = _scan(path, fmt, mapping, region)
    phone_region = decide_phone_region(evidence, region, explicit)
    if origin is not None:
        # A few fixed rows say little about day/month order or the phone region; the original file said more.
        orders.update({i: o for i, o in origin["date_orders"].items() if i < len(fmt.header)})
        warnings = [w for w in warnings if "could be day/month" not in w]
        if explicit is None and origin["phone_region"] is not None:
            phone_region = origin["phone_region"]
        warnings.append(f"This is the error report of import {origin['batch_id']} ({printable(origin['file_name'])}): "
                        "each fixed row joins the customer of the row it corrects.")
    # How the file was read comes first: a wrong encoding spoils everything after it.
    warnings = [*fmt.warnings, *warnings]
    warnings += _phone_region_notes(phone_region, region, mapping)
    warnings += content_notes
    if kind == Kind.CONTACTS.value and not any(f in _IDENTITY for f in mapping):
        warnings.append("No column of this file was recognised as a name, email, phone or customer ID, "
                        "so its rows would all be skipped: say what its columns hold in the import wizard.")
    plan_kind_guessed = not (options.kind or saved_kind or preset)
    file_hash = file_sha256(path)
    with ws.engine.connect() as conn:
        previous = conn.execute(
            select(ImportBatch.id).where(
                ImportBatch.file_hash == file_hash, ImportBatch.status == "done"
            ).order_by(ImportBatch.id)
        ).scalar()
    preview = list(islice(read_records(path, fmt), PREVIEW_ROWS))
    plan = ImportPlan(
        path=path, file_hash=file_hash, file_size=path.stat().st_size, fmt=fmt, preset=preset,
        guesses=guesses, mapping=mapping, mapping_source=source, kind=kind, channel=channel,
        region=region, date_orders=orders, preview=preview, previous_batch=previous,
        warnings=warnings, report_columns=report_columns, phone_region=phone_region,
        region_evidence=evidence,
    )
    if plan_kind_guessed and kind == Kind.EVENTS.value:
        plan = _events_need_evidence(plan)
    return plan


_EMAIL_VALUE = re.compile(r"^[^@\s,;<>]+@[^@\s,;<>]+\.[^@\s,;<>]{2,}$")


def _emails_by_content(path: Path, fmt: FileFormat, mapping: list[str], guesses: list[ColumnGuess]
                       ) -> tuple[list[str], list[ColumnGuess], list[str]]:
    """Map to ``email`` the column whose values are email addresses, when no header named one.

    Headers in a language the guesser does not know ("E-posta", "電子メール アドレス") would
    otherwise leave a file's people without their address, or skipped as nobody.  Only an
    unmapped column qualifies, and only when nearly all of its first values are addresses.
    """
    if "email" in mapping:
        return mapping, guesses, []
    records = read_records(path, fmt)
    try:
        sample = [r.values for r in islice(records, PREVIEW_ROWS)]
    finally:
        records.close()
    for i, field in enumerate(mapping):
        if field != IGNORE:
            continue
        values = [row[i].strip() for row in sample if i < len(row) and row[i].strip()]
        hits = sum(1 for v in values if _EMAIL_VALUE.match(v))
        if values and hits >= max(1, 0.9 * len(values)):
            mapping = [*mapping[:i], "email", *mapping[i + 1:]]
            header = fmt.header[i]
            guesses = [ColumnGuess(g.index, g.header, "email", 0.7, "its values are email addresses")
                       if g.index == i else g for g in guesses]
            return mapping, guesses, [f"Column '{printable(header)}' was read as the email address: "
                                      "its values are email addresses."]
    return mapping, guesses, []


def _events_need_evidence(plan: ImportPlan) -> ImportPlan:
    """Read a file whose columns look like events as contacts unless its rows prove it.

    A list of people with a "Created" date and a "Contact type" is not a log of
    what they did: events need a time on nearly every row and, on most rows, an
    action, an amount or an order (see :mod:`evidence`).
    """
    records = read_records(plan.path, plan.fmt)
    try:
        found = events_evidence((r.values for r in islice(records, DATE_SAMPLE)), plan.mapping,
                                plan.date_orders, plan.region)
    finally:
        records.close()
    if found.holds_events:
        return plan
    mapping, guesses = list(plan.mapping), list(plan.guesses)
    if plan.mapping_source == "guessed":
        # "Created" was read as the event's time only because the file looked like events.
        for i, g in enumerate(guesses):
            if g.field == "occurred_at" and g.reason.endswith(AS_EVENT_TIME) and mapping[i] == "occurred_at":
                mapping[i] = "created_at"
                guesses[i] = replace(g, field="created_at", reason=g.reason.removesuffix(AS_EVENT_TIME))
    warning = f"Read as a list of people, not events: {found.reason()}."
    return replace(plan, kind=Kind.CONTACTS.value, mapping=mapping, guesses=guesses,
                   warnings=[*plan.warnings, warning])


# The columns an error report adds after the file's own (see write_error_report).
REPORT_BATCH, REPORT_ROW, REPORT_PROBLEMS = "omnidesk_batch", "omnidesk_row", "omnidesk_problems"


def _report_columns(header: Sequence[str]) -> tuple[int, int] | None:
    """Where a fixed error report names each row's original import and row, if it is one."""
    names = list(header)
    if all(n in names for n in (REPORT_BATCH, REPORT_ROW, REPORT_PROBLEMS)):
        return names.index(REPORT_BATCH), names.index(REPORT_ROW)
    return None


def _report_origin(ws: Workspace, path: Path, fmt: FileFormat, columns: tuple[int, int]) -> dict | None:
    """The import a single-file error report came from: the batch its first row names,
    when the report's own columns are that file's columns."""
    header = fmt.header
    own = [h for h in header if h not in (REPORT_BATCH, REPORT_ROW, REPORT_PROBLEMS)]
    if list(header[:len(own)]) != own:
        return None
    first = next(iter(islice(read_records(path, fmt), 1)), None)
    try:
        batch_id = int(first.values[columns[0]]) if first is not None else None
    except (ValueError, IndexError):
        batch_id = None
    if batch_id is None:
        return None
    batch = ImportBatch.__table__
    with ws.engine.connect() as conn:
        rows = conn.execute(select(batch.c.id, batch.c.file_name, batch.c.header_json, batch.c.mapping_json,
                                   batch.c.channel, batch.c.kind, batch.c.preset, batch.c.options_json)
                            .where(batch.c.status == "done", batch.c.id == batch_id)).all()
    for r in rows:
        if json.loads(r.header_json) == own:
            options = json.loads(r.options_json or "{}")
            orders = {}
            for k, v in (options.get("date_orders") or {}).items():
                try:
                    orders[int(k)] = nz.DateOrder(v)
                except ValueError:
                    continue
            return {"batch_id": r.id, "file_name": r.file_name, "mapping": json.loads(r.mapping_json),
                    "channel": r.channel, "kind": r.kind, "preset": r.preset, "date_orders": orders,
                    "phone_region": _origin_phone_region(options, r.id)}
    return None


def _origin_phone_region(options: dict, batch_id: int) -> PhoneRegion | None:
    """How the original import read numbers without a country code, for its fixed error report."""
    if "phone_region" not in options:
        return None  # imported before the region was recorded: decide as for any file
    code = options["phone_region"]
    if code:
        return PhoneRegion(code, "chosen", f"as import {batch_id} read its numbers")
    return PhoneRegion(None, "mixed", f"as import {batch_id} read its numbers: its file mixes countries",
                       tuple(options.get("phone_region_codes") or ()))


_EMAIL_WORDS = ("mail", "newsletter")


def _consent_for_channel(mapping: list[str], header: Sequence[str], channel: str) -> list[str]:
    """A plain "Opted in" (or "Opted out") column is about the channel the file comes from.

    The guesser reads it as email consent (or an email opt-out); in an SMS
    subscriber list it means SMS, unless the header itself says email.
    """
    if channel != "sms":
        return mapping
    out = list(mapping)
    for i, name in enumerate(out):
        if name in ("consent_email", "no_email") and not any(w in header[i].lower() for w in _EMAIL_WORDS):
            out[i] = "consent_sms" if name == "consent_email" else "no_sms"
    return out


def remember_mapping(ws: Workspace, plan: ImportPlan) -> None:
    """Keep the plan's mapping for the next file with the same headers."""
    sig = header_signature(plan.header)
    table = SavedMapping.__table__
    values = dict(mapping_json=json.dumps(plan.mapping), channel=plan.channel, kind=plan.kind,
                  updated_at=utcnow())
    with ws.engine.begin() as conn:
        if not conn.execute(update(table).where(table.c.signature == sig).values(**values)).rowcount:
            conn.execute(insert(table).values(signature=sig, **values))


# -- normalizing one row ------------------------------------------------------------


@dataclass
class Row:
    """One record's normalized values, ready for the bulk insert."""

    record: Record
    emails: list[str] = field(default_factory=list)
    phones: list[str] = field(default_factory=list)
    external_id: str | None = None
    first_name: str = ""
    middle_name: str = ""
    last_name: str = ""
    full_name: str = ""
    company: str = ""
    address: str = ""
    city: str = ""
    region: str = ""
    postcode: str = ""
    country: str = ""
    birthday: str | None = None
    tags: list[str] = field(default_factory=list)
    occurred_at: str | None = None
    consents: dict[str, tuple[str, str | None]] = field(default_factory=dict)
    values: dict[str, object] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    skip: str | None = None  # why this row is nobody: kept raw, never a customer


# Why a row is kept as read but made into nobody.
NOBODY = "with no name, email, phone or ID"
TEST_LEAD = "a platform's test lead (\u201c<test lead: dummy data for \u2026>\u201d)"
# Meta's Lead Ads Testing Tool fills every answer of a test lead with this.
_TEST_LEAD_MARK = "<test lead"
_IDENTITY = ("first_name", "last_name", "full_name", "email", "phone", "external_id")
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
_ADDRESS_PARTS = ("address1", "address2", "address", "city", "region", "postcode", "country")


@dataclass(slots=True)
class _Cells:
    cells: dict[int, str]  # column index -> cleaned text, for mapped columns
    found: dict[str, tuple[str, int | None]]  # field -> its first non-empty cell (or the constant)


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
        self.local_region = plan.local_phone_region
        self.mixed_problem = plan.phone_region.problem if plan.phone_region is not None else ""
        # A form's row time is when its boxes were ticked; an order's is not.
        self.form_times = plan.kind != Kind.EVENTS.value and _is_form_export(plan)
        # "Created (UTC)" (Stripe), "Submit Date (UTC)" (Typeform): the header gives the zone.
        self.utc_columns = {i for i, h in enumerate(plan.header) if _SAYS_UTC.search(header_key(h))}
        # In a list of people a row naming nobody is no one; in a file of events it may be a
        # later line of an order, or a sale to nobody in particular.
        self.nobody_check = plan.kind == Kind.CONTACTS.value
        # A preset's constant stands in for a field until a cell of the row has it.
        self._constant_hits = {name: (value, None) for name, value in self.constants.items() if value}
        self.ships = any(name.startswith("shipping_") for name in self.columns)

    def cells(self, values: Sequence[str]) -> _Cells:
        """Clean each mapped cell once and find each field's first non-empty cell."""
        cells: dict[int, str] = {}
        found: dict[str, tuple[str, int | None]] = dict(self._constant_hits)
        n = len(values)
        for name, indexes in self.columns.items():
            for i in indexes:
                text = cells.get(i)
                if text is None:
                    text = nz.clean_cell(values[i]) if i < n else ""
                    if self.strip_prefixes and text:
                        text = nz.strip_type_prefix(text)
                    cells[i] = text
                if text and name not in found or (text and found[name][1] is None):
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

    def _label(self, i: int | None, name: str) -> str:
        return self.header[i] if i is not None and i < len(self.header) else FIELDS_BY_NAME[name].label

    def _datetime(self, row: Row, values: Sequence[str], name: str) -> str | None:
        raw, i = self.first(values, name)
        if not raw:
            return None
        order = self.plan.date_orders.get(i, nz.default_date_order(self.plan.region)) if i is not None \
            else nz.default_date_order(self.plan.region)
        parsed = nz.parse_datetime(raw, order, "UTC" if i in self.utc_columns else None)
        if parsed.problem:
            row.problems.append(f"{self._label(i, name)}: {parsed.problem}")
        return parsed.value

    def normalize(self, record: Record) -> Row:
        row = Row(record=record)
        if _TEST_LEAD_MARK in "\x1f".join(record.values):
            row.skip = TEST_LEAD
            return row
        v = self.cells(record.values)
        if self.nobody_check and not any(name in v.found for name in _IDENTITY):
            row.skip = NOBODY
            return row
        if record.problem:
            row.problems.append(record.problem)
        # emails and phones: several columns, several values per cell
        for raw, i in self.every(v, "email"):
            for part in _split_ids(raw):
                n = nz.normalize_email(part)
                if n.value:
                    if n.value not in row.emails:
                        row.emails.append(n.value)
                elif n.problem:
                    row.problems.append(f"{self._label(i, 'email')}: {n.problem}")
        ext, _ = self.first(v, "external_id")
        row.external_id = ext or None
        self._names(row, v)
        # The shipping address stands in, whole, only when no billing part is there:
        # one street is never joined to the other's town.
        ship = "shipping_" if self.ships and not any(self.first(v, f)[0] for f in _ADDRESS_PARTS) else ""
        row.company = self.first(v, "company")[0] or (self.first(v, "shipping_company")[0] if ship else "")
        # The street lines when there are some: a one-line or "formatted" address (Google's)
        # repeats the city and postcode, which have columns of their own.
        line = "\n".join(x for x in (self.first(v, f"{ship}address1")[0], self.first(v, f"{ship}address2")[0])
                         if x)
        if not line and not ship:
            line = self.first(v, "address")[0]
        row.address = ", ".join(part.strip() for part in line.splitlines() if part.strip())
        row.city = self.first(v, f"{ship}city")[0]
        row.region = self.first(v, f"{ship}region")[0]
        raw_country, ci = self.first(v, f"{ship}country")
        if raw_country:
            c = nz.normalize_country(raw_country)
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
                    row.problems.append(f"{self._label(i, 'phone')}: {self.mixed_problem}")
                    continue
                n = nz.normalize_phone(part, phone_region or self.plan.region)
                if n.value:
                    if n.value not in row.phones:
                        row.phones.append(n.value)
                elif n.problem:
                    row.problems.append(f"{self._label(i, 'phone')}: {n.problem}")
        raw_post, _ = self.first(v, f"{ship}postcode")
        row.postcode = nz.normalize_postcode(raw_post, row.country or self.plan.region) if raw_post else ""
        raw_bday, bi = self.first(v, "birthday")
        if raw_bday:
            order = self.plan.date_orders.get(bi, nz.default_date_order(self.plan.region)) \
                if bi is not None else nz.default_date_order(self.plan.region)
            b = nz.parse_date(raw_bday, order)
            row.birthday = b.value
            if b.problem:
                row.problems.append(f"{self._label(bi, 'birthday')}: {b.problem}")
        for raw, _ in self.every(v, "tags"):
            for tag in nz.split_multi(raw):
                # Google marks its own groups "* starred", "* Family"; "* myContacts" is on
                # every contact and says nothing.
                tag = tag[2:].strip() if tag.startswith("* ") else tag
                if tag and tag.casefold() != "mycontacts" and tag not in row.tags:
                    row.tags.append(tag)
        for name in ("nickname", "job_title", "gender", "language",
                     "event_type", "order_id", "currency", "item_name", "status", "summary",
                     "url", "campaign", "location"):
            text, _ = self.first(v, name)
            if text:
                row.values[name] = text
        notes = [t for t, _ in self.every(v, "note")]
        if notes:
            row.values["note"] = "\n".join(notes)
        for name in ("total_spent", "amount", "item_price", "refunded_amount"):
            raw, i = self.first(v, name)
            if raw:
                m = nz.parse_money(raw)
                if m.value is not None:
                    row.values[name] = str(m.value)
                    cur = nz.detect_currency(raw)
                    if cur and "currency" not in row.values:
                        row.values["currency"] = cur
                elif m.problem:
                    row.problems.append(f"{self._label(i, name)}: {m.problem}")
        for name in ("total_orders", "item_quantity"):
            raw, i = self.first(v, name)
            if raw:
                n = nz.parse_int(raw)
                if n.value is not None:
                    row.values[name] = n.value
                elif n.problem:
                    row.problems.append(f"{self._label(i, name)}: {n.problem}")
        created = self._datetime(row, v, "created_at")
        if created:
            row.values["created_at"] = created
        if self.first(v, "cancelled_at")[0]:
            # Cancelled is cancelled even when the time cannot be read (that is flagged).
            row.values["cancelled_at"] = self._datetime(row, v, "cancelled_at") or self.first(v, "cancelled_at")[0]
        consent_at = self._datetime(row, v, "consent_at")
        unsub_at = self._datetime(row, v, "unsubscribed_at")
        row.occurred_at = self._datetime(row, v, "occurred_at")
        clock, ti = self.first(v, "occurred_time")
        if clock:
            if row.occurred_at is None:
                row.occurred_at = self._datetime(row, v, "occurred_time")
            elif len(row.occurred_at) == 10:  # a bare date, with the time in its own column
                joined = nz.parse_datetime(f"{row.occurred_at} {clock}", nz.DateOrder.YMD)
                if joined.value:
                    row.occurred_at = joined.value
                else:
                    row.problems.append(f"{self._label(ti, 'occurred_time')}: {joined.problem}")
        # A consent cell is dated only by a time the file gives the consent itself (see
        # omnidesk.core.consent).  A "yes" may also take the row's sign-up time, or a form's
        # sending time: it cannot have been given before either.  An opt-out never takes an
        # earlier time than its own, and no flag takes an order's date: Shopify's "Accepts
        # Marketing" on an order row is the customer's flag as of the export.
        granted_at = consent_at or created or (row.occurred_at if self.form_times else None)
        for channel in ("email", "sms", "whatsapp"):
            raw, i = self.first(v, f"consent_{channel}")
            if not raw:
                continue
            c = nz.parse_consent(raw)
            if c.value == nz.GRANTED:
                row.consents[channel] = (c.value, granted_at)
            elif c.value:
                row.consents[channel] = (c.value, (unsub_at or consent_at) if c.value == nz.UNSUBSCRIBED
                                         else consent_at)
            elif c.problem:
                row.problems.append(f"{self._label(i, f'consent_{channel}')}: {c.problem}")
        # "Do not contact", "Bounced", ...: a set flag closes its channels, undated (it describes
        # the person as of the file).  Within one row the stricter word wins.
        # Every column counts: HubSpot's "Marketing contact status" saying all is well does not
        # hide "Unsubscribed from all email: true" beside it.
        for name, (when_set, channels) in OPTOUT_FIELDS.items():
            said_here = [s for raw, _ in self.every(v, name) if (s := nz.parse_optout(raw, when_set).value)]
            if not said_here:
                continue
            status = max(said_here, key=lambda s: STRICTNESS.get(s, 0))
            for channel in channels:
                said = row.consents.get(channel)
                if said is None or STRICTNESS.get(status, 0) > STRICTNESS.get(said[0], 0):
                    row.consents[channel] = (status, None)
        return row


    def _names(self, row: Row, v: _Cells) -> None:
        """First, middle and last names, and the whole name with every word.

        The file's own first/middle/last columns decide the split when it has
        them; a full-name column is split by ``nz.parse_full_name``, and is the
        whole name as written when there is one.
        """
        first_raw, last_raw = self.first(v, "first_name")[0], self.first(v, "last_name")[0]
        raw_full = self.first(v, "full_name")[0]
        if not raw_full and not first_raw and not last_raw:
            # An order's shipping name is the buyer's when the billing one is empty.
            raw_full = self.first(v, "shipping_name")[0]
        # A "name" that is really an email or a web domain (Stripe's Name often is) is no name.
        not_names = [x for x in (first_raw, last_raw, raw_full) if x and not_a_name(x)]
        for text in not_names:
            # An email given as the name still reaches the person when no column had one.
            if "@" in text and not row.emails:
                n = nz.normalize_email(text)
                if n.value:
                    row.emails.append(n.value)
        first = nz.normalize_name("" if first_raw in not_names else first_raw)
        middle = nz.normalize_name(self.first(v, "middle_name")[0])
        last = nz.normalize_name("" if last_raw in not_names else last_raw)
        raw_full = "" if raw_full in not_names else raw_full
        parts = nz.parse_full_name(raw_full) if raw_full else None
        if not first and not last and parts is not None:
            first, last = parts.first, parts.last
            middle = middle or parts.middle
        elif parts is not None and not middle and parts.first == first and parts.last == last:
            middle = parts.middle
        row.first_name, row.middle_name, row.last_name = first, middle, last
        row.full_name = parts.full if parts is not None else nz.compose_full_name(first, middle, last)


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
    h = hashlib.sha1()
    h.update(channel.encode())
    h.update(b"\x1e")
    h.update("\x1f".join(header).encode("utf-8", "surrogatepass"))
    h.update(b"\x1e")
    h.update("\x1f".join(values).encode("utf-8", "surrogatepass"))
    return h.hexdigest()


def _minor(value: object) -> int | None:
    if value is None:
        return None
    return int((Decimal(str(value)) * 100).to_integral_value())


# -- running --------------------------------------------------------------------------


def estimate_records(path: Path, fmt: FileFormat) -> int:
    """A quick upper bound of the record count (newlines), for the progress bar."""
    newline = "\n".encode(fmt.encoding.replace("-sig", ""))
    count = 0
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            count += chunk.count(newline)
    return max(count - fmt.header_line, 1)


def run_import(
    ws: Workspace,
    plan: ImportPlan,
    *,
    dry_run: bool = False,
    cancelled: CancelCheck = never_cancelled,
) -> Generator[Progress, None, ImportResult]:
    """Import ``plan``'s file in one transaction, yielding progress between chunks.

    Returns the :class:`ImportResult`.  ``cancelled()`` is checked between
    chunks; when it says yes, :class:`Cancelled` is raised and nothing stays.
    A file already imported (same bytes) adds nothing and reports its rows as
    duplicates.  A row identical to one imported from another file of the same
    channel is counted as a duplicate and not stored again.
    """
    result = ImportResult(
        file_name=plan.file_name, preset=plan.preset.key if plan.preset else None,
        kind=plan.kind, channel=plan.channel, dry_run=dry_run, header=plan.header,
    )
    if plan.previous_batch is not None:
        result.already_imported = plan.previous_batch
        result.rows = result.duplicates = sum(1 for _ in read_records(plan.path, plan.fmt))
        yield Progress(result.rows, result.rows, "Already imported")
        return result

    total = estimate_records(plan.path, plan.fmt)
    model = model_from_settings(ws.get_setting)
    normalizer = RowNormalizer(plan)
    is_events = plan.kind == Kind.EVENTS.value
    submissions = not is_events and _is_form_export(plan)
    group_by = plan.preset.group_rows_by if plan.preset else None
    report_skip = (*plan.report_columns, plan.header.index(REPORT_PROBLEMS)) if plan.report_columns else ()
    if plan.preset is not None:
        report_skip = (*report_skip, *plan.preset.system_columns(plan.header))
    custom = CustomColumns.for_plan(plan.header, plan.mapping, plan.kind, plan.region, skip=report_skip)
    batch_values = dict(
        file_name=plan.file_name, file_hash=plan.file_hash, file_size=plan.file_size,
        channel=plan.channel, kind=plan.kind,
        preset=plan.preset.key if plan.preset else None,
        encoding=plan.fmt.encoding_label, delimiter=plan.fmt.delimiter,
        header_json=json.dumps(list(plan.header), ensure_ascii=False),
        mapping_json=json.dumps(plan.mapping),
        options_json=json.dumps({"region": plan.region, "dry_run": dry_run,
                                 "phone_region": plan.local_phone_region,
                                 "phone_region_codes": list(plan.phone_region.mixed_codes)
                                 if plan.phone_region is not None else [],
                                 "date_orders": {str(k): v.value for k, v in plan.date_orders.items()}}),
    )
    # Other windows learn that an import runs, and since when, from its committed batch row
    # (see running.py); a dry run changes nothing, not even that.
    announced = None if dry_run else running.announce(ws, batch_values)
    conn: Connection
    with ws.connect_for_writing() as conn:
        try:
            trans = conn.begin()  # BEGIN IMMEDIATE: the write lock for the whole import
        except OperationalError as exc:
            running.withdraw(ws, announced)
            if is_lock_error(exc):
                raise ws.busy_error() from exc
            raise
        try:
            if announced is None:
                batch_id = conn.execute(
                    insert(ImportBatch.__table__).values(**batch_values, status="running", started_at=utcnow())
                ).inserted_primary_key[0]
            else:
                batch_id = announced
            result.batch_id = batch_id
            salt = privacy_salt(conn)
            if custom:
                custom.begin(conn)
            yield Progress(0, total, f"Reading {printable(plan.file_name)}")
            # The first big file into an empty workspace: nothing to find duplicates among, and
            # the secondary indexes are built once at the end (a sort) instead of row by row
            # (a random B-tree insert each, which grows slow as the tables outgrow the cache).
            first_import = _workspace_has_no_records(conn, batch_id)
            bulk = _BULK_INDEXES if first_import and total >= BULK_IMPORT_ROWS else ()
            with indexes_suspended(conn, bulk):
                open_order: dict | None = None
                suppressed_orders: set[str] = set()
                records = read_records(plan.path, plan.fmt)
                while True:
                    chunk = list(islice(records, CHUNK))
                    if not chunk:
                        break
                    if cancelled():
                        raise Cancelled(f"Import of {printable(plan.file_name)} cancelled; nothing was changed.")
                    rows = [normalizer.normalize(rec) for rec in chunk]
                    hashes = [row_hash(plan.channel, plan.header, rec.values) for rec in chunk]
                    seen = set() if first_import else set(conn.execute(
                        select(SourceRecord.row_hash).where(
                            SourceRecord.row_hash.in_(set(hashes)), SourceRecord.batch_id != batch_id
                        )
                    ).scalars())
                    keep = [(r, h) for r, h in zip(rows, hashes) if h not in seen]
                    result.rows += len(rows)
                    result.duplicates += len(rows) - len(keep)
                    keep = _without_suppressed(conn, salt, keep, plan.channel, result, group_by, suppressed_orders)
                    if keep:
                        ids = _insert_records(conn, batch_id, plan, keep)
                        if any(row.skip for row, _ in keep):
                            ids, keep = _set_aside_skipped(ids, keep, result)
                    if keep:
                        if plan.report_columns:
                            _tie_fixed_rows(conn, plan.report_columns, keep)
                        _insert_identifiers(conn, ids, keep, plan.channel)
                        _insert_consents(conn, ids, keep)
                        if custom:
                            insert_custom_fields(conn, custom, ids, (row.record.values for row, _ in keep))
                        if is_events:
                            open_order = _insert_events(conn, batch_id, plan, ids, keep, group_by,
                                                        open_order, result)
                        elif plan.preset is not None and plan.preset.row_event is not None:
                            _insert_row_events(conn, batch_id, plan, ids, keep, result)
                        elif submissions:
                            _insert_lead_events(conn, batch_id, plan, ids, keep, result, type_="form",
                                                label="Form submitted")
                        for row, _ in keep:
                            if row.problems:
                                result.flagged += 1
                                result.flagged_rows.append(FlaggedRow(row.record, row.problems))
                        result.imported += len(keep)
                    yield Progress(min(result.rows, total), max(total, result.rows),
                                   f"Read {result.rows:,} rows")
                if open_order is not None:
                    _flush_order(conn, open_order, result)
                if custom:
                    custom.settle(conn)
            if cancelled():
                raise Cancelled(f"Import of {printable(plan.file_name)} cancelled; nothing was changed.")
            yield Progress(result.rows, result.rows, "Linking records to customers")
            stats = resolve_batch(conn, batch_id, result.followers, model)
            result.new_customers = stats.created
            result.updated_customers = len(stats.touched) - stats.created
            result.queued_reviews = stats.queued
            conn.execute(
                update(ImportBatch.__table__).where(ImportBatch.__table__.c.id == batch_id).values(
                    status="done", finished_at=utcnow(), rows=result.rows,
                    imported=result.imported, flagged=result.flagged,
                    duplicates=result.duplicates, events=result.events,
                    customers_created=result.new_customers,
                )
            )
            if dry_run:
                trans.rollback()
                result.batch_id = None
            else:
                trans.commit()
        except BaseException:
            # GeneratorExit (the caller stopped), Cancelled and any error: nothing stays.
            if trans.is_active:
                trans.rollback()
            running.withdraw(ws, announced)
            raise
    return result


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


def _tie_fixed_rows(conn: Connection, columns: tuple[int, int], keep: list[tuple[Row, str]]) -> None:
    """Tie each fixed row of an error report to the row it corrects, as a user's merge.

    The flagged original stays, as read, with its customer; the fixed row joins
    that customer through the decision (resolve honours it) instead of becoming
    a second customer because the original's broken email matched nothing.
    """
    wanted: dict[int, dict[int, str]] = defaultdict(dict)  # batch -> record number -> new row hash
    for row, h in keep:
        values = row.record.values
        try:
            wanted[int(values[columns[0]])][int(values[columns[1]])] = h
        except (ValueError, IndexError):
            continue  # a row added by hand, or numbers edited away: imported like any other
    rec = SourceRecord.__table__
    decisions = []
    for batch_id, by_number in wanted.items():
        numbers = sorted(by_number)
        for start in range(0, len(numbers), 900):
            for number, old in conn.execute(select(rec.c.record_no, rec.c.row_hash).where(
                    rec.c.batch_id == batch_id, rec.c.record_no.in_(numbers[start:start + 900]))):
                if old != by_number[number]:
                    decisions.append({"kind": "merge", "left_hash": old, "right_hash": by_number[number],
                                      "created_at": utcnow()})
    if decisions:
        conn.execute(insert(MatchDecision.__table__), decisions)


BULK_IMPORT_ROWS = 20_000  # from this many rows a first import builds its indexes at the end
_BULK_INDEXES = ("ix_source_record_email", "ix_source_record_phone", "ix_source_record_row_hash",
                 "ix_source_record_name_place", "ix_source_record_name_work", "ix_source_record_flagged",
                 "ix_identifier_kind_value", "ix_custom_field_record_id", "ix_custom_field_name_value",
                 "ix_custom_field_name_number", "ix_custom_field_name_date")


def _workspace_has_no_records(conn: Connection, batch_id: int) -> bool:
    rec = SourceRecord.__table__
    return conn.execute(select(rec.c.id).where(rec.c.batch_id != batch_id).limit(1)).first() is None


def _row_identifiers(row: Row, channel: str) -> list[tuple[str, str]]:
    ids = [("email", e) for e in row.emails] + [("phone", p) for p in row.phones]
    if row.external_id:
        ids.append(("external", f"{channel}:{row.external_id}"))
    return ids


def _has_suppressions(conn: Connection) -> bool:
    table = Suppression.__table__
    return conn.execute(select(table.c.id).limit(1)).first() is not None


def _without_suppressed(conn: Connection, salt: str, keep: list[tuple[Row, str]], channel: str,
                        result: ImportResult, group_by: str | None = None,
                        suppressed_orders: set[str] | None = None) -> list[tuple[Row, str]]:
    """Drop rows of people who were erased: they must not come back with an old export.

    A row is theirs when one of its identifiers was theirs alone, when it carries
    an identifier they shared together with their name, or when it is one of
    their rows again (how a person with no identifier is recognised).  The other
    line-item rows of a dropped order go too (``suppressed_orders`` carries the
    order keys across chunks): they name no one, but they are that person's order.
    """
    if not _has_suppressions(conn):
        return keep  # nobody was ever erased: nothing to hash
    keys = [row_suppression_keys(salt, _row_identifiers(row, channel), row.first_name, row.last_name, h)
            for row, h in keep]
    hits = known_suppressions(conn, (k for row_keys in keys for k in row_keys))
    if not hits and not suppressed_orders:
        return keep
    orders = suppressed_orders if suppressed_orders is not None else set()
    out = []
    for (row, h), row_keys in zip(keep, keys):
        order = row.values.get(group_by) if group_by else None
        if hits.isdisjoint(row_keys) and (order is None or order not in orders):
            out.append((row, h))
            continue
        result.suppressed += 1
        if order is not None:
            orders.add(order)
    return out


def run_to_end(ws: Workspace, plan: ImportPlan, *, dry_run: bool = False) -> ImportResult:
    return run_to_completion(run_import(ws, plan, dry_run=dry_run))


def import_file(ws: Workspace, path: str | Path, options: ImportOptions | None = None,
                *, dry_run: bool = False) -> ImportResult:
    """Analyze and import one file with the detected plan (the headless path)."""
    return run_to_end(ws, analyze(ws, path, options), dry_run=dry_run)


def _set_aside_skipped(ids: list[int], keep: list[tuple[Row, str]],
                       result: ImportResult) -> tuple[list[int], list[tuple[Row, str]]]:
    """Count the rows that are nobody; the others go on to identifiers, consent and events."""
    out_ids, out = [], []
    for rid, pair in zip(ids, keep):
        row = pair[0]
        if row.skip:
            result.skipped += 1
            result.skipped_rows.setdefault(row.skip, []).append(row.record.number)
        else:
            out_ids.append(rid)
            out.append(pair)
    return out_ids, out


def _insert_records(conn: Connection, batch_id: int, plan: ImportPlan,
                    keep: list[tuple[Row, str]]) -> list[int]:
    table = SourceRecord.__table__
    params = []
    for row, h in keep:
        rec = row.record
        params.append({
            "batch_id": batch_id,
            "record_no": rec.number,
            "line_no": rec.line,
            "channel": plan.channel,
            # A skipped row is kept as read, and never placed on a customer (see resolve).
            "kind": "skipped" if row.skip else plan.kind,
            "row_hash": h,
            "raw_json": json.dumps(list(rec.values), ensure_ascii=False),
            "customer_id": None,
            "external_id": row.external_id,
            "first_name": row.first_name,
            "last_name": row.last_name,
            "middle_name": row.middle_name,
            "full_name": row.full_name,
            "last_key": last_key(row.last_name),
            "last_sound": last_sound(row.last_name),
            "work_key": work_key(row.company, row.emails) if row.company or row.emails else "",
            "email": row.emails[0] if row.emails else None,
            "phone": row.phones[0] if row.phones else None,
            "company": row.company,
            "address": row.address,
            "city": row.city,
            "region": row.region,
            "postcode": row.postcode,
            "country": row.country,
            "birthday": row.birthday,
            "tags": ", ".join(row.tags),
            "occurred_at": row.occurred_at,
            "values_json": (json.dumps({"skipped": row.skip}) if row.skip else
                            json.dumps(row.values, ensure_ascii=False, default=str) if row.values else "{}"),
            "problems_json": json.dumps(row.problems, ensure_ascii=False) if row.problems else "[]",
            "flagged": bool(row.problems),
        })
    return insert_returning_ids(conn, table, params)


def _insert_identifiers(conn: Connection, ids: list[int], keep: list[tuple[Row, str]],
                        channel: str) -> None:
    params = []
    for rid, (row, _) in zip(ids, keep):
        params.extend({"record_id": rid, "kind": "email", "value": e} for e in row.emails)
        params.extend({"record_id": rid, "kind": "phone", "value": p} for p in row.phones)
        if row.external_id:
            # External ids mean something only within the channel that issued them.
            params.append({"record_id": rid, "kind": "external", "value": f"{channel}:{row.external_id}"})
    if params:
        insert_many(conn, Identifier.__table__, params)


def _insert_consents(conn: Connection, ids: list[int], keep: list[tuple[Row, str]]) -> None:
    params = [
        {"record_id": rid, "customer_id": None, "channel": ch, "status": status, "occurred_at": when}
        for rid, (row, _) in zip(ids, keep)
        for ch, (status, when) in row.consents.items()
    ]
    if params:
        insert_many(conn, Consent.__table__, params)


_DEFAULT_EVENT_TYPE = {"shop": "order", "pos": "purchase", "email": "email", "web": "visit",
                       "sms": "sms", "social": "lead_form"}


def _event_params(batch_id: int, plan: ImportPlan, rid: int, row: Row) -> dict:
    v = row.values
    etype = str(v.get("event_type") or _DEFAULT_EVENT_TYPE.get(plan.channel, "activity"))
    etype = etype.strip().lower().replace(" ", "_")
    summary_parts = [str(v[k]) for k in ("summary", "campaign", "item_name", "url", "location")
                     if v.get(k)]
    if v.get("order_id"):
        summary_parts.insert(0, str(v["order_id"]))
    details = {k: v[k] for k in ("order_id", "status", "cancelled_at", "refunded_amount", "campaign", "url", "location",
                                 "item_name", "item_quantity", "item_price") if k in v}
    details["identifiers"] = {
        "email": row.emails[0] if row.emails else None,
        "phone": row.phones[0] if row.phones else None,
        "name": " ".join(x for x in (row.first_name, row.last_name) if x) or None,
        "external_id": row.external_id,
    }
    return {
        "batch_id": batch_id, "record_id": rid, "customer_id": None, "channel": plan.channel,
        "type": etype, "occurred_at": row.occurred_at, "occurred_utc": to_utc(row.occurred_at),
        "summary": " · ".join(summary_parts)[:1000],
        "amount_minor": _minor(v.get("amount")), "currency": (str(v.get("currency"))[:3].upper() if v.get("currency") else None),
        "status": order_status(v.get("status"), v.get("cancelled_at")),
        # A magnitude, whichever sign the export writes it with (Square: "-$5.00").
        "refunded_minor": abs(r) if (r := _minor(v.get("refunded_amount"))) is not None else None,
        "details_json": json.dumps(details, ensure_ascii=False, default=str),
    }


def _insert_events(conn: Connection, batch_id: int, plan: ImportPlan, ids: list[int],
                   keep: list[tuple[Row, str]], group_by: str | None, open_order: dict | None,
                   result: ImportResult) -> dict | None:
    """One event per row, or per order when the preset spreads an order over rows."""
    if group_by is None:
        params = [_event_params(batch_id, plan, rid, row) for rid, (row, _) in zip(ids, keep)]
        insert_many(conn, Event.__table__, params)
        result.events += len(params)
        return None
    for rid, (row, _) in zip(ids, keep):
        key = row.values.get(group_by)
        item = {k: row.values[k] for k in ("item_name", "item_quantity", "item_price") if k in row.values}
        if open_order is not None and key and key == open_order["key"]:
            if item:
                open_order["items"].append(item)
            open_order["record_ids"].append(rid)
            continue
        if open_order is not None:
            _flush_order(conn, open_order, result)
        params = _event_params(batch_id, plan, rid, row)
        params["type"] = "order"
        open_order = {"key": key, "params": params, "items": [item] if item else [],
                      "record_ids": [rid]}
    return open_order


def _flush_order(conn: Connection, order: dict, result: ImportResult) -> None:
    params = order["params"]
    details = json.loads(params["details_json"])
    for k in ("item_name", "item_quantity", "item_price"):
        details.pop(k, None)
    details["items"] = order["items"]
    details["record_ids"] = order["record_ids"]
    for rid in order["record_ids"][1:]:
        result.followers[rid] = order["record_ids"][0]
    params["details_json"] = json.dumps(details, ensure_ascii=False, default=str)
    n = len(order["items"])
    names = ", ".join(str(i.get("item_name", "")) for i in order["items"][:3])
    more = f" and {n - 3} more" if n > 3 else ""
    params["summary"] = (f"Order {order['key']}: {names}{more}" if names else f"Order {order['key']}")
    params["summary"] = f"{params['summary']}{_money_note(params)}"[:1000]
    conn.execute(insert(Event.__table__), [params])
    result.events += 1


def _money_note(params: dict) -> str:
    """" (refunded)", " (cancelled)", " (12.50 refunded)": what the timeline says of money not kept."""
    if params["status"] in NOT_SPEND:
        return f" ({params['status']})"
    if params["refunded_minor"]:
        return f" ({format_money(params['refunded_minor'])} refunded)"
    return ""


def _insert_lead_events(conn: Connection, batch_id: int, plan: ImportPlan, ids: list[int],
                        keep: list[tuple[Row, str]], result: ImportResult, *, type_: str = "lead_form",
                        label: str = "Lead form submitted") -> None:
    """A lead-ad or form row is a person and also the fact that they submitted a form.

    Rows without a time say who, not when: they stay people only.
    """
    params = []
    for rid, (row, _) in zip(ids, keep):
        when = row.values.get("created_at") or row.occurred_at
        if type_ != "lead_form" and not row.occurred_at:
            continue
        p = _event_params(batch_id, plan, rid, row)
        p.update(type=type_, occurred_at=when, occurred_utc=to_utc(when))
        form = row.values.get("campaign") or row.values.get("summary")
        p["summary"] = f"{label}{': ' + str(form) if form else ''}"
        params.append(p)
    if params:
        insert_many(conn, Event.__table__, params)
        result.events += len(params)


def _insert_row_events(conn: Connection, batch_id: int, plan: ImportPlan, ids: list[int],
                       keep: list[tuple[Row, str]], result: ImportResult) -> None:
    """The event each row of the preset's list also is: a lead form sent, a registration."""
    event = plan.preset.row_event
    params = []
    for rid, (row, _) in zip(ids, keep):
        when = row.occurred_at or row.values.get("created_at")
        p = _event_params(batch_id, plan, rid, row)
        p.update(type=event.type, occurred_at=when, occurred_utc=to_utc(when))
        what = row.values.get("campaign")
        p["summary"] = event.summary.format(what) if what else event.fallback
        params.append(p)
    if params:
        insert_many(conn, Event.__table__, params)
        result.events += len(params)


# -- error report ---------------------------------------------------------------------


def write_error_report(out: Path, runs: Sequence[tuple[ImportPlan, ImportResult]], *,
                       overwrite: bool = False) -> int:
    """Write flagged rows, as read plus what is wrong, to ``out``; returns rows written.

    With one file the report keeps that file's header, so once fixed it can be
    imported again like the original.  Several files get the union of headers
    plus a ``source_file`` column.  Three columns are added at the end: the
    row's number, its problems, and the import it came from (empty after a dry
    run); importing the fixed report reads those to join each fixed row to the
    customer of the row it corrects.  A report of a report keeps one set of them.
    """
    from omnidesk.core.exporting.csvsafe import write_csv

    runs = list(runs)
    added = [REPORT_ROW, REPORT_PROBLEMS, REPORT_BATCH]

    def own(plan: ImportPlan) -> list[int]:
        return [i for i, h in enumerate(plan.header) if h not in added]

    def trailer(result: ImportResult, f: FlaggedRow) -> list:
        return [f.record.number, "; ".join(f.problems), result.batch_id if result.batch_id is not None else ""]

    if len(runs) == 1:
        plan, result = runs[0]
        keep = own(plan)
        header = [plan.header[i] for i in keep] + added
        rows = (
            [f.record.values[i] if i < len(f.record.values) else "" for i in keep] + trailer(result, f)
            for f in result.flagged_rows
        )
        return write_csv(out, header, rows, overwrite=overwrite)
    # A column is its name and which of that name it is: a file with two "Phone" columns
    # keeps both, and each file's second "Phone" lands under the same report column.
    def keyed(plan: ImportPlan) -> dict[tuple[str, int], int]:
        seen: dict[str, int] = {}
        keys = {}
        for i in own(plan):
            name = plan.header[i]
            keys[(name, seen.get(name, 0))] = i
            seen[name] = seen.get(name, 0) + 1
        return keys

    columns: list[tuple[str, int]] = []
    for plan, _ in runs:
        for key in keyed(plan):
            if key not in columns:
                columns.append(key)
    header = ["source_file"] + [name for name, _ in columns] + added

    def gen():
        for plan, result in runs:
            index = keyed(plan)
            for f in result.flagged_rows:
                vals = f.record.values
                yield [plan.file_name] + [
                    vals[index[c]] if c in index and index[c] < len(vals) else "" for c in columns
                ] + trailer(result, f)

    return write_csv(out, header, gen(), overwrite=overwrite)
