"""a step's pack remembers, by their send times alone, the people erased since it was written

Revision ID: 0033
Revises: 0032
Create Date: 2026-12-09 09:00:00

Erasing a person deletes their send records with their records: nothing of theirs
stays.  A pack exported before and still to go holds their row all the same, and
the check, reading the send records, could neither tell it holds them nor count
them among those the pack was made for.  Erasing now notes, on each exported step
whose pack holds the person, the time their send is due (``campaign_step.erased_sends``,
a JSON list of UTC times): no address, name or hash of theirs, only that one row of
the pack, due then, is someone erased.  The check names a pack still to go that holds
one, and the step's exported count includes them.  Erasures made before are not
known: their sends were deleted then.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0033'
down_revision: str | None = '0032'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # ADD COLUMN without a default: SQLite does not rewrite the table.
    op.add_column('campaign_step', sa.Column('erased_sends', sa.Text(), nullable=True))


def downgrade() -> None:
    # Not a batch (copy-and-rename) operation: SQLite has DROP COLUMN since 3.35.
    op.execute('ALTER TABLE campaign_step DROP COLUMN erased_sends')
