"""Links in a message, and the campaign tags (UTM parameters) each channel adds to them.

A tagged link tells the shop's analytics which channel and campaign brought a visit:
``utm_source`` (where: newsletter, facebook), ``utm_medium`` (what kind: email, social)
and ``utm_campaign`` (which campaign).  Tagging keeps everything else of the link as
written: its other query parameters, in their order and their own encoding, and its
fragment.  Any ``utm_*`` parameter the link already had is dropped first, so a link
copied from another channel's variant is tagged for this one only.

:data:`CHANNEL_UTM` is the default source and medium per channel.  The mediums are the
ones Google Analytics 4's default channel groups recognise (``email`` -> Email, ``sms``
-> SMS, ``social`` with a network's name as the source -> Organic Social, ``organic`` with
source ``google`` -> Organic Search, where visits from a Business Profile post land when
untagged); ``print`` for the in-store poster is not a GA4 medium and lands in
"Unassigned", which is where a poster's QR code visits are best kept apart anyway.  The
website banner is left out on purpose: a link on the shop's own site pointing to the
shop's own pages must not be tagged, or every visit it carries is credited to "website"
instead of the channel that brought the visitor in.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from urllib.parse import quote, unquote, urlsplit, urlunsplit

UTM_KEYS = ("utm_source", "utm_medium", "utm_campaign", "utm_content")

CHANNEL_UTM: dict[str, tuple[str, str]] = {
    "email": ("newsletter", "email"),
    "sms": ("sms", "sms"),
    "facebook": ("facebook", "social"),
    "instagram": ("instagram", "social"),
    "x": ("x", "social"),
    "linkedin": ("linkedin", "social"),
    "threads": ("threads", "social"),
    "bluesky": ("bluesky", "social"),
    "google": ("google", "organic"),
    "store": ("poster", "print"),
}


def channel_utm(channel: str) -> tuple[str, str] | None:
    """The default (source, medium) for links sent on ``channel``; None where links stay untagged."""
    return CHANNEL_UTM.get(channel)


@dataclass(frozen=True)
class Link:
    """A link found in a text: the URL as written and where it stands (``text[start:end] == url``)."""

    url: str
    start: int
    end: int


_HOST_LABEL = re.compile(r"(?!-)[^\W_](?:[\w-]{0,61}[^\W_])?", re.UNICODE)
_IPV4 = re.compile(r"\d{1,3}(?:\.\d{1,3}){3}")
# A token in a link (``…/stores/{city|main street}``) is filled in percent-encoded: a space in its
# fallback is none in the address.  It is read as one character that is no letter, so a token in
# the host name still makes no host a browser can find.
_TOKEN = re.compile(r"\{[^{}\r\n]*\}")


def _problem(url: str) -> str | None:
    """Why ``url`` is not a web link a message can carry, or None when it is one."""
    if not isinstance(url, str) or not url.strip():
        return "the link is empty"
    url = _TOKEN.sub("\ue000", url)
    if url != url.strip() or any(ch.isspace() for ch in url):
        return "a link cannot contain spaces"
    if any(unicodedata.category(ch) == "Cc" for ch in url):
        return "the link contains control characters"
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a port that is not a number in range
    except ValueError:
        return "the link is malformed"
    if not parts.scheme:
        return "the link must start with http:// or https://"
    if parts.scheme.lower() not in ("http", "https"):
        return f"only http and https links can be tagged, not {parts.scheme}:"
    host = parts.hostname or ""
    if not host:
        return "the link has no host name"
    if host.startswith("[") or ":" in host:
        return None  # an IPv6 literal, which urlsplit has already checked
    if _IPV4.fullmatch(host):
        return None if all(int(part) < 256 for part in host.split(".")) else "the link's address is not valid"
    labels = host.rstrip(".").split(".")
    if host != "localhost" and len(labels) < 2:
        return f"the host name {host!r} has no domain ending"
    if not all(_HOST_LABEL.fullmatch(label) for label in labels):
        return f"the host name {host!r} is not valid"
    return None


def link_problem(url: str) -> str | None:
    """Why ``url`` is no web link a message can carry, in a sentence naming it; None when it is one."""
    problem = _problem(url)
    return None if problem is None else f"{url} is not a link a browser can open: {problem}"


def is_valid_link(url: str) -> bool:
    """True when ``url`` is an http(s) link with a valid host name and no spaces."""
    return _problem(url) is None


def opened(url: str) -> str:
    """The address a browser opens for ``url`` as written: a bare "www." link as https."""
    return "https://" + url if url.lower().startswith("www.") else url


def _key(piece: str) -> str:
    return unquote(piece.partition("=")[0]).strip().lower()


def add_utm(url: str, source: str, medium: str, campaign: str, *, content: str | None = None) -> str:
    """``url`` tagged with ``utm_source``, ``utm_medium``, ``utm_campaign`` (and ``utm_content``).

    The link's other query parameters stay as written and in order, its fragment stays;
    any ``utm_*`` it had is replaced.  Raises ValueError with a one-line reason for anything
    but an http(s) link with a host, or an empty source, medium or campaign.
    """
    problem = _problem(url)
    if problem:
        raise ValueError(problem)
    tags = {"utm_source": source, "utm_medium": medium, "utm_campaign": campaign}
    for key, value in tags.items():
        if not value or not str(value).strip():
            raise ValueError(f"{key} cannot be empty")
    if content is not None and str(content).strip():
        tags["utm_content"] = content
    held, url = held_tokens(url)
    parts = urlsplit(url)
    kept = [piece for piece in parts.query.split("&") if piece and not _key(piece).startswith("utm_")]
    kept += [f"{key}={quote(str(value).strip(), safe='')}" for key, value in tags.items()]
    return tokens_back(urlunsplit(parts._replace(query="&".join(kept))), held)


def held_tokens(url: str) -> tuple[list[str], str]:
    """The tokens of ``url`` and ``url`` with each in its place as a mark of no meaning in a link.

    A token is one piece of its link, whatever its fallback holds: a "?", "#" or "&" in
    "{city|a#b}" starts no query or fragment.  :func:`tokens_back` puts them back."""
    held = _TOKEN.findall(url)
    numbers = iter(range(len(held)))
    return held, _TOKEN.sub(lambda _m: f"\ue000{next(numbers)}\ue001", url)


def tokens_back(text: str, held: list[str]) -> str:
    """``text`` with the tokens :func:`held_tokens` held back in their places."""
    for number, token in enumerate(held):
        text = text.replace(f"\ue000{number}\ue001", token, 1)
    return text


def _query(url: str) -> str:
    """The query of ``url`` (a bare "www." link read as https), its tokens as written."""
    held, url = held_tokens(opened(url))
    return tokens_back(urlsplit(url).query, held)


def has_utm(url: str) -> bool:
    """True when ``url`` carries a non-empty ``utm_source``, ``utm_medium`` and ``utm_campaign``.

    A link with only some of them counts as untagged: analytics files such a visit under
    "(not set)" for what is missing.  A bare "www." link is read as https.
    """
    try:
        query = _query(url)
    except ValueError:
        return False
    found = {_key(piece): unquote(piece.partition("=")[2]).strip() for piece in query.split("&") if piece}
    return all(found.get(key) for key in UTM_KEYS[:3])


def utm_values(url: str) -> dict[str, str]:
    """The ``utm_*`` parameters ``url`` carries, by key (lower case), their values decoded and
    stripped ({} for none, or for a link that cannot be read).  A bare "www." link is read as https."""
    try:
        query = _query(url)
    except ValueError:
        return {}
    return {_key(piece): unquote(piece.partition("=")[2]).strip() for piece in query.split("&")
            if piece and _key(piece).startswith("utm_")}


# A link starts at http:// or https:// (any case), or at www. where no word, dot, @ or slash
# comes right before it (not inside an email address or another link).  It runs to white
# space, or to a character that does not belong in a written URL: quotes, angle brackets,
# and the full-width punctuation of CJK text.  A token in braces is one piece of it, whatever
# it holds: ".../stores/{city|main street}" is one link, the token's value filled in (and
# percent-encoded) where it stands.
_LINK = re.compile(
    r"(?:\bhttps?://|(?<![\w.@/])www\.)(?:\{[^{}\r\n]*\}|[^\s<>\"“”‘’«»「」『』（）。、，！？；：])+",
    re.IGNORECASE,
)
_TRAILING = ".,;:!?'…*_~"
_PAIRS = {")": "(", "]": "[", "}": "{"}


def _trim(url: str) -> str:
    """``url`` without the punctuation of the sentence around it.

    A closing bracket stays when the link opened it ("…/Sale_(2026)"), the way chat apps
    and twitter-text read links.
    """
    while url:
        last = url[-1]
        if last in _TRAILING:
            url = url[:-1]
        elif last in _PAIRS and url.count(last) > url.count(_PAIRS[last]):
            url = url[:-1]
        else:
            break
    return url


def find_links(text: str) -> list[Link]:
    """Every http(s) link and bare "www." link in ``text``, in order, without trailing punctuation;
    a ``{token}`` within a link, spaces in its fallback and all, is part of it."""
    links = []
    for m in _LINK.finditer(text):
        url = _trim(m.group())
        scheme_only = re.fullmatch(r"(?i)https?://|www\.", url)
        if url and not scheme_only:
            links.append(Link(url, m.start(), m.start() + len(url)))
    return links


def tag_links(text: str, source: str, medium: str, campaign: str, *, content: str | None = None) -> str:
    """``text`` with every link :func:`find_links` finds tagged by :func:`add_utm`.

    A bare "www." link stays bare (tagged as if it were https); a link that cannot be
    tagged (no valid host) is left as it is: the message check reports it.
    """
    out, at = [], 0
    for link in find_links(text):
        bare = link.url.lower().startswith("www.")
        try:
            tagged = add_utm(opened(link.url), source, medium, campaign, content=content)
        except ValueError:
            continue
        out.append(text[at:link.start])
        out.append(tagged[len("https://"):] if bare else tagged)
        at = link.end
    out.append(text[at:])
    return "".join(out)


def utm_campaign_name(text: str) -> str:
    """A campaign name fit for ``utm_campaign``: "Autumn Sale 2026!" -> "autumn-sale-2026".

    Lower case, words joined by hyphens, accents of Latin letters dropped ("Été" -> "ete");
    letters of other scripts are kept ("Распродажа" -> "распродажа"), since analytics shows
    them as written.  At most 80 characters; "" when ``text`` has no letter or digit.
    """
    out = []
    for ch in unicodedata.normalize("NFC", text):
        base = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
        out.append(base if base.isascii() else ch)
    folded = "".join(out).casefold()
    slug = re.sub(r"[\W_]+", "-", folded).strip("-")
    return slug[:80].rstrip("-")
