"""What a screen reader says for a control whose label Qt cannot pair with it by itself.

Qt names a field from a label only when the label is its buddy and the two share a parent;
a field wrapped with the line under it (an error, a note) has neither, and is read as
"edit" and nothing more.  Alt and the label's letter needs the field itself as buddy too.
"""

from __future__ import annotations

import re

from PySide6.QtWidgets import QLabel, QWidget


def plain(text: str) -> str:
    """A label's words as spoken: no Alt-letter mark, no colon at the end ("Business &name:" is
    "Business name"; "R&&D" is "R&D")."""
    words = re.sub(r"&(.)", r"\1", text).strip()
    return words[:-1].rstrip() if words.endswith(":") else words


def labelled(text: str, field: QWidget) -> QLabel:
    """A label for ``field`` wherever the two are laid out: Alt and its letter reach the field, and
    the field is named by the label's words."""
    label = QLabel(text)
    label.setBuddy(field)
    field.setAccessibleName(plain(text))
    return label
