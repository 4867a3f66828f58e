"""The Identifiers tab: every email, phone and customer id the customer's records carry."""

from __future__ import annotations

from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QLabel, QStackedLayout, QTableView, QVBoxLayout, QWidget

from omnidesk.core.profile import CustomerProfile
from omnidesk.core.provenance import identifier_sources
from omnidesk.ui.models.identifier_table_model import IdentifierTableModel, identifier_lines
from omnidesk.ui.widgets.empty_state import EmptyState


class IdentifiersMixin:
    """The Identifiers tab of :class:`CustomerView`."""

    def _build_identifiers_tab(self) -> QWidget:
        self.identifier_model = IdentifierTableModel(parent=self)
        self.identifier_table = QTableView()
        self.identifier_table.setAccessibleName("Identifiers")
        self.identifier_table.setModel(self.identifier_model)
        self.identifier_table.setTabKeyNavigation(False)  # Tab leaves the table (arrows move in it)
        self.identifier_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.identifier_table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.identifier_table.verticalHeader().setVisible(False)
        self.identifier_table.verticalHeader().setDefaultSectionSize(24)
        self.identifier_table.setWordWrap(False)
        self.identifier_table.setShowGrid(False)
        self.identifier_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        header = self.identifier_table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        for column, width in enumerate((80, 250, 90, 100, 300)):
            self.identifier_table.setColumnWidth(column, width)
        hint = QLabel("Every email, phone and customer id this person's source records carry, and the "
                      "file, rows and channel each came from. Bold: shown on the card.")
        hint.setWordWrap(True)
        hint.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.identifiers_empty = EmptyState(
            "No identifiers",
            "No email, phone or customer id on record: only a name.",
        )
        holder = QWidget()
        self.identifier_pages = QStackedLayout(holder)
        self.identifier_pages.addWidget(self.identifier_table)
        self.identifier_pages.addWidget(self.identifiers_empty)
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addWidget(hint)
        layout.addWidget(holder, 1)
        return page

    def _fill_identifiers(self, p: CustomerProfile, found: list | None = None) -> None:
        """The Identifiers tab: ``found`` as :func:`identifier_sources` reads it (read now without)."""
        assert self.customer_id is not None
        if found is None:
            found = identifier_sources(self.workspace, self.customer_id)
        self.identifier_model.region = self._region()
        self.identifier_model.set_lines(identifier_lines(found, {"email": p.email, "phone": p.phone}, self.pins))
        count = self.identifier_model.identifier_count()
        self.tabs.setTabText(self.tabs.indexOf(self.identifiers_page), f"Identifiers ({count})")
        self.identifier_pages.setCurrentWidget(self.identifier_table if count else self.identifiers_empty)
