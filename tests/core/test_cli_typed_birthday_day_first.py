"""A birthday typed day-first is read as the one date it can be, whatever the shop's region.

In a US workspace "15/03/1990" was refused as "not a real calendar date", read month-first only,
though there is no month 15; "03/15/1990" and "29 Feb 1992" were taken.  A date that reads either
way ("03/04/1990") still follows the region's order; one that is no date in any order says which
orders it was tried in.  Played through the command line (the card's Edit values… dialog checks
and stores a typed value with the same function), at a set clock: a birthday still to come is
refused, so the day matters.
"""

from __future__ import annotations

import csv

import pytest
import time_machine

from tests.helpers import run_cli, write_csv


@pytest.fixture
def shop(capsys, tmp_path):
    ws = tmp_path / "shop.omnidesk"
    people = write_csv(tmp_path / "people.csv", ["First Name", "Last Name", "Email"],
                       [["Ann", "Lee", "ann@example.com"]])
    with time_machine.travel("2026-03-02 10:00:00Z", tick=False):
        status, _out, err = run_cli(capsys, "-w", ws, "import", people, "--region", "US")
    assert status == 0, err
    return ws


def _set(capsys, ws, value) -> tuple[int, str]:
    with time_machine.travel("2026-03-02 10:00:00Z", tick=False):
        status, out, err = run_cli(capsys, "-w", ws, "customer", "set", "1", "birthday", value)
    return status, out + err


def _birthday(capsys, ws, folder) -> str:
    out = folder / "customers.csv"
    status, _out, err = run_cli(capsys, "-w", ws, "export", "customers", out, "--columns", "id,birthday", "--force")
    assert status == 0, err
    with out.open(encoding="utf-8-sig", newline="") as fh:
        return next(csv.DictReader(fh))["birthday"]


@pytest.mark.parametrize(("typed", "stored"), [
    ("15/03/1990", "1990-03-15"),
    ("29/02/1992", "1992-02-29"),
    ("28/02/1992", "1992-02-28"),
    ("15.03.1990", "1990-03-15"),
    ("03/15/1990", "1990-03-15"),
    ("02/29/1992", "1992-02-29"),
    ("29 Feb 1992", "1992-02-29"),
    ("03/04/1990", "1990-03-04"),  # either way: the US order, month first
])
def test_a_us_shop_reads_a_typed_birthday_the_one_way_it_can_be(capsys, tmp_path, shop, typed, stored):
    status, said = _set(capsys, shop, typed)
    assert status == 0, said
    assert _birthday(capsys, shop, tmp_path) == stored


def test_a_date_that_reads_either_way_follows_the_region_set_for_the_workspace(capsys, tmp_path, shop):
    status, _out, err = run_cli(capsys, "-w", shop, "settings", "default_region", "GB")
    assert status == 0, err
    assert _set(capsys, shop, "03/04/1990")[0] == 0
    assert _birthday(capsys, shop, tmp_path) == "1990-04-03"
    assert _set(capsys, shop, "03/15/1990")[0] == 0  # month-first is the only reading, in the UK too
    assert _birthday(capsys, shop, tmp_path) == "1990-03-15"


@pytest.mark.parametrize("typed", ["31/02/1990", "13/13/1990", "29/02/1991"])
def test_a_date_in_no_order_is_refused_saying_which_orders_were_tried(capsys, tmp_path, shop, typed):
    assert _set(capsys, shop, "1985-06-01")[0] == 0
    status, said = _set(capsys, shop, typed)
    assert status != 0
    assert f"'{typed}' cannot be read as the birthday: {typed} is not a date in month/day/year or " \
           "day/month/year order" in said
    assert _birthday(capsys, shop, tmp_path) == "1985-06-01"
