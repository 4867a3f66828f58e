"""One workspace shared by the app and the command line: reading writes nothing, writers wait
and say who holds the lock, read-only files open for reading, odd schemas are refused untouched."""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
import time_machine
from alembic import command
from sqlalchemy import create_engine

from omnidesk.cli import main
from omnidesk.core import dialect
from omnidesk.core.importing.batches import list_batches
from omnidesk.core.importing.pipeline import import_file
from omnidesk.core.importing.running import announce, withdraw
from omnidesk.core.workspace import (
    MAX_MIGRATION_BACKUPS,
    NewerWorkspaceError,
    ReadOnlyWorkspaceError,
    Workspace,
    WorkspaceBusyError,
    _alembic_config,
    head_revision,
    migration_backups,
)
from omnidesk.core.demo_data import SHOPIFY_CUSTOMERS_HEADER
from tests import helpers
from tests.helpers import write_csv


def fingerprint(path: Path) -> tuple[str, int, int]:
    """The file's bytes, its mtime and SQLite's file change counter (header offset 24)."""
    data = path.read_bytes()
    return hashlib.sha256(data).hexdigest(), path.stat().st_mtime_ns, int.from_bytes(data[24:28], "big")


def sidecars(path: Path) -> list[str]:
    return sorted(p.name for p in path.parent.iterdir() if p.name.startswith(path.name + "-"))


def shopify_customers(path: Path, n: int, start: int = 0) -> Path:
    """A Shopify customer export (the header Shopify's admin writes; see demo_data)."""
    rows = []
    for i in range(start, start + n):
        row = dict.fromkeys(SHOPIFY_CUSTOMERS_HEADER, "")
        row.update({"Customer ID": str(7_000_000_000 + i), "First Name": f"Ann{i}", "Last Name": f"Lee{i}",
                    "Email": f"ann{i}@example.com", "Accepts Email Marketing": "yes",
                    "Default Address City": "Portland", "Default Address Country Code": "US",
                    "Total Spent": "12.50", "Total Orders": "1"})
        rows.append([row[c] for c in SHOPIFY_CUSTOMERS_HEADER])
    return write_csv(path, SHOPIFY_CUSTOMERS_HEADER, rows)


@pytest.fixture(scope="module")
def shop_template(tmp_path_factory) -> Path:
    """Five customers imported once for the module; each test gets its own copy."""
    folder = tmp_path_factory.mktemp("shop")
    with Workspace.create(folder / "shop.omnidesk") as ws:
        import_file(ws, shopify_customers(folder / "customers_export.csv", 5))
    return folder


@pytest.fixture
def shop(tmp_path, shop_template) -> Path:
    for name in ("shop.omnidesk", "customers_export.csv"):
        shutil.copyfile(shop_template / name, tmp_path / name)
    return tmp_path / "shop.omnidesk"


def run(capsys, *argv):
    status = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return status, out, err


# -- reading writes nothing ---------------------------------------------------------------------


def test_read_commands_leave_the_file_byte_for_byte_as_it_was(shop, tmp_path, capsys):
    before = fingerprint(shop)
    time.sleep(0.01)  # an mtime that moved would show
    for argv in (["info"], ["info", "--json"], ["imports", "list"], ["review", "list"], ["settings"],
                 ["settings", "default_region"], ["export", "customers", tmp_path / "c.csv"],
                 ["export", "sources", tmp_path / "s.csv"],
                 ["person", "export", "ann1@example.com", tmp_path / "p.zip"]):
        status, _, err = run(capsys, *argv, "--workspace", shop)
        assert status == 0, (argv, err)
    assert fingerprint(shop) == before
    assert sidecars(shop) == []


def test_opening_a_current_workspace_to_write_writes_nothing_until_it_changes_something(shop):
    before = fingerprint(shop)
    Workspace.open(shop).close()
    assert fingerprint(shop) == before


def test_a_read_only_open_refuses_writes(shop):
    with Workspace.open(shop, readonly=True) as ws:
        assert ws.readonly and ws.counts()["customers"] == 5
        with pytest.raises(ReadOnlyWorkspaceError, match="read-only"):
            ws.set_setting("business_name", "Corner shop")
        with pytest.raises(Exception, match="readonly database"), ws.engine.begin() as conn:
            conn.exec_driver_sql("DELETE FROM customer")
    with Workspace.open(shop, readonly=True) as ws:
        assert ws.counts()["customers"] == 5


def test_settings_with_a_value_still_writes(shop, capsys):
    status, _, _ = run(capsys, "settings", "business_name", "Corner shop", "-w", shop)
    assert status == 0
    with Workspace.open(shop, readonly=True) as ws:
        assert ws.get_setting("business_name") == "Corner shop"


# -- read-only files, folders and drives ---------------------------------------------------------


@pytest.fixture
def deny_writes(monkeypatch):
    return lambda *paths: helpers.deny_writes(monkeypatch, *paths)


@pytest.mark.parametrize("what", ["file", "folder"])
def test_read_only_workspace_is_read_and_nothing_is_left_beside_it(shop, tmp_path, capsys, deny_writes, what):
    deny_writes(shop if what == "file" else shop.parent)
    before = fingerprint(shop)
    with pytest.raises(ReadOnlyWorkspaceError, match="is read-only"):
        Workspace.open(shop)
    with Workspace.open(shop, readonly=True) as ws:
        assert ws.readonly
        assert ws.counts()["customers"] == 5
        assert "immutable=1" in dialect.reading_uri(shop)
        assert sidecars(shop) == []  # not even while it is open
    status, out, _ = run(capsys, "info", "-w", shop)
    assert status == 0 and "Customers" in out
    more = shopify_customers(tmp_path / "more.csv", 2, start=100)
    for argv in (["import", more], ["settings", "business_name", "Corner shop"], ["merge", "1", "2"]):
        status, _, err = run(capsys, *argv, "-w", shop)
        assert status == 1, argv
        assert err.strip() == "omnidesk: error: the workspace shop.omnidesk is read-only: it can be read, " \
                              "not changed (check the file's and its folder's permissions, or the drive)."
    status, out, _ = run(capsys, "import", more, "--dry-run", "-w", shop)  # trying needs no writing
    assert status == 0 and "would import 2" in out
    assert fingerprint(shop) == before
    assert sidecars(shop) == []


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write a 0444 file; the os.access test covers the logic")
def test_a_chmod_444_workspace_opens_for_reading(shop, capsys):
    shop.chmod(0o444)
    try:
        status, out, _ = run(capsys, "info", "-w", shop)
        assert status == 0
        assert sidecars(shop) == []
    finally:
        shop.chmod(0o644)


def test_an_older_read_only_workspace_is_refused_with_a_way_out(tmp_path, deny_writes):
    path = old_workspace(tmp_path / "old.omnidesk")
    deny_writes(path)
    before = fingerprint(path)
    with pytest.raises(ReadOnlyWorkspaceError, match="older omnidesk .* copy it somewhere"):
        Workspace.open(path, readonly=True)
    assert fingerprint(path) == before and list(tmp_path.glob("*.bak")) == []


def test_every_command_on_an_older_read_only_workspace_says_it_must_be_upgraded(shop, tmp_path, capsys, deny_writes):
    with Workspace.open(shop) as ws, ws.engine.begin() as conn:  # as an older omnidesk left it
        command.downgrade(_alembic_config(conn), "0030")
    deny_writes(shop)
    before = fingerprint(shop)
    told = ("omnidesk: error: shop.omnidesk was made by an older omnidesk and must be upgraded, but it is read-only "
            "here; copy it somewhere you can write and open the copy.")
    for argv in (["info"], ["segment", "list"], ["tag", "add", "X", "2"], ["customer", "set", "2", "city", "Y"],
                 ["settings", "business_name", "Corner shop"]):
        status, out, err = run(capsys, *argv, "-w", shop)
        assert (status, out, err.strip()) == (1, "", told), argv
    assert fingerprint(shop) == before and list(tmp_path.glob("*.bak")) == []


# -- odd schemas and migration backups ---------------------------------------------------------


def old_workspace(path: Path, revision: str = "0006") -> Path:
    """A workspace as an older omnidesk left it: the schema at ``revision``, marked as ours."""
    engine = create_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        command.upgrade(_alembic_config(conn), revision)
        dialect.mark_workspace(conn)
    engine.dispose()
    return path


def _no_version_rows(con):
    con.execute("DELETE FROM alembic_version")


def _no_version_table(con):
    con.execute("DROP TABLE alembic_version")


def _two_version_rows(con):
    con.execute("INSERT INTO alembic_version VALUES ('0005')")


def _future_user_version(con):
    con.execute("PRAGMA user_version=3")


@pytest.mark.parametrize("damage", [_no_version_rows, _no_version_table, _two_version_rows, _future_user_version])
def test_odd_schemas_are_refused_untouched_and_not_backed_up(shop, damage):
    con = sqlite3.connect(shop)
    damage(con)
    con.commit()
    con.execute("PRAGMA journal_mode=DELETE")
    con.close()
    before = fingerprint(shop)
    for _ in range(2):  # every open: the same refusal, no new backup
        with pytest.raises(NewerWorkspaceError, match="newer or unknown version of omnidesk"):
            Workspace.open(shop)
        with pytest.raises(NewerWorkspaceError, match="not changed"):
            Workspace.open(shop, readonly=True)
    assert fingerprint(shop) == before
    assert migration_backups(shop) == [] and sidecars(shop) == []


@pytest.mark.parametrize("name", ["shop", "Corner [shop]"])
def test_an_older_workspace_is_backed_up_once_and_only_the_newest_backups_are_kept(tmp_path, name):
    path = old_workspace(tmp_path / f"{name}.omnidesk")
    (tmp_path / "other.before-0001-20250101-090000.omnidesk.bak").write_bytes(b"another workspace's")
    earlier = []
    for i in range(4):  # backups from earlier upgrades, oldest first
        b = tmp_path / f"{name}.before-000{i + 1}-2025010{i + 1}-090000.omnidesk.bak"
        b.write_bytes(b"an earlier copy")
        os.utime(b, (1_700_000_000 + i, 1_700_000_000 + i))
        earlier.append(b)
    with Workspace.open(path) as ws:
        assert ws.schema_revision() == head_revision()
        new = ws.backup_path
    assert new is not None and new.name.startswith(f"{name}.before-0006-")
    assert (tmp_path / "other.before-0001-20250101-090000.omnidesk.bak").exists()  # not this workspace's
    kept = migration_backups(path)
    assert len(kept) == MAX_MIGRATION_BACKUPS
    assert kept[-1] == new and kept[:-1] == earlier[-(MAX_MIGRATION_BACKUPS - 1):]
    with sqlite3.connect(new) as con:  # the backup is the old schema, whole
        assert con.execute("SELECT version_num FROM alembic_version").fetchall() == [("0006",)]
    with Workspace.open(path) as ws:
        assert ws.backup_path is None
    assert migration_backups(path) == kept


def test_a_read_command_on_an_older_workspace_upgrades_it_once(tmp_path, capsys):
    path = old_workspace(tmp_path / "shop.omnidesk")
    status, out, _ = run(capsys, "info", "-w", path)
    assert status == 0 and head_revision() in out
    assert len(migration_backups(path)) == 1
    assert sidecars(path) == []


# -- a busy workspace ------------------------------------------------------------------------------


def _running_import(path: Path, client: str) -> int:
    with Workspace.open(path) as ws:
        ws.client = client
        ws.set_setting("timezone", "Europe/Berlin")
        with time_machine.travel("2026-03-02 13:02:00+00:00", tick=False):
            return announce(ws, dict(file_name="customers_export.csv", file_hash="x" * 64, file_size=1,
                                     channel="shop", kind="contacts", header_json="[]",
                                     mapping_json="[]", options_json="{}"))


@pytest.mark.parametrize("client, words", [("command line", "from the command line"), ("app", "in the app")])
def test_a_write_that_cannot_get_the_lock_says_whose_import_holds_it(shop, client, words):
    batch_id = _running_import(shop, client)
    holder = sqlite3.connect(shop, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # the import's long transaction
    try:
        with Workspace.open(shop, busy_timeout=0.3) as ws:
            started = time.monotonic()
            with pytest.raises(WorkspaceBusyError) as caught:
                ws.set_setting("business_name", "Corner shop")
            assert time.monotonic() - started >= 0.25  # it waited before giving up
            assert str(caught.value) == (f"the workspace is busy with an import (started 14:02 CET {words}); "
                                         "try again when it finishes")
            assert ws.counts()["customers"] == 5  # reading does not wait
    finally:
        holder.rollback()
        holder.close()
    with Workspace.open(shop) as ws:
        ws.set_setting("business_name", "Corner shop")  # the lock is free: it lands
        withdraw(ws, batch_id)
        assert ws.running_import() is None


def test_any_command_that_changes_the_workspace_during_an_import_says_busy_in_one_line(shop, tmp_path, capsys):
    batch_id = _running_import(shop, "app")
    holder = sqlite3.connect(shop, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        for argv in (["merge", "1", "2"], ["settings", "business_name", "Corner shop"],
                     ["import", shopify_customers(tmp_path / "more.csv", 2, start=70)], ["resolve"]):
            status, _, err = run(capsys, *argv, "-w", shop, "--wait", "0.2")
            assert status == 1, argv
            assert err == ("omnidesk: error: the workspace is busy with an import (started 14:02 CET in the app); "
                           "try again when it finishes\n"), argv
    finally:
        holder.rollback()
        holder.close()
    with Workspace.open(shop, readonly=True) as ws:
        assert ws.counts()["customers"] == 5 and ws.get_setting("business_name") == ""
        assert [b["status"] for b in list_batches(ws)] == ["running", "done"]  # nothing half-done
    with Workspace.open(shop) as ws:
        withdraw(ws, batch_id)


def test_a_running_row_of_a_process_that_died_is_cleared_by_the_next_import(shop, tmp_path):
    batch_id = _running_import(shop, "command line")
    con = sqlite3.connect(shop)
    con.execute("UPDATE import_batch SET options_json = json_set(options_json, '$.pid', 999999999) WHERE id = ?",
                (batch_id,))  # no such process
    con.commit()
    con.close()
    with Workspace.open(shop) as ws:
        import_file(ws, shopify_customers(tmp_path / "more.csv", 2, start=50))
        batches = [(b["file_name"], b["status"]) for b in list_batches(ws)]
    assert batches == [("more.csv", "done"), ("customers_export.csv", "done")]  # the dead one's row went


def test_a_failed_import_withdraws_its_running_row(shop, tmp_path):
    from omnidesk.core.importing.pipeline import analyze, run_import

    with Workspace.open(shop) as ws:
        plan = analyze(ws, shopify_customers(tmp_path / "more.csv", 3, start=50))
        steps = run_import(ws, plan)
        next(steps)  # started: its row is committed for the other windows to see
        with Workspace.open(shop, readonly=True) as other:
            assert other.running_import()["file_name"] == "more.csv"
            assert other.running_import()["by"] == "command line"
        steps.close()  # stopped half way: nothing stays, not even the row
        assert ws.running_import() is None
        assert [b["status"] for b in list_batches(ws)] == ["done"]
        assert ws.counts()["customers"] == 5


# -- two processes on one file ---------------------------------------------------------------------

ROOT = Path(__file__).resolve().parents[2]


def _start_import(csv: Path, workspace: Path, *extra: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "omnidesk", "import", str(csv), "-w", str(workspace), *extra],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _wait_until_running(workspace: Path, proc: subprocess.Popen) -> dict:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.communicate()
        with Workspace.open(workspace, readonly=True) as ws:
            running = ws.running_import()
        if running is not None:
            return running
        time.sleep(0.05)
    raise AssertionError("the import never announced itself")


def test_an_import_from_another_process_makes_the_second_say_busy_and_lands_whole(shop, tmp_path, capsys):
    first = _start_import(shopify_customers(tmp_path / "big.csv", 4000, start=1000), shop)
    running = _wait_until_running(shop, first)
    assert running["by"] == "command line" and running["file_name"] == "big.csv"
    # Reading does not wait for it.
    status, out, _ = run(capsys, "info", "-w", shop)
    assert status == 0 and "Customers" in out
    # A second import that will not wait is told who is busy, in one line.
    status, _, err = run(capsys, "import", shopify_customers(tmp_path / "small.csv", 3, start=90), "-w", shop,
                         "--wait", "0")
    assert first.poll() is None  # the first was still at it when the second gave up
    assert status == 1
    assert err.count("\n") == 1 and "Traceback" not in err
    assert err.startswith("omnidesk: error: the workspace is busy with an import (started ")
    assert err.rstrip().endswith(" from the command line); try again when it finishes")
    out, err = first.communicate(timeout=600)
    assert first.returncode == 0, err
    assert "imported 4,000" in out
    # One that waits lands after it.
    status, _, _ = run(capsys, "import", tmp_path / "small.csv", "-w", shop, "--wait", "300")
    assert status == 0
    with Workspace.open(shop, readonly=True) as ws:
        assert [(b["file_name"], b["status"], b["imported"]) for b in list_batches(ws)] == [
            ("small.csv", "done", 3), ("big.csv", "done", 4000), ("customers_export.csv", "done", 5)]
        assert ws.counts()["customers"] == 5 + 4000 + 3
    assert sidecars(shop) == []


def test_two_imports_started_together_both_land(shop, tmp_path):
    """Started at once, each waits for the other's lock; neither crashes (it used to, 1 race in 6)."""
    for round_ in range(2):
        a = shopify_customers(tmp_path / f"a{round_}.csv", 300, start=10_000 * (round_ + 1))
        b = shopify_customers(tmp_path / f"b{round_}.csv", 300, start=10_000 * (round_ + 1) + 5000)
        procs = [_start_import(a, shop, "--wait", "300"), _start_import(b, shop, "--wait", "300")]
        for proc in procs:
            out, err = proc.communicate(timeout=600)
            assert proc.returncode == 0 and "Traceback" not in err, err
            assert "imported 300" in out
    with Workspace.open(shop, readonly=True) as ws:
        assert ws.counts()["customers"] == 5 + 4 * 300
        assert {b["status"] for b in list_batches(ws)} == {"done"}


def _commit_after(path: Path, seconds: float):
    """Another process's import, as SQLite sees it: holds the write lock, writes, commits later."""
    import threading

    con = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    con.execute("BEGIN IMMEDIATE")
    con.execute("UPDATE customer SET notes = 'from the import' WHERE id = (SELECT max(id) FROM customer)")

    def finish():
        time.sleep(seconds)
        con.execute("COMMIT")
        con.close()

    thread = threading.Thread(target=finish)
    thread.start()
    return thread


@pytest.mark.parametrize("what", ["pin", "merge", "undo import"])
def test_app_edits_wait_for_a_write_that_commits_meanwhile(shop, what):
    """A pin or merge that read before another window committed used to fail at once with
    SQLite's raw "database is locked": it takes the write lock first now, so it waits."""
    from omnidesk.core.identity.merge import merge_customers, pin_value
    from omnidesk.core.importing.batches import undo_batch

    with Workspace.open(shop) as ws:
        with ws.engine.connect() as conn:
            ids = sorted(conn.exec_driver_sql("SELECT id FROM customer").scalars())
        batch = list_batches(ws)[0]["id"]
        other = _commit_after(shop, 0.5)
        try:
            if what == "pin":
                pin_value(ws, ids[0], "city", "Pinned City")
            elif what == "merge":
                merge_customers(ws, ids[:2])
            else:
                undo_batch(ws, batch)
        finally:
            other.join()
        with ws.engine.connect() as conn:
            pinned = conn.exec_driver_sql("SELECT pinned_json FROM customer WHERE id = ?", (ids[0],)).scalar()
            left = conn.exec_driver_sql("SELECT count(*) FROM customer").scalar()
    if what == "pin":
        assert "Pinned City" in pinned
    elif what == "merge":
        assert left == len(ids) - 1
    else:
        assert left == 0


def test_a_pin_that_cannot_get_the_lock_says_the_workspace_is_busy(shop):
    from omnidesk.core.identity.merge import pin_value

    with Workspace.open(shop) as ws:
        ws.busy_timeout = 0.2
        with ws.engine.connect() as conn:
            cid = conn.exec_driver_sql("SELECT min(id) FROM customer").scalar()
        other = _commit_after(shop, 2.0)
        try:
            with pytest.raises(WorkspaceBusyError, match="the workspace is busy"):
                pin_value(ws, cid, "city", "Nowhere")
        finally:
            other.join()


def test_resolve_during_an_import_says_the_workspace_is_busy(shop, capsys):
    holder = sqlite3.connect(shop, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        status, _out, err = run(capsys, "resolve", "-w", shop, "--wait", "0.2")
    finally:
        holder.rollback()
        holder.close()
    assert status == 1 and err.startswith("omnidesk: error: the workspace is busy") and err.count("\n") == 1


def test_a_killed_imports_row_is_not_named_as_the_one_holding_the_lock(shop):
    """A killed import leaves its "running" row until the next import; something else holding
    the lock meanwhile must not be called that dead import."""
    batch_id = _running_import(shop, "command line")
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()  # a process id that has ended
    with Workspace.open(shop) as ws:
        with ws.writing() as conn:
            conn.exec_driver_sql("UPDATE import_batch SET options_json = json_set(options_json, '$.pid', ?) "
                                 "WHERE id = ?", (gone.pid, batch_id))
    holder = sqlite3.connect(shop, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        with Workspace.open(shop, busy_timeout=0.2) as ws:
            assert ws.running_import() is None
            with pytest.raises(WorkspaceBusyError) as caught:
                ws.set_setting("business_name", "Corner shop")
            assert str(caught.value) == ("the workspace is busy: another window or command is writing to "
                                         "it; try again in a moment")
    finally:
        holder.rollback()
        holder.close()


def test_a_quiet_write_is_not_news_but_what_came_before_it_still_is(ws):
    """``writing_quietly`` (the summaries this process keeps) moves the look's mark past its own
    commit only when nothing else was committed since the last look."""
    from sqlalchemy import text

    assert not ws.changed_since_last_look()  # the first look sets the mark
    with ws.writing_quietly() as conn:
        conn.execute(text("INSERT INTO setting (key, value) VALUES ('kept', '1')"))
    assert not ws.changed_since_last_look()
    with sqlite3.connect(ws.path) as other:  # another process's commit, then a quiet one
        other.execute("INSERT INTO setting (key, value) VALUES ('theirs', '1')")
    with ws.writing_quietly() as conn:
        conn.execute(text("UPDATE setting SET value = '2' WHERE key = 'kept'"))
    assert ws.changed_since_last_look()
    with ws.writing() as conn:  # every write of this process is its own, not news
        conn.execute(text("UPDATE setting SET value = '3' WHERE key = 'kept'"))
    assert not ws.changed_since_last_look()


def test_a_write_of_this_process_never_hides_another_commit_before_it(ws):
    """A scheduled import committed, then the window wrote (a tag): the look after the window's own
    change still says something else was committed, once; a later own write alone says nothing."""
    from sqlalchemy import text

    assert not ws.changed_since_last_look()
    with ws.writing() as conn:
        conn.execute(text("INSERT INTO setting (key, value) VALUES ('kept', '1')"))
    assert not ws.changed_since_last_look()
    with sqlite3.connect(ws.path) as other:
        other.execute("INSERT INTO setting (key, value) VALUES ('theirs', '1')")
    with ws.writing() as conn:
        conn.execute(text("UPDATE setting SET value = '2' WHERE key = 'kept'"))
    with ws.writing() as conn:  # a second write of the same change
        conn.execute(text("UPDATE setting SET value = '3' WHERE key = 'kept'"))
    assert ws.changed_since_last_look()
    assert not ws.changed_since_last_look()
    # Another's commit after the own write is news to the next look.
    with ws.writing() as conn:
        conn.execute(text("UPDATE setting SET value = '4' WHERE key = 'kept'"))
    with sqlite3.connect(ws.path) as other:
        other.execute("UPDATE setting SET value = '2' WHERE key = 'theirs'")
    assert ws.changed_since_last_look()


def test_an_import_and_an_emptied_log_of_this_process_are_not_news(ws, tmp_path):
    """The window's own import (a transaction of its own) and the log it empties after an
    erasure change SQLite's count of changes too: neither is taken for another's change."""
    from omnidesk.core.dialect import checkpoint
    from omnidesk.core.importing.pipeline import import_file

    assert not ws.changed_since_last_look()
    import_file(ws, shopify_customers(tmp_path / "customers_export.csv", 2))
    assert not ws.changed_since_last_look()
    with ws.own_change():
        checkpoint(ws.engine)
    assert not ws.changed_since_last_look()
    with sqlite3.connect(ws.path) as other:  # another's commit before them stays news
        other.execute("INSERT INTO setting (key, value) VALUES ('theirs', '1')")
    import_file(ws, shopify_customers(tmp_path / "more.csv", 2, start=5))
    assert ws.changed_since_last_look()
