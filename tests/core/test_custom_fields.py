"""Columns nobody mapped are kept as typed custom fields of their records and customers."""

from __future__ import annotations

import csv
import io
import json
import zipfile

from alembic import command

from omnidesk.core.importing.batches import undo_batch
from omnidesk.core.importing.custom_fields import customer_fields, field_name, is_noise
from omnidesk.core.importing.pipeline import ImportOptions, import_file
from omnidesk.core.rights import erase_person, export_person
from omnidesk.core.profile import customer_profile
from omnidesk.core.workspace import Workspace, _alembic_config
from tests.helpers import write_csv

# Google Forms: Responses > Download responses (.csv).  "Timestamp" first (in the form
# owner's locale, here US), "Email Address" when the form collects it, then one column
# per question, titled as the question.
FORM_HEADER = ["Timestamp", "Email Address", "Your name", "What are you shopping for?",
               "How many candles do you burn a month?", "Would you like a free sample with your next order?",
               "When did you last visit the shop?", "Voucher code", "Favourite scent number"]
FORM_ROWS = [
    ["3/14/2024 10:22:31", "ann.lee@example.com", "Ann Lee", "candles", "4", "Yes", "02/03/2024", "0042", "7"],
    ["3/15/2024 18:05:12", "bo.chen@example.com", "Bo Chen", "gifts", "12", "No", "14/03/2024", "1234", "not sure"],
    ["3/16/2024 09:41:55", "cy.diaz@example.com", "Cy Diaz", "diffusers, candles", "", "yes", "", "", "3"],
]

# Shopify admin > Customers > Export (CSV for Excel, numbers, or other spreadsheet programs):
# the documented columns, then one column per customer metafield, named "Label (customer.metafields.ns.key)".
SHOPIFY_HEADER = ["Customer ID", "First Name", "Last Name", "Email", "Accepts Email Marketing",
                  "Default Address Company", "Default Address Address1", "Default Address Address2",
                  "Default Address City", "Default Address Province Code", "Default Address Country Code",
                  "Default Address Zip", "Default Address Phone", "Phone", "Accepts SMS Marketing",
                  "Total Spent", "Total Orders", "Note", "Tax Exempt", "Tags",
                  "Loyalty points (customer.metafields.custom.loyalty_points)",
                  "Member since (customer.metafields.custom.member_since)"]


def _shop_row(cid, first, last, email, points, since, tax="no"):
    return [f"'{cid}", first, last, email, "yes", "", "12 Elm St", "", "Portland", "ME", "US", "'04101", "",
            "", "no", "84.00", "3", "", tax, "", points, since]


def _fields(ws, where: str = "1=1") -> dict[str, tuple]:
    with ws.engine.connect() as conn:
        return {(r[0], r[1]): tuple(r[2:]) for r in conn.exec_driver_sql(
            "SELECT s.email, f.name, f.type, f.value, f.number, f.date FROM custom_field f "
            f"JOIN source_record s ON s.id = f.record_id WHERE {where}")}


def _customer(ws, email: str) -> int:
    with ws.engine.connect() as conn:
        return conn.exec_driver_sql("SELECT customer_id FROM source_record WHERE email = ?", (email,)).scalar()


def test_form_answers_are_typed_per_column_over_the_whole_file(new_workspace, tmp_path):
    form = write_csv(tmp_path / "responses.csv", FORM_HEADER, FORM_ROWS)
    with new_workspace(tmp_path / "w.omnidesk") as ws:
        ws.set_setting("default_region", "US")
        import_file(ws, form)
        f = _fields(ws)
    ann, bo, cy = "ann.lee@example.com", "bo.chen@example.com", "cy.diaz@example.com"
    assert f[(ann, "What are you shopping for?")] == ("text", "candles", None, None)
    assert f[(cy, "What are you shopping for?")] == ("text", "diffusers, candles", None, None)
    assert f[(bo, "How many candles do you burn a month?")] == ("number", "12", 12.0, None)
    assert (cy, "How many candles do you burn a month?") not in f  # an empty answer is no value
    assert f[(ann, "Would you like a free sample with your next order?")] == ("yesno", "Yes", 1.0, None)
    assert f[(bo, "Would you like a free sample with your next order?")] == ("yesno", "No", 0.0, None)
    # 02/03 could be either; 14/03 in the same column settles it: day first, in a US workspace.
    assert f[(ann, "When did you last visit the shop?")] == ("date", "02/03/2024", None, "2024-03-02")
    assert f[(bo, "When did you last visit the shop?")] == ("date", "14/03/2024", None, "2024-03-14")
    # A leading zero makes a code, not a quantity; one answer in words makes a column text,
    # whose answers that are numbers still keep them (a rule compares them as numbers).
    assert f[(ann, "Voucher code")] == ("text", "0042", None, None)
    assert f[(bo, "Favourite scent number")] == ("text", "not sure", None, None)
    assert f[(ann, "Favourite scent number")] == ("text", "7", 7.0, None)
    # Mapped columns are not kept twice.
    assert not {name for _, name in f} & {"Timestamp", "Email Address", "Your name"}


def test_a_shopify_metafield_is_a_number_on_the_card_and_the_latest_import_wins(new_workspace, tmp_path):
    march = write_csv(tmp_path / "customers_export.csv", SHOPIFY_HEADER, [
        _shop_row(7210001, "Ann", "Lee", "ann.lee@example.com", "420", "2021-06-01", tax="yes"),
        _shop_row(7210002, "Bo", "Chen", "bo.chen@example.com", "85", "2023-11-20"),
    ])
    with new_workspace(tmp_path / "w.omnidesk") as ws:
        import_file(ws, march, ImportOptions(channel="shop"))
        card = customer_profile(ws, _customer(ws, "ann.lee@example.com"))
        shown = {v.name: (v.type, v.display(), v.source_file) for v in card.custom_fields}
        # "Tax Exempt" is Shopify's own account flag, a column the preset knows: it stays raw.
        assert shown == {"Loyalty points": ("number", "420", "customers_export.csv"),
                         "Member since": ("date", "2021-06-01", "customers_export.csv")}
        # April's export: more points.  Per field, the latest import's value is the customer's.
        april = write_csv(tmp_path / "customers_export_april.csv", SHOPIFY_HEADER, [
            _shop_row(7210001, "Ann", "Lee", "ann.lee@example.com", "515", "2021-06-01", tax="yes"),
        ])
        import_file(ws, april, ImportOptions(channel="shop"))
        with ws.engine.connect() as conn:
            values = {v.name: (v.value, v.source_file) for v in customer_fields(conn, _customer(ws, "ann.lee@example.com"))}
        assert values["Loyalty points"] == ("515", "customers_export_april.csv")


def test_system_noise_is_not_kept():
    for header in ("id", "ad_id", "adset_id", "form_id", "campaign_id", "LEID", "EUID", "OPTIN_IP", "CONFIRM_IP",
                   "LATITUDE", "LONGITUDE", "GMTOFF", "DSTOFF", "E-mail 1 - Label", "Phone 1 - Type",
                   "E-mail Display Name", "#", "Network ID"):
        assert is_noise(header), header
    for header in ("What are you shopping for?", "Loyalty points (customer.metafields.custom.loyalty_points)",
                   "Tax Exempt", "MEMBER_RATING", "adset_name", "Ideal gift", "How long have you been a customer?"):
        assert not is_noise(header), header
    assert field_name("Loyalty points (customer.metafields.custom.loyalty_points)") == "Loyalty points"


# Mailchimp audience export (Audience > Export audience), subscribed members' file: every field quoted.
MAILCHIMP_HEADER = ["Email Address", "First Name", "Last Name", "Favourite scent", "MEMBER_RATING", "OPTIN_TIME",
                    "OPTIN_IP", "CONFIRM_TIME", "CONFIRM_IP", "LATITUDE", "LONGITUDE", "GMTOFF", "DSTOFF",
                    "TIMEZONE", "CC", "REGION", "LAST_CHANGED", "LEID", "EUID", "NOTES", "TAGS"]


def test_mailchimp_system_columns_stay_in_the_raw_row_only(new_workspace, tmp_path):
    members = write_csv(tmp_path / "subscribed_members_export_1a2b3c.csv", MAILCHIMP_HEADER, [
        ["ann.lee@example.com", "Ann", "Lee", "Fig & cedar", "4", "2024-01-05 09:00:00", "203.0.113.7",
         "2024-01-05 09:01:00", "203.0.113.7", "43.66", "-70.25", "-5", "-4", "America/New_York", "US", "ME",
         "2024-02-01 10:00:00", "113456789", "a1b2c3d4e5", "", '"VIP"'],
    ], quoting=csv.QUOTE_ALL)
    with new_workspace(tmp_path / "w.omnidesk") as ws:
        import_file(ws, members, ImportOptions(channel="email"))
        names = {name for _, name in _fields(ws)}
        with ws.engine.connect() as conn:
            raw = conn.exec_driver_sql("SELECT raw_json FROM source_record").scalar()
    # The shop's own merge field is kept; Mailchimp's bookkeeping, which the preset knows, is not.
    assert "Favourite scent" in names and "MEMBER_RATING" not in names and "LAST_CHANGED" not in names
    assert not names & {"OPTIN_IP", "CONFIRM_IP", "LATITUDE", "LONGITUDE", "GMTOFF", "DSTOFF", "LEID", "EUID"}
    assert "203.0.113.7" in raw  # nothing imported is thrown away


def test_a_column_of_hashes_is_noise_whatever_its_header(new_workspace, tmp_path):
    rows = write_csv(tmp_path / "till.csv", ["Email", "Name", "Receipt key", "Candle club stamps"], [
        ["ann.lee@example.com", "Ann Lee", "9f86d081884c7d659a2feaa0c55ad015", "3"],
        ["bo.chen@example.com", "Bo Chen", "60303ae22b998861bce3b28f33eec1be", "5"],
    ])
    with new_workspace(tmp_path / "w.omnidesk") as ws:
        import_file(ws, rows, ImportOptions(channel="pos"))
        assert {name for _, name in _fields(ws)} == {"Candle club stamps"}


def test_an_events_file_keeps_no_custom_fields(new_workspace, tmp_path):
    orders = write_csv(tmp_path / "orders_export.csv",
                       ["Name", "Email", "Financial Status", "Paid at", "Currency", "Total", "Created at",
                        "Lineitem quantity", "Lineitem name", "Lineitem price", "Gift wrap"],
                       [["#1001", "ann.lee@example.com", "paid", "2024-03-01 10:00:00 -0500", "USD", "32.00",
                         "2024-03-01 10:00:00 -0500", "1", "Fig candle", "32.00", "yes"]])
    with new_workspace(tmp_path / "w.omnidesk") as ws:
        result = import_file(ws, orders, ImportOptions(channel="shop"))
        assert result.kind == "events"
        assert _fields(ws) == {}


def test_undo_erase_and_export_cover_custom_fields(new_workspace, tmp_path):
    form = write_csv(tmp_path / "responses.csv", FORM_HEADER, FORM_ROWS)
    shop = write_csv(tmp_path / "customers_export.csv", SHOPIFY_HEADER, [
        _shop_row(7210001, "Ann", "Lee", "ann.lee@example.com", "420", "2021-06-01"),
    ])
    with new_workspace(tmp_path / "w.omnidesk") as ws:
        form_batch = import_file(ws, form).batch_id
        import_file(ws, shop, ImportOptions(channel="shop"))
        ann = _customer(ws, "ann.lee@example.com")
        out = export_person(ws, ann, tmp_path / "ann.zip")
        with zipfile.ZipFile(out) as z:
            person = json.loads(z.read("person.json"))
            table = list(csv.DictReader(io.StringIO(z.read("custom_fields.csv").decode("utf-8"))))
        assert {(c["name"], c["value"]) for c in person["custom_fields"]} >= {
            ("Loyalty points", "420"), ("What are you shopping for?", "candles")}
        assert {r["name"]: r["source_file"] for r in table}["Loyalty points"] == "customers_export.csv"
        by_file = {r["source_file"]: r["custom_fields"] for r in person["source_records"]}
        assert {"name": "Loyalty points", "type": "number", "value": "420", "number": 420.0,
                "date": None} in by_file["customers_export.csv"]

        undo_batch(ws, form_batch)
        assert {name for _, name in _fields(ws)} == {"Loyalty points", "Member since"}

        erase_person(ws, ann)
        assert _fields(ws) == {}
        with ws.engine.connect() as conn:
            assert conn.exec_driver_sql("SELECT count(*) FROM custom_field").scalar() == 0


def test_a_formula_in_an_answer_stays_text_in_the_person_export(new_workspace, tmp_path):
    form = write_csv(tmp_path / "responses.csv", FORM_HEADER, [
        ["3/14/2024 10:22:31", "ann.lee@example.com", "Ann Lee", '=HYPERLINK("http://x.example","candles")',
         "4", "Yes", "02/03/2024", "", ""],
    ])
    with new_workspace(tmp_path / "w.omnidesk") as ws:
        import_file(ws, form)
        out = export_person(ws, _customer(ws, "ann.lee@example.com"), tmp_path / "ann.zip")
        with zipfile.ZipFile(out) as z:
            text = z.read("custom_fields.csv").decode("utf-8")
    assert "'=HYPERLINK" in text


def test_migration_keeps_the_unmapped_columns_of_earlier_imports(tmp_path):
    path = tmp_path / "w.omnidesk"
    shop = write_csv(tmp_path / "customers_export.csv", SHOPIFY_HEADER, [
        _shop_row(7210001, "Ann", "Lee", "ann.lee@example.com", "420", "2021-06-01"),
    ])
    with Workspace.create(path) as ws:
        import_file(ws, shop, ImportOptions(channel="shop"))
        before = _fields(ws)
        with ws.engine.begin() as conn:
            command.downgrade(_alembic_config(conn), "0007")
    with Workspace.open(path) as ws:
        assert _fields(ws) == before
    assert before[("ann.lee@example.com", "Loyalty points")] == ("number", "420", 420.0, None)


def test_a_lead_forms_questions_are_fields_but_the_ad_bookkeeping_is_not(new_workspace, tmp_path):
    """Meta's lead export (Ads Manager): ad, ad set, campaign and form columns say which ad
    brought the lead, not who the person is; the form's own questions do."""
    header = ["id", "created_time", "ad_id", "ad_name", "adset_id", "adset_name", "campaign_id",
              "campaign_name", "form_id", "form_name", "is_organic", "platform",
              "what_are_you_most_interested_in?", "email", "full_name", "phone_number"]
    leads = write_csv(tmp_path / "leads.csv", header, [
        ["l:1", "2026-03-01T10:00:00+0000", "ag:1", "Spring candles", "as:1", "Maine women 30+", "c:1",
         "Spring", "f:1", "Candle club sign-up", "false", "ig", "soy_candles", "ann@example.com",
         "Ann Lee", "p:+12075550101"],
    ])
    with new_workspace(tmp_path / "w.omnidesk") as ws:
        import_file(ws, leads, ImportOptions(channel="social"))
        names = {name for _, name in _fields(ws)}
    assert names == {"what_are_you_most_interested_in?"}
