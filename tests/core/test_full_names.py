"""Full names keep every word: stored, shown, split with care, and used by matching."""

from __future__ import annotations

import json

import pytest
from alembic import command

from omnidesk.core.customers import customer_ids, customer_rows
from omnidesk.core.identity.keys import given_names, middle_name_level
from omnidesk.core.importing.normalize import NameParts, parse_full_name, split_full_name
from omnidesk.core.importing.pipeline import ImportOptions, import_file
from omnidesk.core.profile import customer_profile
from omnidesk.core.workspace import Workspace, _alembic_config
from tests.helpers import write_csv

# Meta lead ads download (Ads Manager > Leads Center > Download CSV): the ad and form
# columns, one column per form question, then the contact fields the form asked for.
META_HEADER = ["id", "created_time", "ad_id", "ad_name", "adset_id", "adset_name", "campaign_id",
               "campaign_name", "form_id", "form_name", "is_organic", "platform",
               "what_are_you_shopping_for?", "email", "full_name", "phone_number", "zip_code", "lead_status"]


def _lead(n: int, full_name: str, email: str = "", phone: str = "", zip_code: str = "10027") -> list[str]:
    return [f"l:{900000 + n}", "2024-03-0%dT10:15:00+0000" % (n % 9 + 1), "ag:120200001", "Spring candles",
            "as:120200002", "Harlem lookalike", "c:120200003", "Spring 2024", "f:55501", "Candle quiz",
            "false", "fb", "gifts", email, full_name, phone, f"z:{zip_code}", "CREATED"]


@pytest.mark.parametrize(("raw", "expected"), [
    ("Mamadou Moustapha Barry", NameParts("Mamadou", "Moustapha", "Barry", "Mamadou Moustapha Barry")),
    ("Barry, Mamadou Moustapha", NameParts("Mamadou", "Moustapha", "Barry", "Mamadou Moustapha Barry")),
    ("MAMADOU SALIOU BARRY", NameParts("Mamadou", "Saliou", "Barry", "Mamadou Saliou Barry")),
    ("Jan van der Berg", NameParts("Jan", "", "van der Berg", "Jan van der Berg")),
    ("Juan de la Cruz", NameParts("Juan", "", "de la Cruz", "Juan de la Cruz")),
    ("Ahmad bin Ismail", NameParts("Ahmad", "", "bin Ismail", "Ahmad bin Ismail")),
    ("Khalid al-Rashid", NameParts("Khalid", "", "al-Rashid", "Khalid al-Rashid")),
    ("José Ortega y Gasset", NameParts("José", "", "Ortega y Gasset", "José Ortega y Gasset")),
    ("John F. Smith", NameParts("John", "F.", "Smith", "John F. Smith")),
    ("Dr. Jane A. Smith", NameParts("Jane", "A.", "Smith", "Dr. Jane A. Smith")),
    ("John Paul Smith III", NameParts("John", "Paul", "Smith III", "John Paul Smith III")),
    ("CRANE, Edith", NameParts("Edith", "", "Crane", "Edith Crane")),
    ("Van Morrison", NameParts("Van", "", "Morrison", "Van Morrison")),
    ("Madonna", NameParts("Madonna", "", "", "Madonna")),
    ("Mr. Smith", NameParts("", "", "Smith", "Mr. Smith")),
    ("", NameParts()),
])
def test_parse_full_name_keeps_every_word(raw, expected):
    assert parse_full_name(raw) == expected
    assert split_full_name(raw) == (expected.first, expected.last)


def test_given_names_and_middle_levels():
    # A first-name column holding two given names compares like first + middle.
    assert given_names("Mamadou Moustapha") == given_names("Mamadou", "Moustapha") == ("mamadou", "moustapha")
    # "bin" says whose son, it is no given name of one's own.
    assert given_names("Ahmed", "bin Rashid") == ("ahmed", "rashid")
    assert middle_name_level("moustapha", "saliou") == "different"
    assert middle_name_level("moustapha", "") == "missing"
    assert middle_name_level("f", "fitzgerald") == "initial"
    assert middle_name_level("f", "g") == "different"
    assert middle_name_level("moustapha", "mustapha") == "same"  # a misspelling


def _customers(ws):
    ids = list(customer_ids(ws))
    return {r.name: r for r in customer_rows(ws, ids).values()}


def _reviews(ws):
    with ws.engine.connect() as conn:
        return [json.loads(r) for (r,) in conn.exec_driver_sql(
            "SELECT reasons_json FROM match_review WHERE status = 'pending'")]


def test_the_barry_pair_is_two_people_on_name_and_town(new_workspace, tmp_path):
    leads = write_csv(tmp_path / "leads.csv", META_HEADER, [
        _lead(1, "Mamadou Moustapha Barry", phone="p:+12125550141"),
        _lead(2, "Mamadou Saliou Barry", phone="p:+12125550199"),
    ])
    with new_workspace(tmp_path / "w.omnidesk") as ws:
        import_file(ws, leads, ImportOptions(channel="social"))
        shown = _customers(ws)
        # Shown as written, every word, in the Customers list.
        assert set(shown) == {"Mamadou Moustapha Barry", "Mamadou Saliou Barry"}
        # Same first and last name, same zip: different middle names keep them apart, unasked.
        assert _reviews(ws) == []
        with ws.engine.connect() as conn:
            rows = set(conn.exec_driver_sql("SELECT first_name, middle_name, last_name, full_name FROM source_record"))
        assert rows == {("Mamadou", "Moustapha", "Barry", "Mamadou Moustapha Barry"),
                        ("Mamadou", "Saliou", "Barry", "Mamadou Saliou Barry")}


def test_the_barry_pair_sharing_an_email_waits_in_review_with_the_reason(new_workspace, tmp_path):
    leads = write_csv(tmp_path / "leads.csv", META_HEADER, [
        _lead(1, "Mamadou Moustapha Barry", email="barry.family@example.com"),
        _lead(2, "Mamadou Saliou Barry", email="barry.family@example.com"),
    ])
    with new_workspace(tmp_path / "w.omnidesk") as ws:
        import_file(ws, leads, ImportOptions(channel="social"))
        assert len(_customers(ws)) == 2
        (reasons,) = _reviews(ws)
        assert "same email" in reasons and "but different middle names" in reasons


def test_a_missing_middle_name_is_neutral_and_an_initial_matches(new_workspace, tmp_path):
    leads = write_csv(tmp_path / "leads.csv", META_HEADER, [
        _lead(1, "John F. Smith", email="jsmith@example.com"),
        _lead(2, "John Smith", email="jsmith@example.com", phone="p:+12125550142"),
        _lead(3, "John Fitzgerald Smith", phone="p:+12125550142"),
    ])
    with new_workspace(tmp_path / "w.omnidesk") as ws:
        import_file(ws, leads, ImportOptions(channel="social"))
        (only,) = _customers(ws).values()
        assert only.sources == 3
        assert _reviews(ws) == []


def test_a_name_without_its_middle_cannot_bridge_two_middle_names(new_workspace, tmp_path):
    """Mamadou Barry shares an email with one Barry and a phone with the other: one of them, not both."""
    leads = write_csv(tmp_path / "leads.csv", META_HEADER, [
        _lead(1, "Mamadou Moustapha Barry", email="mm.barry@example.com"),
        _lead(2, "Mamadou Barry", email="mm.barry@example.com", phone="p:+12125550177"),
        _lead(3, "Mamadou Saliou Barry", phone="p:+12125550177"),
    ])
    with new_workspace(tmp_path / "w.omnidesk") as ws:
        import_file(ws, leads, ImportOptions(channel="social"))
        with ws.engine.connect() as conn:
            owner = dict(conn.exec_driver_sql("SELECT full_name, customer_id FROM source_record").all())
        assert owner["Mamadou Moustapha Barry"] != owner["Mamadou Saliou Barry"]


# Google Contacts "Google CSV" export (contacts.google.com > Export), current header.
GOOGLE_HEADER = ["First Name", "Middle Name", "Last Name", "Phonetic First Name", "Phonetic Middle Name",
                 "Phonetic Last Name", "Name Prefix", "Name Suffix", "Nickname", "File As",
                 "Organization Name", "Organization Title", "Organization Department", "Birthday", "Notes",
                 "Photo", "Labels", "E-mail 1 - Label", "E-mail 1 - Value", "Phone 1 - Label", "Phone 1 - Value"]


def _google(first, middle, last, email):
    row = dict.fromkeys(GOOGLE_HEADER, "")
    row.update({"First Name": first, "Middle Name": middle, "Last Name": last, "Labels": "* myContacts",
                "E-mail 1 - Label": "* Home", "E-mail 1 - Value": email})
    return [row[h] for h in GOOGLE_HEADER]


def test_a_files_own_columns_decide_compound_given_and_family_names(new_workspace, tmp_path):
    contacts = write_csv(tmp_path / "contacts.csv", GOOGLE_HEADER, [
        _google("María José", "", "García López", "mjgl@example.com"),
        _google("Pieter", "Jan", "van der Berg", "pieter@example.nl"),
    ])
    with new_workspace(tmp_path / "w.omnidesk") as ws:
        import_file(ws, contacts, ImportOptions(channel="contacts"))
        assert set(_customers(ws)) == {"María José García López", "Pieter Jan van der Berg"}
        with ws.engine.connect() as conn:
            cid = conn.exec_driver_sql("SELECT customer_id FROM source_record WHERE email = 'mjgl@example.com'").scalar()
        card = customer_profile(ws, cid)
        assert (card.first_name, card.last_name, card.full_name) == ("María José", "García López",
                                                                     "María José García López")
        assert card.sources["full_name"].source_file == "contacts.csv"


def test_search_finds_a_customer_by_the_middle_name(new_workspace, tmp_path):
    leads = write_csv(tmp_path / "leads.csv", META_HEADER, [
        _lead(1, "Mamadou Moustapha Barry", phone="p:+12125550141"),
        _lead(2, "Mamadou Saliou Barry", phone="p:+12125550199"),
    ])
    with new_workspace(tmp_path / "w.omnidesk") as ws:
        import_file(ws, leads, ImportOptions(channel="social"))
        found = customer_rows(ws, list(customer_ids(ws, search="Saliou")))
        assert [r.name for r in found.values()] == ["Mamadou Saliou Barry"]


def test_migration_fills_full_names_from_the_raw_rows(tmp_path):
    path = tmp_path / "w.omnidesk"
    leads = write_csv(tmp_path / "leads.csv", META_HEADER, [
        _lead(1, "Mamadou Moustapha Barry", phone="p:+12125550141"),
    ])
    with Workspace.create(path) as ws:
        import_file(ws, leads, ImportOptions(channel="social"))
        with ws.engine.begin() as conn:
            command.downgrade(_alembic_config(conn), "0007")
            # What an older version kept: the first and last name only.
            assert conn.exec_driver_sql("SELECT display_name FROM customer").scalar() == "Mamadou Moustapha Barry"
            conn.exec_driver_sql("UPDATE customer SET display_name = 'Mamadou Barry'")
    with Workspace.open(path) as ws:
        assert set(_customers(ws)) == {"Mamadou Moustapha Barry"}
        with ws.engine.connect() as conn:
            assert conn.exec_driver_sql("SELECT middle_name FROM source_record").scalar() == "Moustapha"


def test_first_and_last_name_columns_give_the_particle_as_a_name_column_does(make_workspace, tmp_path):
    """The card and {full_name} read "Johann von Goethe" from either layout of the file."""
    import sqlite3

    from omnidesk.core.importing.pipeline import import_file
    from tests.helpers import write_csv

    ws = make_workspace()
    import_file(ws, write_csv(tmp_path / "parts.csv", ["First Name", "Last Name", "Email"],
                              [["johann", "von goethe", "jg@example.com"], ["LUDWIG", "VAN BEETHOVEN", "lb@example.com"]]))
    import_file(ws, write_csv(tmp_path / "whole.csv", ["Name", "Email"],
                              [["johann von goethe", "jg2@example.com"], ["LUDWIG VAN BEETHOVEN", "lb2@example.com"]]))
    with sqlite3.connect(ws.path) as db:
        rows = dict((e, (last, full)) for e, last, full in db.execute(
            "SELECT email, last_name, full_name FROM customer"))
    assert rows["jg@example.com"] == rows["jg2@example.com"] == ("von Goethe", "Johann von Goethe")
    assert rows["lb@example.com"] == rows["lb2@example.com"] == ("van Beethoven", "Ludwig van Beethoven")
