"""The file or folder a command writes is named by the user: an empty or blank name is refused.

An empty name is no name (as a path it is ".", the folder the command was typed in, and an
optional one would pass for "not given"); a blank one names a file nobody can see.  Every
output argument is refused the same way, as a usage error (2) naming it, before anything is
read or written.
"""

from __future__ import annotations

import pytest

from tests.helpers import cli_shop_fixtures, one_line, run_cli

PEOPLE = (["Email", "First Name", "Last Name"], [
    ["ann@example.com", "Ann", "Lee"],
    ["bob@example.com", "Bob", "Stone"],
])

shop_template, shop = cli_shop_fixtures(PEOPLE)

# Each command with its output argument left as {}, and the name the refusal gives it.
OUTPUTS = [
    (["report", "--pdf", "{}"], "--pdf"),
    (["export", "sources", "{}"], "OUT.csv"),
    (["export", "customers", "{}"], "OUT.csv"),
    (["export", "timeline", "1", "{}"], "OUT.csv"),
    (["imports", "errors", "1", "{}"], "OUT.csv"),
    (["person", "export", "1", "{}"], "OUT.zip"),
    (["message", "render", "Spring", "--channel", "email", "--out", "{}"], "--out"),
    (["message", "render", "Spring", "--channel", "store", "--out", "{}"], "--out"),
    (["message", "export-json", "Spring", "{}"], "OUT.json"),
    (["import", "people.csv", "--errors", "{}"], "--errors"),
    (["campaign", "export", "Spring", "--out", "{}"], "--out"),
    (["demo", "--files", "{}"], "--files"),
    (["recover", "shop.omnidesk", "{}"], "NEW"),
]


@pytest.mark.parametrize("given, said", [("", "empty"), (" ", "blank"), ("\t ", "blank")])
@pytest.mark.parametrize("argv, name", OUTPUTS, ids=[" ".join(a[:2]) + " " + n for a, n in OUTPUTS])
def test_an_empty_or_blank_output_name_is_refused_naming_the_argument(shop, tmp_path, capsys, monkeypatch,
                                                                       argv, name, given, said):
    monkeypatch.chdir(tmp_path)
    before = sorted(p.name for p in tmp_path.iterdir())
    shop_bytes = shop.read_bytes()
    workspace = [] if argv[0] in ("demo", "recover") else ["-w", shop]
    status, out, err = run_cli(capsys, *workspace, *[given if a == "{}" else a for a in argv])
    assert status == 2 and not out and one_line(err), (status, out, err)
    assert f"{name}: give " in err and f"(it was {said})" in err, err
    assert " . " not in err and "is a folder" not in err  # never read as the current folder
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # nothing written, not even a file named " "
    assert shop.read_bytes() == shop_bytes


def test_person_export_without_out_still_names_the_zip_after_the_customer(shop, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    status, out, err = run_cli(capsys, "-w", shop, "person", "export", "1")
    assert status == 0, err
    assert (tmp_path / "customer-1.zip").is_file() and "customer-1.zip" in out


def test_report_without_pdf_writes_no_pdf(shop, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    status, out, err = run_cli(capsys, "-w", shop, "report")
    assert status == 0 and out, err
    assert not list(tmp_path.glob("*.pdf"))
