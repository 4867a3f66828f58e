"""Whole files in the vendor formats the demo does not write, imported end to end.

Each file is built with the vendor's header (from test_presets), filled the way the
vendor fills it, written in the encoding the vendor uses, and pushed through the
real import path; the normalized values and consent facts are then read back.
"""

from __future__ import annotations

import csv
import io

from omnidesk.core.importing.pipeline import analyze, run_to_end
from tests.core.test_presets import GOOGLE_CONTACTS, GOOGLE_CONTACTS_LEGACY, KLAVIYO, MAILCHIMP_CLEANED, OUTLOOK, SQUARE


def build(path, header, values: dict[str, str], *, encoding="utf-8", delimiter=",",
          quoting=csv.QUOTE_MINIMAL):
    """One data row: every header cell empty except the named ones."""
    missing = set(values) - set(header)
    assert not missing, missing
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=delimiter, quoting=quoting, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerow([values.get(h, "") for h in header])
    path.write_bytes(buf.getvalue().encode(encoding))
    return path


def one_record(ws):
    with ws.engine.connect() as conn:
        rec = conn.exec_driver_sql(
            "SELECT first_name, last_name, email, phone, postcode, country, birthday, flagged, problems_json "
            "FROM source_record").one()
        consents = conn.exec_driver_sql("SELECT channel, status FROM consent ORDER BY channel").fetchall()
    return rec, consents


def test_outlook_export_in_windows_1252(ws, tmp_path):
    f = build(tmp_path / "contacts.CSV", OUTLOOK, {
        "First Name": "Zoë", "Last Name": "Müller", "E-mail Address": "Zoe.Muller@Example.com",
        "Mobile Phone": "(207) 555-0142", "Home Postal Code": "4101", "Home Country/Region": "United States",
        "Birthday": "0/0/00",
    }, encoding="cp1252")
    plan = analyze(ws, f)
    assert plan.preset.key == "outlook" and plan.fmt.encoding_label == "Windows-1252"
    result = run_to_end(ws, plan)
    rec, _ = one_record(ws)
    assert result.imported == 1 and not rec.flagged, rec.problems_json
    assert (rec.first_name, rec.last_name, rec.email, rec.phone) == (
        "Zoë", "Müller", "zoe.muller@example.com", "+12075550142")
    assert rec.postcode == "04101" and rec.country == "US" and rec.birthday is None


def test_google_contacts_legacy(ws, tmp_path):
    f = build(tmp_path / "google.csv", GOOGLE_CONTACTS_LEGACY, {
        "Name": "Ann Lee", "Given Name": "Ann", "Family Name": "Lee",
        "E-mail 1 - Value": "ann@example.com ::: ann.lee@work.example",
        "Phone 1 - Value": "+44 20 7946 0958", "Group Membership": "* myContacts ::: Friends",
    })
    plan = analyze(ws, f)
    assert plan.preset.key == "google_contacts_legacy"
    run_to_end(ws, plan)
    rec, _ = one_record(ws)
    assert (rec.email, rec.phone) == ("ann@example.com", "+442079460958")
    with ws.engine.connect() as conn:
        emails = {r[0] for r in conn.exec_driver_sql("SELECT value FROM identifier WHERE kind='email'")}
    assert emails == {"ann@example.com", "ann.lee@work.example"}


def test_google_contacts_street_address_and_own_labels(ws, tmp_path):
    """The street, not Google's three-line formatted address; labels without its system groups."""
    f = build(tmp_path / "contacts.csv", GOOGLE_CONTACTS, {
        "First Name": "Lucia", "Last Name": "Brown", "Labels": "* myContacts ::: VIP ::: * starred",
        "Address 1 - Formatted": "548 Lincoln Ave\n#14\nPortland, ME 04102\nUS",
        "Address 1 - Street": "548 Lincoln Ave\n#14", "Address 1 - City": "Portland",
        "Address 1 - Region": "ME", "Address 1 - Postal Code": "04102", "Address 1 - Country": "US",
    })
    run_to_end(ws, analyze(ws, f))
    with ws.engine.connect() as conn:
        address, city, postcode, tags = conn.exec_driver_sql(
            "SELECT address, city, postcode, tags FROM source_record").one()
    assert (address, city, postcode) == ("548 Lincoln Ave, #14", "Portland", "04102")
    assert tags == "VIP, starred"


def test_a_formatted_address_alone_is_kept_on_one_line(ws, tmp_path):
    f = build(tmp_path / "contacts.csv", GOOGLE_CONTACTS, {
        "First Name": "Ann", "Last Name": "Lee", "Address 1 - Formatted": "12 Elm St\nBoston, MA 02110",
    })
    run_to_end(ws, analyze(ws, f))
    with ws.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT address FROM source_record").scalar() == "12 Elm St, Boston, MA 02110"


def test_mailchimp_cleaned_marks_the_address_cleaned(ws, tmp_path):
    f = build(tmp_path / "cleaned_members_export_1a2b.csv", MAILCHIMP_CLEANED, {
        "Email Address": "gone@example.com", "First Name": "Gus", "CLEAN_TIME": "2026-02-03 10:00:00",
    }, quoting=csv.QUOTE_ALL)
    plan = analyze(ws, f)
    assert plan.preset.key == "mailchimp_cleaned" and plan.channel == "email"
    run_to_end(ws, plan)
    _, consents = one_record(ws)
    assert consents == [("email", "cleaned")]


def test_klaviyo_profiles_with_consent_words(ws, tmp_path):
    f = build(tmp_path / "klaviyo_profiles.csv", KLAVIYO, {
        "Email": "kim@example.com", "Klaviyo ID": "01H8ZX", "First Name": "Kim", "Last Name": "Ng",
        "Phone Number": "+1 312 555 0101", "Email Marketing Consent": "UNSUBSCRIBED",
        "SMS Consent": "SUBSCRIBED",
    })
    plan = analyze(ws, f)
    assert plan.preset.key == "klaviyo"
    run_to_end(ws, plan)
    rec, consents = one_record(ws)
    assert rec.phone == "+13125550101"
    assert consents == [("email", "unsubscribed"), ("sms", "granted")]


def test_square_customers(ws, tmp_path):
    values = {"Reference ID": "R-17", "Phone Number": "312-555-0199"}
    for h in SQUARE:
        low = h.lower()
        if "first" in low or "given" in low:
            values[h] = "Sam"
        elif "last" in low and "visit" not in low or "family" in low:
            values[h] = "Ortiz"
        elif "email" in low and "subscription" not in low:
            values[h] = "sam@example.com"
    f = build(tmp_path / "square-customers.csv", SQUARE, values)
    plan = analyze(ws, f)
    assert plan.preset.key == "square" and plan.channel == "pos"
    result = run_to_end(ws, plan)
    rec, _ = one_record(ws)
    assert result.imported == 1
    assert (rec.first_name, rec.last_name, rec.email, rec.phone) == ("Sam", "Ortiz", "sam@example.com",
                                                                      "+13125550199")


def test_the_demo_sms_list_imported_as_detected_is_sms_consent_not_email(ws, tmp_path):
    """An SMS subscriber list picked in the wizard must not grant email consent."""
    from omnidesk.core.demo_data import SMS_FILE, write_demo_files

    write_demo_files(tmp_path / "files", customers=60)
    plan = analyze(ws, tmp_path / "files" / SMS_FILE)
    assert plan.channel == "sms"
    run_to_end(ws, plan)
    with ws.engine.connect() as conn:
        channels = {ch for (ch,) in conn.exec_driver_sql("SELECT DISTINCT channel FROM consent")}
    assert channels == {"sms"}
