"""A file written into a folder that refuses it: one line naming the user's file and folder.

Every export is written to a temporary file beside the one asked for and
renamed into place; the operating system's own words would name that
temporary file (``c.csv.part``), which the user never asked for.
"""

from __future__ import annotations

import builtins
import errno
import io
import os
import shutil
from pathlib import Path

import pytest

from omnidesk.core import failures
from tests.helpers import another_users_cli, cli_shop_fixtures, one_line, run_cli

PEOPLE = (["Email", "First Name"], [["ann@example.com", "Ann"], ["broken@", "Bob"]])  # Bob's row is flagged

shop_template, shop = cli_shop_fixtures(PEOPLE)


@pytest.fixture
def read_only(tmp_path, monkeypatch):
    """A folder nothing may be written in, as for a user without write permission on it (root may
    write anything, and tests may run as root)."""
    folder = tmp_path / "ro"
    folder.mkdir()

    def inside(path) -> bool:
        return isinstance(path, (str, os.PathLike)) and Path(os.path.abspath(path)).parent == folder

    real_open, real_replace = io.open, os.replace

    def refusing_open(file, mode="r", *args, **kwargs):
        if inside(file) and any(c in mode for c in "wax+"):
            raise PermissionError(errno.EACCES, "Permission denied", os.fspath(file))
        return real_open(file, mode, *args, **kwargs)

    def refusing_replace(src, dst, *args, **kwargs):
        if inside(src) or inside(dst):
            raise PermissionError(errno.EACCES, "Permission denied", os.fspath(src), None, os.fspath(dst))
        return real_replace(src, dst, *args, **kwargs)

    monkeypatch.setattr(io, "open", refusing_open)
    monkeypatch.setattr(builtins, "open", refusing_open)
    monkeypatch.setattr(os, "replace", refusing_replace)
    return folder


@pytest.mark.parametrize(("command", "name"), [
    (["export", "customers"], "c.csv"),
    (["export", "sources"], "c.csv"),
    (["export", "timeline", "ann@example.com"], "c.csv"),
    (["imports", "errors", "1"], "e.csv"),
    (["person", "export", "ann@example.com"], "p.zip"),
    (["report", "--pdf"], "r.pdf"),
])
def test_a_read_only_folder_is_named_never_the_temporary_file(shop, read_only, capsys, command, name):
    status, _out, err = run_cli(capsys, *command, read_only / name, "-w", shop)
    assert status == 1 and one_line(err)
    assert err.strip() == f"omnidesk: error: cannot write {name}: the folder {read_only} is read-only"
    assert list(read_only.iterdir()) == []


def test_a_person_export_into_a_folder_that_is_not_there_says_so(shop, tmp_path, capsys):
    status, _out, err = run_cli(capsys, "person", "export", "ann@example.com", tmp_path / "nodir" / "p.zip",
                                "-w", shop)
    assert status == 1
    assert err.strip() == f"omnidesk: error: cannot write p.zip: there is no folder {tmp_path / 'nodir'}"
    assert not (tmp_path / "nodir").exists()


def test_an_error_report_of_an_import_refused_by_its_folder_says_the_import_landed(shop, read_only, capsys):
    again = read_only.parent / "again.csv"
    again.write_text("Email,First Name\nnew@example.com,New\nbroken@,Bea\n", encoding="utf-8")
    status, _out, err = run_cli(capsys, "import", again, "--errors", read_only / "e.csv", "-w", shop)
    assert status == 1 and one_line(err)
    assert err.strip() == (f"omnidesk: error: Imported again.csv into shop.omnidesk, but the error report "
                           f"{read_only / 'e.csv'} could not be written: the folder {read_only} is read-only; "
                           "write it again with 'omnidesk imports errors 2 OUT.csv'.")


@pytest.mark.parametrize(("code", "words"), [
    (errno.EROFS, "the folder {folder} is on a read-only disk"),
    (errno.ENOSPC, "the disk holding {folder} is full"),
    (errno.EIO, "input/output error"),
])
def test_other_refusals_are_said_of_the_users_folder(tmp_path, code, words):
    target = tmp_path / "c.csv"
    exc = OSError(code, os.strerror(code), str(target) + ".part")
    assert failures.write_failure_reason(target, exc) == words.format(folder=tmp_path)


def test_a_file_already_there_that_may_not_be_replaced_is_named(tmp_path):
    target = tmp_path / "spring.ics"
    target.write_text("old")
    exc = PermissionError(errno.EPERM, "Operation not permitted", str(target), None, str(tmp_path / "x"))
    reason = failures.write_failure_reason(target, exc)
    assert reason.startswith(f"the file spring.ics already in {tmp_path} may not be replaced")


def test_recover_into_a_folder_another_user_may_not_write_says_so_in_one_line(shared_folder, empty_workspace_file):
    shutil.copyfile(empty_workspace_file, shared_folder / "shop.omnidesk")
    (shared_folder / "shop.omnidesk").chmod(0o644)
    locked = shared_folder / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    run = another_users_cli(shared_folder)
    status, _out, err = run("recover", "shop.omnidesk", "locked/new.omnidesk")
    assert status == 1 and one_line(err), err
    assert err.strip() == "omnidesk: error: cannot write new.omnidesk: the folder locked is read-only"
    assert list(locked.iterdir()) == []


@pytest.fixture
def behind_a_closed_folder(shared_folder, empty_workspace_file):
    """``(run, ...)``: a workspace anyone may change, and a folder ``secret`` (holding a CSV file and
    a workspace) that the user ``run`` runs as may not open, as another user's private folder."""
    shutil.copyfile(empty_workspace_file, shared_folder / "shop.omnidesk")
    (shared_folder / "shop.omnidesk").chmod(0o666)
    secret = shared_folder / "secret"
    secret.mkdir()
    (secret / "a.csv").write_text("Email\nann@example.com\n", encoding="utf-8")
    shutil.copyfile(empty_workspace_file, secret / "x.omnidesk")
    secret.chmod(0o000)  # not even its owner's way in, so the case is real whoever runs the tests
    return another_users_cli(shared_folder)


CANNOT_OPEN = 'omnidesk: error: "{name}" cannot be opened (Permission denied); check that the file exists and ' \
              'that you may read it.'


@pytest.mark.parametrize(("argv", "name"), [
    (["import", "secret/a.csv", "-w", "shop.omnidesk"], "a.csv"),
    (["import", "secret/a.csv", "--dry-run", "-w", "shop.omnidesk"], "a.csv"),
    (["info", "-w", "secret/x.omnidesk"], "x.omnidesk"),
    (["import", "shop.omnidesk", "-w", "secret/x.omnidesk"], "x.omnidesk"),
    (["recover", "secret/x.omnidesk", "new.omnidesk"], "x.omnidesk"),
])
def test_a_file_in_a_folder_the_user_may_not_open_is_said_as_any_file_that_cannot_be_read(
        behind_a_closed_folder, shared_folder, argv, name):
    before = (shared_folder / "shop.omnidesk").read_bytes()
    status, _out, err = behind_a_closed_folder(*argv)
    assert status == 1 and one_line(err), err
    assert err.strip() == CANNOT_OPEN.format(name=name)
    assert (shared_folder / "shop.omnidesk").read_bytes() == before
    assert not (shared_folder / "new.omnidesk").exists()


@pytest.mark.parametrize(("argv", "name"), [
    (["export", "customers", "secret/o.csv"], "o.csv"),
    (["person", "export", "1", "secret/p.zip"], "p.zip"),
    (["report", "--pdf", "secret/r.pdf"], "r.pdf"),
    (["recover", "shop.omnidesk", "secret/new.omnidesk"], "new.omnidesk"),
])
def test_an_output_in_a_folder_the_user_may_not_open_names_that_folder(behind_a_closed_folder, argv, name):
    status, _out, err = behind_a_closed_folder(*argv, "-w", "shop.omnidesk")
    assert status == 1 and one_line(err), err
    assert err.strip() == f"omnidesk: error: cannot write {name}: the folder secret cannot be opened (permission denied)"
