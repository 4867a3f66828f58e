"""Which legacy code page a file that is not UTF-8 was written in, and whether its letters look right.

A file that is not UTF-8 is almost always in the code page of the Windows that
saved it: Windows-1252 in Western Europe and the Americas, 1250 in Central
Europe, 1251 for Cyrillic, 1253 for Greek, Shift-JIS in Japan, and so on.  The
bytes alone often fit several of them, so the guess is made in three steps:

1. Each candidate decodes the lines that are not plain ASCII; a reading whose
   words mix alphabets ("Zoл"), glue symbols to letters ("£ukasz"), are made
   only of accented Latin letters ("Èâàí", which is Cyrillic read as
   Windows-1252) or use characters only a rare extension holds counts against it,
   and so does one whose accented letters no single language uses together
   ("Hélčne", "Dvoøák").
2. charset-normalizer ranks what is left by how messy and how coherent
   (letter frequencies of a language) each reading is.
3. A tie goes to the code page of the workspace's region, then to the most
   common one.  A tie between readings that differ, decided on little text, is
   a *weak* guess: the file is read, with a warning naming the other reading.

Rarer code pages take part on evidence only: EUC-JP when its reading holds kana
(Chinese and Korean text, whose bytes it shares, has none), and Mac Roman
(Excel for Mac's "CSV (Macintosh)") or ISO-8859-15 only when no usual code page
reads the text cleanly and one of them reads every word of it cleanly ("RenŽe"
and "JŸrgen" are Mac Roman's "Renée" and "Jürgen" read as Windows-1252).

``mojibake`` spots text that was already garbled before it reached us: UTF-8
read as Windows-1252 and saved again ("JosÃ©", "ÐŸÐµÑ‚Ñ€").
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

from charset_normalizer import from_bytes

from omnidesk.core.errors import UserError

__all__ = ["CHOICES", "Guess", "LOSSLESS", "codec_label", "guess_legacy", "mojibake", "resolve_encoding"]

# The error handler every non-UTF decoding uses: a byte the code page leaves
# undefined becomes the Latin-1 character of the same value (as web browsers do),
# so no byte is ever dropped or turned into U+FFFD.
LOSSLESS = "omnidesk.latin1-fallback"


def _latin1_fallback(exc: UnicodeError) -> tuple[str, int]:
    if not isinstance(exc, UnicodeDecodeError):
        raise exc
    return exc.object[exc.start : exc.end].decode("latin-1"), exc.end


codecs.register_error(LOSSLESS, _latin1_fallback)

# codec (Python's canonical name) -> what a person calls it.  Also the encodings
# the import wizard offers, in this order.
CHOICES: dict[str, str] = {
    "utf-8": "UTF-8",
    "cp1252": "Windows-1252 (Western European)",
    "cp1250": "Windows-1250 (Central European)",
    "cp1251": "Windows-1251 (Cyrillic)",
    "koi8-r": "KOI8-R (Cyrillic)",
    "cp1253": "Windows-1253 (Greek)",
    "iso8859-7": "ISO-8859-7 (Greek)",
    "cp1254": "Windows-1254 (Turkish)",
    "cp1257": "Windows-1257 (Baltic)",
    "cp1255": "Windows-1255 (Hebrew)",
    "cp1256": "Windows-1256 (Arabic)",
    "cp874": "Windows-874 (Thai)",
    "cp932": "Shift-JIS (Japanese)",
    "euc_jp": "EUC-JP (Japanese)",
    "gb18030": "GB18030 (Chinese, simplified)",
    "big5": "Big5 (Chinese, traditional)",
    "cp949": "EUC-KR (Korean)",
    "mac-roman": "Mac Roman",
    "cp850": "DOS Latin-1 (850)",
    "iso8859-1": "ISO-8859-1 (Latin-1)",
    "iso8859-15": "ISO-8859-15 (Latin-9)",
    "utf-16-le": "UTF-16 LE",
    "utf-16-be": "UTF-16 BE",
}

# The short name stored with an import and shown next to the file: "Windows-1251".
_LABELS = {**{codec: label.split(" (")[0] for codec, label in CHOICES.items()},
           "utf-8-sig": "UTF-8 with BOM", "utf-16": "UTF-16"}

# Names people use for a code page whose Windows superset reads the same files and more.
_SUPERSETS = {"shift_jis": "cp932", "euc_kr": "cp949", "gb2312": "gb18030", "gbk": "gb18030",
              "ascii": "utf-8"}

# The code page Windows uses where the workspace is (its default_region).
_REGION_CODEPAGE = {
    **dict.fromkeys(("PL", "CZ", "SK", "HU", "SI", "HR", "RO", "BA", "AL"), "cp1250"),
    **dict.fromkeys(("RU", "UA", "BY", "BG", "MK", "KZ", "KG", "RS", "MN"), "cp1251"),
    **dict.fromkeys(("GR", "CY"), "cp1253"),
    **dict.fromkeys(("TR", "AZ"), "cp1254"),
    **dict.fromkeys(("EE", "LV", "LT"), "cp1257"),
    "IL": "cp1255",
    **dict.fromkeys(("SA", "AE", "EG", "IQ", "JO", "KW", "LB", "QA", "IR"), "cp1256"),
    "TH": "cp874",
    "JP": "cp932",
    **dict.fromkeys(("CN", "SG"), "gb18030"),
    **dict.fromkeys(("TW", "HK", "MO"), "big5"),
    "KR": "cp949",
}

# Tried for every file, most common first (the order breaks ties).
_CANDIDATES = ("cp1252", "cp1250", "cp1251", "koi8-r", "cp1253", "iso8859-7", "cp1254",
               "cp932", "gb18030", "big5", "cp949", "euc_jp")
# Code pages few files come in now (Excel for Mac's "CSV (Macintosh)", Unix Latin-9): each
# reads most bytes as letters, so one wins only with a reading that is wholly clean where
# every usual code page's reading is not (see guess_legacy).
_RARE = ("mac-roman", "iso8859-15")
# EUC-JP shares its byte ranges with the Chinese and Korean code pages, which read its kanji as
# other characters (and it theirs): it is a candidate only when its reading holds kana, which
# Japanese writes on nearly every line and Chinese and Korean text never has.
_KANA_ONLY = ("euc_jp",)

# Multi-byte code pages decode many byte strings; a reading is believable only in
# their common core (what real text in them uses), not their rare extensions.
_CORE = {"cp932": "shift_jis", "gb18030": "gb2312", "cp949": "euc_kr", "big5": "big5", "euc_jp": "euc_jp"}

# How much of the odd lines is looked at, and below how many differing words
# a tie counts as a weak guess.
SAMPLE_BYTES = 256 * 1024
_THIN_EVIDENCE = 12
_CN_CHAOS_TIE = 0.02
_CN_COHERENCE_TIE = 0.05


@dataclass(frozen=True)
class Guess:
    encoding: str
    weak: str | None = None  # why the guess is weak (a sentence part), or None


def codec_label(encoding: str) -> str:
    """What to call ``encoding`` on screen: "Windows-1251", or its own name."""
    return _LABELS.get(encoding) or _LABELS.get(_canonical(encoding) or "", encoding.upper())


def _canonical(name: str) -> str | None:
    try:
        info = codecs.lookup(name)
    except LookupError:
        return None
    if not getattr(info, "_is_text_encoding", True):
        return None
    if info.name in _SUPERSETS:
        return _SUPERSETS[info.name]
    for key in _LABELS:
        if codecs.lookup(key).name == info.name:
            return key
    return info.name


def resolve_encoding(name: str) -> str:
    """The codec to read a file with when the user names its encoding ("cp1251",
    "windows-1251", "Shift_JIS", "latin-1"); raises a one-line :class:`UserError`
    for a name no codec answers to."""
    canonical = _canonical(name.strip()) if name and name.strip() else None
    if canonical is None:
        raise UserError(f'"{name}" is not an encoding Omnidesk knows; try one such as utf-8, '
                        "cp1252, cp1251, cp1250, iso-8859-7 or shift_jis.")
    return canonical


# -- plausibility of a reading ---------------------------------------------------------

_TOKEN = re.compile(r"[^\s,;|\t\"'()<>\[\]{}]+")
# Non-letters a real word may carry inside it.
_WORD_MARKS = frozenset("’‘‐‑–—·.-_/@&+#%0123456789'ʼ")


@lru_cache(maxsize=4096)
def _script(ch: str) -> str:
    try:
        name = unicodedata.name(ch)
    except ValueError:
        return "?"
    first = name.split(" ", 1)[0]
    if first in ("HIRAGANA", "KATAKANA", "KATAKANA-HIRAGANA"):
        return "KANA"  # the long vowel mark of katakana words ("メール") is "KATAKANA-HIRAGANA"
    if first in ("CJK", "HALFWIDTH", "FULLWIDTH", "IDEOGRAPHIC"):
        return "CJK"
    return first


def _bad_token(token: str, core: str | None) -> bool:
    return _badness(token, core) > 0


def _badness(token: str, core: str | None) -> int:
    """How surely ``token`` was misread: 0 reads fine; 1 is only odd (every letter accented,
    "Èâàí"; a capital inside a lower-case word, "RenŽe", "JŸrgen"); 3 cannot be text at all
    (two alphabets in one word, a control character, a letter a double-byte code page's core
    lacks, a symbol glued to a word).

    Quotation marks around a word (“Quotes”, „Zitat“) and an ellipsis after it are punctuation,
    not part of it; and Japanese writes kanji, kana and Latin letters in one word ("東京タワー",
    "Eメール", "会員ID": see ``_latin_beside_east_asian``)."""
    token = token.strip(_QUOTE_MARKS)
    scripts = set()
    letters = accented = 0
    glued = numbered = False
    capital_inside = False
    previous = ""
    for i, ch in enumerate(token):
        if ch.isascii():
            if ch.isalpha():
                letters += 1
                scripts.add("LATIN")
            previous = ch
            continue
        cat = unicodedata.category(ch)
        if cat[0] in "LM":
            if cat[0] == "L":
                letters += 1
                script = _script(ch)
                scripts.add(script)
                if script == "LATIN":
                    accented += 1
                if cat == "Lu" and previous.isalpha() and (
                        previous.islower() or token[i + 1:i + 2].islower()):
                    capital_inside = True
            if core is not None:
                try:
                    ch.encode(core)
                except UnicodeEncodeError:
                    return 3
        elif cat == "Cc":
            return 3
        elif cat == "No":
            numbered = True  # "①", "½", "¹"
        elif ch not in _WORD_MARKS:
            glued = True
        previous = ch
    # A symbol glued to a word ("£ukasz") cannot be text; "20€" is fine, and so is a number
    # sign Japanese and Chinese addresses write beside their words ("東京都①"), but not one
    # in a Latin word ("W¹sik" is Polish "Wąsik" read as Windows-1252).
    if (glued or (numbered and not scripts <= {"CJK", "KANA"})) and letters:
        return 3
    if len(scripts) > 1 and not _japanese(scripts, accented) and not _latin_beside_east_asian(token, scripts, accented):
        return 3
    # Latin words carry an accent here and there; a word made only of accented
    # letters ("Èâàí") is another alphabet read through a Latin code page.
    if accented >= 2 and accented == letters:
        return 1
    # A capital letter after a small one ("RenŽe"), or between a capital and a small one
    # ("JŸrgen"), is how a code page that puts small letters where another has capitals
    # reads: Mac Roman read as Windows-1252, KOI8-R as Windows-1251.
    return 1 if capital_inside else 0


# Quotation marks a word may stand between, and the ellipsis that may end it ("Señor…").
_QUOTE_MARKS = "“”‘’„‚\"'…"


def _japanese(scripts: set[str], accented: int) -> bool:
    """Scripts Japanese writes in one word: kanji with kana, and plain Latin letters with kana."""
    if scripts <= {"CJK", "KANA"}:
        return True
    return "KANA" in scripts and scripts <= {"CJK", "KANA", "LATIN"} and not accented


_EAST_ASIAN = frozenset(("CJK", "KANA", "HANGUL"))


def _latin_beside_east_asian(token: str, scripts: set[str], accented: int) -> bool:
    """Whether ``token`` is an East Asian word with a Latin abbreviation before or after it:
    "会員ID" (member ID), "ID番号", "会員No", "회원ID" — plain letters a-z in one run, and at
    least two East Asian letters in one run beside it.

    A Western code page read as a double-byte one gives no such word: an accented letter
    there takes the byte after it into one character, one at a time and mostly between Latin
    letters ("Hélène" gives H, two kanji, e; "Renée" gives Ren and one), and the capitals
    Windows-1252 accents ("ANDRÉ") become half-width katakana, which are not counted here.
    """
    if accented or not scripts <= _EAST_ASIAN | {"LATIN"}:
        return False
    runs: list[list] = []  # [kind, letters]: "a" for a-z, "w" for a full-width East Asian letter
    for ch in token:
        if not ch.isalpha():
            continue
        if ch.isascii():
            kind = "a"
        elif "\uff61" <= ch <= "\uffdc" or _script(ch) not in _EAST_ASIAN:
            return False  # half-width katakana or Hangul beside Latin letters: a misread
        else:
            kind = "w"
        if runs and runs[-1][0] == kind:
            runs[-1][1] += 1
        else:
            runs.append([kind, 1])
    return len(runs) == 2 and all(n >= 2 for kind, n in runs if kind == "w")


# The letters beyond a-z of the languages written in Latin letters that exports come in.
# A reading whose letters all belong to one language beats one that needs several
# ("Hélčne" takes French and Czech together, "Hélène" French alone).
_ALPHABETS = tuple(frozenset(a) for a in (
    "àâæçéèêëîïôœùûüÿ",  # French
    "äöüß", "áéíñóúü", "áâãàçéêíóôõú", "àèéìíîòóùú", "áéíóúàèëïöü", "àçéèíïòóúü",
    "åäöé", "æøåéóôò", "äöåšž", "áðéíóúýþæö",  # Swedish, Danish/Norwegian, Finnish, Icelandic
    "ąćęłńóśźż", "áčďéěíňóřšťúůýž", "áäčďéíĺľňóôŕšťúýž", "áéíóöőúüű", "ăâîșşțţ", "čćđšž",
    "çğıöşüâîû", "äõöüšž", "āčēģīķļņšūž", "ąčęėįšųūž",
))


def _alphabet_misfit(tokens: list[str]) -> int:
    """How many of the accented Latin letters in ``tokens`` no single language holds."""
    letters = {ch.lower() for t in set(tokens) for ch in t
               if not ch.isascii() and ch.isalpha() and _script(ch) == "LATIN"}
    letters = {ch for ch in letters if len(ch) == 1}
    if not letters:
        return 0
    return min(len(letters - alphabet) for alphabet in _ALPHABETS)


def _odd_tokens(text: str) -> list[str]:
    """The words of ``text`` that hold a non-ASCII character."""
    if text.isascii():
        return []
    return [t for line in text.splitlines() if not line.isascii()
            for t in _TOKEN.findall(line) if not t.isascii()]


def guess_legacy(sample: bytes, region: str | None = None) -> Guess:
    """The code page ``sample`` (lines of a file that are not UTF-8) is most likely in.

    Never fails: Windows-1252 reads every byte, so it is the last resort.
    """
    sample = _whole_lines(sample, SAMPLE_BYTES // 4)
    preferred = _REGION_CODEPAGE.get((region or "").upper())
    order = ([preferred] if preferred else []) + [c for c in _CANDIDATES if c != preferred]
    readings: dict[str, list[str]] = {}
    bad: dict[str, int] = {}
    for codec in order:
        try:
            text = sample.decode(codec)
        except UnicodeDecodeError:
            if codec != "cp1252":
                continue
            text = sample.decode(codec, LOSSLESS)
        tokens = _odd_tokens(text)
        if codec in _KANA_ONLY and not any(_script(ch) == "KANA" for t in set(tokens) for ch in t):
            continue
        readings[codec] = tokens
        core = _CORE.get(codec)
        # Names repeat down a customer list: each distinct word is judged once.
        bad[codec] = sum(n * _badness(t, core) for t, n in Counter(tokens).items())
    fewest = min(bad.values())
    rare = _clean_rare_reading(sample) if fewest else None
    if rare is not None:
        return Guess(rare)
    if fewest:
        # Nothing reads cleanly (symbols glued to words, typing slips): another code
        # page must do clearly better than the usual one to win.
        plausible = [c for c in order if c in bad and bad[c] <= 2 * fewest]
        ranks = {}
    else:
        plausible = [c for c in order if c in bad and bad[c] == 0]
        misfit = {c: _alphabet_misfit(readings[c]) for c in plausible}
        plausible = [c for c in plausible if misfit[c] == min(misfit.values())]
        ranks = _normalizer_ranks(sample, plausible) if len(plausible) > 1 else {}
    if ranks:
        best = min(ranks.get(c, (1.0, 0.0)) for c in plausible)
        plausible = [c for c in plausible if _ties(ranks.get(c, (1.0, 0.0)), best)]
    chosen = plausible[0]
    weak = None
    if fewest and fewest * 10 >= len(readings[chosen]):
        weak = ("many of its words look garbled in every encoding Omnidesk tried "
                f"(such as \"{_example(readings, chosen, bad=True)}\")")
    else:
        for other in plausible[1:]:
            differing = [(a, b) for a, b in zip(readings[chosen], readings[other]) if a != b]
            if differing and len(differing) < _THIN_EVIDENCE:
                a, b = differing[0]
                weak = (f"it has few words to go by, and \"{a}\" could also be \"{b}\" in "
                        f"{CHOICES.get(other, codec_label(other))}")
                break
    return Guess(chosen, weak)


def _clean_rare_reading(sample: bytes) -> str | None:
    """The rare code page (``_RARE``) that reads every word of ``sample`` cleanly, if one does.

    Asked only when no usual code page reads the sample cleanly: Mac Roman's small
    accented letters are Windows-1252's "Š", "Ž", "Ÿ" and undefined bytes ("RenŽe",
    "JŸrgen"), Latin-9's "Š", "Ž" and "€" are Latin-1's "¦", "´" and "¤" ("¦árka").
    A rare reading with any oddity of its own loses to the usual guess, so text in a
    usual code page with a few odd words is never read in a rare one.
    """
    clean = []
    for codec in _RARE:
        try:
            tokens = _odd_tokens(sample.decode(codec))
        except UnicodeDecodeError:
            continue
        if tokens and not any(_badness(t, None) for t in set(tokens)):
            clean.append((_alphabet_misfit(tokens), codec))
    return min(clean)[1] if clean else None


def _whole_lines(sample: bytes, limit: int) -> bytes:
    """At most about ``limit`` bytes of ``sample``, cut at a line end (never inside a character)."""
    if len(sample) <= limit:
        return sample
    cut = sample.rfind(b"\n", 0, limit)
    return sample[:cut] if cut > 0 else sample[:limit]


def _ties(rank: tuple[float, float], best: tuple[float, float]) -> bool:
    return rank[0] - best[0] <= _CN_CHAOS_TIE and rank[1] - best[1] <= _CN_COHERENCE_TIE


def _normalizer_ranks(sample: bytes, codecs_: list[str]) -> dict[str, tuple[float, float]]:
    """(chaos, -coherence) charset-normalizer gives each of ``codecs_`` (lower is better)."""
    isolation = [codecs.lookup(c).name.replace("-", "_") for c in codecs_]
    try:
        matches = from_bytes(sample, cp_isolation=isolation, explain=False)
    except Exception:  # the guesser is an aid; the plausibility check above still stands
        return {}
    by_python_name = {codecs.lookup(c).name: c for c in codecs_}
    ranks: dict[str, tuple[float, float]] = {}
    for m in matches:
        for name in m.could_be_from_charset:
            try:
                key = by_python_name.get(codecs.lookup(name).name)
            except LookupError:
                continue
            if key is not None and key not in ranks:
                ranks[key] = (m.chaos, -m.coherence)
    return ranks


def _example(readings: dict[str, list[str]], codec: str, bad: bool) -> str:
    core = _CORE.get(codec)
    for token in readings[codec]:
        if not bad or _bad_token(token, core):
            return token[:40]
    return readings[codec][0][:40] if readings[codec] else ""


# -- text that was garbled before it reached us -------------------------------------

_NON_ASCII_RUN = re.compile(r"[^\x00-\x7f]+")


def _to_cp1252_bytes(run: str) -> bytes | None:
    out = bytearray()
    for ch in run:
        try:
            out += ch.encode("cp1252")
        except UnicodeEncodeError:
            if ord(ch) < 256:
                out.append(ord(ch))  # a C1 control: a byte cp1252 leaves undefined, kept as Latin-1
            else:
                return None
    return bytes(out)


def _repair_run(run: str) -> str:
    raw = _to_cp1252_bytes(run)
    if raw is None or len(raw) < 2:
        return run
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return run


def mojibake(text: str) -> tuple[int, int, str, str] | None:
    """Whether ``text`` reads like UTF-8 that went through Windows-1252 (or Latin-1):
    (garbled words, words with non-ASCII letters, an example word, what it should
    say), or None when fewer than half of its non-ASCII words look that way."""
    words = _odd_tokens(text)
    garbled = 0
    example = fixed = ""
    for word in words:
        repaired = _NON_ASCII_RUN.sub(lambda m: _repair_run(m.group()), word)
        if repaired != word:
            garbled += 1
            if not example:
                example, fixed = word[:40], repaired[:40]
    if garbled and 2 * garbled >= len(words):
        return garbled, len(words), example, fixed
    return None
