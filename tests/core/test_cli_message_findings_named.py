"""A finding says which field it is in and the token as the user typed it, and a token that is an
error for not existing is not warned about as well.

``{city}`` without a fallback in an email's preheader and body gave two identical lines,
"Email: {city} has no fallback…", told apart only by ``--json``; ``{custom.Points}`` came back as
``{custom.points}``; and a custom field the shop does not have was both an error and "13 of 13 sample
customers have no value for it"."""

from __future__ import annotations

import json

from tests.helpers import cli_shop_fixtures, run_cli

PEOPLE = (["First Name", "Email", "City", "Email consent", "Tier"],
          [[f"Customer{i}", f"c{i}@example.com", "" if i < 3 else "Paris", "yes", "" if i < 5 else "Gold"]
           for i in range(13)])
shop_template, shop = cli_shop_fixtures(PEOPLE, ["brand", "set", "address", "1 Market St"])
MASTER = {"headline": "Spring sale", "body": "20% off", "offer_value": "20% off", "cta": "Shop now",
          "link": "https://shop.example/spring?utm_source=x"}
EMAIL = {"subject": "Spring sale", "preheader": "Our {city} store: 20% off",
         "body": "Hi {first_name|there}, come to our store in {city}. You have {custom.Points} points and "
                 "{Custom.Tier} status. Shop now https://shop.example/spring?utm_source=x"}


def _check(shop, capsys, tmp_path) -> tuple[list[str], list[dict]]:
    doc = tmp_path / "sale.json"
    doc.write_text(json.dumps({"name": "Spring sale", "message": MASTER, "variants": {"email": EMAIL}}),
                   encoding="utf-8")
    status, _out, err = run_cli(capsys, "-w", shop, "message", "import", doc)
    assert status == 0, err
    status, out, _err = run_cli(capsys, "-w", shop, "message", "check", "Spring sale")
    assert status == 1  # the unknown custom field is an error
    _status, as_json, _err = run_cli(capsys, "-w", shop, "message", "check", "Spring sale", "--json")
    return out.splitlines(), [f for f in json.loads(as_json)["findings"] if f["channel"] == "email"]


def test_each_finding_names_its_field(shop, capsys, tmp_path):
    lines, _found = _check(shop, capsys, tmp_path)
    city = [line for line in lines if "{city} has no fallback" in line]
    assert len(city) == 2 and len(set(city)) == 2
    assert city[0].startswith("warning  Email preheader: {city} has no fallback and 3 of 13 sample customers")
    assert city[1].startswith("warning  Email body: {city} has no fallback and 3 of 13 sample customers")
    # Every finding on a field says which; the variant's own (its offer code nowhere) says the channel.
    email = [line.split(None, 1)[1] for line in lines if line.startswith(("error", "warning"))
             and line.split(None, 1)[1].startswith("Email")]
    assert email and all(line.startswith(("Email preheader: ", "Email body: ", "Email subject: "))
                         or line.endswith("[offer_code_missing]") for line in email), email

def test_a_token_is_said_back_as_it_was_typed(shop, capsys, tmp_path):
    lines, found = _check(shop, capsys, tmp_path)
    assert ("error    Email body: Unknown token {custom.Points}: there is no custom field called “Points” [token]"
            in lines)
    tier = [f["message"] for f in found if f["code"] == "token_no_fallback" and "Tier" in f["message"]]
    assert tier == ["{Custom.Tier} has no fallback and 5 of 13 sample customers have no value for it: they read "
                    "nothing there; write {Custom.Tier|…}"]
    assert not any("custom.points" in f["message"] or "custom.tier" in f["message"] for f in found)


def test_a_token_that_does_not_exist_is_an_error_and_nothing_more(shop, capsys, tmp_path):
    _lines, found = _check(shop, capsys, tmp_path)
    about_points = [(f["severity"], f["code"]) for f in found if "custom.points" in f["message"].casefold()]
    assert about_points == [("error", "token")]
