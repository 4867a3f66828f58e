"""A vendor's way of saying "not subscribed" never reads as a yes.

Each export is imported the real way into a real workspace, then read back from the stored
consent column (the customers export) and from a "consent.email is granted" rule, which is what a
campaign's audience and a segment go by:

* a header that refuses consent ("Email Unsubscribed", "No newsletter", "Email not subscribed") is
  an opt-out column, never taken for the consent it refuses because the two differ by a letter or
  two: True in "Email Unsubscribed" is an unsubscribe, False is no answer at all;
* Square's customers export: its older "Email Unsubscribed" column the same way, and its newer
  "Email Subscription Status" as a status that only says no: Square counts as "Subscribed" every
  customer with an email address that has not bounced or unsubscribed, which is no opt-in.  Such
  a customer's consent is unknown, and the shop's setting for unknown consent decides whether a
  campaign reaches them; Unsubscribed and Bounced never;
* Mailchimp's audience export: its non-subscribed contacts (added, never opted in; Mailchimp sends
  them no marketing) are a "no" whatever the settings for unknown consent.  The subscribed and the
  non-subscribed files share one header and only their names tell them apart, so a file with that
  header under another name gives no one consent, and the import says so.
"""

from __future__ import annotations

import csv
import zipfile

import pytest

import time_machine

from omnidesk.cli import main
from omnidesk.core.campaigns import guards
from omnidesk.core.campaigns.campaign import get_campaign, save_campaign
from omnidesk.core.exporting.tables import export_customers
from omnidesk.core.importing.analysis import analyze
from omnidesk.core.importing.column_guess import guess_mapping
from omnidesk.core.importing.fields import FIELDS_BY_NAME, FieldType
from omnidesk.core.importing.pipeline import import_file
from omnidesk.core.importing.presets import get_preset
from omnidesk.core.messages.store import save_message
from omnidesk.core.timeline import find_customer
from tests.helpers import write_csv

COLUMNS = ["id", "first_name", "email", "consent_email", "consent_sms"]


def _export(ws, tmp_path, name, **kwargs) -> dict[str, dict[str, str]]:
    out = tmp_path / name
    out.unlink(missing_ok=True)
    export_customers(ws, out, columns=COLUMNS, **kwargs)
    with out.open(encoding="utf-8", newline="") as fh:
        return {r["first_name"]: r for r in csv.DictReader(fh)}


def consent(ws, tmp_path, channel: str = "email") -> dict[str, str]:
    """Each customer's stored consent on ``channel`` ("" when unknown)."""
    return {name: row[f"consent_{channel}"] for name, row in _export(ws, tmp_path, "all.csv").items()}


def granted(ws, tmp_path, channel: str = "email") -> set[str]:
    """Who a "consent is granted" rule lets through on ``channel``."""
    rule = {"field": f"consent.{channel}", "op": "is", "value": "granted"}
    return set(_export(ws, tmp_path, f"granted_{channel}.csv", rule=rule))


def reached(ws, *emails: str) -> dict[str, bool]:
    """Whether an email campaign to everyone reaches each of ``emails``."""
    save_message(ws, "Sale", {"headline": "Sale", "link": "https://shop.example/sale"}, replace=True)
    save_campaign(ws, "Spring", message="Sale", audience="everyone", mode="each_channel", replace=True,
                  steps=[{"channel": "email", "at": "2030-03-03T12:00", "timezone": "America/New_York"}])
    with time_machine.travel("2030-03-01T12:00Z", tick=False):
        (step,) = guards.plan_audiences(ws, get_campaign(ws, "Spring"))
    return {email: find_customer(ws, email) in (step.eligible or []) for email in emails}


@pytest.mark.parametrize("header", [
    "Email Unsubscribed", "Emails unsubscribed", "Email Unsubcribed", "Email unsubscribe", "Email not subscribed",
    "Email non consent", "No newsletter", "No Email Marketing", "Not opted in", "Unsubscribed email",
    "Non subscriber", "SMS non subscribed", "SMS not opted in", "Not WhatsApp opted in",
])
def test_a_header_that_refuses_consent_is_never_read_as_the_consent(header):
    (guess,) = guess_mapping([header])
    field = FIELDS_BY_NAME.get(guess.field)
    assert field is None or field.type is not FieldType.CONSENT, guess.reason


@pytest.mark.parametrize(("header", "field"), [
    ("Email Unsubscribed", "no_email"), ("Email not subscribed", "no_email"), ("No newsletter", "no_email"),
    ("SMS not opted in", "no_sms"),
])
def test_a_header_that_refuses_a_channels_consent_is_its_opt_out(header, field):
    assert guess_mapping([header])[0].field == field


def test_typos_and_synonyms_of_consent_still_read_as_consent():
    assert [g.field for g in guess_mapping(["Email sbscribed", "Accept marketing", "Phone no", "No. of orders"])] == [
        "consent_email", "consent_email", "phone", "total_orders"]


def test_true_in_an_unsubscribed_column_is_an_unsubscribe_and_false_no_answer(make_workspace, tmp_path):
    ws = make_workspace()
    import_file(ws, write_csv(tmp_path / "newsletter_list.csv", ["Email", "First Name", "Email Unsubscribed"], [
        ["irene@example.com", "Irene", "False"],
        ["jack@example.com", "Jack", "True"],
    ]))
    assert consent(ws, tmp_path) == {"Irene": "", "Jack": "unsubscribed"}
    assert granted(ws, tmp_path) == set()


# The header lines of Square's customers export, older (Email Unsubscribed) and newer.
SQUARE_OLD = ["Reference ID", "First Name", "Last Name", "Email Address", "Phone Number", "Nickname", "Company Name",
              "Street Address 1", "Street Address 2", "City", "State", "Postal Code", "Birthday", "Memo",
              "Square Customer ID", "Creation Source", "First Visit", "Last Visit", "Transaction Count", "Total Spend",
              "Email Unsubscribed", "Instant Profile", "Groups"]
SQUARE_NEW = ["Reference ID", "First Name", "Last Name", "Email Address", "Phone Number", "Nickname", "Company Name",
              "Street Address 1", "Street Address 2", "City", "State", "Postal Code", "Birthday", "Memo",
              "Square Customer ID", "Creation Source", "First Visit", "Last Visit", "Transaction Count",
              "Lifetime Spend", "Email Subscription Status", "Instant Profile", "Blocked from online booking",
              "Groups"]


def _square_row(header, first: str, n: int, **cells) -> list[str]:
    row = {"First Name": first, "Last Name": "Adler", "Email Address": f"{first.lower()}@example.com",
           "Square Customer ID": f"7XKQ2M3N4P5R6S7T8V9W0Y1Z{n:02d}", "Creation Source": "Directory",
           "First Visit": "2023-05-02", "Last Visit": "2024-04-20", "Transaction Count": "5",
           "Total Spend": "$12.00", "Lifetime Spend": "$12.00", "Instant Profile": "No",
           "Blocked from online booking": "No", **cells}
    return [row.get(h, "") for h in header]


def test_square_email_unsubscribed_true_is_an_unsubscribe_and_false_no_answer(make_workspace, tmp_path):
    ws = make_workspace()
    result = import_file(ws, write_csv(tmp_path / "export-20240501.csv", SQUARE_OLD, [
        _square_row(SQUARE_OLD, "Irene", 1, **{"Email Unsubscribed": "False"}),
        _square_row(SQUARE_OLD, "Jack", 2, **{"Email Unsubscribed": "True"}),
    ]))
    assert result.preset == "square"
    # Square's own column, read by the preset rather than left to the guesser.
    guess = guess_mapping(SQUARE_OLD, get_preset("square"))[SQUARE_OLD.index("Email Unsubscribed")]
    assert (guess.field, guess.reason) == ("no_email", "preset Square customers")
    assert consent(ws, tmp_path) == {"Irene": "", "Jack": "unsubscribed"}
    assert granted(ws, tmp_path) == set()
    assert reached(ws, "irene@example.com", "jack@example.com") == {
        "irene@example.com": False, "jack@example.com": False}


def test_square_subscribed_is_no_opt_in_and_unsubscribed_or_bounced_close_email(make_workspace, tmp_path):
    ws = make_workspace()
    import_file(ws, write_csv(tmp_path / "export-20240501.csv", SQUARE_NEW, [
        _square_row(SQUARE_NEW, "Irene", 1, **{"Email Subscription Status": "Subscribed"}),
        _square_row(SQUARE_NEW, "Jack", 2, **{"Email Subscription Status": "Unsubscribed"}),
        _square_row(SQUARE_NEW, "Kim", 3, **{"Email Subscription Status": "Unknown"}),
        _square_row(SQUARE_NEW, "Lou", 4, **{"Email Subscription Status": "Bounced"}),
        _square_row(SQUARE_NEW, "Max", 5),
    ]))
    assert consent(ws, tmp_path) == {"Irene": "", "Jack": "unsubscribed", "Kim": "", "Lou": "cleaned", "Max": ""}
    assert granted(ws, tmp_path) == set()
    emails = [f"{n}@example.com" for n in ("irene", "jack", "kim", "lou", "max")]
    assert not any(reached(ws, *emails).values())
    # A shop that emails people of unknown consent reaches Square's "Subscribed" (and the
    # unknown), never those who unsubscribed or bounced.
    ws.set_setting("send_unknown_email", True)
    assert reached(ws, *emails) == {"irene@example.com": True, "jack@example.com": False, "kim@example.com": True,
                                    "lou@example.com": False, "max@example.com": True}


# The header lines of a Mailchimp audience export's four files.
MAILCHIMP_MEMBERS = ("Email Address,First Name,Last Name,Address,Phone Number,Birthday,MEMBER_RATING,OPTIN_TIME,"
                     "OPTIN_IP,CONFIRM_TIME,CONFIRM_IP,LATITUDE,LONGITUDE,GMTOFF,DSTOFF,TIMEZONE,CC,REGION,"
                     "LAST_CHANGED,LEID,EUID,NOTES,TAGS")
AUDIENCE = {
    "subscribed_members_export_3f2a91c0de.csv": MAILCHIMP_MEMBERS + "\n"
    "alice@example.com,Alice,Nguyen,,+1 503 555 0111,03/14,4,2024-01-05 10:22:13,,2024-01-05 10:23:01,203.0.113.5,"
    "45.52,-122.68,-8,-7,America/Los_Angeles,US,OR,2024-01-05 10:23:01,123456789,a1b2c3d4e5,,\n",
    "nonsubscribed_members_export_3f2a91c0de.csv": MAILCHIMP_MEMBERS + "\n"
    "dave@example.com,Dave,Brown,,+1 415 555 0199,,2,,,,,,,,,,US,,2024-04-01 08:00:00,423456789,d1b2c3d4e5,"
    "Shopify customer,\n",
    "unsubscribed_members_export_3f2a91c0de.csv": MAILCHIMP_MEMBERS + ",UNSUB_TIME,UNSUB_CAMPAIGN_TITLE,"
    "UNSUB_CAMPAIGN_ID,UNSUB_REASON,UNSUB_REASON_OTHER\n"
    "bob@example.com,Bob,Smith,,,,2,2023-06-01 09:00:00,,2023-06-01 09:01:00,,,,,,,US,,2024-02-10 12:00:00,223456789,"
    "b1b2c3d4e5,,,2024-02-10 12:00:00,Spring Sale,abc123,NORMAL,\n",
    "cleaned_members_export_3f2a91c0de.csv": MAILCHIMP_MEMBERS + ",CLEAN_TIME,CLEAN_CAMPAIGN_TITLE,CLEAN_CAMPAIGN_ID\n"
    "carol@example.com,Carol,Jones,,,,1,2023-03-01 09:00:00,,2023-03-01 09:01:00,,,,,,,US,,2024-03-10 12:00:00,"
    "323456789,c1b2c3d4e5,,,2024-03-10 12:00:00,March News,def456\n",
}
EVERYONE = ("alice@example.com", "bob@example.com", "carol@example.com", "dave@example.com")


def test_mailchimp_non_subscribed_contacts_are_a_no_whatever_the_settings(make_workspace, tmp_path, capsys):
    archive = tmp_path / "mailchimp_audience.zip"
    with zipfile.ZipFile(archive, "w") as z:
        for name, text in AUDIENCE.items():
            z.writestr(name, text)
    ws = make_workspace()
    assert main(["import", str(archive), "-w", str(ws.path)]) == 0
    assert consent(ws, tmp_path) == {"Alice": "granted", "Dave": "denied", "Bob": "unsubscribed", "Carol": "cleaned"}
    assert "nonsubscribed_members_export_3f2a91c0de.csv: mailchimp_nonsubscribed contacts" in capsys.readouterr().out
    assert granted(ws, tmp_path) == {"Alice"}
    ws.set_setting("send_unknown_email", True)
    assert reached(ws, *EVERYONE) == {"alice@example.com": True, "bob@example.com": False,
                                      "carol@example.com": False, "dave@example.com": False}


def test_a_current_mailchimp_zip_names_its_files_email_audience_exports_and_reads_the_same(
        make_workspace, tmp_path, capsys):
    """Mailchimp's zips now hold subscribed_email_audience_export_<id>.csv and the like: read as the
    older names are, so a non-subscribed contact is a no (it was read as a list of unknown consent
    and, with unknown consent allowed, reached the pack)."""
    archive = tmp_path / "audience_export_3f2a91c0de.zip"
    with zipfile.ZipFile(archive, "w") as z:
        for name, text in AUDIENCE.items():
            z.writestr("audience_export_3f2a91c0de/" + name.replace("_members_export_", "_email_audience_export_"),
                       text)
    ws = make_workspace()
    assert main(["import", str(archive), "-w", str(ws.path)]) == 0
    assert consent(ws, tmp_path) == {"Alice": "granted", "Dave": "denied", "Bob": "unsubscribed", "Carol": "cleaned"}
    out = capsys.readouterr().out
    assert "nonsubscribed_email_audience_export_3f2a91c0de.csv: mailchimp_nonsubscribed contacts" in out
    assert "subscribed_email_audience_export_3f2a91c0de.csv: mailchimp_subscribed contacts" in out
    ws.set_setting("send_unknown_email", True)
    assert reached(ws, *EVERYONE) == {"alice@example.com": True, "bob@example.com": False,
                                      "carol@example.com": False, "dave@example.com": False}


def test_a_renamed_mailchimp_members_file_gives_no_consent_and_says_why(make_workspace, tmp_path):
    ws = make_workspace()
    renamed = tmp_path / "newsletter.csv"
    renamed.write_text(AUDIENCE["subscribed_members_export_3f2a91c0de.csv"], encoding="utf-8")
    plan = analyze(ws, renamed)
    assert any("subscribed_members_export_" in w and "--preset mailchimp_subscribed" in w for w in plan.warnings)
    assert import_file(ws, renamed).preset == "mailchimp_members"
    assert consent(ws, tmp_path) == {"Alice": ""}
    assert granted(ws, tmp_path) == set()
    assert reached(ws, "alice@example.com") == {"alice@example.com": False}
    # Named as Mailchimp names it, or with the preset named, the file is the subscribed contacts.
    other = make_workspace("other.omnidesk")
    assert main(["import", str(renamed), "-w", str(other.path), "--preset", "mailchimp_subscribed"]) == 0
    assert consent(other, tmp_path) == {"Alice": "granted"}


def test_a_status_column_in_a_mailchimp_file_only_makes_it_stricter(make_workspace, tmp_path):
    ws = make_workspace()
    subscribed = AUDIENCE["subscribed_members_export_3f2a91c0de.csv"].splitlines()[1]
    rows = [subscribed.replace("alice", who).replace("Alice", who.title()) + f",{status}"
            for who, status in (("alice", "subscribed"), ("erin", "transactional"), ("fay", "unsubscribed"),
                                ("gus", "cleaned"))]
    path = tmp_path / "subscribed_members_export_3f2a91c0de.csv"
    path.write_text("\n".join([MAILCHIMP_MEMBERS + ",STATUS", *rows]) + "\n", encoding="utf-8")
    import_file(ws, path)
    assert consent(ws, tmp_path) == {"Alice": "granted", "Erin": "denied", "Fay": "unsubscribed", "Gus": "cleaned"}
    assert granted(ws, tmp_path) == {"Alice"}
