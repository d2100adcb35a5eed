"""Answer spans: the best (start, end) token pairs of a reader's start and end scores, and a
span widened to whole words of its text.

The span reader (qa.answer.span_reader) scores each token of a sentence as the answer's start
and end, as SQuAD readers do (BERT's span head, Devlin et al. 2019, section 4.3); this module
turns those scores into spans.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = [
    "Span",
    "best_span",
    "best_spans",
    "whole_words",
]

# the longest span considered, in word pieces: the default of Hugging Face's question-answering
# pipeline (max_answer_len); chosen over 10, 20 and 30 on the dev splits (eval/README.md)
MAX_ANSWER_TOKENS = 15


def whole_words(text: str, start: int, end: int) -> tuple[int, int]:
    """``[start, end)`` widened to whole words of ``text``: a span that ends on a word piece
    ("November 202" of "November 2025") takes the rest of its word, a number its digit groups
    ("300" of "4,300") and the currency sign before it ("$10"), and an opened bracket is closed
    (or dropped when it does not close within the sentence); Markdown emphasis and link marks
    at its edges are left out."""

    def joined(a: int, b: int) -> bool:  # text[a] and text[b] (b = a + 1) are one token
        x, y = text[a], text[b]
        if x.isalnum() and y.isalnum():
            return True
        # digit groups and decimals: "4,300", "3.2"
        if x.isdigit() and y in ",." and b + 1 < len(text) and text[b + 1].isdigit():
            return True
        return x in ",." and y.isdigit() and a > 0 and text[a - 1].isdigit()

    while 0 < start < len(text) and joined(start - 1, start):
        start -= 1
    while 0 < end < len(text) and joined(end - 1, end):
        end += 1
    if start > 0 and text[start - 1] in "$€£¥" and text[start : start + 1].isdigit():
        start -= 1
    opened = text.rfind("(", start, end)
    if opened >= 0 and text.find(")", opened, end) < 0:
        close = text.find(")", end)
        if close >= 0 and close - end <= 40 and "." not in text[end:close]:
            end = close + 1
        else:
            end = opened
            while end > start and text[end - 1] == " ":
                end -= 1
    # Markdown's marks at the edges are no part of the answer: "**4 kilometres" of "**4
    # kilometres**", "[Europe" of "[Europe](https://...)" (a new-user test)
    while end - start > 1 and text[start] in "*_`":
        start += 1
    while end - start > 1 and text[end - 1] in "*_`":
        end -= 1
    if end - start > 1 and text[start] == "[" and "]" not in text[start:end]:
        start += 1
    if end - start > 1 and text[end - 1] == "]" and "[" not in text[start:end]:
        end -= 1
    return start, end


def best_spans(
    logits: np.ndarray, max_tokens: int = MAX_ANSWER_TOKENS, k: int = 1
) -> list[tuple[tuple[int, int], float]]:
    """The ``k`` best rows ``(i, j)`` (1 <= i <= j < t, j - i < ``max_tokens``) by start score
    of ``i`` plus end score of ``j``, with that sum, best first; empty if ``t < 2``."""
    t = len(logits)
    if t < 2:
        return []
    start, end = logits[1:, 0], logits[1:, 1]
    n = t - 1
    rows, cols = np.indices((n, n))
    total = np.where(
        (cols >= rows) & (cols - rows < max_tokens), start[:, None] + end[None, :], -np.inf
    )
    flat = total.reshape(-1)
    valid = int(np.isfinite(flat).sum())
    top = np.argsort(-flat, kind="stable")[: min(k, valid)]
    return [((int(f // n) + 1, int(f % n) + 1), float(flat[f])) for f in top]


def best_span(
    logits: np.ndarray, max_tokens: int = MAX_ANSWER_TOKENS
) -> tuple[tuple[int, int], float]:
    """The best of ``best_spans``; ``((0, 0), -inf)`` if ``t < 2``."""
    found = best_spans(logits, max_tokens)
    return found[0] if found else ((0, 0), float("-inf"))


@dataclass(frozen=True)
class Span:
    """The best answer span of a sentence: characters ``[start, end)`` of the sentence, its
    score (start plus end logit) and the no-answer score ([CLS] start plus end logit); the
    span is the answer when ``score - null_score`` clears the reader's threshold."""

    start: int
    end: int
    score: float
    null_score: float

    @property
    def margin(self) -> float:
        """Span score minus no-answer score (logits): above 0, the head prefers the span."""
        return self.score - self.null_score
