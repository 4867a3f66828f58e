"""ChartCard: one framed chart of the Dashboard, with its title, its "Reading…" and empty states,
and a menu to save it as PNG or SVG and its numbers as CSV.

The files are written beside their final name and renamed into place, after the
outfiles guard: nothing the Dashboard saves can land on a workspace.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import QPoint, QRect, QSize, Qt, Signal
from PySide6.QtGui import QPainter
from PySide6.QtSvg import QSvgGenerator
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QMenu,
    QSizePolicy,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from omnidesk.core.exporting.csvsafe import write_csv
from omnidesk.core.exporting.outfiles import check_output, written_beside

READING = "Reading…"

CsvSource = Callable[[], tuple[Sequence[str], list[Sequence[Any]]]]


def _into_place(path: Path, write: Callable[[Path], bool]) -> Path:
    path = check_output(path, overwrite=True)  # the save dialog has asked about replacing a file
    with written_beside(path, overwrite=True) as partial:
        if not write(partial):
            raise OSError(f"could not write {path.name}")
    return path


def save_png(widget: QWidget, path: str | Path) -> Path:
    """The widget as it looks on screen, as a PNG file at ``path``."""
    image = widget.grab()
    return _into_place(Path(path), lambda p: image.save(str(p), "PNG"))


def save_svg(widget: QWidget, path: str | Path, title: str = "") -> Path:
    """The widget drawn into an SVG file at ``path`` (lines and text stay vectors)."""
    def write(p: Path) -> bool:
        generator = QSvgGenerator()
        generator.setFileName(str(p))
        generator.setSize(widget.size())
        generator.setViewBox(QRect(0, 0, widget.width(), widget.height()))
        generator.setTitle(title)
        generator.setDescription("Omnidesk dashboard")
        painter = QPainter(generator)
        try:
            # QWidget's own render, as the screen paints it: a pyqtgraph chart's QGraphicsView.render
            # draws its plotted items offset from their axes.
            QWidget.render(widget, painter, QPoint(0, 0))
        finally:
            painter.end()
        return p.exists()

    return _into_place(Path(path), write)


def save_csv(path: str | Path, source: CsvSource) -> Path:
    """The chart's numbers as CSV, written through the injection-safe writer."""
    header, rows = source()
    path = Path(path)
    write_csv(path, header, rows, overwrite=True)
    return path


class ChartCard(QFrame):
    """A titled frame around one chart; ``saveRequested`` carries "png", "svg" or "csv"."""

    saveRequested = Signal(str)

    def __init__(self, key: str, title: str, empty_text: str, parent=None) -> None:
        super().__init__(parent)
        self.key = key
        self.setObjectName("dashCard")
        self.setStyleSheet("QFrame#dashCard { background: palette(base); border: 1px solid palette(midlight);"
                           " border-radius: 8px; }")
        self.title = QLabel(title)
        self.title.setObjectName("cardTitle")
        font = self.title.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.1)
        self.title.setFont(font)
        self.note = QLabel()
        self.note.setObjectName("cardNote")
        self.note.setStyleSheet("color: palette(placeholder-text);")
        # The note gives way before the card grows wider than its column: onto a second line,
        # between words, rather than cut short ("other currencie") in a narrow card.
        self.note.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.note.setWordWrap(True)
        self.reading = QLabel(READING)
        self.reading.setStyleSheet("color: palette(placeholder-text);")
        self.reading.hide()
        self.menu_button = QToolButton()
        self.menu_button.setText("Save")
        self.menu_button.setAutoRaise(True)
        self.menu_button.setToolTip(f"Save “{title}” as a picture, or its numbers as CSV")
        self.menu_button.setAccessibleName(f"Save {title}")
        self.menu_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.menu = QMenu(self.menu_button)
        self.png_action = self.menu.addAction("Save PNG…", lambda: self.saveRequested.emit("png"))
        self.svg_action = self.menu.addAction("Save SVG…", lambda: self.saveRequested.emit("svg"))
        self.csv_action = self.menu.addAction("Export CSV…", lambda: self.saveRequested.emit("csv"))
        self.menu_button.setMenu(self.menu)
        head = QHBoxLayout()
        head.setSpacing(8)
        head.addWidget(self.title)
        head.addWidget(self.note, 1)
        head.addWidget(self.reading)
        head.addWidget(self.menu_button)
        self.empty = QLabel(empty_text)
        self.empty.setObjectName("cardEmpty")
        self.empty.setWordWrap(True)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setStyleSheet("color: palette(placeholder-text); padding: 16px;")
        # In the chart's place while its figures are read, or when they could not be: the text above
        # teaches an empty workspace what to import, and says so only once the figures have said so.
        self.status = QLabel(READING)
        self.status.setObjectName("cardStatus")
        self.status.setWordWrap(True)
        self.status.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.status.setStyleSheet("color: palette(placeholder-text); padding: 16px;")
        self.pages = QStackedWidget()
        self.pages.addWidget(self.empty)
        self.body = QWidget()
        self.body_layout = QVBoxLayout(self.body)
        self.body_layout.setContentsMargins(0, 0, 0, 0)
        self.body_layout.setSpacing(6)
        self.pages.addWidget(self.body)
        self.pages.addWidget(self.status)
        box = QVBoxLayout(self)
        box.setContentsMargins(14, 10, 14, 12)
        box.setSpacing(6)
        box.addLayout(head)
        box.addWidget(self.pages, 1)
        self.chart: QWidget | None = None
        self.csv_source: CsvSource | None = None
        self._empty: bool | None = None  # what the figures last read said; None: none read yet
        self._reading = False
        self._failed = ""
        self._show_page()

    def add(self, widget: QWidget, stretch: int = 1, *, chart: bool = False) -> QWidget:
        self.body_layout.addWidget(widget, stretch)
        if chart:
            self.chart = widget
        return widget

    def set_empty(self, empty: bool) -> None:
        """The figures read: the teaching text instead of the chart when they have nothing to show
        (a chart with nothing to show cannot be saved)."""
        self._empty = empty
        self._failed = ""
        self._show_page()

    def is_empty(self) -> bool:
        return self.pages.currentIndex() == 0

    def set_reading(self, reading: bool) -> None:
        """Its figures are being read: "Reading…" above the chart drawn, or in place of a chart
        when none is drawn yet, never the teaching text, which the figures may yet prove wrong."""
        self.reading.setVisible(reading)
        self._reading = reading
        self._show_page()

    def set_failed(self, text: str) -> None:
        """Its figures could not be read: ``text`` in place of a chart when none is drawn (a chart
        read before stays, the screen saying the read failed)."""
        self._failed = text
        self._show_page()

    def _show_page(self) -> None:
        if self._empty is False:
            page = self.body
        elif self._reading or (self._empty is None and not self._failed):
            self.status.setText(READING)
            page = self.status
        elif self._failed:
            self.status.setText(self._failed)
            page = self.status
        else:
            page = self.empty
        self.pages.setCurrentWidget(page)
        drawn = page is self.body
        self.png_action.setEnabled(drawn)
        self.svg_action.setEnabled(drawn)
        self.csv_action.setEnabled(drawn)

    def sizeHint(self) -> QSize:
        return QSize(400, 300)
