"""A big file's rows normalized in worker processes: the same workspace as in-process, row for row."""

from __future__ import annotations

from itertools import islice

import pytest
import time_machine

from omnidesk.core.importing import parallel, pipeline
from omnidesk.core.importing.pipeline import ImportOptions, analyze, import_file, run_import
from omnidesk.core.importing.rows import RowNormalizer
from omnidesk.core.importing.sniff import read_records
from omnidesk.core.tasks import Cancelled
from omnidesk.core.workspace import Workspace
from tests.helpers import write_csv
from tests.workspace_dump import dump

HEADER = ["Customer ID", "First Name", "Last Name", "Email", "Phone", "Zip", "Country", "Accepts Email Marketing",
          "Total Spent", "Tags", "Created At"]


def _rows(n):
    rows = []
    for i in range(n):
        rows.append([
            str(1000 + i), f"Ann{i % 13}", f"Lee{i % 7}",
            # Every 40th row a broken email (flagged), every 50th a repeat of an earlier person.
            f"ann{i % 50 if i % 50 == 0 else i}@example{'' if i % 40 == 7 else '.com'}",
            f"+1 415 555 {i % 9000:04d}" if i % 3 else "", f"0{4100 + i % 30}", "US",
            "yes" if i % 2 else "no", f"{i % 97}.50", "vip, spring" if i % 5 == 0 else "",
            "2024-03-0%d 10:00" % (1 + i % 9) if i % 11 else "not a date",
        ])
    rows.append(["", "", "", "", "", "", "", "", "", "vip", ""])  # nobody: kept raw, skipped
    return rows


def _normalized(plan, workers):
    normalizer = RowNormalizer(plan)
    return list(parallel.normalized_chunks(read_records(plan.path, plan.fmt), normalizer, plan.channel,
                                           plan.header, 60, workers))


def test_worker_processes_normalize_every_row_as_this_process_does(new_workspace, tmp_path):
    data = write_csv(tmp_path / "list.csv", HEADER, _rows(250))
    with new_workspace(tmp_path / "w.omnidesk") as ws:
        plan = analyze(ws, data, ImportOptions(channel="shop"))
        here = _normalized(plan, 0)
        there = _normalized(plan, 2)
    assert [len(rows) for rows, _ in there] == [60, 60, 60, 60, 11]
    assert [h for _, hashes in there for h in hashes] == [h for _, hashes in here for h in hashes]
    for (rows_a, _), (rows_b, _) in zip(here, there):
        for a, b in zip(rows_a, rows_b):
            assert a.stored is None and b.stored is not None
            b.stored = None
            assert a == b  # every field, the record it came from included
    assert any(r.problems for rows, _ in there for r in rows)
    assert any(r.skip for rows, _ in there for r in rows)


@time_machine.travel("2025-06-01 09:00:00Z", tick=False)  # the customers' and facts' creation times
def test_an_import_through_workers_gives_the_same_workspace(tmp_path, monkeypatch):
    data = write_csv(tmp_path / "list.csv", HEADER, _rows(400))
    monkeypatch.setattr(pipeline, "CHUNK", 70)
    with Workspace.create(tmp_path / "here.omnidesk") as ws:
        here = import_file(ws, data, ImportOptions(channel="shop"))
    started = []
    real = parallel.normalized_chunks
    monkeypatch.setattr(pipeline, "worker_count", lambda rows: 2)
    monkeypatch.setattr(pipeline, "normalized_chunks",
                        lambda *args: (started.append(args[-1]), real(*args))[1])
    with Workspace.create(tmp_path / "there.omnidesk") as ws:
        there = import_file(ws, data, ImportOptions(channel="shop"))
    assert started == [2]
    assert (there.imported, there.flagged, there.skipped, there.new_customers) == \
        (here.imported, here.flagged, here.skipped, here.new_customers)
    assert here.flagged > 0 and here.skipped == 1
    assert [(f.record.number, f.problems) for f in there.flagged_rows] == \
        [(f.record.number, f.problems) for f in here.flagged_rows]
    ignore = {"import_batch", "setting"}  # its start and end times; each workspace's own random salt
    a = {k: v for k, v in dump(tmp_path / "here.omnidesk").items() if k not in ignore}
    b = {k: v for k, v in dump(tmp_path / "there.omnidesk").items() if k not in ignore}
    assert a == b


def test_a_cancelled_import_through_workers_stops_them_and_keeps_nothing(new_workspace, tmp_path, monkeypatch):
    data = write_csv(tmp_path / "list.csv", HEADER, _rows(400))
    monkeypatch.setattr(pipeline, "CHUNK", 50)
    monkeypatch.setattr(pipeline, "worker_count", lambda rows: 2)
    with new_workspace(tmp_path / "w.omnidesk") as ws:
        calls = []
        gen = run_import(ws, analyze(ws, data, ImportOptions(channel="shop")),
                         cancelled=lambda: (calls.append(1), len(calls) > 2)[1])
        with pytest.raises(Cancelled):
            for _ in gen:
                pass
        assert ws.counts()["source_records"] == 0
    import multiprocessing

    assert multiprocessing.active_children() == []


def test_an_error_in_a_worker_reaches_the_import(new_workspace, tmp_path, monkeypatch):
    data = write_csv(tmp_path / "list.csv", HEADER, _rows(100))
    with new_workspace(tmp_path / "w.omnidesk") as ws:
        plan = analyze(ws, data, ImportOptions(channel="shop"))
        normalizer = RowNormalizer(plan)
        normalizer.cells = None  # every row's normalize fails in the worker, with a TypeError
        with pytest.raises(TypeError):
            list(islice(parallel.normalized_chunks(read_records(plan.path, plan.fmt), normalizer, plan.channel,
                                                   plan.header, 40, 2), 3))


def test_small_files_and_small_machines_stay_in_process(monkeypatch):
    monkeypatch.delenv(parallel.WORKERS_VARIABLE, raising=False)
    monkeypatch.setattr(parallel.os, "cpu_count", lambda: 8)
    assert parallel.worker_count(50) == 0
    assert parallel.worker_count(parallel.PARALLEL_MIN_ROWS) == min(7, parallel.MAX_WORKERS)
    monkeypatch.setattr(parallel.os, "cpu_count", lambda: parallel.PARALLEL_MIN_CORES)
    assert parallel.worker_count(10 * parallel.PARALLEL_MIN_ROWS) == parallel.PARALLEL_MIN_CORES - 1
    for cores in (1, 2, parallel.PARALLEL_MIN_CORES - 1):
        monkeypatch.setattr(parallel.os, "cpu_count", lambda cores=cores: cores)
        assert parallel.worker_count(10 * parallel.PARALLEL_MIN_ROWS) == 0
    # The variable decides, either way.
    monkeypatch.setenv(parallel.WORKERS_VARIABLE, "2")
    assert parallel.worker_count(50) == 2
    monkeypatch.setattr(parallel.os, "cpu_count", lambda: 8)
    monkeypatch.setenv(parallel.WORKERS_VARIABLE, "0")
    assert parallel.worker_count(10 * parallel.PARALLEL_MIN_ROWS) == 0
