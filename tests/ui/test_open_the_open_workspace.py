"""Opening the workspace the window already shows (File › Open Recent lists it first, one click
away) keeps it as it is, says so, and loses nothing that the command line or the window writes
afterwards."""

from __future__ import annotations

import os
import shutil

import pytest

from omnidesk.core import edits
from omnidesk.core.workspace import Workspace
from tests.core.test_workspace_open_here_twice import cli, read_elsewhere

pytestmark = pytest.mark.skipif(os.name != "posix", reason="fcntl locks that any close() drops are POSIX's; "
                                                           "Windows locks belong to one handle")


def test_open_recent_on_the_open_workspace_keeps_it_and_every_write(window, tmp_path, empty_workspace_file, qtbot):
    path = tmp_path / "shop.omnidesk"
    shutil.copyfile(empty_workspace_file, path)
    with Workspace.open(path) as ws:
        edits.add_customer(ws, {"first_name": "Ann", "email": "ann@example.com"})
    assert window.open_workspace(path)
    shown = window.workspace
    window.operations.edit_values(1, {"postcode": "04401"})

    recent = window.recent_menu.actions()[0]
    assert str(path.parent) in recent.text()
    recent.trigger()  # the same file again
    assert window.workspace is shown and not shown.closed
    assert window.statusBar().currentMessage() == "shop.omnidesk is already open."
    assert window.undo_stack.canUndo()  # the edit made before is still there to undo

    done = cli("-w", path, "customer", "set", "ann@example.com", "city", "Boston")
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "shop.omnidesk-wal").exists()  # still the window's, not folded away under it
    with window.workspace.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT city FROM customer").scalar() == "Boston"
    window.operations.edit_values(1, {"company": "Acme"})
    assert read_elsewhere(path, "SELECT city, company, postcode FROM customer") == [("Boston", "Acme", "04401")]
