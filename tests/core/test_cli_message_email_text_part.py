"""The email's plain-text part decoded HTML entities a second time: the words typed as
``Write &lt;3`` and ``Fish &amp; Chips`` went out as "Write <3" and "Fish & Chips" in the text part
while the HTML showed them as typed, a customer named ``O'Brien <b>&amp;`` read "O'Brien <b>&",
and a link's ``&sect=shoes`` became "§=shoes"."""

from __future__ import annotations

import json

from lxml.html import document_fromstring

from tests.helpers import cli_shop_fixtures, run_cli

NAME = "O'Brien <b>&amp;"
PEOPLE = (["First Name", "Email", "Email consent"], [[NAME, "ob@example.com", "yes"]])
shop_template, shop = cli_shop_fixtures(PEOPLE, ["brand", "set", "address", "1 Market St & Co"])
TYPED = "We <3 you. Write &lt;3 to reply. Fish &amp; Chips night. Use code A&B."
LINK = "https://example.com/sale?page=1&sect=shoes&utm_source=newsletter&utm_medium=email&utm_campaign=fish"


def test_the_text_part_keeps_the_characters_as_typed(shop, capsys, tmp_path):
    doc = tmp_path / "fish.json"
    doc.write_text(json.dumps({"name": "Fish", "message": {
        "headline": "Fish night", "body": TYPED, "cta": "Book", "link": "https://example.com/sale"},
        "variants": {"email": {"subject": "Fish night", "preheader": "Fish &amp; Chips",
                               "body": f"Hi {{first_name|there}},\n\n{TYPED}\n\nBook: {LINK}"}}}), encoding="utf-8")
    status, _out, err = run_cli(capsys, "-w", shop, "message", "import", doc)
    assert status == 0, err

    status, out, err = run_cli(capsys, "-w", shop, "message", "render", "Fish", "--channel", "email",
                               "--customer", "ob@example.com")
    assert status == 0, err
    lines = out.splitlines()
    assert f"Hi {NAME}," in lines
    assert TYPED in lines
    assert f"Book: {LINK}" in lines
    assert "1 Market St & Co" in lines

    # The HTML shows the same characters: what a reader sees in either part is the same.
    page = tmp_path / "fish.html"
    status, _out, err = run_cli(capsys, "-w", shop, "message", "render", "Fish", "--channel", "email",
                                "--customer", "ob@example.com", "--out", page, "--force")
    assert status == 0, err
    shown = document_fromstring(page.read_text(encoding="utf-8")).text_content()
    assert TYPED in shown and f"Hi {NAME}," in shown and LINK in shown
