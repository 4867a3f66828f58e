"""The check's ``sms_unicode`` warning named the characters that make an SMS UCS-2 one code point
at a time: for a customer named محمد it listed the invisible isolates Omnidesk itself sets around
the name ("\\u2068 م ح د \\u2069 in a customer's details"), an emoji family or a flag came in
pieces with a blank for the zero-width joiner, and a no-break space was a raw ``\\xa0``.  It now
lists what a reader sees as one character, names the invisible ones, and leaves the isolates out."""

from __future__ import annotations

import json

from tests.helpers import cli_shop_fixtures, run_cli

PEOPLE = (["First Name", "Email", "Phone", "SMS consent"], [["محمد", "m@example.com", "+16175550101", "yes"]])
shop_template, shop = cli_shop_fixtures(PEOPLE, ["brand", "set", "sms_sender", "Shop"])
MASTER = {"headline": "Spring sale", "body": "20% off", "offer_value": "20% off", "cta": "Shop now",
          "link": "https://shop.example/spring"}
TAIL = "20% off. Shop now https://shop.example/spring?utm_source=sms&utm_medium=sms&utm_campaign=spring-sale Reply STOP to opt out."


def _unicode_warning(capsys, tmp_path, shop, text: str) -> tuple[str, str]:
    doc = tmp_path / "sale.json"
    doc.write_text(json.dumps({"name": "Spring sale", "message": MASTER, "variants": {"sms": {"text": text}}}),
                   encoding="utf-8")
    status, _out, err = run_cli(capsys, "-w", shop, "message", "import", doc)
    assert status == 0, err
    _status, out, _err = run_cli(capsys, "-w", shop, "message", "check", "Spring sale", "--json")
    (found,) = [f["message"] for f in json.loads(out)["findings"] if f["code"] == "sms_unicode"]
    _status, said, _err = run_cli(capsys, "-w", shop, "message", "check", "Spring sale")
    (line,) = [line for line in said.splitlines() if line.endswith("[sms_unicode]")]
    return found, line


def test_a_customers_name_is_named_without_the_isolates_around_it(shop, capsys, tmp_path):
    found, line = _unicode_warning(capsys, tmp_path, shop, f"Shop: Hi {{first_name|there}}, {TAIL}")
    assert found == "م, ح, د in a customer's details make their text UCS-2 (70 a segment, not 160)"
    assert "\\u2068" not in line and "\u2068" not in line and "\\u2069" not in line


def test_emoji_whole_and_invisible_characters_named(shop, capsys, tmp_path):
    text = f"Shop: Spring\u00a0sale \U0001F1F5\U0001F1F1\U0001F468\u200d\U0001F469\u200d\U0001F467 {TAIL}"
    found, line = _unicode_warning(capsys, tmp_path, shop, text)
    assert found.startswith("the no-break space (U+00A0), \U0001F1F5\U0001F1F1, "
                            "\U0001F468\u200d\U0001F469\u200d\U0001F467 make it UCS-2 (70 a segment, not 160)")
    assert found.endswith("; the no-break space (U+00A0) → a space")
    assert "\\xa0" not in line
