"""Each channel's variant, made from the master message and the brand kit.

A variant is a few named fields per channel (``VARIANT_FIELDS``).  Made from the
master, it says the same offer, the same call to action and the same link
everywhere, each in the form its channel takes: an email's subject and
preheader, an SMS that names the sender and how to stop, a social post, the
poster's lines, the website's banner.  Links are tagged per channel for the
campaign's analytics (``links.py`` when tagging is on).  The user edits a
variant afterwards; :mod:`omnidesk.core.messages.store` keeps the master it was
made from, to say when the master has moved on.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping

from omnidesk.core.messages import tokens
from omnidesk.core.messages.brand import Brand
from omnidesk.core.messages.links import (add_utm, channel_utm, find_links, is_valid_link, opened, utm_campaign_name,
                                          utm_values)
from omnidesk.core.messages.personal import nice_day

MASTER_FIELDS = ("headline", "body", "offer_code", "offer_value", "offer_expires", "cta", "link", "image")
SOCIAL = ("facebook", "instagram", "x", "linkedin", "threads", "bluesky", "google")
VARIANT_CHANNELS = ("email", "sms", *SOCIAL, "store", "website")
# Channels sent to each person, one copy each; every other variant is published once,
# for whoever looks (a post, the poster, the banner), so no customer's values fill it.
PER_PERSON = ("email", "sms")
VARIANT_FIELDS: dict[str, tuple[str, ...]] = {
    "email": ("subject", "preheader", "body"),
    "sms": ("text",),
    **{network: ("text",) for network in SOCIAL},
    "store": ("headline", "offer", "cta", "link"),
    "website": ("text", "link"),
}
CHANNEL_LABELS = {"email": "Email", "sms": "SMS", "facebook": "Facebook", "instagram": "Instagram", "x": "X",
                  "linkedin": "LinkedIn", "threads": "Threads", "bluesky": "Bluesky",
                  "google": "Google Business Profile", "store": "In-store poster", "website": "Website banner"}
DEFAULT_CHANNELS = ("email", "sms", "instagram", "facebook", "store")
# A variant's fields as the Messages screen's editor labels them.
FIELD_LABELS = {"subject": "Subject", "preheader": "Preheader", "body": "Body", "text": "Text",
                "headline": "Headline", "offer": "Offer", "cta": "Call to action", "link": "Link"}

# The master's, as the editor labels them (its keyboard shortcuts left out).
MASTER_FIELD_LABELS = {"image": "Image", "headline": "Headline", "body": "Body", "offer_value": "Offer",
                       "offer_code": "Offer code", "offer_expires": "Offer ends", "cta": "Call to action",
                       "link": "Link"}


def where_label(channel: str, field: str = "") -> str:
    """Where a finding stands, as the editor names it: "Email preheader", "SMS text", "Master offer
    code"; the channel alone for a finding about the whole variant (``field`` "")."""
    if channel == "master":
        return f"Master {MASTER_FIELD_LABELS.get(field, field).lower()}" if field else "Master"
    where = CHANNEL_LABELS.get(channel, channel)
    return f"{where} {FIELD_LABELS.get(field, field).lower()}" if field else where


def _sentence(text: str) -> str:
    """The first sentence of ``text`` (a preheader), at most 100 characters.

    The sentence ends at a mark in the template's own words, never at one inside a token or a
    link.  A longer one is cut before a token or a link the cut would fall inside: half a token
    ("{first_na…") is read by every customer as it stands, and half a link opens nothing."""
    flat = " ".join(text.split())
    spans = [(p.start, p.end) for p in tokens.parse(flat) if isinstance(p, tokens.Token)]
    spans += [(lk.start, lk.end) for lk in find_links(flat)]
    # A full stop inside a token's fallback ("{full_name|Mr. or Mrs. Customer}") or a link ends no
    # sentence: the sentence ends at the first mark in the template's own words.
    ends = (m.end() for m in re.finditer(r"[.!?](?=\s|$)", flat)
            if m.start() and not any(start <= m.start() < end for start, end in spans))
    first = flat[:next(ends, len(flat))]
    if len(first) <= 100:
        return first
    spans = [(start, end) for start, end in spans if start < len(first)]
    cut = 99
    for start, end in sorted(spans, key=lambda span: -span[0]):  # a token in a link: before the link
        if start < cut < end:
            cut = start
    return first[:cut].rstrip() + "…"


def _ended(text: str) -> str:
    """A sentence of an SMS ends with its mark: "20% off" -> "20% off."."""
    return text if text[-1:] in ".!?:" else f"{text}."


def offer_words(master: Mapping[str, str]) -> str:
    """"20% off with code AUTUMN20, until 31 Oct 2026" from the master's offer fields ("" without one)."""
    value, code, expires = (master.get(k, "") for k in ("offer_value", "offer_code", "offer_expires"))
    # The day as {offer_expires} writes it: a variant and a token in it never say one date two ways.
    expires = nice_day(expires) or expires
    parts = [value] if value else []
    if code:
        parts.append(f"with code {code}" if value else f"Code {code}")
    words = " ".join(parts)
    if expires:
        words = f"{words}, until {expires}" if words else f"Until {expires}"
    return words


def campaign_name(brand: Brand, message_name: str) -> str:
    """The utm_campaign of a message's links: the brand's pattern with the message's name, as a slug."""
    return utm_campaign_name((brand.utm_campaign or "{message}").replace("{message}", message_name))


def tagged_link(channel: str, link: str, campaign: str, *, content: str | None = None) -> str:
    """The master's link as ``channel`` sends it: with its campaign tags, where the channel has them
    (and ``utm_content``, when given)."""
    utm = channel_utm(channel)
    if not link or utm is None or not campaign or not is_valid_link(link):
        return link
    return add_utm(link, *utm, campaign, content=content)


def retagged(channel: str, text: str, campaign: str) -> str:
    """``text`` with each link that carries campaign tags tagged again by :func:`tagged_link`, for
    ``channel`` and ``campaign`` (its ``utm_content`` kept): a copy of a message, under its own name,
    counts its visits for itself.  A link without tags stays as written (the check warns of it);
    a bare "www." link stays bare."""
    return tagged_links(channel, text, campaign, untagged=False)


def tagged_links(channel: str, text: str, campaign: str, *, untagged: bool = True) -> str:
    """``text`` with each of its links tagged by :func:`tagged_link` for ``channel`` and ``campaign``,
    as a variant made from the master carries the links of the master's words: one already tagged
    for another channel or campaign is tagged for this one (its ``utm_content`` kept), and without
    ``untagged`` a link without tags stays as written.  A link ends where :func:`find_links` ends it
    (a full stop or a bracket after it stays in the words); a bare "www." link stays bare; a link
    that cannot open stays as written (the check says why)."""
    out, at = [], 0
    for link in find_links(text):
        utm = utm_values(link.url)
        if not utm and not untagged:
            continue
        bare = link.url.lower().startswith("www.")
        tagged = tagged_link(channel, opened(link.url), campaign, content=utm.get("utm_content") or None)
        if tagged == opened(link.url):
            continue  # a channel without tags, or a link that cannot be tagged
        out.append(text[at:link.start])
        out.append(tagged[len("https://"):] if bare else tagged)
        at = link.end
    out.append(text[at:])
    return "".join(out)


def derive(channel: str, master: Mapping[str, str], brand: Brand | None = None, *, campaign: str = "") -> dict[str, str]:
    """The channel's variant fields made from ``master`` (the fields of :data:`VARIANT_FIELDS`).

    With ``campaign`` (see :func:`campaign_name`), the link carries the channel's campaign tags, and
    so does each link written in the master's words (:func:`tagged_links`).
    """
    brand = brand or Brand()
    # The poster's printed words keep a link as written, for a reader to type: its QR code carries the tags.
    headline, body, cta = (master.get(k, "") if channel == "store" else tagged_links(channel, master.get(k, ""), campaign)
                           for k in ("headline", "body", "cta"))
    link = tagged_link(channel, master.get("link", ""), campaign)
    offer = offer_words(master)
    if channel == "email":
        lines = [body, offer, f"{cta}: {link}" if cta and link else cta or link]
        return {"subject": headline, "preheader": _sentence(body or offer),
                "body": "\n\n".join(p for p in lines if p)}
    if channel == "sms":
        who = f"{brand.sms_sender or brand.name}: " if (brand.sms_sender or brand.name) else ""
        words = [_ended(p) for p in (f"{who}{headline}".strip(), offer, cta) if p]
        words += [link] if link else []  # a full stop after a link would be read as part of it
        words += [_ended(brand.sms_opt_out)] if brand.sms_opt_out else []
        return {"text": " ".join(words)}
    if channel in SOCIAL:
        parts = [headline, body, offer, " ".join(p for p in (cta, link) if p)]
        return {"text": "\n\n".join(p for p in parts if p)}
    if channel == "store":
        return {"headline": headline, "offer": offer, "cta": cta, "link": link}
    if channel == "website":
        return {"text": " — ".join(p for p in (headline, offer) if p), "link": link}
    raise ValueError(f"unknown channel {channel!r}")


def word_diff(old: str, new: str) -> list[tuple[str, str]]:
    """What changed between two texts, word by word: ("=", words), ("-", removed), ("+", added)."""
    a, b = (old or "").split(), (new or "").split()
    out: list[tuple[str, str]] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if tag == "equal":
            out.append(("=", " ".join(a[i1:i2])))
        if tag in ("delete", "replace"):
            out.append(("-", " ".join(a[i1:i2])))
        if tag in ("insert", "replace"):
            out.append(("+", " ".join(b[j1:j2])))
    return out


def master_changes(old: Mapping[str, str], new: Mapping[str, str]) -> dict[str, list[tuple[str, str]]]:
    """Per master field that differs: its word diff (what a stale variant has not taken in)."""
    return {f: word_diff(old.get(f, ""), new.get(f, "")) for f in MASTER_FIELDS
            if (old.get(f) or "") != (new.get(f) or "")}
