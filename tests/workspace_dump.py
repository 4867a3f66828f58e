"""A dump of what a workspace holds for its user, to check that an undo puts back exactly what was there."""

from __future__ import annotations

import sqlite3
from pathlib import Path

# History, not data: a merge or an import that was taken back stays on record (marked
# undone) so the log is honest; the user's customers, records and queue are what must be
# exactly as before.
HISTORY = ("merge_log",)


def dump(path: Path | str) -> dict[str, list[tuple]]:
    """Every row of every table the user's data lives in, ordered, read straight from the file.

    The customer search index is derived from the customer rows (a test searches through it
    instead); import batches taken back are left out, as history.
    """
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        tables = [name for (name,) in con.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "AND name NOT LIKE 'customer_fts%' AND name != 'alembic_version' ORDER BY name")]
        out = {}
        for table in tables:
            if table in HISTORY:
                continue
            where = " WHERE status != 'undone'" if table == "import_batch" else ""
            cols = [r[1] for r in con.execute(f"PRAGMA table_info({table})")]
            order = ", ".join(f'"{c}"' for c in cols)
            out[table] = con.execute(f"SELECT * FROM {table}{where} ORDER BY {order}").fetchall()
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
