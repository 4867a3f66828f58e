"""A saved segment a campaign sends to, on the command line: it is not deleted; and a campaign whose
segment went before that was refused still has its packs checked, naming who opted out since."""

from __future__ import annotations

import csv
import json
import sqlite3

import time_machine

from tests.helpers import cli_shop_fixtures, run_cli

PEOPLE = (["Email", "First Name", "Last Name", "City", "Accepts Email Marketing"], [
    ["ann@example.com", "Ann", "Able", "New York", "yes"],
    ["bob@example.com", "Bob", "Baker", "Boston", "yes"],
    ["dan@example.com", "Dan", "Dunn", "Boston", "yes"],
])
MESSAGE = {"name": "Sale", "message": {"headline": "Spring sale", "body": "Hi {first_name|there}, 20% off.",
                                       "link": "https://example.com/spring", "cta": "Shop now"}}
PLAN = {"name": "Seg", "message": "Sale", "audience": "Bostonians",
        "steps": [{"channel": "email", "at": "2027-03-02T09:00", "timezone": "America/New_York"}]}
BOSTON = '{"field": "city", "op": "is", "value": "Boston"}'

shop_template, shop = cli_shop_fixtures(PEOPLE, ["settings", "timezone", "America/New_York"],
                                        ["brand", "set", "address", "1 Market Street, Springfield"])


def run(capsys, *argv):
    return run_cli(capsys, *argv)


def exported(capsys, shop, tmp_path):
    """The campaign Seg, sent to the segment Bostonians, exported to ``tmp_path/packs``."""
    (tmp_path / "msg.json").write_text(json.dumps(MESSAGE), encoding="utf-8")
    (tmp_path / "plan.json").write_text(json.dumps(PLAN), encoding="utf-8")
    w = ["-w", str(shop)]
    assert run(capsys, "message", "import", str(tmp_path / "msg.json"), *w)[0] == 0
    assert run(capsys, "segment", "save", "Bostonians", "--rule", BOSTON, *w)[0] == 0
    assert run(capsys, "campaign", "import", str(tmp_path / "plan.json"), *w)[0] == 0
    assert run(capsys, "campaign", "export", "Seg", "--out", str(tmp_path / "packs"), *w)[0] == 0
    return tmp_path / "packs"


def emails(packs) -> set[str]:
    (pack,) = packs.glob("seg_email_*.csv")
    with pack.open(encoding="utf-8", newline="") as fh:
        return {row["Email Address"] for row in csv.DictReader(fh)}


@time_machine.travel("2027-02-01 12:00:00Z", tick=False)
def test_a_segment_a_campaign_sends_to_is_not_deleted(shop, capsys, tmp_path):
    exported(capsys, shop, tmp_path)
    status, _, err = run(capsys, "segment", "delete", "bostonians", "-w", str(shop))
    assert status == 1 and "The segment 'Bostonians' is the audience of campaign 'Seg'" in err
    assert "Change its audience first" in err and len(err.strip().splitlines()) == 1
    assert "Bostonians" in run(capsys, "segment", "list", "-w", str(shop))[1]
    assert run(capsys, "campaign", "check", "Seg", "-w", str(shop))[0] == 0


def test_a_campaign_whose_segment_is_gone_still_has_its_pack_checked(shop, capsys, tmp_path):
    w = ["-w", str(shop)]
    with time_machine.travel("2027-02-01 12:00:00Z", tick=False):
        packs = exported(capsys, shop, tmp_path)
    assert emails(packs) == {"bob@example.com", "dan@example.com"}
    # A workspace where the segment went before its delete was refused.
    with sqlite3.connect(shop) as db:
        db.execute("delete from saved_segment")
    assert run(capsys, "consent", "set", "dan@example.com", "email", "denied", *w)[0] == 0

    with time_machine.travel("2027-02-10 12:00:00Z", tick=False):
        status, out, _ = run(capsys, "campaign", "check", "Seg", "--json", *w)
        assert status == 1
        by_code = {f["code"]: f["message"] for f in json.loads(out)["findings"] if f["severity"] == "error"}
        assert set(by_code) == {"audience_missing", "pack_holds_opt_outs"}
        assert "campaign 'Seg'" in by_code["audience_missing"] and "2027-03-02 09:00" in by_code["audience_missing"]
        assert "the segment 'Bostonians', no longer exists" in by_code["audience_missing"]
        assert "Email step of 2027-03-02 09:00" in by_code["pack_holds_opt_outs"]
        assert "customer 3, dan@example.com" in by_code["pack_holds_opt_outs"]

        # No pack is written for an audience nobody can name: the export says why, and who is in the pack.
        status, _, err = run(capsys, "campaign", "export", "Seg", "--out", str(packs), "--force", *w)
        assert status == 1 and "no longer exists" in err and "dan@example.com" in err
        assert emails(packs) == {"bob@example.com", "dan@example.com"}

        # Given its audience again, the export takes Dan out of the pack.
        assert run(capsys, "segment", "save", "Bostonians", "--rule", BOSTON, *w)[0] == 0
        assert run(capsys, "campaign", "export", "Seg", "--out", str(packs), "--force", *w)[0] == 0
        assert emails(packs) == {"bob@example.com"}
        assert run(capsys, "campaign", "check", "Seg", *w)[0] == 0
