"""How consent is decided (README "How consent is decided"), one test per rule.

The rule itself is checked on plain facts; every case that matters to a shop is
then played with real exports (the vendors' own headers, see test_presets:
Shopify's customers and orders exports, Mailchimp's audience export files)
imported the real way on a set clock, and read back from every place that shows
consent: the customer card, the stored column behind the Customers list and its
consent filter, and the customers export.
"""

from __future__ import annotations

import csv
import io

import pytest
import time_machine

from omnidesk.core.consent import Fact, changes, fact_day, in_force, is_mailable
from omnidesk.core.customers import customer_ids
from omnidesk.core.exporting.tables import export_customers
from omnidesk.core.importing.pipeline import import_file
from omnidesk.core.profile import consent_facts
from omnidesk.core.timeline import find_customer, timeline
from tests.core.test_presets import MAILCHIMP_SUBSCRIBED, MAILCHIMP_UNSUBSCRIBED, SHOPIFY_CUSTOMERS, SHOPIFY_ORDERS

# --------------------------------------------------------------------------
# the rule on plain facts
# --------------------------------------------------------------------------


def _fact(status, occurred_at=None, recorded_at="2025-06-02T09:00:00", record_id=1):
    return Fact(status, occurred_at, recorded_at, record_id, record_id)


def test_an_undated_fact_counts_on_its_files_import_day():
    assert fact_day(_fact("granted", None, "2025-06-02T23:59:00")) == "2025-06-02"
    assert fact_day(_fact("granted", "2024-11-20T10:00:00-08:00")) == "2024-11-20"
    assert fact_day(_fact("granted", "2024-11-20T20:00:00-08:00")) == "2024-11-21"  # the UTC day


def test_the_later_day_wins_whatever_its_status():
    old_yes = _fact("granted", "2025-01-10T08:00:00", record_id=1)
    newer_no = _fact("denied", None, "2025-06-02T09:00:00", record_id=2)
    later_yes = _fact("granted", "2025-07-01T08:00:00", "2025-07-02T09:00:00", record_id=3)
    assert in_force([old_yes, newer_no]) == newer_no
    assert in_force([newer_no, old_yes, later_yes]) == later_yes


@pytest.mark.parametrize("first, second", [("granted", "denied"), ("denied", "granted"),
                                           ("granted", "unsubscribed"), ("pending", "granted"),
                                           ("unsubscribed", "cleaned")])
def test_on_the_same_day_the_stricter_status_wins(first, second):
    # Two files imported hours apart, or a dated fact on the day a file was imported.
    a = _fact(first, None, "2025-06-02T09:00:00", record_id=1)
    b = _fact(second, "2025-06-02T16:00:00", record_id=2)
    strict = max(first, second, key=["granted", "pending", "denied", "unsubscribed", "cleaned"].index)
    assert in_force([a, b]).status == in_force([b, a]).status == strict


def test_an_undated_fact_never_lifts_an_opt_out():
    unsub = _fact("unsubscribed", "2025-02-01T10:00:00", record_id=1)
    undated_yes = _fact("granted", None, "2025-06-02T09:00:00", record_id=2)
    undated_no = _fact("denied", None, "2025-06-03T09:00:00", record_id=3)
    assert in_force([unsub, undated_yes]) == unsub
    assert in_force([unsub, undated_yes, undated_no]) == unsub
    dated_yes = _fact("granted", "2025-04-15T10:00:00", record_id=4)
    assert in_force([unsub, dated_yes]) == dated_yes  # a later explicit act wins
    # Once lifted by a dated opt-in, later undated facts count again.
    assert in_force([unsub, dated_yes, undated_no]) == undated_no
    # An undated opt-out is an opt-out too.
    assert in_force([_fact("cleaned", None, "2025-01-01T09:00:00", 5), undated_yes]).status == "cleaned"


def test_changes_are_the_facts_that_moved_the_consent():
    yes = _fact("granted", "2025-01-05T10:00:00", record_id=1)
    again = _fact("granted", "2025-01-20T10:00:00", record_id=2)
    unsub = _fact("unsubscribed", "2025-02-01T10:00:00", record_id=3)
    stale = _fact("granted", None, "2025-06-02T09:00:00", record_id=4)
    assert changes([stale, unsub, again, yes]) == [yes, unsub]
    assert in_force([]) is None and changes([]) == []


def test_only_granted_is_mailable():
    assert is_mailable("granted")
    assert not any(is_mailable(s) for s in ("pending", "denied", "unsubscribed", "cleaned", None, "odd"))


# --------------------------------------------------------------------------
# real exports
# --------------------------------------------------------------------------


def _write(path, header, rows: list[dict[str, str]], *, quote_all=False):
    buf = io.StringIO()
    writer = csv.writer(buf, quoting=csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL, lineterminator="\r\n")
    writer.writerow(header)
    for values in rows:
        assert set(values) <= set(header), set(values) - set(header)
        writer.writerow([values.get(h, "") for h in header])
    path.write_bytes(buf.getvalue().encode("utf-8"))
    return path


def shop_customers(path, accepts_email: str, accepts_sms: str = ""):
    return _write(path, SHOPIFY_CUSTOMERS, [{
        "Customer ID": "'7210011", "First Name": "Ann", "Last Name": "Lee", "Email": "ann@example.com",
        "Accepts Email Marketing": accepts_email, "Phone": "+14155550101", "Accepts SMS Marketing": accepts_sms,
        "Total Spent": "42.50", "Total Orders": "1", "Tax Exempt": "no",
    }])


def shop_orders(path, accepts_marketing: str, created_at: str = "2024-11-20 10:15:00 -0800"):
    """One order, placed long before the export, two line items (Shopify's layout)."""
    first = {"Name": "#1001", "Email": "ann@example.com", "Financial Status": "paid", "Accepts Marketing":
             accepts_marketing, "Currency": "USD", "Total": "42.50", "Created at": created_at,
             "Lineitem quantity": "1", "Lineitem name": "Sencha", "Lineitem price": "14.00", "Billing Name": "Ann Lee"}
    second = {"Name": "#1001", "Lineitem quantity": "2", "Lineitem name": "Mug", "Lineitem price": "14.25"}
    return _write(path, SHOPIFY_ORDERS, [first, second])


def mailchimp_unsubscribed(path, unsub_time: str):
    return _write(path, MAILCHIMP_UNSUBSCRIBED, [{
        "Email Address": "ann@example.com", "First Name": "Ann", "Last Name": "Lee",
        "OPTIN_TIME": "2023-05-01 10:00:00", "CONFIRM_TIME": "2023-05-01 10:02:00",
        "UNSUB_TIME": unsub_time, "UNSUB_REASON": "NORMAL", "LEID": "11", "EUID": "a1b2c3",
    }], quote_all=True)


def mailchimp_subscribed(path, confirm_time: str):
    return _write(path, MAILCHIMP_SUBSCRIBED, [{
        "Email Address": "ann@example.com", "First Name": "Ann", "Last Name": "Lee",
        "OPTIN_TIME": confirm_time, "CONFIRM_TIME": confirm_time, "LEID": "11", "EUID": "a1b2c3",
    }], quote_all=True)


def imported(ws, path, when: str):
    """Import ``path`` as if on ``when`` (UTC): the day the file is known from."""
    with time_machine.travel(when, tick=False):
        result = import_file(ws, path)
    assert result.imported >= 1
    return result


@pytest.fixture
def ws(make_workspace):
    return make_workspace(timezone="America/Los_Angeles")


def consent_everywhere(ws, tmp_path, email="ann@example.com") -> dict[str, str]:
    """The consent in force per channel, after checking every screen and export says the same."""
    cid = find_customer(ws, email)
    card = {ch: f.status for ch, f in consent_facts(ws, cid).items()}
    out = tmp_path / "customers.csv"
    export_customers(ws, out, overwrite=True)
    with out.open(encoding="utf-8-sig", newline="") as fh:
        row = next(r for r in csv.DictReader(fh) if r["id"] == str(cid))
    exported = {ch: row[f"consent_{ch}"] for ch in ("email", "sms", "whatsapp") if row[f"consent_{ch}"]}
    assert exported == card, (exported, card)
    with ws.engine.connect() as conn:
        stored = conn.exec_driver_sql("SELECT consent_email, consent_sms FROM customer WHERE id = ?",
                                      (cid,)).one()
    assert (stored[0], stored[1]) == (card.get("email"), card.get("sms"))
    for ch in ("email", "sms"):
        subscribed = cid in customer_ids(ws, consent=f"{ch}:granted")
        not_subscribed = cid in customer_ids(ws, consent=f"{ch}:none")
        assert subscribed == is_mailable(card.get(ch)) != not_subscribed
    return card


def test_an_old_order_rows_yes_does_not_outvote_an_unsubscribe_and_the_shops_no(ws, tmp_path):
    """The issue's case: Mailchimp unsubscribed, the shop says no, an older order row said yes."""
    imported(ws, shop_customers(tmp_path / "customers_export.csv", "no"), "2025-06-02 09:00Z")
    # She unsubscribed in June 2024, then ordered in November: the order row still says "yes".
    imported(ws, mailchimp_unsubscribed(tmp_path / "unsubscribed_members_export_1a2b.csv",
                                        "2024-06-01 12:00:00"), "2025-06-02 09:05Z")
    # The orders export is the newest file too.
    imported(ws, shop_orders(tmp_path / "orders_export.csv", "yes"), "2025-06-05 10:00Z")
    consents = consent_everywhere(ws, tmp_path)
    assert consents["email"] == "unsubscribed"
    fact = consent_facts(ws, find_customer(ws, "ann@example.com"))["email"]
    assert (fact.source_file, fact.occurred_at) == ("unsubscribed_members_export_1a2b.csv", "2024-06-01T12:00:00")
    # The order row's "yes" is not dated by the order, and it changes nothing on the timeline.
    with ws.engine.connect() as conn:
        order_fact = conn.exec_driver_sql(
            "SELECT c.status, c.occurred_at FROM consent c JOIN source_record r ON r.id = c.record_id "
            "JOIN import_batch b ON b.id = r.batch_id WHERE b.file_name = 'orders_export.csv'").one()
    assert tuple(order_fact) == ("granted", None)
    said = [e.summary for e in timeline(ws, find_customer(ws, "ann@example.com")) if e.kind == "consent"]
    assert said == ["Email consent: unsubscribed"]


@pytest.mark.parametrize("orders_first", [True, False])
def test_an_order_rows_yes_and_the_customers_no_of_the_same_day_is_no(ws, tmp_path, orders_first):
    orders = shop_orders(tmp_path / "orders_export.csv", "yes")
    customers = shop_customers(tmp_path / "customers_export.csv", "no")
    for path, when in zip((orders, customers) if orders_first else (customers, orders),
                          ("2025-06-02 09:00Z", "2025-06-02 17:30Z")):
        imported(ws, path, when)
    assert consent_everywhere(ws, tmp_path)["email"] == "denied"


def test_a_newer_files_flag_describes_the_person_now(ws, tmp_path):
    """No opt-out involved: a "no" in one export and a "yes" in a later one is a change of mind."""
    imported(ws, shop_customers(tmp_path / "customers_export.csv", "no"), "2025-06-02 09:00Z")
    imported(ws, shop_customers(tmp_path / "customers_export_july.csv", "yes", "yes"), "2025-07-01 09:00Z")
    assert consent_everywhere(ws, tmp_path) == {"email": "granted", "sms": "granted"}
    fact = consent_facts(ws, find_customer(ws, "ann@example.com"))["email"]
    assert fact.describe() == ("granted (the file gave no date; imported 2025-07-01), "
                               "from customers_export_july.csv row 1 (Shop)")


def test_an_older_dated_opt_in_loses_to_a_newer_files_no(ws, tmp_path):
    imported(ws, mailchimp_subscribed(tmp_path / "subscribed_members_export_1a2b.csv", "2025-01-10 08:00:00"),
             "2025-01-12 09:00Z")
    imported(ws, shop_customers(tmp_path / "customers_export.csv", "no"), "2025-06-02 09:00Z")
    assert consent_everywhere(ws, tmp_path)["email"] == "denied"


def test_a_dated_opt_in_after_an_unsubscribe_is_granted(ws, tmp_path):
    imported(ws, mailchimp_unsubscribed(tmp_path / "unsubscribed_members_export_1a2b.csv",
                                        "2025-02-01 12:00:00"), "2025-03-01 09:00Z")
    # A shop flag saying yes, exported later, does not lift the unsubscribe...
    imported(ws, shop_customers(tmp_path / "customers_export.csv", "yes"), "2025-04-01 09:00Z")
    assert consent_everywhere(ws, tmp_path)["email"] == "unsubscribed"
    # ...she signs up again on the list, and confirms: a later explicit act.
    imported(ws, mailchimp_subscribed(tmp_path / "subscribed_members_export_1a2b.csv", "2025-04-15 08:00:00"),
             "2025-05-01 09:00Z")
    fact = consent_facts(ws, find_customer(ws, "ann@example.com"))["email"]
    assert consent_everywhere(ws, tmp_path)["email"] == "granted"
    assert (fact.source_file, fact.occurred_at) == ("subscribed_members_export_1a2b.csv", "2025-04-15T08:00:00")
    said = [e.summary for e in timeline(ws, find_customer(ws, "ann@example.com")) if e.kind == "consent"]
    assert said == ["Email consent: unsubscribed", "Email consent: granted"]


def test_an_opt_in_dated_before_the_unsubscribe_stays_unsubscribed(ws, tmp_path):
    imported(ws, mailchimp_subscribed(tmp_path / "subscribed_members_export_1a2b.csv", "2025-01-15 08:00:00"),
             "2025-01-20 09:00Z")
    imported(ws, mailchimp_unsubscribed(tmp_path / "unsubscribed_members_export_1a2b.csv",
                                        "2025-02-01 12:00:00"), "2025-03-01 09:00Z")
    assert consent_everywhere(ws, tmp_path)["email"] == "unsubscribed"


# --------------------------------------------------------------------------
# "do not send" flags
# --------------------------------------------------------------------------

# HubSpot's contacts export: the default columns, then the properties picked for it
# (labels as HubSpot names its contact properties).
HUBSPOT_CONTACTS = ["Record ID", "First Name", "Last Name", "Email", "Phone Number", "Contact owner",
                    "Lifecycle Stage", "Marketing contact status", "Create Date",
                    "Unsubscribed from all email", "Email hard bounce reason"]
# Salesforce's Contact object as its Data Loader exports it (API field names).
SALESFORCE_CONTACTS = ["Id", "FirstName", "LastName", "Email", "Phone", "MobilePhone", "HasOptedOutOfEmail",
                       "DoNotCall", "IsEmailBounced", "EmailBouncedReason", "EmailBouncedDate", "CreatedDate"]


def test_hubspot_unsubscribes_bounces_and_non_marketing_contacts_are_not_mailable(ws, tmp_path):
    rows = [
        {"Record ID": "101", "First Name": "Ann", "Email": "ann@example.com", "Marketing contact status":
         "Marketing contact", "Unsubscribed from all email": "false", "Email hard bounce reason":
         "Mailbox does not exist"},
        {"Record ID": "102", "First Name": "Bo", "Email": "bo@example.com", "Marketing contact status":
         "Marketing contact", "Unsubscribed from all email": "true"},
        {"Record ID": "103", "First Name": "Cy", "Email": "cy@example.com", "Marketing contact status":
         "Non-marketing contact", "Unsubscribed from all email": "false"},
        {"Record ID": "104", "First Name": "Dee", "Email": "dee@example.com", "Marketing contact status":
         "Marketing contact", "Unsubscribed from all email": "false"},
    ]
    imported(ws, _write(tmp_path / "hubspot-crm-exports-all-contacts-2025-06-02.csv", HUBSPOT_CONTACTS, rows),
             "2025-06-02 09:00Z")
    assert consent_everywhere(ws, tmp_path, "ann@example.com") == {"email": "cleaned"}
    assert consent_everywhere(ws, tmp_path, "bo@example.com") == {"email": "unsubscribed"}
    assert consent_everywhere(ws, tmp_path, "cy@example.com") == {"email": "denied"}
    # Nothing wrong is not a yes: no fact at all.
    assert consent_everywhere(ws, tmp_path, "dee@example.com") == {}


def test_salesforce_opt_out_do_not_call_and_bounce(ws, tmp_path):
    rows = [
        {"Id": "0035g00000AbCdEAAV", "FirstName": "Ann", "LastName": "Lee", "Email": "ann@example.com",
         "MobilePhone": "+14155550101", "HasOptedOutOfEmail": "false", "DoNotCall": "true",
         "IsEmailBounced": "false", "CreatedDate": "2024-02-01T10:00:00.000Z"},
        {"Id": "0035g00000AbCdFAAV", "FirstName": "Bo", "LastName": "Ray", "Email": "bo@example.com",
         "HasOptedOutOfEmail": "false", "DoNotCall": "false", "IsEmailBounced": "true",
         "EmailBouncedReason": "550 5.1.1 user unknown", "EmailBouncedDate": "2025-01-10T08:00:00.000Z",
         "CreatedDate": "2024-02-01T10:00:00.000Z"},
        {"Id": "0035g00000AbCdGAAV", "FirstName": "Cy", "LastName": "Moss", "Email": "cy@example.com",
         "HasOptedOutOfEmail": "true", "DoNotCall": "false", "IsEmailBounced": "false",
         "CreatedDate": "2024-02-01T10:00:00.000Z"},
    ]
    imported(ws, _write(tmp_path / "Contact.csv", SALESFORCE_CONTACTS, rows), "2025-06-02 09:00Z")
    # "Do not call" closes the phone: texts are calls to it.  Email is untouched.
    assert consent_everywhere(ws, tmp_path, "ann@example.com") == {"sms": "unsubscribed", "whatsapp": "unsubscribed"}
    assert consent_everywhere(ws, tmp_path, "bo@example.com") == {"email": "cleaned"}
    assert consent_everywhere(ws, tmp_path, "cy@example.com") == {"email": "unsubscribed"}


def test_do_not_contact_closes_email_and_sms_and_a_later_yes_flag_does_not_reopen_them(ws, tmp_path):
    till = _write(tmp_path / "till_members.csv", ["Member No", "Name", "Email", "Mobile", "Do not contact"],
                  [{"Member No": "88", "Name": "Ann Lee", "Email": "ann@example.com", "Mobile": "(415) 555-0101",
                    "Do not contact": "Y"}])
    imported(ws, till, "2025-06-02 09:00Z")
    assert consent_everywhere(ws, tmp_path) == {"email": "unsubscribed", "sms": "unsubscribed",
                                                "whatsapp": "unsubscribed"}
    imported(ws, shop_customers(tmp_path / "customers_export.csv", "yes", "yes"), "2025-07-01 09:00Z")
    assert consent_everywhere(ws, tmp_path) == {"email": "unsubscribed", "sms": "unsubscribed",
                                                "whatsapp": "unsubscribed"}


@pytest.mark.parametrize("header, cell", [("Bounced", "yes"), ("Cleaned", "TRUE"), ("Invalid email", "x"),
                                          ("Email disabled", "1")])
def test_a_bounced_or_disabled_address_is_not_mailable_even_beside_a_yes(ws, tmp_path, header, cell):
    # One row says both: the stricter word wins within the row.
    path = _write(tmp_path / "newsletter.csv", ["Email", "First Name", "Newsletter", header],
                  [{"Email": "ann@example.com", "First Name": "Ann", "Newsletter": "yes", header: cell}])
    imported(ws, path, "2025-06-02 09:00Z")
    status = consent_everywhere(ws, tmp_path)["email"]
    assert status == ("unsubscribed" if header == "Email disabled" else "cleaned")
    assert not is_mailable(status)


def test_an_opted_out_column_in_an_sms_list_is_about_sms(ws, tmp_path):
    path = _write(tmp_path / "sms_subscribers.csv", ["Phone", "First Name", "Opted out"],
                  [{"Phone": "(415) 555-0101", "First Name": "Ann", "Opted out": "yes"}])
    with time_machine.travel("2025-06-02 09:00Z", tick=False):
        result = import_file(ws, path)
    assert result.imported == 1
    with ws.engine.connect() as conn:
        facts = conn.exec_driver_sql("SELECT channel, status FROM consent ORDER BY channel").fetchall()
    assert facts == [("sms", "unsubscribed"), ("whatsapp", "unsubscribed")]


def test_a_yes_dated_after_its_file_never_outranks_a_later_opt_out(ws, tmp_path):
    """A Mailchimp confirmation dated in 2029, imported in 2025: it outranked every opt-out until
    2029, a "no" typed in by hand included, and the command said the "no" lost as the less strict
    answer of the same day.  Read as a flag without a date, it lifts no refusal."""
    from omnidesk.core.edits import record_consent

    imported(ws, mailchimp_unsubscribed(tmp_path / "unsubscribed_members_export_1a2b.csv", ""), "2025-07-01 09:00Z")
    imported(ws, mailchimp_subscribed(tmp_path / "subscribed_members_export_1a2b.csv", "2029-01-01 10:00:00"),
             "2025-09-01 09:00Z")
    assert consent_everywhere(ws, tmp_path)["email"] == "unsubscribed"
    # A later dated unsubscribe, then a "no" typed in: each is in force once it comes.
    imported(ws, mailchimp_unsubscribed(tmp_path / "unsubscribed_members_export_3c4d.csv", "2025-10-01 12:00:00"),
             "2025-10-02 09:00Z")
    assert consent_everywhere(ws, tmp_path)["email"] == "unsubscribed"
    cid = find_customer(ws, "ann@example.com")
    with time_machine.travel("2025-11-01 09:00Z", tick=False):
        record_consent(ws, cid, "email", "denied", "asked at the till")
    assert consent_everywhere(ws, tmp_path)["email"] == "denied"


def test_a_yes_typed_in_lifts_an_earlier_opt_out_and_a_file_dated_yes_keeps_its_date(ws, tmp_path):
    """What rule 5 leaves alone: a "yes" typed in by hand is dated the moment it is typed (its
    "file" is as old as the first thing typed in), and a file's "yes" dated before its import."""
    from omnidesk.core.edits import record_consent

    imported(ws, mailchimp_unsubscribed(tmp_path / "unsubscribed_members_export_1a2b.csv",
                                        "2025-02-01 12:00:00"), "2025-03-01 09:00Z")
    cid = find_customer(ws, "ann@example.com")
    with time_machine.travel("2025-03-05 09:00Z", tick=False):
        record_consent(ws, cid, "sms", "denied")  # the hand "file" is made now
    with time_machine.travel("2025-04-01 09:00Z", tick=False):
        record_consent(ws, cid, "email", "granted", "signed up again at the till")
    assert consent_everywhere(ws, tmp_path)["email"] == "granted"
    imported(ws, mailchimp_unsubscribed(tmp_path / "unsubscribed_members_export_3c4d.csv",
                                        "2025-05-01 12:00:00"), "2025-05-02 09:00Z")
    imported(ws, mailchimp_subscribed(tmp_path / "subscribed_members_export_1a2b.csv", "2025-05-20 08:00:00"),
             "2025-06-01 09:00Z")
    assert consent_everywhere(ws, tmp_path)["email"] == "granted"
    fact = consent_facts(ws, cid)["email"]
    assert fact.occurred_at == "2025-05-20T08:00:00"


def test_rule_5_on_plain_facts():
    """A "yes" dated after its file's import is read as undated; a refusal dated so keeps its date."""
    unsubscribed = _fact("unsubscribed", None, "2025-07-01T09:00:00", record_id=1)
    future_yes = _fact("granted", "2029-01-01T10:00:00", "2025-09-01T09:00:00", record_id=2)
    assert in_force([unsubscribed, future_yes]) == unsubscribed
    assert changes([unsubscribed, future_yes]) == [unsubscribed]
    # 10:00 on a shop clock two hours ahead of UTC is before an import at 09:00 UTC: compared in UTC.
    import zoneinfo

    that_morning = _fact("granted", "2025-09-01T10:00:00", "2025-09-01T09:00:00", record_id=3)
    assert in_force([unsubscribed, that_morning], zoneinfo.ZoneInfo("Europe/Berlin")) == that_morning
    assert in_force([unsubscribed, that_morning]) == unsubscribed  # UTC's clock: after its file
    future_no = _fact("unsubscribed", "2029-01-01T10:00:00", "2025-09-01T09:00:00", record_id=4)
    dated_yes = _fact("granted", "2025-08-01T10:00:00", "2025-09-01T09:00:00", record_id=5)
    assert in_force([dated_yes, future_no]) == future_no
