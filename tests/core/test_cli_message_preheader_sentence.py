"""The preheader an email's variant is made with ends at the body's first full stop in its own words:
one in a token's fallback ("{full_name|Mr. or Mrs. Customer}") cut the token in half, and every
reader saw "Dear {full_name|Mr." while the check called the variant broken."""

from __future__ import annotations

import json

import pytest

from tests.helpers import cli_shop_fixtures, run_cli

PEOPLE = (["First Name", "Email", "Email consent"], [["Ann", "ann@example.com", "yes"]])
shop_template, shop = cli_shop_fixtures(PEOPLE, ["brand", "set", "address", "1 Market St"])


def _made(capsys, tmp_path, shop, body: str) -> tuple[str, list[dict]]:
    doc = tmp_path / "sale.json"
    doc.write_text(json.dumps({"name": "Sale", "message": {
        "headline": "Spring sale", "body": body, "offer_value": "20% off", "cta": "Shop now",
        "link": "https://shop.example/s"}}), encoding="utf-8")
    status, _out, err = run_cli(capsys, "-w", shop, "message", "import", doc)
    assert status == 0, err
    status, out, err = run_cli(capsys, "-w", shop, "message", "render", "Sale", "--channel", "email")
    assert status == 0, err
    preheader = next(line for line in out.splitlines() if line.startswith("Preheader: "))[len("Preheader: "):]
    _status, out, _err = run_cli(capsys, "-w", shop, "message", "check", "Sale", "--json")
    return preheader, json.loads(out)["findings"]


@pytest.mark.parametrize("body, preheader", [
    ("Dear {full_name|Mr. or Mrs. Customer}, 20% off everything today. See you soon.",
     "Dear Mr. or Mrs. Customer, 20% off everything today."),
    ("{first_name|Hello! Dear friend}, 20% off today. See you soon.", "Hello! Dear friend, 20% off today.")])
def test_a_mark_in_a_fallback_does_not_end_the_preheader(shop, capsys, tmp_path, body, preheader):
    shown, found = _made(capsys, tmp_path, shop, body)
    assert shown == preheader
    assert [f for f in found if f["code"] == "token"] == []
