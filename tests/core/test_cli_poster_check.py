"""What the poster and the banner need, found before they are printed or published: a logo the
brand kit can draw, a link a QR code holds, text that fits the page, colours that can be read; the
check says what the export would refuse, and the two never disagree."""

from __future__ import annotations

import hashlib
import io
import json
import random
import time

import time_machine
from PIL import Image

from tests.helpers import harbor_fixtures, run_cli

shop_template, shop = harbor_fixtures()
NY = "America/New_York"
MASTER = {"headline": "Spring sale", "body": "Hi {first_name|there}, 20% off all spring stock.",
          "offer_code": "SPRING20", "offer_value": "20% off", "offer_expires": "2027-04-30",
          "cta": "Shop now", "link": "https://example.com/spring"}


def run(capsys, *argv):
    return run_cli(capsys, *argv)


def png(path, size=(400, 200)):
    """An RGBA PNG of ``size``, its left half transparent, its right half coloured blocks of random
    colours (so it does not compress to nothing)."""
    w, h = max(1, size[0] // 10), max(1, size[1] // 10)
    rnd = random.Random(1)
    blocks = Image.new("RGBA", (w, h))
    blocks.putdata([(rnd.randrange(256), rnd.randrange(256), rnd.randrange(256), 0 if i % w < w // 2 else 255)
                    for i in range(w * h)])
    blocks.resize(size, Image.Resampling.NEAREST).save(path, format="PNG")
    return path


def stored_logo(shop) -> bytes | None:
    from omnidesk.core.messages.brand import logo
    from omnidesk.core.workspace import Workspace

    with Workspace.open(shop) as ws:
        image = logo(ws)
    return image.data if image is not None else None


def message(tmp_path, capsys, shop, name="Poster", store=None, **master):
    doc = {"name": name, "message": {**MASTER, **master}, "variants": {"store": store} if store else {}}
    path = tmp_path / f"{name}.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    status, _, err = run(capsys, "message", "import", path, "-w", shop)
    assert status == 0, err
    return name


def campaign(tmp_path, capsys, shop, message_name, channel="store", name="Spring poster"):
    path = tmp_path / f"plan-{name}.json"
    path.write_text(json.dumps({"name": name, "message": message_name, "audience": "everyone",
                                "steps": [{"channel": channel, "at": "2027-03-01T09:00", "timezone": NY}],
                                "mode": "each_channel"}), encoding="utf-8")
    status, _, err = run(capsys, "campaign", "import", path, "-w", shop)
    assert status == 0, err
    return name


def test_a_logo_cut_short_or_of_too_many_pixels_is_refused_when_it_is_set(shop, capsys, tmp_path):
    """A PNG cut short after 300 bytes, or one of 30 megapixels, was taken by `brand set logo`, and
    every poster failed afterwards; now `brand set` refuses it and keeps the logo it had."""
    good = png(tmp_path / "good.png")
    assert run(capsys, "brand", "set", "logo", good, "-w", shop)[0] == 0
    kept = stored_logo(shop)
    cut = tmp_path / "cut.png"
    cut.write_bytes(good.read_bytes()[:300])
    status, _, err = run(capsys, "brand", "set", "logo", cut, "-w", shop)
    assert status == 1 and "cut.png" in err and "damaged or cut short" in err, err
    huge = tmp_path / "huge.png"
    Image.new("1", (6000, 5000)).save(huge)  # 30 megapixels, a few kilobytes
    status, _, err = run(capsys, "brand", "set", "logo", huge, "-w", shop)
    assert status == 1 and "huge.png" in err and "6,000 × 5,000 pixels" in err and "25 megapixels" in err, err
    assert stored_logo(shop) == kept


def test_a_large_logo_is_kept_scaled_down_and_every_poster_draws_it_fast(shop, capsys, tmp_path):
    """A logo of 12,000 × 12,000 pixels made each poster (and the app's preview, drawn as one types)
    take many seconds: one larger than the poster needs is kept 1,000 pixels on its long side,
    its transparency kept, and the poster draws that."""
    big = png(tmp_path / "wide.png", (3000, 1500))
    assert run(capsys, "brand", "set", "logo", big, "-w", shop)[0] == 0
    kept = Image.open(io.BytesIO(stored_logo(shop)))
    assert (kept.format, kept.size, kept.mode) == ("PNG", (1000, 500), "RGBA")
    assert kept.getpixel((10, 10))[3] == 0 and kept.getpixel((990, 490))[3] == 255
    small = png(tmp_path / "small.png", (200, 100))
    assert run(capsys, "brand", "set", "logo", small, "-w", shop)[0] == 0
    assert stored_logo(shop) == small.read_bytes()  # one no larger is kept as it is
    message(tmp_path, capsys, shop)
    assert run(capsys, "brand", "set", "logo", big, "-w", shop)[0] == 0
    started = time.monotonic()
    status, _, err = run(capsys, "message", "render", "Poster", "--channel", "store", "--out", tmp_path / "p.pdf",
                         "-w", shop)
    assert status == 0, err
    assert time.monotonic() - started < 10


def _keep_logo(shop, data: bytes) -> None:
    """``data`` kept as the brand's logo as a brand kit did before it decoded logos when set."""
    from sqlalchemy import insert

    from omnidesk.core.messages.brand import _store
    from omnidesk.core.models import Asset
    from omnidesk.core.workspace import Workspace

    with Workspace.open(shop) as ws:
        asset = Asset.__table__
        with ws.writing() as conn:
            found = conn.execute(insert(asset).returning(asset.c.id).values(
                name="logo.png", mime="image/png", sha256=hashlib.sha256(data).hexdigest(), data=data)).scalar_one()
        _store(ws, {"logo": found, "logo_name": "logo.png"})


@time_machine.travel("2027-02-01 10:00:00Z", tick=False)
def test_a_damaged_logo_kept_before_is_named_as_the_brand_kits(shop, capsys, tmp_path):
    """A logo kept before the brand kit decoded logos may be cut short: the poster's refusal named a
    temporary copy (/tmp/omnidesk-…/logo.png); it names the brand kit's logo and says what to do."""
    _keep_logo(shop, png(tmp_path / "good.png").read_bytes()[:300])
    message(tmp_path, capsys, shop)
    status, _, err = run(capsys, "message", "render", "Poster", "--channel", "store", "--out", tmp_path / "p.pdf",
                         "-w", shop)
    assert status == 1 and "The brand kit's logo cannot be read" in err and "brand set logo" in err, err
    assert str(tmp_path) not in err and "omnidesk-" not in err, err
    campaign(tmp_path, capsys, shop, "Poster")
    status, _, err = run(capsys, "campaign", "export", "Spring poster", "--out", tmp_path / "packs", "-w", shop)
    assert status == 1 and "brand kit's logo" in err and "omnidesk-" not in err, err
    assert not (tmp_path / "packs").exists()


def findings(capsys, shop, *argv):
    """The findings of ``message check`` or ``campaign check`` (``argv``), as (severity, code) on the poster,
    with the exit status."""
    status, out, err = run(capsys, *argv, "--json", "-w", shop)
    assert status in (0, 1), err
    found = json.loads(out)["findings"]
    return status, [(f["severity"], f["code"], f["message"]) for f in found if f["channel"] == "store"]


def agree(capsys, shop, tmp_path, name, code, words):
    """The check errs with ``code``, scheduling is refused, and the export refuses too: the check and
    the export say the same."""
    status, found = findings(capsys, shop, "campaign", "check", name)
    assert status == 1 and [c for s, c, _ in found if s == "error"] == [code], found
    status, _, err = run(capsys, "campaign", "schedule", name, "-w", shop)
    assert status == 1 and words in err, err
    for page in ("A4", "Letter"):
        status, _, err = run(capsys, "campaign", "export", name, "--out", tmp_path / "packs", "--page", page,
                             "-w", shop)
        assert status == 1 and words in err, err
    assert not (tmp_path / "packs").exists()
    return found


LONG_LINK = "https://example.com/spring?" + "&".join(f"p{i}=v{i}x" for i in range(230))


@time_machine.travel("2027-02-01 10:00:00Z", tick=False)
def test_a_poster_link_no_qr_code_holds_is_an_error_of_the_check(shop, capsys, tmp_path):
    """A poster link of 2,357 characters with its campaign tags passed the check ("No findings"), the
    campaign was scheduled, and its export failed: the check now says what the export refuses."""
    message(tmp_path, capsys, shop, link=LONG_LINK)
    status, found = findings(capsys, shop, "message", "check", "Poster")
    assert status == 1 and [c for s, c, _ in found if s == "error"] == ["poster_link_too_long"], found
    assert "too long for a QR code" in found[0][2] and "shorten the link" in found[0][2]
    campaign(tmp_path, capsys, shop, "Poster")
    agree(capsys, shop, tmp_path, "Spring poster", "poster_link_too_long", "too long for a QR code")
    status, _, err = run(capsys, "message", "render", "Poster", "--channel", "store", "--out", tmp_path / "p.pdf",
                         "-w", shop)
    assert status == 1 and "too long for a QR code" in err, err


@time_machine.travel("2027-02-01 10:00:00Z", tick=False)
def test_a_poster_whose_text_does_not_fit_one_page_is_an_error_of_the_check(shop, capsys, tmp_path):
    """An offer of 1,300 characters passed `message check` and then the poster could not be drawn:
    the check draws the poster as the export does, on A4 and on Letter, and says it does not fit."""
    offer = "20% off with code SPRING20 " + "Fresh bread and pastries every morning at our corner shop " * 22
    message(tmp_path, capsys, shop, store={"headline": "Spring sale", "offer": offer, "cta": "Shop now",
                                           "link": "https://example.com/spring?utm_source=store"})
    status, found = findings(capsys, shop, "message", "check", "Poster")
    assert status == 1 and [c for s, c, _ in found if s == "error"] == ["poster_does_not_fit"], found
    assert "A4 or Letter" in found[0][2] and "does not fit one page" in found[0][2]
    campaign(tmp_path, capsys, shop, "Poster")
    agree(capsys, shop, tmp_path, "Spring poster", "poster_does_not_fit", "does not fit one page")
    # An offer that fits is no error, and the export draws it.
    message(tmp_path, capsys, shop, store={"headline": "Spring sale", "offer": "20% off with code SPRING20",
                                           "cta": "Shop now", "link": "https://example.com/spring?utm_source=store"})
    status, found = findings(capsys, shop, "campaign", "check", "Spring poster")
    assert status == 0 and not [f for f in found if f[0] == "error"], found
    status, _, err = run(capsys, "campaign", "export", "Spring poster", "--out", tmp_path / "packs", "-w", shop)
    assert status == 0, err


@time_machine.travel("2027-02-01 10:00:00Z", tick=False)
def test_a_damaged_logo_kept_before_is_an_error_of_the_poster_check(shop, capsys, tmp_path):
    """The check of a poster drawn with a logo that cannot be read said nothing, and every poster
    export failed: the check says so, and names the brand kit's logo."""
    _keep_logo(shop, png(tmp_path / "good.png").read_bytes()[:300])
    message(tmp_path, capsys, shop)
    campaign(tmp_path, capsys, shop, "Poster")
    found = agree(capsys, shop, tmp_path, "Spring poster", "poster_logo_unreadable", "brand kit's logo")
    assert "brand kit's logo" in found[0][2] and "brand set logo" in found[0][2]
    assert run(capsys, "brand", "set", "logo", png(tmp_path / "good.png"), "-w", shop)[0] == 0
    status, found = findings(capsys, shop, "campaign", "check", "Spring poster")
    assert status == 0, found


@time_machine.travel("2027-02-01 10:00:00Z", tick=False)
def test_a_banner_with_a_button_is_not_said_to_lack_its_call_to_action(shop, capsys, tmp_path):
    """Every website banner was warned that the call to action "Shop now" was missing, though the
    banner's button, exported, is the master's call to action; a banner without a link has no
    button, and is still warned."""
    doc = {"name": "Web", "message": MASTER,
           "variants": {"website": {"text": "20% off all spring stock with code SPRING20",
                                    "link": "https://example.com/spring"}}}
    (tmp_path / "web.json").write_text(json.dumps(doc), encoding="utf-8")
    assert run(capsys, "message", "import", tmp_path / "web.json", "-w", shop)[0] == 0
    status, out, err = run(capsys, "message", "check", "Web", "--json", "-w", shop)
    assert status == 0 and "cta_missing" not in out, out
    campaign(tmp_path, capsys, shop, "Web", channel="website", name="Web banner")
    status, out, err = run(capsys, "campaign", "check", "Web banner", "--json", "-w", shop)
    assert status == 0 and "cta_missing" not in out, out
    status, _, err = run(capsys, "campaign", "export", "Web banner", "--out", tmp_path / "packs", "-w", shop)
    assert status == 0, err
    (banner,) = (tmp_path / "packs").glob("*.html")
    assert ">Shop now</a></div>" in banner.read_text(encoding="utf-8")
    doc["variants"]["website"]["link"] = ""
    doc["variants"]["website"]["text"] += " https://example.com/spring"
    (tmp_path / "web.json").write_text(json.dumps(doc), encoding="utf-8")
    assert run(capsys, "message", "import", tmp_path / "web.json", "-w", shop)[0] == 0
    status, out, err = run(capsys, "message", "check", "Web", "--json", "-w", shop)
    assert [f["code"] for f in json.loads(out)["findings"] if f["channel"] == "website"] == ["cta_missing"], out


def test_a_main_colour_too_pale_to_read_on_white_is_warned_of_on_the_poster_and_the_banner(shop, capsys, tmp_path):
    """With the brand's colours "#FFFF66, #FFFFFF" the poster printed pale yellow on white and the
    banner white on pale yellow (a contrast of 1.06:1) without a word: the check warns of both."""
    doc = {"name": "Both", "message": MASTER,
           "variants": {"store": {"headline": "Spring sale", "offer": "20% off with code SPRING20",
                                  "cta": "Shop now", "link": "https://example.com/spring"},
                        "website": {"text": "20% off with code SPRING20", "link": "https://example.com/spring"}}}
    (tmp_path / "both.json").write_text(json.dumps(doc), encoding="utf-8")
    assert run(capsys, "message", "import", tmp_path / "both.json", "-w", shop)[0] == 0

    def contrast():
        status, out, err = run(capsys, "message", "check", "Both", "--json", "-w", shop)
        assert status == 0, out + err  # a warning: the poster and the banner can still go out
        return {f["channel"]: f["message"] for f in json.loads(out)["findings"] if f["code"] == "low_contrast"}

    assert run(capsys, "brand", "set", "colors", "#FFFF66, #FFFFFF", "-w", shop)[0] == 0
    found = contrast()
    assert set(found) == {"store", "website"}, found
    assert "1.06:1" in found["store"] and "#FFFF66 on white" in found["store"] and "4.5:1" in found["store"]
    assert "white on #FFFF66" in found["website"] and "1.06:1" in found["website"]
    assert run(capsys, "brand", "set", "colors", "#777777, #FFFFFF", "-w", shop)[0] == 0  # 4.48:1: just under
    assert set(contrast()) == {"store", "website"}
    assert run(capsys, "brand", "set", "colors", "#767676, #FFFFFF", "-w", shop)[0] == 0  # 4.54:1
    assert contrast() == {}


def test_a_link_that_makes_a_qr_code_of_tiny_squares_is_warned_of(shop, capsys, tmp_path, monkeypatch):
    """The poster's QR code is always as wide: a 1,557-character link made a version 33 code of
    0.34 mm squares that a slightly blurred photo could not read.  The check warns when the squares
    print under 0.5 mm, and says to shorten the link."""
    long_link = "https://example.com/spring?" + "&".join(f"p{i}=v{i}x" for i in range(150))
    message(tmp_path, capsys, shop, link=long_link)
    _status, found = findings(capsys, shop, "message", "check", "Poster")  # (the SMS is over its limit)
    dense = [m for s, c, m in found if c == "poster_qr_dense"]
    assert [(s, c) for s, c, _ in found if s == "error" or c == "poster_qr_dense"] == [
        ("warning", "poster_qr_dense")], found
    assert "145 × 145 squares, each 0.35 mm wide" in dense[0] and "shorten the link" in dense[0], dense
    # A link of a few hundred characters makes squares large enough.
    message(tmp_path, capsys, shop, "Shorter", link="https://example.com/spring?" + "&".join(
        f"p{i}=v{i}x" for i in range(40)))
    assert [c for _, c, _ in findings(capsys, shop, "message", "check", "Shorter")[1]] == []
    # The width the check reckons with is the width the poster draws the code at.
    from omnidesk.core.messages import poster
    from omnidesk.core.messages.lint import POSTER_QR_SIDE

    sides = []
    real = poster._draw_qr
    monkeypatch.setattr(poster, "_draw_qr", lambda canvas, matrix, x, y, side: (sides.append(side),
                                                                                real(canvas, matrix, x, y, side)))
    status, _, err = run(capsys, "message", "render", "Shorter", "--channel", "store", "--out", tmp_path / "p.pdf",
                         "--page", "A4", "-w", shop)  # the check reckons with A4, the smaller of the two
    assert status == 0 and sides == [POSTER_QR_SIDE], (err, sides)


def test_the_check_warns_of_chinese_japanese_or_korean_on_a_poster(shop, tmp_path, capsys):
    """The render warned that CJK letters rely on the reader's fonts; the check said nothing."""
    doc = tmp_path / "cjk.json"
    doc.write_text(json.dumps({
        "name": "Tea", "message": {"headline": "新茶の季節", "body": "Fresh tea", "cta": "Shop now",
                                   "link": "https://shop.example/tea"},
        "variants": {"store": {"headline": "新茶の季節", "offer": "", "cta": "Scan to shop",
                               "link": "https://shop.example/tea"}}}), encoding="utf-8")
    assert run_cli(capsys, "-w", shop, "message", "import", doc)[0] == 0
    status, out, _ = run_cli(capsys, "-w", shop, "message", "check", "Tea", "--json")
    codes = [f["code"] for f in json.loads(out)["findings"] if f["channel"] == "store"]
    assert "poster_reader_fonts" in codes, codes


def test_render_warns_of_what_the_poster_prints_as_question_marks_as_the_export_refuses_it(shop, capsys, tmp_path):
    assert run(capsys, "brand", "set", "name", "शर्मा जनरल स्टोर", "-w", shop)[0] == 0
    name = message(tmp_path, capsys, shop, "Diwali", headline="दिवाली सेल 20% छूट", cta="अभी स्कैन करें")
    status, out, err = run(capsys, "message", "render", name, "--channel", "store", "--out", tmp_path / "p.pdf",
                           "-w", shop)
    assert status == 0 and (tmp_path / "p.pdf").is_file()  # a preview: written even so
    warnings = [line.removeprefix("omnidesk: warning: ") for line in err.splitlines()]
    assert len(warnings) == 3 and all(line.startswith("omnidesk: warning: ") for line in err.splitlines())
    assert any(" in the headline cannot be printed" in w and "द" in w for w in warnings)
    assert any(" in the cta cannot be printed" in w and "स" in w for w in warnings)
    assert any(" in the brand's name “शर्मा जनरल स्टोर” cannot be printed" in w for w in warnings)
    # The export refuses the same poster in the same words.
    campaign(tmp_path, capsys, shop, name, name="Diwali")
    status, _, refused = run(capsys, "campaign", "export", "Diwali", "--out", tmp_path / "pack", "-w", shop)
    assert status != 0
    assert all(w in refused for w in warnings[:2])
