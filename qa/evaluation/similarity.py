"""Embedding similarities with the bundled model, for sets whose references are prose.

- ``answer_similarity``: cosine similarity (-1..1, in practice 0..1) of the answer's vector to
  the reference answer's vector; an abstention scores 0, as it does for token F1.
- ``context_similarity``: cosine similarity of the retrieved passages to the reference
  contexts, the quantity llama-index's RagEvaluatorPack reports as "context similarity"
  (its ``SemanticSimilarityEvaluator`` on the joined texts). The bundled model reads at most
  256 word pieces, so each side is the mean of its passages' vectors instead of the vector of
  their joined text; the figure is the same kind of measure, not the same number.

No judge is needed; the cost is one embedding of the answer and reference per question, and
one per retrieved chunk the first time it is seen in a run.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from qa.embeddings import Embedder
from qa.evaluation.sets import EvalQuestion
from qa.types import Answer, Hit

__all__ = ["SimilarityScorer"]


def _mean_unit(vectors: np.ndarray) -> np.ndarray | None:
    if len(vectors) == 0:
        return None
    mean = vectors.mean(axis=0)
    norm = float(np.linalg.norm(mean))
    return mean / norm if norm > 0 else None


class SimilarityScorer:
    """Scores answers and retrieved passages against a question's prose references."""

    def __init__(self, embedder: Embedder) -> None:
        self.embedder = embedder
        self._chunks: dict[str, np.ndarray] = {}

    def _chunk_vectors(self, hits: Sequence[Hit]) -> np.ndarray:
        new = [h for h in hits if h.chunk_id not in self._chunks]
        if new:
            for h, v in zip(new, self.embedder.embed([h.text for h in new]), strict=True):
                self._chunks[h.chunk_id] = v
        return np.asarray([self._chunks[h.chunk_id] for h in hits])

    def score(
        self, q: EvalQuestion, answer: Answer, hits: Sequence[Hit]
    ) -> dict[str, float | None]:
        """``answer_similarity`` (None without a reference answer) and ``context_similarity``
        (None without reference contexts or retrieved passages) for one question."""
        out: dict[str, float | None] = {"answer_similarity": None, "context_similarity": None}
        if not q.answerable:
            return out
        if q.reference_answer and q.reference_answer.strip():
            if answer.abstained or not answer.text.strip():
                out["answer_similarity"] = 0.0
            else:
                a, r = self.embedder.embed([answer.text, q.reference_answer])
                out["answer_similarity"] = round(float(np.dot(a, r)), 4)
        contexts = [e.quote for e in q.evidence if e.quote.strip()]
        if contexts and hits:
            retrieved = _mean_unit(self._chunk_vectors(hits))
            reference = _mean_unit(np.asarray(self.embedder.embed(contexts)))
            if retrieved is not None and reference is not None:
                out["context_similarity"] = round(float(np.dot(retrieved, reference)), 4)
        return out
