"""Whether a hyphen at the end of a line belongs to the word ("state-" / "owned").

A word broken across two lines is printed with a hyphen that is not part of it ("infor-" /
"mation"), but a compound broken at its own hyphen ("state-" / "owned", "co-" / "founder")
looks the same. Two sources decide, in this order:

1. the document itself: if it spells the pair elsewhere more often with the hyphen
   ("state-owned") than without ("stateowned"), the hyphen stays, and the other way round;
2. a word list, the vocabulary of the bundled embedding model's tokenizer (bert-base-uncased's
   30,522 word pieces): a joined form in it, or in it but for an inflection's ending
   ("landlords"), is a word ("information"); otherwise, when both
   halves are words in it ("non", "binding") and the paragraph is English (py3langid, as
   ``qa.answer.language``: German "ge-" / "plant" is "geplant"), the hyphen stays.

Anything else is joined without the hyphen, as before this module: a rare word's halves are
seldom both words ("electro" / "lysis"), and a compound of another language is joined
("Magnesium-" / "produktion" -> "Magnesiumproduktion"; one written with a hyphen starts the
next line upper-case, which the caller keeps). The measurement that chose the order (SQuAD v1.1
train text, broken at real hyphens and at dictionary hyphenation points) is in eval/README.md,
"End-of-line hyphens", made by ``eval/hyphenation.py``.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from functools import lru_cache

__all__ = ["WordCounts", "english", "keeps_hyphen", "vocabulary"]

_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")


class WordCounts:
    """How often a document spells each word, lower-cased, hyphenated compounds whole.

    Counted on first use, so a document without a broken line costs nothing. A word broken
    at a line end ("infor-\\nmation") is not counted as either spelling.
    """

    def __init__(self, text: str) -> None:
        self._text = text
        self._counts: Counter[str] | None = None

    def __getitem__(self, word: str) -> int:
        if self._counts is None:
            self._counts = Counter(m.group(0).lower() for m in _WORD.finditer(self._text))
        return self._counts[word.lower()]


@lru_cache(maxsize=1)
def vocabulary() -> frozenset[str]:
    """Whole words (not ``##`` pieces) of the bundled model's ``vocab.txt``, lower-case.

    Empty when the bundled model is not installed: then only the document decides.
    """
    from qa.embeddings import bundled_model_path
    from qa.errors import QAError

    try:
        path = bundled_model_path() / "vocab.txt"
        lines = path.read_text(encoding="utf-8").splitlines()
    except (QAError, OSError):  # no word list is a weaker answer, not an error
        return frozenset()
    return frozenset(line for line in lines if line.isalpha() and line.islower())


@lru_cache(maxsize=64)
def english(text: str) -> bool:
    """Whether ``text`` (a paragraph) is English, so the English word list may judge its
    breaks ("ge-" / "plant" is German "geplant"); English when the identifier cannot load."""
    from qa.answer.language import is_english
    from qa.errors import QAError

    try:
        return is_english(text)
    except (QAError, OSError, ImportError):
        return True


# endings the word list lacks on the words it has: "landlords", "shipyards", "overhauled"
_ENDINGS = (
    ("s", ""),
    ("es", ""),
    ("ed", ""),
    ("ed", "e"),
    ("ing", ""),
    ("ing", "e"),
    ("men", "man"),
)


def _known(word: str, words: frozenset[str]) -> bool:
    """Whether ``word`` is in ``words``, or is one of them with an inflection's ending."""
    return word in words or any(
        word.endswith(end) and word[: -len(end)] + base in words for end, base in _ENDINGS
    )


def keeps_hyphen(
    head: str, tail: str, counts: WordCounts, is_english: Callable[[], bool] = lambda: True
) -> bool:
    """Whether ``head`` + "-" + ``tail`` (``head`` without its hyphen) is one hyphenated word.

    ``head`` is the word that ends a line with a hyphen (letters, maybe with hyphens inside:
    "anti-inflam"), ``tail`` the letters that open the next line; see the module doc for the
    order of the evidence. ``is_english`` says whether the text is English: asked only when
    the word list would keep the hyphen, as the list is English.
    """
    hyphenated, joined = counts[f"{head}-{tail}"], counts[head + tail]
    if hyphenated != joined:
        return hyphenated > joined
    words = vocabulary()
    last = head.rsplit("-", 1)[-1].lower()  # "anti-inflam" / "matory": the piece that broke
    if _known(last + tail.lower(), words):
        return False
    return last in words and tail.lower() in words and is_english()
