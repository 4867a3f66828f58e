"""JourneyChart: where customers first appear, where they go next and where they first buy, as a Sankey view.

Columns are the first, second and third channel a customer appeared on, and
their first purchase; a node is a channel in a column, as tall as the customers
passing through it; a band joins two nodes, as thick as the customers who went
that way, in the colour of the channel they came from.  A journey longer than
three channels is drawn to its third.  Drawn with QPainter from metrics.journeys.
"""

from __future__ import annotations

from collections import defaultdict
from itertools import pairwise

from PySide6.QtCore import QEvent, QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPainterPath, QPalette
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

from omnidesk.core.channels import channel, channel_name

PURCHASE = "purchase"
STEPS = 3
PURCHASE_COLOR = "#2F855A"
HEADERS = ("First channel", "Second", "Third", "First purchase")
NODE_W = 14.0
GAP = 10.0


def sankey_graph(journeys: list[dict]) -> tuple[dict, dict]:
    """Nodes {(column, channel): customers} and flows {((col, ch), (col, ch)): customers} of ``journeys``."""
    nodes: dict[tuple[int, str], int] = defaultdict(int)
    flows: dict[tuple, int] = defaultdict(int)
    for j in journeys:
        steps = [c for c in j["path"] if c != PURCHASE][:STEPS]
        bought = PURCHASE in j["path"]
        chain = [(i, c) for i, c in enumerate(steps)] + ([(STEPS, PURCHASE)] if bought else [])
        for node in chain:
            nodes[node] += j["customers"]
        for a, b in pairwise(chain):
            flows[(a, b)] += j["customers"]
    return dict(nodes), dict(flows)


def node_label(code: str) -> str:
    return "First purchase" if code == PURCHASE else channel_name(code)


def node_color(code: str) -> str:
    return PURCHASE_COLOR if code == PURCHASE else channel(code).color


class JourneyChart(QWidget):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setMinimumHeight(260)
        self.setMouseTracking(True)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.nodes: dict = {}
        self.flows: dict = {}

    def set_data(self, journeys: list[dict]) -> None:
        self.nodes, self.flows = sankey_graph(journeys)
        self.update()

    def sizeHint(self) -> QSize:
        return QSize(760, 300)

    def _layout(self) -> dict[tuple[int, str], QRectF]:
        """Each node's rectangle: columns spread over the width, nodes stacked largest first."""
        fm = QFontMetricsF(self.font())
        top = fm.height() + 10
        label_room = max((fm.horizontalAdvance(f"{node_label(c)}  {n:,}") for (_, c), n in self.nodes.items()),
                         default=60) + 12
        columns = sorted({col for col, _ in self.nodes})
        if not columns:
            return {}
        left, right = 8.0, self.width() - label_room - NODE_W
        step = (right - left) / max(1, STEPS)
        height = self.height() - top - 8
        totals = {col: sum(n for (c, _), n in self.nodes.items() if c == col) for col in columns}
        counts = {col: sum(1 for (c, _) in self.nodes if c == col) for col in columns}
        scale = min((height - GAP * (counts[col] - 1)) / totals[col] for col in columns if totals[col])
        rects = {}
        for col in columns:
            y = top
            for (c, code), n in sorted(((k, v) for k, v in self.nodes.items() if k[0] == col),
                                       key=lambda kv: (kv[0][1] == PURCHASE, -kv[1], kv[0][1])):
                h = max(2.0, n * scale)
                rects[(c, code)] = QRectF(left + col * step, y, NODE_W, h)
                y += h + GAP
        return rects

    def node_rect(self, column: int, code: str) -> QRectF | None:
        return self._layout().get((column, code))

    def paintEvent(self, _event) -> None:
        if not self.nodes:
            return
        rects = self._layout()
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        pal = self.palette()
        text = pal.color(QPalette.ColorRole.WindowText)
        faint = pal.color(QPalette.ColorRole.PlaceholderText)
        fm = QFontMetricsF(self.font())
        header = QFont(self.font())
        header.setBold(True)
        p.setFont(header)
        p.setPen(faint)
        for col in sorted({c for c, _ in rects}):
            any_rect = next(r for (c, _), r in rects.items() if c == col)
            p.drawText(QPointF(any_rect.left(), fm.ascent() + 2), HEADERS[col])
        p.setFont(self.font())
        scale = {k: r.height() / self.nodes[k] for k, r in rects.items()}
        out_used: dict = defaultdict(float)
        in_used: dict = defaultdict(float)
        # Bands in a steady order (by the target's position), so they do not cross more than they must.
        for (a, b), n in sorted(self.flows.items(), key=lambda kv: (rects[kv[0][0]].top(), rects[kv[0][1]].top())):
            ra, rb = rects[a], rects[b]
            thick = n * min(scale[a], scale[b])
            y0 = ra.top() + out_used[a]
            y1 = rb.top() + in_used[b]
            out_used[a] += n * scale[a]
            in_used[b] += n * scale[b]
            x0, x1 = ra.right(), rb.left()
            mid = (x0 + x1) / 2
            path = QPainterPath(QPointF(x0, y0))
            path.cubicTo(QPointF(mid, y0), QPointF(mid, y1), QPointF(x1, y1))
            path.lineTo(QPointF(x1, y1 + thick))
            path.cubicTo(QPointF(mid, y1 + thick), QPointF(mid, y0 + thick), QPointF(x0, y0 + thick))
            path.closeSubpath()
            colour = QColor(node_color(a[1]))
            colour.setAlpha(110)
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(colour)
            p.drawPath(path)
        for (col, code), r in rects.items():
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(QColor(node_color(code)))
            p.drawRoundedRect(r, 2, 2)
            p.setPen(text)
            label = f"{node_label(code)}  {self.nodes[(col, code)]:,}"
            if r.height() >= fm.height() * 0.8 or col == STEPS:
                p.drawText(QRectF(r.right() + 6, r.center().y() - fm.height() / 2, 400, fm.height()),
                           Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, label)
        p.end()

    def event(self, event) -> bool:
        if event.type() == QEvent.Type.ToolTip:
            pos = QPointF(event.pos())
            for (col, code), r in self._layout().items():
                if r.adjusted(-4, 0, 4, 0).contains(pos):
                    n = self.nodes[(col, code)]
                    where = HEADERS[col].lower() if col < STEPS else "their first purchase"
                    QToolTip.showText(event.globalPos(), f"{node_label(code)} as {where}: {n:,} customers", self)
                    return True
            QToolTip.hideText()
            event.ignore()
            return True
        return super().event(event)
