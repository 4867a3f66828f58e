"""`omnidesk message check` fails a variant whose message token renders as nothing for everyone:
"with code {offer_code}, until {offer_expires}." under a master with neither sent "with code , until ."
to every recipient, and the check said nothing."""

from __future__ import annotations

import json

from tests.helpers import cli_shop_fixtures, run_cli

PEOPLE = (["First Name", "Email", "Email consent"], [["Ann", "ann@example.com", "yes"]])
shop_template, shop = cli_shop_fixtures(
    PEOPLE, ["brand", "set", "address", "1 Market St"], ["brand", "set", "sms_sender", "Shop"])
LINK = "https://shop.example/s?utm_source=sms&utm_medium=sms&utm_campaign=sale"


def _check(capsys, tmp_path, shop, master: dict, text: str) -> tuple[int, list[dict], str]:
    doc = tmp_path / "sale.json"
    doc.write_text(json.dumps({"name": "Sale", "message": master, "variants": {"sms": {"text": text}}}),
                   encoding="utf-8")
    status, _out, err = run_cli(capsys, "-w", shop, "message", "import", doc)
    assert status == 0, err
    _status, out, _err = run_cli(capsys, "-w", shop, "message", "check", "Sale", "--json")
    status, plain, _err = run_cli(capsys, "-w", shop, "message", "check", "Sale")
    return status, json.loads(out)["findings"], plain


def test_an_offer_token_the_master_has_no_value_for_fails_the_check(shop, capsys, tmp_path):
    master = {"headline": "Sale", "body": "20% off", "offer_value": "20% off", "link": "https://shop.example/s"}
    text = f"Shop: 20% off with code {{offer_code}}, until {{offer_expires}}. {LINK} Reply STOP to opt out."
    status, found, plain = _check(capsys, tmp_path, shop, master, text)
    empty = [(f["severity"], f["field"], f["message"]) for f in found if f["code"] == "token_empty"]
    assert status == 1
    assert [e[:2] for e in empty] == [("error", "text"), ("error", "text")]
    assert empty[0][2].startswith("{offer_code} is empty for everyone: the master has no offer code, "
                                  "so every reader of the SMS gets nothing there")
    assert empty[1][2].startswith("{offer_expires} is empty for everyone: the master has no end date")
    assert "error    SMS text: {offer_code} is empty for everyone" in plain


def test_the_same_tokens_with_values_or_fallbacks_pass(shop, capsys, tmp_path):
    master = {"headline": "Sale", "body": "20% off", "offer_value": "20% off", "offer_code": "SAVE",
              "offer_expires": "2030-10-31", "link": "https://shop.example/s"}
    text = f"Shop: 20% off with code {{offer_code}}, until {{offer_expires}}. {LINK} Reply STOP to opt out."
    assert [f for f in _check(capsys, tmp_path, shop, master, text)[1] if f["code"] == "token_empty"] == []
    del master["offer_expires"]
    text = f"Shop: 20% off with code {{offer_code}} {{offer_expires|while stocks last}}. {LINK} Reply STOP to opt out."
    assert [f for f in _check(capsys, tmp_path, shop, master, text)[1] if f["code"] == "token_empty"] == []
