"""Two rows of one till export identical cell for cell: two people named Anna Lee, both given the
shop's landline (four other names on that number too).  Review asks whether they are one person;
the owner's answer holds like any other, though both records have the same row hash."""

from __future__ import annotations

import csv
import json

from tests.helpers import cli_at, run_cli, write_csv

HEADER = ["First Name", "Last Name", "Phone", "Zip"]
LANDLINE = "(415) 555-0100"
ROWS = [["Anna", "Lee", LANDLINE, "94110"], ["Anna", "Lee", LANDLINE, "94110"],
        ["Bob", "Smith", LANDLINE, "94110"], ["Carl", "Jones", LANDLINE, "94110"],
        ["Dina", "Brown", LANDLINE, "94110"], ["Ed", "Garcia", LANDLINE, "94110"]]


def _till(tmp_path, capsys):
    ws = tmp_path / "same.omnidesk"
    till = write_csv(tmp_path / "till_same.csv", HEADER, ROWS)
    cli_at(capsys, ws, "import", till, "--channel", "pos", "--kind", "contacts", "--region", "US")
    (pair,) = json.loads(cli_at(capsys, ws, "review", "list", "--json"))
    return ws, till, pair


def _apart(capsys, ws) -> list[set[int]]:
    return [{p["left"]["id"], p["right"]["id"]} for p in json.loads(cli_at(capsys, ws, "review", "apart", "--json"))]


def _queued(capsys, ws) -> list[set[int]]:
    return [{p["left"]["id"], p["right"]["id"]} for p in json.loads(cli_at(capsys, ws, "review", "list", "--json"))]


def test_identical_rows_kept_apart_stay_apart(tmp_path, capsys):
    ws, till, pair = _till(tmp_path, capsys)
    annas = {pair["left"]["id"], pair["right"]["id"]}
    said = cli_at(capsys, ws, "review", "reject", pair["id"])
    assert "Kept apart" in said
    assert _apart(capsys, ws) == [annas]

    for again in (["resolve"], ["resolve", "--from-scratch"]):
        cli_at(capsys, ws, *again)
        assert _queued(capsys, ws) == [], again
        assert _apart(capsys, ws) == [annas], again

    # Import undone and the same file imported again: the rows come back as new records, still apart.
    status, out, err = run_cli(capsys, "imports", "undo", "1", "-w", ws)
    assert status == 0, err
    cli_at(capsys, ws, "import", till, "--channel", "pos", "--kind", "contacts", "--region", "US")
    assert _queued(capsys, ws) == []
    (back,) = _apart(capsys, ws)
    assert None not in back and back.isdisjoint(annas)

    # Not sure any more: the pair is asked again.
    left, right = sorted(back)
    assert "back in the review queue" in cli_at(capsys, ws, "review", "again", left, right)
    assert _queued(capsys, ws) == [back] and _apart(capsys, ws) == []


def test_identical_rows_merged_stay_one_customer(tmp_path, capsys):
    ws, _till_file, pair = _till(tmp_path, capsys)
    cli_at(capsys, ws, "review", "accept", pair["id"])
    for again in (["resolve"], ["resolve", "--from-scratch"]):
        said = cli_at(capsys, ws, *again)
        assert said.startswith("5 customers") and _queued(capsys, ws) == [], (again, said)
    out = tmp_path / "sources.csv"
    cli_at(capsys, ws, "export", "sources", out)
    with out.open(newline="", encoding="utf-8") as fh:
        owners = {r["customer_id"] for r in csv.DictReader(fh) if r["first_name"] == "Anna"}
    assert len(owners) == 1, owners


def test_a_split_of_identical_rows_says_why_it_cannot_be_made(tmp_path, capsys):
    """Merged, the two Annas cannot be split by a record: a row written exactly like another moves with
    it.  The refusal says so, not that the record is the customer's only source (it has two)."""
    ws, _till_file, pair = _till(tmp_path, capsys)
    cli_at(capsys, ws, "review", "accept", pair["id"])
    for record in ("1", "2"):
        status, _out, err = run_cli(capsys, "-w", ws, "unmerge", record)
        assert status == 1
        assert "rows written exactly like it" in err and "Nothing was split" in err, err
        assert "only source" not in err
