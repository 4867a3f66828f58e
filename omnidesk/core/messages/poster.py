"""The in-store poster: one printable PDF page, and its preview rendered from that very file.

:func:`poster_pdf` lays the page out with reportlab: the brand (logo and
business name) across the top, the headline as large as the width allows, the
body, the offer on a band in the ink colour, and along the bottom the call to
action beside a QR code of the link, with the link printed small under it.
Every size shrinks together until the page holds it all, the call to action
until its row beside the QR code does; a text too long for one page even at the
smallest sizes is refused with a clear error (the business name alone is never
refused: past its smallest size it is cut short with "…" to stay in its band).  :func:`poster_problem` says so (or
why else no poster can be made) without writing anything, for the message check.

The QR code comes from segno and is drawn module by module as vector
rectangles, black on a white square with its quiet zone whatever the colours,
since phone cameras read dark modules on a light ground.

Text is set in the fonts of the printed reports (:mod:`omnidesk.core.pdf_text`): DejaVu Sans,
shipped in resources/fonts and embedded in the PDF, for the Latin alphabets, Greek, Cyrillic and
more, and each run of Chinese, Japanese or Korean in one of Adobe's standard CJK fonts, named and
not embedded (no freely licensed CJK font ships with Omnidesk): the reader supplies it, as Acrobat
and most print drivers do, and a reader without it (the app's own preview on a computer with no CJK
fonts) leaves those characters blank; :func:`reader_fonts_note` says so.  Hebrew and Arabic are set right to left, Arabic letters joined: each text is wrapped in
the order it was typed and each line then drawn in visual order (:func:`pdf_text.visual
<omnidesk.core.pdf_text.visual>`) in its paragraph's direction and with what precedes it in mind,
so "20%" and a date read the same wherever a line breaks; a right-to-left line against the right edge where the others
stand against the left (the name beside a logo, the call to action beside the QR code); centred
lines stay centred.  A character none of the fonts has is drawn as its base letter when it has
one, else as "?"; :func:`unprintable_characters` names those that print as "?", so the message
check can say so before anything is printed.

:func:`render_page` turns a page of the PDF into PNG bytes with pypdfium2, so the
preview shows exactly what prints.
"""

from __future__ import annotations

import io
import re
import threading
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

import pypdfium2
import segno
from PIL import Image, UnidentifiedImageError
from reportlab.lib.colors import HexColor, black, white
from reportlab.lib.pagesizes import A4, LETTER
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas

from omnidesk.core import pdf_text
from omnidesk.core.errors import UserError
from omnidesk.core.exporting.outfiles import guard_reason, written_beside
from omnidesk.core.failures import telling_write_failures

PAGE_SIZES = {"A4": A4, "Letter": LETTER}
REGULAR, BOLD = pdf_text.SANS, pdf_text.SANS_BOLD
LOGO_FORMATS = {"PNG", "JPEG"}
LINK_LINES = 8  # lines of the link printed under the QR code at most
MIN_GAP = 14  # points (on A4) between the middle blocks at least
CTA_SMALLEST = 12  # points: the smallest call to action beside the QR code
NAME_SMALLEST = 9  # points: the smallest business name, cut short with "…" past that
BAND_PAD = 18  # points (on A4) of ink above and below the offer
QUIET_ZONE = 4  # modules of white around a QR code, as the standard asks
_HEX_COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")
# PDFium may not be entered from two threads at once; a preview rendered off the
# UI thread while another is still drawing would otherwise crash the process.
_PDFIUM = threading.Lock()


class PosterError(UserError, ValueError):
    """The poster cannot be made from what was given; the message says what to change."""


def _has(ch: str, font: str = BOLD) -> bool:
    return pdf_text.has_glyph(ch, font)


def _instead(ch: str, font: str) -> str:
    """What the poster draws for ``ch`` in ``font``: itself, a space, nothing, its base letter, or "?"."""
    return pdf_text.printed_as(ch, font)


def _drawable(text: str, font: str) -> str:
    """``text`` shaped (Arabic letters joined), every character the fonts lack replaced by its
    base letter or "?"; still in the order typed."""
    return pdf_text.drawable(text, font)


def _typed(ch: str) -> str:
    """The letter typed for a drawn ``ch``: an Arabic presentation form's own letter(s)."""
    return unicodedata.normalize("NFKC", ch) if 0xFB50 <= ord(ch) <= 0xFDFF or 0xFE70 <= ord(ch) <= 0xFEFF else ch


def unsupported_characters(*texts: str) -> list[str]:
    """The characters of ``texts`` the poster's fonts cannot draw as they are, in order of
    first appearance (each is drawn as its base letter or "?" instead)."""
    seen: dict[str, None] = {}

    def drawn(ch: str) -> bool:
        return ch.isspace() or unicodedata.category(ch)[0] == "C" or (_has(ch, REGULAR) and _has(ch, BOLD))

    for text in texts:
        for ch in pdf_text.shaped(text):
            if drawn(ch):
                continue
            typed = _typed(ch)
            if len(typed) == 1:
                seen.setdefault(typed, None)
                continue
            # A ligature of several letters ("ﷲ", "ﷺ"): drawn as its letters, each named if the
            # fonts lack it too.
            for letter in typed:
                if not drawn(letter):
                    seen.setdefault(letter, None)
    return list(seen)


def unprintable_characters(*texts: str) -> list[str]:
    """The characters of ``texts`` the poster prints as "?" (no font has them, nor their base
    letter), in order of first appearance."""
    return [ch for ch in unsupported_characters(*texts) if "?" in (_instead(ch, REGULAR), _instead(ch, BOLD))]


def reader_fonts_note(*texts: str) -> str | None:
    """A warning when ``texts`` hold Chinese, Japanese or Korean: those characters are set in fonts
    the PDF names but does not carry, so they print only where the reader has them; else None."""
    if not any(pdf_text.is_cjk(ch) for text in texts for ch in text):
        return None
    return ("The poster's Chinese, Japanese or Korean text uses fonts the PDF names but does not carry: "
            "it prints where the PDF reader or printer has them (Adobe Reader does) and is blank where it "
            "has not (the app's preview on a computer without CJK fonts); check the printed page.")


def qr_matrix(link: str) -> list[list[bool]]:
    """The QR code the poster draws for ``link``: rows of modules, True for dark, no quiet zone.

    Error correction M or better (segno raises it when the size allows), never a Micro QR
    code, which many phone cameras cannot read."""
    try:
        code = segno.make(link, error="m", micro=False)
    except segno.DataOverflowError as exc:
        raise PosterError(f"The link is too long for a QR code ({len(link)} characters).") from exc
    return [[bool(module) for module in row] for row in code.matrix]


def _runs(text: str, font: str) -> list[tuple[str, str]]:
    """``text`` as (font, run) pieces: its CJK runs in a CJK font, the rest in ``font``."""
    return [(cjk or font, run) for cjk, run in pdf_text.runs(text)]


def _width(text: str, font: str, size: float) -> float:
    return _unit_width(text, font) * size  # widths grow with the size: each text is measured once


@lru_cache(maxsize=16384)
def _unit_width(text: str, font: str) -> float:
    return sum(pdfmetrics.stringWidth(run, name, 1) for name, run in _runs(text, font))


def _split_word(word: str, font: str, size: float, width: float, most: float = float("inf")) -> list[str]:
    """``word`` cut into pieces that each fit ``width`` (a long word, a link): after a
    slash, ?, &, = or hyphen in the second half of a piece when there is one, else anywhere.
    Past ``most`` pieces, the pieces so far."""
    pieces, piece, wide = [], "", 0.0
    for ch in word:
        ch_wide = _width(ch, font, size)
        if piece and wide + ch_wide > width:
            cut = max(piece.rfind(mark) for mark in "/?&=-") + 1
            if cut < len(piece) / 2:
                cut = len(piece)
            pieces.append(piece[:cut])
            if len(pieces) > most:
                return pieces
            piece = piece[cut:] + ch
            wide = _width(piece, font, size)
        else:
            piece, wide = piece + ch, wide + ch_wide
    return [*pieces, piece] if piece else pieces


class _Line(NamedTuple):
    text: str  # in the order typed
    rtl: bool  # drawn right to left: its paragraph's direction, the same for every line of it
    before: str = ""  # the direction of the paragraph's last letter before the line (pdf_text.visual)


def _wrap(text: str, font: str, size: float, width: float, limit: float = float("inf")) -> tuple[list[_Line], bool]:
    """Lines of ``text`` that fit ``width``, and whether a word had to be cut to fit; once there
    are more than ``limit``, the lines so far (more than ``limit``: too many, whatever follows)."""
    lines, cut = [], False
    space = _width(" ", font, size)
    text_rtl = pdf_text.right_to_left(text, False)
    for paragraph in text.split("\n"):
        rtl = pdf_text.right_to_left(paragraph, text_rtl)
        start = len(lines)
        line, wide = "", 0.0  # widths add up: each word is measured once, not each line again
        for word in paragraph.split():
            pieces = (_split_word(word, font, size, width, limit + 1) if _width(word, font, size) > width
                      else [word])
            cut = cut or len(pieces) > 1
            for piece in pieces:
                piece_wide = _width(piece, font, size)
                if not line:
                    line, wide = piece, piece_wide
                elif wide + space + piece_wide <= width:
                    line, wide = f"{line} {piece}", wide + space + piece_wide
                else:
                    lines.append(line)
                    line, wide = piece, piece_wide
                    if len(lines) > limit:
                        return lines[:start] + [_Line(x, False) for x in lines[start:]], cut
        if line:
            lines.append(line)
        before = ""
        for at in range(start, len(lines)):
            lines[at], before = _Line(lines[at], rtl, before), pdf_text.last_strong(lines[at], before)
    return lines, cut


@dataclass
class _Block:
    lines: list[_Line]
    font: str
    size: float
    leading: float = 1.2
    on_band: bool = False  # the offer: paper-coloured text on a band of ink
    fits: bool = True  # False: too long for its place even at the smallest size

    @property
    def height(self) -> float:
        return len(self.lines) * self.size * self.leading if self.lines else 0.0


def _fit(text: str, font: str, largest: float, smallest: float, width: float, max_lines: int,
         max_height: float = float("inf"), leading: float = 1.2) -> _Block:
    """``text`` at the largest size from ``largest`` down to ``smallest`` at which it wraps
    into at most ``max_lines`` lines, ``max_height`` tall at most, without cutting a word;
    failing that, the largest at which it does with long words cut; at ``smallest``,
    whatever it takes, marked as not fitting (``fits`` False)."""
    for cutting in (False, True):
        size = largest
        while size >= smallest:
            limit = min(max_lines, max_height / (size * leading))
            lines, cut = _wrap(text, font, size, width, limit)
            if len(lines) <= limit and (cutting or not cut):
                return _Block(lines, font, size, leading)
            size *= 0.95
    return _Block(_wrap(text, font, smallest, width)[0], font, smallest, leading, fits=False)


def _name(text: str, largest: float, width: float, height: float) -> _Block:
    """The business name in the brand band, ``width`` by ``height``: in two lines as large as they
    go; else in as many lines as the band holds, down to the smallest size; else at that size cut
    short with "…" (a shop's name is not refused)."""
    name = _fit(text, BOLD, largest, 12, width, 2, height)
    if not name.fits:
        name = _fit(text, BOLD, 12, NAME_SMALLEST, width, 10_000, height)
    if name.fits:
        return name
    room = max(1, int(height / (NAME_SMALLEST * name.leading)))
    kept, last = name.lines[:room - 1], name.lines[room - 1].text.rstrip()
    while last and _width(last + "…", BOLD, NAME_SMALLEST) > width:
        last = last[:-1].rstrip()
    kept.append(name.lines[room - 1]._replace(text=last + "…"))
    return _Block(kept, BOLD, NAME_SMALLEST, name.leading)


def _color(value: str, which: str) -> HexColor:
    if not isinstance(value, str) or not _HEX_COLOR.match(value):
        raise PosterError(f"The {which} colour {value!r} is not a colour like #1a2b3c.")
    return HexColor(value)


def _logo(path: Path | None) -> ImageReader | None:
    if path is None:
        return None
    path = Path(path)
    try:
        with Image.open(path) as image:
            kind = image.format
            image.load()  # a truncated file fails here rather than half-way through the PDF
    except FileNotFoundError as exc:
        raise PosterError(f"The logo file {path} does not exist.") from exc
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError, ValueError) as exc:
        raise PosterError(f"The logo file {path} cannot be read as a PNG or JPEG image.") from exc
    if kind not in LOGO_FORMATS:
        raise PosterError(f"The logo file {path} is a {kind} image; use a PNG or JPEG.")
    return ImageReader(str(path))


def _parts(*, headline: str, link: str, logo: Path | None, page: str, colors: tuple[str, str]):
    """The page's (ink, paper, logo image, QR matrix); PosterError for what cannot be used."""
    if page not in PAGE_SIZES:
        raise PosterError(f"Unknown page size {page!r}: use " + " or ".join(PAGE_SIZES) + ".")
    if not headline.strip():
        raise PosterError("A poster needs a headline.")
    ink, paper = _color(colors[0], "ink"), _color(colors[1], "paper")
    return ink, paper, _logo(logo), qr_matrix(link.strip()) if link.strip() else None


def poster_problem(*, headline: str, body: str = "", offer: str = "", cta: str = "", link: str = "",
                   logo: Path | None = None, business_name: str = "", page: str = "A4",
                   colors: tuple[str, str] = ("#111111", "#ffffff")) -> str | None:
    """Why :func:`poster_pdf` would refuse these fields (a text that does not fit one page, naming
    the field to shorten; an empty headline; a bad logo, colour or page; a link too long for a QR
    code), or None when the poster can be made.  The page is laid out in memory: nothing is
    written."""
    try:
        ink, paper, image, matrix = _parts(headline=headline, link=link, logo=logo, page=page, colors=colors)
        _draw(Canvas(io.BytesIO(), pagesize=PAGE_SIZES[page]), PAGE_SIZES[page], ink=ink, paper=paper,
              headline=headline, body=body, offer=offer, cta=cta, link=link.strip(), matrix=matrix, logo=image,
              business_name=business_name)
    except PosterError as exc:
        return str(exc)
    return None


def poster_pdf(out: Path, *, headline: str, body: str = "", offer: str = "", cta: str = "", link: str = "",
               logo: Path | None = None, business_name: str = "", page: str = "A4",
               colors: tuple[str, str] = ("#111111", "#ffffff"), overwrite: bool = True) -> Path:
    """Write the one-page poster to ``out`` and return ``out``.

    ``page`` is "A4" or "Letter"; ``colors`` is (ink, paper) as ``#rrggbb``.  The file
    appears whole or not at all: it is written beside ``out`` and renamed into place.
    Raises :class:`PosterError` (a ValueError) for an empty headline, an unknown page,
    a bad colour, a logo that is missing or not a readable PNG/JPEG (naming the file),
    a link too long for a QR code, text that cannot fit one page, or an ``out`` that
    is a workspace.  Without ``overwrite``, a file that appears at ``out`` while the poster is
    written stays, and the poster is not put there (OutputExistsError).
    """
    ink, paper, image, matrix = _parts(headline=headline, link=link, logo=logo, page=page, colors=colors)
    out = Path(out)
    if not out.parent.is_dir():
        raise PosterError(f"The folder {out.parent} does not exist; choose where to save the poster.")
    reason = guard_reason(out)
    if reason is not None:
        raise PosterError(f"Will not write the poster over {out}: {reason}.")

    # A refusal names the poster, not the file beside it; an existing poster is replaced if allowed.
    with telling_write_failures(out), written_beside(out, overwrite=overwrite) as partial:
        canvas = Canvas(str(partial), pagesize=PAGE_SIZES[page], invariant=True, pageCompression=1)
        canvas.setTitle(headline.strip())
        canvas.setAuthor(business_name.strip())
        canvas.setCreator("Omnidesk")
        _draw(canvas, PAGE_SIZES[page], ink=ink, paper=paper, headline=headline, body=body, offer=offer,
              cta=cta, link=link.strip(), matrix=matrix, logo=image, business_name=business_name)
        canvas.showPage()
        canvas.save()
    return out


def _draw(canvas: Canvas, size: tuple[float, float], *, ink, paper, headline: str, body: str, offer: str,
          cta: str, link: str, matrix: list[list[bool]] | None, logo: ImageReader | None,
          business_name: str) -> None:
    width, height = size
    k = width / A4[0]  # sizes are designed for A4 and scaled to the page's width
    margin = 40 * k
    inner = width - 2 * margin
    headline, body = _drawable(headline.strip(), BOLD), _drawable(body.strip(), REGULAR)
    offer, cta = _drawable(offer.strip(), BOLD), _drawable(cta.strip(), BOLD)
    business_name = _drawable(business_name.strip(), BOLD)

    # The page from the top: the brand band (logo, business name), a rule, the middle
    # (headline, body, offer), and a bottom row with the QR code and the call to action.
    top = height - margin
    band = 70 * k if (logo is not None or business_name) else 0.0
    middle_top = top - band - 24 * k if band else top
    link_block = row = None
    bottom = margin
    if matrix is not None:
        side = 150 * k
        link_lines = _wrap(_drawable(link, REGULAR), REGULAR, 8 * k, side)[0]
        if len(link_lines) > LINK_LINES:  # the code holds it all; the print shows where it goes
            last = link_lines[LINK_LINES - 1]
            link_lines = [*link_lines[:LINK_LINES - 1], last._replace(text=last.text[:-1] + "…")]
        link_block = _Block(link_lines, REGULAR, 8 * k)
        row = side + 4 * k + link_block.height
        bottom += row + 24 * k

    # The middle, shrunk together until it fits, then spread evenly over the room left.
    room = middle_top - bottom
    scale = 1.0
    middle_cta = "" if matrix is not None else cta
    too_long: list[str] = []
    joined = "and"  # each of too_long is too long; "or": they are together
    while True:
        blocks = _middle(headline, body, offer, middle_cta, inner, room, k, scale)
        needed = sum(_height(b, k, scale) for b in blocks)
        if needed + (len(blocks) + 1) * MIN_GAP * k <= room:
            break
        if scale < 0.35:
            too_long, joined = _too_long(headline, body, offer, middle_cta, inner, room, k)
            break
        scale *= 0.9
    # Nothing else on the page is louder than the headline.
    loudest = blocks[0].size
    if matrix is not None and cta:
        # Beside the code: up to four lines as large as they go, else as many lines as the row
        # holds, down to the smallest size; past that it cannot be read from the aisle.
        cta_width, largest = width - 2 * margin - side - 24 * k, min(40 * k, loudest * 0.75)
        action = _fit(cta, BOLD, largest, CTA_SMALLEST, cta_width, 4, row)
        if not action.fits:
            action = _fit(cta, BOLD, largest, CTA_SMALLEST, cta_width, 10_000, row)
        if not action.fits:
            if joined == "or":  # the middle's fields together, and the call to action beside the code
                too_long, joined = [_listed(too_long, "or"), "call to action"], ", and"
            else:
                too_long.append("call to action")
    if too_long:
        raise PosterError(f"The poster's text does not fit one page: shorten {_listed(too_long, joined)}.")

    canvas.setFillColor(paper)
    canvas.rect(0, 0, width, height, stroke=0, fill=1)

    if band:
        x = margin
        if logo is not None:
            w, h = logo.getSize()
            fit = min(band / h, (inner * 0.4) / w)
            canvas.drawImage(logo, x, top - h * fit, w * fit, h * fit, mask="auto")
            x += w * fit + 16 * k
        if business_name:
            name = _name(business_name, min(30 * k, loudest), margin + inner - x, band)
            y = top - band / 2 + name.height / 2 - name.size
            _lines(canvas, name, ink, y, left=None if logo is None else (x, margin + inner), centre=width / 2)
        canvas.setStrokeColor(ink)
        canvas.setLineWidth(2 * k)
        canvas.line(margin, top - band - 14 * k, width - margin, top - band - 14 * k)

    if matrix is not None:
        qr_x = width - margin - side
        _draw_qr(canvas, matrix, qr_x, margin + link_block.height + 4 * k, side)
        _lines(canvas, link_block, ink, margin + link_block.height - link_block.size, left=(qr_x, qr_x + side))
        if cta:
            _lines(canvas, action, ink, margin + row / 2 + action.height / 2 - action.size,
                   left=(margin, qr_x - 24 * k))

    gap = (room - needed) / (len(blocks) + 1)
    y = middle_top - gap
    for block in blocks:
        tall = _height(block, k, scale)
        if block.on_band:
            canvas.setFillColor(ink)
            canvas.roundRect(margin, y - tall, inner, tall, 10 * k, stroke=0, fill=1)
        pad = BAND_PAD * k * scale if block.on_band else 0.0
        _lines(canvas, block, paper if block.on_band else ink, y - pad - block.size * 0.95, centre=width / 2)
        y -= tall + gap


def _listed(fields: list[str], joined: str) -> str:
    """ "the headline", "the headline and the offer", "the headline, the body or the offer"."""
    named = [field if field.startswith("the ") else f"the {field}" for field in fields]
    return named[0] if len(named) == 1 else f"{', '.join(named[:-1])} {joined} {named[-1]}"


def _too_long(headline: str, body: str, offer: str, cta: str, inner: float, room: float,
              k: float) -> tuple[list[str], str]:
    """The fields of the middle that cannot fit their share of ``room`` even at the smallest sizes
    (the headline 45% of it in six lines, the offer and the call to action three lines, the body
    half of it), and "and"; when none is too long alone but together they are, all of them and "or"."""
    fields = {"headline": headline, "body": body, "offer": offer, "call to action": cta}
    alone = {
        "headline": not _fit(headline, BOLD, 18, 18, inner, 6, room * 0.45, leading=1.08).fits,
        "body": bool(body) and len(_wrap(body, REGULAR, 12, inner)[0]) * 12 * 1.3 > room / 2,
        "offer": bool(offer) and not _fit(offer, BOLD, 14, 14, inner - 40 * k, 3).fits,
        "call to action": bool(cta) and not _fit(cta, BOLD, 12, 12, inner, 3).fits,
    }
    named = [name for name, long in alone.items() if long]
    return (named, "and") if named else ([name for name, text in fields.items() if text], "or")


def _height(block: _Block, k: float, scale: float) -> float:
    return block.height + (2 * BAND_PAD * k * scale if block.on_band else 0.0)


def _middle(headline: str, body: str, offer: str, cta: str, inner: float, room: float, k: float,
            scale: float) -> list[_Block]:
    """The middle blocks at ``scale``: the headline fills up to 45% of ``room`` and stays
    the largest text; the offer, the call to action and the body are capped at a share of
    its size."""
    title = _fit(headline, BOLD, 110 * k * scale, 18, inner, 6, room * 0.45 * scale, leading=1.08)
    blocks = [title]
    if body:
        size = max(12.0, min(20 * k * scale, title.size * 0.5))
        blocks.append(_Block(_wrap(body, REGULAR, size, inner)[0], REGULAR, size, 1.3))
    if offer:
        band = _fit(offer, BOLD, min(56 * k * scale, title.size * 0.8), 14, inner - 40 * k, 3)
        band.on_band = True
        blocks.append(band)
    if cta:
        blocks.append(_fit(cta, BOLD, min(34 * k * scale, title.size * 0.6), 12, inner, 3))
    return blocks


def _lines(canvas: Canvas, block: _Block, color, y: float, *, left: tuple[float, float] | None = None,
           centre: float = 0.0) -> None:
    """Draw ``block`` from the baseline ``y`` down, each line in visual order: ``left`` is
    (left, right) for a block set against the left edge, a right-to-left line against the right;
    else centred on ``centre``."""
    canvas.setFillColor(color)
    for line in block.lines:
        drawn = pdf_text.visual(line.text, line.rtl, line.before)
        wide = _width(drawn, block.font, block.size)
        x = centre - wide / 2 if left is None else left[1] - wide if line.rtl else left[0]
        for name, run in _runs(drawn, block.font):
            canvas.setFont(name, block.size)
            canvas.drawString(x, y, run)
            x += pdfmetrics.stringWidth(run, name, block.size)
        y -= block.size * block.leading


def _draw_qr(canvas: Canvas, matrix: list[list[bool]], x: float, y: float, side: float) -> None:
    """``matrix`` as vector squares in a white ``side``-wide square (quiet zone included)
    whose lower-left corner is (x, y); each run of dark modules in a row is one rectangle."""
    count = len(matrix) + 2 * QUIET_ZONE
    module = side / count
    canvas.setFillColor(white)
    canvas.rect(x, y, side, side, stroke=0, fill=1)
    canvas.setFillColor(black)
    path = canvas.beginPath()
    for r, row in enumerate(matrix):
        top = y + side - (QUIET_ZONE + r) * module
        c = 0
        while c < len(row):
            if not row[c]:
                c += 1
                continue
            start = c
            while c < len(row) and row[c]:
                c += 1
            path.rect(x + (QUIET_ZONE + start) * module, top - module, (c - start) * module, module)
    canvas.drawPath(path, stroke=0, fill=1)


def render_page(pdf: Path, page: int = 0, scale: float = 1.5) -> bytes:
    """Page ``page`` of ``pdf`` as PNG bytes, ``scale`` pixels per point (1.5 is 108 dpi).
    Safe to call from any thread.

    Raises :class:`PosterError` when the file is not a readable PDF or has no such page."""
    with _PDFIUM:
        try:
            document = pypdfium2.PdfDocument(str(pdf))
        except (pypdfium2.PdfiumError, OSError) as exc:
            raise PosterError(f"{pdf} cannot be read as a PDF.") from exc
        try:
            if not 0 <= page < len(document):
                raise PosterError(f"{pdf} has no page {page + 1} (it has {len(document)}).")
            buffer = io.BytesIO()
            # Encoded before the document closes: the image shares PDFium's bitmap memory.
            document[page].render(scale=scale).to_pil().save(buffer, format="PNG")
        finally:
            document.close()
    return buffer.getvalue()
