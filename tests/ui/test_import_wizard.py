"""The import wizard driven as a shop owner would: pick files, fix a column, try, import, look."""

from __future__ import annotations

import csv
import os
import zipfile
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import QWizard
from sqlalchemy import select

from omnidesk.core.channels import channel_name, use_own_labels
from omnidesk.core.importing import pipeline
from omnidesk.core.importing.fields import IGNORE
from omnidesk.core.importing.pipeline import analyze, import_file
from omnidesk.core.models import SourceRecord
from omnidesk.core.workspace import Workspace
from omnidesk.ui.dialogs.import_wizard import (
    CHECK_PAGE,
    DONE_PAGE,
    FILES_PAGE,
    IMPORT_PAGE,
    MAPPING_PAGE,
    ImportWizard,
    PreviewModel,
)
from omnidesk.ui.tasks import TaskRunner
from tests.helpers import write_csv

MEMBERS_HEADER = ["Email", "Full Name", "Mobile", "Member Code", "Signed up"]
MEMBER_CODE = 3  # the column nothing recognises


def members_csv(path: Path) -> Path:
    """Three people; Bob's email is broken, so his row is flagged."""
    return write_csv(path, MEMBERS_HEADER, [
        ["ann@example.com", "Ann Lee", "+44 7700 900123", "M1", "2024-03-01"],
        ["bob(at)example", "Bob Stone", "+44 7700 900456", "M2", "2024-03-02"],
        ["cat@example.com", "Cat Jones", "", "M3", "2024-03-03"],
    ])


@pytest.fixture
def make_wizard(qtbot, ws):
    def make(files, runner: TaskRunner | None = None) -> ImportWizard:
        wizard = ImportWizard(ws, list(files), runner or TaskRunner(inline=True))
        qtbot.addWidget(wizard)
        wizard.show()
        return wizard

    return make


def finish(wizard: ImportWizard, qtbot) -> None:
    """From the trial run page: import and wait for the results page."""
    assert wizard.currentId() == CHECK_PAGE
    wizard.next()
    qtbot.waitUntil(lambda: wizard.currentId() == DONE_PAGE, timeout=5000)


def source_records(ws: Workspace) -> list:
    with ws.engine.connect() as conn:
        return conn.execute(select(SourceRecord).order_by(SourceRecord.record_no)).all()


def test_generic_csv_from_pick_to_results(make_wizard, ws, qtbot, tmp_path):
    wizard = make_wizard([members_csv(tmp_path / "members.csv")])
    files = wizard.files_page
    assert wizard.currentId() == FILES_PAGE and files.isComplete()
    row_text = files.rows[tmp_path / "members.csv"][1].status_text
    assert "CSV file · UTF-8 · comma · 3 rows" in row_text
    assert "Contacts from Other" in row_text

    wizard.next()
    page = wizard.mapping_page
    assert wizard.currentId() == MAPPING_PAGE
    assert [c.currentText() for c in page.combos] == ["Email", "Full name", "Phone", "Ignore",
                                                      "Created / signed up at"]
    assert "synonym" in page.combos[0].toolTip()
    assert not page.file_combo.isVisible() and page.file_name.full_text() == "members.csv"
    assert not wizard.remember_checkbox.isChecked()

    # The owner knows "Member Code" is their customer number.
    combo = page.combos[MEMBER_CODE]
    combo.setCurrentIndex(combo.findData("external_id"))
    plan = wizard.plans[0]
    assert plan.mapping[MEMBER_CODE] == "external_id" and plan.mapping_source == "user"
    assert wizard.remember_checkbox.isChecked()
    assert page.model.headerData(MEMBER_CODE, Qt.Orientation.Horizontal) == "Member Code\n→ External ID"

    wizard.next()
    check = wizard.check_page
    assert wizard.currentId() == CHECK_PAGE and check.isComplete()
    expected = {"rows": "3", "imported": "3", "duplicates": "0", "flagged": "1",
                "new_customers": "3", "updated_customers": "0", "events": "0"}
    assert {k: check.table.value(0, k) for k in expected} == expected
    assert "not a valid email" in check.notes.text()
    assert source_records(ws) == []  # the trial saved nothing

    wizard.back()  # fixing the mapping stays possible after the trial
    assert wizard.currentId() == MAPPING_PAGE
    assert page.combos[MEMBER_CODE].currentData() == "external_id"
    wizard.next()

    with qtbot.waitSignal(wizard.importsFinished, timeout=5000) as blocker:
        finish(wizard, qtbot)
    [result] = blocker.args[0]
    assert result is wizard.results[0] and result.imported == 3 and result.batch_id
    done = wizard.done_page
    assert {k: done.table.value(0, k) for k in expected} == expected
    assert "Added 3 records from 1 file" in done.summary.text()
    assert "The workspace now has 3 customers (+3)." in done.summary.text()
    assert done.report_button.isEnabled()
    records = source_records(ws)
    assert [r.external_id for r in records] == ["M1", "M2", "M3"]
    assert [r.email for r in records] == ["ann@example.com", None, "cat@example.com"]
    assert ws.counts()["customers"] == 3
    assert wizard.button(QWizard.WizardButton.FinishButton).isVisible()


def test_unreadable_file_is_left_out_and_the_good_one_imports(make_wizard, ws, qtbot, tmp_path):
    broken = tmp_path / "broken export.csv"
    broken.write_bytes(b"")
    good = members_csv(tmp_path / "members.csv")
    wizard = make_wizard([broken, good])
    files = wizard.files_page
    assert "Cannot import" in files.rows[broken][1].status_text
    assert "is empty" in files.rows[broken][1].status_text
    assert "1 file ready · 1 left out" == files.status.text()
    assert [p.path for p in wizard.plans] == [good] and files.isComplete()

    wizard.next()
    wizard.next()
    assert "Left out" in wizard.check_page.notes.text()
    finish(wizard, qtbot)
    assert len(wizard.results) == 1 and wizard.results[0].file_name == "members.csv"
    assert "broken export.csv" in wizard.done_page.notes.text()
    assert ws.counts()["source_records"] == 3


def test_only_unreadable_files_cannot_go_on(make_wizard, tmp_path):
    broken = tmp_path / "photo.csv"
    broken.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    wizard = make_wizard([broken])
    assert wizard.plans == []
    assert not wizard.files_page.isComplete()
    assert not wizard.button(QWizard.WizardButton.NextButton).isEnabled()
    wizard.next()
    assert wizard.currentId() == FILES_PAGE


def test_cancel_changes_nothing(make_wizard, ws, qtbot, tmp_path, monkeypatch):
    monkeypatch.setattr(pipeline, "CHUNK", 5)
    rows = [[f"p{i}@example.com", f"Person {i}"] for i in range(30)]
    wizard = make_wizard([write_csv(tmp_path / "list.csv", ["Email", "Name"], rows)])
    running = []

    def on_progress(done, total, message):
        if not running:
            running.append(wizard.import_page.isComplete())  # Next stays off while it runs
            wizard.import_page.cancel_button.click()

    wizard.importProgressed.connect(on_progress)
    wizard.next()
    wizard.next()
    with qtbot.waitSignal(wizard.importsFailed, timeout=5000) as blocker:
        wizard.next()
    assert running == [False]
    assert blocker.args == ["Import cancelled — nothing was changed."]
    assert wizard.currentId() == IMPORT_PAGE
    assert "Import cancelled — nothing was changed" in wizard.import_page.message.text()
    assert not wizard.import_page.isComplete()
    assert wizard.results == []
    assert ws.counts() == {"customers": 0, "source_records": 0, "events": 0, "consents": 0,
                           "imports": 0}


def test_cancel_in_second_file_keeps_the_first(make_wizard, ws, qtbot, tmp_path, monkeypatch):
    monkeypatch.setattr(pipeline, "CHUNK", 5)
    first = write_csv(tmp_path / "first.csv", ["Email"], [[f"a{i}@example.com"] for i in range(12)])
    second = write_csv(tmp_path / "second.csv", ["Email"], [[f"b{i}@example.com"] for i in range(12)])
    wizard = make_wizard([first, second])
    wizard.importProgressed.connect(
        lambda d, t, message: wizard.cancel_import() if message.startswith("File 2 of 2") else None
    )
    wizard.next()
    wizard.next()
    with qtbot.waitSignal(wizard.importsFinished, timeout=5000) as blocker:
        wizard.next()
    assert [r.file_name for r in blocker.args[0]] == ["first.csv"]
    text = wizard.import_page.message.text()
    assert "already finished" in text and "first.csv" in text and "second.csv" in text
    assert ws.counts()["source_records"] == 12
    # The kept file is still reported on the results page.
    assert wizard.import_page.isComplete()
    wizard.next()
    done = wizard.done_page
    assert wizard.currentId() == DONE_PAGE
    # The cancelled file has its line too, with nothing in it: nothing of it was saved.
    assert [done.table.item(r, 0).text() for r in range(done.table.rowCount())] == ["first.csv", "second.csv"]
    assert done.table.value(0, "imported") == "12" and done.table.value(1, "imported") == "—"


def test_the_results_of_a_cancelled_import_name_the_files_it_did_not_save(make_wizard, ws, qtbot, tmp_path,
                                                                          monkeypatch):
    """Cancelled in the second of three files: the results say so, and name the two files not saved."""
    monkeypatch.setattr(pipeline, "CHUNK", 5)
    members = write_csv(tmp_path / "members.csv", ["Email", "Full Name"],
                        [["ann@example.com", "Ann Lee"], ["bob@example.com", "Bob Stone"],
                         ["cat@example.com", "Cat Jones"]])
    big = write_csv(tmp_path / "big.csv", ["Email"], [[f"b{i}@example.com"] for i in range(30)])
    later = write_csv(tmp_path / "later.csv", ["Email"], [["dan@example.com"]])
    wizard = make_wizard([members, big, later])
    wizard.importProgressed.connect(
        lambda d, t, message: wizard.import_page.cancel_button.click() if message.startswith("File 2 of 3") else None
    )
    wizard.next()
    wizard.next()
    with qtbot.waitSignal(wizard.importsFinished, timeout=5000):
        wizard.next()
    said = wizard.import_page.message.text()
    assert "1 file had already finished and is kept: members.csv" in said
    assert "Nothing from big.csv, later.csv was saved" in said
    assert ws.counts()["source_records"] == 3

    wizard.next()  # See results
    done = wizard.done_page
    assert wizard.currentId() == DONE_PAGE
    assert done.title() == "Import cancelled"
    assert "kept" in done.subTitle()
    assert done.summary.text().startswith("Added 3 records from 1 file before the import was cancelled.")
    assert [done.table.item(r, 0).text() for r in range(done.table.rowCount())] == [
        "members.csv", "big.csv", "later.csv"]
    assert [done.table.value(r, "imported") for r in range(3)] == ["3", "—", "—"]
    notes = done.notes.text()
    assert "No problems found" not in notes
    assert "<b>big.csv</b>: import cancelled — nothing from it was saved." in notes
    assert "<b>later.csv</b>: not imported — the import was cancelled before its turn." in notes
    assert "members.csv" not in notes  # kept whole, nothing to say of it


def _imported_and_report_saved(wizard, qtbot, tmp_path, monkeypatch):
    """Through the wizard's pages to the end, then Save error report… into problems.csv; its path."""
    wizard.next()
    wizard.next()
    finish(wizard, qtbot)
    out = tmp_path / "problems.csv"
    monkeypatch.setattr(wizard, "ask_error_report_path", lambda: out)
    qtbot.mouseClick(wizard.done_page.report_button, Qt.MouseButton.LeftButton)
    return out


def test_save_error_report_writes_flagged_rows(make_wizard, qtbot, tmp_path, monkeypatch):
    wizard = make_wizard([members_csv(tmp_path / "members.csv")])
    out = _imported_and_report_saved(wizard, qtbot, tmp_path, monkeypatch)
    with out.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == MEMBERS_HEADER + ["omnidesk_row", "omnidesk_problems", "omnidesk_batch"]
    assert len(rows) == 2
    assert rows[1][:2] == ["bob(at)example", "Bob Stone"]
    assert rows[1][-3] == "2" and "not a valid email" in rows[1][-2]
    assert rows[1][-1] == str(wizard.runs[0][1].batch_id)  # where a fixed row belongs
    assert "Saved 1 row" in wizard.done_page.report_status.text()


def test_save_error_report_of_two_files_writes_one_report_per_file(make_wizard, qtbot, tmp_path, monkeypatch):
    signups = write_csv(tmp_path / "market signups.csv", ["Email", "Name"], [
        ["dan@example", "Dan Moss"],  # broken email: flagged
        ["eve@example.com", "Eve Hart"],
    ])
    wizard = make_wizard([members_csv(tmp_path / "members.csv"), signups])
    out = _imported_and_report_saved(wizard, qtbot, tmp_path, monkeypatch)
    assert not out.exists()
    reports = {"members": tmp_path / "problems-members.csv", "signups": tmp_path / "problems-market_signups.csv"}
    with reports["members"].open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == MEMBERS_HEADER + ["omnidesk_row", "omnidesk_problems", "omnidesk_batch"]
    assert [r[0] for r in rows[1:]] == ["bob(at)example"]
    with reports["signups"].open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == ["Email", "Name", "omnidesk_row", "omnidesk_problems", "omnidesk_batch"]
    assert [r[0] for r in rows[1:]] == ["dan@example"]
    status = wizard.done_page.report_status.text()
    assert "Saved 2 rows to 2 reports, one per file" in status and "problems-market_signups.csv" in status


def test_remembered_mapping_is_used_next_time(make_wizard, ws, qtbot, tmp_path):
    wizard = make_wizard([members_csv(tmp_path / "members.csv")])
    wizard.set_field_for_column(0, MEMBER_CODE, "external_id")
    wizard.set_channel(0, "pos")
    assert wizard.remember_checkbox.isChecked()
    wizard.next()
    wizard.next()
    finish(wizard, qtbot)
    assert "remembered" in wizard.done_page.notes.text()

    later = write_csv(tmp_path / "members march.csv", MEMBERS_HEADER,
                      [["dan@example.com", "Dan Moss", "", "M9", "2024-04-01"]])
    plan = analyze(ws, later)
    assert plan.mapping_source == "saved"
    assert plan.mapping[MEMBER_CODE] == "external_id" and plan.channel == "pos"


def test_unticked_remember_forgets(make_wizard, ws, qtbot, tmp_path):
    wizard = make_wizard([members_csv(tmp_path / "members.csv")])
    wizard.set_field_for_column(0, MEMBER_CODE, "external_id")
    wizard.remember_checkbox.setChecked(False)
    wizard.set_field_for_column(0, 4, IGNORE)  # a later change no longer ticks it again
    assert not wizard.remember_checkbox.isChecked()
    wizard.next()
    wizard.next()
    finish(wizard, qtbot)
    later = write_csv(tmp_path / "again.csv", MEMBERS_HEADER, [["x@example.com", "X", "", "M7", ""]])
    assert analyze(ws, later).mapping_source == "guessed"


def test_preview_model_passes_modeltester(make_wizard, qtmodeltester, tmp_path):
    qtmodeltester.check(PreviewModel())
    ragged = tmp_path / "ragged.csv"
    ragged.write_text("Email,Name,Note\nann@example.com,Ann,\"two\nlines\"\nbob@example.com\n", encoding="utf-8")
    wizard = make_wizard([ragged])
    wizard.next()
    model = wizard.mapping_page.model
    assert model.rowCount() == 2 and model.columnCount() == 3
    assert model.index(0, 2).data() == "two lines"
    assert model.index(1, 2).data() == ""
    qtmodeltester.check(model)
    wizard.set_field_for_column(0, 2, "tags")
    qtmodeltester.check(model)


def test_preview_shows_first_twenty_rows(make_wizard, tmp_path):
    rows = [[f"p{i}@example.com", f"Person {i}"] for i in range(60)]
    wizard = make_wizard([write_csv(tmp_path / "many.csv", ["Email", "Name"], rows)])
    assert "60 rows est." in wizard.files_page.rows[tmp_path / "many.csv"][1].status_text
    wizard.next()
    model = wizard.mapping_page.model
    assert model.rowCount() == 20
    assert model.headerData(19, Qt.Orientation.Vertical) == "21"  # its line in the file, under the header


def test_kind_channel_and_warnings_on_mapping_page(make_wizard, tmp_path):
    rows = [["ann@example.com", "03/04/2024"], ["bob@example.com", "05/06/2024"]]
    wizard = make_wizard([write_csv(tmp_path / "visits.csv", ["Email", "Signed up"], rows)])
    wizard.next()
    page = wizard.mapping_page
    assert page.warnings.isVisible() and "could be day/month" in page.warnings.text()

    page.kind_combo.setCurrentIndex(page.kind_combo.findData("events"))
    assert wizard.plans[0].kind == "events"
    wizard.set_field_for_column(0, 1, "occurred_at")
    assert wizard.plans[0].kind == "events"  # the user's choice of kind survives a new mapping

    page.channel_combo.setCurrentIndex(page.channel_combo.findData("web"))
    assert wizard.plans[0].channel == "web"
    page.channel_combo.setEditText("Market stall")
    assert wizard.plans[0].channel == "market_stall" and channel_name("market_stall") == "Market stall"
    page.channel_combo.setEditText("online shop")
    assert wizard.plans[0].channel == "shop"

    for combo in page.combos:
        combo.setCurrentIndex(combo.findData(IGNORE))
    assert "cannot be matched to customers" in page.warnings.text()


def test_switching_files_on_mapping_page(make_wizard, tmp_path):
    first = members_csv(tmp_path / "members.csv")
    second = write_csv(tmp_path / "sms.csv", ["Phone", "First name"], [["+447700900999", "Eve"]])
    wizard = make_wizard([first, second])
    wizard.next()
    page = wizard.mapping_page
    assert page.file_combo.isVisible() and page.file_combo.count() == 2
    page.file_combo.setCurrentIndex(1)
    assert [c.currentText() for c in page.combos] == ["Phone", "First name"]
    page.combos[1].setCurrentIndex(page.combos[1].findData("full_name"))
    assert wizard.plans[1].mapping == ["phone", "full_name"]
    assert wizard.plans[0].mapping_source == "guessed"


def test_add_drop_and_remove_files(make_wizard, tmp_path, monkeypatch):
    wizard = make_wizard([])
    files = wizard.files_page
    assert files.pages.currentWidget() is files.empty and not files.isComplete()
    picked = members_csv(tmp_path / "members.csv")
    monkeypatch.setattr(wizard, "ask_files", lambda: [picked])
    files.empty.button.click()
    assert [p.path for p in wizard.plans] == [picked]
    files.add_button.click()  # the same file again is not listed twice
    assert files.list.count() == 1

    dropped = write_csv(tmp_path / "dropped.csv", ["Email"], [["zed@example.com"]])
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(dropped))])
    event = QDropEvent(QPointF(10, 10), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                       Qt.KeyboardModifier.NoModifier)
    files.dropEvent(event)
    assert event.isAccepted()
    assert [p.path for p in wizard.plans] == [picked, dropped]

    files.list.item(0).setSelected(True)
    assert files.remove_button.isEnabled()
    files.remove_button.click()
    assert [p.path for p in wizard.plans] == [dropped] and files.list.count() == 1


def test_already_imported_file_adds_nothing(make_wizard, ws, qtbot, tmp_path):
    path = members_csv(tmp_path / "members.csv")
    import_file(ws, path)
    wizard = make_wizard([path])
    assert "Already imported — will add nothing" in wizard.files_page.rows[path][1].status_text
    # The page's summary agrees with the row: not "1 file ready".
    assert wizard.files_page.status.text() == "1 file already imported"
    wizard.next()
    assert "already imported" in wizard.mapping_page.warnings.text()
    wizard.next()
    assert wizard.check_page.table.value(0, "duplicates") == "3"
    assert wizard.check_page.table.value(0, "imported") == "0"
    finish(wizard, qtbot)
    assert ws.counts()["source_records"] == 3
    done = wizard.done_page
    assert done.title() == "Import finished"
    assert done.summary.text() == ("Nothing added: members.csv was imported before. "
                                   "The workspace now has 3 customers (+0).")
    assert "members.csv</b>: already imported before, so nothing was added." in done.notes.text()


def test_results_of_a_new_file_and_one_imported_before_count_only_the_new_one(make_wizard, ws, qtbot, tmp_path):
    path = members_csv(tmp_path / "members.csv")
    import_file(ws, path)
    signups = write_csv(tmp_path / "signups.csv", ["Email", "Name"], [["eve@example.com", "Eve Hart"]])
    wizard = make_wizard([path, signups])
    wizard.next()
    wizard.next()
    finish(wizard, qtbot)
    done = wizard.done_page
    assert done.summary.text().startswith("Added 1 record from 1 file.")  # the new one; the note names the other
    assert "members.csv</b>: already imported before, so nothing was added." in done.notes.text()


def test_runs_on_worker_threads(make_wizard, ws, qtbot, tmp_path):
    """With the real runner every step arrives back on the UI thread and the wizard follows."""
    rows = [[f"p{i}@example.com", f"Person {i}"] for i in range(200)]
    wizard = make_wizard([write_csv(tmp_path / "list.csv", ["Email", "Name"], rows)], runner=TaskRunner())
    qtbot.waitUntil(lambda: bool(wizard.plans) and not wizard.reading, timeout=5000)
    wizard.next()
    wizard.next()
    qtbot.waitUntil(wizard.check_page.isComplete, timeout=5000)
    with qtbot.waitSignal(wizard.importsFinished, timeout=10000):
        wizard.next()
    qtbot.waitUntil(lambda: wizard.currentId() == DONE_PAGE, timeout=5000)
    assert ws.counts()["source_records"] == 200


def test_twelve_files_fit_the_trial_run_with_their_total_and_the_wizard_fits_the_screen(make_wizard, tmp_path):
    from omnidesk.ui.dialogs.import_wizard import CountsTable

    files = [write_csv(tmp_path / f"list_{n:02d}.csv", ["Email"], [[f"p{n}@example.com"]]) for n in range(12)]
    wizard = make_wizard(files)
    available = wizard.screen().availableGeometry()
    assert wizard.width() <= available.width() and wizard.height() <= available.height()
    wizard.next()
    wizard.next()
    assert wizard.currentId() == CHECK_PAGE
    table = wizard.currentPage().findChild(CountsTable)
    assert table.rowCount() == 13  # twelve files and the total
    needed = table.horizontalHeader().height() + sum(table.rowHeight(r) for r in range(13))
    assert table.height() >= needed  # every file and the total show without scrolling


def test_the_results_say_how_the_workspace_grew_when_files_join_customers(make_wizard, ws, qtbot, tmp_path):
    """File one holds Ann twice (email; phone); file two links them: two new per file, one in all."""
    first = write_csv(tmp_path / "a_shop.csv", ["First Name", "Last Name", "Email", "Phone"],
                      [["Ann", "Okafor", "ann@example.com", ""], ["Ann", "Okafor", "", "+1 415 555 0101"]])
    second = write_csv(tmp_path / "b_list.csv", ["First Name", "Last Name", "Email", "Phone"],
                       [["Ann", "Okafor", "ann@example.com", "+1 415 555 0101"]])
    wizard = make_wizard([first, second])
    wizard.next()
    wizard.next()
    finish(wizard, qtbot)
    done = wizard.done_page
    assert done.table.value(0, "new_customers") == "2"
    assert ws.counts()["customers"] == 1
    assert "The workspace now has 1 customer (+1)." in done.summary.text()
    assert "a later file showed some of them to be one person" in done.notes.text()


def test_the_trial_of_several_files_counts_each_against_the_ones_before(make_wizard, ws, qtbot, tmp_path):
    """The list knows Ann by email, the till by phone; the shop file joins them: it updates, not creates."""
    files = [write_csv(tmp_path / "a_list.csv", ["First Name", "Last Name", "Email"],
                       [["Ann", "Okafor", "ann@example.com"]]),
             write_csv(tmp_path / "b_till.csv", ["First Name", "Last Name", "Phone"],
                       [["Ann", "Okafor", "+1 415 555 0101"]]),
             write_csv(tmp_path / "c_shop.csv", ["First Name", "Last Name", "Email", "Phone"],
                       [["Ann", "Okafor", "ann@example.com", "+1 415 555 0101"]])]
    before = ws.counts()
    wizard = make_wizard(files)
    wizard.next()
    wizard.next()
    qtbot.waitUntil(wizard.check_page.isComplete, timeout=10000)
    table = wizard.check_page.table
    assert [table.value(r, "new_customers") for r in range(3)] == ["1", "1", "0"]
    assert table.value(2, "updated_customers") == "1"
    assert ws.counts() == before  # only a copy was written
    assert "tried together" in wizard.check_page.notes.text()
    finish(wizard, qtbot)
    done = wizard.done_page.table
    assert [done.value(r, "new_customers") for r in range(3)] == ["1", "1", "0"]
    assert ws.counts()["customers"] == 1


def test_the_trial_run_says_which_rows_are_nobody(make_wizard, ws, qtbot, tmp_path):
    """A LinkedIn connection who left is a row with only a date: kept, skipped, and said so."""
    path = write_csv(tmp_path / "Connections.csv",
                     ["First Name", "Last Name", "URL", "Email Address", "Company", "Position", "Connected On"],
                     [["Mia", "Ng", "https://www.linkedin.com/in/mia-ng", "", "Ng Florals", "Founder", "12 Mar 2024"],
                      ["", "", "", "", "", "", "03 Jan 2023"]])
    wizard = make_wizard([path])
    wizard.next()
    wizard.next()
    check = wizard.check_page
    qtbot.waitUntil(check.isComplete, timeout=5000)
    assert {k: check.table.value(0, k) for k in ("rows", "imported", "new_customers")} == {
        "rows": "2", "imported": "1", "new_customers": "1"}
    assert "1 row skipped, with no name, email, phone or ID (line 3)" in check.notes.text()  # the header is line 1


def test_rows_of_an_erased_person_are_said_to_be_left_out(make_wizard, ws, qtbot, tmp_path):
    """As the command line says it: else the trial reads "0 new records" with no word of why."""
    from omnidesk.core.rights import erase_person
    from omnidesk.core.timeline import find_customer

    import_file(ws, members_csv(tmp_path / "members.csv"))
    erase_person(ws, find_customer(ws, "cat@example.com"))
    again = write_csv(tmp_path / "members-june.csv", MEMBERS_HEADER, [
        ["cat@example.com", "Cat Jones", "", "M3", "2024-06-03"]])
    wizard = make_wizard([again])
    wizard.next()
    wizard.next()
    check = wizard.check_page
    qtbot.waitUntil(check.isComplete, timeout=5000)
    assert check.table.value(0, "imported") == "0"
    said = "1 row left out (erased at their request): an erased person is never imported again."
    assert said in check.notes.text()
    finish(wizard, qtbot)
    assert said in wizard.done_page.notes.text()


# -- encodings and files that are no CSV --------------------------------------------------


def test_a_file_read_shows_its_encoding_box_whole(make_wizard, tmp_path, qtbot):
    # The row's height was worked out while the file was being read, before its encoding
    # line showed: the box was squeezed to 13 pixels and "Encoding:" lost its tail.
    wizard = make_wizard([members_csv(tmp_path / "members.csv")])
    wizard.resize(1024, 640)
    qtbot.waitUntil(lambda: not wizard.reading, timeout=5000)
    row = wizard.files_page.rows[tmp_path / "members.csv"][1]
    qtbot.waitUntil(row.encoding.isVisible, timeout=2000)
    assert row.encoding.height() >= row.encoding.sizeHint().height()
    assert row.encoding_label.height() >= row.encoding_label.sizeHint().height()
    assert row.height() >= row.heightForWidth(row.width())


def test_choosing_the_encoding_reads_the_file_again(make_wizard, ws, qtbot, tmp_path):
    # One Czech name in Windows-1250: the bytes read as letters in Windows-1252 too
    # ("Kuèera"), so the guess says it is weak; the owner picks Windows-1250.
    path = write_csv(tmp_path / "kontakty.csv", ["Email", "First Name", "Last Name"],
                     [["jan.kucera@example.cz", "Jan", "Kučera"]], encoding="cp1250")
    wizard = make_wizard([path])
    row = wizard.files_page.rows[path][1]
    assert row.encoding.isVisible() and row.encoding.currentData() == "cp1252"
    assert row.encoding_note.text() == "detected"
    assert "The encoding is a guess" in row.status_text and "Kučera" in row.status_text
    assert wizard.plans[0].preview[0].values[2] == "Kuèera"

    index = row.encoding.findData("cp1250")
    row.encoding.setCurrentIndex(index)
    row.encoding.activated.emit(index)
    qtbot.waitUntil(lambda: not wizard.reading, timeout=5000)
    plan = wizard.plans[0]
    assert (plan.fmt.encoding, plan.fmt.chosen) == ("cp1250", True)
    assert plan.preview[0].values[2] == "Kučera"
    row = wizard.files_page.rows[path][1]
    assert row.encoding.currentData() == "cp1250" and row.encoding_note.text() == "your choice"
    assert "guess" not in row.status_text

    wizard.next()
    assert "Kučera" in " ".join(s.text() for s in wizard.mapping_page.findChildren(type(row.name)))
    wizard.next()
    finish(wizard, qtbot)
    assert [r.last_name for r in source_records(ws)] == ["Kučera"]


def test_mixed_file_shows_its_odd_line_on_the_file_list(make_wizard, tmp_path):
    path = tmp_path / "list.csv"
    path.write_bytes("Email,Name\r\nann@example.com,José\r\nbo@example.com,Zoë\r\n".encode()
                     + "cy@example.com,Renée\r\n".encode("cp1252"))
    wizard = make_wizard([path])
    row = wizard.files_page.rows[path][1]
    assert row.encoding.currentData() == "utf-8"
    assert row.encoding_note.text() == "detected; some lines in Windows-1252 (Western European)"
    assert "1 line is not (the first is line 4)" in row.status_text
    assert [r.values[1] for r in wizard.plans[0].preview] == ["José", "Zoë", "Renée"]


def test_an_excel_workbook_and_a_folder_say_what_they_are(make_wizard, tmp_path):
    workbook = tmp_path / "customers.csv"
    with zipfile.ZipFile(workbook, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "<workbook/>")
    folder = tmp_path / "exports"
    folder.mkdir()
    wizard = make_wizard([workbook, folder])
    rows = wizard.files_page.rows
    assert ("is an Excel workbook: save it as CSV (File › Save As › CSV UTF-8) and import that"
            in rows[workbook][1].status_text)
    assert "is not a regular file (it is a folder)" in rows[folder][1].status_text
    assert not rows[folder][1].encoding.isVisible()


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are a POSIX thing")
def test_a_named_pipe_is_refused_without_waiting_for_it(make_wizard, tmp_path):
    pipe = tmp_path / "leads\x1b[31m.csv"
    os.mkfifo(pipe)
    wizard = make_wizard([pipe])
    row = wizard.files_page.rows[pipe][1]
    assert "is not a regular file (it is a named pipe (FIFO))" in row.status_text
    assert row.name.full_text() == "leads\\x1b[31m.csv"
    assert "\x1b" not in row.status_text


def test_an_excel_workbook_renamed_csv_is_not_unpacked_as_a_zip(window, tmp_path, monkeypatch):
    window.open_workspace(_new_workspace(tmp_path))
    errors = []
    monkeypatch.setattr(window, "show_error", lambda title, text: errors.append(text))
    workbook = tmp_path / "customers.csv"
    with zipfile.ZipFile(workbook, "w") as z:
        z.writestr("xl/workbook.xml", "<workbook/>")
    window.import_files([workbook])
    assert errors == []
    wizard = window.import_wizard
    assert "is an Excel workbook" in wizard.files_page.rows[workbook][1].status_text
    wizard.reject()


@pytest.mark.parametrize("how", ["Add files…", "dropped"])
def test_a_zip_added_in_the_wizard_is_unpacked_as_file_import_does(window, qtbot, tmp_path, monkeypatch, how):
    """A Mailchimp audience zip added with the wizard's own Add files… or dropped onto it lists the
    CSV files inside it, as File › Import does; a zip with nothing to import is listed with why."""
    window.open_workspace(_new_workspace(tmp_path))
    errors = []
    monkeypatch.setattr(window, "show_error", lambda title, text: errors.append(text))
    audience = tmp_path / "audience.zip"
    with zipfile.ZipFile(audience, "w") as z:
        z.writestr("subscribed.csv", "Email,Name\nzed@example.com,Zed Zane\n")
        z.writestr("unsubscribed.csv", "Email,Name\nyan@example.com,Yan Yale\n")
    empty = tmp_path / "pictures.zip"
    with zipfile.ZipFile(empty, "w") as z:
        z.writestr("logo.png", b"\x89PNG")
    window.import_files([write_csv(tmp_path / "a.csv", ["Email", "Name"], [["ann@example.com", "Ann Lee"]])])
    wizard = window.import_wizard
    if how == "Add files…":
        monkeypatch.setattr(wizard, "ask_files", lambda: [audience, empty])
        wizard.files_page.add_button.click()
    else:
        mime = QMimeData()
        mime.setUrls([QUrl.fromLocalFile(str(audience)), QUrl.fromLocalFile(str(empty))])
        wizard.files_page.dropEvent(QDropEvent(QPointF(5, 5), Qt.DropAction.CopyAction, mime,
                                               Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier))
    rows = wizard.files_page.rows
    assert sorted(p.name for p in rows) == ["a.csv", "pictures.zip", "subscribed.csv", "unsubscribed.csv"]
    assert [p.file_name for p in wizard.plans] == ["a.csv", "subscribed.csv", "unsubscribed.csv"]
    assert "Cannot import:" in rows[empty][1].status_text and "logo.png" in rows[empty][1].status_text
    assert errors == []
    wizard.next()
    wizard.next()
    finish(wizard, qtbot)
    assert window.workspace.counts()["source_records"] == 3


def test_a_member_of_a_zip_with_a_header_and_no_rows_is_said_plainly_not_left_out(window, qtbot, tmp_path,
                                                                                   monkeypatch):
    """Mailchimp's audience zip holds four member files; the nonsubscribed one is often its header
    alone. It has nothing to import, which is no fault: said in plain words, never as left out."""
    import tempfile

    from omnidesk.core import tempfiles
    from omnidesk.ui.dialogs.import_wizard import ERROR_COLOR

    (tmp_path / "tmp").mkdir()  # unpacked into the test's own temp folder
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    monkeypatch.setattr(tempfiles, "_folder", None)
    window.open_workspace(_new_workspace(tmp_path))
    header = "Email Address,First Name,Last Name,OPTIN_TIME,CONFIRM_TIME,LEID\r\n"
    archive = tmp_path / "mailchimp_export_6a.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("subscribed_email_audience_export_6a.csv", header + "ann@example.com,Ann,Lee,,,1\r\n")
        z.writestr("nonsubscribed_email_audience_export_6a.csv", header)
        z.writestr("unsubscribed_email_audience_export_6a.csv",
                   header.replace("LEID", "LEID,UNSUB_TIME") + "bob@example.com,Bob,Stone,,,2,2026-03-01 09:00:00\r\n")
        z.writestr("cleaned_email_audience_export_6a.csv",
                   header.replace("LEID", "LEID,CLEAN_TIME") + "cy@example.com,Cy,Hall,,,3,2026-03-05 09:00:00\r\n")
    window.import_files([archive])
    wizard = window.import_wizard
    said = "no contacts in it — nothing to import"
    (row,) = [row for path, (_, row) in wizard.files_page.rows.items() if path.name.startswith("nonsubscribed")]
    assert said in row.status_text
    assert "Cannot import" not in row.status_text and ERROR_COLOR not in row.status_text
    assert "left out" not in wizard.files_page.status.text()
    assert "3 files ready" in wizard.files_page.status.text()
    assert len(wizard.plans) == 3
    wizard.next()
    wizard.next()
    qtbot.waitUntil(lambda: wizard.check_page.outcome is not None, timeout=5000)
    line = f"<li><b>nonsubscribed_email_audience_export_6a.csv</b> (in mailchimp_export_6a.zip): {said}.</li>"
    notes = wizard.check_page.notes.text()
    assert line in notes and notes.count(said) == 1
    assert "Left out" not in notes and ERROR_COLOR not in notes
    assert "None of the files" not in wizard.check_page.status.text()
    finish(wizard, qtbot)
    notes = wizard.done_page.notes.text()
    assert line in notes and notes.count(said) == 1
    assert "Left out" not in notes and ERROR_COLOR not in notes
    assert window.workspace.counts()["source_records"] == 3


def test_what_a_zip_holds_and_is_not_imported_is_named_on_the_files_page(window, qtbot, tmp_path, monkeypatch):
    """File › Import on an export's zip: the archive inside it and its readme are named on the files
    page with why they are skipped, the readme is not listed as a file to import, and a later
    wizard does not repeat them."""
    import tempfile

    from omnidesk.core import tempfiles

    (tmp_path / "tmp").mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    monkeypatch.setattr(tempfiles, "_folder", None)
    window.open_workspace(_new_workspace(tmp_path))
    inner = tmp_path / "inner.zip"
    with zipfile.ZipFile(inner, "w") as z:
        z.writestr("old.csv", "Email,Name\nold@example.com,Old Timer\n")
    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("subscribed.csv", "Email,Name\nzed@example.com,Zed Zane\n")
        z.writestr("readme.txt", "This export was made by MyTool.\nSee the docs.")
        z.write(inner, "older.zip")
    window.import_files([archive])
    wizard = window.import_wizard
    page = wizard.files_page
    assert [p.name for p in page.rows] == ["subscribed.csv"]
    said = page.skipped.text()
    assert page.skipped.isVisible()
    assert "older.zip" in said and "an archive inside the archive, which is not unpacked" in said
    assert "readme.txt" in said and "a text file of prose (a note or readme, not a table)" in said
    assert "1 file ready" in page.status.text()
    wizard.next()
    wizard.next()
    finish(wizard, qtbot)
    assert window.workspace.counts()["source_records"] == 1
    wizard.accept()
    qtbot.waitUntil(lambda: window.import_wizard is None, timeout=5000)
    window.import_files([write_csv(tmp_path / "a.csv", ["Email", "Name"], [["ann@example.com", "Ann Lee"]])])
    assert not window.import_wizard.files_page.skipped.isVisible()
    assert "older.zip" not in window.import_wizard.files_page.skipped.text()
    window.import_wizard.reject()


def _new_workspace(tmp_path: Path) -> Path:
    path = tmp_path / "fresh.omnidesk"
    Workspace.create(path).close()
    return path


def test_rows_of_an_earlier_file_are_imported_and_said_so(make_wizard, ws, qtbot, tmp_path):
    import_file(ws, members_csv(tmp_path / "members.csv"))
    newer = write_csv(tmp_path / "members-june.csv", MEMBERS_HEADER, [
        ["ann@example.com", "Ann Lee", "+44 7700 900123", "M1", "2024-03-01"],
        ["dan@example.com", "Dan Bell", "", "M4", "2024-06-01"],
    ])
    wizard = make_wizard([newer])
    wizard.next()
    wizard.next()
    check = wizard.check_page
    qtbot.waitUntil(check.isComplete, timeout=5000)
    assert {k: check.table.value(0, k) for k in ("imported", "duplicates", "new_customers", "updated_customers")} == {
        "imported": "2", "duplicates": "0", "new_customers": "1", "updated_customers": "1"}
    assert "1 row repeats an earlier file word for word" in check.notes.text()
    finish(wizard, qtbot)
    assert ws.counts()["source_records"] == 5 and ws.counts()["customers"] == 4


def test_a_channel_of_ones_own_typed_in_the_wizard_shows_as_typed(make_wizard, ws, qtbot, tmp_path):
    wizard = make_wizard([members_csv(tmp_path / "members.csv")])
    wizard.next()
    page = wizard.mapping_page
    page.channel_combo.setEditText("Farmers Market on Saturday")
    assert wizard.plans[0].channel == "farmers_market_on_saturday"  # kept by its code
    assert page.channel_combo.currentText() == "Farmers Market on Saturday"  # what was typed stays
    wizard.next()
    finish(wizard, qtbot)
    assert channel_name("farmers_market_on_saturday") == "Farmers Market on Saturday"
    path = ws.path
    ws.close()
    use_own_labels({})  # as a new run of omnidesk starts
    assert channel_name("farmers_market_on_saturday") == "Farmers market on saturday"
    with Workspace.open(path) as again:  # kept by the workspace: shown so when it is opened again
        assert again is not None and channel_name("farmers_market_on_saturday") == "Farmers Market on Saturday"


@pytest.mark.parametrize("first", [True, False], ids=["first import", "into a workspace with customers"])
def test_cancel_while_linking_records_changes_nothing(make_wizard, ws, qtbot, tmp_path, monkeypatch, first):
    """Linking records to customers is most of a big import: Cancel there rolls the file back too,
    and the bar is busy meanwhile, with the linking's own step in words."""
    from omnidesk.core.identity import resolve

    monkeypatch.setattr(resolve, "_WHOLE_WORKSPACE_BATCH", 10)  # a "big" first import: the whole-workspace pass
    if not first:
        import_file(ws, write_csv(tmp_path / "old.csv", ["Email", "Name"], [["old@example.com", "Old Timer"]]))
    before = ws.counts()
    rows = [[f"p{i}@example.com", f"Person {i}"] for i in range(30)]
    wizard = make_wizard([write_csv(tmp_path / "list.csv", ["Email", "Name"], rows)])
    seen = []

    def on_progress(done, total, message):
        if "Linking records to customers: " in message and not seen:
            seen.append((message, total, wizard.import_page.progress.maximum()))
            wizard.import_page.cancel_button.click()

    wizard.importProgressed.connect(on_progress)
    wizard.next()
    wizard.next()
    with qtbot.waitSignal(wizard.importsFailed, timeout=10000) as blocker:
        wizard.next()
    assert seen and seen[0][1:] == (0, 0), seen  # a busy bar
    assert blocker.args == ["Import cancelled — nothing was changed."]
    assert "Import cancelled — nothing was changed" in wizard.import_page.message.text()
    assert wizard.results == []
    assert ws.counts() == before


def test_closing_during_the_trial_run_never_waits_for_it(ws, qtbot, tmp_path, monkeypatch):
    """Closing the wizard while its trial run links records cancels the trial and closes at once:
    the trial ends in the background, rolled back, and says nothing to the closed wizard."""
    import threading

    from omnidesk.core.tasks import Progress

    import_file(ws, write_csv(tmp_path / "old.csv", ["Email", "Name"], [["old@example.com", "Old Timer"]]))
    before = ws.counts()
    linking, release = threading.Event(), threading.Event()
    real = pipeline.resolve_batch_steps

    def slow_linking(*args, **kwargs):  # a big file's linking, held until the test lets it go on
        yield Progress(0, 0, "Comparing records")
        linking.set()
        release.wait(60)
        return (yield from real(*args, **kwargs))

    monkeypatch.setattr(pipeline, "resolve_batch_steps", slow_linking)
    rows = [[f"p{i}@example.com", f"Person {i}"] for i in range(30)]
    wizard = ImportWizard(ws, [write_csv(tmp_path / "list.csv", ["Email", "Name"], rows)], TaskRunner())
    wizard.show()
    qtbot.waitUntil(lambda: bool(wizard.plans) and not wizard.reading, timeout=5000)
    wizard.next()
    wizard.next()
    task = wizard.check_page.task
    waits = []
    wait = task.done.wait
    task.done.wait = lambda timeout=None: (waits.append(timeout), wait(timeout))[1]
    qtbot.waitUntil(linking.is_set, timeout=10000)
    wizard.reject()
    assert waits == [] and not wizard.isVisible()  # closed without waiting for the trial
    assert task.cancelled and not task.done.is_set()
    wizard.deleteLater()  # as the main window does once it has closed
    release.set()
    qtbot.waitUntil(task.done.is_set, timeout=10000)
    qtbot.waitUntil(lambda: task.ended, timeout=5000)  # its last signals came, and nothing failed on them
    assert ws.counts() == before
    ws.set_setting("send_unknown_email", True)  # the trial's write lock is gone


def test_every_member_a_zip_skips_is_named_under_the_zip_once(window, qtbot, tmp_path, monkeypatch):
    """A zip of several files that are not tables: past the fourth the page said only "and 1 more
    file.", with no way to learn which; and the zip's long name was repeated on every line."""
    import tempfile

    from omnidesk.core import tempfiles

    (tmp_path / "tmp").mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    monkeypatch.setattr(tempfiles, "_folder", None)
    window.open_workspace(_new_workspace(tmp_path))
    archive = tmp_path / "audience_export.zip"
    skipped = ["logo.png", "data.json", "more.pdf", "terms.pdf", "photo.jpg", "sheet.numbers"]
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("subscribed.csv", "Email,Name\nzed@example.com,Zed Zane\n")
        for name in skipped:
            z.writestr(name, "x")
    window.import_files([archive])
    wizard = window.import_wizard
    page = wizard.files_page
    said = page.skipped.text()
    assert page.skipped.isVisible()
    assert all(name in said for name in skipped), said
    assert "more file" not in said
    assert said.count("audience_export.zip") == 1
    wizard.reject()
