"""Export the customer list, or the customers selected in it, to a CSV file.

The dialog exports exactly the customers the list holds (its current search,
filters and order) or the selected ones, through the core's formula-safe
export; it is written on the task runner, off the UI thread, and can be
cancelled (no file is left behind).  It reports how many rows it wrote.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
)

from omnidesk.core.errors import UserError
from omnidesk.core.customers import custom_field_names
from omnidesk.core.exporting.tables import (
    CUSTOM_PREFIX,
    CUSTOMER_COLUMNS,
    CUSTOMERS_HEADER,
    custom_column_name,
    export_customers,
)
from omnidesk.core.tasks import Cancelled, Progress
from omnidesk.core.workspace import Workspace
from omnidesk.ui.models.customer_table_model import CUSTOM
from omnidesk.ui.save_names import with_ending
from omnidesk.ui.tasks import Task, TaskRunner
from omnidesk.core.text import counted

# The export column that carries what a column of the list shows.
SCREEN_TO_EXPORT = {
    "name": "name", "email": "email", "phone": "phone", "city": "city", "channels": "channels",
    "orders": "orders", "spend": "lifetime_spend", "last_seen": "last_seen", "tags": "tags",
    "consent_email": "consent_email", "consent_sms": "consent_sms", "consent_whatsapp": "consent_whatsapp",
    "first_seen": "first_seen", "company": "company", "postcode": "postcode", "country": "country",
}
_LABELS = {
    "id": "Customer id", "name": "Name (as the list shows it)", "full_name": "Full name",
    "first_name": "First name", "last_name": "Last name", "lifetime_spend": "Lifetime spend",
    "source_records": "Source records", "consent_email": "Email consent", "consent_sms": "SMS consent",
    "consent_whatsapp": "WhatsApp consent", "first_seen": "First seen", "last_seen": "Last seen",
}
CSV_FILTER = "CSV files (*.csv)"
_EMPTY_LIST = "No customer to export: the list is empty (its search, filters or rule pick nobody)."


def _export_column(screen_column: str) -> str | None:
    """The export column of a column of the list (a custom field's too), or None."""
    if screen_column.startswith(CUSTOM):
        return CUSTOM_PREFIX + screen_column[len(CUSTOM):]
    return SCREEN_TO_EXPORT.get(screen_column)


def default_columns(screen_columns: Sequence[str]) -> list[str]:
    """The export columns for what the list shows: the customer's id, then its columns in order."""
    cols = ["id"] + [c for c in (_export_column(k) for k in screen_columns) if c]
    return list(dict.fromkeys(cols))



class ExportDialog(QDialog):
    """Choose which customers, which columns and the file; then write it and say how many rows."""

    exported = Signal(str, int)  # path, rows written

    def __init__(self, workspace: Workspace, runner: TaskRunner, list_ids: Sequence[int],
                 selected_ids: Sequence[int] = (), *, selected_only: bool = False,
                 screen_columns: Sequence[str] = (), parent=None) -> None:
        super().__init__(parent)
        self.workspace = workspace
        self.runner = runner
        self.list_ids = list_ids
        self.selected = list(selected_ids)
        self.task: Task | None = None
        self.written: int | None = None
        self._close_after_cancel = False
        self.setWindowTitle("Export Customers")

        who = QGroupBox("Customers")
        wl = QVBoxLayout(who)
        self.all_radio = QRadioButton(f"All {counted(len(list_ids), 'customer')} in the list, in its order")
        # "The 0 customers selected", greyed, read as a choice that was there and empty.
        self.selected_radio = QRadioButton(f"The {counted(len(self.selected), 'customer')} selected"
                                           if self.selected else "The selected customers (none selected)")
        self.selected_radio.setEnabled(bool(self.selected))
        group = QButtonGroup(self)
        group.addButton(self.all_radio)
        group.addButton(self.selected_radio)
        (self.selected_radio if selected_only and self.selected else self.all_radio).setChecked(True)
        wl.addWidget(self.all_radio)
        wl.addWidget(self.selected_radio)

        cols = QGroupBox("Columns")
        cl = QVBoxLayout(cols)
        self.columns_list = QListWidget()
        self.columns_list.setAccessibleName("Columns to export")
        # The columns the list shows come first, ticked and in its order: the file reads like the screen.
        first = default_columns(screen_columns) if screen_columns else list(CUSTOMERS_HEADER)
        chosen = set(first)
        custom = [CUSTOM_PREFIX + name for name in custom_field_names(workspace)]
        ordered = list(dict.fromkeys([*first, *CUSTOMERS_HEADER, *CUSTOMER_COLUMNS, *custom]))
        for key in ordered:
            name = custom_column_name(key)
            item = QListWidgetItem(name or _LABELS.get(key, key.replace("_", " ").capitalize()))
            item.setData(Qt.ItemDataRole.UserRole, key)
            item.setToolTip(f"Written as the column “{name or key}”")
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if key in chosen else Qt.CheckState.Unchecked)
            self.columns_list.addItem(item)
        self.columns_list.itemChanged.connect(self._update_state)
        buttons_row = QHBoxLayout()
        self.all_columns = QPushButton("All")
        self.all_columns.clicked.connect(lambda: self._check_all(True))
        self.no_columns = QPushButton("None")
        self.no_columns.clicked.connect(lambda: self._check_all(False))
        buttons_row.addWidget(self.all_columns)
        buttons_row.addWidget(self.no_columns)
        buttons_row.addStretch(1)
        cl.addWidget(self.columns_list)
        cl.addLayout(buttons_row)

        self.excel = QCheckBox("Excel-friendly (UTF-8 with BOM)")
        self.excel.setToolTip("Adds a byte-order mark so Excel reads accents right; "
                              "leave it off for other programs, some of which stumble on it.")
        self.progress = QProgressBar()
        self.progress.setRange(0, 0)
        self.progress.setVisible(False)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.buttons = QDialogButtonBox()
        self.export_button = self.buttons.addButton("Export…", QDialogButtonBox.ButtonRole.AcceptRole)
        self.close_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Close)
        self.export_button.clicked.connect(self.export)
        self.close_button.clicked.connect(self.reject)
        # Export keeps the dialog open (it says what it wrote there): only Close closes it.

        layout = QVBoxLayout(self)
        layout.addWidget(who)
        layout.addWidget(cols, 1)
        layout.addWidget(self.excel)
        layout.addWidget(self.progress)
        layout.addWidget(self.status)
        layout.addWidget(self.buttons)
        self.resize(420, 560)
        self._update_state()

    # -- choices ---------------------------------------------------------------------

    def _check_all(self, on: bool) -> None:
        for i in range(self.columns_list.count()):
            self.columns_list.item(i).setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)

    def columns(self) -> list[str]:
        """The export columns checked, in the list's order."""
        return [item.data(Qt.ItemDataRole.UserRole) for item in
                (self.columns_list.item(i) for i in range(self.columns_list.count()))
                if item.checkState() == Qt.CheckState.Checked]

    def set_columns(self, keys: Sequence[str]) -> None:
        wanted = set(keys)
        for i in range(self.columns_list.count()):
            item = self.columns_list.item(i)
            item.setCheckState(Qt.CheckState.Checked if item.data(Qt.ItemDataRole.UserRole) in wanted
                               else Qt.CheckState.Unchecked)

    def ids(self) -> Sequence[int]:
        return self.selected if self.selected_radio.isChecked() else self.list_ids

    def _update_state(self, *_args) -> None:
        running = self.task is not None
        has_columns = bool(self.columns())
        self.export_button.setEnabled(not running and has_columns and bool(self.ids()))
        self.close_button.setText("Cancel" if running else "Close")
        for widget in (self.all_radio, self.columns_list, self.excel, self.all_columns, self.no_columns):
            widget.setEnabled(not running)
        self.selected_radio.setEnabled(not running and bool(self.selected))
        self.progress.setVisible(running)
        if not self.list_ids and not running and self.written is None:
            self._say(_EMPTY_LIST)
        elif not has_columns and not running:
            self._say("Choose at least one column.", error=True)
        elif self.status.property("error") and self.status.text() == "Choose at least one column.":
            self._say("")

    def _say(self, text: str, *, error: bool = False) -> None:
        self.status.setProperty("error", error)
        self.status.setStyleSheet("color: #C62828;" if error else "")
        self.status.setText(text)

    # -- writing ---------------------------------------------------------------------

    def ask_path(self) -> Path | None:
        """The file to write, asked with the system's dialog (which asks before replacing one)."""
        start = str(Path.home() / "customers.csv")
        name, _ = QFileDialog.getSaveFileName(self, "Export customers", start, CSV_FILTER)
        if not name:
            return None
        # The dialog asked about replacing the name as typed; ".csv" added may name another file.
        return with_ending(self, Path(name), ".csv")

    def export(self) -> None:
        """Ask for the file, then write the chosen customers and columns to it."""
        if self.task is not None:
            return
        columns, ids = self.columns(), self.ids()
        if not columns or not ids:
            return
        path = self.ask_path()
        if path is None:
            return
        excel = self.excel.isChecked()
        workspace = self.workspace

        def job(cancelled):
            yield Progress(0, len(ids), f"Exporting {counted(len(ids), 'customer')}…")
            # The file dialog has asked before replacing a file: writing over it is what was chosen.
            return export_customers(workspace, path, ids=ids, columns=columns, excel=excel,
                                    overwrite=True, cancelled=cancelled)

        # On the task runner however few: 5,000 customers written on the window's thread froze it
        # for most of a second.
        self._say(f"Exporting {counted(len(ids), 'customer')} to {path.name}…")
        self.task = Task(job)
        self.task.signals.finished.connect(lambda n, p=path: self._finished(p, n))
        self.task.signals.failed.connect(self._failed)
        self._update_state()
        self.runner.start(self.task)

    def _finished(self, path: Path, written: int) -> None:
        self.task = None
        self.written = written
        self._say(f"Wrote {counted(written, 'customer')} to {path}.")
        self._update_state()
        self.exported.emit(str(path), written)

    def _failed(self, exc: BaseException) -> None:
        cancelled = isinstance(exc, Cancelled)
        self.task = None
        self._update_state()
        if cancelled:
            self._say("Export cancelled: no file was written.")
            if self._close_after_cancel:
                super().reject()
            return
        reason = str(exc) if isinstance(exc, UserError) else f"{type(exc).__name__}: {exc}"
        self._say(f"Could not export: {reason}", error=True)

    def reject(self) -> None:
        """Close, or while writing, cancel first (the dialog closes once the work has stopped)."""
        if self.task is not None:
            self._close_after_cancel = True
            self.task.cancel()
            return
        super().reject()
