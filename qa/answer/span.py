"""The span head: the answer phrase inside a sentence, or "this sentence holds no answer".

It reads the answer selector's final token states (``AnswerSelector.read_tokens``: the
question, the sentence and its context read together, so one forward pass gives the
selector's probability and these) and gives every token of the sentence a start and an end
score, and [CLS] the no-answer scores, as SQuAD 2.0 readers do (BERT's span head). The head
is a two-layer perceptron per token (384 -> hidden -> 2, tanh GELU), trained by
eval/train_span_head.py on SQuAD v1.1 train questions against the sentence holding their
answer and against sentences that do not answer them; it ships as
``qa/models/span_head.safetensors`` (fp16, checked by hash).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from qa.errors import ModelIntegrityError

__all__ = [
    "SPAN_SHA256",
    "SPAN_WEIGHTS",
    "Span",
    "SpanHead",
    "best_span",
    "best_spans",
    "span_logits",
    "whole_words",
]

SPAN_WEIGHTS = Path(__file__).resolve().parent.parent / "models" / "span_head.safetensors"
SPAN_SHA256 = "769b79cb80542edbff95b33491763331e4d2b16e14effebb5f0ebd0ee88e5a96"
# the longest span considered, in word pieces: the default of Hugging Face's question-answering
# pipeline (max_answer_len); chosen over 10, 20 and 30 on the dev splits (eval/README.md)
MAX_ANSWER_TOKENS = 15
_KEYS = ("0.weight", "0.bias", "2.weight", "2.bias")


def span_logits(weights: dict[str, np.ndarray], states: np.ndarray) -> np.ndarray:
    """Start and end scores, shape ``(t, 2)``, for token states of shape ``(t, 384)``."""
    h = states @ weights["0.weight"].T + weights["0.bias"]
    h = 0.5 * h * (1.0 + np.tanh(0.7978845608028654 * (h + 0.044715 * h**3)))
    return np.asarray(h @ weights["2.weight"].T + weights["2.bias"], dtype=np.float32)


def whole_words(text: str, start: int, end: int) -> tuple[int, int]:
    """``[start, end)`` widened to whole words of ``text``: a span that ends on a word piece
    ("November 202" of "November 2025") takes the rest of its word, a number its digit groups
    ("300" of "4,300") and the currency sign before it ("$10"), and an opened bracket is closed
    (or dropped when it does not close within the sentence)."""

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


class SpanHead:
    """Finds the answer span in a sentence from the selector's token states."""

    def __init__(self, weights: Path = SPAN_WEIGHTS, expected_sha256: str | None = SPAN_SHA256):
        self.weights = weights
        self.expected_sha256 = expected_sha256
        self._w: dict[str, np.ndarray] | None = None

    def load(self) -> None:
        """Read and verify the weights (``ModelIntegrityError`` if missing or misfit)."""
        if self._w is not None:
            return
        from qa.embeddings import verify_weights

        if self.expected_sha256:
            verify_weights(self.weights, self.expected_sha256, "span head", "reinstall qa")
        elif not self.weights.is_file():
            raise ModelIntegrityError(f"span head weights are missing: {self.weights}")
        from safetensors.numpy import load_file

        state = load_file(str(self.weights))
        if any(k not in state for k in _KEYS) or state["0.weight"].shape[1] != 384:
            raise ModelIntegrityError(f"span head weights {self.weights} have the wrong shape")
        self._w = {k: state[k].astype(np.float32) for k in _KEYS}

    def find(
        self, states: np.ndarray, offsets: np.ndarray, sentence_length: int, k: int = 20
    ) -> list[Span]:
        """The ``k`` best spans among the tokens that lie in the sentence (the first
        ``sentence_length`` characters of the reader input), best first, given the pair's
        token states ``(1 + m, 384)`` and offsets ``(m, 2)``; empty if no token lies there."""
        self.load()
        assert self._w is not None
        m = int(np.sum(offsets[:, 1] <= sentence_length))
        if m == 0:
            return []
        logits = span_logits(self._w, states[: 1 + m].astype(np.float32))
        null = float(logits[0].sum())
        return [
            Span(int(offsets[i - 1, 0]), int(offsets[j - 1, 1]), score, null)
            for (i, j), score in best_spans(logits, k=k)
        ]
