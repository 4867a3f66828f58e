"""`omnidesk message check` reads "percent", "per cent" and "pct" as "%": an offer written in words
is compared as one written with the sign, in the master and in a variant."""

from __future__ import annotations

import json

import pytest

from tests.helpers import cli_shop_fixtures, run_cli

PEOPLE = (["First Name", "Email", "Email consent"], [["Ann", "ann@example.com", "yes"]])
shop_template, shop = cli_shop_fixtures(
    PEOPLE, ["brand", "set", "address", "1 Market St"], ["brand", "set", "sms_sender", "Shop"])


def _differs(capsys, tmp_path, shop, offer: str, said: str) -> list[str]:
    doc = tmp_path / "sale.json"
    doc.write_text(json.dumps({
        "name": "Sale",
        "message": {"headline": "Sale", "body": "A sale", "offer_value": offer, "offer_code": "SAVE",
                    "cta": "Shop now", "link": "https://shop.example/s"},
        "variants": {"sms": {"text": f"Shop: {said} with SAVE. Shop now https://shop.example/s Reply STOP to opt out"}}}),
        encoding="utf-8")
    status, _out, err = run_cli(capsys, "-w", shop, "message", "import", doc)
    assert status == 0, err
    _status, out, _err = run_cli(capsys, "-w", shop, "message", "check", "Sale", "--json")
    return [f["message"] for f in json.loads(out)["findings"] if f["code"] == "offer_value_differs"]


@pytest.mark.parametrize(("offer", "said"), [
    ("20% off", "30 percent off"), ("20% off", "Save 30 per cent"), ("20% off", "30 pct off"),
    ("20% off", "30 Percent OFF"), ("20 percent off", "50% off"), ("20 per cent off", "save 50%"),
    ("20 pct off", "30 percent off"), ("20 % off", "30% off")])
def test_an_offer_in_words_that_is_not_the_masters_fails_the_check(shop, capsys, tmp_path, offer, said):
    found = _differs(capsys, tmp_path, shop, offer, said)
    assert len(found) == 1 and found[0].endswith(f"here, but the offer is “{offer}”"), found


@pytest.mark.parametrize(("offer", "said"), [
    ("20% off", "20 percent off"), ("20 percent off", "20% off"), ("20 per cent off", "save 20 pct"),
    ("up to 40 percent off", "30% off")])
def test_the_same_offer_in_words_or_with_the_sign_passes(shop, capsys, tmp_path, offer, said):
    assert _differs(capsys, tmp_path, shop, offer, said) == []


def test_an_amount_of_money_under_a_master_in_percent_differs(shop, capsys, tmp_path):
    assert len(_differs(capsys, tmp_path, shop, "20 percent off", "$50 off")) == 1
