"""What an erase keeps of a person is said as it is: salted fingerprints that cannot be read back,
but against which anyone holding the workspace file can check a guessed email or phone number (the
salt is in the same file), so the file is to be kept as safe as the customer list."""

from __future__ import annotations

import sys

from tests.helpers import run_cli, write_csv

HEADER = ["Email", "First Name", "Last Name", "Phone", "Address", "Zip"]
KEPT = "salted fingerprints that cannot be read back"
GUESS = ("someone who has the workspace file and guesses one of their emails or phone numbers can check the "
         "guess against them, so keep the file as safe as the customer list itself")


def _shop(tmp_path, capsys):
    path = tmp_path / "shop.omnidesk"
    people = write_csv(tmp_path / "people.csv", HEADER, [
        ["zelda.quixwort@example.com", "Zelda", "Quixwort", "+1 503 555 0177", "9 Fern Way", "97201"]])
    assert run_cli(capsys, "import", people, "--channel", "shop", "-w", path)[0] == 0
    return path


def test_the_erase_question_and_its_answer_say_a_guess_can_be_checked(window, tmp_path, capsys, monkeypatch, qtbot):
    assert window.open_workspace(_shop(tmp_path, capsys))
    window.open_customer(1)
    view = window.customer_view
    box = view.erase_confirmation_box()
    try:
        asked = box.informativeText()
    finally:
        box.deleteLater()
    assert f"are kept only as {KEPT}, so importing an old file cannot bring them back; {GUESS}." in asked
    assert "one-way" not in asked
    said: list[tuple[str, str]] = []
    monkeypatch.setattr(view, "confirm_erase", lambda: True)
    monkeypatch.setattr(view, "show_info", lambda title, text: said.append((title, text)))
    view.erase_person_button.click()
    assert [title for title, _ in said] == ["Person erased"]
    assert f"kept only as {KEPT}, so an old file cannot bring them back; {GUESS}." in said[0][1]
    assert "one-way" not in said[0][1]


def test_the_command_line_says_so_when_asked_and_when_done(tmp_path, capsys, monkeypatch):
    path = _shop(tmp_path, capsys)
    asked: list[str] = []
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True)
    # The question is on stderr (what the command has written so far), the answer read from stdin.
    monkeypatch.setattr(sys.stdin, "readline", lambda: asked.append(capsys.readouterr().err) or "n\n")
    assert run_cli(capsys, "person", "erase", "1", "-w", path)[0] == 0
    assert len(asked) == 1 and f"stay on the suppression list as {KEPT}: {GUESS}." in asked[0]
    status, out, err = run_cli(capsys, "person", "erase", "1", "--yes", "-w", path)
    assert status == 0, err
    assert f"The suppression list keeps them as {KEPT}; {GUESS}." in out
