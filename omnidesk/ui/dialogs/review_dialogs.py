"""The question before "Accept all at or above", and what it did after.

They only ask and tell; the main window runs the merge through the operations
bridge.  Both boxes are built by functions tests can call without running them.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QWidget

SHOWN_PAIRS = 8


def _plural(n: int, word: str, many: str | None = None) -> str:
    return f"{n:,} {word if n == 1 else (many or word + 's')}"


def bulk_accept_question(parent: QWidget | None, pairs: Sequence[tuple[str, float]], skipped: int,
                         min_score: float, held: int = 0) -> QMessageBox:
    """Ask before merging every pending pair at or above ``min_score``: how many, which, and what stays.

    ``pairs`` are (the pair's names, each :func:`~omnidesk.ui.formatting.isolated`, and its
    score), strongest first; ``held``, the
    pairs scoring as much that a bulk accept leaves alone (a conflict, names in
    two scripts, or a name only).  Cancel is the default.
    """
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Question)
    box.setWindowTitle("Accept all at or above")
    box.setTextFormat(Qt.TextFormat.RichText)
    n = len(pairs)
    box.setText(f"<b>Merge {_plural(n, 'pair')} scoring {min_score:.1f} bits or more?</b>")
    lines = "".join(f"<li>{html.escape(names)} <span style='color:gray'>({score:.1f} bits)</span></li>"
                    for names, score in pairs[:SHOWN_PAIRS])
    more = f"<li>and {_plural(n - SHOWN_PAIRS, 'more pair')}</li>" if n > SHOWN_PAIRS else ""
    left = (f"<p>{_plural(skipped, 'pair')} you skipped {'scores' if skipped == 1 else 'score'} as much and "
            f"{'is' if skipped == 1 else 'are'} left in the queue, to decide one by one.</p>" if skipped else "")
    if held:
        left += (f"<p>{_plural(held, 'pair')} with a conflict (different first names or birthdays, say), names "
                 f"in two scripts or nothing but a name {'scores' if held == 1 else 'score'} as much and "
                 f"{'is' if held == 1 else 'are'} not merged in bulk: decide {'it' if held == 1 else 'them'} "
                 "one by one.</p>")
    # Left to right, a Hebrew or Arabic name first in a pair too (each set apart by the caller):
    # the list went right to left, its bullets on the right, the score between the names.
    box.setLayoutDirection(Qt.LayoutDirection.LeftToRight)
    box.setInformativeText(
        f"<p>Each pair becomes one customer:</p><ul dir='ltr'>{lines}{more}</ul>{left}"
        "<p>Edit › Undo takes all of them back in one step.</p>")
    box.setStyleSheet("QLabel#qt_msgbox_informativelabel { min-width: 420px; }")
    merge = box.addButton(f"Merge {_plural(n, 'pair')}", QMessageBox.ButtonRole.AcceptRole)
    merge.setObjectName("mergeButton")
    cancel = box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(cancel)
    box.setEscapeButton(cancel)
    return box


def bulk_accept_summary(parent: QWidget | None, merged: int, gone: int, skipped: int, customers_before: int,
                        customers_after: int, held: int = 0) -> QMessageBox:
    """What "Accept all at or above" did, once it has run."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Information)
    box.setWindowTitle("Pairs merged")
    box.setTextFormat(Qt.TextFormat.RichText)
    box.setText(f"<b>Merged {_plural(merged, 'pair')}.</b>")
    fewer = customers_before - customers_after
    parts = [f"The workspace has {customers_after:,} customers now, {fewer:,} fewer than before."]
    if gone:
        parts.append(f"{_plural(gone, 'pair')} had already been joined by an earlier merge of the same run.")
    if held:
        parts.append(f"{_plural(held, 'pair')} {'stays' if held == 1 else 'stay'} in the queue to decide on "
                     f"{'its' if held == 1 else 'their'} own: after the merges before "
                     f"{'it' if held == 1 else 'them'}, the two customers hold different names or birthdays.")
    if skipped:
        parts.append(f"{_plural(skipped, 'skipped pair')} {'stays' if skipped == 1 else 'stay'} in the queue.")
    parts.append("Edit › Undo takes this back in one step.")
    box.setInformativeText("".join(f"<p>{html.escape(p)}</p>" for p in parts))
    box.setStyleSheet("QLabel#qt_msgbox_informativelabel { min-width: 380px; }")
    box.addButton(QMessageBox.StandardButton.Ok)
    return box
