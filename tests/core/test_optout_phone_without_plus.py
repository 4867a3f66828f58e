"""An SMS opt-out list writes a number abroad as its digits with the country code but no "+"
("447911123456"), as many SMS tools export it: the stop reaches the customer who holds that
number, whichever file came first.  Digits that are a number at home and also one abroad with its
"+" left off ("4798570523": Arkansas, or Norway) opt out both, the safer reading of a refusal.
Played through the command line at a set clock."""

from __future__ import annotations

import csv

import time_machine

from tests.helpers import cli_at, exported_packs, run_cli, write_csv

NY = "America/New_York"
PLAN = {"name": "S", "audience": "everyone", "mode": "each_channel",
        "message": {"headline": "Sale", "body": "Sale", "cta": "Shop", "link": "https://harbor.example/s"},
        "variants": {"sms": {"text": "Harbor: sale https://harbor.example/s Reply STOP"}},
        "steps": [{"channel": "sms", "at": "2027-03-01T12:00", "timezone": NY}]}
PEOPLE = [["Ann", "+44 7911 123456", "yes", "GB"], ["Cat", "+49 151 23456789", "yes", "DE"],
          ["Nor", "+47 985 70 523", "yes", "NO"], ["Ark", "(479) 857-0523", "yes", "US"],
          ["Zed", "+1 415 555 0105", "yes", "US"]]
STOPS = [["447911123456", "STOP", "2027-01-15 10:00"], ["4915123456789", "STOP", "2027-01-15 10:00"],
         ["4798570523", "STOP", "2027-01-15 10:00"]]


_cli = cli_at  # a command at a set clock, which must succeed


def _import_people(capsys, tmp_path, ws, at):
    _cli(capsys, ws, "import", write_csv(tmp_path / "people.csv", ["First Name", "Phone", "Accepts SMS Marketing",
                                                                   "Country"], PEOPLE), "--channel", "shop", at=at)


def _import_stops(capsys, tmp_path, ws, at):
    _cli(capsys, ws, "import", write_csv(tmp_path / "sms_optouts.csv", ["Phone Number", "Keyword", "Date"], STOPS),
         "--errors", tmp_path / "errors.csv", at=at)


def _pack(capsys, tmp_path, ws) -> tuple[list[str], str]:
    packs, said = exported_packs(capsys, ws, tmp_path, PLAN)
    with packs["sms"].open(encoding="utf-8-sig", newline="") as fh:
        return [r["Phone"] for r in csv.DictReader(fh)], said


def _consents(capsys, tmp_path, ws) -> dict[str, str]:
    _cli(capsys, ws, "export", "customers", tmp_path / "c.csv", "--columns", "first_name,phone,consent_sms")
    with (tmp_path / "c.csv").open(encoding="utf-8-sig", newline="") as fh:
        return {r["first_name"]: r["consent_sms"] for r in csv.DictReader(fh)}


def test_a_stop_written_with_the_country_code_but_no_plus_reaches_the_customer_already_imported(tmp_path, capsys):
    ws = tmp_path / "shop.omnidesk"
    _import_people(capsys, tmp_path, ws, "2027-01-10 15:00:00Z")
    _import_stops(capsys, tmp_path, ws, "2027-01-20 15:00:00Z")
    with (tmp_path / "errors.csv").open(encoding="utf-8-sig", newline="") as fh:
        flagged = {r["Phone Number"]: r["omnidesk_problems"] for r in csv.DictReader(fh)}
    assert "read as +44 7911 123456, the number already known" in flagged["447911123456"]
    assert "read as +49 1512 3456789, the number already known" in flagged["4915123456789"]
    assert "the opt-out is taken as both's" in flagged["4798570523"]
    assert not any("no number known yet" in p for p in flagged.values())
    # The stop of the two readings stands apart from both customers and holds each one's number.
    assert _consents(capsys, tmp_path, ws) == {"Ann": "unsubscribed", "Cat": "unsubscribed", "Nor": "held",
                                               "Ark": "held", "Zed": "granted", "": "unsubscribed"}
    phones, said = _pack(capsys, tmp_path, ws)
    assert phones == ["+14155550105"]
    assert "(1 recipient; left out: opted out 5)" in said


def test_a_stop_written_with_the_country_code_but_no_plus_reaches_a_customer_imported_later(tmp_path, capsys):
    ws = tmp_path / "shop.omnidesk"
    _import_stops(capsys, tmp_path, ws, "2027-01-20 15:00:00Z")
    _import_people(capsys, tmp_path, ws, "2027-01-22 15:00:00Z")
    consents = _consents(capsys, tmp_path, ws)
    assert consents == {"Ann": "unsubscribed", "Cat": "unsubscribed", "Nor": "held", "Ark": "held",
                        "Zed": "granted", "": "unsubscribed"}
    phones, said = _pack(capsys, tmp_path, ws)
    assert phones == ["+14155550105"]
    assert "(1 recipient; left out: opted out 5)" in said


def test_a_workspace_whose_stops_an_older_version_left_waiting_opts_those_customers_out_once_reopened(
        tmp_path, capsys, monkeypatch):
    """Imported by the version that read "447911123456" only as a number of the shop's country, the
    stops waited for a number nobody had, and the UK and German customers stayed in the SMS pack.
    Opened by this version, the kept rows are read again, once, and the stops reach them."""
    from omnidesk.core.importing import known_numbers
    from omnidesk.core.importing.backfill import CONSENT_READERS_VERSION

    ws = tmp_path / "shop.omnidesk"
    _import_people(capsys, tmp_path, ws, "2027-01-10 15:00:00Z")
    monkeypatch.setattr(known_numbers, "_international", lambda digits: None)  # as the older version read them
    _import_stops(capsys, tmp_path, ws, "2027-01-20 15:00:00Z")
    import sqlite3

    db = sqlite3.connect(ws)
    with db:
        db.execute("UPDATE setting SET value = '4' WHERE key = 'consent_readers'")
    db.close()
    # What that version left: the stops' digits waiting for a number nobody has.
    db = sqlite3.connect(ws)
    assert db.execute("SELECT count(*) FROM identifier WHERE kind = 'unread_phone'").fetchone()[0] >= 2
    db.close()
    monkeypatch.undo()
    assert CONSENT_READERS_VERSION > 4
    with time_machine.travel("2027-01-25 15:00:00Z", tick=False):
        status, out, err = run_cli(capsys, "info", "-w", ws)
    assert status == 0, err
    assert "opt-out" in out + err or "number" in out + err, out + err
    phones, said = _pack(capsys, tmp_path, ws)
    assert phones == ["+14155550105"], said
    db = sqlite3.connect(ws)
    assert db.execute("SELECT value FROM setting WHERE key = 'consent_readers'").fetchone() == (
        str(CONSENT_READERS_VERSION),)
    db.close()
