"""An erase on the command line while the app's window has the same workspace open, as the two are
meant to share it: nothing of the person stays readable in the files beside the workspace, whether
the window was idle during the erase or was reading (re-reading a list, counting in the background)
so that the command could not empty the write-ahead log.  Then the window, once it sees the erase
(its look, or its next change), empties the log itself, and goes on showing the list without them.

The command runs in a process of its own, as it does beside the app."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import text

from omnidesk.core import held_files

from tests.core.test_erase_while_read import _shop

ROOT = Path(__file__).resolve().parents[2]

# What the workspace holds of the erased customer (1): email, phone (as typed and as stored), names, street.
THEIRS = ["qzarkowski@mailbox.example", "qzarkowski", "2075550143", "207 555 0143", "Quentin", "Zarkowski",
          "48 Juniper Lane", "Juniper"]
HELD = "a copy of the erased data stays in the -wal file"


def _command(folder: Path, *argv) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "omnidesk", *map(str, argv)], cwd=folder, env=env,
                          capture_output=True, text=True, timeout=120)


def left_of_them(path: Path) -> dict[str, list[str]]:
    """Each file beside the workspace named after it (the file, its -wal and -shm, anything else),
    with what of the person it holds, in UTF-8 or UTF-16 (either byte order), in any case.

    Read as this process reads a file it has open through SQLite (held_files): closing a plain
    read of it would drop the window's locks."""
    found = {}
    for p in sorted(path.parent.glob(path.name + "*")):
        data = held_files.read_head(p, p.stat().st_size).lower()
        hits = [value for value in THEIRS
                if any(value.lower().encode(code) in data for code in ("utf-8", "utf-16-le", "utf-16-be"))]
        if hits:
            found[p.name] = hits
    return found


def _listed(window) -> list[str]:
    view = window.screens["customers"]
    return [view.model.index(r, 0).data() for r in range(view.model.rowCount())]


def _showing_the_list(window, path, qtbot) -> None:
    assert window.open_workspace(path)
    window.show_screen("customers")
    qtbot.waitUntil(lambda: "Quentin Zarkowski" in _listed(window))
    assert left_of_them(path)["shop.omnidesk"]  # the search below finds them while they are there


def test_an_erase_beside_an_idle_window_leaves_nothing_of_them(window, tmp_path, capsys, qtbot):
    path = tmp_path / "shop.omnidesk"
    _shop(tmp_path, capsys)
    _showing_the_list(window, path, qtbot)
    done = _command(tmp_path, "person", "erase", "1", "--yes", "-w", path)
    assert done.returncode == 0, done.stderr
    assert HELD not in done.stderr
    assert left_of_them(path) == {}
    assert window.look_for_outside_changes()
    assert "Quentin Zarkowski" not in _listed(window)
    assert len(_listed(window)) == 200


def test_the_window_empties_the_log_its_read_kept_during_an_erase_elsewhere(window, tmp_path, capsys, qtbot):
    path = tmp_path / "shop.omnidesk"
    _shop(tmp_path, capsys)
    _showing_the_list(window, path, qtbot)
    # The window reads through the erase (a big list read again, a count in the background): the
    # command cannot empty the log meanwhile, and says so.
    with window.workspace.engine.connect() as reading:
        assert reading.execute(text("SELECT count(*) FROM customer")).scalar() == 201
        done = _command(tmp_path, "person", "erase", "1", "--yes", "-w", path)
    assert done.returncode == 0, done.stderr
    assert HELD in done.stderr
    assert left_of_them(path)  # the file keeps their rows until the log is folded into it
    # The read over, the window is idle; its look sees the erase, and the log goes with it.
    assert window.look_for_outside_changes()
    assert left_of_them(path) == {}
    assert Path(f"{path}-wal").stat().st_size == 0
    assert "Quentin Zarkowski" not in _listed(window)
    assert len(_listed(window)) == 200


def test_the_next_change_in_the_window_empties_the_log_its_read_kept(window, tmp_path, capsys, qtbot):
    """A window that never looked (it was not in front) empties it with its next change."""
    path = tmp_path / "shop.omnidesk"
    _shop(tmp_path, capsys)
    _showing_the_list(window, path, qtbot)
    with window.workspace.engine.connect() as reading:
        reading.execute(text("SELECT count(*) FROM customer")).scalar()
        done = _command(tmp_path, "person", "erase", "1", "--yes", "-w", path)
    assert HELD in done.stderr
    window.workspace.set_setting("business_name", "Corner Shop")
    assert left_of_them(path) == {}
