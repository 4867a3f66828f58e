"""A workspace whose file name reads like a link ("a%20b.omnidesk") opened in the app: the window shows and
changes that file, not the one whose name has a space."""

from __future__ import annotations

import shutil
import sqlite3

from tests.helpers import errors_fail


def _emails(path) -> set[str]:
    con = sqlite3.connect(path)
    try:
        return {r[0] for r in con.execute("SELECT email FROM customer WHERE email IS NOT NULL")}
    finally:
        con.close()


def test_the_window_opens_and_changes_the_file_named(window, demo_template, empty_workspace_file, tmp_path,
                                                      monkeypatch):
    other = tmp_path / "a b.omnidesk"  # another, empty shop beside it
    shutil.copyfile(empty_workspace_file, other)
    before = other.read_bytes()
    shop = tmp_path / "a%20b.omnidesk"
    shutil.copyfile(demo_template, shop)
    demo_people = _emails(shop)
    con = sqlite3.connect(shop)
    customers = con.execute("SELECT count(*) FROM customer").fetchone()[0]
    con.close()

    assert window.open_workspace(shop)
    errors_fail(monkeypatch, window)
    window.show_screen("customers")
    assert window.workspace.path == shop
    assert window.screens["customers"].model.rowCount() == customers > 0
    assert window.operations.add_customer({"first_name": "Zed", "email": "zed@example.com"})
    assert _emails(shop) == demo_people | {"zed@example.com"}
    assert other.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.endswith(("-wal", "-shm"))) == [
        "a b.omnidesk", "a%20b.omnidesk"]
