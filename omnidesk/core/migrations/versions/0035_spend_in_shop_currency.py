"""a customer's spend is money in the shop's currency alone; other currencies are kept apart

Revision ID: 0035
Revises: 0034
Create Date: 2026-12-10 09:00:00

A card's spend (``customer.spend_minor``) added up the amounts of every currency:
30 USD and 80 EUR made 110.00, a 5000 JPY order 5000.00, in a dollar shop.  The
segments' ``spend``, the customers file's ``lifetime_spend`` and the Customers list
read it as the shop's money, so ``spend gt 50`` picked the euro and yen buyers.
Spend now counts the amounts in the shop's currency and those whose file named
none, as the Dashboard's revenue does; the card lists the others apart.

The cards are worked out again once, at head, with today's rules
(``rebuild_after("customers")``): only a workspace holding an amount in another
currency than the shop's (an order row's, or a customers export's ``Currency``) can
have a card that added one up.  One without is left as it is.

Downgrade: the schema does not change; the cards keep the spend in the shop's currency.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0035'
down_revision: str | None = '0034'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# An order row or a customers export's figures in a currency other than the shop's (:shop; NULL:
# the shop has none, and every named currency is another).
_OTHER_CURRENCY = (
    "SELECT 1 FROM event WHERE type IN ('order', 'purchase') AND currency IS NOT NULL AND currency != '' "
    "AND (:shop IS NULL OR upper(currency) != :shop) "
    "UNION ALL SELECT 1 FROM source_record WHERE kind = 'contacts' AND instr(values_json, '\"currency\"') "
    "AND trim(coalesce(json_extract(values_json, '$.currency'), '')) != '' "
    "AND (:shop IS NULL OR upper(substr(trim(json_extract(values_json, '$.currency')), 1, 3)) != :shop) LIMIT 1")


def _shop_currency(bind) -> str | None:
    """The shop's currency as the settings say (money.currency_from), the region "US" when unset."""
    import json

    from omnidesk.core.money import currency_from

    stored = dict(bind.execute(sa.text(
        "SELECT key, value FROM setting WHERE key IN ('currency', 'default_region')")).all())
    values = {key: json.loads(stored[key]) if stored.get(key) else default
              for key, default in (("currency", ""), ("default_region", "US"))}
    return currency_from(values["currency"], values["default_region"])


def upgrade() -> None:
    from omnidesk.core.migrations import rebuild_after

    bind = op.get_bind()
    if bind.execute(sa.text(_OTHER_CURRENCY), {"shop": _shop_currency(bind)}).first() is not None:
        rebuild_after("customers")


def downgrade() -> None:
    pass
