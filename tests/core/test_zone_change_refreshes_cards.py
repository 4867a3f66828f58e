"""A new shop time zone works every card out again: the zone decides which consent facts share a day.

Tina unsubscribed from texts at 22:00 in New York on 1 June (02:00 UTC on the 2nd) and a file
said "yes" at 05:00 UTC on the 2nd.  On New York's days they are two days and the later "yes"
wins; on UTC's they are one day and the stricter "unsubscribed" wins.  The cards were worked
out only when imports or merges touched them, and the Customers list, its filters and every
campaign read the stored card: a shop that set its zone after importing kept sending to her.
"""

from __future__ import annotations

import pytest
import time_machine
from sqlalchemy import select

from omnidesk.cli import main
from omnidesk.core.identity import golden
from omnidesk.core.identity.golden import refresh_all
from omnidesk.core.importing.pipeline import import_file
from omnidesk.core.models import Customer
from omnidesk.core.settings import change_setting, change_settings, restore_settings
from tests.helpers import texted, write_csv

NOW = "2026-07-01 12:00:00Z"


@pytest.fixture(autouse=True)
def _july():
    with time_machine.travel(NOW, tick=False):
        yield


def _tina(ws, tmp_path):
    stop = write_csv(tmp_path / "tz_sms_no.csv", ["Email", "First Name", "Last Name", "SMS consent",
                                                   "SMS consent date"],
                     [["tina@example.com", "Tina", "Zane", "unsubscribed", "2026-06-01T22:00:00-04:00"]])
    yes = write_csv(tmp_path / "tz_sms_yes.csv", ["Email", "First Name", "Last Name", "Phone", "SMS consent",
                                                  "SMS consent date"],
                    [["tina@example.com", "Tina", "Zane", "+12075550177", "yes", "2026-06-02T05:00:00Z"]])
    import_file(ws, stop)
    import_file(ws, yes)


def _sms(ws) -> str | None:
    with ws.engine.connect() as conn:
        (status,) = conn.execute(select(Customer.__table__.c.consent_sms)
                                 .where(Customer.__table__.c.email == "tina@example.com")).one()
    return status


def test_the_command_line_setting_works_every_card_out_again(make_workspace, tmp_path, capsys):
    ws = make_workspace(timezone="America/New_York")
    _tina(ws, tmp_path)
    assert texted(ws) != []
    assert main(["settings", "timezone", "UTC", "-w", str(ws.path)]) == 0
    capsys.readouterr()
    assert _sms(ws) == "unsubscribed"
    assert texted(ws) == []  # not in the SMS pack
    utc = make_workspace("utc.omnidesk", timezone="UTC")  # as a workspace in UTC from the start
    _tina(utc, tmp_path)
    assert _sms(utc) == "unsubscribed"
    change_setting(ws, "timezone", "America/New_York")  # and back: the two days again
    assert _sms(ws) == "granted"


def test_preferences_and_their_undo_work_every_card_out_again(make_workspace, tmp_path, monkeypatch):
    ws = make_workspace(timezone="America/New_York")
    _tina(ws, tmp_path)
    calls = []

    def counted(conn):
        calls.append(conn)
        return refresh_all(conn)

    monkeypatch.setattr(golden, "refresh_all", counted)
    change_setting(ws, "business_name", "Corner shop")
    change_settings(ws, {"timezone": "America/New_York", "currency": "EUR"})  # the zone it already has
    assert calls == []  # other settings leave the cards alone
    change = change_settings(ws, {"timezone": "UTC", "business_name": "Harbor & Pine"})
    assert change.changes.customer_list  # the list and its counts are read again
    assert _sms(ws) == "unsubscribed"
    assert texted(ws) == []
    restore_settings(ws, change.before, expect=change.after)  # Edit › Undo
    assert _sms(ws) == "granted"
    restore_settings(ws, change.after, expect=change.before)  # Edit › Redo
    assert _sms(ws) == "unsubscribed"


def test_a_zone_change_that_cannot_finish_stores_nothing(make_workspace, tmp_path, monkeypatch):
    ws = make_workspace(timezone="America/New_York")
    _tina(ws, tmp_path)

    def broken(conn, ids):
        yield from ()
        raise OSError("disk full")

    monkeypatch.setattr(golden, "refresh_customers_steps", broken)
    with pytest.raises(OSError):
        change_setting(ws, "timezone", "UTC")
    assert ws.get_setting("timezone") == "America/New_York"  # the setting and the cards together, or neither
    assert _sms(ws) == "granted"
