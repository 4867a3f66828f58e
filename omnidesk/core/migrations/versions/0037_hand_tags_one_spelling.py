"""a tag added by hand before "one tag, one spelling" takes the workspace's spelling

Revision ID: 0037
Revises: 0036
Create Date: 2026-12-12 09:00:00

A tag added by hand is written as the workspace already spells it, in any case ("VIP" added
where customers carry "vip" is "vip").  One added before that rule was written as typed, so
after an upgrade the customers it was added to kept "VIP" beside everyone else's "vip": the
export showed two spellings of the one tag `tags` lists.  Each hand-entered tag is spelled as
the workspace spells it, once, at head (``rebuild_after("hand_tags")``: the rule reads
today's schema), and the cards of the customers whose tags changed are worked out again.  A
workspace without tags typed by hand is left as it is.

Downgrade: the schema does not change; the tags keep the workspace's spelling.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0037'
down_revision: str | None = '0036'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    from omnidesk.core.migrations import rebuild_after

    bind = op.get_bind()
    typed = bind.execute(sa.text("SELECT 1 FROM source_record WHERE channel = 'manual' AND tags IS NOT NULL "
                                 "AND tags != '' LIMIT 1")).first()
    if typed is not None:
        rebuild_after("hand_tags")


def downgrade() -> None:
    pass
