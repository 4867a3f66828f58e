"""A pack written before someone opted out: the check says so, and exporting again leaves them out."""

from __future__ import annotations

import csv
from datetime import UTC, datetime

import time_machine

from omnidesk.core.campaigns.campaign import save_campaign
from omnidesk.core.campaigns.check import check_campaign
from omnidesk.core.campaigns.export import export_campaign
from omnidesk.core.importing.pipeline import ImportOptions, import_file
from omnidesk.core.messages.brand import set_brand
from omnidesk.core.messages.store import save_message
from tests.core.test_import_consent_readings import mailchimp, shop_customers
from tests.core.test_presets import MAILCHIMP_UNSUBSCRIBED

NY = "America/New_York"
NOW = datetime(2027, 2, 1, 10, 0, tzinfo=UTC)


def _emails(folder) -> set[str]:
    (pack,) = folder.glob("*_email_*.csv")
    with pack.open(encoding="utf-8", newline="") as fh:
        return {row["Email Address"] for row in csv.DictReader(fh)}


def test_a_pack_written_before_an_unsubscribe_is_an_error_until_exported_again(make_workspace, tmp_path):
    ws = make_workspace(timezone=NY)
    with time_machine.travel("2027-01-10 09:00Z", tick=False):
        import_file(ws, shop_customers(tmp_path / "customers_export.csv", ("abe@example.com", "", "yes"),
                                       ("bea@example.com", "", "yes")))
    set_brand(ws, "address", "1 Market Street, Springfield")
    save_message(ws, "Spring", {"headline": "Spring", "link": "https://hc.example/spring"})
    save_campaign(ws, "Spring", message="Spring", steps=[{"channel": "email", "at": "2027-03-02T09:00",
                                                           "timezone": NY}])
    first = tmp_path / "first"
    export_campaign(ws, "Spring", first, now=NOW)
    assert _emails(first) == {"abe@example.com", "bea@example.com"}
    assert not check_campaign(ws, "Spring", now=NOW)[0].errors

    # Abe unsubscribes in Mailchimp; the export of that list comes in after the pack was written.
    with time_machine.travel("2027-02-02 09:00Z", tick=False):
        import_file(ws, mailchimp(tmp_path / "unsubscribed_members_export_1a.csv", MAILCHIMP_UNSUBSCRIBED,
                                  UNSUB_TIME="2027-02-01 18:00:00"), ImportOptions(channel="email"))
    later = datetime(2027, 2, 3, 10, 0, tzinfo=UTC)
    (error,) = check_campaign(ws, "Spring", now=later)[0].errors
    assert error.code == "pack_holds_opt_outs" and error.channel == "email"
    assert "holds 1 person who has opted out since" in error.message and "--force" in error.message

    again = tmp_path / "again"
    export_campaign(ws, "Spring", again, now=later, overwrite=True)
    assert _emails(again) == {"bea@example.com"}
    assert not check_campaign(ws, "Spring", now=later)[0].errors
