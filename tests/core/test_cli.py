"""The headless CLI: its commands and its one-line error exits."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from omnidesk import __version__
from omnidesk.cli import main
from omnidesk.core.workspace import Workspace
from tests.helpers import one_line, write_csv


def run(capsys, *argv):
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def test_version(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--version"])
    assert exc.value.code == 0
    assert __version__ in capsys.readouterr().out


def test_help_lists_commands(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    for command in ("demo", "info", "import", "imports", "export"):
        assert command in out


def test_info_on_missing_workspace_is_one_line_error(tmp_path, capsys):
    status, out, err = run(capsys, "info", "--workspace", str(tmp_path / "none.omnidesk"))
    assert status == 1
    assert err.startswith("omnidesk: error: no workspace at")
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1
    # The way out it gives makes the workspace with the user's own file; the sample shop goes to
    # its own file, never to the path named.
    missing = tmp_path / "none.omnidesk"
    assert f"'omnidesk import FILE --workspace {missing}'" in err and "'omnidesk demo'" in err
    assert f"demo --workspace {missing}" not in err


def test_info_refuses_non_workspace(tmp_path, capsys):
    bogus = tmp_path / "notes.omnidesk"
    bogus.write_text("just some notes\n")
    status, _, err = run(capsys, "info", "-w", str(bogus))
    assert status == 1
    assert "is not an omnidesk workspace" in err
    assert bogus.read_text() == "just some notes\n"


def test_info_json_counts(tmp_path, capsys):
    path = tmp_path / "a.omnidesk"
    Workspace.create(path).close()
    status, out, _ = run(capsys, "--workspace", str(path), "info", "--json")
    assert status == 0
    info = json.loads(out)
    assert info["counts"]["customers"] == 0
    assert info["schema"]


def test_demo_builds_headless_and_refuses_to_overwrite(tmp_path, capsys):
    path = tmp_path / "demo.omnidesk"
    status, out, _ = run(capsys, "demo", "--workspace", str(path), "--customers", "40", "--json")
    assert status == 0
    summary = json.loads(out)
    assert summary["counts"]["customers"] >= 30
    assert summary["counts"]["events"] > 0
    # The demo shop is in Maine: its settings say so, so its timeline reads on its clock.
    status, out, _ = run(capsys, "settings", "timezone", "--workspace", str(path))
    assert out.strip() == "America/New_York"
    status, _, err = run(capsys, "demo", "--workspace", str(path))
    assert status == 1 and "--force" in err
    status, _, _ = run(capsys, "demo", "--workspace", str(path), "--customers", "5", "--force")
    assert status == 0  # an earlier demo: --force replaces it


def test_demo_never_replaces_a_workspace_of_the_shop_not_even_with_force(tmp_path, capsys):
    # `omnidesk demo -w shop.omnidesk --force` replaced a shop's real workspace with a demo,
    # and left no copy: README promises no command writes over a workspace, even with --force.
    shop = tmp_path / "shop.omnidesk"
    customers = write_csv(tmp_path / "customers.csv", ["Email", "First Name"], [["ann@example.com", "Ann"]])
    assert run(capsys, "import", str(customers), "--workspace", str(shop))[0] == 0
    before = shop.read_bytes()
    for extra in ((), ("--force",)):
        status, _, err = run(capsys, "demo", "--workspace", str(shop), "--customers", "5", *extra)
        assert status == 1 and "is not a demo workspace" in err and "choose another path" in err
    assert shop.read_bytes() == before
    other = tmp_path / "notes.txt"
    other.write_text("my notes")
    status, _, err = run(capsys, "demo", "--workspace", str(other), "--force")
    assert status == 1 and other.read_text() == "my notes"


def test_demo_force_replaces_only_a_file_built_as_a_demo_it_can_read(tmp_path, capsys):
    # `demo --force` took the demo's default path as proof of a demo: a shop's own workspace
    # made there by an import was replaced, and so was a demo that could not be opened (from a
    # newer omnidesk, damaged) or one that did not say which of its imports were its own.
    import sqlite3

    from omnidesk.core import paths

    demo = paths.demo_workspace_path()
    demo.parent.mkdir(parents=True, exist_ok=True)
    customers = write_csv(tmp_path / "customers.csv", ["Email", "First Name"], [["ann@example.com", "Ann"]])
    assert run(capsys, "import", str(customers), "-w", str(demo))[0] == 0  # a shop's own, at the demo's path
    before = demo.read_bytes()
    status, _, err = run(capsys, "demo", "--customers", "5", "--force")
    assert status == 1 and one_line(err) and "is not a demo workspace" in err, err
    assert demo.read_bytes() == before
    demo.unlink()

    # A demo that does not say how many of its imports are its own (built before it said so):
    # every import in it counts as the user's.
    assert run(capsys, "demo", "--customers", "5")[0] == 0
    with sqlite3.connect(demo) as conn:
        conn.execute("delete from setting where key = 'demo_imports'")
    conn.close()
    status, _, err = run(capsys, "demo", "--customers", "5", "--force")
    assert status == 1 and one_line(err) and "of your own" in err, err

    # One that cannot be opened: never taken for a demo holding nothing of the user's.
    demo.unlink()
    assert run(capsys, "demo", "--customers", "5")[0] == 0
    assert run(capsys, "import", str(customers), "-w", str(demo))[0] == 0
    with sqlite3.connect(demo) as conn:
        conn.execute("update alembic_version set version_num = '9999'")
    conn.close()
    before = demo.read_bytes()
    status, _, err = run(capsys, "demo", "--customers", "5", "--force")
    assert status == 1 and one_line(err), err
    assert "newer version" in err and "The file was not changed" in err and "choose another path" in err
    assert demo.read_bytes() == before


def test_import_unreadable_file_exits_nonzero(tmp_path, capsys):
    path = tmp_path / "ws.omnidesk"
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    status, _, err = run(capsys, "import", str(empty), "-w", str(path))
    assert status == 1
    assert "empty.csv" in err and "Traceback" not in err


def test_import_missing_file(tmp_path, capsys):
    status, _, err = run(capsys, "import", str(tmp_path / "missing.csv"), "-w", str(tmp_path / "w.omnidesk"))
    assert status == 1 and "no such file" in err


def test_import_json_and_list_and_undo(tmp_path, capsys):
    ws = tmp_path / "ws.omnidesk"
    f = write_csv(tmp_path / "newsletter.csv", ["Email", "First name", "Last name"],
                  [["ada@example.com", "Ada", "Lovelace"], ["not-an-email", "Bad", "Row"]])
    status, out, _ = run(capsys, "import", str(f), "-w", str(ws), "--json")
    assert status == 0
    summary = json.loads(out.strip().splitlines()[0])
    assert summary["file"] == "newsletter.csv"
    assert {k: summary[k] for k in ("rows", "imported", "flagged", "duplicates")} == {
        "rows": 2, "imported": 2, "flagged": 1, "duplicates": 0}
    assert {"preset", "kind", "channel"} <= set(summary)
    status, out, _ = run(capsys, "imports", "list", "--json", "-w", str(ws))
    batches = json.loads(out)
    assert batches[0]["status"] == "done"
    status, out, _ = run(capsys, "imports", "undo", str(batches[0]["id"]), "-w", str(ws))
    assert status == 0 and "removed 2 records" in out
    status, _, err = run(capsys, "imports", "undo", str(batches[0]["id"]), "-w", str(ws))
    assert status == 1 and "undone" in err


def test_undoing_an_import_says_what_it_put_back(tmp_path, capsys):
    # The list member known by the family's address alone went with Anna; Mark's import showed
    # the address is shared and took it off her.  Undoing his import puts it back.
    ws = tmp_path / "ws.omnidesk"
    header = ["Email", "First name", "Last name"]
    for name, rows, channel in (("shop.csv", [["lee@example.com", "Anna", "Lee"]], "shop"),
                                ("list.csv", [["lee@example.com", "", ""]], "email"),
                                ("till.csv", [["lee@example.com", "Mark", "Lee"]], "pos")):
        status, _, _ = run(capsys, "import", str(write_csv(tmp_path / name, header, rows)), "-w", str(ws),
                           "--channel", channel)
        assert status == 0
    status, out, _ = run(capsys, "imports", "list", "--json", "-w", str(ws))
    till = next(b["id"] for b in json.loads(out) if b["file_name"] == "till.csv")
    status, out, _ = run(capsys, "imports", "undo", str(till), "-w", str(ws))
    assert status == 0
    assert "removed 1 record" in out and "put 1 record back on the customer it had taken it off." in out
    assert "merge" not in out


def test_python_dash_m_entry_point(tmp_path):
    out = subprocess.run([sys.executable, "-m", "omnidesk", "--version"], capture_output=True, text=True)
    assert out.returncode == 0 and __version__ in out.stdout


FAMILY = (["First Name", "Last Name", "Email", "Phone"],
          [["Anna", "Lee", "lee@example.com", "+14155550111"], ["Mark", "Lee", "lee@example.com", "+14155550122"],
           ["Bo", "Chen", "bo@example.com", "(415) 555-0133"]])


def test_resolve_review_merge_and_person_commands(tmp_path, capsys):
    ws = str(tmp_path / "ws.omnidesk")
    f = write_csv(tmp_path / "people.csv", *FAMILY)
    assert run(capsys, "import", str(f), "-w", ws)[0] == 0
    status, out, _ = run(capsys, "resolve", "--json", "-w", ws)
    summary = json.loads(out)
    assert status == 0 and summary["customers"] == 3 and summary["queued"] == 1
    status, out, _ = run(capsys, "review", "list", "--json", "-w", ws)
    (pair,) = json.loads(out)
    assert {pair["left"]["name"], pair["right"]["name"]} == {"Anna Lee", "Mark Lee"}
    assert run(capsys, "review", "reject", str(pair["id"]), "-w", ws)[0] == 0
    assert json.loads(run(capsys, "review", "list", "--json", "-w", ws)[1]) == []
    status, out, _ = run(capsys, "review", "apart", "--json", "-w", ws)
    (apart,) = json.loads(out)
    assert status == 0 and {apart["left"]["name"], apart["right"]["name"]} == {"Anna Lee", "Mark Lee"}
    assert apart["left"]["in_workspace"] and apart["decided_at"]
    status, out, _ = run(capsys, "review", "apart", "-w", ws)
    assert "Anna Lee" in out and "≠" in out
    status, _, err = run(capsys, "review", "again", str(pair["left"]["id"]), "bo@example.com", "-w", ws)
    assert status == 1 and "not kept apart" in err  # what the workspace holds, not a usage error
    status, out, _ = run(capsys, "review", "again", str(pair["left"]["id"]), str(pair["right"]["id"]), "-w", ws)
    assert status == 0 and "back in the review queue" in out
    (again,) = json.loads(run(capsys, "review", "list", "--json", "-w", ws)[1])
    assert "No pairs are kept apart." in run(capsys, "review", "apart", "-w", ws)[1]
    assert run(capsys, "review", "reject", str(again["id"]), "-w", ws)[0] == 0
    # CUSTOMER as an email and as a phone in another format
    status, out, _ = run(capsys, "merge", "bo@example.com", "+1 415 555 0111", "-w", ws)
    assert status == 0 and "Merged 2 customers" in out
    status, out, _ = run(capsys, "person", "export", "415-555-0133", str(tmp_path / "bo.zip"), "-w", ws)
    assert status == 0 and (tmp_path / "bo.zip").exists()
    status, _, err = run(capsys, "person", "erase", "bo@example.com", "-w", ws)
    assert status == 2 and "--yes" in err  # no terminal to confirm on
    assert "deletes omnidesk's backups next to the workspace" in err  # what --yes agrees to
    status, out, _ = run(capsys, "person", "erase", "bo@example.com", "--yes", "-w", ws)
    assert status == 0 and "Erased customer" in out
    status, _, err = run(capsys, "person", "export", "bo@example.com", "-w", ws)
    assert status == 1 and "no customer matches" in err


def test_pin_and_unpin_from_the_cli(tmp_path, capsys):
    ws = tmp_path / "shop.omnidesk"
    data = write_csv(tmp_path / "a.csv", ["Email", "First Name", "Last Name"], [["bob@example.com", "Bob", "Lee"]])
    run(capsys, "import", str(data), "-w", str(ws))

    def first_name():
        with Workspace.open(ws) as w:
            return w.engine.connect().exec_driver_sql("SELECT first_name FROM customer").scalar()

    status, out, _ = run(capsys, "pin", "bob@example.com", "first_name", "Robert", "-w", str(ws))
    assert status == 0 and "pinned to 'Robert'" in out and first_name() == "Robert"
    status, _, _ = run(capsys, "pin", "BOB@example.com", "first_name", "--unpin", "-w", str(ws))
    assert status == 0 and first_name() == "Bob"
    status, _, err = run(capsys, "pin", "bob@example.com", "tags", "vip", "-w", str(ws))
    assert status == 2 and "cannot be pinned" in err
    status, _, err = run(capsys, "pin", "bob@example.com", "first_name", "-w", str(ws))
    assert status == 2 and "--unpin" in err
    status, _, err = run(capsys, "pin", "nobody@example.com", "first_name", "X", "-w", str(ws))
    assert status == 1 and "no customer matches" in err
    # An email or a phone is read as a typed one: never pinned as it cannot be read.
    # A value its field does not take is the command line's fault: exit 2.
    status, _, err = run(capsys, "pin", "bob@example.com", "email", "not-an-email", "-w", str(ws))
    assert status == 2 and "cannot be read as the email" in err
    status, _, err = run(capsys, "pin", "bob@example.com", "phone", "12", "-w", str(ws))
    assert status == 2 and "cannot be read as the phone" in err
    status, out, _ = run(capsys, "pin", "bob@example.com", "phone", "(415) 555-0101", "-w", str(ws))
    assert status == 0 and "pinned to '+14155550101'" in out
    with Workspace.open(ws) as w:
        assert w.engine.connect().exec_driver_sql("SELECT email, phone FROM customer").one() == \
            ("bob@example.com", "+14155550101")


def test_a_lone_workspace_path_opens_it(monkeypatch, tmp_path):
    """A file manager runs `omnidesk FILE.omnidesk`; that must open the workspace."""
    import omnidesk.cli as cli

    seen = {}
    monkeypatch.setattr(cli, "_run_gui", lambda args: seen.setdefault("ws", args.workspace) and 0)
    path = str(tmp_path / "shop.omnidesk")
    cli.main([path])
    assert seen["ws"] == path


def test_import_a_zip_export(tmp_path, capsys):
    import zipfile

    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("members.csv", "Email,First name\r\nann@example.com,Ann\r\n")
        z.writestr("more.csv", "Email,First name\r\nbo@example.com,Bo\r\n")
    status, out, _ = run(capsys, "import", str(archive), "--json", "-w", str(tmp_path / "w.omnidesk"))
    assert status == 0
    assert sorted(json.loads(line)["file"] for line in out.strip().splitlines()) == ["members.csv", "more.csv"]


def test_settings_list_show_change_and_refuse(tmp_path, capsys):
    path = str(tmp_path / "w.omnidesk")
    Workspace.create(tmp_path / "w.omnidesk").close()
    status, out, _ = run(capsys, "settings", "--workspace", path)
    assert status == 0
    assert "default_region" in out and "US" in out and "match_auto_threshold" in out and "14" in out

    status, out, _ = run(capsys, "settings", "default_region", "gb", "--workspace", path)
    assert status == 0 and out.strip() == "GB"
    status, out, _ = run(capsys, "settings", "currency", "--workspace", path)
    assert status == 0 and out.strip() == ""  # not set: the region decides
    status, out, _ = run(capsys, "settings", "timezone", "Europe/London", "--workspace", path)
    assert status == 0
    with Workspace.open(tmp_path / "w.omnidesk") as ws:
        from omnidesk.core.money import workspace_currency

        assert ws.get_setting("default_region") == "GB" and workspace_currency(ws) == "GBP"
        assert ws.get_setting("timezone") == "Europe/London"

    # A value the setting refuses, as a KEY that is no setting, is a usage error, 2 (as an option's value).
    for argv, words, code in ((("default_region", "Narnia"), "region code", 2),
                              (("timezone", "Mars/Olympus"), "time zone", 2),
                              (("currency", "dollars"), "currency code", 2),
                              (("currency", "ZZZ"), "'ZZZ' is not a currency code", 2),
                              (("match_review_threshold", "20"), "must stay below", 2),
                              (("colour", "blue"), "no setting 'colour'", 2)):
        status, out, err = run(capsys, "settings", *argv, "--workspace", path)
        assert status == code and words in err and len(err.strip().splitlines()) == 1, err
    with Workspace.open(tmp_path / "w.omnidesk") as ws:
        assert ws.get_setting("default_region") == "GB"  # a refused value changes nothing

    status, out, _ = run(capsys, "settings", "default_region", "", "--workspace", path)
    assert status == 0 and out.strip() == "US"  # '' restores the default
    status, out, _ = run(capsys, "settings", "match_auto_threshold", "--json", "--workspace", path)
    assert json.loads(out) == {"key": "match_auto_threshold", "value": 14.0, "default": 14.0,
                               "help": json.loads(out)["help"]}


def test_demo_says_where_it_is_and_how_other_commands_reach_it(tmp_path, capsys, monkeypatch):
    """The demo has a file of its own: its help and its summary say so, and how to use it."""
    monkeypatch.setenv("OMNIDESK_DATA_DIR", str(tmp_path))
    with pytest.raises(SystemExit):
        main(["demo", "--help"])
    helped = "".join(capsys.readouterr().out.split())  # help wraps a long path anywhere
    assert "".join(f"where to build it (default: {tmp_path / 'demo.omnidesk'})".split()) in helped
    status, out, _ = run(capsys, "demo", "--customers", "5")
    assert status == 0
    assert (tmp_path / "demo.omnidesk").exists() and not (tmp_path / "workspace.omnidesk").exists()
    assert "omnidesk --demo" in out and f"omnidesk -w {tmp_path / 'demo.omnidesk'} COMMAND" in out
    # The command it names reaches the demo.
    status, out, _ = run(capsys, "-w", str(tmp_path / "demo.omnidesk"), "info")
    assert status == 0 and "Customers" in out


def test_one_row_reads_one_row(tmp_path, capsys):
    """Counts in the CLI's sentences take the noun's number from the count."""
    ws = tmp_path / "ws.omnidesk"
    f = write_csv(tmp_path / "one.csv", ["Email", "First name"], [["ada@example.com", "Ada"]])
    status, out, _ = run(capsys, "import", str(f), "-w", str(ws))
    assert status == 0 and ", 1 row: imported 1" in out
    status, out, _ = run(capsys, "export", "customers", str(tmp_path / "c.csv"), "-w", str(ws))
    assert status == 0 and out.startswith("Wrote 1 customer to")
    g = write_csv(tmp_path / "two.csv", ["Email", "First name"], [["bo@example.com", "Bo"], ["cy@example.com", "Cy"]])
    status, out, _ = run(capsys, "import", str(g), "-w", str(ws))
    assert ", 2 rows: imported 2" in out


def test_a_reader_that_goes_away_stops_the_output_quietly(tmp_path, capsys, monkeypatch):
    """`omnidesk report | head`: when the pipe closes early, no error line and no traceback."""
    ws = tmp_path / "ws.omnidesk"
    Workspace.create(ws).close()

    class ClosedPipe:
        def write(self, text):
            raise BrokenPipeError(32, "Broken pipe")

        def flush(self):
            raise BrokenPipeError(32, "Broken pipe")

    monkeypatch.setattr(sys, "stdout", ClosedPipe())
    status = main(["-w", str(ws), "info"])
    monkeypatch.undo()
    assert status == 141
    assert capsys.readouterr().err == ""


def test_the_match_models_notes_stay_out_of_the_output(tmp_path):
    """A note of the fit (a clamp on a small workspace) goes to the workspace, not the screen;
    OMNIDESK_LOG=warning shows it.  In a process of its own, as a user runs the command."""
    import os

    ws = tmp_path / "ws.omnidesk"
    Workspace.create(ws).close()
    script = ("import logging, sys\n"
              "from omnidesk.cli import main\n"
              f"assert main(['-w', {str(ws)!r}, 'info']) == 0\n"
              "logging.getLogger('omnidesk.core.identity.learn').warning('match model fit: first close: m held')\n")

    def stderr_of(**env) -> str:
        done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120,
                              env={k: v for k, v in os.environ.items() if k != "OMNIDESK_LOG"} | env)
        assert done.returncode == 0, done.stderr
        return done.stderr

    assert stderr_of() == ""
    assert "omnidesk: WARNING: match model fit: first close: m held" in stderr_of(OMNIDESK_LOG="warning")


def test_review_apart_tells_when_on_the_shops_clock(tmp_path, capsys):
    import time_machine

    ws = str(tmp_path / "ws.omnidesk")
    assert run(capsys, "import", str(write_csv(tmp_path / "people.csv", *FAMILY)), "-w", ws)[0] == 0
    assert run(capsys, "settings", "timezone", "America/New_York", "-w", ws)[0] == 0
    (pair,) = json.loads(run(capsys, "review", "list", "--json", "-w", ws)[1])
    with time_machine.travel("2026-12-03T04:20:00Z", tick=False):
        assert run(capsys, "review", "reject", str(pair["id"]), "-w", ws)[0] == 0
    out = run(capsys, "review", "apart", "-w", ws)[1]
    assert out.startswith("2026-12-02 23:20  ")
    (apart,) = json.loads(run(capsys, "review", "apart", "--json", "-w", ws)[1])
    assert apart["decided_at"].startswith("2026-12-03T04:20")  # for programs: UTC, as stored


def test_after_a_command_the_librarys_warnings_still_reach_other_listeners(tmp_path, caplog):
    """The CLI quiets its own screen, not the logger: a warning still reaches a test's caplog."""
    import logging

    ws = tmp_path / "ws.omnidesk"
    Workspace.create(ws).close()
    assert main(["-w", str(ws), "info"]) == 0
    caplog.set_level(logging.WARNING)  # on the root logger, as a test or an embedding app listens
    logging.getLogger("omnidesk.core.identity.learn").warning("match model fit: held")
    assert "match model fit: held" in caplog.text


def test_person_erase_counts_what_it_removed_in_the_right_number(tmp_path, capsys):
    ws = str(tmp_path / "shop.omnidesk")
    Workspace.create(ws).close()
    assert run(capsys, "customer", "add", "first_name=Ann", "email=ann@example.com", "-w", ws)[0] == 0
    status, out, _ = run(capsys, "person", "erase", "ann@example.com", "--yes", "-w", ws)
    assert status == 0
    # one typed-in record, no events, its one email kept out from now on
    assert ": 1 source record, 0 events; 1 identifier on the suppression list" in out


def test_review_list_marks_skipped_pairs_and_skipping_again_says_it_stays(tmp_path, capsys):
    ws = str(tmp_path / "ws.omnidesk")
    f = write_csv(tmp_path / "people.csv", *FAMILY)
    assert run(capsys, "import", str(f), "-w", ws)[0] == 0
    (pair,) = json.loads(run(capsys, "review", "list", "--json", "-w", ws)[1])
    assert "(skipped)" not in run(capsys, "review", "list", "-w", ws)[1]
    assert run(capsys, "review", "skip", str(pair["id"]), "-w", ws)[1] == "Skipped.\n"
    assert run(capsys, "review", "list", "-w", ws)[1].rstrip().endswith("(skipped)")
    status, out, _ = run(capsys, "review", "skip", str(pair["id"]), "-w", ws)
    assert status == 0 and out.startswith("Already skipped")


def test_merge_refuses_an_email_a_family_shares_naming_who_carries_it(tmp_path, capsys):
    # Anna and Mark Lee share lee@example.com: "merge bo@… lee@…" would merge Bo with whichever
    # came first - a guess, and a merge joins two people's data.  It names both and asks for an id.
    ws = str(tmp_path / "ws.omnidesk")
    assert run(capsys, "import", str(write_csv(tmp_path / "people.csv", *FAMILY)), "-w", ws)[0] == 0
    before = json.loads(run(capsys, "info", "--json", "-w", ws)[1])
    status, out, err = run(capsys, "merge", "bo@example.com", "lee@example.com", "-w", ws)
    assert status == 1 and out == ""  # a CUSTOMER matching several: the workspace's answer, not usage
    assert "'lee@example.com' is on 2 customers: Anna Lee (#" in err and "Mark Lee (#" in err
    assert json.loads(run(capsys, "info", "--json", "-w", ws)[1]) == before
    status, out, _ = run(capsys, "merge", "bo@example.com", "+1 415 555 0111", "-w", ws)
    assert status == 0 and "Merged 2 customers" in out


def test_unmerge_says_the_two_are_kept_apart_and_how_to_ask_again_and_twice_is_refused(tmp_path, capsys):
    import csv
    import re

    ws = str(tmp_path / "ws.omnidesk")
    assert run(capsys, "import", str(write_csv(tmp_path / "people.csv", *FAMILY)), "-w", ws)[0] == 0
    (pair,) = json.loads(run(capsys, "review", "list", "--json", "-w", ws)[1])
    assert run(capsys, "review", "accept", str(pair["id"]), "-w", ws)[0] == 0
    sources = tmp_path / "sources.csv"
    assert run(capsys, "export", "sources", str(sources), "-w", ws)[0] == 0
    with sources.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    mark = next(r for r in rows if r["first_name"] == "Mark")
    status, out, _ = run(capsys, "unmerge", mark["record_id"], "-w", ws)
    assert status == 0
    old, new = map(int, re.search(r"from customer (\d+) to new customer (\d+)", out).groups())
    assert "kept apart from now on" in out and f"omnidesk review again {old} {new}" in out
    assert "Mark Lee" in run(capsys, "review", "apart", "-w", ws)[1]
    status, _, err = run(capsys, "unmerge", mark["record_id"], "-w", ws)
    assert status == 1 and "only source" in err
    status, out, _ = run(capsys, "review", "again", str(old), str(new), "-w", ws)
    assert status == 0 and "back in the review queue" in out


def test_demo_files_writes_the_shops_exports_to_import_and_never_over_a_file(tmp_path, capsys):
    """`omnidesk demo --files DIR`: the channel exports the demo is made from, for a new user to try
    `omnidesk import` on (the README's examples had no file to run on)."""
    folder = tmp_path / "demo files"
    status, out, _ = run(capsys, "demo", "--files", str(folder), "--customers", "20", "--json")
    assert status == 0
    files = json.loads(out)["files"]
    names = sorted(p.name for p in folder.iterdir())
    assert names == sorted(Path(f["file"]).name for f in files) and "customers_export.csv" in names
    assert {f["channel"] for f in files} >= {"shop", "email", "pos", "social", "sms", "contacts"}
    shop = tmp_path / "shop.omnidesk"
    assert run(capsys, "import", str(folder / "customers_export.csv"), "-w", str(shop))[0] == 0
    assert run(capsys, "import", str(folder / "till_transactions.csv"), "-w", str(shop))[0] == 0
    capsys.readouterr()
    # A second time, into the same folder: refused, every file as it was, no scratch left behind.
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    (folder / "customers_export.csv").write_text("mine")
    before["customers_export.csv"] = b"mine"
    status, _, err = run(capsys, "demo", "--files", str(folder))
    assert status == 1 and "already has" in err and "nothing was written" in err
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before
    # A file where the folder should be, and a workspace path beside it, are refused.
    status, _, err = run(capsys, "demo", "--files", str(shop))
    assert status == 1 and "not a folder" in err
    assert run(capsys, "demo", "--files", str(tmp_path / "x"), "-w", str(tmp_path / "d.omnidesk"))[0] == 2
    assert not (tmp_path / "x").exists() and not (tmp_path / "d.omnidesk").exists()


def test_demo_force_never_replaces_a_demo_in_use_or_one_holding_imports_of_your_own(tmp_path, capsys):
    """`demo --force` took the log of an import running into the demo away with the file (the import
    said it was done; nothing of it was there), and replaced a demo the user had imported their own
    files into."""
    import sqlite3

    path = tmp_path / "demo.omnidesk"
    assert run(capsys, "demo", "--workspace", str(path), "--customers", "5")[0] == 0
    before = path.read_bytes()
    # Another process has it open, in a transaction (as an import's lock is held).
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    status, _, err = run(capsys, "demo", "--workspace", str(path), "--customers", "5", "--force")
    assert status == 1 and "open in a window or busy with an import" in err
    other.execute("ROLLBACK")
    other.close()
    assert path.read_bytes() == before and not list(path.parent.glob(path.name + ".building*"))
    # Nobody has it open: replaced, with no log of the old file left beside the new one.
    assert run(capsys, "demo", "--workspace", str(path), "--customers", "5", "--force")[0] == 0
    # A file of the user's own imported into the demo: it is theirs now.
    mine = write_csv(tmp_path / "my_customers.csv", ["Email", "First Name"], [["zoe@example.com", "Zoe"]])
    assert run(capsys, "import", str(mine), "-w", str(path))[0] == 0
    kept = path.read_bytes()
    status, _, err = run(capsys, "demo", "--workspace", str(path), "--customers", "5", "--force")
    assert status == 1 and "1 import of your own (my_customers.csv)" in err
    assert path.read_bytes() == kept
    # Undone, that import holds nothing of theirs: the demo is a demo again.
    status, out, _ = run(capsys, "imports", "list", "--json", "-w", str(path))
    mine_id = next(b["id"] for b in json.loads(out) if b["file_name"] == "my_customers.csv")
    assert run(capsys, "imports", "undo", str(mine_id), "-w", str(path))[0] == 0
    assert run(capsys, "demo", "--workspace", str(path), "--customers", "5", "--force")[0] == 0


def test_a_command_that_only_reads_leaves_an_empty_file_as_it_is(tmp_path, capsys):
    """`omnidesk -w zero.omnidesk info` made a 0-byte file (a truncated copy, a cloud file not yet
    downloaded) into a new, empty workspace."""
    zero = tmp_path / "zero.omnidesk"
    zero.touch()
    for command in (["info"], ["export", "customers", str(tmp_path / "c.csv")], ["report"]):
        status, _, err = run(capsys, "-w", str(zero), *command)
        assert status == 1 and "empty (0 bytes), not a workspace yet" in err, (command, err)
    assert zero.stat().st_size == 0 and not (tmp_path / "c.csv").exists()


@pytest.mark.parametrize(("steps", "said"), [
    ([["segment", "save", "Mine", "--rule", '{"all": []}']], "1 saved segment"),
    ([["customer", "set", "1", "city", "Lisbon"]], "1 customer edited by hand"),
    ([["pin", "1", "first_name", "Zed"]], "1 customer edited by hand"),
    ([["customer", "add", "first_name=Zoe", "email=zoe@example.com"]], "1 customer edited by hand"),
    ([["consent", "set", "1", "email", "denied"]], "1 record typed in by hand"),
    ([["person", "erase", "1", "--yes"]], "someone erased"),
    ([["merge", "1", "2"]], "1 merge or split by hand"),
])
def test_demo_force_never_replaces_a_demo_holding_work_of_your_own(tmp_path, capsys, steps, said):
    """A demo the user merged, typed into, erased someone from or saved a segment in was replaced by
    `demo --force` as if it were untouched: only imports of their own counted as theirs."""
    path = tmp_path / "demo.omnidesk"
    assert run(capsys, "demo", "--workspace", str(path), "--customers", "5")[0] == 0
    for step in steps:
        status, _, err = run(capsys, *step, "-w", str(path))
        assert status == 0, (step, err)
    kept = path.read_bytes()
    status, _, err = run(capsys, "demo", "--workspace", str(path), "--customers", "5", "--force")
    assert status == 1 and "holds work of your own (" in err and said in err and one_line(err), err
    assert path.read_bytes() == kept


def test_merge_of_fewer_than_two_customers_is_a_wrong_command_line(tmp_path, capsys):
    from tests.helpers import run_cli

    ws = str(tmp_path / "ws.omnidesk")
    assert run(capsys, "import", str(write_csv(tmp_path / "people.csv", *FAMILY)), "-w", ws)[0] == 0
    before = json.loads(run(capsys, "info", "--json", "-w", ws)[1])
    status, out, err = run_cli(capsys, "merge", "1", "-w", ws)
    assert status == 2 and out == ""
    assert "usage: omnidesk merge [-h]" in err and "CUSTOMER CUSTOMER [CUSTOMER ...]" in err
    assert err.splitlines()[-1].startswith("omnidesk merge: error: ")
    status, out, err = run_cli(capsys, "merge", "1", "1", "-w", ws)  # the same customer twice
    assert status == 2 and out == "" and one_line(err)
    assert err.startswith("omnidesk: error: ") and "two different customers" in err
    assert json.loads(run(capsys, "info", "--json", "-w", ws)[1]) == before
