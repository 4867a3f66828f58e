"""The same order in a later export is that order as it stands now, never a second one."""

from __future__ import annotations

import csv
import json

import pytest

from omnidesk.cli import main
from omnidesk.core.importing.batches import (
    NothingToReport,
    flagged_records,
    left_out,
    remove_batch,
    restore_batch,
    undo_batch,
    write_batch_error_report,
)
from omnidesk.core.importing.pipeline import import_file
from omnidesk.core.timeline import find_customer, timeline
from tests.core.test_money import order, shopify_orders
from tests.workspace_dump import differences, dump

VASE = order("#1001", "ann@example.com", "100.00", items=[(1, "Vase", "60.00"), (2, "Mug", "20.00")],
             **{"Fulfillment Status": "unfulfilled"})
CUP = order("#1002", "ann@example.com", "20.00", created="2026-03-05 10:00:00 -0500")


@pytest.fixture
def ws(make_workspace):
    return make_workspace(timezone="America/New_York")


def figures(ws):
    """(orders, spend) of Ann, and her orders on the timeline."""
    cid = find_customer(ws, "ann@example.com")
    with ws.engine.connect() as conn:
        orders, spend = conn.exec_driver_sql("SELECT orders, spend_minor FROM customer WHERE id = ?", (cid,)).one()
    return orders, spend, sorted(e.summary for e in timeline(ws, cid) if e.type == "order")


def test_a_later_export_s_status_replaces_the_order_and_undo_brings_the_earlier_back(ws, tmp_path):
    week1 = import_file(ws, shopify_orders(tmp_path / "orders_export_1.csv", [VASE, CUP]))
    assert figures(ws) == (2, 12000, ["Order #1001: Vase, Mug", "Order #1002: Gift card"])
    # Fulfilled since: the same order, not a second one.
    shipped = dict(VASE, **{"Fulfillment Status": "fulfilled", "Fulfilled at": "2026-03-03 09:00:00 -0500"})
    week2 = import_file(ws, shopify_orders(tmp_path / "orders_export_2.csv", [shipped]))
    assert week2.events == 1
    assert figures(ws) == (2, 12000, ["Order #1001: Vase, Mug", "Order #1002: Gift card"])
    # Refunded since: the refund takes the order's money back; its line rows, unchanged, still belong to it.
    before = dump(ws.path)
    refunded = dict(shipped, **{"Financial Status": "refunded", "Refunded Amount": "100.00"})
    week3 = import_file(ws, shopify_orders(tmp_path / "orders_export_3.csv", [refunded]))
    assert week3.seen_before == 1  # the Mug line is word for word the earlier one
    assert figures(ws) == (1, 2000, ["Order #1001: Vase, Mug (refunded)", "Order #1002: Gift card"])
    with ws.engine.connect() as conn:
        (record_ids,) = conn.exec_driver_sql(
            "SELECT json_extract(details_json, '$.record_ids') FROM event "
            "WHERE json_extract(details_json, '$.order_id') = '#1001'").one()
        week3_records = conn.exec_driver_sql("SELECT id FROM source_record WHERE batch_id = ? ORDER BY id",
                                             (week3.batch_id,)).scalars().all()
    assert json.loads(record_ids) == week3_records
    # Undoing the refund's export: the order as week 2 had it counts again, exactly.
    removal = remove_batch(ws, week3.batch_id)
    assert figures(ws) == (2, 12000, ["Order #1001: Vase, Mug", "Order #1002: Gift card"])
    assert differences(before, dump(ws.path)) == []
    restore_batch(ws, removal)  # Edit > Undo of the removal
    assert figures(ws) == (1, 2000, ["Order #1001: Vase, Mug (refunded)", "Order #1002: Gift card"])
    # Undoing the weeks in between leaves the latest version standing, once.
    undo_batch(ws, week2.batch_id)
    assert figures(ws) == (1, 2000, ["Order #1001: Vase, Mug (refunded)", "Order #1002: Gift card"])
    undo_batch(ws, week1.batch_id)
    assert figures(ws)[:2] == (0, 0)
    undo_batch(ws, week3.batch_id)
    with ws.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM event").scalar() == 0


def test_undoing_the_middle_version_keeps_the_latest_and_then_the_first(ws, tmp_path):
    import_file(ws, shopify_orders(tmp_path / "orders_export_1.csv", [VASE]))
    part = dict(VASE, **{"Financial Status": "partially_refunded", "Refunded Amount": "30.00"})
    week2 = import_file(ws, shopify_orders(tmp_path / "orders_export_2.csv", [part]))
    assert figures(ws)[:2] == (1, 7000)
    gone = dict(VASE, **{"Financial Status": "refunded", "Refunded Amount": "100.00"})
    week3 = import_file(ws, shopify_orders(tmp_path / "orders_export_3.csv", [gone]))
    assert figures(ws)[:2] == (0, 0)
    undo_batch(ws, week2.batch_id)
    assert figures(ws) == (0, 0, ["Order #1001: Vase, Mug (refunded)"])
    undo_batch(ws, week3.batch_id)
    assert figures(ws) == (1, 10000, ["Order #1001: Vase, Mug"])


def test_an_order_exported_again_word_for_word_stays_when_the_first_export_is_undone(ws, tmp_path):
    jan = import_file(ws, shopify_orders(tmp_path / "orders_export_jan.csv", [VASE]))
    q1_file = shopify_orders(tmp_path / "orders_export_q1.csv", [VASE, CUP])
    q1 = import_file(ws, q1_file)
    assert q1.seen_before == 2
    assert figures(ws) == (2, 12000, ["Order #1001: Vase, Mug", "Order #1002: Gift card"])
    undo_batch(ws, jan.batch_id)
    assert figures(ws) == (2, 12000, ["Order #1001: Vase, Mug", "Order #1002: Gift card"])
    assert import_file(ws, q1_file).already_imported == q1.batch_id  # nothing was lost to add again


def test_an_order_exported_again_is_found_by_the_index_of_orders_not_a_pass_over_them(ws, tmp_path):
    from sqlalchemy import event

    import_file(ws, shopify_orders(tmp_path / "orders_export_1.csv", [VASE, CUP]))
    asked = []

    def seen(conn, cursor, statement, parameters, context, executemany):
        if "json_extract" in statement and " IN (" in statement and "!=" in statement:
            asked.append((statement, parameters))

    event.listen(ws.engine, "before_cursor_execute", seen)
    try:
        shipped = dict(VASE, **{"Fulfillment Status": "fulfilled"})
        import_file(ws, shopify_orders(tmp_path / "orders_export_2.csv", [shipped]))
    finally:
        event.remove(ws.engine, "before_cursor_execute", seen)
    assert figures(ws)[:2] == (2, 12000)  # the same order, once
    [(statement, parameters)] = asked
    assert "#1001" in parameters and "#1002" not in parameters  # only the file's own orders are asked for
    with ws.engine.connect() as conn:
        plan = " ".join(row[-1] for row in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters))
    assert "USING INDEX ix_event_order_number" in plan, plan


# Flagged: an email with no domain.  The same orders in a later export, with the email put right.
ANN_BROKEN = dict(VASE, Email="ann@example")
BO_BROKEN = order("#1003", "bo@example", "9.00", billing_name="Bo Chen")


def _flagged(ws, batch_id):
    return {r.values[0]: (r.fixed_by, r.replaced_by) for r in flagged_records(ws, batch_id)}


def test_a_flagged_order_a_later_export_replaced_is_not_reported_as_fixed(ws, tmp_path, capsys):
    week1 = import_file(ws, shopify_orders(tmp_path / "orders_export_1.csv", [ANN_BROKEN, BO_BROKEN]))
    assert week1.flagged == 2
    before = dump(ws.path)
    week2 = import_file(ws, shopify_orders(tmp_path / "orders_export_2.csv", [VASE]))
    assert figures(ws)[:2] == (1, 10000)  # the later export's version counts, once
    # Replaced by the later export's version of its order: not fixed.
    assert _flagged(ws, week1.batch_id) == {"#1001": (None, week2.batch_id), "#1003": (None, None)}
    written = write_batch_error_report(ws, week1.batch_id, tmp_path / "errs.csv")
    assert (written.rows, written.fixed, written.replaced) == (1, 0, 1)
    assert left_out(written) == "; left out 1 row whose order a later export replaced"
    with (tmp_path / "errs.csv").open(encoding="utf-8", newline="") as fh:
        assert [r[0] for r in list(csv.reader(fh))[1:]] == ["#1003"]  # a fix of #1001 would undo the later one
    assert main(["imports", "errors", str(week1.batch_id), str(tmp_path / "errs-cli.csv"), "-w", str(ws.path)]) == 0
    assert capsys.readouterr().out.rstrip().endswith("; left out 1 row whose order a later export replaced")

    week3 = import_file(ws, shopify_orders(tmp_path / "orders_export_3.csv", [order("#1003", "bo@example.com",
                                                                                    "9.00", billing_name="Bo Chen")]))
    with pytest.raises(NothingToReport, match="Every flagged row of import 1 .* is of an order a later export "
                                              "replaced; there is nothing left to fix"):
        write_batch_error_report(ws, week1.batch_id, tmp_path / "none.csv")
    # Undoing the later exports: the earlier versions come back exactly as they were, flagged, to fix.
    undo_batch(ws, week3.batch_id)
    undo_batch(ws, week2.batch_id)
    assert _flagged(ws, week1.batch_id) == {"#1001": (None, None), "#1003": (None, None)}
    assert differences(before, dump(ws.path)) == []


def test_a_workspace_marked_before_the_reasons_were_told_apart_reads_an_export_s_order_as_replaced(ws, tmp_path):
    week1 = import_file(ws, shopify_orders(tmp_path / "orders_export_1.csv", [ANN_BROKEN]))
    week2 = import_file(ws, shopify_orders(tmp_path / "orders_export_2.csv", [VASE]))
    with ws.engine.begin() as conn:  # the marker as it was written before it said why
        assert conn.exec_driver_sql(
            "UPDATE source_record SET values_json = json_remove(values_json, '$.superseded_by.why') "
            "WHERE json_extract(values_json, '$.superseded_by.why') IS NOT NULL").rowcount == 1
    assert _flagged(ws, week1.batch_id) == {"#1001": (None, week2.batch_id)}
    with pytest.raises(NothingToReport, match="is of an order a later export replaced"):
        write_batch_error_report(ws, week1.batch_id, tmp_path / "none.csv")
    undo_batch(ws, week2.batch_id)
    assert _flagged(ws, week1.batch_id) == {"#1001": (None, None)}
    with ws.engine.connect() as conn:  # the earlier version counts again
        assert conn.exec_driver_sql("SELECT batch_id FROM event WHERE type = 'order'").scalars().all() == [
            week1.batch_id]
