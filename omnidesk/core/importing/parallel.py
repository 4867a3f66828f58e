"""Normalizing a file's rows, on every core when the file is big.

Normalizing (cleaning cells, parsing emails, phones, dates, money) is most of
what reading a file costs, and one row's result never depends on another's:
chunks of records go to worker processes while this process reads the file
and writes what comes back.  Results come back in the file's order, so the
import is the same row for row whichever way it ran.

Workers are started with ``spawn`` on every platform (the only start method
that behaves the same on Linux, macOS and Windows, and the one a frozen
bundle supports; the bundle's entry point calls ``freeze_support``).  Starting
one costs a second or so of imports, so a small file is normalized here
in-process.

So is any file on a machine with fewer than ``PARALLEL_MIN_CORES`` cores: the
importing process needs a core of its own to read and store, and a worker
spends more on a row than this process does (the rows travel both ways,
each worker fills its own caches).  On the two-core benchmark machine the
100,000-row file's row phase took 12-13 s in-process and 16-17 s with one
worker, 17-22 s with two; once normalizing had become three times cheaper,
6 s in-process and 10 s with one worker.  With this process also normalizing
the next chunks whenever the worker was behind, 200,000 rows were read and
stored faster than in-process (10.0-10.9 s against 11.7-11.8 s), but the
whole import of a million rows was slower (196.9 s against 175.6 s: storing
took 72 s against 61 s, and the linking after it slowed too), so that was not
kept.  ``OMNIDESK_IMPORT_WORKERS`` sets the number of
workers whatever the machine (0: in-process), to measure elsewhere.
"""

from __future__ import annotations

import gc
import os
from collections import deque
from collections.abc import Iterator, Sequence
from dataclasses import fields
from itertools import islice

from omnidesk.core.importing.rows import Row, RowNormalizer, row_hasher
from omnidesk.core.importing.sniff import Record
from omnidesk.core.importing.store import stored_text

PARALLEL_MIN_ROWS = 50_000  # from this many (estimated) rows workers pay for their start-up
PARALLEL_MIN_CORES = 4  # below this, in-process was faster (see the module docstring)
MAX_WORKERS = 4
WORKERS_VARIABLE = "OMNIDESK_IMPORT_WORKERS"
IN_FLIGHT_PER_WORKER = 2  # chunks queued per worker: enough to keep it busy, bounded in memory

# A Row travels back as the tuple of its fields after ``record`` (which this
# process still holds): rebuilding the object here is a few times cheaper than
# unpickling it as one.
_ROW_FIELDS = tuple(f.name for f in fields(Row))[1:]


def worker_count(estimated_rows: int) -> int:
    """How many worker processes a file of ``estimated_rows`` is normalized with (0: in-process).

    One per core but the importing process's own, from ``PARALLEL_MIN_ROWS`` rows
    and ``PARALLEL_MIN_CORES`` cores; ``OMNIDESK_IMPORT_WORKERS`` overrides both.
    """
    forced = os.environ.get(WORKERS_VARIABLE, "").strip()
    if forced.isdigit():
        return int(forced)
    cores = os.cpu_count() or 1
    if estimated_rows < PARALLEL_MIN_ROWS or cores < PARALLEL_MIN_CORES:
        return 0
    return min(cores - 1, MAX_WORKERS)


def normalized_chunks(records: Iterator[Record], normalizer: RowNormalizer, channel: str,
                      header: Sequence[str], chunk: int, workers: int = 0
                      ) -> Iterator[tuple[list[Row], list[str]]]:
    """Each ``chunk`` of ``records`` normalized, with each row's hash, in the file's order.

    With ``workers`` (see :func:`worker_count`) the chunks are normalized in
    that many processes, a few chunks ahead of the caller; without, here.  An
    error in a worker is raised here, at its chunk.  Closing the iterator
    stops the workers.
    """
    if workers <= 0:
        normalize, hash_row = normalizer.normalize, row_hasher(channel, header)
        while part := list(islice(records, chunk)):
            yield [normalize(rec) for rec in part], [hash_row(rec.values) for rec in part]
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"),
                               initializer=_start_worker, initargs=(normalizer, channel, tuple(header)))
    pending: deque = deque()
    try:
        while True:
            while len(pending) < workers * IN_FLIGHT_PER_WORKER:
                part = list(islice(records, chunk))
                if not part:
                    break
                pending.append((part, pool.submit(_normalize_chunk, part)))
            if not pending:
                return
            part, future = pending.popleft()
            packed, hashes = future.result()
            yield _unpack(part, packed), hashes
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _unpack(part: list[Record], packed: list[tuple]) -> list[Row]:
    new = Row.__new__
    rows = []
    for rec, values in zip(part, packed):
        row = new(Row)
        row.__dict__["record"] = rec
        row.__dict__.update(zip(_ROW_FIELDS, values))
        rows.append(row)
    return rows


_worker: tuple[RowNormalizer, str, tuple[str, ...]] | None = None


def _start_worker(normalizer: RowNormalizer, channel: str, header: tuple[str, ...]) -> None:
    global _worker
    _worker = (normalizer, channel, header)
    # What the worker imported stays for its life: the collector need not scan it again and
    # again while rows come and go (they hold no cycles; reference counting frees them).
    gc.freeze()


def _normalize_chunk(part: list[Record]) -> tuple[list[tuple], list[str]]:
    assert _worker is not None, "a worker normalizes only after _start_worker"
    normalizer, channel, header = _worker
    packed = []
    for rec in part:
        row = normalizer.normalize(rec)
        row.stored = stored_text(row)
        packed.append(tuple(getattr(row, name) for name in _ROW_FIELDS))
    hash_row = row_hasher(channel, header)
    return packed, [hash_row(rec.values) for rec in part]
