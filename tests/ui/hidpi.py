"""Running a few lines of the app on a high-density screen (device pixel ratio 2), in a process of
their own: the pixel ratio is the screen's, fixed when the application starts."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import omnidesk


def run_at_twice_the_pixels(tmp_path: Path, script: str, *args: str, timeout: int = 180) -> str:
    """Run ``script`` (Python source) with ``args`` on an offscreen screen of 2560×1600 pixels at
    192 dpi (widgets at ratio 2; the offscreen platform ignores a "dpr" setting); its stdout."""
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
    out = subprocess.run([sys.executable, "-c", script, *args], env=env, cwd=tmp_path,
                         capture_output=True, text=True, timeout=timeout)
    assert out.returncode == 0, out.stderr
    return out.stdout
