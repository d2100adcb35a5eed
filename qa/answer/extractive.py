"""The offline extractive reader: answers with the source sentence(s) that best fit the question.

Each candidate sentence of the retrieved chunks is scored by its embedding similarity to the
question (precomputed at ingest, so asking embeds only the question), the similarity of its
neighbours in the chunk (a sentence that continues its neighbour's subject: "The technology
claims..."), the IDF-weighted share of the question's terms it contains, whether it holds the
kind of answer asked for (qa.answer.answer_types: a sum for "how much did it cost", a date for
"when", a person for "who is the CEO"), and the rank of its chunk. Below a threshold, or when
no sentence holds the kind of answer asked for, it abstains. A second sentence is added when
it scores close to the first, or covers question terms the first one lacks (two-part
questions).

The weights were tuned on the dev split of eval/sets/smm-magnesium.json and checked on its
test split and on XQuAD (see eval/README.md); the threshold is set for at most ~5 % false
abstention on dev.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from qa.answer.answer_types import answer_type, holds
from qa.answer.base import Answerer, Draft
from qa.answer.citations import cite, with_marker
from qa.lexical import BM25Index, terms
from qa.store import ChunkStore
from qa.types import Hit, SentenceSupport

__all__ = ["ExtractiveReader", "ScoredSentence", "sentence_id"]

W_DENSE, W_LEXICAL, W_RANK, W_CONTEXT = 0.7, 0.7, 0.05, 0.2
TYPE_PENALTY = 0.5
SECOND_SENTENCE_RATIO = 0.8  # with new question terms: two-part questions
SECOND_SENTENCE_CLOSE = 0.9  # without: the two best are too close to call


def sentence_id(doc_id: str, version: str, start: int, end: int) -> str:
    """The store id of a sentence's embedding."""
    return f"{doc_id}-{version}-{start}-{end}"


@dataclass
class ScoredSentence:
    """A candidate sentence with its score parts."""

    hit: Hit
    start: int
    end: int
    text: str
    dense: float
    coverage: float
    covered: frozenset[str]
    score: float
    type_ok: bool = True  # holds the kind of thing asked for (or the question asks for none)


class ExtractiveReader(Answerer):
    """Answers with verbatim source sentences; abstains when none fits well enough."""

    mode = "extractive"

    def __init__(
        self, store: ChunkStore, lexical: Callable[[], BM25Index], threshold: float = 0.25
    ) -> None:
        self.store = store
        self._lexical = lexical
        self.threshold = threshold

    def score(
        self, question: str, hits: list[Hit], query_vector: np.ndarray
    ) -> list[ScoredSentence]:
        """Every candidate sentence of ``hits``, best first."""
        spans: dict[str, tuple[Hit, int, int, int]] = {}
        for rank, hit in enumerate(hits, start=1):
            for start, end in hit.metadata.get("sentences", []):
                sid = sentence_id(hit.doc_id, hit.metadata.get("version", ""), start, end)
                spans.setdefault(sid, (hit, start, end, rank))
        vectors = self.store.sentence_vectors(list(spans))
        context: dict[str, float] = {}  # best similarity of a sentence's neighbours in its chunk
        for hit in hits:
            version = hit.metadata.get("version", "")
            ids = [
                sentence_id(hit.doc_id, version, a, b) for a, b in hit.metadata.get("sentences", [])
            ]
            sims = [float(np.dot(vectors[i], query_vector)) if i in vectors else 0.0 for i in ids]
            for n, sid in enumerate(ids):
                near = sims[max(0, n - 1) : n] + sims[n + 1 : n + 2]
                context[sid] = max(context.get(sid, 0.0), max(near, default=0.0))
        index = self._lexical()
        q_terms = set(terms([question])[0])
        weights = {t: index.idf(t) for t in q_terms}
        total = sum(weights.values()) or 1.0
        kind = answer_type(question)
        scored = []
        for sid, (hit, start, end, rank) in spans.items():
            vector = vectors.get(sid)
            if vector is None:
                continue
            text = hit.text[start - hit.start : end - hit.start]
            if text.lstrip().startswith("#"):  # a heading names a topic, it answers nothing
                continue
            dense = float(np.dot(vector, query_vector))
            covered = frozenset(q_terms.intersection(terms([text])[0]))
            coverage = sum(weights[t] for t in covered) / total
            score = (
                W_DENSE * dense
                + W_LEXICAL * coverage
                + W_RANK / rank
                + W_CONTEXT * context.get(sid, 0.0)
            )
            type_ok = holds(kind, text, question)
            if not type_ok:
                score *= TYPE_PENALTY
            scored.append(
                ScoredSentence(hit, start, end, text, dense, coverage, covered, score, type_ok)
            )
        scored.sort(key=lambda s: (-s.score, s.hit.doc_id, s.start))
        return scored

    def answer(self, question: str, hits: list[Hit], query_vector: np.ndarray) -> Draft:
        scored = self.score(question, hits, query_vector)
        if not scored or scored[0].score < self.threshold:
            best = f"{scored[0].score:.3f}" if scored else "none"
            return Draft.abstain(f"best sentence score {best} < threshold {self.threshold}")
        if not scored[0].type_ok:
            # asked for a kind of answer (a sum, a date, a person...) the best sentence lacks
            return Draft.abstain("no candidate sentence holds the kind of answer asked for")
        chosen = [scored[0]]
        for cand in scored[1:4]:
            gain = sum(1 for t in cand.covered if t not in chosen[0].covered)
            overlaps = cand.hit.doc_id == chosen[0].hit.doc_id and (
                cand.start < chosen[0].end and chosen[0].start < cand.end
            )
            if not overlaps and (
                cand.score >= SECOND_SENTENCE_CLOSE * scored[0].score
                or (cand.score >= SECOND_SENTENCE_RATIO * scored[0].score and gain >= 1)
            ):
                chosen.append(cand)
                break
        citations = [cite(i, s.hit, s.start, s.end) for i, s in enumerate(chosen, start=1)]
        parts = [with_marker(s.text, i) for i, s in enumerate(chosen, start=1)]
        sentences, offset = [], 0
        for i, part in enumerate(parts, start=1):
            # each sentence is the verbatim text of the span it cites: supported by construction
            sentences.append(SentenceSupport(part, offset, offset + len(part), [i], 1.0, True))
            offset += len(part) + 1
        return Draft(
            text=" ".join(parts),
            citations=citations,
            sentences=sentences,
            notes=[f"best sentence score {scored[0].score:.3f}"],
        )
