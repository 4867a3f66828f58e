"""DashboardView: the whole picture at a glance, as an owner reads it on a Monday.

Headline figures, data health (each tile a click away from the list behind
it), reach and channel overlap, journeys, activity week by week and campaign
results.  Every figure comes from omnidesk.core.metrics, read off the UI
thread through the task runner; the period re-reads only what depends on it.
Clicking a reach bar, an overlap column or a journey flow opens the Customers
behind it as a rule (``customersRequested``); the window turns ``screenRequested`` into
navigation.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from PySide6.QtCore import QDate, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QScrollArea,
    QSizePolicy,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from omnidesk.core import metrics
from omnidesk.core.channels import channel, channel_name
from omnidesk.core.errors import UserError
from omnidesk.core.money import format_money, format_other_money, workspace_currency
from omnidesk.core.text import counted
from omnidesk.core.workspace import Workspace
from omnidesk.ui.save_names import with_ending
from omnidesk.ui.tasks import Task, TaskRunner
from omnidesk.ui.views.dashboard.campaign_table import (
    CAMPAIGN_COLUMNS,
    CAMPAIGN_TIPS,
    STEP_PARTS,
    StepColumn,
    StepDelegate,
    campaign_cells,
    sized_once,
    step_parts,
    step_tip,
)
from omnidesk.ui.views.dashboard.card import ChartCard, save_csv, save_png, save_svg
from omnidesk.ui.views.dashboard.plots import (
    ReachChart,
    WeeklyChart,
    week_monday,
    week_range,
)
from omnidesk.ui.views.dashboard.sankey import PURCHASE, JourneyChart, node_label
from omnidesk.ui.views.dashboard.tiles import FigureTile
from omnidesk.ui.views.dashboard.upset import OverlapChart, combination_label
from omnidesk.ui.widgets.date_fields import DateBox
from omnidesk.ui.widgets.empty_state import EmptyState

HEALTH = (("flagged_rows", "Flagged rows", "Rows an import could not read cleanly: open Imports"),
          ("unreachable_customers", "Unreachable customers",
           "No channel a campaign may send to them on: consent (or unknown, where the settings allow), an address"),
          ("email_consent_unknown", "Email consent unknown", "An email address, and no yes or no to marketing"),
          ("pairs_to_review", "Pairs to review", "Customers who may be one person: open Review"),
          ("stale_variants", "Stale variants", "Channel versions older than their message: open Messages"))
CUSTOM = "custom"
# Each figure tile's caption, for one and for any other count (its number sits above it).
FIGURE_WORDS = {"customers": ("customer in all", "customers in all"),
                "new": ("new customer in the period", "new customers in the period"),
                "revenue": ("revenue in the period, net of refunds",) * 2,
                "events": ("event in the period", "events in the period")}
PERIOD_PARTS = ("journeys", "activity", "new_customers", "new_customers_undated", "undated_activity")
# What a change must touch for the Dashboard to read its figures again.
_CONCERNS = ("customer_list", "imports", "campaigns", "messages", "reviews", "settings", "everything")


def _other_money(activity: list[dict]) -> dict[str, float]:
    """The money of these activity rows in currencies other than the shop's, per currency, apart."""
    out: dict[str, float] = {}
    for r in activity:
        for code, amount in r.get("other_revenue", {}).items():
            out[code] = out.get(code, 0.0) + amount
    return {code: round(amount, 2) for code, amount in sorted(out.items()) if round(amount, 2)}


def _amount(value: float | None) -> str:
    """An amount for a CSV file: "80.00", or "" for none."""
    return "" if value is None else f"{value:.2f}"


def _week(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


_NO_JOURNEYS = ("Import orders to see journeys: the channel that brings people in, where they go next and "
                "where they first buy.")

CARD_FAILED = "Could not read these figures."

_NO_CUSTOMERS = ("No customers yet: a journey follows a customer from their first contact to their first "
                 "purchase. Import customers to see journeys.")


class DashboardView(QWidget):
    customersRequested = Signal(object)  # a segment rule (dict): show the Customers it selects
    screenRequested = Signal(str)  # a screen's key
    saved = Signal(str)  # the path of a chart or CSV just written
    importRequested = Signal()

    def __init__(self, workspace: Workspace, parent=None, *, runner: TaskRunner | None = None) -> None:
        super().__init__(parent)
        self.workspace = workspace
        self.runner = runner or TaskRunner()
        # The window may hand its runner over later (tests swap in an inline one): the figures are
        # read on the runner it has when they are read, the one it waits for before it closes.
        self.runner_of = lambda: self.runner
        self.data: dict = {}
        self._runs = {"whole": 0, "period": 0}
        self._stale = True
        self._weeks: tuple = ([], {}, [], [], {})
        self.journeys_period: metrics.Period | None = None
        self._build()

    # -- building ------------------------------------------------------------------

    def _build(self) -> None:
        title = QLabel("Dashboard")
        font = title.font()
        font.setPointSizeF(font.pointSizeF() * 1.5)
        font.setBold(True)
        title.setFont(font)
        self.period_box = QComboBox()
        self.period_box.setAccessibleName("Period")
        for key, label in metrics.PERIODS.items():
            self.period_box.addItem(label, key)
        self.period_box.addItem("From… to…", CUSTOM)
        self.period_box.setCurrentIndex(self.period_box.findData("12m"))
        self._shown_key = "12m"  # the named period last shown: "From… to…" starts from its dates
        self._dates_given = False  # set_period gave the custom dates itself
        self.from_edit, self.to_edit = DateBox(), DateBox()
        for edit, name in ((self.from_edit, "From"), (self.to_edit, "To")):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("d MMM yyyy")
            # Qt's own range ends on 9999-12-31, a day the period's sums cannot read past.
            edit.setDateRange(QDate(metrics.FIRST_DAY), QDate(metrics.LAST_DAY))
            edit.setAccessibleName(name)
            edit.hide()
        self.from_edit.dateChanged.connect(lambda day: self._date_moved(self.to_edit, day, later=True))
        self.to_edit.dateChanged.connect(lambda day: self._date_moved(self.from_edit, day, later=False))
        self.period_box.currentIndexChanged.connect(self._period_box_changed)
        self.reading = QLabel("Reading…")
        self.reading.setStyleSheet("color: palette(placeholder-text);")
        self.reading.hide()
        self.problem = QLabel()
        self.problem.setStyleSheet("color: #B42318;")
        self.problem.hide()
        head = QHBoxLayout()
        head.addWidget(title)
        head.addSpacing(12)
        head.addWidget(self.reading)
        head.addWidget(self.problem)
        head.addStretch(1)
        period_label = QLabel("Period")
        period_label.setBuddy(self.period_box)
        head.addWidget(period_label)
        head.addWidget(self.period_box)
        head.addWidget(self.from_edit)
        self.to_label = QLabel("to")
        self.to_label.hide()
        head.addWidget(self.to_label)
        head.addWidget(self.to_edit)

        self.figures = {key: FigureTile(FIGURE_WORDS[key][1]) for key in ("customers", "new", "revenue", "events")}
        figures = QHBoxLayout()
        figures.setSpacing(10)
        for tile in self.figures.values():
            figures.addWidget(tile)
        self.tiles: dict[str, FigureTile] = {}
        health = QHBoxLayout()
        health.setSpacing(10)
        for key, caption, tip in HEALTH:
            tile = FigureTile(caption, clickable=True)
            tile.setObjectName("figureTile")
            tile.setToolTip(tip)
            tile.clicked.connect(lambda _c=False, k=key: self.open_health(k))
            self.tiles[key] = tile
            health.addWidget(tile)
        health_title = QLabel("Data health")
        health_title.setStyleSheet("color: palette(placeholder-text); font-weight: bold;")

        self.cards: dict[str, ChartCard] = {}
        reach = self._card("reach", "Reach per channel", "Import customers to see how many you have on each "
                           "channel, and how many said yes to hearing from you there.")
        self.reach_chart = reach.add(ReachChart(), chart=True)
        # The bars count everyone known on a channel; who a campaign may send to is another figure.
        self.reachable = reach.add(QLabel(), 0)
        self.reachable.setWordWrap(True)
        self.reachable.setStyleSheet("color: palette(placeholder-text);")
        # The whole of what it counts in the tooltip: the card is narrow, the figures come first.
        self.reachable.setToolTip(f"May be marketed to: {metrics.REACHABLE_WORDS}. Counted by the campaigns' "
                                  "own rules: the consent in force (and the settings for unknown consent), an "
                                  "address for the channel, and none that someone who opted out also holds. "
                                  "A campaign's check says who its own date leaves out.")
        self.reach_chart.channelClicked.connect(self.open_reach)
        overlap = self._card("overlap", "Channel overlap", "Import customers from two channels or more to see "
                             "who is on one channel only and who on several.")
        self.overlap_chart = overlap.add(OverlapChart(), chart=True)
        self.overlap_chart.combinationClicked.connect(self.open_overlap)
        self.overlap_chart.channelClicked.connect(self.open_reach)
        journeys = self._card("journeys", "Customer journeys", _NO_JOURNEYS)
        self.journey_chart = journeys.add(JourneyChart(), 3, chart=True)
        self.journey_chart.flowClicked.connect(self.open_journey)
        self.paths_table = self._table(("Path", "Customers", "Median days"))
        self.paths_table.setFixedHeight(6 * self.paths_table.verticalHeader().defaultSectionSize()
                                        + self.paths_table.horizontalHeader().sizeHint().height() + 4)
        self.paths_table.setAccessibleName("Top paths to a first purchase")
        journeys.add(self.paths_table, 0)
        activity = self._card("activity", "Activity per channel", "Import files with dated events "
                              "(orders, opens, visits) to see each channel's activity week by week.")
        self.events_chart = activity.add(WeeklyChart(counts=True, name="Events per week per channel"), chart=True)
        growth = self._card("growth", "New customers and revenue", "Import customers and orders to see new "
                            "customers and revenue week by week.")
        pair = QWidget()
        pl = QGridLayout(pair)
        pl.setContentsMargins(0, 0, 0, 0)
        self.new_chart = WeeklyChart(bars=True, counts=True, name="New customers a week")
        self.revenue_chart = WeeklyChart(bars=True, name="Revenue a week")
        for col, (label, chart) in enumerate((("New customers a week", self.new_chart),
                                               ("Revenue a week", self.revenue_chart))):
            caption = QLabel(label)
            caption.setStyleSheet("color: palette(placeholder-text);")
            caption.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
            caption.setWordWrap(True)  # half a narrow card: two lines, not "New customers a wee"
            if chart is self.revenue_chart:
                self.revenue_caption = caption  # it says the money too (_show_activity)
            pl.addWidget(caption, 0, col)
            pl.addWidget(chart, 1, col)
        growth.add(pair, chart=True)
        campaigns = self._card("campaigns", "Campaign results", "Export a campaign to see what it brought: the "
                               "orders that followed within the attribution window, by offer code, link or next "
                               "order.")
        self.campaign_table = campaigns.add(self._table(CAMPAIGN_COLUMNS), chart=True)
        self.campaign_table.setAccessibleName("Campaign results")
        # A long campaign name gives way in its cell, the step's date never (the whole in its tooltip).
        steps = StepDelegate(self.campaign_table)
        self.campaign_table.setItemDelegateForColumn(0, steps)
        self.step_column = StepColumn(self.campaign_table, steps)  # never too narrow for a step's date
        for col, tip in CAMPAIGN_TIPS.items():
            self.campaign_table.horizontalHeaderItem(col).setToolTip(tip)

        content = QWidget()
        content.setObjectName("dashboardContent")
        grid = QGridLayout(content)
        grid.setContentsMargins(0, 0, 8, 0)
        grid.setHorizontalSpacing(12)
        grid.setVerticalSpacing(12)
        grid.addLayout(figures, 0, 0, 1, 3)
        grid.addWidget(health_title, 1, 0, 1, 3)
        grid.addLayout(health, 2, 0, 1, 3)
        grid.addWidget(reach, 3, 0)
        grid.addWidget(overlap, 3, 1, 1, 2)
        grid.addWidget(journeys, 4, 0, 1, 3)
        grid.addWidget(activity, 5, 0, 1, 2)
        grid.addWidget(campaigns, 7, 0, 1, 3)
        for col in range(3):
            grid.setColumnStretch(col, 1)
        for row, height in ((3, 300), (4, 500), (5, 300), (7, 200)):
            grid.setRowMinimumHeight(row, height)
        self.content = content
        self._grid, self._activity, self._growth = grid, activity, growth
        self._growth_beside: bool | None = None
        self._place_growth(True)
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        # Not a Tab stop of its own (nothing shows it has the focus); it follows the focus instead.
        self.scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.scroll.setWidget(content)
        self.empty = EmptyState("Your dashboard fills in as you import",
                                "Import your customer lists, orders and mailing lists: this screen then shows who "
                                "you reach on each channel, how people find you, what they buy and what your "
                                "campaigns bring.", "Import files…")
        self.empty.actionTriggered.connect(self.importRequested)
        self.pages = QStackedWidget()
        self.pages.addWidget(self.scroll)
        self.pages.addWidget(self.empty)
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.addLayout(head)
        box.addWidget(self.pages, 1)

    # Below this width of the dashboard, "New customers and revenue" goes under the activity chart, the
    # whole width: beside it, on a 1024-pixel window, its two weekly charts were 130 pixels each.
    GROWTH_BESIDE_FROM = 1100

    def _place_growth(self, beside: bool) -> None:
        if beside == self._growth_beside:
            return
        self._growth_beside = beside
        grid = self._grid
        grid.removeWidget(self._growth)
        grid.removeWidget(self._activity)
        if beside:
            grid.addWidget(self._activity, 5, 0, 1, 2)
            grid.addWidget(self._growth, 5, 2)
        else:
            grid.addWidget(self._activity, 5, 0, 1, 3)
            grid.addWidget(self._growth, 6, 0, 1, 3)
        grid.setRowMinimumHeight(6, 0 if beside else 300)
        self._tab_in_reading_order()

    def _tab_in_reading_order(self) -> None:
        """Tab goes through the cards as they are read, row by row, left to right: "New customers and
        revenue", placed in the grid after the others, would otherwise come after Campaign results."""
        grid = self._grid
        cards = sorted(self.cards.values(), key=lambda card: grid.getItemPosition(grid.indexOf(card))[:2])
        stops, widget = [], self.content.nextInFocusChain()
        while widget is not self.content and widget is not None:
            if widget.focusPolicy() & Qt.FocusPolicy.TabFocus and self.content.isAncestorOf(widget):
                stops.append(widget)
            widget = widget.nextInFocusChain()
        ordered = [w for card in cards for w in stops if card.isAncestorOf(w)]
        for before, after in zip(ordered, ordered[1:]):
            QWidget.setTabOrder(before, after)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._place_growth(self.width() >= self.GROWTH_BESIDE_FROM)

    def _card(self, key: str, title: str, empty: str) -> ChartCard:
        card = ChartCard(key, title, empty)
        card.saveRequested.connect(lambda kind, c=card: self.save_chart(c, kind))
        self.cards[key] = card
        return card

    def _table(self, headers) -> QTableWidget:
        table = QTableWidget(0, len(headers))
        table.setHorizontalHeaderLabels(list(headers))
        table.verticalHeader().setVisible(False)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        # One Tab stop, so the arrows and Page Down reach the rows below its fold; Tab leaves it.
        table.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        table.setTabKeyNavigation(False)
        table.setShowGrid(False)
        table.setAlternatingRowColors(True)
        header = table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for col in range(1, len(headers)):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        table.setMinimumHeight(120)
        return table

    # -- the period ----------------------------------------------------------------

    def today(self) -> date:
        """Today on the shop's clock (the workspace's zone, else this computer's)."""
        return metrics.shop_today(self.workspace)

    def period(self) -> metrics.Period:
        key = self.period_box.currentData()
        if key == CUSTOM:
            start, end = self.from_edit.date().toPython(), self.to_edit.date().toPython()
            return metrics.Period(start, end)  # From never after To (_date_moved)
        return metrics.named_period(key, self.today())

    def set_period(self, key: str, start: date | None = None, end: date | None = None) -> None:
        """Choose a period as the selector does (``custom`` with ``start`` and ``end``)."""
        if key == CUSTOM and start is not None and end is not None:
            self._set_dates(start, end)
            self._dates_given = True
        self.period_box.setCurrentIndex(self.period_box.findData(key))
        self._dates_given = False

    def _set_dates(self, start: date, end: date) -> None:
        for edit, day in ((self.from_edit, start), (self.to_edit, end)):
            edit.blockSignals(True)
            edit.setDate(QDate(day.year, day.month, day.day))
            edit.blockSignals(False)

    def _period_box_changed(self) -> None:
        key = self.period_box.currentData()
        custom = key == CUSTOM
        if custom and not self.from_edit.isVisible() and not self._dates_given:
            # The custom dates start from the period that was shown (the box already says
            # "From… to…", and its date fields still hold their defaults).
            today = self.today()
            shown = metrics.named_period(self._shown_key, today)
            self._set_dates(shown.start or metrics.named_period("12m", today).start, shown.end or today)
        if not custom:
            self._shown_key = key
        for widget in (self.from_edit, self.to_label, self.to_edit):
            widget.setVisible(custom)
        self._period_changed()

    def _date_moved(self, other, day: QDate, *, later: bool) -> None:
        """One end of a custom period moved past the other: the other follows, so the dates shown
        are the period read (From after To read as the days between, shown the other way round)."""
        if (other.date() < day) if later else (other.date() > day):
            other.blockSignals(True)
            other.setDate(day)
            other.blockSignals(False)
        self._period_changed()

    def _period_changed(self) -> None:
        if self.data:
            self._load(whole=False)

    # -- reading -------------------------------------------------------------------

    def refresh(self) -> None:
        """Read every figure again (now when shown, else when next shown)."""
        self._stale = True
        if self.isVisible():
            self._load(whole=True)

    def apply_changes(self, changes) -> None:
        if changes.touches_list() or any(getattr(changes, name) for name in _CONCERNS):
            self.refresh()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self._stale:
            # After the window has painted: opening a workspace does not wait for the figures.
            # With this view as the timer's context: gone before it fires (a window closed), nothing runs.
            QTimer.singleShot(0, self, self._load_if_stale)

    def _load_if_stale(self) -> None:
        if self._stale and self.isVisible():
            self._load(whole=True)

    def _load(self, *, whole: bool) -> None:
        kind = "whole" if whole else "period"
        self._runs[kind] += 1
        run, workspace, period = self._runs[kind], self.workspace, self.period()
        if whole:
            self._stale = False

        def work(_cancelled):
            yield from ()
            # Every journey, not the commonest only: each flow drawn then counts what a click opens.
            if whole:
                # Whether any order is in at all changes with the workspace, not the period: read here only.
                return kind, run, period, {**metrics.report(workspace, period, journey_limit=None),
                                           "ordered": metrics.any_orders(workspace)}
            return kind, run, period, {"journeys": metrics.journeys(workspace, period, limit=None),
                                       "activity": metrics.activity(workspace, period),
                                       "new_customers": metrics.new_customers(workspace, period),
                                       "new_customers_undated": metrics.undated_customers(workspace, period),
                                       "undated_activity": metrics.undated_activity(workspace, period)}

        self._set_reading(True, whole)
        task = Task(work)
        task.signals.finished.connect(self._loaded)

        def failed(exc) -> None:
            if isValid(self):  # not after the window closed
                self._failed(exc, kind, run)

        task.signals.failed.connect(failed)
        self.runner_of().start(task)

    def _set_reading(self, reading: bool, whole: bool = True) -> None:
        self.reading.setVisible(reading)
        if reading and whole and self.pages.currentWidget() is self.empty:
            # "Import your customer lists" was what the last figures said: these may say otherwise
            # (an import meanwhile), so the cards say they are reading until they do.
            self.pages.setCurrentWidget(self.scroll)
        for key, card in self._cards_of(whole):
            card.set_reading(reading)

    def _cards_of(self, whole: bool) -> list[tuple[str, ChartCard]]:
        """The cards a whole read fills, or those a read of the period alone does."""
        return [(key, card) for key, card in self.cards.items()
                if whole or key in ("journeys", "activity", "growth")]

    def _loaded(self, result) -> None:
        kind, run, period, data = result
        if run != self._runs[kind]:
            return  # a newer reading is on its way
        self.problem.hide()
        current = self.period()
        if kind == "whole":
            self.data.update({k: v for k, v in data.items() if k not in PERIOD_PARTS or period == current})
        elif period == current:
            self.data.update(data)
        if period == current:
            self.journeys_period = period  # what a click on a flow asks for: the journeys as drawn
        self._set_reading(False)
        self.show_data()
        if period != current and run == self._runs[kind]:
            self._load(whole=False)  # the period changed while these were read: read its part again

    def _failed(self, exc, kind: str, run: int) -> None:
        if run != self._runs[kind]:
            return  # a newer reading is on its way
        self._set_reading(False)
        self._stale = True
        self.problem.setText(str(exc) if isinstance(exc, UserError) else f"Could not read the figures: {exc}")
        self.problem.show()
        # A card with no chart drawn says so too, rather than teach an empty workspace what to import.
        for _key, card in self._cards_of(kind == "whole"):
            card.set_failed(CARD_FAILED)

    # -- showing -------------------------------------------------------------------

    def all_channels(self) -> list[str]:
        return sorted({c for combo in self.data.get("overlap", []) for c in combo["channels"]})

    def show_data(self) -> None:
        d = self.data
        combos, reach = d.get("overlap", []), d.get("reach", {})
        total = sum(c["customers"] for c in combos)
        # Nothing imported yet: one page that says what to do, not eight empty cards.
        self.pages.setCurrentIndex(1 if not total and not d.get("activity") else 0)
        currency = workspace_currency(self.workspace)
        activity = d.get("activity", [])
        # All time's figures count what has no date (an order whose export left it empty) too, in no week.
        no_date = d.get("undated_activity") or {}
        revenue = round((sum(r["revenue"] for r in activity) + no_date.get("revenue", 0.0)) * 100)
        # All time's new customers are every customer: those with no first-seen date too, in no week.
        undated = d.get("new_customers_undated", 0)
        counts = {"customers": total, "new": sum(w["customers"] for w in d.get("new_customers", [])) + undated,
                  "events": sum(r["events"] for r in activity) + no_date.get("events", 0)}
        for key, n in counts.items():
            self.figures[key].set_value(f"{n:,}")
            one, many = FIGURE_WORDS[key]
            self.figures[key].set_caption(one if n == 1 else many)
        if undated:
            self.figures["new"].set_caption(f"{self.figures['new'].caption.text()}, {undated:,} with no "
                                            "first-seen date")
        self.figures["new"].setToolTip(f"{counted(undated, 'customer has', 'customers have')} no first-seen date "
                                       "(nothing dated on any channel): new in all time, in no week of the chart "
                                       "and in no shorter period" if undated else "")
        self.figures["revenue"].set_value(format_money(revenue, currency))
        others = _other_money([*activity, no_date])
        self._show_other_money(others, currency)
        if words := metrics.undated_orders_label(no_date, currency):
            tile = self.figures["revenue"]
            if not others:
                tile.set_caption(f"{tile.caption.text()}, {counted(no_date['orders'], 'order')} with no date")
            tile.setToolTip(f"{tile.toolTip()} {words[0].upper()}{words[1:]} (in no week of the chart).".strip())
        for key, tile in self.tiles.items():
            n = d.get("health", {}).get(key, 0)
            tile.set_value(f"{n:,}", attention=n > 0)
        self.cards["reach"].set_empty(not reach)
        self.reach_chart.set_data(reach)
        self.reachable.setText(f"May be marketed to: {metrics.reachable_label(d.get('reachable', {}))} "
                               "(one per mailbox or number). Bars: everyone known there, opted out or not.")
        self.cards["overlap"].set_empty(len(reach) < 1)
        self.overlap_chart.set_data(combos, list(reach))
        self.cards["overlap"].note.setText(counted(len(combos), "combination"))
        self._show_journeys(d.get("journeys", []), d.get("ordered", True))
        self._show_activity(activity, d.get("new_customers", []), currency)
        self._show_campaigns(d.get("campaigns", []), currency)

    def _show_journeys(self, journeys: list[dict], ordered: bool = True) -> None:
        bought = any(PURCHASE in j["path"] for j in journeys)
        self.cards["journeys"].set_empty(not journeys or not bought)
        if not journeys and not self.data.get("overlap"):
            # Orders of nobody in particular (a till's sales, a shop whose customers were all erased): no
            # customer to follow, in any period.
            self.cards["journeys"].empty.setText(_NO_CUSTOMERS)
        elif not journeys:
            # With orders in, none of their journeys began in the days chosen.
            self.cards["journeys"].empty.setText(_NO_JOURNEYS if not ordered else
                                                 "No journey began in this period: a journey starts with a "
                                                 "customer's first contact. Choose a longer period to see more.")
        elif not bought:
            self.cards["journeys"].empty.setText("Import orders to see journeys: so far nobody in this period has "
                                                 "a purchase to lead to.")
        self.journey_chart.set_data(journeys)
        people = sum(j["customers"] for j in journeys)
        # A flow to click only where one is drawn: a journey of one channel is none, nor a chart not shown.
        click = " · click a flow to see them" if self.journey_chart.flows and bought else ""
        self.cards["journeys"].note.setText(f"{counted(len(journeys), 'path')} · {counted(people, 'customer')}{click}"
                                            if journeys else "")
        top = journeys[:8]
        self.paths_table.setRowCount(len(top))
        for row, j in enumerate(top):
            cells = (" → ".join(node_label(c) for c in j["path"]), f"{j['customers']:,}",
                     "" if j["median_days"] is None else f"{j['median_days']:g}")
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if col:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.paths_table.setItem(row, col, item)
        self.paths_table.setToolTip("Median days from the first channel to the first purchase "
                                    "(without one, to the second channel)")

    def _show_activity(self, activity: list[dict], new: list[dict], currency: str | None) -> None:
        seen = {r["week"] for r in activity} | {r["week"] for r in new}
        if seen:
            # Through the whole period (all time: to today), so weeks without a sale show as zeros.
            period = self.journeys_period if self.journeys_period is not None else self.period()
            seen |= {_week(day) for day in (period.start, period.end or self.today()) if day is not None}
        weeks = week_range(sorted(seen))
        index = {w: i for i, w in enumerate(weeks)}
        totals: dict[str, int] = {}
        for r in activity:
            totals[r["channel"]] = totals.get(r["channel"], 0) + r["events"]
        codes = sorted(totals, key=lambda c: (-totals[c], c))
        events = {c: [0.0] * len(weeks) for c in codes}
        revenue = [0.0] * len(weeks)
        others: dict[str, list[float]] = {}  # per other currency, its money a week, apart
        for r in activity:
            events[r["channel"]][index[r["week"]]] += r["events"]
            revenue[index[r["week"]]] += r["revenue"]
            for code, amount in sorted(r.get("other_revenue", {}).items()):
                others.setdefault(code, [0.0] * len(weeks))[index[r["week"]]] += amount
        others = dict(sorted(others.items()))
        fresh = [0.0] * len(weeks)
        for r in new:
            fresh[index[r["week"]]] += r["customers"]
        self.cards["activity"].set_empty(not activity)
        self.events_chart.set_series(weeks, events, {c: channel(c).color for c in codes},
                                     {c: channel_name(c) for c in codes})
        self.cards["activity"].note.setText(f"events per week · {sum(totals.values()):,} in the period")
        self.cards["growth"].set_empty(not weeks)
        self.revenue_chart.figure = lambda amount: format_money(round(amount * 100), currency)
        self.new_chart.set_series(weeks, {"new": fresh}, {"new": "#0072B2"}, {"new": "New customers"})
        self.revenue_chart.set_series(weeks, {"revenue": revenue}, {"revenue": "#2F855A"}, {"revenue": "Revenue"})
        apart = "; other currencies apart" if others else ""
        self.cards["growth"].note.setText(f"revenue net of refunds{f', {currency}' if currency else ''}{apart}")
        # The card's note gives way first in a narrow window: the chart's own caption keeps the money.
        self.revenue_caption.setText(f"Revenue a week ({currency})" if currency else "Revenue a week")
        self.revenue_chart.setAccessibleName(self.revenue_caption.text())
        if others:
            self.revenue_chart.setAccessibleDescription(f"{self.revenue_chart.accessibleDescription()}; amounts in "
                                                        "other currencies are apart, never converted nor added in")
        self.revenue_caption.setToolTip(f"Only money in {currency or 'no named currency'}: amounts in other "
                                        "currencies are never converted nor added in (see the revenue figure)"
                                        if others else "")
        self._weeks = (weeks, events, fresh, revenue, others)

    def _show_other_money(self, others: dict[str, float], currency: str | None) -> None:
        """Under the revenue figure, the period's money in other currencies, apart: never converted nor added."""
        tile = self.figures["revenue"]
        if not others:
            tile.set_caption(FIGURE_WORDS["revenue"][1])
            tile.setToolTip("")
            return
        # Two lines at most, as every tile has: one other currency in words, the rest counted (all in the tip).
        first, *rest = sorted(others)
        shown = format_other_money({first: others[first]})
        tile.set_caption(f"also {shown} + {counted(len(rest), 'more currency', 'more currencies')}, not converted"
                             if rest else f"net of refunds; also {shown}, not converted")
        tile.setToolTip(f"Revenue in the period, net of refunds, in {currency or 'no named currency'}. "
                        f"Orders in other currencies are shown apart, never converted: {format_other_money(others)}.")

    def _show_campaigns(self, campaigns: list[dict], currency: str | None) -> None:
        self.cards["campaigns"].set_empty(not campaigns)
        today = self.today()
        with sized_once(self.campaign_table):
            self.campaign_table.setRowCount(len(campaigns))
            for row, c in enumerate(campaigns):
                cells = campaign_cells(c, currency)
                for col, text in enumerate(cells):
                    item = QTableWidgetItem(text)
                    if col >= 2:
                        item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                    if col == 0:
                        item.setData(STEP_PARTS, step_parts(c, today))
                        item.setToolTip(step_tip(c))
                    self.campaign_table.setItem(row, col, item)
        self.step_column.fit()
        days = self.workspace.get_setting("attribution_days", 7) or 7
        self.cards["campaigns"].note.setText(f"every exported step, whatever the period · orders within "
                                             f"{counted(days, 'day')} of sending")

    # -- going to the list behind a figure --------------------------------------------

    def open_reach(self, code: str) -> None:
        self.customersRequested.emit(metrics.reach_rule(code, self.all_channels()))

    def open_overlap(self, channels: list) -> None:
        self.customersRequested.emit(metrics.overlap_rule(channels, self.all_channels()))

    def open_journey(self, column: int, code: str, then: str) -> None:
        """The customers of one journey flow, for the period the journeys were read for."""
        period = self.journeys_period if self.journeys_period is not None else self.period()
        self.customersRequested.emit(metrics.journey_rule(column, code, then, period))

    def open_health(self, key: str) -> None:
        kind, target = metrics.health_links(self.workspace)[key]
        if kind == "screen":
            self.screenRequested.emit(target)
        else:
            self.customersRequested.emit(target)

    # -- saving --------------------------------------------------------------------

    def csv_of(self, key: str) -> tuple[list[str], list[list]]:
        """The numbers behind one card, as a header and rows (channel labels, not codes)."""
        d = self.data
        if key == "reach":
            return ["channel", "customers"], [[channel_name(c), n] for c, n in d.get("reach", {}).items()]
        if key == "overlap":
            return (["channels", "customers"],
                    [[combination_label(c["channels"]), c["customers"]] for c in d.get("overlap", [])])
        if key == "journeys":
            return (["path", "customers", "median_days"],
                    [[" > ".join(node_label(c) for c in j["path"]), j["customers"], j["median_days"]]
                     for j in d.get("journeys", [])])
        if key == "activity":
            # A column per other currency, its money apart: never converted nor added to revenue.
            codes = sorted(_other_money(d.get("activity", [])))
            return (["week", "week_starting", "channel", "events", "revenue", *(f"revenue_{c}" for c in codes)],
                    [[r["week"], week_monday(r["week"]).isoformat(), channel_name(r["channel"]), r["events"],
                      f"{r['revenue']:.2f}", *(_amount(r.get("other_revenue", {}).get(c)) for c in codes)]
                     for r in d.get("activity", [])])
        if key == "growth":
            weeks, _events, fresh, revenue, others = self._weeks
            codes = sorted(others)
            return (["week", "week_starting", "new_customers", "revenue", *(f"revenue_{c}" for c in codes)],
                    [[w, week_monday(w).isoformat(), int(n), f"{m:.2f}", *(f"{others[c][i]:.2f}" for c in codes)]
                     for i, (w, n, m) in enumerate(zip(weeks, fresh, revenue))])
        if key == "campaigns":
            def blank(value):
                return "" if value is None else value

            # A post counted nothing: its recipients, orders, revenue and baseline empty, "not counted".
            # A step not sent yet has nothing to count either: its planned recipients, the rest empty,
            # "not sent yet", as the table says — not 0 orders and 0.00 beside them.
            campaigns = [metrics.counted_result(c) for c in d.get("campaigns", [])]
            codes = sorted({code for c in campaigns for key in ("other_revenue", "baseline_other_revenue")
                            for code in c.get(key, {})})
            return (["campaign", "channel", "at", "recipients", "orders", "revenue", "conversion", "baseline_kind",
                     "baseline_customers", "baseline_orders", "baseline_revenue", "baseline_conversion", "lift",
                     "status", *(f"revenue_{code}" for code in codes), *(f"baseline_revenue_{code}" for code in codes)],
                    [[c["name"], channel_name(c["channel"]), c.get("at") or "", blank(c["recipients"]),
                      blank(c["orders"]), _amount(c["revenue"]),
                      blank(c["conversion"]), c["baseline_kind"], blank(c["baseline_customers"]),
                      blank(c["baseline_orders"]), _amount(c["baseline_revenue"]), blank(c["baseline_conversion"]),
                      blank(c["lift"]),
                      metrics.NOT_SENT if not c.get("sent", True) else
                      "sent" if c["counted"] else metrics.NOT_COUNTED,
                      *(_amount(c.get("other_revenue", {}).get(code)) for code in codes),
                      *(_amount(c.get("baseline_other_revenue", {}).get(code)) for code in codes)]
                     for c in campaigns])
        raise KeyError(key)

    def ask_save_path(self, caption: str, suggested: str, file_filter: str) -> Path | None:
        path, _ = QFileDialog.getSaveFileName(self, caption, suggested, file_filter)
        return Path(path) if path else None

    def show_error(self, title: str, text: str) -> None:
        QMessageBox.warning(self, title, text)

    def show_warning(self, title: str, text: str) -> None:
        QMessageBox.warning(self, title, text)

    def save_chart(self, card: ChartCard, kind: str) -> Path | None:
        """Save PNG…, Save SVG… or Export CSV… of one card; returns the file written."""
        what = {"png": ("Save PNG", "PNG images (*.png)"), "svg": ("Save SVG", "SVG drawings (*.svg)"),
                "csv": ("Export CSV", "CSV files (*.csv)")}[kind]
        path = self.ask_save_path(f"{what[0]} — {card.title.text()}", f"{card.key}-{self.today():%Y-%m-%d}.{kind}",
                                  what[1])
        if path is None:
            return None
        path = with_ending(self, path, f".{kind}")  # the dialog asked about the name as typed only
        if path is None:
            return None
        try:
            if kind == "png":
                written = save_png(card.chart, path)
            elif kind == "svg":
                written = save_svg(card.chart, path, card.title.text())
            else:
                written = save_csv(path, lambda: self.csv_of(card.key))
        except (UserError, OSError) as exc:
            self.show_error(f"Could not {what[0].lower()}", str(exc))
            return None
        self.saved.emit(str(written))
        return written

    def export_report(self) -> None:
        """File › Export Report…: the Dashboard's figures for its period as a printable PDF, written in the
        background (``saved`` says where once it is written)."""
        from omnidesk.core.report_pdf import write_report_pdf

        path = self.ask_save_path("Export Report", f"report-{self.today():%Y-%m-%d}.pdf", "PDF files (*.pdf)")
        if path is None:
            return None
        path = with_ending(self, path, ".pdf")
        if path is None:
            return None
        notes: list[str] = []
        workspace, period, today = self.workspace, self.period(), self.today()

        def work(_cancelled):
            # Every figure read again and a page per dozen campaign steps laid out: seconds on a big shop,
            # so written by the pool, as the figures are read, and the window stays free meanwhile.
            yield from ()
            # The save dialog (or with_ending) asked before replacing a file; a workspace is never written over.
            return write_report_pdf(workspace, path, period, overwrite=True, today=today, warn=notes.append)

        def done(written) -> None:
            self.saved.emit(str(written))
            for note in notes:  # written, but some names' characters print as "?"
                self.show_warning("Report exported", f"The report was saved to {written}, but {note}")

        def failed(exc) -> None:
            self.show_error("Could not export the report",
                            str(exc) if isinstance(exc, (UserError, OSError)) else f"{type(exc).__name__}: {exc}")

        task = Task(work)
        task.signals.finished.connect(done)
        task.signals.failed.connect(failed)
        self.runner_of().start(task)
        return None

    def save_picture(self) -> Path | None:
        """File › Save Dashboard Picture…: every card, figure and tile in one PNG, to send or print."""
        path = self.ask_save_path("Save Dashboard Picture", f"dashboard-{self.today():%Y-%m-%d}.png",
                                  "PNG images (*.png)")
        if path is None:
            return None
        path = with_ending(self, path, ".png")
        if path is None:
            return None
        try:
            written = save_png(self.pages.currentWidget().widget() if self.pages.currentIndex() == 0
                               else self.empty, path)
        except (UserError, OSError) as exc:
            self.show_error("Could not save the picture", str(exc))
            return None
        self.saved.emit(str(written))
        return written
