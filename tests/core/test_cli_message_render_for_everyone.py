"""`omnidesk message render --customer` on a post, the poster or the banner: each is published once for
everyone, so it shows its personal tokens' fallbacks, as the campaign's export publishes it, and says
so on its error output.  It filled in the customer's name ("Hi O'Brien") where the export wrote "Hi friend"."""

from __future__ import annotations

import json

import pypdfium2
import pytest

from tests.helpers import cli_shop_fixtures, run_cli

PEOPLE = (["Email", "First Name", "Accepts Email Marketing"], [["ob@example.com", "O'Brien", "yes"]])
shop_template, shop = cli_shop_fixtures(PEOPLE, ["brand", "set", "address", "12 Quay St, Portland"],
                                        ["brand", "set", "name", "Harbor"])
MESSAGE = {"name": "Personal", "message": {
    "headline": "Hi {first_name|friend}", "body": "Hi {first_name|there}, 20% off with {offer_code}.",
    "offer_code": "P20", "offer_value": "20% off", "cta": "Shop now", "link": "https://hc.example/p"},
    "variants": {"website": {"text": "Hi {first_name|friend}, 20% off with P20", "link": "https://hc.example/p"}}}


@pytest.fixture
def personal(shop, tmp_path, capsys):
    path = tmp_path / "m.json"
    path.write_text(json.dumps(MESSAGE), encoding="utf-8")
    assert run_cli(capsys, "message", "import", path, "-w", shop)[0] == 0
    return shop


@pytest.mark.parametrize("channel, what", [("facebook", "the Facebook post"), ("website", "the website banner")])
def test_a_post_or_banner_for_one_customer_is_what_everyone_sees(personal, capsys, channel, what):
    status, out, err = run_cli(capsys, "message", "render", "Personal", "--channel", channel,
                               "--customer", "ob@example.com", "-w", personal)
    assert status == 0
    assert "Hi friend" in out and "O'Brien" not in out and "with P20" in out  # the offer is everyone's
    assert err == (f"omnidesk: note: --customer does not apply to {what}: it is published once for everyone, "
                   "so its personal tokens show their fallbacks.\n")
    # Without --customer it is the same, and says nothing.
    assert run_cli(capsys, "message", "render", "Personal", "--channel", channel, "-w", personal) == (0, out, "")


def test_the_poster_for_one_customer_is_the_poster_everyone_sees(personal, capsys, tmp_path):
    poster = tmp_path / "p.pdf"
    status, _out, err = run_cli(capsys, "message", "render", "Personal", "--channel", "store",
                                "--customer", "ob@example.com", "--out", poster, "-w", personal)
    assert status == 0 and "--customer does not apply to the poster" in err
    text = pypdfium2.PdfDocument(str(poster))[0].get_textpage().get_text_range()
    assert "Hi friend" in text and "O'Brien" not in text


def test_an_email_or_sms_is_still_the_customers_own(personal, capsys):
    status, out, err = run_cli(capsys, "message", "render", "Personal", "--channel", "sms",
                               "--customer", "ob@example.com", "-w", personal)
    assert status == 0 and "O'Brien" in out and "does not apply" not in err
    status, out, err = run_cli(capsys, "message", "render", "Personal", "--channel", "email",
                               "--customer", "ob@example.com", "-w", personal)
    assert status == 0 and "Hi O'Brien, 20% off with P20." in out and err == ""


def test_a_customer_who_is_not_there_is_still_refused(personal, capsys):
    status, _out, err = run_cli(capsys, "message", "render", "Personal", "--channel", "facebook",
                                "--customer", "nobody@example.com", "-w", personal)
    assert status != 0 and "does not apply" not in err and err.strip()
