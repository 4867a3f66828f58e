"""Rules on items read the product index where an import is in it, and the order text where not."""

from __future__ import annotations

from omnidesk.core import segments
from omnidesk.core.importing.batches import undo_batch
from omnidesk.core.importing.pipeline import ImportOptions, import_file
from omnidesk.core.segments.items import ensure_products, product_key, products_of, unindexed_batches
from tests.helpers import write_csv

ORDERS = ["Name", "Email", "Created at", "Lineitem name", "Lineitem quantity", "Total", "Financial Status"]
LAVENDER = {"field": "event.purchase", "op": "exists", "item": "lavender candle"}
TWICE = dict(LAVENDER, count_at_least=2)


def test_products_come_from_line_items_else_the_text_after_the_colon():
    assert products_of("Order #1: x", '{"items": [{"item_name": "Lavender Candle"}, {"item_name": "Mug"}]}') == [
        "Lavender Candle", "Mug"]
    assert products_of("Till sale: Lavender candle x2, Matches", "{}") == ["Lavender candle", "Matches"]
    assert products_of("Order #3 (refunded)", "{}") == []
    assert product_key("  Crème  BRÛLÉE candle ") == "creme brulee candle"


def test_a_rule_on_items_counts_the_same_before_and_after_the_index_and_forgets_an_undone_import(ws, tmp_path):
    first = import_file(ws, write_csv(tmp_path / "orders.csv", ORDERS, [
        ["#1", "ann@example.com", "2026-11-01 10:00", "Lavender Candle", "1", "20.00", "paid"],
        ["#2", "ann@example.com", "2026-11-05 10:00", "Lavender candle", "1", "20.00", "paid"],
        ["#3", "bob@example.com", "2026-11-06 10:00", "Cedar candle", "1", "20.00", "paid"],
        ["#4", "cy@example.com", "2026-11-07 10:00", "Lavender candle", "1", "20.00", "refunded"]]),
        ImportOptions(channel="shop", preset="shopify_orders"))
    with ws.engine.connect() as conn:
        assert unindexed_batches(conn) == [first.batch_id]
        # Read from the order text before the index exists...
        from sqlalchemy import func, select

        from omnidesk.core.models import Customer
        from omnidesk.core.segments.sql import compile_rule

        before = conn.execute(select(func.count()).select_from(Customer.__table__)
                              .where(compile_rule(LAVENDER))).scalar_one()
    assert before == 1  # Ann; Cy's order was refunded
    # ...and from the index after, the same answer.
    assert segments.count(ws, LAVENDER) == 1 and segments.count(ws, TWICE) == 1
    with ws.engine.connect() as conn:
        assert unindexed_batches(conn) == []
        names = {n for (n,) in conn.exec_driver_sql("SELECT key FROM product")}
    assert names == {"lavender candle", "cedar candle"}
    assert segments.count(ws, dict(LAVENDER, item="LAVENDER")) == 1
    assert segments.count(ws, dict(LAVENDER, item="candle")) == 2
    undo_batch(ws, first.batch_id)
    assert segments.count(ws, LAVENDER) == 0
    with ws.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM event_product").scalar() == 0
    ensure_products(ws)  # nothing left to index: nothing happens
