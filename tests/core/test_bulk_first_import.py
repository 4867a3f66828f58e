"""The first big import builds its indexes at the end; the workspace looks the same as row by row."""

from __future__ import annotations

import pytest

from omnidesk.core import dialect
from omnidesk.core.identity import resolve
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
    monkeypatch.setattr(resolve, "_WHOLE_WORKSPACE_BATCH", 100)  # resolved as a whole: indexes built meanwhile
    suspended = []
    real = pipeline.indexes_deferred
    monkeypatch.setattr(pipeline, "indexes_deferred",
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


def _statements(ws, log):
    """Every statement the workspace's connections run, the index-building thread's too."""
    from sqlalchemy import event

    event.listen(ws.engine, "connect", lambda dbapi, _: dbapi.set_trace_callback(log.append))
    ws.engine.dispose()


def test_a_big_first_import_builds_indexes_while_it_compares_and_each_once(tmp_path, monkeypatch):
    monkeypatch.setattr(pipeline, "BULK_IMPORT_ROWS", 1)
    monkeypatch.setattr(resolve, "_WHOLE_WORKSPACE_BATCH", 100)
    threads = []
    real_cluster_steps = resolve.cluster_steps

    def cluster_steps(*args, **kwargs):
        threads.append(deferred[0].thread)  # what runs beside the comparing
        return (yield from real_cluster_steps(*args, **kwargs))

    deferred = []
    real_start = dialect.DeferredIndexes.start

    def start(self, keep=()):
        deferred.append(self)
        real_start(self, keep)

    monkeypatch.setattr(resolve, "cluster_steps", cluster_steps)
    monkeypatch.setattr(dialect.DeferredIndexes, "start", start)
    data = write_csv(tmp_path / "list.csv", HEADER, _rows(300))
    with Workspace.create(tmp_path / "w.omnidesk") as ws:
        before = _indexes(ws)
        log: list[str] = []
        _statements(ws, log)
        result = import_file(ws, data, ImportOptions(channel="shop"))
        assert result.new_customers == 300
        assert _indexes(ws) == before
    assert len(threads) == 1 and threads[0] is not None
    built = [line.split()[2] for line in log if line.startswith("CREATE INDEX")]
    # The customer indexes of records and consent facts: built once, after the records are placed.
    assert built.count("ix_source_record_customer_id") == built.count("ix_consent_customer_id") == 1
    assert sorted(built) == sorted(set(built)) and set(pipeline._BULK_INDEXES) <= set(built)
    assert built.index("ix_source_record_customer_id") > built.index("ix_identifier_kind_value")
    # The thread sorts in SQLite's default memory, and the connection has its own cache back after.
    small = log.index("PRAGMA cache_size=-2048")
    back = log.index("PRAGMA cache_size=-16384", small)
    assert small < log.index("CREATE INDEX ix_identifier_kind_value ON identifier (kind, value)") < back
    # ... and before the golden records read the consent facts by customer.
    golden = next(i for i, line in enumerate(log) if line.startswith("UPDATE customer SET first_name"))
    assert log.index("CREATE INDEX ix_consent_customer_id ON consent (customer_id)") < golden


@pytest.mark.parametrize("where", ["comparing", "index thread"])
def test_an_error_while_indexes_are_built_beside_the_comparing_leaves_nothing(tmp_path, monkeypatch, where):
    monkeypatch.setattr(pipeline, "BULK_IMPORT_ROWS", 1)
    monkeypatch.setattr(resolve, "_WHOLE_WORKSPACE_BATCH", 100)
    if where == "comparing":
        def cluster_steps(*args, **kwargs):
            raise RuntimeError("the comparing failed")
            yield  # a generator, as the real one
        monkeypatch.setattr(resolve, "cluster_steps", cluster_steps)
    else:
        real_start = dialect.DeferredIndexes.start

        def start(self, keep=()):
            self.pending["ix_broken"] = "CREATE INDEX ix_broken ON no_such_table (x)"
            real_start(self, keep)
        monkeypatch.setattr(dialect.DeferredIndexes, "start", start)
    data = write_csv(tmp_path / "list.csv", HEADER, _rows(300))
    with Workspace.create(tmp_path / "w.omnidesk") as ws:
        before = _indexes(ws)
        with pytest.raises(Exception, match="the comparing failed|no_such_table"):
            import_file(ws, data, ImportOptions(channel="shop"))
        assert _indexes(ws) == before
        assert ws.counts()["source_records"] == 0
        # The workspace takes the same file afterwards.
        monkeypatch.undo()
        assert import_file(ws, data, ImportOptions(channel="shop")).imported == 300
