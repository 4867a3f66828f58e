"""Long names in the segment builder are cut after a word with "…" and said whole in a tooltip: an
imported column's name in a row's field box, and the name of the saved segment being edited."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from omnidesk.core import segments

COLUMN = "How did you first hear about our little candle shop on Main Street"
SEGMENT = "Spring candle buyers who live near the shop and opened our last newsletter"


@pytest.fixture
def shop(window, tmp_path):
    """A window on a workspace whose file brought a column with a long name."""
    from omnidesk.core.importing.pipeline import import_file
    from omnidesk.core.workspace import Workspace
    from tests.helpers import write_csv

    path = tmp_path / "shop.omnidesk"
    ws = Workspace.create(path)
    import_file(ws, write_csv(tmp_path / "members.csv", ["Email", "First Name", COLUMN], [
        ["ann@example.org", "Ann", "Radio"], ["ben@example.org", "Ben", "A friend"]]))
    ws.close()
    assert window.open_workspace(path)
    window.resize(1024, 640)
    yield window
    assert window.screens["customers"].runner.wait(10)


def settle(qtbot, win) -> None:
    for _ in range(3):
        QApplication.processEvents()
        win.screens["customers"].runner.wait(10)
        qtbot.wait(50)


def test_a_long_column_name_is_cut_after_a_word_and_said_whole_in_its_tooltip(shop, qtbot):
    view = shop.screens["customers"]
    view.show_filter(True)
    qtbot.mouseClick(view.builder.root.add_condition_button, Qt.MouseButton.LeftButton)
    row = view.builder.root.rows[0]
    key = f"custom.{COLUMN}"
    index = row.field.findData(key)
    row.field.setCurrentIndex(index)
    settle(qtbot, shop)
    label = f"{COLUMN} (imported column)"
    assert row.field.currentText() == label
    assert row.field.toolTip() == label
    assert row.field.itemData(index, Qt.ItemDataRole.ToolTipRole) == label  # in the open list too
    shown = row.field.shown_text()
    assert shown.endswith("…") and label.startswith(shown[:-1]) and label[len(shown) - 1] == " "
    assert row.field.fontMetrics().horizontalAdvance(shown) < row.field.width()
    # A short name is shown whole, with its tooltip too.
    row.field.setCurrentIndex(row.field.findData("city"))
    assert row.field.shown_text() == "City" and row.field.toolTip() == "City"


def test_a_long_segment_name_under_the_rows_is_cut_with_an_ellipsis_and_said_whole(shop, qtbot):
    segments.save_segment(shop.workspace, SEGMENT, {"all": [{"field": "city", "op": "exists"}]})
    shop.segments.reload()
    shop.segments.open(SEGMENT)
    settle(qtbot, shop)
    label = shop.screens["customers"].builder.editing_label
    assert label.toolTip() == SEGMENT
    assert label.text().startswith("· segment “") and label.text().endswith("…”")
    assert SEGMENT.startswith(label.text()[len("· segment “"):-2])
    assert label.fontMetrics().horizontalAdvance(label.text()) <= label.width()
    # Given the room, the whole name.
    shop.resize(1600, 640)
    settle(qtbot, shop)
    assert label.text() == f"· segment “{SEGMENT}”"


def test_a_segment_name_is_typed_no_longer_than_a_name_may_be(demo_window, qtbot):
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QInputDialog, QLineEdit

    win = demo_window
    view = win.screens["customers"]
    view.show_filter(True)
    view.builder.set_rule({"all": [{"field": "tag", "op": "is", "value": "vip"}]})
    typed = "Customers who bought candles in the spring and came back " * 5  # 285 characters
    seen = {}

    def answer():
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, QInputDialog):
            QTimer.singleShot(50, answer)
            return
        box = dialog.findChild(QLineEdit)
        qtbot.keyClicks(box, typed)
        seen["text"] = box.text()
        qtbot.keyClick(box, Qt.Key.Key_Return)

    QTimer.singleShot(50, answer)
    qtbot.mouseClick(view.builder.save_button, Qt.MouseButton.LeftButton)
    assert seen["text"] == typed[:200]  # the box stopped at 200: nothing typed is lost after OK
    name = " ".join(typed[:200].split())
    assert name in win.nav.segment_names()
    assert segments.get_segment(win.workspace, name).rule == view.builder.rule()
    assert win.screens["customers"].runner.wait(10)
