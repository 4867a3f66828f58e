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


def _shop_row(cid, first, last, email, accepts, phone, street="9 Elm St", city="Portland", state="ME", zip_="'04101"):
    return [cid, first, last, email, accepts, "", street, "", city, state, "US", zip_, "", phone, "yes", "10.00", "1",
            "", "no", ""]


@pytest.fixture
def lees(new_york, tmp_path, capsys):
    """Ann and Mark Lee share family.lee@example.com; Ann unsubscribed in Klaviyo, Mark said yes in the
    shop.  Bob said yes as bob.smith+news@gmail.com; Bobby, in another city, said no from
    bobsmith@gmail.com, the same Gmail mailbox.  Rosa said no herself."""
    from tests.core.test_customers_export_refused_address import KLAVIYO, SHOPIFY
    from tests.helpers import write_csv

    ws = tmp_path / "shop.omnidesk"
    shop = write_csv(tmp_path / "customers_export.csv", SHOPIFY, [
        _shop_row("'1", "Ann", "Lee", "family.lee@example.com", "yes", "+12075550111"),
        _shop_row("'2", "Mark", "Lee", "family.lee@example.com", "yes", "+12075550122"),
        _shop_row("'3", "Bob", "Smith", "bob.smith+news@gmail.com", "yes", "+12075550133"),
        _shop_row("'4", "Bobby", "Smith", "bobsmith@gmail.com", "no", "+16175550144", "3 Oak Rd", "Boston", "MA",
                  "'02101"),
        _shop_row("'5", "Rosa", "Diaz", "rosa@example.com", "no", "+12075550155"),
    ])
    klaviyo = write_csv(tmp_path / "klaviyo_profiles.csv", KLAVIYO, [
        ["family.lee@example.com", "01HX1", "Ann", "Lee", "+12075550111", "UNSUBSCRIBED", "2026-03-03 15:00:00", "",
         ""]])
    with time_machine.travel("2026-11-02 03:30:00Z", tick=False):
        for path in (shop, klaviyo):
            assert run_cli(capsys, "import", path, "--region", "US", "-w", ws)[0] == 0
    for command in (["brand", "set", "address", "12 Quay St, Portland"], ["brand", "set", "name", "Harbor"]):
        assert run_cli(capsys, *command, "-w", ws)[0] == 0
    path = tmp_path / "m.json"
    path.write_text(json.dumps(MESSAGE), encoding="utf-8")
    assert run_cli(capsys, "message", "import", path, "-w", ws)[0] == 0
    return ws


@time_machine.travel("2027-02-01 15:00:00Z", tick=False)
def test_a_preview_for_someone_held_by_another_holders_no_says_so_in_the_cards_words(lees, capsys, tmp_path):
    """The preview said Mark "has refused emails (unsubscribed)" when he said yes: Ann, who shares his
    mailbox, unsubscribed.  It says what the card, the list and the campaigns say of each: their own
    refusal with its status, or held, naming who said stop."""
    status, out, _ = run_cli(capsys, "export", "customers", tmp_path / "c.csv", "--columns",
                             "first_name,consent_email", "-w", lees)
    assert status == 0
    listed = dict(line.split(",") for line in (tmp_path / "c.csv").read_text(encoding="utf-8").splitlines()[1:])
    assert listed == {"Ann": "unsubscribed", "Mark": "held", "Bob": "held", "Bobby": "denied", "Rosa": "denied"}

    def note(who: str) -> str:
        status, out, err = run_cli(capsys, "message", "render", "Stores", "--channel", "email", "--customer", who,
                                   "-w", lees)
        assert status == 0 and "20% off with code STORE20" in out  # still a preview
        return err.strip()

    mark = note("+12075550122")
    assert mark.endswith(": Emails to family.lee@example.com are held: Ann Lee, who shares this address, "
                         "unsubscribed on 3 Mar 2026. A campaign would not send them this.")
    assert "refused" not in mark
    bob = note("bob.smith+news@gmail.com")
    assert bob.endswith(": Emails to bob.smith+news@gmail.com are held: Bobby Smith, who shares this address, "
                        "said no. A campaign would not send them this.")
    assert "unsubscribed" not in bob and "refused" not in bob
    # Their own "no", with its own status.
    assert note("+12075550111").endswith("has refused emails (unsubscribed): a campaign would not send "
                                                   "them this.")
    assert note("bobsmith@gmail.com").endswith("has refused emails (denied): a campaign would not send them this.")
    assert note("rosa@example.com").endswith("has refused emails (denied): a campaign would not send them this.")
