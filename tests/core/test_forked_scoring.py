"""Half of a resolve's pairs scored in a forked child: the same customers and questions either way."""

from __future__ import annotations

import os
import shutil
import sys
from contextlib import contextmanager

import pytest
from sqlalchemy import select

from omnidesk.core import forking
from omnidesk.core.identity import clustering, learn
from omnidesk.core.identity.resolve import resolve_all
from omnidesk.core.models import MatchReview, SourceRecord
from omnidesk.core.workspace import Workspace
from tests.benchmarks.identity_data import Synthetic, insert_synthetic

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="forking is used on Linux only")


def _outcome(ws) -> tuple[list, list, dict]:
    """Each record's customer, the questions asked, and the match model fitted and kept."""
    with ws.engine.connect() as conn:
        rec, rev = SourceRecord.__table__, MatchReview.__table__
        placed = conn.execute(select(rec.c.id, rec.c.customer_id).order_by(rec.c.id)).all()
        asked = conn.execute(select(rev.c.left_id, rev.c.right_id, rev.c.score, rev.c.reasons_json)
                             .order_by(rev.c.left_id, rev.c.right_id)).all()
    return placed, asked, ws.get_setting(learn.SETTING_KEY)


def _resolved(make_workspace, name: str) -> tuple[list, list]:
    ws = make_workspace(name)
    with ws.writing() as conn:
        insert_synthetic(conn, Synthetic(), 3_000)
    with ws.writing() as conn:
        resolve_all(conn, from_scratch=True)
    outcome = _outcome(ws)
    assert outcome[2] and outcome[2]["learned"], "the model was fitted to the records"
    return outcome


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
    placed, asked, _ = forked
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


@pytest.fixture
def early_worker(monkeypatch, small_phases):
    """A whole-workspace resolve of any size forks its scoring child before reading the records;
    what happens in order is recorded."""
    from omnidesk.core.identity import resolve

    monkeypatch.setattr(resolve, "SCORING_WORKER_FROM", 0)
    events: list = []
    real_worker, real_stream, real_ship = clustering.scoring_worker, resolve.stream_profiles, clustering._ship

    def worker():
        child = real_worker()
        events.append(("worker", child))
        return child

    def stream(conn):
        events.append(("read", None))
        return real_stream(conn)

    def ship(worker, pairs, cl, profiles, *rest):
        events.append(("ship", (len(pairs), len(profiles))))
        return real_ship(worker, pairs, cl, profiles, *rest)

    monkeypatch.setattr(resolve, "scoring_worker", worker)
    monkeypatch.setattr(resolve, "stream_profiles", stream)
    monkeypatch.setattr(clustering, "_ship", ship)
    return events


def test_a_scoring_child_forked_before_the_records_are_read_gives_the_same_customers_and_questions(
        make_workspace, early_worker, small_phases, alone, monkeypatch):
    closed = []
    real_close = forking.Worker.close
    monkeypatch.setattr(forking.Worker, "close", lambda self: (real_close(self), closed.append(self.private_mb)))
    shipped = _resolved(make_workspace, "early.omnidesk")
    kinds = [kind for kind, _ in early_worker]
    assert kinds == ["worker", "read", "ship", "ship"], "forked first, then read, then half of each phase sent"
    assert early_worker[0][1] is not None
    assert small_phases == [], "no child forked at scoring time"
    assert closed and closed[0] > 0, "the child was let go at the end and said what it held"
    assert shipped == alone


def test_the_model_is_fitted_in_a_child_while_the_records_are_blocked(
        make_workspace, early_worker, small_phases, alone, monkeypatch):
    monkeypatch.setattr(clustering, "FIT_IN_CHILD_FROM", 500)
    # learn.fit counts its calls in whichever process makes them: none here means the child fitted.
    calls = []
    real_fit = learn.fit
    monkeypatch.setattr(learn, "fit", lambda *a, **k: calls.append(k) or real_fit(*a, **k))
    fitted = _resolved(make_workspace, "fit_in_child.omnidesk")
    assert calls == [], "this process did not fit the model"
    assert len(small_phases) == 1 and small_phases[0] is not None, "one child forked: the fit's"
    assert small_phases[0].private_mb > 0, "it said what it held"
    assert [kind for kind, _ in early_worker] == ["worker", "read", "ship", "ship"]
    assert fitted == alone, "the same customers, questions and fitted model"


def test_a_child_that_dies_fitting_leaves_the_fit_to_the_parent(
        make_workspace, early_worker, small_phases, alone, monkeypatch):
    monkeypatch.setattr(clustering, "FIT_IN_CHILD_FROM", 500)
    monkeypatch.setattr(clustering, "_fit", lambda *a: os.kill(os.getpid(), 9))
    failed = _resolved(make_workspace, "fit_failed.omnidesk")
    assert len(small_phases) == 1 and small_phases[0] is not None
    assert failed == alone


def test_a_small_resolve_fits_its_model_here(make_workspace, early_worker, small_phases, alone):
    assert clustering.FIT_IN_CHILD_FROM > 3_000
    here = _resolved(make_workspace, "fit_here.omnidesk")
    assert small_phases == [], "nothing forked for the fit"
    assert here == alone


def test_a_scoring_child_that_dies_leaves_its_half_to_the_parent(make_workspace, early_worker, alone,
                                                                   monkeypatch):
    monkeypatch.setattr(clustering, "_score_all", lambda *a: os.kill(os.getpid(), 9))
    failed = _resolved(make_workspace, "early_failed.omnidesk")
    assert [kind for kind, _ in early_worker][:3] == ["worker", "read", "ship"]
    assert failed == alone


def test_a_shipment_holds_only_the_records_its_pairs_touch_and_scores_as_they_do(monkeypatch):
    """What _ship sends, scored the way the child scores it, is what scoring the pairs here gives."""
    import random

    import numpy as np

    from omnidesk.core.identity.scoring import Frequencies, Model
    from tests.core.test_scoring_paths import _profile, _variant

    rng = random.Random(7)
    profiles = []
    for rid in range(0, 400, 2):
        p = _profile(rng, rid)
        profiles += [p, _variant(rng, p, rid + 1)]
    profiles[11].turn_round()  # shipped as it is now, not as read
    freq, model = Frequencies.from_profiles(profiles), Model()
    cl = clustering.Clusters(profiles, {})
    cl.union(3, 4, force=True)  # already one cluster: skipped on both sides
    pairs = np.array(sorted(i << 32 | j for i in range(0, 60, 3) for j in (i + 1, i + 2, i + 7)), dtype=np.int64)

    class Recording:
        def __init__(self):
            self.request, self.parts = None, []

        def submit(self, *args):
            self.request = args

        def send_part(self, part):
            self.parts.append(part)

    sent = Recording()
    monkeypatch.setattr(clustering, "_SHIP_PART", 16)  # several parts
    clustering._ship(sent, pairs, cl, profiles, freq, model)
    touched = sorted({int(k) >> 32 for k in pairs} | {int(k) & 0xFFFFFFFF for k in pairs})
    shipped_pairs, needed, roots, parts, got_freq, got_model = sent.request
    assert list(needed) == touched and len(touched) < len(profiles), "only the records the pairs touch"
    assert parts == len(sent.parts) > 1
    rows = [row for part in sent.parts for row in part]
    assert [clustering.Profile(*row) for row in rows] == [profiles[i] for i in touched]
    assert list(roots) == [cl.find(i) for i in touched]

    waiting = list(sent.parts)
    monkeypatch.setattr(forking, "next_part", lambda: waiting.pop(0))
    child = clustering._score_shipped(shipped_pairs, needed, roots, parts, got_freq, got_model)
    here = clustering._score_all(pairs, cl, profiles, freq, model)
    assert child.count == here.count > 0
    assert sorted(zip(child.lefts, child.rights, child.weights, child.flags)) == \
        sorted(zip(here.lefts, here.rights, here.weights, here.flags))
    assert child.kept.keys() == here.kept.keys()
    assert [s.reasons for s in child.kept.values()] == [here.kept[k].reasons for k in child.kept]


def _imported_one_file_at_a_time(ws) -> tuple[list, list, dict]:
    """The synthetic records' files resolved the way imports do, each against those before it."""
    from omnidesk.core.identity.resolve import resolve_batch
    from omnidesk.core.models import ImportBatch

    with ws.writing() as conn:
        insert_synthetic(conn, Synthetic(), 3_000)
        batches = conn.execute(select(ImportBatch.__table__.c.id).order_by(ImportBatch.__table__.c.id)).scalars().all()
    for batch in batches:
        with ws.writing() as conn:
            resolve_batch(conn, batch)
    return _outcome(ws)


def test_a_later_import_scores_half_its_pairs_in_a_child_forked_before_it_reads(
        make_workspace, early_worker, small_phases, monkeypatch):
    with monkeypatch.context() as off:
        off.setattr(forking, "can_fork", lambda: False)
        alone = _imported_one_file_at_a_time(make_workspace("batches_alone.omnidesk"))
    files = len(early_worker)
    assert files > 1 and [kind for kind, _ in early_worker] == ["worker"] * files
    assert all(c is None for _, c in early_worker), "forking off: no child"
    early_worker.clear()
    small_phases.clear()
    shipped = _imported_one_file_at_a_time(make_workspace("batches_early.omnidesk"))
    kinds = [kind for kind, _ in early_worker]
    assert kinds.count("worker") == files and kinds.count("ship") >= 2, kinds
    assert small_phases == [], "no child forked at scoring time"
    placed, asked, _ = shipped
    assert len({c for _, c in placed}) < len(placed) and asked
    assert shipped == alone


def test_without_memory_for_the_records_the_child_is_sent_none_and_the_parent_scores_them(
        make_workspace, early_worker, small_phases, alone, monkeypatch):
    asked = []
    monkeypatch.setattr(forking, "room_for", lambda mb: asked.append(mb) or False)
    sent = []
    monkeypatch.setattr(forking.Worker, "submit", lambda self, *args: sent.append(args))
    outcome = _resolved(make_workspace, "no_room.omnidesk")
    assert [kind for kind, _ in early_worker] == ["worker", "read", "ship", "ship"]
    assert len(asked) == 2 and all(mb > 0 for mb in asked), "asked once a phase, for what the records take"
    assert sent == [] and small_phases == []
    assert outcome == alone


def test_room_for_counts_the_spare_memory_too(monkeypatch):
    monkeypatch.setattr(forking, "_meminfo_mb", lambda path, key: 1000.0 if key == "MemAvailable" else None)
    assert forking.room_for(1000.0 - forking.SPARE_MB)
    assert not forking.room_for(1001.0 - forking.SPARE_MB)
    monkeypatch.setattr(forking, "_meminfo_mb", lambda path, key: None)
    assert not forking.room_for(1.0), "unknown: no"


@contextmanager
def _resolving_until(make_workspace, name: str, until):
    """A resolve from scratch of 3,000 records, run until ``until(progress)`` says so: its steps."""
    from omnidesk.core.identity.resolve import resolve_all_steps

    ws = make_workspace(name)
    with ws.writing() as conn:
        insert_synthetic(conn, Synthetic(), 3_000)
    with ws.writing() as conn:
        steps = resolve_all_steps(conn, from_scratch=True)
        for progress in steps:
            if until(progress):
                break
        yield steps
        conn.rollback()


def _stop_and_check_reaped(steps, child) -> None:
    pid = child._pid
    assert pid is not None
    steps.close()  # the user pressed Stop
    assert child._pid is None
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, 0)  # ended and reaped: no process left behind


def test_a_resolve_stopped_while_its_child_scores_ends_the_child(make_workspace, early_worker, small_phases):
    def scoring(progress):
        return progress.message == "Comparing records" and any(kind == "ship" for kind, _ in early_worker)

    with _resolving_until(make_workspace, "stopped.omnidesk", scoring) as steps:
        child = early_worker[0][1]
        assert os.waitpid(child._pid, os.WNOHANG) == (0, 0), "the child is at work"
        _stop_and_check_reaped(steps, child)


def test_a_resolve_stopped_while_its_model_is_fitted_ends_the_fitting_child(make_workspace, small_phases, monkeypatch):
    monkeypatch.setattr(clustering, "FIT_IN_CHILD_FROM", 500)
    # Stopped as soon as the records are read and the fit's child forked.
    with _resolving_until(make_workspace, "stopped_fit.omnidesk", lambda progress: bool(small_phases)) as steps:
        _stop_and_check_reaped(steps, small_phases[0])


def test_a_child_says_when_it_is_done_without_being_waited_for(monkeypatch):
    import time

    monkeypatch.delenv(forking.WORKERS_VARIABLE, raising=False)
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1}, raising=False)
    monkeypatch.setattr(forking, "room_for_a_copy", lambda: True)
    go, let_go = os.pipe()
    try:
        child = forking.start(os.read, go, 1)  # waits until the test lets it go
        assert child is not None and not child.done()
        os.write(let_go, b"x")
        deadline = time.monotonic() + 30
        while not child.done() and time.monotonic() < deadline:
            time.sleep(0.01)
        assert child.done()
        assert child.result() == b"x" and child.done()
    finally:
        os.close(go)
        os.close(let_go)
