"""What the wizard's pages share: labels and colours, a picked file, and the work it runs."""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from omnidesk.core.errors import UserError
from omnidesk.core.channels import channel_name
from omnidesk.core.importing.archives import EMPTY_MEMBER
from omnidesk.core.importing.analysis import NO_ONE_NOTE, NamesNoOneError, names_no_one, unnamed_file_note
from omnidesk.core.importing.fields import FIELDS_BY_NAME, IGNORE, Kind
from omnidesk.core.importing.pipeline import (
    PREVIEW_ROWS,
    ImportPlan,
    ImportOptions,
    analyze,
    estimate_records,
)
from omnidesk.core.importing.sniff import UnreadableFileError
from omnidesk.core.importing.driver import ImportRun, import_files
from omnidesk.core.tasks import Cancelled, Progress
from omnidesk.core.text import counted, printable
from omnidesk.core.workspace import Workspace

if TYPE_CHECKING:  # named in annotations only: the wizard imports this module
    from omnidesk.ui.dialogs.import_wizard.wizard import ImportWizard


IMPORT_FILTER = "Data files (*.csv *.tsv *.txt *.zip *.vcf);;All files (*)"  # a ZIP export: its CSV files; .vcf: contacts
REPORT_FILTER = "CSV files (*.csv);;All files (*)"
PREVIEW_TABLE_ROWS = 20
EXAMPLES_PER_COLUMN = 3
# Below this a guess is shown as "please check" rather than silently trusted.
SURE_ENOUGH = 0.75

# Fixed hues that read on both light and dark palettes; everything else follows the palette.
ERROR_COLOR = "#d32f2f"
NOTICE_COLOR = "#b86e00"

DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe", ":": "colon", " ": "space"}
KIND_LABELS = {Kind.CONTACTS.value: "Contacts", Kind.EVENTS.value: "Events"}
KIND_TIPS = {
    Kind.CONTACTS.value: "One row per person: names, emails, phones, addresses, consent.",
    Kind.EVENTS.value: "One row per thing that happened: orders, purchases, email opens, visits.",
}
IDENTITY_FIELDS = frozenset({"email", "phone", "full_name", "first_name", "last_name", "external_id"})

# The columns of the trial-run and result tables: ImportResult attribute, heading.
# Two-line headings keep the number columns narrow, leaving the width to file names.
COUNT_COLUMNS: tuple[tuple[str, str], ...] = (
    ("rows", "Rows"),
    ("imported", "New\nrecords"),
    ("duplicates", "Duplicate\nrows"),
    ("flagged", "Flagged"),
    ("new_customers", "New\ncustomers"),
    ("updated_customers", "Updated\ncustomers"),
    ("events", "Events"),
)

FILES_PAGE, MAPPING_PAGE, CHECK_PAGE, IMPORT_PAGE, DONE_PAGE = range(5)



def _channel_label(channel: str) -> str:
    return channel_name(channel)


def _field_label(name: str) -> str:
    return "Ignore" if name == IGNORE else FIELDS_BY_NAME[name].label


def _html(text: str) -> str:
    return html.escape(text, quote=False)


@dataclass
class FileEntry:
    """One picked file: its plan once read, or why it cannot be imported, or that it has nothing to import."""

    path: Path
    plan: ImportPlan | None = None
    error: str | None = None
    # A member of an archive with a header and no rows: the archive's name. Nothing to import, and no fault.
    empty_member_of: str | None = None
    rows: int = 0
    rows_exact: bool = False
    user_kind: bool = False  # the user chose the kind; a new mapping must not re-guess it
    user_channel: bool = False  # the user chose where the file comes from
    encoding: str | None = None  # the encoding the user chose; None: detected
    # While the file is read again in another encoding: the plan it had, with the user's
    # choices to carry over to the new reading (see ImportWizard._carry_choices).
    earlier: ImportPlan | None = None
    # Why the user's column choices could not be kept, until they choose again.
    mapping_note: str | None = None

    @property
    def reading(self) -> bool:
        return self.plan is None and self.error is None and self.empty_member_of is None

    def format_text(self) -> str:
        """E.g. "Shopify customers export · UTF-8 · comma · 1,234 rows est."; a vCard file's
        "vCard contacts (.vcf) · UTF-8 · 250 contacts"."""
        assert self.plan is not None
        fmt = self.plan.fmt
        if fmt.vcard is not None:  # no delimiter; its cards were all counted when it was read
            return f"vCard contacts (.vcf) · {fmt.encoding_label} · {counted(fmt.vcard.contacts, 'contact')}"
        name = self.plan.preset.label if self.plan.preset else "CSV file"
        delimiter = DELIMITER_NAMES.get(fmt.delimiter, f"'{fmt.delimiter}'")
        rows = counted(self.rows, "row") + ("" if self.rows_exact else " est.")
        return f"{name} · {fmt.encoding_label} · {delimiter} · {rows}"

    def contents_text(self) -> str:
        assert self.plan is not None
        return f"{KIND_LABELS.get(self.plan.kind, self.plan.kind)} from {_channel_label(self.plan.channel)}"


def empty_member_html(entry: FileEntry) -> str:
    """"<b>nonsubscribed.csv</b> (in export.zip): no contacts in it — nothing to import"."""
    return (f"<b>{_html(printable(entry.path.name))}</b> (in {_html(entry.empty_member_of or '')}): "
            f"{_html(EMPTY_MEMBER)}")


def _read_files(workspace: Workspace, paths: list[Path], encodings: dict[Path, str] | None = None,
                empty_member: Callable[[Path, BaseException], str | None] | None = None):
    """A task body: analyze each path (in the encoding the user chose for it, if any);
    an unreadable file becomes an error, the rest go on. ``empty_member`` names the archive a file
    came from when the file has a header and no rows: it is listed as having nothing to import."""
    encodings = encodings or {}

    def work(cancelled):
        out: list[FileEntry] = []
        for i, path in enumerate(paths):
            if cancelled():
                raise Cancelled("Reading the files was cancelled.")
            yield Progress(i, len(paths), f"Reading {printable(path.name)}")
            entry = FileEntry(path, encoding=encodings.get(path))
            try:
                entry.plan = analyze(workspace, path, ImportOptions(encoding=entry.encoding))
                if len(entry.plan.preview) < PREVIEW_ROWS:
                    entry.rows, entry.rows_exact = len(entry.plan.preview), True
                else:
                    entry.rows = estimate_records(path, entry.plan.fmt)
            except (UnreadableFileError, UserError, OSError) as exc:
                entry.plan = None
                archive = empty_member(path, exc) if empty_member is not None else None
                if archive is not None:
                    entry.empty_member_of = archive
                else:
                    entry.error = str(exc)
            except Exception as exc:  # a file the reader trips over must not stop the others
                entry.plan, entry.error = None, f'"{printable(path.name)}" could not be read ({exc}).'
            out.append(entry)
        return out

    return work


def _run_plans(workspace: Workspace, plans: list[ImportPlan], *, dry_run: bool, on_file=None):
    """A task body: the core's import driver runs every plan in turn (see ``driver``); ``on_file``
    hears of each file as it ends (on the task's thread)."""

    def work(cancelled):
        return import_files(workspace, plans, dry_run=dry_run, cancelled=cancelled, on_file=on_file)

    return work


def _in_the_window(plan: ImportPlan, note: str, *, imported: bool = False) -> str | None:
    """One of the plan's notes as the wizard says it, or None when it says it elsewhere: the core's
    ways out name the command line's options (--preset), which the window has not.  ``imported``:
    said after the import, when the file's import can only be undone and done again."""
    if note.startswith(NO_ONE_NOTE):  # the mapping page says it its own way, while it is so
        return None
    unnamed = unnamed_file_note(plan.path.name, plan.header, plan.preset)
    if unnamed is not None and note.startswith(unnamed):
        if imported:
            return (f"{unnamed} If it is one of them, undo its import on the Imports screen, give the file "
                    "its name back and import it again.")
        return (f"{unnamed} If it is one of them, give the file its name back, then on the first page "
                "remove it and add it again.")
    return note


def _failure_text(failure, *, trial: bool) -> str:
    """Why a file was not imported, with what can be done about it in the window."""
    plan = failure.file
    if isinstance(failure.error, NamesNoOneError) and isinstance(plan, ImportPlan) \
            and names_no_one(plan.kind, plan.mapping, plan.preset):
        how = ("go Back and choose what the column holding one of them imports as" if trial else
               "import it again and choose what the column holding one of them imports as")
        return (f'"{printable(plan.file_name)}" was not imported: no column of it is used as a name, email, '
                f"phone or customer ID, so every row would be skipped. To import it, {how}.")
    return failure.message


def _notes_html(wizard: ImportWizard, outcome: ImportRun, *, trial: bool) -> str:
    """Everything worth knowing beyond the counts, one bullet per point."""
    notes: list[str] = []
    for entry in wizard.entries:
        if entry.error is not None:
            notes.append(f'<span style="color:{ERROR_COLOR}">Left out: {_html(entry.error)}</span>')
        elif entry.empty_member_of is not None:  # no fault: said as the command line says it
            notes.append(f"{empty_member_html(entry)}.")
    for failure in outcome.failures:
        notes.append(f'<span style="color:{ERROR_COLOR}"><b>{_html(printable(failure.file_name))}</b>: '
                     f"{_html(_failure_text(failure, trial=trial))}</span>")
    flagged_total = 0
    for plan, result in outcome.runs:
        name = f"<b>{_html(printable(plan.file_name))}</b>"
        if result.already_imported is not None:
            notes.append(f'<span style="color:{NOTICE_COLOR}">{name}: already imported '
                         f"(import #{result.already_imported}) — will add nothing.</span>"
                         if trial else f"{name}: already imported before, so nothing was added.")
            continue
        for warning in plan.warnings:
            if (said := _in_the_window(plan, warning, imported=not trial)) is not None:
                notes.append(f"{name}: {_html(said)}")
        for note in result.skip_notes():
            notes.append(f"{name}: {_html(note)}")
        if (alone := result.shared_only_note()) is not None:
            notes.append(f"{name}: {_html(alone)}")
        if (left_out := result.left_out_note()) is not None:
            notes.append(f"{name}: {_html(left_out)}")
        if result.seen_before:
            rows = counted(result.seen_before, "row")
            notes.append(f"{name}: {rows} {'repeats' if result.seen_before == 1 else 'repeat'} an earlier file "
                         f"word for word — {'to be imported' if trial else 'imported'} as one more sighting of the same "
                         "customer; orders and forms in them are not counted twice.")
        if result.flagged:
            flagged_total += result.flagged
            first = result.flagged_rows[0] if result.flagged_rows else None
            # Its line in the file: where the owner finds it, as the notes on empty rows say.
            example = (f" — for example line {first.record.line}: {_html('; '.join(first.problems))}"
                       if first else "")
            notes.append(f"{name}: {counted(result.flagged, 'row')} "
                         f"{'has' if result.flagged == 1 else 'have'} a problem{example}.")
    if outcome.cancelled_at is not None:  # the file the cancel rolled back, then those it never reached
        notes.append(f"<b>{_html(printable(outcome.cancelled_at.file_name))}</b>: "
                     + ("trial run stopped — nothing from it was counted." if trial
                        else "import cancelled — nothing from it was saved."))
        for file in outcome.not_started:
            notes.append(f"<b>{_html(printable(file.file_name))}</b>: "
                         + ("not tried — the trial run was stopped before its turn." if trial
                            else "not imported — the import was cancelled before its turn."))
    if flagged_total:
        notes.append("Rows with problems are still imported, marked for review. "
                     + ("After the import you can save them to a file, fix them and import that file."
                        if trial else "Save them to a file with “Save error report…”, fix them and "
                        "import that file."))
    if not notes:
        return "No problems found." if outcome.runs else ""
    return "<ul style='margin-left:-20px'>" + "".join(f"<li>{n}</li>" for n in notes) + "</ul>"
