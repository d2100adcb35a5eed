"""Bytes of a text file to str: UTF-8, else the legacy encoding that reads as a language.

A file that is not UTF-8 is in one of the legacy code pages, and for single-byte ones the
bytes alone cannot say which: cp1250, cp1252, cp1257, ISO-8859-10, ... all decode any byte
string, and differ only in which accented letter each byte 0x80-0xFF stands for.
charset-normalizer ranks the decodings by "chaos" (how messy the text looks) and
"coherence" (how well its letter frequencies match a language), but on news-sized text both
often tie or miss: a French cp1252 article came out as cp1257 ("crčme brūlée").

The rule here, and why:

1. UTF-8 (with or without BOM) when the bytes are valid UTF-8: legacy text almost never is.
2. cp1252 when it is a clean reading (valid cp1252, no control characters, under
   charset-normalizer's mess limit), unless another decoding that charset-normalizer keeps
   is better than it on at least two of three measures and worse on none: less chaos
   (charset-normalizer's mess ratio), a higher language fit (below), and a higher coherence
   (charset-normalizer's letter-frequency match to its best language); a cp1252 reading with
   a symbol between two letters ("wzros³o") is not clean. Requiring the first two (as
   before) kept cp1252 for Czech news where chaos tied ("Prùmìrná" for "Průměrná"); short
   Polish news scored no worse in cp1252 on chaos or coherence, but has "³" inside words. A
   Czech text whose cp1250 reading leads on language fit alone is still read as cp1252 (a
   two-sentence one in a new-user test): on all three measures it looks like English naming
   a Dane in cp1252, which must stay cp1252.
   cp1252 is the prior because it is what an unlabelled Western file most likely is: the
   WHATWG Encoding standard makes it the default for such text and the meaning of a
   "Latin-1" label. Latin-1 needs no place of its own: it differs from cp1252 only in
   0x80-0x9F, control characters in Latin-1, never in real text. No measure alone decides:
   chaos rated a French cp1252 text messier than its cp1257 reading ("crčme brūlée"), and the
   fit rated English text naming Søren and a crème brûlée as Czech cp1250 ("Sřren", "crčme";
   its coherence is lower, so cp1252 stays).
3. Otherwise the candidate with the best language fit, then least chaos, then
   charset-normalizer's order. Candidates with control characters or unassigned code points
   are dropped (a code page that has no character for a byte is not the file's).

Language fit: the largest share of a decoding's accented (non-ASCII) letters, counted by
occurrence, that belong to the most frequent letters of one language, in charset-normalizer's
per-language letter-frequency tables; a symbol or digit inside a word counts as a letter of no
language. A right decoding spells its language's letters (French é/è/à, Czech ř/ě/č); a wrong
code page turns them into letters of several alphabets at once, or into symbols. This is the
library's data, the same for every file, not a list fitted to any text.
ISO-8859-2 text is not told from cp1250 reliably (their Czech and Polish letters differ in a
few bytes that both read as letters).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from functools import lru_cache

__all__ = ["decode", "language_fit"]

# the bytes scored per candidate (detection needs a sample, not a 20 MB file decoded 10 times)
_SAMPLE_BYTES = 1 << 20
_CHAOS_LIMIT = 0.2  # charset-normalizer's default threshold for a decoding to be kept
_COHERENCE_CHARS = 20_000  # the text coherence is measured on (it is slow on a whole sample)


_NON_ASCII = re.compile(r"[^\x00-\x7f]")


@lru_cache(maxsize=1)
def _alphabets() -> list[frozenset[str]]:
    """The frequent letters of each language charset-normalizer knows, lower case."""
    from charset_normalizer.constant import FREQUENCIES

    return [frozenset(c.lower() for c in letters) for letters in FREQUENCIES.values()]


def language_fit(text: str) -> float:
    """The largest share (0..1) of ``text``'s non-ASCII letters, by occurrence, that belong to
    one language's frequent letters; 1.0 for text without such letters.

    A symbol or digit inside a word (``zatwierdzi³a``: a letter read as a superscript) counts
    as a letter of no language."""
    letters: Counter[str] = Counter()
    for found in _NON_ASCII.finditer(text):  # (the ASCII bulk of a text is skipped in C)
        i, c = found.start(), found.group()
        if c.isalpha():
            letters[c.lower()] += 1
        elif _inside_word(text, i) and unicodedata.category(c)[0] in "SN":
            letters[""] += 1
    total = sum(letters.values())
    if not total:
        return 1.0
    return max(sum(n for c, n in letters.items() if c in a) for a in _alphabets()) / total


def _inside_word(text: str, i: int) -> bool:
    return 0 < i < len(text) - 1 and text[i - 1].isalpha() and text[i + 1].isalpha()


def _symbol_in_word(text: str) -> bool:
    """Whether a non-ASCII symbol or digit stands between two letters ("wzros³o", "zatwierdzi³a":
    a letter of another code page read as a superscript): no clean reading has one."""
    return any(
        unicodedata.category(m.group())[0] in "SN" and _inside_word(text, m.start())
        for m in _NON_ASCII.finditer(text)
    )


def _is_text(text: str) -> bool:
    """No control characters but tab and line breaks, and no unassigned code points: a decoding
    that yields them read bytes the code page does not have as characters."""
    return not any(
        unicodedata.category(c) in ("Cc", "Cn") and c not in "\t\n\r\f" for c in set(text)
    )


def decode(data: bytes) -> str:
    """``data`` as text (see module doc for the rule). Line endings are left as they are.

    Raises ValueError for binary content or bytes no encoding reads as text.
    """
    if b"\x00" in data and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ValueError("binary content")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        encoding = _legacy_encoding(data)
        if encoding is None:
            raise ValueError(
                f"not text in any known encoding (not UTF-8: {exc.reason} at byte {exc.start})"
            ) from exc
        return data.decode(encoding)


def _legacy_encoding(data: bytes) -> str | None:
    """The encoding chosen for non-UTF-8 ``data`` by the module's rule, or None."""
    from charset_normalizer import from_bytes
    from charset_normalizer.md import mess_ratio

    sample = _sample(data)
    # (encoding, chaos, language fit of the sample's text), in charset-normalizer's order;
    # charset-normalizer is given the sample too (it decodes what it is given whole for each
    # code page it tries), and a candidate must then decode the whole file
    candidates: list[_Reading] = []
    for match in from_bytes(sample):
        text = sample.decode(match.encoding, errors="ignore")
        if match.encoding != "cp1252" and _is_text(text) and _decodes(data, match.encoding):
            candidates.append(_Reading(match.encoding, match.chaos, text))
    if _decodes(data, "cp1252"):
        text = sample.decode("cp1252")
        chaos = mess_ratio(text, _CHAOS_LIMIT)
        if chaos < _CHAOS_LIMIT and _is_text(text) and not _symbol_in_word(text):
            western = _Reading("cp1252", chaos, text)
            candidates = [c for c in candidates if c.beats(western)]
            if not candidates:
                return "cp1252"
    if not candidates:
        return None
    order = {c.encoding: rank for rank, c in enumerate(candidates)}
    return min(candidates, key=lambda c: (-c.fit, c.chaos, order[c.encoding])).encoding


class _Reading:
    """One decoding of the sample: its chaos, language fit and coherence."""

    def __init__(self, encoding: str, chaos: float, text: str) -> None:
        self.encoding, self.chaos, self.fit = encoding, chaos, language_fit(text)
        self._text = text
        self._coherence: float | None = None

    @property
    def coherence(self) -> float:
        """charset-normalizer's coherence of the sample's first ``_COHERENCE_CHARS``: how well
        its letter frequencies match the best language's (0..1)."""
        if self._coherence is None:
            from charset_normalizer.cd import coherence_ratio

            ranked = coherence_ratio(self._text[:_COHERENCE_CHARS])
            self._coherence = ranked[0][1] if ranked else 0.0
        return self._coherence

    def beats(self, other: _Reading) -> bool:
        """Better than ``other`` on at least two of the three measures (less chaos, higher
        language fit, higher coherence) and worse on none."""
        ahead = [other.chaos - self.chaos, self.fit - other.fit]
        if any(d < 0 for d in ahead):
            return False
        if all(d > 0 for d in ahead):
            return True
        ahead.append(self.coherence - other.coherence)  # only when the first two leave it open
        return all(d >= 0 for d in ahead) and sum(d > 0 for d in ahead) >= 2


def _sample(data: bytes) -> bytes:
    """The first ``_SAMPLE_BYTES`` of ``data``, ended at a line break (not inside a multi-byte
    character), or at a multiple of 4 bytes in a UTF-16/32 file with a byte order mark."""
    if len(data) <= _SAMPLE_BYTES:
        return data
    if data.startswith((b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff")):
        return data[: _SAMPLE_BYTES - _SAMPLE_BYTES % 4]
    cut = data.rfind(b"\n", 0, _SAMPLE_BYTES)
    return data[: cut if cut > 0 else _SAMPLE_BYTES]


def _decodes(data: bytes, encoding: str) -> bool:
    try:
        data.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return False
    return True
