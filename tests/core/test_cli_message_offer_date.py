"""A variant made from the master writes the offer's end date as {offer_expires} writes it ("31 Oct 2030"),
not as the master keeps it ("2030-10-31"): an SMS made with one and a token in another said one day two
ways.  A variant saved before, with the date as the master keeps it, is still the same date to the check."""

from __future__ import annotations

import json

import time_machine

from tests.helpers import cli_shop_fixtures, run_cli

PEOPLE = (["First Name", "Email", "Phone", "Email consent"], [["Ann", "ann@example.com", "+12125550101", "yes"]])
shop_template, shop = cli_shop_fixtures(PEOPLE, ["brand", "set", "address", "1 Market St"],
                                        ["brand", "set", "name", "Acme"])
MASTER = {"headline": "Spring sale", "body": "20% off everything.", "offer_code": "S20", "offer_value": "20% off",
          "offer_expires": "2030-10-31", "cta": "Shop now", "link": "https://shop.example/s"}
LINK = "https://shop.example/s?utm_source=sms&utm_medium=sms&utm_campaign=sale"


def _imported(capsys, tmp_path, shop, **variants) -> None:
    doc = tmp_path / "sale.json"
    doc.write_text(json.dumps({"name": "Sale", "message": MASTER, **({"variants": variants} if variants else {})}),
                   encoding="utf-8")
    status, _out, err = run_cli(capsys, "-w", shop, "message", "import", doc)
    assert status == 0, err


def _expiry(capsys, shop) -> list[tuple[str, str, str]]:
    _status, out, _err = run_cli(capsys, "-w", shop, "message", "check", "Sale", "--json")
    return [(f["channel"], f["field"], f["message"]) for f in json.loads(out)["findings"]
            if f["code"] == "expiry_differs"]


@time_machine.travel("2030-03-01 12:00:00Z", tick=False)
def test_made_variants_write_the_end_date_as_the_token_does(shop, capsys, tmp_path):
    _imported(capsys, tmp_path, shop)
    for channel in ("sms", "email", "facebook"):
        status, out, err = run_cli(capsys, "-w", shop, "message", "render", "Sale", "--channel", channel)
        assert status == 0, err
        assert "until 31 Oct 2030" in out and "2030-10-31" not in out
    assert _expiry(capsys, shop) == []


@time_machine.travel("2030-03-01 12:00:00Z", tick=False)
def test_a_variant_saved_with_the_date_as_the_master_keeps_it_is_the_same_date(shop, capsys, tmp_path):
    text = f"Acme: Spring sale. 20% off with code S20, until {{}}. {LINK} Reply STOP to opt out."
    _imported(capsys, tmp_path, shop, sms={"text": text.format("2030-10-31")})
    assert _expiry(capsys, shop) == []
    _imported(capsys, tmp_path, shop, sms={"text": text.format("2030-10-30")})
    assert _expiry(capsys, shop) == [("sms", "text", "30 Oct 2030 here, but the offer ends 31 Oct 2030")]


@time_machine.travel("2030-03-01 12:00:00Z", tick=False)
def test_a_start_date_is_not_read_as_the_offers_end(shop, capsys, tmp_path):
    """"Sale runs 1 Oct to 31 Oct." was an error, "1 Oct here, but the offer ends 31 Oct 2030", and
    blocked the campaign: only a date the words make the end is compared with the offer's."""
    text = "Acme: {} 20% off with code S20. Shop now " + LINK + " Reply STOP to opt out."
    for said in ("Sale runs 1 Oct to 31 Oct.", "Starts Oct 1, ends Oct 31.",
                 "Doors open at 9 on 1 Oct, sale until 31 Oct.", "Doors open 1 Oct.", "From 1.10. bis 31.10."):
        _imported(capsys, tmp_path, shop, sms={"text": text.format(said)})
        assert _expiry(capsys, shop) == [], said
    # The end of a range, a date after end words, and the only date given are the end.
    for said, shown in (("Sale runs 1 Oct to 30 Oct", "30 Oct"), ("Starts Oct 1, ends Oct 30", "Oct 30"),
                        ("Order by 20 Oct", "20 Oct"), ("Sale 1 Oct!", "1 Oct"),
                        ("From 1.10. bis 30.10.", "30.10.")):
        _imported(capsys, tmp_path, shop, sms={"text": text.format(said)})
        assert _expiry(capsys, shop) == [("sms", "text", f"{shown} here, but the offer ends 31 Oct 2030")], said
