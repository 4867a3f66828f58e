"""Large amounts on a 1,024-pixel customer card: the timeline's amount column and the card's total
spend show them whole, and an amount in another currency wraps below the total rather than behind "…"."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication

from omnidesk.core.timeline import find_customer
from tests.helpers import run_cli, write_csv
from tests.ui.painted import painted_row

EMAIL = "zoe.quinn@example.com"
ORDERS = ["Name", "Email", "Financial Status", "Paid at", "Accepts Marketing", "Currency", "Total", "Refunded Amount",
          "Cancelled at", "Created at", "Lineitem quantity", "Lineitem name", "Lineitem price", "Billing Name",
          "Billing Phone"]


def _shop(tmp_path, capsys):
    """A shop in dollars: an order in dollars, one in euros and an espresso machine sold at the till."""
    path = tmp_path / "shop.omnidesk"
    orders = write_csv(tmp_path / "orders_export.csv", ORDERS, [
        ["#2001", EMAIL, "paid", "", "yes", "USD", "100.00", "", "", "2025-06-01 12:00:00 -0400", "1", "Mug",
         "100.00", "Zoe Quinn", "(207) 555-0111"],
        ["#2005", EMAIL, "paid", "", "yes", "EUR", "25.00", "", "", "2025-08-01 23:30:00 +0200", "1", "Tin",
         "25.00", "Zoe Quinn", ""],
    ])
    till = write_csv(tmp_path / "till_transactions.csv",
                     ["Date", "Time", "Receipt No", "Customer", "Mobile", "Loyalty Card", "Items", "Total"], [
        ["14/11/2025", "11:00", "30005", "Quinn, Zoe", "(207) 555-0111", "", "Espresso machine x1", "1234567,89"],
    ], encoding="cp1252", delimiter=";")
    assert run_cli(capsys, "import", orders, "-w", path)[0] == 0
    assert run_cli(capsys, "settings", "timezone", "America/New_York", "-w", path)[0] == 0
    assert run_cli(capsys, "settings", "currency", "USD", "-w", path)[0] == 0
    assert run_cli(capsys, "import", till, "--channel", "pos", "-w", path)[0] == 0
    return path


def test_a_1024_pixel_card_shows_a_large_total_and_sale_whole(window, tmp_path, capsys, qtbot):
    assert window.open_workspace(_shop(tmp_path, capsys))
    window.resize(1024, 640)
    window.open_customer(find_customer(window.workspace, EMAIL))
    view = window.customer_view
    view.tabs.setCurrentIndex(0)
    qtbot.waitUntil(lambda: view.timeline_list.isVisible())
    for _ in range(3):
        QApplication.processEvents()
    spend = view.fields["spend"]
    assert spend.text() == "1,234,667.89 USD (also 25.00 EUR)"
    assert spend.shown_text() == "1,234,667.89 USD\n(also 25.00 EUR)" and not spend.is_elided()
    assert spend.height() >= 2 * spend.fontMetrics().height()
    assert not view.fields["email"].is_elided()  # the email keeps its room
    model = view.timeline_model
    [sale] = [r for r in range(model.rowCount()) if (e := model.entry(r)) is not None and e.type == "purchase"]
    assert "1,234,567.89 USD" in painted_row(view.timeline_list, sale)
    [order] = [r for r in range(model.rowCount()) if (e := model.entry(r)) is not None and e.currency == "EUR"]
    assert "25.00 EUR" in painted_row(view.timeline_list, order)
