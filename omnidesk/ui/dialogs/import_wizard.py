"""ImportWizard: pick files, check how their columns are read, try them, import them.

The wizard only drives the core import pipeline (``analyze``, ``with_changes``,
``run_import``, ``remember_mapping``, ``write_error_report``); every read of a
whole file and every import runs as a :class:`~omnidesk.ui.tasks.Task` on the
runner, so the window stays responsive with large files.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSplitter,
    QStackedLayout,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from omnidesk.core.errors import UserError
from omnidesk.core.channels import SOURCES, channel_code, channel_name
from omnidesk.core.importing.fields import FIELDS, FIELDS_BY_NAME, IGNORE, Kind
from omnidesk.core.importing.pipeline import (
    PREVIEW_ROWS,
    ImportPlan,
    ImportResult,
    ImportOptions,
    analyze,
    estimate_records,
    remember_mapping,
    run_import,
    write_error_report,
)
from omnidesk.core.importing.encodings import CHOICES
from omnidesk.core.importing.phone_region import all_regions
from omnidesk.core.importing.sniff import UnreadableFileError
from omnidesk.core import failures
from omnidesk.core.importing.trial import needs_scratch_copy, scratch_copy
from omnidesk.core.tasks import Cancelled, Progress
from omnidesk.core.text import printable
from omnidesk.core.workspace import Workspace, WorkspaceError
from omnidesk.ui.tasks import Task, TaskRunner
from omnidesk.ui.widgets.empty_state import EmptyState

IMPORT_FILTER = "Data files (*.csv *.tsv *.txt);;All files (*)"
REPORT_FILTER = "CSV files (*.csv);;All files (*)"
PREVIEW_TABLE_ROWS = 20
EXAMPLES_PER_COLUMN = 3
# Below this a guess is shown as "please check" rather than silently trusted.
SURE_ENOUGH = 0.75

# Fixed hues that read on both light and dark palettes; everything else follows the palette.
ERROR_COLOR = "#d32f2f"
NOTICE_COLOR = "#b86e00"

DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe", ":": "colon", " ": "space"}
KIND_LABELS = {Kind.CONTACTS.value: "Contacts", Kind.EVENTS.value: "Events"}
KIND_TIPS = {
    Kind.CONTACTS.value: "One row per person: names, emails, phones, addresses, consent.",
    Kind.EVENTS.value: "One row per thing that happened: orders, purchases, email opens, visits.",
}
IDENTITY_FIELDS = frozenset({"email", "phone", "full_name", "first_name", "last_name", "external_id"})

# The columns of the trial-run and result tables: ImportResult attribute, heading.
# Two-line headings keep the number columns narrow, leaving the width to file names.
COUNT_COLUMNS: tuple[tuple[str, str], ...] = (
    ("rows", "Rows"),
    ("imported", "New\nrecords"),
    ("duplicates", "Duplicate\nrows"),
    ("flagged", "Flagged"),
    ("new_customers", "New\ncustomers"),
    ("updated_customers", "Updated\ncustomers"),
    ("events", "Events"),
)

FILES_PAGE, MAPPING_PAGE, CHECK_PAGE, IMPORT_PAGE, DONE_PAGE = range(5)


# -- plain helpers ---------------------------------------------------------------------


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}" if n == 1 else f"{n:,} {word}s"


def _channel_label(channel: str) -> str:
    return channel_name(channel)


def _field_label(name: str) -> str:
    return "Ignore" if name == IGNORE else FIELDS_BY_NAME[name].label


def _html(text: str) -> str:
    return html.escape(text, quote=False)


@dataclass
class FileEntry:
    """One picked file: its plan once read, or why it cannot be imported."""

    path: Path
    plan: ImportPlan | None = None
    error: str | None = None
    rows: int = 0
    rows_exact: bool = False
    user_kind: bool = False  # the user chose the kind; a new mapping must not re-guess it
    encoding: str | None = None  # the encoding the user chose; None: detected

    @property
    def reading(self) -> bool:
        return self.plan is None and self.error is None

    def format_text(self) -> str:
        """E.g. "Shopify customers export · UTF-8 · comma · 1,234 rows est."."""
        assert self.plan is not None
        fmt = self.plan.fmt
        name = self.plan.preset.label if self.plan.preset else "CSV file"
        delimiter = DELIMITER_NAMES.get(fmt.delimiter, f"'{fmt.delimiter}'")
        rows = _plural(self.rows, "row") + ("" if self.rows_exact else " est.")
        return f"{name} · {fmt.encoding_label} · {delimiter} · {rows}"

    def contents_text(self) -> str:
        assert self.plan is not None
        return f"{KIND_LABELS.get(self.plan.kind, self.plan.kind)} from {_channel_label(self.plan.channel)}"


@dataclass
class RunOutcome:
    """What running a list of plans did: finished files, failed files, and where a cancel stopped."""

    runs: list[tuple[ImportPlan, ImportResult]] = field(default_factory=list)
    errors: list[tuple[ImportPlan, str]] = field(default_factory=list)
    cancelled_at: ImportPlan | None = None
    not_started: list[ImportPlan] = field(default_factory=list)


def _read_files(workspace: Workspace, paths: list[Path], encodings: dict[Path, str] | None = None):
    """A task body: analyze each path (in the encoding the user chose for it, if any);
    an unreadable file becomes an error, the rest go on."""
    encodings = encodings or {}

    def work(cancelled):
        out: list[FileEntry] = []
        for i, path in enumerate(paths):
            if cancelled():
                raise Cancelled("Reading the files was cancelled.")
            yield Progress(i, len(paths), f"Reading {printable(path.name)}")
            entry = FileEntry(path, encoding=encodings.get(path))
            try:
                entry.plan = analyze(workspace, path, ImportOptions(encoding=entry.encoding))
                if len(entry.plan.preview) < PREVIEW_ROWS:
                    entry.rows, entry.rows_exact = len(entry.plan.preview), True
                else:
                    entry.rows = estimate_records(path, entry.plan.fmt)
            except (UnreadableFileError, UserError, OSError) as exc:
                entry.plan, entry.error = None, str(exc)
            except Exception as exc:  # a file the reader trips over must not stop the others
                entry.plan, entry.error = None, f'"{printable(path.name)}" could not be read ({exc}).'
            out.append(entry)
        return out

    return work


def _run_plans(workspace: Workspace, plans: list[ImportPlan], *, dry_run: bool):
    """A task body: run every plan in turn with one progress scale over all files.

    Each file is its own transaction, so a failed file is reported and the next
    one still runs; a cancel stops at the current file, which rolls back.  A
    trial of several files runs them for real in a scratch copy of the
    workspace, so each is counted against the ones before it (see ``trial``).
    """

    def work(cancelled):
        if dry_run and needs_scratch_copy(len(plans)):
            yield Progress(0, 1000 * len(plans), "Copying the workspace to try the files together…")
            with scratch_copy(workspace) as scratch:
                return (yield from each(scratch, cancelled, in_scratch=True))
        return (yield from each(workspace, cancelled, in_scratch=False))

    def each(target: Workspace, cancelled, *, in_scratch: bool):
        outcome = RunOutcome()
        n = len(plans)
        for i, plan in enumerate(plans):
            if cancelled():
                outcome.cancelled_at = plan
                outcome.not_started = plans[i + 1:]
                return outcome
            shown = printable(plan.file_name)
            prefix = f"File {i + 1} of {n} · {shown}" if n > 1 else shown
            gen = run_import(target, plan, dry_run=dry_run and not in_scratch, cancelled=cancelled)
            try:
                while True:
                    try:
                        p = next(gen)
                    except StopIteration as stop:
                        result = stop.value
                        if in_scratch:  # imported for real, but into a copy that goes away
                            result.dry_run, result.batch_id = True, None
                        outcome.runs.append((plan, result))
                        break
                    share = min(p.done / p.total, 1.0) if p.total else 0.0
                    yield Progress(int(1000 * (i + share)), 1000 * n, f"{prefix} — {p.message}")
            except Cancelled:
                outcome.cancelled_at = plan
                outcome.not_started = plans[i + 1:]
                return outcome
            except (UserError, WorkspaceError, OSError) as exc:  # e.g. busy with another window's import
                outcome.errors.append((plan, failures.message_for(exc, target.path)))
            except Exception as exc:  # the file rolled back; the others still deserve their turn
                if failures.is_disk_full(exc):
                    failures.release_log_space(target)
                outcome.errors.append((plan, f"Import of {printable(plan.file_name)} failed: "
                                             f"{failures.message_for(exc, target.path)}"))
            finally:
                gen.close()
        yield Progress(1000 * n, 1000 * n, "Finished")
        return outcome

    return work


# -- small widgets ---------------------------------------------------------------------


class ElidedLabel(QLabel):
    """A one-line label that shortens its text with "…" to fit, full text as tooltip."""

    def __init__(self, text: str = "", mode=Qt.TextElideMode.ElideMiddle, parent=None) -> None:
        super().__init__(parent)
        self._full = ""
        self._mode = mode
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.setMinimumWidth(40)
        self.set_full_text(text)

    def full_text(self) -> str:
        return self._full

    def set_full_text(self, text: str) -> None:
        self._full = text
        self.setToolTip(text)
        self._elide()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._elide()

    def sizeHint(self) -> QSize:
        hint = super().sizeHint()
        return QSize(min(self.fontMetrics().horizontalAdvance(self._full) + 4, 400), hint.height())

    def _elide(self) -> None:
        self.setText(self.fontMetrics().elidedText(self._full, self._mode, max(self.width(), 40)))


class NoWheelComboBox(QComboBox):
    """A combo box that ignores the wheel unless focused, so scrolling a list never changes it."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)

    def wheelEvent(self, event) -> None:
        if self.hasFocus():
            super().wheelEvent(event)
        else:
            event.ignore()


def _muted(label: QLabel) -> QLabel:
    pal = label.palette()
    pal.setColor(QPalette.ColorRole.WindowText, pal.color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.WindowText))
    label.setPalette(pal)
    return label


def _bold(label: QLabel) -> QLabel:
    font = label.font()
    font.setBold(True)
    label.setFont(font)
    return label


class CountsTable(QTableWidget):
    """Per-file counts of a run (trial or real) with a total row."""

    def __init__(self, parent=None) -> None:
        super().__init__(0, 1 + len(COUNT_COLUMNS), parent)
        self.setHorizontalHeaderLabels(["File"] + [label for _, label in COUNT_COLUMNS])
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.verticalHeader().setVisible(False)
        self.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.setWordWrap(False)
        header = self.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in range(1, self.columnCount()):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)

    def show_results(self, rows: Sequence[tuple[str, ImportResult | None]]) -> None:
        """One row per (file name, result); a file without a result shows dashes."""
        self.setRowCount(0)
        totals = dict.fromkeys((key for key, _ in COUNT_COLUMNS), 0)
        for name, result in rows:
            values = []
            for key, _ in COUNT_COLUMNS:
                if result is None:
                    values.append("—")
                else:
                    value = getattr(result, key)
                    totals[key] += value
                    values.append(f"{value:,}")
            self._add_row(name, values)
        if len([r for _, r in rows if r is not None]) > 1:
            self._add_row("Total", [f"{totals[key]:,}" for key, _ in COUNT_COLUMNS], bold=True)
        self.setFixedHeight(self._natural_height())

    def value(self, row: int, key: str) -> str:
        column = 1 + [k for k, _ in COUNT_COLUMNS].index(key)
        item = self.item(row, column)
        return item.text() if item else ""

    def _add_row(self, name: str, values: list[str], bold: bool = False) -> None:
        row = self.rowCount()
        self.insertRow(row)
        name = printable(name)
        cells = [QTableWidgetItem(name)] + [QTableWidgetItem(v) for v in values]
        cells[0].setToolTip(name)
        for column, item in enumerate(cells):
            if column:
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            if bold:
                font = item.font()
                font.setBold(True)
                item.setFont(font)
            self.setItem(row, column, item)

    def _natural_height(self) -> int:
        # Show every row without an inner scroll bar, up to a cap that still fits the page:
        # a dozen exports and their total, the line that matters most.
        rows = sum(self.rowHeight(r) for r in range(min(self.rowCount(), 13)))
        return self.horizontalHeader().sizeHint().height() + rows + 2 * self.frameWidth() + 2


# -- the preview model -----------------------------------------------------------------


class PreviewModel(QAbstractTableModel):
    """The first rows of a file as read, headed by each column's name and what it imports as."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._plan: ImportPlan | None = None
        self._rows: list = []

    def set_plan(self, plan: ImportPlan | None) -> None:
        self.beginResetModel()
        self._plan = plan
        self._rows = list(plan.preview[:PREVIEW_TABLE_ROWS]) if plan is not None else []
        self.endResetModel()

    def update_plan(self, plan: ImportPlan) -> None:
        """Same file, new mapping: only the headings and the greyed columns change."""
        if self._plan is None or plan.header != self._plan.header:
            self.set_plan(plan)
            return
        self._plan = plan
        if self.columnCount():
            self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, self.columnCount() - 1)
            if self.rowCount():
                self.dataChanged.emit(self.index(0, 0), self.index(self.rowCount() - 1, self.columnCount() - 1),
                                      [Qt.ItemDataRole.ForegroundRole])

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:
        if parent.isValid() or self._plan is None:
            return 0
        return len(self._plan.header)

    def _cell(self, row: int, column: int) -> str:
        values = self._rows[row].values
        return values[column] if column < len(values) else ""

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or self._plan is None:
            return None
        row, column = index.row(), index.column()
        if not (0 <= row < len(self._rows) and 0 <= column < len(self._plan.header)):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            # Cells with line breaks stay on one table line.
            return " ".join(self._cell(row, column).split("\n"))
        if role == Qt.ItemDataRole.ToolTipRole:
            text = self._cell(row, column)
            return text if len(text) > 30 or "\n" in text else None
        if role == Qt.ItemDataRole.ForegroundRole and self._plan.mapping[column] == IGNORE:
            from PySide6.QtWidgets import QApplication

            return QApplication.palette().color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text)
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if self._plan is None:
            return None
        if orientation == Qt.Orientation.Horizontal:
            if not 0 <= section < len(self._plan.header):
                return None
            name = self._plan.header[section]
            target = self._plan.mapping[section]
            if role == Qt.ItemDataRole.DisplayRole:
                return f"{name}\n→ {_field_label(target)}"
            if role == Qt.ItemDataRole.ToolTipRole:
                return f"Column '{name}' imports as: {_field_label(target)}"
            return None
        if not 0 <= section < len(self._rows):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return str(self._rows[section].number)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._rows[section].problem
        return None

    def flags(self, index: QModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable


# -- page 1: files ---------------------------------------------------------------------


class FileRow(QWidget):
    """How one picked file shows in the list: name, detected format, the encoding it
    is read in (which the user may change), and any problem."""

    encodingChosen = Signal(Path, str)  # the file, the codec the user picked

    def __init__(self, entry: FileEntry, parent=None) -> None:
        super().__init__(parent)
        self.path = entry.path
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.setSpacing(2)
        self.name = _bold(ElidedLabel(printable(entry.path.name)))
        self.name.setToolTip(printable(str(entry.path)))
        layout.addWidget(self.name)
        self.detail = QLabel()
        self.detail.setWordWrap(True)
        self.detail.setTextFormat(Qt.TextFormat.RichText)
        layout.addWidget(self.detail)
        self.encoding_label = QLabel("Encoding:")
        self.encoding = NoWheelComboBox()
        self.encoding.setToolTip("The character set the file was saved in. Omnidesk detects it; if names "
                                 "look wrong in the preview, choose another and the file is read again.")
        self.encoding.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.encoding.activated.connect(self._encoding_picked)
        self.encoding_note = _muted(QLabel())
        row = QHBoxLayout()
        row.setContentsMargins(0, 2, 0, 0)
        row.addWidget(self.encoding_label)
        row.addWidget(self.encoding)
        row.addWidget(self.encoding_note, 1)
        layout.addLayout(row)
        self.update_entry(entry)

    def update_entry(self, entry: FileEntry) -> None:
        if entry.reading:
            text = "Reading…"
        elif entry.error is not None:
            text = f'<span style="color:{ERROR_COLOR}">Cannot import: {_html(entry.error)}</span>'
        else:
            text = _html(entry.format_text()) + "<br>" + _html(entry.contents_text())
            if entry.plan is not None and entry.plan.previous_batch is not None:
                text += (f'<br><span style="color:{NOTICE_COLOR}"><b>Already imported — will add nothing</b>'
                         f" (import #{entry.plan.previous_batch})</span>")
            if entry.plan is not None:
                # How the file was read: a weak guess, garbled letters, lines in another code page.
                for warning in entry.plan.fmt.warnings:
                    text += f'<br><span style="color:{NOTICE_COLOR}">{_html(warning)}</span>'
        self.detail.setText(text)
        self.status_text = self.detail.text()
        self._show_encoding(entry)

    def _show_encoding(self, entry: FileEntry) -> None:
        shown = entry.plan is not None or (entry.reading and entry.encoding is not None)
        self.encoding_label.setVisible(shown)
        self.encoding.setVisible(shown)
        self.encoding_note.setVisible(shown)
        if not shown:
            return
        current = entry.encoding or (entry.plan.fmt.encoding if entry.plan is not None else "utf-8")
        current = {"utf-8-sig": "utf-8"}.get(current, current)
        self.encoding.blockSignals(True)
        self.encoding.clear()
        for codec, label in CHOICES.items():
            self.encoding.addItem(label, codec)
        if self.encoding.findData(current) < 0:
            self.encoding.addItem(current, current)
        self.encoding.setCurrentIndex(self.encoding.findData(current))
        self.encoding.setEnabled(not entry.reading)
        self.encoding.blockSignals(False)
        if entry.reading:
            self.encoding_note.setText("")
        elif entry.encoding is not None:
            self.encoding_note.setText("your choice")
        elif entry.plan is not None and entry.plan.fmt.fallback:
            self.encoding_note.setText(f"detected; some lines in {CHOICES.get(entry.plan.fmt.fallback, entry.plan.fmt.fallback)}")
        else:
            self.encoding_note.setText("detected")

    def _encoding_picked(self, index: int) -> None:
        codec = self.encoding.itemData(index)
        if codec:
            self.encodingChosen.emit(self.path, codec)


class FileList(QListWidget):
    """The picked files; rows are widgets whose height follows the list's width."""

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self.relayout()

    def relayout(self) -> None:
        width = self.viewport().width()
        for i in range(self.count()):
            item = self.item(i)
            widget = self.itemWidget(item)
            if widget is not None:
                # sizeHint() wraps text at an arbitrary narrow width; ask for this width instead.
                height = widget.heightForWidth(width) if widget.hasHeightForWidth() else -1
                item.setSizeHint(QSize(width, height if height > 0 else widget.sizeHint().height()))


class FilesPage(QWizardPage):
    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__()
        self.wiz = wizard
        self.setTitle("Choose the files to import")
        self.setSubTitle("Omnidesk reads each file and recognises its format. Nothing is saved until "
                         "you press Import.")
        self.setAcceptDrops(True)

        self.list = FileList()
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.list.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.list.setAlternatingRowColors(True)
        self.list.itemSelectionChanged.connect(self._update_buttons)
        remove_action = QAction("Remove", self.list)
        remove_action.setShortcut(QKeySequence.StandardKey.Delete)
        remove_action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        remove_action.triggered.connect(self.remove_selected)
        self.list.addAction(remove_action)

        self.empty = EmptyState(
            "No files yet",
            "Drop CSV exports from your online shop, email tool, till or lead forms here, "
            "or add them with the button.",
            "Add files…",
        )
        self.empty.actionTriggered.connect(self.add_files_clicked)
        # The wrapped hint needs its full height reserved, or the stacked layout clips it.
        self.empty.text.setMinimumHeight(self.empty.text.heightForWidth(self.empty.text.width()) + 4)

        self.add_button = QPushButton("Add files…")
        self.add_button.clicked.connect(self.add_files_clicked)
        self.remove_button = QPushButton("Remove")
        self.remove_button.setToolTip("Leave the selected files out of this import (Delete)")
        self.remove_button.clicked.connect(self.remove_selected)
        self.status = _muted(QLabel())
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        buttons.addSpacing(12)
        buttons.addWidget(self.status, 1)

        holder = QWidget()
        self.pages = QStackedLayout(holder)
        self.pages.addWidget(self.empty)
        self.pages.addWidget(self.list)
        layout = QVBoxLayout(self)
        layout.addWidget(holder, 1)
        layout.addLayout(buttons)
        self.rows: dict[Path, tuple[QListWidgetItem, FileRow]] = {}

    # -- driven by the wizard's entries

    def sync(self) -> None:
        """Make the list show the wizard's entries, in order."""
        entries = self.wiz.entries
        wanted = {e.path for e in entries}
        for path in [p for p in self.rows if p not in wanted]:
            item, _ = self.rows.pop(path)
            self.list.takeItem(self.list.row(item))
        for entry in entries:
            if entry.path in self.rows:
                self.rows[entry.path][1].update_entry(entry)
            else:
                item = QListWidgetItem()
                item.setData(Qt.ItemDataRole.UserRole, str(entry.path))
                row = FileRow(entry)
                row.encodingChosen.connect(self.wiz.set_encoding)
                self.list.addItem(item)
                self.list.setItemWidget(item, row)
                self.rows[entry.path] = (item, row)
        self.list.relayout()
        self.pages.setCurrentIndex(1 if entries else 0)
        # The empty state has its own Add button; the row below only matters once there is a list.
        self.add_button.setVisible(bool(entries))
        self.remove_button.setVisible(bool(entries))
        reading = sum(1 for e in entries if e.reading)
        bad = sum(1 for e in entries if e.error is not None)
        good = len(entries) - reading - bad
        parts = []
        if reading:
            parts.append(f"Reading {_plural(reading, 'file')}…")
        if entries and not reading:
            done = sum(1 for e in entries if e.error is None and e.plan is not None
                       and e.plan.previous_batch is not None)
            if good - done:
                parts.append(f"{_plural(good - done, 'file')} ready")
            if done:
                # Not "ready": importing them again adds nothing (the same file, byte for byte).
                parts.append(f"{_plural(done, 'file')} already imported")
            if bad:
                parts.append(f"{bad:,} left out")
        self.status.setText(" · ".join(parts))
        self._update_buttons()
        self.completeChanged.emit()

    def _update_buttons(self) -> None:
        self.remove_button.setEnabled(bool(self.list.selectedItems()))

    def add_files_clicked(self) -> None:
        self.wiz.add_files(self.wiz.ask_files())

    def remove_selected(self) -> None:
        paths = [Path(item.data(Qt.ItemDataRole.UserRole)) for item in self.list.selectedItems()]
        self.wiz.remove_files(paths)

    # -- drag and drop

    @staticmethod
    def _dropped_paths(event) -> list[Path]:
        mime = event.mimeData()
        if not mime.hasUrls():
            return []
        return [Path(url.toLocalFile()) for url in mime.urls() if url.isLocalFile() and url.toLocalFile()]

    def dragEnterEvent(self, event) -> None:
        if self._dropped_paths(event):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event) -> None:
        self.dragEnterEvent(event)

    def dropEvent(self, event) -> None:
        paths = [p for p in self._dropped_paths(event) if p.is_file()]
        if paths:
            event.acceptProposedAction()
            self.wiz.add_files(paths)
        else:
            event.ignore()

    # -- wizard protocol

    def isComplete(self) -> bool:
        return not self.wiz.reading and bool(self.wiz.plans)

    def validatePage(self) -> bool:
        return self.isComplete()


# -- page 2: mapping -------------------------------------------------------------------


class MappingPage(QWizardPage):
    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__()
        self.wiz = wizard
        self.setTitle("Check what each column holds")
        self.setSubTitle("Omnidesk matched your columns to its fields. Change any that are wrong; "
                         "ignored columns are still kept with each row, and a list of people's show on "
                         "the card under More fields (ids and IP addresses aside).")
        self.current = 0
        self.combos: list[QComboBox] = []
        self._filling = False

        self.file_label = QLabel("File:")
        self.file_combo = QComboBox()
        self.file_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.file_combo.setMinimumContentsLength(24)
        self.file_combo.currentIndexChanged.connect(self._file_changed)
        self.kind_combo = QComboBox()
        for key, label in KIND_LABELS.items():
            self.kind_combo.addItem(label, key)
            self.kind_combo.setItemData(self.kind_combo.count() - 1, KIND_TIPS[key], Qt.ItemDataRole.ToolTipRole)
        self.kind_combo.setToolTip("Does each row describe a person, or something a person did?")
        self.kind_combo.currentIndexChanged.connect(self._kind_changed)
        self.channel_combo = QComboBox()
        self.channel_combo.setEditable(True)
        self.channel_combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        for channel in SOURCES:
            self.channel_combo.addItem(channel.label, channel.code)
        self.channel_combo.setMinimumContentsLength(16)
        self.channel_combo.setToolTip("Where these people or events come from; type a name of your own if "
                                      "none fits.")
        self.channel_combo.currentTextChanged.connect(self._channel_changed)

        # With one file its name is a label; with several, the combo switches between them.
        self.file_name = _bold(ElidedLabel())
        top = QHBoxLayout()
        top.addWidget(self.file_label)
        top.addWidget(self.file_combo, 1)
        top.addWidget(self.file_name, 1)
        top.addSpacing(12)
        top.addWidget(QLabel("Contains:"))
        top.addWidget(self.kind_combo)
        top.addSpacing(12)
        top.addWidget(QLabel("From:"))
        top.addWidget(self.channel_combo)

        # How phone numbers without a country code are read: the file's evidence, or the user's pick.
        self.region_combo = QComboBox()
        self.region_combo.addItem("", "")  # "As the file shows: …", filled per file
        self.region_combo.insertSeparator(1)
        for code, label in all_regions():
            self.region_combo.addItem(label, code)
        self.region_combo.setMinimumContentsLength(30)
        self.region_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.region_combo.setToolTip("The country whose numbers the phone numbers without a country code are; "
                                     "a row's own country column still decides that row.")
        self.region_combo.currentIndexChanged.connect(self._region_changed)
        self.region_reason = QLabel()
        self.region_reason.setWordWrap(True)
        self.region_reason.setTextFormat(Qt.TextFormat.RichText)
        self.region_row = QWidget()
        region_line = QHBoxLayout(self.region_row)
        region_line.setContentsMargins(0, 0, 0, 0)
        region_line.addWidget(QLabel("Phone numbers without a country code are from:"))
        region_line.addWidget(self.region_combo)
        region_line.addSpacing(8)
        region_line.addWidget(self.region_reason, 1)

        self.warnings = QLabel()
        self.warnings.setWordWrap(True)
        self.warnings.setTextFormat(Qt.TextFormat.RichText)
        self.warnings.setFrameShape(QFrame.Shape.StyledPanel)
        self.warnings.setContentsMargins(6, 4, 6, 4)

        # Column -> field, one line per column, with example values to decide by.
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.grid = self._new_grid()
        columns_box = QWidget()
        cl = QVBoxLayout(columns_box)
        cl.setContentsMargins(0, 0, 0, 0)
        cl.setSpacing(2)
        cl.addWidget(self.scroll, 1)

        self.model = PreviewModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setWordWrap(False)
        self.table.setAlternatingRowColors(True)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.table.horizontalHeader().setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self.table.horizontalHeader().setMinimumSectionSize(60)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.verticalHeader().setDefaultSectionSize(self.table.fontMetrics().height() + 8)
        preview_box = QWidget()
        pl = QVBoxLayout(preview_box)
        pl.setContentsMargins(0, 6, 0, 0)
        pl.setSpacing(2)
        self.preview_label = _muted(QLabel())
        pl.addWidget(self.preview_label)
        pl.addWidget(self.table, 1)

        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.addWidget(columns_box)
        self.splitter.addWidget(preview_box)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.region_row)
        layout.addWidget(self.warnings)
        layout.addWidget(self.splitter, 1)
        layout.addWidget(self.wiz.remember_checkbox)

    # -- filling

    def initializePage(self) -> None:
        plans = self.wiz.plans
        self._filling = True
        self.file_combo.clear()
        for plan in plans:
            self.file_combo.addItem(printable(plan.file_name), str(plan.path))
            self.file_combo.setItemData(self.file_combo.count() - 1, str(plan.path), Qt.ItemDataRole.ToolTipRole)
        several = len(plans) > 1
        self.file_combo.setVisible(several)
        self.file_name.setVisible(not several)
        if plans and not several:
            self.file_name.set_full_text(printable(plans[0].file_name))
        self.current = min(self.current, max(len(plans) - 1, 0))
        self.file_combo.setCurrentIndex(self.current)
        self._filling = False
        self.show_file(self.current)
        # The column list is where decisions happen; the preview only needs a few rows.
        total = max(sum(self.splitter.sizes()), 400)
        self.splitter.setSizes([total * 3 // 5, total - total * 3 // 5])

    def show_file(self, index: int) -> None:
        """Rebuild the column list and preview for the wizard's ``index``-th plan."""
        plans = self.wiz.plans
        if not plans:
            return
        self.current = index
        plan = plans[index]
        self.grid = self._new_grid()
        self.combos = []
        for column, text in enumerate(("Column in your file", "Imports as", "Examples from the file")):
            self.grid.addWidget(_bold(QLabel(text)), 0, column)
        guesses = {g.index: g for g in plan.guesses}
        for i, header in enumerate(plan.header):
            name = ElidedLabel(header or f"(column {i + 1} has no name)", Qt.TextElideMode.ElideRight)
            name.setMinimumWidth(120)
            combo = NoWheelComboBox()
            combo.addItem("Ignore", IGNORE)
            combo.insertSeparator(1)
            for f in FIELDS:
                combo.addItem(f.label, f.name)
            combo.setMinimumContentsLength(18)
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.currentIndexChanged.connect(lambda _i, c=i, box=combo: self._field_chosen(c, box))
            guess = guesses.get(i)
            examples = self._examples(plan, i)
            sample = _muted(ElidedLabel(" · ".join(examples) if examples else "(empty in the first rows)",
                                        Qt.TextElideMode.ElideRight))
            sample.setMinimumWidth(120)
            if guess is not None and guess.field != IGNORE and guess.confidence < SURE_ENOUGH:
                name.set_full_text(f"{header}  (please check)")
            row = i + 1
            self.grid.addWidget(name, row, 0)
            self.grid.addWidget(combo, row, 1)
            self.grid.addWidget(sample, row, 2)
            self.combos.append(combo)
        self.grid.setRowStretch(len(plan.header) + 1, 1)
        self.model.set_plan(plan)
        self.table.resizeColumnsToContents()
        for c in range(self.model.columnCount()):
            self.table.setColumnWidth(c, min(max(self.table.columnWidth(c), 90), 220))
        shown = min(len(plan.preview), PREVIEW_TABLE_ROWS)
        self.preview_label.setText(f"Preview: the first {_plural(shown, 'row')} of {printable(plan.file_name)}, as read. "
                                   "Greyed columns are ignored.")
        self.refresh()

    def _new_grid(self) -> QGridLayout:
        # A fresh host per file: reusing one would leave the old rows painted until deleted.
        old = self.scroll.takeWidget()
        if old is not None:
            old.hide()
            old.deleteLater()
        host = QWidget()
        grid = QGridLayout(host)
        grid.setContentsMargins(6, 4, 6, 4)
        grid.setHorizontalSpacing(12)
        grid.setVerticalSpacing(4)
        grid.setColumnStretch(0, 2)
        grid.setColumnStretch(2, 3)
        self.scroll.setWidget(host)
        return grid

    @staticmethod
    def _examples(plan: ImportPlan, column: int) -> list[str]:
        seen: list[str] = []
        for rec in plan.preview:
            if column < len(rec.values):
                value = " ".join(rec.values[column].split())
                if value and value not in seen:
                    seen.append(value)
                    if len(seen) == EXAMPLES_PER_COLUMN:
                        break
        return seen

    def refresh(self) -> None:
        """Show the current plan's choices without re-triggering the change handlers."""
        plans = self.wiz.plans
        if not plans or self.current >= len(plans):
            return
        plan = plans[self.current]
        self._filling = True
        try:
            guesses = {g.index: g for g in plan.guesses}
            for i, combo in enumerate(self.combos):
                combo.setCurrentIndex(max(combo.findData(plan.mapping[i]), 0))
                combo.setToolTip(self._why(plan, i, guesses.get(i)))
            self.kind_combo.setCurrentIndex(max(self.kind_combo.findData(plan.kind), 0))
            at = self.channel_combo.findData(plan.channel)
            if at >= 0:
                self.channel_combo.setCurrentIndex(at)
            else:
                self.channel_combo.setEditText(plan.channel)
            self._show_region(plan)
        finally:
            self._filling = False
        self.model.update_plan(plan)
        self._show_warnings(plan)

    def _show_region(self, plan: ImportPlan) -> None:
        """The phone region row: shown when a column holds phones, with the decision and why."""
        self.region_row.setVisible("phone" in plan.mapping)
        decided = plan.phone_region
        if decided is None:
            return
        found = plan.file_phone_region()
        self.region_combo.setItemText(0, f"As the file shows: {found.label}")
        at = self.region_combo.findData(decided.code) if decided.source == "chosen" else 0
        self.region_combo.setCurrentIndex(max(at, 0))
        text = _html(decided.explain())
        if decided.code is None:
            text = f'<span style="color:{NOTICE_COLOR}">{text}</span>'
        self.region_reason.setText(text)
        self.region_reason.setToolTip(decided.explain())

    @staticmethod
    def _why(plan: ImportPlan, column: int, guess) -> str:
        chosen = plan.mapping[column]
        if guess is not None and guess.field == chosen:
            sure = "" if guess.confidence >= SURE_ENOUGH else " — not sure, please check"
            return f"Suggested because: {guess.reason} ({guess.confidence:.0%} sure){sure}"
        if plan.mapping_source == "saved":
            return "Remembered from an earlier import of a file with these columns"
        return "Your choice"

    def _show_warnings(self, plan: ImportPlan) -> None:
        # The phone region has its own line above, with a way to change it.
        notes = [w for w in plan.warnings if not w.startswith("phone region: ")]
        if plan.previous_batch is not None:
            notes.insert(0, f"This exact file was already imported (import #{plan.previous_batch}); "
                            "importing it again will add nothing.")
        if not IDENTITY_FIELDS & set(plan.mapping):
            notes.append("No column is used as email, phone, name or customer ID, so these rows cannot "
                         "be matched to customers.")
        self.warnings.setVisible(bool(notes))
        if notes:
            items = "".join(f"<li>{_html(n)}</li>" for n in notes)
            self.warnings.setText(f'<b style="color:{NOTICE_COLOR}">Please check</b>'
                                  f'<ul style="margin:0 0 0 -20px">{items}</ul>')

    # -- user changes

    def _file_changed(self, index: int) -> None:
        if not self._filling and index >= 0:
            self.show_file(index)

    def _field_chosen(self, column: int, combo: QComboBox) -> None:
        if self._filling:
            return
        self.wiz.set_field_for_column(self.current, column, combo.currentData())

    def _region_changed(self, _index: int) -> None:
        if not self._filling:
            self.wiz.set_phone_region(self.current, self.region_combo.currentData() or "")

    def _kind_changed(self, _index: int) -> None:
        if not self._filling:
            self.wiz.set_kind(self.current, self.kind_combo.currentData())

    def _channel_changed(self, text: str) -> None:
        if self._filling:
            return
        text = text.strip()
        if not text:
            return  # half-typed: keep the previous channel until there is a name
        self.wiz.set_channel(self.current, channel_code(text))


# -- page 3: trial run -----------------------------------------------------------------


class CheckPage(QWizardPage):
    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__()
        self.wiz = wizard
        self.setTitle("Trial run")
        self.setSubTitle("Omnidesk goes through every row exactly as the import will, then undoes it, so "
                         "these numbers are what you will get. Nothing is saved yet.")
        self.setCommitPage(True)
        self.setButtonText(QWizard.WizardButton.CommitButton, "Import")
        self.task: Task | None = None
        self.outcome: RunOutcome | None = None

        self.progress = QProgressBar()
        self.progress.setTextVisible(False)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setTextFormat(Qt.TextFormat.RichText)
        self.table = CountsTable()
        self.notes = QLabel()
        self.notes.setWordWrap(True)
        self.notes.setTextFormat(Qt.TextFormat.RichText)
        self.notes.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.notes.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        notes_scroll = QScrollArea()
        notes_scroll.setWidgetResizable(True)
        notes_scroll.setFrameShape(QFrame.Shape.NoFrame)
        notes_scroll.setWidget(self.notes)
        layout = QVBoxLayout(self)
        layout.addWidget(self.status)
        layout.addWidget(self.progress)
        layout.addWidget(self.table)
        layout.addWidget(notes_scroll, 1)

    def initializePage(self) -> None:
        self.outcome = None
        self.table.show_results([(p.file_name, None) for p in self.wiz.plans])
        self.notes.clear()
        self.progress.setRange(0, 0)
        self.progress.show()
        self.status.setText("Trying the import…")
        task = Task(_run_plans(self.wiz.workspace, list(self.wiz.plans), dry_run=True))
        task.signals.progressed.connect(lambda d, t, m, task=task: self._progressed(task, d, t, m))
        task.signals.finished.connect(lambda outcome, task=task: self._finished(task, outcome))
        task.signals.failed.connect(lambda exc, task=task: self._failed(task, exc))
        self.task = task
        self.completeChanged.emit()
        self.wiz.runner.start(task)

    def cleanupPage(self) -> None:
        # Going back while the trial runs: stop it; its late report is ignored.
        if self.task is not None and not self.task.done.is_set():
            self.task.cancel()
        self.task = None
        self.outcome = None

    def _progressed(self, task: Task, done: int, total: int, message: str) -> None:
        if task is not self.task:
            return
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(min(done, total))
        self.status.setText(_html(message))

    def _finished(self, task: Task, outcome: RunOutcome) -> None:
        if task is not self.task:
            return
        self.outcome = outcome
        self.progress.hide()
        results = {id(plan): result for plan, result in outcome.runs}
        self.table.show_results([(p.file_name, results.get(id(p))) for p in self.wiz.plans])
        ok = len(outcome.runs)
        if outcome.cancelled_at is not None:
            self.status.setText("The trial run was stopped.")
        elif outcome.errors and not ok:
            self.status.setText(f'<span style="color:{ERROR_COLOR}">None of the files can be imported as '
                                "they are; go Back to change how their columns are read.</span>")
        else:
            new = sum(r.imported for _, r in outcome.runs)
            self.status.setText(f"Ready: the import will add {_plural(new, 'new record')} from "
                                f"{_plural(ok, 'file')}. Press Import to save them, or Back to change "
                                "the columns.")
        notes = _notes_html(self.wiz, outcome, trial=True)
        if len(outcome.runs) > 1:
            # The files were tried together, in a copy of the workspace (see core.importing.trial).
            notes += ("<p>The files were tried together, in this order: a person already met in an "
                      "earlier file counts as an updated customer, not a new one, as in the import.</p>")
        self.notes.setText(notes)
        self.completeChanged.emit()

    def _failed(self, task: Task, exc: BaseException) -> None:
        if task is not self.task:
            return
        self.progress.hide()
        reason = failures.message_for(exc, self.wiz.workspace.path if self.wiz.workspace else None)
        self.status.setText(f'<span style="color:{ERROR_COLOR}">The trial run failed: {_html(reason)}</span>')
        self.completeChanged.emit()

    @property
    def running(self) -> bool:
        return self.task is not None and self.outcome is None and not self.task.done.is_set()

    def isComplete(self) -> bool:
        return self.outcome is not None and bool(self.outcome.runs) and self.outcome.cancelled_at is None

    def validatePage(self) -> bool:
        return self.isComplete()


def _notes_html(wizard: ImportWizard, outcome: RunOutcome, *, trial: bool) -> str:
    """Everything worth knowing beyond the counts, one bullet per point."""
    notes: list[str] = []
    for entry in wizard.entries:
        if entry.error is not None:
            notes.append(f'<span style="color:{ERROR_COLOR}">Left out: {_html(entry.error)}</span>')
    for plan, message in outcome.errors:
        notes.append(f'<span style="color:{ERROR_COLOR}"><b>{_html(printable(plan.file_name))}</b>: '
                     f"{_html(message)}</span>")
    flagged_total = 0
    for plan, result in outcome.runs:
        name = f"<b>{_html(printable(plan.file_name))}</b>"
        if result.already_imported is not None:
            notes.append(f'<span style="color:{NOTICE_COLOR}">{name}: already imported '
                         f"(import #{result.already_imported}) — will add nothing.</span>"
                         if trial else f"{name}: already imported before, so nothing was added.")
            continue
        for warning in plan.warnings:
            notes.append(f"{name}: {_html(warning)}")
        for note in result.skip_notes():
            notes.append(f"{name}: {_html(note)}")
        if result.flagged:
            flagged_total += result.flagged
            first = result.flagged_rows[0] if result.flagged_rows else None
            example = (f" — for example row {first.record.number}: {_html('; '.join(first.problems))}"
                       if first else "")
            notes.append(f"{name}: {_plural(result.flagged, 'row')} "
                         f"{'has' if result.flagged == 1 else 'have'} a problem{example}.")
    if flagged_total:
        notes.append("Rows with problems are still imported, marked for review. "
                     + ("After the import you can save them to a file, fix them and import that file."
                        if trial else "Save them to a file with “Save error report…”, fix them and "
                        "import that file."))
    if not notes:
        return "No problems found." if outcome.runs else ""
    return "<ul style='margin-left:-20px'>" + "".join(f"<li>{n}</li>" for n in notes) + "</ul>"


# -- page 4: importing -----------------------------------------------------------------


class ImportPage(QWizardPage):
    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__()
        self.wiz = wizard
        self.setTitle("Importing")
        self.setSubTitle("Each file is saved completely or not at all. You can keep working in Omnidesk "
                         "meanwhile.")
        self.setCommitPage(True)
        self.setButtonText(QWizard.WizardButton.CommitButton, "See results")
        self.task: Task | None = None
        self.outcome: RunOutcome | None = None
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setTextFormat(Qt.TextFormat.RichText)
        self.progress = QProgressBar()
        self.progress.setTextVisible(True)
        self.cancel_button = QPushButton("Cancel import")
        self.cancel_button.clicked.connect(self.cancel)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setTextFormat(Qt.TextFormat.RichText)
        row = QHBoxLayout()
        row.addWidget(self.progress, 1)
        row.addWidget(self.cancel_button)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        layout.addWidget(self.status)
        layout.addLayout(row)
        layout.addSpacing(12)
        layout.addWidget(self.message)
        layout.addStretch(2)

    @property
    def running(self) -> bool:
        return self.task is not None and self.outcome is None and not self.task.done.is_set()

    def initializePage(self) -> None:
        plans = list(self.wiz.plans)
        self.outcome = None
        self.message.clear()
        self.progress.setRange(0, 0)
        self.cancel_button.setEnabled(True)
        self.cancel_button.show()
        self.status.setText(f"Importing {_plural(len(plans), 'file')}…")
        # The results page says how the workspace changed as a whole (see DonePage).
        self.wiz.customers_before = self.wiz.workspace.counts()["customers"]
        task = Task(_run_plans(self.wiz.workspace, plans, dry_run=False))
        task.signals.progressed.connect(self._progressed)
        task.signals.finished.connect(self._finished)
        task.signals.failed.connect(self._failed)
        self.task = task
        self.completeChanged.emit()
        self.wiz.runner.start(task)

    def cancel(self) -> None:
        if self.running and self.task is not None:
            self.task.cancel()
            self.cancel_button.setEnabled(False)
            self.status.setText("Cancelling… the file being imported is rolled back.")

    def _progressed(self, done: int, total: int, message: str) -> None:
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(min(done, total))
        self.status.setText(_html(message))
        self.wiz.importProgressed.emit(done, total, message)

    def _finished(self, outcome: RunOutcome) -> None:
        self.outcome = outcome
        self.cancel_button.hide()
        self.wiz.import_done(outcome)
        if outcome.cancelled_at is not None:
            self.progress.hide()
            self.status.setText("")
            self.message.setText(_cancel_text(outcome))
            self.wiz.setButtonText(QWizard.WizardButton.CancelButton, "Close")
            self.completeChanged.emit()
            return
        self.progress.setRange(0, 1)
        self.progress.setValue(1)
        self.status.setText("Finished.")
        self.completeChanged.emit()
        # Deferred: this may run inside the wizard's own page switch.
        QTimer.singleShot(0, self._advance)

    def _advance(self) -> None:
        if self.wiz.currentPage() is self:
            self.wiz.next()

    def _failed(self, exc: BaseException) -> None:
        self.outcome = RunOutcome()
        self.cancel_button.hide()
        self.progress.hide()
        where = self.wiz.workspace.path if self.wiz.workspace else None
        text = (failures.message_for(exc, where) if isinstance(exc, (UserError, WorkspaceError, OSError)) or failures.describe(exc, where)
                else f"Import failed: {failures.message_for(exc, where)}")
        self.status.setText("")
        self.message.setText(f'<span style="color:{ERROR_COLOR}">{_html(text)}</span>')
        self.wiz.setButtonText(QWizard.WizardButton.CancelButton, "Close")
        self.completeChanged.emit()
        self.wiz.importsFailed.emit(text)

    def isComplete(self) -> bool:
        return self.outcome is not None and bool(self.outcome.runs or self.outcome.errors)

    def validatePage(self) -> bool:
        return self.isComplete()


def _cancel_text(outcome: RunOutcome) -> str:
    if not outcome.runs:
        return "<b>Import cancelled — nothing was changed.</b>"
    kept = ", ".join(_html(printable(p.file_name)) for p, _ in outcome.runs)
    rest = [outcome.cancelled_at] + outcome.not_started if outcome.cancelled_at else outcome.not_started
    others = ", ".join(_html(printable(p.file_name)) for p in rest)
    return (f"<b>Import cancelled.</b> {_plural(len(outcome.runs), 'file')} had already finished and "
            f"{'is' if len(outcome.runs) == 1 else 'are'} kept: {kept}. Nothing from {others} was saved. "
            "Press See results for the details.")


# -- page 5: done ----------------------------------------------------------------------


class DonePage(QWizardPage):
    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__()
        self.wiz = wizard
        self.setTitle("Import finished")
        self.setSubTitle("Here is what was added. The Imports screen can undo any of these files later.")
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.table = CountsTable()
        self.notes = QLabel()
        self.notes.setWordWrap(True)
        self.notes.setTextFormat(Qt.TextFormat.RichText)
        self.notes.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        notes_scroll = QScrollArea()
        notes_scroll.setWidgetResizable(True)
        notes_scroll.setFrameShape(QFrame.Shape.NoFrame)
        notes_scroll.setWidget(self.notes)
        self.report_button = QPushButton("Save error report…")
        self.report_button.setToolTip("Save the rows that had problems, with what is wrong, as a CSV file")
        self.report_button.clicked.connect(self.wiz.save_error_report)
        self.report_status = QLabel()
        self.report_status.setWordWrap(True)
        row = QHBoxLayout()
        row.addWidget(self.report_button)
        row.addWidget(self.report_status, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.table)
        layout.addWidget(notes_scroll, 1)
        layout.addLayout(row)

    def initializePage(self) -> None:
        outcome = self.wiz.outcome or RunOutcome()
        results = {id(plan): result for plan, result in outcome.runs}
        attempted = [p for p, _ in outcome.runs] + [p for p, _ in outcome.errors]
        order = [p for p in self.wiz.plans if any(p is a for a in attempted)]
        self.table.show_results([(p.file_name, results.get(id(p))) for p in order])
        new = sum(r.imported for _, r in outcome.runs)
        created = sum(r.new_customers for _, r in outcome.runs)
        updated = sum(r.updated_customers for _, r in outcome.runs)
        events = sum(r.events for _, r in outcome.runs)
        files = len([r for _, r in outcome.runs if r.already_imported is None])
        parts = [f"Added {_plural(new, 'record')} from {_plural(files, 'file')}"]
        if events:
            parts.append(_plural(events, "event"))
        # Per file, customers are counted as each file found them; a later file can show two
        # of them to be one person, so the sum is not the workspace's change: say that instead.
        after = self.wiz.workspace.counts()["customers"]
        before = self.wiz.customers_before
        grown = f" ({after - before:+,})" if before is not None else ""
        self.summary.setText(", ".join(parts) + f". The workspace now has {_plural(after, 'customer')}{grown}.")
        self.summary.setToolTip(f"Per file: {_plural(created, 'new customer')} and {updated:,} updated; "
                                "people found in several files are counted once in the workspace.")
        notes = _notes_html(self.wiz, outcome, trial=False)
        if before is not None and created != after - before:
            notes += (f"<p>The table counts new customers file by file ({created:,}); a later file "
                      f"showed some of them to be one person, so the workspace gained "
                      f"{after - before:,}.</p>")
        if self.wiz.remember_note:
            notes += f"<p>{_html(self.wiz.remember_note)}</p>"
        self.notes.setText(notes)
        self.setTitle("Import finished" if outcome.runs else "Nothing was imported")
        flagged = sum(r.flagged for _, r in outcome.runs)
        self.report_button.setEnabled(flagged > 0)
        self.report_status.setText("" if flagged else "No rows had problems.")


# -- the wizard ------------------------------------------------------------------------


class ImportWizard(QWizard):
    """Pick files, check their columns, try the import, run it, and see what it did."""

    importsFinished = Signal(list)  # the ImportResult of every file that finished
    importsFailed = Signal(str)
    importProgressed = Signal(int, int, str)  # the real import's progress, over all files

    def __init__(self, workspace: Workspace, files: list[Path], runner: TaskRunner, parent=None) -> None:
        super().__init__(parent)
        self.workspace = workspace
        self.runner = runner
        self.entries: list[FileEntry] = []
        self.results: list[ImportResult] = []
        self.runs: list[tuple[ImportPlan, ImportResult]] = []
        self.outcome: RunOutcome | None = None
        self.customers_before: int | None = None  # the workspace's, when the import started
        self.remember_note = ""
        self._pending: list[Path] = []
        self._reading: Task | None = None
        self._remember_touched = False

        self.setWindowTitle("Import files")
        self.setOption(QWizard.WizardOption.NoBackButtonOnStartPage, True)
        self.setOption(QWizard.WizardOption.NoCancelButtonOnLastPage, True)
        self.setButtonText(QWizard.WizardButton.FinishButton, "Done")
        self.setMinimumSize(760, 560)
        # As big as the pages want, but never past the screen (the buttons are at the bottom).
        screen = self.screen() or QGuiApplication.primaryScreen()
        available = screen.availableGeometry() if screen else None
        self.resize(min(940, available.width() - 40) if available else 940,
                    min(720, available.height() - 40) if available else 720)

        self.remember_checkbox = QCheckBox("Remember this mapping for files with these columns")
        self.remember_checkbox.setToolTip("Next time a file with exactly these column names is imported, "
                                          "your choices are used instead of the guesses.")
        self.remember_checkbox.toggled.connect(self._remember_toggled)

        self.files_page = FilesPage(self)
        self.mapping_page = MappingPage(self)
        self.check_page = CheckPage(self)
        self.import_page = ImportPage(self)
        self.done_page = DonePage(self)
        self.setPage(FILES_PAGE, self.files_page)
        self.setPage(MAPPING_PAGE, self.mapping_page)
        self.setPage(CHECK_PAGE, self.check_page)
        self.setPage(IMPORT_PAGE, self.import_page)
        self.setPage(DONE_PAGE, self.done_page)
        self.setStartId(FILES_PAGE)
        self.files_page.sync()
        self.add_files(files)

    # -- overridable questions (tests replace these)

    def ask_files(self) -> list[Path]:
        names, _ = QFileDialog.getOpenFileNames(self, "Add files", str(Path.home()), IMPORT_FILTER)
        return [Path(n) for n in names]

    def ask_error_report_path(self) -> Path | None:
        start = Path.home() / "import problems.csv"
        name, _ = QFileDialog.getSaveFileName(self, "Save error report", str(start), REPORT_FILTER)
        return Path(name) if name else None

    # -- files

    @property
    def plans(self) -> list[ImportPlan]:
        """The current plan of every readable file, in the order the files were picked."""
        return [e.plan for e in self.entries if e.plan is not None]

    @property
    def reading(self) -> bool:
        return self._reading is not None or bool(self._pending)

    def add_files(self, paths: Sequence[Path]) -> None:
        """Add files to the list and read them on the runner; a file already listed is skipped."""
        known = {e.path.resolve() for e in self.entries}
        fresh = []
        for path in paths:
            path = Path(path)
            if path.resolve() not in known:
                known.add(path.resolve())
                fresh.append(path)
                self.entries.append(FileEntry(path))
        if not fresh:
            return
        self._pending.extend(fresh)
        self.files_page.sync()
        self._read_next()

    def set_encoding(self, path: Path, codec: str) -> None:
        """Read ``path`` again in ``codec`` (the user's choice); its plan is made anew."""
        for entry in self.entries:
            if entry.path == path:
                if entry.encoding == codec or (entry.encoding is None and entry.plan is not None
                                               and entry.plan.fmt.encoding == codec):
                    return
                entry.encoding, entry.plan, entry.error = codec, None, None
                entry.user_kind = False
                if path not in self._pending:
                    self._pending.append(path)
                break
        else:
            return
        self.files_page.sync()
        self._read_next()

    def remove_files(self, paths: Sequence[Path]) -> None:
        gone = {Path(p) for p in paths}
        self.entries = [e for e in self.entries if e.path not in gone]
        self._pending = [p for p in self._pending if p not in gone]
        self.files_page.sync()

    def _read_next(self) -> None:
        if self._reading is not None or not self._pending:
            return
        batch, self._pending = self._pending, []
        chosen = {e.path: e.encoding for e in self.entries if e.encoding is not None}
        task = Task(_read_files(self.workspace, batch, chosen))
        task.signals.finished.connect(self._files_read)
        task.signals.failed.connect(self._files_failed)
        self._reading = task
        self.runner.start(task)

    def _files_read(self, read: list[FileEntry]) -> None:
        by_path = {e.path: e for e in read}
        for i, entry in enumerate(self.entries):
            done = by_path.get(entry.path)
            # A file whose encoding was changed while it was read waits for its new reading.
            if done is not None and done.encoding == entry.encoding:
                self.entries[i] = done
        self._reading = None
        self.files_page.sync()
        self._read_next()

    def _files_failed(self, exc: BaseException) -> None:
        for entry in self.entries:
            if entry.reading and entry.path not in self._pending:
                entry.error = f'"{printable(entry.path.name)}" could not be read ({exc}).'
        self._reading = None
        self.files_page.sync()
        self._read_next()

    # -- mapping changes (what the combos do)

    def _entry(self, file_index: int) -> FileEntry:
        return [e for e in self.entries if e.plan is not None][file_index]

    def _replace_plan(self, file_index: int, plan: ImportPlan) -> None:
        self._entry(file_index).plan = plan
        if self.currentPage() is self.mapping_page and self.mapping_page.current == file_index:
            self.mapping_page.refresh()

    def set_field_for_column(self, file_index: int, column: int, field_name: str) -> None:
        """Import column ``column`` of the ``file_index``-th plan as ``field_name`` (or IGNORE)."""
        entry = self._entry(file_index)
        assert entry.plan is not None
        mapping = list(entry.plan.mapping)
        if mapping[column] == field_name:
            return
        mapping[column] = field_name
        kind = entry.plan.kind if entry.user_kind else None
        self._replace_plan(file_index, entry.plan.with_changes(mapping=mapping, kind=kind))
        if not self._remember_touched:
            self.remember_checkbox.blockSignals(True)
            self.remember_checkbox.setChecked(True)
            self.remember_checkbox.blockSignals(False)

    def set_kind(self, file_index: int, kind: str) -> None:
        entry = self._entry(file_index)
        assert entry.plan is not None
        entry.user_kind = True
        self._replace_plan(file_index, entry.plan.with_changes(kind=kind))

    def set_phone_region(self, file_index: int, code: str) -> None:
        """Read the plan's numbers without a country code as ``code``'s ("" = as the file shows)."""
        entry = self._entry(file_index)
        assert entry.plan is not None
        self._replace_plan(file_index, entry.plan.with_changes(phone_region=code))

    def set_channel(self, file_index: int, channel: str) -> None:
        entry = self._entry(file_index)
        assert entry.plan is not None
        self._replace_plan(file_index, entry.plan.with_changes(channel=channel))

    def _remember_toggled(self, _checked: bool) -> None:
        # Once the user has decided, later changes no longer tick the box for them.
        self._remember_touched = True

    # -- importing

    def cancel_import(self) -> None:
        """Stop the running import; the file in progress rolls back."""
        self.import_page.cancel()

    def import_done(self, outcome: RunOutcome) -> None:
        """Record what the real import did, remember mappings, and tell the listeners."""
        self.outcome = outcome
        self.runs = list(outcome.runs)
        self.results = [r for _, r in outcome.runs]
        self.remember_note = ""
        if self.remember_checkbox.isChecked():
            remembered = []
            for plan, _ in outcome.runs:
                if plan.mapping_source == "user":
                    try:
                        remember_mapping(self.workspace, plan)
                        remembered.append(printable(plan.file_name))
                    except Exception as exc:  # the import itself succeeded; only the shortcut is lost
                        self.remember_note = f"Could not remember the columns of {printable(plan.file_name)}: {exc}"
            if remembered and not self.remember_note:
                self.remember_note = ("Your column choices are remembered for files with the same columns as "
                                      + ", ".join(remembered) + ".")
        if self.results:
            self.importsFinished.emit(self.results)
        elif outcome.cancelled_at is not None:
            self.importsFailed.emit("Import cancelled — nothing was changed.")
        else:
            self.importsFailed.emit("; ".join(message for _, message in outcome.errors)
                                    or "Nothing was imported.")

    def save_error_report(self) -> int | None:
        """Ask where, then write every flagged row with its problems; returns the rows written."""
        flagged = [(p, r) for p, r in self.runs if r.flagged]
        if not flagged:
            return None
        out = self.ask_error_report_path()
        if out is None:
            return None
        status = self.done_page.report_status
        try:
            written = write_error_report(out, flagged, overwrite=True)  # the save dialog asked
        except (UserError, OSError) as exc:
            reason = failures.message_for(exc, None) if not failures.is_disk_full(exc) else \
                failures.disk_full_message(exc, None, places=[out.parent], unchanged=False)
            status.setText(f'<span style="color:{ERROR_COLOR}">Could not save the report: {_html(reason)}</span>')
            return None
        status.setText(f"Saved {_plural(written, 'row')} to {_html(out.name)}.")
        status.setToolTip(str(out))
        return written

    # -- closing

    def active_task(self) -> Task | None:
        """The task now running for this wizard (reading, trial or import), if any."""
        for task in (self.import_page.task, self.check_page.task, self._reading):
            if task is not None and not task.done.is_set():
                return task
        return None

    def _running_tasks(self) -> list[Task]:
        tasks = [self._reading, self.check_page.task]
        return [t for t in tasks if t is not None and not t.done.is_set()]

    def reject(self) -> None:
        if self.import_page.running:
            # Closing mid-import would leave the user unsure what happened: cancel and say so.
            self.cancel_import()
            return
        for task in self._running_tasks():
            task.cancel()
            task.done.wait(10)
        super().reject()
