"""A customer of many records and events is read off the window's thread: opening the card of a
customer with 20,000 orders froze the window for two seconds.  "Reading …'s card" shows meanwhile,
a change seen while the card is on screen keeps it (and the notes being typed) until read again,
and only the card asked for last is shown."""

from __future__ import annotations

import os
import threading

import pytest

from omnidesk.core.notes import customer_notes
from omnidesk.core.profile import card_size
from omnidesk.ui.views.customer import timeline as card_timeline
from omnidesk.ui.views.customer import view as card_module
from omnidesk.ui.views.customer.view import CustomerView


@pytest.fixture
def held(monkeypatch):
    """Every card counts as big, and each read waits until the test lets it go (``held.set()``)."""
    monkeypatch.setattr(CustomerView, "BIG_CARD", 2)
    gate = threading.Event()
    real = card_module.read_card

    def read(ws, customer_id):
        assert gate.wait(10), "the card was read on the window's thread, or never let go"
        return real(ws, customer_id)

    monkeypatch.setattr(card_module, "read_card", read)
    return gate


def _customer_with_records(win, *, skip=()):
    customers = win.screens["customers"]
    for row in range(customers.model.rowCount()):
        cid = customers.model.customer_id(row)
        if cid not in skip and sum(card_size(win.workspace, cid)) >= 3:
            return cid
    raise AssertionError("no customer with several records in the demo")


def _read(win, qtbot, held, cid):
    """The card of ``cid`` opened, its read let go at once, and read: the view."""
    held.set()
    win.open_customer(cid)
    view = win.customer_view
    qtbot.waitUntil(lambda: not view.card_loading(), timeout=10000)
    return view

def test_a_big_card_is_read_while_the_window_stays_free(demo_window, qtbot, held):
    win = demo_window
    win.show_screen("customers")
    cid = _customer_with_records(win)
    name = win.operations.names([cid])[cid]
    records, events = card_size(win.workspace, cid)
    win.open_customer(cid)  # returns while the card is still being read
    view = win.customer_view
    assert view.card_loading()
    assert view.pages.currentWidget() is view.loading
    assert view.loading.title.text() == f"Reading {name}’s card…"
    assert f"{records:,} source record" in view.loading.text.text() and f"{events:,} event" in view.loading.text.text()
    assert not view.erase_person_button.isEnabled() and not view.export_person_button.isEnabled()
    held.set()
    qtbot.waitUntil(lambda: not view.card_loading(), timeout=10000)
    assert view.pages.currentWidget() is view.content_scroll
    assert view.profile.id == cid and view.erase_person_button.isEnabled()
    assert view.tabs.tabText(view.tabs.indexOf(view.sources_page)) == f"Sources ({records})"
    assert view.timeline_model.rowCount() > 0
    assert win.runner.wait(10) and view.operations.runner.wait(10)


def test_a_change_keeps_the_card_on_screen_and_the_notes_being_typed(demo_window, qtbot, held):
    win = demo_window
    win.show_screen("customers")
    cid = _customer_with_records(win)
    view = _read(win, qtbot, held, cid)
    held.clear()
    win.operations.retag([cid], ["vip-now"], ())  # read again, and held
    assert view.card_loading()
    assert view.pages.currentWidget() is view.content_scroll  # the card as it was, not "Reading…"
    view.tabs.setCurrentWidget(view.notes_page)  # gone to the notes meanwhile
    view.notes_edit.setFocus()
    qtbot.keyClicks(view.notes_edit, "Called on Monday")  # typed while the card is read again
    held.set()
    qtbot.waitUntil(lambda: not view.card_loading(), timeout=10000)
    assert "vip-now" in view.fields["tags"].text()
    assert view.notes_edit.toPlainText().endswith("Called on Monday")
    assert view.tabs.currentWidget() is view.notes_page  # the tab the user was on
    assert view.save_notes()
    assert customer_notes(win.workspace, cid).endswith("Called on Monday")
    assert view.operations.runner.wait(10)


def test_only_the_card_asked_for_last_is_shown(demo_window, qtbot, held):
    win = demo_window
    win.show_screen("customers")
    first = _customer_with_records(win)
    second = _customer_with_records(win, skip={first})
    win.open_customer(first)
    win.go_back()
    win.open_customer(second)
    view = win.customer_view
    held.set()
    assert view.operations.runner.wait(10)
    qtbot.waitUntil(lambda: not view.card_loading(), timeout=10000)
    assert view.customer_id == second and view.profile.id == second
    assert view.name_label.text() == view.operations.names([second])[second]


def test_a_big_timeline_is_searched_while_the_window_stays_free(demo_window, qtbot, held, monkeypatch):
    win = demo_window
    win.show_screen("customers")
    cid = _customer_with_records(win)
    view = _read(win, qtbot, held, cid)
    total = view.timeline_model.rowCount()
    searched = threading.Event()
    real = card_timeline.timeline

    def search(*args, **kwargs):
        assert searched.wait(10), "the timeline was searched on the window's thread"
        return real(*args, **kwargs)

    monkeypatch.setattr(card_timeline, "timeline", search)
    view.search.setText("no such words anywhere")
    view.reload_timeline()  # the pause after typing, over
    assert view.timeline_searching() and view.count_label.text() == "Searching…"
    assert view.timeline_model.rowCount() == total  # the list as it was, meanwhile
    searched.set()
    qtbot.waitUntil(lambda: not view.timeline_searching(), timeout=10000)
    assert view.timeline_pages.currentWidget() is view.no_match
    assert view.count_label.text().startswith("0 of ")
    assert view.operations.runner.wait(10)


def test_while_a_card_is_read_no_shortcut_acts_on_the_card_before(demo_window, qtbot, held, monkeypatch):
    """Ctrl+E, Ctrl+T, Ctrl+Shift+C and Ctrl+Shift+M while "Reading B's card…" opened A's dialog
    (A's name, A's values) and saved what was typed on B."""
    win = demo_window
    win.show_screen("customers")
    first = _customer_with_records(win)
    second = _customer_with_records(win, skip={first})
    view = _read(win, qtbot, held, first)
    win.go_back()
    held.clear()
    win.open_customer(second)
    assert view.card_loading()
    asked = []
    monkeypatch.setattr(view, "_run", lambda dialog: asked.append(dialog.windowTitle()) or False)
    for act in (view.edit_values, view.edit_tags, view.record_consent, view.edit_custom_field):
        act()  # as their shortcuts do
    assert asked == []
    held.set()
    qtbot.waitUntil(lambda: not view.card_loading(), timeout=10000)
    view.record_consent()
    name = win.operations.names([second])[second]
    assert len(asked) == 1 and name in asked[0]  # the card shown now, and only once it is
    assert view.operations.runner.wait(10)


def test_an_erase_asks_about_the_big_card_as_it_is_now(demo_window, qtbot, held, monkeypatch):
    """Someone merged into a big card by another process before Erase person…: the question
    counted the card as last read, and the erase took the merged-in records too."""
    from omnidesk.core.identity.merge import merge_customers
    from omnidesk.core.workspace import Workspace

    win = demo_window
    win.show_screen("customers")
    cid = _customer_with_records(win)
    other = _customer_with_records(win, skip={cid})
    view = _read(win, qtbot, held, cid)
    records = card_size(win.workspace, cid)[0]
    with Workspace.open(win.workspace.path) as elsewhere:  # another window, the same file
        merge_customers(elsewhere, [cid, other])
    survivor = cid if card_size(win.workspace, cid)[0] else other
    assert survivor == cid, "the card's customer is the one kept"
    counted = []
    monkeypatch.setattr(view, "confirm_erase", lambda: counted.append(
        view.tabs.tabText(view.tabs.indexOf(view.sources_page))) or False)
    view.erase_person_dialog()  # a read in the background would not be back before the question
    assert counted == [f"Sources ({card_size(win.workspace, cid)[0]})"]
    assert card_size(win.workspace, cid)[0] > records
    assert view.operations.runner.wait(10)


def test_a_long_name_is_cut_short_not_the_words_around_it(demo_window, qtbot, held):
    win = demo_window
    win.resize(1024, 640)
    win.show_screen("customers")
    cid = _customer_with_records(win)
    long_name = "Maximiliana-Alexandrovna Konstantinopolou Wolkonsky-Bartholdy de la Fontaine-Rosenkrantz"
    win.operations.edit_values(cid, {"first_name": "Maximiliana-Alexandrovna",
                                     "last_name": "Konstantinopolou Wolkonsky-Bartholdy de la Fontaine-Rosenkrantz"})
    assert win.operations.names([cid])[cid] == long_name
    win.open_customer(cid)
    view = win.customer_view
    title = view.loading.title
    assert title.text().startswith("Reading Maximiliana") and title.text().endswith("’s card…")
    assert "…’s card…" in title.text() and title.accessibleName() == f"Reading {long_name}’s card…"
    assert title.fontMetrics().horizontalAdvance(title.text()) <= view.width()
    held.set()
    assert view.operations.runner.wait(10)


def test_notes_typed_while_a_big_card_is_read_again_stay_when_its_person_is_merged_away(demo_window, qtbot, held):
    from omnidesk.core.identity.merge import merge_customers
    from omnidesk.core.workspace import Workspace

    win = demo_window
    win.show_screen("customers")
    a = _customer_with_records(win)
    b = _customer_with_records(win, skip={a})
    keep, gone = min(a, b), max(a, b)
    view = _read(win, qtbot, held, gone)
    view.tabs.setCurrentWidget(view.notes_page)
    held.clear()
    view.refresh()  # the window's look for changes made elsewhere
    assert view.card_loading() and view.pages.currentWidget() is view.content_scroll
    view.notes_edit.setFocus()
    qtbot.keyClicks(view.notes_edit, "Wants the blue one")  # typed while the card is read again
    with Workspace.open(win.workspace.path) as elsewhere:
        merge_customers(elsewhere, [keep, gone])
    assert card_size(win.workspace, gone) == (0, 0)
    held.set()
    qtbot.waitUntil(lambda: not view.card_loading(), timeout=10000)
    assert view.pages.currentWidget() is view.missing
    assert view._kept_notes is not None and view._kept_notes.endswith("Wants the blue one")
    assert view.operations.runner.wait(10)
    view.discard_unsaved_notes()  # read and copied: the window closes without asking


def test_a_busy_workspace_is_said_where_the_card_would_be_and_try_again_reads_it(demo_window, qtbot, monkeypatch):
    from omnidesk.core.workspace import WorkspaceBusyError

    monkeypatch.setattr(CustomerView, "BIG_CARD", 2)
    real = card_module.read_card
    busy = [True]

    def read(ws, customer_id):
        if busy[0]:
            raise WorkspaceBusyError("the workspace is busy: another window or command is writing to it")
        return real(ws, customer_id)

    monkeypatch.setattr(card_module, "read_card", read)
    win = demo_window
    win.show_screen("customers")
    cid = _customer_with_records(win)
    win.open_customer(cid)
    view = win.customer_view
    qtbot.waitUntil(lambda: not view.card_loading(), timeout=10000)
    assert view.pages.currentWidget() is view.loading  # not stuck on "Reading…", and no card of nobody
    assert view.loading.title.text() == "The card could not be read"
    assert "busy" in view.loading.text.text() and view.loading.button.isVisibleTo(view)
    assert not view.erase_person_button.isEnabled()
    busy[0] = False
    view.loading.button.click()
    qtbot.waitUntil(lambda: not view.card_loading() and view.pages.currentWidget() is view.content_scroll,
                    timeout=10000)
    assert view.profile.id == cid and not view.loading.button.isVisibleTo(view)
    assert view.operations.runner.wait(10)


def test_a_failed_read_is_said_and_raised_where_the_window_hears_it(demo_window, qtbot, monkeypatch):
    from sqlalchemy.exc import OperationalError

    monkeypatch.setattr(CustomerView, "BIG_CARD", 2)

    def read(ws, customer_id):
        raise OperationalError("SELECT", {}, Exception("disk I/O error"))

    monkeypatch.setattr(card_module, "read_card", read)
    win = demo_window
    win.show_screen("customers")
    cid = _customer_with_records(win)
    with qtbot.capture_exceptions() as raised:
        win.open_customer(cid)
        view = win.customer_view
        qtbot.waitUntil(lambda: not view.card_loading(), timeout=10000)
    assert raised and isinstance(raised[0][1], OperationalError)
    assert view.loading.title.text() == "The card could not be read"
    assert "disk I/O error" in view.loading.text.text()
    assert view.operations.runner.wait(10)


def test_a_failed_search_does_not_stay_searching(demo_window, qtbot, held, monkeypatch):
    from omnidesk.core.workspace import WorkspaceBusyError

    win = demo_window
    win.show_screen("customers")
    cid = _customer_with_records(win)
    view = _read(win, qtbot, held, cid)

    def search(*args, **kwargs):
        raise WorkspaceBusyError("the workspace is busy: another window or command is writing to it")

    monkeypatch.setattr(card_timeline, "timeline", search)
    view.search.setText("anything")
    view.reload_timeline()
    qtbot.waitUntil(lambda: not view.timeline_searching(), timeout=10000)
    assert "busy" in view.count_label.text()
    assert view.operations.runner.wait(10)


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="reads this process's open files from /proc")
def test_a_card_still_being_read_keeps_nothing_of_the_workspace_left_for_another(demo_window, qtbot, held, tmp_path):
    """Another workspace opened while a big card was read: the read went on on the closed workspace,
    opening connections that kept its file open for good."""
    import gc
    import shutil

    win = demo_window
    win.show_screen("customers")
    cid = _customer_with_records(win)
    old = win.workspace.path
    other = tmp_path / "other.omnidesk"
    shutil.copyfile(old, other)
    win.open_customer(cid)
    assert win.customer_view.card_loading()
    threading.Timer(0.3, held.set).start()  # the read ends while the window waits for it
    assert win.open_workspace(other)
    assert win.operations.runner.wait(10)  # the read over, wherever it went on
    gc.collect()
    names = {str(old), f"{old}-wal", f"{old}-shm"}
    left = set()
    for fd in os.listdir("/proc/self/fd"):
        try:
            left.add(os.readlink(f"/proc/self/fd/{fd}"))
        except OSError:  # closed meanwhile
            pass
    assert not names & left
