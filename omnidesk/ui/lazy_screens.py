"""The main window's screens, each built the first time it is shown or asked for.

Building every screen when a workspace opens cost half a second (the Dashboard's
charts a third of it) for screens the user may not visit; the Customers list
shows first.  A screen built later reads the workspace as it is then, so the
changes made before it existed need not reach it.

A screen that cannot be read when it is first shown (the workspace's file moved or
deleted meanwhile) is not built: its page says why instead, and it is built the next
time it is shown or asked for once it can be read.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel, QWidget


class LazyScreens(Mapping):
    """Screen key → screen widget; looking one up builds it into its place in the stack.

    ``in`` and iterating give the keys without building anything; :meth:`built`
    gives only the screens that exist.  ``unreadable`` says why no screen can be read now
    (None when they can): a screen not built yet is then not built, its page says that
    instead, and looking it up raises KeyError (``get`` gives None).
    """

    def __init__(self, unreadable: Callable[[], str | None] | None = None) -> None:
        self._makers: dict[str, tuple[Callable[[], QWidget], QWidget]] = {}
        self._built: dict[str, QWidget] = {}
        self._key_of: dict[int, str] = {}  # id of a holder -> its screen's key
        self._unreadable = unreadable
        self._notes: dict[str, QLabel] = {}  # key -> what its page says instead of the screen

    def add(self, key: str, make: Callable[[], QWidget], holder: QWidget) -> None:
        """``make`` builds the screen ``key``; it goes into ``holder``'s layout (the stack's page)."""
        self._makers[key] = (make, holder)
        self._key_of[id(holder)] = key

    def __getitem__(self, key: str) -> QWidget:
        screen = self._built.get(key)
        if screen is None:
            make, holder = self._makers[key]
            note = self._unreadable() if self._unreadable is not None else None
            if note is None:
                try:
                    screen = make()
                except Exception:
                    note = self._unreadable() if self._unreadable is not None else None
                    if note is None:
                        raise
            if note is not None:
                self._say_instead(key, holder, note)
                raise KeyError(key)
            self._drop_note(key)
            holder.layout().addWidget(screen)
            screen.show()  # shown with its page: added to a laid-out page, it would wait for the event loop
            self._built[key] = screen
            if QApplication.focusWidget() is holder:
                # The stack gave the empty page the focus it took from the page before (a screen
                # reached from the keyboard): it goes on to the screen's first widget, as it would
                # have gone had the screen been there.
                holder.focusNextChild()
        return screen

    def _say_instead(self, key: str, holder: QWidget, note: str) -> None:
        label = self._notes.get(key)
        if label is None:
            label = QLabel()
            label.setObjectName("unreadableScreen")
            label.setWordWrap(True)
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
            label.setStyleSheet("QLabel#unreadableScreen { color: palette(placeholder-text); }")
            holder.layout().addWidget(label)
            self._notes[key] = label
        label.setText(note)
        label.show()

    def _drop_note(self, key: str) -> None:
        label = self._notes.pop(key, None)
        if label is not None:
            label.hide()
            label.setParent(None)
            label.deleteLater()

    def __contains__(self, key: object) -> bool:
        return key in self._makers

    def __iter__(self) -> Iterator[str]:
        return iter(self._makers)

    def __len__(self) -> int:
        return len(self._makers)

    def build(self, *keys: str) -> None:
        """Build these screens now (those that can be read)."""
        for key in keys:
            self.get(key)

    def built(self) -> dict[str, QWidget]:
        """The screens built so far, in the navigation's order."""
        return {key: self._built[key] for key in self._makers if key in self._built}

    def build_page(self, page: QWidget | None) -> None:
        """For the stack's ``currentChanged``: the page just shown gets its screen."""
        key = self._key_of.get(id(page)) if page is not None else None
        if key is not None:
            self.get(key)  # one that cannot be read says so on its page
