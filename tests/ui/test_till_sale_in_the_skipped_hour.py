"""A till's sale written in the hour the clocks skip is stored and shown the same whether the shop's
zone is set in Settings or the computer is only in it.

Square's transactions export with no Time Zone gives 02:30 on 29 March 2026, the night Berlin's
clocks went from 02:00 to 03:00.  With the zone set, the sale was read as 02:30 CET (01:30 UTC);
with the same zone only on the laptop, as 00:30 UTC, before the 01:45 sale of that night: "last
seen" moved an hour and the timeline listed 02:30 before 01:45.
"""

from __future__ import annotations

import csv

import pytest
import time_machine

from omnidesk.core.importing.pipeline import import_file
from omnidesk.core.timeline import export_timeline, timeline, workspace_zone
from omnidesk.ui.models.timeline_model import entry_text
from tests.core.test_money import _square_transactions

SALES = [
    {"Date": "2026-03-29", "Time": "01:45:00", "Total Collected": "€12.00", "Transaction ID": "TX1",
     "Description": "Sencha 3oz"},
    {"Date": "2026-03-29", "Time": "02:30:00", "Total Collected": "€8.00", "Transaction ID": "TX2",
     "Description": "Mug"},
]


@pytest.mark.parametrize("zone_set", [True, False], ids=["zone set", "computer's zone"])
def test_a_sale_in_the_skipped_hour_is_the_same_with_the_zone_set_or_not(computer_in, make_workspace,
                                                                         tmp_path, zone_set):
    computer_in("Europe/Berlin")
    ws = make_workspace(currency="EUR", **({"timezone": "Europe/Berlin"} if zone_set else {}))
    assert (workspace_zone(ws) is not None) is zone_set
    transactions = _square_transactions(tmp_path / "transactions-2026.csv",
                                        [{**sale, "Time Zone": ""} for sale in SALES])
    with time_machine.travel("2026-04-01T09:00:00Z", tick=False):
        result = import_file(ws, transactions)
        assert result.preset == "square_transactions" and result.events == 2
        with ws.engine.connect() as conn:
            seen = conn.exec_driver_sql("SELECT first_seen, last_seen FROM customer").one()
        assert tuple(seen) == ("2026-03-29T00:45:00", "2026-03-29T01:30:00")  # 01:45 CET, 02:30 CET

        shown = [entry_text(e) for e in timeline(ws, 1) if e.type == "purchase"]
        assert [s.split(" · ")[0] for s in shown] == ["29 Mar 2026 01:45", "29 Mar 2026 02:30"]

        out = tmp_path / "timeline.csv"
        export_timeline(ws, 1, out)
    with out.open(encoding="utf-8", newline="") as fh:
        times = [r["occurred_at"] for r in csv.DictReader(fh) if r["type"] == "purchase"]
    assert times == ["2026-03-29T01:45:00+01:00", "2026-03-29T02:30:00+01:00"]
