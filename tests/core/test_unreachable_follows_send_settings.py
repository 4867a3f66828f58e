"""The Dashboard's unreachable customers follow the campaigns' settings for unknown consent, as
"may be marketed to" does: with ``send_unknown_email`` and ``send_unknown_sms`` on, a customer
nobody asked is reachable, and the tile no longer counts them.

Five customers, through the command line: Ann said yes, Bob (one order) and Cid (none) were never
asked, Dee never confirmed, Eve said no.
"""

from __future__ import annotations

import json
import re

import pytest
import time_machine

from omnidesk.core import metrics
from omnidesk.core.workspace import Workspace
from tests.helpers import run_cli, write_csv

IMPORTED_AT = "2030-02-01T12:00:00Z"


def five_customers(folder, capsys):
    """A workspace of Ann, Bob, Cid, Dee and Eve, imported through the command line."""
    ws = folder / "shop.omnidesk"
    files = [
        (write_csv(folder / "list.csv", ["First Name", "Email", "Phone"],
                   [["Bob", "bob@example.com", "+14155550102"], ["Cid", "cid@example.com", "+14155550103"]]),
         "contacts"),
        (write_csv(folder / "consent.csv", ["First Name", "Email", "Email consent", "Phone", "SMS consent"],
                   [["Ann", "ann@example.com", "yes", "+14155550101", "yes"],
                    ["Dee", "dee@example.com", "pending", "+14155550104", "pending"],
                    ["Eve", "eve@example.com", "no", "+14155550105", "no"]]), "email"),
        (write_csv(folder / "orders.csv", ["Name", "Email", "Created at", "Total", "Currency", "Financial Status"],
                   [[f"#{n}", f"{who}@example.com", "2030-01-05T10:00:00-05:00", "20.00", "USD", "paid"]
                    for n, who in enumerate(("bob", "dee", "eve"), 1)]), "shop"),
    ]
    with time_machine.travel(IMPORTED_AT, tick=False):
        for path, channel in files:
            status, _out, err = run_cli(capsys, "import", path, "--channel", channel, "-w", ws)
            assert status == 0, err
    return ws


def settings(ws, capsys, **values):
    for key, value in values.items():
        status, _out, err = run_cli(capsys, "settings", key, value, "-w", ws)
        assert status == 0, err


def report(ws, capsys) -> dict:
    with time_machine.travel(IMPORTED_AT, tick=False):
        status, out, err = run_cli(capsys, "report", "--json", "-w", ws)
    assert status == 0, err
    return json.loads(out)


def listed(ws, capsys) -> int:
    """How many customers the unreachable tile's list holds, counted by the command line."""
    with Workspace.open(ws) as opened:
        rule = metrics.health_links(opened)["unreachable_customers"][1]
    status, out, err = run_cli(capsys, "segment", "count", "--rule", json.dumps(rule), "--json", "-w", ws)
    assert status == 0, err
    return json.loads(out)["customers"]


@pytest.mark.parametrize(("values", "reachable", "unreachable"), [
    ({}, {"email": 1, "sms": 1, "whatsapp": 0}, 4),  # Ann alone
    ({"soft_opt_in": "yes"}, {"email": 2, "sms": 1, "whatsapp": 0}, 3),  # and Bob, who ordered, by email
    ({"send_unknown_email": "yes", "send_unknown_sms": "yes"}, {"email": 3, "sms": 3, "whatsapp": 0}, 2),
    ({"send_unknown_sms": "yes"}, {"email": 1, "sms": 3, "whatsapp": 0}, 2),  # by SMS alone
])
def test_unreachable_customers_are_those_no_campaign_may_reach(tmp_path, capsys, values, reachable, unreachable):
    ws = five_customers(tmp_path, capsys)
    settings(ws, capsys, **values)
    data = report(ws, capsys)
    assert data["reachable"] == reachable
    assert data["health"]["unreachable_customers"] == unreachable  # Dee and Eve at least: never
    assert listed(ws, capsys) == unreachable
    with time_machine.travel(IMPORTED_AT, tick=False):
        status, out, err = run_cli(capsys, "report", "-w", ws)
    assert status == 0, err
    assert re.search(rf"^\s*unreachable customers\s+{unreachable}$", out, re.MULTILINE), out
