"""Write resources/names/kanji_name_readings.tsv.gz: how Japanese family and given names in kanji are read.

Run with ``python packaging/make_kanji_readings.py`` where the ``unidic-lite``
package is installed (it is needed here only, not by the app).  Its
dictionary, UniDic 2.1.2 by the UniDic Consortium (BSD licence, see
resources/names/UNIDIC-LICENSE.txt), lists some 47,000 person names
(名詞,固有名詞,人名,姓 and 名) with their readings in katakana.  Each name
written with a kanji is kept with its readings, folded to Latin letters the
way matching folds kana (``omnidesk.core.identity.keys.fold``), likeliest
first (by the dictionary's word cost):

    山本<TAB>yamamoto
    晃<TAB>akira kou hikaru ...

The dictionary file is read directly (MeCab's ``sys.dic``: a header, a
double array, 16-byte token records pointing at comma-separated feature
strings), so nothing but the standard library and omnidesk is needed.
"""

from __future__ import annotations

import gzip
import shutil
import struct
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from omnidesk.core.identity.keys import fold  # noqa: E402

OUT = ROOT / "resources" / "names" / "kanji_name_readings.tsv.gz"
LICENSE = ROOT / "resources" / "names" / "UNIDIC-LICENSE.txt"
ORTH, KANA = 8, 17  # feature fields (dicrc): the name as written, its reading


def _has_kanji(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf" or ch == "々" for ch in text)


def read_names(dicdir: Path) -> dict[str, list[str]]:
    data = (dicdir / "sys.dic").read_bytes()
    _magic, _version, _type, lexsize, _lsize, _rsize, dsize, tsize, fsize, _dummy = struct.unpack_from("<10I", data)
    tokens_at = 40 + 32 + dsize
    features_at = tokens_at + tsize
    best: dict[str, dict[str, int]] = defaultdict(dict)
    for k in range(lexsize):
        _lc, _rc, _pos, cost, feature, _compound = struct.unpack_from("<HHHhII", data, tokens_at + 16 * k)
        end = data.index(b"\0", features_at + feature)
        fields = data[features_at + feature:end].decode("utf-8").split(",")
        if fields[:3] != ["名詞", "固有名詞", "人名"] or fields[3] not in ("姓", "名") or len(fields) <= KANA:
            continue
        written, kana = fields[ORTH], fields[KANA]
        if not _has_kanji(written) or kana in ("", "*"):
            continue
        reading = fold(kana)
        if not reading.isascii() or not reading.isalpha():
            continue
        key = fold(written)
        seen = best[key]
        seen[reading] = min(cost, seen.get(reading, cost))
    assert fsize, "no features in the dictionary"
    return {name: sorted(r, key=lambda x: (r[x], x)) for name, r in best.items()}


def main() -> None:
    import unidic_lite

    dicdir = Path(unidic_lite.DICDIR)
    names = read_names(dicdir)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    lines = "".join(f"{name}\t{' '.join(readings)}\n" for name, readings in sorted(names.items()))
    # A fixed mtime keeps the file byte for byte the same from one run to the next.
    with open(OUT, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, filename="") as out:
        out.write(lines.encode("utf-8"))
    shutil.copyfile(dicdir / "BSD", LICENSE)
    print(f"{len(names):,} names written to {OUT.relative_to(ROOT)} ({OUT.stat().st_size:,} bytes)")


if __name__ == "__main__":
    main()
