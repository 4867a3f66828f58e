"""Text pasted in decomposed Unicode (a letter and its accents apart, as macOS gives it) prints on
the poster and in the report as the composed letters the fonts draw, not as accents piled up."""

from __future__ import annotations

import json
import unicodedata

from tests.helpers import EMAIL_ANN, cli_shop_fixtures, drawn_strings, run_cli

shop_template, shop = cli_shop_fixtures(EMAIL_ANN, ["brand", "set", "address", "12 Quay St, Portland"])

NAME = "Phở Nguyễn"
HEADLINE = "Giảm giá mùa xuân — Bưởi"
CTA = "Quét mã"


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


def _no_marks_apart(drawn: list[str]) -> bool:
    return not any(unicodedata.combining(ch) for text in drawn for ch in text)


def test_the_poster_and_the_report_print_decomposed_text_composed(shop, capsys, tmp_path, monkeypatch):
    assert nfd(NAME) != NAME and nfd(HEADLINE) != HEADLINE
    assert run_cli(capsys, "brand", "set", "name", nfd(NAME), "-w", shop)[0] == 0
    assert run_cli(capsys, "settings", "business_name", nfd(NAME), "-w", shop)[0] == 0
    doc = {"name": "vn", "message": {"headline": nfd(HEADLINE), "body": "x", "cta": nfd(CTA),
                                     "link": "https://shop.example.com/vn"}}
    (tmp_path / "vn.json").write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    assert run_cli(capsys, "message", "import", tmp_path / "vn.json", "-w", shop)[0] == 0

    drawn = drawn_strings(monkeypatch)
    status, _, err = run_cli(capsys, "message", "render", "vn", "--channel", "store", "--out",
                             tmp_path / "poster.pdf", "-w", shop)
    assert status == 0 and err == ""
    poster = " ".join(drawn)
    assert _no_marks_apart(drawn)
    assert NAME in poster and CTA in poster and all(word in poster for word in HEADLINE.split())

    drawn.clear()
    status, _, err = run_cli(capsys, "report", "--pdf", tmp_path / "report.pdf", "-w", shop)
    assert status == 0 and err == ""
    assert _no_marks_apart(drawn)
    assert f"{NAME}: the whole picture" in " ".join(drawn)


def test_the_poster_check_reads_decomposed_text_as_it_prints():
    from omnidesk.core.messages.poster import poster_problem, unprintable_characters

    # Composed, the poster's fonts have every letter, and the fit is the composed text's.
    assert unprintable_characters(nfd(HEADLINE), nfd(NAME)) == []
    long = "Phở " * 40
    assert poster_problem(headline=nfd(long), business_name=nfd(NAME)) == \
        poster_problem(headline=long, business_name=NAME)
