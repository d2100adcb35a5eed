"""A table's abbreviated column names, spelled out as the question spells them.

League tables, accounts and statistics head their columns with abbreviations ("Pts", "GD",
"Rev", "Qty"). The reader judges a table row as read against its header ("39 Pts"), so a
question about "points" found no word of it in the row, and neither the answer selector nor
the span reader linked the two. ``spelled_out`` reads a column name as the question's word(s)
it abbreviates, as Schwartz and Hearst (2003) match a short form to its long form, in the two
ways abbreviations are made:

- an initialism in capitals ("GD", "GA", "EPS") is the initials of consecutive words of the
  question ("goal difference", "goals against", "earnings per share");
- a shortened word ("Pts", "Qty", "Avg", "Rev", "Min") is the start of one word of the
  question ("Rev": "revenue", "Min": "minimum"), or, when its letters after the first are all
  consonants (vowels dropped: "Pts", "Qty", "Yld", "Avg"), its letters in order in one word that
  starts with its first letter ("points", "quantity", "yield", "average"). So a word that is a
  column name in its own right is not read as another ("Age" is not "average", "Lost" not
  "lowest").

A capitalised name of three or four letters with no initials in the question is read as a
shortened word ("PTS": "points"); one of two letters is not. Each word of a name of up to
three words is read so ("Avg cost": "average cost", "Div Yld": "dividend yield"). Only a
name of two to four letters counts (one letter, "W" or "P", could stand for too many words),
and only an unambiguous reading: when two different words of the question would fit, the
name is left as it is. Not a word list: the question's own words are the only candidates.
"""

from __future__ import annotations

import re
from functools import lru_cache

__all__ = ["spelled_out"]

_SHORT = re.compile(r"[A-Za-z]{2,4}\.?")
_WORD = re.compile(r"[A-Za-z]+")
_VOWELS = frozenset("aeiou")


def _in_order(short: str, word: str) -> bool:
    """Whether the letters of ``short`` occur in ``word`` in order, the first as its first."""
    if not word.startswith(short[0]):
        return False
    at = 1
    for letter in short[1:]:
        at = word.find(letter, at) + 1
        if at == 0:
            return False
    return True


def _one(found: dict[str, str]) -> str | None:
    """The one reading of ``found`` (lower-cased reading: as the question writes it)."""
    return next(iter(found.values())) if len(found) == 1 else None


def _expand(name: str, words: list[str], lower: list[str]) -> str | None:
    """The reading of one word of a column name, or None."""
    if not _SHORT.fullmatch(name):
        return None
    short = name.rstrip(".").lower()
    if short in lower:
        return None
    capitals = name.rstrip(".").isupper()
    if capitals:  # an initialism: initials of consecutive words
        n = len(short)
        initials: dict[str, str] = {}
        for i in range(len(words) - n + 1):
            run = lower[i : i + n]
            if "".join(w[0] for w in run) == short and all(len(w) > 1 for w in run):
                initials.setdefault(" ".join(run), " ".join(words[i : i + n]))
        if initials or n == 2:
            return _one(initials)
    vowelless = not _VOWELS.intersection(short[1:])
    shortened: dict[str, str] = {}
    for word, low in zip(words, lower, strict=True):
        if len(low) > len(short) and (
            low.startswith(short) or (vowelless and _in_order(short, low))
        ):
            shortened.setdefault(low, word)
    return _one(shortened)


@lru_cache(maxsize=4096)  # each column name of every row of a table, per question
def spelled_out(name: str, question: str) -> str | None:
    """The word(s) of ``question`` that the column name ``name`` abbreviates, as the question
    writes them (a name of several words with each word read), or None (no word of it is an
    abbreviation of two to four letters that the question spells out in one way only).

    >>> spelled_out("Pts", "How many points do Castleton Athletic have?")
    'points'
    >>> spelled_out("GD", "What is Whitley Bay's goal difference?")
    'goal difference'
    >>> spelled_out("Avg cost", "What is the average cost of a share?")
    'average cost'
    """
    parts = name.split()
    if not 1 <= len(parts) <= 3:
        return None
    words = _WORD.findall(question)
    lower = [w.lower() for w in words]
    read = [_expand(part, words, lower) for part in parts]
    if not any(read):
        return None
    return " ".join(r or part for r, part in zip(read, parts, strict=True))
