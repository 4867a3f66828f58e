"""The rows an import flagged, kept for the error report without holding them all in memory.

A file where every row has a broken date flags every row; a million of them
as Python objects would cost far more memory than the import itself.  The
first rows stay in memory (the wizard shows the first one, and most files flag
a handful); the rest go to a temporary file, read back in order when the error
report is written and deleted with the list.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO

from omnidesk.core import tempfiles
from omnidesk.core.importing.sniff import Record

IN_MEMORY = 1_000  # flagged rows held as objects before the rest spill to disk


@dataclass
class FlaggedRow:
    record: Record
    problems: list[str]


class FlaggedRows:
    """An append-only, iterable list of :class:`FlaggedRow` with flat memory use."""

    def __init__(self, in_memory: int | None = None) -> None:
        self._in_memory = IN_MEMORY if in_memory is None else in_memory
        self._head: list[FlaggedRow] = []
        self._spill: IO[str] | None = None
        self._count = 0

    def append(self, row: FlaggedRow) -> None:
        self._count += 1
        if len(self._head) < self._in_memory:
            self._head.append(row)
            return
        if self._spill is None:
            self._spill = tempfile.TemporaryFile("w+", encoding="utf-8", newline="\n",
                                                 dir=tempfiles.private_dir())
        rec = row.record
        self._spill.write(json.dumps([rec.number, rec.line, list(rec.values), rec.problem, row.problems,
                                      None if rec.read is None else list(rec.read)], ensure_ascii=False))
        self._spill.write("\n")

    def __len__(self) -> int:
        return self._count

    def __bool__(self) -> bool:
        return self._count > 0

    def __iter__(self) -> Iterator[FlaggedRow]:
        yield from self._head
        if self._spill is None:
            return
        self._spill.flush()
        self._spill.seek(0)
        for line in self._spill:
            number, line_no, values, problem, problems, read = json.loads(line)
            yield FlaggedRow(Record(number, line_no, tuple(values), problem,
                                    None if read is None else tuple(read)), problems)
        self._spill.seek(0, 2)  # back to the end, for later appends

    def __getitem__(self, index: int) -> FlaggedRow:
        if index < 0:
            index += self._count
        if not 0 <= index < self._count:
            raise IndexError("flagged row index out of range")
        if index < len(self._head):
            return self._head[index]
        for i, row in enumerate(self, start=0):
            if i == index:
                return row
        raise IndexError("flagged row index out of range")  # pragma: no cover - counted above

    def close(self) -> None:
        if self._spill is not None:
            self._spill.close()
            self._spill = None

    def __del__(self) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"FlaggedRows({self._count} rows, {len(self._head)} in memory)"
