"""what a person was told when their consent was recorded by hand

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 14:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0011'
down_revision: str | None = '0010'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # "Asked by phone to stop SMS": the words that go with a consent recorded by hand.
    op.add_column('consent', sa.Column('note', sa.Text(), nullable=False, server_default=''))


def downgrade() -> None:
    op.execute('ALTER TABLE consent DROP COLUMN note')
