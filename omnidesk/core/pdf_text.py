"""Text for a printed PDF in whatever script the user typed it: safe in reportlab's markup, in fonts that have its letters.

reportlab's paragraphs read their text as markup, so a name with ``<`` or ``&`` in it must be
escaped, or it is cut short ("Smith & Sons <Ltd>" printed as "Smith & Sons") or stops the PDF
altogether.  Its built-in Helvetica has Latin letters only: Cyrillic, Greek and Japanese come
out as boxes.  So the text is set in DejaVu Sans (resources/fonts, Bitstream Vera licence with
DejaVu's public-domain changes: Latin, Greek, Cyrillic and more), embedded in the PDF, and each
run of Chinese, Japanese or Korean characters in one of the CJK fonts every PDF reader knows
by name (no file to ship, nothing embedded).
"""

from __future__ import annotations

import functools
from xml.sax.saxutils import escape

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
    return _within(ch, _CJK_BLOCKS)


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
    """``text`` as paragraph markup: escaped, its CJK runs each in a font that has them."""
    return "".join(escape(run) if font is None else f'<font name="{font}">{escape(run)}</font>'
                   for font, run in runs(str(text)))


def label_font(text: str, font: str = SANS) -> str:
    """The one font for a label drawn in a chart (no markup there): a CJK font when it holds CJK text.

    The CJK fonts have Latin letters too, so a label mixing both is drawn whole in one.
    """
    cjk = "".join(ch for ch in text if is_cjk(ch))
    return cjk_font(cjk) if cjk else font
