"""A customers export's consent columns say what applies to sending to the row's address, in the
words the Customers list shows.

Through the real import path: Mark and Hannah Lee share the family Gmail mailbox (written
three ways) and a landline.  Hannah unsubscribed from both in Klaviyo; Mark's own answer is
still the shop's yes.  The campaigns and a "consent is granted" rule leave Mark out (one
mailbox or phone, one answer): a plain export filtered by its consent column must not hand
him over as "granted" either, nor as "unsubscribed" as if he had said it: "held", as the list
and the card say.
"""

from __future__ import annotations

import csv

from omnidesk.core.edits import record_consent
from omnidesk.core.exporting.tables import export_customers
from omnidesk.core.importing.pipeline import import_file
from tests.helpers import write_csv

SHOPIFY = ["Customer ID", "First Name", "Last Name", "Email", "Accepts Email Marketing", "Default Address Company",
           "Default Address Address1", "Default Address Address2", "Default Address City",
           "Default Address Province Code", "Default Address Country Code", "Default Address Zip",
           "Default Address Phone", "Phone", "Accepts SMS Marketing", "Total Spent", "Total Orders", "Note",
           "Tax Exempt", "Tags"]
KLAVIYO = ["Email", "Klaviyo ID", "First Name", "Last Name", "Phone Number", "Email Marketing Consent",
           "Email Marketing Consent Timestamp", "SMS Consent", "SMS Consent Timestamp"]
COLUMNS = ["id", "first_name", "email", "phone", "consent_email", "consent_sms"]


def _lees(make_workspace, tmp_path):
    ws = make_workspace(timezone="America/New_York")
    import_file(ws, write_csv(tmp_path / "customers_export.csv", SHOPIFY, [
        ["'7210000000011", "Hannah", "Lee", "lee.family@gmail.com", "yes", "", "9 Elm St", "", "Portland", "ME",
         "US", "'04101", "", "+12075550111", "yes", "10.00", "1", "", "no", ""],
        ["'7210000000012", "Mark", "Lee", "leefamily@gmail.com", "yes", "", "9 Elm St", "", "Portland", "ME",
         "US", "'04101", "", "(207) 555-0111", "yes", "10.00", "1", "", "no", ""],
        ["'7210000000013", "Rosa", "Diaz", "rosa@example.com", "yes", "", "3 Oak St", "", "Portland", "ME",
         "US", "'04101", "", "+12075550199", "yes", "10.00", "1", "", "no", ""],
    ]))
    import_file(ws, write_csv(tmp_path / "klaviyo_profiles.csv", KLAVIYO, [
        ["Lee.Family+promo@gmail.com", "01HX1", "Hannah", "Lee", "+12075550111", "UNSUBSCRIBED",
         "2026-05-01 10:00:00", "UNSUBSCRIBED", "2026-05-01 10:00:00"],
    ]))
    return ws


def _export(ws, tmp_path, name, **kwargs) -> dict[str, dict[str, str]]:
    out = tmp_path / name
    export_customers(ws, out, columns=COLUMNS, **kwargs)
    with out.open(encoding="utf-8", newline="") as fh:
        return {r["first_name"]: r for r in csv.DictReader(fh)}


def _granted_by_rule(ws, tmp_path, channel: str) -> set[str]:
    """Who a "consent is granted" rule (the guards' own answer) lets through on ``channel``."""
    rule = {"field": f"consent.{channel}", "op": "is", "value": "granted"}
    return set(_export(ws, tmp_path, f"granted_{channel}.csv", rule=rule))


def test_an_address_someone_unsubscribed_is_not_exported_as_granted(make_workspace, tmp_path):
    ws = _lees(make_workspace, tmp_path)
    rows = _export(ws, tmp_path, "customers.csv")
    assert (rows["Hannah"]["consent_email"], rows["Hannah"]["consent_sms"]) == ("unsubscribed", "unsubscribed")
    # Mark's own answer is yes, but his mailbox and his number said stop through Hannah.
    assert (rows["Mark"]["consent_email"], rows["Mark"]["consent_sms"]) == ("held", "held")
    # Someone else's yes stays a yes.
    assert (rows["Rosa"]["consent_email"], rows["Rosa"]["consent_sms"]) == ("granted", "granted")
    # The column and the guards agree: "granted" in the file is who a campaign may reach.
    for channel in ("email", "sms"):
        column = f"consent_{channel}"
        assert {name for name, r in rows.items() if r[column] == "granted"} == _granted_by_rule(ws, tmp_path, channel)


def test_the_columns_follow_the_guards_after_a_yes_typed_in_for_the_one_who_said_stop(make_workspace, tmp_path):
    ws = _lees(make_workspace, tmp_path)
    ids = {name: int(r["id"]) for name, r in _export(ws, tmp_path, "before.csv").items()}
    for channel in ("email", "sms"):
        record_consent(ws, ids["Hannah"], channel, "granted", "said yes again at the till")
    rows = _export(ws, tmp_path, "after.csv")
    assert (rows["Hannah"]["consent_email"], rows["Hannah"]["consent_sms"]) == ("granted", "granted")
    assert (rows["Rosa"]["consent_email"], rows["Rosa"]["consent_sms"]) == ("granted", "granted")
    for channel in ("email", "sms"):
        column = f"consent_{channel}"
        granted = _granted_by_rule(ws, tmp_path, channel)
        assert {name for name, r in rows.items() if r[column] == "granted"} == granted
        # Whatever the guards say of Mark, his column says: a yes where they let him through,
        # held where they do not.
        assert rows["Mark"][column] == ("granted" if "Mark" in granted else "held")


def test_the_selected_rows_export_says_the_same(make_workspace, tmp_path):
    """The Customers screen exports the rows shown (``ids``): the same words."""
    ws = _lees(make_workspace, tmp_path)
    ids = {name: int(r["id"]) for name, r in _export(ws, tmp_path, "all.csv").items()}
    rows = _export(ws, tmp_path, "picked.csv", ids=[ids["Mark"], ids["Rosa"]])
    assert (rows["Mark"]["consent_email"], rows["Mark"]["consent_sms"]) == ("held", "held")
    assert (rows["Rosa"]["consent_email"], rows["Rosa"]["consent_sms"]) == ("granted", "granted")
