"""An error report written before an erase keeps the erased person out when it is imported after:
its own columns make its rows other rows than the file's, and a flagged row has no email or phone
that reads, so nothing but the row it names tells that it is theirs."""

from __future__ import annotations

import csv

from tests.helpers import exported_customers, fix_report, run_cli, write_csv

SHOP = (["Customer ID", "First Name", "Last Name", "Email", "Accepts Email Marketing", "Default Address Address1",
         "Default Address City", "Default Address Zip", "Phone", "Accepts SMS Marketing"],
        [["'7777001", "Quentin", "Zarkowski", "qzarkowski@mailbox.example", "yes", "48 Juniper Lane", "Portland",
          "'04101", "+12075550143", "yes"],
         ["'7777003", "Alice", "Baker", "alice.baker@example.com", "yes", "1 Main St", "Portland", "'04102",
          "+12075550111", "yes"]])
SMS = (["Phone", "First name", "Last name", "Opted in", "Opt-in date"],
       [["207-555-014", "Quentin", "Zarkowski", "yes", "2024-11-04"],
        ["207.555.0111", "Alice", "Baker", "yes", "2024-11-03"],
        ["207-555-016", "Bruno", "Ortiz", "yes", "2024-11-05"]])
COLUMNS = "id,full_name,email,phone,consent_sms,channels"


def _erased_after_report(tmp_path, capsys):
    """Quentin's SMS row flagged into an error report, his flagged record merged into him, then
    Quentin erased: the workspace and the report written before the erase."""
    ws, report = tmp_path / "shop.omnidesk", tmp_path / "errs.csv"
    for name, (header, rows) in (("customers_export.csv", SHOP), ("sms_subscribers.csv", SMS)):
        argv = ["--errors", report] if name.startswith("sms") else []
        status, _, err = run_cli(capsys, "import", write_csv(tmp_path / name, header, rows), "--region", "US",
                                 "-w", ws, *argv)
        assert status == 0, err
    with report.open(encoding="utf-8", newline="") as fh:
        assert [r["First name"] for r in csv.DictReader(fh)] == ["Quentin", "Bruno"]
    quentins = [c["id"] for c in exported_customers(capsys, ws, tmp_path, COLUMNS)
                if c["full_name"] == "Quentin Zarkowski"]
    assert len(quentins) == 2
    assert run_cli(capsys, "merge", *quentins, "-w", ws)[0] == 0
    assert run_cli(capsys, "person", "erase", "qzarkowski@mailbox.example", "--yes", "-w", ws)[0] == 0
    return ws, report


def test_an_error_report_written_before_an_erase_does_not_bring_the_person_back(tmp_path, capsys):
    ws, report = _erased_after_report(tmp_path, capsys)
    status, out, err = run_cli(capsys, "import", report, "-w", ws)
    assert status == 0, err
    assert "2 rows: imported 1, flagged 1, duplicates 0, left out 1 (erased at their request)" in out
    people = exported_customers(capsys, ws, tmp_path, COLUMNS)
    assert sorted(c["full_name"] for c in people) == ["Alice Baker", "Bruno Ortiz"]
    assert "zarkowski" not in (tmp_path / "exported-customers.csv").read_text().lower()


def test_a_fixed_row_of_the_erased_person_in_such_a_report_stays_out_too(tmp_path, capsys):
    ws, report = _erased_after_report(tmp_path, capsys)

    def fix(header, row):  # the numbers typed in full: the rows read now, and are the user's edits
        row[header.index("Phone")] = {"Quentin": "207-555-0149", "Bruno": "207-555-0166"}[row[1]]

    fixed = fix_report(report, tmp_path / "errs-fixed.csv", fix)
    status, out, err = run_cli(capsys, "import", fixed, "-w", ws)
    assert status == 0, err
    assert "2 rows: imported 1, flagged 0, duplicates 0, left out 1 (erased at their request)" in out
    people = {c["full_name"]: c for c in exported_customers(capsys, ws, tmp_path, COLUMNS)}
    assert sorted(people) == ["Alice Baker", "Bruno Ortiz"]
    assert people["Bruno Ortiz"]["phone"] == "+12075550166"
    assert "zarkowski" not in (tmp_path / "exported-customers.csv").read_text().lower()
