"""Secondary text that stays readable: the palette's placeholder colour darkened (or lightened)
until it meets the WCAG minimum for normal text against every background it is drawn on."""

from __future__ import annotations

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

from omnidesk.core.channels import contrast_ratio

READABLE = 4.5  # WCAG 2 AA for text of normal size


def readable_secondary(palette: QPalette) -> QColor:
    """The palette's placeholder colour, moved towards its text colour just far enough to read
    at :data:`READABLE` against the window and the base (fields, lists).

    Fusion's grey on its light window measured 3.9:1; a label greyed by disabling it, 1.6:1.
    The colour keeps its hue and stays lighter than the text (darker, on a dark theme), so
    secondary text still looks secondary.
    """
    role = QPalette.ColorRole
    window = palette.color(role.Window)
    # Qt 6's placeholder is the text colour at half opacity: what shows is its blend with the
    # window behind it, which is what the contrast is of.
    placeholder = palette.color(role.PlaceholderText)
    alpha = placeholder.alphaF()
    grey = [alpha * c + (1 - alpha) * w for c, w in zip(placeholder.getRgbF()[:3], window.getRgbF()[:3])]
    text = palette.color(role.WindowText).getRgbF()[:3]
    grounds = [window.name(), palette.color(role.Base).name()]
    for step in range(21):
        t = step / 20
        color = QColor.fromRgbF(*(a + (b - a) * t for a, b in zip(grey, text)))
        if all(contrast_ratio(color.name(), ground) >= READABLE for ground in grounds):
            break
    return color


def use_readable_secondary(app: QApplication) -> None:
    """Make the application's placeholder colour (every screen's secondary text) readable."""
    palette = app.palette()
    color = readable_secondary(palette)
    for group in (QPalette.ColorGroup.Active, QPalette.ColorGroup.Inactive):
        palette.setColor(group, QPalette.ColorRole.PlaceholderText, color)
    app.setPalette(palette)
