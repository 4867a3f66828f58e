"""the Dashboard's summaries: events per import and day, and each customer's journey, kept by triggers;
customers indexed by channels and by the day first seen

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-02 18:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0016'
down_revision: str | None = '0015'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_MONEY = "coalesce({row}.amount_minor, 0) - coalesce({row}.refunded_minor, 0)"
_ADD = ("INSERT INTO event_day (batch_id, day, channel, type, status, events, money) "
        "SELECT NEW.batch_id, substr(NEW.occurred_utc, 1, 10), NEW.channel, NEW.type, NEW.status, 1, "
        f"{_MONEY.format(row='NEW')} "
        "WHERE NEW.occurred_utc IS NOT NULL "
        "AND EXISTS (SELECT 1 FROM event_day_batch WHERE batch_id = NEW.batch_id) "
        "ON CONFLICT (batch_id, day, channel, type, status) "
        "DO UPDATE SET events = events + 1, money = money + excluded.money;")
# A batch not summed has no rows here, so the subtraction needs no test of its own.
_SUBTRACT = (f"UPDATE event_day SET events = events - 1, money = money - ({_MONEY.format(row='OLD')}) "
             "WHERE OLD.occurred_utc IS NOT NULL AND batch_id = OLD.batch_id "
             "AND day = substr(OLD.occurred_utc, 1, 10) AND channel = OLD.channel AND type = OLD.type "
             "AND status = OLD.status;")


def _stale(row: str, column: str = "customer_id") -> str:
    # An upsert, not INSERT OR IGNORE: a trigger takes the conflict policy of the statement that
    # fired it, and a foreign key's SET NULL would make IGNORE an abort.
    return (f"INSERT INTO journey_stale (customer_id) SELECT {row}.{column} "
            f"WHERE {row}.{column} IS NOT NULL ON CONFLICT (customer_id) DO NOTHING;")


_JOURNEY_EVENT = ("customer_id", "channel", "type", "occurred_utc", "status")
TRIGGERS = {
    "event_day_insert": f"AFTER INSERT ON event BEGIN {_ADD} END",
    "event_day_delete": f"AFTER DELETE ON event BEGIN {_SUBTRACT} END",
    "event_day_update": ("AFTER UPDATE OF batch_id, channel, type, occurred_utc, status, amount_minor, refunded_minor "
                         f"ON event BEGIN {_SUBTRACT} {_ADD} END"),
    "journey_event_insert": f"AFTER INSERT ON event WHEN NEW.customer_id IS NOT NULL BEGIN {_stale('NEW')} END",
    "journey_event_delete": f"AFTER DELETE ON event WHEN OLD.customer_id IS NOT NULL BEGIN {_stale('OLD')} END",
    "journey_event_update": (f"AFTER UPDATE OF {', '.join(_JOURNEY_EVENT)} ON event WHEN "
                             + " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in _JOURNEY_EVENT)
                             + f" BEGIN {_stale('OLD')} {_stale('NEW')} END"),
    "journey_record_insert": (f"AFTER INSERT ON source_record WHEN NEW.customer_id IS NOT NULL "
                              f"BEGIN {_stale('NEW')} END"),
    "journey_record_delete": (f"AFTER DELETE ON source_record WHEN OLD.customer_id IS NOT NULL "
                              f"BEGIN {_stale('OLD')} END"),
    "journey_record_update": ("AFTER UPDATE OF customer_id, channel ON source_record "
                              "WHEN OLD.customer_id IS NOT NEW.customer_id OR OLD.channel IS NOT NEW.channel "
                              f"BEGIN {_stale('OLD')} {_stale('NEW')} END"),
    # Events and records lose a deleted customer through their foreign key: say so here too.
    "journey_customer_delete": f"AFTER DELETE ON customer BEGIN {_stale('OLD', 'id')} END",
}


def upgrade() -> None:
    op.create_table(
        'event_day',
        sa.Column('batch_id', sa.Integer(), nullable=False),
        sa.Column('day', sa.String(length=10), nullable=False),
        sa.Column('channel', sa.String(length=64), nullable=False),
        sa.Column('type', sa.String(length=64), nullable=False),
        sa.Column('status', sa.String(length=32), nullable=False),
        sa.Column('events', sa.Integer(), nullable=False),
        sa.Column('money', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['batch_id'], ['import_batch.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('batch_id', 'day', 'channel', 'type', 'status'),
    )
    op.create_table(
        'event_day_batch',
        sa.Column('batch_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['batch_id'], ['import_batch.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('batch_id'),
    )
    op.create_table(
        'customer_journey',
        sa.Column('customer_id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('path', sa.Text(), nullable=False),
        sa.Column('first_utc', sa.String(length=40), nullable=False),
        sa.Column('gap_seconds', sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint('customer_id'),
    )
    op.create_index('ix_customer_journey_path', 'customer_journey', ['path', 'gap_seconds', 'first_utc'])
    op.create_table(
        'journey_stale',
        sa.Column('customer_id', sa.Integer(), autoincrement=False, nullable=False),
        sa.PrimaryKeyConstraint('customer_id'),
    )
    op.create_index('ix_customer_channels', 'customer', ['channels'])
    op.create_index('ix_customer_first_day', 'customer', [sa.text('substr(first_seen, 1, 10)')])
    if op.get_bind().dialect.name == 'sqlite':
        for name, body in TRIGGERS.items():
            op.execute(f"CREATE TRIGGER {name} {body}")
    # Every journey is made afresh the first time the Dashboard asks.
    op.execute("INSERT INTO journey_stale (customer_id) SELECT id FROM customer")


def downgrade() -> None:
    if op.get_bind().dialect.name == 'sqlite':
        for name in TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.drop_index('ix_customer_first_day', table_name='customer')
    op.drop_index('ix_customer_channels', table_name='customer')
    op.drop_table('journey_stale')
    op.drop_index('ix_customer_journey_path', table_name='customer_journey')
    op.drop_table('customer_journey')
    op.drop_table('event_day_batch')
    op.drop_table('event_day')
