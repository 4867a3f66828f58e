"""Who each campaign step reaches: consent, addresses, best channel, quiet hours, frequency caps."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime

import pytest
import time_machine
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import insert

from omnidesk.core.campaigns import guards
from omnidesk.core.campaigns.campaign import get_campaign, save_campaign
from omnidesk.core.messages.store import save_message
from omnidesk.core.contact import mailbox_of
from omnidesk.core.models import CampaignStep, Customer, Event, Identifier, ImportBatch, SendRecord, SourceRecord
from omnidesk.core.workspace import Workspace

_RUNS = itertools.count()
NY, LA = "+12125550101", "+12135550102"  # Manhattan and Los Angeles area codes
PEOPLE = {  # id: (email, phone, consent_email, consent_sms, orders)
    1: ("ann@example.com", NY, "granted", "granted", 2),
    2: ("bob@example.com", LA, "granted", "granted", 0),
    3: ("cy@example.com", None, "unsubscribed", None, 1),
    4: (None, "+12125550104", None, "granted", 0),  # Manhattan numbers of their own: a number shared
    5: ("dee@example.com", "+12125550105", None, "denied", 3),  # with Dee, who said no, is out too
    6: ("eve@example.com", "+61412345678", "pending", "granted", 0),
}


def build(ws: Workspace, people=PEOPLE, *, message: bool = True) -> None:
    with ws.writing() as conn:
        batch = conn.execute(insert(ImportBatch.__table__).values(
            file_name="people.csv", file_hash="x", channel="shop", kind="contacts", status="done",
            header_json="[]", mapping_json="[]", options_json="{}")).inserted_primary_key[0]
        for cid, (email, phone, ce, cs, orders) in people.items():
            conn.execute(insert(Customer.__table__).values(id=cid, display_name=f"P{cid}", email=email, phone=phone,
                                                           consent_email=ce, consent_sms=cs, orders=orders))
            conn.execute(insert(SourceRecord.__table__).values(
                id=cid, batch_id=batch, record_no=cid, channel="shop", kind="contacts", row_hash=f"h{cid}",
                raw_json="[]", customer_id=cid))
            # The record's addresses as an import indexes them: every card address is an identifier.
            for kind, value in (("email", email), ("phone", phone)):
                if value:
                    conn.execute(insert(Identifier.__table__).values(
                        record_id=cid, kind=kind, value=value, mailbox=mailbox_of(value) if kind == "email" else None))
    if message:
        save_message(ws, "Sale", {"headline": "Sale", "link": "https://hc.example/a"})


@pytest.fixture
def shop(make_workspace):
    ws = make_workspace(timezone="America/New_York")
    build(ws)
    return ws


def plan(ws, *steps, mode="each_channel", name="Spring", audience="everyone"):
    save_campaign(ws, name, message="Sale", audience=audience, mode=mode, replace=True,
                  steps=[{"channel": c, "at": at, "timezone": "America/New_York"} for c, at in steps])
    return guards.plan_audiences(ws, get_campaign(ws, name))


def test_consent_and_addresses_decide_who_a_step_reaches(shop):
    email, sms, post = plan(shop, ("email", "2027-03-01T10:00"), ("sms", "2027-03-01T11:00"),
                            ("instagram", "2027-03-01T12:00"))
    assert email.eligible == [1, 2]
    # Cy said no; Eve signed up and never confirmed; Dee and no-email 4 said nothing.
    assert email.counts() == {"opted out": 1, "not confirmed": 1, "consent unknown": 2}
    assert sorted(email.excluded["consent unknown"]) == [4, 5] and email.excluded["not confirmed"] == [6]
    assert sms.eligible == [1, 2, 4, 6] and sms.counts() == {"opted out": 1, "consent unknown": 1}
    assert post.eligible is None and post.excluded == {}


def test_settings_widen_unknown_consent_but_never_past_a_no(shop):
    shop.set_setting("send_unknown_email", True)
    (email,) = plan(shop, ("email", "2027-03-01T10:00"))
    assert email.eligible == [1, 2, 5] and email.excluded["no address"] == [4]
    # A sign-up never confirmed is not "nothing said": no setting sends to it.
    assert email.excluded["opted out"] == [3] and email.excluded["not confirmed"] == [6]
    shop.set_setting("send_unknown_email", False)
    shop.set_setting("soft_opt_in", True)
    (email,) = plan(shop, ("email", "2027-03-01T10:00"))
    assert email.eligible == [1, 2, 5]  # Dee has orders; Eve (pending, none) does not; Cy said no


def test_quiet_hours_on_the_recipients_clock_move_or_exclude(shop):
    # 22:30 in New York is quiet there, 19:30 in Los Angeles is not.
    (sms,) = plan(shop, ("sms", "2027-03-01T22:30"))
    assert sms.send_at[2] == datetime(2027, 3, 2, 3, 30, tzinfo=UTC) and 2 not in sms.moved
    assert sms.send_at[1] == datetime(2027, 3, 2, 13, 0, tzinfo=UTC) and 1 in sms.moved  # 08:00 in New York
    # Eve's Australian mobile rings in several zones: the window must hold in all of them.
    eve = sms.send_at[6]
    for zone in ("Australia/Perth", "Australia/Sydney", "Australia/Brisbane"):
        local = eve.astimezone(__import__("zoneinfo").ZoneInfo(zone)).time()
        assert not guards.Rules().in_quiet_hours(local), zone
    shop.set_setting("quiet_hours_action", "exclude")
    (sms,) = plan(shop, ("sms", "2027-03-01T22:30"))
    assert 1 in sms.excluded["quiet hours"] and 2 in sms.eligible


def test_quiet_hours_across_a_dst_change(shop):
    # New York springs forward on 14 March 2027: 07:30 local is still quiet, 08:00 EDT is 12:00 UTC.
    (sms,) = plan(shop, ("sms", "2027-03-14T07:30"))
    assert sms.send_at[1] == datetime(2027, 3, 14, 12, 0, tzinfo=UTC)


def test_frequency_caps_count_every_campaign_and_zero_means_no_cap(shop):
    shop.set_setting("cap_messages", 2)
    steps = (("email", "2027-03-01T10:00"), ("sms", "2027-03-02T12:00"), ("email", "2027-03-03T10:00"))
    first, second, third = plan(shop, *steps)
    assert 1 in first.eligible and 1 in second.eligible and 1 in third.excluded["frequency cap"]
    # A step of another campaign, exported, sent two days before: it counts too.
    plan(shop, ("sms", "2027-02-27T05:00"), name="Winter")
    with shop.writing() as conn:
        other = get_campaign(shop, "Winter").steps[0].id
        conn.execute(CampaignStep.__table__.update().where(CampaignStep.__table__.c.id == other)
                     .values(exported_at="2027-02-20T10:00:00+00:00"))
        conn.execute(insert(SendRecord.__table__).values(step_id=other, record_id=2, channel="sms",
                                                         send_utc="2027-02-27T10:00:00Z"))
    first, second, third = plan(shop, *steps)
    assert 2 in first.eligible and 2 in second.excluded["frequency cap"]
    shop.set_setting("cap_messages", 0)
    first, second, third = plan(shop, *steps)
    assert 1 in third.eligible and 2 in second.eligible
    shop.set_setting("cap_sms", 1)
    (a, b) = plan(shop, ("sms", "2027-03-01T12:00"), ("sms", "2027-03-02T12:00"))
    assert 1 in a.eligible and 1 in b.excluded["channel cap"]


def test_best_channel_gives_each_customer_one_step_the_one_they_use(shop):
    with shop.writing() as conn:
        for cid, channel, n in ((1, "sms", 3), (1, "email", 1), (2, "email", 2), (6, "email", 5)):
            for i in range(n):
                conn.execute(insert(Event.__table__).values(
                    batch_id=1, record_id=cid, customer_id=cid, channel=channel, type="open",
                    occurred_utc=f"2027-01-{10 + i:02d}T10:00:00"))
    email, sms = plan(shop, ("email", "2027-03-01T10:00"), ("sms", "2027-03-01T12:00"), mode="best_channel")
    assert email.eligible == [2] and sms.eligible == [1, 4, 6]  # Eve prefers email but only SMS is open to her
    assert 1 in email.excluded["another channel"]
    assert not set(email.eligible) & set(sms.eligible)


def _uses(ws, *counts):
    """(customer, channel, how many opens) as events in January, which best_channel goes by."""
    with ws.writing() as conn:
        for cid, channel, n in counts:
            for i in range(n):
                conn.execute(insert(Event.__table__).values(
                    batch_id=1, record_id=cid, customer_id=cid, channel=channel, type="open",
                    occurred_utc=f"2027-01-{10 + i:02d}T10:00:00"))


def _sent_before(ws, channel: str) -> None:
    """A message of another campaign, exported, sent to Ann on 28 February."""
    plan(ws, (channel, "2027-02-28T12:00"), name="Winter")
    with ws.writing() as conn:
        other = get_campaign(ws, "Winter").steps[0].id
        conn.execute(CampaignStep.__table__.update().where(CampaignStep.__table__.c.id == other)
                     .values(exported_at="2027-02-20T10:00:00+00:00"))
        conn.execute(insert(SendRecord.__table__).values(step_id=other, record_id=1, channel=channel,
                                                         send_utc="2027-02-28T17:00:00Z"))


def _ann_and_bob(make_workspace, **settings):
    ws = make_workspace(timezone="America/New_York")
    build(ws, {1: ("ann@example.com", NY, "granted", "granted", 1),
               2: ("bob@example.com", "+12125550102", "granted", "granted", 1)})
    for key, value in settings.items():
        ws.set_setting(key, value)
    _uses(ws, (1, "sms", 3), (1, "email", 1), (2, "sms", 3))
    return ws


def test_best_channel_falls_back_on_email_when_quiet_hours_leave_out_the_text(make_workspace):
    """Ann texts most, but the text would land at 22:30 and quiet hours say exclude: she used to get
    nothing at all, though her email was open (the check said "another channel" for it)."""
    ws = _ann_and_bob(make_workspace, quiet_hours_action="exclude")
    email, sms = plan(ws, ("email", "2027-03-01T10:00"), ("sms", "2027-03-01T22:30"), mode="best_channel")
    assert email.eligible == [1, 2] and sms.eligible == []
    # She got the campaign, by email: the text's "left out" says so, and she is no baseline of it.
    assert sms.excluded["another channel"] == [1, 2] and sms.excluded["quiet hours"] == []


def test_best_channel_falls_back_when_a_cap_leaves_out_the_favourite(make_workspace):
    ws = _ann_and_bob(make_workspace, cap_sms=1)
    _sent_before(ws, "sms")  # a text sent to Ann the day before
    email, sms = plan(ws, ("email", "2027-03-01T10:00"), ("sms", "2027-03-01T12:00"), mode="best_channel")
    assert (email.eligible, sms.eligible) == ([1], [2])
    assert sms.excluded["another channel"] == [1] and email.excluded["another channel"] == [2]


def test_best_channel_with_every_step_closed_names_each_reason(make_workspace):
    """No step takes Ann: each says why, and none says she was reached on another channel."""
    ws = _ann_and_bob(make_workspace, quiet_hours_action="exclude", cap_email=1)
    _sent_before(ws, "email")
    email, sms = plan(ws, ("email", "2027-03-01T10:00"), ("sms", "2027-03-01T22:30"), mode="best_channel")
    assert email.eligible == [2] and sms.eligible == []
    assert email.excluded["channel cap"] == [1] and sms.excluded["quiet hours"] == [1]
    assert 1 not in email.excluded["another channel"] + sms.excluded["another channel"]


def test_best_channel_gives_a_shared_mailbox_one_email_and_the_other_holder_their_text(make_workspace):
    """Ann and Bob share the family mailbox: one email goes there (Ann's, the first by id), and Bob,
    who used to get nothing ("same address"), gets the text his own number is open to."""
    ws = make_workspace(timezone="America/New_York")
    build(ws, {1: ("family@example.com", None, "granted", None, 1),
               2: ("family@example.com", "+12125550102", "granted", "granted", 1)})
    _uses(ws, (2, "email", 2), (2, "sms", 1))
    email, sms = plan(ws, ("email", "2027-03-01T10:00"), ("sms", "2027-03-01T12:00"), mode="best_channel")
    assert (email.eligible, sms.eligible) == ([1], [2])
    assert email.excluded["another channel"] == [2] and email.excluded["same address"] == []


def test_best_channel_sends_a_shared_mailbox_the_campaign_once(make_workspace):
    """Bob, left out of the first email because Ann's went to their mailbox, does not fall back on
    the second email: the mailbox would get the campaign twice."""
    ws = make_workspace(timezone="America/New_York")
    build(ws, {1: ("family@example.com", None, "granted", None, 1),
               2: ("family@example.com", None, "granted", None, 1)})
    first, second = plan(ws, ("email", "2027-03-01T10:00"), ("email", "2027-03-03T10:00"), mode="best_channel")
    assert (first.eligible, second.eligible) == ([1], [])
    assert first.excluded["same address"] == [2]


def test_best_channel_after_a_step_went_out_gives_the_others_the_steps_still_to_go(make_workspace, tmp_path):
    """Ann had her one step (the email, exported and gone out); Cy, added since and fond of email,
    gets the text still to go rather than nothing."""
    from omnidesk.core.campaigns.export import export_campaign
    from omnidesk.core.messages.brand import set_brand

    ws = _ann_and_bob(make_workspace)
    set_brand(ws, "address", "1 Market Street, Springfield")
    _uses(ws, (1, "email", 5))  # Ann now reads her email most
    save_campaign(ws, "Spring", message="Sale", mode="best_channel", replace=True,
                  steps=[{"channel": "email", "at": "2027-03-01T10:00", "timezone": "America/New_York"},
                         {"channel": "sms", "at": "2027-03-05T12:00", "timezone": "America/New_York"}])
    export_campaign(ws, "Spring", tmp_path / "packs", now=datetime(2027, 2, 20, tzinfo=UTC))
    build(ws, {3: ("cy@example.com", "+12125550103", "granted", "granted", 1)}, message=False)
    _uses(ws, (3, "email", 4))
    email, sms = guards.plan_audiences(ws, get_campaign(ws, "Spring"), now=datetime(2027, 3, 3, tzinfo=UTC))
    assert email.kept and email.eligible == [1]
    assert sms.eligible == [2, 3] and sms.excluded["another channel"] == [1]


def test_best_channel_holds_each_customer_out_of_one_step_only(make_workspace):
    """Every held-out customer was the baseline of both steps: the baselines added up to twice the
    hold-out, and one held-out order counted in each."""
    ws = make_workspace(timezone="America/New_York")
    build(ws, {cid: (f"p{cid}@example.com", f"+1212555{cid:04d}", "granted", "granted", 1) for cid in range(1, 41)})
    _uses(ws, *[(cid, "email" if cid <= 20 else "sms", 2) for cid in range(1, 41)])
    save_campaign(ws, "Spring", message="Sale", mode="best_channel", replace=True, holdout_percent=25,
                  steps=[{"channel": "email", "at": "2027-03-01T10:00", "timezone": "America/New_York"},
                         {"channel": "sms", "at": "2027-03-01T12:00", "timezone": "America/New_York"}])
    email, sms = guards.plan_audiences(ws, get_campaign(ws, "Spring"))
    held_email, held_sms = set(email.excluded["held out"]), set(sms.excluded["held out"])
    assert held_email and held_sms and not held_email & held_sms
    assert held_email <= set(range(1, 21)) and held_sms <= set(range(21, 41))  # of the step they would get
    assert len(held_email | held_sms) + len(email.eligible) + len(sms.eligible) == 40


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(people=st.dictionaries(
    st.integers(1, 40),
    st.tuples(st.sampled_from([None, "x@example.com", "family@example.com"]), st.sampled_from([None, NY, LA]),
              st.sampled_from([None, "granted", "denied", "unsubscribed", "cleaned", "pending"]),
              st.sampled_from([None, "granted", "denied", "unsubscribed", "pending"]), st.integers(0, 2)),
    min_size=1, max_size=25),
    cap=st.integers(0, 3), unknown=st.booleans(), soft=st.booleans(), best=st.booleans())
def test_nobody_opted_out_is_ever_sent_to_and_no_cap_is_exceeded(make_workspace, people, cap, unknown, soft, best):
    ws = make_workspace(name=f"p{next(_RUNS)}.omnidesk")
    # Every other customer has an email of their own; the family address is shared by those given it.
    people = {cid: (e.replace("x@", f"c{cid}@") if e == "x@example.com" else e, p, ce, cs, o)
              for cid, (e, p, ce, cs, o) in people.items()}
    build(ws, people)
    ws.set_setting("cap_messages", cap)
    ws.set_setting("send_unknown_email", unknown)
    ws.set_setting("send_unknown_sms", unknown)
    ws.set_setting("soft_opt_in", soft)
    steps = [("email", "2027-03-01T10:00"), ("sms", "2027-03-01T23:00"), ("email", "2027-03-02T10:00"),
             ("sms", "2027-03-03T10:00")]
    result = plan(ws, *steps, mode="best_channel" if best else "each_channel")
    sent: dict[int, int] = {}
    for step in result:
        # One message per mailbox or phone, however many customers share it.
        addresses = [people[cid][0 if step.step.channel == "email" else 1] for cid in step.eligible]
        assert len(addresses) == len(set(addresses))
        for cid in step.eligible:
            email, phone, ce, cs, _orders = people[cid]
            consent = ce if step.step.channel == "email" else cs
            assert consent not in ("denied", "unsubscribed", "cleaned", "pending")
            assert (email if step.step.channel == "email" else phone)
            # Nor anyone whose address or number is also that of someone who said no there.
            address = email if step.step.channel == "email" else phone
            refused = [other for other in people.values()
                       if (other[0] if step.step.channel == "email" else other[1]) == address
                       and (other[2] if step.step.channel == "email" else other[3]) in ("denied", "unsubscribed",
                                                                                        "cleaned")]
            assert not refused, (cid, address)
            sent[cid] = sent.get(cid, 0) + 1
    if cap:
        assert all(n <= cap for n in sent.values())
    if best:
        per_channel = {}
        for step in result:
            for cid in step.eligible:
                per_channel.setdefault(cid, set()).add(step.step.channel)
        assert all(len(channels) == 1 for channels in per_channel.values())
        # One message per campaign to a mailbox or number, whoever of its holders it is for.
        reached = [people[cid][0 if step.step.channel == "email" else 1] for step in result for cid in step.eligible]
        assert len(reached) == len(set(reached))


def test_an_address_in_a_one_clock_country_sets_the_quiet_hours_before_the_number(shop):
    # Ann lives in Britain but kept her New York mobile: 22:30 in New York is 03:30 in London.
    with shop.writing() as conn:
        conn.exec_driver_sql("UPDATE customer SET country = 'GB' WHERE id = 1")
        conn.exec_driver_sql("UPDATE customer SET country = 'US' WHERE id = 2")  # several clocks: the number's
    (sms,) = plan(shop, ("sms", "2027-03-01T22:30"))
    assert sms.send_at[1] == datetime(2027, 3, 2, 8, 0, tzinfo=UTC) and sms.zones[1] == "Europe/London"
    assert sms.send_at[2] == datetime(2027, 3, 2, 3, 30, tzinfo=UTC) and sms.zones[2] == "America/Los_Angeles"


def test_an_opt_out_stops_the_address_and_the_number_for_everyone_who_shares_them(make_workspace):
    # The Bennetts share a mailbox and the shop's landline rings at two desks: Hannah said no to
    # email, a STOP from the landline withdrew its SMS consent; Leonard and the other desk said yes.
    ws = make_workspace(timezone="America/New_York")
    build(ws, {1: ("bennettfamily@example.com", "+12125550111", "denied", "granted", 0),
               2: ("bennettfamily@example.com", "+12125550112", "granted", "granted", 1),
               3: ("desk1@example.com", "+12125550199", "granted", "unsubscribed", 0),
               4: ("desk2@example.com", "+12125550199", "granted", "granted", 0),
               5: ("own@example.com", "+12125550155", "granted", "granted", 0)})
    email, sms = plan(ws, ("email", "2027-03-01T10:00"), ("sms", "2027-03-01T12:00"))
    assert email.eligible == [3, 4, 5] and email.excluded["opted out"] == [1, 2]
    assert sms.eligible == [1, 2, 5] and sms.excluded["opted out"] == [3, 4]


def bennetts(ws) -> None:
    """Hannah's card shows her own address, but the till's record of her carries the family's
    mailbox, which is Leonard's main one; the desk who sent STOP from the shop's landline has
    a mobile on the card, and the landline is the other desk's number."""
    from omnidesk.core.models import Identifier

    build(ws, {1: ("hannah@example.com", "+12125550111", "denied", "granted", 0),
               2: ("bennettfamily@example.com", "+12125550112", "granted", "granted", 1),
               3: ("desk1@example.com", "+12125550177", "granted", "unsubscribed", 0),
               4: ("desk2@example.com", "+12125550199", "granted", "granted", 0),
               5: ("own@example.com", "+12125550155", "granted", "granted", 0)})
    with ws.writing() as conn:
        for rid, (cid, kind, value) in enumerate((
                (1, "email", "hannah@example.com"), (1, "email", "bennettfamily@example.com"),
                (3, "phone", "+12125550177"), (3, "phone", "+12125550199")), start=11):
            conn.execute(insert(SourceRecord.__table__).values(
                id=rid, batch_id=1, record_no=rid, channel="pos", kind="contacts", row_hash=f"h{rid}",
                raw_json="[]", customer_id=cid))
            conn.execute(insert(Identifier.__table__).values(record_id=rid, kind=kind, value=value))


def test_an_opt_out_stops_an_address_the_customer_holds_beside_their_main_one(make_workspace):
    # A no stops the address, whichever of a customer's addresses it is (see bennetts).
    ws = make_workspace(timezone="America/New_York")
    bennetts(ws)
    email, sms = plan(ws, ("email", "2027-03-01T10:00"), ("sms", "2027-03-01T12:00"))
    assert email.eligible == [3, 4, 5] and email.excluded["opted out"] == [1, 2]
    assert sms.eligible == [1, 2, 5] and sms.excluded["opted out"] == [3, 4]
    # An opted-in customer's second address stops nobody.
    with ws.writing() as conn:
        conn.exec_driver_sql("UPDATE customer SET consent_email = 'granted' WHERE id = 1")
    (email,) = plan(ws, ("email", "2027-03-01T10:00"), name="Again")
    assert email.eligible == [1, 2, 3, 4, 5]


def test_a_shared_mailbox_or_phone_gets_a_step_once(make_workspace):
    # Two sisters on one family address, two colleagues on one office number: all said yes.
    ws = make_workspace(timezone="America/New_York")
    build(ws, {1: ("kings@example.com", "+12125550131", "granted", "granted", 0),
               2: ("kings@example.com", "+12125550132", "granted", "granted", 0),
               3: ("a@example.com", "+12125550133", "granted", "granted", 0),
               4: ("b@example.com", "+12125550133", "granted", "granted", 0)})
    email, sms = plan(ws, ("email", "2027-03-01T10:00"), ("sms", "2027-03-01T23:00"))
    assert email.eligible == [1, 3, 4] and email.excluded["same address"] == [2]
    assert sms.eligible == [1, 2, 3] and sms.excluded["same address"] == [4]
    assert set(sms.send_at) == {1, 2, 3} and sms.moved == {1, 2, 3}  # 23:00 is quiet: moved, once each


def test_a_text_moved_out_of_quiet_hours_goes_when_they_end_not_minutes_after(shop):
    # 21:10 in New York is quiet: the text waited in quarter hours from 21:10 and went at 08:10.
    (sms,) = plan(shop, ("sms", "2027-03-13T21:10"))  # the night the clocks go forward
    assert sms.send_at[1] == datetime(2027, 3, 14, 12, 0, tzinfo=UTC)  # 08:00 EDT
    assert sms.send_at[2] == datetime(2027, 3, 14, 2, 10, tzinfo=UTC)  # 18:10 in Los Angeles: not quiet
    assert guards.next_allowed(datetime(2027, 3, 2, 2, 10, tzinfo=UTC), ("America/New_York", "America/Chicago"),
                               guards.Rules()) == datetime(2027, 3, 2, 14, 0, tzinfo=UTC)  # 08:00 in Chicago


def test_without_a_shop_zone_a_recipient_with_no_clock_keeps_the_steps_not_utcs(make_workspace):
    # No time zone set for the workspace, and a number that rings in no known zone: the quiet
    # hours are read on the clock the step was planned on (New York), not on UTC's.
    ws = make_workspace()
    build(ws, {1: (None, "+80012345678", None, "granted", 0)})
    (sms,) = plan(ws, ("sms", "2027-03-01T22:30"))  # 03:30 UTC: outside UTC's quiet hours, inside New York's
    assert sms.zones[1] == "America/New_York" and 1 in sms.moved
    assert sms.send_at[1] == datetime(2027, 3, 2, 13, 0, tzinfo=UTC)  # 08:00 in New York


def test_another_spelling_of_a_mailbox_that_said_stop_is_out_too(make_workspace):
    # bobsmith@gmail.com unsubscribed; bob.smith@gmail.com (the same Gmail mailbox: dots and a
    # "+tag" do not count) and carol+news@ beside carol@'s stop were still in the email pack.
    from omnidesk.core.campaigns.guards import mailbox_key

    ws = make_workspace(timezone="America/New_York")
    build(ws, {1: ("bobsmith@gmail.com", None, "unsubscribed", None, 0),
               2: ("Bob.Smith+news@googlemail.com", None, "granted", None, 0),
               3: ("carol@shop.example", None, "unsubscribed", None, 0),
               4: ("carol+news@shop.example", None, "granted", None, 0),
               5: ("b.obsmith@example.com", None, "granted", None, 0)})  # dots count outside Gmail
    (email,) = plan(ws, ("email", "2027-03-01T10:00"))
    assert email.eligible == [5] and email.excluded["opted out"] == [1, 2, 3, 4]
    assert mailbox_key("Bob.Smith+news@googlemail.com") == "bobsmith@gmail.com"
    assert mailbox_key("b.obsmith@example.com") == "b.obsmith@example.com"


def _plan_on(ws, zone, *steps, name="Spring"):
    save_campaign(ws, name, message="Sale", audience="everyone", mode="each_channel", replace=True,
                  steps=[{"channel": c, "at": at, "timezone": zone} for c, at in steps])
    return guards.plan_audiences(ws, get_campaign(ws, name))


@pytest.mark.parametrize("first", ["Noronha", "Sao Paulo"])
def test_numbers_sharing_an_area_code_keep_each_their_own_clock(make_workspace, first):
    # Recife's 81 3013 rings on Fernando de Noronha's clock (UTC-2), 81 3019 on Sao Paulo's
    # (UTC-3): 07:30 in Sao Paulo is 08:30 on the island.  Whichever number is read first, each
    # keeps its own clock; so do Lord Howe Island's 2 5505 3 and Sydney's 2 5505 0.
    noronha, sao_paulo = "+558130130123", "+558130190123"
    pair = (noronha, sao_paulo) if first == "Noronha" else (sao_paulo, noronha)
    ws = make_workspace(timezone="America/New_York")
    build(ws, {1: (None, pair[0], None, "granted", 0), 2: (None, pair[1], None, "granted", 0),
               3: (None, "+61255053123", None, "granted", 0), 4: (None, "+61255050123", None, "granted", 0)})
    guards._ZONES_BY_PREFIX.clear()
    phones = {1: pair[0], 2: pair[1]}
    (sms,) = _plan_on(ws, "America/Sao_Paulo", ("sms", "2027-06-01T07:30"))
    for cid, phone in phones.items():
        if phone == noronha:
            assert sms.zones[cid] == "America/Noronha" and sms.send_at[cid] == datetime(2027, 6, 1, 10, 30, tzinfo=UTC)
        else:
            assert sms.zones[cid] == "America/Sao_Paulo" and cid in sms.moved
            assert sms.send_at[cid] == datetime(2027, 6, 1, 11, 0, tzinfo=UTC)  # 08:00 in Sao Paulo
    # 07:45 in Sydney is 08:15 on Lord Howe Island (UTC+10:30 in June).
    (sms,) = _plan_on(ws, "Australia/Sydney", ("sms", "2027-06-01T07:45"), name="Down under")
    assert sms.zones[3] == "Australia/Lord_Howe" and 3 not in sms.moved
    assert sms.zones[4] == "Australia/Sydney" and sms.send_at[4] == datetime(2027, 5, 31, 22, 0, tzinfo=UTC)
    # The same numbers asked the other way round, one at a time.
    guards._ZONES_BY_PREFIX.clear()
    assert guards.phone_zones("+61255050123") == ("Australia/Sydney",)
    assert guards.phone_zones("+61255053123") == ("Australia/Lord_Howe",)


def test_one_mailbox_gets_a_step_once_however_its_address_is_written(make_workspace):
    # carol+news@ reaches carol@'s mailbox; j.o.e@gmail.com and joe@googlemail.com are one Gmail
    # mailbox.  Four customers who said yes, two mailboxes: two emails.
    ws = make_workspace(timezone="America/New_York")
    build(ws, {1: ("carol+news@shop.example", None, "granted", None, 0),
               2: ("carol@shop.example", None, "granted", None, 0),
               3: ("joe@googlemail.com", None, "granted", None, 0),
               4: ("j.o.e@gmail.com", None, "granted", None, 0),
               5: ("j.o.e@example.com", None, "granted", None, 0),  # dots count outside Gmail
               6: ("joe@example.com", None, "granted", None, 0)})
    (email,) = plan(ws, ("email", "2027-03-01T10:00"))
    assert email.eligible == [1, 3, 5, 6] and email.excluded["same address"] == [2, 4]
    assert set(email.send_at) == {1, 3, 5, 6}


def test_a_shared_number_or_mailbox_is_capped_like_a_person(make_workspace, tmp_path):
    # Carl and Dana share a phone, Carol's two addresses reach one mailbox; one message a week.
    # Monday's campaign went to Carl and carol@ (Dana and carol+news@ left out as the same
    # address); on Tuesday Carl and carol@ are capped, and so are the number and the mailbox.
    from omnidesk.core.campaigns.export import export_campaign
    from omnidesk.core.messages.brand import set_brand

    ws = make_workspace(timezone="America/New_York")
    build(ws, {1: ("carl@example.com", "+12125550113", "denied", "granted", 0),
               2: ("dana@example.com", "+12125550113", "denied", "granted", 0),
               3: ("carol@shop.example", None, "granted", None, 0),
               4: ("carol+news@shop.example", None, "granted", None, 0),
               5: (None, "+12125550155", None, "granted", 0)})
    ws.set_setting("cap_messages", 1)
    set_brand(ws, "address", "1 Market Street, Springfield")
    set_brand(ws, "name", "Harbor")
    save_message(ws, "Sale", {"headline": "Sale", "link": "https://hc.example/a"}, variants={
        "sms": {"text": "Harbor: Sale! https://hc.example/a Reply STOP"}}, replace=True)
    monday = plan(ws, ("sms", "2027-03-03T12:00"), ("email", "2027-03-03T12:00"), name="S1")
    assert [a.eligible for a in monday] == [[1, 5], [3]]
    export_campaign(ws, "S1", tmp_path / "s1", now=datetime(2027, 2, 1, tzinfo=UTC))
    sms, email = plan(ws, ("sms", "2027-03-04T12:00"), ("email", "2027-03-04T13:00"), name="S2")
    assert sms.eligible == [] and sorted(sms.excluded["frequency cap"]) == [1, 2, 5]
    assert email.eligible == [] and sorted(email.excluded["frequency cap"]) == [3, 4]
    # Within one campaign too: a second text a day after the first reaches neither of them.
    first, second = plan(ws, ("sms", "2027-04-01T12:00"), ("sms", "2027-04-02T12:00"), name="S3")
    assert first.eligible == [1, 5] and first.excluded["same address"] == [2]
    assert second.eligible == [] and sorted(second.excluded["frequency cap"]) == [1, 2, 5]


def _exported_sends(ws, name: str, record_id: int, *times: str) -> None:
    """A campaign of another name exported long ago, whose sends to ``record_id`` went at ``times`` (UTC)."""
    plan(ws, *[("email", t[:16]) for t in times], name=name)
    with ws.writing() as conn:
        for step, at in zip(get_campaign(ws, name).steps, times):
            conn.execute(CampaignStep.__table__.update().where(CampaignStep.__table__.c.id == step.id)
                         .values(exported_at="2027-01-01T10:00:00+00:00"))
            conn.execute(insert(SendRecord.__table__).values(step_id=step.id, record_id=record_id, channel="email",
                                                             send_utc=at))


@time_machine.travel("2027-05-01 12:00Z", tick=False)  # before every send of the test
def test_the_frequency_cap_is_a_sliding_window_not_twice_its_length(shop):
    # Two a week.  Ann's newsletter went on Monday the 7th at 09:00 and on Monday the 14th at
    # 10:00, a week and an hour apart: no week holds both and a Thursday promo between them.
    shop.set_setting("cap_messages", 2)
    _exported_sends(shop, "Newsletter", 1, "2027-06-07T13:00:00Z", "2027-06-14T14:00:00Z")
    (promo,) = plan(shop, ("email", "2027-06-10T12:00"), name="Promo")
    assert 1 in promo.eligible
    # Sends on the 7th and the 12th are in one week with the 10th: that one is over the cap.
    _exported_sends(shop, "Flash", 2, "2027-06-07T13:00:00Z", "2027-06-12T13:00:00Z")
    (promo,) = plan(shop, ("email", "2027-06-10T12:00"), name="Promo")
    assert 2 in promo.excluded["frequency cap"] and 1 in promo.eligible


@settings(max_examples=200, deadline=None)
@given(hours=st.lists(st.integers(0, 24 * 30), max_size=8), send=st.integers(0, 24 * 30),
       days=st.integers(1, 10))
def test_most_in_a_window_is_the_busiest_span_around_the_send(hours, send, days):
    # Checked against every span of the window's length that starts on an hour and holds the send.
    from datetime import timedelta

    start = datetime(2027, 1, 1, tzinfo=UTC)
    at = [start + timedelta(hours=h) for h in hours]
    window = timedelta(days=days)
    spans = [start + timedelta(hours=h) for h in range(send - 24 * days + 1, send + 1)]
    brute = max(sum(1 for t in at if x <= t < x + window) for x in spans)
    assert guards.most_in_a_window(at, start + timedelta(hours=send), window) == brute
