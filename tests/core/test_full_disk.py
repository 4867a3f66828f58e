"""A full disk during an import, a dry run or an error report: one sentence, nothing changed, nothing left.

Two ways to fill a disk: a real 1 MB tmpfs (needs the right to mount; skipped
with the reason otherwise), and portable ones that run everywhere: SQLite's
``max_page_count`` makes the workspace "full" (``SQLITE_FULL``, what SQLite
raises when the disk is), and a file write that fails with ``ENOSPC``.
"""

from __future__ import annotations

import csv
import errno
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from sqlalchemy import event

from omnidesk.cli import main
from omnidesk.core import dialect, tempfiles
from omnidesk.core.demo_data import SHOPIFY_CUSTOMERS_HEADER
from tests.helpers import write_csv


def shopify_customers(path: Path, n: int, start: int = 0) -> Path:
    """A Shopify customers export (header: Shopify's "Export customers" CSV, see demo_data)."""
    rows = []
    for i in range(start, start + n):
        row = dict.fromkeys(SHOPIFY_CUSTOMERS_HEADER, "")
        row.update({
            "Customer ID": str(7000000000 + i), "First Name": f"Ann{i}", "Last Name": "Lee",
            "Email": f"ann.lee{i}@example.com", "Accepts Email Marketing": "yes",
            "Default Address City": "Portland", "Default Address Province Code": "ME",
            "Default Address Country Code": "US", "Default Address Zip": "04101",
            "Phone": f"+1207555{i % 10000:04d}", "Accepts SMS Marketing": "no",
            "Total Spent": "12.50", "Total Orders": "1", "Tax Exempt": "no",
        })
        rows.append([row[h] for h in SHOPIFY_CUSTOMERS_HEADER])
    return write_csv(path, SHOPIFY_CUSTOMERS_HEADER, rows)


def integrity(path: Path) -> str:
    con = sqlite3.connect(path)
    try:
        return con.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        con.close()


def counts(path: Path) -> dict:
    con = sqlite3.connect(path)
    try:
        return {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                for t in ("customer", "source_record", "import_batch", "identifier")}
    finally:
        con.close()


@pytest.fixture
def private_temp(tmp_path, monkeypatch):
    """The system temp folder, pointed somewhere the test owns."""
    def point(folder: Path) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        monkeypatch.setattr(tempfile, "tempdir", str(folder))
        monkeypatch.setattr(tempfiles, "_folder", None)
        return folder
    point(tmp_path / "tmp")
    return point


@pytest.fixture
def small_disk(tmp_path):
    """A 1 MB tmpfs: a real disk that fills up."""
    mount = tmp_path / "small-disk"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here ({done.stderr.strip() or 'not permitted'}); "
                    "the max_page_count and ENOSPC tests cover the same paths")
    yield mount
    subprocess.run(["umount", "-l", str(mount)], check=False)


def one_line(err: str) -> str:
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert len(lines) == 1, err
    assert "Traceback" not in err and "[SQL" not in err and "INSERT" not in err
    assert "@example.com" not in err and "Ann1" not in err  # no customer's data
    return lines[0]


def test_import_onto_a_full_disk_says_where_and_changes_nothing(tmp_path, small_disk, capsys, private_temp):
    ws = small_disk / "shop.omnidesk"
    assert main(["import", str(shopify_customers(tmp_path / "first.csv", 3)), "-w", str(ws)]) == 0
    before = counts(ws)
    free = shutil.disk_usage(small_disk).free
    capsys.readouterr()

    big = shopify_customers(tmp_path / "customers_export.csv", 4_000, start=100)
    assert main(["import", str(big), "-w", str(ws)]) == 1
    line = one_line(capsys.readouterr().err)
    assert f"The disk holding {small_disk} is full" in line and "nothing was changed" in line

    assert counts(ws) == before and integrity(ws) == "ok"
    wal = Path(f"{ws}-wal")
    assert not wal.exists() or wal.stat().st_size == 0  # the failed write's log gave its space back
    assert sorted(p.name for p in small_disk.iterdir()) == ["shop.omnidesk"]
    # Every page the failed write took is free again (a few may stay with the workspace file).
    assert shutil.disk_usage(small_disk).free >= free - (64 << 10)


def test_first_import_onto_a_full_disk_leaves_no_workspace(tmp_path, small_disk, capsys, private_temp):
    big = shopify_customers(tmp_path / "customers_export.csv", 4_000)
    ws = small_disk / "new.omnidesk"
    assert main(["import", str(big), "-w", str(ws)]) == 1
    assert "is full" in one_line(capsys.readouterr().err)
    assert list(small_disk.iterdir()) == []


def test_dry_run_of_several_files_with_a_full_temp_folder(tmp_path, small_disk, capsys, private_temp):
    ws = tmp_path / "shop.omnidesk"
    assert main(["import", str(shopify_customers(tmp_path / "first.csv", 3)), "-w", str(ws)]) == 0
    before = counts(ws)
    capsys.readouterr()
    private_temp(small_disk)  # the scratch copy goes here, and does not fit
    files = [shopify_customers(tmp_path / "a.csv", 4_000, start=100),
             shopify_customers(tmp_path / "b.csv", 10, start=50_000)]
    assert main(["import", *map(str, files), "--dry-run", "-w", str(ws)]) == 1
    line = one_line(capsys.readouterr().err)
    assert f"The disk holding {small_disk} is full" in line
    assert counts(ws) == before and integrity(ws) == "ok"
    leftovers = [p for p in small_disk.rglob("*") if p.is_file() and p.name != tempfiles.OWNER_FILE]
    assert leftovers == []  # no scratch copy, no log


def test_error_report_onto_a_full_disk_says_the_import_landed(tmp_path, small_disk, capsys, private_temp):
    ws = tmp_path / "shop.omnidesk"
    rows = shopify_customers(tmp_path / "customers_export.csv", 40)
    text = rows.read_text()
    rows.write_text(text.replace("ann.lee7@example.com", "ann.lee7@@example"))  # one flagged row
    (small_disk / "filler").write_bytes(b"\0" * (shutil.disk_usage(small_disk).free - 100))
    report = small_disk / "problems.csv"
    assert main(["import", str(rows), "--errors", str(report), "-w", str(ws)]) == 1
    line = one_line(capsys.readouterr().err)
    assert line.startswith(f"omnidesk: error: Imported customers_export.csv into shop.omnidesk, but the error "
                           f"report {report} could not be written: the disk holding {small_disk} is full")
    assert line.endswith("; write it again with 'omnidesk imports errors 1 OUT.csv'.")
    assert counts(ws)["source_record"] == 40  # the import committed
    assert sorted(p.name for p in small_disk.iterdir()) == ["filler"]  # no problems.csv.part


# -- portable: no mount needed ---------------------------------------------------------------


@pytest.fixture
def workspace_that_fills(monkeypatch):
    """Every workspace engine opened from now on may grow by only a few pages (SQLITE_FULL)."""
    configure = dialect.configure_sqlite_engine

    def configure_and_cap(engine, **kwargs):
        settings = configure(engine, **kwargs)

        @event.listens_for(engine, "connect")
        def _cap(dbapi_connection, _record):
            pages = dbapi_connection.execute("PRAGMA page_count").fetchone()[0]
            if pages > 50:  # leave creating a workspace alone; cap an existing one
                dbapi_connection.execute(f"PRAGMA max_page_count={pages + 20}")

        return settings

    monkeypatch.setattr(dialect, "configure_sqlite_engine", configure_and_cap)


def test_sqlite_full_on_import_and_dry_run(tmp_path, capsys, workspace_that_fills, private_temp):
    ws = tmp_path / "shop.omnidesk"
    assert main(["import", str(shopify_customers(tmp_path / "first.csv", 3)), "-w", str(ws)]) == 0
    before = counts(ws)
    capsys.readouterr()
    big = shopify_customers(tmp_path / "customers_export.csv", 3_000, start=100)
    for extra in ([], ["--dry-run"]):
        assert main(["import", str(big), "-w", str(ws), *extra]) == 1
        line = one_line(capsys.readouterr().err)
        assert line == (f"omnidesk: error: The disk holding {tmp_path} is full while writing shop.omnidesk; "
                        "nothing was changed. Free some space and try again.")
        assert counts(ws) == before and integrity(ws) == "ok"
    assert not Path(f"{ws}-wal").exists() or Path(f"{ws}-wal").stat().st_size == 0


def test_report_write_failing_with_enospc_removes_the_part_file(tmp_path, capsys, monkeypatch, private_temp):
    from omnidesk.core.exporting import csvsafe

    real_writer = csv.writer

    class FailingWriter:
        def __init__(self, fh):
            self.inner, self.rows = real_writer(fh), 0  # noqa: F821 - set below

        def writerow(self, row):
            self.rows += 1
            if self.rows > 1:
                raise OSError(errno.ENOSPC, "No space left on device", str(report) + ".part")
            return self.inner.writerow(row)

    ws = tmp_path / "shop.omnidesk"
    rows = shopify_customers(tmp_path / "customers_export.csv", 10)
    rows.write_text(rows.read_text().replace("ann.lee3@example.com", "ann.lee3@"))
    monkeypatch.setattr(csvsafe.csv, "writer", FailingWriter)
    report = tmp_path / "out" / "problems.csv"
    report.parent.mkdir()
    for dry in (True, False):  # the dry run first: once imported, the rows are duplicates
        extra = ["--dry-run"] if dry else []
        assert main(["import", str(rows), "--errors", str(report), "-w", str(ws), *extra]) == 1
        line = one_line(capsys.readouterr().err)
        done = "Nothing was imported (a dry run)" if dry else "Imported customers_export.csv into shop.omnidesk"
        # Once imported, the report can be written again from the workspace: the line says how.
        again = "" if dry else "; write it again with 'omnidesk imports errors 1 OUT.csv'"
        assert line == (f"omnidesk: error: {done}, but the error report {report} could not be written: "
                        f"the disk holding {report.parent} is full. Free some space and try again{again}.")
        assert list(report.parent.iterdir()) == []
    assert counts(ws)["import_batch"] == 1


# -- a full disk is not a damaged workspace ----------------------------------------------------


READ_UNDER_A_SIZE_LIMIT = """
import resource, shutil, signal, sys
from collections import namedtuple
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails (EFBIG) instead
resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))  # not even SQLite's shared-memory file grows
if sys.argv[1] == "full":  # and its disk says it is full, as a full disk does
    Usage = namedtuple("Usage", "total used free")
    shutil.disk_usage = lambda folder: Usage(1 << 20, 1 << 20, 0)
from omnidesk.cli import main
from omnidesk.core.workspace import Workspace, WorkspaceError, DamagedWorkspaceError
try:
    Workspace.open(sys.argv[2]).close()
except DamagedWorkspaceError as exc:
    print("app: damaged:", exc)
except WorkspaceError as exc:
    print("app:", exc)
sys.exit(main(sys.argv[3:]))
"""


def test_a_workspace_that_cannot_be_read_for_a_full_disk_is_not_called_damaged(tmp_path, capsys):
    # A WAL workspace needs a small shared-memory file beside it even to be read; on a full disk
    # SQLite cannot grow it ("disk I/O error", SQLITE_IOERR_SHMSIZE), and every command called the
    # workspace damaged, the app offering to restore a backup over it.
    ws = tmp_path / "shop.omnidesk"
    assert main(["import", str(shopify_customers(tmp_path / "first.csv", 3)), "-w", str(ws)]) == 0
    capsys.readouterr()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["first.csv", "shop.omnidesk"]
    before = ws.read_bytes()
    out_csv = tmp_path / "out" / "sources.csv"
    out_csv.parent.mkdir()
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    for disk in ("full", "failing"):
        for command in (["info"], ["imports", "list"], ["settings"], ["export", "sources", str(out_csv)],
                        ["customer", "set", "1", "city", "Paris"]):
            done = subprocess.run([sys.executable, "-c", READ_UNDER_A_SIZE_LIMIT, disk, str(ws),
                                   *command, "-w", str(ws)], capture_output=True, text=True, env=env)
            assert done.returncode == 1, (command, done.stderr)
            line = one_line(done.stderr)
            assert "damaged" not in line and "damaged" not in done.stdout and "recover" not in line, line
            if disk == "full":
                said = (f"The disk holding {tmp_path} is full: shop.omnidesk cannot be opened, as even reading "
                        "it needs a little room beside it; nothing was changed. Free some space and try again.")
            else:
                said = ("shop.omnidesk could not be read: the drive it is on reported an error (disk I/O error); "
                        "nothing was changed. Check the drive, then try again.")
            assert line == f"omnidesk: error: {said}", line
            assert done.stdout == f"app: {said}\n"
            # Nothing left beside it: the log files the failed read made are gone.
            assert sorted(p.name for p in tmp_path.iterdir()) == ["first.csv", "out", "shop.omnidesk"]
            assert ws.read_bytes() == before and not list(out_csv.parent.iterdir())


def test_commands_on_a_really_full_disk_say_so(tmp_path, small_disk, capsys, private_temp):
    from omnidesk.core.workspace import DamagedWorkspaceError, Workspace, WorkspaceError

    ws = small_disk / "shop.omnidesk"
    assert main(["import", str(shopify_customers(tmp_path / "first.csv", 3)), "-w", str(ws)]) == 0
    capsys.readouterr()
    (small_disk / "filler").write_bytes(b"\0" * shutil.disk_usage(small_disk).free)
    before = ws.read_bytes()
    said = (f"The disk holding {small_disk} is full: shop.omnidesk cannot be opened, as even reading it "
            "needs a little room beside it; nothing was changed. Free some space and try again.")
    for command in (["info"], ["imports", "list"], ["export", "sources", str(tmp_path / "s.csv")],
                    ["import", str(shopify_customers(tmp_path / "more.csv", 3, start=10))]):
        assert main([*command, "-w", str(ws)]) == 1
        assert one_line(capsys.readouterr().err) == f"omnidesk: error: {said}"
        assert sorted(p.name for p in small_disk.iterdir()) == ["filler", "shop.omnidesk"]
    with pytest.raises(WorkspaceError) as opened:
        Workspace.open(ws)
    assert not isinstance(opened.value, DamagedWorkspaceError) and str(opened.value) == said
    assert ws.read_bytes() == before


def test_a_full_disk_stopping_several_files_still_tells_of_their_error_reports(
        tmp_path, capsys, workspace_that_fills, private_temp, monkeypatch):
    # `import a.csv b.csv c.csv --errors …` stopped by a full disk at b.csv: a.csv was kept with its
    # flagged rows, but its error report was dropped without a word, and c.csv went unnamed.
    from omnidesk.core.exporting import csvsafe

    ws = tmp_path / "shop.omnidesk"
    assert main(["import", str(shopify_customers(tmp_path / "first.csv", 3)), "-w", str(ws)]) == 0
    capsys.readouterr()
    flagged = shopify_customers(tmp_path / "a.csv", 10, start=100)
    flagged.write_text(flagged.read_text().replace("ann.lee103@example.com", "ann.lee103@"))
    big = shopify_customers(tmp_path / "b.csv", 3_000, start=1_000)
    never = shopify_customers(tmp_path / "c.csv", 3, start=90_000)
    out = tmp_path / "out"
    out.mkdir()
    files = [str(flagged), str(big), str(never), "--errors", str(out / "problems.csv"), "-w", str(ws)]
    full = (f"omnidesk: error: The disk holding {tmp_path} is full while writing shop.omnidesk. Free some space "
            "and try again. Imported before the disk filled: a.csv; not imported: b.csv, c.csv.")

    assert main(["import", *files]) == 1
    said = capsys.readouterr()
    assert one_line(said.err) == full
    assert f"Wrote 1 flagged row of a.csv to {out / 'problems-a.csv'}" in said.out
    assert sorted(p.name for p in out.iterdir()) == ["problems-a.csv"]
    assert "ann.lee103@" in (out / "problems-a.csv").read_text()
    assert run_imports_list(ws) == ["a.csv", "first.csv"]

    # Where the report cannot be written either, the line says so, and how to write it later.
    (out / "problems-a.csv").unlink()
    assert main(["imports", "undo", "2", "-w", str(ws)]) == 0
    capsys.readouterr()
    real_writer = csv.writer

    class FailingWriter:
        def __init__(self, fh):
            self.inner = real_writer(fh)

        def writerow(self, row):
            raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(csvsafe.csv, "writer", FailingWriter)
    assert main(["import", *files]) == 1
    line = one_line(capsys.readouterr().err)
    assert line == (f"{full} The error report of a.csv (1 flagged row) was not written to {out / 'problems-a.csv'}: "
                    f"the disk holding {out} is full; write it with 'omnidesk imports errors 3 OUT.csv'.")
    assert list(out.iterdir()) == []

    # As JSON, the file that was imported is still told, one object a line.
    assert main(["imports", "undo", "3", "-w", str(ws)]) == 0
    capsys.readouterr()
    assert main(["import", *files, "--json"]) == 1
    said = capsys.readouterr()
    assert [json.loads(line)["file"] for line in said.out.splitlines()] == ["a.csv"]
    assert "imports errors 4 OUT.csv" in one_line(said.err)


def run_imports_list(ws: Path) -> list[str]:
    con = sqlite3.connect(ws)
    try:
        return [name for (name,) in con.execute(
            "SELECT file_name FROM import_batch WHERE status = 'done' ORDER BY file_name")]
    finally:
        con.close()
