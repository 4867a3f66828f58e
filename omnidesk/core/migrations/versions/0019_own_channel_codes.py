"""channels of the user's own: codes in small letters, without spaces

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-03 08:00:00

A channel the user named ("Farmers market") was kept as typed.  A customer's
channels are one space-separated list, so such a name read as two channels
("Farmers", "Market") and a rule on a channel "market" found its customers.
Codes of the user's own are now small letters with ``_`` for spaces
(``channels.own_channel_code``: ``farmers_market``, shown "Farmers market" as
before); the codes already kept are renamed so, wherever a channel is kept, and
the channel lists of the customers holding them are made again.
"""

import json
from collections.abc import Sequence

from alembic import op

revision: str = '0019'
down_revision: str | None = '0018'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Tables keeping one channel code per row.  Consent, message variants, campaign steps and
# sends keep the sending channels only, which are built in.
_TABLES = ("import_batch", "source_record", "event", "event_day", "saved_mapping")


def upgrade() -> None:
    from omnidesk.core.channels import BY_CODE, HAND, own_channel_code

    conn = op.get_bind()
    seen: set[str] = set()
    for table in _TABLES:
        seen.update(c for (c,) in conn.exec_driver_sql(f"SELECT DISTINCT channel FROM {table}") if c)
    renamed = {old: new for old in sorted(seen)
               if old not in BY_CODE and old != HAND and (new := own_channel_code(old)) != old}
    if not renamed:
        return
    for old, new in renamed.items():
        for table in _TABLES:
            conn.exec_driver_sql(f"UPDATE {table} SET channel = ? WHERE channel = ?", (new, old))
        conn.exec_driver_sql("UPDATE customer_journey SET path = replace(path, ?, ?)",
                             (json.dumps(old), json.dumps(new)))
    # The customers on those channels: their lists made again as the golden record makes them
    # (identity.golden: the channels of the records not entered by hand, else "hand").
    marks = ", ".join("?" * len(renamed))
    customers = [cid for (cid,) in conn.exec_driver_sql(
        f"SELECT DISTINCT customer_id FROM source_record WHERE channel IN ({marks}) AND customer_id IS NOT NULL",
        tuple(renamed.values()))]
    for cid in customers:
        channels = {c for (c,) in conn.exec_driver_sql(
            "SELECT DISTINCT channel FROM source_record WHERE customer_id = ?", (cid,))}
        listed = " ".join(sorted(channels - {HAND} or channels))
        conn.exec_driver_sql("UPDATE customer SET channels = ? WHERE id = ?", (listed, cid))


def downgrade() -> None:
    # The codes stay as they are: they read as channels of the user's own in the older version too.
    pass
