"""a pair's number in Review is never given twice: the match_review table counts its ids (AUTOINCREMENT)

Revision ID: 0030
Revises: 0029
Create Date: 2026-12-06 11:30:00

SQLite gives a new row the highest id there is plus one.  When the pair with
the highest number was accepted, rejected or erased, the next pair queued (by
an import in another window or on the command line) got its number:
``review reject 1`` read off ``review list`` then kept apart a pair the user
never saw, and undoing the accept of pair 1 failed ("UNIQUE constraint failed")
because the pair could not go back under its number.  With AUTOINCREMENT SQLite
keeps the highest id ever given (``sqlite_sequence``) and never gives one at or
below it.

SQLite cannot add AUTOINCREMENT to a table in place: the table is made again
under the same definition, its rows copied with their ids and its indexes made
again, as 0021 did for customers.  Nothing points at a pair, so no other table
is touched.

Numbers given before and gone since are not all known any more; the merge log
keeps the pairs a merge took out of the queue (to put them back on undo), so
the counter starts past the highest number it names too.
"""

import json
import re
from collections.abc import Sequence

from alembic import op

revision: str = '0030'
down_revision: str | None = '0029'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_NEW = "match_review_autoincrement"


def counting_definition(sql: str) -> str:
    """``CREATE TABLE match_review (...)`` as written, made ``CREATE TABLE match_review_autoincrement``
    with ``id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT`` instead of a separate ``PRIMARY KEY (id)``."""
    head = re.compile(r"^CREATE TABLE \"?match_review\"?\s*\(\s*id INTEGER NOT NULL\s*,", re.IGNORECASE)
    key = re.compile(r",\s*PRIMARY KEY \(\"?id\"?\)", re.IGNORECASE)
    if not head.search(sql) or len(key.findall(sql)) != 1:
        raise RuntimeError(f"the match_review table is not as omnidesk made it: {sql}")
    sql = key.sub("", sql)
    return head.sub(f"CREATE TABLE {_NEW} (\n\tid INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,", sql)


def _highest_named_in_merge_log(conn) -> int:
    """The highest pair number a merge kept, to put the pair back on undo (``_undo.reviews``)."""
    highest = 0
    for (saved,) in conn.exec_driver_sql(
            "SELECT absorbed_json FROM merge_log WHERE absorbed_json LIKE '%\"reviews\"%'"):
        try:
            reviews = json.loads(saved or "{}").get("_undo", {}).get("reviews") or []
            highest = max([highest, *(int(r["id"]) for r in reviews if r.get("id") is not None)])
        except (ValueError, TypeError, AttributeError, KeyError):
            continue  # not as a merge wrote it: it names no number
    return highest


def upgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name != "sqlite":
        return  # a server's sequences never give an id twice
    table_sql = conn.exec_driver_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'match_review'").scalar_one()
    if "AUTOINCREMENT" in table_sql.upper():
        return
    if conn.exec_driver_sql("PRAGMA foreign_keys").scalar():
        raise RuntimeError("the match_review table can only be made again with foreign keys off")
    highest = max(conn.exec_driver_sql("SELECT coalesce(max(id), 0) FROM match_review").scalar_one(),
                  _highest_named_in_merge_log(conn))
    # Indexes (and any trigger) go with the old table: made again as they were.
    attached = [sql for (sql,) in conn.exec_driver_sql(
        "SELECT sql FROM sqlite_master WHERE tbl_name = 'match_review' AND type IN ('index', 'trigger') "
        "AND sql IS NOT NULL ORDER BY type, name")]
    columns = ", ".join(f'"{row[1]}"' for row in conn.exec_driver_sql("PRAGMA table_info(match_review)"))
    rows = conn.exec_driver_sql("SELECT count(*) FROM match_review").scalar_one()
    conn.exec_driver_sql(counting_definition(table_sql))
    conn.exec_driver_sql(f"INSERT INTO {_NEW} ({columns}) SELECT {columns} FROM match_review ORDER BY id")
    copied = conn.exec_driver_sql(f"SELECT count(*) FROM {_NEW}").scalar_one()
    if copied != rows:
        raise RuntimeError(f"copied {copied} of {rows} pairs")
    conn.exec_driver_sql("DROP TABLE match_review")
    conn.exec_driver_sql(f"ALTER TABLE {_NEW} RENAME TO match_review")
    for sql in attached:
        conn.exec_driver_sql(sql)
    # The rename took the counter along; an empty table has none yet.
    conn.exec_driver_sql("DELETE FROM sqlite_sequence WHERE name = 'match_review'")
    conn.exec_driver_sql("INSERT INTO sqlite_sequence (name, seq) VALUES ('match_review', ?)", (highest,))


def downgrade() -> None:
    # The table keeps counting: the older version reads and writes it as before, and it
    # still never gives a number twice.  (Making it again would need foreign keys off.)
    pass
