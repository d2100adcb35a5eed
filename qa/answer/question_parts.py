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
# clause that opens with a question word, in lower case, after "and" ("Love and Where It Leads
# Us" is a title)
_SECOND_CLAUSE = re.compile(rf"\s*,?\s+and\s+(?={_WH}\s)")
# a question asks with its verb inverted: an auxiliary within two words of its question word
# ("when will they", "what price did", "how many cranes did"), or asks for the subject ("who
# fined it", "what happened", "which UK trader partnered"); "what dock workers can buy" and
# "when it changes" ask nothing
_AUXILIARY = (
    r"(?:is|are|was|were|do|does|did|will|would|can|could|has|have|had|should|shall|may|might"
    r"|must|'s)"
)
_ASKS = re.compile(
    rf"^(?:how(?:\s+(?:much|many|long|far|old|big|often))?|{_WH})(?:\s+\S+)?\s+{_AUXILIARY}\b"
    r"|^(?:who|what)\s+\w+(?:ed|es|s)\b|^(?:which|what)\s+(?:\S+\s+){1,2}\w+ed\b",
    re.IGNORECASE,
)
MIN_FIRST_PART_WORDS = 4  # "How many ships and how many cranes...?" is one question
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
    if len(pieces) != 2 or len(pieces[0].split()) < MIN_FIRST_PART_WORDS:
        return [question]
    if not _ASKS.match(pieces[1]):
        return [question]
    return [_question(pieces[0]), _question(pieces[1])]


def _question(text: str) -> str:
    text = text.strip().rstrip("?").rstrip(" ,")
    return text[:1].upper() + text[1:] + "?"
