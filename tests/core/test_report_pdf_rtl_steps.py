"""A campaign step in the printed report reads as the report words it, "<name>, <day and time>", left to
right, a Hebrew name a right-to-left run of its own in it with its own number.

The cell took its direction from its first letter: a Hebrew name made the whole line right to left,
so "מבצע חורף 2026, 15 Nov 2026 10:00" came out as "15 ,2026 <the name>" over "Nov 2026 10:00", the
day cut from its month and the name's number beside it.  The page is read back with PDFium, each
line's characters in the order they stand on paper, left to right.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pypdfium2
import time_machine

from tests.helpers import machine_in_zone, run_cli, write_csv

los_angeles = machine_in_zone("America/Los_Angeles")  # the computer's zone is not the shop's

WINTER = "מבצע חורף 2026"
PLANS = ((WINTER, "2026-11-15T10:00"), ("Autumn sale", "2026-11-12T09:00"))


def _ok(capsys, *argv) -> str:
    status, out, err = run_cli(capsys, *argv)
    assert status == 0, err
    return out


def _lines(path) -> list[str]:
    """Each line of every page as it stands on paper: its characters by where they are drawn, left to
    right, those of one row of a table together; spaces and invisible marks left out."""
    pdf = pypdfium2.PdfDocument(str(path))
    try:
        lines = []
        for page in pdf:
            text = page.get_textpage()
            drawn = []
            for i in range(text.count_chars()):
                ch = text.get_text_range(i, 1)
                left, bottom, right, top = text.get_charbox(i, loose=True)  # the line's height, each letter
                if ch.strip() and ch != "\u200e" and right > left:
                    drawn.append(((bottom + top) / 2, left, ch))
            rows: list[list] = []
            for middle, left, ch in sorted(drawn, key=lambda d: -d[0]):
                if rows and abs(rows[-1][0] - middle) < 2:
                    rows[-1][1].append((left, ch))
                else:
                    rows.append([middle, [(left, ch)]])
            lines += ["".join(ch for _left, ch in sorted(chars)) for _middle, chars in rows]
        return lines
    finally:
        pdf.close()


def test_a_hebrew_campaign_reads_right_to_left_before_its_step_time(tmp_path, capsys):
    ws = str(tmp_path / "shop.omnidesk")
    people = write_csv(tmp_path / "people.csv", ["Email", "Name", "Email consent", "Signed up"],
                       [["david@example.com", "דוד כהן", "yes", "2026-11-01"],
                        ["ann@example.com", "Ann Lee", "yes", "2026-11-02"]])
    with time_machine.travel(datetime(2026, 11, 10, 12, tzinfo=UTC), tick=False):
        _ok(capsys, "import", people, "--channel", "שוק האיכרים", "-w", ws)
        _ok(capsys, "settings", "timezone", "Asia/Jerusalem", "-w", ws)
        _ok(capsys, "brand", "set", "address", "1 Market Street, Springfield", "-w", ws)
        for name, at in PLANS:
            plan = {"name": name, "audience": "everyone", "mode": "each_channel",
                    "message": {"headline": "Sale", "body": "Hi.", "link": "https://example.com/sale"},
                    "steps": [{"channel": "email", "at": at, "timezone": "Asia/Jerusalem"}]}
            (tmp_path / "plan.json").write_text(json.dumps(plan, ensure_ascii=False), encoding="utf-8")
            _ok(capsys, "campaign", "import", tmp_path / "plan.json", "-w", ws)
            _ok(capsys, "campaign", "export", name, "--out", tmp_path / "packs", "-w", ws)
    with time_machine.travel(datetime(2026, 12, 7, 12, tzinfo=UTC), tick=False):
        _ok(capsys, "report", "--pdf", tmp_path / "report.pdf", "-w", ws)
    lines = _lines(tmp_path / "report.pdf")
    (winter,) = [line for line in lines if "ףרוח" in line]
    # On paper: the name's number, the name right to left, then its step's day, left to right.
    assert winter.startswith("2026ףרוחעצבמ,15Email"), winter
    assert any(line.startswith("Nov202610:00") for line in lines), lines
    # A Latin name's step is as it was.
    assert any(line.startswith("Autumnsale,12NovEmail") for line in lines), lines
    # The channel, alone in its cell, right to left as before.
    assert any(line.startswith("םירכיאהקוש2") for line in lines), lines
