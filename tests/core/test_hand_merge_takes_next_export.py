"""Customers merged by hand take the next export's rows for the same person.

The shop's Siobhan Kelly and the email list's Chevonne Kelly are merged by hand:
the owner knows they are one person.  The shop's next export has Siobhan again,
the same email, now in Dublin.  That row used to become a customer of its own,
with a Review pair "not merged: different first names among their other
records" (Siobhan beside the merged customer's Chevonne), every week.  The
hand merge ties the names the owner saw merged; any other first name on the
same address is still kept out, and a split takes the tie back.
"""

from __future__ import annotations

import csv
import sqlite3

import pytest

from omnidesk.cli import main
from tests.helpers import record_owners

HEADER = "First Name,Last Name,Email,Phone,City\n"
SHOP = HEADER + "Siobhan,Kelly,siobhan.kelly@example.com,,Galway\n"
LIST = HEADER + "Chevonne,Kelly,chev.k@example.net,(415) 555-0142,Galway\n"


def _run(capsys, *argv) -> str:
    assert main(list(argv)) == 0
    return capsys.readouterr().out


class _Workspace:
    def __init__(self, tmp_path, capsys) -> None:
        self.dir, self.capsys = tmp_path, capsys
        self.path = tmp_path / "kelly.omnidesk"

    def run(self, *argv) -> str:
        return _run(self.capsys, "-w", str(self.path), *argv)

    def load(self, name: str, text: str, channel: str) -> None:
        (self.dir / name).write_text(text, encoding="utf-8")
        self.run("import", str(self.dir / name), "--channel", channel)

    def owners(self) -> dict[str, int]:
        return record_owners(self.path)

    def card(self, customer_id: int) -> dict[str, str]:
        out = self.dir / "cards.csv"
        self.run("export", "customers", str(out), "--force", "--columns", "id,first_name,email,city")
        with open(out, encoding="utf-8", newline="") as f:
            return next(row for row in csv.DictReader(f) if row["id"] == str(customer_id))

    def customers(self) -> int:
        con = sqlite3.connect(self.path)
        try:
            return con.execute("SELECT count(*) FROM customer").fetchone()[0]
        finally:
            con.close()

    def record_id(self, file_name: str) -> int:
        con = sqlite3.connect(self.path)
        try:
            return con.execute("SELECT r.id FROM source_record r JOIN import_batch b ON b.id = r.batch_id "
                               "WHERE b.file_name = ?", (file_name,)).fetchone()[0]
        finally:
            con.close()


def _merged(tmp_path, capsys) -> tuple[_Workspace, int]:
    ws = _Workspace(tmp_path, capsys)
    ws.load("shop.csv", SHOP, "shop")
    ws.load("list.csv", LIST, "email")
    owners = ws.owners()
    siobhan, chevonne = owners["shop.csv:1"], owners["list.csv:1"]
    assert siobhan != chevonne
    ws.run("merge", str(siobhan), str(chevonne))
    assert set(ws.owners().values()) == {siobhan}
    return ws, siobhan


@pytest.mark.parametrize("rebuild", [False, True], ids=["import", "rebuild"])
def test_the_next_export_of_a_person_merged_by_hand_joins_their_customer(tmp_path, capsys, rebuild):
    ws, kelly = _merged(tmp_path, capsys)
    ws.load("shop_week2.csv", HEADER + "Siobhan,Kelly,siobhan.kelly@example.com,,Dublin\n", "shop")
    if rebuild:
        ws.run("resolve", "--from-scratch")
    assert set(ws.owners().values()) == {kelly}
    assert ws.customers() == 1
    card = ws.card(kelly)
    assert card["city"] == "Dublin"  # the newest row's
    assert card["first_name"] == "Siobhan"
    assert "The review queue is empty." in ws.run("review", "list")


@pytest.mark.parametrize("rebuild", [False, True], ids=["import", "rebuild"])
def test_a_third_first_name_on_the_shared_email_still_goes_to_review(tmp_path, capsys, rebuild):
    ws, kelly = _merged(tmp_path, capsys)
    ws.load("shop_week2.csv", HEADER + "Leonard,Kelly,siobhan.kelly@example.com,,Galway\n", "shop")
    if rebuild:
        ws.run("resolve", "--from-scratch")
    owners = ws.owners()
    leonard = owners["shop_week2.csv:1"]
    assert leonard != kelly
    assert owners["shop.csv:1"] == owners["list.csv:1"] == kelly
    review = ws.run("review", "list")
    assert f"(#{kelly})" in review and f"(#{leonard})" in review
    assert "different first names" in review


@pytest.mark.parametrize("split", [False, True], ids=["merged", "split"])
def test_after_a_split_the_next_export_goes_to_the_person_it_names(tmp_path, capsys, split):
    ws, kelly = _merged(tmp_path, capsys)
    if split:
        ws.run("unmerge", str(ws.record_id("list.csv")))
    chevonne = ws.owners()["list.csv:1"]
    assert (chevonne == kelly) is not split
    ws.load("list_week2.csv", HEADER + "Chevonne,Kelly,chev.k@example.net,(415) 555-0142,Cork\n", "email")
    for _ in range(2):  # as imported, then rebuilt
        owners = ws.owners()
        assert owners["shop.csv:1"] == kelly
        assert owners["list.csv:1"] == owners["list_week2.csv:1"] == chevonne
        assert ws.customers() == (2 if split else 1)
        assert ws.card(chevonne)["city"] == "Cork"
        assert ws.card(kelly)["city"] == ("Galway" if split else "Cork")
        assert "The review queue is empty." in ws.run("review", "list")
        ws.run("resolve", "--from-scratch")


def test_two_customers_merged_by_hand_under_one_shared_name_stay_apart(tmp_path, capsys):
    # Chinedu merged with Emeka, and the till's Chinedu with Ngozi: each tie covers its own two names,
    # so the till's next row (Chinedu's email and the till's phone) joins one and asks about the other,
    # saying it is their other records that differ.
    ws = _Workspace(tmp_path, capsys)
    ws.load("shop.csv", HEADER + "Chinedu,Okafor,chinedu@example.com,,\n", "shop")
    ws.load("leads.csv", HEADER + "Emeka,Okafor,emeka@example.com,,\nNgozi,Okafor,ngozi@example.com,,\n", "email")
    owners = ws.owners()
    ws.run("merge", str(owners["shop.csv:1"]), str(owners["leads.csv:1"]))
    ws.load("till.csv", HEADER + "Chinedu,Okafor,till.chinedu@example.com,(207) 555-0133,\n", "pos")
    owners = ws.owners()
    assert owners["till.csv:1"] != owners["shop.csv:1"]
    ws.run("merge", str(owners["leads.csv:2"]), str(owners["till.csv:1"]))
    ws.load("till_week2.csv", HEADER + "Chinedu,Okafor,chinedu@example.com,(207) 555-0133,\n", "pos")
    for _ in range(2):  # as imported, then rebuilt
        owners = ws.owners()
        assert owners["shop.csv:1"] == owners["leads.csv:1"] != owners["leads.csv:2"] == owners["till.csv:1"]
        assert owners["till_week2.csv:1"] in (owners["shop.csv:1"], owners["till.csv:1"])
        review = ws.run("review", "list")
        assert "not merged: different first names among their other records" in review
        ws.run("resolve", "--from-scratch")
