"""A damaged workspace in the app: restore the latest backup, or recover what can be read."""

from __future__ import annotations

import shutil
import sqlite3

import pytest

from omnidesk.core import paths
from tests.core.test_recover import damage


def _customers(path) -> int:
    con = sqlite3.connect(path)
    try:
        return con.execute("SELECT count(*) FROM customer").fetchone()[0]
    finally:
        con.close()


@pytest.fixture
def broken(tmp_path, demo_template):
    """A copy of the demo whose table list is overwritten: SQLite cannot even open it."""
    path = tmp_path / "shop.omnidesk"
    shutil.copyfile(demo_template, path)
    with path.open("r+b") as fh:
        fh.seek(100)
        fh.write(b"\xff" * 400)
    return path


def test_opening_a_damaged_workspace_offers_its_latest_backup(window, broken, demo_template, tmp_path,
                                                               monkeypatch):
    older = broken.with_name("shop.before-0006-20260101-120000.omnidesk.bak")
    shutil.copyfile(demo_template, older)
    saved = tmp_path / "elsewhere" / "shop copy.omnidesk"  # a copy saved with Save a Copy, more recent
    saved.parent.mkdir()
    window._remember_copy(broken, saved)
    shutil.copyfile(demo_template, saved)
    asked = {}

    def choose(path, backups):
        asked["choice"] = (path, list(backups))
        return "restore"

    monkeypatch.setattr(window, "ask_damaged_choice", choose)
    monkeypatch.setattr(window, "ask_backup", lambda backups: backups[0])
    assert window.open_workspace(broken)
    path, backups = asked["choice"]
    assert path == broken and backups == [saved, older]  # newest first
    assert window.workspace is not None and window.workspace.path == broken
    assert window.workspace.counts()["customers"] == _customers(demo_template)
    aside = list(tmp_path.glob("shop.damaged-*.omnidesk.bak"))
    assert len(aside) == 1  # the damaged file is kept, under a name an erase also finds
    assert "Restored shop copy.omnidesk" in window.statusBar().currentMessage()


def test_recover_what_can_be_read_opens_the_new_workspace(window, demo_template, tmp_path, monkeypatch):
    broken = tmp_path / "shop.omnidesk"
    damage(demo_template, broken)
    target = tmp_path / "shop recovered.omnidesk"
    monkeypatch.setattr(window, "ask_damaged_choice", lambda path, backups: "recover")
    monkeypatch.setattr(window, "ask_recover_path", lambda damaged: target)
    shown = []
    monkeypatch.setattr(window, "show_info", lambda title, text: shown.append((title, text)))
    assert window.workspace_damaged(broken)
    assert window.workspace.path == target
    assert window.workspace.counts()["customers"] >= 0.75 * _customers(demo_template)
    assert "Recovered" in window.statusBar().currentMessage()
    ((title, text),) = shown  # what the damage took, table by table
    assert title == "What could not be read" and "\nImported rows: " in text


def test_cancel_leaves_everything_as_it_was(window, broken, monkeypatch):
    before = broken.read_bytes()
    monkeypatch.setattr(window, "ask_damaged_choice", lambda path, backups: None)
    assert not window.open_workspace(broken)
    assert window.workspace is None and broken.read_bytes() == before


def test_the_question_looks_right(window, broken, demo_template, qtbot, monkeypatch):
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QMessageBox

    shutil.copyfile(demo_template, broken.with_name("shop.before-0006-20260101-120000.omnidesk.bak"))
    seen = {}

    def look():
        box = next(w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible())
        seen["text"] = box.text() + box.informativeText()
        seen["buttons"] = [b.text() for b in box.buttons()]
        box.grab().save(str(paths.data_dir() / "damaged.png"))
        box.reject()

    QTimer.singleShot(200, look)
    assert window.ask_damaged_choice(broken, window.backups_of(broken)) is None
    assert "shop.omnidesk is damaged" in seen["text"]
    assert "The latest backup is shop.before-0006-20260101-120000.omnidesk.bak" in seen["text"]
    assert "Restore the latest backup…" in seen["buttons"] and "Recover what can be read…" in seen["buttons"]


def test_restoring_a_backup_while_a_command_has_the_workspace_open_is_refused_and_the_window_goes_on(
        window, demo_template, tmp_path, monkeypatch):
    """An import running from the command line while the app restored a backup reported success,
    and everything it wrote ended up in the file set aside."""
    path = tmp_path / "shop.omnidesk"
    shutil.copyfile(demo_template, path)
    backup = tmp_path / "shop.before-0006-20260101-120000.omnidesk.bak"
    shutil.copyfile(demo_template, backup)
    assert window.open_workspace(path)
    said = []
    monkeypatch.setattr(window, "show_error", lambda title, text: said.append((title, text)))
    monkeypatch.setattr(window, "ask_damaged_choice", lambda path, backups: "restore")
    monkeypatch.setattr(window, "ask_backup", lambda backups: backup)
    other = sqlite3.connect(path, isolation_level=None)  # the command's import, under way
    try:
        other.execute("BEGIN IMMEDIATE")
        other.execute("UPDATE customer SET notes = 'written by the import' WHERE id = 1")
        before = sorted(p.name for p in tmp_path.iterdir())
        assert not window._handle_damage(path)
        assert said and said[0][0] == "Cannot restore the backup"
        assert "open in another window or busy with a command" in said[0][1]
        assert sorted(p.name for p in tmp_path.iterdir()) == before  # nothing set aside, nothing moved
        other.execute("COMMIT")
    finally:
        other.close()
    assert _customers(path) == _customers(demo_template)
    with sqlite3.connect(path) as con:  # what the command wrote is in the workspace the window has open
        assert con.execute("SELECT notes FROM customer WHERE id = 1").fetchone()[0] == "written by the import"
    assert window.workspace is not None and window.workspace.path == path
    assert window.workspace.counts()["customers"] == _customers(demo_template)  # open again, as before


def test_recovering_says_what_could_not_be_read(window, demo_template, tmp_path, monkeypatch):
    """Consent lost with the damage was only counted as "1 unreadable stretch", and the app said nothing."""
    broken = tmp_path / "shop.omnidesk"
    shutil.copyfile(demo_template, broken)
    con = sqlite3.connect(broken)
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    root, size = con.execute("SELECT rootpage FROM sqlite_master WHERE name = 'consent'").fetchone()[0], \
        con.execute("PRAGMA page_size").fetchone()[0]
    facts = con.execute("SELECT count(*) FROM consent").fetchone()[0]
    con.close()
    with broken.open("r+b") as fh:
        fh.seek((root - 1) * size)
        fh.write(b"\xff" * size)
    target = tmp_path / "shop recovered.omnidesk"
    shown = []
    monkeypatch.setattr(window, "ask_damaged_choice", lambda path, backups: "recover")
    monkeypatch.setattr(window, "ask_recover_path", lambda damaged: target)
    monkeypatch.setattr(window, "show_info", lambda title, text: shown.append((title, text)))
    assert window.workspace_damaged(broken)
    assert window.workspace.path == target
    assert shown == [("What could not be read", "Recovered into shop recovered.omnidesk, but not all of it:\n\n"
                      f"Consent: {facts:,} of {facts:,} could not be read — rebuilt {facts:,} from the imported "
                      "rows.")]


def test_the_recover_box_says_what_was_lost_in_a_shop_owners_words(window, demo_template, tmp_path, monkeypatch):
    """The box read "source_record: 1,965 of 2,340 rows could be read.", "event: …", "identifier: …"."""
    broken = tmp_path / "shop.omnidesk"
    damage(demo_template, broken)
    target = tmp_path / "shop recovered.omnidesk"
    shown = []
    monkeypatch.setattr(window, "ask_damaged_choice", lambda path, backups: "recover")
    monkeypatch.setattr(window, "ask_recover_path", lambda damaged: target)
    monkeypatch.setattr(window, "show_info", lambda title, text: shown.append((title, text)))
    assert window.workspace_damaged(broken)
    [(title, text)] = shown
    paragraphs = text.split("\n\n")
    assert title == "What could not be read" and paragraphs[0] == \
        "Recovered into shop recovered.omnidesk, but not all of it:"
    for said in paragraphs[1:]:
        assert said.split(":")[0] in {"Imported rows", "Orders and other activity", "Customers", "Consent",
                                      "Emails and phones that link imported rows"}, said
        assert not any(name in said for name in ("source_record", "event:", "identifier", "customer:")), said
    assert any(p.startswith("Imported rows: ") and "; customers are rebuilt from the rows that could, without "
               "what the others said: import " in p and p.endswith(" again to bring them back.") for p in paragraphs)
