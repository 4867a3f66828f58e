"""The one bridge from the GUI to the core: every change a user makes runs through here.

Modelled on Anki's ``aqt.operations``: a screen asks, the bridge runs one core
write, then says once what changed (``changed``, a ``core.changes.Changes``)
and each screen redraws only what that concerns.

Each change is a :class:`~omnidesk.ui.commands.Step`, a QUndoCommand whose
``apply`` and ``revert`` each call one core function (one transaction):

* :meth:`Operations.push` applies a step now; only when it succeeded does it go
  on the window's QUndoStack.
* :meth:`Operations.undo` / :meth:`redo` (Edit › Undo and Redo) run the step
  first and move the stack only when it succeeded.  Before that, the customers
  the step names must read exactly as the step left them (or found them): a
  step whose target is gone (erased, merged away, its import taken back) or
  changed since is dropped from the stack with a message, never replayed blind.
  A workspace busy with another window's import leaves the stack as it was.
* Long work (Find Duplicates, redoing an import, a tag on many customers, accepting
  many pairs at once) runs off the UI thread on the task runner with progress and
  Cancel; other changes wait until it ends.
* Erasing a person cannot be undone: the stack is cleared (its steps may hold
  what was erased), and the question asked before says so.  So is an erase in
  another window or on the command line: the bridge keeps the suppression list's
  mark (``core.erasures``) from when its history began, forgets the history once
  the window sees the list grew (:meth:`Operations.look_for_erasures`) or before
  the next step runs (so that step stays, the first after the erase), and each
  undo and redo writes only while the mark is the same (checked inside its
  transaction), so no step puts back what an erase took.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoStack

from omnidesk.core.changes import Changes
from omnidesk.core.customers import customer_fingerprints, display_names
from omnidesk.core.erasures import ErasedSince, ErasureWatch, current_mark
from omnidesk.core.errors import UserError
from omnidesk.core.failures import is_damaged, is_refused
from omnidesk.core.tasks import Cancelled
from omnidesk.core.text import counted
from omnidesk.core.workspace import Workspace, WorkspaceError
from omnidesk.ui import commands
from omnidesk.ui.commands import Step
from omnidesk.ui.formatting import isolated
from omnidesk.ui.tasks import Task, TaskRunner


# A hand edit of this many customers or more (a tag added to a segment) runs off the UI thread.
LONG_EDIT = 1_000
# Consent a person refused: a redo that drops its recording says they may be sent to again.
REFUSALS = ("denied", "unsubscribed", "cleaned")
# The status bar, when the undo history is forgotten because someone was erased elsewhere.
ERASED_ELSEWHERE = "Undo history cleared: a person was erased in another window or command"


def consent_lost(channel: str, status: str, who: str) -> str:
    """What a redo that drops a step recording consent says is not on record now (an opt-out)."""
    from omnidesk.core.channels import channel_name

    words = f"{channel_name(channel)} consent {status.strip().lower()} for {who} is not on record now: record it again"
    return f"{words} before sending them anything." if status.strip().lower() in REFUSALS else f"{words}."


# What to do about a workspace moved away while open, in the app's words.
REOPEN = "open it where it is now (File › Open)"


def reason(exc: BaseException, workspace: Workspace | None = None) -> str:
    """An error as one line for a message box; of a change to ``workspace`` whose file is no longer
    where it was opened, that (SQLite's "unable to open database file" tells nobody why)."""
    moved = workspace.moved_away(REOPEN) if workspace is not None else None
    if moved is not None:
        return moved
    if isinstance(exc, (UserError, WorkspaceError)):
        return str(exc)
    if isinstance(exc, OSError):
        return f"{exc.strerror}." if exc.strerror else str(exc)
    if getattr(exc, "orig", None) is not None:  # the database refused: its words, not the statement
        return f"The workspace could not be changed ({exc.orig})."
    return f"Something unexpected went wrong ({type(exc).__name__}: {exc}). Please report it."


def _cannot_apply(step: Step) -> str:
    """Why a step the workspace refused (a row it would write is there already) is dropped."""
    return (f"{step.target_words()} changed since (in another window, or by an import), and the workspace "
            "no longer takes this step as it stands.")


class _Changed:
    """What a change that returns nothing of its own (a delete) changed."""

    def __init__(self, changes: Changes) -> None:
        self.changes = changes


class Operations(QObject):
    changed = Signal(object)  # Changes: once per finished change, undo or redo
    failed = Signal(str, str)  # title, text: a change that did not happen, and why
    notice = Signal(str)  # one line for the status bar
    busyChanged = Signal(bool)  # long work started (True) or ended
    progressed = Signal(int, int, str)  # done, total (0: unknown), what it is doing

    def __init__(self, stack: QUndoStack, runner: TaskRunner, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.stack = stack
        self.runner = runner
        self.workspace: Workspace | None = None
        self.task: Task | None = None
        self._busy_with = ""
        # Batches an import redo made again, under new ids: old id -> new id.
        self.batch_aliases: dict[int, int] = {}
        # Counts the steps run (pushed, undone, redone): a step's ``turn`` is when it last ran.
        self.turns = 0
        self._told: Callable[[str, str], None] | None = None  # see failures_told_to
        # The suppression list's mark (core.erasures) when the history began: the steps on the
        # stack hold nothing of anyone erased after it.
        self.erasures = 0
        self.erase_unsaid = False  # see erase_to_say

    @contextmanager
    def failures_told_to(self, handler: Callable[[str, str], None]) -> Iterator[None]:
        """Within, a refusal goes to ``handler(title, text)`` instead of ``failed`` (a dialog box): for
        a screen that says it in place, beside what was refused (a campaign's Save, under its form)."""
        previous, self._told = self._told, handler
        try:
            yield
        finally:
            self._told = previous

    def _fail(self, title: str, text: str) -> None:
        if self._told is not None:
            self._told(title, text)
        else:
            self.failed.emit(title, text)

    # -- state ---------------------------------------------------------------------

    def set_workspace(self, workspace: Workspace | None) -> None:
        self.workspace = workspace
        self.erase_unsaid = False
        self._forget_history()

    def _forget_history(self) -> None:
        """Empty Edit › Undo and Redo; the history that begins now holds no one erased before."""
        self.stack.clear()
        self.batch_aliases.clear()
        self.erasures = current_mark(self.workspace) if self.workspace is not None else 0

    def _erased_elsewhere(self) -> bool:
        """Whether someone was erased (in another window, on the command line) since the history began."""
        return self.workspace is not None and current_mark(self.workspace) != self.erasures

    def _history_begins(self) -> None:
        """Before a step is first run: an erase elsewhere not seen yet forgets the steps taken
        before it (and says so) first, so the new step goes on a history that holds no one erased
        and outlives the window's later look at that erase.  With nothing to undo or redo, the
        history starts afresh from now.  Read before the step's own write, so an erase after this
        look is one the steps may hold, and is caught.

        So every step on the stack was taken under the one mark, ``erasures``: an erase found
        later came after all of them (or during the last one's write, which this look cannot tell
        apart), and forgetting them all forgets no step taken after it."""
        if self.workspace is None:
            return
        mark = current_mark(self.workspace)
        if mark != self.erasures:
            self._erase_seen(mark)
        elif self.stack.count() == 0:
            self.erasures = mark

    def look_for_erasures(self) -> bool:
        """When someone was erased elsewhere since the history began, forget the history (its
        steps may hold what was erased) and say so; True when it did.  The window asks when it
        sees another window's or the command line's change; each undo and redo asks too, and
        each new step before it runs (:meth:`_history_begins`)."""
        if not self._erased_elsewhere():
            return False
        assert self.workspace is not None
        return self._erase_seen(current_mark(self.workspace))

    def _erase_seen(self, mark: int) -> bool:
        """Forget the history taken before the erase that moved the mark to ``mark``; True (and
        said) when there was any."""
        had = self.stack.count() > 0
        self.stack.clear()
        self.batch_aliases.clear()
        self.erasures = mark
        if had:
            # Said again by the window once it shows what changed elsewhere (erase_to_say).
            self.erase_unsaid = True
            self.notice.emit(ERASED_ELSEWHERE)
        return had

    def erase_to_say(self) -> bool:
        """Whether the history was forgotten for an erase elsewhere since the window last showed
        what changed elsewhere: the window says so after its own words on that change, which would
        cover it otherwise (a step taken just after the erase saw it before the window did)."""
        self.look_for_erasures()
        said, self.erase_unsaid = self.erase_unsaid, False
        return said

    @property
    def busy(self) -> bool:
        return self.task is not None

    @property
    def busy_with(self) -> str:
        """What the running long work is ("Find Duplicates"), or ""."""
        return self._busy_with if self.busy else ""

    def current_batch(self, batch_id: int) -> int:
        while batch_id in self.batch_aliases:
            batch_id = self.batch_aliases[batch_id]
        return batch_id

    def names(self, customer_ids: Sequence[int]) -> dict[int, str]:
        assert self.workspace is not None
        return display_names(self.workspace, customer_ids)

    def _ready(self, title: str) -> bool:
        if self.workspace is None:
            return False
        if self.workspace.readonly:
            self.notice.emit("Read-only workspace: changes are off.")
            return False
        if self.busy:
            self._fail(title, f"{self._busy_with} is still running; wait for it to finish or cancel it.")
            return False
        moved = self.workspace.moved_away(REOPEN)
        if moved is not None:  # SQLite would write it into a file nobody finds again
            self._fail(title, moved)
            return False
        return True

    def may_change(self, title: str) -> bool:
        """Whether a change may be made now; when not (read-only, busy, its file moved away), the
        user is told why under ``title``.  Asked before a question about a change, so that one that
        would be refused is not asked about."""
        return self._ready(title)

    # -- running steps -------------------------------------------------------------

    def push(self, step: Step, title: str) -> bool:
        """Apply ``step`` now and, when it changed something, put it on the undo stack.

        A refusal or failure is reported as ``failed(title, reason)``; returns
        whether the step was applied.
        """
        if not self._ready(title):
            return False
        return self._push_ready(step, title)

    def _push_ready(self, step: Step, title: str) -> bool:
        assert self.workspace is not None
        self._history_begins()
        step.ops = self
        step.before = customer_fingerprints(self.workspace, step.customers)
        try:
            changes = step.apply(self.workspace)
        except Exception as exc:
            if isinstance(exc, UserError) and not step.refused().empty:
                # Refused because what the screen shows changed elsewhere: show it as it is now,
                # rather than keep offering a pair or a customer that is gone.
                self.changed.emit(step.refused())
            self._report(title, exc)
            return False
        self._pushed(step, changes)
        return True

    def _pushed(self, step: Step, changes: Changes) -> None:
        assert self.workspace is not None
        step.after = customer_fingerprints(self.workspace, step.customers)
        self.turns += 1
        step.turn = self.turns
        if not step.noop:
            step.ran = True  # QUndoStack.push calls redo(): it has already run
            self.stack.push(step)
        self.changed.emit(changes)

    def _report(self, title: str, exc: BaseException) -> None:
        if is_damaged(exc):
            raise exc  # the window's damage handler offers a backup or a recovery
        if not isinstance(exc, (UserError, WorkspaceError, OSError)):
            traceback.print_exception(exc)
        self._fail(title, reason(exc, self.workspace))

    def undo(self) -> None:
        """Edit › Undo: take back the last step, or drop it when its target is gone."""
        if not self._ready("Cannot undo") or not self.stack.canUndo():
            return
        step = self.stack.command(self.stack.index() - 1)
        if not isinstance(step, Step):
            self.stack.undo()
            return
        self._move(step, undoing=True, at=self.stack.index() - 1)

    def redo(self) -> None:
        """Edit › Redo: do the step again, or drop it when its target is gone."""
        if not self._ready("Cannot redo") or not self.stack.canRedo():
            return
        step = self.stack.command(self.stack.index())
        if not isinstance(step, Step):
            self.stack.redo()
            return
        self._move(step, undoing=False, at=self.stack.index())

    def _changed_since(self, step: Step, at: int) -> str:
        """Why ``step``'s customers no longer read as it left (or found) them, for its message.

        An import redone since by importing its files again (too big to keep as it was, say)
        gave the customers and records it brought in new numbers: that is said, not blamed on
        another window."""
        for i in range(at - 1, -1, -1):
            earlier = self.stack.command(i)
            if isinstance(earlier, commands.ImportStep) and earlier.renumbered and earlier.turn > step.turn:
                files = "its file" if len(earlier.files) == 1 else "its files"
                return (f"Redoing the {earlier.text()} imported it again from {files}, because {earlier.renumbered}: "
                        f"the customers and records it brought in came back under new numbers, and {step.target_words()} "
                        "may not be whom this step was taken on: it could now hit the wrong data.")
        return (f"{step.target_words()} changed since (in another window, or by an import or a step that was "
                "taken back), so this step could now hit the wrong data.")

    def _move(self, step: Step, *, undoing: bool, at: int) -> None:
        assert self.workspace is not None
        if self.look_for_erasures():
            return
        verb = "undo" if undoing else "redo"
        title = f"Cannot {verb} {step.text()}"
        expected = step.after if undoing else step.before
        if expected is not None and customer_fingerprints(self.workspace, step.customers) != expected:
            self._drop(step, undoing, title, self._changed_since(step, at))
            return
        if step.long_undo if undoing else step.long_redo:
            self._long_move(step, title, undoing)
            return
        watched = self._watched(step)
        try:
            changes = step.revert(watched) if undoing else step.apply(watched)
        except ErasedSince:  # erased just now, between the look above and this write
            self.look_for_erasures()
            return
        except (UserError, OSError) as exc:
            self._drop(step, undoing, title, reason(exc, self.workspace))
            return
        except Exception as exc:  # a busy workspace, or a failure: nothing changed, the stack stays
            if is_refused(exc):  # ...but one the workspace refuses would be refused every time
                self._drop(step, undoing, title, _cannot_apply(step))
                return
            self._report(title, exc)
            return
        self._moved(step, undoing, changes)

    def _watched(self, step: Step):
        """The workspace an undo or redo writes through: each write refused once someone was
        erased since the history began.  An import's redo is checked by the import itself (it
        leaves out every erased person's row), and its undo takes rows out."""
        assert self.workspace is not None
        if isinstance(step, commands.ImportStep):
            return self.workspace
        return ErasureWatch(self.workspace, self.erasures)

    def _moved(self, step: Step, undoing: bool, changes: Changes) -> None:
        step.ran = True
        self.turns += 1
        step.turn = self.turns
        what = step.text()
        if undoing:
            self.stack.undo()
        else:
            self.stack.redo()
        self.changed.emit(changes)
        self.notice.emit(f"{'Undid' if undoing else 'Redid'} {what}")

    def _drop(self, step: Step, undoing: bool, title: str, why: str) -> None:
        """Take ``step`` off the stack without running it (its target is gone or changed)."""
        step.setObsolete(True)
        if undoing:
            self.stack.undo()  # an obsolete step is deleted, not undone
        else:
            self.stack.redo()
        # What is not on record because a step was not redone (an opt-out), said plainly.
        lost = f"\n\n{step.lost}" if step.lost and not undoing else ""
        self._fail(title, f"{why}{lost}\n\nThe step was removed from Edit › Undo; nothing was changed.")

    # -- long work -------------------------------------------------------------------

    def _start(self, what: str, factory, finished: Callable[[object], None], title: str,
               failed: Callable[[BaseException], None] | None = None) -> None:
        task = Task(factory)
        self.task = task
        self._busy_with = what
        workspace = self.workspace
        task.signals.progressed.connect(self.progressed)
        # Its result is this workspace's: never on another's Edit › Undo (or status bar).
        task.signals.finished.connect(lambda result: self._long_done(
            task, lambda: finished(result) if self.workspace is workspace else None))

        def told(exc: BaseException) -> None:
            if failed is not None and self.workspace is workspace and not is_damaged(exc):
                failed(exc)  # said where it was asked for (a screen's own line)
            else:
                self._long_failed(title, exc)

        task.signals.failed.connect(lambda exc: self._long_done(task, lambda: told(exc)))
        self.busyChanged.emit(True)
        self.progressed.emit(0, 0, f"{what}…")
        self.runner.start(task)

    def _start_step(self, step: Step, what: str, title: str,
                    finished: Callable[[Step], None] | None = None) -> None:
        """Run a ``long_redo`` step's first time as long work; stacked when done, unless it changed nothing."""
        assert self.workspace is not None
        self._history_begins()
        step.ops = self
        step.before = step.after = {}

        def done(result) -> None:
            changes = step.finish_long(result)
            if step.noop:
                self.changed.emit(changes)
            else:
                self._pushed(step, changes)
            if finished is not None:
                finished(step)

        self._start(what, step.long_task(self.workspace, self), done, title)

    def _long_done(self, task: Task, then: Callable[[], None]) -> None:
        if self.task is task:
            self.task = None
            self.busyChanged.emit(False)
        then()

    def _long_failed(self, title: str, exc: BaseException) -> None:
        if isinstance(exc, Cancelled):
            self.notice.emit(str(exc))
            return
        self._report(title, exc)

    def cancel(self) -> None:
        """Stop the running long work; what it had done is rolled back."""
        if self.task is not None:
            self.task.cancel()
            self.progressed.emit(0, 0, f"Cancelling {self._busy_with}…")

    def _long_move(self, step: Step, title: str, undoing: bool) -> None:
        """Undo or redo ``step`` as long work (``long_undo``, ``long_redo``), with progress and Cancel."""
        assert self.workspace is not None

        def finished(result) -> None:
            changes = step.finish_long_revert(result) if undoing else step.finish_long(result)
            self._moved(step, undoing, changes)

        def failed_or_gone(exc: BaseException) -> None:
            if isinstance(exc, ErasedSince):
                self.look_for_erasures()
            elif isinstance(exc, (UserError, OSError)) and not isinstance(exc, Cancelled):
                self._drop(step, undoing, title, reason(exc, self.workspace))
            elif is_refused(exc):
                self._drop(step, undoing, title, _cannot_apply(step))
            else:
                self._long_failed(title, exc)

        watched = self._watched(step)
        work = step.long_revert_task(watched, self) if undoing else step.long_task(watched, self)
        task = Task(work)
        self.task = task
        self._busy_with = step.long_words()
        workspace = self.workspace
        here = lambda: self.workspace is workspace  # noqa: E731  (the stack is this workspace's)
        task.signals.progressed.connect(self.progressed)
        task.signals.finished.connect(lambda result: self._long_done(
            task, lambda: finished(result) if here() else None))
        task.signals.failed.connect(lambda exc: self._long_done(
            task, lambda: failed_or_gone(exc) if here() else self._long_failed(title, exc)))
        self.busyChanged.emit(True)
        self.progressed.emit(0, 0, f"{self._busy_with}…")
        self.runner.start(task)

    # -- the user's changes ------------------------------------------------------------

    def pin(self, customer_id: int, field: str, value: str | None) -> bool:
        """Pin ``value`` as the customer's ``field`` (None unpins)."""
        name = self.names([customer_id]).get(customer_id, f"customer #{customer_id}") if self.workspace else ""
        title = "Cannot pin the value" if value is not None else "Cannot unpin the value"
        return self.push(commands.PinStep(customer_id, name, field, value), title)

    def save_notes(self, customer_id: int, text: str, *, wait: float | None = None, append: bool = False) -> bool:
        """Save the notes typed for a customer as one undo step; True when they changed.

        With ``append``, ``text`` is added after the notes the customer has.
        Unlike the other changes this raises (WorkspaceBusyError, UserError…):
        the notes editor keeps the words and tries again, or says why not.
        """
        if self.workspace is None:
            return False
        if self.workspace.readonly:
            raise self.workspace.readonly_error()
        moved = self.workspace.moved_away(REOPEN)
        if moved is not None:
            raise WorkspaceError(moved)
        name = self.names([customer_id]).get(customer_id, f"customer #{customer_id}")
        step = commands.NotesStep(customer_id, name, text, wait, append=append)
        self._history_begins()
        step.ops = self
        step.before = customer_fingerprints(self.workspace, step.customers)
        changes = step.apply(self.workspace)
        self._pushed(step, changes)
        return not step.noop

    def change_preferences(self, texts: dict[str, str], expect: dict[str, object] | None = None) -> bool:
        """Store the Preferences dialog's values (``setting key -> text``) as one undo step;
        ``expect``: the settings as the dialog read them, refused if changed elsewhere since.

        Long work, with progress and Cancel: a new time zone works out every customer's card
        again (some seconds for tens of thousands).  Returns whether it started.
        """
        title = "Cannot change the preferences"
        if not self._ready(title):
            return False
        self._start_step(commands.PreferencesStep(texts, expect), "Changing the preferences", title)
        return True

    def set_up(self, texts: dict[str, str]) -> bool:
        """A new workspace's first answers (name, region, zone, currency), stored in one transaction.

        Not an undo step: there is nothing before them to go back to (Preferences changes them).
        """
        from omnidesk.core.settings import change_settings

        title = "Cannot store the business's details"
        if not self._ready(title):
            return False
        assert self.workspace is not None
        try:
            change = change_settings(self.workspace, texts)
        except Exception as exc:
            self._report(title, exc)
            return False
        self.changed.emit(change.changes)
        return True

    def merge(self, customer_ids: Sequence[int]) -> bool:
        ids = sorted(set(customer_ids))
        if len(ids) < 2 or self.workspace is None:
            return False
        names = self.names(ids)
        return self.push(commands.MergeStep(ids, names.get(ids[0], f"customer #{ids[0]}")), "Not possible")

    def split(self, record_id: int, customer_id: int, record_words: str) -> bool:
        if self.workspace is None:
            return False
        name = self.names([customer_id]).get(customer_id, f"customer #{customer_id}")
        step = commands.SplitStep(record_id, customer_id, name, record_words)
        if not self.push(step, "Not possible"):
            return False
        if step.split is not None and step.split.along:
            # The records on the card only through the split-off one went with it: said, so the
            # user does not look for that list record and those opens on the card they left.
            self.notice.emit(f"Split {record_words} into customer #{step.split.new}, with "
                             f"{counted(step.split.along, 'record')} that came onto the card through it")
        return True

    def accept(self, review_id: int, left: int, right: int) -> bool:
        return self._decide(commands.AcceptStep, review_id, left, right)

    def reject(self, review_id: int, left: int, right: int) -> bool:
        return self._decide(commands.RejectStep, review_id, left, right)

    def skip(self, review_id: int, left: int, right: int) -> bool:
        return self._decide(commands.SkipStep, review_id, left, right)

    def _decide(self, kind, review_id: int, left: int, right: int) -> bool:
        if self.workspace is None:
            return False
        names = self.names([left, right])
        # Each name set apart: a Hebrew or Arabic name would take the "#3" or the "~" beside it along.
        pair = f"{isolated(names.get(left, f'#{left}'))} ~ {isolated(names.get(right, f'#{right}'))}"
        step = kind(review_id, left, right, pair)
        if not self.push(step, "Not possible"):
            return False
        decided = step.decided()
        if step.told and decided:
            # Named as decided, read before the merge took one name away: the user sees which pair it was.
            names = {**self.names([c for c in decided if c not in names]), **names}
            both = " and ".join(f"{isolated(names.get(c, 'customer'))} (#{c})" for c in decided)
            self.notice.emit(step.told.format(pair=both))
        return True

    def reopen_kept_apart(self, items: Sequence, pair: str) -> bool:
        """Forget that these pairs are different people and queue them for review, as one step.

        ``pair`` names them for Edit › Undo ("Anna Lee ~ Mark Lee").
        """
        if not items:
            return False
        return self.push(commands.ReopenStep(list(items), pair), "Cannot review the pair again")

    def accept_all(self, review_ids: Sequence[int], customers: Sequence[int], min_score: float,
                   finished: Callable[[object], None]) -> bool:
        """Accept these pairs as one step; ``finished(bulk)`` (the core's BulkAccept) once it ran.

        Pairs naming ``LONG_EDIT`` customers or more are long work, as a tag added to as many
        is: off the UI thread with progress and Cancel (which leaves every pair as it was), and
        so is their undo.  Returns whether it ran or started."""
        title = "Cannot accept the pairs"
        long = len(set(customers)) >= LONG_EDIT
        step = commands.BulkAcceptStep(list(review_ids), list(customers), min_score, long=long)
        if not long:
            if not self.push(step, title):
                return False
            finished(step.result)
            return True
        if not self._ready(title):
            return False
        self._start_step(step, step.long_words(), title, lambda step: finished(step.result))
        return True

    def imported(self, files: list[tuple], batch_ids: Sequence[int], changes: Changes) -> None:
        """Files the import wizard has imported (off the UI thread): one step, for Edit › Undo."""
        if self.workspace is None:
            return
        step = commands.ImportStep(files, list(batch_ids))
        self._history_begins()
        step.ops = self
        step.workspace = self.workspace
        step.before = step.after = {}
        self._pushed(step, changes)

    def remove_import(self, batch_id: int, file_name: str, *, undoable: bool = True):
        """Take an import back from the Imports screen; returns what was removed, or None.

        ``undoable=False`` (an import too big to journal) runs it as it is and
        clears the undo stack: an earlier "Import …" redone would bring it back.
        """
        if not self._ready("Cannot undo import"):
            return None
        if undoable:
            step = commands.RemoveImportStep(batch_id, file_name)
            return step.removal.removed if self._push_ready(step, "Cannot undo import") else None
        from omnidesk.core.importing.batches import undo_batches

        assert self.workspace is not None
        try:
            undone = undo_batches(self.workspace, [self.current_batch(batch_id)])
        except Exception as exc:
            self._report("Cannot undo import", exc)
            return None
        self.stack.clear()
        self.changed.emit(undone.changes)
        return undone.removed

    def find_duplicates(self, finished: Callable[[object], None] | None = None) -> bool:
        """Start Find Duplicates off the UI thread; ``finished(stats)`` after its step is pushed."""
        if not self._ready("Cannot look for duplicates now"):
            return False
        self._start_step(commands.FindDuplicatesStep(), "Find Duplicates", "Cannot look for duplicates now",
                         None if finished is None else lambda step: finished(step.stats))
        return True

    def save_segment(self, name: str, rule: dict, *, replace: bool = False) -> bool:
        """Save ``rule`` as the segment ``name`` (``replace``: over one of that name) as one undo step."""
        return self.push(commands.SaveSegmentStep(name, rule, replace), "Cannot save the segment")

    def rename_segment(self, name: str, new_name: str) -> bool:
        return self.push(commands.RenameSegmentStep(name, new_name), "Cannot rename the segment")

    def delete_segment(self, name: str) -> bool:
        return self.push(commands.DeleteSegmentStep(name), "Cannot delete the segment")

    # -- what the user types in (core/edits.py) ---------------------------------------

    def _hand(self, text: str, run, title: str, customers: Sequence[int] = (), target: str = "", *,
              many: int = 0, lost: str = "", checked_redo: bool = False):
        """Run a hand edit as one journaled undo step; the core's Edit, or None when it did not happen.

        An edit of ``many`` customers, from ``LONG_EDIT`` on, runs as long work (progress, the
        window kept responsive): None is returned then, and the step is stacked when it ends.
        ``checked_redo``: its redo is checked by the journal of its first run (see HandEditStep)."""
        if many >= LONG_EDIT:
            # Checked by its journal alone, as any edit of many customers (see HandEditStep).
            step = commands.HandEditStep(text, run, (), target, long=True)
            step.lost, step.checked_redo = lost, checked_redo
            if self._ready(title):
                self._start_step(step, step.long_words(), title)
            return None
        step = commands.HandEditStep(text, run, customers, target)
        step.lost, step.checked_redo = lost, checked_redo
        return step.edit if self.push(step, title) else None

    def edit_values(self, customer_id: int, values: dict[str, str]):
        """Type in some of a customer's values (each wins over every file from now on)."""
        from omnidesk.core import edits

        name = self._name(customer_id)
        what = ", ".join(commands.FIELD_WORDS.get(f, f) for f in values)
        return self._hand(f"edit {what} of {name}", lambda ws: edits.set_values(ws, customer_id, values),
                          "Cannot change the customer", [customer_id], name)

    def retag(self, customer_ids: Sequence[int], add: Sequence[str] = (), remove: Sequence[str] = ()):
        """Add and take off tags on these customers, one step for all of them."""
        from omnidesk.core import edits

        ids = sorted(set(customer_ids))
        if len(ids) == 1:
            who = self._name(ids[0])
        else:
            who = f"{len(ids):,} customers"
        tags = lambda names: f"tag{'s' if len(names) > 1 else ''} {', '.join(names)}"  # noqa: E731
        words = "; ".join(part for part in (f"add {tags(add)} to {who}" if add else "",
                                            f"remove {tags(remove)} from {who}" if remove else "") if part)
        # A few customers are checked by fingerprint; many by the journal alone (see HandEditStep).
        named = ids if len(ids) <= 500 else []

        # Read now: while the step runs, the workspace is the journal's.
        known = self.names(ids) if remove and not add and 1 < len(ids) <= 500 else {}

        def run(ws):
            return named_for(edits.retag(ws, ids, add, remove))

        def run_steps(ws, cancelled):
            return named_for((yield from edits.retag_steps(ws, ids, add, remove, cancelled)))

        def named_for(edit):
            if remove and not add and len(edit.customers) != len(ids):
                # Taken off only those who had it: "Undo remove tag vip from 2 customers", not 40.
                had = (known.get(edit.customers[0], "1 customer") if len(edit.customers) == 1
                       else f"{len(edit.customers):,} customers")
                step.renamed = f"remove {tags(remove)} from {had}"
            return edit

        if len(ids) >= LONG_EDIT:
            step = commands.HandEditStep(words, run, (), who[0].upper() + who[1:], long=True, run_steps=run_steps)
            if self._ready("Cannot change the tags"):
                self._start_step(step, step.long_words(), "Cannot change the tags")
            return None
        step = commands.HandEditStep(words, run, named, who[0].upper() + who[1:])
        return step.edit if self.push(step, "Cannot change the tags") else None

    def record_consent(self, customer_id: int, channel: str, status: str, note: str):
        from omnidesk.core import edits
        from omnidesk.core.channels import channel_name

        name = self._name(customer_id)
        return self._hand(f"record {channel_name(channel)} consent {status} for {name}",
                          lambda ws: edits.record_consent(ws, customer_id, channel, status, note),
                          "Cannot record the consent", [customer_id], name,
                          lost=consent_lost(channel, status, name))

    def set_custom_field(self, customer_id: int, field: str, value: str):
        from omnidesk.core import edits

        name = self._name(customer_id)
        return self._hand(f"edit {field} of {name}", lambda ws: edits.set_custom_field(ws, customer_id, field, value),
                          "Cannot change the field", [customer_id], name)

    def add_customer(self, values: dict[str, str]):
        """Add a customer by hand; the core's Edit (``created`` is the new id), or None."""
        from omnidesk.core import edits

        who = " ".join(values.get(f, "") for f in ("first_name", "last_name")).strip() \
            or values.get("email") or values.get("phone") or "a customer"
        made: list[int] = []  # a redo gives the customer back the id it had

        def add(ws):
            edit = edits.add_customer(ws, values, customer_id=made[0] if made else None)
            made[:] = [edit.created]
            return edit

        return self._hand(f"add {who}", add, "Cannot add the customer", (), who)

    def change_messages(self, words: str, run):
        """A change to messages or the brand kit, as one undo step; what ``run`` returned, or None."""
        return self._journaled(words, run, Changes(messages=True), "Cannot change the message")

    def change_campaigns(self, words: str, run):
        """A change to campaigns (a plan saved, a step moved, a campaign deleted), as one undo step."""
        return self._journaled(words, run, Changes(campaigns=True), "Cannot change the campaign")

    def _journaled(self, words: str, run, changes: Changes, title: str):
        """``run(ws)`` journaled as one undo step; what it returned (or a stand-in saying ``changes``), or None.

        No customer's fingerprint checks its redo: the journal of its first run does (a campaign or
        message changed elsewhere since its undo refuses the redo, which is dropped)."""
        def call(ws):
            result = run(ws)
            return result if hasattr(result, "changes") else _Changed(changes)

        return self._hand(words, call, title, checked_redo=True)

    def export_campaign(self, name: str, folder, *, overwrite: bool, finished: Callable[[object], None]) -> bool:
        """Write a campaign's send packs off the UI thread, with progress; ``finished(summary)`` after.

        Not an undo step: the packs have left the app, and the record of whom each step
        included is what the caps must go on counting.
        """
        if not self._ready("Cannot export the campaign"):
            return False
        from omnidesk.core.campaigns.export import export_campaign
        from omnidesk.core.tasks import Progress

        workspace = self.workspace

        def work(cancelled):
            yield Progress(0, 0, f"Exporting {name}…")
            return export_campaign(workspace, name, folder, overwrite=overwrite)

        def done(summary) -> None:
            self.changed.emit(Changes(campaigns=True, customer_list=True))
            finished(summary)

        self._start(f"Export of {name}", work, done, "Cannot export the campaign")
        return True

    def write_out(self, what: str, write: Callable[[Callable[[], bool]], object], *,
                  finished: Callable[[object], None], failed: Callable[[BaseException], None],
                  title: str) -> bool:
        """Write a file of the workspace's (a report, a person's data) off the UI thread, with
        progress and Cancel in the status bar: ``write(cancelled)`` runs on the task runner, then
        ``finished(result)`` or ``failed(exc)`` (``Cancelled`` too) on the UI thread.

        Reading only, so a read-only workspace may write one too; refused (under ``title``) while
        other long work is running.  ``write`` writes beside the file and moves it into place, so
        a cancelled or failed one leaves no file behind.
        """
        if self.workspace is None:
            return False
        if self.busy:
            self._fail(title, f"{self._busy_with} is still running; wait for it to finish or cancel it.")
            return False
        from omnidesk.core.tasks import Progress

        def work(cancelled):
            yield Progress(0, 0, f"{what}…")
            return write(cancelled)

        self._start(what, work, finished, title, failed)
        return True

    def _name(self, customer_id: int) -> str:
        return self.names([customer_id]).get(customer_id, f"customer #{customer_id}") if self.workspace else ""

    def erase_person(self, customer_id: int, expect: str | None = None,
                     others: dict[int, str | None] | None = None) -> dict:
        """Erase a person everywhere: not undoable, so the undo stack is cleared (it may hold their data).

        ``expect``: their fingerprint when the user was asked; ``others``: those of the rest of a
        selection being erased, kept up to date with this erase's own changes (``rights.erase_person``).
        Raises whatever the core raises; the caller reports it.
        """
        from omnidesk.core.rights import erase_person

        assert self.workspace is not None
        if self.busy:
            raise WorkspaceError(f"{self._busy_with} is still running; wait for it to finish or cancel it.")
        moved = self.workspace.moved_away(REOPEN)
        if moved is not None:  # and the backups that hold them too are beside it where it is now
            raise WorkspaceError(moved)
        try:
            return erase_person(self.workspace, customer_id, expect=expect, others=others)
        finally:
            if not self.names([customer_id]):  # erased (even when tidying up after it failed)
                self._forget_history()
                self.changed.emit(Changes(customers=frozenset({customer_id}), customer_list=True, reviews=True))
