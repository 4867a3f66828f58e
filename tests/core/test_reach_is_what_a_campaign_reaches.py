"""The Dashboard's "may be marketed to" figures count whom a campaign to everyone would send to.

Reach and campaign eligibility read one rule (consent in force, the workspace's settings for
unknown consent, an address for the channel, an address shared with someone who opted out,
one message per mailbox or number), so the Dashboard never counts someone a campaign refuses.
Only what depends on a campaign's own day stays apart: caps, quiet hours, a hold-out.
"""

from __future__ import annotations

import itertools

import time_machine
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import insert

from omnidesk.core import metrics
from omnidesk.core.contact import mailbox_of
from omnidesk.core.models import Identifier, SourceRecord
from tests.core.campaigns.test_guards import LA, NY, bennetts, build, plan

_RUNS = itertools.count()
NOW = "2027-02-01T12:00:00+00:00"


def test_an_address_shared_with_someone_who_said_no_is_out_of_reach_as_of_the_campaign(make_workspace):
    ws = make_workspace(timezone="America/New_York")
    bennetts(ws)
    with time_machine.travel(NOW, tick=False):
        email, sms = plan(ws, ("email", "2027-03-01T10:00"), ("sms", "2027-03-01T12:00"))
        reachable = metrics.reachable(ws)
    assert email.eligible == [3, 4, 5] and sms.eligible == [1, 2, 5]
    # Leonard said yes, but the family mailbox is Hannah's too: no campaign writes to it, so he is
    # not counted; nor the other desk, whose number sent STOP.
    assert reachable["email"] == len(email.eligible) == 3
    assert reachable["sms"] == len(sms.eligible) == 3
    assert metrics.report(ws)["reachable"] == reachable


def test_a_whatsapp_no_stops_the_number_for_everyone_who_shares_it(make_workspace):
    ws = make_workspace(timezone="America/New_York")
    build(ws, {1: ("a@example.com", NY, None, None, 0), 2: ("b@example.com", NY, None, None, 0),
               3: ("c@example.com", LA, None, None, 0)})
    with ws.writing() as conn:
        conn.exec_driver_sql("UPDATE customer SET consent_whatsapp = CASE id WHEN 1 THEN 'unsubscribed' "
                             "ELSE 'granted' END")
    assert metrics.reachable(ws)["whatsapp"] == 1  # 3 only: 2 shares the number 1 stopped


def build_drawn(ws, people: dict, second: str | None) -> dict:
    """The drawn ``people`` in ``ws`` (each "x@example.com" made their own), and ``second``, when
    given, as an address the first customer's till record carries besides.  Returns the people."""
    people = {cid: (e.replace("x@", f"c{cid}@") if e == "x@example.com" else e, p, ce, cs, o)
              for cid, (e, p, ce, cs, o) in people.items()}
    build(ws, people)
    if second is not None:
        first = min(people)
        with ws.writing() as conn:
            conn.execute(insert(SourceRecord.__table__).values(
                id=1000, batch_id=1, record_no=1000, channel="pos", kind="contacts", row_hash="h1000",
                raw_json="[]", customer_id=first))
            conn.execute(insert(Identifier.__table__).values(
                record_id=1000, kind="email" if "@" in second else "phone", value=second,
                mailbox=mailbox_of(second) if "@" in second else None))  # as an import keeps it
    return people


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(people=st.dictionaries(
    st.integers(1, 30),
    # One Gmail mailbox written three ways, beside a plain family address: one message per mailbox.
    st.tuples(st.sampled_from([None, "", "x@example.com", "family@example.com", "fam.ily@gmail.com",
                               "family+shop@gmail.com", "family@gmail.com"]), st.sampled_from([None, "", NY, LA]),
              st.sampled_from([None, "granted", "denied", "unsubscribed", "cleaned", "pending"]),
              st.sampled_from([None, "granted", "denied", "unsubscribed", "pending"]), st.integers(0, 2)),
    min_size=1, max_size=20),
    unknown=st.booleans(), soft=st.booleans(),
    second=st.sampled_from([None, "family@example.com", "f.amily@gmail.com", NY]))
def test_reach_is_what_a_campaign_to_everyone_would_send(make_workspace, people, unknown, soft, second):
    ws = make_workspace(name=f"r{next(_RUNS)}.omnidesk", timezone="America/New_York")
    build_drawn(ws, people, second)
    ws.set_setting("cap_messages", 0)  # caps and quiet hours depend on the campaign's day: not reach's
    ws.set_setting("send_unknown_email", unknown)
    ws.set_setting("send_unknown_sms", unknown)
    ws.set_setting("soft_opt_in", soft)
    with time_machine.travel(NOW, tick=False):
        email, sms = plan(ws, ("email", "2027-03-01T10:00"), ("sms", "2027-03-01T12:00"))
        reachable = metrics.reachable(ws)
    assert reachable["email"] == len(email.eligible)
    assert reachable["sms"] == len(sms.eligible)


def test_reach_reads_the_addresses_of_those_who_said_yes_off_an_index(new_workspace, tmp_path):
    """Who said yes is read off the partial index of their addresses, in order: no pass over everyone."""
    from sqlalchemy import func, select

    from omnidesk.core.campaigns.guards import Rules, channel_allowed
    from omnidesk.core.models import Customer

    cust = Customer.__table__
    with new_workspace(tmp_path / "plan.omnidesk") as ws:
        rules = Rules.of(ws)
        with ws.engine.connect() as conn:
            for channel, column in (("email", cust.c.email), ("sms", cust.c.phone), ("whatsapp", cust.c.phone)):
                # As it runs: its parameters bound, not written into the SQL.
                compiled = select(func.count(func.distinct(column))).where(
                    channel_allowed(channel, rules)).compile(conn, compile_kwargs={"render_postcompile": True})
                params = [compiled.params[name] for name in compiled.positiontup]
                plan = " | ".join(row[3] for row in conn.connection.driver_connection.execute(
                    "EXPLAIN QUERY PLAN " + compiled.string, params))
                # The index alone answers: no customer row is read for those who said yes.
                assert f"customer USING COVERING INDEX ix_customer_granted_{channel}" in plan, plan
                assert "USE TEMP B-TREE FOR count(DISTINCT)" not in plan, plan


def test_those_who_opted_out_and_their_addresses_are_read_off_indexes_not_every_customer(new_workspace, tmp_path):
    """The refused addresses: from the partial index of those who opted out, through their records to
    the addresses those carry — never a pass over every customer or every address of the kind,
    which would cost as much as the workspace is large, not as many as said no."""
    from sqlalchemy import func, select

    from omnidesk.core.campaigns.guards import refused_addresses

    with new_workspace(tmp_path / "plan.omnidesk") as ws:
        with ws.engine.connect() as conn:
            for channel in ("email", "sms", "whatsapp"):
                compiled = select(func.count()).select_from(refused_addresses(channel).subquery()).compile(
                    conn, compile_kwargs={"render_postcompile": True})
                params = [compiled.params[name] for name in compiled.positiontup]
                plan = [row[3] for row in conn.connection.driver_connection.execute(
                    "EXPLAIN QUERY PLAN " + compiled.string, params)]
                said_no = [step for step in plan if "said_no" in step]
                assert len(said_no) == 2 and all(f"INDEX ix_customer_refused_{channel}" in s for s in said_no), plan
                assert any("identifier USING INDEX ix_identifier_record_id" in s for s in plan), plan
                assert not any("ix_identifier_kind_value" in s or s.startswith("SCAN identifier") for s in plan), plan


def test_the_refused_indexes_hold_the_states_the_guards_turn_away():
    from omnidesk.core.campaigns.guards import _REFUSED
    from omnidesk.core.models import _REFUSED_STATES

    assert _REFUSED_STATES == "(" + ", ".join(f"'{state}'" for state in _REFUSED) + ")"
