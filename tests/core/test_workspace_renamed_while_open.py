"""A workspace renamed while it is open (in the Finder, say) is still the file this process has
open: nothing done with it by its new name takes SQLite's locks away from it, opening it again by
that name says plainly that it is open here, and closing it leaves everything in the file.

On POSIX, closing any descriptor of a file drops every fcntl lock the process holds on it, and
SQLite keeps its log beside the name the file was opened by, which it does not fold into a file
that was moved when it closes.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from omnidesk.core import dialect, edits, held_files
from omnidesk.core.errors import UserError
from omnidesk.core.importing.sniff import open_source
from omnidesk.core.workspace import Workspace, WorkspaceError

pytestmark = pytest.mark.skipif(os.name != "posix", reason="fcntl locks that any close() drops are POSIX's; "
                                                           "Windows locks belong to one handle and refuse a rename")

ROOT = Path(__file__).resolve().parents[2]


def in_another_process(code: str, *args) -> str:
    done = subprocess.run([sys.executable, "-c", code, *map(str, args)], cwd=ROOT, capture_output=True, text=True,
                          timeout=120, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def open_elsewhere(path: Path) -> str:
    """Whether another process finds the file in use (it takes SQLite's exclusive lock if it can)."""
    return in_another_process("import sys; from pathlib import Path; from omnidesk.core import dialect; "
                              "print(dialect.open_elsewhere(Path(sys.argv[1])))", path)


def test_a_workspace_renamed_while_open_keeps_its_locks_and_its_writes(tmp_path, empty_workspace_file):
    path = tmp_path / "shop.omnidesk"
    shutil.copyfile(empty_workspace_file, path)
    ws = Workspace.open(path)
    try:
        edits.add_customer(ws, {"first_name": "Ann", "email": "ann@example.com"})
        renamed = tmp_path / "Shop 2024.omnidesk"
        os.rename(path, renamed)

        for readonly in (False, True):
            with pytest.raises(WorkspaceError, match=r"^Shop 2024.omnidesk is already open in this app as "
                                                     r"shop.omnidesk \(it was renamed while open\)"):
                Workspace.open(renamed, readonly=readonly)
        assert held_files.read_head(renamed, 16) == dialect.SQLITE_MAGIC
        assert held_files.is_held(renamed)
        for name in (renamed, Path(f"{path}-wal"), Path(f"{path}-shm")):  # the log in use is beside the old name
            with pytest.raises(UserError, match="open here, not a file to read in"):
                open_source(name).close()
        assert open_elsewhere(renamed) == "True"  # still locked: another process cannot take it over

        edits.set_values(ws, 1, {"company": "Acme"})
        assert Path(f"{path}-wal").exists() and Path(f"{path}-shm").exists()
        with ws.engine.connect() as conn:
            assert conn.exec_driver_sql("SELECT first_name, company FROM customer").all() == [("Ann", "Acme")]
    finally:
        ws.close()
    assert not held_files.is_held(renamed)
    # Everything written before and after the rename is in the file, read by its new name.
    assert in_another_process("import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); "
                              "print(c.execute('SELECT first_name, company FROM customer').fetchall(), "
                              "c.execute('PRAGMA integrity_check').fetchall())", renamed) == \
        "[('Ann', 'Acme')] [('ok',)]"
    reopened = Workspace.open(renamed)  # and it opens by its new name once closed
    reopened.close()


def test_a_new_workspace_is_known_by_its_file_once_made(tmp_path):
    path = tmp_path / "new.omnidesk"
    ws = Workspace.open(path, create=True)
    try:
        renamed = tmp_path / "renamed.omnidesk"
        os.rename(path, renamed)
        assert held_files.is_held(renamed) and held_files.held_as(renamed) == path
        assert held_files.workspace_holding(Path(f"{path}-wal")) == path
        assert held_files.read_head(renamed, 16) == dialect.SQLITE_MAGIC
        assert open_elsewhere(renamed) == "True"
    finally:
        ws.close()


def test_a_command_opening_the_new_name_while_the_app_has_the_old_one_is_refused(tmp_path, empty_workspace_file):
    """The app has shop.omnidesk open; the user renames it in the Finder and runs a command on the
    new name.  The command would start a second log beside the new name, blind to the app's
    (and the app to its): it is refused, with nothing written, until the app closes the file."""
    path = tmp_path / "shop.omnidesk"
    shutil.copyfile(empty_workspace_file, path)
    people = tmp_path / "people.csv"
    people.write_text("First Name,Last Name,Email\nBea,Quill,bea@example.com\n", encoding="utf-8")
    command = ("import sys; from omnidesk.cli import main; "
               "sys.exit(main(['-w', sys.argv[1], 'import', sys.argv[2], '--channel', 'shop']))")
    ws = Workspace.open(path)
    try:
        edits.add_customer(ws, {"first_name": "Ann", "email": "ann@example.com"})
        renamed = tmp_path / "Shop 2024.omnidesk"
        os.rename(path, renamed)
        before = held_files.read_head(renamed, 1 << 30)  # a plain read would drop the app's locks
        done = subprocess.run([sys.executable, "-c", command, str(renamed), str(people)], cwd=ROOT,
                              capture_output=True, text=True, timeout=120, env={**os.environ, "PYTHONPATH": str(ROOT)})
        assert done.returncode != 0
        assert ("Shop 2024.omnidesk is open in another window or command under another name (it was renamed "
                "or moved while open there)") in done.stderr + done.stdout
        assert held_files.read_head(renamed, 1 << 30) == before
        assert not Path(f"{renamed}-wal").exists() and not Path(f"{renamed}-shm").exists()
        # A command on the name the app opened it by shares it as usual.
        assert open_elsewhere(path) == "False" or not path.exists()
        edits.set_values(ws, 1, {"company": "Acme"})
    finally:
        ws.close()
    done = subprocess.run([sys.executable, "-c", command, str(renamed), str(people)], cwd=ROOT,
                          capture_output=True, text=True, timeout=120, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.returncode == 0, done.stderr
    assert in_another_process("import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); "
                              "print(c.execute('SELECT first_name, company FROM customer ORDER BY id').fetchall())",
                              renamed) == "[('Ann', 'Acme'), ('Bea', '')]"


def test_a_workspace_opened_through_a_link_is_shared_as_usual(tmp_path, empty_workspace_file):
    """The app has the workspace open through a link (a synced folder linked into Documents, say):
    SQLite keeps its log beside the file the link leads to, and a command on the same link shares
    the workspace as it always did: nothing was renamed."""
    real = tmp_path / "Dropbox" / "shop.omnidesk"
    real.parent.mkdir()
    shutil.copyfile(empty_workspace_file, real)
    link = tmp_path / "shop.omnidesk"
    os.symlink(real, link)
    ws = Workspace.open(link)
    try:
        edits.add_customer(ws, {"first_name": "Ann", "email": "ann@example.com"})
        assert Path(f"{real}-shm").exists() and not Path(f"{link}-shm").exists()
        in_another_process("import sys; from omnidesk.cli import main; "  # which asserts it went through
                           "sys.exit(main(['-w', sys.argv[1], 'customer', 'set', 'ann@example.com', 'city', 'Boston']))",
                           link)
        with ws.engine.connect() as conn:
            assert conn.exec_driver_sql("SELECT city FROM customer").scalar() == "Boston"
    finally:
        ws.close()
