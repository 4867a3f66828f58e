"""The suppression list every import reads: salted keys, written once, found again."""

from __future__ import annotations

from omnidesk.core.suppression import (
    add_suppressions,
    identifier_hash,
    known_suppressions,
    name_key,
    named_identifier_hash,
    row_suppression_hash,
    row_suppression_keys,
    workspace_salt,
)
from omnidesk.core.workspace import Workspace


def test_the_salt_is_made_once_per_workspace(tmp_path):
    with Workspace.create(tmp_path / "a.omnidesk") as a, Workspace.create(tmp_path / "b.omnidesk") as b:
        with a.engine.begin() as conn:
            salt = workspace_salt(conn)
        with a.engine.begin() as conn:
            assert workspace_salt(conn) == salt
        with b.engine.begin() as conn:
            assert workspace_salt(conn) != salt
    assert len(salt) == 32


def test_a_row_is_known_by_its_identifiers_its_name_with_them_and_itself():
    keys = row_suppression_keys("s", [("email", "ann@example.com"), ("phone", "+12075550100")], "Ann", "LEE", "h1")
    assert keys == [
        identifier_hash("s", "email", "ann@example.com"), identifier_hash("s", "phone", "+12075550100"),
        named_identifier_hash("s", "email", "ann@example.com", "annlee"),
        named_identifier_hash("s", "phone", "+12075550100", "annlee"),
        row_suppression_hash("s", "h1"),
    ]
    assert name_key("José", "LEE") == name_key("jose", "Lee") == "joselee"
    # Without a name, only the identifiers alone and the row.
    assert len(row_suppression_keys("s", [("email", "x@example.com")], "", "", "h2")) == 2
    # Another salt, other keys: the list says nothing outside its workspace.
    assert identifier_hash("t", "email", "ann@example.com") not in keys


def test_a_name_erased_before_kana_were_read_in_latin_letters_is_still_known():
    # Before, Taro Yamada in katakana folded to its kana (voicing marks dropped); now it is "taroyamada".
    keys = row_suppression_keys("s", [("email", "family@example.com")], "タロウ", "ヤマダ", "h3")
    assert named_identifier_hash("s", "email", "family@example.com", "taroyamada") in keys
    assert named_identifier_hash("s", "email", "family@example.com", "タロウヤマタ") in keys
    # A Latin name folds the same both ways: no second key.
    assert len(row_suppression_keys("s", [("email", "family@example.com")], "Taro", "Yamada", "h4")) == 3


def test_suppressions_are_added_once_and_found(new_workspace, tmp_path):
    with new_workspace(tmp_path / "w.omnidesk") as ws:
        family = named_identifier_hash("s", "email", "thegarcias@example.net", name_key("Maria", "Garcia"))
        with ws.engine.begin() as conn:
            assert add_suppressions(conn, [family, row_suppression_hash("s", "h1")]) == 2
            assert add_suppressions(conn, [family]) == 0
        with ws.engine.connect() as conn:
            his = row_suppression_keys("s", [("email", "thegarcias@example.net")], "Luis", "Garcia", "h9")
            hers = row_suppression_keys("s", [("email", "thegarcias@example.net")], "Maria", "Garcia", "h8")
            assert known_suppressions(conn, his) == set()  # the family email alone keeps nobody out
            assert known_suppressions(conn, hers) == {family}
