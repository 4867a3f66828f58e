"""Square's customers export says "Unknown" in its subscription columns for everyone never asked:
no answer, read as an empty cell is, not a problem flagged on every such row."""

from __future__ import annotations

import sqlite3

from tests.helpers import run_cli, write_csv

HEADER = ["Reference ID", "First Name", "Last Name", "Email Address", "Phone Number",
          "Email Subscription Status", "SMS Subscription Status"]


def test_unknown_is_no_answer_and_no_problem(tmp_path, capsys):
    ws = tmp_path / "shop.omnidesk"
    square = write_csv(tmp_path / "square.csv", HEADER, [
        ["", "Ann", "Lee", "ann@example.com", "+14155550101", "subscribed", "Unknown"],
        ["", "Bo", "Chen", "bo@example.com", "+14155550102", "UNKNOWN", "subscribed"],
        ["", "Cy", "Dunn", "cy@example.com", "+14155550103", "unsubscribed", "Maybe"]])
    status, out, err = run_cli(capsys, "-w", ws, "import", square, "--channel", "pos")
    assert status == 0, err
    assert "flagged 1," in out  # only Cy's "Maybe", which is no answer anyone should guess at
    con = sqlite3.connect(ws)
    try:
        people = con.execute("SELECT display_name, consent_email, consent_sms FROM customer ORDER BY id").fetchall()
        problems = [p for (p,) in con.execute("SELECT problems_json FROM source_record ORDER BY record_no")]
    finally:
        con.close()
    assert people == [("Ann Lee", "granted", None), ("Bo Chen", None, "granted"), ("Cy Dunn", "unsubscribed", None)]
    assert problems[:2] == ["[]", "[]"] and "not a consent value: Maybe" in problems[2]


def test_unknown_does_not_lift_an_earlier_no(tmp_path, capsys):
    ws = tmp_path / "shop.omnidesk"
    first = write_csv(tmp_path / "list.csv", ["Email", "First Name", "Last Name", "Email Subscription Status"],
                      [["ann@example.com", "Ann", "Lee", "unsubscribed"]])
    assert run_cli(capsys, "-w", ws, "import", first, "--channel", "email")[0] == 0
    square = write_csv(tmp_path / "square.csv", HEADER,
                       [["", "Ann", "Lee", "ann@example.com", "", "Unknown", "Unknown"]])
    assert run_cli(capsys, "-w", ws, "import", square, "--channel", "pos")[0] == 0
    con = sqlite3.connect(ws)
    try:
        assert con.execute("SELECT consent_email FROM customer").fetchall() == [("unsubscribed",)]
    finally:
        con.close()


SQUARE = ["Reference ID", "First Name", "Last Name", "Email Address", "Phone Number", "Birthday",
          "Square Customer ID", "Creation Source", "First Visit", "Last Visit", "Transaction Count",
          "Lifetime Spend", "Email Subscription Status", "SMS Subscription Status"]


def test_squares_own_export_with_unknown_texts_flags_nothing(tmp_path, capsys):
    ws = tmp_path / "shop.omnidesk"
    square = write_csv(tmp_path / "square.csv", SQUARE, [
        ["", "Ann", "Lee", "ann@example.com", "+14155550101", "", "SQ1", "Directory", "1/15/2023", "1/16/2023",
         "1", "$1.00", "Subscribed", "Unknown"],
        ["", "Bo", "Chen", "bo@example.com", "+14155550102", "", "SQ2", "Directory", "1/15/2023", "1/16/2023",
         "1", "$1.00", "Unknown", "Subscribed"]])
    status, out, err = run_cli(capsys, "-w", ws, "import", square)
    assert status == 0, err
    assert "square contacts" in out and "flagged 0," in out
    con = sqlite3.connect(ws)
    try:
        assert con.execute("SELECT display_name, consent_email, consent_sms FROM customer ORDER BY id").fetchall() \
            == [("Ann Lee", None, None), ("Bo Chen", None, "granted")]
    finally:
        con.close()


def test_unknown_on_an_sms_opt_out_list_is_still_the_opt_out(tmp_path, capsys):
    """On an opt-out list every number is there because it opted out: a keyword that says nothing
    ("Unknown") is read as the opt-out, the row flagged, as an unreadable reply is."""
    ws = tmp_path / "shop.omnidesk"
    shop = write_csv(tmp_path / "contacts.csv", ["First Name", "Phone", "SMS Consent"],
                     [["Bob", "+14155550102", "yes"], ["Cat", "+14155550103", "yes"]])
    assert run_cli(capsys, "-w", ws, "import", shop, "--channel", "shop")[0] == 0
    stops = write_csv(tmp_path / "sms_optouts.csv", ["Phone Number", "Keyword", "Date"],
                      [["+14155550102", "Unknown", "2025-03-01"]])
    status, out, err = run_cli(capsys, "-w", ws, "import", stops)
    assert status == 0, err
    assert "flagged 1," in out
    con = sqlite3.connect(ws)
    try:
        assert con.execute("SELECT first_name, consent_sms FROM customer ORDER BY first_name").fetchall() \
            == [("Bob", "unsubscribed"), ("Cat", "granted")]
        (problems,) = con.execute("SELECT r.problems_json FROM source_record r JOIN import_batch b "
                                  "ON b.id = r.batch_id WHERE b.file_name = 'sms_optouts.csv'").fetchone()
    finally:
        con.close()
    assert "no answer: Unknown; read as an opt-out" in problems
