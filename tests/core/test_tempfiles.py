"""Omnidesk's temp folders: private, kept while their process lives, gone once it is dead."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from omnidesk.core import tempfiles

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def temp(tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    monkeypatch.setattr(tempfiles, "_folder", None)
    return tmp_path


def test_the_private_folder_is_the_users_alone(temp):
    folder = tempfiles.mkdtemp("dry-run-")
    private = folder.parent
    assert private.parent == temp and private.name.startswith(f"omnidesk-{os.getpid()}-")
    assert stat.S_IMODE(private.stat().st_mode) == 0o700 and stat.S_IMODE(folder.stat().st_mode) == 0o700


def test_a_live_processs_folder_stays_and_a_dead_ones_goes(temp):
    script = ("import sys, tempfile, time; tempfile.tempdir = sys.argv[1]\n"
              "from omnidesk.core import tempfiles\n"
              "print(tempfiles.mkdtemp('unpacked-'), flush=True)\n"
              "time.sleep(60)\n")
    live = subprocess.Popen([sys.executable, "-c", script, str(temp)], stdout=subprocess.PIPE, text=True, cwd=ROOT)
    try:
        folder = Path(live.stdout.readline().strip())
        assert folder.exists()
        assert tempfiles.clean_stale() == 0 and folder.exists()  # its owner holds the lock
        live.kill()
        live.wait()
        assert tempfiles.clean_stale() == 1 and not folder.parent.exists()
    finally:
        live.kill()


def test_folders_of_older_versions_go_when_a_day_old(temp):
    old, fresh = temp / "omnidesk-dry-run-a1b2", temp / "omnidesk-unpacked-c3d4"
    other = temp / "someone-else"
    for folder in (old, fresh, other):
        folder.mkdir()
        (folder / "scratch.omnidesk").write_text("rows")
    # Ages set on the clock clean_stale reads, not left to the file system's: the suite may
    # run at a set "now" (see conftest.py) far from the real one.
    now = time.time()
    os.utime(old, (now - 2 * 86400, now - 2 * 86400))
    os.utime(fresh, (now - 3600, now - 3600))
    assert tempfiles.clean_stale() == 1
    assert not old.exists() and fresh.exists() and other.exists()
    assert tempfiles.clean_stale(legacy_any_age=True) == 1  # an erase takes them all
    assert not fresh.exists() and other.exists()


@pytest.mark.skipif(tempfiles.fcntl is None, reason="owners are told by file locks only where there are any")
def test_a_folder_being_made_is_never_taken_for_a_dead_ones(temp, monkeypatch):
    """Another process cleaning up at the moment this one makes its folder (between writing its
    owner file and locking it) must not take the folder for a killed process's and delete it:
    an import would lose the zip members it unpacked there."""
    real_flock = tempfiles.fcntl.flock
    seen = []

    def flock_after_a_look(fd, how):
        if not seen:  # the owner's own lock: another process looks first
            seen.append(None)
            seen[0] = tempfiles.clean_stale()
        return real_flock(fd, how)

    monkeypatch.setattr(tempfiles.fcntl, "flock", flock_after_a_look)
    folder = tempfiles.private_dir()
    assert seen == [0] and folder.is_dir() and (folder / tempfiles.OWNER_FILE).exists()
    monkeypatch.setattr(tempfiles.fcntl, "flock", real_flock)
    assert tempfiles.clean_stale() == 0 and folder.is_dir()  # and its owner holds the lock now
