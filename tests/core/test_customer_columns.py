"""The Customers screen's columns: blanks sort last, custom fields for the rows on screen, list exports."""

from __future__ import annotations

import csv

import pytest

from omnidesk.core.customers import SORT_COLUMNS, custom_field_names, custom_values, customer_ids, customer_rows
from omnidesk.core.exporting.tables import export_customers
from omnidesk.core.identity.golden import sort_name
from omnidesk.core.importing.pipeline import ImportOptions, import_file
from omnidesk.core.tasks import Cancelled
from tests.helpers import write_csv

HEADER = ["Email", "First Name", "Last Name", "Phone", "City", "Company", "Postcode", "Country",
          "Email opt-in", "Tags", "Loyalty points", "Favourite scent"]
MAPPING = ["email", "first_name", "last_name", "phone", "city", "company", "postcode", "country",
           "consent_email", "tags", "ignore", "ignore"]
ROWS = [
    ["ann@example.com", "Ann", "Lee", "+14155550101", "Portland", "Acme", "97201", "US", "yes", "vip", "420", "Fig"],
    ["", "Bo", "Chen", "", "", "", "", "", "", "", "", ""],
    ["cy@example.com", "Cy", "Diaz", "+14155550103", "Austin", "", "73301", "US", "no", "", "15", ""],
    ["", "", "", "+14155550104", "Boston", "Zeta", "", "", "", "wholesale", "", "Rose"],
    ["eve@example.com", "Eve", "Moss", "", "", "", "", "", "", "", "7", ""],
]


@pytest.fixture
def shop(ws, tmp_path):
    import_file(ws, write_csv(tmp_path / "crm.csv", HEADER, ROWS), ImportOptions(channel="pos", mapping=MAPPING))
    # Figures a contacts file does not carry, and a customer left with no name at all (an
    # older workspace's): set as the resolver would leave them.
    with ws.engine.begin() as conn:
        for cid, name, orders, spend, seen in ((1, "Ann Lee", 3, 12000, "2026-03-01T10:00:00"),
                                               (2, "", 0, None, None),
                                               (3, "Cy Diaz", 1, 0, "2026-05-01T10:00:00"),
                                               (5, "Eve Moss", 0, None, "")):
            conn.exec_driver_sql("UPDATE customer SET display_name = ?, sort_name = ?, orders = ?, spend_minor = ?, "
                                 "last_seen = ?, first_seen = ? WHERE id = ?",
                                 (name, sort_name(name), orders, spend, seen, seen, cid))
    return ws


def _shown(ws, key: str) -> dict[int, str]:
    rows = customer_rows(ws, list(customer_ids(ws)))
    attr = {"name": "name", "spend": "spend_minor", "sources": "sources"}.get(key, key)
    return {cid: getattr(r, attr) for cid, r in rows.items()}


@pytest.mark.parametrize("descending", [False, True])
@pytest.mark.parametrize("sort", ["name", "email", "phone", "city", "company", "postcode", "country",
                                  "consent_email", "tags", "orders", "spend", "last_seen", "first_seen"])
def test_blanks_sort_last_in_both_directions(shop, sort, descending):
    values = _shown(shop, sort)
    blank = {cid for cid, v in values.items() if v in (None, "") or (sort == "orders" and v == 0)}
    assert 0 < len(blank) < len(values), "the fixture has blanks and values in every column tested"
    order = list(customer_ids(shop, sort=sort, descending=descending))
    assert sorted(order) == sorted(values)
    valued = [cid for cid in order if cid not in blank]
    assert order[:len(valued)] == valued and set(order[len(valued):]) == blank
    keyed = [values[cid] for cid in valued]
    assert keyed == sorted(keyed, reverse=descending)
    # The same holds when a filter makes the query read every row instead of an index.
    filtered = list(customer_ids(shop, sort=sort, descending=descending, channel="pos"))
    assert filtered == order
    ruled = list(customer_ids(shop, sort=sort, descending=descending,
                              rule={"field": "channel", "op": "is", "value": "pos"}))
    assert ruled == order


def test_every_sort_column_is_a_customer_column():
    assert {"tags", "consent_sms", "consent_whatsapp", "first_seen", "company", "postcode", "country"} <= set(SORT_COLUMNS)


def test_custom_fields_are_named_once_and_read_for_the_rows_asked(shop, tmp_path):
    assert custom_field_names(shop) == ["Favourite scent", "Loyalty points"]
    ids = list(customer_ids(shop, sort="email"))
    emails = {cid: r.email for cid, r in customer_rows(shop, ids).items()}
    by_email = {emails[cid]: cid for cid in ids if emails[cid]}
    ann = by_email["ann@example.com"]
    got = custom_values(shop, [ann, by_email["cy@example.com"]], ["loyalty points", "Favourite scent"])
    assert got == {ann: {"loyalty points": "420", "Favourite scent": "Fig"},
                   by_email["cy@example.com"]: {"loyalty points": "15"}}
    # A later file with Ann's points: the latest import's value is hers, as on her card.
    import_file(shop, write_csv(tmp_path / "april.csv", ["Email", "Loyalty points"],
                                [["ann@example.com", "515"]]), ImportOptions(channel="pos", mapping=["email", "ignore"]))
    assert custom_values(shop, [ann], ["Loyalty points"]) == {ann: {"Loyalty points": "515"}}
    assert custom_values(shop, [ann], []) == {ann: {}}


def _read(path, bom=False):
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") == bom
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def test_export_given_ids_keeps_their_order_and_leaves_out_the_rest(shop, tmp_path):
    order = list(customer_ids(shop, sort="city", descending=True))
    gone = max(order) + 1000
    out = tmp_path / "list.csv"
    n = export_customers(shop, out, ids=[*order[:3], gone, order[0]], columns=["id", "email", "city"], excel=True)
    rows = _read(out, bom=True)
    assert n == 3 and [int(r["id"]) for r in rows] == order[:3]
    assert list(rows[0]) == ["id", "email", "city"]
    assert export_customers(shop, tmp_path / "none.csv", ids=[]) == 0
    assert _read(tmp_path / "none.csv") == []


def test_export_given_ids_and_a_rule_keeps_the_customers_in_both(shop, tmp_path):
    everyone = list(customer_ids(shop))
    out = tmp_path / "both.csv"
    n = export_customers(shop, out, ids=everyone, rule={"field": "consent.email", "op": "is", "value": "granted"},
                         columns=["email"])
    assert n == 1 and _read(out) == [{"email": "ann@example.com"}]


def test_a_cancelled_export_leaves_no_file(shop, tmp_path):
    out = tmp_path / "list.csv"
    with pytest.raises(Cancelled):
        export_customers(shop, out, ids=list(customer_ids(shop)), cancelled=lambda: True)
    assert not out.exists() and not list(tmp_path.glob("*.part"))


@pytest.mark.parametrize("descending", [False, True])
def test_a_customer_with_no_name_sorts_with_the_blanks(shop, descending):
    """"(no name)" is what the list shows for nothing to call a customer by: it sorts last, not
    first because "(" comes before the letters."""
    from omnidesk.core.identity.golden import NO_NAME

    with shop.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE customer SET display_name = ?, sort_name = ? WHERE id = 4",
                             (NO_NAME, sort_name(NO_NAME)))
    order = list(customer_ids(shop, sort="name", descending=descending))
    assert set(order[-2:]) == {2, 4}
    assert list(customer_ids(shop, sort="name", descending=descending, channel="pos")) == order
