"""The one helper that prints a command's results as JSON (--json) or as text."""

from __future__ import annotations

import argparse
import json

from omnidesk.cli.output import Output


def args(as_json: bool) -> argparse.Namespace:
    return argparse.Namespace(json=as_json)


def test_show_prints_the_data_as_json_or_the_text_made_of_it(capsys):
    data = {"customers": 1200, "name": "Chloé"}
    Output(args(True)).show(data, lambda d: "never shown")
    assert json.loads(capsys.readouterr().out) == data
    Output(args(False)).show(data, lambda d: [f"{d['customers']:,} customers", f"first: {d['name']}"])
    assert capsys.readouterr().out == "1,200 customers\nfirst: Chloé\n"


def test_a_command_without_json_shows_text():
    assert Output(argparse.Namespace()).json is False


def test_items_are_told_as_they_come_as_text_or_one_json_line_each_their_notes_on_stderr(capsys):
    out = Output(args(False))
    out.item({"file": "a.csv"}, "a.csv: imported 3", notes=["omnidesk: warning: a.csv: check the dates"])
    out.say("Wrote 1 flagged rows to report.csv")
    told = capsys.readouterr()
    assert told.out == "a.csv: imported 3\nWrote 1 flagged rows to report.csv\n"
    assert told.err == "omnidesk: warning: a.csv: check the dates\n"

    out = Output(args(True))
    out.item({"file": "a.csv", "rows": 3}, "a.csv: imported 3", notes="omnidesk: warning: dates")
    told = capsys.readouterr()
    assert json.loads(told.out) == {"file": "a.csv", "rows": 3}  # at once, not at the end
    assert told.err == "omnidesk: warning: dates\n"
    out.item({"file": "b.csv", "error": "not a CSV"}, notes="omnidesk: error: not a CSV")
    out.say("Wrote 1 flagged rows to report.csv")  # for people only: not in the JSON
    told = capsys.readouterr()
    assert json.loads(told.out) == {"file": "b.csv", "error": "not a CSV"}
    assert told.err == "omnidesk: error: not a CSV\n"
