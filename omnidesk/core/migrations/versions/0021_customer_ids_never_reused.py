"""customer ids are never given twice: the customer table counts its ids (AUTOINCREMENT)

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-03 12:00:00

SQLite gives a new row the highest id there is plus one.  When the customer
with the highest id was merged away or erased, the next customer made (a split,
an import, one added by hand, a rebuild) got its id, and ``customer show 7``,
the merge log, campaign sends, notes and lists exported before named someone
else.  With AUTOINCREMENT SQLite keeps the highest id ever given
(``sqlite_sequence``) and never gives one at or below it.

SQLite cannot add AUTOINCREMENT to a table in place: the table is made again
under the same definition, its rows copied with their ids and its indexes and
triggers made again (no column changes, so one INSERT ... SELECT in id order).
This needs foreign keys off (``Workspace._migrate``): with them on, dropping
the old table first empties it, and every record, consent and event would
lose its customer, every review would go.

Ids given before and gone since are not all known any more; the merge log and
the journey tables name customers merged away, split off or deleted, so the
counter starts past the highest id they name too.
"""

import re
from collections.abc import Sequence

from alembic import op

revision: str = '0021'
down_revision: str | None = '0020'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_NEW = "customer_autoincrement"
# Tables that name customer ids, those of customers gone included.
_NAMED_IDS = (("merge_log", "survivor_id"), ("merge_log", "absorbed_id"),
              ("customer_journey", "customer_id"), ("journey_stale", "customer_id"))


def counting_definition(sql: str) -> str:
    """``CREATE TABLE customer (...)`` as written, made ``CREATE TABLE customer_autoincrement``
    with ``id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT`` instead of a separate ``PRIMARY KEY (id)``."""
    head = re.compile(r"^CREATE TABLE \"?customer\"?\s*\(\s*id INTEGER NOT NULL\s*,", re.IGNORECASE)
    key = re.compile(r",\s*PRIMARY KEY \(\"?id\"?\)", re.IGNORECASE)
    if not head.search(sql) or len(key.findall(sql)) != 1:
        raise RuntimeError(f"the customer table is not as omnidesk made it: {sql}")
    sql = key.sub("", sql)
    return head.sub(f"CREATE TABLE {_NEW} (\n\tid INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,", sql)


def upgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name != "sqlite":
        return  # a server's sequences never give an id twice
    table_sql = conn.exec_driver_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'customer'").scalar_one()
    if "AUTOINCREMENT" in table_sql.upper():
        return
    if conn.exec_driver_sql("PRAGMA foreign_keys").scalar():
        raise RuntimeError("the customer table can only be made again with foreign keys off")
    highest = max(conn.exec_driver_sql(f"SELECT coalesce(max({column}), 0) FROM {table}").scalar_one()
                  for table, column in (("customer", "id"), *_NAMED_IDS))
    # Indexes and triggers go with the old table: made again as they were.
    attached = [sql for (sql,) in conn.exec_driver_sql(
        "SELECT sql FROM sqlite_master WHERE tbl_name = 'customer' AND type IN ('index', 'trigger') "
        "AND sql IS NOT NULL ORDER BY type, name")]
    columns = ", ".join(f'"{row[1]}"' for row in conn.exec_driver_sql("PRAGMA table_info(customer)"))
    rows = conn.exec_driver_sql("SELECT count(*) FROM customer").scalar_one()
    conn.exec_driver_sql(counting_definition(table_sql))
    conn.exec_driver_sql(f"INSERT INTO {_NEW} ({columns}) SELECT {columns} FROM customer ORDER BY id")
    copied = conn.exec_driver_sql(f"SELECT count(*) FROM {_NEW}").scalar_one()
    if copied != rows:
        raise RuntimeError(f"copied {copied} of {rows} customers")
    conn.exec_driver_sql("DROP TABLE customer")
    conn.exec_driver_sql(f"ALTER TABLE {_NEW} RENAME TO customer")
    for sql in attached:
        conn.exec_driver_sql(sql)
    # The rename took the counter along; an empty table has none yet.
    conn.exec_driver_sql("DELETE FROM sqlite_sequence WHERE name = 'customer'")
    conn.exec_driver_sql("INSERT INTO sqlite_sequence (name, seq) VALUES ('customer', ?)", (highest,))


def downgrade() -> None:
    # The table keeps counting: the older version reads and writes it as before, and it
    # still never gives an id twice.  (Making it again would need foreign keys off.)
    pass
