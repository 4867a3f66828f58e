"""Names and values typed or imported keep no control characters, a NUL in a name is refused, and
a name is of a sensible length: each said in one line, with nothing changed."""

from __future__ import annotations

import csv
import json
import sqlite3

import pytest

from tests.helpers import cli_shop_fixtures, run_cli, write_csv

PEOPLE = (["Email", "First Name", "Last Name"], [["ann@example.com", "Ann", "Lee"]])
MESSAGE = {"headline": "Spring sale", "body": "Hi {first_name|there},\n20% off\x07 all spring stock.",
           "link": "https://example.com/spring"}
PLAN = {"name": "Spring", "message": "Spring sale", "audience": "everyone",
        "steps": [{"channel": "email", "at": "2027-03-01T09:00", "timezone": "America/New_York"}]}

shop_template, shop = cli_shop_fixtures(PEOPLE)


def listed(capsys, shop, *what):
    status, out, _ = run_cli(capsys, *what, "list", "--json", "-w", str(shop))
    assert status == 0
    return json.loads(out)


def test_a_nul_in_a_message_or_campaign_name_is_refused_and_nothing_saved(shop, capsys, tmp_path):
    file = tmp_path / "m.json"
    file.write_text(json.dumps({"name": "x\u0000y\u001b", "message": MESSAGE}), encoding="utf-8")
    status, out, err = run_cli(capsys, "message", "import", str(file), "-w", str(shop))
    assert status != 0 and out == "" and "cannot hold a NUL character" in err and len(err.strip().splitlines()) == 1
    assert listed(capsys, shop, "message") == []
    file.write_text(json.dumps({"name": "Spring sale", "message": MESSAGE}), encoding="utf-8")
    assert run_cli(capsys, "message", "import", str(file), "-w", str(shop))[0] == 0
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps(dict(PLAN, name="C\u0000x")), encoding="utf-8")
    status, out, err = run_cli(capsys, "campaign", "import", str(plan), "-w", str(shop))
    assert status != 0 and out == "" and "A campaign's name cannot hold a NUL character" in err
    assert listed(capsys, shop, "campaign") == []


def test_control_characters_are_dropped_from_names_and_kept_line_breaks_where_they_mean_something(
        shop, capsys, tmp_path):
    file = tmp_path / "m.json"
    file.write_text(json.dumps({"name": "Spring\u001b[31m sale\u0007", "message": MESSAGE}), encoding="utf-8")
    assert run_cli(capsys, "message", "import", str(file), "-w", str(shop))[0] == 0
    assert [m["name"] for m in listed(capsys, shop, "message")] == ["Spring[31m sale"]
    back = tmp_path / "back.json"
    assert run_cli(capsys, "message", "export-json", "Spring[31m sale", str(back), "-w", str(shop))[0] == 0
    assert json.loads(back.read_text(encoding="utf-8"))["message"]["body"] == \
        "Hi {first_name|there},\n20% off all spring stock."
    assert run_cli(capsys, "segment", "save", "Fans\u0007\u001b", "--rule", '{"all": []}', "-w", str(shop))[0] == 0
    assert [s["name"] for s in listed(capsys, shop, "segment")] == ["Fans"]


def test_a_customer_typed_in_is_exported_without_control_characters(shop, capsys, tmp_path):
    status, _, err = run_cli(capsys, "customer", "add", "first_name=a\u0001\u001b[31mb\u0007",
                             "email=zed@example.com", "-w", str(shop))
    assert status == 0, err
    out = tmp_path / "out.csv"
    assert run_cli(capsys, "export", "customers", str(out), "-w", str(shop))[0] == 0
    text = out.read_text(encoding="utf-8")
    assert "\u001b" not in text and "\u0007" not in text and "\u0001" not in text
    rows = {r["email"]: r for r in csv.DictReader(text.splitlines())}
    assert rows["zed@example.com"]["first_name"] == "a[31mb"


def test_names_too_long_are_refused_and_nothing_changed(shop, capsys, tmp_path):
    long = "x" * 100_000
    status, out, err = run_cli(capsys, "settings", "business_name", long, "-w", str(shop))
    assert status != 0 and "300 characters at most" in err and len(err.strip().splitlines()) == 1
    assert json.loads(run_cli(capsys, "settings", "business_name", "--json", "-w", str(shop))[1])["value"] == ""
    assert run_cli(capsys, "settings", "business_name", "Harbor\u001b[31m Goods\u0007", "-w", str(shop))[0] == 0
    assert json.loads(run_cli(capsys, "settings", "business_name", "--json", "-w", str(shop))[1])["value"] == \
        "Harbor[31m Goods"
    status, out, err = run_cli(capsys, "customer", "add", f"first_name={long}", "email=long@example.com",
                               "-w", str(shop))
    assert status != 0 and "first name: keep it to 200 characters at most" in err
    out = tmp_path / "out.csv"
    assert run_cli(capsys, "export", "customers", str(out), "-w", str(shop))[0] == 0
    assert "long@example.com" not in out.read_text(encoding="utf-8")
    csv_in = tmp_path / "more.csv"
    write_csv(csv_in, ["Email"], [["cy@example.com"]])
    status, out, err = run_cli(capsys, "import", str(csv_in), "--channel", "c" * 201, "-w", str(shop))
    assert status != 0 and "Keep a channel's name to 200 characters at most" in err


def test_a_name_imported_is_kept_without_control_characters_and_its_row_as_read(shop, capsys, tmp_path):
    file = tmp_path / "more.csv"
    file.write_bytes(b"Email,First Name\r\nq@example.com,a\x1b[31mb\x07\r\n")
    assert run_cli(capsys, "import", str(file), "-w", str(shop))[0] == 0
    out = tmp_path / "out.csv"
    assert run_cli(capsys, "export", "customers", str(out), "-w", str(shop))[0] == 0
    rows = {r["email"]: r for r in csv.DictReader(out.read_text(encoding="utf-8").splitlines())}
    assert rows["q@example.com"]["first_name"] == "A[31mb"
    import sqlite3

    with sqlite3.connect(shop) as conn:
        raws = [json.loads(r) for (r,) in conn.execute("SELECT raw_json FROM source_record")]
    assert ["q@example.com", "a\x1b[31mb\x07"] in raws


@pytest.mark.parametrize(("field", "limit"), [("company", 300), ("address", 500), ("city", 200), ("last_name", 200)])
def test_a_typed_value_longer_than_the_card_keeps_is_refused_not_cut(shop, capsys, field, limit):
    """An 800-character company was stored cut to 500 without a word; now it is refused whole,
    and one as long as the column holds is kept whole."""
    assert run_cli(capsys, "customer", "add", "first_name=Ann", "email=ann.long@example.com", "-w", str(shop))[0] == 0

    def card() -> tuple:
        with sqlite3.connect(shop) as db:
            return db.execute(f"SELECT id, {field} FROM customer WHERE email = 'ann.long@example.com'").fetchone()

    cid = card()[0]
    status, _out, err = run_cli(capsys, "customer", "set", str(cid), field, "y" * (limit + 1), "-w", str(shop))
    assert status != 0 and f"keep it to {limit:,} characters at most (it has {limit + 1:,})" in err
    assert card()[1] == ""
    assert run_cli(capsys, "customer", "set", str(cid), field, "y" * limit, "-w", str(shop))[0] == 0
    assert card()[1] == "y" * limit


def test_what_a_file_says_of_a_customer_keeps_no_control_characters_and_the_row_stays_as_read(tmp_path, capsys):
    """A city, a street, a tag or a custom field read with ESC or BEL in it went raw into every
    export; a vertical tab (a line break in FileMaker's exports) joined two street lines."""
    shop = tmp_path / "ws.omnidesk"
    rows = [[f"p{i}@example.com", f"Name{i}", "Portland", f"{i} Main St", "local", str(i)] for i in range(40)]
    rows.append(["ann@example.com", "Ann", "Bo\u001b[31mston", "1 Main\u0007 St\u000bApt 4", "VIP\u001b[0m, local",
                 "1\u000200"])
    file = write_csv(tmp_path / "people.csv", ["Email", "First Name", "City", "Address", "Tags", "Points"], rows)
    assert run_cli(capsys, "import", str(file), "-w", str(shop))[0] == 0
    out = tmp_path / "out.csv"
    assert run_cli(capsys, "export", "customers", str(out), "--columns", "email,city,address,tags,custom.Points",
                   "-w", str(shop))[0] == 0
    text = out.read_text(encoding="utf-8")
    assert not any(c in text for c in "\u001b\u0007\u0002\u000b")
    ann = next(r for r in csv.DictReader(text.splitlines()) if r["email"] == "ann@example.com")
    assert (ann["city"], ann["address"], ann["tags"], ann["Points"]) == ("Bo[31mston", "1 Main St, Apt 4",
                                                                         "VIP[0m, local", "100")
    with sqlite3.connect(shop) as db:
        raw = db.execute("SELECT raw_json FROM source_record WHERE raw_json LIKE '%ann@example.com%'").fetchone()[0]
    assert json.loads(raw)[2] == "Bo\u001b[31mston"  # the row itself, as read
