"""The status bar's counts read right for one customer, one record, one event."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication

from omnidesk.core.importing.pipeline import ImportOptions, import_file
from tests.helpers import write_csv


def test_a_workspace_of_one_customer_says_one_customer(window, make_workspace, tmp_path):
    ws = make_workspace(default_region="US", timezone="America/New_York")
    import_file(ws, write_csv(tmp_path / "one.csv", ["Name", "Email"], [["Ann Lee", "ann@example.com"]]),
                ImportOptions(channel="email", kind="contacts"))
    window.set_workspace(ws)
    window.show_screen("customers")
    QApplication.processEvents()
    text = window.summary.text()
    assert "  ·  1 customer  ·  1 record  ·  " in text, text
    counts = text.split("  ·  ", 1)[1]
    assert "customers" not in counts and "records" not in counts
