"""The no-answer head: the probability that a candidate sentence does not answer a question.

The answer selector (qa.answer.selector) was trained on answerable questions only, so its
probability ranks candidates well but says little about whether any of them answers (an
unanswerable question about the article's topic reaches 0.98). The head is a logistic
regression over what the selector's classifier reads (the pooled 384-wide representation of
the question with the sentence and its context, ``AnswerSelector.read``), trained by
eval/train_no_answer.py on SQuAD v1.1 train questions against their answer sentence (answers)
and three kinds of sentence that do not answer them: the answer sentence with a name or word of
the question swapped (SQuAD 2.0's entity swaps), the most similar sentence elsewhere in the
article, and the most similar sentence of another article. So the selector's one forward pass
gives both scores; the head is 385 numbers (``qa/models/no_answer_head.safetensors``, checked
by hash). The reader's no-answer score for a question is one minus the head's best probability
over the candidates it reranks (qa.answer.extractive).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from qa.errors import ModelIntegrityError

__all__ = ["NO_ANSWER_SHA256", "NO_ANSWER_WEIGHTS", "NoAnswerHead"]

NO_ANSWER_WEIGHTS = Path(__file__).resolve().parent.parent / "models" / "no_answer_head.safetensors"
NO_ANSWER_SHA256 = "abc29188dce296bba20a7fbc595ee5a997bae7b0c7811451b79342c52aaaf1bf"


class NoAnswerHead:
    """Scores the selector's pooled pair representations: the probability each answers."""

    def __init__(
        self, weights: Path = NO_ANSWER_WEIGHTS, expected_sha256: str | None = NO_ANSWER_SHA256
    ) -> None:
        self.weights = weights
        self.expected_sha256 = expected_sha256
        self._w: np.ndarray | None = None
        self._b = 0.0

    def load(self) -> None:
        """Read and verify the weights (raises ``ModelIntegrityError`` if they do not fit)."""
        if self._w is not None:
            return
        from qa.embeddings import verify_weights

        if self.expected_sha256 is not None:
            verify_weights(self.weights, self.expected_sha256, "no-answer head", "reinstall qa")
        elif not self.weights.is_file():
            raise ModelIntegrityError(f"no-answer head weights are missing: {self.weights}")
        from safetensors.numpy import load_file

        state = load_file(str(self.weights))
        w, b = state.get("weight"), state.get("bias")
        if w is None or b is None or w.shape != (384,) or b.shape != (1,):
            raise ModelIntegrityError(f"no-answer head weights {self.weights} have the wrong shape")
        self._w, self._b = w.astype(np.float32), float(b[0])

    def answers(self, features: np.ndarray) -> np.ndarray:
        """For features of shape ``(n, 384)``, the probability (0..1) that each pair answers."""
        self.load()
        assert self._w is not None
        logits = np.asarray(features, dtype=np.float32) @ self._w + self._b
        return (1.0 / (1.0 + np.exp(-logits))).astype(np.float32)
