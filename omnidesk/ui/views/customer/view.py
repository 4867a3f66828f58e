"""The Customer screen: one person's card, their timeline, source records, identifiers and notes.

Everything shown comes from core queries (``core.profile``, ``core.timeline``,
``core.provenance``).  Every change goes through the operations bridge
(``ui.operations``): notes, pinned values, splitting a record off, erasing the
person; exporting the person's data writes a file, not the workspace.  Each
value on the card says in its tooltip which file, row and channel it came from.

The screen's parts live beside this module, each a mixin of :class:`CustomerView`
(its widgets stay attributes of the one view, where the window and tests reach
them): ``card`` (with pinning), ``timeline``, ``sources`` (with splitting a record
off), ``identifiers``, ``notes`` and ``person`` (export and erase).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import (
    QHBoxLayout,
    QSizePolicy,
    QStackedLayout,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from omnidesk.core.customers import customer_fingerprints
from omnidesk.core.errors import UserError
from omnidesk.core.notes import merged_into
from omnidesk.core.profile import CustomerProfile, card_size, customer_profile, source_rows, was_erased
from omnidesk.core.provenance import IdentifierSource, identifier_sources, pinned_values
from omnidesk.core.timeline import TimelineEntry, timeline
from omnidesk.core.workspace import Workspace, WorkspaceError
from omnidesk.ui.operations import Operations
from omnidesk.ui.tasks import LatestOnly, TaskRunner, caught
from omnidesk.ui.views.customer.card import CardMixin
from omnidesk.ui.views.customer.hand import HandEditsMixin
from omnidesk.ui.views.customer.identifiers import IdentifiersMixin
from omnidesk.ui.views.customer.kept_notes import KeptNotesMixin
from omnidesk.ui.views.customer.notes import NotesMixin
from omnidesk.ui.views.customer.person import PersonActionsMixin
from omnidesk.ui.views.customer.sources import SourcesMixin
from omnidesk.ui.views.customer.timeline import TimelineMixin
from omnidesk.ui.views.customer.widgets import FlowLayout
from omnidesk.ui.widgets.empty_state import EmptyState
from omnidesk.ui.widgets.screen_fit import scrolling

MISSING_TITLE = "This customer is no longer here"
MISSING_TEXT = "Merged into another customer, or their import was undone."
MISSING_MERGED = "They were merged into {name}."
ERASED_TITLE = "This person was erased"
MISSING_ERASED = ("They were erased at their request, in another window or from the command line: nothing "
                  "about them is left in this workspace.")
MISSING_NOTES = "The notes you were typing could not be saved on them: they are kept below."


@dataclass(frozen=True)
class CardRead:
    """Everything one customer's card shows, read in one go (on the task runner for a big card)."""

    customer_id: int
    fingerprint: str | None  # which records the card was read from: an erase asks about the person shown
    profile: CustomerProfile | None  # None: no such customer (merged away, undone, erased)
    pins: dict[str, str]
    rows: list
    identifiers: list[IdentifierSource]
    entries: list[TimelineEntry]


def read_card(ws: Workspace, customer_id: int) -> CardRead:
    """The card of ``customer_id`` as the workspace holds it now (no widget touched: any thread)."""
    fingerprint = customer_fingerprints(ws, [customer_id])[customer_id]
    profile = customer_profile(ws, customer_id)
    if profile is None:
        return CardRead(customer_id, fingerprint, None, {}, [], [], [])
    return CardRead(customer_id, fingerprint, profile, pinned_values(ws, customer_id), source_rows(ws, customer_id),
                    identifier_sources(ws, customer_id), timeline(ws, customer_id))


class _ScrolledContent(QWidget):
    """The card and the tabs: as tall as the window gives them, taller only when they need it.

    A scroll area asks a widget whose text wraps for its height at the width it has, and that is
    the height it prefers (the timeline at full length): asked, this answers the least it needs.
    """

    def heightForWidth(self, width: int) -> int:
        layout = self.layout()
        margins = layout.contentsMargins()
        inner = width - margins.left() - margins.right()
        shown = [layout.itemAt(i) for i in range(layout.count()) if not layout.itemAt(i).isEmpty()]
        # What the layout will not go below: the height a wrapping part needs at this width (the
        # card's lines), the least of the others.
        heights = [item.heightForWidth(inner) if item.hasHeightForWidth() else item.minimumSize().height()
                   for item in shown]
        return sum(heights) + layout.spacing() * max(len(shown) - 1, 0) + margins.top() + margins.bottom()


class _Tabs(QTabWidget):
    """The timeline and the other tabs: they take the height left under the card, whatever
    their wrapped lines would prefer, so the card is never squeezed to make room for them."""

    def hasHeightForWidth(self) -> bool:
        return False


class CustomerView(CardMixin, TimelineMixin, SourcesMixin, IdentifiersMixin, NotesMixin, KeptNotesMixin,
                   PersonActionsMixin, HandEditsMixin, QWidget):
    backRequested = Signal()
    notesSaved = Signal(int)  # customer id
    notesWaiting = Signal(str)  # for the status bar while a notes save waits for the lock ("" when it ends)
    notesSettled = Signal(bool)  # a notes save that had to wait ended: True saved, False given up
    timelineExported = Signal(str)  # path written
    customerChanged = Signal(int)  # customer id: a value was pinned or unpinned
    personExported = Signal(str)  # path of the zip written
    personErased = Signal(int, object)  # customer id, what was removed (core.rights.erase_person)

    # A notes save that finds the workspace locked tries for this long each time (the UI waits),
    # again after this many milliseconds, and gives up (keeping the text) after this many seconds.
    NOTES_ATTEMPT_WAIT = 0.1
    NOTES_RETRY_MS = 500
    NOTES_GIVE_UP = 60.0

    # A card of this many source records and events together, or more, is read off the window's thread.
    BIG_CARD = 5_000
    RETRY_MS = 2_000  # a big card read again that found the workspace busy tries again after this long

    def __init__(self, workspace: Workspace, parent=None, *, operations: Operations | None = None,
                 runner: TaskRunner | None = None) -> None:
        super().__init__(parent)
        self.workspace = workspace
        self.runner = runner or (operations.runner if operations is not None else TaskRunner())
        self._cards = LatestOnly(self.runner)  # the card asked for last; an older read is not heard
        self._reading: int | None = None  # the customer whose big card is being read
        self._searches = LatestOnly(self.runner)  # a big timeline's latest search, likewise
        self._searching = False
        if operations is None:
            # On its own (not in the main window): a bridge and an undo stack of its own.
            from PySide6.QtGui import QUndoStack

            operations = Operations(QUndoStack(self), self.runner, self)
            operations.set_workspace(workspace)
            operations.changed.connect(self.apply_changes)
            operations.failed.connect(lambda title, text: self.show_error(title, text))
        self.operations = operations
        self.customer_id: int | None = None
        self.profile: CustomerProfile | None = None
        self._shown_fingerprint: str | None = None
        self.pins: dict[str, str] = {}
        self._total_entries = 0
        self._notes_dirty = False
        self._pending_notes: tuple[int, str] | None = None  # (customer, text) waiting for the lock
        self._notes_waiting_since: float | None = None
        self.read_only = False
        self._stale = False  # a change concerned the card while it was not on screen (note_changes)

        self.back_button = QToolButton()
        self.back_button.setText("‹  Customers")
        self.back_button.setAutoRaise(True)
        self.back_button.setToolTip("Back to the customer list")
        self.back_button.clicked.connect(self._back)

        # A person's rights over their data: a copy of everything, or nothing left.
        self.export_person_button = QToolButton()
        self.export_person_button.setText("Export person data…")
        self.export_person_button.setAutoRaise(True)
        self.export_person_button.setToolTip(
            "Write everything this workspace holds about this person to a zip file "
            "(for a data access request)")
        self.export_person_button.clicked.connect(self.export_person_dialog)
        self.erase_person_button = QToolButton()
        self.erase_person_button.setText("Erase person…")
        self.erase_person_button.setAutoRaise(True)
        self.erase_person_button.setStyleSheet("QToolButton { color: #C62828; }")
        self.erase_person_button.setToolTip(
            "Remove this person and everything about them from this workspace (cannot be undone)")
        self.erase_person_button.clicked.connect(self.erase_person_dialog)

        content = _ScrolledContent()
        cl = QVBoxLayout(content)
        cl.setContentsMargins(0, 0, 0, 0)
        cl.setSpacing(10)
        cl.addWidget(self._build_card())
        self.tabs = _Tabs()
        self._why_for: int | None = None  # the customer whose reasons wait for the Sources tab
        self.tabs.addTab(self._build_timeline_tab(), "Timeline")
        self.sources_page = self._build_sources_tab()
        self.tabs.addTab(self.sources_page, "Sources")
        self.identifiers_page = self._build_identifiers_tab()
        self.tabs.addTab(self.identifiers_page, "Identifiers")
        self.notes_page = self._build_notes_tab()
        self.tabs.addTab(self.notes_page, "Notes")
        cl.addWidget(self.tabs, 1)
        self.tabs.currentChanged.connect(lambda _i: self._why_when_shown())

        self.missing = EmptyState(MISSING_TITLE, MISSING_TEXT, "Back to customers")
        self.missing.actionTriggered.connect(self._back)
        # Notes typed on someone merged or erased meanwhile stay on this page (above its button).
        missing_layout = self.missing.layout()
        missing_layout.insertWidget(3, self._build_kept_notes(), 0, Qt.AlignmentFlag.AlignHCenter)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        top = QHBoxLayout()
        self.back_button.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        top.addWidget(self.back_button, 0, Qt.AlignmentFlag.AlignTop)
        top.addStretch(1)
        # On one line where they fit; on more where not (a large font, a narrow window), each button
        # keeping its whole text.
        actions = QWidget()
        flow = FlowLayout(actions, spacing=4, one_line_hint=True)
        for button in self._build_hand_buttons():
            flow.addWidget(button)
        flow.addWidget(self.export_person_button)
        flow.addWidget(self.erase_person_button)
        policy = QSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        policy.setHeightForWidth(True)
        actions.setSizePolicy(policy)
        top.addWidget(actions)
        layout.addLayout(top)
        holder = QWidget()
        self.pages = QStackedLayout(holder)
        # The card keeps the height it needs and the timeline a few lines: in a shorter window
        # they scroll together rather than the card's lines being drawn over each other.
        self.content_scroll = scrolling(content)
        # The card follows the room the window gives it (its columns side by side or stacked), also
        # when it is held wider than that room and so hears of no resize of its own.
        self.content_scroll.viewport().installEventFilter(self)
        self.pages.addWidget(self.content_scroll)
        self.pages.addWidget(self.missing)
        self.loading = EmptyState("", "", "Try again")  # a big card being read (show_customer)
        self.loading.button.hide()  # shown when the read failed
        self.loading.actionTriggered.connect(lambda: self.customer_id is not None and self._show(self.customer_id))
        self.pages.addWidget(self.loading)
        layout.addWidget(holder, 1)
        self._content = self.content_scroll

    def eventFilter(self, watched, event) -> bool:
        if event.type() == QEvent.Type.Resize and watched is self.content_scroll.viewport():
            self._share_card_columns()
        return super().eventFilter(watched, event)

    # -- showing a customer --------------------------------------------------------

    def show_customer(self, customer_id: int) -> bool:
        """Show ``customer_id``; returns False (and says so) when there is no such customer.

        A customer of :attr:`BIG_CARD` records and events or more is read on the task runner, the
        window free meanwhile (20,000 orders took two seconds to read): "Reading …'s card" shows
        until it is read (:meth:`card_loading`), and True is returned at once."""
        return self._show(customer_id)

    def _show(self, customer_id: int, *, keep_place: bool = False, now: bool = False) -> bool:
        """:meth:`show_customer`; ``keep_place``: the user's place on the card (:meth:`_place`), as
        it is when the card has been read, is kept (a refresh); ``now``: read on this thread, even
        a big card (a question about to be asked must count the person as they are)."""
        self._stale = False  # read afresh here
        self.save_notes()
        typed_on = self.customer_id
        if self._notes_dirty and self._pending_notes is None and typed_on is not None \
                and customer_profile(self.workspace, typed_on) is None:
            # Typed for someone merged away or erased elsewhere: the words are kept on the
            # "no longer here" page, whichever card was asked for.
            self._keep_notes(typed_on, self.notes_edit.toPlainText(), merged_into(self.workspace, typed_on))
            self._notes_dirty = False
            self._notes_timer.stop()
            self.notes_edit.blockSignals(True)
            self.notes_edit.clear()
            self.notes_edit.blockSignals(False)
            customer_id = typed_on
        elif self._kept_notes is not None and customer_id != self._kept_from:
            self._forget_kept_notes()  # another card asked for: the user has seen and left them
        # The card as it was read, to tell afterwards why its person is gone.
        shown = self.profile if self.profile is not None and self.profile.id == customer_id else None
        self.customer_id = customer_id
        records, events = card_size(self.workspace, customer_id)
        if now or records + events < self.BIG_CARD:
            self._reading = None
            self._cards.forget()
            read = read_card(self.workspace, customer_id)
            put_back = self._place() if keep_place else None
            shown_now = self._show_read(read, shown)
            if shown_now and put_back is not None:
                put_back()
            return shown_now
        # A big card: read on the task runner.  Shown again after a change, the card as it was
        # stays on screen meanwhile; else the user is told what is being read.
        again = shown is not None and self.pages.currentWidget() is self._content
        self._reading = customer_id
        if not again:
            # Nobody's card is shown meanwhile: no shortcut (Ctrl+E, Ctrl+T…) acts on the card
            # before, nor on this one with the one before's values.
            self.profile = None
            self.pins = {}
            name = self.operations.names([customer_id]).get(customer_id, f"customer #{customer_id}")
            title = self.loading.title
            # A long name is cut short, never the words around it (the label does not wrap).
            room = max(self.width() - 80, 320) - title.fontMetrics().horizontalAdvance("Reading ’s card…")
            shown_name = title.fontMetrics().elidedText(name, Qt.TextElideMode.ElideRight, max(room, 120))
            title.setText(f"Reading {shown_name}’s card…")
            title.setToolTip(f"Reading {name}’s card…" if shown_name != name else "")
            title.setAccessibleName(f"Reading {name}’s card…")
            self.loading.text.setText(
                f"{records:,} source record{'s' if records != 1 else ''} and {events:,} "
                f"event{'s' if events != 1 else ''}: the card opens when they are read.")
            self.loading.button.hide()
            self.pages.setCurrentWidget(self.loading)
            self._set_person_actions(False)
            self._set_hand_actions(False)
        workspace = self.workspace

        def heard(read) -> None:
            if not isValid(self) or self._reading != customer_id or self.workspace is not workspace:
                return
            self._reading = None
            if isinstance(read, Exception):
                told = isinstance(read, (UserError, WorkspaceError))  # a busy workspace, say
                if told and again:
                    # Read again after a change: the card as it was stays, and is read again shortly.
                    self._stale = True
                    QTimer.singleShot(self.RETRY_MS, self, self.refresh_if_stale)
                    return
                # Said where the card would be, with a way to try again (a busy workspace: later);
                # anything else is raised too, on this thread, where the window's handlers hear it
                # (a damaged file is offered its recovery).
                self.loading.title.setText("The card could not be read")
                self.loading.text.setText(str(read) if told else f"Reading it failed: {read}")
                self.loading.button.show()
                self.pages.setCurrentWidget(self.loading)
                self._set_person_actions(False)
                self._set_hand_actions(False)
                if not told:
                    raise read
                return
            if read.profile is None and self._notes_dirty:
                # Gone (merged away, erased elsewhere) while notes were typed on it: shown again
                # now, which keeps the words on the "no longer here" page.
                self._show(customer_id, now=True)
                return
            put_back = self._place() if keep_place else None  # as it is now, after any change meanwhile
            if self._show_read(read, shown, keep_typed=again) and put_back is not None:
                put_back()

        self._cards.ask(caught(lambda: read_card(workspace, customer_id)), heard)
        return True

    def card_loading(self) -> bool:
        """True while a big card is being read (:meth:`show_customer`)."""
        return self._reading is not None

    def _show_read(self, read: CardRead, shown: CustomerProfile | None, *, keep_typed: bool = False) -> bool:
        """Put a card read by :func:`read_card` on screen.  ``keep_typed``: notes typed while it was
        being read stay in the editor (they are saved as typed), not the ones read."""
        customer_id = read.customer_id
        self._shown_fingerprint = read.fingerprint
        self.profile = read.profile
        if self.profile is None:
            self.pins = {}
            self.missing.title.setText(MISSING_TITLE)
            text = MISSING_TEXT
            survivor = None
            if self._kept_notes is not None:
                survivor = merged_into(self.workspace, customer_id)
                if survivor != self._kept_for:  # merged on further, or its merge undone, meanwhile
                    self._keep_notes(customer_id, self._kept_notes, survivor)
                if survivor is not None:
                    name = self.operations.names([survivor]).get(survivor, f"customer #{survivor}")
                    text = MISSING_MERGED.format(name=name)
            if survivor is None and shown is not None and was_erased(self.workspace, shown):
                self.missing.title.setText(ERASED_TITLE)
                text = MISSING_ERASED
            if self._kept_notes is not None:
                text += " " + MISSING_NOTES
            self.missing.text.setText(text)
            self.pages.setCurrentWidget(self.missing)
            self._set_person_actions(False)
            self._set_hand_actions(False)
            return False
        self.pages.setCurrentWidget(self._content)
        self._set_person_actions(True)
        self._set_hand_actions(True)
        self.pins = read.pins
        rows = read.rows
        self._fill_card(self.profile, rows)
        self._fill_identifiers(self.profile, read.identifiers)
        # One query serves the unfiltered list, the filter choices and the total.
        entries = read.entries
        self._fill_filters(entries)
        self.reload_timeline(entries)
        self.source_model.set_rows(rows)
        # Why the records are one person is worked out when the Sources tab is opened, not with
        # every card: over 20,000 records it is a third of a second nobody may look at.
        self._why_for = customer_id
        self.why = None
        self.why_box.setVisible(False)
        self.tabs.setTabText(self.tabs.indexOf(self.sources_page), f"Sources ({len(rows)})")
        if rows:
            self.source_table.selectRow(0)
        else:
            self._show_raw(None)
        if not (keep_typed and self._notes_dirty):
            self.notes_edit.blockSignals(True)
            self.notes_edit.setPlainText(self.profile.notes)
            self.notes_edit.blockSignals(False)
            self._notes_dirty = False
            self.save_notes_button.setEnabled(False)
            self.notes_status.setText("")
        self.tabs.setCurrentIndex(0)
        if self._kept_notes is not None:  # back again (its merge undone): the words go back in the editor
            self.notes_edit.setPlainText(self._kept_notes)
            self._forget_kept_notes()
            self.tabs.setCurrentWidget(self.notes_page)
        return True

    def apply_changes(self, changes) -> None:
        """After a change: the card again when it concerns the shown customer, else only its notes."""
        if self.customer_id is None:
            return
        if changes.touches_customer(self.customer_id):
            self.refresh()
        elif changes.touches_notes(self.customer_id):
            self._reload_notes()

    def note_changes(self, changes) -> None:
        """A change made while the card is not on screen: remembered, and the card read again when
        it is shown (:meth:`refresh_if_stale`), not now.  A merge seen from the Customers list with
        the card of a customer of 20,000 events left behind it read that timeline twice, for nobody."""
        if self.customer_id is not None and (changes.touches_customer(self.customer_id)
                                             or changes.touches_notes(self.customer_id)):
            self._stale = True

    def refresh_if_stale(self) -> None:
        if self._stale:
            self.refresh()

    def refresh(self) -> None:
        """Show the current customer again (after an import, merge or undo), the user's filters, tab
        and place in the notes kept."""
        self._stale = False
        if self.customer_id is None:
            return
        self._show(self.customer_id, keep_place=True)

    def _place(self) -> Callable[[], None]:
        """Where the user is on the card — the timeline's filters, the tab, the cursor in the notes
        being written — as a call that puts it back once the card is read again."""
        search = self.search.text()
        channel, kind = self.channel_filter.currentData(), self.type_filter.currentData()
        tab = self.tabs.currentIndex()
        # Notes being written when a change made elsewhere is shown (the window looks every few
        # seconds): they are saved, and the cursor stays where the user was typing.
        notes = self.notes_edit
        typed, cursor, scrolled = notes.toPlainText(), notes.textCursor(), notes.verticalScrollBar().value()
        anchor, position = cursor.anchor(), cursor.position()

        def put_back() -> None:
            self._restore_filters(search, channel, kind)
            self.tabs.setCurrentIndex(tab)
            if notes.toPlainText() == typed:
                cursor = notes.textCursor()
                cursor.setPosition(anchor)
                cursor.setPosition(position, QTextCursor.MoveMode.KeepAnchor)
                notes.setTextCursor(cursor)
                notes.verticalScrollBar().setValue(scrolled)

        return put_back

    def set_read_only(self, read_only: bool) -> None:
        """Show the customer without any way to change them (a read-only workspace)."""
        self.read_only = read_only
        self.notes_edit.setReadOnly(read_only)
        self.save_notes_button.setVisible(not read_only)
        self.split_button.setVisible(not read_only)
        for button in self.pin_buttons.values():
            button.setVisible(not read_only)
        self._set_person_actions(self.customer_id is not None and self.profile is not None)
        self._set_hand_actions(self.customer_id is not None and self.profile is not None)

    def _back(self) -> None:
        self.save_notes()
        if not self.may_leave_kept_notes():  # notes kept on the "no longer here" page: asked first
            return
        self.backRequested.emit()
