"""Erase… on several selected customers erases them all when erasing one changes another of them:
Walt unsubscribed the family mailbox Wren holds too, so erasing him keeps that "stop" on Wren's
hand record; that is the selection's own doing, not a change from another window.  A change from
elsewhere while the question was open still stops the erase of the customer it touched."""

from __future__ import annotations

from tests.helpers import errors_told, read_rows, run_cli, write_csv
from tests.ui.test_undo_history import select_rows

SHOP = (["Customer ID", "First Name", "Last Name", "Email", "Accepts Email Marketing", "Default Address Address1",
         "Default Address City", "Default Address Zip", "Phone"],
        [["'901", "Wren", "Vance", "vance.family@example.com", "yes", "1 Elm Street", "Portland", "'04101",
          "+12025550200"],
         ["'902", "Alice", "Baker", "alice.baker@example.com", "yes", "1 Main St", "Portland", "'04102",
          "+12075550111"]])
UNSUBSCRIBED = (["Email Address", "First Name", "Last Name", "UNSUB_TIME"],
                [["vance.family@example.com", "Walt", "Vance", "2025-06-01 10:00:00"]])


def _family(tmp_path, capsys, window, monkeypatch):
    ws = tmp_path / "shop.omnidesk"
    for name, (header, rows), channel in (("customers_export.csv", SHOP, "shop"),
                                          ("unsubscribed_members_export_ab12.csv", UNSUBSCRIBED, "email")):
        status, _, err = run_cli(capsys, "import", write_csv(tmp_path / name, header, rows), "--channel", channel,
                                 "-w", ws)
        assert status == 0, err
    assert window.open_workspace(ws)
    told = errors_told(window, monkeypatch)
    window.show_screen("customers")
    view = window.screens["customers"]
    ids = dict(read_rows(window.workspace, "select first_name, id from customer"))
    rows = {view.model.index(r, 0).data(): r for r in range(view.model.rowCount())}
    select_rows(view, [rows["Walt Vance"], rows["Wren Vance"]])
    assert view.selected_ids() == [ids["Walt"], ids["Wren"]]  # Walt first: his erase changes Wren
    return ws, view, ids, told


def test_erasing_a_selection_is_not_stopped_by_its_own_erases(tmp_path, capsys, window, monkeypatch):
    _ws, view, ids, told = _family(tmp_path, capsys, window, monkeypatch)
    monkeypatch.setattr(window.bulk, "confirm_erase", lambda chosen: True)
    view.erase_action.trigger()
    assert told == []  # not "changed in another window" for the change Walt's erase made to Wren
    assert read_rows(window.workspace, "select first_name from customer") == [("Alice",)]
    assert ids["Wren"] not in list(view.list_ids()) and ids["Walt"] not in list(view.list_ids())


def test_a_change_from_elsewhere_meanwhile_still_stops_it(tmp_path, capsys, window, monkeypatch):
    ws, view, ids, told = _family(tmp_path, capsys, window, monkeypatch)

    def merged_meanwhile(chosen):  # another command merges Alice into Wren while the question is open
        assert run_cli(capsys, "merge", ids["Wren"], ids["Alice"], "-w", ws)[0] == 0
        return True

    monkeypatch.setattr(window.bulk, "confirm_erase", merged_meanwhile)
    view.erase_action.trigger()
    assert len(told) == 1 and told[0][1].startswith(f"Erased 1 of 2; customer {ids['Wren']}: ")
    assert "changed in another window or command" in told[0][1]
    # Wren stays, with Alice merged into her: the user was not asked about that customer.
    assert read_rows(window.workspace, "select id from customer") == [(ids["Wren"],)]
