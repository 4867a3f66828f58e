"""The printed and scripted reports count every customer the Dashboard counts: no combination of
channels or journey is dropped without a row saying how many were left and whose."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime

import pypdfium2
import pytest
import time_machine

from omnidesk.core import metrics
from omnidesk.core.report_pdf import JOURNEY_ROWS, write_report_pdf
from omnidesk.core.workspace import Workspace
from tests.helpers import run_cli

NOW = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)


@pytest.fixture
def demo_file(demo_workspace_file):
    return demo_workspace_file  # read only here


@pytest.fixture
def demo(demo_file):
    ws = Workspace.open(demo_file)
    yield ws
    ws.close()


def _pdf_text(path) -> str:
    pdf = pypdfium2.PdfDocument(str(path))
    try:
        return "\n".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf)))  # a page ends a line
    finally:
        pdf.close()


def _row_numbers(section: str) -> list[int]:
    return [int(m[1].replace(",", "")) for m in re.finditer(r" ([\d,]+)\s*$", section, re.M)]


@time_machine.travel(NOW, tick=False)
def test_the_pdf_lists_every_channel_combination_and_counts_the_paths_it_leaves_out(demo, tmp_path):
    data = metrics.report(demo, journey_limit=None)
    combos, paths = data["overlap"], data["journeys"]
    customers = sum(o["customers"] for o in combos)
    assert len(combos) > 20 and len(paths) > JOURNEY_ROWS  # more than the tables once showed
    text = _pdf_text(write_report_pdf(demo, tmp_path / "report.pdf", metrics.Period(), today=date(2026, 12, 1)))
    overlap = text[text.index("Channel overlap (each customer once)"):text.index("Journeys to the first purchase")]
    counts = _row_numbers(overlap.split("Customers", 1)[1])
    assert len(counts) == len(combos) and sum(counts) == customers
    rest = paths[JOURNEY_ROWS:]
    last = f"+ {len(rest)} less common paths {sum(j['customers'] for j in rest)}"
    assert last in text


@time_machine.travel(NOW, tick=False)
def test_report_json_carries_every_journey_the_dashboard_draws_and_the_text_counts_the_rest(demo_file, demo, capsys):
    every = metrics.journeys(demo, limit=None)
    status, out, _ = run_cli(capsys, "report", "--json", "-w", demo_file)
    assert status == 0
    assert json.loads(out)["journeys"] == json.loads(json.dumps(every))
    status, out, _ = run_cli(capsys, "report", "-w", demo_file)
    rest = every[10:]
    line = next(line for line in out.splitlines() if "less common path" in line)
    assert line.split() == ["+", str(len(rest)), "less", "common", "paths", f"{sum(j['customers'] for j in rest):,}",
                            "(all", "in", "--json)"]
