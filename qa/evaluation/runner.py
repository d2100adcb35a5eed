"""Run an eval set through QA: ingest its documents into their own collection, ask every
question, score it against the gold evidence, and run the baselines beside it."""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from qa.answer import registry
from qa.config import Settings
from qa.documents import load_documents
from qa.embeddings import Embedder
from qa.errors import InvalidInputError, InvalidQuestionError
from qa.evaluation.evidence import (
    EvidenceMap,
    Located,
    Span,
    covers,
    first_rank,
    located_by,
    on_evidence,
    satisfied,
)
from qa.evaluation.metrics import (
    KS,
    QuestionResult,
    accepted_in,
    exact_match,
    summarise,
    token_f1,
)
from qa.evaluation.sets import EvalQuestion, EvalSet, EvalSetError, load_set, slug
from qa.types import Answer

__all__ = ["Run", "eval_collection", "run_eval", "score_question"]

Progress = Callable[[int, int], None]
RETRIEVAL_DEPTH = max(KS)


def eval_collection(eval_set: EvalSet) -> str:
    """The collection an eval set is ingested into: never the user's own, and one per copy of
    the set's documents (two checkouts sharing a ``QA_HOME`` do not evict each other's)."""
    where = "\n".join(sorted(str(p.resolve()) for p in eval_set.documents))
    return f"eval-{slug(eval_set.name, 40)}-{hashlib.sha1(where.encode()).hexdigest()[:8]}"


@dataclass
class Run:
    """One eval run: its settings, aggregate metrics and every question's result."""

    meta: dict[str, Any]
    summary: dict[str, Any]
    results: list[QuestionResult] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "meta": self.meta,
            "summary": self.summary,
            "questions": [r.to_dict() for r in self.results],
        }

    def save(self, folder: Path) -> Path:
        """Write ``folder/results.json``; returns its path."""
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / "results.json"
        path.write_text(json.dumps(self.to_dict(), indent=1, ensure_ascii=False), "utf-8")
        return path

    @classmethod
    def load(cls, path: Path) -> Run:
        """A run from its results.json (or the folder holding it)."""
        from qa.errors import InvalidPathError

        if path.is_dir():
            path = path / "results.json"
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            _check_run_shape(data)
            return cls(
                data["meta"],
                data["summary"],
                [QuestionResult.from_dict(q) for q in data["questions"]],
            )
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise InvalidPathError(f"not an eval run: {path} ({exc})") from None


def _check_run_shape(data: Any) -> None:
    """Raise ValueError unless ``data`` has the shape ``Run.to_dict`` writes."""
    if not isinstance(data, dict):
        raise ValueError("expected a JSON object")
    if not isinstance(data.get("meta"), dict):
        raise ValueError("'meta' is not an object")
    summary = data.get("summary")
    if not isinstance(summary, dict) or not all(
        isinstance(summary.get(k), dict) for k in ("overall", "splits", "categories")
    ):
        raise ValueError("'summary' lacks its overall, splits and categories")
    questions = data.get("questions")
    if not isinstance(questions, list) or not all(
        isinstance(q, dict) and isinstance(q.get("id"), str) for q in questions
    ):
        raise ValueError("'questions' is not a list of question results with ids")


def _summary(results: list[QuestionResult]) -> dict[str, Any]:
    splits = sorted({r.split for r in results})
    categories = sorted({r.category for r in results})
    return {
        "overall": summarise(results),
        "splits": {s: summarise([r for r in results if r.split == s]) for s in splits},
        "categories": {c: summarise([r for r in results if r.category == c]) for c in categories},
    }


def _span_dict(span: Span, **extra: Any) -> dict[str, Any]:
    return {"doc_id": span.doc_id, "start": span.start, "end": span.end, **extra}


def score_question(
    q: EvalQuestion,
    answer: Answer,
    evidence: list[list[Span]],
    ranked: list[Span],
    ranked_ids: list[str],
    how_located: list[Located] | None = None,
) -> QuestionResult:
    """Score one answer (and the chunks retrieved for it) against the question's gold data.

    ``how_located`` says how each evidence item was found (``EvidenceMap.locate_question``); it
    fills ``located_by`` and ``evidence_located`` and explains a near miss in the notes.
    """
    # "any": one located alternative is enough; "all" (multi-hop): every item must be found
    located = bool(evidence) and (all(evidence) if q.evidence_mode == "all" else any(evidence))
    citations = [Span(c.doc_id, c.start, c.end) for c in answer.citations]
    if q.answerable:
        if q.answers:
            correct: bool | None = not answer.abstained and accepted_in(
                answer.text, q.answers, q.answers_mode
            )
            reference = " ".join(q.answers) if q.answers_mode == "all" else None
            f1s = [token_f1(answer.text, reference)] if reference else []
            f1s += [token_f1(answer.text, a) for a in q.answers if q.answers_mode == "any"]
            f1: float | None = 0.0 if answer.abstained else max(f1s, default=0.0)
        else:
            correct = None
            f1 = 0.0 if answer.abstained else token_f1(answer.text, q.reference_answer or "")
        covered = satisfied(evidence, citations, q.evidence_mode, covers) if located else None
    else:
        correct, f1, covered = answer.abstained, None, None
    short_em = short_f1 = None
    if q.answerable and q.answers and q.answers_mode == "any":
        lead = answer.short.text if answer.short is not None else answer.text
        short_em = 0.0 if answer.abstained else max(exact_match(lead, a) for a in q.answers)
        short_f1 = 0.0 if answer.abstained else max(token_f1(lead, a) for a in q.answers)
    notes = [
        f"evidence not found in the documents: {e.quote[:80]!r}"
        for e, spans in zip(q.evidence, evidence, strict=True)
        if not spans
    ]
    for item in how_located or []:
        if item.how == "not found" and item.best_score is not None:
            notes.append(
                f"best fuzzy alignment {item.best_score:.1f} is below the threshold: "
                f"{item.evidence.quote[:80]!r}"
            )
    if q.answerable and not q.evidence:
        notes.append("no evidence given: retrieval and citations not scored")
    notes += [f"answerer: {n.text}" for n in answer.notes]  # how it answered or abstained
    return QuestionResult(
        id=q.id,
        question=q.question,
        category=q.category,
        split=q.split,
        answerable=q.answerable,
        answer=answer.text,
        abstained=answer.abstained,
        evidence_found=located,
        rank=first_rank(evidence, ranked, q.evidence_mode) if located else None,
        correct=correct,
        f1=f1,
        short=answer.short.text if answer.short is not None else None,
        short_margin=answer.short.margin if answer.short is not None else None,
        short_em=short_em,
        short_f1=short_f1,
        citations=[
            _span_dict(s, id=c.id, quote=c.quote)
            for s, c in zip(citations, answer.citations, strict=True)
        ],
        citations_on_evidence=sum(on_evidence(s, evidence) for s in citations),
        citation_covers=covered,
        retrieved=[_span_dict(s, chunk_id=i) for s, i in zip(ranked, ranked_ids, strict=True)],
        latency_ms=float(answer.timings_ms.get("total", 0.0)),
        first_token_ms=answer.timings_ms.get("first_token"),
        notes=notes,
        located_by=(
            located_by(how_located, q.evidence_mode)
            if q.answerable and q.evidence and how_located is not None
            else None
        ),
        evidence_located=[item.to_dict() for item in how_located or []],
    )


def run_eval(
    set_path: str | Path,
    *,
    settings: Settings | None = None,
    embedder: Embedder | None = None,
    mode: str = "extractive",
    top_k: int | None = None,
    split: str = "all",
    limit: int | None = None,
    baselines: bool = False,
    judge: bool = False,
    docs: Path | None = None,
    progress: Progress | None = None,
    on_start: Callable[[], None] | None = None,
) -> Run:
    """Evaluate QA on an eval set; see ``qa eval --help`` for the options. ``on_start`` is
    called once the set is read and its split has questions, before the slow part (ingesting
    its documents, loading the models); ``progress(done, total)`` after each question."""
    from qa.pipeline import QA

    began = time.perf_counter()
    started = datetime.now(UTC).isoformat(timespec="seconds")
    base = settings or Settings()
    if mode not in registry.modes():
        choices = " or ".join(repr(m) for m in registry.modes())
        raise InvalidInputError(f"unknown mode {mode!r}: use {choices}")
    if limit is not None and (not isinstance(limit, int) or isinstance(limit, bool) or limit < 1):
        raise InvalidInputError(f"limit must be a whole number of at least 1, not {limit!r}")
    eval_set = load_set(set_path, documents=docs, work_dir=base.home / "eval-docs")
    questions = eval_set.select(split, limit)
    if not questions:  # before the ingest: nothing would be measured
        raise EvalSetError(f"{set_path}: no questions in split {split!r}")
    qa = QA(base.model_copy(update={"collection": eval_collection(eval_set)}), embedder=embedder)
    for q in questions:  # as `ask` checks them, but before the ingest and naming the question
        try:
            qa.check_question(q.question)
        except InvalidQuestionError as exc:
            reason = str(exc).removeprefix("the question ")
            raise EvalSetError(f"{set_path}: question {q.id!r} {reason}") from None
    if on_start:
        on_start()
    judges = None
    if judge:  # before any slow work: fails at once when no LLM is configured
        from qa.evaluation.judge import Judges, require_llm

        require_llm(qa.settings)
        llm = qa.answerer("llm")  # its client answers, condenses and judges
        judges = Judges(getattr(llm, "settings", qa.settings), getattr(llm, "client", None))
    # the collection is the set's alone: documents ingested from another checkout or an
    # older copy of the set's folder would otherwise stay and compete with the real ones
    report = qa.ingest(eval_set.documents, exclusive=True)
    documents, _ = load_documents(eval_set.documents)
    evidence_map = EvidenceMap(documents)
    similarity = None
    if any(q.reference_answer for q in questions):  # prose references: embedding similarity
        from qa.evaluation.similarity import SimilarityScorer

        similarity = SimilarityScorer(qa.embedder)
    k = qa.resolve_top_k(top_k)
    runners = []
    if baselines:
        from qa.evaluation.baselines import make_baselines

        runners = make_baselines(qa, documents)
    if questions:  # warm-up, untimed: first-call costs are not per-question latency
        qa.ask(questions[0].question, top_k=k, mode=mode)
    results: list[QuestionResult] = []
    if progress:
        progress(0, len(questions))
    for n, q in enumerate(questions, start=1):
        answer = qa._final(qa.ask_stream(q.question, top_k=k, mode=mode))  # streamed: TTFT
        hits = (
            answer.hits if k >= RETRIEVAL_DEPTH else qa.retrieve(q.question, top_k=RETRIEVAL_DEPTH)
        )
        located = evidence_map.locate_question(q)
        evidence = [item.spans for item in located]
        result = score_question(
            q,
            answer,
            evidence,
            [Span(h.doc_id, h.start, h.end) for h in hits],
            [h.chunk_id for h in hits],
            located,
        )
        if similarity is not None:
            scores = similarity.score(q, answer, answer.hits)
            result.answer_similarity = scores["answer_similarity"]
            result.context_similarity = scores["context_similarity"]
        for b in runners:
            ranked = b.ranked(q.question)
            result.baseline_ranks[b.name] = (
                first_rank(evidence, ranked, q.evidence_mode) if result.evidence_found else None
            )
            result.baseline_retrieved[b.name] = [_span_dict(s) for s in ranked]
        if judges is not None:
            result.judge = judges.score(q, answer)
        results.append(result)
        if progress:
            progress(n, len(questions))
    meta = {
        "set": eval_set.name,
        "set_path": str(set_path),
        "format": eval_set.format,
        "mode": mode,
        "top_k": k,
        "split": split,
        "limit": limit,
        "collection": qa.settings.collection,
        "embed_model": qa.model_id,
        "settings": {
            key: getattr(qa.settings, key)
            for key in ("chunk_size", "chunk_overlap", "candidates", "rrf_k", "abstain_threshold")
        },
        "documents": report.documents,
        "chunks": report.chunks,
        "ingest_seconds": round(report.seconds, 2),
        "baselines": [b.name for b in runners],
        "fuzzy_threshold": evidence_map.fuzzy_threshold,
        "published_baselines": eval_set.published_baselines,
        "set_warnings": eval_set.warnings,
        "started": started,
        "seconds": 0.0,
    }
    run = Run(meta=meta, summary=_summary(results), results=results)
    run.meta["seconds"] = round(time.perf_counter() - began, 2)
    return run
