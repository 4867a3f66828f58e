"""Handing freed memory back works where the allocator allows it, and never fails elsewhere."""

from __future__ import annotations

import platform
import sys

from omnidesk.core.memory import give_back_free_memory


def test_free_memory_goes_back_on_glibc_and_is_a_no_op_elsewhere():
    glibc = sys.platform.startswith("linux") and platform.libc_ver()[0] == "glibc"
    assert give_back_free_memory() is glibc
    assert give_back_free_memory() is glibc  # again: the lookup is kept
