"""Identity resolution on real imports: links, guards, decisions, merge and unmerge."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from omnidesk.core.errors import UserError
from omnidesk.core.identity import merge as mg
from omnidesk.core.identity.keys import first_keys, first_name_level, fold
from omnidesk.core.identity.resolve import resolve_all
from omnidesk.core.importing.batches import undo_batch
from omnidesk.core.importing.pipeline import ImportOptions, import_file
from omnidesk.core.models import Customer, MatchReview, SourceRecord
from omnidesk.core.workspace import Workspace
from tests.helpers import write_csv

HEADER = ["First Name", "Last Name", "Email", "Phone", "Zip", "Birthday", "Customer ID"]


def load(ws, tmp_path, name, rows, header=HEADER, channel="shop"):
    return import_file(ws, write_csv(tmp_path / name, header, rows), ImportOptions(channel=channel))


def import_events(ws, tmp_path, name, rows, channel="email"):
    """An events file of (email, action, timestamp) rows: an email tool's opens and clicks, say."""
    return import_file(ws, write_csv(tmp_path / name, ["Email", "Action", "Timestamp"], rows),
                       ImportOptions(channel=channel, kind="events"))


FAMILY_OPENS = [["leefamily@example.com", "open", "2026-01-02 10:00:00"],
                ["leefamily@example.com", "click", "2026-01-03 10:00:00"]]


def customers_of(ws):
    """Customer id per (file, row) and the set of distinct customers."""
    with ws.engine.connect() as conn:
        rows = conn.exec_driver_sql(
            "SELECT b.file_name, r.record_no, r.customer_id FROM source_record r "
            "JOIN import_batch b ON b.id = r.batch_id WHERE b.status='done'"
        ).fetchall()
    return {(f, n): c for f, n, c in rows}


def customers_after(ws, scratch):
    """:func:`customers_of`, after a rebuild from scratch when ``scratch`` (else as imported)."""
    if scratch:
        with ws.engine.begin() as conn:
            resolve_all(conn, from_scratch=True)
    return customers_of(ws)


def count(ws, model):
    with ws.engine.connect() as conn:
        return len(conn.execute(select(model.id)).all())


def test_fold_and_name_levels():
    assert fold("José Núñez-O'Neil") == "josenunezoneil"
    assert first_name_level("bob", "robert") == "nickname"
    assert first_name_level("katherine", "katherin") == "typo"
    assert first_name_level("j", "john") == "initial"
    assert first_name_level("anna", "mark") == "different"


def test_british_and_european_short_forms_are_nicknames():
    # The nickname dataset is US-centred; these come from the supplement.
    for full, short in (("imogen", "immy"), ("alexander", "xander"), ("charlotte", "charlie"),
                        ("katharina", "kathi"), ("olivia", "liv")):
        assert first_name_level(short, full) == "nickname", (short, full)
        assert first_keys(short) & first_keys(full)
    # The supplement adds to the dataset, it does not replace it.
    assert first_name_level("bill", "william") == "nickname"
    assert first_name_level("immy", "olivia") == "different"


def test_exact_email_and_phone_links_across_files_and_formats(ws, tmp_path):
    load(ws, tmp_path, "shop.csv", [["Ann", "Lee", "ANN@Example.com", "(415) 555-0101", "", "", "7"]])
    load(ws, tmp_path, "list.csv", [["Ann", "Lee", "ann@example.com ", "", "", "", ""]], channel="email")
    load(ws, tmp_path, "sms.csv", [["Ann", "", "", "+1 415 555 0101", "", "", ""]], channel="sms")
    ids = customers_of(ws)
    assert len(set(ids.values())) == 1
    assert count(ws, Customer) == 1


def test_external_id_links_within_its_channel_only(ws, tmp_path):
    load(ws, tmp_path, "a.csv", [["Ann", "Lee", "", "", "", "", "42"]])
    load(ws, tmp_path, "b.csv", [["A", "Lee", "", "", "", "", "42"]])
    load(ws, tmp_path, "c.csv", [["Zed", "Zulu", "", "", "", "", "42"]], channel="pos")
    ids = customers_of(ws)
    assert ids[("a.csv", 1)] == ids[("b.csv", 1)] != ids[("c.csv", 1)]


def test_fuzzy_nickname_swapped_and_accents(ws, tmp_path):
    load(ws, tmp_path, "a.csv", [
        ["Robert", "Smith", "", "", "04101", "1980-02-03", ""],
        ["José", "Núñez", "jose@example.com", "", "", "", ""],
        ["Katherine", "Okafor", "", "+1 207 555 0150", "", "", ""],
    ])
    load(ws, tmp_path, "b.csv", [
        ["Bob", "Smith", "", "", "04101", "1980-02-03", ""],   # nickname + birthday + zip
        ["JOSE", "NUNEZ", "jose@example.com", "", "", "", ""],  # accents and case
        ["Katherin", "Okafor", "", "207.555.0150", "", "", ""],  # typo + phone format
    ])
    ids = customers_of(ws)
    for row in (1, 2, 3):
        assert ids[("a.csv", row)] == ids[("b.csv", row)], row
    assert count(ws, Customer) == 3


def test_last_first_swapped_with_birthday(ws, tmp_path):
    load(ws, tmp_path, "a.csv", [["Ann", "Lee", "", "", "", "1990-05-06", ""]])
    load(ws, tmp_path, "b.csv", [["Lee", "Ann", "", "", "", "1990-05-06", ""]])
    ids = customers_of(ws)
    assert ids[("a.csv", 1)] == ids[("b.csv", 1)]


@pytest.mark.parametrize("order", ["initial first", "initial later"])
def test_last_name_first_with_an_initial_for_the_given_name(ws, tmp_path, order):
    # "Rodriguez M." at the till, "Marcel Rodriguez" in the shop, one email; and "G. Freudenberger"
    # beside "Freudenberger Grzegorz", one phone: the family names agree crossed over, the initial
    # stands for the given name.  Then a third record of each, written plainly, still joins.
    short = [["Rodriguez", "M.", "marcel.rodriguez@example.com", "", "", "", ""],
             ["G.", "Freudenberger", "", "+4915118570317", "", "", ""]]
    full = [["Marcel", "Rodriguez", "marcel.rodriguez@example.com", "", "", "", ""],
            ["Freudenberger", "Grzegorz", "", "+4915118570317", "", "", ""]]
    first, second = (short, full) if order == "initial first" else (full, short)
    load(ws, tmp_path, "a.csv", first)
    load(ws, tmp_path, "b.csv", second)
    load(ws, tmp_path, "c.csv", [["Marcel", "Rodriguez", "marcel.rodriguez@example.com", "", "", "", ""],
                                 ["Grzegorz", "Freudenberger", "", "+49 1511 8570317", "", "", ""]])
    ids = customers_of(ws)
    for row in (1, 2):
        assert ids[("a.csv", row)] == ids[("b.csv", row)] == ids[("c.csv", row)], row
    assert count(ws, Customer) == 2


def test_an_initial_written_last_name_first_does_not_join_a_family_on_one_email(ws, tmp_path):
    # "Rodriguez M." could be Marcel or Marie: with both on the family's email it joins at most one.
    load(ws, tmp_path, "a.csv", [["Marcel", "Rodriguez", "rodriguez@example.com", "", "", "", ""],
                                 ["Marie", "Rodriguez", "rodriguez@example.com", "", "", "", ""]])
    load(ws, tmp_path, "b.csv", [["Rodriguez", "M.", "rodriguez@example.com", "", "", "", ""]])
    ids = customers_of(ws)
    assert ids[("a.csv", 1)] != ids[("a.csv", 2)]


@pytest.mark.parametrize(("anna", "mark"), [
    ("leefamily@example.com", "leefamily@example.com"),
    ("lee.family@gmail.com", "leefamily+shop@googlemail.com"),  # one mailbox written two ways
], ids=["same address", "same mailbox"])
def test_family_sharing_an_email_stays_two_people_and_is_queued(ws, tmp_path, anna, mark):
    load(ws, tmp_path, "a.csv", [["Anna", "Lee", anna, "+14155550111", "", "", ""]])
    load(ws, tmp_path, "b.csv", [["Mark", "Lee", mark, "+14155550122", "", "", ""]])
    ids = customers_of(ws)
    assert ids[("a.csv", 1)] != ids[("b.csv", 1)]
    reviews = mg.list_reviews(ws)
    assert len(reviews) == 1 and "same email" in reviews[0].reasons


def test_shop_landline_does_not_chain_strangers(ws, tmp_path):
    landline = "+12075550100"
    load(ws, tmp_path, "a.csv", [[f, "Customer", "", landline, "", "", ""]
                                 for f in ("Alice", "Brian", "Chloe", "Derek", "Emma")])
    assert count(ws, Customer) == 5


@pytest.mark.parametrize("scratch", [False, True])
def test_one_first_name_on_the_shop_landline_is_three_customers_to_ask_about(ws, tmp_path, scratch):
    # Three Anns give the till's landline, each written its own way: the phone is shared,
    # the last names say they are three people.  Asked about, never merged.
    load(ws, tmp_path, "till.csv", [["Ann", last, "", phone, "04101", "", ""] for last, phone in
                                    (("Brown", "207-555-0100"), ("Green", "(207) 555-0100"),
                                     ("Okafor", "+1 207 555 0100"))], channel="pos")
    if scratch:
        with ws.engine.begin() as conn:
            resolve_all(conn, from_scratch=True)
    assert count(ws, Customer) == 3
    reviews = mg.list_reviews(ws)
    assert len(reviews) == 3
    assert all("same phone" in r.reasons and "but different last names" in r.reasons for r in reviews)


def test_a_record_without_a_last_name_does_not_bridge_two_last_names(ws, tmp_path):
    # "Ann" shares the phone with Ann Brown and the email with Ann Green; either link
    # alone is fine, both together would make Brown and Green one person.
    load(ws, tmp_path, "a.csv", [["Ann", "Brown", "", "+12075550100", "", "", ""],
                                 ["Ann", "", "ann@example.com", "+12075550100", "", "", ""],
                                 ["Ann", "Green", "ann@example.com", "", "", "", ""]])
    ids = customers_of(ws)
    assert ids[("a.csv", 1)] != ids[("a.csv", 3)]
    assert ids[("a.csv", 2)] in (ids[("a.csv", 1)], ids[("a.csv", 3)])


def test_a_new_last_name_on_the_same_email_is_a_question(ws, tmp_path):
    # Married, or a sister using the same address: the user decides.
    load(ws, tmp_path, "a.csv", [["Sarah", "Miller", "sarah.m@example.com", "", "04101", "", ""]])
    load(ws, tmp_path, "b.csv", [["Sarah", "Johnson", "sarah.m@example.com", "", "04101", "", ""]])
    ids = customers_of(ws)
    assert ids[("a.csv", 1)] != ids[("b.csv", 1)]
    (review,) = mg.list_reviews(ws)
    assert "same email" in review.reasons
    mg.accept_review(ws, review.id)
    # Once the user merged both names, either name still joins the customer.
    load(ws, tmp_path, "c.csv", [["Sarah", "Johnson", "sarah.m@example.com", "+12075550188", "04101", "", ""]])
    ids = customers_of(ws)
    assert ids[("a.csv", 1)] == ids[("b.csv", 1)] == ids[("c.csv", 1)]


def test_two_john_smiths_with_different_phones_stay_apart(ws, tmp_path):
    load(ws, tmp_path, "a.csv", [["John", "Smith", "", "+14155550131", "", "", ""]])
    load(ws, tmp_path, "b.csv", [["John", "Smith", "", "+16175550132", "", "", ""]])
    ids = customers_of(ws)
    assert ids[("a.csv", 1)] != ids[("b.csv", 1)]
    assert mg.list_reviews(ws) == []


def test_nameless_event_on_a_shared_email_is_pinned_on_nobody(ws, tmp_path):
    load(ws, tmp_path, "a.csv", [["Anna", "Lee", "leefamily@example.com", "", "", "", ""],
                                 ["Mark", "Lee", "leefamily@example.com", "", "", "", ""]])
    import_events(ws, tmp_path, "opens.csv", FAMILY_OPENS[:1])
    ids = customers_of(ws)
    assert ids[("opens.csv", 1)] is None


@pytest.mark.parametrize("scratch", [False, True])
def test_nameless_event_on_a_shared_email_goes_to_its_own_channels_member(ws, tmp_path, scratch):
    # The family shares one address; the email list holds it for Anna only, so the
    # email tool's opens are hers.  The shop's record of Mark does not pull them over.
    load(ws, tmp_path, "shop.csv", [["Mark", "Lee", "leefamily@example.com", "", "", "", ""]])
    load(ws, tmp_path, "list.csv", [["Anna", "Lee", "leefamily@example.com", "", "", "", ""]], channel="email")
    import_events(ws, tmp_path, "opens.csv", FAMILY_OPENS)
    ids = customers_after(ws, scratch)
    assert ids[("opens.csv", 1)] == ids[("opens.csv", 2)] == ids[("list.csv", 1)]
    assert ids[("shop.csv", 1)] != ids[("list.csv", 1)]
    # With both members in the event's own channel, the open is still nobody's.
    load(ws, tmp_path, "list2.csv", [["Mark", "Lee", "leefamily@example.com", "+14155550122", "", "", ""]],
         channel="email")
    import_events(ws, tmp_path, "opens2.csv", [["leefamily@example.com", "open", "2026-02-02 10:00:00"]])
    assert customers_of(ws)[("opens2.csv", 1)] is None


@pytest.mark.parametrize("scratch", [False, True])
def test_a_nameless_list_member_on_a_shared_email_keeps_its_opens(ws, tmp_path, scratch):
    # The list knows the family's address by itself, with no name: which Lee it is nobody
    # can say, but its opens are that list member's, not lost and not Anna's or Mark's.
    load(ws, tmp_path, "shop.csv", [["Anna", "Lee", "leefamily@example.com", "", "", "", ""]])
    load(ws, tmp_path, "till.csv", [["Mark", "Lee", "leefamily@example.com", "", "", "", ""]], channel="pos")
    load(ws, tmp_path, "list.csv", [["", "", "leefamily@example.com", "", "", "", ""]], channel="email")
    import_events(ws, tmp_path, "opens.csv", FAMILY_OPENS)
    ids = customers_after(ws, scratch)
    assert ids[("opens.csv", 1)] == ids[("opens.csv", 2)] == ids[("list.csv", 1)] is not None
    assert len({ids[("shop.csv", 1)], ids[("till.csv", 1)], ids[("list.csv", 1)]}) == 3
    # A nameless record of another channel on that address still goes to nobody.
    import_events(ws, tmp_path, "texts.csv", [["leefamily@example.com", "reply", "2026-01-04 10:00:00"]],
                  channel="sms")
    assert customers_of(ws)[("texts.csv", 1)] is None


def groups(ids):
    """The records grouped by customer, whatever the ids: (file, row) sets, unplaced ones apart."""
    by = {}
    for key, cid in ids.items():
        by.setdefault(cid if cid is not None else key, set()).add(key)
    return sorted(sorted(g) for g in by.values())


def card(ws, cid):
    with ws.engine.connect() as conn:
        return conn.execute(select(Customer.display_name, Customer.channels).where(Customer.id == cid)).one()


def test_a_nameless_list_member_leaves_its_customer_when_a_family_member_shares_the_address(ws, tmp_path):
    # The list knows the address alone; when it came in, Anna was the only one holding it.
    load(ws, tmp_path, "shop.csv", [["Anna", "Lee", "leefamily@example.com", "", "", "", ""]])
    load(ws, tmp_path, "list.csv", [["", "", "leefamily@example.com", "", "", "", ""]], channel="email")
    import_events(ws, tmp_path, "opens.csv", FAMILY_OPENS)
    ids = customers_of(ws)
    anna = ids[("shop.csv", 1)]
    assert ids[("list.csv", 1)] == ids[("opens.csv", 1)] == ids[("opens.csv", 2)] == anna
    assert "email" in card(ws, anna).channels
    # Mark arrives with the same address: the address is the family's, not Anna's.
    till = load(ws, tmp_path, "till.csv", [["Mark", "Lee", "leefamily@example.com", "", "", "", ""]], channel="pos")
    ids = customers_of(ws)
    member = ids[("list.csv", 1)]
    assert member not in (anna, ids[("till.csv", 1)], None)
    assert ids[("opens.csv", 1)] == ids[("opens.csv", 2)] == member  # its opens go with it
    assert card(ws, anna) == ("Anna Lee", "shop")  # her card no longer shows the list
    assert card(ws, member).channels == "email"
    assert mg.list_reviews(ws) == [] or all(r.left_id != member and r.right_id != member
                                            for r in mg.list_reviews(ws))
    # As a rebuild from scratch places them.
    assert groups(customers_after(ws, True)) == groups(ids)
    # Undoing Mark's import puts the list member and its opens back on Anna.
    removed = undo_batch(ws, till.batch_id)
    assert (removed["records_put_back"], removed["merges_undone"]) == (3, 0)
    ids = customers_of(ws)
    assert ids[("list.csv", 1)] == ids[("opens.csv", 1)] == ids[("shop.csv", 1)]
    assert count(ws, Customer) == 1
    assert "email" in card(ws, ids[("shop.csv", 1)]).channels


def test_an_unsubscribe_taken_off_with_its_list_member_still_keeps_the_address_out(ws, tmp_path):
    from omnidesk.core.campaigns.guards import Rules, channel_allowed

    header = ["First Name", "Last Name", "Email", "Accepts Email Marketing"]
    load(ws, tmp_path, "shop.csv", [["Anna", "Lee", "leefamily@example.com", "yes"]], header=header)
    load(ws, tmp_path, "list.csv", [["leefamily@example.com", "unsubscribed"]],
         header=["Email Address", "Email Marketing Consent"], channel="email")
    load(ws, tmp_path, "till.csv", [["Mark", "Lee", "leefamily@example.com", "yes"]], header=header, channel="pos")
    ids = customers_of(ws)
    anna, member = ids[("shop.csv", 1)], ids[("list.csv", 1)]
    assert member != anna
    with ws.engine.connect() as conn:
        consent = dict(conn.execute(select(Customer.id, Customer.consent_email)).all())
        allowed = conn.execute(select(Customer.id).where(channel_allowed("email", Rules()))).scalars().all()
    assert consent[anna] == "granted" and consent[member] == "unsubscribed"
    assert allowed == []  # the address is out for all who hold it, Anna and Mark too


@pytest.mark.parametrize("first", ["Anna", "Ana", "Annie"])
def test_a_nameless_list_member_stays_when_the_new_record_is_the_same_person(ws, tmp_path, first):
    load(ws, tmp_path, "shop.csv", [["Anna", "Lee", "leefamily@example.com", "", "", "", ""]])
    load(ws, tmp_path, "list.csv", [["", "", "leefamily@example.com", "", "", "", ""]], channel="email")
    load(ws, tmp_path, "till.csv", [[first, "Lee", "leefamily@example.com", "+14155550122", "", "", ""]],
         channel="pos")
    ids = customers_of(ws)
    assert ids[("list.csv", 1)] == ids[("shop.csv", 1)] == ids[("till.csv", 1)]
    with ws.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM merge_log WHERE kind = 'unmerge'").scalar() == 0


def test_a_nameless_list_member_the_user_put_on_a_customer_stays_there(ws, tmp_path):
    load(ws, tmp_path, "shop.csv", [["Anna", "Lee", "leefamily@example.com", "", "", "", ""]])
    load(ws, tmp_path, "list.csv", [["", "", "leefamily@example.com", "", "", "", ""]], channel="email")
    ids = customers_of(ws)
    with ws.engine.connect() as conn:
        (rid,) = conn.execute(select(SourceRecord.id).where(SourceRecord.first_name == "")).scalars()
    _, split_off, _ = mg.unmerge_record(ws, rid)
    mg.merge_customers(ws, [ids[("shop.csv", 1)], split_off])  # the user's word: the list member is Anna
    load(ws, tmp_path, "till.csv", [["Mark", "Lee", "leefamily@example.com", "", "", "", ""]], channel="pos")
    ids = customers_of(ws)
    assert ids[("list.csv", 1)] == ids[("shop.csv", 1)] != ids[("till.csv", 1)]


def test_only_a_name_new_to_the_customer_puts_its_nameless_records_in_question():
    from omnidesk.core.identity.clustering import nameless_to_decide_again
    from omnidesk.core.identity.scoring import Profile

    def record(rid, first, customer_id=None, kind="contacts", email="lee@example.com"):
        return Profile(rid=rid, row_hash=str(rid), customer_id=customer_id, kind=kind, channel="email",
                       first=first, last="lee" if first else "", emails=(email,), phones=(), externals=(),
                       postcode="", city="", address="", birthday=None)

    # A customer of two names (merged on stronger evidence), its nameless list member and its opens.
    placed = [record(10, "anna", 7), record(11, "mark", 7), record(12, "", 7), record(13, "", 7, kind="events"),
              record(14, "", 8, email="other@example.com"), record(15, "zoe", 8, email="other@example.com")]
    for arriving, expected in (("anna", {}), ("ana", {}), ("mark", {}), ("", {}),
                               ("zoe", {3: 7, 4: 7})):
        assert nameless_to_decide_again([record(1, arriving)] + placed, 1) == expected, arriving
    assert nameless_to_decide_again([record(1, "zoe", email="else@example.com")] + placed, 1) == {}


def test_rejected_pair_never_comes_back_even_after_reimport(ws, tmp_path):
    first = load(ws, tmp_path, "a.csv", [["Anna", "Lee", "leefamily@example.com", "", "", "", ""]])
    second = load(ws, tmp_path, "b.csv", [["Mark", "Lee", "leefamily@example.com", "", "", "", ""]])
    (review,) = mg.list_reviews(ws)
    mg.reject_review(ws, review.id)
    assert mg.list_reviews(ws) == []
    undo_batch(ws, second.batch_id)
    load(ws, tmp_path, "b.csv", [["Mark", "Lee", "leefamily@example.com", "", "", "", ""]])
    assert mg.list_reviews(ws) == []
    with ws.engine.begin() as conn:
        resolve_all(conn, from_scratch=True)
    assert mg.list_reviews(ws) == []
    assert count(ws, Customer) == 2
    assert first.batch_id


def test_accept_review_merges_and_undo_restores(ws, tmp_path):
    load(ws, tmp_path, "a.csv", [["Anna", "Lee", "leefamily@example.com", "", "", "", ""]])
    load(ws, tmp_path, "b.csv", [["Mark", "Lee", "leefamily@example.com", "", "", "", ""]])
    before = customers_of(ws)
    (review,) = mg.list_reviews(ws)
    result = mg.accept_review(ws, review.id)
    after = customers_of(ws)
    assert len(set(after.values())) == 1 and count(ws, Customer) == 1
    mg.undo_log(ws, result.log_ids[0])
    assert customers_of(ws) == before
    assert count(ws, Customer) == 2


def test_manual_merge_and_unmerge_round_trip_keep_provenance(ws, tmp_path):
    load(ws, tmp_path, "a.csv", [["Ann", "Lee", "ann@example.com", "", "", "", ""],
                                 ["Bo", "Chen", "bo@example.com", "", "", "", ""]])
    ids = customers_of(ws)
    a, b = ids[("a.csv", 1)], ids[("a.csv", 2)]
    result = mg.merge_customers(ws, [b, a])
    assert result.survivor == min(a, b)
    merged = customers_of(ws)
    assert merged[("a.csv", 1)] == merged[("a.csv", 2)] == result.survivor
    # The merge is remembered: resolving from scratch keeps them together.
    with ws.engine.begin() as conn:
        resolve_all(conn, from_scratch=True)
    again = customers_of(ws)
    assert again[("a.csv", 1)] == again[("a.csv", 2)]
    # Split Bo's record back out; resolution does not put it back.
    with ws.engine.connect() as conn:
        bo = conn.execute(select(SourceRecord.id).where(SourceRecord.first_name == "Bo")).scalar_one()
    old, new, log_id = mg.unmerge_record(ws, bo)
    split = customers_of(ws)
    assert split[("a.csv", 1)] == old and split[("a.csv", 2)] == new
    # Each value still says which file, row and channel it came from.
    from omnidesk.core.profile import value_sources

    assert value_sources(ws, new)["email"][:4] == ("bo@example.com", "a.csv", 2, "shop")
    assert value_sources(ws, old)["email"][:4] == ("ann@example.com", "a.csv", 1, "shop")
    assert value_sources(ws, old)["first_name"][:4] == ("Ann", "a.csv", 1, "shop")
    with ws.engine.begin() as conn:
        resolve_all(conn)
    assert customers_of(ws) == split
    mg.undo_log(ws, log_id)
    assert customers_of(ws)[("a.csv", 2)] == old
    sources = value_sources(ws, old)
    assert {sources["first_name"].record_no, sources["email"].record_no} <= {1, 2}
    assert all(v.source_file == "a.csv" and v.channel == "shop" for v in sources.values())
    with pytest.raises(UserError):
        mg.undo_log(ws, log_id)


def test_unmerge_refuses_a_customers_only_record(ws, tmp_path):
    load(ws, tmp_path, "a.csv", [["Ann", "Lee", "ann@example.com", "", "", "", ""]])
    with ws.engine.connect() as conn:
        rid = conn.execute(select(SourceRecord.id)).scalar_one()
    with pytest.raises(UserError, match="only source"):
        mg.unmerge_record(ws, rid)


def test_pin_value_wins_over_sources(ws, tmp_path):
    load(ws, tmp_path, "a.csv", [["Ann", "Lee", "ann@example.com", "", "", "", ""]])
    cid = next(iter(customers_of(ws).values()))
    mg.pin_value(ws, cid, "last_name", "Lee-Park")
    load(ws, tmp_path, "b.csv", [["Ann", "Lee", "ann@example.com", "+14155550101", "", "", ""]])
    with ws.engine.connect() as conn:
        last, phone = conn.execute(select(Customer.last_name, Customer.phone).where(Customer.id == cid)).one()
    assert (last, phone) == ("Lee-Park", "+14155550101")
    mg.pin_value(ws, cid, "last_name", None)
    with ws.engine.connect() as conn:
        assert conn.execute(select(Customer.last_name).where(Customer.id == cid)).scalar() == "Lee"


def test_skip_and_bulk_accept(ws, tmp_path):
    # Two pairs with a name and a postcode in common and nothing against them; a family's email.
    load(ws, tmp_path, "a.csv", [["Amy", "Brook", "amy.b@example.com", "", "04101", "", ""],
                                 ["Dev", "Ellis", "dev@example.com", "", "04101", "", ""],
                                 ["Anna", "Lee", "lee@example.com", "", "", "", ""], *CROWD])
    load(ws, tmp_path, "b.csv", [["Amy", "Brook", "", "(415) 555-0199", "04101", "", ""],
                                 ["Dev", "Ellis", "", "(415) 555-0197", "04101", "", ""],
                                 ["Mark", "Lee", "lee@example.com", "", "", "", ""]], channel="pos")
    reviews = mg.list_reviews(ws)
    assert len(reviews) == 3
    family = next(r for r in reviews if r.conflict)
    sure = [r for r in reviews if not r.conflict]
    assert family.conflict == "different first names" and len(sure) == 2
    mg.skip_review(ws, sure[0].id)
    assert mg.list_reviews(ws)[-1].id == sure[0].id
    lowest = min(r.score for r in reviews)
    # A skipped pair is the user's "not now": a bulk accept leaves it to be decided on its own;
    # a family's shared email is never merged in bulk, however high it scores.
    assert [r.id for r in mg.reviews_to_accept(ws, lowest)] == [sure[1].id]
    assert [r.id for r in mg.reviews_held_back(ws, lowest)] == [family.id]
    merged = mg.accept_reviews_above(ws, lowest)
    assert len(merged.results) == 1
    assert {r.id for r in mg.list_reviews(ws)} == {sure[0].id, family.id}
    assert count(ws, MatchReview) == 2
    mg.undo_accept(ws, merged)  # one transaction takes it all back
    assert {r.id for r in mg.list_reviews(ws)} == {r.id for r in reviews}


ZOE_SHOP = ["Zoe", "Quill", "zq@example.com", "", "04101", "1980-01-02", ""]
ZOE_TILL = ["Zoe", "Quill", "", "(415) 555-0199", "04101", "", ""]


def test_review_says_what_a_later_record_brought_into_a_customer(ws, tmp_path):
    # The till's Zoe waits beside the shop's on a name and a postcode; then the SMS list's Zoe,
    # born ten years after the shop's, joins the till's on its phone. The pair was queued
    # without a conflict, and must not read (nor be merged in bulk) as if nothing changed.
    load(ws, tmp_path, "a.csv", [ZOE_SHOP, *CROWD])
    load(ws, tmp_path, "b.csv", [ZOE_TILL], channel="pos")
    (pair,) = mg.list_reviews(ws)
    assert pair.conflict is None and [r.id for r in mg.reviews_to_accept(ws, pair.score)] == [pair.id]
    load(ws, tmp_path, "c.csv", [["Zoe", "Quill", "zoe@example.net", "(415) 555-0199", "", "1990-05-06", ""]],
         channel="sms")
    (pair,) = mg.list_reviews(ws)
    assert pair.conflict == "different birthdays"
    assert mg.reviews_to_accept(ws, pair.score) == [] and [r.id for r in mg.reviews_held_back(ws, pair.score)] \
        == [pair.id]
    customers = count(ws, Customer)
    result = mg.accept_reviews(ws, [pair.id])  # asked by number, as a list read before the import would
    assert (len(result.results), result.held) == (0, 1) and count(ws, Customer) == customers
    assert [r.id for r in mg.list_reviews(ws)] == [pair.id]


def test_a_bulk_accept_leaves_a_pair_an_earlier_merge_of_the_run_set_against_itself(ws, tmp_path):
    # Two questions about the till's Zoe: the shop's Zoe (born 1980) and the SMS list's (born
    # 1990), each on a name and a postcode. Accepting the first makes the second a question about
    # two birthdays: it stays for the user, and Undo takes the one merge back.
    load(ws, tmp_path, "a.csv", [ZOE_SHOP, *CROWD])
    load(ws, tmp_path, "b.csv", [ZOE_TILL], channel="pos")
    load(ws, tmp_path, "c.csv", [["Zoe", "Quill", "zoe@example.net", "", "04101", "1990-05-06", ""]],
         channel="sms")
    first, second = mg.list_reviews(ws)
    assert first.conflict is None and second.conflict is None
    low = min(first.score, second.score)
    assert [r.id for r in mg.reviews_to_accept(ws, low)] == [first.id, second.id]
    customers = count(ws, Customer)
    result = mg.accept_reviews_above(ws, low)
    assert (len(result.results), result.held, result.gone) == (1, 1, 0)
    assert count(ws, Customer) == customers - 1
    (left,) = mg.list_reviews(ws)
    assert left.id == second.id and left.conflict == "different birthdays"
    mg.undo_accept(ws, result)
    assert [(r.id, r.conflict) for r in mg.list_reviews(ws)] == [(first.id, None), (second.id, None)]
    assert count(ws, Customer) == customers


def test_search_finds_any_phone_format_and_name(ws, tmp_path):
    from omnidesk.core.customers import customer_ids

    load(ws, tmp_path, "a.csv", [["Ann", "Lee", "ann@example.com", "+14155550101", "", "", ""],
                                 ["Bo", "Chen", "bo@example.com", "+442079460958", "", "", ""]])
    assert len(customer_ids(ws, search="(415) 555")) == 1
    assert len(customer_ids(ws, search="020 7946 0958")) == 1
    assert len(customer_ids(ws, search="chen")) == 1
    assert len(customer_ids(ws, search="example.com")) == 2
    assert list(customer_ids(ws, search="nobody-here")) == []
    # Written last name first, as lists and cards often do.
    assert list(customer_ids(ws, search="Lee, Ann")) == list(customer_ids(ws, search="Ann Lee"))
    assert len(customer_ids(ws, search="Chen,Bo")) == 1  # "Bo" is too short for the index: the fallback


def test_search_without_the_index_reads_last_first_too(ws, tmp_path, monkeypatch):
    from omnidesk.core import customers

    load(ws, tmp_path, "a.csv", [["John", "Smith", "js@example.com", "", "", "", ""]])
    monkeypatch.setattr(customers, "has_customer_search", lambda conn: False)  # as on PostgreSQL
    assert len(customers.customer_ids(ws, search="Smith, John")) == 1
    assert len(customers.customer_ids(ws, search="john smith")) == 1


def test_search_ignores_accents_either_way(ws, tmp_path):
    """"Garcia" finds María García and "García" finds Maria Garcia (the emails say neither)."""
    from omnidesk.core.customers import customer_ids

    load(ws, tmp_path, "a.csv", [["María", "García", "mg@example.com", "", "", "", ""],
                                 ["Maria", "Garcia", "mg2@example.com", "", "", "", ""],
                                 ["Jürgen", "Müller", "jm@example.com", "", "", "", ""],
                                 ["Andrés", "Wang", "aw@example.com", "", "", "", ""]])
    assert len(customer_ids(ws, search="Garcia")) == 2
    assert len(customer_ids(ws, search="García")) == 2
    assert len(customer_ids(ws, search="maria garcia")) == 2
    assert len(customer_ids(ws, search="muller")) == 1
    assert len(customer_ids(ws, search="Andres")) == 1


def test_migration_rebuilds_search_entries_without_accents(tmp_path):
    from alembic import command

    from omnidesk.core.customers import customer_ids
    from omnidesk.core.workspace import _alembic_config

    path = tmp_path / "w.omnidesk"
    with Workspace.create(path) as w:
        load(w, tmp_path, "a.csv", [["María", "García", "mg@example.com", "", "", "", ""]])
        with w.engine.begin() as conn:
            # As an older version left it: the name as written only.
            conn.exec_driver_sql("UPDATE customer_fts SET name = 'María García'")
            command.downgrade(_alembic_config(conn), "0006")
        # By email: the names' sort key came with a later revision than this file has now.
        assert len(customer_ids(w, search="Garcia", sort="email")) == 0
    with Workspace.open(path) as w:
        assert len(customer_ids(w, search="Garcia")) == 1


def test_an_initial_cannot_bridge_two_first_names(ws, tmp_path):
    phone = "+14155550177"
    load(ws, tmp_path, "a.csv", [["John", "Smith", "john@example.com", phone, "", "", ""]])
    load(ws, tmp_path, "b.csv", [["J", "Smith", "", phone, "", "", ""]])
    load(ws, tmp_path, "c.csv", [["Jane", "Smith", "", phone, "", "", ""]])
    ids = customers_of(ws)
    assert ids[("a.csv", 1)] == ids[("b.csv", 1)] != ids[("c.csv", 1)]


def test_a_misspelling_in_a_customer_does_not_block_a_nickname(ws, tmp_path):
    load(ws, tmp_path, "a.csv", [["Vincent", "Chen", "vc@example.com", "", "", "", ""],
                                 ["Vinecnt", "Chen", "vc@example.com", "", "", "", ""]])
    load(ws, tmp_path, "b.csv", [["Vince", "Chen", "vc@example.com", "", "", "", ""]])
    assert len(set(customers_of(ws).values())) == 1


def test_a_crowded_identifier_chains_instead_of_pairing_everyone():
    """5,000 opens from one address must not become 12.5 million pairs to score."""
    from omnidesk.core.identity.blocking import MAX_BLOCK, candidate_pairs
    from omnidesk.core.identity.scoring import Profile

    profiles = [Profile(rid=i, row_hash=str(i), customer_id=None, kind="events", channel="email",
                        first="", last="", emails=("ann@example.com",), phones=(), externals=(),
                        postcode="", city="", address="", birthday=None) for i in range(2000)]
    assert len(candidate_pairs(profiles)) == len(profiles) - 1
    only = set(range(1000, 2000))
    pairs = candidate_pairs(profiles, only)
    assert len(pairs) <= len(only) + 1
    assert MAX_BLOCK < 2000


def test_a_shared_city_pairs_names_only_where_the_postcodes_cannot_decide():
    """Same name in one big city: compared when a postcode is missing or both have an address."""
    from omnidesk.core.identity.blocking import candidate_pairs
    from omnidesk.core.identity.scoring import Profile

    def person(i, postcode, address=""):
        return Profile(rid=i, row_hash=str(i), customer_id=None, kind="contacts", channel="shop",
                       first="ann", last="lee", emails=(f"ann{i}@example.com",), phones=(), externals=(),
                       postcode=postcode, city="newyork", address=address, birthday=None)

    both_postcodes = [person(0, "10001"), person(1, "10002")]
    assert candidate_pairs(both_postcodes) == set()
    assert candidate_pairs([person(0, "10001"), person(1, "")]) == {(0, 1)}
    assert candidate_pairs([person(0, "10001", "1 Main St"), person(1, "10002", "1 Main St")]) == {(0, 1)}
    assert candidate_pairs([person(0, "10001"), person(1, "10001")]) == {(0, 1)}  # the postcode block


def test_neighbours_on_one_street_are_not_one_address(ws, tmp_path):
    header = ["First Name", "Last Name", "Address", "Zip"]
    load(ws, tmp_path, "a.csv", [["Lauren", "Miller", "264 School St", "04101"]], header=header)
    load(ws, tmp_path, "b.csv", [["Lauren", "Miller", "79 School St", "04101"]], header=header)
    load(ws, tmp_path, "c.csv", [["Lauren", "Miller", "264 School Street", "04101"]], header=header)
    ids = customers_of(ws)
    assert ids[("a.csv", 1)] != ids[("b.csv", 1)]
    assert ids[("a.csv", 1)] == ids[("c.csv", 1)]


def test_an_import_looks_up_same_name_same_place_records_like_blocking_would(ws, tmp_path):
    """Existing records found for a new "Ann Lee, 04101": her nicknames there, not the whole street's Lees."""
    from omnidesk.core.identity.blocking import MAX_BLOCK, same_name_same_place
    from omnidesk.core.identity.profiles import _profile

    header = ["First Name", "Last Name", "Email", "Zip", "City"]
    others = [[f"Person{n}", "Lee", f"p{n}@example.com", "04101", "Portland"] for n in range(MAX_BLOCK + 5)]
    load(ws, tmp_path, "a.csv", others + [["Annie", "Lee", "annie@example.com", "04101", "Portland"],
                                          ["Ann", "Lee", "ann@example.com", "99501", "Anchorage"]], header=header)
    load(ws, tmp_path, "b.csv", [["Bo", "Chen", "bo@example.com", "04101", "Portland"],
                                 ["Cy", "Chen", "cy@example.com", "04101", "Portland"]], header=header)
    # Column order of the resolver's profile query: id, row_hash, customer_id, kind, channel,
    # first, last, postcode, city, address, birthday, company, middle, first and last name readings.
    new_rows = [(0, "", None, "contacts", "shop", "Ann", "Lee", "04101", "Portland", "", None, "", "", "", ""),
                (0, "", None, "contacts", "shop", "Dee", "Chen", "04101", "Portland", "", None, "", "", "", "")]
    profiles = [_profile(r, [("email", "new@example.com")]) for r in new_rows]
    with ws.engine.connect() as conn:
        found = same_name_same_place(conn, profiles, new_rows)
        names = {tuple(r) for r in conn.exec_driver_sql(
            f"SELECT first_name, last_name FROM source_record WHERE id IN ({','.join(map(str, found))})")}
    # A crowded surname-and-place key finds only the same first name or its nicknames;
    # a small one finds everyone in it, as blocking would pair them all.
    assert names == {("Annie", "Lee"), ("Bo", "Chen"), ("Cy", "Chen")}


def test_an_import_looks_up_a_town_only_where_a_postcode_cannot_decide(ws, tmp_path):
    """A new record with no postcode finds its namesakes in the town; one with a postcode and no
    street finds only those with no postcode or with a street, as blocking pairs them by the town,
    both asked in one look-up."""
    from omnidesk.core.identity.blocking import same_name_same_place
    from omnidesk.core.identity.profiles import _profile

    header = ["First Name", "Last Name", "Email", "Address", "Zip", "City"]
    load(ws, tmp_path, "a.csv", [
        ["Ann", "Lee", "ann@example.com", "", "04102", "Portland"],
        ["Bo", "Chen", "bo1@example.com", "", "04102", "Portland"],
        ["Bo", "Chen", "bo2@example.com", "", "", "Portland"],
        ["Bo", "Chen", "bo3@example.com", "1 Main St", "04103", "Portland"],
        ["Cy", "Chen", "cy@example.com", "", "04104", "Portland"],
    ], header=header)
    # Column order of the resolver's profile query (see the test above).
    new_rows = [(0, "", None, "contacts", "shop", "Ann", "Lee", "", "Portland", "", None, "", "", "", ""),
                (0, "", None, "contacts", "shop", "Bo", "Chen", "04101", "Portland", "", None, "", "", "", "")]
    profiles = [_profile(r, [("email", "new@example.com")]) for r in new_rows]
    with ws.engine.connect() as conn:
        found = same_name_same_place(conn, profiles, new_rows)
        emails = {e for (e,) in conn.exec_driver_sql(
            f"SELECT email FROM source_record WHERE id IN ({','.join(map(str, found))})")}
    assert emails == {"ann@example.com", "bo2@example.com", "bo3@example.com"}


def _partition(ws) -> set[frozenset]:
    with ws.engine.connect() as conn:
        rows = conn.exec_driver_sql(
            "SELECT r.customer_id, b.file_name, r.record_no FROM source_record r JOIN import_batch b ON b.id = r.batch_id"
        ).fetchall()
    groups: dict = {}
    for cid, name, no in rows:
        groups.setdefault(cid if cid is not None else ("alone", name, no), set()).add((name, no))
    return {frozenset(g) for g in groups.values()}


@pytest.mark.parametrize("name", ["orders_export.csv", "email_activity.csv"])
def test_a_big_first_import_resolved_with_the_whole_workspace_gives_the_same_customers(tmp_path, monkeypatch, name):
    """From a size on, a first import is resolved by the whole-workspace path, with the same result."""
    from omnidesk.core.demo_data import write_demo_files
    from omnidesk.core.identity import resolve

    demo = next(f for f in write_demo_files(tmp_path / "demo", customers=120) if f.path.name == name)
    outcomes = []
    real = resolve.resolve_all_steps
    real_drop = resolve.indexes_suspended
    for threshold in (10**9, 1):
        monkeypatch.setattr(resolve, "_WHOLE_WORKSPACE_BATCH", threshold)
        calls, dropped = [], []
        monkeypatch.setattr(resolve, "resolve_all_steps", lambda *a, **k: (calls.append(1), real(*a, **k))[1])
        monkeypatch.setattr(resolve, "indexes_suspended",
                            lambda conn, names: (dropped.extend(names), real_drop(conn, names))[1])
        with Workspace.create(tmp_path / f"w{threshold}.omnidesk") as w:
            with w.engine.connect() as conn:
                indexes = sorted(conn.exec_driver_sql("SELECT name, sql FROM sqlite_master WHERE type='index'"))
            result = import_file(w, demo.path, ImportOptions(channel=demo.channel))
            with w.engine.connect() as conn:
                # Nobody was placed before, so the customer indexes were built once at the end.
                assert sorted(conn.exec_driver_sql("SELECT name, sql FROM sqlite_master WHERE type='index'")) \
                    == indexes
                golden = conn.exec_driver_sql(
                    "SELECT display_name, email, phone, orders, spend_minor, source_count FROM customer "
                    "ORDER BY display_name, email").fetchall()
            outcomes.append((_partition(w), result.new_customers, result.queued_reviews, golden))
        assert bool(calls) == (threshold == 1)
        assert ("ix_customer_email" in dropped) == (threshold == 1)
    assert outcomes[0] == outcomes[1]
    partition, customers, _, _ = outcomes[0]
    assert 0 < customers < sum(len(g) for g in partition)  # records were linked, not left one per customer


def test_a_bulk_rebuild_suspends_indexes_and_gives_them_back(tmp_path, monkeypatch):
    """From scratch, big workspaces drop the customer indexes for the rewrite; the result is the same."""
    from omnidesk.core.demo_data import write_demo_files
    from omnidesk.core.identity import resolve

    demo = next(f for f in write_demo_files(tmp_path / "demo", customers=120) if f.path.name == "orders_export.csv")
    outcomes = []
    real_drop = resolve.indexes_suspended
    for threshold in (10**9, 1):
        monkeypatch.setattr(resolve, "_WHOLE_WORKSPACE_BATCH", 10**9)
        with Workspace.create(tmp_path / f"w{threshold}.omnidesk") as w:
            import_file(w, demo.path, ImportOptions(channel=demo.channel))
            with w.engine.connect() as conn:
                before = conn.exec_driver_sql("SELECT name, sql FROM sqlite_master WHERE type='index'").fetchall()
            monkeypatch.setattr(resolve, "_WHOLE_WORKSPACE_BATCH", threshold)
            dropped = []

            def spy(conn, names):
                dropped.extend(names)
                return real_drop(conn, names)

            monkeypatch.setattr(resolve, "indexes_suspended", spy)
            with w.engine.begin() as conn:
                resolve.resolve_all(conn, from_scratch=True)
            with w.engine.connect() as conn:
                after = conn.exec_driver_sql("SELECT name, sql FROM sqlite_master WHERE type='index'").fetchall()
                golden = conn.exec_driver_sql(
                    "SELECT display_name, email, phone, orders, spend_minor, source_count FROM customer "
                    "ORDER BY display_name, email").fetchall()
            assert sorted(before) == sorted(after)
            # Placing the records puts the index off in bulk only (a rebuild no longer clears them first).
            assert dropped.count("ix_source_record_customer_id") == (1 if threshold == 1 else 0)
            outcomes.append((_partition(w), golden))
    assert outcomes[0] == outcomes[1]


def test_a_household_is_not_a_question_but_a_shared_email_is():
    """Different first names: a rare surname and one postcode are no reason to ask; a shared email is."""
    from collections import Counter

    from omnidesk.core.identity.scoring import Frequencies, Model, Profile, score_pair

    def person(first, email):
        return Profile(rid=0, row_hash="", customer_id=None, kind="contacts", channel="shop", first=first,
                       last="okonkwo", emails=(email,), phones=(), externals=(), postcode="04101", city="portland",
                       address="", birthday=None)

    # A big workspace, where the surname and the postcode are rare enough to weigh a lot.
    freq = Frequencies(first=Counter({"maria": 500, "jose": 400}), last=Counter({"okonkwo": 3}),
                       postcode=Counter({"04101": 40}), n_first=100_000, n_last=100_000, n_postcode=100_000)
    household = score_pair(person("maria", "maria@example.com"), person("jose", "jose@example.com"), freq, Model())
    assert household.weight >= Model().review_threshold and household.conflict == "different first names"
    assert household.decision == "apart"
    family_email = score_pair(person("maria", "family@example.com"), person("jose", "family@example.com"), freq,
                              Model())
    assert family_email.decision == "review" and "same email" in family_email.reasons


def pending_reviews(ws):
    import json

    with ws.engine.connect() as conn:
        return [(l, r, json.loads(why)) for l, r, why in conn.execute(
            select(MatchReview.left_id, MatchReview.right_id, MatchReview.reasons_json)
            .where(MatchReview.status == "pending"))]


TILL = ["Customer", "Receipt No", "Total"]
# A shop's worth of other people, so that how rare a name is means something.
CROWD = [[f, l, f"{f}.{l}@example.org", "", "", "", ""]
         for f in ("Amy", "Ben", "Cara", "Dev", "Eli", "Fay", "Gus", "Hal", "Ida", "Jon", "Kim", "Liam")
         for l in ("Abbot", "Brook", "Chen", "Dunn", "Ellis", "Ford", "Grant", "Hart", "Irwin", "Jones")]


def _imported_in_order(ws, order: str, shop, till) -> dict:
    """Run the two imports in ``order`` ("shop first", "till first", or "from scratch": shop
    first, then every customer made again); the customers they make."""
    for step in ((till, shop) if order == "till first" else (shop, till)):
        step()
    if order == "from scratch":
        with ws.engine.begin() as conn:
            resolve_all(conn, from_scratch=True)
    return customers_of(ws)


@pytest.mark.parametrize("order", ["shop first", "till first", "from scratch"])
def test_a_name_with_nothing_else_waits_in_review_beside_its_only_namesake(ws, tmp_path, order):
    def shop():
        load(ws, tmp_path, "shop.csv", [["Leonard", "Haddad", "leo@example.com", "+14155550111", "04105", "", ""],
                                        ["Ann", "Lee", "ann@example.com", "", "", "", ""], *CROWD])

    def till():
        load(ws, tmp_path, "till.csv", [["Haddad, Leonard", "5001", "12.50"]], header=TILL, channel="pos")

    ids = _imported_in_order(ws, order, shop, till)
    # Never merged on the name alone: a second Leonard Haddad may shop only at the till.
    assert ids[("till.csv", 1)] is not None and ids[("till.csv", 1)] != ids[("shop.csv", 1)]
    [(left, right, why)] = pending_reviews(ws)
    assert {left, right} == {ids[("till.csv", 1)], ids[("shop.csv", 1)]}
    assert "nothing but the name to go on" in why and "same first name" in why


def test_a_name_carried_by_two_customers_is_nobodys_question(ws, tmp_path):
    load(ws, tmp_path, "shop.csv", [["Leonard", "Haddad", "leo@example.com", "", "04105", "", ""],
                                    ["Leonard", "Haddad", "lhaddad@example.net", "", "90210", "", ""], *CROWD])
    load(ws, tmp_path, "till.csv", [["Haddad, Leonard", "5001", "12.50"]], header=TILL, channel="pos")
    ids = customers_of(ws)
    assert len({ids[("shop.csv", 1)], ids[("shop.csv", 2)], ids[("till.csv", 1)]}) == 3
    assert pending_reviews(ws) == []


MEMBERS = ["First Name", "Last Name", "Mobile"]


@pytest.mark.parametrize("order", ["shop first", "till first", "from scratch"])
def test_two_customers_with_nothing_but_a_rare_name_in_common_wait_in_review(ws, tmp_path, order):
    # The shop knows Julien by email and street, the till's loyalty list by his mobile: no
    # block key in common, and never merged on the name alone, but a question worth asking.
    def shop():
        load(ws, tmp_path, "shop.csv", [["Julien", "Lejeune", "julien.lejeune@example.com", "", "04105", "", ""],
                                        *CROWD])

    def till():
        load(ws, tmp_path, "members.csv", [["Julien", "Lejeune", "+14155550123"]], header=MEMBERS, channel="pos")

    ids = _imported_in_order(ws, order, shop, till)
    assert ids[("members.csv", 1)] != ids[("shop.csv", 1)]
    [(left, right, why)] = pending_reviews(ws)
    assert {left, right} == {ids[("members.csv", 1)], ids[("shop.csv", 1)]}
    assert "nothing but the name to go on" in why and "same last name" in why
    [review] = mg.list_reviews(ws)
    assert review.names_only and review.for_one_by_one  # never accepted in bulk


def test_namesakes_are_not_asked_about_when_something_conflicts_or_a_third_carries_the_name(ws, tmp_path):
    # Two birthdays: two people who happen to share a name.
    load(ws, tmp_path, "shop.csv", [["Julien", "Lejeune", "julien.lejeune@example.com", "", "", "1980-03-02", ""],
                                    ["Ottoline", "Quartermaine", "oq@example.com", "", "", "", ""], *CROWD])
    load(ws, tmp_path, "list.csv", [["Julien", "Lejeune", "", "+14155550122", "", "1994-11-20", ""]],
         channel="email")
    assert pending_reviews(ws) == []
    # A second email is no reason against (people keep a work and a personal one) ...
    load(ws, tmp_path, "list2.csv", [["Ottoline", "Quartermaine", "ottoline@example.net", "", "", "", ""]],
         channel="email")
    [(_, _, why)] = pending_reviews(ws)
    assert "nothing but the name to go on" in why
    # ... but a third customer of the name is: which of them would the till's member be?
    load(ws, tmp_path, "members.csv", [["Ottoline", "Quartermaine", "+14155550124"]], header=MEMBERS, channel="pos")
    assert len(pending_reviews(ws)) == 1  # the question asked before stays; no new one


@pytest.mark.parametrize("other", [
    ["Perpetua", "Quill", "", "+14155550777", "", "", ""],  # another phone
    ["Perpetua", "Quill", "pq@example.net", "", "97201", "", ""],  # another postcode
], ids=["two phones", "two postcodes"])
def test_namesakes_who_live_apart_are_no_question(ws, tmp_path, other):
    # Two Perpetua Quills with a phone each, or a postcode each, that differ: two people.
    load(ws, tmp_path, "shop.csv", [["Perpetua", "Quill", "perpetua@example.com", "+14155550111", "04105", "", ""],
                                    *CROWD])
    load(ws, tmp_path, "list.csv", [other], channel="email")
    ids = customers_of(ws)
    assert ids[("list.csv", 1)] != ids[("shop.csv", 1)]
    assert pending_reviews(ws) == []


def test_a_name_too_common_to_prove_anything_is_not_asked_about(ws, tmp_path):
    # Many Smiths and Johns: the full name weighs less than the review threshold.
    rows = [[f, l, f"{f}.{l}{i}@example.com", "", "", "", ""]
            for i, (f, l) in enumerate([("John", "Smith")] + [("John", "Doe")] * 60 + [("Mary", "Smith")] * 60)]
    load(ws, tmp_path, "shop.csv", rows + CROWD)
    load(ws, tmp_path, "till.csv", [["Smith, John", "5001", "12.50"]], header=TILL, channel="pos")
    assert pending_reviews(ws) == []
    # The same shapes with a rare name are asked about.
    load(ws, tmp_path, "shop2.csv", [["Ottoline", "Quartermaine", "oq@example.com", "", "", "", ""]])
    load(ws, tmp_path, "till2.csv", [["Quartermaine, Ottoline", "5002", "9.00"]], header=TILL, channel="pos")
    assert len(pending_reviews(ws)) == 1


def test_merging_two_customers_leaves_one_question_per_pair(ws, tmp_path):
    """Anna was asked about Mark and about Tom; once Mark and Tom are one, she is asked once."""
    load(ws, tmp_path, "a.csv", [["Anna", "Lee", "lee@example.com", "", "", "", ""]])
    load(ws, tmp_path, "b.csv", [["Mark", "Lee", "lee@example.com", "", "", "", ""]], channel="email")
    load(ws, tmp_path, "c.csv", [["Tom", "Lee", "lee@example.com", "", "", "", ""]], channel="pos")
    ids = customers_of(ws)
    anna, mark, tom = ids[("a.csv", 1)], ids[("b.csv", 1)], ids[("c.csv", 1)]
    assert len({anna, mark, tom}) == 3
    pairs = {frozenset((r.left_id, r.right_id)) for r in mg.list_reviews(ws)}
    assert {frozenset((anna, mark)), frozenset((anna, tom))} <= pairs
    mg.merge_customers(ws, [mark, tom])
    survivor = customers_of(ws)[("b.csv", 1)]
    reviews = mg.list_reviews(ws)
    assert [(r.left_id, r.right_id) for r in reviews] == [tuple(sorted((anna, survivor)))]


def test_undoing_the_import_that_bridged_two_customers_splits_them_again(ws, tmp_path):
    # The email list knows Ann by email, the till by phone; a shop export with both merges them.
    load(ws, tmp_path, "list.csv", [["Ann", "Lee", "ann.lee@example.com", "", "", "", ""]], channel="email")
    load(ws, tmp_path, "till.csv", [["Ann", "Lee", "", "(415) 555-0111", "", "", ""]], channel="pos")
    before = customers_of(ws)
    assert before[("list.csv", 1)] != before[("till.csv", 1)]
    bridge = load(ws, tmp_path, "shop.csv", [["Ann", "Lee", "ann.lee@example.com", "415-555-0111", "", "", ""]])
    merged = customers_of(ws)
    assert merged[("list.csv", 1)] == merged[("till.csv", 1)] == merged[("shop.csv", 1)]
    assert count(ws, Customer) == 1

    removed = undo_batch(ws, bridge.batch_id)
    assert removed["merges_undone"] == 1
    after = customers_of(ws)
    assert after[("list.csv", 1)] != after[("till.csv", 1)]
    assert {after[("list.csv", 1)], after[("till.csv", 1)]} == {before[("list.csv", 1)], before[("till.csv", 1)]}
    with ws.engine.connect() as conn:
        golden = dict(conn.exec_driver_sql("SELECT id, email || '|' || coalesce(phone, '') FROM customer "
                                           "WHERE email IS NOT NULL UNION SELECT id, '|' || phone FROM customer "
                                           "WHERE email IS NULL").fetchall())
    assert golden == {before[("list.csv", 1)]: "ann.lee@example.com|", before[("till.csv", 1)]: "|+14155550111"}
    # Importing it again merges them again: nothing of the undone merge is left in the way.
    load(ws, tmp_path, "shop.csv", [["Ann", "Lee", "ann.lee@example.com", "415-555-0111", "", "", ""]])
    assert count(ws, Customer) == 1


def test_undoing_a_bridging_import_after_a_later_one_gives_the_merged_away_customer_its_id_back(ws, tmp_path):
    # The merged-away customer had the highest id; the next new customer gets a new one, not that
    # (an older SQLite table handed it out again), so undo brings the customer back under its id.
    load(ws, tmp_path, "list.csv", [["Ann", "Lee", "ann.lee@example.com", "", "", "", ""]], channel="email")
    load(ws, tmp_path, "till.csv", [["Ann", "Lee", "", "(415) 555-0111", "", "", ""]], channel="pos")
    before = customers_of(ws)
    bridge = load(ws, tmp_path, "shop.csv", [["Ann", "Lee", "ann.lee@example.com", "415-555-0111", "", "", ""]])
    load(ws, tmp_path, "more.csv", [["Zed", "Park", "zed@example.com", "", "", "", ""]])
    assert customers_of(ws)[("more.csv", 1)] > max(before.values())
    undo_batch(ws, bridge.batch_id)
    ids = customers_of(ws)
    assert len({ids[("list.csv", 1)], ids[("till.csv", 1)], ids[("more.csv", 1)]}) == 3
    assert ids[("list.csv", 1)] == before[("list.csv", 1)] and ids[("till.csv", 1)] == before[("till.csv", 1)]
    assert count(ws, Customer) == 3


def _user_data_of(ws, cid):
    import json

    with ws.engine.connect() as conn:
        row = conn.exec_driver_sql("SELECT first_name, notes, pinned_json FROM customer WHERE id = ?",
                                   (cid,)).first()
    return row[0], row[1], json.loads(row[2])


def test_a_merge_keeps_the_notes_and_pins_of_the_customer_merged_away_and_undo_gives_them_back(ws, tmp_path):
    from omnidesk.core.notes import set_customer_notes

    load(ws, tmp_path, "a.csv", [["John", "Baker", "john@example.com", "", "", "", ""],
                                 ["Johnny", "Baker", "jb@example.com", "", "", "", ""]])
    ids = customers_of(ws)
    john, johnny = ids[("a.csv", 1)], ids[("a.csv", 2)]
    assert john != johnny
    set_customer_notes(ws, john, "Prefers email.")
    set_customer_notes(ws, johnny, "VIP — called 3 May")
    mg.pin_value(ws, johnny, "first_name", "Johnny")
    result = mg.merge_customers(ws, [john, johnny])
    first, notes, pins = _user_data_of(ws, result.survivor)
    assert first == "Johnny" and pins == {"first_name": "Johnny"}
    assert notes == "Prefers email.\n\nVIP — called 3 May"
    mg.undo_log(ws, result.log_ids[0])
    assert _user_data_of(ws, john) == ("John", "Prefers email.", {})
    assert _user_data_of(ws, johnny) == ("Johnny", "VIP — called 3 May", {"first_name": "Johnny"})


def test_a_rebuild_from_scratch_keeps_notes_and_pins(ws, tmp_path):
    from omnidesk.core.notes import customer_notes, set_customer_notes

    load(ws, tmp_path, "a.csv", [["Bob", "Miller", "bob@example.com", "", "04101", "", ""]])
    load(ws, tmp_path, "b.csv", [["Robert", "Miller", "bob@example.com", "+12075550142", "04101", "", ""]])
    (cid,) = set(customers_of(ws).values())
    set_customer_notes(ws, cid, "VIP — called 3 May")
    mg.pin_value(ws, cid, "first_name", "Robert")
    with ws.engine.begin() as conn:
        resolve_all(conn, from_scratch=True)
    (new,) = set(customers_of(ws).values())
    assert customer_notes(ws, new) == "VIP — called 3 May"
    assert _user_data_of(ws, new)[0] == "Robert" and _user_data_of(ws, new)[2] == {"first_name": "Robert"}


SHOP_HEADER = ["Customer ID", "First Name", "Last Name", "Email", "Accepts Email Marketing",
               "Default Address City", "Default Address Zip", "Phone", "Total Spent", "Total Orders"]


def _family_export(alice_spent):
    return [["'7100000000101", "Alice", "Johnson", "johnsonfamily@example.com", "yes", "Portland", "'04101", "",
             alice_spent, "3"],
            ["'7100000000102", "Mark", "Johnson", "johnsonfamily@example.com", "no", "Portland", "'04101", "",
             "12.00", "1"]]


def test_a_rejection_outlives_undoing_the_import_and_a_changed_export_of_the_same_people(ws, tmp_path):
    first = import_file(ws, write_csv(tmp_path / "customers_export.csv", SHOP_HEADER, _family_export("120.00")),
                        ImportOptions(channel="shop"))
    (review,) = mg.list_reviews(ws)
    mg.reject_review(ws, review.id)
    undo_batch(ws, first.batch_id)
    # Next month's export: Alice bought more, so her row (and its hash) changed; the ids did not.
    import_file(ws, write_csv(tmp_path / "customers_export_december.csv", SHOP_HEADER, _family_export("180.00")),
                ImportOptions(channel="shop"))
    assert mg.list_reviews(ws) == []
    assert count(ws, Customer) == 2
    with ws.engine.begin() as conn:
        resolve_all(conn, from_scratch=True)
    assert mg.list_reviews(ws) == [] and count(ws, Customer) == 2


def test_merging_a_rejected_pair_by_hand_forgets_the_rejection_by_customer_id_too(ws, tmp_path):
    import_file(ws, write_csv(tmp_path / "customers_export.csv", SHOP_HEADER, _family_export("120.00")),
                ImportOptions(channel="shop"))
    (review,) = mg.list_reviews(ws)
    mg.reject_review(ws, review.id)
    mg.merge_customers(ws, [review.left_id, review.right_id])  # the user changed their mind
    with ws.engine.begin() as conn:
        resolve_all(conn, from_scratch=True)
    assert count(ws, Customer) == 1


def test_confidence_words_read_scores_against_the_thresholds():
    from omnidesk.core.identity.scoring import Model, confidence_words, score_hint

    model = Model(auto_threshold=14.0, review_threshold=7.0)
    assert confidence_words(16.3, model) == "very likely"
    assert confidence_words(14.0, model) == "very likely"
    assert confidence_words(10.5, model) == "likely"
    assert confidence_words(7.0, model) == "possibly"
    assert confidence_words(3.0, model) == "unlikely"
    assert score_hint(10.0) == "10.0 bits of evidence: the agreements weigh about 1,024 to 1 for one person"
    assert score_hint(2.0) == "2.0 bits of evidence"


@pytest.mark.parametrize("indexed", [True, False])
def test_search_finds_a_cjk_name_typed_without_its_space(ws, tmp_path, monkeypatch, indexed):
    """姓 山田, 名 太郎 shows as "山田 太郎", but Japanese (and Chinese, Korean) write a full name with
    no space: "山田太郎" must find them, as must either part alone."""
    from omnidesk.core import customers

    load(ws, tmp_path, "a.csv", [["太郎", "山田", "taro@example.jp", "", "", "", ""],
                                 ["民俊", "金", "kim@example.kr", "", "", "", ""],
                                 ["花子", "山田", "hanako@example.jp", "", "", "", ""]])
    if not indexed:
        monkeypatch.setattr(customers, "has_customer_search", lambda conn: False)  # as on PostgreSQL
    taro = list(customers.customer_ids(ws, search="山田 太郎"))
    assert len(taro) == 1
    assert list(customers.customer_ids(ws, search="山田太郎")) == taro
    assert list(customers.customer_ids(ws, search="田太郎")) == taro
    assert len(customers.customer_ids(ws, search="金民俊")) == 1
    assert len(customers.customer_ids(ws, search="山田")) == 2
    assert list(customers.customer_ids(ws, search="山田次郎")) == []


def test_namesakes_on_a_familys_mailbox_are_asked_about_saying_the_mailbox_is_shared(tmp_path):
    # In the demo shop Søren and Aaron Harris share the family's mailbox; the email list's Aaron
    # (with his mobile) and the till's loyalty member Aaron (the mailbox and a birthday) wait in
    # Review on their name.  They share the mailbox, so it is not "nothing but the name": the
    # reasons say the address is others' too, and the pair is still at most "possibly".
    from omnidesk.core.demo import build_demo
    from omnidesk.core.identity.scoring import Model, pair_confidence

    path = tmp_path / "demo.omnidesk"
    build_demo(path, customers=150)
    with Workspace.open(path) as ws:
        with ws.engine.connect() as conn:
            aarons = set(conn.execute(select(Customer.id).where(Customer.display_name == "Aaron Harris")).scalars())
        [review] = [r for r in mg.list_reviews(ws) if {r.left_id, r.right_id} == aarons]
    assert "on an email or phone others share too" in review.reasons
    assert "nothing but the name to go on" not in review.reasons and "same email" in review.reasons
    assert review.names_only and review.for_one_by_one  # never accepted in bulk
    words = pair_confidence(review.score, review.reasons, Model())
    assert words.words == "possibly" and "an email or phone that others share too" in words.hint
