"""`customer set CUSTOMER custom.NAME VALUE` with a value its field does not take: one line on
stderr, exit 2 (the command line itself is wrong, as for a built-in field), nothing changed."""

from __future__ import annotations

import sqlite3

import pytest

from tests.helpers import cli_shop_fixtures, one_line, run_cli

PEOPLE = (["First Name", "Email", "Loyalty Points", "Warranty Ends", "Newsletter VIP"], [
    ["Ann", "ann@example.com", "420", "2024-03-05", "yes"],
    ["Bo", "bo@example.com", "10", "2023-01-02", "no"],
])

shop_template, shop = cli_shop_fixtures(PEOPLE)


def dump(path):
    with sqlite3.connect(path) as conn:
        return {t: sorted(conn.execute(f"SELECT * FROM {t}").fetchall(), key=repr)
                for t in ("customer", "source_record", "custom_field")}


@pytest.mark.parametrize("field, value, words", [
    ("custom.Loyalty Points", "abc", "'abc' is not a number; Loyalty Points holds numbers."),
    # One and a half, or a slip for 1,500: asked, not read as 1.5.
    ("custom.Loyalty Points", "1,5", "Is the comma in '1,5' a decimal point or a thousands mark? Write decimals "
                                     "with a point and thousands with a comma (1.5, 1,500 or 1,500.5); Loyalty Points "
                                     "holds numbers."),
    ("custom.Loyalty Points", "1.500,5", "Is the comma in '1.500,5' a decimal point or a thousands mark?"),
    ("custom.Newsletter VIP", "maybe", "'maybe' is not a yes or a no; Newsletter VIP holds yes/no."),
    ("custom.Warranty Ends", "someday", "'someday' is not a date; Warranty Ends holds dates."),
    ("custom.", "v", "A custom field needs a name."),
    ("custom. ", "v", "A custom field needs a name."),
])
def test_a_value_its_custom_field_does_not_take_exits_2(shop, capsys, field, value, words):
    before = dump(shop)
    status, out, err = run_cli(capsys, "customer", "set", "1", field, value, "-w", shop)
    assert (status, out) == (2, "") and words in err and one_line(err), (status, err)
    assert dump(shop) == before


def test_a_value_its_custom_field_takes_is_set(shop, capsys):
    status, out, err = run_cli(capsys, "customer", "set", "1", "custom.loyalty points", "1,200", "-w", shop)
    assert (status, out.strip(), err) == (0, "Customer 1: set Loyalty Points to 1,200", "")
