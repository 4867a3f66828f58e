"""Names in a script none of the report's fonts has (Devanagari, Thai, emoji) print as "?", never
as empty boxes, and the command that writes the report says which characters, as the poster's check does."""

from __future__ import annotations

from datetime import UTC, datetime

import time_machine

from tests.helpers import pdf_text, run_cli, write_csv

BUSINESS = "शर्मा जनरल स्टोर 🌰"
CHANNEL = "ตลาดนัดสวนจตุจักร"


_text = pdf_text


@time_machine.travel(datetime(2026, 2, 2, 15, 0, tzinfo=UTC), tick=False)
def test_names_no_font_has_print_as_question_marks_and_are_warned_of(make_workspace, capsys, tmp_path):
    ws = make_workspace(timezone="UTC")
    path = ws.path
    ws.close()
    csv = write_csv(tmp_path / "th.csv", ["name", "email"], [["สมชาย ใจดี", "th1@example.org"],
                                                             ["Ann Lee", "ann@example.org"]])
    assert run_cli(capsys, "import", csv, "--channel", CHANNEL, "-w", path)[0] == 0
    assert run_cli(capsys, "settings", "business_name", BUSINESS, "-w", path)[0] == 0
    status, _, err = run_cli(capsys, "report", "--pdf", tmp_path / "report.pdf", "-w", path)
    assert status == 0, err
    text = _text(tmp_path / "report.pdf")
    # One "?" a character, where reportlab drew an empty box the text layer did not even keep.
    assert "????? ???? ????? ?: the whole picture" in text
    assert "?" * len(CHANNEL) in text
    assert not any(ch in text for ch in BUSINESS + CHANNEL if not ch.isspace())
    assert err.startswith("omnidesk: warning: ")
    assert "श" in err and "ต" in err and "cannot be printed" in err and "“?”" in err
    assert f"“{BUSINESS}”" in err and f"“{CHANNEL}”" in err


@time_machine.travel(datetime(2026, 2, 2, 15, 0, tzinfo=UTC), tick=False)
def test_names_the_fonts_have_are_not_warned_of(make_workspace, capsys, tmp_path):
    ws = make_workspace(timezone="UTC")
    path = ws.path
    ws.close()
    assert run_cli(capsys, "settings", "business_name", "Ελληνικά & さくら ṩ", "-w", path)[0] == 0
    status, _, err = run_cli(capsys, "report", "--pdf", tmp_path / "report.pdf", "-w", path)
    assert status == 0 and err == ""
    assert "Ελληνικά & さくら " in _text(tmp_path / "report.pdf")


def test_each_name_is_named_where_its_characters_are():
    """A channel "ตลาดนัด" holding the business name "ตลาด" is named too: it has characters the
    business name lacks (น, ั), and the user must know to rename it as well; a table cell with no
    character more than the name in it is not."""
    from omnidesk.core.report_pdf import unprintable_note

    note = unprintable_note(["ตลาด", "ตลาดนัด", "Email + ตลาดนัด", "Ann Lee"])
    assert note is not None and " in “ตลาด”, “ตลาดนัด” cannot be printed" in note
