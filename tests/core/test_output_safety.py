"""Nothing omnidesk writes can destroy a workspace or carry a live formula.

Every command that writes a file is tried against the workspace itself, its
sidecars, another workspace and an existing file; and every writer of CSV is
walked with values a spreadsheet would run as formulas.
"""

from __future__ import annotations

import ast
import csv
import hashlib
import io
import shutil
import zipfile
from pathlib import Path

import pytest

from omnidesk.cli import main
from omnidesk.core.exporting.outfiles import is_database
from omnidesk.core.exporting.tables import export_customers, export_sources
from omnidesk.core.importing.pipeline import ImportOptions, analyze, import_file, run_to_end, write_error_report
from omnidesk.core.rights import export_person
from omnidesk.core.timeline import export_timeline, find_customer
from omnidesk.core.workspace import Workspace
from tests.helpers import copied, write_csv

FORMULA = "=SUM(1+1)"


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def shop_template(tmp_path_factory, empty_workspace_file):
    """The workspace ``shop`` copies: imported once for the module."""
    folder = tmp_path_factory.mktemp("shop")
    shutil.copyfile(empty_workspace_file, folder / "shop.omnidesk")
    with Workspace.open(folder / "shop.omnidesk") as ws:
        import_file(ws, write_csv(folder / "list.csv", ["Email", "First Name", "Last Name"],
                                  [["ann@example.com", "Ann", "Lee"]]), ImportOptions(channel="email"))
    return folder


@pytest.fixture
def shop(tmp_path, shop_template):
    """A real workspace file with one customer and one event, closed again, beside the list it came from."""
    return copied(shop_template, tmp_path, ("shop.omnidesk", "list.csv"))


@pytest.fixture
def other_workspace(tmp_path, empty_workspace_file):
    """Another (empty) workspace beside ``shop``."""
    other = tmp_path / "other.omnidesk"
    shutil.copyfile(empty_workspace_file, other)
    return other


def _run(capsys, *argv):
    status = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return status, out, err


@pytest.mark.parametrize("command", [
    ["export", "customers", "{ws}"],
    ["export", "sources", "{ws}"],
    ["export", "timeline", "ann@example.com", "{ws}"],
    ["person", "export", "ann@example.com", "{ws}"],
    ["import", "{csv}", "--errors", "{ws}"],
    ["import", "{csv}", "--errors", "{ws}", "--dry-run"],
])
@pytest.mark.parametrize("force", [False, True])
def test_no_command_writes_over_the_workspace(shop, tmp_path, capsys, command, force):
    bad = write_csv(tmp_path / "bad.csv", ["Email", "Phone"], [["not-an-email", "12"]])
    before = _digest(shop)
    argv = [a.format(ws=shop, csv=bad) for a in command] + ["--workspace", shop] + (["--force"] if force else [])
    status, _out, err = _run(capsys, *argv)
    assert status != 0
    assert "Will not write over" in err and "Traceback" not in err
    assert err.count("\n") == 1  # one line
    assert _digest(shop) == before
    with Workspace.open(shop) as ws:
        assert ws.counts()["customers"] == 1


@pytest.mark.parametrize("target", ["{ws}-wal", "{ws}-shm", "{other}", "{backup}", "{link}"])
def test_sidecars_other_workspaces_and_links_to_them_are_refused_even_with_force(shop, other_workspace, tmp_path,
                                                                                capsys, target):
    other = other_workspace
    backup = tmp_path / "copy-of-shop.db"  # any SQLite file, whatever its name
    with Workspace.open(shop) as ws:
        ws.save_copy(backup)
    link = tmp_path / "export.csv"
    link.symlink_to(other)
    out = Path(target.format(ws=shop, other=other, backup=backup, link=link))
    before = _digest(out.resolve()) if out.exists() else None
    status, _out, err = _run(capsys, "export", "customers", out, "--workspace", shop, "--force")
    assert status == 1 and "Will not write over" in err
    assert (_digest(out.resolve()) if out.exists() else None) == before


def test_an_existing_file_is_replaced_only_with_force(shop, tmp_path, capsys):
    out = tmp_path / "customers.csv"
    out.write_text("keep me\n")
    status, _out, err = _run(capsys, "export", "customers", out, "--workspace", shop)
    assert status == 1 and "already exists; add --force to replace it" in err
    assert out.read_text() == "keep me\n"
    status, _out, _err = _run(capsys, "export", "customers", out, "--workspace", shop, "--force")
    assert status == 0 and out.read_text().startswith("id,first_name")


@pytest.mark.parametrize("command", [["export", "customers"], ["export", "sources"],
                                     ["export", "timeline", "ann@example.com"]])
def test_an_export_into_a_folder_that_is_not_there_says_so(shop, tmp_path, capsys, command):
    (tmp_path / "a file").write_text("not a folder\n")
    for folder in (tmp_path / "missing", tmp_path / "a file"):
        status, _out, err = _run(capsys, *command, folder / "out.csv", "--workspace", shop)
        assert status == 1 and err.strip() == (f"omnidesk: error: cannot write out.csv: there is no folder "
                                               f"{folder}"), err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a file", "list.csv", "shop.omnidesk"]


def test_a_workspace_name_is_never_an_export_even_when_new(tmp_path, capsys):
    """``--errors new.omnidesk`` for a workspace the same import creates: both would be one file."""
    ws = tmp_path / "new.omnidesk"
    data = write_csv(tmp_path / "list.csv", ["Email"], [["ann@example.com"], ["broken@"]])
    status, _out, err = _run(capsys, "import", data, "--errors", ws, "--workspace", ws)
    assert status == 1 and "Will not write over" in err
    assert not ws.exists()  # refused before anything was done


def test_save_a_copy_never_replaces_another_workspace(shop, other_workspace, tmp_path):
    from omnidesk.core.workspace import WorkspaceError

    other = other_workspace
    before = _digest(other)
    with Workspace.open(shop) as ws:
        with pytest.raises(WorkspaceError, match="never replaces one"):
            ws.save_copy(other)
        ws.save_copy(tmp_path / "fresh copy.omnidesk")
    assert _digest(other) == before
    assert (tmp_path / "fresh copy.omnidesk").exists()



@pytest.mark.parametrize("beside", ["link", "workspace"])
def test_save_a_copy_leaves_what_is_beside_it_alone(shop, other_workspace, tmp_path, beside):
    """The copy was written through ``NAME.part``: a link there was removed, a workspace so named deleted."""
    dest = tmp_path / "copy.omnidesk"
    named = tmp_path / "copy.omnidesk.part"
    if beside == "link":
        named.symlink_to(other_workspace)
    else:
        shutil.copyfile(other_workspace, named)
    before = _digest(other_workspace)
    with Workspace.open(shop) as ws:
        ws.save_copy(dest)
    assert named.is_symlink() == (beside == "link") and _digest(named) == before == _digest(other_workspace)
    with Workspace.open(dest) as copy:
        assert copy.counts()["customers"] == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["copy.omnidesk", "copy.omnidesk.part", "list.csv", "other.omnidesk", "shop.omnidesk"])


def test_save_a_copy_never_replaces_a_workspace_that_took_its_name_meanwhile(shop, other_workspace, tmp_path,
                                                                            monkeypatch):
    from omnidesk.core import dialect
    from omnidesk.core.workspace import WorkspaceError

    dest = tmp_path / "copy.omnidesk"
    dest.write_text("a file the save dialog asked to replace\n")
    connect = dialect.sqlite3.connect

    def and_meanwhile(*args, **kwargs):  # the copy starts; another window saves a workspace there
        shutil.copyfile(other_workspace, dest)
        return connect(*args, **kwargs)

    with Workspace.open(shop) as ws:
        monkeypatch.setattr(dialect.sqlite3, "connect", and_meanwhile)
        with pytest.raises(WorkspaceError, match="Will not write over"):
            ws.save_copy(dest)
        monkeypatch.undo()
    assert _digest(dest) == _digest(other_workspace)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["copy.omnidesk", "list.csv", "other.omnidesk",
                                                          "shop.omnidesk"]

# The name each command once wrote through before renaming into place: a link left there by
# anyone was followed, and the file it pointed to overwritten with the export.
WRITES_BESIDE = [
    (["export", "customers"], "out.csv", "out.csv.part"),
    (["export", "sources"], "out.csv", "out.csv.part"),
    (["export", "timeline", "ann@example.com"], "out.csv", "out.csv.part"),
    (["person", "export", "ann@example.com"], "p.zip", "p.zip.part"),
    (["report", "--pdf"], "r.pdf", ".r.pdf.partial"),
]


@pytest.mark.parametrize(("command", "name", "beside"), WRITES_BESIDE, ids=lambda v: "-".join(v)
                         if isinstance(v, list) else None)
def test_a_link_beside_the_output_is_never_written_through(shop, other_workspace, tmp_path, capsys,
                                                          command, name, beside):
    link = tmp_path / beside
    link.symlink_to(other_workspace)
    before = _digest(other_workspace)
    status, _out, err = _run(capsys, *command, tmp_path / name, "--workspace", shop)
    assert status == 0, err
    assert _digest(other_workspace) == before
    with Workspace.open(other_workspace) as ws:
        assert ws.counts()["customers"] == 0
    assert link.is_symlink() and link.resolve() == other_workspace.resolve()  # left as it was
    assert (tmp_path / name).stat().st_size > 0 and not (tmp_path / name).is_symlink()
    assert not is_database(tmp_path / name)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(  # and no temporary file left
        [beside, name, "list.csv", "other.omnidesk", "shop.omnidesk"])


@pytest.mark.parametrize(("command", "name", "beside"), WRITES_BESIDE, ids=lambda v: "-".join(v)
                         if isinstance(v, list) else None)
def test_a_file_left_beside_the_output_by_a_killed_run_does_not_block_the_next(shop, tmp_path, capsys,
                                                                              command, name, beside):
    stale = tmp_path / beside
    stale.write_bytes(b"half an export\n")
    stale.chmod(0o444)  # even one that cannot be written to
    status, _out, err = _run(capsys, *command, tmp_path / name, "--workspace", shop)
    assert status == 0, err
    assert (tmp_path / name).stat().st_size > 0
    assert stale.read_bytes() == b"half an export\n"  # not ours to remove
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([beside, name, "list.csv", "shop.omnidesk"])


# -- every CSV writer, with formulas in the data ---------------------------------------


def _cells(text: str) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(text)) for cell in row]


def _assert_no_live_formula(name: str, text: str) -> None:
    cells = _cells(text)
    assert any(FORMULA in c for c in cells), f"{name}: the test value did not reach the file"
    live = [c for c in cells if c[:1] in ("=", "@") or c.startswith(("+S", "-S"))]
    assert not live, f"{name} writes live formulas: {live}"


def test_every_csv_writer_neutralises_formulas(new_workspace, tmp_path):
    with new_workspace(tmp_path / "w.omnidesk") as ws:
        import_file(ws, write_csv(tmp_path / "list.csv", ["Email", "First Name", "Last Name", "City"],
                                  [["ann@example.com", FORMULA, "Lee", FORMULA]]), ImportOptions(channel="email"))
        import_file(ws, write_csv(tmp_path / "till.csv", ["Email", "Total", "Date", "Summary"],
                                  [["ann@example.com", "9.00", "2024-05-01 10:00", FORMULA]]),
                    ImportOptions(channel="pos", kind="events", mapping=["email", "amount", "occurred_at", "summary"]))
        ann = find_customer(ws, "ann@example.com")
        outputs: dict[str, str] = {}
        export_sources(ws, tmp_path / "sources.csv")
        outputs["export sources"] = (tmp_path / "sources.csv").read_text(encoding="utf-8")
        export_customers(ws, tmp_path / "customers.csv")
        outputs["export customers"] = (tmp_path / "customers.csv").read_text(encoding="utf-8")
        export_timeline(ws, ann, tmp_path / "timeline.csv")
        outputs["export timeline"] = (tmp_path / "timeline.csv").read_text(encoding="utf-8")
        export_person(ws, ann, tmp_path / "ann.zip")
        with zipfile.ZipFile(tmp_path / "ann.zip") as z:
            for member in z.namelist():
                if member.endswith(".csv"):
                    outputs[f"person export {member}"] = z.read(member).decode("utf-8")
        plan = analyze(ws, write_csv(tmp_path / "bad.csv", ["Email", "First Name"], [["broken@", FORMULA]]),
                       ImportOptions(channel="email"))
        result = run_to_end(ws, plan, dry_run=True)
        write_error_report(tmp_path / "report.csv", [(plan, result)])
        outputs["error report"] = (tmp_path / "report.csv").read_text(encoding="utf-8")
    # The person export's tables with formulas in them: source records (raw row) and events.
    for name in ("export sources", "export customers", "export timeline", "person export source_records.csv",
                 "person export events.csv", "error report"):
        _assert_no_live_formula(name, outputs[name])
    for name, text in outputs.items():
        assert not [c for c in _cells(text) if c.startswith("=")], name


def test_only_the_safe_writer_makes_csv():
    """No module but ``core/exporting/csvsafe.py`` builds a csv writer: every CSV goes through it.

    The demo generator is the one exception: it writes *input*, vendor exports as the
    vendors write them (formula guards would make them unlike the real files).
    """
    root = Path(__file__).resolve().parents[2] / "omnidesk"
    offenders = []
    for path in root.rglob("*.py"):
        if path.name == "csvsafe.py" or path.relative_to(root).as_posix() == "core/demo_data/shared.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr in ("writer", "DictWriter") \
                    and isinstance(node.value, ast.Name) and node.value.id == "csv":
                offenders.append(f"{path.relative_to(root)}:{node.lineno}")
    assert not offenders, offenders


def test_a_workspace_name_in_capitals_is_never_an_export(shop, tmp_path, capsys):
    """On a case-blind disk SHOP.OMNIDESK is shop.omnidesk itself; everywhere it is a workspace's name."""
    for name in ("SHOP.OMNIDESK", "Other.Omnidesk", "shop.omnidesk-WAL"):
        status, _out, err = _run(capsys, "export", "customers", tmp_path / name, "--workspace", shop, "--force")
        assert status == 1 and "Will not write over" in err
        assert not (tmp_path / name).exists()


@pytest.mark.parametrize("force", [True, False])
@pytest.mark.parametrize("dry_run", [False, True])
def test_the_error_report_never_replaces_the_file_being_imported(shop, tmp_path, capsys, dry_run, force):
    """Refused as the file being imported with or without --force: not "add --force", advice that
    could only lead to this same refusal."""
    data = write_csv(tmp_path / "list.csv", ["Email"], [["bob@example.com"], ["broken@"]])
    before = data.read_bytes()
    status, _out, err = _run(capsys, "import", data, "--errors", data, *(["--force"] if force else []),
                             "--workspace", shop, *(["--dry-run"] if dry_run else []))
    assert status == 1 and "it is a file being imported" in err and err.count("\n") == 1
    assert data.read_bytes() == before
    with Workspace.open(shop) as ws:
        assert ws.counts()["customers"] == 1  # refused before anything was imported


def test_output_names_with_control_characters_are_printed_escaped(shop, tmp_path, capsys):
    out = tmp_path / "cust\x1b[2J\n.csv"
    status, printed, _err = _run(capsys, "export", "customers", out, "--workspace", shop)
    assert status == 0 and printed == f"Wrote 1 customer to {tmp_path}/cust\\x1b[2J\\n.csv\n"
    status, _printed, err = _run(capsys, "export", "customers", out, "--workspace", shop)
    assert status == 1 and err == (f"omnidesk: error: {tmp_path}/cust\\x1b[2J\\n.csv already exists; "
                                   "add --force to replace it\n")
    status, _printed, err = _run(capsys, "info", "--workspace", tmp_path / "no\x1bne.omnidesk")
    assert status == 1 and "\x1b" not in err and "no\\x1bne.omnidesk" in err and err.count("\n") == 1


def test_a_dash_is_no_file_name(shop, tmp_path, capsys, monkeypatch):
    """`export customers -` means standard output to a shell user: never a file called "-"."""
    monkeypatch.chdir(tmp_path)
    status, _out, err = _run(capsys, "export", "customers", "-", "--workspace", shop)
    assert status == 1 and "'-' is not one" in err
    assert not (tmp_path / "-").exists()
