"""JSON and text files written whole and read with one clear error: message files, plan files, rendered variants.

Written beside the target and renamed into place, so a file is there whole or
not at all; never over a workspace (the outfiles guard); an existing file is
replaced only when asked.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from omnidesk.core.errors import UserError
from omnidesk.core.exporting.outfiles import check_output
from omnidesk.core.failures import telling_write_failures


def write_text(path: str | os.PathLike, text: str, *, overwrite: bool = False) -> Path:
    """Write ``text`` (UTF-8) to ``path`` whole; UserError naming why it cannot be."""
    out = check_output(path, overwrite=overwrite)
    partial = out.with_name(f".{out.name}.partial")
    with telling_write_failures(out):
        try:
            partial.write_text(text, encoding="utf-8")
            os.replace(partial, out)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
    return out


def write_json(path: str | os.PathLike, data: object, *, overwrite: bool = False) -> Path:
    """``data`` as indented UTF-8 JSON (what :func:`read_json` reads back)."""
    return write_text(path, json.dumps(data, indent=2, ensure_ascii=False) + "\n", overwrite=overwrite)


def read_json(path: str | os.PathLike, what: str = "JSON file") -> object:
    """The JSON document in ``path`` (a BOM is fine); UserError saying what is wrong, in one line."""
    path = Path(path)
    try:
        return json.loads(path.read_text(encoding="utf-8-sig"))
    except OSError as exc:
        raise UserError(f"Cannot read {path}: {exc.strerror or exc}.") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise UserError(f"{path.name} is not a {what}: {exc}") from None
    except RecursionError:  # Python's reader gives up near a thousand levels: no message or plan is that deep
        raise UserError(f"{path.name} is not a {what}: it is nested too deep to read") from None
