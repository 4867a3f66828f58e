"""`omnidesk message render --customer`: a preview that says when a campaign would not send it, and
an email whose links are the message's own, never a customer's value that looks like one."""

from __future__ import annotations

import json

import pytest
import time_machine

from tests.helpers import cli_shop_fixtures, machine_in_zone, run_cli

PEOPLE = (["Email", "First Name", "Last Name", "Phone", "Accepts Email Marketing", "Accepts SMS Marketing"], [
    ["ann@example.com", "Ann", "Lee", "+12125550101", "yes", "yes"],
    ["bob@example.com", "Bob", "Stone", "+12125550102", "no", "no"],
    ["eve@example.com", "www.evil.example", "Hill", "+12125550103", "yes", "yes"],
])
MESSAGE = {"name": "Stores", "message": {
    "headline": "Visit us", "body": "Hi {first_name|there}, 20% off in store.", "offer_code": "STORE20",
    "offer_value": "20% off", "link": "https://hc.example/stores/{city|online}"},
    "variants": {"email": {"subject": "{first_name|Friend}, 20% off", "preheader": "Code STORE20",
                           "body": "Hi {first_name|there}, 20% off with code STORE20.\n\n"
                                   "Find your store: https://hc.example/stores/{last_name|online}?utm_source=x"},
                 "sms": {"text": "Harbor: 20% off with code STORE20 https://hc.example/s Reply STOP to opt out"}}}

shop_template, shop = cli_shop_fixtures(PEOPLE, ["brand", "set", "address", "12 Quay St, Portland"],
                                        ["brand", "set", "name", "Harbor"])


new_york = machine_in_zone("America/New_York")


@pytest.fixture
def stores(shop, tmp_path, capsys):
    path = tmp_path / "m.json"
    path.write_text(json.dumps(MESSAGE), encoding="utf-8")
    assert run_cli(capsys, "message", "import", path, "-w", shop)[0] == 0
    return shop


@time_machine.travel("2027-02-01 15:00:00Z", tick=False)
def test_rendering_for_someone_who_refused_the_channel_says_so_on_stderr(stores, capsys):
    status, out, err = run_cli(capsys, "message", "render", "Stores", "--channel", "sms",
                               "--customer", "bob@example.com", "-w", stores)
    assert status == 0 and "20% off with code STORE20" in out  # still a preview
    assert err.strip().endswith("has refused texts (denied): a campaign would not send them this.")
    assert err.startswith("Customer ")
    status, out, err = run_cli(capsys, "message", "render", "Stores", "--channel", "email",
                               "--customer", "bob@example.com", "-w", stores)
    assert status == 0 and "has refused emails" in err
    status, out, err = run_cli(capsys, "message", "render", "Stores", "--channel", "sms",
                               "--customer", "ann@example.com", "-w", stores)
    assert (status, err) == (0, "")


@time_machine.travel("2027-02-01 15:00:00Z", tick=False)
def test_a_value_that_looks_like_an_address_is_not_made_a_link(stores, capsys, tmp_path):
    out_file = tmp_path / "eve.html"
    status, _, _ = run_cli(capsys, "message", "render", "Stores", "--channel", "email",
                           "--customer", "eve@example.com", "--out", out_file, "-w", stores)
    assert status == 0
    page = out_file.read_text(encoding="utf-8").casefold()  # the import writes the name "Www.evil.example"
    assert "hi <bdi>www.evil.example</bdi>, 20% off" in page
    assert "evil.example</a>" not in page and 'href="https://www.evil.example' not in page
    # The message's own link is one, the value inside it filled in.
    assert 'href="https://hc.example/stores/hill?utm_source=x"' in page


@pytest.mark.parametrize("subject, body, name, direction", [
    ("{first_name|Friend}, 20% off", "{first_name|Hi}, 20% off all winter stock with code STORE20.", "محمد", "ltr"),
    ("{first_name|صديقنا}، خصم ٢٠٪", "{first_name|مرحبا}، خصم ٢٠٪ على كل شيء", "Ann", "rtl")])
def test_an_email_preview_is_laid_out_in_the_direction_of_its_own_words(subject, body, name, direction):
    """An Arabic first name first turned an English email right to left in the preview, not in the pack."""
    from lxml.html import document_fromstring

    from omnidesk.core.messages.brand import Brand
    from omnidesk.core.messages.email import template_direction
    from omnidesk.core.messages.render import render_for
    from omnidesk.core.messages.store import MessageData, Variant

    fields = {"subject": subject, "preheader": "", "body": body}
    message = MessageData(1, "Stores", dict(MESSAGE["message"]),
                          {"email": Variant("email", fields, {}, False, False)}, "")
    html = render_for(message, "email", {"first_name": name}, Brand(name="Harbor", address="12 Quay St")).email.html
    tree = document_fromstring(html)
    assert tree.get("dir") == direction and tree.xpath("//body")[0].get("dir") == direction
    assert template_direction(body, subject) == direction  # as the send pack lays it out
