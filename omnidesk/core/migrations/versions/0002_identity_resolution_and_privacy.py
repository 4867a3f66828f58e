"""identity resolution and privacy

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 07:34:36.612506
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

from omnidesk.core.dialect import create_customer_search, drop_customer_search
from omnidesk.core.identity.keys import last_key, last_sound


revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('match_decision',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('left_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('right_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('match_decision', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_match_decision_left_hash'), ['left_hash'], unique=False)
        batch_op.create_index('ix_match_decision_pair', ['left_hash', 'right_hash'], unique=False)
        batch_op.create_index(batch_op.f('ix_match_decision_right_hash'), ['right_hash'], unique=False)

    op.create_table('merge_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('survivor_id', sa.Integer(), nullable=False),
    sa.Column('absorbed_id', sa.Integer(), nullable=False),
    sa.Column('record_ids_json', sa.Text(), nullable=False),
    sa.Column('absorbed_json', sa.Text(), nullable=False),
    sa.Column('score', sa.Float(), nullable=True),
    sa.Column('created_at', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('undone', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('suppression',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('hash')
    )
    op.create_table('match_review',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('left_id', sa.Integer(), nullable=False),
    sa.Column('right_id', sa.Integer(), nullable=False),
    sa.Column('score', sa.Float(), nullable=False),
    sa.Column('reasons_json', sa.Text(), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.ForeignKeyConstraint(['left_id'], ['customer.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['right_id'], ['customer.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('match_review', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_match_review_left_id'), ['left_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_match_review_right_id'), ['right_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_match_review_status'), ['status'], unique=False)

    with op.batch_alter_table('source_record', schema=None) as batch_op:
        batch_op.add_column(sa.Column('last_key', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('last_sound', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False, server_default=''))
        batch_op.create_index(batch_op.f('ix_source_record_last_key'), ['last_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_source_record_last_sound'), ['last_sound'], unique=False)

    # Records imported before this revision get their blocking keys now.
    bind = op.get_bind()
    rows = bind.execute(sa.text("SELECT id, last_name FROM source_record WHERE last_name != ''")).fetchall()
    if rows:
        bind.execute(
            sa.text("UPDATE source_record SET last_key = :k, last_sound = :s WHERE id = :id"),
            [{"id": r[0], "k": last_key(r[1]), "s": last_sound(r[1])} for r in rows],
        )
    create_customer_search(bind)


def downgrade() -> None:
    drop_customer_search(op.get_bind())
    with op.batch_alter_table('source_record', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_source_record_last_sound'))
        batch_op.drop_index(batch_op.f('ix_source_record_last_key'))
        batch_op.drop_column('last_sound')
        batch_op.drop_column('last_key')

    with op.batch_alter_table('match_review', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_match_review_status'))
        batch_op.drop_index(batch_op.f('ix_match_review_right_id'))
        batch_op.drop_index(batch_op.f('ix_match_review_left_id'))

    op.drop_table('match_review')
    op.drop_table('suppression')
    op.drop_table('merge_log')
    with op.batch_alter_table('match_decision', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_match_decision_right_hash'))
        batch_op.drop_index('ix_match_decision_pair')
        batch_op.drop_index(batch_op.f('ix_match_decision_left_hash'))

    op.drop_table('match_decision')
