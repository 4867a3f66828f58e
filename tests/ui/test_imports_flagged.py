"""The Imports screen is the home of flagged rows: listed with what is wrong, saved as a report any time."""

from __future__ import annotations

import csv

from PySide6.QtCore import Qt

from omnidesk.cli import main
from omnidesk.core.importing.pipeline import ImportOptions, import_file
from omnidesk.core.workspace import Workspace
from omnidesk.ui.models import flagged_row_table_model
from tests.helpers import write_csv


def _shop(tmp_path, bad_rows: int = 3):
    path = tmp_path / "shop.omnidesk"
    rows = [["ann@example.com", "Ann", "2024-01-05"], ["bo@example.com", "Bo", "2024-02-30"]]
    rows += [[f"broken{i}@", f"Cy{i}", "2024-03-01"] for i in range(bad_rows - 1)]
    with Workspace.create(path) as ws:
        import_file(ws, write_csv(tmp_path / "list.csv", ["Email", "First Name", "Signed up"], rows),
                    ImportOptions(channel="email"))
        import_file(ws, write_csv(tmp_path / "clean.csv", ["Email"], [["dee@example.com"]]),
                    ImportOptions(channel="email"))
    return path


def _select(imports, file_name: str) -> dict:
    row = next(r for r in range(imports.model.rowCount()) if imports.model.batch(r)["file_name"] == file_name)
    imports.table.selectRow(row)
    return imports.model.batch(row)


def test_flagged_rows_are_listed_with_their_reason_and_saved_again(window, qtbot, tmp_path, monkeypatch,
                                                                    qtmodeltester):
    window.set_workspace(Workspace.open(_shop(tmp_path)))
    window.show_screen("imports")
    imports = window.screens["imports"]
    assert not imports.report_button.isEnabled()
    assert "Select an import" in imports.flagged_title.text()

    _select(imports, "list.csv")
    model = imports.flagged_model
    qtmodeltester.check(model)
    assert model.rowCount() == 3 and imports.report_button.isEnabled()
    assert imports.flagged_title.text().startswith("list.csv: 3 flagged rows, imported as they are")
    rows = [[model.index(r, c).data() for c in range(3)] for r in range(3)]
    assert [r[0] for r in rows] == ["3", "4", "5"]  # lines of the file, the header being line 1
    assert "date" in rows[0][1].lower() and "bo@example.com | Bo | 2024-02-30" == rows[0][2]
    assert "email" in rows[1][1].lower() and rows[1][2].startswith("broken0@")

    out = tmp_path / "problems.csv"
    monkeypatch.setattr(imports, "ask_error_report_path", lambda name: out)
    with qtbot.waitSignal(imports.errorReportSaved):
        qtbot.mouseClick(imports.report_button, Qt.MouseButton.LeftButton)
    assert imports.report_status.text() == "Saved 3 rows to problems.csv."
    with out.open(encoding="utf-8", newline="") as fh:
        report = list(csv.reader(fh))
    assert report[0] == ["Email", "First Name", "Signed up", "omnidesk_row", "omnidesk_problems", "omnidesk_batch"]
    assert [r[3] for r in report[1:]] == ["2", "3", "4"] and report[1][:3] == ["bo@example.com", "Bo", "2024-02-30"]

    _select(imports, "clean.csv")
    assert model.rowCount() == 0 and not imports.report_button.isEnabled()
    assert "no flagged rows" in imports.flagged_title.text()
    for size in ((1024, 640), (1920, 1080)):
        window.resize(*size)
        qtbot.wait(10)
        assert imports.flagged_panel.isVisible() and imports.table.isVisible()
        # Nothing flagged: the pane is its one line and the list of imports takes the height
        # (it kept half of it, empty, and the list showed 8 of a shop's 11 imports at 1024).
        assert not imports.flagged_table.isVisible()
        assert imports.table.textElideMode() == Qt.TextElideMode.ElideMiddle  # "subscribed_…da7fa07.csv"
        assert imports.table.height() > 4 * imports.flagged_panel.height()
    _select(imports, "list.csv")
    qtbot.wait(10)
    assert imports.flagged_table.isVisible() and imports.flagged_table.height() > 100


def test_many_flagged_rows_arrive_a_page_at_a_time(window, tmp_path, monkeypatch):
    monkeypatch.setattr(flagged_row_table_model, "PAGE", 4)
    window.set_workspace(Workspace.open(_shop(tmp_path, bad_rows=10)))
    window.show_screen("imports")
    imports = window.screens["imports"]
    _select(imports, "list.csv")
    model = imports.flagged_model
    assert model.rowCount() == 4 and model.canFetchMore()
    while model.canFetchMore():
        model.fetchMore()
    assert model.rowCount() == 10
    assert [model.index(r, 0).data() for r in range(10)] == [str(n) for n in range(3, 13)]  # lines


def test_a_report_that_cannot_be_written_says_why(window, tmp_path, monkeypatch, qtbot):
    path = _shop(tmp_path)
    window.set_workspace(Workspace.open(path))
    window.show_screen("imports")
    imports = window.screens["imports"]
    _select(imports, "list.csv")
    monkeypatch.setattr(imports, "ask_error_report_path", lambda name: path)  # the workspace itself
    with qtbot.assertNotEmitted(imports.errorReportSaved):
        qtbot.mouseClick(imports.report_button, Qt.MouseButton.LeftButton)
    assert imports.report_status.text().startswith("Could not save the report: Will not write over")


def test_cli_writes_an_imports_errors_report_and_refuses_undone_ones(tmp_path, capsys):
    path = _shop(tmp_path)
    out = tmp_path / "again.csv"
    assert main(["imports", "errors", "1", str(out), "--workspace", str(path)]) == 0
    assert "Wrote 3 flagged rows of import 1" in capsys.readouterr().out
    with out.open(encoding="utf-8", newline="") as fh:
        assert len(list(csv.reader(fh))) == 4
    assert main(["imports", "errors", "1", str(out), "--workspace", str(path)]) == 1
    assert "already exists; add --force" in capsys.readouterr().err
    assert main(["imports", "errors", "9", str(tmp_path / "x.csv"), "--workspace", str(path)]) == 1
    assert "There is no import 9." in capsys.readouterr().err
    assert main(["imports", "undo", "1", "--workspace", str(path)]) == 0
    capsys.readouterr()
    assert main(["imports", "errors", "1", str(tmp_path / "y.csv"), "--workspace", str(path)]) == 1
    assert "was undone" in capsys.readouterr().err


def test_a_row_an_error_report_fixed_says_so_and_stays_listed(window, qtbot, tmp_path, qtmodeltester):
    path = tmp_path / "shop.omnidesk"
    till = write_csv(tmp_path / "till.csv", ["Receipt", "Date", "Email", "Total"], [
        ["20250", "2025-12-07 16:26", "oliver@example", "48.00"],  # broken email: flagged
        ["20251", "2025-12-07 16:40", "ann@example.com", "12.00"],
    ])
    with Workspace.create(path) as ws:
        import_file(ws, till, ImportOptions(channel="pos", kind="events"))
    report = tmp_path / "errs.csv"
    assert main(["imports", "errors", "1", str(report), "-w", str(path)]) == 0
    text = report.read_text(encoding="utf-8").replace("oliver@example,", "oliver@example.com,")
    fixed = tmp_path / "errs-fixed.csv"
    fixed.write_text(text, encoding="utf-8")
    assert main(["import", str(fixed), "-w", str(path)]) == 0
    window.set_workspace(Workspace.open(path))
    window.show_screen("imports")
    imports = window.screens["imports"]
    _select(imports, "till.csv")
    model = imports.flagged_model
    qtmodeltester.check(model)
    assert model.rowCount() == 1
    assert model.index(0, 1).data().startswith("Fixed by import 2 (replaced, no longer counted) — Email: ")
    assert model.index(0, 2).data().startswith("20250 | ")


def test_a_flagged_order_a_later_export_replaced_says_so_not_fixed(window, qtbot, tmp_path, monkeypatch,
                                                                    qtmodeltester):
    from tests.core.test_money import order, shopify_orders

    path = tmp_path / "shop.omnidesk"
    with Workspace.create(path) as ws:
        import_file(ws, shopify_orders(tmp_path / "orders_export_1.csv", [
            order("#1001", "ann@example", "40.00"), order("#1002", "bo@example", "9.00")]))  # both flagged
        import_file(ws, shopify_orders(tmp_path / "orders_export_2.csv", [order("#1001", "ann@example.com", "40.00")]))
    window.set_workspace(Workspace.open(path))
    window.show_screen("imports")
    imports = window.screens["imports"]
    _select(imports, "orders_export_1.csv")
    model = imports.flagged_model
    qtmodeltester.check(model)
    assert model.rowCount() == 2
    assert model.index(0, 1).data().startswith(
        "Order replaced by import 2's later export, not fixed (no longer counted) — ")
    assert "replaced" not in model.index(1, 1).data()
    out = tmp_path / "from-screen.csv"
    monkeypatch.setattr(imports, "ask_error_report_path", lambda name: out)
    with qtbot.waitSignal(imports.errorReportSaved):
        qtbot.mouseClick(imports.report_button, Qt.MouseButton.LeftButton)
    assert imports.report_status.text() == (
        "Saved 1 row to from-screen.csv; left out 1 row whose order a later export replaced.")
    window.workspace.close()


def test_a_report_written_again_leaves_out_rows_already_fixed(window, qtbot, tmp_path, monkeypatch, capsys):
    # Two broken emails; the first report's fix reaches one of them.  Written again, the
    # report holds only the other: the fixed row, imported again as it was, would undo its fix.
    path = tmp_path / "shop.omnidesk"
    till = write_csv(tmp_path / "till.csv", ["Receipt", "Date", "Email", "Total"], [
        ["20250", "2025-12-07 16:26", "oliver@example", "48.00"],
        ["20251", "2025-12-07 16:40", "ann@example", "12.00"],
        ["20252", "2025-12-07 16:55", "bo@example.com", "7.00"],
    ])
    with Workspace.create(path) as ws:
        import_file(ws, till, ImportOptions(channel="pos", kind="events"))
    first = tmp_path / "errs.csv"
    assert main(["imports", "errors", "1", str(first), "-w", str(path)]) == 0
    lines = first.read_text(encoding="utf-8").splitlines()
    fixed = tmp_path / "errs-fixed.csv"
    fixed.write_text("\n".join([lines[0], lines[1].replace("oliver@example,", "oliver@example.com,")]) + "\n",
                     encoding="utf-8")
    assert main(["import", str(fixed), "-w", str(path)]) == 0
    capsys.readouterr()

    again = tmp_path / "errs-again.csv"
    assert main(["imports", "errors", "1", str(again), "-w", str(path)]) == 0
    assert ("Wrote 1 flagged row of import 1 to" in (said := capsys.readouterr().out)
            and said.rstrip().endswith("; left out 1 row a later import fixed"))
    with again.open(encoding="utf-8", newline="") as fh:
        report = list(csv.reader(fh))
    assert [r[0] for r in report[1:]] == ["20251"]  # Ann's row only; Oliver's fix stands

    window.set_workspace(Workspace.open(path))
    window.show_screen("imports")
    imports = window.screens["imports"]
    _select(imports, "till.csv")
    out = tmp_path / "from-screen.csv"
    monkeypatch.setattr(imports, "ask_error_report_path", lambda name: out)
    with qtbot.waitSignal(imports.errorReportSaved):
        qtbot.mouseClick(imports.report_button, Qt.MouseButton.LeftButton)
    assert imports.report_status.text() == "Saved 1 row to from-screen.csv; left out 1 row a later import fixed."
    window.workspace.close()

    # Ann fixed too: nothing is left to write, and nothing is written.
    fixed_too = tmp_path / "errs-again-fixed.csv"
    fixed_too.write_text(again.read_text(encoding="utf-8").replace("ann@example,", "ann@example.com,"),
                         encoding="utf-8")
    assert main(["import", str(fixed_too), "-w", str(path)]) == 0
    capsys.readouterr()
    last = tmp_path / "errs-last.csv"
    # Nothing left to report is not an error: said on the output, nothing written, exit 0.
    assert main(["imports", "errors", "1", str(last), "-w", str(path)]) == 0
    assert "was fixed by a later import; there is nothing left to fix" in capsys.readouterr().out
    assert not last.exists()
    assert not last.exists()
    with Workspace.open(path) as ws, ws.engine.connect() as conn:
        # Each sale counts once, Oliver's under his fixed email.
        assert conn.exec_driver_sql("SELECT count(*) FROM event").scalar() == 3
        assert conn.exec_driver_sql("SELECT count(*) FROM customer WHERE email = 'oliver@example.com'").scalar() == 1


def test_a_fixed_contacts_row_replaces_its_original_too(tmp_path, capsys):
    # No sale to stop counting, but the original is still replaced: listed as fixed, left out
    # of the report written again, and of the flagged rows the Dashboard counts.
    from omnidesk.core.metrics import health

    path = tmp_path / "shop.omnidesk"
    members = write_csv(tmp_path / "members.csv", ["Email", "First Name"], [["bob@@example.com", "Bob"],
                                                                          ["ann@example.com", "Ann"]])
    with Workspace.create(path) as ws:
        import_file(ws, members, ImportOptions(channel="email"))
    report = tmp_path / "errs.csv"
    assert main(["imports", "errors", "1", str(report), "-w", str(path)]) == 0
    fixed = tmp_path / "errs-fixed.csv"
    fixed.write_text(report.read_text(encoding="utf-8").replace("bob@@example.com", "bob@example.com"),
                     encoding="utf-8")
    assert main(["import", str(fixed), "-w", str(path)]) == 0
    capsys.readouterr()
    assert main(["imports", "errors", "1", str(tmp_path / "again.csv"), "-w", str(path)]) == 0
    assert "nothing left to fix" in capsys.readouterr().out and not (tmp_path / "again.csv").exists()
    with Workspace.open(path) as ws:
        assert health(ws)["flagged_rows"] == 0
        with ws.engine.connect() as conn:
            # Bob's fixed row joined the customer of the row it corrects: one Bob.
            assert conn.exec_driver_sql("SELECT count(*) FROM customer").scalar() == 2


def test_when_an_import_ran_is_on_the_shops_clock(window, tmp_path):
    """The Imports screen says when as `omnidesk imports list` does: on the shop's clock, not UTC."""
    import time_machine

    path = tmp_path / "shop.omnidesk"
    with Workspace.create(path) as ws:
        ws.set_setting("timezone", "Asia/Kolkata")  # +05:30, never the machine's UTC or a whole hour off it
        with time_machine.travel("2026-03-01T12:00:00+00:00", tick=False):
            import_file(ws, write_csv(tmp_path / "list.csv", ["Email"], [["ann@example.com"]]),
                        ImportOptions(channel="email"))
    window.set_workspace(Workspace.open(path))
    imports = window.screens["imports"]
    column = [imports.model.headerData(c, Qt.Orientation.Horizontal) for c in range(imports.model.columnCount())]
    cell = imports.model.index(0, column.index("Imported"))
    assert cell.data() == "1 Mar 2026, 17:30" and cell.data(Qt.ItemDataRole.ToolTipRole) == "2026-03-01 17:30"


def test_the_file_clicked_stays_in_view_and_what_is_wrong_gets_its_width(window, qtbot, tmp_path):
    """At 1024x640 the flagged pane took half the list's height and scrolled the clicked file out of
    sight; "What is wrong" was 320 pixels whatever the room, its reason cut beside a wide row."""
    from PySide6.QtWidgets import QApplication

    path = tmp_path / "shop.omnidesk"
    with Workspace.create(path) as ws:
        for n in range(14):  # clean files first, the flagged one last: at the bottom of the list
            import_file(ws, write_csv(tmp_path / f"clean{n}.csv", ["Email"], [[f"p{n}@example.com"]]),
                        ImportOptions(channel="email"))
        import_file(ws, write_csv(tmp_path / "till.csv", ["First Name", "Phone", "Email"], [
            ["Ann", "12", "ann@example.com"], ["Bo", "+1 415 555 0100", "bo@example"]]), ImportOptions(channel="pos"))
    window.resize(1024, 640)
    window.set_workspace(Workspace.open(path))
    window.show_screen("imports")
    imports = window.screens["imports"]
    row = next(r for r in range(imports.model.rowCount()) if imports.model.batch(r)["file_name"] == "till.csv")
    imports.table.setCurrentIndex(imports.model.index(row, 0))
    imports.table.selectRow(row)
    qtbot.waitUntil(lambda: imports.flagged_table.isVisible())
    for _ in range(5):
        QApplication.processEvents()
    shown = imports.table.visualRect(imports.model.index(row, 0))
    assert shown.isValid() and imports.table.viewport().rect().contains(shown.center()), shown
    # The reasons are whole where half the table holds them.
    table = imports.flagged_table
    wanted, half = table.sizeHintForColumn(1) + 12, table.viewport().width() // 2
    assert wanted > 320  # these reasons are longer than the old fixed width
    assert table.horizontalHeader().sectionSize(1) == min(wanted, half) > 320


def test_a_file_imported_again_is_listed_as_a_copy_and_its_first_import_undone_says_where_its_rows_went(
        window, tmp_path):
    import shutil

    from omnidesk.core.importing.batches import undo_batch
    from omnidesk.ui.models.import_batch_table_model import COLUMNS

    path = _shop(tmp_path)
    shutil.copyfile(tmp_path / "list.csv", tmp_path / "list (1).csv")
    with Workspace.open(path) as ws:
        import_file(ws, tmp_path / "list (1).csv", ImportOptions(channel="email"))
    window.set_workspace(Workspace.open(path))
    window.show_screen("imports")
    imports = window.screens["imports"]
    status = [key for key, _ in COLUMNS].index("status")

    def shown(file_name: str, role=Qt.ItemDataRole.DisplayRole) -> str:
        row = next(r for r in range(imports.model.rowCount()) if imports.model.batch(r)["file_name"] == file_name)
        return imports.model.index(row, status).data(role)

    assert (shown("list (1).csv"), shown("list.csv"), shown("clean.csv")) == (
        "Copy of import 1", "Imported", "Imported")
    assert shown("list (1).csv", Qt.ItemDataRole.ToolTipRole) == "A copy of import 1: the same file again"
    undo_batch(window.workspace, 1)
    imports.model.reload()
    assert (shown("list (1).csv"), shown("list.csv")) == ("Imported", "Undone, rows in import 3")
    assert shown("list.csv", Qt.ItemDataRole.ToolTipRole) == "Its rows are import 3's now"


# A title line above the header and an empty line among the rows: the file's lines and the
# rows' count part ways, and the owner finds a row by the line (a spreadsheet's row number).
TITLED = ("Customer list export\n"            # line 1
          "Email,Name,City\n"                 # line 2
          "ann@example.com,Ann Lee,Leeds\n"   # line 3
          "\n"                                # line 4: empty
          "bob@example.com,Bob Stone,York\n"  # line 5
          "cat(at)example.com,Cat Jones,Hull\n"  # line 6: a broken email, the 3rd row
          ",,Leeds\n")                        # line 7: nobody, the 4th row


def test_rows_are_named_by_their_line_in_the_file_in_the_wizard_the_imports_screen_and_the_cli(
        window, qtbot, tmp_path, capsys):
    from omnidesk.ui.dialogs.import_wizard import DONE_PAGE
    from tests.helpers import run_cli

    listed = tmp_path / "list.csv"
    listed.write_text(TITLED, encoding="utf-8")
    path = tmp_path / "shop.omnidesk"
    Workspace.create(path).close()
    window.open_workspace(path)
    window.import_files([listed])
    wizard = window.import_wizard
    wizard.next()
    preview = wizard.mapping_page.model
    assert [preview.headerData(r, Qt.Orientation.Vertical) for r in range(preview.rowCount())] == [
        "3", "5", "6", "7"]
    wizard.next()
    qtbot.waitUntil(lambda: wizard.check_page.outcome is not None, timeout=5000)
    notes = wizard.check_page.notes.text()
    assert "1 empty row skipped (line 4)" in notes
    assert "for example line 6: Email" in notes and "row 3" not in notes
    assert "1 row skipped, with no name, email, phone or ID (line 7)" in notes and "row 4" not in notes
    wizard.next()
    qtbot.waitUntil(lambda: wizard.currentId() == DONE_PAGE, timeout=5000)
    notes = wizard.done_page.notes.text()
    assert "for example line 6: Email" in notes and "(line 7)" in notes
    wizard.accept()

    window.show_screen("imports")
    imports = window.screens["imports"]
    _select(imports, "list.csv")
    model = imports.flagged_model
    assert model.headerData(0, Qt.Orientation.Horizontal) == "Line"
    assert [model.index(r, 0).data() for r in range(model.rowCount())] == ["6"]

    status, out, err = run_cli(capsys, "import", listed, "-w", tmp_path / "cli.omnidesk")
    assert status == 0, err
    assert "list.csv: 1 row skipped, with no name, email, phone or ID (line 7)" in err
    assert "list.csv: 1 empty row skipped (line 4)" in err
