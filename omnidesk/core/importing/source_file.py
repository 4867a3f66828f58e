"""A file being planned for import, opened once and read from disk once.

Planning an import looks at a file several times: the encoding check reads
all of it, the delimiter and header guesses read its first lines, the plan
reads its first records, and the file's SHA-256 names it.  A
:class:`SourceFile` serves all of them from one open file.  The bytes are
hashed as they are first read, in order, so the digest costs no extra pass;
the first ``keep`` bytes stay in memory, so the passes that start over (the
sample, the records) take them from there.  A file longer than that is read
from disk again only past those bytes, and only by a pass that gets there.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
from collections.abc import Iterator
from pathlib import Path

# Enough for the sample and the first few thousand records of nearly any export.
KEEP_BYTES = 2 << 20

# Bytes of a file name that are not valid in the system's encoding (Latin-1 "\xe9" in a
# UTF-8 name): Python gives them as lone surrogates, which no text can be stored or written with.
_UNDECODABLE = re.compile("[\ud800-\udfff]")


def file_name_text(name: str) -> str:
    """A file's name as stored and shown: ``name`` with each byte that is not valid in the
    system's encoding escaped as :func:`~omnidesk.core.text.printable` shows it
    ("caf\\udce9.csv"), so the import's record, its messages and its listing all name it the
    same way.  Any other name is returned as it is."""
    return _UNDECODABLE.sub(lambda m: repr(m.group())[1:-1], name)


class SourceFile:
    """Random-access reads of one open file, each byte fetched from disk once where it can be."""

    def __init__(self, path: str | os.PathLike[str], *, keep: int | None = None) -> None:
        self.path = Path(path)
        self._file = open(self.path, "rb")  # noqa: SIM115 - closed by close()
        opened = os.fstat(self._file.fileno())
        # The file as it was opened (its size and time of change): a later look at the path that
        # finds another has it changed since (see ``pipeline.refuse_changed``).
        self.stamp = (opened.st_size, opened.st_mtime_ns)
        self._keep = KEEP_BYTES if keep is None else keep
        self._kept = bytearray()  # the file's first bytes, up to ``keep``
        self._sha256 = hashlib.sha256()
        self._frontier = 0  # bytes read (and hashed) in order from the start so far
        self._at_end = False

    @property
    def size(self) -> int:
        """The bytes in the file as it was read (its size once the digest is known)."""
        return self._frontier if self._at_end else os.fstat(self._file.fileno()).st_size

    def read_at(self, offset: int, n: int) -> bytes:
        """``n`` bytes from ``offset`` (fewer only at the end of the file)."""
        if offset + n <= len(self._kept):  # the common cases first, without piecing together
            return bytes(self._kept[offset:offset + n])
        out = bytearray()
        if offset == self._frontier:
            data = self._advance(n)
            if len(data) == n or not data:
                return data
            out += data
        while len(out) < n:
            at = offset + len(out)
            want = n - len(out)
            if at < len(self._kept):
                piece = self._kept[at:at + want]
            elif at >= self._frontier:
                # Bytes are hashed in order: any gap before ``at`` is read first.
                while self._frontier < at and self._advance(min(at - self._frontier, 1 << 20)):
                    pass
                if self._frontier < at:
                    break
                piece = self._advance(want)
            else:  # past what was kept and already hashed: read again
                self._file.seek(at)
                piece = self._file.read(want)
            if not piece:
                break
            out += piece
        return bytes(out)

    def _advance(self, n: int) -> bytes:
        """Read ``n`` new bytes at the frontier: hash them, keep them while there is room."""
        if self._at_end:
            return b""
        self._file.seek(self._frontier)
        data = self._file.read(n)
        if not data:
            self._at_end = True
            return b""
        self._sha256.update(data)
        if len(self._kept) == self._frontier and self._frontier < self._keep:
            self._kept += data[:self._keep - self._frontier]
        self._frontier += len(data)
        return data

    def chunks(self, size: int) -> Iterator[bytes]:
        """The whole file from its start, ``size`` bytes at a time."""
        offset = 0
        while chunk := self.read_at(offset, size):
            yield chunk
            offset += len(chunk)

    def stream(self) -> io.BufferedReader:
        """A binary file object reading the file from its start (it shares this open file)."""
        return io.BufferedReader(_Reader(self), buffer_size=1 << 16)

    def sha256(self) -> str:
        """The SHA-256 hex digest of the file's bytes (reading on to the end if no pass did)."""
        while self._advance(1 << 20):
            pass
        self._at_end = True
        return self._sha256.hexdigest()

    def close(self) -> None:
        self._file.close()
        self._kept = bytearray()

    def __enter__(self) -> SourceFile:
        return self

    def __exit__(self, *_exc) -> None:
        self.close()


class _Reader(io.RawIOBase):
    """A read position of its own over a :class:`SourceFile`."""

    def __init__(self, source: SourceFile) -> None:
        super().__init__()
        self._source = source
        self._offset = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        data = self._source.read_at(self._offset, len(buffer))
        buffer[:len(data)] = data
        self._offset += len(data)
        return len(data)
