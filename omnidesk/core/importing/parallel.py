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

This process does not sit idle while a worker is behind: when the oldest
chunk is still with a worker (starting up, or slower than this process), it
normalizes the file's next chunks itself and keeps them until the chunks
before it are handed on (at most ``HELD_HERE``, which cost memory while the
file is read: 246 MB at the end of reading 200,000 rows against 169 MB
in-process).

A machine with fewer than ``PARALLEL_MIN_CORES`` cores keeps to one process.
A worker spends more on a row than this process does (the rows travel both
ways, each worker fills its own caches): on the two-core benchmark machine
the 100,000-row file's row phase took 6 s in-process and 10 s with one
worker.  Sharing the rows with one worker as above, 200,000 rows were read,
normalized and stored in 10.0-10.9 s against 11.7-11.8 s in-process, but the
whole import of the million-row file took 196.9 s against 175.6 s: its rows
took 72 s to store against 61 s, and the linking after them was slower too.
``OMNIDESK_IMPORT_WORKERS`` sets the number of workers whatever the machine
(0: in-process), to measure elsewhere.
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
HELD_HERE = 4  # chunks normalized here at most while waiting for a worker's (held until theirs is stored)

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
    that many processes, a few chunks ahead of the caller, and here while the
    oldest is not back yet (up to ``HELD_HERE`` chunks); without, here.  An
    error in a worker is raised here, at its chunk.  Closing the iterator
    stops the workers.
    """
    normalize, hash_row = normalizer.normalize, row_hasher(channel, header)

    def here(part: list[Record]) -> tuple[list[Row], list[str]]:
        return [normalize(rec) for rec in part], [hash_row(rec.values) for rec in part]

    if workers <= 0:
        while part := list(islice(records, chunk)):
            yield here(part)
        return
    pool = _pool(workers, normalizer, channel, header)
    # In the file's order: each chunk's records with its worker's future, or with what this
    # process made of them (no future).
    pending: deque = deque()
    in_flight = 0
    try:
        while True:
            while in_flight < workers * IN_FLIGHT_PER_WORKER:
                part = list(islice(records, chunk))
                if not part:
                    break
                pending.append((part, pool.submit(_normalize_chunk, part), None))
                in_flight += 1
            # While the oldest chunk is still with a worker (starting up, or slower than this
            # process), the next chunk of the file is normalized here instead of waiting.
            while (pending and pending[0][1] is not None and not pending[0][1].done()
                   and len(pending) - in_flight < HELD_HERE):
                part = list(islice(records, chunk))
                if not part:
                    break
                pending.append((part, None, here(part)))
            if not pending:
                return
            part, future, made = pending.popleft()
            if future is None:
                yield made
                continue
            packed, hashes = future.result()
            in_flight -= 1
            yield _unpack(part, packed), hashes
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _pool(workers: int, normalizer: RowNormalizer, channel: str, header: Sequence[str]):
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    return ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"),
                               initializer=_start_worker, initargs=(normalizer, channel, tuple(header)))


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
