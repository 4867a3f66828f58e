"""with no shop time zone, a sign-up date is that day on the computer's clock, not in UTC

Revision ID: 0039
Revises: 0038
Create Date: 2026-12-16 09:00:00

With no time zone set, a record's own sign-up or last visit (a customers export's "Created",
a list's opt-in time) and a consent fact's time, given as a date alone or a time without an
offset, were read as UTC, while a till's times, the timeline and a rule on "first seen" read
them on the computer's clock.  West of UTC a customer created on 3 April was first seen on the
evening of the 2nd: the Customers list said 2 April, the timeline 3 April, and
``first_seen gte 2026-04-03`` missed them.  Such times are now read on the computer's clock,
as a till's are.

The cards are worked out again once, at head, with today's rules
(``rebuild_after("customers")``), in a workspace with no time zone set that holds such a time.
A workspace with a zone set, or without such a time, is left as it is.

Downgrade: the schema does not change; the cards keep the times read on the computer's clock.
"""

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from alembic import op

revision: str = '0039'
down_revision: str | None = '0038'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TIMES = (
    "SELECT json_extract(values_json, '$.created_at') FROM source_record "
    "WHERE customer_id IS NOT NULL AND instr(values_json, '\"created_at\"') "
    "UNION ALL SELECT json_extract(values_json, '$.last_active') FROM source_record "
    "WHERE customer_id IS NOT NULL AND instr(values_json, '\"last_active\"') "
    "UNION ALL SELECT occurred_at FROM consent WHERE customer_id IS NOT NULL AND occurred_at != ''")


def _zone_set(bind) -> bool:
    import json

    raw = bind.execute(sa.text("SELECT value FROM setting WHERE key = 'timezone'")).scalar()
    try:
        return bool(str(json.loads(raw) or "").strip()) if raw else False
    except ValueError:
        return False


def _without_offset(text: object) -> bool:
    try:
        return datetime.fromisoformat(str(text).strip()).tzinfo is None
    except ValueError:  # unread then and now
        return False


def upgrade() -> None:
    from omnidesk.core.migrations import rebuild_after

    bind = op.get_bind()
    if _zone_set(bind):
        return
    if any(_without_offset(t) for (t,) in bind.execute(sa.text(_TIMES)) if t):
        rebuild_after("customers")


def downgrade() -> None:
    pass
