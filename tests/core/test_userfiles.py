"""A file the user names is read only when it is a regular file, and never past what its kind may hold."""

from __future__ import annotations

import io
import os

import pytest

from omnidesk.core import userfiles
from omnidesk.core.errors import UserError


def test_a_file_of_the_limit_is_read_and_one_byte_more_is_not(tmp_path):
    path = tmp_path / "m.json"
    path.write_bytes(b"x" * (1 << 20))
    assert userfiles.read_capped(path, 1 << 20, "a message file") == b"x" * (1 << 20)
    path.write_bytes(b"x" * ((1 << 20) + 1))
    with pytest.raises(UserError, match=r'^"m.json" is over 1 MB; a message file may be 1 MB at most.$'):
        userfiles.read_capped(path, 1 << 20, "a message file")
    path.write_bytes(b"x" * (3 << 19))
    with pytest.raises(UserError, match=r'^"m.json" is 1.5 MB; a message file may be 1 MB at most.$'):
        userfiles.read_capped(path, 1 << 20, "a message file")


def test_a_file_growing_as_it_is_read_is_read_no_further_than_the_limit_and_one_byte(tmp_path, monkeypatch):
    # Its size, looked at first, said it fitted; what is read is still cut at the limit and one byte.
    path = tmp_path / "big.json"
    path.write_bytes(b"x" * (3 << 20))
    asked = []
    real_fdopen, real_fstat = os.fdopen, os.fstat

    class Reader(io.BufferedReader):
        def read(self, n=-1):
            asked.append(n)
            return super().read(n)

    def fdopen(fd, mode="r", *args, **kwargs):
        return Reader(io.FileIO(fd, "rb")) if mode == "rb" else real_fdopen(fd, mode, *args, **kwargs)

    def fstat(fd):
        result = real_fstat(fd)
        return os.stat_result((*result[:6], 10, *result[7:]))  # st_size: 10 bytes, when it was looked at

    monkeypatch.setattr(userfiles.os, "fdopen", fdopen)
    monkeypatch.setattr(userfiles.os, "fstat", fstat)
    with pytest.raises(UserError, match=r'"big.json" is over 1 MB; a plan file may be 1 MB at most'):
        userfiles.read_capped(path, 1 << 20, "a plan file")
    assert asked == [(1 << 20) + 1]
