"""How an import reads consent where the files are awkward: the safer reading wins.

Consent is never guessed in the marketer's favour.  Each test imports real files
in the vendor's own layout (Klaviyo's profiles export, an SMS gateway's opt-out
list, suppression exports of email tools, Mailchimp's audience files) through
``import_file`` on a set clock, and reads back the consent in force.
"""

from __future__ import annotations

import csv
import json
from datetime import UTC, datetime

import pytest
import time_machine

from omnidesk.core.campaigns.campaign import save_campaign
from omnidesk.core.campaigns.export import export_campaign
from omnidesk.core.importing.pipeline import REPEATED_HEADER, ImportOptions, import_file
from omnidesk.core.messages.brand import set_brand
from omnidesk.core.messages.store import save_message
from omnidesk.core.profile import consent_facts
from omnidesk.core.timeline import find_customer
from tests.core.test_presets import MAILCHIMP_SUBSCRIBED, MAILCHIMP_UNSUBSCRIBED, SHOPIFY_CUSTOMERS
from tests.helpers import write_csv

# Klaviyo › Profiles › export, with both consents and each one's own timestamp.
KLAVIYO_PROFILES = ["Email", "Klaviyo ID", "First Name", "Last Name", "Phone Number", "City", "Country",
                    "Email Marketing Consent", "Email Marketing Consent Timestamp", "SMS Consent",
                    "SMS Consent Timestamp", "Profile Created On"]
# An SMS gateway's opt-out list (Twilio, SimpleTexting, EZ Texting): the number and its reply.
SMS_OPTOUTS = ["Phone Number", "Keyword", "Date"]


def rows_of(header, *rows: dict[str, str]) -> list[list[str]]:
    for row in rows:
        assert set(row) <= set(header), set(row) - set(header)
    return [[row.get(h, "") for h in header] for row in rows]


def imported(ws, path, when: str, options: ImportOptions | None = None):
    """Import ``path`` as if on ``when`` (UTC): the day an undated fact is known from."""
    with time_machine.travel(when, tick=False):
        result = import_file(ws, path, options)
    assert result.imported >= 1, result
    return result


def in_force(ws, email=None, phone=None) -> dict[str, str]:
    """The consent in force per channel, as the card shows it and the stored column holds it."""
    cid = find_customer(ws, email or phone)
    assert cid is not None, email or phone
    card = {ch: f.status for ch, f in consent_facts(ws, cid).items()}
    with ws.engine.connect() as conn:
        stored = conn.exec_driver_sql("SELECT consent_email, consent_sms FROM customer WHERE id = ?", (cid,)).one()
    assert (stored[0], stored[1]) == (card.get("email"), card.get("sms")), (stored, card)
    return card


def facts_of(ws, file_name: str) -> list[tuple[str, str, str | None]]:
    """The consent facts a file added: (channel, status, own time), in row order."""
    with ws.engine.connect() as conn:
        return [tuple(r) for r in conn.exec_driver_sql(
            "SELECT c.channel, c.status, c.occurred_at FROM consent c JOIN source_record r ON r.id = c.record_id "
            "JOIN import_batch b ON b.id = r.batch_id WHERE b.file_name = ? ORDER BY r.record_no, c.channel",
            (file_name,)).all()]


def shop_customers(path, *people: tuple[str, str, str]):
    """Shopify's customers export: (email, phone, "yes"/"no" for both email and SMS marketing);
    each person is called by their address ("sam@" is Sam Stone)."""
    return write_csv(path, SHOPIFY_CUSTOMERS, rows_of(SHOPIFY_CUSTOMERS, *({
        "Customer ID": str(7210000 + n), "First Name": email.split("@")[0].capitalize(), "Last Name": "Stone",
        "Email": email,
        "Accepts Email Marketing": yes, "Phone": phone, "Accepts SMS Marketing": yes if phone else "",
        "Total Spent": "10.00", "Total Orders": "1", "Tax Exempt": "no",
    } for n, (email, phone, yes) in enumerate(people, 1))))


@pytest.fixture
def ws(make_workspace):
    return make_workspace(timezone="America/New_York")


# --------------------------------------------------------------------------
# 1. each channel's fact takes its own channel's time
# --------------------------------------------------------------------------


def test_klaviyos_sms_consent_is_dated_by_the_sms_timestamp_not_the_email_one(ws, tmp_path):
    """Email unsubscribed on 2025-05-01; SMS subscribed on 2024-01-01, and the number texted STOP on
    2025-03-01: the SMS grant is older than the STOP, so the number stays opted out."""
    optouts = write_csv(tmp_path / "sms_optouts.csv", SMS_OPTOUTS,
                        [["+12025550150", "STOP", "2025-03-01 12:00"]])
    imported(ws, optouts, "2025-06-01 09:00Z")
    profiles = write_csv(tmp_path / "klaviyo_profiles.csv", KLAVIYO_PROFILES, rows_of(KLAVIYO_PROFILES, {
        "Email": "lena@example.com", "Klaviyo ID": "01HKLENA", "First Name": "Lena", "Last Name": "Lorenz",
        "Phone Number": "+12025550150", "Email Marketing Consent": "UNSUBSCRIBED",
        "Email Marketing Consent Timestamp": "2025-05-01 09:00:00", "SMS Consent": "SUBSCRIBED",
        "SMS Consent Timestamp": "2024-01-01 09:00:00", "Profile Created On": "2023-12-01 09:00:00"}))
    assert imported(ws, profiles, "2025-06-02 09:00Z").preset == "klaviyo"
    assert facts_of(ws, "klaviyo_profiles.csv") == [("email", "unsubscribed", "2025-05-01T09:00:00"),
                                                     ("sms", "granted", "2024-01-01T09:00:00")], \
        "each channel's fact must be dated by its own channel's timestamp"
    assert in_force(ws, "lena@example.com") == {"email": "unsubscribed", "sms": "unsubscribed"}, \
        "an SMS grant of 2024 must not lift the STOP of 2025-03-01"


def test_a_channel_without_a_time_of_its_own_does_not_borrow_another_channels(ws, tmp_path):
    """Klaviyo's export without the SMS timestamp column (and no sign-up time): the SMS "yes" is
    undated, and an undated yes cannot lift the number's STOP."""
    optouts = write_csv(tmp_path / "sms_optouts.csv", SMS_OPTOUTS, [["+12025550151", "STOP", "2025-03-01 12:00"]])
    imported(ws, optouts, "2025-06-01 09:00Z")
    header = [h for h in KLAVIYO_PROFILES if h not in ("SMS Consent Timestamp", "Profile Created On")]
    profiles = write_csv(tmp_path / "klaviyo_profiles.csv", header, rows_of(header, {
        "Email": "max@example.com", "Klaviyo ID": "01HKMAX", "First Name": "Max", "Last Name": "Moor",
        "Phone Number": "+12025550151", "Email Marketing Consent": "SUBSCRIBED",
        "Email Marketing Consent Timestamp": "2025-05-01 09:00:00", "SMS Consent": "SUBSCRIBED"}))
    imported(ws, profiles, "2025-06-02 09:00Z")
    assert facts_of(ws, "klaviyo_profiles.csv") == [("email", "granted", "2025-05-01T09:00:00"),
                                                     ("sms", "granted", None)], \
        "the SMS grant must not take the email consent's timestamp"
    assert in_force(ws, "max@example.com") == {"email": "granted", "sms": "unsubscribed"}


def test_a_generic_files_sms_consent_date_dates_only_the_sms_consent(ws, tmp_path):
    """A hand-made list with a date per consent: "SMS consent date" is not the email consent's date."""
    header = ["Email", "Phone", "Email consent", "SMS consent", "SMS consent date"]
    path = write_csv(tmp_path / "signups.csv", header, [["ida@example.com", "+12025550152", "yes", "yes",
                                                         "2024-01-01"]])
    imported(ws, path, "2025-06-02 09:00Z")
    assert facts_of(ws, "signups.csv") == [("email", "granted", None), ("sms", "granted", "2024-01-01")], \
        "the SMS consent date must date the SMS fact only"


# --------------------------------------------------------------------------
# 2. an SMS opt-out list's keywords as the replies were texted
# --------------------------------------------------------------------------


def test_stop_keywords_with_punctuation_or_more_words_opt_the_number_out(ws, tmp_path):
    replies = ["Stop.", "STOP!", "Stop please", " stop ", "UNSUBSCRIBE.", "stop, thanks", "Arrêtez"]
    people = [(f"p{n}@example.com", f"+1202555{n:04d}", "yes") for n in range(1, len(replies) + 1)]
    imported(ws, shop_customers(tmp_path / "customers_export.csv", *people), "2026-05-01 09:00Z")
    optouts = write_csv(tmp_path / "optouts.csv", SMS_OPTOUTS,
                        [[phone, reply, "2026-06-01 12:00"] for (_, phone, _), reply in zip(people, replies)])
    result = imported(ws, optouts, "2026-06-02 09:00Z")
    assert result.preset == "sms_optouts"
    still_texted = [reply for (email, _, _), reply in zip(people, replies)
                    if in_force(ws, email)["sms"] != "unsubscribed"]
    assert still_texted == [], f"numbers that replied {still_texted} must be opted out of SMS"
    assert facts_of(ws, "optouts.csv") == [("sms", "unsubscribed", "2026-06-01T12:00:00")] * len(replies)
    # The keywords read; only the one that cannot be read at all is flagged, and says what was done.
    problems = {row.record.values[1]: row.problems for row in result.flagged_rows}
    assert list(problems) == ["Arrêtez"], problems
    assert "read as an opt-out" in problems["Arrêtez"][0], problems


def test_a_start_keyword_needs_to_be_clear_to_opt_back_in(ws, tmp_path):
    """START with a full stop is START; a reply that only begins with START is not read as one."""
    people = [("a@example.com", "+12025550201", "no"), ("b@example.com", "+12025550202", "no")]
    imported(ws, shop_customers(tmp_path / "customers_export.csv", *people), "2026-05-01 09:00Z")
    optouts = write_csv(tmp_path / "optouts.csv", SMS_OPTOUTS,
                        [["+12025550201", "Start.", "2026-06-01 12:00"],
                         ["+12025550202", "start? no", "2026-06-01 12:00"]])
    result = imported(ws, optouts, "2026-06-02 09:00Z")
    assert in_force(ws, "a@example.com")["sms"] == "granted"
    assert in_force(ws, "b@example.com")["sms"] == "unsubscribed"
    assert result.flagged == 1


# --------------------------------------------------------------------------
# 3. unsubscribe and suppression files
# --------------------------------------------------------------------------

SUPPRESSION_FILES = {
    # README: an "Unsubscribed at" column dates an unsubscribe; alone, the row is one.
    "unsub_at_only.csv": (["Email", "Unsubscribed at"], ["sam@example.com", "2024-06-01"],
                          ("unsubscribed", "2024-06-01")),
    "status_list.csv": (["Email", "Status"], ["sam@example.com", "unsubscribed"], ("unsubscribed", None)),
    "status_cleaned.csv": (["Email", "Status"], ["sam@example.com", "cleaned"], ("cleaned", None)),
    "status_bounced.csv": (["Email", "Status"], ["sam@example.com", "Bounced"], ("cleaned", None)),
    "status_denied.csv": (["Email", "Status"], ["sam@example.com", "denied"], ("denied", None)),
    "status_opted_out.csv": (["Email", "Status"], ["sam@example.com", "Opted out"], ("unsubscribed", None)),
    # Brevo's contacts export.
    "brevo_contacts.csv": (["EMAIL", "FIRSTNAME", "LASTNAME", "EMAIL_BLACKLISTED", "SMS_BLACKLISTED"],
                           ["sam@example.com", "Sam", "Stone", "true", "false"], ("unsubscribed", None)),
    # Klaviyo's suppressed profiles.
    "klaviyo_suppressed.csv": (["Email", "Suppression Reason", "Date Suppressed"],
                               ["sam@example.com", "Unsubscribed", "2024-06-01"], ("unsubscribed", "2024-06-01")),
    # SendGrid's suppression exports: only the file's name says what the rows are.
    "sendgrid_global_unsubscribes.csv": (["email", "created"], ["sam@example.com", "1717200000"],
                                         ("unsubscribed", None)),
    "sendgrid_bounces.csv": (["email", "created", "reason", "status"],
                             ["sam@example.com", "1717200000", "550 5.1.1 user unknown", "5.1.1"], ("cleaned", None)),
    "suppression_list.csv": (["Email Address", "Reason"], ["sam@example.com", "unsubscribed"], ("unsubscribed", None)),
}


@pytest.mark.parametrize("name", list(SUPPRESSION_FILES))
def test_unsubscribe_and_suppression_files_opt_the_address_out(ws, tmp_path, name):
    header, row, (status, when) = SUPPRESSION_FILES[name]
    imported(ws, shop_customers(tmp_path / "customers_export.csv", ("sam@example.com", "", "yes")),
             "2025-06-01 09:00Z")
    imported(ws, write_csv(tmp_path / name, header, [row]), "2025-06-02 09:00Z", ImportOptions(channel="email"))
    assert in_force(ws, "sam@example.com")["email"] == status, f"{name} must make the address {status}"
    facts = facts_of(ws, name)
    assert facts == [("email", status, when)], facts


def test_a_suppression_file_never_makes_an_opt_in(ws, tmp_path):
    """Rows whose status says nothing is wrong, or that an unsubscribe list names, add no "yes"."""
    path = write_csv(tmp_path / "status_list.csv", ["Email", "Status"],
                     [["ann@example.com", "subscribed"], ["bob@example.com", "active"],
                      ["cy@example.com", "unsubscribed"]])
    imported(ws, path, "2025-06-02 09:00Z", ImportOptions(channel="email"))
    assert facts_of(ws, "status_list.csv") == [("email", "unsubscribed", None)]
    unsubs = write_csv(tmp_path / "unsubscribes.csv", ["Email", "Status"], [["dee@example.com", "subscribed"]])
    imported(ws, unsubs, "2025-06-03 09:00Z", ImportOptions(channel="email"))
    assert facts_of(ws, "unsubscribes.csv") == [("email", "unsubscribed", None)]


# A hand-kept list named for what it is, with whatever columns say who: the channels its name closes.
NAMED_LISTS = {
    "do_not_contact.csv": {"email": "unsubscribed", "sms": "unsubscribed", "whatsapp": "unsubscribed"},
    "Do Not Contact list.csv": {"email": "unsubscribed", "sms": "unsubscribed", "whatsapp": "unsubscribed"},
    "dnc_list.csv": {"email": "unsubscribed", "sms": "unsubscribed", "whatsapp": "unsubscribed"},
    "do-not-email.csv": {"email": "unsubscribed"},
    "Do Not Mail list.csv": {"email": "unsubscribed"},
    "do_not_call.csv": {"sms": "unsubscribed", "whatsapp": "unsubscribed"},
    "DoNotText.csv": {"sms": "unsubscribed", "whatsapp": "unsubscribed"},
}


@pytest.mark.parametrize("name", list(NAMED_LISTS))
def test_a_do_not_contact_list_closes_the_channels_its_name_says(ws, tmp_path, name):
    # "do not contact" was read as a plain contacts file: the "not" of its name counted as a
    # negation ("customers_not_unsubscribed.csv"), and a DNC list with an email column closed
    # email only, leaving the number it was kept for in the SMS pack.
    imported(ws, shop_customers(tmp_path / "customers_export.csv", ("sam@example.com", "+12075550101", "yes")),
             "2025-06-01 09:00Z")
    path = write_csv(tmp_path / name, ["Name", "Email", "Phone"], [["Sam Stone", "sam@example.com", "(207) 555-0101"]])
    imported(ws, path, "2025-06-02 09:00Z")
    assert {ch: status for ch, status, _ in facts_of(ws, name)} == NAMED_LISTS[name]
    said = in_force(ws, "sam@example.com")
    assert {ch: said.get(ch) for ch in NAMED_LISTS[name]} == NAMED_LISTS[name]
    if "sms" not in NAMED_LISTS[name]:
        assert said["sms"] == "granted"


def test_a_name_saying_the_list_is_not_of_opt_outs_is_a_contacts_file(ws, tmp_path):
    path = write_csv(tmp_path / "customers_not_on_do_not_contact.csv", ["Name", "Email"],
                     [["Sam Stone", "sam@example.com"]])
    imported(ws, path, "2025-06-02 09:00Z")
    assert facts_of(ws, "customers_not_on_do_not_contact.csv") == []


# Consent columns the importer left unmapped, and so unread, without a word: their "no" stayed a yes.
OPT_OUT_COLUMNS = {
    # HubSpot's contacts export: one "Opted out of email: <subscription>" column per subscription type.
    "hubspot-crm-exports-all-contacts.csv": (
        ["Record ID", "First Name", "Last Name", "Email", "Phone Number", "Marketing contact status",
         "Unsubscribed from all email", "Opted out of email: Marketing Information", "Opted out of email: One to One"],
        ["5101", "Sam", "Stone", "sam@example.com", "+12075550101", "Marketing contact", "false", "true", "false"],
        {"email": "unsubscribed", "sms": "granted"}),
    # Constant Contact's contacts export.
    "constant_contact_export.csv": (
        ["Email address", "First name", "Last name", "Email permission status", "Email update source"],
        ["sam@example.com", "Sam", "Stone", "Unsubscribed", "Contact"], {"email": "unsubscribed", "sms": "granted"}),
    "cc_implicit.csv": (
        ["Email address", "First name", "Last name", "Email permission status"],
        ["sam@example.com", "Sam", "Stone", "Implicit"], {"email": "denied", "sms": "granted"}),
    "email_tool_status.csv": (["Email", "Email Status", "SMS Status"],
                              ["sam@example.com", "Spam complaint", "Opted Out"],
                              {"email": "unsubscribed", "sms": "unsubscribed"}),
    "complaints_flag.csv": (["Email", "Spam complaint"], ["sam@example.com", "yes"],
                            {"email": "unsubscribed", "sms": "granted"}),
    "subscribed_flag.csv": (["Email", "Email Subscribed"], ["sam@example.com", "false"],
                            {"email": "denied", "sms": "granted"}),
}


@pytest.mark.parametrize("name", list(OPT_OUT_COLUMNS))
def test_opt_out_columns_of_crm_and_email_tools_are_read(ws, tmp_path, name):
    header, row, expected = OPT_OUT_COLUMNS[name]
    imported(ws, shop_customers(tmp_path / "customers_export.csv", ("sam@example.com", "+12075550101", "yes")),
             "2025-06-01 09:00Z")
    imported(ws, write_csv(tmp_path / name, header, [row]), "2025-06-02 09:00Z")
    said = in_force(ws, "sam@example.com")
    assert {ch: said.get(ch) for ch in expected} == expected


# --------------------------------------------------------------------------
# 4. a consent date that could be day/month or month/day
# --------------------------------------------------------------------------


def mailchimp(path, header, **values):
    row = {"Email Address": "abe@example.com", "First Name": "Abe", "Last Name": "Ames", "LEID": "11",
           "EUID": "a1b2c3", **values}
    return write_csv(path, header, rows_of(header, row))


def test_a_time_without_a_zone_counts_on_its_safer_day(ws, tmp_path):
    """Mailchimp's CONFIRM_TIME "2026-03-19 03:00:00" has no zone: read on the New York shop's clock it
    is the 19th, read as UTC it is 23:00 on the 18th.  The help desk's unsubscribe came at 23:30 on
    the 18th, New York time.  The "yes" counts on the earlier of its two days, the 18th: on one day
    the stricter answer wins, and the unsubscribe stands, whichever way the file meant its time."""
    imported(ws, mailchimp(tmp_path / "subscribed_members_export_abc.csv", MAILCHIMP_SUBSCRIBED,
                           CONFIRM_TIME="2026-03-19 03:00:00", LAST_CHANGED="2026-03-19 03:00:00"),
             "2026-03-20 09:00Z")
    desk = write_csv(tmp_path / "unsubscribes_helpdesk.csv", ["Email", "Email consent", "Consent date"],
                     [["abe@example.com", "unsubscribed", "2026-03-18T23:30:00-04:00"]])
    imported(ws, desk, "2026-03-20 10:00Z", ImportOptions(channel="email"))
    assert in_force(ws, "abe@example.com")["email"] == "unsubscribed"
    # A yes on the day after both readings' days is still a later yes.
    later = write_csv(tmp_path / "signup_form.csv", ["Email", "Email consent", "Consent date"],
                      [["abe@example.com", "yes", "2026-03-20 15:00:00"]])
    imported(ws, later, "2026-03-21 09:00Z", ImportOptions(channel="email"))
    assert in_force(ws, "abe@example.com")["email"] == "granted"


def test_an_unsubscribe_time_without_a_zone_counts_on_its_later_day(make_workspace, tmp_path):
    """Tokyo: UNSUB_TIME "2026-03-18 20:00:00" is the 18th on the shop's clock, 05:00 on the 19th read as
    UTC; a sign-up's "yes" at 01:00 on the 19th, Tokyo time, does not lift it."""
    ws = make_workspace(timezone="Asia/Tokyo")
    imported(ws, mailchimp(tmp_path / "unsubscribed_members_export_abc.csv", MAILCHIMP_UNSUBSCRIBED,
                           UNSUB_TIME="2026-03-18 20:00:00"), "2026-03-20 09:00Z")
    form = write_csv(tmp_path / "signup_form.csv", ["Email", "Email consent", "Consent date"],
                     [["abe@example.com", "yes", "2026-03-19T01:00:00+09:00"]])
    imported(ws, form, "2026-03-20 10:00Z", ImportOptions(channel="email"))
    assert in_force(ws, "abe@example.com")["email"] == "unsubscribed"


def test_a_yes_dated_only_by_an_ambiguous_date_does_not_lift_an_unsubscribe(ws, tmp_path):
    """11/05/2026 is 5 November read month-first (the US region), 11 May day-first: the import
    cannot know, so the "yes" is undated, and an undated yes never lifts the July unsubscribe."""
    imported(ws, mailchimp(tmp_path / "unsubscribed_members_export_1a.csv", MAILCHIMP_UNSUBSCRIBED,
                           UNSUB_TIME="2026-07-01 10:00:00"), "2026-07-02 09:00Z")
    signups = write_csv(tmp_path / "newsletter_signups_uk.csv",
                        ["Email", "First name", "Email consent", "Consent date"],
                        [["abe@example.com", "Abe", "yes", "11/05/2026"]])
    imported(ws, signups, "2026-12-01 09:00Z")
    assert facts_of(ws, "newsletter_signups_uk.csv") == [("email", "granted", None)], \
        "a guessed day/month order must not date a yes"
    assert in_force(ws, "abe@example.com")["email"] == "unsubscribed"


def test_an_unsubscribe_with_an_ambiguous_date_takes_the_later_reading(ws, tmp_path):
    """05/11/2026 is 11 May or 5 November: the opt-out counts from 5 November, so a confirmed
    sign-up of 1 July (between the two readings) does not lift it."""
    unsubs = write_csv(tmp_path / "newsletter_unsubscribes.csv", ["Email", "Email consent", "Consent date"],
                       [["abe@example.com", "unsubscribed", "05/11/2026"]])
    imported(ws, unsubs, "2026-12-01 09:00Z")
    assert facts_of(ws, "newsletter_unsubscribes.csv") == [("email", "unsubscribed", "2026-11-05")]
    imported(ws, mailchimp(tmp_path / "subscribed_members_export_1a.csv", MAILCHIMP_SUBSCRIBED,
                           OPTIN_TIME="2026-07-01 10:00:00", CONFIRM_TIME="2026-07-01 10:00:00"), "2026-12-02 09:00Z")
    assert in_force(ws, "abe@example.com")["email"] == "unsubscribed"


def test_a_date_the_column_proves_still_dates_a_yes(ws, tmp_path):
    """A column with 25/12/2025 in it is day-first: its 11/05/2026 is 11 May, not a guess."""
    signups = write_csv(tmp_path / "newsletter_signups_uk.csv", ["Email", "Email consent", "Consent date"],
                        [["abe@example.com", "yes", "11/05/2026"], ["bea@example.com", "yes", "25/12/2025"]])
    imported(ws, signups, "2026-12-01 09:00Z")
    assert facts_of(ws, "newsletter_signups_uk.csv") == [("email", "granted", "2026-05-11"),
                                                         ("email", "granted", "2025-12-25")]


# --------------------------------------------------------------------------
# an opt-out's number written as another country writes it at home
# --------------------------------------------------------------------------


def test_an_opt_out_written_for_another_country_reaches_the_number_it_is(ws, tmp_path):
    """A US shop's SMS opt-out list holds "07911 123456", a UK mobile without its +44: no US number.
    The UK customer who has it must not stay textable; numbers the workspace does not know stay flagged."""
    from omnidesk.core.campaigns.guards import refused_addresses

    people = write_csv(tmp_path / "customers.csv", ["First Name", "Last Name", "Email", "Phone", "Country",
                                                    "SMS consent"], [
        ["Olivia", "Hart", "olivia@example.co.uk", "07911 123456", "GB", "yes"],
        ["Sam", "Lee", "sam@example.com", "(603) 555-0110", "US", "yes"],
        # The same digits at home in France and in the Netherlands: one opt-out, two numbers it can be.
        ["Jean", "Morel", "jean@example.fr", "06 12 34 56 78", "FR", "yes"],
        ["Joost", "Bakker", "joost@example.nl", "06 12 34 56 78", "NL", "yes"],
    ])
    imported(ws, people, "2026-05-01 09:00Z", ImportOptions(channel="shop"))
    assert in_force(ws, "olivia@example.co.uk")["sms"] == "granted"
    optouts = write_csv(tmp_path / "optouts.csv", SMS_OPTOUTS, [
        ["07911 123456", "STOP", "2026-06-01 12:00"], ["(603) 555-0110", "STOP", "2026-06-01 12:00"],
        ["06 12 34 56 78", "STOP", "2026-06-01 12:00"], ["07700 900999", "STOP", "2026-06-01 12:00"]])
    result = imported(ws, optouts, "2026-06-02 09:00Z")
    assert result.preset == "sms_optouts"
    assert in_force(ws, "olivia@example.co.uk")["sms"] == "unsubscribed"
    assert in_force(ws, "sam@example.com")["sms"] == "unsubscribed"
    # Which of the two the French-or-Dutch digits are, nothing says: both are kept from any send.
    with ws.engine.connect() as conn:
        refused = set(conn.execute(refused_addresses("sms")).scalars())
    assert {"+447911123456", "+16035550110", "+33612345678", "+31612345678"} <= refused, refused
    # Each row read so says what it was read as, and the unknown number is flagged as before.
    problems = {row.record.values[0]: row.problems[0] for row in result.flagged_rows}
    assert set(problems) == {"07911 123456", "06 12 34 56 78", "07700 900999"}, problems
    assert "read as +44 7911 123456" in problems["07911 123456"]
    assert "+31 6 12345678 or +33 6 12 34 56 78" in problems["06 12 34 56 78"]
    assert problems["07700 900999"].startswith("Phone Number: not a valid phone number for region US")
    assert "read as +" not in problems["07700 900999"] and "no number known yet" in problems["07700 900999"]


def test_a_contact_row_is_never_joined_by_a_guessed_number(ws, tmp_path):
    """Only a refusal is read by a known number: a contact's would join two records on a guess."""
    imported(ws, write_csv(tmp_path / "uk.csv", ["Name", "Phone", "Country"],
                           [["Olivia Hart", "07911 123456", "GB"]]), "2026-05-01 09:00Z")
    result = imported(ws, write_csv(tmp_path / "till.csv", ["Name", "Phone"], [["Liv Hart", "07911 123456"]]),
                      "2026-05-02 09:00Z", ImportOptions(channel="pos"))
    [problems] = [row.problems for row in result.flagged_rows]
    assert len(problems) == 1 and problems[0].startswith("Phone: not a valid phone number for region US")
    assert "read as" not in problems[0], problems
    with ws.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM identifier WHERE value = '+447911123456'").scalar() == 1


def test_an_opt_out_imported_before_the_customer_reaches_them_when_they_come(ws, tmp_path):
    """The gateway's opt-outs first, the shop's customers after: the stop still holds."""
    optouts = write_csv(tmp_path / "optouts.csv", SMS_OPTOUTS, [["07911 123456", "STOP", "2026-06-01 12:00"]])
    first = imported(ws, optouts, "2026-06-02 09:00Z")
    [problem] = first.flagged_rows[0].problems
    assert "no number known yet has these digits" in problem
    people = write_csv(tmp_path / "customers.csv", ["First Name", "Last Name", "Email", "Phone", "Country",
                                                    "SMS consent"], [
        ["Olivia", "Hart", "olivia@example.co.uk", "07911 123456", "GB", "yes"],
        ["Sam", "Lee", "sam@example.com", "(603) 555-0110", "US", "yes"]])
    imported(ws, people, "2026-05-01 09:00Z", ImportOptions(channel="shop"))
    assert in_force(ws, "olivia@example.co.uk")["sms"] == "unsubscribed"
    assert in_force(ws, "sam@example.com")["sms"] == "granted"
    # One customer: the opt-out's record joined Olivia's; the waiting digits show nowhere on her card.
    from omnidesk.core.provenance import identifier_sources

    olivia = find_customer(ws, "olivia@example.co.uk")
    with ws.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM customer").scalar() == 2
    assert {i.kind for i in identifier_sources(ws, olivia)} == {"email", "phone"}


@pytest.mark.parametrize("how", ["typed", "added", "pinned"])
def test_an_opt_out_waiting_for_its_number_reaches_a_number_typed_in_by_hand(ws, tmp_path, how):
    """The gateway's opt-outs wait with digits no customer has; the number is then typed on a card
    (or a customer is added with it, or it is pinned): no linking follows a hand edit, but the stop
    must still hold for that number."""
    from omnidesk.core.campaigns.guards import refused_addresses
    from omnidesk.core.edits import add_customer, set_value
    from omnidesk.core.identity.merge import pin_value

    optouts = write_csv(tmp_path / "optouts.csv", SMS_OPTOUTS, [["07911 123456", "STOP", "2026-06-01 12:00"]])
    imported(ws, optouts, "2026-06-02 09:00Z")
    imported(ws, write_csv(tmp_path / "shop.csv", ["First Name", "Last Name", "Email", "SMS consent"], [
        ["Olivia", "Hart", "olivia@example.co.uk", "yes"], ["Sam", "Lee", "sam@example.com", "yes"]]),
        "2026-06-03 09:00Z", ImportOptions(channel="shop"))

    def refused() -> set[str]:
        with ws.engine.connect() as conn:
            return set(conn.execute(refused_addresses("sms")).scalars())

    assert refused() == set()
    olivia = find_customer(ws, "olivia@example.co.uk")
    with time_machine.travel("2026-06-04 09:00Z", tick=False):
        if how == "typed":
            set_value(ws, olivia, "phone", "+44 7911 123456")
        elif how == "added":
            add_customer(ws, {"first_name": "Liv", "phone": "+44 7911 123456"})
        else:
            pin_value(ws, olivia, "phone", "+447911123456")
        # Another country's number with other digits reaches no opt-out.
        set_value(ws, find_customer(ws, "sam@example.com"), "phone", "+1 603 555 0110")
    assert refused() == {"+447911123456"}
    # The opt-out's own customer shows the number it was read as.
    with ws.engine.connect() as conn:
        shown = conn.exec_driver_sql("SELECT phone, consent_sms FROM customer WHERE consent_sms = 'unsubscribed'").all()
    assert [tuple(r) for r in shown] == [("+447911123456", "unsubscribed")]


def test_an_opt_in_date_does_not_date_the_no_beside_it(ws, tmp_path):
    """An SMS list's "Opted in: no" beside its "Opt-in date" of years ago: the "no" took the old
    sign-up date, so a START sent since (but before the export) outvoted the current no."""
    start = write_csv(tmp_path / "optouts.csv", SMS_OPTOUTS, [["(303) 555-0121", "START", "2025-03-01 12:00"]])
    imported(ws, start, "2025-03-02 09:00Z", ImportOptions(channel="sms"))
    assert in_force(ws, phone="+13035550121")["sms"] == "granted"
    listed = write_csv(tmp_path / "sms_subscribers.csv", ["Phone", "First name", "Opted in", "Opt-in date"],
                       [["+13035550121", "Grace", "no", "2024-12-22"],
                        ["+13035550122", "Hank", "yes", "2024-12-22"]])
    imported(ws, listed, "2026-09-01 09:00Z", ImportOptions(channel="sms"))
    assert facts_of(ws, "sms_subscribers.csv") == [("sms", "denied", None), ("sms", "granted", "2024-12-22")]
    assert in_force(ws, phone="+13035550121")["sms"] == "denied"
    # A neutral "Consent date" still dates whatever the row says.
    neutral = write_csv(tmp_path / "sms_list_2.csv", ["Phone", "First name", "Opted in", "Consent date"],
                        [["+13035550123", "Ida", "no", "2024-12-22"]])
    imported(ws, neutral, "2026-09-02 09:00Z", ImportOptions(channel="sms"))
    assert facts_of(ws, "sms_list_2.csv") == [("sms", "denied", "2024-12-22")]


def test_a_consent_column_in_a_list_of_numbers_is_about_texts_whatever_the_files_name(ws, tmp_path):
    """The same SMS list saved as "smslist.csv" (a name that says nothing) had its "Opted in: no"
    read as an email refusal, and the number stayed open to texts."""
    imported(ws, shop_customers(tmp_path / "customers_export.csv", ("gail@example.com", "+13035550121", "yes")),
             "2026-05-01 09:00Z")
    listed = write_csv(tmp_path / "smslist.csv", ["Phone", "First name", "Opted in"], [["+13035550121", "Gail", "no"]])
    imported(ws, listed, "2026-09-01 09:00Z")
    assert facts_of(ws, "smslist.csv") == [("sms", "denied", None)]
    assert in_force(ws, "gail@example.com") == {"email": "granted", "sms": "denied"}


# --------------------------------------------------------------------------
# 5. every consent column of a channel counts, and a preset's constant is never
#    made less strict by a cell
# --------------------------------------------------------------------------

# Klaviyo's export with both SMS consents, each with its own timestamp (the preset maps both).
KLAVIYO_TWO_SMS = ["Email", "Klaviyo ID", "First Name", "Last Name", "Phone Number", "Email Marketing Consent",
                   "Email Marketing Consent Timestamp", "SMS Consent", "SMS Consent Timestamp",
                   "SMS Marketing Consent", "SMS Marketing Consent Timestamp"]
# Mailchimp's cleaned export of an audience with a "Newsletter" merge field.
MAILCHIMP_CLEANED_NEWSLETTER = ["Email Address", "First Name", "Last Name", "Newsletter", "MEMBER_RATING",
                                "OPTIN_TIME", "OPTIN_IP", "CONFIRM_TIME", "CONFIRM_IP", "LATITUDE", "LONGITUDE",
                                "GMTOFF", "DSTOFF", "TIMEZONE", "CC", "REGION", "CLEAN_TIME",
                                "CLEAN_CAMPAIGN_TITLE", "CLEAN_CAMPAIGN_ID", "LEID", "EUID", "NOTES", "TAGS"]
MAILCHIMP_UNSUBSCRIBED_NEWSLETTER = [h for h in MAILCHIMP_UNSUBSCRIBED if h != "Interests"]
MAILCHIMP_UNSUBSCRIBED_NEWSLETTER.insert(MAILCHIMP_UNSUBSCRIBED_NEWSLETTER.index("Last Name") + 1, "Newsletter")


def packs(ws, out) -> dict[str, set[str]]:
    """Export a campaign to everyone with an email and a text step: channel -> the addresses in its pack."""
    set_brand(ws, "address", "1 Main St, Portland ME 04101")
    set_brand(ws, "sms_sender", "Shop")
    save_message(ws, "Promo", {"headline": "Promo", "link": "https://hc.example/a"}, variants={
        "sms": {"text": "Shop: Promo! https://hc.example/a Reply STOP"}})
    save_campaign(ws, "Promo", message="Promo", audience="everyone", mode="each_channel", steps=[
        {"channel": "email", "at": "2027-03-01T10:00", "timezone": "America/New_York"},
        {"channel": "sms", "at": "2027-03-01T12:00", "timezone": "America/New_York"}])
    out.mkdir()
    summary = export_campaign(ws, "Promo", out, now=datetime(2027, 2, 1, 10, 0, tzinfo=UTC))
    got: dict[str, set[str]] = {}
    for step in summary.steps:
        with (out / step.file).open(encoding="utf-8", newline="") as fh:
            got[step.channel] = {row.get("Email Address") or row["Phone"] for row in csv.DictReader(fh)}
    return got


def klaviyo(path, *people: dict[str, str]):
    return write_csv(path, KLAVIYO_TWO_SMS, rows_of(KLAVIYO_TWO_SMS, *people))


def test_a_later_sms_marketing_unsubscribe_beside_an_sms_consent_yes_opts_the_number_out(ws, tmp_path):
    """Klaviyo's "SMS Consent" said SUBSCRIBED in January, its "SMS Marketing Consent" UNSUBSCRIBED
    in June: only the first column was read, and the number was in the SMS pack."""
    profiles = klaviyo(tmp_path / "klaviyo_profiles.csv", {
        "Email": "cara@example.com", "Klaviyo ID": "01HZKCARA0001", "First Name": "Cara", "Last Name": "Cole",
        "Phone Number": "+12075550133", "Email Marketing Consent": "SUBSCRIBED",
        "Email Marketing Consent Timestamp": "2026-01-10T10:00:00+00:00", "SMS Consent": "SUBSCRIBED",
        "SMS Consent Timestamp": "2026-01-10T10:00:00+00:00", "SMS Marketing Consent": "UNSUBSCRIBED",
        "SMS Marketing Consent Timestamp": "2026-06-01T10:00:00+00:00"}, {
        "Email": "dan@example.com", "Klaviyo ID": "01HZKDAN0001", "First Name": "Dan", "Last Name": "Dale",
        "Phone Number": "+12075550134", "Email Marketing Consent": "SUBSCRIBED",
        "Email Marketing Consent Timestamp": "2026-01-10T10:00:00+00:00", "SMS Consent": "SUBSCRIBED",
        "SMS Consent Timestamp": "2026-01-10T10:00:00+00:00", "SMS Marketing Consent": "SUBSCRIBED",
        "SMS Marketing Consent Timestamp": "2026-06-01T10:00:00+00:00"})
    assert imported(ws, profiles, "2026-07-01 09:00Z").preset == "klaviyo"
    # Each column is a fact of its own, dated by its own timestamp.
    assert sorted(facts_of(ws, "klaviyo_profiles.csv")[:3]) == [
        ("email", "granted", "2026-01-10T10:00:00+00:00"), ("sms", "granted", "2026-01-10T10:00:00+00:00"),
        ("sms", "unsubscribed", "2026-06-01T10:00:00+00:00")]
    assert in_force(ws, "cara@example.com") == {"email": "granted", "sms": "unsubscribed"}
    assert in_force(ws, "dan@example.com") == {"email": "granted", "sms": "granted"}
    assert packs(ws, tmp_path / "out") == {"email": {"cara@example.com", "dan@example.com"},
                                           "sms": {"+12075550134"}}


def test_two_sms_consents_of_one_day_or_without_a_time_leave_the_number_opted_out(ws, tmp_path):
    """The same day (though hours apart, and on different UTC days), or a stop without a timestamp
    of its own: the stricter reading wins, whichever column says it; an empty timestamp is not
    read from the other column's."""
    people = []
    for n, (yes_column, stop_column) in enumerate([("SMS Consent", "SMS Marketing Consent"),
                                                   ("SMS Marketing Consent", "SMS Consent")]):
        people += [{
            "Email": f"eve{n}@example.com", "Klaviyo ID": f"01HZKEVE{n}", "First Name": "Eve", "Last Name": f"Egan{n}",
            "Phone Number": f"+1207555014{n}", yes_column: "SUBSCRIBED",
            f"{yes_column} Timestamp": "2026-06-02T02:00:00+00:00",  # 1 June, 22:00 in Portland
            stop_column: "UNSUBSCRIBED", f"{stop_column} Timestamp": "2026-06-01T13:00:00+00:00"}, {
            "Email": f"fay{n}@example.com", "Klaviyo ID": f"01HZKFAY{n}", "First Name": "Fay", "Last Name": f"Ford{n}",
            "Phone Number": f"+1207555015{n}", yes_column: "SUBSCRIBED",
            f"{yes_column} Timestamp": "2026-06-20T10:00:00+00:00", stop_column: "UNSUBSCRIBED"}]
    imported(ws, klaviyo(tmp_path / "klaviyo_profiles.csv", *people), "2026-07-01 09:00Z")
    assert facts_of(ws, "klaviyo_profiles.csv").count(("sms", "unsubscribed", None)) == 2, \
        "a stop without a timestamp of its own must not take the other column's"
    for person in people:
        assert in_force(ws, person["Email"])["sms"] == "unsubscribed", person["Email"]
    assert packs(ws, tmp_path / "out")["sms"] == set()


@pytest.mark.parametrize("columns", [("Newsletter", "Email consent"),
                                     ("Accepts Email Marketing", "Email Marketing Consent")])
def test_a_yes_in_one_email_consent_column_does_not_hide_an_unsubscribe_in_another(ws, tmp_path, columns):
    """A list with two email consent columns, "yes" in one and "unsubscribed" in the other: Bob was
    in the email pack, his "yes" coming first (Bea, with the "stop" first, was not)."""
    path = write_csv(tmp_path / "newsletter_list.csv", ["Email", "First Name", "Last Name", *columns], [
        ["bob@example.com", "Bob", "Baker", "yes", "unsubscribed"],
        ["bea@example.com", "Bea", "Baker", "unsubscribed", "yes"],
        ["ann@example.com", "Ann", "Ames", "yes", "yes"]])
    imported(ws, path, "2026-07-01 09:00Z")
    assert in_force(ws, "bob@example.com")["email"] == "unsubscribed"
    assert in_force(ws, "bea@example.com")["email"] == "unsubscribed"
    assert in_force(ws, "ann@example.com")["email"] == "granted"
    assert packs(ws, tmp_path / "out")["email"] == {"ann@example.com"}


def test_a_newsletter_yes_in_a_cleaned_export_does_not_reopen_a_bounced_address(ws, tmp_path):
    """Mailchimp's cleaned export says every row bounced; the audience's "Newsletter" merge field
    saying "Yes" replaced that, and the address went back into the email pack."""
    imported(ws, shop_customers(tmp_path / "customers_export.csv", ("cleo@example.com", "", "yes")),
             "2026-09-01 09:00Z")
    cleaned = write_csv(tmp_path / "cleaned_members_export_319da7fa07.csv", MAILCHIMP_CLEANED_NEWSLETTER,
                        rows_of(MAILCHIMP_CLEANED_NEWSLETTER, {
                            "Email Address": "cleo@example.com", "First Name": "Cleo", "Last Name": "Stone",
                            "Newsletter": "Yes", "MEMBER_RATING": "1", "CONFIRM_TIME": "2025-01-01 10:00:00",
                            "CLEAN_TIME": "2026-10-01 10:00:00", "CLEAN_CAMPAIGN_TITLE": "Fall",
                            "CLEAN_CAMPAIGN_ID": "abc123", "LEID": "111", "EUID": "eu1"}))
    assert imported(ws, cleaned, "2026-10-02 09:00Z").preset == "mailchimp_cleaned"
    assert facts_of(ws, cleaned.name) == [("email", "cleaned", "2026-10-01T10:00:00")]
    assert in_force(ws, "cleo@example.com")["email"] == "cleaned"
    assert packs(ws, tmp_path / "out")["email"] == set()


def test_a_newsletter_yes_in_an_unsubscribed_export_without_a_time_stays_an_unsubscribe(ws, tmp_path):
    """Mailchimp's unsubscribed export with UNSUB_TIME empty and "Newsletter: Yes": the row was read
    as a yes dated by the sign-up, and the address stayed in the email pack."""
    imported(ws, shop_customers(tmp_path / "customers_export.csv", ("uma@example.com", "", "yes")),
             "2026-09-01 09:00Z")
    unsubs = write_csv(tmp_path / "unsubscribed_members_export_1a.csv", MAILCHIMP_UNSUBSCRIBED_NEWSLETTER,
                       rows_of(MAILCHIMP_UNSUBSCRIBED_NEWSLETTER, {
                           "Email Address": "uma@example.com", "First Name": "Uma", "Last Name": "Stone",
                           "Newsletter": "Yes", "MEMBER_RATING": "2", "OPTIN_TIME": "2026-09-15 10:00:00",
                           "CONFIRM_TIME": "2026-09-15 10:00:00", "LEID": "12", "EUID": "e12"}))
    assert imported(ws, unsubs, "2026-10-02 09:00Z").preset == "mailchimp_unsubscribed"
    assert facts_of(ws, unsubs.name) == [("email", "unsubscribed", None)]
    assert in_force(ws, "uma@example.com")["email"] == "unsubscribed"
    assert packs(ws, tmp_path / "out")["email"] == set()


@pytest.mark.parametrize("answer", ["Nope", "nah", "Never", "Nope, thanks"])
def test_a_surveys_own_word_for_no_is_a_no(make_workspace, tmp_path, answer):
    """A later survey answered "Nope" to SMS: the cell was flagged and read as nothing, so the
    shop's older "yes" stood and the number stayed in the SMS pack."""
    ws = make_workspace(timezone="America/New_York")
    imported(ws, write_csv(tmp_path / "customers_export.csv", SHOPIFY_CUSTOMERS, rows_of(
        SHOPIFY_CUSTOMERS, {"First Name": "Dina", "Last Name": "Dunn", "Email": "dina@example.com",
                            "Accepts Email Marketing": "yes", "Phone": "+12075550144",
                            "Accepts SMS Marketing": "yes", "Total Spent": "10.00", "Total Orders": "1"})),
             "2026-03-01 12:00Z")
    survey = write_csv(tmp_path / "survey.csv", ["Email", "First Name", "Last Name", "Newsletter", "SMS opt in"],
                       [["dina@example.com", "Dina", "Dunn", "No thanks", answer]])
    result = imported(ws, survey, "2026-04-01 12:00Z")
    assert result.flagged == 0
    assert in_force(ws, "dina@example.com") == {"email": "denied", "sms": "denied"}


# --------------------------------------------------------------------------
# 5. a European list's own yes and no
# --------------------------------------------------------------------------

# A newsletter list as a French, German, Dutch, Spanish or Italian shop keeps it: its own headers
# (the consent header is one the importer maps), its own separator, its own words for yes and no.
EUROPEAN_LISTS = {
    "fr": (["Courriel", "Prénom", "Nom", "Consentement"], ";", ["Non", "non", "NON, merci"], ["Oui"]),
    "de": (["E-Mail", "Vorname", "Nachname", "Einwilligung"], ";", ["Nein", "nein danke", "FALSCH"], ["Ja", "WAHR"]),
    "nl": (["E-mailadres", "Voornaam", "Achternaam", "Nieuwsbrief"], ";", ["Nee"], ["Ja"]),
    # "Sí" also as a Mac writes it: S, i and a combining accent.
    "es": (["Correo electrónico", "Nombre", "Apellido", "Acepta marketing"], ";", ["No"], ["Sí", "Si", "Si\u0301"]),
    "it": (["Email", "Nome", "Cognome", "Iscritto"], ";", ["No"], ["Sì", "Si"]),
}


def european_list(path, lang: str, *rows: tuple[str, str]):
    """The list in ``lang``: (email, consent cell) per person."""
    header, delimiter, _, _ = EUROPEAN_LISTS[lang]
    return write_csv(path, header, [[email, email.split("@")[0].capitalize(), "Stone", answer]
                                    for email, answer in rows], delimiter=delimiter)


def test_an_old_sheets_yes_imported_after_the_shops_no_does_not_reopen_it(ws, tmp_path):
    """The shop's export says "no" (undated, a flag as of the file); the next day an old newsletter
    sheet without dates says "yes".  Import order is not export order: nothing says the sheet's yes
    came after the shop's no, so the no stands, as it does when both are imported the same day.  A
    later export of the shop itself is its newer snapshot: its "yes" is a change of mind."""
    imported(ws, shop_customers(tmp_path / "customers_export.csv", ("ann@example.com", "", "no")),
             "2026-05-01 09:00Z")
    sheet = write_csv(tmp_path / "newsletter_2019.csv", ["Email", "Name", "Newsletter"],
                      [["ann@example.com", "Ann Stone", "yes"]])
    imported(ws, sheet, "2026-05-02 09:00Z", ImportOptions(channel="email"))
    assert in_force(ws, "ann@example.com")["email"] == "denied"
    imported(ws, shop_customers(tmp_path / "customers_export_june.csv", ("ann@example.com", "", "yes")),
             "2026-06-01 09:00Z")
    assert in_force(ws, "ann@example.com")["email"] == "granted"


@pytest.mark.parametrize("lang", sorted(EUROPEAN_LISTS))
def test_a_european_lists_no_takes_back_the_shops_yes_and_its_yes_is_read(ws, tmp_path, lang):
    """The shop's export said yes (or no); a later newsletter list in the shop's language says
    "Non"/"Nein"/"Nee"/"No" (or "Oui"/"Ja"/"Sí"/"Sì"): each cell is a consent fact, not a flagged
    cell.  Its "no" takes back the shop's yes; its undated "yes" is another tool's word, no newer
    than the shop's undated "no", which stands (the safer reading)."""
    _, _, noes, yeses = EUROPEAN_LISTS[lang]
    said_no = [(f"no{n}@example.com", word) for n, word in enumerate(noes)]
    said_yes = [(f"yes{n}@example.com", word) for n, word in enumerate(yeses)]
    imported(ws, shop_customers(tmp_path / "customers_export.csv",
                                *[(email, "", "yes") for email, _ in said_no],
                                *[(email, "", "no") for email, _ in said_yes]), "2026-05-01 09:00Z")
    path = european_list(tmp_path / f"newsletter_{lang}.csv", lang, *said_no, *said_yes)
    result = imported(ws, path, "2026-06-01 09:00Z", ImportOptions(channel="email"))
    assert result.flagged == 0, [fr.problems for fr in result.flagged_rows]
    assert facts_of(ws, path.name) == [("email", "denied", None)] * len(said_no) + \
        [("email", "granted", None)] * len(said_yes)
    assert {email: in_force(ws, email)["email"] for email, _ in said_no + said_yes} == {
        email: "denied" for email, _ in said_no + said_yes}


@pytest.mark.parametrize("word", ["Abgemeldet", "désabonné", "Désinscrite", "uitgeschreven", "Dado de baja",
                                  "disiscritto"])
def test_a_european_lists_unsubscribed_is_an_unsubscribe(ws, tmp_path, word):
    """"Unsubscribed" in the list's own language, in its consent column or as a person's status."""
    imported(ws, shop_customers(tmp_path / "customers_export.csv", ("ada@example.com", "", "yes"),
                                ("bo@example.com", "", "yes")), "2026-05-01 09:00Z")
    consent = european_list(tmp_path / "newsletter.csv", "de", ("ada@example.com", word))
    imported(ws, consent, "2026-06-01 09:00Z", ImportOptions(channel="email"))
    status = write_csv(tmp_path / "kontakte.csv", ["E-Mail", "Vorname", "Nachname", "Status"],
                       [["bo@example.com", "Bo", "Stone", word]])
    imported(ws, status, "2026-06-01 09:00Z")
    assert in_force(ws, "ada@example.com")["email"] == "unsubscribed"
    assert in_force(ws, "bo@example.com")["email"] == "unsubscribed"


@pytest.mark.parametrize("word", ["Vielleicht", "Jein", "Peut-être", "Sí?", "ja nee"])
def test_a_word_of_a_european_list_that_is_no_yes_or_no_stays_flagged(ws, tmp_path, word):
    """Consent is never guessed in the marketer's favour: a word that is neither a yes nor a no is a
    flagged cell and no fact; the shop's "no" stands."""
    imported(ws, shop_customers(tmp_path / "customers_export.csv", ("ada@example.com", "", "no")),
             "2026-05-01 09:00Z")
    path = european_list(tmp_path / "newsletter.csv", "de", ("ada@example.com", word))
    result = imported(ws, path, "2026-06-01 09:00Z", ImportOptions(channel="email"))
    assert result.flagged == 1 and "not a consent value" in str(result.flagged_rows[0].problems)
    assert facts_of(ws, path.name) == []
    assert in_force(ws, "ada@example.com")["email"] == "denied"


# --------------------------------------------------------------------------
# 6. a header line repeated inside the file
# --------------------------------------------------------------------------


def test_a_header_line_repeated_inside_the_file_is_kept_as_read_but_is_nobody(ws, tmp_path):
    """January's and February's exports pasted one under the other: February's header line (here
    retyped in other case and spacing) is no customer "First Name Last Name" whose "Accepts
    Marketing" grants consent; it is kept as read and skipped, and says why."""
    path = tmp_path / "customers_jan_and_feb.csv"
    path.write_bytes(b"Email,First Name,Last Name,Phone,Accepts Marketing\r\n"
                     b"ann@example.com,Ann,Lee,,yes\r\n"
                     b"EMAIL, first name ,Last  Name,Phone,accepts marketing\r\n"
                     b"bob@example.com,Bob,Ray,,no\r\n")
    result = imported(ws, path, "2026-06-01 09:00Z")
    assert (result.rows, result.imported, result.skipped, result.flagged) == (3, 2, 1, 0)
    assert result.skipped_rows == {REPEATED_HEADER: [2]}
    assert "header line again" in result.skip_notes()[0]
    with ws.engine.connect() as conn:
        customers = conn.exec_driver_sql("SELECT display_name, email, consent_email FROM customer ORDER BY id").all()
        kept = conn.exec_driver_sql("SELECT raw_json FROM source_record ORDER BY record_no").all()
    assert [tuple(c) for c in customers] == [("Ann Lee", "ann@example.com", "granted"),
                                             ("Bob Ray", "bob@example.com", "denied")]
    assert json.loads(kept[1][0]) == ["EMAIL", " first name ", "Last  Name", "Phone", "accepts marketing"]
    assert facts_of(ws, path.name) == [("email", "granted", None), ("email", "denied", None)]


def test_a_row_with_a_few_header_words_is_still_a_person_and_a_header_word_is_no_yes(ws, tmp_path):
    """Only a row most of whose cells are the header's is the header again.  A person's consent cell
    that says "Accepts Marketing" is no answer: flagged, and no fact."""
    path = write_csv(tmp_path / "signups.csv", ["Email", "First Name", "Last Name", "Accepts Marketing"],
                     [["cy@example.com", "First Name", "Cole", "Accepts Marketing"]])
    result = imported(ws, path, "2026-06-01 09:00Z")
    assert (result.imported, result.skipped, result.flagged) == (1, 0, 1)
    assert "not a consent value" in str(result.flagged_rows[0].problems)
    assert facts_of(ws, path.name) == []
