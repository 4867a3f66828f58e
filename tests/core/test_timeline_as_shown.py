"""A customer's timeline says what happened once each, in the shop's words, through real imports.

Ann Lee's SMS "no" was typed in at 10:00 in New York; the SMS gateway's opt-out list, written on
the shop's clock without an offset, says START at 12:00 the same day.  The stricter answer of the
day is in force (the card says denied), so the later "yes" must say it is not in force, or the
timeline's last line reads as her consent.
"""

from __future__ import annotations

import csv
import unicodedata

import time_machine

from omnidesk.core.demo_data import SHOPIFY_ORDERS_HEADER
from omnidesk.core.timeline import timeline
from omnidesk.core.workspace import Workspace
from tests.helpers import machine_in_zone, run_cli, write_csv

tokyo = machine_in_zone("Asia/Tokyo")  # the computer's zone is not the shop's: nothing may read it

NOT_IN_FORCE = " (not in force: on the same day the stricter answer wins)"


def _cli(capsys, *argv, at: str) -> str:
    with time_machine.travel(at, tick=False):
        status, out, err = run_cli(capsys, *argv)
    assert status == 0, err
    return out


def _new_york_shop(capsys, tmp_path, at: str = "2025-12-01T09:00:00Z"):
    ws = tmp_path / "shop.omnidesk"
    with time_machine.travel(at, tick=False):
        Workspace.create(ws).close()
    _cli(capsys, "settings", "timezone", "America/New_York", "-w", ws, at=at)
    return ws


def _exported(capsys, ws, tmp_path, who: str = "1", at: str = "2025-12-01T20:00:00Z") -> list[dict[str, str]]:
    out = tmp_path / "timeline.csv"
    _cli(capsys, "export", "timeline", who, out, "--force", "-w", ws, at=at)
    with out.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_a_later_yes_without_an_offset_that_lost_to_the_days_no_says_so(capsys, tmp_path):
    ws = _new_york_shop(capsys, tmp_path)
    _cli(capsys, "import", write_csv(tmp_path / "customers.csv", ["Email", "Phone", "First Name", "Last Name"],
                                     [["ann@example.com", "+14155550101", "Ann", "Lee"]]),
         "--channel", "shop", "-w", ws, at="2025-12-01T09:00:00Z")
    _cli(capsys, "consent", "set", "1", "sms", "denied", "--note", "asked by phone", "-w", ws,
         at="2025-12-01T15:00:00Z")  # 10:00 in New York
    _cli(capsys, "import", write_csv(tmp_path / "sms_optouts.csv", ["Phone Number", "Keyword", "Date"],
                                     [["+14155550101", "START", "2025-12-01 12:00:00"]]),
         "-w", ws, at="2025-12-01T20:00:00Z")

    customers = tmp_path / "customers_out.csv"
    _cli(capsys, "export", "customers", customers, "--force", "-w", ws, at="2025-12-01T20:00:00Z")
    with customers.open(encoding="utf-8", newline="") as fh:
        (ann,) = list(csv.DictReader(fh))
    assert ann["consent_sms"] == "denied"
    sms = [(r["occurred_at"], r["summary"]) for r in _exported(capsys, ws, tmp_path) if r["type"] == "consent"]
    assert sms == [("2025-12-01T10:00:00-05:00", "SMS consent: denied — asked by phone"),
                   ("2025-12-01T12:00:00-05:00", "SMS consent: granted" + NOT_IN_FORCE)]


MAILCHIMP = ["Email Address", "First Name", "Last Name", "Phone Number", "Birthday", "MEMBER_RATING",
             "OPTIN_TIME", "OPTIN_IP", "CONFIRM_TIME", "CONFIRM_IP", "LATITUDE", "LONGITUDE", "GMTOFF",
             "DSTOFF", "TIMEZONE", "CC", "REGION", "LAST_CHANGED", "LEID", "EUID", "NOTES", "TAGS"]


def _member(email, first, last, rating, changed, leid):
    return [email, first, last, "", "", rating, "2025-01-10 14:00:00", "", "2025-01-10 14:05:00", "", "", "", "",
            "", "", "US", "NY", changed, leid, "e" + leid, "", ""]


def test_a_contact_exported_again_is_first_seen_once(capsys, tmp_path):
    # The newsletter list exported in March and again in June: Ann's row once more, her rating and
    # "last changed" moved on, Bob new.  She was first seen once, when she signed up.
    ws = _new_york_shop(capsys, tmp_path, at="2025-03-01T15:00:00Z")
    _cli(capsys, "import", write_csv(tmp_path / "subscribed_members_export_aa11.csv", MAILCHIMP, [
        _member("ann@example.com", "Ann", "Lee", "2", "2025-01-10 14:05:00", "11")]),
        "-w", ws, at="2025-03-01T15:00:00Z")
    _cli(capsys, "import", write_csv(tmp_path / "subscribed_members_export_bb22.csv", MAILCHIMP, [
        _member("ann@example.com", "Ann", "Lee", "4", "2025-05-20 09:00:00", "11"),
        _member("bob@example.com", "Bob", "Stone", "2", "2025-01-10 14:05:00", "12")]),
        "-w", ws, at="2025-06-01T15:00:00Z")

    rows = _exported(capsys, ws, tmp_path, "ann@example.com", at="2025-06-01T15:00:00Z")
    assert [(r["occurred_at"], r["summary"]) for r in rows if r["type"] == "first_seen"] == [
        ("2025-01-10T14:00:00-05:00", "First seen in subscribed_members_export_aa11.csv")]
    # Bob's first sighting is his own.
    bob = _exported(capsys, ws, tmp_path, "bob@example.com", at="2025-06-01T15:00:00Z")
    assert [r["summary"] for r in bob if r["type"] == "first_seen"] == [
        "First seen in subscribed_members_export_bb22.csv"]



def test_one_person_seen_on_two_channels_the_same_day_is_first_seen_on_each(capsys, tmp_path):
    # The shop's customer and the newsletter's member, created the same day (a date alone in both
    # files): two sightings, one per channel, and the list's stays under an Email filter.
    ws = _new_york_shop(capsys, tmp_path, at="2025-03-05T15:00:00Z")
    header = ["Email", "First Name", "Last Name", "Created At"]
    _cli(capsys, "import", write_csv(tmp_path / "shop.csv", header, [["ann@example.com", "Ann", "Lee", "2025-03-01"]]),
         "--channel", "shop", "-w", ws, at="2025-03-05T15:00:00Z")
    _cli(capsys, "import", write_csv(tmp_path / "list.csv", header, [["ann@example.com", "Ann", "Lee", "2025-03-01"]]),
         "--channel", "email", "-w", ws, at="2025-03-05T15:00:00Z")
    rows = _exported(capsys, ws, tmp_path, "ann@example.com", at="2025-03-05T15:00:00Z")
    assert sorted((r["channel"], r["summary"]) for r in rows if r["type"] == "first_seen") == [
        ("email", "First seen in list.csv"), ("shop", "First seen in shop.csv")]


META = ["id", "created_time", "ad_id", "ad_name", "adset_id", "adset_name", "campaign_id", "campaign_name",
        "form_id", "form_name", "is_organic", "platform", "email", "full_name", "phone_number"]
ANN_LEAD = ["l:111", "2025-03-01T02:30:00+01:00", "ag:1", "Ad", "as:1", "Set", "c:1", "Spring leads", "f:1", "Form",
            "false", "fb", "ann@example.com", "Ann Lee", "p:+14155550101"]
BOB_LEAD = ["l:112", "2025-03-20T10:00:00+01:00", "ag:1", "Ad", "as:1", "Set", "c:1", "Spring leads", "f:1", "Form",
            "false", "ig", "bob@example.com", "Bob Stone", "p:+14155550102"]


def test_a_lead_downloaded_again_is_its_form_line_alone(capsys, tmp_path):
    # March's CSV download of the lead form, then April's (Meta's UTF-16 tab file) with one more lead.
    ws = _new_york_shop(capsys, tmp_path, at="2025-03-05T15:00:00Z")
    _cli(capsys, "import", write_csv(tmp_path / "leads_march.csv", META, [ANN_LEAD]), "-w", ws,
         at="2025-03-05T15:00:00Z")
    said = _cli(capsys, "import", write_csv(tmp_path / "leads_april.csv", META, [ANN_LEAD, BOB_LEAD],
                                            encoding="utf-16", delimiter="\t"), "-w", ws, at="2025-04-05T15:00:00Z")
    assert "seen before 1" in said

    rows = _exported(capsys, ws, tmp_path, "ann@example.com", at="2025-04-05T15:00:00Z")
    assert [(r["occurred_at"], r["type"], r["summary"]) for r in rows if r["type"] != "consent"] == [
        ("2025-03-01T02:30:00+01:00", "lead_form", "Lead form submitted: Spring leads")]


def test_the_search_finds_accented_words_a_mac_export_wrote_decomposed(capsys, tmp_path):
    # A Mac-made export writes "Crème" as "e" and a combining grave accent; the owner types it whole.
    ws = _new_york_shop(capsys, tmp_path)
    decomposed = unicodedata.normalize("NFD", "Spring Crème sale")
    _cli(capsys, "import", write_csv(tmp_path / "email_activity.csv", ["Email", "Campaign", "Action", "Timestamp"], [
        ["ann@example.com", decomposed, "open", "2025-03-09 12:30:00"],
        ["ann@example.com", "Crème brûlée tasting", "click", "2025-03-10 12:30:00"]]),
        "--channel", "email", "--kind", "events", "-w", ws, at="2025-12-01T15:00:00Z")
    with Workspace.open(ws) as w:
        for typed in ("crème", "CRÈME", "Crème", unicodedata.normalize("NFD", "CRÈME")):
            # Typed whole or decomposed, it finds both spellings the files wrote.
            assert [e.type for e in timeline(w, 1, search=typed)] == ["open", "click"], typed
        assert [e.type for e in timeline(w, 1, search="spring crème")] == ["open"]


def _shopify_order(name, currency, total, created, item):
    cells = {"Name": name, "Email": "ann@example.com", "Financial Status": "paid", "Currency": currency,
             "Subtotal": total, "Total": total, "Created at": created, "Billing Name": "Ann Lee",
             "Lineitem quantity": "1", "Lineitem name": item, "Lineitem price": total}
    return [cells.get(h, "") for h in SHOPIFY_ORDERS_HEADER]


def test_the_search_finds_a_lines_type_and_amount_as_the_line_shows_them(capsys, tmp_path):
    ws = _new_york_shop(capsys, tmp_path)
    _cli(capsys, "settings", "currency", "USD", "-w", ws, at="2025-12-01T09:00:00Z")
    _cli(capsys, "import", write_csv(tmp_path / "orders_export_1.csv", SHOPIFY_ORDERS_HEADER, [
        _shopify_order("#1005", "CAD", "80.00", "2025-11-02 01:30:00 -0400", "Maple Tea"),
        _shopify_order("#1006", "USD", "1234.50", "2025-11-03 10:00:00 -0500", "Tea Chest")]),
        "-w", ws, at="2025-12-01T15:00:00Z")
    # A till's total with no currency: the shop's own, as the line shows it ("32.00 USD").
    _cli(capsys, "import", write_csv(tmp_path / "till.csv", ["Email", "Total", "Date"],
                                     [["ann@example.com", "32.00", "2025-11-04 10:00"]]),
         "--channel", "pos", "--kind", "events", "-w", ws, at="2025-12-01T15:00:00Z")
    _cli(capsys, "customer", "add", "first_name=Cleo", "last_name=Marsh", "email=cleo@example.com", "-w", ws,
         at="2025-12-05T15:00:00Z")
    with Workspace.open(ws) as w:
        assert [(e.amount_minor, e.currency) for e in timeline(w, 1) if e.amount_minor is not None] == [
            (8000, "CAD"), (123450, "USD"), (3200, "USD")]

        def found(cid, typed):
            return [e.summary for e in timeline(w, cid, search=typed)]

        # Cleo's line reads "First seen · Added by you".
        assert found(2, "first seen") == ["Added by you"]
        assert found(2, "FIRST SEEN") == ["Added by you"]
        assert found(1, "CAD") == ["Order #1005: Maple Tea"]
        assert found(1, "80.00") == ["Order #1005: Maple Tea"]
        assert found(1, "80.00 cad") == ["Order #1005: Maple Tea"]
        assert found(1, "1,234.50") == ["Order #1006: Tea Chest"]
        assert len(found(1, "32.00 USD")) == 1
        assert found(1, "EUR") == []


SHOP_CUSTOMERS = ["Customer ID", "First Name", "Last Name", "Email", "Accepts Email Marketing", "Phone",
                  "Accepts SMS Marketing"]


def test_a_consent_typed_in_shows_with_its_note_though_it_repeats_the_one_in_force(capsys, tmp_path):
    # The shop's customers export says Ann does not accept email marketing (no date); she phones to say
    # stop all the same, and it is typed in with a note.  It changes nothing in force, but it is something
    # the owner did and wrote down: the timeline shows it, with the note, on the card and in its export.
    ws = _new_york_shop(capsys, tmp_path)
    shop = [["1001", "Ann", "Lee", "ann@example.com", "no", "+14155550101", "no"]]
    _cli(capsys, "import", write_csv(tmp_path / "customers_export.csv", SHOP_CUSTOMERS, shop),
         "--channel", "shop", "-w", ws, at="2025-12-01T09:00:00Z")
    _cli(capsys, "consent", "set", "1", "email", "denied", "--note", "phoned to stop", "-w", ws,
         at="2025-12-07T15:00:00Z")  # 10:00 in New York
    _cli(capsys, "consent", "set", "1", "email", "denied", "--note", "wrote to say it again", "-w", ws,
         at="2025-12-08T15:00:00Z")
    # The same export imported again says the same undated "no": still one line, not two.
    _cli(capsys, "import", write_csv(tmp_path / "customers_export_2.csv", SHOP_CUSTOMERS, shop),
         "--channel", "shop", "-w", ws, at="2025-12-09T15:00:00Z")

    email = [(r["occurred_at"], r["summary"], r["source_file"]) for r in _exported(capsys, ws, tmp_path)
             if r["type"] == "consent" and r["channel"] == "email"]
    assert email == [("2025-12-07T10:00:00-05:00", "Email consent: denied — phoned to stop", "Entered by you"),
                     ("2025-12-08T10:00:00-05:00", "Email consent: denied — wrote to say it again", "Entered by you"),
                     ("", "Email consent: denied", "customers_export.csv")]
    with Workspace.open(ws) as w:
        assert [e.summary for e in timeline(w, 1, search="phoned")] == ["Email consent: denied — phoned to stop"]
        # The SMS "no", only ever imported, is one line as before.
        assert [e.summary for e in timeline(w, 1) if e.channel == "sms"] == ["SMS consent: denied"]
