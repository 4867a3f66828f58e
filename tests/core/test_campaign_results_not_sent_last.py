"""Campaign results open on the steps already sent, newest first; steps exported for a time still to
come follow them, soonest first, and say they are not sent yet.

Newest first by the step's time alone put a step exported for next season on top of the list, with
nothing to show, above the results an owner opens the list for.  The text report, its JSON and its
PDF read the same list in the same order.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pypdfium2
import time_machine

from tests.helpers import machine_in_zone, run_cli, write_csv

tokyo = machine_in_zone("Asia/Tokyo")  # the computer's zone is not the shop's

PLANS = (("Old news", "2026-03-02T10:00"), ("Autumn sale", "2026-09-07T10:00"), ("Spring sale", "2026-03-09T10:00"),
         ("Summer sale", "2026-06-01T10:00"))
NOW = datetime(2026, 4, 1, 15, tzinfo=UTC)  # 1 April in New York: two steps sent, two to come
ORDER = ["Spring sale", "Old news", "Summer sale", "Autumn sale"]


def _ok(capsys, *argv) -> str:
    status, out, err = run_cli(capsys, *argv)
    assert status == 0, err
    return out


def _shop(tmp_path, capsys) -> str:
    ws = str(tmp_path / "shop.omnidesk")
    people = [[f"p{i}@example.com", f"P{i}", "yes", "2026-01-05"] for i in range(4)]
    with time_machine.travel(datetime(2026, 2, 20, 15, tzinfo=UTC), tick=False):
        _ok(capsys, "import", write_csv(tmp_path / "people.csv", ["Email", "First name", "Email consent", "Signed up"],
                                        people), "-w", ws)
        _ok(capsys, "settings", "timezone", "America/New_York", "-w", ws)
        _ok(capsys, "brand", "set", "address", "1 Market Street, Springfield", "-w", ws)
        for name, at in PLANS:
            plan = {"name": name, "audience": "everyone", "mode": "each_channel",
                    "message": {"headline": "Sale", "body": "Hi.", "link": "https://example.com/sale"},
                    "steps": [{"channel": "email", "at": at, "timezone": "America/New_York"}]}
            (tmp_path / "plan.json").write_text(json.dumps(plan), encoding="utf-8")
            _ok(capsys, "campaign", "import", tmp_path / "plan.json", "-w", ws)
            _ok(capsys, "campaign", "export", name, "--out", tmp_path / "packs", "-w", ws)
    return ws


def test_steps_sent_come_first_newest_first_then_those_to_come_soonest_first(tmp_path, capsys):
    ws = _shop(tmp_path, capsys)
    with time_machine.travel(NOW, tick=False):
        text = _ok(capsys, "report", "--pdf", tmp_path / "report.pdf", "-w", ws)
        data = json.loads(_ok(capsys, "report", "--json", "-w", ws))
    # The JSON: the same order, each step saying whether it has gone out, its fields all kept.
    assert [(c["name"], c["sent"]) for c in data["campaigns"]] == [
        ("Spring sale", True), ("Old news", True), ("Summer sale", False), ("Autumn sale", False)]
    assert [c["due"] for c in data["campaigns"]][2:] == ["2026-06-01T14:00:00Z", "2026-09-07T14:00:00Z"]
    assert all({"recipients", "orders", "revenue", "conversion", "lift"} <= set(c) for c in data["campaigns"])
    # Sent: counted figures; to come: the planned recipients, no figures (null, not 0), as the CSV leaves them.
    assert [(c["recipients"], c["orders"], c["revenue"], c["baseline_orders"]) for c in data["campaigns"]] == [
        (4, 0, 0.0, 0), (4, 0, 0.0, 0), (4, None, None, None), (4, None, None, None)]
    # The text: results first, then what is still to go out, saying so.
    lines = text.splitlines()
    first = lines.index("Campaigns (every exported step, whatever the period):") + 1
    assert lines[first:first + 4] == [
        "  Spring sale, 9 Mar 2026 10:00 — Email: 4 sent, 0 orders, 0.00 USD; no baseline",
        "  Old news, 2 Mar 2026 10:00 — Email: 4 sent, 0 orders, 0.00 USD; no baseline",
        "  Summer sale, 1 Jun 2026 10:00 — Email: 4 to send, not sent yet",
        "  Autumn sale, 7 Sep 2026 10:00 — Email: 4 to send, not sent yet"]
    # The PDF's table: the same rows in the same order, the two to come with no figures but "not sent yet".
    pdf = pypdfium2.PdfDocument(str(tmp_path / "report.pdf"))
    try:
        words = " ".join(" ".join(pdf[i].get_textpage().get_text_range().split()) for i in range(len(pdf)))
    finally:
        pdf.close()
    table = words[words.index("Campaign Channel Sent"):words.index("Data health")]
    assert [table.index(name) for name in ORDER] == sorted(table.index(name) for name in ORDER), table
    assert "Summer sale, 1 Jun 2026 10:00 Email 4 not sent yet Autumn sale" in table, table
    assert table.rstrip().endswith("Autumn sale, 7 Sep 2026 10:00 Email 4 not sent yet"), table
