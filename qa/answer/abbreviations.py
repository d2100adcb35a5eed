"""A table's abbreviated column names, spelled out as the question spells them.

League tables, accounts and statistics head their columns with abbreviations ("Pts", "GD",
"Rev", "Qty"). The reader judges a table row as read against its header ("39 Pts"), so a
question about "points" found no word of it in the row, and neither the answer selector nor
the span reader linked the two. ``spelled_out`` reads a column name as the question's word(s)
it abbreviates, found as Schwartz and Hearst (2003) find a short form's long form: the
abbreviation's letters in order within one word that starts with its first letter ("Pts":
"points"), or the initials of consecutive words ("GD": "goal difference"). The read row then
says "39 points (Pts)"; what is cited is still the row as written.

Only a column name of two to four letters counts (one letter, "W" or "P", could stand for too
many words), and only an unambiguous expansion: when two different words of the question
would fit, the name is left as it is.
"""

from __future__ import annotations

import re

__all__ = ["spelled_out"]

_SHORT = re.compile(r"[A-Za-z]{2,4}\.?")
_WORD = re.compile(r"[A-Za-z]+")


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


def spelled_out(name: str, question: str) -> str | None:
    """The word(s) of ``question`` that the column name ``name`` abbreviates, as the question
    writes them, or None (not an abbreviation of two to four letters, a word the question
    uses itself, no expansion, or more than one).

    >>> spelled_out("Pts", "How many points do Castleton Athletic have?")
    'points'
    >>> spelled_out("GD", "What is Whitley Bay's goal difference?")
    'goal difference'
    """
    if not _SHORT.fullmatch(name):
        return None
    short = name.rstrip(".").lower()
    words = _WORD.findall(question)
    lower = [w.lower() for w in words]
    if short in lower:
        return None
    found: dict[str, str] = {}  # lower-cased expansion: as the question writes it
    for word, low in zip(words, lower, strict=True):
        if len(low) > len(short) and _in_order(short, low):
            found.setdefault(low, word)
    n = len(short)
    for i in range(len(words) - n + 1):
        run = lower[i : i + n]
        if "".join(w[0] for w in run) == short and all(len(w) > 1 for w in run):
            found.setdefault(" ".join(run), " ".join(words[i : i + n]))
    return next(iter(found.values())) if len(found) == 1 else None
