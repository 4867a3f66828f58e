"""Where omnidesk keeps things: the user's data folder and the bundled resources.

Resources (icons, themes, vendor presets, demo word lists) are the top-level
``resources/`` folder of a checkout.  A wheel installs that folder as
``omnidesk/resources`` (see setup.py), and the PyInstaller bundle copies it to
``resources/`` under ``sys._MEIPASS`` (see packaging/omnidesk.spec).  They are
found from each of the three, never relative to the current working directory.
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


# The omnidesk package folder.  Installed, it is a real folder on disk, not a zip:
# Alembic and Qt read files from it by path.
_PACKAGE_DIR = Path(__file__).resolve().parents[1]


def resources_dir() -> Path:
    """The resources folder: the bundle's, the installed package's, else the checkout's."""
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        return Path(bundle) / "resources"
    installed = _PACKAGE_DIR / "resources"
    if installed.is_dir():
        return installed
    return _PACKAGE_DIR.parent / "resources"


def resource_path(*parts: str) -> Path:
    """A file or folder inside :func:`resources_dir`."""
    return resources_dir().joinpath(*parts)
