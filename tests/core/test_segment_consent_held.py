"""``consent.CHANNEL is held`` finds the customers the card and the Customers list show as Held.

A held customer's own answer is not no, but someone else holding their mailbox or number said
stop from it (or another spelling of a mailbox did): no campaign writes to them.  Before ``held``
was a rule value, no rule found them: ``is unsubscribed`` goes by the customer's own answer, and
``is granted`` rightly leaves them out.
"""

from __future__ import annotations

import itertools

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from omnidesk.core import segments
from omnidesk.core.campaigns.guards import held_ids
from tests.core.campaigns.test_guards import LA, NY, bennetts
from tests.core.test_reach_is_what_a_campaign_reaches import build_drawn

_RUNS = itertools.count()


def _rule(channel: str, op: str, value) -> dict:
    return {"field": f"consent.{channel}", "op": op, "value": value}


def _ids(ws, rule) -> set[int]:
    return set(segments.member_ids(ws, rule))


def test_the_family_mailbox_and_the_shop_landline_are_held(make_workspace):
    ws = make_workspace(timezone="America/New_York")
    bennetts(ws)  # Leonard (2) said yes on the mailbox Hannah (1) said no from; desk 2's number was desk 1's STOP
    assert _ids(ws, _rule("email", "is", "held")) == {2}
    assert _ids(ws, _rule("sms", "is", "held")) == {4}
    # Held is not their own unsubscribe, and not granted either.
    assert 2 not in _ids(ws, _rule("email", "is", "unsubscribed"))
    assert 2 not in _ids(ws, _rule("email", "is", "granted"))
    assert _ids(ws, _rule("email", "in", ["granted", "held"])) == {2, 3, 4, 5}
    assert _ids(ws, _rule("email", "is_not", "held")) == {1, 3, 4, 5}
    assert segments.count(ws, _rule("email", "is", "held")) == 1


def test_held_is_a_value_the_rule_checker_names():
    segments.check_rule(_rule("email", "is", "held"))
    assert "held" in segments.CONSENT_VALUES


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(people=st.dictionaries(
    st.integers(1, 30),
    st.tuples(st.sampled_from([None, "", "x@example.com", "family@example.com", "fam.ily@gmail.com",
                               "family+shop@gmail.com", "family@gmail.com"]), st.sampled_from([None, "", NY, LA]),
              st.sampled_from([None, "", "granted", "denied", "unsubscribed", "cleaned", "pending"]),
              st.sampled_from([None, "granted", "denied", "unsubscribed", "pending"]), st.integers(0, 2)),
    min_size=1, max_size=20),
    second=st.sampled_from([None, "family@example.com", "f.amily@gmail.com", NY]))
def test_held_is_who_the_list_shows_held_and_the_states_split_everyone(make_workspace, people, second):
    ws = make_workspace(name=f"h{next(_RUNS)}.omnidesk", timezone="America/New_York")
    people = build_drawn(ws, people, second)
    everyone = set(people)
    for channel in ("email", "sms"):
        with ws.engine.connect() as conn:
            shown_held = held_ids(conn, channel)
        assert _ids(ws, _rule(channel, "is", "held")) == shown_held
        assert _ids(ws, _rule(channel, "is_not", "held")) == everyone - shown_held
        # Every customer is in exactly one state.
        states = [_ids(ws, _rule(channel, "is", v)) for v in segments.CONSENT_VALUES]
        assert sum(len(s) for s in states) == len(everyone)
        assert set().union(*states) == everyone
