"""The Dashboard's figures against a hand-built workspace with known answers."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import insert

from omnidesk.core import metrics, segments
from omnidesk.core.messages.store import save_message
from omnidesk.core.models import (
    Campaign,
    CampaignStep,
    Customer,
    Event,
    ImportBatch,
    MatchReview,
    SendRecord,
    SourceRecord,
)

# id: (channels, email, consent_email, phone, consent_sms)
PEOPLE = {1: ("email shop", "a@x.com", "granted", None, None),
          2: ("shop", "b@x.com", None, None, None),
          3: ("email pos sms", None, None, "+12125550101", "granted"),
          4: ("email shop", "d@x.com", "unsubscribed", None, None),
          5: ("manual", None, None, None, None)}
# customer, channel, type, occurred_utc, status, amount, refunded, summary
EVENTS = [(1, "email", "open", "2026-01-01T10:00:00", "", None, None, "Opened news"),
          (1, "shop", "order", "2026-01-10T10:00:00", "paid", 5000, None, "Order #1 with SPRING"),
          (2, "shop", "order", "2026-01-05T10:00:00", "paid", 2000, 500, "Order #2"),
          (2, "shop", "order", "2026-01-06T10:00:00", "refunded", 9000, 9000, "Order #3"),
          (3, "email", "open", "2026-01-02T10:00:00", "", None, None, "Opened news"),
          (3, "pos", "purchase", "2026-01-12T10:00:00", "paid", 1200, None, "Till sale"),
          (4, "email", "open", "2026-01-03T10:00:00", "", None, None, "Opened news"),
          (4, "shop", "order", "2026-01-13T10:00:00", "paid", 3000, None, "Order #4")]


@pytest.fixture
def shop(ws):
    with ws.writing() as conn:
        batch = conn.execute(insert(ImportBatch.__table__).values(
            file_name="x.csv", file_hash="x", channel="shop", kind="contacts", status="done", header_json="[]",
            mapping_json="[]", options_json="{}")).inserted_primary_key[0]
        for cid, (channels, email, ce, phone, cs) in PEOPLE.items():
            conn.execute(insert(Customer.__table__).values(
                id=cid, display_name=f"P{cid}", channels=channels, email=email, consent_email=ce, phone=phone,
                consent_sms=cs, first_seen=f"2026-01-0{cid}T09:00:00"))
            conn.execute(insert(SourceRecord.__table__).values(
                id=cid, batch_id=batch, record_no=cid, channel=channels.split()[0], kind="contacts",
                row_hash=f"h{cid}", raw_json="[]", customer_id=cid, flagged=cid == 2))
        for n, (cid, channel, type_, when, status, amount, refunded, summary) in enumerate(EVENTS, start=1):
            conn.execute(insert(Event.__table__).values(
                id=n, batch_id=batch, record_id=cid, customer_id=cid, channel=channel, type=type_,
                occurred_at=when, occurred_utc=when, status=status, amount_minor=amount, refunded_minor=refunded,
                summary=summary, details_json=json.dumps({"order_id": summary})))
        conn.execute(insert(MatchReview.__table__).values(left_id=1, right_id=2, score=9.0, status="pending"))
    return ws


def test_overlap_counts_each_customer_once_and_reach_follows(shop):
    combos = metrics.overlap(shop)
    assert sum(c["customers"] for c in combos) == 5
    assert combos[0] == {"channels": ["email", "shop"], "customers": 2}
    assert metrics.reach(shop) == {"email": 3, "shop": 3, "manual": 1, "pos": 1, "sms": 1}


def test_journeys_run_to_the_first_purchase(shop):
    paths = {tuple(j["path"]): j for j in metrics.journeys(shop)}
    assert paths[("email", "shop", "purchase")]["customers"] == 2  # Ann and Dee
    assert paths[("email", "shop", "purchase")]["median_days"] == 9.5  # 9 days and 10 days
    assert paths[("shop", "purchase")]["customers"] == 1
    assert paths[("email", "pos", "purchase")]["customers"] == 1


def test_activity_is_net_of_refunds_and_cancellations_per_week(shop):
    rows = {(r["week"], r["channel"]): r for r in metrics.activity(shop)}
    # Week 2: Ann's 50.00 and Bob's 20.00 less 5.00 refunded; his refunded order counts as an event, not money.
    assert rows[("2026-W02", "shop")] == {"week": "2026-W02", "channel": "shop", "events": 3, "revenue": 65.0}
    assert rows[("2026-W03", "shop")]["revenue"] == 30.0
    assert rows[("2026-W01", "email")]["events"] == 3
    only = metrics.activity(shop, metrics.Period(date(2026, 1, 12), date(2026, 1, 13)))
    assert {(r["channel"], r["events"]) for r in only} == {("pos", 1), ("shop", 1)}


def test_campaign_results_attribute_each_order_once_by_code_first(shop):
    save_message(shop, "Spring", {"headline": "Spring", "offer_code": "SPRING"})
    with shop.writing() as conn:
        camp = conn.execute(insert(Campaign.__table__).values(name="Spring", message_id=1, audience_json='"everyone"',
                                                              mode="each_channel", status="exported")
                            ).inserted_primary_key[0]
        step = conn.execute(insert(CampaignStep.__table__).values(
            campaign_id=camp, channel="email", at_local="2026-01-08T10:00:00", timezone="UTC",
            at_utc="2026-01-08T10:00:00Z", exported_at="2026-01-07")).inserted_primary_key[0]
        for cid in (1, 4, 2):
            conn.execute(insert(SendRecord.__table__).values(step_id=step, record_id=cid, channel="email",
                                                             send_utc="2026-01-08T10:00:00Z"))
    later = datetime(2026, 2, 1, tzinfo=UTC)
    (result,) = metrics.campaign_results(shop, now=later)
    # Ann's order names the code (2 days later); Dee's is 5 days later (next order); Bob bought before it.
    assert result == {"name": "Spring", "channel": "email", "at": "2026-01-08T10:00:00", "sent": True,
                      "due": "2026-01-08T10:00:00Z",
                      "recipients": 3, "orders": 2, "revenue": 80.0,
                      "conversion": round(2 / 3, 4), "baseline_kind": "none", "baseline_customers": 0,
                      "baseline_orders": 0, "baseline_revenue": 0.0, "baseline_conversion": None, "lift": None}
    (result,) = metrics.campaign_results(shop, window_days=3, now=later)
    assert result["orders"] == 1 and result["revenue"] == 50.0
    # Exported ahead of its time, the step has not gone out: nothing is counted for it yet,
    # not even the orders its recipients placed before it.
    (result,) = metrics.campaign_results(shop, now=datetime(2026, 1, 8, 9, 59, tzinfo=UTC))
    assert (result["sent"], result["recipients"], result["orders"], result["conversion"], result["lift"]) == (
        False, 3, 0, None, None)
    assert metrics.baseline_or_status(result) == "not sent yet"


def test_health(shop):
    assert metrics.health(shop) == {"flagged_rows": 1, "unreachable_customers": 3, "email_consent_unknown": 1,
                                    "pairs_to_review": 1, "stale_variants": 0}


def test_the_report_has_every_part(shop):
    data = metrics.report(shop)
    assert set(data) == {"period", "reach", "reachable", "overlap", "journeys", "activity", "new_customers",
                         "new_customers_undated", "undated_activity", "campaigns", "health"}
    assert sum(w["customers"] for w in data["new_customers"]) == 5
    assert data["health"] == metrics.health(shop) and data["reachable"] == metrics.reachable(shop)


def test_a_failure_reading_the_counts_beside_the_report_reaches_its_caller(shop, monkeypatch):
    # They are read on a second connection while the rest is read: a failure there is not lost.
    def broken(ws, *args):
        raise RuntimeError("disk gone")

    monkeypatch.setattr(metrics, "health", broken)
    with pytest.raises(RuntimeError, match="disk gone"):
        metrics.report(shop)


def _hand_batch(ws):
    # A customer entered by hand comes with the workspace's hand batch: its channel is then one rules may name.
    with ws.writing() as conn:
        conn.execute(insert(ImportBatch.__table__).values(
            file_name="(entered by hand)", file_hash="", channel="manual", kind="manual", status="done",
            header_json="[]", mapping_json="[]", options_json="{}"))


def test_each_overlap_combination_opens_as_a_rule_counting_exactly_its_customers(shop):
    _hand_batch(shop)
    with shop.writing() as conn:  # one customer nobody has a channel for, one known by hand and by the shop
        conn.execute(insert(Customer.__table__).values(id=6, display_name="P6", channels=""))
        conn.execute(insert(Customer.__table__).values(id=7, display_name="P7", channels="manual shop"))
    combos = metrics.overlap(shop)
    every = sorted({c for combo in combos for c in combo["channels"]})
    assert {tuple(c["channels"]) for c in combos} >= {(), ("manual",), ("shop",)}
    for combo in combos:
        rule = metrics.overlap_rule(combo["channels"], every)
        assert segments.count(shop, rule) == combo["customers"], combo
    assert sum(segments.count(shop, metrics.overlap_rule(c["channels"], every)) for c in combos) == 7


def test_each_reach_bar_opens_as_a_rule_counting_exactly_its_customers(shop):
    _hand_batch(shop)
    combos = metrics.overlap(shop)
    every = sorted({c for combo in combos for c in combo["channels"]})
    for channel, n in metrics.reach(shop, combos).items():
        assert segments.count(shop, metrics.reach_rule(channel, every)) == n, channel


def test_health_rules_count_what_the_tiles_say(shop):
    figures = metrics.health(shop)
    for name, (kind, target) in metrics.health_links(shop).items():
        assert name in figures
        if kind == "rule":
            assert segments.count(shop, target) == figures[name], name
        else:
            assert target in {"imports", "review", "messages"}


def test_named_periods_end_today_and_include_it():
    today = date(2026, 3, 31)
    assert metrics.named_period("30d", today) == metrics.Period(date(2026, 3, 2), today)
    assert metrics.named_period("12m", today).start == date(2025, 4, 1)
    assert metrics.named_period("90d", date(2028, 3, 31)).start == date(2028, 1, 2)  # days stay days
    # Twelve calendar months: from the day after the same date a year earlier, a 29 February
    # in them or not; a month's last day ends whole months.
    for end, start in ((date(2028, 12, 31), date(2028, 1, 1)), (date(2028, 6, 15), date(2027, 6, 16)),
                       (date(2027, 6, 15), date(2026, 6, 16)), (date(2028, 2, 29), date(2027, 3, 1)),
                       (date(2029, 2, 28), date(2028, 3, 1)), (date(2028, 2, 28), date(2027, 3, 1)),
                       (date(2029, 2, 27), date(2028, 2, 28)), (date(2028, 3, 1), date(2027, 3, 2))):
        assert metrics.named_period("12m", end) == metrics.Period(start, end), end
    assert metrics.named_period("all", today) == metrics.Period()
    with pytest.raises(ValueError):
        metrics.named_period("week", today)


def test_the_report_pdf_reads_back_with_its_figures(shop, tmp_path):
    import pypdfium2

    from omnidesk.core.report_pdf import write_report_pdf

    shop.set_setting("business_name", "Harbor & Pine")
    out = write_report_pdf(shop, tmp_path / "report.pdf", metrics.Period(date(2026, 1, 1), date(2026, 1, 31)),
                           today=date(2026, 2, 1))
    pdf = pypdfium2.PdfDocument(str(out))
    text = "".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf)))
    for words in ("Harbor & Pine: the whole picture", "Period: 2026-01-01 to 2026-01-31", "Reach per channel",
                  "Email + Shop", "May be marketed to: 1 by email · 1 by SMS", "Journeys to the first purchase", "2026-W02", "65.00", "Pairs to review"):
        assert words in text, words
    with pytest.raises(Exception):
        write_report_pdf(shop, out)  # there already: replaced only when asked


def test_the_report_text_has_the_periods_weeks_and_long_overlaps_in_one_column(shop, capsys):
    from tests.helpers import run_cli

    data = metrics.report(shop, metrics.Period(None, date(2026, 1, 31)))
    status, out, _ = run_cli(capsys, "report", "-w", str(shop.path), "--to", "2026-01-31")
    lines = out.splitlines()
    weekly = lines.index("Activity per week (the last 8 of the period):")
    # The 8 weeks up to the one of 31 January, those without activity too.
    weeks = ["2025-W50", "2025-W51", "2025-W52", "2026-W01", "2026-W02", "2026-W03", "2026-W04", "2026-W05"]
    shown = [line.split()[0] for line in lines[weekly + 1:weekly + 1 + len(weeks)]]
    assert status == 0 and shown == weeks
    for week, line in zip(weeks, lines[weekly + 1:]):
        events = sum(r["events"] for r in data["activity"] if r["week"] == week)
        assert f" {events:,} events " in line, line
    # Overlap counts line up whatever the longest combination's name.
    start = lines.index("Channel overlap (each customer once, whatever the period):") + 1
    end = lines.index("Journeys (first channel onwards):")
    assert len({len(line) for line in lines[start:end]}) == 1


def test_the_report_text_says_one_of_a_thing_in_the_singular(shop, capsys):
    import re

    from tests.helpers import run_cli

    status, out, _ = run_cli(capsys, "report", "-w", str(shop.path), "--to", "2026-01-31")
    week = next(line for line in out.splitlines() if line.startswith("  2026-W02 "))
    assert status == 0 and week.endswith(" 1 new customer"), week  # the fifth customer, first seen on Monday 5 January
    assert not re.search(r"(?<![\d,.])1 (new customers|events|orders|days)\b", out), out


def test_who_may_be_marketed_to_leaves_out_everyone_who_said_no(shop):
    # Ann said yes to email; Bob said nothing; Dee unsubscribed, on the email channel all the same.
    assert metrics.reach(shop)["email"] == 3
    assert metrics.reachable(shop) == {"email": 1, "sms": 1, "whatsapp": 0}
    assert metrics.report(shop)["reachable"] == metrics.reachable(shop)
    for code, n in metrics.reachable(shop).items():  # the same people as the health tile's rule leaves out
        rule = {"all": [{"field": "email" if code == "email" else "phone", "op": "exists"},
                        {"field": f"consent.{code}", "op": "is", "value": "granted"}]}
        assert segments.count(shop, rule) == n, code


def test_campaign_results_name_each_steps_local_time(shop):
    with shop.writing() as conn:
        camp = conn.execute(insert(Campaign.__table__).values(name="Twice", audience_json='"everyone"',
                                                              mode="each_channel", status="exported")
                            ).inserted_primary_key[0]
        for at_local, at_utc in (("2026-01-08T09:00:00", "2026-01-08T14:00:00Z"),
                                 ("2026-01-15T09:00:00", "2026-01-15T14:00:00Z")):
            conn.execute(insert(CampaignStep.__table__).values(
                campaign_id=camp, channel="email", at_local=at_local, timezone="America/New_York", at_utc=at_utc,
                exported_at="2026-01-07"))
    results = metrics.campaign_results(shop, now=datetime(2026, 2, 1, tzinfo=UTC))
    assert [r["at"] for r in results] == ["2026-01-15T09:00:00", "2026-01-08T09:00:00"]  # newest first
