"""Where omnidesk keeps things: the user's data folder and the bundled resources.

Resources are found the same way from a source checkout, an installed package
and a PyInstaller bundle, never relative to the current working directory.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import platformdirs

APP_NAME = "omnidesk"
APP_AUTHOR = "Omnidesk"
DATA_DIR_ENV = "OMNIDESK_DATA_DIR"


def data_dir() -> Path:
    """The folder for workspaces: ``$OMNIDESK_DATA_DIR`` or the platform's user data dir."""
    override = os.environ.get(DATA_DIR_ENV)
    if override:
        return Path(override).expanduser()
    return Path(platformdirs.user_data_dir(APP_NAME, APP_AUTHOR))


def default_workspace_path() -> Path:
    return data_dir() / "workspace.omnidesk"


def demo_workspace_path() -> Path:
    return data_dir() / "demo.omnidesk"


def resources_dir() -> Path:
    """The ``resources/`` folder, from source or from a bundled app."""
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        return Path(bundle) / "resources"
    return Path(__file__).resolve().parents[2] / "resources"


def resource_path(*parts: str) -> Path:
    return resources_dir().joinpath(*parts)
