"""Planning one file's import: read enough of it to propose how to import it.

``analyze`` sniffs a file and proposes an :class:`ImportPlan` (format, preset,
mapping, kind, channel, date orders, phone region) without touching the
workspace; ``ImportPlan.with_changes`` applies the user's corrections.

``analyze`` opens the file once and reads its bytes once (see ``source_file``):
the encoding check hashes them as it goes, and the records are parsed once
(:class:`PlanRecords`) for every step that looks at them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from itertools import count, islice
from pathlib import Path

from sqlalchemy import insert, select, update

from omnidesk.core.channels import channel_code, channel_name, own_channel_label
from omnidesk.core.errors import UserError
from omnidesk.core.importing import normalize as nz
from omnidesk.core.importing.evidence import events_evidence
from omnidesk.core.importing.fields import CHANNELS, FIELDS_BY_NAME, IGNORE, FieldType, Kind
from omnidesk.core.importing.optout_lists import (
    consent_columns,
    list_channels,
    list_status,
    phones_in_names,
    reply_columns,
)
from omnidesk.core.importing.phone_region import (
    PhoneRegion,
    RegionEvidence,
    check_region,
    chosen,
    decide_phone_region,
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
    header_signature,
    matching_presets,
    named_otherwise,
    unfit_preset,
)
from omnidesk.core.importing.report import (
    _report_columns,
    _report_origin,
    mixed_report_batches,
)
from omnidesk.core.importing.report_columns import added_columns
from omnidesk.core.importing.rows import _IDENTITY
from omnidesk.core.importing.sniff import BlankRows, FileFormat, Record, open_source, read_records, sniff
from omnidesk.core.importing.source_file import SourceFile, file_name_text
from omnidesk.core.importing.unreadable import no_rows
from omnidesk.core.models import HAND_KIND, ImportBatch, SavedMapping, utcnow
from omnidesk.core.money import workspace_currency
from omnidesk.core.text import clean_line, clean_name, printable
from omnidesk.core.workspace import Workspace

DATE_SAMPLE = 5000
PREVIEW_ROWS = 50


def check_channel(text: str) -> str:
    """The code of the channel a file is said to come from; UserError for a name that is empty.

    An empty name is not "detect it": that is no channel given at all.
    """
    if not text.strip():
        raise UserError("a channel needs a name, such as shop, till or email (leave it out to have it "
                        "detected from the file)")
    return channel_code(clean_name(text, "channel"))


@dataclass
class ImportOptions:
    channel: str | None = None  # None: detected from the file
    preset: str | None = None  # a preset key; None detects
    kind: str | None = None  # "contacts" | "events"; None detects
    region: str | None = None  # phone/date region; None = the file's evidence, else the workspace's setting
    mapping: list[str] | None = None  # a field per column, overriding the guesses
    encoding: str | None = None  # the file's encoding as the user names it; None detects
    # How numbers without a country code are read ("IN"), as the user chose for the file;
    # None lets the file's evidence (else ``region``) decide.
    phone_region: str | None = None
    # How the file writes its dates when no value of a column shows it ("DMY": 03/04/2024 is
    # 3 April; "MDY"), as the user chose for the file; None reads them in ``region``'s order.
    date_order: str | None = None

    @classmethod
    def from_plan(cls, plan: ImportPlan) -> ImportOptions:
        """Options that analyze ``plan``'s file into the plan it was imported with (an import
        done again): its columns, kind and channel (one of the user's own by its name as typed),
        and its encoding, phone region and day/month order when they were chosen rather than detected."""
        decided = plan.phone_region
        return cls(channel=plan.channel_label or plan.channel, kind=plan.kind, mapping=list(plan.mapping),
                   encoding=plan.fmt.encoding if plan.fmt.chosen else None,
                   phone_region=decided.code if decided is not None and decided.source == "chosen" else None,
                   date_order=plan.date_order.value if plan.date_order is not None else None)


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
    # The shop's currency (money.workspace_currency): a sign several currencies share ("$", "¥")
    # is read as it when it can mean it.  None when the workspace says none.
    currency: str | None = None
    previous_batch: int | None = None  # the kept import of these bytes as this channel and kind
    # Every kept import of these bytes, oldest first: (its id, channel, kind).  Only one of the
    # plan's channel and kind makes the file a copy (see ``copies``): ``previous_batch``.
    imported_as: tuple[tuple[int, str, str], ...] = ()
    warnings: list[str] = field(default_factory=list)
    # An error report saved by omnidesk and fixed: the columns naming each row's original.
    report_columns: tuple[int, int] | None = None  # (omnidesk_batch, omnidesk_row)
    # How numbers without a country code are read, and why (see phone_region).
    phone_region: PhoneRegion | None = None
    region_evidence: RegionEvidence = field(default_factory=RegionEvidence, repr=False, compare=False)
    # Date columns whose day/month order no value of theirs proves (the region's order, or a
    # year-first column's, reads them): a date there that could be either ("11/05/2026") is a
    # guess, and a guess never dates a consent "yes" (see rows.py).
    guessed_date_columns: frozenset[int] = frozenset()
    # The date columns with dates that could be day/month or month/day ("03/04/2024") and none
    # that shows which: read in ``date_order`` when the user chose one, else in the region's order.
    unclear_date_columns: frozenset[int] = frozenset()
    date_order: nz.DateOrder | None = None  # DMY or MDY, as the user chose; None: the region's
    # The decimal mark each amount column's values prove ("," for "12,50", "." for "1.99", or
    # normalize.MIXED_MARKS for both): it reads the amounts that could be either ("3,500").  A
    # column none of whose values prove one is not here: "3,500" there is three thousand five hundred.
    decimal_marks: dict[int, str] = field(default_factory=dict)
    # The file's size and time of change as it was read for this plan (``SourceFile.stamp``):
    # an import refuses a file found changed since (see ``pipeline``).
    file_stamp: tuple[int, int] | None = None
    # A channel of the user's own, as they typed its name ("Farmers Market on Saturday"): kept by
    # the workspace when the file is imported, so it shows so (channels.own_channel_label).
    channel_label: str | None = None

    def file_phone_region(self) -> PhoneRegion:
        """What the file's own evidence decides (else the workspace's region), whatever was chosen."""
        return decide_phone_region(self.region_evidence, self.region)

    @property
    def local_phone_region(self) -> str | None:
        """The region numbers without a country code are read as (None: they are flagged)."""
        return self.phone_region.code if self.phone_region is not None else self.region

    @property
    def file_name(self) -> str:
        """The file's name as stored and shown (see ``file_name_text``)."""
        return file_name_text(self.path.name)

    @property
    def header(self) -> tuple[str, ...]:
        return self.fmt.header

    def with_changes(self, *, mapping: Sequence[str] | None = None, kind: str | None = None,
                     channel: str | None = None, phone_region: str | None = None,
                     date_order: str | None = None) -> ImportPlan:
        """A copy with the user's corrections; a new mapping re-decides kind, date orders and
        the phone region.  ``phone_region`` is a region code the user chose, or "" to let the
        file's evidence decide again.  ``date_order`` ("DMY" or "MDY") is how the user says the
        file writes the dates none of a column's values shows the order of, or "" to read them in
        the region's order again."""
        plan = self
        if date_order is not None:
            plan = replace(plan, date_order=check_date_order(date_order))
            if mapping is None:
                with PlanRecords(plan.path, plan.fmt) as records:
                    orders, notes, _, guessed, unclear = _scan(records, plan.fmt, plan.mapping, plan.region,
                                                               plan.date_order)
                plan = replace(plan, date_orders=orders, guessed_date_columns=guessed, unclear_date_columns=unclear,
                               warnings=_with_date_notes(plan.warnings, notes))
        if mapping is not None:
            mapping = list(mapping)
            _check_mapping(mapping, len(self.header))
            plan = replace(plan, mapping=mapping, mapping_source="user",
                           kind=kind or guess_kind(mapping).value)
            with PlanRecords(plan.path, plan.fmt) as records:
                orders, warnings, evidence, guessed, unclear = _scan(records, plan.fmt, mapping, plan.region,
                                                                     plan.date_order)
                decided = plan.phone_region
                if decided is None or decided.source != "chosen":
                    decided = decide_phone_region(evidence, plan.region)
                marks, mark_notes = _decimal_marks(records, plan.fmt, mapping)
                plan = replace(plan, date_orders=orders, region_evidence=evidence, phone_region=decided,
                               guessed_date_columns=guessed, unclear_date_columns=unclear, decimal_marks=marks,
                               warnings=[*plan.fmt.warnings, *warnings, *mark_notes,
                                         *_phone_region_notes(decided, plan.region, mapping)])
                if kind is None and plan.kind == Kind.EVENTS.value and plan.preset is None:
                    plan = _events_need_evidence(plan, records)
        if phone_region is not None:
            decided = (chosen(phone_region, "chosen by you") if phone_region
                       else decide_phone_region(plan.region_evidence, plan.region))
            notes = [w for w in plan.warnings if not w.startswith(_PHONE_NOTE)]
            plan = replace(plan, phone_region=decided,
                           warnings=notes + _phone_region_notes(decided, plan.region, plan.mapping))
        if kind is not None:
            plan = replace(plan, kind=Kind(kind).value)
        if channel is not None:  # a channel's code, or its name as the user typed it
            plan = replace(plan, channel=check_channel(channel), channel_label=own_channel_label(clean_line(channel)))
        if mapping is not None or kind is not None or channel is not None:
            notes = [w for w in plan.warnings if not w.startswith(_LIST_NOTE)]
            plan = replace(plan, warnings=notes + _optout_list_notes(plan), previous_batch=_imported_before(plan))
        return plan


def check_date_order(text: str) -> nz.DateOrder | None:
    """The day/month order a user names for a file's dates ("DMY", "MDY"); None for ""."""
    if not text:
        return None
    try:
        order = nz.DateOrder(text.strip().upper())
    except ValueError:
        order = None
    if order not in (nz.DateOrder.DMY, nz.DateOrder.MDY):
        raise UserError(f"Unknown date order '{text}': DMY (day first, 31/12) or MDY (month first, 12/31).")
    return order


_UNCLEAR_DATES = "could be day/month or month/day"


def _with_date_notes(warnings: Sequence[str], notes: Sequence[str]) -> list[str]:
    """``warnings`` with their notes on how unclear date columns are read replaced by ``notes``'s."""
    fresh = iter([n for n in notes if _UNCLEAR_DATES in n])
    out = [next(fresh, None) if _UNCLEAR_DATES in w else w for w in warnings]
    return [w for w in out if w is not None] + list(fresh)


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


class PlanRecords:
    """A file's records, parsed once for planning.

    Each iteration starts from the first record.  The first ``keep`` records
    are kept, so the steps that look at the start of the file (the preview,
    the samples) share one reading, and a step that reads on (the date scan)
    continues that same reading without keeping what it reads.  Only a step
    that starts over after such a step has gone past the kept records (the
    evidence that a file holds events) parses the file again.

    The lines of the file's layout (a report's footer, a total row, a second header line: see
    ``Record.not_a_row``) are no rows to plan by: an import skips them, so no guess counts them.
    """

    def __init__(self, source: Path | SourceFile, fmt: FileFormat, keep: int = PREVIEW_ROWS) -> None:
        self._source = source
        self._fmt = fmt
        self._keep = keep
        self._kept: list[Record] = []
        self._reader: Iterator[Record] | None = None
        self._handed = 0  # records the reader has handed out

    def __iter__(self) -> Iterator[Record]:
        for i in count():
            if i < len(self._kept):
                yield self._kept[i]
                continue
            if self._reader is None:
                self._reader = _data_rows(read_records(self._source, self._fmt))
            if i != self._handed:  # the reader went on past what was kept: read again from the start
                again = _data_rows(read_records(self._source, self._fmt))
                try:
                    yield from islice(again, i, None)
                finally:
                    again.close()
                return
            record = next(self._reader, None)
            if record is None:
                return
            self._handed += 1
            if len(self._kept) < self._keep:
                self._kept.append(record)
            yield record

    def close(self) -> None:
        if self._reader is not None:
            self._reader.close()

    def __enter__(self) -> PlanRecords:
        return self

    def __exit__(self, *_exc) -> None:
        self.close()


def _data_rows(records: Iterator[Record]) -> Iterator[Record]:
    try:
        for record in records:
            if not record.not_a_row:
                yield record
    finally:
        records.close()


def _decide_date_orders(path: Path, fmt: FileFormat, mapping: Sequence[str],
                        region: str) -> tuple[dict[int, nz.DateOrder], list[str]]:
    with PlanRecords(path, fmt) as records:
        orders, warnings, _, _, _ = _scan(records, fmt, mapping, region)
    return orders, warnings


def _scan(records: PlanRecords, fmt: FileFormat, mapping: Sequence[str], region: str,
          chosen_order: nz.DateOrder | None = None
          ) -> tuple[dict[int, nz.DateOrder], list[str], RegionEvidence, frozenset[int], frozenset[int]]:
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

    Also returns the date columns whose order no value proves (no day above 12 in
    either place): their dates that could be either are read by a guess; and of those, the
    ones holding such dates.  ``chosen_order`` is the order the user says the file writes its
    dates in: it reads the columns no value decides instead of the region's, and is no guess.
    """
    columns = _date_columns(mapping)
    phones = [i for i, f in enumerate(mapping) if f == "phone"]
    countries = [i for i, f in enumerate(mapping) if f == "country"]
    evidence = {i: nz.DateEvidence() for i in columns}
    found = RegionEvidence()
    if not columns and not (phones or countries):
        return {}, [], found, frozenset(), frozenset()
    stream = iter(records)
    try:
        for n, rec in enumerate(stream, 1):
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
        stream.close()
    if not columns:
        return {}, [], found, frozenset(), frozenset()
    orders: dict[int, nz.DateOrder] = {}
    warnings = []
    for i, ev in evidence.items():
        orders[i] = ev.column_order(region)
        if chosen_order is not None and not ev.decided and not ev.conflicting:
            orders[i] = chosen_order
        if ev.conflicting:
            either = (f"dates that could be either, such as {ev.ambiguous_example}, are left empty "
                      "and their rows flagged" if ev.ambiguous_example
                      else "each date is read the only way it can be")
            warnings.append(
                f"Dates in column '{fmt.header[i]}' are written both day-first "
                f"({ev.day_first_example}) and month-first ({ev.month_first_example}); {either}."
            )
        elif not ev.decided and ev.ambiguous and chosen_order is not None:
            warnings.append(f"Dates in column '{fmt.header[i]}' {_UNCLEAR_DATES} and nothing in the column "
                            f"decides; read {_READ_AS[orders[i]]}, as you chose.")
        elif not ev.decided and ev.ambiguous:
            warnings.append(
                f"Dates in column '{fmt.header[i]}' {_UNCLEAR_DATES} and nothing "
                f"in the column decides; read {_READ_AS[orders[i]]} from the region {region}."
                + (_GUESSED_CONSENT_DATES if mapping[i] in _CONSENT_TIME_FIELDS else "")
            )
    unclear = frozenset(i for i, ev in evidence.items() if not ev.decided and not ev.conflicting and ev.ambiguous)
    guessed = frozenset(i for i, ev in evidence.items() if not ev.conflicting and not (ev.day_first or ev.month_first)
                        and not (chosen_order is not None and not ev.decided))
    return orders, warnings, found, guessed, unclear


_MONEY_TYPES = (FieldType.MONEY,)


def _decimal_marks(records: PlanRecords, fmt: FileFormat,
                   mapping: Sequence[str]) -> tuple[dict[int, str], list[str]]:
    """Decide each amount column's decimal mark from its values, as ``_scan`` decides a date
    column's day/month order: "12,50" proves a comma, "1.99" a point, and the amounts that
    could be either ("3,500") are read by what the column proves.  A column proving both is
    ``MIXED_MARKS``: its amounts that could be either are left empty and their rows flagged.
    The first DATE_SAMPLE rows are read, and on while a column has such amounts and no proof."""
    columns = [i for i, f in enumerate(mapping) if f != IGNORE and FIELDS_BY_NAME[f].type in _MONEY_TYPES]
    if not columns:
        return {}, []
    shown: dict[int, dict[str, str]] = {i: {} for i in columns}  # mark -> its first example
    stream = iter(records)
    try:
        for n, rec in enumerate(stream, 1):
            values = rec.values
            for i in columns:
                raw = values[i] if i < len(values) else ""
                if raw:
                    # "12" or "12.50", as most amounts are written: a point when it has one.
                    mark = ("." if "." in raw else None) if nz.plain_amount(raw) else nz.decimal_mark_shown(raw)
                    if mark is not None:
                        shown[i].setdefault(mark, raw.strip())
            if n >= DATE_SAMPLE and all(("," in s or "." in s) or "" not in s for s in shown.values()):
                break
    finally:
        stream.close()
    marks: dict[int, str] = {}
    notes: list[str] = []
    for i, seen in shown.items():
        name = printable(fmt.header[i]) if i < len(fmt.header) else f"column {i + 1}"
        if "," in seen and "." in seen:
            marks[i] = nz.MIXED_MARKS
            if "" in seen:
                notes.append(f"Amounts in column '{name}' write decimals both with a comma ({seen[',']}) and "
                             f"with a point ({seen['.']}); amounts that could be either, such as {seen['']}, "
                             "are left empty and their rows flagged.")
        elif "," in seen or "." in seen:
            marks[i] = mark = "," if "," in seen else "."
            if "" in seen:
                notes.append(f"Amounts in column '{name}' write decimals with a {'comma' if mark == ',' else 'point'} "
                             f"({seen[mark]}), so {seen['']} is read as "
                             f"{nz.parse_money(seen[''], mark).value:,.2f}.")
    return marks, notes


_PHONE_NOTE = "phone region: "
_CONSENT_TIME_FIELDS = frozenset({"consent_at", "consent_email_at", "consent_sms_at", "consent_whatsapp_at",
                                  "unsubscribed_at"})
# What such a guess does to consent (see rows.RowNormalizer._consent_time).
_GUESSED_CONSENT_DATES = (" A consent \"yes\" such a date would date is kept undated (it cannot lift an "
                          "opt-out), and an opt-out takes the later of the two readings.")
_LIST_NOTE = "Every row of this file is read as "


def _optout_list_notes(plan: ImportPlan) -> list[str]:
    """The plan's note that a list of opt-outs known by its name alone has each row read as one."""
    constants = dict(plan.preset.constants) if plan.preset else {}
    if plan.kind != Kind.CONTACTS.value or consent_columns(plan.mapping, constants):
        return []
    status = list_status(plan.file_name, plan.header, plan.mapping)
    if status is None:
        return []
    names = [CHANNELS.get(c) or channel_name(c) for c in list_channels(plan.file_name, plan.channel, plan.mapping)]
    channel = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    return [f"{_LIST_NOTE}an {channel} opt-out ({status}): its name or a column says it is a list of "
            "unsubscribes, bounces or suppressions, and no column gives consent. Map a consent column "
            "if that is wrong."]


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
    with open_source(path) as src:
        fmt = sniff(src, encoding=options.encoding, region=region)
        with PlanRecords(src, fmt) as records:
            return _plan(ws, path, options, explicit, region, src, fmt, records)


def _plan(ws: Workspace, path: Path, options: ImportOptions, explicit: str | None, region: str,
          src: SourceFile, fmt: FileFormat, records: PlanRecords) -> ImportPlan:
    """The plan for a file ``analyze`` has opened and sniffed."""
    if next(iter(records), None) is None:
        blank = BlankRows()
        for _ in read_records(src, fmt, blank):
            pass
        raise no_rows(printable(path.name), blank.lines)
    if options.preset:
        try:
            preset = get_preset(options.preset)
        except KeyError as exc:
            raise UserError(str(exc.args[0]) if exc.args else f"Unknown preset {options.preset}") from exc
        _refuse_unfit_preset(path, fmt.header, preset)
    else:
        preset = detect_preset(fmt.header, file_name=path.name)
    guesses = guess_mapping(fmt.header, preset)
    mapping = [g.field for g in guesses]
    source = "preset" if preset else "guessed"
    saved_channel = saved_kind = None
    report_columns = _report_columns(fmt.header)
    if report_columns is not None:
        _refuse_mixed_report(path, fmt, records)
    origin = _report_origin(ws, records, fmt, report_columns) if report_columns else None
    if report_columns:
        for i in added_columns(fmt.header):  # the report's own columns, and the cells past its file's header
            mapping[i] = IGNORE
    if origin is not None and options.mapping is None:
        # The original file's mapping, channel and kind: a fixed row reads as it was meant to.
        mapping, source = origin["mapping"] + [IGNORE] * (len(fmt.header) - len(origin["mapping"])), "saved"
        saved_channel, saved_kind = origin["channel"], origin["kind"]
        # The original's preset, not one the report's own name or columns suggest: a report of a
        # subscribed Mailchimp file is not named as one, and gives the consent its rows gave.
        if origin["preset"] and not options.preset:
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
    reply_list = False
    if source == "guessed":
        mapping, guesses, content_notes = _emails_by_content(records, fmt, mapping, guesses)
        mapping, guesses, notes, reply_list = _read_by_values(records, fmt, mapping, guesses)
        content_notes += notes
    kind = options.kind or saved_kind or (preset.kind.value if preset else guess_kind(mapping).value)
    channel = check_channel(options.channel) if options.channel is not None else (
        saved_channel or ("sms" if reply_list else guess_channel(path.name, fmt.header, preset)))
    if source == "guessed":
        mapping = _consent_for_channel(mapping, fmt.header, channel)
    date_order = check_date_order(options.date_order or "")
    orders, warnings, evidence, guessed, unclear = _scan(records, fmt, mapping, region, date_order)
    marks, mark_notes = _decimal_marks(records, fmt, mapping)
    warnings += mark_notes
    phone_region = decide_phone_region(evidence, region, explicit)
    if origin is not None:
        # A few fixed rows say little about day/month order or the phone region; the original file said more.
        orders.update({i: o for i, o in origin["date_orders"].items() if i < len(fmt.header)})
        warnings = [w for w in warnings if _UNCLEAR_DATES not in w]
        unclear = frozenset()
        if explicit is None and origin["phone_region"] is not None:
            phone_region = origin["phone_region"]
        warnings.append(f"This is the error report of import {origin['batch_id']} ({printable(origin['file_name'])}): "
                        "each fixed row joins the customer of the row it corrects.")
    # How the file was read comes first: a wrong encoding spoils everything after it.
    warnings = [*fmt.warnings, *warnings]
    warnings += _phone_region_notes(phone_region, region, mapping)
    warnings += content_notes
    if preset is not None and not options.preset and origin is None:
        warnings += _unnamed_file_notes(path, fmt.header, preset)
    if names_no_one(kind, mapping, preset):
        warnings.append(f"{NO_ONE_NOTE}, so its rows would all be skipped: {_MAP_COLUMNS}.")
    if source in ("guessed", "preset") and origin is None:
        warnings += _unread_consent_notes(records, fmt, mapping, guesses)
    plan_kind_guessed = not (options.kind or saved_kind or preset)
    file_hash = src.sha256()  # the bytes were hashed as the encoding check read them
    with ws.engine.connect() as conn:
        imported_as = tuple(tuple(r) for r in conn.execute(
            select(ImportBatch.id, ImportBatch.channel, ImportBatch.kind).where(
                ImportBatch.file_hash == file_hash, ImportBatch.status == "done", ImportBatch.kind != HAND_KIND
            ).order_by(ImportBatch.id)
        ))
    preview = list(islice(records, PREVIEW_ROWS))
    plan = ImportPlan(
        path=path, file_hash=file_hash, file_size=src.size, fmt=fmt, preset=preset,
        guesses=guesses, mapping=mapping, mapping_source=source, kind=kind, channel=channel,
        channel_label=own_channel_label(clean_line(options.channel)) if options.channel is not None else None,
        region=region, date_orders=orders, preview=preview, imported_as=imported_as, currency=workspace_currency(ws),
        warnings=warnings, report_columns=report_columns, phone_region=phone_region,
        region_evidence=evidence, guessed_date_columns=guessed, file_stamp=src.stamp, decimal_marks=marks,
        unclear_date_columns=unclear, date_order=date_order,
    )
    plan.warnings.extend(_optout_list_notes(plan))
    if plan_kind_guessed and kind == Kind.EVENTS.value:
        plan = _events_need_evidence(plan, records)
    elif plan_kind_guessed and source == "guessed":
        plan.warnings.extend(_orders_read_as_people(plan))
    if options.phone_region:
        plan = plan.with_changes(phone_region=options.phone_region)
    return replace(plan, previous_batch=_imported_before(plan))


def _unread_consent_notes(records: Iterable[Record], fmt: FileFormat, mapping: Sequence[str],
                          guesses: Sequence[ColumnGuess]) -> list[str]:
    """A warning for each column no field was given whose first values hold consent words
    ("Unsubscribed", "Never subscribed", "Abgemeldet"): it is kept as the person's own field and
    says nothing of their consent, so an unsubscribe in it would leave an older "yes" standing.
    A column a preset keeps raw on purpose is its own business."""
    sample = [r.values for r in islice(records, PREVIEW_ROWS)]
    skip = set(added_columns(fmt.header))
    notes = []
    for i, name in enumerate(mapping):
        if name != IGNORE or i in skip or (i < len(guesses) and guesses[i].reason.startswith("preset")):
            continue
        values = [row[i] for row in sample if i < len(row) and nz.clean_cell(row[i])]
        said = [v for v in values if nz.says_consent_status(v)]
        if len(said) < 2 or 5 * len(said) < len(values):
            continue
        words = ", ".join(f'"{printable(w)}"' for w in dict.fromkeys(nz.clean_cell(v) for v in said[:20]))
        notes.append(
            f"Column '{printable(fmt.header[i])}' holds consent words ({words}) in {len(said)} of its first "
            f"{len(sample)} rows, but was not read as consent: it is kept as a custom field and changes no "
            "one's consent. To have it read as consent, map it to the channel's consent in the import wizard, "
            "or name it so in the file's header row (for example Email consent or SMS consent) and import it again."
        )
    return notes


def _imported_before(plan: ImportPlan) -> int | None:
    """The kept import of ``plan``'s bytes as its channel and kind: importing it adds nothing."""
    return next((bid for bid, channel, kind in plan.imported_as
                 if channel == plan.channel and kind == plan.kind), None)


# How the plan's note on such a list starts (the import wizard says it its own way).
NO_ONE_NOTE = "No column of this file was recognised as a name, email, phone or customer ID"
# What to do about a list of people none of whose columns is recognised as naming them.  The
# wizard maps any column; the command line takes a vendor's preset, and reads a header row
# that names the columns.
_MAP_COLUMNS = ("map its columns (in the import wizard, or with --preset on the command line), "
                "or name them in its header row (for example Email, Phone, First Name)")


def names_no_one(kind: str, mapping: Sequence[str], preset: Preset | None) -> bool:
    """Whether a list of people has no column (nor preset constant) naming anyone in a row:
    no name, email, phone or customer ID, so every row of it would be skipped as nobody."""
    if kind != Kind.CONTACTS.value or any(f in _IDENTITY for f in mapping):
        return False
    constants = dict(preset.constants) if preset is not None else {}
    return not any(constants.get(f) for f in _IDENTITY)


class NamesNoOneError(UserError):
    """A list of people refused by :func:`refuse_naming_no_one`; its text names the command
    line's way out, and the import wizard says its own."""


def refuse_naming_no_one(plan: ImportPlan) -> None:
    """Refuse, before anything is stored, a list of people none of whose rows could name
    anyone (see :func:`names_no_one`): imported, every row would be skipped."""
    if names_no_one(plan.kind, plan.mapping, plan.preset):
        raise NamesNoOneError(
            f'"{printable(plan.file_name)}" was not imported: no column of it was recognised as a name, '
            f"email, phone or customer ID, so every row would be skipped. To import it, {_MAP_COLUMNS}."
        )


def unnamed_file_note(file_name: str, header: Sequence[str], preset: Preset | None) -> str | None:
    """What a file read as ``preset`` is, when it has the header of exports only their names tell
    apart and its name is none of theirs: it is given nothing any of their names would give.
    Without what to do about it, which the command line and the import wizard say each their way."""
    named = named_otherwise(preset, header) if preset is not None else []
    if not named:
        return None
    which = "; ".join(f"{p.label}: {p.file_name.example}" for p in named if p.file_name is not None)
    return (f'"{printable(file_name)}" has the columns of exports that only their file names tell apart ({which}), '
            f"and its name is none of them: it is read as {preset.label}. {preset.note}")


def _unnamed_file_notes(path: Path, header: Sequence[str], preset: Preset) -> list[str]:
    """:func:`unnamed_file_note`, with the command line's way out: the file's name, or a preset."""
    note = unnamed_file_note(path.name, header, preset)
    if note is None:
        return []
    keys = " or ".join(p.key for p in named_otherwise(preset, header))
    return [f"{note} If it is one of them, give it its name back, or import it with --preset {keys}."]


def _refuse_unfit_preset(path: Path, header: Sequence[str], preset: Preset) -> None:
    """Refuse a preset named for a file that lacks most of the columns identifying its format
    (see ``presets.unfit_preset``), naming them and the presets the file does match."""
    missing = unfit_preset(preset, header)
    if missing is None:
        return
    lacks = ", ".join(f'"{key}"' for key in missing)
    matching = [p for p in matching_presets(header) if p.key != preset.key]
    instead = (f"the presets that match it are {', '.join(f'{p.key} ({p.label})' for p in matching)}"
               if matching else "no preset matches it, so import it without one to have its columns "
                                "read by their names")
    raise UserError(
        f'"{printable(path.name)}" was not imported: it is not a {preset.label} (preset {preset.key}), '
        f"which has {'a column' if len(preset.signature) == 1 else 'columns'} this file lacks: {lacks}; "
        f"{instead}."
    )


def _refuse_mixed_report(path: Path, fmt: FileFormat, records: Iterable[Record]) -> None:
    """A fixed report of several files in one cannot be read as any one of them: refuse it.

    Read as one file, its rows would all take the first file's kind, channel and
    columns (a shop's customers as email unsubscribes, a lifetime figure counted
    again), so nothing of it is imported; each import's report written again
    can be fixed and imported on its own.
    """
    files = mixed_report_batches(fmt.header, records)
    if not files:
        return
    named = ", ".join(f"{printable(name)} (import {batch})" if batch else printable(name)
                      for name, batch in files.items())
    again = " and ".join(f"'omnidesk imports errors {batch} OUT.csv'" for batch in dict.fromkeys(files.values())
                         if batch)
    how = (f"write each file's report again ({again}, or Save error report… on the Imports screen)"
           if again else "import each file again with --errors, which writes one report per file")
    raise UserError(
        f'"{printable(path.name)}" is an error report of several files in one ({named}); read as one file, '
        f"its rows would take the first file's columns, channel and consent. Nothing was imported: {how}, "
        "fix each and import them one by one."
    )


_EMAIL_VALUE = re.compile(r"^[^@\s,;<>]+@[^@\s,;<>]+\.[^@\s,;<>]{2,}$")


def _emails_by_content(records: Iterable[Record], fmt: FileFormat, mapping: list[str],
                       guesses: list[ColumnGuess]) -> tuple[list[str], list[ColumnGuess], list[str]]:
    """Map to ``email`` the column whose values are email addresses, when no header named one.

    Headers in a language the guesser does not know ("E-posta", "電子メール アドレス") would
    otherwise leave a file's people without their address, or skipped as nobody.  Only an
    unmapped column qualifies, and only when nearly all of its first values are addresses.
    """
    if "email" in mapping:
        return mapping, guesses, []
    sample = [r.values for r in islice(records, PREVIEW_ROWS)]
    for i, target in enumerate(mapping):
        if target != IGNORE:
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


def _read_by_values(records: Iterable[Record], fmt: FileFormat, mapping: list[str], guesses: list[ColumnGuess]
                    ) -> tuple[list[str], list[ColumnGuess], list[str], bool]:
    """The guesses a header alone got wrong, read again with the first rows' values: an SMS
    gateway's list of replies under other headers than the preset's (``optout_lists.reply_columns``),
    a column of phone numbers read as a name.  Returns the mapping, the guesses, notes, and
    whether the file is a list of replies."""
    sample = [r.values for r in islice(records, PREVIEW_ROWS)]
    replies = reply_columns(fmt.header, mapping, sample)
    mapping, changed, notes = replies.mapping, dict(replies.changed), list(replies.notes)
    if not replies.reply_list:
        mapping, more, more_notes = phones_in_names(fmt.header, mapping, sample)
        changed.update(more)
        notes += more_notes
    guesses = [ColumnGuess(g.index, g.header, changed[g.index][0], 0.7, changed[g.index][1])
               if g.index in changed else g for g in guesses]
    return mapping, guesses, notes, replies.reply_list


def _events_need_evidence(plan: ImportPlan, records: Iterable[Record]) -> ImportPlan:
    """Read a file whose columns look like events as contacts unless its rows prove it.

    A list of people with a "Created" date and a "Contact type" is not a log of
    what they did: events need a time on nearly every row and, on most rows, an
    action, an amount or an order (see :mod:`evidence`).
    """
    found = events_evidence((r.values for r in islice(records, DATE_SAMPLE)), plan.mapping,
                            plan.date_orders, plan.region)
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


def _orders_read_as_people(plan: ImportPlan) -> list[str]:
    """A warning when a file read as a list of people from its columns has a column of order
    numbers: an order export whose date column no header word gave away would lose every order
    without a word."""
    numbers = [plan.fmt.header[i] for i, name in enumerate(plan.mapping) if name == "order_id"]
    if plan.kind != Kind.CONTACTS.value or not numbers:
        return []
    return [f"Column '{printable(numbers[0])}' reads as order numbers, but no column reads as the orders' "
            "date, so the file is read as a list of people and no order in it is counted. If it holds "
            "orders, map the column with their date to the order's time in the wizard."]


_EMAIL_WORDS = ("mail", "newsletter")


def _consent_for_channel(mapping: list[str], header: Sequence[str], channel: str) -> list[str]:
    """A plain "Opted in" (or "Opted out") column is about the channel the file comes from.

    The guesser reads it as email consent (or an email opt-out); in an SMS
    subscriber list it means SMS, unless the header itself says email.  So it does
    in a list of numbers with no email column, whatever its name ("smslist.csv"):
    the "no" beside a number was read as an email refusal, and the number stayed
    open to texts.
    """
    if channel != "sms" and ("email" in mapping or "phone" not in mapping):
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
    with ws.writing() as conn:
        if not conn.execute(update(table).where(table.c.signature == sig).values(**values)).rowcount:
            conn.execute(insert(table).values(signature=sig, **values))
