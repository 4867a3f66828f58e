"""Tests for export-format detection and column guessing."""

from __future__ import annotations

import random

import pytest

from omnidesk.core.importing.fields import CHANNELS, FIELDS_BY_NAME, IGNORE, Kind
from omnidesk.core.importing.vcard import VCardLayout
from omnidesk.core.importing.presets import (
    PRESETS,
    ColumnGuess,
    Preset,
    detect_preset,
    get_preset,
    guess_channel,
    guess_kind,
    guess_mapping,
    header_key,
    header_signature,
    mapping_fields,
)

# --------------------------------------------------------------------------
# realistic headers, as the vendors write them
# --------------------------------------------------------------------------

SHOPIFY_CUSTOMERS = (
    "Customer ID,First Name,Last Name,Email,Accepts Email Marketing,Default Address Company,"
    "Default Address Address1,Default Address Address2,Default Address City,"
    "Default Address Province Code,Default Address Country Code,Default Address Zip,"
    "Default Address Phone,Phone,Accepts SMS Marketing,Total Spent,Total Orders,Note,Tax Exempt,Tags"
).split(",")

SHOPIFY_CUSTOMERS_EXTRA = SHOPIFY_CUSTOMERS + [
    "Accepts WhatsApp Marketing",
    "Birth Date (customer.metafields.facts.birth_date)",
    "Loyalty tier (customer.metafields.custom.tier)",
]

SHOPIFY_CUSTOMERS_OLD = (
    "First Name,Last Name,Email,Company,Address1,Address2,City,Province,Province Code,Country,"
    "Country Code,Zip,Phone,Accepts Marketing,Total Spent,Total Orders,Tags,Note,Tax Exempt"
).split(",")

SHOPIFY_ORDERS = (
    "Name,Email,Financial Status,Paid at,Fulfillment Status,Fulfilled at,Accepts Marketing,Currency,"
    "Subtotal,Shipping,Taxes,Total,Discount Code,Discount Amount,Shipping Method,Created at,"
    "Lineitem quantity,Lineitem name,Lineitem price,Lineitem compare at price,Lineitem sku,"
    "Lineitem requires shipping,Lineitem taxable,Lineitem fulfillment status,Billing Name,"
    "Billing Street,Billing Address1,Billing Address2,Billing Company,Billing City,Billing Zip,"
    "Billing Province,Billing Country,Billing Phone,Shipping Name,Shipping Street,Shipping Address1,"
    "Shipping Address2,Shipping Company,Shipping City,Shipping Zip,Shipping Province,Shipping Country,"
    "Shipping Phone,Notes,Note Attributes,Cancelled at,Payment Method,Payment Reference,"
    "Refunded Amount,Vendor,Outstanding Balance,Employee,Location,Device ID,Id,Tags,Risk Level,Source,"
    "Lineitem discount,Tax 1 Name,Tax 1 Value,Tax 2 Name,Tax 2 Value,Phone,Receipt Number,Duties,"
    "Billing Province Name,Shipping Province Name,Payment ID,Payment Terms Name,Next Payment Due At"
).split(",")

_MC_HEAD = ["Email Address", "First Name", "Last Name", "Address", "Phone Number", "Birthday", "Interests"]
_MC_TAIL = [
    "MEMBER_RATING", "OPTIN_TIME", "OPTIN_IP", "CONFIRM_TIME", "CONFIRM_IP", "LATITUDE", "LONGITUDE",
    "GMTOFF", "DSTOFF", "TIMEZONE", "CC", "REGION",
]
_MC_IDS = ["LEID", "EUID", "NOTES", "TAGS"]
MAILCHIMP_SUBSCRIBED = _MC_HEAD + _MC_TAIL + ["LAST_CHANGED"] + _MC_IDS
MAILCHIMP_UNSUBSCRIBED = _MC_HEAD + _MC_TAIL + [
    "UNSUB_TIME", "UNSUB_CAMPAIGN_TITLE", "UNSUB_CAMPAIGN_ID", "UNSUB_REASON", "UNSUB_REASON_OTHER",
] + _MC_IDS
MAILCHIMP_CLEANED = _MC_HEAD + _MC_TAIL + ["CLEAN_TIME", "CLEAN_CAMPAIGN_TITLE", "CLEAN_CAMPAIGN_ID"] + _MC_IDS

GOOGLE_CONTACTS = (
    "First Name,Middle Name,Last Name,Phonetic First Name,Phonetic Middle Name,Phonetic Last Name,"
    "Name Prefix,Name Suffix,Nickname,File As,Organization Name,Organization Title,"
    "Organization Department,Birthday,Notes,Photo,Labels,E-mail 1 - Label,E-mail 1 - Value,"
    "E-mail 2 - Label,E-mail 2 - Value,Phone 1 - Label,Phone 1 - Value,Phone 2 - Label,"
    "Phone 2 - Value,Phone 3 - Label,Phone 3 - Value,Address 1 - Label,Address 1 - Formatted,"
    "Address 1 - Street,Address 1 - City,Address 1 - PO Box,Address 1 - Region,"
    "Address 1 - Postal Code,Address 1 - Country,Address 1 - Extended Address,Address 2 - Label,"
    "Address 2 - Formatted,Address 2 - Street,Address 2 - City,Address 2 - Postal Code,"
    "Relation 1 - Label,Relation 1 - Value,Website 1 - Label,Website 1 - Value,Event 1 - Label,"
    "Event 1 - Value,Custom Field 1 - Label,Custom Field 1 - Value"
).split(",")

GOOGLE_CONTACTS_LEGACY = (
    "Name,Given Name,Additional Name,Family Name,Yomi Name,Given Name Yomi,Additional Name Yomi,"
    "Family Name Yomi,Name Prefix,Name Suffix,Initials,Nickname,Short Name,Maiden Name,Birthday,"
    "Gender,Location,Billing Information,Directory Server,Mileage,Occupation,Hobby,Sensitivity,"
    "Priority,Subject,Notes,Language,Photo,Group Membership,E-mail 1 - Type,E-mail 1 - Value,"
    "E-mail 2 - Type,E-mail 2 - Value,IM 1 - Type,IM 1 - Service,IM 1 - Value,Phone 1 - Type,"
    "Phone 1 - Value,Phone 2 - Type,Phone 2 - Value,Address 1 - Type,Address 1 - Formatted,"
    "Address 1 - Street,Address 1 - City,Address 1 - PO Box,Address 1 - Region,"
    "Address 1 - Postal Code,Address 1 - Country,Address 1 - Extended Address,Organization 1 - Type,"
    "Organization 1 - Name,Organization 1 - Yomi Name,Organization 1 - Title,"
    "Organization 1 - Department,Website 1 - Type,Website 1 - Value"
).split(",")

OUTLOOK = (
    "Title,First Name,Middle Name,Last Name,Suffix,Company,Department,Job Title,Business Street,"
    "Business Street 2,Business Street 3,Business City,Business State,Business Postal Code,"
    "Business Country/Region,Home Street,Home Street 2,Home Street 3,Home City,Home State,"
    "Home Postal Code,Home Country/Region,Other Street,Other Street 2,Other Street 3,Other City,"
    "Other State,Other Postal Code,Other Country/Region,Assistant's Phone,Business Fax,Business Phone,"
    "Business Phone 2,Callback,Car Phone,Company Main Phone,Home Fax,Home Phone,Home Phone 2,ISDN,"
    "Mobile Phone,Other Fax,Other Phone,Pager,Primary Phone,Radio Phone,TTY/TDD Phone,Telex,Account,"
    "Anniversary,Assistant's Name,Billing Information,Birthday,Business Address PO Box,Categories,"
    "Children,Directory Server,E-mail Address,E-mail Type,E-mail Display Name,E-mail 2 Address,"
    "E-mail 2 Type,E-mail 2 Display Name,E-mail 3 Address,E-mail 3 Type,E-mail 3 Display Name,"
    "Gender,Government ID Number,Hobby,Home Address PO Box,Initials,Internet Free Busy,Keywords,"
    "Language,Location,Manager's Name,Mileage,Notes,Office Location,Organizational ID Number,"
    "Other Address PO Box,Priority,Private,Profession,Referred By,Sensitivity,Spouse,User 1,User 2,"
    "User 3,User 4,Web Page"
).split(",")

OUTLOOK_COM = (
    "First Name,Middle Name,Last Name,Title,Suffix,Nickname,Given Yomi,Surname Yomi,E-mail Address,"
    "E-mail 2 Address,E-mail 3 Address,Home Phone,Home Phone 2,Business Phone,Business Phone 2,"
    "Mobile Phone,Car Phone,Other Phone,Primary Phone,Pager,Business Fax,Home Fax,Other Fax,"
    "Company Main Phone,Callback,Radio Phone,Telex,TTY/TDD Phone,IMAddress,Job Title,Department,"
    "Company,Office Location,Manager's Name,Assistant's Name,Assistant's Phone,Company Yomi,"
    "Business Street,Business City,Business State,Business Postal Code,Business Country/Region,"
    "Home Street,Home City,Home State,Home Postal Code,Home Country/Region,Other Street,Other City,"
    "Other State,Other Postal Code,Other Country/Region,Personal Web Page,Spouse,Schools,Hobby,"
    "Location,Web Page,Birthday,Anniversary,Notes"
).split(",")

META_LEADS = [
    "id", "created_time", "ad_id", "ad_name", "adset_id", "adset_name", "campaign_id",
    "campaign_name", "form_id", "form_name", "is_organic", "platform",
    "what_are_you_interested_in?", "when_would_you_like_to_visit?", "email", "full_name",
    "phone_number", "zip_code", "city", "lead_status",
]

KLAVIYO = [
    "Email", "Klaviyo ID", "First Name", "Last Name", "Phone Number", "City", "State / Region",
    "Country", "Zip Code", "Source", "Email Marketing Consent", "SMS Consent",
    "Profile Created On", "Date Added", "Favourite Product",
]

SQUARE = [
    "Reference ID", "Given Name", "Family Name", "Nickname", "Company Name", "Email Address",
    "Phone Number", "Street Address 1", "Street Address 2", "City", "State", "Postal Code",
    "Birthday", "Memo", "First Visit", "Last Visit", "Transaction Count", "Total Spend",
    "Email Subscription Status", "Creation Source", "Instant Profile",
]

SQUARE_DIRECTORY = [
    "Reference ID", "First Name", "Last Name", "Email Address", "Phone Number", "Nickname",
    "Company Name", "Street Address 1", "Street Address 2", "City", "State", "Postal Code",
    "Birthday", "Memo", "Square Customer ID", "Creation Source", "First Visit", "Last Visit",
    "Transaction Count", "Lifetime Spend", "Email Subscription Status", "Instant Profile",
    "Blocked from online booking",
]

# Square Dashboard > Transactions > Export > Transactions CSV (Square's support article
# "Export your transactions"): one row per payment or refund.
SQUARE_TRANSACTIONS = [
    "Date", "Time", "Time Zone", "Gross Sales", "Discounts", "Service Charges", "Net Sales",
    "Gift Card Sales", "Tax", "Tip", "Partial Refunds", "Total Collected", "Source", "Card",
    "Card Entry Methods", "Cash", "Square Gift Card", "Other Tender", "Other Tender Type",
    "Other Tender Note", "Fees", "Net Total", "Transaction ID", "Payment ID", "Card Brand", "PAN Suffix",
    "Device Name", "Staff Name", "Staff ID", "Details", "Description", "Event Type", "Location",
    "Dining Option", "Customer ID", "Customer Name", "Customer Reference ID", "Device Nickname",
    "Third Party Fees", "Deposit ID", "Deposit Date", "Deposit Details", "Fee Percentage Rate",
    "Fee Fixed Rate", "Refund Reason", "Discount Name", "Transaction Status", "Cash App",
    "Order Reference ID", "Fulfillment Note", "Free Processing Applied", "Channel", "Unattributed Tips",
]

# HubSpot: Contacts › Export (all properties), header as HubSpot's knowledge base shows the
# export ("Export your records"); "Record ID" replaced "Contact ID" in 2021.
HUBSPOT_CONTACTS = [
    "Record ID", "First Name", "Last Name", "Email", "Phone Number", "Mobile Phone Number",
    "Street Address", "City", "State/Region", "Postal Code", "Country/Region", "Company Name",
    "Job Title", "Lifecycle Stage", "Lead Status", "Contact owner", "Create Date",
    "Last Activity Date", "Marketing contact status", "Unsubscribed from all email",
    "Associated Company", "Became a Customer Date",
]

# Zoho CRM: Setup › Data Administration › Export › Contacts (field labels of the Contacts module).
ZOHO_CONTACTS = [
    "Record Id", "Contact Owner", "Lead Source", "First Name", "Last Name", "Account Name", "Email",
    "Title", "Department", "Phone", "Home Phone", "Other Phone", "Fax", "Mobile", "Date of Birth",
    "Assistant", "Asst Phone", "Email Opt Out", "Skype ID", "Created By", "Modified By",
    "Created Time", "Modified Time", "Full Name", "Mailing Street", "Other Street", "Mailing City",
    "Other City", "Mailing State", "Other State", "Mailing Zip", "Other Zip", "Mailing Country",
    "Other Country", "Description", "Salutation", "Secondary Email", "Last Activity Time",
    "Twitter", "Reporting To", "Unsubscribed Mode", "Unsubscribed Time", "Tag",
]

# Salesforce Data Loader export of Contact (API names of the Contact object, as Data Loader
# writes them: upper case).
SALESFORCE_CONTACTS = [
    "ID", "ISDELETED", "MASTERRECORDID", "ACCOUNTID", "LASTNAME", "FIRSTNAME", "SALUTATION", "NAME",
    "MAILINGSTREET", "MAILINGCITY", "MAILINGSTATE", "MAILINGPOSTALCODE", "MAILINGCOUNTRY", "PHONE",
    "FAX", "MOBILEPHONE", "HOMEPHONE", "OTHERPHONE", "EMAIL", "TITLE", "DEPARTMENT", "LEADSOURCE",
    "BIRTHDATE", "DESCRIPTION", "OWNERID", "HASOPTEDOUTOFEMAIL", "HASOPTEDOUTOFFAX", "DONOTCALL",
    "CREATEDDATE", "CREATEDBYID", "LASTMODIFIEDDATE", "LASTACTIVITYDATE", "EMAILBOUNCEDDATE",
    "LOYALTY_TIER__C",
]

# Salesforce Lightning "Contacts & Accounts" report exported as CSV (field labels).
SALESFORCE_REPORT = [
    "Contact Owner", "Salutation", "First Name", "Last Name", "Title", "Account Name",
    "Mailing Street", "Mailing City", "Mailing State/Province", "Mailing Zip/Postal Code",
    "Mailing Country", "Phone", "Mobile", "Fax", "Email", "Email Opt Out", "Contact ID",
    "Created Date",
]

# Stripe Dashboard › Customers › Export, default columns.
STRIPE_CUSTOMERS = [
    "id", "Description", "Email", "Name", "Created (UTC)", "Card ID", "Card Last4", "Card Brand",
    "Card Exp Month", "Card Exp Year", "Card Name", "Card Address Line1", "Card Address Zip",
    "Card Issue Country", "Plan", "Status", "Cancel At Period End", "Account Balance", "Currency",
    "Discount", "Delinquent", "Total Spend", "Payment Count", "Refunded Volume", "Dispute Losses",
    "Business Vat ID", "Address Line1", "Address Line2", "Address City", "Address State",
    "Address Country", "Address Zip", "Shipping Name", "Shipping Address Line1", "Phone",
    "plan_tier (metadata)",
]

# WooCommerce › Customers (the Analytics report), "Download" as CSV.
WOOCOMMERCE_CUSTOMERS = [
    "Name", "Username", "Last Active", "Date Registered", "Email", "Orders", "Total Spend", "AOV",
    "Country / Region", "City", "Region", "Postal Code",
]

# WooCommerce Customer/Order/Coupon Export (the official extension), orders in its
# "Default - One Row per Item" format with human-readable headers.
WOOCOMMERCE_ORDERS = [
    "Order ID", "Order Number", "Order Number (Formatted)", "Order Date", "Order Status",
    "Shipping Total", "Shipping Tax Total", "Fee Total", "Fee Tax Total", "Tax Total",
    "Discount Total", "Order Total", "Refunded Total", "Order Currency", "Payment Method",
    "Shipping Method", "Customer ID", "Billing First Name", "Billing Last Name", "Billing Company",
    "Billing Email Address", "Billing Phone", "Billing Address 1", "Billing Address 2",
    "Billing Postcode", "Billing City", "Billing State", "Billing State Code", "Billing Country",
    "Shipping First Name", "Shipping Last Name", "Shipping Address 1", "Shipping Address 2",
    "Shipping Postcode", "Shipping City", "Shipping State", "Shipping Country", "Customer Note",
    "Item ID", "Item Product ID", "Item Name", "Item SKU", "Item Quantity", "Item Subtotal",
    "Item Total", "Item Refunded", "Coupon Items", "Order Notes",
]

# Advanced Order Export For WooCommerce (algolplus), its default field set.
# The same plugin's "Default" CSV format: lower-case field names, one row per order.
WOOCOMMERCE_DEFAULT = (
    "order_id,order_number,order_number_formatted,order_date,status,shipping_total,shipping_tax_total,"
    "fee_total,fee_tax_total,tax_total,cart_discount,order_discount,discount_total,order_total,refunded_total,"
    "order_currency,payment_method,shipping_method,customer_id,billing_first_name,billing_last_name,"
    "billing_full_name,billing_company,billing_email,billing_phone,billing_address_1,billing_address_2,"
    "billing_postcode,billing_city,billing_state,billing_state_code,billing_country,shipping_first_name,"
    "shipping_last_name,shipping_full_name,shipping_address_1,shipping_address_2,shipping_postcode,"
    "shipping_city,shipping_state,shipping_state_code,shipping_country,shipping_company,customer_note,"
    "line_items,shipping_items,fee_items,tax_items,coupon_items,order_notes,download_permissions_granted"
).split(",")

WOOCOMMERCE_ORDERS_ADVANCED = [
    "Order Number", "Order Status", "Order Date", "Customer Note", "First Name (Billing)",
    "Last Name (Billing)", "Company (Billing)", "Address 1&2 (Billing)", "City (Billing)",
    "State Code (Billing)", "Postcode (Billing)", "Country Code (Billing)", "Email (Billing)",
    "Phone (Billing)", "First Name (Shipping)", "Last Name (Shipping)", "Address 1&2 (Shipping)",
    "City (Shipping)", "State Code (Shipping)", "Postcode (Shipping)", "Country Code (Shipping)",
    "Payment Method Title", "Cart Discount Amount", "Order Subtotal Amount", "Shipping Method Title",
    "Order Shipping Amount", "Order Refund Amount", "Order Total Amount", "Order Total Tax Amount",
    "SKU", "Item #", "Item Name", "Quantity (- Refund)", "Item Cost", "Coupon Code",
    "Discount Amount", "Discount Amount Tax",
]

# Substack › Settings › Subscribers › Export.
SUBSTACK_SUBSCRIBERS = [
    "email", "active_subscription", "expiry", "plan", "email_disabled", "created_at",
    "first_payment_at",
]

# Brevo › Contacts › Export: the account's contact attributes in capitals.
BREVO_CONTACTS = [
    "CONTACT ID", "EMAIL", "FIRSTNAME", "LASTNAME", "SMS", "WHATSAPP", "LANDLINE_NUMBER", "DOUBLE_OPT-IN",
    "OPT_IN", "EMAIL_BLACKLISTED", "SMS_BLACKLISTED", "ADDED_TIME", "MODIFIED_TIME",
]

# LinkedIn › Settings › Get a copy of your data › Connections.csv (below its "Notes:" lines).
LINKEDIN_CONNECTIONS = [
    "First Name", "Last Name", "URL", "Email Address", "Company", "Position", "Connected On",
]

# An SMS gateway's opt-out list: the number, the keyword it replied with, when.
SMS_OPTOUTS = ["Phone Number", "Keyword", "Date"]

# Eventbrite › Reports › Attendee summary, exported as CSV.
EVENTBRITE_ATTENDEES = [
    "Order #", "Order Date", "Prefix", "First Name", "Last Name", "Suffix", "Email", "Event Name",
    "Event ID", "Ticket Type", "Attendee #", "Barcode #", "Buyer Last Name", "Buyer First Name",
    "Buyer Email", "Order Type", "Currency", "Total Paid", "Fees Paid", "Eventbrite Fees",
    "Eventbrite Payment Processing", "Attendee Status", "Home Address 1", "Home Address 2",
    "Home City", "Home State", "Home Zip", "Home Country", "Cell Phone", "Job Title", "Company",
    "Dietary requirements",
]

# Meta Business Suite › All tools › Leads Center › Download (CSV).  Meta publishes no column
# list for it; this is the table's columns as the Leads Center shows them (no lead id), which
# is what third-party importers of this file read.
META_LEADS_CENTER = [
    "Created", "Name", "Email", "Phone number", "Source", "Form", "Channel", "Stage", "Owner",
    "Labels", "what_are_you_interested_in?",
]

# A vCard file (.vcf) as omnidesk/core/importing/vcard.py reads it: a card a row under these
# columns, as many numbered e-mails, phones and addresses as the fullest card has.
VCARD = list(VCardLayout(emails=3, phones=2, addresses=2).header)

FILES = {
    "shopify_customers": SHOPIFY_CUSTOMERS,
    "shopify_orders": SHOPIFY_ORDERS,
    "mailchimp_members": MAILCHIMP_SUBSCRIBED,
    "mailchimp_subscribed": MAILCHIMP_SUBSCRIBED,
    "mailchimp_nonsubscribed": MAILCHIMP_SUBSCRIBED,
    "mailchimp_unsubscribed": MAILCHIMP_UNSUBSCRIBED,
    "mailchimp_cleaned": MAILCHIMP_CLEANED,
    "google_contacts": GOOGLE_CONTACTS,
    "google_contacts_legacy": GOOGLE_CONTACTS_LEGACY,
    "outlook": OUTLOOK,
    "meta_leads": META_LEADS,
    "klaviyo": KLAVIYO,
    "square": SQUARE,
    "square_transactions": SQUARE_TRANSACTIONS,
    "hubspot_contacts": HUBSPOT_CONTACTS,
    "zoho_contacts": ZOHO_CONTACTS,
    "salesforce_contacts": SALESFORCE_CONTACTS,
    "salesforce_contacts_report": SALESFORCE_REPORT,
    "stripe_customers": STRIPE_CUSTOMERS,
    "woocommerce_customers": WOOCOMMERCE_CUSTOMERS,
    "woocommerce_orders": WOOCOMMERCE_ORDERS,
    "woocommerce_orders_advanced": WOOCOMMERCE_ORDERS_ADVANCED,
    "woocommerce_orders_default": WOOCOMMERCE_DEFAULT,
    "substack_subscribers": SUBSTACK_SUBSCRIBERS,
    "brevo_contacts": BREVO_CONTACTS,
    "linkedin_connections": LINKEDIN_CONNECTIONS,
    "eventbrite_attendees": EVENTBRITE_ATTENDEES,
    "meta_leads_center": META_LEADS_CENTER,
    "sms_optouts": SMS_OPTOUTS,
    "vcard": VCARD,
}

VARIANTS = [
    ("shopify_customers", SHOPIFY_CUSTOMERS_EXTRA),
    ("shopify_customers", SHOPIFY_CUSTOMERS_OLD),
    ("outlook", OUTLOOK_COM),
    ("square", SQUARE_DIRECTORY),
]


def by_header(headers, preset=None) -> dict[str, str]:
    return {g.header: g.field for g in guess_mapping(headers, preset)}


def messed_up(headers: list[str], seed: int) -> list[str]:
    """Shuffle, change case and spacing, and add columns nobody knows."""
    rng = random.Random(seed)
    out = [rng.choice([str.upper, str.lower, str.title])(h) for h in headers]
    out = [f"  {h} " if i % 3 == 0 else h for i, h in enumerate(out)]
    out += ["Internal Ref X", "Zzz Custom"]
    rng.shuffle(out)
    out[0] = "\ufeff" + out[0]
    return out


# --------------------------------------------------------------------------
# header keys and signatures
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "key"),
    [
        ("E-mail Address", "e mail address"),
        ("Default Address Zip", "default address zip"),
        ("UNSUB_TIME", "unsub time"),
        ('\ufeff"Email Address"', "email address"),
        ("  Prénom  ", "prenom"),
        ("Straße", "strasse"),
        ("Home Country/Region", "home country region"),
        ("what_are_you_interested_in?", "what are you interested in"),
        ("Manager's Name", "manager s name"),
        ("E-mail 1 - Value", "e mail 1 value"),
        ("D.O.B.", "d o b"),
        ("'Phone #'", "phone"),
        ("Имя", "имя"),
        ("", ""),
    ],
)
def test_header_key(raw, key):
    assert header_key(raw) == key


def test_header_signature_ignores_case_spacing_and_quotes():
    a = header_signature(["Email Address", "First Name", "UNSUB_TIME"])
    b = header_signature(['\ufeff"EMAIL ADDRESS"', " first  name", "Unsub-Time"])
    assert a == b
    assert len(a) == 64 and int(a, 16) >= 0
    assert a == header_signature(("Email Address", "First Name", "UNSUB_TIME"))


def test_header_signature_changes_with_order_and_columns():
    base = header_signature(["Email", "Name"])
    assert base != header_signature(["Name", "Email"])
    assert base != header_signature(["Email", "Name", "Phone"])
    assert base != header_signature(["Email Name"])
    assert header_signature([]) != header_signature([""])


# --------------------------------------------------------------------------
# preset table
# --------------------------------------------------------------------------


def test_preset_table_is_consistent():
    assert len({p.key for p in PRESETS}) == len(PRESETS) == len(FILES)
    for preset in PRESETS:
        assert preset.channel in CHANNELS
        assert isinstance(preset.kind, Kind)
        assert preset.signature <= set(preset.columns), preset.key
        for name in list(preset.columns.values()) + [f for _, f in preset.patterns]:
            assert name == IGNORE or name in FIELDS_BY_NAME
        assert preset is get_preset(preset.key)
        hash(preset)


def test_get_preset_unknown_key_lists_the_known_ones():
    with pytest.raises(KeyError) as excinfo:
        get_preset("hubspot")
    message = str(excinfo.value)
    assert "hubspot" in message
    for preset in PRESETS:
        assert preset.key in message


def test_preset_rejects_unknown_fields():
    with pytest.raises(ValueError):
        Preset(
            key="x", label="X", vendor="X", channel="other", kind=Kind.CONTACTS,
            signature=frozenset({"email"}), columns={"email": "e_mail"},
        )
    with pytest.raises(ValueError):
        Preset(
            key="x", label="X", vendor="X", channel="nowhere", kind=Kind.CONTACTS,
            signature=frozenset({"email"}), columns={"email": "email"},
        )


def test_preset_columns_are_read_only():
    with pytest.raises(TypeError):
        get_preset("outlook").columns["email"] = "phone"  # type: ignore[index]


# --------------------------------------------------------------------------
# detection
# --------------------------------------------------------------------------


# The file names of exports that share a header with another and are told apart by name alone.
FILE_NAMES = {
    "mailchimp_subscribed": "subscribed_members_export_3f2a91c0de.csv",
    "mailchimp_nonsubscribed": "nonsubscribed_members_export_3f2a91c0de.csv",
}


@pytest.mark.parametrize("key", sorted(FILES))
def test_every_preset_is_detected(key):
    assert detect_preset(FILES[key], file_name=FILE_NAMES.get(key, "export.csv")).key == key


@pytest.mark.parametrize("key", sorted(FILES))
@pytest.mark.parametrize("seed", [1, 2])
def test_detection_survives_order_case_and_extra_columns(key, seed):
    assert detect_preset(messed_up(FILES[key], seed), file_name=FILE_NAMES.get(key, "export.csv")).key == key


@pytest.mark.parametrize(("key", "headers"), VARIANTS)
def test_drifted_layouts_are_detected(key, headers):
    assert detect_preset(headers).key == key
    assert detect_preset(messed_up(headers, 7)).key == key


def test_mailchimp_files_are_not_confused():
    subscribed = "subscribed_members_export_3f2a91c0de.csv"
    assert detect_preset(MAILCHIMP_SUBSCRIBED, file_name=subscribed).key == "mailchimp_subscribed"
    assert detect_preset(MAILCHIMP_SUBSCRIBED, file_name="subscribed_members_export_3f2a91c0de (1).csv").key \
        == "mailchimp_subscribed"
    assert detect_preset(MAILCHIMP_SUBSCRIBED, file_name="nonsubscribed_members_export_3f2a91c0de.csv").key \
        == "mailchimp_nonsubscribed"
    # Only the name tells the subscribed file from the non-subscribed one: under another name
    # (or none) the header gives no consent.
    for name in ("", "members_export_3f2a91c0de.csv", "newsletter.csv", "my_subscribed_members_export.csv"):
        assert detect_preset(MAILCHIMP_SUBSCRIBED, file_name=name).key == "mailchimp_members", name
    assert not get_preset("mailchimp_members").constants
    # The unsubscribed and cleaned files are known by their columns, whatever their names.
    assert detect_preset(MAILCHIMP_UNSUBSCRIBED, file_name=subscribed).key == "mailchimp_unsubscribed"
    assert detect_preset(MAILCHIMP_CLEANED, file_name="newsletter.csv").key == "mailchimp_cleaned"
    assert detect_preset(MAILCHIMP_UNSUBSCRIBED).key == "mailchimp_unsubscribed"
    assert detect_preset(MAILCHIMP_CLEANED).key == "mailchimp_cleaned"
    # The unsubscribed file holds every subscribed signature column too.
    assert get_preset("mailchimp_subscribed").signature < get_preset("mailchimp_unsubscribed").signature
    shuffled = list(reversed([h.lower() for h in MAILCHIMP_UNSUBSCRIBED]))
    assert detect_preset(shuffled).key == "mailchimp_unsubscribed"


def test_google_layouts_are_not_confused():
    assert detect_preset(GOOGLE_CONTACTS).key == "google_contacts"
    assert detect_preset(GOOGLE_CONTACTS_LEGACY).key == "google_contacts_legacy"
    assert detect_preset(OUTLOOK).key == "outlook"


def test_shopify_files_are_not_confused():
    assert detect_preset(SHOPIFY_CUSTOMERS).key == "shopify_customers"
    assert detect_preset(SHOPIFY_ORDERS).key == "shopify_orders"


@pytest.mark.parametrize(
    "headers",
    [
        [],
        ["Name", "Email", "Phone"],
        ["Email Address", "First Name", "Last Name"],
        ["First Name", "Last Name", "Email", "Total Spent"],
        ["id", "created_time", "email", "full_name"],
    ],
)
def test_unknown_files_have_no_preset(headers):
    assert detect_preset(headers) is None


# --------------------------------------------------------------------------
# preset mappings
# --------------------------------------------------------------------------


def assert_maps(headers, expected, preset_key):
    preset = get_preset(preset_key)
    guesses = guess_mapping(headers, preset)
    assert [g.header for g in guesses] == list(headers)
    assert [g.index for g in guesses] == list(range(len(headers)))
    got = {g.header: g.field for g in guesses}
    wrong = {h: (got[h], f) for h, f in expected.items() if got[h] != f}
    assert not wrong, wrong
    return guesses


def test_shopify_customers_mapping():
    guesses = assert_maps(
        SHOPIFY_CUSTOMERS_EXTRA,
        {
            "Customer ID": "external_id",
            "First Name": "first_name",
            "Last Name": "last_name",
            "Email": "email",
            "Accepts Email Marketing": "consent_email",
            "Accepts SMS Marketing": "consent_sms",
            "Accepts WhatsApp Marketing": "consent_whatsapp",
            "Default Address Company": "company",
            "Default Address Address1": "address1",
            "Default Address Address2": "address2",
            "Default Address City": "city",
            "Default Address Province Code": "region",
            "Default Address Country Code": "country",
            "Default Address Zip": "postcode",
            "Default Address Phone": "phone",
            "Phone": "phone",
            "Total Spent": "total_spent",
            "Total Orders": "total_orders",
            "Note": "note",
            "Tax Exempt": IGNORE,
            "Tags": "tags",
            "Birth Date (customer.metafields.facts.birth_date)": IGNORE,
            "Loyalty tier (customer.metafields.custom.tier)": IGNORE,
        },
        "shopify_customers",
    )
    assert all(g.reason.startswith("preset Shopify customers") for g in guesses)


def test_shopify_customers_old_layout_mapping():
    got = by_header(SHOPIFY_CUSTOMERS_OLD, get_preset("shopify_customers"))
    assert got["Accepts Marketing"] == "consent_email"
    assert got["Address1"] == "address1"
    assert got["Zip"] == "postcode"
    # Name and code of the same province: one region column, the name.
    assert got["Province"] == "region" and got["Province Code"] == IGNORE
    assert got["Country"] == "country" and got["Country Code"] == IGNORE


def test_shopify_orders_mapping():
    assert_maps(
        SHOPIFY_ORDERS,
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
            "Billing Name": "full_name",
            "Billing Phone": "phone",
            "Phone": "phone",
            "Billing Address1": "address1",
            "Billing Address2": "address2",
            "Billing City": "city",
            "Billing Zip": "postcode",
            "Billing Province": "region",
            "Billing Country": "country",
            "Billing Company": "company",
            "Paid at": IGNORE,
            "Fulfilled at": IGNORE,
            # The buyer's details when the billing ones are empty, never beside them.
            "Shipping Name": "shipping_name",
            "Shipping Phone": "shipping_phone",
            "Shipping Address1": "shipping_address1",
            "Shipping Address2": "shipping_address2",
            "Shipping City": "shipping_city",
            "Shipping Zip": "shipping_postcode",
            "Shipping Province": "shipping_region",
            "Shipping Country": "shipping_country",
            "Shipping Street": IGNORE,  # Address1 and Address2 in one: taken from those
            "Shipping Method": IGNORE,
            "Id": IGNORE,
            "Tax 2 Value": IGNORE,
            # Money not spent after all.
            "Cancelled at": "cancelled_at",
            "Refunded Amount": "refunded_amount",
            # The code(s) the order was placed with: campaign results credit that order.
            "Discount Code": "discount_code",
            "Discount Amount": IGNORE,
        },
        "shopify_orders",
    )
    preset = get_preset("shopify_orders")
    assert preset.kind is Kind.EVENTS
    assert preset.group_rows_by == "order_id"


def test_shopify_orders_new_lineitem_column_is_kept_raw():
    got = by_header(SHOPIFY_ORDERS + ["Lineitem variant"], get_preset("shopify_orders"))
    assert got["Lineitem variant"] == IGNORE


MAILCHIMP_COMMON = {
    "Email Address": "email",
    "First Name": "first_name",
    "Last Name": "last_name",
    "Address": "address",
    "Phone Number": "phone",
    "Birthday": "birthday",
    "Interests": IGNORE,
    "MEMBER_RATING": IGNORE,
    "OPTIN_TIME": "created_at",
    "OPTIN_IP": IGNORE,
    "TIMEZONE": IGNORE,
    "LATITUDE": IGNORE,
    "CC": "country",
    "REGION": "region",
    "LEID": IGNORE,
    "EUID": "external_id",
    "NOTES": "note",
    "TAGS": "tags",
}


def test_mailchimp_subscribed_mapping():
    assert_maps(
        MAILCHIMP_SUBSCRIBED,
        MAILCHIMP_COMMON | {"CONFIRM_TIME": "consent_at", "LAST_CHANGED": IGNORE},
        "mailchimp_subscribed",
    )
    assert dict(get_preset("mailchimp_subscribed").constants) == {"consent_email": "subscribed"}


def test_mailchimp_unsubscribed_mapping():
    assert_maps(
        MAILCHIMP_UNSUBSCRIBED,
        MAILCHIMP_COMMON
        | {"UNSUB_TIME": "unsubscribed_at", "CONFIRM_TIME": IGNORE, "UNSUB_REASON": IGNORE},
        "mailchimp_unsubscribed",
    )
    assert dict(get_preset("mailchimp_unsubscribed").constants) == {"consent_email": "unsubscribed"}


def test_mailchimp_cleaned_mapping():
    assert_maps(
        MAILCHIMP_CLEANED,
        MAILCHIMP_COMMON | {"CLEAN_TIME": "consent_at", "CLEAN_CAMPAIGN_TITLE": IGNORE},
        "mailchimp_cleaned",
    )
    assert dict(get_preset("mailchimp_cleaned").constants) == {"consent_email": "cleaned"}


def test_mailchimp_name_merge_field_goes_to_the_generic_guesser():
    headers = ["Email Address", "Name", "Company"] + _MC_TAIL + _MC_IDS
    got = by_header(headers, detect_preset(headers))
    assert got["Name"] == "full_name"
    assert got["Company"] == "company"


def test_google_contacts_mapping():
    assert_maps(
        GOOGLE_CONTACTS,
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
            "File As": IGNORE,
            "E-mail 1 - Label": IGNORE,
            "E-mail 1 - Value": "email",
            "E-mail 2 - Value": "email",
            "Phone 1 - Label": IGNORE,
            "Phone 1 - Value": "phone",
            "Phone 2 - Value": "phone",
            "Phone 3 - Value": "phone",
            "Address 1 - Formatted": "address",
            "Address 1 - Street": "address1",
            "Address 1 - City": "city",
            "Address 1 - Region": "region",
            "Address 1 - Postal Code": "postcode",
            "Address 1 - Country": "country",
            "Address 1 - Extended Address": "address2",
            "Address 1 - PO Box": IGNORE,
            # The first address wins the single address fields.
            "Address 2 - Street": IGNORE,
            "Address 2 - City": IGNORE,
            "Website 1 - Value": IGNORE,
            "Custom Field 1 - Value": IGNORE,
        },
        "google_contacts",
    )
    got = {g.header: g for g in guess_mapping(GOOGLE_CONTACTS, get_preset("google_contacts"))}
    assert got["Address 2 - City"].reason.startswith("duplicate of column")


def test_google_contacts_more_numbered_columns_than_usual():
    headers = GOOGLE_CONTACTS + ["E-mail 7 - Value", "Phone 12 - Value", "Phone 12 - Label"]
    got = by_header(headers, detect_preset(headers))
    assert got["E-mail 7 - Value"] == "email"
    assert got["Phone 12 - Value"] == "phone"
    assert got["Phone 12 - Label"] == IGNORE


def test_google_contacts_legacy_mapping():
    assert_maps(
        GOOGLE_CONTACTS_LEGACY,
        {
            "Name": "full_name",
            "Given Name": "first_name",
            "Additional Name": "middle_name",
            "Family Name": "last_name",
            "Gender": "gender",
            "Group Membership": "tags",
            "Notes": "note",
            "E-mail 1 - Type": IGNORE,
            "E-mail 1 - Value": "email",
            "E-mail 2 - Value": "email",
            "IM 1 - Value": IGNORE,
            "Phone 1 - Value": "phone",
            "Phone 2 - Value": "phone",
            "Address 1 - Street": "address1",
            "Address 1 - Postal Code": "postcode",
            "Organization 1 - Name": "company",
            "Organization 1 - Title": "job_title",
            "Organization 1 - Department": IGNORE,
            "Subject": IGNORE,
            "Location": IGNORE,
        },
        "google_contacts_legacy",
    )


OUTLOOK_EXPECTED = {
    "First Name": "first_name",
    "Middle Name": "middle_name",
    "Last Name": "last_name",
    "Title": IGNORE,
    "Company": "company",
    "Job Title": "job_title",
    "Home Street": "address1",
    "Home Street 2": "address2",
    "Home City": "city",
    "Home State": "region",
    "Home Postal Code": "postcode",
    "Home Country/Region": "country",
    "Business Street": IGNORE,
    "Business City": IGNORE,
    "Mobile Phone": "phone",
    "Home Phone": "phone",
    "Business Phone": "phone",
    "Primary Phone": "phone",
    "Business Fax": IGNORE,
    "Company Main Phone": IGNORE,
    "Manager's Name": IGNORE,
    "E-mail Address": "email",
    "E-mail 2 Address": "email",
    "E-mail 3 Address": "email",
    "E-mail Type": IGNORE,
    "E-mail 2 Display Name": IGNORE,
    "Birthday": "birthday",
    "Anniversary": IGNORE,
    "Notes": "note",
    "Location": IGNORE,
    "Web Page": IGNORE,
}


def test_outlook_mapping():
    guesses = assert_maps(OUTLOOK, OUTLOOK_EXPECTED | {"Categories": "tags"}, "outlook")
    # Every column of the long header is known to the preset.
    assert all(g.reason.startswith("preset Outlook contacts") for g in guesses)


def test_outlook_com_layout_mapping():
    assert_maps(OUTLOOK_COM, {k: v for k, v in OUTLOOK_EXPECTED.items() if k in OUTLOOK_COM}, "outlook")
    got = by_header(OUTLOOK_COM, get_preset("outlook"))
    assert got["Nickname"] == "nickname"
    # How a Japanese name is read (furigana): matching compares names in kanji by it.
    assert got["Given Yomi"] == "first_name_reading"
    assert got["Surname Yomi"] == "last_name_reading"


def test_meta_leads_mapping():
    assert_maps(
        META_LEADS,
        {
            "id": "external_id",
            "created_time": "created_at",
            "campaign_name": "campaign",
            "email": "email",
            "full_name": "full_name",
            "phone_number": "phone",
            "zip_code": "postcode",
            "city": "city",
            "ad_id": IGNORE,
            "platform": IGNORE,
            "is_organic": IGNORE,
            "what_are_you_interested_in?": IGNORE,
            "when_would_you_like_to_visit?": IGNORE,
        },
        "meta_leads",
    )
    preset = get_preset("meta_leads")
    assert preset.strip_type_prefixes
    assert preset.channel == "social"


def test_meta_leads_questions_never_turn_into_fields():
    questions = [
        "which_store_do_you_prefer?", "your_budget?", "preferred_date?", "how_many_people?",
        "emial_me_offers?", "post_code",
    ]
    guesses = {g.header: g for g in guess_mapping(META_LEADS + questions, get_preset("meta_leads"))}
    # Both postcode columns are known; the first one feeds the field.
    assert guesses["post_code"].field == IGNORE
    assert guesses["post_code"].reason.startswith("duplicate of column")
    for question in questions[:-1]:
        assert guesses[question].field == IGNORE
        assert guesses[question].reason == "preset Meta lead ads (kept raw)"


def test_klaviyo_mapping():
    assert_maps(
        KLAVIYO,
        {
            "Email": "email",
            "Klaviyo ID": "external_id",
            "First Name": "first_name",
            "Last Name": "last_name",
            "Phone Number": "phone",
            "City": "city",
            "State / Region": "region",
            "Country": "country",
            "Zip Code": "postcode",
            "Source": IGNORE,
            "Email Marketing Consent": "consent_email",
            "SMS Consent": "consent_sms",
            "Profile Created On": "created_at",
            "Date Added": IGNORE,
            # Custom properties go through the generic guesser.
            "Favourite Product": IGNORE,
        },
        "klaviyo",
    )


SQUARE_EXPECTED = {
    "Reference ID": "external_id",
    "Given Name": "first_name",
    "Family Name": "last_name",
    "Nickname": "nickname",
    "Company Name": "company",
    "Email Address": "email",
    "Phone Number": "phone",
    "Street Address 1": "address1",
    "Street Address 2": "address2",
    "City": "city",
    "State": "region",
    "Postal Code": "postcode",
    "Birthday": "birthday",
    "Memo": "note",
    "First Visit": "created_at",
    "Last Visit": "last_active",
    "Transaction Count": "total_orders",
    "Total Spend": "total_spent",
    # A status that only ever says no: Square's "Subscribed" is no opt-in.
    "Email Subscription Status": "status",
    "Creation Source": IGNORE,
}


def test_square_mapping():
    assert_maps(SQUARE, SQUARE_EXPECTED, "square")


def test_square_transactions_mapping():
    assert_maps(SQUARE_TRANSACTIONS, {
        "Date": "occurred_at", "Time": "occurred_time", "Total Collected": "amount",
        "Partial Refunds": "refunded_amount", "Transaction ID": "order_id", "Customer ID": "external_id",
        "Customer Name": "full_name", "Description": "item_name", "Transaction Status": "status",
        "Gross Sales": IGNORE, "Net Total": IGNORE, "Event Type": IGNORE, "Customer Reference ID": IGNORE,
    }, "square_transactions")
    assert get_preset("square_transactions").kind is Kind.EVENTS


def test_square_directory_layout_prefers_square_ids():
    got = by_header(SQUARE_DIRECTORY, get_preset("square"))
    assert got["Square Customer ID"] == "external_id"
    assert got["Reference ID"] == IGNORE
    assert got["First Name"] == "first_name"
    assert got["Lifetime Spend"] == "total_spent"


@pytest.mark.parametrize("key", sorted(FILES))
def test_preset_mapping_respects_single_fields(key):
    guesses = guess_mapping(FILES[key], get_preset(key))
    assert_single_fields(guesses)


@pytest.mark.parametrize("key", sorted(FILES))
def test_mapping_of_messed_up_headers_matches_the_clean_one(key):
    headers = FILES[key]
    preset = get_preset(key)
    clean = {header_key(g.header): g for g in guess_mapping(headers, preset)}
    messy = {header_key(g.header): g.field for g in guess_mapping(messed_up(headers, 3), preset)}
    for k, guess in clean.items():
        if guess.reason.startswith("duplicate") or (
            guess.field != IGNORE and not FIELDS_BY_NAME[guess.field].multi
        ):
            continue  # which of two equal columns wins may follow the new order
        assert messy[k] == guess.field, k


# --------------------------------------------------------------------------
# generic guesser
# --------------------------------------------------------------------------


def assert_single_fields(guesses):
    seen: dict[str, int] = {}
    for g in guesses:
        assert g.field == IGNORE or g.field in FIELDS_BY_NAME
        assert 0.0 <= g.confidence <= 1.0
        assert g.reason
        if g.field != IGNORE and not FIELDS_BY_NAME[g.field].multi:
            assert g.field not in seen, (g.field, seen[g.field], g.index)
            seen[g.field] = g.index


# One header per case so that the single-field rule does not get in the way.
MESSY = {
    "E-mail address": "email",
    "Emial": "email",
    "Courriel": "email",
    "E-Mail-Adresse": "email",
    "Mobile": "phone",
    "Phone #": "phone",
    "Tel.": "phone",
    "Handy": "phone",
    "Téléphone": "phone",
    "WhatsApp": "phone",
    "Zip": "postcode",
    "PLZ": "postcode",
    "Code postal": "postcode",
    "Customer Name": "full_name",
    "Contact": "full_name",
    "Vorname": "first_name",
    "Prénom": "first_name",
    "Given name": "first_name",
    "Frist Name": "first_name",
    "firstName": "first_name",
    "Surname": "last_name",
    "Nachname": "last_name",
    "Apellido": "last_name",
    "D.O.B.": "birthday",
    "Geburtsdatum": "birthday",
    "Street": "address1",
    "Adress": "address1",
    "Address line 2": "address2",
    "Town": "city",
    "County": "region",
    "Province": "region",
    "Labels": "tags",
    "Segments": "tags",
    "Opt-in": "consent_email",
    "Newsletter": "consent_email",
    "Accepts Marketing": "consent_email",
    "SMS opt in": "consent_sms",
    # An inverted flag: "yes" means do not send, so it is never read as consent.
    "Unsubscribed": "no_email",
    "Do Not Call": "no_sms",
    "Do not contact": "no_contact",
    "Email hard bounce reason": "email_bounced",
    "Customer ID": "external_id",
    "Client ID": "external_id",
    "Member #": "external_id",
    "Order #": "order_id",
    "#": "external_id",
    "Order ID": "order_id",
    "Receipt No": "order_id",
    "Montant": "amount",
    "Betrag": "amount",
    "Date": "occurred_at",
    "Timestamp": "occurred_at",
    "Opened at": "occurred_at",
    "Event": "event_type",
    "Activity": "event_type",
    "Campaign": "campaign",
    "Subject": "summary",
    "Company name": "company",
    "Job title": "job_title",
    "Country/Region": "country",
    "Notes": "note",
    "Created": "created_at",
    "Signup date": "created_at",
    "Total spent": "total_spent",
    "# of orders": "total_orders",
    "Qty": "item_quantity",
    "Product": "item_name",
    "Currency": "currency",
    "Status": "status",
    "Store": "location",
    "Sexe": "gender",
    "Language": "language",
    "Nickname": "nickname",
    "Unsubscribe date": "unsubscribed_at",
    "Opt-in date": "consent_at",
    "Stage": IGNORE,
    "Favourite colour": IGNORE,
    "": IGNORE,
}


@pytest.mark.parametrize(("header", "expected"), sorted(MESSY.items()))
def test_generic_guess_of_one_header(header, expected):
    (guess,) = guess_mapping([header])
    assert (guess.field, header) == (expected, header), guess.reason
    assert guess.index == 0 and guess.header == header


def test_generic_guess_reasons():
    guesses = guess_mapping(["Mobile", "Emial", "Favourite colour", "Customer E-mail"])
    assert guesses[0].reason == "synonym 'mobile'"
    assert guesses[1].reason.startswith("fuzzy 'emial' ~ 'email' (")
    assert guesses[2].reason == "unknown header" and guesses[2].confidence == 0.0
    assert guesses[3].field == "email" and "customer e mail" in guesses[3].reason
    assert guesses[0].confidence > guesses[1].confidence > guesses[2].confidence


def test_hand_typed_contact_sheet():
    headers = [
        "Customer Name", "E-mail address", "Mobile", "Tel.", "Zip", "Vorname", "Emial", "Phone #",
        "D.O.B.", "Tags", "Notes", "Opt-in", "Street", "Town", "Client ID", "Favourite colour",
    ]
    guesses = guess_mapping(headers)
    assert mapping_fields(guesses) == [
        "full_name", "email", "phone", "phone", "postcode", "first_name", "email", "phone",
        "birthday", "tags", "note", "consent_email", "address1", "city", "external_id", IGNORE,
    ]
    assert_single_fields(guesses)


def test_a_single_field_goes_to_one_column_only():
    headers = ["Zip", "Postcode", "PLZ", "Email", "E-mail 2", "Mail"]
    guesses = guess_mapping(headers)
    assert mapping_fields(guesses) == ["postcode", IGNORE, IGNORE, "email", "email", "email"]
    assert guesses[1].reason == "duplicate of column 1 ('Zip')"
    assert guesses[2].reason == "duplicate of column 1 ('Zip')"
    assert_single_fields(guesses)


def test_the_clearest_column_wins_a_single_field():
    # The weak "Customer" loses to the later, clearer "Full name".
    got = by_header(["Customer", "Full name"])
    assert got == {"Customer": IGNORE, "Full name": "full_name"}


def test_till_export_ids_and_money():
    headers = ["ID", "Date", "Customer ID", "Customer", "Item", "Price", "Total"]
    got = by_header(headers)
    assert got == {
        "ID": "order_id",
        "Date": "occurred_at",
        "Customer ID": "external_id",
        "Customer": "full_name",
        "Item": "item_name",
        "Price": "item_price",
        "Total": "amount",
    }
    assert guess_kind(list(got.values())) is Kind.EVENTS


def test_customer_ids_never_become_order_ids():
    for headers in (
        ["Customer ID", "Date", "Amount"],
        ["Client number", "Visit date", "Value", "Type"],
        ["Member ID", "Timestamp", "Total", "Product"],
    ):
        fields = mapping_fields(guess_mapping(headers))
        assert fields[0] == "external_id", headers
        assert "order_id" not in fields


def test_hash_column_of_a_sales_log_numbers_the_sale():
    assert mapping_fields(guess_mapping(["#", "Date", "Client #", "Amount"])) == [
        "order_id", "occurred_at", "external_id", "amount",
    ]


def test_plain_id_in_a_contact_list_is_the_contact():
    assert mapping_fields(guess_mapping(["ID", "Name", "Email"])) == ["external_id", "full_name", "email"]


def test_created_becomes_event_time_in_an_event_file():
    got = by_header(["Created", "Order number", "Amount", "Email"])
    assert got["Created"] == "occurred_at"
    assert by_header(["Created", "Name", "Email"])["Created"] == "created_at"


def test_money_in_a_contact_list_is_the_total_spent():
    assert by_header(["Name", "Email", "Spend"])["Spend"] == "total_spent"
    assert by_header(["Name", "Email", "Date", "Spend"])["Spend"] == "amount"


def test_unknown_columns_of_a_preset_file_use_the_generic_guesser():
    headers = SHOPIFY_CUSTOMERS + ["Date of birth", "Favourite colour"]
    guesses = {g.header: g for g in guess_mapping(headers, get_preset("shopify_customers"))}
    assert guesses["Date of birth"].field == "birthday"
    assert guesses["Date of birth"].reason == "synonym 'date of birth'"
    assert guesses["Favourite colour"].field == IGNORE


def test_guess_mapping_keeps_column_order_and_accepts_a_tuple():
    headers = ("Email", "Name", "Email")
    guesses = guess_mapping(headers)
    assert [(g.index, g.header) for g in guesses] == list(enumerate(headers))
    assert isinstance(guesses[0], ColumnGuess)
    assert mapping_fields(guesses) == ["email", "full_name", "email"]
    assert guess_mapping([]) == []


# --------------------------------------------------------------------------
# kind and channel
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "kind"),
    [
        (["occurred_at", "order_id"], Kind.EVENTS),
        (["email", "occurred_at", "amount"], Kind.EVENTS),
        (["occurred_at", "event_type", "email"], Kind.EVENTS),
        (["occurred_at", "item_name"], Kind.EVENTS),
        (["email", "occurred_at"], Kind.CONTACTS),
        (["email", "amount", "order_id"], Kind.CONTACTS),
        (["full_name", "email", "phone", IGNORE], Kind.CONTACTS),
        ([], Kind.CONTACTS),
    ],
)
def test_guess_kind(fields, kind):
    assert guess_kind(fields) is kind


def test_guess_kind_follows_the_preset():
    assert guess_kind(["email"], get_preset("shopify_orders")) is Kind.EVENTS
    assert guess_kind(["occurred_at", "amount"], get_preset("klaviyo")) is Kind.CONTACTS


@pytest.mark.parametrize("key", sorted(FILES))
def test_guess_channel_from_preset(key):
    preset = get_preset(key)
    assert guess_channel("export.csv", FILES[key], preset) == preset.channel


def test_preset_channels():
    channels = {p.key: p.channel for p in PRESETS}
    assert channels == {
        "shopify_customers": "shop",
        "shopify_orders": "shop",
        "mailchimp_members": "email",
        "mailchimp_subscribed": "email",
        "mailchimp_nonsubscribed": "email",
        "mailchimp_unsubscribed": "email",
        "mailchimp_cleaned": "email",
        "google_contacts": "contacts",
        "google_contacts_legacy": "contacts",
        "outlook": "contacts",
        "meta_leads": "social",
        "klaviyo": "email",
        "square": "pos",
        "square_transactions": "pos",
        "hubspot_contacts": "contacts",
        "zoho_contacts": "contacts",
        "salesforce_contacts": "contacts",
        "salesforce_contacts_report": "contacts",
        "stripe_customers": "shop",
        "woocommerce_customers": "shop",
        "woocommerce_orders": "shop",
        "woocommerce_orders_advanced": "shop",
        "woocommerce_orders_default": "shop",
        "substack_subscribers": "email",
        "brevo_contacts": "email",
        "linkedin_connections": "social",
        "eventbrite_attendees": "web",
        "meta_leads_center": "social",
        "sms_optouts": "sms",
        "vcard": "contacts",
    }


@pytest.mark.parametrize(
    ("file_name", "channel"),
    [
        ("Mailchimp_export_2024.csv", "email"),
        ("newsletter-subscribers.csv", "email"),
        ("sms_list.csv", "sms"),
        ("sms_subscribers.csv", "sms"),  # a list's word ("subscribers") yields to the medium's
        ("Text-Club Subscribers.csv", "sms"),
        ("subscribers.csv", "email"),
        ("text club.xlsx", "sms"),
        ("till_receipts_march.csv", "pos"),
        ("square-customers.csv", "pos"),
        ("store visits.csv", "pos"),
        ("facebook_leads.csv", "social"),
        ("Instagram lead form.csv", "social"),
        ("meta-leads-2024-05.tsv", "social"),
        ("orders_export_1.csv", "shop"),
        ("woocommerce-customers.csv", "shop"),
        ("ShopifyCustomers.csv", "shop"),
        ("contacts.vcf.csv", "contacts"),
        ("phone backup.csv", "contacts"),
        ("site_visits.csv", "web"),
        ("/home/someone/Downloads/web signups.csv", "web"),
        ("customers.csv", "other"),
        ("", "other"),
    ],
)
def test_guess_channel_from_file_name(file_name, channel):
    assert guess_channel(file_name, ["Name", "Email"], None) == channel


@pytest.mark.parametrize(
    ("headers", "channel"),
    [
        (["Order", "Lineitem name", "Email"], "shop"),
        (["Receipt No", "Date", "Total"], "pos"),
        (["email", "adset_name", "full_name"], "social"),
        (["Email", "UNSUB_TIME"], "email"),
        (["Page URL", "Visitor email"], "web"),
        (["Name", "Registered at", "Email"], "other"),
    ],
)
def test_guess_channel_from_headers(headers, channel):
    assert guess_channel("export.csv", headers, None) == channel


def test_guess_channel_always_returns_a_known_channel():
    for name in ("x.csv", "a b c", "mailchimp", "whatever.txt"):
        assert guess_channel(name, [], None) in CHANNELS


def test_channels_have_short_names_and_user_channels_keep_theirs():
    from omnidesk.core.channels import channel_name

    assert channel_name("pos") == "Till" and channel_name("sms") == "SMS"
    assert all(channel_name(key) for key in CHANNELS)
    assert channel_name("farmers_market") == "Farmers market"
