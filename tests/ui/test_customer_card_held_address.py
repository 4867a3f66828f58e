"""The card and the Customers list say when an address is held by someone else's "no".

Through the real import path: Mark and Hannah Lee share the family Gmail mailbox (written two
ways) but have their own phones, so they stay two customers.  Hannah said no in the shop and
unsubscribed in Klaviyo on 3 March; Mark's own answer is the shop's yes.  The campaigns, a
"consent is granted" rule and ``export customers`` leave Mark's mailbox out: the card and the
list must not tell the user "granted" for it.
"""

from __future__ import annotations

import csv
from datetime import UTC, datetime

import pytest
import time_machine
from PySide6.QtWidgets import QApplication

from omnidesk.core.campaigns import guards
from omnidesk.core.campaigns.campaign import get_campaign, save_campaign
from omnidesk.core.customers import customer_ids
from omnidesk.core.exporting.tables import export_customers
from omnidesk.core.importing.pipeline import import_file
from omnidesk.core.messages.store import save_message
from omnidesk.core.timeline import find_customer
from tests.core.test_customers_export_refused_address import KLAVIYO, SHOPIFY
from tests.helpers import write_csv

IMPORTED_AT = datetime(2026, 11, 2, 3, 30, tzinfo=UTC)  # the evening of 1 November in New York
MARK_NOTE = "Emails to lee.family@gmail.com are held: Hannah Lee, who shares this address, unsubscribed on 3 Mar 2026."


def _shop_row(cid, first, last, email, accepts, phone):
    return [cid, first, last, email, accepts, "", "9 Elm St", "", "Portland", "ME", "US", "'04101", "", phone, "yes",
            "10.00", "1", "", "no", ""]


@pytest.fixture
def ws(make_workspace, tmp_path):
    ws = make_workspace(timezone="America/New_York", default_region="US")
    with time_machine.travel(IMPORTED_AT, tick=False):
        import_file(ws, write_csv(tmp_path / "customers_export.csv", SHOPIFY, [
            _shop_row("'7210000000011", "Hannah", "Lee", "leefamily@gmail.com", "no", "+12075550111"),
            _shop_row("'7210000000012", "Mark", "Lee", "lee.family@gmail.com", "yes", "+12075550122"),
            _shop_row("'7210000000013", "Rosa", "Diaz", "rosa@example.com", "yes", "+12075550199"),
        ]))
        import_file(ws, write_csv(tmp_path / "klaviyo_profiles.csv", KLAVIYO, [
            ["leefamily@gmail.com", "01HX1", "Hannah", "Lee", "+12075550111", "UNSUBSCRIBED",
             "2026-03-03 15:00:00", "", ""],
        ]))
    return ws


def _ids(ws) -> dict[str, int]:
    with ws.engine.connect() as conn:
        return {name: cid for cid, name in conn.exec_driver_sql("SELECT id, first_name FROM customer")}


def _settle():
    for _ in range(3):
        QApplication.processEvents()


def _card(window, customer_id):
    window.open_customer(customer_id)
    _settle()
    return window.customer_view


def _chip(view, channel) -> str:
    _title, box, _text = view.consent_rows[channel]
    return box.itemAt(0).widget().text()


def _list(window, qtbot) -> dict[str, dict[str, str]]:
    """What the Customers list shows in its consent columns, by first name."""
    window.show_screen("customers")
    screen = window.screens["customers"]
    screen.set_columns(["name", "email", "consent_email", "consent_sms"])
    model = screen.model
    model.reload()
    return {model.text(row, "name").split()[0]: {key: model.text(row, key) for key in ("consent_email", "consent_sms")}
            for row in range(model.rowCount())}


def test_the_card_says_a_shared_mailbox_someone_unsubscribed_is_held(window, ws, qtbot):
    ids = _ids(ws)
    # One mailbox, two people: their names and phones keep them apart.
    assert sorted(ids) == ["Hannah", "Mark", "Rosa"]
    assert find_customer(ws, "lee.family@gmail.com") == ids["Mark"]
    window.set_workspace(ws)
    view = _card(window, ids["Mark"])
    assert _chip(view, "email") == "held"
    assert view.held_note.isVisible() and view.held_note.text() == MARK_NOTE
    # His own answer is still there, beside the chip, and his own phone is his own.
    _title, _box, text = view.consent_rows["email"]
    assert text.text().startswith("their own: granted")
    assert _chip(view, "sms") == "granted"
    # Hannah's card says her own answer; Rosa's nothing held.
    view = _card(window, ids["Hannah"])
    assert _chip(view, "email") == "unsubscribed" and not view.held_note.isVisible()
    view = _card(window, ids["Rosa"])
    assert _chip(view, "email") == "granted" and not view.held_note.isVisible()


def test_the_list_shows_held_where_the_card_does(window, ws, qtbot):
    window.set_workspace(ws)
    shown = _list(window, qtbot)
    assert shown["Mark"] == {"consent_email": "Held", "consent_sms": "Granted"}
    assert shown["Hannah"]["consent_email"] == "Unsubscribed"
    assert shown["Rosa"] == {"consent_email": "Granted", "consent_sms": "Granted"}


def test_card_list_export_segment_and_campaign_agree(window, ws, qtbot, tmp_path):
    """"granted" on the card and in the list is exactly who the rule, the export and the email step reach."""
    ids = _ids(ws)
    names = {cid: name for name, cid in ids.items()}
    window.set_workspace(ws)
    card = {name: _chip(_card(window, cid), "email") for name, cid in ids.items()}
    shown = _list(window, qtbot)
    out = tmp_path / "customers.csv"
    export_customers(ws, out, columns=["id", "first_name", "consent_email"])
    with out.open(encoding="utf-8", newline="") as fh:
        exported = {r["first_name"]: r["consent_email"] for r in csv.DictReader(fh)}
    rule = {"field": "consent.email", "op": "is", "value": "granted"}
    by_rule = {names[cid] for cid in customer_ids(ws, rule=rule)}
    save_message(ws, "Sale", {"headline": "Sale", "link": "https://shop.example/sale"})
    save_campaign(ws, "Spring", message="Sale", audience="everyone", mode="each_channel", replace=True,
                  steps=[{"channel": "email", "at": "2027-03-01T09:00", "timezone": "America/New_York"}])
    (email,) = guards.plan_audiences(ws, get_campaign(ws, "Spring"), now=datetime(2027, 2, 1, 12, tzinfo=UTC))
    sent = {names[cid] for cid in email.eligible}
    assert sent == by_rule == {"Rosa"}
    assert {n for n, chip in card.items() if chip == "granted"} == sent
    assert {n for n, r in shown.items() if r["consent_email"] == "Granted"} == sent
    assert {n for n, said in exported.items() if said == "granted"} == sent
    # And the export writes each customer's consent in the list's word: "held" for Mark, not Hannah's "unsubscribed".
    assert exported == {n: r["consent_email"].lower() for n, r in shown.items()}


def test_an_address_on_an_opt_out_list_says_so(window, ws, qtbot, tmp_path):
    """Ava and Leo Diaz share the family mailbox and both said yes; a SendGrid unsubscribe list
    has the mailbox, naming nobody: it stays a row of its own, and holds the mailbox for both."""
    with time_machine.travel(IMPORTED_AT, tick=False):
        import_file(ws, write_csv(tmp_path / "customers_export_diaz.csv", SHOPIFY, [
            _shop_row("'7210000000021", "Ava", "Diaz", "diazhome@example.com", "yes", "+12075550131"),
            _shop_row("'7210000000022", "Leo", "Diaz", "diazhome@example.com", "yes", "+12075550132"),
        ]))
        import_file(ws, write_csv(tmp_path / "sendgrid_global_unsubscribes.csv", ["email", "created"],
                                  [["diazhome@example.com", "2026-03-03 10:00:00"]]))
    ids = _ids(ws)
    window.set_workspace(ws)
    for name in ("Ava", "Leo"):
        view = _card(window, ids[name])
        assert _chip(view, "email") == "held"
        assert view.held_note.text() == ("Emails to diazhome@example.com are held: it is on the opt-out list "
                                         "sendgrid_global_unsubscribes.csv (unsubscribed).")
        assert _list(window, qtbot)[name]["consent_email"] == "Held"


def test_sorting_by_a_consent_column_goes_by_held_as_shown(window, ws, qtbot, tmp_path):
    """Held rows sort as the word the column shows, a block of their own: not among the Granted
    ones their own answer would put them with, in either direction and under a filter too.  Leo
    gave no answer of his own: his held mailbox sorts with Held, not with the blanks."""
    from PySide6.QtCore import Qt

    with time_machine.travel(IMPORTED_AT, tick=False):
        import_file(ws, write_csv(tmp_path / "customers_export_diaz.csv", SHOPIFY, [
            _shop_row("'7210000000021", "Ava", "Diaz", "diazhome@example.com", "yes", "+12075550131"),
            _shop_row("'7210000000022", "Leo", "Diaz", "diazhome@example.com", "", "+12075550132"),
            _shop_row("'7210000000023", "Zoe", "Park", "zoe@example.com", "yes", "+12075550133"),
        ]))
        import_file(ws, write_csv(tmp_path / "sendgrid_global_unsubscribes.csv", ["email", "created"],
                                  [["diazhome@example.com", "2026-03-03 10:00:00"]]))
    window.set_workspace(ws)
    window.show_screen("customers")
    screen = window.screens["customers"]
    screen.set_columns(["name", "email", "consent_email"])
    model = screen.model
    column = model.columns().index("consent_email")

    def shown(order, channel=None):
        screen.table.sortByColumn(column, order)
        model.set_filters("", channel, None)
        return [(model.text(r, "name"), model.text(r, "consent_email")) for r in range(model.rowCount())]

    def in_order(rows, descending=False):
        """The column's words A to Z (Z to A), the blank cells last either way."""
        words = [word for _name, word in rows]
        valued = [w for w in words if w]
        return words == sorted(valued, reverse=descending) + [""] * (len(words) - len(valued))

    up = shown(Qt.SortOrder.AscendingOrder)
    assert in_order(up), up
    assert {name for name, word in up if word == "Held"} == {"Mark Lee", "Ava Diaz", "Leo Diaz"}
    # Held after every Granted row, though Mark's own answer is yes and his id comes before Rosa's.
    assert [w for _n, w in up].index("Held") > max(i for i, (_n, w) in enumerate(up) if w == "Granted")
    down = shown(Qt.SortOrder.DescendingOrder)
    assert in_order(down, descending=True), down
    # Filtered, the list reads every matching row and sorts it another way: the same rule.
    shop = shown(Qt.SortOrder.AscendingOrder, channel="shop")
    assert in_order(shop) and "Held" in {w for _n, w in shop}, shop
