"""The report and the poster print on the shop's paper: US Letter where the workspace's region uses
it (the US, Canada, Mexico...), A4 elsewhere; a command's --page still names the paper."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pypdfium2
import pytest
import time_machine

from tests.helpers import run_cli

A4, LETTER = (595, 842), (612, 792)
LINK = "https://shop.example.com/s?utm_source=poster&utm_medium=print&utm_campaign=sale"


def _size(path) -> tuple[int, int]:
    pdf = pypdfium2.PdfDocument(str(path))
    try:
        return tuple(round(v) for v in pdf[0].get_size())
    finally:
        pdf.close()


@pytest.fixture
def shop(make_workspace, capsys, tmp_path):
    ws = make_workspace(timezone="America/New_York")
    path = ws.path
    ws.close()
    doc = {"name": "sale", "message": {"headline": "Spring sale", "body": "x", "cta": "Scan", "link": LINK}}
    (tmp_path / "m.json").write_text(json.dumps(doc), encoding="utf-8")
    assert run_cli(capsys, "message", "import", tmp_path / "m.json", "-w", path)[0] == 0
    plan = {"name": "Sale", "message": "sale", "audience": "everyone", "mode": "each_channel",
            "steps": [{"channel": "store", "at": "2030-03-01T09:00", "timezone": "America/New_York"}]}
    (tmp_path / "plan.json").write_text(json.dumps(plan), encoding="utf-8")
    assert run_cli(capsys, "campaign", "import", tmp_path / "plan.json", "-w", path)[0] == 0
    return path


@pytest.mark.parametrize(("region", "paper"), [("US", LETTER), ("ca", LETTER), ("MX", LETTER), ("PH", LETTER),
                                               ("GB", A4), ("DE", A4), ("IN", A4)])
@time_machine.travel(datetime(2027, 1, 15, 12, 0, tzinfo=UTC), tick=False)
def test_the_report_and_the_poster_print_on_the_shops_paper(shop, capsys, tmp_path, region, paper):
    assert run_cli(capsys, "settings", "default_region", region, "-w", shop)[0] == 0
    status, _, err = run_cli(capsys, "report", "--pdf", tmp_path / "report.pdf", "-w", shop)
    assert status == 0, err
    status, _, err = run_cli(capsys, "message", "render", "sale", "--channel", "store", "--out",
                             tmp_path / "poster.pdf", "-w", shop)
    assert status == 0, err
    status, _, err = run_cli(capsys, "campaign", "export", "Sale", "--out", tmp_path / "pack", "-w", shop)
    assert status == 0, err
    assert _size(tmp_path / "report.pdf") == paper
    assert _size(tmp_path / "poster.pdf") == paper
    assert _size(next((tmp_path / "pack").glob("*.pdf"))) == paper


@time_machine.travel(datetime(2027, 1, 15, 12, 0, tzinfo=UTC), tick=False)
def test_a_page_asked_for_wins_over_the_shops(shop, capsys, tmp_path):
    assert run_cli(capsys, "settings", "default_region", "US", "-w", shop)[0] == 0
    assert run_cli(capsys, "report", "--pdf", tmp_path / "report.pdf", "--page", "A4", "-w", shop)[0] == 0
    assert run_cli(capsys, "message", "render", "sale", "--channel", "store", "--out", tmp_path / "poster.pdf",
                   "--page", "A4", "-w", shop)[0] == 0
    assert run_cli(capsys, "campaign", "export", "Sale", "--out", tmp_path / "pack", "--page", "A4",
                   "-w", shop)[0] == 0
    assert _size(tmp_path / "report.pdf") == _size(tmp_path / "poster.pdf") == A4
    assert _size(next((tmp_path / "pack").glob("*.pdf"))) == A4
