"""Saved segments in the window: listed under Customers, opened, saved, renamed and deleted.

Every write is an undo step through ``ui.operations``; the list in the
navigation is re-read whenever a change says segments changed (an undo too).
The questions (a name, "replace it?") are asked through the window, so tests
answer them as they answer the window's other questions.
"""

from __future__ import annotations

from PySide6.QtCore import QObject

from omnidesk.core.changes import Changes
from omnidesk.core.errors import UserError
from omnidesk.core.segments import RuleError, count, get_segment, list_segments
from omnidesk.ui.tasks import LatestOnly


class SavedSegments(QObject):
    def __init__(self, window, nav, customers, operations) -> None:
        super().__init__(window)
        self.window, self.nav, self.customers, self.operations = window, nav, customers, operations
        nav.screenChosen.connect(self._screen_chosen)
        nav.segmentChosen.connect(self.open)
        nav.renameSegmentRequested.connect(self.rename)
        nav.deleteSegmentRequested.connect(self.delete)
        customers.segmentSaveRequested.connect(self.save)
        customers.builder.segmentNameChanged.connect(self._editing)
        customers.builder.may_leave = self.leave_edits  # Clear asks about a changed segment too
        self._counts = LatestOnly(customers.runner)  # the newest recount answered
        self.reload()

    @property
    def workspace(self):
        return self.operations.workspace

    def names(self) -> list[str]:
        return [s.name for s in list_segments(self.workspace)]

    def reload(self) -> None:
        found = list_segments(self.workspace)
        names = [s.name for s in found]
        self.nav.set_segments(names)
        self.recount(found)
        editing = self.customers.builder.segment_name
        stored = next((s.rule for s in found if editing and s.name.casefold() == editing.casefold()), None)
        if editing and stored is None:
            self.customers.builder.set_segment_name("")  # deleted or renamed since: a save asks anew
        elif stored is not None:
            self.customers.builder.segment_stored(stored)  # an undo of its save, a save elsewhere

    def _editing(self, name: str) -> None:
        # Cleared, or the segment gone: the navigation no longer says a segment is shown.
        if not name and self.nav.current_segment():
            self.nav.select_screen(self.nav.current_key())

    def _screen_chosen(self, key: str) -> None:
        # "Customers" itself, picked while a segment was shown: everyone, not the segment under
        # another name.  A rule typed without saving stays: it is no segment's.
        if key == "customers" and not self.nav.current_segment() and self.customers.builder.segment_name:
            if not self.leave_edits():
                self.nav.select_segment(self.customers.builder.segment_name)  # still shown, still edited
                return
            self.customers.builder.set_rule(None)

    def leave_edits(self) -> bool:
        """Before the rule panel shows something else: True when nothing unsaved is lost by it.

        A saved segment changed in the panel and not saved asks first: Save (over the segment,
        one step of Edit › Undo), Discard, or Cancel (False: the edits stay on screen).
        """
        builder = self.customers.builder
        builder.apply_now()  # an edit still in its pause counts too
        if not builder.is_changed():
            return True
        name = builder.segment_name
        answer = self.window.ask_save_segment_changes(name, builder.save_button.isEnabled())
        if answer == "save":
            rule = builder.rule() if builder.rule() is not None else {"all": []}
            if not self.operations.save_segment(name, rule, replace=True):
                return False  # said why; the edits stay
            builder.saved_as(name, rule)
            self.window.statusBar().showMessage(f"Saved the segment “{name}”", 8000)
            return True
        return answer == "discard"

    def apply_changes(self, changes: Changes) -> None:
        if changes.segments or changes.everything:
            self.reload()
        elif changes.touches_list():
            self.recount()

    def recount(self, found=None) -> None:
        """Count each segment's customers off the UI thread; the navigation shows them as they come."""
        found = list_segments(self.workspace) if found is None else found
        if not found:
            self._counts.forget()
            return
        workspace, rules = self.workspace, [(s.name, s.rule) for s in found]

        def work():
            counts: dict[str, int] = {}
            for name, rule in rules:
                try:
                    counts[name] = count(workspace, rule)
                except UserError:
                    pass  # a rule naming a channel whose import was taken back: no count
            return counts

        def failed(exc: BaseException) -> None:
            # Not counted: the figures before, or none, stayed for ever and said nothing of it.
            # Raised too, on this thread, where the window's handlers hear it.
            self.nav.set_segment_counts_failed(f"Could not count the customers: {exc}")
            raise exc

        self._counts.ask(work, self.nav.set_segment_counts, failed)

    def open(self, name: str) -> None:
        """Show Customers filtered by the segment ``name``, its rule in the builder."""
        if not self.leave_edits():
            self.nav.select_segment(self.customers.builder.segment_name)  # back to the one being edited
            return
        try:
            segment = get_segment(self.workspace, name)
        except RuleError as exc:  # deleted in another window meanwhile
            self.window.show_error("Cannot open the segment", str(exc))
            self.reload()
            return
        # Walked to with the arrow keys, the navigation keeps the keys; clicked, they go to the panel.
        self.customers.show_segment(segment.name, segment.rule, take_focus=not self.nav.walking_by_keys)

    def save(self, rule: dict) -> bool:
        """Ask a name and save ``rule`` under it; a name in use is replaced only when the user says so."""
        name = self.window.ask_segment_name("Save as segment", "Name of the segment:",
                                            self.customers.builder.segment_name)
        if not name or not name.strip():
            return False
        name = " ".join(name.split())
        taken = next((n for n in self.names() if n.casefold() == name.casefold()), None)
        if taken is not None and not self.window.confirm(
                "Replace the segment?", f"A segment named “{taken}” exists already. Replace its rule "
                "with this one? (Edit › Undo puts it back.)"):
            return False
        if not self.operations.save_segment(name, rule, replace=taken is not None):
            return False
        self.customers.builder.saved_as(name, rule)
        self.nav.select_segment(name)
        self.window.statusBar().showMessage(f"Saved the segment “{name}”", 8000)
        return True

    def rename(self, name: str) -> bool:
        new = self.window.ask_segment_name("Rename segment", f"New name for “{name}”:", name)
        if not new or not new.strip() or " ".join(new.split()) == name:
            return False
        new = " ".join(new.split())
        editing = self.customers.builder.segment_name.casefold() == name.casefold()
        if not self.operations.rename_segment(name, new):
            return False
        if editing:
            self.customers.builder.set_segment_name(new)
            self.nav.select_segment(new)
        self.window.statusBar().showMessage(f"Renamed the segment “{name}” to “{new}”", 8000)
        return True

    def delete(self, name: str) -> bool:
        """Delete at once: Edit › Undo brings it back, so nothing is asked first."""
        if not self.operations.delete_segment(name):
            return False
        self.window.statusBar().showMessage(f"Deleted the segment “{name}” (Edit › Undo brings it back)", 10000)
        return True
