"""Gold evidence as character spans of the loaded documents, and when a span holds it.

Evidence is a quote, never a chunk id: it is located in the documents as loaded (the text
citations index into), so re-chunking cannot break an eval set. The rules:

- a quote is located at every verbatim occurrence in a document's body (after the front
  matter); failing that, at every occurrence that differs only in whitespace. Evidence pinned
  to a document and offset (SQuAD) is taken as given when the text there matches.
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
from dataclasses import dataclass

from qa.evaluation.sets import EvalQuestion, Evidence
from qa.types import Document

__all__ = [
    "PASSAGE_CHARS",
    "EvidenceMap",
    "Span",
    "contains",
    "covers",
    "first_rank",
    "locate",
    "on_evidence",
    "overlap",
    "satisfied",
]

PASSAGE_CHARS = 300
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


def locate(quote: str, text: str, body_start: int = 0) -> list[tuple[int, int]]:
    """Every occurrence of ``quote`` in ``text[body_start:]`` (verbatim, else whitespace-loose)."""
    quote = quote.strip()
    if not quote:
        return []
    found, i = [], text.find(quote, body_start)
    while i >= 0:
        found.append((i, i + len(quote)))
        i = text.find(quote, i + 1)
    if not found:
        found = [(m.start(), m.end()) for m in _loose_pattern(quote).finditer(text, body_start)]
    return found


class EvidenceMap:
    """Locates the evidence of questions in a set of loaded documents."""

    def __init__(self, documents: Iterable[Document]) -> None:
        self.documents = list(documents)
        self._by_name: dict[str, list[Document]] = {}
        for doc in self.documents:
            for key in {doc.path, doc.source.rsplit("/", 1)[-1], doc.path.rsplit("/", 1)[-1]}:
                self._by_name.setdefault(key, []).append(doc)

    def spans(self, evidence: Evidence) -> list[Span]:
        """Where one evidence item is, in every document (or the one it names)."""
        docs = self._by_name.get(evidence.doc, []) if evidence.doc else self.documents
        spans: list[Span] = []
        for doc in docs:
            if evidence.start is not None:
                end = evidence.start + len(evidence.quote)
                if doc.text[evidence.start : end] == evidence.quote:
                    spans.append(Span(doc.doc_id, evidence.start, end))
                    continue
            found = locate(evidence.quote, doc.text, doc.body_start)  # never the front matter
            spans.extend(Span(doc.doc_id, s, e) for s, e in found)
        return spans

    def for_question(self, question: EvalQuestion) -> list[list[Span]]:
        """One list of spans per evidence item (empty list: the quote was not found)."""
        return [self.spans(e) for e in question.evidence]


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
