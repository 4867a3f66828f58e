"""The card's main channel and the best channel a campaign picks count the last 12 months as the
Dashboard does: twelve calendar months of the shop's days, not 365 days of UTC time."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import insert

from omnidesk.core.metrics import named_period
from omnidesk.core.models import Event
from omnidesk.core.profile import customer_profile
from omnidesk.core.timeutil import twelve_months_before_utc, twelve_months_from
from tests.core.campaigns.test_guards import build, plan

ANN = {1: ("ann@example.com", "+12125550101", "granted", "granted", 0)}
# Ann texted three times on 29 February 2028 in New York (the last two after midnight in UTC),
# and emailed once in June. On 28 February 2029 her last twelve months begin on 1 March 2028.
USES = [("sms", "2028-02-29T20:00:00"), ("sms", "2028-03-01T03:00:00"), ("sms", "2028-03-01T04:30:00"),
        ("email", "2028-06-01T15:00:00")]


def _ann(make_workspace):
    ws = make_workspace(timezone="America/New_York")
    build(ws, ANN)
    with ws.writing() as conn:
        for channel, at in USES:
            conn.execute(insert(Event.__table__).values(batch_id=1, record_id=1, customer_id=1, channel=channel,
                                                        type="open", occurred_utc=at))
    return ws


def test_the_twelve_months_are_the_dashboards():
    for today in (date(2029, 2, 28), date(2028, 2, 29), date(2028, 12, 31), date(2026, 12, 7)):
        assert twelve_months_from(today) == named_period("12m", today).start
    assert twelve_months_from(date(2029, 2, 28)) == date(2028, 3, 1)
    ny = ZoneInfo("America/New_York")
    # Late on 28 February in New York is 1 March in UTC: the day is New York's.
    assert twelve_months_before_utc(datetime(2029, 3, 1, 3, 0, tzinfo=UTC), ny) == "2028-03-01T05:00:00"


def test_the_cards_main_channel_counts_the_shops_twelve_calendar_months(make_workspace):
    ws = _ann(make_workspace)
    now = datetime(2029, 2, 28, 17, 0, tzinfo=UTC)  # noon in New York
    # 365 days of UTC reached back to 29 February 17:00 UTC and counted her three texts.
    assert customer_profile(ws, 1, now=now).preferred_channel == "email"
    assert customer_profile(ws, 1, now=datetime(2029, 2, 27, 17, 0, tzinfo=UTC)).preferred_channel == "sms"


def test_best_channel_counts_the_shops_twelve_calendar_months(make_workspace):
    ws = _ann(make_workspace)
    email, sms = plan(ws, ("email", "2029-02-28T12:00"), ("sms", "2029-02-28T13:00"), mode="best_channel")
    assert email.eligible == [1] and sms.eligible == []
    email, sms = plan(ws, ("email", "2029-02-27T12:00"), ("sms", "2029-02-27T13:00"), mode="best_channel",
                      name="Earlier")
    assert email.eligible == [] and sms.eligible == [1]
