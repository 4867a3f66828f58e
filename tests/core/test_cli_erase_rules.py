"""A saved segment or a campaign's audience that names an erased person's email or phone.

Erasing Zed must leave nothing of him in the workspace, his address in a rule
included, and no rule may start selecting anyone it did not select before: the
value becomes one that matches no one, as his address does now that he is gone.
"""

from __future__ import annotations

import json
import sqlite3

from tests.helpers import run_cli, write_csv

CUSTOMERS = ["Customer ID", "First Name", "Last Name", "Email", "Accepts Email Marketing",
             "Default Address Address1", "Default Address City", "Default Address Zip", "Phone"]
PLAN = {"name": "Zed promo", "message": {"headline": "For you", "link": "https://shop.example/zed"},
        "audience": {"all": [{"field": "email", "op": "in", "value": ["Zed.Target@example.com", "ann@example.com"]},
                             {"field": "consent.email", "op": "is", "value": "granted"}]},
        "steps": [{"channel": "email", "at": "2027-03-01T09:00", "timezone": "America/New_York"}],
        "mode": "each_channel"}


def _count(capsys, ws, segment: str) -> int:
    status, out, err = run_cli(capsys, "segment", "count", segment, "-w", ws)
    assert status == 0, err
    return int(out.split()[0])


def test_erasing_a_person_takes_their_email_and_phone_out_of_saved_rules(tmp_path, capsys):
    ws = tmp_path / "shop.omnidesk"
    customers = write_csv(tmp_path / "customers_export.csv", CUSTOMERS, [
        ["'1001", "Ann", "Buyer", "ann@example.com", "yes", "1 Main St", "Portland", "04101", "+12075550100"],
        ["'1002", "Zed", "Target", "zed.target@example.com", "yes", "77 Secret Lane", "Bangor", "04401",
         "+12075550177"],
        ["'1003", "Cy", "Moss", "cy@example.com", "no", "3 Oak Rd", "Portland", "04101", ""]])
    assert run_cli(capsys, "import", customers, "--channel", "shop", "-w", ws)[0] == 0
    rules = {"zed-only": {"all": [{"field": "email", "op": "is", "value": "zed.target@example.com"}]},
             # Everyone but Zed who gave a phone: dropping the condition would add nobody, but
             # dropping "not" or the phone from an "all" would.
             "phone-but-zed": {"all": [{"field": "phone", "op": "exists"},
                                       {"not": {"field": "phone", "op": "is", "value": "(207) 555-0177"}}]},
             "ann-and-zed": {"any": [{"field": "email", "op": "is", "value": "ann@example.com"},
                                     {"field": "phone", "op": "is", "value": "+1 207 555 0177"}]}}
    for name, rule in rules.items():
        assert run_cli(capsys, "segment", "save", name, "--rule", json.dumps(rule), "-w", ws)[0] == 0
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps(PLAN), encoding="utf-8")
    status, _, err = run_cli(capsys, "campaign", "import", plan, "-w", ws)
    assert status == 0, err
    before = {name: _count(capsys, ws, name) for name in rules}
    assert before == {"zed-only": 1, "phone-but-zed": 1, "ann-and-zed": 2}

    status, out, err = run_cli(capsys, "-w", ws, "person", "erase", "zed.target@example.com", "--yes")
    assert status == 0, err
    assert ("3 saved segments and 1 campaign audience named their email or phone: it now reads [erased] there, "
            "which matches no one") in out
    # Each selects whom it did, Zed aside: no more.
    assert {name: _count(capsys, ws, name) for name in rules} == {"zed-only": 0, "phone-but-zed": 1,
                                                                    "ann-and-zed": 1}
    db = sqlite3.connect(ws)
    try:
        kept = [r for (r,) in db.execute("SELECT rule_json FROM saved_segment")]
        kept += [r for (r,) in db.execute("SELECT audience_json FROM campaign")]
    finally:
        db.close()
    for text in kept:
        for trace in ("zed.target", "555-0177", "555 0177", "5550177"):
            assert trace not in text.lower(), (trace, text)
    assert json.loads(kept[-1])["all"][0]["value"] == ["[erased]", "ann@example.com"]
    assert json.loads(kept[1])["all"][1] == {"not": {"field": "phone", "op": "is", "value": "[erased]"}}
    status, out, err = run_cli(capsys, "campaign", "show", "Zed promo", "--json", "-w", ws)
    assert status == 0, err
