"""Deterministic channel exports for the demo workspace.

The demo shop is "Harbor & Pine", an independent coffee, tea and homeware
shop in Portland, Maine, selling online (Shopify), at the till, by email
(Mailchimp), SMS, Instagram/Facebook lead forms and through the owner's own
phone contacts.  :func:`write_demo_files` invents ``customers`` distinct people,
spreads them over those channels with realistic overlap and writes each
channel's export in its vendor's real format, so the demo workspace is built by
the same import path a real shop would use.  With ``labels=True`` it also
writes the ground truth (which person is behind each record), which the
identity-resolution benchmark scores against.

Each vendor's files come from a module of their own (``shopify``,
``mailchimp``, ``till``, ``leads``, ``lists``), drawing on the people
(``people``) and the year of online orders (``world``) they share; ``shared``
holds the file names, headers, word lists and helpers all of them use.

Everything comes from ``random.Random`` instances seeded with strings derived
from ``seed`` (string seeds are hashed with SHA-512, so they do not depend on
``PYTHONHASHSEED``), and no set is ever iterated, so the same arguments always
give byte-identical files.

Noise model.  People do not type themselves the same way twice; the rates
below are per rendered record unless they say "per person":

* Email case: 4 % of rendered addresses get a capitalised local part or an
  upper-cased domain (8 % in lead forms, where phone keyboards capitalise);
  2 % get stray leading or trailing whitespace (never in Mailchimp, which
  trims on input).
* Work vs personal email: 18 % of US people (per person) have a work address
  and use it, instead of their personal one, in each channel with
  probability 0.35; 3 % of those are on the Mailchimp list twice.
* Nicknames: 55 % of people whose name has a short form (Robert -> Bob, Kate,
  Bill, Liz ...) go by it; they show it in 45 % of shop/email records and
  70-95 % of till, lead-form, SMS and phone-contact records.  Everyone else
  shows a nickname 3 % of the time.
* Typos: each name part has a 1.2 % chance of one edit (substitution with a
  neighbouring key, deletion, transposition or doubling).
* Accents: José, Zoë, Côté ... lose their accents in 30-60 % of records,
  depending on how the channel was typed.
* Case and layout: 15 % of loyalty members are on the till in capitals
  ("SMITH, JOHN"); 8 % of lead-form names are all lower case; the till and
  its receipts write "Last, First".
* Phone formats differ per channel (E.164 in Shopify's Phone column and Meta,
  "(207) 555-0142", "207.555.0142", "+1 207 555 0142", "2075550142" ...); 8 %
  of people (per person) have no mobile at all and many records omit it.
* Missing fields at channel-typical rates (phone in 45 % of Shopify accounts,
  email in 30 % of loyalty members, last name in 15 % of phone contacts ...).
* Shared family email: one household of two per ~70 customers (same surname
  and address, different first names), both using one address, e.g.
  "thegarcias@example.net".  Channels that key on email
  (Shopify, Mailchimp) hold the address once; the other family member shows
  up there under their own address.
* Same-name strangers: one group of two or three unrelated people per ~150
  customers shares a very common full name ("John Smith") but not emails,
  phones or towns.

Contact data is fictional by construction: US numbers are in the
NPA-555-0100..0199 range reserved for fiction, spread over real area codes;
European numbers use Ofcom's drama ranges for London and Bristol
(020 7946 0xxx, 0117 496 0xxx), ARCEP's fiction numbers (01 99 00 xx xx,
04 99 00 xx xx) and the German Bundesnetzagentur film numbers, all of them
valid numbers to phonenumbers, so they import written the national way too;
Dutch customers have no phone.  The US blocks hold about 10,900
numbers, so past roughly 10,000 customers later people simply have no mobile.  Email domains are the reserved
example.com/.net/.org and names under the reserved ``.example`` TLD.  IP
addresses come from the documentation ranges (RFC 5737).
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from omnidesk.core.demo_data.leads import write_meta_leads
from omnidesk.core.demo_data.lists import write_google_contacts, write_sms
from omnidesk.core.demo_data.mailchimp import write_email_activity, write_mailchimp
from omnidesk.core.demo_data.people import build_people
from omnidesk.core.demo_data.shared import (
    CHANNELS,
    CURRENCY,
    DEFAULT_SEED,
    DEFAULT_TODAY,
    demo_today,
    EMAIL_ACTIVITY_FILE,
    EMAIL_ACTIVITY_HEADER,
    GOOGLE_CONTACTS_FILE,
    GOOGLE_CONTACTS_HEADER,
    GOOGLE_MULTI_SEPARATOR,
    HOME_REGION,
    LABELS_FILE,
    LABELS_HEADER,
    MAILCHIMP_SUBSCRIBED_HEADER,
    MAILCHIMP_UNSUBSCRIBED_HEADER,
    MAINE_SALES_TAX,
    META_LEADS_HEAD,
    META_LEADS_TAIL,
    SHOP_NAME,
    SHOPIFY_CUSTOMERS_FILE,
    SHOPIFY_CUSTOMERS_HEADER,
    SHOPIFY_ORDER_LINE_COLUMNS,
    SHOPIFY_ORDERS_FILE,
    SHOPIFY_ORDERS_HEADER,
    SMS_FILE,
    SMS_HEADER,
    TILL_MEMBERS_FILE,
    TILL_MEMBERS_HEADER,
    TILL_TRANSACTIONS_FILE,
    TILL_TRANSACTIONS_HEADER,
    DemoFile,
    FileFormat,
    Labels,
    file_format,
    resource_dir,
    word_lines,
    word_rows,
    write_export,
)
from omnidesk.core.demo_data.shopify import write_shopify
from omnidesk.core.demo_data.till import write_till
from omnidesk.core.demo_data.world import World

__all__ = [
    "CHANNELS", "CURRENCY", "DEFAULT_SEED", "DEFAULT_TODAY", "EMAIL_ACTIVITY_FILE", "EMAIL_ACTIVITY_HEADER",
    "GOOGLE_CONTACTS_FILE", "GOOGLE_CONTACTS_HEADER", "GOOGLE_MULTI_SEPARATOR", "HOME_REGION", "LABELS_FILE",
    "LABELS_HEADER", "MAILCHIMP_SUBSCRIBED_HEADER", "MAILCHIMP_UNSUBSCRIBED_HEADER", "MAINE_SALES_TAX",
    "META_LEADS_HEAD", "META_LEADS_TAIL", "SHOP_NAME", "SHOPIFY_CUSTOMERS_FILE", "SHOPIFY_CUSTOMERS_HEADER",
    "SHOPIFY_ORDER_LINE_COLUMNS", "SHOPIFY_ORDERS_FILE", "SHOPIFY_ORDERS_HEADER", "SMS_FILE", "SMS_HEADER",
    "TILL_MEMBERS_FILE", "TILL_MEMBERS_HEADER", "TILL_TRANSACTIONS_FILE", "TILL_TRANSACTIONS_HEADER",
    "DemoFile", "FileFormat", "file_format", "resource_dir", "word_lines", "word_rows", "write_demo_files",
]


def write_demo_files(directory: Path, customers: int = 300, seed: int = DEFAULT_SEED,
                     today: date | None = None, labels: bool = False) -> list[DemoFile]:
    """Write the demo shop's channel exports into ``directory`` and describe them.

    ``customers`` distinct people are spread over the channels; events span the
    365 days before ``today`` (default: :func:`demo_today`, this computer's today unless
    ``OMNIDESK_DEMO_TODAY`` fixes it).  The same arguments on the same day always produce
    byte-identical files.  With ``labels``,
    ``labels.csv`` (file, record_no, person_id) names the person behind every
    record of every contacts file and every event record that identifies
    someone; it is not in the returned list.
    """
    if customers < 1:
        raise ValueError("customers must be at least 1")
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    today = today or demo_today()
    world = World(
        people=build_people(customers, seed), today=today,
        start=today - timedelta(days=365), end=today - timedelta(days=1),
        seed=seed, labels=Labels(),
    )

    vip = write_shopify(world, directory)
    mailchimp_files, members, campaigns = write_mailchimp(world, directory, vip)
    write_email_activity(world, directory, members, campaigns)
    write_till(world, directory)
    lead_files = write_meta_leads(world, directory)
    write_sms(world, directory)
    write_google_contacts(world, directory)

    files = [
        DemoFile(directory / SHOPIFY_CUSTOMERS_FILE, "shop", "contacts", "shopify_customers",
                 f"Shopify customers export from the {SHOP_NAME} online shop"),
        DemoFile(directory / SHOPIFY_ORDERS_FILE, "shop", "events", "shopify_orders",
                 "Shopify orders export, one row per line item"),
        *mailchimp_files,
        DemoFile(directory / EMAIL_ACTIVITY_FILE, "email", "events", None,
                 "Email campaign activity: sends, opens and clicks"),
        DemoFile(directory / TILL_TRANSACTIONS_FILE, "pos", "events", None,
                 "Till receipts (semicolon-separated, Windows-1252, dd/mm/yyyy, decimal commas)"),
        DemoFile(directory / TILL_MEMBERS_FILE, "pos", "contacts", None,
                 "Till loyalty card members (semicolon-separated, Windows-1252)"),
        *lead_files,
        DemoFile(directory / SMS_FILE, "sms", "contacts", None, "SMS marketing list"),
        DemoFile(directory / GOOGLE_CONTACTS_FILE, "contacts", "contacts", "google_contacts",
                 "The owner's phone contacts, exported from Google Contacts"),
    ]
    if labels:
        write_export(directory / LABELS_FILE, LABELS_HEADER,
               [[f, str(n), pid] for f, n, pid in world.labels.rows], lineterminator="\n")
    return files
