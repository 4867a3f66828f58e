"""The app's "Person erased" message says what the command line says of the saved segments and
campaign audiences whose rule named the person's email or phone."""

from __future__ import annotations

import json

from tests.helpers import run_cli, write_csv

HEADER = ["Email", "First Name", "Last Name", "Phone"]
RULES = {"zseg": {"field": "email", "op": "is", "value": "zelda.quixwort@example.com"},
         "zphone": {"field": "phone", "op": "is", "value": "503-555-0177"}}
SAID = ("2 saved segments named their email or phone: it now reads [erased] there, which matches no one, "
        "and everyone else they selected they still select")


def _shop(folder, capsys):
    path = folder / "shop.omnidesk"
    people = write_csv(folder / "people.csv", HEADER, [
        ["zelda.quixwort@example.com", "Zelda", "Quixwort", "+1 503 555 0177"],
        ["carol@example.com", "Carol", "Crane", ""]])
    assert run_cli(capsys, "import", people, "--channel", "shop", "-w", path)[0] == 0
    for name, rule in RULES.items():
        assert run_cli(capsys, "segment", "save", name, "--rule", json.dumps(rule), "-w", path)[0] == 0
    return path


def _erase_in_the_app(window, path, monkeypatch, customer_id: int) -> list[tuple[str, str]]:
    assert window.open_workspace(path)
    window.open_customer(customer_id)
    view = window.customer_view
    said: list[tuple[str, str]] = []
    monkeypatch.setattr(view, "confirm_erase", lambda: True)
    monkeypatch.setattr(view, "show_info", lambda title, text: said.append((title, text)))
    view.erase_person_button.click()
    return said


def test_the_app_and_the_command_line_say_the_same_of_rules_that_named_them(
        window, tmp_path, capsys, monkeypatch, qtbot):
    (tmp_path / "cli").mkdir()
    status, out, err = run_cli(capsys, "person", "erase", "1", "--yes", "-w", _shop(tmp_path / "cli", capsys))
    assert status == 0, err
    assert f"; {SAID}" in out
    (tmp_path / "app").mkdir()
    said = _erase_in_the_app(window, _shop(tmp_path / "app", capsys), monkeypatch, 1)
    assert [title for title, _ in said] == ["Person erased"]
    assert f" {SAID}." in said[0][1]


def test_the_app_says_nothing_of_rules_when_none_named_them(window, tmp_path, capsys, monkeypatch, qtbot):
    said = _erase_in_the_app(window, _shop(tmp_path, capsys), monkeypatch, 2)  # Carol: in no rule
    assert [title for title, _ in said] == ["Person erased"]
    assert "[erased]" not in said[0][1] and "saved segment" not in said[0][1]
