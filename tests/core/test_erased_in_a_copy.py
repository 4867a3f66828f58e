"""The same file imported again after one of its people was erased: their row is said to be left out
as erased at their request, not counted a duplicate of a row the workspace no longer holds."""

from __future__ import annotations

import json

from tests.helpers import run_cli, write_csv

HEADER = ["Email", "First Name", "Last Name", "Phone"]
PEOPLE = [["ann@example.com", "Ann", "Lee", ""], ["zoe.private@example.org", "Zoe", "Quill", "+14155550123"],
          ["bob@example.com", "Bob", "Kay", ""]]


def test_importing_the_same_file_after_an_erase_says_the_erased_row_was_left_out(tmp_path, capsys):
    path = tmp_path / "shop.omnidesk"
    shop = write_csv(tmp_path / "shop.csv", HEADER, PEOPLE)
    assert run_cli(capsys, "import", shop, "--channel", "shop", "-w", path)[0] == 0
    status, out, _ = run_cli(capsys, "import", shop, "--channel", "shop", "-w", path)
    assert status == 0 and "duplicates 3" in out and "left out" not in out  # nobody erased yet

    assert run_cli(capsys, "person", "erase", "zoe.private@example.org", "--yes", "-w", path)[0] == 0
    status, out, _ = run_cli(capsys, "import", shop, "--channel", "shop", "-w", path)
    assert status == 0
    assert "3 rows: imported 0, flagged 0, duplicates 2, left out 1 (erased at their request)" in out
    status, out, _ = run_cli(capsys, "import", shop, "--channel", "shop", "--dry-run", "--json", "-w", path)
    assert status == 0
    said = json.loads(out)
    assert (said["rows"], said["duplicates"], said["suppressed"]) == (3, 2, 1)
    status, out, _ = run_cli(capsys, "imports", "list", "--json", "-w", path)
    listed = json.loads(out)
    assert [b["duplicates"] for b in sorted(listed, key=lambda b: b["id"])] == [0, 3, 2]
    assert "zoe" not in out.lower()
