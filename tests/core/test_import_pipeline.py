"""The import path end to end on real files in a real workspace."""

from __future__ import annotations

import csv
import json

import pytest

from omnidesk.core.demo_data import write_demo_files
from omnidesk.core.importing import pipeline
from omnidesk.core.importing.batches import list_batches, undo_batch
from omnidesk.core.importing.pipeline import ImportOptions, analyze, import_file, run_import, write_error_report
from omnidesk.core.importing.sniff import UnreadableFileError
from omnidesk.core.exporting.tables import export_customers, export_sources
from omnidesk.core.tasks import Cancelled
from tests.helpers import write_csv


def snapshot(ws):
    """Everything a user could see in the workspace, to compare before and after."""
    with ws.engine.connect() as conn:
        return {
            t: conn.exec_driver_sql(f"SELECT * FROM {t} ORDER BY 1").fetchall()
            for t in ("customer", "source_record", "identifier", "consent", "event", "import_batch")
        }


NEWSLETTER = (["E-mail address", "First name", "Surname", "Mobile", "Opt-in"],
              [["Ann@Example.com ", "ann", "LEE", "(415) 555-0101", "yes"],
               ["bob@example.com", "Bob", "Stone", "415.555.0102", "no"],
               ["broken@", "Carl", "Fry", "", "yes"]])


def test_generic_file_is_mapped_normalized_and_flagged(ws, tmp_path):
    f = write_csv(tmp_path / "newsletter.csv", *NEWSLETTER)
    result = import_file(ws, f)
    assert (result.rows, result.imported, result.flagged, result.duplicates) == (3, 3, 1, 0)
    with ws.engine.connect() as conn:
        rows = conn.exec_driver_sql(
            "SELECT first_name, last_name, email, phone, flagged FROM source_record ORDER BY record_no"
        ).fetchall()
        consents = conn.exec_driver_sql("SELECT channel, status FROM consent ORDER BY id").fetchall()
    assert rows[0] == ("Ann", "Lee", "ann@example.com", "+14155550101", 0)
    assert rows[1][3] == "+14155550102"
    assert rows[2][2] is None and rows[2][4] == 1  # broken email: kept and flagged, not dropped
    assert consents == [("email", "granted"), ("email", "denied"), ("email", "granted")]
    assert ws.counts()["customers"] == 3


def test_same_file_twice_adds_nothing(ws, tmp_path):
    f = write_csv(tmp_path / "newsletter.csv", *NEWSLETTER)
    import_file(ws, f)
    before = snapshot(ws)
    again = import_file(ws, f)
    assert again.imported == 0 and again.duplicates == 3 and again.already_imported is not None
    after = snapshot(ws)
    # The import is on record (a copy of the first: no rows of its own); nothing else changed.
    assert after.pop("import_batch")[:1] == before.pop("import_batch")
    assert after == before
    assert [(b["id"], b["imported"], b["duplicates"]) for b in list_batches(ws)] == [
        (again.batch_id, 0, 3), (again.already_imported, 3, 0)]


def test_overlapping_export_rows_are_kept_as_sightings(ws, tmp_path):
    header, rows = NEWSLETTER
    import_file(ws, write_csv(tmp_path / "a.csv", header, rows[:2]), ImportOptions(channel="email"))
    result = import_file(ws, write_csv(tmp_path / "b.csv", header, rows), ImportOptions(channel="email"))
    assert (result.imported, result.duplicates, result.seen_before, result.new_customers) == (3, 0, 2, 1)
    assert ws.counts()["customers"] == 3


def test_undo_removes_exactly_the_batch(ws, tmp_path):
    header, rows = NEWSLETTER
    import_file(ws, write_csv(tmp_path / "a.csv", header, rows[:1]))
    before = snapshot(ws)
    second = import_file(ws, write_csv(tmp_path / "b.csv", ["Email", "City"],
                                       [["ann@example.com", "Oakland"], ["new@example.com", "Reno"]]))
    assert ws.counts()["customers"] == 2
    undo_batch(ws, second.batch_id)
    after = snapshot(ws)
    # Same records and customers as before (the batch row stays, marked undone).
    for table in ("source_record", "identifier", "consent", "event"):
        assert after[table] == before[table]
    assert [c[:4] for c in after["customer"]] == [c[:4] for c in before["customer"]]
    assert [b["status"] for b in list_batches(ws)] == ["undone", "done"]


def test_dry_run_changes_nothing_and_counts_exactly(ws, tmp_path):
    f = write_csv(tmp_path / "newsletter.csv", *NEWSLETTER)
    before = snapshot(ws)
    dry = import_file(ws, f, dry_run=True)
    assert snapshot(ws) == before
    real = import_file(ws, f)
    assert (dry.rows, dry.imported, dry.flagged, dry.new_customers) == (
        real.rows, real.imported, real.flagged, real.new_customers)


def test_cancel_mid_import_leaves_workspace_as_it_was(ws, tmp_path, monkeypatch):
    monkeypatch.setattr(pipeline, "CHUNK", 10)
    rows = [[f"p{i}@example.com", f"Person{i}"] for i in range(100)]
    f = write_csv(tmp_path / "big.csv", ["Email", "Name"], rows)
    before = snapshot(ws)
    plan = analyze(ws, f)
    chunks = 0

    def cancelled():
        return chunks >= 3

    gen = run_import(ws, plan, cancelled=cancelled)
    with pytest.raises(Cancelled):
        for _ in gen:
            chunks += 1
    assert snapshot(ws) == before


def test_abandoned_generator_rolls_back(ws, tmp_path, monkeypatch):
    monkeypatch.setattr(pipeline, "CHUNK", 10)
    f = write_csv(tmp_path / "big.csv", ["Email"], [[f"p{i}@example.com"] for i in range(50)])
    before = snapshot(ws)
    gen = run_import(ws, analyze(ws, f))
    next(gen), next(gen), next(gen)
    gen.close()  # a crash or a closed window mid-import
    assert snapshot(ws) == before


def test_crash_mid_write_rolls_back(ws, tmp_path, monkeypatch):
    monkeypatch.setattr(pipeline, "CHUNK", 10)
    f = write_csv(tmp_path / "big.csv", ["Email"], [[f"p{i}@example.com"] for i in range(50)])
    before = snapshot(ws)
    calls = {"n": 0}
    real = pipeline._insert_identifiers

    def failing(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 3:
            raise OSError("disk full")
        return real(*args, **kwargs)

    monkeypatch.setattr(pipeline, "_insert_identifiers", failing)
    with pytest.raises(OSError):
        import_file(ws, f)
    assert snapshot(ws) == before


@pytest.mark.parametrize("content, message", [
    (b"", "empty"),
    (b"\x00\x01\x02\x03binary\x00\xff" * 50, "bad.csv"),
    (b"PK\x03\x04" + b"\x00" * 100, "ZIP"),
], ids=["empty", "binary", "zip"])
def test_unreadable_files_change_nothing(ws, tmp_path, content, message):
    f = tmp_path / "bad.csv"
    f.write_bytes(content)
    before = snapshot(ws)
    with pytest.raises(UnreadableFileError, match=message):
        import_file(ws, f)
    assert snapshot(ws) == before


def test_error_report_round_trip(ws, tmp_path):
    f = write_csv(tmp_path / "newsletter.csv", *NEWSLETTER)
    plan = analyze(ws, f)
    result = pipeline.run_to_end(ws, plan)
    report = tmp_path / "errors.csv"
    assert write_error_report(report, [(plan, result)]) == 1
    with report.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == NEWSLETTER[0] + ["omnidesk_row", "omnidesk_problems", "omnidesk_batch"]
    assert rows[1][:5] == NEWSLETTER[1][2] and rows[1][5] == "3" and "email" in rows[1][6].lower()
    assert rows[1][7] == str(result.batch_id)
    # The user fixes the email and imports the report: the row is no longer flagged.
    rows[1][0] = "carl@example.com"
    fixed = write_csv(tmp_path / "fixed.csv", rows[0], rows[1:])
    again = import_file(ws, fixed)
    assert (again.imported, again.flagged) == (1, 0)


def test_demo_files_import_with_presets(ws, tmp_path):
    files = write_demo_files(tmp_path / "demo", customers=60)
    seen = {}
    for demo_file in files:
        plan = analyze(ws, demo_file.path)
        assert (plan.preset.key if plan.preset else None) == demo_file.preset, demo_file.path.name
        assert plan.kind == demo_file.kind, demo_file.path.name
        result = pipeline.run_to_end(ws, plan)
        seen[demo_file.path.name] = result
        assert result.imported == result.rows
    orders = seen["orders_export.csv"]
    with ws.engine.connect() as conn:
        order_events = conn.exec_driver_sql("SELECT count(*) FROM event WHERE type='order'").scalar()
        distinct_orders = conn.exec_driver_sql(
            "SELECT count(DISTINCT json_extract(raw_json, '$[0]')) FROM source_record r "
            "JOIN import_batch b ON b.id=r.batch_id WHERE b.file_name='orders_export.csv'"
        ).scalar()
        unlinked_lines = conn.exec_driver_sql(
            "SELECT count(*) FROM source_record r JOIN import_batch b ON b.id=r.batch_id "
            "WHERE b.file_name='orders_export.csv' AND r.customer_id IS NULL"
        ).scalar()
        unsub = conn.exec_driver_sql(
            "SELECT count(*) FROM consent WHERE channel='email' AND status='unsubscribed'"
        ).scalar()
        leads = conn.exec_driver_sql("SELECT count(*) FROM event WHERE type='lead_form'").scalar()
    assert order_events == distinct_orders == orders.events  # a multi-row order is one event
    assert unlinked_lines == 0  # line-item rows belong to the order's customer
    assert unsub > 0
    assert leads > 0


def test_exports_sources_and_customers(ws, tmp_path):
    f = write_csv(tmp_path / "newsletter.csv", *NEWSLETTER)
    import_file(ws, f)
    out = tmp_path / "sources.csv"
    assert export_sources(ws, out) == 3
    with out.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[0][:4] == ["source_file", "source_row", "channel", "customer_id"]
    assert [r[0] for r in rows[1:]] == ["newsletter.csv"] * 3
    assert [r[1] for r in rows[1:]] == ["1", "2", "3"]
    assert all(r[3] for r in rows[1:])
    raw = rows[0].index("raw")
    assert json.loads(rows[1][raw])[0] == "Ann@Example.com "  # the raw cell, exactly as read
    # Each record's id, as `omnidesk unmerge` takes it.
    with ws.engine.connect() as conn:
        ids = [i for (i,) in conn.exec_driver_sql("SELECT id FROM source_record ORDER BY batch_id, record_no")]
    assert rows[0][-1] == "record_id" and [int(r[-1]) for r in rows[1:]] == ids
    out2 = tmp_path / "customers.csv"
    assert export_customers(ws, out2) == 3
    with out2.open(encoding="utf-8", newline="") as fh:
        customers = list(csv.DictReader(fh))
    ann = next(c for c in customers if c["email"] == "ann@example.com")
    assert ann["phone"] == "+14155550101" and ann["consent_email"] == "granted"


def test_mapping_override_and_remember(ws, tmp_path):
    f = write_csv(tmp_path / "odd.csv", ["col_a", "col_b"], [["x@example.com", "Xena"]])
    plan = analyze(ws, f)
    plan = plan.with_changes(mapping=["email", "first_name"])
    pipeline.remember_mapping(ws, plan)
    again = analyze(ws, write_csv(tmp_path / "odd2.csv", ["col_a", "col_b"], [["y@example.com", "Yuri"]]))
    assert again.mapping == ["email", "first_name"] and again.mapping_source == "saved"


def test_a_phone_a_spreadsheet_kept_as_a_float_loses_its_dot_zero_not_gains_a_digit(make_workspace, tmp_path):
    """A German shop's customers, the phone column once saved as numbers: "1761234567.0" is
    +49 176 1234567, not +49 1761 2345670 (a German number may be that long, so nothing flagged
    it).  Dots between the digits are still separators, a last group "00" included."""
    ws = make_workspace(default_region="DE", timezone="Europe/Berlin")
    phones = {"anna@example.de": ("1761234567.0", "+491761234567"),
              "ben@example.de": ("+49 30 1234567.0", "+49301234567"),
              "cem@example.de": ("+49 176 7654321.00", "+491767654321"),
              "dora@example.de": ("030.7654321", "+49307654321"),
              "eli@example.de": ("+33 6.12.34.56.00", "+33612345600")}
    f = write_csv(tmp_path / "kunden.csv", ["E-Mail", "Vorname", "Nachname", "Telefon"],
                  [[email, email.split("@")[0].capitalize(), "Schmidt", phone] for email, (phone, _) in phones.items()],
                  delimiter=";")
    result = import_file(ws, f)
    assert (result.imported, result.flagged) == (5, 0), [fr.problems for fr in result.flagged_rows]
    with ws.engine.connect() as conn:
        got = dict(conn.exec_driver_sql("SELECT email, phone FROM customer").all())
    assert got == {email: e164 for email, (_, e164) in phones.items()}
