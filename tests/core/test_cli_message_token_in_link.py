"""A token inside a link whose fallback holds a space was not percent-encoded: the link reader stopped
at the space inside the braces, so ``https://example.com/stores/{city|main street}`` sent
``…/stores/San Diego`` (a link that opens ``…/stores/San``) and ``…/stores/main street``, and the check
only said the shortened ``…/stores/{city|main`` had no campaign tags."""

from __future__ import annotations

import json

import pytest
from lxml.html import document_fromstring

from tests.helpers import cli_shop_fixtures, run_cli

PEOPLE = (["First Name", "Email", "Phone", "City", "Email consent", "SMS consent"],
          [["Ann", "ann@example.com", "+16175550101", "San Diego", "yes", "yes"],
           ["Bob", "bob@example.com", "+16175550102", "", "yes", "yes"]])
shop_template, shop = cli_shop_fixtures(
    PEOPLE, ["brand", "set", "address", "1 Market St"], ["brand", "set", "name", "Harbor"])
TAGS = "?utm_source={source}&utm_medium={medium}&utm_campaign=stores"
STORE = "https://example.com/stores/{city|main street}"


@pytest.fixture
def message(shop, capsys, tmp_path):
    doc = tmp_path / "stores.json"
    doc.write_text(json.dumps({
        "name": "Stores",
        "message": {"headline": "Our stores", "body": "Come and see us.", "cta": "Find us",
                    "link": "https://example.com/stores"},
        "variants": {
            "sms": {"text": "Harbor: find your store " + STORE + TAGS.format(source="sms", medium="sms")
                            + " Reply STOP to opt out."},
            "email": {"subject": "Our stores", "preheader": "Come and see us.",
                      "body": "Your store: " + STORE + TAGS.format(source="newsletter", medium="email")}}}),
        encoding="utf-8")
    status, _out, err = run_cli(capsys, "-w", shop, "message", "import", doc)
    assert status == 0, err
    return "Stores"


def _render(capsys, shop, channel, who, *more):
    status, out, err = run_cli(capsys, "-w", shop, "message", "render", "Stores", "--channel", channel,
                               "--customer", who, *more)
    assert status == 0, err
    return out


@pytest.mark.parametrize(("who", "place"), [("ann@example.com", "San%20Diego"), ("bob@example.com", "main%20street")])
def test_the_value_or_the_fallback_in_a_link_is_percent_encoded(shop, capsys, tmp_path, message, who, place):
    sms = _render(capsys, shop, "sms", who)
    assert (f"find your store https://example.com/stores/{place}?utm_source=sms&utm_medium=sms&utm_campaign=stores "
            "Reply STOP") in sms
    email = _render(capsys, shop, "email", who)
    assert f"Your store: https://example.com/stores/{place}?utm_source=newsletter" in email
    page = tmp_path / "stores.html"
    _render(capsys, shop, "email", who, "--out", page, "--force")
    hrefs = [a.get("href") for a in document_fromstring(page.read_text(encoding="utf-8")).iter("a")]
    assert hrefs[0] == f"https://example.com/stores/{place}?utm_source=newsletter&utm_medium=email&utm_campaign=stores"


def test_the_check_reads_the_whole_link(shop, capsys, message):
    _status, out, _err = run_cli(capsys, "-w", shop, "message", "check", "Stores", "--json")
    said = [f["message"] for f in json.loads(out)["findings"] if f["channel"] in ("sms", "email")]
    # Neither a shortened link without campaign tags, nor one "with a space" that no phone can open.
    assert not [m for m in said if "/stores/" in m], said
