"""The Dashboard's health tiles and an address held because someone else opted out of it.

Through the real import path, in each vendor's layout: the shop's customers (Shopify) and the
newsletter's unsubscribed members (Mailchimp), at a fixed time in a New York shop.  Hannah Lee
said yes from the family mailbox ``lee.family@gmail.com``, which Mark Lee unsubscribed; Joe said
yes from ``j.o.e@gmail.com``, the same Gmail mailbox as ``joe+shop@gmail.com``, which Joanna
unsubscribed; Kim said yes to texts on the shop's landline, to which Ken said no.  The campaigns
hold all three addresses (guard 1): the tiles count them as the campaigns do, and as the lists
their clicks open.
"""

from __future__ import annotations

import csv
from datetime import UTC, datetime

import pytest
import time_machine
from sqlalchemy import select

from omnidesk.core import metrics, segments
from omnidesk.core.campaigns.guards import refused_among
from omnidesk.core.customers import customer_ids
from omnidesk.core.demo_data.shared import MAILCHIMP_UNSUBSCRIBED_HEADER, SHOPIFY_CUSTOMERS_HEADER
from omnidesk.core.importing.pipeline import ImportOptions, import_file
from omnidesk.core.models import Customer
from tests.helpers import machine_in_zone

new_york = machine_in_zone("America/New_York")
NOW = datetime(2026, 4, 10, 16, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False):
        yield


def _write(path, header, rows):
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        for cells in rows:
            writer.writerow([cells.get(h.replace(" ", "_"), "") for h in header])
    return path


def _shopify(i, first, last, email, accepts, phone="", sms="no"):
    return {"Customer_ID": str(i), "First_Name": first, "Last_Name": last, "Email": email,
            "Accepts_Email_Marketing": accepts, "Phone": phone, "Accepts_SMS_Marketing": sms,
            "Default_Address_Country_Code": "US", "Total_Spent": "0.00", "Total_Orders": "0"}


def _unsubscribed(first, last, email, leid):
    return {"Email_Address": email, "First_Name": first, "Last_Name": last, "MEMBER_RATING": "2",
            "OPTIN_TIME": "2025-01-01 10:00:00", "CONFIRM_TIME": "2025-01-01 10:05:00",
            "UNSUB_TIME": "2026-03-18 10:00:00", "UNSUB_CAMPAIGN_TITLE": "Spring", "LEID": leid, "EUID": f"e{leid}"}


@pytest.fixture
def shop(make_workspace, tmp_path):
    ws = make_workspace(timezone="America/New_York", currency="USD", default_region="US")
    files = [
        (_write(tmp_path / "customers_export.csv", SHOPIFY_CUSTOMERS_HEADER, [
            _shopify(1001, "Alice", "Adams", "alice@example.com", "yes"),
            _shopify(1002, "Hannah", "Lee", "lee.family@gmail.com", "yes"),
            _shopify(1003, "Joe", "Jones", "j.o.e@gmail.com", "yes"),
            _shopify(1004, "Kim", "Kerr", "kim@example.com", "no", "(207) 555-0150", "yes"),
            _shopify(1005, "Ken", "Kato", "ken@example.com", "no", "(207) 555-0150", "no")]), "shop"),
        (_write(tmp_path / "unsubscribed_members_export_aa11.csv", MAILCHIMP_UNSUBSCRIBED_HEADER, [
            _unsubscribed("Mark", "Lee", "lee.family@gmail.com", "5"),
            _unsubscribed("Joanna", "Smith", "joe+shop@gmail.com", "6")]), "email"),
    ]
    for path, channel in files:
        import_file(ws, path, ImportOptions(channel=channel))
    return ws


def _ids(ws) -> dict[str, int]:
    cust = Customer.__table__
    with ws.engine.connect() as conn:
        return dict(conn.execute(select(cust.c.first_name, cust.c.id)).all())


def test_unreachable_counts_a_yes_on_an_address_someone_else_opted_out_of(shop):
    ids = _ids(shop)
    assert set(ids) == {"Alice", "Hannah", "Joe", "Kim", "Ken", "Mark", "Joanna"}
    # Their own answers are yes, but the campaigns hold the address each would be sent to.
    with shop.engine.connect() as conn:
        assert {ids["Hannah"], ids["Joe"]} <= refused_among(conn, "email", ids.values())
        assert ids["Kim"] in refused_among(conn, "sms", ids.values())
    # Alice alone may be reached: everyone else is counted, as the tile's rule lists them.
    figures = metrics.health(shop)
    assert figures["unreachable_customers"] == 6
    rule = metrics.health_links(shop)["unreachable_customers"][1]
    assert segments.count(shop, rule) == 6
    assert set(segments.member_ids(shop, rule)) == set(ids.values()) - {ids["Alice"]}
    assert metrics.reachable(shop) == {"email": 1, "sms": 0, "whatsapp": 0}
    assert metrics.report(shop)["health"] == figures


def _till_list(ws, tmp_path):
    # A till's sign-up sheet with no consent column: Laura on the family mailbox Mark unsubscribed,
    # Lou on the landline Ken said no to texts from, Nina on an address nobody refused.
    path = tmp_path / "till_list.csv"
    path.write_text("Name,Email,Phone\nLaura Lee,lee.family@gmail.com,\nLou Lane,,(207) 555-0150\n"
                    "Nina Novak,nina@example.com,\n", encoding="utf-8")
    import_file(ws, path, ImportOptions(channel="pos"))
    return _ids(ws)


def test_consent_unknown_leaves_out_an_address_someone_else_opted_out_of(shop, tmp_path):
    ids = _till_list(shop, tmp_path)
    cust = Customer.__table__
    with shop.engine.connect() as conn:
        stored = dict(conn.execute(select(cust.c.first_name, cust.c.consent_email)).all())
        # Her own answer is none at all, but the campaigns hold her mailbox: she is opted out, not unknown.
        assert stored["Laura"] is None and ids["Laura"] in refused_among(conn, "email", [ids["Laura"]])
        assert ids["Lou"] in refused_among(conn, "sms", [ids["Lou"]])
    figures = metrics.health(shop)
    assert figures["email_consent_unknown"] == 1  # Nina alone
    rule = metrics.health_links(shop)["email_consent_unknown"][1]
    assert segments.member_ids(shop, rule) == [ids["Nina"]]
    # Without the tile's "has an email": Lou too, who has none to hold.
    unknown = {"field": "consent.email", "op": "is", "value": "unknown"}
    assert set(segments.member_ids(shop, unknown)) == {ids["Nina"], ids["Lou"]}
    # Texts alike: Lou's number is held, so his consent there is not still to be asked.
    sms = {"all": [{"field": "phone", "op": "exists"}, {"field": "consent.sms", "op": "in", "value": ["pending", "unknown"]}]}
    assert segments.count(shop, sms) == 0
    # "Not" picks exactly everyone else.
    everyone = len(ids)
    assert segments.count(shop, {"not": rule}) == everyone - 1
    # The Customers list's consent filter reads the same rule.
    assert set(customer_ids(shop, consent="email:unknown")) == {ids["Nina"], ids["Lou"]}
    # Neither reaches anybody: unreachable, as the tile's rule lists them.
    rule = metrics.health_links(shop)["unreachable_customers"][1]
    assert figures["unreachable_customers"] == segments.count(shop, rule) == 9
    assert metrics.report(shop)["health"] == figures
