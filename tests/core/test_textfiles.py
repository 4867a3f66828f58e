"""JSON and text files are written whole, never over a workspace, and read with one clear error."""

from __future__ import annotations

import pytest

from omnidesk.core.errors import UserError
from omnidesk.core.exporting.textfiles import read_json, write_json, write_text


def test_round_trip_replace_only_when_asked_and_never_a_workspace(new_workspace, tmp_path):
    path = write_json(tmp_path / "plan.json", {"name": "Spring", "ünï": [1, 2]})
    assert read_json(path) == {"name": "Spring", "ünï": [1, 2]}
    with pytest.raises(UserError):
        write_json(path, {})
    write_text(path, "{}", overwrite=True)
    assert read_json(path) == {} and [p.name for p in tmp_path.iterdir()] == ["plan.json"]
    new_workspace(tmp_path / "shop.omnidesk").close()
    with pytest.raises(UserError):
        write_json(tmp_path / "shop.omnidesk", {}, overwrite=True)
    (tmp_path / "bad.json").write_text("{nope", encoding="utf-8")
    with pytest.raises(UserError, match="bad.json is not a plan file"):
        read_json(tmp_path / "bad.json", "plan file")
    with pytest.raises(UserError, match='"missing.json": no such file'):
        read_json(tmp_path / "missing.json")


def test_a_number_of_thousands_of_digits_is_said_in_one_line(tmp_path):
    # Python reads no whole number of more than 4,300 digits: a ValueError out of message import.
    path = tmp_path / "m.json"
    path.write_text('{"name": "X", "message": {"offer_value": ' + "9" * 5000 + "}}", encoding="utf-8")
    with pytest.raises(UserError, match="^m.json is not a message file: a number in it has too many digits to read$"):
        read_json(path, "message file")
