"""The Messages screen says how many customers its lengths are measured on: "the longest of 20
customers" was said in a workspace of one customer, and under a customer picked to preview for."""

from __future__ import annotations

import shutil

import pytest
from PySide6.QtCore import Qt

from omnidesk.core.edits import add_customer
from omnidesk.core.messages import store
from omnidesk.core.workspace import Workspace

MASTER = {"headline": "Autumn candles", "body": "Hi {first_name}, our autumn candles are back.",
          "offer_code": "AUTUMN20", "offer_value": "20% off", "link": "https://shop.example.com/autumn"}
VARIANTS = {"email": {"subject": "Hi {first_name|there}", "preheader": "", "body": "Hi {first_name|there}"}}


def _open(window, tmp_path, empty_workspace_file, names):
    shutil.copyfile(empty_workspace_file, tmp_path / "shop.omnidesk")
    ws = Workspace.open(tmp_path / "shop.omnidesk")
    for first in names:
        add_customer(ws, {"first_name": first, "last_name": "Featherstone"})
    store.save_message(ws, "Autumn", MASTER, variants=VARIANTS)
    assert window.set_workspace(ws)
    window.resize(1024, 640)
    window.show()
    window.show_screen("messages")
    view = window.screens["messages"]
    view.tabs.setCurrentWidget(view.panels["email"])
    return view


def test_one_customer_is_said_as_one_and_a_picked_one_apart_from_the_sample(window, tmp_path, empty_workspace_file,
                                                                              qtbot):
    view = _open(window, tmp_path, empty_workspace_file, ["Maximiliana"])
    email = view.panels["email"]
    assert view.preview_for.itemText(0) == "The longest of your 1 customer"
    assert email.preview.caption.text() == "Preview for the longest of your 1 customer"
    assert email.counter.text() == "14 / 60 characters in the subject (the longest of your 1 customer)"
    qtbot.keyClicks(view.find_customer, "Maximiliana")
    qtbot.keyClick(view.find_customer, Qt.Key.Key_Return)
    assert email.preview.caption.text() == "Preview for Maximiliana Featherstone"
    # Still the sample's length, and the picked customer's beside it, each said for what it is.
    assert email.counter.text() == ("14 / 60 characters in the subject (the longest of your 1 customer; "
                                    "this preview: 14)")
    view.preview_for.setCurrentIndex(view.preview_for.findData(view.NO_DATA))
    assert email.counter.text() == ("14 / 60 characters in the subject (the longest of your 1 customer; "
                                    "this preview: 8)")


@pytest.mark.parametrize("many, said", [(3, "the longest of your 3 customers"),
                                        (20, "the longest of your 20 customers"),
                                        (23, "the longest of 20 sampled customers")])
def test_the_sample_is_said_as_large_as_it_is(window, tmp_path, empty_workspace_file, many, said):
    view = _open(window, tmp_path, empty_workspace_file, [f"Ann{i}" for i in range(many)])
    email = view.panels["email"]
    assert view.preview_for.itemText(0) == said[0].upper() + said[1:]
    assert email.preview.caption.text() == f"Preview for {said}"
    assert email.counter.text().endswith(f" characters in the subject ({said})")


def test_no_customers_yet_is_said_so(window, tmp_path, empty_workspace_file):
    view = _open(window, tmp_path, empty_workspace_file, [])
    email = view.panels["email"]
    assert email.preview.caption.text() == "Preview for someone with no data: no customers yet"
    assert email.counter.text() == "8 / 60 characters in the subject (someone with no data: no customers yet)"
