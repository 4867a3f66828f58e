"""A customer's card under a large font: every line readable, the buttons above it whole."""

from __future__ import annotations

from PySide6.QtCore import QRect, Qt
from PySide6.QtWidgets import QFrame, QLabel, QToolButton

from omnidesk.ui.views.customer.widgets import ElidedLabel


def open_first_customer(window, qtbot):
    window.show_screen("customers")
    customers = window.screens["customers"]
    window.open_customer(customers.model.customer_id(0))  # a phone number, with its ⋯ pin button
    qtbot.wait(50)
    return window.customer_view


def shown_labels(card: QFrame) -> list[QLabel]:
    return [label for label in card.findChildren(QLabel)
            if label.isVisibleTo(card) and label.text() and label.textFormat() != Qt.TextFormat.RichText]


def rect_in(widget, ancestor) -> QRect:
    return QRect(widget.mapTo(ancestor, widget.rect().topLeft()), widget.size())


def test_the_card_keeps_its_lines_apart(big_window, qtbot):
    view = open_first_customer(big_window, qtbot)
    card = view.findChild(QFrame, "customerCard")
    # As tall as its lines need at its width: not squeezed to leave the tabs room.
    def need() -> int:
        return card.heightForWidth(card.width()) if card.hasHeightForWidth() else card.minimumSizeHint().height()

    # The layout settles in the event loop (the name's height follows its width): given the time a busy machine takes.
    qtbot.waitUntil(lambda: card.height() >= need(), timeout=5000)
    labels = shown_labels(card)
    for label in labels:
        metrics = label.fontMetrics()
        assert label.height() >= metrics.height() or label.wordWrap(), label.text()
        if isinstance(label, ElidedLabel):  # cut with "…" where narrow, whole in its tooltip: never gone
            assert label.width() >= min(metrics.horizontalAdvance(label.text()),
                                        metrics.horizontalAdvance(label.text()[:1] + "…")), f"{label.text()!r} is gone"
        elif not label.wordWrap():
            assert metrics.horizontalAdvance(label.text()) <= label.width(), f"{label.text()!r} is cut"
    places = [(label.text(), rect_in(label, card)) for label in labels]
    for i, (text, rect) in enumerate(places):
        for other, other_rect in places[i + 1:]:
            assert not rect.intersects(other_rect), f"{text!r} is drawn over {other!r}"
    # The phone number whole, its ⋯ pin menu beside it.
    cell = view.value_cells["phone"]
    assert cell.label.fontMetrics().horizontalAdvance(cell.label.text()) <= cell.label.width()
    pin = view.pin_buttons["phone"]
    assert pin.isVisibleTo(card) and cell.rect().contains(QRect(pin.mapTo(cell, pin.rect().topLeft()), pin.size()))


def test_the_buttons_above_the_card_keep_their_words(big_window, qtbot):
    view = open_first_customer(big_window, qtbot)
    card = view.findChild(QFrame, "customerCard")
    buttons = [button for button in view.findChildren(QToolButton)
               if button.isVisible() and button.text() and not card.isAncestorOf(button)]
    assert len(buttons) >= 7
    for button in buttons:
        words = button.text().replace("&", "")
        assert button.width() >= button.sizeHint().width(), f"{words!r} is cut"
        assert view.rect().contains(rect_in(button, view)), f"{words!r} is outside the screen"
    for i, one in enumerate(buttons):
        for other in buttons[i + 1:]:
            assert not rect_in(one, view).intersects(rect_in(other, view)), (one.text(), other.text())



def test_at_1024_pixels_the_card_stacks_its_columns_and_is_read_whole(big_window, qtbot):
    """Money and dates go under the other columns when the three side by side would not fit: the
    card no wider than the window, every value inside it (at 14 pt it needed 1,060 pixels and was
    cut at its right, Total spend and the held-address line with it).  Widened, they go back."""
    window = big_window
    window.resize(1024, 640)
    view = open_first_customer(window, qtbot)
    card = view.findChild(QFrame, "customerCard")
    room = view.content_scroll.viewport()
    qtbot.waitUntil(lambda: view.card_stacked > 0)
    qtbot.waitUntil(lambda: card.width() <= room.width())
    assert view.content_scroll.horizontalScrollBar().maximum() == 0
    for title, value in view.card_column_c:
        for part in (title, value):
            assert part.isVisibleTo(card)
            assert rect_in(part, room).right() <= room.width(), f"{title.text()!r} is cut at the right"
    for line in shown_labels(card):
        assert rect_in(line, room).right() <= room.width(), f"{line.text()!r} is cut at the right"
    # Under the first column, in its order, before "Counted".
    spend_title = view.card_column_c[0][0]
    qtbot.waitUntil(lambda: rect_in(spend_title, card).top() > rect_in(view.fields["company"], card).bottom())
    window.resize(1700, 900)
    qtbot.waitUntil(lambda: view.card_stacked == 0)
    qtbot.waitUntil(lambda: abs(rect_in(spend_title, card).top() - rect_in(view.fields["email"], card).top()) < 8)


def test_at_1024_pixels_and_the_usual_font_the_columns_stay_side_by_side(demo_window, qtbot):
    demo_window.resize(1024, 640)
    view = open_first_customer(demo_window, qtbot)
    qtbot.wait(100)
    assert view.card_stacked == 0
    assert view.content_scroll.horizontalScrollBar().maximum() == 0
