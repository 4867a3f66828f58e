"""A list of texted replies is read as one by its values, whatever its headers say.

The SMS opt-out preset knows one header (``Phone Number,Keyword,Date``).  Gateways and hand-made
lists write others: "Number, Keyword", "Mobile, Message", "phone_number, keyword", "Contact,
Opt-out keyword".  Each imported "imported 1, flagged 0" with its STOP thrown away (a "Keyword" or
"Reply" column unread, a "Message" read as an event's summary), the number read as a customer ID
or a first name, and Tia, who had texted STOP, stayed in the SMS pack.

A column is read as replies only when its header may name one (keyword, reply, message...) and
nearly all its values are reply keywords with at least one STOP among them: a "Message" column of
sentences stays a summary, and a column of STARTs alone never gives anyone consent.
"""

from __future__ import annotations

import pytest
import time_machine
from sqlalchemy import select

from omnidesk.core.importing.analysis import analyze
from omnidesk.core.importing.pipeline import import_file
from omnidesk.core.models import Customer
from tests.helpers import texted, write_csv

SHOP = ["Customer ID", "First Name", "Last Name", "Email", "Accepts Email Marketing", "Phone",
        "Accepts SMS Marketing", "Total Spent", "Total Orders"]


@pytest.fixture
def ws(make_workspace):
    with time_machine.travel("2026-11-20 15:00:00Z", tick=False):
        yield make_workspace(timezone="America/New_York", default_region="US")


def _tia(ws, tmp_path):
    import_file(ws, write_csv(tmp_path / "customers_export.csv", SHOP,
                              [["7210000000051", "Tia", "Todd", "tia@example.com", "yes", "+12075550191", "yes",
                                "10.00", "1"]]))


def _customers(ws) -> list[tuple]:
    cust = Customer.__table__
    with ws.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(select(cust.c.first_name, cust.c.phone, cust.c.consent_sms)
                                                 .order_by(cust.c.id))]


@pytest.mark.parametrize(("name", "header", "cells"), [
    ("i1_sms_export.csv", ["Number", "Keyword", "Date"], ["2075550191", "STOP", "2026-11-01"]),
    ("i8_list.csv", ["Phone", "Reply", "Date"], ["2075550191", "STOP", "2026-11-01"]),
    ("i2_sms_replies.csv", ["Mobile", "Message", "Received At"], ["2075550191", "STOP", "2026-11-01 10:00"]),
    ("i5_list.csv", ["phone_number", "keyword", "created_at"], ["2075550191", "STOP", "2026-11-01T10:00:00Z"]),
    ("i7_list.csv", ["Contact", "Opt-out keyword", "Date"], ["2075550191", "STOP", "2026-11-01"]),
])
def test_a_reply_list_under_other_headers_takes_the_number_out_of_the_sms_pack(ws, tmp_path, name, header, cells):
    with time_machine.travel("2026-11-20 15:00:00Z", tick=False):
        _tia(ws, tmp_path)
        assert texted(ws) != []
        path = write_csv(tmp_path / name, header, [cells])
        plan = analyze(ws, path)
        assert any("list of SMS replies" in w for w in plan.warnings)  # the import says how it read it
        assert plan.channel == "sms"
        result = import_file(ws, path)
        assert (result.imported, result.flagged) == (1, 0)
        # The reply joins Tia: no empty customer, no one called "2075550191".
        assert _customers(ws) == [("Tia", "+12075550191", "unsubscribed")]
        assert texted(ws) == []


def test_the_reply_is_dated_so_a_later_start_gives_consent_back(ws, tmp_path):
    with time_machine.travel("2026-11-20 15:00:00Z", tick=False):
        _tia(ws, tmp_path)
        import_file(ws, write_csv(tmp_path / "replies.csv", ["Mobile", "Message", "Received At"],
                                  [["2075550191", "Stop.", "2026-11-01 10:00"]]))
        assert _customers(ws) == [("Tia", "+12075550191", "unsubscribed")]
        # The gateway's next export: she texted START two days later (a dated opt-in lifts it).
        import_file(ws, write_csv(tmp_path / "replies_2.csv", ["Mobile", "Message", "Received At"],
                                  [["2075550191", "Stop.", "2026-11-01 10:00"],
                                   ["2075550191", "START", "2026-11-03 09:00"]]))
        assert _customers(ws) == [("Tia", "+12075550191", "granted")]


def test_a_message_column_of_sentences_stays_a_summary_and_starts_alone_give_nothing(ws, tmp_path):
    with time_machine.travel("2026-11-20 15:00:00Z", tick=False):
        _tia(ws, tmp_path)
        chat = write_csv(tmp_path / "chat.csv", ["Mobile", "Message", "Received At"],
                         [["2075550191", "Stop by the shop on Friday?", "2026-11-01 10:00"],
                          ["2075550191", "Is the blue one in stock", "2026-11-02 10:00"],
                          ["2075550191", "Thanks!", "2026-11-02 11:00"]])
        plan = analyze(ws, chat)
        assert "consent_sms" not in plan.mapping
        assert not any("STOP" in w for w in plan.warnings)
        starts = write_csv(tmp_path / "starts.csv", ["Mobile", "Keyword"], [["2075550122", "START"]])
        assert "consent_sms" not in analyze(ws, starts).mapping
        # ... while the gateway's list beside them is read as one.
        stops = write_csv(tmp_path / "stops.csv", ["Mobile", "Keyword"], [["2075550191", "STOP"]])
        assert analyze(ws, stops).mapping == ["phone", "consent_sms"]


def test_a_column_of_stops_that_cannot_be_read_as_replies_is_told(ws, tmp_path):
    # No numbers beside them: whose STOP it is is not known, but the import says so.
    path = write_csv(tmp_path / "list.csv", ["Email", "Reply"], [["tia@example.com", "STOP"]])
    plan = analyze(ws, path)
    assert any("'Reply' holds replies such as STOP but was not read as consent" in w for w in plan.warnings)


def test_a_contact_column_of_phone_numbers_is_the_phone_not_a_name(ws, tmp_path):
    path = write_csv(tmp_path / "people.csv", ["Contact", "Email"],
                     [["+1 207 555 0191", "tia@example.com"], ["(207) 555-0122", "ann@example.com"]])
    plan = analyze(ws, path)
    assert plan.mapping == ["phone", "email"]
    assert any("'Contact' was read as the phone" in w for w in plan.warnings)
    import_file(ws, path)
    assert sorted(p for _, p, _ in _customers(ws)) == ["+12075550122", "+12075550191"]
    assert not any(n for n, _, _ in _customers(ws))  # no one is called by their number


@pytest.mark.parametrize(("header", "status"), [
    (["Email Address", "Status"], "Unsubscribed via link"),
    (["Email", "Marketing status"], "Unsubscribed"),
])
def test_an_email_list_status_that_opens_with_unsubscribed_is_read(ws, tmp_path, header, status):
    with time_machine.travel("2026-11-20 15:00:00Z", tick=False):
        import_file(ws, write_csv(tmp_path / "export.csv", header, [["uma@example.com", status]]))
        cust = Customer.__table__
        with ws.engine.connect() as conn:
            assert conn.execute(select(cust.c.consent_email)).scalar_one() == "unsubscribed"


def test_a_status_is_read_by_its_opening_words_and_never_as_a_grant():
    from omnidesk.core.importing.normalize import parse_status_optout

    assert parse_status_optout("Unsubscribed via link") == "unsubscribed"
    assert parse_status_optout("Bounced (hard)") == "cleaned"
    assert parse_status_optout("Opted out - 2026-03-01") == "unsubscribed"
    for nothing in ("Not unsubscribed", "Subscribed via form", "Active", "Stopped by the shop"):
        assert parse_status_optout(nothing) is None
