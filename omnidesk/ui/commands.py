"""The undo steps: each one's ``apply`` and ``revert`` call one core function, one transaction each.

A step's text names what it changed and whose ("pin email of Chloé Hill",
"merge of Ann Lee and 1 other"); Edit › Undo and Redo show it as it is.
Steps are run by :mod:`omnidesk.ui.operations`, which guards them and says
what changed; on a bare QUndoStack (tests) ``redo``/``undo`` run them directly,
and a step the core refuses (its target is gone) marks itself obsolete, so the
stack drops it.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from PySide6.QtGui import QUndoCommand

from omnidesk.core import segments as core_segments
from omnidesk.core.changes import Changes
from omnidesk.core.errors import UserError
from omnidesk.core.identity import kept_apart as core_apart
from omnidesk.core.identity import merge as core_merge
from omnidesk.core.importing import batches as core_batches
from omnidesk.core.journal import JournalConflict, JournaledWorkspace, revert
from omnidesk.core.notes import replace_notes
from omnidesk.core.settings import SettingsChange, change_settings_steps, restore_settings_steps
from omnidesk.core.tasks import Cancelled, Progress, run_to_completion, worded
from omnidesk.core.workspace import Workspace, WorkspaceError
from omnidesk.core.text import counted

FIELD_WORDS = {
    "first_name": "first name", "last_name": "last name", "email": "email", "phone": "phone",
    "company": "company", "address": "address", "city": "city", "region": "region",
    "postcode": "postcode", "country": "country", "birthday": "birthday",
}



class Step(QUndoCommand):
    """One user change on the undo stack.

    ``customers`` are the customers the step names: the bridge reads their
    fingerprints before and after it runs (``before``/``after``) and refuses
    to undo or redo it once they read otherwise.  ``noop`` steps (nothing
    changed) are not stacked.  ``long_redo`` steps redo as long work,
    ``long_undo`` ones undo as long work.
    """

    long_redo = False
    long_undo = False

    def __init__(self, text: str, customers: Sequence[int] = ()) -> None:
        super().__init__(text)
        self.customers = tuple(int(c) for c in customers)
        self.before: dict | None = None
        self.after: dict | None = None
        self.ran = False  # the bridge has just run it: the stack's own call is skipped
        self.noop = False
        self.workspace: Workspace | None = None
        self.ops = None  # the bridge that stacked it (knows batches imported again under new ids)
        self.turn = 0  # when the bridge last ran it (Operations.turns)
        # Said when a redo drops the step: what is then not on record ("Eve Stone's email consent
        # denied is not on record now…"); "" says nothing more.
        self.lost = ""

    def current_batch(self, batch_id: int) -> int:
        return self.ops.current_batch(batch_id) if self.ops is not None else batch_id

    def target_words(self) -> str:
        """Who or what the step is about, to start a sentence ("Ann Lee", "The pair …")."""
        return "What this step changed"

    def apply(self, ws: Workspace) -> Changes:
        raise NotImplementedError

    def revert(self, ws: Workspace) -> Changes:
        raise NotImplementedError

    def refused(self) -> Changes:
        """What to read again when the workspace refuses the step (a UserError): what it acted on
        most likely changed elsewhere (another window decided the pair, merged the customer)."""
        return Changes()

    # Long redo (see ImportStep, FindDuplicatesStep).
    def long_task(self, ws: Workspace, ops):
        raise NotImplementedError

    def finish_long(self, result) -> Changes:
        raise NotImplementedError

    def long_words(self) -> str:
        return self.text()

    # Long undo: the same, taking the step back.
    def long_revert_task(self, ws: Workspace, ops):
        raise NotImplementedError

    def finish_long_revert(self, result) -> Changes:
        raise NotImplementedError

    # QUndoStack calls these.  Through the bridge the step has already run (``ran``); called
    # otherwise (a bare stack, an undo view) they run it here, and a refusal drops the step.
    def redo(self) -> None:
        if self.ran:
            self.ran = False
            return
        self._direct(lambda ws: self.apply(ws) if not self.long_redo
                     else self.finish_long(run_to_completion(self.long_task(ws, None)(lambda: False))))

    def undo(self) -> None:
        if self.ran:
            self.ran = False
            return
        self._direct(lambda ws: self.revert(ws) if not self.long_undo
                     else self.finish_long_revert(run_to_completion(self.long_revert_task(ws, None)(lambda: False))))

    def _direct(self, run) -> None:
        if self.workspace is None:
            self.setObsolete(True)
            return
        try:
            run(self.workspace)
        except (UserError, WorkspaceError):
            self.setObsolete(True)


class CustomerStep(Step):
    def __init__(self, text: str, customers: Sequence[int], name: str) -> None:
        super().__init__(text, customers)
        self.name = name

    def target_words(self) -> str:
        return self.name


class PinStep(CustomerStep):
    def __init__(self, customer_id: int, name: str, field: str, value: str | None) -> None:
        verb = "pin" if value is not None else "unpin"
        super().__init__(f"{verb} {FIELD_WORDS.get(field, field)} of {name}", [customer_id], name)
        self.customer_id, self.field, self.value = customer_id, field, value
        self.change: core_merge.PinChange | None = None

    def apply(self, ws: Workspace) -> Changes:
        self.workspace = ws
        if self.change is None:
            self.change = core_merge.pin_value(ws, self.customer_id, self.field, self.value)
            self.noop = self.change.before == self.change.after
            return self.change.changes
        return core_merge.pin_value(ws, self.customer_id, self.field, self.value,
                                    expect=self.change.before).changes

    def revert(self, ws: Workspace) -> Changes:
        assert self.change is not None
        return core_merge.pin_value(ws, self.customer_id, self.field, self.change.before,
                                    expect=self.change.after).changes


class NotesStep(CustomerStep):
    """One saved edit of a customer's notes."""

    def __init__(self, customer_id: int, name: str, text: str, wait: float | None = None, *,
                 append: bool = False) -> None:
        super().__init__(f"notes on {name}", [customer_id], name)
        self.customer_id, self.text_saved, self.wait, self.append = customer_id, text, wait, append
        self.edit = None

    def apply(self, ws: Workspace) -> Changes:
        self.workspace = ws
        if self.edit is None:
            self.edit = replace_notes(ws, self.customer_id, self.text_saved, wait=self.wait, append=self.append)
            self.noop = self.edit.before == self.edit.after
            return self.edit.changes
        return replace_notes(ws, self.customer_id, self.edit.after, expect=self.edit.before).changes

    def revert(self, ws: Workspace) -> Changes:
        assert self.edit is not None
        return replace_notes(ws, self.customer_id, self.edit.before, expect=self.edit.after).changes


class PreferencesStep(Step):
    """The Preferences dialog's values, stored together; undo puts every one back as it was.

    Long work each way: a new time zone works out every customer's card again, and so
    does taking it back.
    """

    long_redo = long_undo = True

    def __init__(self, texts: dict[str, str], expect: dict[str, object] | None = None) -> None:
        super().__init__("change preferences")
        self.texts = dict(texts)
        self.expect = None if expect is None else dict(expect)  # as the dialog read them (change_settings_steps)
        self.change: SettingsChange | None = None

    def target_words(self) -> str:
        return "The workspace's preferences"

    def long_words(self) -> str:
        return "Changing the preferences"

    def long_task(self, ws: Workspace, ops):
        self.workspace = ws
        change = self.change
        if change is None:
            return lambda cancelled: change_settings_steps(ws, self.texts, cancelled, expect=self.expect)
        return lambda cancelled: restore_settings_steps(ws, change.after, expect=change.before, cancelled=cancelled)

    def finish_long(self, result: SettingsChange) -> Changes:
        if self.change is None:  # the first time; a redo stores what it stored then
            self.change = result
            self.noop = result.empty
        return result.changes

    def long_revert_task(self, ws: Workspace, ops):
        change = self.change
        assert change is not None
        return lambda cancelled: restore_settings_steps(ws, change.before, expect=change.after, cancelled=cancelled)

    def finish_long_revert(self, result: SettingsChange) -> Changes:
        return result.changes


class MergeStep(CustomerStep):
    def __init__(self, customer_ids: Sequence[int], first_name: str) -> None:
        ids = sorted(set(customer_ids))
        others = len(ids) - 1
        super().__init__(f"merge of {first_name} and {others} other{'s' if others != 1 else ''}", ids,
                         f"{first_name} and the {counted(others, 'customer')} merged with them")
        self.ids = ids
        self.result: core_merge.MergeResult | None = None

    def refused(self) -> Changes:
        return Changes.of_customers(*self.ids, listed=True) | Changes(reviews=True)

    def apply(self, ws: Workspace) -> Changes:
        self.workspace = ws
        self.result = core_merge.merge_customers(ws, self.ids)
        return self.result.changes

    def revert(self, ws: Workspace) -> Changes:
        assert self.result is not None
        return core_merge.undo_merge(ws, self.result)


class SplitStep(CustomerStep):
    def __init__(self, record_id: int, customer_id: int, name: str, record_words: str) -> None:
        super().__init__(f"split of {record_words} from {name}", [customer_id], name)
        self.record_id = record_id
        self.split: core_merge.Unmerged | None = None

    def refused(self) -> Changes:
        return Changes.of_customers(*self.customers, listed=True)

    def apply(self, ws: Workspace) -> Changes:
        self.workspace = ws
        # A redo gives the split-off customer back the id it had.
        self.split = core_merge.unmerge_record(ws, self.record_id, owner=self.customers[0],
                                               customer_id=self.split.new if self.split is not None else None)
        return self.split.changes

    def revert(self, ws: Workspace) -> Changes:
        assert self.split is not None
        return core_merge.undo_split(ws, self.split)


class ReviewStep(CustomerStep):
    verb = ""
    # What the status bar says once the pair is decided, ``{pair}`` its two customers; "" says nothing.
    told = ""

    def __init__(self, review_id: int, left: int, right: int, pair: str) -> None:
        super().__init__(f"{self.verb} of {pair}", [left, right], f"The pair {pair}")
        self.review_id = review_id

    def refused(self) -> Changes:
        return Changes.of_customers(*self.customers) | Changes(reviews=True)

    def decided(self) -> tuple[int, int] | None:
        """The two customers of the pair as the workspace had it when decided (None before)."""
        return None


class AcceptStep(ReviewStep):
    verb = "accept"
    told = "Merged {pair}"

    def __init__(self, *args) -> None:
        super().__init__(*args)
        self.result: core_merge.MergeResult | None = None

    def apply(self, ws: Workspace) -> Changes:
        self.workspace = ws
        self.result = core_merge.accept_review(ws, self.review_id)
        return self.result.changes

    def decided(self) -> tuple[int, int] | None:
        review = self.result.review if self.result is not None else None
        return (review["left_id"], review["right_id"]) if review else None

    def revert(self, ws: Workspace) -> Changes:
        assert self.result is not None
        changes = core_merge.undo_accept(ws, self.result)
        if self.result.review is not None:
            self.review_id = self.result.review["id"]  # back under its number, or a new one: redo takes it
        return changes


class RejectStep(ReviewStep):
    verb = "reject"
    told = "Kept apart: {pair}; the pair will not be suggested again"

    def __init__(self, *args) -> None:
        super().__init__(*args)
        self.token: dict | None = None

    def apply(self, ws: Workspace) -> Changes:
        self.workspace = ws
        self.token = core_merge.reject_review(ws, self.review_id)
        return Changes(reviews=True)

    def decided(self) -> tuple[int, int] | None:
        return (self.token["review"]["left_id"], self.token["review"]["right_id"]) if self.token else None

    def revert(self, ws: Workspace) -> Changes:
        assert self.token is not None
        changes = core_merge.undo_reject(ws, self.token)
        self.review_id = self.token["review"]["id"]  # back under its number, or a new one: redo takes it
        return changes


class SkipStep(ReviewStep):
    verb = "skip"
    told = "Skipped {pair} for now; the pair waits at the end of the queue"

    def __init__(self, *args) -> None:
        super().__init__(*args)
        self.change: core_merge.ReviewStatusChange | None = None

    def apply(self, ws: Workspace) -> Changes:
        self.workspace = ws
        if self.change is None:
            self.change = core_merge.skip_review(ws, self.review_id)
            self.noop = self.change.before == self.change.after
            return self.change.changes
        return core_merge.set_review_status(ws, self.review_id, "skipped", expect=self.change.before).changes

    def decided(self) -> tuple[int, int] | None:
        # A skip merges no one: the pair is the two customers it was asked about.
        return (self.customers[0], self.customers[1]) if self.change is not None else None

    def revert(self, ws: Workspace) -> Changes:
        assert self.change is not None
        return core_merge.set_review_status(ws, self.review_id, self.change.before, expect="skipped").changes


class ReopenStep(Step):
    """Pairs kept apart put back in the review queue ("not sure any more")."""

    def __init__(self, items: Sequence[core_apart.KeptApart], pair: str) -> None:
        customers = sorted({c for i in items for c in (i.left_id, i.right_id) if c is not None})
        super().__init__(f"review again of {pair}", customers)
        self.pair = pair
        self.items = list(items)
        self.result: core_apart.Reopened | None = None

    def refused(self) -> Changes:
        return Changes.of_customers(*self.customers) | Changes(reviews=True)

    def target_words(self) -> str:
        return f"The pair {self.pair}"

    def apply(self, ws: Workspace) -> Changes:
        self.workspace = ws
        self.result = core_apart.reopen_kept_apart(ws, self.items)
        return self.result.changes

    def revert(self, ws: Workspace) -> Changes:
        assert self.result is not None
        return core_apart.undo_reopen(ws, self.result)


class BulkAcceptStep(Step):
    """Pairs accepted at once, one transaction each way.

    A ``long`` one (pairs naming many customers) is long work both ways, off the UI thread with
    progress and Cancel, as a tag added to many customers is; it names no customers to the bridge
    (reading thousands of fingerprints would hold up the window) and checks them itself, in
    the background: an undo or redo over customers changed since is refused, nothing changed.
    """

    def __init__(self, review_ids: list[int], customers: list[int], min_score: float, *, long: bool = False) -> None:
        super().__init__(f"accept of {counted(len(review_ids), 'pair')} at or above {min_score:.1f} bits",
                         () if long else customers)
        self.review_ids = review_ids
        self.result: core_merge.BulkAccept | None = None
        self.long_redo = self.long_undo = long
        self.watched = tuple(int(c) for c in customers) if long else ()
        # The watched customers as they read before the accept and after it (long only).
        self.prints_before: dict | None = None
        self.prints_after: dict | None = None

    def refused(self) -> Changes:
        return Changes.of_customers(*self.customers, listed=True) | Changes(reviews=True)

    def target_words(self) -> str:
        return "The customers of these pairs"

    def apply(self, ws: Workspace) -> Changes:
        self.workspace = ws
        self.result = core_merge.accept_reviews(ws, self.review_ids)
        self.noop = not self.result.results
        return self.result.changes

    def revert(self, ws: Workspace) -> Changes:
        assert self.result is not None
        changes = core_merge.undo_accept(ws, self.result)
        self.review_ids = list(self.result.review_ids)  # the pairs' numbers now, for redo
        return changes

    def long_words(self) -> str:
        return self.text()[:1].upper() + self.text()[1:]

    def _still(self, ws: Workspace, expected: dict | None) -> None:
        from omnidesk.core.customers import customer_fingerprints

        if expected is not None and customer_fingerprints(ws, self.watched) != expected:
            raise UserError(f"{self.target_words()} changed since (in another window, or by an import or a step "
                            "that was taken back), so this step could now hit the wrong data.")

    def long_task(self, ws: Workspace, ops):
        from omnidesk.core.customers import customer_fingerprints

        self.workspace = ws
        ids, expected = list(self.review_ids), self.prints_before

        def work(cancelled):
            yield Progress(0, len(ids), f"{self.long_words()}…")
            self._still(ws, expected)
            before = expected if expected is not None else customer_fingerprints(ws, self.watched)
            result = yield from core_merge.accept_reviews_steps(ws, ids, cancelled)
            return result, before, customer_fingerprints(ws, self.watched)

        return work

    def finish_long(self, result) -> Changes:
        self.result, self.prints_before, self.prints_after = result
        self.noop = not self.result.results
        return self.result.changes

    def long_revert_task(self, ws: Workspace, ops):
        accepted, expected = self.result, self.prints_after
        assert accepted is not None

        def work(cancelled):
            yield Progress(0, len(accepted.results), f"Undoing {self.text()}…")
            self._still(ws, expected)
            return (yield from core_merge.undo_accept_steps(ws, accepted, cancelled))

        return work

    def finish_long_revert(self, result: Changes) -> Changes:
        assert self.result is not None
        self.review_ids = list(self.result.review_ids)  # the pairs' numbers now, for redo
        return result


def reimport_files(workspace, files: Sequence[tuple[Path, object, str]]):
    """A task body: import these files again, each as it was first imported, all or none.

    ``files`` are (path, ImportOptions, the file's hash when it was imported): a
    file that is gone or whose bytes changed since is refused, not imported
    blind.  Runs on the import driver the wizard and the command line share;
    returns the new batch ids, in order.
    """
    from omnidesk.core.importing.analysis import analyze
    from omnidesk.core.importing.driver import import_files

    def work(cancelled):
        plans = []
        for path, options, file_hash in files:
            yield Progress(0, 0, f"Reading {Path(path).name}")
            if not Path(path).is_file():
                raise UserError(f"{Path(path).name} is no longer at {Path(path).parent}; it cannot be imported again.")
            plan = analyze(workspace, Path(path), options)
            if file_hash and plan.file_hash != file_hash:
                raise UserError(f"{plan.file_name} has changed since it was imported; importing it again "
                                "would bring in other rows.")
            plans.append(plan)
        run = yield from import_files(workspace, plans, cancelled=cancelled)
        made = [result.batch_id for result in run.results if result.batch_id]
        if run.failures or run.cancelled_at is not None or len(made) != len(files):
            if made:  # the files already imported again go too: the step is redone whole or not at all
                core_batches.undo_batches(workspace, made)
            if run.cancelled_at is not None:
                raise Cancelled("Redo of the import was cancelled; nothing changed.")
            raise UserError(run.failures[0].message if run.failures else "Not every file could be imported again.")
        return made

    return work


class ImportStep(Step):
    """Files imported by the import wizard: undo takes their imports back, redo brings them back.

    Undo is journaled (up to ``UNDOABLE_RECORDS`` records), so redo puts every row back as it
    was: the customers the files brought in come back under their numbers, with the same
    records, and the steps taken on them afterwards are redone on them.  An import too big to
    journal, or one whose rows changed since its undo (another window, the command line), is
    imported again from its files instead: its customers and records come back under new
    numbers (``renumbered`` says why), and a later step on them is dropped, saying so.
    """

    # Both ways long work: taking back an import of 50,000 rows, journaled, is seconds of work.
    long_redo = long_undo = True

    def __init__(self, files: list[tuple[Path, object, str]], batch_ids: list[int]) -> None:
        names = [Path(p).name for p, _, _ in files]
        super().__init__(f"import of {names[0]}" if len(names) == 1 else f"import of {len(names)} files")
        self.files = files
        self.batch_ids = batch_ids
        self.undone: core_batches.BatchesUndone | None = None
        # Why the last redo imported the files again, under new numbers ("" when it put them back as they were).
        self.renumbered = ""

    def target_words(self) -> str:
        return "These imports"

    def long_revert_task(self, ws: Workspace, ops):
        self.workspace = ws
        ids = [self.current_batch(b) for b in self.batch_ids if b]
        names = " and ".join(Path(p).name for p, _, _ in self.files)

        def work(cancelled):
            yield Progress(0, 0, f"Taking back {names}")
            if cancelled():
                raise Cancelled("Undo of the import was cancelled; nothing changed.")
            return core_batches.take_back_batches(ws, ids)

        return work

    def finish_long_revert(self, result: core_batches.BatchesUndone) -> Changes:
        self.undone = result
        return result.changes

    def long_task(self, ws: Workspace, ops):
        self.workspace = ws
        undone = self.undone
        again = reimport_files(ws, self.files)
        names = " and ".join(Path(p).name for p, _, _ in self.files)

        def work(cancelled):
            why = "it was too big to keep as it was"
            if undone is not None and undone.journal is not None:
                yield Progress(0, 0, f"Putting back {names}")
                if cancelled():
                    raise Cancelled("Redo of the import was cancelled; nothing changed.")
                try:
                    return "back", core_batches.put_back_batches(ws, undone)
                except JournalConflict:  # changed since its undo: the files are imported again
                    why = ("the workspace changed after it was undone (in another window, or from the command "
                           "line), so its rows could not be put back as they were")
            made = yield from again(cancelled)
            return "again", made, why

        return work

    def long_words(self) -> str:
        if self.undone is None:  # imported: an undo takes it back
            return "Taking back the import"
        return "Bringing back the import" if self.undone.journal is not None else "Importing again"

    def finish_long(self, result) -> Changes:
        self.undone = None
        if result[0] == "back":
            self.renumbered = ""
            return result[1]
        _, new, why = result
        self.renumbered = why
        new = list(new)
        for old, now in zip(self.batch_ids, new):
            if self.ops is not None and old and now and old != now:
                self.ops.batch_aliases[self.current_batch(old)] = now
        self.batch_ids = new
        return Changes(customer_list=True, reviews=True, imports=True)


class RemoveImportStep(Step):
    """An import taken back from the Imports screen, journaled so that undo puts it back exactly."""

    def __init__(self, batch_id: int, file_name: str) -> None:
        super().__init__(f"removal of {file_name}")
        self.batch_id = batch_id
        self.removal: core_batches.BatchRemoval | None = None

    def target_words(self) -> str:
        return "That import"

    def apply(self, ws: Workspace) -> Changes:
        self.workspace = ws
        self.removal = core_batches.remove_batch(ws, self.current_batch(self.batch_id))
        return self.removal.changes

    def revert(self, ws: Workspace) -> Changes:
        assert self.removal is not None
        return core_batches.restore_batch(ws, self.removal) | self.removal.changes


class FindDuplicatesStep(Step):
    """Find Duplicates over the whole workspace, journaled: undo puts every row back as it was."""

    long_redo = True

    def __init__(self) -> None:
        super().__init__("Find Duplicates")
        self.journal = None
        self.stats = None

    def target_words(self) -> str:
        return "What Find Duplicates changed"

    def long_task(self, ws: Workspace, ops):
        from omnidesk.core.identity.find import find_duplicates

        self.workspace = ws
        journaled = JournaledWorkspace(ws)

        def work(cancelled):
            stats = yield from find_duplicates(journaled, cancelled)
            return stats, journaled.journal()

        return work

    def long_words(self) -> str:
        return "Find Duplicates"

    def finish_long(self, result) -> Changes:
        self.stats, self.journal = result
        # Counts of names re-tallied to the same figures are no change a user could undo.
        self.noop = not any(op.table != "value_count" for op in self.journal.ops)
        merged, queued = self.stats.auto_merged, self.stats.queued
        self.setText(f"Find Duplicates ({counted(merged, 'merge')}, {counted(queued, 'new pair')} to review)")
        return self.stats.changes

    def revert(self, ws: Workspace) -> Changes:
        assert self.journal is not None
        return revert(ws, self.journal) | self.stats.changes


class SegmentStep(Step):
    """A change to the saved segments: names and rules only, no customer is touched.

    With no customers to fingerprint, the step keeps the segment as it left it
    (``left``: its name, rule and when it was written; None when gone) and as
    its undo left it (``found``).  Undo and redo pass that to the core as
    ``expect``: a segment changed since (another window, the command line) is
    refused and left as it is, and the step is dropped.
    """

    def __init__(self, text: str, name: str) -> None:
        super().__init__(text)
        self.name = name
        self.left: core_segments.Segment | None = None
        self.found: object = core_segments.ANY  # before the first apply: whatever is there

    def target_words(self) -> str:
        return f"The segment {self.name!r}"


def _written(segment: core_segments.Segment) -> tuple[str, str]:
    """When a segment an undo puts back was written: the steps before the undo expect those times."""
    return segment.created_at, segment.updated_at


class SaveSegmentStep(SegmentStep):
    """Save a rule under a name; undo deletes it, or puts back the rule it replaced."""

    def __init__(self, name: str, rule: dict, replace: bool = False) -> None:
        super().__init__(f"save segment {name!r}", name)
        self.rule, self.replace = rule, replace
        self.replaced: core_segments.Segment | None = None

    def apply(self, ws: Workspace) -> Changes:
        self.workspace = ws
        if self.found is core_segments.ANY:
            try:
                self.replaced = core_segments.get_segment(ws, self.name) if self.replace else None
            except core_segments.RuleError:
                self.replaced = None
        changes = core_segments.save_segment(ws, self.name, self.rule, replace=self.replace, expect=self.found)
        self.left = core_segments.find_segment(ws, self.name)
        return changes

    def revert(self, ws: Workspace) -> Changes:
        if self.replaced is not None:
            changes = core_segments.save_segment(ws, self.replaced.name, self.replaced.rule, replace=True,
                                                 expect=self.left, written=_written(self.replaced))
        else:
            changes = core_segments.delete_segment(ws, self.name, expect=self.left)
        self.found = core_segments.find_segment(ws, self.name)
        return changes


class RenameSegmentStep(SegmentStep):
    def __init__(self, name: str, new_name: str) -> None:
        super().__init__(f"rename of segment {name!r} to {new_name!r}", name)
        self.new_name = new_name
        self.as_found: core_segments.Segment | None = None  # before the rename: its time comes back with undo

    def apply(self, ws: Workspace) -> Changes:
        self.workspace = ws
        before = core_segments.find_segment(ws, self.name)
        changes = core_segments.rename_segment(ws, self.name, self.new_name, expect=self.found)
        self.as_found = before
        self.left = core_segments.find_segment(ws, self.new_name)
        return changes

    def revert(self, ws: Workspace) -> Changes:
        changes = core_segments.rename_segment(ws, self.new_name, self.name, expect=self.left,
                                               updated_at=self.as_found.updated_at if self.as_found else None)
        self.found = core_segments.find_segment(ws, self.name)
        return changes


class DeleteSegmentStep(SegmentStep):
    """Delete a saved segment; undo saves its rule again under its name."""

    def __init__(self, name: str) -> None:
        super().__init__(f"delete segment {name!r}", name)
        self.deleted: core_segments.Segment | None = None

    def apply(self, ws: Workspace) -> Changes:
        self.workspace = ws
        if self.deleted is None:
            self.deleted = core_segments.get_segment(ws, self.name)
        changes = core_segments.delete_segment(ws, self.name, expect=self.found)
        self.left = None
        return changes

    def revert(self, ws: Workspace) -> Changes:
        assert self.deleted is not None
        changes = core_segments.save_segment(ws, self.deleted.name, self.deleted.rule, expect=None,
                                             written=_written(self.deleted))
        self.found = core_segments.find_segment(ws, self.name)
        return changes


class HandEditStep(Step):
    """A change the user typed in (edits.py), journaled: undo puts back every row exactly.

    ``run(ws)`` makes the change and returns the core's Edit.  Redo runs it
    again.  A bulk change over many customers names none for fingerprints (the
    journal itself refuses an undo over rows changed since).
    """

    def __init__(self, text: str, run, customers: Sequence[int] = (), target: str = "", *,
                 long: bool = False, run_steps=None) -> None:
        super().__init__(text, customers)
        self.run = run
        # ``run_steps(ws, cancelled)``: ``run`` as a generator of progress that hears Cancel between
        # its rounds (a tag added to 60,000 customers); without it Cancel is heard before it starts.
        self.run_steps = run_steps
        self.target = target
        self.journal = None
        self.edit = None
        # A change over many customers (a tag added to a whole segment) is long work each way,
        # off the UI thread with progress, as an import is.
        self.long_redo = self.long_undo = long
        self.renamed: str | None = None  # the text ``run`` found fits better (set where it runs)
        # Redo checked by the journal of its first run (JournaledWorkspace ``redo_of``): for a step
        # that names no customers to fingerprint, such as a message or a campaign changed.
        self.checked_redo = False

    def target_words(self) -> str:
        return self.target or "What this change touched"

    def _ran(self, edit, journal) -> Changes:
        self.edit, self.journal = edit, journal
        self.noop = not len(journal)
        if self.renamed is not None:
            self.setText(self.renamed)
            self.renamed = None
        return edit.changes

    def _journaled(self, ws) -> JournaledWorkspace:
        # A redo (the step ran before) with ``checked_redo`` changes only the rows its first run did,
        # as it found them: what changed since elsewhere refuses it (JournalConflict), and it is dropped.
        return JournaledWorkspace(ws, redo_of=self.journal if self.checked_redo else None)

    def apply(self, ws: Workspace) -> Changes:
        self.workspace = ws
        journaled = self._journaled(ws)
        edit = self.run(journaled)
        return self._ran(edit, journaled.journal())

    def revert(self, ws: Workspace) -> Changes:
        assert self.journal is not None and self.edit is not None
        return revert(ws, self.journal) | self.edit.changes

    def long_task(self, ws: Workspace, ops):
        self.workspace = ws

        def work(cancelled):
            yield Progress(0, 0, f"{self.long_words()}…")
            if cancelled():
                raise Cancelled(f"{self.long_words()} was cancelled; nothing changed.")
            journaled = self._journaled(ws)
            if self.run_steps is not None:
                edit = yield from worded(self.run_steps(journaled, cancelled), self.long_words())
            else:
                edit = self.run(journaled)
            return edit, journaled.journal()

        return work

    def long_words(self) -> str:
        return self.text()[:1].upper() + self.text()[1:]

    def finish_long(self, result) -> Changes:
        return self._ran(*result)

    def long_revert_task(self, ws: Workspace, ops):
        journal = self.journal
        assert journal is not None

        def work(cancelled):
            yield Progress(0, 0, f"Undoing {self.text()}…")
            if cancelled():
                raise Cancelled(f"Undo of {self.text()} was cancelled; nothing changed.")
            return revert(ws, journal)

        return work

    def finish_long_revert(self, result: Changes) -> Changes:
        return result | self.edit.changes
