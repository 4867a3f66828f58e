"""Rules on a till's customers: phones however they are written, and "the last N days" ending now.

A till's transactions file gives mobiles as people write them, "(617) 555-0105"; the import keeps
them in international form, +16175550105, and the list shows them as dialled in the shop's region.
A rule typed the way the list shows the number, or part of it in any punctuation, finds it.

The till also dates one sale three weeks ahead (its clock was wrong): that sale is not "within the
last day", and its customer was not "last seen" in it — they were, two days before now.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
import time_machine

from tests.helpers import run_cli, write_csv

NOW = datetime(2026, 3, 10, 4, 30, tzinfo=UTC)  # 00:30 on 10 March in New York
TILL = ["Date", "Time", "Receipt No", "Customer", "Mobile", "Loyalty Card", "Items", "Total"]


@pytest.fixture(autouse=True)
def now():
    with time_machine.travel(NOW, tick=False):
        yield


def _till(ws, capsys, tmp_path, rows) -> None:
    status, _, err = run_cli(capsys, "import", str(write_csv(tmp_path / "till_transactions.csv", TILL, rows,
                                                             delimiter=";")), "-w", str(ws.path))
    assert status == 0, err


def _count(ws, capsys, rule) -> int:
    status, out, err = run_cli(capsys, "segment", "count", "-w", str(ws.path), "--rule", json.dumps(rule), "--json")
    assert status == 0, err
    return json.loads(out)["customers"]


@pytest.fixture
def shop(make_workspace, tmp_path, capsys):
    ws = make_workspace(timezone="America/New_York", currency="USD", default_region="US")
    _till(ws, capsys, tmp_path, [
        ["03/09/2026", "23:30", "5001", "Nomail, Dan", "(617) 555-0105", "200001", "Latte x 2", "9,00"],
        ["03/08/2026", "10:00", "5003", "Walker, Gil", "(207) 555-0199", "200003", "Mug x1", "15,00"],
        ["03/31/2026", "10:00", "5004", "Walker, Gil", "(207) 555-0199", "200003", "Mug x1", "15,00"],
    ])
    return ws


def test_a_phone_rule_matches_the_number_however_it_is_written(shop, capsys):
    with shop.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT phone FROM customer WHERE display_name LIKE 'Dan%'").scalar() == \
            "+16175550105"
    for rule, want in [
        ({"field": "phone", "op": "is", "value": "(617) 555-0105"}, 1),
        ({"field": "phone", "op": "is", "value": "617.555.0105"}, 1),
        ({"field": "phone", "op": "is", "value": "+16175550105"}, 1),
        ({"field": "phone", "op": "in", "value": ["617-555-0105", "(207) 555-0199"]}, 2),
        ({"field": "phone", "op": "is_not", "value": "(617) 555-0105"}, 1),
        ({"field": "phone", "op": "contains", "value": "555-0105"}, 1),
        ({"field": "phone", "op": "contains", "value": "(617) 555"}, 1),
        ({"field": "phone", "op": "contains", "value": "555"}, 2),
    ]:
        assert _count(shop, capsys, rule) == want, rule


def test_a_phone_without_its_country_code_is_one_of_the_workspaces_region(make_workspace, tmp_path, capsys):
    ws = make_workspace("uk.omnidesk", timezone="Europe/London", currency="GBP", default_region="GB")
    _till(ws, capsys, tmp_path, [["03/09/2026", "11:00", "7001", "Hart, Amy", "07911 123456", "1", "Tea x1", "3,00"]])
    assert _count(ws, capsys, {"field": "phone", "op": "is", "value": "07911 123456"}) == 1
    assert _count(ws, capsys, {"field": "phone", "op": "is", "value": "+44 7911 123456"}) == 1


def test_the_last_n_days_end_now(shop, capsys):
    # Gil's till sale dated 31 March is ahead of now: no purchase of the last day, nor of the last 30 days.
    assert _count(shop, capsys, {"field": "event.purchase", "op": "within_days", "value": 1}) == 1  # Dan's
    assert _count(shop, capsys, {"field": "event.purchase", "op": "exists", "within_days": 1}) == 1
    assert _count(shop, capsys, {"field": "event.purchase", "op": "within_days", "value": 30,
                                 "count_at_least": 2}) == 0
    assert _count(shop, capsys, {"field": "event.purchase", "op": "within_days", "value": 1, "item": "mug"}) == 0
    assert _count(shop, capsys, {"field": "event.purchase", "op": "not_within_days", "value": 1}) == 1  # Gil
    # Last seen: Gil's card says 31 March; he was last seen before now on 8 March.
    assert _count(shop, capsys, {"field": "last_seen", "op": "within_days", "value": 1}) == 1  # Dan
    assert _count(shop, capsys, {"field": "last_seen", "op": "within_days", "value": 3}) == 2
    assert _count(shop, capsys, {"field": "last_seen", "op": "not_within_days", "value": 1}) == 1  # Gil
    assert _count(shop, capsys, {"field": "first_seen", "op": "within_days", "value": 1}) == 1  # Dan
