"""The Messages window's previews are laid out in the direction the message goes out in: an English
email previewed for محمد, whose name comes first, read ".off all spring stock 20% ,محمد" from the right,
while the email exported (dir="ltr", the name in <bdi>) reads left to right."""

from __future__ import annotations

import shutil

import pytest
from lxml.html import document_fromstring
from PySide6.QtCore import Qt

from omnidesk.core.messages import store
from omnidesk.core.messages.render import render_variant
from omnidesk.core.workspace import Workspace

LTR, RTL = Qt.LayoutDirection.LeftToRight, Qt.LayoutDirection.RightToLeft


@pytest.fixture
def view(window, tmp_path, empty_workspace_file, monkeypatch):
    shutil.copyfile(empty_workspace_file, tmp_path / "shop.omnidesk")
    assert window.set_workspace(Workspace.open(tmp_path / "shop.omnidesk"))
    window.resize(1400, 900)
    window.show()
    window.show_screen("messages")
    v = window.screens["messages"]
    monkeypatch.setattr(v, "show_error", lambda *a: pytest.fail(f"error shown: {a}"))
    return v


def _preview_for(view, qtbot, name: str, email: str) -> int:
    from omnidesk.core import edits

    cid = edits.add_customer(view.workspace, {"first_name": name, "email": email}).created
    view.find_customer.setText(email)
    qtbot.keyClick(view.find_customer, Qt.Key.Key_Return)
    assert view.preview_for.currentData() == cid
    return cid


def _directions(preview) -> list[Qt.LayoutDirection]:
    """The direction each paragraph of the preview's text is laid out in (blank lines left out)."""
    out, block = [], preview.body.document().firstBlock()
    while block.isValid():
        if block.text().strip():
            out.append(block.textDirection())
        block = block.next()
    return out


def _exported(view, cid: int) -> str:
    return document_fromstring(render_variant(view.workspace, "Spring", "email", cid).email.html).get("dir")


@pytest.mark.parametrize("subject, body, name, direction", [
    ("{first_name|Friend}, spring sale", "{first_name|Friend}, 20% off all spring stock.\n\nShop now.", "محمد", LTR),
    ("{first_name|صديقنا}، تخفيضات الربيع", "{first_name|صديقنا}، خصم ٢٠٪ على كل شيء.\n\nتسوق الآن.", "Ann", RTL)])
def test_the_email_preview_is_laid_out_by_its_own_words_as_it_is_exported(view, qtbot, subject, body, name,
                                                                          direction):
    store.save_message(view.workspace, "Spring", {"headline": "Spring", "link": "https://hc.example/s"},
                       variants={"email": {"subject": subject, "preheader": body.split("\n")[0], "body": body}})
    view.refresh()
    cid = _preview_for(view, qtbot, name, "one@example.com")
    preview = view.panels["email"].preview
    assert preview.body.text().startswith(name if name == "Ann" else f"\u2068{name}\u2069")  # set apart
    # The body's two paragraphs, then the Unsubscribe link under them, as the export lays it out.
    assert _directions(preview) == [direction, direction, direction]
    assert preview.body.text().endswith("Unsubscribe (*|UNSUB|*)")
    assert preview.title.layoutDirection() == preview.snippet.layoutDirection() == direction
    assert _exported(view, cid) == ("ltr" if direction == LTR else "rtl")  # the preview is the export


def test_an_sms_starting_with_an_arabic_name_reads_as_its_own_words(view, qtbot):
    """A phone skips an isolated name to find a paragraph's direction; the preview does too."""
    store.save_message(view.workspace, "Spring", {"headline": "Spring", "link": "https://hc.example/s"},
                       variants={"sms": {"text": "{first_name|Friend}, 20% off all spring stock. Reply STOP"},
                                 "facebook": {"text": "مرحبا {first_name|Friend}\n\nSpring sale: 20% off"}})
    view.refresh()
    _preview_for(view, qtbot, "محمد", "one@example.com")
    assert _directions(view.panels["sms"].preview) == [LTR]
    assert _directions(view.panels["facebook"].preview) == [RTL, LTR]  # each paragraph by its own words
