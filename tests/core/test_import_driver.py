"""The one driver that imports several files, for the command line, the wizard and redo."""

from __future__ import annotations

import pytest

from omnidesk.core.changes import NOTHING
from omnidesk.core.importing import pipeline
from omnidesk.core.importing.batches import undo_batch
from omnidesk.core.importing.driver import FileFailure, ImportRequest, import_files
from omnidesk.core.importing.pipeline import ImportOptions, analyze
from omnidesk.core.tasks import Progress, run_to_completion
from tests.helpers import write_csv


def snapshot(ws):
    with ws.engine.connect() as conn:
        return {
            t: conn.exec_driver_sql(f"SELECT * FROM {t} ORDER BY 1").fetchall()
            for t in ("customer", "source_record", "identifier", "consent", "event", "import_batch")
        }


def members(tmp_path, name="members.csv", start=0, n=3):
    return write_csv(tmp_path / name, ["Email", "Full Name"],
                     [[f"m{i}@example.com", f"Member {i}"] for i in range(start, start + n)])


def shop(tmp_path, name="shop.csv"):
    """Two buyers; the first is member 0 of ``members``, the second is new."""
    return write_csv(tmp_path / name, ["Email", "Full Name", "City"],
                     [["m0@example.com", "Member 0", "Leeds"], ["new@example.com", "New Buyer", "York"]])


def not_a_csv(tmp_path):
    path = tmp_path / "scan.csv"
    path.write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 4)
    return path


def drive(gen):
    """Run a progress generator to its end, keeping what it yielded."""
    seen: list[Progress] = []
    while True:
        try:
            seen.append(next(gen))
        except StopIteration as stop:
            return stop.value, seen


def test_files_run_in_turn_on_one_progress_scale(ws, tmp_path):
    first = members(tmp_path)
    plan = analyze(ws, shop(tmp_path))
    told = []
    run, progress = drive(import_files(ws, [ImportRequest(first), plan], on_file=told.append))

    assert [r.file_name for r in run.results] == ["members.csv", "shop.csv"]
    assert [(r.imported, r.new_customers, r.updated_customers) for r in run.results] == [(3, 3, 0), (2, 1, 1)]
    assert run.runs[1][0] is plan  # a plan is imported as given, not analyzed again
    assert told == run.done and run.failures == [] and run.cancelled_at is None
    assert ws.counts()["customers"] == 4
    scaled = [p for p in progress if p.total]
    assert {p.total for p in scaled} == {2000}
    assert [p.done for p in scaled] == sorted(p.done for p in scaled)
    # The linking has no place on the scale: a busy bar (no total), with its step in words.
    busy = [p for p in progress if not p.total]
    assert busy and all(" — Linking records to customers" in p.message for p in busy)
    assert any(p.message.endswith("Linking records to customers: updating customers, 100%") for p in busy)
    assert progress[-1] == Progress(2000, 2000, "Finished")
    assert any(p.message.startswith("File 2 of 2 · shop.csv — ") for p in progress)
    assert run.changes.customer_list and run.changes.reviews and run.changes.imports


def test_a_file_that_fails_is_reported_and_the_next_one_still_runs(ws, tmp_path):
    files = [ImportRequest(members(tmp_path)), ImportRequest(not_a_csv(tmp_path)), ImportRequest(shop(tmp_path))]
    told = []
    run = run_to_completion(import_files(ws, files, on_file=told.append))

    assert [r.file_name for r in run.results] == ["members.csv", "shop.csv"]
    [failure] = run.failures
    assert failure.file is files[1] and "PDF" in failure.message and run.stopped_by is None
    assert [d.file_name if isinstance(d, FileFailure) else d[0].file_name for d in told] == [
        "members.csv", "scan.csv", "shop.csv"]
    assert ws.counts()["imports"] == 2


def test_stop_on_ends_the_run_at_that_failure(ws, tmp_path):
    files = [ImportRequest(members(tmp_path)), ImportRequest(not_a_csv(tmp_path)), ImportRequest(shop(tmp_path))]
    run = run_to_completion(import_files(ws, files, stop_on=lambda exc: True))

    assert [r.file_name for r in run.results] == ["members.csv"]
    assert run.stopped_by is run.failures[0] and run.stopped_by.file is files[1]
    assert run.not_started == [files[2]]
    assert ws.counts()["imports"] == 1


def test_cancel_rolls_back_the_file_being_imported_and_keeps_the_ones_before(ws, tmp_path, monkeypatch):
    monkeypatch.setattr(pipeline, "CHUNK", 5)
    files = [ImportRequest(members(tmp_path, "a.csv", 0, 12)), ImportRequest(members(tmp_path, "b.csv", 100, 12)),
             ImportRequest(members(tmp_path, "c.csv", 200, 12))]
    stop = []
    gen = import_files(ws, files, cancelled=lambda: bool(stop))
    while True:
        try:
            p = next(gen)
        except StopIteration as done:
            run = done.value
            break
        if p.message.startswith("File 2 of 3") and "Read 5 rows" in p.message:
            stop.append(True)  # the second file has written its first chunk

    assert [r.file_name for r in run.results] == ["a.csv"]
    assert run.cancelled_at is files[1] and run.not_started == [files[2]]
    assert ws.counts()["source_records"] == 12 and ws.counts()["imports"] == 1
    assert run.changes.customer_list  # the first file was kept


def test_a_dry_run_of_several_files_counts_them_together_and_changes_nothing(ws, tmp_path):
    run_to_completion(import_files(ws, [ImportRequest(members(tmp_path, "earlier.csv", 50, 2))]))
    before = snapshot(ws)
    files = [ImportRequest(members(tmp_path)), ImportRequest(shop(tmp_path))]

    trial, progress = drive(import_files(ws, files, dry_run=True))

    assert snapshot(ws) == before
    assert trial.in_scratch and trial.changes == NOTHING
    assert progress[0].message == "Copying the workspace to try the files together…"
    assert all(r.dry_run and r.batch_id is None for r in trial.results)
    # The shop's first buyer is a member of the first file: an update, as the real import says.
    real = run_to_completion(import_files(ws, files))
    counts = ("rows", "imported", "new_customers", "updated_customers", "events")
    assert ([[getattr(r, c) for c in counts] for r in trial.results]
            == [[getattr(r, c) for c in counts] for r in real.results])
    assert trial.results[1].updated_customers == 1


def test_a_dry_run_of_one_file_rolls_back_in_the_workspace_itself(ws, tmp_path):
    before = snapshot(ws)
    run = run_to_completion(import_files(ws, [ImportRequest(members(tmp_path))], dry_run=True))
    assert not run.in_scratch and run.results[0].dry_run and run.results[0].imported == 3
    assert snapshot(ws) == before and run.changes == NOTHING


def test_a_dry_run_without_a_workspace_tries_the_files_in_an_empty_one(tmp_path):
    run = run_to_completion(import_files(None, [ImportRequest(members(tmp_path))], dry_run=True))
    assert run.in_scratch and run.results[0].new_customers == 3
    assert not (tmp_path / "shop.omnidesk").exists()


def test_a_real_import_needs_an_open_workspace(tmp_path):
    with pytest.raises(ValueError):
        run_to_completion(import_files(tmp_path / "shop.omnidesk", [ImportRequest(members(tmp_path))]))


def test_an_import_done_again_with_its_plans_options_reads_the_file_as_before(ws, tmp_path):
    # Numbers without a country code; the user said they are British, the workspace is American.
    path = write_csv(tmp_path / "till.csv", ["Customer", "Phone", "Code"],
                     [["Ann Lee", "07911 123456", "A1"], ["Bob Stone", "020 7946 0018", "B2"]])
    plan = analyze(ws, path)
    plan = plan.with_changes(mapping=["full_name", "phone", "external_id"], kind="contacts", channel="pos",
                             phone_region="GB")
    first = run_to_completion(import_files(ws, [plan]))
    imported = snapshot(ws)["identifier"]

    undo_batch(ws, first.results[0].batch_id)
    assert ws.counts()["source_records"] == 0
    again = run_to_completion(import_files(ws, [ImportRequest(path, ImportOptions.from_plan(plan))]))

    [(replanned, result)] = again.runs
    assert (replanned.mapping, replanned.kind, replanned.channel) == (plan.mapping, "contacts", "pos")
    assert replanned.phone_region.code == "GB" and result.imported == 2
    phones = sorted(row[3] for row in snapshot(ws)["identifier"] if row[2] == "phone")
    assert phones == ["+442079460018", "+447911123456"]
    assert len(snapshot(ws)["identifier"]) == len(imported)
