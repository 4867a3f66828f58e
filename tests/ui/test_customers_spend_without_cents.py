"""The Customers list writes spend as the shop's money is written: no cents in yen, as the card
and the report show it ("5,080 JPY"), the code in the column's header."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from omnidesk.core.workspace import Workspace
from tests.helpers import run_cli, write_csv

HEADER = ["First Name", "Last Name", "Email", "Total Spent", "Total Orders"]


def _shop(make_workspace, tmp_path, capsys, currency: str) -> Workspace:
    ws = make_workspace(currency=currency)
    path = ws.path
    ws.close()
    export = write_csv(tmp_path / "customers_export.csv", HEADER, [["Aiko", "Sato", "aiko@example.com", "5080", "3"],
                                                                    ["Ben", "Ito", "ben@example.com", "12", "1"]])
    status, _out, err = run_cli(capsys, "-w", path, "import", export, "--channel", "shop")
    assert status == 0, err
    return path


def _spend_column(window, qtbot) -> tuple[str, dict[str, str]]:
    window.show_screen("customers")
    model = window.screens["customers"].model
    qtbot.waitUntil(lambda: model.rowCount() == 2, timeout=5000)
    column = model._columns.index("spend")
    spends = {model.text(r, "email"): model.index(r, column).data() for r in range(model.rowCount())}
    return model.headerData(column, Qt.Orientation.Horizontal), spends


@pytest.mark.parametrize(("currency", "aiko", "ben"), [("JPY", "5,080", "12"), ("USD", "5,080.00", "12.00")])
def test_spend_in_the_list_is_written_as_the_shops_money(window, qtbot, make_workspace, tmp_path, capsys,
                                                          currency, aiko, ben):
    path = _shop(make_workspace, tmp_path, capsys, currency)
    assert window.open_workspace(path)
    header, spends = _spend_column(window, qtbot)
    assert header.startswith(f"Spend ({currency})")
    assert spends == {"aiko@example.com": aiko, "ben@example.com": ben}
