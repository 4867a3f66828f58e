"""The campaign's check builds the Mailchimp audience file's rows only for the email recipients who
may hold a value the file refuses, yet finds every one: a value too long from each source a row
draws on (the names, the city, a custom field, the product of the last purchase, the full name
made of the first and last names), a tag holding a comma, and a value the same for everyone."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine

from omnidesk.core.campaigns.campaign import save_campaign
from omnidesk.core.campaigns.check import check_campaign
from omnidesk.core.importing.pipeline import ImportOptions, import_file
from omnidesk.core.messages.brand import set_brand
from omnidesk.core.messages.store import save_message
from tests.helpers import write_csv

NOW = datetime(2027, 2, 1, 10, 0, tzinfo=UTC)
AT_NOW = time_machine.travel(NOW, tick=False)
NY = "America/New_York"
LONG = "é" * 130  # 130 letters, 260 bytes: over what a Mailchimp field keeps
PEOPLE = ["First Name", "Last Name", "Email", "Accepts Email Marketing", "City", "Loyalty note"]
ORDERS = ["Name", "Email", "Created at", "Lineitem name", "Lineitem quantity", "Total", "Financial Status"]


@pytest.fixture
def shop(make_workspace, tmp_path):
    ws = make_workspace(timezone=NY)
    people = [[f"P{n}", f"L{n}", f"p{n}@example.com", "yes", "Lyon", "gold"] for n in range(1, 7)]
    people[1][4] = LONG  # p2's city
    people[2][5] = LONG  # p3's custom field
    people[3][0] = LONG  # p4's first name
    people[5][0], people[5][1] = "é" * 64, "é" * 64  # p6: each name fits, the full name made of them does not
    import_file(ws, write_csv(tmp_path / "people.csv", PEOPLE, people), ImportOptions(channel="shop"))
    import_file(ws, write_csv(tmp_path / "orders.csv", ORDERS, [
        ["#1", "p1@example.com", "2026-12-01 10:00", "Mug", "1", "20.00", "paid"],
        ["#2", "p5@example.com", "2026-12-02 10:00", LONG, "1", "14.00", "paid"]]),  # p5's product
        ImportOptions(channel="shop", preset="shopify_orders"))
    with ws.writing() as conn:  # a card without a full name of its own: the token joins the first and last
        conn.exec_driver_sql("UPDATE customer SET full_name = '' WHERE email = 'p6@example.com'")
    set_brand(ws, "address", "1 Market Street, Springfield")
    set_brand(ws, "name", "Harbor")
    return ws


def _ids(ws) -> dict[str, int]:
    with ws.engine.connect() as conn:
        return {email.split("@")[0]: cid for cid, email in conn.exec_driver_sql("SELECT id, email FROM customer")}


def _errors(ws, body: str, **master) -> list[tuple[str, str]]:
    save_message(ws, "Note", {"headline": "Note", "body": body, "link": "https://hc.example/a", **master},
                 replace=True)
    save_campaign(ws, "Note", message="Note", replace=True,
                  steps=[{"channel": "email", "at": "2027-03-02T09:00", "timezone": NY}])
    return [(f.code, f.message) for f in check_campaign(ws, "Note", now=NOW)[0].errors]


@AT_NOW
@pytest.mark.parametrize(("body", "who", "column"), [
    ("From {city|here}.", ["p2"], "CITY column"),
    ("Your note: {custom.Loyalty note|none}.", ["p3"], "LOYALTY_NO column"),
    ("Still enjoying your {last_product|order}?", ["p5"], "LAST_PRODU column"),
    ("Dear {full_name|friend}.", ["p4", "p6"], "FULL_NAME column"),  # p4's first name is too long
])
def test_a_value_too_long_is_found_from_each_source_the_row_draws_on(shop, body, who, column):
    ids = _ids(shop)
    errors = _errors(shop, body)
    too_long = [message for code, message in errors if code == "field_too_long"]
    assert len(too_long) == 1 and column in too_long[0], errors
    n = len(who)
    assert too_long[0].startswith(f"{n} email recipient{'s have' if n > 1 else ' has'} a {{")
    assert f": customer {ids[who[0]]} (" in too_long[0] and (n == 1 or f" and {n - 1} more;" in too_long[0])
    # The first name too long is found with it, whatever token the message holds.
    names = [message for code, message in errors if code == "name_too_long"]
    assert len(names) == 1 and f"customer {ids['p4']};" in names[0], errors


@AT_NOW
def test_a_name_too_long_and_a_tag_holding_a_comma_are_found_without_a_token(shop):
    ids = _ids(shop)
    with shop.writing() as conn:  # a tag kept from before a tag could not hold a comma
        conn.exec_driver_sql("UPDATE customer SET tags = 'vip, silver,bronze' WHERE id = ?", (ids["p1"],))
    errors = dict(_errors(shop, "Twenty per cent off."))
    assert set(errors) == {"name_too_long", "tag_has_comma"}
    assert f"customer {ids['p4']};" in errors["name_too_long"]
    assert errors["tag_has_comma"].startswith("1 email recipient has a tag holding a comma") \
        and f"customer {ids['p1']};" in errors["tag_has_comma"]


@AT_NOW
def test_an_offer_too_long_is_found_for_every_recipient(shop):
    errors = dict(_errors(shop, "Your code: {offer_code}.", offer_code="C" * 300))
    assert errors["field_too_long"].startswith("6 email recipients have a {offer_code} longer")


def test_those_who_may_hold_a_long_value_are_asked_of_each_source(shop):
    """Only those a long value may belong to are read again, the full name also from the first and
    last names of a card without one."""
    from omnidesk.core.messages.personal import customer_values, may_hold_long_values

    ids = _ids(shop)

    def who(*tokens: str) -> set[str]:
        found = may_hold_long_values(shop, tokens, 63)
        return {name for name, cid in ids.items() if cid in found}

    assert who("city") == {"p2"}
    assert who("custom.loyalty note") == {"p3"}
    assert who("last_product", "last_order_date") == {"p5"}
    assert who("full_name") == {"p4", "p6"}
    assert who("first_name", "last_name") == {"p4", "p6"}
    assert who("offer_code", "lifetime_spend", "{unknown}") == set()
    # A purchase whose text does not name its products: they are read from its details.
    with shop.writing() as conn:
        conn.exec_driver_sql("UPDATE event SET summary = 'Order #2' WHERE customer_id = ?", (ids["p5"],))
    assert customer_values(shop, [ids["p5"]])[ids["p5"]]["last_product"] == LONG
    assert who("last_product") == {"p5"}
    assert may_hold_long_values(shop, ["offer_code"], 63, master={"offer_code": "C" * 63}) is None
