"""Names in Japanese kana and in Devanagari, read in Latin letters so they compare with their romanisations.

A shop in Japan has one customer as ヤマダ タロウ at the till, やまだ たろう in a
phone's contacts and Taro Yamada in its newsletter; a shop in India has
राहुल शर्मा and Rahul Sharma.  Matching folds every name to lower-case Latin
letters (``keys.fold``), and :func:`latin_reading` is the step that turns
these two scripts into Latin first:

* kana (hiragana, katakana, half-width katakana) by Hepburn, with the long
  vowels most romanisations leave out written short ("ユウタ" -> "yuta",
  "ヨウスケ" -> "yosuke") and the long-vowel mark dropped;
* Devanagari as people spell their names in Latin letters: no diacritics,
  long vowels single ("शर्मा" -> "sharma"), the inherent vowel not spoken at
  the end of a word unless a consonant cluster or a one-letter word ends it
  ("राहुल" -> "rahul", "पद्म" -> "padma").

Kanji are left as they are: one kanji name has several readings, and a
record's furigana says which is meant.  Without one, :func:`kanji_name_readings`
gives the readings a dictionary knows for a family or given name (UniDic's
person names, ``resources/names``), so that 山本 晃 can meet Akira Yamamoto,
and reads a name it lacks from parts it has (聡太郎 as 聡 and 太郎); a name it
cannot read either way, or reads otherwise, compares with the same kanji only.
Any other character passes through unchanged.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

__all__ = ["kanji_name_readings", "latin_reading", "needs_reading"]

_KANA = {
    "ア": "a", "イ": "i", "ウ": "u", "エ": "e", "オ": "o",
    "カ": "ka", "キ": "ki", "ク": "ku", "ケ": "ke", "コ": "ko",
    "ガ": "ga", "ギ": "gi", "グ": "gu", "ゲ": "ge", "ゴ": "go",
    "サ": "sa", "シ": "shi", "ス": "su", "セ": "se", "ソ": "so",
    "ザ": "za", "ジ": "ji", "ズ": "zu", "ゼ": "ze", "ゾ": "zo",
    "タ": "ta", "チ": "chi", "ツ": "tsu", "テ": "te", "ト": "to",
    "ダ": "da", "ヂ": "ji", "ヅ": "zu", "デ": "de", "ド": "do",
    "ナ": "na", "ニ": "ni", "ヌ": "nu", "ネ": "ne", "ノ": "no",
    "ハ": "ha", "ヒ": "hi", "フ": "fu", "ヘ": "he", "ホ": "ho",
    "バ": "ba", "ビ": "bi", "ブ": "bu", "ベ": "be", "ボ": "bo",
    "パ": "pa", "ピ": "pi", "プ": "pu", "ペ": "pe", "ポ": "po",
    "マ": "ma", "ミ": "mi", "ム": "mu", "メ": "me", "モ": "mo",
    "ヤ": "ya", "ユ": "yu", "ヨ": "yo",
    "ラ": "ra", "リ": "ri", "ル": "ru", "レ": "re", "ロ": "ro",
    "ワ": "wa", "ヰ": "i", "ヱ": "e", "ヲ": "o", "ン": "n", "ヴ": "vu",
    "ァ": "a", "ィ": "i", "ゥ": "u", "ェ": "e", "ォ": "o",
}
_SMALL_Y = {"ャ": "a", "ュ": "u", "ョ": "o"}

_CONSONANTS = {
    "क": "k", "ख": "kh", "ग": "g", "घ": "gh", "ङ": "n", "च": "ch", "छ": "chh", "ज": "j", "झ": "jh", "ञ": "n",
    "ट": "t", "ठ": "th", "ड": "d", "ढ": "dh", "ण": "n", "त": "t", "थ": "th", "द": "d", "ध": "dh", "न": "n",
    "प": "p", "फ": "ph", "ब": "b", "भ": "bh", "म": "m", "य": "y", "र": "r", "ल": "l", "व": "v", "श": "sh",
    "ष": "sh", "स": "s", "ह": "h", "ळ": "l",
}
_WITH_NUKTA = {"क": "q", "ख": "kh", "ग": "g", "ज": "z", "ड": "r", "ढ": "rh", "फ": "f", "य": "y"}
_VOWELS = {"अ": "a", "आ": "a", "इ": "i", "ई": "i", "उ": "u", "ऊ": "u", "ऋ": "ri", "ए": "e", "ऐ": "ai",
           "ओ": "o", "औ": "au", "ऑ": "o", "ऍ": "e"}
_SIGNS = {"ा": "a", "ि": "i", "ी": "i", "ु": "u", "ू": "u", "ृ": "ri", "े": "e", "ै": "ai", "ो": "o",
          "ौ": "au", "ॅ": "e", "ॉ": "o"}
_NUKTA, _VIRAMA = "\u093c", "\u094d"

_SCRIPTS = re.compile("[\u3041-\u30ff\uff66-\uff9f\u0900-\u097f]")
_LONG = re.compile("ou|oo|uu")


def needs_reading(text: str) -> bool:
    """Whether ``text`` has kana or Devanagari for :func:`latin_reading` to read."""
    return not text.isascii() and _SCRIPTS.search(text) is not None


@lru_cache(maxsize=50_000)
def latin_reading(text: str) -> str:
    """``text`` with its kana and Devanagari words written in Latin letters; everything else kept."""
    if not needs_reading(text):
        return text
    # NFKC joins half-width katakana and their voicing marks (ﾀﾞ -> ダ); hiragana read as katakana.
    text = unicodedata.normalize("NFKC", text)
    text = "".join(chr(ord(c) + 0x60) if "\u3041" <= c <= "\u3096" else c for c in text)
    out: list[str] = []
    word: list[str] = []
    kind = ""
    for ch in text:
        k = "kana" if "\u30a1" <= ch <= "\u30fc" else "deva" if "\u0900" <= ch <= "\u097f" else ""
        if k != kind and word:
            out.append(_kana(word) if kind == "kana" else _devanagari(word) if kind == "deva" else "".join(word))
            word = []
        kind = k
        word.append(ch)
    if word:
        out.append(_kana(word) if kind == "kana" else _devanagari(word) if kind == "deva" else "".join(word))
    return "".join(out)


def _kana(chars: list[str]) -> str:
    out: list[str] = []
    double = False
    for ch in chars:
        if ch == "ッ":
            double = True
            continue
        if ch == "ー" or ch == "・":
            continue
        if ch in _SMALL_Y and out:
            prev = out.pop()
            # キャ kya, シャ sha, チャ cha, ジャ ja: the i of the syllable before gives way.
            stem = prev[:-1] if prev.endswith("i") else prev
            out.append(stem + ("" if stem.endswith(("sh", "ch", "j")) else "y") + _SMALL_Y[ch])
            continue
        syllable = _KANA.get(ch, "")
        if ch in "ァィゥェォ" and out and len(out[-1]) > 1:
            # ファ fa, ティ ti: a small vowel replaces the vowel of the syllable before.
            syllable = out.pop()[:-1] + syllable
        if double and syllable:
            syllable = ("t" if syllable.startswith("ch") else syllable[0]) + syllable
        double = False
        out.append(syllable)
    # Most romanisations write long vowels short: Yūta, Yuuta and Yuta are one name.
    return _LONG.sub(lambda m: m.group(0)[0], "".join(out))


def _devanagari(chars: list[str]) -> str:
    text = unicodedata.normalize("NFD", "".join(chars))
    out: list[str] = []
    pending = False  # a consonant still owed its inherent vowel
    conjunct = False  # ... and it closes a consonant cluster
    killed = False
    for i, ch in enumerate(text):
        if ch == _NUKTA:
            continue
        if ch in _CONSONANTS:
            if pending:
                out.append("a")
            nukta = i + 1 < len(text) and text[i + 1] == _NUKTA
            out.append(_WITH_NUKTA[ch] if nukta and ch in _WITH_NUKTA else _CONSONANTS[ch])
            conjunct, killed, pending = killed, False, True
        elif ch in _SIGNS:
            out.append(_SIGNS[ch])
            pending = False
        elif ch == _VIRAMA:
            pending, killed = False, True
        elif ch in _VOWELS:
            if pending:
                out.append("a")
            out.append(_VOWELS[ch])
            pending = False
        elif ch in "\u0902\u0901":  # anusvara, chandrabindu
            if pending:
                out.append("a")
            out.append("n")
            pending = False
        elif ch == "\u0903":  # visarga
            out.append("h")
            pending = False
    if pending and (len(out) == 1 or conjunct):
        out.append("a")
    return "".join(out)


@lru_cache(maxsize=1)
def _kanji_names() -> dict[str, tuple[str, ...]]:
    """The dictionary of Japanese family and given names: folded name -> readings, likeliest first.

    Written by ``packaging/make_kanji_readings.py`` from UniDic (BSD licence); some
    42,000 names, read once, the first time a name in kanji meets one in Latin letters.
    """
    import gzip

    from omnidesk.core.paths import resource_path

    names: dict[str, tuple[str, ...]] = {}
    try:
        with gzip.open(resource_path("names", "kanji_name_readings.tsv.gz"), "rt", encoding="utf-8") as f:
            for line in f:
                name, _, readings = line.rstrip("\n").partition("\t")
                names[name] = tuple(readings.split())
    except OSError:  # a checkout without the file: kanji meet kanji only, as before
        return {}
    return names


def kanji_name_readings(name: str) -> tuple[str, ...]:
    """How a folded family or given name written in kanji may be read, in folded Latin letters.

    A name the dictionary holds has its readings there: a name read several ways
    (中田: Nakata, Nakada) has them all, likeliest first.  A name it does not hold
    whole is read from parts it does (:func:`_composed_readings`): 聡太郎 as 聡 and
    太郎, くみ子 as its kana and the ending 子.  ``()`` for a name neither way reads
    (or not in kanji).
    """
    if name.isascii():
        return ()
    names = _kanji_names()
    known = names.get(name)
    if known is not None or not names:
        return known or ()
    return _composed_readings(name)


# A name ending is kept when at least this many dictionary names show it read that way.
_ENDING_SEEN = 5
_MOST_READINGS = 32  # a composed name's readings are cut off here (likeliest first)
_RUNS = re.compile(r"[a-z]+|[^a-z]+")


@lru_cache(maxsize=1)
def _name_endings() -> dict[str, tuple[str, ...]]:
    """How the last one or two kanji of a name are read there, learned from the dictionary itself.

    Where a dictionary name is another dictionary name plus an ending, and its
    reading is that name's reading plus more, the more is how the ending reads:
    恵子 (keiko) is 恵 (kei) and 子, so 子 reads "ko" at a name's end.  An ending
    is kept with every reading at least ``_ENDING_SEEN`` names show, most often
    seen first: 子 "ko", 美 "mi", 介 "suke", 彦 "hiko", 郎 "ro".
    """
    names = _kanji_names()
    seen: dict[tuple[str, str], int] = {}
    for name, readings in names.items():
        for k in (1, 2):
            head, tail = name[:-k], name[-k:]
            heads = names.get(head) if head else None
            if not heads:
                continue
            for whole in readings:
                for start in heads:
                    if len(whole) > len(start) and whole.startswith(start):
                        key = (tail, whole[len(start):])
                        seen[key] = seen.get(key, 0) + 1
    endings: dict[str, list[tuple[int, str]]] = {}
    for (tail, reading), count in seen.items():
        if count >= _ENDING_SEEN:
            endings.setdefault(tail, []).append((-count, reading))
    return {tail: tuple(r for _, r in sorted(found)) for tail, found in endings.items()}


def _kanji_only(text: str) -> bool:
    return all("\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf" or ch == "\u3005" for ch in text)


@lru_cache(maxsize=8192)
def _composed_readings(name: str) -> tuple[str, ...]:
    """The readings of a name the dictionary does not hold whole, from the parts it does.

    The name's kana (already folded to Latin letters) stand for themselves; each
    run of kanji is a dictionary name, or a dictionary name and an ending
    (:func:`_name_endings`), or, after kana, an ending alone (ゆき子: "yuki" and
    "ko").  Every way the parts read, joined, likeliest first; ``()`` when a part
    reads no way.  Such a reading only ever makes a name the same as one written
    so in Latin letters, never different from it: the caller compares it for
    equality, as it does the dictionary's own.
    """
    names, endings = _kanji_names(), _name_endings()
    runs = _RUNS.findall(name)
    parts: list[tuple[str, ...]] = []
    for i, run in enumerate(runs):
        if run.isascii():
            parts.append((run,))
            continue
        if not _kanji_only(run):
            return ()
        readings: list[str] = list(names.get(run, ()))
        if i > 0 and i == len(runs) - 1:
            readings.extend(endings.get(run, ()))
        for cut in range(1, len(run)):
            heads, tails = names.get(run[:cut], ()), (*endings.get(run[cut:], ()), *names.get(run[cut:], ()))
            readings.extend(h + t for h in heads for t in tails)
        if not readings:
            return ()
        parts.append(tuple(dict.fromkeys(readings)))
    out = [""]
    for options in parts:
        out = [a + b for a in out for b in options][:_MOST_READINGS]
    return tuple(out)

