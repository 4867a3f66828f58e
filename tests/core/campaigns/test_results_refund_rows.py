"""A campaign's revenue, and its baseline's, are net of an order's own refund rows, as the shop's revenue is.

Square (and many tills) write a refund as a row of its own: the payment's transaction id again,
a negative total.  The Dashboard's and the report's revenue take such a row's money back
(money.row_spend); an attributed order's revenue does too, whenever the refund came — inside the
attribution window or after it — never below nothing.  The order still counts as an order, as
the customer's card counts it (money.counted_as_order): the payment was made after the message.

Everything goes through the command line from files in Square's own layouts: its customer
directory and its transactions export; the step goes out at 09:00 in New York on 10 Jan 2026.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import time_machine

from tests.core.test_presets import SQUARE_DIRECTORY, SQUARE_TRANSACTIONS
from tests.helpers import machine_in_zone, run_cli, write_csv

# The workspace's clock is New York's; the computer's is another, which nothing here may read.
tokyo = machine_in_zone("Asia/Tokyo")

EXPORTED = datetime(2026, 1, 5, tzinfo=UTC)
IMPORTED = datetime(2026, 2, 1, tzinfo=UTC)
READ = datetime(2026, 2, 2, tzinfo=UTC)  # the step, its week of orders and a late refund are behind
PEOPLE = ("Ann", "Ben", "Cy", "Dee", "Eve", "Fay", "Gus", "Hal")
PLAN = {"name": "Promo", "audience": "everyone", "mode": "each_channel", "holdout_percent": 50,
        "message": {"headline": "Promo", "body": "Hi {first_name|there}.", "link": "https://example.com/p"},
        "steps": [{"channel": "email", "at": "2026-01-10T09:00", "timezone": "America/New_York"}]}


def _square_id(name: str) -> str:
    return f"SQ{name.upper():0<24}"


def _ok(capsys, *argv) -> str:
    status, out, err = run_cli(capsys, *argv)
    assert status == 0, err
    return out


def _shop(tmp_path, capsys) -> tuple[str, list[str], list[str]]:
    """The workspace, with the step exported: (its path, who was sent it, who was held out)."""
    ws = str(tmp_path / "shop.omnidesk")
    directory = write_csv(tmp_path / "square_customers.csv", SQUARE_DIRECTORY, [[{
        "First Name": name, "Last Name": "Lee", "Email Address": f"{name.lower()}@example.com",
        "Square Customer ID": _square_id(name), "Email Subscription Status": "subscribed"}.get(h, "")
        for h in SQUARE_DIRECTORY] for name in PEOPLE])
    (tmp_path / "plan.json").write_text(json.dumps(PLAN), encoding="utf-8")
    with time_machine.travel(EXPORTED, tick=False):
        _ok(capsys, "import", directory, "-w", ws)
        for key, value in (("timezone", "America/New_York"), ("currency", "USD"), ("send_unknown_email", "yes")):
            _ok(capsys, "settings", key, value, "-w", ws)
        _ok(capsys, "brand", "set", "address", "1 Market Street, Springfield", "-w", ws)
        _ok(capsys, "campaign", "import", tmp_path / "plan.json", "-w", ws)
        _ok(capsys, "campaign", "export", "Promo", "--out", tmp_path / "packs", "-w", ws)
    (pack,) = (tmp_path / "packs").glob("promo_email_*.csv")
    text = pack.read_text(encoding="utf-8-sig").lower()
    sent = [name for name in PEOPLE if f"{name.lower()}@example.com" in text]
    held = [name for name in PEOPLE if name not in sent]
    assert len(sent) >= 2 and len(held) >= 2, (sent, held)  # the hold-out is seeded: the same draw each run
    return ws, sent, held


def _transactions(tmp_path, rows) -> str:
    def row(name, day, time, total, tx, refund=False):
        values = {"Date": day, "Time": time, "Time Zone": "Eastern Time (US & Canada)", "Source": "Point of Sale",
                  "Location": "Fore St", "Transaction Status": "Complete", "Partial Refunds": "$0.00",
                  "Total Collected": total, "Transaction ID": tx, "Description": "Teapot",
                  "Event Type": "Refund" if refund else "Payment", "Customer ID": _square_id(name),
                  "Customer Name": f"{name} Lee", "Refund Reason": "Returned goods" if refund else ""}
        return [values.get(h, "") for h in SQUARE_TRANSACTIONS]

    return write_csv(tmp_path / "transactions-2026.csv", SQUARE_TRANSACTIONS, [row(*r) for r in rows])


def test_an_orders_own_refund_rows_take_its_money_back_from_the_step_and_its_baseline(tmp_path, capsys):
    ws, sent, held = _shop(tmp_path, capsys)
    (a, b, *_), (c, d, *_) = sent, held
    path = _transactions(tmp_path, [
        # Sent, and refunded in full by a row of its own two days later: an order that brought nothing.
        (a, "2026-01-11", "10:00:00", "$100.00", "TX1"),
        (a, "2026-01-12", "09:30:00", "-$100.00", "TX1", True),
        # Sent, and given back in part after the attribution window closed (17 Jan): 30.00 of it kept.
        (b, "2026-01-11", "11:00:00", "$50.00", "TX2"),
        (b, "2026-01-30", "12:00:00", "-$20.00", "TX2", True),
        # A refund in the window of a payment made before the step is that payment's, not TX2's.
        (b, "2026-01-02", "12:00:00", "$10.00", "TX0"),
        (b, "2026-01-12", "12:00:00", "-$10.00", "TX0", True),
        # Held out: one refunded in full by its own row, one kept.
        (c, "2026-01-11", "15:00:00", "$80.00", "TX3"),
        (c, "2026-01-13", "15:00:00", "-$80.00", "TX3", True),
        (d, "2026-01-12", "16:00:00", "$40.00", "TX4"),
    ])
    with time_machine.travel(IMPORTED, tick=False):
        _ok(capsys, "import", path, "-w", ws)
    with time_machine.travel(READ, tick=False):
        data = json.loads(_ok(capsys, "report", "--json", "-w", ws))
        text = _ok(capsys, "report", "-w", ws)
    (step,) = data["campaigns"]
    # Each payment after the message is an order (the card counts it: money.counted_as_order) …
    assert (step["recipients"], step["baseline_kind"], step["baseline_customers"]) == (len(sent), "held_out", len(held))
    assert (step["orders"], step["baseline_orders"]) == (2, 2)
    # … and its money is what its refund rows left of it, as the shop's revenue has it.
    assert (step["revenue"], step["baseline_revenue"]) == (30.0, 40.0)  # were 150.00 and 120.00
    assert data["totals"]["revenue"] == 70.0 == step["revenue"] + step["baseline_revenue"]
    assert f"{step['recipients']} sent, 2 orders, 30.00 USD; baseline {step['baseline_customers']} held out: " \
           "2 orders, 40.00 USD" in text, text


def test_a_refund_row_larger_than_its_order_takes_it_to_nothing_not_below(tmp_path, capsys):
    # A refund row that gave back more than the payment (a goodwill gesture on top) leaves that
    # order at nothing, as a refund on the order itself does: the rest of the step keeps its money.
    ws, (a, b, *_), _held = _shop(tmp_path, capsys)
    path = _transactions(tmp_path, [
        (a, "2026-01-11", "10:00:00", "$100.00", "TX1"),
        (a, "2026-01-12", "09:30:00", "-$60.00", "TX1", True),
        (a, "2026-01-14", "09:30:00", "-$60.00", "TX1", True),
        (b, "2026-01-11", "11:00:00", "$50.00", "TX2"),
    ])
    with time_machine.travel(IMPORTED, tick=False):
        _ok(capsys, "import", path, "-w", ws)
    with time_machine.travel(READ, tick=False):
        (step,) = json.loads(_ok(capsys, "report", "--json", "-w", ws))["campaigns"]
    assert (step["orders"], step["revenue"]) == (2, 50.0)
