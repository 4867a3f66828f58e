"""Personalization tokens: ``{first_name}``, ``{first_name|there}``, ``{custom.shopping for}``.

The syntax, in full:

- ``{name}`` is replaced by the customer's value for ``name``; ``{name|fallback}`` by the
  fallback when the customer has no value (missing, empty or only spaces); without a
  fallback, by nothing.  Spaces around the name and the fallback are ignored.
- ``name`` is one of :data:`NAMES` or ``custom.`` and the name of a custom field, which may
  hold spaces and letters of any script.  Names are matched ignoring case.
- ``{{`` and ``}}`` are a brace of their own; a lone ``}`` is also just a brace.  A known
  name in doubled braces, ``{{first_name}}`` as Mailchimp, Klaviyo or Jinja write a token, is
  still rendered as the words "{first_name}", and :func:`problems` reports it.
- Anything else in braces is kept as written and reported by :func:`problems`: an unknown
  name, ``{}``, a ``{`` never closed, a ``{`` inside a token.

Deliberately a small scanner and not ``str.format`` or a template engine: a token is only
ever looked up as a key in the mapping of values, so ``{x.__class__}`` or ``{{7*7}}`` cannot
reach an attribute or run anything; the fallback is plain text, never read as a template;
and every value is escaped for the channel (``html.escape`` for email), percent-encoded
inside a link (``…/stores/{city}`` opens ``…/stores/New%20York``) and cut to a bounded
length.  The scan is one pass over the text.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote

from omnidesk.core.messages.links import find_links
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

NAMES: tuple[str, ...] = (
    "first_name", "last_name", "full_name", "city", "last_product", "last_order_date",
    "lifetime_spend", "offer_code", "offer_value", "offer_expires", "business_name",
)
CUSTOM = "custom."
# The tokens whose value is one customer's (a custom field is too); the others are the
# message's or the brand's, the same for everyone.
PERSONAL: tuple[str, ...] = (
    "first_name", "last_name", "full_name", "city", "last_product", "last_order_date", "lifetime_spend",
)

UNKNOWN_TOKEN, UNCLOSED_BRACE, EMPTY_TOKEN, NESTED_BRACE, DOUBLED_TOKEN = (
    "unknown_token", "unclosed_brace", "empty_token", "nested_brace", "doubled_token")


@dataclass(frozen=True)
class Text:
    """Literal text of a template; ``text`` has its doubled braces undone, ``start:end`` is where it was written."""

    text: str
    start: int
    end: int


@dataclass(frozen=True)
class Token:
    """A ``{name}`` or ``{name|fallback}`` at ``template[start:end]``.

    ``name`` is the canonical key (:func:`token_key`) for a name of the syntax, else the name
    as written; ``fallback`` is None without a ``|``; ``written``: the name as the user typed it
    (``custom.Points``), which the check's findings say back to them.
    """

    name: str
    fallback: str | None
    start: int
    end: int
    written: str = field(default="", compare=False)

    @property
    def shown(self) -> str:
        """The token as the user typed its name, without its fallback: ``{custom.Points}``."""
        return f"{{{_shown(self.written or self.name)}}}"


@dataclass(frozen=True)
class TokenProblem:
    start: int
    end: int
    code: str  # UNKNOWN_TOKEN, UNCLOSED_BRACE, EMPTY_TOKEN, NESTED_BRACE or DOUBLED_TOKEN
    message: str


def custom_key(field: str) -> str:
    """A custom field's name as tokens match it: spaces collapsed, case folded."""
    return " ".join(field.split()).casefold()


def token_key(name: str) -> str | None:
    """The canonical key for a token name ("First_Name" -> "first_name", "Custom.Shopping  For"
    -> "custom.shopping for"), or None when ``name`` is neither one of :data:`NAMES` nor
    ``custom.`` and a field name."""
    name = name.strip()
    folded = name.casefold()
    if folded in NAMES:
        return folded
    if folded.startswith(CUSTOM):
        field = custom_key(name[len(CUSTOM):])
        if field and not any(unicodedata.category(ch) == "Cc" for ch in field):
            return CUSTOM + field
    return None


def is_personal(name: str) -> bool:
    """Whether the token ``name`` stands for one customer's value (``first_name``, ``custom.…``)."""
    key = token_key(name)
    return key is not None and (key in PERSONAL or key.startswith(CUSTOM))


def without_personal(values: Mapping[str, str | None]) -> dict[str, str | None]:
    """``values`` with every customer's own value left out: what a post or a poster, read by
    everyone, is rendered with (their tokens show the fallback)."""
    return {name: value for name, value in values.items() if not is_personal(name)}


# One alternative per piece, tried in this order: a doubled brace; a token; a { whose run
# ends at another { (nested) or at the end of the text (unclosed); a lone }; plain text.
# No alternative nests a repetition in another, so each character is looked at a bounded
# number of times whatever the template.
_PIECE = re.compile(
    r"(?P<double>\{\{|\}\})"
    r"|\{(?P<token>[^{}]*)\}"
    r"|(?P<nested>\{[^{}]*)(?=\{)"
    r"|(?P<unclosed>\{[^{}]*)\Z"
    r"|(?P<text>\}|[^{}]+)"
)
# What follows a doubled ``{{`` when it was meant as a token, as Mailchimp, Klaviyo and
# Jinja write one: ``{{first_name}}``, ``{{ first_name }}``, ``{{ first_name|there }}``.
_DOUBLED = re.compile(r"(?P<name>[^{}|]*)(?:\|[^{}]*)?\}\}")


def _shown(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


def _scan(template: str, report: bool = True) -> tuple[list[Text | Token], list[TokenProblem]]:
    """The template's pieces and, when ``report``, its malformed braces, in one pass.

    A malformed brace is kept as literal text; adjacent literal text is one :class:`Text`.
    """
    pieces: list[Text | Token] = []
    found: list[TokenProblem] = []
    literal: list[str] = []
    literal_start = 0

    for m in _PIECE.finditer(template):
        kind = m.lastgroup
        start, end = m.span()
        if kind == "token":
            name, bar, fallback = m.group("token").partition("|")
            if name.strip():
                if literal:
                    pieces.append(Text("".join(literal), literal_start, start))
                    literal.clear()
                pieces.append(Token(token_key(name) or name.strip(), fallback.strip() if bar else None, start, end,
                                    name.strip()))
                continue
            if report:
                found.append(TokenProblem(start, end, EMPTY_TOKEN,
                                          "An empty token: name a field, such as {first_name}"))
        elif kind == "nested" and report:
            found.append(TokenProblem(start, end + 1, NESTED_BRACE,
                                      "A token cannot hold another {; its fallback is plain text"))
        elif kind == "unclosed" and report:
            found.append(TokenProblem(start, end, UNCLOSED_BRACE,
                                      "This { is never closed; write {{ for a brace in the text"))
        elif kind == "double" and report and m.group() == "{{":
            # "{{first_name}}" is a brace, the name and a brace: every customer reads "{first_name}".
            meant = _DOUBLED.match(template, end)
            if meant and token_key(meant.group("name")) is not None:
                sent = "{" + template[end:meant.end() - 2] + "}"
                found.append(TokenProblem(
                    start, meant.end(), DOUBLED_TOKEN,
                    f"Every reader gets the words \u201c{_shown(sent)}\u201d: a token takes one brace each side, "
                    f"write {{{_shown(meant.group('name').strip())}}} ({{{{ and }}}} are a brace of their own)"))
        if not literal:
            literal_start = start
        literal.append(m.group()[0] if kind == "double" else m.group())
    if literal:
        pieces.append(Text("".join(literal), literal_start, len(template)))
    return pieces, found


def parse(template: str) -> list[Text | Token]:
    """``template`` as literal texts and tokens, in order; malformed braces stay literal text."""
    return _scan(template, report=False)[0]


def problems(template: str, custom_names: Iterable[str] = ()) -> list[TokenProblem]:
    """Everything wrong with ``template``'s tokens, in order of position.

    ``custom_names`` are the custom fields the workspace has; a ``custom.`` token naming
    another is unknown.
    """
    pieces, found = _scan(template)
    known_custom = {custom_key(name) for name in custom_names}
    for piece in pieces:
        if not isinstance(piece, Token):
            continue
        key = token_key(piece.name)
        if key is None:
            found.append(TokenProblem(
                piece.start, piece.end, UNKNOWN_TOKEN,
                f"Unknown token {piece.shown}: use one of {', '.join(NAMES)} or custom.<field>"))
        elif key.startswith(CUSTOM) and key[len(CUSTOM):] not in known_custom:
            typed = " ".join((piece.written or piece.name).split())
            field_name = typed[len(CUSTOM):] if typed.casefold().startswith(CUSTOM) else key[len(CUSTOM):]
            found.append(TokenProblem(
                piece.start, piece.end, UNKNOWN_TOKEN,
                f"Unknown token {piece.shown}: there is no custom field "
                f"called \u201c{_shown(field_name)}\u201d"))
    return sorted(found, key=lambda p: (p.start, p.end))


# The characters that change how the text around them reads: the bidirectional embeddings and
# overrides (U+202A-U+202E), the isolates (U+2066-U+2069) and the marks (LRM, RLM, ALM).  A value
# never brings them in: a first name U+202E "evil" turned the rest of the line round, the SMS's
# opt-out line with it.
_BIDI_CONTROLS = re.compile("[\u200e\u200f\u061c\u202a-\u202e\u2066-\u2069]")
# First strong isolate and pop directional isolate: a value written right to left (a name in
# Arabic or Hebrew) set apart in plain text, so the words and figures after it keep their order
# ("Hi محمد, 20% off" read "Hi 20 ,محمد% off" without them).  HTML uses <bdi> (email.body_from_filled).
FSI, PDI = "\u2068", "\u2069"


def without_bidi_controls(text: str) -> str:
    """``text`` without the characters that change how the text around it reads (a name put into
    a sending tool's merge field as into a message here)."""
    return _BIDI_CONTROLS.sub("", text)


def _value(value: object, max_value: int) -> str:
    """A token's value as it is filled in: its outer spaces and its bidirectional controls dropped,
    cut to ``max_value`` characters."""
    return _BIDI_CONTROLS.sub("", str(value)).strip()[:max_value]


def right_to_left(text: str) -> bool:
    """Whether ``text`` holds a letter written right to left (Hebrew, Arabic, Syriac, Thaana…)."""
    return any(unicodedata.bidirectional(ch) in ("R", "AL") for ch in text)


def isolated(text: str) -> str:
    """``text`` between FSI and PDI when it holds a right-to-left letter, else as it is: a Latin-only
    value adds nothing (an SMS of Latin names stays GSM-7), and one in Arabic or Hebrew, which makes
    an SMS UCS-2 already, adds two characters that keep it from reordering the text around it."""
    return f"{FSI}{text}{PDI}" if text and right_to_left(text) else text


def _normalized(values: Mapping[str, str | None]) -> dict[str, str | None]:
    out: dict[str, str | None] = {}
    for name, value in values.items():
        key = token_key(name) if isinstance(name, str) else None
        if key is not None:
            out.setdefault(key, value)
    return out


def fill(
    template: str,
    values: Mapping[str, str | None],
    *,
    max_value: int = 500,
    isolate: bool = False,
) -> list[tuple[str, bool]]:
    """``template`` in pieces, each token's replaced by its value (see :func:`render`): each
    piece with whether it was filled in (a value or a fallback) rather than written in the template.

    For a layout that treats the template's words and the values apart: an email makes the
    template's addresses links, never one a customer's name happens to look like, and sets each
    value apart in ``<bdi>``.  With ``isolate`` a right-to-left value is between FSI and PDI
    (:func:`isolated`), as plain text needs it.
    """
    if max_value < 1:
        raise ValueError("max_value must be at least 1")
    lookup = _normalized(values)
    out: list[tuple[str, bool]] = []
    in_links = None  # where the template's links are, read once a token is met
    for piece in parse(template):
        if isinstance(piece, Text):
            out.append((piece.text, False))
            continue
        key = token_key(piece.name)
        if key is None:
            out.append((template[piece.start:piece.end], False))
            continue
        value = lookup.get(key)
        text = "" if value is None else _value(value, max_value)
        own = bool(text)
        if not text:
            text = piece.fallback or ""
        if in_links is None:
            in_links = [(lk.start, lk.end) for lk in find_links(template)]
        if text and any(a <= piece.start and piece.end <= b for a, b in in_links):
            # Inside a link, a value is one piece of it: "New York" opened ".../stores/New".
            text = quote(text, safe="")
        elif isolate and own:
            text = isolated(text)
        out.append((text, True))
    return out


def renderer(template: str, *, max_value: int = 500) -> Callable[[Mapping[str, str | None]], str]:
    """:func:`render` of ``template`` made ready for many customers: the template is read once
    (its tokens and its links), and each call fills it for one customer's values."""
    if max_value < 1:
        raise ValueError("max_value must be at least 1")
    in_links = [(lk.start, lk.end) for lk in find_links(template)]
    plan: list[str | tuple[str, str, bool]] = []  # literal text, or (key, fallback, inside a link)
    for piece in parse(template):
        key = None if isinstance(piece, Text) else token_key(piece.name)
        if isinstance(piece, Text):
            plan.append(piece.text)
        elif key is None:
            plan.append(template[piece.start:piece.end])
        else:
            plan.append((key, piece.fallback or "",
                         any(a <= piece.start and piece.end <= b for a, b in in_links)))

    def fill_in(values: Mapping[str, str | None]) -> str:
        lookup = _normalized(values)
        out = []
        for step in plan:
            if isinstance(step, str):
                out.append(step)
                continue
            key, fallback, in_link = step
            value = lookup.get(key)
            text = "" if value is None else _value(value, max_value)
            if in_link:
                out.append(quote(text or fallback, safe="") if text or fallback else "")
            else:
                out.append(isolated(text) if text else fallback)
        return "".join(out)

    return fill_in


def render(
    template: str,
    values: Mapping[str, str | None],
    *,
    escape: Callable[[str], str] | None = None,
    max_value: int = 500,
) -> str:
    """``template`` with each token replaced by its value from ``values``.

    ``values`` is keyed by token name (``first_name``, ``custom.shopping for``; any case).
    A value that is missing, None or blank gives the token's fallback, or "" without one.
    A value is stripped of outer spaces and of the bidirectional controls that would turn the
    text around it (U+202A-U+202E, U+2066-U+2069, LRM, RLM, ALM), cut to ``max_value`` characters,
    and set between FSI and PDI when it holds a right-to-left letter (:func:`isolated`); the
    value or the fallback is then passed through ``escape`` (for example ``html.escape`` in an
    email's HTML).  A token whose name is not of the syntax, and every malformed brace, is written as
    it stands in the template, for the preview to show and the check to report.
    """
    return "".join(escape(text) if filled and escape is not None and text else text
                   for text, filled in fill(template, values, max_value=max_value, isolate=True))
