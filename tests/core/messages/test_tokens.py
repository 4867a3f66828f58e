"""Personalization tokens: the syntax, fallbacks, escaping, and hostile templates and values kept inert."""

from __future__ import annotations

import html

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from omnidesk.core.messages.tokens import (
    DOUBLED_TOKEN,
    EMPTY_TOKEN,
    NAMES,
    NESTED_BRACE,
    UNCLOSED_BRACE,
    UNKNOWN_TOKEN,
    Text,
    Token,
    TokenProblem,
    parse,
    problems,
    render,
    token_key,
)

ANN = {"first_name": "Ann", "last_name": "Lee", "city": "Leeds", "offer_code": "AUTUMN20",
       "custom.shopping for": "a wedding"}


def codes(template: str, custom=()) -> list[tuple[str, int, int]]:
    return [(p.code, p.start, p.end) for p in problems(template, custom)]


def test_parse_texts_and_tokens_with_positions():
    template = "Hi {first_name|there}, use {offer_code} in {city}!"
    assert parse(template) == [
        Text("Hi ", 0, 3),
        Token("first_name", "there", 3, 21),
        Text(", use ", 21, 27),
        Token("offer_code", None, 27, 39),
        Text(" in ", 39, 43),
        Token("city", None, 43, 49),
        Text("!", 49, 50),
    ]
    for piece in parse(template):
        if isinstance(piece, Token):
            assert template[piece.start] == "{" and template[piece.end - 1] == "}"


def test_names_ignore_case_and_spaces():
    assert parse("{ First_Name | friend }") == [Token("first_name", "friend", 0, 23)]
    assert parse("{CUSTOM.Shopping   For}") == [Token("custom.shopping for", None, 0, 23)]
    assert token_key("custom.Größe") == "custom.grösse"
    assert token_key("custom.お気に入り") == "custom.お気に入り"
    assert token_key("custom.") is None
    assert token_key("custom.\x00") is None
    assert token_key("firstname") is None
    assert set(NAMES) == {"first_name", "last_name", "full_name", "city", "last_product", "last_order_date",
                          "lifetime_spend", "offer_code", "offer_value", "offer_expires", "business_name"}


def test_doubled_braces_are_literal():
    assert parse("{{first_name}}") == [Text("{first_name}", 0, 14)]
    assert render("{{first_name}} is {first_name}", ANN) == "{first_name} is Ann"
    assert render("a } b }} c", ANN) == "a } b } c"
    assert problems("{{ not a token }} and }") == []


def test_render_values_and_fallbacks():
    template = "Hi {first_name|there}, from {city|your town}. {last_product}"
    assert render(template, ANN) == "Hi Ann, from Leeds. "
    assert render(template, {}) == "Hi there, from your town. "
    assert render(template, {"first_name": None, "city": "   "}) == "Hi there, from your town. "
    assert render(template, {"First_Name": "  Bea  "}) == "Hi Bea, from your town. "
    assert render("{first_name|}", {}) == ""
    assert render("Looking for {custom.Shopping For|something}?", ANN) == "Looking for a wedding?"
    assert render("Looking for {custom.shopping for|something}?", {}) == "Looking for something?"
    # A custom field keyed with other spacing and case is the same field.
    assert render("{custom.shopping for}", {"Custom.Shopping  For": "shoes"}) == "shoes"


def test_problems():
    assert problems("Hi {first_name|there}, {custom.shopping for}", ["Shopping For"]) == []
    assert codes("Hi {frist_name}!") == [(UNKNOWN_TOKEN, 3, 15)]
    assert problems("Hi {frist_name}!")[0].message.startswith("Unknown token {frist_name}: use one of first_name,")
    assert codes("{custom.shoe size}", ["Shopping for"]) == [(UNKNOWN_TOKEN, 0, 18)]
    assert problems("{custom.shoe size}")[0].message == (
        "Unknown token {custom.shoe size}: there is no custom field called \u201cshoe size\u201d")
    assert codes("Hi {first_name") == [(UNCLOSED_BRACE, 3, 14)]
    assert codes("Hi {} and { | x }") == [(EMPTY_TOKEN, 3, 5), (EMPTY_TOKEN, 10, 17)]
    assert codes("{first_name {city}") == [(NESTED_BRACE, 0, 13)]
    for problem in problems("{a} {} {b {c"):
        assert isinstance(problem, TokenProblem) and problem.message and "\n" not in problem.message


def test_malformed_braces_render_as_written():
    for template in ("Hi {first_name", "Hi {}", "{frist_name|x}", "50% {off", "{first_name {city}"):
        rendered = render(template, ANN)
        assert "{" in rendered
    assert render("{first_name {city}", ANN) == "{first_name Leeds"
    assert render("{frist_name|friend}", ANN) == "{frist_name|friend}"


@pytest.mark.parametrize(("template", "rendered", "found"), [
    ("{__class__}", "{__class__}", [UNKNOWN_TOKEN]),
    ("{x.__init__}", "{x.__init__}", [UNKNOWN_TOKEN]),
    ("{first_name.__class__}", "{first_name.__class__}", [UNKNOWN_TOKEN]),
    ("{first_name.__class__.__mro__}", "{first_name.__class__.__mro__}", [UNKNOWN_TOKEN]),
    ("{0}{1}{first_name!r}{first_name:>10}", "{0}{1}{first_name!r}{first_name:>10}", [UNKNOWN_TOKEN] * 4),
    ("{{7*7}}", "{7*7}", []),
    ("{{ config.__class__.__init__.__globals__ }}", "{ config.__class__.__init__.__globals__ }", []),
    ("{% for x in y %}", "{% for x in y %}", [UNKNOWN_TOKEN]),
    ("{first_name|{evil}}", "{first_name|{evil}}", [NESTED_BRACE, UNKNOWN_TOKEN]),
    ("{first_name|{{evil}}}", "{first_name|{evil}}", [NESTED_BRACE]),
    ("{custom.__class__}", "", [UNKNOWN_TOKEN]),  # just a key nobody has: the fallback, empty
])
def test_hostile_templates_are_inert(template, rendered, found):
    assert render(template, ANN) == rendered
    assert [p.code for p in problems(template)] == found


def test_the_fallback_is_never_a_template():
    # The fallback is written as is, even when it looks like a token or a format string.
    assert render("{first_name|%s %(x)s $x ${x} {0}}", {}) == "{first_name|%s %(x)s $x ${x} {0}}"
    assert render("{first_name|%s %(x)s $x @x}", {}) == "%s %(x)s $x @x"
    assert render("{city|first_name}", {"first_name": "Ann"}) == "first_name"


def test_values_are_never_parsed_either():
    assert render("Hi {first_name}", {"first_name": "{last_name} {{x}} {__class__}", "last_name": "L"}) == \
        "Hi {last_name} {{x}} {__class__}"


def test_html_in_a_name_is_escaped_for_email():
    values = {"first_name": '<script>alert("x")</script>', "city": "Ann & Co's <b>"}
    assert render("<p>Hi {first_name}, {city}</p>", values, escape=html.escape) == (
        "<p>Hi &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;, Ann &amp; Co&#x27;s &lt;b&gt;</p>")
    # The fallback goes through the same escape; the template's own HTML does not.
    assert render("<b>{first_name|<i>friend</i> & co}</b>", {}, escape=html.escape) == (
        "<b>&lt;i&gt;friend&lt;/i&gt; &amp; co</b>")
    # Without an escape (SMS), text goes as typed.
    assert render("Hi {first_name}", {"first_name": "<Ann>"}) == "Hi <Ann>"


def test_huge_values_are_cut():
    huge = "A" * 10_000_000
    assert render("{first_name}!", {"first_name": huge}) == "A" * 500 + "!"
    assert render("{first_name}", {"first_name": huge}, max_value=20) == "A" * 20
    # Cut before escaping: an entity is never cut in half.
    assert render("{first_name}", {"first_name": "&" * 600}, escape=html.escape) == "&amp;" * 500
    with pytest.raises(ValueError):
        render("{first_name}", {}, max_value=0)


def test_values_that_are_not_strings():
    from decimal import Decimal

    assert render("{lifetime_spend}", {"lifetime_spend": Decimal("120.50")}) == "120.50"
    assert render("{first_name}", {1: "x", None: "y", "first_name": "Ann"}) == "Ann"


@pytest.mark.parametrize("template", [
    "{a" * 500_000,
    "{" * 1_000_000,
    "}" * 1_000_000,
    "{first_name|x}" * 75_000,
    "{{" * 500_000,
    "{first_name|" + "x" * 1_000_000,
    "{" + "|" * 1_000_000 + "}",
    "a" * 1_000_000 + "{",
])
def test_a_megabyte_of_braces_is_read_whole(template):
    """Pathological templates parse end to end and render without raising (how fast: the
    benchmark tests/benchmarks/test_tokens_speed.py, against one regular-expression pass)."""
    at = 0
    for piece in parse(template):  # end to end, in order, without gaps
        assert piece.start == at and piece.end > piece.start
        at = piece.end
    assert at == len(template)
    assert all(0 <= p.start < p.end <= len(template) for p in problems(template))
    assert isinstance(render(template, ANN), str)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from("{}|ab _.\n<&é😀") | st.characters(), max_size=200),
       st.dictionaries(st.sampled_from(["first_name", "city", "custom.x", "nope", "Custom.X"]),
                       st.none() | st.text(max_size=30)))
def test_render_never_raises(template, values):
    out = render(template, values, escape=html.escape)
    assert isinstance(out, str)
    render(template, values)
    pieces = parse(template)
    # The pieces cover the template end to end, in order, without gaps.
    at = 0
    for piece in pieces:
        assert piece.start == at and piece.end > piece.start
        at = piece.end
    assert at == len(template)
    for problem in problems(template):
        assert 0 <= problem.start < problem.end <= len(template)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_characters="{}"), max_size=100))
def test_text_without_braces_renders_as_itself(text):
    assert render(text, ANN) == text
    assert problems(text) == []


def test_a_value_inside_a_link_is_percent_encoded_and_one_outside_is_not():
    """``…/stores/{city|online}`` sent ``…/stores/New York``: phones opened ``…/stores/New`` and the
    campaign tags after the space were lost."""
    template = "Visit https://example.com/stores/{city|online}?utm_source=sms {city}!"
    assert (render(template, {"city": "New York"})
            == "Visit https://example.com/stores/New%20York?utm_source=sms New York!")
    assert (render(template, {"city": "Saint-Denis & Co"}, escape=html.escape)
            == "Visit https://example.com/stores/Saint-Denis%20%26%20Co?utm_source=sms Saint-Denis &amp; Co!")
    assert render(template, {}) == "Visit https://example.com/stores/online?utm_source=sms !"


@pytest.mark.parametrize("template, found", [
    ("Hi {{first_name}}!", ["{{first_name}}"]), ("Hi {{ first_name }}!", ["{{ first_name }}"]),
    ("{{ City|your town }}", ["{{ City|your town }}"]), ("{{{first_name}}}", []), ("{{7*7}}", []),
    ("{{ not a token }}", []), ("{{first_name}", [])])
def test_a_known_token_in_doubled_braces_is_reported(template, found):
    """``{{first_name}}`` (Mailchimp's, Klaviyo's or Jinja's way) reached every reader as "{first_name}", unreported."""
    reported = [p for p in problems(template) if p.code == DOUBLED_TOKEN]
    assert [template[p.start:p.end] for p in reported] == found
    if found:
        assert "write {" + found[0].strip("{} ").split("|")[0].strip() + "}" in reported[0].message
