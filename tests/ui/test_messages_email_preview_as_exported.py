"""The Email tab's preview reads as the email is exported: the picture first, then the body, and at
its end the brand's footer, the postal address and the Unsubscribe link; it showed the subject, the
preheader and the body alone, while `message render --out` wrote all of it."""

from __future__ import annotations

import shutil

import pytest
from PySide6.QtCore import Qt

from omnidesk.core import edits
from omnidesk.core.messages import store
from omnidesk.core.messages.email import text_part
from omnidesk.core.workspace import Workspace
from tests.helpers import run_cli

MASTER = {"headline": "Autumn candles", "body": "Hi {first_name|there}, our autumn candles are back.",
          "offer_code": "AUTUMN20", "offer_value": "20% off", "link": "https://shop.example.com/autumn",
          "image": "https://shop.example.com/candles.jpg"}


@pytest.fixture
def shop(tmp_path, empty_workspace_file, capsys):
    path = tmp_path / "shop.omnidesk"
    shutil.copyfile(empty_workspace_file, path)
    for argv in (["brand", "set", "address", "1 Market St"],
                 ["brand", "set", "email_footer", "Thanks for shopping local."]):
        assert run_cli(capsys, "--workspace", path, *argv)[0] == 0
    ws = Workspace.open(path)
    edits.add_customer(ws, {"first_name": "Ann", "email": "ann@example.com"})
    bob = edits.add_customer(ws, {"first_name": "Bob", "email": "bob@example.com"}).created
    store.save_message(ws, "Launch", MASTER)
    return ws, bob


def test_the_email_preview_is_the_exported_email(window, shop, qtbot, capsys, tmp_path):
    ws, bob = shop
    out = tmp_path / "e.html"
    status, _, err = run_cli(capsys, "--workspace", ws.path, "message", "render", "Launch", "--channel", "email",
                             "--customer", bob, "--out", out)
    assert status == 0, err
    exported = out.read_text(encoding="utf-8")

    assert window.set_workspace(ws)
    window.resize(1024, 640)
    window.show()
    window.show_screen("messages")
    view = window.screens["messages"]
    view.tabs.setCurrentWidget(view.panels["email"])
    qtbot.keyClicks(view.find_customer, "bob@example.com")
    qtbot.keyClick(view.find_customer, Qt.Key.Key_Return)
    assert view.preview_for.currentData() == bob
    preview = view.panels["email"].preview

    body = preview.body.text()
    assert body.startswith("[Picture: Autumn candles (https://shop.example.com/candles.jpg)]\n\n")
    assert "Hi Bob, our autumn candles are back." in body
    end = body.rstrip().split("\n\n")[-3:]
    assert end == ["Thanks for shopping local.", "1 Market St", "Unsubscribe (*|UNSUB|*)"], end
    # The export's own words, read from the file it wrote: its text part, the picture in its place.
    assert body == text_part(exported, pictures=True).rstrip("\n")
    assert body.replace(body.split("\n\n")[0] + "\n\n", "", 1) == text_part(exported).rstrip("\n")
    assert preview.title.text() == "Autumn candles"
    assert preview.snippet.text() == "Hi Bob, our autumn candles are back."
