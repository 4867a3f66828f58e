"""Campaign results count people as the customers are now: two records of one person merged after
the export are one recipient with one first order, and a record split off after it is a person
of its own.

Everything is read from files in their vendors' layouts (Shopify's customers and orders exports,
a Mailchimp audience export); the step goes out at 09:00 in New York on 10 Dec 2026.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
import time_machine
from sqlalchemy import select

from omnidesk.core import metrics
from omnidesk.core.campaigns.campaign import import_plan
from omnidesk.core.campaigns.export import export_campaign
from omnidesk.core.importing.pipeline import import_file
from omnidesk.core.messages.brand import set_brand
from omnidesk.core.models import SendRecord, SourceRecord
from tests.core.test_money import order, shopify_customers, shopify_orders
from tests.core.test_presets import MAILCHIMP_SUBSCRIBED
from tests.helpers import run_cli, write_csv

EXPORTED = datetime(2026, 12, 6, tzinfo=UTC)
READ = datetime(2026, 12, 31, tzinfo=UTC)  # the step and its week of orders are behind
PLAN = {"name": "Spring sale", "audience": "everyone", "mode": "each_channel",
        "message": {"headline": "Spring sale", "body": "Hi {first_name|there}.", "offer_code": "SPRING20",
                    "offer_value": "20% off", "link": "https://example.com/spring"},
        "steps": [{"channel": "email", "at": "2026-12-10T09:00", "timezone": "America/New_York"}]}


def _shop_customer(n: int, first: str, last: str, email: str) -> dict:
    return {"Customer ID": f"'{n}", "First Name": first, "Last Name": last, "Email": email,
            "Accepts Email Marketing": "yes", "Default Address City": "Boston", "Total Spent": "",
            "Total Orders": "", "Tax Exempt": "no"}


@pytest.fixture
def shop(make_workspace, tmp_path):
    """Ann in the shop and, under her work address, on the newsletter list (two customers when
    the step is exported); Ben and Cy in the shop.  Ann bought 20.00 and then 30.00 after the step,
    Ben 40.00, Cy nothing."""
    ws = make_workspace(timezone="America/New_York", currency="USD")
    import_file(ws, shopify_customers(tmp_path / "customers_export.csv", [
        _shop_customer(1, "Ann", "Lee", "ann@example.com"), _shop_customer(2, "Ben", "Orr", "ben@example.com"),
        _shop_customer(3, "Cy", "Park", "cy@example.com")]))
    row = {"Email Address": "a.lee@work.example", "First Name": "Ann", "Last Name": "Lee",
           "MEMBER_RATING": "3", "OPTIN_TIME": "2026-01-05 10:00:00", "CONFIRM_TIME": "2026-01-05 10:05:00",
           "LAST_CHANGED": "2026-01-05 10:05:00", "LEID": "1", "EUID": "a1"}
    import_file(ws, write_csv(tmp_path / "subscribed_members_export_bb22.csv", MAILCHIMP_SUBSCRIBED,
                              [[row.get(h, "") for h in MAILCHIMP_SUBSCRIBED]]))
    set_brand(ws, "address", "1 Market Street, Springfield")
    import_plan(ws, PLAN)
    export_campaign(ws, "Spring sale", tmp_path / "packs", now=EXPORTED)
    import_file(ws, shopify_orders(tmp_path / "orders_export.csv", [
        order("#2002", "ann@example.com", "20.00", created="2026-12-10 09:30:00 -0500"),
        order("#2003", "ann@example.com", "30.00", created="2026-12-11 10:00:00 -0500"),
        order("#2004", "ben@example.com", "40.00", created="2026-12-12 10:00:00 -0500", billing_name="Ben Orr")]))
    return ws


def _results(ws) -> tuple:
    (step,) = metrics.campaign_results(ws, now=READ)
    return step["recipients"], step["orders"], step["revenue"], step["conversion"]


def _list_record(ws) -> int:
    with ws.engine.connect() as conn:
        return conn.execute(select(SourceRecord.id).where(SourceRecord.channel == "email")).scalar_one()


def test_two_records_of_one_person_merged_after_the_export_are_one_recipient(shop, capsys):
    assert _results(shop) == (4, 2, 60.0, 0.5)  # Ann's shop record bought; her list record did not
    status, _, err = run_cli(capsys, "-w", shop.path, "merge", "ann@example.com", "a.lee@work.example")
    assert status == 0, err
    # One Ann now, sent the step twice: one recipient, her first order (20.00) counts, not her second too.
    assert _results(shop) == (3, 2, 60.0, round(2 / 3, 4))
    with time_machine.travel(READ, tick=False):
        report = json.loads(run_cli(capsys, "-w", shop.path, "report", "--json")[1])
    (step,) = [s for s in report["campaigns"] if s["name"] == "Spring sale"]
    assert (step["recipients"], step["orders"]) == (3, 2)


def test_a_record_split_off_after_the_export_is_a_recipient_of_its_own(shop, capsys):
    assert run_cli(capsys, "-w", shop.path, "merge", "ann@example.com", "a.lee@work.example")[0] == 0
    assert run_cli(capsys, "-w", shop.path, "unmerge", _list_record(shop))[0] == 0
    assert _results(shop) == (4, 2, 60.0, 0.5)


def test_a_merged_person_counts_from_the_first_of_their_sends(shop, capsys):
    """Sent the step at two times (one record a day later), the person's window opens at the
    earlier send: what they bought between the two followed the message they had."""
    with shop.writing() as conn:
        conn.execute(SendRecord.__table__.update().where(SendRecord.record_id == _list_record(shop))
                     .values(send_utc="2026-12-11T14:00:00Z"))
    assert run_cli(capsys, "-w", shop.path, "merge", "ann@example.com", "a.lee@work.example")[0] == 0
    assert _results(shop) == (3, 2, 60.0, round(2 / 3, 4))  # her 20.00 of 10 Dec, not the 30.00 of the 11th
