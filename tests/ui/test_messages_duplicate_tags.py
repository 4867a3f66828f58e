"""Duplicate… on the Messages screen makes a copy whose links are tagged for its own name: a copy of
"Spring sale" named "Autumn sale" kept utm_campaign=spring-sale in every variant, so its visits were
counted for the old message, and nothing marked it."""

from __future__ import annotations

import shutil
from urllib.parse import parse_qs, urlsplit

import pytest
from PySide6.QtWidgets import QMessageBox

from omnidesk.core.messages import links, store
from omnidesk.core.messages.lint import check_message
from omnidesk.core.workspace import Workspace

MASTER = {"headline": "Spring sale", "body": "20% off all spring stock.", "offer_code": "SPRING20",
          "offer_value": "20% off", "cta": "Shop now", "link": "https://shop.example/spring?ref=home"}


@pytest.fixture
def view(window, tmp_path, empty_workspace_file, monkeypatch):
    shutil.copyfile(empty_workspace_file, tmp_path / "shop.omnidesk")
    assert window.set_workspace(Workspace.open(tmp_path / "shop.omnidesk"))
    window.show_screen("messages")
    v = window.screens["messages"]
    monkeypatch.setattr(v, "show_error", lambda *a: pytest.fail(f"error shown: {a}"))
    return v


def _campaigns(message) -> dict[str, set[tuple[str, str, str]]]:
    out = {}
    for channel, v in message.variants.items():
        tags = set()
        for text in v.fields.values():
            for lk in links.find_links(text):
                q = parse_qs(urlsplit(links.opened(lk.url)).query)
                if "utm_source" in q:
                        tags.add((q["utm_source"][0], q["utm_campaign"][0], q.get("utm_content", [""])[0]))
        out[channel] = tags
    return out


def test_a_copy_counts_its_visits_for_its_own_name(window, view, monkeypatch):
    ws = window.workspace
    store.save_message(ws, "Spring sale", MASTER, channels=["email", "sms", "facebook", "store", "website"])
    # A hand-edited SMS with a second link carrying its own utm_content, and a bare www. link.
    store.set_variant(ws, "Spring sale", "sms", {"text": (
        "Shop: 20% off with SPRING20. Shop now https://shop.example/spring?ref=home&utm_source=sms&utm_medium=sms"
        "&utm_campaign=spring-sale&utm_content=a or www.shop.example/faq?utm_source=sms&utm_medium=sms"
        "&utm_campaign=spring-sale Reply STOP to opt out.")})
    view.refresh()
    view.select("Spring sale")
    monkeypatch.setattr(view, "ask_text", lambda *a, **k: "Autumn sale")
    view.duplicate_action.trigger()
    assert view.current.name == "Autumn sale"
    copy = store.get_message(ws, "Autumn sale")
    assert _campaigns(copy) == {
        "email": {("newsletter", "autumn-sale", "")}, "sms": {("sms", "autumn-sale", "a"), ("sms", "autumn-sale", "")},
        "facebook": {("facebook", "autumn-sale", "")}, "store": {("poster", "autumn-sale", "")}, "website": set()}
    sms = copy.variants["sms"].fields["text"]
    assert "https://shop.example/spring?ref=home&utm_source=sms" in sms and " or www.shop.example/faq?utm_" in sms
    # Made as a new message of that name would be; the hand edit stays one.
    fresh = store.save_message(ws, "Autumn fresh", MASTER, channels=["email", "facebook", "store"])
    assert copy.variants["email"].fields["body"] == fresh.variants["email"].fields["body"].replace(
        "autumn-fresh", "autumn-sale")
    assert {c: v.edited for c, v in copy.variants.items()} == {
        "email": False, "sms": True, "facebook": False, "store": False, "website": False}
    assert copy.stale == []
    assert not [f for f in check_message(ws, "Autumn sale").findings if f.code == "link_tags_differ"]
    # The source keeps its own tags.
    assert _campaigns(store.get_message(ws, "Spring sale"))["email"] == {("newsletter", "spring-sale", "")}
    window.undo_action.trigger()
    assert [m.name for m in store.list_messages(ws)] == ["Autumn fresh", "Spring sale"]


def test_a_copy_under_a_name_taken_is_refused_and_nothing_is_made(window, view, monkeypatch):
    ws = window.workspace
    store.save_message(ws, "Spring sale", MASTER, channels=["sms"])
    store.save_message(ws, "Autumn sale", {"headline": "Autumn"}, channels=["sms"])
    view.refresh()
    view.select("Spring sale")
    said = []
    monkeypatch.setattr(QMessageBox, "warning", staticmethod(lambda _parent, *a: said.append(a)))
    monkeypatch.setattr(view, "ask_text", lambda *a, **k: "autumn SALE")
    view.duplicate_action.trigger()
    assert said == [("Cannot change the message",
                     "A message named 'Autumn sale' exists already; choose another name or replace it.")]
    assert store.get_message(ws, "Autumn sale").master["headline"] == "Autumn"
    assert [m.name for m in store.list_messages(ws)] == ["Autumn sale", "Spring sale"]
