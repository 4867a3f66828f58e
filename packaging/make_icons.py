"""Render the app icon (resources/icons/omnidesk.svg) to PNGs, and an .ico when Pillow is present.

Desktop environments, installers and PyInstaller want raster icons at fixed
sizes; drawing them from the one SVG keeps every size in step with it.  Qt's
own SVG renderer does the drawing (PySide6-Essentials ships QtSvg), so no
extra tool is needed.  It runs offscreen, so it works without a display.

Usage: python packaging/make_icons.py [--force] [--icons-dir DIR]
Existing PNGs are kept unless --force is given, so a build does not rewrite
committed files for nothing.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

SIZES = (16, 32, 48, 64, 128, 256, 512)
# Windows shows these sizes; larger ones only bloat the .ico.
ICO_SIZES = (16, 32, 48, 64, 128, 256)

ROOT = Path(__file__).resolve().parents[1]


def png_name(size: int) -> str:
    return f"omnidesk-{size}.png"


def render_pngs(svg: Path, out_dir: Path, force: bool = False) -> list[Path]:
    # Must be set before the QGuiApplication exists; a build machine has no display.
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])  # noqa: F841 (keeps Qt alive)
    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise SystemExit(f"make_icons: cannot read {svg}")
    written = []
    for size in SIZES:
        target = out_dir / png_name(size)
        if target.exists() and not force:
            continue
        image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        renderer.render(painter)
        painter.end()
        if not image.save(str(target), "PNG"):
            raise SystemExit(f"make_icons: cannot write {target}")
        written.append(target)
    return written


def write_ico(out_dir: Path, force: bool = False) -> Path | None:
    """omnidesk.ico for Windows builds; skipped without Pillow, since only Windows needs it."""
    target = out_dir / "omnidesk.ico"
    if target.exists() and not force:
        return None
    try:
        from PIL import Image
    except ImportError:
        print("make_icons: Pillow not installed, no omnidesk.ico (only Windows builds need it)")
        return None
    with Image.open(out_dir / png_name(256)) as big:
        big.save(target, format="ICO", sizes=[(s, s) for s in ICO_SIZES])
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--icons-dir", type=Path, default=ROOT / "resources" / "icons")
    parser.add_argument("--force", action="store_true", help="redraw icons that already exist")
    args = parser.parse_args(argv)
    svg = args.icons_dir / "omnidesk.svg"
    written = render_pngs(svg, args.icons_dir, args.force)
    ico = write_ico(args.icons_dir, args.force)
    if ico:
        written.append(ico)
    for path in written:
        print(f"make_icons: wrote {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")
    if not written:
        print("make_icons: icons up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())
