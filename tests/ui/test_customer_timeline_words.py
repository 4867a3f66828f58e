"""What the customer card's timeline says of each entry: Ctrl+C and a screen reader get the whole
entry — day and time on the shop's clock, channel, type, summary, amount — not the time and summary alone."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from omnidesk.core.timeline import find_customer
from omnidesk.ui.models.timeline_model import TimelineModel
from tests.helpers import run_cli, write_csv
from tests.ui.painted import painted_row

EMAIL = "zoe.quinn@example.com"
PHONE = "(207) 555-0111"


def _shop(tmp_path, capsys):
    """A New York shop: an email campaign sent and opened at the same minute, and a till sale."""
    path = tmp_path / "shop.omnidesk"
    activity = write_csv(tmp_path / "email_activity.csv", ["Email", "Campaign", "Action", "Timestamp"], [
        [EMAIL, "Summer launch", "open", "2025-06-01 12:00:00"],
        [EMAIL, "Summer launch", "sent", "2025-06-01 12:00:00"],
    ])
    till = write_csv(tmp_path / "till_transactions.csv",
                     ["Date", "Time", "Receipt No", "Customer", "Mobile", "Loyalty Card", "Items", "Total"], [
        ["13/11/2025", "18:00", "30004", "Quinn, Zoe", PHONE, "", "Beans x1", "9,99"],
    ], encoding="cp1252", delimiter=";")
    assert run_cli(capsys, "import", activity, "--channel", "email", "-w", path)[0] == 0
    assert run_cli(capsys, "settings", "timezone", "America/New_York", "-w", path)[0] == 0
    assert run_cli(capsys, "settings", "currency", "USD", "-w", path)[0] == 0
    assert run_cli(capsys, "import", till, "--channel", "pos", "-w", path)[0] == 0
    return path


def _open_card(window, who: str):
    window.resize(1024, 640)
    window.open_customer(find_customer(window.workspace, who))
    view = window.customer_view
    view.tabs.setCurrentIndex(0)
    view.timeline_list.setFocus(Qt.FocusReason.TabFocusReason)
    return view


def _copied(view, row: int) -> str:
    lst = view.timeline_list
    lst.setCurrentIndex(view.timeline_model.index(row))
    QApplication.clipboard().setText("nothing copied")
    QTest.keyClick(lst, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    return QApplication.clipboard().text()


def _entry_rows(view) -> list[int]:
    model = view.timeline_model
    return [r for r in range(model.rowCount()) if not model.is_header(r)]


def test_ctrl_c_and_a_screen_reader_tell_an_email_sent_from_its_open(window, tmp_path, capsys):
    assert window.open_workspace(_shop(tmp_path, capsys))
    view = _open_card(window, EMAIL)
    copied = {_copied(view, r) for r in _entry_rows(view)}
    assert copied == {"1 Jun 2025 12:00 · Email · Open · Summer launch",
                      "1 Jun 2025 12:00 · Email · Sent · Summer launch"}
    read = {view.timeline_model.index(r).data(Qt.ItemDataRole.AccessibleTextRole) for r in _entry_rows(view)}
    assert read == copied


def test_ctrl_c_on_a_sale_gives_its_day_channel_and_amount_with_the_currency(window, tmp_path, capsys):
    assert window.open_workspace(_shop(tmp_path, capsys))
    view = _open_card(window, PHONE)
    [row] = [r for r in _entry_rows(view) if view.timeline_model.entry(r).type == "purchase"]
    assert _copied(view, row) == "13 Nov 2025 18:00 · Till · Purchase · 30004 · Beans x1 · 9.99 USD"
    # The day header above it still reads as a heading.
    assert view.timeline_model.index(row - 1).data(TimelineModel.IsHeaderRole)
    assert view.timeline_model.index(row - 1).data() == "Thursday 13 November 2025 · 1 entry"


ORDERS = ["Name", "Email", "Financial Status", "Currency", "Total", "Created at", "Lineitem quantity",
          "Lineitem name", "Lineitem price", "Billing Name"]


def test_the_hour_the_clocks_go_back_says_which_0130_it_was(window, tmp_path, capsys, qtbot):
    """On 2 November 2025 New York's clocks went from 01:59 EDT back to 01:00 EST: two orders an
    hour apart both read "01:30"."""
    path = tmp_path / "shop.omnidesk"
    orders = write_csv(tmp_path / "orders_export.csv", ORDERS, [
        [f"#{n}", EMAIL, "paid", "USD", "10.00", at, "1", "Mug", "10.00", "Zoe Quinn"]
        for n, at in ((3001, "2025-11-02 01:30:00 -0400"), (3002, "2025-11-02 01:30:00 -0500"),
                      (3003, "2025-11-02 09:00:00 -0500"), (3004, "2025-11-03 01:30:00 -0500"))
    ])
    assert run_cli(capsys, "import", orders, "-w", path)[0] == 0
    assert run_cli(capsys, "settings", "timezone", "America/New_York", "-w", path)[0] == 0
    assert window.open_workspace(path)
    view = _open_card(window, EMAIL)
    model = view.timeline_model
    rows = {model.entry(r).summary.split(":")[0]: r for r in _entry_rows(view)}
    assert _copied(view, rows["Order #3002"]) == "2 Nov 2025 01:30 EST · Shop · Order · Order #3002: Mug · 10.00 USD"
    assert model.index(rows["Order #3001"]).data(Qt.ItemDataRole.AccessibleTextRole).startswith("2 Nov 2025 01:30 EDT ·")
    # As drawn in the list: the time whole, with its clock's name.
    window.resize(1024, 640)
    qtbot.waitUntil(lambda: view.timeline_list.isVisible())
    assert "01:30 EST" in painted_row(view.timeline_list, rows["Order #3002"])
    assert "01:30" in painted_row(view.timeline_list, rows["Order #3004"])
    # Only the repeated hour says it: the rest of that day, and 01:30 the day after, do not.
    times = {order: model.index(r).data(TimelineModel.TimeRole) for order, r in rows.items()}
    assert times == {"Order #3001": "01:30 EDT", "Order #3002": "01:30 EST",
                     "Order #3003": "09:00", "Order #3004": "01:30"}
