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


def test_imports_list_reads_on_the_shops_clock_in_columns_that_fit(tmp_path, capsys):
    """A long channel name keeps its own column, and the time is the shop's, with its zone said."""
    import time_machine

    ws = tmp_path / "ws.omnidesk"
    phone = write_csv(tmp_path / "contacts.csv", ["Email"], [["bo@example.com"]])
    with time_machine.travel("2026-12-03T04:42:11Z", tick=False):
        assert _run(capsys, "import", phone, "--channel", "contacts", "-w", ws)[0] == 0
    assert _run(capsys, "settings", "timezone", "America/New_York", "-w", ws)[0] == 0
    status, out, _ = _run(capsys, "imports", "list", "-w", ws)
    header, line, footer = out.splitlines()
    assert "2026-12-02 23:42  Phone contacts  contacts" in line
    kind_at = line.index("contacts", line.index("Phone contacts") + len("Phone contacts"))
    assert header.index("Kind") == kind_at and header.index("Channel") == line.index("Phone")
    assert footer == "(times on the shop's clock, America/New_York)"


def test_settings_show_values_as_they_are_typed_back(tmp_path, capsys):
    from omnidesk.core.workspace import Workspace

    ws = tmp_path / "ws.omnidesk"
    Workspace.create(ws).close()
    status, out, _ = _run(capsys, "settings", "channel_trust", "-w", ws)
    trust = out.strip()
    assert status == 0 and trust.startswith("shop, ") and "[" not in trust
    assert _run(capsys, "settings", "channel_trust", trust, "-w", ws)[0] == 0
    assert _run(capsys, "settings", "soft_opt_in", "-w", ws)[1].strip() == "no"
    status, out, _ = _run(capsys, "settings", "-w", ws)
    trust_line = next(line for line in out.splitlines() if line.startswith("channel_trust"))
    name_line = next(line for line in out.splitlines() if line.startswith("business_name"))
    # Every description starts in one column, after the longest value (the channel list).
    assert trust_line.index("channels whose names") == name_line.index("the shop's name")
    assert trust_line.index(trust) + len(trust) < trust_line.index("channels whose names")


def test_a_channel_named_with_a_space_is_one_channel_in_lists_and_rules(tmp_path, capsys):
    # "Farmers market" typed as the user calls it, and a channel "Market" of its own: the
    # customers list shows each whole, and a rule on one never finds the other's customers.
    ws = tmp_path / "ws.omnidesk"
    stall = write_csv(tmp_path / "stall.csv", ["Email"], [["bo@example.com"]])
    market = write_csv(tmp_path / "market.csv", ["Email"], [["cy@example.com"]])
    status, out, _ = _run(capsys, "import", stall, "--channel", "Farmers market", "-w", ws)
    assert status == 0 and "(Farmers market)" in out
    assert _run(capsys, "import", market, "--channel", "Market", "-w", ws)[0] == 0
    status, out, _ = _run(capsys, "imports", "list", "--json", "-w", ws)
    assert sorted(b["channel"] for b in json.loads(out)) == ["farmers_market", "market"]

    def count(channel):
        rule = json.dumps({"field": "channel", "op": "is", "value": channel})
        status, out, err = _run(capsys, "segment", "count", "--rule", rule, "-w", ws)
        assert status == 0, err
        return int(out.split()[0].replace(",", ""))

    assert count("market") == 1 and count("farmers_market") == 1
    from omnidesk.core.workspace import Workspace

    with Workspace.open(ws) as opened, opened.engine.connect() as conn:
        listed = dict(conn.exec_driver_sql("SELECT email, channels FROM customer").all())
    assert listed == {"bo@example.com": "farmers_market", "cy@example.com": "market"}


def test_a_channel_of_ones_own_shows_as_typed_with_its_capitals(tmp_path, capsys):
    # "Farmers Market on Saturday": kept by its code, in small letters, and shown as typed —
    # by the import, by later commands, and in the printed report.
    ws, other = tmp_path / "ws.omnidesk", tmp_path / "other.omnidesk"
    stall = write_csv(tmp_path / "stall.csv", ["Email"], [["bo@example.com"]])
    status, out, _ = _run(capsys, "import", stall, "--channel", "Farmers Market on Saturday", "-w", ws)
    assert status == 0 and "(Farmers Market on Saturday)" in out, out
    # A workspace where the channel was named by its code shows the label made from the code: the
    # label typed is the workspace's own.
    status, out, _ = _run(capsys, "import", stall, "--channel", "farmers_market_on_saturday", "-w", other)
    assert status == 0 and "(Farmers market on saturday)" in out, out
    status, out, _ = _run(capsys, "imports", "list", "-w", ws)
    assert status == 0 and " Farmers Market on Saturday " in out, out
    status, out, _ = _run(capsys, "imports", "list", "--json", "-w", ws)
    assert [b["channel"] for b in json.loads(out)] == ["farmers_market_on_saturday"]  # the code, as before
    status, out, _ = _run(capsys, "report", "-w", ws)
    assert status == 0 and "Farmers Market on Saturday" in out and "Farmers market on saturday" not in out
    # Named by its code, it shows as typed before; named again another way, as typed last.
    more = write_csv(tmp_path / "more.csv", ["Email"], [["cy@example.com"]])
    status, out, _ = _run(capsys, "import", more, "--channel", "farmers_market_on_saturday", "-w", ws)
    assert status == 0 and "(Farmers Market on Saturday)" in out, out
    assert _run(capsys, "import", more, "--channel", "Farmers market on Saturday", "--dry-run", "-w", ws)[0] == 0
    status, out, _ = _run(capsys, "imports", "list", "-w", ws)
    assert " Farmers Market on Saturday " in out, out  # a dry run changes nothing, not even that
    fresh = write_csv(tmp_path / "fresh.csv", ["Email"], [["di@example.com"]])
    status, out, _ = _run(capsys, "import", fresh, "--channel", "FARMERS MARKET on Saturday", "-w", ws)
    assert status == 0 and "(FARMERS MARKET on Saturday)" in out, out
    status, out, _ = _run(capsys, "imports", "list", "-w", ws)
    assert "Farmers Market on Saturday" not in out and out.count(" FARMERS MARKET on Saturday ") == 3, out
