"""the Dashboard's money per day kept per currency, so amounts in different currencies are never added

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-08 10:00:00

``event_day`` added every order's money into one sum whatever its currency, so
100.00 USD and 80.00 EUR read as 180.00 in the shop's currency.  The summary is
made again with the currency (``''`` for an order whose export named none) in its
key, and the triggers of 0026 (the same floor: an order never below nothing) keep
it per currency.  Its sums are dropped: each import is summed again the first time
the Dashboard asks (metrics_index.py), as after 0016 and 0026.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0027'
down_revision: str | None = '0026'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# money.net_spend in SQL, as 0026 wrote it.
_MONEY = ("(CASE WHEN {row}.amount_minor < 0 OR {row}.refunded_minor IS NULL THEN coalesce({row}.amount_minor, 0) "
          "WHEN {row}.amount_minor > {row}.refunded_minor THEN {row}.amount_minor - {row}.refunded_minor "
          "ELSE 0 END)")
_KEY = ("batch_id", "day", "channel", "type", "status")


def _triggers(per_currency: bool) -> dict[str, str]:
    key = (*_KEY, "currency") if per_currency else _KEY
    cur_col = ", currency" if per_currency else ""
    cur_new = ", coalesce(NEW.currency, '')" if per_currency else ""
    cur_old = " AND currency = coalesce(OLD.currency, '')" if per_currency else ""
    add = (f"INSERT INTO event_day (batch_id, day, channel, type, status{cur_col}, events, money) "
           f"SELECT NEW.batch_id, substr(NEW.occurred_utc, 1, 10), NEW.channel, NEW.type, NEW.status{cur_new}, 1, "
           f"{_MONEY.format(row='NEW')} "
           "WHERE NEW.occurred_utc IS NOT NULL "
           "AND EXISTS (SELECT 1 FROM event_day_batch WHERE batch_id = NEW.batch_id) "
           f"ON CONFLICT ({', '.join(key)}) "
           "DO UPDATE SET events = events + 1, money = money + excluded.money;")
    subtract = (f"UPDATE event_day SET events = events - 1, money = money - ({_MONEY.format(row='OLD')}) "
                "WHERE OLD.occurred_utc IS NOT NULL AND batch_id = OLD.batch_id "
                "AND day = substr(OLD.occurred_utc, 1, 10) AND channel = OLD.channel AND type = OLD.type "
                f"AND status = OLD.status{cur_old};")
    watched = "batch_id, channel, type, occurred_utc, status, amount_minor, refunded_minor" + (
        ", currency" if per_currency else "")
    return {
        "event_day_insert": f"AFTER INSERT ON event BEGIN {add} END",
        "event_day_delete": f"AFTER DELETE ON event BEGIN {subtract} END",
        "event_day_update": f"AFTER UPDATE OF {watched} ON event BEGIN {subtract} {add} END",
    }


def _remake(per_currency: bool) -> None:
    sqlite = op.get_bind().dialect.name == 'sqlite'
    if sqlite:
        for name in _triggers(per_currency):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    # Summed again on first use, by the triggers now in place: nothing to carry over.
    op.drop_table('event_day')
    op.create_table(
        'event_day',
        sa.Column('batch_id', sa.Integer(), nullable=False),
        sa.Column('day', sa.String(length=10), nullable=False),
        sa.Column('channel', sa.String(length=64), nullable=False),
        sa.Column('type', sa.String(length=64), nullable=False),
        sa.Column('status', sa.String(length=32), nullable=False),
        *([sa.Column('currency', sa.String(length=3), nullable=False)] if per_currency else []),
        sa.Column('events', sa.Integer(), nullable=False),
        sa.Column('money', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['batch_id'], ['import_batch.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint(*_KEY, *(('currency',) if per_currency else ())),
    )
    op.execute("DELETE FROM event_day_batch")
    if sqlite:
        for name, body in _triggers(per_currency).items():
            op.execute(f"CREATE TRIGGER {name} {body}")


def upgrade() -> None:
    _remake(per_currency=True)


def downgrade() -> None:
    _remake(per_currency=False)
