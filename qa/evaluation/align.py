"""Aligning a reference passage with a document that another extractor wrote.

A published eval set's reference contexts are the document's text as some other tool
extracted it: other line breaks and spacing, words hyphenated across lines, ligatures
("ﬁ"), curly or straight quotes, dashes. Both sides are put into the same **normalised form**
and aligned there; every normalised character keeps the span of the stored text it came
from, so a match maps back to exact offsets (``text[start:end]``).

The normalised form (:func:`normalise`):

- Unicode NFKC, per base character with its combining marks (``ﬁ`` -> ``fi``,
  ``e`` + U+0301 -> ``é``), then lower case;
- soft hyphens and zero-width characters dropped;
- a hyphen or dash between a letter and a letter, with or without a line break or spaces
  after it, dropped with that whitespace: ``infra-\\nstructure``, ``infra- structure`` and
  ``infrastructure`` are all ``infrastructure`` (so is ``well-known``, on both sides);
- every other run of whitespace, punctuation, quote marks and dashes is one space, so
  ``“don’t”`` and ``"don't"`` are both ``don t``.

Alignment tries, in order (:func:`align`): the normalised passage at word boundaries of the
normalised document; then fuzzy alignment with rapidfuzz. A passage longer than
``PIECE_CHARS`` is aligned in pieces (at most ``MAX_PIECES``, spread over it), the pieces that
agree on where the passage starts give the covering span, and its similarity to the whole
passage (``rapidfuzz.fuzz.ratio``, 0-100) is the score. A score below ``threshold`` is not a
location. How ``FUZZY_THRESHOLD`` was chosen: eval/README.md.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

__all__ = [
    "FUZZY_THRESHOLD",
    "MAX_PIECES",
    "PIECE_CHARS",
    "Alignment",
    "Normalised",
    "align",
    "fuzzy_align",
    "normalise",
]

FUZZY_THRESHOLD = 90.0
PIECE_CHARS = 160
MAX_PIECES = 12
MIN_FUZZY_CHARS = 24  # shorter passages are too ambiguous to locate fuzzily
EDGE_CHARS = 32
EDGE_SCORE = 80.0

_DROP = {"\u00ad", "\u200b", "\u200c", "\u200d", "\u2060", "\ufeff"}
_HYPHENS = {"-", "\u2010", "\u2011", "\u2012", "\u2013", "\u2014", "\u2015", "\u2212", "\u00ad"}


@dataclass(frozen=True)
class Normalised:
    """A text's normalised form; character ``i`` came from ``source[starts[i]:ends[i]]``."""

    text: str
    starts: tuple[int, ...]
    ends: tuple[int, ...]

    def source_span(self, start: int, end: int) -> tuple[int, int]:
        """The stored text's ``[start, end)`` that normalised ``[start, end)`` came from."""
        return self.starts[start], self.ends[end - 1]


@dataclass(frozen=True)
class Alignment:
    """Where a passage lies in a text: ``text[start:end]``, found ``how`` with ``score``.

    ``how`` is ``"normalised"`` (score 100) or ``"fuzzy"`` (score 0-100, at or above the
    threshold it was asked for).
    """

    start: int
    end: int
    how: str
    score: float


def _clusters(text: str) -> list[tuple[int, int]]:
    """Spans of ``text``: each base character with the combining marks after it."""
    spans: list[tuple[int, int]] = []
    i = 0
    while i < len(text):
        j = i + 1
        while j < len(text) and unicodedata.combining(text[j]):
            j += 1
        spans.append((i, j))
        i = j
    return spans


def _joins_word(chars: list[tuple[str, int, int]], k: int) -> bool:
    """Whether the hyphen at ``chars[k]`` splits a word: a letter before, a letter after
    (past any whitespace)."""
    if k == 0 or not chars[k - 1][0].isalpha():
        return False
    j = k + 1
    while j < len(chars) and chars[j][0].isspace():
        j += 1
    return j < len(chars) and chars[j][0].isalpha()


def normalise(text: str) -> Normalised:
    """``text`` in the normalised form (see the module docstring), with its offset map."""
    chars: list[tuple[str, int, int]] = []  # (NFKC + lower-cased character, source span)
    for s, e in _clusters(text):
        if text[s] in _DROP:
            continue
        for ch in unicodedata.normalize("NFKC", text[s:e]).lower():
            chars.append((ch, s, e))
    out: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    k = 0
    while k < len(chars):
        ch, s, e = chars[k]
        if ch in _HYPHENS and _joins_word(chars, k):
            k += 1
            while k < len(chars) and chars[k][0].isspace():
                k += 1
            continue
        if ch.isalnum():
            out.append(ch)
            starts.append(s)
            ends.append(e)
        elif out and out[-1] != " ":
            out.append(" ")
            starts.append(s)
            ends.append(e)
        k += 1
    while out and out[-1] == " ":
        out.pop()
        starts.pop()
        ends.pop()
    return Normalised("".join(out), tuple(starts), tuple(ends))


def _exact(needle: str, hay: Normalised) -> list[tuple[int, int]]:
    """Every occurrence of ``needle`` in ``hay.text`` at word boundaries, as source spans."""
    found: list[tuple[int, int]] = []
    text, n = hay.text, len(needle)
    i = text.find(needle)
    while i >= 0:
        before_ok = i == 0 or text[i - 1] == " "
        after_ok = i + n == len(text) or text[i + n] == " "
        if before_ok and after_ok:
            found.append(hay.source_span(i, i + n))
        i = text.find(needle, i + 1)
    return found


def _pieces(needle: str) -> list[tuple[int, int]]:
    """``needle`` cut at spaces into pieces of about ``PIECE_CHARS``; at most ``MAX_PIECES`` of
    them, spread evenly (first and last included)."""
    if len(needle) <= PIECE_CHARS * 3 // 2:
        return [(0, len(needle))]
    cuts, start = [], 0
    while start < len(needle):
        end = min(len(needle), start + PIECE_CHARS)
        if end < len(needle):
            space = needle.rfind(" ", start + PIECE_CHARS // 2, end)
            end = space if space > start else end
        cuts.append((start, end))
        start = end + 1 if end < len(needle) and needle[end] == " " else end
    if len(cuts) <= MAX_PIECES:
        return cuts
    step = (len(cuts) - 1) / (MAX_PIECES - 1)
    return [cuts[round(i * step)] for i in range(MAX_PIECES)]


def fuzzy_align(needle: str, hay: str) -> tuple[int, int, float] | None:
    """The span of normalised ``hay`` most like normalised ``needle``, and its similarity
    (``rapidfuzz.fuzz.ratio``, 0-100); None when no piece of ``needle`` aligns at all.

    Cost: at most ``MAX_PIECES`` partial-ratio alignments of at most ``PIECE_CHARS * 1.5``
    characters against ``hay``, two of ``EDGE_CHARS`` to place the span's ends, and one
    ratio of ``needle`` against the span.
    """
    from rapidfuzz import fuzz

    pieces = _pieces(needle)
    placed: list[tuple[int, int, int, int, float]] = []  # piece start/end, hay start/end, score
    for ps, pe in pieces:
        found = fuzz.partial_ratio_alignment(needle[ps:pe], hay, score_cutoff=50)
        if found is not None:
            placed.append((ps, pe, found.dest_start, found.dest_end, found.score))
    if not placed:
        return None
    # the largest group of pieces that agree on where the needle starts (within a fifth of
    # its length); a tie goes to the group with the higher total score
    slack = max(20.0, 0.2 * len(needle))
    groups = [[q for q in placed if abs((q[2] - q[0]) - (p[2] - p[0])) <= slack] for p in placed]
    agreed = max(groups, key=lambda g: (len(g), sum(q[4] for q in g)))
    first, last = min(agreed, key=lambda p: p[0]), max(agreed, key=lambda p: p[1])
    start = max(0, first[2] - first[0])
    end = min(len(hay), last[3] + (len(needle) - last[1]))
    start, end = _refine_ends(needle, hay, start, end)
    if end <= start:
        return None
    return start, end, float(fuzz.ratio(needle, hay[start:end]))


def _refine_ends(needle: str, hay: str, start: int, end: int) -> tuple[int, int]:
    """``[start, end)`` with each end moved to where the needle's first (last) ``EDGE_CHARS``
    characters align best nearby: a window of the needle's length, or a span extrapolated
    from a piece, can be a few characters off where the two texts differ in length."""
    from rapidfuzz import fuzz

    edge = min(EDGE_CHARS, max(1, len(needle) // 2))
    lo = max(0, start - edge)
    head = fuzz.partial_ratio_alignment(
        needle[:edge], hay[lo : start + 2 * edge], score_cutoff=EDGE_SCORE
    )
    hi = min(len(hay), end + edge)
    tail_lo = max(0, end - 2 * edge)
    tail = fuzz.partial_ratio_alignment(needle[-edge:], hay[tail_lo:hi], score_cutoff=EDGE_SCORE)
    new_start = lo + head.dest_start if head is not None else start
    new_end = tail_lo + tail.dest_end if tail is not None else end
    return (new_start, new_end) if new_start < new_end else (start, end)


def _trim(hay: Normalised, start: int, end: int) -> tuple[int, int]:
    """``[start, end)`` of ``hay.text`` without the spaces at its ends."""
    while start < end and hay.text[start] == " ":
        start += 1
    while end > start and hay.text[end - 1] == " ":
        end -= 1
    return start, end


def align(
    passage: str, text: str | Normalised, threshold: float = FUZZY_THRESHOLD
) -> tuple[list[Alignment], float | None]:
    """Where ``passage`` lies in ``text`` (the stored text, or its :func:`normalise` form).

    Returns the alignments (every normalised match, else the best fuzzy one at or above
    ``threshold``, else none) and the best fuzzy score seen (None when fuzzy alignment was not
    tried or found nothing), so a near miss can be reported.
    """
    hay = text if isinstance(text, Normalised) else normalise(text)
    needle = normalise(passage).text
    if not needle or not hay.text:
        return [], None
    exact = _exact(needle, hay)
    if exact:
        return [Alignment(s, e, "normalised", 100.0) for s, e in exact], None
    if len(needle) < MIN_FUZZY_CHARS:
        return [], None
    found = fuzzy_align(needle, hay.text)
    if found is None:
        return [], None
    start, end, score = found[0], found[1], round(found[2], 1)
    start, end = _trim(hay, start, end)
    if end <= start:
        return [], None
    if score < threshold:
        return [], score
    s, e = hay.source_span(start, end)
    return [Alignment(s, e, "fuzzy", score)], score
