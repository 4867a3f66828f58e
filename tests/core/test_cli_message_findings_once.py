"""The check said one thing as many times as a variant's field held it: ``{city}`` written three times
in a post gave three ``personal_token`` warnings, one link twice in it two ``link_without_utm``.  One
finding is said once per variant and field; a word in two fields is still said for each, for the
window to take the user to each."""

from __future__ import annotations

import json

from tests.helpers import cli_shop_fixtures, run_cli

PEOPLE = (["First Name", "Email", "City", "Email consent"], [["Ann", "ann@example.com", "Paris", "yes"]])
shop_template, shop = cli_shop_fixtures(
    PEOPLE, ["brand", "set", "address", "1 Market St"], ["brand", "set", "banned_words", "guaranteed"])
MASTER = {"headline": "Spring sale", "body": "20% off", "offer_value": "20% off", "cta": "Shop now",
          "link": "https://shop.example/spring"}


def test_a_thing_said_twice_in_a_field_is_found_once(shop, capsys, tmp_path):
    doc = tmp_path / "sale.json"
    doc.write_text(json.dumps({"name": "Spring sale", "message": MASTER, "variants": {
        "instagram": {"text": "{city} sale in {city}, 20% off: Shop now https://shop.example/spring and "
                              "https://shop.example/spring"},
        "email": {"subject": "Spring sale", "preheader": "Guaranteed 20% off",
                  "body": "Guaranteed 20% off, guaranteed. Shop now https://shop.example/spring"}}}),
        encoding="utf-8")
    status, _out, err = run_cli(capsys, "-w", shop, "message", "import", doc)
    assert status == 0, err
    _status, out, _err = run_cli(capsys, "-w", shop, "message", "check", "Spring sale", "--json")
    found = [(f["channel"], f["code"], f["field"]) for f in json.loads(out)["findings"]
             if f["code"] in ("personal_token", "link_without_utm", "banned_word")]
    assert sorted(found) == [
        ("email", "banned_word", "body"), ("email", "banned_word", "preheader"),
        ("email", "link_without_utm", "body"),
        ("instagram", "link_without_utm", "text"), ("instagram", "personal_token", "text")]
