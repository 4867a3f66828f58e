"""Resources are found from source and from a bundle, and the files the app reads exist.

The PyInstaller spec copies resources/ to ``resources/`` inside the bundle and
sets ``sys._MEIPASS`` there; these tests pin that contract without building.
"""

from __future__ import annotations

import struct
import sys
from pathlib import Path

from omnidesk.core import demo_data, paths

ROOT = Path(__file__).resolve().parents[1]
ICON_SIZES = (16, 32, 48, 64, 128, 256, 512)  # the sizes packaging/make_icons.py draws


def test_resources_dir_from_source():
    assert paths.resources_dir() == ROOT / "resources"
    for name in ("icons/omnidesk.svg", "themes/base.qss"):
        assert paths.resource_path(*name.split("/")).is_file(), name


def test_demo_word_lists_come_from_the_same_resources_dir():
    assert demo_data.resource_dir() == paths.resources_dir() / "demo"
    assert any(demo_data.resource_dir().iterdir())


def test_resources_dir_inside_a_bundle(monkeypatch, tmp_path):
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    assert paths.resources_dir() == tmp_path / "resources"
    assert paths.resource_path("icons", "omnidesk.svg") == tmp_path / "resources" / "icons" / "omnidesk.svg"
    assert demo_data.resource_dir() == tmp_path / "resources" / "demo"


def test_icon_pngs_are_committed_at_every_size():
    for size in ICON_SIZES:
        png = ROOT / "resources" / "icons" / f"omnidesk-{size}.png"
        header = png.read_bytes()[:24]
        assert header[:8] == b"\x89PNG\r\n\x1a\n", png
        assert struct.unpack(">II", header[16:24]) == (size, size), png
