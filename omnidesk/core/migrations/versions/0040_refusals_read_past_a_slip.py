"""an opt-out whose address has a slip a person reads past reaches the customer it names

Revision ID: 0040
Revises: 0039
Create Date: 2026-12-18 09:00:00

A line of an opt-out or unsubscribe list (or a "no", a STOP) whose address had a slip that
leaves one reading ("a5@example.com." with a sentence's full stop, "(ann@shop.example)",
"ann @ shop.example") was only flagged: the customer it names stayed subscribed and could be in
the next email pack, and the row made a customer of its own with nothing on it but the
refusal.  Such an address is now read as the one it can be, for a refusal only.  The rows kept
from those imports are read again, once, at head, by today's import reading
(``rebuild_after("refusal_emails")``: ``backfill.read_refusal_emails_again``), so each refusal
reaches its customer and the empty customer goes.  A workspace without a flagged address is
left as it is.

Downgrade: the schema does not change; the refusals keep the addresses they were read as.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0040'
down_revision: str | None = '0039'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    from omnidesk.core.migrations import rebuild_after

    bind = op.get_bind()
    flagged = bind.execute(sa.text("SELECT 1 FROM source_record WHERE flagged AND customer_id IS NOT NULL "
                                   "AND kind != 'skipped' AND problems_json LIKE '%not a valid email%' "
                                   "LIMIT 1")).first()
    if flagged is not None:
        rebuild_after("refusal_emails")


def downgrade() -> None:
    pass
