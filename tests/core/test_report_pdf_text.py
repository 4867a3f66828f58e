"""The printed report shows every name as it was typed: with <, > and &, in Cyrillic and in Japanese.

Each PDF is read back with PDFium, the library the app previews PDFs with: text the
report's fonts could not draw, or markup that swallowed part of a name, would not read back.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pypdfium2
import pytest
import time_machine
from sqlalchemy import insert

from omnidesk.core import metrics
from omnidesk.core.campaigns.campaign import save_campaign
from omnidesk.core.campaigns.export import export_campaign
from omnidesk.core.channels import channel_name
from omnidesk.core.errors import UserError
from omnidesk.core.messages.brand import set_brand
from omnidesk.core.messages.store import save_message
from omnidesk.core.models import Customer, ImportBatch, SourceRecord
from omnidesk.core.report_pdf import write_report_pdf
from tests.helpers import drawn_strings, pdf_text, run_cli, write_csv

NAMES = ["Fish<Chips", "Smith & Sons <Ltd>", "さくら商店", "Магазин Анна"]
PERIOD = metrics.Period(date(2026, 1, 1), date(2026, 1, 31))


_text = pdf_text


def _words(text: str) -> str:
    """``text`` with its line breaks (where a table cell wrapped) read as spaces."""
    return " ".join(text.split())


@pytest.mark.parametrize("name", [*NAMES, "서울 꽃집", "北京饭店们", "Ελληνικά"])
def test_the_business_name_prints_as_typed(ws, tmp_path, name):
    ws.set_setting("business_name", name)
    out = write_report_pdf(ws, tmp_path / "report.pdf", PERIOD, today=date(2026, 2, 1))
    text = _text(out)
    assert f"{name}: the whole picture" in text
    assert "Period: 2026-01-01 to 2026-01-31. Made 2026-02-01 by Omnidesk." in text


@pytest.mark.parametrize("name", NAMES)
@time_machine.travel(datetime(2026, 2, 2, 3, 0, tzinfo=UTC), tick=False)  # 1 February, 22:00 in New York
def test_report_pdf_on_the_command_line_prints_the_business_name_as_typed(make_workspace, capsys, tmp_path, name):
    ws = make_workspace(timezone="America/New_York")
    path = ws.path
    ws.close()
    assert run_cli(capsys, "settings", "business_name", name, "-w", path)[0] == 0
    status, _, err = run_cli(capsys, "report", "--pdf", tmp_path / "report.pdf", "-w", path)
    assert status == 0, err
    text = _text(tmp_path / "report.pdf")
    assert f"{name}: the whole picture" in text
    assert "Made 2026-02-01 by Omnidesk." in text  # the shop's day, not the machine's


NOW = datetime(2026, 2, 20, 12, 0, tzinfo=UTC)
CAMPAIGN = "Fish & Chips <Friday> さくら"
CHANNEL = "Ярмарка <pop-up>"  # a channel the shop named itself, as its label reads


def _shop_with_a_campaign(ws, tmp_path, campaign: str = CAMPAIGN):
    """Three customers who said yes to email, one of them met on a channel of the shop's own, and a
    campaign to them all exported: its results are in the report."""
    with ws.writing() as conn:
        batch = conn.execute(insert(ImportBatch.__table__).values(
            file_name="people.csv", file_hash="x", channel="shop", kind="contacts", status="done",
            header_json="[]", mapping_json="[]", options_json="{}")).inserted_primary_key[0]
        for cid in (1, 2, 3):
            channels = "shop ярмарка_<pop-up>" if cid == 1 else "shop"
            conn.execute(insert(Customer.__table__).values(id=cid, display_name=f"P{cid}", email=f"p{cid}@example.com",
                                                           consent_email="granted", channels=channels))
            conn.execute(insert(SourceRecord.__table__).values(
                id=cid, batch_id=batch, record_no=cid, channel="shop", kind="contacts", row_hash=f"h{cid}",
                raw_json="[]", customer_id=cid))
    set_brand(ws, "address", "1 Market Street, Springfield")
    save_message(ws, "Sale", {"headline": "Sale", "link": "https://hc.example/a"})
    save_campaign(ws, campaign, message="Sale", steps=[{"channel": "email", "at": "2026-03-01T10:00",
                                                         "timezone": "UTC"}])
    export_campaign(ws, campaign, tmp_path / "packs", now=NOW)


def test_campaign_and_channel_names_print_as_typed_in_their_columns(make_workspace, tmp_path):
    ws = make_workspace(timezone="UTC")
    _shop_with_a_campaign(ws, tmp_path)
    assert channel_name("ярмарка_<pop-up>") == CHANNEL
    with time_machine.travel(datetime(2026, 3, 20, 12, 0, tzinfo=UTC), tick=False):
        text = _words(_text(write_report_pdf(ws, tmp_path / "report.pdf", today=date(2026, 3, 20))))
    assert f"{CAMPAIGN}, 1 Mar 2026 10:00 Email 3" in text  # the name, then its channel and recipients
    assert f"{CHANNEL} 1" in text  # reach: the channel and its one customer
    assert f"{CHANNEL} + Shop 1" in text or f"Shop + {CHANNEL} 1" in text  # overlap


def test_text_the_pdf_cannot_lay_out_is_a_plain_error_and_leaves_no_file(ws, tmp_path, monkeypatch):
    from omnidesk.core import report_pdf

    # Were a name to reach the PDF's markup unescaped, the user hears why, not a traceback.
    monkeypatch.setattr(report_pdf, "markup", lambda text: text)
    ws.set_setting("business_name", "Fish<Chips")
    with pytest.raises(UserError, match="Could not set the report as a PDF"):
        write_report_pdf(ws, tmp_path / "report.pdf", PERIOD, today=date(2026, 2, 1))
    assert not list(tmp_path.glob("*.partial")) and not (tmp_path / "report.pdf").exists()


def test_each_run_of_chinese_japanese_or_korean_gets_a_font_that_has_it():
    from omnidesk.core.pdf_text import JAPANESE, KOREAN, SIMPLIFIED_CHINESE, markup, runs

    assert runs("Shop 北京饭店们 서울 さくら商店") == [
        (None, "Shop "), (SIMPLIFIED_CHINESE, "北京饭店们"), (None, " "), (KOREAN, "서울"), (None, " "),
        (JAPANESE, "さくら商店")]
    assert markup("<b>さくら&") == f'&lt;b&gt;<font name="{JAPANESE}">さくら</font>&amp;'


def _left_of(path, words: str) -> float | None:
    """Where on page 1 the first ``words`` begin, in points from the left edge (None: not there)."""
    pdf = pypdfium2.PdfDocument(str(path))
    try:
        page = pdf[0].get_textpage()
        searcher = page.search(words)
        found = searcher.get_next()
        if found is None:
            return None
        return page.get_charbox(found[0])[0]
    finally:
        pdf.close()


def test_a_long_channel_name_stays_on_the_page_in_the_reach_chart(ws, tmp_path):
    """A shop's own channel with a long name: the chart's labels make room for it (and shorten one
    longer than half the page), instead of running into the margin."""
    long_code, longer_code = "google_business_profile_reviews", "saturday_farmers_market_stall_" + "x" * 60
    with ws.writing() as conn:
        batch = conn.execute(insert(ImportBatch.__table__).values(
            file_name="people.csv", file_hash="x", channel="shop", kind="contacts", status="done",
            header_json="[]", mapping_json="[]", options_json="{}")).inserted_primary_key[0]
        for cid, channels in ((1, f"shop {long_code}"), (2, f"shop {longer_code}"), (3, "shop")):
            conn.execute(insert(Customer.__table__).values(id=cid, display_name=f"P{cid}", channels=channels))
            conn.execute(insert(SourceRecord.__table__).values(
                id=cid, batch_id=batch, record_no=cid, channel="shop", kind="contacts", row_hash=f"h{cid}",
                raw_json="[]", customer_id=cid))
    pdf = write_report_pdf(ws, tmp_path / "report.pdf", today=date(2026, 3, 20))
    margin = _left_of(pdf, "Reach per channel")
    label = channel_name(long_code)
    at = _left_of(pdf, label)
    assert margin is not None and at is not None
    assert at >= margin - 1, (at, margin)  # the chart's label, the first time the name appears
    text = _words(_text(pdf))
    assert channel_name(longer_code)[:30] + "" in text  # whole in the table
    assert "…" in text  # shortened in the chart


def test_hebrew_and_arabic_names_print_right_to_left_with_arabic_joined(make_workspace, capsys, tmp_path,
                                                                         monkeypatch):
    """A Hebrew business or market-stall channel and an Arabic campaign came out letter by letter
    in the order typed: backwards on paper, the Arabic unjoined."""
    import arabic_reshaper
    from bidi import get_display

    from omnidesk.core.workspace import Workspace

    ws = make_workspace(timezone="UTC")
    _shop_with_a_campaign(ws, tmp_path, "تخفيضات الربيع")
    shop = ws.path
    ws.close()
    people = write_csv(tmp_path / "people.csv", ["name", "email", "signed_up"],
                       [["דוד כהן", "david@example.com", "2026-01-05"], ["فاطمة الزهراء", "f@example.com", "2026-01-07"]])
    assert run_cli(capsys, "import", people, "--channel", "שוק האיכרים", "-w", shop)[0] == 0
    assert run_cli(capsys, "settings", "business_name", "מאפיית השכונה", "-w", shop)[0] == 0
    ws = Workspace.open(shop)
    try:
        drawn = drawn_strings(monkeypatch)
        with time_machine.travel(datetime(2026, 3, 20, 12, 0, tzinfo=UTC), tick=False):
            write_report_pdf(ws, tmp_path / "report.pdf", today=date(2026, 3, 20))
    finally:
        ws.close()
    # The report's own sentence reads left to right, the name in it right to left.
    assert "הנוכשה תייפאמ: the whole picture" in drawn
    assert "םירכיאה קוש" in drawn  # the channel, in its chart and its tables
    # The campaign's cell wraps after "1 Mar": the name joined and right to left, then its step's day
    # left to right, as the report words it (an invisible left-to-right mark ends the name's run).
    line = get_display(arabic_reshaper.reshape("تخفيضات الربيع") + "\u200e, 1 Mar", base_dir="L")
    assert line == "ﻊﻴﺑﺮﻟﺍ ﺕﺎﻀﻴﻔﺨﺗ\u200e, 1 Mar" and line in drawn
    assert not any("تخفيضات" in text or "מאפיית" in text for text in drawn)  # nothing in the order typed
