"""Half of a CPU-bound job on the machine's second core, in a forked copy of this process.

Scoring a million records' candidate pairs is pure Python and one pair's
score never depends on another's, but threads cannot share it (the GIL) and
spawned workers would first have to be sent every record.  A forked child
starts with this process's memory as it is — the records, the frequencies,
the model — scores its half, sends the small result back through a pipe and
exits; this process scores the other half meanwhile.

Forking is only done where it is safe and pays:

* on Linux, where ``fork`` copies pages lazily and a child that touches no
  system framework is sound (macOS's frameworks are not fork-safe, Windows
  has no fork);
* with at least two cores available to this process;
* with memory to spare for a copy of this process: the child shares this
  process's pages until either writes to them, and Python writes to every
  object it reads (its reference count), so a child scoring half a million
  records' pairs ends up holding a copy of most of them (some 500 MB beside a
  770 MB resolve of a million records).  It is forked only when the system
  has that much available and ``SPARE_MB`` more.  A big resolve therefore
  forks a :class:`Worker` before it reads its records and sends it, in parts
  (:meth:`Worker.send_part`), only the records it scores
  (``clustering.scoring_worker``);
* unless ``OMNIDESK_RESOLVE_WORKERS=0`` turns it off (to measure, or should
  a platform misbehave).

The child never touches the database, Qt or open files: it runs the given
function, writes its pickled result and leaves with ``os._exit``, so no
inherited connection, buffer or ``atexit`` handler runs twice.  If it fails
or dies, :meth:`Forked.result` raises :class:`ForkFailed` and the caller does
that half itself: the outcome never depends on whether a child ran.
"""

from __future__ import annotations

import os
import pickle
import signal
import sys
from collections.abc import Callable
from typing import Any

WORKERS_VARIABLE = "OMNIDESK_RESOLVE_WORKERS"
SPARE_MB = 512  # memory left to the rest of the system beside a child the size of this process


class ForkFailed(RuntimeError):
    """The child gave no result (it raised, was killed, or could not start)."""


def can_fork() -> bool:
    """Whether half of a job may go to a forked child here (see the module docstring)."""
    if os.environ.get(WORKERS_VARIABLE, "").strip() == "0":
        return False
    if not sys.platform.startswith("linux") or not hasattr(os, "fork"):
        return False
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cores = os.cpu_count() or 1
    return cores >= 2


def _meminfo_mb(path: str, key: str) -> float | None:
    """A ``key: N kB`` line of a /proc file, in MB; None where it cannot be read."""
    try:
        with open(path, encoding="ascii") as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1]) / 1024
    except (OSError, ValueError, IndexError):
        pass
    return None


def room_for(mb: float) -> bool:
    """Whether the system has ``mb`` MB available for a child to take on, and ``SPARE_MB`` more."""
    available = _meminfo_mb("/proc/meminfo", "MemAvailable")
    return available is not None and available >= mb + SPARE_MB


def room_for_a_copy() -> bool:
    """Whether the system has memory for a child as big as this process, and ``SPARE_MB`` more."""
    available = _meminfo_mb("/proc/meminfo", "MemAvailable")
    size = _meminfo_mb("/proc/self/status", "VmRSS")
    return available is not None and size is not None and available >= size + SPARE_MB


def _private_mb() -> float:
    """This process's own (not shared with its parent) memory, in MB, where Linux tells."""
    try:
        with open("/proc/self/smaps_rollup", encoding="ascii") as f:
            kb = sum(int(line.split()[1]) for line in f if line.startswith(("Private_Clean:", "Private_Dirty:")))
        return kb / 1024
    except (OSError, ValueError, IndexError):
        return 0.0


def _end(pid: int) -> None:
    """Kill a child (it may have ended already) and reap it."""
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    os.waitpid(pid, 0)


class Forked:
    """A child computing ``fn(*args)``; :meth:`result` waits for it and returns what it returned."""

    def __init__(self, fn: Callable[..., Any], *args: Any) -> None:
        read, write = os.pipe()
        for stream in (sys.stdout, sys.stderr):  # what is buffered is written once, not by both
            if stream is not None:  # a windowed bundle has none
                stream.flush()
        try:
            pid = os.fork()
        except OSError:
            os.close(read)
            os.close(write)
            raise
        if pid == 0:  # the child: compute, send, leave without running anything inherited
            code = 1
            try:
                os.close(read)
                signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C is the parent's to handle
                value = fn(*args)
                data = pickle.dumps((value, _private_mb()), protocol=pickle.HIGHEST_PROTOCOL)
                with os.fdopen(write, "wb") as out:
                    out.write(data)
                code = 0
            except BaseException:  # noqa: BLE001 - reported to the parent as a missing result
                code = 1
            finally:
                os._exit(code)
        os.close(write)
        self.name = getattr(fn, "__name__", "")  # what it computes, for those who count children
        self._pid = pid
        self._read = read
        self.private_mb = 0.0  # the child's own memory at its end, once :meth:`result` returned

    def done(self) -> bool:
        """Whether the child has finished: its answer (or its end) can be read without waiting."""
        if self._pid is None:
            return True
        import select

        return bool(select.select([self._read], [], [], 0)[0])

    def result(self) -> Any:
        """The child's return value; :class:`ForkFailed` if it gave none."""
        if self._pid is None:
            raise ForkFailed("the child was stopped")
        with os.fdopen(self._read, "rb") as pipe:
            data = pipe.read()
        _, status = os.waitpid(self._pid, 0)
        self._pid = None
        if status != 0 or not data:
            raise ForkFailed(f"the child ended with status {status}")
        value, self.private_mb = pickle.loads(data)
        return value

    def stop(self) -> None:
        """End the child if it still runs (the caller gave up on its result)."""
        if self._pid is None:
            return
        _end(self._pid)
        os.close(self._read)
        self._pid = None


class Worker:
    """A forked child answering ``fn(*args)`` for each :meth:`submit`, one request at a time.

    The caller alternates: :meth:`submit`, then :meth:`result` before the next
    :meth:`submit` (neither side then ever writes while the other does, so a
    big request and a big answer cannot block each other).  Between the two it
    does its own work.  A request that fails (the child raised or died) raises
    :class:`ForkFailed` from :meth:`result`, and the child is gone: the caller
    does that request, and the ones after it, itself.
    """

    def __init__(self, fn: Callable[..., Any]) -> None:
        import multiprocessing

        mine, theirs = multiprocessing.Pipe()
        for stream in (sys.stdout, sys.stderr):
            if stream is not None:
                stream.flush()
        try:
            pid = os.fork()
        except OSError:
            mine.close()
            theirs.close()
            raise
        if pid == 0:
            code = 1
            try:
                mine.close()
                signal.signal(signal.SIGINT, signal.SIG_IGN)
                global _REQUESTS
                _REQUESTS = theirs
                while (args := theirs.recv()) is not None:
                    theirs.send(fn(*args))
                theirs.send(_private_mb())  # asked to end: say what it held of its own
                code = 0
            except BaseException:  # noqa: BLE001 - the parent sees the pipe close
                code = 1
            finally:
                os._exit(code)
        theirs.close()
        self.name = getattr(fn, "__name__", "")  # what it answers, for those who count children
        self._pid: int | None = pid
        self._conn = mine
        self.private_mb = 0.0  # the child's own memory at its end, once :meth:`close` returned

    def __enter__(self) -> Worker:
        return self

    def __exit__(self, kind, *_exc) -> None:
        # After an error (or a caller that stopped early) the child may be half-way through a
        # request nobody will read: it is ended, not waited for.
        if kind is None:
            self.close()
        else:
            self.stop()

    def submit(self, *args: Any) -> None:
        self._send(args)

    def send_part(self, part: Any) -> None:
        """More of the request just submitted, which ``fn`` takes with :func:`next_part`: a big
        request sent in parts is never held whole, pickled, beside what it is made of."""
        self._send(part)

    def _send(self, message: Any) -> None:
        if self._pid is None:
            raise ForkFailed("the child is gone")
        try:
            self._conn.send(message)
        except OSError as err:
            self.stop()
            raise ForkFailed(str(err)) from err

    def result(self) -> Any:
        if self._pid is None:
            raise ForkFailed("the child is gone")
        try:
            return self._conn.recv()
        except (EOFError, OSError) as err:
            self.stop()
            raise ForkFailed("the child ended without an answer") from err

    def close(self) -> None:
        """Let the child end (after the last :meth:`result`), and wait for it."""
        if self._pid is None:
            return
        try:
            self._conn.send(None)
            self.private_mb = self._conn.recv()
        except (EOFError, OSError):
            pass
        self.stop()

    def stop(self) -> None:
        """End the child now, whatever it is doing."""
        if self._pid is None:
            return
        _end(self._pid)
        self._conn.close()
        self._pid = None


_REQUESTS = None  # in a Worker's child: its end of the pipe


def next_part() -> Any:
    """In a :class:`Worker`'s child, answering a request: the next part sent with :meth:`Worker.send_part`."""
    assert _REQUESTS is not None, "only a Worker's child takes parts"
    return _REQUESTS.recv()


def worker(fn: Callable[..., Any]) -> Worker | None:
    """A :class:`Worker` for ``fn``, or ``None`` where :func:`can_fork` or the memory say no, or fork fails."""
    if not can_fork() or not room_for_a_copy():
        return None
    try:
        return Worker(fn)
    except OSError:
        return None


def start(fn: Callable[..., Any], *args: Any) -> Forked | None:
    """``fn(*args)`` started in a forked child, or ``None`` where :func:`can_fork` or the memory say no, or fork fails."""
    if not can_fork() or not room_for_a_copy():
        return None
    try:
        return Forked(fn, *args)
    except OSError:  # out of processes or memory: the caller does the work itself
        return None
