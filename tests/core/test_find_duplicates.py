"""Find Duplicates: the whole-workspace resolve as a progress generator that can be cancelled."""

from __future__ import annotations

import gc
import sqlite3

import pytest
import time_machine

from omnidesk.core.demo_data import write_demo_files
from omnidesk.core.identity import clustering, resolve, writes
from omnidesk.core.identity.find import find_duplicates
from omnidesk.core.identity.merge import list_reviews, merge_customers, pin_value, reject_review
from omnidesk.core.identity.resolve import model_from_settings, resolve_all
from omnidesk.core.importing.pipeline import ImportOptions, import_file
from omnidesk.core.notes import set_customer_notes
from omnidesk.core.tasks import Cancelled, run_to_completion
from omnidesk.core.workspace import Workspace

NOW = "2026-11-02 10:00Z"  # every row a resolve writes is stamped; frozen, two runs can be compared byte for byte
STAGES = ["Looking for duplicates…", "Reading records", "Finding records to compare", "Comparing records",
          "Applying matches", "Moving records", "Merging customers", "Updating customers", "Done"]


@pytest.fixture(scope="module")
def shop(tmp_path_factory):
    """A demo shop after its imports, with the user's notes, a pin, a merge and a rejection.

    Its last two files came in while automatic merges needed far more evidence
    than usual: with the usual bar back, Find Duplicates has customers to merge.
    """
    root = tmp_path_factory.mktemp("shop")
    path = root / "shop.omnidesk"
    with time_machine.travel(NOW, tick=False), Workspace.create(path) as ws:
        files = write_demo_files(root / "demo", customers=80)
        for demo in files[:-2]:
            import_file(ws, demo.path, ImportOptions(channel=demo.channel))
        with ws.engine.connect() as conn:
            ids = [row[0] for row in conn.exec_driver_sql("SELECT id FROM customer ORDER BY id LIMIT 4")]
        set_customer_notes(ws, ids[0], "Prefers the shop on Saturdays")
        pin_value(ws, ids[1], "email", "pinned@example.com")
        merge_customers(ws, ids[2:4])
        reject_review(ws, list_reviews(ws)[0].id)
        ws.set_setting("match_auto_threshold", 40.0)
        for demo in files[-2:]:
            import_file(ws, demo.path, ImportOptions(channel=demo.channel))
        ws.set_setting("match_auto_threshold", 14.0)
    return path


@pytest.fixture
def small_steps(monkeypatch):
    """Progress every few records, pairs, groups and merges, so that every stage reports more than once."""
    monkeypatch.setattr(resolve, "RECORDS_PER_STEP", 300)
    monkeypatch.setattr(clustering, "PAIRS_PER_STEP", 1000)
    monkeypatch.setattr(writes, "CLUSTERS_PER_STEP", 50)
    monkeypatch.setattr(writes, "RECORDS_PER_UPDATE", 20)
    monkeypatch.setattr(writes, "MERGES_PER_STEP", 5)


def copy_of(shop, path) -> Workspace:
    src, dst = sqlite3.connect(shop), sqlite3.connect(path)
    try:
        src.backup(dst)
    finally:
        src.close()
        dst.close()
    return Workspace.open(path)


def dump(ws: Workspace) -> list[str]:
    """Every table's schema and rows, as SQL text."""
    con = sqlite3.connect(ws.path)
    try:
        return list(con.iterdump())
    finally:
        con.close()


def run(gen):
    """All the progress a generator reports, and what it returns."""
    seen = []
    while True:
        try:
            seen.append(next(gen))
        except StopIteration as stop:
            return seen, stop.value


def test_cancelled_find_duplicates_changes_nothing(new_workspace, tmp_path):
    with new_workspace(tmp_path / "w.omnidesk") as ws:
        before = ws.counts()
        with pytest.raises(Cancelled):
            run_to_completion(find_duplicates(ws, lambda: True))
        assert ws.counts() == before
        stats = run_to_completion(find_duplicates(ws))
        assert stats.changes.customer_list and stats.changes.reviews


def test_find_duplicates_reports_each_stage_with_its_totals(shop, tmp_path, small_steps):
    with copy_of(shop, tmp_path / "w.omnidesk") as ws:
        records = ws.counts()["source_records"]
        progress, stats = run(find_duplicates(ws))
        customers_after = ws.counts()["customers"]
    stages = list(dict.fromkeys(p.message for p in progress))
    assert stages == STAGES
    by_stage = {stage: [p for p in progress if p.message == stage] for stage in stages}
    for stage in ("Reading records", "Comparing records", "Applying matches", "Moving records", "Merging customers",
                  "Updating customers"):
        steps = by_stage[stage]
        assert len(steps) >= (1 if stage == "Updating customers" else 3), stage
        assert len({p.total for p in steps}) == 1 and steps[0].total > 0, stage
        assert [p.done for p in steps] == sorted(p.done for p in steps), stage
        assert steps[-1].done == steps[-1].total, stage
    assert [(p.done, p.total) for p in by_stage["Finding records to compare"]] == [(0, 0)]  # no total known yet
    assert by_stage["Reading records"][-1].total == records
    assert by_stage["Comparing records"][-1].total >= stats.pairs_scored > 0
    assert by_stage["Applying matches"][-1].total >= customers_after
    assert by_stage["Moving records"][-1].total == stats.records
    assert by_stage["Merging customers"][-1].total == stats.auto_merged > 0
    assert by_stage["Updating customers"][-1].total == len(stats.touched)
    assert stats.changes.customers == frozenset(stats.touched)


MODES = pytest.mark.parametrize("from_scratch, bulk", [(False, False), (True, False), (True, True)],
                                ids=["more matches", "from scratch", "from scratch, indexes rebuilt at the end"])


@MODES
def test_a_cancel_at_any_stage_leaves_every_table_as_it_was(shop, tmp_path, monkeypatch, small_steps, from_scratch,
                                                            bulk):
    if bulk:
        monkeypatch.setattr(resolve, "_WHOLE_WORKSPACE_BATCH", 1)
    with copy_of(shop, tmp_path / "reference.omnidesk") as ws:
        before = dump(ws)
        progress, _ = run(find_duplicates(ws, from_scratch=from_scratch))
        assert dump(ws) != before  # the run has something to roll back
    # Cancel after the middle report of each stage: between two of its batches where it has several.
    points = {}
    for at, p in enumerate(progress[:-1]):
        points.setdefault(p.message, []).append(at)
    cancel_after = {stage: ats[len(ats) // 2] for stage, ats in points.items()}
    # From scratch, the model is fitted to the records first; nothing is merged, every record is placed anew.
    expected = set(STAGES[:-1]) ^ ({"Merging customers", "Learning match weights"} if from_scratch else set())
    assert set(cancel_after) == expected
    for stage, at in cancel_after.items():
        with copy_of(shop, tmp_path / f"cancel-{at}.omnidesk") as ws:
            seen = []
            steps = find_duplicates(ws, lambda: len(seen) > at, from_scratch=from_scratch)
            with pytest.raises(Cancelled, match="nothing changed"):
                for p in steps:
                    seen.append(p)
            assert seen[-1].message == stage
            assert dump(ws) == before, stage
            assert gc.isenabled()
            # The workspace stays usable: the lock was given back and a later run works.
            assert run_to_completion(find_duplicates(ws, from_scratch=from_scratch)).records > 0


@MODES
def test_find_duplicates_writes_what_resolve_all_writes(shop, tmp_path, monkeypatch, from_scratch, bulk):
    if bulk:
        monkeypatch.setattr(resolve, "_WHOLE_WORKSPACE_BATCH", 1)
    with time_machine.travel(NOW, tick=False):
        with copy_of(shop, tmp_path / "all.omnidesk") as ws:
            with ws.writing() as conn:
                expected = resolve_all(conn, model_from_settings(ws.get_setting), from_scratch=from_scratch)
            expected_tables = dump(ws)
        # Small steps too: where the batches end must not change what is written.
        monkeypatch.setattr(resolve, "RECORDS_PER_STEP", 7)
        monkeypatch.setattr(clustering, "PAIRS_PER_STEP", 11)
        monkeypatch.setattr(writes, "CLUSTERS_PER_STEP", 13)
        monkeypatch.setattr(writes, "RECORDS_PER_UPDATE", 17)
        monkeypatch.setattr(writes, "MERGES_PER_STEP", 1)
        with copy_of(shop, tmp_path / "find.omnidesk") as ws:
            _, stats = run(find_duplicates(ws, from_scratch=from_scratch))
            tables = dump(ws)
    assert stats.summary() == expected.summary()
    assert stats.touched == expected.touched
    assert tables == expected_tables
