"""Export one person; erase one person everywhere and keep them from coming back."""

from __future__ import annotations

import json
import zipfile

import pytest

from omnidesk.core.errors import UserError
from omnidesk.core.importing.pipeline import ImportOptions, import_file
from omnidesk.core.rights import erase_person, export_person
from tests.helpers import write_csv

PEOPLE = (["First Name", "Last Name", "Email", "Phone", "Accepts Email Marketing"],
          [["Ann", "Lee", "ann@example.com", "+14155550101", "yes"],
           ["Bo", "Chen", "bo@example.com", "+14155550102", "no"]])
ORDERS = (["Email", "Order", "Total", "Date"],
          [["ann@example.com", "#1", "12.50", "2026-01-02 10:00:00"],
           ["bo@example.com", "#2", "9.00", "2026-01-03 11:00:00"]])


@pytest.fixture
def ws(ws, tmp_path):
    import_file(ws, write_csv(tmp_path / "people.csv", *PEOPLE), ImportOptions(channel="shop"))
    import_file(ws, write_csv(tmp_path / "orders.csv", *ORDERS), ImportOptions(channel="shop", kind="events"))
    return ws


def ann_id(ws):
    with ws.engine.connect() as conn:
        return conn.exec_driver_sql("SELECT id FROM customer WHERE email='ann@example.com'").scalar()


def everything(ws):
    with ws.engine.connect() as conn:
        dump = []
        for table in ("customer", "source_record", "identifier", "consent", "event", "match_review",
                      "merge_log", "match_decision", "customer_fts"):
            dump += [str(r) for r in conn.exec_driver_sql(f"SELECT * FROM {table}")]
    return "\n".join(dump)


def test_export_person_zip(ws, tmp_path):
    out = export_person(ws, ann_id(ws), tmp_path / "ann.zip")
    with zipfile.ZipFile(out) as z:
        names = set(z.namelist())
        data = json.loads(z.read("person.json"))
        records_csv = z.read("source_records.csv").decode()
    assert {"person.json", "source_records.csv", "events.csv", "consents.csv", "identifiers.csv"} <= names
    assert data["customer"]["email"] == "ann@example.com"
    assert {r["source_file"] for r in data["source_records"]} == {"people.csv", "orders.csv"}
    assert data["source_records"][0]["raw"]["First Name"] == "Ann"
    assert data["events"][0]["amount"] == "12.50"
    assert data["consents"][0]["status"] == "granted"
    assert "bo@example.com" not in json.dumps(data) and "Chen" not in records_csv


def test_export_person_keeps_every_cell_of_a_row_whose_header_repeats_a_name(ws, tmp_path):
    # Keyed by column name, the second "Email" cell (and "Phone", "Note") took the first's place:
    # the person's own copy of their row missed what the workspace holds.
    header = ["First Name", "Email", "Email", "Phone", "Phone", "Note", "Note"]
    import_file(ws, write_csv(tmp_path / "dupes.csv", header,
                              [["Cy", "cy@example.com", "cy2@example.com", "+14155550103", "+1 415 555 0101",
                                "n1", "n2"]]), ImportOptions(channel="pos"))
    with ws.engine.connect() as conn:
        cy = conn.exec_driver_sql("SELECT customer_id FROM source_record WHERE first_name = 'Cy'").scalar()
    out = export_person(ws, cy, tmp_path / "cy.zip")
    with zipfile.ZipFile(out) as z:
        data = json.loads(z.read("person.json"))
        records_csv = z.read("source_records.csv").decode()
    (raw,) = [r["raw"] for r in data["source_records"] if r["source_file"] == "dupes.csv"]
    assert raw == {"First Name": "Cy", "Email": "cy@example.com", "Email (2)": "cy2@example.com",
                   "Phone": "+14155550103", "Phone (2)": "+1 415 555 0101", "Note": "n1", "Note (2)": "n2"}
    assert "cy2@example.com" in records_csv and "n1" in records_csv


def test_erase_leaves_nothing_and_blocks_reimport(ws, tmp_path):
    cid = ann_id(ws)
    removed = erase_person(ws, cid)
    assert removed["source_records"] == 2 and removed["events"] == 1
    dump = everything(ws)
    for trace in ("ann@example.com", "4155550101", "Ann", "Lee"):
        assert trace not in dump
    assert "bo@example.com" in dump  # only Ann went
    header, rows = PEOPLE
    newer_export = rows + [["Cy", "Day", "cy@example.com", "", "yes"]]
    again = import_file(ws, write_csv(tmp_path / "people-again.csv", header, newer_export),
                        ImportOptions(channel="shop"))
    assert (again.suppressed, again.seen_before, again.imported) == (1, 1, 2)
    assert "ann@example.com" not in everything(ws)
    with pytest.raises(UserError):
        erase_person(ws, cid)


def test_erase_takes_the_dashboards_kept_journey_of_the_person_too(ws):
    """The Dashboard keeps each customer's journey (their channels in order, when they first came):
    an erased person's stayed there, under their id, until the journeys were next made again."""
    from sqlalchemy import select

    from omnidesk.core import metrics
    from omnidesk.core.models import CustomerJourney, JourneyStale

    cid = ann_id(ws)
    metrics.journeys(ws)  # kept now, as the Dashboard keeps them
    with ws.writing() as conn:  # and marked for remaking, as a new import of hers would
        conn.execute(JourneyStale.__table__.insert().values(customer_id=cid))
    with ws.engine.connect() as conn:
        assert conn.execute(select(CustomerJourney.__table__.c.customer_id)
                            .where(CustomerJourney.__table__.c.customer_id == cid)).first() is not None
    erase_person(ws, cid)
    with ws.engine.connect() as conn:
        for kept in (CustomerJourney.__table__, JourneyStale.__table__):
            assert conn.execute(select(kept.c.customer_id).where(kept.c.customer_id == cid)).first() is None


def test_export_person_has_the_words_recorded_with_a_hand_consent(ws, tmp_path):
    """The card's timeline shows why a "no" was typed in; the person's own copy of their data has it too."""
    import csv
    import io

    from omnidesk.core.edits import record_consent

    note = "Called 2 Dec, recovering from surgery, no texts"
    record_consent(ws, ann_id(ws), "sms", "denied", note)
    with zipfile.ZipFile(export_person(ws, ann_id(ws), tmp_path / "ann.zip")) as z:
        data = json.loads(z.read("person.json"))
        table = list(csv.DictReader(io.StringIO(z.read("consents.csv").decode("utf-8"))))
    assert [(c["channel"], c["status"], c["note"]) for c in data["consents"] if c["note"]] == [("sms", "denied", note)]
    assert [(r["channel"], r["note"]) for r in table if r["channel"] == "sms"] == [("sms", note)]
    assert {r["note"] for r in table if r["channel"] == "email"} == {""}  # a file's fact says no words
