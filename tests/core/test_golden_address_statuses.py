"""Each address's own consent is worked out from the records of the customers with facts only.

A big refresh reads every customer's records, and most have no consent fact: their
addresses are not looked at.  What is decided must be what looking at every record
gives, a fact whose record another customer holds included.
"""

from __future__ import annotations

from omnidesk.core.identity import golden


def _record(rid: int, cid: int, email: str | None, phone: str | None = None, channel: str = "shop") -> tuple:
    row = [None] * len(golden._REC_COLS)
    row[golden._ID], row[golden._CID], row[golden._KIND], row[golden._CHANNEL] = rid, cid, "contacts", channel
    row[golden._EMAIL], row[golden._PHONE] = email, phone
    return tuple(row)


RECORDS = {
    1: [_record(10, 1, "ann@example.com"), _record(11, 1, "ann.new@example.com", "+14155550100")],
    2: [_record(20, 2, "bob@example.com"), _record(21, 2, "bob.new@example.com")],  # no fact of his own
    3: [_record(30, 3, "cy@example.com")],  # one record: the customer's consent is the address's
}


def _fact(cid: int, channel: str, status: str, rid: int, fact_id: int) -> tuple:
    return (cid, channel, status, "2024-03-0%d 10:00:00" % fact_id, rid, fact_id)


def test_only_customers_with_facts_are_looked_at(ws):
    facts = [_fact(1, "email", "granted", 11, 1), _fact(1, "sms", "unsubscribed", 11, 2),
             _fact(3, "email", "granted", 30, 3)]
    with ws.engine.connect() as conn:
        statuses, own = golden._address_statuses(conn, facts, RECORDS)
        assert golden._address_statuses(conn, [], RECORDS) == ({}, {})
    assert statuses == own == {((1, "ann.new@example.com"), "email"): "granted",
                               ((1, "+14155550100"), "sms"): "unsubscribed"}


def test_a_fact_on_another_customers_record_is_still_read(ws):
    # The fact says customer 1, its record is one of customer 2's: that record's address has the say,
    # as when every customer's records were looked at.
    facts = [_fact(1, "email", "unsubscribed", 20, 1), _fact(1, "email", "granted", 10, 2)]
    with ws.engine.connect() as conn:
        statuses, _ = golden._address_statuses(conn, facts, RECORDS)
    assert statuses == {((1, "bob@example.com"), "email"): "unsubscribed",
                        ((1, "ann@example.com"), "email"): "granted"}
