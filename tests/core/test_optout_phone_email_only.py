"""Only a refusal on a channel that reaches a phone (SMS, WhatsApp) is about the row's number.

A Square customer whose email bounced, with a local number that cannot be read for their
country, said nothing of texts: the row is flagged as an invalid number, as a contact's is, and
is never given a stranger's number that has the same digits (which would make the two holders
of one phone for the shared-number rules).  An SMS "no" with such a number still waits for it.
Played through the command line at a set clock."""

from __future__ import annotations

import csv
import sqlite3

import time_machine

from tests.helpers import run_cli, write_csv

SQUARE = ["Square Customer ID", "Reference ID", "First Name", "Last Name", "Email Address", "Phone Number",
          "Postal Code", "Country", "First Visit", "Last Visit", "Transaction Count", "Total Spend",
          "Email Subscription Status"]
DAN = ["SQ4", "", "Dan", "Dale", "dan@example.com", "(415) 555-0104", "100-0001", "JP", "2024-01-05",
       "2024-06-01", "1", "5.00", "Bounced"]
INVALID_JP = ("Phone Number: not a valid phone number for region JP "
              "(add the country code if it is from abroad)")


def _cli(capsys, ws, *argv):
    status, out, err = run_cli(capsys, *argv, "-w", ws)
    assert status == 0, (argv, err)
    return out + err


def _import(capsys, ws, path, day, *more):
    with time_machine.travel(f"{day} 15:00:00Z", tick=False):
        return _cli(capsys, ws, "import", path, *more)


def _flagged(path) -> dict[str, str]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return {r["First Name"]: r["omnidesk_problems"] for r in csv.DictReader(fh)}


def _customers(capsys, tmp_path, ws) -> dict[str, dict[str, str]]:
    out = tmp_path / "customers.csv"
    _cli(capsys, ws, "export", "customers", out, "--columns", "id,first_name,phone,consent_email,consent_sms")
    with out.open(encoding="utf-8-sig", newline="") as fh:
        return {r["first_name"]: r for r in csv.DictReader(fh)}


def _phones_of(ws, first_name: str) -> set[tuple[str, str]]:
    """The phone identifiers (waiting digits too) of the records named ``first_name``."""
    db = sqlite3.connect(ws)
    try:
        return set(db.execute(
            "SELECT i.kind, i.value FROM identifier i JOIN source_record r ON r.id = i.record_id "
            "WHERE r.first_name = ? AND i.kind IN ('phone', 'unread_phone')", (first_name,)))
    finally:
        db.close()


def test_an_email_bounce_with_an_unreadable_number_waits_for_no_one(tmp_path, capsys):
    ws = tmp_path / "shop.omnidesk"
    _import(capsys, ws, write_csv(tmp_path / "sq.csv", SQUARE, [DAN]), "2027-01-10",
            "--errors", tmp_path / "sq_errors.csv")
    # An SMS "no" with the same kind of number: that refusal is about the number, and waits for it.
    _import(capsys, ws, write_csv(tmp_path / "texts.csv", ["First Name", "Last Name", "Phone", "Country",
                                                           "SMS Consent"],
                                  [["Eve", "East", "(415) 555-0107", "JP", "no"]]), "2027-01-11",
            "--errors", tmp_path / "texts_errors.csv")
    assert _flagged(tmp_path / "sq_errors.csv") == {"Dan": INVALID_JP}
    eve = _flagged(tmp_path / "texts_errors.csv")["Eve"]
    assert "a customer imported later with such a number is opted out then" in eve
    assert _phones_of(ws, "Dan") == set()
    assert _phones_of(ws, "Eve") == {("unread_phone", "4155550107")}

    later = write_csv(tmp_path / "later.csv", ["First Name", "Last Name", "Phone", "Country", "SMS Consent"],
                      [["Frank", "Fox", "(415) 555-0104", "US", "yes"],
                       ["Gina", "Gray", "(415) 555-0107", "US", "yes"]])
    _import(capsys, ws, later, "2027-01-12")
    people = _customers(capsys, tmp_path, ws)
    # Dan only bounced an email: he is not given Frank's number, and Frank stays textable.
    assert _phones_of(ws, "Dan") == set()
    assert people["Dan"]["phone"] == "" and people["Dan"]["consent_email"] == "cleaned"
    assert people["Frank"]["phone"] == "+14155550104" and people["Frank"]["consent_sms"] == "granted"
    assert people["Dan"]["id"] != people["Frank"]["id"]
    # Eve's "no" reached Gina's number when it came.
    assert ("phone", "+14155550107") in _phones_of(ws, "Eve")
    assert "Gina" in people and people["Gina"]["consent_sms"] != "granted"


def test_an_email_bounce_is_not_read_as_a_number_already_known(tmp_path, capsys):
    """Frank first, the bounce after: the bounce's digits are Frank's number, but it is no
    refusal of texts, so it is not read as his; nor when an older workspace's rows are read again."""
    ws = tmp_path / "shop.omnidesk"
    _import(capsys, ws, write_csv(tmp_path / "later.csv", ["First Name", "Last Name", "Phone", "Country",
                                                           "SMS Consent"],
                                  [["Frank", "Fox", "(415) 555-0104", "US", "yes"]]), "2027-01-10")
    _import(capsys, ws, write_csv(tmp_path / "sq.csv", SQUARE, [DAN]), "2027-01-11",
            "--errors", tmp_path / "sq_errors.csv")
    assert _flagged(tmp_path / "sq_errors.csv") == {"Dan": INVALID_JP}
    assert _phones_of(ws, "Dan") == set()

    # Opened as a workspace whose consent facts an older version read: its opt-outs' numbers are
    # read again, by the same rule.
    db = sqlite3.connect(ws)
    with db:
        db.execute("UPDATE setting SET value = '2' WHERE key = 'consent_readers'")
    db.close()
    with time_machine.travel("2027-01-12 15:00:00Z", tick=False):
        said = _cli(capsys, ws, "info")
    assert "reach the phone number" not in said
    assert _phones_of(ws, "Dan") == set()
    people = _customers(capsys, tmp_path, ws)
    assert people["Frank"]["consent_sms"] == "granted" and people["Dan"]["id"] != people["Frank"]["id"]


def _refuses_as_version_3(row) -> bool:
    """How the older version told a refusal whose number is read by known numbers: on any channel."""
    return any(status in ("denied", "unsubscribed", "cleaned") for facts in row.consents.values()
               for status, _ in facts)


def test_numbers_an_older_version_gave_email_bounces_are_taken_back_once_reopened(tmp_path, capsys, monkeypatch):
    from omnidesk.core.importing import known_numbers

    ws = tmp_path / "shop.omnidesk"
    monkeypatch.setattr(known_numbers, "refuses", _refuses_as_version_3)
    ida = ["SQ5", "", "Ida", "Ives", "ida@example.com", "(415) 555-0105", "100-0001", "JP", "2024-01-05",
           "2024-06-01", "1", "5.00", "Unsubscribed"]
    texts = ["First Name", "Last Name", "Phone", "Country", "SMS Consent"]
    # Dan's bounce waits for his digits; Frank brings them.  Hal is known before Ida's unsubscribe.
    _import(capsys, ws, write_csv(tmp_path / "sq.csv", SQUARE, [DAN]), "2027-01-10")
    _import(capsys, ws, write_csv(tmp_path / "texts.csv", texts, [["Eve", "East", "(415) 555-0107", "JP", "no"]]),
            "2027-01-10")
    _import(capsys, ws, write_csv(tmp_path / "later.csv", texts, [["Frank", "Fox", "(415) 555-0104", "US", "yes"],
                                                                  ["Hal", "Hill", "(415) 555-0105", "US", "yes"],
                                                                  ["Gina", "Gray", "(415) 555-0107", "US", "yes"]]),
            "2027-01-11")
    _import(capsys, ws, write_csv(tmp_path / "sq2.csv", SQUARE, [ida]), "2027-01-12")
    monkeypatch.undo()
    # What the older version left: the email refusals hold Frank's and Hal's numbers.
    assert ("phone", "+14155550104") in _phones_of(ws, "Dan")
    assert ("phone", "+14155550105") in _phones_of(ws, "Ida")
    db = sqlite3.connect(ws)
    with db:
        db.execute("UPDATE setting SET value = '3' WHERE key = 'consent_readers'")
    db.close()

    with time_machine.travel("2027-01-13 15:00:00Z", tick=False):
        said = _cli(capsys, ws, "info")
    assert "2 email opt-outs or bounces no longer hold a phone number their rows never gave" in said
    assert _phones_of(ws, "Dan") == set() and _phones_of(ws, "Ida") == set()
    # An SMS "no" keeps the number its digits are.
    assert ("phone", "+14155550107") in _phones_of(ws, "Eve")
    people = _customers(capsys, tmp_path, ws)
    assert people["Dan"]["phone"] == "" and people["Ida"]["phone"] == ""
    assert people["Frank"]["phone"] == "+14155550104" and people["Frank"]["consent_sms"] == "granted"
    assert people["Hal"]["phone"] == "+14155550105" and people["Hal"]["consent_sms"] == "granted"
    assert people["Gina"]["consent_sms"] != "granted"
    # Read once: opened again, nothing more is said.
    with time_machine.travel("2027-01-13 15:00:00Z", tick=False):
        assert "no longer hold" not in _cli(capsys, ws, "info")
