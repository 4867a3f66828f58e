"""`omnidesk message check` reads an offer's amount written without a currency sign as money in the
shop's currency: "10 off" in a shop selling in pounds is £10 off, so a variant saying "$10 off" or
"€10 off" is another offer, and one saying "£10 off" or "GBP 10 off" the same."""

from __future__ import annotations

import json

import pytest

from tests.helpers import cli_shop_fixtures, run_cli

PEOPLE = (["First Name", "Email", "Email consent"], [["Ann", "ann@example.co.uk", "yes"]])
shop_template, shop = cli_shop_fixtures(
    PEOPLE, ["settings", "default_region", "GB"], ["settings", "currency", "GBP"],
    ["brand", "set", "address", "1 High St, London"], ["brand", "set", "sms_sender", "Shop"])


def _offer_findings(capsys, tmp_path, shop, offer: str, sms: str, email: str) -> list[tuple[str, str, str]]:
    doc = tmp_path / "sale.json"
    doc.write_text(json.dumps({
        "name": "Sale",
        "message": {"headline": "Sale", "body": "10 off today", "offer_value": offer, "offer_code": "TEN",
                    "cta": "Shop now", "link": "https://shop.example/s"},
        "variants": {"sms": {"text": f"Shop: {sms} with TEN https://shop.example/s Reply STOP to opt out"},
                     "email": {"subject": email, "preheader": f"{email} with TEN",
                               "body": f"{email} with TEN at https://shop.example/s"}}}), encoding="utf-8")
    status, _out, err = run_cli(capsys, "-w", shop, "message", "import", doc)
    assert status == 0, err
    _status, out, _err = run_cli(capsys, "-w", shop, "message", "check", "Sale", "--json")
    return sorted((f["channel"], f["field"], f["message"]) for f in json.loads(out)["findings"]
                  if f["code"] == "offer_value_differs")


@pytest.mark.parametrize("offer", ["10 off", "£10 off", "GBP 10 off"])
def test_dollars_and_euros_are_not_the_pounds_of_an_offer_without_a_sign(shop, capsys, tmp_path, offer):
    found = _offer_findings(capsys, tmp_path, shop, offer, "$10 off", "€10 off")
    assert found == [("email", "body", f"“€10 off” here, but the offer is “{offer}”"),
                     ("email", "preheader", f"“€10 off” here, but the offer is “{offer}”"),
                     ("email", "subject", f"“€10 off” here, but the offer is “{offer}”"),
                     ("sms", "text", f"“$10 off” here, but the offer is “{offer}”")]


@pytest.mark.parametrize(("offer", "sms", "email"), [("10 off", "£10 off", "GBP 10 off"),
                                                      ("£10 off", "10 off", "10 GBP off"),
                                                      ("GBP 10 off", "£10 off", "10 off")])
def test_pounds_however_written_are_the_shops_offer(shop, capsys, tmp_path, offer, sms, email):
    assert _offer_findings(capsys, tmp_path, shop, offer, sms, email) == []


def test_in_a_shop_selling_in_dollars_an_amount_without_a_sign_is_in_dollars(shop, capsys, tmp_path):
    assert run_cli(capsys, "-w", shop, "settings", "currency", "USD")[0] == 0
    assert _offer_findings(capsys, tmp_path, shop, "10 off", "$10 off", "USD 10 off") == []
    assert [f[:2] for f in _offer_findings(capsys, tmp_path, shop, "10 off", "£10 off", "$10 off")] == \
        [("sms", "text")]
