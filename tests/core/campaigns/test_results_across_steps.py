"""Campaign results when an order could count for more than one step, and at the end of the window.

- An order placed with one campaign's offer code counts for that campaign, even when another
  campaign's step went out to the same customer earlier: each order counts once, and the code
  it was placed with comes before the time of the step.
- A campaign's later step counts its baseline's orders as it counts its recipients': an order
  already counted for an earlier step (of the recipients, or of the baseline) drops out of
  the later one on both sides, so recipients and a hold-out who behave alike show no lift.
- The attribution window is days on the shop's clock, as the caps count them: it ends at the
  step's local time that many days later, whether or not the clocks change between.

Everything goes through the command line: a New York shop's Shopify customers (12, all taking
email), its campaigns imported from plans and exported, its Shopify orders, then
``omnidesk report --json``.  The computer's own clock is Tokyo's, which nothing here may read.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import time_machine

from tests.core.test_money import order, shopify_customers, shopify_orders
from tests.helpers import machine_in_zone, run_cli

tokyo = machine_in_zone("Asia/Tokyo")

PEOPLE = ("Ann", "Ben", "Cy", "Dee", "Eve", "Fay", "Gus", "Hal", "Ivy", "Jo", "Kai", "Lu")


def _ok(capsys, *argv) -> str:
    status, out, err = run_cli(capsys, *argv)
    assert status == 0, err
    return out


def _email(name: str) -> str:
    return f"{name.lower()}@example.com"


def _plan(name: str, code: str, *times: str, holdout: int = 0) -> dict:
    return {"name": name, "audience": "everyone", "mode": "each_channel", "holdout_percent": holdout,
            "message": {"headline": name, "body": "Hi {first_name|there}.", "offer_code": code,
                        "link": f"https://example.com/{code.lower()}"},
            "steps": [{"channel": "email", "at": at, "timezone": "America/New_York"} for at in times]}


def _shop(tmp_path, capsys, *plans: dict, exported: datetime) -> tuple[str, list[str], list[str]]:
    """The workspace with each plan imported and exported: (its path, who was sent the first
    plan's first step, who was held out of it)."""
    ws = str(tmp_path / "shop.omnidesk")
    customers = shopify_customers(tmp_path / "customers_export.csv", [{
        "Customer ID": f"'{n}", "First Name": name, "Last Name": "Test", "Email": _email(name),
        "Accepts Email Marketing": "yes", "Default Address City": "Boston",
        "Default Address Country Code": "US", "Tax Exempt": "no"} for n, name in enumerate(PEOPLE, 1)])
    with time_machine.travel(exported, tick=False):
        _ok(capsys, "import", customers, "-w", ws)
        for key, value in (("timezone", "America/New_York"), ("currency", "USD")):
            _ok(capsys, "settings", key, value, "-w", ws)
        _ok(capsys, "brand", "set", "address", "1 Market St, Boston", "-w", ws)
        for n, plan in enumerate(plans):
            path = tmp_path / f"plan{n}.json"
            path.write_text(json.dumps(plan), encoding="utf-8")
            _ok(capsys, "campaign", "import", path, "-w", ws)
            _ok(capsys, "campaign", "export", plan["name"], "--out", tmp_path / f"packs{n}", "-w", ws)
    pack = sorted((tmp_path / "packs0").glob("*_email_*.csv"))[0]
    text = pack.read_text(encoding="utf-8-sig").lower()
    sent = [name for name in PEOPLE if _email(name) in text]
    held = [name for name in PEOPLE if name not in sent]
    return ws, sent, held


def _results(tmp_path, capsys, ws: str, orders: list[dict], *, imported: datetime, read: datetime) -> list[dict]:
    with time_machine.travel(imported, tick=False):
        _ok(capsys, "import", shopify_orders(tmp_path / "orders_export.csv", orders), "-w", ws)
    with time_machine.travel(read, tick=False):
        return json.loads(_ok(capsys, "report", "--json", "-w", ws))["campaigns"]


def test_an_order_placed_with_a_later_campaigns_code_counts_for_that_campaign(tmp_path, capsys):
    """March sale (MARCH20) emails everyone on 5 Mar, Flash (FLASH10) on 6 Mar; Ann's one order,
    on 7 Mar, is placed with FLASH10: it is Flash's, not the earlier step's."""
    ws, _sent, _held = _shop(tmp_path, capsys, _plan("March sale", "MARCH20", "2026-03-05T09:00"),
                             _plan("Flash", "FLASH10", "2026-03-06T09:00"), exported=datetime(2026, 3, 1, tzinfo=UTC))
    steps = _results(tmp_path, capsys, ws, [
        order("#2001", _email("Ann"), "60.00", created="2026-03-07 10:00:00 -0500", billing_name="Ann Test",
              **{"Discount Code": "FLASH10"})], imported=datetime(2026, 3, 15, tzinfo=UTC),
        read=datetime(2026, 3, 25, tzinfo=UTC))
    got = {s["name"]: (s["orders"], s["revenue"]) for s in steps}
    assert got == {"March sale": (0, 0.0), "Flash": (1, 60.0)}


def test_an_order_with_the_code_counts_before_a_later_steps_uncoded_order(tmp_path, capsys):
    """Ann's 6 Mar order has no code, her 7 Mar one Flash's: Flash takes the coded one, and March
    sale (whose window holds both) the other — each order once, neither step left without."""
    ws, _sent, _held = _shop(tmp_path, capsys, _plan("March sale", "MARCH20", "2026-03-05T09:00"),
                             _plan("Flash", "FLASH10", "2026-03-06T09:00"), exported=datetime(2026, 3, 1, tzinfo=UTC))
    steps = _results(tmp_path, capsys, ws, [
        order("#2001", _email("Ann"), "15.00", created="2026-03-06 12:00:00 -0500", billing_name="Ann Test"),
        order("#2002", _email("Ann"), "60.00", created="2026-03-07 10:00:00 -0500", billing_name="Ann Test",
              **{"Discount Code": "FLASH10"})], imported=datetime(2026, 3, 15, tzinfo=UTC),
        read=datetime(2026, 3, 25, tzinfo=UTC))
    got = {s["name"]: (s["orders"], s["revenue"]) for s in steps}
    assert got == {"March sale": (1, 15.0), "Flash": (1, 60.0)}


def test_a_later_step_counts_its_baseline_as_it_counts_its_recipients(tmp_path, capsys):
    """Two steps, 5 and 7 Mar, 30% held out.  Three recipients and one held-out customer each buy
    once on 8 Mar, inside both steps' windows: the first step counts them all, on both sides,
    and the second none, on both sides — no lift either time, as they behaved alike."""
    ws, sent, held = _shop(tmp_path, capsys, _plan("March sale", "MARCH20", "2026-03-05T09:00", "2026-03-07T09:00",
                                                   holdout=30), exported=datetime(2026, 3, 1, tzinfo=UTC))
    assert len(sent) == 9 and len(held) == 3, (sent, held)
    buyers = [*sent[:3], held[0]]
    second, first = _results(tmp_path, capsys, ws, [  # newest first
        order(f"#40{n}", _email(name), "10.00", created="2026-03-08 12:00:00 -0400", billing_name=f"{name} Test")
        for n, name in enumerate(buyers)], imported=datetime(2026, 3, 15, tzinfo=UTC),
        read=datetime(2026, 3, 25, tzinfo=UTC))
    figures = ("recipients", "orders", "baseline_customers", "baseline_orders", "baseline_revenue", "lift")
    assert {k: first[k] for k in figures} == {"recipients": 9, "orders": 3, "baseline_customers": 3,
                                              "baseline_orders": 1, "baseline_revenue": 10.0, "lift": 0.0}
    assert {k: second[k] for k in figures} == {"recipients": 9, "orders": 0, "baseline_customers": 3,
                                               "baseline_orders": 0, "baseline_revenue": 0.0, "lift": 0.0}
    with time_machine.travel(datetime(2026, 3, 25, tzinfo=UTC), tick=False):
        text = _ok(capsys, "report", "-w", ws)
    assert "lift -33.3 pts" not in text
    assert sum("(lift +0.0 pts)" in line for line in text.splitlines() if "March sale," in line) == 2


def _window_orders(tmp_path, capsys, step_at: str, inside: str, outside: str, *, exported, read) -> tuple:
    ws, sent, _held = _shop(tmp_path, capsys, _plan("March sale", "MARCH20", step_at), exported=exported)
    (step,) = _results(tmp_path, capsys, ws, [
        order("#3001", _email(sent[0]), "10.00", created=inside, billing_name=f"{sent[0]} Test"),
        order("#3002", _email(sent[1]), "45.00", created=outside, billing_name=f"{sent[1]} Test")],
        imported=read, read=read)
    return step["orders"], step["revenue"]


def test_the_window_ends_at_the_steps_local_time_a_week_later_across_spring_forward(tmp_path, capsys):
    """5 Mar 2026 09:00 EST; New York's clocks go forward on 8 Mar.  Seven days on the shop's clock
    end at 12 Mar 09:00 EDT (167 hours later): 08:59 is inside, 09:30 — fewer than 168 hours after
    the send — is not."""
    assert _window_orders(tmp_path, capsys, "2026-03-05T09:00", "2026-03-12 08:59:00 -0400",
                          "2026-03-12 09:30:00 -0400", exported=datetime(2026, 3, 1, tzinfo=UTC),
                          read=datetime(2026, 3, 25, tzinfo=UTC)) == (1, 10.0)


def test_the_window_ends_at_the_steps_local_time_a_week_later_across_fall_back(tmp_path, capsys):
    """29 Oct 2026 09:00 EDT; New York's clocks go back on 1 Nov.  Seven days on the shop's clock
    end at 5 Nov 09:00 EST (169 hours later): 08:30 — more than 168 hours after the send — is
    inside, 09:30 is not."""
    assert _window_orders(tmp_path, capsys, "2026-10-29T09:00", "2026-11-05 08:30:00 -0500",
                          "2026-11-05 09:30:00 -0500", exported=datetime(2026, 10, 20, tzinfo=UTC),
                          read=datetime(2026, 11, 20, tzinfo=UTC)) == (1, 10.0)
