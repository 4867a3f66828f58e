"""A dump of what a workspace holds for its user, to check that an undo puts back exactly what was there."""

from __future__ import annotations

import sqlite3
from pathlib import Path

# History, not data: a merge or an import that was taken back stays on record (marked
# undone) so the log is honest; the user's customers, records and queue are what must be
# exactly as before.
HISTORY = ("merge_log",)
# Derived: the Dashboard's summaries.  An undo may leave a journey marked to be made again, from
# the same rows, to the same figures (tests/core/test_metrics_index.py holds them to that).
DERIVED = ("event_day", "event_day_batch", "customer_journey", "journey_stale")
# Bookkeeping no screen shows: when a golden record was last rebuilt.  An undo rebuilds it
# (now), from the same rows, to the same values.
NOT_SHOWN = {"customer": {"updated_at"}}


# Columns naming an import batch, renumbered by ``renumber_batches``.
BATCH_COLUMNS = {"import_batch": "id", "source_record": "batch_id", "event": "batch_id"}
# Columns naming a customer, renumbered with them.
CUSTOMER_COLUMNS = {"customer": ("id",), "source_record": ("customer_id",), "consent": ("customer_id",),
                    "event": ("customer_id",), "match_review": ("left_id", "right_id")}


def dump(path: Path | str, *, renumber_batches: bool = False, renumber_reviews: bool = False
         ) -> dict[str, list[tuple]]:
    """Every row of every table the user's data lives in, ordered, read straight from the file.

    The customer search index is derived from the customer rows (a test searches through it
    instead); import batches taken back are left out, as history, and so is the time a golden
    record was last rebuilt (``NOT_SHOWN``).  ``renumber_batches``
    numbers the imports that stand 1, 2, 3… in the order they were made: a file imported
    again gets a new id, and that id is all that differs.  So are the customers, in the
    order of their ids: the customers a file imported again makes get new ids (an id is
    never given twice).  ``renumber_reviews`` numbers the pairs waiting in Review 1, 2, 3… in
    the order of their numbers: pairs queued again (Find Duplicates done again) get new
    numbers, a pair's number is never given twice either.
    """
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        live = [b for (b,) in con.execute("SELECT id FROM import_batch WHERE status != 'undone' ORDER BY id")]
        number = {b: i + 1 for i, b in enumerate(live)} if renumber_batches else {}
        people = {c: i + 1 for i, (c,) in enumerate(con.execute("SELECT id FROM customer ORDER BY id"))
                  } if renumber_batches else {}
        tables = [name for (name,) in con.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "AND name NOT LIKE 'customer_fts%' AND name != 'alembic_version' ORDER BY name")]
        out = {}
        for table in tables:
            if table in HISTORY or table in DERIVED:
                continue
            where = " WHERE status != 'undone'" if table == "import_batch" else ""
            cols = [r[1] for r in con.execute(f"PRAGMA table_info({table})")
                    if r[1] not in NOT_SHOWN.get(table, ())]
            names = ", ".join(f'"{c}"' for c in cols)
            rows = con.execute(f"SELECT {names} FROM {table}{where} ORDER BY {names}").fetchall()
            if number and table in BATCH_COLUMNS:
                at = cols.index(BATCH_COLUMNS[table])
                rows = [r[:at] + (number.get(r[at], r[at]),) + r[at + 1:] for r in rows]
            for column in CUSTOMER_COLUMNS.get(table, ()) if people else ():
                at = cols.index(column)
                rows = [r[:at] + (people.get(r[at], r[at]),) + r[at + 1:] for r in rows]
            if renumber_reviews and table == "match_review":
                at = cols.index("id")
                order = {n: i + 1 for i, n in enumerate(sorted(r[at] for r in rows))}
                rows = sorted(r[:at] + (order[r[at]],) + r[at + 1:] for r in rows)
            out[table] = rows
        return out
    finally:
        con.close()


def differences(before: dict, after: dict, limit: int = 5) -> list[str]:
    """What differs between two dumps, table by table (empty when they are the same)."""
    out = []
    for table in sorted(set(before) | set(after)):
        a, b = set(before.get(table, [])), set(after.get(table, []))
        if a != b:
            out.append(f"{table}: gone {sorted(a - b, key=repr)[:limit]}; new {sorted(b - a, key=repr)[:limit]}")
    return out
