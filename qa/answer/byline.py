"""Who wrote the article? Its byline says so.

News pieces put their author's name on a short line near the top ("By Mira Holt"), which no
question about the author resembles, so the similarity-ranked reader answers "Who wrote the
article about the tram?" with some sentence about the tram. A question about who wrote the
piece itself is answered with the byline of the document the question retrieves best, unless
the sentence the reader found speaks of someone writing ("The report, written by the IEA,
..."); a piece without a byline answers nothing.
"""

from __future__ import annotations

import re

from qa.answer.dateline import PIECE_WORDS, top_line
from qa.answer.pronouns import NAME_JOINERS
from qa.dates import english_calendar_words
from qa.types import Hit

__all__ = [
    "byline",
    "byline_name",
    "is_authorship_question",
    "is_byline",
    "is_emptied_byline",
    "opens_as_byline",
    "speaks_of_writing",
]

_I = re.IGNORECASE
_WROTE = r"(wrote|written|authored|penned|by-?lined)"
# "Who wrote the article...?", "Which reporter wrote this story?", "Who is the author of the
# piece?": the piece is what was written; after "wrote", up to three words may name its topic
# ("Who wrote the bridge article?"), not in the passive form ("Who was the medical report
# written for?" asks no author)
_TOPIC = r"(?:(?!(?:that|which|who|whom|the|a|an|this|of|in|on|by)\b)[\w'’-]+\s+){0,3}?"
_WHO_WROTE = re.compile(
    rf"^\W*(who|which (journalist|reporter|writer|author|correspondent))\b[^?]*?\b{_WROTE}\b"
    rf"[^?]*?\b(the|this|that)\s+{_TOPIC}{PIECE_WORDS}\b"
    rf"|^\W*(who|which (journalist|reporter|writer|correspondent))\b[^?]*?\b(the|this|that)\s+"
    rf"{PIECE_WORDS}\b[^?]*?\b{_WROTE}\b"
    rf"|^\W*who (is|was) the (author|writer|reporter)\b",
    _I,
)
_SPEAKS_OF_WRITING = re.compile(rf"\b{_WROTE}\b|\bauthors?\b", _I)
# "By Mira Holt", "BY MIRA HOLT", "By Jean-Luc O'Brien and Ana Núñez, Reuters"; the field's
# byline word in a few other languages ("Von", "Par", "Por", "Di", "Door", "Av")
_WORD = r"(?i:by|von|par|por|di|door|av)"
_BYLINE = re.compile(rf"^\W*{_WORD}\s+[^\W\d_]")
# a byline after the outlet and day on one line: "Nordic Business Daily • 14 August 2025 • By
# Sindre Haugland" (a break-test's PDF), "Reuters | March 3, 2025 | By Jo Lee"
_BYLINE_PART = re.compile(rf"(?:^|\s[•|·]\s)\W*{_WORD}\s+[^\W\d_]")
# what an HTML extractor leaves of a byline whose name and date it took out as metadata
# ("By <span class="author">Fiona Marsh</span> | <time>...</time>" gives "By |")
_EMPTIED_BYLINE = re.compile(rf"^\W*{_WORD}\W*$")


def is_authorship_question(question: str) -> bool:
    """True for "Who wrote the article about the tram?", "Which reporter wrote this story?";
    not for "Who wrote the Federalist Papers?"."""
    return _WHO_WROTE.search(question) is not None


def opens_as_byline(line: str) -> bool:
    """True for a line that opens as a byline does: "By Fiona Marsh | 12 October 2019"."""
    return _BYLINE.match(line) is not None


def is_emptied_byline(line: str) -> bool:
    """True for a byline without its names: "By |", "By", "Von ·"."""
    return _EMPTIED_BYLINE.match(line) is not None


def speaks_of_writing(sentence: str) -> bool:
    """True for a sentence that may say who wrote something ("The report, written by...")."""
    return _SPEAKS_OF_WRITING.search(sentence) is not None


def byline(first_chunk: Hit) -> tuple[int, int] | None:
    """The span of the byline among the first sentences of a document's first chunk: a short
    line that opens with "By" (or its word in a few other languages) and does not end as a
    sentence ("By the end of the year, prices rose." is none) and names someone ("By 2030" is
    none)."""
    return top_line(first_chunk, is_byline)


# a byline with its outlet and day: "By Jean-Luc O'Brien and Ana Núñez, Baltic Freight Journal,
# 9 January 2025" (a break-test's 9 words were refused at the dateline's 8)
MAX_BYLINE_WORDS = 16


def is_byline(text: str) -> bool:
    """A short line that opens with "By" and names (each word capitalised but "and", "de",
    ...; no digit, no day or month: "By Friday the Council Must Decide..." and "By March 14,
    2025, the council..." are headlines) and does not end as a sentence."""
    if len(text.split()) > MAX_BYLINE_WORDS or text.endswith((".", "!", "?")):
        return False
    span = byline_name(text)
    if span is None:
        return False
    words = text[span[0] : span[1]].split()
    if not words or words[0].lower().strip(".,") in english_calendar_words():
        return False
    return all(
        (w[:1].isupper() and not any(c.isdigit() for c in w)) or w in NAME_JOINERS for w in words
    )


# what ends the names of a byline: "By Priya Raman · 2025-10-12", "By Ana Núñez, Reuters",
# "By Mira Holt | Staff", "By Jo Lee (AP)", "By Jo Lee - Oct 3"
_NAMES_END = re.compile(r"\s+[·|–—-]\s|,|\s*\(|\s*$")


def byline_name(text: str) -> tuple[int, int] | None:
    """The span in a byline ``text`` of the names it gives ("Priya Raman" of "By Priya Raman ·
    2025-10-12"; "Jean-Luc O'Brien and Ana Núñez" of "By Jean-Luc O'Brien and Ana Núñez,
    Reuters"), or None when ``text`` is no byline."""
    found = _BYLINE_PART.search(text)
    if found is None:
        return None
    start = found.end() - 1  # the name's first letter
    end = _NAMES_END.search(text, start)
    stop = end.start() if end else len(text)
    return (start, stop) if stop > start else None
