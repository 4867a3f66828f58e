"""The Messages screen: the list of messages, and the editor of one (master, a tab per channel).

Every change — a new message, the master saved, a variant saved, re-synced or
kept, a channel added or removed, a version restored, a message duplicated or
deleted — is one undo step through the operations bridge.

The message check runs off the window's thread on the app's task runner (its first run reads the
twitter-text patterns and the poster's fonts, a second or two): the list's marks and each tab's
findings say "Checking…" until it lands, and a check that lands after another message was picked,
or more was typed, is dropped.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QKeySequence, QPalette, QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QFileDialog,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSplitter,
    QStackedLayout,
    QStackedWidget,
    QStyle,
    QStyledItemDelegate,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from omnidesk.core.changes import Changes
from omnidesk.core.errors import UserError
from omnidesk.core.messages import store
from omnidesk.core.messages.derive import CHANNEL_LABELS, VARIANT_CHANNELS
from omnidesk.core.workspace import Workspace
from omnidesk.ui import json_files
from omnidesk.ui.dialogs.stale_question import reload_or_save_anyway
from omnidesk.ui.formatting import isolated, left_to_right
from omnidesk.ui.tasks import LatestOnly, TaskRunner, caught
from omnidesk.ui.views.messages.editor import MasterForm, VariantPanel, rows_high, select_words
from omnidesk.ui.views.messages.previews import Preview, rendered
from omnidesk.ui.widgets.buttons import enter_presses
from omnidesk.ui.widgets.elided_combo import ElidedComboBox
from omnidesk.ui.widgets.empty_state import EmptyState


# The channel tabs say the long names short, so a 1024-pixel window shows every tab of a message
# with the website too, its error count included (the tooltip says the whole name).
TAB_LABELS = {"store": "Poster", "website": "Website", "google": "Google"}


HERE = "in this window, by Undo or Redo"


def changed_where(sources: set[str]) -> str:
    """Where a part being edited was changed meanwhile: "here" (this window's Undo or Redo) and/or
    "elsewhere" (another window, the command line)."""
    if sources == {"here"}:
        return HERE
    if "here" in sources:
        return f"in this window and {store.ELSEWHERE}"
    return store.ELSEWHERE


def stale_question(parent, name: str, channel: str | None, gone: bool,
                   where: str = store.ELSEWHERE) -> QMessageBox:
    """The question asked when saving the master (``channel`` None) or a channel's version would
    overwrite one changed since the editor showed it."""
    what = ("deleted" if channel is None else "removed") if gone else "changed"
    if gone:
        informative = ("Save anyway makes it again as you typed it here. Reload discards what you typed in it "
                       "and shows the messages as they are now.")
    else:
        informative = ("Reload shows it as it is stored now and discards what you typed in it here (what you "
                       "typed in the message's other parts stays). Save anyway replaces it with what you "
                       "typed; Edit › Undo brings the other back.")
    return reload_or_save_anyway(parent, store.part_words(isolated(name), channel), what, where, informative)


def merged_fields(loaded: dict, stored: dict, typed: dict) -> dict:
    """What Save anyway writes: each field typed here (it reads otherwise than when ``loaded``) as
    typed, every other one as ``stored`` now, so a change made elsewhere to a field the user did
    not touch stays; where both changed the same field, the typed one wins."""
    out = dict(stored)
    out.update({f: v for f, v in typed.items() if v != (loaded.get(f) or "")})
    return out


def field_changes(loaded: dict, stored: dict, typed: dict, channel: str | None = None) -> list[str]:
    """The fields changed elsewhere since ``loaded``, each as a line: "Offer code is now “FALL30”
    (Save anyway keeps it)", or "… (Save anyway writes yours over it)" where it was typed here too."""
    from omnidesk.ui.formatting import isolated, nice_date
    from omnidesk.ui.views.messages.editor import FIELD_LABELS, MASTER_LABELS

    lines = []
    for f in dict.fromkeys([*loaded, *stored]):
        now = stored.get(f) or ""
        if now == (loaded.get(f) or ""):
            continue
        if channel is None:
            label = MASTER_LABELS.get(f, f).replace("&", "")
        else:
            label = f"{CHANNEL_LABELS[channel]} {FIELD_LABELS.get(f, f).lower()}"
        shown = nice_date(now) if f == "offer_expires" else " ".join(now.split())
        if len(shown) > 60:
            shown = shown[:59].rstrip() + "…"
        value = f"now “{isolated(shown)}”" if shown else "now empty"
        yours = f in typed and typed[f] != (loaded.get(f) or "")
        lines.append(f"{label} is {value} ({'Save anyway writes yours over it' if yours else 'Save anyway keeps it'})")
    return lines


def _versions(m: store.MessageData) -> dict[str, dict]:
    """What the editor's saves could overwrite: the master ("master") and each channel's version."""
    return {"master": m.master, **{c: v.fields for c, v in m.variants.items()}}


# A message's row keeps its "· N to re-sync" whole at its end: the name is what is shortened.
RESYNC_ROLE = Qt.ItemDataRole.UserRole + 1


class _MessageRow(QStyledItemDelegate):
    """A message's row: its mark and its name, the name shortened with "…" when the row is narrow
    so that the count of variants to re-sync after it shows whole (the tooltip says it all)."""

    def initStyleOption(self, option, index) -> None:  # noqa: N802 (Qt's name)
        super().initStyleOption(option, index)
        tail = index.data(RESYNC_ROLE)
        if not tail or option.rect.width() <= 0 or not option.text.endswith(tail):
            return
        widget = option.widget
        style = widget.style() if widget is not None else QApplication.style()
        text = style.subElementRect(QStyle.SubElement.SE_ItemViewItemText, option, widget)
        margin = style.pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, widget) + 1
        metrics = option.fontMetrics
        # The style draws the words between its margins; two pixels spare for the joining of the halves.
        room = text.width() - 2 * margin - metrics.horizontalAdvance(tail) - 2
        if metrics.horizontalAdvance(option.text) > text.width() - 2 * margin:
            head = option.text[:-len(tail)]
            option.text = metrics.elidedText(head, Qt.TextElideMode.ElideRight, max(room, 0)) + tail


class MessagesView(QWidget):
    exported = Signal(str)  # path written
    noticeHidden = Signal()  # the red line over the master went: the status bar's words about it go too

    def __init__(self, workspace: Workspace, operations, parent=None, *, runner: TaskRunner | None = None) -> None:
        super().__init__(parent)
        self.workspace = workspace
        self.operations = operations
        self.runner = runner or TaskRunner()
        # The checks, off the window's thread: the newest question answered, older ones dropped.
        self._marks = LatestOnly(self.runner)  # the list's marks
        self._variant_checks: dict[str, LatestOnly] = {}  # a tab's findings, by channel
        self.current: store.MessageData | None = None
        self.read_only = workspace.readonly

        self.list = QListWidget()
        self.list.setObjectName("messageList")
        self.list.setAccessibleName("Messages")
        self.list.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.list.setItemDelegate(_MessageRow(self.list))
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.currentItemChanged.connect(self._picked)
        self.new_button = QPushButton("&New…")
        self.new_button.clicked.connect(self.new_message)
        self.more_button = QToolButton()
        self.more_button.setText("More")
        self.more_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        more = QMenu(self.more_button)
        self.duplicate_action = more.addAction("&Duplicate…", self.duplicate_message)
        self.delete_action = more.addAction("De&lete…", self.delete_message)
        more.addSeparator()
        self.brand_action = more.addAction("&Brand kit…", self.edit_brand)
        more.addSeparator()
        self.import_action = more.addAction("&Import JSON…", self.import_message)
        self.export_action = more.addAction("&Export JSON…", self.export_message)
        self.more_button.setMenu(more)
        left = QWidget()
        ll = QVBoxLayout(left)
        ll.setContentsMargins(0, 0, 0, 0)
        ll.addWidget(self.list, 1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.new_button)
        buttons.addWidget(self.more_button)
        buttons.addStretch(1)
        ll.addLayout(buttons)

        self.title = QLabel()
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.4)
        font.setBold(True)
        self.title.setFont(font)
        self.title.setWordWrap(True)  # a long name wraps instead of widening the editor
        self.title.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.history_button = QPushButton("His&tory…")
        self.history_button.clicked.connect(self.show_history)
        self.master = MasterForm()
        self.master.changed.connect(self._master_typed)
        self.save_master_button = QPushButton("&Save master")
        self.save_master_button.setToolTip("Save the master message (Ctrl+S); variants made from the old one are "
                                           "marked for you to re-sync or keep")
        self.save_master_button.clicked.connect(self.save_master)
        enter_presses(self.new_button, self.history_button, self.save_master_button)
        QShortcut(QKeySequence.StandardKey.Save, self, activated=self.save_focused)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("variantTabs")
        self.add_channel_button = QToolButton()
        self.add_channel_button.setText("+ Channel")
        self.add_channel_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.add_channel_menu = QMenu(self.add_channel_button)
        self.add_channel_button.setMenu(self.add_channel_menu)
        self.tabs.setCornerWidget(self.add_channel_button)
        # Each tab says its name and its marks whole (a tab carries one count, see _label_tab): a row
        # of tabs wider than the room there is (six channels or more, a narrow window) scrolls, with
        # arrows at its end, rather than cutting every name to "E…l" and "X…1".  Shortened, the
        # tabs still asked for more room than a 1024-pixel window has, and the editor grew past
        # its viewport, "+ Channel" and History… cut off at its right.  The arrow keys go from tab
        # to tab, each scrolled into sight.
        self.tabs.setUsesScrollButtons(True)
        self.tabs.setElideMode(Qt.TextElideMode.ElideNone)
        self.tabs.currentChanged.connect(self._size_by_shown_tab)
        self.tabs.currentChanged.connect(self._show_tab_check)
        self.panels: dict[str, VariantPanel] = {}
        self.brand = None
        self.samples: list[dict] = []
        self.measured_on = ""  # whom the samples are: "the longest of your 3 customers" (lint.sample_words)
        self.custom_names: list[str] = []
        self.currency: str | None = None  # the shop's: an offer's amount without a sign is in it
        self.logo: bytes | None = None  # the brand kit's logo as kept, which the poster is laid out with
        self._pending_checks: set[str] = set()
        self._saving: str | None = None  # the part a change saves, see _show
        self._found: list[tuple[int, str]] = []
        # What the master form and each channel's tab were last loaded from: Save overwrites only
        # that (one changed since, elsewhere, is asked about first).  Where a part being typed in was
        # changed since ("here", "elsewhere"), and the message as the editor last saw it stored.
        self._master_base: dict | None = None
        self._variant_bases: dict[str, dict] = {}
        self._changed_from: set[str] = set()
        self._seen: dict[str, dict] = {}
        self._check_timer = QTimer(self)
        self._check_timer.setSingleShot(True)
        self._check_timer.setInterval(250)
        self._check_timer.timeout.connect(self._run_pending_checks)

        editor = QWidget()
        el = QVBoxLayout(editor)
        el.setContentsMargins(8, 0, 0, 0)
        head = QHBoxLayout()
        head.addWidget(self.title, 1)
        head.addWidget(self.history_button)
        el.addLayout(head)
        # Said when what is typed in a part was begun on a message changed since: Save asks first.
        self.notice = QLabel()
        self.notice.setObjectName("changedNotice")
        self.notice.setWordWrap(True)
        self.notice.setLayoutDirection(Qt.LayoutDirection.LeftToRight)  # an English sentence, whatever it names
        self.notice.setStyleSheet("color: #B3261E;")
        self.notice.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.notice.hide()
        el.addWidget(self.notice)
        el.addWidget(self.master)
        bar = QHBoxLayout()
        preview_label = QLabel("Preview for:")
        bar.addWidget(preview_label)
        # As wide as 24 characters whoever is picked: a long name shows shortened (whole in its
        # tooltip) rather than widening the box and squeezing the search field beside it to nothing.
        self.preview_for = ElidedComboBox(chars=24, least=12)
        self.preview_for.setObjectName("previewFor")
        preview_label.setBuddy(self.preview_for)  # a combo box is read by its value, labelled by its buddy
        self.preview_for.setAccessibleName("Preview for")
        self.preview_for.currentIndexChanged.connect(self._preview_all)
        self.find_customer = QLineEdit()
        self.find_customer.setMinimumWidth(20 * self.find_customer.fontMetrics().averageCharWidth())
        self.find_customer.setPlaceholderText("Find a customer by name, email or phone…")
        self.find_customer.setAccessibleName("Find a customer to preview for")
        self.find_customer.setClearButtonEnabled(True)
        self.find_customer.returnPressed.connect(self._find_customers)
        bar.addWidget(self.preview_for)
        bar.addWidget(self.find_customer, 1)
        el.addLayout(bar)
        el.addWidget(self.tabs, 1)

        # A small window scrolls the editor rather than squeezing the variant out of sight; the
        # shown variant's check and the Save buttons stay under it, in sight at 1024 x 640 too
        # (below the fields they were under the fold, Save master too once scrolled down).
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        # Not a Tab stop of its own (nothing shows it has the focus); it follows the focus instead.
        scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        scroll.setWidget(editor)
        self.scroll = scroll
        # Each channel's check: only the shown tab's is visible (a hidden one takes no height).
        self.checks = QVBoxLayout()
        self.checks.setContentsMargins(0, 0, 0, 0)
        self.saves = QHBoxLayout()
        self.saves.setContentsMargins(0, 0, 0, 0)
        actions = QHBoxLayout()
        actions.addStretch(1)
        actions.addWidget(self.save_master_button)
        actions.addLayout(self.saves)
        right = QWidget()
        rl = QVBoxLayout(right)
        rl.setContentsMargins(0, 0, 0, 0)
        rl.addWidget(scroll, 1)
        below = QVBoxLayout()
        below.setContentsMargins(8, 0, 0, 0)  # in line with the editor's left edge
        # What the check finds in the master's own words (a banned word in its body): in sight
        # under every tab, since no variant's check names it; each a click or Enter from its field.
        self.master_findings = QListWidget()
        self.master_findings.setObjectName("masterFindings")
        self.master_findings.setAccessibleName("What the check found in the master")
        self.master_findings.setWordWrap(True)
        self.master_findings.itemActivated.connect(self._jump_to_master)
        self.master_findings.itemClicked.connect(self._jump_to_master)
        self.master_findings.hide()
        self.master_findings.installEventFilter(self)
        below.addWidget(self.master_findings)
        below.addLayout(self.checks)
        below.addLayout(actions)
        rl.addLayout(below)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setStretchFactor(0, 0)
        splitter.setStretchFactor(1, 1)
        # About as wide as a message's name with its marks: the editor needs the width more.
        left.setMinimumWidth(140)
        left.setMaximumWidth(320)
        splitter.setSizes([180, 840])
        self.empty = EmptyState(
            "No messages yet",
            "Write one message — a headline, the offer, a link — and Omnidesk makes each channel's version from "
            "it: the email, the SMS, the posts, the poster. They stay consistent, and it tells you where one "
            "drifts before anything goes out.",
            "New message…")
        self.empty.actionTriggered.connect(self.new_message)
        self.pages = QStackedLayout(self)
        self.pages.addWidget(self.empty)
        self.pages.addWidget(splitter)
        self.refresh()

    # -- reading -------------------------------------------------------------------

    def refresh(self, *, keep_typing: bool = False) -> None:
        """Read the list again and show the message that was shown (the words typed in its parts
        and not saved stay, see _show).  ``keep_typing`` (a change made elsewhere, which the window
        finds while the user types): a message with unsaved words in its fields stays as it is in
        the editor, the words, the cursor and the tab with it; a part whose words were begun on a
        message changed meanwhile is said to be so, and its Save asks first (see _say_changed)."""
        keep = self.current.name if self.current is not None else None
        # A part of the editor being saved here is shown as stored: not kept as it was typed.
        typing = keep_typing and self._typing() and self._saving is None
        messages = store.list_messages(self.workspace)
        self.list.blockSignals(True)
        self.list.clear()
        for m in messages:
            stale = f"  · {len(m.stale)} to re-sync" if m.stale else ""
            item = QListWidgetItem()
            item.setData(Qt.ItemDataRole.UserRole, m.name)
            item.setData(RESYNC_ROLE, stale)
            self._mark(item, m, None)  # "Checking…" until the check lands (_check_list)
            self.list.addItem(item)
        self.list.blockSignals(False)
        self._check_list(messages)
        self.pages.setCurrentIndex(1 if messages else 0)
        names = [m.name for m in messages]
        if typing and keep in names:
            self.list.blockSignals(True)
            self.list.setCurrentRow(names.index(keep))
            self.list.blockSignals(False)
            self._say_changed(messages[names.index(keep)], own=False)
        elif names:
            self.select(keep if keep in names else names[0], own=not keep_typing)
        else:
            self.current = None
        self._update_actions()

    def _mark(self, item: QListWidgetItem, m: store.MessageData, errors: int | None, why: str = "") -> None:
        """A message's row in the list: ✖ with its errors, ✔ when the check passes, … while it runs
        (or, ``why``, when it could not)."""
        stale = item.data(RESYNC_ROLE) or ""
        item.setText(("…" if errors is None else "✖" if errors else "✔") + f" {m.name}{stale}")
        item.setForeground(QColor("#B3261E") if errors else self.palette().color(QPalette.ColorRole.Text))
        resync = (f"\n{len(m.stale)} variant{'s' if len(m.stale) > 1 else ''} to re-sync: "
                  f"{', '.join(CHANNEL_LABELS[c] for c in m.channels if c in m.stale)}" if m.stale else "")
        said = ((f"Not checked: {why}" if why else "Checking…") if errors is None else f"{errors} error{'s' if errors > 1 else ''} to fix" if errors
                else "The check passes")
        item.setToolTip(f"{m.name}\n{', '.join(CHANNEL_LABELS[c] for c in m.channels)}\n"
                        f"Last edited {m.updated_at[:16].replace('T', ' ')} UTC\n" + said + resync)

    def _check_list(self, messages: list[store.MessageData]) -> None:
        """The list's marks: every message checked off the window's thread, as the message check
        does (the same 20 customers as the tabs measure); the answer marks the rows of the list it
        was asked for, and a newer list's question drops it."""
        if not messages:
            self._marks.forget()
            return
        workspace = self.workspace

        def work() -> dict[int, int]:
            from omnidesk.core.messages import lint
            from omnidesk.core.messages.brand import get_brand, logo
            from omnidesk.core.money import workspace_currency

            brand = get_brand(workspace)
            currency = workspace_currency(workspace)
            # The customers the tabs and the message check measure with, read once for the whole list.
            samples, custom_names = lint.check_inputs(workspace, brand)
            # The brand kit's logo as kept, which a poster is laid out with: read once for the whole list.
            image = logo(workspace) if any("store" in m.variants for m in messages) else None
            kept_logo = image.data if image is not None else None
            return {m.id: len(lint.check(m, brand, samples=samples, custom_names=custom_names, currency=currency,
                                         logo=kept_logo).errors) for m in messages}

        def heard(result) -> None:
            if not isValid(self):
                return  # the screen went
            if isinstance(result, Exception) and not isinstance(result, UserError):
                raise result
            by_name = {m.name: m for m in messages}
            for row in range(self.list.count()):
                item = self.list.item(row)
                m = by_name.get(item.data(Qt.ItemDataRole.UserRole))
                if m is None:
                    continue
                if isinstance(result, UserError):  # a busy workspace: its row says why it has no mark
                    self._mark(item, m, None, str(result))
                elif m.id in result:
                    self._mark(item, m, result[m.id])

        self._ask(self._marks, work, heard)

    def _typing(self) -> bool:
        """Words typed in the shown message's fields and not saved yet."""
        return self.current is not None and (self.master.values() != self.current.master
                                             or any(p.has_unsaved() for p in self.panels.values()))

    def select(self, name: str, *, own: bool = True) -> None:
        """``name`` shown in the editor; ``own``: read again after a change made in this window."""
        for row in range(self.list.count()):
            if self.list.item(row).data(Qt.ItemDataRole.UserRole) == name:
                self.list.blockSignals(True)  # shown here, not asked about as a pick in the list
                self.list.setCurrentRow(row)
                self.list.blockSignals(False)
                self._show(name, own=own)
                return

    def _picked(self, item, _previous=None) -> None:
        if item is None:
            return
        name = item.data(Qt.ItemDataRole.UserRole)
        if self.current is not None and name != self.current.name and not self.may_leave():
            # Back to the message being edited, its typed words as they are.
            shown = [self.list.item(r).data(Qt.ItemDataRole.UserRole) for r in range(self.list.count())]
            if self.current.name in shown:
                self.list.blockSignals(True)
                self.list.setCurrentRow(shown.index(self.current.name))
                self.list.blockSignals(False)
            return
        self._show(name)

    def may_leave(self) -> bool:
        """Whether the words typed in the editor and not saved may go: none, or the user says so.
        Asked before anything that shows another message in the editor (picked in the list, made
        by New…, Duplicate… or an import, the shown one deleted), and by the window before it
        closes or opens another workspace."""
        if self.read_only or not self._typing():
            return True
        assert self.current is not None
        return self.confirm("Unsaved changes", f"Leave “{self.current.name}” without saving what you changed?")

    def _show(self, name: str, *, own: bool = True) -> None:
        try:
            m = store.get_message(self.workspace, name)
        except UserError:
            self.current = None
            self._hide_notice()
            return
        # Shown again after a change (a part saved, a channel added, Undo): the words typed in
        # the parts not saved stay in their fields, unsaved.  ``_saving`` is the part just saved
        # ("master" or a channel), shown as stored; "all" when the typed words were let go.
        typed_master, typed = False, {}
        old = self.current
        if old is not None and old.id == m.id and self._saving != "all":
            typed_master = self._saving != "master" and self.master.values() != old.master
            typed = {c: p.typed() for c, p in self.panels.items() if c != self._saving and p.has_unsaved()}
        self.current = m
        self.title.setText(m.name)
        from omnidesk.core.timeline import workspace_zone

        self.master.offer_zone = workspace_zone(self.workspace)
        if not typed_master:  # else left as typed, its cursor with it
            self.master.set_values(m.master)
            self._master_base = m.master
        # A tab put back as typed keeps what it was typed over: Save compares the stored one with it.
        self._variant_bases = {c: self._variant_bases.get(c, m.variants[c].fields) if c in typed
                               else m.variants[c].fields for c in m.channels}
        self.save_master_button.setEnabled(typed_master and self.master.values() != m.master and not self.read_only)
        shown = self.tabs.currentWidget()
        tab = next((c for c, p in self.panels.items() if p is shown), None)
        self.tabs.clear()
        for panel in self.panels.values():
            for widget in (panel.footer, panel.save_button, panel):
                widget.hide()
                widget.deleteLater()
        self.panels = {}
        for channel in m.channels:
            panel = VariantPanel(channel)
            panel.show_variant(m, m.variants[channel])
            if channel in typed:
                panel.put_typed(typed[channel])
            panel.saveRequested.connect(self.save_variant)
            panel.resyncRequested.connect(self.resync_variant)
            panel.keepRequested.connect(self.keep_variant)
            panel.edited.connect(self._check_soon)
            panel.preview = Preview(channel, self.brand.name if self.brand else "")
            panel.extra.addWidget(panel.preview)
            panel.extra.addStretch(1)
            self.panels[channel] = panel
            # Under the editor before the tab is added (the first tab shows them at once), hidden
            # before they have a parent: never a window of their own.
            panel.footer.hide()
            panel.save_button.hide()
            self.checks.addWidget(panel.footer)
            self.saves.addWidget(panel.save_button)
            self.tabs.addTab(panel, TAB_LABELS.get(channel, CHANNEL_LABELS[channel]))
            self._label_tab(channel, [])
            if channel == tab:
                self.tabs.setCurrentWidget(panel)
        self._size_by_shown_tab()
        self._show_tab_check()
        self._order_tabs()
        self._load_check_inputs()
        for channel, panel in self.panels.items():
            panel.preview.brand_name = self.brand.name
            panel.show_checking()
            self._check(channel)
        self._check_master()
        self._fill_preview_choices()
        self.add_channel_menu.clear()
        for channel in VARIANT_CHANNELS:
            if channel not in m.variants:
                action = self.add_channel_menu.addAction(CHANNEL_LABELS[channel])
                action.triggered.connect(lambda _c=False, ch=channel: self.add_channel(ch))
        self.add_channel_button.setEnabled(not self.add_channel_menu.isEmpty() and not self.read_only)
        self._update_actions()
        self._say_changed(m, own=own)

    def _changed_parts(self, stored: store.MessageData) -> list[str | None]:
        """The parts typed in and not saved whose stored version changed since they were loaded:
        None for the master, else the channel."""
        parts: list[str | None] = []
        if self._master_base is not None and self.master.values() != self._master_base \
                and stored.master != self._master_base:
            parts.append(None)
        for channel, panel in self.panels.items():
            now = stored.variants.get(channel)
            if panel.has_unsaved() and (now is None or now.fields != self._variant_bases.get(channel)):
                parts.append(channel)
        return parts

    def _say_changed(self, stored: store.MessageData, *, own: bool) -> None:
        """Over the editor, when words are kept typed over a part changed since: which, and where."""
        parts = self._changed_parts(stored) if self.current is not None and stored.id == self.current.id else []
        versions = _versions(stored)
        if not parts:
            self._changed_from = set()
        elif any(versions.get(p or "master") != self._seen.get(p or "master") for p in parts):
            self._changed_from.add("here" if own else "elsewhere")  # a change not seen before
        self._seen = versions
        if not parts:
            self._hide_notice()
            return
        where = changed_where(self._changed_from or {"elsewhere"})
        name = isolated(stored.name)  # a Hebrew name ran the sentence right to left
        if len(parts) == 1:
            said = f"{store.part_words(name, parts[0])} was changed since you opened it ({where})."
        else:
            names = ["the master" if p is None else f"the {CHANNEL_LABELS[p]} version" for p in parts]
            said = (f"{name} was changed since you opened it ({where}): "
                    f"{', '.join(names[:-1])} and {names[-1]}.")
        self.notice.setText(left_to_right(f"{said} What you typed stays; Save asks whether to reload it or save "
                                          "what you typed anyway."))
        changes = self._changes_in(stored, parts)
        if changes:  # which fields read otherwise now, beside what was typed
            more = f"; and {len(changes) - 3} more" if len(changes) > 3 else ""
            self.notice.setText(self.notice.text() + "\n" + "; ".join(changes[:3]) + more + ".")
        self.notice.show()

    def _hide_notice(self) -> None:
        if not self.notice.isHidden():
            self.notice.hide()
            self.noticeHidden.emit()

    def _changes_in(self, stored: store.MessageData, parts: list[str | None]) -> list[str]:
        """The fields of ``parts`` (None: the master, else a channel) changed since they were loaded."""
        lines = []
        for part in parts:
            if part is None:
                lines += field_changes(self._master_base or {}, stored.master, self.master.values())
            elif part in stored.variants and part in self.panels:
                lines += field_changes(self._variant_bases.get(part) or {}, stored.variants[part].fields,
                                       self.panels[part].values(), part)
        return lines

    def kept_over_change(self) -> str | None:
        """The name of the message whose typed words the screen kept over a change made elsewhere
        (the status bar names it); None when there is none."""
        if self.current is None or self.notice.isHidden() or "elsewhere" not in self._changed_from:
            return None
        return self.current.name

    def _load_check_inputs(self) -> None:
        """The brand kit and its logo as kept, a sample of 20 customers' token values and the custom
        field names, read once a show."""
        from omnidesk.core.messages.brand import get_brand, logo
        from omnidesk.core.messages.lint import check_inputs, sample_words
        from omnidesk.core.messages.personal import customer_count
        from omnidesk.core.money import workspace_currency

        assert self.current is not None
        self.brand = get_brand(self.workspace)
        image = logo(self.workspace) if "store" in self.current.variants else None  # the poster is laid out with it
        self.logo = image.data if image is not None else None
        self.currency = workspace_currency(self.workspace)
        self.samples, self.custom_names = check_inputs(self.workspace, self.brand, master=self.current.master)
        # As many as they are: "the longest of 20 customers" was said of a shop with one.
        self.measured_on = sample_words(len(self.samples), customer_count(self.workspace))

    def _check_soon(self, channel: str) -> None:
        self._pending_checks.add(channel)
        self._check_timer.start()

    def _run_pending_checks(self) -> None:
        for channel in sorted(self._pending_checks):
            self._check(channel)
        self._pending_checks.clear()

    def _check(self, channel: str) -> None:
        """The variant's check for what is typed in its tab, off the window's thread; its answer is
        shown (with the preview) only on that tab as it was asked: one of another message, or of
        words typed over since, is dropped."""
        from omnidesk.core.messages.derive import campaign_name

        panel = self.panels.get(channel)
        if panel is None or self.current is None:
            return
        fields, master, brand = panel.values(), self.current.master, self.brand
        samples, custom_names, currency, logo = self.samples, self.custom_names, self.currency, self.logo
        campaign = campaign_name(brand, self.current.name)

        def work():
            from omnidesk.core.messages import lint

            return lint.check_variant(channel, fields, master, brand, samples=samples, custom_names=custom_names,
                                      currency=currency, logo=logo, campaign=campaign)

        def heard(result) -> None:
            if not isValid(self) or not isValid(panel) or self.panels.get(channel) is not panel \
                    or panel.values() != fields:
                return  # another message shown, or more typed: its own check is asked
            if isinstance(result, Exception):
                raise result
            found, stats = result
            panel.show_check(found, stats)
            self._preview(channel)
            self._label_tab(channel, found)

        asker = self._variant_checks.get(channel)
        if asker is None:
            asker = self._variant_checks[channel] = LatestOnly(self.runner)
        self._ask(asker, work, heard)

    def _ask(self, asker: LatestOnly, work, heard) -> None:
        """``work`` asked of ``asker`` once the window's thread has done what it is doing (the screen
        being built, the message shown): a check running beside it slowed every call into Qt."""
        if self.runner.inline:
            asker.ask(caught(work), heard)
            return
        # Marked asked now: an older question's answer that lands meanwhile is dropped already.
        asker.forget()
        QTimer.singleShot(0, self, lambda: asker.ask(caught(work), heard))

    # The tab says what the check list under it says, with its marks: ✖ errors, or ⚠ warnings when
    # there is no error (both counts on every tab pushed the fifth tab out of a 1024-pixel window).
    # A variant the master moved on from is marked apart (↻, as it is re-synced), never with ⚠.
    # The tab's tooltip and its accessible name say it all in words: out of date, errors, warnings.
    STALE_MARK = "↻"

    def _label_tab(self, channel: str, found: list) -> None:
        panel = self.panels.get(channel)
        if panel is None or self.current is None:
            return
        index = self.tabs.indexOf(panel)
        errors = sum(f.severity == "error" for f in found)
        warnings = len(found) - errors
        variant = self.current.variants.get(channel)
        stale = variant is not None and variant.stale
        label = TAB_LABELS.get(channel, CHANNEL_LABELS[channel])
        count = f" ✖{errors}" if errors else f" ⚠{warnings}" if warnings else ""
        self.tabs.setTabText(index, label + (f" {self.STALE_MARK}" if stale else "") + count)
        said = []
        if stale:
            said.append((f"{self.STALE_MARK} Out of date: the master changed since this variant was made "
                         "(re-sync or keep it)", "out of date"))
        if errors:
            said.append((f"✖ {errors} error{'s' if errors > 1 else ''} to fix",
                         f"{errors} error{'s' if errors > 1 else ''} to fix"))
        if warnings:
            said.append((f"⚠ {warnings} warning{'s' if warnings > 1 else ''}",
                         f"{warnings} warning{'s' if warnings > 1 else ''}"))
        self.tabs.setTabToolTip(index, "\n".join([CHANNEL_LABELS[channel]] + [tip for tip, _ in said]))
        self.tabs.tabBar().setAccessibleTabName(
            index, CHANNEL_LABELS[channel] + "".join(f", {words}" for _, words in said))

    # -- previews ------------------------------------------------------------------------

    LONGEST, NO_DATA = -1, -2

    def _size_by_shown_tab(self, _index: int = -1) -> None:
        """The variant tabs are as tall as the one shown: a hidden tab's poster preview (stacked
        under its fields until shown on a wide window) made the editor scroll on a 1080-pixel screen."""
        shown = self.tabs.currentWidget()
        # A tab not shown yet has not been laid out: it takes the columns of the room there is
        # before it asks for its height (stacked, the preview under the fields, it asked for twice).
        pages = self.tabs.findChild(QStackedWidget, "qt_tabwidget_stackedwidget")
        wide = pages is not None and pages.width() >= VariantPanel.WIDE_FROM
        for i in range(self.tabs.count()):
            page = self.tabs.widget(i)
            if isinstance(page, VariantPanel):
                page.set_wide(wide)
            policy = QSizePolicy.Policy.Preferred if page is shown else QSizePolicy.Policy.Ignored
            page.setSizePolicy(policy, policy)
        self.tabs.updateGeometry()

    def _show_tab_check(self, _index: int = -1) -> None:
        """The shown tab's check and Save button under the editor; the other tabs' hidden."""
        shown = self.tabs.currentWidget()
        for panel in self.panels.values():
            panel.footer.setVisible(panel is shown)
            panel.save_button.setVisible(panel is shown)

    def _order_tabs(self) -> None:
        """Tab goes from the shown variant's fields to its check, Save master, then its Save, as
        they read: every panel's check, then Save master, then every panel's Save (the hidden
        ones are passed over)."""
        panels = list(self.panels.values())
        if not panels:
            return
        # After the last panel's last Tab stop, its preview (added to it last, in _show): the parts
        # are put under the editor before their tab is added, so they came first, and Tab left a
        # variant for the navigation.  (Walking the window's whole focus chain from Python to find
        # it left the window's actions deleted.)
        last = panels[-1].preview.body
        chain = [last] + [p.findings for p in panels] + [self.save_master_button] + [p.save_button for p in panels]
        for a, b in zip(chain, chain[1:]):
            QWidget.setTabOrder(a, b)

    def _fill_preview_choices(self, found: list[tuple[int, str]] | None = None) -> None:
        current = self.preview_for.currentData()
        self.preview_for.blockSignals(True)
        self.preview_for.clear()
        longest = self.measured_on or "the longest of the sampled customers"
        self.preview_for.addItem(longest[0].upper() + longest[1:], self.LONGEST)
        self.preview_for.addItem("Someone with no data (fallbacks show)", self.NO_DATA)
        for cid, name in found or self._found:
            self.preview_for.addItem(name, cid)
        index = self.preview_for.findData(current)
        self.preview_for.setCurrentIndex(index if index >= 0 else 0)
        self.preview_for.blockSignals(False)

    def _find_customers(self) -> None:
        from omnidesk.core.customers import customer_ids, display_names

        text = self.find_customer.text().strip()
        if not text:
            return
        ids = list(customer_ids(self.workspace, search=text)[:20])
        names = display_names(self.workspace, ids)
        self._found = [(cid, names.get(cid) or f"Customer #{cid}") for cid in ids]
        self._fill_preview_choices()
        if self._found:
            self.preview_for.setCurrentIndex(2)
        self._preview_all()

    def _preview_values(self) -> tuple[dict, str]:
        """The values the previews render with, and whose they are."""
        from omnidesk.core.messages.personal import customer_values

        from omnidesk.core.messages.personal import shared_values

        choice = self.preview_for.currentData()
        if self.current is None:
            return {}, "someone with no data"
        if choice == self.NO_DATA:  # the offer and the brand name are everyone's, not the customer's
            return shared_values(self.current.master, self.brand.name if self.brand else ""), "someone with no data"
        if choice in (None, self.LONGEST):
            return {}, self.measured_on
        values = customer_values(self.workspace, [choice], master=self.current.master,
                                 business_name=self.brand.name if self.brand else "")
        return values.get(choice, {}), self.preview_for.currentText()

    def _preview(self, channel: str) -> None:
        from omnidesk.core.messages.derive import PER_PERSON
        from omnidesk.core.messages.lint import channel_values, longest_sample, stats_of

        panel = self.panels.get(channel)
        if panel is None:
            return
        fields = panel.values()
        if self.preview_for.currentData() in (None, self.LONGEST):
            # One customer for every part: the subject and the body are never two people's.
            values = longest_sample(channel, fields, self.samples, master=self.current.master if self.current else None,
                                    business_name=self.brand.name if self.brand else "")
            who = self.measured_on
            previewed = None
        else:
            values, who = self._preview_values()
            # The counter still measures the sample: the preview's own length is said beside it.
            previewed = stats_of(channel, rendered(fields, values))
        if channel not in PER_PERSON:
            # Published once for everyone: no customer's values, as the check measures it.
            values, who = channel_values(channel, values), "everyone who sees it (no one customer's values)"
        panel.preview.show_for(fields, values, who, master=self.current.master if self.current else None,
                               brand=self.brand)
        panel.show_measured(self.measured_on, previewed)
        if channel == "store":
            self._poster_page(panel, rendered(fields, values))

    def _poster_page(self, panel, fields: dict) -> None:
        """The poster's printed page, drawn from its PDF (only when its fields changed)."""
        from omnidesk.core.errors import UserError
        from omnidesk.core.messages.render import PREVIEW_SCALE, poster_preview
        from omnidesk.core.paper import shop_paper

        ratio = panel.preview.page_ratio()
        paper = shop_paper(self.workspace)  # the shop's paper, as its export prints it
        key = (ratio, paper, tuple(sorted(fields.items())))
        if getattr(panel, "_page_key", None) == key:
            return
        panel._page_key = key
        try:
            panel.preview.set_page(poster_preview(self.workspace, fields, page=paper, scale=PREVIEW_SCALE * ratio),
                                   ratio=ratio, paper=paper)
        except (UserError, ValueError, OSError) as exc:
            panel.preview.set_page(None, str(exc))

    def _preview_all(self, *_args) -> None:
        for channel in self.panels:
            self._preview(channel)

    def _master_typed(self) -> None:
        if self.current is not None:
            self.save_master_button.setEnabled(self.master.values() != self.current.master and not self.read_only)
            self._check_master()

    def _check_master(self) -> None:
        """The master's own findings (lint.check_master) for what is typed in it now, listed under the
        editor with the variant's check; none, no list.  A link no variant can carry is said under
        the link field already, as it is typed."""
        from omnidesk.core.messages.lint import check_master
        from omnidesk.ui.views.messages.editor import MASTER_LABELS

        found = [] if self.current is None or self.brand is None else [
            f for f in check_master(self.master.values(), self.brand) if f.code != "malformed_link"]
        self.master_findings.clear()
        for f in found:
            where = MASTER_LABELS.get(f.field, f.field).replace("&", "")
            item = QListWidgetItem(f"{'✖' if f.severity == 'error' else '⚠'} Master · {where}: {f.message}")
            item.setData(Qt.ItemDataRole.UserRole, (f.field, f.start, f.end))
            item.setForeground(QColor("#B3261E" if f.severity == "error" else "#7A5A00"))
            item.setToolTip(f"{f.severity}: {f.code} (in the master, so in every variant made from it)")
            self.master_findings.addItem(item)
        self.master_findings.setVisible(bool(found))
        self._fit_master_findings()

    def _fit_master_findings(self) -> None:
        """The master's findings as tall as their wrapped lines, up to three; more scroll.  Again
        when the list's width changes: its lines wrap otherwise."""
        if self.master_findings.count():
            line = self.master_findings.fontMetrics().height()
            rows = rows_high(self.master_findings)
            self.master_findings.setFixedHeight(min(3 * line, rows) + 2 * self.master_findings.frameWidth() + 4)

    def eventFilter(self, watched, event) -> bool:
        if (watched is self.master_findings and event.type() == QEvent.Type.Resize
                and event.size().width() != event.oldSize().width()):
            self._fit_master_findings()
        return super().eventFilter(watched, event)

    def _jump_to_master(self, item: QListWidgetItem) -> None:
        """To the master's field a finding names, with the words it is about selected."""
        field, start, end = item.data(Qt.ItemDataRole.UserRole)
        edit = self.master.edits.get(field)
        if edit is None:
            return
        self.scroll.ensureWidgetVisible(edit)
        select_words(edit, start, end)

    def _update_actions(self) -> None:
        has = self.current is not None
        for widget in (self.duplicate_action, self.delete_action, self.export_action):
            widget.setEnabled(has)
        self.brand_action.setEnabled(True)
        for widget in (self.new_button, self.import_action, self.duplicate_action, self.delete_action,
                       self.brand_action):
            widget.setEnabled(widget.isEnabled() and not self.read_only)
        self.history_button.setEnabled(has and not self.read_only)

    def apply_changes(self, changes) -> None:
        if changes.everything or getattr(changes, "messages", False) or changes.settings:
            self.refresh(keep_typing=changes.everything)

    # -- asking (tests stand in for these) --------------------------------------------

    def ask_text(self, title: str, label: str, text: str = "") -> str | None:
        value, ok = QInputDialog.getText(self, title, label, text=text)
        return value.strip() if ok and value.strip() else None

    def confirm(self, title: str, text: str) -> bool:
        return QMessageBox.question(self, title, text) == QMessageBox.StandardButton.Yes

    def ask_open_json(self) -> Path | None:
        path, _ = QFileDialog.getOpenFileName(self, "Import a message", "", "Message (*.json)")
        return Path(path) if path else None

    def ask_save_json(self, name: str) -> Path | None:
        path, _ = QFileDialog.getSaveFileName(self, "Export the message", f"{name}.json", "Message (*.json)")
        return Path(path) if path else None

    def show_error(self, title: str, text: str) -> None:
        QMessageBox.warning(self, title, text)

    def ask_stale(self, name: str, channel: str | None, gone: bool, changes: list[str] | None = None) -> str:
        """Asked when the part being saved changed elsewhere: "reload", "overwrite" or "".
        ``changes``: its fields changed there, each a line (field_changes), said before the choice."""
        box = stale_question(self, name, channel, gone, changed_where(self._changed_from or {"elsewhere"}))
        if changes:
            box.setInformativeText("\n".join(changes) + "\n\n" + box.informativeText())
        box.exec()
        clicked = box.clickedButton()  # None when the box was closed otherwise
        return (clicked.property("answer") or "") if clicked is not None else ""

    # -- changing ----------------------------------------------------------------------

    def _change(self, words: str, run, then: str | None = None, saving: str | None = None) -> None:
        """``run`` as one undo step, then the message ``then`` shown.  ``saving``: the part of the
        editor the change stores ("master" or a channel), shown again as stored while the other
        parts keep what is typed in them; "all" when what was typed may go (the user said so)."""
        self._saving = saving
        try:
            result = self.operations.change_messages(words, run)
            if result is not None and then:
                self.select(then)
        finally:
            self._saving = None

    def new_message(self) -> None:
        if not self.may_leave():
            return
        name = self.ask_text("New message", "Name of the message (for you, not sent):")
        if name:
            self._change(f"new message {name}",
                         lambda ws: store.save_message(ws, name, {"headline": name}), then=name, saving="all")

    def save_focused(self) -> None:
        """Ctrl+S: the variant being typed in when the keyboard is in one, else the master."""
        focus = self.focusWidget()
        for channel, panel in self.panels.items():
            if focus is not None and panel.isAncestorOf(focus) and panel.has_unsaved():
                self.save_variant(channel, panel.values())
                return
        self.save_master()

    def _stored(self, name: str, part: str) -> store.MessageData | None:
        """The message as it is stored now (None: deleted meanwhile).  A change to ``part`` ("master"
        or a channel) not shown yet was made elsewhere: this window shows its own at once."""
        try:
            stored = store.get_message(self.workspace, name)
        except UserError:
            stored = None
        if stored is None or _versions(stored).get(part) != self._seen.get(part):
            self._changed_from.add("elsewhere")
        return stored

    def _reload(self, part: str, stored: store.MessageData | None) -> None:
        """After Reload: ``part`` ("master" or a channel) shown as stored, what is typed in the
        other parts kept; a message deleted meanwhile leaves the editor for the list as it is."""
        unseen = stored is None or _versions(stored) != self._seen  # read as a change made elsewhere
        self._saving = part if stored is not None else "all"
        try:
            self.refresh(keep_typing=unseen)
        finally:
            self._saving = None

    def save_master(self) -> None:
        if self.current is None or self.read_only or self.master.values() == self.current.master:
            return
        name, values = self.current.name, self.master.values()
        base = self._master_base if self._master_base is not None else self.current.master
        stored = self._stored(name, "master")
        if stored is None or stored.master != base:
            answer = self.ask_stale(name, None, stored is None,
                                    field_changes(base, stored.master, values) if stored is not None else None)
            if answer == "reload":
                self._reload("master", stored)
                return
            if answer != "overwrite":
                return  # what was typed stays, unsaved
            if stored is None:  # made again as typed
                self._change(f"edit master of {name}", lambda ws: store.save_message(ws, name, values),
                             saving="master")
                return
            # The fields typed here over the master as it reads now; those not typed keep the change
            # made elsewhere.  A change made meanwhile is refused.
            values = merged_fields(base, stored.master, values)
            base = stored.master
        self._change(f"edit master of {name}",
                     lambda ws: store.save_message(ws, name, values, replace=True, expect=base), saving="master")

    def save_variant(self, channel: str, fields: dict) -> None:
        if self.current is None or self.read_only:
            return
        name, master = self.current.name, self.current.master
        base = self._variant_bases.get(channel)
        stored = self._stored(name, channel)
        now = stored.variants.get(channel) if stored is not None else None
        if now is None or (base is not None and now.fields != base):
            answer = self.ask_stale(name, channel, now is None,
                                    field_changes(base or {}, now.fields, fields, channel) if now is not None else None)
            if answer == "reload":
                self._reload(channel, stored)
                return
            if answer != "overwrite":
                return  # what was typed stays, unsaved
            if stored is None:  # made again, its master as it was shown, this channel as typed
                self._change(f"edit {CHANNEL_LABELS[channel]} of {name}",
                             lambda ws: store.save_message(ws, name, master, variants={channel: fields}),
                             saving=channel)
                return
            if now is not None:  # as for the master: the typed fields over the version as it reads now
                fields = merged_fields(base or {}, now.fields, fields)
            base = now.fields if now is not None else None
        self._change(f"edit {CHANNEL_LABELS[channel]} of {name}",
                     lambda ws: store.set_variant(ws, name, channel, fields, expect=base), saving=channel)

    def resync_variant(self, channel: str) -> None:
        if self.current is not None:
            name = self.current.name
            self._change(f"re-sync {CHANNEL_LABELS[channel]} of {name}",
                         lambda ws: store.resync_variant(ws, name, channel), saving=channel)

    def keep_variant(self, channel: str) -> None:
        if self.current is not None:
            name = self.current.name
            self._change(f"keep {CHANNEL_LABELS[channel]} of {name}",
                         lambda ws: store.keep_variant(ws, name, channel))

    def add_channel(self, channel: str) -> None:
        if self.current is not None:
            name = self.current.name
            # Made from the master as stored: the one shown may be older (kept while words are typed
            # over a change made elsewhere), and adding a channel is no reason to write it back.
            self._change(f"add {CHANNEL_LABELS[channel]} to {name}", lambda ws: store.save_message(
                ws, name, store.get_message(ws, name).master, channels=[channel], replace=True))

    def duplicate_message(self) -> None:
        if self.current is None or not self.may_leave():  # the copy is made of the saved message
            return
        old = self.current.name
        name = self.ask_text("Duplicate message", "Name of the copy:", f"{old} (copy)")
        if name:
            self._change(f"duplicate {old}", lambda ws: store.duplicate_message(ws, old, name), then=name,
                         saving="all")

    def delete_message(self) -> None:
        if self.current is None:
            return
        name = self.current.name
        typed = " Undo does not bring back what you typed and did not save." if self._typing() else ""
        if self.confirm("Delete message", f"Delete “{name}” and its history? (Edit › Undo brings it back.){typed}"):
            self._change(f"delete {name}", lambda ws: store.delete_message(ws, name), saving="all")

    def import_message(self) -> None:
        if not self.may_leave():
            return
        chosen = json_files.open_chosen(self, "message file", "Cannot import the message")
        if chosen is None:
            return
        path, data = chosen
        name = data.get("name") if isinstance(data, dict) else None
        self._change(f"import {path.name}", lambda ws: store.import_json(ws, data),
                     then=name if isinstance(name, str) else None, saving="all")

    def export_message(self) -> None:
        if self.current is None:
            return
        name = self.current.name
        path = json_files.save_chosen(self, name, lambda: store.export_json(self.workspace, name),
                                      "Cannot export the message")
        if path is not None:
            self.exported.emit(str(path))

    def brand_dialog(self):
        from omnidesk.core.messages.brand import check_brand, get_brand, logo
        from omnidesk.ui.views.messages.brand_dialog import BrandDialog

        image = logo(self.workspace)
        return BrandDialog(get_brand(self.workspace), image.data if image else None, check_brand, self)

    def edit_brand(self) -> None:
        """The brand kit dialog; what changed is stored as one undo step, and every variant checked again."""
        if self.read_only:
            return
        from omnidesk.core.messages.brand import set_brand_fields

        dialog = self.brand_dialog()
        try:
            if dialog.exec() != dialog.DialogCode.Accepted or not dialog.changes:
                return
            changes = dict(dialog.changes)
        finally:
            dialog.deleteLater()

        class _Kit:
            def __init__(self, kit) -> None:
                self.kit = kit
                self.changes = Changes(messages=True, settings="name" in changes)

        self.operations.change_messages("edit brand kit", lambda ws: _Kit(set_brand_fields(ws, changes)))

    def show_history(self) -> None:
        if self.current is None:
            return
        from omnidesk.ui.views.messages.history import HistoryDialog

        dialog = HistoryDialog(self.current.name, store.versions(self.workspace, self.current.name), self)
        try:
            if dialog.exec() == HistoryDialog.DialogCode.Accepted and dialog.chosen is not None:
                name, version = self.current.name, dialog.chosen
                if self._typing() and not self.confirm(
                        "Unsaved changes", f"Restore the version of “{name}” over what you typed and did not save?"):
                    return
                self._change(f"restore {name}", lambda ws: store.restore_version(ws, name, version), saving="all")
        finally:
            dialog.deleteLater()
