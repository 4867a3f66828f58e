"""A step that went out is history: exporting its campaign again (to add a follow-up step) keeps
its pack, whom it reached and whom it held out exactly as they were, and what the report says it
achieved; the follow-up is planned around it (its sends count toward the caps).

Everything goes through the command line and real files, as a marketer would do it."""

from __future__ import annotations

import json

import pytest
import time_machine
from sqlalchemy import select

from omnidesk.core.models import CampaignStep, Customer, SendRecord, SourceRecord
from omnidesk.core.workspace import Workspace
from tests.core.test_money import order, shopify_orders
from tests.helpers import run_cli, write_csv

BEFORE, BETWEEN = "2026-02-20 12:00:00Z", "2026-03-05 12:00:00Z"  # before the first step; after it
FIRST = {"channel": "email", "at": "2026-03-02T10:00", "timezone": "UTC"}
FOLLOW_UP = {**FIRST, "at": "2026-03-09T10:00"}
HEADER = ["First name", "Last name", "Email", "Email consent"]


@pytest.fixture
def shop(tmp_path, capsys):
    ws = tmp_path / "shop.omnidesk"

    def run(*argv, ok=True):
        status, out, err = run_cli(capsys, "-w", ws, *argv)
        if ok:
            assert status == 0, err
        return out

    write_csv(tmp_path / "people.csv", HEADER, [[f"P{n}", "Lee", f"p{n}@example.com", "yes"] for n in range(1, 41)])
    (tmp_path / "msg.json").write_text(json.dumps({"name": "Sale", "message": {
        "headline": "Sale", "body": "Hi {first_name|there}, 20% off.", "link": "https://example.com/sale"}}),
        encoding="utf-8")
    run("import", tmp_path / "people.csv", "--channel", "email")
    run("settings", "timezone", "UTC")
    run("brand", "set", "address", "1 Main St, Springfield")
    run("message", "import", tmp_path / "msg.json")
    run.ws, run.tmp = ws, tmp_path
    return run


def _plan(run, *steps, holdout=25):
    path = run.tmp / "plan.json"
    path.write_text(json.dumps({"name": "Spring", "message": "Sale", "holdout_percent": holdout,
                                "steps": list(steps)}), encoding="utf-8")
    run("campaign", "import", path)


def _records(ws_path, at: str) -> set[tuple]:
    """The send records of the step at ``at``: (customer, what it says, when, the record it is kept against)."""
    sr, rec, st = SendRecord.__table__, SourceRecord.__table__, CampaignStep.__table__
    ws = Workspace.open(ws_path)
    try:
        with ws.engine.connect() as conn:
            return set(conn.execute(select(rec.c.customer_id, sr.c.channel, sr.c.send_utc, sr.c.record_id)
                                    .join(rec, rec.c.id == sr.c.record_id).join(st, st.c.id == sr.c.step_id)
                                    .where(st.c.at_local == at + ":00")).all())
    finally:
        ws.close()


def _card(ws_path, cid: int) -> tuple[str, str]:
    """A customer's (email, full name), as a shop's order file would give them."""
    cust = Customer.__table__
    ws = Workspace.open(ws_path)
    try:
        with ws.engine.connect() as conn:
            email, first, last = conn.execute(select(cust.c.email, cust.c.first_name, cust.c.last_name)
                                              .where(cust.c.id == cid)).one()
            return email, f"{first} {last}"
    finally:
        ws.close()


def _first_step(run) -> dict:
    with time_machine.travel(BETWEEN, tick=False):
        return next(c for c in json.loads(run("report", "--json"))["campaigns"] if c["at"].startswith("2026-03-02"))


def test_exporting_again_keeps_a_step_that_went_out_as_it_was(shop):
    run, tmp = shop, shop.tmp
    _plan(run, FIRST)
    with time_machine.travel(BEFORE, tick=False):
        run("campaign", "export", "Spring", "--out", tmp / "packs")
    pack = tmp / "packs" / "spring_email_2026-03-02_1000.csv"
    sent_pack, mtime = pack.read_bytes(), pack.stat().st_mtime_ns
    before = _records(run.ws, FIRST["at"])
    sent = sorted(cid for cid, what, *_ in before if what == "email")
    held = {cid for cid, what, *_ in before if what == "held out"}
    assert sent and held
    # After it went out: a recipient buys and then says no to email, and new customers are imported.
    buyer = sent[0]
    email, name = _card(run.ws, buyer)
    import_orders = shopify_orders(tmp / "orders_export.csv", [
        order("#1001", email, "50.00", created="2026-03-03 12:00:00 +0000", billing_name=name)])
    run("import", import_orders, "--channel", "shop")
    run("consent", "set", buyer, "email", "denied")
    write_csv(tmp / "new.csv", HEADER, [[f"N{n}", "Roe", f"new{n}@example.com", "yes"] for n in range(1, 31)])
    run("import", tmp / "new.csv", "--channel", "email")
    achieved = _first_step(run)
    assert (achieved["recipients"], achieved["orders"], achieved["revenue"]) == (len(sent), 1, 50.0)

    # A follow-up is added and the campaign exported again, over the earlier export.
    _plan(run, FIRST, FOLLOW_UP)
    with time_machine.travel(BETWEEN, tick=False):
        checked = json.loads(run("campaign", "check", "Spring", "--json"))
        out = run("campaign", "export", "Spring", "--out", tmp / "packs", "--force")
    assert "Email, 2 Mar 10:00 UTC: already sent, kept as exported" in out, out
    assert [f["severity"] for f in checked["findings"] if f["code"] == "step_sent"] == ["warning"]
    first_checked = next(s for s in checked["steps"] if s["at"] == "2026-03-02T10:00")
    assert first_checked["kept"] and first_checked["eligible"] == len(sent)
    # The first step's pack, whom it reached and whom it held out are as they were...
    assert pack.read_bytes() == sent_pack and pack.stat().st_mtime_ns == mtime
    assert _records(run.ws, FIRST["at"]) == before
    # ...and so is what the report says it achieved: the buyer who said no since is still its recipient.
    assert _first_step(run) == achieved
    # The follow-up is planned today: not the one who said no, the new customers too, and
    # those held out of the first step stay held out of it.
    follow = _records(run.ws, FOLLOW_UP["at"])
    to = {cid for cid, what, *_ in follow if what == "email"}
    assert buyer not in to and not (to & held)
    assert held <= {cid for cid, what, *_ in follow if what == "held out"}
    assert len(to - set(sent)) > 10  # new customers, most of them not held out
    assert (tmp / "packs" / "spring_email_2026-03-09_1000.csv").is_file()


def test_a_step_that_went_out_counts_toward_the_caps_of_the_steps_added_after_it(shop):
    run, tmp = shop, shop.tmp
    run("settings", "cap_messages", "1")  # one message a week at most
    _plan(run, FIRST, holdout=0)
    with time_machine.travel(BEFORE, tick=False):
        run("campaign", "export", "Spring", "--out", tmp / "packs")
    sent = {cid for cid, what, *_ in _records(run.ws, FIRST["at"]) if what == "email"}
    write_csv(tmp / "new.csv", HEADER, [[f"N{n}", "Roe", f"new{n}@example.com", "yes"] for n in range(1, 6)])
    run("import", tmp / "new.csv", "--channel", "email")
    # Three days after the first step: only those it did not reach can be sent the follow-up.
    _plan(run, FIRST, {**FIRST, "at": "2026-03-05T18:00"}, holdout=0)
    with time_machine.travel(BETWEEN, tick=False):
        run("campaign", "export", "Spring", "--out", tmp / "packs", "--force")
    assert {cid for cid, what, *_ in _records(run.ws, FIRST["at"]) if what == "email"} == sent
    follow = _records(run.ws, "2026-03-05T18:00")
    to = {cid for cid, what, *_ in follow if what == "email"}
    assert len(to) == 5 and not (to & sent)
    assert {cid for cid, what, *_ in follow if what == "frequency cap"} == sent
