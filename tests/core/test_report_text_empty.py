"""``omnidesk report`` says why a section is empty instead of printing its heading over nothing.

The campaigns say "none exported yet" and the activity "nothing in the period"; the channel
overlap and the journeys said nothing at all on a workspace without customers.  A journey begins
at a customer's first contact: with customers, but none whose journey began in the period, the
journeys say so.
"""

from __future__ import annotations

from datetime import UTC, datetime

import time_machine

from tests.helpers import machine_in_zone, run_cli, write_csv

new_york = machine_in_zone("America/New_York")

NOW = datetime(2026, 4, 10, 15, 0, tzinfo=UTC)


def _report(capsys, ws, *period) -> list[str]:
    with time_machine.travel(NOW, tick=False):
        status, out, err = run_cli(capsys, "report", "-w", ws, *period)
    assert status == 0, err
    return out.splitlines()


def _under(lines: list[str], heading: str) -> str:
    """The line after ``heading``."""
    return lines[lines.index(heading) + 1]


def _no_heading_stands_over_nothing(lines: list[str]) -> None:
    headings = [i for i, line in enumerate(lines) if not line.startswith(" ") and line.endswith(":")]
    for i in headings:
        assert i + 1 < len(lines) and lines[i + 1].startswith("  "), (lines[i], lines[i + 1:i + 2])


def test_an_empty_workspace_says_why_each_section_is_empty(make_workspace, capsys):
    ws = make_workspace(timezone="America/New_York", currency="USD")
    path = ws.path
    ws.close()
    lines = _report(capsys, path)
    assert _under(lines, "Channel overlap (each customer once, whatever the period):") == "  no customers yet"
    assert _under(lines, "Journeys (first channel onwards):") == "  no customers yet"
    assert _under(lines, "Campaigns (every exported step, whatever the period):") == "  none exported yet"
    assert _under(lines, "Activity per week (the last 8 of the period):") == "  nothing in the period"
    _no_heading_stands_over_nothing(lines)


def test_customers_whose_journeys_began_before_the_period_say_none_began_in_it(make_workspace, capsys, tmp_path):
    ws = make_workspace(timezone="America/New_York", currency="USD")
    path = ws.path
    ws.close()
    people = write_csv(tmp_path / "people.csv", ["Email", "First name", "Email consent", "Signed up"],
                       [["ann@example.com", "Ann", "yes", "2026-01-05"], ["ben@example.com", "Ben", "yes", "2026-01-06"]])
    with time_machine.travel(NOW, tick=False):
        assert run_cli(capsys, "import", people, "-w", path)[0] == 0
    lines = _report(capsys, path, "--from", "2026-03-01", "--to", "2026-03-31")
    overlap = _under(lines, "Channel overlap (each customer once, whatever the period):")
    assert overlap.split()[-1] == "2"  # the overlap counts every customer, whatever the period
    assert _under(lines, "Journeys (first channel onwards):") == "  none began in the period"
    _no_heading_stands_over_nothing(lines)
    # In January, when they signed up, their journeys are there.
    january = _report(capsys, path, "--from", "2026-01-01", "--to", "2026-01-31")
    assert _under(january, "Journeys (first channel onwards):").split()[-1] == "2"


def test_a_report_of_a_period_says_its_campaign_results_are_every_step_whatever_the_period(tmp_path, capsys):
    """A campaign of 2 March 2026, the report asked for May: the campaign results list every exported step,
    as reach and overlap count every customer, and the text and the PDF say so beside the period's figures
    rather than leave a step of March under "Period: 2026-05-01 to 2026-05-31"."""
    import pypdfium2

    from tests.core.test_report_pdf_headings import _shop

    ws = _shop(tmp_path, capsys)
    with time_machine.travel(datetime(2026, 6, 10, 15, tzinfo=UTC), tick=False):
        status, out, err = run_cli(capsys, "report", "-w", ws, "--from", "2026-05-01", "--to", "2026-05-31",
                                   "--pdf", tmp_path / "may.pdf")
    assert status == 0, err
    lines = out.splitlines()
    assert _under(lines, "Campaigns (every exported step, whatever the period):").startswith(
        "  Spring sale, 2 Mar 2026 10:00 — Email:")
    pdf = pypdfium2.PdfDocument(str(tmp_path / "may.pdf"))
    try:
        text = [line.strip() for page in pdf for line in page.get_textpage().get_text_range().splitlines()]
    finally:
        pdf.close()
    assert "Campaign results, whatever the period" in text


def _spring_sale_with_a_post(tmp_path, capsys):
    """The headings' shop with its Spring sale exported, and an Instagram post beside its email."""
    import json

    from tests.core.test_report_pdf_headings import PLAN, _ok, _shop

    ws = _shop(tmp_path, capsys)
    plan = {**PLAN, "steps": [*PLAN["steps"], {"channel": "instagram", "at": "2026-03-02T12:00",
                                                "timezone": "America/New_York"}]}
    with time_machine.travel(datetime(2026, 2, 21, 15, tzinfo=UTC), tick=False):
        (tmp_path / "plan.json").write_text(json.dumps(plan), encoding="utf-8")
        _ok(capsys, "campaign", "import", tmp_path / "plan.json", "-w", ws)
        _ok(capsys, "campaign", "export", "Spring sale", "--out", tmp_path / "packs", "--force", "-w", ws)
    return ws


def test_a_post_of_a_campaign_reaches_whoever_looks_not_zero_people(tmp_path, capsys):
    """An Instagram post beside the email: nobody is sent it, so no order is counted for it; the report says it
    reached whoever looks, in the text and the PDF, not "0 sent, 0 orders, 0.00 USD"."""
    import pypdfium2

    ws = _spring_sale_with_a_post(tmp_path, capsys)
    with time_machine.travel(datetime(2026, 6, 10, 15, tzinfo=UTC), tick=False):
        status, out, err = run_cli(capsys, "report", "-w", ws, "--pdf", tmp_path / "all.pdf")
    assert status == 0, err
    (post,) = [line for line in out.splitlines() if "— Instagram:" in line]
    assert post == ("  Spring sale, 2 Mar 2026 12:00 — Instagram: seen by whoever looks, sent to nobody: "
                    "no orders counted")
    pdf = pypdfium2.PdfDocument(str(tmp_path / "all.pdf"))
    try:
        text = [line.strip() for page in pdf for line in page.get_textpage().get_text_range().splitlines()]
    finally:
        pdf.close()
    assert "Instagram anyone not counted" in text, [t for t in text if "Instagram" in t]


def test_a_post_of_a_campaign_has_null_results_in_the_json_not_zeros(tmp_path, capsys):
    """The JSON says of an Instagram post what the text says: nothing counted (null, "counted": false), not 0
    recipients and 0 orders as if it had reached nobody; the email beside it keeps its figures."""
    import json

    ws = _spring_sale_with_a_post(tmp_path, capsys)
    with time_machine.travel(datetime(2026, 6, 10, 15, tzinfo=UTC), tick=False):
        status, out, err = run_cli(capsys, "report", "-w", ws, "--json")
    assert status == 0, err
    steps = json.loads(out)["campaigns"]
    (post,) = [c for c in steps if c["channel"] == "instagram"]
    assert post["counted"] is False and post["sent"] is True
    assert {k: post[k] for k in ("recipients", "orders", "revenue", "conversion", "baseline_customers",
                                 "baseline_orders", "baseline_revenue", "lift")} == dict.fromkeys(
        ("recipients", "orders", "revenue", "conversion", "baseline_customers", "baseline_orders",
         "baseline_revenue", "lift"))
    email = [c for c in steps if c["channel"] == "email"]
    assert email and all(c["counted"] is True and isinstance(c["recipients"], int) for c in email)


def test_an_empty_workspace_says_in_the_pdf_there_is_no_reach_to_show(make_workspace, capsys, tmp_path):
    """The PDF's reach per channel, with no customer yet, says so on one line under its heading, as the other
    empty sections say "Nothing yet.": no empty space where a chart and a table would be."""
    import pypdfium2

    ws = make_workspace(timezone="America/New_York", currency="USD")
    path = ws.path
    ws.close()
    with time_machine.travel(NOW, tick=False):
        status, _out, err = run_cli(capsys, "report", "-w", path, "--pdf", tmp_path / "empty.pdf")
    assert status == 0, err
    pdf = pypdfium2.PdfDocument(str(tmp_path / "empty.pdf"))
    try:
        page = pdf[0].get_textpage()
        lines = [line.strip() for line in page.get_text_range().splitlines() if line.strip()]

        def top(words: str) -> float:
            found = page.search(words).get_next()
            assert found, words
            return page.get_charbox(found[0])[3]

        reach, no_reach = top("Reach per channel"), top("No customers yet")
        overlap, no_overlap = top("Channel overlap"), top("Nothing yet.")
    finally:
        pdf.close()
    under = lines[lines.index("Reach per channel") + 1:lines.index("Channel overlap (each customer once)")]
    assert under == ["No customers yet: nothing to show on any channel."], under
    # The line sits under its heading as the overlap's "Nothing yet." sits under its own: no gap between.
    assert abs((reach - no_reach) - (overlap - no_overlap)) < 1, (reach, no_reach, overlap, no_overlap)
