"""A file's summary row ("Total,,30.00") and a second header line of labels under its header are
no customers and no orders: skipped and said so, through the command line."""

from __future__ import annotations

import json

from omnidesk.core.importing.pipeline import LABEL_ROW, TOTAL_ROW
from tests.helpers import cli_import_summary, exported_customers, run_cli


def customers(capsys, tmp_path, ws) -> list[tuple[str, ...]]:
    return sorted(tuple(r.values()) for r in exported_customers(capsys, ws, tmp_path,
                                                                "name,email,orders,lifetime_spend"))


def report(capsys, ws) -> dict:
    status, out, err = run_cli(capsys, "report", "--json", "-w", ws, "--from", "2024-03-01", "--to", "2024-03-31")
    assert status == 0, err
    return json.loads(out)["totals"]


def test_a_total_row_below_a_list_of_people_is_no_customer(capsys, tmp_path):
    ws, result = cli_import_summary(capsys, tmp_path, ["Name", "Email", "Spent"],
                                    [["Ann Lee", "ann@example.com", "10.00"], ["Bob Stone", "bob@example.com", "20.00"],
                                     ["Total", "", "30.00"]])
    assert (result["rows"], result["imported"], result["flagged"]) == (3, 2, 0)
    assert result["skipped_rows"] == {TOTAL_ROW: [3]}
    assert customers(capsys, tmp_path, ws) == [("Ann Lee", "ann@example.com", "0", "10.00"),
                                               ("Bob Stone", "bob@example.com", "0", "20.00")]


def test_a_total_row_below_30_orders_is_no_order(capsys, tmp_path):
    rows = [[1000 + i, f"2024-03-{1 + i % 28:02d}", f"c{i % 10}@example.com", f"Cust {i % 10}", "10.00"]
            for i in range(30)]
    ws, result = cli_import_summary(capsys, tmp_path, ["Order", "Date", "Email", "Name", "Amount"],
                                    rows + [["Grand Total:", "", "", "", "$300.00"]])
    assert (result["kind"], result["events"], result["skipped_rows"]) == ("events", 30, {TOTAL_ROW: [31]})
    totals = report(capsys, ws)
    assert (totals["events"], totals["revenue"], totals["new_customers"]) == (30, 300.0, 10)


def test_a_total_row_does_not_turn_three_orders_into_a_list_of_people(capsys, tmp_path):
    ws, result = cli_import_summary(capsys, tmp_path, ["Order", "Date", "Email", "Name", "Amount"],
                                    [["1001", "2024-03-01", "ann@example.com", "Ann Lee", "10.00"],
                                     ["1002", "2024-03-02", "bob@example.com", "Bob Stone", "20.00"],
                                     ["1003", "2024-03-03", "ann@example.com", "Ann Lee", "30.00"],
                                     ["TOTAL", "", "", "3", "60.00"]])
    assert (result["kind"], result["events"], result["warnings"]) == ("events", 3, [])
    assert result["skipped_rows"] == {TOTAL_ROW: [4]}
    assert customers(capsys, tmp_path, ws) == [("Ann Lee", "ann@example.com", "2", "40.00"),
                                               ("Bob Stone", "bob@example.com", "1", "20.00")]
    assert report(capsys, ws)["revenue"] == 60.0


def test_a_row_saying_total_among_the_rows_or_with_an_email_is_a_row(capsys, tmp_path):
    ws, result = cli_import_summary(capsys, tmp_path, ["Name", "Email", "Spent"],
                                    [["Total", "", "5.00"], ["Ann Lee", "ann@example.com", "10.00"],
                                     ["Total", "total@example.com", "30.00"]])
    assert result["skipped_rows"] == {}
    assert ("Total", "total@example.com", "0", "30.00") in customers(capsys, tmp_path, ws)


def test_a_second_header_line_of_labels_is_no_customer(capsys, tmp_path):
    ws, result = cli_import_summary(capsys, tmp_path, ["Email", "Name", "Spent"],
                                    [["E-mail address", "Full name", "Amount spent"],
                                     ["ann@example.com", "Ann Lee", "10.00"],
                                     ["bob@example.com", "Bob Stone", "20.00"]])
    assert (result["rows"], result["imported"], result["flagged"]) == (3, 2, 0)
    assert result["skipped_rows"] == {LABEL_ROW: [1]}
    assert customers(capsys, tmp_path, ws) == [("Ann Lee", "ann@example.com", "0", "10.00"),
                                               ("Bob Stone", "bob@example.com", "0", "20.00")]
