"""A workspace whose file name holds characters a link would read ("%20", "?", "%", "#"): every
command reads and writes that very file, and no other file appears beside it."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest
from alembic import command

from omnidesk.core.workspace import Workspace, _alembic_config, head_revision
from tests.helpers import run_cli, write_csv

NAMES = ["a%20b.omnidesk", "Shop?.omnidesk", "50%.omnidesk", "x#y.omnidesk"]


def _read(path: Path, sql: str):
    con = sqlite3.connect(path)  # a plain file name: never read as a link
    try:
        return con.execute(sql).fetchone()[0]
    finally:
        con.close()


def _emails(path: Path) -> set[str]:
    con = sqlite3.connect(path)
    try:
        return {r[0] for r in con.execute("SELECT email FROM customer WHERE email IS NOT NULL")}
    finally:
        con.close()


def _files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


@pytest.mark.parametrize("name", NAMES)
def test_import_add_and_info_use_the_file_named(tmp_path, capsys, name):
    people = write_csv(tmp_path / "people.csv", ["Email", "First Name"],
                       [["ann@example.com", "Ann"], ["bob@example.com", "Bob"]])
    ws = tmp_path / name
    status, _out, err = run_cli(capsys, "-w", ws, "import", people)
    assert status == 0, err
    status, _out, err = run_cli(capsys, "-w", ws, "customer", "add", "first_name=Zed", "email=zed@example.com")
    assert status == 0, err
    status, out, err = run_cli(capsys, "-w", ws, "info")
    assert status == 0, err
    assert str(ws) in out
    assert _emails(ws) == {"ann@example.com", "bob@example.com", "zed@example.com"}
    assert _files(tmp_path) == sorted([name, "people.csv"])


def test_a_name_with_percent_20_is_not_the_shop_whose_name_has_a_space(tmp_path, capsys):
    other = tmp_path / "a b.omnidesk"  # another shop
    theirs = write_csv(tmp_path / "theirs.csv", ["Email", "First Name"], [["other@example.com", "Other"]])
    assert run_cli(capsys, "-w", other, "import", theirs)[0] == 0
    before = other.read_bytes()
    ws = tmp_path / "a%20b.omnidesk"
    people = write_csv(tmp_path / "people.csv", ["Email", "First Name"], [["ann@example.com", "Ann"]])
    status, _out, err = run_cli(capsys, "-w", ws, "import", people)
    assert status == 0, err
    status, _out, err = run_cli(capsys, "-w", ws, "customer", "add", "first_name=Zed", "email=zed@example.com")
    assert status == 0, err
    assert _emails(ws) == {"ann@example.com", "zed@example.com"}
    assert _emails(other) == {"other@example.com"} and other.read_bytes() == before
    assert _files(tmp_path) == ["a b.omnidesk", "a%20b.omnidesk", "people.csv", "theirs.csv"]


def _older_shop(folder: Path, capsys, name: str, revision: str = "0034") -> Path:
    """A shop made under a plain name, taken back to ``revision`` as an older omnidesk left it,
    then named ``name``."""
    made = folder / "made" / "shop.omnidesk"
    made.parent.mkdir()
    contacts = write_csv(made.parent / "contacts.csv", ["Email", "First Name"], [["ann@example.com", "Ann"]])
    assert run_cli(capsys, "-w", made, "import", contacts)[0] == 0
    with Workspace.open(made) as ws, ws.engine.begin() as conn:
        command.downgrade(_alembic_config(conn), revision)
    shop = folder / name
    shutil.copyfile(made, shop)
    shutil.rmtree(made.parent)
    return shop


@pytest.mark.parametrize("name", NAMES)
def test_an_older_workspace_is_upgraded_in_the_file_named(tmp_path, capsys, name):
    shop = _older_shop(tmp_path, capsys, name)
    status, _out, err = run_cli(capsys, "-w", shop, "customer", "add", "first_name=Zed", "email=zed@example.com")
    assert status == 0, err
    assert _read(shop, "SELECT version_num FROM alembic_version") == head_revision()
    assert _emails(shop) == {"ann@example.com", "zed@example.com"}
    stem = name.removesuffix(".omnidesk")
    (backup,) = [f for f in _files(tmp_path) if f != name]  # the copy kept before upgrading, and nothing else
    assert backup.startswith(f"{stem}.before-0034-") and backup.endswith(".omnidesk.bak")
    assert _read(tmp_path / backup, "SELECT version_num FROM alembic_version") == "0034"


@pytest.mark.parametrize("name", NAMES)
def test_recover_into_a_file_so_named(tmp_path, capsys, name):
    shop = _older_shop(tmp_path, capsys, "shop.omnidesk")  # recover upgrades what it copies, in the new file
    new = tmp_path / name
    status, _out, err = run_cli(capsys, "recover", shop, new)
    assert status == 0, err
    assert _files(tmp_path) == sorted([name, "shop.omnidesk"])
    assert _read(new, "SELECT version_num FROM alembic_version") == head_revision()
    assert _emails(new) == {"ann@example.com"}
    status, out, err = run_cli(capsys, "-w", new, "info")
    assert status == 0, err
