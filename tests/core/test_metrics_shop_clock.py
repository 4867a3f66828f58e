"""The Dashboard's days are the shop's: an order at 23:30 on the last day of a period is in it.

Shopify writes each order's time with its offset; the workspace keeps the instant in
UTC, where an evening in New York is already tomorrow (and a morning in Tokyo still
yesterday).  The period and the weeks are read on the shop's clock all the same.
"""

from __future__ import annotations

from datetime import date

import pytest

from omnidesk.core import metrics
from omnidesk.core.importing.pipeline import import_file
from tests.core.test_money import order, shopify_orders
from tests.helpers import run_cli

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
        order(name, "ann@example.com", total, status=status, created=created)
        for name, created, total, status, _week in orders]))
    for period in (Q1, Q2, metrics.Period()):
        mine = [o for o in orders if period.start is None or _in(period, o[1])]
        rows = metrics.activity(ws, period)
        assert sum(r["events"] for r in rows) == len(mine), period
        assert round(sum(r["revenue"] for r in rows), 2) == sum(float(o[2]) for o in mine if o[3] == "paid"), period
    weeks: dict[str, int] = {}
    for o in orders:
        weeks[o[4]] = weeks.get(o[4], 0) + 1
    assert {r["week"]: r["events"] for r in metrics.activity(ws)} == weeks

    # The report's first line says the same.
    march = [o for o in orders if _in(Q1, o[1])]
    status, out, _ = run_cli(capsys, "report", "-w", str(ws.path), "--from", "2026-01-01", "--to", "2026-03-31")
    revenue = sum(float(o[2]) for o in march if o[3] == "paid")
    assert status == 0 and f"{len(march):,} events, revenue {revenue:,.2f}" in out.splitlines()[0]
