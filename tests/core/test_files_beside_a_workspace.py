"""Files next to a workspace: what a command leaves, deletes or builds there when another process
works on the same names."""

from __future__ import annotations

import shutil

import pytest

from omnidesk.core import demo
from omnidesk.core.errors import UserError
from omnidesk.core.dialect import remove_if_still_empty
from omnidesk.core.importing.pipeline import ImportOptions, import_file
from omnidesk.core.workspace import Workspace, backup_files
from tests.helpers import write_csv


def test_a_workspace_left_empty_goes_but_one_another_process_imported_into_stays(tmp_path):
    """An import into a new path whose files all failed removed the workspace it had made, even when
    another import (started beside it) had committed customers into that very file meanwhile."""
    empty = tmp_path / "new.omnidesk"
    Workspace.create(empty).close()
    assert remove_if_still_empty(empty) and not empty.exists()
    used = tmp_path / "shop.omnidesk"
    with Workspace.create(used) as ws:
        import_file(ws, write_csv(tmp_path / "a.csv", ["Email", "First Name"], [["ann@example.com", "Ann"]]),
                    ImportOptions(channel="shop"))
    assert not remove_if_still_empty(used) and used.exists()
    with Workspace.open(used) as ws:
        assert ws.counts()["customers"] == 1


def test_backups_of_a_workspace_with_brackets_in_its_name_are_its_own(tmp_path):
    """"Shop [2024]" was read as a pattern: an erase deleted "Shop 2"'s backup and kept its own,
    which still held the person."""
    mine = tmp_path / "Shop [2024].omnidesk"
    Workspace.create(mine).close()
    own = tmp_path / "Shop [2024].before-0026-20261206.omnidesk.bak"
    other = tmp_path / "Shop 2.before-0026-20261206.omnidesk.bak"
    for backup in (own, other):
        shutil.copyfile(mine, backup)
    assert backup_files(mine) == [own]


def test_a_demo_built_while_another_is_built_at_the_same_path_is_whole(tmp_path, monkeypatch):
    """Both builds used one scratch file: the second removed the first's half-built file, and the
    first then put a half-built demo in place and said it was complete."""
    path = tmp_path / "demo.omnidesk"
    real = demo.import_file
    inner: dict = {}

    def import_and_build_again(ws, *args, **kwargs):
        if not inner:  # another window builds the same demo while this one imports its first file
            inner["built"] = True
            inner["result"] = demo.build_demo(path, customers=20, force=True)
        return real(ws, *args, **kwargs)

    monkeypatch.setattr(demo, "import_file", import_and_build_again)
    result = demo.build_demo(path, customers=20, force=True)
    with Workspace.open(path) as ws:
        assert ws.counts() == result["counts"]
    assert not list(tmp_path.glob("demo.omnidesk.building*"))


@pytest.mark.parametrize("force", [False, True])
def test_a_workspace_made_where_a_demo_is_being_built_is_never_replaced_by_it(tmp_path, monkeypatch, force):
    """The path was free when the build began; a shop's workspace made there while the demo's files
    were imported (another window, the command line) was replaced by the demo at the end."""
    path = tmp_path / "shop.omnidesk"
    real = demo.import_file

    def import_while_a_shop_is_made_there(ws, *args, **kwargs):
        if not path.exists():
            with Workspace.create(path) as shop:
                shop.set_setting("business_name", "Corner Bakery")
        return real(ws, *args, **kwargs)

    monkeypatch.setattr(demo, "import_file", import_while_a_shop_is_made_there)
    with pytest.raises(UserError, match="not a demo workspace"):
        demo.build_demo(path, customers=20, force=force)
    with Workspace.open(path) as shop:
        assert shop.get_setting("business_name") == "Corner Bakery" and shop.counts()["customers"] == 0
    assert not list(tmp_path.glob("shop.omnidesk.building*"))
