"""A Square sale's local date and time are read on the zone its row names, through the command line.

Square's transactions export writes each sale's Date and Time on its location's clock, with that
clock's zone in a `Time Zone` column, by Rails' names ("Pacific Time (US & Canada)", "Tokyo").  A shop
on New York's clock with a second till in Los Angeles: a 21:15 sale there on 10 March is 00:15 on
11 March in New York.  Read on the shop's clock, it landed on the 10th at 21:15, before a 22:00 New
York sale it came after.  A zone no one knows is flagged, and its row read on the shop's clock."""

from __future__ import annotations

import csv
from datetime import UTC, datetime

from zoneinfo import ZoneInfo

import time_machine

from omnidesk.core.workspace import Workspace
from tests.core.test_presets import SQUARE_TRANSACTIONS
from tests.helpers import machine_in_zone, run_cli, write_csv

NEW_YORK = ZoneInfo("America/New_York")
sydney = machine_in_zone("Australia/Sydney")  # the computer is elsewhere: the zones named count

SALES = [  # (Date, Time, Time Zone, customer) -> when it was on the shop's (New York's) clock
    (("2025-03-10", "22:00:00", "Eastern Time (US & Canada)", "Ann Lee"), "2025-03-10T22:00:00-04:00"),
    (("2025-03-10", "21:15:00", "Pacific Time (US & Canada)", "Bo Chen"), "2025-03-11T00:15:00-04:00"),
    (("2025-03-11", "09:00:00", "Tokyo", "Cy Dee"), "2025-03-10T20:00:00-04:00"),
    (("2025-03-11", "08:30:00", "America/Los_Angeles", "Di Fox"), "2025-03-11T11:30:00-04:00"),
    (("2025-03-11", "14:00:00", "(GMT+00:00) London", "Ed Gray"), "2025-03-11T10:00:00-04:00"),
    # Not a zone: read on the shop's clock, and the row says why.
    (("2025-03-12", "10:00:00", "Mars Standard Time", "Flo Hunt"), "2025-03-12T10:00:00-04:00"),
]


def _read(path):
    with path.open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_square_sales_are_read_on_the_zone_each_row_names(tmp_path, capsys):
    ws = str(tmp_path / "shop.omnidesk")
    rows = []
    for n, ((day, at, zone, name), _) in enumerate(SALES):
        cells = {"Date": day, "Time": at, "Time Zone": zone, "Transaction ID": f"TX{n}", "Total Collected": "$25.00",
                 "Event Type": "Payment", "Transaction Status": "Complete", "Description": "Scone",
                 "Customer ID": f"SQ{n}", "Customer Name": name, "Location": "Store"}
        rows.append([cells.get(h, "") for h in SQUARE_TRANSACTIONS])
    with time_machine.travel(datetime(2025, 12, 1, 15, tzinfo=UTC), tick=False):
        Workspace.create(tmp_path / "shop.omnidesk").close()
        assert run_cli(capsys, "settings", "timezone", "America/New_York", "-w", ws)[0] == 0
        assert run_cli(capsys, "settings", "currency", "USD", "-w", ws)[0] == 0
        sales = write_csv(tmp_path / "transactions.csv", SQUARE_TRANSACTIONS, rows)
        status, out, _ = run_cli(capsys, "import", str(sales), "-w", ws)
        assert status == 0 and "square_transactions" in out and "flagged 1" in out
        assert run_cli(capsys, "export", "sources", str(tmp_path / "sources.csv"), "-w", ws)[0] == 0
        sources = {int(r["source_row"]): r for r in _read(tmp_path / "sources.csv")}
        assert [r["problems"] for _, r in sorted(sources.items())] == [""] * 5 + [
            "Time Zone: not a time zone Omnidesk knows: Mars Standard Time"]
        seen = []
        for n, (_, expected) in enumerate(SALES, start=1):
            out_csv = tmp_path / f"timeline-{n}.csv"
            assert run_cli(capsys, "export", "timeline", sources[n]["customer_id"], str(out_csv), "-w", ws)[0] == 0
            (sale,) = [e for e in _read(out_csv) if e["type"] == "purchase"]
            # Written at the offset the sale was made at; the same instant as the shop's clock reads it.
            seen.append(datetime.fromisoformat(sale["occurred_at"]).astimezone(NEW_YORK).isoformat())
        assert seen == [expected for _, expected in SALES]
