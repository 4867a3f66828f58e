"""the Dashboard's money per day is what each row adds to spend: a refund row takes its money back

Revision ID: 0032
Revises: 0031
Create Date: 2026-12-08 12:00:00

``event_day`` kept each row's amount (less what was refunded) under its status,
and the Dashboard left out every refunded, voided or cancelled status when it
summed.  A till writes a refund as a row of its own, a negative total marked
"Refund": stored ``refunded``, it was left out with them, so a 30.00 sale refunded
on its receipt and a 12.00 sale read as 42.00 of revenue where the customer's card
(money.py) counts 12.00.  The money kept is now what the row adds to spend, the
card's rule (money.row_spend): a negative amount whatever its status, nothing for
a refunded, voided or cancelled order, any other its amount less what was refunded,
never below nothing.  The triggers are made again with that rule, and the sums
kept so far are dropped: each import is summed again, by today's rule, the first
time the Dashboard asks (metrics_index.py), as after 0016, 0026 and 0027.
"""

from collections.abc import Sequence

from alembic import op

revision: str = '0032'
down_revision: str | None = '0031'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# money.row_spend in SQL, frozen as of this migration.
_NOT_SPEND = "('refunded', 'voided', 'cancelled', 'expired', 'failed')"
_SPENT = ("(CASE WHEN {row}.amount_minor < 0 THEN {row}.amount_minor "
          f"WHEN {{row}}.status IN {_NOT_SPEND} THEN 0 "
          "WHEN {row}.refunded_minor IS NULL THEN coalesce({row}.amount_minor, 0) "
          "WHEN {row}.amount_minor > {row}.refunded_minor THEN {row}.amount_minor - {row}.refunded_minor "
          "ELSE 0 END)")
# money.net_spend in SQL, as 0026 and 0027 wrote it: the status not read.
_NET = ("(CASE WHEN {row}.amount_minor < 0 OR {row}.refunded_minor IS NULL THEN coalesce({row}.amount_minor, 0) "
        "WHEN {row}.amount_minor > {row}.refunded_minor THEN {row}.amount_minor - {row}.refunded_minor "
        "ELSE 0 END)")
_KEY = "batch_id, day, channel, type, status, currency"


def _triggers(money: str) -> dict[str, str]:
    add = ("INSERT INTO event_day (batch_id, day, channel, type, status, currency, events, money) "
           "SELECT NEW.batch_id, substr(NEW.occurred_utc, 1, 10), NEW.channel, NEW.type, NEW.status, "
           f"coalesce(NEW.currency, ''), 1, {money.format(row='NEW')} "
           "WHERE NEW.occurred_utc IS NOT NULL "
           "AND EXISTS (SELECT 1 FROM event_day_batch WHERE batch_id = NEW.batch_id) "
           f"ON CONFLICT ({_KEY}) "
           "DO UPDATE SET events = events + 1, money = money + excluded.money;")
    subtract = (f"UPDATE event_day SET events = events - 1, money = money - ({money.format(row='OLD')}) "
                "WHERE OLD.occurred_utc IS NOT NULL AND batch_id = OLD.batch_id "
                "AND day = substr(OLD.occurred_utc, 1, 10) AND channel = OLD.channel AND type = OLD.type "
                "AND status = OLD.status AND currency = coalesce(OLD.currency, '');")
    watched = "batch_id, channel, type, occurred_utc, status, amount_minor, refunded_minor, currency"
    return {
        "event_day_insert": f"AFTER INSERT ON event BEGIN {add} END",
        "event_day_delete": f"AFTER DELETE ON event BEGIN {subtract} END",
        "event_day_update": f"AFTER UPDATE OF {watched} ON event BEGIN {subtract} {add} END",
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
    _remake(_SPENT)


def downgrade() -> None:
    _remake(_NET)
