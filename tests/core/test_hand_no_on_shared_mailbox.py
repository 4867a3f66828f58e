"""A "no" typed in by hand holds the person's addresses for whoever shares them.

Hannah Lee asks by phone to get no more email; her only address is the family's mailbox, which
Leonard, who said yes, holds too.  Every mail to Leonard would land in Hannah's inbox, so the
safer reading wins: the mailbox is held for him, as any "no" of hers would hold it, and his card
says whose "no" it is.  His own "yes" typed in does not reopen the mailbox either: one mailbox,
one answer.  Her erase keeps it held (``rights``): the stop was hers to give.
"""

from __future__ import annotations

import csv

import time_machine

from omnidesk.core.campaigns.held import held_addresses, held_notes
from omnidesk.core.edits import record_consent
from omnidesk.core.exporting.tables import export_customers
from omnidesk.core.importing.pipeline import import_file
from tests.core.test_customers_export_refused_address import SHOPIFY
from tests.helpers import machine_in_zone, write_csv

new_york = machine_in_zone("America/New_York")


def _export(ws, path) -> dict[str, dict]:
    export_customers(ws, path, columns=["id", "first_name", "email", "consent_email"])
    with open(path, encoding="utf-8") as f:
        return {r["first_name"]: r for r in csv.DictReader(f)}


def test_a_no_typed_for_one_holder_of_the_family_mailbox_holds_it_for_the_other(make_workspace, tmp_path):
    ws = make_workspace(timezone="America/New_York")
    with time_machine.travel("2026-12-06T15:00:00Z", tick=False):
        import_file(ws, write_csv(tmp_path / "customers_export.csv", SHOPIFY, [
            ["'7210000000011", "Hannah", "Lee", "lee.family@gmail.com", "yes", "", "9 Elm St", "", "Portland", "ME",
             "US", "'04101", "", "", "no", "10.00", "1", "", "no", ""],
            ["'7210000000012", "Leonard", "Lee", "lee.family@gmail.com", "yes", "", "9 Elm St", "", "Portland",
             "ME", "US", "'04101", "", "", "no", "10.00", "1", "", "no", ""],
        ]))
        rows = _export(ws, tmp_path / "before.csv")
        assert (rows["Hannah"]["consent_email"], rows["Leonard"]["consent_email"]) == ("granted", "granted")
        hannah, leonard = int(rows["Hannah"]["id"]), int(rows["Leonard"]["id"])

        record_consent(ws, hannah, "email", "denied", "asked by phone")
        rows = _export(ws, tmp_path / "after.csv")
        assert rows["Hannah"]["consent_email"] == "denied"
        assert rows["Leonard"]["consent_email"] != "granted"
        held = held_addresses(ws, leonard)
        assert held["email"].address == "lee.family@gmail.com"
        assert any("Hannah Lee" in line for line in held_notes(held))

        record_consent(ws, leonard, "email", "granted", "said yes at the till")
        assert _export(ws, tmp_path / "again.csv")["Leonard"]["consent_email"] != "granted"
