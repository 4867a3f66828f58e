"""The value counts behind match weights stay equal to a full recount through import, undo and erase."""

from __future__ import annotations

from alembic import command

from omnidesk.core.identity.resolve import resolve_all
from omnidesk.core.identity.stats import load_frequencies, rebuild_counts
from omnidesk.core.identity.scoring import Profile
from omnidesk.core.importing.batches import undo_batch
from omnidesk.core.importing.pipeline import ImportOptions, import_file
from omnidesk.core.rights import erase_person
from omnidesk.core.workspace import Workspace, _alembic_config
from tests.helpers import write_csv

HEADER = ["First Name", "Last Name", "Email", "Zip", "City"]
FIRST = [["Ann", "Lee", "ann@example.com", "94110", "San Francisco"],
         ["Bo", "Chen", "bo@example.com", "94110", "San Francisco"],
         ["José", "Okonkwo", "jose@example.com", "10 115", "Berlin"]]
SECOND = [["Ann", "Lee", "ann.lee@example.org", "94110", "san francisco"],
          ["Cy", "Lee", "cy@example.com", "02139", "Cambridge"]]


def counts(ws) -> dict:
    with ws.engine.connect() as conn:
        return {(f, v): n for f, v, n in conn.exec_driver_sql("SELECT field, value, n FROM value_count")}


def recount(ws) -> dict:
    with ws.engine.begin() as conn:
        rebuild_counts(conn)
    return counts(ws)


def test_imports_add_counts_equal_to_a_full_recount(new_workspace, tmp_path):
    with new_workspace(tmp_path / "w.omnidesk") as ws:
        import_file(ws, write_csv(tmp_path / "a.csv", HEADER, FIRST), ImportOptions(channel="shop"))
        import_file(ws, write_csv(tmp_path / "b.csv", HEADER, SECOND), ImportOptions(channel="email"))
        after = counts(ws)
        assert after[("last", "lee")] == 3
        assert after[("first", "jose")] == 1  # folded: accents and case do not split a name
        assert after[("postcode", "10115")] == 1  # spaces dropped, as the scoring compares them
        assert after[("city", "sanfrancisco")] == 3
        assert after[("last", "")] == 5  # the total of records with a last name
        assert after == recount(ws)


def test_undo_and_erase_take_their_counts_away(new_workspace, tmp_path):
    with new_workspace(tmp_path / "w.omnidesk") as ws:
        import_file(ws, write_csv(tmp_path / "a.csv", HEADER, FIRST), ImportOptions(channel="shop"))
        before = counts(ws)
        second = import_file(ws, write_csv(tmp_path / "b.csv", HEADER, SECOND), ImportOptions(channel="email"))
        assert counts(ws) != before
        undo_batch(ws, second.batch_id)
        assert counts(ws) == before
        with ws.engine.connect() as conn:
            jose = conn.exec_driver_sql("SELECT customer_id FROM source_record WHERE last_name = 'Okonkwo'").scalar()
        erase_person(ws, jose)
        left = counts(ws)
        # A name seen once would say the erased person had been here.
        assert not any(v in ("jose", "okonkwo", "10115", "berlin") for _, v in left)
        assert left[("last", "")] == 2
        assert left == recount(ws)


def test_full_resolve_rewrites_counts_and_lookups_read_them(new_workspace, tmp_path):
    with new_workspace(tmp_path / "w.omnidesk") as ws:
        import_file(ws, write_csv(tmp_path / "a.csv", HEADER, FIRST + SECOND), ImportOptions(channel="shop"))
        expected = counts(ws)
        with ws.engine.begin() as conn:
            conn.exec_driver_sql("UPDATE value_count SET n = n + 7")
            resolve_all(conn, from_scratch=True)
        assert counts(ws) == expected
        probe = Profile(rid=0, row_hash="", customer_id=None, kind="contacts", channel="shop", first="ann",
                        last="lee", emails=(), phones=(), externals=(), postcode="94110", city="", address="",
                        birthday=None)
        with ws.engine.connect() as conn:
            freq = load_frequencies(conn, [probe])
        assert (freq.last["lee"], freq.first["ann"], freq.postcode["94110"]) == (3, 2, 3)
        assert (freq.n_last, freq.n_first, freq.n_postcode) == (5, 5, 5)
        assert "chen" not in freq.last  # only the values asked for are read


def test_migration_counts_an_older_workspace(tmp_path):
    path = tmp_path / "w.omnidesk"
    with Workspace.create(path) as ws:
        import_file(ws, write_csv(tmp_path / "a.csv", HEADER, FIRST + SECOND), ImportOptions(channel="shop"))
        expected = counts(ws)
        with ws.engine.begin() as conn:
            command.downgrade(_alembic_config(conn), "0002")
    with Workspace.open(path) as ws:
        assert ws.backup_path is not None
        assert counts(ws) == expected
