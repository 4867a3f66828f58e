"""The command line names channels as the screens do, and takes them by that name too."""

from __future__ import annotations

import json

from omnidesk.cli import main
from tests.helpers import write_csv


def _run(capsys, *argv):
    status = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return status, out, err


def test_import_by_label_prints_labels_and_json_keeps_codes(tmp_path, capsys):
    ws = tmp_path / "ws.omnidesk"
    members = write_csv(tmp_path / "members.csv", ["Email", "First name"], [["ada@example.com", "Ada"]])
    status, out, _ = _run(capsys, "import", members, "--channel", "Till", "-w", ws)
    assert status == 0
    assert "(Till)" in out and "(pos)" not in out

    status, out, _ = _run(capsys, "imports", "list", "-w", ws)
    assert status == 0
    header, line = out.splitlines()[:2]
    assert "Channel" in header and " Till " in line and " pos " not in line

    # Files and --json are for programs: they keep the code.
    status, out, _ = _run(capsys, "imports", "list", "--json", "-w", ws)
    assert [b["channel"] for b in json.loads(out)] == ["pos"]


def test_a_channel_of_ones_own_keeps_its_name(tmp_path, capsys):
    ws = tmp_path / "ws.omnidesk"
    stall = write_csv(tmp_path / "stall.csv", ["Email"], [["bo@example.com"]])
    status, out, _ = _run(capsys, "import", stall, "--channel", "farmers_market", "-w", ws)
    assert status == 0 and "(Farmers market)" in out
    status, out, _ = _run(capsys, "imports", "list", "--json", "-w", ws)
    assert [b["channel"] for b in json.loads(out)] == ["farmers_market"]
