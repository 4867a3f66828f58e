"""What every writer of the demo shop shares: file names and headers, word lists, chance, the shop's clock, CSV output.

Resources (names, streets, products) come from ``resources/demo``.  Files are
written as their vendors write them (see :func:`write_export`), not through the
injection-safe writer: they are input for the importer, and a formula guard
would make them unlike the real exports.
"""

from __future__ import annotations

import csv
import io
import random
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from pathlib import Path

from omnidesk.core import paths

SHOP_NAME = "Harbor & Pine"
DEFAULT_SEED = 20260101
DEFAULT_TODAY = date(2026, 11, 1)  # what the tests build on (OMNIDESK_DEMO_TODAY, set by their conftest)


def demo_today() -> date:
    """The day a demo's year of activity ends on: ``OMNIDESK_DEMO_TODAY`` (YYYY-MM-DD) when set
    (the tests and benchmarks fix it, so a demo is the same every day), else this computer's
    today, so a new user's Dashboard ("the last 12 months") shows the demo's year whenever it
    is built."""
    import os

    given = os.environ.get("OMNIDESK_DEMO_TODAY")
    return date.fromisoformat(given) if given else date.today()
CURRENCY = "USD"
HOME_REGION = "ME"
MAINE_SALES_TAX = Decimal("0.055")

CHANNELS = ("shop", "email", "pos", "social", "sms", "contacts")

SHOPIFY_CUSTOMERS_FILE = "customers_export.csv"
SHOPIFY_ORDERS_FILE = "orders_export.csv"
EMAIL_ACTIVITY_FILE = "email_activity.csv"
TILL_TRANSACTIONS_FILE = "till_transactions.csv"
TILL_MEMBERS_FILE = "till_loyalty_members.csv"
SMS_FILE = "sms_subscribers.csv"
GOOGLE_CONTACTS_FILE = "contacts.csv"
LABELS_FILE = "labels.csv"

SHOPIFY_CUSTOMERS_HEADER = (
    "Customer ID", "First Name", "Last Name", "Email", "Accepts Email Marketing",
    "Default Address Company", "Default Address Address1", "Default Address Address2",
    "Default Address City", "Default Address Province Code", "Default Address Country Code",
    "Default Address Zip", "Default Address Phone", "Phone", "Accepts SMS Marketing",
    "Total Spent", "Total Orders", "Note", "Tax Exempt", "Tags",
    "Loyalty tier (customer.metafields.custom.tier)",
)

SHOPIFY_ORDERS_HEADER = (
    "Name", "Email", "Financial Status", "Paid at", "Fulfillment Status", "Fulfilled at",
    "Accepts Marketing", "Currency", "Subtotal", "Shipping", "Taxes", "Total",
    "Discount Code", "Discount Amount", "Shipping Method", "Created at",
    "Lineitem quantity", "Lineitem name", "Lineitem price", "Lineitem compare at price",
    "Lineitem sku", "Lineitem requires shipping", "Lineitem taxable",
    "Lineitem fulfillment status", "Billing Name", "Billing Street", "Billing Address1",
    "Billing Address2", "Billing Company", "Billing City", "Billing Zip",
    "Billing Province", "Billing Country", "Billing Phone",
)
# Columns Shopify fills on every line-item row of an order; the rest are only
# on the order's first row.
SHOPIFY_ORDER_LINE_COLUMNS = (
    "Name", "Lineitem quantity", "Lineitem name", "Lineitem price",
    "Lineitem compare at price", "Lineitem sku", "Lineitem requires shipping",
    "Lineitem taxable", "Lineitem fulfillment status",
)

_MAILCHIMP_MERGE = ("Email Address", "First Name", "Last Name", "Phone Number", "Birthday")
_MAILCHIMP_SYSTEM = (
    "MEMBER_RATING", "OPTIN_TIME", "OPTIN_IP", "CONFIRM_TIME", "CONFIRM_IP",
    "LATITUDE", "LONGITUDE", "GMTOFF", "DSTOFF", "TIMEZONE", "CC", "REGION",
)
_MAILCHIMP_UNSUB = (
    "UNSUB_TIME", "UNSUB_CAMPAIGN_TITLE", "UNSUB_CAMPAIGN_ID", "UNSUB_REASON",
    "UNSUB_REASON_OTHER",
)
_MAILCHIMP_TAIL = ("LEID", "EUID", "NOTES", "TAGS")
MAILCHIMP_SUBSCRIBED_HEADER = _MAILCHIMP_MERGE + _MAILCHIMP_SYSTEM + ("LAST_CHANGED",) + _MAILCHIMP_TAIL
# The unsubscribed export carries the unsubscribe facts where the subscribed
# one has LAST_CHANGED.
MAILCHIMP_UNSUBSCRIBED_HEADER = _MAILCHIMP_MERGE + _MAILCHIMP_SYSTEM + _MAILCHIMP_UNSUB + _MAILCHIMP_TAIL

EMAIL_ACTIVITY_HEADER = ("Email", "Campaign", "Action", "Timestamp")
TILL_TRANSACTIONS_HEADER = (
    "Date", "Time", "Receipt No", "Customer", "Mobile", "Loyalty Card", "Items", "Total",
)
TILL_MEMBERS_HEADER = (
    "Card No", "Customer Name", "Mobile", "E-mail address", "Date of birth", "Signed up",
)
SMS_HEADER = ("Phone", "First name", "Opted in", "Opt-in date")

META_LEADS_HEAD = (
    "id", "created_time", "ad_id", "ad_name", "adset_id", "adset_name", "campaign_id",
    "campaign_name", "form_id", "form_name", "is_organic", "platform",
)
META_LEADS_TAIL = ("email", "full_name", "phone_number", "zip_code", "lead_status")

GOOGLE_CONTACTS_HEADER = (
    "First Name", "Middle Name", "Last Name", "Phonetic First Name", "Phonetic Middle Name",
    "Phonetic Last Name", "Name Prefix", "Name Suffix", "Nickname", "File As",
    "Organization Name", "Organization Title", "Organization Department", "Birthday",
    "Notes", "Photo", "Labels",
    "E-mail 1 - Label", "E-mail 1 - Value", "E-mail 2 - Label", "E-mail 2 - Value",
    "Phone 1 - Label", "Phone 1 - Value", "Phone 2 - Label", "Phone 2 - Value",
    "Address 1 - Label", "Address 1 - Formatted", "Address 1 - Street", "Address 1 - City",
    "Address 1 - PO Box", "Address 1 - Region", "Address 1 - Postal Code",
    "Address 1 - Country", "Address 1 - Extended Address",
)
GOOGLE_MULTI_SEPARATOR = " ::: "

LABELS_HEADER = ("file", "record_no", "person_id")


@dataclass(frozen=True)
class DemoFile:
    """One written export: where it is and how the importer should read it."""

    path: Path
    channel: str
    kind: str
    preset: str | None
    description: str


@dataclass(frozen=True)
class FileFormat:
    """How a demo file is encoded, for readers and tests."""

    encoding: str
    delimiter: str


# Encoding and delimiter of every file by name pattern; Meta lead files are
# the ones starting "leads_", Mailchimp's carry the list id in their names.
def file_format(name: str) -> FileFormat:
    """Return the encoding and delimiter :func:`write_demo_files` used for ``name``."""
    if name.startswith("leads_"):
        return FileFormat("utf-16", "\t")
    if name.startswith("till_"):
        return FileFormat("cp1252", ";")
    return FileFormat("utf-8", ",")


def resource_dir() -> Path:
    """Directory holding the demo word lists, in a checkout, an installed package or a bundled app."""
    return paths.resource_path("demo")


@lru_cache(maxsize=None)
def word_rows(name: str) -> tuple[dict[str, str], ...]:
    with open(resource_dir() / name, encoding="utf-8", newline="") as fh:
        return tuple(csv.DictReader(fh))


@lru_cache(maxsize=None)
def word_lines(name: str) -> tuple[str, ...]:
    text = (resource_dir() / name).read_text(encoding="utf-8")
    return tuple(line.strip() for line in text.splitlines() if line.strip())


@dataclass(frozen=True)
class Product:
    sku: str
    name: str
    price: Decimal
    category: str
    taxable: bool
    shipping: bool


@lru_cache(maxsize=None)
def catalogue() -> tuple[Product, ...]:
    return tuple(
        Product(r["sku"], r["name"], Decimal(r["price"]), r["category"],
                 r["taxable"] == "true", r["shipping"] == "true")
        for r in word_rows("products.csv")
    )


def weighted(rng: random.Random, items, weights):
    return rng.choices(items, weights=weights, k=1)[0]


def strip_accents(text: str) -> str:
    text = text.replace("ø", "o").replace("Ø", "O").replace("ß", "ss")
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def ascii_slug(text: str) -> str:
    return "".join(c for c in strip_accents(text).lower() if c.isalnum())


def money_text(value: Decimal) -> str:
    return str(value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def comma_money(value: Decimal) -> str:
    return money_text(value).replace(".", ",")


def apostrophe_guard(value: str) -> str:
    # Shopify prefixes numbers a spreadsheet would mangle with an apostrophe.
    return f"'{value}" if value[:1] == "0" else value


def to_cp1252(text: str) -> str:
    try:
        text.encode("cp1252")
        return text
    except UnicodeEncodeError:
        return "".join(c if _encodable(c) else strip_accents(c) or "?" for c in text)


def _encodable(char: str) -> bool:
    try:
        char.encode("cp1252")
        return True
    except UnicodeEncodeError:
        return False


def _nth_sunday(year: int, month: int, n: int) -> date:
    d = date(year, month, 1)
    d += timedelta(days=(6 - d.weekday()) % 7)
    return d + timedelta(weeks=n - 1)


def _eastern_offset(local: datetime) -> int:
    """UTC offset in hours of US Eastern local time ``local`` (the shop's clock)."""
    start = datetime.combine(_nth_sunday(local.year, 3, 2), datetime.min.time()).replace(hour=2)
    end = datetime.combine(_nth_sunday(local.year, 11, 1), datetime.min.time()).replace(hour=2)
    return -4 if start <= local < end else -5


def to_utc(local: datetime) -> datetime:
    return local - timedelta(hours=_eastern_offset(local))


def shopify_time(local: datetime) -> str:
    off = _eastern_offset(local)
    return f"{local:%Y-%m-%d %H:%M:%S} {'-' if off < 0 else '+'}{abs(off):02d}00"


def random_day(rng: random.Random, start: date, end: date) -> date:
    return start + timedelta(days=rng.randint(0, (end - start).days))


def moment_on(day: date, rng: random.Random, hours: tuple[int, ...], weights: tuple[int, ...]) -> datetime:
    hour = weighted(rng, hours, weights)
    return datetime(day.year, day.month, day.day, hour, rng.randint(0, 59), rng.randint(0, 59))


ONLINE_HOURS = tuple(range(24))
ONLINE_WEIGHTS = (1, 1, 1, 1, 1, 1, 2, 4, 5, 6, 6, 6, 7, 6, 5, 5, 5, 6, 7, 9, 10, 9, 6, 3)
TILL_HOURS = tuple(range(8, 19))
TILL_WEIGHTS = (5, 8, 9, 10, 11, 10, 9, 9, 8, 7, 4)


def doc_ip(rng: random.Random) -> str:
    return f"{rng.choice(('192.0.2', '198.51.100', '203.0.113'))}.{rng.randint(1, 254)}"


class Labels:
    def __init__(self) -> None:
        self.rows: list[tuple[str, int, str]] = []

    def add(self, file: str, record_no: int, pid: str) -> None:
        self.rows.append((file, record_no, pid))


def write_export(path: Path, header, rows, *, encoding: str = "utf-8", delimiter: str = ",",
           lineterminator: str = "\r\n", quoting: int = csv.QUOTE_MINIMAL) -> None:
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, delimiter=delimiter, lineterminator=lineterminator, quoting=quoting)
    writer.writerow(header)
    writer.writerows(rows)
    text = buf.getvalue()
    if encoding == "utf-16":
        # Spell the byte order out: Python's "utf-16" codec follows the host.
        data = b"\xff\xfe" + text.encode("utf-16-le")
    else:
        data = text.encode(encoding)
    path.write_bytes(data)
