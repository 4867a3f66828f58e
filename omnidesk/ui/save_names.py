"""The file a save dialog chose, with its type's ending added: asked about before it replaces a file.

The system's save dialog asks before replacing the file it returns, and only that one: a name
typed without an ending ("accounts") is a file that is not there, so it asks nothing, and the
ending added afterwards ("accounts.zip") may name one that is.  That one is asked about here,
before anything is written over it.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QMessageBox, QWidget


def asked_before_replacing(parent: QWidget | None, chosen: Path, path: Path) -> Path | None:
    """``path`` (``chosen`` with an ending added), or None when it is a file the user would not replace."""
    if path == chosen or not path.exists():
        return path
    buttons = QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No
    answer = QMessageBox.question(parent, "Replace the file?",
                                  f"{path.name} already exists in {path.parent}.\n\nReplace it?",
                                  buttons, QMessageBox.StandardButton.No)
    return path if answer == QMessageBox.StandardButton.Yes else None


def with_ending(parent: QWidget | None, chosen: Path, ending: str) -> Path | None:
    """``chosen`` as it is when its name has an ending, else with ``ending`` (".zip") added,
    asked about first when that is a file already (:func:`asked_before_replacing`)."""
    return asked_before_replacing(parent, chosen, chosen if chosen.suffix else chosen.with_suffix(ending))
