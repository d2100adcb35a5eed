"""Per-question scores and their aggregates: retrieval, answer, citations, abstention, latency.

Answers are compared after normalisation (SQuAD style: lower case, punctuation and the
articles a/an/the dropped, citation markers ``[n]`` removed, currency signs of every kind
dropped as "$" is, a decimal point or thousands separator between digits kept inside its
number); an accepted string "appears" in an answer when its normalised tokens occur there as a
contiguous run, so "98%" does not match "1998", nor "5 percent" "48.5 percent", and "275
million" matches "€275 million". Rates are over the questions they apply to and ``None`` when
none do.
"""

from __future__ import annotations

import re
import string
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from qa.answer.citations import MARKER
from qa.evaluation.evidence import LOCATED_BY

__all__ = [
    "KS",
    "QuestionResult",
    "accepted_in",
    "exact_match",
    "located_counts",
    "normalise",
    "percentile",
    "retrieval_summary",
    "summarise",
    "token_f1",
]

KS = (1, 3, 5)
_MARKER = MARKER
_ARTICLES = {"a", "an", "the"}
_PUNCT = set(string.punctuation) | {"’", "‘", "“", "”", "–", "—", "…"}
_IN_NUMBER = re.compile(r"(?<=\d)[.,](?=\d)")  # a decimal point or thousands separator


def normalise(text: str) -> list[str]:
    """Tokens of ``text`` for answer matching (see the module docstring)."""
    text = unicodedata.normalize("NFKC", _MARKER.sub(" ", text)).lower()
    # "48.5" and "1,500" are one number each: "5 percent" is not in "48.5 percent"
    text = _IN_NUMBER.sub("", text)
    text = "".join(" " if ch in _PUNCT or unicodedata.category(ch) == "Sc" else ch for ch in text)
    return [t for t in text.split() if t not in _ARTICLES]


def _contains_run(tokens: Sequence[str], run: Sequence[str]) -> bool:
    n = len(run)
    return n > 0 and any(tokens[i : i + n] == list(run) for i in range(len(tokens) - n + 1))


def accepted_in(answer: str, accepted: Sequence[str], mode: str = "any") -> bool:
    """Whether one (``any``) or every (``all``) accepted string appears in ``answer``."""
    tokens = normalise(answer)
    found = [_contains_run(tokens, normalise(a)) for a in accepted if normalise(a)]
    if not found:
        return False
    return all(found) if mode == "all" else any(found)


def token_f1(prediction: str, reference: str) -> float:
    """SQuAD token F1 between two texts."""
    pred, ref = normalise(prediction), normalise(reference)
    common = Counter(pred) & Counter(ref)
    same = sum(common.values())
    if not pred or not ref or same == 0:
        return 0.0
    precision, recall = same / len(pred), same / len(ref)
    return 2 * precision * recall / (precision + recall)


def exact_match(prediction: str, reference: str) -> float:
    """SQuAD exact match (1.0 or 0.0) after ``normalise``."""
    return float(bool(normalise(reference)) and normalise(prediction) == normalise(reference))


def percentile(values: Sequence[float], q: float) -> float | None:
    """The ``q``-th percentile (linear interpolation), None for no values."""
    return float(np.percentile(np.asarray(values, dtype=float), q)) if values else None


@dataclass
class QuestionResult:
    """Everything measured for one question; one row of results.json."""

    id: str
    question: str
    category: str
    split: str
    answerable: bool
    answer: str
    abstained: bool
    evidence_found: bool  # every evidence quote was located in the documents
    rank: int | None  # first rank whose top-k chunks contain the evidence
    correct: bool | None  # accepted answer present (answerable) / abstained (unanswerable)
    f1: float | None
    citations: list[dict[str, Any]] = field(default_factory=list)
    citations_on_evidence: int = 0
    citation_covers: bool | None = None
    retrieved: list[dict[str, Any]] = field(default_factory=list)
    latency_ms: float = 0.0
    first_token_ms: float | None = None  # question to first streamed text
    baseline_ranks: dict[str, int | None] = field(default_factory=dict)
    baseline_retrieved: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    judge: dict[str, float | None] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    # how the evidence was located (exact, normalised, fuzzy, not found; None: no evidence)
    located_by: str | None = None
    evidence_located: list[dict[str, Any]] = field(default_factory=list)
    # the short answer (Answer.short) and SQuAD's exact match and token F1 of what the answer
    # leads with: the short answer, else the whole answer text (0 when abstained)
    short: str | None = None
    short_margin: float | None = None  # the span reader's log-probability (qa.types.ShortAnswer)
    short_em: float | None = None
    short_f1: float | None = None
    answer_similarity: float | None = None  # embedding cosine to the reference answer
    context_similarity: float | None = None  # retrieved passages to the reference contexts

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> QuestionResult:
        known = set(cls.__dataclass_fields__)
        return cls(**{k: v for k, v in data.items() if k in known})


def _rate(flags: Iterable[bool]) -> float | None:
    values = list(flags)
    return sum(values) / len(values) if values else None


def _mean(values: Iterable[float]) -> float | None:
    values = list(values)
    return float(sum(values) / len(values)) if values else None


def retrieval_summary(
    ranks: Sequence[int | None], retrieved: Sequence[Sequence[dict[str, Any]]] = ()
) -> dict[str, float | None]:
    """hit@1/3/5 and MRR of first-evidence ranks (None = not retrieved), and the mean
    characters retrieved per question (how much text the answerer has to read)."""
    out: dict[str, float | None] = {
        f"hit@{k}": _rate(r is not None and r <= k for r in ranks) for k in KS
    }
    out["mrr"] = _mean(1.0 / r if r else 0.0 for r in ranks)
    out["retrieved_chars"] = _mean(sum(s["end"] - s["start"] for s in spans) for spans in retrieved)
    return out


def located_counts(results: Sequence[QuestionResult]) -> dict[str, Any]:
    """How the evidence of the answerable questions that have evidence was located: a count
    per way (exact, normalised, fuzzy, not found) and the lowest fuzzy score that counted."""
    with_evidence = [r for r in results if r.answerable and r.located_by is not None]
    counts: dict[str, Any] = {how: 0 for how in LOCATED_BY}
    for r in with_evidence:
        counts[r.located_by or "not found"] += 1
    fuzzy = [
        e["score"]
        for r in with_evidence
        for e in r.evidence_located
        if e.get("how") == "fuzzy" and e.get("score") is not None
    ]
    counts["min_fuzzy_score"] = min(fuzzy) if fuzzy else None
    return counts


def summarise(results: Sequence[QuestionResult]) -> dict[str, Any]:
    """Aggregate metrics of ``results`` (one split or category, or all)."""
    answerable = [r for r in results if r.answerable]
    unanswerable = [r for r in results if not r.answerable]
    located = [r for r in answerable if r.evidence_found]
    # an answerable question whose evidence is not in the documents cannot be scored on
    # retrieval or citations: left out of both (their count is reported), not counted as wrong
    scored = [r for r in results if not r.answerable or r.evidence_found]
    citations = [c for r in scored for c in r.citations]
    abstained = [r for r in results if r.abstained]
    latencies = [r.latency_ms for r in results]
    out: dict[str, Any] = {
        "questions": len(results),
        "answerable": len(answerable),
        "unanswerable": len(unanswerable),
        "evidence_missing": len(answerable) - len(located),
        **retrieval_summary([r.rank for r in located], [r.retrieved for r in located]),
        "accuracy": _rate(bool(r.correct) for r in answerable if r.correct is not None),
        "f1": _mean(r.f1 for r in answerable if r.f1 is not None),
        "short_em": _mean(r.short_em for r in answerable if r.short_em is not None),
        "short_f1": _mean(r.short_f1 for r in answerable if r.short_f1 is not None),
        "short_given": _rate(
            r.short is not None for r in answerable if not r.abstained and r.short_f1 is not None
        ),
        "answer_similarity": _mean(
            r.answer_similarity for r in answerable if r.answer_similarity is not None
        ),
        "context_similarity": _mean(
            r.context_similarity for r in answerable if r.context_similarity is not None
        ),
        "citation_precision": (
            sum(r.citations_on_evidence for r in scored) / len(citations) if citations else None
        ),
        "citation_recall": _rate(bool(r.citation_covers) for r in located),
        "cited_chars": _mean(c["end"] - c["start"] for c in citations),
        "abstention_precision": _rate(not r.answerable for r in abstained),
        "abstention_recall": _rate(r.abstained for r in unanswerable),
        "false_abstention": _rate(r.abstained for r in answerable),
        "latency_p50_ms": percentile(latencies, 50),
        "latency_p95_ms": percentile(latencies, 95),
        "located_by": located_counts(results),
    }
    first = [r.first_token_ms for r in results if r.first_token_ms is not None]
    if first:
        out["first_token_p50_ms"] = percentile(first, 50)
        out["first_token_p95_ms"] = percentile(first, 95)
    judged = {k for r in results for k in r.judge}
    for name in sorted(judged):
        scores = [r.judge.get(name) for r in results]
        out[f"judge_{name}"] = _mean(s for s in scores if s is not None)
    baselines = {k for r in results for k in r.baseline_ranks}
    if baselines:
        out["baselines"] = {
            name: retrieval_summary(
                [r.baseline_ranks.get(name) for r in located],
                [r.baseline_retrieved.get(name, []) for r in located],
            )
            for name in sorted(baselines)
        }
    return out
