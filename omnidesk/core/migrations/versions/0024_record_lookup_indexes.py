"""records looked up by their birthday and their last name's sound, not by email or phone

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-04 22:10:00

A full date of birth with a first name, a last name or its sound is a blocking
key (blocking._date_keys): it pairs a till's 林 さゆり with the contacts' さゆり
はやし, or Hannah Tosslell with Hannah Tossell, born the same day.  A rebuild compared such
records; an import did not look them up in the workspace, having no index to
find them by.  A partial index of the records that give a birthday (only they
are in it) finds them at once.

So it is with a last name's sound (blocking's "s:" and "v:" keys, a typo in a
last name: the shop's Hannah Tossell and the till's Hannah Tosell at one
postcode): an index of (sound, postcode), looked up by the pairs themselves.

The record's own email and phone columns lose their indexes: nothing looks
records up by them (the identifier table holds every email and phone of a
record, indexed by kind and value), and a million records' two indexes cost
the first import their building and every later row their upkeep.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0024'
down_revision: str | None = '0023'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Whatever state a workspace is in (an index dropped by hand, say), it opens.
    op.drop_index('ix_source_record_email', table_name='source_record', if_exists=True)
    op.drop_index('ix_source_record_phone', table_name='source_record', if_exists=True)
    op.create_index('ix_source_record_birthday', 'source_record', ['birthday'], unique=False, if_not_exists=True,
                    sqlite_where=sa.text("birthday != ''"), postgresql_where=sa.text("birthday != ''"))
    op.create_index('ix_source_record_sound_place', 'source_record',
                    ['last_sound', 'postcode'], unique=False, if_not_exists=True,
                    sqlite_where=sa.text("last_sound != ''"), postgresql_where=sa.text("last_sound != ''"))


def downgrade() -> None:
    op.drop_index('ix_source_record_sound_place', table_name='source_record')
    op.drop_index('ix_source_record_birthday', table_name='source_record')
    op.create_index('ix_source_record_phone', 'source_record', ['phone'], unique=False)
    op.create_index('ix_source_record_email', 'source_record', ['email'], unique=False)
