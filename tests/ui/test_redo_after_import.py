"""Undo all, then Redo all, in one window puts back exactly what there was: an import redone gives
its customers and records back their numbers, so the steps taken on them after it are redone too
(an opt-out recorded for a customer the file brought in among them).

Driven through the real window: the import wizard, Edit › Undo and Redo; only message boxes and
the file chooser are stood in for.  The clock stands still, so "exactly" means every row.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine

from omnidesk.core.importing.pipeline import ImportOptions, import_file
from omnidesk.core.workspace import Workspace
from tests.helpers import errors_told, read_rows, write_csv
from tests.ui.test_undo_history import run_wizard, undo_text
from tests.workspace_dump import differences, dump

HEADER = ["First Name", "Last Name", "Email", "Phone"]
NOW = datetime(2026, 5, 4, 10, 30, tzinfo=UTC)


@pytest.fixture
def shop(window, make_workspace, tmp_path, monkeypatch):
    """Ann Lee from the shop's file; the till's file, ready in the wizard, has Ann again and Eve Stone (new)."""
    with time_machine.travel(NOW, tick=False):
        ws = make_workspace(timezone="America/New_York")
        import_file(ws, write_csv(tmp_path / "shop.csv", HEADER, [["Ann", "Lee", "ann@example.com", "4155550101"]]),
                    ImportOptions(channel="shop"))
        assert window.set_workspace(Workspace.open(ws.path))
        till = write_csv(tmp_path / "till.csv", HEADER, [["Ann", "Lee", "ann@example.com", "4155550101"],
                                                         ["Eve", "Stone", "eve@example.com", ""]])
        monkeypatch.setattr(window, "ask_import_files", lambda: [till])
        errors_told(window, monkeypatch)
        yield window


def customer_with(ws, email: str) -> int:
    return read_rows(ws, "SELECT r.customer_id FROM identifier i JOIN source_record r ON r.id = i.record_id "
                         "WHERE i.value = ?", email)[0][0]


def refusals(ws) -> list[tuple]:
    return read_rows(ws, "SELECT c.customer_id, cu.display_name, c.channel, c.status, c.note FROM consent c "
                         "JOIN customer cu ON cu.id = c.customer_id WHERE c.status = 'denied' ORDER BY c.id")


def import_till(win, qtbot) -> None:
    win.import_action.trigger()
    run_wizard(win, qtbot)
    assert undo_text(win) == "Undo import of till.csv"


def test_an_opt_out_recorded_for_someone_an_import_brought_in_comes_back_with_redo(shop, qtbot):
    win = shop
    with time_machine.travel(NOW, tick=False):
        import_till(win, qtbot)
        ws = win.workspace
        eve = customer_with(ws, "eve@example.com")
        win.operations.record_consent(eve, "email", "denied", "asked by phone to stop")
        done = dump(ws.path)
        assert refusals(ws) == [(eve, "Eve Stone", "email", "denied", "asked by phone to stop")]

        win.undo_action.trigger()
        win.undo_action.trigger()
        assert refusals(ws) == [] and read_rows(ws, "SELECT id FROM customer WHERE id = ?", eve) == []
        win.redo_action.trigger()
        win.redo_action.trigger()

        assert win.told == []
        assert refusals(ws) == [(eve, "Eve Stone", "email", "denied", "asked by phone to stop")]
        assert differences(done, dump(ws.path)) == []
        assert undo_text(win) == "Undo record Email consent denied for Eve Stone"
        assert not win.redo_action.isEnabled()


def test_a_day_of_changes_on_imported_customers_undone_and_redone_is_as_it_was(shop, qtbot):
    win = shop
    ops = win.operations
    with time_machine.travel(NOW, tick=False):
        ws = win.workspace
        states = [dump(ws.path)]
        texts = []

        def took(words: str) -> None:
            assert undo_text(win) == f"Undo {words}"
            states.append(dump(ws.path))
            texts.append(words)

        import_till(win, qtbot)
        took("import of till.csv")
        ann, eve = customer_with(ws, "ann@example.com"), customer_with(ws, "eve@example.com")
        ops.retag([ann, eve], add=["VIP"])
        took("add tag VIP to 2 customers")
        ops.edit_values(eve, {"city": "Bangor"})
        took("edit city of Eve Stone")
        ops.record_consent(eve, "email", "denied", "asked by phone to stop")
        took("record Email consent denied for Eve Stone")
        ops.set_custom_field(eve, "Shopping for", "gifts")
        took("edit Shopping for of Eve Stone")
        ops.pin(ann, "phone", "+14155550101")
        took("pin phone of Ann Lee")
        last = (read_rows(ws, "SELECT id, tags, city, consent_email FROM customer ORDER BY id"),
                read_rows(ws, "SELECT customer_id, channel, status, note FROM consent ORDER BY id"),
                read_rows(ws, "SELECT id, customer_id, batch_id, row_hash FROM source_record ORDER BY id"))

        for i in range(len(texts), 0, -1):
            assert undo_text(win) == f"Undo {texts[i - 1]}"
            win.undo_action.trigger()
            assert differences(states[i - 1], dump(ws.path)) == [], f"undo {texts[i - 1]}"
        assert not win.undo_action.isEnabled()
        for i in range(1, len(texts) + 1):
            win.redo_action.trigger()
            assert win.told == [], f"redo {texts[i - 1]}"
            assert differences(states[i], dump(ws.path)) == [], f"redo {texts[i - 1]}"

        assert not win.redo_action.isEnabled()
        assert (read_rows(ws, "SELECT id, tags, city, consent_email FROM customer ORDER BY id"),
                read_rows(ws, "SELECT customer_id, channel, status, note FROM consent ORDER BY id"),
                read_rows(ws, "SELECT id, customer_id, batch_id, row_hash FROM source_record ORDER BY id")) == last
        assert ("Eve Stone", "VIP", "Bangor", "denied") in read_rows(
            ws, "SELECT display_name, tags, city, consent_email FROM customer")


def test_a_step_an_import_redone_from_its_file_leaves_behind_is_named_plainly(shop, qtbot, monkeypatch):
    """An import too big to keep as it was is imported again from its file on redo: its new customers
    come back under new numbers, and the steps taken on them are dropped, saying so plainly and why
    (nothing else touched the workspace), an opt-out among them named as not on record."""
    from omnidesk.core.importing import batches

    monkeypatch.setattr(batches, "UNDOABLE_RECORDS", 0)
    win = shop
    with time_machine.travel(NOW, tick=False):
        import_till(win, qtbot)
        ws = win.workspace
        win.operations.record_consent(customer_with(ws, "eve@example.com"), "email", "denied", "stop")
        win.undo_action.trigger()
        win.undo_action.trigger()
        win.redo_action.trigger()
        assert win.told == [] and undo_text(win) == "Undo import of till.csv"
        win.redo_action.trigger()

    (title, text), = win.told
    assert title == "Cannot redo record Email consent denied for Eve Stone"
    assert "another window" not in text
    assert "import of till.csv" in text and "imported it again from its file, because it was too big" in text
    assert "Email consent denied for Eve Stone is not on record now: record it again before sending them anything" in text
    assert "removed from Edit › Undo" in text
    assert refusals(ws) == []
    assert not win.redo_action.isEnabled()


def test_an_import_whose_people_came_in_again_elsewhere_is_imported_again_on_redo(shop, qtbot, tmp_path):
    """Its rows put back beside the same people imported since (the command line) would make each of
    them two customers: redo imports the file again instead, joining them to the customers there are now,
    and a step taken on them after it is dropped naming that the workspace changed."""
    win = shop
    with time_machine.travel(NOW, tick=False):
        import_till(win, qtbot)
        ws = win.workspace
        win.operations.record_consent(customer_with(ws, "eve@example.com"), "email", "denied", "stop")
        win.undo_action.trigger()
        win.undo_action.trigger()
        with Workspace.open(ws.path) as outside:
            import_file(outside, write_csv(tmp_path / "desk.csv", HEADER, [["Eve", "Stone", "eve@example.com", ""]]),
                        ImportOptions(channel="email"))
        win.redo_action.trigger()
        assert win.told == [] and undo_text(win) == "Undo import of till.csv"
        assert read_rows(ws, "SELECT count(*) FROM customer WHERE display_name = 'Eve Stone'") == [(1,)]
        assert sorted(read_rows(ws, "SELECT b.file_name FROM source_record r JOIN import_batch b ON b.id = r.batch_id "
                                    "JOIN identifier i ON i.record_id = r.id WHERE i.value = 'eve@example.com'")) == [
            ("desk.csv",), ("till.csv",)]
        win.redo_action.trigger()

    (title, text), = win.told
    assert "because the workspace changed after it was undone (in another window" in text
    assert "Email consent denied for Eve Stone is not on record now: record it again before sending them anything" in text


def test_an_opt_out_recorded_for_a_selection_that_redo_cannot_bring_back_is_named(shop, qtbot, monkeypatch):
    from omnidesk.core.importing import batches
    from tests.ui.test_undo_history import filled

    monkeypatch.setattr(batches, "UNDOABLE_RECORDS", 0)
    win = shop
    with time_machine.travel(NOW, tick=False):
        import_till(win, qtbot)
        ws = win.workspace
        ids = [customer_with(ws, "ann@example.com"), customer_with(ws, "eve@example.com")]
        make = win.bulk.consent_dialog
        monkeypatch.setattr(win.bulk, "consent_dialog", lambda ids: filled(make(ids), lambda d: None))
        win.bulk.consent(ids)
        assert undo_text(win) == "Undo record consent denied for 2 customers"
        win.undo_action.trigger()
        win.undo_action.trigger()
        win.redo_action.trigger()
        win.redo_action.trigger()

    (title, text), = win.told
    assert title == "Cannot redo record consent denied for 2 customers" and "another window" not in text
    assert "Email consent denied for 2 customers is not on record now: record it again before sending" in text
    assert refusals(ws) == []


def test_undo_of_an_import_takes_it_back_while_the_window_stays_free(shop, qtbot, monkeypatch):
    """Taking back an import, kept row by row for its redo, is seconds of work for 50,000 rows:
    it runs as long work (the status bar says so), not on the window's thread."""
    import threading

    from omnidesk.core.importing import batches
    from omnidesk.ui.tasks import TaskRunner

    win = shop
    with time_machine.travel(NOW, tick=False):
        import_till(win, qtbot)
        ws = win.workspace
        win.operations.runner = TaskRunner()  # the pool, as in the app
        gate = threading.Event()
        real = batches.take_back_batches

        def held(*args, **kwargs):
            assert gate.wait(10), "the import was taken back on the window's thread"
            return real(*args, **kwargs)

        monkeypatch.setattr(batches, "take_back_batches", held)
        win.undo_action.trigger()
        assert win.operations.busy and win.operations.busy_with == "Taking back the import"
        gate.set()
        qtbot.waitUntil(lambda: not win.operations.busy, timeout=10000)
        assert read_rows(ws, "SELECT count(*) FROM identifier WHERE value = 'eve@example.com'") == [(0,)]
        assert undo_text(win) != "Undo import of till.csv" and win.told == []
        win.redo_action.trigger()
        assert win.operations.busy_with == "Bringing back the import"
        qtbot.waitUntil(lambda: not win.operations.busy, timeout=10000)
        assert undo_text(win) == "Undo import of till.csv" and win.told == []
        assert read_rows(ws, "SELECT count(*) FROM identifier WHERE value = 'eve@example.com'") == [(1,)]
        assert win.operations.runner.wait(10)
