"""a customer's spend is money in the shop's currency alone; other currencies are kept apart

Revision ID: 0034
Revises: 0033
Create Date: 2026-12-10 09:00:00

A card's spend (``customer.spend_minor``) added up the amounts of every currency:
30 USD and 80 EUR made 110.00, a 5000 JPY order 5000.00, in a dollar shop.  The
segments' ``spend``, the customers file's ``lifetime_spend`` and the Customers list
read it as the shop's money, so ``spend gt 50`` picked the euro and yen buyers.
Spend now counts the amounts in the shop's currency and those whose file named
none, as the Dashboard's revenue does; the card lists the others apart.

The cards are worked out again once, at head, with today's rules
(``rebuild_after("customers")``): only a workspace holding an amount that names a
currency (an order row's, or a customers export's ``Currency``) can have a card
that added up another one.  One without is left as it is.

Downgrade: the schema does not change; the cards keep the spend in the shop's currency.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0034'
down_revision: str | None = '0033'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_NAMES_A_CURRENCY = (
    "SELECT 1 FROM event WHERE type IN ('order', 'purchase') AND currency IS NOT NULL AND currency != '' "
    "UNION ALL SELECT 1 FROM source_record WHERE kind = 'contacts' "
    "AND instr(values_json, '\"currency\"') AND json_extract(values_json, '$.currency') != '' LIMIT 1")


def upgrade() -> None:
    from omnidesk.core.migrations import rebuild_after

    if op.get_bind().execute(sa.text(_NAMES_A_CURRENCY)).first() is not None:
        rebuild_after("customers")


def downgrade() -> None:
    pass
