"""`omnidesk message check` warns of a link tagged for another channel or another campaign: an SMS
link with utm_source=facebook, or with utm_campaign=black-friday-2025 in the message "Spring sale",
counts its visits elsewhere, and the check said nothing."""

from __future__ import annotations

import json

import pytest

from tests.helpers import cli_shop_fixtures, run_cli

PEOPLE = (["First Name", "Email", "Email consent"], [["Ann", "ann@example.com", "yes"]])
shop_template, shop = cli_shop_fixtures(
    PEOPLE, ["brand", "set", "address", "1 Market St"], ["brand", "set", "sms_sender", "Shop"])
MASTER = {"headline": "Spring sale", "body": "20% off", "offer_value": "20% off", "offer_code": "SPRING20",
          "cta": "Shop now", "link": "https://shop.example/spring"}


def _tags(capsys, tmp_path, shop, tags: str) -> list[dict]:
    doc = tmp_path / "sale.json"
    text = f"Shop: 20% off with SPRING20. Shop now https://shop.example/spring?{tags} Reply STOP to opt out."
    doc.write_text(json.dumps({"name": "Spring sale", "message": MASTER, "variants": {"sms": {"text": text}}}),
                   encoding="utf-8")
    status, _out, err = run_cli(capsys, "-w", shop, "message", "import", doc)
    assert status == 0, err
    _status, out, _err = run_cli(capsys, "-w", shop, "message", "check", "Spring sale", "--json")
    return [f for f in json.loads(out)["findings"] if f["code"] == "link_tags_differ"]


@pytest.mark.parametrize(("tags", "said", "should"), [
    ("utm_source=facebook&utm_medium=social&utm_campaign=spring-sale", "utm_source=facebook, utm_medium=social",
     "utm_source=sms&utm_medium=sms"),
    ("utm_source=sms&utm_medium=sms&utm_campaign=black-friday-2025", "utm_campaign=black-friday-2025",
     "utm_campaign=spring-sale")])
def test_a_link_tagged_for_another_channel_or_campaign_is_warned_of(shop, capsys, tmp_path, tags, said, should):
    found = _tags(capsys, tmp_path, shop, tags)
    assert [(f["severity"], f["channel"], f["field"]) for f in found] == [("warning", "sms", "text")]
    assert f"?{tags} is tagged {said}: its visits would be counted for another" in found[0]["message"]
    assert found[0]["message"].endswith(f"tag it {should}")


def test_a_link_tagged_for_this_sms_of_this_message_passes(shop, capsys, tmp_path):
    assert _tags(capsys, tmp_path, shop, "utm_source=sms&utm_medium=sms&utm_campaign=spring-sale") == []
    assert _tags(capsys, tmp_path, shop, "utm_campaign=Spring-Sale&utm_medium=sms&utm_source=SMS") == []


def test_the_brands_campaign_pattern_is_the_one_compared_with(shop, capsys, tmp_path):
    assert run_cli(capsys, "-w", shop, "brand", "set", "utm_campaign", "2026-{message}")[0] == 0
    found = _tags(capsys, tmp_path, shop, "utm_source=sms&utm_medium=sms&utm_campaign=spring-sale")
    assert len(found) == 1 and found[0]["message"].endswith("tag it utm_campaign=2026-spring-sale")
    assert _tags(capsys, tmp_path, shop, "utm_source=sms&utm_medium=sms&utm_campaign=2026-spring-sale") == []
