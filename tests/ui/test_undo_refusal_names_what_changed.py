"""Edit › Undo refused because the command line changed the same customers since says what changed.

What the window typed in (a tag, a city) is kept on a record "Entered by you", beside the imported
ones.  When the command line takes the tag off one of them, or types another city, the refusal is
right, but it said "an imported record is no longer as that step left it": no import happened, and
the owner would go looking for one.  It names a record entered by hand; an import's undo refused
because an imported record changed still names an imported record.
"""

from __future__ import annotations

from tests.helpers import run_cli
from tests.ui import test_undo_history as undo_history
from tests.ui.test_undo_history import customer_with, undo_text

shop_template, still, shop = undo_history.shop_template, undo_history.still, undo_history.shop


def _refusal(win, monkeypatch) -> str:
    told: list[tuple[str, str]] = []
    monkeypatch.setattr(win, "show_error", lambda title, text: told.append((title, text)))
    win.look_for_outside_changes()
    win.undo_action.trigger()
    assert win.runner.wait(10)
    assert len(told) == 1, told
    text = told[0][1]
    assert text.startswith("Changed since") and "nothing was changed" in text
    return text


def _cli(capsys, win, *argv) -> None:
    status, _, err = run_cli(capsys, *argv, "-w", win.workspace.path)
    assert status == 0, err


def test_a_tag_the_command_line_took_off_since_is_named_a_record_entered_by_hand(shop, monkeypatch, capsys):
    win = shop
    ids = [customer_with(win.workspace, e) for e in ("ann@example.com", "dee@example.com", "gus@example.com")]
    win.operations.retag(ids, ["wp"], ())
    assert win.runner.wait(10)
    assert undo_text(win) == "Undo add tag wp to 3 customers"
    _cli(capsys, win, "tag", "remove", "wp", str(ids[1]))

    text = _refusal(win, monkeypatch)
    assert "a record entered by hand is no longer as that step left it" in text
    assert "import" not in text


def test_a_city_the_command_line_typed_since_is_named_a_record_entered_by_hand(shop, monkeypatch, capsys):
    win = shop
    dee = customer_with(win.workspace, "dee@example.com")
    win.operations.edit_values(dee, {"city": "Bangor"})
    assert win.runner.wait(10)
    _cli(capsys, win, "customer", "set", str(dee), "city", "Portland")

    text = _refusal(win, monkeypatch)
    assert "import" not in text
    assert "a record entered by hand is no longer as that step left it" in text

