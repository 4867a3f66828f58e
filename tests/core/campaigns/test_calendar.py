"""The campaign calendar: entries on the viewer's clock, their conflicts, moving a step, what is due."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from sqlalchemy import update

from omnidesk.core.campaigns.calendar import (MESSAGE_ERRORS, NO_VARIANT, QUIET_HOURS, calendar_entries, core_channel,
                                              due_soon, move_step, reminder_text)
from omnidesk.core.campaigns.campaign import get_campaign, save_campaign
from omnidesk.core.campaigns.guards import most_in_a_window
from omnidesk.core.channels import channel
from omnidesk.core.errors import UserError
from omnidesk.core.messages.brand import set_brand
from omnidesk.core.messages.store import save_message
from omnidesk.core.models import CampaignStep
from omnidesk.core.segments import save_segment

BERLIN, NEW_YORK = "Europe/Berlin", "America/New_York"
SAME = "another step to the same audience within 7 days"


@pytest.fixture
def shop(make_workspace):
    ws = make_workspace(timezone=BERLIN)
    # A postal address: the email variant passes its check unless a test takes it away.
    set_brand(ws, "address", "1 Market Street, Springfield")
    save_message(ws, "Sale", {"headline": "Sale", "link": "https://hc.example/a"},
                 channels=["email", "sms", "instagram", "store", "website"])
    return ws


def plan(ws, name, *steps, audience="everyone", mode="each_channel"):
    return save_campaign(ws, name, message="Sale", audience=audience, mode=mode, replace=True,
                         steps=[{"channel": c, "at": at, "timezone": zone} for c, at, zone in steps])


def by_step(entries):
    return {(e.campaign, e.channel): e for e in entries}


def test_every_message_channel_maps_to_the_core_channel_that_colours_it():
    assert [core_channel(c) for c in ("email", "sms", "facebook", "instagram", "x", "linkedin", "threads",
                                      "bluesky", "google", "store", "website")] == [
        "email", "sms", *["social"] * 7, "in_store", "web"]
    assert core_channel("carrier_pigeon") == "carrier_pigeon"
    assert channel(core_channel("store")).label == "In store"


def test_entries_show_steps_on_the_viewers_clock_across_dst(shop):
    # 28 March 2027: Berlin springs forward; New York did so on 14 March.  The same week, each
    # step written on its own clock, seen from New York.
    plan(shop, "Spring", ("email", "2027-03-27T09:00", BERLIN), ("instagram", "2027-03-29T09:00", BERLIN),
         ("sms", "2027-03-13T10:00", NEW_YORK), ("store", "2027-03-15T10:00", NEW_YORK))
    entries = calendar_entries(shop, date(2027, 3, 1), date(2027, 3, 31), NEW_YORK)
    got = by_step(entries)
    # Before Berlin's change: 08:00 UTC = 04:00 in New York (already on summer time).
    assert got["Spring", "email"].at_local == datetime(2027, 3, 27, 4, 0, tzinfo=ZoneInfo(NEW_YORK))
    assert got["Spring", "email"].at_utc == datetime(2027, 3, 27, 8, 0, tzinfo=UTC)
    # After it: 07:00 UTC = 03:00 in New York.
    assert got["Spring", "instagram"].at_local.hour == 3
    assert got["Spring", "sms"].at_utc == datetime(2027, 3, 13, 15, 0, tzinfo=UTC)  # EST, -5
    assert got["Spring", "store"].at_utc == datetime(2027, 3, 15, 14, 0, tzinfo=UTC)  # EDT, -4
    assert [e.channel for e in entries] == ["sms", "store", "email", "instagram"]
    assert got["Spring", "instagram"].color == channel("social").color and got["Spring", "instagram"].label == "Instagram"
    assert got["Spring", "store"].color == channel("in_store").color
    assert got["Spring", "email"].step_local.hour == 9 and got["Spring", "email"].timezone == BERLIN
    assert not any(e.exported for e in entries)


def test_the_range_is_days_on_the_viewers_clock(shop):
    # 23:30 in New York on 31 March is already 1 April in Berlin.
    plan(shop, "Late", ("email", "2027-04-01T05:30", BERLIN))
    assert [e.at_local.day for e in calendar_entries(shop, date(2027, 3, 31), date(2027, 3, 31), NEW_YORK)] == [31]
    assert calendar_entries(shop, date(2027, 4, 1), date(2027, 4, 30), NEW_YORK) == []
    assert len(calendar_entries(shop, date(2027, 4, 1), date(2027, 4, 1), BERLIN)) == 1
    with pytest.raises(UserError, match="not a time zone"):
        calendar_entries(shop, date(2027, 4, 1), date(2027, 4, 1), "Mars/Olympus")


def test_two_campaigns_to_overlapping_audiences_within_the_cap_window_conflict(shop):
    save_segment(shop, "VIP", {"all": [{"field": "orders", "op": "gte", "value": 3}]})
    save_segment(shop, "New", {"all": [{"field": "orders", "op": "is", "value": 0}]})
    plan(shop, "Spring", ("email", "2027-03-01T10:00", BERLIN), ("instagram", "2027-03-02T10:00", BERLIN),
         ("email", "2027-03-04T10:00", BERLIN), audience="VIP")
    plan(shop, "Easter", ("sms", "2027-03-07T12:00", BERLIN), audience="VIP")
    plan(shop, "Welcome", ("email", "2027-03-03T10:00", BERLIN), audience="New")
    entries = calendar_entries(shop, date(2027, 3, 1), date(2027, 3, 31), BERLIN)
    conflicts = {(e.campaign, e.at_local.day): e.conflicts for e in entries}
    # Spring's own two emails are its plan; Easter's SMS is 6 days 2 hours after the 1 March email.
    assert conflicts["Spring", 1] == [SAME] and conflicts["Spring", 4] == [SAME] and conflicts["Easter", 7] == [SAME]
    assert conflicts["Spring", 2] == []  # a post on Instagram reaches whoever looks
    assert conflicts["Welcome", 3] == []  # a different audience
    plan(shop, "Everyone", ("email", "2027-03-10T10:00", BERLIN))
    entries = calendar_entries(shop, date(2027, 3, 1), date(2027, 3, 31), BERLIN)
    conflicts = {(e.campaign, e.at_local.day): e.conflicts for e in entries}
    assert conflicts["Everyone", 10] == [SAME]  # everyone overlaps with VIP's SMS of the 7th
    assert conflicts["Welcome", 3] == []  # 7 days to the hour is outside the window
    shop.set_setting("cap_days", 4)
    entries = calendar_entries(shop, date(2027, 3, 1), date(2027, 3, 31), BERLIN)
    four = ["another step to the same audience within 4 days"]
    assert {(e.campaign, e.at_local.day): e.conflicts for e in entries if e.channel in ("email", "sms")} == {
        ("Spring", 1): [], ("Welcome", 3): [], ("Spring", 4): four, ("Easter", 7): four, ("Everyone", 10): four}
    shop.set_setting("cap_messages", 0)  # no cap: nothing to conflict with
    assert not any(e.conflicts for e in calendar_entries(shop, date(2027, 3, 1), date(2027, 3, 31), BERLIN))


def test_the_cap_window_is_calendar_days_on_the_shops_clock_as_the_guards_count_it(shop):
    """The warning measured 24-hour spans: across spring-forward the same time a week later (167
    hours) was flagged though the caps let it through, and across fall-back 6 days 23 h 30 on the
    clock (7 days 30 min of real time), which the caps count in one week, was not."""
    shop.set_setting("timezone", NEW_YORK)
    plan(shop, "A", ("email", "2026-03-02T09:00", NEW_YORK))
    plan(shop, "B", ("email", "2026-03-09T09:00", NEW_YORK))
    plan(shop, "C", ("email", "2026-10-26T09:00", NEW_YORK))
    plan(shop, "D", ("email", "2026-11-02T08:30", NEW_YORK))
    conflicts = {e.campaign: e.conflicts for e in calendar_entries(shop, date(2026, 3, 1), date(2026, 11, 30), BERLIN)}
    assert conflicts == {"A": [], "B": [], "C": [SAME], "D": [SAME]}
    # Exactly what the caps count: one cap per week lets B through after A, and holds D back after C.
    clock, week = ZoneInfo(NEW_YORK), timedelta(days=7)
    for first, second in (("A", "B"), ("C", "D")):
        (one,), (two,) = get_campaign(shop, first).steps, get_campaign(shop, second).steps
        assert bool(most_in_a_window([one.at_utc], two.at_utc, week, clock)) == bool(conflicts[second])


def test_a_step_just_outside_the_range_still_conflicts_with_one_inside(shop):
    plan(shop, "A", ("email", "2027-03-31T20:00", BERLIN))
    plan(shop, "B", ("email", "2027-04-02T10:00", BERLIN))
    (entry,) = calendar_entries(shop, date(2027, 3, 1), date(2027, 3, 31), BERLIN)
    assert entry.conflicts == [SAME]


def test_sms_inside_quiet_hours_on_the_workspaces_clock(shop):
    # 22:30 in New York is 04:30 in Berlin, the workspace's zone: quiet there.  14:00 in New York
    # is 20:00 in Berlin: fine.  Across Berlin's DST change, 07:30 is still quiet.
    plan(shop, "Night", ("sms", "2027-03-01T22:30", NEW_YORK), ("sms", "2027-03-10T14:00", NEW_YORK),
         ("sms", "2027-03-28T07:30", BERLIN), ("email", "2027-03-20T23:00", BERLIN), mode="best_channel")
    entries = calendar_entries(shop, date(2027, 3, 1), date(2027, 3, 31), NEW_YORK)
    assert [(e.channel, e.conflicts) for e in entries] == [
        ("sms", [QUIET_HOURS]), ("sms", []), ("email", []), ("sms", [QUIET_HOURS])]
    shop.set_setting("quiet_start", "23:00")
    shop.set_setting("quiet_end", "07:00")
    entries = calendar_entries(shop, date(2027, 3, 1), date(2027, 3, 31), NEW_YORK)
    assert [e.conflicts for e in entries] == [[QUIET_HOURS], [], [], []]


def test_without_a_shop_zone_quiet_hours_are_read_on_the_steps_own_clock(make_workspace):
    """The guards fall back on the step's zone; the calendar read UTC: a text at 22:00 in Tokyo
    (13:00 UTC) was shown fine and one at 18:00 in New York (23:00 UTC) as inside quiet hours."""
    ws = make_workspace()
    assert not ws.get_setting("timezone")
    save_message(ws, "Sale", {"headline": "Sale", "link": "https://hc.example/a"}, channels=["sms"])
    plan(ws, "Evening", ("sms", "2027-03-01T22:00", "Asia/Tokyo"), ("sms", "2027-03-02T18:00", NEW_YORK))
    entries = calendar_entries(ws, date(2027, 2, 28), date(2027, 3, 3), NEW_YORK)
    assert [(e.timezone, e.conflicts) for e in entries] == [("Asia/Tokyo", [QUIET_HOURS]), (NEW_YORK, [])]


def test_a_step_whose_message_fails_its_check(shop):
    set_brand(shop, "address", "")  # an email must carry the postal address
    plan(shop, "Spring", ("email", "2027-03-01T10:00", BERLIN), ("sms", "2027-03-01T12:00", BERLIN),
         ("facebook", "2027-03-01T14:00", BERLIN), mode="best_channel")
    got = by_step(calendar_entries(shop, date(2027, 3, 1), date(2027, 3, 1), BERLIN))
    assert got["Spring", "email"].conflicts == [MESSAGE_ERRORS]
    assert got["Spring", "sms"].conflicts == []
    assert got["Spring", "facebook"].conflicts == [NO_VARIANT.format(label="Facebook")]
    set_brand(shop, "address", "1 Market Street, Springfield")
    assert by_step(calendar_entries(shop, date(2027, 3, 1), date(2027, 3, 1), BERLIN))["Spring", "email"].conflicts == []
    save_campaign(shop, "Bare", message=None, steps=[{"channel": "store", "at": "2027-03-01T10:00",
                                                      "timezone": BERLIN}])
    got = by_step(calendar_entries(shop, date(2027, 3, 1), date(2027, 3, 1), BERLIN))
    assert got["Bare", "store"].conflicts == ["the campaign has no message"]


def export(ws, step_id):
    with ws.writing() as conn:
        conn.execute(update(CampaignStep.__table__).where(CampaignStep.__table__.c.id == step_id)
                     .values(exported_at="2027-02-20T10:00:00+00:00"))


def test_move_step_keeps_the_steps_zone_and_recomputes_utc(shop):
    plan(shop, "Spring", ("email", "2027-03-26T09:00", BERLIN), ("sms", "2027-03-26T10:00", BERLIN))
    email = get_campaign(shop, "Spring").steps[0]
    # Seen from New York, dragged to Monday 29 March 09:00 there: 13:00 UTC, 15:00 in Berlin (now CEST).
    moved = move_step(shop, email.id, datetime(2027, 3, 29, 9, 0), NEW_YORK)
    step = moved.steps[0]
    assert (step.id, step.at_local, step.timezone) == (email.id, "2027-03-29T15:00:00", BERLIN)
    assert step.at_utc == datetime(2027, 3, 29, 13, 0, tzinfo=UTC)
    with shop.engine.connect() as conn:
        stored = conn.execute(CampaignStep.__table__.select().where(CampaignStep.__table__.c.id == email.id)).first()
    assert stored.at_utc == "2027-03-29T13:00:00Z"
    (entry,) = [e for e in calendar_entries(shop, date(2027, 3, 29), date(2027, 3, 29), NEW_YORK)]
    assert entry.at_local.replace(tzinfo=None) == datetime(2027, 3, 29, 9, 0)
    # An aware time is taken as it is; the other step did not move.
    moved = move_step(shop, email.id, datetime(2027, 3, 28, 1, 0, tzinfo=UTC), NEW_YORK)
    assert [s.at_local for s in moved.steps] == ["2027-03-28T03:00:00", "2027-03-26T10:00:00"]


def test_move_step_into_the_hour_a_dst_change_skips(shop):
    plan(shop, "Spring", ("sms", "2027-03-26T10:00", BERLIN))
    sms = get_campaign(shop, "Spring").steps[0]
    moved = move_step(shop, sms.id, datetime(2027, 3, 28, 2, 30), BERLIN)
    assert moved.steps[0].at_local == "2027-03-28T03:30:00"
    assert moved.steps[0].at_utc == datetime(2027, 3, 28, 1, 30, tzinfo=UTC)


def test_move_step_into_the_second_pass_of_a_repeated_hour_is_refused_changing_nothing(shop):
    """06:30 in London on 1 November 2026 is New York's second 01:30: kept as 01:30 on the step's
    clock it went out the first time round, at 05:30 UTC, while the row said 06:30."""
    shop.set_setting("timezone", "Europe/London")
    plan(shop, "A", ("instagram", "2026-10-30T12:00", NEW_YORK))
    (post,) = get_campaign(shop, "A").steps
    with pytest.raises(UserError, match=r"second time 01:30 comes round .* goes out the first time round "
                                        r"\(05:30 on this clock\)\. Move it out of the repeated hour, or to 05:30\."):
        move_step(shop, post.id, datetime(2026, 11, 1, 6, 30), "Europe/London")
    with pytest.raises(UserError, match="second time 01:30"):  # the same moment given aware
        move_step(shop, post.id, datetime(2026, 11, 1, 6, 30, tzinfo=UTC), BERLIN)
    with shop.engine.connect() as conn:
        stored = conn.execute(CampaignStep.__table__.select().where(CampaignStep.__table__.c.id == post.id)).first()
    assert (stored.at_local, stored.at_utc) == ("2026-10-30T12:00:00", "2026-10-30T16:00:00Z")
    # The first time round, and the hours either side of the repeated one, move as they read.
    for utc, local in ((5, "2026-11-01T01:30:00"), (7, "2026-11-01T02:30:00"), (4, "2026-11-01T00:30:00")):
        (step,) = move_step(shop, post.id, datetime(2026, 11, 1, utc, 30), "Europe/London").steps
        assert (step.at_local, step.at_utc) == (local, datetime(2026, 11, 1, utc, 30, tzinfo=UTC))
        (entry,) = calendar_entries(shop, date(2026, 11, 1), date(2026, 11, 1), "Europe/London")
        assert entry.at_local.replace(tzinfo=None) == datetime(2026, 11, 1, utc, 30)


def test_move_step_refuses_an_exported_step_and_a_missing_one_changing_nothing(shop):
    plan(shop, "Spring", ("email", "2027-03-26T09:00", BERLIN))
    email = get_campaign(shop, "Spring").steps[0]
    export(shop, email.id)
    with pytest.raises(UserError) as refused:
        move_step(shop, email.id, datetime(2027, 3, 29, 9, 0), BERLIN)
    assert str(refused.value) == "The Email step of Spring was exported already, so it stays at its time."
    assert "\n" not in str(refused.value)
    assert get_campaign(shop, "Spring").steps[0].at_local == "2027-03-26T09:00:00"
    with pytest.raises(UserError, match="no campaign step #999"):
        move_step(shop, 999, datetime(2027, 3, 29, 9, 0), BERLIN)
    with pytest.raises(UserError, match="not a time zone"):
        move_step(shop, email.id, datetime(2027, 3, 29, 9, 0), "Berlin")
    (entry,) = calendar_entries(shop, date(2027, 3, 26), date(2027, 3, 26), BERLIN)
    assert entry.exported


def test_due_soon_lists_steps_not_exported_within_the_window(shop):
    plan(shop, "Spring", ("sms", "2027-03-01T10:45", BERLIN), ("email", "2027-03-01T10:30", BERLIN),
         ("instagram", "2027-03-01T11:30", BERLIN), ("store", "2027-03-01T09:59", BERLIN))
    plan(shop, "Spring NY", ("sms", "2027-03-01T04:50", NEW_YORK))  # 10:50 in Berlin
    email = next(s for s in get_campaign(shop, "Spring").steps if s.channel == "email")
    export(shop, email.id)
    with time_machine.travel(datetime(2027, 3, 1, 9, 0, tzinfo=UTC), tick=False):  # 10:00 in Berlin
        now = datetime.now(UTC)
        due = due_soon(shop, now, timedelta(hours=1))
    assert [(e.campaign, e.channel) for e in due] == [("Spring", "sms"), ("Spring NY", "sms")]
    assert due[0].at_local == datetime(2027, 3, 1, 10, 45, tzinfo=ZoneInfo(BERLIN))
    assert due_soon(shop, datetime(2027, 3, 1, 9, 0), timedelta(hours=1)) == due  # naive: UTC
    assert [e.channel for e in due_soon(shop, now, timedelta(hours=2))] == ["sms", "sms", "instagram"]
    assert due_soon(shop, now + timedelta(hours=3), timedelta(hours=1)) == []


def test_the_reminder_sentence(shop):
    plan(shop, "Spring sale", ("sms", "2027-03-01T10:45", BERLIN), ("store", "2027-03-01T11:00", BERLIN))
    sms, poster = calendar_entries(shop, date(2027, 3, 1), date(2027, 3, 1), BERLIN)
    now = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)
    assert reminder_text(sms, now) == "SMS step of Spring sale due in 45 min — export the pack"
    assert reminder_text(poster, now) == "In-store poster step of Spring sale due in 1 h — export the pack"
    assert reminder_text(poster, datetime(2027, 3, 1, 8, 25)) == ("In-store poster step of Spring sale due in "
                                                                   "1 h 35 min — export the pack")
    assert reminder_text(sms, datetime(2027, 3, 1, 9, 45, 20, tzinfo=UTC)) == ("SMS step of Spring sale due now — "
                                                                              "export the pack")
