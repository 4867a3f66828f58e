"""The header-by-meaning guesser on headers real tools write, when no preset is detected.

Each header is guessed on its own (as one column of an unknown file), so the
table says what the words mean, not what a preset knows.
"""

from __future__ import annotations

import pytest

from omnidesk.core.importing.fields import IGNORE
from omnidesk.core.importing.normalize import split_full_name
from omnidesk.core.importing.presets import detect_preset, guess_mapping

# header -> field
HEADERS: dict[str, str] = {
    # --- headers seen in real files
    "Name (Last, First)": "full_name",
    "Last Name, First Name": "full_name",
    "cust_email": "email",
    "visitor_email": "email",
    "Consent SMS": "consent_sms",
    "SMS consent": "consent_sms",
    "E-mail 1 - Value": "email",
    "Phone 1 - Value": "phone",
    "submitted_at": "occurred_at",
    "Opened": "occurred_at",
    "Clicked": "occurred_at",
    # --- a full name written in either order, one column
    "First and Last Name": "full_name",
    "Surname, Forename": "full_name",
    "Customer Name (Last, First)": "full_name",
    # --- Shopify (customers and orders)
    "Customer ID": "external_id",
    "Accepts Email Marketing": "consent_email",
    "Accepts SMS Marketing": "consent_sms",
    "Default Address City": "city",
    "Default Address Zip": "postcode",
    "Default Address Country Code": "country",
    "Default Address Phone": "phone",
    "Total Spent": "total_spent",
    "Billing Name": "full_name",
    "Lineitem name": "item_name",
    "Created at": "created_at",
    # --- Square
    "Given Name": "first_name",
    "Family Name": "last_name",
    "Email Address": "email",
    "Phone Number": "phone",
    "Memo": "note",
    "First Visit": "created_at",
    "Transaction Count": "total_orders",
    "Lifetime Spend": "total_spent",
    "Email Subscription Status": "consent_email",
    # --- "do not send" flags: Salesforce Contact (API names and report labels), HubSpot
    # contact properties, Zoho CRM contacts, generic tills and spreadsheets
    "HasOptedOutOfEmail": "no_email",
    "DoNotCall": "no_sms",
    "IsEmailBounced": "email_bounced",
    "EmailBouncedReason": "email_bounced",
    "EmailBouncedDate": "email_bounced",
    "Email Opt Out": "no_email",
    "Do Not Call": "no_sms",
    "Unsubscribed from all email": "no_email",
    "Marketing contact status": "no_email",
    "Email disabled": "no_email",
    "Do not email": "no_email",
    "Opted out": "no_email",
    "Blocked": "no_email",
    "Do not contact": "no_contact",
    "Invalid email": "email_bounced",
    "Cleaned": "email_bounced",
    "Bounced": "email_bounced",
    # --- Lightspeed
    "Customer code": "external_id",
    "Mobile": "phone",
    "Date of birth": "birthday",
    "Customer group": "tags",
    "Physical address 1": "address1",
    "Physical city": "city",
    "Physical postcode": "postcode",
    # --- WooCommerce
    "billing_first_name": "first_name",
    "billing_email": "email",
    "billing_address_1": "address1",
    "billing_postcode": "postcode",
    "order_number": "order_id",
    "order_total": "amount",
    "order_currency": "currency",
    "customer_note": "note",
    # --- HubSpot
    "Create Date": "created_at",
    "Email Address 2": "email",
    # --- Mailchimp
    "OPTIN_TIME": "consent_at",
    "CONFIRM_TIME": "consent_at",
    "TAGS": "tags",
    # --- Klaviyo
    "State / Region": "region",
    "Zip Code": "postcode",
    "Email Marketing Consent": "consent_email",
    "SMS Consent": "consent_sms",
    "Profile Created On": "created_at",
    # --- Google contacts without the preset
    "E-mail 2 - Value": "email",
    "Address 1 - Formatted": "address",
    "Address 1 - Street": "address1",
    "Address 1 - City": "city",
    "Address 1 - Postal Code": "postcode",
    "Address 1 - Country": "country",
    "Organization Title": "job_title",
    "Organization 1 - Name": "company",
    "Labels": "tags",
    # --- Outlook contacts
    "E-mail Address": "email",
    "E-mail 2 Address": "email",
    "Mobile Phone": "phone",
    "Home Street": "address1",
    "Home Country/Region": "country",
    # --- Typeform, Google Forms
    "What is your email?": "email",
    "What's your name?": "full_name",
    "Please enter your phone number": "phone",
    "Submit Date (UTC)": "occurred_at",
    "Timestamp": "occurred_at",
    # --- Facebook lead ads without the preset
    "full_name": "full_name",
    "phone_number": "phone",
    "created_time": "created_at",
    "zip_code": "postcode",
    "campaign_name": "campaign",
    "form_name": "campaign",  # the form a lead came through, not "forename"
    "Form": "campaign",
    # --- email activity
    "Opened at": "occurred_at",
    "Clicked at": "occurred_at",
}

# Headers that must stay ignored (kept raw): the words name nothing the app imports.
IGNORED = [
    "Notes 2 internal id",
    "Row",
    "Unnamed: 0",
    "E-mail 1 - Label",
    "Phone 1 - Type",
    "ad_name",
    "is_organic",
    "Contact owner",
    "Lifecycle Stage",
    "Opens",
    "Network ID",
    "Start Date (UTC)",
    "Last Order",
    "Business Fax",
    "Fax Opt Out",
]


@pytest.mark.parametrize(("header", "field"), list(HEADERS.items()))
def test_header_maps_by_meaning(header: str, field: str) -> None:
    assert detect_preset([header]) is None
    (guess,) = guess_mapping([header])
    assert (guess.header, guess.field) == (header, field), guess.reason


@pytest.mark.parametrize("header", IGNORED)
def test_header_stays_ignored(header: str) -> None:
    (guess,) = guess_mapping([header])
    assert guess.field == IGNORE, guess.reason


def test_a_last_first_name_column_is_split_on_its_comma() -> None:
    guesses = guess_mapping(["Last Name, First Name", "Email"])
    assert [g.field for g in guesses] == ["full_name", "email"]
    assert split_full_name("Lee, Ann") == ("Ann", "Lee")


def test_google_style_columns_in_one_file() -> None:
    headers = ["Given", "Surname", "E-mail 1 - Label", "E-mail 1 - Value", "E-mail 2 - Value",
               "Phone 1 - Type", "Phone 1 - Value"]
    assert detect_preset(headers) is None
    assert [g.field for g in guess_mapping(headers)] == [
        "first_name", "last_name", IGNORE, "email", "email", IGNORE, "phone",
    ]


def test_words_in_either_order_keep_their_confidence_below_an_exact_synonym() -> None:
    exact, swapped = guess_mapping(["SMS consent", "Consent SMS"])
    # Every consent column of a channel is read (a "yes" in one never hides a "stop" in the other).
    assert exact.field == swapped.field == "consent_sms"
    assert swapped.confidence < exact.confidence
    # A single-value field still goes to its most confident column alone.
    exact, swapped = guess_mapping(["Job title", "Title job"])
    assert exact.field == "job_title"
    assert swapped.field == IGNORE and "duplicate of column 1" in swapped.reason
