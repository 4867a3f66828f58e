"""search entries hold names without their accents too

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30 16:10:00
"""

from collections.abc import Sequence

revision: str = '0007'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    from alembic import op

    from omnidesk.core.identity.golden import reindex_search

    reindex_search(op.get_bind())


def downgrade() -> None:
    pass  # the extra spellings in the search index do no harm to an older version
