"""how names are read: the furigana and phonetic names of a record's first and last name

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-02 20:00:00

Japanese customer lists write a name in kanji with its reading in kana beside it
(a furigana column, Google Contacts' phonetic names).  The reading is now a field
of its own, and matching compares a name in kanji with the same person's kana and
Latin spellings by it.  Files imported before kept those columns in their raw
rows only: the readings are read from there again (``importing.backfill``).
Customers already made are not matched again here; the next full resolve reads
the readings.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0018'
down_revision: str | None = '0017'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # ADD COLUMN with a constant default: SQLite does not rewrite the table.
    op.add_column('source_record', sa.Column('first_name_reading', sa.String(length=200), server_default='',
                                             nullable=False))
    op.add_column('source_record', sa.Column('last_name_reading', sa.String(length=200), server_default='',
                                             nullable=False))
    from omnidesk.core.importing.backfill import fill_readings

    fill_readings(op.get_bind())


def downgrade() -> None:
    # Not a batch (copy-and-rename) operation: with foreign keys on, dropping the old table
    # would cascade to every identifier, consent and event.  SQLite has DROP COLUMN since 3.35.
    op.execute('ALTER TABLE source_record DROP COLUMN last_name_reading')
    op.execute('ALTER TABLE source_record DROP COLUMN first_name_reading')
