"""A workspace this process has open keeps its SQLite locks whatever else this process does with
the file: opening it again (File › Open Recent lists it first), reading it to check it, naming it
as an export's output or an import's input.

On POSIX, closing any descriptor of a file drops every fcntl lock the process holds on it.  A
command in another process then believed it was the last user and deleted the ``-wal``/``-shm``
still in use here: the workspace read old data and its next writes were lost.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from omnidesk.core import dialect, edits
from omnidesk.core.errors import UserError
from omnidesk.core.exporting import outfiles
from omnidesk.core.importing.archives import Unpacked
from omnidesk.core.importing.sniff import open_source
from omnidesk.core.workspace import Workspace

pytestmark = pytest.mark.skipif(os.name != "posix", reason="fcntl locks that any close() drops are POSIX's; "
                                                           "Windows locks belong to one handle")

ROOT = Path(__file__).resolve().parents[2]


def cli(*argv) -> subprocess.CompletedProcess:
    """The command line in a process of its own: the lock question is between processes."""
    return subprocess.run([sys.executable, "-m", "omnidesk", *map(str, argv)], cwd=ROOT, capture_output=True,
                          text=True, timeout=120, env={**os.environ, "PYTHONPATH": str(ROOT)})


def read_elsewhere(path: Path, sql: str) -> list:
    done = subprocess.run([sys.executable, "-c", "import sqlite3, sys; print(sqlite3.connect(sys.argv[1])"
                           ".execute(sys.argv[2]).fetchall())", str(path), sql],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return eval(done.stdout)  # noqa: S307 - a list of tuples printed by the line above


def _open_again(path: Path) -> None:
    Workspace.open(path).close()


def _open_again_to_read(path: Path) -> None:
    Workspace.open(path, readonly=True).close()


def _inspect(path: Path) -> None:
    assert dialect.inspect_file(path).kind == "workspace"


def _export_over_it(path: Path) -> None:
    assert outfiles.guard_reason(path) is not None
    assert outfiles.guard_reason(Path(f"{path}-wal")) is not None


def _import_it(path: Path) -> None:
    names = [path, Path(f"{path}-wal"), Path(f"{path}-shm")]
    with Unpacked() as unpacked:  # a dropped zip is unpacked first, as the window and the command do
        assert unpacked.expand(names) == names
    for name in names:
        with pytest.raises(UserError, match="open here, not a file to read in"):
            open_source(name).close()


@pytest.mark.parametrize("again", [_open_again, _open_again_to_read, _inspect, _export_over_it, _import_it],
                         ids=["open", "open-to-read", "inspect", "export-over-it", "import-it"])
def test_the_open_workspace_keeps_its_locks_and_its_writes(tmp_path, empty_workspace_file, again):
    path = tmp_path / "shop.omnidesk"
    shutil.copyfile(empty_workspace_file, path)
    ws = Workspace.open(path)
    try:
        edits.add_customer(ws, {"first_name": "Ann", "email": "ann@example.com"})
        again(path)
        edits.set_values(ws, 1, {"postcode": "04401"})

        done = cli("-w", path, "customer", "set", "ann@example.com", "city", "Boston")
        assert done.returncode == 0, done.stderr
        # The command knew it was not the last one out: the log in use here is still there.
        assert Path(f"{path}-wal").exists() and Path(f"{path}-shm").exists()
        with ws.engine.connect() as conn:
            assert conn.exec_driver_sql("SELECT city FROM customer").scalar() == "Boston"

        edits.set_values(ws, 1, {"company": "Acme"})
    finally:
        ws.close()
    assert read_elsewhere(path, "SELECT city, company, postcode FROM customer") == [("Boston", "Acme", "04401")]

