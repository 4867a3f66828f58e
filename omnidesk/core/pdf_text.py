"""Text for a printed PDF in whatever script the user typed it: safe in reportlab's markup, in fonts that have its letters.

reportlab's paragraphs read their text as markup, so a name with ``<`` or ``&`` in it must be
escaped, or it is cut short ("Smith & Sons <Ltd>" printed as "Smith & Sons") or stops the PDF
altogether.  Its built-in Helvetica has Latin letters only: Cyrillic, Greek and Japanese come
out as boxes.  So the text is set in DejaVu Sans (resources/fonts, Bitstream Vera licence with
DejaVu's public-domain changes: Latin, Greek, Cyrillic and more), embedded in the PDF, and each
run of Chinese, Japanese or Korean characters in one of Adobe's standard CJK fonts, named and not
embedded (no freely licensed CJK font ships with Omnidesk): they print where the reader has them,
and are blank where it has not (PDFium on a computer without CJK fonts).

Right-to-left writing (Hebrew, Arabic) is typed in logical order, first letter first, while a PDF
draws every line left to right, one glyph after the other.  So Arabic letters are first put in
the joined form their neighbours ask for (:func:`shaped`: arabic-reshaper, to the Arabic
Presentation Forms DejaVu Sans has; vowel marks are left out, as on most signs), text is wrapped
into lines in that logical order, widths measured on the shaped letters, and only then each line
is turned into the order it is drawn in (:func:`visual`: python-bidi, the Unicode bidirectional
algorithm), so a Hebrew name with a Latin code or a number in it ("SALE20", "20%") reads right.  A
line of a report's paragraph takes its direction from its first letter that has one, else from
its paragraph's (:func:`right_to_left`); a line of a poster, its paragraph's, with the direction of
the letters before it (:func:`last_strong`), so numbers read the same wherever the text wraps.  :func:`paragraph` does the same for reportlab's paragraphs, a
right-to-left one set against the right edge where the style sets text against the left.

No font Omnidesk carries has every script: Devanagari, Thai, Bengali, Tamil, Syriac or emoji, for
instance, are in none of them.  A character none has is drawn as its base letter when it has one
("ṩ" as "s"), else as "?" (:func:`drawable`; reportlab would draw an empty box, and the PDF's text
would lose it), and :func:`unprintable` names those that print as "?", for whoever prints to say so.
"""

from __future__ import annotations

import functools
import unicodedata
from xml.sax.saxutils import escape

import arabic_reshaper
from bidi import get_display

from omnidesk.core.errors import UserError
from omnidesk.core.paths import resource_path

SANS = "OmnideskSans"
SANS_BOLD = "OmnideskSans-Bold"
FONT_FILES = {SANS: "DejaVuSans.ttf", SANS_BOLD: "DejaVuSans-Bold.ttf"}

JAPANESE = "HeiseiKakuGo-W5"
SIMPLIFIED_CHINESE = "STSong-Light"
TRADITIONAL_CHINESE = "MSung-Light"
KOREAN = "HYGothic-Medium"
# Han characters are shared: a run goes to the first font whose character set holds all of it.
_HAN_FONTS = ((JAPANESE, "cp932"), (SIMPLIFIED_CHINESE, "gbk"), (TRADITIONAL_CHINESE, "big5"))

# Blocks of Chinese, Japanese and Korean writing (with their punctuation and full-width forms).
_CJK_BLOCKS = ((0x1100, 0x11FF), (0x2E80, 0x2FDF), (0x2FF0, 0x303F), (0x3040, 0x33FF), (0x3400, 0x4DBF),
               (0x4E00, 0x9FFF), (0xA960, 0xA97F), (0xAC00, 0xD7FF), (0xF900, 0xFAFF), (0xFE30, 0xFE4F),
               (0xFF00, 0xFFEF), (0x20000, 0x3FFFF))
_HANGUL_BLOCKS = ((0x1100, 0x11FF), (0x3130, 0x318F), (0xA960, 0xA97F), (0xAC00, 0xD7FF))


def _within(ch: str, blocks) -> bool:
    code = ord(ch)
    return any(low <= code <= high for low, high in blocks)


def is_cjk(ch: str) -> bool:
    return ord(ch) >= 0x1100 and _within(ch, _CJK_BLOCKS)  # most text is below the first block


def cjk_font(run: str) -> str:
    """The CJK font for a run of Chinese, Japanese or Korean characters."""
    if any(_within(ch, _HANGUL_BLOCKS) for ch in run):
        return KOREAN
    for font, charset in _HAN_FONTS:
        try:
            run.encode(charset)
        except UnicodeEncodeError:
            continue
        return font
    return JAPANESE


@functools.cache
def register_fonts() -> None:
    """Make the report's fonts known to reportlab (once); a missing font file is said plainly."""
    from reportlab.lib.fonts import addMapping
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfbase.ttfonts import TTFError, TTFont

    for name, filename in FONT_FILES.items():
        path = resource_path("fonts", filename)
        try:
            pdfmetrics.registerFont(TTFont(name, str(path)))
        except (OSError, TTFError) as exc:
            raise UserError(f"The font for printed reports is missing or damaged ({path}): "
                            f"reinstall Omnidesk.") from exc
    # <b> inside a paragraph picks the bold face.
    for bold, italic in ((0, 0), (0, 1), (1, 0), (1, 1)):
        addMapping(SANS, bold, italic, SANS_BOLD if bold else SANS)
    for name in (JAPANESE, SIMPLIFIED_CHINESE, TRADITIONAL_CHINESE, KOREAN):
        pdfmetrics.registerFont(UnicodeCIDFont(name))


_CJK_SETS = ("cp932", "gbk", "big5", "cp949")  # what the CJK fonts hold between them


@functools.lru_cache(maxsize=4096)
def has_glyph(ch: str, font: str | None = None) -> bool:
    """Whether ``font`` (None: the regular and the bold face both) draws ``ch``: a CJK character
    when one of the CJK fonts has it, any other when DejaVu Sans has it."""
    if is_cjk(ch):
        for charset in _CJK_SETS:
            try:
                ch.encode(charset)
            except UnicodeEncodeError:
                continue
            return True
        return False
    from reportlab.pdfbase import pdfmetrics

    register_fonts()
    return all(ord(ch) in pdfmetrics.getFont(name).face.charToGlyph
               for name in ((SANS, SANS_BOLD) if font is None else (font,)))


def printed_as(ch: str, font: str | None = None) -> str:
    """What is drawn for ``ch`` in ``font`` (None: in either face): itself, a space, nothing, its
    base letter, or "?"."""
    if ch == "\n" or has_glyph(ch, font):
        return ch
    if ch.isspace():
        return " "
    if unicodedata.category(ch)[0] == "C":
        return ""  # control and format characters print nothing anyway
    base = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
    return base if base and all(has_glyph(c, font) for c in base) else "?"


def drawable(text: str, font: str | None = None) -> str:
    """``text`` :func:`shaped`, every character the fonts lack replaced by its base letter or "?"."""
    register_fonts()  # what is drawn is measured in them next
    return "".join(printed_as(ch, font) for ch in shaped(text))


def unprintable(*texts: str) -> list[str]:
    """The characters of ``texts`` that print as "?" (no font has them, nor their base letter), in
    order of first appearance."""
    seen: dict[str, None] = {}
    for text in texts:
        for ch in shaped(str(text)):
            if printed_as(ch) == "?":
                seen.setdefault(ch, None)
    return list(seen)


_STRONG = {"L": False, "R": True, "AL": True}  # bidi classes with a direction of their own
# DejaVu Sans lacks the one-glyph "Allah" (U+FDF2): its letters are drawn joined instead.
_RESHAPER = arabic_reshaper.ArabicReshaper(configuration={"ARABIC LIGATURE ALLAH": False})


def right_to_left(text: str, otherwise: bool | None = None) -> bool | None:
    """Whether ``text`` reads right to left, by its first letter that has a direction (Hebrew,
    Arabic: True; Latin, Greek, CJK...: False); ``otherwise`` when none has (digits, signs)."""
    for ch in text:
        strong = _STRONG.get(unicodedata.bidirectional(ch))
        if strong is not None:
            return strong
    return otherwise


def last_strong(text: str, otherwise: str = "") -> str:
    """The bidirectional class of the last letter of ``text`` that has a direction ("L", "R" or
    "AL": Arabic), ``otherwise`` when none has."""
    for ch in reversed(text):
        if unicodedata.bidirectional(ch) in _STRONG:
            return unicodedata.bidirectional(ch)
    return otherwise


# Invisible letters of each direction: set before a line, they stand for the letters before it.
_MARKS = {"L": "\u200e", "R": "\u200f", "AL": "\u061c"}


def _has_rtl(text: str) -> bool:
    return any(unicodedata.bidirectional(ch) in ("R", "AL") for ch in text)


def shaped(text: str) -> str:
    """``text`` composed (NFC) and with its Arabic letters in their joined forms, still in the order typed.

    Text pasted in decomposed form ("e" and its accents apart, as macOS gives it) would print its
    accents piled on each other: the fonts draw each one on its own, a letter with two accents
    (Vietnamese "ễ") with both in one place.  Composed, each is the one letter the font draws."""
    text = unicodedata.normalize("NFC", text)
    if not any(unicodedata.bidirectional(ch) == "AL" for ch in text):
        return text
    return _RESHAPER.reshape(text)


def visual(line: str, rtl: bool | None = None, before: str = "") -> str:
    """One line of :func:`shaped` text in the order it is drawn, left to right.

    ``rtl`` is the line's direction (its paragraph's, for every line of it); None takes the
    line's own, left to right without one.  ``before`` is the :func:`last_strong` class of the
    paragraph's text before the line, for a line wrapped from a longer paragraph: a number then
    reads as it does in the whole paragraph, wherever the line breaks (after Arabic, "2027-04-30"
    and "20%" are Arabic numbers, drawn "30-04-2027" and "%20", at the start of a line too)."""
    if rtl is None:
        rtl = right_to_left(line, False)
    mark = _MARKS.get(before, "") if before in ("R", "AL") or rtl else ""
    if not rtl and not mark and not _has_rtl(line):
        return line  # nothing to turn round
    return get_display(mark + line, base_dir="R" if rtl else "L").replace(mark, "", 1) if mark else \
        get_display(line, base_dir="R" if rtl else "L")


def runs(text: str) -> list[tuple[str | None, str]]:
    """``text`` cut into runs: ``(None, text)`` for the main font, ``(font, text)`` for a CJK run."""
    out: list[tuple[str | None, str]] = []
    for ch in text:
        cjk = is_cjk(ch)
        if out and (out[-1][0] is not None) == cjk:
            out[-1] = (out[-1][0], out[-1][1] + ch)
        else:
            out.append(("" if cjk else None, ch))
    return [(cjk_font(run) if font is not None else None, run) for font, run in out]


def markup(text: str) -> str:
    """``text`` as paragraph markup: :func:`drawable`, escaped, its CJK runs each in a font that has them.

    Set it in a :func:`paragraph`, which draws each of its lines in visual order."""
    return "".join(escape(run) if font is None else f'<font name="{font}">{escape(run)}</font>'
                   for font, run in runs(drawable(str(text))))


def label(text: str) -> str:
    """A one-line ``text`` drawn as it is (a chart's label): :func:`drawable` and in visual order."""
    return visual(drawable(str(text)))


def label_font(text: str, font: str = SANS) -> str:
    """The one font for a label drawn in a chart (no markup there): a CJK font when it holds CJK text.

    The CJK fonts have Latin letters too, so a label mixing both is drawn whole in one.
    """
    cjk = "".join(ch for ch in text if is_cjk(ch))
    return cjk_font(cjk) if cjk else font


@functools.cache
def _paragraph_class():
    from reportlab.lib.enums import TA_LEFT, TA_RIGHT
    from reportlab.platypus import Paragraph
    from reportlab.platypus.paragraph import FragLine

    class VisualParagraph(Paragraph):
        """A paragraph that wraps its text in logical order and draws each line in visual order."""

        rtl = False  # the paragraph's direction
        given = False  # True: every line takes it; False: a line with a direction of its own keeps it

        def __init__(self, text, style=None, *args, rtl: bool | None = None, align: bool = True, **kwargs):
            super().__init__(text, style, *args, **kwargs)
            self.given = rtl is not None
            self.rtl = rtl if self.given else right_to_left("".join(getattr(f, "text", "") for f in self.frags),
                                                            False)
            if align and self.rtl and self.style.alignment == TA_LEFT:
                self.style = self.style.clone(f"{self.style.name}-rtl", alignment=TA_RIGHT)

        def _direction(self, text: str) -> bool:
            return self.rtl if self.given else right_to_left(text, self.rtl)

        def _visual(self, line):
            if isinstance(line, FragLine):  # runs in several fonts: each run kept whole
                words = [f.clone(text=visual(f.text, self._direction(f.text)))
                         if hasattr(f, "text") and not hasattr(f, "cbDefn") else f for f in line.words]
                text = "".join(getattr(f, "text", "") for f in line.words)
                return line.clone(words=words[::-1] if self._direction(text) else words)
            extra, words = line
            text = " ".join(words)
            if not (self.rtl or _has_rtl(text)):
                return line
            return extra, visual(text, self._direction(text)).split(" ")

        def draw(self):
            # The lines as wrapped stay as they are: a paragraph split over two frames is cut from them.
            lines = self.blPara.lines
            self.blPara.lines = [self._visual(line) for line in lines]
            try:
                super().draw()
            finally:
                self.blPara.lines = lines

        def split(self, availWidth, availHeight):
            parts = super().split(availWidth, availHeight)
            for part in parts:
                part.rtl, part.given = self.rtl, self.given
            return parts

    return VisualParagraph


def paragraph(words: str, style, rtl: bool | None = None, *, align: bool = True):
    """A reportlab paragraph of ``words`` (:func:`markup`) whose lines are drawn in visual order.

    ``rtl`` is its direction, for every line; None: each line's own (its first letter that has
    one), else the paragraph's.  With ``align``, a right-to-left paragraph in a style set against
    the left is set against the right."""
    return _paragraph_class()(words, style, rtl=rtl, align=align)
