"""Revenue is the shop's money: amounts in another currency are shown apart, never added nor converted.

The shop sells in USD; an order in EUR is real money too, but 100.00 USD and 80.00 EUR are
not 180.00 of anything.  The Dashboard's activity, ``omnidesk report`` (its text, its JSON and
its PDF) and campaign results keep the shop's currency (and amounts whose file named none) as
revenue, each other currency beside it, in a new workspace and in one an older omnidesk made.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
import time_machine
from sqlalchemy import insert, text

from omnidesk.core import metrics
from omnidesk.core.campaigns.guards import HELD_OUT
from omnidesk.core.importing.pipeline import import_file
from omnidesk.core.models import (
    Campaign,
    CampaignStep,
    Customer,
    Event,
    ImportBatch,
    SendRecord,
    SourceRecord,
)
from omnidesk.core.money import workspace_currency
from omnidesk.core.workspace import Workspace

from tests.core.test_money import order, shopify_orders
from tests.helpers import run_cli, schema_after_going_back, workspace_at
from tests.metrics_oracle import old_activity

NOW = datetime(2026, 5, 20, 16, 0, tzinfo=UTC)  # the shop's today: 2026-05-20 in New York
ORDERS = [
    order("#1001", "ann@example.com", "100.00", created="2026-05-04 10:00:00 -0400", Currency="USD"),  # 2026-W19
    order("#1003", "cat@example.com", "80.00", created="2026-05-05 11:00:00 -0400", Currency="EUR",
          billing_name="Cat Diaz"),
]


@pytest.fixture
def ws(make_workspace):
    return make_workspace(timezone="America/New_York", currency="USD")


@pytest.fixture(autouse=True)
def now():
    with time_machine.travel(NOW, tick=False):
        yield


def test_an_order_in_another_currency_is_kept_apart_from_the_revenue(ws, tmp_path, capsys):
    import_file(ws, shopify_orders(tmp_path / "orders_export.csv", ORDERS))
    with ws.engine.connect() as conn:  # as the import stored them
        assert conn.execute(text("SELECT amount_minor, currency FROM event ORDER BY id")).all() == [
            (10000, "USD"), (8000, "EUR")]
    (row,) = metrics.activity(ws)
    assert row == {"week": "2026-W19", "channel": "shop", "events": 2, "revenue": 100.0,
                   "other_revenue": {"EUR": 80.0}}
    assert metrics.activity(ws) == old_activity(ws)

    status, out, _ = run_cli(capsys, "report", "-w", str(ws.path))
    assert status == 0
    first = out.splitlines()[0]
    assert first.endswith("2 events, revenue 100.00 USD (also 80.00 EUR)"), first
    assert "180.00" not in out
    (week,) = [line for line in out.splitlines() if line.startswith("  2026-W19")]
    assert "100.00 USD revenue" in week and week.endswith("(also 80.00 EUR)"), week

    status, out, _ = run_cli(capsys, "report", "--json", "-w", str(ws.path))
    data = json.loads(out)
    assert status == 0 and data["activity"] == [row]
    # The headline the text opens with, for a script to read: the period's totals, each currency apart.
    assert data["totals"] == {"new_customers": data["totals"]["new_customers"], "new_customers_undated": 0,
                              "events": 2, "revenue": 100.0,
                              "other_revenue": {"EUR": 80.0}, "currency": "USD",
                              "undated_orders": 0, "undated_revenue": 0.0, "undated_other_revenue": {}}
    assert next(iter(data)) == "totals"  # what the JSON opens with, as the text does
    assert data["totals"]["new_customers"] == sum(r["customers"] for r in data["new_customers"]) > 0


def test_the_printed_report_keeps_the_other_currency_apart(ws, tmp_path):
    import pypdfium2

    from omnidesk.core.report_pdf import write_report_pdf

    import_file(ws, shopify_orders(tmp_path / "orders_export.csv", ORDERS))
    pdf = pypdfium2.PdfDocument(str(write_report_pdf(ws, tmp_path / "report.pdf")))
    words = " ".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf)))
    assert "Revenue (USD)" in words and "Other currencies" in words
    assert "100.00 USD, and apart, never converted: 80.00 EUR" in " ".join(words.split())
    assert "180.00" not in words


def test_without_a_shop_currency_only_amounts_that_named_none_are_revenue(make_workspace, tmp_path):
    ws = make_workspace(timezone="America/New_York", default_region="", currency="")  # nothing says the shop's
    assert workspace_currency(ws) is None
    import_file(ws, shopify_orders(tmp_path / "orders_export.csv", ORDERS))
    (row,) = metrics.activity(ws)
    assert (row["revenue"], row.get("other_revenue")) == (0.0, {"EUR": 80.0, "USD": 100.0})
    assert metrics.activity(ws) == old_activity(ws)


def test_the_sums_follow_an_order_whose_currency_changes(ws, tmp_path):
    """The triggers keep each currency's money as an order is edited, deleted or added."""
    import_file(ws, shopify_orders(tmp_path / "orders_export.csv", ORDERS))
    assert metrics.activity(ws)[0].get("other_revenue") == {"EUR": 80.0}  # summed: the triggers keep it now
    with ws.writing() as conn:
        conn.execute(text("UPDATE event SET currency = 'GBP' WHERE currency = 'EUR'"))
    assert metrics.activity(ws)[0].get("other_revenue") == {"GBP": 80.0}
    with ws.writing() as conn:
        conn.execute(text("UPDATE event SET currency = NULL WHERE currency = 'GBP'"))  # a file that named none
    (row,) = metrics.activity(ws)
    assert row["revenue"] == 180.0 and "other_revenue" not in row
    assert metrics.activity(ws) == old_activity(ws)


def test_a_workspace_an_older_omnidesk_summed_is_summed_again_per_currency(tmp_path):
    path = tmp_path / "old.omnidesk"
    ws = workspace_at(path, "0026")
    ws.set_setting("timezone", "America/New_York")
    ws.set_setting("currency", "USD")
    import_file(ws, shopify_orders(tmp_path / "orders_export.csv", ORDERS))
    with ws.writing() as conn:
        # Summed as omnidesk 0026 did: every currency in one sum, its triggers keeping it so.
        conn.execute(text(
            "INSERT INTO event_day (batch_id, day, channel, type, status, events, money) "
            "SELECT batch_id, substr(occurred_utc, 1, 10), channel, type, status, count(*), sum(amount_minor) "
            "FROM event WHERE occurred_utc IS NOT NULL GROUP BY batch_id, 2, channel, type, status"))
        conn.execute(text("INSERT INTO event_day_batch (batch_id) SELECT id FROM import_batch"))
        assert conn.execute(text("SELECT sum(money) FROM event_day")).scalar_one() == 18000
    ws.close()

    with Workspace.open(path) as ws:
        (row,) = metrics.activity(ws)
        assert (row["events"], row["revenue"], row.get("other_revenue")) == (2, 100.0, {"EUR": 80.0})
        with ws.engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM event_day_batch")).scalar_one() == 1  # summed again
            assert sorted(conn.execute(text("SELECT currency, money FROM event_day")).all()) == [
                ("EUR", 8000), ("USD", 10000)]
        # and the triggers made again keep each currency apart, with 0026's floor
        with ws.writing() as conn:
            conn.execute(text("UPDATE event SET refunded_minor = 9000, status = 'partially_refunded' "
                              "WHERE currency = 'EUR'"))
        (row,) = metrics.activity(ws)
        assert (row["revenue"], row.get("other_revenue")) == (100.0, None)
        assert metrics.activity(ws) == old_activity(ws)


# -- campaign results ------------------------------------------------------------------------------

# customer: (email, order's currency, amount); Ann and Dee were sent the step, Bob held out of it.
BUYERS = {1: ("ann@x.com", "USD", 5000), 2: ("bob@x.com", "EUR", 2000), 4: ("dee@x.com", "EUR", 3000)}


@pytest.fixture
def campaign(ws):
    with ws.writing() as conn:
        batch = conn.execute(insert(ImportBatch.__table__).values(
            file_name="x.csv", file_hash="x", channel="shop", kind="orders", status="done", header_json="[]",
            mapping_json="[]", options_json="{}")).inserted_primary_key[0]
        for cid, (email, currency, amount) in BUYERS.items():
            conn.execute(insert(Customer.__table__).values(
                id=cid, display_name=email, channels="email shop", email=email, consent_email="granted",
                first_seen="2026-01-01T09:00:00"))
            conn.execute(insert(SourceRecord.__table__).values(
                id=cid, batch_id=batch, record_no=cid, channel="shop", kind="orders", row_hash=f"h{cid}",
                raw_json="[]", customer_id=cid))
            conn.execute(insert(Event.__table__).values(
                batch_id=batch, record_id=cid, customer_id=cid, channel="shop", type="order",
                occurred_at="2026-01-10T10:00:00", occurred_utc="2026-01-10T15:00:00", status="paid",
                amount_minor=amount, currency=currency, summary=f"Order of {email}"))
        camp = conn.execute(insert(Campaign.__table__).values(
            name="Spring", audience_json='"everyone"', mode="each_channel", status="exported")).inserted_primary_key[0]
        step = conn.execute(insert(CampaignStep.__table__).values(
            campaign_id=camp, channel="email", at_local="2026-01-08T10:00:00", timezone="UTC",
            at_utc="2026-01-08T10:00:00Z", exported_at="2026-01-07")).inserted_primary_key[0]
        for cid in BUYERS:
            conn.execute(insert(SendRecord.__table__).values(step_id=step, record_id=cid,
                                                             channel=HELD_OUT if cid == 2 else "email",
                                                             send_utc="2026-01-08T10:00:00Z"))
    return ws


def test_campaign_revenue_keeps_an_order_in_another_currency_apart(campaign, capsys):
    (result,) = metrics.campaign_results(campaign)
    # Both orders count as orders; only Ann's USD is revenue, Dee's EUR beside it.
    assert (result["recipients"], result["orders"], result["conversion"]) == (2, 2, 1.0)
    assert (result["revenue"], result.get("other_revenue")) == (50.0, {"EUR": 30.0})
    assert (result["baseline_kind"], result["baseline_orders"], result["baseline_conversion"]) == ("held_out", 1, 1.0)
    assert (result["baseline_revenue"], result.get("baseline_other_revenue")) == (0.0, {"EUR": 20.0})

    status, out, _ = run_cli(capsys, "report", "-w", str(campaign.path))
    assert status == 0
    (line,) = [line for line in out.splitlines() if line.startswith("  Spring")]
    assert ("2 sent, 2 orders, 50.00 USD (also 30.00 EUR); baseline 1 held out: 1 order, 0.00 USD "
            "(also 20.00 EUR)") in line, line


def test_going_back_a_version_puts_the_summary_and_its_triggers_back(tmp_path):
    ws = workspace_at(tmp_path / "now.omnidesk", "0027")
    with ws.engine.connect() as conn:
        update_trigger = conn.execute(text("SELECT sql FROM sqlite_master WHERE name = 'event_day_update'")).scalar()
    ws.close()
    assert "currency" in update_trigger
    before, back = schema_after_going_back(tmp_path, "0026", "0027", "event_day%")
    assert back == before
