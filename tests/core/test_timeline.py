"""A customer's timeline, card provenance, notes and lookup, on files imported the real way."""

from __future__ import annotations

import csv
import os
import shutil
import time
from datetime import UTC, datetime

import pytest

from omnidesk.core.demo_data import SHOPIFY_ORDER_LINE_COLUMNS, SHOPIFY_ORDERS_HEADER
from omnidesk.core.errors import UserError
from omnidesk.core.importing.pipeline import ImportOptions, import_file
from omnidesk.core.notes import customer_notes, set_customer_notes
from omnidesk.core.profile import consent_facts, customer_profile, raw_record, source_rows, value_sources
from omnidesk.core.timeline import (
    EXPORT_HEADER,
    export_timeline,
    find_customer,
    timeline,
    timeline_channels,
    timeline_types,
)
from omnidesk.core.workspace import Workspace
from tests.helpers import write_csv

CONTACTS = (
    ["Email", "First Name", "Last Name", "Phone", "Accepts Email Marketing", "Created at"],
    [
        ["Ann@Example.com", "Ann", "Lee", "(415) 555-0101", "yes", "2024-01-05 09:00:00 -0800"],
        ["bob@example.com", "Bob", "Stone", "415.555.0102", "no", ""],
        ["cara@example.com", "Cara", "Nolan", "", "yes", "2024-02-01 10:00:00 +0000"],
        ["dan@example.com", "Dan", "Quiet", "", "", ""],
    ],
)
CONTACT_MAPPING = ["email", "first_name", "last_name", "phone", "consent_email", "created_at"]


@pytest.fixture(autouse=True)
def computer_in_california():
    """The laptop keeps California's winter clock, UTC-8 all year (the data's shop is there).

    With no ``timezone`` setting the timeline reads times on the computer's
    own clock; fixing it here keeps the expected times the same on any machine.
    """
    if not hasattr(time, "tzset"):
        pytest.skip("needs time.tzset to set the computer's zone")
    before = os.environ.get("TZ")
    os.environ["TZ"] = "Etc/GMT+8"  # POSIX signs: eight hours west
    time.tzset()
    yield
    if before is None:
        os.environ.pop("TZ", None)
    else:
        os.environ["TZ"] = before
    time.tzset()


def _order_rows(orders):
    """Shopify's layout: the first row of an order carries it all, later rows only the line item."""
    rows = []
    for order in orders:
        for n, (qty, name, price) in enumerate(order["items"]):
            cells = dict(order) if n == 0 else {"Name": order["Name"]}
            cells.update({"Lineitem quantity": qty, "Lineitem name": name, "Lineitem price": price})
            rows.append([str(cells.get(h, "")) if (n == 0 or h in SHOPIFY_ORDER_LINE_COLUMNS) else ""
                         for h in SHOPIFY_ORDERS_HEADER])
    return rows


ORDERS = [
    {"Name": "#1001", "Email": "ann@example.com", "Financial Status": "paid", "Currency": "USD",
     "Total": "42.50", "Created at": "2024-03-10 10:15:00 -0800", "Accepts Marketing": "yes",
     "Billing Name": "Ann Lee", "items": [(1, "Japanese Sencha 3oz", "14.00"), (2, "Stoneware Mug", "14.25")]},
    {"Name": "#1002", "Email": "ann@example.com", "Financial Status": "paid", "Currency": "USD",
     "Total": "12.5", "Created at": "2024-03-12 23:30:00 -0800", "Accepts Marketing": "yes",
     "Billing Name": "Ann Lee", "items": [(1, "Tea Towel", "12.50")]},
    {"Name": "#1003", "Email": "bob@example.com", "Financial Status": "paid", "Currency": "USD",
     "Total": "19.00", "Created at": "2024-03-11 08:00:00 +0000", "Accepts Marketing": "no",
     "Billing Name": "Bob Stone", "items": [(1, "Colombia Huila 12oz", "19.00")]},
]

ACTIVITY = (
    ["Email", "Campaign", "Action", "Timestamp"],
    [
        ["ann@example.com", "Spring 50% off_sale", "sent", "2024-03-11 12:00:00"],
        ["ann@example.com", "Spring 50% off_sale", "open", "2024-03-11 12:30:00"],
        ["ann@example.com", "Spring 50% off_sale", "click", "2024-03-11 12:31:00"],
        ["bob@example.com", "Spring 50% off_sale", "sent", "2024-03-11 12:00:00"],
    ],
)

UNSUBSCRIBED = (
    ["Email Address", "Status", "Unsubscribed at"],
    [["ann@example.com", "unsubscribed", "2024-04-01 08:00:00 +0000"]],
)


@pytest.fixture(scope="module")
def shop_template(tmp_path_factory):
    """Contacts, a Shopify orders export, email activity and an unsubscribe, imported once."""
    folder = tmp_path_factory.mktemp("shop")
    path = folder / "template.omnidesk"
    with Workspace.create(path) as ws:
        import_file(ws, write_csv(folder / "customers_export.csv", *CONTACTS),
                    ImportOptions(channel="shop", kind="contacts", mapping=CONTACT_MAPPING))
        orders = import_file(ws, write_csv(folder / "orders_export.csv", SHOPIFY_ORDERS_HEADER,
                                           _order_rows(ORDERS)))
        assert orders.preset == "shopify_orders" and orders.events == 3
        import_file(ws, write_csv(folder / "email_activity.csv", *ACTIVITY),
                    ImportOptions(channel="email", kind="events",
                                  mapping=["email", "campaign", "event_type", "occurred_at"]))
        import_file(ws, write_csv(folder / "unsubscribed.csv", *UNSUBSCRIBED),
                    ImportOptions(channel="email", kind="contacts",
                                  mapping=["email", "consent_email", "unsubscribed_at"]))
    return path


@pytest.fixture
def shop(shop_template, tmp_path):
    """A private copy of the imported shop: tests that write never affect each other."""
    path = tmp_path / "shop.omnidesk"
    shutil.copyfile(shop_template, path)
    with Workspace.open(path) as ws:
        ids = {name: find_customer(ws, f"{name}@example.com") for name in ("ann", "bob", "cara", "dan")}
        assert None not in ids.values() and len(set(ids.values())) == 4
        yield ws, ids


def _dated_order(entries):
    stamps = [e.occurred_utc for e in entries if e.occurred_utc]
    return stamps == sorted(stamps)


def test_timeline_is_oldest_first_with_provenance(shop):
    ws, ids = shop
    entries = timeline(ws, ids["ann"])
    assert _dated_order(entries)
    # The sign-up comes first, then the consent it carried at the same instant.
    first, second = entries[0], entries[1]
    assert (first.kind, first.type, first.summary) == ("record", "first_seen", "First seen in customers_export.csv")
    assert first.occurred_at == "2024-01-05T09:00:00-08:00" and first.occurred_utc == "2024-01-05T17:00:00"
    assert (second.kind, second.summary, second.source_file, second.source_row) == \
        ("consent", "Email consent: granted", "customers_export.csv", 1)
    assert [e.type for e in entries if e.kind == "event"] == ["order", "sent", "open", "click", "order"]
    assert entries[-1].summary == "Email consent: unsubscribed"
    assert entries[-1].source_file == "unsubscribed.csv"
    assert all(e.source_file and e.source_row for e in entries)


def test_multi_row_order_is_one_entry_with_its_items(shop):
    ws, ids = shop
    orders = [e for e in timeline(ws, ids["ann"]) if e.type == "order"]
    assert len(orders) == 2
    first = orders[0]
    assert first.amount_minor == 4250 and first.currency == "USD"
    assert [i["item_name"] for i in first.details["items"]] == ["Japanese Sencha 3oz", "Stoneware Mug"]
    assert "Japanese Sencha 3oz" in first.summary and "Stoneware Mug" in first.summary
    assert (first.source_file, first.source_row) == ("orders_export.csv", 1)
    assert first.event_id is not None and first.consent_id is None and first.entry_id == first.event_id


def test_day_is_the_local_date_as_recorded(shop):
    ws, ids = shop
    late = next(e for e in timeline(ws, ids["ann"]) if "Tea Towel" in e.summary)
    # 23:30 in California is already the next day in UTC; the customer lived the 12th.
    assert late.day == "2024-03-12" and late.occurred_utc == "2024-03-13T07:30:00"


def test_filters_run_in_sql(shop):
    ws, ids = shop
    ann = ids["ann"]
    everything = timeline(ws, ann)
    email = timeline(ws, ann, channels=["email"])
    assert email and {e.channel for e in email} == {"email"} and len(email) < len(everything)
    assert {e.type for e in email} == {"sent", "open", "click", "consent"}
    assert [e.type for e in timeline(ws, ann, types=["order"])] == ["order", "order"]
    # A consent entry belongs to the channel it is about, whichever file said it.
    assert [e.type for e in timeline(ws, ann, channels=["shop"], types=["order", "consent", "first_seen"])] == \
        ["first_seen", "order", "order"]
    sencha = timeline(ws, ann, search="SENCHA")
    assert [e.type for e in sencha] == ["order"]
    # Two orders; each said "accepts marketing", but the customers export had said it first
    # and she unsubscribed later: neither changed her consent, whatever the filter shows.
    assert len(timeline(ws, ann, search="orders_export")) == 2
    # LIKE wildcards in the search are literal characters.
    assert len(timeline(ws, ann, search="50% off_sale")) == 3
    assert timeline(ws, ann, search="50%x") == []
    assert timeline(ws, ann, channels=[]) == []
    assert timeline_types(ws, ann) == ["click", "consent", "first_seen", "open", "order", "sent"]
    assert timeline_channels(ws, ann) == ["email", "shop"]


def test_consent_entries_and_facts(shop):
    ws, ids = shop
    consents = [e for e in timeline(ws, ids["ann"]) if e.kind == "consent"]
    # Three files said "granted" (the contacts and two orders), then she unsubscribed: the
    # timeline shows the changes, not every repetition.
    assert [e.summary for e in consents] == ["Email consent: granted", "Email consent: unsubscribed"]
    assert all(e.consent_id and e.type == "consent" and e.channel == "email" for e in consents)
    fact = consent_facts(ws, ids["ann"])["email"]
    assert (fact.status, fact.source_file, fact.record_no, fact.record_channel) == \
        ("unsubscribed", "unsubscribed.csv", 1, "email")
    # An undated consent that only repeats what the timeline says is not shown again
    # (Bob's order said "no" too); one that changes it is (see the next test).
    bob = timeline(ws, ids["bob"])
    assert [e.summary for e in bob if e.kind == "consent"] == ["Email consent: denied"]
    assert _dated_order(bob)


def test_an_undated_consent_change_shows_after_everything_dated(ws, tmp_path):
    import_file(ws, write_csv(tmp_path / "till.csv", ["Email", "Total", "Date"],
                              [["fay@example.com", "9.00", "2024-05-01 10:00"]]),
                ImportOptions(channel="pos", kind="events", mapping=["email", "amount", "occurred_at"]))
    import_file(ws, write_csv(tmp_path / "list.csv", ["Email", "Subscribed"], [["fay@example.com", "yes"]]),
                ImportOptions(channel="email", kind="contacts", mapping=["email", "consent_email"]))
    entries = timeline(ws, find_customer(ws, "fay@example.com"))
    assert entries[-1].kind == "consent" and entries[-1].occurred_at is None and entries[-1].day == ""
    assert entries[-1].summary == "Email consent: granted"
    assert _dated_order(entries)


def test_export_has_exact_columns_and_offsets(shop, tmp_path):
    ws, ids = shop
    out = tmp_path / "ann.csv"
    n = export_timeline(ws, ids["ann"], out)
    with out.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == EXPORT_HEADER == ["occurred_at", "channel", "type", "summary", "amount",
                                         "source_file", "source_row", "currency", "status", "counted"]
    assert n == len(rows) - 1 == len(timeline(ws, ids["ann"]))
    by_summary = {r[3]: r for r in rows[1:]}
    order = next(r for r in rows[1:] if "Sencha" in r[3])
    assert order == ["2024-03-10T10:15:00-08:00", "shop", "order", order[3], "42.50", "orders_export.csv", "1",
                     "USD", "paid", "42.50"]
    assert next(r for r in rows[1:] if "Tea Towel" in r[3])[4] == "12.50"
    # No workspace time zone: a naive timestamp is on the computer's clock.
    sent = next(r for r in rows[1:] if r[2] == "sent")
    assert sent[0] == "2024-03-11T12:00:00-08:00" and sent[4] == ""
    # A time in UTC is put on that clock too, as with the zone set.
    assert by_summary["Email consent: unsubscribed"][0] == "2024-04-01T00:00:00-08:00"

    ws.set_setting("timezone", "America/Los_Angeles")
    export_timeline(ws, ids["ann"], out, overwrite=True)
    with out.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    sent = next(r for r in rows[1:] if r[2] == "sent")
    assert sent[0] == "2024-03-11T12:00:00-07:00"  # daylight saving time had begun on the 10th
    assert next(r for r in rows[1:] if "Sencha" in r[3])[0] == "2024-03-10T10:15:00-08:00"


def test_customer_without_events(shop, tmp_path):
    ws, ids = shop
    cara = timeline(ws, ids["cara"])
    assert [e.kind for e in cara] == ["record", "consent"]
    assert timeline(ws, ids["dan"]) == []
    assert timeline_types(ws, ids["dan"]) == []
    out = tmp_path / "dan.csv"
    assert export_timeline(ws, ids["dan"], out) == 0
    with out.open(encoding="utf-8", newline="") as fh:
        assert list(csv.reader(fh)) == [EXPORT_HEADER]
    profile = customer_profile(ws, ids["dan"])
    assert profile is not None and profile.event_count == 0 and profile.preferred_channel is None


def test_find_customer_by_email_or_phone(shop):
    ws, ids = shop
    for text in ("ann@example.com", "ANN@example.COM", "  ann@example.com ", "(415) 555-0101",
                 "415.555.0101", "4155550101", "+1 415 555 0101", "001 415-555-0101"):
        assert find_customer(ws, text) == ids["ann"], text


def test_find_customer_by_id_and_misses(shop):
    ws, ids = shop
    assert find_customer(ws, str(ids["bob"])) == ids["bob"]
    assert find_customer(ws, f"#{ids['bob']}") == ids["bob"]
    assert find_customer(ws, "nobody@example.com") is None
    assert find_customer(ws, "99999") is None
    assert find_customer(ws, "(415) 555-0199") is None
    assert find_customer(ws, "") is None
    assert find_customer(ws, "not a thing") is None


def test_find_customer_phone_uses_the_workspace_region(ws, tmp_path):
    ws.set_setting("default_region", "GB")
    import_file(ws, write_csv(tmp_path / "uk.csv", ["Email", "Mobile"], [["uk@example.com", "020 7946 0123"]]),
                ImportOptions(channel="pos", kind="contacts", mapping=["email", "phone"]))
    uk = find_customer(ws, "uk@example.com")
    assert uk is not None
    assert find_customer(ws, "020 7946 0123") == uk
    assert find_customer(ws, "+44 20 7946 0123") == uk


def test_value_sources_follow_survivorship(shop):
    ws, ids = shop
    sources = value_sources(ws, ids["ann"])
    # Contact records outrank order rows carrying the same email; the latest contact file wins.
    assert sources["email"][:4] == ("ann@example.com", "unsubscribed.csv", 1, "email")
    assert sources["email"].describe() == "from unsubscribed.csv row 1 (Email)"
    assert sources["phone"][:4] == ("+14155550101", "customers_export.csv", 1, "shop")
    assert sources["first_name"].source_file == "customers_export.csv"
    assert "company" not in sources  # empty values have no source
    profile = customer_profile(ws, ids["ann"], now=datetime(2024, 6, 1, tzinfo=UTC))
    assert profile.orders == 2 and profile.spend_minor == 5500 and profile.currency == "USD"
    assert profile.preferred_channel == "email"  # three email events beat two orders
    assert customer_profile(ws, ids["ann"], now=datetime(2030, 1, 1, tzinfo=UTC)).preferred_channel is None
    assert profile.consents["email"].status == "unsubscribed"
    assert customer_profile(ws, 123456) is None


def test_source_rows_and_raw_values(shop):
    ws, ids = shop
    rows = source_rows(ws, ids["ann"])
    files = [(r.source_file, r.record_no) for r in rows]
    assert files[:4] == [("customers_export.csv", 1), ("orders_export.csv", 1), ("orders_export.csv", 2),
                         ("orders_export.csv", 3)]
    pairs = dict(raw_record(ws, rows[0].record_id))
    assert pairs["Email"] == "Ann@Example.com" and pairs["Phone"] == "(415) 555-0101"
    assert raw_record(ws, 10_000_000) == []


def test_notes_are_saved_in_one_transaction(shop):
    ws, ids = shop
    assert customer_notes(ws, ids["ann"]) == ""
    assert set_customer_notes(ws, ids["ann"], "Prefers green tea.\nCall after 5pm.") is True
    assert set_customer_notes(ws, ids["ann"], "Prefers green tea.\nCall after 5pm.") is False
    assert customer_notes(ws, ids["ann"]) == "Prefers green tea.\nCall after 5pm."
    with pytest.raises(UserError):
        set_customer_notes(ws, 123456, "x")
    # Notes are the user's: a later import that refreshes the golden record keeps them.
    assert customer_profile(ws, ids["ann"]).notes.startswith("Prefers green tea")


def test_an_amount_without_a_currency_is_in_the_shops_own(ws, tmp_path):
    """A till's "32.00" is the shop's money: the region's currency, or the one set."""
    from omnidesk.core.money import workspace_currency

    import_file(ws, write_csv(tmp_path / "till.csv", ["Email", "Total", "Date"],
                              [["cy@example.com", "32.00", "2024-05-01 10:00"]]),
                ImportOptions(channel="pos", kind="events", mapping=["email", "amount", "occurred_at"]))
    cid = find_customer(ws, "cy@example.com")
    [entry] = [e for e in timeline(ws, cid) if e.amount_minor is not None]
    assert (entry.amount_minor, entry.currency) == (3200, "USD")  # the default region is US
    assert customer_profile(ws, cid).currency == "USD"
    ws.set_setting("default_region", "GB")
    assert workspace_currency(ws) == "GBP"
    ws.set_setting("currency", "eur")
    assert [e.currency for e in timeline(ws, cid) if e.amount_minor is not None] == ["EUR"]
    ws.set_setting("currency", "")
    ws.set_setting("default_region", "ZZ")
    assert [e.currency for e in timeline(ws, cid) if e.amount_minor is not None] == [None]


def test_an_amount_with_its_own_currency_keeps_it(shop):
    ws, ids = shop
    ws.set_setting("currency", "EUR")
    orders = [e for e in timeline(ws, ids["ann"]) if e.amount_minor is not None]
    assert orders and {e.currency for e in orders} == {"USD"}


def test_first_and_last_seen_span_consent_facts_too(ws, tmp_path):
    """A list member who opted in in 2023 and first ordered in 2024 was first seen in 2023."""
    import_file(ws, write_csv(tmp_path / "list.csv", ["Email Address", "First Name", "Subscribed", "OPTIN_TIME"],
                              [["eve@example.com", "Eve", "yes", "2023-08-19 10:00:00"]]),
                ImportOptions(channel="email", kind="contacts",
                              mapping=["email", "first_name", "consent_email", "consent_at"]))
    import_file(ws, write_csv(tmp_path / "till.csv", ["Email", "Total", "Date"],
                              [["eve@example.com", "12.00", "2024-05-01 10:00"]]),
                ImportOptions(channel="pos", kind="events", mapping=["email", "amount", "occurred_at"]))
    profile = customer_profile(ws, find_customer(ws, "eve@example.com"))
    entries = [e for e in timeline(ws, profile.id) if e.occurred_utc]
    assert profile.first_seen[:10] == entries[0].occurred_utc[:10] == "2023-08-19"
    assert profile.last_seen[:10] == entries[-1].occurred_utc[:10] == "2024-05-01"


def test_a_utc_instant_falls_on_the_shops_day():
    from zoneinfo import ZoneInfo

    from omnidesk.core.timeutil import local_day

    # 21:01 in New York on the 25th is already the 26th in UTC.
    assert local_day("2026-10-26T01:01:00", ZoneInfo("America/New_York")) == "2026-10-25"
    assert local_day("2026-10-26T01:01:00", ZoneInfo("Europe/Berlin")) == "2026-10-26"
    assert local_day("", None) == "" and local_day("not a date", None) == ""


def test_with_the_shops_time_zone_set_every_time_reads_as_the_shops_clock(shop):
    """Times recorded with an offset read on New York's clock; the export keeps them as recorded."""
    ws, ids = shop
    unsub = next(e for e in timeline(ws, ids["ann"]) if "unsubscribed" in e.summary)
    assert unsub.occurred_at == "2024-04-01T00:00:00-08:00"  # 08:00 UTC, on the computer's clock
    ws.set_setting("timezone", "America/New_York")
    entries = timeline(ws, ids["ann"])
    unsub = next(e for e in entries if "unsubscribed" in e.summary)
    late = next(e for e in entries if "Tea Towel" in e.summary)  # 23:30 in California on the 12th
    opened = next(e for e in entries if e.type == "open")
    assert (unsub.day, unsub.occurred_at) == ("2024-04-01", "2024-04-01T04:00:00-04:00")
    assert (late.day, late.occurred_at) == ("2024-03-13", "2024-03-13T03:30:00-04:00")
    assert late.occurred_utc == "2024-03-13T07:30:00"  # the instant is unchanged
    assert opened.occurred_at.startswith("2024-03-11T12:30")  # no offset recorded: the shop's already
    recorded = next(e for e in timeline(ws, ids["ann"], shop_clock=False) if "Tea Towel" in e.summary)
    assert (recorded.day, recorded.occurred_at) == ("2024-03-12", "2024-03-12T23:30:00-08:00")


def test_naive_and_offset_times_fall_in_the_order_they_happened(ws, tmp_path):
    """A till's 16:00 in Chicago is 22:00 UTC: after an order placed at 16:30 in New York."""
    ws.set_setting("timezone", "America/Chicago")
    import_file(ws, write_csv(tmp_path / "till.csv", ["Email", "Action", "Timestamp"],
                              [["gil@example.com", "visit", "2024-02-10 16:00:00"]]),
                ImportOptions(channel="pos", kind="events"))
    import_file(ws, write_csv(tmp_path / "web.csv", ["Email", "Action", "Timestamp"],
                              [["gil@example.com", "order", "2024-02-10 16:30:00 -0500"]]),
                ImportOptions(channel="web", kind="events"))
    gil = find_customer(ws, "gil@example.com")
    assert [e.channel for e in timeline(ws, gil)] == ["web", "pos"]
    out = tmp_path / "gil.csv"
    export_timeline(ws, gil, out)
    with out.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert [(r["occurred_at"], r["channel"]) for r in rows] == [
        ("2024-02-10T16:30:00-05:00", "web"), ("2024-02-10T16:00:00-06:00", "pos")]


def test_the_export_holds_every_entry_and_every_time_has_an_offset(shop, tmp_path):
    ws, ids = shop
    for key in ids:
        out = tmp_path / f"{key}.csv"
        export_timeline(ws, ids[key], out)
        with out.open(encoding="utf-8", newline="") as fh:
            rows = list(csv.DictReader(fh))
        entries = timeline(ws, ids[key], shop_clock=False)
        assert [r["summary"] for r in rows] == [e.summary for e in entries]
        for r in rows:
            if not r["occurred_at"]:
                continue
            moment = datetime.fromisoformat(r["occurred_at"])
            assert len(r["occurred_at"]) == 10 or moment.tzinfo is not None, r


def test_a_consent_without_a_date_is_exported_last_with_no_time(ws, tmp_path):
    import_file(ws, write_csv(tmp_path / "list.csv", ["Email", "Subscribed"], [["fay@example.com", "yes"]]),
                ImportOptions(channel="email", kind="contacts", mapping=["email", "consent_email"]))
    import_file(ws, write_csv(tmp_path / "opens.csv", ["Email", "Action", "Timestamp"],
                              [["fay@example.com", "open", "2024-05-02 09:30:00"]]),
                ImportOptions(channel="email", kind="events"))
    fay = find_customer(ws, "fay@example.com")
    assert [e.type for e in timeline(ws, fay)] == ["open", "consent"]
    out = tmp_path / "fay.csv"
    assert export_timeline(ws, fay, out) == 2
    with out.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert [(r["type"], r["occurred_at"]) for r in rows] == [("open", "2024-05-02T09:30:00-08:00"), ("consent", "")]


def test_what_omnidesk_recorded_in_utc_is_exported_on_the_shops_clock(ws, tmp_path):
    # A consent typed in is recorded in UTC: the export wrote it "+00:00" among the shop's
    # local times, so a 10:00 yes in New York read as 14:00.
    from omnidesk.core.edits import record_consent

    ws.set_setting("timezone", "America/New_York")
    import_file(ws, write_csv(tmp_path / "till.csv", ["Email", "Action", "Timestamp"],
                              [["hal@example.com", "visit", "2024-02-10 09:00:00"]]),
                ImportOptions(channel="pos", kind="events"))
    hal = find_customer(ws, "hal@example.com")
    record_consent(ws, hal, "email", "granted", note="at the till", now="2024-02-10T15:00:00+00:00")
    out = tmp_path / "hal.csv"
    export_timeline(ws, hal, out)
    with out.open(encoding="utf-8", newline="") as fh:
        times = [r["occurred_at"] for r in csv.DictReader(fh)]
    assert times == ["2024-02-10T09:00:00-05:00", "2024-02-10T10:00:00-05:00"]
