"""a campaign keeps the name its first export gave its packs and calendar events

Revision ID: 0034
Revises: 0033
Create Date: 2026-12-10 09:00:00

The packs' file names and the calendar's event UIDs were made from the campaign's
name at each export: renamed after an export, a campaign's next export wrote each
step's pack a second time under the new name beside the first, and a calendar that
had the first .ics showed every step twice.  ``campaign.pack_name`` keeps the name
the first export used (its slug).  Campaigns exported before take the name they
have at their next export.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0034'
down_revision: str | None = '0033'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # ADD COLUMN without a default: SQLite does not rewrite the table.
    op.add_column('campaign', sa.Column('pack_name', sa.String(length=80), nullable=True))


def downgrade() -> None:
    # Not a batch (copy-and-rename) operation: SQLite has DROP COLUMN since 3.35.
    op.execute('ALTER TABLE campaign DROP COLUMN pack_name')
