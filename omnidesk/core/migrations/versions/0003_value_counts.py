"""value counts for match weights

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 11:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('value_count',
    sa.Column('field', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('value', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('n', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('field', 'value')
    )
    # Workspaces made before this revision get their counts in 0005, which counts
    # employers too (the counting code reads a column that revision adds).


def downgrade() -> None:
    op.drop_table('value_count')
