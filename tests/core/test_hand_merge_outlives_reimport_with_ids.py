"""A merge made by hand holds when a file whose rows carry customer ids is imported again.

The shop's Anna Lee (a Shopify customers export, customer 4001) and the till's Ann Lee (a plain
file: a phone and a town) have nothing an import would merge them on; the owner merges them by
hand.  A merge with a customer that carries a shop's customer id is kept against that id.
Undoing either import and importing its file again used to bring the person back as a customer
of their own, with nothing in Review: the import looked the user's merges up by the new rows'
row hashes alone, and could not find the records holding a customer id.  Only a later
``resolve`` put them together again.  Now the import itself does, either way round; and a pair
the owner split apart again stays apart through the same undo and import.
"""

from __future__ import annotations

import sqlite3

import pytest
import time_machine

from tests.helpers import record_owners, run_cli, write_csv

SHOP_HEADER = ["Customer ID", "First Name", "Last Name", "Email", "Accepts Email Marketing",
               "Default Address Company", "Default Address Address1", "Default Address Address2",
               "Default Address City", "Default Address Province Code", "Default Address Country Code",
               "Default Address Zip", "Default Address Phone", "Accepts SMS Marketing", "Total Spent",
               "Total Orders", "Note", "Tax Exempt", "Tags"]
ANNA = ["4001", "Anna", "Lee", "anna@example.com", "yes", "", "", "", "Boston", "MA", "US", "'02110", "",
        "no", "10.00", "1", "", "no", ""]
TILL_HEADER = ["first_name", "last_name", "phone", "city"]
ANN = ["Ann", "Lee", "617-555-0199", "Cambridge"]
# The list's Anna gives the shop's email: an import merges her with the shop's Anna on it.
LIST_HEADER = ["Email Address", "First Name", "Last Name"]
LISTED = ["anna@example.com", "Anna", "Lee"]

SHOP, TILL, LIST = "customers_export.csv", "till.csv", "list.csv"


@pytest.fixture(autouse=True)
def _fixed_time(computer_in):
    computer_in("America/New_York")
    with time_machine.travel("2027-01-20 15:00:00Z"):
        yield


class _Shop:
    def __init__(self, folder, capsys) -> None:
        self.folder, self.capsys = folder, capsys
        self.path = folder / "w.omnidesk"
        write_csv(folder / SHOP, SHOP_HEADER, [ANNA])
        write_csv(folder / TILL, TILL_HEADER, [ANN])
        write_csv(folder / LIST, LIST_HEADER, [LISTED])

    def run(self, *argv) -> str:
        status, out, err = run_cli(self.capsys, "-w", self.path, *argv)
        assert status == 0, err
        return out

    def load(self, name: str, channel: str) -> None:
        self.run("import", self.folder / name, "--channel", channel, "--region", "US")

    def undo(self, name: str) -> None:
        self.run("imports", "undo", self._one(
            "SELECT max(id) FROM import_batch WHERE file_name = ? AND status = 'done'", name))

    def record(self, name: str) -> int:
        return self._one("SELECT r.id FROM source_record r JOIN import_batch b ON b.id = r.batch_id "
                         "WHERE b.file_name = ? AND b.status = 'done'", name)

    def customers(self) -> int:
        return self._one("SELECT count(*) FROM customer")

    def queued(self) -> int:
        return self._one("SELECT count(*) FROM match_review WHERE status = 'pending'")

    def _one(self, sql: str, *args):
        con = sqlite3.connect(self.path)
        try:
            return con.execute(sql, args).fetchone()[0]
        finally:
            con.close()


def _merged(tmp_path, capsys) -> _Shop:
    shop = _Shop(tmp_path, capsys)
    shop.load(SHOP, "shop")
    shop.load(TILL, "pos")
    owners = record_owners(shop.path)
    anna, ann = owners[f"{SHOP}:1"], owners[f"{TILL}:1"]
    assert anna != ann and shop.queued() == 0  # nothing an import would join them on
    shop.run("merge", anna, ann)
    assert shop.customers() == 1
    return shop


@pytest.mark.parametrize(("undone", "channel"), [(SHOP, "shop"), (TILL, "pos")])
def test_a_file_imported_again_rejoins_the_customer_it_was_merged_into_by_hand(tmp_path, capsys, undone, channel):
    shop = _merged(tmp_path, capsys)
    shop.undo(undone)
    assert shop.customers() == 1  # the one who stays keeps the card
    shop.load(undone, channel)
    owners = record_owners(shop.path)
    assert owners[f"{SHOP}:1"] == owners[f"{TILL}:1"], owners
    assert shop.customers() == 1
    assert shop.queued() == 0
    # A rebuild agrees with the import.
    shop.run("resolve", "--from-scratch")
    owners = record_owners(shop.path)
    assert owners[f"{SHOP}:1"] == owners[f"{TILL}:1"], owners


@pytest.mark.parametrize(("undone", "channel"), [(SHOP, "shop"), (TILL, "pos")])
def test_a_hand_merge_split_again_stays_apart_when_the_file_comes_again(tmp_path, capsys, undone, channel):
    shop = _merged(tmp_path, capsys)
    shop.run("unmerge", shop.record(TILL))  # the owner changed their mind: two people after all
    assert shop.customers() == 2
    shop.undo(undone)
    shop.load(undone, channel)
    owners = record_owners(shop.path)
    assert owners[f"{SHOP}:1"] != owners[f"{TILL}:1"], owners
    assert shop.customers() == 2
    shop.run("resolve")
    owners = record_owners(shop.path)
    assert owners[f"{SHOP}:1"] != owners[f"{TILL}:1"], owners


@pytest.mark.parametrize(("undone", "channel"), [(SHOP, "shop"), (LIST, "email")])
def test_people_an_import_joined_and_the_owner_split_stay_apart_when_a_file_comes_again(
        tmp_path, capsys, undone, channel):
    shop = _Shop(tmp_path, capsys)
    shop.load(SHOP, "shop")
    shop.load(LIST, "email")
    owners = record_owners(shop.path)
    assert owners[f"{SHOP}:1"] == owners[f"{LIST}:1"]  # the same email
    shop.run("unmerge", shop.record(LIST))
    assert shop.customers() == 2
    shop.undo(undone)
    shop.load(undone, channel)
    owners = record_owners(shop.path)
    assert owners[f"{SHOP}:1"] != owners[f"{LIST}:1"], owners
    assert shop.customers() == 2
