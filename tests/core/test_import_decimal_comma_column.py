"""An amount column's decimal mark is read from the values that prove it ("12,50" a comma, "1.99" a
point), and its amounts that could be either ("3,500") are read that way; a column proving both
leaves them unread and flagged.  Through the command line."""

from __future__ import annotations

import csv
import json

from tests.helpers import cli_import_summary, exported_customers, run_cli


def spend(capsys, tmp_path, ws) -> dict[str, str]:
    return {r["email"]: r["lifetime_spend"] for r in exported_customers(capsys, ws, tmp_path, "email,lifetime_spend")}


def test_a_column_writing_decimals_with_a_comma_reads_3_500_as_three_and_a_half(capsys, tmp_path):
    ws, result = cli_import_summary(capsys, tmp_path, ["Email", "Name", "Spent"],
                                    [["ann@example.com", "Ann Lee", "12,50"], ["bob@example.com", "Bob Stone", "3,500"],
                                     ["cat@example.com", "Cat Jones", "1,99"]])
    assert result["flagged"] == 0
    assert "Amounts in column 'Spent' write decimals with a comma (12,50), so 3,500 is read as 3.50." in result[
        "warnings"]
    assert spend(capsys, tmp_path, ws) == {"ann@example.com": "12.50", "bob@example.com": "3.50",
                                           "cat@example.com": "1.99"}


def test_a_column_writing_decimals_with_a_point_keeps_3_500_as_thousands(capsys, tmp_path):
    ws, result = cli_import_summary(capsys, tmp_path, ["Email", "Name", "Spent"],
                                    [["ann@example.com", "Ann Lee", "12.50"], ["bob@example.com", "Bob Stone", "3,500"],
                                     ["cat@example.com", "Cat Jones", "1.500"]])
    assert result["flagged"] == 0
    assert spend(capsys, tmp_path, ws) == {"ann@example.com": "12.50", "bob@example.com": "3500.00",
                                           "cat@example.com": "1.50"}


def test_orders_with_decimal_commas_add_up_in_the_report(capsys, tmp_path):
    ws, result = cli_import_summary(capsys, tmp_path, ["Order", "Date", "Email", "Name", "Amount"],
                                    [["1001", "2024-03-01", "ann@example.com", "Ann Lee", "12,50"],
                                     ["1002", "2024-03-02", "bob@example.com", "Bob Stone", "3,500"],
                                     ["1003", "2024-03-03", "ann@example.com", "Ann Lee", "1,99"]])
    assert (result["kind"], result["events"], result["flagged"]) == ("events", 3, 0)
    status, out, err = run_cli(capsys, "report", "--json", "-w", ws, "--from", "2024-03-01", "--to", "2024-03-31")
    assert status == 0, err
    assert json.loads(out)["totals"]["revenue"] == 17.99


def test_a_column_proving_both_marks_flags_the_amounts_that_could_be_either(capsys, tmp_path):
    errors = tmp_path / "errors.csv"
    ws, result = cli_import_summary(capsys, tmp_path, ["Email", "Name", "Spent"],
                                    [["ann@example.com", "Ann Lee", "12,50"], ["bob@example.com", "Bob Stone", "3,500"],
                                     ["cat@example.com", "Cat Jones", "1.99"]], "--errors", errors)
    assert result["flagged"] == 1
    assert any("such as 3,500, are left empty and their rows flagged" in w for w in result["warnings"])
    with errors.open(encoding="utf-8-sig", newline="") as fh:
        (row,) = list(csv.DictReader(fh))
    assert row["Email"] == "bob@example.com" and row["Spent"] == "3,500"
    assert "Spent: 3,500 could be a whole amount or one with decimals" in row["omnidesk_problems"]
    assert spend(capsys, tmp_path, ws) == {"ann@example.com": "12.50", "bob@example.com": "",
                                           "cat@example.com": "1.99"}
