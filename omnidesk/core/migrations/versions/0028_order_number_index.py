"""an order found again by its channel and order number, from an index

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-09 10:00:00

A later orders export's order replaces the earlier imports' version of the
same order (its channel and order number).  Finding those read every earlier
order of the channel, each one's details, once per import: at a million orders
the import of a week's export spent its time there.  A partial index of the
orders (only they are in it) by channel and order number finds the few a file
names at once.  The order number is kept in the event's details, so the index
is on that expression, written exactly as the lookup asks for it
(dialect.order_number).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0028'
down_revision: str | None = '0027'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_NAME = 'ix_event_order_number'


def upgrade() -> None:
    number = ("json_extract(details_json, '$.order_id')" if op.get_bind().dialect.name == 'sqlite'
              else "(CAST(details_json AS json) ->> 'order_id')")
    op.create_index(_NAME, 'event', ['channel', sa.text(number)], unique=False, if_not_exists=True,
                    sqlite_where=sa.text("type = 'order'"), postgresql_where=sa.text("type = 'order'"))


def downgrade() -> None:
    op.drop_index(_NAME, table_name='event', if_exists=True)
