"""who opted out on a channel, read from an index of their addresses

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-03 15:10:00

A campaign's guards and the Dashboard's "may be marketed to" turn away every
address of a customer who opted out on the channel.  Finding those customers
read every customer, twice per channel and question (a million customers:
0.2 s a pass, for SMS and WhatsApp often to find nobody).  A partial index of
the addresses of those who opted out (only they are in it) gives them at once.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0023'
down_revision: str | None = '0022'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# (index, address column, consent column); the states are campaigns.guards._REFUSED, written out.
_INDEXES = (("ix_customer_refused_email", "email", "consent_email"),
            ("ix_customer_refused_sms", "phone", "consent_sms"),
            ("ix_customer_refused_whatsapp", "phone", "consent_whatsapp"))
_REFUSED = "('cleaned', 'unsubscribed', 'denied')"


def upgrade() -> None:
    for name, address, consent in _INDEXES:
        op.create_index(name, 'customer', [address], unique=False,
                        sqlite_where=sa.text(f"{consent} IN {_REFUSED}"),
                        postgresql_where=sa.text(f"{consent} IN {_REFUSED}"))


def downgrade() -> None:
    for name, _address, _consent in reversed(_INDEXES):
        op.drop_index(name, table_name='customer')
