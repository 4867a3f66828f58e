"""The printed report reads a journey and a channel combination left to right, as its own sentences,
whatever its channels are called: a channel with a Hebrew name is its own right-to-left run in it.
Before, a path starting on such a channel took its direction from its first letter and came out
backwards ("purchase > …"), and two such channels side by side swapped places."""

from __future__ import annotations

from datetime import UTC, datetime

import time_machine
from bidi import get_display

from tests.helpers import drawn_strings, run_cli, write_csv

MARKET = "שוק 2024 מרכז"
STALL = "חנות הכפר"


def _drawn(name: str) -> str:
    """A right-to-left name as a left-to-right line draws it: its own letters right to left."""
    return get_display(name, base_dir="L")


@time_machine.travel(datetime(2026, 3, 20, 12, 0, tzinfo=UTC), tick=False)
def test_a_journey_and_an_overlap_through_hebrew_channels_read_left_to_right(make_workspace, capsys, tmp_path,
                                                                            monkeypatch):
    ws = make_workspace(timezone="UTC")
    shop = ws.path
    ws.close()
    signed = write_csv(tmp_path / "list.csv", ["Email", "First Name", "Signed up"],
                       [["dan@example.com", "Dan", "2026-01-02"], ["eve@example.com", "Eve", "2026-01-03"]])
    orders = write_csv(tmp_path / "orders.csv", ["Email", "Name", "Order ID", "Order Date", "Total"],
                       [["dan@example.com", "Dan", "1001", "2026-02-01 10:00", "20.00"],
                        ["kim@example.com", "Kim", "1002", "2026-02-02 10:00", "30.00"]])
    assert run_cli(capsys, "import", signed, "--channel", STALL, "-w", shop)[0] == 0
    assert run_cli(capsys, "import", orders, "--channel", MARKET, "-w", shop)[0] == 0
    drawn = drawn_strings(monkeypatch)
    status, _, err = run_cli(capsys, "report", "--pdf", tmp_path / "report.pdf", "-w", shop)
    assert status == 0, err
    # Each line as drawn, left to right (PDFium's text layer puts a line it takes for Hebrew back
    # in reading order, so it cannot tell the two apart); the invisible marks aside.
    lines = [" ".join(text.replace("\u200e", "").split()) for text in drawn]
    market, stall = _drawn(MARKET), _drawn(STALL)
    assert market == "זכרמ 2024 קוש"
    # Journeys: Kim bought at the market at once, Dan signed up at the stall first.
    assert f"{market} > purchase" in lines
    assert f"{stall} > {market} > purchase" in lines
    assert not any(line.startswith("purchase >") for line in lines)
    # The overlap: the two channels in the order the report names them, each read right to left.
    assert any(line in (f"{stall} + {market}", f"{market} + {stall}") for line in lines), lines
