"""Klaviyo's profiles export (a list or segment › Export), imported end to end in its real layout.

Its figures: "Historic Customer Lifetime Value" and "Historic Number Of Orders" are what a
profile has spent and ordered; "Predicted ..." is Klaviyo's forecast and "Total Customer Lifetime
Value" the historic one plus that forecast, never money spent.  Its "Email Suppressions": a
suppressed profile cannot be sent marketing email whatever its consent says.
"""

from __future__ import annotations

import pytest
import time_machine

from omnidesk.core.importing.custom_fields import customer_fields
from omnidesk.core.importing.fields import IGNORE
from omnidesk.core.importing.pipeline import import_file
from omnidesk.core.importing.presets import guess_mapping
from omnidesk.core.timeline import find_customer
from tests.helpers import write_csv

# The header of a list's export with the predictive analytics and the suppressions column.
KLAVIYO_LIST = (
    "Email,Klaviyo ID,First Name,Last Name,Organization,Title,Phone Number,Address,Address 2,City,"
    "State / Region,Country,Zip Code,Latitude,Longitude,Source,IP Address,Email Marketing Consent,"
    "Email Marketing Consent Timestamp,SMS Marketing Consent,SMS Marketing Consent Timestamp,"
    "Historic Customer Lifetime Value,Total Customer Lifetime Value,Predicted Customer Lifetime Value,"
    "Average Order Value,Historic Number Of Orders,First Active,Last Active,Profile Created On,Date Added,"
    "Last Open,Last Click,Average Days Between Orders,Email Suppressions"
).split(",")


def rows_of(*rows: dict[str, str]) -> list[list[str]]:
    for row in rows:
        assert set(row) <= set(KLAVIYO_LIST), set(row) - set(KLAVIYO_LIST)
    return [[row.get(h, "") for h in KLAVIYO_LIST] for row in rows]


def imported(ws, path, when: str = "2024-05-02 09:00Z"):
    with time_machine.travel(when, tick=False):
        result = import_file(ws, path)
    assert result.preset == "klaviyo"
    return result


def card(ws, email: str) -> dict:
    cid = find_customer(ws, email)
    assert cid is not None, email
    with ws.engine.connect() as conn:
        row = conn.exec_driver_sql(
            "SELECT orders, spend_minor, consent_email, consent_sms FROM customer WHERE id = ?", (cid,)).one()
        fields = {f.name: f.value for f in customer_fields(conn, cid)}
    return {"orders": row[0], "spend": row[1], "email": row[2], "sms": row[3], "fields": fields}


@pytest.fixture
def ws(make_workspace):
    return make_workspace()


def test_lifetime_spend_and_orders_are_the_historic_figures_not_the_forecast(ws, tmp_path):
    f = write_csv(tmp_path / "klaviyo_profiles.csv", KLAVIYO_LIST, rows_of({
        "Email": "erin.cho@example.com", "Klaviyo ID": "01HABCDEF0001", "First Name": "Erin", "Last Name": "Cho",
        "Email Marketing Consent": "SUBSCRIBED", "Email Marketing Consent Timestamp": "2024-01-05 10:22:13",
        "Historic Customer Lifetime Value": "240.00", "Total Customer Lifetime Value": "320.00",
        "Predicted Customer Lifetime Value": "80.00", "Average Order Value": "120.00",
        "Historic Number Of Orders": "2", "Profile Created On": "2024-01-05 10:00:00", "Email Suppressions": "[]",
    }))
    imported(ws, f)
    erin = card(ws, "erin.cho@example.com")
    assert (erin["orders"], erin["spend"]) == (2, 24000)
    # The forecast and the sum with it stay the profile's own fields, as read.
    assert erin["fields"]["Predicted Customer Lifetime Value"] == "80.00"
    assert erin["fields"]["Total Customer Lifetime Value"] == "320.00"


FORECASTS = [
    "Predicted Customer Lifetime Value", "Total Customer Lifetime Value", "Predicted Lifetime Value",
    "Expected Customer Lifetime Value", "Forecast Lifetime Value", "Projected Customer Lifetime Value",
    "Predicted CLV", "Predicted LTV", "Predicted Spend", "Expected Spend", "Forecast Spend",
    "Predicted Revenue", "Expected Revenue", "Predicted Number Of Orders", "Expected Number Of Orders",
]


@pytest.mark.parametrize("beside", [[], ["Historic Customer Lifetime Value"]])
def test_a_forecast_is_never_money_spent_in_any_vendors_file(beside):
    """Without a preset (another vendor's file, a list saved from a spreadsheet), a forecast or
    a figure with one added in is no column of spend or orders; a historic one is."""
    header = ["Email", "Name", *beside, *FORECASTS]
    fields = {g.header: g.field for g in guess_mapping(header)}
    for forecast in FORECASTS:
        assert fields[forecast] == IGNORE, (forecast, fields[forecast])
    if beside:
        assert fields["Historic Customer Lifetime Value"] == "total_spent"


def facts(ws, email: str) -> list[tuple[str, str, str | None]]:
    with ws.engine.connect() as conn:
        return [tuple(r) for r in conn.exec_driver_sql(
            "SELECT c.channel, c.status, c.occurred_at FROM consent c JOIN source_record r ON r.id = c.record_id "
            "WHERE r.email = ? ORDER BY c.channel", (email,)).all()]


def test_a_suppressed_profile_is_not_mailable_whatever_its_consent_says(ws, tmp_path):
    """Klaviyo: "A suppressed profile cannot receive marketing messages, even if they have provided
    consent."  A bounce is "cleaned", the person's own no (an unsubscribe, a spam complaint) and a
    suppression by hand "unsubscribed", as is a reason nobody knows; each dated by its timestamp,
    even where the consent's own is later."""
    def person(name: str, suppressions: str, consent_at: str = "2023-11-01 12:00:00") -> dict[str, str]:
        return {"Email": f"{name}@example.com", "Klaviyo ID": f"01H{name.upper()}", "First Name": name.title(),
                "Email Marketing Consent": "SUBSCRIBED", "Email Marketing Consent Timestamp": consent_at,
                "SMS Marketing Consent": "SUBSCRIBED", "SMS Marketing Consent Timestamp": consent_at,
                "Phone Number": f"+1415555{len(name):04d}", "Email Suppressions": suppressions}

    f = write_csv(tmp_path / "klaviyo_profiles.csv", KLAVIYO_LIST, rows_of(
        person("hal", '[{"reason": "HARD_BOUNCE", "timestamp": "2024-04-02T08:00:00+00:00"}]'),
        person("ivo", '[{"reason": "SPAM_COMPLAINT", "timestamp": "2024-03-01T09:30:00+00:00"}]',
               consent_at="2024-04-20 10:00:00"),
        person("juno", "[{'reason': 'USER_SUPPRESSED', 'timestamp': '2024-02-01T00:00:00+00:00'}, "
                       "{'reason': 'INVALID_EMAIL', 'timestamp': '2024-02-03T00:00:00+00:00'}]"),
        person("kirsten", '[{"reason": "SOMETHING_NEW"}]'),
        person("lou", "[]"),
    ))
    imported(ws, f)
    assert facts(ws, "hal@example.com")[0] == ("email", "cleaned", "2024-04-02T08:00:00+00:00")
    assert facts(ws, "ivo@example.com")[0] == ("email", "unsubscribed", "2024-03-01T09:30:00+00:00")
    assert facts(ws, "juno@example.com")[0] == ("email", "cleaned", "2024-02-03T00:00:00+00:00")
    assert facts(ws, "kirsten@example.com")[0] == ("email", "unsubscribed", None)
    assert [card(ws, f"{n}@example.com")["email"] for n in ("hal", "ivo", "juno", "kirsten", "lou")] == [
        "cleaned", "unsubscribed", "cleaned", "unsubscribed", "granted"]
    # Email suppressions close email alone: the texts' consent stands.
    assert {card(ws, f"{n}@example.com")["sms"] for n in ("hal", "ivo", "juno", "kirsten", "lou")} == {"granted"}
