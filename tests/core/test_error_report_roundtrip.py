"""Save the error report, fix it, import it again: the fixed rows land where they belong."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from omnidesk.cli import main
from omnidesk.core.importing.pipeline import ImportOptions, analyze, run_to_end, write_error_report
from omnidesk.core.importing.report import report_paths
from tests.helpers import fix_report, write_csv

EU_HEADER = ["Email", "First Name", "Last Name", "Order Date", "City"]
EU_ROWS = [
    ["ann@example.com", "Ann", "Lee", "25/04/2024", "Lyon"],  # day first: decides the column
    ["jane.doe@example", "Jane", "Doe", "03/04/2024", "Paris"],  # broken email: flagged
    ["bo@example.com", "Bo", "Chen", "12/05/2024", "Nice"],
]


def _semicolons(path, header, rows):
    """A continental export: semicolons between the cells."""
    return write_csv(path, header, rows, delimiter=";")


def _jane(ws):
    with ws.engine.connect() as conn:
        return conn.exec_driver_sql(
            "SELECT r.customer_id, r.email, json_extract(r.values_json, '$.created_at'), r.flagged "
            "FROM source_record r WHERE r.first_name = 'Jane' ORDER BY r.id").fetchall()


def test_a_fixed_row_joins_the_customer_of_the_row_it_corrects_and_reads_dates_as_the_original(new_workspace, tmp_path):
    original = _semicolons(tmp_path / "orders_eu.csv", EU_HEADER, EU_ROWS)
    with new_workspace(tmp_path / "w.omnidesk") as ws:
        options = ImportOptions(channel="shop", kind="contacts",
                                mapping=["email", "first_name", "last_name", "created_at", "city"])
        plan = analyze(ws, original, options)
        result = run_to_end(ws, plan)
        assert result.flagged == 1
        report = tmp_path / "errors.csv"
        assert write_error_report(report, [(plan, result)]) == 1
        customers = ws.counts()["customers"]

        def fix(header, row):
            row[header.index("Email")] = "jane.doe@example.com"

        fixed = fix_report(report, tmp_path / "errors-fixed.csv", fix)
        again = analyze(ws, fixed)
        assert again.channel == "shop" and again.mapping[:5] == options.mapping
        assert any("error report of import" in w for w in again.warnings)
        second = run_to_end(ws, again)
        assert second.flagged == 0 and second.new_customers == 0
        assert ws.counts()["customers"] == customers
        (old_cid, old_email, old_date, old_flag), (new_cid, new_email, new_date, new_flag) = _jane(ws)
        assert new_cid == old_cid  # one Jane, with both rows as read
        assert (old_email, old_flag) == (None, 1) and (new_email, new_flag) == ("jane.doe@example.com", 0)
        assert old_date == new_date == "2024-04-03"  # day first, as the original column said
        with ws.engine.connect() as conn:
            email = conn.exec_driver_sql("SELECT email FROM customer WHERE id = ?", (new_cid,)).scalar()
        assert email == "jane.doe@example.com"


def test_the_cli_round_trip_and_a_report_of_a_report(tmp_path, capsys):
    original = _semicolons(tmp_path / "orders_eu.csv", EU_HEADER + ["Phone"],
                      [r + [""] for r in EU_ROWS] + [["zed@example.com", "Zed", "Park", "31/12/2024", "Metz",
                                                      "call me"]])
    ws = tmp_path / "w.omnidesk"
    report = tmp_path / "errors.csv"
    assert main(["import", str(original), "-w", str(ws), "--errors", str(report), "--json"]) == 0
    capsys.readouterr()
    with report.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["First Name"] for r in rows] == ["Jane", "Zed"]
    assert rows[0]["omnidesk_batch"] == "1" and rows[0]["omnidesk_row"] == "2"

    def fix_email_only(header, row):  # Zed's phone is left as it was: flagged again
        if row[header.index("First Name")] == "Jane":
            row[header.index("Email")] = "jane.doe@example.com"

    fixed = fix_report(report, tmp_path / "errors-fixed.csv", fix_email_only)
    second = tmp_path / "errors-2.csv"
    assert main(["import", str(fixed), "-w", str(ws), "--errors", str(second), "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert (summary["imported"], summary["flagged"], summary["new_customers"]) == (2, 1, 0)
    with second.open(encoding="utf-8", newline="") as fh:
        header, *again = list(csv.reader(fh))
    assert header == EU_HEADER + ["Phone", "omnidesk_row", "omnidesk_problems", "omnidesk_batch"]
    assert len(again) == 1 and again[0][1] == "Zed" and again[0][-1] == "2"


def test_a_report_of_several_files_is_one_report_per_file_each_keeping_its_columns(new_workspace, tmp_path):
    # A till's customer list saved from a spreadsheet: two columns both called "Phone" (home, then
    # mobile), as exports of hand-kept sheets often have.  The second file has them too.
    header = ["Name", "Email", "Phone", "Phone", "City"]
    first = write_csv(tmp_path / "till_customers.csv", header, [
        ["Ann Lee", "ann@example", "+1 207 555 0101", "+1 207 555 0199", "Portland"],  # broken email
        ["Bo Chen", "bo@example.com", "+1 207 555 0102", "", "Bangor"],
    ])
    second = write_csv(tmp_path / "market_signups.csv", ["Email", "Phone", "Phone", "Name"], [
        ["cy@example", "+1 207 555 0111", "+1 207 555 0112", "Cy Diaz"],  # broken email
    ])
    with new_workspace(tmp_path / "w.omnidesk") as ws:
        runs = []
        for f in (first, second):
            plan = analyze(ws, f, ImportOptions(channel="pos"))
            runs.append((plan, run_to_end(ws, plan)))
        paths = report_paths(tmp_path / "problems.csv", [p.file_name for p, _ in runs])
        assert [p.name for p in paths] == ["problems-till_customers.csv", "problems-market_signups.csv"]
        for path, run in zip(paths, runs):
            assert write_error_report(path, [run]) == 1
    with paths[0].open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == header + ["omnidesk_row", "omnidesk_problems", "omnidesk_batch"]
    # (Written for people, the phones are guarded: a spreadsheet would run them as formulas.)
    assert rows[1][:5] == ["Ann Lee", "ann@example", "'+1 207 555 0101", "'+1 207 555 0199", "Portland"]
    with paths[1].open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[0][:4] == ["Email", "Phone", "Phone", "Name"]
    assert rows[1][:4] == ["cy@example", "'+1 207 555 0111", "'+1 207 555 0112", "Cy Diaz"]


def test_report_names_beside_the_one_asked_for_stay_apart():
    out = Path("reports") / "errs.csv"
    assert report_paths(out, ["list.csv"]) == [out]
    assert [p.name for p in report_paths(out, ["list.csv", "List.csv", "a b?.csv", "list.csv"])] == [
        "errs-list.csv", "errs-List-2.csv", "errs-a_b.csv", "errs-list-3.csv"]
    assert all(p.parent == out.parent for p in report_paths(out, ["x.csv", "y.csv"]))
