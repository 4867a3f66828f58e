"""Alembic environment: migrations run on the connection the workspace hands over.

The workspace opens the database itself (pragmas, backups, checks) and passes
its connection in ``config.attributes["connection"]``; there is no alembic.ini.
"""

from alembic import context
from sqlmodel import SQLModel

import omnidesk.core.models  # noqa: F401  (registers the tables on SQLModel.metadata)
from omnidesk.core.dialect import SEARCH_TABLES_PREFIX

config = context.config
target_metadata = SQLModel.metadata


def include_object(obj, name, type_, reflected, compare_to):
    """Leave the FTS5 search index (and its shadow tables) out of schema comparisons."""
    return not (type_ == "table" and name and name.startswith(SEARCH_TABLES_PREFIX))


def run_migrations() -> None:
    connection = config.attributes.get("connection")
    if connection is None:
        raise RuntimeError("omnidesk migrations run only through Workspace.open()")
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        # SQLite cannot ALTER most things in place; batch mode copies the table.
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        include_object=include_object,
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations()
