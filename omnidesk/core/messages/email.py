"""The email variant as a sending tool takes it: one HTML document and its plain-text part.

:func:`render_email` lays the body and the brand footer out the way email clients
expect (nested tables, a 600 px column, no scripts), writes the CSS once in a
``<style>`` block and then inlines it into ``style`` attributes with css-inline:
Gmail, Outlook and most webmail drop or rewrite ``<style>`` blocks, so only
inline styles are sure to arrive.  The inliner is told never to load a
stylesheet over the network, and ``<link>`` tags are dropped, so rendering
works offline and a hostile link cannot make omnidesk fetch anything.

The plain-text part is derived from that HTML with inscriptis (Apache-2.0):
each link is written "text (url)", so a reader of the text part still has
every address, the unsubscribe placeholder among them.

``body_html`` and ``footer_html`` are HTML and are used as they are; text a
person typed goes through :func:`body_from_text` first, which escapes it.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from functools import cache

from omnidesk.core.messages.links import find_links, opened
from omnidesk.core.messages.tokens import FSI, PDI, right_to_left

# What each sending tool replaces with the recipient's own unsubscribe address.
UNSUBSCRIBE_PLACEHOLDERS = {
    "mailchimp": "*|UNSUB|*",
    "generic": "{{unsubscribe_url}}",
}

_HEX_COLOR = re.compile(r"^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")
_PAGE_BG = "#f4f4f5"
_MUTED = "#6b7280"

# Without this padding some clients fill the inbox preview with the start of the
# body after a short preheader; zero-width non-joiners and no-break spaces show nothing.
_PREHEADER_PAD = "&zwnj;&nbsp;" * 60
# Hidden in every client's body, shown only in the inbox list: each client hides by another rule.
_PREHEADER_STYLE = ("display: none; visibility: hidden; mso-hide: all; font-size: 1px; line-height: 1px; "
                    f"max-height: 0; max-width: 0; opacity: 0; overflow: hidden; color: {_PAGE_BG};")


# The inliner and the HTML-to-text engine are imported when an email is first rendered: the
# Messages screen opens (a workspace with no message yet, or its list) without them.
@cache
def _inliner():
    import css_inline

    return css_inline.CSSInliner(
        inline_style_tags=True,
        keep_style_tags=False,
        keep_link_tags=False,
        load_remote_stylesheets=False,
    )


@dataclass(frozen=True)
class EmailParts:
    """One rendered email: the two header lines and the two bodies a sending tool needs."""

    subject: str
    preheader: str
    html: str
    text: str


def _one_line(value: str) -> str:
    # A line break in a subject is a header injection in some sending tools.
    return " ".join(value.split())


def with_picture(body_html: str, picture: str, alt: str) -> str:
    """``body_html`` with the message's picture above it (none without ``picture``).  ``alt`` (the
    headline) is what a client that blocks pictures shows in its place, and what a screen reader says."""
    if not picture:
        return body_html
    return (f'<p><img src="{html.escape(picture, quote=True)}" alt="{html.escape(" ".join(alt.split()), quote=True)}" '
            f'width="560" style="max-width:100%;height:auto"></p>{body_html}')


def writing_direction(*texts: str) -> str:
    """"rtl" when the first letter of ``texts`` (HTML tags left out) that has a direction is
    written right to left (Hebrew, Arabic), else "ltr": the rule of HTML's ``dir="auto"``,
    which email clients do not all follow, so the email says it outright."""
    import unicodedata

    for text in texts:
        for ch in re.sub(r"<[^>]*>|&\w+;|&#\w+;", " ", text or ""):
            kind = unicodedata.bidirectional(ch)
            if kind in ("R", "AL"):
                return "rtl"
            if kind == "L":
                return "ltr"
    return "ltr"


def template_direction(*templates: str) -> str:
    """:func:`writing_direction` of the templates' own words, their tokens left out: the email
    is laid out for the language it is written in, whoever it goes to (a customer's Arabic
    name first in an English email leaves it left to right), as the send pack lays it out."""
    from omnidesk.core.messages.tokens import Text, parse

    return writing_direction(*(" ".join(p.text for p in parse(t or "") if isinstance(p, Text)) for t in templates))


def _css(color: str, align: str = "left") -> str:
    return f"""
body {{ margin: 0; padding: 0; background-color: {_PAGE_BG}; }}
table {{ border-collapse: collapse; }}
.wrapper {{ width: 100%; background-color: {_PAGE_BG}; }}
.container {{ width: 100%; max-width: 600px; background-color: #ffffff; border-top: 4px solid {color}; }}
.content {{ padding: 32px 32px 16px 32px; font-family: Helvetica, Arial, sans-serif; font-size: 16px;
            line-height: 1.5; color: #222222; text-align: {align}; }}
.content p {{ margin: 0 0 16px 0; }}
.content h1, .content h2 {{ margin: 0 0 16px 0; line-height: 1.25; color: #111111; }}
.content a {{ color: {color}; text-decoration: underline; }}
.content img {{ max-width: 100%; height: auto; border: 0; }}
.footer {{ padding: 16px 32px 32px 32px; font-family: Helvetica, Arial, sans-serif; font-size: 12px;
           line-height: 1.5; color: {_MUTED}; text-align: center; border-top: 1px solid #e5e7eb; }}
.footer p {{ margin: 0 0 8px 0; }}
.footer a {{ color: {_MUTED}; text-decoration: underline; }}
"""


def render_email(*, subject: str, preheader: str, body_html: str, footer_html: str,
                 brand_color: str = "#333333", unsubscribe: str = "mailchimp",
                 direction: str | None = None) -> EmailParts:
    """The complete email for ``body_html`` with the brand footer and an unsubscribe link.

    ``subject`` and ``preheader`` are plain text (escaped here, folded to one line);
    ``footer_html`` holds the postal address and is followed by an unsubscribe link
    to the placeholder of ``unsubscribe`` ("mailchimp" or "generic", see
    :data:`UNSUBSCRIBE_PLACEHOLDERS`) unless it already links there.  The HTML has
    its CSS inlined and needs no stylesheet; nothing is fetched.  Raises ValueError
    for an unknown ``unsubscribe`` or a ``brand_color`` that is not ``#rgb``/``#rrggbb``.
    ``direction`` ("ltr" or "rtl"; :func:`template_direction`) is read from the body and the
    subject (:func:`writing_direction`) when not given.
    """
    if unsubscribe not in UNSUBSCRIBE_PLACEHOLDERS:
        raise ValueError(f"unknown unsubscribe style {unsubscribe!r}: use "
                         + " or ".join(repr(k) for k in UNSUBSCRIBE_PLACEHOLDERS))
    if not _HEX_COLOR.match(brand_color or ""):
        # The colour goes into CSS; anything but a hex colour could carry other rules.
        raise ValueError(f"brand colour {brand_color!r} is not a colour like #1a2b3c")
    placeholder = UNSUBSCRIBE_PLACEHOLDERS[unsubscribe]
    subject = _one_line(subject)
    preheader = _one_line(preheader)

    footer = footer_html.strip()
    if placeholder not in footer:
        footer += f'\n<p><a href="{html.escape(placeholder)}">Unsubscribe</a></p>'

    # Arabic or Hebrew laid out from the right, and aligned there, in clients that ignore dir too.
    if direction not in ("ltr", "rtl"):
        direction = writing_direction(body_html, subject)
    rtl = direction == "rtl"
    document = f"""<!DOCTYPE html>
<html{'' if rtl else ' lang="en"'} dir="{direction}">
<head>
<meta http-equiv="Content-Type" content="text/html; charset=utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="x-apple-disable-message-reformatting">
<title>{html.escape(subject)}</title>
<style>{_css(brand_color, "right" if rtl else "left")}</style>
</head>
<body dir="{direction}">
<span class="preheader" style="{_PREHEADER_STYLE}">{html.escape(preheader)}{_PREHEADER_PAD}</span>
<table role="presentation" class="wrapper" width="100%" cellpadding="0" cellspacing="0" border="0" bgcolor="{_PAGE_BG}">
<tr><td align="center" style="padding: 24px 8px;">
<!--[if mso]><table role="presentation" width="600" cellpadding="0" cellspacing="0" border="0"><tr><td><![endif]-->
<table role="presentation" class="container" width="100%" cellpadding="0" cellspacing="0" border="0" bgcolor="#ffffff">
<tr><td class="content" dir="{direction}">
{body_html}
</td></tr>
<tr><td class="footer">
{footer}
</td></tr>
</table>
<!--[if mso]></td></tr></table><![endif]-->
</td></tr>
</table>
</body>
</html>
"""
    inlined = _inliner().inline(document)
    return EmailParts(subject=subject, preheader=preheader, html=inlined, text=text_part(inlined))


def text_part(document: str, *, pictures: bool = False) -> str:
    """The plain-text rendering of an email's HTML: hidden parts left out, each link as
    "text (url)" (the url alone when the text is the url), blank lines between blocks, every
    character as the HTML shows it ("&amp;lt;3" is "&lt;3", not "<3").

    ``pictures``: each picture said where it stands, "[Picture: its alt text (its address)]", as a
    preview of the email reads it (the text part a sending tool takes has none)."""
    from inscriptis.html_engine import Inscriptis
    from inscriptis.model.config import ParserConfig
    from lxml.html import document_fromstring

    tree = document_fromstring(document)
    if pictures:
        for picture in list(tree.iter("img")):
            alt, src = " ".join((picture.get("alt") or "").split()), (picture.get("src") or "").strip()
            said = tree.makeelement("span", {})
            said.text = "[Picture" + (f": {alt}" if alt else "") + (f" ({src})" if src else "") + "]"
            said.tail = picture.tail
            picture.getparent().replace(picture, said)
    for link in tree.iter("a"):
        href = (link.get("href") or "").strip()
        label = " ".join(link.text_content().split())
        shown = href[len("mailto:"):] if href.lower().startswith("mailto:") else href
        if not href or href.startswith("#") or shown == label:
            continue
        link.tail = f" ({shown})" + (link.tail or "") if label else shown + (link.tail or "")
    for value in tree.iter("bdi"):
        # A value set apart in <bdi> (body_from_filled) stays apart in plain text: FSI…PDI around
        # one written right to left.
        words = value.text_content()
        if right_to_left(words):
            value.text = FSI + (value.text or "")
            if len(value):
                value[-1].tail = (value[-1].tail or "") + PDI
            else:
                value.text += PDI
    # Inscriptis decodes entities in the text lxml has decoded already, and again for each table
    # around it: typed "Fish &amp; Chips" read "Fish & Chips", "?a=1&sect=2" read "?a=1§=2".  Each
    # "&" goes through it as a character it leaves alone (one the email's text does not hold), and is
    # put back after.
    held = "".join(tree.itertext())
    amp = next(ch for ch in map(chr, range(0xF8FF, 0xE000, -1)) if ch not in held)
    for node in tree.iter():
        if node.text and "&" in node.text:
            node.text = node.text.replace("&", amp)
        if node.tail and "&" in node.tail:
            node.tail = node.tail.replace("&", amp)
    text = Inscriptis(tree, ParserConfig(display_links=False)).get_text().replace(amp, "&")
    lines = [line.rstrip() for line in text.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip() + "\n"


def _linkify(line: str) -> str:
    # The links the check reads and the campaign tags go on (links.find_links), and only those: a
    # closing quote, a "。", an "…" or a bracket the link did not open stays in the words.
    out, pos = [], 0
    for link in find_links(line):
        out.append(html.escape(line[pos:link.start]))
        out.append(f'<a href="{html.escape(opened(link.url), quote=True)}">{html.escape(link.url)}</a>')
        pos = link.end
    out.append(html.escape(line[pos:]))
    return "".join(out)


def body_from_text(text: str) -> str:
    """A master message's plain text as safe HTML: every character escaped, blank lines
    separating ``<p>`` paragraphs, single line breaks kept as ``<br>``, and http(s)
    and www. addresses made links (only those: no ``javascript:`` link can arise)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    paragraphs = []
    for block in re.split(r"\n[ \t]*\n", text):
        lines = [line.strip() for line in block.strip("\n").split("\n")]
        lines = [line for line in lines if line]
        if lines:
            paragraphs.append("<p>" + "<br>\n".join(_linkify(line) for line in lines) + "</p>")
    return "\n".join(paragraphs)


# Where each filled-in value goes while the template's own words are laid out (private-use
# characters: no template writes them, and the link pattern runs through them like letters).
_HOLE = re.compile("\ue000(\\d+)\ue001")
_IN_LINK = re.compile(r"<a\s[^>]*>.*?</a>", re.S)


def body_from_filled(pieces: list[tuple[str, bool]]) -> str:
    """:func:`body_from_text` for a template filled in (``tokens.fill``): only the addresses the
    template writes become links.  A value is text, escaped, wherever it stands: a first name
    "www.shop.example" is a name, not a link; within a link the template writes
    (``…/stores/{city}``) it is the part of the address it fills."""
    values: list[str] = []
    laid: list[str] = []
    for text, filled in pieces:
        if filled and not text:
            continue  # nothing filled in: the line reads as it would without the token
        if filled:
            laid.append(f"\ue000{len(values)}\ue001")
            values.append(text)
        else:
            laid.append(text.replace("\ue000", "").replace("\ue001", ""))
    laid_out = body_from_text("".join(laid))
    # A value within a link the template writes is part of its address (and of its words); any
    # other is set apart in <bdi>, so a name written right to left, or holding figures, never
    # reorders the words around it ("Hi محمد, 20% off" read "Hi 20 ,محمد% off").
    laid_out = _IN_LINK.sub(lambda a: _HOLE.sub(lambda m: html.escape(values[int(m.group(1))], quote=True),
                                                a.group()), laid_out)
    return _HOLE.sub(lambda m: f"<bdi>{html.escape(values[int(m.group(1))], quote=True)}</bdi>", laid_out)
