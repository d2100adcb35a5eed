"""Follow-up questions: chat history in, a standalone question out.

Without an LLM the rule is: when the follow-up leans on the previous turn (a pronoun such as
"it" or "they", or no named subject of its own), carry over the subject of the previous
question, the longest run of capitalised words in it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from qa.errors import InvalidQuestionError

__all__ = ["History", "condense_rule", "normalise_history", "subject_of"]

History = Sequence[Any]  # (user, assistant) pairs or {"role": ..., "content": ...} dicts

_QUESTION_WORDS = {
    "what",
    "who",
    "whom",
    "whose",
    "which",
    "when",
    "where",
    "why",
    "how",
    "is",
    "are",
    "was",
    "were",
    "does",
    "do",
    "did",
    "can",
    "could",
    "will",
    "would",
    "should",
    "tell",
    "and",
    "the",
    "a",
    "an",
    "in",
    "of",
    "i",
    "please",
    "list",
    "name",
    "give",
    "describe",
    "explain",
}
_CAPITALISED = re.compile(r"\b[A-Z][\w&.'’-]*(?:\s+(?:of\s+|the\s+|and\s+)?[A-Z][\w&.'’-]*)*")
_PRONOUN = re.compile(
    r"\b(its|their|it|they|them|this company|the company|this project|the project|that|"
    r"this|he|she|his|her)\b",
    re.IGNORECASE,
)
_POSSESSIVE = {"its", "their", "his", "her"}


def normalise_history(history: History | None) -> list[tuple[str, str]]:
    """``(user, assistant)`` pairs from pairs or role/content dicts (Gradio's messages format).

    Raises InvalidQuestionError for anything else (a string, a 1-tuple...)."""
    if history is not None and (
        isinstance(history, (str, bytes, Mapping)) or not isinstance(history, Iterable)
    ):
        raise InvalidQuestionError(
            f"history must be a list of (user, assistant) pairs or role/content dicts, "
            f"not {type(history).__name__}"
        )
    pairs: list[tuple[str, str]] = []
    pending: str | None = None
    for item in history or []:
        if isinstance(item, dict):
            role, content = item.get("role"), item.get("content")
            text = content if isinstance(content, str) else str(content or "")
            if role == "user":
                if pending is not None:
                    pairs.append((pending, ""))
                pending = text
            elif role == "assistant":
                pairs.append((pending or "", text))
                pending = None
        elif isinstance(item, Sequence) and not isinstance(item, str) and len(item) == 2:
            user, assistant = item
            pairs.append((str(user or ""), str(assistant or "")))
        else:
            raise InvalidQuestionError(
                f"history item {item!r} is neither a (user, assistant) pair nor a role/content dict"
            )
    if pending is not None:
        pairs.append((pending, ""))
    return pairs


def subject_of(question: str) -> str | None:
    """The longest run of capitalised words in ``question`` that is not a question word."""
    best: str | None = None
    for match in _CAPITALISED.finditer(question):
        words = match.group(0).split()
        while words and words[0].lower() in _QUESTION_WORDS:
            words = words[1:]
        phrase = " ".join(words).rstrip(".'’?")
        if phrase and (best is None or len(phrase) > len(best)):
            best = phrase
    return best


def condense_rule(history: History | None, question: str) -> str:
    """A standalone version of ``question``, carrying the previous turn's subject if needed."""
    pairs = normalise_history(history)
    previous = next((u for u, _ in reversed(pairs) if u.strip()), None)
    if not previous:
        return question
    subject = subject_of(previous)
    if not subject or subject.lower() in question.lower():
        return question
    pronoun = _PRONOUN.search(question)
    if pronoun:
        word = pronoun.group(1)
        replacement = f"{subject}'s" if word.lower() in _POSSESSIVE else subject
        return question[: pronoun.start()] + replacement + question[pronoun.end() :]
    if subject_of(question) is None:
        return f"{question.rstrip()} ({subject})"
    return question
