"""The pair view at 1024×640 shows a long email address whole: it wraps at its "@" and dots instead of
being cut just where two addresses differ, several addresses are told apart, and every cell's tooltip
holds its text whole."""

from __future__ import annotations

from PySide6.QtCore import QLocale
from PySide6.QtGui import QTextLayout, QTextOption

from omnidesk.core.importing.pipeline import ImportOptions, import_file
from tests.helpers import write_csv

H = ["First Name", "Last Name", "Email", "Phone"]
FAMILY = "alexandrina.featherstonehaugh.family.account@example-very-long-domain.co.uk"
OFFICE = "alexandrina.featherstonehaugh.office.account@example-very-long-domain.co.uk"


def _lines(view, row: int, column: int) -> list[tuple[str, float]]:
    """The lines the cell's delegate lays its text out in, at the cell's width, with their widths."""
    table = view.compare
    index = table.model().index(row, column)
    shown = table.itemDelegateForIndex(index).displayText(index.data(), QLocale())
    width = table.columnWidth(column) - 8  # the style's margins either side
    option = QTextOption()
    option.setWrapMode(QTextOption.WrapMode.WordWrap)
    layout = QTextLayout(shown.replace("\n", "\u2028"), table.font())
    layout.setTextOption(option)
    layout.beginLayout()
    lines = []
    while (line := layout.createLine()).isValid():
        line.setLineWidth(width)
        lines.append((shown[line.textStart():line.textStart() + line.textLength()], line.naturalTextWidth()))
    layout.endLayout()
    return lines, width


def test_a_long_email_is_shown_whole_and_two_addresses_are_told_apart(window, ws, tmp_path, qtbot):
    import_file(ws, write_csv(tmp_path / "a.csv", H, [["Alexandrina", "Featherstonehaugh", FAMILY, "+1 415 555 0101"],
                                                      ["Alexandrina", "Featherstonehaugh", "al@x.com", "+1 415 555 0101"]]),
                ImportOptions(channel="shop"))
    import_file(ws, write_csv(tmp_path / "b.csv", H, [["Bartholomew", "Featherstonehaugh", OFFICE, "+1 415 555 0101"]]),
                ImportOptions(channel="email"))
    window.set_workspace(ws)
    window.resize(1024, 640)
    window.show_screen("review")
    qtbot.wait(300)
    view = window.screens["review"]
    emails = 1
    assert view.compare.verticalHeaderItem(emails).text() == "Emails"
    for column, wanted in ((0, ["al@x.com", FAMILY]), (1, [OFFICE])):
        item = view.compare.item(emails, column)
        assert sorted(item.text().splitlines()) == sorted(wanted)  # the item holds the addresses as they are
        assert item.toolTip() == item.text()
        lines, width = _lines(view, emails, column)
        # Every line fits the column, so none is cut with "…"; read together, the addresses are whole.
        assert all(w <= width for _, w in lines), lines
        read = "".join(text for text, _ in lines).replace("\u200b", "")
        for address in wanted:
            assert address in read
        assert read.count("• ") == (len(wanted) if len(wanted) > 1 else 0)
        # The row is tall enough for every line.
        assert view.compare.rowHeight(emails) >= len(lines) * view.compare.fontMetrics().lineSpacing()
    for row in range(view.compare.rowCount()):
        for column in (0, 1):
            item = view.compare.item(row, column)
            assert item.toolTip() == item.text()
