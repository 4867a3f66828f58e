"""The card's split takes the split-off person's list record and opens with it, as `omnidesk unmerge`
does, and says how many records went with it."""

from __future__ import annotations

from datetime import UTC, datetime

import time_machine
from PySide6.QtCore import Qt

from tests.helpers import melissa_on_the_list, run_cli, source_placement

LIST = "subscribed_members_export_319da7fa07.csv"


@time_machine.travel(datetime(2026, 3, 1, 12, tzinfo=UTC), tick=False)
def test_the_cards_split_takes_her_list_record_and_says_so(window, qtbot, tmp_path, capsys, computer_in,
                                                           monkeypatch):
    computer_in("America/New_York")
    path = melissa_on_the_list(capsys, tmp_path, "+14045550170", "+16195550108", "619-555-0108")
    placed = source_placement(capsys, path, tmp_path)
    owen, melissa = placed[("customers_export.csv", 1)], placed[("customers_export.csv", 2)]
    status, _out, err = run_cli(capsys, "merge", owen, melissa, "-w", path)
    assert status == 0, err
    told: list[str] = []
    window.operations.notice.connect(told.append)
    monkeypatch.setattr(window, "show_error", lambda *a: told.append(f"error: {a}"))
    assert window.open_workspace(path)
    window.open_customer(int(owen))
    view = window.customer_view
    view.tabs.setCurrentWidget(view.sources_page)
    rows = [view.source_model.source_row(r) for r in range(view.source_model.rowCount())]
    view.source_table.selectRow(next(i for i, row in enumerate(rows)
                                     if row.source_file == "customers_export.csv" and row.record_no == 2))
    qtbot.mouseClick(view.split_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.profile is not None and view.profile.source_count == 1, timeout=5000)
    after = source_placement(capsys, path, tmp_path)
    new = after[("customers_export.csv", 2)]
    assert after[("customers_export.csv", 1)] == owen != new
    assert {after[(LIST, 1)]} == {after[("email_activity.csv", n)] for n in range(1, 6)} == {new}
    assert told == [f"Split customers_export.csv row 2 into customer #{new}, with 6 records that "
                    "came onto the card through it"]
    window.operations.undo()
    assert source_placement(capsys, path, tmp_path) == {**placed, **{k: owen for k in placed}}
