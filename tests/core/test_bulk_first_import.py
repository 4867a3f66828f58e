"""The first big import builds its indexes at the end; the workspace looks the same as row by row."""

from __future__ import annotations

import pytest

from omnidesk.core.importing import pipeline
from omnidesk.core.importing.pipeline import ImportOptions, analyze, import_file, run_import
from omnidesk.core.tasks import Cancelled
from omnidesk.core.workspace import Workspace
from tests.helpers import write_csv

HEADER = ["Email", "First Name", "Last Name", "Phone", "Zip"]


def _rows(n, start=0):
    return [[f"p{i}@example.com", f"Name{i}", f"Family{i % 7}", f"+1415555{i % 10000:04d}", f"0{4100 + i % 50}"]
            for i in range(start, start + n)]


def _indexes(ws):
    with ws.engine.connect() as conn:
        return sorted(conn.exec_driver_sql("SELECT name, sql FROM sqlite_master WHERE type = 'index'").fetchall())


def _state(ws):
    with ws.engine.connect() as conn:
        customers = conn.exec_driver_sql(
            "SELECT display_name, email, phone, postcode, source_count FROM customer ORDER BY email").fetchall()
        records = conn.exec_driver_sql("SELECT record_no, row_hash, email, flagged FROM source_record "
                                       "ORDER BY record_no").fetchall()
    return customers, records


@pytest.mark.parametrize("threshold", [10**9, 1])
def test_a_first_import_gives_the_same_workspace_either_way(tmp_path, monkeypatch, threshold):
    monkeypatch.setattr(pipeline, "BULK_IMPORT_ROWS", threshold)
    suspended = []
    real = pipeline.indexes_suspended
    monkeypatch.setattr(pipeline, "indexes_suspended",
                        lambda conn, names: (suspended.extend(names), real(conn, names))[1])
    data = write_csv(tmp_path / "list.csv", HEADER, _rows(300) + [["broken@", "Bad", "Row", "", ""]])
    with Workspace.create(tmp_path / f"w{threshold}.omnidesk") as ws:
        before = _indexes(ws)
        result = import_file(ws, data, ImportOptions(channel="shop"))
        assert (result.imported, result.flagged) == (301, 1)
        assert ("ix_source_record_row_hash" in suspended) == (threshold == 1)
        assert _indexes(ws) == before  # every index is back, as it was defined
        # A second file is checked against the first for rows seen before, through the index.
        again = import_file(ws, write_csv(tmp_path / "more.csv", HEADER, _rows(10, 295)),
                            ImportOptions(channel="shop"))
        assert (again.seen_before, again.duplicates, again.imported) == (5, 0, 10)
        state = _state(ws)
    ref = Workspace.create(tmp_path / f"ref{threshold}.omnidesk")
    with ref:
        monkeypatch.setattr(pipeline, "BULK_IMPORT_ROWS", 10**9)
        import_file(ref, data, ImportOptions(channel="shop"))
        import_file(ref, write_csv(tmp_path / "more.csv", HEADER, _rows(10, 295)), ImportOptions(channel="shop"))
        assert _state(ref) == state


def test_a_cancelled_first_import_leaves_the_indexes_as_they_were(tmp_path, monkeypatch):
    monkeypatch.setattr(pipeline, "BULK_IMPORT_ROWS", 1)
    monkeypatch.setattr(pipeline, "CHUNK", 100)
    data = write_csv(tmp_path / "list.csv", HEADER, _rows(500))
    with Workspace.create(tmp_path / "w.omnidesk") as ws:
        before = _indexes(ws)
        calls = []
        gen = run_import(ws, analyze(ws, data, ImportOptions(channel="shop")),
                         cancelled=lambda: (calls.append(1), len(calls) > 3)[1])
        with pytest.raises(Cancelled):
            for _ in gen:
                pass
        assert _indexes(ws) == before
        assert ws.counts()["source_records"] == 0
