"""A customer's name written right to left, or holding a bidirectional override, never turns the
text around it: `omnidesk message render` showed "Hi 20 ,محمد% off" for "Hi محمد, 20% off", and a first
name U+202E "evil" reversed the rest of the SMS, its opt-out line with it."""

from __future__ import annotations

import json
import re

import pytest

from tests.helpers import cli_shop_fixtures, run_cli

PEOPLE = (["First Name", "Email", "Email consent"],
          [["\u202eevil", "rlo@example.com", "yes"], ["محمد", "ar@example.com", "yes"],
           ["Ann\u200f", "ann@example.com", "yes"]])
shop_template, shop = cli_shop_fixtures(
    PEOPLE, ["brand", "set", "address", "1 Market St"], ["brand", "set", "name", "Harbor"])
CONTROLS = re.compile("[\u200e\u200f\u061c\u202a-\u202e\u2066\u2067]")


@pytest.fixture
def message(shop, capsys, tmp_path):
    doc = tmp_path / "bidi.json"
    doc.write_text(json.dumps({
        "name": "Bidi",
        "message": {"headline": "Spring sale", "body": "Hi {first_name|there}, 20% off all spring stock.",
                    "offer_code": "SPRING20", "offer_value": "20% off", "link": "https://shop.example/spring"},
        "variants": {"sms": {"text": "Harbor: Hi {first_name|there}, 20% off with SPRING20. "
                                     "Reply STOP to opt out."}}}), encoding="utf-8")
    assert run_cli(capsys, "-w", shop, "message", "import", doc)[0] == 0
    return "Bidi"


def _render(capsys, shop, message, channel, who, *more):
    status, out, err = run_cli(capsys, "-w", shop, "message", "render", message, "--channel", channel,
                               "--customer", who, *more)
    assert status == 0, err
    return out


def test_an_override_in_a_name_is_dropped_from_the_sms_and_the_email(shop, capsys, tmp_path, message):
    sms = _render(capsys, shop, message, "sms", "rlo@example.com")
    assert "Harbor: Hi evil, 20% off with SPRING20. Reply STOP to opt out." in sms
    email = _render(capsys, shop, message, "email", "rlo@example.com")
    assert "Hi evil, 20% off all spring stock." in email and not CONTROLS.search(email)
    page = tmp_path / "rlo.html"
    _render(capsys, shop, message, "email", "rlo@example.com", "--out", page)
    html = page.read_text(encoding="utf-8")
    assert "Hi <bdi>evil</bdi>, 20% off" in html and not CONTROLS.search(html)
    # A mark after a Latin name is dropped too: the comma after it stays where it is.
    assert "Hi Ann, 20% off with SPRING20" in _render(capsys, shop, message, "sms", "ann@example.com")


def test_a_right_to_left_name_is_set_apart_in_plain_text_and_html(shop, capsys, tmp_path, message):
    sms = _render(capsys, shop, message, "sms", "ar@example.com")
    assert "Harbor: Hi \u2068محمد\u2069, 20% off with SPRING20. Reply STOP to opt out." in sms
    email = _render(capsys, shop, message, "email", "ar@example.com")
    assert "Hi \u2068محمد\u2069, 20% off all spring stock." in email  # the text part
    page = tmp_path / "ar.html"
    _render(capsys, shop, message, "email", "ar@example.com", "--out", page)
    html = page.read_text(encoding="utf-8")
    assert "Hi <bdi>محمد</bdi>, 20% off all spring stock." in html  # <bdi> alone, no isolate inside


def test_isolates_count_in_the_sms_and_a_latin_name_adds_none(shop, capsys, message):
    status, out, _err = run_cli(capsys, "-w", shop, "message", "check", message, "--json")
    stats = json.loads(out)["stats"]["sms"]
    # The longest of the sample: the Arabic name with its two isolates, UCS-2 as the name makes it.
    longest = len("Harbor: Hi \u2068محمد\u2069, 20% off with SPRING20. Reply STOP to opt out.")
    assert (stats["encoding"], stats["length"]) == ("UCS-2", longest)
    # Without the Arabic name, every text stays GSM-7: a Latin name brings no isolate in.
    assert run_cli(capsys, "-w", shop, "customer", "set", "ar@example.com", "first_name", "Mo")[0] == 0
    status, out, _err = run_cli(capsys, "-w", shop, "message", "check", message, "--json")
    assert json.loads(out)["stats"]["sms"]["encoding"] == "GSM-7"
