"""A refund row of its own takes its money back off the revenue, as it does off the customer's spend.

A till writes a refund as a row of its own: the receipt's number again, a negative total and
``Status`` ``Refund``.  The customer's card (money.order_row_aggregates) subtracts such a row
whatever its status; the Dashboard's revenue and ``omnidesk report`` read the same rule
(money.row_spend) from the summaries kept per day, from the events of an import not summed yet,
and from the hours near a midnight that starts a week.  A whole order refunded (Shopify's
``refunded``, its total positive) still brings nothing, and a partial refund is still netted.
A workspace whose summaries were kept by the old rule has them made again when opened.
"""

from __future__ import annotations

import json

import pytest
from sqlalchemy import text

from omnidesk.core import metrics, metrics_index
from omnidesk.core.importing.pipeline import ImportOptions, import_file
from omnidesk.core.workspace import Workspace
from tests.core.test_money import order, shopify_orders
from tests.helpers import run_cli, schema_after_going_back, workspace_at, write_csv
from tests.metrics_oracle import old_activity

# A till's receipts export: one row per receipt, a refund a row of its own on the same receipt.
TILL_HEADER = ["Date", "Time", "Receipt No", "Customer", "Mobile", "Items", "Total", "Status"]
TILL_ROWS = [
    ["2026-03-10", "10:00", "50001", "KIM, LEE", "+12125550301", "Mug x1", "30.00", "Completed"],
    ["2026-03-12", "11:00", "50001", "KIM, LEE", "+12125550301", "Mug x1", "-30.00", "Refund"],
    ["2026-03-11", "09:00", "50002", "PARK, SUE", "+12125550302", "Tea x1", "12.00", "Completed"],
]
MARCH = ("--from", "2026-03-01", "--to", "2026-03-31")


@pytest.fixture
def ws(make_workspace):
    return make_workspace(timezone="America/New_York", currency="USD")


def _till(ws, tmp_path) -> None:
    result = import_file(ws, write_csv(tmp_path / "till_transactions.csv", TILL_HEADER, TILL_ROWS),
                         ImportOptions(channel="pos"))
    assert (result.events, result.flagged) == (3, 0)
    with ws.engine.connect() as conn:
        assert conn.execute(text("SELECT status, amount_minor FROM event ORDER BY id")).all() == [
            ("completed", 3000), ("refunded", -3000), ("completed", 1200)]


def _spend(ws) -> dict[str, float]:
    with ws.engine.connect() as conn:
        return {name: spend / 100 for name, spend in conn.execute(
            text("SELECT display_name, spend_minor FROM customer ORDER BY id"))}


def _report_totals(ws, capsys, *period) -> dict:
    status, out, _ = run_cli(capsys, "report", "-w", str(ws.path), *period, "--json")
    assert status == 0
    return json.loads(out)["totals"]


def _weeks(ws) -> dict[str, tuple[int, float]]:
    return {r["week"]: (r["events"], r["revenue"]) for r in metrics.activity(ws)}


def test_a_till_refund_row_takes_its_money_off_the_revenue_as_off_the_card(ws, tmp_path, capsys):
    _till(ws, tmp_path)
    assert _spend(ws) == {"Lee Kim": 0.0, "Sue Park": 12.0}
    totals = _report_totals(ws, capsys, *MARCH)
    assert (totals["events"], totals["revenue"]) == (3, 12.0)  # was 42.00: the refund row was left out
    assert sum(_spend(ws).values()) == totals["revenue"]
    assert _weeks(ws) == {"2026-W11": (3, 12.0)}
    assert metrics.activity(ws) == old_activity(ws)


def test_the_rule_holds_for_an_import_not_summed_yet(ws, tmp_path, monkeypatch):
    _till(ws, tmp_path)
    monkeypatch.setattr(metrics_index, "ensure_event_days", lambda _ws: None)  # as when busy in another window
    assert _weeks(ws) == {"2026-W11": (3, 12.0)}
    with ws.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM event_day_batch")).scalar_one() == 0


def test_a_refund_row_near_the_midnight_that_starts_a_week_stays_in_its_week(ws, tmp_path):
    """Sunday 23:30 in New York is Monday in UTC: the row is read back into the shop's week."""
    path = write_csv(tmp_path / "orders.csv", ["Order ID", "Date", "Email", "Customer", "Total", "Status"], [
        ["7001", "2026-03-10T10:00:00-04:00", "lee@example.com", "Lee Kim", "30.00", "Completed"],
        ["7001", "2026-03-15T23:30:00-04:00", "lee@example.com", "Lee Kim", "-30.00", "Refund"],
        ["7002", "2026-03-11T09:00:00-04:00", "sue@example.com", "Sue Park", "12.00", "Completed"],
    ])
    import_file(ws, path, ImportOptions(channel="shop"))
    with ws.engine.connect() as conn:
        assert conn.execute(text("SELECT status, occurred_utc FROM event WHERE amount_minor < 0")).one() == (
            "refunded", "2026-03-16T03:30:00")
    assert _spend(ws) == {"Lee Kim": 0.0, "Sue Park": 12.0}
    assert _weeks(ws) == {"2026-W11": (3, 12.0)}
    assert metrics.activity(ws) == old_activity(ws)


def test_a_whole_refund_still_brings_nothing_and_a_partial_one_is_netted(ws, tmp_path, capsys):
    orders = [
        order("#1001", "ann@example.com", "30.00", "refunded", created="2026-03-02 10:00:00 -0500",
              **{"Refunded Amount": "30.00"}),
        # Refunded in full with no amount given: the status says it brought nothing.
        order("#1002", "ann@example.com", "25.00", "refunded", created="2026-03-03 10:00:00 -0500"),
        order("#1003", "ann@example.com", "50.00", "partially_refunded", created="2026-03-04 10:00:00 -0500",
              **{"Refunded Amount": "10.00"}),
    ]
    import_file(ws, shopify_orders(tmp_path / "orders_export.csv", orders))
    assert _spend(ws) == {"Ann Lee": 40.0}
    totals = _report_totals(ws, capsys, *MARCH)
    assert (totals["events"], totals["revenue"]) == (3, 40.0)
    assert metrics.activity(ws) == old_activity(ws)


def test_a_workspace_summed_by_the_old_rule_is_summed_again_when_opened(tmp_path):
    path = tmp_path / "old.omnidesk"
    ws = workspace_at(path, "0031")
    ws.set_setting("timezone", "America/New_York")
    ws.set_setting("currency", "USD")
    _till(ws, tmp_path)
    metrics_index.ensure_event_days(ws)  # summed by 0031's triggers and rule: the refund row in its status
    with ws.engine.connect() as conn:
        assert conn.execute(text("SELECT status, money FROM event_day ORDER BY day")).all() == [
            ("completed", 3000), ("completed", 1200), ("refunded", -3000)]
    ws.close()

    with Workspace.open(path) as ws:
        assert _weeks(ws) == {"2026-W11": (3, 12.0)}
        with ws.engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM event_day_batch")).scalar_one() == 1  # summed again
        # and the triggers made again keep the rule: a sale refunded in full by its status brings nothing,
        # the refund row still takes its money back
        with ws.writing() as conn:
            conn.execute(text("UPDATE event SET status = 'refunded' WHERE amount_minor = 1200"))
        assert _weeks(ws) == {"2026-W11": (3, 0.0)}
        assert metrics.activity(ws) == old_activity(ws)


def test_going_back_a_version_puts_the_triggers_of_0031_back(tmp_path):
    ws = workspace_at(tmp_path / "now.omnidesk", "0032")
    with ws.engine.connect() as conn:
        insert_trigger = conn.execute(text("SELECT sql FROM sqlite_master WHERE name = 'event_day_insert'")).scalar()
    ws.close()
    assert "'refunded'" in insert_trigger
    before, back = schema_after_going_back(tmp_path, "0031", "0032", "event_day%")
    assert back == before
