"""A pair kept apart and put back for review calls the shop's own phone (or front desk email) what
the resolver calls it: shared, not "same phone" or "same email".

The till typed the shop's landline (or its front desk address) for customers of five different
last names, two Maria Garcias among them, each with nothing else.  The number is all that links
the two Marias: a question, and a weak one.  The owner keeps them apart, then is not sure any
more: the pair is back in the queue as weak as it was asked first, and once the owner accepts it,
the card says what they saw.
"""

from __future__ import annotations

import csv
import json

import pytest

from omnidesk.core.identity.scoring import SHARED_EMAIL, SHARED_PHONE
from tests.helpers import cli_at, write_csv

HEADER = ["First Name", "Last Name", "Email", "Phone", "City"]
SHOP_LINE = "602-264-0100"
FRONT_DESK = "frontdesk@sunvalleydental.com"
STRANGERS = (("Tom", "Nguyen"), ("Ann", "Park"), ("Luis", "Ortega"), ("Beth", "Kim"))


def _namesakes_on(tmp_path, ws, capsys, column: str, value: str) -> dict:
    """Maria Garcia from the till and Maria Garcia from the shop, linked only by ``value``: the one queued pair."""
    def row(first, last):
        return [first, last, value if column == "email" else "", value if column == "phone" else "", "Phoenix"]

    till = [row("Maria", "Garcia")] + [row(first, last) for first, last in STRANGERS]
    cli_at(capsys, ws, "import", write_csv(tmp_path / "till.csv", HEADER, till), "--channel", "pos", "--region", "US")
    cli_at(capsys, ws, "import", write_csv(tmp_path / "shop.csv", HEADER, [row("Maria", "Garcia")]),
           "--channel", "shop", "--region", "US")
    (pair,) = json.loads(cli_at(capsys, ws, "review", "list", "--json"))
    return pair


@pytest.mark.parametrize(("column", "value", "shared", "same"), [
    ("phone", SHOP_LINE, SHARED_PHONE, "same phone"),
    ("email", FRONT_DESK, SHARED_EMAIL, "same email"),
])
def test_a_pair_kept_apart_and_put_back_says_the_number_is_shared(capsys, tmp_path, column, value, shared, same):
    ws = tmp_path / "ws.omnidesk"
    asked = _namesakes_on(tmp_path, ws, capsys, column, value)
    assert shared in asked["reasons"] and same not in asked["reasons"], asked
    left, right = asked["left"]["id"], asked["right"]["id"]

    cli_at(capsys, ws, "review", "reject", asked["id"])
    (apart,) = json.loads(cli_at(capsys, ws, "review", "apart", "--json"))
    assert {apart["left"]["id"], apart["right"]["id"]} == {left, right}

    said = cli_at(capsys, ws, "review", "again", left, right)
    assert "back in the review queue" in said
    (again,) = json.loads(cli_at(capsys, ws, "review", "list", "--json"))
    assert {again["left"]["id"], again["right"]["id"]} == {left, right}
    assert shared in again["reasons"] and same not in again["reasons"], again
    assert again["score"] == pytest.approx(asked["score"]), (asked, again)
    listed = cli_at(capsys, ws, "review", "list")
    assert shared in listed and same not in listed, listed

    # Accepted after all: the card gives the evidence the owner saw.
    cli_at(capsys, ws, "review", "accept", again["id"])
    links = json.loads(cli_at(capsys, ws, "customer", "why", left, "--json"))["links"]
    why = " | ".join(link["why"] for link in links)
    assert shared in why and same not in why, why


def test_a_split_asks_again_with_the_shops_phone_said_to_be_shared(capsys, tmp_path):
    """Three Maria Garcias on the shop's line: two merged by hand, then split again.  Review asks
    again about both customers, with the number as weak as an import weighs it."""
    ws = tmp_path / "ws.omnidesk"
    _namesakes_on(tmp_path, ws, capsys, "phone", SHOP_LINE)
    cli_at(capsys, ws, "import", write_csv(tmp_path / "web.csv", HEADER, [["Maria", "Garcia", "", SHOP_LINE, "Phoenix"]]),
           "--channel", "web", "--region", "US")
    cli_at(capsys, ws, "export", "sources", tmp_path / "sources.csv")
    with (tmp_path / "sources.csv").open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    till, shop = (next(r for r in rows if r["source_file"] == name and r["last_name"] == "Garcia")
                  for name in ("till.csv", "shop.csv"))
    cli_at(capsys, ws, "merge", till["customer_id"], shop["customer_id"])
    cli_at(capsys, ws, "unmerge", shop["record_id"])
    asked = json.loads(cli_at(capsys, ws, "review", "list", "--json"))
    assert len(asked) == 2, asked
    for pair in asked:
        assert SHARED_PHONE in pair["reasons"] and "same phone" not in pair["reasons"], pair
