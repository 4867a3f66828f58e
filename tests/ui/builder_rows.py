"""What the segment builder's tests share: choosing an entry of a box by its data, and a new
condition row with its field and test chosen (the ``demo`` window they open is in conftest)."""

from __future__ import annotations

from PySide6.QtCore import Qt


def pick(combo, data) -> None:
    index = combo.findData(data)
    assert index >= 0, data
    combo.setCurrentIndex(index)


def new_row(win, qtbot, field: str, op: str):
    """The Customers screen with its rule panel open and a condition added at its end, on ``field``
    (``custom.NAME`` for a column of the files) and ``op``: (view, row)."""
    view = win.screens["customers"]
    view.show_filter(True)
    qtbot.mouseClick(view.builder.root.add_condition_button, Qt.MouseButton.LeftButton)
    row = view.builder.root.rows[-1]
    pick(row.field, field)
    pick(row.op, op)
    return view, row
