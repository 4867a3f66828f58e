"""The exports small businesses move from: CRMs, payments, shop plugins, newsletters, LinkedIn,
Eventbrite and Meta's Leads Center, each imported end to end from a small file in its real layout.

Headers come from tests.core.test_presets, where each names its source.  Also here: a list of
people is never a file of events without evidence, and a row that is nobody (no name, email,
phone or id; a platform's test lead) is kept as read but never becomes a customer.
"""

from __future__ import annotations

import json

from omnidesk.core.importing.pipeline import FOOTER, NOBODY, TEST_LEAD, analyze, import_file, run_to_end
from tests.core.test_presets import (
    EVENTBRITE_ATTENDEES,
    HUBSPOT_CONTACTS,
    LINKEDIN_CONNECTIONS,
    META_LEADS,
    META_LEADS_CENTER,
    SALESFORCE_CONTACTS,
    SALESFORCE_REPORT,
    STRIPE_CUSTOMERS,
    SUBSTACK_SUBSCRIBERS,
    WOOCOMMERCE_CUSTOMERS,
    WOOCOMMERCE_ORDERS,
    WOOCOMMERCE_ORDERS_ADVANCED,
    ZOHO_CONTACTS,
)
from tests.helpers import write_csv


def rows_of(header, *rows: dict[str, str]) -> list[list[str]]:
    """Data rows: every cell empty except the named ones (which must be real columns)."""
    for row in rows:
        missing = set(row) - set(header)
        assert not missing, missing
    return [[row.get(h, "") for h in header] for row in rows]


def write(path, header, *rows: dict[str, str], **kw):
    return write_csv(path, header, rows_of(header, *rows), **kw)


def records(ws):
    with ws.engine.connect() as conn:
        return conn.exec_driver_sql(
            "SELECT record_no, kind, customer_id, external_id, first_name, last_name, email, phone, "
            "company, city, postcode, country, birthday, values_json, raw_json FROM source_record "
            "ORDER BY record_no").all()


def consents(ws) -> dict[str, tuple[str, str | None]]:
    with ws.engine.connect() as conn:
        return {email: (status, when) for email, status, when in conn.exec_driver_sql(
            "SELECT r.email, c.status, c.occurred_at FROM consent c JOIN source_record r "
            "ON r.id = c.record_id WHERE c.channel = 'email'")}


def events(ws) -> list[tuple]:
    with ws.engine.connect() as conn:
        return conn.exec_driver_sql(
            "SELECT type, summary, occurred_at, amount_minor, customer_id FROM event ORDER BY id").all()


def customers(ws) -> list[tuple]:
    with ws.engine.connect() as conn:
        return conn.exec_driver_sql(
            "SELECT first_name, last_name, email, orders FROM customer ORDER BY id").all()


def imported(ws, path, *, preset, kind, channel):
    plan = analyze(ws, path)
    assert plan.preset is not None and plan.preset.key == preset
    assert (plan.kind, plan.channel) == (kind, channel)
    return run_to_end(ws, plan)


# -- CRMs --------------------------------------------------------------------------------------


def test_hubspot_contacts(ws, tmp_path):
    f = write(tmp_path / "hubspot-crm-exports-all-contacts-2024-05-02.csv", HUBSPOT_CONTACTS,
              {"Record ID": "51", "First Name": "Ann", "Last Name": "Lee", "Email": "ann@example.com",
               "Phone Number": "(415) 555-0101", "City": "San Francisco", "Company Name": "Lee Design",
               "Lifecycle Stage": "customer", "Lead Status": "Connected", "Contact owner": "Sam Seller",
               "Create Date": "2024-03-12 14:05", "Marketing contact status": "Marketing contact",
               "Unsubscribed from all email": "true"},
              {"Record ID": "52", "First Name": "Bob", "Last Name": "Roy", "Email": "bob@example.com",
               "Lifecycle Stage": "lead", "Create Date": "2024-03-13 09:00",
               "Marketing contact status": "Marketing contact", "Unsubscribed from all email": "false"})
    result = imported(ws, f, preset="hubspot_contacts", kind="contacts", channel="contacts")
    assert (result.imported, result.events, result.new_customers) == (2, 0, 2)
    ann, bob = records(ws)
    assert (ann.external_id, ann.first_name, ann.phone, ann.company) == ("51", "Ann", "+14155550101", "Lee Design")
    assert json.loads(ann.values_json)["created_at"] == "2024-03-12T14:05:00"
    # Unsubscribed from all email: true is an opt-out; false says nothing about consent, and
    # "Marketing contact status" is HubSpot's billing tier, not consent.
    assert consents(ws) == {"ann@example.com": ("unsubscribed", None)}


def test_zoho_contacts(ws, tmp_path):
    f = write(tmp_path / "Contacts_2024_05_02.csv", ZOHO_CONTACTS,
              {"Record Id": "zcrm_4876876000000431001", "Contact Owner": "Sam Seller",
               "First Name": "Cara", "Last Name": "Diaz", "Account Name": "Diaz Bakery",
               "Email": "cara@diazbakery.example", "Mobile": "+1 312 555 0144", "Email Opt Out": "true",
               "Created Time": "2024-02-01 10:30:00", "Mailing City": "Chicago", "Mailing Zip": "60601",
               "Mailing Country": "United States", "Date of Birth": "1988-07-14", "Lead Source": "Trade Show"},
              {"Record Id": "zcrm_4876876000000431002", "First Name": "Dev", "Last Name": "Patel",
               "Email": "dev@example.com", "Email Opt Out": "false", "Created Time": "2024-02-02 11:00:00"})
    result = imported(ws, f, preset="zoho_contacts", kind="contacts", channel="contacts")
    assert (result.imported, result.events, result.new_customers) == (2, 0, 2)
    cara, _ = records(ws)
    assert (cara.external_id, cara.company, cara.phone, cara.postcode, cara.country, cara.birthday) == (
        "zcrm_4876876000000431001", "Diaz Bakery", "+13125550144", "60601", "US", "1988-07-14")
    assert consents(ws) == {"cara@diazbakery.example": ("unsubscribed", None)}


def test_salesforce_data_loader_contacts(ws, tmp_path):
    f = write(tmp_path / "extract.csv", SALESFORCE_CONTACTS,
              {"ID": "0035g00000XyZ12AAB", "ISDELETED": "false", "FIRSTNAME": "Erin", "LASTNAME": "Moss",
               "NAME": "Erin Moss", "EMAIL": "erin@example.com", "MOBILEPHONE": "(646) 555-0199",
               "MAILINGCITY": "New York", "MAILINGPOSTALCODE": "10001", "MAILINGCOUNTRY": "USA",
               "TITLE": "Owner", "BIRTHDATE": "1979-11-02", "HASOPTEDOUTOFEMAIL": "true", "DONOTCALL": "true",
               "CREATEDDATE": "2023-06-01T08:15:00.000Z", "LOYALTY_TIER__C": "Gold"})
    result = imported(ws, f, preset="salesforce_contacts", kind="contacts", channel="contacts")
    assert (result.imported, result.flagged, result.events) == (1, 0, 0)
    [erin] = records(ws)
    assert (erin.external_id, erin.first_name, erin.last_name, erin.phone, erin.birthday) == (
        "0035g00000XyZ12AAB", "Erin", "Moss", "+16465550199", "1979-11-02")
    assert "Gold" not in erin.values_json and "Gold" in erin.raw_json  # a custom field, kept raw
    assert consents(ws) == {"erin@example.com": ("unsubscribed", None)}


def test_salesforce_contacts_report(ws, tmp_path):
    f = write(tmp_path / "report1714650000000.csv", SALESFORCE_REPORT,
              {"Contact Owner": "Sam Seller", "First Name": "Finn", "Last Name": "Hale",
               "Account Name": "Hale & Sons", "Mailing City": "Boston", "Mailing State/Province": "MA",
               "Mailing Zip/Postal Code": "02110", "Email": "finn@example.com", "Email Opt Out": "0",
               "Contact ID": "0035g00000XyZ13", "Mobile": "617-555-0123"})
    result = imported(ws, f, preset="salesforce_contacts_report", kind="contacts", channel="contacts")
    assert (result.imported, result.new_customers) == (1, 1)
    [finn] = records(ws)
    assert (finn.company, finn.postcode, finn.phone) == ("Hale & Sons", "02110", "+16175550123")
    assert consents(ws) == {}  # not opted out is not a grant


# A contacts report as Salesforce writes it: every cell quoted, and below the table a blank line,
# then the lines every report ends with (the report's name and the company's among them).
SALESFORCE_REPORT_FILE = (
    '"Contact ID","First Name","Last Name","Title","Account Name","Mailing Street","Mailing City",'
    '"Mailing State/Province","Mailing Zip/Postal Code","Mailing Country","Phone","Mobile","Email",'
    '"Email Opt Out","Do Not Call","Created Date"\n'
    '"0035g00000AbCdE","Yuki","Tanaka","Buyer","Tanaka Trading","5 Market St","Seattle","WA","98101","USA",'
    '"(206) 555-0160","(206) 555-0161","yuki.tanaka@example.com","0","0","1/2/2024"\n'
    '"0035g00000AbCdF","Uma","Ng","","","","","","","","","(206) 555-0162","uma.ng@example.com","1","1",'
    '"1/3/2024"\n'
    "{last}"
    '\n'
    '"Contacts with email"\n'
    '"Copyright (c) 2000-2025 salesforce.com, inc. All rights reserved."\n'
    '"Confidential Information - Do Not Distribute"\n'
    '"Generated By:  Sam Seller  5/2/2025 9:14 AM"\n'
    '"Tanaka Trading"\n'
)


def test_salesforce_reports_footer_is_nobody(ws, tmp_path):
    """The lines below a report's table are kept as read, skipped with why, never customers: the
    first of them lands in "Contact ID", an external id, so it is not a row of nobody.  A line of one
    cell that is a row (a contact with only an ID) stays one, and so does the last one before a
    footer that is no vendor's."""
    f = tmp_path / "report1746177240000.csv"
    f.write_text(SALESFORCE_REPORT_FILE.format(last=""), encoding="utf-8")
    result = imported(ws, f, preset="salesforce_contacts_report", kind="contacts", channel="contacts")
    assert (result.rows, result.imported, result.skipped, result.new_customers) == (7, 2, 5, 2)
    assert result.skipped_rows == {FOOTER: [3, 4, 5, 6, 7]}
    assert [c.email for c in customers(ws)] == ["yuki.tanaka@example.com", "uma.ng@example.com"]
    kept = [r for r in records(ws) if r.kind == "skipped"]
    assert [json.loads(r.raw_json) for r in kept][1] == [
        "Copyright (c) 2000-2025 salesforce.com, inc. All rights reserved."]
    assert {r.customer_id for r in kept} == {None}

    # A contact with only its ID, written on a line of its own, above the footer: a row.
    g = tmp_path / "report1746177300000.csv"
    g.write_text(SALESFORCE_REPORT_FILE.format(last='"0035g00000AbCdG"\n"0035g00000AbCdH"\n'), encoding="utf-8")
    assert import_file(ws, g).skipped_rows == {FOOTER: [5, 6, 7, 8, 9]}
    # The same lines of one cell without a vendor's footer after them: rows too.
    h = tmp_path / "ids.csv"
    table = SALESFORCE_REPORT_FILE.format(last="").split("\n\n")[0]
    h.write_text(table + '\n"0035g00000AbCdJ"\n\n"Contacts with email"\n', encoding="utf-8")
    assert import_file(ws, h).skipped_rows == {}


# -- payments and shops -------------------------------------------------------------------------


def test_stripe_customers_names_that_are_emails_or_domains(ws, tmp_path):
    f = write(tmp_path / "unified_customers.csv", STRIPE_CUSTOMERS,
              {"id": "cus_PQ1a", "Email": "tom@example.com", "Name": "Tom Baker",
               "Created (UTC)": "2024-01-05 10:00", "Total Spend": "120.50", "Payment Count": "3",
               "Currency": "usd", "Card Name": "T BAKER", "Address Zip": "94110", "Address Country": "US"},
              # The name is the customer's email, and the Email column is empty.
              {"id": "cus_PQ1b", "Email": "", "Name": "jane@example.com", "Created (UTC)": "2024-01-06 11:00"},
              # The name is the company's web domain.
              {"id": "cus_PQ1c", "Email": "billing@acme.example", "Name": "acme.com",
               "Created (UTC)": "2024-01-07 12:00"})
    result = imported(ws, f, preset="stripe_customers", kind="contacts", channel="shop")
    assert (result.imported, result.flagged, result.events) == (3, 0, 0)
    tom, jane, acme = records(ws)
    assert (tom.external_id, tom.first_name, tom.last_name, tom.postcode) == ("cus_PQ1a", "Tom", "Baker", "94110")
    # "Created (UTC)" says its zone: the time is not read on the shop's clock.
    assert json.loads(tom.values_json)["created_at"] == "2024-01-05T10:00:00+00:00"
    assert json.loads(tom.values_json)["total_spent"] == "120.50"
    assert json.loads(tom.values_json)["total_orders"] == 3
    assert (jane.first_name, jane.last_name, jane.email) == ("", "", "jane@example.com")
    assert (acme.first_name, acme.last_name, acme.email) == ("", "", "billing@acme.example")


def test_woocommerce_customers(ws, tmp_path):
    f = write(tmp_path / "wc-customers-report-export-17146.csv", WOOCOMMERCE_CUSTOMERS,
              {"Name": "Gina Ortiz", "Username": "gina", "Last Active": "2024-04-30",
               "Date Registered": "2023-11-02 09:12:44", "Email": "gina@example.com", "Orders": "4",
               "Total Spend": "$212.40", "AOV": "$53.10", "Country / Region": "United States (US)", "City": "Austin",
               "Region": "TX", "Postal Code": "78701"})
    result = imported(ws, f, preset="woocommerce_customers", kind="contacts", channel="shop")
    assert (result.imported, result.events) == (1, 0)
    [gina] = records(ws)
    assert (gina.first_name, gina.last_name, gina.email, gina.city, gina.postcode, gina.country) == (
        "Gina", "Ortiz", "gina@example.com", "Austin", "78701", "US")
    values = json.loads(gina.values_json)
    assert (values["total_spent"], values["total_orders"]) == ("212.40", 4)


def test_woocommerce_orders_one_row_per_item(ws, tmp_path):
    order = {"Order ID": "1041", "Order Number": "1041", "Order Date": "2024-04-02 15:20:11",
             "Order Status": "completed", "Order Total": "46.00", "Order Currency": "USD",
             "Customer ID": "12", "Billing First Name": "Hana", "Billing Last Name": "Kim",
             "Billing Email Address": "hana@example.com", "Billing Phone": "512-555-0188",
             "Billing City": "Austin", "Billing Postcode": "78701", "Billing Country": "US",
             "Shipping First Name": "Jo", "Shipping Last Name": "Kim"}
    f = write(tmp_path / "orders-export-2024_05_02.csv", WOOCOMMERCE_ORDERS,
              {**order, "Item Name": "Tea towel", "Item Quantity": "2", "Item Total": "24.00"},
              {**order, "Item Name": "Mug", "Item Quantity": "1", "Item Total": "22.00"},
              {"Order ID": "1042", "Order Number": "1042", "Order Date": "2024-04-03 10:00:00",
               "Order Status": "processing", "Order Total": "18.00", "Order Currency": "USD",
               "Billing First Name": "Ivan", "Billing Last Name": "Lund", "Billing Email Address": "ivan@example.com",
               "Item Name": "Candle", "Item Quantity": "1"})
    result = imported(ws, f, preset="woocommerce_orders", kind="events", channel="shop")
    assert (result.rows, result.events, result.new_customers) == (3, 2, 2)
    assert [(e.type, e.summary, e.amount_minor) for e in events(ws)] == [
        ("order", "Order 1041: Tea towel, Mug", 4600), ("order", "Order 1042: Candle", 1800)]
    hana = records(ws)[0]
    # The billing person, not the one the parcel went to.
    assert (hana.first_name, hana.email, hana.phone) == ("Hana", "hana@example.com", "+15125550188")
    assert sorted(c.orders for c in customers(ws)) == [1, 1]


def test_woocommerce_orders_advanced_order_export(ws, tmp_path):
    f = write(tmp_path / "orders-2024-05-02.csv", WOOCOMMERCE_ORDERS_ADVANCED,
              {"Order Number": "2201", "Order Status": "completed", "Order Date": "2024-04-05 12:00",
               "First Name (Billing)": "Jess", "Last Name (Billing)": "Moon", "Email (Billing)": "jess@example.com",
               "Phone (Billing)": "(512) 555-0109", "City (Billing)": "Austin", "Country Code (Billing)": "US",
               "Order Total Amount": "31.50", "Item Name": "Soap set", "Quantity (- Refund)": "1",
               "Item Cost": "31.50", "First Name (Shipping)": "Kai"})
    result = imported(ws, f, preset="woocommerce_orders_advanced", kind="events", channel="shop")
    assert (result.events, result.new_customers) == (1, 1)
    assert [(e.type, e.amount_minor) for e in events(ws)] == [("order", 3150)]
    assert customers(ws)[0][:3] == ("Jess", "Moon", "jess@example.com")


# -- lists, networks, events ---------------------------------------------------------------------


def test_substack_subscribers(ws, tmp_path):
    f = write(tmp_path / "email_list.my-letter.csv", SUBSTACK_SUBSCRIBERS,
              {"email": "kim@example.com", "active_subscription": "true", "plan": "yearly",
               "email_disabled": "false", "created_at": "2023-09-01T12:00:00.000Z",
               "first_payment_at": "2023-09-01T12:01:00.000Z"},
              {"email": "lou@example.com", "active_subscription": "false", "email_disabled": "true",
               "created_at": "2023-10-05T08:00:00.000Z"})
    result = imported(ws, f, preset="substack_subscribers", kind="contacts", channel="email")
    assert (result.imported, result.events) == (2, 0)
    assert consents(ws) == {"kim@example.com": ("granted", "2023-09-01T12:00:00+00:00"),
                            "lou@example.com": ("unsubscribed", None)}


LINKEDIN_NOTES = (
    'Notes:\r\n"When exporting your connection data, you may notice that some of the email addresses are '
    "missing. You will only see email addresses for connections who have allowed their connections to see "
    "or download their email address using this setting https://www.linkedin.com/psettings/privacy/email. "
    'You can learn more here https://www.linkedin.com/help/linkedin/answer/261"\r\n\r\n'
)


def test_linkedin_connections_with_notes_and_a_member_who_left(ws, tmp_path):
    f = write(tmp_path / "Connections.csv", LINKEDIN_CONNECTIONS,
              {"First Name": "Mia", "Last Name": "Ng", "URL": "https://www.linkedin.com/in/mia-ng-4a1b2c",
               "Email Address": "mia@example.com", "Company": "Ng Florals", "Position": "Founder",
               "Connected On": "12 Mar 2024"},
              # A member who left LinkedIn (or hides everything): only the date is left.
              {"Connected On": "03 Jan 2023"},
              {"First Name": "Noah", "Last Name": "Park", "URL": "https://www.linkedin.com/in/noahpark",
               "Company": "Park Cafe", "Position": "Owner", "Connected On": "20 Feb 2024"})
    f.write_bytes(LINKEDIN_NOTES.encode() + f.read_bytes())
    result = imported(ws, f, preset="linkedin_connections", kind="contacts", channel="social")
    assert (result.rows, result.imported, result.skipped, result.new_customers, result.events) == (3, 2, 1, 2, 0)
    assert result.skipped_rows == {NOBODY: [2]}
    assert result.skipped_lines == {NOBODY: [6]}  # under LinkedIn's notes, an empty line and the header
    assert result.summary()["skipped"] == 1
    assert result.skip_notes() == [
        "1 row skipped, with no name, email, phone or ID (line 6): kept as read, but not made into customers."]
    mia, gone, noah = records(ws)
    assert (mia.external_id, mia.company, mia.email) == (
        "https://www.linkedin.com/in/mia-ng-4a1b2c", "Ng Florals", "mia@example.com")
    assert json.loads(mia.values_json)["created_at"] == "2024-03-12"
    # Kept exactly as read, but it is nobody: no customer, not even a blank one.
    assert (gone.kind, gone.customer_id, json.loads(gone.raw_json)) == (
        "skipped", None, ["", "", "", "", "", "", "03 Jan 2023"])
    assert noah.customer_id is not None and ws.counts()["customers"] == 2
    # Resolving the whole workspace again leaves it nobody's too.
    from omnidesk.core.identity.resolve import resolve_all

    with ws.engine.begin() as conn:
        resolve_all(conn, from_scratch=True)
    assert records(ws)[1].customer_id is None and ws.counts()["customers"] == 2


def test_eventbrite_attendees_register_for_the_event(ws, tmp_path):
    f = write(tmp_path / "report-2024-05-02T1015.csv", EVENTBRITE_ATTENDEES,
              {"Order #": "8912345601", "Order Date": "2024-04-10 19:02:11", "First Name": "Olive",
               "Last Name": "Reed", "Email": "olive@example.com", "Event Name": "Spring Pottery Workshop",
               "Event ID": "8700112233", "Ticket Type": "General Admission", "Attendee #": "1120001",
               "Buyer First Name": "Olive", "Buyer Last Name": "Reed", "Buyer Email": "olive@example.com",
               "Order Type": "Eventbrite Completed", "Currency": "USD", "Total Paid": "35.00",
               "Attendee Status": "Attending", "Cell Phone": "+1 503 555 0177", "Dietary requirements": "Vegan"},
              # Olive booked a ticket for her friend: the row is Pat's.
              {"Order #": "8912345601", "Order Date": "2024-04-10 19:02:11", "First Name": "Pat",
               "Last Name": "Shaw", "Email": "pat@example.com", "Event Name": "Spring Pottery Workshop",
               "Ticket Type": "General Admission", "Attendee #": "1120002", "Buyer First Name": "Olive",
               "Buyer Last Name": "Reed", "Buyer Email": "olive@example.com", "Total Paid": "35.00",
               "Attendee Status": "Attending"})
    result = imported(ws, f, preset="eventbrite_attendees", kind="contacts", channel="web")
    assert (result.imported, result.new_customers, result.events) == (2, 2, 2)
    assert [(e.type, e.summary, e.occurred_at, e.amount_minor) for e in events(ws)] == [
        ("registration", "Registered for Spring Pottery Workshop", "2024-04-10T19:02:11", None)] * 2
    assert all(e.customer_id is not None for e in events(ws))
    # A registration is not a shop order, and the buyer's email is not the attendee's.
    assert [(c.first_name, c.email, c.orders) for c in customers(ws)] == [
        ("Olive", "olive@example.com", 0), ("Pat", "pat@example.com", 0)]
    assert "Vegan" not in records(ws)[0].values_json  # the organiser's question, kept raw


# -- Meta -----------------------------------------------------------------------------------------


def test_meta_leads_center_rows_are_leads(ws, tmp_path):
    f = write(tmp_path / "leads-center-export.csv", META_LEADS_CENTER,
              {"Created": "2024-04-21 09:15", "Name": "Quinn Ray", "Email": "quinn@example.com",
               "Phone number": "+15035550111", "Source": "Instant form", "Form": "Spring promo",
               "Channel": "Facebook", "Stage": "Intake", "Owner": "Sam Seller", "Labels": "Hot",
               "what_are_you_interested_in?": "Gift cards"},
              {"Created": "2024-04-22 18:40", "Name": "Rosa Diaz", "Email": "rosa@example.com",
               "Source": "Instant form", "Form": "Spring promo", "Channel": "Instagram", "Stage": "Converted"},
              {"Created": "2024-04-20 10:00", "Name": "<test lead: dummy data for full_name>",
               "Email": "test@fb.com", "Phone number": "<test lead: dummy data for phone_number>",
               "Source": "Instant form", "Form": "Spring promo", "Channel": "Facebook", "Stage": "Intake"})
    result = imported(ws, f, preset="meta_leads_center", kind="contacts", channel="social")
    assert (result.rows, result.imported, result.skipped, result.events, result.new_customers) == (3, 2, 1, 2, 2)
    assert [(e.type, e.summary, e.occurred_at) for e in events(ws)] == [
        ("lead_form", "Lead form submitted: Spring promo", "2024-04-21T09:15:00"),
        ("lead_form", "Lead form submitted: Spring promo", "2024-04-22T18:40:00")]
    assert result.skipped_rows == {TEST_LEAD: [3]}
    [note] = result.skip_notes()
    assert "test lead" in note and "(line 4)" in note
    quinn = records(ws)[0]
    assert json.loads(quinn.values_json)["status"] == "Intake"
    assert [c.email for c in customers(ws)] == ["quinn@example.com", "rosa@example.com"]


def test_a_test_lead_in_an_ads_manager_export_is_skipped_with_a_note(ws, tmp_path):
    f = write(tmp_path / "leads.tsv", META_LEADS,
              {"id": "l:2000001", "created_time": "2024-04-21T09:15:00+0000", "form_name": "Spring promo",
               "campaign_name": "Spring", "platform": "fb", "email": "sara@example.com",
               "full_name": "Sara Tan", "phone_number": "p:+15035550122"},
              {"id": "l:2000002", "created_time": "2024-04-20T10:00:00+0000", "form_name": "Spring promo",
               "platform": "fb", "email": "test@fb.com",
               "full_name": "<test lead: dummy data for full_name>",
               "phone_number": "<test lead: dummy data for phone_number>"},
              encoding="utf-16", delimiter="\t")
    result = imported(ws, f, preset="meta_leads", kind="contacts", channel="social")
    assert (result.imported, result.skipped, result.events, result.new_customers) == (1, 1, 1, 1)
    assert result.skipped_rows == {TEST_LEAD: [2]}
    assert [c.email for c in customers(ws)] == ["sara@example.com"]
    with ws.engine.connect() as conn:
        values = {v for (v,) in conn.exec_driver_sql("SELECT value FROM identifier")}
    # Sara's email, phone and lead id, and nothing of the test lead's dummy data.
    assert values == {"sara@example.com", "+15035550122", "social:2000001"}


# -- contacts are not events --------------------------------------------------------------------


def test_a_crm_list_with_a_contact_type_column_is_people_not_events(ws, tmp_path):
    """The reported file: each row a person with a "Contact type" and a creation date."""
    header = ["Full Name", "Email", "Phone", "Contact type", "Company", "Created", "Notes"]
    kinds = ["Customer", "Lead", "Prospect", "Customer", "Supplier"]
    rows = [[f"Person {chr(65 + i)} Example", f"p{i}@example.com", "", kinds[i], "",
             f"2024-0{i + 1}-1{i} 10:00", ""] for i in range(5)]
    f = write_csv(tmp_path / "crm_contacts.csv", header, rows)
    plan = analyze(ws, f)
    assert plan.kind == "contacts"
    assert dict(zip(header, plan.mapping))["Contact type"] == "ignore"
    assert dict(zip(header, plan.mapping))["Created"] == "created_at"
    result = run_to_end(ws, plan)
    assert (result.kind, result.events, result.new_customers) == ("contacts", 0, 5)


def test_a_type_column_of_kinds_of_people_does_not_make_events(ws, tmp_path):
    f = write_csv(tmp_path / "list.csv", ["Name", "Email", "Type", "Date"], [
        ["Ann Lee", "ann@example.com", "Customer", "2024-03-01"],
        ["Bob Roy", "bob@example.com", "Marketing qualified lead", "2024-03-02"],
        ["Cat Ng", "cat@example.com", "Subscriber", "2024-03-03"],
    ])
    plan = analyze(ws, f)
    assert plan.kind == "contacts"
    assert any(w.startswith("Read as a list of people, not events") for w in plan.warnings)
    assert import_file(ws, f).events == 0


def test_real_activity_still_makes_events(ws, tmp_path):
    f = write_csv(tmp_path / "activity.csv", ["Name", "Email", "Type", "Date"], [
        ["Ann Lee", "ann@example.com", "Purchase", "2024-03-01 10:00"],
        ["Bob Roy", "bob@example.com", "Email opened", "2024-03-02 11:00"],
        ["Cat Ng", "cat@example.com", "Appointment booked", "2024-03-03 12:00"],
    ])
    plan = analyze(ws, f)
    assert plan.kind == "events" and not plan.warnings
    assert run_to_end(ws, plan).events == 3


def test_a_time_on_only_some_rows_is_not_a_file_of_events(ws, tmp_path):
    f = write_csv(tmp_path / "sales_list.csv", ["Name", "Email", "Amount", "Date"], [
        ["Ann Lee", "ann@example.com", "12.00", "2024-03-01"],
        ["Bob Roy", "bob@example.com", "30.00", ""],
        ["Cat Ng", "cat@example.com", "8.00", ""],
    ])
    plan = analyze(ws, f)
    assert plan.kind == "contacts"
    assert "only 1 of its 3 rows have a time" in plan.warnings[-1]


def test_the_users_kind_is_kept_without_evidence(ws, tmp_path):
    from omnidesk.core.importing.pipeline import ImportOptions

    f = write_csv(tmp_path / "list.csv", ["Name", "Email", "Type", "Date"], [
        ["Ann Lee", "ann@example.com", "Customer", "2024-03-01"]])
    assert analyze(ws, f, ImportOptions(kind="events")).kind == "events"


def test_an_edited_mapping_needs_evidence_too(ws, tmp_path):
    f = write_csv(tmp_path / "list.csv", ["Name", "Email", "Type", "Date"], [
        ["Ann Lee", "ann@example.com", "Customer", "2024-03-01"],
        ["Bob Roy", "bob@example.com", "Lead", "2024-03-02"]])
    plan = analyze(ws, f)
    edited = plan.with_changes(mapping=["full_name", "email", "event_type", "occurred_at"])
    assert edited.kind == "contacts"
    assert edited.with_changes(kind="events").kind == "events"  # the user's say wins


def test_a_till_file_with_a_date_that_does_not_exist_is_still_events(ws, tmp_path):
    """Seven receipts, one dated 31/11 (a slip at the till): that row is flagged, the file is
    still the till's sales, not a list of people."""
    header = ["Beleg-Nr", "Datum", "Uhrzeit", "Kunde", "E-Mail", "Artikel", "Menge", "Betrag", "Zahlart"]
    days = ["03/11/2026", "04/11/2026", "31/11/2026", "05/11/2026", "06/11/2026", "07/11/2026", "08/11/2026"]
    rows = [[str(10001 + i), day, "10:15", f"Kunde {chr(65 + i)}", f"k{i}@example.de", "Kerze", "1", "24,90", "Bar"]
            for i, day in enumerate(days)]
    f = write_csv(tmp_path / "kasse_export.csv", header, rows, encoding="latin-1", delimiter=";")
    plan = analyze(ws, f)
    assert plan.kind == "events", plan.warnings
    assert not any("list of people" in w for w in plan.warnings)
    result = run_to_end(ws, plan)
    assert (result.kind, result.flagged) == ("events", 1) and result.events >= 6


def test_a_list_of_people_with_dates_on_too_few_rows_stays_people(ws, tmp_path):
    """The other side: a purchase column, but most rows carry no date at all."""
    header = ["Name", "Email", "Last purchase", "Amount"]
    rows = [[f"Person {chr(65 + i)}", f"p{i}@example.com", "2026-03-0%d" % (i + 1) if i < 3 else "", "12.00"]
            for i in range(7)]
    plan = analyze(ws, write_csv(tmp_path / "people.csv", header, rows))
    assert plan.kind == "contacts"
