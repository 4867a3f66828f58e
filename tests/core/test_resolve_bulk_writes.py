"""The bulk writes of a full resolve: same workspace as writing row by row, and golden rules kept.

Records are placed through a staging table and one ``UPDATE ... FROM`` when
there are many; the golden records' survivorship and search entries take
shortcuts for the common cases.  Each must give what the plain way gives.
"""

from __future__ import annotations

import pytest
from sqlalchemy.exc import IntegrityError

from omnidesk.core import dialect
from omnidesk.core.dialect import SEARCH_TABLE, set_column_by_id
from omnidesk.core.identity import golden
from omnidesk.core.identity.resolve import resolve_all
from omnidesk.core.importing.pipeline import ImportOptions, import_file
from tests.helpers import write_csv

HEADER = ["Email", "First Name", "Last Name", "Phone", "Zip"]


def _rows(n: int) -> list[list[str]]:
    rows = [[f"p{i}@example.com", "José" if i % 5 == 0 else f"Name{i}", f"Family{i % 7}",
             f"+1415555{i:04d}", f"0{4100 + i % 50}"] for i in range(n)]
    # The same people again, some under another email: customers of several records.
    rows += [[f"p{i}@example.com" if i % 2 else f"other{i}@example.net", "José" if i % 5 == 0 else f"Name{i}",
              f"Family{i % 7}", f"+1415555{i:04d}", f"0{4100 + i % 50}"] for i in range(0, n, 3)]
    return rows


def _state(ws):
    with ws.engine.connect() as conn:
        return {name: conn.exec_driver_sql(sql).fetchall() for name, sql in {
            "customers": "SELECT id, display_name, full_name, email, phone, postcode, channels, orders, spend_minor, "
                         "source_count FROM customer ORDER BY id",
            "records": "SELECT id, customer_id FROM source_record ORDER BY id",
            "reviews": "SELECT left_id, right_id, score, reasons_json FROM match_review ORDER BY id",
            "search": f"SELECT rowid, name, email, phone FROM {SEARCH_TABLE} ORDER BY rowid",
            "stale": "SELECT customer_id FROM journey_stale ORDER BY customer_id",
            "staging": "SELECT name FROM sqlite_temp_master",
        }.items()}


@pytest.fixture
def people(make_workspace, tmp_path):
    def make(name):
        ws = make_workspace(name)
        import_file(ws, write_csv(tmp_path / "people.csv", HEADER, _rows(90)), ImportOptions(channel="shop"))
        return ws
    return make


def _taken_off(conn) -> None:
    """Every record off its customer and no customers: a full resolve then places them all."""
    for table in ("source_record", "consent", "event"):
        conn.exec_driver_sql(f"UPDATE {table} SET customer_id = NULL")
    for table in ("match_review", "customer", SEARCH_TABLE):
        conn.exec_driver_sql(f"DELETE FROM {table}")


def test_a_full_resolve_places_records_the_same_through_the_staging_table(people, monkeypatch):
    staged = people("staged.omnidesk")
    row_by_row = people("row_by_row.omnidesk")
    statements = []
    real = dialect.executemany
    monkeypatch.setattr(dialect, "executemany", lambda conn, sql, rows: (statements.append(sql), real(conn, sql, rows)))
    monkeypatch.setattr(dialect, "_STAGED_UPDATE_ROWS", 1)
    with staged.engine.begin() as conn:
        _taken_off(conn)
        resolve_all(conn, from_scratch=True)
    assert not any(s.startswith("UPDATE source_record") for s in statements)
    monkeypatch.setattr(dialect, "_STAGED_UPDATE_ROWS", 10**9)
    with row_by_row.engine.begin() as conn:
        _taken_off(conn)
        resolve_all(conn, from_scratch=True)
    assert any(s.startswith("UPDATE source_record") for s in statements)
    state = _state(staged)
    assert state == _state(row_by_row)
    assert len(state["customers"]) > 50 and state["staging"] == []
    assert all(cid is not None for _, cid in state["records"])
    assert len({cid for _, cid in state["records"]}) < len(state["records"])  # some customers hold two records


def test_a_big_first_import_and_a_rebuild_leave_consent_facts_with_their_customers(ws, tmp_path, monkeypatch):
    """A first import big enough to be placed in bulk, then a rebuild that places a seventh of the
    records again: the consent facts follow their records with the customer indexes of records,
    facts and events put off and built once, and every one of those indexes is there again after."""
    from omnidesk.core.identity import resolve

    suspended = []
    real = resolve.indexes_suspended

    def spy(conn, names):
        suspended.extend(names)
        return real(conn, names)

    monkeypatch.setattr(resolve, "indexes_suspended", spy)
    rows = [[f"p{i}@example.com", f"Name{i}", f"Family{i % 97}", "yes" if i % 3 else "no"] for i in range(5_000)]
    rows += [[f"p{i}@example.com", f"Name{i}", f"Family{i % 97}", "no"] for i in range(0, 5_000, 50)]
    import_file(ws, write_csv(tmp_path / "people.csv", ["Email", "First Name", "Last Name", "Accepts Email Marketing"],
                              rows), ImportOptions(channel="shop"))
    wanted = {"ix_source_record_customer_id", "ix_consent_customer_id", "ix_event_customer_time"}
    for rebuild in (False, True):
        if rebuild:
            suspended.clear()
            with ws.engine.begin() as conn:
                # A seventh of the records off their customers, facts and all: the rebuild places them again.
                for table, key in (("source_record", "id"), ("consent", "record_id")):
                    conn.exec_driver_sql(f"UPDATE {table} SET customer_id = NULL WHERE {key} % 7 = 0")
            with ws.engine.begin() as conn:
                resolve_all(conn, from_scratch=True)
        assert wanted <= set(suspended)
        with ws.engine.connect() as conn:
            assert wanted <= {n for (n,) in conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'index'")}
            facts = conn.exec_driver_sql("SELECT c.customer_id, r.customer_id FROM consent c "
                                         "JOIN source_record r ON r.id = c.record_id").fetchall()
            plan = " ".join(str(r) for r in conn.exec_driver_sql(
                "EXPLAIN QUERY PLAN SELECT status FROM consent WHERE customer_id = 7").fetchall())
        assert len(facts) == 5_100 and all(fact == record is not None for fact, record in facts)
        assert len({record for _, record in facts}) == 5_000  # the repeated rows joined their people
        assert "ix_consent_customer_id" in plan


def test_a_staged_update_that_fails_changes_nothing(people, monkeypatch):
    ws = people("failing.omnidesk")
    monkeypatch.setattr(dialect, "_STAGED_UPDATE_ROWS", 1)
    before = _state(ws)
    with ws.engine.connect() as conn:
        records = [r for (r,) in conn.exec_driver_sql("SELECT id FROM source_record ORDER BY id")]
        customer = conn.exec_driver_sql("SELECT min(id) FROM customer").scalar()
    # The last record names a customer that does not exist: the foreign key refuses the statement.
    pairs = [(customer, r) for r in records[:-1]] + [(10**9, records[-1])]
    with pytest.raises(IntegrityError):
        with ws.engine.begin() as conn:
            set_column_by_id(conn, "source_record", "customer_id", pairs)
    assert _state(ws) == before


def _record(**fields) -> tuple:
    base = {c: "" for c in golden._REC_COLS}
    base.update(values_json="{}", batch_id=1, full_name="", birthday=None, kind="contacts", channel="shop")
    base.update(fields)
    return tuple(base[c] for c in golden._REC_COLS)


def test_survivorship_of_several_records():
    trust = {"shop": 0, "email": 1}
    rows = [
        _record(id=1, channel="email", first_name="Bob", last_name="Miller", email="b@x.com", phone="+1",
                address="1 Oak St", city="Portland", postcode="04101", country="US"),
        _record(id=2, channel="shop", first_name="Robert", last_name="Miller", full_name="Robert J Miller",
                email="bob@x.com", address="", city="", country=""),
        _record(id=3, channel="email", email="bob@x.com", city="Boston", country=""),
        _record(id=4, kind="events", channel="shop", first_name="Rob", address="9 Elm St", email="b@x.com"),
    ]
    values = golden._survivors(rows, trust)
    # The shop's name; the address whole from the latest contact record with one, the country
    # from the latest record that says; the email seen most often, the latest on a tie.
    assert (values["first_name"], values["last_name"]) == ("Robert", "Miller")
    assert (values["address"], values["city"], values["postcode"], values["country"]) == ("", "Boston", "", "US")
    assert values["email"] == "bob@x.com" and values["phone"] == "+1" and values["birthday"] is None
    trusted = golden._by_trust(rows, trust)
    assert [r[0] for r in trusted] == [2, 3, 1, 4]
    assert golden._survivors(rows, trust, trusted) == values
    assert golden._full_name(rows, "Robert", "Miller", trust, trusted) == "Robert J Miller"
    assert golden._full_name(rows, "Bob", "Miller", trust) == "Bob Miller"


def test_golden_rows_of_one_and_several_records_and_their_search_entries():
    records = {
        1: [_record(id=10, customer_id=1, first_name="José", last_name="Ruiz", email="j@x.com")],
        2: [_record(id=11, customer_id=2, first_name="Ann", last_name="Lee", email="a@x.com"),
            _record(id=12, customer_id=2, channel="email", first_name="Annie", last_name="Lee", email="a@x.com")],
        3: [_record(id=13, customer_id=3, phone="+14155550100")],
        4: [],
    }
    facts = golden._ChunkFacts(records, {}, {}, {}, {}, {}, {}, [(1, "email", "j@x.com"), (2, "email", "a@x.com"),
                                                            (2, "email", "ann@y.org"), (3, "phone", "+14155550100")])
    updates, search, empty = golden._golden_rows([1, 2, 3, 4], facts, {"shop": 0, "email": 1})
    assert empty == [4]
    at = {c: i for i, c in enumerate(golden._OUT_COLS)}
    assert [(u[-1], u[at["display_name"]], u[at["orders"]], u[at["spend_minor"]], u[at["source_count"]])
            for u in updates] == [(1, "José Ruiz", 0, None, 1), (2, "Ann Lee", 0, None, 2),
                                  (3, "+14155550100", 0, None, 1)]
    assert search == [(1, "Jose Ruiz | José Ruiz", "j@x.com", ""), (2, "Ann Lee | Annie Lee", "a@x.com ann@y.org", ""),
                      (3, "+14155550100", "", "14155550100 4155550100")]
    facts.identifiers = None  # no search index on this database
    assert golden._golden_rows([1, 2, 3, 4], facts, {})[1] == []


def test_a_customers_tags_keep_the_order_of_its_records(make_workspace, tmp_path):
    ws = make_workspace("tags.omnidesk")
    header = ["Email", "First Name", "Last Name", "Tags"]
    for n, tag in enumerate(["newsletter", "VIP", "autumn sale"]):
        import_file(ws, write_csv(tmp_path / f"list{n}.csv", header, [["ann@example.com", "Ann", "Lee", tag]]),
                    ImportOptions(channel="shop"))
    with ws.engine.begin() as conn:
        resolve_all(conn, from_scratch=True)
    with ws.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT tags, source_count FROM customer").fetchall() == [
            ("newsletter, VIP, autumn sale", 3)]


def test_bulk_staging_writes_every_row_in_order_past_one_statements_worth(monkeypatch):
    from sqlalchemy import create_engine

    from omnidesk.core.dialect import insert_rows_in_bulk

    engine = create_engine("sqlite://")
    rows = [(i, f"name {i}", None if i % 3 else f"{i}@x.com") for i in range(1, 601)]  # 2 statements and a rest
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT, email TEXT)")
        conn.exec_driver_sql("CREATE TABLE s (seq INTEGER PRIMARY KEY, id INTEGER, name TEXT, email TEXT)")
        insert_rows_in_bulk(conn, "t", 3, rows)
        insert_rows_in_bulk(conn, "s (id, name, email)", 3, rows[::-1])
        assert conn.exec_driver_sql("SELECT id, name, email FROM t ORDER BY id").fetchall() == rows
        assert conn.exec_driver_sql("SELECT id, name, email FROM s ORDER BY seq").fetchall() == rows[::-1]
        monkeypatch.setattr(dialect, "_STAGED_UPDATE_ROWS", 1)  # 300 rows through the staging table
        set_column_by_id(conn, "t", "name", [(f"new {i}", i) for i in range(1, 601, 2)])
        assert conn.exec_driver_sql("SELECT id, name FROM t ORDER BY id").fetchall() == [
            (i, f"new {i}" if i % 2 else f"name {i}") for i in range(1, 601)]
        assert conn.exec_driver_sql("SELECT count(*) FROM sqlite_temp_master").scalar() == 0
