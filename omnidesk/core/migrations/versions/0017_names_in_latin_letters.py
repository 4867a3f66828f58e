"""names in kana and Devanagari read in Latin letters: their blocking keys and the name counts made again

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-02 18:30:00

Matching now reads kana and Devanagari names in Latin letters (``identity.scripts``),
so ヤマダ and Yamada, शर्मा and Sharma compare equal.  Records imported before kept
the keys the older folding made of such names (most of them empty), so a later
import would not find them by name.  Their last-name keys are made again, and the
name counts behind the match weights recounted, with the folding of this revision
(the live functions, as 0002 did: the point is to agree with what imports write now).
Nothing is done in a workspace with no such name.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0017'
down_revision: str | None = '0016'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    from omnidesk.core.identity.keys import last_key, last_sound
    from omnidesk.core.identity.scripts import needs_reading
    from omnidesk.core.identity.stats import rebuild_counts

    bind = op.get_bind()
    rows = bind.execute(sa.text("SELECT id, first_name, last_name FROM source_record "
                                "WHERE first_name != '' OR last_name != ''"))
    read = [(rid, last or "") for rid, first, last in rows
            if needs_reading(first or "") or needs_reading(last or "")]
    if not read:
        return
    bind.execute(sa.text("UPDATE source_record SET last_key = :k, last_sound = :s WHERE id = :id"),
                 [{"id": rid, "k": last_key(last), "s": last_sound(last)} for rid, last in read])
    rebuild_counts(bind)


def downgrade() -> None:
    # The keys made here are what the older folding would have made wrongly; nothing to restore.
    pass
