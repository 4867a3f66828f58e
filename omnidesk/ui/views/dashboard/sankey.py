"""JourneyChart: where customers first appear, where they go next and where they first buy, as a Sankey view.

Columns are the first, second and third channel a customer appeared on, and
their first purchase; a node is a channel in a column, as tall as the customers
passing through it; a band joins two nodes, as thick as the customers who went
that way, in the colour of the channel they came from; a band that skips a column
(a first purchase with no second channel) crosses it in a lane above its nodes.  A journey longer than
three channels is drawn to its third.  Drawn with QPainter from metrics.journeys
(every path, not only the commonest: each flow then counts exactly the customers
metrics.journey_rule picks).  Hovering a flow names it and its customers; a click on
it, or Enter on the flow Tab and the arrow keys reached, asks for those customers.
"""

from __future__ import annotations

from collections import defaultdict

from PySide6.QtCore import QEvent, QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetricsF,
    QPainter,
    QPainterPath,
    QPainterPathStroker,
    QPalette,
    QPen,
)
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

from omnidesk.core.channels import channel, channel_name
from omnidesk.core.metrics import JOURNEY_STEPS, PURCHASE, journey_graph
from omnidesk.core.text import counted

STEPS = JOURNEY_STEPS
ORDINALS = ("first", "second", "third")
PURCHASE_COLOR = "#2F855A"
HEADERS = ("First channel", "Second", "Third", "First purchase")
NODE_W = 14.0
GAP = 10.0


def sankey_graph(journeys: list[dict]) -> tuple[dict, dict]:
    """Nodes {(column, channel): customers} and flows {((col, ch), (col, ch)): customers} of ``journeys``."""
    return journey_graph(journeys)


def flow_label(a: tuple[int, str], b: tuple[int, str]) -> str:
    """"Email → Shop (first channel, then second)" or "Shop → first purchase (second channel)"."""
    if b[1] == PURCHASE:
        return f"{node_label(a[1])} → first purchase ({ORDINALS[a[0]]} channel)"
    return f"{node_label(a[1])} → {node_label(b[1])} ({ORDINALS[a[0]]} channel, then {ORDINALS[b[0]]})"


def node_label(code: str) -> str:
    return "First purchase" if code == PURCHASE else channel_name(code)


def node_color(code: str) -> str:
    return PURCHASE_COLOR if code == PURCHASE else channel(code).color


def _ribbon(stops: list[tuple[float, float]], down: float) -> QPainterPath:
    """A line through ``stops`` moved ``down``: an S-curve between columns, straight through a lane."""
    path = QPainterPath(QPointF(stops[0][0], stops[0][1] + down))
    for (x0, y0), (x1, y1) in zip(stops, stops[1:]):
        if y0 == y1 and abs(x1 - x0) <= NODE_W:  # across a lane
            path.lineTo(QPointF(x1, y1 + down))
            continue
        mid = (x0 + x1) / 2
        path.cubicTo(QPointF(mid, y0 + down), QPointF(mid, y1 + down), QPointF(x1, y1 + down))
    return path


class JourneyChart(QWidget):
    """The Sankey view; a click on a flow (or Enter on the flow the keys reached) asks for its customers."""

    flowClicked = Signal(int, str, str)  # the column and channel the flow leaves, the channel (or purchase) it reaches

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setMinimumHeight(260)
        self.setMouseTracking(True)
        # Reached by Tab like the tiles above it; Tab and the arrows then walk the flows.
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setAccessibleName("Customer journeys")
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.nodes: dict = {}
        self.lanes: dict[int, QRectF] = {}  # set by _layout, read by _bands
        self.flows: dict = {}
        self.order: list[tuple] = []  # the flows as the keys walk them: column by column, top to bottom
        self._focus = 0
        self._hover: tuple | None = None

    def set_data(self, journeys: list[dict]) -> None:
        self.nodes, self.flows = sankey_graph(journeys)
        rank = {}
        for col in {c for c, _ in self.nodes}:
            column = sorted(((k, v) for k, v in self.nodes.items() if k[0] == col),
                            key=lambda kv: (kv[0][1] == PURCHASE, -kv[1], kv[0][1]))
            rank.update({k: i for i, (k, _v) in enumerate(column)})
        self.order = sorted(self.flows, key=lambda f: (f[0][0], rank[f[0]], f[1][0], rank[f[1]]))
        self._focus = min(self._focus, max(0, len(self.order) - 1))
        self._hover = None
        self._describe()
        self.update()

    def sizeHint(self) -> QSize:
        return QSize(760, 300)

    def focused_flow(self) -> tuple | None:
        """The flow Enter opens (the one the keys reached), or None with no flows."""
        return self.order[self._focus] if self.order else None

    # -- geometry ------------------------------------------------------------------

    def _through(self) -> dict[int, int]:
        """Column -> the customers of the flows passing it on their way further (Shop, then the first
        purchase with no second channel, passes the second column)."""
        through: dict[int, int] = defaultdict(int)
        for (a, b), n in self.flows.items():
            for col in range(a[0] + 1, b[0]):
                through[col] += n
        return through

    def _layout(self) -> dict[tuple[int, str], QRectF]:
        """Each node's rectangle: columns spread over the width, nodes stacked largest first.

        A column that flows pass on their way further keeps a lane for them at its top, as tall as
        they are, with its nodes below it (``self.lanes``): drawn across a node, the band of those
        who bought with no second channel read as going through that channel.
        """
        fm = QFontMetricsF(self.font())
        top = fm.height() + 10
        label_room = max((fm.horizontalAdvance(f"{node_label(c)}  {n:,}") for (_, c), n in self.nodes.items()),
                         default=60) + 12
        columns = sorted({col for col, _ in self.nodes})
        self.lanes = {}
        if not columns:
            return {}
        through = self._through()
        columns = sorted(set(columns) | set(through))
        left, right = 8.0, self.width() - label_room - NODE_W
        step = (right - left) / max(1, STEPS)
        height = self.height() - top - 8
        totals = {col: sum(n for (c, _), n in self.nodes.items() if c == col) + through.get(col, 0)
                  for col in columns}
        counts = {col: sum(1 for (c, _) in self.nodes if c == col) + (col in through) for col in columns}
        # Nodes stand at least a line apart, so each has room for its label, small ones too (the
        # second column's few customers each were nameless slivers).
        gap = max(GAP, fm.height() + 2)
        scale = min((height - gap * (counts[col] - 1)) / totals[col] for col in columns if totals[col])
        rects = {}
        for col in columns:
            y = top
            if col in through:
                h = max(2.0, through[col] * scale)
                self.lanes[col] = QRectF(left + col * step, y, NODE_W, h)
                y += h + gap
            for (c, code), n in sorted(((k, v) for k, v in self.nodes.items() if k[0] == col),
                                       key=lambda kv: (kv[0][1] == PURCHASE, -kv[1], kv[0][1])):
                h = max(2.0, n * scale)
                rects[(c, code)] = QRectF(left + col * step, y, NODE_W, h)
                y += h + gap
        return rects

    def node_rect(self, column: int, code: str) -> QRectF | None:
        return self._layout().get((column, code))

    def _bands(self, rects: dict) -> list[tuple[tuple, QPainterPath, QPainterPath]]:
        """Each flow's band and the line along its middle, in drawing order (later ones on top).

        Bands leave and reach each node in a steady order (by the other end's position), so
        they do not cross more than they must.
        """
        scale = {k: r.height() / self.nodes[k] for k, r in rects.items()}
        lanes = self.lanes
        out_used: dict = defaultdict(float)
        in_used: dict = defaultdict(float)
        lane_used: dict = defaultdict(float)
        bands = []
        for (a, b), n in sorted(self.flows.items(), key=lambda kv: (rects[kv[0][0]].top(), rects[kv[0][1]].top())):
            ra, rb = rects[a], rects[b]
            thick = n * min(scale[a], scale[b])
            # Where the band's top edge is at each column it leaves, passes and reaches.
            stops = [(ra.right(), ra.top() + out_used[a])]
            out_used[a] += n * scale[a]
            for col in range(a[0] + 1, b[0]):
                lane = lanes[col]
                y = lane.top() + lane_used[col]
                lane_used[col] += thick
                stops += [(lane.left(), y), (lane.right(), y)]
            stops.append((rb.left(), rb.top() + in_used[b]))
            in_used[b] += n * scale[b]
            path = _ribbon(stops, 0.0)
            back = _ribbon(list(reversed(stops)), thick)
            path.lineTo(back.elementAt(0).x, back.elementAt(0).y)
            path.connectPath(back)
            path.closeSubpath()
            bands.append(((a, b), path, _ribbon(stops, thick / 2)))
        return bands

    def flow_at(self, pos: QPointF) -> tuple | None:
        """The flow under ``pos``: the band drawn on top there; a band too thin to aim at counts 3 px about it."""
        bands = self._bands(self._layout()) if self.nodes else []
        for key, path, _spine in reversed(bands):
            if path.contains(pos):
                return key
        stroker = QPainterPathStroker()
        stroker.setWidth(6)
        for key, _path, spine in reversed(bands):
            if stroker.createStroke(spine).contains(pos):
                return key
        return None

    def flow_point(self, a: tuple[int, str], b: tuple[int, str]) -> QPointF | None:
        """A point where a click lands on the flow from ``a`` to ``b`` (the nearest its middle), or None."""
        for key, _path, spine in self._bands(self._layout()):
            if key == (a, b):
                for t in (0.5, 0.4, 0.6, 0.3, 0.7, 0.2, 0.8, 0.1, 0.9):
                    point = spine.pointAtPercent(t)
                    if self.flow_at(point) == key:
                        return point
        return None

    # -- drawing -------------------------------------------------------------------

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
        bands = self._bands(rects)
        marked = {self._hover} | ({self.focused_flow()} if self.hasFocus() else set())
        for key, path, _spine in bands:
            colour = QColor(node_color(key[0][1]))
            colour.setAlpha(190 if key in marked else 110)
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(colour)
            p.drawPath(path)
        if self.hasFocus() and self.order:
            # The flow the keys reached, outlined on top (Enter opens it).
            focused = next(path for key, path, _s in bands if key == self.focused_flow())
            pen = QPen(pal.color(QPalette.ColorRole.Highlight), 2)
            p.setPen(pen)
            p.setBrush(Qt.BrushStyle.NoBrush)
            p.drawPath(focused)
        for (col, code), r in rects.items():
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(QColor(node_color(code)))
            p.drawRoundedRect(r, 2, 2)
            p.setPen(text)
            label = f"{node_label(code)}  {self.nodes[(col, code)]:,}"
            # Every node is named: the gaps keep a line's room between nodes (_layout).
            p.drawText(QRectF(r.right() + 6, r.center().y() - fm.height() / 2, 400, fm.height()),
                       Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, label)
        p.end()

    # -- pointing and keys -----------------------------------------------------------

    def _describe(self) -> None:
        flow = self.focused_flow()
        self.setAccessibleDescription(f"{flow_label(*flow)}: {counted(self.flows[flow], 'customer')}; Enter to see them"
                                      if flow else "No journeys to show")

    def _set_focus(self, index: int) -> None:
        self._focus = index
        self._describe()
        self.update()

    def focusInEvent(self, event) -> None:
        if event.reason() == Qt.FocusReason.TabFocusReason:
            self._focus = 0
        elif event.reason() == Qt.FocusReason.BacktabFocusReason:
            self._focus = max(0, len(self.order) - 1)
        self._set_focus(self._focus)
        super().focusInEvent(event)

    def focusOutEvent(self, event) -> None:
        self.update()
        super().focusOutEvent(event)

    def keyPressEvent(self, event) -> None:
        key = event.key()
        if self.order and key in (Qt.Key.Key_Right, Qt.Key.Key_Down, Qt.Key.Key_Left, Qt.Key.Key_Up,
                                  Qt.Key.Key_Home, Qt.Key.Key_End):
            step = {Qt.Key.Key_Right: 1, Qt.Key.Key_Down: 1, Qt.Key.Key_Left: -1, Qt.Key.Key_Up: -1}.get(key)
            i = (self._focus + step) if step else (0 if key == Qt.Key.Key_Home else len(self.order) - 1)
            self._set_focus(min(max(i, 0), len(self.order) - 1))
            return
        if self.order and key in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space):
            self._open(self.focused_flow())
            return
        super().keyPressEvent(event)

    def _open(self, flow: tuple) -> None:
        (col, code), (_col, then) = flow
        self.flowClicked.emit(col, code, then)

    def mouseMoveEvent(self, event) -> None:
        flow = self.flow_at(event.position())
        if flow != self._hover:
            self._hover = flow
            self.setCursor(Qt.CursorShape.PointingHandCursor if flow else Qt.CursorShape.ArrowCursor)
            self.update()
        super().mouseMoveEvent(event)

    def leaveEvent(self, event) -> None:
        self._hover = None
        self.update()
        super().leaveEvent(event)

    def mouseReleaseEvent(self, event) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            flow = self.flow_at(event.position())
            if flow is not None:
                self._set_focus(self.order.index(flow))
                self._open(flow)
                return
        super().mouseReleaseEvent(event)

    def event(self, event) -> bool:
        if event.type() == QEvent.Type.ToolTip:
            pos = QPointF(event.pos())
            for (col, code), r in self._layout().items():
                if r.adjusted(-4, 0, 4, 0).contains(pos):
                    n = self.nodes[(col, code)]
                    where = HEADERS[col].lower() if col < STEPS else "their first purchase"
                    QToolTip.showText(event.globalPos(), f"{node_label(code)} as {where}: {counted(n, 'customer')}", self)
                    return True
            flow = self.flow_at(pos)
            if flow is not None:
                QToolTip.showText(event.globalPos(), self.flow_tip(flow), self)
                return True
            QToolTip.hideText()
            event.ignore()
            return True
        return super().event(event)

    def flow_tip(self, flow: tuple) -> str:
        """What hovering a flow says: its label, its customers, what a click does."""
        return f"{flow_label(*flow)}: {counted(self.flows[flow], 'customer')}\nClick to see them"
