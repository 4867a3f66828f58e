"""The Messages window's check reads a sale's start date as a start: "Sale runs 1 Oct to 31 Oct." was
listed as an error, "1 Oct here, but the offer ends 31 Oct 2030", while the end of the range is still
compared with the offer's."""

from __future__ import annotations

import shutil

import pytest

from omnidesk.core.messages import store
from omnidesk.core.workspace import Workspace

MASTER = {"headline": "October sale", "body": "20% off everything.", "offer_code": "OCT20",
          "offer_value": "20% off", "offer_expires": "2030-10-31", "cta": "Shop now",
          "link": "https://shop.example.com/oct"}


@pytest.fixture
def view(window, tmp_path, empty_workspace_file, monkeypatch):
    shutil.copyfile(empty_workspace_file, tmp_path / "shop.omnidesk")
    ws = Workspace.open(tmp_path / "shop.omnidesk")
    store.save_message(ws, "October", MASTER, channels=["sms"])
    assert window.set_workspace(ws)
    window.show_screen("messages")
    v = window.screens["messages"]
    monkeypatch.setattr(v, "show_error", lambda *a: pytest.fail(f"error shown: {a}"))
    v.select("October")
    return v


def said(listing) -> list[str]:
    return [listing.item(i).text() for i in range(listing.count())]


def test_the_start_of_a_sale_is_no_error_and_its_end_is_still_checked(view, qtbot):
    sms = view.panels["sms"]
    view.tabs.setCurrentWidget(sms)
    box = sms.edits["text"]
    made = box.toPlainText()
    box.setPlainText(made + " Sale runs 1 Oct to 30 Oct.")
    qtbot.waitUntil(lambda: any("30 Oct. here, but the offer ends 31 Oct 2030" in s for s in said(sms.findings)),
                    timeout=3000)
    assert not any("1 Oct here" in s for s in said(sms.findings))
    box.setPlainText(made + " Sale runs 1 Oct to 31 Oct.")
    qtbot.waitUntil(lambda: not any("30 Oct" in s for s in said(sms.findings)), timeout=3000)
    assert not any("here, but the offer ends" in s for s in said(sms.findings))
