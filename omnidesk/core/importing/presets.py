"""Recognise known export formats and guess what each column of a file means.

A *preset* describes one vendor export (Shopify customers, a Mailchimp
unsubscribed file, Outlook contacts, ...): the headers that identify it, the
field each of its columns feeds, and facts the loader needs (constant values,
prefixed values, rows that belong together).  Files nobody has a preset for go
through the generic guesser: a synonym table in several languages, then a
typo-tolerant fuzzy match.

Everything here works on *header keys* (see :func:`header_key`) so that case,
accents, punctuation and quoting never decide whether a column is recognised.
Vendors rename and add columns over time, so presets match on meaning and on a
small signature, never on column positions.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import PurePath
from types import MappingProxyType

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from omnidesk.core.importing.fields import (
    CHANNELS,
    EVENT_FIELDS,
    FIELDS_BY_NAME,
    IGNORE,
    Kind,
)

__all__ = [
    "AS_EVENT_TIME",
    "PRESETS",
    "ColumnGuess",
    "Preset",
    "RowEvent",
    "detect_preset",
    "get_preset",
    "guess_channel",
    "guess_kind",
    "guess_mapping",
    "header_key",
    "header_signature",
    "mapping_fields",
]


# --------------------------------------------------------------------------
# header keys
# --------------------------------------------------------------------------

# Anything that is not a letter or digit in any script separates words; "_" is
# a word character for the regex engine, so it is listed explicitly.
_SEPARATORS = re.compile(r"[\W_]+")


def header_key(header: str) -> str:
    """Return the comparison key of a column header.

    The key is casefolded, without accents, BOM, quotes or surrounding
    whitespace, and every run of punctuation, underscores, dashes or spaces is
    one space: ``"E-mail Address"`` -> ``"e mail address"``,
    ``"UNSUB_TIME"`` -> ``"unsub time"``.  Letters of other scripts are kept.
    Headers that differ only in case, accents, quoting or punctuation get the
    same key.
    """
    if header is None:
        return ""
    text = unicodedata.normalize("NFKD", str(header))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.casefold()
    return _SEPARATORS.sub(" ", text).strip()


def _keys(headers: Iterable[str]) -> list[str]:
    return [header_key(h) for h in headers]


# Splits "email2" / "address1" into words for the guesser only; header_key
# itself keeps them whole so stored signatures never change meaning.
_WORDS = re.compile(r"[^\W\d_]+|\d+")


def _words(key: str) -> list[str]:
    return _WORDS.findall(key)


_SIGNATURE_VERSION = "omnidesk-header-keys-v1"


def header_signature(headers: Sequence[str]) -> str:
    """Return a stable hex digest of the header keys, in order.

    Files whose headers differ only in case, spacing, accents, quoting or
    punctuation get the same signature; a different order, a renamed, added or
    missing column gives another one.  Used to remember a user's corrected
    mapping for files of the same shape.
    """
    digest = hashlib.sha256(_SIGNATURE_VERSION.encode("utf-8"))
    for key in _keys(headers):
        # A separator that header_key can never produce keeps ["a b"] and
        # ["a", "b"] apart.
        digest.update(b"\x1f")
        digest.update(key.encode("utf-8"))
    return digest.hexdigest()


# --------------------------------------------------------------------------
# presets
# --------------------------------------------------------------------------


def _frozen_mapping(mapping: Mapping[str, str] | None = None) -> Mapping[str, str]:
    return MappingProxyType(dict(mapping or {}))


@dataclass(frozen=True)
class RowEvent:
    """The event every row of a list of people also is (a lead form sent, a registration).

    ``summary`` is formatted with the row's campaign (the form, the event's name);
    ``fallback`` is the summary of a row without one.
    """

    type: str
    summary: str
    fallback: str


@dataclass(frozen=True)
class Preset:
    """One known export format.

    ``signature`` and the keys of ``columns`` are header keys.  When two
    columns of a file feed the same single-value field, the one listed earlier
    in ``columns`` wins (then the earlier column of the file); ``patterns``
    (regular expressions searched in a header key) come after all columns.
    Columns the preset does not know go to the generic guesser.
    """

    key: str
    label: str
    vendor: str
    channel: str
    kind: Kind
    signature: frozenset[str]
    columns: Mapping[str, str]
    patterns: tuple[tuple[str, str], ...] = ()
    constants: Mapping[str, str] = field(default_factory=_frozen_mapping)
    strip_type_prefixes: bool = False
    group_rows_by: str | None = None
    # A list of people whose every row is also something they did.
    row_event: RowEvent | None = None
    note: str = ""

    def __post_init__(self) -> None:
        # Presets are written by hand; a typo in a field name would silently
        # drop a column, so refuse it when the module loads.
        if self.channel not in CHANNELS:
            raise ValueError(f"preset {self.key}: unknown channel {self.channel!r}")
        if not self.signature:
            raise ValueError(f"preset {self.key}: empty signature")
        for key in self.signature:
            if key != header_key(key):
                raise ValueError(f"preset {self.key}: signature {key!r} is not a header key")
        for key, name in self.columns.items():
            if key != header_key(key):
                raise ValueError(f"preset {self.key}: column {key!r} is not a header key")
            _check_field(self.key, name)
        for pattern, name in self.patterns:
            re.compile(pattern)
            _check_field(self.key, name)
        for name in self.constants:
            _check_field(self.key, name)
        if self.group_rows_by is not None:
            _check_field(self.key, self.group_rows_by)
        if not isinstance(self.columns, MappingProxyType):
            object.__setattr__(self, "columns", _frozen_mapping(self.columns))
        if not isinstance(self.constants, MappingProxyType):
            object.__setattr__(self, "constants", _frozen_mapping(self.constants))

    def __hash__(self) -> int:
        return hash(self.key)

    def system_columns(self, header: Sequence[str]) -> set[int]:
        """The columns this format's vendor fills for itself (ad ids, ratings, change stamps).

        Those a preset names as known but not imported: they say nothing a shop
        owner asked about the person, so they stay in the raw row and are not
        kept as custom fields.  Columns the preset does not know (a form's
        questions, a metafield) and those only a pattern ignores are the
        business's own, and are kept.
        """
        return {i for i, h in enumerate(header) if self.columns.get(header_key(h)) == IGNORE}


def _check_field(preset: str, name: str) -> None:
    if name != IGNORE and name not in FIELDS_BY_NAME:
        raise ValueError(f"preset {preset}: unknown field {name!r}")


def _columns(*groups: Mapping[str, str] | Iterable[str]) -> dict[str, str]:
    """Merge column groups written with real header names, in priority order.

    A mapping gives header -> field; a plain iterable of headers means "known,
    kept raw" (IGNORE).  The first group to name a header decides its field.
    """
    merged: dict[str, str] = {}
    for group in groups:
        items = group.items() if isinstance(group, Mapping) else ((h, IGNORE) for h in group)
        for header, name in items:
            merged.setdefault(header_key(header), name)
    return merged


def _signature(*headers: str) -> frozenset[str]:
    return frozenset(header_key(h) for h in headers)


# Shopify customer metafields export as "Label (customer.metafields.ns.key)";
# their values have no fixed type, so they are kept raw.
_SHOPIFY_METAFIELD = (r"\b(customer|order|product) metafields\b", IGNORE)

_SHOPIFY_CUSTOMERS = Preset(
    key="shopify_customers",
    label="Shopify customers export",
    vendor="Shopify",
    channel="shop",
    kind=Kind.CONTACTS,
    # Present in both the current ("Default Address ...") and the older
    # ("Address1", "Province Code", "Accepts Marketing") layouts.
    signature=_signature(
        "First Name", "Last Name", "Email", "Total Spent", "Total Orders", "Tax Exempt"
    ),
    columns=_columns(
        {
            "Customer ID": "external_id",
            "First Name": "first_name",
            "Last Name": "last_name",
            "Email": "email",
            "Accepts Email Marketing": "consent_email",
            "Accepts Marketing": "consent_email",
            "Accepts SMS Marketing": "consent_sms",
            "Accepts WhatsApp Marketing": "consent_whatsapp",
            "Default Address Company": "company",
            "Company": "company",
            "Default Address Address1": "address1",
            "Address1": "address1",
            "Default Address Address2": "address2",
            "Address2": "address2",
            "Default Address City": "city",
            "City": "city",
            # The full province name reads better than the code when both exist.
            "Default Address Province": "region",
            "Province": "region",
            "Default Address Province Code": "region",
            "Province Code": "region",
            "Default Address Country": "country",
            "Country": "country",
            "Default Address Country Code": "country",
            "Country Code": "country",
            "Default Address Zip": "postcode",
            "Zip": "postcode",
            "Default Address Phone": "phone",
            "Phone": "phone",
            "Total Spent": "total_spent",
            "Total Orders": "total_orders",
            "Note": "note",
            "Tags": "tags",
        },
        ["Tax Exempt", "Email Marketing Status", "SMS Marketing Status"],
    ),
    patterns=(_SHOPIFY_METAFIELD,),
    note=(
        "IDs and zips may start with an apostrophe (a spreadsheet guard, not data); "
        "marketing flags are yes/no; tags are comma-separated in one cell."
    ),
)

_SHOPIFY_ORDERS = Preset(
    key="shopify_orders",
    label="Shopify orders export",
    vendor="Shopify",
    channel="shop",
    kind=Kind.EVENTS,
    signature=_signature("Name", "Financial Status", "Lineitem quantity", "Lineitem name"),
    columns=_columns(
        {
            "Name": "order_id",
            "Email": "email",
            "Created at": "occurred_at",
            "Total": "amount",
            "Currency": "currency",
            "Lineitem name": "item_name",
            "Lineitem quantity": "item_quantity",
            "Lineitem price": "item_price",
            "Financial Status": "status",
            "Accepts Marketing": "consent_email",
            "Accepts Email Marketing": "consent_email",
            # Billing details describe the buyer; shipping ones may be a gift's
            # recipient, so they stand in only where the billing ones are empty.
            "Billing Name": "full_name",
            "Billing Phone": "phone",
            "Phone": "phone",
            "Billing Company": "company",
            "Billing Address1": "address1",
            "Billing Address2": "address2",
            "Billing City": "city",
            "Billing Province": "region",
            "Billing Zip": "postcode",
            "Billing Country": "country",
            "Shipping Name": "shipping_name",
            "Shipping Phone": "shipping_phone",
            "Shipping Company": "shipping_company",
            "Shipping Address1": "shipping_address1",
            "Shipping Address2": "shipping_address2",
            "Shipping City": "shipping_city",
            "Shipping Province": "shipping_region",
            "Shipping Zip": "shipping_postcode",
            "Shipping Country": "shipping_country",
            "Cancelled at": "cancelled_at",
            "Refunded Amount": "refunded_amount",
            "Location": "location",
        },
        [
            "Paid at", "Fulfilled at", "Fulfillment Status", "Subtotal", "Shipping", "Taxes",
            "Discount Code", "Discount Amount", "Shipping Method", "Lineitem compare at price",
            "Lineitem sku", "Lineitem requires shipping", "Lineitem taxable",
            "Lineitem fulfillment status", "Lineitem discount", "Billing Street",
            "Billing Province Name", "Shipping Street", "Shipping Province Name",
            "Notes", "Note Attributes", "Payment Method", "Payment Reference",
            "Payment References", "Payment ID", "Payment Terms Name", "Next Payment Due At",
            "Vendor", "Outstanding Balance", "Employee", "Device ID", "Id",
            "Tags", "Risk Level", "Source", "Receipt Number", "Duties",
        ],
    ),
    patterns=(
        (r"^tax \d+ (name|value)$", IGNORE),
        (r"^(shipping|lineitem) ", IGNORE),
        _SHOPIFY_METAFIELD,
    ),
    group_rows_by="order_id",
    note=(
        "One row per line item: only the first row of an order carries email, totals "
        "and dates; carry them to the order's other rows by order_id."
    ),
)

_MAILCHIMP_COMMON = {
    "Email Address": "email",
    "First Name": "first_name",
    "Last Name": "last_name",
    # The address merge field is one cell (parts separated by two spaces).
    "Address": "address",
    "Phone Number": "phone",
    "Birthday": "birthday",
    "OPTIN_TIME": "created_at",
    "CC": "country",
    "REGION": "region",
    # EUID identifies the address across the account's audiences; LEID only
    # within one audience.
    "EUID": "external_id",
    "NOTES": "note",
    "TAGS": "tags",
}
_MAILCHIMP_RAW = [
    "MEMBER_RATING", "OPTIN_IP", "CONFIRM_IP", "LATITUDE", "LONGITUDE", "GMTOFF", "DSTOFF",
    "TIMEZONE", "LAST_CHANGED", "LEID",
]
_MAILCHIMP_SIGNATURE = ("Email Address", "MEMBER_RATING", "OPTIN_TIME", "CONFIRM_TIME", "LEID", "EUID")
_MAILCHIMP_NOTE = 'TAGS holds quoted names in one cell ("VIP","Blog"). '

_MAILCHIMP_SUBSCRIBED = Preset(
    key="mailchimp_subscribed",
    label="Mailchimp subscribed contacts",
    vendor="Mailchimp",
    channel="email",
    kind=Kind.CONTACTS,
    signature=_signature(*_MAILCHIMP_SIGNATURE),
    columns=_columns(
        _MAILCHIMP_COMMON,
        # Set when the subscription took effect (single or confirmed double
        # opt-in), which is the consent fact; OPTIN_TIME is often empty.
        {"CONFIRM_TIME": "consent_at"},
        _MAILCHIMP_RAW,
    ),
    constants={"consent_email": "subscribed"},
    note=_MAILCHIMP_NOTE + "CONFIRM_TIME is when consent took effect.",
)

_MAILCHIMP_UNSUBSCRIBED = Preset(
    key="mailchimp_unsubscribed",
    label="Mailchimp unsubscribed contacts",
    vendor="Mailchimp",
    channel="email",
    kind=Kind.CONTACTS,
    signature=_signature(*_MAILCHIMP_SIGNATURE, "UNSUB_TIME"),
    columns=_columns(
        _MAILCHIMP_COMMON,
        {"UNSUB_TIME": "unsubscribed_at"},
        # The old confirmation no longer describes consent.
        ["CONFIRM_TIME", "UNSUB_CAMPAIGN_TITLE", "UNSUB_CAMPAIGN_ID", "UNSUB_REASON",
         "UNSUB_REASON_OTHER"],
        _MAILCHIMP_RAW,
    ),
    constants={"consent_email": "unsubscribed"},
    note=_MAILCHIMP_NOTE + "Every row is an unsubscribe, a consent fact dated by UNSUB_TIME.",
)

_MAILCHIMP_CLEANED = Preset(
    key="mailchimp_cleaned",
    label="Mailchimp cleaned contacts",
    vendor="Mailchimp",
    channel="email",
    kind=Kind.CONTACTS,
    signature=_signature(*_MAILCHIMP_SIGNATURE, "CLEAN_TIME"),
    columns=_columns(
        _MAILCHIMP_COMMON,
        {"CLEAN_TIME": "consent_at"},
        ["CONFIRM_TIME", "CLEAN_CAMPAIGN_TITLE", "CLEAN_CAMPAIGN_ID"],
        _MAILCHIMP_RAW,
    ),
    constants={"consent_email": "cleaned"},
    note=_MAILCHIMP_NOTE
    + "Every row is an address Mailchimp stopped sending to (bounces); CLEAN_TIME dates it.",
)

# Numbered multi-value columns shared by both Google layouts.  "Label"/"Type"
# columns say "Home"/"Work" and are kept raw; the first address wins for the
# single address fields because earlier columns win ties.
_GOOGLE_PATTERNS: tuple[tuple[str, str], ...] = (
    (r"^e mail \d+ value$", "email"),
    (r"^phone \d+ value$", "phone"),
    (r"^address \d+ formatted$", "address"),
    (r"^address \d+ street$", "address1"),
    (r"^address \d+ extended address$", "address2"),
    (r"^address \d+ city$", "city"),
    (r"^address \d+ region$", "region"),
    (r"^address \d+ postal code$", "postcode"),
    (r"^address \d+ country$", "country"),
    (r"^organization \d+ name$", "company"),
    (r"^organization \d+ title$", "job_title"),
    (r"^(e mail|phone|address|organization|relation|website|event|custom field|im|"
     r"external id|calendar link|jot|sip address|hobby|location|user defined) \d+ ", IGNORE),
)
_GOOGLE_NOTE = (
    "Several values in one cell are separated by ' ::: '; a birthday without a year "
    "looks like --03-07; '* myContacts' and '* starred' are system labels."
)

_GOOGLE_CONTACTS = Preset(
    key="google_contacts",
    label="Google Contacts export",
    vendor="Google",
    channel="contacts",
    kind=Kind.CONTACTS,
    signature=_signature("First Name", "Last Name", "Phonetic First Name", "File As", "Labels"),
    columns=_columns(
        {
            "First Name": "first_name",
            "Middle Name": "middle_name",
            "Last Name": "last_name",
            "Nickname": "nickname",
            "Organization Name": "company",
            "Organization Title": "job_title",
            "Birthday": "birthday",
            "Notes": "note",
            "Labels": "tags",
        },
        [
            "Phonetic First Name", "Phonetic Middle Name", "Phonetic Last Name", "Name Prefix",
            "Name Suffix", "File As", "Organization Department", "Photo",
        ],
    ),
    patterns=_GOOGLE_PATTERNS,
    note=_GOOGLE_NOTE,
)

_GOOGLE_CONTACTS_LEGACY = Preset(
    key="google_contacts_legacy",
    label="Google Contacts export (older layout)",
    vendor="Google",
    channel="contacts",
    kind=Kind.CONTACTS,
    signature=_signature("Name", "Given Name", "Additional Name", "Family Name", "Group Membership"),
    columns=_columns(
        {
            "Name": "full_name",
            "Given Name": "first_name",
            "Additional Name": "middle_name",
            "Family Name": "last_name",
            "Nickname": "nickname",
            "Birthday": "birthday",
            "Gender": "gender",
            "Language": "language",
            "Notes": "note",
            "Group Membership": "tags",
        },
        [
            "Yomi Name", "Given Name Yomi", "Additional Name Yomi", "Family Name Yomi",
            "Name Prefix", "Name Suffix", "Initials", "Short Name", "Maiden Name", "Location",
            "Billing Information", "Directory Server", "Mileage", "Occupation", "Hobby",
            "Sensitivity", "Priority", "Subject", "Photo",
        ],
    ),
    patterns=_GOOGLE_PATTERNS,
    note=_GOOGLE_NOTE,
)

_OUTLOOK = Preset(
    key="outlook",
    label="Outlook contacts export",
    vendor="Microsoft",
    channel="contacts",
    kind=Kind.CONTACTS,
    # Shared by the desktop, Outlook.com and "Outlook CSV from Google" layouts.
    signature=_signature(
        "First Name", "Last Name", "E-mail Address", "Mobile Phone", "Business Phone", "Job Title"
    ),
    columns=_columns(
        {
            "First Name": "first_name",
            "Middle Name": "middle_name",
            "Last Name": "last_name",
            "Nickname": "nickname",
            "Company": "company",
            "Job Title": "job_title",
            # A customer list cares about the person, so the home address
            # feeds the address fields; business and other addresses stay raw.
            "Home Street": "address1",
            "Home Street 2": "address2",
            "Home City": "city",
            "Home State": "region",
            "Home Postal Code": "postcode",
            "Home Country/Region": "country",
            "Home Country": "country",
            "Home Address": "address",
            # Mobile first: it is the number that can take a text message.
            "Mobile Phone": "phone",
            "Primary Phone": "phone",
            "Home Phone": "phone",
            "Home Phone 2": "phone",
            "Business Phone": "phone",
            "Business Phone 2": "phone",
            "Other Phone": "phone",
            "Car Phone": "phone",
            "E-mail Address": "email",
            "E-mail 2 Address": "email",
            "E-mail 3 Address": "email",
            "Birthday": "birthday",
            "Gender": "gender",
            "Language": "language",
            "Notes": "note",
            "Categories": "tags",
        },
        [
            "Title", "Suffix", "Given Yomi", "Surname Yomi", "Given Name Yomi", "Family Name Yomi",
            "Company Yomi", "Department", "Office Location", "Home Street 3", "Home Address PO Box",
            "Business Address", "Business Street", "Business Street 2", "Business Street 3",
            "Business City", "Business State", "Business Postal Code", "Business Country/Region",
            "Business Country", "Business Address PO Box", "Other Address", "Other Street",
            "Other Street 2", "Other Street 3", "Other City", "Other State", "Other Postal Code",
            "Other Country/Region", "Other Country", "Other Address PO Box", "Assistant's Phone",
            "Business Fax", "Callback", "Company Main Phone", "Home Fax", "ISDN", "Other Fax",
            "Pager", "Radio Phone", "TTY/TDD Phone", "Telex", "IMAddress", "Account",
            "Anniversary", "Assistant's Name", "Billing Information", "Children",
            "Directory Server", "E-mail Type", "E-mail Display Name", "E-mail 2 Type",
            "E-mail 2 Display Name", "E-mail 3 Type", "E-mail 3 Display Name",
            "Government ID Number", "Hobby", "Initials", "Internet Free Busy", "Keywords",
            "Location", "Manager's Name", "Mileage", "Organizational ID Number", "Priority",
            "Private", "Profession", "Referred By", "Sensitivity", "Spouse", "Schools",
            "User 1", "User 2", "User 3", "User 4", "Web Page", "Personal Web Page", "PO Box",
        ],
    ),
    patterns=(
        (r"^e mail \d+ address$", "email"),
        (r"^e mail (\d+ )?(type|display name)$", IGNORE),
        (r"^user \d+$", IGNORE),
    ),
    note="Often saved in cp1252; empty birthdays are 0/0/00; business addresses are kept raw.",
)

_META_LEADS = Preset(
    key="meta_leads",
    label="Meta lead ads export",
    vendor="Meta",
    channel="social",
    kind=Kind.CONTACTS,
    signature=_signature("created_time", "ad_id", "adset_id", "campaign_id", "form_id"),
    columns=_columns(
        {
            "id": "external_id",
            "created_time": "created_at",
            "campaign_name": "campaign",
            # Meta's standard form fields; everything else is the merchant's
            # own question and is kept raw.
            "email": "email",
            "work_email": "email",
            "full_name": "full_name",
            "first_name": "first_name",
            "last_name": "last_name",
            "phone_number": "phone",
            "phone": "phone",
            "work_phone_number": "phone",
            "street_address": "address1",
            "city": "city",
            "state": "region",
            "province": "region",
            "zip_code": "postcode",
            "post_code": "postcode",
            "postal_code": "postcode",
            "zip": "postcode",
            "country": "country",
            "date_of_birth": "birthday",
            "gender": "gender",
            "company_name": "company",
            "job_title": "job_title",
        },
        [
            "ad_id", "ad_name", "adset_id", "adset_name", "campaign_id", "form_id", "form_name",
            "is_organic", "platform", "lead_status", "inbox_url",
        ],
    ),
    # Custom questions ("what_are_you_interested_in?") are answers, not
    # contact details; fuzzy-matching them would invent data.
    patterns=((r".", IGNORE),),
    strip_type_prefixes=True,
    row_event=RowEvent("lead_form", "Lead form submitted: {}", "Lead form submitted"),
    note=(
        "Values carry type prefixes (p:+1..., z:02134, l:, c:, ...); the download is often "
        "UTF-16 with tabs; platform is fb or ig; form answers are kept raw."
    ),
)

_KLAVIYO = Preset(
    key="klaviyo",
    label="Klaviyo profiles export",
    vendor="Klaviyo",
    channel="email",
    kind=Kind.CONTACTS,
    signature=_signature("Email", "Klaviyo ID"),
    columns=_columns(
        {
            "Email": "email",
            "Klaviyo ID": "external_id",
            "First Name": "first_name",
            "Last Name": "last_name",
            "Phone Number": "phone",
            "Organization": "company",
            "Title": "job_title",
            "Address": "address1",
            "Address 1": "address1",
            "Address 2": "address2",
            "City": "city",
            "State / Region": "region",
            "Region": "region",
            "Country": "country",
            "Zip Code": "postcode",
            "Locale": "language",
            "Email Marketing Consent": "consent_email",
            "SMS Consent": "consent_sms",
            "SMS Marketing Consent": "consent_sms",
            "Email Marketing Consent Timestamp": "consent_at",
            "Profile Created On": "created_at",
        },
        [
            "Source", "Initial Source", "Date Added", "Latitude", "Longitude", "Timezone",
            "IP Address", "SMS Consent Timestamp", "SMS Marketing Consent Timestamp",
            "Last Open", "Last Click", "First Active", "Last Active", "Organization ID",
        ],
    ),
    note="Consent values look like SUBSCRIBED, NEVER SUBSCRIBED, UNSUBSCRIBED.",
)

_SQUARE = Preset(
    key="square",
    label="Square customers export",
    vendor="Square",
    channel="pos",
    kind=Kind.CONTACTS,
    signature=_signature("Reference ID", "First Visit", "Last Visit", "Transaction Count"),
    columns=_columns(
        {
            # Square's own ID is always filled; the merchant's reference often not.
            "Square Customer ID": "external_id",
            "Customer ID": "external_id",
            "Reference ID": "external_id",
            "Given Name": "first_name",
            "First Name": "first_name",
            "Family Name": "last_name",
            "Last Name": "last_name",
            "Nickname": "nickname",
            "Company Name": "company",
            "Company": "company",
            "Email Address": "email",
            "Phone Number": "phone",
            "Street Address 1": "address1",
            "Address Line 1": "address1",
            "Street Address 2": "address2",
            "Address Line 2": "address2",
            "City": "city",
            "Locality": "city",
            "State": "region",
            "Administrative District Level 1": "region",
            "Postal Code": "postcode",
            "Country": "country",
            "Birthday": "birthday",
            "Memo": "note",
            "Note": "note",
            "Groups": "tags",
            # The first visit is when the customer first appeared.
            "First Visit": "created_at",
            "Transaction Count": "total_orders",
            "Total Spend": "total_spent",
            "Lifetime Spend": "total_spent",
            "Email Subscription Status": "consent_email",
            "SMS Subscription Status": "consent_sms",
        },
        ["Last Visit", "Creation Source", "Instant Profile", "Blocked from online booking"],
    ),
    note="Spend columns carry a currency symbol; birthdays may lack a year.",
)

_SQUARE_TRANSACTIONS = Preset(
    key="square_transactions",
    label="Square transactions export",
    vendor="Square",
    channel="pos",
    kind=Kind.EVENTS,
    signature=_signature("Transaction ID", "Total Collected", "Partial Refunds", "Event Type"),
    columns=_columns(
        {
            "Date": "occurred_at",
            "Time": "occurred_time",
            "Total Collected": "amount",
            # Written as a negative amount ("-$5.00"): money given back on this payment.
            "Partial Refunds": "refunded_amount",
            "Transaction ID": "order_id",
            # The same id as the customers export's "Square Customer ID".
            "Customer ID": "external_id",
            "Customer Name": "full_name",
            "Description": "item_name",
            "Location": "location",
            "Transaction Status": "status",
        },
        [
            "Time Zone", "Gross Sales", "Discounts", "Service Charges", "Net Sales", "Gift Card Sales",
            "Tax", "Tip", "Source", "Card", "Card Entry Methods", "Cash", "Square Gift Card",
            "Other Tender", "Other Tender Type", "Other Tender Note", "Fees", "Net Total", "Payment ID",
            "Card Brand", "PAN Suffix", "Device Name", "Staff Name", "Staff ID", "Details", "Event Type",
            "Dining Option", "Customer Reference ID", "Device Nickname", "Third Party Fees", "Deposit ID",
            "Deposit Date", "Deposit Details", "Fee Percentage Rate", "Fee Fixed Rate", "Refund Reason",
            "Discount Name", "Cash App", "Order Reference ID", "Fulfillment Note",
            "Free Processing Applied", "Channel", "Unattributed Tips",
        ],
    ),
    note="A refund is a row of its own with a negative total; a partial refund also shows on the payment.",
)

# CRM contact lists: the business's own address book of people, kept by its
# salespeople, so they join the "contacts" channel.  A stage, status or owner
# column describes the person, never something they did.

_HUBSPOT_CONTACTS = Preset(
    key="hubspot_contacts",
    label="HubSpot contacts export",
    vendor="HubSpot",
    channel="contacts",
    kind=Kind.CONTACTS,
    signature=_signature("Record ID", "Email", "Contact owner", "Create Date"),
    columns=_columns(
        {
            "Record ID": "external_id",
            "Contact ID": "external_id",
            "First Name": "first_name",
            "Last Name": "last_name",
            "Email": "email",
            "Additional email addresses": "email",
            # The mobile first: it is the number that can take a text message.
            "Mobile Phone Number": "phone",
            "Phone Number": "phone",
            "Street Address": "address1",
            "City": "city",
            "State/Region": "region",
            "Postal Code": "postcode",
            "Country/Region": "country",
            "Company Name": "company",
            "Job Title": "job_title",
            "Date of birth": "birthday",
            "Create Date": "created_at",
            "Unsubscribed from all email": "no_email",
            "Email hard bounce reason": "email_bounced",
            # HubSpot's billing tier, but a "non-marketing" contact is one HubSpot will not
            # send marketing to: the safer reading is "do not email".
            "Marketing contact status": "no_email",
        },
        [
            "Lifecycle Stage", "Lead Status", "Contact owner", "Last Activity Date",
            "Associated Company", "Primary Associated Company ID",
            "Associated Company IDs", "Original Source", "Original Source Drill-Down 1",
            "Original Source Drill-Down 2", "Last Modified Date", "Email Domain",
            "Owner assigned date", "Persona", "Time Zone", "Fax Number", "Industry",
            "Website URL", "Number of Employees", "Annual Revenue", "Recent Deal Amount",
            "Total Revenue", "Number of Sales Activities", "Last Contacted", "Next Activity Date",
        ],
    ),
    patterns=((r"^became a ", IGNORE), (r"^(last|first|recent|number of) ", IGNORE)),
    note="Boolean properties read true/false; additional email addresses are ';'-separated.",
)

_ZOHO_CONTACTS = Preset(
    key="zoho_contacts",
    label="Zoho CRM contacts export",
    vendor="Zoho",
    channel="contacts",
    kind=Kind.CONTACTS,
    signature=_signature("Record Id", "Contact Owner", "Email Opt Out"),
    columns=_columns(
        {
            "Record Id": "external_id",
            "First Name": "first_name",
            "Last Name": "last_name",
            "Full Name": "full_name",
            "Account Name": "company",
            "Email": "email",
            "Secondary Email": "email",
            "Title": "job_title",
            "Mobile": "phone",
            "Phone": "phone",
            "Home Phone": "phone",
            "Other Phone": "phone",
            "Date of Birth": "birthday",
            "Email Opt Out": "no_email",
            "Unsubscribed Time": "unsubscribed_at",
            "Created Time": "created_at",
            "Mailing Street": "address1",
            "Mailing City": "city",
            "Mailing State": "region",
            "Mailing Zip": "postcode",
            "Mailing Country": "country",
            "Description": "note",
            "Tag": "tags",
        },
        [
            "Contact Owner", "Lead Source", "Department", "Fax", "Assistant", "Asst Phone",
            "Skype ID", "Twitter", "Secondary Email", "Salutation", "Created By", "Modified By",
            "Modified Time", "Last Activity Time", "Reporting To", "Vendor Name",
            "Unsubscribed Mode", "Other Street", "Other City", "Other State", "Other Zip",
            "Other Country", "Layout", "Contact Image", "Change Log Time", "Locked",
            "Last Enriched Time", "Enrich Status",
        ],
    ),
    note="Record Ids look like zcrm_…; Email Opt Out is true/false.",
)

_SALESFORCE_CONTACTS = Preset(
    key="salesforce_contacts",
    label="Salesforce contacts export (Data Loader)",
    vendor="Salesforce",
    channel="contacts",
    kind=Kind.CONTACTS,
    # API field names, as Data Loader and Data Export write them (often in capitals).
    signature=_signature("Id", "FirstName", "LastName", "HasOptedOutOfEmail"),
    columns=_columns(
        {
            "Id": "external_id",
            "FirstName": "first_name",
            "LastName": "last_name",
            "Name": "full_name",
            "Email": "email",
            "MobilePhone": "phone",
            "Phone": "phone",
            "HomePhone": "phone",
            "OtherPhone": "phone",
            "MailingStreet": "address1",
            "MailingCity": "city",
            "MailingState": "region",
            "MailingPostalCode": "postcode",
            "MailingCountry": "country",
            "Title": "job_title",
            "Birthdate": "birthday",
            "Description": "note",
            "HasOptedOutOfEmail": "no_email",
            # Texts go to the same number a "do not call" closes: the safer reading.
            "DoNotCall": "no_sms",
            "IsEmailBounced": "email_bounced",
            "EmailBouncedReason": "email_bounced",
            "EmailBouncedDate": "email_bounced",
            "CreatedDate": "created_at",
        },
        [
            # Faxes are not a marketing channel omnidesk keeps consent for.
            "HasOptedOutOfFax", "IsDeleted", "MasterRecordId", "AccountId",
            "Salutation", "OtherStreet", "OtherCity", "OtherState", "OtherPostalCode",
            "OtherCountry", "OtherLatitude", "OtherLongitude", "OtherGeocodeAccuracy",
            "OtherAddress", "MailingLatitude", "MailingLongitude", "MailingGeocodeAccuracy",
            "MailingAddress", "Fax", "AssistantPhone", "ReportsToId", "Department",
            "AssistantName", "LeadSource", "OwnerId", "CreatedById", "LastModifiedDate",
            "LastModifiedById", "SystemModstamp", "LastActivityDate", "LastCURequestDate",
            "LastCUUpdateDate", "LastViewedDate", "LastReferencedDate", "PhotoUrl", "Jigsaw", "JigsawContactId",
            "CleanStatus", "IndividualId", "IsPriorityRecord",
        ],
    ),
    # Custom fields end in "__c" and hold anything.
    patterns=((r"\bc$", IGNORE),),
    note="Ids are 18 characters; custom fields end in __c; booleans are true/false.",
)

_SALESFORCE_REPORT = Preset(
    key="salesforce_contacts_report",
    label="Salesforce contacts report",
    vendor="Salesforce",
    channel="contacts",
    kind=Kind.CONTACTS,
    signature=_signature(
        "First Name", "Last Name", "Account Name", "Mailing Zip/Postal Code", "Email Opt Out"
    ),
    columns=_columns(
        {
            "Contact ID": "external_id",
            "First Name": "first_name",
            "Last Name": "last_name",
            "Title": "job_title",
            "Account Name": "company",
            "Mailing Street": "address1",
            "Mailing City": "city",
            "Mailing State/Province": "region",
            "Mailing Zip/Postal Code": "postcode",
            "Mailing Country": "country",
            "Mobile": "phone",
            "Phone": "phone",
            "Home Phone": "phone",
            "Other Phone": "phone",
            "Email": "email",
            "Email Opt Out": "no_email",
            "Do Not Call": "no_sms",
            "Email Bounced Reason": "email_bounced",
            "Email Bounced Date": "email_bounced",
            "Birthdate": "birthday",
            "Created Date": "created_at",
            "Description": "note",
        },
        [
            "Contact Owner", "Salutation", "Fax", "Fax Opt Out", "Account ID",
            "Account Owner", "Lead Source", "Department", "Last Activity", "Last Modified Date",
            "Mailing State/Province Code", "Mailing Country Code",
        ],
    ),
    note="A report's IDs are 15 characters, Data Loader's 18; Email Opt Out is 0/1 or true/false.",
)

_STRIPE_CUSTOMERS = Preset(
    key="stripe_customers",
    label="Stripe customers export",
    vendor="Stripe",
    channel="shop",
    kind=Kind.CONTACTS,
    signature=_signature("id", "Created (UTC)", "Delinquent", "Total Spend", "Payment Count"),
    columns=_columns(
        {
            "id": "external_id",
            "Email": "email",
            # Often a company, an email or a domain rather than a person: see the normalizer.
            "Name": "full_name",
            "Phone": "phone",
            "Description": "note",
            "Created (UTC)": "created_at",
            "Address Line1": "address1",
            "Address Line2": "address2",
            "Address City": "city",
            "Address State": "region",
            "Address Zip": "postcode",
            "Address Country": "country",
            "Total Spend": "total_spent",
            "Payment Count": "total_orders",
            "Currency": "currency",
            "Preferred Locales": "language",
        },
        [
            "Plan", "Status", "Cancel At Period End", "Account Balance", "Balance", "Discount",
            "Delinquent", "Refunded Volume", "Dispute Losses", "Business Vat ID", "Tax Exempt",
            "Invoice Prefix", "Invoice Settings Default Payment Method",
        ],
    ),
    # The card's and the shipping address's details are someone's card and parcel, not the customer.
    patterns=((r"^card ", IGNORE), (r"^shipping ", IGNORE), (r" metadata$", IGNORE),
              (r"^tax ", IGNORE)),
    note="Created (UTC) is in UTC; Name is sometimes an email address or a web domain.",
)

_WOOCOMMERCE_CUSTOMERS = Preset(
    key="woocommerce_customers",
    label="WooCommerce customers export",
    vendor="WooCommerce",
    channel="shop",
    kind=Kind.CONTACTS,
    # WooCommerce › Customers (Analytics), "Download".
    signature=_signature("Name", "Username", "Last Active", "Total Spend", "AOV"),
    columns=_columns(
        {
            "Name": "full_name",
            "Email": "email",
            "Date Registered": "created_at",
            "Sign Up": "created_at",
            "Orders": "total_orders",
            "Total Spend": "total_spent",
            "Country / Region": "country",
            "Country": "country",
            "City": "city",
            "Region": "region",
            "Postal Code": "postcode",
        },
        # A username is the shop's login name: no other system knows it.
        ["Username", "Last Active", "AOV"],
    ),
    note="Guests have no username; Total Spend carries the shop's currency symbol.",
)

# Order exports of WooCommerce plugins: the official Customer/Order/Coupon
# Export ("Default - One Row per Item", human-readable headers) and Advanced
# Order Export For WooCommerce (its default field set).  Both repeat the order's
# columns on each of its item rows.
_WOO_ORDER_COLUMNS = _columns(
    {
        "Order Number": "order_id",
        "Order ID": "order_id",
        "Order Date": "occurred_at",
        "Order Status": "status",
        "Order Total": "amount",
        "Order Total Amount": "amount",
        "Order Currency": "currency",
        "Currency": "currency",
        "Billing First Name": "first_name",
        "First Name (Billing)": "first_name",
        "Billing Last Name": "last_name",
        "Last Name (Billing)": "last_name",
        "Billing Full Name": "full_name",
        "Billing Company": "company",
        "Company (Billing)": "company",
        "Billing Email Address": "email",
        "Billing Email": "email",
        "Email (Billing)": "email",
        "Billing Phone": "phone",
        "Billing Phone Number": "phone",
        "Phone (Billing)": "phone",
        "Billing Address 1": "address1",
        "Billing Address 2": "address2",
        "Address 1&2 (Billing)": "address",
        "Billing City": "city",
        "City (Billing)": "city",
        "Billing State": "region",
        "Billing State Code": "region",
        "State Code (Billing)": "region",
        "Billing Postcode": "postcode",
        "Postcode (Billing)": "postcode",
        "Billing Country": "country",
        "Country Code (Billing)": "country",
        "Item Name": "item_name",
        "Item Quantity": "item_quantity",
        "Quantity (- Refund)": "item_quantity",
        "Item Cost": "item_price",
        # Money given back on the order: not spend (core/money.py).
        "Refunded Total": "refunded_amount",
        "Order Refund Amount": "refunded_amount",
    },
    [
        # A WordPress user number: another shop's customer 12 is somebody else.
        "Customer ID", "Order Number (Formatted)", "Customer Note", "Shipping Total",
        "Shipping Tax Total", "Fees", "Fee Total", "Fee Tax Total", "Tax Total", "Discount Total",
        "Payment Method", "Payment Method Title", "Shipping Method",
        "Shipping Method Title", "Cart Discount Amount", "Order Subtotal Amount",
        "Order Shipping Amount", "Order Total Tax Amount", "SKU", "Item #",
        "Coupon Code", "Discount Amount", "Discount Amount Tax", "Order Notes",
        "Download Permissions Granted",
    ],
)
_WOO_ORDER_PATTERNS = (
    (r"^(shipping|item|fee|tax|coupon|refund) ", IGNORE),
    (r"\bshipping$", IGNORE),
)
_WOO_ORDER_NOTE = "One row per item; the order's columns repeat on each of its rows."

_WOOCOMMERCE_ORDERS = Preset(
    key="woocommerce_orders",
    label="WooCommerce orders export",
    vendor="WooCommerce",
    channel="shop",
    kind=Kind.EVENTS,
    signature=_signature(
        "Order Number", "Order Status", "Order Date", "Billing First Name", "Billing Last Name"
    ),
    columns=_WOO_ORDER_COLUMNS,
    patterns=_WOO_ORDER_PATTERNS,
    group_rows_by="order_id",
    note=_WOO_ORDER_NOTE,
)

_WOOCOMMERCE_ORDERS_ADVANCED = Preset(
    key="woocommerce_orders_advanced",
    label="WooCommerce orders export (Advanced Order Export)",
    vendor="WooCommerce",
    channel="shop",
    kind=Kind.EVENTS,
    signature=_signature(
        "Order Number", "Order Status", "Order Date", "Email (Billing)", "Order Total Amount"
    ),
    columns=_WOO_ORDER_COLUMNS,
    patterns=_WOO_ORDER_PATTERNS,
    group_rows_by="order_id",
    note=_WOO_ORDER_NOTE,
)

_SUBSTACK = Preset(
    key="substack_subscribers",
    label="Substack subscribers export",
    vendor="Substack",
    channel="email",
    kind=Kind.CONTACTS,
    signature=_signature("email", "active_subscription", "email_disabled"),
    columns=_columns(
        {
            "email": "email",
            "name": "full_name",
            "created_at": "created_at",
            # A subscriber who turned the newsletter's emails off.
            "email_disabled": "no_email",
        },
        ["active_subscription", "expiry", "plan", "first_payment_at", "subscription_type",
         "stripe_customer_id"],
    ),
    # Everyone on the list signed up for the newsletter, on created_at.
    constants={"consent_email": "subscribed"},
    note="Every row subscribed (free or paid); email_disabled true means they stopped the emails.",
)

_LINKEDIN_CONNECTIONS = Preset(
    key="linkedin_connections",
    label="LinkedIn connections export",
    vendor="LinkedIn",
    channel="social",
    kind=Kind.CONTACTS,
    signature=_signature("First Name", "Last Name", "URL", "Connected On"),
    columns=_columns(
        {
            # The profile's address names one member for good.
            "URL": "external_id",
            "First Name": "first_name",
            "Last Name": "last_name",
            "Email Address": "email",
            "Company": "company",
            "Position": "job_title",
            "Connected On": "created_at",
        },
    ),
    note=(
        "Connections.csv starts with a 'Notes:' paragraph above the header; emails are only there "
        "when the member allows it; members who left LinkedIn are rows with only a date."
    ),
)

_EVENTBRITE_ATTENDEES = Preset(
    key="eventbrite_attendees",
    label="Eventbrite attendee summary",
    vendor="Eventbrite",
    channel="web",
    kind=Kind.CONTACTS,
    signature=_signature(
        "Order #", "Order Date", "Event Name", "Ticket Type", "Attendee #", "Attendee Status"
    ),
    columns=_columns(
        {
            # The order is the booking of a ticket, not a purchase in the shop.
            "Order Date": "occurred_at",
            "First Name": "first_name",
            "Last Name": "last_name",
            "Email": "email",
            "Event Name": "campaign",
            "Ticket Type": "item_name",
            "Attendee Status": "status",
            "Cell Phone": "phone",
            "Home Phone": "phone",
            "Home Address 1": "address1",
            "Home Address 2": "address2",
            "Home City": "city",
            "Home State": "region",
            "Home Zip": "postcode",
            "Home Country": "country",
            "Job Title": "job_title",
            "Company": "company",
            "Birth Date": "birthday",
            "Gender": "gender",
        },
        [
            # The buyer may have booked for someone else: the row is the attendee's.
            "Order #", "Prefix", "Suffix", "Event ID", "Attendee #", "Barcode #", "Group",
            "Buyer Last Name", "Buyer First Name", "Buyer Email", "Order Type", "Currency",
            "Total Paid", "Fees Paid", "Eventbrite Fees", "Eventbrite Payment Processing",
            "Device Name", "Check-In Date", "Age",
        ],
    ),
    # The organiser's own questions are answers, not contact details.
    patterns=((r".", IGNORE),),
    row_event=RowEvent("registration", "Registered for {}", "Registered for an event"),
    note="One row per attendee; the buyer's columns describe whoever paid.",
)

_META_LEADS_CENTER = Preset(
    key="meta_leads_center",
    label="Meta Business Suite Leads Center export",
    vendor="Meta",
    channel="social",
    kind=Kind.CONTACTS,
    signature=_signature("Created", "Name", "Source", "Form", "Stage", "Owner"),
    columns=_columns(
        {
            "Lead ID": "external_id",
            "Created": "created_at",
            "Name": "full_name",
            "Full name": "full_name",
            "First name": "first_name",
            "Last name": "last_name",
            "Email": "email",
            "Phone number": "phone",
            "Phone": "phone",
            "Form": "campaign",
            "Stage": "status",
            "Labels": "tags",
        },
        ["Source", "Channel", "Owner", "Campaign", "Ad", "Ad set", "Platform"],
    ),
    patterns=((r".", IGNORE),),
    strip_type_prefixes=True,
    row_event=RowEvent("lead_form", "Lead form submitted: {}", "Lead form submitted"),
    note="Stage and owner are the business's follow-up, kept as the lead's status and raw.",
)

PRESETS: tuple[Preset, ...] = (
    _SHOPIFY_CUSTOMERS,
    _SHOPIFY_ORDERS,
    _MAILCHIMP_SUBSCRIBED,
    _MAILCHIMP_UNSUBSCRIBED,
    _MAILCHIMP_CLEANED,
    _GOOGLE_CONTACTS,
    _GOOGLE_CONTACTS_LEGACY,
    _OUTLOOK,
    _META_LEADS,
    _KLAVIYO,
    _SQUARE,
    _SQUARE_TRANSACTIONS,
    _HUBSPOT_CONTACTS,
    _ZOHO_CONTACTS,
    _SALESFORCE_CONTACTS,
    _SALESFORCE_REPORT,
    _STRIPE_CUSTOMERS,
    _WOOCOMMERCE_CUSTOMERS,
    _WOOCOMMERCE_ORDERS,
    _WOOCOMMERCE_ORDERS_ADVANCED,
    _SUBSTACK,
    _LINKEDIN_CONNECTIONS,
    _EVENTBRITE_ATTENDEES,
    _META_LEADS_CENTER,
)

_PRESETS_BY_KEY: dict[str, Preset] = {p.key: p for p in PRESETS}


def get_preset(key: str) -> Preset:
    """Return the preset called ``key``; raise ``KeyError`` naming the known keys."""
    try:
        return _PRESETS_BY_KEY[key]
    except KeyError:
        known = ", ".join(_PRESETS_BY_KEY)
        raise KeyError(f"unknown import preset {key!r}; known presets: {known}") from None


def detect_preset(headers: Sequence[str]) -> Preset | None:
    """Return the preset whose whole signature is among ``headers``, or None.

    Order, case and punctuation of the headers do not matter, and extra columns
    are allowed.  When several presets match, the one with the largest
    signature (the most specific) wins, so an unsubscribed Mailchimp file is
    never taken for a subscribed one; equal sizes keep the order of PRESETS.
    """
    keys = set(_keys(headers))
    best: Preset | None = None
    for preset in PRESETS:
        if preset.signature <= keys and (best is None or len(preset.signature) > len(best.signature)):
            best = preset
    return best


# --------------------------------------------------------------------------
# generic synonyms
# --------------------------------------------------------------------------

# field -> phrases meaning it.  A leading "~" marks a weak synonym: plausible,
# but a clearer column for the same field should win.  Phrases are written as
# people type them and turned into header keys when the module loads.
_SYNONYM_PHRASES: dict[str, tuple[str, ...]] = {
    "external_id": (
        "Customer ID", "Client ID", "Member ID", "Contact ID", "User ID", "Subscriber ID",
        "Profile ID", "Person ID", "Patient ID", "Guest ID", "Account ID", "Klaviyo ID", "LEID",
        "EUID", "External ID", "Customer number", "Customer no", "Client number", "Member number",
        "Membership number", "Account number", "Kundennummer", "Kunden ID", "Kundennr",
        "Numero client", "Identifiant client", "ID client", "Numero de cliente", "ID cliente",
        "Klantnummer", "Codice cliente", "Loyalty number", "Loyalty card", "Loyalty card number",
        "Loyalty card no", "Loyalty ID", "Card no", "Card number", "Member card", "Membership card",
        "Club card", "Rewards number", "Kundenkarte", "Carte fidelite", "Customer code",
        "Client code",
    ),
    "full_name": (
        "Name", "Full name", "Fullname", "Customer name", "Client name", "Contact name",
        "Display name", "Member name", "Buyer name", "Guest name", "Patient name",
        "Billing name", "Shipping name", "Recipient", "Recipient name", "Your name",
        "~Contact", "~Customer", "~Client", "~Member", "~Buyer", "~Guest", "~Patient",
        "Nom complet", "Vollstandiger Name", "Kundenname", "~Kunde", "Nombre completo",
        "Nombre y apellidos", "Naam", "Volledige naam", "Nome completo", "Nominativo",
    ),
    "first_name": (
        "First name", "First", "Firstname", "Given name", "Given", "Forename", "Fname",
        "Christian name", "Prenom", "Vorname", "Nombre", "Nome", "Voornaam", "Primo nome",
        # Russian (a Russian Outlook writes its columns in Russian)
        "Имя",
    ),
    "middle_name": (
        "Middle name", "Middle", "Middle initial", "Additional name", "Second name", "Отчество",
    ),
    "last_name": (
        "Last name", "Last", "Lastname", "Surname", "Family name", "Lname", "Nachname",
        "Familienname", "Nom", "Nom de famille", "Apellido", "Apellidos", "Cognome",
        "Achternaam", "Фамилия",
    ),
    "nickname": ("Nickname", "Nick", "Preferred name", "Known as", "Spitzname", "Surnom", "Apodo"),
    "email": (
        "Email", "E-mail", "Email address", "E-mail address", "Mail", "Mail address",
        "Email addr", "Courriel", "Adresse e-mail", "Adresse mail", "Adresse electronique",
        "E-Mail-Adresse", "Mailadresse", "Correo", "Correo electronico", "Email adres",
        "E-mailadres", "Indirizzo email", "Posta elettronica", "Адрес эл. почты",
        "Электронная почта", "Эл. почта", "Email адрес",
    ),
    "phone": (
        "Phone", "Phone number", "Phone no", "Telephone", "Telephone number", "Tel", "Tel no",
        "Mobile", "Mobile phone", "Mobile number", "Mobile no", "Cell", "Cell phone", "Cellphone",
        "Cell number", "Contact number", "Landline", "GSM", "WhatsApp", "WhatsApp number",
        "Handy", "Handynummer", "Mobiltelefon", "Mobilnummer", "Telefon", "Telefonnummer",
        "Portable", "Numero de telephone", "Numero de portable", "Telefono", "Movil", "Celular",
        "Numero de telefono", "Telefoon", "Telefoonnummer", "Mobiel", "Mobiele nummer",
        "Cellulare", "Numero di telefono", "Телефон", "Мобильный телефон", "Мобильный",
        "Телефон (мобил.)",
        "Основной телефон", "Домашний телефон", "Рабочий телефон", "Номер телефона",
    ),
    "company": (
        "Company", "Company name", "Organization", "Organisation", "Organization name",
        "Business name", "Employer", "~Business", "Firma", "Firmenname", "Unternehmen",
        "Entreprise", "Societe", "Empresa", "Bedrijf", "Bedrijfsnaam", "Azienda", "Ragione sociale",
        "Организация", "Компания",
    ),
    "job_title": (
        "Job title", "Job", "Position", "Role", "Occupation", "Profession", "Jobtitle",
        "Beruf", "Position im Unternehmen", "Poste", "Fonction", "Cargo", "Puesto", "Functie",
        "Ruolo", "Organization title", "Organisation title", "Должность",
    ),
    "address1": (
        "Address", "Address 1", "Address line 1", "Address1", "Street", "Street address",
        "Street 1", "Street line 1", "Adresse", "Strasse", "Rue", "Direccion", "Calle", "Straat",
        "Adres", "Indirizzo", "Anschrift", "Улица", "Адрес",
    ),
    "address2": (
        "Address 2", "Address line 2", "Address2", "Street 2", "Street line 2", "Apartment",
        "Apt", "Suite", "Unit", "Adresszusatz", "Complement d adresse", "Complement",
        "Extended address",
    ),
    "address": (
        "Full address", "Postal address", "Formatted address", "Mailing address", "Home address",
    ),
    "city": (
        "City", "Town", "Suburb", "Locality", "Town city", "Ville", "Stadt", "Ort", "Wohnort",
        "Ciudad", "Localidad", "Poblacion", "Plaats", "Woonplaats", "Citta", "Comune", "Город",
    ),
    "region": (
        "State", "Province", "County", "Region", "State province", "State region",
        "State code", "Province code", "Bundesland", "Kanton", "Canton", "Departement",
        "Provincia", "Provincie", "Regione", "Estado", "Область",
    ),
    "postcode": (
        "Zip", "Zip code", "Zipcode", "Postal code", "Postcode", "Post code", "Postal",
        "Postleitzahl", "PLZ", "Code postal", "CP", "Codigo postal", "CAP", "Eircode",
        "Pin code", "Pincode", "Индекс", "Почтовый индекс",
    ),
    "country": (
        "Country", "Country code", "Country region", "Nation", "Land", "Pays", "Pais", "Paese",
        "Nazione", "CC", "Страна", "Страна или регион",
    ),
    "birthday": (
        "Birthday", "Birth date", "Birthdate", "Date of birth", "DOB", "D.O.B.", "Born",
        "Geburtsdatum", "Geburtstag", "Date de naissance", "Anniversaire", "Fecha de nacimiento",
        "Cumpleanos", "Geboortedatum", "Verjaardag", "Data di nascita", "Compleanno",
        "День рождения", "Дата рождения",
    ),
    "gender": ("Gender", "Sex", "Geschlecht", "Sexe", "Genre", "Sexo", "Genero", "Geslacht", "Sesso"),
    "language": (
        "Language", "Lang", "Locale", "Preferred language", "Sprache", "Langue", "Idioma",
        "Taal", "Lingua",
    ),
    "tags": (
        "Tags", "Tag", "Labels", "Label", "Groups", "Group", "Segments", "Segment",
        "Categories", "Category", "~Lists", "~List", "Group membership", "Etiquettes",
        "Etiquette", "Gruppen", "Gruppe", "Schlagworte", "Etiquetas", "Grupos", "Etiketten",
    ),
    "note": (
        "Note", "Notes", "Comment", "Comments", "Remarks", "Remark", "Memo", "Bemerkung",
        "Bemerkungen", "Notiz", "Notizen", "Kommentar", "Remarque", "Remarques", "Commentaire",
        "Commentaires", "Nota", "Notas", "Comentario", "Comentarios", "Opmerking", "Opmerkingen",
        "Note interne", "Заметки", "Примечание", "Комментарий",
    ),
    "created_at": (
        "Created", "Created at", "Created on", "Created date", "Date created", "Creation date",
        "Date added", "Added", "Added on", "Signup date", "Sign up date", "Signed up",
        "Signed up at", "Joined", "Join date", "Date joined", "Member since", "Customer since",
        "Client since", "Registration date", "Registered", "Registered at", "Registered on",
        "First seen", "First visit", "Erstellt", "Erstellt am", "Angelegt", "Angelegt am",
        "Date de creation", "Date d inscription", "Fecha de creacion", "Fecha de alta",
        "Aangemaakt", "Data di creazione", "Created time",
    ),
    "total_spent": (
        "Total spent", "Total spend", "Lifetime spend", "Lifetime value", "Customer lifetime value",
        "LTV", "CLV", "Amount spent", "Spent", "Total sales", "Total purchases", "Total revenue",
        "Gesamtumsatz", "Total depense", "Total gastado",
    ),
    "total_orders": (
        "Total orders", "Orders", "Order count", "Orders count", "Number of orders", "No of orders",
        "Num orders", "Transaction count", "Transactions", "Number of transactions", "Purchases",
        "Number of purchases", "Visits", "Visit count", "Number of visits", "Total visits",
        "Anzahl Bestellungen", "Bestellungen", "Nombre de commandes", "Commandes", "Pedidos",
    ),
    "consent_email": (
        "Accepts marketing", "Accepts email marketing", "Email marketing", "Email consent",
        "Email opt in", "Email optin", "Opt in", "Optin", "Opted in", "Newsletter",
        "Newsletter opt in", "Newsletter signup", "Newsletter subscription", "Marketing consent",
        "Marketing opt in", "Email marketing consent", "Subscribed", "Subscriber", "Subscription",
        "Subscription status", "Email subscription status", "Email subscription",
        "Accepts newsletter", "~Marketing", "~Consent", "~GDPR consent", "Einwilligung",
        "Newsletter Anmeldung", "Abonne", "Abonnement", "Consentement", "Suscrito",
        "Acepta marketing", "Nieuwsbrief", "Iscritto",
    ),
    "consent_sms": (
        "SMS opt in", "SMS optin", "SMS consent", "SMS marketing", "Accepts SMS marketing",
        "SMS marketing consent", "SMS subscribed", "SMS subscription status", "SMS subscription",
        "Text opt in", "Text message opt in", "Texts opt in",
    ),
    "consent_whatsapp": (
        "WhatsApp opt in", "WhatsApp optin", "WhatsApp consent", "WhatsApp marketing",
        "Accepts WhatsApp marketing", "WhatsApp marketing consent",
    ),
    "consent_at": (
        "Consent date", "Consent time", "Consent timestamp", "Consent updated at", "Opt in date",
        "Optin date", "Opt in time", "Optin time", "Opted in at", "Subscribed at",
        "Subscribed on", "Subscription date", "Subscribe date", "Confirm time", "Confirmed at",
    ),
    "unsubscribed_at": (
        "Unsubscribed at", "Unsubscribed on", "Unsubscribe date", "Unsubscribe time",
        "Unsub time", "Unsub date", "Date unsubscribed", "Opt out date", "Opted out at",
        "Optout date",
    ),
    "occurred_at": (
        "Date", "Timestamp", "Datetime", "Date time", "When", "Order date", "Visit date",
        "Transaction date", "Transaction time", "Purchase date", "Sale date", "Booking date",
        "Appointment date", "Appointment", "Event date", "Event time", "Activity date",
        "Sent at", "Sent on", "Send date", "Send time", "Opened at", "Clicked at", "Occurred at",
        "Happened at", "Datum", "Zeitpunkt", "Fecha", "Date et heure", "Tijdstip",
        # a form's answer: when it was sent in (Typeform, Google Forms, web forms)
        "Submitted", "Submitted at", "Submitted on", "Submitted date", "Date submitted",
        "Submit date", "Submit time", "Submission date", "Submission time", "Response date",
        # email activity: when the message was opened or clicked
        "~Opened", "~Clicked",
    ),
    "occurred_time": (
        "Time", "Time of day", "Uhrzeit", "Hora", "Heure", "Tijd", "Ora",
    ),
    "event_type": (
        "Event", "Event type", "Event name", "Action", "Activity", "Activity type", "~Type",
        "Interaction", "Interaction type", "Aktion", "Ereignis", "Evenement", "Evento", "~Tipo",
    ),
    "order_id": (
        "Order", "Order ID", "Order number", "Order no", "Order nr", "Order ref",
        "Order reference", "Receipt", "Receipt no", "Receipt number", "Receipt ID",
        "Transaction ID", "Transaction", "Transaction number", "Transaction no",
        "Transaction ref", "Invoice", "Invoice number", "Invoice no", "Invoice ID", "Ticket",
        "Ticket number", "Booking ID", "Booking reference", "Booking number", "Sale ID",
        "Payment ID", "Bestellnummer", "Bestellung", "Rechnungsnummer", "Belegnummer",
        "Numero de commande", "Commande", "Facture", "Numero de facture", "Pedido",
        "Numero de pedido", "Factura", "Bestelnummer", "Factuurnummer", "Ordine", "Scontrino",
    ),
    "amount": (
        "Total", "Amount", "~Spend", "~Value", "Revenue", "~Price", "Sum", "Sale amount",
        "Order total", "Order amount", "Order value", "Total amount", "Grand total", "Gross sales",
        "Net sales", "Net total", "Sales", "Amount paid", "Montant", "Prix", "Betrag",
        "Summe", "Gesamt", "Gesamtbetrag", "Umsatz", "~Preis", "Importe", "~Precio", "Totaal", "Bedrag",
        "Importo", "~Prezzo", "Totale",
    ),
    "currency": (
        "Currency", "Currency code", "Curr", "Order currency", "Wahrung", "Devise", "Moneda", "Valuta",
    ),
    "item_name": (
        "Item", "Items", "Item name", "Product", "Products", "Product name", "Product title",
        "Service", "Services", "Treatment", "Lineitem name", "Line item", "Article", "Artikel",
        "Produkt", "Produit", "Producto", "Articulo", "Prodotto",
    ),
    "item_quantity": (
        "Quantity", "Qty", "Item quantity", "Units", "Menge", "Anzahl", "Quantite", "Cantidad",
        "Aantal", "Quantita",
    ),
    "item_price": (
        "Item price", "Unit price", "Price each", "Lineitem price", "Einzelpreis", "Prix unitaire",
        "Precio unitario",
    ),
    "status": (
        "Status", "Order status", "Payment status", "Financial status", "Transaction status",
        "Booking status", "Statut", "Zustand",
    ),
    "summary": (
        "Subject", "Summary", "Message", "Description", "Details", "Email subject",
        "Betreff", "Objet", "Asunto", "Oggetto", "Onderwerp",
    ),
    "url": ("URL", "Page", "Page URL", "Link", "Landing page", "Page path", "Path", "Webpage URL"),
    "campaign": (
        "Campaign", "Campaign name", "Campaign title", "UTM campaign", "Kampagne", "Campagne",
        "Campana", "Campagna",
        # The form a submission came in through names it the way a campaign does.
        "Form", "Form name", "Form title",
    ),
    "location": (
        "Location", "Store", "Store name", "~Shop", "Branch", "Outlet", "Venue", "Filiale",
        "Standort", "Magasin", "Boutique", "Tienda", "Sucursal", "Vestiging", "Negozio",
        "Punto vendita",
    ),
    # Inverted flags: "yes" means do not send (normalize.parse_optout).  Read as consent
    # they would do harm, so they are fields of their own.  HubSpot ("Unsubscribed from all
    # email", "Email hard bounce reason", "Marketing contact status"), Salesforce (API names
    # HasOptedOutOfEmail, DoNotCall, IsEmailBounced, EmailBouncedReason/Date; report labels
    # "Email Opt Out", "Do Not Call") and Zoho CRM ("Email Opt Out") write them so.
    "no_email": (
        "Unsubscribed", "Unsubscribe", "Opt out", "Optout", "Opted out", "Email opt out",
        "Email optout", "Email opted out", "Opted out of email", "Has opted out of email",
        "Unsubscribed from all email", "Opted out of all email", "Global unsubscribe",
        "Do not email", "Do not e-mail", "No email", "No emails", "No marketing", "Email disabled",
        "Blocked", "Blacklisted", "Suppressed", "Suppression", "Marketing contact status",
        "Newsletter opt out", "Marketing opt out",
    ),
    "no_sms": (
        "Do not call", "Do not text", "Do not SMS", "SMS opt out", "SMS optout", "SMS opted out",
        "Text opt out", "Texts opt out", "SMS unsubscribed", "No SMS", "No calls",
    ),
    "no_contact": ("Do not contact", "Do not solicit", "No contact", "Contact opt out"),
    "email_bounced": (
        "Bounced", "Email bounced", "Is email bounced", "Hard bounce", "Hard bounced",
        "Email hard bounce reason", "Email bounced reason", "Email bounced date", "Bounce reason",
        "Cleaned", "Invalid email", "Email invalid", "Undeliverable", "Email undeliverable",
    ),
    # Known on sight but deliberately not imported.
    IGNORE: (
        "Subtotal", "Tax", "Taxes", "Discount", "Shipping cost",
        # Which kind of address a row holds.
        "Address type",
        # What kind of person a CRM row is, or how far a salesperson got with them:
        # facts about the person, never something they did.
        "Contact type", "Customer type", "Client type", "Member type", "Lead type", "Record type",
        "Account type", "Subscriber type", "Lead status", "Lead stage", "Lifecycle stage",
        "Lifecycle", "Contact status", "Deal stage", "Pipeline stage", "Contact owner",
        "Lead owner", "Lead source", "Lead rating",
    ),
}

_STRONG = 0.9
_WEAK = 0.7
_QUALIFIED = 0.8
_PRESET = 1.0

# Words that can surround a synonym without changing its field:
# "Customer e-mail", "Work phone", "Billing zip", "E-mail 2", "Phone (mobile)".
_PERSON_WORDS = frozenset(
    "customer customers cust client clients contact contacts member members user users buyer "
    "buyers guest guests subscriber subscribers patient patients person profile account "
    "visitor visitors attendee attendees participant participants respondent respondents "
    "prospect prospects kunde kunden kundin klant klanten cliente clientes".split()
)
# "address" qualifies the parts of an address ("Default Address City", "Address 1 - Zip");
# a possessive ("Customer's email") and a time zone note ("Submit Date (UTC)") do not
# change what a column holds either.
_QUALIFIERS = _PERSON_WORDS | frozenset(
    "your my the of de du des der die das la le el di primary main preferred personal private "
    "home work business office billing shipping delivery mailing default current other alt "
    "alternative alternate secondary additional best mobile cell principal privat geschaftlich "
    "address physical s utc gmt "
    "shopify square mailchimp klaviyo stripe woocommerce wix squarespace".split()
)
# A bare number-ish word is an ID, but whose ID depends on the file.
_AMBIGUOUS_ID = frozenset({"id", "no", "nr", "number", "num", "ref", "reference", "nummer", "numero"})

_TYPE_WORDS = frozenset({"type", "tipo", "kind"})
_PRICE_WORDS = frozenset(header_key(w) for w in ("Price", "Prix", "Preis", "Precio", "Prezzo"))


@dataclass(frozen=True)
class _Synonym:
    phrase: str
    field: str
    confidence: float


def _build_synonyms() -> dict[str, _Synonym]:
    table: dict[str, _Synonym] = {}
    for name, phrases in _SYNONYM_PHRASES.items():
        if name != IGNORE and name not in FIELDS_BY_NAME:
            raise ValueError(f"synonym table: unknown field {name!r}")
        for raw in phrases:
            weak = raw.startswith("~")
            key = header_key(raw.lstrip("~"))
            entry = _Synonym(key, name, _WEAK if weak else _STRONG)
            for variant in {key, key.replace(" ", "")}:
                previous = table.get(variant)
                if previous is not None and previous.field != name:
                    raise ValueError(
                        f"synonym table: {raw!r} means {name} "
                        f"but {previous.phrase!r} means {previous.field}"
                    )
                if previous is None or (variant == key and previous.phrase != key):
                    table[variant] = entry
    return table


_SYNONYMS: dict[str, _Synonym] = _build_synonyms()
# A phrase with its words in another order ("Consent SMS", "Address Formatted") means
# the same, a little less surely than the phrase as written.
_REORDERED_CONFIDENCE = 0.85


def _build_reordered() -> dict[tuple[str, ...], _Synonym | None]:
    table: dict[tuple[str, ...], _Synonym | None] = {}
    for key, synonym in _SYNONYMS.items():
        words = _words(key)
        if len(words) < 2 or key != synonym.phrase:
            continue
        bag = tuple(sorted(words))
        entry = _Synonym(synonym.phrase, synonym.field, min(synonym.confidence, _REORDERED_CONFIDENCE))
        previous = table.get(bag, entry)
        # The same words meaning two fields in two orders say nothing once reordered.
        table[bag] = entry if previous is not None and previous.field == entry.field else None
    return table


_REORDERED: dict[tuple[str, ...], _Synonym | None] = _build_reordered()
# Fuzzy matching only against phrases long enough that one typo is not another word.
_FUZZY_CHOICES: list[str] = sorted(k for k in _SYNONYMS if len(k) >= 4 and " " not in k)


# --------------------------------------------------------------------------
# guessing
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class ColumnGuess:
    """What one column of a file is believed to hold, and why."""

    index: int
    header: str
    field: str
    confidence: float
    reason: str


@dataclass
class _Candidate:
    field: str
    confidence: float
    reason: str
    # Lower wins among equal confidence: a preset's own order of preference.
    priority: int = 0
    # Generic guesses may still be reconsidered from the whole file's shape.
    generic: bool = True
    alternative: tuple[str, float] | None = None
    # A bare "ID"/"No."/"#": whose ID it is depends on the rest of the file.
    ambiguous_id: bool = False


def _lookup(key: str) -> _Synonym | None:
    found = _SYNONYMS.get(key) or _SYNONYMS.get(key.replace(" ", ""))
    if found is None and " " in key:
        found = _REORDERED.get(tuple(sorted(_words(key))))
    return found


# A full name in one column, its parts named in the header in either order:
# "Name (Last, First)", "Last Name, First Name", "First and last name".  The
# loader splits such names, on the comma when they are written "Last, First".
_FIRST_WORDS = frozenset("first given forename forenames fname firstname givenname".split())
_LAST_WORDS = frozenset("last surname surnames family lname lastname familyname".split())
_NAME_WORDS = _FIRST_WORDS | _LAST_WORDS | frozenset("name names and full".split())


def _both_names(words: list[str]) -> bool:
    return (
        any(w in _FIRST_WORDS for w in words)
        and any(w in _LAST_WORDS for w in words)
        and all(w in _NAME_WORDS or w in _QUALIFIERS for w in words)
    )


# "E-mail 1 - Value", "Phone 1 - Type", "Address 1 - City" (Google's contact
# columns): the part after " - " is an attribute of the thing before it.
_PART_SEPARATOR = re.compile(r"\s+[-\u2013\u2014]\s+")
_VALUE_WORDS = frozenset({"value", "values"})
# which kind of e-mail, phone or address it is ("Home", "Work"), not the detail itself
_KIND_WORDS = frozenset({"label", "type", "kind"})
_ADDRESS_FIELDS = frozenset({"address", "address1"})


def _parts_candidate(header: str) -> _Candidate | None:
    parts = _PART_SEPARATOR.split(header.strip())
    if len(parts) != 2:
        return None
    thing, attribute = parts
    thing_words = [w for w in _words(header_key(thing)) if not w.isdigit()]
    attribute_words = _words(header_key(attribute))
    if not thing_words or not attribute_words:
        return None
    if set(attribute_words) <= _VALUE_WORDS:
        found = _generic_candidate(thing)
        # A numbered "<thing> N - Value" is one of a person's details, never an event's.
        if found.field in EVENT_FIELDS:
            return _Candidate(IGNORE, 0.0, f"'{attribute}' of '{thing}', not a contact detail")
        found.confidence = min(found.confidence, _QUALIFIED)
        found.reason += f", the value of '{thing}'"
        return found
    if set(attribute_words) <= _KIND_WORDS:
        return _Candidate(IGNORE, 0.0, f"'{attribute}' says which kind of '{thing}' it is")
    # "Organization 1 - Name" is the organization's name; "Address 1 - City" is a part of an address.
    probes = [" ".join(thing_words + attribute_words)]
    thing_field = _lookup(" ".join(thing_words))
    if thing_field is not None and thing_field.field in _ADDRESS_FIELDS:
        probes.append(" ".join(attribute_words))
    for probe in probes:
        synonym = _lookup(probe)
        if synonym is not None:
            return _synonym_candidate(
                synonym, min(synonym.confidence, _QUALIFIED), f"synonym '{synonym.phrase}' in '{header_key(header)}'"
            )
    return None


def _is_substitution(a: str, b: str) -> bool:
    return len(a) == len(b) and sum(x != y for x, y in zip(a, b)) == 1


def _fuzzy(compact: str) -> tuple[_Synonym, float] | None:
    """Return the synonym ``compact`` is a likely typo of, with its score.

    One edit is accepted between words of four letters or more, except that
    replacing one letter by another is only accepted in words of seven or
    more ("stage" is not a typo of "state"); long words may also be two edits
    away or score 88 or more on rapidfuzz's ratio.  A tie between different
    fields is no match.
    """
    if len(compact) < 4:
        return None
    accepted: list[tuple[float, _Synonym]] = []
    for choice, _score, _index in process.extract(
        compact, _FUZZY_CHOICES, scorer=fuzz.ratio, score_cutoff=60, limit=8
    ):
        longest = max(len(choice), len(compact))
        edits = OSA.distance(compact, choice)
        ratio = fuzz.ratio(compact, choice)
        ok = (
            (edits == 1 and min(len(choice), len(compact)) >= 4
             and (longest >= 7 or not _is_substitution(compact, choice)))
            or (edits == 2 and longest >= 10)
            or (longest >= 8 and ratio >= 88)
        )
        if ok:
            score = max(ratio, 100.0 * (1 - edits / longest))
            accepted.append((score, _SYNONYMS[choice]))
    if not accepted:
        return None
    accepted.sort(key=lambda item: -item[0])
    best_score, best = accepted[0]
    for score, other in accepted[1:]:
        if score == best_score and other.field != best.field:
            return None
    return best, best_score


def _spans(words: list[str]) -> Iterable[tuple[str, list[str]]]:
    """Yield (phrase, surrounding words) for every contiguous span, longest first."""
    n = len(words)
    for length in range(n - 1, 0, -1):
        for start in range(0, n - length + 1):
            yield " ".join(words[start:start + length]), words[:start] + words[start + length:]


def _qualifiers_only(words: list[str]) -> bool:
    return all(w in _QUALIFIERS or w.isdigit() for w in words)


# How a form's question or instruction opens, before it names what it asks for.
_LEAD_INS: tuple[tuple[str, ...], ...] = (
    ("what", "is"), ("what", "s"), ("whats",), ("what",), ("please", "enter"), ("please", "provide"),
    ("please", "give"), ("please",), ("enter",), ("provide",),
)


def _without_lead_in(words: list[str]) -> list[str]:
    """``words`` without a question's opening ("what is", "please enter"); the same
    list when there is none."""
    for lead in _LEAD_INS:
        if len(words) > len(lead) and tuple(words[: len(lead)]) == lead:
            return words[len(lead):]
    return words


def _generic_candidate(header: str) -> _Candidate:
    # "#" means "number" ("Order #", "Member #", "# of orders"); header_key
    # drops it, which would turn "Member #" into a name.
    key = header_key(header.replace("#", " number ")) if "#" in header else header_key(header)
    if not key:
        return _Candidate(IGNORE, 0.0, "empty header")
    words = _words(key)
    spaced = " ".join(words)

    for probe in (key, spaced):
        synonym = _lookup(probe)
        if synonym is not None:
            return _synonym_candidate(synonym, synonym.confidence, f"synonym '{synonym.phrase}'")

    asked = _without_lead_in(words)
    if asked is not words:
        # A form's question: "What is your email?", "Please enter your phone number".
        synonym = _lookup(" ".join(asked))
        if synonym is not None:
            return _synonym_candidate(
                synonym, min(synonym.confidence, _QUALIFIED), f"synonym '{synonym.phrase}' in '{key}'"
            )
        words = asked
    if _both_names(words):
        return _Candidate("full_name", _QUALIFIED, f"first and last name in one column ('{key}')")
    parts = _parts_candidate(header)
    if parts is not None:
        return parts

    if key in _AMBIGUOUS_ID or spaced in _AMBIGUOUS_ID:
        return _Candidate("external_id", 0.6, f"'{key}' looks like an ID", ambiguous_id=True)

    # A known phrase inside qualifiers: "Customer e-mail", "Phone 2", "Billing zip".
    # The longest phrase wins; among phrases as long, a strong synonym beats a weak
    # one ("Business address" is an address, not a business).
    best: _Synonym | None = None
    best_length = 0
    for phrase, rest in _spans(words):
        length = len(words) - len(rest)
        if best is not None and length < best_length:
            break
        if not _qualifiers_only(rest):
            continue
        if best is None and phrase in _AMBIGUOUS_ID and any(w in _PERSON_WORDS for w in rest):
            return _Candidate("external_id", _QUALIFIED, f"'{key}' names a person's ID")
        synonym = _lookup(phrase)
        if synonym is not None and (best is None or synonym.confidence > best.confidence):
            best, best_length = synonym, length
    if best is not None:
        if best.field == "event_type" and best.phrase in _TYPE_WORDS and any(w in _PERSON_WORDS for w in words):
            # "Patient type", "Guest type": what kind of person, not what they did.
            return _Candidate(IGNORE, _QUALIFIED, f"'{key}' says what kind of person, kept raw")
        return _synonym_candidate(best, min(best.confidence, _QUALIFIED), f"synonym '{best.phrase}' in '{key}'")

    found = _fuzzy(spaced.replace(" ", ""))
    if found is not None:
        synonym, score = found
        return _synonym_candidate(
            synonym,
            round(0.85 * score / 100, 2),
            f"fuzzy '{key}' ~ '{synonym.phrase}' ({score:.0f})",
        )
    for phrase, rest in _spans(words):
        if len(phrase.split()) != 1 or not _qualifiers_only(rest):
            continue
        found = _fuzzy(phrase)
        if found is not None:
            synonym, score = found
            return _synonym_candidate(
                synonym,
                round(0.8 * score / 100, 2),
                f"fuzzy '{phrase}' ~ '{synonym.phrase}' ({score:.0f}) in '{key}'",
            )
    return _Candidate(IGNORE, 0.0, "unknown header")


def _synonym_candidate(synonym: _Synonym, confidence: float, reason: str) -> _Candidate:
    if synonym.field == IGNORE:
        return _Candidate(IGNORE, confidence, reason + ", kept raw")
    alternative = None
    if synonym.field == "amount" and synonym.phrase in _PRICE_WORDS:
        # "Price" next to a "Total" is the price of the item.
        alternative = ("item_price", round(confidence - 0.05, 2))
    return _Candidate(synonym.field, confidence, reason, alternative=alternative)


def _preset_candidate(preset: Preset, key: str) -> _Candidate | None:
    columns = list(preset.columns)
    if key in preset.columns:
        name = preset.columns[key]
        return _Candidate(name, _PRESET, _preset_reason(preset, name), columns.index(key), generic=False)
    for offset, (pattern, name) in enumerate(preset.patterns):
        if re.search(pattern, key):
            return _Candidate(
                name, _PRESET, _preset_reason(preset, name), len(columns) + offset, generic=False
            )
    return None


def _preset_reason(preset: Preset, name: str) -> str:
    short = preset.label.removesuffix(" export")
    return f"preset {short}" + (" (kept raw)" if name == IGNORE else "")


# Said of a "Created" column read as the time of the events a file holds.
AS_EVENT_TIME = ", as event time"
_EVENT_DETAIL_FIELDS = frozenset(EVENT_FIELDS - {"occurred_at"})
_IDENTITY_FIELDS = frozenset({"full_name", "first_name", "last_name", "email", "phone", "external_id"})


def _reconsider(candidates: list[_Candidate]) -> None:
    """Adjust generic guesses that only make sense once the whole file is seen."""
    present = {c.field for c in candidates}
    has_details = bool(present & _EVENT_DETAIL_FIELDS)
    looks_like_events = "occurred_at" in present and bool(
        present & {"amount", "item_name", "item_quantity", "item_price", "event_type"}
    )
    for candidate in candidates:
        if not candidate.generic:
            continue
        if candidate.field == "external_id" and candidate.ambiguous_id:
            # A bare "ID" in a sales log numbers the sale, not the customer.
            if looks_like_events and "order_id" not in present:
                candidate.field = "order_id"
                candidate.reason += ", the event's ID"
                present.add("order_id")
        elif candidate.field == "created_at" and has_details and "occurred_at" not in present:
            # "Created" in a file of orders or visits is when the event happened.
            candidate.field = "occurred_at"
            candidate.reason += AS_EVENT_TIME
            present.add("occurred_at")
    if (
        present & _IDENTITY_FIELDS
        and not present & (EVENT_FIELDS - {"amount"})
        and "total_spent" not in present
    ):
        # A money column next to people and nothing event-like is each
        # person's total.
        for candidate in candidates:
            if candidate.generic and candidate.field == "amount":
                candidate.field = "total_spent"
                candidate.reason += ", per-person total"
                candidate.alternative = None
                break


def _assign(candidates: list[_Candidate], headers: Sequence[str]) -> list[ColumnGuess]:
    """Give each single-value field to its best column; multi fields go to all."""
    order = sorted(
        range(len(candidates)),
        key=lambda i: (-candidates[i].confidence, candidates[i].priority, i),
    )
    owner: dict[str, int] = {}
    result: dict[int, ColumnGuess] = {}
    for i in order:
        candidate = candidates[i]
        options = [(candidate.field, candidate.confidence, candidate.reason)]
        if candidate.alternative is not None:
            alt_field, alt_conf = candidate.alternative
            options.append((alt_field, alt_conf, f"{candidate.reason}, as {alt_field}"))
        chosen = None
        for name, confidence, reason in options:
            if name == IGNORE or FIELDS_BY_NAME[name].multi or name not in owner:
                chosen = (name, confidence, reason)
                break
        if chosen is None:
            first = owner[candidate.field]
            chosen = (
                IGNORE,
                candidate.confidence,
                f"duplicate of column {first + 1} ('{headers[first]}')",
            )
        name, confidence, reason = chosen
        if name != IGNORE and not FIELDS_BY_NAME[name].multi:
            owner[name] = i
        result[i] = ColumnGuess(i, headers[i], name, confidence, reason)
    return [result[i] for i in range(len(candidates))]


def guess_mapping(headers: Sequence[str], preset: Preset | None = None) -> list[ColumnGuess]:
    """Return one guess per column, in column order.

    With a preset its columns and patterns decide first and the generic
    guesser takes the columns it does not know.  The generic guesser tries the
    synonym table (several languages), a known phrase among qualifier words
    ("Customer e-mail", "Phone 2"), then a typo-tolerant fuzzy match.  A
    single-value field goes to at most one column (the most confident, then the
    preset's preferred, then the first); the other columns become IGNORE with
    the reason "duplicate of column N ('header')" (N counted from 1).
    Multi-value fields (email, phone, tags, note) may take several columns.
    Unrecognised columns are IGNORE with confidence 0; ignored columns are
    still kept raw.

    A few generic guesses depend on the whole file: a bare "ID" numbers the
    event in a file of events (never a "Customer ID", which is always
    external_id), "Created" is the event time in a file of orders or visits,
    and a money column in a list of people without events is their total spent.
    """
    headers = [h if h is not None else "" for h in headers]
    keys = _keys(headers)
    candidates: list[_Candidate] = []
    for header, key in zip(headers, keys):
        candidate = _preset_candidate(preset, key) if preset is not None else None
        candidates.append(candidate or _generic_candidate(header))
    _reconsider(candidates)
    return _assign(candidates, headers)


def mapping_fields(guesses: Sequence[ColumnGuess]) -> list[str]:
    """Return the field of each guess, in column order."""
    return [g.field for g in guesses]


_EVENT_EVIDENCE = frozenset({"event_type", "order_id", "amount", "item_name"})


def guess_kind(fields: Sequence[str], preset: Preset | None = None) -> Kind:
    """Return what a mapped file holds.

    A preset decides by itself.  Otherwise the file holds events when the
    mapping has ``occurred_at`` plus one of event_type, order_id, amount or
    item_name; anything else is contacts.  The columns can only suggest
    events: the import then asks the rows for evidence (see
    ``importing.evidence``) before reading a file as events.
    """
    if preset is not None:
        return preset.kind
    present = set(fields)
    if present & {"occurred_at", "occurred_time"} and present & _EVENT_EVIDENCE:
        return Kind.EVENTS
    return Kind.CONTACTS


# --------------------------------------------------------------------------
# channel
# --------------------------------------------------------------------------

# Product names say more than generic words, so they are tried first.
_VENDOR_WORDS: tuple[tuple[str, str], ...] = (
    ("mailchimp", "email"), ("klaviyo", "email"), ("sendinblue", "email"), ("brevo", "email"),
    ("mailerlite", "email"), ("convertkit", "email"), ("substack", "email"),
    ("shopify", "shop"), ("woocommerce", "shop"), ("etsy", "shop"), ("bigcommerce", "shop"),
    ("squarespace", "shop"), ("wix", "shop"),
    ("square", "pos"), ("squareup", "pos"), ("sumup", "pos"), ("zettle", "pos"),
    ("izettle", "pos"), ("lightspeed", "pos"), ("clover", "pos"), ("toast", "pos"),
    ("facebook", "social"), ("instagram", "social"), ("meta", "social"), ("tiktok", "social"),
    ("linkedin", "social"),
    ("twilio", "sms"), ("textmagic", "sms"),
    ("outlook", "contacts"), ("vcard", "contacts"), ("vcf", "contacts"), ("icloud", "contacts"),
    ("gmail", "contacts"),
    ("analytics", "web"), ("typeform", "web"), ("wordpress", "web"),
)
_GENERIC_WORDS: tuple[tuple[str, str], ...] = (
    ("newsletter", "email"), ("mailing", "email"), ("email", "email"),
    ("sms", "sms"), ("text", "sms"), ("texts", "sms"),
    ("pos", "pos"), ("till", "pos"), ("receipt", "pos"), ("receipts", "pos"), ("store", "pos"),
    ("register", "pos"), ("instore", "pos"),
    ("leads", "social"), ("lead", "social"), ("fb", "social"), ("ig", "social"),
    ("social", "social"),
    ("shop", "shop"), ("webshop", "shop"), ("eshop", "shop"), ("orders", "shop"),
    ("order", "shop"), ("ecommerce", "shop"),
    ("contacts", "contacts"), ("phone", "contacts"), ("addressbook", "contacts"),
    ("web", "web"), ("site", "web"), ("website", "web"), ("visits", "web"), ("signups", "web"),
    ("form", "web"), ("forms", "web"), ("jotform", "web"), ("submissions", "web"),
    # A list's words say less than a medium's: "sms_subscribers" is an SMS list, and only
    # a file that names no medium is taken for the email list these words usually mean.
    ("subscribers", "email"), ("subscriber", "email"), ("audience", "email"),
)
# Header words only a few sources use.
_HEADER_CLUES: tuple[tuple[str, str], ...] = (
    ("lineitem", "shop"), ("fulfillment", "shop"), ("shipping", "shop"),
    ("receipt", "pos"), ("till", "pos"), ("register", "pos"), ("cashier", "pos"),
    ("adset", "social"), ("ad id", "social"), ("form id", "social"), ("lead", "social"),
    ("unsub", "email"), ("optin", "email"), ("opt in", "email"), ("subscriber", "email"),
    ("newsletter", "email"), ("opened at", "email"), ("klaviyo", "email"),
    ("page url", "web"), ("landing page", "web"), ("pageviews", "web"), ("referrer", "web"),
    ("utm", "web"),
    ("group membership", "contacts"), ("file as", "contacts"),
)


def _channel_from_words(words: list[str], table: tuple[tuple[str, str], ...]) -> str | None:
    compact = "".join(words)
    for word, channel in table:
        if word in words:
            return channel
    for word, channel in table:
        # Run-together names ("mailchimpexport") only for unmistakable words.
        if len(word) >= 6 and word in compact:
            return channel
    return None


def guess_channel(file_name: str, headers: Sequence[str], preset: Preset | None) -> str:
    """Return the CHANNELS key a file most likely comes from.

    The preset's channel if there is one; otherwise product names in the file
    name, then telling words in the file name ("newsletter", "till",
    "leads", ...), then telling header words; "other" when nothing says.
    """
    if preset is not None:
        return preset.channel
    stem = PurePath(file_name or "").stem
    words = _words(header_key(stem))
    for table in (_VENDOR_WORDS, _GENERIC_WORDS):
        found = _channel_from_words(words, table)
        if found is not None:
            return found
    keys = _keys(headers)
    for clue, channel in _HEADER_CLUES:
        pattern = re.compile(rf"\b{re.escape(clue)}\b")
        if any(pattern.search(k) for k in keys):
            return channel
    return "other"
