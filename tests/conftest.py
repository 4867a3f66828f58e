"""Shared test setup: no display needed, every test gets its own data folder, and new
workspaces come from one template migrated once per run.

To find tests that lean on the real clock or the machine's zone, run the suite at an
awkward hour in an awkward zone::

    OMNIDESK_TEST_NOW=2026-12-31T23:30:00-10:00 OMNIDESK_TEST_TZ=Pacific/Kiritimati python -m pytest

(the clock starts at that instant and ticks on; TZ is the zone the machine seems to be in).
"""

from __future__ import annotations

import gc
import os
import shutil
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# A demo's year of activity ends on this day in every test, whatever the date (a user's ends today).
os.environ.setdefault("OMNIDESK_DEMO_TODAY", "2026-11-01")

import pytest  # noqa: E402

from omnidesk.core.workspace import Workspace  # noqa: E402

_fake_clock = None


def pytest_configure(config):
    global _fake_clock
    zone = os.environ.get("OMNIDESK_TEST_TZ")
    if zone:
        os.environ["TZ"] = zone
        time.tzset()
    now = os.environ.get("OMNIDESK_TEST_NOW")
    if now:
        import time_machine

        _fake_clock = time_machine.travel(now, tick=True)
        _fake_clock.start()


def pytest_collection_finish():
    """What importing the tests made lives as long as the run: the cyclic collector leaves it out
    of the passes it makes between and during tests (each full pass walked all of it again)."""
    gc.collect()
    gc.freeze()


def pytest_unconfigure(config):
    if _fake_clock is not None:
        _fake_clock.stop()


@pytest.fixture
def computer_in(monkeypatch):
    """Call with a zone to put the computer's own clock (``TZ``) in it for the rest of the test; put
    back after it.  ``machine_in_zone`` (tests.helpers) does the same for a whole module."""
    def put(zone: str) -> None:
        monkeypatch.setenv("TZ", zone)
        time.tzset()

    yield put
    monkeypatch.undo()
    time.tzset()


@pytest.fixture(autouse=True)
def isolated_data_dir(tmp_path_factory, monkeypatch):
    """Default and demo workspaces land in a fresh folder, never the user's."""
    data = tmp_path_factory.mktemp("omnidesk-data")
    monkeypatch.setenv("OMNIDESK_DATA_DIR", str(data))
    return data


@pytest.fixture(scope="session")
def empty_workspace_file(tmp_path_factory) -> Path:
    """An empty workspace at the newest schema, made once per run.

    Tests get copies: copying a file takes milliseconds, running every migration
    on a new file takes a good part of a second.
    """
    path = tmp_path_factory.mktemp("template") / "empty.omnidesk"
    Workspace.create(path).close()
    return path


DEMO_BUILT_AT = "2026-12-01T15:00:00+00:00"  # the "now" the shared demo is built at


@pytest.fixture(scope="session")
def demo_workspace_file(tmp_path_factory) -> Path:
    """The default demo shop (300 customers), built once per run at :data:`DEMO_BUILT_AT`.

    A test that changes it works on a copy; one that only reads it may open it.
    """
    import time_machine

    from omnidesk.core.demo import build_demo

    path = tmp_path_factory.mktemp("demo") / "demo.omnidesk"
    with time_machine.travel(DEMO_BUILT_AT, tick=False):
        build_demo(path)
    return path


@pytest.fixture
def make_workspace(tmp_path, empty_workspace_file):
    """``make(name="shop.omnidesk", *, template=None, **settings)``: a new, empty workspace in the
    test's folder, or a copy of ``template`` (a closed workspace file a module built once).

    Each keyword is a workspace setting (``timezone="America/New_York"``).  Every
    workspace made is closed after the test.
    """
    made: list[Workspace] = []

    def make(name: str = "shop.omnidesk", *, template: Path | None = None, **settings: object) -> Workspace:
        path = tmp_path / name
        if path.exists():
            raise FileExistsError(f"{path} already exists: give each workspace of a test its own name")
        shutil.copyfile(template or empty_workspace_file, path)
        ws = Workspace.open(path)
        made.append(ws)
        for key, value in settings.items():
            ws.set_setting(key, value)
        return ws

    yield make
    for ws in made:
        ws.close()


@pytest.fixture
def ws(make_workspace) -> Workspace:
    """A new, empty workspace (``shop.omnidesk`` in the test's folder), closed after the test.

    A module that needs a setting overrides it: ``def ws(make_workspace): return
    make_workspace(timezone=...)``; one that needs data on it asks for ``ws`` in its own
    ``ws`` fixture and imports into it.
    """
    return make_workspace()


@pytest.fixture
def new_workspace(empty_workspace_file):
    """``new_workspace(path)``: a new, empty workspace at ``path``, open; as ``Workspace.create`` makes
    it, copied from the run's template instead of migrated again.  The caller closes it."""

    def new(path: Path) -> Workspace:
        if path.exists():
            raise FileExistsError(f"{path} already exists")
        shutil.copyfile(empty_workspace_file, path)
        return Workspace.open(path)

    return new


@pytest.fixture
def shared_folder():
    """A fresh folder every user may enter and write in (a test's own tmp_path is its owner's
    alone), for commands run as another user; removed afterwards, whatever modes it was left with."""
    import stat
    import tempfile

    folder = Path(tempfile.mkdtemp(prefix="omnidesk-shared-"))
    folder.chmod(0o777)
    yield folder

    def open_up(d: Path) -> None:  # a folder left unreadable hides what is in it from rmtree
        d.chmod(d.stat().st_mode | stat.S_IRWXU)
        for child in d.iterdir():
            if child.is_dir() and not child.is_symlink():
                open_up(child)

    open_up(folder)
    shutil.rmtree(folder)
