"""An SMS opt-out list's number written with a note beside it, an empty extension or full-width
digits opts out the customer who holds it, as the import reads phones everywhere; a number that
cannot be read is flagged as such.  Played through the command line at a set clock."""

from __future__ import annotations

import csv
import json

import time_machine

from tests.helpers import run_cli, write_csv

NY = "America/New_York"
FORMS = ["415-555-0101 (mobile)", "+1 415 555 0102 ext. ", "４１５-５５５-０１０３", "415-555-0104 mobile"]
PLAN = {"name": "S", "audience": "everyone", "mode": "each_channel",
        "message": {"headline": "Sale", "body": "Sale", "cta": "Shop", "link": "https://harbor.example/s"},
        "variants": {"sms": {"text": "Harbor: sale https://harbor.example/s Reply STOP"}},
        "steps": [{"channel": "sms", "at": "2027-03-01T12:00", "timezone": NY}]}


def _cli(capsys, ws, *argv):
    status, out, err = run_cli(capsys, *argv, "-w", ws)
    assert status == 0, (argv, err)
    return out


def textable_shop(tmp_path, capsys):
    """A New York shop of five customers who said yes to texts, +1 415 555 0101 to 0105."""
    ws = tmp_path / "shop.omnidesk"
    people = [[f"p{i}@example.com", f"P{i}", f"+1415555010{i}", "yes"] for i in range(1, 6)]
    with time_machine.travel("2027-01-10 15:00:00Z", tick=False):
        _cli(capsys, ws, "import", write_csv(tmp_path / "customers_export.csv",
                                             ["Email", "First Name", "Phone", "Accepts SMS Marketing"], people))
        for args in (("settings", "timezone", NY), ("brand", "set", "name", "Harbor"),
                     ("brand", "set", "address", "12 Quay St, Portland, OR 97201")):
            _cli(capsys, ws, *args)
    return ws


def test_an_opt_out_number_with_a_note_beside_it_reaches_its_customer(tmp_path, capsys):
    ws = textable_shop(tmp_path, capsys)
    stops = [[f, "STOP", "2027-01-15 10:00"] for f in [*FORMS, "+1 415 555 (home)"]]
    with time_machine.travel("2027-01-20 15:00:00Z", tick=False):
        _cli(capsys, ws, "import", write_csv(tmp_path / "sms_optouts.csv", ["Phone Number", "Keyword", "Date"], stops),
             "--errors", tmp_path / "errors.csv")
    # (the report guards a cell that begins with "+" with an apostrophe, as a spreadsheet reads it)
    with (tmp_path / "errors.csv").open(encoding="utf-8-sig", newline="") as fh:
        flagged = {r["Phone Number"].lstrip("'"): r["omnidesk_problems"] for r in csv.DictReader(fh)}
    # Words beside the digits are no number, but the digits are a known one's: it is taken.
    assert "its digits are those of +1 415-555-0104" in flagged["415-555-0104 mobile"]
    assert "no number known" not in flagged["415-555-0104 mobile"]
    assert flagged["+1 415 555 (home)"] == "Phone Number: not a valid phone number"
    assert set(flagged) == {"415-555-0104 mobile", "+1 415 555 (home)"}

    (tmp_path / "plan.json").write_text(json.dumps(PLAN), encoding="utf-8")
    with time_machine.travel("2027-02-01 15:00:00Z", tick=False):
        _cli(capsys, ws, "campaign", "import", tmp_path / "plan.json")
        _cli(capsys, ws, "campaign", "export", "S", "--out", tmp_path / "packs")
    (pack,) = (tmp_path / "packs").glob("*sms*.csv")
    with pack.open(encoding="utf-8-sig", newline="") as fh:
        assert [r["Phone"] for r in csv.DictReader(fh)] == ["+14155550105"]
