"""The canonical fields a column of an imported file can be mapped to.

Every preset, the header guesser, the mapping editor and the loader speak in
these names, so this module is the single list of them.  A column mapped to
``IGNORE`` is still kept in the raw row (nothing imported is thrown away); it
just does not feed a normalized value.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from omnidesk.core.channels import SOURCES


class Kind(str, Enum):
    """What a file holds: people (contacts) or things people did (events)."""

    CONTACTS = "contacts"
    EVENTS = "events"


class FieldType(str, Enum):
    TEXT = "text"
    NAME = "name"
    EMAIL = "email"
    PHONE = "phone"
    DATE = "date"
    DATETIME = "datetime"
    MONEY = "money"
    INTEGER = "integer"
    CONSENT = "consent"
    OPTOUT = "optout"  # a flag that, when set, means "do not send" (see normalize.parse_optout)
    TAGS = "tags"
    COUNTRY = "country"


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    type: FieldType
    # More than one column may feed a multi field (E-mail 1, E-mail 2, ...);
    # a single field keeps the first non-empty value in column order.  Every consent
    # column of a channel counts (Klaviyo's "SMS Consent" and "SMS Marketing Consent",
    # each with its own timestamp): a "yes" in one never hides a "stop" in another.
    multi: bool = False


IGNORE = "ignore"

FIELDS: tuple[Field, ...] = (
    # identity
    Field("external_id", "External ID", FieldType.TEXT),
    Field("full_name", "Full name", FieldType.NAME),
    Field("first_name", "First name", FieldType.NAME),
    Field("middle_name", "Middle name", FieldType.NAME),
    Field("last_name", "Last name", FieldType.NAME),
    Field("nickname", "Nickname", FieldType.NAME),
    # How the name is read, where a file gives it (Japanese furigana, Google's phonetic
    # names): a name in kanji compares with the same name in kana or Latin letters by it.
    Field("first_name_reading", "First name reading (furigana)", FieldType.NAME),
    Field("last_name_reading", "Last name reading (furigana)", FieldType.NAME),
    Field("full_name_reading", "Full name reading (furigana)", FieldType.NAME),
    Field("email", "Email", FieldType.EMAIL, multi=True),
    Field("phone", "Phone", FieldType.PHONE, multi=True),
    Field("company", "Company", FieldType.TEXT),
    Field("job_title", "Job title", FieldType.TEXT),
    # address
    Field("address1", "Address line 1", FieldType.TEXT),
    Field("address2", "Address line 2", FieldType.TEXT),
    Field("address", "Address (one line)", FieldType.TEXT),
    Field("city", "City", FieldType.TEXT),
    Field("region", "State / region", FieldType.TEXT),
    Field("postcode", "Postcode / ZIP", FieldType.TEXT),
    Field("country", "Country", FieldType.COUNTRY),
    # An order's delivery details: the buyer's own when the billing ones are empty
    # (a gift's recipient otherwise, so never added beside the billing ones).
    Field("shipping_name", "Shipping name", FieldType.NAME),
    Field("shipping_phone", "Shipping phone", FieldType.PHONE),
    Field("shipping_company", "Shipping company", FieldType.TEXT),
    Field("shipping_address1", "Shipping address line 1", FieldType.TEXT),
    Field("shipping_address2", "Shipping address line 2", FieldType.TEXT),
    Field("shipping_city", "Shipping city", FieldType.TEXT),
    Field("shipping_region", "Shipping state / region", FieldType.TEXT),
    Field("shipping_postcode", "Shipping postcode / ZIP", FieldType.TEXT),
    Field("shipping_country", "Shipping country", FieldType.COUNTRY),
    # profile
    Field("birthday", "Birthday", FieldType.DATE),
    Field("gender", "Gender", FieldType.TEXT),
    Field("language", "Language", FieldType.TEXT),
    Field("tags", "Tags", FieldType.TAGS, multi=True),
    Field("note", "Note", FieldType.TEXT, multi=True),
    Field("created_at", "Created / signed up at", FieldType.DATETIME),
    # When the person was last there, as the exporting system saw it (a till's last visit, a
    # shop's last active day): the card's last seen counts it, as it counts a sign-up.
    Field("last_active", "Last active / last visit", FieldType.DATETIME),
    Field("total_spent", "Total spent", FieldType.MONEY),
    Field("total_orders", "Number of orders", FieldType.INTEGER),
    # consent, one field per channel the consent is about
    Field("consent_email", "Email marketing consent", FieldType.CONSENT, multi=True),
    Field("consent_sms", "SMS marketing consent", FieldType.CONSENT, multi=True),
    Field("consent_whatsapp", "WhatsApp marketing consent", FieldType.CONSENT, multi=True),
    Field("consent_at", "Consent changed at", FieldType.DATETIME),
    # One channel's own consent time (Klaviyo's "SMS Consent Timestamp"): it dates that
    # channel's fact only, never another channel's.  A channel with several consent columns
    # may have a time for each ("SMS Marketing Consent Timestamp"): each dates its own column's.
    Field("consent_email_at", "Email consent changed at", FieldType.DATETIME, multi=True),
    Field("consent_sms_at", "SMS consent changed at", FieldType.DATETIME, multi=True),
    Field("consent_whatsapp_at", "WhatsApp consent changed at", FieldType.DATETIME, multi=True),
    Field("unsubscribed_at", "Unsubscribed at", FieldType.DATETIME),
    # flags that, when set, make channels not mailable (OPTOUT_FIELDS says which); a file
    # may have several ("Unsubscribed from all email" and "Marketing contact status")
    Field("no_email", "Do not email (opted out)", FieldType.OPTOUT, multi=True),
    Field("no_sms", "Do not text or call", FieldType.OPTOUT, multi=True),
    Field("no_contact", "Do not contact (any channel)", FieldType.OPTOUT, multi=True),
    Field("email_bounced", "Email bounced / invalid", FieldType.OPTOUT, multi=True),
    # events (interactions)
    Field("occurred_at", "When it happened", FieldType.DATETIME),
    # Tills often split the moment over a date column and a time column.
    Field("occurred_time", "Time of day", FieldType.TEXT),
    # The zone a row's times were written on, where the row names it (Square: "Pacific Time (US &
    # Canada)" beside each sale's local date and time); a time without an offset is read on it.
    Field("time_zone", "Time zone of the row's times", FieldType.TEXT),
    Field("event_type", "Event type", FieldType.TEXT),
    Field("order_id", "Order / transaction ID", FieldType.TEXT),
    Field("amount", "Amount", FieldType.MONEY),
    Field("currency", "Currency", FieldType.TEXT),
    Field("item_name", "Item", FieldType.TEXT),
    Field("item_quantity", "Item quantity", FieldType.INTEGER),
    Field("item_price", "Item price", FieldType.MONEY),
    Field("status", "Status", FieldType.TEXT),
    # An order cancelled, or money given back: not spend (see core/money.py).
    Field("cancelled_at", "Cancelled at", FieldType.DATETIME),
    Field("refunded_amount", "Refunded amount", FieldType.MONEY),
    # The discount or coupon code(s) an order was placed with ("SPRING20", or "FREESHIP, SPRING20"):
    # campaign results credit the order that used a message's offer code (see core/metrics.py).
    Field("discount_code", "Discount / coupon code", FieldType.TEXT, multi=True),
    Field("summary", "Summary / subject", FieldType.TEXT),
    Field("url", "URL / page", FieldType.TEXT),
    Field("campaign", "Campaign", FieldType.TEXT),
    Field("location", "Store / location", FieldType.TEXT),
)

FIELDS_BY_NAME: dict[str, Field] = {f.name: f for f in FIELDS}

# Opt-out flag -> (the consent status it stands for when set, the channels it closes).
# "Do not call" closes texts too: a text message is a call to the same phone.
OPTOUT_FIELDS: dict[str, tuple[str, tuple[str, ...]]] = {
    "no_email": ("unsubscribed", ("email",)),
    "no_sms": ("unsubscribed", ("sms", "whatsapp")),
    "no_contact": ("unsubscribed", ("email", "sms", "whatsapp")),
    "email_bounced": ("cleaned", ("email",)),
}

# Fields whose presence in a mapping says "this file is about events".
EVENT_FIELDS = frozenset(
    {"occurred_at", "event_type", "order_id", "amount", "item_name", "item_quantity", "item_price"}
)

# The channels a file can come from, code -> label (core/channels.py is the one list of them).
# Users may name others; these are the ones the app knows a colour and a label for.
CHANNELS: dict[str, str] = {c.code: c.label for c in SOURCES}
