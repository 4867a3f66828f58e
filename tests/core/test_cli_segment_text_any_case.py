"""A segment rule's text condition matches in any case in every alphabet, as the search box does:
Turkish İ and ı, and text written decomposed (as a Mac writes accents) or whole."""

from __future__ import annotations

import unicodedata

import pytest

from tests.helpers import cli_shop_fixtures, run_cli

PEOPLE = (["Email", "First Name", "Last Name", "City", "Tags"], [
    ["ismail@example.com", "İsmail", "Işık", "İstanbul", "İNDİRİM"],
    ["hang@example.com", "Hằng", unicodedata.normalize("NFD", "Nguyễn Thị"), "Hà Nội", ""],
    ["ann@example.com", "Ann", "Lee", "Boston", "vip"],
])

shop_template, shop = cli_shop_fixtures(PEOPLE)


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


def count(capsys, shop, field, op, value) -> int:
    import json

    rule = json.dumps({"field": field, "op": op, "value": value})
    status, out, err = run_cli(capsys, "segment", "count", "--rule", rule, "--json", "-w", shop)
    assert status == 0, err
    return json.loads(out)["customers"]


@pytest.mark.parametrize("field, op, value", [
    ("first_name", "is", "ismail"),
    ("first_name", "is", "İSMAİL"),
    ("first_name", "is", "ISMAIL"),
    ("first_name", "is", nfd("İsmail")),
    ("last_name", "is", "IŞIK"),
    ("last_name", "is", "ışık"),
    ("last_name", "in", ["nobody", "işık"]),
    ("city", "is", "istanbul"),
    ("city", "is", "İSTANBUL"),
    ("city", "is", "ISTANBUL"),
    ("city", "contains", "stanb"),
    ("first_name", "contains", nfd("Hằng")),
    ("first_name", "is", nfd("HẰNG")),
    ("last_name", "is", "Nguyễn Thị"),
    ("last_name", "contains", nfd("nguyễn")),
    ("city", "contains", nfd("Hà Nội")),
    ("name", "contains", nfd("hằng")),
    ("tag", "is", "indirim"),
    ("tag", "contains", "İndİ"),
])
def test_one_customer_whatever_the_case_or_form(shop, capsys, field, op, value):
    assert count(capsys, shop, field, op, value) == 1


def test_is_not_leaves_them_out_and_accents_still_count(shop, capsys):
    assert count(capsys, shop, "first_name", "is_not", "ISMAIL") == 2
    assert count(capsys, shop, "city", "is_not", nfd("hà nội")) == 2
    # Any case, not any accent: "Ha Noi" is another spelling.
    assert count(capsys, shop, "city", "is", "ha noi") == 0
