"""Page 1: the picked files, how each was read, and the encoding it is read in."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QStackedLayout,
    QVBoxLayout,
    QWidget,
    QWizardPage,
)

from omnidesk.core.importing.archives import EMPTY_MEMBER
from omnidesk.core.importing.encodings import CHOICES
from omnidesk.core.text import counted, printable
from omnidesk.ui.widgets.empty_state import EmptyState
from omnidesk.ui.dialogs.import_wizard.common import ERROR_COLOR, FileEntry, NOTICE_COLOR, _html
from omnidesk.ui.dialogs.import_wizard.widgets import ElidedLabel, NoWheelComboBox, _bold, _muted

SKIPPED_LINES = 7  # lines of skipped ZIP members shown at once; the rest scroll into view

if TYPE_CHECKING:  # named in annotations only: the wizard imports this module
    from omnidesk.ui.dialogs.import_wizard.wizard import ImportWizard


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
        self.encoding_label = QLabel("Encoding:")  # Alt+E on one row at a time (see FilesPage)
        self.encoding = NoWheelComboBox()
        self.encoding_label.setBuddy(self.encoding)
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
        elif entry.empty_member_of is not None:  # an export's list that is empty today: no fault
            text = _html(f"From {entry.empty_member_of}: {EMPTY_MEMBER}.")
        else:
            text = _html(entry.format_text()) + "<br>" + _html(entry.contents_text())
            if entry.plan is not None and entry.plan.previous_batch is not None:
                text += (f'<br><span style="color:{NOTICE_COLOR}"><b>Already imported — will add nothing</b>'
                         f" (import #{entry.plan.previous_batch})</span>")
            if entry.mapping_note:
                text += f'<br><span style="color:{NOTICE_COLOR}">{_html(entry.mapping_note)}</span>'
            if entry.plan is not None:
                # How the file was read: a weak guess, garbled letters, lines in another code page.
                for warning in entry.plan.fmt.warnings:
                    text += f'<br><span style="color:{NOTICE_COLOR}">{_html(warning)}</span>'
        self.detail.setText(text)
        self.status_text = self.detail.text()
        self._show_encoding(entry)

    def _show_encoding(self, entry: FileEntry) -> None:
        # Shown also when the chosen encoding could not read the file: the owner can choose again.
        shown = entry.plan is not None or entry.encoding is not None
        self.encoding_label.setVisible(shown)
        self.encoding.setVisible(shown)
        self.encoding_note.setVisible(shown)
        if not shown:
            return
        current = entry.encoding or (entry.plan.fmt.encoding if entry.plan is not None else "utf-8")
        current = {"utf-8-sig": "utf-8"}.get(current, current)
        # The box may have the focus (arrow keys step through it, each step reading the file
        # again): it stays enabled and keeps its items and index, or the focus would jump to the
        # next file's box and the next key change that file. A choice made while the file is
        # read waits its turn (see ImportWizard._files_read).
        wanted = [(label, codec) for codec, label in CHOICES.items()]
        if current not in CHOICES:
            wanted.append((current, current))
        have = [(self.encoding.itemText(i), self.encoding.itemData(i)) for i in range(self.encoding.count())]
        self.encoding.blockSignals(True)
        try:
            if have != wanted:
                self.encoding.clear()
                for label, codec in wanted:
                    self.encoding.addItem(label, codec)
            at = self.encoding.findData(current)
            if at != self.encoding.currentIndex():
                self.encoding.setCurrentIndex(at)
        finally:
            self.encoding.blockSignals(False)
        if entry.reading:
            self.encoding_note.setText("")
        elif entry.encoding is not None:
            self.encoding_note.setText("your choice")
        elif entry.plan is not None and entry.plan.fmt.fallback:
            self.encoding_note.setText(f"detected; some lines in {CHOICES.get(entry.plan.fmt.fallback, entry.plan.fmt.fallback)}")
        else:
            self.encoding_note.setText("detected")

    @property
    def shows_encoding(self) -> bool:
        return not self.encoding.isHidden()

    def take_alt_key(self, taken: bool) -> None:
        """Whether Alt+E reaches this file's encoding box: one row's at a time, or the key would
        stand for several boxes at once."""
        self.encoding_label.setText("&Encoding:" if taken else "Encoding:")

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
                # A row just read shows its encoding line now: its layout learns that only when
                # activated, and asked before, it gave the height it had while reading.
                if widget.layout() is not None:
                    widget.layout().activate()
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
        self.list.setAccessibleName("Files to import")
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.list.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.list.setAlternatingRowColors(True)
        self.list.itemSelectionChanged.connect(self._update_buttons)
        self.list.currentRowChanged.connect(lambda _row: self._give_alt_key())
        remove_action = QAction("Remove", self.list)
        remove_action.setShortcut(QKeySequence.StandardKey.Delete)
        remove_action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        remove_action.triggered.connect(self.remove_selected)
        self.list.addAction(remove_action)

        self.empty = EmptyState(
            "No files yet",
            "Drop CSV exports from your online shop, email tool, till or lead forms here, "
            "or add them with the button.",
            "&Add files…",
        )
        self.empty.actionTriggered.connect(self.add_files_clicked)
        # Not the wizard's default: hidden once files are listed, it kept Enter from reaching Next.
        # It still takes Enter while it has the focus (see keyPressEvent), as on an empty screen.
        if self.empty.button is not None:
            self.empty.button.setDefault(False)
        # The wrapped hint needs its full height reserved, or the stacked layout clips it.
        self.empty.text.setMinimumHeight(self.empty.text.heightForWidth(self.empty.text.width()) + 4)

        self.add_button = QPushButton("&Add files…")
        self.add_button.clicked.connect(self.add_files_clicked)
        self.remove_button = QPushButton("&Remove")
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
        # What the ZIPs held that is not imported (an archive inside one, a readme), with why.
        self.skipped = QLabel()
        self.skipped.setWordWrap(True)
        self.skipped.setTextFormat(Qt.TextFormat.RichText)
        self.skipped.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.skipped.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        # Every member is named, however many: past a few lines they scroll, the file list keeping its room.
        self.skipped_area = QScrollArea()
        self.skipped_area.setWidget(self.skipped)
        self.skipped_area.setWidgetResizable(True)
        self.skipped_area.setFrameShape(QFrame.Shape.NoFrame)
        self.skipped_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.skipped_area.hide()
        layout = QVBoxLayout(self)
        layout.addWidget(holder, 1)
        layout.addWidget(self.skipped_area)
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
        self._give_alt_key()
        self.pages.setCurrentIndex(1 if entries else 0)
        # The empty state has its own Add button; the row below only matters once there is a list.
        self.add_button.setVisible(bool(entries))
        self.remove_button.setVisible(bool(entries))
        reading = sum(1 for e in entries if e.reading)
        bad = sum(1 for e in entries if e.error is not None)
        empty = sum(1 for e in entries if e.empty_member_of is not None)
        good = len(entries) - reading - bad - empty
        parts = []
        if reading:
            parts.append(f"Reading {counted(reading, 'file')}…")
        if entries and not reading:
            done = sum(1 for e in entries if e.error is None and e.plan is not None
                       and e.plan.previous_batch is not None)
            if good - done:
                parts.append(f"{counted(good - done, 'file')} ready")
            if done:
                # Not "ready": importing them again adds nothing (the same file, byte for byte).
                parts.append(f"{counted(done, 'file')} already imported")
            if empty:
                parts.append(f"{counted(empty, 'file')} with nothing to import")
            if bad:
                parts.append(f"{bad:,} left out")
        self.status.setText(" · ".join(parts))
        self._show_skipped()
        self._update_buttons()
        self.completeChanged.emit()

    def _show_skipped(self) -> None:
        """Name what the ZIPs held and are not imported, with why, as the command line does: each ZIP
        once, then every member it skipped on a line of its own (a wrapped line stays indented)."""
        said = list(self.wiz.skipped)
        members: dict[str, list[str]] = {}
        for line in said:  # "x.zip: skipped readme.txt: why."
            archive, sep, member = line.partition(": skipped ")
            members.setdefault(archive if sep else "", []).append(member if sep else line)
        blocks = []
        for archive, lines in members.items():
            if archive:
                blocks.append(f'<p style="margin:0">{_html(archive)} — not imported from it:</p>')
            blocks.extend(f'<p style="margin:0 0 0 {"2em" if archive else "0"}">{_html(line)}</p>' for line in lines)
        self.skipped.setText(f'<div style="color:{NOTICE_COLOR}">' + "".join(blocks) + "</div>" if said else "")
        lines = sum(len(lines) + 1 for lines in members.values())
        self.skipped_area.setFixedHeight(self.skipped.fontMetrics().lineSpacing() * min(lines, SKIPPED_LINES) + 4)
        self.skipped_area.setVisible(bool(said))

    def _give_alt_key(self) -> None:
        """Alt+E to the encoding of the file the list is on, else of the first file that has one."""
        rows = [self.list.itemWidget(self.list.item(i)) for i in range(self.list.count())]
        rows = [row for row in rows if isinstance(row, FileRow)]
        current = self.list.itemWidget(self.list.currentItem()) if self.list.currentItem() else None
        shown = [row for row in rows if row.shows_encoding]
        chosen = current if current in shown else (shown[0] if shown else None)
        for row in rows:
            row.take_alt_key(row is chosen)

    def _update_buttons(self) -> None:
        self.remove_button.setEnabled(bool(self.list.selectedItems()))

    def add_files_clicked(self) -> None:
        self.wiz.add_picked(self.wiz.ask_files())

    def remove_selected(self) -> None:
        paths = [Path(item.data(Qt.ItemDataRole.UserRole)) for item in self.list.selectedItems()]
        self.wiz.remove_files(paths)

    def keyPressEvent(self, event) -> None:
        # The wizard's buttons on pages leave Enter to Next; the empty list's "Add files…",
        # the one thing there is to do, takes it while it has the focus.
        button = self.empty.button
        if (event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and button is not None and button.hasFocus()
                and not event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier):
            button.click()
            return
        super().keyPressEvent(event)

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
            self.wiz.add_picked(paths)
        else:
            event.ignore()

    def first_controls(self) -> list:
        return [self.list, self.empty]

    # -- wizard protocol

    def isComplete(self) -> bool:
        return not self.wiz.reading and bool(self.wiz.plans)

    def validatePage(self) -> bool:
        return self.isComplete()
