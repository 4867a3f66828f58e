"""Can this computer show the app's window?  Checked before Qt starts, without Qt.

On Linux, Qt's X11 ("xcb") platform plugin needs system libraries that a fresh
desktop may lack (``libxcb-cursor0`` above all, since Qt 6.5).  Without them Qt
prints a long message that does not name the package and aborts.  We look for
the libraries first and, when some are missing, say in one line which Debian /
Ubuntu packages to install.
"""

from __future__ import annotations

import ctypes
import sys
from collections.abc import Callable, Mapping

# The libraries Qt's xcb plugin and libQt6XcbQpa load (their ELF "NEEDED" entries in
# PySide6 6.12), by soname, with the Debian/Ubuntu package that ships each.
XCB_LIBRARIES: dict[str, str] = {
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-image.so.0": "libxcb-image0",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-randr.so.0": "libxcb-randr0",
    "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-render.so.0": "libxcb-render0",
    "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-shm.so.0": "libxcb-shm0",
    "libxcb-sync.so.1": "libxcb-sync1",
    "libxcb-util.so.1": "libxcb-util1",
    "libxcb-xfixes.so.0": "libxcb-xfixes0",
    "libxcb-xkb.so.1": "libxcb-xkb1",
    "libxcb.so.1": "libxcb1",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libxkbcommon.so.0": "libxkbcommon0",
    "libX11-xcb.so.1": "libx11-xcb1",
    "libX11.so.6": "libx11-6",
    "libGL.so.1": "libgl1",
    "libglib-2.0.so.0": "libglib2.0-0",
}


def _can_load(soname: str) -> bool:
    try:
        ctypes.CDLL(soname)
    except OSError:
        return False
    return True


def display_problem(env: Mapping[str, str], platform: str | None = None,
                    can_load: Callable[[str], bool] | None = None) -> str | None:
    """One sentence saying why the window cannot open here, or None when it can (as far as we know)."""
    platform = platform or sys.platform
    can_load = can_load or _can_load
    if not platform.startswith("linux"):
        return None
    qpa = env.get("QT_QPA_PLATFORM", "")
    if qpa and not qpa.startswith("xcb"):
        return None  # offscreen, wayland, vnc…: not ours to second-guess
    if not qpa and env.get("WAYLAND_DISPLAY"):
        return None  # Qt uses its Wayland plugin, which needs none of these
    if not env.get("DISPLAY"):
        return ("there is no display to open the window on (no DISPLAY); run omnidesk in a desktop "
                "session, or use its commands (omnidesk --help)")
    missing = sorted({package for soname, package in XCB_LIBRARIES.items() if not can_load(soname)})
    if not missing:
        return None
    return ("the window needs system libraries this computer lacks; install them with: "
            f"sudo apt install {' '.join(missing)}")
