"""campaigns: a message to an audience in steps per channel; who each exported step included

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02 16:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0013'
down_revision: str | None = '0012'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'campaign',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('goal', sa.Text(), nullable=False, server_default=''),
        sa.Column('message_id', sa.Integer(), nullable=True),
        sa.Column('audience_json', sa.Text(), nullable=False),
        sa.Column('mode', sa.String(length=16), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('created_at', sa.String(length=32), nullable=False),
        sa.Column('updated_at', sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(['message_id'], ['message.id'], ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('name'),
    )
    op.create_index('ix_campaign_message_id', 'campaign', ['message_id'])
    op.create_table(
        'campaign_step',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('campaign_id', sa.Integer(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('channel', sa.String(length=32), nullable=False),
        sa.Column('at_local', sa.String(length=19), nullable=False),
        sa.Column('timezone', sa.String(length=64), nullable=False),
        sa.Column('at_utc', sa.String(length=20), nullable=False),
        sa.Column('exported_at', sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_campaign_step_campaign_id', 'campaign_step', ['campaign_id'])
    op.create_index('ix_campaign_step_at_utc', 'campaign_step', ['at_utc'])
    op.create_table(
        'send_record',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('step_id', sa.Integer(), nullable=False),
        sa.Column('record_id', sa.Integer(), nullable=False),
        sa.Column('channel', sa.String(length=32), nullable=False),
        sa.Column('send_utc', sa.String(length=20), nullable=False),
        sa.ForeignKeyConstraint(['step_id'], ['campaign_step.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['record_id'], ['source_record.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_send_record_step_id', 'send_record', ['step_id'])
    op.create_index('ix_send_record_record_time', 'send_record', ['record_id', 'send_utc'])


def downgrade() -> None:
    op.drop_table('send_record')
    op.drop_table('campaign_step')
    op.drop_table('campaign')
