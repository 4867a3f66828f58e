"""The Dashboard's days are the shop's: an order at 23:30 on the last day of a period is in it.

Shopify writes each order's time with its offset; the workspace keeps the instant in
UTC, where an evening in New York is already tomorrow (and a morning in Tokyo still
yesterday).  The period and the weeks are read on the shop's clock all the same.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest

from omnidesk.core import metrics
from omnidesk.core.importing.pipeline import import_file
from tests.core.test_money import order, shopify_orders
from tests.helpers import run_cli, write_csv

Q1 = metrics.Period(date(2026, 1, 1), date(2026, 3, 31))
Q2 = metrics.Period(date(2026, 4, 1), date(2026, 6, 30))

# zone, then each order: (name, local time with the shop's offset, total, status, the local ISO week)
SHOPS = {
    "America/New_York": [
        ("#1001", "2026-03-29 22:00:00 -0400", "20.00", "paid", "2026-W13"),  # Sunday night: Monday in UTC
        ("#1002", "2026-03-31 23:30:00 -0400", "40.00", "paid", "2026-W14"),  # last evening of March
        ("#1003", "2026-03-31 23:45:00 -0400", "90.00", "refunded", "2026-W14"),
        ("#1004", "2026-04-01 00:30:00 -0400", "10.00", "paid", "2026-W14"),
    ],
    "Asia/Tokyo": [
        ("#1001", "2026-03-30 08:00:00 +0900", "20.00", "paid", "2026-W14"),  # Monday morning: Sunday in UTC
        ("#1002", "2026-03-31 23:30:00 +0900", "40.00", "paid", "2026-W14"),
        ("#1003", "2026-04-01 07:45:00 +0900", "90.00", "refunded", "2026-W14"),
        ("#1004", "2026-04-01 08:30:00 +0900", "10.00", "paid", "2026-W14"),  # April: still March in UTC
    ],
}


def _in(period: metrics.Period, created: str) -> bool:
    return period.start.isoformat() <= created[:10] <= period.end.isoformat()


@pytest.mark.parametrize("zone", SHOPS)
def test_periods_and_weeks_follow_the_shops_clock(make_workspace, tmp_path, capsys, zone):
    ws = make_workspace(timezone=zone)
    orders = SHOPS[zone]
    import_file(ws, shopify_orders(tmp_path / "orders_export.csv", [
        order(name, f"buyer{name[1:]}@example.com", total, status=status, created=created, billing_name=f"B {name}")
        for name, created, total, status, _week in orders]))  # each order a customer of its own, first seen then
    for period in (Q1, Q2, metrics.Period()):
        mine = [o for o in orders if period.start is None or _in(period, o[1])]
        rows = metrics.activity(ws, period)
        assert sum(r["events"] for r in rows) == len(mine), period
        assert round(sum(r["revenue"] for r in rows), 2) == sum(float(o[2]) for o in mine if o[3] == "paid"), period
        assert sum(r["customers"] for r in metrics.new_customers(ws, period)) == len(mine), period
    weeks: dict[str, int] = {}
    for o in orders:
        weeks[o[4]] = weeks.get(o[4], 0) + 1
    assert {r["week"]: r["events"] for r in metrics.activity(ws)} == weeks
    assert {r["week"]: r["customers"] for r in metrics.new_customers(ws)} == weeks

    # The report's first line says the same.
    march = [o for o in orders if _in(Q1, o[1])]
    status, out, _ = run_cli(capsys, "report", "-w", str(ws.path), "--from", "2026-01-01", "--to", "2026-03-31")
    revenue = sum(float(o[2]) for o in march if o[3] == "paid")
    assert status == 0 and f"{len(march):,} events, revenue {revenue:,.2f}" in out.splitlines()[0]


TILL_HEADER = ["Date", "Time", "Receipt No", "Customer", "Mobile", "Loyalty Card", "Items", "Total"]


def test_campaign_results_count_the_till_sales_that_followed_on_the_shops_clock(make_workspace, tmp_path):
    """A till writes local times without an offset; an email went out at 10:00 in New York (14:00 UTC)."""
    from sqlalchemy import insert, select

    from omnidesk.core.importing.pipeline import ImportOptions
    from omnidesk.core.models import Campaign, CampaignStep, SendRecord, SourceRecord

    ws = make_workspace(timezone="America/New_York")
    import_file(ws, write_csv(tmp_path / "till_transactions.csv", TILL_HEADER, [
        ["2026-06-01", "11:00", "1", "Ann Lee", "(207) 555-0101", "", "Mug x1", "30,00"],  # an hour after it
        ["2026-06-08", "12:00", "2", "Bob Stone", "(207) 555-0102", "", "Tea x1", "50,00"],  # the window closed at 10:00
        ["2026-06-01", "08:00", "3", "Cara Nolan", "(207) 555-0103", "", "Tea x1", "20,00"],  # before it went out
        ["2026-06-02", "09:00", "4", "Dan Ruiz", "(207) 555-0104", "", "Mug x1 (returned)", "-5,00"],  # a refund
    ], encoding="cp1252", delimiter=";"), ImportOptions(channel="pos", kind="events"))
    with ws.writing() as conn:
        camp = conn.execute(insert(Campaign.__table__).values(name="June", audience_json='"everyone"',
                                                              mode="each_channel", status="exported")
                            ).inserted_primary_key[0]
        step = conn.execute(insert(CampaignStep.__table__).values(
            campaign_id=camp, channel="email", at_local="2026-06-01T10:00:00", timezone="America/New_York",
            at_utc="2026-06-01T14:00:00Z", exported_at="2026-05-30")).inserted_primary_key[0]
        for record in conn.execute(select(SourceRecord.__table__.c.id)).scalars().all():
            conn.execute(insert(SendRecord.__table__).values(step_id=step, record_id=record, channel="email",
                                                             send_utc="2026-06-01T14:00:00Z"))
    (result,) = metrics.campaign_results(ws, now=datetime(2026, 7, 1, tzinfo=UTC))
    assert (result["recipients"], result["orders"], result["revenue"]) == (4, 1, 30.0)  # Ann's sale only


def test_the_report_text_lists_the_periods_last_eight_weeks_quiet_ones_too(make_workspace, tmp_path, capsys):
    """Orders in three weeks of March with a quiet week between; the period runs to the end of April."""
    import time_machine

    ws = make_workspace(timezone="America/New_York")
    import_file(ws, shopify_orders(tmp_path / "orders_export.csv", [
        order("#2001", "ann@example.com", "20.00", created="2026-03-02 10:00:00 -0500"),  # 2026-W10
        order("#2002", "ann@example.com", "30.00", created="2026-03-16 10:00:00 -0400"),  # 2026-W12
        order("#2003", "ann@example.com", "40.00", created="2026-03-23 10:00:00 -0400")]))  # 2026-W13

    def weekly(*argv):
        _, out, _ = run_cli(capsys, "report", "-w", str(ws.path), *argv)
        lines = out.splitlines()
        start = lines.index("Activity per week (the last 8 of the period):") + 1
        end = lines.index("Data health:")
        return {line.split()[0]: line.split()[1] for line in lines[start:end]}

    april = weekly("--from", "2026-03-01", "--to", "2026-04-30")
    assert list(april) == [f"2026-W{n:02d}" for n in range(11, 19)]  # up to the week of 30 April
    assert (april["2026-W11"], april["2026-W12"], april["2026-W18"]) == ("0", "1", "0")
    march = weekly("--from", "2026-03-01", "--to", "2026-03-22")
    assert list(march) == [f"2026-W{n:02d}" for n in range(9, 13)]  # from the week of 1 March (a Sunday)
    assert march["2026-W11"] == "0"
    # Without an end, the period ends today on the shop's clock: Sunday 5 April in New York, a Monday in UTC.
    with time_machine.travel("2026-04-06T02:00:00Z", tick=False):
        assert list(weekly()) == [f"2026-W{n:02d}" for n in range(7, 15)]


def test_a_flagged_row_fixed_by_a_later_import_needs_no_more_looking_at(tmp_path, capsys):
    from tests.core.test_error_report_events import _till_imported
    from tests.helpers import fix_report

    ws, report = _till_imported(tmp_path)
    capsys.readouterr()  # what the import said

    def flagged() -> int:
        _, out, _ = run_cli(capsys, "report", "-w", str(ws), "--json")
        return json.loads(out)["health"]["flagged_rows"]

    assert flagged() == 1

    def fix(header, row):
        row[header.index("Telefon")] = "+44 20 7555 0100"

    run_cli(capsys, "import", str(fix_report(report, tmp_path / "errs-fixed.csv", fix)), "-w", str(ws))
    assert flagged() == 0  # the Imports screen says "fixed by import 2"; nothing is left to fix


def test_the_report_pdf_reads_paths_in_order_and_lists_the_periods_quiet_weeks(make_workspace, tmp_path):
    import pypdfium2

    from omnidesk.core.report_pdf import write_report_pdf

    ws = make_workspace(timezone="America/New_York")
    import_file(ws, shopify_orders(tmp_path / "orders_export.csv", [
        order("#2001", "ann@example.com", "20.00", created="2026-03-02 10:00:00 -0500"),  # 2026-W10
        order("#2002", "ann@example.com", "30.00", created="2026-03-16 10:00:00 -0400")]))  # 2026-W12
    out = write_report_pdf(ws, tmp_path / "report.pdf", metrics.Period(date(2026, 3, 1), date(2026, 4, 5)),
                           today=date(2026, 4, 6))
    pdf = pypdfium2.PdfDocument(str(out))
    text = "".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf)))
    pdf.close()
    assert "Shop > purchase" in text and "Shop + purchase" not in text  # a journey is a sequence, not a set
    for week in ("2026-W09", "2026-W11", "2026-W13", "2026-W14"):  # the quiet weeks of the period are there
        assert week in text, week
