"""What a command is given to work on, and how it says what it did.

Workspace paths are checked before anything is written (a name ending in .omnidesk, in a
folder that exists; an empty path refused; ``--demo`` before a command is the demo's path),
and so is the app's ``-w`` for a file that is not there.  A plan's message written out is
never kept over a saved message of the same name.  Summaries say what was done, in numbers
grouped by thousands and amounts in the workspace's currency; a misspelled option gets the
subcommand's usage; a usage error exits 2 and any other error 1 (see omnidesk/cli/common.py).
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from omnidesk.core import paths
from tests.helpers import cli_shop_fixtures, one_line, run_cli, unblock_fifo_later, write_csv

PEOPLE = (["Email", "First Name", "Last Name", "Phone", "City"], [
    ["ann@example.com", "Ann", "Lee", "+12125550101", "Boston"],
    ["bob@example.com", "Bob", "Stone", "+12135550102", "Boston"],
    ["cy@example.com", "Cy", "Hill", "", "Paris"],
])
FAMILY = (["First Name", "Last Name", "Email", "Phone"],
          [["Anna", "Lee", "lee@example.com", "+14155550111"], ["Mark", "Lee", "lee@example.com", "+14155550122"],
           ["Bo", "Chen", "bo@example.com", "(415) 555-0133"]])
MESSAGE = {"name": "Spring sale", "message": {"headline": "Spring sale", "body": "Tulips at half price"},
           "variants": {"sms": {"text": "Spring sale: tulips at half price. Reply STOP to opt out"}}}
PLAN = {"name": "Spring sale", "message": {"headline": "Something else entirely"}, "audience": "everyone",
        "steps": [{"channel": "email", "at": "2027-03-01T09:00", "timezone": "America/New_York"}]}


# The people imported through the command line once for the module; tests get copies.
shop_template, shop = cli_shop_fixtures(PEOPLE)


run = run_cli


# -- 1. workspace paths ------------------------------------------------------------------------


def test_a_new_workspace_name_must_end_in_omnidesk(tmp_path, capsys):
    people = write_csv(tmp_path / "people.csv", *PEOPLE)
    status, out, err = run(capsys, "-w", tmp_path / "x.csv", "import", people)
    assert status == 1 and not out and one_line(err), err
    assert "x.csv is not a workspace" in err and "ends in .omnidesk (such as x.omnidesk)" in err
    assert not (tmp_path / "x.csv").exists()
    # An existing file that is no workspace is still named as such, and left as it was.
    notes = tmp_path / "notes.csv"
    notes.write_text("email\nann@example.com\n")
    status, _, err = run(capsys, "-w", notes, "import", people)
    assert status == 1 and "is not an omnidesk workspace" in err and notes.read_text() == "email\nann@example.com\n"


@pytest.mark.parametrize("name, hint", [("Shop v1.5", "Shop v1.5.omnidesk"), ("shop.backup-2", "shop.backup-2.omnidesk"),
                                        ("shop.db", "shop.omnidesk")])
def test_the_name_a_refusal_suggests_keeps_the_name_given(tmp_path, capsys, name, hint):
    """The name to give instead is the one the app makes of it: a dot inside a name is no file type
    to take off ("Shop v1.5" is not to become "Shop v1"); a file type's ending is swapped."""
    status, _, err = run(capsys, "-w", tmp_path / name, "info")
    assert status == 1 and one_line(err) and f"(such as {hint})" in err, err
    status, _, err = run(capsys, "demo", "-w", tmp_path / name)
    assert status == 1 and f"(such as {hint})" in err, err
    assert not (tmp_path / name).exists() and not (tmp_path / hint).exists()


def test_an_existing_workspace_opens_whatever_its_name(shop, capsys):
    other = shop.with_name("shop.db")
    shutil.copyfile(shop, other)
    status, out, _ = run(capsys, "info", "--json", "-w", other)
    assert status == 0 and json.loads(out)["counts"]["customers"] == 3


def test_a_workspace_in_a_folder_that_does_not_exist_is_refused_not_made(tmp_path, capsys):
    people = write_csv(tmp_path / "people.csv", *PEOPLE)
    target = tmp_path / "missing" / "a" / "b.omnidesk"
    status, _, err = run(capsys, "-w", target, "import", people)
    assert status == 1 and one_line(err), err
    assert f"the folder {tmp_path / 'missing' / 'a'} does not exist" in err
    assert not (tmp_path / "missing").exists()
    status, _, err = run(capsys, "demo", "-w", target, "--customers", "5")
    assert status == 1 and "does not exist" in err and not (tmp_path / "missing").exists()


def test_omnidesks_own_data_folder_is_made_for_a_workspace_named_in_it(tmp_path, capsys, monkeypatch):
    # A first run names its demo in the data folder, which omnidesk makes itself.
    data = tmp_path / "data"
    monkeypatch.setenv("OMNIDESK_DATA_DIR", str(data))
    status, _, err = run(capsys, "demo", "--workspace", data / "demo.omnidesk", "--customers", "5")
    assert status == 0, err
    assert (data / "demo.omnidesk").is_file()


def test_recover_says_a_folder_is_a_folder(tmp_path, capsys):
    (tmp_path / "SOMEFOLDER").mkdir()
    status, _, err = run(capsys, "recover", tmp_path / "SOMEFOLDER", tmp_path / "new.omnidesk")
    assert status == 1 and one_line(err) and "SOMEFOLDER is a folder, not a workspace file" in err, err
    assert "There is no file" not in err and not (tmp_path / "new.omnidesk").exists()


def test_recover_into_a_folder_that_does_not_exist_is_refused(shop, tmp_path, capsys):
    status, _, err = run(capsys, "recover", shop, tmp_path / "nowhere" / "new.omnidesk")
    assert status == 1 and "does not exist" in err and not (tmp_path / "nowhere").exists()


def test_an_empty_workspace_path_is_refused_not_the_default(shop, capsys):
    status, out, err = run(capsys, "-w", "", "info")
    assert status == 2 and not out and one_line(err) and "it was empty" in err, err
    status, _, err = run(capsys, "info", "-w", "  ")
    assert status == 2 and "it was empty" in err


def test_demo_before_a_command_works_on_the_demo(shop, capsys):
    demo = paths.demo_workspace_path()
    status, _, err = run(capsys, "--demo", "info")
    assert status == 1 and one_line(err) and "no demo workspace yet" in err and "omnidesk demo" in err, err
    assert not demo.exists()  # a command does not build it
    demo.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(shop, demo)
    status, out, _ = run(capsys, "--demo", "info", "--json")
    assert status == 0 and json.loads(out)["workspace"] == str(demo)
    status, _, err = run(capsys, "--demo", "-w", shop, "info")
    assert status == 2 and "not both" in err


def test_the_app_asks_before_making_a_workspace_at_a_path_that_is_not_there(tmp_path, qtbot, monkeypatch):
    """`omnidesk -w typo.omnidesk`: nothing is made unless the user says so, and never a name or
    folder no workspace can have."""
    from PySide6.QtCore import QSettings

    from omnidesk.app import build_main_window
    from omnidesk.ui.main_window import MainWindow
    from omnidesk.ui.tasks import TaskRunner

    asked, errors = [], []
    answer = {"yes": False}
    monkeypatch.setattr(MainWindow, "confirm", lambda self, title, text: asked.append(text) or answer["yes"])
    monkeypatch.setattr(MainWindow, "show_error", lambda self, title, text: errors.append(text))
    monkeypatch.setattr(MainWindow, "ask_workspace_basics", lambda self: asked.append("basics"))
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)

    def opened(path: Path):
        window = build_main_window(path, settings=settings)
        window.runner = TaskRunner(inline=True)
        qtbot.addWidget(window)
        return window

    typo = tmp_path / "typo.omnidesk"
    window = opened(typo)
    assert asked == [f"There is no workspace at {typo}.\n\nCreate a new, empty workspace there?"]
    assert window.workspace is None and not typo.exists() and not errors  # "No": the welcome screen
    for path, words in ((tmp_path / "x.csv", "ends in .omnidesk"), (tmp_path / "no" / "b.omnidesk", "does not exist")):
        asked.clear()
        window = opened(path)
        assert not asked and window.workspace is None and not path.exists() and words in errors[-1]
    asked.clear()
    answer["yes"] = True
    window = opened(typo)
    assert window.workspace is not None and window.workspace.path == typo and typo.exists()
    assert asked[-1] == "basics"  # as File › New Workspace: the business's name, region, zone, currency
    window.workspace.close()


# -- 2. a plan's message written out ------------------------------------------------------------


def test_a_plan_never_keeps_its_message_over_a_saved_message_of_that_name(shop, tmp_path, capsys):
    (tmp_path / "msg.json").write_text(json.dumps(MESSAGE), encoding="utf-8")
    assert run(capsys, "message", "import", tmp_path / "msg.json", "-w", shop)[0] == 0
    assert run(capsys, "message", "export-json", "Spring sale", tmp_path / "before.json", "-w", shop)[0] == 0
    (tmp_path / "plan.json").write_text(json.dumps(PLAN), encoding="utf-8")
    status, out, err = run(capsys, "campaign", "import", tmp_path / "plan.json", "-w", shop)
    assert status == 1 and not out and one_line(err), err
    assert "saved message 'Spring sale'" in err and '"message": "Spring sale"' in err and "another name" in err
    assert run(capsys, "message", "export-json", "Spring sale", tmp_path / "after.json", "-w", shop)[0] == 0
    assert json.loads((tmp_path / "after.json").read_text()) == json.loads((tmp_path / "before.json").read_text())
    assert json.loads(run(capsys, "campaign", "list", "--json", "-w", shop)[1]) == []
    # By its name, the saved message is the campaign's.
    (tmp_path / "named.json").write_text(json.dumps(dict(PLAN, message="Spring sale")), encoding="utf-8")
    assert run(capsys, "campaign", "import", tmp_path / "named.json", "-w", shop)[0] == 0


def test_a_plans_own_message_is_replaced_when_the_plan_is_imported_again(shop, tmp_path, capsys):
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps(PLAN), encoding="utf-8")
    assert run(capsys, "campaign", "import", plan, "-w", shop)[0] == 0
    plan.write_text(json.dumps(dict(PLAN, message={"headline": "Spring sale, second draft"})), encoding="utf-8")
    status, _, err = run(capsys, "campaign", "import", plan, "-w", shop)
    assert status == 0, err
    assert run(capsys, "message", "export-json", "Spring sale", tmp_path / "m.json", "-w", shop)[0] == 0
    assert json.loads((tmp_path / "m.json").read_text())["message"]["headline"] == "Spring sale, second draft"


# -- 4. words and exit statuses -----------------------------------------------------------------


def test_one_pair_queued_is_one_pair(tmp_path, capsys):
    ws = tmp_path / "ws.omnidesk"
    assert run(capsys, "import", write_csv(tmp_path / "people.csv", *FAMILY), "-w", ws)[0] == 0
    status, out, _ = run(capsys, "resolve", "-w", ws)
    assert status == 0 and out.strip() == "3 customers; auto-merged 0; 1 pair queued for review"


def test_the_import_summary_groups_every_number_by_thousands(tmp_path, capsys):
    rows = [[f"p{n}@example.com", f"P{n}"] for n in range(1001)]
    people = write_csv(tmp_path / "people.csv", ["Email", "First Name"], rows)
    status, out, _ = run(capsys, "import", people, "-w", tmp_path / "ws.omnidesk")
    assert status == 0 and "1,001 rows: imported 1,001, flagged 0, duplicates 0" in out, out


def test_the_report_says_its_period_in_words_and_revenue_as_money(shop, capsys):
    first = run(capsys, "report", "-w", shop)[1].splitlines()[0]
    assert first.startswith("Period: all time to today — ") and first.endswith(", revenue 0.00 USD"), first
    assert run(capsys, "settings", "currency", "EUR", "-w", shop)[0] == 0
    first = run(capsys, "report", "--to", "2030-01-31", "-w", shop)[1].splitlines()[0]
    assert first.startswith("Period: from the beginning to 2030-01-31 — ") and first.endswith("revenue 0.00 EUR")
    first = run(capsys, "report", "--from", "2020-01-01", "-w", shop)[1].splitlines()[0]
    assert first.startswith("Period: 2020-01-01 to today — ")


def test_a_tag_summary_says_what_was_done(shop, capsys):
    status, out, _ = run(capsys, "tag", "add", "VIP", "ann@example.com", "bob@example.com", "-w", shop)
    assert (status, out.strip()) == (0, "Added tag VIP to 2 customers")
    status, out, _ = run(capsys, "tag", "remove", "VIP", "ann@example.com", "-w", shop)
    assert (status, out.strip()) == (0, "Removed tag VIP from 1 customer")


def test_saving_a_segment_name_taken_says_how_to_replace_it(shop, capsys):
    rule = '{"field": "city", "op": "is", "value": "boston"}'
    assert run(capsys, "segment", "save", "Boston", "--rule", rule, "-w", shop)[0] == 0
    status, _, err = run(capsys, "segment", "save", "boston", "--rule", rule, "-w", shop)
    assert status == 1 and one_line(err) and "'Boston' exists already; add --replace" in err, err
    assert run(capsys, "segment", "save", "boston", "--rule", rule, "--replace", "-w", shop)[0] == 0


def test_a_misspelled_option_gets_the_subcommands_usage(shop, capsys):
    status, out, err = run(capsys, "segment", "list", "--jsn", "-w", shop)
    assert status == 2 and not out
    assert err.startswith("usage: omnidesk segment list ")
    assert "omnidesk segment list: error: unrecognized arguments: --jsn (did you mean --json?)" in err
    status, _, err = run(capsys, "campaign", "show", "Spring", "--bogus", "-w", shop)
    assert status == 2 and err.startswith("usage: omnidesk campaign show ") and "--bogus" in err


@pytest.mark.parametrize(("argv", "status", "words"), [
    # 2: the command line itself is wrong (whatever the workspace holds).
    (["report", "--from", "someday"], 2, "is not a day"),
    (["report", "--from", "2026-02-01", "--to", "2026-01-01"], 2, "--from is after --to"),
    (["segment", "count"], 2, "name a saved segment or give --rule"),
    (["segment", "count", "Boston", "--rule", "{}"], 2, "not both"),
    (["export", "customers", "{tmp}/out.csv", "--segment", "A", "--rule", "{}"], 2, "not both"),
    (["export", "customers", "{tmp}/out.csv", "--columns", "email,shoe"], 2, "unknown column 'shoe'"),
    # A list given is taken as meant: none, an empty one or one twice is not guessed at.
    (["export", "customers", "{tmp}/out.csv", "--columns", ""], 2, "--columns: no columns to export"),
    (["export", "customers", "{tmp}/out.csv", "--columns", "id,,email"], 2, "column 2 has no name"),
    (["export", "customers", "{tmp}/out.csv", "--columns", "id,email,id"], 2, "the column 'id' is asked for twice"),
    (["tag", "add", "VIP"], 2, "one of them"),
    (["customer", "add", "first_name"], 2, "is not FIELD=VALUE"),
    (["customer", "add", "colour=red"], 2, "'colour' is not a field of a customer"),
    (["customer", "add", "first_name=Ann", "First_Name=Bob"], 2, "first_name is given twice"),
    (["customer", "set", "ann@example.com", "colour", "red"], 2, "'colour' is not a field"),
    (["consent", "set", "ann@example.com", "fax", "granted"], 2, "'fax' has no consent"),
    (["settings", "no_such_setting"], 2, "there is no setting 'no_such_setting'"),
    (["settings", "default_region", "Atlantis"], 2, "default_region"),
    (["import", "{tmp}/people.csv", "--preset", "nosuch"], 2, "unknown import preset 'nosuch'"),
    (["import", "{tmp}/people.csv", "--channel", " "], 2, "--channel: a channel needs a name"),  # not "detect it"
    (["message", "render", "Sale", "--channel", "fax"], 2, "'fax' is not a channel of a message"),
    (["message", "render", "Sale", "--channel", "store"], 2, "give --out FILE.pdf"),
    # A value typed in that its field, name or brand kit does not take is the command line's fault
    # too, as a setting's is, whichever command it was given to.
    (["brand", "set", "sms_sender", "A"], 2, "3 to 11 letters"),
    (["customer", "set", "ann@example.com", "city", "x" * 201], 2, "keep it to 200 characters"),
    (["customer", "add", "first_name=Ann", "email=not-an-email"], 2, "cannot be read as the email"),
    (["segment", "save", "n" * 201, "--rule", '{"all": []}'], 2, "characters at most"),
    (["pin", "ann@example.com", "email", "noatsign"], 2, "cannot be read as the email"),
    # 1: well formed, but the workspace (or a file) says no.
    (["segment", "show", "Nobody"], 1, "Nobody"),
    (["review", "again", "ann@example.com", "bob@example.com"], 1, "not kept apart"),
    (["message", "render", "Sale", "--channel", "sms"], 1, "'Sale'"),
])
def test_usage_errors_exit_2_and_other_errors_1(shop, tmp_path, capsys, argv, status, words):
    argv = [a.replace("{tmp}", str(tmp_path)) for a in argv]
    said = run(capsys, *argv, "-w", shop)
    assert said[0] == status and words in said[2] and one_line(said[2]), said


# -- a file to read that is no file, or far too big ------------------------------------------

def _readers(path: str) -> list[tuple[list[str], str]]:
    """Each command that reads a file the user names, with what it says before the file's own words."""
    return [(["brand", "set", "logo", path], "logo: "), (["message", "import", path], ""),
            (["campaign", "import", path], ""), (["tag", "add", "vip", "--rule", f"@{path}"], "the rule file "),
            (["segment", "count", "--rule", f"@{path}"], "the rule file ")]


def _kept(shop, capsys) -> list[str]:
    return [run(capsys, *argv, "-w", shop)[1] for argv in (["brand", "show", "--json"], ["message", "list", "--json"],
                                                           ["campaign", "list", "--json"], ["tags", "--json"])]


@pytest.mark.skipif(not hasattr(os, "mkfifo") or not os.path.exists("/dev/null"), reason="pipes and devices: POSIX")
def test_a_pipe_or_a_device_is_refused_unread_by_every_command_that_reads_a_file(shop, tmp_path, capsys):
    # A FIFO waited for a writer for ever; /dev/zero filled the memory (here /dev/null, which ends).
    fifo = tmp_path / "plan.json"
    os.mkfifo(fifo)
    before = _kept(shop, capsys)
    for path, what, pick in ((fifo, "a named pipe (FIFO)", "pick the file itself"),
                             (Path("/dev/null"), "a device", "pick the file itself")):
        for argv, prefix in _readers(str(path)):
            if path == fifo:
                unblock_fifo_later(fifo)
            pick_here = "pick the PNG or JPEG image itself" if argv[0] == "brand" else pick
            status, out, err = run(capsys, *argv, "-w", shop)
            assert status == 1 and not out and one_line(err), (argv, err)
            assert f'error: {prefix}"{path.name}" is not a regular file (it is {what}); {pick_here}.' in err, err
    assert _kept(shop, capsys) == before


def test_a_file_bigger_than_its_kind_is_refused_unread(shop, tmp_path, capsys):
    from omnidesk.core.exporting.textfiles import MAX_JSON_BYTES
    from omnidesk.core.messages.brand import MAX_LOGO

    before = _kept(shop, capsys)
    big = tmp_path / "big.json"
    with big.open("wb") as fh:  # sparse: it takes no room on the disk
        fh.write(b"{")
        fh.truncate(MAX_JSON_BYTES + 1)
    for argv, prefix in _readers(str(big))[1:]:
        what = "a rule file" if prefix else "a plan file" if argv[0] == "campaign" else "a JSON file"
        status, out, err = run(capsys, *argv, "-w", shop)
        assert status == 1 and not out and one_line(err), (argv, err)
        assert f'error: {prefix}"big.json" is over 10 MB; {what} may be 10 MB at most.' in err, err
    logo = tmp_path / "logo.png"
    with logo.open("wb") as fh:
        fh.write(b"\x89PNG\r\n\x1a\n")
        fh.truncate(MAX_LOGO + 1)
    status, _, err = run(capsys, "brand", "set", "logo", logo, "-w", shop)
    assert status == 1 and 'error: logo: "logo.png" is over 5 MB; a logo may be 5 MB at most.' in err, err
    assert _kept(shop, capsys) == before
