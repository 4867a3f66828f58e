"""Each section heading of the printed report stands on the page where its table (or its "Nothing
yet.") begins: never alone at the foot of a page, its table starting on the next.

A shop of sixteen customers, half of them met at its market stall too (two overlap rows), and a campaign
to them, imported and exported through the command line; the report is printed for periods of
one to twelve weeks, each a row of the activity table, so the headings after it move down
the first page and past its foot.  Each PDF is read back page by page with PDFium.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import pypdfium2
import time_machine

from tests.helpers import machine_in_zone, run_cli, write_csv

new_york = machine_in_zone("America/New_York")

START = date(2026, 3, 2)  # a Monday: the period's first week, when everyone signed up
HEADINGS = ("Reach per channel", "Channel overlap (each customer once)", "Journeys to the first purchase",
            "Activity per week (every channel)", "Campaign results, whatever the period", "Data health")
CAMPAIGN = "Campaign results, whatever the period"
PLAN = {"name": "Spring sale", "audience": "everyone", "mode": "each_channel",
        "message": {"headline": "Sale", "body": "Hi.", "link": "https://example.com/spring"},
        "steps": [{"channel": "email", "at": "2026-03-02T10:00", "timezone": "America/New_York"}]}


def _ok(capsys, *argv) -> str:
    status, out, err = run_cli(capsys, *argv)
    assert status == 0, err
    return out


def _shop(tmp_path, capsys) -> str:
    ws = str(tmp_path / "shop.omnidesk")
    people = [[f"p{i}@example.com", f"P{i}", "yes", START.isoformat()] for i in range(16)]
    with time_machine.travel(datetime(2026, 2, 20, 15, tzinfo=UTC), tick=False):
        _ok(capsys, "import", write_csv(tmp_path / "people.csv", ["Email", "First name", "Email consent", "Signed up"],
                                        people), "-w", ws)
        for bit, name in enumerate(("Market stall",)):
            stall = [[f"p{i}@example.com", f"P{i}"] for i in range(16) if i >> bit & 1]
            _ok(capsys, "import", write_csv(tmp_path / f"stall{bit}.csv", ["Email", "First name"], stall),
                "--channel", name, "-w", ws)
        _ok(capsys, "settings", "timezone", "America/New_York", "-w", ws)
        _ok(capsys, "brand", "set", "address", "1 Market Street, Springfield", "-w", ws)
        (tmp_path / "plan.json").write_text(json.dumps(PLAN), encoding="utf-8")
        _ok(capsys, "campaign", "import", tmp_path / "plan.json", "-w", ws)
        _ok(capsys, "campaign", "export", "Spring sale", "--out", tmp_path / "packs", "-w", ws)
    return ws


def _pages(path) -> list[list[str]]:
    """Each page's lines of text, blank ones left out."""
    pdf = pypdfium2.PdfDocument(str(path))
    try:
        return [[line.strip() for line in pdf[i].get_textpage().get_text_range().splitlines() if line.strip()]
                for i in range(len(pdf))]
    finally:
        pdf.close()


def test_no_heading_is_left_at_the_foot_of_a_page_without_its_table(tmp_path, capsys):
    ws = _shop(tmp_path, capsys)
    campaign_pages = set()
    with time_machine.travel(datetime(2026, 12, 6, 15, tzinfo=UTC), tick=False):
        for weeks in range(1, 13):
            out = tmp_path / f"report-{weeks}.pdf"
            end = START + timedelta(days=7 * weeks - 1)
            _ok(capsys, "report", "--from", START.isoformat(), "--to", end.isoformat(), "--pdf", out, "-w", ws)
            pages = _pages(out)
            for heading in HEADINGS:
                (page,) = [n for n, lines in enumerate(pages) if heading in lines]
                lines = pages[page]
                after = lines[lines.index(heading) + 1:]
                # What the heading heads follows it on its page: its table's header row, or "Nothing yet."
                assert after, f"{weeks} weeks: {heading!r} is the last line of page {page + 1}"
                if heading == CAMPAIGN:
                    assert after[0].startswith("Campaign Channel Sent Orders"), (weeks, after[:2])
                    campaign_pages.add(page)
    # The periods took the campaign results from the first page to the second: past the foot of a page.
    assert campaign_pages == {0, 1}


def test_a_report_that_fills_its_page_ends_there_with_no_blank_page(tmp_path, capsys):
    """Two customers and nothing dated: the report fills one page to its foot, and the space after
    its last table started a second page with nothing on it.  Its reach chart counted them in
    halves (0, 0.5, 1, 1.5, 2)."""
    ws = str(tmp_path / "bp.omnidesk")
    people = write_csv(tmp_path / "list.csv", ["Email Address", "First Name", "Last Name"],
                       [["ann@example.com", "Ann", "Lee"], ["bob@example.com", "Bob", "Ray"]])
    with time_machine.travel(datetime(2026, 12, 7, 12, tzinfo=UTC), tick=False):
        _ok(capsys, "-w", ws, "import", str(people), "--channel", "email")
        _ok(capsys, "-w", ws, "report", "--pdf", str(tmp_path / "bp.pdf"), "--page", "Letter")
    pdf = pypdfium2.PdfDocument(str(tmp_path / "bp.pdf"))
    try:
        texts = [pdf[i].get_textpage().get_text_range().strip() for i in range(len(pdf))]
    finally:
        pdf.close()
    assert all(texts), [len(t) for t in texts]
    assert "Data health" in texts[-1]
    # The reach chart's axis counts customers whole.
    assert "0.5" not in texts[0] and "1.5" not in texts[0]


def _first(page, words: str) -> tuple[float, float]:
    """Where ``words`` (as a whole word, in its case) first stand on ``page``: the left and the foot of
    its first letter, in points."""
    text = page.get_textpage()
    found = text.search(words, match_case=True, match_whole_word=True).get_next()
    assert found is not None, words
    left, bottom, _right, _top = text.get_charbox(found[0])
    return left, bottom


def test_the_reach_table_follows_its_sentence_with_no_empty_heading_between(tmp_path, capsys):
    """The table of the reach chart's numbers had a heading of its own with no words in it: a heading's
    space of blank paper between the chart's sentence and its table, as if a title were missing."""
    ws = _shop(tmp_path, capsys)
    with time_machine.travel(datetime(2026, 12, 6, 15, tzinfo=UTC), tick=False):
        _ok(capsys, "report", "--pdf", tmp_path / "report.pdf", "-w", ws)
    pdf = pypdfium2.PdfDocument(str(tmp_path / "report.pdf"))
    try:
        page = pdf[0]
        lines = [line.strip() for line in page.get_textpage().get_text_range().splitlines() if line.strip()]
        # Nothing between the sentence under the chart and the table's header row.
        sentence_end = next(n for n, line in enumerate(lines) if line.endswith("quiet hours and hold-out)."))
        assert lines[sentence_end + 1] == "Channel Customers", lines[sentence_end - 2:sentence_end + 3]
        # Nor any blank paper a heading would take: the header row stands less than two of the
        # sentence's lines below its last line.
        _, before_last = _first(page, "many")
        _, last = _first(page, "hold-out")
        _, header = _first(page, "Channel")
        pitch = before_last - last
        assert 0 < last - header < 2 * pitch, (last - header, pitch)
    finally:
        pdf.close()
