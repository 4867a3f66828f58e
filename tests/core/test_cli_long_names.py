"""A file name longer than the disk keeps is said in one plain sentence by every command.

The system refuses such a name (``ENAMETOOLONG``) wherever it is first used: looking for a
workspace, reading a file to import, checking or writing an output.  Every command says the
same: which name is too long, how long it is in bytes as the disk counts them (an accented
letter is two) and how long it may be, never the system's ``[Errno 36] File name too long``.
"""

from __future__ import annotations

import os
import re

import pytest

from tests.helpers import cli_shop_fixtures, one_line, run_cli

PEOPLE = (["Email", "First Name", "Last Name"], [
    ["ann@example.com", "Ann", "Lee"],
    ["bob@example.com", "Bob", "Stone"],
])

shop_template, shop = cli_shop_fixtures(PEOPLE)

LONG = "é" * 200  # 200 letters, 400 bytes: longer than any common disk keeps a name (255)


def _name_max(folder) -> int:
    return os.pathconf(folder, "PC_NAME_MAX")


@pytest.mark.parametrize("argv, size", [
    (["-w", "{dir}/" + LONG + ".omnidesk", "info"], 409),
    (["-w", "{dir}/" + LONG + ".omnidesk", "tag", "add", "X", "1"], 409),
    (["-w", "{shop}", "import", "{dir}/" + LONG + ".csv"], 404),
    (["-w", "{shop}", "import", "{dir}/people.csv", "--errors", "{dir}/" + LONG + ".csv"], 404),
    (["-w", "{shop}", "export", "sources", "{dir}/" + LONG + ".csv"], 404),
    (["-w", "{shop}", "export", "customers", LONG + ".csv"], 404),
    (["-w", "{shop}", "imports", "errors", "1", LONG + ".csv"], 404),
    (["-w", "{shop}", "report", "--pdf", LONG + ".pdf"], 404),
    (["-w", "{shop}", "person", "export", "1", LONG + ".zip"], 404),
    (["-w", "{shop}", "message", "export-json", "Spring", LONG + ".json"], 405),
    (["-w", "{shop}", "campaign", "export", "Spring", "--out", "a" * 300], 300),
    (["demo", "--files", "a" * 300], 300),
    (["recover", "{shop}", "{dir}/" + LONG + ".omnidesk"], 409),
    (["recover", "{dir}/" + LONG + ".omnidesk", "{dir}/new.omnidesk"], 409),
], ids=lambda v: " ".join(a for a in v if "é" not in a and "{" not in a)[:40] if isinstance(v, list) else str(v))
def test_a_name_too_long_for_the_disk_is_said_in_one_plain_sentence(shop, tmp_path, capsys, monkeypatch, argv, size):
    monkeypatch.chdir(tmp_path)
    before = sorted(p.name for p in tmp_path.iterdir())
    shop_bytes = shop.read_bytes()
    argv = [a.format(dir=tmp_path, shop=shop) for a in argv]
    status, out, err = run_cli(capsys, *argv)
    assert status == 1 and one_line(err), (status, out, err)
    assert "Errno" not in err and "File name too long" not in err, err
    assert (f"That name is too long for this disk ({size:,} bytes; at most {_name_max(tmp_path):,}): "
            "choose a shorter one.") in err, err
    assert sorted(p.name for p in tmp_path.iterdir()) == before
    assert shop.read_bytes() == shop_bytes


def test_a_folder_name_too_long_is_said_to_be_the_folders(shop, tmp_path, capsys):
    status, _, err = run_cli(capsys, "-w", shop, "export", "sources", tmp_path / LONG / "out.csv")
    assert status == 1 and one_line(err), err
    assert f"That folder name is too long for this disk (400 bytes; at most {_name_max(tmp_path):,})" in err, err


def test_a_path_too_long_as_a_whole_says_so(shop, tmp_path, capsys):
    deep = tmp_path.joinpath(*["b" * 200] * 25) / "out.csv"  # every name short, the whole over 4,096 bytes
    status, _, err = run_cli(capsys, "-w", shop, "export", "sources", deep)
    assert status == 1 and one_line(err), err
    assert re.search(r"That path is too long for this disk \([\d,]+ bytes; at most [\d,]+\): choose a shorter "
                     r"name, or a folder nearer the top\.", err), err
