"""Every dialog fits the screen it opens on under a large system font, its OK and Cancel in sight."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QLocale, QRect, QSize
from PySide6.QtWidgets import QAbstractButton, QDialogButtonBox, QWidget, QWizard

from omnidesk.ui.dialogs.import_wizard import ImportWizard
from omnidesk.ui.dialogs.preferences import PreferencesDialog
from omnidesk.ui.dialogs.workspace_basics import WorkspaceBasicsDialog, machine_basics
from omnidesk.ui.tasks import TaskRunner
from tests.helpers import write_csv

# The smallest screen a dialog must fit, whatever screen the tests run on: a small laptop's free area.
SMALL = QSize(1024, 640)


def machine():
    """This computer as the dialogs see it, the same wherever the tests run."""
    return machine_basics(QLocale("en_US"), "America/New_York")


def buttons_of(dialog: QWidget) -> list[QAbstractButton]:
    if isinstance(dialog, QWizard):
        return [dialog.button(which) for which in (QWizard.WizardButton.NextButton,
                                                   QWizard.WizardButton.CancelButton)]
    boxes = dialog.findChildren(QDialogButtonBox)
    assert boxes, f"{dialog.windowTitle()}: no OK/Cancel to check"
    return [button for box in boxes for button in box.buttons() if button.isVisible()]


def assert_fits(dialog: QWidget, qtbot) -> None:
    dialog.show()
    qtbot.waitExposed(dialog)
    qtbot.wait(50)  # a dialog that grows to fit its contents does so once shown
    title = dialog.windowTitle()
    screen = dialog.screen().availableGeometry()
    assert screen.contains(dialog.frameGeometry()), f"{title}: {dialog.frameGeometry()} is past {screen}"
    least = dialog.minimumSize().expandedTo(dialog.minimumSizeHint())
    assert least.width() <= SMALL.width() and least.height() <= SMALL.height(), f"{title}: needs {least}"
    inside = dialog.rect()
    for button in buttons_of(dialog):
        where = QRect(button.mapTo(dialog, button.rect().topLeft()), button.size())
        assert inside.contains(where), f"{title}: {button.text()!r} at {where} is outside {inside}"
        assert button.fontMetrics().horizontalAdvance(button.text().replace("&", "")) <= button.width(), \
            f"{title}: {button.text()!r} is cut"


def test_preferences_fits_the_screen(big_window, qtbot):
    dialog = PreferencesDialog({"business_name": "Harbor & Pine"}, machine(), big_window)
    qtbot.addWidget(dialog)
    assert_fits(dialog, qtbot)


def test_new_workspace_questions_fit_the_screen(big_window, qtbot):
    dialog = WorkspaceBasicsDialog("Harbor & Pine", machine(), big_window)
    qtbot.addWidget(dialog)
    assert_fits(dialog, qtbot)


def test_brand_kit_fits_the_screen(big_window, qtbot):
    big_window.show_screen("messages")
    dialog = big_window.screens["messages"].brand_dialog()
    qtbot.addWidget(dialog)
    assert_fits(dialog, qtbot)


def test_new_customer_fits_the_screen(big_window, qtbot):
    dialog = big_window.new_customer_dialog()
    qtbot.addWidget(dialog)
    assert_fits(dialog, qtbot)


@pytest.mark.parametrize("name", ["values_dialog", "tags_dialog", "consent_dialog", "custom_field_dialog"])
def test_customer_card_dialogs_fit_the_screen(big_window, qtbot, name):
    big_window.show_screen("customers")
    customers = big_window.screens["customers"]
    big_window.open_customer(customers.model.customer_id(0))
    dialog = getattr(big_window.customer_view, name)()
    qtbot.addWidget(dialog)
    assert_fits(dialog, qtbot)


def test_import_wizard_fits_the_screen(big_window, qtbot, tmp_path):
    path = write_csv(tmp_path / "members.csv", ["Email", "Full Name", "Mobile"],
                     [["ann@example.com", "Ann Lee", "+44 7700 900123"]])
    wizard = ImportWizard(big_window.workspace, [path], TaskRunner(inline=True), big_window)
    qtbot.addWidget(wizard)
    assert_fits(wizard, qtbot)
    wizard.next()
    assert_fits(wizard, qtbot)
