"""A rule on a name compares it as the search box finds names: case, accents and apostrophes of any
kind aside.  ``segment count`` with name contains "O’Brien" (the curly apostrophe a phone types) or
"obrien" gave 0 customers for Zoë O'Brien-Smith.  Other text (a first or last name, a city, a
company, a tag, a custom field's value) keeps its accents, as before, but reads every kind of
apostrophe as one."""

from __future__ import annotations

import json

import pytest

from tests.helpers import cli_shop_fixtures, run_cli

PEOPLE = (["First Name", "Last Name", "Email", "City", "Company", "Tags"], [
    ["Zoë", "O'Brien-Smith", "zoe@example.com", "Kraków", "Macy's", "VIP"],
    ["Ann", "Lee", "ann@example.com", "Paris", "Lee’s Bakery", ""],
    ["José", "Núñez", "jose@example.com", "Krakow", "", ""],
    ["Dan", "O'Neil", "dan@example.com", "Cork", "", ""],
    ["Bob", "Stone", "bob@example.com", "Bath", "", ""],
])
shop_template, shop = cli_shop_fixtures(PEOPLE)


def _count(shop, capsys, field, op, value) -> int:
    status, out, err = run_cli(capsys, "-w", shop, "segment", "count", "--json", "--rule",
                               json.dumps({"field": field, "op": op, "value": value}))
    assert status == 0, err
    return json.loads(out)["customers"]


@pytest.mark.parametrize("value", ["O’Brien", "O'Brien", "obrien", "OBRIEN-SMITH", "o‘brien", "Zoe O’Brien",
                                   "zoë"])
def test_a_name_contains_whatever_the_apostrophe_accent_or_case(shop, capsys, value):
    assert _count(shop, capsys, "name", "contains", value) == 1


def test_a_name_is_and_in_fold_the_same(shop, capsys):
    assert _count(shop, capsys, "name", "is", "Zoe O’Brien-Smith") == 1
    assert _count(shop, capsys, "name", "is", "zoe obrien-smith") == 1
    assert _count(shop, capsys, "name", "in", ["zoe obrien-smith", "jose nunez"]) == 2
    assert _count(shop, capsys, "name", "is_not", "Zoë O’Brien-Smith") == 4
    assert _count(shop, capsys, "name", "contains", "o brien") == 0  # a space is not an apostrophe


def test_an_apostrophe_typed_is_still_one(shop, capsys):
    """"'ne" asks for an apostrophe before "ne": O'Neil, not Stone."""
    assert _count(shop, capsys, "name", "contains", "'ne") == 1
    assert _count(shop, capsys, "name", "contains", "’NE") == 1
    assert _count(shop, capsys, "name", "contains", "ne") == 3  # Stone and José Núñez too


def test_a_names_parts_read_any_apostrophe_as_one_and_keep_accents(shop, capsys):
    assert _count(shop, capsys, "last_name", "is", "O’Brien-Smith") == 1
    assert _count(shop, capsys, "first_name", "is", "ZOË") == 1
    assert _count(shop, capsys, "last_name", "contains", "nunez") == 0  # as every text but the name


def test_other_text_reads_any_apostrophe_as_one_and_keeps_accents(shop, capsys):
    assert _count(shop, capsys, "company", "contains", "Macy’s") == 1
    assert _count(shop, capsys, "company", "is", "lee's bakery") == 1
    assert _count(shop, capsys, "city", "is", "Kraków") == 1  # "Krakow" is another city's spelling
    assert _count(shop, capsys, "city", "contains", "krak") == 2


@pytest.mark.parametrize("typed", ["O’Brien", "O'Brien", "Zoe", "o‘brien-smith"])
def test_the_search_box_and_a_name_rule_find_the_same_customer(shop, capsys, typed):
    """What the Customers screen's search box finds for a name, a rule on the name picks too: an
    apostrophe typed of any kind finds the name written with either."""
    from omnidesk.core.customers import customer_ids
    from omnidesk.core.segments import member_ids
    from omnidesk.core.workspace import Workspace

    ws = Workspace.open(shop)
    try:
        found = list(customer_ids(ws, search=typed))
        assert len(found) == 1
        assert list(member_ids(ws, {"field": "name", "op": "contains", "value": typed})) == found
    finally:
        ws.close()
