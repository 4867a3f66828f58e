"""The window beside an import in another window: notes wait for the lock and are never lost;
a read-only workspace opens for reading with a banner."""

from __future__ import annotations

import sqlite3

import pytest

from omnidesk.core.importing.pipeline import import_file
from omnidesk.ui.views.customer import CustomerView
from tests.core.test_workspace_sharing import fingerprint, shopify_customers, sidecars
from tests.helpers import deny_writes

WAITING = "Waiting for the import in another window…"


@pytest.fixture
def shop(ws, tmp_path):
    import_file(ws, shopify_customers(tmp_path / "customers_export.csv", 3))
    ws.close()  # the window opens the file itself
    return ws.path


@pytest.fixture
def quick_retries(monkeypatch):
    monkeypatch.setattr(CustomerView, "NOTES_ATTEMPT_WAIT", 0.02)
    monkeypatch.setattr(CustomerView, "NOTES_RETRY_MS", 50)



def notes_in_file(path, customer_id: int) -> str:
    with sqlite3.connect(path) as con:
        return con.execute("SELECT coalesce(notes, '') FROM customer WHERE id = ?", (customer_id,)).fetchone()[0]


def open_customer(window, shop, qtbot, customer_id=1) -> CustomerView:
    assert window.open_workspace(shop)
    window.open_customer(customer_id)
    view = window.customer_view
    view.tabs.setCurrentWidget(view.notes_page)
    view.notes_edit.setFocus()
    return view


def type_notes(qtbot, view, text: str) -> None:
    qtbot.keyClicks(view.notes_edit, text)
    assert view.notes_edit.toPlainText() == text


def test_a_note_saved_during_an_import_waits_and_lands_when_it_finishes(window, shop, qtbot, quick_retries, lock):
    view = open_customer(window, shop, qtbot)
    type_notes(qtbot, view, "Prefers the oat latte")
    qtbot.mouseClick(view.save_notes_button, qtbot_left())
    assert window.statusBar().currentMessage().startswith(WAITING)
    assert view.notes_status.text() == WAITING
    assert view.notes_waiting()
    window.grab().save("/tmp/omnidesk-notes-waiting.png")
    qtbot.wait(200)  # still locked: it keeps trying, the text stays
    assert notes_in_file(shop, 1) == "" and view.notes_edit.toPlainText() == "Prefers the oat latte"
    lock.rollback()  # the import finishes
    qtbot.waitUntil(lambda: notes_in_file(shop, 1) == "Prefers the oat latte", timeout=5000)
    qtbot.waitUntil(lambda: not view.notes_waiting())
    assert view.notes_status.text().startswith("Saved at")
    assert WAITING not in window.statusBar().currentMessage()
    assert not view.has_unsaved_notes()


def test_a_note_that_never_gets_the_lock_stays_in_the_editor_and_says_so(window, shop, qtbot, quick_retries,
                                                                         monkeypatch, lock):
    monkeypatch.setattr(CustomerView, "NOTES_GIVE_UP", 0.3)
    view = open_customer(window, shop, qtbot)
    type_notes(qtbot, view, "Call back Tuesday")
    view.save_notes()
    window.open_customer(2)  # the user moves on while it waits
    qtbot.waitUntil(lambda: view.notes_status.text().startswith("Not saved:"), timeout=5000)
    assert view.customer_id == 1  # the words went back where they were typed
    assert view.notes_edit.toPlainText() == "Call back Tuesday"
    assert "the workspace is busy" in view.notes_status.text()
    assert "still here" in view.notes_status.text()
    assert view.save_notes_button.isEnabled() and view.has_unsaved_notes()
    assert view.tabs.currentWidget() is view.notes_page
    assert window.statusBar().currentMessage().startswith("Your notes were not saved")
    qtbot.wait(50)  # let the layout settle before looking
    window.grab().save("/tmp/omnidesk-notes-not-saved.png")
    assert notes_in_file(shop, 1) == ""
    lock.rollback()
    qtbot.mouseClick(view.save_notes_button, qtbot_left())  # trying again works once it is free
    assert notes_in_file(shop, 1) == "Call back Tuesday"


def test_closing_the_window_during_an_import_saves_the_notes_when_it_finishes(window, shop, qtbot,
                                                                            quick_retries, lock):
    view = open_customer(window, shop, qtbot)
    type_notes(qtbot, view, "VIP since 2019")
    assert not window.close()  # waits for the lock instead of raising "database is locked"
    assert window.isVisible()
    assert window.statusBar().currentMessage().startswith(WAITING)
    lock.rollback()
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=5000)
    assert notes_in_file(shop, 1) == "VIP since 2019"


def test_closing_when_the_notes_cannot_be_saved_asks_keep_editing_or_close(window, shop, qtbot, quick_retries,
                                                                          monkeypatch, lock):
    monkeypatch.setattr(CustomerView, "NOTES_GIVE_UP", 0.2)
    answers, asked = [False, True], []

    def ask() -> bool:
        asked.append(view.notes_edit.toPlainText())
        return answers.pop(0)

    view = open_customer(window, shop, qtbot)
    monkeypatch.setattr(window, "ask_close_without_notes", ask)
    type_notes(qtbot, view, "Allergic to nuts")
    window.close()
    qtbot.waitUntil(lambda: len(asked) == 1, timeout=5000)
    assert window.isVisible()  # "Keep editing"
    assert view.notes_edit.toPlainText() == "Allergic to nuts" and view.has_unsaved_notes()
    window.close()  # tries again, the same way, then asks again: "Close without saving"
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=5000)
    assert asked == ["Allergic to nuts", "Allergic to nuts"]
    assert not window.isVisible() and notes_in_file(shop, 1) == ""


@pytest.mark.parametrize("size", [(1024, 640), (1920, 1080)])
def test_a_read_only_workspace_opens_for_reading_with_a_banner(window, shop, qtbot, monkeypatch, size):
    deny_writes(monkeypatch, shop)
    before = fingerprint(shop)
    window.resize(*size)
    assert window.open_workspace(shop)
    assert window.workspace.readonly
    banner = window.read_only_banner
    assert banner is not None and banner.isVisible()
    assert banner.text().startswith("<b>Read-only:</b> shop is on a file") and "changes are off" in banner.text()
    assert not window.import_action.isEnabled() and not window.duplicates_action.isEnabled()
    customers = window.screens["customers"]
    assert customers.model.rowCount() == 3
    assert not customers.merge_button.isVisible()
    customers.show_filter(True)  # a rule only reads: it filters and counts; saving it is not offered
    customers.builder.set_rule({"all": [{"field": "orders", "op": "gte", "value": 0}]})
    assert customers.builder.count_label.text() == "3 customers" and customers.model.rowCount() == 3
    assert not customers.builder.save_button.isVisible()
    customers.show_filter(False)
    window.show_screen("imports")  # built only now: its import and undo buttons stay out of reach too
    imports = window.screens["imports"]
    assert imports.isVisible() and not imports.import_button.isVisible() and not imports.undo_button.isVisible()
    window.open_customer(1)
    view = window.customer_view
    assert view.notes_edit.isReadOnly() and not view.save_notes_button.isVisible()
    assert not any(button.isVisible() for button in view.pin_buttons.values())
    assert not view.erase_person_button.isVisible() and view.export_person_button.isVisible()
    assert window.summary.text().endswith("·  read-only")
    window.grab().save(f"/tmp/omnidesk-read-only-customer-{size[0]}.png")
    window.merge_customers([1, 2])  # even if asked, nothing changes
    window.show_customer_list()
    window.grab().save(f"/tmp/omnidesk-read-only-{size[0]}.png")
    assert sidecars(shop) == []
    window.close()
    assert fingerprint(shop) == before and sidecars(shop) == []


def qtbot_left():
    from PySide6.QtCore import Qt

    return Qt.MouseButton.LeftButton


def test_pin_merge_and_find_duplicates_during_an_import_say_the_workspace_is_busy(window, shop, qtbot, lock,
                                                                                 monkeypatch):
    """Edits other than notes wait for the lock, then say why they did not happen: never an exception into Qt."""
    told = []
    monkeypatch.setattr(window, "show_error", lambda title, text: told.append((title, text)))
    monkeypatch.setattr(window, "confirm", lambda *a: True)
    view = open_customer(window, shop, qtbot)
    monkeypatch.setattr(view, "show_error", lambda title, text: told.append((title, text)))
    window.workspace.busy_timeout = 0.2
    before = fingerprint(shop)
    view._pin("city", "Busytown")
    window.merge_customers([1, 2])
    window.find_duplicates()
    assert [t for t, _ in told] == ["Cannot pin the value", "Not possible", "Cannot look for duplicates now"]
    assert all(text.startswith("the workspace is busy") for _, text in told), told
    lock.rollback()
    assert fingerprint(shop) == before


def test_coming_back_to_the_window_shows_what_the_command_line_changed(window, shop, qtbot, capsys):
    """The card open, the user types `omnidesk customer set … city …` and `person erase` in a terminal:
    back in the window, the card and the list show the workspace as it is now, not as it was."""
    from PySide6.QtCore import QEvent
    from PySide6.QtWidgets import QApplication

    from omnidesk.cli import main

    view = open_customer(window, shop, qtbot)
    view.tabs.setCurrentIndex(0)
    customers = window.screens["customers"]
    before = customers.model.rowCount()
    assert not window.look_for_outside_changes()  # nothing happened meanwhile: nothing is read again
    assert main(["customer", "set", "1", "city", "Lund", "-w", str(shop)]) == 0
    assert not view.fields["place"].text().startswith("Lund")
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    QApplication.sendEvent(window, QEvent(QEvent.Type.ActivationChange))  # as the window manager sends it
    assert view.fields["place"].text().startswith("Lund")
    assert "changed outside this window" in window.statusBar().currentMessage()
    # The window's own change is not taken for someone else's.
    window.operations.edit_values(1, {"region": "Skåne"})
    assert view.fields["place"].text().startswith("Lund") and "Skåne" in view.fields["place"].text()
    assert not window.look_for_outside_changes()
    assert main(["person", "erase", "1", "--yes", "-w", str(shop)]) == 0
    capsys.readouterr()
    assert window.look_for_outside_changes()
    assert view.pages.currentWidget() is view.missing  # "This customer is no longer here", not their old card
    assert customers.model.rowCount() == before - 1


def test_notes_typed_for_someone_erased_from_the_command_line_stay_on_the_page_to_copy(
        window, shop, qtbot, monkeypatch, capsys):
    """Notes typed on someone erased meanwhile were cleared from the editor: "could not be kept"."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication

    from omnidesk.cli import main
    from omnidesk.ui.views.customer.view import MISSING_NOTES

    view = open_customer(window, shop, qtbot)
    type_notes(qtbot, view, "Call back on Friday")
    assert main(["person", "erase", "1", "--yes", "-w", str(shop)]) == 0
    capsys.readouterr()
    assert window.look_for_outside_changes()
    assert view.pages.currentWidget() is view.missing
    assert view.missing.text.text().endswith(MISSING_NOTES)
    assert view.kept_text.toPlainText() == "Call back on Friday"  # the words, on the page
    assert view.kept_panel.isVisible() and not view.add_kept_button.isVisible()  # nobody to add them to
    view.missing.setFocus()  # the keyboard reaches Copy first
    qtbot.waitUntil(lambda: QApplication.focusWidget() is view.copy_kept_button)
    qtbot.keyClick(view.copy_kept_button, Qt.Key.Key_Space)
    assert QApplication.clipboard().text() == "Call back on Friday"
    assert view.has_unsaved_notes()
    asked = []
    monkeypatch.setattr(window, "ask_close_without_notes", lambda: asked.append(1) or False)
    window.close()
    assert asked == [1] and window.isVisible()  # "Keep editing": the words are not lost by closing
    assert view.kept_text.toPlainText() == "Call back on Friday"
    view.discard_unsaved_notes()


@pytest.fixture
def no_question_on_closing(window, monkeypatch):
    monkeypatch.setattr(window, "ask_close_without_notes", lambda: True)


def merge_from_command_line(shop, capsys, *ids: int) -> None:
    from omnidesk.cli import main

    assert main(["merge", *map(str, ids), "-w", str(shop)]) == 0
    capsys.readouterr()


@pytest.mark.parametrize("size", [(1024, 640)])
def test_notes_typed_for_someone_merged_from_the_command_line_can_go_to_the_one_they_were_merged_into(
        window, shop, qtbot, capsys, size, no_question_on_closing):
    """Notes typed on a customer merged into another meanwhile said "could not be kept" and were gone."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication

    from omnidesk.ui.views.customer.view import MISSING_NOTES

    with sqlite3.connect(shop) as con:
        con.execute("UPDATE customer SET notes = 'Wholesale account' WHERE id = 1")
    window.resize(*size)
    view = open_customer(window, shop, qtbot, customer_id=2)
    merge_from_command_line(shop, capsys, 1, 2)  # 2 goes into 1, the older
    type_notes(qtbot, view, "Asked for a call back Tuesday")
    view.save_notes()
    assert view.notes_status.text().startswith("Not saved:")  # the card is still up, and says so
    assert window.look_for_outside_changes()
    assert view.pages.currentWidget() is view.missing
    name = window.operations.names([1])[1]
    assert view.missing.text.text().startswith(f"They were merged into {name}.")
    assert view.missing.text.text().endswith(MISSING_NOTES)
    assert view.kept_text.toPlainText() == "Asked for a call back Tuesday"
    assert view.add_kept_button.isVisible() and name in view.add_kept_button.text()
    qtbot.wait(50)
    assert view.kept_panel.geometry().bottom() < view.missing.height()  # all of it on the page, at 1024×640
    view.missing.setFocus()  # the offer is where the keyboard lands
    qtbot.waitUntil(lambda: QApplication.focusWidget() is view.add_kept_button)
    qtbot.keyClick(view.add_kept_button, Qt.Key.Key_Space)
    assert notes_in_file(shop, 1) == "Wholesale account\n\nAsked for a call back Tuesday"  # added, not replacing
    assert view.customer_id == 1 and view.pages.currentWidget() is not view.missing  # their card
    assert view.tabs.currentWidget() is view.notes_page
    assert view.notes_edit.toPlainText() == "Wholesale account\n\nAsked for a call back Tuesday"
    assert not view.has_unsaved_notes()
    window.operations.undo()  # one step, as any notes edit
    assert notes_in_file(shop, 1) == "Wholesale account"
    window.operations.redo()
    assert notes_in_file(shop, 1) == "Wholesale account\n\nAsked for a call back Tuesday"


def test_notes_typed_for_someone_merged_twice_go_to_the_customer_there_is_now(window, shop, qtbot, capsys,
                                                                              no_question_on_closing):
    view = open_customer(window, shop, qtbot, customer_id=3)
    type_notes(qtbot, view, "Prefers email")
    merge_from_command_line(shop, capsys, 2, 3)  # 3 into 2
    merge_from_command_line(shop, capsys, 1, 2)  # then 2 into 1
    assert window.look_for_outside_changes()
    name = window.operations.names([1])[1]
    assert view.missing.text.text().startswith(f"They were merged into {name}.")
    assert view.add_kept_button.isVisible()
    view.add_kept_button.click()
    assert notes_in_file(shop, 1) == "Prefers email" and view.customer_id == 1


def test_the_dashboard_summing_an_import_is_not_news_from_outside(window, shop, qtbot, capsys):
    """On a workspace just imported, the Dashboard's first reading sums the import's events (a
    write of the window's own): coming back to the window then said "The workspace was changed
    outside this window"."""
    import sqlite3 as sq

    from omnidesk.cli import main

    assert window.open_workspace(shop)
    with sq.connect(shop) as con:
        assert con.execute("SELECT count(*) FROM event_day_batch").fetchone()[0] == 0  # not summed yet
    assert not window.look_for_outside_changes()
    window.show_screen("dashboard")
    with sq.connect(shop) as con:
        qtbot.waitUntil(lambda: con.execute("SELECT count(*) FROM event_day_batch").fetchone()[0] > 0)
    assert not window.look_for_outside_changes()
    assert "changed outside" not in window.statusBar().currentMessage()
    # A change from the command line is still news, the summing or not.
    assert main(["customer", "set", "1", "city", "Lund", "-w", str(shop)]) == 0
    capsys.readouterr()
    assert window.look_for_outside_changes()


def test_leaving_the_no_longer_here_page_asks_before_the_kept_notes_go(window, shop, qtbot, monkeypatch, capsys):
    """Back (the button, the page's own button, Alt+Left) or another customer chosen from the list
    dropped the notes kept on the "no longer here" page without a word."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication

    text = "Asked for a call back Tuesday"
    view = open_customer(window, shop, qtbot, customer_id=2)
    type_notes(qtbot, view, text)
    merge_from_command_line(shop, capsys, 1, 2)  # 2 goes into 1
    assert window.look_for_outside_changes()
    assert view.pages.currentWidget() is view.missing and view.kept_notes() == text
    asked: list[int] = []
    answer = {"discard": False}  # Cancel
    monkeypatch.setattr(view, "ask_discard_kept_notes", lambda: asked.append(1) or answer["discard"],
                        raising=False)

    def still_there() -> None:
        assert window.current_screen() == "customer" and view.customer_id == 2
        assert view.pages.currentWidget() is view.missing and view.kept_panel.isVisible()
        assert view.kept_text.toPlainText() == text and view.has_unsaved_notes()

    def alt_left() -> None:
        window.activateWindow()
        qtbot.waitUntil(window.isActiveWindow)
        view.missing.setFocus()
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Left, Qt.KeyboardModifier.AltModifier)

    for leave in (view.back_button.click, view.missing.button.click, alt_left):
        leave()
        still_there()
    assert len(asked) == 3
    # Another customer chosen from the list: asked too, and Cancel comes back to the notes.
    window.show_screen("customers")
    assert view.kept_notes() == text  # the list shown: nothing is dropped yet
    window.screens["customers"].customerActivated.emit(3)
    assert len(asked) == 4
    still_there()
    # Discard: the notes go, and the list is shown as asked.
    answer["discard"] = True
    view.back_button.click()
    assert len(asked) == 5 and window.current_screen() == "customers"
    assert view.kept_notes() is None and not view.has_unsaved_notes()
    window.open_customer(3)
    assert len(asked) == 5 and view.customer_id == 3  # nothing kept: nothing asked


@pytest.mark.parametrize("key", ["Key_Escape", "Key_Return"])
def test_the_question_before_dropping_kept_notes_stays_on_enter_and_escape(window, shop, qtbot, capsys, key):
    """The real question, answered from the keyboard: neither key throws the notes away."""
    from PySide6.QtWidgets import QMessageBox

    from omnidesk.cli import main
    from omnidesk.ui.views.customer.kept_notes import DISCARD_KEPT
    from tests.ui.questions import answer_next_question

    view = open_customer(window, shop, qtbot)
    type_notes(qtbot, view, "Call back on Friday")
    assert main(["person", "erase", "1", "--yes", "-w", str(shop)]) == 0
    capsys.readouterr()
    assert window.look_for_outside_changes()
    seen: list[tuple] = []
    answer_next_question(qtbot, key, seen, lambda box: (
        box.text(), box.informativeText(), sorted(b.text() for b in box.buttons()),
        box.buttonRole(box.defaultButton()), box.defaultButton() is box.escapeButton()))
    view.back_button.click()
    assert seen == [(DISCARD_KEPT, seen[0][1], ["Cancel", "Discard"], QMessageBox.ButtonRole.RejectRole, True)]
    assert "“Copy notes”" in seen[0][1]  # nobody to add them to: the way to keep them is named
    assert window.current_screen() == "customer" and view.kept_text.toPlainText() == "Call back on Friday"
    view.discard_unsaved_notes()


def test_the_question_names_the_customer_the_notes_can_go_to(window, qtbot):
    from omnidesk.ui.views.customer.kept_notes import discard_kept_question

    box = discard_kept_question(window, "Jon Smith")
    assert "“Add to Jon Smith’s notes”" in box.informativeText() and "“Copy notes”" in box.informativeText()
    box.deleteLater()


def contacts(path, people):
    """A plain contact list: email, first name, last name."""
    import csv

    with open(path, "w", newline="", encoding="utf-8") as out:
        csv.writer(out).writerows([["Email", "First Name", "Last Name"], *people])
    return path


def newsletter(path, n: int):
    return contacts(path, [[f"new{i}@example.org", f"New{i}", "Person"] for i in range(n)])


def bring_to_front(window, qtbot) -> None:
    from PySide6.QtCore import QEvent
    from PySide6.QtWidgets import QApplication

    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    QApplication.sendEvent(window, QEvent(QEvent.Type.ActivationChange))  # as the window manager sends it


def test_the_window_in_front_shows_a_scheduled_import_within_moments(window, shop, qtbot, tmp_path, capsys):
    """A scheduled `omnidesk import` while the window is the one in front: the list and the Imports
    screen show it within a few seconds, without the user leaving the window, and the customer
    the keyboard was on stays current."""
    from PySide6.QtWidgets import QWidget

    from omnidesk.cli import main

    assert window.open_workspace(shop)
    window.show_screen("imports")
    window.show_screen("customers")
    customers, imports = window.screens["customers"], window.screens["imports"]
    bring_to_front(window, qtbot)
    rows, batches = customers.model.rowCount(), imports.model.rowCount()
    customers.table.setCurrentIndex(customers.model.index(1, 0))
    current = customers.model.customer_id(1)
    assert main(["import", str(newsletter(tmp_path / "newsletter.csv", 4)), "--channel", "email",
                 "-w", str(shop)]) == 0
    capsys.readouterr()
    assert customers.model.rowCount() == rows  # not read yet: the window learns of it on its own
    qtbot.waitUntil(lambda: customers.model.rowCount() == rows + 4 and imports.model.rowCount() == batches + 1,
                    timeout=6000)  # the window looks every 2 seconds
    assert "changed outside this window" in window.statusBar().currentMessage()
    assert customers.model.customer_id(customers.table.currentIndex().row()) == current
    assert not window.look_for_outside_changes()  # seen once, not again

    # Behind another window it does not ask: it looks on coming back.
    other = QWidget()
    qtbot.addWidget(other)
    other.show()
    other.activateWindow()
    qtbot.waitUntil(lambda: not window.isActiveWindow())
    qtbot.waitUntil(lambda: not window.outside_look.isActive())


def test_a_change_made_in_the_window_does_not_hide_a_scheduled_import(window, shop, qtbot, tmp_path, capsys):
    """A scheduled `omnidesk import` lands while the window is in front; before the window has looked,
    the user tags a customer.  The tag's own redraw must not take the import as seen: every screen
    shows it, the Imports screen too."""
    from omnidesk.cli import main

    assert window.open_workspace(shop)
    window.show_screen("imports")
    window.show_screen("customers")
    customers, imports = window.screens["customers"], window.screens["imports"]
    rows, batches = customers.model.rowCount(), imports.model.rowCount()
    assert main(["import", str(newsletter(tmp_path / "newsletter.csv", 5)), "--channel", "email",
                 "-w", str(shop)]) == 0
    capsys.readouterr()
    assert window.operations.retag([1], add=["called"]) is not None
    names = [imports.model.batch(row)["file_name"] for row in range(imports.model.rowCount())]
    assert len(names) == batches + 1 and "newsletter.csv" in names, names
    assert customers.model.rowCount() == rows + 5
    assert "changed outside this window" in window.statusBar().currentMessage()
    # The tag itself is the window's own: once shown, nothing is news any more.
    assert not window.look_for_outside_changes()
    window.statusBar().clearMessage()
    assert window.operations.retag([2], add=["called"]) is not None
    assert "changed outside" not in window.statusBar().currentMessage()
    assert not window.look_for_outside_changes()


def test_a_redraw_for_a_change_made_elsewhere_leaves_the_list_where_the_user_was(window, shop, qtbot, tmp_path,
                                                                                capsys):
    """Reading the list: the customer the keyboard is on stays at the same height when the
    command line adds people above them; scrolled away from them, the list does not jump back."""
    from omnidesk.cli import main

    assert main(["import", str(newsletter(tmp_path / "many.csv", 80)), "--channel", "email", "-w", str(shop)]) == 0
    assert window.open_workspace(shop)
    window.resize(1000, 600)
    window.show_screen("customers")
    customers = window.screens["customers"]
    table, bar = customers.table, customers.table.verticalScrollBar()
    assert bar.maximum() > 20
    bar.setValue(20)
    row = table.rowAt(table.viewport().height() // 2)
    table.setCurrentIndex(customers.model.index(row, 0))
    current, height = customers.model.customer_id(row), table.rowViewportPosition(row)
    first = contacts(tmp_path / "first.csv", [[f"aa{i}@example.org", "Aa", f"Aaron{i}"] for i in range(3)])
    assert main(["import", str(first), "--channel", "email", "-w", str(shop)]) == 0
    capsys.readouterr()
    assert window.look_for_outside_changes()
    now = table.currentIndex().row()
    assert customers.model.customer_id(now) == current and now == row + 3  # three came before them
    assert table.rowViewportPosition(now) == height
    bar.setValue(0)  # away from them, to the top of the list
    assert main(["customer", "set", str(current), "city", "Lund", "-w", str(shop)]) == 0
    capsys.readouterr()
    assert window.look_for_outside_changes()
    assert bar.value() == 0 and customers.model.customer_id(table.currentIndex().row()) == current


def test_notes_being_typed_keep_their_cursor_when_the_command_line_changes_the_customer(window, shop, qtbot,
                                                                                      capsys):
    """Writing notes on a card while a script sets the customer's city: the card shows the city,
    the notes are kept (saved), and the next letter goes where the cursor was."""
    from PySide6.QtCore import Qt

    from omnidesk.cli import main

    view = open_customer(window, shop, qtbot)
    type_notes(qtbot, view, "Prefers oat milk")
    cursor = view.notes_edit.textCursor()
    cursor.setPosition(len("Prefers "))
    view.notes_edit.setTextCursor(cursor)
    assert main(["customer", "set", "1", "city", "Lund", "-w", str(shop)]) == 0
    capsys.readouterr()
    assert window.look_for_outside_changes()
    assert view.fields["place"].text().startswith("Lund")
    assert view.tabs.currentWidget() is view.notes_page
    assert view.notes_edit.textCursor().position() == len("Prefers ")
    qtbot.keyClick(view.notes_edit, Qt.Key.Key_A)
    assert view.notes_edit.toPlainText() == "Prefers aoat milk"
    assert notes_in_file(shop, 1) == "Prefers oat milk"  # saved before the card was read again
