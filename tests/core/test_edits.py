"""What the user enters by hand (edits.py): typed values, tags, custom fields, consent, new customers.

Each is checked against real imports into a real workspace: the value shown, where the card
says it came from, what a later import does to it, and that a rebuild from scratch and a
split keep it with its person.
"""

from __future__ import annotations

import json
import shutil

import pytest
import time_machine

from omnidesk.core import edits
from omnidesk.core.errors import UserError
from omnidesk.core.identity.find import find_duplicates
from omnidesk.core.tasks import run_to_completion
from omnidesk.core.identity.merge import merge_customers, undo_log, unmerge_record
from omnidesk.core.importing.batches import list_batches, undo_batch
from omnidesk.core.importing.custom_fields import customer_fields
from omnidesk.core.importing.pipeline import ImportOptions, import_file
from omnidesk.core.journal import JournaledWorkspace, revert
from omnidesk.core.profile import consent_facts, customer_profile, source_rows, value_sources
from omnidesk.core import segments
from omnidesk.core.segments import count
from omnidesk.core.timeline import timeline
from omnidesk.core.workspace import Workspace
from tests.helpers import write_csv

SHOP = ["First Name", "Last Name", "Email", "Phone", "City", "Zip", "Country", "Tags", "Accepts Email Marketing",
        "Loyalty points"]


def _import(ws, tmp_path, name, header, rows, channel="shop"):
    return import_file(ws, write_csv(tmp_path / name, header, rows), ImportOptions(channel=channel))


@pytest.fixture(scope="module")
def shop_template(tmp_path_factory, empty_workspace_file):
    """The shop ``shop`` copies, imported once for the module."""
    folder = tmp_path_factory.mktemp("shop")
    shutil.copyfile(empty_workspace_file, folder / "shop.omnidesk")
    with Workspace.open(folder / "shop.omnidesk") as ws:
        # Imported the day before the edits the tests make (they set their own "now"): a file's
        # consent without a time of its own is dated by its import, so the day must be fixed too.
        with time_machine.travel("2026-12-01 08:00:00Z", tick=False):
            _import(ws, folder, "customers.csv", SHOP, [
                ["Ann", "Lee", "ann@example.com", "(202) 555-0101", "Portland", "04101", "US", "VIP, local", "yes",
                 "120"],
                ["Bob", "Stone", "bob@example.com", "", "Bangor", "04401", "US", "", "no", "15"],
                ["Cy", "Park", "cy@example.com", "", "Boston", "02118", "US", "VIP", "yes", "7"],
            ])
        ws.set_setting("timezone", "America/New_York")  # the card tells a day on the shop's clock
    return folder


@pytest.fixture
def shop(make_workspace, shop_template, tmp_path):
    """The test's own copy of the shop, beside the file it was imported from."""
    shutil.copyfile(shop_template / "customers.csv", tmp_path / "customers.csv")
    return make_workspace(template=shop_template / "shop.omnidesk")


def _id(ws, email):
    with ws.engine.connect() as conn:
        return conn.exec_driver_sql("SELECT id FROM customer WHERE email = ?", (email,)).scalar()


def _row(ws, cid, *cols):
    with ws.engine.connect() as conn:
        return conn.exec_driver_sql(f"SELECT {', '.join(cols)} FROM customer WHERE id = ?", (cid,)).first()


def _dump(ws):
    """Every user table, as rows, for comparing before and after an undo."""
    out = {}
    with ws.engine.connect() as conn:
        for table in ("customer", "source_record", "identifier", "consent", "custom_field", "import_batch"):
            out[table] = sorted(conn.exec_driver_sql(f"SELECT * FROM {table}").fetchall(), key=repr)
    return out


@time_machine.travel("2026-12-02 10:00:00Z", tick=False)
def test_a_typed_value_wins_says_who_and_when_and_survives_the_next_import(shop, tmp_path):
    ann = _id(shop, "ann@example.com")
    edit = edits.set_value(shop, ann, "city", "South Portland")
    assert edit.words == "set city to South Portland"
    assert _row(shop, ann, "city", "postcode")[:] == ("South Portland", "04101")  # the rest of the address stays
    source = value_sources(shop, ann)["city"]
    assert source.describe() == "entered by you on 2026-12-02"
    # The same file again, and one saying another city: the typed value stays.
    _import(shop, tmp_path, "again.csv", SHOP, [["Ann", "Lee", "ann@example.com", "", "Augusta", "04330", "US",
                                                  "", "yes", "120"]])
    assert _row(shop, ann, "city")[0] == "South Portland"
    # Her channels are the shop's alone: what was typed in is not a channel she was met on.
    assert _row(shop, ann, "channels")[0] == "shop"
    # The Imports list does not show the hand entries as an import.
    assert all(b["kind"] != "manual" for b in list_batches(shop))
    assert shop.counts()["imports"] == 2


def test_a_first_or_last_name_typed_in_keeps_the_rest_of_the_whole_name(ws, tmp_path):
    _import(ws, tmp_path, "people.csv", ["Name", "Email"], [
        ["Anna Maria Lopez", "anna@example.com"], ["山田 太郎", "taro@example.jp"], ["Maria Lopez", "ml@example.com"]])
    anna, taro, maria = _id(ws, "anna@example.com"), _id(ws, "taro@example.jp"), _id(ws, "ml@example.com")
    assert _row(ws, anna, "full_name", "first_name", "last_name")[:] == ("Anna Maria Lopez", "Anna", "Lopez")
    edits.set_value(ws, anna, "first_name", "Ana")
    assert _row(ws, anna, "full_name", "display_name")[:] == ("Ana Maria Lopez", "Ana Maria Lopez")
    edits.set_value(ws, anna, "last_name", "López-Ruiz")  # both now typed in: the middle name stays too
    assert _row(ws, anna, "full_name")[0] == "Ana Maria López-Ruiz"
    edits.set_value(ws, taro, "last_name", "佐藤")  # family name first, as written
    assert _row(ws, taro, "full_name")[0] == "佐藤 太郎"
    edits.set_value(ws, maria, "first_name", "Mary")
    assert _row(ws, maria, "full_name")[0] == "Mary Lopez"
    # Cleared: nothing to put in its place, so the name is what is left, joined.
    edits.set_value(ws, maria, "first_name", "")
    assert _row(ws, maria, "full_name")[0] == "Lopez"


def test_a_typed_email_is_checked_and_found_by_the_next_import(shop, tmp_path):
    bob = _id(shop, "bob@example.com")
    with pytest.raises(UserError, match="cannot be read as the email: not a valid email"):
        edits.set_value(shop, bob, "email", "bob at example")
    edits.set_value(shop, bob, "email", " Bob.Stone@Example.COM ")
    assert _row(shop, bob, "email")[0] == "bob.stone@example.com"
    # A newsletter export with only the new address joins Bob, not a new customer.
    _import(shop, tmp_path, "list.csv", ["Email", "First Name"], [["bob.stone@example.com", "Bob"]],
            channel="email")
    assert _row(shop, bob, "channels")[0] == "email shop"
    assert shop.counts()["customers"] == 3


def test_clearing_a_value_pins_it_empty(shop):
    ann = _id(shop, "ann@example.com")
    edits.set_value(shop, ann, "phone", "")
    assert _row(shop, ann, "phone")[0] is None
    assert count(shop, {"field": "phone", "op": "exists"}) == 0


def test_unknown_field_and_customer_are_refused_with_nothing_changed(shop):
    before = _dump(shop)
    with pytest.raises(UserError, match="'shoe_size' is not a field"):
        edits.set_value(shop, _id(shop, "ann@example.com"), "shoe_size", "9")
    with pytest.raises(UserError, match="There is no customer 999"):
        edits.set_value(shop, 999, "city", "Paris")
    with pytest.raises(UserError, match="There is no customer 999"):
        edits.add_tags(shop, [999], ["VIP"])
    assert _dump(shop) == before


def test_tags_added_and_taken_off_by_hand_and_a_file_does_not_bring_them_back(shop, tmp_path):
    ann, bob, cy = (_id(shop, e) for e in ("ann@example.com", "bob@example.com", "cy@example.com"))
    edit = edits.add_tags(shop, [ann, bob], ["Newsletter", "vip"])
    assert edit.words == "add tags Newsletter, VIP to 2 customers"
    assert _row(shop, ann, "tags")[0] == "VIP, local, Newsletter"  # "vip" is Ann's "VIP" already
    assert _row(shop, bob, "tags")[0] == "Newsletter, VIP"  # as the workspace spells it
    assert count(shop, {"field": "tag", "op": "is", "value": "vip"}) == 3
    edits.remove_tags(shop, [ann, cy], ["VIP"])
    assert _row(shop, ann, "tags")[0] == "local, Newsletter"
    assert _row(shop, cy, "tags")[0] == ""
    # The shop's export still says VIP: the tag taken off by hand stays off.
    _import(shop, tmp_path, "again.csv", SHOP, [["Cy", "Park", "cy@example.com", "", "Boston", "02118", "US", "VIP",
                                                  "yes", "7"]])
    assert _row(shop, cy, "tags")[0] == ""
    edits.add_tags(shop, [cy], ["VIP"])
    assert _row(shop, cy, "tags")[0] == "VIP"
    assert edits.all_tags(shop) == [("Newsletter", 2), ("VIP", 2), ("local", 1)]


@pytest.mark.parametrize("bad, message", [("", "cannot be empty"), ("a,b", "has a comma"), ("x" * 101, "longer")])
def test_bad_tags_are_refused(shop, bad, message):
    with pytest.raises(UserError, match=message):
        edits.add_tags(shop, [_id(shop, "ann@example.com")], [bad])


@time_machine.travel("2026-12-02 10:00:00Z", tick=False)
def test_consent_by_hand_is_dated_noted_on_the_card_and_timeline_and_decided_by_the_one_rule(shop):
    ann = _id(shop, "ann@example.com")
    assert _row(shop, ann, "consent_email")[0] == "granted"
    edit = edits.record_consent(shop, ann, "Email", "denied", "asked by phone to stop emails")
    assert (edit.channel, edit.in_force) == ("email", "denied")
    assert _row(shop, ann, "consent_email")[0] == "denied"
    fact = consent_facts(shop, ann)["email"]
    assert fact.describe() == "denied on 2026-12-02, entered by you: asked by phone to stop emails"
    lines = [e.summary for e in timeline(shop, ann) if e.kind == "consent"]
    assert "Email consent: denied — asked by phone to stop emails" in lines
    assert count(shop, {"field": "consent.email", "op": "is", "value": "granted"}) == 1  # only Cy now


def test_a_yes_typed_in_on_the_day_of_an_opt_out_does_not_lift_it(ws, tmp_path):
    with time_machine.travel("2026-12-02 09:00:00Z", tick=False):
        _import(ws, tmp_path, "members.csv", ["Email", "First Name", "Email consent", "Consent date"],
                [["dee@example.com", "Dee", "unsubscribed", "2026-12-02 08:00"]], channel="email")
    dee = _id(ws, "dee@example.com")
    with time_machine.travel("2026-12-02 11:00:00Z", tick=False):
        edit = edits.record_consent(ws, dee, "email", "granted", "said yes at the till")
    assert edit.in_force == "unsubscribed"
    # The timeline tells the same story as the card: the opt-out, then the yes that did not lift it.
    lines = [e.summary for e in timeline(ws, dee) if e.kind == "consent"]
    assert lines[-2].startswith("Email consent: unsubscribed")
    assert lines[-1] == ("Email consent: granted — said yes at the till "
                         "(not in force: on the same day the stricter answer wins)")
    with time_machine.travel("2026-12-03 11:00:00Z", tick=False):
        assert edits.record_consent(ws, dee, "email", "granted", "asked again").in_force == "granted"
    lines = [e.summary for e in timeline(ws, dee) if e.kind == "consent"]
    assert lines[-1] == "Email consent: granted — asked again"


@time_machine.travel("2026-12-02 10:00:00Z", tick=False)
def test_denied_then_granted_by_hand_on_one_day_shows_both_and_which_holds(shop):
    """The reported case: "denied" then "granted" typed in on one day. The card says denied;
    the timeline shows both, with the note of each, and says the later yes is not in force."""
    ann = _id(shop, "ann@example.com")
    edits.record_consent(shop, ann, "email", "denied", "asked to stop")
    with time_machine.travel("2026-12-02 10:05:00Z", tick=False):
        assert edits.record_consent(shop, ann, "email", "granted", "changed mind").in_force == "denied"
    lines = [e.summary for e in timeline(shop, ann) if e.kind == "consent" and e.occurred_at]
    assert lines[-2:] == ["Email consent: denied — asked to stop",
                          "Email consent: granted — changed mind (not in force: on the same day the stricter answer wins)"]


def test_consent_refusals(shop):
    ann = _id(shop, "ann@example.com")
    with pytest.raises(UserError, match="'Till' has no consent"):
        edits.record_consent(shop, ann, "Till", "granted")
    with pytest.raises(UserError, match="'maybe' is not a consent"):
        edits.record_consent(shop, ann, "sms", "maybe")


def test_custom_fields_typed_in_keep_their_type_and_come_first(shop):
    ann = _id(shop, "ann@example.com")
    with pytest.raises(UserError, match="'lots' is not a number; Loyalty points holds numbers"):
        edits.set_custom_field(shop, ann, "loyalty POINTS", "lots")
    edits.set_custom_field(shop, ann, "loyalty points", "250")
    edits.set_custom_field(shop, ann, "Shopping for", "gifts")
    with shop.engine.connect() as conn:
        fields = {f.name: (f.value, f.number, f.channel) for f in customer_fields(conn, ann)}
    assert fields["Loyalty points"] == ("250", 250.0, "manual")
    assert fields["Shopping for"] == ("gifts", None, "manual")
    assert count(shop, {"field": "custom.Loyalty points", "op": "gt", "value": 200}) == 1


def test_a_rule_on_a_custom_field_reads_the_value_the_card_shows(shop, tmp_path):
    """A value typed in, or cleared, replaces the files' for segments too; so does a later import's."""
    from omnidesk.core.customers import custom_values

    ann, bob, cy = (_id(shop, f"{n}@example.com") for n in ("ann", "bob", "cy"))
    edits.set_custom_field(shop, ann, "Loyalty points", "3")  # the file said 120
    edits.set_custom_field(shop, bob, "Loyalty points", "")  # the file said 15: cleared
    # A newer export (after the hand entries) says 900 for Cy (the first file's 7 is history) and
    # 500 for Ann, whose typed 3 still wins.
    _import(shop, tmp_path, "newer.csv", SHOP, [
        ["Cy", "Park", "cy@example.com", "", "Boston", "02118", "US", "VIP", "yes", "900"],
        ["Ann", "Lee", "ann@example.com", "", "Portland", "04101", "US", "", "yes", "500"]])
    with shop.engine.connect() as conn:
        shown = {cid: {f.name: f.value for f in customer_fields(conn, cid)}.get("Loyalty points", "")
                 for cid in (ann, bob, cy)}
    assert shown == {ann: "3", bob: "", cy: "900"}
    assert custom_values(shop, [ann, bob, cy], ["Loyalty points"]) == {
        ann: {"Loyalty points": "3"}, bob: {"Loyalty points": ""}, cy: {"Loyalty points": "900"}}

    def members(op, value=None):
        rule = {"field": "custom.Loyalty points", "op": op, **({} if value is None else {"value": value})}
        with shop.engine.connect() as conn:
            ids = {r[0] for r in conn.execute(segments.members_query(conn, rule))}
        assert count(shop, rule) == len(ids)
        return ids

    assert members("gt", 100) == {cy}
    assert members("lt", 10) == {ann}
    assert members("is", 120) == set()
    assert members("is", 7) == set()
    assert members("is_not", 3) == {bob, cy}
    assert members("in", [3, 15, 900]) == {ann, cy}
    assert members("between", [1, 20]) == {ann}
    assert members("contains", "1") == set()
    assert members("exists") == {ann, cy}
    assert members("not_exists") == {bob}


@time_machine.travel("2026-12-02 10:00:00Z", tick=False)
def test_a_customer_added_by_hand(shop):
    edit = edits.add_customer(shop, {"first_name": "Dee", "last_name": "Fox", "email": "DEE@example.com",
                                     "phone": "202 555 0199", "tags": "walk-in, VIP"})
    dee = edit.created
    assert edit.words == "add customer Dee Fox"
    assert _row(shop, dee, "display_name", "email", "phone", "tags", "channels", "first_seen")[:] == (
        "Dee Fox", "dee@example.com", "+12025550199", "walk-in, VIP", "manual", "2026-12-02T10:00:00")
    assert value_sources(shop, dee)["email"].describe() == "entered by you on 2026-12-02"
    assert [e.summary for e in timeline(shop, dee)] == ["Added by you"]
    assert customer_profile(shop, dee).channels == ["manual"]
    assert count(shop, {"field": "channel", "op": "is", "value": "manual"}) == 1


def test_adding_a_customer_who_is_already_there_or_was_erased_is_refused(shop):
    from omnidesk.core.rights import erase_person

    with pytest.raises(UserError, match="ann@example.com is already the email of customer"):
        edits.add_customer(shop, {"first_name": "Ann", "email": "ann@example.com"})
    with pytest.raises(UserError, match="a name, an email or a phone"):
        edits.add_customer(shop, {"city": "Paris"})
    with pytest.raises(UserError, match="'age' is not a field"):
        edits.add_customer(shop, {"first_name": "X", "age": "3"})
    erase_person(shop, _id(shop, "bob@example.com"))
    with pytest.raises(UserError, match="erased at their request"):
        edits.add_customer(shop, {"first_name": "Bob", "email": "bob@example.com"})
    # Nor does typing the erased person's email on someone else's card bring it back.
    ann = _id(shop, "ann@example.com")
    with pytest.raises(UserError, match="bob@example.com belongs to a person who was erased"):
        edits.set_values(shop, ann, {"city": "Bangor", "email": "Bob@Example.com"})
    assert _row(shop, ann, "email", "city")[:] == ("ann@example.com", "Portland")  # nothing of it written
    with shop.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM identifier WHERE value = 'bob@example.com'").scalar() == 0
    # Nor pinning it (`omnidesk pin`): the pin gave the card the email, and consent found them by it.
    from omnidesk.core.identity.merge import pin_value

    with pytest.raises(UserError, match="bob@example.com belongs to a person who was erased"):
        pin_value(shop, ann, "email", "bob@example.com")
    assert _row(shop, ann, "email")[0] == "ann@example.com"
    pin_value(shop, ann, "email", "ann@example.com")  # a value of their own still pins


def test_hand_entries_stay_with_their_person_through_a_rebuild_a_merge_and_a_split(shop, tmp_path):
    ann, bob = _id(shop, "ann@example.com"), _id(shop, "bob@example.com")
    edits.set_value(shop, ann, "city", "South Portland")
    edits.add_tags(shop, [ann], ["Gold"])
    run_to_completion(find_duplicates(shop, from_scratch=True))  # rebuilds every customer from scratch
    ann = _id(shop, "ann@example.com")
    assert _row(shop, ann, "city", "tags")[:] == ("South Portland", "VIP, local, Gold")
    merged = merge_customers(shop, [ann, bob])
    survivor = merged.survivor
    assert "Gold" in _row(shop, survivor, "tags")[0]
    # Splitting off Ann's shop row: what was entered by hand stays with the customer that remains.
    rows = {r.source_file: r for r in source_rows(shop, survivor)}
    hand = rows["Entered by you"].record_id
    with pytest.raises(UserError, match="entered by hand stays with the customer"):
        unmerge_record(shop, hand)
    with shop.engine.connect() as conn:
        ann_row = conn.exec_driver_sql("SELECT id FROM source_record WHERE email = 'ann@example.com' "
                                       "AND channel = 'shop' ORDER BY id LIMIT 1").scalar()
    left, new, _log = unmerge_record(shop, ann_row)
    with shop.engine.connect() as conn:
        owner = conn.exec_driver_sql("SELECT customer_id, values_json FROM source_record WHERE id = ?",
                                     (hand,)).first()
    assert owner[0] == left
    assert json.loads(owner[1])["follows"] != ann_row
    run_to_completion(find_duplicates(shop, from_scratch=True))
    with shop.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT customer_id IS NOT NULL FROM source_record WHERE id = ?",
                                    (hand,)).scalar() == 1


def _hand_record(ws):
    with ws.engine.connect() as conn:
        return conn.exec_driver_sql("SELECT id, customer_id FROM source_record WHERE channel = 'manual'").one()


TILL = ["First Name", "Last Name", "Email", "Phone", "City"]


@time_machine.travel("2026-12-02 10:00:00Z", tick=False)
def test_a_later_file_sharing_a_typed_landline_leaves_the_hand_entries_with_their_person(shop, tmp_path):
    """Ann asked by phone to stop emails; the shop's landline was typed onto her card.  The till's
    own row for Bob with that number must not take what was entered for Ann over to Bob, nor
    make them one person: her stop, tag and custom field stay hers, and so does the record."""
    ann, bob = _id(shop, "ann@example.com"), _id(shop, "bob@example.com")
    edits.record_consent(shop, ann, "email", "denied", "asked by phone to stop emails")
    edits.add_tags(shop, [ann], ["do-not-disturb"])
    edits.set_custom_field(shop, ann, "Shopping for", "gifts")
    edits.set_value(shop, ann, "phone", "+1 202 555 0111")
    hand, owner = _hand_record(shop)
    assert owner == ann
    with time_machine.travel("2026-12-03 10:00:00Z", tick=False):
        _import(shop, tmp_path, "till.csv", TILL, [["Bob", "Stone", "bob@example.com", "+1 202 555 0111", "Lynn"]],
                channel="pos")

    def check():
        assert _hand_record(shop) == (hand, ann)
        assert shop.counts()["customers"] == 3  # the shared landline made nobody one person
        assert _row(shop, ann, "consent_email", "tags")[:] == ("denied", "VIP, local, do-not-disturb")
        assert "do-not-disturb" not in _row(shop, bob, "tags")[0]
        assert _row(shop, bob, "channels")[0] == "pos shop"  # Bob's till row is Bob's
        assert consent_facts(shop, ann)["email"].describe() == (
            "denied on 2026-12-02, entered by you: asked by phone to stop emails")
        with shop.engine.connect() as conn:
            assert {f.name: f.value for f in customer_fields(conn, ann)}["Shopping for"] == "gifts"
            assert "Shopping for" not in {f.name for f in customer_fields(conn, bob)}
            assert conn.exec_driver_sql("SELECT DISTINCT customer_id FROM consent WHERE record_id = ?",
                                        (hand,)).scalars().all() == [ann]
        # Ann is not among those an email campaign may write to (only Cy is).
        granted = {"field": "consent.email", "op": "is", "value": "granted"}
        with shop.engine.connect() as conn:
            assert {r[0] for r in conn.execute(segments.members_query(conn, granted))} == {_id(shop, "cy@example.com")}

    check()
    run_to_completion(find_duplicates(shop, from_scratch=True))  # a rebuild agrees
    ann, bob = _id(shop, "ann@example.com"), _id(shop, "bob@example.com")
    check()


def test_a_typed_family_email_leaves_the_hand_record_with_its_person_when_its_owner_comes_in(shop, tmp_path):
    """Bob's address typed onto Ann's card (a family may share one), then Bob's own row from the
    till: Ann keeps what was entered for her, and Bob gets his till row only."""
    ann, bob = _id(shop, "ann@example.com"), _id(shop, "bob@example.com")
    edits.set_value(shop, ann, "email", "bob@example.com")
    hand, _owner = _hand_record(shop)
    _import(shop, tmp_path, "till.csv", TILL, [["Bob", "Stone", "bob@example.com", "", "Lynn"]], channel="pos")
    assert _hand_record(shop) == (hand, ann)
    assert _row(shop, ann, "source_count", "email")[:] == (2, "bob@example.com")
    assert _row(shop, bob, "source_count", "channels")[:] == (2, "pos shop")


def test_hand_entries_stay_when_the_record_they_followed_turns_out_to_be_a_family_address(ws, tmp_path):
    """Ann's card began with a list member known by the family address alone; Bob's till row
    with that address takes the list member off her card.  Her tag stays, through a rebuild too."""
    _import(ws, tmp_path, "list.csv", ["Email"], [["fam@example.com"]], channel="email")
    _import(ws, tmp_path, "shop.csv", ["First Name", "Last Name", "Email"], [["Ann", "Lee", "fam@example.com"]])
    with ws.engine.connect() as conn:
        ann = conn.exec_driver_sql("SELECT customer_id FROM source_record WHERE first_name = 'Ann'").scalar()
    edits.add_tags(ws, [ann], ["Gold"])
    hand, _owner = _hand_record(ws)
    _import(ws, tmp_path, "till.csv", ["First Name", "Last Name", "Email"], [["Bob", "Lee", "fam@example.com"]],
            channel="pos")
    run_to_completion(find_duplicates(ws, from_scratch=True))
    assert _hand_record(ws) == (hand, ann)
    assert _row(ws, ann, "tags")[0] == "Gold"


def test_hand_entries_on_a_merged_card_stay_on_it_when_the_merge_is_undone_and_after_a_rebuild(ws, tmp_path):
    """The merged card's hand record followed a record of the customer merged in; undoing the
    merge takes that record back, not what was typed on the card, and a rebuild agrees."""
    header = ["First Name", "Last Name", "Email", "Phone"]
    _import(ws, tmp_path, "shop.csv", header, [["Ann", "Lee", "ann@example.com", ""]])
    _import(ws, tmp_path, "till.csv", header, [["Ann", "Lee", "ann@example.com", "+1 202 555 0101"]], channel="pos")
    with ws.engine.connect() as conn:
        first = conn.exec_driver_sql("SELECT min(id) FROM source_record").scalar()
    ann, other, _log = unmerge_record(ws, first)  # Ann's first row is now a card of its own...
    merged = merge_customers(ws, [ann, other])  # ...merged back in: the card's first record is that row
    assert merged.survivor == ann
    edits.add_tags(ws, [ann], ["Gold"])
    hand, _owner = _hand_record(ws)
    undo_log(ws, merged.log_ids[0])
    assert _hand_record(ws) == (hand, ann)
    run_to_completion(find_duplicates(ws, from_scratch=True))
    assert _hand_record(ws) == (hand, ann)
    assert _row(ws, ann, "tags")[0] == "Gold"
    assert _row(ws, other, "tags")[0] == ""


def test_a_tag_taken_off_a_merged_customer_comes_off_every_side_s_hand_record(shop):
    """Ann and Bob, each tagged Gold by hand, are merged: the customer holds both hand records.
    Taking Gold off takes it off the customer (not only off the oldest record), adding it puts
    it back, and undoing the merge gives each side what it had, with what was done to them since."""
    from omnidesk.core.identity.merge import undo_merge

    ann, bob = _id(shop, "ann@example.com"), _id(shop, "bob@example.com")
    gold = {"field": "tag", "op": "is", "value": "gold"}
    edits.add_tags(shop, [ann], ["Gold"])
    edits.add_tags(shop, [bob], ["Gold"])
    undo_merge(shop, merge_customers(shop, [ann, bob]))  # nothing done in between: each keeps its own
    assert (_row(shop, ann, "tags")[0], _row(shop, bob, "tags")[0]) == ("VIP, local, Gold", "Gold")
    merged = merge_customers(shop, [ann, bob])
    one = merged.survivor
    assert edits.remove_tags(shop, [one], ["gold"]).words == "remove tag gold from 1 customer"
    assert _row(shop, one, "tags")[0] == "VIP, local"
    assert count(shop, gold) == 0 and ("Gold", 1) not in edits.all_tags(shop)
    undo_merge(shop, merged)  # taken off the person both sides are: off both
    assert (_row(shop, ann, "tags")[0], _row(shop, bob, "tags")[0]) == ("VIP, local", "")
    one = merge_customers(shop, [ann, bob]).survivor
    edits.add_tags(shop, [one], ["Gold"])
    assert count(shop, gold) == 1
    with shop.engine.connect() as conn:
        bob_row = conn.exec_driver_sql("SELECT id FROM source_record WHERE email = 'bob@example.com' "
                                       "AND channel = 'shop'").scalar()
    # A split leaves a tag added to the merged customer with the customer that remains.
    left, new, _log = unmerge_record(shop, bob_row)
    assert (_row(shop, left, "tags")[0], _row(shop, new, "tags")[0]) == ("VIP, local, Gold", "")
    edits.remove_tags(shop, [left], ["Gold"])
    assert _row(shop, left, "tags")[0] == "VIP, local" and count(shop, gold) == 0


def test_a_tag_taken_off_one_side_by_hand_stays_off_the_merged_customer(shop):
    """Gold was taken off Ann by hand, and Bob was tagged Gold by hand: merged, the tag taken off
    stays off (a hand record's tag does not get past the other's "taken off") until it is added
    to the merged customer by hand."""
    ann, bob = _id(shop, "ann@example.com"), _id(shop, "bob@example.com")
    edits.add_tags(shop, [ann, bob], ["Gold"])
    edits.remove_tags(shop, [ann], ["Gold"])
    one = merge_customers(shop, [ann, bob]).survivor
    assert _row(shop, one, "tags")[0] == "VIP, local"
    assert count(shop, {"field": "tag", "op": "is", "value": "gold"}) == 0
    edits.add_tags(shop, [one], ["Gold"])
    assert _row(shop, one, "tags")[0] == "VIP, local, Gold"


def test_the_hand_batch_cannot_be_undone_as_an_import(shop):
    ann = _id(shop, "ann@example.com")
    edits.add_tags(shop, [ann], ["Gold"])
    with shop.engine.connect() as conn:
        batch = conn.exec_driver_sql("SELECT id FROM import_batch WHERE kind = 'manual'").scalar()
    with pytest.raises(UserError, match="entered by hand, not an import"):
        undo_batch(shop, batch)


@pytest.mark.parametrize("change", [
    lambda ws, c: edits.set_value(ws, c, "last_name", "Leigh"),
    lambda ws, c: edits.add_tags(ws, [c], ["Gold"]),
    lambda ws, c: edits.remove_tags(ws, [c], ["VIP"]),
    lambda ws, c: edits.record_consent(ws, c, "sms", "denied", "by phone"),
    lambda ws, c: edits.set_custom_field(ws, c, "Loyalty points", "3"),
    lambda ws, c: edits.add_customer(ws, {"first_name": "Eve", "email": "eve@example.com"}),
])
def test_each_hand_change_is_undone_exactly_by_its_journal(shop, change):
    ann = _id(shop, "ann@example.com")
    edits.add_tags(shop, [ann], ["Earlier"])  # the customer already has a hand record, or not: both
    before = _dump(shop)
    journaled = JournaledWorkspace(shop)
    change(journaled, ann)
    assert _dump(shop) != before
    revert(shop, journaled.journal())
    assert _dump(shop) == before


def test_several_values_and_tags_at_once_are_one_change(shop):
    ann = _id(shop, "ann@example.com")
    edit = edits.set_values(shop, ann, {"first_name": "Anne", "country": "Germany", "postcode": "10115"})
    assert edit.words == "change first name, country, postcode"
    assert _row(shop, ann, "first_name", "country", "postcode")[:] == ("Anne", "DE", "10115")
    edit = edits.retag(shop, [ann], add=["Gold"], remove=["local"])
    assert edit.words == "add tag Gold to 1 customer; remove tag local from 1 customer"
    assert _row(shop, ann, "tags")[0] == "VIP, Gold"
    # Named on both sides, a tag is added: what the user last said they want.
    edits.retag(shop, [ann], add=["local"], remove=["local"])
    assert "local" in _row(shop, ann, "tags")[0]


def test_a_bad_value_among_several_changes_nothing(shop):
    ann = _id(shop, "ann@example.com")
    before = _dump(shop)
    with pytest.raises(UserError, match="birthday"):
        edits.set_values(shop, ann, {"city": "Bath", "birthday": "the 45th of Smarch"})
    assert _dump(shop) == before
    assert edits.check_values(shop, {"city": "Bath", "email": "x@", "country": "Narnia"}).keys() == {"email",
                                                                                                      "country"}


@time_machine.travel("2026-12-02 10:00:00Z", tick=False)
def test_consent_for_many_at_once_and_the_tags_a_selection_carries(shop):
    ann, bob, cy = (_id(shop, e) for e in ("ann@example.com", "bob@example.com", "cy@example.com"))
    edit = edits.record_consent_many(shop, [ann, bob, cy], "sms", "denied", "list cleaned by phone")
    assert edit.words == "record SMS consent denied for 3 customers"
    assert count(shop, {"field": "consent.sms", "op": "is", "value": "denied"}) == 3
    assert edits.tags_of(shop, [ann, bob, cy]) == ["VIP", "local"]
    with pytest.raises(UserError, match="No customer is selected"):
        edits.record_consent_many(shop, [], "sms", "denied")


@time_machine.travel("2026-12-03 03:24:00Z", tick=False)
def test_a_value_typed_in_on_an_evening_is_dated_on_the_shops_day(shop):
    """23:24 in New York is already the next day in UTC: the card says the shop's day, as the
    timeline does."""
    ann = _id(shop, "ann@example.com")
    edits.set_value(shop, ann, "city", "South Portland")
    assert value_sources(shop, ann)["city"].describe() == "entered by you on 2026-12-02"
    edits.record_consent(shop, ann, "Email", "denied", "")
    assert consent_facts(shop, ann)["email"].describe() == "denied on 2026-12-02, entered by you"


def test_a_custom_field_named_beyond_ascii_is_one_field_in_any_case(ws, tmp_path):
    """A German shop's "Größe" (casefolded "grösse") is typed in, kept as a number and picked by rules."""
    _import(ws, tmp_path, "kunden.csv", ["Email", "First Name", "Größe"],
            [["ann@example.com", "Ann", "38"], ["bob@example.com", "Bob", "44"]])
    ann, bob = _id(ws, "ann@example.com"), _id(ws, "bob@example.com")
    with pytest.raises(UserError, match="'gross' is not a number; Größe holds numbers"):
        edits.set_custom_field(ws, ann, "GRÖSSE", "gross")
    edits.set_custom_field(ws, ann, "größe", "46")
    with ws.engine.connect() as conn:
        assert [(f.name, f.value, f.number) for f in customer_fields(conn, ann)] == [("Größe", "46", 46.0)]
    assert segments.member_ids(ws, {"field": "custom.GRÖSSE", "op": "gt", "value": 40}) == [ann, bob]
    assert segments.member_ids(ws, {"field": "custom.größe", "op": "is", "value": 38}) == []


def test_a_birthday_still_to_come_is_refused_as_a_slip(shop):
    """2090 typed for 1990: no one has a birthday that has not happened yet. At 23:00 UTC on
    3 December it is already 4 December in Auckland, and a baby born there today is let in."""
    from datetime import UTC, datetime

    ann = _id(shop, "ann@example.com")
    with time_machine.travel(datetime(2026, 12, 3, 23, 0, tzinfo=UTC), tick=False):
        assert "has not come yet" in edits.check_values(shop, {"birthday": "2090-01-01"})["birthday"]
        assert "has not come yet" in edits.check_values(shop, {"birthday": "2026-12-05"})["birthday"]
        assert edits.check_values(shop, {"birthday": "2026-12-04"}) == {}
        before = _dump(shop)
        with pytest.raises(UserError, match="has not come yet"):
            edits.set_value(shop, ann, "birthday", "2090-01-01")
        assert _dump(shop) == before
        with pytest.raises(UserError, match="has not come yet"):
            edits.add_customer(shop, {"first_name": "Tim", "birthday": "2090-01-01"})
        edits.set_value(shop, ann, "birthday", "1990-01-01")


def test_an_erased_person_stays_out_by_the_email_and_phone_typed_for_them_and_replaced_since(shop, tmp_path):
    """Bob's email was typed in and then changed, his phone pinned and then pinned anew: the earlier
    values are in no record any more, yet they were his, and a file that has them must not bring him
    back after an erasure.  His data export shows them too."""
    import zipfile

    from omnidesk.core.identity.merge import pin_value
    from omnidesk.core.rights import erase_person, export_person

    bob = _id(shop, "bob@example.com")
    with time_machine.travel("2026-12-02 10:00Z", tick=False):
        edits.set_value(shop, bob, "email", "bob.stone@example.org")
        edits.set_value(shop, bob, "email", "bobby@example.net")
        pin_value(shop, bob, "phone", "+12075550188")
        pin_value(shop, bob, "phone", "+12075550199")
    export_person(shop, bob, tmp_path / "bob.zip")
    with zipfile.ZipFile(tmp_path / "bob.zip") as z:
        shown = json.loads(z.read("person.json"))["identifiers"]
    assert {"kind": "email (replaced)", "value": "bob.stone@example.org"} in shown
    assert {"kind": "phone (replaced)", "value": "+12075550188"} in shown
    erase_person(shop, bob)
    # A later list with each of his addresses, every one with another name: none of them comes in.
    later = _import(shop, tmp_path, "list.csv", ["First Name", "Email", "Phone"], [
        ["Robert", "bob.stone@example.org", ""], ["Robert", "bobby@example.net", ""],
        ["Robert", "", "(207) 555-0188"], ["Robert", "", "(207) 555-0199"], ["Dee", "dee@example.com", ""]],
        channel="email")
    assert (later.suppressed, later.imported) == (4, 1), later


def test_a_custom_field_typed_in_after_a_merge_is_the_one_the_card_shows(shop):
    """Each side had its own typed value; after the merge the one typed in was written to the
    oldest hand record while the newer one's value was shown first: the card kept saying 41."""
    from omnidesk.core.importing.custom_fields import customer_fields

    ann, bob = _id(shop, "ann@example.com"), _id(shop, "bob@example.com")
    edits.set_custom_field(shop, ann, "Shoe size", "40")
    edits.set_custom_field(shop, bob, "Shoe size", "41")
    one = merge_customers(shop, [ann, bob]).survivor
    edits.set_custom_field(shop, one, "Shoe size", "42")
    with shop.engine.connect() as conn:
        shown = {f.name: f.value for f in customer_fields(conn, one)}
    assert shown["Shoe size"] == "42"
    assert count(shop, {"field": "custom.Shoe size", "op": "is", "value": "42"}) == 1
