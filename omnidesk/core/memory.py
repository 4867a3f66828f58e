"""Handing memory back to the system after big temporary arrays.

glibc's allocator raises its mmap threshold each time a large block is freed,
so later large arrays come from the heap, and when they are freed the heap
keeps the pages: after blocking a million records the process held 200 MB of
free memory it no longer used.  ``malloc_trim`` returns it.  Elsewhere (macOS,
Windows, musl) this does nothing: their allocators do not hold on that way, or
offer no such call.
"""

from __future__ import annotations

import ctypes
import gc
import sys
from contextlib import contextmanager
from functools import lru_cache


@lru_cache(maxsize=1)
def _trim():
    if not sys.platform.startswith("linux"):
        return None
    try:
        return ctypes.CDLL("libc.so.6").malloc_trim
    except (OSError, AttributeError):  # not glibc
        return None


def give_back_free_memory() -> bool:
    """Return the heap's free pages to the system; True where that is possible here."""
    trim = _trim()
    if trim is None:
        return False
    trim(0)
    return True


@contextmanager
def cycle_collection_paused():
    """Python's cyclic garbage collector paused inside the block.

    An import or a resolve creates hundreds of thousands of small objects that
    hold no reference cycles; with many long-lived objects around (caches, the
    records being resolved), each of the collector's full passes rescans all
    of them, again and again.  Reference counting still frees everything as
    usual.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
