"""Names sort as a reader expects: Élodie beside Elodie under E, "de Vries" beside "De Vries".

The Customers screen (and the segment listings) sort by ``customer.sort_name``,
the name without accents and in one case, written with the name by the golden
record: on import, on a hand edit, on a merge and a split, and by migration 0020
for the customers a workspace already held.
"""

from __future__ import annotations

import pytest

from omnidesk.core import edits
from omnidesk.core.customers import customer_ids, customer_rows
from omnidesk.core.identity.golden import NO_NAME
from omnidesk.core.identity.merge import merge_customers, unmerge_record
from omnidesk.core.importing.pipeline import ImportOptions, import_file
from omnidesk.core.segments import member_ids
from omnidesk.core.workspace import Workspace
from tests.helpers import write_csv

HEADER = ["First Name", "Last Name", "Email"]
# (first, last, the name the list shows) in the order the list must show them, A to Z.
PEOPLE = [
    ("Ångström", "Lars", "Ångström Lars"),
    ("Çelik", "Kaya", "Çelik Kaya"),
    ("", "De Vries", "De Vries"),  # the same key as "de Vries": the name as written ("D" < "d") decides
    ("", "de Vries", "de Vries"),
    ("Dean", "Ward", "Dean Ward"),
    ("Eddie", "Stone", "Eddie Stone"),
    ("Elodie", "Martin", "Elodie Martin"),
    ("Élodie", "Martin", "Élodie Martin"),
    ("Fiona", "Burke", "Fiona Burke"),
    ("Łukasz", "Nowak", "Łukasz Nowak"),
    ("Øyvind", "Berg", "Øyvind Berg"),
    ("Ümit", "Yilmaz", "Ümit Yilmaz"),
    ("Zoe", "Adams", "Zoe Adams"),
    # Other scripts after the Latin letters, each script together.
    ("Иван", "Петров", "Иван Петров"),
    ("太郎", "山田", "山田 太郎"),  # family name first, as written
]
SHOWN = [shown for _first, _last, shown in PEOPLE]


def _import(ws, tmp_path, name: str, people) -> None:
    rows = [[first, last, f"{name}{i}@example.com"] for i, (first, last, *_shown) in enumerate(people)]
    import_file(ws, write_csv(tmp_path / f"{name}.csv", HEADER, rows), ImportOptions(channel="shop"))


def _names(ws, ids) -> list[str]:
    rows = customer_rows(ws, list(ids))
    return [rows[cid].name for cid in ids]


@pytest.fixture
def people(ws, tmp_path):
    # Imported in another order than the list's, so the id does not give the answer.
    _import(ws, tmp_path, "people", PEOPLE[::2] + PEOPLE[1::2])
    nobody = edits.add_customer(ws, {"company": "Nameless Ltd"}).created  # shown as "(no name)"
    return ws, nobody


@pytest.mark.parametrize("descending", [False, True])
def test_accented_and_lowercase_names_sort_under_their_letter_and_blanks_last(people, descending):
    ws, nobody = people
    order = list(customer_ids(ws, descending=descending))
    names = _names(ws, order)
    assert order[-1] == nobody and names[-1] == NO_NAME  # no name: last, whichever way
    assert names[:-1] == (SHOWN[::-1] if descending else SHOWN)
    e = names.index("Élodie Martin")
    assert names[e - 1:e + 2] == (["Elodie Martin", "Élodie Martin", "Fiona Burke"] if not descending
                                  else ["Fiona Burke", "Élodie Martin", "Elodie Martin"])
    # A filter reads every row and sorts them instead of walking the index: the same order.
    assert list(customer_ids(ws, descending=descending, consent="email:none")) == order  # everyone
    assert list(customer_ids(ws, descending=descending, channel="shop")) == order[:-1]  # not the one added by hand


def test_segment_listings_sort_names_as_the_customers_screen_does(people):
    ws, _nobody = people
    everyone = {"field": "channel", "op": "is", "value": "shop"}
    shop_members = member_ids(ws, everyone)
    assert shop_members == [cid for cid in customer_ids(ws) if cid in set(shop_members)]
    assert len(shop_members) == len(PEOPLE)


def _sort_names(ws) -> dict[int, tuple[str, str]]:
    with ws.engine.connect() as conn:
        return {cid: (name, key) for cid, name, key in
                conn.exec_driver_sql("SELECT id, display_name, sort_name FROM customer")}


def test_a_name_typed_in_by_hand_moves_the_customer_to_its_letter(people):
    ws, _nobody = people
    zoe = next(cid for cid, (name, _key) in _sort_names(ws).items() if name == "Zoe Adams")
    edits.set_value(ws, zoe, "first_name", "Émile")
    assert _sort_names(ws)[zoe] == ("Émile Adams", "emile adams")
    names = _names(ws, list(customer_ids(ws)))
    assert names.index("Élodie Martin") < names.index("Émile Adams") < names.index("Fiona Burke")


def test_a_merge_and_a_split_give_the_survivor_the_key_of_its_new_name(ws, tmp_path):
    # The survivor (the older customer) is known by its email alone until the merge brings a name.
    import_file(ws, write_csv(tmp_path / "list.csv", ["Email"], [["zz@example.com"]]),
                ImportOptions(channel="email"))
    _import(ws, tmp_path, "shop", [("Ärne", "Berg"), ("Bo", "Lind")])
    keys = _sort_names(ws)
    survivor = next(cid for cid, (name, _key) in keys.items() if name == "zz@example.com")
    arne = next(cid for cid, (name, _key) in keys.items() if name == "Ärne Berg")
    assert keys[survivor][1] == "zz@example.com" and keys[arne][1] == "arne berg"
    assert _names(ws, list(customer_ids(ws))) == ["Ärne Berg", "Bo Lind", "zz@example.com"]

    merge_customers(ws, [survivor, arne])
    assert _sort_names(ws)[survivor] == ("Ärne Berg", "arne berg")
    assert _names(ws, list(customer_ids(ws))) == ["Ärne Berg", "Bo Lind"]

    with ws.engine.connect() as conn:
        record = conn.exec_driver_sql("SELECT id FROM source_record WHERE customer_id = ? AND channel = 'shop'",
                                      (survivor,)).scalar_one()
    _left, new, _log = unmerge_record(ws, record)
    keys = _sort_names(ws)
    assert keys[survivor] == ("zz@example.com", "zz@example.com")
    assert keys[new] == ("Ärne Berg", "arne berg")


def test_opening_a_workspace_of_0019_fills_every_customers_sort_key(people, tmp_path):
    from alembic import command

    from omnidesk.core.workspace import _alembic_config

    ws, nobody = people
    path = ws.path
    before = list(customer_ids(ws))
    with ws.engine.begin() as conn:
        command.downgrade(_alembic_config(conn), "0019")
        columns = {row[1] for row in conn.exec_driver_sql("PRAGMA table_info(customer)")}
        assert "sort_name" not in columns  # as the older version kept the table
    ws.close()

    with Workspace.open(path) as again:
        keys = _sort_names(again)
        assert keys[nobody] == (NO_NAME, "")
        by_name = {name: key for name, key in keys.values()}
        assert by_name["Élodie Martin"] == by_name["Elodie Martin"] == "elodie martin"
        assert by_name["Øyvind Berg"] == "oyvind berg" and by_name["Łukasz Nowak"] == "lukasz nowak"
        assert by_name["Ångström Lars"] == "angstrom lars" and by_name["Ümit Yilmaz"] == "umit yilmaz"
        assert by_name["Иван Петров"] == "иван петров"
        with again.engine.connect() as conn:
            indexed = {row[1] for row in conn.exec_driver_sql("PRAGMA index_list(customer)")}
            plan = " ".join(row[-1] for row in conn.exec_driver_sql(
                "EXPLAIN QUERY PLAN SELECT id FROM customer WHERE sort_name > '' "
                "ORDER BY sort_name DESC, display_name DESC, id DESC"))
        assert "ix_customer_sort_name" in indexed
        assert "ix_customer_sort_name" in plan and "TEMP B-TREE" not in plan  # read in order, no sort
        assert list(customer_ids(again)) == before
