"""The import wizard's mapping page under a large font: its notes whole, its preview's rows whole."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect
from PySide6.QtWidgets import QLabel

from omnidesk.ui.dialogs.import_wizard import ImportWizard
from omnidesk.ui.tasks import TaskRunner
from tests.helpers import write_csv


def on_mapping_page(window, qtbot, path):
    """The import wizard for ``path``, shown on its column-mapping page: (wizard, page)."""
    wizard = ImportWizard(window.workspace, [path], TaskRunner(inline=True), window)
    qtbot.addWidget(wizard)
    wizard.show()
    wizard.next()
    qtbot.wait(50)
    assert wizard.currentPage() is wizard.mapping_page
    return wizard, wizard.mapping_page


def test_mapping_page_reads_whole(big_window, qtbot, tmp_path):
    path = write_csv(tmp_path / "members.csv", ["Email", "Full Name", "Mobile", "Member Code", "Signed up"],
                     [["ann@example.com", "Ann Lee", "+44 7700 900123", "M1", "2024-03-01"],
                      ["bob(at)example", "Bob Stone", "+44 7700 900456", "M2", "2024-03-02"]])
    _wizard, page = on_mapping_page(big_window, qtbot, path)
    question = next(label for label in page.region_row.findChildren(QLabel) if label.buddy() is page.region_combo)
    words = question.text().replace("&", "")
    assert question.fontMetrics().horizontalAdvance(words) <= question.width(), f"{words!r} is cut"
    assert not question.geometry().intersects(page.region_combo.geometry())
    reason = page.region_reason
    assert reason.text() and reason.height() >= reason.heightForWidth(reason.width()), "the region's note is cut"
    # The preview shows both rows of the file whole (scrolled to, if the page is taller than the wizard).
    table = page.table
    assert table.model().rowCount() == 2
    last = table.rowViewportPosition(1) + table.rowHeight(1)
    assert 0 <= table.rowViewportPosition(0) and last <= table.viewport().height(), "the preview cuts a row"


def test_mapping_page_subtitle_reads_to_its_end(big_window, qtbot, tmp_path):
    path = write_csv(tmp_path / "members.csv", ["Email", "Full Name"], [["ann@example.com", "Ann Lee"]])
    wizard, page = on_mapping_page(big_window, qtbot, path)
    shown = [label for label in wizard.findChildren(QLabel)
             if label.isVisible() and label.text() == page.subTitle()]
    assert len(shown) == 1
    label = shown[0]
    # Wrapped over as many lines as it takes at its width, every one of them shown.
    assert label.wordWrap() or label.fontMetrics().horizontalAdvance(label.text()) <= label.width()
    assert label.height() >= label.heightForWidth(label.width()), "the subtitle's last line is cut"
    # ...and none of them hidden under the page below it or outside the header that holds it.
    assert label.parentWidget().rect().contains(label.geometry()), "the subtitle runs out of its header"
    placed = QRect(label.mapTo(wizard, QPoint(0, 0)), label.size())
    assert not placed.intersects(QRect(page.mapTo(wizard, QPoint(0, 0)), page.size())), "the page covers the subtitle"
