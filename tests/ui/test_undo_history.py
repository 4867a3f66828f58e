"""Every change made in the window is one step of Edit › Undo that names its target, and undoing it
puts back exactly what was there.

Driven through the real window: buttons, menus, the import wizard; only message boxes
and the file chooser are stood in for.  The clock stands still (golden records carry the
time they were rebuilt), so "exactly" means every column of every row.
"""

from __future__ import annotations

import shutil
from datetime import UTC, datetime

import pytest
import time_machine
from PySide6.QtCore import Qt

from omnidesk.core.importing.pipeline import ImportOptions, import_file
from omnidesk.core.workspace import Workspace
from omnidesk.ui.dialogs.import_wizard import DONE_PAGE
from tests.helpers import write_csv
from tests.workspace_dump import differences, dump

HEADER = ["First Name", "Last Name", "Email", "Phone"]
NOW = datetime(2026, 5, 4, 10, 30, tzinfo=UTC)


@pytest.fixture(scope="module")
def shop_template(tmp_path_factory, empty_workspace_file):
    """Ann ~ Mark and Bo ~ Cal wait for review; Cy Dunn is two records (two emails); Dee is alone;
    Gus Hale is in both files, with nothing but his name and town in common (below the review bar)."""
    folder = tmp_path_factory.mktemp("undo-template")
    columns = HEADER + ["City"]
    shutil.copyfile(empty_workspace_file, folder / "shop.omnidesk")
    with time_machine.travel(datetime(2026, 5, 1, 9, 0, tzinfo=UTC), tick=False):
        with Workspace.open(folder / "shop.omnidesk") as ws:
            import_file(ws, write_csv(folder / "shop.csv", columns, [
                ["Ann", "Lee", "ann@example.com", "(415) 555-0101", ""], ["Bo", "Fox", "fox@example.com", "", ""],
                ["Cy", "Dunn", "cy@example.com", "", ""], ["Dee", "Park", "dee@example.com", "", ""],
                ["Gus", "Hale", "gus@example.com", "", "Bangor"]]), ImportOptions(channel="shop"))
            import_file(ws, write_csv(folder / "list.csv", columns, [
                ["Mark", "Lee", "ann@example.com", "", ""], ["Cal", "Fox", "fox@example.com", "", ""],
                ["Cy", "Dunn", "cy@example.com;c.dunn@work.example", "", ""],
                ["Gus", "Hale", "g.hale@other.example", "", "Bangor"]]), ImportOptions(channel="email"))
    return folder


@pytest.fixture
def still():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def shop(window, shop_template, tmp_path, still):
    for name in ("shop.omnidesk", "shop.csv", "list.csv"):
        shutil.copyfile(shop_template / name, tmp_path / name)
    ws = Workspace.open(tmp_path / "shop.omnidesk")
    assert window.set_workspace(ws)
    return window


def customer_with(ws, email: str) -> int:
    with ws.engine.connect() as conn:
        return conn.exec_driver_sql("SELECT r.customer_id FROM identifier i JOIN source_record r "
                                    "ON r.id = i.record_id WHERE i.value = ?", (email,)).scalar()


def undo_text(window) -> str:
    return window.undo_action.text().replace("&&", "\0").replace("&", "").replace("\0", "&")


def screens_agree(win) -> None:
    """Each screen shows what the workspace holds now: the change told them what to re-read."""
    from PySide6.QtGui import QShowEvent

    from omnidesk.core.identity.merge import list_reviews
    from omnidesk.core.importing.batches import list_batches

    ws = win.workspace
    assert win.screens["customers"].model.rowCount() == ws.counts()["customers"]
    review = win.screens["review"]
    if review.stale:  # not in front: it re-reads once shown
        review.showEvent(QShowEvent())
    assert [i.id for i in review.items] == [r.id for r in list_reviews(ws)]
    assert win.screens["imports"].model.rowCount() == len(list_batches(ws))
    view = win.customer_view
    if view.customer_id is not None and view.profile is not None:
        with ws.engine.connect() as conn:
            row = conn.exec_driver_sql("SELECT display_name, coalesce(email, ''), notes FROM customer "
                                       "WHERE id = ?", (view.customer_id,)).first()
        if row is not None:
            assert (view.name_label.text(), view.fields["email"].text().replace("—", ""),
                    view.notes_edit.toPlainText()) == tuple(row)


def run_wizard(window, qtbot) -> None:
    """Step the open import wizard to its end (the clock stands still: waits count turns, not seconds)."""
    wizard = window.import_wizard
    for _ in range(200):
        if wizard.currentId() == DONE_PAGE:
            break
        before = wizard.currentId()
        wizard.next()
        for _ in range(100):
            if wizard.currentId() != before:
                break
            qtbot.wait(10)
    assert wizard.currentId() == DONE_PAGE
    wizard.accept()


def select_rows(view, rows) -> None:
    flags = view.table.selectionModel().SelectionFlag
    view.table.clearSelection()
    for row in rows:
        view.table.selectionModel().select(view.model.index(row, 0), flags.Select | flags.Rows)


# -- the actions, each done the way a person does it ----------------------------------------


def pin(win, qtbot, monkeypatch):
    cy = customer_with(win.workspace, "cy@example.com")
    win.open_customer(cy)
    monkeypatch.setattr(win.customer_view, "ask_pin", lambda field: ("pin", "c.dunn@work.example"))
    win.customer_view.pin_action("email").trigger()
    return "pin email of Cy Dunn"


def unpin(win, qtbot, monkeypatch):
    win.customer_view.pin_action("email", "unpin").trigger()
    return "unpin email of Cy Dunn"


def pinned_first(win, qtbot, monkeypatch):
    pin(win, qtbot, monkeypatch)
    win.undo_stack.clear()


unpin.prepare = pinned_first


def note(win, qtbot, monkeypatch):
    win.open_customer(customer_with(win.workspace, "dee@example.com"))
    view = win.customer_view
    view.tabs.setCurrentWidget(view.notes_page)
    qtbot.keyClicks(view.notes_edit, "Prefers the oat latte")
    qtbot.mouseClick(view.save_notes_button, Qt.MouseButton.LeftButton)
    return "notes on Dee Park"


def skip(win, qtbot, monkeypatch):
    win.show_screen("review")
    review = win.screens["review"]
    qtbot.mouseClick(review.skip_button, Qt.MouseButton.LeftButton)
    return "skip of "


def accept(win, qtbot, monkeypatch):
    win.show_screen("review")
    qtbot.mouseClick(win.screens["review"].accept_button, Qt.MouseButton.LeftButton)
    return "accept of "


def reject(win, qtbot, monkeypatch):
    win.show_screen("review")
    qtbot.mouseClick(win.screens["review"].reject_button, Qt.MouseButton.LeftButton)
    return "reject of "


def bulk_accept(win, qtbot, monkeypatch):
    monkeypatch.setattr(win, "confirm_bulk_accept", lambda *a: True)
    monkeypatch.setattr(win, "show_bulk_accept_summary", lambda *a: None)
    win.show_screen("review")
    review = win.screens["review"]
    review.threshold.setValue(int(min(i.score for i in review.items)))
    qtbot.mouseClick(review.bulk_button, Qt.MouseButton.LeftButton)
    # The two family pairs (one email, different first names) are never merged in bulk.
    return "accept of 1 pair at or above"


def gus_to_review(win, qtbot, monkeypatch):
    """A pair with no conflict in the queue: the two Gus Hales of Bangor, asked about, not merged."""
    win.workspace.set_setting("match_review_threshold", 3.0)
    win.workspace.set_setting("match_auto_threshold", 40.0)
    win.duplicates_action.trigger()


bulk_accept.prepare = gus_to_review


def split(win, qtbot, monkeypatch):
    win.open_customer(customer_with(win.workspace, "cy@example.com"))
    view = win.customer_view
    view.tabs.setCurrentWidget(view.sources_page)
    view.source_table.selectRow(1)
    qtbot.mouseClick(view.split_button, Qt.MouseButton.LeftButton)
    return "split of "


def merge(win, qtbot, monkeypatch):
    monkeypatch.setattr(win, "confirm", lambda *a: True)
    win.show_screen("customers")
    customers = win.screens["customers"]
    names = [customers.model.index(r, 0).data() for r in range(customers.model.rowCount())]
    select_rows(customers, [names.index("Dee Park"), names.index("Bo Fox")])
    qtbot.mouseClick(customers.merge_button, Qt.MouseButton.LeftButton)
    return "merge of Bo Fox and 1 other"


def import_files(win, qtbot, monkeypatch):
    folder = win.workspace.path.parent
    files = [write_csv(folder / "till.csv", HEADER, [["Eve", "Stone", "", "(415) 555-0199"],
                                                     ["Ann", "Lee", "", "(415) 555-0101"]]),
             write_csv(folder / "fair.csv", HEADER, [["Fay", "Moss", "fay@example.com", ""]])]
    monkeypatch.setattr(win, "ask_import_files", lambda: files)
    win.import_action.trigger()
    run_wizard(win, qtbot)
    return "import of 2 files"


def remove_import(win, qtbot, monkeypatch):
    monkeypatch.setattr(win, "confirm", lambda *a: True)
    win.show_screen("imports")
    imports = win.screens["imports"]
    row = next(r for r in range(imports.model.rowCount()) if imports.model.batch(r)["file_name"] == "list.csv")
    imports.table.selectRow(row)
    qtbot.mouseClick(imports.undo_button, Qt.MouseButton.LeftButton)
    return "removal of list.csv"


def find_duplicates(win, qtbot, monkeypatch):
    win.duplicates_action.trigger()
    return "Find Duplicates (0 merges, 1 new pair to review)"


def lower_bar(win, qtbot, monkeypatch):
    # A lower bar for asking: the two Gus Hales of Bangor now make a pair to review.
    win.workspace.set_setting("match_review_threshold", 3.0)
    win.workspace.set_setting("match_auto_threshold", 4.0)


find_duplicates.prepare = lower_bar


def filled(dialog, fill):
    """``dialog`` whose exec() fills it in as a person would and presses its OK button."""
    def run():
        fill(dialog)
        dialog.accept()
        return dialog.result()

    dialog.exec = run
    return dialog


def edit_values(win, qtbot, monkeypatch):
    win.open_customer(customer_with(win.workspace, "dee@example.com"))
    view = win.customer_view
    make = view.values_dialog

    def fill(d):
        d.edits["city"].setText("Bangor")
        d.edits["phone"].setText("(415) 555-0142")

    monkeypatch.setattr(view, "values_dialog", lambda: filled(make(), fill))
    qtbot.mouseClick(view.edit_button, Qt.MouseButton.LeftButton)
    assert view.fields["phone"].text() == "(415) 555-0142"
    return "edit phone, city of Dee Park"


def edit_tags(win, qtbot, monkeypatch):
    win.open_customer(customer_with(win.workspace, "dee@example.com"))
    view = win.customer_view
    make = view.tags_dialog
    monkeypatch.setattr(view, "tags_dialog", lambda: filled(make(), lambda d: d.new.setText("VIP, walk-in")))
    qtbot.mouseClick(view.tags_button, Qt.MouseButton.LeftButton)
    assert view.fields["tags"].text().replace(" ", "").startswith("VIP")
    return "add tags VIP, walk-in to Dee Park"


def record_consent(win, qtbot, monkeypatch):
    win.open_customer(customer_with(win.workspace, "dee@example.com"))
    view = win.customer_view
    make = view.consent_dialog

    def fill(d):
        d.channels.setCurrentIndex(d.channels.findData("sms"))
        d.note_edit.setText("asked by phone to stop SMS")

    monkeypatch.setattr(view, "consent_dialog", lambda: filled(make(), fill))
    qtbot.mouseClick(view.consent_button, Qt.MouseButton.LeftButton)
    return "record SMS consent denied for Dee Park"


def type_custom_field(view, qtbot, monkeypatch, name: str, value: str) -> None:
    """Type ``value`` for the field ``name`` in the open card's Edit field… dialog and press OK."""
    make = view.custom_field_dialog

    def fill(d):
        d.names.setCurrentText(name)
        d.value_edit.setText(value)

    monkeypatch.setattr(view, "custom_field_dialog", lambda: filled(make(), fill))
    qtbot.mouseClick(view.field_button, Qt.MouseButton.LeftButton)
    assert view.more_values[name].text() == value


def edit_custom_field(win, qtbot, monkeypatch):
    win.open_customer(customer_with(win.workspace, "dee@example.com"))
    type_custom_field(win.customer_view, qtbot, monkeypatch, "Shopping for", "gifts")
    return "edit Shopping for of Dee Park"


def new_customer(win, qtbot, monkeypatch):
    make = win.new_customer_dialog

    def fill(d):
        d.edits["first_name"].setText("Fay")
        d.edits["last_name"].setText("Moss")
        d.edits["email"].setText("fay@example.com")
        d.tags.setText("walk-in")

    monkeypatch.setattr(win, "new_customer_dialog", lambda: filled(make(), fill))
    win.new_customer_action.trigger()
    assert win.customer_view.name_label.text() == "Fay Moss"
    return "add Fay Moss"


ACTIONS = [pin, unpin, note, skip, split, merge, accept, reject, bulk_accept, import_files, remove_import,
           find_duplicates, edit_values, edit_tags, record_consent, edit_custom_field, new_customer]


@pytest.mark.parametrize("action", ACTIONS, ids=[a.__name__ for a in ACTIONS])
def test_undo_puts_back_exactly_what_was_there_and_redo_does_it_again(shop, qtbot, monkeypatch, action):
    win = shop
    told = []
    monkeypatch.setattr(win, "show_error", lambda *a: told.append(a))
    if hasattr(action, "prepare"):
        action.prepare(win, qtbot, monkeypatch)
    steps = win.undo_stack.count()
    before = dump(win.workspace.path)
    words = action(win, qtbot, monkeypatch)
    # Imported again, files get new import ids; every row is the same.
    again = action is import_files
    # Found again, the pairs to review are queued again under new numbers (a number is never given twice).
    requeued = action is find_duplicates
    done = dump(win.workspace.path, renumber_batches=again, renumber_reviews=requeued)
    assert differences(before, done), "the action changed nothing"
    assert win.undo_stack.count() == steps + 1
    assert undo_text(win).startswith(f"Undo {words}"), undo_text(win)
    screens_agree(win)

    win.undo_action.trigger()
    assert differences(before, dump(win.workspace.path)) == []
    assert win.redo_action.text().replace("&", "").startswith(f"Redo {words}")
    screens_agree(win)

    win.redo_action.trigger()
    assert differences(done, dump(win.workspace.path, renumber_batches=again, renumber_reviews=requeued)) == []
    screens_agree(win)
    assert told == []


# -- the reproductions ---------------------------------------------------------------------


def source_row_of(view, file_name: str) -> int:
    return next(r for r in range(view.source_model.rowCount())
                if view.source_model.source_row(r).source_file == file_name)


def test_splitting_off_the_record_that_held_the_pinned_email_takes_it_off_the_card(shop, qtbot, monkeypatch):
    win = shop
    pin(win, qtbot, monkeypatch)
    view = win.customer_view
    assert view.fields["email"].text() == "c.dunn@work.example" and view.pin_marks["email"].isVisibleTo(view)
    view.tabs.setCurrentWidget(view.sources_page)
    view.source_table.selectRow(source_row_of(view, "list.csv"))
    qtbot.mouseClick(view.split_button, Qt.MouseButton.LeftButton)
    # No record of Cy's has that address now: the card shows the one they have, unpinned.
    assert view.fields["email"].text() == "cy@example.com" and not view.pin_marks["email"].isVisibleTo(view)
    assert undo_text(win) == "Undo split of list.csv row 3 from Cy Dunn"
    win.undo_action.trigger()
    assert view.fields["email"].text() == "c.dunn@work.example" and view.pin_marks["email"].isVisibleTo(view)


def test_undo_takes_back_the_last_thing_done_and_names_whose_it_is(shop, qtbot, monkeypatch):
    win = shop
    merge(win, qtbot, monkeypatch)  # two other customers, on the Customers screen
    customers = win.workspace.counts()["customers"]
    pin(win, qtbot, monkeypatch)  # then, with Cy's card open, a pin
    assert undo_text(win) == "Undo pin email of Cy Dunn"
    win.undo_action.trigger()
    assert win.customer_view.fields["email"].text() == "cy@example.com"
    assert win.workspace.counts()["customers"] == customers  # the merge of the others stays
    assert undo_text(win) == "Undo merge of Bo Fox and 1 other"


def test_an_import_taken_back_on_the_imports_screen_stays_back_when_an_earlier_import_is_redone(
        shop, qtbot, monkeypatch):
    win = shop
    import_files(win, qtbot, monkeypatch)
    monkeypatch.setattr(win, "confirm", lambda *a: True)
    win.show_screen("imports")
    imports = win.screens["imports"]
    imports.table.selectRow(next(r for r in range(imports.model.rowCount())
                                 if imports.model.batch(r)["file_name"] == "fair.csv"))
    qtbot.mouseClick(imports.undo_button, Qt.MouseButton.LeftButton)
    assert undo_text(win) == "Undo removal of fair.csv"
    assert customer_with(win.workspace, "fay@example.com") is None
    win.undo_action.trigger()  # fair.csv back, exactly
    assert customer_with(win.workspace, "fay@example.com") is not None
    assert undo_text(win) == "Undo import of 2 files"
    win.undo_action.trigger()
    win.redo_action.trigger()  # both files imported again...
    assert customer_with(win.workspace, "fay@example.com") is not None
    win.redo_action.trigger()  # ...and fair.csv taken back again: it does not come back unasked
    assert customer_with(win.workspace, "fay@example.com") is None
    from omnidesk.core.importing.batches import list_batches

    live = [b["file_name"] for b in list_batches(win.workspace) if b["status"] == "done"]
    assert "till.csv" in live and "fair.csv" not in live


def test_bulk_accept_asks_how_many_leaves_skipped_pairs_says_what_it_did_and_undoes_in_one_go(
        shop, qtbot, monkeypatch):
    win = shop
    gus_to_review(win, qtbot, monkeypatch)
    win.show_screen("review")
    review = win.screens["review"]
    assert len(review.items) == 3
    skipped = review.items[0]
    assert skipped.conflict == "different first names"
    qtbot.mouseClick(review.skip_button, Qt.MouseButton.LeftButton)
    held = next(i for i in review.items if i.status == "pending" and i.conflict)
    asked, told = [], []
    monkeypatch.setattr(win, "confirm_bulk_accept", lambda *a: asked.append(a) or True)
    monkeypatch.setattr(win, "show_bulk_accept_summary", lambda *a: told.append(a))
    before = dump(win.workspace.path)
    customers = win.workspace.counts()["customers"]
    review.threshold.setValue(int(min(i.score for i in review.items)))
    qtbot.mouseClick(review.bulk_button, Qt.MouseButton.LeftButton)
    (pairs, skipped_count, score, held_count), = asked
    # The skipped pair is not merged, nor the family pair: the question says so.
    assert [names for names, _ in pairs] == ["Gus Hale ~ Gus Hale"] and skipped_count == 1 and held_count == 1
    assert told == [(1, 0, 1, customers, customers - 1, 0)]
    assert [(i.id, i.status) for i in review.items] == [(held.id, "pending"), (skipped.id, "skipped")]
    assert undo_text(win).startswith("Undo accept of 1 pair at or above")

    writes = []
    real = win.workspace.writing
    monkeypatch.setattr(win.workspace, "writing", lambda *a, **k: writes.append(1) or real(*a, **k))
    win.undo_action.trigger()
    assert writes == [1]  # one transaction
    assert differences(before, dump(win.workspace.path)) == []


def test_the_bulk_accept_question_and_summary_say_it_plainly(qtbot):
    from PySide6.QtWidgets import QMessageBox

    from omnidesk.ui.dialogs.review_dialogs import bulk_accept_question, bulk_accept_summary

    box = bulk_accept_question(None, [("Ann Lee ~ Mark Lee", 13.4), ("Bo Fox ~ Cal Fox", 13.4)], 1, 13.0)
    text = box.text() + box.informativeText()
    assert "Merge 2 pairs scoring 13.0 bits or more?" in text and "Ann Lee ~ Mark Lee" in text
    assert "1 pair you skipped scores as much and is left in the queue" in text and "one step" in text
    assert box.buttonRole(box.defaultButton()) == QMessageBox.ButtonRole.RejectRole  # Enter does not merge
    assert "conflict" not in text
    box.deleteLater()
    box = bulk_accept_question(None, [("Gus Hale ~ Gus Hale", 13.4)], 0, 13.0, 2)
    text = box.text() + box.informativeText()
    assert "2 pairs with a conflict" in text and "are not merged in bulk: decide them one by one" in text
    box.deleteLater()
    box = bulk_accept_summary(None, 2, 1, 1, 150, 148)
    text = box.text() + box.informativeText()
    assert "Merged 2 pairs." in text and "148 customers now, 2 fewer" in text
    assert "1 pair had already been joined" in text and "1 skipped pair stays in the queue" in text
    assert "decide on" not in text
    box.deleteLater()
    box = bulk_accept_summary(None, 1, 0, 0, 150, 149, 2)
    text = box.text() + box.informativeText()
    assert ("2 pairs stay in the queue to decide on their own: after the merges before them, the two customers "
            "hold different names or birthdays") in text
    box.deleteLater()


def test_a_step_whose_customer_changed_elsewhere_is_dropped_not_replayed(shop, qtbot, monkeypatch):
    win = shop
    told = []
    monkeypatch.setattr(win, "show_error", lambda title, text: told.append((title, text)))
    merge(win, qtbot, monkeypatch)
    pin(win, qtbot, monkeypatch)
    # Another window merges Cy away.
    from omnidesk.core.identity.merge import merge_customers

    ws = win.workspace
    merge_customers(ws, [customer_with(ws, "ann@example.com"), customer_with(ws, "cy@example.com")])
    now = dump(ws.path)
    win.undo_action.trigger()
    assert told and told[0][0] == "Cannot undo pin email of Cy Dunn" and "changed since" in told[0][1]
    assert "removed from Edit › Undo" in told[0][1]
    assert differences(now, dump(ws.path)) == []
    assert undo_text(win) == "Undo merge of Bo Fox and 1 other"  # the step before it is still there


def test_an_import_step_whose_import_was_taken_back_elsewhere_is_dropped(shop, qtbot, monkeypatch):
    win = shop
    told = []
    monkeypatch.setattr(win, "show_error", lambda title, text: told.append((title, text)))
    import_files(win, qtbot, monkeypatch)
    from omnidesk.core.importing.batches import list_batches, undo_batch

    ws = win.workspace
    undo_batch(ws, next(b["id"] for b in list_batches(ws) if b["file_name"] == "fair.csv"))  # the command line
    now = dump(ws.path)
    win.undo_action.trigger()
    assert told and "only a finished import can be undone" in told[0][1]
    assert differences(now, dump(ws.path)) == []  # till.csv was not taken back either: all or nothing
    assert not win.undo_action.isEnabled()


def test_erasing_a_person_clears_the_undo_history_and_says_so_first(shop, qtbot, monkeypatch):
    win = shop
    pin(win, qtbot, monkeypatch)
    assert win.undo_action.isEnabled()
    win.open_customer(customer_with(win.workspace, "dee@example.com"))
    view = win.customer_view
    box = view.erase_confirmation_box()
    assert "cannot be undone" in box.informativeText() and "Edit › Undo forgets" in box.informativeText()
    box.deleteLater()
    monkeypatch.setattr(view, "confirm_erase", lambda: True)
    monkeypatch.setattr(view, "show_info", lambda *a: None)
    qtbot.mouseClick(view.erase_person_button, Qt.MouseButton.LeftButton)
    assert win.undo_stack.count() == 0 and not win.undo_action.isEnabled()
    assert win.undo_action.text() == "&Undo"


def test_an_import_redone_runs_off_the_ui_thread_with_progress(shop, qtbot, monkeypatch):
    from omnidesk.ui.tasks import TaskRunner

    win = shop
    import_files(win, qtbot, monkeypatch)
    win.undo_action.trigger()
    win.runner = win.operations.runner = TaskRunner()
    seen, busy = [], []
    win.operations.progressed.connect(lambda done, total, message: seen.append(message))
    win.operations.busyChanged.connect(busy.append)
    win.redo_action.trigger()
    assert busy == [True]  # started, and the window goes on: the work is on a worker thread
    assert win.work.isVisibleTo(win) and win.work.cancel_button.isEnabled()
    assert not win.undo_action.isEnabled() and not win.redo_action.isEnabled()
    for _ in range(2000):  # the clock stands still: count turns of the event loop
        if busy == [True, False]:
            break
        qtbot.wait(10)
    assert busy == [True, False]
    assert any("till.csv" in m for m in seen) and any("fair.csv" in m for m in seen)
    assert customer_with(win.workspace, "fay@example.com") is not None
    assert undo_text(win) == "Undo import of 2 files" and not win.work.isVisibleTo(win)


def test_a_custom_field_typed_on_a_merged_customer_is_undone_after_a_split_and_its_undo(
        shop, qtbot, monkeypatch, capsys):
    """Typed on a merged customer, a custom field is kept on a hand record of their own: they hold one
    record more, and say so, and the steps before a split stay steps of Edit › Undo once it is undone."""
    import csv

    from tests.helpers import run_cli

    win = shop
    told = []
    monkeypatch.setattr(win, "show_error", lambda *a: told.append(a))
    before = dump(win.workspace.path)
    merge(win, qtbot, monkeypatch)  # Bo Fox and Dee Park, by hand
    bo = customer_with(win.workspace, "fox@example.com")
    win.open_customer(bo)
    view = win.customer_view
    type_custom_field(view, qtbot, monkeypatch, "Loyalty tier", "platinum")
    out = win.workspace.path.parent / "customers.csv"
    assert run_cli(capsys, "export", "customers", out, "-w", win.workspace.path)[0] == 0
    with out.open(encoding="utf-8-sig") as f:
        row = next(r for r in csv.DictReader(f) if r["id"] == str(bo))
    with win.workspace.engine.connect() as conn:
        held = conn.exec_driver_sql("SELECT count(*) FROM source_record WHERE customer_id = ?", (bo,)).scalar()
    assert held == 3 and row["source_records"] == "3"  # Bo, Dee and the field typed in
    view.tabs.setCurrentWidget(view.sources_page)
    view.source_table.selectRow(next(r for r in range(view.source_model.rowCount())
                                     if view.source_model.source_row(r).record_no == 4))  # Dee's
    qtbot.mouseClick(view.split_button, Qt.MouseButton.LeftButton)
    done = dump(win.workspace.path)
    assert undo_text(win).startswith("Undo split of shop.csv row 4")
    for words in ("split of", "edit Loyalty tier of", "merge of Bo Fox"):
        assert undo_text(win).startswith(f"Undo {words}"), undo_text(win)
        win.undo_action.trigger()
    assert told == []
    assert differences(before, dump(win.workspace.path)) == []
    for _ in range(3):
        win.redo_action.trigger()
    assert told == []
    assert differences(done, dump(win.workspace.path)) == []
