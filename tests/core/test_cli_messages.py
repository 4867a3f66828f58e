"""`omnidesk brand …` and `omnidesk message import/list/export-json`."""

from __future__ import annotations

import contextlib
import io
import json
import shutil

import pytest

from omnidesk.cli import main
from tests.helpers import run_cli
from tests.core.messages.test_store import MASTER


@pytest.fixture(scope="module")
def shop_template(tmp_path_factory):
    """A small demo built through the command line once for the module; tests get copies."""
    path = tmp_path_factory.mktemp("shop") / "shop.omnidesk"
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        assert main(["demo", "--workspace", str(path), "--customers", "5"]) == 0 or path.exists()
    return path


@pytest.fixture
def shop(tmp_path, shop_template):
    shutil.copyfile(shop_template, tmp_path / "shop.omnidesk")
    return tmp_path / "shop.omnidesk"


def run(capsys, *argv):
    return run_cli(capsys, *argv)


def test_brand_set_and_show(shop, capsys):
    assert run(capsys, "brand", "set", "name", "Harbor Candles", "-w", str(shop))[1].strip() == \
        "Brand name: Harbor Candles"
    assert run(capsys, "brand", "set", "banned_words", "free, guaranteed", "-w", str(shop))[1].strip() == \
        "Brand banned_words: free, guaranteed"
    status, _, err = run(capsys, "brand", "set", "colors", "blue", "-w", str(shop))
    assert status != 0 and "colors: give one or two colours" in err and len(err.strip().splitlines()) == 1
    data = json.loads(run(capsys, "brand", "show", "--json", "-w", str(shop))[1])
    assert data["name"] == "Harbor Candles" and data["banned_words"] == ["free", "guaranteed"]
    lines = run(capsys, "brand", "show", "-w", str(shop))[1].splitlines()
    assert any(line.split()[:1] == ["sms_opt_out"] and "Reply STOP" in line for line in lines)


def test_message_import_list_export(shop, capsys, tmp_path):
    doc = tmp_path / "launch.json"
    doc.write_text(json.dumps({"name": "Autumn launch", "message": MASTER,
                               "variants": {"sms": {"text": "Autumn is here"}}}), encoding="utf-8")
    status, out, _ = run(capsys, "message", "import", str(doc), "-w", str(shop))
    assert (status, out.strip()) == (0, "Saved message Autumn launch: email, sms, facebook, instagram, store")
    data = json.loads(run(capsys, "message", "list", "--json", "-w", str(shop))[1])
    assert [(m["name"], m["stale"]) for m in data] == [("Autumn launch", [])]
    out_file = tmp_path / "out.json"
    assert run(capsys, "message", "export-json", "autumn launch", str(out_file), "-w", str(shop))[0] == 0
    assert json.loads(out_file.read_text(encoding="utf-8"))["variants"]["sms"] == {"text": "Autumn is here"}
    status, _, err = run(capsys, "message", "export-json", "Autumn launch", str(out_file), "-w", str(shop))
    assert status != 0 and "--force" in err
    status, _, err = run(capsys, "message", "export-json", "Autumn launch", str(shop), "--force", "-w", str(shop))
    assert status != 0  # never over a workspace
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    status, _, err = run(capsys, "message", "import", str(bad), "-w", str(shop))
    assert status != 0 and "is not a JSON file" in err and len(err.strip().splitlines()) == 1


def test_message_check_exits_1_on_an_error_and_prints_json(shop, capsys, tmp_path):
    assert run(capsys, "brand", "set", "address", "12 Quay St, Portland, ME 04101", "-w", str(shop))[0] == 0
    doc = tmp_path / "launch.json"
    doc.write_text(json.dumps({"name": "Launch", "message": dict(MASTER, link="https://hc.example/a")}),
                   encoding="utf-8")
    assert run(capsys, "message", "import", str(doc), "-w", str(shop))[0] == 0
    status, out, _ = run(capsys, "message", "check", "Launch", "--json", "-w", str(shop))
    data = json.loads(out)
    assert status == 0, data["findings"]
    assert data["stats"]["sms"]["encoding"] == "GSM-7" and data["stats"]["sms"]["segments"] >= 1
    assert {f["severity"] for f in data["findings"]} <= {"warning"}
    doc.write_text(json.dumps({"name": "Launch", "message": dict(MASTER, link="https://hc.example/a"),
                               "variants": {"sms": {"text": "Hi {frist_name}! 25% off"}}}), encoding="utf-8")
    assert run(capsys, "message", "import", str(doc), "-w", str(shop))[0] == 0
    status, out, _ = run(capsys, "message", "check", "Launch", "-w", str(shop))
    assert status == 1
    assert any(line.startswith("error") and "SMS text:" in line and "[token]" in line for line in out.splitlines())
    assert any(line.startswith("error") and "[offer_code_missing]" in line for line in out.splitlines())


def test_message_render_for_a_customer_as_text_html_and_poster(shop, capsys, tmp_path):
    import pypdfium2

    assert run(capsys, "brand", "set", "address", "12 Quay St, Portland, ME 04101", "-w", str(shop))[0] == 0
    doc = tmp_path / "launch.json"
    doc.write_text(json.dumps({"name": "Launch", "message": dict(MASTER, link="https://hc.example/a"),
                               "variants": {"sms": {"text": "Hi {first_name|there}, AUTUMN20. Reply STOP"},
                                            "email": {"subject": "For {first_name|you} <3", "preheader": "Hi",
                                                      "body": "Dear {first_name|friend},\n\nAUTUMN20 https://hc.example/a"}}}),
                   encoding="utf-8")
    assert run(capsys, "message", "import", str(doc), "-w", str(shop))[0] == 0
    status, out, _ = run(capsys, "message", "render", "Launch", "--channel", "sms", "-w", str(shop))
    assert (status, out.strip()) == (0, "Hi there, AUTUMN20. Reply STOP")
    status, out, _ = run(capsys, "message", "render", "Launch", "--channel", "sms", "--customer", "1",
                         "-w", str(shop))
    assert status == 0 and not out.startswith("Hi there")
    page = tmp_path / "mail.html"
    assert run(capsys, "message", "render", "Launch", "--channel", "email", "--out", str(page), "-w", str(shop))[0] == 0
    mail = page.read_text(encoding="utf-8")
    assert "12 Quay St" in mail and "*|UNSUB|*" in mail and "For you &lt;3" in mail
    status, out, _ = run(capsys, "message", "render", "Launch", "--channel", "email", "-w", str(shop))
    assert out.startswith("Subject: For you <3\nPreheader: Hi") and "12 Quay St" in out
    poster = tmp_path / "poster.pdf"
    status, _, err = run(capsys, "message", "render", "Launch", "--channel", "store", "-w", str(shop))
    assert status != 0 and "--out" in err
    assert run(capsys, "message", "render", "Launch", "--channel", "store", "--out", str(poster), "--page",
               "Letter", "-w", str(shop))[0] == 0
    pdf = pypdfium2.PdfDocument(str(poster))
    assert len(pdf) == 1 and "AUTUMN20" in pdf[0].get_textpage().get_text_range()
    status, _, err = run(capsys, "message", "render", "Launch", "--channel", "x", "-w", str(shop))
    assert status != 0 and "has no X variant" in err


def test_message_check_warns_of_personal_tokens_in_posts_only(shop, capsys, tmp_path):
    assert run(capsys, "brand", "set", "address", "12 Quay St, Portland, ME 04101", "-w", str(shop))[0] == 0
    doc = tmp_path / "winter.json"
    doc.write_text(json.dumps({"name": "Winter", "message": dict(
        MASTER, link="https://hc.example/a",
        body="Hi {first_name|there}! Your last buy: {last_product}. Code {offer_code}.")}), encoding="utf-8")
    assert run(capsys, "message", "import", str(doc), "-w", str(shop))[0] == 0
    status, out, _ = run(capsys, "message", "check", "Winter", "--json", "-w", str(shop))
    found = [f for f in json.loads(out)["findings"] if f["code"] == "personal_token"]
    # The email and the SMS go to one person each; the posts to everyone ({offer_code} is everyone's).
    assert status == 0 and {f["channel"] for f in found} == {"facebook", "instagram"}
    assert {(f["severity"], f["field"], f["message"]) for f in found if f["channel"] == "facebook"} == {
        ("warning", "text", "{first_name} is one customer's, but Facebook shows the same words to everyone: "
                            "each reader sees “there” in its place"),
        ("warning", "text", "{last_product} is one customer's, but Facebook shows the same words to everyone: "
                            "each reader sees nothing in its place")}
    status, out, _ = run(capsys, "message", "check", "Winter", "-w", str(shop))
    assert any(line.startswith("warning") and "Instagram text: {first_name} is one customer's" in line
               and "[personal_token]" in line for line in out.splitlines())


def _check(capsys, shop, tmp_path, doc: dict, *brand: tuple[str, str]) -> tuple[int, list[dict]]:
    """``omnidesk message check`` on the message file ``doc`` imported into ``shop``: its exit status and findings."""
    for field, value in (("address", "12 Quay St, Portland, ME 04101"), *brand):
        assert run(capsys, "brand", "set", field, value, "-w", str(shop))[0] == 0
    path = tmp_path / "message.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    assert run(capsys, "message", "import", str(path), "-w", str(shop))[0] == 0
    status, out, _ = run(capsys, "message", "check", doc["name"], "--json", "-w", str(shop))
    return status, json.loads(out)["findings"]


WEEKEND = {"headline": "Weekend sale", "body": "20% off.", "offer_code": "WKND20", "offer_value": "20% off",
           "offer_expires": "2027-03-02", "link": "https://hp.example/w"}
WEEKEND_LINK = "https://hp.example/w?utm_source=sms&utm_medium=sms&utm_campaign=w"


@pytest.mark.parametrize("line", ["Shop non-stop for 48 hours!", "No need to reply, stop by the shop!",
                                  "Open non-stop to 9pm."])
def test_an_sms_whose_only_stop_is_no_instruction_fails_the_check(shop, capsys, tmp_path, line):
    """These texts passed the check and went into the send pack with no way to opt out."""
    text = f"Harbor & Pine: 20% off with code WKND20. {line} {WEEKEND_LINK}"
    status, found = _check(capsys, shop, tmp_path, {"name": "NoStop", "message": WEEKEND,
                                                    "variants": {"sms": {"text": text}}})
    assert status == 1 and [f["code"] for f in found if f["severity"] == "error"] == ["sms_opt_out_missing"]
    status, found = _check(capsys, shop, tmp_path, {"name": "NoStop", "message": WEEKEND,
                                                    "variants": {"sms": {"text": f"{text} Reply STOP to opt out"}}})
    assert status == 0, found


def test_variants_that_contradict_the_masters_offer_fail_the_check(shop, capsys, tmp_path):
    """30% and 25% off for a 20% offer, "ends 3/30" for 31 March and a /spring link for /Spring: no findings."""
    master = {"headline": "Spring sale", "body": "20% off all spring stock.", "offer_code": "SPRING20",
              "offer_value": "20% off", "offer_expires": "2027-03-31", "cta": "Shop now",
              "link": "https://hp.example/Spring"}
    doc = {"name": "Mismatch", "message": master, "variants": {
        "sms": {"text": "Harbor & Pine: 30% off with code SPRING20, ends 3/30! Shop now "
                        "https://hp.example/spring?utm_source=sms&utm_medium=sms&utm_campaign=s Reply STOP to opt out"},
        "email": {"subject": "Spring sale: 25% off", "preheader": "Ends 2027/03/30",
                  "body": "25% off with code SPRING20 until 2027/03/30. Shop now: "
                          "https://hp.example/spring?utm_source=newsletter&utm_medium=email&utm_campaign=s"},
        "instagram": {"text": "Spring sale! 20% off with code SPRING20 until 30.3. Shop now "
                              "https://hp.example/Spring?utm_source=instagram&utm_medium=social&utm_campaign=s"}}}
    status, found = _check(capsys, shop, tmp_path, doc)
    errors = {(f["channel"], f["code"], f["field"]) for f in found if f["severity"] == "error"}
    assert status == 1
    assert errors == {("sms", "offer_value_differs", "text"), ("sms", "expiry_differs", "text"),
                      ("sms", "link_missing", ""), ("email", "offer_value_differs", "subject"),
                      ("email", "offer_value_differs", "body"), ("email", "expiry_differs", "preheader"),
                      ("email", "expiry_differs", "body"), ("email", "link_missing", ""),
                      ("instagram", "expiry_differs", "text")}
    # Made again from the master, every variant keeps its offer.
    status, found = _check(capsys, shop, tmp_path, {"name": "Matching", "message": master})
    assert status == 0, [f for f in found if f["severity"] == "error"]


def test_a_poster_that_would_print_question_marks_fails_the_check(shop, capsys, tmp_path):
    """The brand "Пекарня Хлеб" and a Greek and Japanese headline printed as "???" and nothing said so."""
    import pypdfium2

    master = {"headline": "Ρεκόρ εκπτώσεων — 東京ベーカリー 大セール", "body": "20% off.", "offer_code": "TOKYO20",
              "offer_value": "20% off", "offer_expires": "2027-03-31", "cta": "Scan to shop",
              "link": "https://hp.example/sale"}
    status, found = _check(capsys, shop, tmp_path, {"name": "Poster", "message": master}, ("name", "Пекарня Хлеб"))
    assert "poster_unprintable" not in {f["code"] for f in found}
    poster = tmp_path / "poster.pdf"
    assert run(capsys, "message", "render", "Poster", "--channel", "store", "--out", str(poster), "-w", str(shop))[0] == 0
    text = pypdfium2.PdfDocument(str(poster))[0].get_textpage().get_text_range()
    assert "Пекарня Хлеб" in text and "Ρεκόρ εκπτώσεων" in text and "?" not in text.split("http")[0]
    # Hebrew and Arabic print, right to left; a script no font has is named, with its field.
    status, found = _check(capsys, shop, tmp_path, {"name": "Poster 2", "message": dict(master, headline="تخفيضات")},
                           ("name", "מאפייה"))
    assert "poster_unprintable" not in {f["code"] for f in found}
    status, found = _check(capsys, shop, tmp_path, {"name": "Poster 3", "message": dict(master, headline="नमक")},
                           ("name", "ܫܠܡܐ"))
    errors = [(f["channel"], f["field"], f["message"]) for f in found if f["code"] == "poster_unprintable"]
    assert status == 1 and errors == [
        ("store", "headline", "न म क in the headline cannot be printed: the poster shows “?” in their place"),
        ("store", "", "ܫ ܠ ܡ ܐ in the brand's name “ܫܠܡܐ” cannot be printed: the poster shows “?” in their "
                      "place")]


def test_a_poster_whose_call_to_action_cannot_fit_is_refused_not_printed_off_the_page(shop, capsys, tmp_path):
    """A call to action of 2,000 characters ran over the offer and off the page, and the render said it wrote it."""
    cta = "Come in and pick up a fresh loaf today. " * 50
    doc = tmp_path / "long.json"
    doc.write_text(json.dumps({"name": "Long", "message": dict(MASTER, cta=cta)}), encoding="utf-8")
    assert run(capsys, "message", "import", str(doc), "-w", str(shop))[0] == 0
    poster = tmp_path / "poster.pdf"
    status, out, err = run(capsys, "message", "render", "Long", "--channel", "store", "--out", str(poster),
                           "-w", str(shop))
    assert status != 0 and not poster.exists() and "Wrote" not in out
    assert "does not fit one page: shorten the call to action." in err


def test_a_poster_whose_offer_cannot_fit_names_the_offer(shop, capsys, tmp_path):
    """A poster has no body, yet a long offer was refused with "shorten the body or the headline"."""
    offer = "Fresh bread and pastries every morning at our corner shop " * 35
    doc = tmp_path / "offer.json"
    doc.write_text(json.dumps({"name": "Offer", "message": MASTER, "variants": {"store": {
        "headline": "Spring sale", "offer": offer, "cta": "Shop now", "link": "https://shop.example.com/a"}}}),
        encoding="utf-8")
    assert run(capsys, "message", "import", str(doc), "-w", str(shop))[0] == 0
    poster = tmp_path / "poster.pdf"
    status, _, err = run(capsys, "message", "render", "Offer", "--channel", "store", "--out", str(poster),
                         "-w", str(shop))
    assert status != 0 and not poster.exists()
    assert err.strip().endswith("The poster's text does not fit one page: shorten the offer.")


def test_a_business_name_as_long_as_allowed_stays_in_the_posters_brand_band(shop, capsys, tmp_path):
    """A 300-character name beside the logo ran into the top margin and under the rule below the band."""
    import pypdfium2
    from PIL import Image

    name = ("The Old Corner Bakery and Coffee House of Springfield " * 6)[:300].strip()
    Image.new("RGB", (300, 120), (200, 30, 30)).save(tmp_path / "logo.png")
    assert run(capsys, "brand", "set", "logo", str(tmp_path / "logo.png"), "-w", str(shop))[0] == 0
    assert run(capsys, "brand", "set", "name", name, "-w", str(shop))[0] == 0
    doc = tmp_path / "name.json"
    doc.write_text(json.dumps({"name": "Name", "message": MASTER}), encoding="utf-8")
    assert run(capsys, "message", "import", str(doc), "-w", str(shop))[0] == 0
    poster = tmp_path / "poster.pdf"
    assert run(capsys, "message", "render", "Name", "--channel", "store", "--out", str(poster), "--page", "A4",
               "-w", str(shop))[0] == 0
    page = pypdfium2.PdfDocument(str(poster))[0].get_textpage()
    text = page.get_text_range()
    start = text.index("The Old")
    boxes, at, wanted = [], start, name.replace(" ", "")
    while len(boxes) < len(wanted):  # the name's characters, line breaks and spaces aside
        if text[at].strip():
            boxes.append(page.get_charbox(at))
        at += 1
    assert "".join(ch for ch in text[start:at] if ch.strip()) == wanted  # the whole name, uncut
    top = 841.89 - 40  # A4, under the margin; the band is 70 points tall, the rule 14 below it
    assert all(top - 70 <= bottom and t <= top for _, bottom, _, t in boxes)



def test_rendering_a_poster_with_cjk_text_warns_it_relies_on_the_readers_fonts(shop, capsys, tmp_path):
    """Chinese and Japanese came out blank in the app's preview: their fonts are named in the PDF, not
    carried in it, and nothing said so."""
    warning = "omnidesk: warning: The poster's Chinese, Japanese or Korean text uses fonts the PDF names"
    doc = tmp_path / "cjk.json"
    doc.write_text(json.dumps({"name": "Cjk", "message": MASTER, "variants": {"store": {
        "headline": "春季大促销 スプリングセール", "offer": "20% OFF", "cta": "Shop now",
        "link": "https://shop.example.com/a"}}}), encoding="utf-8")
    assert run(capsys, "message", "import", str(doc), "-w", str(shop))[0] == 0
    poster = tmp_path / "poster.pdf"
    status, out, err = run(capsys, "message", "render", "Cjk", "--channel", "store", "--out", str(poster),
                           "-w", str(shop))
    assert status == 0 and "Wrote the poster" in out and warning in err
    assert b"HeiseiKakuGo-W5" in poster.read_bytes()  # the font the warning is about, named
    doc.write_text(json.dumps({"name": "Latin", "message": MASTER}), encoding="utf-8")
    assert run(capsys, "message", "import", str(doc), "-w", str(shop))[0] == 0
    status, _, err = run(capsys, "message", "render", "Latin", "--channel", "store", "--out", str(poster),
                         "--force", "-w", str(shop))
    assert status == 0 and "warning" not in err


def test_a_file_that_appears_while_an_output_is_written_is_kept_without_force(shop, capsys, tmp_path,
                                                                              monkeypatch):
    # `report --pdf`, `message render --out` and `message export-json` checked OUT at the start,
    # then put the file in place over whatever had appeared there meanwhile, --force or not.
    from omnidesk.core.exporting import outfiles

    doc = tmp_path / "launch.json"
    doc.write_text(json.dumps({"name": "Launch", "message": dict(MASTER, link="https://hc.example/a")}),
                   encoding="utf-8")
    assert run(capsys, "message", "import", str(doc), "-w", str(shop))[0] == 0
    real_put_in_place = outfiles.put_in_place
    appears = {}

    def someone_saves_there_first(tmp, path, *, overwrite):
        if path in appears:
            path.write_text(appears[path], encoding="utf-8")  # the user's own file, made meanwhile
        return real_put_in_place(tmp, path, overwrite=overwrite)

    monkeypatch.setattr(outfiles, "put_in_place", someone_saves_there_first)
    commands = {
        "report.pdf": ["report", "--pdf"],
        "mail.html": ["message", "render", "Launch", "--channel", "email", "--out"],
        "poster.pdf": ["message", "render", "Launch", "--channel", "store", "--out"],
        "launch-out.json": ["message", "export-json", "Launch"],
    }
    for name, command in commands.items():
        out = tmp_path / name
        appears[out] = f"my own {name}, not to be lost"
        status, _, err = run(capsys, *command, out, "-w", shop)
        assert status == 1 and f"{out} already exists" in err and len(err.strip().splitlines()) == 1, (name, err)
        assert out.read_text(encoding="utf-8") == f"my own {name}, not to be lost"
        assert not [p.name for p in tmp_path.iterdir() if p.name.endswith(".part")]  # nothing half-written left
        # With --force it is replaced, as asked.
        assert run(capsys, *command, out, "--force", "-w", shop)[0] == 0, name
        assert out.read_bytes() != f"my own {name}, not to be lost".encode()
