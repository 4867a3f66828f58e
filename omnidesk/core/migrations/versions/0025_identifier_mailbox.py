"""each email's mailbox beside the address, so records are matched by the mailbox

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-05 21:50:00

Gmail ignores dots and everything after a "+", and most mail services deliver
"carol+news@shop.example" to carol@shop.example: "jane.doe@gmail.com" at the
till and "janedoe+shop@googlemail.com" online are one mailbox, so one person's.
Matching compares mailboxes (``contact.mailbox_key``); an import finds the
workspace's records written the other way by the ``mailbox`` column, kept
only where it differs from the address (a partial index holds just those).
Emails stored before are given theirs here.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0025'
down_revision: str | None = '0024'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # ADD COLUMN without a default: SQLite does not rewrite the table.
    op.add_column('identifier', sa.Column('mailbox', sa.String(length=320), nullable=True))
    op.create_index('ix_identifier_mailbox', 'identifier', ['mailbox'], unique=False, if_not_exists=True,
                    sqlite_where=sa.text("mailbox IS NOT NULL"), postgresql_where=sa.text("mailbox IS NOT NULL"))
    from omnidesk.core.identity.profiles import fill_mailboxes

    fill_mailboxes(op.get_bind())


def downgrade() -> None:
    op.drop_index('ix_identifier_mailbox', table_name='identifier',
                  sqlite_where=sa.text("mailbox IS NOT NULL"), postgresql_where=sa.text("mailbox IS NOT NULL"))
    # Not a batch (copy-and-rename) operation: SQLite has DROP COLUMN since 3.35.
    op.execute('ALTER TABLE identifier DROP COLUMN mailbox')
