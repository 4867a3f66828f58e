"""Who each step reaches: eligible and excluded counts by reason, the people behind a count,
and the campaign check's findings.

The panel only shows what the screen computed off the UI thread (``plan_audiences``
and ``check_campaign``); clicking a reason lists those customers, and a
double-click on one emits ``customerActivated``.
"""

from __future__ import annotations

from datetime import UTC, datetime

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import (
    QLabel,
    QListWidget,
    QListWidgetItem,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from omnidesk.core.campaigns.guards import HELD_OUT, REASONS
from omnidesk.core.messages.derive import CHANNEL_LABELS
from omnidesk.core.text import counted
from omnidesk.core.timeutil import local_minute

ERROR_COLOUR, WARNING_COLOUR = "#B3261E", "#7A5A00"


def _goes_out(step) -> datetime:
    """When ``step`` goes out, on its own clock: a time the clocks skip (02:30 on a spring-forward
    night) is the one they show then (03:30), as the check, the packs and the calendar say it."""
    try:
        return step.at
    except (ValueError, OverflowError, KeyError):  # a time out of range or a zone unknown here
        return datetime.fromisoformat(step.at_local[:16])


def step_title(step) -> str:
    return f"{step.label} · {_goes_out(step):%Y-%m-%d %H:%M} ({step.timezone})"


def step_when(step) -> str:
    """A step's day and time as a line shows it: "1 Mar 2027 03:30" (:func:`_goes_out`)."""
    moment = _goes_out(step)
    return f"{moment.day} {moment.strftime('%b %Y %H:%M')}"


def _place(zone: str) -> str:
    """A zone as short as it reads: "America/Los_Angeles" is "Los Angeles", "UTC" stays."""
    return zone.rpartition("/")[2].replace("_", " ")


def zone_names(steps) -> dict[int, str]:
    """Each step's zone as short as it reads at the step's moment (by position in ``steps``).

    The clock's own abbreviation where every zone has a word for it that no other clock among
    them shares ("PST", "EST", "CET"): "12:00 Los Angeles" was cut in a 1024-pixel window.  A
    zone whose abbreviation is only an offset ("+11"), or one two different clocks share ("IST"
    for India and Ireland), is named by its place ("Lord Howe").
    """
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    short: dict[int, str] = {}
    offsets: dict[str, set] = {}
    for i, step in enumerate(steps):
        try:
            at = datetime.fromisoformat(str(step.at_local)[:16]).replace(tzinfo=ZoneInfo(step.timezone))
            name, offset = at.tzname() or "", at.utcoffset()
        except (ValueError, ZoneInfoNotFoundError):
            name, offset = "", None
        if name.isalpha() and name.isupper():
            short[i] = name
            offsets.setdefault(name, set()).add(offset)
    return {i: short[i] if i in short and len(offsets[short[i]]) == 1 else _place(step.timezone)
            for i, step in enumerate(steps)}


NO_STEPS = "No steps yet: add a step to see who it reaches."
UNSAVED_STEPS = "Save the campaign to see who its new steps reach."

# The steps' counts take the height of their lines, up to this many, before the customers of a
# reason and the check share the rest (more lines than this scroll).
TREE_LINES = 16


class _LinesTree(QTreeWidget):
    """A tree that asks for the height of its lines (``wanted``, set by ``_fit_tree``)."""

    wanted = 0

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt)
        hint = super().sizeHint()
        return QSize(hint.width(), self.wanted) if self.wanted else hint


class _ShortList(QListWidget):
    """A list that asks for two lines only: it takes what room the steps' lines leave, not before them."""

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt)
        hint = super().sizeHint()
        return QSize(hint.width(), 2 * (self.fontMetrics().height() + 2) + 2 * self.frameWidth())


class RecipientsPanel(QWidget):
    customerActivated = Signal(int)
    reasonChosen = Signal(int, str)  # step index, reason: the screen fills the list

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(QLabel("<b>Recipients</b>"))
        self.state = QLabel("Save the campaign to see who each step reaches.")
        self.state.setObjectName("recipientsState")
        self.state.setWordWrap(True)
        layout.addWidget(self.state)
        # A tree rather than rows of labels: it scrolls and sizes itself in any window, and the
        # keys walk it (Enter on a reason lists its customers).
        self.tree = _LinesTree()
        self.tree.setObjectName("stepRecipients")
        self.tree.setAccessibleName("Recipients of each step")
        self.tree.setHeaderHidden(True)
        self.tree.setRootIsDecorated(False)
        self.tree.setIndentation(14)
        # A step's line ends with its zone when steps use several: cut from the end, the date stays whole.
        self.tree.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.tree.itemClicked.connect(self._chosen)
        self.tree.itemActivated.connect(self._chosen)
        # As tall as its lines (see _fit_tree), first: what it does not need goes to the check.
        # With a share of the spare height, twelve lines of two steps showed four at 1024 x 640
        # and scrolled, beside a check list with room to spare.
        layout.addWidget(self.tree, 0)
        self.people_title = QLabel()
        self.people_title.setWordWrap(True)
        self.people = _ShortList()
        self.people.setObjectName("excludedPeople")
        self.people.setAccessibleName("Customers left out")
        self.people.setToolTip("Double-click (or Enter) opens the customer")
        self.people.itemActivated.connect(self._activated)
        layout.addWidget(self.people_title)
        layout.addWidget(self.people, 2)
        self.people_title.hide()
        self.people.hide()
        layout.addWidget(QLabel("<b>Check</b>"))
        self.findings = _ShortList()
        self.findings.setObjectName("campaignFindings")
        self.findings.setAccessibleName("Campaign check")
        self.findings.setWordWrap(True)
        layout.addWidget(self.findings, 2)
        self.reason_items: dict[tuple[int, str], QTreeWidgetItem] = {}
        self.eligible_items: list[QTreeWidgetItem] = []
        self.exported_items: list[QTreeWidgetItem] = []
        self.moved_items: list[QTreeWidgetItem] = []

    def _clear_steps(self) -> None:
        self.tree.clear()
        self.reason_items = {}
        self.eligible_items = []
        self.exported_items = []
        self.moved_items = []
        self._fit_tree()

    def _fit_tree(self) -> None:
        """The steps' counts as tall as their lines and no taller: at 1024 x 640 a tree of blank
        below four steps took three fifths of the panel, and the check showed four findings."""
        items = []
        for i in range(self.tree.topLevelItemCount()):
            top = self.tree.topLevelItem(i)
            items.append(top)
            if top.isExpanded():
                items.extend(top.child(j) for j in range(top.childCount()))
        line = self.tree.fontMetrics().height() + 2
        rows = sum(max(self.tree.visualItemRect(item).height(), line) for item in items)
        frame = 2 * self.tree.frameWidth() + 4
        self.tree.setMaximumHeight(max(3 * line, rows) + frame)
        self.tree.wanted = max(3 * line, min(rows, TREE_LINES * line)) + frame
        self.tree.updateGeometry()

    def show_computing(self) -> None:
        self.state.setStyleSheet("")
        self.state.setText("Working out who each step reaches…")
        self.state.show()

    def show_failed(self, text: str) -> None:
        """Who the steps reach could not be worked out: ``text`` says so, in the errors' colour, and
        no step or finding of the campaign shown before stays beside it."""
        self.show_nothing(text)
        self.state.setStyleSheet(f"color: {ERROR_COLOUR}")

    def steps_unsaved(self, unsaved: bool) -> None:
        """The saved plan has no step but the form has: say that saving shows who they reach."""
        if self.state.isVisible() and self.state.text() in (NO_STEPS, UNSAVED_STEPS):
            self.state.setText(UNSAVED_STEPS if unsaved else NO_STEPS)

    def show_nothing(self, text: str) -> None:
        self._clear_steps()
        self.state.setStyleSheet("")
        self.state.setText(text)
        self.state.show()
        self.findings.clear()
        self.people.hide()
        self.people_title.hide()

    def show_audiences(self, audiences: list, report, exported: dict | None = None, zone=None, *,
                       unusable: list | None = None) -> None:
        """Each step's counts (``StepAudience``s, in step order) and the check's findings.

        ``exported`` (``campaign.exported_recipients``): for a step already exported, what
        its pack was made for comes first; the counts below are today's guards — but for a step
        that went out (``StepAudience.kept``), whose counts are what its export recorded.
        ``unusable``: the steps with no moment to work with (``Step.problem``: a time out of
        range saved before plans refused it), each shown after the others with what is wrong.
        """
        exported = exported or {}
        unusable = unusable or []
        self._clear_steps()
        self.people.hide()
        self.people_title.hide()
        self.state.setStyleSheet("")
        self.state.setVisible(not audiences and not unusable)
        self.state.setText(NO_STEPS)
        link = self.palette().color(QPalette.ColorRole.Link)
        # Steps come in the order they go out; their times read on each one's own clock.  With one
        # zone for all, it is in the steps beside and in the tip (the line keeps room for the date);
        # with several, each line names its own, or 12:00 in Tokyo would seem to come before 22:30
        # the day before in New York.
        several = len({a.step.timezone for a in audiences}) > 1
        names = zone_names([a.step for a in audiences]) if several else {}
        for n, a in enumerate(audiences):
            where = f" {names[n]}" if several else ""
            top = QTreeWidgetItem([f"{a.step.label} · {step_when(a.step)}{where}"])
            top.setToolTip(0, step_title(a.step))
            font = top.font(0)
            font.setBold(True)
            top.setFont(0, font)
            self.tree.addTopLevelItem(top)
            if a.eligible is None:
                line = QTreeWidgetItem(top, ["whoever looks (a broadcast step)"])
                line.setToolTip(0, "Posts, the poster and the website reach no list of people: nobody is left out")
                self.eligible_items.append(line)
            else:
                done = exported.get(a.step.id)
                # Under way: its time has come but texts moved out of quiet hours are still to go
                # (the check's step_under_way): going out, not sent.
                going = (f"going out, last sends due {a.sending_until.astimezone(UTC):%Y-%m-%d %H:%M} UTC"
                         if a.sending_until is not None else "")
                if a.kept:
                    # It went out, or is going out: the counts are what its export recorded, and stay so.
                    made = f" (pack exported {local_minute(done[0], zone)})" if done is not None else ""
                    sent = QTreeWidgetItem(top, [f"{counted(len(a.eligible), 'recipient')} {going or 'sent'}, "
                                                 f"kept as exported{made}"])
                    sent.setToolTip(0, "This step is going out: texts moved out of quiet hours are still to go; "
                                       "whom it reaches and held out are what its export recorded, and exporting "
                                       "again leaves it as it was" if going else
                                       "This step went out: whom it reached and held out are what its export "
                                       "recorded; exporting again leaves it as it was")
                    self.exported_items.append(sent)
                    self.eligible_items.append(sent)
                elif done is not None:
                    sent = QTreeWidgetItem(top, [f"{counted(done[1], 'recipient')} in the pack exported "
                                                 f"{local_minute(done[0], zone)}" + (f", {going}" if going else "")])
                    sent.setToolTip(0, "What the exported pack was made for; the counts below are today's "
                                       "guards (a new opt-out or import since changes them)")
                    self.exported_items.append(sent)
                if not a.kept:
                    self.eligible_items.append(QTreeWidgetItem(
                        top, [f"{len(a.eligible):,} eligible" + (" today" if done is not None else "")]))
                counts = a.counts()
                for reason in REASONS:
                    if counts.get(reason):
                        item = QTreeWidgetItem(top, [f"{counts[reason]:,} {reason}"])
                        item.setData(0, Qt.ItemDataRole.UserRole, (n, reason))
                        item.setForeground(0, link)
                        item.setToolTip(0, "Held out by the plan: not sent, the baseline results compare with. "
                                        "Click (or Enter) to list them" if reason == HELD_OUT else
                                        f"Left out: {reason}. Click (or Enter) to list them")
                        self.reason_items[(n, reason)] = item
                if a.moved:
                    self.moved_items.append(QTreeWidgetItem(top, [f"{len(a.moved):,} moved out of quiet hours"]))
            top.setExpanded(True)
        for step in unusable:
            # Not a step of ``audiences``: no reason under it, so the indexes the reasons carry hold.
            top = QTreeWidgetItem([f"{step.label} · {str(step.at_local)[:16].replace('T', ' ')}"])
            top.setToolTip(0, step.problem)
            font = top.font(0)
            font.setBold(True)
            top.setFont(0, font)
            self.tree.addTopLevelItem(top)
            line = QTreeWidgetItem(top, [f"Its time is {step.time_problem}"])
            line.setForeground(0, QColor(ERROR_COLOUR))
            line.setToolTip(0, "Give the step a date it takes in the editor, and save")
            top.setExpanded(True)
        self._fit_tree()
        self.show_findings(report)

    def _chosen(self, item: QTreeWidgetItem, _column: int = 0) -> None:
        where = item.data(0, Qt.ItemDataRole.UserRole)
        if where:
            self.reasonChosen.emit(*where)

    def show_findings(self, report) -> None:
        self.findings.clear()
        if report is None:
            return
        ordered = sorted(report.findings, key=lambda f: f.severity != "error")
        for f in ordered:
            mark = "✖" if f.severity == "error" else "⚠"
            # Which variant or step it is about, as the command line says it: "SMS: no opt-out line".
            where = {"master": "Message", **CHANNEL_LABELS}.get(f.channel)
            item = QListWidgetItem(f"{mark} {where}: {f.message}" if where else f"{mark} {f.message}")
            item.setForeground(QColor(ERROR_COLOUR if f.severity == "error" else WARNING_COLOUR))
            item.setToolTip(f"{f.severity}: {f.code}")
            self.findings.addItem(item)
        if not ordered:
            self.findings.addItem(QListWidgetItem("✔ Nothing to fix"))

    def show_people(self, title: str, people: list[tuple[int, str]]) -> None:
        self.people_title.setText(title)
        self.people.clear()
        for cid, name in people:
            item = QListWidgetItem(name)
            item.setData(Qt.ItemDataRole.UserRole, cid)
            self.people.addItem(item)
        self.people_title.show()
        self.people.show()
        if self.people.count():
            self.people.setCurrentRow(0)

    def _activated(self, item: QListWidgetItem) -> None:
        cid = item.data(Qt.ItemDataRole.UserRole)
        if isinstance(cid, int):
            self.customerActivated.emit(cid)

