"""A message file listing channels under ``variants`` with nothing in them (``"email": {}``) saved
every such variant empty, without a word, and the check then reported an error for each part of
each: "the Email variant is empty", "the link … is missing"…  An empty entry now adds the channel
made from the master, as **+ Channel** does in the window."""

from __future__ import annotations

import json

from tests.helpers import cli_shop_fixtures, run_cli

PEOPLE = (["First Name", "Email", "Email consent"], [["Ann", "ann@example.com", "yes"]])
shop_template, shop = cli_shop_fixtures(
    PEOPLE, ["brand", "set", "address", "1 Market St"], ["brand", "set", "sms_sender", "Shop"])
MASTER = {"headline": "Spring sale", "body": "Everything in store, 20% off.", "offer_value": "20% off",
          "offer_code": "SPRING20", "cta": "Shop now", "link": "https://shop.example/spring"}


def _import(capsys, tmp_path, shop, variants: dict, name: str = "Spring sale") -> str:
    doc = tmp_path / "sale.json"
    doc.write_text(json.dumps({"name": name, "message": MASTER, "variants": variants}), encoding="utf-8")
    status, out, err = run_cli(capsys, "-w", shop, "message", "import", doc)
    assert status == 0, err
    return out


def _exported(capsys, shop, name: str = "Spring sale") -> dict:
    out = shop.parent / "exported.json"
    status, _out, err = run_cli(capsys, "-w", shop, "message", "export-json", name, out, "--force")
    assert status == 0, err
    return json.loads(out.read_text(encoding="utf-8"))["variants"]


def test_an_empty_entry_adds_the_channel_made_from_the_master(shop, capsys, tmp_path):
    out = _import(capsys, tmp_path, shop, {"email": {}, "sms": {}, "x": {}, "website": {}})
    assert out.strip() == "Saved message Spring sale: email, sms, facebook, instagram, x, store, website"
    made = _exported(capsys, shop)
    # Each as a message without any listed makes it, and the added ones made from the master too.
    _import(capsys, tmp_path, shop, {}, name="Plain")
    plain = _exported(capsys, shop, "Plain")
    for channel in ("email", "sms"):
        assert made[channel] == json.loads(json.dumps(plain[channel]).replace("plain", "spring-sale"))
    assert made["x"]["text"].startswith("Spring sale\n\nEverything in store, 20% off.")
    assert made["website"] == {"text": "Spring sale — 20% off with code SPRING20", "link": "https://shop.example/spring"}

    _status, checked, _err = run_cli(capsys, "-w", shop, "message", "check", "Spring sale", "--json")
    assert [f for f in json.loads(checked)["findings"] if f["severity"] == "error"] == []
    status, listed, _err = run_cli(capsys, "-w", shop, "message", "list", "--json")
    assert [m["stale"] for m in json.loads(listed) if m["name"] == "Spring sale"] == [[]]


def test_an_empty_entry_keeps_a_variant_the_message_has(shop, capsys, tmp_path):
    sms = "Shop: Spring sale, 20% off with SPRING20. Shop now https://shop.example/spring Reply STOP to opt out."
    _import(capsys, tmp_path, shop, {"sms": {"text": sms}})
    _import(capsys, tmp_path, shop, {"sms": {}, "x": {}})
    variants = _exported(capsys, shop)
    assert variants["sms"] == {"text": sms}  # as typed: an empty entry adds the channel, it writes over nothing
    assert variants["x"]["text"]


def test_an_empty_entry_of_no_channel_is_refused(shop, capsys, tmp_path):
    doc = tmp_path / "sale.json"
    doc.write_text(json.dumps({"name": "Spring sale", "message": MASTER, "variants": {"fax": {}}}), encoding="utf-8")
    status, _out, err = run_cli(capsys, "-w", shop, "message", "import", doc)
    assert status == 1 and "variants.fax: not a channel of a message" in err
    status, listed, _err = run_cli(capsys, "-w", shop, "message", "list", "--json")
    assert json.loads(listed) == []
