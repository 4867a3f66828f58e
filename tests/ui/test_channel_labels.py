"""Every screen names a channel by its one label ("Till"), never by its code ("pos")."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from omnidesk.core.channels import channel_name
from omnidesk.ui.views.customer import CustomerView
from omnidesk.ui.views.customers_view import CustomersView
from omnidesk.ui.views.imports_view import ImportsView


def _column(model, title: str) -> int:
    for column in range(model.columnCount()):
        if title in str(model.headerData(column, Qt.Orientation.Horizontal, Qt.ItemDataRole.DisplayRole)):
            return column
    raise AssertionError(f"no column {title}")


def _texts(model, column: int, role=Qt.ItemDataRole.DisplayRole) -> list[str]:
    return [str(model.index(row, column).data(role) or "") for row in range(model.rowCount())]


@pytest.fixture
def till_customer(demo_window) -> int:
    """A demo customer known at the till and online."""
    with demo_window.workspace.engine.connect() as conn:
        row = conn.exec_driver_sql(
            "SELECT id FROM customer WHERE channels LIKE '%pos%' AND channels LIKE '%shop%' "
            "ORDER BY length(channels) DESC, id LIMIT 1").first()
    assert row is not None
    return row[0]


def test_the_card_names_the_till_by_its_label(qtbot, demo_window, till_customer):
    view = CustomerView(demo_window.workspace)
    qtbot.addWidget(view)
    view.resize(1100, 750)
    view.show()
    assert view.show_customer(till_customer)

    chips = [view.chips.itemAt(i).widget() for i in range(view.chips.count())]
    assert "Till" in [c.text() for c in chips] and "pos" not in [c.text() for c in chips]
    assert any(c.toolTip() == "Known on the Till channel" for c in chips)

    sources = view.source_model
    shown = _texts(sources, _column(sources, "Channel"))
    assert "Till" in shown and "pos" not in shown and "shop" not in shown
    till_row = shown.index("Till")
    view.source_table.selectRow(till_row)
    assert " · Till · " in view.raw_title.text() and " · pos · " not in view.raw_title.text()

    filters = [view.channel_filter.itemText(i) for i in range(view.channel_filter.count())]
    assert "Till" in filters and "Shop" in filters and "pos" not in filters
    till = view.channel_filter.findText("Till")
    assert view.channel_filter.itemData(till) == "pos"  # the filter still filters by code

    tips = [str(view.timeline_model.index(r, 0).data(Qt.ItemDataRole.ToolTipRole) or "")
            for r in range(view.timeline_model.rowCount())]
    entries = [t for t in tips if t]
    assert any("(Till)" in t for t in entries)
    assert not any("(pos)" in t or " · pos · " in t for t in entries)

    identifiers = view.identifier_model
    assert "pos" not in _texts(identifiers, identifiers.CHANNEL_COLUMN)
    tooltips = " ".join(_texts(identifiers, 1, Qt.ItemDataRole.ToolTipRole))
    assert "(pos)" not in tooltips and "(shop)" not in tooltips


def test_the_customer_list_and_imports_name_channels_by_label(qtbot, demo_window):
    customers = CustomersView(demo_window.workspace)
    qtbot.addWidget(customers)
    filters = [customers.channel_filter.itemText(i) for i in range(customers.channel_filter.count())]
    assert "Till" in filters and "Store / till" not in filters and "pos" not in filters
    customers.channel_filter.setCurrentIndex(customers.channel_filter.findText("Till"))
    model = customers.model
    listed = _texts(model, _column(model, "Channels"))
    assert listed and all("Till" in text for text in listed)
    assert not any("pos" in text.split(", ") for text in listed)

    imports = ImportsView(demo_window.workspace)
    qtbot.addWidget(imports)
    imports.refresh()
    shown = _texts(imports.model, _column(imports.model, "Channel"))
    assert {"Shop", "Email", "Till", "Social", "SMS", "Phone contacts"} <= set(shown)
    assert not {"pos", "shop", "contacts", "Store / till"} & set(shown)
    assert channel_name("contacts") == "Phone contacts"


def test_the_list_filters_by_a_channel_of_the_users_own(qtbot, ws, tmp_path):
    """A stall's file imported as "Farmers market" is a channel like any other: the list's channel
    filter offers it by that name (not the hand entries', which are no channel), and one imported
    while the list is open appears when the list is read again."""
    from omnidesk.core.edits import add_customer
    from omnidesk.core.importing.pipeline import ImportOptions, import_file
    from tests.helpers import write_csv

    header = ["Email", "First Name", "Last Name"]
    import_file(ws, write_csv(tmp_path / "shop.csv", header, [["ann@example.com", "Ann", "Lee"]]),
                ImportOptions(channel="shop"))
    import_file(ws, write_csv(tmp_path / "stall.csv", header, [["bo@example.com", "Bo", "Ray"]]),
                ImportOptions(channel="Farmers market"))
    add_customer(ws, {"first_name": "Cy"})
    view = CustomersView(ws)
    qtbot.addWidget(view)
    filters = [view.channel_filter.itemText(i) for i in range(view.channel_filter.count())]
    assert filters[-1] == "Farmers market" and "Entered by you" not in filters and "manual" not in filters
    view.channel_filter.setCurrentIndex(view.channel_filter.findText("Farmers market"))
    assert [view.model.customer_id(r) for r in range(view.model.rowCount())] == [2]
    import_file(ws, write_csv(tmp_path / "pop.csv", header, [["di@example.com", "Di", "Fox"]]),
                ImportOptions(channel="Pop-up"))
    view.refresh()
    filters = [view.channel_filter.itemText(i) for i in range(view.channel_filter.count())]
    assert filters[-2:] == ["Farmers market", "Pop-up"]
    assert view.channel_filter.currentText() == "Farmers market" and view.model.rowCount() == 1
