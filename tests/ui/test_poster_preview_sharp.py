"""The poster's preview on the Messages screen is drawn at the screen's own pixels on a high-density screen."""

from __future__ import annotations

import textwrap

from tests.ui.hidpi import run_at_twice_the_pixels

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
    out = run_at_twice_the_pixels(tmp_path, SHOW, str(tmp_path))
    ratio, pixmap_ratio, width, label_width = map(float, out.split()[-4:])
    assert ratio == 2.0  # the screen is a high-density one
    # The page fills its place with twice as many pixels across, and says so.
    assert pixmap_ratio == ratio
    assert abs(width - label_width * ratio) <= 2, (width, label_width)
