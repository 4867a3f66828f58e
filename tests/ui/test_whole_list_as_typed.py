"""What takes the whole Customers list (File › Export Customers…, a tag for All N in the List) takes
it as typed: a search or a rule value typed a moment ago, still in its pause, is applied first, and
a big list being worked out in the background is waited for.  Before, the export offered and wrote
the whole list of before the typing while the window then showed the narrowed one."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLineEdit

from omnidesk.core import segments
from omnidesk.core.customers import customer_ids
from omnidesk.ui.views import customers_view


def _export_dialog():
    return next(w for w in QApplication.topLevelWidgets() if w.windowTitle() == "Export Customers" and w.isVisible())


def _last_name(view) -> str:
    return view.model.text(3, "name").split()[-1]


def test_an_export_right_after_typing_a_search_takes_the_matches(demo, qtbot):
    win, view = demo, demo.screens["customers"]
    everyone = view.model.rowCount()
    name = _last_name(view)
    view.search.setFocus()
    qtbot.keyClicks(view.search, name)
    win.export_customers_action.trigger()  # at once, within the search's pause
    dialog = _export_dialog()
    found = list(customer_ids(win.workspace, search=name))
    assert 0 < len(found) < everyone
    assert list(dialog.list_ids) == found
    assert dialog.all_radio.text().startswith(f"All {len(found)} customer")
    dialog.reject()


def test_an_export_right_after_typing_a_rule_value_takes_those_the_rule_picks(demo, qtbot):
    win, view = demo, demo.screens["customers"]
    view.show_filter(True)
    qtbot.mouseClick(view.builder.root.add_condition_button, Qt.MouseButton.LeftButton)
    row = view.builder.root.rows[-1]
    row.field.setCurrentIndex(row.field.findData("city"))
    row.op.setCurrentIndex(row.op.findData("contains"))
    view.builder.apply_now()
    city = view.model.text(0, "city") or "Boston"
    box = row.editor.findChild(QLineEdit)
    box.setFocus()
    qtbot.keyClicks(box, city)
    win.export_customers_action.trigger()
    dialog = _export_dialog()
    rule = {"field": "city", "op": "contains", "value": city}
    assert len(dialog.list_ids) == segments.count(win.workspace, rule) > 0
    dialog.reject()


def test_on_a_big_list_the_export_waits_for_the_matches(demo, qtbot, monkeypatch):
    monkeypatch.setattr(customers_view, "BACKGROUND_FILTER", 0)
    win, view = demo, demo.screens["customers"]
    name = _last_name(view)
    view.search.setFocus()
    qtbot.keyClicks(view.search, name)
    assert win.export_customers() is None  # not yet: the matches are being found
    assert view.filtering()
    qtbot.waitUntil(lambda: any(w.windowTitle() == "Export Customers" and w.isVisible()
                                for w in QApplication.topLevelWidgets()), timeout=10_000)
    dialog = _export_dialog()
    assert list(dialog.list_ids) == list(customer_ids(win.workspace, search=name))
    dialog.reject()


def test_a_tag_for_all_in_the_list_right_after_typing_tags_the_matches(demo, qtbot, monkeypatch):
    win, view = demo, demo.screens["customers"]
    asked = []
    view.bulkRequested.disconnect()
    view.bulkRequested.connect(lambda action, ids: asked.append((action, list(ids))))
    name = _last_name(view)
    view.search.setFocus()
    qtbot.keyClicks(view.search, name)
    view._bulk("tag", everyone=True)
    assert asked == [("tag", list(customer_ids(win.workspace, search=name)))]
