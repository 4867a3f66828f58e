"""The Qt binding keeps Python's reference counts.

A release that loses a reference on each call takes the interpreter down once a count
reaches zero ("Fatal Python error: bool_dealloc"): after enough signals in a long
session, or at quit.
"""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QApplication


class Emitter(QObject):
    said = Signal(object)


def test_emitting_a_signal_keeps_every_reference_to_true(qapp):
    emitter = Emitter()
    heard = []
    emitter.said.connect(heard.append)
    emitter.said.emit(-1)  # whatever the first call caches is not a loss
    before = sys.getrefcount(True)
    for i in range(200):
        emitter.said.emit(i)
    after = sys.getrefcount(True)
    assert after == before
    assert len(heard) == 201


def test_a_call_that_returns_nothing_keeps_every_reference_to_none(qapp):
    QApplication.processEvents()
    before = sys.getrefcount(None)
    for _ in range(200):
        QApplication.processEvents()
    after = sys.getrefcount(None)
    assert after == before
