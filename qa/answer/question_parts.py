"""Split a two-part question into its parts: "Who owns X, and which firm is Y's partner?".

Each part is answered on its own by the extractive reader: one sentence rarely answers both,
and a pooled vector of the whole question leans to whichever part dominates it.
"""

from __future__ import annotations

import re

__all__ = ["question_parts"]

_WH = r"(?:who|whom|whose|what|which|where|when|why|how)\b"
# ", and which...", "; what...": a second question, not a list ("large, spread-out, and what?")
_JOIN = re.compile(rf"\s*(?:,\s*and|;(?:\s*and)?)\s+(?={_WH})", re.IGNORECASE)
MIN_PART_WORDS = 3  # "..., and why?" is not a question of its own
_OPENS_QUESTION = re.compile(
    rf"^\W*(?:{_WH}|(?:is|are|was|were|do|does|did|can|could|has|have|had|will|would)\b|"
    r"(?:in|on|at|by|for|from|with|to|of) (?:what|which|whom)\b)",
    re.IGNORECASE,
)


def question_parts(question: str) -> list[str]:
    """The questions ``question`` joins with ", and <wh-word>" or "; <wh-word>", each ending
    in "?"; ``[question]`` when it is one question. The first part must itself open as a
    question and every part have three words or more, so "How and when did it spread?" and
    "Who owns it, and why?" stay whole."""
    pieces = _JOIN.split(question.strip())
    if len(pieces) < 2 or not _OPENS_QUESTION.match(pieces[0]):
        return [question]
    if any(len(p.rstrip("?").split()) < MIN_PART_WORDS for p in pieces):
        return [question]
    parts = [p.strip().rstrip("?").rstrip() + "?" for p in pieces if p.strip()]
    return [p[0].upper() + p[1:] for p in parts]
