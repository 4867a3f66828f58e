"""customers sort by name as a reader expects: accents and case aside

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-03 12:00:00

The Customers screen sorted by the name as stored, which SQLite compares byte by
byte: "Élodie", "Øyvind" or "Łukasz" came after "Zoe", and "de Vries" apart from
"De Vries".  Each customer now has ``sort_name``, the name without its accents
and in one case (``identity.golden.sort_name``), written with the name by the
golden record, and an index on it (with the name as written, for ties) that
serves the order either way.  Existing customers get theirs here, in one
statement (``identity.golden.fill_sort_names``), before the index is built.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0020'
down_revision: str | None = '0019'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    from omnidesk.core.identity.golden import fill_sort_names

    op.add_column('customer', sa.Column('sort_name', sa.String(length=400), server_default='', nullable=False))
    # Filled before the index exists: building it once costs less than keeping it through the UPDATE.
    fill_sort_names(op.get_bind())
    op.create_index('ix_customer_sort_name', 'customer', ['sort_name', 'display_name'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_customer_sort_name', table_name='customer')
    # Not a batch (copy-and-rename) operation, as in 0008: with foreign keys on, dropping
    # the old customer table would take the rows that point at it along.
    op.execute('ALTER TABLE customer DROP COLUMN sort_name')
