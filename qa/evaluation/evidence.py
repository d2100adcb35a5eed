"""Gold evidence as character spans of the loaded documents, and when a span holds it.

Evidence is a quote, never a chunk id: it is located in the documents as loaded (the text
citations index into), so re-chunking cannot break an eval set. The rules:

- a quote is located at every verbatim occurrence in a document's body (after the front
  matter): **exact**. Evidence pinned to a document and offset (SQuAD) is taken as given when
  the text there matches (also exact). Failing that, at every occurrence that is the same
  in the normalised form of ``qa/evaluation/align.py`` (Unicode NFKC, whitespace, soft
  hyphens and words hyphenated across lines, quotes and dashes, case): **normalised**.
  Failing that (a quote of at least ``MIN_FUZZY_CHARS`` normalised characters), at the one
  place in any document most similar to it, when that similarity is at least
  ``FUZZY_THRESHOLD`` (0-100): **fuzzy**, with its score. Otherwise it is **not found**, and
  a fuzzy score below the threshold is kept only to say how near it came.
- how a question's evidence was located (``located_by``): for ``any`` evidence the best way
  any item was found (exact, then normalised, then fuzzy), for ``all`` the worst over its
  items; ``not found`` when the question's evidence does not count as located.
- a retrieved chunk **contains** an evidence span when they overlap by at least half of the
  shorter of the two: half of a quote (so a quote cut by a chunk boundary counts for the chunk
  holding most of it), or half of the chunk when the evidence is a passage longer than chunks
  (LabelledRagDataset contexts).
- a citation **covers** an evidence span when it includes at least 90 % of it; evidence longer
  than ``PASSAGE_CHARS`` (a reference passage, not a quote) is covered by a citation lying at
  least 90 % inside it.
- a citation is **on evidence** (citation precision) when it overlaps any evidence span at all.
- several evidence items are alternatives (``any``) or all needed (``all``, multi-hop): a set
  of spans satisfies ``all`` when every item is contained (or covered) by one of them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from qa.evaluation.align import FUZZY_THRESHOLD, Normalised, align, normalise
from qa.evaluation.sets import EvalQuestion, Evidence
from qa.types import Document

__all__ = [
    "LOCATED_BY",
    "PASSAGE_CHARS",
    "EvidenceMap",
    "Located",
    "Span",
    "contains",
    "covers",
    "first_rank",
    "locate",
    "located_by",
    "on_evidence",
    "overlap",
    "satisfied",
]

PASSAGE_CHARS = 300
LOCATED_BY = ("exact", "normalised", "fuzzy", "not found")
CONTAIN_SHARE = 0.5
COVER_SHARE = 0.9


@dataclass(frozen=True)
class Span:
    """``doc_id``'s text from ``start`` to ``end``."""

    doc_id: str
    start: int
    end: int

    def __len__(self) -> int:
        return self.end - self.start


def overlap(a: Span, b: Span) -> int:
    """Characters two spans share (0 when in different documents)."""
    if a.doc_id != b.doc_id:
        return 0
    return max(0, min(a.end, b.end) - max(a.start, b.start))


def contains(chunk: Span, evidence: Span) -> bool:
    """True when a retrieved chunk holds the evidence (see the module docstring)."""
    shared = overlap(chunk, evidence)
    return shared > 0 and shared >= CONTAIN_SHARE * min(len(chunk), len(evidence))


def covers(citation: Span, evidence: Span) -> bool:
    """True when a citation covers the evidence (see the module docstring)."""
    shared = overlap(citation, evidence)
    if shared == 0:
        return False
    if len(evidence) > PASSAGE_CHARS:
        return shared >= COVER_SHARE * len(citation)
    return shared >= COVER_SHARE * len(evidence)


def _loose_pattern(quote: str) -> re.Pattern[str]:
    return re.compile(r"\s+".join(re.escape(w) for w in quote.split()))


def _verbatim(quote: str, text: str, body_start: int = 0) -> list[tuple[int, int]]:
    """Every verbatim occurrence of ``quote`` (stripped) in ``text[body_start:]``."""
    quote = quote.strip()
    if not quote:
        return []
    found, i = [], text.find(quote, body_start)
    while i >= 0:
        found.append((i, i + len(quote)))
        i = text.find(quote, i + 1)
    return found


def locate(quote: str, text: str, body_start: int = 0) -> list[tuple[int, int]]:
    """Every occurrence of ``quote`` in ``text[body_start:]`` (verbatim, else whitespace-loose)."""
    found = _verbatim(quote, text, body_start)
    if not found and quote.strip():
        found = [(m.start(), m.end()) for m in _loose_pattern(quote).finditer(text, body_start)]
    return found


@dataclass
class Located:
    """Where one evidence item was found: its spans, ``how`` (one of ``LOCATED_BY``) and, for
    a fuzzy alignment, its similarity 0-100 (``best_score``: the best fuzzy score seen, also
    when it fell below the threshold and so located nothing)."""

    evidence: Evidence
    spans: list[Span] = field(default_factory=list)
    how: str = "not found"
    score: float | None = None
    best_score: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "how": self.how,
            "score": self.score,
            "best_score": self.best_score,
            "spans": [{"doc_id": s.doc_id, "start": s.start, "end": s.end} for s in self.spans],
        }


def located_by(items: Sequence[Located], mode: str) -> str:
    """How a question's evidence was located (see the module docstring)."""
    ranks = [LOCATED_BY.index(item.how) for item in items]
    if not ranks:
        return "not found"
    worst = LOCATED_BY.index("not found")
    rank = max(ranks) if mode == "all" else min(ranks)
    return LOCATED_BY[min(rank, worst)]


class EvidenceMap:
    """Locates the evidence of questions in a set of loaded documents."""

    def __init__(
        self, documents: Iterable[Document], fuzzy_threshold: float = FUZZY_THRESHOLD
    ) -> None:
        self.documents = list(documents)
        self.fuzzy_threshold = fuzzy_threshold
        self._by_name: dict[str, list[Document]] = {}
        self._normalised: dict[str, Normalised] = {}
        for doc in self.documents:
            for key in {doc.path, doc.source.rsplit("/", 1)[-1], doc.path.rsplit("/", 1)[-1]}:
                self._by_name.setdefault(key, []).append(doc)

    def _body(self, doc: Document) -> Normalised:
        """The normalised form of ``doc``'s body (after its front matter), made once."""
        if doc.doc_id not in self._normalised:
            body = normalise(doc.text[doc.body_start :])
            shift = doc.body_start
            self._normalised[doc.doc_id] = Normalised(
                body.text,
                tuple(s + shift for s in body.starts),
                tuple(e + shift for e in body.ends),
            )
        return self._normalised[doc.doc_id]

    def locate(self, evidence: Evidence) -> Located:
        """Where one evidence item is, in every document (or the one it names), and how it
        was found (see the module docstring)."""
        docs = self._by_name.get(evidence.doc, []) if evidence.doc else self.documents
        spans: list[Span] = []
        for doc in docs:
            if evidence.start is not None:
                end = evidence.start + len(evidence.quote)
                if doc.text[evidence.start : end] == evidence.quote:
                    spans.append(Span(doc.doc_id, evidence.start, end))
                    continue
            found = _verbatim(evidence.quote, doc.text, doc.body_start)  # never the front matter
            spans.extend(Span(doc.doc_id, s, e) for s, e in found)
        if spans:
            return Located(evidence, spans, "exact")
        best: tuple[float, Span] | None = None
        best_score: float | None = None
        for doc in docs:
            alignments, seen = align(evidence.quote, self._body(doc), self.fuzzy_threshold)
            normalised = [a for a in alignments if a.how == "normalised"]
            spans.extend(Span(doc.doc_id, a.start, a.end) for a in normalised)
            for a in alignments:
                if a.how == "fuzzy" and (best is None or a.score > best[0]):
                    best = (a.score, Span(doc.doc_id, a.start, a.end))
            if seen is not None and (best_score is None or seen > best_score):
                best_score = round(seen, 1)
        if spans:
            return Located(evidence, spans, "normalised")
        if best is not None:
            return Located(evidence, [best[1]], "fuzzy", best[0], best_score)
        return Located(evidence, best_score=best_score)

    def spans(self, evidence: Evidence) -> list[Span]:
        """Where one evidence item is, in every document (or the one it names)."""
        return self.locate(evidence).spans

    def locate_question(self, question: EvalQuestion) -> list[Located]:
        """How and where each evidence item of ``question`` was found."""
        return [self.locate(e) for e in question.evidence]

    def for_question(self, question: EvalQuestion) -> list[list[Span]]:
        """One list of spans per evidence item (empty list: the quote was not found)."""
        return [item.spans for item in self.locate_question(question)]


def satisfied(
    items: Sequence[Sequence[Span]],
    spans: Sequence[Span],
    mode: str,
    test: Callable[[Span, Span], bool] = contains,
) -> bool:
    """Whether ``spans`` hold the evidence ``items`` (any one, or all, by ``mode``)."""
    located = [item for item in items if item]
    if not located:
        return False
    hits = [any(test(s, e) for s in spans for e in item) for item in located]
    return all(hits) if mode == "all" else any(hits)


def first_rank(items: Sequence[Sequence[Span]], ranked: Sequence[Span], mode: str) -> int | None:
    """The smallest k whose top-k ``ranked`` chunks contain the evidence, or None."""
    for k in range(1, len(ranked) + 1):
        if satisfied(items, ranked[:k], mode, contains):
            return k
    return None


def on_evidence(citation: Span, items: Sequence[Sequence[Span]]) -> bool:
    """Whether a citation overlaps any evidence span of the question."""
    return any(overlap(citation, e) > 0 for item in items for e in item)
