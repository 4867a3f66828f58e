"""An order whose stored details are nested deeper than Python's JSON reader goes (near a
thousand levels; SQLite reads two thousand, so the workspace stores and indexes them without
complaint) reads as an order with no details: the customer's timeline, the message a customer
is sent, the campaign's results and the person's export all go on, where each raised a
RecursionError before (the readers caught unreadable JSON, ValueError, and nothing else).

Ann is sent the SPRING20 message; she buys a mug without a code, then a teapot with SPRING20.
"""

from __future__ import annotations

import json
import zipfile

import pytest

from omnidesk.core import metrics
from omnidesk.core.importing.pipeline import import_file
from omnidesk.core.timeline import find_customer, timeline
from tests.core.campaigns.test_results_offer_code import READ, _shopify
from tests.core.campaigns.test_results_offer_code import shop  # noqa: F401 - the fixture
from tests.helpers import run_cli

LEVELS = 1500


@pytest.fixture(params=["array", "object"])
def deep(request, shop, tmp_path):  # noqa: F811 - the fixture above
    """The shop with Ann's teapot order's details nested LEVELS deep, the order's number still read."""
    import_file(shop, _shopify(tmp_path, "SPRING20"))
    nested = ("[" * LEVELS + "]" * LEVELS if request.param == "array"
              else '{"a": ' * LEVELS + "1" + "}" * LEVELS)
    with shop.engine.begin() as conn:
        (eid, details), = conn.exec_driver_sql(
            "SELECT id, details_json FROM event WHERE json_extract(details_json, '$.order_id') = '#7002'").all()
        kept = json.loads(details)
        text = json.dumps({"order_id": "#7002", "discount_codes": kept["discount_codes"]})[:-1] + f', "deep": {nested}}}'
        conn.exec_driver_sql("UPDATE event SET details_json = ? WHERE id = ?", (text, eid))
    with pytest.raises(RecursionError):
        json.loads(text)
    return shop


def test_the_timeline_shows_the_order_with_no_details(deep):
    ann = find_customer(deep, "ann@example.com")
    orders = [e for e in timeline(deep, ann) if e.kind == "order" or "#7002" in e.summary]
    assert orders and all(isinstance(e.details, dict) for e in orders)
    assert [e.details for e in orders if "#7002" in e.summary] == [{}]


def test_the_campaign_results_still_count_the_order_that_names_the_code(deep):
    (step,) = metrics.campaign_results(deep, now=READ)
    assert (step["orders"], step["revenue"]) == (1, 30.0)


def test_the_message_names_the_product_from_the_orders_text(deep, tmp_path, capsys):
    path = deep.path
    deep.close()
    doc = tmp_path / "thanks.json"
    doc.write_text(json.dumps({"name": "Thanks", "message": {"headline": "Thanks", "body": "Enjoy your {last_product|order}.",
                                                              "link": "https://shop.example/s"}}), encoding="utf-8")
    assert run_cli(capsys, "-w", path, "message", "import", doc)[0] == 0
    status, out, err = run_cli(capsys, "-w", path, "message", "render", "Thanks", "--channel", "email",
                               "--customer", "ann@example.com")
    assert status == 0, err
    assert "Enjoy your Teapot." in out


def test_the_persons_export_holds_the_order_with_no_details(deep, tmp_path, capsys):
    path = deep.path
    deep.close()
    status, _out, err = run_cli(capsys, "-w", path, "person", "export", "ann@example.com", tmp_path / "ann.zip")
    assert status == 0, err
    with zipfile.ZipFile(tmp_path / "ann.zip") as z:
        events = json.loads(z.read("person.json"))["events"]
    assert [e["details"] for e in events if "#7002" in e["summary"]] == [{}]
    assert [e["details"]["order_id"] for e in events if "#7001" in e["summary"]] == ["#7001"]
