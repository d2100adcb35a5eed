"""A question that asks two things: "How much do the cranes cost and when will they arrive?".

The reader cites the sentences the whole question finds (a sentence that holds both facts,
or two sentences); what it leads with is a phrase per part, each read with its own part
("How much do the cranes cost?", "When will they arrive?"), where a phrase of the whole
question answers only one. Figures: eval/README.md, "Two-part questions".
"""

from __future__ import annotations

import re

__all__ = ["question_parts"]

_WH = r"(?:who|whom|whose|what|which|where|when|why|how)"
# "When and where was the contract signed?": two question words over one clause
_TWO_WORDS = re.compile(rf"^\W*({_WH})\s+and\s+({_WH})\s+(\S.*)$", re.IGNORECASE)
# "..., and when will they arrive?", "... and who is its chief financial officer?": a second
# clause that opens with a question word after "and"
_SECOND_CLAUSE = re.compile(rf"\s*,?\s+and\s+(?={_WH}\s+\S+\s+\S)", re.IGNORECASE)
_OPENS_QUESTION = re.compile(
    rf"^\W*(?:{_WH}|(?:is|are|was|were|do|does|did|can|could|has|have|had|will|would)\b)",
    re.IGNORECASE,
)


def question_parts(question: str) -> list[str]:
    """The two questions ``question`` asks, each ending in "?", or ``[question]``.

    "When and where was X signed?" gives "When was X signed?" and "Where was X signed?";
    "How much does X cost and when will it arrive?" gives "How much does X cost?" and "When
    will it arrive?" (the first part must open as a question, the second have a question
    word and two more words). "Who designed and built the bridge?" and "How many cranes did
    it order and from whom?" stay whole (no question word after "and" that opens a clause of
    three words or more)."""
    text = question.strip()
    if two := _TWO_WORDS.match(text):
        first, second, rest = two.groups()
        if first.lower() != second.lower():
            return [_question(f"{first} {rest}"), _question(f"{second} {rest}")]
        return [question]
    if not _OPENS_QUESTION.match(text):
        return [question]
    pieces = _SECOND_CLAUSE.split(text, maxsplit=1)
    if len(pieces) != 2 or len(pieces[0].split()) < 3:
        return [question]
    return [_question(pieces[0]), _question(pieces[1])]


def _question(text: str) -> str:
    text = text.strip().rstrip("?").rstrip(" ,")
    return text[:1].upper() + text[1:] + "?"
