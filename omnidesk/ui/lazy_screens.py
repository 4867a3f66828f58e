"""The main window's screens, each built the first time it is shown or asked for.

Building every screen when a workspace opens cost half a second (the Dashboard's
charts a third of it) for screens the user may not visit; the Customers list
shows first.  A screen built later reads the workspace as it is then, so the
changes made before it existed need not reach it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping

from PySide6.QtWidgets import QApplication, QWidget


class LazyScreens(Mapping):
    """Screen key → screen widget; looking one up builds it into its place in the stack.

    ``in`` and iterating give the keys without building anything; :meth:`built`
    gives only the screens that exist.
    """

    def __init__(self) -> None:
        self._makers: dict[str, tuple[Callable[[], QWidget], QWidget]] = {}
        self._built: dict[str, QWidget] = {}
        self._key_of: dict[int, str] = {}  # id of a holder -> its screen's key

    def add(self, key: str, make: Callable[[], QWidget], holder: QWidget) -> None:
        """``make`` builds the screen ``key``; it goes into ``holder``'s layout (the stack's page)."""
        self._makers[key] = (make, holder)
        self._key_of[id(holder)] = key

    def __getitem__(self, key: str) -> QWidget:
        screen = self._built.get(key)
        if screen is None:
            make, holder = self._makers[key]
            screen = make()
            holder.layout().addWidget(screen)
            screen.show()  # shown with its page: added to a laid-out page, it would wait for the event loop
            self._built[key] = screen
            if QApplication.focusWidget() is holder:
                # The stack gave the empty page the focus it took from the page before (a screen
                # reached from the keyboard): it goes on to the screen's first widget, as it would
                # have gone had the screen been there.
                holder.focusNextChild()
        return screen

    def __contains__(self, key: object) -> bool:
        return key in self._makers

    def __iter__(self) -> Iterator[str]:
        return iter(self._makers)

    def __len__(self) -> int:
        return len(self._makers)

    def build(self, *keys: str) -> None:
        """Build these screens now."""
        for key in keys:
            self[key]

    def built(self) -> dict[str, QWidget]:
        """The screens built so far, in the navigation's order."""
        return {key: self._built[key] for key in self._makers if key in self._built}

    def build_page(self, page: QWidget | None) -> None:
        """For the stack's ``currentChanged``: the page just shown gets its screen."""
        key = self._key_of.get(id(page)) if page is not None else None
        if key is not None:
            self[key]
