"""Erasing a person also takes them out of other customers' rows: a gift sent to them, a note.

Ann bought a present for Bob and had it shipped to him: her row of Shopify's
orders export holds Bob's name, phone and street in its Shipping columns, and
her gift note names him.  After Bob is erased, the workspace file must not
spell any of it, while Ann's own order stays whole.  Everything goes through
the real import of an orders export in Shopify's own layout.
"""

from __future__ import annotations

import json

import pytest

from omnidesk.cli import main
from omnidesk.core.importing.pipeline import ImportOptions, import_file
from omnidesk.core.mentions import ERASED
from omnidesk.core.rights import erase_person
from omnidesk.core.timeline import find_customer
from tests.core.test_money import order, shopify_orders
from tests.helpers import write_csv

BOB_HOME = {"Shipping Name": "Bob Stone", "Shipping Phone": "(415) 555-0190", "Shipping Address1": "1 Birch Lane",
            "Shipping City": "Bangor", "Shipping Zip": "04401", "Shipping Province": "ME", "Shipping Country": "US"}
# What of Bob may be left in the file's bytes: none of it.
BOB_TRACES = (b"Bob", b"bob@example", b"Stone", b"stone", b"555-0190", b"4155550190", b"Birch", b"birch")


def _billing(phone, street, city="Bangor", zipcode="04401"):
    return {"Billing Phone": phone, "Billing Address1": street, "Billing City": city, "Billing Zip": zipcode,
            "Billing Province": "ME", "Billing Country": "US"}


def bobs_order():
    return order("#1001", "bob@example.com", "20.00", billing_name="Bob Stone",
                 **_billing("+1 415 555 0190", "1 Birch Lane"))


def anns_gift(**more):
    """Ann's order, shipped to Bob, with a gift note naming him and his email."""
    return order("#1002", "ann@example.com", "30.00", billing_name="Ann Lee", **{
        **_billing("(207) 555-0102", "5 Elm St"), **BOB_HOME,
        "Notes": "Gift for Bob Stone, send the receipt to Bob@Example.com", **more})


def caras_gift():
    """Cara gave no phone of her own: Shopify's Shipping Phone, Bob's, stood in for hers."""
    return order("#1003", "cara@example.com", "40.00", billing_name="Cara Nolan", **{
        "Billing Address1": "3 Pine St", "Billing City": "Augusta", **BOB_HOME})


@pytest.fixture
def ws(make_workspace):
    return make_workspace("w.omnidesk", timezone="America/New_York")


def _file_bytes(ws) -> bytes:
    """The workspace file and its write-ahead log as they lie on disk, once it is closed."""
    path = ws.path
    ws.close()
    return b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))


def _raw_row(ws, email: str) -> list[str]:
    with ws.engine.connect() as conn:
        return json.loads(conn.exec_driver_sql("SELECT raw_json FROM source_record WHERE email = ?", (email,)).scalar())


def _card(ws, email: str):
    cid = find_customer(ws, email)
    assert cid is not None, email
    with ws.engine.connect() as conn:
        return conn.exec_driver_sql("SELECT display_name, email, phone, address, orders, spend_minor FROM customer "
                                    "WHERE id = ?", (cid,)).one()


def _phones_of(ws, email: str) -> list[str]:
    with ws.engine.connect() as conn:
        return conn.exec_driver_sql(
            "SELECT i.value FROM identifier i JOIN source_record r ON r.id = i.record_id "
            "WHERE r.email = ? AND i.kind = 'phone'", (email,)).scalars().all()


def test_erasing_a_gift_recipient_takes_them_out_of_the_buyers_rows(ws, tmp_path):
    export = shopify_orders(tmp_path / "orders_export.csv", [bobs_order(), anns_gift(), caras_gift()])
    import_file(ws, export)
    assert _phones_of(ws, "cara@example.com") == ["+14155550190"]  # as imported: the stand-in
    removed = erase_person(ws, find_customer(ws, "bob@example.com"))
    assert removed["others_rows"] == 2
    ann = _raw_row(ws, "ann@example.com")
    # Her own order, name, email, phone and street are all there; Bob's cells say he was erased.
    for own in ("#1002", "ann@example.com", "30.00", "Ann Lee", "(207) 555-0102", "5 Elm St"):
        assert own in ann
    assert ann.count(ERASED) == 3  # Shipping Name, Shipping Address1, Shipping Phone
    assert f"Gift for {ERASED}, send the receipt to {ERASED}" in ann
    assert _card(ws, "ann@example.com") == ("Ann Lee", "ann@example.com", "+12075550102", "5 Elm St", 1, 3000)
    # Cara's record had Bob's phone only from the Shipping column: it is gone from her card too.
    assert _card(ws, "cara@example.com") == ("Cara Nolan", "cara@example.com", None, "3 Pine St", 1, 4000)
    assert _phones_of(ws, "cara@example.com") == []
    assert find_customer(ws, "(415) 555-0190") is None
    # The same export again brings none of it back: Ann's and Cara's rows are known, Bob's kept out.
    assert import_file(ws, export).imported == 0
    assert _raw_row(ws, "ann@example.com") == ann
    leftovers = _file_bytes(ws)
    for trace in BOB_TRACES:
        assert trace not in leftovers, trace
    for kept in (b"Ann Lee", b"ann@example.com", b"5 Elm St", b"Cara Nolan", b"#1003"):
        assert kept in leftovers, kept


def test_the_erase_command_says_how_many_rows_of_others_it_took_them_out_of(ws, tmp_path, capsys):
    import_file(ws, shopify_orders(tmp_path / "orders_export.csv", [bobs_order(), anns_gift()]))
    path = ws.path
    ws.close()
    assert main(["person", "erase", "bob@example.com", "--yes", "-w", str(path)]) == 0
    out = capsys.readouterr().out
    assert "also removed from 1 row of other customers" in out
    leftovers = b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))
    for trace in BOB_TRACES:
        assert trace not in leftovers, trace
    assert b"Ann Lee" in leftovers and b"ann@example.com" in leftovers


def test_a_namesake_keeps_their_name_and_a_note_without_bobs_details_stays(ws, tmp_path):
    """A name is taken out of a row only beside one of the erased person's emails or phones."""
    namesake = order("#1004", "b.stone@chicago.example", "50.00", billing_name="Bob Stone",
                     **_billing("(312) 555-0111", "9 Lake Rd", "Chicago", "60601"))
    mention = order("#1005", "dee@example.com", "15.00", billing_name="Dee Park",
                    **{**_billing("(207) 555-0104", "7 Oak St"), "Notes": "Same as Bob Stone ordered"})
    import_file(ws, shopify_orders(tmp_path / "orders_export.csv", [bobs_order(), anns_gift(), namesake, mention]))
    assert erase_person(ws, find_customer(ws, "bob@example.com"))["others_rows"] == 1
    assert "Bob Stone" not in _raw_row(ws, "ann@example.com")
    assert "Bob Stone" in _raw_row(ws, "b.stone@chicago.example")
    assert _card(ws, "b.stone@chicago.example")[:3] == ("Bob Stone", "b.stone@chicago.example", "+13125550111")
    assert "Same as Bob Stone ordered" in _raw_row(ws, "dee@example.com")


def test_a_phone_the_buyer_shares_with_the_erased_person_stays_the_buyers(ws, tmp_path):
    """Ann and Bob answer one landline: it is hers too, so it stays in her row and on her card;
    Bob's name and street beside it go."""
    home = {**BOB_HOME, "Shipping Phone": "(207) 555-0102"}
    bob = order("#1001", "bob@example.com", "20.00", billing_name="Bob Stone",
                **_billing("(207) 555-0102", "1 Birch Lane"))
    ann = order("#1002", "ann@example.com", "30.00", billing_name="Ann Lee",
                **{**_billing("(207) 555-0102", "5 Elm St"), **home})
    import_file(ws, shopify_orders(tmp_path / "orders_export.csv", [bob, ann]))
    assert find_customer(ws, "bob@example.com") != find_customer(ws, "ann@example.com")
    assert erase_person(ws, find_customer(ws, "bob@example.com"))["others_rows"] == 1
    row = _raw_row(ws, "ann@example.com")
    assert row.count("(207) 555-0102") == 2  # her Billing Phone, and the Shipping Phone that is the same line
    assert "Bob Stone" not in row and "1 Birch Lane" not in row and row.count(ERASED) == 2
    assert _card(ws, "ann@example.com")[:3] == ("Ann Lee", "ann@example.com", "+12075550102")
    assert _phones_of(ws, "ann@example.com") == ["+12075550102"]


def test_a_phone_typed_in_for_another_customer_stays_on_their_card(ws, tmp_path):
    """Bob's number typed onto Ann's card by hand is hers as much as his (the user said so), and
    stays there; her order row, where it is only the Shipping phone, loses it with Bob's name."""
    from omnidesk.core.edits import set_value

    import_file(ws, shopify_orders(tmp_path / "orders_export.csv", [bobs_order(), anns_gift(Notes="")]))
    set_value(ws, find_customer(ws, "ann@example.com"), "phone", "(415) 555-0190", now="2026-03-05T10:00:00+00:00")
    assert erase_person(ws, find_customer(ws, "bob@example.com"))["others_rows"] == 1
    assert _card(ws, "ann@example.com")[2] == "+14155550190"
    assert find_customer(ws, "(415) 555-0190") == find_customer(ws, "ann@example.com")
    row = _raw_row(ws, "ann@example.com")
    assert "Bob Stone" not in row and "1 Birch Lane" not in row and "(415) 555-0190" not in row
    assert "Ann Lee" in row and "(207) 555-0102" in row


def test_the_buyers_own_town_and_country_stay_when_the_recipient_lives_there_too(ws, tmp_path):
    """Bob's one-line address from a contacts file names his town and country; Ann lives in Bangor
    too: her Billing City and Country are hers, and his Shipping town and country stay as well.
    Only his street line goes."""
    contacts = write_csv(tmp_path / "newsletter.csv", ["Name", "Email", "Phone", "Address"],
                         [["Bob Stone", "bob@example.com", "+1 415 555 0190",
                           "1 Birch Lane, Bangor, ME 04401, United States"]])
    import_file(ws, contacts, ImportOptions(region="US"))
    ann = order("#1002", "ann@example.com", "30.00", billing_name="Ann Lee", **{
        **_billing("(207) 555-0102", "5 Elm St"), "Billing Country": "United States",
        **BOB_HOME, "Shipping Country": "United States"})
    import_file(ws, shopify_orders(tmp_path / "orders_export.csv", [ann]))
    assert erase_person(ws, find_customer(ws, "bob@example.com"))["others_rows"] == 1
    row = _raw_row(ws, "ann@example.com")
    assert "1 Birch Lane" not in row and "Bob Stone" not in row and "(415) 555-0190" not in row
    assert row.count(ERASED) == 3  # Shipping Name, Shipping Address1, Shipping Phone
    assert row.count("Bangor") == 2 and row.count("United States") == 2  # hers, and the Shipping ones
    assert row.count("04401") == 2 and row.count("ME") == 2
    with ws.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT city, region, country FROM customer WHERE email = ?",
                                    ("ann@example.com",)).one() == ("Bangor", "ME", "US")


def test_only_rows_that_may_mention_the_person_are_read_one_by_one(ws, tmp_path, monkeypatch):
    """A thousand orders of others with none of Bob's details: the workspace finds the one row
    that mentions him itself, and only that one is looked at closely."""
    from omnidesk.core import mentions

    others = [order(f"#{2000 + i}", f"c{i}@example.net", "12.00", billing_name=f"Cara Nolan{i}",
                    **_billing(f"(312) 555-{2000 + i}", f"{i} Lake Rd", "Chicago", "60601")) for i in range(1000)]
    import_file(ws, shopify_orders(tmp_path / "orders_export.csv", [bobs_order(), anns_gift(), *others]))
    looked_at = []
    close_look = mentions._may_mention
    monkeypatch.setattr(mentions, "_may_mention", lambda person, text: looked_at.append(text) or close_look(person, text))
    assert erase_person(ws, find_customer(ws, "bob@example.com"))["others_rows"] == 1
    assert len(looked_at) == 1 and "ann@example.com" in looked_at[0]
    assert "Bob Stone" not in _raw_row(ws, "ann@example.com")


@pytest.mark.parametrize("written", [
    "Bob@Example.COM", "bob+shop@example.com", "call 4155550190", "(415) 555-0190", "+1 415 555 01 90",
    "415.555.0190", "+1 415 555 0 190", "415 555 019 0", "B.o.b.Stone+x@GoogleMail.com",
    "Émile.Roux@Exemple.fr"])
def test_the_database_finds_every_way_the_persons_details_are_written(ws, written):
    from sqlalchemy import literal, select

    from omnidesk.core.mentions import Person, _may_mention, _may_mention_sql

    person = Person(emails={"bob@example.com", "bobstone@gmail.com", "émile.roux@exemple.fr"},
                    phones={"+14155550190": ("4155550190", "US")})
    text = json.dumps([written, "Ann Lee"], ensure_ascii=False)
    assert _may_mention(person, text)
    with ws.engine.connect() as conn:
        assert conn.execute(select(_may_mention_sql(person, literal(text), True))).scalar()
        assert not conn.execute(select(_may_mention_sql(person, literal('["ann@example.com", "(207) 555-0102"]'),
                                                        True))).scalar()


def test_details_nested_too_deep_to_read_go_with_the_person_erased(ws, tmp_path):
    """Ann's order's details, stored nested deeper than Python's JSON reader goes (SQLite reads them),
    naming Bob: erasing him raised a RecursionError and erased no one.  Details that cannot be read
    cannot be searched for him either, and nothing shows them: they go, and Ann's order stays."""
    import_file(ws, shopify_orders(tmp_path / "orders_export.csv", [bobs_order(), anns_gift()]))
    deep = '{"order_id": "#1002", "to": ' + '["Bob Stone", ' * 1500 + "1" + "]" * 1500 + "}"
    with ws.engine.begin() as conn:
        assert conn.exec_driver_sql("UPDATE event SET details_json = ? WHERE json_extract(details_json, "
                                    "'$.order_id') = '#1002'", (deep,)).rowcount == 1
    with pytest.raises(RecursionError):
        json.loads(deep)
    assert erase_person(ws, find_customer(ws, "bob@example.com"))["others_rows"] == 1
    with ws.engine.connect() as conn:
        (details,) = conn.exec_driver_sql("SELECT details_json FROM event e JOIN source_record r "
                                          "ON r.id = e.record_id WHERE r.email = 'ann@example.com'").scalars().all()
    assert details == "{}"
    assert _card(ws, "ann@example.com")[4:] == (1, 3000)
    leftovers = _file_bytes(ws)
    for trace in BOB_TRACES:
        assert trace not in leftovers, trace
