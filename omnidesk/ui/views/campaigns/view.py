"""The Campaigns screen: the list of campaigns, the editor of one, and who each step reaches.

Every change — a new campaign, a plan saved, one duplicated, deleted or imported —
is one undo step through ``operations.change_campaigns``.  Counting the audience
and working out each step's recipients run off the UI thread on the app's task
runner; an answer to an older question is dropped.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from PySide6.QtCore import QEvent, QSize, Qt, QTimer, QTimeZone, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSplitter,
    QStackedLayout,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from omnidesk.core.campaigns import campaign as core
from omnidesk.core.errors import UserError
from omnidesk.core.messages.derive import CHANNEL_LABELS
from omnidesk.core.workspace import Workspace
from omnidesk.ui import json_files
from omnidesk.ui.dialogs.stale_question import ELSEWHERE, reload_or_save_anyway
from omnidesk.ui.formatting import isolated, isolated_path, left_to_right
from omnidesk.ui.tasks import LatestOnly, TaskRunner, caught
from omnidesk.ui.views.campaigns.editor import MODE_LABELS, CampaignEditor
from omnidesk.ui.views.campaigns.recipients import RecipientsPanel, step_title, step_when
from omnidesk.ui.widgets.buttons import enter_presses
from omnidesk.ui.widgets.empty_state import EmptyState
from omnidesk.ui.widgets.listing_box import ListingBox
from omnidesk.ui.widgets.wrap_row import WrapRow

COLUMNS = ("Name", "Status", "Mode", "Steps", "Next step")


def _plan_steps(data: core.CampaignData) -> list[dict]:
    return [{"channel": s.channel, "at": s.at_local[:16], "timezone": s.timezone} for s in data.steps]


def _plan(data: core.CampaignData) -> dict:
    return {"name": data.name, "goal": data.goal, "message": data.message, "audience": data.audience,
            "mode": data.mode, "holdout_percent": data.holdout_percent, "steps": _plan_steps(data)}


def _followed(base: core.CampaignData, stored: core.CampaignData, typed: dict) -> dict | None:
    """What was typed over ``base``, with the steps moved since (``stored``) moved in it too; None
    when the plan changed otherwise, or a moved step's row was changed or removed in the editor."""
    if {k: v for k, v in _plan(base).items() if k != "steps"} != {
            k: v for k, v in _plan(stored).items() if k != "steps"}:
        return None
    now = {s.id: s for s in stored.steps}
    if sorted(now) != sorted(s.id for s in base.steps) or any(
            now[s.id].channel != s.channel for s in base.steps):
        return None
    rows, used = [dict(r) for r in typed["steps"]], set()
    for n, was in enumerate(base.steps):
        moved = now[was.id]
        if (moved.at_local, moved.timezone) == (was.at_local, was.timezone):
            continue
        old = {"channel": was.channel, "at": was.at_local[:16], "timezone": was.timezone}
        # Its own row when it is still where it was loaded, else the first row left as it was.
        at = [n] if n < len(rows) and n not in used and rows[n] == old else []
        at += [i for i, r in enumerate(rows) if i not in used and r == old]
        if not at:
            return None
        used.add(at[0])
        rows[at[0]] = {"channel": moved.channel, "at": moved.at_local[:16], "timezone": moved.timezone}
    return {**typed, "steps": rows}




def changed_where(sources: set[str]) -> str:
    """Where a plan being edited was changed meanwhile: ``sources`` holds "here" for a change made
    in this window (a move on its calendar, its Undo or Redo) and "elsewhere" for another's."""
    if sources == {"here"}:
        return "in this window: on the calendar, or by Undo or Redo"
    if "here" in sources:
        return f"in this window and {ELSEWHERE}"
    return ELSEWHERE


def stale_question(parent, name: str, gone: bool, where: str = ELSEWHERE) -> QMessageBox:
    """The question asked when Save would overwrite a plan changed since it was opened."""
    if gone:
        informative = ("Save anyway makes it again as you typed it here. Reload discards what you typed and "
                       "shows the campaigns as they are now.")
    else:
        informative = ("Reload shows the plan as it is stored now and discards what you typed here. Save anyway "
                       "replaces it with what you typed; Edit › Undo brings the other plan back.")
    return reload_or_save_anyway(parent, isolated(name), "deleted" if gone else "changed", where, informative)


class _FittedScroll(QScrollArea):
    """A scroll area that asks for all its widget's height (a QScrollArea asks for 24 lines at
    most): with room it ends where its widget does, and what comes after follows it."""

    def sizeHint(self) -> QSize:
        hint = super().sizeHint()
        if self.widget() is None:
            return hint
        return QSize(hint.width(), self.widget().sizeHint().height() + 2 * self.frameWidth())


class CampaignsView(QWidget):
    customerActivated = Signal(int)
    exported = Signal(str)  # path written

    def __init__(self, workspace: Workspace, operations, parent=None, *, runner: TaskRunner | None = None) -> None:
        super().__init__(parent)
        self.workspace = workspace
        self.operations = operations
        self.runner = runner or TaskRunner()
        self.read_only = workspace.readonly
        self.current: core.CampaignData | None = None
        self.audiences: list = []
        self._loaded: dict | None = None
        # The campaign as it was when what is typed in the editor was begun: Save overwrites
        # only that (a plan changed since, elsewhere, is asked about first).
        self._base: core.CampaignData | None = None
        # Where the plan in the editor was changed since it was opened ("here", "elsewhere"), the
        # plan's version last shown, and whether Save found a change not shown yet.
        self._stale_from: set[str] = set()
        self._seen_version: object = None
        self._unseen_change = False
        self._counts = LatestOnly(self.runner)  # the newest question answered, older ones dropped
        self._plans = LatestOnly(self.runner)
        self._checks = LatestOnly(self.runner)  # Export…'s check before its folder is asked

        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setObjectName("campaignList")
        self.table.setAccessibleName("Campaigns")
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setTabKeyNavigation(False)  # Tab leaves the list for the editor
        self.table.verticalHeader().hide()
        self.table.setWordWrap(False)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        header = self.table.horizontalHeader()
        for col in range(1, len(COLUMNS)):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        # The name and the steps share what is left: a campaign of six channels' steps, sized to its
        # text, cut the name to "Spring cleara…" and pushed the next step's time off the list at 1024.
        for col in (0, 3):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.Stretch)
        self.table.currentCellChanged.connect(self._picked)

        self.new_button = QPushButton("Ne&w…")
        self.new_button.clicked.connect(self.new_campaign)
        self.duplicate_button = QPushButton("&Duplicate…")
        self.duplicate_button.clicked.connect(self.duplicate_campaign)
        self.delete_button = QPushButton("De&lete…")
        self.delete_button.clicked.connect(self.delete_campaign)
        self.import_button = QPushButton("&Import plan…")
        self.import_button.setToolTip("Create or replace a campaign from a JSON plan file")
        self.import_button.clicked.connect(self.import_plan)
        self.export_plan_button = QPushButton("Export &plan…")
        self.export_plan_button.setToolTip("Save the campaign as a JSON plan file (a template, or for another laptop)")
        self.export_plan_button.clicked.connect(self.export_plan)
        self.export_button = QPushButton("E&xport…")
        self.export_button.setToolTip("Write every step's send pack (what each channel's tool imports) and the "
                                      "calendar into a folder")
        self.export_button.clicked.connect(self.export_packs)

        top = QWidget()
        tl = QVBoxLayout(top)
        tl.setContentsMargins(0, 0, 0, 0)
        tl.addWidget(self.table, 1)
        # On one line where they fit, on more where not: each button keeps its words.
        buttons = WrapRow()
        for b in (self.new_button, self.duplicate_button, self.delete_button, self.import_button,
                  self.export_plan_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        # Draft → scheduled (only when its check finds no error) → exported → done.
        self.schedule_button = QPushButton("S&chedule")
        self.schedule_button.setToolTip("Mark the campaign scheduled: refused while its check finds an error")
        self.schedule_button.clicked.connect(lambda: self.set_status("scheduled"))
        self.done_button = QPushButton("Mar&k done")
        self.done_button.setToolTip("Every step has gone out: the campaign is done")
        self.done_button.clicked.connect(lambda: self.set_status("done"))
        buttons.addWidget(self.schedule_button)
        buttons.addWidget(self.export_button)
        buttons.addWidget(self.done_button)
        enter_presses(self.new_button, self.duplicate_button, self.delete_button, self.import_button,
                      self.export_plan_button, self.schedule_button, self.export_button, self.done_button)
        tl.addLayout(buttons)

        self.title = QLabel()
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.3)
        font.setBold(True)
        self.title.setFont(font)
        self.title.setWordWrap(True)  # a long name wraps instead of widening the editor
        self.title.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.status = QLabel()
        self.status.setObjectName("campaignStatus")
        self.editor = CampaignEditor()
        self.editor.edited.connect(self._typed)
        self.editor.audienceChanged.connect(self._count_audience)
        # A step added to a campaign with none made the rows wider than the pane: its buttons and
        # Save went under the recipients at 1024 pixels.  Measured once the new row is drawn.
        self.editor.steps.rowsChanged.connect(lambda: QTimer.singleShot(0, self, self._fit_editor))
        self.editor.steps.rowsChanged.connect(lambda: QTimer.singleShot(0, self, self._focused_in_sight))
        self.save_button = QPushButton("&Save")
        self.save_button.setToolTip("Save the campaign (Ctrl+S)")
        self.save_button.clicked.connect(self.save)
        enter_presses(self.save_button)
        self.error = QLabel()
        self.error.setObjectName("saveError")
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #B3261E;")
        self.error.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.error.hide()
        QShortcut(QKeySequence.StandardKey.Save, self, activated=self.save,
                  context=Qt.ShortcutContext.WidgetWithChildrenShortcut)

        form = QWidget()
        fl = QVBoxLayout(form)
        fl.setContentsMargins(0, 0, 8, 0)
        head = QHBoxLayout()
        head.addWidget(self.title, 1)
        head.addWidget(self.status)
        fl.addLayout(head)
        fl.addWidget(self.editor)
        fl.addStretch(1)
        self.recipients = RecipientsPanel()
        self.recipients.reasonChosen.connect(self.show_reason)
        # The widget that had the keys when a customer was opened (a row of a left-out list):
        # Back from the customer gives them to it again (restore_focus_back).
        self._opened_from: QWidget | None = None
        self.recipients.customerActivated.connect(self._remember_keys)
        self.recipients.customerActivated.connect(self.customerActivated)

        def scrolled(widget: QWidget) -> QScrollArea:
            # A small window scrolls each side rather than squeezing the steps out of sight.
            area = _FittedScroll()
            area.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
            area.setWidgetResizable(True)
            area.setFrameShape(QScrollArea.Shape.NoFrame)
            area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
            area.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # its fields are the Tab stops; it follows them
            area.setWidget(widget)
            return area

        sides = QSplitter(Qt.Orientation.Horizontal)
        self._form = form
        self._left = left = scrolled(form)
        # Add step and Save stay in sight under the scrolling editor, right under its last step
        # when there is room (at 1024 x 640 they were under the fold).
        bar = QHBoxLayout()
        bar.setContentsMargins(0, 4, 8, 0)
        bar.addWidget(self.editor.steps.add_button, 0, Qt.AlignmentFlag.AlignTop)
        bar.addWidget(self.error, 1)
        bar.addStretch(0)  # with no error to say, the buttons keep their width
        bar.addWidget(self.save_button, 0, Qt.AlignmentFlag.AlignTop)
        pane = QWidget()
        pl = QVBoxLayout(pane)
        pl.setContentsMargins(0, 0, 0, 0)
        pl.addWidget(left)
        pl.addLayout(bar)
        pl.addStretch(1)
        sides.addWidget(pane)
        sides.addWidget(self.recipients)
        sides.setChildrenCollapsible(False)
        sides.setStretchFactor(0, 3)
        sides.setStretchFactor(1, 2)
        sides.setSizes([600, 400])
        self.recipients.setMinimumWidth(220)
        self._sides = sides
        sides.installEventFilter(self)
        plan = QSplitter(Qt.Orientation.Vertical)
        plan.addWidget(top)
        plan.addWidget(sides)
        plan.setStretchFactor(0, 1)
        plan.setStretchFactor(1, 3)
        plan.setSizes([160, 480])
        # The list keeps a few rows, and its buttons all their lines (two or more under a large font).
        self._plan_top, self._plan_buttons = top, buttons
        top.setMinimumHeight(120)
        top.installEventFilter(self)

        self.tabs = QTabWidget()
        self.tabs.setObjectName("campaignTabs")
        self.tabs.addTab(plan, "Campaigns")
        # The calendar of every step is its own widget; it is put in here.
        self.calendar_host = QWidget()
        self.calendar_host.setObjectName("calendarHost")
        host = QVBoxLayout(self.calendar_host)
        from omnidesk.ui.widgets.campaign_calendar import CampaignCalendar, connect_to_operations

        self.calendar = CampaignCalendar(zone=self.default_zone())
        host.addWidget(self.calendar)
        # Read-only, the steps are shown all the same: only moving one needs to write.
        if self.read_only:
            self.calendar.movable = False
        else:
            connect_to_operations(self.calendar, operations, reload=False)  # drag to reschedule: one undo step
        self.calendar.rangeChanged.connect(self._load_calendar)
        self.calendar.entryActivated.connect(self.open_step)
        self.tabs.addTab(self.calendar_host, "Calendar")

        self.empty = EmptyState(
            "No campaigns yet",
            "A campaign sends one message on every channel, to an audience, step by step. Write the message "
            "first on the Messages screen, then plan a campaign here: its audience, a date and time for each "
            "channel, and Omnidesk shows who each step reaches — and who it leaves out, and why.",
            "New campaign…")
        self.empty.actionTriggered.connect(self.new_campaign)
        # A plan file from another laptop is the other way to the first campaign.
        self.empty_import = QPushButton("Import a plan file…")
        self.empty_import.clicked.connect(self.import_plan)
        enter_presses(self.empty_import)
        self.empty.layout().insertWidget(self.empty.layout().count() - 1, self.empty_import, 0,
                                         Qt.AlignmentFlag.AlignHCenter)
        if self.empty.button is not None:
            self.empty.button.setEnabled(not self.read_only)
        self.pages = QStackedLayout(self)
        self.pages.addWidget(self.empty)
        self.pages.addWidget(self.tabs)
        self.refresh()
        self._load_calendar()

    # -- reading -------------------------------------------------------------------

    def _load_calendar(self, *_range) -> None:
        """The calendar's steps for the range it shows, read again (and the nearest ones off it)."""
        from omnidesk.core.campaigns.calendar import calendar_entries, nearest_days

        first, last = self.calendar.visible_range()
        zone = self.calendar.zone()
        self.calendar.set_nearest(*nearest_days(self.workspace, first, last, zone))
        self.calendar.set_entries(calendar_entries(self.workspace, first, last, zone))

    def default_zone(self) -> str:
        zone = str(self.workspace.get_setting("timezone") or "").strip()
        if zone:
            return zone
        return bytes(QTimeZone.systemTimeZoneId()).decode() or "UTC"

    def refresh(self, *, own: bool = False) -> None:
        """The list and the editor read again.  ``own``: the change was made in this window (not in
        another or on the command line), so a step moved on its calendar, or by its Edit › Undo,
        moves in what is typed too, rather than being asked about as a change made elsewhere."""
        # The campaign shown is found again by what it is, not by its name: renamed elsewhere (in
        # another window), it stays in the editor with what was typed there.
        keep = self.current.id if self.current is not None else None
        typed = self.editor.values() if self._dirty() else None
        loaded_name = self._loaded["name"] if self._loaded is not None else None
        campaigns = core.list_campaigns(self.workspace)
        stored = next((c for c in campaigns if c.id == keep), None)
        base = self._base
        if (own and typed is not None and stored is not None and base is not None and base.id == keep
                and core.plan_version(stored) != core.plan_version(base)):
            followed = _followed(base, stored, typed)
            if followed is not None:
                typed, self._base = followed, stored  # Save writes over the plan as moved
                self._stale_from = set()
        now = datetime.now(UTC)
        self.table.blockSignals(True)
        self.table.setRowCount(len(campaigns))
        for n, c in enumerate(campaigns):
            # A step saved with a time out of range (year 9999) has no moment: never the next one.
            upcoming = [s for s in c.steps if not s.problem and s.at_utc >= now]
            nxt = min(upcoming, key=lambda s: s.at_utc) if upcoming else None
            cells = (c.name, c.status, MODE_LABELS.get(c.mode, c.mode),
                     " · ".join(CHANNEL_LABELS.get(s.channel, s.channel) for s in c.steps) or "no steps",
                     f"{step_when(nxt)} ({nxt.timezone})" if nxt else "—")
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, c.name)
                item.setToolTip(text)
                self.table.setItem(n, col, item)
        self.table.blockSignals(False)
        self.pages.setCurrentIndex(1 if campaigns else 0)
        names = [c.name for c in campaigns]
        kept = next((c.name for c in campaigns if c.id == keep), None)
        if kept is not None and typed is not None and typed["name"] == loaded_name:
            typed = {**typed, "name": kept}  # a name left as it was reads as it is now
        if names:
            self.select(kept if kept is not None else names[0], typed=typed if kept is not None else None, own=own)
        else:
            self.current = None
            self._loaded = None
        self._update_actions()

    def select(self, name: str, *, typed: dict | None = None, own: bool = False) -> None:
        for row in range(self.table.rowCount()):
            if self.table.item(row, 0).data(Qt.ItemDataRole.UserRole) == name:
                self.table.blockSignals(True)
                self.table.setCurrentCell(row, 0)
                self.table.blockSignals(False)
                self._show(name, typed=typed, own=own)
                return

    def _picked(self, row: int, _col: int, _prev_row: int, _prev_col: int) -> None:
        item = self.table.item(row, 0) if row >= 0 else None
        if item is None or (self.current is not None and item.data(Qt.ItemDataRole.UserRole) == self.current.name):
            return
        if not self._may_leave():
            # Back to the campaign being edited, its typed values as they are.
            self.table.blockSignals(True)
            self.table.setCurrentCell(_prev_row, 0)
            self.table.blockSignals(False)
            return
        self._show(item.data(Qt.ItemDataRole.UserRole))

    def may_leave(self) -> bool:
        """:meth:`_may_leave`, asked by the window before it closes or opens another workspace."""
        return self._may_leave()

    def _may_leave(self) -> bool:
        """Whether what is typed in the editor may go: nothing unsaved, or the user says so.  Asked
        before anything that shows another campaign in the editor (picked in the list, made by
        New…, Duplicate… or a plan imported, opened from the calendar) changes anything."""
        if not self._dirty() or self.read_only:
            return True
        return self.confirm("Unsaved changes", f"Leave “{self.current.name}” without saving what you changed?")

    def _show(self, name: str, *, typed: dict | None = None, own: bool = False) -> None:
        from omnidesk.core.messages.store import list_messages
        from omnidesk.core.segments import list_segments

        try:
            self.current = core.get_campaign(self.workspace, name)
            done = core.exported_steps(self.workspace, name)
        except UserError:
            self.current = None
            return
        c = self.current
        self.title.setText(c.name)
        self.status.setText(c.status)
        exported = {(s.channel, s.at_local[:16], s.timezone): done[s.id] for s in c.steps if s.id in done}
        self._loaded = _plan(c)
        if typed is None or self._base is None or self._base.id != c.id:
            self._base = c
            self._stale_from = set()
        self.editor.load(typed or self._loaded, messages=[m.name for m in list_messages(self.workspace)],
                         segments=[s.name for s in list_segments(self.workspace)],
                         default_zone=self.default_zone(), exported=exported, read_only=self.read_only)
        self.error.hide()
        version = core.plan_version(c)
        if typed is not None and version != core.plan_version(self._base):
            # Kept what was typed over a plan changed meanwhile: said now, asked about on Save.
            if version != self._seen_version:  # a change not seen before: made here or elsewhere
                self._stale_from.add("here" if own else "elsewhere")
            self.error.setText(f"{c.name} was changed since you opened it ({changed_where(self._stale_from)}). "
                               "Save asks whether to reload it or save what you typed anyway.")
            self.error.show()
        self._seen_version = version
        self._fit_editor()
        self._typed()
        self._count_audience()
        self._plan_recipients()

    def _fit_editor(self) -> None:
        """Never narrower than a step's row: the splitter gives the recipients what is left."""
        self._form.layout().activate()  # rows just built settle before they say how wide they are
        self._left.setMinimumWidth(self._form.minimumSizeHint().width()
                                   + self._left.verticalScrollBar().sizeHint().width())
        self._arrange()

    def _focused_in_sight(self) -> None:
        """A step added (by Add step, under the editor) or moved keeps its row in sight: the
        editor scrolls to the field that has the keys."""
        focus = QApplication.focusWidget()
        if focus is not None and self._form.isAncestorOf(focus):
            self._left.ensureWidgetVisible(focus)

    def _arrange(self) -> None:
        """Recipients beside the editor when both fit their width, else below it.

        Side by side in a narrow window (1024 pixels), the splitter could not give either
        pane its minimum and drew the editor over the recipients.
        """
        sides = self._sides
        need = self._left.minimumWidth() + self.recipients.minimumWidth() + sides.handleWidth()
        wanted = Qt.Orientation.Horizontal if sides.width() >= need else Qt.Orientation.Vertical
        if sides.orientation() != wanted:
            sides.setOrientation(wanted)

    def eventFilter(self, watched, event) -> bool:
        if watched is self._sides and event.type() == QEvent.Type.Resize:
            self._arrange()
        elif watched is getattr(self, "_plan_top", None) and event.type() in (QEvent.Type.Resize,
                                                                               QEvent.Type.LayoutRequest):
            self._fit_plan_top()
        return super().eventFilter(watched, event)

    def _fit_plan_top(self) -> None:
        top, layout = self._plan_top, self._plan_top.layout()
        if not top.isVisible():  # measured once shown, at its width: not at a hidden widget's default
            return
        margins = layout.contentsMargins()
        need = (self.table.minimumSizeHint().height() + layout.spacing() + margins.top() + margins.bottom()
                + self._plan_buttons.heightForWidth(max(top.width() - margins.left() - margins.right(), 1)))
        least = max(120, need)
        if top.minimumHeight() != least:
            top.setMinimumHeight(least)

    def showEvent(self, event) -> None:
        # A campaign loaded while the screen was hidden was measured with unpolished widgets,
        # narrower than they draw: the step rows' buttons were cut off at 1024 pixels.
        super().showEvent(event)
        self._fit_editor()

    def _dirty(self) -> bool:
        return self._loaded is not None and self.current is not None and self.editor.values() != self._loaded

    def _typed(self) -> None:
        dirty = self._dirty()
        self.save_button.setEnabled(dirty and not self.read_only)
        if not dirty:
            self.error.hide()  # what a refused save said no longer concerns what is on screen
        self.recipients.steps_unsaved(dirty and bool(self.editor.steps.rows))
        self._tab_order()

    def _tab_order(self) -> None:
        """Tab reads the editor top to bottom — its fields, every step, Add step, Save — and then the
        recipients and the check beside it.  Step rows are made after the recipients panel, so
        without this Tab went from Hold out to the recipients and reached the steps last."""
        steps = self.editor.steps
        chain = [self.editor.holdout,
                 *(w for row in steps.rows for w in row.widgets() if w is not row.note),
                 steps.add_button, self.save_button, self.recipients.tree, self.recipients.people,
                 self.recipients.findings]
        for a, b in zip(chain, chain[1:]):
            QWidget.setTabOrder(a, b)

    def _update_actions(self) -> None:
        has = self.current is not None
        self.empty_import.setEnabled(True)
        for b in (self.duplicate_button, self.delete_button, self.export_plan_button, self.export_button):
            b.setEnabled(has)
        self.export_button.setEnabled(has and not self.read_only and bool(self.current and self.current.steps))
        status = self.current.status if self.current is not None else ""
        self.schedule_button.setEnabled(status == "draft" and not self.read_only and bool(self.current.steps))
        self.done_button.setEnabled(status == "exported" and not self.read_only)
        for b in (self.new_button, self.import_button, self.duplicate_button, self.delete_button,
                  self.empty_import):
            b.setEnabled(b.isEnabled() and not self.read_only)
        self._typed()

    def apply_changes(self, changes) -> None:
        if (changes.everything or changes.campaigns or changes.messages or changes.segments
                or changes.touches_list()):  # a tag or a value typed in may move an audience
            self.refresh(own=not changes.everything)
        # The calendar follows the shop's time zone (Preferences) and every change to a step,
        # made here, in another window or on the command line.
        zone = self.default_zone()
        if zone != self.calendar.zone():
            self.calendar.set_zone(zone)  # its range moves with it: read again (_load_calendar)
        elif changes.everything or changes.campaigns:
            self._load_calendar()

    def restore_focus(self) -> None:
        (self.table if self.current is not None else self.empty).setFocus()

    def _remember_keys(self, _customer_id: int) -> None:
        focused = QApplication.focusWidget()
        self._opened_from = focused if focused is not None and self.isAncestorOf(focused) else None

    def restore_focus_back(self) -> None:
        """Back from a customer opened here: the keys where they were (the same row of the list of
        people left out), or on the campaign list when that is no longer shown."""
        opened_from, self._opened_from = self._opened_from, None
        if opened_from is not None and isValid(opened_from) and opened_from.isVisible() \
                and self.isAncestorOf(opened_from):
            opened_from.setFocus(Qt.FocusReason.OtherFocusReason)
        else:
            self.restore_focus()

    # -- off the UI thread ----------------------------------------------------------------

    def _count_audience(self) -> None:
        """The audience's live count (before the guards); a newer choice makes an older answer moot."""
        from omnidesk.core.segments import count

        workspace, audience = self.workspace, self.editor.values()["audience"]

        def work():
            try:
                return count(workspace, core.audience_rule(workspace, audience)), ""
            except UserError as exc:  # a segment gone, or a busy workspace
                return None, str(exc)

        def heard(result) -> None:
            if isinstance(result, Exception):
                # Not counted: "counting…" for ever said nothing of it.
                self.editor.show_count(None, f"Could not count the audience: {result}")
                raise result
            self.editor.show_count(*result)

        self.editor.show_counting()
        self._counts.ask(caught(work), heard)

    def _plan_recipients(self) -> None:
        """Who each saved step reaches and the campaign's check, worked out off the UI thread."""
        from omnidesk.core.campaigns.check import check_campaign, usable_audiences
        from omnidesk.core.timeline import workspace_zone

        if self.current is None:
            return
        workspace, name = self.workspace, self.current.name

        def work():
            try:
                now = datetime.now(UTC)
                # As the command line does: a step saved with a time out of range (year 9999, before
                # plans refused it) is named with its problem, and the other steps are worked out.
                audiences, unusable = usable_audiences(workspace, core.get_campaign(workspace, name), now=now)
                report, _summaries, _campaign = check_campaign(workspace, name, now=now)
                return (audiences, unusable, report, "", core.exported_recipients(workspace, name),
                        workspace_zone(workspace))
            except UserError as exc:
                return None, [], None, str(exc), {}, None

        self.recipients.show_computing()
        self._plans.ask(caught(work), self._planned)

    def _planned(self, result) -> None:
        if isinstance(result, Exception):
            # Not worked out: the panel says so, rather than "Working out…" over the steps and the
            # check of the campaign shown before; raised too, on this thread, where the window's
            # handlers hear it (a damaged file is offered its recovery).
            self.audiences = []
            self.recipients.show_failed(f"Could not work out who each step reaches: {result}")
            raise result
        audiences, unusable, report, error, exported, zone = result
        if audiences is None:
            self.audiences = []
            self.recipients.show_nothing(error)
            return
        self.audiences = audiences
        self.recipients.show_audiences(audiences, report, exported, zone, unusable=unusable)

    def show_reason(self, index: int, reason: str) -> None:
        """The customers a step leaves out for ``reason``, by name."""
        from omnidesk.core.customers import display_names
        from omnidesk.core.text import sort_key

        if not 0 <= index < len(self.audiences):
            return
        a = self.audiences[index]
        ids = list(a.excluded.get(reason, []))
        names = display_names(self.workspace, ids)
        # As the Customers screen sorts names: accents and case aside (Élodie under E).
        people = sorted(((cid, names.get(cid) or f"Customer #{cid}") for cid in ids if cid in names),
                        key=lambda p: (sort_key(p[1]), p[1], p[0]))
        self.recipients.show_people(f"{step_title(a.step)} — {len(ids):,} {reason}", people)

    # -- asking (tests stand in for these) --------------------------------------------

    def ask_text(self, title: str, label: str, text: str = "") -> str | None:
        value, ok = QInputDialog.getText(self, title, label, text=text)
        return value.strip() if ok and value.strip() else None

    def confirm(self, title: str, text: str) -> bool:
        return QMessageBox.question(self, title, text) == QMessageBox.StandardButton.Yes

    def ask_open_json(self) -> Path | None:
        path, _ = QFileDialog.getOpenFileName(self, "Import a campaign plan", "", "Campaign plan (*.json)")
        return Path(path) if path else None

    def ask_save_json(self, name: str) -> Path | None:
        path, _ = QFileDialog.getSaveFileName(self, "Export the campaign plan", f"{name}.json",
                                              "Campaign plan (*.json)")
        return Path(path) if path else None

    def set_status(self, status: str) -> None:
        """Schedule the campaign or mark it done (one undo step); the core refuses a schedule with errors."""
        if self.current is None or self.read_only:
            return
        name = self.current.name
        words = {"scheduled": "schedule", "done": "mark done"}.get(status, status)
        self._change(f"{words} {name}", lambda ws: core.set_status(ws, name, status))

    def open_step(self, step_id: int) -> None:
        """From the calendar: the campaign the step belongs to, in the editor."""
        entry = self.calendar.entry(step_id)
        if entry is None:
            return
        if self.current is not None and entry.campaign == self.current.name:
            self.tabs.setCurrentIndex(0)  # already in the editor, with whatever was typed there
            return
        if not self._may_leave():
            return  # the calendar stays, and the editor keeps what was typed
        self.tabs.setCurrentIndex(0)
        self.select(entry.campaign)

    def ask_folder(self) -> Path | None:
        folder = QFileDialog.getExistingDirectory(self, "Export the send packs into")
        return Path(folder) if folder else None

    def show_info(self, title: str, text: str) -> None:
        """What Export… wrote: read left to right whatever names it holds, as wide as its longest
        line as far as the screen allows (a file's name is not broken in the middle), a long line's
        wrapped half kept under its own line's words (it tells a file from a subject line), its words
        selectable (the subject line and preheader are typed into the sending tool by hand)."""
        box = ListingBox(title, left_to_right(text), self)
        box.exec()
        box.deleteLater()

    def export_packs(self) -> None:
        """Export…: every step's pack and the calendar into a folder the user picks (asks before replacing)."""
        if self.current is None or self.read_only:
            return
        if self._dirty():
            self.show_error("Save first", "Save the campaign (Ctrl+S) before exporting it: the packs are made "
                            "from the saved plan.")
            return
        # Its check first (off the UI thread: it works out every step's audience): asked for a
        # folder, then told the campaign cannot go out, was a question for nothing.
        from omnidesk.core.campaigns.check import check_campaign

        workspace, name = self.workspace, self.current.name

        def work():
            try:
                return check_campaign(workspace, name)[0], ""
            except UserError as exc:
                return None, str(exc)

        def heard(result) -> None:
            if isinstance(result, Exception):
                if self.current is not None and self.current.name == name:
                    self.show_error("Cannot export", f"Its check could not be worked out: {result}")
                raise result
            self._export_checked(name, *result)

        self._checks.ask(caught(work), heard)

    def _export_checked(self, name: str, report, error: str) -> None:
        """Export… once the campaign's check is in: its errors, or the folder to write into."""
        from omnidesk.core.campaigns.check import errors_before_export
        from omnidesk.core.campaigns.export import errors_to_fix_first, export_base, planned_files

        if self.current is None or self.current.name != name:
            return  # another campaign was chosen meanwhile
        if report is None:
            self.show_error("Cannot export", error)
            return
        blocking = errors_before_export(report)
        if blocking:
            self.show_error("Fix these first", errors_to_fix_first(name, blocking))
            return
        folder = self.ask_folder()
        if folder is None:
            return
        there = [p for p in planned_files(folder, export_base(self.workspace, self.current), self.current.steps)
                 if p.exists()]
        if there and self.current.pack_name is None:
            # Never exported: the files are not this campaign's, whatever made them.
            asked = ("Replace these files?", f"{len(there)} file{'s' if len(there) > 1 else ''} named as this "
                     f"campaign's packs ({there[0].name}…) {'are' if len(there) > 1 else 'is'} in {folder}, though "
                     f"{self.current.name} was never exported. Replace {'them' if len(there) > 1 else 'it'}?")
        else:
            asked = ("Replace the earlier export?", f"{len(there)} file{'s' if len(there) > 1 else ''} of an "
                     f"earlier export ({there[0].name}…) are in {folder}. Replace them?") if there else None
        if asked and not self.confirm(*asked):
            return

        def done(summary) -> None:
            lines = []
            # Each name and file name set apart: a Hebrew one ran the line's words right to left.
            for s in summary.steps:
                if s.kept:  # sent already: its pack and whom it reached were left as they were
                    lines.append(s.kept_words)
                    continue
                who = "whoever looks" if s.eligible is None else f"{s.eligible:,} recipient{'' if s.eligible == 1 else 's'}"
                lines.append(f"{isolated_path(s.file)} — {who}")
                # Which step it is, its time on its own clock named: steps alike but for their zone
                # write packs alike but for -2 and -3.  A line of its own: before the file's name, a
                # long campaign's line was wider than the box and broke the name in the middle.
                lines.append(f"    step: {s.step_words}")
                # Every file it wrote: the email's HTML and text, a post's layouts for other schedulers.
                lines.extend(f"    with {isolated_path(extra)}" for extra in s.extra)
                # What the sending tool is typed in by hand: no file of the pack is imported with it.
                lines.extend(f"    {line}" for line in s.subject_lines)
            self.show_info("Exported", f"{isolated(summary.campaign)} exported to "
                           f"{isolated_path(str(summary.folder))}:\n\n" + "\n".join(lines)
                           + f"\n{isolated_path(summary.calendar)} — the calendar")
            self.exported.emit(str(summary.folder))

        self.operations.export_campaign(name, folder, overwrite=bool(there), finished=done)

    def show_error(self, title: str, text: str) -> None:
        QMessageBox.warning(self, title, text)

    # -- changing ----------------------------------------------------------------------

    def _change(self, words: str, run, then: str | None = None):
        """``run`` as one undo step; a refusal is also said under the editor, in the core's words."""
        said: list[str] = []

        # Said under the editor, beside Save: not in a dialog box as well.
        with self.operations.failures_told_to(lambda _title, text: said.append(text)):
            result = self.operations.change_campaigns(words, run)
        if result is not None and then:
            self.select(then)
        if said:
            self.error.setText(core.in_form_words(said[-1]))
            self.error.show()
        return result

    def new_campaign(self) -> None:
        from omnidesk.core.messages.store import list_messages

        if not self._may_leave():
            return
        name = self.ask_text("New campaign", "Name of the campaign (for you, not sent):")
        if not name:
            return
        messages = list_messages(self.workspace)
        message = messages[0].name if messages else None
        made = self._change(f"new campaign {name}", lambda ws: core.save_campaign(ws, name, message=message),
                            then=" ".join(name.split()))
        if made is not None and self.current is not None:
            # The keyboard goes on in the new campaign, at its name (Tab then: its message, audience
            # and steps). Left to Qt, it went back to the button that asked, and from the empty
            # screen's button, hidden with the screen, on to the Campaigns | Calendar tabs.
            self.editor.name.setFocus(Qt.FocusReason.OtherFocusReason)

    def stale_where(self) -> str:
        """Where the plan being saved was changed since it was opened, as the question says it."""
        return changed_where(self._stale_from | ({"elsewhere"} if self._unseen_change else set()))

    def ask_stale(self, name: str, gone: bool) -> str:
        """Asked when the campaign being saved changed elsewhere: "reload", "overwrite" or ""."""
        box = stale_question(self, name, gone, self.stale_where())
        box.exec()
        clicked = box.clickedButton()  # None when the box was closed otherwise
        return (clicked.property("answer") or "") if clicked is not None else ""

    def save(self) -> None:
        if self.current is None or self.read_only or not self._dirty():
            return
        old, v = self.current.name, self.editor.values()
        new = v["name"]
        base = self._base or self.current
        # Found by what it is: a campaign renamed elsewhere is changed, not deleted.
        stored = next((c for c in core.list_campaigns(self.workspace) if c.id == base.id), None)
        if stored is None or core.plan_version(stored) != core.plan_version(base):
            # A change this window has not shown yet came from elsewhere: its own are shown at once.
            self._unseen_change = stored is None or core.plan_version(stored) != self._seen_version
            answer = self.ask_stale(stored.name if stored is not None else base.name, stored is None)
            if answer == "reload":
                if stored is None:
                    self._loaded = None  # nothing to keep typed: the list as it is now
                    self.refresh()
                else:
                    self._show(stored.name)
                return
            if answer != "overwrite":
                return  # what was typed stays, unsaved
            if stored is not None:
                if new == base.name:
                    new = stored.name  # a name left as it was opened does not undo a rename made elsewhere
                old = stored.name
            base = stored  # overwrite the plan as it reads now; a change made meanwhile is asked again

        def run(ws):
            # Everything that could refuse the rename is asked first: a refused save changes nothing.
            if not new:
                raise UserError("A campaign needs a name.")
            if new != old:
                taken = [c.name for c in core.list_campaigns(ws)
                         if c.name.casefold() == new.casefold() and c.name.casefold() != old.casefold()]
                if taken:
                    raise UserError(f"A campaign named '{taken[0]}' exists already; choose another name.")
            saved = core.save_campaign(ws, old, message=v["message"], audience=v["audience"], steps=v["steps"],
                                       mode=v["mode"], goal=v["goal"], replace=True,
                                       holdout_percent=v["holdout_percent"], expect=base)
            return core.rename_campaign(ws, old, new) if new != old else saved

        if self._change(f"edit campaign {old}", run, then=new or None) is not None:
            self.error.hide()

    def duplicate_campaign(self) -> None:
        if self.current is None:
            return
        if not self._may_leave():  # the copy is made of the saved plan, and shown instead
            return
        old = self.current.name
        name = self.ask_text("Duplicate campaign", "Name of the copy:", f"{old} (copy)")
        if not name:
            return

        def run(ws):
            d = core.get_campaign(ws, old)
            return core.save_campaign(ws, name, message=d.message, audience=d.audience, steps=_plan_steps(d),
                                      mode=d.mode, goal=d.goal, holdout_percent=d.holdout_percent)

        self._change(f"duplicate {old}", run, then=" ".join(name.split()))

    def delete_campaign(self) -> None:
        if self.current is None:
            return
        name = self.current.name
        why = core.why_kept(self.workspace, name)
        if why:  # an exported campaign's sends count toward caps and results: said, not asked
            # In a box, not under the editor: at 1024 pixels that line is scrolled out of sight of
            # the Delete button pressed.
            self.show_error("Campaign kept", why)
            return
        if self.confirm("Delete campaign", f"Delete “{name}” and its steps? (Edit › Undo brings it back.)"):
            self._change(f"delete campaign {name}", lambda ws: core.delete_campaign(ws, name))

    def import_plan(self) -> None:
        if not self._may_leave():
            return
        chosen = json_files.open_chosen(self, "plan file", "Cannot import the plan")
        if chosen is None:
            return
        path, data = chosen
        result = self._change(f"import {path.name}", lambda ws: core.import_plan(ws, data))
        if result is not None and hasattr(result, "name"):
            self.select(result.name)

    def export_plan(self) -> None:
        if self.current is None:
            return
        name = self.current.name
        path = json_files.save_chosen(self, name, lambda: core.export_plan(self.workspace, name),
                                      "Cannot export the plan")
        if path is not None:
            self.exported.emit(str(path))
