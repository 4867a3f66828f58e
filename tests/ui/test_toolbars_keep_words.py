"""Rows of buttons keep every button's words under a large font: a second line rather than "lerge selecte"."""

from __future__ import annotations

from PySide6.QtCore import QRect
from PySide6.QtWidgets import QLabel, QWidget

from omnidesk.core.campaigns import campaign as campaigns
from omnidesk.core.messages.store import save_message


def rect_in(widget: QWidget, ancestor: QWidget) -> QRect:
    return QRect(widget.mapTo(ancestor, widget.rect().topLeft()), widget.size())


def assert_whole_and_apart(widgets: list[QWidget], within: QWidget) -> None:
    for widget in widgets:
        name = widget.text() if hasattr(widget, "text") else widget.objectName()
        assert widget.isVisible(), name
        if isinstance(widget, QLabel):
            assert widget.fontMetrics().horizontalAdvance(widget.text()) <= widget.width(), f"{name!r} is cut"
        else:
            assert widget.width() >= widget.sizeHint().width(), f"{name!r} is cut: {widget.width()}"
        assert within.rect().contains(rect_in(widget, within)), f"{name!r} is outside"
    for i, one in enumerate(widgets):
        for other in widgets[i + 1:]:
            assert not rect_in(one, within).intersects(rect_in(other, within)), (one, other)


def test_customers_toolbar(big_window, qtbot):
    big_window.show_screen("customers")
    view = big_window.screens["customers"]
    qtbot.wait(50)
    search = view.search
    assert search.width() >= search.fontMetrics().horizontalAdvance(search.placeholderText())
    assert_whole_and_apart([view.channel_filter, view.consent_filter, view.filter_button, view.merge_button,
                            view.columns_button, view.count_label], view)
    assert not rect_in(search, view).intersects(rect_in(view.channel_filter, view))


def test_review_buttons(big_window, qtbot):
    big_window.show_screen("review")
    view = big_window.screens["review"]
    qtbot.wait(50)
    assert_whole_and_apart([view.accept_button, view.reject_button, view.skip_button], view)


def test_campaign_buttons(big_window, qtbot):
    save_message(big_window.workspace, "Sale", {"headline": "Spring sale"}, channels=["email"])
    campaigns.save_campaign(big_window.workspace, "Spring", message="Sale")
    big_window.show_screen("campaigns")
    view = big_window.screens["campaigns"]
    view.refresh()
    qtbot.wait(50)
    buttons = [view.new_button, view.duplicate_button, view.delete_button, view.import_button,
               view.export_plan_button, view.schedule_button, view.export_button, view.done_button]
    assert_whole_and_apart(buttons, view.new_button.parentWidget())
