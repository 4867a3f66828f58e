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
