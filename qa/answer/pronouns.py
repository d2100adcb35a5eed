"""English personal pronouns and names: a phrase that is a pronoun names no one, and a sentence
that opens with one needs the sentence before it to say whom it means ("Maria Okafor presented
the plan. She said..."); the lower-case words a name may hold; a question that asks who."""

from __future__ import annotations

import re

__all__ = ["ASKS_WHO", "NAME_JOINERS", "PRONOUNS", "opens_with_pronoun"]

PRONOUNS = frozenset(
    [
        "i", "me", "you", "he", "him", "she", "her", "it", "we", "us", "they", "them",
        "his", "hers", "its", "our", "ours", "their", "theirs",
    ]
)  # fmt: skip
# lower-case words inside a name: "Bank of England", "Institute for Energy", "Rosa Delgado and
# Mark Chen", "Ursula von der Leyen"
NAME_JOINERS = frozenset(
    ["of", "and", "&", "de", "la", "du", "von", "van", "der", "den", "da", "for"]
)
# a question that asks for a person: "Who won...?", "And whom did she meet?"
ASKS_WHO = re.compile(r"^\W*(?:and\s+)?(?:who|whom)\b", re.IGNORECASE)
_SUBJECT_PRONOUN = re.compile(r"\W*(he|she|they|it|we)\b", re.IGNORECASE)


def opens_with_pronoun(sentence: str) -> bool:
    """Whether ``sentence`` opens with a subject pronoun ("They asked...", "It won...")."""
    return bool(_SUBJECT_PRONOUN.match(sentence))
