"""A rule on items gives the same answer whichever command asks: one that only reads the workspace
(``segment count``, ``export customers``), before the product index is made, reads the orders the
way the index does — the line items an order's summary leaves out ("…and 1 more"), a name with
or without its accents — rather than the order's text."""

from __future__ import annotations

import csv
import json
from datetime import UTC, datetime

import pytest
import time_machine

from omnidesk.core.importing.pipeline import import_file

from tests.core.test_money import order, shopify_orders
from tests.helpers import run_cli

NOW = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
CREME = {"field": "event.purchase", "op": "exists", "item": "creme"}
COFFEE = {"field": "event.purchase", "op": "within_days", "value": 90, "item": "coffee"}


@pytest.fixture(autouse=True)
def now():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def shop(make_workspace, tmp_path):
    ws = make_workspace(timezone="America/New_York", currency="USD")
    import_file(ws, shopify_orders(tmp_path / "orders_export.csv", [
        # Four line items: the summary names three, "…and 1 more"; the coffee is the fourth.
        order("#1001", "ann@example.com", "40.00", created="2026-10-20 10:00:00 -0400",
              items=[(1, "Mug", "10.00"), (1, "Tea towel", "10.00"), (1, "Candle", "10.00"),
                     (1, "Coffee beans 1kg", "10.00")]),
        order("#1002", "bob@example.com", "12.00", created="2026-10-21 10:00:00 -0400", billing_name="Bob Roe",
              items=[(1, "Crème brûlée candle", "12.00")]),
        order("#1003", "cy@example.com", "9.00", created="2026-10-22 10:00:00 -0400", billing_name="Cy Poe",
              items=[(1, "Iced coffee", "9.00")]),
    ]))
    return ws


def _count(ws, capsys, command, rule) -> int:
    status, out, err = run_cli(capsys, "segment", command, *(["coffee"] if command == "save" else []),
                               "-w", str(ws.path), "--rule", json.dumps(rule), *(["--json"] if command == "count" else []))
    assert status == 0, err
    return json.loads(out)["customers"] if command == "count" else int(out.split(": ")[1].split()[0])


def _exported(ws, capsys, tmp_path, rule) -> set[str]:
    out = tmp_path / "picked.csv"
    status, _, err = run_cli(capsys, "export", "customers", str(out), "-w", str(ws.path), "--rule", json.dumps(rule),
                             "--columns", "email", "--force")
    assert status == 0, err
    return {r["email"] for r in csv.DictReader(out.open(encoding="utf-8"))}


def test_a_read_only_command_counts_items_as_the_product_index_does(shop, capsys, tmp_path):
    with shop.engine.connect() as conn:
        summary = conn.exec_driver_sql("SELECT summary FROM event WHERE summary LIKE '%1001%'").scalar()
    assert "Coffee" not in summary and summary.endswith("and 1 more"), summary
    # Before any command wrote the index: read-only commands.
    assert _count(shop, capsys, "count", CREME) == 1
    assert _count(shop, capsys, "count", COFFEE) == 2
    assert _exported(shop, capsys, tmp_path, COFFEE) == {"ann@example.com", "cy@example.com"}
    with shop.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM product_batch").scalar() == 0  # nothing was written
    # A writing command builds the index: the same answers.
    assert _count(shop, capsys, "save", COFFEE) == 2
    with shop.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM product_batch").scalar() == 1
    assert _count(shop, capsys, "count", CREME) == 1
    assert _count(shop, capsys, "count", COFFEE) == 2
    assert _exported(shop, capsys, tmp_path, COFFEE) == {"ann@example.com", "cy@example.com"}
