"""Send packs: the files each channel's own tool imports, written from decided recipients and posts.

These writers decide nothing: who gets a message, what it says and when has
been settled by the campaign's guards before they run.  They only lay the
result out as the receiving tool reads it, formula-safe (every CSV goes
through ``exporting.csvsafe``), never over a workspace or, unasked, over an
existing file (``exporting.outfiles.check_output``), and through a temporary
file renamed at the end, so an error never leaves half a pack behind.

Formats matched:

* **Email audience** — Mailchimp's "Format Guidelines for Your Import File"
  (https://mailchimp.com/help/format-guidelines-for-your-import-file/): an
  email address column is the only one required, one address per contact;
  columns may come in any order; text fields hold up to 255 bytes; the file is
  UTF-8.  The columns are named as Mailchimp's own fields (``Email
  Address``, ``First Name``, ``Last Name``) so each maps on sight.  That page
  does not describe a tags column: the one ``Tags`` cell holding all of a
  person's tags separated by commas (the cell quoted) is the layout this
  project chose for Mailchimp's tags import, and a tag holding a comma is
  refused rather than split in two.  Check it with a test import when
  Mailchimp changes its importer.
* **SMS** — no single vendor: E.164 numbers, the text as sent, its segments and
  encoding, and the send time both in UTC and in the recipient's zone.
* **Social** — layouts kept as data in ``resources/send_layouts/`` (see
  :mod:`omnidesk.core.campaigns.packs_layouts`): Buffer's bulk upload
  (``Text``, ``Image URL``, ``Tags``, ``Posting Time`` as ``YYYY-MM-DD HH:mm``,
  as the campaign design gives it; no Buffer page was at hand to match),
  Hootsuite's bulk composer (date and time, message, link: the three columns
  its users describe, e.g.
  https://kim-iverson-headlee.blogspot.com/2016/08/the-business-of-writing-using-hootsuite.html
  and http://jycalcano.blogspot.com/2015/07/post-8-hootsuite-bulk-messaging.html,
  whose upload dialog offers ``mm/dd/yyyy hh:mm``; Hootsuite's own help page
  was not at hand, so the header row and the date format are settings of
  ``hootsuite.toml``, not code), and a generic layout.
* **Calendar** — RFC 5545, in :mod:`omnidesk.core.campaigns.packs_calendar`.
"""

from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import islice
from pathlib import Path
from zoneinfo import ZoneInfo

from omnidesk.core import tempfiles
from omnidesk.core.campaigns.packs_calendar import CalendarStep, write_calendar, zone_info
from omnidesk.core.campaigns.packs_layouts import Layout, LayoutFileError, layout_names, load_layout
from omnidesk.core.errors import UserError
from omnidesk.core.exporting.csvsafe import safe_cell, write_csv, write_csv_columns
from omnidesk.core.exporting.outfiles import check_output, owned_file_beside, put_in_place
from omnidesk.core.failures import telling_write_failures
from omnidesk.core.messages.lint import SMS_MAX_SEGMENTS
from omnidesk.core.messages.tokens import without_bidi_controls

__all__ = [
    "EMAIL_COLUMNS",
    "SMS_COLUMNS",
    "CalendarStep",
    "EmailRecipient",
    "EmailRefusal",
    "Layout",
    "LayoutFileError",
    "SmsRecipient",
    "SocialPost",
    "layout_names",
    "load_layout",
    "slug",
    "email_refusals",
    "field_bytes_over",
    "social_post_problem",
    "write_bytes_file",
    "write_calendar",
    "write_email_audience",
    "write_email_bodies",
    "write_sms_pack",
    "write_social_pack",
]

EMAIL_COLUMNS = ("Email Address", "First Name", "Last Name", "Tags")
SMS_COLUMNS = ("Phone", "Message", "Segments", "Encoding", "Send at (UTC)", "Send at (local)", "Time zone", "Note")
MOVED_NOTE = "moved out of quiet hours"
# Recipients laid out as columns at a time (see csvsafe.write_csv_columns).
_CHUNK = 8192

_E164 = re.compile(r"\+[1-9]\d{6,14}")
_E164_RUN = re.compile(r"(?:\+[1-9]\d{6,14}\x00)*")


@dataclass(frozen=True, slots=True)
class EmailRecipient:
    """One row of the email audience; ``fields`` holds the personalized values by field name."""

    customer_id: int
    email: str
    first_name: str
    last_name: str
    tags: tuple[str, ...] = ()
    fields: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class SmsRecipient:
    """One text to send: the number (E.164), the text as personalized, and when (UTC)."""

    customer_id: int
    phone: str
    text: str
    segments: int
    encoding: str
    send_at_utc: datetime
    zone: str
    moved: bool = False
    # The other zones the number may ring in (a Spanish mobile: the Canaries' beside Madrid's).
    other_zones: tuple[str, ...] = ()


@dataclass(frozen=True)
class SocialPost:
    """One post for one network at an aware local date-time."""

    text: str
    link: str
    image_url: str
    tags: tuple[str, ...]
    at: datetime
    network: str


# -- file names ----------------------------------------------------------------------

# Names Windows keeps for devices, whatever the extension ("con.ics" opens the console).
# Slugs hold only letters, digits and hyphens, so the spellings with "¹" or "$" cannot occur.
_WINDOWS_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)), *(f"lpt{i}" for i in range(10))}
_SLUG_MAX = 60


def slug(text: str) -> str:
    """A file-name part for ``text``: lower case, words joined by hyphens; never empty.

    Latin accents are dropped (``Café`` gives ``cafe``); letters of other
    scripts stay.  Anything but letters and digits becomes a hyphen.  Empty
    results give ``campaign``, and a name Windows reserves for a device
    (``CON``, ``NUL``, ``COM1``…) gets ``-campaign`` after it.  At most 60
    characters, cut between words where possible.
    """
    decomposed = unicodedata.normalize("NFKD", text or "")
    kept: list[str] = []
    for ch in decomposed:
        # A combining mark is dropped only on a Latin letter: on other scripts it is part of the letter.
        if unicodedata.combining(ch) and kept and kept[-1].isascii():
            continue
        kept.append(ch)
    folded = unicodedata.normalize("NFC", "".join(kept)).casefold()
    result = re.sub(r"[\W_]+", "-", folded).strip("-")
    if len(result) > _SLUG_MAX:
        cut = result[:_SLUG_MAX]
        whole_words = result[_SLUG_MAX] == "-" or "-" not in cut
        result = (cut if whole_words else cut.rsplit("-", 1)[0]).strip("-")
    if not result:
        return "campaign"
    if result in _WINDOWS_RESERVED:
        result += "-campaign"
    return result


# -- writing -------------------------------------------------------------------------

def _write_files(files: Sequence[tuple[Path, bytes]], *, overwrite: bool) -> None:
    """Write each file whole or none: every target is checked first, each is written beside
    itself and renamed only once all of them are written."""
    targets = [check_output(path, overwrite=overwrite) for path, _ in files]
    if len({os.path.normcase(os.path.abspath(p)) for p in targets}) != len(targets):
        raise ValueError("two files of one pack have the same name")
    parts: list[Path] = []
    try:
        # A refusal names the file being written, never the temporary one beside it.
        for target, (_, data) in zip(targets, files, strict=True):
            with telling_write_failures(target):
                parts.append(owned_file_beside(target))
                with parts[-1].open("wb") as fh:
                    fh.write(data)
        for part, target in zip(parts, targets, strict=True):
            with telling_write_failures(target):
                put_in_place(part, target, overwrite=overwrite)
    except BaseException:
        for part in parts:
            tempfiles.release(part)
        raise
    for part in parts:
        tempfiles.release(part, remove=False)


def write_bytes_file(out: Path, data: bytes, *, overwrite: bool = False) -> Path:
    """Write one file whole (a website banner, say): checked like every export, through a
    temporary file; returns its path."""
    _write_files([(Path(out), data)], overwrite=overwrite)
    return Path(out)


def write_email_audience(out: Path, rows: Iterable[EmailRecipient], field_names: Sequence[str], *,
                         excel: bool = False, overwrite: bool = False) -> int:
    """Mailchimp's audience import CSV; returns the rows written.

    Columns: ``Email Address``, ``First Name``, ``Last Name``, ``Tags`` (all of
    a person's tags in one cell, comma-separated), then one per name in
    ``field_names``, headed as given, holding that field of each recipient
    (empty when the recipient has none).  A field name that repeats a column,
    are refused with a ValueError; a tag holding a comma (Mailchimp would
    read two tags) with a UserError naming the customer.  Either way no file
    is left.
    """
    names = list(field_names)
    seen = {c.casefold() for c in EMAIL_COLUMNS}
    for name in names:
        if not name or not name.strip():
            raise ValueError("a personalized field has no name")
        if name.casefold() in seen:
            raise ValueError(f"the field {name!r} repeats a column of the audience file")
        seen.add(name.casefold())

    return write_csv_columns(Path(out), [*EMAIL_COLUMNS, *names], _email_chunks(iter(rows), names),
                             excel=excel, overwrite=overwrite)


@dataclass(frozen=True, slots=True)
class EmailRefusal:
    """A row the Mailchimp audience file refuses: whose, the column (a name, a field's merge tag, or
    ``Tags``), its size as written when too long, and the writer's words."""

    customer_id: int
    column: str
    size: int | None
    message: str


def email_refusals(rows: Iterable[EmailRecipient], field_names: Sequence[str]) -> Iterator[EmailRefusal]:
    """Every row of ``rows`` the audience file would refuse (:func:`write_email_audience` stops at
    the first): the campaign's check asks this of the rows its export would write, so what it lets
    through the writer takes."""
    rows = iter(rows)
    names = list(field_names)
    while chunk := list(islice(rows, _CHUNK)):
        yield from _refused(chunk, _email_columns(chunk, names), names)


def _email_chunks(rows: Iterator[EmailRecipient], names: list[str]) -> Iterator[list[list[str]]]:
    while chunk := list(islice(rows, _CHUNK)):
        columns = _email_columns(chunk, names)
        for refusal in _refused(chunk, columns, names):
            raise UserError(refusal.message)
        yield columns


def _email_columns(chunk: list[EmailRecipient], names: list[str]) -> list[list[str]]:
    """A chunk of the audience file as its columns, as written."""
    # The names and fields the sending tool puts into the message: without the controls that
    # would turn the message's text round (a first name U+202E "evil"), as our own render drops them.
    return [
        [r.email for r in chunk],
        [without_bidi_controls(r.first_name) for r in chunk],
        [without_bidi_controls(r.last_name) for r in chunk],
        [",".join(t for t in r.tags if t) for r in chunk],
        *([without_bidi_controls(r.fields.get(name, "")) for r in chunk] for name in names),
    ]


def _refused(chunk: list[EmailRecipient], columns: list[list[str]], names: list[str]) -> Iterator[EmailRefusal]:
    """The rows of a chunk the file refuses: a tag holding a comma, then a value too long, column by column."""
    for r, cell in zip(chunk, columns[3], strict=True):
        # As many commas as separators, or one of the tags holds a comma of its own.
        if cell.count(",") != max(len([t for t in r.tags if t]) - 1, 0):
            bad = next(t for t in r.tags if "," in t)
            yield EmailRefusal(r.customer_id, "Tags", None,
                               f"customer {r.customer_id}: the tag {bad!r} holds a comma, which Mailchimp "
                               "reads as two tags; rename the tag and export again")
    for title, column in zip(("First Name", "Last Name", *names), (columns[1], columns[2], *columns[4:])):
        for r, value in zip(chunk, column, strict=True):
            if value and len(value) * 4 + 1 > MAILCHIMP_FIELD_BYTES:  # else it fits (field_bytes_over)
                size = field_bytes_over(value)
                if size is not None:
                    yield EmailRefusal(
                        r.customer_id, title, size,
                        f"customer {r.customer_id}: {title} is {size:,} bytes, and Mailchimp keeps only the first "
                        f"{MAILCHIMP_FIELD_BYTES} of a text field, so the message would read it cut off; shorten "
                        "it on the customer's card and export again")


MAILCHIMP_FIELD_BYTES = 255  # what a Mailchimp text field holds (its format guidelines)


def field_bytes_over(value: str) -> int | None:
    """The size of ``value`` as the audience file holds it, when Mailchimp would keep only the start
    of it (more than :data:`MAILCHIMP_FIELD_BYTES`); else None.

    Measured as written (UTF-8, without the controls that turn text round, with the apostrophe the
    formula guard may put in front).
    """
    if not value or len(value) * 4 + 1 <= MAILCHIMP_FIELD_BYTES:  # it fits whatever its letters
        return None
    size = len(safe_cell(without_bidi_controls(value)).encode("utf-8"))
    return size if size > MAILCHIMP_FIELD_BYTES else None


def write_email_bodies(folder: Path, slug: str, html: str, text: str, *,
                       overwrite: bool = False) -> tuple[Path, Path]:
    """``<slug>_email.html`` and ``<slug>_email.txt`` in ``folder``, UTF-8; both or neither.

    ``slug`` should come from :func:`slug`; a name holding a path separator is refused.
    """
    if not slug or "/" in slug or "\\" in slug or slug in {".", ".."}:
        raise ValueError(f"{slug!r} cannot name a file")
    folder = Path(folder)
    html_path, text_path = folder / f"{slug}_email.html", folder / f"{slug}_email.txt"
    _write_files([(html_path, html.encode("utf-8")), (text_path, text.encode("utf-8"))], overwrite=overwrite)
    return html_path, text_path


def write_sms_pack(out: Path, rows: Iterable[SmsRecipient], *, excel: bool = False,
                   overwrite: bool = False) -> int:
    """The SMS pack CSV; returns the rows written.

    Columns: ``Phone`` (E.164, as it is), ``Message``, ``Segments``,
    ``Encoding``, ``Send at (UTC)`` (``YYYY-MM-DDTHH:MM:SSZ``), ``Send at
    (local)`` (ISO 8601 with the offset of ``zone`` at that instant), ``Time
    zone`` and ``Note`` ("moved out of quiet hours" for a moved send; for a number that may
    ring in zones of its country keeping another time, the send time on each).  A
    number not in E.164 form, a text of more segments than a text is kept to
    (``SMS_MAX_SEGMENTS``), a naive send time or an unknown zone stops the
    pack with an error naming the customer, and no file is left.

    A pack can hold a million texts, so rows are laid out a chunk at a time as
    columns, which the safe writer clears and writes without a call per cell.
    """
    return write_csv_columns(Path(out), SMS_COLUMNS, _sms_chunks(iter(rows)), excel=excel, overwrite=overwrite)



def _check_phones(chunk: list[SmsRecipient], phones: list[str]) -> None:
    try:
        joined = "\x00".join(phones) + "\x00"
    except TypeError:
        joined = ""
    if joined.count("\x00") == len(phones) and _E164_RUN.fullmatch(joined):
        return
    for r in chunk:
        if not isinstance(r.phone, str) or not _E164.fullmatch(r.phone):
            raise UserError(f"customer {r.customer_id}: {r.phone!r} is not a phone number in "
                            "international form (+ and the country code)")


def _within_segment_limit(chunk: list[SmsRecipient]) -> None:
    """Refuse a text longer than a text is kept to (lint.SMS_MAX_SEGMENTS): carriers do not join
    more parts reliably, so the recipient would get it in pieces or not at all."""
    for r in chunk:
        if r.segments > SMS_MAX_SEGMENTS:
            raise UserError(f"customer {r.customer_id}: the text is {r.segments} segments ({r.encoding}), more than "
                            f"the {SMS_MAX_SEGMENTS} a text is kept to; shorten the message (or the value that "
                            "makes it long on the customer's card) and export again")


def _sms_chunks(rows: Iterator[SmsRecipient]) -> Iterator[list[list[str]]]:
    zones: dict[str, ZoneInfo] = {}
    # Most of a step's texts share one send time and a handful of zones: format each pair once.
    times: dict[tuple[datetime, str], tuple[str, str]] = {}

    def formatted(r: SmsRecipient) -> tuple[str, str]:
        when = r.send_at_utc
        if when.tzinfo is None or when.utcoffset() is None:
            raise ValueError(f"customer {r.customer_id}: the send time has no time zone")
        zone = zones.get(r.zone)
        if zone is None:
            zone = zones[r.zone] = zone_info(r.zone)
        utc = when.astimezone(UTC)
        if len(times) > 100_000:  # every text its own time: keep memory flat
            times.clear()
        pair = times[(when, r.zone)] = (utc.strftime("%Y-%m-%dT%H:%M:%SZ"),
                                        utc.astimezone(zone).isoformat(timespec="seconds"))
        return pair

    while chunk := list(islice(rows, _CHUNK)):
        phones = [r.phone for r in chunk]
        _check_phones(chunk, phones)
        _within_segment_limit(chunk)
        sends = [times.get((r.send_at_utc, r.zone)) or formatted(r) for r in chunk]
        yield [
            phones,
            [r.text for r in chunk],
            [str(r.segments) for r in chunk],
            [r.encoding for r in chunk],
            [s[0] for s in sends],
            [s[1] for s in sends],
            [r.zone for r in chunk],
            [_note(r, zones) for r in chunk],
        ]


def _note(r: SmsRecipient, zones: dict[str, ZoneInfo]) -> str:
    """"moved out of quiet hours" for a moved send; for a number that may ring in zones keeping
    another time than the one shown, what the send time is on each of those clocks."""
    notes = [MOVED_NOTE] if r.moved else []
    if r.other_zones:
        shown = r.send_at_utc.astimezone(zones[r.zone] if r.zone in zones else zone_info(r.zone))
        others = []
        for name in r.other_zones:
            local = r.send_at_utc.astimezone(zones.get(name) or zones.setdefault(name, zone_info(name)))
            if local.utcoffset() != shown.utcoffset() and name not in others:
                others.append(f"{name} {local.isoformat(timespec='seconds')}")
        if others:
            notes.append("the number may ring in another zone of its country: " + ", ".join(others))
    return "; ".join(notes)


def social_post_problem(layout: str | Layout, post: SocialPost) -> str | None:
    """Why ``layout``'s scheduler would refuse ``post`` as written, or None.

    Today that is a time off the layout's ``minute_step`` (Hootsuite takes only
    minutes ending in 0 or 5): for a campaign's check to warn about before
    the pack is written.
    """
    chosen = layout if isinstance(layout, Layout) else load_layout(layout)
    step = chosen.minute_step
    if step > 1 and (post.at.minute % step or post.at.second or post.at.microsecond):
        return (f"{chosen.label} takes only times on a {step}-minute mark; "
                f"{post.network} at {post.at:%Y-%m-%d %H:%M} is not on one")
    return None


def write_social_pack(out: Path, layout: str | Layout, posts: Iterable[SocialPost], *,
                      overwrite: bool = False, excel: bool = False, strict: bool = False) -> int:
    """The social posts in a scheduler's bulk CSV; returns the posts written.

    ``layout`` names a file of ``resources/send_layouts`` (``buffer``,
    ``hootsuite``, ``generic``) or is a :class:`Layout` already loaded.  Times
    are written in each post's own zone (``at`` must be aware).  A post the
    scheduler would refuse (see :func:`social_post_problem`) is written as it
    is, for the scheduler to point out, unless ``strict``: then it stops the
    pack with a UserError naming the post, and no file is written.
    """
    chosen = layout if isinstance(layout, Layout) else load_layout(layout)
    makers = chosen.cell_makers()

    def lines() -> Iterator[list[str]]:
        for number, post in enumerate(posts, start=1):
            if post.at.tzinfo is None or post.at.utcoffset() is None:
                raise ValueError(f"post {number} ({post.network}): the time has no time zone")
            if strict and (problem := social_post_problem(chosen, post)):
                raise UserError(f"post {number}: {problem}; move the post and export again")
            yield [make(post) for make in makers]

    header = chosen.header if chosen.header_row else None
    return write_csv(Path(out), header, lines(), excel=excel, overwrite=overwrite)
