"""A workspace whose SMS opt-out list was read by the version before phones were read without a
note beside them ("415-555-0101 (mobile)"), an empty extension or full-width digits: those stops
reached nobody.  Opened by this version, the kept rows are read again, once, and each stop reaches
the number it names, so its customer leaves the SMS pack.  Played through the command line at a
set clock; the stops are imported with the older version's reading of a phone cell, which left (as
on a real workspace that version made) no number at all for one and full-width digits after "+1"
for another."""

from __future__ import annotations

import csv
import json
import sqlite3

import time_machine

from omnidesk.core import contact
from omnidesk.core.cells import clean_cell, strip_type_prefix
from omnidesk.core.importing import known_numbers
from omnidesk.core.importing.backfill import CONSENT_READERS_VERSION

from tests.core.test_optout_phone_notes import FORMS, PLAN, textable_shop
from tests.helpers import run_cli, write_csv


def _cli(capsys, ws, *argv):
    status, out, err = run_cli(capsys, *argv, "-w", ws)
    assert status == 0, (argv, err)
    return out + err


def _read_as_version_2(raw: str) -> str:
    """How the older version read a phone cell: cleaned and its type prefix gone, nothing more."""
    return clean_cell(strip_type_prefix(clean_cell(raw)))


def _stop_numbers(ws) -> set[str]:
    db = sqlite3.connect(ws)
    found = {v for (v,) in db.execute(
        "SELECT i.value FROM identifier i JOIN source_record r ON r.id = i.record_id JOIN import_batch b "
        "ON b.id = r.batch_id WHERE b.file_name = 'sms_optouts.csv' AND i.kind = 'phone'") if v.isascii()}
    db.close()
    return found


def _pack_phones(capsys, tmp_path, ws, out) -> list[str]:
    with time_machine.travel("2027-02-01 15:00:00Z", tick=False):
        _cli(capsys, ws, "campaign", "export", "S", "--out", tmp_path / out)
    (pack,) = (tmp_path / out).glob("*sms*.csv")
    with pack.open(encoding="utf-8-sig", newline="") as fh:
        return sorted(r["Phone"] for r in csv.DictReader(fh))


def test_stops_an_older_version_could_not_read_reach_their_numbers_once_reopened(tmp_path, capsys, monkeypatch):
    ws = textable_shop(tmp_path, capsys)
    monkeypatch.setattr(contact, "phone_text", _read_as_version_2)
    monkeypatch.setattr(known_numbers, "phone_text", _read_as_version_2)
    with time_machine.travel("2027-01-20 15:00:00Z", tick=False):
        _cli(capsys, ws, "import", write_csv(tmp_path / "sms_optouts.csv", ["Phone Number", "Keyword", "Date"],
                                             [[f, "STOP", "2027-01-15 10:00"] for f in FORMS]))
    (tmp_path / "plan.json").write_text(json.dumps(PLAN), encoding="utf-8")
    with time_machine.travel("2027-02-01 15:00:00Z", tick=False):
        _cli(capsys, ws, "campaign", "import", tmp_path / "plan.json")
    monkeypatch.undo()
    db = sqlite3.connect(ws)
    with db:
        db.execute("UPDATE setting SET value = '2' WHERE key = 'consent_readers'")
    db.close()
    # The older reading left two of the four stops with no number anyone dials.
    assert _stop_numbers(ws) == {"+14155550101", "+14155550104"}

    with time_machine.travel("2027-02-01 15:00:00Z", tick=False):
        said = _cli(capsys, ws, "info")
    assert "2 opt-outs now reach the phone number they name" in said
    assert _pack_phones(capsys, tmp_path, ws, "packs") == ["+14155550105"]
    assert _stop_numbers(ws) == {"+14155550101", "+14155550102", "+14155550103", "+14155550104"}
    db = sqlite3.connect(ws)
    assert db.execute("SELECT value FROM setting WHERE key = 'consent_readers'").fetchone() == (str(CONSENT_READERS_VERSION),)
    assert db.execute("SELECT count(*) FROM identifier WHERE kind = 'unread_phone'").fetchone() == (0,)
    assert db.execute("SELECT count(*) FROM identifier WHERE value LIKE '%４%'").fetchone() == (0,)
    db.close()
    # Read once: opened again, nothing more is said.
    with time_machine.travel("2027-02-01 15:00:00Z", tick=False):
        assert "opt-out" not in _cli(capsys, ws, "info")
