"""who may be marketed to on a channel, read from an index of consent and address

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-03 13:30:00

The Dashboard's "may be marketed to" counts, per channel, the addresses whose
customer said yes there and that nobody who opted out holds.  Over a million
customers, reading every customer and sorting their addresses took 1.9 s; with
an index of each consent column and its address, those who said yes are one
range of it, addresses already in order.
"""

from collections.abc import Sequence

from alembic import op

revision: str = '0022'
down_revision: str | None = '0021'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index('ix_customer_consent_email', 'customer', ['consent_email', 'email'], unique=False)
    op.create_index('ix_customer_consent_sms', 'customer', ['consent_sms', 'phone'], unique=False)
    op.create_index('ix_customer_consent_whatsapp', 'customer', ['consent_whatsapp', 'phone'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_customer_consent_whatsapp', table_name='customer')
    op.drop_index('ix_customer_consent_sms', table_name='customer')
    op.drop_index('ix_customer_consent_email', table_name='customer')
