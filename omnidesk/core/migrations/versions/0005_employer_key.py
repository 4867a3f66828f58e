"""employer key for matching work and personal records

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30 14:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # ADD COLUMN with a constant default: SQLite does not rewrite the table.
    op.add_column('source_record', sa.Column('work_key', sa.String(length=8), server_default='', nullable=False))
    op.create_index('ix_source_record_name_work', 'source_record', ['last_key', 'work_key', 'first_name'],
                    unique=False, sqlite_where=sa.text("work_key != ''"), postgresql_where=sa.text("work_key != ''"))
    # Records imported before this revision get their keys now, and employers their counts.
    from omnidesk.core.identity.employer import fill_work_keys
    from omnidesk.core.identity.stats import rebuild_counts

    fill_work_keys(op.get_bind())
    rebuild_counts(op.get_bind())


def downgrade() -> None:
    op.drop_index('ix_source_record_name_work', table_name='source_record',
                  sqlite_where=sa.text("work_key != ''"), postgresql_where=sa.text("work_key != ''"))
    # Not a batch (copy-and-rename) operation: with foreign keys on, dropping the old table
    # would cascade to every identifier, consent and event.  SQLite has DROP COLUMN since 3.35.
    op.execute('ALTER TABLE source_record DROP COLUMN work_key')
