"""The printed report opens with the period's totals, as the text report does, and its activity
table covers the whole period asked: week by week up to 26 weeks, month by month up to five
years, year by year beyond (for all time: from the first activity to today).

A New York shop's SMS list (four sign-ups, one on 1 April) and its till's sales (one at 23:50
on 28 February, one at 23:30 on 31 March, one at 00:30 on 1 April), imported through the
command line: days are the shop's.
"""

from __future__ import annotations

import json
from datetime import date

import pypdfium2

from omnidesk.core import metrics
from omnidesk.core.report_pdf import write_report_pdf
from omnidesk.core.workspace import Workspace
from tests.helpers import run_cli

SMS = ("Phone,First name,Opted in,Opt-in date\n"
       "+12125550201,Gail,yes,2026-03-01\n"
       "+12125550202,Hal,yes,2026-03-31\n"
       "+12125550203,Ivy,yes,2026-04-01\n"
       "+12125550204,Jo,yes,2026-03-08\n")
TILL = ("Date;Time;Receipt No;Customer;Mobile;Loyalty Card;Items;Total\n"
        "2026-03-31;23:30;40001;KIM, LEE;+12125550301;;Mug x1;10.00\n"
        "2026-04-01;00:30;40002;KIM, LEE;+12125550301;;Mug x1;20.00\n"
        "2026-03-08;02:30;40003;NOVAK, MIA;+12125550302;;Mug x1;5.00\n"
        "2026-03-01;00:10;40004;OTT, NED;+12125550303;;Mug x1;7.00\n"
        "2026-02-28;23:50;40005;OTT, NED;+12125550303;;Mug x1;3.00\n")
TODAY = date(2026, 12, 6)


def _words(path) -> str:
    pdf = pypdfium2.PdfDocument(str(path))
    try:
        return " ".join("".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf))).split())
    finally:
        pdf.close()


def _shop(tmp_path, capsys):
    path = tmp_path / "shop.omnidesk"
    (tmp_path / "sms_subscribers.csv").write_text(SMS, encoding="utf-8")
    (tmp_path / "till_transactions.csv").write_text(TILL, encoding="utf-8")
    assert run_cli(capsys, "import", tmp_path / "sms_subscribers.csv", "--channel", "sms", "-w", path)[0] == 0
    assert run_cli(capsys, "settings", "timezone", "America/New_York", "-w", path)[0] == 0
    assert run_cli(capsys, "import", tmp_path / "till_transactions.csv", "--channel", "pos", "-w", path)[0] == 0
    return path


def _text_totals(capsys, path, *period) -> str:
    """The text report's first line after the period: "5 new customers, 3 events, revenue 22.00 USD"."""
    status, out, err = run_cli(capsys, "report", "-w", path, *period)
    assert status == 0, err
    return out.splitlines()[0].split(" — ", 1)[1]


def test_the_printed_report_opens_with_the_periods_totals_as_the_text_does(tmp_path, capsys):
    path = _shop(tmp_path, capsys)
    march = _text_totals(capsys, path, "--from", "2026-03-01", "--to", "2026-03-31")
    every = _text_totals(capsys, path)
    assert march == "5 new customers, 3 events, revenue 22.00 USD"
    assert every == "7 new customers, 5 events, revenue 45.00 USD"
    ws = Workspace.open(path)
    try:
        text = _words(write_report_pdf(ws, tmp_path / "march.pdf", metrics.Period(date(2026, 3, 1), date(2026, 3, 31)),
                                       today=TODAY))
        assert f"In the period: {march}." in text
        # March is five weeks: listed week by week, W09 (from Sunday 1 March) to W14 (to Tuesday 31 March).
        assert "Activity per week (every channel) Week Events Revenue (USD) New customers" in text
        # Gail signed up and Ned bought at ten past midnight on 1 March; Jo and Mia came on the 8th,
        # Hal and Lee on the 31st (Lee's sale at 23:30 that evening is March's, his next April's).
        assert "2026-W09 1 7.00 1 2026-W10 1 5.00 2 2026-W11 0 0.00 0 2026-W12 0 0.00 0" in text
        assert "2026-W14 1 10.00 2" in text and "2026-W08" not in text and "2026-W15" not in text

        text = _words(write_report_pdf(ws, tmp_path / "all.pdf", today=TODAY))
        assert f"In the period: {every}." in text
        # All time runs from the first sale (28 February) to today: longer than 26 weeks, so by month,
        # every month of it, the quiet ones with their zeros; nothing is left out of the table.
        assert "Activity per month (every channel) Month Events Revenue (USD) New customers" in text
        assert ("2026-02 1 3.00 1 2026-03 3 22.00 5 2026-04 1 20.00 1 2026-05 0 0.00 0" in text)
        assert "2026-12 0 0.00 0" in text and "2026-01" not in text and "2027-01" not in text
        assert "Activity per week" not in text
    finally:
        ws.close()


def test_a_period_of_years_is_listed_year_by_year(tmp_path, capsys):
    path = _shop(tmp_path, capsys)
    ws = Workspace.open(path)
    try:
        text = _words(write_report_pdf(ws, tmp_path / "years.pdf", metrics.Period(date(2019, 1, 1), date(2026, 12, 31)),
                                       today=TODAY))
    finally:
        ws.close()
    assert "In the period: 7 new customers, 5 events, revenue 45.00 USD." in text
    assert "Activity per year (every channel) Year Events Revenue (USD) New customers" in text
    assert "2019 0 0.00 0" in text and "2025 0 0.00 0 2026 5 45.00 7" in text


def test_which_rows_the_activity_table_lists():
    weeks = ["2026-W09", "2026-W14"]
    assert metrics.activity_rows(metrics.Period(date(2026, 3, 1), date(2026, 3, 31)), TODAY, weeks) == (
        "week", ["2026-W09", "2026-W10", "2026-W11", "2026-W12", "2026-W13", "2026-W14"])
    by, rows = metrics.activity_rows(metrics.Period(), TODAY, weeks)
    assert by == "month" and rows[0] == "2026-02" and rows[-1] == "2026-12" and len(rows) == 11
    # 26 weeks or less: weeks; from the first activity's week when the period has no start.
    by, rows = metrics.activity_rows(metrics.Period(), date(2026, 8, 23), weeks)
    assert by == "week" and rows[0] == "2026-W09" and rows[-1] == "2026-W34" and len(rows) == 26
    assert metrics.activity_rows(metrics.Period(), date(2026, 8, 24), weeks)[0] == "month"  # a 27th week
    assert metrics.activity_rows(metrics.Period(), TODAY, []) == ("week", [])  # nothing yet
    # Activity after today (a sale dated ahead) is in the table, all time.
    assert metrics.activity_rows(metrics.Period(), date(2026, 3, 2), ["2026-W09", "2026-W14"])[1][-1] == "2026-W14"
    by, rows = metrics.activity_rows(metrics.Period(date(2020, 1, 1), date(2026, 12, 31)), TODAY, weeks)
    assert by == "year" and rows == ["2020", "2021", "2022", "2023", "2024", "2025", "2026"]


def test_all_time_opens_at_the_month_or_year_of_the_first_activity_not_its_weeks_monday(tmp_path, capsys):
    # A first sale on Wednesday 1 January: its ISO week (2025-W01, 2020-W01) began on Monday 30
    # December, in the month and year before.  Nothing happened then: the table does not open there.
    for first, today, by, opens, before in (("2025-01-01", TODAY, "month", "2025-01 1 4.00 1", "2024-12"),
                                            ("2020-01-01", TODAY, "year", "2020 1 4.00 1", "2019")):
        path = tmp_path / f"shop{first[:4]}.omnidesk"
        till = tmp_path / f"till_transactions{first[:4]}.csv"
        till.write_text("Date;Time;Receipt No;Customer;Mobile;Loyalty Card;Items;Total\n"
                        f"{first};12:00;50001;OTT, NED;+12125550303;;Mug x1;4.00\n"
                        "2026-03-02;12:00;50002;OTT, NED;+12125550303;;Mug x1;6.00\n", encoding="utf-8")
        assert run_cli(capsys, "import", till, "--channel", "pos", "-w", path)[0] == 0
        assert run_cli(capsys, "settings", "timezone", "America/New_York", "-w", path)[0] == 0
        ws = Workspace.open(path)
        try:
            text = _words(write_report_pdf(ws, tmp_path / f"all{first[:4]}.pdf", today=today))
        finally:
            ws.close()
        assert f"Activity per {by} (every channel) {by.capitalize()} Events Revenue (USD) New customers {opens}" in text
        assert f"{before} 0 0.00 0" not in text
    # The table's rows alone: the month given, not the week's Monday, opens it.
    assert metrics.activity_rows(metrics.Period(), TODAY, ["2025-W01", "2026-W10"], ["2025-01", "2026-03"]) == (
        "month", [f"{y}-{m:02d}" for y in (2025, 2026) for m in range(1, 13)])


def test_a_quiet_periods_revenue_is_a_number_with_cents_as_any_others(tmp_path, capsys):
    path = _shop(tmp_path, capsys)
    for period in (("--from", "2025-01-01", "--to", "2025-01-31"), ("--from", "2026-03-01", "--to", "2026-03-31")):
        status, out, err = run_cli(capsys, "report", "-w", path, "--json", *period)
        assert status == 0, err
        revenue = json.loads(out)["totals"]["revenue"]
        assert type(revenue) is float, (period, revenue)
    assert '"revenue": 0.0' in run_cli(capsys, "report", "-w", path, "--json", "--from", "2025-01-01",
                                       "--to", "2025-01-31")[1]
