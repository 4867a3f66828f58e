"""What importing one file did: the counts, and the rows it flagged or skipped."""

from __future__ import annotations

from dataclasses import dataclass, field

from omnidesk.core.importing.flagged import FlaggedRows
from omnidesk.core.text import counted

# Why a suppressed row was left out, in the words every summary of an import uses (CLI and GUI).
ERASED = "erased at their request"


@dataclass
class ImportResult:
    file_name: str
    preset: str | None
    kind: str
    channel: str
    batch_id: int | None = None
    rows: int = 0
    imported: int = 0
    flagged: int = 0
    duplicates: int = 0  # rows not imported: the same file (same bytes) was imported before
    seen_before: int = 0  # rows identical to one of an earlier file: imported, on that row's customer
    events: int = 0
    new_customers: int = 0
    updated_customers: int = 0
    queued_reviews: int = 0
    suppressed: int = 0  # rows of erased people, not imported
    erased_mentions: int = 0  # rows of others imported without the erased person they named
    skipped: int = 0  # rows kept as read that are nobody (no name, email, phone or id; test leads)
    # New customers with no name whose only email or phone other customers hold (identity.shared_only)
    shared_only: list = field(default_factory=list, compare=False)
    blank: int = 0  # rows with no value in any cell (",,,"): nothing to keep, not in ``rows``
    dry_run: bool = False
    already_imported: int | None = None  # the batch that imported this exact file before
    header: tuple[str, ...] = ()
    flagged_rows: FlaggedRows = field(default_factory=FlaggedRows, compare=False)
    # later line-item rows of multi-row orders -> the order's first row; rows seen
    # before in another file -> that file's identical record
    followers: dict[int, int] = field(default_factory=dict, repr=False)
    # why rows were skipped -> their record numbers (the rows' count, a report's omnidesk_row)
    skipped_rows: dict[str, list[int]] = field(default_factory=dict, compare=False)
    # why rows were skipped -> the lines of the file they are on, as notes name them
    skipped_lines: dict[str, list[int]] = field(default_factory=dict, compare=False)
    blank_lines: list[int] = field(default_factory=list, compare=False)  # the first blank rows' lines

    def skip_notes(self) -> list[str]:
        """One sentence per reason rows were skipped, naming the first few by their line in the file
        (the row number a spreadsheet shows them at), as every note names a row."""
        notes = []
        for reason, lines in self.skipped_lines.items():
            shown = ", ".join(str(n) for n in lines[:5]) + (", …" if len(lines) > 5 else "")
            rows, where = ("row", "line") if len(lines) == 1 else ("rows", "lines")
            notes.append(f"{len(lines)} {rows} skipped, {reason} ({where} {shown}): "
                         "kept as read, but not made into customers.")
        if self.blank:
            lines = self.blank_lines
            shown = ", ".join(str(n) for n in lines[:5]) + (", …" if self.blank > 5 else "")
            rows, where = ("row", "line") if self.blank == 1 else ("rows", "lines")
            notes.append(f"{self.blank} empty {rows} skipped ({where} {shown}): no cell holds a value, "
                         "so there is nothing to keep.")
        return notes

    def left_out_note(self) -> str | None:
        """The rows of erased people left out, as one sentence; None when there were none."""
        if not self.suppressed:
            return None
        return (f"{counted(self.suppressed, 'row')} left out ({ERASED}): an erased person is never "
                "imported again.")

    def shared_only_note(self) -> str | None:
        """Why some records are new customers of their own though they share a number: one
        sentence, None when there are none."""
        from omnidesk.core.identity.shared_only import import_note

        return import_note(self.shared_only)

    def summary(self) -> dict:
        return {
            "file": self.file_name,
            "preset": self.preset,
            "kind": self.kind,
            "channel": self.channel,
            "rows": self.rows,
            "imported": self.imported,
            "flagged": self.flagged,
            "duplicates": self.duplicates,
            "seen_before": self.seen_before,
            "events": self.events,
            "new_customers": self.new_customers,
            "updated_customers": self.updated_customers,
            "queued_reviews": self.queued_reviews,
            "suppressed": self.suppressed,
            "erased_mentions": self.erased_mentions,
            "skipped": self.skipped,
            "shared_only": sum(s.records for s in self.shared_only),
            "shared_only_customers": [{"customer": s.customer_id, "shares": s.kind, "held_by": s.held_by}
                                      for s in self.shared_only[:100]],
            "shared_only_note": self.shared_only_note(),
            "skipped_rows": {reason: numbers[:100] for reason, numbers in self.skipped_rows.items()},
            "skipped_lines": {reason: lines[:100] for reason, lines in self.skipped_lines.items()},
            "blank": self.blank,
            "blank_lines": self.blank_lines[:100],
            "batch_id": self.batch_id,
            "dry_run": self.dry_run,
        }
