"""An erased person is never brought back by an undo: the journal refuses to put their rows back."""

from __future__ import annotations

import sqlite3

import pytest

from omnidesk.core.importing.batches import remove_batch, restore_batch
from omnidesk.core.journal import JournalConflict
from omnidesk.core.workspace import Workspace
from tests.helpers import run_cli, write_csv

LEAD = (["email", "first_name", "last_name", "phone_number"], [["zoe.private@example.org", "Zoe", "Quill", "+14155550123"]])


def _customers(path) -> list[tuple]:
    with sqlite3.connect(path) as con:
        return con.execute("SELECT display_name, email, phone FROM customer ORDER BY id").fetchall()


def test_undoing_a_removal_after_the_person_was_erased_is_refused(tmp_path, capsys):
    path = tmp_path / "shop.omnidesk"
    base = write_csv(tmp_path / "base.csv", ["Email", "First Name", "Last Name"], [["ann@example.com", "Ann", "Lee"]])
    lead = write_csv(tmp_path / "lead.csv", *LEAD)
    assert run_cli(capsys, "import", base, "--channel", "shop", "-w", path)[0] == 0
    assert run_cli(capsys, "import", lead, "--channel", "social", "-w", path)[0] == 0
    ws = Workspace.open(path)
    try:
        removal = remove_batch(ws, 2)  # the Imports screen's undoable take-back
    finally:
        ws.close()
    assert run_cli(capsys, "import", lead, "--channel", "social", "-w", path)[0] == 0
    assert run_cli(capsys, "person", "erase", "zoe.private@example.org", "--yes", "-w", path)[0] == 0
    assert _customers(path) == [("Ann Lee", "ann@example.com", None)]

    ws = Workspace.open(path)
    try:
        with pytest.raises(JournalConflict, match="erased at their request"):
            restore_batch(ws, removal)
    finally:
        ws.close()
    assert _customers(path) == [("Ann Lee", "ann@example.com", None)]  # nothing put back
    with sqlite3.connect(path) as con:  # nor is she found by the search box
        assert con.execute("SELECT count(*) FROM customer_fts WHERE customer_fts MATCH 'zoe'").fetchone() == (0,)
    export = tmp_path / "c.csv"
    assert run_cli(capsys, "export", "customers", export, "-w", path)[0] == 0
    assert "zoe" not in export.read_text().lower()


def test_undoing_a_removal_still_works_when_someone_else_was_erased(tmp_path, capsys):
    path = tmp_path / "shop.omnidesk"
    base = write_csv(tmp_path / "base.csv", ["Email", "First Name", "Last Name"], [["ann@example.com", "Ann", "Lee"]])
    lead = write_csv(tmp_path / "lead.csv", *LEAD)
    walk_in = write_csv(tmp_path / "walk_in.csv", ["Email", "First Name", "Last Name"],
                        [["carl@example.net", "Carl", "Dunn"]])
    assert run_cli(capsys, "import", base, "--channel", "shop", "-w", path)[0] == 0
    assert run_cli(capsys, "import", lead, "--channel", "social", "-w", path)[0] == 0
    ws = Workspace.open(path)
    try:
        removal = remove_batch(ws, 2)
    finally:
        ws.close()
    assert run_cli(capsys, "import", walk_in, "--channel", "shop", "-w", path)[0] == 0
    assert run_cli(capsys, "person", "erase", "carl@example.net", "--yes", "-w", path)[0] == 0
    ws = Workspace.open(path)
    try:
        restore_batch(ws, removal)
    finally:
        ws.close()
    assert _customers(path) == [("Ann Lee", "ann@example.com", None),
                                ("Zoe Quill", "zoe.private@example.org", "+14155550123")]
