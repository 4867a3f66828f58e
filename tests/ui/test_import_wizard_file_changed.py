"""A file changed on disk after the wizard read it is refused at Import: its columns may have moved."""

from __future__ import annotations

import os

from omnidesk.ui.dialogs.import_wizard import DONE_PAGE, ImportWizard
from omnidesk.ui.tasks import TaskRunner
from tests.helpers import write_csv

HEADER = ["Email", "First Name", "Last Name"]
ROWS = [["ann@example.com", "Ann", "Lee"], ["bob@example.com", "Bob", "Ray"]]
CHANGED = "customers.csv changed while it was being imported (or since it was read); nothing was imported"


def open_wizard(qtbot, ws, path) -> ImportWizard:
    wizard = ImportWizard(ws, [path], TaskRunner(inline=True))
    qtbot.addWidget(wizard)
    wizard.show()
    wizard.next()  # the columns, as read from the file
    wizard.next()  # the trial run
    return wizard


def test_a_file_exported_again_while_the_wizard_is_open_is_not_imported_with_the_old_columns(qtbot, ws, tmp_path):
    path = write_csv(tmp_path / "customers.csv", HEADER, ROWS)
    wizard = open_wizard(qtbot, ws, path)
    assert wizard.check_page.table.value(0, "imported") == "2"
    # Meanwhile the shop exports the list again to the same file: the columns in another order, one more row.
    write_csv(path, ["First Name", "Last Name", "Email"],
              [["Ann", "Lee", "ann@example.com"], ["Bob", "Ray", "bob@example.com"], ["Cat", "Oh", "cat@example.com"]])

    with qtbot.waitSignal(wizard.importsFailed, timeout=5000) as blocker:
        wizard.next()
    assert CHANGED in blocker.args[0] and "import it again" in blocker.args[0]
    qtbot.waitUntil(lambda: wizard.currentId() == DONE_PAGE, timeout=5000)
    assert CHANGED in wizard.done_page.notes.text()
    assert ws.counts() == {"customers": 0, "source_records": 0, "events": 0, "consents": 0, "imports": 0}

    # Read again, the new export imports whole, each column as it now is.
    again = open_wizard(qtbot, ws, path)
    with qtbot.waitSignal(again.importsFinished, timeout=5000):
        again.next()
    assert again.results[0].imported == 3
    with ws.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT first_name, email FROM source_record ORDER BY id").all() == [
            ("Ann", "ann@example.com"), ("Bob", "bob@example.com"), ("Cat", "cat@example.com")]


def test_a_file_only_touched_since_the_wizard_read_it_imports(qtbot, ws, tmp_path):
    path = write_csv(tmp_path / "customers.csv", HEADER, ROWS)
    wizard = open_wizard(qtbot, ws, path)
    seen = os.stat(path)
    os.utime(path, ns=(seen.st_atime_ns, seen.st_mtime_ns + 5_000_000_000))  # synced: same bytes, a new time
    with qtbot.waitSignal(wizard.importsFinished, timeout=5000):
        wizard.next()
    assert wizard.results[0].imported == 2 and ws.counts()["source_records"] == 2
