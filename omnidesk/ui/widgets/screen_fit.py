"""Dialogs that fit the screen they open on, whatever the font size.

A dialog whose contents want more room than the screen has (a large system font, a small
laptop screen) keeps its OK and Cancel in sight: its form scrolls inside the dialog, the
buttons stay outside the scrolling part, and the dialog is never made bigger than the
screen's free area.
"""

from __future__ import annotations

from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QFrame, QScrollArea, QWidget

# Room left around a dialog for the window frame the system draws.
FRAME_ROOM = 40


def available(widget: QWidget) -> QRect | None:
    """The free area of the screen ``widget`` is on (or the primary screen's), if any."""
    screen = widget.screen() or QGuiApplication.primaryScreen()
    return screen.availableGeometry() if screen else None


def room(widget: QWidget) -> QSize | None:
    """The most a window can take on ``widget``'s screen, its frame included."""
    area = available(widget)
    if area is None:
        return None
    return QSize(max(area.width() - FRAME_ROOM, 200), max(area.height() - FRAME_ROOM, 150))


def scrolling(body: QWidget) -> QScrollArea:
    """``body`` in a frameless scroll area that shows a scroll bar only when it has to.  The area
    is no Tab stop of its own (a nameless stop to a screen reader): its controls are, and Tab
    scrolls the one it reaches into sight."""
    area = QScrollArea()
    area.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setWidgetResizable(True)
    area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
    area.setWidget(body)
    return area


class LeastHeight(QWidget):
    """What a scroll area holds when the parts it lays out one above the other may share less
    room than they would like: it is made taller only when they need it.

    A scroll area asks a widget whose text wraps for its height at the width it has, and takes
    that, the height everything in it prefers (a table at full length), so it scrolled where
    there was room; asked, this answers the least: a wrapping part's height at that width, the
    least of the others.
    """

    def heightForWidth(self, width: int) -> int:  # noqa: N802 (Qt's name)
        layout = self.layout()
        if layout is None:
            return super().heightForWidth(width)
        margins = layout.contentsMargins()
        inner = width - margins.left() - margins.right()
        shown = [layout.itemAt(i) for i in range(layout.count()) if not layout.itemAt(i).isEmpty()]
        heights = [item.heightForWidth(inner) if item.hasHeightForWidth() else item.minimumSize().height()
                   for item in shown]
        return sum(heights) + max(layout.spacing(), 0) * max(len(shown) - 1, 0) + margins.top() + margins.bottom()


def wanted_size(area: QScrollArea) -> QSize:
    """What the scroll area's contents want with no scroll bar, plus the area's own frame.

    A scroll area's own size hint stops at a few dozen lines of text; a dialog asks this instead.
    """
    body = area.widget()
    hint = body.sizeHint().expandedTo(body.minimumSizeHint())
    frame = 2 * area.frameWidth()
    return QSize(hint.width() + frame, hint.height() + frame)


def fit_to_screen(dialog: QWidget, width: int, height: int) -> None:
    """Resize ``dialog`` to ``width`` × ``height``, or less where the screen has less room."""
    most = room(dialog)
    if most is not None:
        width, height = min(width, most.width()), min(height, most.height())
    dialog.resize(max(width, dialog.minimumWidth()), max(height, dialog.minimumHeight()))
