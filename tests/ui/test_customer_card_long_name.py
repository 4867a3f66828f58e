"""A name long enough to take two lines on the card: the rows under it keep their height.

The card was held to the height it asks for with the name on one line, so a name that wrapped
took its second line from the rows below: the consent chip lost its top and bottom, the
descenders of g and y and the underscore of a file's name were cut off.
"""

from __future__ import annotations

import contextlib

import pytest
import time_machine
from PySide6.QtWidgets import QApplication, QFrame, QLabel

from omnidesk.ui.views.customer.widgets import HeadingLabel

FIRST = "Maximiliana Alexandrina Bartholomea Constantina"
LAST = "Wolfeschlegelsteinhausenbergerdorff-Vandersteen"
NOW = "2026-11-02T15:00:00+00:00"
SIZES = ((1024, 640), (1920, 1080))


@pytest.fixture(params=["usual font", "big font"])
def card_window(request, tmp_path):
    """The window on a workspace of one Shopify customer with the long name, their card open."""
    from omnidesk.core.importing.pipeline import import_file
    from omnidesk.core.workspace import Workspace
    from tests.helpers import write_csv

    if request.param == "big font":
        request.getfixturevalue("big_font")  # before the window is built
    window = request.getfixturevalue("window")
    path = tmp_path / "shop.omnidesk"
    Workspace.create(path).close()
    csv = write_csv(tmp_path / "shopify_customers.csv",
                    ["Customer ID", "First Name", "Last Name", "Email", "Accepts Email Marketing"],
                    [["1001", FIRST, LAST, "maxi@example.com", "yes"]])
    with time_machine.travel(NOW, tick=False):
        window.open_workspace(path)
        import_file(window.workspace, csv)
        window.open_customer(1)
    return window


def _squeezed(card: QFrame) -> list[str]:
    """The card's shown lines and chips given less height than their text needs."""
    squeezed = []
    for label in card.findChildren(QLabel):
        if not label.isVisibleTo(card) or not label.text():
            continue
        if isinstance(label, HeadingLabel) or label.wordWrap():
            need = label.heightForWidth(label.width())
        else:
            need = max(label.minimumSizeHint().height(), label.sizeHint().height())
        if label.height() < need:
            squeezed.append(f"{label.text()!r}: {label.height()} of {need}")
    return squeezed


def _settle(qtbot, card: QFrame) -> None:
    """The layout settles in the event loop (the name's height follows its width): given the time
    a busy machine takes, and then looked at whatever it came to."""
    with contextlib.suppress(qtbot.TimeoutError):
        qtbot.waitUntil(lambda: not _squeezed(card), timeout=2000)


def test_a_name_on_two_lines_leaves_the_rows_under_it_their_height(card_window, qtbot):
    view = card_window.customer_view
    card = view.findChild(QFrame, "customerCard")
    assert view.name_label.text() == f"{FIRST} {LAST}"
    consent = view.consent_rows["email"][2]
    assert consent.text().endswith("shopify_customers.csv")
    for size in SIZES:
        card_window.resize(*size)
        for _ in range(3):
            QApplication.processEvents()
        _settle(qtbot, card)
        assert not _squeezed(card), (size, _squeezed(card))
        assert card.height() >= card.heightForWidth(card.width()), size
    # At 1024 pixels the name does take two lines, the case this is about.
    card_window.resize(*SIZES[0])
    for _ in range(3):
        QApplication.processEvents()
    _settle(qtbot, card)
    assert "\n" in view.name_label.shown_text()
    assert not _squeezed(card), _squeezed(card)
