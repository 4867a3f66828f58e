"""A record with no name and a number sixteen customers hold is a customer of its own, and says so.

The shop's Shopify export gives its landline for sixteen customers (each with an email of their
own); the SMS list has one subscriber with nothing but that number.  The number cannot say which of
the sixteen subscribed, so the list's row is kept apart, a seventeenth customer from sixteen plus
one rows: the import says why (text and --json), ``customer why`` says it of that customer, and a
STOP texted from the number keeps every holder of it out of SMS, the list's subscriber included.  Played
through the command line at a set clock.
"""

from __future__ import annotations

import json

import time_machine

from omnidesk.core.demo_data.shared import SHOPIFY_CUSTOMERS_HEADER
from tests.helpers import exported_customers, run_cli, write_csv

LANDLINE = "602-264-0100"
NAMES = (("Ann", "Park"), ("Tom", "Nguyen"), ("Luis", "Ortega"), ("Beth", "Kim"), ("Raj", "Patel"),
         ("Mia", "Stone"), ("Olu", "Adeyemi"), ("Kate", "Hill"), ("Sam", "Reyes"), ("Ivy", "Chen"),
         ("Noah", "Berg"), ("Zoe", "Ford"), ("Eli", "Cohen"), ("Ada", "Lowe"), ("Max", "Vogel"), ("Pia", "Rossi"))
SAID = ("1 record with no name shares only a phone number held by 16 other customers: kept as a customer "
        "of its own, since a number or address several customers give does not say whose it is.")


def _shop_row(n: int, first: str, last: str) -> list[str]:
    row = dict.fromkeys(SHOPIFY_CUSTOMERS_HEADER, "")
    row.update({"Customer ID": str(7100 + n), "First Name": first, "Last Name": last,
                "Email": f"{first}.{last}@example.com".lower(), "Accepts Email Marketing": "yes",
                "Default Address City": "Phoenix", "Default Address Province Code": "AZ",
                "Default Address Country Code": "US", "Phone": LANDLINE, "Accepts SMS Marketing": "",
                "Total Spent": "0.00", "Total Orders": "0"})
    return [row[c] for c in SHOPIFY_CUSTOMERS_HEADER]


def _cli(capsys, ws, *argv, day="2027-01-10"):
    with time_machine.travel(f"{day} 15:00:00Z", tick=False):
        status, out, err = run_cli(capsys, *argv, "-w", ws)
    assert status == 0, (argv, err)
    return out, err


def _shop(capsys, tmp_path, ws):
    shop = write_csv(tmp_path / "customers_export.csv", SHOPIFY_CUSTOMERS_HEADER,
                     [_shop_row(n, first, last) for n, (first, last) in enumerate(NAMES)])
    out, _ = _cli(capsys, ws, "import", shop, "--region", "US", "--json")
    assert json.loads(out)["new_customers"] == 16


def test_the_import_says_why_a_nameless_subscriber_is_a_customer_of_its_own(capsys, tmp_path):
    ws = tmp_path / "shop.omnidesk"
    _shop(capsys, tmp_path, ws)
    subscribers = write_csv(tmp_path / "sms_subscribers.csv", ["Phone", "SMS Consent"], [[LANDLINE, "yes"]])
    out, _ = _cli(capsys, ws, "import", subscribers, "--channel", "sms", "--region", "US", "--json")
    summary = json.loads(out)
    assert summary["new_customers"] == 1 and summary["rows"] == 1
    assert summary["shared_only"] == 1
    alone = summary["shared_only_customers"][0]["customer"]
    assert summary["shared_only_customers"] == [{"customer": alone, "shares": "phone", "held_by": 16}]
    assert summary["shared_only_note"] == SAID

    # In words: the same sentence, as a note beside the counts (a dry run of the same file again).
    again = write_csv(tmp_path / "sms_subscribers_2.csv", ["Phone", "SMS Consent", "Source"],
                      [[LANDLINE, "yes", "keyword"]])
    out, err = _cli(capsys, ws, "import", again, "--channel", "sms", "--region", "US", "--dry-run")
    assert "would import 1" in out
    assert "omnidesk: note: sms_subscribers_2.csv: 1 record with no name shares only a phone number held by 17 " in err

    # The subscriber's yes is its own, no one else's; a STOP from the number holds it for every holder.
    people = exported_customers(capsys, ws, tmp_path, "id,first_name,consent_sms")
    assert [p["consent_sms"] for p in people if p["consent_sms"]] == ["granted"]
    assert [p["id"] for p in people if p["consent_sms"]] == [str(alone)]
    stops = write_csv(tmp_path / "sms_optouts.csv", ["Phone Number", "Keyword", "Date"],
                      [[LANDLINE, "STOP", "2027-01-11"]])
    _cli(capsys, ws, "import", stops, "--region", "US", day="2027-01-12")
    people = exported_customers(capsys, ws, tmp_path, "id,first_name,consent_sms")
    assert len(people) == 18
    assert {p["consent_sms"] for p in people} <= {"held", "unsubscribed"}


def test_customer_why_says_it_of_the_subscriber(capsys, tmp_path):
    ws = tmp_path / "shop.omnidesk"
    _shop(capsys, tmp_path, ws)
    subscribers = write_csv(tmp_path / "sms_subscribers.csv", ["Phone", "SMS Consent"], [[LANDLINE, "yes"]])
    _cli(capsys, ws, "import", subscribers, "--channel", "sms", "--region", "US")
    alone = "17"
    out, _ = _cli(capsys, ws, "customer", "why", alone)
    assert out.splitlines() == [
        f"Customer {alone} has 1 record: nothing to join.",
        "Kept as a customer of its own: it has no name, and all it shares with others is a phone number that "
        "16 other customers hold; a number or address several customers give does not say whose it is."]
    out, _ = _cli(capsys, ws, "customer", "why", alone, "--json")
    assert "16 other customers hold" in json.loads(out)["alone"]
    out, _ = _cli(capsys, ws, "customer", "why", "1", "--json")
    assert json.loads(out)["alone"] is None  # Ann Park has a name and an email of her own


def test_a_nameless_row_on_a_number_one_customer_holds_joins_them_and_nothing_is_said(capsys, tmp_path):
    ws = tmp_path / "shop.omnidesk"
    shop = write_csv(tmp_path / "customers_export.csv", SHOPIFY_CUSTOMERS_HEADER, [_shop_row(0, "Ann", "Park")])
    _cli(capsys, ws, "import", shop, "--region", "US")
    subscribers = write_csv(tmp_path / "sms_subscribers.csv", ["Phone", "SMS Consent"], [[LANDLINE, "yes"]])
    out, err = _cli(capsys, ws, "import", subscribers, "--channel", "sms", "--region", "US", "--json")
    summary = json.loads(out)
    assert (summary["new_customers"], summary["shared_only"], summary["shared_only_note"]) == (0, 0, None)
