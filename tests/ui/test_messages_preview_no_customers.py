"""A shop with no customers yet previews a message with the offer filled in, as ``message render``
and the check's counter fill it: the offer and the brand's name are everyone's, not a customer's."""

from __future__ import annotations

import shutil

from omnidesk.core.messages import store
from omnidesk.core.messages.render import render_variant
from omnidesk.core.workspace import Workspace

MASTER = {"headline": "Spring sale", "body": "Spring is here.", "offer_code": "SPRING20",
          "offer_value": "20% off", "offer_expires": "2030-10-31", "cta": "Shop now",
          "link": "https://example.com/spring"}
SMS = {"text": "ShopCo: {offer_value} with code {offer_code} until {offer_expires}. Reply STOP to opt out"}


def test_the_preview_of_a_shop_without_customers_fills_in_the_offer(window, tmp_path, empty_workspace_file):
    shutil.copyfile(empty_workspace_file, tmp_path / "shop.omnidesk")
    ws = Workspace.open(tmp_path / "shop.omnidesk")
    store.save_message(ws, "Spring", MASTER, variants={"sms": SMS})
    assert window.set_workspace(ws)
    window.show_screen("messages")
    view = window.screens["messages"]
    view.tabs.setCurrentWidget(view.panels["sms"])

    shown = view.panels["sms"].preview.body.toPlainText()
    assert shown == "ShopCo: 20% off with code SPRING20 until 31 Oct 2030. Reply STOP to opt out"
    assert shown == render_variant(ws, "Spring", "sms").text
    # The counter measures what the preview shows.
    assert f"{len(shown)}" in view.panels["sms"].counter.text()
