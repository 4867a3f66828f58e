"""name and place index for incremental matching

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 12:10:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('source_record', schema=None) as batch_op:
        # The new index starts with last_key, so it serves every lookup the old one did;
        # nothing looks records up by their sound code.
        batch_op.drop_index('ix_source_record_last_key')
        batch_op.drop_index('ix_source_record_last_sound')
        batch_op.create_index('ix_source_record_name_place', ['last_key', 'postcode', 'city', 'birthday', 'first_name'],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table('source_record', schema=None) as batch_op:
        batch_op.drop_index('ix_source_record_name_place')
        batch_op.create_index('ix_source_record_last_sound', ['last_sound'], unique=False)
        batch_op.create_index('ix_source_record_last_key', ['last_key'], unique=False)
