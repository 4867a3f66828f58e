"""a card's first and last seen are UTC instants, a till's local times too

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-06 11:00:00

A card kept a till's time as the till gave it, on the shop's clock without an
offset ("2024-01-05 23:30" in New York), beside the online shop's times in UTC.
Everything that reads the column as UTC (a rule on first seen, the customers
file, the Dashboard's new customers) put such a customer on the wrong day near
midnight.  Cards now keep every time as a UTC instant.

The cards made before are worked out again once, at head, with today's rules
(``rebuild_after("customers")``, as a new time zone in the preferences does for
every card), not converted here in SQL: turning a local time into UTC needs the
zone's rules (its summer time) for each date, which SQL does not have, and
telling which of a card's two times came from a till needs the card's whole
make-up (its events, consent facts and sign-up times).  Only a workspace holding
an event whose time was given without an offset can have such a card: one
without (only online orders, lists and forms) is left as it is.

Downgrade: the schema does not change; the cards keep their UTC times.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0029'
down_revision: str | None = '0028'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# An event whose time was given without an offset (as written by isoformat: "+02:00", "-05:00",
# "+05:53:28" or "Z" at its end mark one), frozen from metrics_index.given_with_offset as of 0027.
_WITHOUT_OFFSET = (
    "SELECT 1 FROM event WHERE occurred_utc IS NOT NULL AND NOT coalesce("
    "length(occurred_at) > 19 AND ("
    "substr(occurred_at, length(occurred_at) - 5, 1) IN ('+', '-') "
    "OR substr(occurred_at, length(occurred_at) - 8, 1) IN ('+', '-') "
    "OR occurred_at LIKE '%Z'), FALSE) LIMIT 1")


def upgrade() -> None:
    from omnidesk.core.migrations import rebuild_after

    if op.get_bind().execute(sa.text(_WITHOUT_OFFSET)).first() is not None:
        rebuild_after("customers")


def downgrade() -> None:
    pass
