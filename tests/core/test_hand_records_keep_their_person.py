"""What was typed on a card stays with its person: through an import undone and imported again,
a rebuild, and the person's next file row under another spelling of their name."""

from __future__ import annotations

import time_machine

from omnidesk.core.customers import customer_ids
from omnidesk.core.workspace import Workspace
from tests.helpers import run_cli, write_csv

# Shopify's customer export, as the shop downloads it.
SHOPIFY = ["Customer ID", "First Name", "Last Name", "Email", "Accepts Email Marketing", "Default Address Company",
           "Default Address Address1", "Default Address Address2", "Default Address City",
           "Default Address Province Code", "Default Address Country Code", "Default Address Zip",
           "Default Address Phone", "Phone", "Accepts SMS Marketing", "Total Spent", "Total Orders", "Note",
           "Tax Exempt", "Tags"]


def _row(cid, first, last, email, accepts, street, city, province, country, zip_code, phone, spent, orders, tags):
    return [cid, first, last, email, accepts, "", street, "", city, province, country, zip_code, "", phone, accepts,
            spent, orders, "", "no", tags]


JOSE = _row("'1001", "José", "García", "jose@example.com", "yes", "1 Rue Main", "Montréal", "QC", "CA", "H2X 1Y4",
            "+14155550111", "120.00", "3", "VIP")
ANA = _row("'1002", "Ana", "Lee", "ana@example.com", "yes", "2 Elm St", "Portland", "ME", "US", "04101",
           "+12075550102", "9.99", "1", "")
STOP = "phoned to say stop"


def _cli(capsys, path, when, *argv):
    with time_machine.travel(when, tick=False):
        status, out, err = run_cli(capsys, *argv, "-w", path)
    assert status == 0, err
    return out


def _query(path, sql, *args):
    with Workspace.open(path) as ws, ws.engine.connect() as conn:
        return conn.exec_driver_sql(sql, args).all()


def _hand(path):
    """(hand record id, its customer) of every hand record."""
    return _query(path, "SELECT id, customer_id FROM source_record WHERE channel = 'manual' ORDER BY id")


def _card(path, cid):
    return _query(path, "SELECT first_name, email, city, consent_email, tags FROM customer WHERE id = ?", cid)[0]


def _shop(tmp_path, capsys):
    path = tmp_path / "shop.omnidesk"
    customers = write_csv(tmp_path / "customers_export.csv", SHOPIFY, [JOSE, ANA])
    _cli(capsys, path, "2026-03-09 12:00Z", "import", customers)
    jose = _query(path, "SELECT id FROM customer WHERE email = 'jose@example.com'")[0][0]
    return path, customers, jose


def _type_a_stop(capsys, path, jose):
    _cli(capsys, path, "2026-03-10 06:01Z", "customer", "set", jose, "city", "Quebec")
    _cli(capsys, path, "2026-03-10 06:02Z", "tag", "add", "handtag", jose)
    _cli(capsys, path, "2026-03-10 06:03Z", "consent", "set", jose, "email", "denied", "--note", STOP)


def test_a_typed_stop_rejoins_its_person_when_their_undone_file_comes_in_again_and_after_a_rebuild(
        tmp_path, capsys):
    """José's card gets a typed city, a tag and a "stop" heard by phone; his file is undone and
    imported again.  What was typed is his again, his stop holds over the file's "yes", and a
    rebuild from scratch leaves it with him."""
    path, customers, jose = _shop(tmp_path, capsys)
    _type_a_stop(capsys, path, jose)
    [(hand, owner)] = _hand(path)
    assert owner == jose
    _cli(capsys, path, "2026-03-10 06:10Z", "imports", "undo", "1")
    # Undone, the card keeps what was typed on it, the stop among it: nothing of it belongs to nobody.
    assert _hand(path) == [(hand, jose)]
    assert _card(path, jose)[2:] == ("Quebec", "denied", "handtag")
    _cli(capsys, path, "2026-03-10 06:20Z", "import", customers)

    def joined():
        [(_rid, cid)] = _hand(path)
        assert _query(path, "SELECT count(*) FROM customer")[0][0] == 2  # José once, and Ana
        assert _query(path, "SELECT DISTINCT customer_id FROM source_record WHERE email = 'jose@example.com'"
                      ) == [(cid,)]
        assert _card(path, cid) == ("José", "jose@example.com", "Quebec", "denied", "handtag, VIP")
        assert _query(path, "SELECT customer_id, note FROM consent WHERE record_id = ?", _rid) == [(cid, STOP)]
        out = _cli(capsys, path, "2026-03-10 06:30Z", "segment", "count", "--rule",
                   '{"field":"consent.email","op":"is","value":"granted"}')
        assert out.strip() == "1 customer"  # Ana only
        return cid

    assert joined() == jose
    _cli(capsys, path, "2026-03-10 06:40Z", "resolve", "--from-scratch")
    joined()


def test_a_typed_stop_whose_file_was_undone_keeps_a_customer_through_a_rebuild(tmp_path, capsys):
    """Nothing of José's file is left, and the workspace is rebuilt from scratch: the card holding
    his stop stays, findable by the address he was known by."""
    path, _customers, jose = _shop(tmp_path, capsys)
    _type_a_stop(capsys, path, jose)
    _cli(capsys, path, "2026-03-10 06:10Z", "imports", "undo", "1")
    _cli(capsys, path, "2026-03-10 06:40Z", "resolve", "--from-scratch")
    [(hand, cid)] = _hand(path)
    assert cid is not None
    assert _card(path, cid)[2:] == ("Quebec", "denied", "handtag")
    assert _query(path, "SELECT DISTINCT customer_id FROM consent WHERE record_id = ?", hand) == [(cid,)]
    with Workspace.open(path) as ws:
        assert list(customer_ids(ws, search="jose@example.com")) == [cid]


def test_an_email_typed_after_the_undo_keeps_what_finds_the_person_again(tmp_path, capsys):
    """José came from the till's list, known by his email alone.  With the list undone, a new email
    is typed on his card; the list imported again still finds the card, stop and all."""
    path = tmp_path / "shop.omnidesk"
    members = write_csv(tmp_path / "loyalty_members.csv", ["First Name", "Last Name", "Email"],
                        [["José", "García", "jose@example.com"], ["Ana", "Lee", "ana@example.com"]])
    _cli(capsys, path, "2026-03-09 12:00Z", "import", members, "--channel", "pos")
    jose = _query(path, "SELECT id FROM customer WHERE email = 'jose@example.com'")[0][0]
    _type_a_stop(capsys, path, jose)
    _cli(capsys, path, "2026-03-10 06:10Z", "imports", "undo", "1")
    _cli(capsys, path, "2026-03-10 06:11Z", "customer", "set", jose, "email", "pepe@example.com")
    _cli(capsys, path, "2026-03-10 06:20Z", "import", members, "--channel", "pos")
    assert _hand(path)[0][1] == jose
    assert _query(path, "SELECT count(*) FROM customer")[0][0] == 2
    assert _card(path, jose) == ("José", "pepe@example.com", "Quebec", "denied", "handtag")


def test_a_typed_first_name_does_not_keep_the_person_s_next_shop_row_off_them(tmp_path, capsys):
    """"Pepe" typed for José (and his email changed on the card): the shop's next export, same
    customer ID, email and phone, says "Josef" and that he no longer accepts email.  It is his
    row, and his opt-out is his."""
    path, _customers, jose = _shop(tmp_path, capsys)
    _cli(capsys, path, "2026-03-10 06:01Z", "customer", "set", jose, "first_name", "Pepe")
    _cli(capsys, path, "2026-03-10 06:02Z", "customer", "set", jose, "email", "pepe@example.com")
    later = write_csv(tmp_path / "customers_export_v2.csv", SHOPIFY, [
        _row("'1001", "Josef", "García", "jose@example.com", "no", "9 New St", "Laval", "QC", "CA", "H7A 1A1",
             "+14155550111", "150.00", "4", "VIP, Wholesale")])
    _cli(capsys, path, "2026-03-11 12:00Z", "import", later)
    assert _query(path, "SELECT count(*) FROM customer")[0][0] == 2
    assert _query(path, "SELECT DISTINCT customer_id FROM source_record WHERE channel = 'shop' "
                        "AND email = 'jose@example.com'") == [(jose,)]
    assert _card(path, jose)[:2] == ("Pepe", "pepe@example.com")  # the card keeps what was typed
    assert _card(path, jose)[3] == "denied"
    assert _query(path, "SELECT count(*) FROM match_review") == [(0,)]


def test_a_stop_whose_record_was_undone_by_an_earlier_version_still_keeps_a_customer(tmp_path, capsys,
                                                                                    monkeypatch):
    """A workspace whose import was undone before hand records kept their person's identifiers: the
    stop follows a record that is gone.  Imported again and rebuilt, the card holding it stays."""
    from omnidesk.core.importing import batches

    path, customers, jose = _shop(tmp_path, capsys)
    _type_a_stop(capsys, path, jose)
    with monkeypatch.context() as patched:
        patched.setattr(batches, "outlive_leads", lambda conn, batch_id: None)
        _cli(capsys, path, "2026-03-10 06:10Z", "imports", "undo", "1")
    _cli(capsys, path, "2026-03-10 06:20Z", "import", customers)
    _cli(capsys, path, "2026-03-10 06:40Z", "resolve", "--from-scratch")
    [(hand, cid)] = _hand(path)
    assert cid is not None
    assert _card(path, cid)[2:] == ("Quebec", "denied", "handtag")
    assert _query(path, "SELECT DISTINCT customer_id FROM consent WHERE record_id = ?", hand) == [(cid,)]
