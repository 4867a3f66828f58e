"""full names with every word, and unmapped columns kept as custom fields

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 08:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0008'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # ADD COLUMN with a constant default: SQLite does not rewrite the table.
    op.add_column('source_record', sa.Column('middle_name', sa.String(length=200), server_default='', nullable=False))
    op.add_column('source_record', sa.Column('full_name', sa.String(length=400), server_default='', nullable=False))
    op.add_column('customer', sa.Column('full_name', sa.String(length=400), server_default='', nullable=False))
    op.create_table('custom_field',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('record_id', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('type', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
    sa.Column('value', sa.Text(), nullable=False),
    sa.Column('number', sa.Float(), nullable=True),
    sa.Column('date', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=True),
    sa.ForeignKeyConstraint(['record_id'], ['source_record.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_custom_field_record_id', 'custom_field', ['record_id'], unique=False)
    op.create_index('ix_custom_field_name_value', 'custom_field', ['name', 'value'], unique=False)
    op.create_index('ix_custom_field_name_number', 'custom_field', ['name', 'number'], unique=False)
    op.create_index('ix_custom_field_name_date', 'custom_field', ['name', 'date'], unique=False)
    # What earlier imports kept only in their raw rows: every word of each name, and the
    # columns nobody mapped.  Then the name counts (matching keys on the first given
    # name now) and every customer's card, whose name is the full name.
    from omnidesk.core.importing.backfill import fill_custom_fields, fill_names
    from omnidesk.core.migrations import rebuild_after

    conn = op.get_bind()
    fill_names(conn)
    fill_custom_fields(conn)
    rebuild_after("name_counts", "customers")  # at head: the card reads later columns too


def downgrade() -> None:
    op.drop_index('ix_custom_field_name_date', table_name='custom_field')
    op.drop_index('ix_custom_field_name_number', table_name='custom_field')
    op.drop_index('ix_custom_field_name_value', table_name='custom_field')
    op.drop_index('ix_custom_field_record_id', table_name='custom_field')
    op.drop_table('custom_field')
    # Not a batch (copy-and-rename) operation: with foreign keys on, dropping the old table
    # would cascade to every identifier, consent and event.  SQLite has DROP COLUMN since 3.35.
    op.execute('ALTER TABLE customer DROP COLUMN full_name')
    op.execute('ALTER TABLE source_record DROP COLUMN full_name')
    op.execute('ALTER TABLE source_record DROP COLUMN middle_name')
