"""Consent is never guessed in the marketer's favour: where facts conflict or lack a time, the safer
reading wins, and nobody who said no reaches a send pack.

Two readings, each played with real exports imported on a set clock into a real workspace, then
read back from the card, the stored column behind the Customers list, the customers export and a
campaign's audience:

* a "no" typed in by hand (denied, dated now) is a refusal like an unsubscribe: a later *undated*
  "yes" (a shop export's accepts-marketing flag) cannot lift it, only a dated opt-in after it can
  (an undated "no" flag followed by a later export's "yes" stays a change of mind);
* "a stricter fact of the same day wins" is judged on the shop's day (the workspace's time zone),
  not UTC's: a "yes" typed at 21:00 in New York on the evening of an unsubscribe does not lift it.

The machine's own zone is set to one far from every shop's, so nothing leans on it.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest
import time_machine

from omnidesk.core.campaigns import guards
from omnidesk.core.campaigns.campaign import get_campaign, save_campaign
from omnidesk.core.consent import Fact, changes, fact_day, in_force
from omnidesk.core.edits import record_consent
from omnidesk.core.messages.store import save_message
from omnidesk.core.profile import consent_facts
from omnidesk.core.timeline import find_customer
from tests.core.test_consent_rules import _write, consent_everywhere, imported
from tests.core.test_presets import (
    MAILCHIMP_SUBSCRIBED,
    MAILCHIMP_UNSUBSCRIBED,
    SHOPIFY_CUSTOMERS,
)
from tests.helpers import machine_in_zone

NY = ZoneInfo("America/New_York")


# The computer seems to be in Kiritimati (UTC+14): a day read on its clock would be wrong.
machine_far_from_the_shop = machine_in_zone("Pacific/Kiritimati")


def shop_export(path, email: str, accepts_email: str, accepts_sms: str = "", spent: str = "10.00"):
    """Shopify's customers export: the accepts-marketing flags carry no date of their own."""
    first, last = email.split("@")[0].title(), "Zane"
    return _write(path, SHOPIFY_CUSTOMERS, [{
        "Customer ID": "'1201", "First Name": first, "Last Name": last, "Email": email,
        "Accepts Email Marketing": accepts_email, "Phone": "+1 202 555 0220", "Accepts SMS Marketing": accepts_sms,
        "Total Spent": spent, "Total Orders": "1", "Tax Exempt": "no",
    }])


def mailchimp_unsubscribed(path, email: str, unsub_time: str):
    return _write(path, MAILCHIMP_UNSUBSCRIBED, [{
        "Email Address": email, "First Name": email.split("@")[0].title(), "Last Name": "Zane", "OPTIN_TIME": "2025-05-01 10:00:00",
        "CONFIRM_TIME": "2025-05-01 10:02:00", "UNSUB_TIME": unsub_time, "UNSUB_REASON": "NORMAL",
        "LEID": "11", "EUID": "a1b2c3",
    }], quote_all=True)


def typed(ws, email: str, channel: str, status: str, when: str):
    """``omnidesk consent set EMAIL CHANNEL STATUS`` at ``when`` (UTC): the consent in force after it."""
    with time_machine.travel(when, tick=False):
        return record_consent(ws, find_customer(ws, email), channel, status, "said so at the counter").in_force


def campaign_excludes(ws, email: str, *channels: str) -> dict[str, list[str]]:
    """Why a campaign to everyone leaves ``email``'s customer out, per step."""
    cid = find_customer(ws, email)
    save_message(ws, "Sale", {"headline": "Sale", "link": "https://shop.example/sale"})
    save_campaign(ws, "Spring", message="Sale", audience="everyone", mode="each_channel", replace=True,
                  steps=[{"channel": c, "at": "2030-03-03T12:00", "timezone": "America/New_York"}
                         for c in channels])
    with time_machine.travel("2030-03-01T12:00Z", tick=False):
        steps = guards.plan_audiences(ws, get_campaign(ws, "Spring"))
    return {ch: [reason for reason, ids in step.excluded.items() if cid in ids]
            + (["reached"] if cid in (step.eligible or []) else [])
            for ch, step in zip(channels, steps, strict=True)}


# --------------------------------------------------------------------------
# a hand-typed "no" is a refusal: an undated "yes" does not lift it
# --------------------------------------------------------------------------


def _fact(status, occurred_at=None, recorded_at="2026-01-05T15:00:00+00:00", record_id=1, source="shop"):
    return Fact(status, occurred_at, recorded_at, record_id, record_id, source)


def test_an_undated_yes_does_not_lift_a_denied_on_plain_facts():
    old_yes = _fact("granted", None, "2026-01-05T15:00:00+00:00", 1)
    denied = _fact("denied", "2026-02-10T15:00:00+00:00", "2026-02-10T15:00:00+00:00", 2)
    undated_yes = _fact("granted", None, "2026-03-10T15:00:00+00:00", 3)
    undated_pending = _fact("pending", None, "2026-03-11T15:00:00+00:00", 4)
    assert in_force([old_yes, denied, undated_yes]) == denied, "an undated yes lifted a denied"
    assert in_force([old_yes, denied, undated_yes, undated_pending]) == denied
    assert changes([undated_yes, denied, old_yes]) == [old_yes, denied]
    # Stricter still is no lifting: an undated unsubscribe after the "no" counts.
    undated_unsub = _fact("unsubscribed", None, "2026-03-12T15:00:00+00:00", 5)
    assert in_force([denied, undated_yes, undated_unsub]) == undated_unsub
    # A dated "yes" after the "no" is a later explicit act: it lifts it.
    dated_yes = _fact("granted", "2026-03-01T10:00:00+00:00", "2026-03-10T15:00:00+00:00", 6)
    assert in_force([old_yes, denied, dated_yes, undated_yes]).status == "granted"
    # A "no" flag without a date is a snapshot like the same channel's later export's "yes": a change of mind.
    undated_no = _fact("denied", None, "2026-02-10T15:00:00+00:00", 7)
    assert in_force([old_yes, undated_no, undated_yes]) == undated_yes
    # Another channel's undated "yes" imported later is no newer word: an old newsletter sheet.
    sheet_yes = _fact("granted", None, "2026-03-10T15:00:00+00:00", 8, source="email")
    assert in_force([old_yes, undated_no, sheet_yes]) == undated_no
    assert in_force([undated_no, _fact("granted", None, "2026-03-10T15:00:00+00:00", 9, source="")]) == undated_no


def test_a_hand_typed_no_is_not_lifted_by_next_months_shop_export(make_workspace, tmp_path):
    """A "no" phoned in, then the shop's customers export imported again."""
    ws = make_workspace(timezone="America/New_York")
    imported(ws, shop_export(tmp_path / "customers_export_2026-01.csv", "zoe@example.com", "yes", "yes"),
             "2026-01-05T15:00Z")
    assert typed(ws, "zoe@example.com", "email", "denied", "2026-02-10T15:00Z") == "denied"
    assert typed(ws, "zoe@example.com", "sms", "denied", "2026-02-10T15:00Z") == "denied"
    # A month later the same export again: its flags still say yes, with no date of their own.
    imported(ws, shop_export(tmp_path / "customers_export_2026-03.csv", "zoe@example.com", "yes", "yes", "25.00"),
             "2026-03-10T15:00Z")
    consent = consent_everywhere(ws, tmp_path, "zoe@example.com")
    assert (consent["email"], consent["sms"]) == ("denied", "denied"), \
        f"a later undated yes lifted the hand-typed no: {consent}"
    assert campaign_excludes(ws, "zoe@example.com", "email", "sms") == {"email": ["opted out"],
                                                                        "sms": ["opted out"]}
    # She says yes again at the counter: a dated opt-in after the "no" lifts it.
    assert typed(ws, "zoe@example.com", "email", "granted", "2026-04-02T15:00Z") == "granted"
    assert consent_facts(ws, find_customer(ws, "zoe@example.com"))["email"].status == "granted"


# --------------------------------------------------------------------------
# "the same day" is the shop's day
# --------------------------------------------------------------------------


def test_a_fact_counts_on_the_shops_day_on_plain_facts():
    evening = _fact("unsubscribed", "2026-06-01T19:00:00-04:00")  # 23:00Z, 1 June
    later = _fact("granted", "2026-06-02T01:00:00+00:00", "2026-06-03T09:00:00", record_id=2)  # 21:00 in New York, 1 June
    assert fact_day(later) == "2026-06-02" and fact_day(later, NY) == "2026-06-01"
    # A file imported at 01:00Z counts on the shop's day it was imported on.
    assert fact_day(_fact("granted", None, "2026-06-02T01:00:00+00:00"), NY) == "2026-06-01"
    # A time without an offset, or a bare date, is on the shop's clock already.
    assert fact_day(_fact("granted", "2026-06-01T23:30:00"), NY) == "2026-06-01"
    assert fact_day(_fact("granted", "2026-06-01"), NY) == "2026-06-01"
    assert in_force([evening, later], NY) == evening, "a yes of the same shop day lifted an unsubscribe"
    assert in_force([evening, later]) == later  # UTC's days, as before, when no zone is given
    # The "yes" was a change for a moment of that day; the unsubscribe is the last word on it.
    assert changes([later, evening], NY) == [later, evening] and changes([later, evening]) == [evening, later]


def _unsubscribed_that_evening(ws, tmp_path, email: str = "flo@example.com"):
    """Flo, on the shop's list since May, unsubscribed on Mailchimp at 19:00 New York time on 1 June."""
    imported(ws, shop_export(tmp_path / "customers_export.csv", email, "yes"), "2026-05-20T12:00Z")
    imported(ws, mailchimp_unsubscribed(tmp_path / "unsubscribed_members_export_1a2b.csv", email,
                                        "2026-06-01 19:00:00 -0400"), "2026-06-01T23:30Z")


def card(ws, email: str) -> str:
    return consent_facts(ws, find_customer(ws, email))["email"].status


def test_a_yes_typed_the_same_shop_evening_does_not_lift_an_unsubscribe(make_workspace, tmp_path):
    """The shop's clock is New York's; at 21:00 there UTC is already on 2 June."""
    ws = make_workspace(timezone="America/New_York")
    _unsubscribed_that_evening(ws, tmp_path)
    assert typed(ws, "flo@example.com", "email", "granted", "2026-06-02T01:00Z") == "unsubscribed", \
        "a yes typed two hours after an unsubscribe, the same shop day, lifted it"
    assert consent_everywhere(ws, tmp_path, "flo@example.com")["email"] == "unsubscribed"
    assert campaign_excludes(ws, "flo@example.com", "email") == {"email": ["opted out"]}
    # The timeline counts the shop's day too: its last word is not the yes, which it says lost.
    from omnidesk.core.timeline import timeline

    (yes,) = [e for e in timeline(ws, find_customer(ws, "flo@example.com"))
              if e.kind == "consent" and (e.occurred_utc or "").startswith("2026-06-02")]
    assert yes.summary.startswith("Email consent: granted") and "(not in force: on the same day" in yes.summary
    # The next morning in New York is a later day: a "yes" then lifts it.
    assert typed(ws, "flo@example.com", "email", "granted", "2026-06-02T14:00Z") == "granted"
    assert card(ws, "flo@example.com") == "granted"


@pytest.mark.parametrize("zone, in_force", [("America/New_York", "unsubscribed"), ("UTC", "granted")])
def test_a_sign_up_file_of_the_same_shop_evening_does_not_lift_an_unsubscribe(make_workspace, tmp_path,
                                                                              zone, in_force):
    """The same evening's "yes" from a file (a Mailchimp confirm time at 01:00Z, 21:00 in New York),
    decided where the Customers list's column is stored.  In a shop on UTC the yes is the next
    day's, and the later day wins, as it always did."""
    ws = make_workspace(timezone=zone)
    _unsubscribed_that_evening(ws, tmp_path)
    signed_up = _write(tmp_path / "subscribed_members_export_1a2b.csv", MAILCHIMP_SUBSCRIBED, [{
        "Email Address": "flo@example.com", "First Name": "Flo", "Last Name": "Zane",
        "OPTIN_TIME": "2026-06-02 00:58:00 +0000", "CONFIRM_TIME": "2026-06-02 01:00:00 +0000",
        "LEID": "11", "EUID": "a1b2c3"}], quote_all=True)
    imported(ws, signed_up, "2026-06-02T02:00Z")
    assert consent_everywhere(ws, tmp_path, "flo@example.com")["email"] == in_force, \
        f"in a shop on {zone}, the same evening's yes decided {card(ws, 'flo@example.com')}"
    assert campaign_excludes(ws, "flo@example.com", "email") == {
        "email": ["opted out"] if in_force == "unsubscribed" else ["reached"]}


def test_in_a_utc_shop_a_yes_typed_at_0100_is_the_next_days(make_workspace, tmp_path):
    """Nothing changes for a workspace on UTC: there 01:00 on 2 June is the next day, and the later day wins."""
    ws = make_workspace(timezone="UTC")
    _unsubscribed_that_evening(ws, tmp_path)
    assert typed(ws, "flo@example.com", "email", "granted", "2026-06-02T01:00Z") == "granted"
    assert card(ws, "flo@example.com") == "granted"
