"""The Customers list under a large font: every column header read whole on a 1024-pixel screen."""

from __future__ import annotations

from PySide6.QtCore import QRect, Qt
from PySide6.QtWidgets import QStyle


def test_the_column_headers_are_read_whole(big_font, demo_window, qtbot):
    window = demo_window
    window.resize(1024, 640)
    window.show_screen("customers")
    qtbot.wait(100)
    view = window.screens["customers"]
    header = view.table.horizontalHeader()
    metrics = header.fontMetrics()
    margin = header.style().pixelMetric(QStyle.PixelMetric.PM_HeaderMargin, None, header)
    arrow = header.style().pixelMetric(QStyle.PixelMetric.PM_HeaderMarkSize, None, header)
    flags = int(header.defaultAlignment().value)
    for section in range(view.model.columnCount()):
        text = str(view.model.headerData(section, Qt.Orientation.Horizontal))
        room = header.sectionSize(section) - 2 * margin
        if header.isSortIndicatorShown() and header.sortIndicatorSection() == section:
            room -= arrow + margin
        # As the header lays it out: on its own lines, wrapped between words where it wraps.
        shown = metrics.boundingRect(QRect(0, 0, room, 10_000), flags, text)
        assert shown.width() <= room, f"{text!r} is cut in {room} px"
        assert shown.height() <= header.height(), f"{text!r} is taller than its header"
    # The list still fits the screen's width: the headers did not push it to scroll sideways.
    assert view.table.horizontalScrollBar().maximum() == 0
