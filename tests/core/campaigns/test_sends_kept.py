"""Messages exported stay on record while their person does: an undone file, a merge and its undo,
a rebuild of every customer, none makes frequency caps or results forget a send; only the
person's last record going (undone, or erased at their request) takes their sends.

Everything goes through the command line, as a marketer would do it."""

from __future__ import annotations

import json
import re

import pytest
import time_machine

from tests.helpers import run_cli, write_csv

NY = "America/New_York"
MESSAGE = {"name": "Promo", "message": {"headline": "Sale", "body": "Hi {first_name|there}, 20% off.",
                                        "offer_code": "SALE20", "offer_value": "20% off",
                                        "link": "https://example.com/sale"}}
TODAY = "2027-02-01 10:00:00Z"


@pytest.fixture
def shop(tmp_path, capsys):
    """Ann in two files (an email list, then phone contacts), a cap of one message, UA exported to her."""
    ws = tmp_path / "u.omnidesk"

    def run(*argv):
        status, out, err = run_cli(capsys, "-w", ws, *argv)
        assert status == 0, err
        return out

    write_csv(tmp_path / "u1.csv", ["First name", "Last name", "Email", "Phone", "Email consent", "SMS consent"],
              [["Ann", "Alpha", "ann@example.com", "+12125550101", "yes", "yes"]])
    write_csv(tmp_path / "u2.csv", ["Name", "E-mail address", "Mobile", "City", "Email opt-in", "SMS opt-in"],
              [["Ann Alpha", "ann@example.com", "+12125550101", "Boston", "yes", "yes"]])
    (tmp_path / "msg.json").write_text(json.dumps(MESSAGE), encoding="utf-8")
    run("import", tmp_path / "u1.csv", "--channel", "email")
    run("brand", "set", "address", "1 Main St, New York NY 10001")
    run("brand", "set", "name", "Shop")
    run("message", "import", tmp_path / "msg.json")
    run("import", tmp_path / "u2.csv", "--channel", "contacts")
    run("settings", "cap_messages", "1")
    for name, day in (("UA", "01"), ("UB", "03")):
        plan = tmp_path / f"{name}.json"
        plan.write_text(json.dumps({"name": name, "message": "Promo", "steps": [
            {"channel": "email", "at": f"2027-03-{day}T09:00", "timezone": NY}]}), encoding="utf-8")
        run("campaign", "import", plan)
    with time_machine.travel(TODAY, tick=False):
        run("campaign", "export", "UA", "--out", tmp_path / "out_ua")
    return run


def _sent(run, name: str) -> int:
    """How many the campaign's (one) exported step was made for, as `campaign show` says."""
    with time_machine.travel(TODAY, tick=False):
        return json.loads(run("campaign", "show", name, "--json"))["recipients"][0]["exported"]["recipients"]


def _eligible(run, name: str) -> int:
    with time_machine.travel(TODAY, tick=False):
        return json.loads(run("campaign", "show", name, "--json"))["recipients"][0]["eligible"]


def _reported(run) -> dict:
    """UA's step in the campaign results, once it has gone out."""
    with time_machine.travel("2027-03-05 10:00:00Z", tick=False):
        steps = json.loads(run("report", "--json"))["campaigns"]
    return next(s for s in steps if s["name"] == "UA")


def test_undoing_the_file_a_send_hangs_off_keeps_the_send(shop):
    assert (_sent(shop, "UA"), _eligible(shop, "UB")) == (1, 0)  # the cap counts UA's email
    shop("imports", "undo", "1")  # Ann stays: her phone contacts' record remains
    assert _sent(shop, "UA") == 1
    assert _eligible(shop, "UB") == 0  # still capped
    assert _reported(shop)["recipients"] == 1
    shop("imports", "undo", "2")  # her last record: nobody is left to have been sent it
    assert _sent(shop, "UA") == 0


def test_a_rebuild_a_split_and_a_merge_keep_the_send(shop):
    shop("resolve", "--from-scratch")
    assert (_sent(shop, "UA"), _eligible(shop, "UB")) == (1, 0)
    said = shop("unmerge", "2")  # her contacts' record split off, then put back by hand
    old, new = re.search(r"from customer (\d+) to new customer (\d+)", said).groups()
    shop("merge", old, new)
    assert (_sent(shop, "UA"), _eligible(shop, "UB")) == (1, 0)
    shop("imports", "undo", "1")
    shop("resolve", "--from-scratch")
    assert (_sent(shop, "UA"), _eligible(shop, "UB")) == (1, 0)
    assert _reported(shop)["recipients"] == 1


def test_an_exported_campaign_is_kept_and_its_sends_still_count(shop, tmp_path):
    """Deleting UA would take its steps and their send records: UB's cap would forget Ann's email."""
    from omnidesk.core.campaigns.campaign import delete_campaign
    from omnidesk.core.errors import UserError
    from omnidesk.core.workspace import Workspace

    ws = Workspace.open(tmp_path / "u.omnidesk")
    try:
        with pytest.raises(UserError, match=r"^UA was exported \(2027-02-01\), so it is kept: the messages it sent "
                                            r"count toward frequency caps and its results"):
            delete_campaign(ws, "ua")
        delete_campaign(ws, "UB")  # never exported: it goes
    finally:
        ws.close()
    assert (_sent(shop, "UA"), _reported(shop)["recipients"]) == (1, 1)


def test_a_step_whose_time_has_passed_is_not_exported(shop, tmp_path, capsys):
    """A pack made today for 1 March 2020 would be reported as sent then, crediting that month's orders."""
    plan = tmp_path / "old.json"
    plan.write_text(json.dumps({"name": "Old", "message": "Promo", "steps": [
        {"channel": "email", "at": "2020-03-01T09:00", "timezone": NY}]}), encoding="utf-8")
    shop("campaign", "import", plan)
    with time_machine.travel(TODAY, tick=False):
        status, out, err = run_cli(capsys, "-w", tmp_path / "u.omnidesk", "campaign", "export", "Old",
                                   "--out", tmp_path / "out_old")
    assert status != 0 and out == "" and len(err.strip().splitlines()) == 1, err
    assert "the Email step of 2020-03-01 09:00 (America/New_York) is in the past; give it a time to come" in err
    assert not (tmp_path / "out_old").exists()
    assert "Old" not in {s["name"] for s in json.loads(shop("report", "--json"))["campaigns"]}
    plan.write_text(json.dumps({"name": "Old", "message": "Promo", "steps": [
        {"channel": "email", "at": "2027-03-10T09:00", "timezone": NY}]}), encoding="utf-8")
    shop("campaign", "import", plan)  # re-dated, it goes
    with time_machine.travel(TODAY, tick=False):
        shop("campaign", "export", "Old", "--out", tmp_path / "out_old")


def test_taking_back_a_removed_file_puts_its_sends_back_where_they_were(shop, tmp_path):
    """Removing a file from the Imports screen moves its sends onto the record Ann keeps;
    Edit › Undo of that removal puts every send back on the record it was made for."""
    from sqlalchemy import select

    from omnidesk.core.importing.batches import remove_batch, restore_batch
    from omnidesk.core.models import SendRecord, SourceRecord
    from omnidesk.core.workspace import Workspace

    sr, rec = SendRecord.__table__, SourceRecord.__table__

    def sends(ws):
        with ws.engine.connect() as conn:
            return conn.execute(select(sr.c.id, sr.c.record_id, rec.c.batch_id)
                                .join(rec, rec.c.id == sr.c.record_id).order_by(sr.c.id)).all()

    ws = Workspace.open(tmp_path / "u.omnidesk")
    try:
        before = sends(ws)
        assert [b for _id, _rid, b in before] == [1]  # UA's email hangs off her email list's record
        removal = remove_batch(ws, 1)
        moved = sends(ws)
        assert [(i, b) for i, _rid, b in moved] == [(before[0][0], 2)]
        restore_batch(ws, removal)
        assert sends(ws) == before
    finally:
        ws.close()
    assert (_sent(shop, "UA"), _eligible(shop, "UB")) == (1, 0)
    shop("imports", "undo", "1")
    assert (_sent(shop, "UA"), _eligible(shop, "UB")) == (1, 0)


@pytest.fixture
def merged_by_mistake(tmp_path, capsys):
    """Ann of the shop and Bob of the email list merged by hand; the Spring email went to Bob's address."""
    ws = tmp_path / "m.omnidesk"

    def run(*argv):
        status, out, err = run_cli(capsys, "-w", ws, *argv)
        assert status == 0, err
        return out

    write_csv(tmp_path / "shop.csv", ["Email", "First Name", "Last Name", "Accepts Email Marketing"],
              [["ann@example.com", "Ann", "Lee", "yes"]])
    write_csv(tmp_path / "list.csv", ["Email Address", "First Name", "Last Name"],
              [["bob@example.com", "Bob", "Stone"]])
    run("import", tmp_path / "shop.csv", "--channel", "shop")
    run("import", tmp_path / "list.csv", "--channel", "email")
    with time_machine.travel(TODAY, tick=False):  # the "yes" typed in is dated now
        run("consent", "set", "2", "email", "granted")
    run("brand", "set", "address", "12 Quay St, Portland")
    run("brand", "set", "name", "Harbor")
    run("merge", "1", "2")
    run("settings", "cap_email", "1")
    for name, day in (("Spring", "01"), ("Follow", "02")):
        plan = tmp_path / f"{name}.json"
        plan.write_text(json.dumps({"name": name, "message": {"headline": "Spring sale",
                                                               "link": "https://hc.example/s"},
                                    "audience": "everyone", "steps": [
                                        {"channel": "email", "at": f"2027-03-{day}T09:00", "timezone": NY}]}),
                        encoding="utf-8")
        run("campaign", "import", plan)
    with time_machine.travel(TODAY, tick=False):
        run("campaign", "export", "Spring", "--out", tmp_path / "spring")
    assert (tmp_path / "spring" / "spring_email_2027-03-01_0900.csv").read_text().splitlines()[1:] == [
        "bob@example.com,Ann,Lee,"]  # the merged card's email was Bob's
    return run


def _follow_goes_to(run, tmp_path) -> list[str]:
    with time_machine.travel(TODAY, tick=False):
        run("campaign", "export", "Follow", "--out", tmp_path / "follow", "--force")
    return [line.split(",")[0] for line in
            (tmp_path / "follow" / "follow_email_2027-03-02_0900.csv").read_text().splitlines()[1:]]


def test_splitting_a_merged_customer_takes_the_send_along_with_the_person_it_reached(merged_by_mistake, tmp_path):
    run = merged_by_mistake
    said = run("unmerge", "2")  # Bob's list record split off Ann
    old, new = re.search(r"from customer (\d+) to new customer (\d+)", said).groups()
    run("export", "timeline", old, tmp_path / "ann.csv")
    run("export", "timeline", new, tmp_path / "bob.csv")
    assert "Spring — Email pack exported" not in (tmp_path / "ann.csv").read_text()
    assert "Spring — Email pack exported" in (tmp_path / "bob.csv").read_text()
    # One email a week: Bob had his, Ann had none.
    assert _follow_goes_to(run, tmp_path) == ["ann@example.com"]


def test_undoing_the_merge_takes_the_send_back_with_the_person_it_reached(merged_by_mistake, tmp_path):
    from sqlalchemy import select

    from omnidesk.core.identity.merge import MergeResult, undo_merge
    from omnidesk.core.models import MergeLog
    from omnidesk.core.workspace import Workspace

    ws = Workspace.open(tmp_path / "m.omnidesk")
    try:
        with ws.engine.connect() as conn:
            log_id = conn.execute(select(MergeLog.__table__.c.id)).scalar_one()
        undo_merge(ws, MergeResult(1, [2], [log_id]))
    finally:
        ws.close()
    assert _follow_goes_to(merged_by_mistake, tmp_path) == ["ann@example.com"]
