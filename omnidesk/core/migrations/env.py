"""Alembic environment: migrations run on the connection the workspace hands over.

The workspace opens the database itself (pragmas, backups, checks) and passes
its connection in ``config.attributes["connection"]``; there is no alembic.ini.
"""

from alembic import context
from sqlmodel import SQLModel

import omnidesk.core.models  # noqa: F401  (registers the tables on SQLModel.metadata)

config = context.config
target_metadata = SQLModel.metadata


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
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations()
