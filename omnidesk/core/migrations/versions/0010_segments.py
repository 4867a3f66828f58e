"""saved segments; WhatsApp consent kept on the customer; events found by type and time

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0010'
down_revision: str | None = '0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'saved_segment',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('rule_json', sa.Text(), nullable=False),
        sa.Column('created_at', sa.String(length=32), nullable=False),
        sa.Column('updated_at', sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('name'),
    )
    # The consent in force on WhatsApp, decided by the same rule as email and SMS
    # (consent.py), so segments and exports read it from the customer like the others.
    op.add_column('customer', sa.Column('consent_whatsapp', sa.String(length=16), nullable=True))
    op.create_index('ix_event_type_time', 'event', ['type', 'occurred_utc', 'customer_id', 'status'])
    from omnidesk.core.migrations import rebuild_after

    rebuild_after("customers")


def downgrade() -> None:
    op.drop_index('ix_event_type_time', table_name='event')
    op.execute('ALTER TABLE customer DROP COLUMN consent_whatsapp')
    op.drop_table('saved_segment')
