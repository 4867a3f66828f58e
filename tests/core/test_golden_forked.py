"""A big golden-record refresh has a forked child work out each run while it writes the run before.

The workspace must end exactly as working every run out in this process does,
whether the child answers every run, dies halfway, or the refresh is stopped.
"""

from __future__ import annotations

import os
import sys

import pytest

from omnidesk.core import forking
from omnidesk.core.identity import golden
from omnidesk.core.identity.golden import refresh_all, refresh_customers_steps
from omnidesk.core.importing.pipeline import ImportOptions, import_file
from tests.core.test_golden_write_behind import _rows
from tests.helpers import golden_state, write_csv

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="forking is used on Linux only")

HEADER = ["Email", "First Name", "Last Name", "Phone", "Zip", "Tags"]


def _load(ws, tmp_path, name="people.csv"):
    import_file(ws, write_csv(tmp_path / name, HEADER, _rows(240)), ImportOptions(channel="shop", kind="contacts"))


@pytest.fixture
def children(monkeypatch):
    """Runs of 25 customers, forking allowed; the workers made, each wrapping the function it is given."""
    monkeypatch.setattr(golden, "_RANGE", 25)
    monkeypatch.setattr(golden, "_IN", 25)
    monkeypatch.setattr(forking, "can_fork", lambda: True)
    monkeypatch.setattr(forking, "room_for_a_copy", lambda: True)
    made = []
    wrap = {"fn": lambda fn: fn}
    real = forking.worker

    def worker(fn):
        w = real(wrap["fn"](fn))
        made.append(w)
        return w

    monkeypatch.setattr(forking, "worker", worker)
    return made, wrap


def _in_this_process(make_workspace, tmp_path, monkeypatch):
    with monkeypatch.context() as m:
        m.setattr(forking, "worker", lambda fn: None)
        ws = make_workspace("alone.omnidesk")
        _load(ws, tmp_path, "alone.csv")
        return golden_state(ws)


def test_the_child_works_out_the_same_golden_records(make_workspace, tmp_path, children, monkeypatch):
    made, _ = children
    ws = make_workspace("forked.omnidesk")
    _load(ws, tmp_path)
    assert made and all(w is not None for w in made)
    assert all(w.private_mb > 0 for w in made), "each child ended when asked and said what it held"
    customers, entries = golden_state(ws)
    assert len(customers) > 200 and len(entries) == len(customers)
    assert (customers, entries) == _in_this_process(make_workspace, tmp_path, monkeypatch)
    # Refreshing indexed customers again through the child replaces their entries.
    with ws.engine.begin() as conn:
        refresh_all(conn)
    assert golden_state(ws) == (customers, entries)


def test_a_child_that_dies_halfway_leaves_its_runs_to_this_process(make_workspace, tmp_path, children,
                                                                  monkeypatch):
    made, wrap = children

    def dying(fn):
        calls = []

        def run(*args):
            calls.append(1)
            if len(calls) == 3:
                os._exit(9)
            return fn(*args)
        return run

    wrap["fn"] = dying
    ws = make_workspace("dying.omnidesk")
    _load(ws, tmp_path)
    assert made and all(w is not None and w._pid is None and w.private_mb == 0 for w in made), "it died"
    assert golden_state(ws) == _in_this_process(make_workspace, tmp_path, monkeypatch)


def test_a_refresh_stopped_early_ends_its_child(ws, tmp_path, children):
    made, _ = children
    _load(ws, tmp_path)
    made.clear()
    before = golden_state(ws)
    with pytest.raises(RuntimeError, match="stopped"):
        with ws.engine.begin() as conn:
            ids = [cid for (cid,) in conn.exec_driver_sql("SELECT id FROM customer ORDER BY id")]
            steps = refresh_customers_steps(conn, ids)
            next(steps)
            next(steps)
            steps.close()
            raise RuntimeError("stopped")
    assert len(made) == 1 and made[0]._pid is None
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)  # no child left behind
    assert golden_state(ws) == before
