"""Erasing a person: shared family emails, identifier-less till customers, merge traces, zip copies.

Each case imports real export files through the real pipeline (or the CLI) and
checks both halves of the promise: the erased person stays gone, everybody
else is untouched.
"""

from __future__ import annotations

import json
import tempfile
import zipfile
from pathlib import Path

import pytest

from omnidesk.cli import main
from omnidesk.core import paths
from omnidesk.core.demo_data import (
    EMAIL_ACTIVITY_HEADER,
    MAILCHIMP_SUBSCRIBED_HEADER,
    MAILCHIMP_UNSUBSCRIBED_HEADER,
    SHOPIFY_CUSTOMERS_HEADER,
    SHOPIFY_ORDERS_HEADER,
    SHOPIFY_ORDER_LINE_COLUMNS,
)
from omnidesk.core.identity.merge import merge_customers, undo_log, unmerge_record
from omnidesk.core.importing.pipeline import ImportOptions, import_file
from omnidesk.core.rights import erase_person
from omnidesk.core.workspace import Workspace
from tests.helpers import write_csv

FAMILY_EMAIL = "johnsonfamily@example.com"


def _row(header, **cells) -> list[str]:
    """One export row: the named columns filled, every other column empty (as exports leave them)."""
    unknown = set(cells) - set(header)
    assert not unknown, unknown
    return [cells.get(column, "") for column in header]


def _shopify_customer(customer_id, first, last, email, phone, address, spent="0.00", orders="0"):
    return _row(SHOPIFY_CUSTOMERS_HEADER, **{
        "Customer ID": f"'{customer_id}", "First Name": first, "Last Name": last, "Email": email,
        "Accepts Email Marketing": "yes", "Default Address Address1": address,
        "Default Address City": "Portland", "Default Address Province Code": "ME",
        "Default Address Country Code": "US", "Default Address Zip": "'04101", "Phone": phone,
        "Accepts SMS Marketing": "no", "Total Spent": spent, "Total Orders": orders, "Tax Exempt": "no",
    })


def _shopify_order(number, email, billing_name, created, items):
    """The rows of one Shopify order: the first carries the buyer, the others only their line item."""
    rows = []
    for i, (name, qty, price) in enumerate(items):
        line = {"Name": number, "Lineitem quantity": str(qty), "Lineitem name": name,
                "Lineitem price": price, "Lineitem requires shipping": "true", "Lineitem taxable": "true",
                "Lineitem fulfillment status": "pending"}
        if i == 0:
            total = sum(int(q) * float(p) for _, q, p in items)
            line.update({
                "Email": email, "Financial Status": "paid", "Paid at": created, "Fulfillment Status": "unfulfilled",
                "Accepts Marketing": "yes", "Currency": "USD", "Subtotal": f"{total:.2f}", "Shipping": "0.00",
                "Taxes": "0.00", "Total": f"{total:.2f}", "Shipping Method": "Standard", "Created at": created,
                "Billing Name": billing_name, "Billing Address1": "12 Elm Street", "Billing City": "Portland",
                "Billing Zip": "'04101", "Billing Province": "ME", "Billing Country": "US",
            })
        else:
            assert set(line) <= set(SHOPIFY_ORDER_LINE_COLUMNS)
        rows.append(_row(SHOPIFY_ORDERS_HEADER, **line))
    return rows


def _mailchimp(header, email, first, last, euid, **extra):
    return _row(header, **{
        "Email Address": email, "First Name": first, "Last Name": last, "MEMBER_RATING": "2",
        "OPTIN_TIME": "2025-03-02 10:00:00", "CONFIRM_TIME": "2025-03-02 10:01:00", "CC": "US",
        "LEID": euid[-4:], "EUID": euid, **extra,
    })


def _customer_of(ws, sql_where: str, *params):
    with ws.engine.connect() as conn:
        return conn.exec_driver_sql(
            f"SELECT DISTINCT customer_id FROM source_record WHERE {sql_where}", params).scalars().all()


def _dump(ws, *tables) -> str:
    tables = tables or ("customer", "source_record", "identifier", "consent", "event", "match_review",
                        "merge_log", "match_decision", "customer_fts")
    with ws.engine.connect() as conn:
        return "\n".join(str(r) for t in tables for r in conn.exec_driver_sql(f"SELECT * FROM {t}"))


def _records_of(ws, sql_where: str) -> list[int]:
    with ws.engine.connect() as conn:
        return conn.exec_driver_sql(f"SELECT id FROM source_record WHERE {sql_where}").scalars().all()


def _moved_records(ws) -> list[list[int]]:
    with ws.engine.connect() as conn:
        return [json.loads(r) for r in conn.exec_driver_sql("SELECT record_ids_json FROM merge_log").scalars()]


# -- 1. a shared family email ------------------------------------------------------------


ALICE = ("7001", "Alice", "Johnson", FAMILY_EMAIL, "+1 207 555 0111", "12 Elm Street")
MARK = ("7002", "Mark", "Johnson", FAMILY_EMAIL, "+1 207 555 0122", "12 Elm Street")
NEIGHBOUR = ("7003", "Rosa", "Diaz", "rosa.diaz@example.com", "+1 207 555 0133", "14 Elm Street")


@pytest.fixture
def family(tmp_path):
    """Alice and Mark Johnson share the family email and are two customers; Mark is erased."""
    with Workspace.create(tmp_path / "w.omnidesk") as ws:
        first = write_csv(tmp_path / "customers_export.csv", SHOPIFY_CUSTOMERS_HEADER,
                          [_shopify_customer(*p) for p in (ALICE, MARK, NEIGHBOUR)])
        import_file(ws, first)
        (alice,) = _customer_of(ws, "first_name = 'Alice'")
        (mark,) = _customer_of(ws, "first_name = 'Mark'")
        assert alice != mark
        removed = erase_person(ws, mark)
        assert (removed["source_records"], removed["shared_identifiers"]) == (1, 1)
        yield ws, alice


def test_erasing_one_family_member_does_not_block_the_other(family, tmp_path):
    ws, alice = family
    orders = (_shopify_order("#1042", FAMILY_EMAIL, "Alice Johnson", "2026-02-03 10:15:00 -0500",
                             [("House Blend 250g", 2, "14.00"), ("Ceramic Mug", 1, "18.00")])
              + _shopify_order("#1043", FAMILY_EMAIL, "Mark Johnson", "2026-02-04 09:00:00 -0500",
                               [("Espresso 1kg", 1, "42.00"), ("Filter Papers", 2, "4.00")]))
    result = import_file(ws, write_csv(tmp_path / "orders_export.csv", SHOPIFY_ORDERS_HEADER, orders))
    # Alice's order (both rows) comes in and lands on her; Mark's own order stays out, line items too.
    assert (result.imported, result.suppressed, result.new_customers) == (2, 2, 0)
    assert _customer_of(ws, "json_extract(raw_json, '$[0]') = '#1042'") == [alice]
    with ws.engine.connect() as conn:
        events = conn.exec_driver_sql("SELECT customer_id, summary FROM event").all()
    assert [(cid, summary.split(":")[0]) for cid, summary in events] == [(alice, "Order #1042")]
    dump = _dump(ws)
    assert "Mark" not in dump and "#1043" not in dump


def test_erased_family_member_is_still_blocked_by_his_own_identifiers(family, tmp_path):
    ws, alice = family
    # A later customers export: everyone's totals moved on, so every row is new to the workspace.
    later = [_shopify_customer(*ALICE, spent="62.00", orders="2"), _shopify_customer(*MARK, spent="9.00", orders="1"),
             _shopify_customer(*NEIGHBOUR, spent="30.00", orders="1")]
    again = import_file(ws, write_csv(tmp_path / "customers_export (1).csv", SHOPIFY_CUSTOMERS_HEADER, later))
    assert (again.imported, again.suppressed, again.new_customers) == (2, 1, 0)
    # Mark had signed the family address up for the newsletter (an audience holds each email once).
    audience = [_mailchimp(MAILCHIMP_SUBSCRIBED_HEADER, FAMILY_EMAIL, "Mark", "Johnson", "f6a7b8c9d0"),
                _mailchimp(MAILCHIMP_SUBSCRIBED_HEADER, "rosa.diaz@example.com", "Rosa", "Diaz", "a1b2c3d4e5")]
    subscribed = import_file(ws, write_csv(tmp_path / "subscribed_members_export_9f1c.csv",
                                           MAILCHIMP_SUBSCRIBED_HEADER, audience))
    assert (subscribed.imported, subscribed.suppressed) == (1, 1)
    # Opens of the family address name nobody: they are let in, and land on the family's one customer left.
    activity = write_csv(tmp_path / "email_activity.csv", EMAIL_ACTIVITY_HEADER,
                         [[FAMILY_EMAIL, "Spring beans are in", "sent", "2026-03-02 09:00:04"],
                          [FAMILY_EMAIL, "Spring beans are in", "open", "2026-03-02 12:41:37"]])
    opened = import_file(ws, activity, ImportOptions(channel="email", kind="events"))
    assert (opened.imported, opened.suppressed, opened.new_customers) == (2, 0, 0)
    assert _customer_of(ws, "first_name = 'Alice' OR email = ?", FAMILY_EMAIL) == [alice]
    dump = _dump(ws)
    assert "Mark" not in dump and "5550122" not in dump and "7002" not in dump and "f6a7b8c9d0" not in dump
    assert "Alice" in dump and "a1b2c3d4e5" in dump


def test_an_identifier_nobody_else_has_blocks_the_person_under_any_name(new_workspace, tmp_path):
    with new_workspace(tmp_path / "w.omnidesk") as ws:
        import_file(ws, write_csv(tmp_path / "customers_export.csv", SHOPIFY_CUSTOMERS_HEADER,
                                  [_shopify_customer(*p) for p in (ALICE, NEIGHBOUR)]))
        (rosa,) = _customer_of(ws, "first_name = 'Rosa'")
        erase_person(ws, rosa)
        audience = [_mailchimp(MAILCHIMP_SUBSCRIBED_HEADER, "rosa.diaz@example.com", "R.", "Diaz-Moreno", "0f0f0f0f0f")]
        again = import_file(ws, write_csv(tmp_path / "subscribed_members_export_1.csv",
                                          MAILCHIMP_SUBSCRIBED_HEADER, audience))
        assert (again.imported, again.suppressed) == (0, 1)
        assert "Diaz" not in _dump(ws)


def test_an_erased_mailbox_stays_out_however_its_address_is_written(new_workspace, tmp_path):
    """Erased as "rosa.diaz@example.com", she came back as "Rosa.Diaz+shop@example.com"; erased as a
    Gmail address, as the same mailbox with dots or at googlemail.com: new customers, subscribed."""
    from omnidesk.core.edits import add_customer
    from omnidesk.core.errors import UserError

    with new_workspace(tmp_path / "w.omnidesk") as ws:
        people = [_mailchimp(MAILCHIMP_SUBSCRIBED_HEADER, "rosa.diaz@example.com", "Rosa", "Diaz", "0f0f0f0f0f"),
                  _mailchimp(MAILCHIMP_SUBSCRIBED_HEADER, "janedoe@gmail.com", "Jane", "Doe", "1e1e1e1e1e")]
        import_file(ws, write_csv(tmp_path / "subscribed_members_export_1.csv", MAILCHIMP_SUBSCRIBED_HEADER,
                                  people))
        for where in ("first_name = 'Rosa'", "first_name = 'Jane'"):
            (cid,) = _customer_of(ws, where)
            erase_person(ws, cid)
        spellings = ["Rosa.Diaz+shop@example.com", "jane.doe@gmail.com", "JaneDoe@googlemail.com",
                     "janedoe+news@gmail.com"]
        again = import_file(ws, write_csv(tmp_path / "subscribed_members_export_2.csv", MAILCHIMP_SUBSCRIBED_HEADER,
                                          [_mailchimp(MAILCHIMP_SUBSCRIBED_HEADER, e, "", "", f"2{n}2{n}2{n}2{n}2{n}")
                                           for n, e in enumerate(spellings)]))
        assert (again.imported, again.suppressed) == (0, 4)
        with pytest.raises(UserError, match="erased at their request"):
            add_customer(ws, {"first_name": "J", "email": "Jane.Doe@gmail.com"})


# -- 2. a till customer with no email, phone or card ------------------------------------------


TILL_HEADER = ("Customer Name", "Address", "Town", "Postcode", "Date of birth", "Signed up", "Visits")
TILL_ROWS = [["CRANE, Edith", "14 Harbour Row", "Falmouth", "TR11 3AZ", "03/05/1961", "12/01/2024", "7"],
             ["Baker, Tom", "2 Quay Street", "Penryn", "TR10 8HG", "", "02/02/2024", "3"]]


def test_a_person_without_identifiers_does_not_come_back(new_workspace, tmp_path):
    def till_export(name, rows):
        return write_csv(tmp_path / name, TILL_HEADER, rows, encoding="cp1252", delimiter=";")

    with new_workspace(tmp_path / "w.omnidesk") as ws:
        import_file(ws, till_export("till_customers.csv", TILL_ROWS))
        (edith,) = _customer_of(ws, "last_name = 'Crane'")
        erase_person(ws, edith)
        assert "Crane" not in _dump(ws)
        # Next month's export of the same till: the same rows and one new customer.
        newer = TILL_ROWS + [["Nkemelu, Ada", "9 Arwenack Street", "Falmouth", "TR11 3JA", "", "01/03/2024", "1"]]
        again = import_file(ws, till_export("till_customers_march.csv", newer))
        assert (again.rows, again.suppressed, again.seen_before, again.imported) == (3, 1, 1, 2)
        dump = _dump(ws)
        assert "Crane" not in dump and "Harbour" not in dump
        assert "Nkemelu" in dump and "Baker" in dump


CONTACTS_HEADER = ("First Name", "Last Name", "Address 1 - Street", "Address 1 - City", "Address 1 - Postal Code",
                   "Birthday")
PAULA = ["Paula", "Price", "12 Elm St", "Portland", "04101", "1980-05-06"]
QUINN = ["Quinn", "Quade", "14 Oak St", "Portland", "04101", "1975-02-03"]


def _contacts(tmp_path, name, rows, header=CONTACTS_HEADER):
    return write_csv(tmp_path / name, header, rows)


@pytest.fixture
def paula_erased(new_workspace, tmp_path):
    """Paula and Quinn, known by name, address and birthday only; Paula is erased."""
    ws = new_workspace(tmp_path / "w.omnidesk")
    with ws:
        import_file(ws, _contacts(tmp_path, "contacts.csv", [PAULA, QUINN]))
        (paula,) = _customer_of(ws, "first_name = 'Paula'")
        erase_person(ws, paula)
        assert "Price" not in _dump(ws)
        yield ws


def test_a_person_without_identifiers_stays_out_of_the_same_file_saved_again_in_a_spreadsheet(
        paula_erased, tmp_path):
    # Saved again in Excel: CRLF, the ZIP's leading zero dropped, the birthday written
    # month/day/year.  Every cell that changed changed the row hash, and Paula was back.
    resaved = tmp_path / "contacts_resaved.csv"
    resaved.write_bytes(b"First Name,Last Name,Address 1 - Street,Address 1 - City,Address 1 - Postal Code,Birthday\r\n"
                        b"Paula,Price,12 Elm St,Portland,4101,5/6/1980\r\n"
                        b"Quinn,Quade,14 Oak St,Portland,4101,2/3/1975\r\n")
    again = import_file(paula_erased, resaved)
    assert (again.rows, again.suppressed) == (2, 1)
    assert "Price" not in _dump(paula_erased) and "Quade" in _dump(paula_erased)
    # What keeps her out is one-way: nothing of her name, street, postcode or birthday.
    with paula_erased.engine.connect() as conn:
        kept = "\n".join(conn.exec_driver_sql("SELECT hash FROM suppression").scalars())
    for value in ("paula", "price", "elm", "4101", "1980"):
        assert value not in kept.lower()


def test_a_person_without_identifiers_stays_out_of_a_newer_export_but_another_of_the_name_comes_in(
        paula_erased, tmp_path):
    newer = _contacts(tmp_path, "contacts_newer.csv", [PAULA + ["* myContacts"], QUINN + ["* myContacts"]],
                      header=CONTACTS_HEADER + ("Labels",))
    assert import_file(paula_erased, newer).suppressed == 1
    # A later export that writes the street out in full and gives no birthday: the same place.
    later = _contacts(tmp_path, "contacts_later.csv", [["Paula", "Price", "12 Elm Street", "Portland", "04101", ""]])
    assert import_file(paula_erased, later).suppressed == 1
    assert "Price" not in _dump(paula_erased)
    # Another Paula Price: down the road born another day, in another town, or at the same
    # house born another year (a daughter named after her mother).
    others = _contacts(tmp_path, "contacts_others.csv", [
        ["Paula", "Price", "40 Elm St", "Portland", "04101", "1979-01-01"],
        ["Paula", "Price", "12 Elm St", "Bangor", "04401", ""],
        ["Paula", "Price", "12 Elm St", "Portland", "04101", "2004-09-10"],
    ])
    assert import_file(paula_erased, others).suppressed == 0
    assert len(_records_of(paula_erased, "last_name = 'Price'")) == 3


def test_the_import_says_how_many_rows_it_left_out_as_erased(tmp_path, capsys):
    from tests.helpers import run_cli

    workspace = tmp_path / "w.omnidesk"
    assert run_cli(capsys, "-w", workspace, "import", _contacts(tmp_path, "contacts.csv", [PAULA, QUINN]))[0] == 0
    status, out, _err = run_cli(capsys, "-w", workspace, "person", "erase", "1", "--yes")
    assert status == 0 and "name and address" in out
    resaved = _contacts(tmp_path, "contacts_resaved.csv", [["Paula", "Price", "12 Elm St", "Portland", "4101", "5/6/1980"]])
    status, out, _err = run_cli(capsys, "-w", workspace, "import", resaved)
    assert status == 0 and "left out 1 (erased at their request)" in out


# -- 3. merge traces ------------------------------------------------------------------------


def _pine_street(*people):
    return [_shopify_customer(f"80{i:02d}", first, last, f"{first}.{last}@example.com".lower(),
                              f"+1 207 555 02{i:02d}", f"{i} Pine St") for i, (first, last) in enumerate(people, 1)]


def test_erase_removes_merge_traces_of_past_merges(new_workspace, tmp_path):
    people = _pine_street(("Ann", "Lee"), ("Bo", "Chen"), ("Cy", "Ward"), ("Di", "Park"), ("Evelyn", "Marsh"),
                          ("Fay", "Moss"))
    with new_workspace(tmp_path / "w.omnidesk") as ws:
        import_file(ws, write_csv(tmp_path / "customers_export.csv", SHOPIFY_CUSTOMERS_HEADER, people))
        ids = {name: _customer_of(ws, "first_name = ?", name)[0] for name in ("Ann", "Bo", "Cy", "Di", "Evelyn")}
        (eve_record,) = _records_of(ws, "first_name = 'Evelyn'")
        # By mistake Evelyn is merged into Bo, then split out again; Cy and Di are really one person.
        merge_customers(ws, [ids["Bo"], ids["Evelyn"]])
        unmerge_record(ws, eve_record)
        kept = merge_customers(ws, [ids["Cy"], ids["Di"]]).log_ids[0]
        (evelyn,) = _customer_of(ws, "id = ?", eve_record)
        assert evelyn != ids["Evelyn"]  # she is a new customer now; the merge log names her old one
        erase_person(ws, evelyn)
        traces = _dump(ws, "merge_log")
        for trace in ("Evelyn", "Marsh", "evelyn.marsh", "5550205", "5 Pine"):
            assert trace not in traces, trace
        assert all(eve_record not in moved for moved in _moved_records(ws))
        # The unrelated merge can still be undone, exactly.
        undo_log(ws, kept)
        assert _customer_of(ws, "first_name = 'Di'") == [ids["Di"]]
        assert _customer_of(ws, "first_name = 'Cy'") == [ids["Cy"]]


def test_erase_scrubs_a_merge_it_shares_with_someone_else(new_workspace, tmp_path):
    """A merge that moved the erased person's records with another person's stays undoable for the other."""
    people = _pine_street(("Bo", "Chen"), ("Evelyn", "Marsh"), ("Gus", "Hale"), ("Ida", "Ross"))
    with new_workspace(tmp_path / "w.omnidesk") as ws:
        import_file(ws, write_csv(tmp_path / "customers_export.csv", SHOPIFY_CUSTOMERS_HEADER, people))
        ids = {name: _customer_of(ws, "first_name = ?", name)[0] for name in ("Bo", "Evelyn", "Gus")}
        (eve_record,) = _records_of(ws, "first_name = 'Evelyn'")
        # Evelyn and Gus wrongly become one customer, which is then merged into Bo's.
        merge_customers(ws, [ids["Evelyn"], ids["Gus"]])
        shared = merge_customers(ws, [ids["Bo"], ids["Evelyn"]]).log_ids[0]
        unmerge_record(ws, eve_record)
        (evelyn,) = _customer_of(ws, "id = ?", eve_record)
        erase_person(ws, evelyn)
        traces = _dump(ws, "merge_log")
        for trace in ("Evelyn", "Marsh", "evelyn.marsh", "5550202", "2 Pine"):
            assert trace not in traces, trace
        assert all(eve_record not in moved for moved in _moved_records(ws))
        undo_log(ws, shared)  # Gus comes back apart from Bo, as he was before that merge
        (gus,) = _customer_of(ws, "first_name = 'Gus'")
        assert gus != ids["Bo"] and _customer_of(ws, "first_name = 'Bo'") == [ids["Bo"]]
        with ws.engine.connect() as conn:
            golden = conn.exec_driver_sql("SELECT first_name, email FROM customer WHERE id = ?", (gus,)).one()
        assert tuple(golden) == ("Gus", "gus.hale@example.com")


def _renumber_customer(ws, old: int, new: int) -> None:
    """Move customer ``old`` to the number ``new``, as if it had been given that one."""
    with ws.engine.begin() as conn:
        conn.exec_driver_sql("PRAGMA defer_foreign_keys=ON")
        conn.exec_driver_sql("UPDATE customer SET id = ? WHERE id = ?", (new, old))
        for table in ("source_record", "consent", "event"):
            conn.exec_driver_sql(f"UPDATE {table} SET customer_id = ? WHERE customer_id = ?", (new, old))
        conn.exec_driver_sql("UPDATE customer_fts SET rowid = ? WHERE rowid = ?", (new, old))


def test_erase_keeps_an_older_merge_of_a_customer_number_now_reused(new_workspace, tmp_path):
    """A workspace of an older version gave a number again once the highest were gone: an older
    merge under that number is not theirs."""
    with new_workspace(tmp_path / "w.omnidesk") as ws:
        import_file(ws, write_csv(tmp_path / "customers_export.csv", SHOPIFY_CUSTOMERS_HEADER,
                                  _pine_street(("Ann", "Lee"), ("Bo", "Chen"), ("Cy", "Ward"))))
        ids = {name: _customer_of(ws, "first_name = ?", name)[0] for name in ("Ann", "Cy")}
        old_merge = merge_customers(ws, [ids["Ann"], ids["Cy"]]).log_ids[0]
        with ws.engine.begin() as conn:  # that merge was made last winter
            conn.exec_driver_sql("UPDATE merge_log SET created_at = '2025-12-01T09:00:00+00:00'")
        import_file(ws, write_csv(tmp_path / "customers_export_march.csv", SHOPIFY_CUSTOMERS_HEADER,
                                  _pine_street(("Ann", "Lee"), ("Bo", "Chen"), ("Cy", "Ward"), ("Dee", "Stone"))))
        (dee,) = _customer_of(ws, "first_name = 'Dee'")
        assert dee > ids["Cy"]  # a new number today...
        _renumber_customer(ws, dee, ids["Cy"])  # ...but the older version gave Dee the one Cy had
        dee = ids["Cy"]
        erase_person(ws, dee)
        undo_log(ws, old_merge)
        assert _customer_of(ws, "first_name = 'Cy'") == [ids["Cy"]]
        assert "Stone" not in _dump(ws)


# -- 4. copies unpacked from a zip -------------------------------------------------------------


def _files_mentioning(folder: Path, text: str) -> list[Path]:
    needle = text.encode()
    return [p for p in folder.rglob("*") if p.is_file() and needle in p.read_bytes()]


def _left_in(temp: Path) -> list[Path]:
    """Files in the temp folder but the lock file of this process's own (empty) private folder."""
    from omnidesk.core import tempfiles

    return [p for p in temp.rglob("*") if p.is_file() and p.name != tempfiles.OWNER_FILE]


def test_a_zip_import_leaves_no_unpacked_copy_behind(tmp_path, monkeypatch, capsys):
    scratch = tmp_path / "system-temp"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    subscribed = [_mailchimp(MAILCHIMP_SUBSCRIBED_HEADER, "hana.sato@example.com", "Hana", "Sato", "5e6f7a8b9c",
                             **{"Phone Number": "+1 207 555 0404"}),
                  _mailchimp(MAILCHIMP_SUBSCRIBED_HEADER, "li.wei@example.com", "Li", "Wei", "1a2b3c4d5e")]
    unsubscribed = [_mailchimp(MAILCHIMP_UNSUBSCRIBED_HEADER, "old.friend@example.com", "Olga", "Friend",
                               "9d8c7b6a5f", UNSUB_TIME="2026-01-04 09:00:00", UNSUB_REASON="NORMAL")]
    sub_csv = write_csv(tmp_path / "subscribed_members_export_1a.csv", MAILCHIMP_SUBSCRIBED_HEADER, subscribed)
    unsub_csv = write_csv(tmp_path / "unsubscribed_members_export_1a.csv", MAILCHIMP_UNSUBSCRIBED_HEADER,
                          unsubscribed)
    archive = tmp_path / "audience.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.write(sub_csv, sub_csv.name)
        z.write(unsub_csv, unsub_csv.name)
    sub_csv.unlink()
    unsub_csv.unlink()
    workspace = tmp_path / "shop.omnidesk"
    assert main(["import", str(archive), "--json", "-w", str(workspace)]) == 0
    imported = [json.loads(line) for line in capsys.readouterr().out.strip().splitlines()]
    assert sorted(r["imported"] for r in imported) == [1, 2]
    assert main(["person", "erase", "hana.sato@example.com", "--yes", "-w", str(workspace)]) == 0
    for folder in (paths.data_dir(), scratch):
        assert _files_mentioning(folder, "hana.sato") == [], folder
    assert _left_in(scratch) == []  # nothing unpacked outlives the import
    with Workspace.open(workspace) as ws:
        dump = _dump(ws)
    assert "hana.sato" not in dump and "li.wei@example.com" in dump


def test_a_failed_zip_import_leaves_no_unpacked_copy_behind(tmp_path, monkeypatch, capsys):
    scratch = tmp_path / "system-temp"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    archive = tmp_path / "audience.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("subscribed_members_export_1a.csv", "Email Address,First Name\r\nhana.sato@example.com,Hana\r\n")
    workspace = tmp_path / "not-a-workspace.omnidesk"
    workspace.write_text("my notes\n")  # the import fails after the zip was unpacked
    assert main(["import", str(archive), "-w", str(workspace)]) != 0
    capsys.readouterr()
    assert _left_in(scratch) == []
    assert _files_mentioning(paths.data_dir(), "hana.sato") == []


def test_erase_removes_copies_unpacked_by_older_versions(tmp_path, capsys):
    """Earlier versions unpacked zips into the data folder and left them there."""
    legacy = paths.data_dir() / "unpacked" / "audience-0123456789abcdef"
    legacy.mkdir(parents=True)
    (legacy / "subscribed_members_export_1a.csv").write_text("Email Address\r\nhana.sato@example.com\r\n")
    workspace = tmp_path / "shop.omnidesk"
    people = write_csv(tmp_path / "customers_export.csv", SHOPIFY_CUSTOMERS_HEADER,
                       [_shopify_customer("9001", "Hana", "Sato", "hana.sato@example.com", "", "8 Birch Rd")])
    assert main(["import", str(people), "-w", str(workspace)]) == 0
    assert main(["person", "erase", "hana.sato@example.com", "--yes", "-w", str(workspace)]) == 0
    capsys.readouterr()
    assert _files_mentioning(paths.data_dir(), "hana.sato") == []


def test_after_an_erase_the_workspace_file_holds_no_readable_trace(tmp_path):
    """Not just unlinked: the bytes of the file (and its write-ahead log) no longer spell them."""
    from omnidesk.core.importing.pipeline import ImportOptions, import_file
    from omnidesk.core.rights import erase_person
    from omnidesk.core.timeline import find_customer
    from omnidesk.core.workspace import Workspace
    from tests.helpers import write_csv

    from sqlalchemy import event

    path = tmp_path / "w.omnidesk"
    rows = [[f"Person{n}", f"Family{n}", f"person{n}@example.com", f"+1415555{n:04d}"] for n in range(200)]
    rows.insert(100, ["Zebulon", "Quixotica", "zq.unique@example.com", "+14155559876"])
    with Workspace.create(path) as ws:
        # As SQLite is built on many systems: freed space keeps its old bytes unless asked.
        event.listen(ws.engine, "connect", lambda dbapi, _: dbapi.execute("PRAGMA secure_delete = OFF"),
                     insert=True)
        ws.engine.dispose()
        # Several imports, so the search index has several segments, the person's in an old one.
        for part in range(0, len(rows), 50):
            import_file(ws, write_csv(tmp_path / f"list{part}.csv", ["First Name", "Last Name", "Email", "Phone"],
                                      rows[part:part + 50]), ImportOptions(channel="shop"))
        with ws.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA secure_delete").scalar() == 1  # the workspace asks
        cid = find_customer(ws, "zq.unique@example.com")
        assert cid is not None
        erase_person(ws, cid)
        assert find_customer(ws, "zq.unique@example.com") is None
    leftovers = b"".join(p.read_bytes() for p in tmp_path.glob("w.omnidesk*"))
    for trace in (b"Quixotica", b"quixotica", b"zq.unique", b"Zebulon", b"5559876"):
        assert trace not in leftovers, trace
    assert b"Person150" in leftovers  # the others are all still there


def _killed_process_folder(temp: Path, name: str, text: str) -> Path:
    """What a killed omnidesk leaves: its private folder, its owner gone, a copy of rows inside."""
    import subprocess
    import sys

    script = ("import sys, tempfile; tempfile.tempdir = sys.argv[1]\n"
              "from omnidesk.core import tempfiles\n"
              "d = tempfiles.mkdtemp('dry-run-')\n"
              "(d / sys.argv[2]).write_text(sys.argv[3])\n"
              "print(d)\n"
              "import os; os._exit(9)\n")  # no clean exit: as when killed
    done = subprocess.run([sys.executable, "-c", script, str(temp), name, text], capture_output=True, text=True,
                          cwd=Path(__file__).resolve().parents[2])
    folder = Path(done.stdout.strip())
    assert folder.exists() and temp in folder.parents, done.stderr
    return folder


def test_erase_deletes_backups_and_what_killed_runs_left_in_the_temp_folder(tmp_path, monkeypatch, capsys):
    temp = tmp_path / "system-temp"
    temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    workspace = tmp_path / "shop.omnidesk"
    people = write_csv(tmp_path / "customers_export.csv", SHOPIFY_CUSTOMERS_HEADER,
                       [_shopify_customer("9001", "Hana", "Sato", "hana.sato@example.com", "", "8 Birch Rd"),
                        _shopify_customer("9002", "Li", "Wei", "li.wei@example.com", "", "9 Oak St")])
    assert main(["import", str(people), "-w", str(workspace)]) == 0
    # A backup made before an upgrade, and one set aside as damaged: both hold Hana.
    import shutil

    before = tmp_path / "shop.before-0006-20260101-120000.omnidesk.bak"
    damaged = tmp_path / "shop.damaged-20260102-120000.omnidesk.bak"
    mine = tmp_path / "shop copy.omnidesk"  # saved by the user with Save a Copy: not ours to delete
    for copy in (before, damaged, mine):
        shutil.copyfile(workspace, copy)
    scratch = _killed_process_folder(temp, "scratch.omnidesk", "hana.sato@example.com")
    legacy = temp / "omnidesk-unpacked-abc123"  # an older version's unpacked members
    legacy.mkdir()
    (legacy / "subscribed_members_export_1a.csv").write_text("Email Address\r\nhana.sato@example.com\r\n")

    assert main(["person", "erase", "hana.sato@example.com", "--yes", "-w", str(workspace)]) == 0
    assert "deleted 2 backups that held them" in capsys.readouterr().out
    assert not before.exists() and not damaged.exists() and mine.exists()
    assert not scratch.exists() and not legacy.exists()
    assert _files_mentioning(temp, "hana.sato") == []


def test_a_killed_runs_temp_folder_goes_at_the_next_start(tmp_path, monkeypatch, capsys):
    from omnidesk.core import tempfiles

    temp = tmp_path / "system-temp"
    temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    left = _killed_process_folder(temp, "subscribed_members_export_1a.csv", "hana.sato@example.com")
    assert left.parent.stat().st_mode & 0o777 == 0o700  # private while it lived
    live = tempfiles.mkdtemp("unpacked-")  # this process's own: in use, kept
    assert main(["imports", "list", "-w", str(tmp_path / "none.omnidesk")]) == 1  # any command cleans up
    capsys.readouterr()
    assert not left.parent.exists() and live.exists()


def test_the_erase_question_says_the_backups_go_too(tmp_path, monkeypatch, capsys):
    import shutil
    import sys

    workspace = tmp_path / "shop.omnidesk"
    people = write_csv(tmp_path / "customers_export.csv", SHOPIFY_CUSTOMERS_HEADER,
                       [_shopify_customer("9001", "Hana", "Sato", "hana.sato@example.com", "", "8 Birch Rd")])
    assert main(["import", str(people), "-w", str(workspace)]) == 0
    shutil.copyfile(workspace, tmp_path / "shop.before-0006-20260101-120000.omnidesk.bak")
    asked = []
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True)
    monkeypatch.setattr(sys.stdin, "readline", lambda: asked.append(capsys.readouterr().err) or "n\n")
    assert main(["person", "erase", "hana.sato@example.com", "-w", str(workspace)]) == 0
    assert "Nothing erased." in capsys.readouterr().out
    assert len(asked) == 1 and ("The backup omnidesk made next to the workspace (before an upgrade) holds them "
                                "too and will be deleted.") in asked[0]
    assert (tmp_path / "shop.before-0006-20260101-120000.omnidesk.bak").exists()


@pytest.mark.parametrize(("veras", "walts"), [
    ("vance.family@example.com", "vance.family@example.com"),
    ("vance.family@gmail.com", "vancefamily+list@gmail.com"),  # one mailbox, written two ways
], ids=["same address", "same mailbox"])
def test_erasing_who_unsubscribed_a_shared_mailbox_keeps_the_mailbox_stopped(new_workspace, tmp_path, veras, walts):
    # Walt unsubscribed the family mailbox Vera holds too. Erasing Walt took his unsubscribe
    # with him, and Vera's "yes" from the shop opened the mailbox again.
    from omnidesk.core.profile import consent_facts

    ws = new_workspace(tmp_path / "w.omnidesk")
    vera = ("901", "Vera", "Vance", veras, "+1 202 555 0200", "1 Elm Street")
    import_file(ws, write_csv(tmp_path / "customers_export.csv", SHOPIFY_CUSTOMERS_HEADER, [_shopify_customer(*vera)]))
    import_file(ws, write_csv(tmp_path / "unsubscribed_members_export.csv", MAILCHIMP_UNSUBSCRIBED_HEADER, [
        _mailchimp(MAILCHIMP_UNSUBSCRIBED_HEADER, walts, "Walt", "Vance", "e900",
                   UNSUB_TIME="2025-06-01 10:00:00")]), ImportOptions(channel="email"))
    (vera_id,) = _customer_of(ws, "first_name = 'Vera'")
    (walt_id,) = _customer_of(ws, "first_name = 'Walt'")
    assert vera_id != walt_id
    erase_person(ws, walt_id)
    with ws.engine.connect() as conn:
        status = conn.exec_driver_sql("SELECT consent_email FROM customer WHERE id = ?", (vera_id,)).scalar()
    assert status == "unsubscribed"
    fact = consent_facts(ws, vera_id)["email"]
    assert f"{walts} had said stop" in fact.note and "Walt" not in _dump(ws)


def test_erasing_who_said_yes_from_a_mailbox_another_holder_unsubscribed_says_nothing_in_their_name(
        new_workspace, tmp_path):
    """Anna said yes from the family mailbox; Mark, on the same mailbox, unsubscribed himself.  Erasing
    Anna gave Mark a second "unsubscribed", dated at the erase and entered in his name ("had said
    stop; kept when the person who said it was erased"), and moved his last seen to that day."""
    from omnidesk.core.profile import consent_facts

    ws = new_workspace(tmp_path / "w.omnidesk")
    anna = ("901", "Anna", "Okafor", "okafor.family@example.com", "", "1 Elm Street")
    import_file(ws, write_csv(tmp_path / "customers_export.csv", SHOPIFY_CUSTOMERS_HEADER,
                              [_shopify_customer(*anna)]))
    import_file(ws, write_csv(tmp_path / "unsubscribed_members_export.csv", MAILCHIMP_UNSUBSCRIBED_HEADER, [
        _mailchimp(MAILCHIMP_UNSUBSCRIBED_HEADER, "okafor.family@example.com", "Mark", "Okafor", "e900",
                   UNSUB_TIME="2025-06-01 10:00:00")]), ImportOptions(channel="email"))
    (anna_id,) = _customer_of(ws, "first_name = 'Anna'")
    (mark_id,) = _customer_of(ws, "first_name = 'Mark'")
    with ws.engine.connect() as conn:
        before = conn.exec_driver_sql("SELECT consent_email, last_seen FROM customer WHERE id = ?",
                                      (mark_id,)).one()
        facts = conn.exec_driver_sql("SELECT count(*) FROM consent WHERE customer_id = ?", (mark_id,)).scalar()
    assert before[0] == "unsubscribed"
    erase_person(ws, anna_id)
    with ws.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT consent_email, last_seen FROM customer WHERE id = ?",
                                    (mark_id,)).one() == before
        assert conn.exec_driver_sql("SELECT count(*) FROM consent WHERE customer_id = ?", (mark_id,)).scalar() == facts
    fact = consent_facts(ws, mark_id)["email"]
    assert "had said stop" not in (fact.note or "")


# -- each address keeps its own "stop" -----------------------------------------------------------

_KLAVIYO = ("Email", "Klaviyo ID", "First Name", "Last Name", "Phone Number", "Email Marketing Consent",
            "Email Marketing Consent Timestamp")
_HOLDER = ("First Name", "Last Name", "Email", "Phone", "Email consent", "SMS consent", "SMS consent date",
           "WhatsApp consent", "WhatsApp consent date")


def _pack(ws, channel):
    """Who a campaign's step on ``channel`` would go to, and who it leaves out as opted out."""
    from omnidesk.core.campaigns import guards
    from omnidesk.core.campaigns.campaign import get_campaign, save_campaign
    from omnidesk.core.messages.store import save_message

    save_message(ws, "Sale", {"headline": "Sale", "link": "https://hc.example/a"}, replace=True)
    save_campaign(ws, "Spring", message="Sale", audience="everyone", mode="each_channel", replace=True,
                  steps=[{"channel": channel, "at": "2027-03-01T10:00", "timezone": "America/New_York"}])
    (step,) = guards.plan_audiences(ws, get_campaign(ws, "Spring"))
    return sorted(step.eligible), sorted(step.excluded.get("opted out", []))


def test_erasing_who_said_stop_from_a_shared_mailbox_and_yes_elsewhere_keeps_the_mailbox_stopped(
        make_workspace, tmp_path):
    # Walt unsubscribed the family mailbox in June and said yes from his work address in
    # September: his card is granted.  Vera holds the family mailbox too, with the shop's yes.
    # The pack left her out (the mailbox's own answer is no); erasing Walt read his card's
    # "granted", kept nothing, and the family mailbox was in the next pack.
    from omnidesk.core.profile import consent_facts

    ws = make_workspace(timezone="America/New_York")
    import_file(ws, write_csv(tmp_path / "unsubscribed.csv",
                              ("Email Address", "First Name", "Last Name", "Phone Number", "UNSUB_TIME"),
                              [["family@example.com", "Walt", "White", "+12075550199", "2026-06-01 10:00:00"]]))
    import_file(ws, write_csv(tmp_path / "klaviyo_profiles.csv", _KLAVIYO, [[
        "walt.work@example.com", "01HZWALT0001", "Walt", "White", "+12075550199", "SUBSCRIBED",
        "2026-09-01T10:00:00+00:00"]]))
    import_file(ws, write_csv(tmp_path / "customers.csv", ("Customer ID", "First Name", "Last Name", "Email",
                                                           "Accepts Email Marketing", "Total Spent", "Total Orders"),
                              [["7210000000073", "Vera", "White", "family@example.com", "yes", "10.00", "1"]]))
    (walt,) = _customer_of(ws, "first_name = 'Walt'")
    (vera,) = _customer_of(ws, "first_name = 'Vera'")
    assert _pack(ws, "email") == ([walt], [vera])
    erase_person(ws, walt)
    assert _pack(ws, "email") == ([], [vera])
    fact = consent_facts(ws, vera)["email"]
    assert fact.status == "unsubscribed" and "family@example.com had said stop" in fact.note
    assert "Walt" not in _dump(ws) and "walt.work" not in _dump(ws)


@pytest.mark.parametrize("channel", ["sms", "whatsapp"])
def test_erasing_who_said_stop_from_a_shared_landline_and_yes_elsewhere_keeps_the_landline_stopped(
        make_workspace, tmp_path, channel):
    # The shop's landline: Walt said stop from it in June and yes from his mobile in September.
    # Vera gave the landline too, with a yes and no date.  The landline's own answer is no.
    ws = make_workspace(timezone="America/New_York")
    landline, mobile = "+12075550100", "+12075550177"

    def row(first, email, phone, answer, date):
        sms = (answer, date) if channel == "sms" else ("", "")
        whatsapp = (answer, date) if channel == "whatsapp" else ("", "")
        return [first, "White", email, phone, "", *sms, *whatsapp]

    import_file(ws, write_csv(tmp_path / "june.csv", _HOLDER,
                              [row("Walt", "walt.work@example.com", landline, "unsubscribed", "2026-06-01")]))
    import_file(ws, write_csv(tmp_path / "september.csv", _HOLDER,
                              [row("Walt", "walt.work@example.com", mobile, "subscribed", "2026-09-01")]))
    import_file(ws, write_csv(tmp_path / "till.csv", _HOLDER, [row("Vera", "", landline, "subscribed", "")]))
    (walt,) = _customer_of(ws, "first_name = 'Walt'")
    (vera,) = _customer_of(ws, "first_name = 'Vera'")
    with ws.engine.connect() as conn:
        cards = dict(conn.exec_driver_sql(
            f"SELECT first_name, phone || ' ' || consent_{channel} FROM customer").all())
    assert cards == {"Walt": f"{mobile} granted", "Vera": f"{landline} granted"}
    if channel == "sms":
        assert _pack(ws, "sms") == ([walt], [vera])
    erase_person(ws, walt)
    if channel == "sms":
        assert _pack(ws, "sms") == ([], [vera])
    with ws.engine.connect() as conn:
        status = conn.exec_driver_sql(f"SELECT consent_{channel} FROM customer WHERE id = ?", (vera,)).scalar()
    assert status == "unsubscribed"
