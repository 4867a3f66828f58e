"""Whether a widget is seen whole where it is: shown, inside its window, and cut off by nothing
that holds it (a scroll area's viewport, a splitter's pane)."""

from __future__ import annotations

from PySide6.QtCore import QRect
from PySide6.QtWidgets import QWidget


def in_sight(widget: QWidget, part: QRect | None = None) -> bool:
    """``widget`` (or ``part`` of it, in its own coordinates) on screen as it is, scrolled nowhere."""
    if not widget.isVisible() or widget.visibleRegion().isEmpty():
        return False
    part = part if part is not None else widget.rect()
    holder = widget
    while holder is not None:
        # Each holder draws only inside its own rectangle: the part must lie in every one.
        on_holder = QRect(widget.mapTo(holder, part.topLeft()), part.size())
        if not holder.rect().contains(on_holder):
            return False
        if holder.isWindow():
            return True
        holder = holder.parentWidget()
    return True
