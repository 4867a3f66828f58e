"""orders keep their payment status and refunds; orders and spend counted once per channel

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 08:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0009'
down_revision: str | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # ADD COLUMN with a constant default: SQLite does not rewrite the table.
    op.add_column('event', sa.Column('status', sa.String(length=32), server_default='', nullable=False))
    op.add_column('event', sa.Column('refunded_minor', sa.Integer(), nullable=True))
    # Orders imported before get their status from their rows as read, and every
    # customer's orders and spend are counted again by the rule (money.py).
    from omnidesk.core.migrations import rebuild_after
    from omnidesk.core.importing.backfill import fill_order_statuses

    conn = op.get_bind()
    fill_order_statuses(conn)
    rebuild_after("customers")


def downgrade() -> None:
    # Not a batch (copy-and-rename) operation: with foreign keys on, dropping the old table
    # would cascade.  SQLite has DROP COLUMN since 3.35.
    op.execute('ALTER TABLE event DROP COLUMN refunded_minor')
    op.execute('ALTER TABLE event DROP COLUMN status')
