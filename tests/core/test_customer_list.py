"""The Customers screen's queries: filters keep the order the list is sorted in."""

from __future__ import annotations

import pytest

from omnidesk.core.customers import customer_ids, customer_rows
from tests.benchmarks.test_customers_screen import build


@pytest.fixture(scope="module")
def shop(tmp_path_factory):
    ws = build(tmp_path_factory.mktemp("list") / "w.omnidesk", 600)
    yield ws
    ws.close()


@pytest.mark.parametrize(("sort", "descending"), [("name", False), ("name", True), ("spend", True),
                                                   ("city", False), ("orders", False), ("last_seen", True)])
def test_a_filtered_list_is_the_full_list_in_the_same_order_less_the_rest(shop, sort, descending):
    everyone = list(customer_ids(shop, sort=sort, descending=descending))
    rows = customer_rows(shop, everyone)
    sms = [cid for cid in everyone if "sms" in rows[cid].channels.split()]
    granted = [cid for cid in everyone if rows[cid].consent_email == "granted"]
    assert list(customer_ids(shop, sort=sort, descending=descending, channel="sms")) == sms
    assert list(customer_ids(shop, sort=sort, descending=descending, consent="email:granted")) == granted
    assert 0 < len(sms) < len(everyone) and 0 < len(granted) < len(everyone)


def test_a_channel_filter_takes_whole_channels_and_search_takes_wildcards_as_typed(ws, tmp_path):
    from omnidesk.core.importing.pipeline import ImportOptions, import_file
    from tests.helpers import write_csv

    header = ["Email", "First Name", "Last Name"]
    import_file(ws, write_csv(tmp_path / "shop.csv", header, [["ann@example.com", "Ann", "Lee"]]),
                ImportOptions(channel="shop"))
    import_file(ws, write_csv(tmp_path / "popup.csv", header, [["bob_stone@example.com", "Bob", "Stone"]]),
                ImportOptions(channel="popup-shop"))
    rows = customer_rows(ws, list(customer_ids(ws)))
    ann, bob = sorted(rows, key=lambda cid: rows[cid].name)
    assert rows[bob].channels != "shop" and "shop" in rows[bob].channels  # a channel of the shop's own
    assert list(customer_ids(ws, channel="shop")) == [ann]
    assert list(customer_ids(ws, channel=rows[bob].channels)) == [bob]
    assert list(customer_ids(ws, search="_")) == [bob]  # as typed, not "any one character"
    assert list(customer_ids(ws, search="%")) == []
