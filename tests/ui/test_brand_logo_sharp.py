"""The brand kit's logo preview is drawn at the screen's own pixels on a high-density screen."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

from PySide6.QtGui import QColor, QImage

import omnidesk

# Run in an app of its own: the pixel ratio is the screen's, fixed when the application starts.
SHOW = textwrap.dedent("""
    import sys
    from pathlib import Path
    from PySide6.QtWidgets import QApplication
    from omnidesk.core.messages.brand import Brand
    from omnidesk.ui.views.messages.brand_dialog import BrandDialog

    app = QApplication([])
    dialog = BrandDialog(Brand(), Path(sys.argv[1]).read_bytes(), lambda field, text: None)
    dialog.show()
    app.processEvents()
    label = dialog.logo_preview
    pixmap = label.pixmap()
    print(label.devicePixelRatioF(), pixmap.devicePixelRatio(), pixmap.width(), pixmap.height(),
          label.width(), label.height())
""")


def test_the_logo_preview_is_sharp_at_twice_the_pixels(tmp_path):
    logo = QImage(400, 200, QImage.Format.Format_RGB32)
    logo.fill(QColor("#0072B2"))
    logo.save(str(tmp_path / "logo.png"))
    screens = {"synchronousWindowSystemEvents": False, "windowFrameMargins": False,
               "screens": [{"name": "hidpi", "x": 0, "y": 0, "width": 2560, "height": 1600,
                            "logicalDpi": 192, "logicalBaseDpi": 96}]}
    config = tmp_path / "screens.json"
    config.write_text(json.dumps(screens))
    source = str(Path(omnidesk.__file__).resolve().parent.parent)
    env = {**os.environ, "QT_QPA_PLATFORM": f"offscreen:configfile={config}",
           "PYTHONPATH": os.pathsep.join(filter(None, [source, os.environ.get("PYTHONPATH")]))}
    for name in ("QT_SCALE_FACTOR", "QT_SCREEN_SCALE_FACTORS", "QT_ENABLE_HIGHDPI_SCALING"):
        env.pop(name, None)
    out = subprocess.run([sys.executable, "-c", SHOW, str(tmp_path / "logo.png")], env=env, cwd=tmp_path,
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    ratio, pixmap_ratio, width, height, box_width, box_height = map(float, out.stdout.split())
    assert ratio == 2.0  # the screen is a high-density one
    # The logo fills the 96×48 box with twice as many pixels each way, and says so.
    assert pixmap_ratio == ratio
    assert (width, height) == (box_width * ratio, box_height * ratio)
