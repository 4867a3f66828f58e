"""who may be marketed to on a channel, read from an index of consent and address

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-03 13:30:00

The Dashboard's "may be marketed to" counts, per channel, the addresses whose
customer said yes there and that nobody who opted out holds.  Over a million
customers, reading every customer and sorting their addresses took 1.9 s; with
an index of the addresses of those who said yes (a partial index: only they are
in it, so it is small to keep and to build), they are read in address order.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0022'
down_revision: str | None = '0021'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# (index, address column, consent column)
_INDEXES = (("ix_customer_granted_email", "email", "consent_email"),
            ("ix_customer_granted_sms", "phone", "consent_sms"),
            ("ix_customer_granted_whatsapp", "phone", "consent_whatsapp"))


def upgrade() -> None:
    for name, address, consent in _INDEXES:
        # The consent column too, though every entry says yes: then the index alone answers.
        op.create_index(name, 'customer', [address, consent], unique=False,
                        sqlite_where=sa.text(f"{consent} = 'granted'"),
                        postgresql_where=sa.text(f"{consent} = 'granted'"))


def downgrade() -> None:
    for name, _address, _consent in reversed(_INDEXES):
        op.drop_index(name, table_name='customer')
