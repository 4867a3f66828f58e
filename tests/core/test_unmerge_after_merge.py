"""A record split off after the user merged its customer by hand stays apart: the latest word wins.

The newsletter knows Joe Mitchell by email and its own member id; the till knows
a Joe Mitchell by its loyalty id and phone, and the SMS list by that phone.  The
name alone joins the two sides, which is never enough to merge on its own.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from omnidesk.core.identity import merge as mg
from omnidesk.core.identity.decisions import Decided, settled_indexes
from omnidesk.core.identity.kept_apart import list_kept_apart
from omnidesk.core.identity.resolve import resolve_all
from omnidesk.core.identity.why import why_one_person
from omnidesk.core.importing.batches import undo_batch
from omnidesk.core.importing.pipeline import ImportOptions, import_file
from omnidesk.core.models import MatchDecision, SourceRecord
from tests.helpers import write_csv


def _shop(ws, tmp_path):
    import_file(ws, write_csv(tmp_path / "newsletter.csv", ["Email", "First Name", "Last Name", "Member ID"],
                              [["joe.m@example.com", "Joe", "Mitchell", "N-77"]]), ImportOptions(channel="email"))
    import_file(ws, write_csv(tmp_path / "till.csv", ["First Name", "Last Name", "Phone", "Customer ID"],
                              [["Joe", "Mitchell", "(415) 555-0190", "L-12"],
                               ["Joe", "Mitchell", "", "L-12"]]), ImportOptions(channel="pos"))
    import_file(ws, write_csv(tmp_path / "sms.csv", ["First Name", "Phone"],
                              [["Joe", "415 555 0190"]]), ImportOptions(channel="sms"))


def _placement(ws) -> dict[tuple[str, int], int]:
    with ws.engine.connect() as conn:
        rows = conn.exec_driver_sql(
            "SELECT b.file_name, r.record_no, r.customer_id FROM source_record r "
            "JOIN import_batch b ON b.id = r.batch_id").fetchall()
    return {(f, n): c for f, n, c in rows}


def _people(placement) -> set[frozenset]:
    """The records grouped by customer, whatever the customers' ids."""
    groups: dict[int, set] = {}
    for key, cid in placement.items():
        groups.setdefault(cid, set()).add(key)
    return {frozenset(g) for g in groups.values()}


def _merged_then_split(ws, tmp_path):
    _shop(ws, tmp_path)
    before = _people(_placement(ws))
    newsletter = frozenset({("newsletter.csv", 1)})
    assert newsletter in before and len(before) == 2  # the name alone did not join them
    placed = _placement(ws)
    mg.merge_customers(ws, [placed[("newsletter.csv", 1)], placed[("till.csv", 1)]])
    assert len(_people(_placement(ws))) == 1
    with ws.engine.connect() as conn:
        rid = conn.execute(select(SourceRecord.id).where(SourceRecord.channel == "email")).scalar_one()
    split = mg.unmerge_record(ws, rid)
    assert _people(_placement(ws)) == before
    return before, split


def test_a_split_after_a_hand_merge_holds_through_resolve_and_resolve_from_scratch(ws, tmp_path):
    before, _ = _merged_then_split(ws, tmp_path)
    with ws.engine.begin() as conn:
        stats = resolve_all(conn)
    assert stats.auto_merged == 0
    assert _people(_placement(ws)) == before
    with ws.engine.begin() as conn:
        resolve_all(conn, from_scratch=True)
    # The newsletter record alone; the till and SMS records still one person, as they were.
    assert _people(_placement(ws)) == before
    # One pair kept apart, the one the user split: no decision made up between till and SMS.
    placed = _placement(ws)
    (kept,) = list_kept_apart(ws)
    assert {kept.left_id, kept.right_id} == {placed[("newsletter.csv", 1)], placed[("sms.csv", 1)]}
    assert placed[("sms.csv", 1)] == placed[("till.csv", 1)]


def test_undoing_the_split_brings_the_hand_merge_back(ws, tmp_path):
    _, split = _merged_then_split(ws, tmp_path)
    mg.undo_split(ws, split)
    assert len(_people(_placement(ws))) == 1
    with ws.engine.begin() as conn:
        resolve_all(conn, from_scratch=True)
    assert len(_people(_placement(ws))) == 1
    assert list_kept_apart(ws) == []


def test_a_workspace_holding_a_merge_the_user_took_back_later_keeps_the_records_apart(ws, tmp_path):
    """Earlier versions left the merge decision standing beside the split's rejection."""
    before, _ = _merged_then_split(ws, tmp_path)
    _shop_merge_decision_as_it_was_left(ws)
    with ws.engine.begin() as conn:
        resolve_all(conn)
    assert _people(_placement(ws)) == before
    with ws.engine.begin() as conn:
        resolve_all(conn, from_scratch=True)
    assert _people(_placement(ws)) == before


def _shop_merge_decision_as_it_was_left(ws):
    """The merge decision written by the merge, back in its place: older than the split's rejections."""
    md = MatchDecision.__table__
    with ws.engine.begin() as conn:
        log = conn.exec_driver_sql("SELECT absorbed_json FROM merge_log WHERE kind = 'unmerge'").scalar()
        (tie,) = json.loads(log)["_undo"]["restore"]
        assert tie["kind"] == "merge" and tie["left_hash"].startswith("x:")  # keyed by member ids
        rejects = [dict(r) for r in conn.execute(select(md).order_by(md.c.id)).mappings()]
        assert rejects and all(r["kind"] == "reject" for r in rejects)
        conn.execute(md.delete())
        conn.execute(md.insert(), [tie])
        conn.execute(md.insert(), [{k: v for k, v in r.items() if k != "id"} for r in rejects])


def test_a_later_split_of_one_of_three_merged_customers_keeps_the_other_two_together(ws, tmp_path):
    import_file(ws, write_csv(tmp_path / "a.csv", ["First Name", "Last Name", "Email"],
                              [["Ann", "Lee", "ann@example.com"], ["Bo", "Chen", "bo@example.com"],
                               ["Cy", "Ray", "cy@example.com"]]), ImportOptions(channel="shop"))
    placed = _placement(ws)
    merged = mg.merge_customers(ws, list(placed.values()))
    with ws.engine.connect() as conn:
        ann = conn.execute(select(SourceRecord.id).where(SourceRecord.first_name == "Ann")).scalar_one()
    mg.unmerge_record(ws, ann)
    with ws.engine.begin() as conn:
        resolve_all(conn, from_scratch=True)
    groups = _people(_placement(ws))
    assert groups == {frozenset({("a.csv", 1)}), frozenset({("a.csv", 2), ("a.csv", 3)})}
    assert merged.survivor in placed.values()


def test_the_latest_of_a_merge_and_a_rejection_of_the_same_records_wins():
    index_of = {"x:a": [0], "h0": [0], "x:b": [1, 2], "h3": [3]}
    merge_first = [Decided("x:a", "x:b", 1)]
    reject_later = [Decided("h0", "x:b", 2), Decided("h0", "h3", 3)]
    assert settled_indexes(reject_later, merge_first, index_of) == ([(0, 1), (0, 2), (0, 3)], [])
    reject_first = [Decided("h0", "x:b", 1)]
    merge_later = [Decided("x:b", "x:a", 5)]
    assert settled_indexes(reject_first, merge_later, index_of) == ([], [(1, 0), (2, 0)])


def test_the_card_says_a_hand_merge_is_the_users_after_a_resolve_from_scratch(ws, tmp_path):
    # A customer made before them and gone since: a gap in the ids, which a rebuild
    # from scratch once closed, giving the merged customer another id than the one its
    # merge was logged under.  It keeps its id now, and the card still tells the merge.
    gone = import_file(ws, write_csv(tmp_path / "first.csv", ["First Name", "Last Name", "Email"],
                                     [["Zed", "Zulu", "zed@example.com"]]), ImportOptions(channel="shop"))
    _shop(ws, tmp_path)
    undo_batch(ws, gone.batch_id)
    placed = _placement(ws)
    merged = mg.merge_customers(ws, [placed[("newsletter.csv", 1)], placed[("till.csv", 1)]])
    with ws.engine.begin() as conn:
        resolve_all(conn, from_scratch=True)
    placed = _placement(ws)
    assert set(placed.values()) == {merged.survivor}
    links = why_one_person(ws, placed[("newsletter.csv", 1)]).links
    joining = [link for link in links if "newsletter.csv" in link.sentence()]
    assert [link.why() for link in joining] == ["merged by you"]
    assert not any(link.why() == "same name" for link in links)


def test_a_list_member_split_off_a_wrong_merge_takes_her_opens_and_her_notes_back(tmp_path, capsys):
    """The shop's Ann Lee and the list's Annie Leigh, with an open on Annie's address, merged by
    hand by mistake; splitting Annie's list record off gave Ann Annie's open (and its date as her
    first seen), kept Annie's notes on Ann, and told a hand merge of the open with Ann's record
    the user never made, which a rebuild kept.  The open is Annie's, as an import placed it."""
    import time_machine

    from omnidesk.core.notes import customer_notes, set_customer_notes
    from omnidesk.core.workspace import Workspace
    from tests.helpers import run_cli

    path = tmp_path / "shop.omnidesk"

    def run(*argv) -> str:
        status, out, err = run_cli(capsys, *argv, "-w", path)
        assert status == 0, err
        return out

    def owners() -> dict[str, int]:
        run("export", "sources", tmp_path / "sources.csv", "--force")
        rows = [line.split(",") for line in (tmp_path / "sources.csv").read_text().splitlines()[1:]]
        return {row[0]: int(row[3]) for row in rows}

    def first_seen() -> dict[int, str]:
        run("export", "customers", tmp_path / "customers.csv", "--columns", "id,first_seen", "--force")
        return dict((int(i), seen) for i, seen in (line.split(",") for line in
                                                   (tmp_path / "customers.csv").read_text().splitlines()[1:]))

    write_csv(tmp_path / "shop.csv", ["Customer ID", "First Name", "Last Name", "Email"],
              [["1001", "Ann", "Lee", "ann@x.com"]])
    write_csv(tmp_path / "list.csv", ["Email", "First Name", "Last Name"], [["annie@y.com", "Annie", "Leigh"]])
    write_csv(tmp_path / "opens.csv", ["Email", "Campaign", "Action", "Timestamp"],
              [["annie@y.com", "News", "open", "2025-06-01 10:00:00"]])
    with time_machine.travel(datetime(2026, 3, 1, 12, tzinfo=UTC), tick=False):
        run("import", tmp_path / "shop.csv", "--channel", "shop")
        run("import", tmp_path / "list.csv", "--channel", "email")
        run("import", tmp_path / "opens.csv", "--channel", "email")
        assert owners() == {"shop.csv": 1, "list.csv": 2, "opens.csv": 2}  # her list holds the address
        seen = first_seen()
        assert seen[1] == "" and seen[2]  # Ann: nothing dated yet; Annie: her open
        with Workspace.open(path) as ws:
            set_customer_notes(ws, 2, "Annie: call after 5")
        run("merge", "1", "2")
        said = run("unmerge", "2")  # the list's record
        assert "from customer 1 to new customer 3" in said
        assert owners() == {"shop.csv": 1, "list.csv": 3, "opens.csv": 3}
        assert first_seen() == {1: "", 3: seen[2]}
        with Workspace.open(path) as ws:
            assert (customer_notes(ws, 1), customer_notes(ws, 3)) == ("", "Annie: call after 5")
        assert "merged by you" not in run("customer", "why", "1")
        run("resolve", "--from-scratch")
        assert owners() == {"shop.csv": 1, "list.csv": 3, "opens.csv": 3}
        assert "merged by you" not in run("customer", "why", "1")


def test_an_open_on_an_address_both_sides_hold_goes_with_the_list_record_split_off(tmp_path, capsys):
    """Ann's shop record and Annie's list record hold the same family address; merged by hand, then
    the list's record split off: the open on that address is the list member's (its channel's own
    list holds the address), and a rebuild from scratch leaves it so."""
    import time_machine

    from tests.helpers import run_cli

    path = tmp_path / "shop.omnidesk"

    def run(*argv) -> str:
        status, out, err = run_cli(capsys, *argv, "-w", path)
        assert status == 0, err
        return out

    def owners() -> dict[str, int]:
        run("export", "sources", tmp_path / "sources.csv", "--force")
        rows = [line.split(",") for line in (tmp_path / "sources.csv").read_text().splitlines()[1:]]
        return {row[0]: int(row[3]) for row in rows}

    write_csv(tmp_path / "shop.csv", ["Customer ID", "First Name", "Last Name", "Email"],
              [["1001", "Ann", "Lee", "lee.family@y.com"]])
    write_csv(tmp_path / "list.csv", ["Email", "First Name", "Last Name"], [["lee.family@y.com", "Annie", "Leigh"]])
    write_csv(tmp_path / "opens.csv", ["Email", "Campaign", "Action", "Timestamp"],
              [["lee.family@y.com", "News", "open", "2025-06-01 10:00:00"]])
    with time_machine.travel(datetime(2026, 3, 1, 12, tzinfo=UTC), tick=False):
        for name, channel in (("shop", "shop"), ("list", "email"), ("opens", "email")):
            run("import", tmp_path / f"{name}.csv", "--channel", channel)
        ann, annie = owners()["shop.csv"], owners()["list.csv"]
        assert ann != annie
        run("merge", ann, annie)
        run("export", "sources", tmp_path / "sources.csv", "--force")
        list_record = next(line.rsplit(",", 1)[1] for line in (tmp_path / "sources.csv").read_text().splitlines()
                           if line.startswith("list.csv"))
        run("unmerge", list_record)
        placed = owners()
        assert placed["opens.csv"] == placed["list.csv"] != placed["shop.csv"]
        run("resolve", "--from-scratch")
        assert owners() == placed


@pytest.mark.parametrize(("sold_to", "owner"), [("Hansen, Jon", "shop.csv"), ("Berg, Mia", "loyalty.csv")])
def test_a_named_sale_on_a_shared_landline_stays_with_the_person_it_names_through_a_split(
        tmp_path, capsys, sold_to, owner):
    """Jon Hansen (the shop) and Mia Berg (the till's loyalty list) share the shop's landline, and a
    till sale on it names one of them. Merged by hand, then Mia's loyalty record split off: the
    sale named for Jon stays with Jon (it once went with Mia's record by the landline, and a rebuild
    moved it back), without a merge by hand the user never made; the one named for Mia goes with
    her. A rebuild from scratch agrees."""
    import csv

    from tests.helpers import run_cli

    path = tmp_path / "shop.omnidesk"
    landline = "+12075550111"

    def run(*argv) -> str:
        status, out, err = run_cli(capsys, *argv, "-w", path)
        assert status == 0, err
        return out

    def sources() -> dict[str, dict]:
        run("export", "sources", tmp_path / "sources.csv", "--force")
        with (tmp_path / "sources.csv").open(newline="", encoding="utf-8") as f:
            return {r["source_file"]: r for r in csv.DictReader(f)}

    def owners() -> dict[str, str]:
        return {name: r["customer_id"] for name, r in sources().items()}

    header = ["First Name", "Last Name", "Email", "Phone"]
    run("import", write_csv(tmp_path / "shop.csv", header, [["Jon", "Hansen", "jon@example.com", landline]]),
        "--channel", "shop")
    run("import", write_csv(tmp_path / "loyalty.csv", header, [["Mia", "Berg", "mia@example.net", landline]]),
        "--channel", "pos", "--kind", "contacts")
    run("import", write_csv(tmp_path / "till.csv", ["Date", "Time", "Receipt No", "Customer", "Mobile",
                                                      "Loyalty Card", "Items", "Total"],
                            [["13/11/2025", "18:00", "30004", sold_to, landline, "", "Beans x1", "9,99"]],
                            encoding="cp1252", delimiter=";"),
        "--channel", "pos", "--kind", "events")
    imported = owners()
    assert imported["shop.csv"] != imported["loyalty.csv"]
    assert imported["till.csv"] == imported[owner]
    run("merge", imported["shop.csv"], imported["loyalty.csv"])
    run("unmerge", sources()["loyalty.csv"]["record_id"])
    split = owners()
    assert split["shop.csv"] == imported["shop.csv"] != split["loyalty.csv"]
    assert split["till.csv"] == split[owner]
    assert "merged by you" not in run("customer", "why", split["shop.csv"])  # the sale is Jon's by its name
    run("resolve", "--from-scratch")
    assert owners() == split
