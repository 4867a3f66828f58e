"""Splitting a line of a multi-row order off a customer, through the command line.

A Shopify orders export writes an order's customer on its first row only; the order's later rows
carry a line item and nothing of the person.  Such a row split off alone made a customer with no
name, email or activity while the order stayed where it was: it is refused, naming the order's
first row, and that row takes the whole order with it."""

from __future__ import annotations

import csv
import re
from datetime import UTC, datetime

import time_machine

from omnidesk.core.demo_data import SHOPIFY_ORDER_LINE_COLUMNS, SHOPIFY_ORDERS_HEADER
from omnidesk.core.workspace import Workspace
from tests.helpers import run_cli, write_csv

ANN = {"Email": "ann@example.com", "Financial Status": "paid", "Currency": "USD", "Accepts Marketing": "yes",
       "Billing Name": "Ann Lee"}
ORDERS = [
    {"Name": "#1001", **ANN, "Total": "42.50", "Created at": "2025-03-08 23:30:12 -0500",
     "items": [(1, "Sencha 3oz", "14.00"), (2, "Stoneware Mug", "14.25")]},
    {"Name": "#1002", **ANN, "Total": "30.00", "Created at": "2025-03-09 10:00:00 -0500",
     "items": [(1, "Kettle", "30.00")]},
]


def _rows():
    rows = []
    for order in ORDERS:
        for n, (qty, name, price) in enumerate(order["items"]):
            cells = dict(order) if n == 0 else {"Name": order["Name"]}
            cells.update({"Lineitem quantity": qty, "Lineitem name": name, "Lineitem price": price})
            rows.append([str(cells.get(h, "")) if (n == 0 or h in SHOPIFY_ORDER_LINE_COLUMNS) else ""
                         for h in SHOPIFY_ORDERS_HEADER])
    return rows


def _placed(capsys, ws, tmp_path) -> dict[int, list[str]]:
    """Each customer's orders, as the sources export and each one's timeline export give them."""
    sources = tmp_path / "sources.csv"
    assert run_cli(capsys, "export", "sources", str(sources), "-w", ws, "--force")[0] == 0
    with sources.open(encoding="utf-8") as fh:
        customers = sorted({int(r["customer_id"]) for r in csv.DictReader(fh)})
    out: dict[int, list[str]] = {}
    for c in customers:
        path = tmp_path / f"timeline-{c}.csv"
        assert run_cli(capsys, "export", "timeline", str(c), str(path), "-w", ws, "--force")[0] == 0
        with path.open(encoding="utf-8") as fh:
            out[c] = sorted(e["summary"] for e in csv.DictReader(fh) if e["type"] == "order")
    return out


def test_a_later_row_of_an_order_is_not_split_off_alone_and_its_first_row_takes_the_order(tmp_path, capsys,
                                                                                          monkeypatch):
    monkeypatch.setenv("TZ", "UTC")
    ws = str(tmp_path / "shop.omnidesk")
    with time_machine.travel(datetime(2025, 12, 1, 15, tzinfo=UTC), tick=False):
        Workspace.create(tmp_path / "shop.omnidesk").close()
        assert run_cli(capsys, "settings", "timezone", "America/New_York", "-w", ws)[0] == 0
        orders = write_csv(tmp_path / "orders.csv", SHOPIFY_ORDERS_HEADER, _rows())
        assert run_cli(capsys, "import", str(orders), "--channel", "shop", "-w", ws)[0] == 0
        sources = tmp_path / "sources.csv"
        assert run_cli(capsys, "export", "sources", str(sources), "-w", ws)[0] == 0
        with sources.open(encoding="utf-8") as fh:
            ids = {int(r["source_row"]): r["record_id"] for r in csv.DictReader(fh)}
        before = _placed(capsys, ws, tmp_path)
        (ann,) = before
        assert before[ann] == ["Order #1001: Sencha 3oz, Stoneware Mug", "Order #1002: Kettle"]

        status, out, err = run_cli(capsys, "unmerge", ids[2], "-w", ws)
        assert status == 1 and out == ""
        assert ("Row 2 of orders.csv is a line of order #1001; split off row 1, the order's first row, "
                "to move the whole order.") in err
        assert "Traceback" not in err and len(err.strip().splitlines()) == 1
        assert _placed(capsys, ws, tmp_path) == before  # no nameless customer, nothing moved

        status, out, _ = run_cli(capsys, "unmerge", ids[1], "-w", ws)
        assert status == 0
        old, new = map(int, re.search(r"from customer (\d+) to new customer (\d+)", out).groups())
        assert _placed(capsys, ws, tmp_path) == {old: ["Order #1002: Kettle"],
                                                  new: ["Order #1001: Sencha 3oz, Stoneware Mug"]}
