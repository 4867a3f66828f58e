"""A link written in the master's body reached every variant made from it without campaign tags, so
the variants failed their own check: ``https://shop.example/lookbook has no campaign tags`` on the
email, on each post.  A variant made from the master now carries each of its links tagged for its
channel, as the master's own link is; a link typed in a variant by hand stays as typed."""

from __future__ import annotations

import json

from tests.helpers import cli_shop_fixtures, run_cli

PEOPLE = (["First Name", "Email", "City", "Email consent"], [["Ann", "ann@example.com", "Paris", "yes"]])
shop_template, shop = cli_shop_fixtures(
    PEOPLE, ["brand", "set", "address", "1 Market St"], ["brand", "set", "sms_sender", "Shop"])
MASTER = {"headline": "Spring sale", "body": "New season. See our lookbook at https://shop.example/lookbook. 20% off.",
          "offer_value": "20% off", "offer_code": "SPRING20", "cta": "Shop now", "link": "https://shop.example/spring"}
EVERY_TAGGED = ("email", "sms", "facebook", "instagram", "x", "linkedin", "threads", "bluesky", "google", "store")


def tags(source: str, medium: str, campaign: str = "spring-sale") -> str:
    return f"utm_source={source}&utm_medium={medium}&utm_campaign={campaign}"


def _saved(capsys, tmp_path, shop, master: dict, variants: dict | None = None,
           name: str = "Spring sale") -> tuple[dict, list[dict], dict]:
    """The message imported: its variants as exported, the check's findings and its stats."""
    doc = tmp_path / "sale.json"
    doc.write_text(json.dumps({"name": name, "message": master,
                               "variants": variants or {c: {} for c in (*EVERY_TAGGED, "website")}}),
                   encoding="utf-8")
    status, _out, err = run_cli(capsys, "-w", shop, "message", "import", doc)
    assert status == 0, err
    exported = tmp_path / "exported.json"
    status, _out, err = run_cli(capsys, "-w", shop, "message", "export-json", name, exported, "--force")
    assert status == 0, err
    _status, checked, _err = run_cli(capsys, "-w", shop, "message", "check", name, "--json")
    report = json.loads(checked)
    return json.loads(exported.read_text(encoding="utf-8"))["variants"], report["findings"], report["stats"]


def _link_findings(findings: list[dict]) -> list[tuple[str, str, str]]:
    return [(f["channel"], f["code"], f["message"]) for f in findings
            if f["code"] in ("link_without_utm", "link_tags_differ", "malformed_link", "link_missing")]


def test_links_in_the_body_are_tagged_for_each_channel_and_the_check_is_clean(shop, capsys, tmp_path):
    variants, findings, _stats = _saved(capsys, tmp_path, shop, MASTER)
    assert _link_findings(findings) == []
    # The full stop after the link stays in the words, after the tags.
    assert (f"See our lookbook at https://shop.example/lookbook?{tags('newsletter', 'email')}. 20% off."
            in variants["email"]["body"])
    assert f"https://shop.example/lookbook?{tags('facebook', 'social')}. 20% off." in variants["facebook"]["text"]
    assert f"https://shop.example/lookbook?{tags('x', 'social')}. 20% off." in variants["x"]["text"]
    # The banner is on the shop's own site: its links stay untagged, the body's as the master's.
    assert "utm_" not in json.dumps(variants["website"])


def test_a_link_closed_by_a_bracket_or_bare_or_tagged_already(shop, capsys, tmp_path):
    body = ("Lookbook (https://shop.example/lookbook), sizes at www.shop.example/sizes; "
            "the story at https://shop.example/story?ref=7&utm_source=newsletter&utm_medium=email"
            "&utm_campaign=winter&utm_content=hero!")
    variants, findings, _stats = _saved(capsys, tmp_path, shop, {**MASTER, "body": body})
    assert _link_findings(findings) == []
    text = variants["instagram"]["text"]
    assert f"(https://shop.example/lookbook?{tags('instagram', 'social')})," in text
    assert f"www.shop.example/sizes?{tags('instagram', 'social')};" in text  # bare as written
    # Tagged for this channel and this message; its other parameters and its utm_content kept.
    assert f"https://shop.example/story?ref=7&{tags('instagram', 'social')}&utm_content=hero!" in text


def test_a_token_in_a_link_stays_whole_before_the_tags(shop, capsys, tmp_path):
    body = "Find your store: https://shop.example/stores/{city|main street#1}, open daily."
    master = {**MASTER, "body": body, "link": "https://shop.example/go/{city|a?b}"}
    variants, findings, _stats = _saved(capsys, tmp_path, shop, master, {"email": {}})
    assert _link_findings(findings) == []
    assert (f"https://shop.example/stores/{{city|main street#1}}?{tags('newsletter', 'email')}, open daily."
            in variants["email"]["body"])
    assert f"https://shop.example/go/{{city|a?b}}?{tags('newsletter', 'email')}" in variants["email"]["body"]


def test_a_link_typed_in_a_variant_stays_as_typed(shop, capsys, tmp_path):
    typed = "Spring sale: 20% off with SPRING20. Lookbook: https://shop.example/lookbook Shop now https://shop.example/spring"
    variants, findings, _stats = _saved(capsys, tmp_path, shop, MASTER, {"facebook": {"text": typed}})
    assert variants["facebook"]["text"] == typed
    assert [(c, code) for c, code, _ in _link_findings(findings) if c == "facebook"] == [
        ("facebook", "link_without_utm"), ("facebook", "link_without_utm")]


def test_the_first_sentence_a_preheader_takes_carries_the_tagged_link(shop, capsys, tmp_path):
    body = "Lookbook: https://shop.example/lb. 20% off."
    variants, findings, _stats = _saved(capsys, tmp_path, shop, {**MASTER, "body": body}, {"email": {}})
    assert _link_findings(findings) == []
    assert variants["email"]["preheader"] == f"Lookbook: https://shop.example/lb?{tags('newsletter', 'email')}."
    # Longer than a preheader's 100 characters with its tags: cut before the link, never inside it.
    body = "Our lookbook is at https://shop.example/lookbook. 20% off."
    variants, findings, _stats = _saved(capsys, tmp_path, shop, {**MASTER, "body": body}, {"email": {}}, "Spring")
    assert _link_findings(findings) == []
    assert variants["email"]["preheader"] == "Our lookbook is at…"
    assert f"https://shop.example/lookbook?{tags('newsletter', 'email', 'spring')}. 20% off." in variants["email"]["body"]


def test_x_counts_a_tagged_link_as_x_does(shop, capsys, tmp_path):
    # X counts each link 23, whatever it holds (its domain one X knows: .example is none).
    long_link = "https://shop.com/" + "lookbook-" * 20 + "spring"
    body = f"{'Spring is here. ' * 8}See {long_link}."
    master = {**MASTER, "body": body, "link": "https://shop.com/spring"}
    variants, findings, stats = _saved(capsys, tmp_path, shop, master, {"x": {}})
    text = variants["x"]["text"]
    assert f"{long_link}?{tags('x', 'social')}." in text
    assert [f["code"] for f in findings if f["channel"] == "x" and f["code"] == "over_limit"] == []
    links = len(f"{long_link}?{tags('x', 'social')}") + len(f"https://shop.com/spring?{tags('x', 'social')}")
    assert len(text) > 280 and stats["x"]["length"] == len(text) - links + 2 * 23


def test_the_posters_printed_words_keep_a_link_as_written_and_its_qr_link_is_tagged(shop, capsys, tmp_path):
    """A reader types the link printed in a poster's headline: a short one, as written, with no word
    from the check about tags; the QR code's link carries them."""
    master = {**MASTER, "headline": "Lookbook at shop.example/look and https://shop.example/lookbook",
              "cta": "Sizes at https://shop.example/sizes"}
    variants, findings, _stats = _saved(capsys, tmp_path, shop, master, {"store": {}})
    poster = variants["store"]
    assert poster["headline"] == master["headline"] and poster["cta"] == master["cta"]
    assert poster["link"] == f"https://shop.example/spring?{tags('poster', 'print')}"
    assert _link_findings(findings) == []
    # A link typed untagged in the poster's own link field is still said.
    variants, findings, _stats = _saved(capsys, tmp_path, shop, {**master, "link": ""},
                                        {"store": {"headline": "Sale", "link": "https://shop.example/spring"}},
                                        name="Bare poster")
    assert [(c, code) for c, code, _m in _link_findings(findings)] == [("store", "link_without_utm")]
