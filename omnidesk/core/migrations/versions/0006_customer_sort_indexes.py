"""indexes for sorting the Customers screen

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30 15:20:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A million customers sorted by city or spend took three seconds of sorting; with an
    # index (which holds the id too) the order is read as it is stored.
    op.create_index('ix_customer_city', 'customer', ['city'], unique=False)
    op.create_index('ix_customer_orders', 'customer', ['orders'], unique=False)
    op.create_index('ix_customer_spend_minor', 'customer', ['spend_minor'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_customer_spend_minor', table_name='customer')
    op.drop_index('ix_customer_orders', table_name='customer')
    op.drop_index('ix_customer_city', table_name='customer')
