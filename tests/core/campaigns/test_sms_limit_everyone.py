"""The 6-segment limit holds for every recipient of an SMS step, not for the check's sample of 20."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
import time_machine

from omnidesk.core.campaigns.packs import SmsRecipient, write_sms_pack
from omnidesk.core.errors import UserError
from omnidesk.core.messages.sms import sms_stats
from tests.helpers import cli_shop_fixtures, machine_in_zone, run_cli

LONG_NAME = "عبد الرحمن محمد عبد العزيز"  # 25 letters in Arabic: the text goes UCS-2
HEADER = ["Email", "First Name", "Last Name", "Phone", "Accepts Email Marketing", "Accepts SMS Marketing"]
# Ninety-nine customers with short names, and one near the end whom a sample of 20 does not draw.
ROWS = [[f"c{i}@example.com", "Ann", f"Lee{i}", f"+1212555{i:04d}", "yes", "yes"] for i in range(1, 100)]
ROWS.insert(90, ["long@example.com", LONG_NAME, "Test", "+12125559876", "yes", "yes"])

FILLER = ("Our spring collection is here with new linen shirts, canvas totes and hand-poured candles. " * 3)[:232]
TEXT = ("Harbor & Pine: Hi {first_name|there}, " + FILLER + " 20% off with code FLASH20 until 2 Mar 2027: "
        "https://hc.example/f?utm_source=sms&utm_medium=sms&utm_campaign=t Reply STOP to opt out")

shop_template, shop = cli_shop_fixtures((HEADER, ROWS), ["brand", "set", "address", "12 Quay St, Portland"],
                                        ["brand", "set", "name", "Harbor"])


new_york = machine_in_zone("America/New_York")


def long_customer(shop) -> int:
    from sqlalchemy import select

    from omnidesk.core.models import Customer
    from omnidesk.core.workspace import Workspace

    ws = Workspace.open(shop)
    try:
        with ws.engine.connect() as conn:
            cust = Customer.__table__
            return conn.execute(select(cust.c.id).where(cust.c.email == "long@example.com")).scalar_one()
    finally:
        ws.close()


@time_machine.travel("2027-02-01 15:00:00Z", tick=False)
def test_the_check_measures_every_recipient_and_names_the_longest(shop, capsys, tmp_path):
    path = tmp_path / "plan.json"
    path.write_text(json.dumps({
        "name": "Long", "audience": "everyone", "mode": "each_channel",
        "message": {"headline": "Flash sale", "offer_code": "FLASH20", "offer_value": "20% off",
                    "offer_expires": "2027-03-02",
                    "link": "https://hc.example/f"}, "variants": {"sms": {"text": TEXT}},
        "steps": [{"channel": "sms", "at": "2027-03-01T12:00", "timezone": "America/New_York"}]}), encoding="utf-8")
    assert run_cli(capsys, "campaign", "import", path, "-w", shop)[0] == 0
    who = long_customer(shop)
    status, out, _ = run_cli(capsys, "campaign", "check", "Long", "--json", "-w", shop)
    report = json.loads(out)
    assert status == 1
    (named,) = [f for f in report["findings"] if f["code"] == "sms_too_long"]
    assert f"customer {who} in 7 segments (UCS-2)" in named["message"] and named["severity"] == "error"
    assert report["stats"]["sms"]["segments"] == 7  # the counter shows the longest recipient's text too
    status, _, err = run_cli(capsys, "campaign", "export", "Long", "--out", tmp_path / "packs", "-w", shop)
    assert status != 0 and f"customer {who} in 7 segments" in err
    assert not (tmp_path / "packs").exists()


def test_the_sms_pack_refuses_a_text_over_six_segments(tmp_path):
    from omnidesk.core.messages import tokens

    text = tokens.render(TEXT, {"first_name": LONG_NAME})
    stats = sms_stats(text)
    assert stats.segments == 7
    at = datetime(2027, 3, 1, 17, tzinfo=UTC)
    rows = [SmsRecipient(1, "+12125550101", "Hi Ann", 1, "GSM-7", at, "America/New_York"),
            SmsRecipient(42, "+12125559876", text, stats.segments, stats.encoding, at, "America/New_York")]
    with pytest.raises(UserError, match="customer 42: the text is 7 segments"):
        write_sms_pack(tmp_path / "pack.csv", rows)
    assert list(tmp_path.iterdir()) == []


@time_machine.travel("2027-02-01 15:00:00Z", tick=False)
def test_an_sms_step_whose_message_has_no_sms_variant_is_named_not_measured(shop):
    from omnidesk.core.campaigns.campaign import save_campaign
    from omnidesk.core.campaigns.check import check_campaign
    from omnidesk.core.messages.store import save_message
    from omnidesk.core.workspace import Workspace

    ws = Workspace.open(shop)
    try:
        save_message(ws, "Mail only", {"headline": "Sale", "link": "https://hc.example/a"}, channels=["email"])
        save_campaign(ws, "Texts", message="Mail only", audience="everyone", mode="each_channel",
                      steps=[{"channel": "sms", "at": "2027-03-01T12:00", "timezone": "America/New_York"}])
        report, _steps, _campaign = check_campaign(ws, "Texts")
    finally:
        ws.close()
    assert "no_variant" in {f.code for f in report.errors}
