"""English personal pronouns: a phrase that is one names no one, and a sentence that opens
with one needs the sentence before it to say whom it means ("Maria Okafor presented the plan.
She said...")."""

from __future__ import annotations

import re

__all__ = ["PRONOUNS", "opens_with_pronoun"]

PRONOUNS = frozenset(
    [
        "i", "me", "you", "he", "him", "she", "her", "it", "we", "us", "they", "them",
        "his", "hers", "its", "our", "ours", "their", "theirs",
    ]
)  # fmt: skip
_SUBJECT_PRONOUN = re.compile(r"\W*(he|she|they|it|we)\b", re.IGNORECASE)


def opens_with_pronoun(sentence: str) -> bool:
    """Whether ``sentence`` opens with a subject pronoun ("They asked...", "It won...")."""
    return bool(_SUBJECT_PRONOUN.match(sentence))
