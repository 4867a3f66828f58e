"""An upgrade that meets a value it cannot read: one line saying so, and the file left as it was."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import time_machine
from alembic import command

from omnidesk.core.workspace import Workspace, _alembic_config, backup_files, head_revision
from tests.helpers import one_line, run_cli, write_csv


def _shop_at(tmp_path: Path, capsys, revision: str, damage_sql: str) -> Path:
    """A shop imported through the command line, taken back to ``revision`` (as an older omnidesk
    left it), with one stored value spoiled by ``damage_sql``."""
    contacts = write_csv(tmp_path / "contacts.csv", ["Email", "First Name", "Currency"],
                         [["ann@example.com", "Ann", "EUR"], ["bob@example.com", "Bob", "USD"]])
    shop = tmp_path / "shop.omnidesk"
    assert run_cli(capsys, "-w", shop, "import", contacts)[0] == 0
    with Workspace.open(shop) as ws, ws.engine.begin() as conn:
        command.downgrade(_alembic_config(conn), revision)
        conn.exec_driver_sql(damage_sql)
    return shop


def _content(path: Path) -> list[str]:
    con = sqlite3.connect(path)
    try:
        return list(con.iterdump())
    finally:
        con.close()


def _revision(path: Path) -> str:
    con = sqlite3.connect(path)
    try:
        return con.execute("SELECT version_num FROM alembic_version").fetchone()[0]
    finally:
        con.close()


def test_an_upgrade_stopped_by_a_value_that_is_not_json_says_so_and_that_nothing_changed(tmp_path, capsys):
    # 0018 reads every import's header with json.loads: "Expecting value: line 1 column 1 (char 0)".
    shop = _shop_at(tmp_path, capsys, "0017", "UPDATE import_batch SET header_json = 'not json ['")
    before = _content(shop)
    status, out, err = run_cli(capsys, "-w", shop, "info")
    assert status == 1 and out == "" and one_line(err)
    (backup,) = backup_files(shop)
    assert err.strip() == (f"omnidesk: error: Could not upgrade shop.omnidesk for this version of omnidesk: a value "
                           f"stored in it is not valid JSON. The file was not changed, and a copy from before the "
                           f"upgrade is kept as {backup.name}.")
    assert _content(shop) == before and _revision(shop) == "0017"
    assert _content(backup) == before


# 0035 reads each contacts record's currency with json_extract: SQLite says "malformed JSON".
BAD_CURRENCY = ("UPDATE source_record SET values_json = '{\"currency\": \"EUR\", oops' "
                "WHERE id = (SELECT min(id) FROM source_record WHERE kind = 'contacts')")


def test_a_value_sqlite_finds_malformed_json_is_not_a_damaged_file(tmp_path, capsys):
    shop = _shop_at(tmp_path, capsys, "0034", BAD_CURRENCY)
    before = _content(shop)
    status, out, err = run_cli(capsys, "-w", shop, "info")
    assert status == 1 and one_line(err)
    assert "damaged" not in err and "recover" not in err
    (backup,) = backup_files(shop)
    assert err.strip() == (f"omnidesk: error: Could not upgrade shop.omnidesk for this version of omnidesk: a value "
                           f"stored in it is not valid JSON. The file was not changed, and a copy from before the "
                           f"upgrade is kept as {backup.name}.")
    assert _content(shop) == before and _revision(shop) == "0034"


def test_recover_of_a_file_whose_upgrade_stops_names_the_files_given_and_leaves_nothing(tmp_path, capsys):
    shop = _shop_at(tmp_path, capsys, "0034", BAD_CURRENCY)
    before = _content(shop)
    new = tmp_path / "new.omnidesk"
    status, out, err = run_cli(capsys, "recover", shop, new)
    assert status == 1 and one_line(err)
    assert err.strip() == ("omnidesk: error: Could not upgrade what was read from shop.omnidesk for this version of "
                           "omnidesk: a value stored in it is not valid JSON. shop.omnidesk was not changed, and "
                           "new.omnidesk was not made.")
    assert _content(shop) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["contacts.csv", "shop.omnidesk"]


def test_recover_of_an_older_workspace_upgrades_the_new_file_without_a_backup_of_it(tmp_path, capsys):
    shop = _shop_at(tmp_path, capsys, "0034", "SELECT 1")
    new = tmp_path / "new.omnidesk"
    status, out, err = run_cli(capsys, "recover", shop, new)
    assert status == 0, err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["contacts.csv", "new.omnidesk", "shop.omnidesk"]
    assert _revision(new) == head_revision() and _revision(shop) == "0034"


def test_a_damaged_file_met_by_recover_is_named_as_the_file_given(tmp_path, capsys, monkeypatch,
                                                                   isolated_data_dir):
    import omnidesk.core.recover as recover

    def damaged(*_args):
        raise sqlite3.DatabaseError("database disk image is malformed")

    monkeypatch.setattr(recover, "recover_workspace", damaged)
    shop = _shop_at(tmp_path, capsys, "0034", "SELECT 1")
    status, out, err = run_cli(capsys, "recover", shop, tmp_path / "new.omnidesk")
    assert status == 1 and one_line(err)
    assert err.startswith("omnidesk: error: shop.omnidesk is damaged") and f'recover "{shop}"' in err
    assert "workspace.omnidesk" not in err and str(isolated_data_dir) not in err


def _consent_by_file(path: Path) -> dict[str, list]:
    """Each imported record's consent facts, by the file it came from: {file name: [(email, channel, status)]}."""
    con = sqlite3.connect(path)
    try:
        rows = con.execute("SELECT b.file_name, r.email, c.channel, c.status "
                           "FROM consent c JOIN source_record r ON r.id = c.record_id "
                           "JOIN import_batch b ON b.id = r.batch_id ORDER BY 1, 2, 3, 4").fetchall()
    finally:
        con.close()
    out: dict[str, list] = {}
    for file_name, email, channel, status in rows:
        out.setdefault(file_name, []).append((email, channel, status))
    return out


def _shop_read_by_older_consent_readers(tmp_path: Path, capsys, revision: str) -> Path:
    """Two imports with consent, taken back to ``revision`` and marked as read by older consent
    readers; each file's first customer has lost its fact (so a re-read of that file gives it back)."""
    header = ["Email", "First Name", "Accepts Email Marketing"]
    shop = tmp_path / "shop.omnidesk"
    for name, people in (("contacts.csv", [["ann@example.com", "Ann", "yes"], ["bob@example.com", "Bob", "no"]]),
                         ("newsletter.csv", [["cara@example.com", "Cara", "yes"], ["dan@example.com", "Dan", "no"]])):
        assert run_cli(capsys, "-w", shop, "import", write_csv(tmp_path / name, header, people))[0] == 0, name
    with Workspace.open(shop) as ws, ws.engine.begin() as conn:
        command.downgrade(_alembic_config(conn), revision)
        conn.exec_driver_sql("UPDATE setting SET value = '3' WHERE key = 'consent_readers'")
        conn.exec_driver_sql("DELETE FROM consent WHERE record_id IN (SELECT id FROM source_record "
                             "WHERE email IN ('ann@example.com', 'cara@example.com'))")
    return shop


def test_an_import_header_that_is_not_json_keeps_that_imports_consent_and_the_rest_is_read_again(tmp_path, capsys):
    shop = _shop_read_by_older_consent_readers(tmp_path, capsys, "0034")
    con = sqlite3.connect(shop)
    con.execute("UPDATE import_batch SET header_json = 'not json [' WHERE file_name = 'contacts.csv'")
    con.commit()
    con.close()
    recorded = _consent_by_file(shop)
    assert ("ann@example.com", "email", "granted") not in recorded["contacts.csv"]
    status, out, err = run_cli(capsys, "-w", shop, "info")
    assert status == 0, err
    assert "Traceback" not in err
    assert ("The consent of the import of contacts.csv could not be read again (a value stored for it is not "
            "valid JSON) and stays as it was recorded.") in err
    assert _revision(shop) == head_revision()
    now = _consent_by_file(shop)
    assert now["contacts.csv"] == recorded["contacts.csv"]  # never a "yes" guessed where its file was not read
    assert ("cara@example.com", "email", "granted") in now["newsletter.csv"]  # the other file was read again
    # Read once: opening again says nothing more.
    status, out, err = run_cli(capsys, "-w", shop, "info")
    assert status == 0 and "consent" not in err.lower()


def test_a_kept_row_that_is_not_json_keeps_its_consent_and_the_rest_is_read_again(tmp_path, capsys):
    shop = _shop_read_by_older_consent_readers(tmp_path, capsys, head_revision())
    con = sqlite3.connect(shop)
    con.execute("UPDATE source_record SET raw_json = '[\"ann@example.com\", oops' "
                "WHERE email = 'ann@example.com'")
    con.commit()
    con.close()
    recorded = _consent_by_file(shop)
    status, out, err = run_cli(capsys, "-w", shop, "info")
    assert status == 0, err
    assert ("The consent of 1 imported row could not be read again (a value stored for it is not valid JSON) "
            "and stays as it was recorded.") in err
    now = _consent_by_file(shop)
    assert not any(email == "ann@example.com" for email, _ch, _st in now["contacts.csv"])
    assert now["contacts.csv"] == recorded["contacts.csv"]
    assert ("cara@example.com", "email", "granted") in now["newsletter.csv"]


def test_a_consent_reread_that_stops_after_an_upgrade_leaves_the_file_as_it_was_and_names_the_copy(
        tmp_path, capsys, monkeypatch):
    from omnidesk.core.importing import backfill

    shop = _shop_read_by_older_consent_readers(tmp_path, capsys, "0034")
    before = _content(shop)

    def unreadable(_conn):
        json.loads("not json [")

    monkeypatch.setattr(backfill, "_mark_consent_readers", unreadable)  # after every row was written again
    status, out, err = run_cli(capsys, "-w", shop, "info")
    assert status == 1 and out == "" and one_line(err)
    (backup,) = backup_files(shop)
    assert err.strip() == (f"omnidesk: error: Could not upgrade shop.omnidesk for this version of omnidesk: a value "
                           f"stored in it is not valid JSON. The file was not changed, and a copy from before the "
                           f"upgrade is kept as {backup.name}.")
    assert _revision(shop) == "0034" and _content(shop) == before


def test_a_consent_reread_alone_that_stops_says_so_and_names_the_copy(tmp_path, capsys, monkeypatch):
    from omnidesk.core.importing import backfill

    shop = _shop_read_by_older_consent_readers(tmp_path, capsys, head_revision())
    before = _content(shop)

    def unreadable(_conn):
        json.loads("not json [")

    monkeypatch.setattr(backfill, "_mark_consent_readers", unreadable)
    status, out, err = run_cli(capsys, "-w", shop, "info")
    assert status == 1 and out == "" and one_line(err)
    (backup,) = backup_files(shop)
    assert err.strip() == (f"omnidesk: error: Could not upgrade shop.omnidesk for this version of omnidesk: a value "
                           f"stored in it is not valid JSON. The file was not changed, and a copy from before the "
                           f"upgrade is kept as {backup.name}.")
    assert _content(shop) == before


def test_retrying_an_upgrade_that_stops_keeps_one_copy_and_every_earlier_backup(tmp_path, capsys):
    shop = _shop_at(tmp_path, capsys, "0020", "SELECT 1")
    with time_machine.travel("2026-01-05 09:00:00Z", tick=False):
        Workspace.open(shop).close()  # an upgrade of long ago, from 0020
    with Workspace.open(shop) as ws, ws.engine.begin() as conn:
        command.downgrade(_alembic_config(conn), "0030")
    with time_machine.travel("2026-02-05 09:00:00Z", tick=False):
        Workspace.open(shop).close()  # and one from 0030
    earlier = {b.name: b.read_bytes() for b in backup_files(shop)}
    assert len(earlier) == 2
    with Workspace.open(shop) as ws, ws.engine.begin() as conn:
        command.downgrade(_alembic_config(conn), "0034")
        conn.exec_driver_sql(BAD_CURRENCY)
    named = set()
    for day in (10, 11, 12):  # the same upgrade tried again, on other days, of the same file
        with time_machine.travel(f"2026-03-{day} 09:00:00Z", tick=False):
            status, out, err = run_cli(capsys, "-w", shop, "info")
        assert status == 1 and "a copy from before the upgrade is kept as shop.before-0034-" in err
        named.add(err.split("kept as ")[1].rstrip().rstrip("."))
    copies = [b for b in backup_files(shop) if ".before-0034-" in b.name]
    assert len(copies) == 1 and named == {copies[0].name}  # one copy, named by every try
    assert {b.name: b.read_bytes() for b in backup_files(shop) if b.name in earlier} == earlier
    # Mended, it upgrades: a copy of each of the three versions it was upgraded from is kept (of 0034,
    # the mended file's).
    con = sqlite3.connect(shop)
    con.execute("UPDATE source_record SET values_json = '{\"currency\": \"EUR\"}' WHERE values_json LIKE '%oops'")
    con.commit()
    con.close()
    with time_machine.travel("2026-03-13 09:00:00Z", tick=False):
        assert run_cli(capsys, "-w", shop, "info")[0] == 0
    assert _revision(shop) == head_revision()
    left = [b.name for b in backup_files(shop)]
    assert len(left) == 3 and set(earlier) < set(left)
    (mended,) = [b for b in backup_files(shop) if ".before-0034-" in b.name]
    assert mended.name != copies[0].name and _revision(mended) == "0034"
    assert not any("oops" in line for line in _content(mended))
