"""orders keep the discount or coupon codes they were placed with

Revision ID: 0031
Revises: 0030
Create Date: 2026-12-07 09:00:00

Campaign results credit the order that used a message's offer code.  Shopify's
orders export gives it in "Discount Code", the WooCommerce order export in
"Coupon Code"; both were kept in the raw rows only, so results credited the
recipient's first order instead.  An import now keeps an order's codes in its
details (``discount_codes``); the orders imported before get theirs from their
rows as read (``importing.backfill``), once, rather than every report reading
raw rows again.
"""

from collections.abc import Sequence

from alembic import op

revision: str = '0031'
down_revision: str | None = '0030'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    from omnidesk.core.importing.backfill import fill_discount_codes

    fill_discount_codes(op.get_bind())


def downgrade() -> None:
    # The codes stay in the orders' details: an older version reads past a key it does not know.
    pass
