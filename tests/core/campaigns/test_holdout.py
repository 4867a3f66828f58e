"""A plan's hold-out: who it keeps out, what the export records, and the baseline campaign results compare with."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
import time_machine
from sqlalchemy import insert, select

from omnidesk.core import metrics
from omnidesk.core.campaigns import guards
from omnidesk.core.campaigns.campaign import (
    export_plan,
    get_campaign,
    import_plan,
    save_campaign,
)
from omnidesk.core.campaigns.export import export_campaign
from omnidesk.core.errors import UserError
from omnidesk.core.messages.brand import set_brand
from omnidesk.core.messages.store import save_message
from omnidesk.core.models import Customer, Event, ImportBatch, SendRecord, SourceRecord
from omnidesk.core.timeline import timeline
from tests.helpers import run_cli

NOW = datetime(2026, 2, 20, 12, 0, tzinfo=UTC)
STEP = {"channel": "email", "at": "2026-03-01T10:00", "timezone": "UTC"}
SENT = "2026-03-01T10:00:00"
AFTER = datetime(2026, 3, 20, 12, 0, tzinfo=UTC)  # when the results are read: the step has gone out
# Customers 1-20 said yes to email; 21 unsubscribed; 22 has no address; 23 is unknown.
OPTED_OUT, NO_ADDRESS, UNKNOWN = 21, 22, 23


@pytest.fixture
def shop(make_workspace):
    ws = make_workspace(timezone="UTC")
    with ws.writing() as conn:
        batch = conn.execute(insert(ImportBatch.__table__).values(
            file_name="people.csv", file_hash="x", channel="shop", kind="contacts", status="done",
            header_json="[]", mapping_json="[]", options_json="{}")).inserted_primary_key[0]
        for cid in range(1, 24):
            email = None if cid == NO_ADDRESS else f"p{cid}@example.com"
            consent = {OPTED_OUT: "unsubscribed", UNKNOWN: None}.get(cid, "granted")
            conn.execute(insert(Customer.__table__).values(id=cid, display_name=f"P{cid:02d}", email=email,
                                                           consent_email=consent, channels="shop"))
            conn.execute(insert(SourceRecord.__table__).values(
                id=cid, batch_id=batch, record_no=cid, channel="shop", kind="contacts", row_hash=f"h{cid}",
                raw_json="[]", customer_id=cid))
    set_brand(ws, "address", "1 Market Street, Springfield")
    save_message(ws, "Sale", {"headline": "Sale", "link": "https://hc.example/a"})
    return ws


def _order(ws, cid: int, when: str, amount: int, *, refunded: int | None = None, status: str = "paid") -> None:
    with ws.writing() as conn:
        conn.execute(insert(Event.__table__).values(
            batch_id=1, record_id=cid, customer_id=cid, channel="shop", type="order", occurred_at=when,
            occurred_utc=when, status=status, amount_minor=amount, refunded_minor=refunded,
            summary=f"Order of {cid}", details_json="{}"))


# The hold-out is drawn per household by a fixed threshold on a hash (guards.held_out), not as the
# lowest n of today's audience: how many it holds out is a binomial draw around the share, not
# the share rounded.  The tests assert the band a fair draw falls in (a quarter of twenty: 5 on
# average, 1 to 10 all but certainly) and take the exact number from what was drawn; the draw
# is seeded, so each run draws the same.
def _about_a_quarter_of_twenty(n: int) -> bool:
    return 1 <= n <= 10


def _recorded(ws) -> dict[str, set[int]]:
    sr, rec = SendRecord.__table__, SourceRecord.__table__
    out: dict[str, set[int]] = {}
    with ws.engine.connect() as conn:
        for channel, cid in conn.execute(select(sr.c.channel, rec.c.customer_id).join(rec, rec.c.id == sr.c.record_id)):
            out.setdefault(channel, set()).add(cid)
    return out


def test_the_plan_takes_a_holdout_share_and_refuses_what_is_not_one(shop):
    save_campaign(shop, "Spring", message="Sale", steps=[STEP], holdout_percent=12.5)
    assert get_campaign(shop, "Spring").holdout_percent == 12.5
    # Saved again without saying: kept (the Campaigns screen's form saves this way).
    save_campaign(shop, "Spring", message="Sale", steps=[STEP], replace=True)
    assert get_campaign(shop, "Spring").holdout_percent == 12.5
    plan = export_plan(shop, "Spring")
    assert plan["holdout_percent"] == 12.5 and plan["audience"] == "everyone"
    # A plan is whole: one without the key holds nobody out.
    import_plan(shop, {k: v for k, v in plan.items() if k != "holdout_percent"})
    assert get_campaign(shop, "Spring").holdout_percent == 0
    import_plan(shop, {**plan, "holdout_percent": 10})
    assert get_campaign(shop, "Spring").holdout_percent == 10
    for bad in (100, -1, "10", True, [10]):
        with pytest.raises(UserError, match="holdout_percent"):
            import_plan(shop, {**plan, "holdout_percent": bad})
    assert get_campaign(shop, "Spring").holdout_percent == 10  # a refused plan changed nothing


def test_a_holdout_is_a_seeded_share_of_who_could_be_sent_and_never_anyone_opted_out(shop):
    save_campaign(shop, "Spring", message="Sale", steps=[STEP, {**STEP, "channel": "sms"}], holdout_percent=25)
    email, sms = guards.plan_audiences(shop, get_campaign(shop, "Spring"), now=NOW)
    held = set(email.excluded["held out"])
    assert _about_a_quarter_of_twenty(len(held))  # about a quarter of the twenty who could be sent the email
    assert held.isdisjoint(email.eligible) and held <= set(range(1, 21))
    assert email.counts() == {"opted out": 1, "consent unknown": 1, "no address": 1, "held out": len(held)}
    assert len(email.eligible) == 20 - len(held)
    # Nobody has a phone: the SMS step holds nobody out (no address comes first), and sends nobody.
    assert sms.eligible == [] and "held out" not in sms.counts()
    # Checked again: the same people; another campaign draws its own.
    again, _ = guards.plan_audiences(shop, get_campaign(shop, "Spring"), now=NOW)
    assert set(again.excluded["held out"]) == held
    save_campaign(shop, "Autumn", message="Sale", steps=[STEP], holdout_percent=25)
    (autumn,) = guards.plan_audiences(shop, get_campaign(shop, "Autumn"), now=NOW)
    assert _about_a_quarter_of_twenty(len(autumn.excluded["held out"]))
    assert set(autumn.excluded["held out"]) != held
    # With no hold-out, nobody is held out.
    save_campaign(shop, "Spring", message="Sale", steps=[STEP], holdout_percent=0, replace=True)
    (email,) = guards.plan_audiences(shop, get_campaign(shop, "Spring"), now=NOW)
    assert "held out" not in email.counts() and len(email.eligible) == 20


def test_the_export_records_the_held_out_and_results_compare_with_them(shop, tmp_path):
    save_campaign(shop, "Spring", message="Sale", steps=[STEP], holdout_percent=25)
    summary = export_campaign(shop, "Spring", tmp_path, now=NOW)
    recorded = _recorded(shop)
    held, sent = recorded["held out"], recorded["email"]
    n = len(held)
    assert 3 <= n <= 10 and len(sent) == 20 - n and held.isdisjoint(sent)  # three held-out buyers below
    assert summary.steps[0].eligible == 20 - n and summary.steps[0].excluded["held out"] == n
    assert not ({OPTED_OUT, NO_ADDRESS, UNKNOWN} & (held | sent))
    pack = (tmp_path / summary.steps[0].file).read_text(encoding="utf-8")
    assert all(f"p{cid}@example.com" not in pack for cid in held)
    # Orders: nine recipients and two held-out customers buy within the week; one recipient
    # buys after it, one held-out customer before the send, and the opted-out customer buys too.
    sent_ids, held_ids = sorted(sent), sorted(held)
    for cid in sent_ids[:9]:
        _order(shop, cid, "2026-03-03T12:00:00", 3000)
    _order(shop, sent_ids[9], "2026-03-09T12:00:00", 3000)
    for cid in held_ids[:2]:
        _order(shop, cid, "2026-03-02T12:00:00", 2000)
    _order(shop, held_ids[2], "2026-02-27T12:00:00", 2000)
    _order(shop, OPTED_OUT, "2026-03-02T12:00:00", 9900)
    (result,) = metrics.campaign_results(shop, now=AFTER)
    conversion, base_conversion = round(9 / (20 - n), 4), round(2 / n, 4)
    assert result == {"name": "Spring", "channel": "email", "at": "2026-03-01T10:00:00", "sent": True,
                      "due": "2026-03-01T10:00:00Z",
                      "recipients": 20 - n, "orders": 9, "revenue": 270.0,
                      "conversion": conversion, "baseline_kind": "held_out", "baseline_customers": n,
                      "baseline_orders": 2, "baseline_revenue": 40.0, "baseline_conversion": base_conversion,
                      "lift": round(conversion - base_conversion, 4)}
    # The printable report carries the baseline beside the step.
    import pypdfium2

    from omnidesk.core.report_pdf import write_report_pdf

    pdf = pypdfium2.PdfDocument(str(write_report_pdf(shop, tmp_path / "report.pdf")))
    text = "".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf)))
    for words in ("Campaign results, whatever the period", f"{n} held out", f"{conversion:.1%}",
                  f"{base_conversion:.1%}", metrics.lift_label(result["lift"])):
        assert words in text, words
    # A held-out customer's history says they were left out, not sent.
    lines = [e.summary for e in timeline(shop, held_ids[0])]
    assert "Spring — Email: not sent (held out)" in lines
    assert not any("pack exported" in line for line in lines)


def test_held_out_customers_count_towards_no_cap(shop, tmp_path):
    shop.set_setting("cap_messages", 1)
    save_campaign(shop, "Spring", message="Sale", steps=[STEP], holdout_percent=25)
    export_campaign(shop, "Spring", tmp_path, now=NOW)
    held = _recorded(shop)["held out"]
    # A day later, with one message a week at most: the held-out were sent nothing, so only they can be.
    save_campaign(shop, "Follow-up", message="Sale", steps=[{**STEP, "at": "2026-03-02T10:00"}])
    (step,) = guards.plan_audiences(shop, get_campaign(shop, "Follow-up"), now=NOW)
    assert set(step.eligible) == held and len(step.excluded["frequency cap"]) == 20 - len(held)


def test_without_a_holdout_the_baseline_is_who_a_cap_left_out(shop, tmp_path):
    shop.set_setting("cap_messages", 1)
    save_campaign(shop, "Teaser", message="Sale", steps=[{**STEP, "at": "2026-02-27T10:00"}])
    with shop.writing() as conn:  # an earlier export that reached customers 1-4
        conn.execute(insert(SendRecord.__table__), [
            {"step_id": get_campaign(shop, "Teaser").steps[0].id, "record_id": cid, "channel": "email",
             "send_utc": "2026-02-27T10:00:00Z"} for cid in (1, 2, 3, 4)])
    save_campaign(shop, "Spring", message="Sale", steps=[STEP])
    export_campaign(shop, "Spring", tmp_path, now=NOW)
    assert _recorded(shop)["frequency cap"] == {1, 2, 3, 4}
    _order(shop, 1, "2026-03-02T12:00:00", 1500)
    _order(shop, 5, "2026-03-02T12:00:00", 2500)
    spring = next(r for r in metrics.campaign_results(shop, now=AFTER) if r["name"] == "Spring")
    assert spring["recipients"] == 16 and spring["orders"] == 1 and spring["conversion"] == 0.0625
    assert (spring["baseline_kind"], spring["baseline_customers"], spring["baseline_orders"],
            spring["baseline_revenue"], spring["baseline_conversion"]) == ("not_sent", 4, 1, 15.0, 0.25)
    assert spring["lift"] == round(0.0625 - 0.25, 4)


def test_an_empty_baseline_says_so(shop, tmp_path):
    save_campaign(shop, "Spring", message="Sale", steps=[STEP])
    export_campaign(shop, "Spring", tmp_path, now=NOW)
    _order(shop, 7, "2026-03-02T12:00:00", 4000)
    (result,) = metrics.campaign_results(shop, now=AFTER)
    assert result["recipients"] == 20 and result["orders"] == 1 and result["conversion"] == 0.05
    assert (result["baseline_kind"], result["baseline_customers"], result["baseline_orders"],
            result["baseline_revenue"], result["baseline_conversion"], result["lift"]) == ("none", 0, 0, 0.0, None,
                                                                                          None)


def test_the_command_line_check_and_report_show_the_holdout(shop, tmp_path, capsys):
    plan = {"name": "Spring", "message": "Sale", "audience": "everyone", "steps": [STEP], "holdout_percent": 25}
    (tmp_path / "plan.json").write_text(json.dumps(plan), encoding="utf-8")
    path = str(shop.path)
    code, out, err = run_cli(capsys, "campaign", "import", str(tmp_path / "plan.json"), "-w", path)
    assert code == 0, err
    (email,) = guards.plan_audiences(shop, get_campaign(shop, "Spring"), now=NOW)
    n = len(email.excluded["held out"])
    assert _about_a_quarter_of_twenty(n)
    code, out, err = run_cli(capsys, "campaign", "check", "Spring", "-w", path)
    assert f"held out {n}" in out, out
    code, out, err = run_cli(capsys, "campaign", "show", "Spring", "-w", path)
    assert "hold out: 25% of the audience" in out and f"held out {n}" in out, out
    export_campaign(shop, "Spring", tmp_path, now=NOW)
    # Read before the step's time: planned, not sent, nothing to count.
    with time_machine.travel(NOW, tick=False):
        code, out, err = run_cli(capsys, "report", "-w", path)
    assert f"Spring, 1 Mar 2026 10:00 — Email: {20 - n} to send, not sent yet" in out and "lift" not in out, out
    with time_machine.travel(AFTER, tick=False):
        code, out, err = run_cli(capsys, "report", "--json", "-w", path)
        (entry,) = json.loads(out)["campaigns"]
        assert {"name", "channel", "recipients", "orders", "revenue"} <= set(entry)
        assert entry["recipients"] == 20 - n and entry["baseline_kind"] == "held_out" and entry["baseline_customers"] == n
        code, out, err = run_cli(capsys, "report", "-w", path)
    assert (f"Spring, 1 Mar 2026 10:00 — Email: {20 - n} sent, 0 orders, 0.00 USD; baseline {n} held out: 0 orders, "
            "0.00 USD (lift +0.0 pts)") in out, out


def test_an_order_refunded_for_more_than_it_came_to_counts_nothing_not_less(shop, tmp_path):
    # A refund that took back more than the order (shipping, another order's money) leaves that
    # order's spend at nothing, as everywhere money is counted: the step's revenue and its
    # baseline's are never pulled down, let alone below zero, by it.
    save_campaign(shop, "Spring", message="Sale", steps=[STEP], holdout_percent=25)
    with time_machine.travel(NOW, tick=False):
        export_campaign(shop, "Spring", tmp_path)
    recorded = _recorded(shop)
    sent, held = sorted(recorded["email"]), sorted(recorded["held out"])
    _order(shop, sent[0], "2026-03-02T12:00:00", 1000, refunded=1500, status="partially_refunded")
    _order(shop, sent[1], "2026-03-02T12:00:00", 3000)
    _order(shop, held[0], "2026-03-02T12:00:00", 2000, refunded=2500, status="partially_refunded")
    with time_machine.travel(AFTER, tick=False):
        (result,) = metrics.campaign_results(shop)
    assert (result["orders"], result["revenue"]) == (2, 30.0)
    assert (result["baseline_orders"], result["baseline_revenue"]) == (1, 0.0)


def _people_csv(path, rows):
    from tests.helpers import write_csv

    return write_csv(path, ["First name", "Last name", "Email", "Email consent"], rows)


def test_who_is_held_out_never_depends_on_who_else_is_in_the_audience(make_workspace, tmp_path):
    # Held out by a fixed threshold on a seeded hash, not as the lowest n of today's audience: a
    # shop import between one check and the next moves nobody from the hold-out into the send
    # list, nor back.  Of 1,000 customers a 10% hold-out draws about 100: a binomial count, 70 to
    # 130 all but certainly (three standard deviations are 28), not exactly 100.
    from omnidesk.core.importing.pipeline import ImportOptions, import_file

    ws = make_workspace(timezone="UTC")
    set_brand(ws, "address", "1 Market Street, Springfield")
    save_message(ws, "Sale", {"headline": "Sale", "link": "https://hc.example/a"})
    import_file(ws, _people_csv(tmp_path / "people.csv", [[f"A{n}", "Lee", f"a{n}@example.com", "yes"]
                                                          for n in range(1000)]), ImportOptions(channel="email"))
    save_campaign(ws, "Spring", message="Sale", steps=[STEP], holdout_percent=10)
    with time_machine.travel(NOW, tick=False):
        (before,) = guards.plan_audiences(ws, get_campaign(ws, "Spring"))
        held = set(before.excluded["held out"])
        assert 70 <= len(held) <= 130
        for batch in range(12):  # one customer at a time, as a shop's sign-ups come in
            import_file(ws, _people_csv(tmp_path / f"more{batch}.csv", [
                [f"B{batch}", "Roe", f"b{batch}@example.com", "yes"]]), ImportOptions(channel="email"))
            (after,) = guards.plan_audiences(ws, get_campaign(ws, "Spring"))
            now_held = set(after.excluded["held out"])
            assert held <= now_held and not held & set(after.eligible), batch
            held = now_held
    assert len(after.eligible) + len(held) == 1012


def test_customers_who_share_a_mailbox_are_held_out_together(make_workspace, tmp_path, capsys):
    # A held-out customer whose family mailbox a recipient shares would get the email there all the
    # same, and be counted in the baseline as never sent: a household is held out whole, or sent
    # (once, guard 7), read by the mailbox guard 7 goes by (a "+" tag is the same mailbox).
    ws = make_workspace(timezone="UTC")
    set_brand(ws, "address", "1 Market Street, Springfield")
    save_message(ws, "Sale", {"headline": "Sale", "link": "https://hc.example/a"})
    rows = [[f"A{n}", "Lee", f"family{n}@example.com", "yes"] for n in range(40)]
    rows += [[f"B{n}", "Lee", f"family{n}+b@example.com", "yes"] for n in range(40)]
    path = str(ws.path)
    ws.close()
    code, _out, err = run_cli(capsys, "import", str(_people_csv(tmp_path / "people.csv", rows)),
                              "--channel", "email", "-w", path)
    assert code == 0, err
    plan = {"name": "Spring", "message": "Sale", "steps": [STEP], "holdout_percent": 30}
    (tmp_path / "plan.json").write_text(json.dumps(plan), encoding="utf-8")
    assert run_cli(capsys, "campaign", "import", str(tmp_path / "plan.json"), "-w", path)[0] == 0
    with time_machine.travel(NOW, tick=False):
        code, _out, err = run_cli(capsys, "campaign", "export", "Spring", "--out", str(tmp_path / "packs"),
                                  "-w", path)
    assert code == 0, err
    pack = (tmp_path / "packs" / "spring_email_2026-03-01_1000.csv").read_text(encoding="utf-8").lower()
    from omnidesk.core.workspace import Workspace

    ws = Workspace.open(path)
    try:
        held = _recorded(ws)["held out"]
        with ws.engine.connect() as conn:
            emails = dict(conn.execute(select(Customer.__table__.c.id, Customer.__table__.c.email)).all())
    finally:
        ws.close()
    families = {emails[cid].split("@")[0].split("+")[0] for cid in held}
    assert held and len(held) == 2 * len(families)  # both of each household held out
    assert not any(f"{family}@" in pack or f"{family}+b@" in pack for family in families)
