"""A link in curly quotes, or followed by a CJK full stop, an ellipsis or a closing square bracket,
opened a wrong address in the email (``…/spring”``, a page that does not exist, or a campaign tag
``spring-sale”``) while the message check read the link right and said nothing: the email now reads
its links as the check and the campaign tagging do."""

from __future__ import annotations

import json
import re

from lxml.html import document_fromstring

from tests.helpers import EMAIL_ANN, cli_shop_fixtures, run_cli

shop_template, shop = cli_shop_fixtures(EMAIL_ANN, ["brand", "set", "address", "1 Market St, Springfield"])
TAGGED = "https://example.com/spring?utm_source=newsletter&utm_medium=email&utm_campaign=spring-sale"
BODY = ("Our spring sale is on: \u201chttps://example.com/spring\u201d. See you there.\n"
        f"Tagged: \u201c{TAGGED}\u201d.\n"
        "\u7acb\u5373\u9009\u8d2d\uff1ahttps://example.com/cn\u3002\n"
        "More at https://example.com/more\u2026\n"
        "[https://example.com/list] and \u2018https://example.com/single\u2019 and \u00abhttps://example.com/fr\u00bb")
WANT = ["https://example.com/spring", TAGGED, "https://example.com/cn", "https://example.com/more",
        "https://example.com/list", "https://example.com/single", "https://example.com/fr"]


def test_the_email_links_the_address_the_check_reads(shop, capsys, tmp_path):
    doc = tmp_path / "quote.json"
    doc.write_text(json.dumps({"name": "Spring sale", "message": {
        "headline": "Spring sale", "body": "Spring is here.", "cta": "Shop now", "link": "https://example.com/spring"},
        "variants": {"email": {"subject": "Spring sale", "preheader": "Spring is here.", "body": BODY}}}),
        encoding="utf-8")
    status, _out, err = run_cli(capsys, "-w", shop, "message", "import", doc)
    assert status == 0, err

    _status, out, _err = run_cli(capsys, "-w", shop, "message", "check", "Spring sale", "--json")
    codes = {f["code"] for f in json.loads(out)["findings"] if f["channel"] == "email"}
    assert "link_tags_differ" not in codes  # the tagged link is read as tagged for this email

    page = tmp_path / "quote.html"
    status, _out, err = run_cli(capsys, "-w", shop, "message", "render", "Spring sale", "--channel", "email",
                                "--out", page, "--force")
    assert status == 0, err
    links = document_fromstring(page.read_text(encoding="utf-8")).iter("a")
    hrefs = [a.get("href") for a in links if a.get("href") != "*|UNSUB|*"]
    assert hrefs == WANT
    # The punctuation stays in the words, outside the link.
    html = page.read_text(encoding="utf-8")
    assert re.search(r'\u201c<a href="https://example.com/spring"[^>]*>https://example.com/spring</a>\u201d\.', html)
    assert re.search(r'>https://example.com/cn</a>\u3002', html)

    status, out, err = run_cli(capsys, "-w", shop, "message", "render", "Spring sale", "--channel", "email")
    assert status == 0, err
    assert "Our spring sale is on: \u201chttps://example.com/spring\u201d. See you there." in out
    assert f"Tagged: \u201c{TAGGED}\u201d." in out
    assert "More at https://example.com/more\u2026" in out
