"""Each network's length rule on real text: emoji, CJK, links, combining marks, flags and ZWJ families."""

from __future__ import annotations

import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from omnidesk.core.messages.social import (
    CHARACTERS,
    GRAPHEMES,
    NETWORKS,
    WEIGHTED,
    Fit,
    fits,
    graphemes,
    hashtags,
    length,
    get_network,
    tightest,
)

FAMILY = "👨\u200d👩\u200d👧\u200d👦"  # four people joined by zero-width joiners: one grapheme
FLAG = "🇫🇷"  # two regional indicators: one grapheme
RAINBOW = "🏳️\u200d🌈"
E_ACUTE = "e\u0301"  # e and a combining acute accent: one grapheme


def test_the_networks_and_their_rules():
    assert list(NETWORKS) == ["x", "instagram", "facebook", "linkedin", "threads", "bluesky", "google"]
    rules = {code: (n.limit, n.unit, n.max_hashtags) for code, n in NETWORKS.items()}
    assert rules == {
        "x": (280, WEIGHTED, None),
        "instagram": (2_200, CHARACTERS, 30),
        "facebook": (63_206, CHARACTERS, None),
        "linkedin": (3_000, CHARACTERS, None),
        "threads": (500, CHARACTERS, None),
        "bluesky": (300, GRAPHEMES, None),
        "google": (1_500, CHARACTERS, None),
    }
    assert NETWORKS["google"].label == "Google Business Profile"
    assert get_network("bluesky") is NETWORKS["bluesky"] and get_network(NETWORKS["x"]) is NETWORKS["x"]
    assert length(network="threads", text="hi") == 2
    with pytest.raises(ValueError, match="unknown network 'myspace'; known: x, instagram"):
        get_network("myspace")


@pytest.mark.parametrize(("text", "weighted"), [
    ("Autumn sale", 11),
    ("Hi 👋", 5),  # an emoji counts 2
    ("こんにちは", 10),  # CJK counts 2 each
    ("세일", 4),  # so does Hangul
    ("Привет", 6),  # Cyrillic counts 1
    ("שלום עולם", 9),  # so do Hebrew,
    ("नमस्ते", 6),  # Devanagari (each code point)
    ("Ⅻ ★", 5),  # but a sign past U+10FF counts 2
    ("café " + E_ACUTE, 6),  # a combining accent adds nothing once composed
    (FAMILY, 2),  # a whole ZWJ sequence is one emoji
    (FLAG, 2),
    ("https://shop.example.com/autumn/sale?utm_source=x&utm_medium=social", 23),  # any link counts 23
    ("See shop.com/sale now", 4 + 23 + 4),  # so does a bare domain twitter-text recognises
    ("a\r\nb", 3),
])
def test_x_counts_weighted(text, weighted):
    assert length("x", text) == weighted


def test_x_at_its_limit():
    assert length("x", "a" * 280) == 280
    assert fits(["x"], "a" * 280) == [Fit("x", 280, 280, 0)]
    assert fits(["x"], "a" * 281) == [Fit("x", 281, 280, 1)]
    assert fits(["x"], "あ" * 140)[0].over == 0
    assert fits(["x"], "あ" * 141)[0].over == 2
    # A long link takes 23 however long it is.
    post = "x" * 250 + " https://shop.example.com/" + "p" * 200
    assert length("x", post) == 250 + 1 + 23


@pytest.mark.parametrize(("text", "count"), [
    ("hello", 5),
    (FAMILY, 1),
    (FLAG, 1),
    (RAINBOW, 1),
    (E_ACUTE + E_ACUTE, 2),
    ("👍🏽", 1),  # an emoji with its skin tone
    ("नमस्ते", 3),  # Devanagari clusters
    ("a\r\nb", 3),  # CR LF is one cluster
    ("", 0),
])
def test_bluesky_counts_graphemes(text, count):
    assert graphemes(text) == count
    assert length("bluesky", text) == count


def test_bluesky_limit_in_graphemes():
    assert fits(["bluesky"], FAMILY * 300) == [Fit("bluesky", 300, 300, 0)]
    assert fits(["bluesky"], FAMILY * 301)[0].over == 1
    # The same text is far longer in characters.
    assert length("threads", FAMILY * 300) == 300 * 11


@pytest.mark.parametrize(("text", "count"), [
    ("hello", 5),
    ("Hi 👋", 5),  # an emoji outside the BMP is two UTF-16 units
    (FAMILY, 11),
    (E_ACUTE, 2),
    ("こんにちは", 5),
    ("line\r\nbreak", 10),
    ("https://shop.example.com/a", 26),  # links count as written
])
def test_character_networks_count_utf16_units(text, count):
    for code in ("instagram", "facebook", "linkedin", "threads", "google"):
        assert length(code, text) == count


def test_character_limits():
    for code, limit in (("instagram", 2_200), ("facebook", 63_206), ("linkedin", 3_000),
                        ("threads", 500), ("google", 1_500)):
        assert fits([code], "a" * limit)[0].over == 0
        assert fits([code], "a" * (limit + 1))[0].over == 1


def test_instagram_hashtags():
    thirty = " ".join(f"#tag{i}" for i in range(30))
    assert fits(["instagram"], thirty)[0].hashtags_over == 0
    assert fits(["instagram"], thirty + " #one_more")[0].hashtags_over == 1
    assert fits(["instagram"], thirty + " #one_more")[0].ok is False
    assert fits(["facebook"], thirty + " #one_more")[0].hashtags_over == 0  # no such rule there


def test_hashtags():
    text = ("Autumn sale! #AutumnSale #秋のセール #Распродажа #2026 #sale2026 C# a#b &#39; "
            "https://shop.com/#sizes www.shop.example/#x shop.com/#y #️⃣ ＃全角 #café #caf" + "e\u0301"
            + " #under_score, #end. #AutumnSale")
    assert hashtags(text) == ["AutumnSale", "秋のセール", "Распродажа", "sale2026", "全角", "café",
                              "caf" + "e\u0301", "under_score", "end", "AutumnSale"]
    assert hashtags("") == []
    assert hashtags("# not a tag, nor #") == []


def test_one_text_for_several_networks():
    text = "Our autumn sale starts today 🍂 " + "x" * 260  # 2 for the emoji on X, 1 grapheme on Bluesky
    results = fits(["instagram", "x", "bluesky", "threads"], text)
    assert [f.network for f in results] == ["instagram", "x", "bluesky", "threads"]
    assert [f.length for f in results] == [292, 292, 291, 292]
    assert [f.over for f in results] == [0, 12, 0, 0]
    ruling = tightest(["instagram", "x", "bluesky", "threads"], text)
    assert ruling.network == "x" and ruling.room == -12
    # Without X, Bluesky (300) is tighter than Threads (500).
    assert tightest(["threads", "bluesky"], text).network == "bluesky"
    assert tightest([NETWORKS["google"], "linkedin"], "hi").network == "google"


def test_tightest_needs_a_network():
    with pytest.raises(ValueError, match="no network given"):
        tightest([], "hi")


def test_twitter_text_imports_without_pkg_resources():
    # setuptools 82 no longer ships pkg_resources, which twitter-text-parser reads its emoji
    # table with.  In a fresh interpreter: the count works, and no stand-in is left behind.
    code = (
        "import importlib.util, sys\n"
        "from omnidesk.core.messages.social import length\n"
        "print(length('x', 'warm up 😀'))\n"
        "print(importlib.util.find_spec('pkg_resources') is not None, 'pkg_resources' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, encoding="utf-8",
                          check=True)
    count, flags = done.stdout.splitlines()
    assert count == "10"
    installed, loaded = flags.split()
    if installed == "False":
        assert loaded == "False"


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=200))
def test_counts_never_raise(text):
    for code in NETWORKS:
        assert length(code, text) >= 0
    assert graphemes(text) <= len(text)
    hashtags(text)
