"""The customer card's timeline shows a till sale whose stored details are nested deeper than
Python's JSON reader goes (SQLite reads them) as a sale with no details: its tooltip and its
details window read them, and a RecursionError came out of the window instead."""

from __future__ import annotations

import sqlite3

from PySide6.QtCore import Qt

from tests.ui.test_customer_timeline_words import PHONE, _entry_rows, _open_card, _shop


def test_a_sale_with_details_too_deep_to_read_shows_without_them(window, tmp_path, capsys):
    path = _shop(tmp_path, capsys)
    with sqlite3.connect(path) as db:
        assert db.execute("UPDATE event SET details_json = ? WHERE type = 'purchase'",
                          ('{"a": ' * 1500 + "1" + "}" * 1500,)).rowcount == 1
    db.close()
    assert window.open_workspace(path)
    view = _open_card(window, PHONE)
    model = view.timeline_model
    [row] = [r for r in _entry_rows(view) if model.entry(r).type == "purchase"]
    assert model.entry(row).details == {}
    tip = model.index(row).data(Qt.ItemDataRole.ToolTipRole)
    assert tip == ("30004 · Beans x1\nThursday 13 November 2025 18:00 · Till · Purchase\n9.99 USD\n"
                   "From till_transactions.csv row 1 (Till)"), tip
