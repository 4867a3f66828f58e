"""A big golden-record refresh indexes one run of customers for search while it works out the next.

The second thread must leave the workspace exactly as writing each run in
turn does, replace (not duplicate) the entries of customers indexed before,
and on an error leave nothing behind: no thread, no half-written run.
"""

from __future__ import annotations

import threading

import pytest

from omnidesk.core.customers import customer_ids
from omnidesk.core.dialect import SEARCH_TABLE
from omnidesk.core.identity import golden
from omnidesk.core.identity.golden import refresh_all
from omnidesk.core.importing.pipeline import ImportOptions, import_file
from tests.helpers import golden_state, write_csv

HEADER = ["Email", "First Name", "Last Name", "Phone", "Zip", "Tags"]
FIRST = ["María", "José", "Zoë", "Ann", "Robert", "Chloé", "Ilse", "Søren"]
LAST = ["García", "Müller", "O'Brien", "Nguyễn", "Smith", "Łukasz", "Dvořák", "Berg"]


def _rows(n: int) -> list[list[str]]:
    rows = []
    for i in range(n):
        first, last = FIRST[i % len(FIRST)], LAST[(i // len(FIRST)) % len(LAST)]
        rows.append([f"p{i}@example.com", first, f"{last}{i}", f"+1415555{i:04d}", f"0{4100 + i % 50}",
                     "VIP" if i % 9 == 0 else ""])
    # The same people again from a second list, some with a second address or phone:
    # customers of several records, with several emails and phones to index.
    for i in range(0, n, 3):
        first, last = FIRST[i % len(FIRST)], LAST[(i // len(FIRST)) % len(LAST)]
        rows.append([f"p{i}@example.com" if i % 2 else f"other{i}@example.net", first, f"{last}{i}",
                     f"+1415555{i:04d}", f"0{4100 + i % 50}", "newsletter"])
    return rows


def _load(ws, tmp_path, name="people.csv", n=240):
    path = write_csv(tmp_path / name, HEADER, _rows(n))
    import_file(ws, path, ImportOptions(channel="shop", kind="contacts"))


@pytest.fixture
def small_runs(monkeypatch):
    """Runs of 25 customers, so a few hundred make many runs and the second thread works."""
    monkeypatch.setattr(golden, "_RANGE", 25)
    monkeypatch.setattr(golden, "_IN", 25)
    started = []
    real = golden._WriteBehind.start

    def start(self):
        started.append(self.staged is not None)
        return real(self)

    monkeypatch.setattr(golden._WriteBehind, "start", start)
    return started


def test_indexing_behind_leaves_the_workspace_as_writing_each_run_in_turn(make_workspace, tmp_path, small_runs,
                                                                          monkeypatch):
    behind = make_workspace("behind.omnidesk")
    _load(behind, tmp_path)
    assert sum(small_runs) >= 5  # the thread indexed run after run
    with monkeypatch.context() as m:
        m.setattr(golden._WriteBehind, "for_connection", classmethod(lambda cls, conn: None))
        in_turn = make_workspace("in_turn.omnidesk")
        _load(in_turn, tmp_path)
    customers, entries = golden_state(behind)
    assert (customers, entries) == golden_state(in_turn)
    assert len(customers) > 200 and len(entries) == len(customers)
    # A merged customer carries both lists' emails, and its name without accents too.
    assert any("other0@example.net" in e[2] and "p0@example.com" in e[2] and "Maria Garcia0" in e[1]
               for e in entries)
    assert len(customer_ids(behind, search="Garcia0")) == 1
    assert len(customer_ids(behind, search="other6@exam")) == 1


def test_a_refresh_of_indexed_customers_replaces_their_entries(ws, tmp_path, small_runs):
    _load(ws, tmp_path)
    before = golden_state(ws)
    small_runs.clear()
    with ws.engine.begin() as conn:
        refresh_all(conn)
    assert sum(small_runs) >= 5
    assert golden_state(ws) == before  # no entry twice, none lost


def test_an_error_while_indexing_behind_loses_nothing_and_leaves_no_thread(ws, tmp_path, small_runs, monkeypatch):
    _load(ws, tmp_path)
    before = golden_state(ws)
    threads = threading.active_count()
    calls = []
    real = golden._WriteBehind._index

    def failing(self, unindexed):
        calls.append(unindexed)
        if len(calls) == 3:
            raise RuntimeError("disk went away")
        return real(self, unindexed)

    monkeypatch.setattr(golden._WriteBehind, "_index", failing)
    with pytest.raises(RuntimeError, match="disk went away"):
        with ws.engine.begin() as conn:
            refresh_all(conn)
    assert len(calls) == 3
    assert threading.active_count() == threads
    assert golden_state(ws) == before
    with ws.engine.connect() as conn:  # the staging table went with the transaction
        assert conn.exec_driver_sql("SELECT count(*) FROM sqlite_temp_master WHERE name = 'search_stage'"
                                    ).scalar() == 0


def test_a_big_refresh_leaves_the_search_index_settings_as_it_found_them(ws, tmp_path, small_runs, monkeypatch):
    _load(ws, tmp_path)
    with ws.engine.begin() as conn:
        conn.exec_driver_sql(f"INSERT INTO {SEARCH_TABLE} ({SEARCH_TABLE}, rank) VALUES ('automerge', 8)")
    seen = []
    real = golden._WriteBehind._index

    def index(self, unindexed):
        # While the refresh indexes, segments are not merged and the buffer holds a whole run.
        seen.append(dict(self.conn.exec_driver_sql(f"SELECT k, v FROM {SEARCH_TABLE}_config").all()))
        return real(self, unindexed)

    monkeypatch.setattr(golden._WriteBehind, "_index", index)
    before = golden_state(ws)
    with ws.engine.begin() as conn:
        refresh_all(conn)
    assert seen and all(s["automerge"] == 0 and s["hashsize"] > 1 << 20 for s in seen)
    with ws.engine.connect() as conn:
        settings = dict(conn.exec_driver_sql(f"SELECT k, v FROM {SEARCH_TABLE}_config").all())
    assert settings["automerge"] == 8 and settings["hashsize"] == 1 << 20
    assert golden_state(ws) == before
    assert len(customer_ids(ws, search="Garcia0")) == 1
