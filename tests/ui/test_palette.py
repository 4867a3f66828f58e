"""Secondary text is readable: the grey captions and notes of every screen meet WCAG's 4.5:1."""

from __future__ import annotations

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QLabel

from omnidesk.core.channels import contrast_ratio
from omnidesk.ui.dialogs.import_wizard.widgets import _muted
from omnidesk.ui.palette import READABLE, readable_secondary
from tests.ui.test_preferences import machine, open_preferences, shop  # noqa: F401 - fixtures

ROLE = QPalette.ColorRole


def _palette(window: str, base: str, text: str, grey: str) -> QPalette:
    palette = QPalette()
    for role, color in ((ROLE.Window, window), (ROLE.Base, base), (ROLE.WindowText, text), (ROLE.Text, text),
                        (ROLE.PlaceholderText, grey)):
        palette.setColor(role, QColor(color))
    return palette


def _shown(color: QColor, ground: QColor) -> str:
    """What a colour with some opacity looks like drawn on ``ground``."""
    a = color.alphaF()
    return QColor.fromRgbF(*(a * c + (1 - a) * g for c, g in zip(color.getRgbF()[:3], ground.getRgbF()[:3]))).name()


def test_the_application_grey_reads_at_four_and_a_half_to_one_on_windows_and_fields(qapp):
    # Qt's own is the text colour at half opacity: #777777 as drawn on the window, 4.0:1.
    palette = QApplication.palette()
    grey = palette.color(ROLE.PlaceholderText)
    for ground in (ROLE.Window, ROLE.Base):
        assert contrast_ratio(_shown(grey, palette.color(ground)), palette.color(ground).name()) >= READABLE


def test_a_faint_grey_is_darkened_just_enough_and_a_dark_theme_lightened():
    # The light theme's faint grey (#BEBEBE on #EFEFEF is 1.6:1) and Fusion's own (3.9:1).
    for faint in ("#BEBEBE", "#7F7F7F"):
        color = readable_secondary(_palette("#EFEFEF", "#FFFFFF", "#000000", faint)).name()
        assert contrast_ratio(color, "#EFEFEF") >= READABLE and contrast_ratio(color, "#FFFFFF") >= READABLE
        assert color != "#000000" and contrast_ratio(color, "#EFEFEF") < 7  # still a grey, not the text
    dark = readable_secondary(_palette("#353535", "#2A2A2A", "#FFFFFF", "#5A5A5A")).name()
    assert contrast_ratio(dark, "#353535") >= READABLE and dark != "#ffffff"
    # Qt 6's default: black at half opacity.
    half = _palette("#EFEFEF", "#FFFFFF", "#000000", "#000000")
    half.setColor(ROLE.PlaceholderText, QColor(0, 0, 0, 128))
    color = readable_secondary(half)
    assert color.alpha() == 255 and READABLE <= contrast_ratio(color.name(), "#EFEFEF") < 7
    # Already readable: kept as it is.
    assert readable_secondary(_palette("#FFFFFF", "#FFFFFF", "#000000", "#595959")).name() == "#595959"


def _darkest(widget) -> QColor:
    image = widget.grab().toImage()
    return min((QColor(image.pixel(x, y)) for y in range(image.height()) for x in range(image.width())),
               key=lambda c: c.lightness())


def test_the_odds_under_the_thresholds_and_the_wizard_notes_are_drawn_readable(qtbot, request):
    # They were greyed by disabling the label (Preferences) or by the disabled text colour
    # (the import wizard's notes): about 1.6:1.
    dialog = open_preferences(qtbot, request.getfixturevalue("shop"))
    ground = dialog.palette().color(ROLE.Window).name()
    for odds in (dialog.auto_odds, dialog.review_odds):
        assert odds.isEnabled() and odds.text()
        assert contrast_ratio(_darkest(odds).name(), ground) >= READABLE
    dialog.reject()
    note = _muted(QLabel("2 files ready · 1 left out"))
    qtbot.addWidget(note)
    note.show()
    assert contrast_ratio(_darkest(note).name(), note.palette().color(ROLE.Window).name()) >= READABLE
