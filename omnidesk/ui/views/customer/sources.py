"""The Sources tab: why the records are one person, each source record as imported, and splitting one off."""

from __future__ import annotations

from html import escape

from PySide6.QtCore import QEvent, QModelIndex, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from omnidesk.core.channels import channel_name
from omnidesk.core.identity.why import Link, why_one_person
from omnidesk.core.profile import SourceRow, raw_record
from omnidesk.core.timeline import workspace_zone
from omnidesk.core.timeutil import local_day
from omnidesk.ui.formatting import nice_date
from omnidesk.ui.models.source_table_model import SourceTableModel
from omnidesk.ui.views.customer.widgets import ElidedLabel, FittedText, muted_color
from omnidesk.ui.widgets.buttons import enter_presses


class SourceTable(QTableView):
    """The source records: file, row, channel, kind and problems.  The short columns are as wide
    as what they hold; the file's name gets the width it needs, and the problems the rest
    (at least half of it when a record has any) — an empty Problems column took most of a wide
    table while the file's name was cut."""

    FILE, PROBLEMS = 0, 4

    def fit_columns(self) -> None:
        model = self.model()
        if model is None:
            return
        header = self.horizontalHeader()
        # Widths read from the rows in sight and 200 more, not from all of 20,000 records.
        header.setResizeContentsPrecision(200)
        for column in range(1, self.PROBLEMS):
            self.setColumnWidth(column, max(self.sizeHintForColumn(column), header.sectionSizeHint(column)))
        room = self.viewport().width() - sum(self.columnWidth(c) for c in range(1, self.PROBLEMS))
        rows = model.rowCount()
        problems = max(self.sizeHintForColumn(self.PROBLEMS) if rows else 0, header.sectionSizeHint(self.PROBLEMS))
        problems = max(header.sectionSizeHint(self.PROBLEMS), min(problems, room // 2))
        wanted = max(self.sizeHintForColumn(self.FILE) if rows else 0, header.sectionSizeHint(self.FILE)) + 8
        file = max(header.sectionSizeHint(self.FILE), min(wanted, room - problems))
        self.setColumnWidth(self.FILE, file)
        # Set, not stretched: a stretched last section did not shrink back when the scroll bar came.
        self.setColumnWidth(self.PROBLEMS, max(problems, room - file))

    def viewportEvent(self, event) -> bool:
        # The viewport's width, not the table's: it narrows when the scroll bar comes.
        handled = super().viewportEvent(event)
        if event.type() == QEvent.Type.Resize:
            self.fit_columns()
        return handled


class SourcesMixin:
    """The Sources tab of :class:`CustomerView`."""

    def _build_sources_tab(self) -> QWidget:
        self.source_model = SourceTableModel(self)
        self.source_table = SourceTable()
        self.source_table.setAccessibleName("Source records")
        self.source_table.setModel(self.source_model)
        self.source_table.setTabKeyNavigation(False)  # Tab leaves the table (arrows move in it)
        self.source_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.source_table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.source_table.verticalHeader().setVisible(False)
        self.source_table.verticalHeader().setDefaultSectionSize(24)
        self.source_table.setWordWrap(False)
        self.source_table.setAlternatingRowColors(True)
        header = self.source_table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.source_model.modelReset.connect(self.source_table.fit_columns)
        self.source_table.selectionModel().currentRowChanged.connect(self._source_selected)

        detail = QWidget()
        dl = QVBoxLayout(detail)
        dl.setContentsMargins(8, 0, 0, 0)
        self.raw_title = ElidedLabel()
        font = self.raw_title.font()
        font.setBold(True)
        self.raw_title.setFont(font)
        self.raw_problems = QLabel()
        self.raw_problems.setWordWrap(True)
        self.raw_problems.setStyleSheet("color: #C62828;")
        self.raw_table = QTableWidget(0, 2)
        self.raw_table.setAccessibleName("The selected record as read")
        self.raw_table.setHorizontalHeaderLabels(["Column", "Value as read"])
        self.raw_table.setTabKeyNavigation(False)
        self.raw_table.verticalHeader().setVisible(False)
        self.raw_table.verticalHeader().setDefaultSectionSize(22)
        self.raw_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.raw_table.setWordWrap(False)
        self.raw_table.horizontalHeader().setStretchLastSection(True)
        self.raw_table.setColumnWidth(0, 200)
        self.split_button = QPushButton("Split into its own customer")
        self.split_button.setToolTip("This record is someone else: move it (and its order lines) "
                                     "to a new customer; Omnidesk will not match it back")
        self.split_button.setEnabled(False)
        self.split_button.clicked.connect(self._split_selected)
        enter_presses(self.split_button)
        # Why the selected record cannot be split off by itself (a line of an order), over the button.
        self.split_note = QLabel()
        self.split_note.setWordWrap(True)
        self.split_note.setVisible(False)
        dl.addWidget(self.raw_title)
        dl.addWidget(self.raw_problems)
        dl.addWidget(self.raw_table, 1)
        dl.addWidget(self.split_note)
        dl.addWidget(self.split_button, 0, Qt.AlignmentFlag.AlignRight)

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.source_table)
        splitter.addWidget(detail)
        splitter.setStretchFactor(0, 5)
        splitter.setStretchFactor(1, 4)
        splitter.setChildrenCollapsible(False)
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addWidget(self._build_why())
        layout.addWidget(splitter, 1)
        return page

    WHY_LINES = 4  # links shown before "show all"

    def _build_why(self) -> QWidget:
        """"Why one person": one line per link between the records, the first few until asked for all."""
        self.why_box = QWidget()
        box = QVBoxLayout(self.why_box)
        box.setContentsMargins(0, 0, 0, 6)
        box.setSpacing(2)
        self.why_title = QLabel()
        font = self.why_title.font()
        font.setBold(True)
        self.why_title.setFont(font)
        self.why_text = QLabel()
        self.why_text.setTextFormat(Qt.TextFormat.RichText)
        self.why_text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse
                                              | Qt.TextInteractionFlag.LinksAccessibleByMouse)
        self.why_text.linkActivated.connect(self._toggle_why)
        # All of a customer's many reasons scroll within a few lines: the records keep the tab, even
        # in a 1,024 x 640 window.
        self.why_area = FittedText(self.why_text, max_lines=7)
        self.why_area.setAccessibleName("Why these records are one person")
        box.addWidget(self.why_title)
        box.addWidget(self.why_area)
        self.why_box.setVisible(False)
        self.why = None
        self.why_expanded = False
        return self.why_box

    def _why_when_shown(self) -> None:
        """The reasons of the card's records, once the Sources tab shows them (see show_customer)."""
        if self._why_for is not None and self.tabs.currentWidget() is self.sources_page:
            customer_id, self._why_for = self._why_for, None
            self._fill_why(customer_id)

    def _fill_why(self, customer_id: int) -> None:
        self.why = why_one_person(self.workspace, customer_id)
        self.why_expanded = False
        self.why_box.setVisible(bool(self.why.links or self.why.alone))
        # A customer with no name on a number many hold: why it is not one of them (shared_only).
        self.why_title.setText(f"Why these {self.why.records:,} records are one person" if self.why.links
                               else "Why this customer is on its own" if self.why.alone else "")
        self._show_why()

    def _toggle_why(self, _link: str = "") -> None:
        self.why_expanded = not self.why_expanded
        self._show_why()

    def _show_why(self) -> None:
        why = self.why
        if why is not None and why.alone and not why.links:
            self.why_text.setText(escape(why.alone))
            self.why_area.fit()
            return
        if why is None or not why.links:
            self.why_text.setText("")
            return
        zone = workspace_zone(self.workspace)
        # With its alpha: the palette's secondary text is the text colour, half transparent.
        muted = muted_color(self.palette()).name(QColor.NameFormat.HexArgb)
        shown = why.links if self.why_expanded or len(why.links) <= self.WHY_LINES + 1 else why.links[:self.WHY_LINES]
        lines = [_link_html(link, nice_date(local_day(link.when, zone)) if link.when else "", muted)
                 for link in shown]
        after = []
        if len(shown) < len(why.links):
            after.append(f"<a href='more'>Show all {len(why.links):,} reasons</a>")
        elif len(why.links) > self.WHY_LINES + 1:
            after.append("<a href='less'>Show fewer</a>")
        if why.compared < why.records and (self.why_expanded or len(shown) == len(why.links)):
            after.append(f"<span style='color:{muted}'>Compared for this: the first {why.compared:,} records "
                         "and every merge.</span>")
        # A list, so a long line wraps under its own text rather than under the bullet.
        self.why_text.setText("<ul style='margin-top:0px; margin-bottom:0px; margin-left:-24px; "
                              "-qt-list-indent:1'>" + "".join(f"<li>{line}</li>" for line in lines)
                              + "</ul>" + "<br>".join(after)
                              + (f"<p>{escape(why.alone)}</p>" if why.alone else ""))
        self.why_area.fit()

    def _source_selected(self, current: QModelIndex, _previous: QModelIndex) -> None:
        row = self.source_model.source_row(current.row()) if current.isValid() else None
        self._show_raw(row)
        # A customer's only record has nothing to be split from; a later row of an order goes only with
        # the order's first row (the split would say so), and the card says so before it is tried.
        self.split_note.setText(row.not_split if row is not None and not self.read_only else "")
        self.split_note.setVisible(bool(self.split_note.text()))
        self.split_button.setEnabled(row is not None and self.source_model.rowCount() > 1 and not row.not_split)

    def _split_selected(self) -> None:
        index = self.source_table.currentIndex()
        row = self.source_model.source_row(index.row()) if index.isValid() else None
        if row is not None and self.customer_id is not None and not self.read_only:
            self.operations.split(row.record_id, self.customer_id, f"{row.source_file} row {row.record_no}")

    def _show_raw(self, row: SourceRow | None) -> None:
        self.raw_table.setRowCount(0)
        if row is None:
            self.raw_title.setText("")
            self.raw_problems.setVisible(False)
            return
        self.raw_title.setText(f"{row.source_file} row {row.record_no} · {channel_name(row.channel)} · {row.kind}")
        self.raw_problems.setVisible(bool(row.problems))
        self.raw_problems.setText("Flagged: " + "; ".join(row.problems))
        pairs = raw_record(self.workspace, row.record_id)
        self.raw_table.setRowCount(len(pairs))
        for i, (column, value) in enumerate(pairs):
            name = QTableWidgetItem(column)
            name.setForeground(muted_color(self.palette()))
            cell = QTableWidgetItem(value)
            cell.setToolTip(value)
            self.raw_table.setItem(i, 0, name)
            self.raw_table.setItem(i, 1, cell)


def _link_html(link: Link, day: str, muted: str) -> str:
    """One link as a line: why in bold, then which records, then the day of a merge, muted."""
    why = link.why()
    when = f" · {escape(day)}".replace(" ", "\u00a0") if day else ""
    which = escape(link.which())
    for label in dict.fromkeys((link.left, link.right)):
        # A record's name wraps as a whole where it can: "Shop · orders.csv row 12" (a list of
        # rows may be long, and wraps anywhere).
        if link.count == 1 or label != link.right:
            which = which.replace(escape(label), escape(label).replace(" ", "\u00a0"), 1)
    return (f"<b>{escape(why[:1].upper() + why[1:])}</b> — {which}"
            f"<span style='color:{muted}'>{when}</span>")
