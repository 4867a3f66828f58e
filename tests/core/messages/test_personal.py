"""Token values from the merged profile: the last thing bought on any channel, refunds left out."""

from __future__ import annotations

from omnidesk.core.importing.pipeline import ImportOptions, import_file
from omnidesk.core.customers import custom_field_names
from omnidesk.core.messages.personal import customer_values, nice_day, sample
from tests.helpers import write_csv


def test_values_come_from_the_merged_profile_and_the_latest_order_on_any_channel(ws, tmp_path):
    import_file(ws, write_csv(tmp_path / "customers.csv", ["Email", "First Name", "Last Name", "City", "Shopping for"],
                              [["ann@example.com", "Ann", "Lee", "Portland", "gifts"],
                               ["bob@example.com", "", "", "", ""]]), ImportOptions(channel="shop"))
    import_file(ws, write_csv(tmp_path / "orders.csv", ["Name", "Email", "Created at", "Lineitem name", "Total",
                                                        "Financial Status"],
                              [["#1", "ann@example.com", "2026-09-01 10:00", "Cedar candle", "20.00", "paid"],
                               ["#2", "ann@example.com", "2026-10-12 10:00", "Lavender candle", "24.00", "paid"],
                               ["#3", "ann@example.com", "2026-10-20 10:00", "Smoke candle", "30.00", "refunded"]]),
                ImportOptions(channel="shop", preset="shopify_orders"))
    with ws.engine.connect() as conn:
        ann, bob = (conn.exec_driver_sql("SELECT id FROM customer WHERE email = ?", (e,)).scalar()
                    for e in ("ann@example.com", "bob@example.com"))
    values = customer_values(ws, [ann, bob], master={"offer_code": "AUTUMN20", "offer_expires": "2026-10-31"},
                             business_name="Harbor Candles")
    a, b = values[ann], values[bob]
    assert (a["first_name"], a["city"], a["last_product"], a["last_order_date"]) == (
        "Ann", "Portland", "Lavender candle", "12 Oct 2026")
    assert a["lifetime_spend"].startswith("44.00") and a["offer_expires"] == "31 Oct 2026"
    assert a["custom.shopping for"] == "gifts" and a["business_name"] == "Harbor Candles"
    assert (b["first_name"], b["last_product"], b["lifetime_spend"]) == (None, None, None)
    assert custom_field_names(ws) == ["Shopping for"]


def test_a_sample_is_the_same_for_the_same_seed_and_never_more_than_there_are(ws, tmp_path):
    rows = [[f"p{i}@example.com", f"P{i}"] for i in range(50)]
    import_file(ws, write_csv(tmp_path / "list.csv", ["Email", "First Name"], rows), ImportOptions(channel="email"))
    first = sample(ws, 20, seed=3)
    assert len(first) == 20 == len(set(first)) and sample(ws, 20, seed=3) == first
    assert len(sample(ws, 500)) == 50
    assert sample(ws, 2, among=[5, 6, 7], seed=1) == sorted(sample(ws, 2, among=[7, 6, 5], seed=1))
    assert nice_day("2026-01-05T10:00:00+01:00") == "5 Jan 2026" and nice_day("") == ""


def test_a_variant_for_nobody_still_has_the_offer_and_the_brand(ws):
    from omnidesk.core.messages.brand import set_brand
    from omnidesk.core.messages.render import render_variant
    from omnidesk.core.messages.store import save_message

    set_brand(ws, "name", "Harbor Candles")
    save_message(ws, "Winter", {"headline": "Winter", "offer_code": "WINTER20", "offer_expires": "2026-12-24",
                                "link": "https://hc.example/w"},
                 variants={"facebook": {"text": "Hi {first_name|all}: {offer_code} until {offer_expires}, "
                                                "{business_name}"}})
    assert render_variant(ws, "Winter", "facebook").text == "Hi all: WINTER20 until 24 Dec 2026, Harbor Candles"
