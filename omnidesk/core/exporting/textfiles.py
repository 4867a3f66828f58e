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
from omnidesk.core.exporting.outfiles import check_output, written_beside
from omnidesk.core.failures import telling_write_failures
from omnidesk.core.userfiles import read_capped

# The largest JSON file the user names that is read (a message, a plan, a rule): far more than
# any of them holds (a rule listing every email of a large shop included), far below what
# would strain the memory.
MAX_JSON_BYTES = 10 << 20


def write_text(path: str | os.PathLike, text: str, *, overwrite: bool = False) -> Path:
    """Write ``text`` (UTF-8) to ``path`` whole; UserError naming why it cannot be."""
    out = check_output(path, overwrite=overwrite)
    with telling_write_failures(out), written_beside(out, overwrite=overwrite) as partial:
        partial.write_text(text, encoding="utf-8")
    return out


def write_json(path: str | os.PathLike, data: object, *, overwrite: bool = False) -> Path:
    """``data`` as indented UTF-8 JSON (what :func:`read_json` reads back)."""
    return write_text(path, json.dumps(data, indent=2, ensure_ascii=False) + "\n", overwrite=overwrite)


def read_json(path: str | os.PathLike, what: str = "JSON file") -> object:
    """The JSON document in ``path`` (a BOM is fine); UserError saying what is wrong, in one line.

    A pipe or a device is refused unread and no more than MAX_JSON_BYTES is read (see userfiles)."""
    path = Path(path)
    data = read_capped(path, MAX_JSON_BYTES, f"a {what}")
    try:
        return json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise UserError(f"{path.name} is not a {what}: {exc}") from None
    except ValueError:  # a number of more digits than Python reads (4,300)
        raise UserError(f"{path.name} is not a {what}: a number in it has too many digits to read") from None
    except RecursionError:  # Python's reader gives up near a thousand levels: no message or plan is that deep
        raise UserError(f"{path.name} is not a {what}: it is nested too deep to read") from None
