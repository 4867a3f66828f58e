"""SegmentBuilder: a panel that edits a segment rule by clicks and keys, as rows of conditions.

The panel holds a top group (match all / any / none of its rows), each row a
field, an operator fitting that field and a value editor fitting both
(``rule_fields``); a row may also be a nested group.  What it edits is the
JSON form of core.segments, the same one the command line and saved segments
use.

Rows that are incomplete or refused by ``core.segments.check_rule`` stay on
screen with a short message under them and are left out of the rule that is
emitted; ``ruleChanged`` carries the rule of the complete rows (None when
there is none), a moment after the last edit.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QSize, Qt, QTimer, Signal
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QApplication,
    QCheckBox,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QStyle,
    QStyleOptionComboBox,
    QStylePainter,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from shiboken6 import isValid

from omnidesk.core.channels import SOURCES
from omnidesk.core.segments import EVENT_FAMILIES, RuleError, check_rule
from omnidesk.ui.widgets.buttons import enter_presses
from omnidesk.ui.widgets.rule_fields import (
    FIELD_LABELS,
    LABEL_OF,
    EventEditor,
    Incomplete,
    field_kind,
    make_editor,
    op_label,
    ops_of,
)

_MATCHES = [("all", "all of these"), ("any", "any of these"), ("none", "none of these")]
DEBOUNCE_MS = 300
# Said after the segment's name while what the panel shows is not what the segment holds.
UNSAVED = "(unsaved changes)"


def elide_words(text: str, metrics: QFontMetrics, width: int) -> str:
    """``text`` as it fits in ``width``: whole, else cut after a whole word with "…" (mid-word only
    when the first word alone does not fit)."""
    if metrics.horizontalAdvance(text) <= width:
        return text
    words = text.split(" ")
    for n in range(len(words) - 1, 0, -1):
        cut = " ".join(words[:n]).rstrip(" ,·(") + "…"
        if metrics.horizontalAdvance(cut) <= width:
            return cut
    return metrics.elidedText(text, Qt.TextElideMode.ElideRight, width)


class FieldBox(QComboBox):
    """The field chooser: an imported column's long name is cut after a word with "…", not mid-word,
    and the whole name is its tooltip (each name in the list has its own)."""

    def __init__(self) -> None:
        super().__init__()
        self.currentIndexChanged.connect(lambda _i: self.setToolTip(self.currentText()))

    def add_field(self, label: str, key: str) -> None:
        self.addItem(label, key)
        self.setItemData(self.count() - 1, label, Qt.ItemDataRole.ToolTipRole)

    def shown_text(self) -> str:
        """The current field's name as the box draws it."""
        option = QStyleOptionComboBox()
        self.initStyleOption(option)
        room = self.style().subControlRect(QStyle.ComplexControl.CC_ComboBox, option,
                                           QStyle.SubControl.SC_ComboBoxEditField, self).width() - 4
        return elide_words(self.currentText(), self.fontMetrics(), room)

    def paintEvent(self, _event) -> None:
        painter = QStylePainter(self)
        option = QStyleOptionComboBox()
        self.initStyleOption(option)
        painter.drawComplexControl(QStyle.ComplexControl.CC_ComboBox, option)
        option.currentText = self.shown_text()
        painter.drawControl(QStyle.ControlElement.CE_ComboBoxLabel, option)


class ElidedLabel(QLabel):
    """A line of ``before``, a name and ``after``: the name is cut with "…" when the line has not the
    room, and the tooltip holds it whole."""

    def __init__(self) -> None:
        super().__init__()
        self.parts = ("", "", "")
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)

    def set_parts(self, before: str, name: str, after: str) -> None:
        self.parts = (before, name, after)
        self.setToolTip(name)
        self._elide()
        self.updateGeometry()

    def sizeHint(self) -> QSize:
        hint = super().sizeHint()
        return QSize(self.fontMetrics().horizontalAdvance("".join(self.parts)) + 4, hint.height())

    def minimumSizeHint(self) -> QSize:
        return QSize(min(self.sizeHint().width(), 120), super().minimumSizeHint().height())

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._elide()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self._elide()

    def _elide(self) -> None:
        before, name, after = self.parts
        metrics = self.fontMetrics()
        room = self.width() - metrics.horizontalAdvance(before + after) - 4
        if not self.isVisible():  # not laid out yet: its width is no room it was given
            room = metrics.horizontalAdvance(name)
        shown = name if not name else (elide_words(name, metrics, room) if room > 0 else "…")
        self.setText(f"{before}{shown}{after}" if name else "")


class ConditionRow(QFrame):
    """One condition: field, operator, value, a remove button and, when it cannot run, why."""

    changed = Signal()
    submitted = Signal()
    removeRequested = Signal(QWidget)

    def __init__(self, channels: Sequence[str], fields: Sequence[tuple[str, str]]) -> None:
        super().__init__()
        self.setObjectName("conditionRow")
        self.channels = list(channels)
        self.field = FieldBox()
        self.field.setAccessibleName("Field")
        self.field.setMaxVisibleItems(20)
        # An imported column's long name would widen every row's field box; the list shows it whole.
        self.field.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.field.setMinimumContentsLength(16)
        for key, label in fields:
            self.field.add_field(label, key)
        self.op = QComboBox()
        self.op.setAccessibleName("Condition")
        self.editor: QWidget | None = None
        self.remove = QToolButton()
        self.remove.setText("✕")
        self.remove.setToolTip("Remove this condition")
        self.remove.setAccessibleName("Remove condition")
        self.remove.setAutoRaise(True)
        self.remove.clicked.connect(lambda: self.removeRequested.emit(self))
        self.message = QLabel()
        self.message.setObjectName("ruleRowError")
        self.message.setStyleSheet("QLabel#ruleRowError { color: #B3261E; }")
        self.message.setWordWrap(True)
        self.message.hide()
        # A row just added has nothing typed yet: "Type a value." in red under it would be an error
        # before anything was done.  It says so once its value was typed in, loaded or saved.
        self.fresh = True
        line = QHBoxLayout()
        line.setContentsMargins(0, 0, 0, 0)
        line.addWidget(self.field)
        line.addWidget(self.op)
        self.editor_slot = QHBoxLayout()
        line.addLayout(self.editor_slot, 1)
        line.addWidget(self.remove)
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(2)
        box.addLayout(line)
        box.addWidget(self.message)
        self.field.currentIndexChanged.connect(self._field_changed)
        self.op.currentIndexChanged.connect(self._op_changed)
        self._field_changed()

    def current_field(self) -> str:
        return self.field.currentData()

    def _field_changed(self) -> None:
        field = self.current_field()
        self.op.blockSignals(True)
        self.op.clear()
        for op in ops_of(field):
            self.op.addItem(op_label(field, op), op)
        self.op.blockSignals(False)
        self._op_changed(keep_value=False)  # another field: the value meant something else

    def _op_changed(self, _index: int = -1, keep_value: bool = True) -> None:
        field, op = self.current_field(), self.op.currentData()
        old = self.editor
        self.editor = make_editor(field, op, self.channels)
        if keep_value and type(old) is type(self.editor) and not isinstance(old, EventEditor):
            # "is" to "contains", "more than" to "at least": what was typed stays.
            try:
                self.editor.load(old.read())
            except Incomplete:
                pass
        self.editor.changed.connect(self._typed)
        self.editor.changed.connect(self.changed)
        self.editor.submitted.connect(self.submitted)
        for box in self.editor.findChildren(QAbstractSpinBox):
            # Enter in a number, days or date box applies what was typed at once, as in a text box
            # (the box takes the typed value first, then says Enter was pressed in its line).
            line = box.findChild(QLineEdit)
            if line is not None:
                line.returnPressed.connect(self.submitted)
        if old is not None:  # None while the row is being built
            self.editor_slot.removeWidget(old)
            old.hide()  # at once: until it is deleted it would cover the new one
            old.deleteLater()
        self.editor_slot.addWidget(self.editor)
        self.editor.show()
        self.changed.emit()

    def _typed(self) -> None:
        self.fresh = False

    def tab_chain(self) -> list[QWidget]:
        return [self.field, self.op, *_inputs(self.editor), self.remove]

    def condition(self) -> dict:
        """The condition as JSON; raises Incomplete or RuleError (with a short reason)."""
        field, op = self.current_field(), self.op.currentData()
        node: dict[str, Any] = {"field": field, "op": op}
        if isinstance(self.editor, EventEditor):
            node.update(self.editor.read())
        elif op not in ("exists", "not_exists") and field_kind(field) != "none":
            node["value"] = self.editor.read()
        try:
            check_rule(node, self.channels)
        except RuleError as exc:
            if not field.startswith("custom."):
                raise
            # Under the row, the column by the name it was imported with, not the rule's key.
            raise RuleError(str(exc).replace(field, field[len("custom."):])) from None
        return node

    def show_problem(self, text: str) -> None:
        self.message.setText(text)
        self.message.setVisible(bool(text))

    def _field_index(self, field: Any) -> int:
        """The field box's item for ``field``, added when the list does not offer it."""
        i = self.field.findData(field)
        if i < 0 and isinstance(field, str) and field.startswith("custom."):
            # A rule matches a custom field in any case: "custom.shoe size" is the offered "Shoe size".
            folded = field.casefold()
            i = next((j for j in range(self.field.count())
                      if str(self.field.itemData(j)).casefold() == folded), -1)
            if i >= 0:
                self.field.setItemData(i, field)  # the rule's own spelling stays in its JSON
        if i < 0:  # a custom field or an event type the list does not name
            label = LABEL_OF.get(field, str(field))
            if isinstance(field, str) and field.startswith("custom."):
                # Kept (a file may bring it later), but no record has it now: say so where it is chosen
                # ("has none" then holds for everyone, the other ops for nobody).
                label = f"{field[len('custom.'):]} (no record has it)"
            self.field.add_field(label, field)
            i = self.field.count() - 1
        return i

    def set_vocabulary(self, channels: Sequence[str], fields: Sequence[tuple[str, str]]) -> None:
        """Offer the workspace's fields and channels as they are now, keeping what the row says."""
        field = self.current_field()
        self.field.blockSignals(True)
        try:
            self.field.clear()
            for key, label in fields:
                self.field.addItem(label, key)
            self.field.setCurrentIndex(self._field_index(field))
        finally:
            self.field.blockSignals(False)
        channels = list(channels)
        if channels != self.channels:
            self.channels = channels
            if field_kind(field) == "channel" and self.editor is not None:
                # The channels to choose from (and their names) are the workspace's now; the choice stays.
                focused = QApplication.focusWidget()
                had_focus = focused is not None and self.editor.isAncestorOf(focused)
                self._op_changed(keep_value=True)
                if had_focus and _inputs(self.editor):
                    _inputs(self.editor)[0].setFocus(Qt.FocusReason.OtherFocusReason)

    def load(self, node: dict) -> None:
        field = node.get("field")
        self.field.setCurrentIndex(self._field_index(field))
        op = node.get("op") or ("within_days" if "within_days" in node else "exists")
        if field_kind(field) == "event" and op in ("exists", "not_exists") and "within_days" in node:
            op = "within_days" if op == "exists" else "not_within_days"
        j = self.op.findData(op)
        if j >= 0:
            self.op.setCurrentIndex(j)
        if isinstance(self.editor, EventEditor):
            self.editor.load_node(node)
        else:
            self.editor.load(node.get("value"))
        self.fresh = False


def field_choices(custom_fields: Sequence[str] = (), event_types: Sequence[str] = ()) -> list[tuple[str, str]]:
    """The fields a row offers: the fixed ones, then the workspace's own event types and custom fields."""
    offered = {key for key, _ in FIELD_LABELS}
    named = {t for types in EVENT_FAMILIES.values() for t in types}
    extra_events = [(f"event.{t}", f"Event: {t}") for t in event_types
                    if f"event.{t}" not in offered and t not in named and re.fullmatch(r"[a-z0-9_]+", t)]
    customs = [(f"custom.{name}", f"{name} (imported column)") for name in custom_fields]
    return [*FIELD_LABELS, *extra_events, *customs]


def _inputs(editor: QWidget) -> list[QWidget]:
    """The boxes a person types in or ticks in ``editor``, in order (not the parts inside them)."""
    kinds = (QLineEdit, QComboBox, QAbstractSpinBox, QCheckBox)
    return [w for w in editor.findChildren(QWidget) if isinstance(w, kinds)
            and not isinstance(w.parentWidget(), (QComboBox, QAbstractSpinBox))]


def _conditions(group) -> list[ConditionRow]:
    """Every condition row of ``group`` and of the groups in it."""
    found = []
    for row in group.rows:
        found.extend(_conditions(row) if isinstance(row, GroupBox) else [row])
    return found


def _problem(exc: Exception) -> str:
    """A check's one line, without the path (the row it is under says where)."""
    text = str(exc)
    head, sep, rest = text.partition(": ")
    return rest if sep and head.startswith("rule") else text


class GroupBox(QFrame):
    """A group: match all / any / none of its rows; rows are conditions or nested groups."""

    changed = Signal()
    submitted = Signal()
    removeRequested = Signal(QWidget)

    def __init__(self, channels: Sequence[str], fields: Sequence[tuple[str, str]], depth: int = 0) -> None:
        super().__init__()
        self.channels, self.fields, self.depth = list(channels), list(fields), depth
        self.setObjectName("ruleGroup" if depth else "ruleRoot")
        if depth:
            self.setFrameShape(QFrame.Shape.StyledPanel)
            self.setStyleSheet("QFrame#ruleGroup { border: 1px solid palette(mid); border-radius: 4px; }")
        self.match = QComboBox()
        self.match.setAccessibleName("Match")
        for key, label in _MATCHES:
            self.match.addItem(label, key)
        self.match.currentIndexChanged.connect(self.changed)
        head = QHBoxLayout()
        matching = QLabel("Customers matching" if depth == 0 else "A group matching")
        matching.setBuddy(self.match)  # a combo box is read by its value, labelled by its buddy
        head.addWidget(matching)
        head.addWidget(self.match)
        head.addStretch(1)
        self.remove: QToolButton | None = None
        if depth:
            self.remove = QToolButton()
            self.remove.setText("✕")
            self.remove.setAutoRaise(True)
            self.remove.setToolTip("Remove this group and its conditions")
            self.remove.setAccessibleName("Remove group")
            self.remove.clicked.connect(lambda: self.removeRequested.emit(self))
            head.addWidget(self.remove)
        self.rows_box = QVBoxLayout()
        self.rows_box.setSpacing(4)
        # Alt+A adds to the top group; a nested group's button has no letter of its own (one letter,
        # one button: a letter shared would only move between them).
        self.add_condition_button = QPushButton("&Add condition" if depth == 0 else "Add condition")
        if depth:  # a screen reader tells it from the top group's
            self.add_condition_button.setAccessibleName("Add condition to this group")
        enter_presses(self.add_condition_button)
        self.add_condition_button.clicked.connect(lambda: self.add_condition(focus=True))
        foot = QHBoxLayout()
        foot.addWidget(self.add_condition_button)
        self.add_group_button: QPushButton | None = None
        if depth == 0:
            self.add_group_button = QPushButton("Add &group")
            enter_presses(self.add_group_button)
            self.add_group_button.setToolTip("A group of conditions with its own all / any / none")
            self.add_group_button.clicked.connect(lambda: self.add_group(focus=True))
            foot.addWidget(self.add_group_button)
        foot.addStretch(1)
        box = QVBoxLayout(self)
        margin = (8, 6, 8, 6) if depth else (0, 0, 0, 0)
        box.setContentsMargins(*margin)
        box.addLayout(head)
        box.addLayout(self.rows_box)
        box.addLayout(foot)
        self.rows: list[QWidget] = []
        self._bare_not = False  # loaded from {"not": X} with X not an "any" group
        # Loaded with no conditions ({"any": []}: nobody): it keeps that meaning until a row is added,
        # where a group left empty while building is simply not part of the rule yet.
        self._loaded_empty = False

    def tab_chain(self) -> list[QWidget]:
        """Its boxes in reading order: the match, the remove button, each row's, the add buttons."""
        chain: list[QWidget] = [self.match]
        if self.remove is not None:
            chain.append(self.remove)
        for row in self.rows:
            chain.extend(row.tab_chain())
        chain.append(self.add_condition_button)
        if self.add_group_button is not None:
            chain.append(self.add_group_button)
        return chain

    def _adopt(self, row: QWidget, focus: bool) -> None:
        self._loaded_empty = False
        row.changed.connect(self.changed)
        row.submitted.connect(self.submitted)
        row.removeRequested.connect(self.remove_row)
        self.rows.append(row)
        self.rows_box.addWidget(row)
        row.show()  # now, not on the next turn of the event loop: Tab may come first
        if focus:
            first = row.field if isinstance(row, ConditionRow) else row.match
            first.setFocus(Qt.FocusReason.TabFocusReason)
        self.changed.emit()

    def add_condition(self, node: dict | None = None, *, focus: bool = False) -> ConditionRow:
        row = ConditionRow(self.channels, self.fields)
        if node is not None:
            row.load(node)
        self._adopt(row, focus)
        return row

    def add_group(self, node: dict | None = None, *, focus: bool = False) -> GroupBox:
        group = GroupBox(self.channels, self.fields, self.depth + 1)
        if node is not None:
            group.load(node)
        else:
            group.add_condition()
        self._adopt(group, focus)
        return group

    def remove_row(self, row: QWidget) -> None:
        if row in self.rows:
            index = self.rows.index(row)
            self.rows.remove(row)
            self.rows_box.removeWidget(row)
            row.hide()
            row.deleteLater()
            if not self.rows and self.depth:
                # A group left with no condition would pick everyone (or, matching any, nobody) without
                # saying so: it goes with its last condition, and focus goes where its own ✕ sends it.
                self.removeRequested.emit(self)
                return
            # Focus stays in the panel: on the next row, or on the button that adds one.
            nxt = self.rows[min(index, len(self.rows) - 1)] if self.rows else None
            target = (nxt.field if isinstance(nxt, ConditionRow) else nxt.match) if nxt else self.add_condition_button
            target.setFocus(Qt.FocusReason.OtherFocusReason)
            self.changed.emit()

    def set_vocabulary(self, channels: Sequence[str], fields: Sequence[tuple[str, str]]) -> None:
        """Rows added from now on, and every row shown, offer these fields and channels."""
        self.channels, self.fields = list(channels), list(fields)
        for row in self.rows:
            row.set_vocabulary(channels, fields)

    def clear(self) -> None:
        for row in list(self.rows):
            self.rows_box.removeWidget(row)
            row.hide()
            row.deleteLater()
        self.rows.clear()
        self.match.setCurrentIndex(0)
        self._bare_not = False
        self._loaded_empty = False

    def load(self, node: dict) -> None:
        """Show ``node``: a group, or a single condition (shown as a group of one)."""
        self.clear()
        if "not" in node:
            inner = node["not"]
            self.match.setCurrentIndex(2)
            self._bare_not = not (isinstance(inner, dict) and set(inner) == {"any"})
            items = [inner] if self._bare_not else inner["any"]
        elif "any" in node:
            self.match.setCurrentIndex(1)
            items = node["any"]
        elif "all" in node:
            items = node["all"]
        else:
            items = [node]
        for item in items:
            if isinstance(item, dict) and any(k in item for k in ("all", "any", "not")):
                self.add_group(item)
            else:
                self.add_condition(item)
        self._loaded_empty = not items

    def build(self) -> tuple[dict | None, int]:
        """The group's rule from its complete rows (None when it has none), and how many rows cannot run.

        Shows each row's problem under it, or clears it.
        """
        parts, problems = [], 0
        for row in self.rows:
            if isinstance(row, GroupBox):
                node, bad = row.build()
                problems += bad
                if node is not None:
                    parts.append(node)
                continue
            try:
                parts.append(row.condition())
                row.show_problem("")
            except Incomplete as exc:
                row.show_problem("" if row.fresh else str(exc))
                problems += 1
            except RuleError as exc:
                row.show_problem(_problem(exc))
                problems += 1
        match = self.match.currentData()
        if not parts:
            if self._loaded_empty:
                return ({"not": {"any": []}} if match == "none" else {match: []}), problems
            return None, problems
        if match == "none":
            # {"not": X} as loaded stays so while it holds one part: same rule, same JSON.
            if self._bare_not and len(parts) == 1:
                return {"not": parts[0]}, problems
            return {"not": {"any": parts}}, problems
        return {match: parts}, problems


class SegmentBuilder(QFrame):
    """The panel: a rule's groups and rows, the live count, Clear and Save as segment."""

    ruleChanged = Signal(object)  # dict | None: the rule of the complete rows, debounced
    saveRequested = Signal(object)  # dict: save this rule as a segment
    segmentNameChanged = Signal(str)  # the saved segment being edited ("" when none)
    rowsRead = Signal()  # the rows were read: the words under them may have come or gone

    def __init__(self, channels: Sequence[str] | None = None, parent=None, *,
                 custom_fields: Sequence[str] = (), event_types: Sequence[str] = ()) -> None:
        super().__init__(parent)
        self.setObjectName("segmentBuilder")
        # Without a workspace's list: the app's own channels, in the order a workspace lists them.
        self.channels = list(channels) if channels is not None else sorted(c.code for c in SOURCES)
        self.segment_name = ""  # the saved segment being edited, if any
        # That segment as the rows read when it was opened or saved: its rule, and how many rows could not run.
        self._saved: tuple[dict | None, int] = (None, 0)
        self._stored: dict | None = None  # and its rule as the workspace holds it
        self._rule: dict | None = None
        self._problems = 0
        # Asked before Clear drops what the rows say: False keeps them (the window asks about a
        # changed saved segment; without a window, nothing is asked).
        self.may_leave: Callable[[], bool] = lambda: True
        self.root = GroupBox(self.channels, field_choices(custom_fields, event_types))
        self.root.changed.connect(self._edited)
        self.root.submitted.connect(self.apply_now)
        self.count_label = QLabel()
        self.count_label.setObjectName("segmentCount")
        font = self.count_label.font()
        font.setBold(True)
        self.count_label.setFont(font)
        self.editing_label = ElidedLabel()
        self.editing_label.setObjectName("segmentEditing")
        self.clear_button = QPushButton("&Clear")
        enter_presses(self.clear_button)
        self.clear_button.setToolTip("Remove every condition: everyone is shown")
        self.clear_button.clicked.connect(self.clear)
        self.save_button = QPushButton("&Save as segment…")
        enter_presses(self.save_button)
        self.save_button.clicked.connect(self._save)
        bottom = QHBoxLayout()
        bottom.addWidget(self.count_label)
        bottom.addWidget(self.editing_label)
        bottom.addStretch(1)
        bottom.addWidget(self.clear_button)
        bottom.addWidget(self.save_button)
        # The rows scroll when there are many; the count and the buttons stay in sight below them.
        self.rows_area = QScrollArea()
        self.rows_area.setWidgetResizable(True)
        self.rows_area.setFrameShape(QFrame.Shape.NoFrame)
        self.rows_area.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # its fields are the Tab stops; it follows them
        self.rows_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.rows_area.setWidget(self.root)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        box = QVBoxLayout(self)
        box.setContentsMargins(8, 8, 8, 8)
        box.addWidget(self.rows_area)
        box.addLayout(bottom)
        self._bottom = bottom
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(DEBOUNCE_MS)
        self._debounce.timeout.connect(self.apply_now)
        QApplication.instance().focusChanged.connect(self._focus_moved)
        self._refresh_buttons()

    def _focus_moved(self, _old, new) -> None:
        # A row reached by Tab, or just added, is scrolled into sight with the words under it.
        row = new
        while row is not None and not isinstance(row, (ConditionRow, GroupBox)):
            row = row.parentWidget()
        if row is not None and row is not self.root and self.root.isAncestorOf(row):
            QTimer.singleShot(0, row, lambda: self.rows_area.ensureWidgetVisible(row, 0, 0)
                              if isValid(row) else None)

    def fit(self, max_height: int) -> None:
        """As tall as its rows, but no taller than ``max_height``: then the rows scroll."""
        rows = self.root.sizeHint().height()
        box = self.layout()
        margins = box.contentsMargins()
        rest = (self._bottom.sizeHint().height() + margins.top() + margins.bottom() + box.spacing()
                + 2 * self.frameWidth())
        self.rows_area.setFixedHeight(max(40, min(rows, max_height - rest)))


    def rule(self) -> dict | None:
        """The rule of the complete rows as last applied (None: no condition, everyone)."""
        return self._rule

    def problems(self) -> int:
        """How many rows are shown with a problem (left out of the rule)."""
        return self._problems

    def set_rule(self, rule: dict | None, segment_name: str = "") -> None:
        """Show ``rule`` for editing (None: empty) and apply it at once."""
        self.root.blockSignals(True)
        try:
            if rule is None:
                self.root.clear()
            else:
                self.root.load(rule)
        finally:
            self.root.blockSignals(False)
        self.order_tabs()
        self.set_segment_name(segment_name)
        self.apply_now(force=True)
        self._saved = (self._rule, self._problems)  # as opened: nothing changed yet
        self._stored = rule
        self._show_editing()

    def set_vocabulary(self, channels: Sequence[str], custom_fields: Sequence[str] = (),
                       event_types: Sequence[str] = ()) -> None:
        """Offer what the workspace has now (an import, an undo, a change made elsewhere): its
        channels, custom fields and event types.  The rows keep what they say and are read again:
        a row refused for a channel that has come since runs now, and ``ruleChanged`` says so.
        """
        fields = field_choices(custom_fields, event_types)
        channels = list(channels)
        if channels == self.channels and fields == self.root.fields:
            return
        self.channels = channels
        unchanged = not self.is_changed()
        self.root.blockSignals(True)  # the rows are read once, below
        try:
            self.root.set_vocabulary(channels, fields)
        finally:
            self.root.blockSignals(False)
        self.order_tabs()
        self.apply_now()
        if unchanged:  # a row that runs now is no edit of the user's
            self._saved = (self._rule, self._problems)
            self._show_editing()

    def set_segment_name(self, name: str) -> None:
        changed = name != self.segment_name
        self.segment_name = name
        if changed:
            self.segmentNameChanged.emit(name)
        self._show_editing()

    def saved_as(self, name: str, rule: dict) -> None:
        """What the panel shows was just saved as the segment ``name`` (``rule``): nothing is unsaved."""
        self._saved = (self._rule, self._problems)
        self._stored = rule
        self.set_segment_name(name)

    def segment_stored(self, rule: dict) -> None:
        """The segment being edited holds ``rule`` now.  Changed since it was opened or saved (Edit ›
        Undo of the save, a save in another window): the rows no longer say what it holds, and the
        panel says so rather than let them be dropped unasked."""
        if rule != self._stored:
            self._stored = rule
            self._saved = (rule, 0)
            self._show_editing()

    def is_changed(self) -> bool:
        """True when a saved segment is being edited and its rows now say something else (a row
        added and not finished too)."""
        return bool(self.segment_name) and (self._rule, self._problems) != self._saved

    def _show_editing(self) -> None:
        name = self.segment_name
        self.editing_label.set_parts("· segment “", name, "”" + (f" {UNSAVED}" if self.is_changed() else ""))

    def clear(self) -> None:
        if not self.may_leave():
            return  # Cancel: the edited segment stays on screen, unsaved
        focused = QApplication.focusWidget()
        in_panel = focused is not None and self.isAncestorOf(focused)
        self.set_rule(None)
        if in_panel:
            # Clear itself, pressed from the keyboard, is now off: the keyboard stays in the panel,
            # where the next condition is added, not on whatever follows in the window.
            self.root.add_condition_button.setFocus(Qt.FocusReason.OtherFocusReason)

    def first_focus(self) -> QWidget:
        """Where the keyboard starts in the panel: the first row's field, or Add condition."""
        for row in self.root.rows:
            return row.field if isinstance(row, ConditionRow) else row.match
        return self.root.add_condition_button


    def show_counting(self, new_rule: bool = False) -> None:
        """Say the count is being worked out: always for a new rule (what is shown is another rule's),
        else only where nothing is shown (the same rule counted again after a change keeps its number)."""
        if new_rule or not self.count_label.text():
            self.count_label.setText("Counting…")

    def show_count(self, n: int | None, error: str = "", listed: int | None = None) -> None:
        """How many customers the rule picks; with ``listed``, how many of them the list shows
        with its search and filters, which the rule (and a segment saved from it) leaves aside."""
        if error:
            self.count_label.setText(error)
        elif n is None:
            self.count_label.setText("")
        elif listed is None:
            self.count_label.setText(f"{n:,} customer{'s' if n != 1 else ''}")
        else:
            picked = (f"{n:,} match{'es' if n == 1 else ''} the rule" if self._rule is not None
                      else f"{n:,} customer{'s' if n != 1 else ''}")
            self.count_label.setText(f"{picked}; {listed:,} with the search and filters")


    def _edited(self) -> None:
        self.order_tabs()
        # A row just added can be cleared at once: Tab reaches Clear without waiting for the pause.
        self.clear_button.setEnabled(bool(self.root.rows) or self._rule is not None)
        self._debounce.start()

    def order_tabs(self) -> None:
        """Tab goes through the panel in reading order.

        Rows and editors added later would otherwise come last in the window's
        focus chain, after the navigation and the table.
        """
        chain = [*self.root.tab_chain(), self.clear_button, self.save_button]
        for before, after in zip(chain, chain[1:]):
            QWidget.setTabOrder(before, after)

    def settle(self) -> None:
        """A row still in its typing pause is read now (:meth:`apply_now`); else nothing happens."""
        if self._debounce.isActive():
            self.apply_now()

    def apply_now(self, force: bool = False) -> None:
        """Read the rows now (not after the pause) and emit the rule when it differs."""
        self._debounce.stop()
        rule, self._problems = self.root.build()
        differs = rule != self._rule
        self._rule = rule
        self._refresh_buttons()
        self._show_editing()
        self.rowsRead.emit()
        if force or differs:
            self.ruleChanged.emit(rule)

    def _refresh_buttons(self) -> None:
        ready = self._rule is not None or bool(self.root.rows)
        self.save_button.setEnabled(ready and self._problems == 0)
        self.save_button.setToolTip(
            "Keep this rule under a name, in the navigation under Customers" if self._problems == 0
            else "Finish or remove the rows that cannot run first")
        self.clear_button.setEnabled(bool(self.root.rows) or self._rule is not None)

    def _save(self) -> None:
        for row in _conditions(self.root):
            row.fresh = False  # now each says what it lacks
        self.apply_now()
        if self._problems == 0:
            self.saveRequested.emit(self._rule if self._rule is not None else {"all": []})
