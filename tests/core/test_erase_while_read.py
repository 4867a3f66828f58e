"""An erase while another window or command is reading the workspace: the write-ahead log beside the
file keeps copies of the erased rows until that reader lets go.  The erase waits a moment for it,
says so when it still reads, and the log is emptied once it does (the reader's close, or the next
change or close of the workspace that erased)."""

from __future__ import annotations

import json
import sqlite3

from omnidesk.core import held_files
from omnidesk.core.workspace import Workspace
from tests.helpers import run_cli, write_csv

HEADER = ["Email", "First Name", "Last Name", "Phone", "Address1", "City"]
TRACES = [b"Zarkowski", b"qzarkowski", b"Juniper"]


def _shop(folder, capsys):
    path = folder / "shop.omnidesk"
    people = write_csv(folder / "people.csv", HEADER, [
        ["qzarkowski@mailbox.example", "Quentin", "Zarkowski", "+1 207 555 0143", "48 Juniper Lane", "Portland"],
        *[[f"p{i}@example.com", f"Person{i}", f"Family{i}", "", f"{i} Oak St", "Portland"] for i in range(200)]])
    assert run_cli(capsys, "import", people, "--channel", "shop", "-w", path)[0] == 0
    return path


def traces(path) -> dict[str, list[str]]:
    """What of the erased customer each file beside the workspace holds; read as this process reads a
    file it has open through SQLite (held_files), so that a window open on it keeps its locks."""
    return {p.name: [t.decode() for t in TRACES if t in held_files.read_head(p, p.stat().st_size)]
            for p in sorted(path.parent.glob(path.name + "*")) if p.stat().st_size}


def _reading(path) -> sqlite3.Connection:
    reader = sqlite3.connect(path, isolation_level=None)
    reader.execute("BEGIN")
    reader.execute("SELECT count(*) FROM customer").fetchone()
    return reader


def test_the_command_line_says_when_a_reader_keeps_the_erased_rows_in_the_log(tmp_path, capsys):
    path = _shop(tmp_path, capsys)
    reader = _reading(path)
    status, out, err = run_cli(capsys, "person", "erase", "1", "--yes", "-w", path)
    assert status == 0, err
    assert out.startswith("Erased customer 1:")
    assert ("Another window or command is still reading the workspace: a copy of the erased data stays "
            "in the -wal file beside it until that window or command closes the workspace.") in err
    reader.rollback()
    reader.close()  # it lets go: nothing of them is left in either file
    assert traces(path) == {"shop.omnidesk": []}


def test_the_command_line_says_it_in_json_too(tmp_path, capsys):
    path = _shop(tmp_path, capsys)
    reader = _reading(path)
    status, out, err = run_cli(capsys, "person", "erase", "1", "--yes", "--json", "-w", path)
    reader.rollback()
    reader.close()
    assert status == 0, err
    said = json.loads(out)
    assert (said["customer"], said["erased"], said["log_held"], said["source_records"]) == (1, True, True, 1)
    assert "-wal file" in err
    status, out, err = run_cli(capsys, "person", "erase", "2", "--yes", "--json", "-w", path)
    assert (json.loads(out)["erased"], json.loads(out)["log_held"]) == (True, False)
    assert "-wal" not in err


def test_an_erase_no_one_reads_during_says_nothing_of_it(tmp_path, capsys):
    path = _shop(tmp_path, capsys)
    reader = sqlite3.connect(path, isolation_level=None)  # open, but not reading
    status, out, err = run_cli(capsys, "person", "erase", "1", "--yes", "-w", path)
    assert status == 0, err
    assert "-wal" not in err
    assert all(found == [] for found in traces(path).values())  # emptied at once, the reader still open
    reader.close()


def _looking(path) -> Workspace:
    """The workspace as a window has it open: it has looked for others' changes once."""
    ws = Workspace.open(path)
    ws.client = "app"
    assert not ws.changed_since_last_look()
    return ws


def test_a_window_that_read_through_an_erase_elsewhere_empties_the_log_at_its_next_look(tmp_path, capsys):
    path = _shop(tmp_path, capsys)
    window = _looking(path)
    with window.engine.connect() as reading:  # its read outlasts the erase's wait
        reading.exec_driver_sql("SELECT count(*) FROM customer").scalar()
        status, _out, err = run_cli(capsys, "person", "erase", "1", "--yes", "-w", path)
    assert status == 0, err
    assert "-wal file" in err
    assert window.changed_since_last_look()  # the look sees the erase, and folds the log in
    assert not window.log_held
    assert all(found == [] for found in traces(path).values()), traces(path)
    window.close()


def test_a_window_that_read_through_an_erase_elsewhere_empties_the_log_with_its_next_change(tmp_path, capsys):
    path = _shop(tmp_path, capsys)
    window = _looking(path)
    with window.engine.connect() as reading:
        reading.exec_driver_sql("SELECT count(*) FROM customer").scalar()
        status, _out, err = run_cli(capsys, "person", "erase", "1", "--yes", "-w", path)
    assert "-wal file" in err
    window.set_setting("business_name", "Corner Shop")  # it never looked: its change sees the erase
    assert all(found == [] for found in traces(path).values()), traces(path)
    window.close()


def test_a_window_still_reading_empties_the_log_at_a_look_after_its_read(tmp_path, capsys):
    path = _shop(tmp_path, capsys)
    window = _looking(path)
    reading = window.engine.connect()
    reading.exec_driver_sql("SELECT count(*) FROM customer").scalar()
    run_cli(capsys, "person", "erase", "1", "--yes", "-w", path)
    assert window.changed_since_last_look()  # seen while its own read still runs: kept for later
    assert window.log_held
    assert traces(path)["shop.omnidesk"]
    reading.close()
    assert not window.changed_since_last_look()  # nothing new, but the log goes now
    assert not window.log_held
    assert all(found == [] for found in traces(path).values()), traces(path)
    window.close()


def test_an_erase_elsewhere_while_no_window_reads_leaves_the_window_nothing_to_do(tmp_path, capsys):
    path = _shop(tmp_path, capsys)
    window = _looking(path)
    status, _out, err = run_cli(capsys, "person", "erase", "1", "--yes", "-w", path)
    assert status == 0, err
    assert "-wal" not in err
    assert all(found == [] for found in traces(path).values())
    assert window.changed_since_last_look()
    assert not window.log_held
    window.close()


def test_a_damaged_suppression_page_neither_fails_a_committed_write_nor_a_look(tmp_path, capsys):
    """The check for erasures made elsewhere ran after a write had committed: a damaged page under
    it ("database disk image is malformed") raised from a write already saved, and from the
    window's look, where the next read is what says the file is damaged."""
    import sqlite3

    from omnidesk.core.workspace import Workspace
    from tests.helpers import run_cli, write_csv

    path = tmp_path / "shop.omnidesk"
    people = write_csv(tmp_path / "p.csv", ["Email", "First Name"],
                       [[f"p{i}@example.com", f"P{i}"] for i in range(50)])
    assert run_cli(capsys, "import", people, "--channel", "shop", "-w", path)[0] == 0
    ws = Workspace.open(path)
    try:
        ws.client = "app"
        assert not ws.changed_since_last_look()
        other = sqlite3.connect(path, isolation_level=None)
        root = other.execute("SELECT rootpage FROM sqlite_master WHERE name='suppression'").fetchone()[0]
        size = other.execute("PRAGMA page_size").fetchone()[0]
        other.execute("INSERT INTO setting(key, value) VALUES ('elsewhere', '1')")
        other.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        other.close()
        with open(path, "r+b") as f:  # the suppression list's first page, overwritten
            f.seek((root - 1) * size)
            f.write(b"\x0d" + b"\xff" * (size - 1))
        ws.set_setting("business_name", "Corner Shop")  # saved, and said saved
        assert ws.changed_since_last_look() in (True, False)
    finally:
        ws.close()
    check = sqlite3.connect(path)
    try:
        assert check.execute("SELECT value FROM setting WHERE key='business_name'").fetchone() == ('"Corner Shop"',)
    finally:
        check.close()
