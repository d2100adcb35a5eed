"""Token-level matching of a question against candidate sentences (late interaction).

A pooled sentence vector blurs a sentence into its topic, so a summary sentence that shares the
question's subject ("the US start-up") outscores the one that holds the answer ("... extract
magnesium from brine"). Late interaction (ColBERT's MaxSim) keeps the word pieces apart: each
content word piece of the question is matched to its most similar word piece of the sentence,
in the embedding model's own contextual vectors, and the matches are averaged. Nothing is
trained: the vectors are the model's token outputs, before its mean pooling.

Sentences' token vectors are computed on demand and kept in a bounded in-memory cache (keyed by
the sentence's store id, which includes the document version), as float16 and for content
pieces only.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence

import numpy as np
from bm25s.stopwords import STOPWORDS_EN

from qa.embeddings import Embedder, QueryEncoding

__all__ = ["TokenMatcher"]

_STOP = frozenset(STOPWORDS_EN) | frozenset(
    ["what", "which", "who", "whom", "whose", "when", "where", "why", "how", "does", "did", "do"]
)


def _content(pieces: Sequence[str], *, continuations: bool) -> list[int]:
    """Indexes of the pieces that carry content: no punctuation, no stop word."""
    keep = []
    for i, piece in enumerate(pieces):
        if not any(ch.isalnum() for ch in piece) or piece in _STOP:
            continue
        if piece.startswith("##") and not continuations:
            continue
        keep.append(i)
    return keep


class TokenMatcher:
    """MaxSim scores of a question against sentences, with the sentences' vectors cached."""

    def __init__(self, embedder: Embedder, cache_size: int = 4096) -> None:
        self.embedder = embedder
        self.cache_size = cache_size
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def forget(self) -> None:
        """Drop the cached sentence token vectors (benchmarks of sentences seen first time)."""
        with self._lock:
            self._cache.clear()

    def scores(
        self, question: str | QueryEncoding, sentences: Sequence[tuple[str, str]]
    ) -> list[float]:
        """MaxSim of ``question`` (or its encoding) against each ``(sentence_id, text)``, in
        order (0..1)."""
        if not sentences:
            return []
        encoded = self.embedder.encode_query(question) if isinstance(question, str) else question
        pieces = encoded.pieces
        keep = _content(pieces, continuations=False) or list(range(len(pieces)))
        query = encoded.token_vectors[keep].astype(np.float16)
        result = []
        for vecs in self._sentence_vectors(sentences):
            if not len(query) or not len(vecs):
                result.append(0.0)
                continue
            result.append(float((query @ vecs.T).max(axis=1).astype(np.float32).mean()))
        return result

    def _sentence_vectors(self, sentences: Sequence[tuple[str, str]]) -> list[np.ndarray]:
        # the UI asks from several threads: the cache is touched under a lock, the model is not
        with self._lock:
            found = {sid: self._cache[sid] for sid, _ in sentences if sid in self._cache}
        missing = [(sid, text) for sid, text in sentences if sid not in found]
        if missing:
            computed = self.embedder.token_vectors([text for _, text in missing])
            for (sid, _), (pieces, vectors) in zip(missing, computed, strict=True):
                found[sid] = vectors[_content(pieces, continuations=True)].astype(np.float16)
        with self._lock:
            for sid, vectors in found.items():
                self._cache[sid] = vectors
                self._cache.move_to_end(sid)
            while len(self._cache) > self.cache_size:
                self._cache.popitem(last=False)
        return [found[sid] for sid, _ in sentences]
