"""Resources are found from source, an installed package and a bundle, and the files the app reads exist.

The PyInstaller spec copies resources/ to ``resources/`` inside the bundle and
sets ``sys._MEIPASS`` there; a wheel installs it as ``omnidesk/resources``
(setup.py).  These tests pin that contract without building;
tests/e2e/test_wheel.py and tests/e2e/test_bundle.py build both.
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
    for name in ("icons/omnidesk.svg", "themes/base.qss", "presets/shopify.toml", "header_synonyms.toml"):
        assert paths.resource_path(*name.split("/")).is_file(), name


def test_resources_dir_of_an_installed_package(monkeypatch, tmp_path):
    package = tmp_path / "site-packages" / "omnidesk"
    monkeypatch.setattr(paths, "_PACKAGE_DIR", package)
    # A folder beside the package (another distribution's "resources") is not ours.
    (tmp_path / "site-packages" / "resources").mkdir(parents=True)
    (package / "resources").mkdir(parents=True)
    assert paths.resources_dir() == package / "resources"
    assert paths.resource_path("presets", "shopify.toml") == package / "resources" / "presets" / "shopify.toml"
    assert demo_data.resource_dir() == package / "resources" / "demo"
    # The bundle's folder wins over everything else.
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path / "bundle"), raising=False)
    assert paths.resources_dir() == tmp_path / "bundle" / "resources"


def test_the_checkout_has_no_installed_resources_folder():
    # Were omnidesk/resources there, a checkout would read it instead of resources/.
    assert not (ROOT / "omnidesk" / "resources").exists()


def test_demo_word_lists_come_from_the_same_resources_dir():
    assert demo_data.resource_dir() == paths.resources_dir() / "demo"
    assert any(demo_data.resource_dir().iterdir())


def test_resources_dir_inside_a_bundle(monkeypatch, tmp_path):
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    assert paths.resources_dir() == tmp_path / "resources"
    assert paths.resource_path("icons", "omnidesk.svg") == tmp_path / "resources" / "icons" / "omnidesk.svg"
    assert demo_data.resource_dir() == tmp_path / "resources" / "demo"


def test_the_report_fonts_ship_with_their_licence():
    # The printed report sets its text in them (core/pdf_text.py); the licence travels with them.
    for name in ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf"):
        assert paths.resource_path("fonts", name).read_bytes()[:4] == b"\x00\x01\x00\x00", name
    assert "Bitstream Vera" in paths.resource_path("fonts", "DEJAVU-LICENSE.txt").read_text(encoding="utf-8")


def test_icon_pngs_are_committed_at_every_size():
    for size in ICON_SIZES:
        png = ROOT / "resources" / "icons" / f"omnidesk-{size}.png"
        header = png.read_bytes()[:24]
        assert header[:8] == b"\x89PNG\r\n\x1a\n", png
        assert struct.unpack(">II", header[16:24]) == (size, size), png
