"""A message box that lists what was done, an entry a line, and lines under an entry indented.

Each line is laid out as a paragraph of its own with a hanging indent: when a long one wraps
(a 300-character preheader, a long folder's path), its wrapped lines stay under its text
instead of starting at the left margin, where they read as entries of their own.  The words
stay selectable and copy as they are typed, the indenting spaces included.
"""

from __future__ import annotations

import html
import re
import sys

from PySide6.QtCore import Qt
from PySide6.QtGui import QFontMetricsF, QGuiApplication, QKeySequence
from PySide6.QtWidgets import QLabel, QMessageBox, QWidget

# An indented line's label ("with ", "Subject: ", "Preheader: "): its wrapped lines go under the
# words after it.  A left-to-right mark may come first (formatting.left_to_right).
_LEAD = re.compile(r"\u200e?( *)")
_LABEL = re.compile(r"with |[^\s:]{1,20}: ")
# How far the wrapped lines of a line with no label hang past its start: past what is
# indented under it, so they are not taken for one of its entries.
_HANG = " " * 8


def hanging_html(text: str, metrics: QFontMetricsF) -> str:
    """``text`` as rich text, a paragraph a line, each line's wrapped lines hanging under it
    (measured with ``metrics``, the font it is shown in); its plain text is ``text`` itself."""
    blocks = []
    for line in text.split("\n"):
        lead = _LEAD.match(line)
        label = _LABEL.match(line, lead.end()) if lead.group(1) else None
        hang = metrics.horizontalAdvance(line[:label.end()] if label else line[:lead.end()] + _HANG)
        # The first line starts at the margin (its own spaces indent it); the rest at ``hang``.  An
        # empty line is kept as Qt writes one (an empty paragraph is otherwise dropped).
        empty = "-qt-paragraph-type:empty; " if not line else ""
        blocks.append(f'<p dir="ltr" style="{empty}margin-top:0; margin-bottom:0; margin-left:{hang:.1f}px; '
                      f'text-indent:-{hang:.1f}px; white-space:pre-wrap">'
                      f'{html.escape(line, quote=False) if line else "<br />"}</p>')
    return "".join(blocks)


class ListingBox(QMessageBox):
    """An information box showing ``text`` (lines indented with spaces under the line they belong
    to) with hanging indents, selectable with the mouse and the keyboard, as wide as its longest
    line as far as the screen allows."""

    def __init__(self, title: str, text: str, parent: QWidget | None = None) -> None:
        super().__init__(QMessageBox.Icon.Information, title, "", QMessageBox.StandardButton.Ok, parent)
        self.plain = text
        self.setLayoutDirection(Qt.LayoutDirection.LeftToRight)
        self.setTextFormat(Qt.TextFormat.RichText)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse
                                     | Qt.TextInteractionFlag.TextSelectableByKeyboard)
        label = self.findChild(QLabel, "qt_msgbox_label")
        label.ensurePolished()
        metrics = QFontMetricsF(label.font())
        self.setText(hanging_html(text, metrics))
        widest = max(metrics.horizontalAdvance(line) for line in text.split("\n"))
        screen = (parent.screen() if parent is not None else None) or QGuiApplication.primaryScreen()
        width = screen.availableGeometry().width()
        # The widest a message box makes itself (Qt's own limit), less its icon and margins: a file's
        # name is not broken in the middle, and what is longer wraps under its own line.
        room = (width if width <= 1024 else min(width - 480, 1000)) - 120
        label.setMinimumWidth(int(min(widest + 8, room)))

    def keyPressEvent(self, event) -> None:
        # On Windows Ctrl+C copies the whole box, its text as typed: not the markup it is shown with.
        if sys.platform == "win32" and event.matches(QKeySequence.StandardKey.Copy):
            rule = "---------------------------\n"
            QGuiApplication.clipboard().setText(
                f"{rule}{self.windowTitle()}\n{rule}{self.plain}\n{rule}"
                + "".join(f"{b.text()}   " for b in self.buttons()) + f"\n{rule}")
            return
        super().keyPressEvent(event)
