"""Shared test setup: no display needed, and every test gets its own data folder."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402


@pytest.fixture(autouse=True)
def isolated_data_dir(tmp_path_factory, monkeypatch):
    """Default and demo workspaces land in a fresh folder, never the user's."""
    data = tmp_path_factory.mktemp("omnidesk-data")
    monkeypatch.setenv("OMNIDESK_DATA_DIR", str(data))
    return data
