"""The poster's preview on the Messages screen is drawn at the screen's own pixels on a high-density screen."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import omnidesk

# Run in an app of its own: the pixel ratio is the screen's, fixed when the application starts.
SHOW = textwrap.dedent("""
    import sys
    from pathlib import Path
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication
    from omnidesk.app import create_application
    from omnidesk.core.messages import store
    from omnidesk.core.workspace import Workspace
    from omnidesk.ui.main_window import MainWindow
    from omnidesk.ui.tasks import TaskRunner

    folder = Path(sys.argv[1])
    app = create_application()
    window = MainWindow(QSettings(str(folder / "settings.ini"), QSettings.Format.IniFormat),
                        runner=TaskRunner(inline=True))
    window.show()
    Workspace.create(folder / "shop.omnidesk").close()
    assert window.set_workspace(Workspace.open(folder / "shop.omnidesk"))
    window.show_screen("messages")
    view = window.screens["messages"]
    store.save_message(window.workspace, "Autumn", {"headline": "Autumn candles", "offer_code": "AUTUMN20",
                                                    "offer_value": "20% off"}, channels=["store"])
    view.refresh()
    view.select("Autumn")
    view.tabs.setCurrentWidget(view.panels["store"])
    for _ in range(3):
        app.processEvents()
    label = view.panels["store"].preview.page
    assert label.isVisible(), view.panels["store"].preview.caption.text()
    pixmap = label.pixmap()
    print(label.devicePixelRatioF(), pixmap.devicePixelRatio(), pixmap.width(), label.width())
    window.ask_save_segment_changes = lambda *_args: "discard"
    window.workspace.close()
""")


def test_the_poster_preview_is_sharp_at_twice_the_pixels(tmp_path):
    screens = {"synchronousWindowSystemEvents": False, "windowFrameMargins": False,
               "screens": [{"name": "hidpi", "x": 0, "y": 0, "width": 2560, "height": 1600,
                            "logicalDpi": 192, "logicalBaseDpi": 96}]}
    config = tmp_path / "screens.json"
    config.write_text(json.dumps(screens))
    source = str(Path(omnidesk.__file__).resolve().parent.parent)
    env = {**os.environ, "QT_QPA_PLATFORM": f"offscreen:configfile={config}",
           "OMNIDESK_DATA_DIR": str(tmp_path / "data"),
           "PYTHONPATH": os.pathsep.join(filter(None, [source, os.environ.get("PYTHONPATH")]))}
    for name in ("QT_SCALE_FACTOR", "QT_SCREEN_SCALE_FACTORS", "QT_ENABLE_HIGHDPI_SCALING"):
        env.pop(name, None)
    out = subprocess.run([sys.executable, "-c", SHOW, str(tmp_path)], env=env, cwd=tmp_path,
                         capture_output=True, text=True, timeout=180)
    assert out.returncode == 0, out.stderr
    ratio, pixmap_ratio, width, label_width = map(float, out.stdout.split()[-4:])
    assert ratio == 2.0  # the screen is a high-density one
    # The page fills its place with twice as many pixels across, and says so.
    assert pixmap_ratio == ratio
    assert abs(width - label_width * ratio) <= 2, (width, label_width)
