"""The Dashboard's revenue counts money as the customer's card does (money.py).

An order refunded for more than it came to (shipping and a goodwill gesture given
back too) brought nothing: never less than nothing, so it takes no money off the
week's other orders.  The rule holds wherever the Dashboard reads money — its
summaries (kept by triggers in the workspace), the imports not summed yet, and the
orders near a midnight that starts a week — in a new workspace and in one made by
an older omnidesk, whose summaries were kept by the old rule.
"""

from __future__ import annotations


import pytest
from sqlalchemy import text

from omnidesk.core import metrics, metrics_index
from omnidesk.core.importing.pipeline import import_file
from omnidesk.core.workspace import Workspace
from tests.core.test_money import order, shopify_orders
from tests.helpers import run_cli, workspace_at
from tests.metrics_oracle import old_activity

ORDERS = [
    order("#1001", "ann@example.com", "100.00", created="2026-05-04 10:00:00 -0400"),  # Monday, 2026-W19
    # 30.00 refunded 45.00: a refund of shipping and a goodwill gesture too
    order("#1002", "ann@example.com", "30.00", "partially_refunded", created="2026-05-05 10:00:00 -0400",
          **{"Refunded Amount": "45.00"}),
    # Sunday night in New York, Monday in UTC: read near the midnight that starts 2026-W20
    order("#1003", "ann@example.com", "20.00", "partially_refunded", created="2026-05-10 23:30:00 -0400",
          **{"Refunded Amount": "25.00"}),
    order("#1004", "ann@example.com", "60.00", "partially_refunded", created="2026-05-12 10:00:00 -0400",
          **{"Refunded Amount": "10.00"}),  # 2026-W20: 50.00
]
WEEKS = {"2026-W19": (3, 100.0), "2026-W20": (1, 50.0)}


def _weeks(ws) -> dict[str, tuple[int, float]]:
    return {r["week"]: (r["events"], r["revenue"]) for r in metrics.activity(ws)}


def _card_spend(ws) -> float:
    with ws.engine.connect() as conn:
        return conn.execute(text("SELECT spend_minor FROM customer")).scalar_one() / 100


@pytest.fixture
def ws(make_workspace):
    return make_workspace(timezone="America/New_York", currency="USD")


def test_an_order_refunded_for_more_than_it_came_to_takes_nothing_off_the_revenue(ws, tmp_path, capsys):
    import_file(ws, shopify_orders(tmp_path / "orders_export.csv", ORDERS))
    assert _weeks(ws) == WEEKS
    assert sum(r for _, r in WEEKS.values()) == _card_spend(ws) == 150.0  # the Dashboard and the card agree
    assert metrics.activity(ws) == old_activity(ws)
    status, out, _ = run_cli(capsys, "report", "-w", str(ws.path))
    assert status == 0 and "4 events, revenue 150.00 USD" in out.splitlines()[0]


def test_the_rule_holds_for_an_import_not_summed_yet(ws, tmp_path, monkeypatch):
    import_file(ws, shopify_orders(tmp_path / "orders_export.csv", ORDERS))
    monkeypatch.setattr(metrics_index, "ensure_event_days", lambda _ws: None)  # as when busy in another window
    assert _weeks(ws) == WEEKS
    with ws.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM event_day_batch")).scalar_one() == 0


def test_an_order_refunded_later_keeps_its_week_above_nothing(ws, tmp_path):
    """The triggers follow a refund written into an order already summed (importing/backfill.py)."""
    import_file(ws, shopify_orders(tmp_path / "orders_export.csv", ORDERS))
    assert _weeks(ws) == WEEKS
    with ws.writing() as conn:
        conn.execute(text("UPDATE event SET refunded_minor = 9000, status = 'partially_refunded' "
                          "WHERE amount_minor = 6000"))
    assert _weeks(ws) == {"2026-W19": (3, 100.0), "2026-W20": (1, 0.0)}
    assert metrics.activity(ws) == old_activity(ws)


def test_a_workspace_summed_by_the_old_rule_is_summed_again_when_opened(tmp_path):
    path = tmp_path / "old.omnidesk"
    ws = workspace_at(path, "0025")
    ws.set_setting("timezone", "America/New_York")
    ws.set_setting("currency", "USD")
    import_file(ws, shopify_orders(tmp_path / "orders_export.csv", ORDERS))
    with ws.writing() as conn:
        # Summed as omnidesk did before: amount less refunded, below nothing too.
        conn.execute(text(
            "INSERT INTO event_day (batch_id, day, channel, type, status, events, money) "
            "SELECT batch_id, substr(occurred_utc, 1, 10), channel, type, status, count(*), "
            "sum(coalesce(amount_minor, 0) - coalesce(refunded_minor, 0)) FROM event "
            "WHERE occurred_utc IS NOT NULL GROUP BY batch_id, 2, channel, type, status"))
        conn.execute(text("INSERT INTO event_day_batch (batch_id) SELECT id FROM import_batch"))
    with ws.engine.connect() as conn:  # what the old summaries said of 2026-W19 (read as that omnidesk did)
        assert conn.execute(text("SELECT sum(money) FROM event_day WHERE day < '2026-05-11' "
                                 "AND status != 'refunded'")).scalar_one() == 8500
    ws.close()

    with Workspace.open(path) as ws:
        assert _weeks(ws) == WEEKS
        with ws.engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM event_day_batch")).scalar_one() == 1  # summed again
        # and the triggers made again keep the rule from here on
        with ws.writing() as conn:
            conn.execute(text("UPDATE event SET refunded_minor = 9000 WHERE amount_minor = 6000"))
        assert _weeks(ws)["2026-W20"] == (1, 0.0)
        assert metrics.activity(ws) == old_activity(ws)
