"""Edit › Undo of an import's removal after the command line imported the same people since."""

from __future__ import annotations

import sqlite3

from omnidesk.core.importing.pipeline import import_file
from omnidesk.core.workspace import Workspace
from tests.core.test_workspace_sharing import shopify_customers
from tests.ui.test_shared_workspace import contacts, newsletter


def emails(path) -> list[str]:
    with sqlite3.connect(path) as con:
        return [e for (e,) in con.execute("SELECT email FROM customer WHERE email LIKE 'new%' ORDER BY email")]


def removed_newsletter(window, tmp_path, monkeypatch):
    """newsletter.csv (four people, not the latest import) taken back from the Imports screen."""
    path = tmp_path / "shop.omnidesk"
    ws = Workspace.create(path)
    import_file(ws, shopify_customers(tmp_path / "customers_export.csv", 3))
    listed = newsletter(tmp_path / "newsletter.csv", 4)
    batch = import_file(ws, listed).batch_id
    import_file(ws, contacts(tmp_path / "later.csv", [["later@example.org", "Lat", "Er"]]))
    ws.close()
    assert window.open_workspace(path)
    monkeypatch.setattr(window, "confirm", lambda *a: True)
    window.undo_import(batch)
    assert window.undo_action.text() == "&Undo removal of newsletter.csv"
    return path, listed


def undo_refused(window, monkeypatch) -> list[tuple[str, str]]:
    errors: list[tuple[str, str]] = []
    monkeypatch.setattr(window, "show_error", lambda title, text: errors.append((title, text)))
    window.look_for_outside_changes()
    window.undo()
    return errors


def test_undoing_a_removal_after_the_same_people_came_in_again_keeps_one_customer_each(
        window, tmp_path, monkeypatch, capsys):
    from omnidesk.cli import main

    path, _ = removed_newsletter(window, tmp_path, monkeypatch)
    sms = contacts(tmp_path / "sms_list.csv", [[f"new{i}@example.org", "", ""] for i in range(4)])
    assert main(["import", str(sms), "-w", str(path)]) == 0
    capsys.readouterr()
    errors = undo_refused(window, monkeypatch)
    assert emails(path) == [f"new{i}@example.org" for i in range(4)]  # one customer each, as before
    assert len(errors) == 1 and "same email addresses" in errors[0][1]
    assert "removed from Edit › Undo; nothing was changed" in errors[0][1]
    assert "removal of newsletter.csv" not in window.undo_action.text()


def test_undoing_a_removal_the_workspace_cannot_take_back_any_more_is_dropped_with_a_message(
        window, tmp_path, monkeypatch, capsys):
    """Someone else with the list's last name imported since: the name's count is a row of its own now."""
    from omnidesk.cli import main

    path, _ = removed_newsletter(window, tmp_path, monkeypatch)
    others = contacts(tmp_path / "walk_ins.csv", [["zed@example.net", "Zed", "Person"]])
    assert main(["import", str(others), "-w", str(path)]) == 0
    capsys.readouterr()
    errors = undo_refused(window, monkeypatch)
    assert emails(path) == []  # nothing put back
    assert len(errors) == 1 and errors[0][1].startswith("Changed since")
    assert "removed from Edit › Undo; nothing was changed" in errors[0][1]
    assert "Traceback" not in capsys.readouterr().err
    assert "removal of newsletter.csv" not in window.undo_action.text()


def test_a_step_the_workspace_refuses_is_dropped_not_offered_again(window, tmp_path, monkeypatch, capsys):
    import sqlalchemy.exc

    from omnidesk.ui.commands import RemoveImportStep

    removed_newsletter(window, tmp_path, monkeypatch)

    def refused(self, ws):
        raise sqlalchemy.exc.IntegrityError("INSERT …", (), sqlite3.IntegrityError("UNIQUE constraint failed"))

    monkeypatch.setattr(RemoveImportStep, "revert", refused)
    errors = undo_refused(window, monkeypatch)
    assert len(errors) == 1 and "That import changed since" in errors[0][1]
    assert "UNIQUE" not in errors[0][1] and "Traceback" not in capsys.readouterr().err
    assert "removal of newsletter.csv" not in window.undo_action.text()


def test_undoing_a_removal_never_brings_back_a_person_erased_since(window, tmp_path, monkeypatch, capsys):
    """lead.csv taken back in the app, imported again and its one person erased on the command line:
    Edit › Undo of the removal would put her back, a customer to mail again.  The window forgets
    its history once it sees the erase, and says so; nothing comes back."""
    from omnidesk.ui.operations import ERASED_ELSEWHERE
    from tests.helpers import run_cli

    path = tmp_path / "shop.omnidesk"
    base = contacts(tmp_path / "base.csv", [["ann@example.com", "Ann", "Lee"]])
    lead = tmp_path / "lead.csv"
    lead.write_text("email,first_name,last_name,phone_number\r\n"
                    "zoe.private@example.org,Zoe,Quill,+14155550123\r\n", encoding="utf-8")
    assert run_cli(capsys, "import", base, "--channel", "shop", "-w", path)[0] == 0
    assert run_cli(capsys, "import", lead, "--channel", "social", "-w", path)[0] == 0
    assert window.open_workspace(path)
    monkeypatch.setattr(window, "confirm", lambda *a: True)
    window.undo_import(2)
    assert window.undo_action.text() == "&Undo removal of lead.csv"
    assert run_cli(capsys, "import", lead, "--channel", "social", "-w", path)[0] == 0
    assert run_cli(capsys, "person", "erase", "zoe.private@example.org", "--yes", "-w", path)[0] == 0

    errors = undo_refused(window, monkeypatch)
    with sqlite3.connect(path) as con:
        assert con.execute("SELECT email, phone FROM customer ORDER BY id").fetchall() == [("ann@example.com", None)]
    assert errors == []
    assert window.statusBar().currentMessage() == ERASED_ELSEWHERE
    assert "removal of lead.csv" not in window.undo_action.text()
