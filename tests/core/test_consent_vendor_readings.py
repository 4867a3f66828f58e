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
  campaign reaches them; Unsubscribed and Bounced never.
"""

from __future__ import annotations

import csv

import pytest

import time_machine

from omnidesk.core.campaigns import guards
from omnidesk.core.campaigns.campaign import get_campaign, save_campaign
from omnidesk.core.exporting.tables import export_customers
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
