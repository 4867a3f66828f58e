"""Each social network's length rule, and which of several networks a shared text fits worst.

The networks count differently, and each count here is the network's own:

- **X**: 280 *weighted* characters, as the twitter-text library X publishes counts them
  (twitter-text-parser is its Python port): every link counts 23 whatever its length;
  characters up to U+10FF (Latin, Greek, Cyrillic, Hebrew, Arabic, the Indic scripts)
  and common punctuation count 1; an emoji sequence counts 2, as does everything else
  (Chinese, Japanese, Korean).
- **Bluesky**: 300 graphemes, what a reader sees as one character (a flag, a family
  emoji joined by zero-width joiners, a letter with its accents): grapheme clusters as
  ``regex``'s ``\\X`` finds them.
- **Instagram** (2,200, and at most 30 hashtags), **Facebook** (63,206), **LinkedIn**
  (3,000), **Threads** (500) and **Google Business Profile** (1,500) count characters.
  They do not publish how, and their composers are web pages, whose strings count
  UTF-16 code units; so do these counts (an emoji outside the Basic Multilingual Plane
  counts 2), which are never below a count of code points or of graphemes.  Line breaks count one
  however they were typed (the networks store "\\r\\n" as "\\n").

When one text serves several networks, :func:`fits` shows each and :func:`tightest`
names the one with the least room left, which decides.
"""

from __future__ import annotations

import sys
import threading
import types
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import regex

from omnidesk.core.messages.links import find_links

WEIGHTED, CHARACTERS, GRAPHEMES = "weighted", "characters", "graphemes"


@dataclass(frozen=True)
class Network:
    """A social network a post goes to, with the limit its text must keep to."""

    code: str
    label: str
    limit: int
    unit: str  # WEIGHTED, CHARACTERS or GRAPHEMES
    max_hashtags: int | None = None


NETWORKS: dict[str, Network] = {
    n.code: n
    for n in (
        Network("x", "X", 280, WEIGHTED),
        Network("instagram", "Instagram", 2_200, CHARACTERS, max_hashtags=30),
        Network("facebook", "Facebook", 63_206, CHARACTERS),
        Network("linkedin", "LinkedIn", 3_000, CHARACTERS),
        Network("threads", "Threads", 500, CHARACTERS),
        Network("bluesky", "Bluesky", 300, GRAPHEMES),
        Network("google", "Google Business Profile", 1_500, CHARACTERS),
    )
}


@dataclass(frozen=True)
class Fit:
    """How a text fits one network: its ``length`` in the network's unit against its ``limit``.

    ``over`` is how far past the limit it runs (0 when it fits); ``hashtags_over`` how many
    hashtags more than the network allows it has (0 when none too many).
    """

    network: str
    length: int
    limit: int
    over: int
    hashtags_over: int = 0

    @property
    def room(self) -> int:
        """What is left before the limit; negative when over."""
        return self.limit - self.length

    @property
    def ok(self) -> bool:
        return self.over == 0 and self.hashtags_over == 0


def get_network(code: str | Network) -> Network:
    """The network with this code; ValueError naming the known codes for any other."""
    if isinstance(code, Network):
        return code
    try:
        return NETWORKS[code]
    except KeyError:
        raise ValueError(f"unknown network {code!r}; known: {', '.join(NETWORKS)}") from None


# One import of twitter-text at a time: the screens check off the window's thread, several checks at
# once, and a second thread saw the package half imported (no ``parse_tweet`` yet).
_TWITTER_IMPORT = threading.Lock()


@cache
def _twitter() -> tuple[Callable, Callable]:
    with _TWITTER_IMPORT:
        return _import_twitter()


def _import_twitter() -> tuple[Callable, Callable]:
    """twitter-text's ``parse_tweet`` and ``extract_urls_with_indices``, imported on first use.

    Its emoji table is read at import through ``pkg_resources``, which setuptools no
    longer ships (removed in 82); when it is missing, a stand-in that reads the file next
    to the module is put in place for that one import and taken away after.
    """
    try:
        import twitter_text
    except ModuleNotFoundError as missing:
        if missing.name != "pkg_resources":
            raise
        for name in [m for m in sys.modules if m == "twitter_text" or m.startswith("twitter_text.")]:
            del sys.modules[name]
        stand_in = types.ModuleType("pkg_resources")
        stand_in.resource_string = lambda module, resource: (
            Path(sys.modules[module].__file__).with_name(resource).read_bytes())
        sys.modules["pkg_resources"] = stand_in
        try:
            import twitter_text
        finally:
            del sys.modules["pkg_resources"]
    return twitter_text.parse_tweet, twitter_text.extract_urls_with_indices


_GRAPHEME = regex.compile(r"\X")


def graphemes(text: str) -> int:
    """How many user-perceived characters (extended grapheme clusters) ``text`` holds."""
    return sum(1 for _ in _GRAPHEME.finditer(text))


def utf16_length(text: str) -> int:
    """``text``'s length as a web page counts it: UTF-16 code units, line breaks one each."""
    text = text.replace("\r\n", "\n")
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


def weighted_length(text: str) -> int:
    """``text``'s length as X counts it (twitter-text's weighted length)."""
    parse_tweet, _ = _twitter()
    return parse_tweet(text).weightedLength


def length(network: str | Network, text: str) -> int:
    """``text``'s length in the unit ``network``'s limit is counted in."""
    unit = get_network(network).unit
    if unit == WEIGHTED:
        return weighted_length(text)
    if unit == GRAPHEMES:
        return graphemes(text)
    return utf16_length(text)


# A hashtag: # (or the full-width ＃) not right after a letter, digit, underscore or &
# (so "a#b", "&#39;" and "C#" are not tags), then letters, marks, digits and underscores,
# with at least one that is not a digit ("#1" is not a tag).  Zero-width joiners and
# non-joiners stay inside, as scripts such as Persian and Hindi need them.
_HASHTAG = regex.compile(
    r"(?<![\p{L}\p{M}\p{Nd}_&])[#＃](?![\uFE0F\u20E3])((?=[\p{L}\p{M}\p{Nd}_\u200c\u200d]*[\p{L}\p{M}_])"
    r"[\p{L}\p{M}\p{Nd}_\u200c\u200d]+)"
)


def hashtags(text: str) -> list[str]:
    """The hashtags of ``text``, without their "#", in order and as often as they appear.

    A "#" inside a link ("https://shop.example/#sizes") starts no hashtag.
    """
    _, extract_urls = _twitter()
    spans = [(link.start, link.end) for link in find_links(text)]
    spans += [tuple(found["indices"]) for found in extract_urls(text)]
    tags = []
    for m in _HASHTAG.finditer(text):
        at = m.start()
        if not any(start <= at < end for start, end in spans):
            tags.append(m.group(1))
    return tags


def fits(networks: Iterable[str | Network], text: str) -> list[Fit]:
    """How ``text`` fits each of ``networks``, in the order given."""
    out = []
    tag_count = None
    for n in map(get_network, networks):
        size = length(n, text)
        hashtags_over = 0
        if n.max_hashtags is not None:
            if tag_count is None:
                tag_count = len(hashtags(text))
            hashtags_over = max(0, tag_count - n.max_hashtags)
        out.append(Fit(n.code, size, n.limit, max(0, size - n.limit), hashtags_over))
    return out


def tightest(networks: Iterable[str | Network], text: str) -> Fit:
    """The fit with the least room among ``networks`` (the first of equals): the one that rules."""
    results = fits(networks, text)
    if not results:
        raise ValueError("no network given")
    return min(results, key=lambda fit: fit.room)
