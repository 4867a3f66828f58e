"""An address that said stop stays stopped when another of the person's addresses says yes.

Through the real import path, in each vendor's layout: Mia is a shop customer with
mia.old@, unsubscribed it in Mailchimp in February, and confirmed mia.new@ (same name and
phone, so the same customer) in April.
"""

from __future__ import annotations

import csv

import pytest

from sqlalchemy import select

from omnidesk.core.campaigns import guards
from omnidesk.core.campaigns.campaign import get_campaign, save_campaign
from omnidesk.core.demo_data.shared import (
    MAILCHIMP_SUBSCRIBED_HEADER,
    MAILCHIMP_UNSUBSCRIBED_HEADER,
    SHOPIFY_CUSTOMERS_HEADER,
)
from omnidesk.core.importing.pipeline import ImportOptions, import_file
from omnidesk.core.messages.store import save_message
from omnidesk.core.models import Customer


def _write(path, header, **cells):
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerow([cells.get(h.replace(" ", "_"), "") for h in header])
    return path


def _mia(ws, tmp_path, *, confirmed: bool = True):
    files = [
        (_write(tmp_path / "customers_export.csv", SHOPIFY_CUSTOMERS_HEADER, Customer_ID="301", First_Name="Mia",
                Last_Name="Moreau", Email="mia.old@example.com", Accepts_Email_Marketing="yes",
                Phone="+1 202 555 0160", Accepts_SMS_Marketing="no", Total_Spent="10", Total_Orders="1"), "shop"),
        (_write(tmp_path / "unsubscribed_members_export.csv", MAILCHIMP_UNSUBSCRIBED_HEADER,
                Email_Address="mia.old@example.com", First_Name="Mia", Last_Name="Moreau",
                UNSUB_TIME="2025-02-01 10:00:00", MEMBER_RATING="2", LEID="11", EUID="e11"), "email"),
    ]
    if confirmed:
        files.append((_write(tmp_path / "subscribed_members_export.csv", MAILCHIMP_SUBSCRIBED_HEADER,
                             Email_Address="mia.new@example.com", First_Name="Mia", Last_Name="Moreau",
                             Phone_Number="+1 202 555 0160", CONFIRM_TIME="2025-04-01 10:00:00",
                             MEMBER_RATING="2", LEID="12", EUID="e12"), "email"))
    for path, channel in files:
        import_file(ws, path, ImportOptions(channel=channel))
    with ws.engine.connect() as conn:
        (row,) = conn.execute(select(Customer.__table__.c.id, Customer.__table__.c.email,
                                     Customer.__table__.c.consent_email)).all()
    return row


def _email_step(ws):
    save_message(ws, "Sale", {"headline": "Sale", "link": "https://hc.example/a"})
    save_campaign(ws, "Spring", message="Sale", audience="everyone", mode="each_channel", replace=True,
                  steps=[{"channel": "email", "at": "2027-03-01T10:00", "timezone": "America/New_York"}])
    (email,) = guards.plan_audiences(ws, get_campaign(ws, "Spring"))
    return email


def test_the_mail_goes_to_the_address_that_said_yes_never_to_the_one_that_said_stop(make_workspace, tmp_path):
    # Before, the card kept mia.old@ (seen most often) with the customer's "granted" (April's
    # yes, from mia.new@), and the email pack went to the address that had said stop.
    ws = make_workspace(timezone="America/New_York")
    cid, email, consent = _mia(ws, tmp_path)
    assert (email, consent) == ("mia.new@example.com", "granted")
    step = _email_step(ws)
    assert step.eligible == [cid]


def test_with_no_other_address_that_said_yes_the_customer_is_out(make_workspace, tmp_path):
    ws = make_workspace(timezone="America/New_York")
    cid, email, consent = _mia(ws, tmp_path, confirmed=False)
    assert (email, consent) == ("mia.old@example.com", "unsubscribed")
    assert _email_step(ws).excluded["opted out"] == [cid]


def test_a_yes_from_a_record_without_the_address_does_not_reopen_it(make_workspace, tmp_path):
    # The main address's own facts say stop; a yes given elsewhere (here a Klaviyo profile known
    # by Mia's phone, with no email, whose email consent says subscribed in June) leaves the
    # customer subscribed but not that address.
    ws = make_workspace(timezone="America/New_York")
    cid, _email, _consent = _mia(ws, tmp_path, confirmed=False)
    header = ["Email", "Klaviyo ID", "First Name", "Last Name", "Phone Number", "Email Marketing Consent",
              "Email Marketing Consent Timestamp", "Profile Created On"]
    import_file(ws, _write(tmp_path / "klaviyo_profiles.csv", header, Klaviyo_ID="01HMIA", First_Name="Mia",
                           Last_Name="Moreau", Phone_Number="+12025550160", Email_Marketing_Consent="SUBSCRIBED",
                           Email_Marketing_Consent_Timestamp="2025-06-01 09:00:00",
                           Profile_Created_On="2025-06-01 09:00:00"), ImportOptions(channel="email"))
    with ws.engine.connect() as conn:
        rows = conn.execute(select(Customer.__table__.c.id, Customer.__table__.c.email,
                                   Customer.__table__.c.consent_email)).all()
    assert rows == [(cid, "mia.old@example.com", "unsubscribed")]
    assert _email_step(ws).eligible == []
    # The card says what the list and the campaign go by, and names the fact that decided.
    from omnidesk.core.profile import consent_facts

    fact = consent_facts(ws, cid)["email"]
    assert (fact.status, fact.source_file) == ("unsubscribed", "unsubscribed_members_export.csv")


def test_who_said_yes_leaves_out_a_mailbox_someone_else_holding_it_said_stop_from(make_workspace, tmp_path):
    # Vera (the shop, yes) and Walt (the list, unsubscribed) share the family's mailbox. The
    # campaign refused it, but the segment "email consent is granted" listed Vera, and an export
    # of it handed the mailbox to another tool.
    from omnidesk.core import segments

    ws = make_workspace(timezone="America/New_York")
    import_file(ws, _write(tmp_path / "customers_export.csv", SHOPIFY_CUSTOMERS_HEADER, Customer_ID="901",
                           First_Name="Vera", Last_Name="Vance", Email="vance.family@example.com",
                           Accepts_Email_Marketing="yes", Phone="+1 202 555 0200", Accepts_SMS_Marketing="yes",
                           Total_Spent="10", Total_Orders="1"), ImportOptions(channel="shop"))
    import_file(ws, _write(tmp_path / "unsubscribed_members_export.csv", MAILCHIMP_UNSUBSCRIBED_HEADER,
                           Email_Address="vance.family@example.com", First_Name="Walt", Last_Name="Vance",
                           UNSUB_TIME="2025-06-01 10:00:00", MEMBER_RATING="2", LEID="13", EUID="e13"),
                ImportOptions(channel="email"))
    said_yes = {"all": [{"field": "consent.email", "op": "is", "value": "granted"}]}
    assert segments.count(ws, said_yes) == 0
    assert segments.count(ws, {"all": [{"field": "consent.email", "op": "is_not", "value": "granted"}]}) == 2
    assert segments.count(ws, {"all": [{"field": "consent.sms", "op": "is", "value": "granted"}]}) == 1


def test_an_address_that_said_stop_stays_out_for_whoever_else_gives_it(make_workspace, tmp_path):
    """Mia said stop from mia.old@ and yes from mia.new@: her card goes by mia.new@.  Sam, a
    customer of his own, later gave the shop mia.old@ with a yes and no date: the address's own
    answer is still no, and the pack went to it."""
    ws = make_workspace(timezone="America/New_York")
    mia, sam = _sam_holds_mias_old_address(ws, tmp_path)
    assert sam != mia
    step = _email_step(ws)
    assert step.eligible == [mia]
    assert sam in step.excluded["opted out"]


def test_another_spelling_of_the_mailbox_that_said_stop_never_becomes_the_card_email(make_workspace, tmp_path):
    """Mia unsubscribed mia.old@gmail.com and confirmed mia.new@; her till card and her phone's contact
    had "MiaOld@gmail.com" and "miaold@gmail.com", the same Gmail mailbox written two other ways.
    The card took the spelling seen most often, with the customer's yes, and the pack mailed it."""
    ws = make_workspace(timezone="America/New_York")
    files = [
        (_write(tmp_path / "unsubscribed_members_export.csv", MAILCHIMP_UNSUBSCRIBED_HEADER,
                Email_Address="mia.old@gmail.com", First_Name="Mia", Last_Name="Moreau",
                Phone_Number="+1 202 555 0160", UNSUB_TIME="2025-02-01 10:00:00", MEMBER_RATING="2",
                LEID="11", EUID="e11"), "email"),
        (_write(tmp_path / "subscribed_members_export.csv", MAILCHIMP_SUBSCRIBED_HEADER,
                Email_Address="mia.new@example.com", First_Name="Mia", Last_Name="Moreau",
                Phone_Number="+1 202 555 0160", CONFIRM_TIME="2025-04-01 10:00:00", MEMBER_RATING="2",
                LEID="12", EUID="e12"), "email"),
    ]
    header = ["First Name", "Last Name", "Email", "Phone"]
    for n, spelling in enumerate(("MiaOld@gmail.com", "miaold@gmail.com")):
        path = tmp_path / f"contacts_{n}.csv"
        with path.open("w", newline="", encoding="utf-8") as fh:
            csv.writer(fh).writerows([header, ["Mia", "Moreau", spelling, "+1 202 555 0160"]])
        files.append((path, "contacts"))
    for path, channel in files:
        import_file(ws, path, ImportOptions(channel=channel))
    with ws.engine.connect() as conn:
        rows = conn.execute(select(Customer.__table__.c.id, Customer.__table__.c.email,
                                   Customer.__table__.c.consent_email)).all()
    assert len(rows) == 1
    (cid, email, consent), = rows
    assert (email, consent) == ("mia.new@example.com", "granted")
    assert _email_step(ws).eligible == [cid]


def _sam_holds_mias_old_address(ws, tmp_path):
    mia, _email, _consent = _mia(ws, tmp_path)
    import_file(ws, _write(tmp_path / "customers_export_2.csv", SHOPIFY_CUSTOMERS_HEADER, Customer_ID="302",
                           First_Name="Sam", Last_Name="Stone", Email="mia.old@example.com",
                           Accepts_Email_Marketing="yes", Total_Spent="5", Total_Orders="1"),
                ImportOptions(channel="shop"))
    with ws.engine.connect() as conn:
        sam, consent = conn.execute(select(Customer.__table__.c.id, Customer.__table__.c.consent_email)
                                    .where(Customer.__table__.c.first_name == "Sam")).one()
    assert consent == "granted"  # his own yes: the card says so, the address's own answer is no
    return mia, sam


def test_a_list_of_who_said_yes_leaves_out_an_address_whose_own_answer_is_no(make_workspace, tmp_path):
    """The segment "email consent is granted", the Customers list's "Email: subscribed" and a
    list exported from either listed Sam, and handed mia.old@ (which said stop) to another tool."""
    from omnidesk.core import segments
    from omnidesk.core.customers import customer_ids
    from omnidesk.core.exporting.tables import export_customers

    ws = make_workspace(timezone="America/New_York")
    mia, sam = _sam_holds_mias_old_address(ws, tmp_path)
    said_yes = {"all": [{"field": "consent.email", "op": "is", "value": "granted"}]}
    assert segments.member_ids(ws, said_yes) == [mia]
    assert segments.count(ws, {"not": said_yes}) == 1
    assert segments.count(ws, {"any": [{"field": "consent.email", "op": "in", "value": ["granted", "pending"]}]}) == 1
    assert list(customer_ids(ws, consent="email:granted")) == [mia]
    assert list(customer_ids(ws, consent="email:none")) == [sam]
    out = tmp_path / "yes.csv"
    assert export_customers(ws, out, rule=said_yes) == 1
    text = out.read_text(encoding="utf-8")
    assert "mia.new@example.com" in text and "mia.old@example.com" not in text


@pytest.mark.parametrize("his, hers", [("bobsmith@gmail.com", "bob.smith@gmail.com"),
                                       ("bob.smith@gmail.com", "bobsmith@gmail.com"),
                                       ("bob.smith+news@gmail.com", "b.o.b.smith@googlemail.com")])
def test_a_list_of_who_said_yes_leaves_out_another_spelling_of_a_mailbox_that_said_stop(
        make_workspace, tmp_path, his, hers):
    """Bob unsubscribed bobsmith@gmail.com; Alice, of his family, gave the shop bob.smith@gmail.com
    (the same Gmail mailbox) with a yes.  Different first names keep them two customers, and the
    segment "email consent is granted" listed Alice: her address as written is no one's who said no."""
    from omnidesk.core import segments

    ws = make_workspace(timezone="America/New_York")
    import_file(ws, _write(tmp_path / "unsubscribed_members_export.csv", MAILCHIMP_UNSUBSCRIBED_HEADER,
                           Email_Address=his, First_Name="Bob", Last_Name="Smith",
                           UNSUB_TIME="2025-02-01 10:00:00", MEMBER_RATING="2", LEID="21", EUID="e21"),
                ImportOptions(channel="email"))
    import_file(ws, _write(tmp_path / "customers_export.csv", SHOPIFY_CUSTOMERS_HEADER, Customer_ID="401",
                           First_Name="Alice", Last_Name="Smith", Email=hers,
                           Accepts_Email_Marketing="yes", Phone="+1 202 555 0170", Accepts_SMS_Marketing="yes",
                           Total_Spent="5", Total_Orders="1"), ImportOptions(channel="shop"))
    with ws.engine.connect() as conn:
        rows = dict(conn.execute(select(Customer.__table__.c.first_name, Customer.__table__.c.consent_email)).all())
    assert rows == {"Bob": "unsubscribed", "Alice": "granted"}
    assert segments.count(ws, {"field": "consent.email", "op": "is", "value": "granted"}) == 0
    # Her phone said yes and nobody refused it.
    assert segments.count(ws, {"field": "consent.sms", "op": "is", "value": "granted"}) == 1


def test_a_rule_on_granted_consent_is_not_compiled_blind_to_refused_addresses():
    import pytest

    from omnidesk.core.segments.sql import compile_rule

    with pytest.raises(ValueError, match="refused addresses"):
        compile_rule({"field": "consent.sms", "op": "in", "value": ["pending", "granted"]})
    compile_rule({"field": "consent.sms", "op": "is", "value": "unsubscribed"})  # needs none


def test_a_yes_typed_in_by_hand_reopens_the_address_the_card_goes_by(make_workspace, tmp_path):
    """Mia unsubscribed her only address, then signed up again at the till and the shop typed it in:
    her card said yes, but the address's own answer (hand facts left out) stayed no and the email
    step left her out.  The hand yes speaks for the card's address; not for another holder's."""
    import time_machine

    from omnidesk.core import segments
    from omnidesk.core.edits import record_consent

    ws = make_workspace(timezone="America/New_York")
    with time_machine.travel("2025-03-01 09:00Z", tick=False):
        mia, email, consent = _mia(ws, tmp_path, confirmed=False)
    assert (email, consent) == ("mia.old@example.com", "unsubscribed")
    with time_machine.travel("2025-04-01 09:00Z", tick=False):
        record_consent(ws, mia, "email", "granted", "signed up again at the till")
    assert _email_step(ws).eligible == [mia]
    said_yes = {"field": "consent.email", "op": "is", "value": "granted"}
    assert segments.member_ids(ws, said_yes) == [mia]


def test_a_hand_yes_for_one_holder_does_not_reopen_the_address_for_another(make_workspace, tmp_path):
    import time_machine

    from omnidesk.core.edits import record_consent

    ws = make_workspace(timezone="America/New_York")
    with time_machine.travel("2025-05-01 09:00Z", tick=False):
        mia, sam = _sam_holds_mias_old_address(ws, tmp_path)
    with time_machine.travel("2025-06-01 09:00Z", tick=False):
        record_consent(ws, mia, "email", "granted", "asked again")  # her card goes by mia.new@
    step = _email_step(ws)
    assert step.eligible == [mia]
    assert sam in step.excluded["opted out"]


def test_a_hand_yes_does_not_take_the_card_back_to_the_address_that_said_stop(make_workspace, tmp_path):
    """Mia said stop from mia.old@ and yes from mia.new@, so her card went by mia.new@.  The shop
    then typed in her yes: it reopened every address of hers, mia.old@ (seen most often) with
    them, and her card and the email pack went back to the address that had said stop.  The
    yes typed in speaks for the address the card goes by, not for the one that said stop."""
    import time_machine

    from omnidesk.core import segments
    from omnidesk.core.edits import record_consent

    ws = make_workspace(timezone="America/New_York")
    with time_machine.travel("2025-05-01 09:00Z", tick=False):
        mia, email, consent = _mia(ws, tmp_path)
    assert (email, consent) == ("mia.new@example.com", "granted")
    with time_machine.travel("2025-06-01 09:00Z", tick=False):
        record_consent(ws, mia, "email", "granted", "asked again at the till")
    with ws.engine.connect() as conn:
        card = conn.execute(select(Customer.__table__.c.email, Customer.__table__.c.consent_email)).one()
    assert tuple(card) == ("mia.new@example.com", "granted")
    assert _email_step(ws).eligible == [mia]
    assert segments.member_ids(ws, {"field": "consent.email", "op": "is", "value": "granted"}) == [mia]


def test_a_hand_stop_closes_every_address_of_the_person(make_workspace, tmp_path):
    """A stop typed in is the person's word: none of their addresses gets mail, whichever the card shows."""
    import time_machine

    from omnidesk.core.edits import record_consent

    ws = make_workspace(timezone="America/New_York")
    with time_machine.travel("2025-05-01 09:00Z", tick=False):
        mia, _email, _consent = _mia(ws, tmp_path)
    with time_machine.travel("2025-06-01 09:00Z", tick=False):
        record_consent(ws, mia, "email", "denied", "asked by phone to stop")
    with ws.engine.connect() as conn:
        card = conn.execute(select(Customer.__table__.c.email, Customer.__table__.c.consent_email)).one()
    assert card.consent_email == "denied"
    assert _email_step(ws).excluded["opted out"] == [mia]
