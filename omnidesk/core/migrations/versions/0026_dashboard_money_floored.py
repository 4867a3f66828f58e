"""the Dashboard's money per day: an order refunded for more than it came to counts as nothing

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-06 10:00:00

The triggers of 0016 kept each day's money as amount less refunded, so an order
of 30.00 refunded 45.00 (shipping and a goodwill gesture given back too) took
15.00 off the week's revenue, where the customer's card (money.py) counts it as
nothing, never below nothing.  The triggers are made again with that rule, and
the sums kept so far are dropped: each import is summed again, by today's rule,
the first time the Dashboard asks (metrics_index.py), as after 0016.
"""

from collections.abc import Sequence

from alembic import op

revision: str = '0026'
down_revision: str | None = '0025'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# money.net_spend in SQL: a refund line (a negative amount) keeps its amount; an order its amount
# less what was refunded, never below nothing.
_MONEY = ("(CASE WHEN {row}.amount_minor < 0 OR {row}.refunded_minor IS NULL THEN coalesce({row}.amount_minor, 0) "
          "WHEN {row}.amount_minor > {row}.refunded_minor THEN {row}.amount_minor - {row}.refunded_minor "
          "ELSE 0 END)")
_OLD_MONEY = "coalesce({row}.amount_minor, 0) - coalesce({row}.refunded_minor, 0)"


def _triggers(money: str) -> dict[str, str]:
    add = ("INSERT INTO event_day (batch_id, day, channel, type, status, events, money) "
           "SELECT NEW.batch_id, substr(NEW.occurred_utc, 1, 10), NEW.channel, NEW.type, NEW.status, 1, "
           f"{money.format(row='NEW')} "
           "WHERE NEW.occurred_utc IS NOT NULL "
           "AND EXISTS (SELECT 1 FROM event_day_batch WHERE batch_id = NEW.batch_id) "
           "ON CONFLICT (batch_id, day, channel, type, status) "
           "DO UPDATE SET events = events + 1, money = money + excluded.money;")
    subtract = (f"UPDATE event_day SET events = events - 1, money = money - ({money.format(row='OLD')}) "
                "WHERE OLD.occurred_utc IS NOT NULL AND batch_id = OLD.batch_id "
                "AND day = substr(OLD.occurred_utc, 1, 10) AND channel = OLD.channel AND type = OLD.type "
                "AND status = OLD.status;")
    return {
        "event_day_insert": f"AFTER INSERT ON event BEGIN {add} END",
        "event_day_delete": f"AFTER DELETE ON event BEGIN {subtract} END",
        "event_day_update": ("AFTER UPDATE OF batch_id, channel, type, occurred_utc, status, amount_minor, "
                             f"refunded_minor ON event BEGIN {subtract} {add} END"),
    }


def _remake(money: str) -> None:
    if op.get_bind().dialect.name != 'sqlite':
        return
    for name, body in _triggers(money).items():
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute(f"CREATE TRIGGER {name} {body}")
    # Summed again on first use, by the rule of the triggers now in place.
    op.execute("DELETE FROM event_day")
    op.execute("DELETE FROM event_day_batch")


def upgrade() -> None:
    _remake(_MONEY)


def downgrade() -> None:
    _remake(_OLD_MONEY)
