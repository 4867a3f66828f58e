"""The workspace schema, in one place.

Every table is a SQLModel class; Alembic migrations under ``migrations/`` create
and change them (a test checks the migrations and these classes agree).  Types
stay portable (no SQLite-only column types) so the same schema runs on
PostgreSQL; anything dialect-specific lives in :mod:`omnidesk.core.dialect`.

Timestamps are ISO 8601 strings.  For events they keep the offset they were
recorded with, because "10:00 in the shop's time zone" is the fact the user
sees; ``occurred_utc`` is the same instant in UTC for ordering.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Optional

from sqlalchemy import Column, Index, LargeBinary, String, Text, UniqueConstraint, text
from sqlmodel import Field, SQLModel


# ``ImportBatch.kind`` of the one batch holding what the user entered by hand (edits.py): not a
# file, so the Imports list, its undo and the import count leave it out.
HAND_KIND = "manual"


def utcnow() -> str:
    """The current instant as an ISO 8601 string in UTC (seconds precision)."""
    return datetime.now(UTC).replace(microsecond=0).isoformat()


class Setting(SQLModel, table=True):
    """Workspace-wide settings and markers (key/value, values are JSON text)."""

    __tablename__ = "setting"

    key: str = Field(primary_key=True, max_length=64)
    value: str = Field(sa_column=Column(Text, nullable=False))


class ImportBatch(SQLModel, table=True):
    """One file imported once: what was read, how it was mapped, what it added."""

    __tablename__ = "import_batch"

    id: Optional[int] = Field(default=None, primary_key=True)
    file_name: str = Field(max_length=512)
    file_hash: str = Field(max_length=64, index=True)
    file_size: int = 0
    channel: str = Field(max_length=64)
    kind: str = Field(max_length=16)  # contacts | events | manual (HAND_KIND)
    preset: Optional[str] = Field(default=None, max_length=64)
    encoding: str = Field(default="", max_length=32)
    delimiter: str = Field(default=",", max_length=4)
    header_json: str = Field(default="[]", sa_column=Column(Text, nullable=False))
    mapping_json: str = Field(default="[]", sa_column=Column(Text, nullable=False))
    options_json: str = Field(default="{}", sa_column=Column(Text, nullable=False))
    status: str = Field(default="running", max_length=16)  # running | done | undone
    started_at: str = Field(default_factory=utcnow, max_length=32)
    finished_at: Optional[str] = Field(default=None, max_length=32)
    rows: int = 0
    imported: int = 0
    flagged: int = 0
    duplicates: int = 0
    events: int = 0
    customers_created: int = 0


# The consent states of someone who opted out, as the refused-address indexes write them (the
# states campaigns.guards turns away, in its order: a query must read as the index to use it).
_REFUSED_STATES = "('cleaned', 'unsubscribed', 'denied')"


class Customer(SQLModel, table=True):
    """One real person: the golden record built from their source records."""

    __tablename__ = "customer"
    # The Dashboard's new customers per week read the day alone, in order, from this index.
    # The Customers screen's name order (sort_name, then the name as written, then the id)
    # is read from ix_customer_sort_name as it is stored, either way, without sorting anyone.
    # AUTOINCREMENT: an id is never given twice, not even after its customer was merged away
    # or erased (SQLite would otherwise hand the highest id out again); see migration 0021.
    # Who may be marketed to on a channel is read off the addresses of those who said yes there,
    # in order (campaigns.guards.channel_allowed): no pass over every customer, no sort for one
    # per address.  Partial: only they are in it, so it is small to keep and to build.  And the
    # addresses of those who opted out, whom a campaign turns away with every address they hold.
    __table_args__ = (Index("ix_customer_first_day", text("substr(first_seen, 1, 10)")),
                      Index("ix_customer_sort_name", "sort_name", "display_name"),
                      *(Index(f"ix_customer_granted_{channel}", address, f"consent_{channel}",
                              sqlite_where=text(f"consent_{channel} = 'granted'"),
                              postgresql_where=text(f"consent_{channel} = 'granted'"))
                        for channel, address in (("email", "email"), ("sms", "phone"), ("whatsapp", "phone"))),
                      *(Index(f"ix_customer_refused_{channel}", address,
                              sqlite_where=text(f"consent_{channel} IN {_REFUSED_STATES}"),
                              postgresql_where=text(f"consent_{channel} IN {_REFUSED_STATES}"))
                        for channel, address in (("email", "email"), ("sms", "phone"), ("whatsapp", "phone"))),
                      {"sqlite_autoincrement": True})

    id: Optional[int] = Field(default=None, primary_key=True)
    first_name: str = Field(default="", max_length=200)
    last_name: str = Field(default="", max_length=200)
    # The whole name, every word, as the record the names came from writes it.
    full_name: str = Field(default="", sa_column=Column(String(400), nullable=False, server_default=""))
    display_name: str = Field(default="", max_length=400, index=True)
    # What the lists sort the name by: display_name without accents, in one case
    # (text.sort_key), so Élodie sorts under E; '' for a customer with no name.
    # Written with display_name, by the golden record (identity.golden) only.
    sort_name: str = Field(default="", sa_column=Column(String(400), nullable=False, server_default=""))
    email: Optional[str] = Field(default=None, max_length=320, index=True)
    phone: Optional[str] = Field(default=None, max_length=32, index=True)
    company: str = Field(default="", max_length=300)
    address: str = Field(default="", max_length=500)
    # Indexed (like display_name, email, phone, orders, spend, last_seen): the Customers
    # screen sorts a million customers by these without sorting them all.
    city: str = Field(default="", max_length=200, index=True)
    region: str = Field(default="", max_length=200)
    postcode: str = Field(default="", max_length=32)
    country: str = Field(default="", max_length=2)
    birthday: Optional[str] = Field(default=None, max_length=10)
    tags: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    consent_email: Optional[str] = Field(default=None, max_length=16)
    consent_sms: Optional[str] = Field(default=None, max_length=16)
    consent_whatsapp: Optional[str] = Field(
        default=None, sa_column=Column(String(16), nullable=True))
    # Space-separated channel keys; indexed for the Dashboard's channel overlap (one count per combination).
    channels: str = Field(default="", max_length=200, index=True)
    # money as integer minor units (cents): exact, and portable across databases
    spend_minor: Optional[int] = Field(default=None, index=True)
    orders: int = Field(default=0, index=True)
    first_seen: Optional[str] = Field(default=None, max_length=32)
    last_seen: Optional[str] = Field(default=None, max_length=32, index=True)
    source_count: int = 0
    pinned_json: str = Field(default="{}", sa_column=Column(Text, nullable=False, default="{}"))
    notes: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    created_at: str = Field(default_factory=utcnow, max_length=32)
    updated_at: str = Field(default_factory=utcnow, max_length=32)


class SourceRecord(SQLModel, table=True):
    """One data record of an imported file, kept as read plus its normalized values.

    ``raw_json`` is the list of cell values exactly as decoded, aligned with the
    batch's header, so nothing imported is ever lost and every normalized value
    can be traced back to file, row and channel.
    """

    __tablename__ = "source_record"
    __table_args__ = (
        UniqueConstraint("batch_id", "record_no", name="uq_source_record_batch_row"),
        Index("ix_source_record_row_hash", "row_hash"),
        # An import looks up existing records with the same name in the same place;
        # the index holds every column that lookup reads, so it never touches the rows.
        Index("ix_source_record_name_place", "last_key", "postcode", "city", "birthday", "first_name"),
        # ...and records with the same last name at the same employer (only those naming one).
        Index("ix_source_record_name_work", "last_key", "work_key", "first_name",
              sqlite_where=text("work_key != ''"), postgresql_where=text("work_key != ''")),
        # ...and records whose last name sounds the same in the same postcode (a typo in it).
        # (The few records found are read from the table: the index stays small.)
        Index("ix_source_record_sound_place", "last_sound", "postcode",
              sqlite_where=text("last_sound != ''"), postgresql_where=text("last_sound != ''")),
        # ...and records born on the same day (only those giving a birthday): blocking.same_birthday.
        Index("ix_source_record_birthday", "birthday",
              sqlite_where=text("birthday != ''"), postgresql_where=text("birthday != ''")),
    )

    id: Optional[int] = Field(default=None, primary_key=True)
    batch_id: int = Field(foreign_key="import_batch.id", index=True, ondelete="CASCADE")
    record_no: int
    line_no: int = 0
    channel: str = Field(max_length=64)
    kind: str = Field(max_length=16)
    row_hash: str = Field(max_length=64)
    raw_json: str = Field(sa_column=Column(Text, nullable=False))
    customer_id: Optional[int] = Field(
        default=None, foreign_key="customer.id", index=True, ondelete="SET NULL"
    )
    external_id: Optional[str] = Field(default=None, max_length=200)
    first_name: str = Field(default="", max_length=200)
    last_name: str = Field(default="", max_length=200)
    # Names between the first and the last ("Moustapha" in "Mamadou Moustapha Barry"),
    # and the whole name as the file writes it, given names first.
    middle_name: str = Field(default="", sa_column=Column(String(200), nullable=False, server_default=""))
    full_name: str = Field(default="", sa_column=Column(String(400), nullable=False, server_default=""))
    # How the first and last name are read, where the file says (furigana, Google's phonetic
    # names): matching compares a name in kanji with kana and Latin spellings by it.
    first_name_reading: str = Field(default="", sa_column=Column(String(200), nullable=False, server_default=""))
    last_name_reading: str = Field(default="", sa_column=Column(String(200), nullable=False, server_default=""))
    # Not indexed: records are found by their emails and phones through the identifier table.
    email: Optional[str] = Field(default=None, max_length=320)
    phone: Optional[str] = Field(default=None, max_length=32)
    company: str = Field(default="", max_length=300)
    address: str = Field(default="", max_length=500)
    city: str = Field(default="", max_length=200)
    region: str = Field(default="", max_length=200)
    postcode: str = Field(default="", max_length=32)
    country: str = Field(default="", max_length=2)
    birthday: Optional[str] = Field(default=None, max_length=10)
    tags: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    occurred_at: Optional[str] = Field(default=None, max_length=40)
    # Folded last name and its sound code: the blocking keys identity resolution
    # looks up when new records arrive (indexed, so an import stays incremental).
    last_key: str = Field(default="", max_length=64)
    last_sound: str = Field(default="", max_length=8)
    # The first letters of the employer its company column or a work email names
    # (identity/employer.py): the key an import finds same-name colleagues by.
    work_key: str = Field(default="", sa_column=Column(String(8), nullable=False, server_default=""))
    values_json: str = Field(default="{}", sa_column=Column(Text, nullable=False, default="{}"))
    problems_json: str = Field(default="[]", sa_column=Column(Text, nullable=False, default="[]"))
    flagged: bool = Field(default=False, index=True)


class CustomField(SQLModel, table=True):
    """A column of a contacts file that no field was mapped to, kept as a typed value of its record.

    ``name`` is the file's header; ``type`` was decided over the whole column
    (number, date, yes/no, else text).  ``value`` is the cell as read (cleaned);
    a number or a yes/no (1/0) is also in ``number``, a date in ``date`` (ISO),
    so later queries compare them as what they are (a text column's cells that
    read as numbers or dates keep theirs too).
    """

    __tablename__ = "custom_field"
    __table_args__ = (
        Index("ix_custom_field_name_value", "name", "value"),
        Index("ix_custom_field_name_number", "name", "number"),
        Index("ix_custom_field_name_date", "name", "date"),
    )

    id: Optional[int] = Field(default=None, primary_key=True)
    record_id: int = Field(foreign_key="source_record.id", index=True, ondelete="CASCADE")
    name: str = Field(max_length=200)
    type: str = Field(default="text", max_length=8)  # text | number | date | yesno
    value: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    number: Optional[float] = None
    date: Optional[str] = Field(default=None, max_length=10)


class Identifier(SQLModel, table=True):
    """Every email, phone and external id a source record carries (for matching)."""

    __tablename__ = "identifier"
    __table_args__ = (
        Index("ix_identifier_kind_value", "kind", "value"),
        # Only the few addresses written another way than their mailbox are in it.
        Index("ix_identifier_mailbox", "mailbox", sqlite_where=text("mailbox IS NOT NULL"),
              postgresql_where=text("mailbox IS NOT NULL")),
    )

    id: Optional[int] = Field(default=None, primary_key=True)
    record_id: int = Field(foreign_key="source_record.id", index=True, ondelete="CASCADE")
    kind: str = Field(max_length=16)  # email | phone | external
    value: str = Field(max_length=320)
    # An email's mailbox where it differs from the address as written ("jane.doe+news@gmail.com"
    # is the mailbox janedoe@gmail.com; contact.mailbox_of): records are matched by the mailbox.
    mailbox: Optional[str] = Field(default=None, max_length=320)


class Consent(SQLModel, table=True):
    """A consent fact: on this channel, this status, said by this source row, at this time."""

    __tablename__ = "consent"

    id: Optional[int] = Field(default=None, primary_key=True)
    record_id: int = Field(foreign_key="source_record.id", index=True, ondelete="CASCADE")
    customer_id: Optional[int] = Field(
        default=None, foreign_key="customer.id", index=True, ondelete="SET NULL"
    )
    channel: str = Field(max_length=16)  # email | sms | whatsapp
    status: str = Field(max_length=16)  # granted | denied | unsubscribed | cleaned | pending
    occurred_at: Optional[str] = Field(default=None, max_length=40)
    # Consent recorded by hand says why ("asked by phone to stop SMS"); imported facts have none.
    note: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))


class Event(SQLModel, table=True):
    """Something a person did on a channel: an order, an open, a visit, a form."""

    __tablename__ = "event"
    __table_args__ = (
        Index("ix_event_customer_time", "customer_id", "occurred_utc"),
        # Segments ask "who did this kind of thing since then" (refunded orders and a till's refund
        # lines aside: money.counted_as_order): the index alone answers.
        Index("ix_event_type_time", "type", "occurred_utc", "customer_id", "status", "amount_minor"),
        # Orders by channel and order number (the number read from details_json): made by
        # migration 0028 in each database's own JSON syntax, so not declared here.
    )

    id: Optional[int] = Field(default=None, primary_key=True)
    batch_id: int = Field(foreign_key="import_batch.id", index=True, ondelete="CASCADE")
    record_id: int = Field(foreign_key="source_record.id", index=True, ondelete="CASCADE")
    customer_id: Optional[int] = Field(
        default=None, foreign_key="customer.id", ondelete="SET NULL"
    )
    channel: str = Field(max_length=64)
    type: str = Field(max_length=64)
    occurred_at: Optional[str] = Field(default=None, max_length=40)
    occurred_utc: Optional[str] = Field(default=None, max_length=40)
    summary: str = Field(default="", max_length=1000)
    amount_minor: Optional[int] = None
    currency: Optional[str] = Field(default=None, max_length=3)
    # An order's payment status in one spelling (money.order_status): "refunded", "voided"
    # and "cancelled" orders are not spend; what was refunded of the rest is subtracted.
    status: str = Field(default="", sa_column=Column(String(32), nullable=False, server_default=""))
    refunded_minor: Optional[int] = None
    details_json: str = Field(default="{}", sa_column=Column(Text, nullable=False, default="{}"))


class SavedMapping(SQLModel, table=True):
    """A column mapping the user confirmed, reused for files with the same headers."""

    __tablename__ = "saved_mapping"

    signature: str = Field(primary_key=True, max_length=64)
    mapping_json: str = Field(sa_column=Column(Text, nullable=False))
    channel: Optional[str] = Field(default=None, max_length=64)
    kind: Optional[str] = Field(default=None, max_length=16)
    updated_at: str = Field(default_factory=utcnow, max_length=32)


class ValueCount(SQLModel, table=True):
    """How many source records carry each folded name, postcode and city.

    Identity resolution weighs agreement on a value by how common it is; an
    import looks up the counts of the values it brings here instead of
    counting them over every record.  ``value == ""`` holds the total of
    records that have the field at all.  Kept up to date by the resolver,
    undo and erase; a full resolve rebuilds it.
    """

    __tablename__ = "value_count"

    field: str = Field(primary_key=True, max_length=16)  # first | last | postcode | city
    value: str = Field(primary_key=True, max_length=200)
    n: int = 0


class MatchDecision(SQLModel, table=True):
    """A user's word on two source records: never together ("reject") or always ("merge").

    Keyed by the records' row hashes, not ids, so the decision survives undoing
    and re-importing the same file.
    """

    __tablename__ = "match_decision"
    __table_args__ = (Index("ix_match_decision_pair", "left_hash", "right_hash"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    kind: str = Field(max_length=16)  # reject | merge
    left_hash: str = Field(max_length=64, index=True)
    right_hash: str = Field(max_length=64, index=True)
    created_at: str = Field(default_factory=utcnow, max_length=32)


class MatchReview(SQLModel, table=True):
    """A pair of customers that may be one person, waiting for the user's decision."""

    __tablename__ = "match_review"
    # AUTOINCREMENT: a pair's number is never given twice, not even after the pair was decided
    # (SQLite would otherwise give the highest number out again): ``review reject 3`` read off a
    # list, or an undo putting a pair back, never meets another pair under it; see migration 0030.
    __table_args__ = ({"sqlite_autoincrement": True},)

    id: Optional[int] = Field(default=None, primary_key=True)
    left_id: int = Field(foreign_key="customer.id", index=True, ondelete="CASCADE")
    right_id: int = Field(foreign_key="customer.id", index=True, ondelete="CASCADE")
    score: float = 0.0
    reasons_json: str = Field(default="[]", sa_column=Column(Text, nullable=False, default="[]"))
    status: str = Field(default="pending", max_length=16, index=True)  # pending | skipped
    created_at: str = Field(default_factory=utcnow, max_length=32)


class MergeLog(SQLModel, table=True):
    """What one merge moved, so it can be undone exactly."""

    __tablename__ = "merge_log"

    id: Optional[int] = Field(default=None, primary_key=True)
    kind: str = Field(max_length=16)  # auto | manual | review | unmerge
    survivor_id: int
    absorbed_id: int
    record_ids_json: str = Field(sa_column=Column(Text, nullable=False))
    absorbed_json: str = Field(default="{}", sa_column=Column(Text, nullable=False, default="{}"))
    score: Optional[float] = None
    created_at: str = Field(default_factory=utcnow, max_length=32)
    undone: bool = False
    # Why the records are one person, as JSON: {"records": [a, b], "reasons": [...]}, the pair
    # of records the merge rests on (automatic) or the pair the user accepted in Review.
    # None for merges made before reasons were kept, and for merges the user made by hand.
    reason: Optional[str] = Field(default=None, sa_column=Column(Text, nullable=True))


class Suppression(SQLModel, table=True):
    """Salted hashes of an erased person's identifiers: a re-import cannot bring them back.

    They cannot be read back, but the salt is in the same file: a guessed email or phone can be
    checked against them (``suppression``)."""

    __tablename__ = "suppression"

    id: Optional[int] = Field(default=None, primary_key=True)
    hash: str = Field(max_length=64, unique=True)
    created_at: str = Field(default_factory=utcnow, max_length=32)


class SavedSegment(SQLModel, table=True):
    """A named audience: a rule (segments.py's JSON form), its members computed when asked."""

    __tablename__ = "saved_segment"

    id: Optional[int] = Field(default=None, primary_key=True)
    name: str = Field(max_length=200, unique=True)
    rule_json: str = Field(sa_column=Column(Text, nullable=False))
    created_at: str = Field(default_factory=utcnow, max_length=32)
    updated_at: str = Field(default_factory=utcnow, max_length=32)


class Asset(SQLModel, table=True):
    """A file kept inside the workspace (the brand's logo, a message's image), so it travels with it."""

    __tablename__ = "asset"

    id: Optional[int] = Field(default=None, primary_key=True)
    name: str = Field(max_length=300)
    mime: str = Field(max_length=100)
    sha256: str = Field(max_length=64, index=True)
    data: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    created_at: str = Field(default_factory=utcnow, max_length=32)


class Message(SQLModel, table=True):
    """One master message (messages/store.py): what every channel's variant says, in one place."""

    __tablename__ = "message"

    id: Optional[int] = Field(default=None, primary_key=True)
    name: str = Field(max_length=200, unique=True)
    master_json: str = Field(sa_column=Column(Text, nullable=False))
    created_at: str = Field(default_factory=utcnow, max_length=32)
    updated_at: str = Field(default_factory=utcnow, max_length=32)


class MessageVariant(SQLModel, table=True):
    """A channel's version of a message, and the master it was made from (to tell when it is stale)."""

    __tablename__ = "message_variant"
    __table_args__ = (UniqueConstraint("message_id", "channel", name="uq_message_variant_channel"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    message_id: int = Field(foreign_key="message.id", index=True, ondelete="CASCADE")
    channel: str = Field(max_length=32)
    fields_json: str = Field(sa_column=Column(Text, nullable=False))
    # The master as it was when this variant was made or last re-synced from it.
    synced_json: str = Field(sa_column=Column(Text, nullable=False))
    edited: bool = False  # changed by hand since it was made from the master
    updated_at: str = Field(default_factory=utcnow, max_length=32)


class MessageVersion(SQLModel, table=True):
    """A message as it was saved once: master and variants, to look back at and restore."""

    __tablename__ = "message_version"

    id: Optional[int] = Field(default=None, primary_key=True)
    message_id: int = Field(foreign_key="message.id", index=True, ondelete="CASCADE")
    snapshot_json: str = Field(sa_column=Column(Text, nullable=False))
    created_at: str = Field(default_factory=utcnow, max_length=32)


class Campaign(SQLModel, table=True):
    """A planned campaign (campaigns/): one message, one audience, a step per channel."""

    __tablename__ = "campaign"

    id: Optional[int] = Field(default=None, primary_key=True)
    name: str = Field(max_length=200, unique=True)
    goal: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    message_id: Optional[int] = Field(default=None, foreign_key="message.id", index=True, ondelete="SET NULL")
    # "everyone", {"segment": NAME} or {"rule": RULE}, as JSON.
    audience_json: str = Field(default='"everyone"', sa_column=Column(Text, nullable=False))
    mode: str = Field(default="each_channel", max_length=16)  # each_channel | best_channel
    status: str = Field(default="draft", max_length=16)  # draft | scheduled | exported | done
    created_at: str = Field(default_factory=utcnow, max_length=32)
    updated_at: str = Field(default_factory=utcnow, max_length=32)
    # What its first export named its packs and calendar events after (the name's slug then):
    # kept through a rename, so a later export replaces them instead of writing them twice.
    pack_name: Optional[str] = Field(default=None, max_length=80)


class CampaignStep(SQLModel, table=True):
    """One channel's send of a campaign, at a local date-time in a time zone."""

    __tablename__ = "campaign_step"

    id: Optional[int] = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="campaign.id", index=True, ondelete="CASCADE")
    position: int = 0
    channel: str = Field(max_length=32)
    at_local: str = Field(max_length=19)  # 2026-12-10T10:00:00, on the clock of ``timezone``
    timezone: str = Field(max_length=64)
    at_utc: str = Field(max_length=20, index=True)  # the same instant in UTC, for the calendar and caps
    exported_at: Optional[str] = Field(default=None, max_length=32)
    # Its pack's rows of people erased since it was written, by the time each is sent (a JSON list
    # of UTC times; campaigns.sends.note_erased_sends): their send records went with them.
    erased_sends: Optional[str] = Field(default=None, sa_column=Column(Text, nullable=True))


class SendRecord(SQLModel, table=True):
    """Who an exported step included, and when they are sent to: what frequency caps count.

    Kept against one source record of the person (not the customer id, which a merge or a
    rebuild of every customer changes), so the count follows whoever holds that record now.
    """

    __tablename__ = "send_record"
    __table_args__ = (Index("ix_send_record_record_time", "record_id", "send_utc"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    step_id: int = Field(foreign_key="campaign_step.id", index=True, ondelete="CASCADE")
    record_id: int = Field(foreign_key="source_record.id", ondelete="CASCADE")
    channel: str = Field(max_length=32)
    send_utc: str = Field(max_length=20)


class Product(SQLModel, table=True):
    """A thing customers buy, by name (a line item of orders and till sales), for segment rules on items."""

    __tablename__ = "product"

    id: Optional[int] = Field(default=None, primary_key=True)
    name: str = Field(sa_column=Column(Text, nullable=False))
    key: str = Field(sa_column=Column(Text, nullable=False, unique=True))  # folded: case, accents, spaces


class EventProduct(SQLModel, table=True):
    """Which products an order or a till sale holds (segments/items.py keeps it)."""

    __tablename__ = "event_product"
    __table_args__ = (UniqueConstraint("product_id", "event_id", name="uq_event_product"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    product_id: int = Field(foreign_key="product.id", ondelete="CASCADE")
    event_id: int = Field(foreign_key="event.id", index=True, ondelete="CASCADE")


class ProductBatch(SQLModel, table=True):
    """An import whose orders' products are in ``event_product`` (the others are read from their text)."""

    __tablename__ = "product_batch"

    batch_id: int = Field(foreign_key="import_batch.id", primary_key=True, ondelete="CASCADE")


# The Dashboard's summaries (metrics_index.py).  Triggers in the schema keep them true as events and
# records change, so no write has to remember them; the undo journal leaves them out for that reason.
class EventDay(SQLModel, table=True):
    """Events of one import per day, channel, type, status and currency, with what they add to spend
    (money.row_spend: a refund row takes its money back, a refunded order brings nothing, any other
    its amount less refunded, never below nothing; migration 0032).  ``currency`` is '' for amounts
    whose export named none: money in different currencies is kept apart, never added (migration 0027)."""

    __tablename__ = "event_day"

    batch_id: int = Field(foreign_key="import_batch.id", primary_key=True, ondelete="CASCADE")
    day: str = Field(primary_key=True, max_length=10)
    channel: str = Field(primary_key=True, max_length=64)
    type: str = Field(primary_key=True, max_length=64)
    status: str = Field(primary_key=True, max_length=32)
    currency: str = Field(default="", primary_key=True, max_length=3)
    events: int = 0
    money: int = 0


class EventDayBatch(SQLModel, table=True):
    """An import whose events are summed in ``event_day`` (the others are read event by event)."""

    __tablename__ = "event_day_batch"

    batch_id: int = Field(foreign_key="import_batch.id", primary_key=True, ondelete="CASCADE")


class CustomerJourney(SQLModel, table=True):
    """One customer's journey: channels in order of first appearance up to the first purchase.

    ``path`` is the JSON list the Dashboard shows, ``first_utc`` the first appearance as an
    instant in UTC (a till's local time read on the shop's clock; "9999" when no channel has a
    dated event) and ``gap_seconds`` the time from it to
    the first purchase (without one, to the second channel), when both are known.
    """

    __tablename__ = "customer_journey"
    __table_args__ = (Index("ix_customer_journey_path", "path", "gap_seconds", "first_utc"),)

    customer_id: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    path: str = Field(sa_column=Column(Text, nullable=False))
    first_utc: str = Field(max_length=40)
    gap_seconds: Optional[int] = None


class JourneyStale(SQLModel, table=True):
    """Customers whose events or records changed since their ``customer_journey`` row was made."""

    __tablename__ = "journey_stale"

    customer_id: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})


DASHBOARD_TABLES = ("event_day", "event_day_batch", "customer_journey", "journey_stale")
