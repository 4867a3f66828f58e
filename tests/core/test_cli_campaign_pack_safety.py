"""What a campaign's packs and exports may carry and where they go: web links only behind a banner,
one-line values on one line, files only, and a folder that is named."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
import time_machine

from omnidesk.core.messages.brand import set_brand
from omnidesk.core.messages.store import save_message
from tests.helpers import harbor_fixtures, run_cli

shop_template, shop = harbor_fixtures()
NY = "America/New_York"
JS = "javascript:alert(document.cookie)//https://hc.example/w"


def run(capsys, *argv):
    return run_cli(capsys, *argv)


def _banner_plan(tmp_path, link: str):
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps({
        "name": "Web", "message": {"headline": "Web", "offer_code": "W1", "offer_value": "10% off", "cta": "Go",
                                   "link": "https://hc.example/w"},
        "variants": {"website": {"text": "10% off with W1", "link": link}},
        "audience": "everyone", "steps": [{"channel": "website", "at": "2027-03-10T12:00", "timezone": NY}]}),
        encoding="utf-8")
    return plan


@time_machine.travel("2027-02-01 10:00:00Z", tick=False)
def test_a_banner_link_that_is_no_web_page_is_an_error_and_no_banner_is_written(shop, capsys, tmp_path):
    """A banner's link holding the master's link as text ("javascript:…//https://…") runs a script on
    the shop's own site for whoever clicks it: the check says so, and the export writes nothing."""
    assert run(capsys, "campaign", "import", str(_banner_plan(tmp_path, JS)), "-w", str(shop))[0] == 0
    status, out, _ = run(capsys, "campaign", "check", "Web", "--json", "-w", str(shop))
    found = [f for f in json.loads(out)["findings"] if f["channel"] == "website" and f["severity"] == "error"]
    assert status == 1 and [(f["severity"], f["code"], f["field"]) for f in found] == [
        ("error", "malformed_link", "link")], found
    assert "not javascript:" in found[0]["message"]
    status, _, err = run(capsys, "campaign", "export", "Web", "--out", str(tmp_path / "packs"), "-w", str(shop))
    assert status == 1 and "javascript:" in err and len(err.strip().splitlines()) == 1, err
    assert not (tmp_path / "packs").exists()
    # A web page is written behind the button.
    assert run(capsys, "campaign", "import", str(_banner_plan(tmp_path, "https://hc.example/w")),
               "-w", str(shop))[0] == 0
    status, _, err = run(capsys, "campaign", "export", "Web", "--out", str(tmp_path / "packs"), "-w", str(shop))
    assert status == 0, err
    (banner,) = (tmp_path / "packs").glob("*.html")
    assert 'href="https://hc.example/w"' in banner.read_text(encoding="utf-8")


def test_the_export_itself_writes_no_banner_behind_a_script_link(make_workspace, tmp_path, monkeypatch):
    """Were the check to let such a link by, the export still refuses to write it into the page."""
    from omnidesk.core.campaigns import check
    from omnidesk.core.campaigns.campaign import save_campaign
    from omnidesk.core.campaigns.export import export_campaign
    from omnidesk.core.errors import UserError

    ws = make_workspace(timezone=NY)
    set_brand(ws, "address", "1 Market Street, Springfield")
    save_message(ws, "Web", {"headline": "Web", "link": "https://hc.example/w"},
                 variants={"website": {"text": "Sale", "link": JS}})
    save_campaign(ws, "Web", message="Web", steps=[{"channel": "website", "at": "2027-03-10T12:00", "timezone": NY}])
    monkeypatch.setattr(check, "errors_before_export", lambda report: [])
    try:
        export_campaign(ws, "Web", tmp_path / "packs", now=datetime(2027, 2, 1, tzinfo=UTC))
    except UserError as exc:
        assert "javascript:" in str(exc)
    else:
        raise AssertionError("a banner was written behind a javascript: link")
    assert not (tmp_path / "packs").exists()


EMAIL_PLAN = {"name": "Mail", "message": {"headline": "Mail", "body": "Hi", "offer_code": "M1", "offer_value": "10% off",
                                          "link": "https://hc.example/m"},
              "audience": "everyone", "steps": [{"channel": "email", "at": "2027-03-10T12:00", "timezone": NY}]}


@time_machine.travel("2027-02-01 10:00:00Z", tick=False)
def test_an_empty_or_blank_packs_folder_is_refused_and_nothing_is_written_or_recorded(shop, capsys, tmp_path,
                                                                                      monkeypatch):
    """`--out ''` put every pack in the folder the command was typed in and recorded the sends;
    `--out ' '` made a folder named by a space."""
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps(EMAIL_PLAN), encoding="utf-8")
    assert run(capsys, "campaign", "import", str(plan), "-w", str(shop))[0] == 0
    here = tmp_path / "here"
    here.mkdir()
    monkeypatch.chdir(here)
    for given, word in (("", "empty"), (" ", "blank"), ("\t", "blank")):
        status, out, err = run(capsys, "campaign", "export", "Mail", "--out", given, "--force", "-w", str(shop))
        assert (status, out) == (2, "") and f"--out: give the folder for the packs (it was {word})" in err, err
        assert len(err.strip().splitlines()) == 1
    assert list(here.iterdir()) == []
    assert json.loads(run(capsys, "campaign", "list", "--json", "-w", str(shop))[1])[0]["status"] == "draft"


def test_an_empty_or_blank_folder_for_the_demos_files_is_refused(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for given in ("", "  "):
        status, out, err = run(capsys, "demo", "--files", given)
        assert (status, out) == (2, "") and "--files: give the folder for the demo's files" in err, err
    assert list(tmp_path.iterdir()) == []


@time_machine.travel("2027-02-01 10:00:00Z", tick=False)
def test_the_check_warns_of_addresses_mailchimp_leaves_out_and_the_pack_keeps_them(capsys, tmp_path):
    """Mailchimp's import takes international characters only after the @: josé@example.com is
    left out of the audience without a word, so the check says how many the pack holds."""
    from tests.helpers import write_csv

    people = write_csv(tmp_path / "people.csv", ["Email", "First Name", "Accepts Email Marketing"],
                       [["josé@example.com", "José", "yes"], ["ann@example.com", "Ann", "yes"],
                        ["zoë@exämple.com", "Zoë", "yes"], ["bo@exämple.com", "Bo", "yes"]])
    ws = tmp_path / "shop.omnidesk"
    assert run(capsys, "import", str(people), "--channel", "shop", "-w", str(ws))[0] == 0
    assert run(capsys, "brand", "set", "address", "12 Quay St, Portland", "-w", str(ws))[0] == 0
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps(EMAIL_PLAN), encoding="utf-8")
    assert run(capsys, "campaign", "import", str(plan), "-w", str(ws))[0] == 0
    status, out, _ = run(capsys, "campaign", "check", "Mail", "--json", "-w", str(ws))
    found = [f for f in json.loads(out)["findings"] if f["code"] == "address_mailchimp_refuses"]
    assert status == 0 and [f["severity"] for f in found] == ["warning"], out
    assert found[0]["message"].startswith("2 email recipients have an address") and "josé@example.com" in \
        found[0]["message"]  # bo@exämple.com is fine: the letters after the @ are Mailchimp's to read
    text = run(capsys, "campaign", "check", "Mail", "-w", str(ws))[1]
    assert "No findings" not in text and "Mailchimp" in text
    assert run(capsys, "campaign", "export", "Mail", "--out", str(tmp_path / "packs"), "-w", str(ws))[0] == 0
    (pack,) = (tmp_path / "packs").glob("*.csv")
    assert "josé@example.com" in pack.read_text(encoding="utf-8")  # not dropped without a word


@time_machine.travel("2027-02-01 10:00:00Z", tick=False)
def test_someone_whose_mailbox_another_unsubscribed_is_left_out_as_opted_out(capsys, tmp_path):
    """Rae gave Rae.Fox+shop@Example.com and said nothing; Rachel unsubscribed rae.fox@example.com,
    the same mailbox.  Rae is out, and the first guard that says no names why: opted out, not
    consent unknown (whatever the settings make of consent unknown)."""
    from tests.helpers import write_csv

    shop_csv = write_csv(tmp_path / "shop.csv", ["First Name", "Last Name", "Email"],
                         [["Rae", "Fox", "Rae.Fox+shop@Example.com"]])
    news = write_csv(tmp_path / "news.csv", ["Email", "First Name", "Last Name", "Email consent", "Email consent date"],
                     [["rae.fox@example.com", "Rachel", "Fox-Smith", "unsubscribed", "2026-03-01"]])
    ws = tmp_path / "shop.omnidesk"
    assert run(capsys, "import", str(shop_csv), "--channel", "shop", "-w", str(ws))[0] == 0
    assert run(capsys, "import", str(news), "--channel", "email", "-w", str(ws))[0] == 0
    assert run(capsys, "brand", "set", "address", "12 Quay St, Portland", "-w", str(ws))[0] == 0
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps(EMAIL_PLAN), encoding="utf-8")
    assert run(capsys, "campaign", "import", str(plan), "-w", str(ws))[0] == 0
    for soft in ("no", "yes"):
        assert run(capsys, "settings", "soft_opt_in", soft, "-w", str(ws))[0] == 0
        shown = json.loads(run(capsys, "campaign", "show", "Mail", "--json", "-w", str(ws))[1])
        (step,) = shown["recipients"]
        assert (step["eligible"], step["excluded"]) == (0, {"opted out": 2}), (soft, step)
        checked = json.loads(run(capsys, "campaign", "check", "Mail", "--json", "-w", str(ws))[1])
        (step,) = checked["steps"]
        assert step["excluded"] == {"opted out": 2}, (soft, step)
    status, out, err = run(capsys, "campaign", "export", "Mail", "--out", str(tmp_path / "packs"), "--json",
                           "-w", str(ws))
    assert status == 0, err
    (step,) = json.loads(out)["steps"]
    assert (step["eligible"], step["excluded"]) == (0, {"opted out": 2})


@time_machine.travel("2027-02-01 10:00:00Z", tick=False)
def test_a_line_break_inside_an_imported_value_is_one_space_in_texts_packs_and_exports(capsys, tmp_path):
    """A quoted "Line\\nBreak" city went into the SMS text, Mailchimp's CITY cell and the customers
    export as two lines.  A value kept on one line is imported as one; a note keeps its lines, and
    the row is kept as read."""
    import csv
    import sqlite3

    from tests.helpers import write_csv

    people = write_csv(tmp_path / "people.csv",
                       ["First Name", "Email", "Phone", "City", "State", "Zip", "Country", "Company", "Job Title",
                        "Notes", "Favourite colour", "Email consent", "Email consent date", "SMS consent",
                        "SMS consent date"],
                       [["Tab", "tab@example.com", "+1 212 555 0304", "Line\nBreak", "New\r\nYork", "10001",
                         "United\nStates", "Acme\n\n  Goods", "Head\tof\nSales", "first line\nsecond line",
                         "deep\nblue", "yes", "2026-01-05", "yes", "2026-01-05"]])
    ws = tmp_path / "shop.omnidesk"
    status, _, err = run(capsys, "import", str(people), "--channel", "shop", "-w", str(ws))
    assert status == 0, err
    assert run(capsys, "brand", "set", "address", "12 Quay St, Portland", "-w", str(ws))[0] == 0
    assert run(capsys, "brand", "set", "name", "Harbor", "-w", str(ws))[0] == 0
    out = tmp_path / "customers.csv"
    assert run(capsys, "export", "customers", str(out), "--columns",
               "city,region,country,company,custom.Favourite colour", "-w", str(ws))[0] == 0
    with out.open(encoding="utf-8", newline="") as f:
        (row,) = list(csv.reader(f))[1:]
    assert row == ["Line Break", "New York", "US", "Acme Goods", "deep blue"], row
    with sqlite3.connect(ws) as conn:
        raw, kept = conn.execute("SELECT raw_json, values_json FROM source_record").fetchone()
    assert "Line\\nBreak" in raw  # the row as read
    kept = json.loads(kept)
    assert (kept["job_title"], kept["note"]) == ("Head of Sales", "first line\nsecond line"), kept
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps({
        "name": "City", "message": {"headline": "City", "body": "Hi from {city|here}", "offer_code": "C1",
                                    "offer_value": "10% off", "link": "https://hc.example/c"},
        "variants": {"sms": {"text": "Harbor: hi from {city|here}, 10% off with C1 https://hc.example/c Reply STOP"},
                     "email": {"subject": "Hi", "body": "Hi from {city|here}, 10% off with C1 https://hc.example/c"}},
        "audience": "everyone", "steps": [{"channel": "email", "at": "2027-03-10T12:00", "timezone": NY},
                                          {"channel": "sms", "at": "2027-03-10T12:00", "timezone": NY}]}),
        encoding="utf-8")
    assert run(capsys, "campaign", "import", str(plan), "-w", str(ws))[0] == 0
    status, _, err = run(capsys, "campaign", "export", "City", "--out", str(tmp_path / "packs"), "-w", str(ws))
    assert status == 0, err
    packs = {p.name.split("_")[1]: p for p in (tmp_path / "packs").glob("*.csv")}
    with packs["sms"].open(encoding="utf-8", newline="") as f:
        (text,) = [r["Message"] for r in csv.DictReader(f)]
    assert text.startswith("Harbor: hi from Line Break, 10% off"), text
    with packs["email"].open(encoding="utf-8", newline="") as f:
        (mail,) = list(csv.DictReader(f))
    assert mail["CITY"] == "Line Break", mail


def test_force_never_replaces_a_pipe_or_a_link_to_one_with_a_file(shop, capsys, tmp_path):
    """`export customers /dev/stdout --force` put a plain file where the link to the terminal was:
    a device, a named pipe or a socket (or a link to one) is refused, --force or not, and stays."""
    import os
    import stat

    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    link = tmp_path / "stdout"
    link.symlink_to(fifo)
    for target in (fifo, link):
        for force in ((), ("--force",)):
            status, out, err = run(capsys, "export", "customers", str(target), *force, "-w", str(shop))
            assert status == 1 and out == "" and len(err.strip().splitlines()) == 1, err
            assert "a named pipe (FIFO), not a file" in err and str(target) in err, err
            assert ("a link to" in err) == (target == link), err
    assert stat.S_ISFIFO(os.stat(fifo).st_mode) and link.is_symlink() and os.readlink(link) == str(fifo)
    # The packs of a campaign too: a pipe with a pack's name is no pack to replace.
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps(EMAIL_PLAN), encoding="utf-8")
    assert run(capsys, "campaign", "import", str(plan), "-w", str(shop))[0] == 0
    packs = tmp_path / "packs"
    packs.mkdir()
    os.mkfifo(packs / "mail.ics")
    with time_machine.travel("2027-02-01 10:00:00Z", tick=False):
        status, _, err = run(capsys, "campaign", "export", "Mail", "--out", str(packs), "--force", "-w", str(shop))
    assert status == 1 and "mail.ics" in err and "named pipe" in err, err
    assert [p.name for p in packs.iterdir()] == ["mail.ics"] and stat.S_ISFIFO(os.stat(packs / "mail.ics").st_mode)


def test_force_never_replaces_a_link_to_a_programs_own_stream(shop, capsys, tmp_path):
    """/dev/stdout with the output sent to a file is a link, through /proc/self/fd/1, to that
    regular file: `export sources /dev/stdout --force` renamed a plain file over the link, which
    then stayed a file for every program after.  Such a link is refused, --force or not."""
    import os

    link = tmp_path / "stdout"
    link.symlink_to("/proc/self/fd/1")
    status, out, err = run(capsys, "export", "customers", str(link), "--force", "-w", str(shop))
    assert status == 1 and out == "" and "a program's output or input stream" in err, err
    assert link.is_symlink() and os.readlink(link) == "/proc/self/fd/1"


@pytest.mark.parametrize("command", [["report", "--pdf"], ["export", "customers"], ["export", "sources"]])
def test_a_file_name_ending_with_a_slash_is_refused_not_written_without_it(shop, capsys, tmp_path, command):
    """`report --pdf out/x.pdf/` (a folder meant, or a slip) wrote a file named x.pdf."""
    target = tmp_path / "x.pdf"
    status, out, err = run(capsys, *command, str(target) + "/", "-w", str(shop))
    assert status == 1 and out == "" and "ends with a slash" in err and len(err.strip().splitlines()) == 1, err
    assert not target.exists() and list(tmp_path.glob("x.pdf*")) == []
