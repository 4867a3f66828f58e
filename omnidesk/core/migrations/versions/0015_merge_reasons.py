"""why a merge was made: the evidence of an automatic merge, or the review pair the user accepted

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-02 18:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0015'
down_revision: str | None = '0014'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Nullable: merges made before this revision have no reason kept, and say so.
    with op.batch_alter_table('merge_log') as batch:
        batch.add_column(sa.Column('reason', sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('merge_log') as batch:
        batch.drop_column('reason')
