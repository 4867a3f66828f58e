"""The card says why a customer's records are one person, and merges keep their reason."""

from __future__ import annotations

import json

import pytest

from omnidesk.core.identity.merge import accept_review, list_reviews, merge_customers, undo_log
from omnidesk.core.identity.why import AUTO_BEFORE, in_words, why_one_person
from omnidesk.core.importing.pipeline import ImportOptions, import_file
from tests.helpers import write_csv


def _bridge(ws, tmp_path):
    """The list knows Ann by email, the till by phone; the shop export has both and bridges them."""
    import_file(ws, write_csv(tmp_path / "newsletter.csv", ["Email", "First Name", "Last Name"],
                              [["ann.okonkwo@example.com", "Ann", "Okonkwo"]]), ImportOptions(channel="email"))
    import_file(ws, write_csv(tmp_path / "till.csv", ["Phone", "First Name", "Last Name"],
                              [["(415) 555-0111", "Ann", "Okonkwo"]]), ImportOptions(channel="pos"))
    assert ws.counts()["customers"] == 2
    import_file(ws, write_csv(tmp_path / "shop.csv", ["Email", "Phone", "First Name", "Last Name"],
                              [["ann.okonkwo@example.com", "415-555-0111", "Ann", "Okonkwo"]]),
                ImportOptions(channel="shop"))
    assert ws.counts()["customers"] == 1
    with ws.engine.connect() as conn:
        return conn.exec_driver_sql("SELECT id FROM customer").scalar()


def _log(ws):
    with ws.engine.connect() as conn:
        return conn.exec_driver_sql("SELECT id, kind, reason FROM merge_log ORDER BY id").fetchall()


def test_an_automatic_merge_keeps_its_reason_and_the_card_names_every_record(ws, tmp_path):
    cid = _bridge(ws, tmp_path)
    (log_id, kind, reason), = _log(ws)
    assert kind == "auto"
    kept = json.loads(reason)
    assert len(kept["records"]) == 2 and "same phone" in kept["reasons"]
    why = why_one_person(ws, cid)
    assert why.records == 3 and len(why.links) == 2
    lines = [link.sentence() for link in why.links]
    text = "\n".join(lines)
    for name in ("Email · newsletter.csv row 1", "Till · till.csv row 1", "Shop · shop.csv row 1"):
        assert name in text
    auto = next(link for link in why.links if link.how == "auto")
    assert auto.why() == "same phone and same name"
    match = next(link for link in why.links if link.how == "match")
    assert match.why() == "same email and same name"
    assert match.which() == "Email · newsletter.csv row 1 and Shop · shop.csv row 1"


def test_a_merge_made_before_reasons_were_kept_says_so(ws, tmp_path):
    cid = _bridge(ws, tmp_path)
    with ws.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE merge_log SET reason = NULL")
    lines = [link.sentence() for link in why_one_person(ws, cid).links]
    assert any(AUTO_BEFORE in line for line in lines)


def test_merges_the_user_made_say_who_decided_and_undo_still_works(ws, tmp_path):
    header = ["Email", "First Name", "Last Name"]
    import_file(ws, write_csv(tmp_path / "a.csv", header, [["ann@example.com", "Ann", "Lee"],
                                                            ["bo@example.com", "Bo", "Chen"],
                                                            ["cy@example.com", "Cy", "Ward"]]))
    with ws.engine.connect() as conn:
        ann, bo, cy = conn.exec_driver_sql("SELECT id FROM customer ORDER BY id").scalars()
    merged = merge_customers(ws, [ann, bo])
    (_, kind, reason), = _log(ws)
    assert (kind, reason) == ("manual", None)
    assert any("merged by you" in link.sentence() for link in why_one_person(ws, ann).links)
    undo_log(ws, merged.log_ids[0])
    assert why_one_person(ws, ann).links == []
    assert ws.counts()["customers"] == 3


def test_a_pair_accepted_in_review_keeps_the_evidence_the_user_saw(ws, tmp_path):
    # Different last names on one shared phone: never merged by itself, asked about in Review.
    import_file(ws, write_csv(tmp_path / "till.csv", ["Phone", "First Name", "Last Name"],
                              [["+1 415 555 0101", "Ann", "Brown"]]), ImportOptions(channel="pos"))
    import_file(ws, write_csv(tmp_path / "shop.csv", ["Phone", "First Name", "Last Name"],
                              [["+1 415 555 0101", "Ann", "Green"]]), ImportOptions(channel="shop"))
    (item,) = list_reviews(ws)
    result = accept_review(ws, item.id)
    (_, kind, reason), = _log(ws)
    assert kind == "review" and "same phone" in json.loads(reason)["reasons"]
    (link,) = why_one_person(ws, result.survivor).links
    assert link.how == "review"
    assert link.why().startswith("merged by you in Review: same phone")
    assert "Till · till.csv row 1" in link.sentence() and "Shop · shop.csv row 1" in link.sentence()


def test_rows_seen_again_are_named_as_such(ws, tmp_path):
    header = ["Email", "First Name", "Last Name"]
    import_file(ws, write_csv(tmp_path / "march.csv", header, [["ann@example.com", "Ann", "Lee"]]),
                ImportOptions(channel="email"))
    import_file(ws, write_csv(tmp_path / "june.csv", header, [["ann@example.com", "Ann", "Lee"],
                                                               ["bo@example.com", "Bo", "Chen"]]),
                ImportOptions(channel="email"))
    with ws.engine.connect() as conn:
        ann = conn.exec_driver_sql("SELECT id FROM customer WHERE email = 'ann@example.com'").scalar()
    (link,) = why_one_person(ws, ann).links
    assert link.sentence() == "the same row, in a later file — Email · june.csv row 1 repeats Email · march.csv row 1"


def test_reasons_read_as_one_phrase():
    assert in_words(["same email", "same first name", "same last name", "same postcode"]) == \
        "same email, same name and same postcode"
    assert in_words(["same phone"]) == "same phone"
    assert in_words(["same phone", "but different last names"]) == "same phone"


def test_the_command_line_says_why(ws, tmp_path, capsys):
    import time_machine

    from tests.helpers import run_cli

    with time_machine.travel("2026-06-01T02:00:00+00:00", tick=False):
        cid = _bridge(ws, tmp_path)
    ws.set_setting("timezone", "America/New_York")  # where it was still the evening before
    path = str(ws.path)
    ws.close()
    status, out, _ = run_cli(capsys, "customer", "why", str(cid), "-w", path)
    assert status == 0
    lines = out.splitlines()
    assert lines[0] == f"Customer {cid}: why these 3 records are one person"
    assert "- same phone and same name — Shop · shop.csv row 1 and Till · till.csv row 1 (2026-05-31)" in lines
    assert "- same email and same name — Email · newsletter.csv row 1 and Shop · shop.csv row 1" in lines
    status, out, _ = run_cli(capsys, "customer", "why", "ann.okonkwo@example.com", "-w", path, "--json")
    data = json.loads(out)
    assert data["records"] == 3 and [link["how"] for link in data["links"]] == ["match", "auto"]
    assert data["links"][1]["merged_at"] == "2026-06-01T02:00:00+00:00"
    assert data["links"][1]["merged_on"] == "2026-05-31"


@pytest.mark.parametrize("erased", ["the pair's", "another"])
def test_erasing_a_person_takes_their_record_out_of_a_kept_reason(ws, tmp_path, erased):
    from omnidesk.core.identity.merge import unmerge_record
    from omnidesk.core.rights import erase_person

    till = ["Phone", "First Name", "Last Name", "Note"]
    import_file(ws, write_csv(tmp_path / "newsletter.csv", ["Email", "First Name", "Last Name"],
                              [["ann.okonkwo@example.com", "Ann", "Okonkwo"]]), ImportOptions(channel="email"))
    import_file(ws, write_csv(tmp_path / "till-1.csv", till, [["(415) 555-0111", "Ann", "Okonkwo", "a"]]),
                ImportOptions(channel="pos"))
    import_file(ws, write_csv(tmp_path / "till-2.csv", till, [["(415) 555-0111", "Ann", "Okonkwo", "b"]]),
                ImportOptions(channel="pos"))
    import_file(ws, write_csv(tmp_path / "shop.csv", ["Email", "Phone", "First Name", "Last Name"],
                              [["ann.okonkwo@example.com", "415-555-0111", "Ann", "Okonkwo"]]),
                ImportOptions(channel="shop"))
    (_, _, reason), = _log(ws)
    pair = json.loads(reason)["records"]
    till_record = pair[1]
    other_till = ({2, 3} - {till_record}).pop()
    # One till row was someone else after all: split off, then erased at their request.
    _, stranger, _ = unmerge_record(ws, till_record if erased == "the pair's" else other_till)
    erase_person(ws, stranger)
    (_, _, reason), = _log(ws)  # the merge still moved the other till row: kept, scrubbed
    if erased == "the pair's":
        assert reason is None  # it named the erased person's record (and may quote their name)
    else:
        assert json.loads(reason)["records"] == pair


def test_a_chain_of_merges_names_what_each_one_joined(ws, tmp_path):
    header = ["Email", "First Name", "Last Name"]
    import_file(ws, write_csv(tmp_path / "a.csv", header, [["ann@example.com", "Ann", "Lee"],
                                                            ["bo@example.com", "Bo", "Chen"],
                                                            ["cy@example.com", "Cy", "Ward"]]))
    with ws.engine.connect() as conn:
        ann, bo, cy = conn.exec_driver_sql("SELECT id FROM customer ORDER BY id").scalars()
    merge_customers(ws, [bo, cy])  # Cy's record joins Bo
    merge_customers(ws, [ann, bo])  # then Bo, with Cy's record, joins Ann
    links = why_one_person(ws, ann).links
    assert [(link.how, link.which()) for link in links] == [
        ("you", "Other · a.csv row 3 with Other · a.csv row 2"),
        ("you", "Other · a.csv row 2 (and 1 more) with Other · a.csv row 1"),
    ]


def test_a_big_merge_is_explained_by_the_records_that_share_an_identifier():
    from omnidesk.core.identity.scoring import Frequencies, Model, Profile
    from omnidesk.core.identity.why import SIDE, merge_reason

    def person(rid, first, last, email=()):
        return Profile(rid, "", None, "contacts", "email", first, last, tuple(email), (), (), "", "", "", None)

    left = [person(i, "ann", "lee") for i in range(1, 3 * SIDE)] + [person(100, "ann", "lee", ["ann@example.com"])]
    right = [person(200 + i, "ann", "lee") for i in range(3 * SIDE)] + [person(300, "ann", "lee", ["ann@example.com"])]
    kept = json.loads(merge_reason(left, right, freq=Frequencies(), model=Model()))
    assert kept["records"] == [100, 300] and "same email" in kept["reasons"]
    assert merge_reason(left, [], freq=Frequencies(), model=Model()) is None


def test_what_the_user_typed_in_is_said_to_be_theirs(ws, tmp_path):
    from omnidesk.core import edits

    cid = _bridge(ws, tmp_path)
    edits.set_value(ws, cid, "city", "Leeds")
    links = why_one_person(ws, cid).links
    assert why_one_person(ws, cid).records == 4
    assert links[-1].sentence() == "entered by you on this card — your own entries"


def test_records_matched_to_one_for_the_same_reasons_are_one_line(ws, tmp_path):
    import_file(ws, write_csv(tmp_path / "customers.csv", ["Email", "First Name", "Last Name"],
                              [["ann@example.com", "Ann", "Lee"]]), ImportOptions(channel="shop"))
    orders = [[f"#{1000 + i}", "ann@example.com", "Ann", "Lee", "10.00", f"2026-03-{i + 1:02d}"] for i in range(8)]
    import_file(ws, write_csv(tmp_path / "orders.csv", ["Order ID", "Email", "First Name", "Last Name", "Total", "Date"],
                              orders), ImportOptions(channel="shop", kind="events"))
    with ws.engine.connect() as conn:
        (cid,) = conn.exec_driver_sql("SELECT id FROM customer").scalars()
    (link,) = why_one_person(ws, cid).links
    assert link.sentence() == ("same email and same name — Shop · customers.csv row 1 and "
                               "Shop · orders.csv rows 1, 2, 3, 4, 5 and 3 more")


def test_further_lines_of_orders_are_one_line(ws, tmp_path):
    from tests.core.test_money import SHOP_ANN, order, shopify_customers, shopify_orders

    items = [(1, "Sencha", "10.00"), (2, "Mug", "15.00"), (1, "Tin", "5.00")]
    import_file(ws, shopify_customers(tmp_path / "customers_export.csv", [SHOP_ANN]))
    import_file(ws, shopify_orders(tmp_path / "orders_export.csv",
                                   [order("#1001", "ann@example.com", "45.00", items=items),
                                    order("#1002", "ann@example.com", "30.00", items=items[:2])]))
    with ws.engine.connect() as conn:
        (cid,) = conn.exec_driver_sql("SELECT id FROM customer").scalars()
    (orders,) = [link for link in why_one_person(ws, cid).links if link.how == "order"]
    assert orders.count == 3
    assert orders.sentence() == "further lines of orders above — Shop · orders_export.csv rows 2, 3 and 5"


def test_what_ties_channels_together_comes_first(ws, tmp_path):
    header = ["Order ID", "Email", "First Name", "Last Name", "Total", "Date"]
    import_file(ws, write_csv(tmp_path / "customers.csv", ["Email", "First Name", "Last Name"],
                              [["ann@example.com", "Ann", "Lee"]]), ImportOptions(channel="shop"))
    import_file(ws, write_csv(tmp_path / "orders.csv", header,
                              [["#1", "ann@example.com", "Ann", "Lee", "5.00", "2026-03-01"],
                               ["#2", "ann@example.com", "Ann", "Lee", "5.00", "2026-03-02"]]),
                ImportOptions(channel="shop", kind="events"))
    import_file(ws, write_csv(tmp_path / "newsletter.csv", ["Email"], [["ann@example.com"]]),
                ImportOptions(channel="email"))
    with ws.engine.connect() as conn:
        (cid,) = conn.exec_driver_sql("SELECT id FROM customer").scalars()
    links = why_one_person(ws, cid).links
    assert [link.which() for link in links] == [
        "Shop · customers.csv row 1 and Email · newsletter.csv row 1",
        "Shop · customers.csv row 1 and Shop · orders.csv rows 1 and 2",
    ]


def _split_cli(ws, tmp_path, capsys, *, bea: bool):
    """Ann Okonkwo bridged by the shop (:func:`_bridge`), the zone set, the path to run the command
    line on, and, with ``bea``, Bea Okonkwo of the same mailbox merged in by hand (Review asks about her)."""
    import time_machine

    from tests.helpers import run_cli

    with time_machine.travel("2026-06-01T02:00:00+00:00", tick=False):
        cid = _bridge(ws, tmp_path)
        if bea:
            import_file(ws, write_csv(tmp_path / "family.csv", ["Email", "First Name", "Last Name"],
                                      [["ann.okonkwo@example.com", "Bea", "Okonkwo"]]), ImportOptions(channel="email"))
    ws.set_setting("timezone", "America/New_York")  # where it was still the evening before
    path = str(ws.path)
    with ws.engine.connect() as conn:
        rid = conn.exec_driver_sql("SELECT r.id FROM source_record r JOIN import_batch b ON b.id = r.batch_id "
                                   "WHERE b.file_name = ?", ("family.csv" if bea else "shop.csv",)).scalar()
        other = conn.exec_driver_sql("SELECT customer_id FROM source_record WHERE id = ?", (rid,)).scalar()
    ws.close()

    def why() -> list[str]:
        status, out, _ = run_cli(capsys, "customer", "why", str(cid), "-w", path)
        assert status == 0
        return out.splitlines()

    before = why()
    with time_machine.travel("2026-06-03T02:00:00+00:00", tick=False):
        if bea:
            assert run_cli(capsys, "merge", str(cid), str(other), "-w", path)[0] == 0
        assert run_cli(capsys, "unmerge", str(rid), "-w", path)[0] == 0
    return cid, path, before, why


def test_records_a_split_left_together_are_explained_by_their_own_evidence(ws, tmp_path, capsys):
    """Bea merged in by hand, then split off again: the shop, the list and the till joined Ann's
    records by themselves, and say so; the user never merged them."""
    cid, path, before, why = _split_cli(ws, tmp_path, capsys, bea=True)
    after = why()
    assert after == before
    assert not any("merged by you" in line or "kept together" in line for line in after)


def test_records_a_split_left_together_without_evidence_say_the_split_kept_them(ws, tmp_path, capsys):
    """The shop's row bridged the list's Ann and the till's: split off, it leaves them together, and
    the card says that split did it, not a merge of the user's; undoing the split takes the tie away."""
    from omnidesk.core.workspace import Workspace

    cid, path, _before, why = _split_cli(ws, tmp_path, capsys, bea=False)
    lines = why()
    assert lines[0] == f"Customer {cid}: why these 2 records are one person"
    assert lines[1:] == ["- kept together when Shop · shop.csv row 1 was split off — "
                         "Till · till.csv row 1 with Email · newsletter.csv row 1 (2026-06-02)"]
    with Workspace.open(path) as again:
        with again.engine.connect() as conn:
            split = conn.exec_driver_sql("SELECT id FROM merge_log WHERE kind = 'unmerge'").scalar()
        undo_log(again, split)
        with again.engine.connect() as conn:
            assert conn.exec_driver_sql("SELECT count(*) FROM match_decision WHERE kind = 'merge'").scalar() == 0
        assert not any(link.how == "kept" for link in why_one_person(again, cid).links)
