"""The Messages screen's check list names each finding's field, as the form labels it: ``{city}``
without a fallback in the email's preheader and body was two identical lines, "⚠ {city} has no
fallback…"; and it says a token back as it was typed (``{custom.Points}``), an unknown one once, as
the error it is."""

from __future__ import annotations

import pytest

from omnidesk.core.messages import store
from omnidesk.core.workspace import Workspace
from tests.core.test_cli_message_findings_named import EMAIL, MASTER, PEOPLE
from tests.helpers import cli_shop_fixtures

shop_template, shop = cli_shop_fixtures(PEOPLE, ["brand", "set", "address", "1 Market St"],
                                        ["brand", "set", "name", "Harbor"])


@pytest.fixture
def email(window, shop, monkeypatch, qtbot):
    ws = Workspace.open(shop)
    store.save_message(ws, "Spring sale", MASTER, channels=["email"], variants={"email": EMAIL})
    assert window.set_workspace(ws)
    window.resize(1024, 640)
    window.show_screen("messages")
    view = window.screens["messages"]
    monkeypatch.setattr(view, "show_error", lambda *a: pytest.fail(f"error shown: {a}"))
    view.select("Spring sale")
    panel = view.panels["email"]
    view.tabs.setCurrentWidget(panel)
    qtbot.waitUntil(lambda: panel.findings.count() and panel.findings.item(0).text() != "Checking…", timeout=5000)
    return panel


def _lines(panel) -> list[str]:
    return [panel.findings.item(i).text() for i in range(panel.findings.count())]


def test_the_check_list_names_each_findings_field(email):
    city = [line for line in _lines(email) if "{city} has no fallback" in line]
    assert [line.split(" {city}")[0] for line in city] == ["⚠ Email preheader:", "⚠ Email body:"]
    assert all(line.startswith(("✖ Email", "⚠ Email")) for line in _lines(email))


def test_the_check_list_says_a_token_as_typed_and_an_unknown_one_once(email):
    points = [line for line in _lines(email) if "custom.points" in line.casefold()]
    assert points == ["✖ Email body: Unknown token {custom.Points}: there is no custom field called “Points”"]
    assert any(line.startswith("⚠ Email body: {Custom.Tier} has no fallback") for line in _lines(email))


def test_a_finding_still_takes_the_user_to_its_field(email):
    from PySide6.QtWidgets import QApplication

    item = next(email.findings.item(i) for i in range(email.findings.count())
                if email.findings.item(i).text().startswith("⚠ Email preheader: {city}"))
    email.findings.itemActivated.emit(item)
    assert QApplication.focusWidget() is email.edits["preheader"]
    assert email.edits["preheader"].selectedText() == "{city}"
