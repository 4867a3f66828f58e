"""The campaign's check is its export's gate: a value the email's audience file would refuse (a
custom field or a city the message puts in, longer than a Mailchimp field holds) is an error of
the check, so the campaign is not scheduled with it, rather than a check with warnings only and
an export that then stops at it."""

from __future__ import annotations

import json

import time_machine

from tests.helpers import cli_shop_fixtures, run_cli

PEOPLE = (["First Name", "Last Name", "Email", "Accepts Email Marketing", "City", "Note code"],
          [["Lou", "X", "lou@example.com", "yes", "Lyon", "é" * 140],  # 280 bytes
           ["Sam", "Y", "sam@example.com", "yes", "Ç" * 128, "abc"]])  # 256 bytes
shop_template, shop = cli_shop_fixtures(PEOPLE, ["settings", "timezone", "America/New_York"],
                                        ["brand", "set", "name", "Harbor"],
                                        ["brand", "set", "address", "12 Quay St, Portland"])


def plan(tmp_path, body: str, name: str = "Lng"):
    path = tmp_path / f"{name}.json"
    path.write_text(json.dumps({
        "name": name, "message": {"headline": "Hi", "body": body, "link": "https://shop.example/x"},
        "audience": "everyone", "steps": [{"channel": "email", "at": "2027-03-01T12:00",
                                           "timezone": "America/New_York"}]}), encoding="utf-8")
    return path


@time_machine.travel("2027-02-01 12:00:00Z", tick=False)
def test_a_custom_field_too_long_for_mailchimp_is_an_error_of_the_check(shop, capsys, tmp_path):
    w = ["-w", str(shop)]
    assert run_cli(capsys, "campaign", "import", plan(tmp_path, "Code {custom.Note code|none}, 20% off."), *w)[0] == 0
    status, said, _err = run_cli(capsys, "campaign", "check", "Lng", *w)
    assert status == 1
    assert ("error    Email: 1 email recipient has a {custom.note code} longer than Mailchimp keeps (255 bytes; "
            "the audience file's NOTE_CODE column), which the message would show cut off: customer 1 (280 bytes); "
            "shorten it on the card before exporting [field_too_long]") in said
    status, _out, err = run_cli(capsys, "campaign", "schedule", "Lng", *w)
    assert status == 1 and "[field_too_long]" not in err and "NOTE_CODE column" in err
    status, _out, err = run_cli(capsys, "campaign", "export", "Lng", "--out", tmp_path / "packs", *w)
    assert status == 1 and "NOTE_CODE column" in err and not (tmp_path / "packs").exists()

    # Shortened on the card, the check passes and the export writes it whole.
    assert run_cli(capsys, "customer", "set", "1", "custom.Note code", "é" * 127, *w)[0] == 0
    status, said, err = run_cli(capsys, "campaign", "check", "Lng", *w)
    assert status == 0 and "error" not in said, said + err
    assert run_cli(capsys, "campaign", "schedule", "Lng", *w)[0] == 0
    status, said, err = run_cli(capsys, "campaign", "export", "Lng", "--out", tmp_path / "packs", *w)
    assert status == 0 and "(2 recipients)" in said, err


@time_machine.travel("2027-02-01 12:00:00Z", tick=False)
def test_a_city_too_long_is_found_only_when_the_message_puts_it_in(shop, capsys, tmp_path):
    w = ["-w", str(shop)]
    assert run_cli(capsys, "campaign", "import", plan(tmp_path, "Hello from {city|here}."), *w)[0] == 0
    status, said, _err = run_cli(capsys, "campaign", "check", "Lng", *w)
    assert status == 1 and "customer 2 (256 bytes)" in said and "CITY column" in said
    assert run_cli(capsys, "campaign", "import", plan(tmp_path, "Hello, 20% off.", "Plain"), *w)[0] == 0
    status, said, err = run_cli(capsys, "campaign", "check", "Plain", *w)
    assert status == 0 and "error" not in said, said + err
    status, said, err = run_cli(capsys, "campaign", "export", "Plain", "--out", tmp_path / "packs", *w)
    assert status == 0, err
