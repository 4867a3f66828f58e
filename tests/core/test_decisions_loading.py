"""The user's decisions touching a set of keys: read by key, or in one pass, the same decisions.

A big import asks about a hundred thousand keys against a few hundred
decisions; reading them all once and keeping those a key touches costs less
than two index look-ups a key.  Either way the resolver must get exactly the
decisions that touch a wanted key, each with its place in the user's order.
"""

from __future__ import annotations

import pytest
from sqlalchemy import insert

from omnidesk.core.identity import decisions
from omnidesk.core.identity.decisions import Decided, load_decisions_in_order
from omnidesk.core.models import MatchDecision


@pytest.fixture
def decided(ws):
    rows = [{"kind": "reject" if i % 3 else "merge", "left_hash": f"h{i}", "right_hash": f"h{i + 1000}"}
            for i in range(300)]
    with ws.engine.begin() as conn:
        conn.execute(insert(MatchDecision.__table__), rows)
    return ws


def _sorted(result):
    rejected, must = result
    return sorted(rejected), sorted(must)


@pytest.mark.parametrize("wanted", [
    ["h5", "h1007", "nobody"],  # a few keys: by key
    [f"h{i}" for i in range(0, 2000, 7)] + [f"k{i}" for i in range(3000)],  # many keys: one pass
    [],
])
def test_by_key_and_in_one_pass_the_same_decisions(decided, monkeypatch, wanted):
    want = set(wanted)
    every_rejected, every_must = load_decisions_in_order(decided.engine.connect())
    expected = (sorted(d for d in every_rejected if d.left in want or d.right in want),
                sorted(d for d in every_must if d.left in want or d.right in want))
    passes = []
    real = decisions.chunks

    def by_key(items, *args):
        passes.append("by key")
        return real(items, *args)

    monkeypatch.setattr(decisions, "chunks", by_key)
    with decided.engine.connect() as conn:
        chosen = _sorted(load_decisions_in_order(conn, wanted))
        monkeypatch.setattr(decisions, "_SCAN_PER_KEY", 0)  # always by key
        keyed = _sorted(load_decisions_in_order(conn, wanted))
        monkeypatch.setattr(decisions, "_SCAN_PER_KEY", 10**9)  # always one pass
        scanned = _sorted(load_decisions_in_order(conn, wanted))
    assert chosen == keyed == scanned == expected
    if wanted:
        assert all(isinstance(d, Decided) for d in chosen[0] + chosen[1])
        assert chosen != ([], [])
    # The few keys (three against 300 decisions) are asked for by key, the many read in one pass:
    # the calls that chose for themselves, then the one forced to go by key (none for no keys).
    assert passes == {3: ["by key", "by key"], 0: []}.get(len(wanted), ["by key"])
