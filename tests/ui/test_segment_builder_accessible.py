"""What a screen reader says for the segment builder's boxes: the two ends of a range apart, and a
nested group's Add condition apart from the top group's."""

from __future__ import annotations

from PySide6.QtGui import QAccessible
from PySide6.QtWidgets import QAbstractSpinBox, QApplication, QLineEdit, QPushButton, QWidget


def spoken(widget) -> str:
    return QAccessible.queryAccessibleInterface(widget).text(QAccessible.Text.Name)


def boxes(row) -> list[str]:
    return [spoken(w) for w in row.editor.findChildren(QWidget)
            if isinstance(w, (QLineEdit, QAbstractSpinBox)) and not isinstance(w.parentWidget(), QAbstractSpinBox)]


def test_the_two_ends_of_a_range_and_each_add_condition_have_their_own_names(demo):
    win = demo
    view = win.screens["customers"]
    view.show_filter(True)
    view.builder.set_rule({"all": [
        {"field": "spend", "op": "between", "value": [10, 200]},
        {"field": "last_seen", "op": "between", "value": ["2026-01-01", "2026-06-30"]},
        {"field": "orders", "op": "gte", "value": 2},
        {"any": [{"field": "city", "op": "is", "value": "Boston"}]},
    ]})
    QApplication.processEvents()
    spend, seen, orders, group = view.builder.root.rows
    assert boxes(spend) == ["Spend from", "Spend to"]
    assert boxes(seen) == ["Last seen from", "Last seen to"]
    assert boxes(orders) == ["Number"]  # one box: the row's field says what it is
    top = view.builder.root.add_condition_button
    assert isinstance(top, QPushButton) and spoken(top) == "Add condition"
    assert spoken(group.add_condition_button) == "Add condition to this group"
