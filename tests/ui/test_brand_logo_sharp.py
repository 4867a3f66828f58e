"""The brand kit's logo preview is drawn at the screen's own pixels on a high-density screen."""

from __future__ import annotations

import textwrap

from PySide6.QtGui import QColor, QImage

from tests.ui.hidpi import run_at_twice_the_pixels

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
    out = run_at_twice_the_pixels(tmp_path, SHOW, str(tmp_path / "logo.png"))
    ratio, pixmap_ratio, width, height, box_width, box_height = map(float, out.split())
    assert ratio == 2.0  # the screen is a high-density one
    # The logo fills the 96×48 box with twice as many pixels each way, and says so.
    assert pixmap_ratio == ratio
    assert (width, height) == (box_width * ratio, box_height * ratio)
