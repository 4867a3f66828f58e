"""The Customer screen's privacy actions, all-identifiers tab and pinned values, on the demo shop.

Driven through the real main window, buttons, menus and dialogs; only the file
chooser and the message boxes are stood in for (as in the other UI tests), except
where the test is about the box itself.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMessageBox

from omnidesk.core.channels import channel_name
from omnidesk.ui.models.identifier_table_model import IdentifierTableModel
from omnidesk.ui.views.customer import person as customer_view_module


def _one(ws, sql: str, *params):
    with ws.engine.connect() as conn:
        return conn.exec_driver_sql(sql, params).first()


def _all(ws, sql: str, *params):
    with ws.engine.connect() as conn:
        return conn.exec_driver_sql(sql, params).all()


def _list_ids(window) -> list[int]:
    model = window.screens["customers"].model
    return [model.customer_id(r) for r in range(model.rowCount())]


@pytest.fixture
def win(demo_window):
    return demo_window


@pytest.fixture
def rich(win):
    """A demo customer with records in several files, orders and several identifiers."""
    row = _one(win.workspace,
               "SELECT r.customer_id FROM identifier i JOIN source_record r ON r.id = i.record_id "
               "GROUP BY r.customer_id ORDER BY count(DISTINCT i.kind || i.value) DESC, r.customer_id LIMIT 1")
    assert row is not None
    return row[0]


@pytest.fixture
def exportable(win):
    """A demo customer with several identifiers whose events all carry an amount.

    (core.rights.export_person cannot yet write a person whose events mix amounts and
    none: see test_export_of_orders_and_messages_together.)
    """
    row = _one(win.workspace,
               "SELECT e.customer_id FROM event e GROUP BY e.customer_id "
               "HAVING sum(e.amount_minor IS NULL) = 0 AND count(*) > 2 "
               "ORDER BY (SELECT count(DISTINCT i.kind || i.value) FROM identifier i JOIN source_record r "
               "ON r.id = i.record_id WHERE r.customer_id = e.customer_id) DESC, e.customer_id LIMIT 1")
    assert row is not None
    return row[0]


@pytest.fixture
def messages(win, monkeypatch):
    """What the Customer screen said in message boxes: (kind, title, text)."""
    said: list[tuple[str, str, str]] = []
    view = win.customer_view
    monkeypatch.setattr(view, "show_info", lambda title, text: said.append(("info", title, text)))
    monkeypatch.setattr(view, "show_error", lambda title, text: said.append(("error", title, text)))
    return said


# -- export ------------------------------------------------------------------------------


def test_export_person_data_writes_a_readable_zip(win, exportable, messages, tmp_path, monkeypatch, qtbot):
    ws, view = win.workspace, win.customer_view
    rich = exportable
    win.open_customer(rich)
    assert view.export_person_button.isVisible() and view.export_person_button.isEnabled()

    # The save dialog proposes customer-<id>.zip; cancelling it writes nothing and says nothing.
    asked = []

    class FakeFileDialog:
        answer = ""

        @staticmethod
        def getSaveFileName(parent, caption, start, filters):
            asked.append((caption, start, filters))
            return FakeFileDialog.answer, ""

    monkeypatch.setattr(customer_view_module, "QFileDialog", FakeFileDialog)
    qtbot.mouseClick(view.export_person_button, Qt.MouseButton.LeftButton)
    caption, start, filters = asked[0]
    assert start.replace("\\", "/").endswith(f"/customer-{rich}.zip") and "*.zip" in filters
    assert messages == []
    # A name typed without an extension gets ".zip".
    FakeFileDialog.answer = str(tmp_path / "for-the-request")
    assert view.ask_person_export_path() == tmp_path / "for-the-request.zip"

    out = tmp_path / f"customer-{rich}.zip"
    monkeypatch.setattr(view, "ask_person_export_path", lambda: out)
    with qtbot.waitSignal(view.personExported) as signal:
        qtbot.mouseClick(view.export_person_button, Qt.MouseButton.LeftButton)
    assert signal.args == [str(out)]
    assert messages == [("info", "Person data exported", messages[0][2])] and str(out) in messages[0][2]
    assert str(out) in win.statusBar().currentMessage()

    with zipfile.ZipFile(out) as z:
        assert z.testzip() is None
        assert {"person.json", "source_records.csv", "events.csv", "consents.csv", "identifiers.csv"} \
            <= set(z.namelist())
        person = json.loads(z.read("person.json"))
        records = list(csv.DictReader(io.StringIO(z.read("source_records.csv").decode("utf-8"))))
    name, email, count = _one(ws, "SELECT display_name, email, source_count FROM customer WHERE id = ?", rich)
    assert person["customer"]["id"] == rich and person["customer"]["display_name"] == name
    assert person["customer"]["email"] == email
    assert len(person["source_records"]) == len(records) == count
    expected = {(k, v) for k, v in _all(
        ws, "SELECT DISTINCT i.kind, i.value FROM identifier i JOIN source_record r ON r.id = i.record_id "
            "WHERE r.customer_id = ?", rich)}
    assert {(i["kind"], i["value"]) for i in person["identifiers"]} == expected
    assert not list(tmp_path.glob("*.part"))


def test_export_to_an_unwritable_place_says_so_and_writes_nothing(win, rich, messages, tmp_path, monkeypatch,
                                                                   qtbot):
    view = win.customer_view
    win.open_customer(rich)
    out = tmp_path / "no such folder" / "person.zip"
    monkeypatch.setattr(view, "ask_person_export_path", lambda: out)
    with qtbot.assertNotEmitted(view.personExported):
        qtbot.mouseClick(view.export_person_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: bool(messages))  # written off the window's thread
    assert len(messages) == 1
    kind, title, text = messages[0]
    assert (kind, title) == ("error", "Cannot export person data") and str(out) in text
    assert not out.parent.exists()
    assert win.current_screen() == "customer" and view.customer_id == rich


def test_export_of_orders_and_messages_together(win, rich, messages, tmp_path, monkeypatch, qtbot):
    ws, view = win.workspace, win.customer_view
    assert _one(ws, "SELECT count(*) FROM event WHERE customer_id = ? AND amount_minor IS NULL", rich)[0] > 0
    assert _one(ws, "SELECT count(*) FROM event WHERE customer_id = ? AND amount_minor IS NOT NULL", rich)[0] > 0
    win.open_customer(rich)
    out = tmp_path / "mixed.zip"
    monkeypatch.setattr(view, "ask_person_export_path", lambda: out)
    qtbot.mouseClick(view.export_person_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(messages))  # written off the window's thread
    # Whatever the core does, the screen reports it and goes on.
    assert len(messages) == 1 and view.customer_id == rich
    assert messages[0][:2] == ("info", "Person data exported"), messages[0]
    with zipfile.ZipFile(out) as z:
        assert z.testzip() is None


# -- erase -------------------------------------------------------------------------------


def test_erase_person_removes_them_everywhere_and_shows_the_list_without_them(win, rich, messages,
                                                                              monkeypatch, qtbot):
    ws, view = win.workspace, win.customer_view
    customers = win.screens["customers"]
    name, email, count, events = _one(
        ws, "SELECT display_name, email, source_count, "
            "(SELECT count(*) FROM event WHERE customer_id = customer.id) FROM customer WHERE id = ?", rich)
    record_ids = [r[0] for r in _all(ws, "SELECT id FROM source_record WHERE customer_id = ?", rich)]
    assert rich in _list_ids(win)
    listed = customers.model.rowCount()
    win.open_customer(rich)

    # The question says plainly what goes, that it cannot be undone, and Cancel is the default.
    box = view.erase_confirmation_box()
    text = box.text() + box.informativeText()
    assert name in text and f"{count:,} source records" in text and "cannot be undone" in text
    assert "fingerprints" in text
    assert box.buttonRole(box.defaultButton()) == QMessageBox.ButtonRole.RejectRole
    assert box.escapeButton() is box.defaultButton()
    box.deleteLater()

    monkeypatch.setattr(view, "confirm_erase", lambda: True)
    with qtbot.waitSignal(view.personErased) as signal:
        qtbot.mouseClick(view.erase_person_button, Qt.MouseButton.LeftButton)
    removed = signal.args[1]
    assert signal.args[0] == rich and removed["source_records"] == count

    # Gone from the database...
    assert _one(ws, "SELECT count(*) FROM customer WHERE id = ?", rich)[0] == 0
    marks = ",".join("?" * len(record_ids))
    assert _one(ws, f"SELECT count(*) FROM source_record WHERE id IN ({marks})", *record_ids)[0] == 0
    assert _one(ws, f"SELECT count(*) FROM identifier WHERE record_id IN ({marks})", *record_ids)[0] == 0
    assert _one(ws, "SELECT count(*) FROM event WHERE customer_id = ?", rich)[0] == 0
    # ...from the Customers list, which is on screen again, even when searched for...
    assert win.current_screen() == "customers"
    assert rich not in _list_ids(win) and customers.model.rowCount() == listed - 1
    customers.search.setText(email)
    qtbot.waitUntil(lambda: customers.model.rowCount() == 0)
    # ...and from the Customer screen, which holds nothing of them any more.
    assert view.customer_id is None and view.source_model.rowCount() == 0
    assert view.identifier_model.rowCount() == 0 and view.timeline_model.rowCount() == 0
    assert name not in view.name_label.text()
    # The user is told what was removed.
    assert [m[:2] for m in messages] == [("info", "Person erased")]
    assert name in messages[0][2] and f"{count:,} source records" in messages[0][2]
    assert f"{events:,} timeline entr" in messages[0][2]
    assert "and their name and address, are kept only as salted fingerprints that cannot be read back" in messages[0][2]


def _answer_box_with(key: Qt.Key, seen: list[str], tries: int = 50) -> None:
    """Press ``key`` in the message box about to open (the real one, run modally)."""
    box = QApplication.activeModalWidget()
    if not isinstance(box, QMessageBox):
        if tries:
            QTimer.singleShot(20, lambda: _answer_box_with(key, seen, tries - 1))
        return
    seen.append(box.text() + box.informativeText())
    QTest.keyClick(box, key)


@pytest.mark.parametrize("key", [Qt.Key.Key_Return, Qt.Key.Key_Escape])
def test_cancelling_the_erase_question_erases_nothing(win, rich, messages, qtbot, key):
    """Enter (the default button) and Esc both cancel: a slip of the finger erases nobody."""
    ws, view = win.workspace, win.customer_view
    win.open_customer(rich)
    before = _one(ws, "SELECT count(*) FROM source_record WHERE customer_id = ?", rich)[0]
    seen: list[str] = []
    QTimer.singleShot(0, lambda: _answer_box_with(key, seen))
    with qtbot.assertNotEmitted(view.personErased):
        qtbot.mouseClick(view.erase_person_button, Qt.MouseButton.LeftButton)
    assert seen and "cannot be undone" in seen[0]
    assert _one(ws, "SELECT count(*) FROM customer WHERE id = ?", rich)[0] == 1
    assert _one(ws, "SELECT count(*) FROM source_record WHERE customer_id = ?", rich)[0] == before
    assert win.current_screen() == "customer" and view.customer_id == rich
    assert messages == []


# -- identifiers -------------------------------------------------------------------------


def test_identifiers_tab_lists_every_identifier_with_its_file_row_and_channel(win, rich, qtmodeltester):
    ws, view = win.workspace, win.customer_view
    win.open_customer(rich)
    view.tabs.setCurrentWidget(view.identifiers_page)
    model = view.identifier_model
    qtmodeltester.check(model)
    expected = set(_all(
        ws, "SELECT i.kind, i.value, b.file_name, r.record_no, r.channel FROM identifier i "
            "JOIN source_record r ON r.id = i.record_id JOIN import_batch b ON b.id = r.batch_id "
            "WHERE r.customer_id = ?", rich))
    kinds = {k for k, *_ in expected}
    assert kinds == {"email", "phone", "external"}  # the demo customer has all three
    distinct = {(k, v) for k, v, *_ in expected}
    assert view.tabs.tabText(view.tabs.indexOf(view.identifiers_page)) == f"Identifiers ({len(distinct)})"

    shown, firsts = set(), []
    for row in range(model.rowCount()):
        line = model.index(row, 0).data(IdentifierTableModel.LineRole)
        shown.update((line.kind, line.value, line.source_file, n, line.channel) for n in line.record_nos)
        # What the user reads on the line: the file, the channel, the row numbers.
        assert model.index(row, 4).data() == line.source_file
        assert model.index(row, 3).data() == channel_name(line.channel)
        tip = model.index(row, 1).data(Qt.ItemDataRole.ToolTipRole)
        assert line.source_file in tip and f"({channel_name(line.channel)})" in tip
        if len(line.record_nos) <= 60:
            listed = tip.split(line.source_file, 1)[1].split("(")[0]
            assert [int(n) for n in listed.replace("rows", "").replace("row", "").split(",")] \
                == list(line.record_nos)
        if line.first:
            firsts.append((line.kind, line.value, model.index(row, 1).data()))
        else:
            assert model.index(row, 1).data() == ""  # the value is written once per identifier
    assert shown == expected
    assert len(firsts) == len(distinct)
    for kind, value, text in firsts:
        if kind == "email":
            assert text == value
        elif kind == "external":
            assert text == value.split(":", 1)[1]
        else:
            assert text and text[-4:] == value[-4:]  # a phone in the shop's own format
    golden = _one(ws, "SELECT email FROM customer WHERE id = ?", rich)[0]
    on_card = [model.index(r, 2).data() for r in range(model.rowCount())
               if model.index(r, 0).data(IdentifierTableModel.LineRole).value == golden
               and model.index(r, 0).data(IdentifierTableModel.LineRole).first]
    assert on_card == ["shown"]


def test_a_customer_with_no_identifiers_says_so(win, tmp_path):
    from omnidesk.core.importing.pipeline import ImportOptions, import_file
    from tests.helpers import write_csv

    ws, view = win.workspace, win.customer_view
    import_file(ws, write_csv(tmp_path / "walk_ins.csv", ["First name", "Last name", "City"],
                              [["Nameonly", "Person", "Bangor"]]),
                ImportOptions(channel="pos", kind="contacts", mapping=["first_name", "last_name", "city"]))
    cid = _one(ws, "SELECT id FROM customer WHERE first_name = 'Nameonly'")[0]
    win.open_customer(cid)
    assert view.identifier_model.rowCount() == 0
    assert view.identifier_pages.currentWidget() is view.identifiers_empty
    assert view.tabs.tabText(view.tabs.indexOf(view.identifiers_page)) == "Identifiers (0)"


# -- pinning -----------------------------------------------------------------------------


def _pinned(ws, cid) -> dict:
    return json.loads(_one(ws, "SELECT pinned_json FROM customer WHERE id = ?", cid)[0] or "{}")


def test_pin_then_unpin_changes_the_card_the_list_and_the_database(win, messages, monkeypatch, qtbot):
    ws, view = win.workspace, win.customer_view
    # A customer whose records disagree on the first name ("Catherine" and "Cathy").
    cid = _one(ws, "SELECT customer_id FROM source_record WHERE customer_id IS NOT NULL AND first_name != '' "
                   "GROUP BY customer_id HAVING count(DISTINCT first_name) > 1 ORDER BY customer_id LIMIT 1")[0]
    names = {r[0] for r in _all(ws, "SELECT DISTINCT first_name FROM source_record "
                                    "WHERE customer_id = ? AND first_name != ''", cid)}
    win.open_customer(cid)
    before = view.profile.first_name
    other = sorted(names - {before})[0]
    assert view.name_label.text().startswith(before) and view.pin_marks["name"].isHidden()
    assert view.pin_action("first_name", "unpin") is None  # nothing to unpin yet

    chooser_rows = []

    def choose_in_the_real_dialog(field):
        dialog = view.pin_dialog(field)
        try:
            chooser_rows.extend((dialog.list.topLevelItem(i).text(0), dialog.list.topLevelItem(i).text(1),
                                 dialog.list.topLevelItem(i).text(2))
                                for i in range(dialog.list.topLevelItemCount()))
            assert dialog.select_value(other)
            qtbot.mouseClick(dialog.pin_button, Qt.MouseButton.LeftButton)
            return dialog.choice
        finally:
            dialog.deleteLater()

    monkeypatch.setattr(view, "ask_pin", choose_in_the_real_dialog)
    with qtbot.waitSignal(view.customerChanged):
        view.pin_action("first_name").trigger()

    # The chooser offered every first name the records carry, each with where it came from.
    assert {r[0] for r in chooser_rows} == names
    assert [r[1] for r in chooser_rows if r[0] == before] == ["shown"]
    assert all(".csv row" in r[2] or ".csv rows" in r[2] for r in chooser_rows)
    # Pinned: the database, the card (marked) and the Customers list say so.
    assert _pinned(ws, cid) == {"first_name": other}
    assert _one(ws, "SELECT first_name FROM customer WHERE id = ?", cid)[0] == other
    assert view.name_label.text().startswith(other) and not view.pin_marks["name"].isHidden()
    assert "pinned by you" in view.name_label.toolTip()
    customers = win.screens["customers"]
    row = _list_ids(win).index(cid)
    assert customers.model.index(row, 0).data().startswith(other)

    # Unpinned from the row's menu: the sources decide again.
    unpin = view.pin_action("first_name", "unpin")
    assert unpin is not None
    with qtbot.waitSignal(view.customerChanged):
        unpin.trigger()
    assert _pinned(ws, cid) == {}
    assert _one(ws, "SELECT first_name FROM customer WHERE id = ?", cid)[0] == before
    assert view.name_label.text().startswith(before) and view.pin_marks["name"].isHidden()
    assert view.pin_action("first_name", "unpin") is None
    assert messages == []


def test_pin_email_shows_pinned_and_the_chooser_can_unpin(win, rich, monkeypatch, qtbot):
    ws, view = win.workspace, win.customer_view
    win.open_customer(rich)
    emails = {r[0] for r in _all(ws, "SELECT DISTINCT i.value FROM identifier i JOIN source_record r "
                                     "ON r.id = i.record_id WHERE r.customer_id = ? AND i.kind = 'email'", rich)}
    before = view.fields["email"].text()
    assert before in emails

    # Pin the value shown now (it then stays whatever later imports say).
    dialog = view.pin_dialog("email")
    assert set(dialog.values()) == emails and dialog.unpin_button.isHidden()
    assert dialog.list.currentItem().data(0, dialog.ValueRole) == before  # the current one is preselected
    qtbot.mouseClick(dialog.pin_button, Qt.MouseButton.LeftButton)
    monkeypatch.setattr(view, "ask_pin", lambda field: dialog.choice)
    view.pin_action("email").trigger()
    assert _pinned(ws, rich) == {"email": before}
    assert not view.pin_marks["email"].isHidden() and view.fields["email"].text() == before
    lines = [view.identifier_model.line(r) for r in range(view.identifier_model.rowCount())]
    assert [x.on_card for x in lines if x.first and x.value == before] == ["pinned"]

    # The chooser of a pinned field says so and offers Unpin.
    dialog = view.pin_dialog("email")
    assert not dialog.unpin_button.isHidden()
    assert dialog.list.currentItem().text(1) == "pinned"
    qtbot.mouseClick(dialog.unpin_button, Qt.MouseButton.LeftButton)
    assert dialog.choice == ("unpin", None)
    view.pin_action("email").trigger()
    assert _pinned(ws, rich) == {}
    assert view.pin_marks["email"].isHidden()


@pytest.mark.parametrize("target", ["workspace", "wal"])
def test_export_onto_the_open_workspace_is_refused_and_it_is_unchanged(win, rich, messages, monkeypatch, qtbot,
                                                                        target):
    """The save dialog asked "replace?" and the user said yes: the workspace still wins."""
    view = win.customer_view
    win.open_customer(rich)
    ws_path = win.workspace.path
    out = ws_path if target == "workspace" else ws_path.with_name(ws_path.name + "-wal")
    before = out.read_bytes() if out.exists() else None
    monkeypatch.setattr(view, "ask_person_export_path", lambda: out)
    with qtbot.assertNotEmitted(view.personExported):
        qtbot.mouseClick(view.export_person_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: bool(messages))  # written off the window's thread
    assert [m[:2] for m in messages] == [("error", "Cannot export person data")]
    assert "Will not write over" in messages[0][2]
    assert (out.read_bytes() if out.exists() else None) == before
    assert win.workspace.counts()["customers"] > 0


def test_the_erase_question_names_the_backups_it_deletes(win, rich, monkeypatch, qtbot):
    import shutil

    path = win.workspace.path
    backup = path.with_name(f"{path.stem}.before-0006-20260101-120000.omnidesk.bak")
    shutil.copyfile(path, backup)
    win.open_customer(rich)
    view = win.customer_view
    box = view.erase_confirmation_box()
    text = box.text() + box.informativeText()
    box.deleteLater()
    assert "the 1 backup Omnidesk made next to this workspace before upgrading it" in text
    assert "copies you saved with Save a Copy, are not changed" in text
    monkeypatch.setattr(view, "confirm_erase", lambda: True)
    monkeypatch.setattr(view, "show_info", lambda *a: None)
    with qtbot.waitSignal(view.personErased) as signal:
        qtbot.mouseClick(view.erase_person_button, Qt.MouseButton.LeftButton)
    assert signal.args[1]["backups_deleted"] == 1 and not backup.exists()
