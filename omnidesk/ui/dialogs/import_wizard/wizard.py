"""ImportWizard: the pages, the picked files and their plans, and what the import did."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QAbstractScrollArea,
    QApplication,
    QCheckBox,
    QFileDialog,
    QLabel,
    QPushButton,
    QWizard,
)

from omnidesk.core.errors import UserError
from omnidesk.core.importing.pipeline import (
    ImportPlan,
    ImportResult,
    remember_mapping,
    write_error_report,
)
from omnidesk.core import failures
from omnidesk.core.importing.driver import ImportRun
from omnidesk.core.importing.report import report_paths
from omnidesk.core.text import counted, printable
from omnidesk.core.workspace import Workspace
from omnidesk.ui.tasks import Task, TaskRunner
from omnidesk.ui.dialogs.import_wizard.check_page import CheckPage
from omnidesk.ui.dialogs.import_wizard.common import (
    CHECK_PAGE,
    DONE_PAGE,
    ERROR_COLOR,
    FILES_PAGE,
    IMPORT_FILTER,
    IMPORT_PAGE,
    MAPPING_PAGE,
    REPORT_FILTER,
    FileEntry,
    _html,
    _failure_text,
    _read_files,
)
from omnidesk.ui.dialogs.import_wizard.done_page import DonePage
from omnidesk.ui.dialogs.import_wizard.files_page import FilesPage
from omnidesk.ui.dialogs.import_wizard.import_page import ImportPage
from omnidesk.ui.dialogs.import_wizard.mapping_page import MappingPage


class ImportWizard(QWizard):
    """Pick files, check their columns, try the import, run it, and see what it did."""

    importsFinished = Signal(list)  # the ImportResult of every file that finished
    importsFailed = Signal(str)
    importProgressed = Signal(int, int, str)  # the real import's progress, over all files

    def __init__(self, workspace: Workspace, files: list[Path], runner: TaskRunner, parent=None,
                 expand: Callable[[list[Path]], list[Path]] | None = None,
                 empty_member: Callable[[Path, BaseException], str | None] | None = None,
                 skipped: Sequence[str] | None = None) -> None:
        super().__init__(parent)
        self.workspace = workspace
        self.runner = runner
        # Unpacks a ZIP export into the files inside it, as File › Import does (the main window's
        # ``Unpacked.expand``): for the files added here with Add files… or dropped here.
        self.expand = expand
        # The archive a file came from, when it has a header and no rows (``Unpacked.empty_member``):
        # listed as having nothing to import, not as a file that cannot be imported.
        self.empty_member = empty_member
        # What the ZIPs held and are not imported, one sentence each with why (``Unpacked.skipped``,
        # which grows as zips are added here): named on the files page.
        self.skipped: Sequence[str] = skipped if skipped is not None else []
        self.entries: list[FileEntry] = []
        self.results: list[ImportResult] = []
        self.runs: list[tuple[ImportPlan, ImportResult]] = []
        self.outcome: ImportRun | None = None
        self.customers_before: int | None = None  # the workspace's, when the import started
        self.remember_note = ""
        self._pending: list[Path] = []
        self._reading: Task | None = None
        self._remember_touched = False

        self.setWindowTitle("Import files")
        self.setOption(QWizard.WizardOption.NoBackButtonOnStartPage, True)
        self.setOption(QWizard.WizardOption.NoCancelButtonOnLastPage, True)
        self.setButtonText(QWizard.WizardButton.FinishButton, "&Done")
        self.setMinimumSize(760, 560)
        # As big as the pages want, but never past the screen (the buttons are at the bottom).
        screen = self.screen() or QGuiApplication.primaryScreen()
        available = screen.availableGeometry() if screen else None
        self.resize(min(940, available.width() - 40) if available else 940,
                    min(720, available.height() - 40) if available else 720)

        self.remember_checkbox = QCheckBox("&Remember this mapping for files with these columns")
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
        # Enter is the wizard's: Next, Import, See results (its default button). A button on a page
        # (Add files, Remove, Cancel import, Save error report) is pressed with Space or its Alt key,
        # and no longer takes Enter for itself once it has had the focus.
        for page in (self.files_page, self.mapping_page, self.check_page, self.import_page, self.done_page):
            for button in page.findChildren(QPushButton):
                button.setAutoDefault(False)
        for which in (QWizard.WizardButton.BackButton, QWizard.WizardButton.CancelButton):
            self.button(which).setAutoDefault(False)  # with the focus on Back, Enter still goes on
        self.currentIdChanged.connect(lambda _id: QTimer.singleShot(0, self, self._focus_page))
        self.currentIdChanged.connect(lambda _id: self._fit_subtitle())
        self.files_page.sync()
        self.add_files(files)

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        super().resizeEvent(event)
        self._fit_subtitle()

    def _fit_subtitle(self) -> None:
        """The page's subtitle as tall as its wrapped lines at the wizard's width.

        The wizard gives its subtitle the height of two lines whatever its width, so under a
        large font the mapping page's lost its end ("(ids and IP addresses aside).").
        """
        page = self.currentPage()
        if page is None or not page.subTitle():
            return
        for label in self.findChildren(QLabel):
            if label.wordWrap() and label.text() == page.subTitle() and not page.isAncestorOf(label):
                width = label.width() if label.width() > 0 else label.sizeHint().width()
                label.setMinimumHeight(label.heightForWidth(width))
                # The title and subtitle sit in a header of a height fixed for two lines.
                header = label.parentWidget()
                if header is not None and header is not self and header.layout() is not None \
                        and header.minimumHeight() == header.maximumHeight():
                    header.layout().activate()
                    header.setFixedHeight(header.layout().minimumSize().height())

    def _focus_page(self) -> None:
        """Give the focus to the first control the page shows: the wizard had left it on the
        hidden file list, or on a frameless scroll area where nothing showed it."""
        page = self.currentPage()
        if page is None or not self.isVisible():
            return
        focused = QApplication.focusWidget()
        if focused is not None and focused.isVisible() and focused.isEnabled() and page.isAncestorOf(focused) \
                and not isinstance(focused, QAbstractScrollArea):
            return  # already on one of the page's controls
        for widget in page.first_controls() + [self.button(QWizard.WizardButton.CommitButton),
                                               self.button(QWizard.WizardButton.NextButton),
                                               self.button(QWizard.WizardButton.FinishButton),
                                               self.button(QWizard.WizardButton.BackButton)]:
            if widget.isVisible() and widget.isEnabled():
                widget.setFocus(Qt.FocusReason.TabFocusReason)
                return

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

    def add_picked(self, paths: Sequence[Path]) -> None:
        """Files picked with Add files… or dropped here: a ZIP export is unpacked into its CSV files
        first (``expand``), as File › Import does; one that cannot be is listed with why."""
        files: list[Path] = []
        refused: list[FileEntry] = []
        for path in map(Path, paths):
            try:
                files.extend(self.expand([path]) if self.expand is not None else [path])
            except UserError as exc:
                refused.append(FileEntry(path, error=str(exc)))
        known = {e.path.resolve() for e in self.entries}
        self.entries.extend(e for e in refused if e.path.resolve() not in known)
        if refused:
            self.files_page.sync()
        self.add_files(files)

    def set_encoding(self, path: Path, codec: str) -> None:
        """Read ``path`` again in ``codec`` (the user's choice); its plan is made anew, keeping
        the user's column choices when the new reading has the same columns."""
        for entry in self.entries:
            if entry.path == path:
                if entry.encoding == codec or (entry.encoding is None and entry.plan is not None
                                               and entry.plan.fmt.encoding == codec):
                    return
                if entry.plan is not None:  # else still being read: the choices wait there already
                    entry.earlier = entry.plan
                entry.encoding, entry.plan, entry.error, entry.empty_member_of = codec, None, None, None
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
        task = Task(_read_files(self.workspace, batch, chosen, self.empty_member))
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
                self.entries[i] = self._carry_choices(entry, done)
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

    def _carry_choices(self, old: FileEntry, new: FileEntry) -> FileEntry:
        """The file read again (``new``), with the choices the user made on its earlier reading.

        The columns are kept when the new reading has the same ones: as many, each with the same
        name, or a name that differs only in its accented letters (read in another encoding,
        "Código" is "CÃ³digo"). Otherwise the new reading's guesses stand, and the mapping page
        says the choices were not kept. The kind, the channel and the phone region do not hang
        on the columns and are kept as chosen, and so is how its dates are written."""
        earlier = old.earlier
        new.user_kind, new.user_channel = old.user_kind, old.user_channel
        if earlier is None:
            return new
        if new.plan is None:  # not readable so: the choices wait for the next encoding tried
            new.earlier = earlier
            return new
        plan = new.plan
        hand_mapping = earlier.mapping_source == "user"
        kept = hand_mapping and _same_columns(earlier.header, plan.header)
        try:
            if kept:
                plan = plan.with_changes(mapping=earlier.mapping,
                                         kind=earlier.kind if old.user_kind else None)
            elif old.user_kind:
                plan = plan.with_changes(kind=earlier.kind)
            if old.user_channel:
                plan = plan.with_changes(channel=earlier.channel_label or earlier.channel)
            decided = earlier.phone_region
            if decided is not None and decided.source == "chosen" and decided.code:
                plan = plan.with_changes(phone_region=decided.code)
            if earlier.date_order is not None:
                plan = plan.with_changes(date_order=earlier.date_order.value)
        except (UserError, OSError) as exc:
            new.mapping_note = (f"Your choices for {printable(plan.file_name)} could not be kept after "
                                f"reading it again ({exc}); please check them.")
            return new
        new.plan = plan
        if hand_mapping and not kept:
            new.mapping_note = (f"Your column choices for {printable(plan.file_name)} were not kept: read in "
                                f"{plan.fmt.encoding_label}, it has different columns. Please check them again.")
        return new

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
        entry.mapping_note = None  # choosing again answers it
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

    def set_date_order(self, file_index: int, order: str) -> None:
        """Read the plan's dates that could be day/month or month/day in ``order`` ("DMY", "MDY")."""
        entry = self._entry(file_index)
        assert entry.plan is not None
        self._replace_plan(file_index, entry.plan.with_changes(date_order=order))

    def set_channel(self, file_index: int, channel: str) -> None:
        entry = self._entry(file_index)
        assert entry.plan is not None
        entry.user_channel = True
        self._replace_plan(file_index, entry.plan.with_changes(channel=channel))

    def _remember_toggled(self, _checked: bool) -> None:
        # Once the user has decided, later changes no longer tick the box for them.
        self._remember_touched = True

    # -- importing

    def cancel_import(self) -> None:
        """Stop the running import; the file in progress rolls back."""
        self.import_page.cancel()

    def import_done(self, outcome: ImportRun) -> None:
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
            self.importsFailed.emit("; ".join(_failure_text(failure, trial=False) for failure in outcome.failures)
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
        paths = report_paths(out, [p.file_name for p, _ in flagged])
        try:
            written = 0
            for path, run in zip(paths, flagged):
                # The save dialog asked about the name chosen; a report beside it is never written over.
                written += write_error_report(path, [run], overwrite=path == out)
        except (UserError, OSError) as exc:
            reason = failures.message_for(exc, None) if not failures.is_disk_full(exc) else \
                failures.disk_full_message(exc, None, places=[out.parent], unchanged=False)
            status.setText(f'<span style="color:{ERROR_COLOR}">Could not save the report: {_html(reason)}</span>')
            return None
        if len(paths) == 1:
            status.setText(f"Saved {counted(written, 'row')} to {_html(out.name)}.")
        else:  # one report per file, each to fix and import on its own
            status.setText(f"Saved {counted(written, 'row')} to {len(paths)} reports, one per file: "
                           f"{_html(', '.join(p.name for p in paths))}.")
        status.setToolTip("\n".join(str(p) for p in paths))
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
        # A reading or a trial run still going is cancelled and left to end on its own, never
        # waited for here: its work rolls back in the background (the runner keeps it, and a
        # quit waits for it).  What the trial says later is not its page's any more.
        for task in self._running_tasks():
            task.cancel()
        self.check_page.task = None
        self._reading, self._pending = None, []
        super().reject()


def _same_columns(before: Sequence[str], after: Sequence[str]) -> bool:
    """Whether two readings of a file's header name the same columns: as many, and each the
    same but for letters outside ASCII (what another encoding reads differently)."""
    if len(before) != len(after):
        return False

    def plain(name: str) -> str:
        return "".join(ch for ch in name if ch.isascii()).strip()

    return all(a == b or plain(a) == plain(b) for a, b in zip(before, after))
