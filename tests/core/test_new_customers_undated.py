"""In all time every customer is new, one with no first-seen date too: the totals count them and say so.

A list without sign-up dates gives customers with nothing dated on any channel.  They fit
in no week (the weekly rows leave them out), but the period's total of new customers in
all time is every customer, as Journeys counts them; a period with a start or an end holds
none of them.
"""

from __future__ import annotations

import json

import pypdfium2

from omnidesk.core import metrics
from omnidesk.core.importing.pipeline import import_file
from tests.helpers import run_cli, write_csv


def _shop(make_workspace, tmp_path):
    ws = make_workspace(timezone="America/New_York")
    import_file(ws, write_csv(tmp_path / "people.csv", ["Email", "First name", "Signed up"], [
        ["ann@example.com", "Ann", "2026-03-02"],
        ["bob@example.com", "Bob", ""],  # nothing dated: no first-seen date
        ["cy@example.com", "Cy", ""],
    ]))
    return ws


def test_all_time_counts_customers_with_no_first_seen_date_and_says_how_many(make_workspace, tmp_path, capsys):
    ws = _shop(make_workspace, tmp_path)
    status, out, _ = run_cli(capsys, "report", "-w", ws.path)
    assert status == 0
    assert "3 new customers (2 with no first-seen date)" in out.splitlines()[0]
    status, out, _ = run_cli(capsys, "report", "--json", "-w", ws.path)
    data = json.loads(out)
    assert data["totals"]["new_customers"] == 3 and data["totals"]["new_customers_undated"] == 2
    assert data["new_customers_undated"] == 2

    status, _out, _ = run_cli(capsys, "report", "-w", ws.path, "--pdf", tmp_path / "all.pdf")
    assert status == 0
    pdf = pypdfium2.PdfDocument(str(tmp_path / "all.pdf"))
    text = " ".join(pdf[0].get_textpage().get_text_range().split())
    assert "In the period: 3 new customers (2 with no first-seen date)" in text

    assert metrics.undated_customers(ws) == 2
    assert metrics.new_customers(ws) == [{"week": "2026-W10", "customers": 1}]  # in no week


def test_a_bounded_period_holds_no_customer_without_a_date(make_workspace, tmp_path, capsys):
    ws = _shop(make_workspace, tmp_path)
    status, out, _ = run_cli(capsys, "report", "-w", ws.path, "--from", "2026-01-01", "--to", "2026-12-31")
    assert status == 0
    first = out.splitlines()[0]
    assert "1 new customer," in first and "first-seen" not in first
    status, out, _ = run_cli(capsys, "report", "--json", "-w", ws.path, "--from", "2026-01-01")
    assert json.loads(out)["totals"]["new_customers"] == 1
