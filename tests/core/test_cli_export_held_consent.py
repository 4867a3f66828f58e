"""`omnidesk export customers` writes a held address's consent as the Customers list shows it: "held".

Mark and Hannah Lee share the family mailbox (written two ways) and a landline.  Hannah
unsubscribed from both in Klaviyo; Mark's own answer is still the shop's yes.  The card and the
list say his consent is "Held"; the export wrote the mailbox's "unsubscribed", as if Mark had
said it himself.
"""

from __future__ import annotations

import csv

import pytest
import time_machine

from omnidesk.core.customers import customer_rows
from omnidesk.core.workspace import Workspace
from tests.helpers import machine_in_zone, run_cli, write_csv

SHOP = ["First Name", "Last Name", "Email", "Phone", "Accepts Email Marketing", "Accepts SMS Marketing"]
KLAVIYO = ["Email", "Klaviyo ID", "First Name", "Last Name", "Phone Number", "Email Marketing Consent",
           "Email Marketing Consent Timestamp", "SMS Consent", "SMS Consent Timestamp"]
COLUMNS = "id,first_name,email,phone,consent_email,consent_sms"

new_york = machine_in_zone("America/New_York")


@pytest.fixture
def lees(tmp_path, capsys):
    ws = tmp_path / "shop.omnidesk"
    shop = write_csv(tmp_path / "customers_export.csv", SHOP, [
        ["Hannah", "Lee", "lee.family@gmail.com", "+12075550111", "yes", "yes"],
        ["Mark", "Lee", "leefamily@gmail.com", "(207) 555-0111", "yes", "yes"],
        ["Rosa", "Diaz", "rosa@example.com", "+12075550199", "yes", "yes"],
        ["Ted", "Moss", "ted@example.com", "+12075550177", "no", "no"],
    ])
    klaviyo = write_csv(tmp_path / "klaviyo_profiles.csv", KLAVIYO, [
        ["Lee.Family+promo@gmail.com", "01HX1", "Hannah", "Lee", "+12075550111", "UNSUBSCRIBED",
         "2026-05-01 10:00:00", "UNSUBSCRIBED", "2026-05-01 10:00:00"],
    ])
    with time_machine.travel("2026-06-01T15:00:00Z", tick=False):
        for path, channel in ((shop, "shop"), (klaviyo, "email")):
            status, _, err = run_cli(capsys, "import", path, "--channel", channel, "--region", "US", "-w", ws)
            assert status == 0, err
    return ws


def _exported(capsys, ws, out, *more) -> dict[str, dict[str, str]]:
    status, _, err = run_cli(capsys, "export", "customers", out, "--columns", COLUMNS, *more, "-w", ws)
    assert status == 0, err
    with out.open(encoding="utf-8", newline="") as fh:
        return {r["first_name"]: r for r in csv.DictReader(fh)}


def test_a_held_address_is_exported_as_held_as_the_list_shows_it(lees, capsys, tmp_path):
    rows = _exported(capsys, lees, tmp_path / "customers.csv")
    # Mark did not say no; his mailbox and his number are held for him by Hannah's no.
    assert (rows["Mark"]["consent_email"], rows["Mark"]["consent_sms"]) == ("held", "held")
    # Those who said no themselves keep their own word; a yes nobody holds back stays a yes.
    assert (rows["Hannah"]["consent_email"], rows["Hannah"]["consent_sms"]) == ("unsubscribed", "unsubscribed")
    assert (rows["Ted"]["consent_email"], rows["Ted"]["consent_sms"]) == ("denied", "denied")
    assert (rows["Rosa"]["consent_email"], rows["Rosa"]["consent_sms"]) == ("granted", "granted")
    # The same word as the Customers list, which reads its "Held" from customer_rows.
    with Workspace.open(lees) as ws:
        listed = customer_rows(ws, [int(r["id"]) for r in rows.values()], ["email", "sms"])
    for name, row in rows.items():
        shown = listed[int(row["id"])]
        for channel in ("email", "sms"):
            word = "held" if channel in shown.held else getattr(shown, f"consent_{channel}")
            assert row[f"consent_{channel}"] == word, (name, channel)


def test_nobody_opted_out_reads_as_sendable_in_the_export(lees, capsys, tmp_path):
    rows = _exported(capsys, lees, tmp_path / "customers.csv")
    for channel in ("email", "sms"):
        granted = {name for name, r in rows.items() if r[f"consent_{channel}"] == "granted"}
        rule = f'{{"field": "consent.{channel}", "op": "is", "value": "granted"}}'
        reachable = set(_exported(capsys, lees, tmp_path / f"granted_{channel}.csv", "--rule", rule))
        assert granted == reachable == {"Rosa"}
        held = f'{{"field": "consent.{channel}", "op": "is", "value": "held"}}'
        assert set(_exported(capsys, lees, tmp_path / f"held_{channel}.csv", "--rule", held)) == {"Mark"}
