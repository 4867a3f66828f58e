"""The in-store poster: a one-page PDF read back with PDFium, its QR code read back as a phone would."""

from __future__ import annotations

import io
import os
import re
import stat
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pypdfium2
import pytest
import segno
import zxingcpp
from PIL import Image
from reportlab.pdfgen.canvas import Canvas

from omnidesk.core.errors import UserError
from omnidesk.core.failures import WriteFailure
from omnidesk.core.messages.poster import (
    PosterError,
    poster_pdf,
    poster_problem,
    qr_matrix,
    reader_fonts_note,
    render_page,
    unprintable_characters,
    unsupported_characters,
)
from tests.helpers import drawn_strings

LINK = "https://cornerbakery.example/spring?utm_source=store&utm_medium=poster&utm_campaign=spring-2026"
POINTS = {"A4": (595.28, 841.89), "Letter": (612.0, 792.0)}
LONG_HEADLINE = ("Our biggest weekend of the year: fresh sourdough, pastries and coffee, all at half price "
                 "with Supercalifragilisticexpialidociousnessextravaganza")


def make(tmp_path: Path, name: str = "poster.pdf", **overrides) -> Path:
    args = dict(headline="Spring Sale", body="Bring a friend and taste our new seasonal menu.",
                offer="20% OFF with code SPRING20", cta="Scan to order ahead", link=LINK,
                business_name="Corner Bakery")
    args.update(overrides)
    return poster_pdf(tmp_path / name, **args)


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def page_text(pdf: Path) -> str:
    document = pypdfium2.PdfDocument(str(pdf))
    try:
        return document[0].get_textpage().get_text_range()
    finally:
        document.close()


def char_boxes(pdf: Path) -> list[tuple[str, tuple[float, float, float, float]]]:
    """Each drawn character with its box (left, bottom, right, top) in points."""
    document = pypdfium2.PdfDocument(str(pdf))
    try:
        text = document[0].get_textpage()
        return [(text.get_text_range(i, 1), text.get_charbox(i)) for i in range(text.count_chars())]
    finally:
        document.close()


def boxes_of(pdf: Path, text: str) -> list[tuple[float, float, float, float]]:
    """The boxes of the characters of ``text`` as drawn on the page (its first appearance), spaces aside."""
    document = pypdfium2.PdfDocument(str(pdf))
    try:
        page = document[0].get_textpage()
        drawn = page.get_text_range()
        wanted, at, boxes = squash(text), drawn.index(text.split()[0]), []
        while len(boxes) < len(wanted):
            if drawn[at].strip():
                assert drawn[at] == wanted[len(boxes)]
                boxes.append(page.get_charbox(at))
            at += 1
        return boxes
    finally:
        document.close()


def write_logo(path: Path, fmt: str, color=(220, 30, 30)) -> Path:
    image = Image.new("RGB", (300, 120), color)
    image.save(path, format=fmt)
    return path


@pytest.mark.parametrize("page", ["A4", "Letter"])
def test_poster_is_one_page_of_the_right_size_with_all_its_text(tmp_path, page):
    pdf = make(tmp_path, page=page)
    document = pypdfium2.PdfDocument(str(pdf))
    try:
        assert len(document) == 1
        width, height = document[0].get_size()
    finally:
        document.close()
    assert (round(width, 2), round(height, 2)) == POINTS[page]
    text = squash(page_text(pdf))
    for part in ("Spring Sale", "Bring a friend and taste our new seasonal menu.", "20% OFF with code SPRING20",
                 "Scan to order ahead", LINK, "Corner Bakery"):
        assert squash(part) in text, part


def test_qr_code_reads_back_as_the_link_and_is_segnos_matrix(tmp_path):
    pdf = make(tmp_path)
    image = Image.open(io.BytesIO(render_page(pdf, scale=3))).convert("L")
    (found,) = zxingcpp.read_barcodes(image)
    assert found.format == zxingcpp.BarcodeFormat.QRCode
    assert found.text == LINK

    # Module by module, the drawn code is the matrix segno makes for the link.
    matrix = qr_matrix(LINK)
    assert matrix == [[bool(m) for m in row] for row in segno.make(LINK, error="m", micro=False).matrix]
    corners = found.position
    size = len(matrix)
    step_x = (corners.top_right.x - corners.top_left.x + 1) / size
    step_y = (corners.bottom_left.y - corners.top_left.y + 1) / size
    drawn = [[image.getpixel((int(corners.top_left.x + (c + 0.5) * step_x),
                              int(corners.top_left.y + (r + 0.5) * step_y))) < 128
              for c in range(size)] for r in range(size)]
    assert drawn == matrix


def test_qr_code_is_vector_not_an_image(tmp_path):
    def images(pdf: Path) -> int:
        document = pypdfium2.PdfDocument(str(pdf))
        try:
            return sum(obj.type == pypdfium2.raw.FPDF_PAGEOBJ_IMAGE for obj in document[0].get_objects())
        finally:
            document.close()

    assert images(make(tmp_path)) == 0
    assert images(make(tmp_path, "logo.pdf", logo=write_logo(tmp_path / "logo.png", "PNG"))) == 1


def test_qr_matrix_of_a_link_too_long_for_any_code_is_refused():
    with pytest.raises(PosterError, match="too long for a QR code"):
        qr_matrix("https://x.example/" + "a" * 5000)


def test_headline_shrinks_to_fit_and_long_words_wrap(tmp_path):
    short = make(tmp_path, "short.pdf", headline="Sale")
    long = make(tmp_path, "long.pdf", headline=LONG_HEADLINE, page="Letter")
    width = POINTS["Letter"][0]
    boxes = char_boxes(long)
    assert all(0 < left and right < width for ch, (left, _, right, _) in boxes if ch.strip())
    assert squash(LONG_HEADLINE) in squash(page_text(long))

    def cap_height(pdf: Path, letter: str) -> float:
        return max(top - bottom for ch, (_, bottom, _, top) in char_boxes(pdf) if ch == letter)

    # Short headlines are set large; the long one smaller, yet still the largest text on the page.
    assert cap_height(short, "S") > 60
    assert cap_height(long, "O") < cap_height(short, "S")
    assert cap_height(long, "O") > cap_height(long, "B")  # "Bring a friend…", the body


def test_text_too_long_for_one_page_is_refused_and_nothing_is_written(tmp_path):
    with pytest.raises(PosterError, match="does not fit one page"):
        make(tmp_path, body="Fresh bread every morning. " * 600)
    assert list(tmp_path.iterdir()) == []


CALL = "Come in and pick up a fresh loaf today. "


def test_a_long_call_to_action_shrinks_into_its_row_beside_the_code(tmp_path):
    """A call to action of hundreds of characters ran up over the offer and off the bottom of the page."""
    link = "https://example.com/spring"  # one line under the code
    cta = (CALL * 20)[:500].strip()
    pdf = make(tmp_path, cta=cta, link=link, body="")
    width = POINTS["A4"][0]
    qr_left = width - 40 - 150
    row_top = 40 + 8 * 1.2 + 4 + 150  # the top of the code: the link's line, a gap, the code's side
    boxes = boxes_of(pdf, cta)
    assert all(40 <= left and right <= qr_left - 24 and 40 <= bottom and top <= row_top
               for left, bottom, right, top in boxes)
    assert poster_problem(headline="Spring Sale", offer="20% OFF with code SPRING20", cta=cta, link=link) is None


@pytest.mark.parametrize("length", [700, 2000])
def test_a_call_to_action_too_long_for_its_row_is_refused_by_name(tmp_path, length):
    cta = (CALL * 60)[:length]
    with pytest.raises(PosterError, match="does not fit one page: shorten the call to action[.]$"):
        make(tmp_path, cta=cta)
    assert list(tmp_path.iterdir()) == []
    fields = dict(headline="Spring Sale", offer="20% OFF with code SPRING20", cta=cta, link=LINK)
    assert poster_problem(**fields) == ("The poster's text does not fit one page: shorten the call to "
                                        "action.")
    assert poster_problem(**dict(fields, cta=CALL)) is None
    assert list(tmp_path.iterdir()) == []


HEAD = "Our biggest weekend of the year with fresh bread "
OFFER = "Fresh bread and pastries every morning at our corner shop "


@pytest.mark.parametrize(("fields", "shorten"), [
    (dict(offer=OFFER * 35), "the offer"),
    (dict(headline=HEAD * 35), "the headline"),
    (dict(headline=HEAD * 35, offer=OFFER * 35), "the headline and the offer"),
    (dict(offer=OFFER * 35, cta=CALL * 60), "the offer and the call to action"),
    (dict(body="Fresh bread every morning. " * 600), "the body"),
])
def test_text_too_long_is_refused_naming_the_fields_to_shorten(tmp_path, fields, shorten):
    """A long offer on a poster with no body was refused with "shorten the body or the headline"."""
    args = dict(headline="Spring Sale", offer="20% OFF", cta="Scan to order", link=LINK, **{"body": ""})
    args.update(fields)
    message = f"The poster's text does not fit one page: shorten {shorten}."
    with pytest.raises(PosterError) as refused:
        poster_pdf(tmp_path / "poster.pdf", **args)
    assert str(refused.value) == message and poster_problem(**args) == message
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(("field", "text"), [
    ("offer", ("Fresh rye and sourdough loaves baked daily " * 500)[:20000]),
    ("offer", "o" * 20000),  # one word, cut into pieces
    ("headline", "春季大促销" * 4000),  # no spaces at all
    ("call to action", ("Pick up warm croissants " * 900)[:20000]),
])
def test_a_field_as_long_as_it_may_be_is_refused_without_measuring_it_over_and_over(tmp_path, monkeypatch,
                                                                                     field, text):
    """An offer of 20,000 characters (as long as the field takes) was measured word by word at every
    size tried, millions of times: the poster, and the check waiting on it, took half a minute to refuse."""
    from reportlab.pdfbase import pdfmetrics

    calls, measure = [], pdfmetrics.stringWidth
    monkeypatch.setattr(pdfmetrics, "stringWidth", lambda *args, **kwargs: calls.append(1) or measure(*args, **kwargs))
    args = dict(headline="Spring Sale", offer="20% OFF", cta="Scan to order", link=LINK)
    args["cta" if field == "call to action" else field] = text
    with pytest.raises(PosterError, match=f"shorten the {field}[.]$"):
        poster_pdf(tmp_path / "poster.pdf", **args)
    assert len(calls) < 2000
    assert list(tmp_path.iterdir()) == []


NAME = ("The Old Corner Bakery and Coffee House of Springfield " * 6)[:300].strip()  # as long as a name may be


@pytest.mark.parametrize("name", [NAME, "B" * 300])
def test_a_long_business_name_stays_inside_the_brand_band(tmp_path, name):
    """A 300-character name beside the logo ran into the page's margin above and under the rule below."""
    pdf = make(tmp_path, business_name=name, logo=write_logo(tmp_path / "logo.png", "PNG"), body="")
    top = POINTS["A4"][1] - 40  # the margin; the band below it is 70 points tall
    drawn = squash(page_text(pdf))
    if name == NAME:
        boxes = boxes_of(pdf, name)  # all of it
    else:
        assert "B" * 100 in drawn and "B…" in drawn and "B" * 300 not in drawn  # cut short, visibly
        boxes = [box for ch, box in char_boxes(pdf) if ch in "B…"]
    assert all(top - 70 <= bottom and t <= top for _, bottom, _, t in boxes)
    assert max(right for _, _, right, _ in boxes) <= POINTS["A4"][0] - 40


def test_failure_while_writing_leaves_the_old_file_and_no_partial(tmp_path, monkeypatch):
    out = tmp_path / "poster.pdf"
    out.write_bytes(b"the poster printed last week")

    def disk_full(self):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Canvas, "save", disk_full)
    with pytest.raises(WriteFailure, match="cannot write poster.pdf: the disk holding .* is full"):
        make(tmp_path)
    assert out.read_bytes() == b"the poster printed last week"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["poster.pdf"]


def test_a_new_poster_replaces_the_old_one_whole(tmp_path):
    out = tmp_path / "poster.pdf"
    out.write_bytes(b"old")
    make(tmp_path, headline="Summer Sale")
    assert "SummerSale" in squash(page_text(out))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["poster.pdf"]


def test_missing_or_unreadable_logo_is_a_clear_error_naming_the_file(tmp_path):
    missing = tmp_path / "no-such-logo.png"
    with pytest.raises(ValueError, match=re.escape(str(missing))) as caught:
        make(tmp_path, logo=missing)
    assert isinstance(caught.value, UserError)
    assert "does not exist" in str(caught.value)

    broken = tmp_path / "broken.png"
    broken.write_bytes(b"\x89PNG\r\n\x1a\nnot really an image")
    with pytest.raises(PosterError, match=re.escape(str(broken)) + ".*cannot be read"):
        make(tmp_path, logo=broken)

    truncated = tmp_path / "truncated.jpg"
    truncated.write_bytes(write_logo(tmp_path / "whole.jpg", "JPEG").read_bytes()[:300])
    with pytest.raises(PosterError, match="truncated.jpg"):
        make(tmp_path, logo=truncated)

    gif = write_logo(tmp_path / "logo.gif", "GIF")
    with pytest.raises(PosterError, match="GIF image; use a PNG or JPEG"):
        make(tmp_path, logo=gif)
    assert not (tmp_path / "poster.pdf").exists()


@pytest.mark.parametrize("fmt", ["PNG", "JPEG"])
def test_logo_is_drawn(tmp_path, fmt):
    logo = write_logo(tmp_path / f"logo.{fmt.lower()}", fmt, color=(220, 30, 30))
    with_logo = Image.open(io.BytesIO(render_page(make(tmp_path, logo=logo), scale=1))).convert("RGB")
    without = Image.open(io.BytesIO(render_page(make(tmp_path, "plain.pdf"), scale=1))).convert("RGB")

    def reds(image: Image.Image) -> int:
        return sum(count for count, (r, g, b) in image.getcolors(1 << 20) if r > 180 and g < 80 and b < 80)

    assert reds(with_logo) > 1000 and reds(without) == 0


def test_colours_are_ink_and_paper(tmp_path):
    pdf = make(tmp_path, colors=("#7c2d12", "#fff7ed"))
    image = Image.open(io.BytesIO(render_page(pdf, scale=1))).convert("RGB")
    assert image.getpixel((5, 5)) == (255, 247, 237)  # the paper, to the page's edge
    assert (124, 45, 18) in {pixel for _, pixel in image.getcolors(1 << 20)}  # the ink


def test_characters_the_fonts_lack_do_not_crash(tmp_path):
    headline = "Őszi vásár — Привет नमक"
    pdf = make(tmp_path, headline=headline, offer="€5 off · Zoë’s Café")
    text = squash(page_text(pdf))
    assert "Őszivásár—Привет???" in text  # Devanagari no font has: "?"
    assert "€5off·Zoë’sCafé" in text
    assert unsupported_characters(headline, "Zoë’s Café €") == [*"नमक"]
    assert unprintable_characters(headline, "مرحبا ܫܠܡܐ") == [*"नमकܫܠܡܐ"]  # nor Syriac
    assert unsupported_characters("Crème brûlée, Straße, Łódź ½, Ελλάδα, Київ, שלום, مرحبا") == []


def test_hebrew_and_arabic_print_right_to_left_with_arabic_joined(tmp_path, monkeypatch):
    """A Hebrew bakery's name or an Arabic headline made every poster fail ("?" in their place)."""
    import arabic_reshaper
    from bidi import get_display

    drawn = drawn_strings(monkeypatch)
    body = "מבצע SALE20 לכל הלקוחות, עד 20% הנחה"
    make(tmp_path, business_name="מאפיית השכונה", headline="تخفيضات الربيع", offer="20% off", body=body,
         cta="Scan to order", link="")
    assert "".join(drawn).count("?") == 0
    # Each line drawn as the bidirectional algorithm orders it, the Arabic in its joined forms.
    assert "הנוכשה תייפאמ" in drawn and "מאפיית השכונה" not in drawn
    arabic = [text for text in drawn if any("\u0600" <= ch <= "\u06ff" or "\ufe70" <= ch <= "\ufeff" for ch in text)]
    assert arabic == [get_display(arabic_reshaper.reshape(word)) for word in ("تخفيضات", "الربيع")]
    assert arabic == ["ﺕﺎﻀﻴﻔﺨﺗ", "ﻊﻴﺑﺮﻟﺍ"]  # presentation forms, last letter first: joined, read from the right
    # Latin and numbers inside a Hebrew line keep their own order.
    assert get_display(body) == "החנה 20% דע ,תוחוקלה לכל SALE20 עצבמ" and get_display(body) in drawn
    assert "20% off" in drawn


@pytest.mark.parametrize("page", ["A4", "Letter"])
def test_arabic_numbers_read_the_same_wherever_a_line_breaks(tmp_path, monkeypatch, page):
    """A date at the start of a wrapped Arabic line printed "2027-04-30", on the line before it "30-04-2027";
    "20%" and "%20" likewise: each line's direction and numbers were worked out on that line alone."""
    import arabic_reshaper
    from bidi import get_display

    headline, offer = "تخفيضات الربيع 20% على كل شيء", "خصم 20% مع الرمز SPRING20 حتى 2027-04-30"
    whole = [get_display(arabic_reshaper.reshape(text), base_dir="R") for text in (headline, offer)]
    assert "%20" in whole[0] and "%20" in whole[1] and "30-04-2027" in whole[1]  # on one line, as bidi has it
    for wide in (False, True):  # the same words wrapped elsewhere: with a short headline, the offer is set larger
        drawn = drawn_strings(monkeypatch)
        make(tmp_path, headline=headline if wide else "تخفيضات", offer=offer, cta="تسوق", body="", page=page)
        assert len([text for text in drawn if "ﻢﺼﺧ" in text or "ﻰﺘﺣ" in text]) > 1  # the offer wrapped
        printed = " | ".join(drawn)
        assert "30-04-2027" in printed and "2027-04-30" not in printed
        assert "%20" in printed and "20%" not in printed


def test_a_right_to_left_call_to_action_stands_against_the_qr_code(tmp_path):
    """Beside the QR code the call to action is set against the left; in Hebrew, against the right."""
    boxes = [box for ch, box in char_boxes(make(tmp_path, cta="סרקו להזמנה")) if "\u05d0" <= ch <= "\u05ea"]
    left, right = min(box[0] for box in boxes), max(box[2] for box in boxes)
    qr_left = POINTS["A4"][0] - 40 - 150  # the margin and the code's side, in points on A4
    assert qr_left - 24 - 3 < right <= qr_left - 24 and left > 40 + 50  # not against the margin


def test_greek_cyrillic_and_cjk_are_drawn_not_questioned(tmp_path):
    """A Russian bakery's name and a Greek and Japanese headline printed as "???"."""
    pdf = make(tmp_path, headline="Ρεκόρ εκπτώσεων — 東京ベーカリー 大セール", business_name="Пекарня Хлеб")
    text = squash(page_text(pdf))
    assert "?" not in text.split("http")[0] and "ПекарняХлеб" in text and "Ρεκόρεκπτώσεων" in text
    assert unprintable_characters("東京ベーカリー 大セール", "서울 빵집", "北京面包店") == []
    # Set in fonts the PDF names but does not carry: said, for whoever prints it.
    assert "does not carry" in reader_fonts_note("Sale", "서울 빵집") and reader_fonts_note("Пекарня", "שלום") is None


def test_bad_options_are_refused(tmp_path):
    with pytest.raises(PosterError, match="Unknown page size 'A5'"):
        make(tmp_path, page="A5")
    with pytest.raises(PosterError, match="needs a headline"):
        make(tmp_path, headline="  ")
    with pytest.raises(PosterError, match="paper colour 'white'"):
        make(tmp_path, colors=("#000000", "white"))
    with pytest.raises(PosterError, match="ink colour"):
        make(tmp_path, colors=("#000", "#ffffff"))
    assert list(tmp_path.iterdir()) == []


def test_a_workspace_is_never_written_over(tmp_path):
    workspace = tmp_path / "shop.omnidesk"
    with pytest.raises(PosterError, match="Will not write the poster over"):
        poster_pdf(workspace, headline="Sale")
    assert not workspace.exists()


def test_same_poster_same_bytes(tmp_path):
    # The preview caches by content; a PDF that changed with the clock would never match.
    assert make(tmp_path, "a.pdf").read_bytes() == make(tmp_path, "b.pdf").read_bytes()


def test_render_page_is_a_png_of_the_page(tmp_path):
    pdf = make(tmp_path, page="Letter")
    image = Image.open(io.BytesIO(render_page(pdf)))
    assert image.format == "PNG"
    assert image.size == (918, 1188)  # 612 x 792 points at 1.5 pixels per point
    assert Image.open(io.BytesIO(render_page(pdf, scale=0.5))).size == (306, 396)
    with pytest.raises(PosterError, match="has no page 2"):
        render_page(pdf, page=1)
    not_pdf = tmp_path / "notes.pdf"
    not_pdf.write_text("hello")
    with pytest.raises(PosterError, match="cannot be read as a PDF"):
        render_page(not_pdf)


def test_poster_without_link_has_no_code_and_keeps_the_call_to_action(tmp_path):
    pdf = make(tmp_path, link="")
    image = Image.open(io.BytesIO(render_page(pdf, scale=3))).convert("L")
    assert zxingcpp.read_barcodes(image) == []
    assert "Scantoorderahead" in squash(page_text(pdf))


def test_the_link_under_the_code_breaks_where_a_reader_expects(tmp_path):
    pdf = make(tmp_path)
    lines = [line.strip() for line in page_text(pdf).splitlines()]
    start = next(i for i, line in enumerate(lines) if line.startswith("https://"))
    printed = [lines[start]]
    while len("".join(printed)) < len(LINK):
        printed.append(lines[start + len(printed)])
    assert "".join(printed) == LINK
    assert len(printed) > 1 and all(line[-1] in "/?&=-" for line in printed[:-1]), printed


def test_poster_file_gets_the_usual_permissions(tmp_path):
    previous = os.umask(0o022)
    try:
        pdf = make(tmp_path)
    finally:
        os.umask(previous)
    assert stat.S_IMODE(pdf.stat().st_mode) == 0o644


def test_a_missing_folder_is_a_clear_error(tmp_path):
    with pytest.raises(PosterError, match="does not exist; choose where"):
        poster_pdf(tmp_path / "gone" / "poster.pdf", headline="Sale")


def test_previews_never_enter_pdfium_from_two_threads_at_once(tmp_path, monkeypatch):
    # PDFium is not thread-safe: previews rendered by worker threads must take turns.
    real = pypdfium2.PdfDocument
    guard = threading.Lock()
    inside = {"now": 0, "most": 0}

    def opening(*args, **kwargs):
        with guard:
            inside["now"] += 1
            inside["most"] = max(inside["most"], inside["now"])
        time.sleep(0.02)  # widen the window another thread could slip into
        document = real(*args, **kwargs)
        close = document.close

        def closing():
            close()
            with guard:
                inside["now"] -= 1

        document.close = closing
        return document

    monkeypatch.setattr(pypdfium2, "PdfDocument", opening)
    pdfs = [make(tmp_path, f"p{i}.pdf", headline=f"Sale {i}") for i in range(4)]
    with ThreadPoolExecutor(max_workers=4) as pool:
        pngs = list(pool.map(lambda pdf: render_page(pdf, scale=0.5), pdfs * 2))
    assert inside == {"now": 0, "most": 1}
    assert pngs[:4] == pngs[4:] and len(set(pngs)) == 4
