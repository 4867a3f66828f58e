"""Half of a resolve's pairs scored in a forked child: the same customers and questions either way."""

from __future__ import annotations

import os
import shutil
import sys

import pytest
from sqlalchemy import select

from omnidesk.core import forking
from omnidesk.core.identity import clustering
from omnidesk.core.identity.resolve import resolve_all
from omnidesk.core.models import MatchReview, SourceRecord
from omnidesk.core.workspace import Workspace
from tests.benchmarks.identity_data import Synthetic, insert_synthetic

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="forking is used on Linux only")


def _outcome(ws) -> tuple[list, list]:
    with ws.engine.connect() as conn:
        rec, rev = SourceRecord.__table__, MatchReview.__table__
        placed = conn.execute(select(rec.c.id, rec.c.customer_id).order_by(rec.c.id)).all()
        asked = conn.execute(select(rev.c.left_id, rev.c.right_id, rev.c.score, rev.c.reasons_json)
                             .order_by(rev.c.left_id, rev.c.right_id)).all()
    return placed, asked


def _resolved(make_workspace, name: str) -> tuple[list, list]:
    ws = make_workspace(name)
    with ws.writing() as conn:
        insert_synthetic(conn, Synthetic(), 3_000)
    with ws.writing() as conn:
        resolve_all(conn, from_scratch=True)
    return _outcome(ws)


@pytest.fixture(scope="module")
def alone(tmp_path_factory, empty_workspace_file) -> tuple[list, list]:
    """What the same records give resolved in this process alone, with the same small phases: worked out
    once for the module, as every test compares its forked run with it."""
    path = tmp_path_factory.mktemp("alone") / "alone.omnidesk"
    shutil.copyfile(empty_workspace_file, path)
    started = []
    with pytest.MonkeyPatch.context() as mp, Workspace.open(path) as ws:
        mp.setattr(clustering, "PARALLEL_MIN_PAIRS", 50)
        mp.setattr(forking, "can_fork", lambda: False)
        mp.setenv(forking.WORKERS_VARIABLE, "0")
        real_start = forking.start
        mp.setattr(forking, "start", lambda fn, *args: started.append(real_start(fn, *args)) or started[-1])
        outcome = _resolved(lambda name: ws, path.name)
    assert started and all(c is None for c in started), "asked to fork, and nothing forked"
    return outcome


@pytest.fixture
def small_phases(monkeypatch):
    """Fork from a few dozen pairs, so a test-sized workspace takes the forked path; count the forks."""
    monkeypatch.setattr(clustering, "PARALLEL_MIN_PAIRS", 50)
    monkeypatch.setattr(forking, "can_fork", lambda: True)
    monkeypatch.setattr(forking, "room_for_a_copy", lambda: True)
    started = []
    real_start = forking.start

    def start(fn, *args):
        child = real_start(fn, *args)
        started.append(child)
        return child

    monkeypatch.setattr(forking, "start", start)
    return started


def test_scoring_half_the_pairs_in_a_child_gives_the_same_customers_and_questions(
        make_workspace, small_phases, alone):
    forked = _resolved(make_workspace, "forked.omnidesk")
    assert len(small_phases) == 2 and all(c is not None for c in small_phases), "both phases forked"
    assert all(c.private_mb > 0 for c in small_phases), "each child said how much memory it took"
    placed, asked = forked
    assert len({c for _, c in placed}) < len(placed), "records were merged"
    assert asked, "some pairs wait in review"
    assert forked == alone


def test_a_child_that_fails_leaves_its_half_to_the_parent(make_workspace, small_phases, monkeypatch, alone):
    monkeypatch.setattr(clustering, "_score_all", lambda *a: os.kill(os.getpid(), 9))
    failed = _resolved(make_workspace, "failed.omnidesk")
    assert len(small_phases) == 2
    assert failed == alone


def test_forking_is_off_when_asked(monkeypatch):
    monkeypatch.setenv(forking.WORKERS_VARIABLE, "0")
    assert not forking.can_fork()
    assert forking.start(lambda: 1) is None


def test_no_child_without_memory_for_a_copy_of_this_process(monkeypatch):
    monkeypatch.delenv(forking.WORKERS_VARIABLE, raising=False)
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1}, raising=False)
    sizes = {"/proc/meminfo": 900.0, "/proc/self/status": 600.0}  # MB available, MB this process holds
    monkeypatch.setattr(forking, "_meminfo_mb", lambda path, key: sizes[path])
    assert not forking.room_for_a_copy()
    assert forking.start(sum, [1]) is None
    sizes["/proc/meminfo"] = 600.0 + forking.SPARE_MB
    assert forking.room_for_a_copy()
    child = forking.start(sum, [1])
    assert child is not None and child.result() == 1


def test_the_system_says_how_much_memory_there_is():
    assert forking._meminfo_mb("/proc/meminfo", "MemAvailable") > 0
    assert forking._meminfo_mb("/proc/self/status", "VmRSS") > 0
    assert forking._meminfo_mb("/proc/meminfo", "NoSuchLine") is None


def test_a_child_returns_its_value_and_an_error_is_a_failed_fork(monkeypatch):
    monkeypatch.delenv(forking.WORKERS_VARIABLE, raising=False)
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1}, raising=False)
    monkeypatch.setattr(forking, "room_for_a_copy", lambda: True)
    child = forking.start(sum, [1, 2, 3])
    assert child is not None and child.result() == 6
    broken = forking.start(lambda: 1 / 0)
    with pytest.raises(forking.ForkFailed):
        broken.result()
    stopped = forking.start(sum, [1])
    stopped.stop()
    with pytest.raises(forking.ForkFailed):
        stopped.result()
