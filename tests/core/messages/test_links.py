"""Campaign tags on links: existing queries and fragments kept, bad links refused, links found in text."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from omnidesk.core.messages.links import (
    CHANNEL_UTM,
    Link,
    add_utm,
    channel_utm,
    find_links,
    has_utm,
    is_valid_link,
    tag_links,
    utm_campaign_name,
)

TAGS = "utm_source=newsletter&utm_medium=email&utm_campaign=autumn-sale"


@pytest.mark.parametrize(("url", "expected"), [
    ("https://shop.example/sale", f"https://shop.example/sale?{TAGS}"),
    ("https://shop.example", f"https://shop.example?{TAGS}"),
    # Other parameters kept in order and in their own encoding; the fragment kept.
    ("https://shop.example/sale?ref=ig&q=a%20b+c&list=1,2#sizes",
     f"https://shop.example/sale?ref=ig&q=a%20b+c&list=1,2&{TAGS}#sizes"),
    # Old tags (any case, any utm_*) replaced, parameters around them kept.
    ("https://shop.example/?a=1&utm_source=facebook&UTM_Medium=social&b=2&utm_term=shoes&utm_campaign=x",
     f"https://shop.example/?a=1&b=2&{TAGS}"),
    ("http://shop.example:8080/p?#", f"http://shop.example:8080/p?{TAGS}"),
    ("HTTPS://Shop.Example/Sale?Size=M", f"https://Shop.Example/Sale?Size=M&{TAGS}"),
    # A router's path in the fragment stays where it is.
    ("https://shop.example/#/product/12?view=big", f"https://shop.example/?{TAGS}#/product/12?view=big"),
    ("https://münchen.example/angebot", f"https://münchen.example/angebot?{TAGS}"),
    ("https://[2001:db8::1]/a", f"https://[2001:db8::1]/a?{TAGS}"),
    ("https://shop.example/?empty=&flag", f"https://shop.example/?empty=&flag&{TAGS}"),
])
def test_add_utm(url, expected):
    assert add_utm(url, "newsletter", "email", "autumn-sale") == expected


def test_add_utm_encodes_values_and_content():
    tagged = add_utm("https://shop.example/?x=1", "news letter", "e&mail", "50% off", content="Hero #1")
    assert tagged == ("https://shop.example/?x=1&utm_source=news%20letter&utm_medium=e%26mail"
                      "&utm_campaign=50%25%20off&utm_content=Hero%20%231")
    assert parse_qsl(urlsplit(tagged).query) == [
        ("x", "1"), ("utm_source", "news letter"), ("utm_medium", "e&mail"),
        ("utm_campaign", "50% off"), ("utm_content", "Hero #1")]


def test_tagging_twice_gives_the_same_link():
    once = add_utm("https://shop.example/a?b=1#c", "sms", "sms", "x", content="v1")
    assert add_utm(once, "sms", "sms", "x", content="v1") == once
    # Tagging for another channel leaves no trace of the first, utm_content included.
    assert add_utm(once, "facebook", "social", "x") == "https://shop.example/a?b=1&utm_source=facebook&utm_medium=social&utm_campaign=x#c"


@pytest.mark.parametrize(("url", "reason"), [
    ("ftp://shop.example/file", "only http and https links can be tagged, not ftp:"),
    ("javascript:alert(1)", "only http and https links can be tagged, not javascript:"),
    ("mailto:hello@shop.example", "only http and https links can be tagged, not mailto:"),
    ("www.shop.example", "the link must start with http:// or https://"),
    ("https://", "the link has no host name"),
    ("https:///path", "the link has no host name"),
    ("https://shop/sale", "the host name 'shop' has no domain ending"),
    ("https://shop .example", "a link cannot contain spaces"),
    (" https://shop.example", "a link cannot contain spaces"),
    ("https://shop.example:99999/", "the link is malformed"),
    ("https://-shop.example/", "the host name '-shop.example' is not valid"),
    ("https://300.1.1.1/", "the link's address is not valid"),
    ("", "the link is empty"),
    ("https://shop.example/\x00", "the link contains control characters"),
])
def test_add_utm_refuses(url, reason):
    with pytest.raises(ValueError) as caught:
        add_utm(url, "sms", "sms", "x")
    assert str(caught.value) == reason
    assert "\n" not in str(caught.value)
    assert not is_valid_link(url)


def test_add_utm_refuses_empty_tags():
    with pytest.raises(ValueError, match="utm_campaign cannot be empty"):
        add_utm("https://shop.example/", "sms", "sms", " ")
    with pytest.raises(ValueError, match="utm_source cannot be empty"):
        add_utm("https://shop.example/", "", "sms", "x")


def test_is_valid_link():
    for good in ("https://shop.example", "http://shop.example/a?b#c", "https://xn--mnchen-3ya.de/",
                 "https://1.2.3.4/", "http://localhost:8000/", "https://a.b.c.shop.example/x(y)"):
        assert is_valid_link(good), good
    for bad in ("shop.example", "https//shop.example", "http:/shop.example", "file:///etc/passwd", None):
        assert not is_valid_link(bad), bad


def test_has_utm():
    assert has_utm(f"https://shop.example/?{TAGS}")
    assert has_utm("www.shop.example/?utm_source=a&utm_medium=b&utm_campaign=c")
    assert has_utm("https://shop.example/?UTM_SOURCE=a&utm_medium=b&utm_campaign=c#x")
    assert not has_utm("https://shop.example/?utm_source=a&utm_medium=b")  # no campaign
    assert not has_utm("https://shop.example/?utm_source=a&utm_medium=b&utm_campaign=")
    assert not has_utm("https://shop.example/#utm_source=a&utm_medium=b&utm_campaign=c")
    assert not has_utm("https://shop.example/")
    assert has_utm(add_utm("https://shop.example/?a=1#f", "x", "social", "c"))


TEXT = ("Shop now: https://shop.example/sale?x=1. Or www.shop.example/(promo) "
        "(see https://en.wikipedia.org/wiki/Sale_(event)), mail info@www.shop.example, "
        "「https://例え.jp/商品」。 HTTP://SHOP.EXAMPLE/UP! http:// alone, "
        "\"https://q.example/a\" and https://shop.example/a,b?c=d;e...")


def test_find_links():
    links = find_links(TEXT)
    assert [link.url for link in links] == [
        "https://shop.example/sale?x=1",
        "www.shop.example/(promo)",
        "https://en.wikipedia.org/wiki/Sale_(event)",
        "https://例え.jp/商品",
        "HTTP://SHOP.EXAMPLE/UP",
        "https://q.example/a",
        "https://shop.example/a,b?c=d;e",
    ]
    for link in links:
        assert TEXT[link.start:link.end] == link.url
    assert find_links("no links here, just shop.example and a@b.example") == []
    assert find_links("https://a.example\nhttps://b.example") == [
        Link("https://a.example", 0, 17), Link("https://b.example", 18, 35)]


def test_tag_links_tags_each_and_keeps_the_text():
    text = "New in: https://shop.example/new?c=red#top, or visit www.shop.example. Not ftp://x.example."
    tagged = tag_links(text, "sms", "sms", "autumn")
    assert tagged == (
        "New in: https://shop.example/new?c=red&utm_source=sms&utm_medium=sms&utm_campaign=autumn#top, "
        "or visit www.shop.example?utm_source=sms&utm_medium=sms&utm_campaign=autumn. Not ftp://x.example.")
    assert all(has_utm(link.url) for link in find_links(tagged))
    assert tag_links(tagged, "sms", "sms", "autumn") == tagged
    # A link without a valid host is left as written.
    assert tag_links("see https://shop/x", "sms", "sms", "a") == "see https://shop/x"
    assert tag_links("", "sms", "sms", "a") == ""


@pytest.mark.parametrize(("name", "slug"), [
    ("Autumn Sale 2026!", "autumn-sale-2026"),
    ("  Été à Zürich — 50 % off  ", "ete-a-zurich-50-off"),
    ("Straße_Sale", "strasse-sale"),
    ("Распродажа 2026", "распродажа-2026"),
    ("春のセール", "春のセール"),
    ("!!!", ""),
    ("Black   Friday---Weekend", "black-friday-weekend"),
])
def test_utm_campaign_name(name, slug):
    assert utm_campaign_name(name) == slug


def test_utm_campaign_name_is_short():
    assert len(utm_campaign_name("word " * 100)) <= 80
    assert not utm_campaign_name("word " * 100).endswith("-")


def test_channel_table():
    assert channel_utm("email") == ("newsletter", "email")
    assert channel_utm("sms") == ("sms", "sms")
    for network in ("facebook", "instagram", "x", "linkedin", "threads", "bluesky"):
        assert channel_utm(network) == (network, "social")
    assert channel_utm("store") == ("poster", "print")
    assert channel_utm("website") is None  # the shop's own site: links stay untagged
    for source, medium in CHANNEL_UTM.values():
        assert utm_campaign_name(source) == source and utm_campaign_name(medium) == medium


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_find_and_tag_never_raise(text):
    for link in find_links(text):
        assert text[link.start:link.end] == link.url
    tag_links(text, "sms", "sms", "x")
