"""Placing records when nobody has a customer yet is done over arrays: the same as cluster by cluster.

A first big import and a rebuild from scratch place every record at once.
``writes._apply_to_nobody`` works that out in numpy; it must give exactly the
customers, ids, moves, questions and counts that the general path
(``writes._apply_by_cluster``) gives the same plan.
"""

from __future__ import annotations

import shutil

import pytest
import time_machine

from omnidesk.core.demo import build_demo
from omnidesk.core.identity import writes
from omnidesk.core.identity.resolve import resolve_all
from omnidesk.core.workspace import Workspace
from tests.benchmarks.identity_data import Synthetic, insert_synthetic
from tests.workspace_dump import dump


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory):
    """The demo shop (families on one email, events from shared addresses, every channel), built once."""
    path = tmp_path_factory.mktemp("demo") / "demo.omnidesk"
    with time_machine.travel("2025-06-01 09:00:00Z", tick=False):
        build_demo(path, customers=120)
    return path


def _rebuilt(source, path, monkeypatch, by_cluster: bool) -> tuple[dict, dict]:
    shutil.copyfile(source, path)
    used = []
    fast, general = writes._apply_to_nobody, writes._apply_by_cluster

    def nobody(*args, **kwargs):
        used.append("arrays")
        return (general if by_cluster else fast)(*args, **kwargs)

    with monkeypatch.context() as m:
        m.setattr(writes, "_apply_to_nobody", nobody)
        with Workspace.open(path) as ws, time_machine.travel("2025-06-02 09:00:00Z", tick=False):
            with ws.writing() as conn:
                stats = resolve_all(conn, from_scratch=True)
    assert used == ["arrays"], "nobody had a customer when the plan was applied"
    return dump(path), {"created": stats.created, "linked": stats.linked, "queued": stats.queued,
                        "merged": stats.auto_merged, "touched": sorted(stats.touched)}


def test_a_rebuild_of_the_demo_places_the_same_way_over_arrays(demo_file, tmp_path, monkeypatch):
    arrays, stats_a = _rebuilt(demo_file, tmp_path / "arrays.omnidesk", monkeypatch, by_cluster=False)
    clusters, stats_c = _rebuilt(demo_file, tmp_path / "clusters.omnidesk", monkeypatch, by_cluster=True)
    # The demo's customers are all made again under their ids: none is new, every record placed.
    assert stats_a == stats_c and stats_a["created"] == 0 and stats_a["linked"] > 0 and stats_a["queued"] > 0
    assert arrays == clusters  # every table, row for row: customers and their ids, records, reviews


def test_a_first_resolve_places_the_same_way_over_arrays(make_workspace, tmp_path, monkeypatch):
    ws = make_workspace("synthetic.omnidesk")
    with ws.writing() as conn:
        insert_synthetic(conn, Synthetic(), 2_000)
    ws.close()
    arrays, stats_a = _rebuilt(ws.path, tmp_path / "arrays.omnidesk", monkeypatch, by_cluster=False)
    clusters, stats_c = _rebuilt(ws.path, tmp_path / "clusters.omnidesk", monkeypatch, by_cluster=True)
    assert stats_a == stats_c and stats_a["linked"] == 2_000 and stats_a["merged"] == 0
    assert arrays == clusters


def test_an_event_from_a_familys_shared_email_stays_unplaced_over_arrays(make_workspace, tmp_path, monkeypatch):
    from omnidesk.core.importing.pipeline import ImportOptions, import_file
    from tests.helpers import write_csv

    ws = make_workspace("family.omnidesk")
    import_file(ws, write_csv(tmp_path / "a.csv", ["First Name", "Last Name", "Email"],
                              [["Anna", "Lee", "leefamily@example.com"], ["Mark", "Lee", "leefamily@example.com"],
                               ["Ola", "Berg", "ola@example.com"]]), ImportOptions(channel="shop"))
    import_file(ws, write_csv(tmp_path / "opens.csv", ["Email", "Action", "Timestamp"],
                              [["leefamily@example.com", "open", "2026-01-02 10:00:00"],
                               ["ola@example.com", "open", "2026-01-03 10:00:00"]]),
                ImportOptions(channel="email", kind="events"))
    ws.close()
    arrays, stats_a = _rebuilt(ws.path, tmp_path / "arrays.omnidesk", monkeypatch, by_cluster=False)
    clusters, stats_c = _rebuilt(ws.path, tmp_path / "clusters.omnidesk", monkeypatch, by_cluster=True)
    assert arrays == clusters and stats_a == stats_c
    with Workspace.open(tmp_path / "arrays.omnidesk") as rebuilt, rebuilt.engine.connect() as conn:
        placed = dict(conn.exec_driver_sql(
            "SELECT r.email || ' ' || r.kind, r.customer_id FROM source_record AS r WHERE r.kind = 'events'").all())
    assert placed["leefamily@example.com events"] is None, "the family's open is pinned on nobody"
    assert placed["ola@example.com events"] is not None
