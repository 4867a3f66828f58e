"""Tagging many customers at once (``tag add … --rule``, Add Tag… on a selection) writes each hand
record once, in a few statements for all of them, and leaves exactly the rows tagging them one by
one leaves: a new hand record numbered and hashed in customer order, its cells, its ``untagged``
list; a tag taken off stays off; undo puts every row back."""

from __future__ import annotations

import hashlib
import json

import pytest
from sqlalchemy import Engine, event

from omnidesk.core import edits
from omnidesk.core.journal import JournaledWorkspace, revert
from omnidesk.core.workspace import Workspace
from tests.helpers import cli_shop_fixtures, run_cli
from tests.workspace_dump import differences, dump

N = 40
PEOPLE = (["First Name", "Last Name", "Email", "City", "Tags"],
          [[f"P{i:02d}", "Lee", f"p{i:02d}@example.com", "Bangor", "Local" if i % 3 == 0 else ""]
           for i in range(N)])
EVERYONE = json.dumps({"field": "city", "op": "is", "value": "Bangor"})

# Before the bulk change: p01 and p02 tagged by hand (so they have a hand record), and the
# file's tag "Local" taken off p03 (which keeps it off: "untagged").
shop_template, shop = cli_shop_fixtures(
    PEOPLE,
    ["tag", "add", "Gold", "2", "3"],
    ["tag", "remove", "Local", "4"],
)


def _hand_rows(path, cid):
    with Workspace.open(path) as ws, ws.engine.connect() as conn:
        return [tuple(r) for r in conn.exec_driver_sql(
            "SELECT r.record_no, r.row_hash, r.line_no, r.kind, r.tags, r.values_json, r.raw_json, "
            "r.email, r.phone, r.birthday, r.first_name "
            "FROM source_record r JOIN import_batch b ON b.id = r.batch_id "
            "WHERE b.kind = 'manual' AND r.customer_id = ? ORDER BY r.id", (cid,))]


def _tags(path, cid):
    with Workspace.open(path) as ws, ws.engine.connect() as conn:
        return conn.exec_driver_sql("SELECT tags FROM customer WHERE id = ?", (cid,)).scalar()


def _first_record(path, cid):
    with Workspace.open(path) as ws, ws.engine.connect() as conn:
        return conn.exec_driver_sql("SELECT min(id) FROM source_record WHERE customer_id = ?", (cid,)).scalar()


def _hand(cid, number, tags, values):
    raw = json.dumps(["" for _ in edits.FIELDS] + [tags])
    return (number, hashlib.sha256(f"hand:{cid}:{number}".encode()).hexdigest(), 0, "contacts", tags,
            json.dumps(values), raw, None, None, None, "")


def test_tag_add_on_a_rule_writes_the_rows_one_by_one_would(shop, capsys):
    path = shop
    assert _hand_rows(path, 2) == [_hand(2, 1, "Gold", {"follows": _first_record(path, 2)})]
    assert _hand_rows(path, 4)[0][5] == json.dumps({"follows": _first_record(path, 4), "untagged": ["Local"]})

    status, out, err = run_cli(capsys, "tag", "add", "Spring", "--rule", EVERYONE, "-w", path)
    assert status == 0, err

    # Those with a hand record keep it, with the tag added.
    assert _hand_rows(path, 2) == [_hand(2, 1, "Gold, Spring", {"follows": _first_record(path, 2)})]
    assert _hand_rows(path, 3) == [_hand(3, 2, "Gold, Spring", {"follows": _first_record(path, 3)})]
    assert _hand_rows(path, 4) == [_hand(4, 3, "Spring", {"follows": _first_record(path, 4), "untagged": ["Local"]})]
    # Everyone else gets one, numbered on in customer order.
    others = [c for c in range(1, N + 1) if c not in (2, 3, 4)]
    for number, cid in enumerate(others, start=4):
        assert _hand_rows(path, cid) == [_hand(cid, number, "Spring", {"follows": _first_record(path, cid)})]
    assert _tags(path, 1) == "Local, Spring"  # the file's tag and the one added by hand
    assert _tags(path, 2) == "Gold, Spring"
    assert _tags(path, 4) == "Spring"  # "Local" stays off


def test_tag_remove_on_a_rule_writes_the_rows_one_by_one_would(shop, capsys):
    path = shop
    status, out, err = run_cli(capsys, "tag", "remove", "Local", "--rule", EVERYONE, "-w", path)
    assert status == 0, err
    # Taken off only those who carried it (p00, p06, ... are customers 1, 7, ...; p03 had it off).
    carriers = [c for c in range(1, N + 1) if (c - 1) % 3 == 0 and c != 4]
    for number, cid in enumerate(carriers, start=4):
        assert _hand_rows(path, cid) == [_hand(cid, number, "", {"follows": _first_record(path, cid),
                                                                  "untagged": ["Local"]})]
        assert _tags(path, cid) == ""
    assert _hand_rows(path, 5) == []  # never carried it: no hand record made for nothing
    assert _tags(path, 2) == "Gold"


@pytest.fixture
def statements():
    seen: list[str] = []

    def heard(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement)

    event.listen(Engine, "before_cursor_execute", heard)
    yield seen
    event.remove(Engine, "before_cursor_execute", heard)


def test_tagging_many_customers_writes_them_together_not_one_by_one(shop, capsys, statements):
    path = shop
    statements.clear()
    status, out, err = run_cli(capsys, "tag", "add", "Spring", "--rule", EVERYONE, "-w", path)
    assert status == 0, err
    writes = [s for s in statements if "source_record" in s and s.lstrip().upper().startswith(("INSERT", "UPDATE"))]
    assert len(writes) < 5, writes  # one insert for the new hand records, one update for the others
    assert len(statements) < N, f"{len(statements)} statements for {N} customers"


def test_undo_of_a_bulk_tag_puts_every_row_back(shop):
    path = shop
    before = dump(path)
    with Workspace.open(path) as ws:
        journaled = JournaledWorkspace(ws)
        edits.retag(journaled, list(range(1, N + 1)), ["Spring"], ["Local"])
        assert _tags(path, 1) == "Spring"
        revert(ws, journaled.journal())
    assert differences(before, dump(path)) == []
